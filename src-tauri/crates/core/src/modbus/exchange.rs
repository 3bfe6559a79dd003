//! One request/answer exchange through a tokio-modbus client, with a time limit, sorted into what
//! the caller can act on.

use std::io;
use std::time::Duration;

use tokio::time::Instant;

use tokio_modbus::client::{Client, Context};
use tokio_modbus::slave::{Slave, SlaveContext};

use super::request::{Operation, Reply};
use super::ModbusError;

/// How one exchange ended, from the link's point of view.
#[derive(Debug)]
pub(crate) enum Outcome {
    Answer(Reply),
    /// The device said no; the link is in order.
    Exception(u8),
    /// No complete answer in time. The link may still deliver a late answer.
    Timeout,
    /// Bytes arrived that are no valid answer to this request (bad CRC, wrong unit, wrong length).
    /// The client's framing state is suspect.
    Garbled(String),
    /// The transport failed: the connection or the port is gone.
    LinkLost(String),
}

/// What a link reports back to its bus for one request.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// This request failed; the link is usable for the next one.
    Device(ModbusError),
    /// The link is gone; the bus must reopen it.
    LinkLost(String),
}

/// Sends `operation` to `unit` and waits at most `timeout` for the answer.
///
/// tokio-modbus has no timeouts of its own; dropping its call future on timeout is safe for the
/// client object, but the answer may still arrive later, which each link handles its own way.
pub(crate) async fn call(
    context: &mut Context,
    unit: u8,
    operation: &Operation,
    timeout: Duration,
) -> Outcome {
    context.set_slave(Slave(unit));
    // `call` rather than tokio-modbus's `read_holding_registers` & co.: those `debug_assert` the
    // register count of the answer, so a device sending the wrong count would panic a debug
    // build; `check_response` turns it into an error instead.
    let result = tokio::time::timeout(timeout, context.call(operation.to_request())).await;
    match result {
        Err(_elapsed) => Outcome::Timeout,
        Ok(Ok(Ok(response))) => match operation.check_response(response) {
            Ok(reply) => Outcome::Answer(reply),
            Err(detail) => Outcome::Garbled(detail),
        },
        Ok(Ok(Err(exception))) => Outcome::Exception(u8::from(exception)),
        Ok(Err(tokio_modbus::Error::Protocol(error))) => Outcome::Garbled(protocol_detail(&error)),
        Ok(Err(tokio_modbus::Error::Transport(error))) => classify_io_error(&error),
    }
}

/// tokio-modbus reports undecodable input (bad CRC after resynchronising, a PDU that is no valid
/// answer) as `InvalidData`; it does not say the link is down. Everything else comes from the
/// socket or the port.
fn classify_io_error(error: &io::Error) -> Outcome {
    match error.kind() {
        io::ErrorKind::InvalidData => Outcome::Garbled(format!("undecodable answer: {error}")),
        // When a TCP peer closes the connection, tokio-modbus reports whatever `errno` held last
        // (often EAGAIN, or 0); a message about "resource temporarily unavailable" would mislead.
        io::ErrorKind::WouldBlock | io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe => {
            Outcome::LinkLost("the link was closed by the other end".into())
        }
        _ if error.raw_os_error() == Some(0) => {
            Outcome::LinkLost("the link was closed by the other end".into())
        }
        _ => Outcome::LinkLost(error.to_string()),
    }
}

fn protocol_detail(error: &tokio_modbus::ProtocolError) -> String {
    match error {
        tokio_modbus::ProtocolError::HeaderMismatch { message, .. } => {
            format!("answer to another request ({message})")
        }
        tokio_modbus::ProtocolError::FunctionCodeMismatch { request, .. } => {
            format!("answer of another function than {request}")
        }
    }
}

impl Outcome {
    /// The result for the caller; `timeout` is only used to word a timeout.
    pub(crate) fn into_result(self, unit: u8, timeout: Duration) -> Result<Reply, ExchangeError> {
        match self {
            Outcome::Answer(reply) => Ok(reply),
            Outcome::Exception(code) => {
                Err(ExchangeError::Device(ModbusError::exception(unit, code)))
            }
            Outcome::Timeout => Err(ExchangeError::Device(ModbusError::Timeout {
                unit,
                timeout_ms: millis(timeout),
            })),
            Outcome::Garbled(detail) => Err(ExchangeError::Device(ModbusError::BadResponse {
                unit,
                detail,
            })),
            Outcome::LinkLost(detail) => Err(ExchangeError::LinkLost(detail)),
        }
    }

    /// True when the exchange may have left bytes on the link that belong to no later request.
    pub(crate) fn leaves_stray_input(&self) -> bool {
        matches!(self, Outcome::Timeout | Outcome::Garbled(_))
    }
}

pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// `start + duration`, or a point decades away when a configured duration is absurdly long:
/// adding `Duration::MAX` to an instant would panic.
pub(crate) fn instant_after(start: Instant, duration: Duration) -> Instant {
    start
        .checked_add(duration)
        .or_else(|| start.checked_add(Duration::from_secs(30 * 365 * 86_400)))
        .unwrap_or(start)
}
