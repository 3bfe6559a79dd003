//! The central system as a running part of the core: listens on the configured port, follows
//! configuration and password changes without a restart, and stops with the core.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

use super::connection::ConnectionSettings;
use super::control::{self, OcppControl};
use super::handlers::{DispatchSettings, Dispatcher, OcppEvent};
use super::live::LiveState;
use super::registry::Registry;
use super::server::{self, ServerPassword, ServerPolicy, Shared};
use crate::config::{Config, DeviceDriver, TlsMode};
use crate::secrets::{SecretName, SecretStore};
use crate::store::Store;

/// How often binding the port is tried again when it is taken.
const REBIND_DELAY: Duration = Duration::from_secs(5);

/// The central system's state that the rest of the core reads.
pub struct OcppService {
    pub shared: Arc<Shared>,
    pub dispatcher: Arc<Dispatcher>,
    pub live: Arc<LiveState>,
    pub events: broadcast::Sender<OcppEvent>,
    pub control: Arc<OcppControl>,
    local_addr: watch::Receiver<Option<SocketAddr>>,
}

impl OcppService {
    pub fn registry(&self) -> &Registry {
        &self.shared.registry
    }

    /// The address the server listens on, once it does.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        *self.local_addr.borrow()
    }

    /// Waits until the server listens (or `timeout` passes).
    pub async fn wait_listening(&self, timeout: Duration) -> Option<SocketAddr> {
        let mut receiver = self.local_addr.clone();
        let listening = async move {
            match receiver.wait_for(Option::is_some).await {
                Ok(addr) => *addr,
                Err(_) => None,
            }
        };
        tokio::time::timeout(timeout, listening)
            .await
            .ok()
            .flatten()
    }
}

/// Everything needed to (re)build the server's policy.
#[derive(Clone)]
pub struct PolicyInputs {
    pub data_dir: PathBuf,
    pub secrets: Arc<dyn SecretStore>,
}

/// Starts the central system on `config` and keeps it in step with `configs`.
pub async fn start(
    config: Arc<Config>,
    mut configs: watch::Receiver<Arc<Config>>,
    secret_changes: watch::Receiver<u64>,
    inputs: PolicyInputs,
    store: Store,
    shutdown: watch::Receiver<bool>,
) -> (Arc<OcppService>, tokio::task::JoinHandle<()>) {
    let live = Arc::new(LiveState::default());
    let (events, _) = broadcast::channel(1024);
    let dispatcher = Arc::new(Dispatcher::new(
        store,
        Arc::clone(&live),
        DispatchSettings::from_config(&config),
        events.clone(),
    ));
    let control = OcppControl::new(Arc::clone(&config));
    let policy = build_policy(&config, &inputs).await;
    let on_connected = {
        let control = Arc::clone(&control);
        let dispatcher = Arc::clone(&dispatcher);
        let live = Arc::clone(&live);
        Box::new(move |handle| {
            tokio::spawn(control::run_for_connection(
                handle,
                Arc::clone(&control),
                Arc::clone(&dispatcher),
                Arc::clone(&live),
            ));
        })
    };
    let shared = Shared::new(policy, dispatcher.clone(), shutdown.clone(), on_connected);
    let (addr_tx, local_addr) = watch::channel(None);
    let service = Arc::new(OcppService {
        shared: Arc::clone(&shared),
        dispatcher: Arc::clone(&dispatcher),
        live,
        events,
        control: Arc::clone(&control),
        local_addr,
    });

    let task = tokio::spawn(async move {
        let mut secret_changes = secret_changes;
        let mut shutdown = shutdown;
        let mut current = config;
        loop {
            let listen = current
                .ocpp_server
                .enabled
                .then_some(current.ocpp_server.port);
            let serving = serve_port(listen, Arc::clone(&shared), addr_tx.clone());
            tokio::pin!(serving);
            // Serve until the port changes or the core stops; other changes apply in place.
            loop {
                tokio::select! {
                    () = &mut serving => {}
                    changed = configs.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        let config = Arc::clone(&configs.borrow_and_update());
                        dispatcher.set_settings(DispatchSettings::from_config(&config));
                        control.set_config(Arc::clone(&config));
                        shared.set_policy(build_policy(&config, &inputs).await);
                        let rebind = (config.ocpp_server.enabled, config.ocpp_server.port)
                            != (current.ocpp_server.enabled, current.ocpp_server.port);
                        current = config;
                        if rebind {
                            break;
                        }
                    }
                    changed = secret_changes.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        secret_changes.borrow_and_update();
                        shared.set_policy(build_policy(&current, &inputs).await);
                    }
                    () = stopped(&mut shutdown) => return,
                }
            }
        }
    });
    (service, task)
}

/// Resolves when the core stops (or is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Listens on `port` and serves until the server stops; with no port, waits forever (until the
/// caller drops this future because the configuration changed).
async fn serve_port(
    port: Option<u16>,
    shared: Arc<Shared>,
    addr_tx: watch::Sender<Option<SocketAddr>>,
) {
    let Some(port) = port else {
        addr_tx.send_replace(None);
        tracing::info!("OCPP server disabled");
        return std::future::pending().await;
    };
    let listener = loop {
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))).await {
            Ok(listener) => break listener,
            Err(error) => {
                addr_tx.send_replace(None);
                tracing::error!(port, %error, "cannot listen for charge points; trying again");
                tokio::time::sleep(REBIND_DELAY).await;
            }
        }
    };
    let local = listener.local_addr().ok();
    tracing::info!(port, "OCPP server listening");
    addr_tx.send_replace(local);
    server::serve(listener, shared).await;
    // serve() returns only on shutdown; stay here so the select loop does not spin.
    std::future::pending::<()>().await;
}

async fn build_policy(config: &Config, inputs: &PolicyInputs) -> ServerPolicy {
    let settings = &config.ocpp_server;
    let tls = if settings.tls_mode == TlsMode::Off {
        None
    } else {
        load_tls(&inputs.data_dir, config).await
    };
    let password = if settings.password_set {
        load_password(&inputs.secrets).await
    } else {
        ServerPassword::Open
    };
    let known_charge_box_ids: HashSet<String> = config
        .devices
        .iter()
        .filter_map(|device| match &device.driver {
            DeviceDriver::Ocpp16Evse(address) => Some(address.charge_box_id.clone()),
            _ => None,
        })
        .collect();
    ServerPolicy {
        tls_mode: settings.tls_mode,
        tls,
        known_charge_box_ids,
        accept_unknown: settings.accept_unknown_charge_points,
        password,
        connection: ConnectionSettings {
            call_timeout: Duration::from_secs(u64::from(settings.call_timeout_s)),
            ..ConnectionSettings::default()
        },
    }
}

async fn load_tls(data_dir: &Path, config: &Config) -> Option<Arc<rustls::ServerConfig>> {
    let data_dir = data_dir.to_path_buf();
    let certificates = config.certificates.clone();
    match tokio::task::spawn_blocking(move || crate::tls::server_config(&data_dir, &certificates))
        .await
    {
        Ok(Ok(tls)) => Some(tls),
        Ok(Err(error)) => {
            tracing::error!(%error, "TLS is on but the server certificate cannot be used; wss:// connections are refused");
            None
        }
        Err(error) => {
            tracing::error!(%error, "loading the server certificate failed");
            None
        }
    }
}

/// A password that is configured but cannot be read locks every charge point out rather than
/// letting every one in.
async fn load_password(secrets: &Arc<dyn SecretStore>) -> ServerPassword {
    let secrets = Arc::clone(secrets);
    let loaded =
        tokio::task::spawn_blocking(move || secrets.get(&SecretName::OcppServerPassword)).await;
    match loaded {
        Ok(Ok(Some(secret))) => ServerPassword::Required(secret),
        Ok(Ok(None)) => {
            tracing::error!("an OCPP server password is configured but not stored; charge points cannot log in until it is set again");
            ServerPassword::Unavailable
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "the OCPP server password cannot be read; charge points cannot log in");
            ServerPassword::Unavailable
        }
        Err(error) => {
            tracing::error!(%error, "reading the OCPP server password failed");
            ServerPassword::Unavailable
        }
    }
}
