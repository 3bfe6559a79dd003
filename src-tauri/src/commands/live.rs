//! What Ampwise sees and decides right now, for the dashboard: every polled device's last reading,
//! load management's last decision, and the OCPP wallboxes' connectors. The UI polls it.

use std::collections::BTreeMap;
use std::sync::Arc;

use ampwise_core::config::{Config, DeviceDriver};
use ampwise_core::device::runtime::DeviceStates;
use ampwise_core::loadmgmt::LoadStatus;
use ampwise_core::ocpp::live::ConnectorLive;
use ampwise_core::CoreHandle;
use serde::Serialize;
use tauri::State;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveStatus {
    /// Polled (Modbus) devices by device id.
    pub devices: Arc<DeviceStates>,
    pub load: Arc<LoadStatus>,
    pub ocpp: OcppLiveStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcppLiveStatus {
    /// ChargeBox IDs of the charge points connected now.
    pub connected: Vec<String>,
    /// Every configured OCPP wallbox by device id: its connector as last reported, `None` before
    /// it reported anything.
    pub connectors: BTreeMap<String, Option<ConnectorStatus>>,
}

/// The part of a connector's live state the dashboard shows (not the RFID tag: who charges is not
/// on display).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorStatus {
    /// The OCPP status as sent (`Available`, `Charging`, `SuspendedEVSE`, …).
    pub status: Option<String>,
    /// The OCPP error code beside a `Faulted` status.
    pub error_code: Option<String>,
    /// L1, L2, L3 in A; `None` for a phase the wallbox does not report.
    pub current_a: [Option<f64>; 3],
    pub power_w: Option<f64>,
    pub energy_wh: Option<f64>,
    pub transaction_id: Option<i32>,
}

impl From<ConnectorLive> for ConnectorStatus {
    fn from(live: ConnectorLive) -> Self {
        Self {
            status: live.status,
            error_code: live.error_code,
            current_a: live.reading.current_a,
            power_w: live.reading.power_w,
            energy_wh: live.reading.energy_wh,
            transaction_id: live.transaction_id,
        }
    }
}

#[tauri::command]
pub fn get_live_status(core: State<'_, CoreHandle>) -> LiveStatus {
    let ocpp = core.ocpp();
    LiveStatus {
        devices: core.devices().states(),
        load: core.load_management().status(),
        ocpp: ocpp_status(
            &core.config(),
            ocpp.registry().connected_ids(),
            |charge_box_id, connector_id| ocpp.live.connector(charge_box_id, connector_id),
        ),
    }
}

/// The connector of every OCPP wallbox in `config`, looked up by ChargeBox ID and connector id.
fn ocpp_status(
    config: &Config,
    connected: Vec<String>,
    connector: impl Fn(&str, i32) -> Option<ConnectorLive>,
) -> OcppLiveStatus {
    let connectors = config
        .devices
        .iter()
        .filter_map(|device| match &device.driver {
            DeviceDriver::Ocpp16Evse(address) => {
                let live = i32::try_from(address.connector_id)
                    .ok()
                    .and_then(|connector_id| connector(&address.charge_box_id, connector_id));
                Some((device.id.clone(), live.map(ConnectorStatus::from)))
            }
            DeviceDriver::PowerBrainEvse(_) | DeviceDriver::ModbusMeter(_) => None,
        })
        .collect();
    OcppLiveStatus {
        connected,
        connectors,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::PathBuf;

    use ampwise_core::config::demo_config;
    use ampwise_core::device::runtime::{Availability, DeviceReading, DeviceStatus};
    use ampwise_core::device::{CpState, EvseCommand, EvseReading, MeterReading};
    use ampwise_core::loadmgmt::{
        Bottleneck, BudgetMode, GroupLoad, Phase, PhaseAmps, PhaseSet, Reason, SiteSummary,
        WallboxLoad,
    };
    use ampwise_core::ocpp::meter_reading::MeterReading as OcppMeterReading;

    use super::*;

    fn connector(status: &str, amps: f64) -> ConnectorLive {
        ConnectorLive {
            status: Some(status.to_owned()),
            reading: OcppMeterReading {
                energy_wh: Some(1234.0),
                power_w: Some(amps * 230.0),
                current_a: [Some(amps), None, None],
                ..OcppMeterReading::default()
            },
            transaction_id: Some(7),
            id_tag: Some("04A2B3C4".to_owned()),
            ..ConnectorLive::default()
        }
    }

    #[test]
    fn every_ocpp_wallbox_gets_its_own_connector_or_none() {
        let mut config = demo_config();
        let mut second = config.devices[0].clone();
        second.id = "carport".to_owned();
        if let DeviceDriver::Ocpp16Evse(address) = &mut second.driver {
            address.charge_box_id = "CP-2".to_owned();
            address.connector_id = 2;
        }
        config.devices.push(second);

        let status = ocpp_status(&config, vec!["DEMO-CP-1".to_owned()], |id, connector_id| {
            (id == "DEMO-CP-1" && connector_id == 1).then(|| connector("Charging", 10.0))
        });
        assert_eq!(status.connected, ["DEMO-CP-1"]);
        assert_eq!(
            status.connectors.keys().collect::<Vec<_>>(),
            ["carport", "garage-left"],
            "OCPP wallboxes only, by device id"
        );
        assert_eq!(status.connectors["carport"], None);
        let left = status.connectors["garage-left"].clone().unwrap();
        assert_eq!(left.status.as_deref(), Some("Charging"));
        assert_eq!(left.current_a, [Some(10.0), None, None]);
        assert_eq!(left.power_w, Some(2300.0));
        assert_eq!(left.transaction_id, Some(7));
    }

    #[test]
    fn the_rfid_tag_is_not_sent_to_the_window() {
        let status = ocpp_status(&demo_config(), Vec::new(), |_, _| {
            Some(connector("Charging", 6.0))
        });
        let json = serde_json::to_string(&status).unwrap();
        assert!(!json.contains("04A2B3C4"), "{json}");
    }

    fn phases(l1: f64, l2: f64, l3: f64) -> PhaseAmps {
        PhaseAmps { l1, l2, l3 }
    }

    fn meter(currents: [f64; 3], energy_import_wh: f64) -> MeterReading {
        MeterReading {
            voltage_v: Some([230.1, 229.8, 230.4]),
            current_a: Some(currents),
            power_w: Some(currents.map(|amps| amps * 230.0)),
            total_power_w: Some(currents.iter().sum::<f64>() * 230.0),
            frequency_hz: Some(50.0),
            energy_import_wh: Some(energy_import_wh),
            energy_export_wh: Some(0.0),
        }
    }

    /// The demo installation in a moment the dashboard must show well: the Power Brain charging,
    /// the OCPP wallbox paused for lack of budget, the grid meter offline.
    fn dashboard_example() -> LiveStatus {
        let mut devices = DeviceStates::new();
        devices.insert(
            "garage-right".to_owned(),
            DeviceStatus {
                device_id: "garage-right".to_owned(),
                availability: Availability::Online,
                reading: Some(DeviceReading::Evse(EvseReading {
                    cp_state: CpState::C,
                    current_limit_a: 16.0,
                    charging_enabled: true,
                    charging_current_a: Some(15.9),
                    cable_current_limit_a: Some(32.0),
                    last_rfid: None,
                    meter: Some(meter([15.9, 15.8, 15.9], 5230.0)),
                })),
                read_at: Some("2025-05-14T09:30:01Z".to_owned()),
                last_error: None,
                applied: Some(EvseCommand {
                    enable: true,
                    current_limit_a: 16.0,
                }),
            },
        );
        devices.insert(
            "grid-meter".to_owned(),
            DeviceStatus {
                device_id: "grid-meter".to_owned(),
                availability: Availability::Offline,
                reading: Some(DeviceReading::Meter(meter([18.0, 17.3, 16.9], 812_400.0))),
                read_at: Some("2025-05-14T09:29:41Z".to_owned()),
                last_error: Some("Modbus TCP 127.0.0.1:5020 unit 1: connection refused".to_owned()),
                applied: None,
            },
        );
        let paused = Reason::PausedBudgetBelowMinimum {
            bottleneck: Bottleneck::Group {
                group_id: "garage",
                group_name: "Garage",
                phase: Phase::L1,
            },
        };
        let charging = Reason::LimitedByWallboxMax;
        let config = demo_config();
        LiveStatus {
            devices: Arc::new(devices),
            load: Arc::new(LoadStatus {
                mode: config.charging_manager.mode,
                computed_at: Some("2025-05-14T09:30:01Z".to_owned()),
                site: Some(SiteSummary {
                    mode: BudgetMode::SafeMeterFailed,
                    fuse_limit_a: phases(32.0, 32.0, 32.0),
                    current_reserve_a: 0.0,
                    household_a: phases(2.1, 1.5, 1.0),
                    available_a: phases(29.9, 30.5, 31.0),
                    allocated_a: phases(16.0, 16.0, 16.0),
                    headroom_a: phases(13.9, 14.5, 15.0),
                }),
                groups: vec![GroupLoad {
                    id: "garage".to_owned(),
                    name: "Garage".to_owned(),
                    limit_a: phases(25.0, 25.0, 25.0),
                    allocated_a: phases(16.0, 16.0, 16.0),
                    headroom_a: phases(9.0, 9.0, 9.0),
                }],
                wallboxes: vec![
                    WallboxLoad {
                        device_id: "garage-left".to_owned(),
                        limit_a: 0.0,
                        phases: PhaseSet::ALL,
                        reason: serde_json::to_value(paused).unwrap(),
                        reason_text: paused.to_string(),
                    },
                    WallboxLoad {
                        device_id: "garage-right".to_owned(),
                        limit_a: 16.0,
                        phases: PhaseSet::ALL,
                        reason: serde_json::to_value(charging).unwrap(),
                        reason_text: charging.to_string(),
                    },
                ],
            }),
            ocpp: ocpp_status(&config, vec!["DEMO-CP-1".to_owned()], |_, _| {
                Some(connector("SuspendedEVSE", 0.0))
            }),
        }
    }

    fn fixture_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("ui/src/lib/backend/fixtures/live-status.json")
    }

    /// The UI's types are checked against this fixture (`npm run check`) and its component tests
    /// render it, so it must be what the shell really sends.
    #[test]
    fn ui_fixture_matches_the_serialized_live_status() {
        let mut expected = serde_json::to_string_pretty(&dashboard_example()).unwrap();
        expected.push('\n');
        let path = fixture_path();
        if std::env::var_os("AMPWISE_UPDATE_FIXTURES").is_some() {
            std::fs::write(&path, &expected).unwrap();
            return;
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{} is out of date with the Rust types. Regenerate it with\n  \
             AMPWISE_UPDATE_FIXTURES=1 cargo test -p ampwise --lib live\n\
             then make ui/src/lib/backend/types.ts match (npm --prefix ui run check).",
            path.display()
        );
    }
}
