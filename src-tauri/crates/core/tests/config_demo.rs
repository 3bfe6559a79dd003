//! The built-in demo installation.
#![allow(clippy::unwrap_used)]

use ampwise_core::config::{
    demo_config, validate, DeviceDriver, LoadManagementMode, MeterModel, ModbusTransport,
    PhaseCurrents, TcpEndpoint, TlsMode,
};

#[test]
fn the_demo_config_validates() {
    if let Err(errors) = validate(&demo_config()) {
        panic!("the demo config is invalid:\n{errors}");
    }
}

#[test]
fn the_demo_is_a_home_with_a_garage_of_two_wallboxes_and_a_grid_meter() {
    let demo = demo_config();
    let manager = &demo.charging_manager;
    assert_eq!(manager.mode, LoadManagementMode::Monitor);
    assert_eq!(
        manager.max_current_per_phase_a,
        PhaseCurrents::uniform(32.0)
    );
    assert_eq!(demo.ocpp_server.port, 19520);
    assert!(demo.ocpp_server.enabled);
    assert_eq!(demo.ocpp_server.tls_mode, TlsMode::Off);

    assert_eq!(demo.groups.len(), 1);
    let garage = &demo.groups[0];
    assert_eq!(garage.name, "Garage");
    assert_eq!(garage.max_current_per_phase_a, PhaseCurrents::uniform(25.0));

    assert_eq!(demo.devices.len(), 3);
    let [ocpp, power_brain, meter] = &demo.devices[..] else {
        unreachable!()
    };
    match &ocpp.driver {
        DeviceDriver::Ocpp16Evse(address) => {
            assert_eq!(address.charge_box_id, "DEMO-CP-1");
            assert_eq!(address.connector_id, 1);
        }
        other => panic!("{other:?}"),
    }
    let local = |port| {
        ModbusTransport::Tcp(TcpEndpoint {
            host: "127.0.0.1".to_owned(),
            port,
        })
    };
    match &power_brain.driver {
        DeviceDriver::PowerBrainEvse(address) => {
            assert_eq!(address.transport, local(4701));
            assert_eq!(address.unit_id, 1);
        }
        other => panic!("{other:?}"),
    }
    for wallbox in [ocpp, power_brain] {
        assert_eq!(wallbox.group.as_deref(), Some(garage.id.as_str()));
        assert!(wallbox.charging.is_some());
        assert!(wallbox.enabled);
    }
    match &meter.driver {
        DeviceDriver::ModbusMeter(address) => {
            assert_eq!(address.model, MeterModel::EastronSdm630);
            assert_eq!(address.transport, local(5020));
            assert_eq!(address.unit_id, 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(manager.grid_meter.as_deref(), Some(meter.id.as_str()));
    assert_eq!(
        meter.group, None,
        "the grid meter sits at the grid connection"
    );

    let names: Vec<&str> = demo.devices.iter().map(|d| d.name.as_str()).collect();
    assert!(names.iter().all(|name| !name.trim().is_empty()));
    assert!(names.contains(&"Garage left"), "{names:?}");
}
