//! Which physical bus a device sits on: devices with the same key share one link.

use std::fmt;

use serde::Serialize;

use crate::config::ModbusTransport;

/// One serial port, or one TCP host:port (a gateway or a device speaking Modbus TCP itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BusKey {
    Tcp { host: String, port: u16 },
    Serial { port: String },
}

impl BusKey {
    /// The bus `transport` names. Spellings of one bus map to one key, the same way configuration
    /// validation compares them: host names and Windows port names (`com3`) are case-insensitive,
    /// Unix device paths are not.
    pub fn of(transport: &ModbusTransport) -> Self {
        match transport {
            ModbusTransport::Tcp(endpoint) => BusKey::Tcp {
                host: endpoint.host.trim().to_ascii_lowercase(),
                port: endpoint.port,
            },
            ModbusTransport::Rtu(serial) => BusKey::Serial {
                port: serial_port_key(&serial.port),
            },
        }
    }
}

impl fmt::Display for BusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BusKey::Tcp { host, port } if host.contains(':') && !host.starts_with('[') => {
                write!(f, "tcp://[{host}]:{port}")
            }
            BusKey::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            BusKey::Serial { port } => write!(f, "serial:{port}"),
        }
    }
}

/// Windows port names (`COM3`) are case-insensitive; Unix device paths are not.
pub(crate) fn serial_port_key(port: &str) -> String {
    let port = port.trim();
    if port.starts_with('/') {
        port.to_owned()
    } else {
        port.to_ascii_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Parity, SerialSettings, TcpEndpoint};

    fn tcp(host: &str, port: u16) -> ModbusTransport {
        ModbusTransport::Tcp(TcpEndpoint {
            host: host.into(),
            port,
        })
    }

    fn rtu(port: &str) -> ModbusTransport {
        ModbusTransport::Rtu(SerialSettings {
            port: port.into(),
            baud_rate: 9600,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
        })
    }

    #[test]
    fn displays_as_a_url_like_name() {
        assert_eq!(
            BusKey::of(&tcp("192.168.1.20", 502)).to_string(),
            "tcp://192.168.1.20:502"
        );
        assert_eq!(
            BusKey::of(&tcp("fd00::7", 502)).to_string(),
            "tcp://[fd00::7]:502"
        );
        assert_eq!(
            BusKey::of(&rtu("/dev/ttyUSB0")).to_string(),
            "serial:/dev/ttyUSB0"
        );
    }

    #[test]
    fn spellings_of_one_bus_are_one_key() {
        assert_eq!(
            BusKey::of(&tcp(" Wallbox.local", 502)),
            BusKey::of(&tcp("wallbox.local", 502))
        );
        assert_ne!(
            BusKey::of(&tcp("wallbox.local", 502)),
            BusKey::of(&tcp("wallbox.local", 503))
        );
        assert_eq!(BusKey::of(&rtu("com3")), BusKey::of(&rtu("COM3 ")));
        assert_ne!(
            BusKey::of(&rtu("/dev/ttyusb0")),
            BusKey::of(&rtu("/dev/ttyUSB0"))
        );
    }

    #[test]
    fn serializes_with_a_kind_tag() {
        let json = serde_json::to_value(BusKey::of(&rtu("/dev/ttyUSB0"))).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"kind": "serial", "port": "/dev/ttyUSB0"})
        );
    }
}
