//! The OCPP 1.6J central system that wallboxes connect to.

pub mod handshake;
