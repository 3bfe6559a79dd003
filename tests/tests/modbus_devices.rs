//! Modbus devices end to end: a running core polls simulated Power Brains and meters over TCP and
//! RTU (pseudo-terminals), our own simulators and the independent pymodbus ones, and steers the
//! wallboxes; faults on one device leave the others alone.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use ampwise_core::config::{
    ChargingSettings, Config, Device, DeviceDriver, LoadManagementMode, MeterModel, ModbusAddress,
    ModbusMeterAddress, ModbusTransport, OcppServerSettings, Parity, SerialSettings as RtuSettings,
    TcpEndpoint,
};
use ampwise_core::device::runtime::{Availability, DeviceReading, DeviceStatus};
use ampwise_core::device::CpState;
use ampwise_e2e::modbus_peer::{PtyLink, PyModbusSim, SerialSettings, SimFault, SimModel};
use ampwise_e2e::ocpp_peer::{config_with, free_port, start_core, RunningCore};
use ampwise_sim::{
    Bus, CarSpec, ExceptionCode, Fault, MeterConfig, MeterSim, PowerBrainConfig, PowerBrainSim,
};
use serde_json::json;
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(15);

fn tcp(addr: SocketAddr) -> ModbusTransport {
    ModbusTransport::Tcp(TcpEndpoint {
        host: addr.ip().to_string(),
        port: addr.port(),
    })
}

fn rtu(path: &Path) -> ModbusTransport {
    ModbusTransport::Rtu(RtuSettings {
        port: path.display().to_string(),
        baud_rate: 9600,
        data_bits: 8,
        parity: Parity::None,
        stop_bits: 1,
    })
}

fn power_brain(id: &str, transport: ModbusTransport, unit_id: u8) -> Device {
    Device {
        id: id.to_owned(),
        name: format!("Power Brain {id}"),
        enabled: true,
        on_deactivation: Default::default(),
        group: None,
        driver: DeviceDriver::PowerBrainEvse(ModbusAddress { transport, unit_id }),
        charging: Some(ChargingSettings::default()),
        gateway: None,
    }
}

fn meter(id: &str, transport: ModbusTransport, unit_id: u8) -> Device {
    Device {
        id: id.to_owned(),
        name: format!("Meter {id}"),
        enabled: true,
        on_deactivation: Default::default(),
        group: None,
        driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
            model: MeterModel::EastronSdm630,
            transport,
            unit_id,
        }),
        charging: None,
        gateway: None,
    }
}

async fn start(devices: Vec<Device>, mode: LoadManagementMode) -> RunningCore {
    let mut config: Config = config_with(free_port(), OcppServerSettings::default(), devices);
    config.charging_manager.mode = mode;
    config.charging_manager.control_interval_ms = 200;
    start_core(config).await
}

/// Waits until the device's status satisfies `condition`; panics with the last status otherwise.
async fn wait_status(
    core: &RunningCore,
    device_id: &str,
    what: &str,
    condition: impl Fn(&DeviceStatus) -> bool,
) -> DeviceStatus {
    let mut states = core.core.devices().watch_states();
    let outcome = tokio::time::timeout(WAIT, async {
        loop {
            if let Some(status) = states.borrow_and_update().get(device_id) {
                if condition(status) {
                    return status.clone();
                }
            }
            states.changed().await.expect("device runtime alive");
        }
    })
    .await;
    match outcome {
        Ok(status) => status,
        Err(_) => panic!(
            "{device_id}: not {what} within {WAIT:?}; last status: {:?}",
            core.core.devices().states().get(device_id)
        ),
    }
}

fn online(status: &DeviceStatus) -> bool {
    status.availability == Availability::Online
}

fn evse_reading(status: &DeviceStatus) -> Option<&ampwise_core::device::EvseReading> {
    match &status.reading {
        Some(DeviceReading::Evse(reading)) => Some(reading),
        _ => None,
    }
}

fn meter_currents(status: &DeviceStatus) -> Option<[f64; 3]> {
    match &status.reading {
        Some(DeviceReading::Meter(reading)) => reading.current_a,
        _ => None,
    }
}

async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not {what} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Like [`wait_until`], with what load management decided in the failure message.
async fn wait_until_or(what: &str, core: &RunningCore, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not {what} within {WAIT:?}; load management: {:?}",
            core.core.load_management().status()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Serves `bus` on a fresh local TCP port until the returned task is aborted.
async fn serve_tcp(bus: Bus) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        let _ = ampwise_sim::serve_tcp(listener, bus, std::future::pending()).await;
    });
    (addr, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_power_brain_over_tcp_is_read_and_steered_without_flash_writes() {
    let wallbox = PowerBrainSim::new(PowerBrainConfig::default()).expect("wallbox");
    wallbox.set_rfid("04A2B3C4D5").expect("rfid");
    let (addr, _server) = serve_tcp(Bus::new().with(1, &wallbox).expect("bus")).await;
    let core = start(
        vec![power_brain("pb", tcp(addr), 1)],
        LoadManagementMode::Active,
    )
    .await;

    let status = wait_status(&core, "pb", "online", online).await;
    let reading = evse_reading(&status).expect("a wallbox reading");
    assert_eq!(reading.cp_state, CpState::A);
    assert_eq!(reading.cable_current_limit_a, Some(32.0));
    assert_eq!(reading.last_rfid.as_deref(), Some("04A2B3C4D5"));
    assert!(reading.meter.is_some(), "the Power Brain reports its meter");

    wallbox
        .plug_in(CarSpec {
            phases: 3,
            max_current_a: 16.0,
            energy_to_full_kwh: 50.0,
        })
        .expect("car");
    core.core.set_evse_current("pb", 10.0).expect("current set");
    wait_until_or("charging at 10 A", &core, || {
        let sim = wallbox.snapshot();
        sim.charging_enabled
            && sim.charging_cur_limit_a == 10.0
            && sim.cp_state == ampwise_sim::CpState::C
    })
    .await;
    let status = wait_status(&core, "pb", "seen charging at 10 A", |status| {
        evse_reading(status).is_some_and(|reading| {
            reading.cp_state == CpState::C
                && reading.charging_current_a == Some(10.0)
                && reading.meter.as_ref().and_then(|meter| meter.current_a)
                    == Some([10.0, 10.0, 10.0])
        })
    })
    .await;
    assert_eq!(
        status.applied.map(|applied| applied.current_limit_a),
        Some(10.0)
    );

    // Below the minimum: paused, not starved at 3 A.
    core.core.set_evse_current("pb", 3.0).expect("current set");
    wait_until("paused", || !wallbox.snapshot().charging_enabled).await;
    let sim = wallbox.snapshot();
    assert_eq!(sim.phase_currents_a, [0.0; 3]);
    assert_eq!(sim.flash_writes, 0, "writes: {:?}", sim.writes_per_register);
    assert!(sim
        .writes_per_register
        .keys()
        .all(|register| [8093, 8094].contains(register)));
    assert_eq!(sim.rejected_writes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_is_refreshed_before_the_wallbox_fail_safe_and_only_then() {
    let wallbox = PowerBrainSim::new(PowerBrainConfig {
        fail_safe_duration_s: 3,
        ..PowerBrainConfig::default()
    })
    .expect("wallbox");
    wallbox.plug_in(CarSpec::default()).expect("car");
    let (addr, _server) = serve_tcp(Bus::new().with(1, &wallbox).expect("bus")).await;
    let core = start(
        vec![power_brain("pb", tcp(addr), 1)],
        LoadManagementMode::Active,
    )
    .await;
    core.core.set_evse_current("pb", 8.0).expect("current set");
    wait_until("limit written", || {
        wallbox.snapshot().charging_cur_limit_a == 8.0
    })
    .await;
    let first = wallbox
        .snapshot()
        .writes_per_register
        .get(&8093)
        .copied()
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let later = wallbox
        .snapshot()
        .writes_per_register
        .get(&8093)
        .copied()
        .unwrap_or(0);
    // A 3 s fail-safe is refreshed every second: about 3 more writes, not one per 200 ms poll.
    assert!(
        (2..=6).contains(&(later - first)),
        "{} refreshes in 3.5 s",
        later - first
    );
    assert!(!wallbox.snapshot().fail_safe_active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_mode_reads_but_never_writes() {
    let wallbox = PowerBrainSim::new(PowerBrainConfig::default()).expect("wallbox");
    let (addr, _server) = serve_tcp(Bus::new().with(1, &wallbox).expect("bus")).await;
    let core = start(
        vec![power_brain("pb", tcp(addr), 1)],
        LoadManagementMode::Monitor,
    )
    .await;
    core.core.set_evse_current("pb", 8.0).expect("current set");
    wait_status(&core, "pb", "online", online).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let sim = wallbox.snapshot();
    assert!(sim.requests > 2, "it was polled");
    assert!(
        sim.writes_per_register.is_empty(),
        "{:?}",
        sim.writes_per_register
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_tcp_wallbox_goes_offline_and_comes_back() {
    let wallbox = PowerBrainSim::new(PowerBrainConfig::default()).expect("wallbox");
    let bus = Bus::new().with(1, &wallbox).expect("bus");
    let (addr, server) = serve_tcp(bus.clone()).await;
    let core = start(
        vec![power_brain("pb", tcp(addr), 1)],
        LoadManagementMode::Active,
    )
    .await;
    wait_status(&core, "pb", "online", online).await;

    server.abort();
    let _ = server.await;
    let status = wait_status(&core, "pb", "offline", |status| {
        status.availability == Availability::Offline
    })
    .await;
    assert!(status.last_error.is_some());
    assert!(
        status.reading.is_some(),
        "the last reading is kept while offline"
    );

    let listener = TcpListener::bind(addr).await.expect("same port again");
    let _server = tokio::spawn(async move {
        let _ = ampwise_sim::serve_tcp(listener, bus, std::future::pending()).await;
    });
    wait_status(&core, "pb", "back online", online).await;
}

/// Three meters on one RS485 bus behind a pseudo-terminal; one is made silent, then garbles its
/// answers: only it suffers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meters_on_one_rtu_bus_keep_going_when_one_of_them_fails() {
    let meters: Vec<MeterSim> = (1..=3)
        .map(|unit| {
            MeterSim::new(MeterConfig {
                household_a: [f64::from(unit), 2.0 * f64::from(unit), 0.5],
                ..MeterConfig::default()
            })
            .expect("meter")
        })
        .collect();
    let bus = Bus::new();
    for (unit, meter) in (1u8..).zip(&meters) {
        bus.add(unit, meter).expect("unit");
    }
    let pty = ampwise_sim::open_pty().expect("pty");
    let path = std::path::PathBuf::from(&pty.client_path);
    let server_bus = bus.clone();
    let _server = tokio::spawn(async move {
        let _keep_client_side_open = pty.client;
        let _ = ampwise_sim::serve_rtu(
            pty.server,
            ampwise_sim::SerialSettings::default(),
            server_bus,
            std::future::pending(),
        )
        .await;
    });
    let core = start(
        (1..=3)
            .map(|unit| meter(&format!("m{unit}"), rtu(&path), unit))
            .collect(),
        LoadManagementMode::Monitor,
    )
    .await;
    for unit in 1..=3u8 {
        let status = wait_status(&core, &format!("m{unit}"), "online", online).await;
        let unit = f64::from(unit);
        assert_eq!(meter_currents(&status), Some([unit, 2.0 * unit, 0.5]));
    }

    bus.set_fault(2, Fault::Silent).expect("fault");
    let silent = wait_status(&core, "m2", "offline", |status| {
        status.availability == Availability::Offline
    })
    .await;
    assert!(
        silent
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("did not answer")),
        "{silent:?}"
    );
    for unit in [1u8, 3] {
        meters[usize::from(unit - 1)]
            .set_household_load([7.0, 7.0, 7.0])
            .expect("load");
        wait_status(
            &core,
            &format!("m{unit}"),
            "reading the new load",
            |status| online(status) && meter_currents(status) == Some([7.0; 3]),
        )
        .await;
    }

    bus.set_fault(2, Fault::CorruptCrc).expect("fault");
    meters[0].set_household_load([9.0; 3]).expect("load");
    wait_status(
        &core,
        "m1",
        "reading 9 A beside a garbling neighbour",
        |status| online(status) && meter_currents(status) == Some([9.0; 3]),
    )
    .await;
    assert_ne!(
        core.core.devices().states()["m2"].availability,
        Availability::Online,
        "a unit whose answers fail the CRC is not online"
    );

    bus.clear_fault(2).expect("fault cleared");
    wait_status(&core, "m2", "back online", online).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exception_keeps_the_device_online_with_the_error_shown() {
    let meter_sim = MeterSim::new(MeterConfig::default()).expect("meter");
    let bus = Bus::new().with(1, &meter_sim).expect("bus");
    let (addr, _server) = serve_tcp(bus.clone()).await;
    let core = start(
        vec![meter("grid", tcp(addr), 1)],
        LoadManagementMode::Monitor,
    )
    .await;
    wait_status(&core, "grid", "online", online).await;
    bus.set_fault(1, Fault::Exception(ExceptionCode::ServerDeviceFailure))
        .expect("fault");
    let status = wait_status(&core, "grid", "reporting the exception", |status| {
        status
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("exception"))
    })
    .await;
    assert_eq!(status.availability, Availability::Online);
}

/// The independent simulator (pymodbus, written from the register map alone) over TCP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_power_brain_from_pymodbus_is_read_and_steered() {
    let sim = PyModbusSim::tcp(SimModel::PowerBrain, &[1]).await;
    sim.set(1, "cp_state", json!(1)).await;
    sim.set(1, "cable_current_a", json!(20)).await;
    sim.set(1, "actual_current_a", json!(0)).await;
    sim.set(1, "energy_wh", json!(123_456)).await;
    // The car draws all it was offered so far, so load management does not hold its offer back.
    sim.set(1, "currents_a", json!([15.9, 16.0, 15.8])).await;
    sim.set(1, "rfid", json!("DEADBEEF")).await;
    let core = start(
        vec![power_brain("pb", tcp(sim.addr()), 1)],
        LoadManagementMode::Active,
    )
    .await;
    let status = wait_status(&core, "pb", "online", online).await;
    let reading = evse_reading(&status).expect("wallbox reading");
    assert_eq!(reading.cp_state, CpState::B);
    assert_eq!(reading.cable_current_limit_a, Some(20.0));
    assert_eq!(reading.last_rfid.as_deref(), Some("DEADBEEF"));
    let meter = reading.meter.as_ref().expect("meter block");
    assert_eq!(meter.energy_import_wh, Some(123_456.0));
    assert_eq!(meter.current_a, Some([15.9, 16.0, 15.8]));

    core.core.set_evse_current("pb", 12.5).expect("current set");
    let deadline = tokio::time::Instant::now() + WAIT;
    while sim.get(1, "charging_cur_limit").await != json!(125) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "limit never written"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sim.get(1, "charging_enable").await, json!(1));
    core.core.set_evse_current("pb", 0.0).expect("pause");
    while sim.get(1, "charging_enable").await != json!(0) {
        assert!(tokio::time::Instant::now() < deadline, "never paused");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let writes = sim.writes(1).await;
    assert!(
        writes
            .keys()
            .all(|register| [8093, 8094].contains(register)),
        "only the two RAM registers are written: {writes:?}"
    );
}

/// The independent SDM630 simulator over RTU through socat; the adapter is unplugged and back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sdm630_from_pymodbus_over_rtu_survives_an_unplugged_adapter() {
    let mut link = PtyLink::new();
    let sim = PyModbusSim::rtu(
        SimModel::Sdm630,
        &link.a_path(),
        SerialSettings::default(),
        &[1, 2],
    )
    .await;
    sim.set(1, "currents_a", json!([10.5, 11.0, 12.25])).await;
    sim.set(1, "voltages_v", json!([230.0, 231.0, 229.5])).await;
    sim.set(1, "total_power_w", json!(7800.0)).await;
    sim.set(1, "import_kwh", json!(1234.5)).await;
    sim.set(2, "currents_a", json!([1.0, 2.0, 3.0])).await;
    let core = start(
        vec![
            meter("grid", rtu(&link.b_path()), 1),
            meter("sub", rtu(&link.b_path()), 2),
        ],
        LoadManagementMode::Monitor,
    )
    .await;
    let status = wait_status(&core, "grid", "online", online).await;
    let Some(DeviceReading::Meter(reading)) = &status.reading else {
        panic!("a meter reading: {status:?}");
    };
    assert_eq!(reading.current_a, Some([10.5, 11.0, 12.25]));
    assert_eq!(reading.voltage_v, Some([230.0, 231.0, 229.5]));
    assert_eq!(reading.total_power_w, Some(7800.0));
    assert_eq!(reading.energy_import_wh, Some(1_234_500.0));
    let sub = wait_status(&core, "sub", "online", online).await;
    assert_eq!(meter_currents(&sub), Some([1.0, 2.0, 3.0]));

    link.kill();
    for id in ["grid", "sub"] {
        wait_status(&core, id, "offline", |status| {
            status.availability == Availability::Offline
        })
        .await;
    }
    link.restart();
    sim.set(1, "currents_a", json!([4.0, 4.0, 4.0])).await;
    wait_status(&core, "grid", "back with new values", |status| {
        online(status) && meter_currents(status) == Some([4.0; 3])
    })
    .await;
    wait_status(&core, "sub", "back", online).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_pymodbus_meter_is_offline_and_an_answering_one_is_not() {
    let sim = PyModbusSim::tcp(SimModel::Sdm630, &[1, 2]).await;
    let core = start(
        vec![
            meter("a", tcp(sim.addr()), 1),
            meter("b", tcp(sim.addr()), 2),
        ],
        LoadManagementMode::Monitor,
    )
    .await;
    wait_status(&core, "a", "online", online).await;
    wait_status(&core, "b", "online", online).await;
    sim.fault(2, SimFault::Silent).await;
    wait_status(&core, "b", "offline", |status| {
        status.availability == Availability::Offline
    })
    .await;
    sim.set(1, "currents_a", json!([3.0, 3.0, 3.0])).await;
    wait_status(&core, "a", "reading on", |status| {
        online(status) && meter_currents(status) == Some([3.0; 3])
    })
    .await;
    sim.fault(2, SimFault::None).await;
    wait_status(&core, "b", "back", online).await;
}
