//! One simulated charge point's WebSocket: connecting with the ocpp1.6 subprotocol, sending a CALL
//! and waiting for its answer, and staying responsive (pings, the central system's own CALLs)
//! while idle.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

use crate::frames::{self, Expect, Incoming};

const SUBPROTOCOL: &str = "ocpp1.6";
/// OCPP messages are small; a charge point that gets more than this from a central system is done.
const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// How long closing may take before the socket is simply dropped.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a connection or a CALL did not work. `kind` groups them in the report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Failure {
    #[error("connection refused")]
    Refused,
    #[error("timed out while {0}")]
    Timeout(&'static str),
    #[error("TCP connection failed: {0}")]
    Connect(String),
    #[error("WebSocket upgrade refused: {0}")]
    Upgrade(String),
    #[error("the central system closed the connection")]
    Closed,
    #[error("WebSocket error: {0}")]
    WebSocket(String),
    #[error("answered with CALLERROR {0}")]
    CallError(String),
    #[error("{0}")]
    BadAnswer(String),
}

impl Failure {
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Refused => "refused",
            Failure::Timeout(_) => "timeout",
            Failure::Connect(_) => "connect",
            Failure::Upgrade(_) => "upgrade",
            Failure::Closed => "closed",
            Failure::WebSocket(_) => "websocket",
            Failure::CallError(_) => "call_error",
            Failure::BadAnswer(_) => "bad_answer",
        }
    }

    /// Whether the connection can go on after this (the answer was wrong, the link is fine).
    pub fn keeps_connection(&self) -> bool {
        matches!(self, Failure::CallError(_) | Failure::BadAnswer(_))
    }
}

fn websocket_config() -> WebSocketConfig {
    // Small on purpose, as in Ampwise's server: the defaults (128 KiB read buffer) would make 5,000
    // charge points cost the generator more than half a GiB.
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(4 * MAX_MESSAGE_BYTES)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
}

/// A connected charge point.
pub struct Link {
    ws: WebSocketStream<TcpStream>,
    next_message_id: u64,
    /// CALLs the central system sent this charge point.
    pub server_calls: u64,
}

/// Opens the TCP connection and the WebSocket. The caller bounds the time it may take.
pub async fn connect(url: &str) -> Result<Link, Failure> {
    let mut request = url
        .into_client_request()
        .map_err(|error| Failure::Connect(format!("bad URL {url}: {error}")))?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let host = request.uri().host().unwrap_or("127.0.0.1").to_owned();
    let port = request.uri().port_u16().unwrap_or(80);
    let stream = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::ConnectionRefused => Failure::Refused,
            _ => Failure::Connect(error.to_string()),
        })?;
    // Every CALL is one small frame waiting for its answer: Nagle would only add delay.
    let _ = stream.set_nodelay(true);
    let (ws, _response) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(websocket_config()))
            .await
            .map_err(|error| match error {
                tungstenite::Error::Http(response) => {
                    Failure::Upgrade(format!("HTTP {}", response.status()))
                }
                other => Failure::Upgrade(other.to_string()),
            })?;
    Ok(Link {
        ws,
        next_message_id: 1,
        server_calls: 0,
    })
}

impl Link {
    fn message_id(&mut self) -> u64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }

    /// Sends the BootNotification and waits for Accepted.
    pub async fn boot(&mut self, charge_point_id: &str, timeout: Duration) -> Result<(), Failure> {
        let id = self.message_id();
        let text = frames::boot_notification(id, charge_point_id);
        self.call(id, text, Expect::BootAccepted, timeout, "booting")
            .await
    }

    /// Sends one CALL of the mix and waits for its answer.
    pub async fn send(
        &mut self,
        kind: frames::MessageKind,
        sequence: u64,
        timeout: Duration,
    ) -> Result<(), Failure> {
        let id = self.message_id();
        let text = frames::call(kind, id, sequence);
        self.call(id, text, kind.expect(), timeout, "waiting for an answer")
            .await
    }

    async fn call(
        &mut self,
        id: u64,
        text: String,
        expect: Expect,
        timeout: Duration,
        stage: &'static str,
    ) -> Result<(), Failure> {
        let exchange = async {
            self.ws
                .send(Message::text(text))
                .await
                .map_err(websocket_failure)?;
            let id = id.to_string();
            loop {
                match self.next_incoming().await? {
                    Incoming::Result {
                        id: answered,
                        payload,
                    } if answered == id => {
                        return frames::check_answer(expect, &payload).map_err(Failure::BadAnswer)
                    }
                    Incoming::Error { id: answered, code } if answered == id => {
                        return Err(Failure::CallError(code))
                    }
                    Incoming::Call {
                        id: request,
                        action,
                    } => self.answer(&request, &action).await?,
                    Incoming::Result { id: other, .. } | Incoming::Error { id: other, .. } => {
                        return Err(Failure::BadAnswer(format!(
                            "answer to message {other} while waiting for {id}"
                        )))
                    }
                    Incoming::Malformed(problem) => return Err(Failure::BadAnswer(problem)),
                }
            }
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(Failure::Timeout(stage)))
    }

    /// Waits for the next OCPP text message; pings are answered by tungstenite on the way.
    async fn next_incoming(&mut self) -> Result<Incoming, Failure> {
        loop {
            match self.ws.next().await {
                None => return Err(Failure::Closed),
                Some(Err(error)) => return Err(websocket_failure(error)),
                Some(Ok(Message::Text(text))) => return Ok(frames::read(text.as_str())),
                Some(Ok(Message::Close(_))) => return Err(Failure::Closed),
                Some(Ok(_)) => {} // ping, pong, binary: nothing to answer here
            }
        }
    }

    async fn answer(&mut self, request_id: &str, action: &str) -> Result<(), Failure> {
        self.server_calls += 1;
        self.ws
            .send(Message::text(frames::answer_central_system(
                request_id, action,
            )))
            .await
            .map_err(websocket_failure)
    }

    /// Serves the connection while no CALL is out: answers the central system's CALLs and
    /// returns only when the connection fails. Cancel-safe, so it can race a timer or a command.
    pub async fn idle(&mut self) -> Failure {
        loop {
            match self.next_incoming().await {
                Ok(Incoming::Call { id, action }) => {
                    if let Err(failure) = self.answer(&id, &action).await {
                        return failure;
                    }
                }
                Ok(Incoming::Malformed(problem)) => return Failure::BadAnswer(problem),
                Ok(Incoming::Result { id, .. } | Incoming::Error { id, .. }) => {
                    return Failure::BadAnswer(format!("answer to message {id} that is not out"))
                }
                Err(failure) => return failure,
            }
        }
    }

    /// Closes the WebSocket properly, so the central system logs a normal disconnect.
    pub async fn close(mut self) {
        let closing = async {
            if self.ws.close(None).await.is_ok() {
                while let Some(Ok(_)) = self.ws.next().await {}
            }
        };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, closing).await;
    }
}

fn websocket_failure(error: tungstenite::Error) -> Failure {
    match error {
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => Failure::Closed,
        other => Failure::WebSocket(other.to_string()),
    }
}
