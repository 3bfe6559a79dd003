//! TLS mode `detect`: plain `ws://` and `wss://` on the same port, told apart by the first byte
//! the client sends. A TLS connection starts with a handshake record (content type 22, 0x16); an
//! HTTP upgrade request starts with a letter (`GET`). The byte is only peeked at, so the stream can
//! go untouched to tokio-rustls or to the WebSocket layer.

use std::io;
use std::time::Duration;

use tokio::net::TcpStream;

/// The first byte of every TLS connection: a handshake record carrying the ClientHello.
pub const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// How long a client may stay silent after connecting before it is dropped.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the client starts a TLS handshake, waiting at most [`FIRST_BYTE_TIMEOUT`].
pub async fn sniff_tls(stream: &TcpStream) -> io::Result<bool> {
    sniff_tls_within(stream, FIRST_BYTE_TIMEOUT).await
}

/// As [`sniff_tls`], with the time a client may stay silent. A client that sends nothing in that
/// time gets a `TimedOut` error; one that closes the connection first, `UnexpectedEof`.
pub async fn sniff_tls_within(stream: &TcpStream, timeout: Duration) -> io::Result<bool> {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(timeout, stream.peek(&mut first))
        .await
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the client sent nothing within {} s of connecting",
                    timeout.as_secs_f32()
                ),
            )
        })??;
    if peeked == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the client closed the connection before sending anything",
        ));
    }
    Ok(first[0] == TLS_HANDSHAKE_RECORD)
}
