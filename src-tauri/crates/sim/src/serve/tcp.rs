//! Modbus TCP: MBAP header (transaction id, protocol id 0, length, unit id) + PDU.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::bus::{Answer, Bus, Transport};
use crate::error::ServeError;

const MBAP_HEADER_LEN: usize = 7;
/// Unit id + the largest PDU (253 bytes).
const MAX_MBAP_LENGTH: u16 = 254;

/// Serves `bus` to every client that connects to `listener` until `shutdown` completes; open
/// connections are closed then.
pub async fn serve_tcp(
    listener: TcpListener,
    bus: Bus,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(stream, peer, bus.clone()));
                }
                Err(error) if is_per_connection(&error) => {
                    tracing::debug!(%error, "a connection failed while being accepted");
                }
                Err(error) => return Err(ServeError::Accept(error)),
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
    Ok(())
}

fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

async fn serve_connection(stream: TcpStream, peer: SocketAddr, bus: Bus) {
    tracing::debug!(%peer, "Modbus TCP client connected");
    // Requests and answers are small and strictly alternate: Nagle would only add latency.
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%peer, %error, "could not disable Nagle's algorithm");
    }
    match serve_tcp_stream(stream, bus).await {
        Ok(()) => tracing::debug!(%peer, "Modbus TCP client disconnected"),
        Err(error) => tracing::debug!(%peer, %error, "Modbus TCP connection closed"),
    }
}

/// Serves `bus` with Modbus TCP framing on one connection's byte stream until the client closes
/// it (`Ok`) or it fails. [`serve_tcp`] runs this for every accepted TCP connection; tests give it
/// one end of an in-memory stream (`tokio::io::duplex`) instead, so that no socket makes a paused
/// tokio clock jump ahead while waiting for I/O.
pub async fn serve_tcp_stream<S>(mut stream: S, bus: Bus) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    serve_requests(&mut stream, &bus).await
}

async fn serve_requests<S>(stream: &mut S, bus: &Bus) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        let mut header = [0u8; MBAP_HEADER_LEN];
        match stream.read_exact(&mut header).await {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(error) => return Err(error),
        }
        let protocol = u16::from_be_bytes([header[2], header[3]]);
        let length = u16::from_be_bytes([header[4], header[5]]);
        let unit = header[6];
        if protocol != 0 || !(2..=MAX_MBAP_LENGTH).contains(&length) {
            // Not Modbus TCP (or out of step with the stream): nothing sensible can follow.
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not a Modbus TCP header: protocol {protocol}, length {length}"),
            ));
        }
        let mut pdu = vec![0u8; usize::from(length) - 1];
        stream.read_exact(&mut pdu).await?;
        let outcome = bus.handle(unit, &pdu, Transport::Tcp, Instant::now());
        if !outcome.delay.is_zero() {
            tokio::time::sleep(outcome.delay).await;
        }
        let bytes = match outcome.answer {
            Answer::Pdu(answer) => {
                let mut frame = Vec::with_capacity(MBAP_HEADER_LEN + answer.len());
                frame.extend_from_slice(&header[..4]);
                frame.extend(
                    u16::try_from(answer.len() + 1)
                        .unwrap_or(u16::MAX)
                        .to_be_bytes(),
                );
                frame.push(unit);
                frame.extend(answer);
                frame
            }
            Answer::Garbage(bytes) => bytes,
            Answer::Silent | Answer::PduWithCorruptCrc(_) => continue,
        };
        stream.write_all(&bytes).await?;
    }
}
