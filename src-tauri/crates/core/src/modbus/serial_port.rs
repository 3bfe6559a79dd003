//! An open serial port that the RTU link can hand to a tokio-modbus client and still reach itself:
//! to empty the input after a failed exchange, and to attach a fresh client without reopening.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;
use tokio_serial::{ClearBuffer, DataBits, FlowControl, SerialPort, SerialStream, StopBits};

use crate::config::{Parity, SerialSettings};

/// The serial port behind a mutex that is only held inside one poll call, so it never blocks.
#[derive(Clone)]
pub(crate) struct SharedPort(Arc<Mutex<SerialStream>>);

impl SharedPort {
    /// Opens the port with the bus's line settings.
    pub(crate) fn open(settings: &SerialSettings) -> Result<Self, String> {
        let path = settings.port.trim();
        let builder = tokio_serial::new(path, settings.baud_rate)
            .data_bits(data_bits(settings.data_bits)?)
            .parity(parity(settings.parity))
            .stop_bits(stop_bits(settings.stop_bits)?)
            .flow_control(FlowControl::None);
        let stream = SerialStream::open(&builder)
            .map_err(|error| format!("cannot open serial port {path}: {error}"))?;
        Ok(SharedPort(Arc::new(Mutex::new(stream))))
    }

    /// Throws away what the OS has received but nobody read yet.
    pub(crate) fn clear_input(&self) -> io::Result<()> {
        let stream = self.0.lock().map_err(|_| poisoned())?;
        stream.clear(ClearBuffer::Input).map_err(io::Error::from)
    }

    /// Reads and throws away everything that arrives until `until`, or earlier once the line has
    /// been quiet for `quiet`.
    pub(crate) async fn discard_input(
        &self,
        until: Instant,
        quiet: Option<Duration>,
    ) -> io::Result<()> {
        let mut reader = self.clone();
        let mut buffer = [0_u8; 256];
        loop {
            let now = Instant::now();
            if now >= until {
                return Ok(());
            }
            let wake = quiet.map_or(until, |quiet| (now + quiet).min(until));
            match tokio::time::timeout_at(wake, reader.read(&mut buffer)).await {
                Err(_quiet_or_done) if quiet.is_some() => return Ok(()),
                Err(_not_yet_done) => {}
                Ok(Ok(0)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the serial port was closed",
                    ))
                }
                Ok(Ok(_discarded)) => {}
                Ok(Err(error)) => return Err(error),
            }
        }
    }

    fn with_stream<T>(
        &self,
        operation: impl FnOnce(Pin<&mut SerialStream>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match self.0.lock() {
            Ok(mut stream) => operation(Pin::new(&mut *stream)),
            Err(_) => Poll::Ready(Err(poisoned())),
        }
    }
}

impl AsyncRead for SharedPort {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.with_stream(|stream| stream.poll_read(cx, buf))
    }
}

impl AsyncWrite for SharedPort {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.with_stream(|stream| stream.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with_stream(|stream| stream.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.with_stream(|stream| stream.poll_shutdown(cx))
    }
}

fn poisoned() -> io::Error {
    io::Error::other("serial port state is unusable after a panic")
}

fn data_bits(bits: u8) -> Result<DataBits, String> {
    match bits {
        5 => Ok(DataBits::Five),
        6 => Ok(DataBits::Six),
        7 => Ok(DataBits::Seven),
        8 => Ok(DataBits::Eight),
        other => Err(format!("data_bits {other} is not possible: use 8 (or 7)")),
    }
}

fn stop_bits(bits: u8) -> Result<StopBits, String> {
    match bits {
        1 => Ok(StopBits::One),
        2 => Ok(StopBits::Two),
        other => Err(format!("stop_bits {other} is not possible: use 1 or 2")),
    }
}

fn parity(parity: Parity) -> tokio_serial::Parity {
    match parity {
        Parity::None => tokio_serial::Parity::None,
        Parity::Even => tokio_serial::Parity::Even,
        Parity::Odd => tokio_serial::Parity::Odd,
    }
}

/// The right to have one serial port open, held by the bus that has it open.
///
/// Why process-wide: a configuration change replaces the whole bus pool, and the old bus may still
/// be finishing its last exchange when the new one wants the port. The OS opens ports exclusively,
/// so without this the new bus would fail and wait a full back-off; with it, it waits for the
/// hand-over.
pub(crate) struct PortClaim {
    _guard: OwnedMutexGuard<()>,
}

type ClaimRegistry = Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>;

static CLAIMS: OnceLock<ClaimRegistry> = OnceLock::new();

impl PortClaim {
    /// Waits at most `wait` for whoever has `port_key` open to let go.
    pub(crate) async fn acquire(port_key: &str, wait: Duration) -> Result<Self, String> {
        let lock = {
            let mut claims = CLAIMS
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            claims.retain(|_, claim| claim.strong_count() > 0);
            match claims.get(port_key).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    claims.insert(port_key.to_owned(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        match tokio::time::timeout(wait, lock.lock_owned()).await {
            Ok(guard) => Ok(PortClaim { _guard: guard }),
            Err(_) => Err(format!(
                "serial port is still in use by another bus after {} ms",
                wait.as_millis()
            )),
        }
    }
}
