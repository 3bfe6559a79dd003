//! Modbus devices: the unit id and transport (TCP endpoint or RTU serial settings) of each, and the
//! rules of a shared bus.

use std::fmt;

use crate::config::model::{
    Device, DeviceDriver, ModbusTransport, SerialSettings, TcpEndpoint, SUPPORTED_BAUD_RATES,
};

use super::devices::describe;
use super::ids::FirstSeen;
use super::Report;

/// Modbus addresses 248..=255 are reserved and 0 is broadcast.
const MODBUS_UNIT_IDS: std::ops::RangeInclusive<u8> = 1..=247;

/// The transport and unit id of a device spoken to over Modbus; `None` for other drivers.
pub(super) fn modbus_address(driver: &DeviceDriver) -> Option<(&ModbusTransport, u8)> {
    match driver {
        DeviceDriver::PowerBrainEvse(address) => Some((&address.transport, address.unit_id)),
        DeviceDriver::ModbusMeter(meter) => Some((&meter.transport, meter.unit_id)),
        DeviceDriver::Ocpp16Evse(_) => None,
    }
}

pub(super) fn check_modbus_address(
    prefix: &str,
    transport: &ModbusTransport,
    unit_id: u8,
    report: &mut Report,
) {
    if !MODBUS_UNIT_IDS.contains(&unit_id) {
        report.add(
            format!("{prefix}.unit_id"),
            format!(
                "{unit_id} is not a device address; Modbus devices use {}..={} (0 is broadcast)",
                MODBUS_UNIT_IDS.start(),
                MODBUS_UNIT_IDS.end()
            ),
        );
    }
    let prefix = format!("{prefix}.transport");
    match transport {
        ModbusTransport::Tcp(endpoint) => check_tcp_endpoint(&prefix, endpoint, report),
        ModbusTransport::Rtu(serial) => check_serial_settings(&prefix, serial, report),
    }
}

fn check_tcp_endpoint(prefix: &str, endpoint: &TcpEndpoint, report: &mut Report) {
    let field = format!("{prefix}.host");
    if endpoint.host.trim().is_empty() {
        report.add(
            field,
            "must not be empty: enter the device's host name or IP address",
        );
    } else if endpoint
        .host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        report.add(field, "contains whitespace");
    } else if endpoint.host.contains('/') {
        report.add(
            field,
            format!(
                "\"{}\" is not a host; enter only the host name or IP address, without scheme or path",
                endpoint.host
            ),
        );
    }
    if endpoint.port == 0 {
        report.add(format!("{prefix}.port"), "0 is not a port");
    }
}

fn check_serial_settings(prefix: &str, serial: &SerialSettings, report: &mut Report) {
    if serial.port.trim().is_empty() {
        report.add(
            format!("{prefix}.port"),
            "must name the serial port, e.g. /dev/ttyUSB0 or COM3",
        );
    }
    if !SUPPORTED_BAUD_RATES.contains(&serial.baud_rate) {
        let supported: Vec<String> = SUPPORTED_BAUD_RATES.iter().map(u32::to_string).collect();
        report.add(
            format!("{prefix}.baud_rate"),
            format!(
                "{} is not a supported rate (supported: {})",
                serial.baud_rate,
                supported.join(", ")
            ),
        );
    }
    if !matches!(serial.data_bits, 7 | 8) {
        report.add(
            format!("{prefix}.data_bits"),
            format!("{} data bits: use 8 (or 7)", serial.data_bits),
        );
    }
    if !matches!(serial.stop_bits, 1 | 2) {
        report.add(
            format!("{prefix}.stop_bits"),
            format!("{} stop bits: use 1 or 2", serial.stop_bits),
        );
    }
}

/// Where devices share a physical bus: an RTU serial line has one setting for every device on it,
/// and on any bus a unit id answers for exactly one device.
pub(super) fn check_modbus_buses(devices: &[Device], report: &mut Report) {
    let mut first_on_serial_port = FirstSeen::new();
    let mut first_at_unit = FirstSeen::new();
    for (index, device) in devices.iter().enumerate() {
        let Some((transport, unit_id)) = modbus_address(&device.driver) else {
            continue;
        };
        let prefix = format!("devices[{index}].driver");

        if let ModbusTransport::Rtu(serial) = transport {
            if let Some(first) = first_on_serial_port.earlier(serial_port_key(&serial.port), index)
            {
                if let Some(ModbusTransport::Rtu(earlier)) =
                    devices[first].driver.modbus_transport()
                {
                    compare_serial_settings(
                        &format!("{prefix}.transport"),
                        serial,
                        earlier,
                        &describe(first, &devices[first]),
                        report,
                    );
                }
            }
        }

        let bus = Bus::of(transport);
        if let Some(first) = first_at_unit.earlier((bus.clone(), unit_id), index) {
            report.add(
                format!("{prefix}.unit_id"),
                format!(
                    "unit {unit_id} on {bus} is already {}",
                    describe(first, &devices[first])
                ),
            );
        }
    }
}

fn compare_serial_settings(
    prefix: &str,
    serial: &SerialSettings,
    earlier: &SerialSettings,
    earlier_device: &str,
    report: &mut Report,
) {
    let settings: [(&str, String, String); 4] = [
        (
            "baud_rate",
            serial.baud_rate.to_string(),
            earlier.baud_rate.to_string(),
        ),
        (
            "data_bits",
            serial.data_bits.to_string(),
            earlier.data_bits.to_string(),
        ),
        (
            "parity",
            format!("{:?}", serial.parity).to_lowercase(),
            format!("{:?}", earlier.parity).to_lowercase(),
        ),
        (
            "stop_bits",
            serial.stop_bits.to_string(),
            earlier.stop_bits.to_string(),
        ),
    ];
    for (name, value, earlier_value) in settings {
        if value != earlier_value {
            report.add(
                format!("{prefix}.{name}"),
                format!(
                    "{value} differs from {earlier_value} of {earlier_device} on the same serial \
                     port {}; a bus has one serial setting for all its devices",
                    earlier.port.trim()
                ),
            );
        }
    }
}

/// Windows port names (`COM3`) are case-insensitive; Unix device paths are not.
fn serial_port_key(port: &str) -> String {
    let port = port.trim();
    if port.starts_with('/') {
        port.to_owned()
    } else {
        port.to_ascii_uppercase()
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Bus {
    Serial(String),
    /// Host names are case-insensitive.
    Tcp(String, u16),
}

impl Bus {
    fn of(transport: &ModbusTransport) -> Self {
        match transport {
            ModbusTransport::Tcp(endpoint) => {
                Bus::Tcp(endpoint.host.trim().to_ascii_lowercase(), endpoint.port)
            }
            ModbusTransport::Rtu(serial) => Bus::Serial(serial_port_key(&serial.port)),
        }
    }
}

impl fmt::Display for Bus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bus::Serial(port) => write!(f, "serial port {port}"),
            Bus::Tcp(host, port) => write!(f, "{host}:{port}"),
        }
    }
}
