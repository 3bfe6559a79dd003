//! Configurations shared by the `config_*` tests. Each test binary uses only some of them.
#![allow(dead_code)]

use ampwise_core::config::{
    CertificateKeyPair, CertificateSettings, ChargingManagerSettings, ChargingSettings, Config,
    DeactivationBehaviour, Device, DeviceDriver, GatewaySettings, Group, IdTagEntry,
    LoadManagementMode, LogLevel, LoggingSettings, MeterModel, ModbusAddress, ModbusMeterAddress,
    ModbusTransport, OcppEvseAddress, OcppPauseMethod, OcppServerSettings, Parity, Phase,
    PhaseCount, PhaseCurrents, SerialSettings, ServerCertificate, StoredCertificate, TcpEndpoint,
    TlsMode, CURRENT_SCHEMA_VERSION,
};

/// A valid configuration that uses every device driver, transport, certificate source, meter model,
/// pause method, parity, deactivation behaviour, phase count and grid phase of the model.
pub fn every_variant_config() -> Config {
    Config {
        schema_version: CURRENT_SCHEMA_VERSION,
        logging: LoggingSettings {
            level: LogLevel::Debug,
        },
        charging_manager: ChargingManagerSettings {
            mode: LoadManagementMode::Active,
            max_current_per_phase_a: PhaseCurrents {
                l1: 63.0,
                l2: 50.5,
                l3: 40.25,
            },
            current_reserve_a: 2.5,
            control_interval_ms: 2500,
            grid_meter: Some("grid".to_owned()),
            meter_failure_household_a: None,
        },
        ocpp_server: OcppServerSettings {
            enabled: true,
            port: 9000,
            tls_mode: TlsMode::Detect,
            password_set: true,
            accept_unknown_charge_points: true,
            call_timeout_s: 30,
            heartbeat_interval_s: 600,
            meter_value_sample_interval_s: 15,
            accept_unknown_id_tags: false,
            id_tags: vec![
                IdTagEntry {
                    id_tag: "04A2B3C4D5".to_owned(),
                    name: "Anna's card".to_owned(),
                    blocked: false,
                },
                IdTagEntry {
                    id_tag: "LOST-0001".to_owned(),
                    name: String::new(),
                    blocked: true,
                },
            ],
        },
        certificates: CertificateSettings {
            server: ServerCertificate::Imported(CertificateKeyPair {
                certificate_file: "certs/server.pem".to_owned(),
                key_file: "certs/server.key".to_owned(),
            }),
            client_ca: vec![
                StoredCertificate {
                    name: "Workshop root".to_owned(),
                    file: "certs/client-ca/workshop.pem".to_owned(),
                },
                StoredCertificate {
                    name: "Fleet root".to_owned(),
                    file: "certs/client-ca/fleet.pem".to_owned(),
                },
            ],
            backend_ca: vec![StoredCertificate {
                name: "Backend operator".to_owned(),
                file: "certs/backend-ca/operator.pem".to_owned(),
            }],
            client: Some(CertificateKeyPair {
                certificate_file: "certs/client.pem".to_owned(),
                key_file: "certs/client.key".to_owned(),
            }),
        },
        groups: vec![
            Group {
                id: "house".to_owned(),
                name: "House".to_owned(),
                parent: None,
                max_current_per_phase_a: PhaseCurrents::uniform(50.0),
            },
            Group {
                id: "carport".to_owned(),
                name: "Carport".to_owned(),
                parent: Some("house".to_owned()),
                max_current_per_phase_a: PhaseCurrents {
                    l1: 32.0,
                    l2: 32.0,
                    l3: 20.0,
                },
            },
        ],
        devices: vec![
            Device {
                id: "carport-1".to_owned(),
                name: "Carport connector 1".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::CancelChargingCurrentLimit,
                group: Some("carport".to_owned()),
                driver: DeviceDriver::Ocpp16Evse(OcppEvseAddress {
                    charge_box_id: "CP-0042".to_owned(),
                    connector_id: 1,
                    pause_with: OcppPauseMethod::RemoteStopStart,
                }),
                charging: Some(ChargingSettings {
                    min_current_a: 6.0,
                    max_current_a: 32.0,
                    phases: PhaseCount::One,
                    connected_phase: Some(Phase::L1),
                    priority: 1,
                }),
                gateway: Some(GatewaySettings {
                    enabled: true,
                    url: "wss://ocpp.backend.example/path/to/resource/".to_owned(),
                    client_id: "carport-1".to_owned(),
                    password_set: true,
                    fixed_rfid: Some("04A1B2C3D4E5F6".to_owned()),
                }),
            },
            Device {
                id: "carport-2".to_owned(),
                name: "Carport connector 2".to_owned(),
                enabled: false,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: Some("carport".to_owned()),
                driver: DeviceDriver::Ocpp16Evse(OcppEvseAddress {
                    charge_box_id: "CP-0042".to_owned(),
                    connector_id: 2,
                    pause_with: OcppPauseMethod::HoldMinimumCurrent,
                }),
                charging: Some(ChargingSettings {
                    min_current_a: 8.5,
                    max_current_a: 16.0,
                    phases: PhaseCount::One,
                    connected_phase: Some(Phase::L2),
                    priority: 9,
                }),
                gateway: None,
            },
            Device {
                id: "workshop".to_owned(),
                name: "Workshop Power Brain".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: Some("house".to_owned()),
                driver: DeviceDriver::PowerBrainEvse(ModbusAddress {
                    transport: ModbusTransport::Rtu(rs485_bus()),
                    unit_id: 1,
                }),
                charging: Some(ChargingSettings {
                    min_current_a: 6.0,
                    max_current_a: 20.0,
                    phases: PhaseCount::One,
                    connected_phase: Some(Phase::L3),
                    priority: 4,
                }),
                gateway: Some(GatewaySettings {
                    enabled: false,
                    url: "ws://xyz123.backend.example/".to_owned(),
                    client_id: "workshop-wallbox".to_owned(),
                    password_set: false,
                    fixed_rfid: None,
                }),
            },
            Device {
                id: "garden".to_owned(),
                name: "Garden wallbox".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: None,
                driver: DeviceDriver::Ocpp16Evse(OcppEvseAddress {
                    charge_box_id: "GARDEN".to_owned(),
                    connector_id: 1,
                    pause_with: OcppPauseMethod::ZeroCurrentProfile,
                }),
                charging: Some(ChargingSettings {
                    min_current_a: 6.0,
                    max_current_a: 11.0,
                    phases: PhaseCount::Three,
                    connected_phase: None,
                    priority: 5,
                }),
                gateway: None,
            },
            Device {
                id: "grid".to_owned(),
                name: "Grid meter".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: None,
                driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
                    model: MeterModel::EastronSdm630,
                    transport: ModbusTransport::Tcp(TcpEndpoint {
                        host: "meter.local".to_owned(),
                        port: 502,
                    }),
                    unit_id: 1,
                }),
                charging: None,
                gateway: None,
            },
            Device {
                id: "heat-pump".to_owned(),
                name: "Heat pump meter".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: Some("house".to_owned()),
                driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
                    model: MeterModel::EastronSdm72dmV2,
                    transport: ModbusTransport::Rtu(rs485_bus()),
                    unit_id: 2,
                }),
                charging: None,
                gateway: None,
            },
            Device {
                id: "workshop-s0".to_owned(),
                name: "Workshop S0 meter".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: Some("house".to_owned()),
                driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
                    model: MeterModel::PowerBrainS0,
                    transport: ModbusTransport::Rtu(SerialSettings {
                        port: "COM3".to_owned(),
                        baud_rate: 9600,
                        data_bits: 7,
                        parity: Parity::Odd,
                        stop_bits: 2,
                    }),
                    unit_id: 2,
                }),
                charging: None,
                gateway: None,
            },
            Device {
                id: "solar".to_owned(),
                name: "Solar meter".to_owned(),
                enabled: true,
                on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
                group: None,
                driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
                    model: MeterModel::EastronSdm630,
                    transport: ModbusTransport::Rtu(SerialSettings {
                        port: "/dev/ttyUSB1".to_owned(),
                        baud_rate: 115200,
                        data_bits: 8,
                        parity: Parity::None,
                        stop_bits: 1,
                    }),
                    unit_id: 247,
                }),
                charging: None,
                gateway: None,
            },
        ],
    }
}

/// The RS-485 bus shared by the workshop wallbox and the heat pump meter.
pub fn rs485_bus() -> SerialSettings {
    SerialSettings {
        port: "/dev/ttyUSB0".to_owned(),
        baud_rate: 19200,
        data_bits: 8,
        parity: Parity::Even,
        stop_bits: 1,
    }
}

/// A valid configuration with `devices` wallboxes (each on its own Modbus TCP port), for tests
/// that need files big enough to take a while to write. `variant` changes every name.
pub fn large_config(variant: &str, devices: usize) -> Config {
    let mut config = Config {
        groups: vec![Group {
            id: "site".to_owned(),
            name: format!("Site {variant}"),
            parent: None,
            max_current_per_phase_a: PhaseCurrents::uniform(1600.0),
        }],
        ..Config::default()
    };
    config.charging_manager.max_current_per_phase_a = PhaseCurrents::uniform(2000.0);
    for index in 0..devices {
        let port = u16::try_from(10_000 + index).unwrap_or(u16::MAX);
        config.devices.push(Device {
            id: format!("wallbox-{index}"),
            name: format!("Wallbox {index} of installation {variant}"),
            enabled: index % 2 == 0,
            on_deactivation: DeactivationBehaviour::KeepChargingCurrentLimit,
            group: Some("site".to_owned()),
            driver: DeviceDriver::PowerBrainEvse(ModbusAddress {
                transport: ModbusTransport::Tcp(TcpEndpoint {
                    host: format!("wallbox-{index}.{variant}.example"),
                    port,
                }),
                unit_id: 1,
            }),
            charging: Some(ChargingSettings::default()),
            gateway: None,
        });
    }
    config
}
