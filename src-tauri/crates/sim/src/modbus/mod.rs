//! The Modbus wire formats the simulators speak. Our own small codec rather than tokio-modbus's
//! server: fault injection needs to send corrupt frames and garbage, and wire-time emulation needs
//! to know each frame's length, neither of which its server exposes.

pub(crate) mod pdu;
pub(crate) mod rtu_frame;
