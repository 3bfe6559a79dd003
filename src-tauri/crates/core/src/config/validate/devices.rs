//! Devices: ids, names, references to groups and from the grid meter, which sections each kind of
//! device takes, and the driver of each; then the rules between devices of each protocol.

use std::collections::HashMap;

use crate::config::model::{Config, Device, DeviceDriver};

use super::charging::check_charging;
use super::gateway::{check_gateway, check_gateway_identities};
use super::groups::check_group_reference;
use super::ids::{check_entry_id, first_index_by_id};
use super::modbus::{check_modbus_address, check_modbus_buses, modbus_address};
use super::ocpp::{check_charge_point_addresses, check_ocpp_address};
use super::Report;

pub(super) fn check_devices(config: &Config, report: &mut Report) {
    let devices = &config.devices;
    let group_ids = first_index_by_id(config.groups.iter().map(|group| group.id.as_str()));
    let first_with_id = first_index_by_id(devices.iter().map(|device| device.id.as_str()));

    for (index, device) in devices.iter().enumerate() {
        let prefix = format!("devices[{index}]");
        check_entry_id(
            &format!("{prefix}.id"),
            &device.id,
            index,
            &first_with_id,
            |first| describe(first, &devices[first]),
            report,
        );
        if device.name.trim().is_empty() {
            report.add(format!("{prefix}.name"), "must not be empty");
        }
        if let Some(group) = &device.group {
            check_group_reference(&format!("{prefix}.group"), group, &group_ids, report);
        }
        check_driver(&format!("{prefix}.driver"), &device.driver, report);
        check_device_sections(&prefix, device, report);
    }

    check_grid_meter(config, &first_with_id, report);
    check_charge_point_addresses(devices, report);
    check_modbus_buses(devices, report);
    check_gateway_identities(devices, report);
}

/// Names a device in a message about another one, by its place in the file and its name.
pub(super) fn describe(index: usize, device: &Device) -> String {
    format!("devices[{index}] (\"{}\")", device.name)
}

fn check_device_sections(prefix: &str, device: &Device, report: &mut Report) {
    if device.driver.is_evse() {
        match &device.charging {
            Some(charging) => check_charging(&format!("{prefix}.charging"), charging, report),
            None => report.add(
                format!("{prefix}.charging"),
                "a wallbox needs charging settings (minimum and maximum current, phases, priority)",
            ),
        }
        if let Some(gateway) = &device.gateway {
            check_gateway(&format!("{prefix}.gateway"), gateway, report);
        }
    } else {
        if device.charging.is_some() {
            report.add(
                format!("{prefix}.charging"),
                "a meter does not charge; remove the charging settings",
            );
        }
        if device.gateway.is_some() {
            report.add(
                format!("{prefix}.gateway"),
                "only a wallbox can appear at an OCPP backend; remove the gateway settings",
            );
        }
    }
}

fn check_driver(prefix: &str, driver: &DeviceDriver, report: &mut Report) {
    if let DeviceDriver::Ocpp16Evse(address) = driver {
        check_ocpp_address(prefix, address, report);
    } else if let Some((transport, unit_id)) = modbus_address(driver) {
        check_modbus_address(prefix, transport, unit_id, report);
    }
}

fn check_grid_meter(config: &Config, first_with_id: &HashMap<&str, usize>, report: &mut Report) {
    let Some(meter) = &config.charging_manager.grid_meter else {
        return;
    };
    let field = "charging_manager.grid_meter";
    match first_with_id.get(meter.as_str()) {
        None => report.add(field, format!("there is no device \"{meter}\"")),
        Some(&index) if config.devices[index].driver.is_evse() => report.add(
            field,
            format!(
                "{} is a wallbox, not a meter",
                describe(index, &config.devices[index])
            ),
        ),
        Some(_) => {}
    }
}
