//! The WebSocket server charge points connect to: TLS off, on or detected per connection, the upgrade
//! request checked by [`handshake`](super::handshake), then one [`connection`](super::connection)
//! actor per charge point.
//!
//! Like mini-redis, the server is a function of a listener and a shutdown signal, so tests bind
//! port 0 and stop it cleanly.

use std::collections::HashSet;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::connection::{self, CallHandler, ChargePointHandle, ConnectionSettings, Ended};
use super::handshake::{
    check_upgrade, HandshakeDecision, HandshakePolicy, PasswordCheck, Rejection,
};
use super::registry::{Connected, Registry};
use super::transport::Transport;
use crate::config::TlsMode;
use crate::secrets::Secret;
use crate::tls::sniff_tls;

/// How long a client may take for the TLS and WebSocket handshakes together.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest OCPP message accepted. Real messages are a few KiB at most (signed meter values
/// included); anything larger is refused and the connection closed.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// What the server needs to decide on a connection. Replaced whole when the configuration changes.
pub struct ServerPolicy {
    pub tls_mode: TlsMode,
    /// Required for TLS modes `on` and `detect`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub known_charge_box_ids: HashSet<String>,
    pub accept_unknown: bool,
    pub password: ServerPassword,
    pub connection: ConnectionSettings,
}

/// The OCPP server password as the server holds it.
pub enum ServerPassword {
    Open,
    Required(Secret),
    /// Configured but unreadable: every login is refused until it is readable again.
    Unavailable,
}

impl ServerPassword {
    fn check(&self) -> PasswordCheck<'_> {
        match self {
            ServerPassword::Open => PasswordCheck::Open,
            ServerPassword::Required(secret) => PasswordCheck::Required(secret),
            ServerPassword::Unavailable => PasswordCheck::Unavailable,
        }
    }
}

/// State shared by every connection of the server.
pub struct Shared {
    policy: RwLock<Arc<ServerPolicy>>,
    pub registry: Registry,
    handler: Arc<dyn CallHandler>,
    next_connection_id: AtomicU64,
    shutdown: watch::Receiver<bool>,
    /// Called with every new connection (the charging-profile control starts there).
    on_connected: Box<dyn Fn(ChargePointHandle) + Send + Sync>,
}

impl Shared {
    pub fn new(
        policy: ServerPolicy,
        handler: Arc<dyn CallHandler>,
        shutdown: watch::Receiver<bool>,
        on_connected: Box<dyn Fn(ChargePointHandle) + Send + Sync>,
    ) -> Arc<Self> {
        Arc::new(Self {
            policy: RwLock::new(Arc::new(policy)),
            registry: Registry::default(),
            handler,
            next_connection_id: AtomicU64::new(1),
            shutdown,
            on_connected,
        })
    }

    pub fn policy(&self) -> Arc<ServerPolicy> {
        Arc::clone(&self.policy.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// New connections use the new policy; open ones keep the settings they were let in with.
    pub fn set_policy(&self, policy: ServerPolicy) {
        *self.policy.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
    }

    fn shutdown_signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.shutdown.clone();
        async move {
            let _ = receiver.wait_for(|stop| *stop).await;
        }
    }
}

/// Accepts connections until shutdown. Each connection runs in its own task; a failing connection
/// never affects another.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let shutdown = shared.shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, remote)) => {
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move { handle_connection(stream, remote, shared).await });
                }
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
}

fn websocket_config() -> WebSocketConfig {
    // Sized on purpose: the defaults (128 KiB read and write buffers) would cost far more memory per
    // idle charge point than everything else together. OCPP messages are small.
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_MESSAGE_BYTES * 4)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
}

async fn handle_connection(stream: TcpStream, remote: SocketAddr, shared: Arc<Shared>) {
    let policy = shared.policy();
    let _ = stream.set_nodelay(true);
    let accepted =
        tokio::time::timeout(HANDSHAKE_TIMEOUT, accept(stream, remote, &policy, &shared)).await;
    let (ws, charge_box_id) = match accepted {
        Ok(Ok(Some(accepted))) => accepted,
        Ok(Ok(None)) => return, // refused; already logged
        Ok(Err(error)) => {
            tracing::debug!(%remote, %error, "connection failed before the WebSocket was open");
            return;
        }
        Err(_) => {
            tracing::debug!(%remote, "handshake took too long");
            return;
        }
    };
    let tls = ws.get_ref().is_tls();

    let connection_id = shared.next_connection_id.fetch_add(1, Ordering::Relaxed);
    let (handle, commands) = connection::channel(&charge_box_id, connection_id);
    (shared.on_connected)(handle.clone());
    let previous = shared.registry.connect(
        &charge_box_id,
        Connected {
            handle,
            remote,
            tls,
            since: SystemTime::now(),
        },
    );
    if let Some(previous) = previous {
        tracing::info!(
            charge_box_id,
            "charge point connected again; closing its old connection"
        );
        previous.close("replaced by a new connection of the same charge point");
    }
    tracing::info!(charge_box_id, %remote, tls, "charge point connected");

    let log = shared.registry.log(&charge_box_id);
    let ended = connection::run(
        ws,
        &charge_box_id,
        shared.handler.as_ref(),
        commands,
        &policy.connection,
        &log,
        shared.shutdown_signal(),
    )
    .await;
    shared.registry.disconnect(&charge_box_id, connection_id);
    match ended {
        Ended::Failed(error) => {
            tracing::warn!(charge_box_id, %error, "charge point connection failed")
        }
        other => tracing::info!(charge_box_id, ended = ?other, "charge point disconnected"),
    }
}

type Accepted = (tokio_tungstenite::WebSocketStream<Transport>, String);

// The upgrade callback's error type is tungstenite's HTTP response; it is built once per refusal.
#[allow(clippy::result_large_err)]
async fn accept(
    stream: TcpStream,
    remote: SocketAddr,
    policy: &ServerPolicy,
    shared: &Shared,
) -> Result<Option<Accepted>, Box<dyn std::error::Error + Send + Sync>> {
    let transport = match (policy.tls_mode, &policy.tls) {
        (TlsMode::Off, _) => Transport::Plain(stream),
        (TlsMode::On, Some(tls)) => Transport::Tls(Box::new(
            TlsAcceptor::from(Arc::clone(tls)).accept(stream).await?,
        )),
        (TlsMode::Detect, tls) => match (sniff_tls(&stream).await?, tls) {
            (false, _) => Transport::Plain(stream),
            (true, Some(tls)) => Transport::Tls(Box::new(
                TlsAcceptor::from(Arc::clone(tls)).accept(stream).await?,
            )),
            (true, None) => return Err("no usable server certificate for a TLS client".into()),
        },
        (TlsMode::On, None) => {
            return Err("TLS is on but no server certificate is loaded".into());
        }
    };

    let is_known = |id: &str| policy.known_charge_box_ids.contains(id);
    let handshake_policy = HandshakePolicy {
        is_known: &is_known,
        accept_unknown: policy.accept_unknown,
        password: policy.password.check(),
    };
    let mut accepted_id = None;
    let mut refused = None;
    let upgrade = tokio_tungstenite::accept_hdr_async_with_config(
        transport,
        |request: &Request, mut response: Response| match check_upgrade(
            request.uri().path(),
            request.headers(),
            &handshake_policy,
        ) {
            HandshakeDecision::Accept {
                charge_box_id,
                subprotocol,
            } => {
                if let Some(protocol) = subprotocol {
                    response.headers_mut().insert(
                        http::header::SEC_WEBSOCKET_PROTOCOL,
                        HeaderValue::from_static(protocol),
                    );
                }
                accepted_id = Some(charge_box_id);
                Ok(response)
            }
            HandshakeDecision::Reject(rejection) => {
                let answer = rejection_response(&rejection);
                refused = Some(rejection);
                Err(answer)
            }
        },
        Some(websocket_config()),
    )
    .await;

    if let Some(rejection) = refused {
        let id = rejection.charge_box_id.as_deref().unwrap_or("");
        tracing::warn!(charge_box_id = id, %remote, reason = rejection.reason.describe(), "charge point refused");
        if let Some(id) = &rejection.charge_box_id {
            shared.registry.record_refused(id, remote, rejection.reason);
        }
        return Ok(None);
    }
    let ws = upgrade?;
    match accepted_id {
        Some(id) => Ok(Some((ws, id))),
        None => Err("the WebSocket upgrade finished without a decision".into()),
    }
}

fn rejection_response(rejection: &Rejection) -> ErrorResponse {
    let status = StatusCode::from_u16(rejection.reason.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = ErrorResponse::new(Some(rejection.reason.describe().to_owned()));
    *response.status_mut() = status;
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Ampwise OCPP\""),
        );
    }
    response
}
