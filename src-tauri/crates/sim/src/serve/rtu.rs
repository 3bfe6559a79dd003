//! Modbus RTU on a serial line (or a pseudo-terminal, or any byte stream).

use std::future::Future;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Duration, Instant};

use crate::bus::{Answer, Bus, Transport};
use crate::error::ServeError;
use crate::modbus::rtu_frame::{self, Scan};
use crate::serial::SerialSettings;

/// Pseudo-terminals and USB adapters deliver bytes in bursts with pauses far longer than the
/// line's 3.5 characters, so a pause only ends a frame of unknown length after this long.
const MIN_SILENCE: Duration = Duration::from_millis(20);

/// Serves `bus` on `line` until `shutdown` completes or the line closes (end of file).
///
/// `line` is usually a [`tokio_serial::SerialStream`] (see [`SerialSettings::open`] and
/// [`crate::serial::open_pty`]); `settings` only matter here for wire-time emulation and the
/// inter-frame gap. Requests for units not on the bus are ignored, as on a real bus.
pub async fn serve_rtu<L>(
    mut line: L,
    settings: SerialSettings,
    bus: Bus,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError>
where
    L: AsyncRead + AsyncWrite + Unpin,
{
    let silence = settings.frame_gap().max(MIN_SILENCE);
    let mut received: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 512];
    tokio::pin!(shutdown);
    loop {
        serve_complete_frames(&mut received, &mut line, &settings, &bus).await?;
        let pause = async {
            if received.is_empty() {
                std::future::pending::<()>().await;
            } else {
                tokio::time::sleep(silence).await;
            }
        };
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            read = line.read(&mut chunk) => match read {
                Ok(0) => return Ok(()),
                Ok(n) => received.extend_from_slice(&chunk[..n]),
                Err(error) => return Err(ServeError::SerialRead(error)),
            },
            () = pause => {
                // A pause ends whatever was received: a frame of unknown length, or noise.
                if let Some(Scan::Frame { unit, pdu, len }) = rtu_frame::scan_after_pause(&received) {
                    answer(&mut line, &settings, &bus, unit, &pdu, len).await?;
                } else {
                    tracing::debug!(bytes = ?received, "discarding bytes that are no request");
                }
                received.clear();
            }
        }
    }
}

async fn serve_complete_frames<L>(
    received: &mut Vec<u8>,
    line: &mut L,
    settings: &SerialSettings,
    bus: &Bus,
) -> Result<(), ServeError>
where
    L: AsyncWrite + Unpin,
{
    loop {
        match rtu_frame::scan_request(received) {
            Scan::Frame { unit, pdu, len } => {
                received.drain(..len);
                answer(line, settings, bus, unit, &pdu, len).await?;
            }
            Scan::Incomplete => return Ok(()),
            // Not aligned on a frame: skip one byte and look again (re-synchronisation).
            Scan::NotAFrame => {
                received.remove(0);
            }
        }
    }
}

async fn answer<L>(
    line: &mut L,
    settings: &SerialSettings,
    bus: &Bus,
    unit: u8,
    pdu: &[u8],
    request_len: usize,
) -> Result<(), ServeError>
where
    L: AsyncWrite + Unpin,
{
    let received_at = Instant::now();
    if unit == 0 {
        bus.handle_broadcast(pdu, received_at);
        return Ok(());
    }
    let outcome = bus.handle(unit, pdu, Transport::Rtu, received_at);
    let frame = match outcome.answer {
        Answer::Pdu(answer) => rtu_frame::encode(unit, &answer),
        Answer::PduWithCorruptCrc(answer) => rtu_frame::encode_with_corrupt_crc(unit, &answer),
        Answer::Garbage(bytes) => bytes,
        Answer::Silent => return Ok(()),
    };
    let mut delay = outcome.delay;
    if settings.emulate_wire_time {
        delay += settings.round_trip_time(request_len, frame.len());
    }
    if !delay.is_zero() {
        tokio::time::sleep_until(received_at + delay).await;
    }
    line.write_all(&frame)
        .await
        .map_err(ServeError::SerialWrite)?;
    line.flush().await.map_err(ServeError::SerialWrite)
}
