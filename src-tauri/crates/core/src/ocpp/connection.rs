//! One charge point's WebSocket connection: an actor that reads frames, answers the charge point's
//! CALLs through the [`CallHandler`], and sends Ampwise's own CALLs one at a time.
//!
//! OCPP-J allows one outstanding CALL per direction. The charge point keeps to that for its side; for
//! ours, commands wait in the channel until the previous CALL is answered or timed out.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ampwise_ocpp::{
    decode_response, parse_frame, Action, DecodeError, ErrorCode, Frame, MessageId, Payload,
};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::message_log::{Direction, MessageLog};

/// How many of Ampwise's CALLs may wait for their turn before callers are told to back off.
const COMMAND_QUEUE: usize = 32;

/// Timing and limits of a connection.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    /// How long the charge point has to answer one of Ampwise's CALLs.
    pub call_timeout: Duration,
    /// How often a WebSocket ping is sent; a connection silent for two intervals is dropped.
    pub ping_interval: Duration,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self {
            call_timeout: Duration::from_secs(60),
            ping_interval: Duration::from_secs(60),
        }
    }
}

/// Why one of Ampwise's CALLs did not get a usable answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallFailure {
    #[error("the charge point did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the charge point answered {code}: {description}")]
    CallError {
        code: ErrorCode,
        description: String,
    },
    #[error("the charge point's answer is not valid: {0}")]
    InvalidResponse(String),
    #[error("the charge point is not connected")]
    Disconnected,
    #[error("too many requests are waiting for this charge point")]
    Busy,
    #[error("the request could not be encoded: {0}")]
    Encoding(String),
}

/// What a handler answers a CALL with: a CALLRESULT payload or a CALLERROR.
pub type CallReply = Result<Payload, DecodeError>;

/// A boxed future, so handlers can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Answers the CALLs a charge point sends. The connection never writes anything a handler did not
/// return: handlers produce values, the actor writes them.
pub trait CallHandler: Send + Sync + 'static {
    fn handle_call<'a>(
        &'a self,
        charge_box_id: &'a str,
        action: &'a str,
        payload: &'a Payload,
    ) -> BoxFuture<'a, CallReply>;
}

enum Command {
    Call {
        action: &'static str,
        payload: Payload,
        reply: oneshot::Sender<Result<Payload, CallFailure>>,
    },
    Close {
        reason: &'static str,
    },
}

/// Sends CALLs to one connected charge point. Cheap to clone.
#[derive(Clone)]
pub struct ChargePointHandle {
    charge_box_id: Arc<str>,
    connection_id: u64,
    commands: mpsc::Sender<Command>,
}

impl std::fmt::Debug for ChargePointHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChargePointHandle")
            .field("charge_box_id", &self.charge_box_id)
            .field("connection_id", &self.connection_id)
            .finish()
    }
}

impl ChargePointHandle {
    pub fn charge_box_id(&self) -> &str {
        &self.charge_box_id
    }

    /// Tells connections apart when a charge point reconnects.
    pub fn connection_id(&self) -> u64 {
        self.connection_id
    }

    /// Sends a CALL and waits for its typed answer.
    pub async fn call<A: Action>(&self, request: &A::Request) -> Result<A::Response, CallFailure> {
        let payload = Payload::from_serialize(request)
            .map_err(|error| CallFailure::Encoding(error.to_string()))?;
        let (reply, answer) = oneshot::channel();
        self.commands
            .try_send(Command::Call {
                action: A::NAME,
                payload,
                reply,
            })
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => CallFailure::Busy,
                mpsc::error::TrySendError::Closed(_) => CallFailure::Disconnected,
            })?;
        let payload = answer.await.map_err(|_| CallFailure::Disconnected)??;
        decode_response::<A>(&payload)
            .map_err(|error| CallFailure::InvalidResponse(error.description))
    }

    /// Closes the connection (e.g. because the charge point connected again).
    pub fn close(&self, reason: &'static str) {
        // A full queue or a closed connection: either way it is going away or already gone.
        let _ = self.commands.try_send(Command::Close { reason });
    }

    pub fn is_connected(&self) -> bool {
        !self.commands.is_closed()
    }

    /// Resolves when the connection has ended.
    pub async fn closed(&self) {
        self.commands.closed().await;
    }
}

/// Message ids must stay unique across reconnects (errata), and across restarts of Ampwise: the
/// counter starts at the current time in milliseconds.
fn next_message_id() -> MessageId {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let _ = NEXT.compare_exchange(
        0,
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_millis() as u64),
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    MessageId::new(id.to_string()).expect("a u64 has at most 20 digits, within the 36 allowed")
}

/// Creates the handle and the actor's command receiver for a new connection.
pub fn channel(charge_box_id: &str, connection_id: u64) -> (ChargePointHandle, CommandReceiver) {
    let (commands, receiver) = mpsc::channel(COMMAND_QUEUE);
    (
        ChargePointHandle {
            charge_box_id: Arc::from(charge_box_id),
            connection_id,
            commands,
        },
        CommandReceiver(receiver),
    )
}

/// The actor's end of a [`ChargePointHandle`].
pub struct CommandReceiver(mpsc::Receiver<Command>);

struct PendingCall {
    id: MessageId,
    deadline: Instant,
    reply: oneshot::Sender<Result<Payload, CallFailure>>,
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    ClosedByChargePoint,
    ClosedByUs(&'static str),
    Silent,
    Failed(String),
    Shutdown,
}

/// Runs one connection until it closes. `shutdown` resolves when Ampwise stops.
pub async fn run<S>(
    mut ws: WebSocketStream<S>,
    charge_box_id: &str,
    handler: &dyn CallHandler,
    CommandReceiver(mut commands): CommandReceiver,
    settings: &ConnectionSettings,
    log: &MessageLog,
    shutdown: impl Future<Output = ()>,
) -> Ended
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    tokio::pin!(shutdown);
    let mut pending: Option<PendingCall> = None;
    let mut last_heard = Instant::now();
    let mut ping_due = Instant::now() + settings.ping_interval;
    let far_future = || Instant::now() + Duration::from_secs(86_400);

    let ended = loop {
        let call_deadline = pending
            .as_ref()
            .map_or_else(far_future, |call| call.deadline);
        tokio::select! {
            () = &mut shutdown => break Ended::Shutdown,
            incoming = ws.next() => {
                last_heard = Instant::now();
                match incoming {
                    None => break Ended::ClosedByChargePoint,
                    Some(Err(error)) => break Ended::Failed(error.to_string()),
                    Some(Ok(Message::Text(text))) => {
                        log.record(Direction::In, text.as_str());
                        if let Some(answer) =
                            handle_text(text.as_str(), charge_box_id, handler, &mut pending).await
                        {
                            log.record(Direction::Out, &answer);
                            if let Err(error) = ws.send(Message::text(answer)).await {
                                break Ended::Failed(error.to_string());
                            }
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        // OCPP-J is text only; there is no id to answer a CALLERROR to.
                        tracing::warn!(charge_box_id, "ignored a binary WebSocket message");
                    }
                    Some(Ok(Message::Close(_))) => break Ended::ClosedByChargePoint,
                    Some(Ok(_)) => {} // ping and pong: tungstenite answers pings itself
                }
            }
            command = commands.recv(), if pending.is_none() => match command {
                None => break Ended::ClosedByUs("the central system dropped the connection"),
                Some(Command::Close { reason }) => {
                    let _ = ws
                        .close(Some(CloseFrame {
                            code: CloseCode::Normal,
                            reason: reason.into(),
                        }))
                        .await;
                    break Ended::ClosedByUs(reason);
                }
                Some(Command::Call { action, payload, reply }) => {
                    let id = next_message_id();
                    let text = Frame::Call { id: id.clone(), action: action.to_owned(), payload }.to_text();
                    log.record(Direction::Out, &text);
                    if let Err(error) = ws.send(Message::text(text)).await {
                        let _ = reply.send(Err(CallFailure::Disconnected));
                        break Ended::Failed(error.to_string());
                    }
                    pending = Some(PendingCall {
                        id,
                        deadline: Instant::now() + settings.call_timeout,
                        reply,
                    });
                }
            },
            () = sleep_until(call_deadline), if pending.is_some() => {
                if let Some(call) = pending.take() {
                    tracing::warn!(charge_box_id, id = call.id.as_str(), "CALL timed out");
                    let _ = call.reply.send(Err(CallFailure::Timeout(settings.call_timeout)));
                }
            }
            () = sleep_until(ping_due) => {
                if last_heard.elapsed() > settings.ping_interval * 2 {
                    break Ended::Silent;
                }
                ping_due = Instant::now() + settings.ping_interval;
                if let Err(error) = ws.send(Message::Ping(Vec::new().into())).await {
                    break Ended::Failed(error.to_string());
                }
            }
        }
    };
    if let Some(call) = pending.take() {
        let _ = call.reply.send(Err(CallFailure::Disconnected));
    }
    ended
}

/// Handles one text message; returns the answer to send, if any.
async fn handle_text(
    text: &str,
    charge_box_id: &str,
    handler: &dyn CallHandler,
    pending: &mut Option<PendingCall>,
) -> Option<String> {
    match parse_frame(text) {
        Err(error) => {
            tracing::warn!(charge_box_id, code = %error.code, description = %error.description, "malformed frame");
            error.answer()
        }
        Ok(Frame::Call {
            id,
            action,
            payload,
        }) => {
            let answer = match handler.handle_call(charge_box_id, &action, &payload).await {
                Ok(result) => Frame::CallResult {
                    id,
                    payload: result,
                },
                Err(error) => {
                    tracing::info!(charge_box_id, action, code = %error.code, description = %error.description, "answered with CALLERROR");
                    error.answer(id)
                }
            };
            Some(answer.to_text())
        }
        Ok(Frame::CallResult { id, payload }) => {
            settle(pending, &id, Ok(payload), charge_box_id);
            None
        }
        Ok(Frame::CallError {
            id,
            code,
            description,
            ..
        }) => {
            settle(
                pending,
                &id,
                Err(CallFailure::CallError { code, description }),
                charge_box_id,
            );
            None
        }
    }
}

fn settle(
    pending: &mut Option<PendingCall>,
    id: &MessageId,
    outcome: Result<Payload, CallFailure>,
    charge_box_id: &str,
) {
    match pending.take() {
        Some(call) if &call.id == id => {
            let _ = call.reply.send(outcome);
        }
        other => {
            // A late answer to a timed-out CALL, or one we never sent: nothing waits for it.
            tracing::warn!(
                charge_box_id,
                id = id.as_str(),
                "answer to no outstanding CALL ignored"
            );
            *pending = other;
        }
    }
}
