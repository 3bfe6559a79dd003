//! The OCPP 1.6J central system that wallboxes connect to.

pub mod connection;
pub mod control;
pub mod handlers;
pub mod handshake;
pub mod live;
pub mod message_log;
pub mod meter_reading;
pub mod registry;
pub mod server;
pub mod service;
pub mod transport;

/// The name an OCPP enum value has on the wire, e.g. `Transaction.End` or `SuspendedEVSE`.
pub(crate) fn wire_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}
