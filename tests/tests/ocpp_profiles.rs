//! Controlling a wallbox through charging profiles, against the Python charge point (PyPI `ocpp`):
//! blocked by a default profile after boot, limits when load management allows current, profiles
//! cleared on deactivation with "cancel charging current limit", monitor mode hands off, a wallbox
//! that refuses profiles is reported and not pestered.

use std::time::Duration;

use ampwise_core::config::{
    ChargingManagerSettings, Config, DeactivationBehaviour, LoadManagementMode, OcppServerSettings,
};
use ampwise_core::ocpp::control::ControlReport;
use ampwise_e2e::ocpp_peer::{
    config_with, free_port, ocpp_wallbox, python_charge_point, start_core, RunningCore,
};
use serde_json::Value;

fn config(mode: LoadManagementMode) -> Config {
    let mut device = ocpp_wallbox("garage", "CB-P1");
    device.on_deactivation = DeactivationBehaviour::CancelChargingCurrentLimit;
    Config {
        charging_manager: ChargingManagerSettings {
            mode,
            ..ChargingManagerSettings::default()
        },
        ..config_with(free_port(), OcppServerSettings::default(), vec![device])
    }
}

/// Waits until the control report of CB-P1 connector 1 satisfies `condition`.
async fn wait_report(
    running: &RunningCore,
    what: &str,
    condition: impl Fn(&ControlReport) -> bool,
) {
    for _ in 0..200 {
        if running
            .core
            .ocpp()
            .control
            .report("CB-P1", 1)
            .is_some_and(|report| condition(&report))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "timed out waiting for {what}; report: {:?}",
        running.core.ocpp().control.report("CB-P1", 1)
    );
}

/// Starts the charge point in the background, holding its connection for `hold` seconds.
fn spawn_charge_point(
    running: &RunningCore,
    hold: &str,
    extra: &[&str],
) -> tokio::task::JoinHandle<Value> {
    let url = running.url("ws", "CB-P1");
    let mut args: Vec<String> = [
        "--url",
        &url,
        "--id",
        "CB-P1",
        "--scenario",
        "boot-and-wait",
        "--hold",
        hold,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        python_charge_point(&args).await
    })
}

fn actions(result: &Value) -> Vec<&str> {
    result["received"]
        .as_array()
        .map(|received| {
            received
                .iter()
                .filter_map(|r| r["action"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The Python peer reads JSON numbers as Decimal and prints them as strings.
fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|text| text.parse().ok()))
        .unwrap_or(f64::NAN)
}

fn profile_limits(result: &Value) -> Vec<(String, f64)> {
    result["received"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["action"] == "SetChargingProfile")
        .map(|r| {
            let schedule = &r["payload"]["profile"]["charging_schedule"];
            (
                schedule["charging_rate_unit"]
                    .as_str()
                    .unwrap_or("?")
                    .to_owned(),
                number(&schedule["charging_schedule_period"][0]["limit"]),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn active_mode_blocks_then_limits_then_clears_on_deactivation() {
    let running = start_core(config(LoadManagementMode::Active)).await;
    // A car is plugged in, but the user holds the wallbox at 0 A until the test raises the limit.
    running
        .core
        .set_evse_current("garage", 0.0)
        .expect("current set");
    let charge_point = spawn_charge_point(&running, "6", &["--connector-status", "Preparing"]);

    // After boot: configuration read, sample interval set, blocked with a 0 A default profile.
    wait_report(&running, "the blocking profile", |r| {
        r.applied_limit_a == Some(0.0)
    })
    .await;
    let capabilities = running
        .core
        .ocpp()
        .control
        .report("CB-P1", 1)
        .and_then(|r| r.capabilities)
        .expect("capabilities were read");
    assert_eq!(capabilities.max_stack_level, Some(8));

    // Load management allows 11 A; above the wallbox maximum (16 A) it is capped.
    running
        .core
        .set_evse_current("garage", 11.0)
        .expect("current set");
    wait_report(&running, "the 11 A profile", |r| {
        r.applied_limit_a == Some(11.0)
    })
    .await;
    running
        .core
        .set_evse_current("garage", 40.0)
        .expect("current set");
    wait_report(&running, "the capped profile", |r| {
        r.applied_limit_a == Some(16.0)
    })
    .await;

    // Deactivated with "cancel charging current limit": every profile on the connector is cleared.
    let mut config = Config::clone(&running.core.config());
    config.devices[0].enabled = false;
    running
        .core
        .update_config(config)
        .await
        .expect("config updated");
    wait_report(&running, "the profiles cleared", |r| r.cleared).await;

    let result = tokio::time::timeout(Duration::from_secs(30), charge_point)
        .await
        .expect("the charge point finished")
        .expect("task");
    let actions = actions(&result);
    assert_eq!(
        actions,
        [
            "GetConfiguration",
            "ChangeConfiguration",
            "SetChargingProfile",
            "SetChargingProfile",
            "SetChargingProfile",
            "ClearChargingProfile"
        ],
        "{result}"
    );
    assert_eq!(
        profile_limits(&result),
        [
            ("A".to_owned(), 0.0),
            ("A".to_owned(), 11.0),
            ("A".to_owned(), 16.0)
        ]
    );
    let received = result["received"].as_array().expect("received");
    assert_eq!(received[1]["payload"]["key"], "MeterValueSampleInterval");
    assert_eq!(received[1]["payload"]["value"], "60");
    let profile = &received[2]["payload"]["profile"];
    assert_eq!(profile["charging_profile_purpose"], "TxDefaultProfile");
    assert_eq!(profile["stack_level"], 8);
    assert_eq!(received[5]["payload"]["connector_id"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn monitor_mode_reads_but_installs_nothing() {
    let running = start_core(config(LoadManagementMode::Monitor)).await;
    let charge_point = spawn_charge_point(&running, "2", &[]);
    running
        .core
        .set_evse_current("garage", 10.0)
        .expect("current set");
    let result = tokio::time::timeout(Duration::from_secs(30), charge_point)
        .await
        .expect("finished")
        .expect("task");
    assert_eq!(
        actions(&result),
        ["GetConfiguration", "ChangeConfiguration"],
        "{result}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_power_only_wallbox_gets_watts() {
    let running = start_core(config(LoadManagementMode::Active)).await;
    running
        .core
        .set_evse_current("garage", 10.0)
        .expect("current set");
    let charge_point = spawn_charge_point(
        &running,
        "2",
        &["--rate-units", "Power", "--connector-status", "Preparing"],
    );
    wait_report(&running, "the profile", |r| r.applied_limit_a == Some(10.0)).await;
    let result = tokio::time::timeout(Duration::from_secs(30), charge_point)
        .await
        .expect("finished")
        .expect("task");
    // 10 A × 230 V × 3 phases; a blocking 0 W profile may come first, before the car is seen.
    let limits = profile_limits(&result);
    assert_eq!(limits.last(), Some(&("W".to_owned(), 6900.0)), "{result}");
    assert!(limits.iter().all(|(unit, _)| unit == "W"), "{result}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wallbox_that_refuses_profiles_is_reported_not_pestered() {
    let running = start_core(config(LoadManagementMode::Active)).await;
    let charge_point = spawn_charge_point(&running, "3", &["--reject-profiles"]);
    wait_report(&running, "the refusal", |r| r.profiles_rejected.is_some()).await;
    for amps in [8.0, 9.0, 10.0] {
        running
            .core
            .set_evse_current("garage", amps)
            .expect("current set");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let result = tokio::time::timeout(Duration::from_secs(30), charge_point)
        .await
        .expect("finished")
        .expect("task");
    let attempts = actions(&result)
        .iter()
        .filter(|action| **action == "SetChargingProfile")
        .count();
    assert_eq!(attempts, 1, "a refusing wallbox was asked again: {result}");
    let report = running
        .core
        .ocpp()
        .control
        .report("CB-P1", 1)
        .expect("report");
    assert!(report
        .profiles_rejected
        .is_some_and(|reason| reason.contains("Rejected")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wallbox_that_ends_transactions_at_zero_is_paused_by_remote_stop_and_resumed() {
    use ampwise_core::config::{DeviceDriver, OcppPauseMethod};
    let mut config = config(LoadManagementMode::Active);
    if let DeviceDriver::Ocpp16Evse(address) = &mut config.devices[0].driver {
        address.pause_with = OcppPauseMethod::RemoteStopStart;
    }
    let running = start_core(config).await;
    running
        .core
        .set_evse_current("garage", 10.0)
        .expect("current set");
    let url = running.url("ws", "CB-P1");
    let charge_point = tokio::spawn(async move {
        python_charge_point(&[
            "--url",
            &url,
            "--id",
            "CB-P1",
            "--scenario",
            "charge-and-wait",
            "--hold",
            "6",
        ])
        .await
    });
    let live = || running.core.ocpp().live.connector("CB-P1", 1);
    wait_report(&running, "the 10 A profile", |r| {
        r.applied_limit_a == Some(10.0)
    })
    .await;
    for _ in 0..100 {
        if live().is_some_and(|c| c.transaction_id.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = live().and_then(|c| c.transaction_id).expect("charging");

    // Pause: the profile stays at the minimum (6 A, never 0) and the transaction is stopped.
    running
        .core
        .set_evse_current("garage", 0.0)
        .expect("current set");
    wait_report(&running, "the minimum profile", |r| {
        r.applied_limit_a == Some(6.0)
    })
    .await;
    for _ in 0..100 {
        if live().is_some_and(|c| c.transaction_id.is_none()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(live().and_then(|c| c.transaction_id), None, "not paused");

    // Resume: a new transaction with the same tag.
    running
        .core
        .set_evse_current("garage", 12.0)
        .expect("current set");
    for _ in 0..100 {
        if live().is_some_and(|c| c.transaction_id.is_some_and(|id| id != first)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let result = tokio::time::timeout(Duration::from_secs(30), charge_point)
        .await
        .expect("finished")
        .expect("task");
    let actions = actions(&result);
    assert!(actions.contains(&"RemoteStopTransaction"), "{result}");
    assert!(actions.contains(&"RemoteStartTransaction"), "{result}");
    let received = result["received"].as_array().expect("received");
    let start = received
        .iter()
        .find(|r| r["action"] == "RemoteStartTransaction")
        .expect("remote start");
    assert_eq!(start["payload"]["id_tag"], "04A2B3C4");
    assert_eq!(
        result["transactions"].as_array().map(Vec::len),
        Some(2),
        "{result}"
    );
    assert!(
        profile_limits(&result)
            .iter()
            .all(|(_, limit)| *limit > 0.0),
        "a stop-start wallbox must never see 0 A: {result}"
    );
}
