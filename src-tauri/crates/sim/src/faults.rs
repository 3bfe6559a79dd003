//! Faults a test can put on a unit to see how a Modbus master copes.

use std::time::Duration;

use tokio_modbus::ExceptionCode;

/// How a unit misbehaves. Set with [`crate::Bus::set_fault`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Fault {
    /// Behaves normally.
    #[default]
    None,
    /// Never answers, as if switched off or disconnected; its requests do not count as traffic
    /// (a Power Brain's fail-safe timer keeps running).
    Silent,
    /// Answers every request with this exception and does nothing else.
    Exception(ExceptionCode),
    /// Sends these bytes instead of an answer and does nothing else. Over TCP the bytes go onto
    /// the stream as they are, which breaks the MBAP framing just as a faulty gateway would.
    Garbage(Vec<u8>),
    /// Carries out the request but sends its answer with a wrong CRC (RTU). TCP has no CRC, so
    /// there the unit carries out the request and stays silent.
    CorruptCrc,
    /// Answers correctly, but this much later.
    Delay(Duration),
}
