//! Serial ports (USB-RS485 adapters) the user can pick for Modbus RTU.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SerialPortDescription {
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SerialError {
    #[error("todo")]
    Todo,
}

pub fn list_serial_ports() -> Result<Vec<SerialPortDescription>, SerialError> {
    todo!("helper B")
}
