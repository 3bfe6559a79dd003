//! The built-in demo installation: what Ampwise shows before anything is configured.
//!
//! Every address is local (127.0.0.1) so the demo can be brought to life by simulated devices
//! (`ampwise-sim`) on the same machine; the OCPP wallbox connects with ChargeBox ID `DEMO-CP-1`.

use super::model::{
    ChargingManagerSettings, ChargingSettings, Config, DeactivationBehaviour, Device, DeviceDriver,
    Group, LoadManagementMode, MeterModel, ModbusAddress, ModbusMeterAddress, ModbusTransport,
    OcppEvseAddress, OcppPauseMethod, OcppServerSettings, PhaseCount, PhaseCurrents, TcpEndpoint,
    TlsMode, CURRENT_SCHEMA_VERSION, DEFAULT_OCPP_PORT,
};

const GARAGE: &str = "garage";
const GRID_METER: &str = "grid-meter";

/// A home with a 3×32 A grid connection and a 3×25 A garage sub-distribution with two wallboxes,
/// in `monitor` mode so nothing is controlled until the user decides.
pub fn demo_config() -> Config {
    Config {
        schema_version: CURRENT_SCHEMA_VERSION,
        charging_manager: ChargingManagerSettings {
            mode: LoadManagementMode::Monitor,
            max_current_per_phase_a: PhaseCurrents::uniform(32.0),
            current_reserve_a: 0.0,
            control_interval_ms: 1000,
            grid_meter: Some(GRID_METER.to_owned()),
            meter_failure_household_a: None,
        },
        ocpp_server: OcppServerSettings {
            enabled: true,
            port: DEFAULT_OCPP_PORT,
            tls_mode: TlsMode::Off,
            ..OcppServerSettings::default()
        },
        groups: vec![Group {
            id: GARAGE.to_owned(),
            name: "Garage".to_owned(),
            parent: None,
            max_current_per_phase_a: PhaseCurrents::uniform(25.0),
        }],
        devices: vec![ocpp_wallbox(), power_brain_wallbox(), grid_meter()],
        ..Config::default()
    }
}

fn ocpp_wallbox() -> Device {
    Device {
        id: "garage-left".to_owned(),
        name: "Garage left".to_owned(),
        enabled: true,
        on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
        group: Some(GARAGE.to_owned()),
        driver: DeviceDriver::Ocpp16Evse(OcppEvseAddress {
            charge_box_id: "DEMO-CP-1".to_owned(),
            connector_id: 1,
            pause_with: OcppPauseMethod::ZeroCurrentProfile,
        }),
        charging: Some(ChargingSettings {
            min_current_a: 6.0,
            max_current_a: 16.0,
            phases: PhaseCount::Three,
            connected_phase: None,
            priority: 5,
        }),
        gateway: None,
    }
}

fn power_brain_wallbox() -> Device {
    Device {
        id: "garage-right".to_owned(),
        name: "Garage right (cFos Power Brain)".to_owned(),
        enabled: true,
        on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
        group: Some(GARAGE.to_owned()),
        driver: DeviceDriver::PowerBrainEvse(ModbusAddress {
            transport: ModbusTransport::Tcp(TcpEndpoint {
                host: "127.0.0.1".to_owned(),
                port: 4701,
            }),
            unit_id: 1,
        }),
        charging: Some(ChargingSettings {
            min_current_a: 6.0,
            max_current_a: 16.0,
            phases: PhaseCount::Three,
            connected_phase: None,
            priority: 5,
        }),
        gateway: None,
    }
}

fn grid_meter() -> Device {
    Device {
        id: GRID_METER.to_owned(),
        name: "Grid connection meter".to_owned(),
        enabled: true,
        on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
        group: None,
        driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
            model: MeterModel::EastronSdm630,
            transport: ModbusTransport::Tcp(TcpEndpoint {
                host: "127.0.0.1".to_owned(),
                port: 5020,
            }),
            unit_id: 1,
        }),
        charging: None,
        gateway: None,
    }
}
