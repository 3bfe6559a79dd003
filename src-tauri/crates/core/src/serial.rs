//! Serial ports (USB-RS485 adapters) the user can pick for Modbus RTU.

use serde::Serialize;
use serialport::{SerialPortInfo, SerialPortType, UsbPortInfo};

/// One serial port as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SerialPortDescription {
    /// What to open: `/dev/ttyUSB0` on Linux, `COM3` on Windows.
    pub name: String,
    pub kind: SerialPortKind,
    /// Present for USB adapters.
    pub usb: Option<UsbDetails>,
    /// For people: "FTDI FT232R USB UART (ttyUSB0)", or the name when nothing better is known.
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SerialPortKind {
    Usb,
    Pci,
    Bluetooth,
    Unknown,
}

/// What a USB adapter says about itself; the serial number tells two identical adapters apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsbDetails {
    pub vendor_id: u16,
    pub product_id: u16,
    pub serial_number: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SerialError {
    #[error("cannot list the serial ports: {detail}")]
    Enumeration { detail: String },
}

/// The serial ports of this machine, sorted by name (numbers in order: `ttyUSB2` before `ttyUSB10`).
///
/// Blocks while the OS is asked (udev on Linux, the registry and SetupAPI on Windows).
pub fn list_serial_ports() -> Result<Vec<SerialPortDescription>, SerialError> {
    let ports = serialport::available_ports().map_err(|error| SerialError::Enumeration {
        detail: error.to_string(),
    })?;
    let mut ports: Vec<SerialPortDescription> = ports.into_iter().map(describe).collect();
    sort_ports(&mut ports);
    Ok(ports)
}

/// Turns what serialport found into what the UI shows.
pub fn describe(info: SerialPortInfo) -> SerialPortDescription {
    let short_name = short_name(&info.port_name).to_owned();
    let (kind, usb) = match info.port_type {
        SerialPortType::UsbPort(usb) => (SerialPortKind::Usb, Some(usb_details(usb))),
        SerialPortType::PciPort => (SerialPortKind::Pci, None),
        SerialPortType::BluetoothPort => (SerialPortKind::Bluetooth, None),
        SerialPortType::Unknown => (SerialPortKind::Unknown, None),
    };
    let label = match (&kind, &usb) {
        (SerialPortKind::Usb, Some(usb)) => format!("{} ({short_name})", usb_device_label(usb)),
        (SerialPortKind::Pci, _) => format!("PCI serial port ({short_name})"),
        (SerialPortKind::Bluetooth, _) => format!("Bluetooth serial port ({short_name})"),
        _ => info.port_name.clone(),
    };
    SerialPortDescription {
        name: info.port_name,
        kind,
        usb,
        label,
    }
}

fn usb_details(usb: UsbPortInfo) -> UsbDetails {
    UsbDetails {
        vendor_id: usb.vid,
        product_id: usb.pid,
        serial_number: non_blank(usb.serial_number),
        manufacturer: non_blank(usb.manufacturer),
        product: non_blank(usb.product),
    }
}

/// "FTDI FT232R USB UART"; without strings from the device, its vendor and product ids.
fn usb_device_label(usb: &UsbDetails) -> String {
    match (&usb.manufacturer, &usb.product) {
        // Many devices repeat the manufacturer in the product string ("FTDI FTDI USB Serial").
        (Some(manufacturer), Some(product)) if product.starts_with(manufacturer.as_str()) => {
            product.clone()
        }
        (Some(manufacturer), Some(product)) => format!("{manufacturer} {product}"),
        (None, Some(product)) => product.clone(),
        (Some(manufacturer), None) => format!("{manufacturer} USB serial adapter"),
        (None, None) => format!(
            "USB serial adapter {:04x}:{:04x}",
            usb.vendor_id, usb.product_id
        ),
    }
}

fn non_blank(value: Option<String>) -> Option<String> {
    value
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The part of the name people recognise.
#[cfg(unix)]
fn short_name(port_name: &str) -> &str {
    port_name.strip_prefix("/dev/").unwrap_or(port_name)
}

/// Windows names are already short (`COM3`); the `\\.\` device prefix is dropped if present.
#[cfg(windows)]
fn short_name(port_name: &str) -> &str {
    port_name.strip_prefix(r"\\.\").unwrap_or(port_name)
}

/// Sorts by name, comparing a trailing number as a number: `COM2` before `COM10`.
pub fn sort_ports(ports: &mut [SerialPortDescription]) {
    ports.sort_by(|a, b| {
        let (a_stem, a_number) = split_trailing_number(&a.name);
        let (b_stem, b_number) = split_trailing_number(&b.name);
        a_stem
            .cmp(b_stem)
            .then(a_number.cmp(&b_number))
            .then_with(|| a.name.cmp(&b.name))
    });
}

fn split_trailing_number(name: &str) -> (&str, Option<u64>) {
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    // Too many digits for u64 only happens with odd names; they then sort by their text.
    (stem, name[stem.len()..].parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usb_port(
        port_name: &str,
        manufacturer: Option<&str>,
        product: Option<&str>,
    ) -> SerialPortInfo {
        SerialPortInfo {
            port_name: port_name.into(),
            port_type: SerialPortType::UsbPort(UsbPortInfo {
                vid: 0x0403,
                pid: 0x6001,
                serial_number: Some("A10K1234".into()),
                manufacturer: manufacturer.map(Into::into),
                product: product.map(Into::into),
            }),
        }
    }

    #[cfg(unix)]
    const USB0: &str = "/dev/ttyUSB0";
    #[cfg(windows)]
    const USB0: &str = "COM3";
    #[cfg(unix)]
    const USB0_SHORT: &str = "ttyUSB0";
    #[cfg(windows)]
    const USB0_SHORT: &str = "COM3";

    #[test]
    fn usb_adapter() {
        let port = describe(usb_port(USB0, Some("FTDI"), Some("FT232R USB UART")));
        assert_eq!(port.name, USB0);
        assert_eq!(port.kind, SerialPortKind::Usb);
        assert_eq!(port.label, format!("FTDI FT232R USB UART ({USB0_SHORT})"));
        assert_eq!(
            port.usb,
            Some(UsbDetails {
                vendor_id: 0x0403,
                product_id: 0x6001,
                serial_number: Some("A10K1234".into()),
                manufacturer: Some("FTDI".into()),
                product: Some("FT232R USB UART".into()),
            })
        );
    }

    #[test]
    fn usb_label_does_not_repeat_the_manufacturer() {
        let port = describe(usb_port(USB0, Some("FTDI"), Some("FTDI USB Serial")));
        assert_eq!(port.label, format!("FTDI USB Serial ({USB0_SHORT})"));
    }

    #[test]
    fn usb_without_strings_shows_ids() {
        let port = describe(usb_port(USB0, None, Some("  ")));
        assert_eq!(
            port.label,
            format!("USB serial adapter 0403:6001 ({USB0_SHORT})")
        );
        assert_eq!(port.usb.and_then(|usb| usb.product), None);
    }

    #[test]
    fn pci_port() {
        let port = describe(SerialPortInfo {
            port_name: "/dev/ttyS4".into(),
            port_type: SerialPortType::PciPort,
        });
        assert_eq!(port.kind, SerialPortKind::Pci);
        assert_eq!(port.usb, None);
        assert!(
            port.label.starts_with("PCI serial port ("),
            "{}",
            port.label
        );
    }

    #[test]
    fn bluetooth_port() {
        let port = describe(SerialPortInfo {
            port_name: "/dev/rfcomm0".into(),
            port_type: SerialPortType::BluetoothPort,
        });
        assert_eq!(port.kind, SerialPortKind::Bluetooth);
        assert_eq!(port.usb, None);
        assert!(
            port.label.starts_with("Bluetooth serial port ("),
            "{}",
            port.label
        );
    }

    #[test]
    fn unknown_port_is_labelled_by_its_name() {
        let port = describe(SerialPortInfo {
            port_name: "/dev/ttyS0".into(),
            port_type: SerialPortType::Unknown,
        });
        assert_eq!(port.kind, SerialPortKind::Unknown);
        assert_eq!(port.usb, None);
        assert_eq!(port.label, "/dev/ttyS0");
    }

    #[test]
    fn serializes_snake_case_for_the_ui() -> Result<(), serde_json::Error> {
        let port = describe(usb_port("/dev/ttyUSB0", Some("FTDI"), None));
        let json = serde_json::to_value(&port)?;
        assert_eq!(json["kind"], "usb");
        assert_eq!(json["usb"]["vendor_id"], 0x0403);
        assert_eq!(json["usb"]["serial_number"], "A10K1234");
        assert_eq!(
            serde_json::to_value(SerialPortKind::Bluetooth)?,
            "bluetooth"
        );
        Ok(())
    }

    #[test]
    fn sorts_numbers_as_numbers() {
        let mut ports: Vec<SerialPortDescription> = [
            "COM10",
            "/dev/ttyUSB10",
            "COM2",
            "/dev/ttyS0",
            "/dev/ttyUSB2",
            "/dev/ttyACM0",
        ]
        .into_iter()
        .map(|name| {
            describe(SerialPortInfo {
                port_name: name.into(),
                port_type: SerialPortType::Unknown,
            })
        })
        .collect();
        sort_ports(&mut ports);
        let names: Vec<&str> = ports.iter().map(|port| port.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "/dev/ttyACM0",
                "/dev/ttyS0",
                "/dev/ttyUSB2",
                "/dev/ttyUSB10",
                "COM2",
                "COM10"
            ]
        );
    }
}
