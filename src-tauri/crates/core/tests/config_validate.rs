//! One test (at least) per validation rule, each asserting the exact field path, and a config with
//! many simultaneous problems that must name every one.
#![allow(clippy::unwrap_used)]

mod config_fixtures;

use ampwise_core::config::{
    demo_config, validate, ChargingSettings, Config, DeviceDriver, GatewaySettings, Group,
    ModbusTransport, OcppEvseAddress, Parity, Phase, PhaseCount, SerialSettings, ServerCertificate,
    StoredCertificate, TcpEndpoint, ValidationError, ValidationErrors,
};
use config_fixtures::every_variant_config;

// Devices of `every_variant_config`, by index.
const OCPP_CONNECTOR_1: usize = 0;
const OCPP_CONNECTOR_2: usize = 1;
const POWER_BRAIN_RTU: usize = 2;
const OCPP_THREE_PHASE: usize = 3;
const GRID_METER_TCP: usize = 4;
const METER_ON_SHARED_RTU: usize = 5;
const METER_RTU_COM3: usize = 6;

fn with(mutate: impl FnOnce(&mut Config)) -> Config {
    let mut config = every_variant_config();
    mutate(&mut config);
    config
}

fn refused_fields(config: &Config) -> Vec<String> {
    match validate(config) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.iter().map(|error| error.field.clone()).collect(),
    }
}

/// Asserts that exactly one problem is reported, at `field`, and returns its reason.
#[track_caller]
fn assert_refused(config: &Config, field: &str) -> String {
    let errors = validate(config).expect_err("the config should be refused");
    assert_eq!(
        errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        vec![field],
        "all errors:\n{errors}"
    );
    errors.0[0].reason.clone()
}

#[track_caller]
fn assert_valid(config: &Config) {
    if let Err(errors) = validate(config) {
        panic!("the config should be valid, but:\n{errors}");
    }
}

fn ocpp(config: &mut Config, device: usize) -> &mut OcppEvseAddress {
    match &mut config.devices[device].driver {
        DeviceDriver::Ocpp16Evse(address) => address,
        other => panic!("device {device} is not an OCPP wallbox: {other:?}"),
    }
}

fn transport(config: &mut Config, device: usize) -> &mut ModbusTransport {
    match &mut config.devices[device].driver {
        DeviceDriver::PowerBrainEvse(address) => &mut address.transport,
        DeviceDriver::ModbusMeter(meter) => &mut meter.transport,
        other => panic!("device {device} is not a Modbus device: {other:?}"),
    }
}

fn serial(config: &mut Config, device: usize) -> &mut SerialSettings {
    match transport(config, device) {
        ModbusTransport::Rtu(serial) => serial,
        other => panic!("device {device} is not on RTU: {other:?}"),
    }
}

fn tcp(config: &mut Config, device: usize) -> &mut TcpEndpoint {
    match transport(config, device) {
        ModbusTransport::Tcp(endpoint) => endpoint,
        other => panic!("device {device} is not on TCP: {other:?}"),
    }
}

fn unit_id(config: &mut Config, device: usize) -> &mut u8 {
    match &mut config.devices[device].driver {
        DeviceDriver::PowerBrainEvse(address) => &mut address.unit_id,
        DeviceDriver::ModbusMeter(meter) => &mut meter.unit_id,
        other => panic!("device {device} is not a Modbus device: {other:?}"),
    }
}

fn charging(config: &mut Config, device: usize) -> &mut ChargingSettings {
    config.devices[device].charging.as_mut().unwrap()
}

fn gateway(config: &mut Config, device: usize) -> &mut GatewaySettings {
    config.devices[device].gateway.as_mut().unwrap()
}

#[test]
fn the_fixtures_are_valid() {
    assert_valid(&every_variant_config());
    assert_valid(&demo_config());
    assert_valid(&Config::default());
}

#[test]
fn display_is_field_colon_reason_one_per_line() {
    let error = ValidationError {
        field: "devices[2].driver.transport.baud_rate".to_owned(),
        reason: "12345 is not a supported rate".to_owned(),
    };
    assert_eq!(
        error.to_string(),
        "devices[2].driver.transport.baud_rate: 12345 is not a supported rate"
    );
    let errors = ValidationErrors(vec![
        error.clone(),
        ValidationError {
            field: "ocpp_server.port".to_owned(),
            reason: "0 is not a port".to_owned(),
        },
    ]);
    assert_eq!(
        errors.to_string(),
        "devices[2].driver.transport.baud_rate: 12345 is not a supported rate\n\
         ocpp_server.port: 0 is not a port"
    );
    let as_error: &dyn std::error::Error = &errors;
    assert!(as_error.to_string().contains("ocpp_server.port"));
}

#[test]
fn schema_version_must_be_current() {
    let reason = assert_refused(&with(|c| c.schema_version = 7), "schema_version");
    assert!(reason.starts_with("7 "), "{reason}");
}

#[test]
fn grid_phase_limits_are_finite_positive_and_at_most_2000_a() {
    for bad in [f64::NAN, f64::INFINITY, 0.0, -16.0, 2000.5] {
        assert_refused(
            &with(|c| c.charging_manager.max_current_per_phase_a.l2 = bad),
            "charging_manager.max_current_per_phase_a.l2",
        );
    }
    assert_valid(&with(|c| {
        c.charging_manager.max_current_per_phase_a.l1 = 2000.0;
    }));
}

#[test]
fn reserve_is_finite_not_negative_and_below_every_phase_limit() {
    for bad in [f64::NAN, -0.5, 40.25, 41.0] {
        let reason = assert_refused(
            &with(|c| c.charging_manager.current_reserve_a = bad),
            "charging_manager.current_reserve_a",
        );
        if bad >= 40.25 {
            assert!(reason.contains("l3"), "names the smallest limit: {reason}");
        }
    }
    assert_valid(&with(|c| c.charging_manager.current_reserve_a = 0.0));
    assert_valid(&with(|c| c.charging_manager.current_reserve_a = 40.0));
}

#[test]
fn control_interval_is_100_to_60000_ms() {
    for bad in [0, 99, 60_001] {
        assert_refused(
            &with(|c| c.charging_manager.control_interval_ms = bad),
            "charging_manager.control_interval_ms",
        );
    }
    assert_valid(&with(|c| c.charging_manager.control_interval_ms = 100));
    assert_valid(&with(|c| c.charging_manager.control_interval_ms = 60_000));
}

#[test]
fn ocpp_server_port_is_not_zero() {
    assert_refused(&with(|c| c.ocpp_server.port = 0), "ocpp_server.port");
}

#[test]
fn call_timeout_is_1_to_600_s() {
    for bad in [0, 601] {
        assert_refused(
            &with(|c| c.ocpp_server.call_timeout_s = bad),
            "ocpp_server.call_timeout_s",
        );
    }
    assert_valid(&with(|c| c.ocpp_server.call_timeout_s = 1));
    assert_valid(&with(|c| c.ocpp_server.call_timeout_s = 600));
}

#[test]
fn heartbeat_and_sample_intervals_are_in_range() {
    for bad in [0, 9, 86_401] {
        assert_refused(
            &with(|c| c.ocpp_server.heartbeat_interval_s = bad),
            "ocpp_server.heartbeat_interval_s",
        );
    }
    assert_refused(
        &with(|c| c.ocpp_server.meter_value_sample_interval_s = 3601),
        "ocpp_server.meter_value_sample_interval_s",
    );
    assert_valid(&with(|c| c.ocpp_server.meter_value_sample_interval_s = 0));
    assert_valid(&with(|c| c.ocpp_server.heartbeat_interval_s = 86_400));
}

#[test]
fn id_tags_are_ocpp_id_tokens_listed_once() {
    use ampwise_core::config::IdTagEntry;
    let tag = |id: &str| IdTagEntry {
        id_tag: id.to_owned(),
        name: String::new(),
        blocked: false,
    };
    assert_refused(
        &with(|c| c.ocpp_server.id_tags = vec![tag("")]),
        "ocpp_server.id_tags[0].id_tag",
    );
    assert_refused(
        &with(|c| c.ocpp_server.id_tags = vec![tag(&"A".repeat(21))]),
        "ocpp_server.id_tags[0].id_tag",
    );
    assert_refused(
        &with(|c| c.ocpp_server.id_tags = vec![tag("04A2B3C4"), tag("04A2B3C4")]),
        "ocpp_server.id_tags[1].id_tag",
    );
    assert_valid(&with(|c| {
        c.ocpp_server.id_tags = vec![tag("04A2B3C4"), tag(&"B".repeat(20))]
    }));
}

#[test]
fn certificate_files_are_relative_paths_inside_the_data_directory() {
    for bad in [
        "",
        "   ",
        "/etc/ssl/server.pem",
        "\\server.pem",
        "C:\\certs\\server.pem",
        "c:/certs/server.pem",
        "..",
        "../server.pem",
        "certs/../../server.pem",
        "certs\\..\\..\\server.pem",
        "certs/",
        "certs/.",
        "certs/ser\0ver.pem",
    ] {
        let config = with(|c| {
            c.certificates.server =
                ServerCertificate::Imported(ampwise_core::config::CertificateKeyPair {
                    certificate_file: bad.to_owned(),
                    key_file: "server.key".to_owned(),
                });
        });
        assert_refused(&config, "certificates.server.certificate_file");
    }
    assert_refused(
        &with(|c| c.certificates.client.as_mut().unwrap().key_file = "/root/client.key".to_owned()),
        "certificates.client.key_file",
    );
    assert_refused(
        &with(|c| c.certificates.client_ca[1].file = "../fleet.pem".to_owned()),
        "certificates.client_ca[1].file",
    );
    assert_refused(
        &with(|c| c.certificates.backend_ca[0].file = String::new()),
        "certificates.backend_ca[0].file",
    );
    assert_valid(&with(|c| {
        c.certificates.client_ca[0].file = "./certs/a..b/ca.pem".to_owned();
    }));
}

#[test]
fn stored_certificate_names_are_unique_per_list_and_not_empty() {
    let reason = assert_refused(
        &with(|c| c.certificates.client_ca[1].name = "Workshop root".to_owned()),
        "certificates.client_ca[1].name",
    );
    assert!(reason.contains("certificates.client_ca[0]"), "{reason}");
    assert_refused(
        &with(|c| c.certificates.backend_ca[0].name = " ".to_owned()),
        "certificates.backend_ca[0].name",
    );
    // The same name in the other list is another certificate store, so it is fine.
    assert_valid(&with(|c| {
        c.certificates.backend_ca.push(StoredCertificate {
            name: "Workshop root".to_owned(),
            file: "certs/backend-ca/workshop.pem".to_owned(),
        });
    }));
}

#[test]
fn group_ids_are_unique_non_empty_and_portable() {
    for bad in ["", "car port", "carport!", "gärage", &"g".repeat(65)] {
        let config = with(|c| {
            c.groups.push(Group {
                id: bad.to_owned(),
                name: "Extra".to_owned(),
                parent: None,
                max_current_per_phase_a: ampwise_core::config::PhaseCurrents::uniform(16.0),
            });
        });
        assert_refused(&config, "groups[2].id");
    }
    let reason = assert_refused(
        &with(|c| {
            c.groups.push(Group {
                id: "house".to_owned(),
                name: "Second house".to_owned(),
                parent: None,
                max_current_per_phase_a: ampwise_core::config::PhaseCurrents::uniform(16.0),
            });
        }),
        "groups[2].id",
    );
    assert!(reason.contains("groups[0]"), "{reason}");
}

#[test]
fn group_name_is_not_blank() {
    assert_refused(
        &with(|c| c.groups[1].name = "  ".to_owned()),
        "groups[1].name",
    );
}

#[test]
fn group_parent_exists() {
    assert_refused(
        &with(|c| c.groups[1].parent = Some("shed".to_owned())),
        "groups[1].parent",
    );
}

#[test]
fn group_cycles_are_reported_once_with_the_cycle() {
    let config = with(|c| c.groups[0].parent = Some("carport".to_owned()));
    let reason = assert_refused(&config, "groups[0].parent");
    assert!(reason.contains("house -> carport -> house"), "{reason}");

    let reason = assert_refused(
        &with(|c| c.groups[1].parent = Some("carport".to_owned())),
        "groups[1].parent",
    );
    assert!(reason.contains("carport -> carport"), "{reason}");

    // A group hanging below a cycle is not itself part of it.
    let config = with(|c| {
        c.groups[0].parent = Some("carport".to_owned());
        c.groups.push(Group {
            id: "shed".to_owned(),
            name: "Shed".to_owned(),
            parent: Some("carport".to_owned()),
            max_current_per_phase_a: ampwise_core::config::PhaseCurrents::uniform(16.0),
        });
    });
    assert_refused(&config, "groups[0].parent");
}

#[test]
fn group_limits_follow_the_phase_limit_rules() {
    assert_refused(
        &with(|c| c.groups[1].max_current_per_phase_a.l3 = -1.0),
        "groups[1].max_current_per_phase_a.l3",
    );
    assert_refused(
        &with(|c| c.groups[0].max_current_per_phase_a.l1 = f64::NAN),
        "groups[0].max_current_per_phase_a.l1",
    );
}

#[test]
fn grid_meter_names_an_existing_meter() {
    assert_refused(
        &with(|c| c.charging_manager.grid_meter = Some("nope".to_owned())),
        "charging_manager.grid_meter",
    );
    let reason = assert_refused(
        &with(|c| c.charging_manager.grid_meter = Some("garden".to_owned())),
        "charging_manager.grid_meter",
    );
    assert!(reason.contains("wallbox"), "{reason}");
    assert_valid(&with(|c| c.charging_manager.grid_meter = None));
}

#[test]
fn device_ids_are_unique_non_empty_portable_and_short() {
    for bad in ["", "garden wallbox", "garden/1", &"d".repeat(65)] {
        assert_refused(
            &with(|c| c.devices[OCPP_THREE_PHASE].id = bad.to_owned()),
            "devices[3].id",
        );
    }
    assert_valid(&with(|c| c.devices[OCPP_THREE_PHASE].id = "D".repeat(64)));
    let reason = assert_refused(
        &with(|c| c.devices[OCPP_THREE_PHASE].id = "carport-1".to_owned()),
        "devices[3].id",
    );
    assert!(reason.contains("devices[0]"), "{reason}");
}

#[test]
fn device_name_is_not_blank() {
    assert_refused(
        &with(|c| c.devices[4].name = " \t".to_owned()),
        "devices[4].name",
    );
}

#[test]
fn device_group_exists() {
    assert_refused(
        &with(|c| c.devices[2].group = Some("barn".to_owned())),
        "devices[2].group",
    );
}

#[test]
fn wallboxes_require_charging_settings() {
    assert_refused(
        &with(|c| c.devices[OCPP_CONNECTOR_2].charging = None),
        "devices[1].charging",
    );
    assert_refused(
        &with(|c| c.devices[POWER_BRAIN_RTU].charging = None),
        "devices[2].charging",
    );
}

#[test]
fn meters_refuse_charging_and_gateway() {
    assert_refused(
        &with(|c| c.devices[GRID_METER_TCP].charging = Some(ChargingSettings::default())),
        "devices[4].charging",
    );
    assert_refused(
        &with(|c| {
            c.devices[METER_ON_SHARED_RTU].gateway = Some(GatewaySettings {
                enabled: true,
                url: "ws://backend.example/".to_owned(),
                client_id: "meter".to_owned(),
                password_set: false,
                fixed_rfid: None,
            });
        }),
        "devices[5].gateway",
    );
}

#[test]
fn charge_box_id_is_a_valid_identity() {
    for bad in [
        "",
        "CP:1",
        "CP/1",
        "CP 1",
        "CP\t1",
        "CP\u{7}1",
        &"C".repeat(49),
    ] {
        assert_refused(
            &with(|c| ocpp(c, OCPP_THREE_PHASE).charge_box_id = bad.to_owned()),
            "devices[3].driver.charge_box_id",
        );
    }
    assert_valid(&with(|c| {
        ocpp(c, OCPP_THREE_PHASE).charge_box_id = "C".repeat(48)
    }));
}

#[test]
fn connector_id_starts_at_1() {
    assert_refused(
        &with(|c| ocpp(c, OCPP_THREE_PHASE).connector_id = 0),
        "devices[3].driver.connector_id",
    );
}

#[test]
fn charge_box_and_connector_pairs_are_unique() {
    let reason = assert_refused(
        &with(|c| ocpp(c, OCPP_CONNECTOR_2).connector_id = 1),
        "devices[1].driver.connector_id",
    );
    assert!(reason.contains("devices[0]"), "{reason}");
}

#[test]
fn modbus_unit_id_is_1_to_247() {
    for bad in [0, 248, 255] {
        assert_refused(
            &with(|c| *unit_id(c, GRID_METER_TCP) = bad),
            "devices[4].driver.unit_id",
        );
    }
}

#[test]
fn tcp_host_and_port_are_usable() {
    for bad in ["", " ", "meter .local", "tcp://meter.local"] {
        assert_refused(
            &with(|c| tcp(c, GRID_METER_TCP).host = bad.to_owned()),
            "devices[4].driver.transport.host",
        );
    }
    assert_refused(
        &with(|c| tcp(c, GRID_METER_TCP).port = 0),
        "devices[4].driver.transport.port",
    );
}

#[test]
fn rtu_settings_are_supported() {
    assert_refused(
        &with(|c| serial(c, METER_RTU_COM3).port = " ".to_owned()),
        "devices[6].driver.transport.port",
    );
    let reason = assert_refused(
        &with(|c| serial(c, METER_RTU_COM3).baud_rate = 12345),
        "devices[6].driver.transport.baud_rate",
    );
    assert!(
        reason.starts_with("12345 is not a supported rate"),
        "{reason}"
    );
    assert_refused(
        &with(|c| serial(c, METER_RTU_COM3).data_bits = 6),
        "devices[6].driver.transport.data_bits",
    );
    assert_refused(
        &with(|c| serial(c, METER_RTU_COM3).stop_bits = 3),
        "devices[6].driver.transport.stop_bits",
    );
}

#[test]
fn devices_on_one_serial_port_share_its_settings() {
    let config = with(|c| {
        let bus = serial(c, METER_ON_SHARED_RTU);
        bus.baud_rate = 9600;
        bus.parity = Parity::None;
    });
    assert_eq!(
        refused_fields(&config),
        vec![
            "devices[5].driver.transport.baud_rate",
            "devices[5].driver.transport.parity"
        ]
    );
    let errors = validate(&config).unwrap_err();
    assert!(
        errors.0[0].reason.contains("devices[2]"),
        "names the earlier device: {errors}"
    );
    // The earlier device is left alone, the later one is refused.
    assert!(refused_fields(&config)
        .iter()
        .all(|f| f.starts_with("devices[5]")));
}

#[test]
fn unit_ids_are_unique_per_bus() {
    let reason = assert_refused(
        &with(|c| *unit_id(c, METER_ON_SHARED_RTU) = 1),
        "devices[5].driver.unit_id",
    );
    assert!(reason.contains("devices[2]"), "{reason}");

    // Same TCP host (names are case-insensitive) and port: one bus.
    let config = with(|c| {
        c.devices[METER_ON_SHARED_RTU].driver =
            DeviceDriver::ModbusMeter(ampwise_core::config::ModbusMeterAddress {
                model: ampwise_core::config::MeterModel::EastronSdm72dmV2,
                transport: ModbusTransport::Tcp(TcpEndpoint {
                    host: "Meter.Local".to_owned(),
                    port: 502,
                }),
                unit_id: 1,
            });
    });
    assert_refused(&config, "devices[5].driver.unit_id");

    // Another port of the same host is another bus.
    assert_valid(&with(|c| {
        c.devices[METER_ON_SHARED_RTU].driver =
            DeviceDriver::ModbusMeter(ampwise_core::config::ModbusMeterAddress {
                model: ampwise_core::config::MeterModel::EastronSdm72dmV2,
                transport: ModbusTransport::Tcp(TcpEndpoint {
                    host: "meter.local".to_owned(),
                    port: 503,
                }),
                unit_id: 1,
            });
    }));
    // Another serial port too.
    assert_valid(&with(|c| *unit_id(c, METER_RTU_COM3) = 1));
}

#[test]
fn minimum_current_is_at_least_6_a() {
    let reason = assert_refused(
        &with(|c| charging(c, OCPP_THREE_PHASE).min_current_a = 5.9),
        "devices[3].charging.min_current_a",
    );
    assert!(reason.contains("IEC 61851"), "explains the 6 A: {reason}");
    assert_refused(
        &with(|c| charging(c, OCPP_THREE_PHASE).min_current_a = f64::NAN),
        "devices[3].charging.min_current_a",
    );
}

#[test]
fn maximum_current_is_finite_above_the_minimum_and_at_most_80_a() {
    for bad in [f64::INFINITY, f64::NAN, 5.0, 80.5] {
        assert_refused(
            &with(|c| charging(c, OCPP_THREE_PHASE).max_current_a = bad),
            "devices[3].charging.max_current_a",
        );
    }
    assert_refused(
        &with(|c| {
            let charging = charging(c, OCPP_THREE_PHASE);
            charging.min_current_a = 10.0;
            charging.max_current_a = 9.5;
        }),
        "devices[3].charging.max_current_a",
    );
    assert_valid(&with(|c| {
        let charging = charging(c, OCPP_THREE_PHASE);
        charging.min_current_a = 6.0;
        charging.max_current_a = 6.0;
    }));
    assert_valid(&with(|c| {
        charging(c, OCPP_THREE_PHASE).max_current_a = 80.0
    }));
}

#[test]
fn priority_is_in_range() {
    for bad in [0, 10] {
        assert_refused(
            &with(|c| charging(c, OCPP_THREE_PHASE).priority = bad),
            "devices[3].charging.priority",
        );
    }
}

#[test]
fn connected_phase_only_for_one_phase_wallboxes() {
    assert_refused(
        &with(|c| charging(c, OCPP_THREE_PHASE).connected_phase = Some(Phase::L2)),
        "devices[3].charging.connected_phase",
    );
    assert_refused(
        &with(|c| charging(c, OCPP_CONNECTOR_1).phases = PhaseCount::Three),
        "devices[0].charging.connected_phase",
    );
}

#[test]
fn gateway_url_is_a_ws_url_with_a_host() {
    for bad in [
        "",
        "not a url",
        "http://backend.example/ocpp",
        "https://backend.example/ocpp",
        "ws://",
        "/ocpp/only/a/path",
    ] {
        assert_refused(
            &with(|c| gateway(c, OCPP_CONNECTOR_1).url = bad.to_owned()),
            "devices[0].gateway.url",
        );
    }
    assert_valid(&with(|c| {
        gateway(c, OCPP_CONNECTOR_1).url = "ws://192.168.178.42:19520/".to_owned();
    }));
}

#[test]
fn gateway_url_carries_no_credentials_and_the_error_does_not_echo_them() {
    for url in [
        "wss://customer:hunter2@backend.example/ocpp",
        "wss://customer@backend.example/ocpp",
    ] {
        let reason = assert_refused(
            &with(|c| gateway(c, OCPP_CONNECTOR_1).url = url.to_owned()),
            "devices[0].gateway.url",
        );
        assert!(reason.contains("keyring"), "{reason}");
        assert!(
            !reason.contains("hunter2") && !reason.contains("customer"),
            "{reason}"
        );
    }
}

#[test]
fn gateway_client_id_is_a_valid_identity() {
    for bad in ["", "a:b", "a b", "a\nb", &"x".repeat(49)] {
        assert_refused(
            &with(|c| gateway(c, OCPP_CONNECTOR_1).client_id = bad.to_owned()),
            "devices[0].gateway.client_id",
        );
    }
}

#[test]
fn gateway_client_ids_are_unique_per_backend_url() {
    let config = with(|c| {
        let first = gateway(c, OCPP_CONNECTOR_1).clone();
        let second = gateway(c, POWER_BRAIN_RTU);
        second.url = first.url;
        second.client_id = first.client_id;
    });
    let reason = assert_refused(&config, "devices[2].gateway.client_id");
    assert!(reason.contains("devices[0]"), "{reason}");
    // The same identity at another backend is fine.
    assert_valid(&with(|c| {
        let first = gateway(c, OCPP_CONNECTOR_1).client_id.clone();
        gateway(c, POWER_BRAIN_RTU).client_id = first;
    }));
}

#[test]
fn fixed_rfid_is_an_ocpp_id_token() {
    for bad in [String::new(), "A".repeat(21)] {
        assert_refused(
            &with(|c| gateway(c, OCPP_CONNECTOR_1).fixed_rfid = Some(bad)),
            "devices[0].gateway.fixed_rfid",
        );
    }
    assert_valid(&with(|c| {
        gateway(c, OCPP_CONNECTOR_1).fixed_rfid = Some("A".repeat(20))
    }));
}

#[test]
fn every_validation_error_names_its_field() {
    let config = with(|c| {
        c.schema_version = 0;
        c.charging_manager.max_current_per_phase_a.l1 = 0.0;
        c.charging_manager.current_reserve_a = -1.0;
        c.charging_manager.control_interval_ms = 5;
        c.charging_manager.grid_meter = Some("missing".to_owned());
        c.ocpp_server.port = 0;
        c.ocpp_server.call_timeout_s = 0;
        c.certificates.client_ca[0].file = "../ca.pem".to_owned();
        c.certificates.client_ca[1].name = "Workshop root".to_owned();
        c.groups.push(Group {
            id: "bad id".to_owned(),
            name: "Shed".to_owned(),
            parent: None,
            max_current_per_phase_a: ampwise_core::config::PhaseCurrents::uniform(16.0),
        });
        c.groups[1].parent = Some("nowhere".to_owned());
        c.groups[1].max_current_per_phase_a.l2 = f64::INFINITY;
        c.devices[OCPP_CONNECTOR_1].name = String::new();
        c.devices[OCPP_CONNECTOR_1].group = Some("nowhere".to_owned());
        gateway(c, OCPP_CONNECTOR_1).url = "http://backend.example/".to_owned();
        gateway(c, OCPP_CONNECTOR_1).client_id = "a:b".to_owned();
        gateway(c, OCPP_CONNECTOR_1).fixed_rfid = Some(String::new());
        ocpp(c, OCPP_CONNECTOR_2).charge_box_id = "bad id".to_owned();
        charging(c, OCPP_CONNECTOR_2).min_current_a = 1.0;
        charging(c, OCPP_CONNECTOR_2).priority = 0;
        serial(c, POWER_BRAIN_RTU).baud_rate = 12345;
        ocpp(c, OCPP_THREE_PHASE).connector_id = 0;
        charging(c, OCPP_THREE_PHASE).max_current_a = 100.0;
        charging(c, OCPP_THREE_PHASE).connected_phase = Some(Phase::L1);
        c.devices[GRID_METER_TCP].id = "carport-1".to_owned();
        c.devices[GRID_METER_TCP].charging = Some(ChargingSettings::default());
        tcp(c, GRID_METER_TCP).port = 0;
        *unit_id(c, METER_ON_SHARED_RTU) = 0;
        serial(c, METER_RTU_COM3).data_bits = 9;
        serial(c, METER_RTU_COM3).stop_bits = 0;
    });
    let errors = validate(&config).unwrap_err();
    let mut expected = vec![
        "schema_version",
        "charging_manager.max_current_per_phase_a.l1",
        "charging_manager.current_reserve_a",
        "charging_manager.control_interval_ms",
        "charging_manager.grid_meter",
        "ocpp_server.port",
        "ocpp_server.call_timeout_s",
        "certificates.client_ca[0].file",
        "certificates.client_ca[1].name",
        "groups[2].id",
        "groups[1].parent",
        "groups[1].max_current_per_phase_a.l2",
        "devices[0].name",
        "devices[0].group",
        "devices[0].gateway.url",
        "devices[0].gateway.client_id",
        "devices[0].gateway.fixed_rfid",
        "devices[1].driver.charge_box_id",
        "devices[1].charging.min_current_a",
        "devices[1].charging.priority",
        "devices[2].driver.transport.baud_rate",
        "devices[3].driver.connector_id",
        "devices[3].charging.max_current_a",
        "devices[3].charging.connected_phase",
        "devices[4].id",
        "devices[4].charging",
        "devices[4].driver.transport.port",
        "devices[5].driver.unit_id",
        // The shared bus now differs from the Power Brain's unsupported rate.
        "devices[5].driver.transport.baud_rate",
        "devices[6].driver.transport.data_bits",
        "devices[6].driver.transport.stop_bits",
    ];
    let mut reported: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    expected.sort_unstable();
    reported.sort_unstable();
    assert_eq!(reported, expected, "all errors:\n{errors}");
    for error in &errors {
        assert!(!error.reason.is_empty(), "{error:?}");
        assert!(error.to_string().starts_with(&format!("{}: ", error.field)));
    }
    // The Display lists every problem, one per line.
    assert_eq!(errors.to_string().lines().count(), expected.len());
}
