//! Error types of the simulator library.

use std::io;

/// A configuration value the simulator cannot use; `field` names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ConfigError {
    pub field: String,
    pub problem: String,
}

impl ConfigError {
    pub(crate) fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Assembling the units of a bus went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusError {
    #[error("unit id {0} is not a device address (valid: 1-247)")]
    InvalidUnitId(u8),
    #[error("unit id {0} is already used on this bus")]
    DuplicateUnitId(u8),
    #[error("no unit {0} on this bus")]
    NoSuchUnit(u8),
}

/// Serving a bus stopped because of an I/O problem.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("accepting a Modbus TCP connection failed: {0}")]
    Accept(#[source] io::Error),
    #[error("serial port {path}: {source}")]
    OpenSerial {
        path: String,
        #[source]
        source: tokio_serial::Error,
    },
    #[error("creating a pseudo-terminal failed: {0}")]
    Pty(#[source] tokio_serial::Error),
    #[error("reading from the serial line failed: {0}")]
    SerialRead(#[source] io::Error),
    #[error("writing to the serial line failed: {0}")]
    SerialWrite(#[source] io::Error),
}
