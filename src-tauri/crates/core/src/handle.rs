//! Starting the core and the one handle every front end drives it through.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tokio::sync::{broadcast, watch, Mutex};

use crate::config::{
    demo_config, validate, Config, ConfigError, ConfigStore, SaveOutcome, ValidationErrors,
};
use crate::device::runtime::DeviceRuntime;
use crate::events::{ConfigOrigin, ConfigSnapshot, CoreEvent};
use crate::loadmgmt::LoadController;
use crate::logging::LogControl;
use crate::ocpp::service::{self as ocpp_service, OcppService, PolicyInputs};
use crate::secrets::{Secret, SecretError, SecretName, SecretStore};
use crate::serial::{self, SerialError, SerialPortDescription};
use crate::store::{Store, StoreError};

/// How many events a slow subscriber may fall behind before it misses some (it is told it lagged).
const EVENT_BUFFER: usize = 256;

/// What to run on when there is no configuration file yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnconfigured {
    /// The built-in demo installation (desktop app: something to look at on first start).
    Demo,
    /// An empty installation (headless server).
    Empty,
}

/// What to do when the configuration file exists but cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenConfigUnusable {
    /// Refuse to start: a server must not run on anything but the configuration it was given.
    Refuse,
    /// Run on the demo installation and report the problem (desktop app: the user can fix it in the
    /// UI; the file is moved aside, not overwritten, when a new configuration is saved).
    UseDemoAndReport,
}

pub struct StartOptions {
    pub config_path: PathBuf,
    pub data_dir: PathBuf,
    pub secrets: Arc<dyn SecretStore>,
    /// Present when the front end set up logging; lets configuration changes set the log level.
    pub log_control: Option<Arc<LogControl>>,
    pub when_unconfigured: WhenUnconfigured,
    pub when_unusable: WhenConfigUnusable,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the core's start-up task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("the configuration is not valid:\n{0}")]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Store(#[from] ConfigError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("device {device_id:?} does not exist")]
    UnknownDevice { device_id: String },
    #[error("device {device_id:?} has no gateway settings, so it has no gateway password")]
    NoGateway { device_id: String },
    #[error("device {device_id:?} is not a wallbox")]
    NotAWallbox { device_id: String },
    #[error("{amps} A is not a current a wallbox can be given")]
    InvalidCurrent { amps: f64 },
    #[error(transparent)]
    Serial(#[from] SerialError),
    #[error("the core's worker task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Whether a secret is set, as the UI may know it (never the value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SecretStatus {
    pub name: SecretName,
    pub set: bool,
}

/// The running core. Cheap to clone; every clone drives the same core.
#[derive(Clone)]
pub struct CoreHandle {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<ConfigStore>,
    data_dir: PathBuf,
    snapshot: RwLock<ConfigSnapshot>,
    config_tx: watch::Sender<Arc<Config>>,
    events: broadcast::Sender<CoreEvent>,
    secrets: Arc<dyn SecretStore>,
    log_control: Option<Arc<LogControl>>,
    /// Changes to configuration and secrets happen one at a time, so a secret's flag and the file
    /// can never be written from two stale copies.
    change_lock: Mutex<()>,
    shutdown_tx: watch::Sender<bool>,
    /// Bumped whenever a secret changes, so subsystems that hold one reload it.
    secret_changes: watch::Sender<u64>,
    ocpp: Arc<OcppService>,
    devices: DeviceRuntime,
    load: LoadController,
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// Loads the configuration and starts the core on it.
pub async fn start(options: StartOptions) -> Result<CoreHandle, StartError> {
    let data_dir = options.data_dir.clone();
    tokio::task::spawn_blocking(move || create_private_dir(&data_dir))
        .await?
        .map_err(|source| StartError::DataDir {
            path: options.data_dir.clone(),
            source,
        })?;

    let store = Arc::new(ConfigStore::new(options.config_path.clone()));
    let loading = Arc::clone(&store);
    let loaded = tokio::task::spawn_blocking(move || loading.load()).await?;
    let path = store.path().display().to_string();
    let snapshot = match loaded {
        Ok(Some(config)) => ConfigSnapshot {
            config: Arc::new(config),
            origin: ConfigOrigin::File,
            path,
            problem: None,
        },
        Ok(None) => {
            tracing::info!(path = %store.path().display(), "no configuration file yet");
            match options.when_unconfigured {
                WhenUnconfigured::Demo => ConfigSnapshot {
                    config: Arc::new(demo_config()),
                    origin: ConfigOrigin::Demo,
                    path,
                    problem: None,
                },
                WhenUnconfigured::Empty => ConfigSnapshot {
                    config: Arc::new(Config::default()),
                    origin: ConfigOrigin::Empty,
                    path,
                    problem: None,
                },
            }
        }
        Err(error) => match options.when_unusable {
            WhenConfigUnusable::Refuse => return Err(error.into()),
            WhenConfigUnusable::UseDemoAndReport => {
                tracing::error!(%error, "the configuration file cannot be used; running on the demo installation");
                ConfigSnapshot {
                    config: Arc::new(demo_config()),
                    origin: ConfigOrigin::Demo,
                    path,
                    problem: Some(error.to_string()),
                }
            }
        },
    };

    if let Some(log_control) = &options.log_control {
        apply_log_level(log_control, &snapshot.config);
    }
    tracing::info!(
        origin = ?snapshot.origin,
        devices = snapshot.config.devices.len(),
        config = %snapshot.path,
        data_dir = %options.data_dir.display(),
        "core started"
    );

    let data_dir = options.data_dir.clone();
    let sessions =
        tokio::task::spawn_blocking(move || Store::open_in_data_dir(&data_dir)).await??;

    let (config_tx, config_rx) = watch::channel(Arc::clone(&snapshot.config));
    let (events, _) = broadcast::channel(EVENT_BUFFER);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (secret_changes, secret_rx) = watch::channel(0);
    let (devices, devices_task) = DeviceRuntime::start(config_rx.clone(), shutdown_rx.clone());
    let config_rx_for_load = config_rx.clone();
    let shutdown_rx_for_load = shutdown_rx.clone();
    let (ocpp, ocpp_task) = ocpp_service::start(
        Arc::clone(&snapshot.config),
        config_rx,
        secret_rx,
        PolicyInputs {
            data_dir: options.data_dir.clone(),
            secrets: Arc::clone(&options.secrets),
        },
        sessions,
        shutdown_rx,
    )
    .await;
    let (load, load_task) = LoadController::start(
        config_rx_for_load,
        devices.clone(),
        Some(Arc::clone(&ocpp)),
        shutdown_rx_for_load,
    );
    Ok(CoreHandle {
        inner: Arc::new(Inner {
            store,
            data_dir: options.data_dir,
            snapshot: RwLock::new(snapshot),
            config_tx,
            events,
            secrets: options.secrets,
            log_control: options.log_control,
            change_lock: Mutex::new(()),
            shutdown_tx,
            secret_changes,
            ocpp,
            devices,
            load,
            tasks: std::sync::Mutex::new(vec![ocpp_task, devices_task, load_task]),
        }),
    })
}

impl CoreHandle {
    /// The configuration in force and where it came from.
    pub fn snapshot(&self) -> ConfigSnapshot {
        match self.inner.snapshot.read() {
            Ok(snapshot) => snapshot.clone(),
            // A panic while holding the lock cannot leave a half-written snapshot: it is replaced whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.snapshot().config)
    }

    /// For subsystems that reconfigure themselves whenever the configuration changes.
    pub fn watch_config(&self) -> watch::Receiver<Arc<Config>> {
        self.inner.config_tx.subscribe()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.inner.events.subscribe()
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn config_path(&self) -> &Path {
        self.inner.store.path()
    }

    /// Validates, persists and applies a new configuration, then tells every subscriber.
    ///
    /// Whether a password is set is owned by [`CoreHandle::set_secret`] and
    /// [`CoreHandle::clear_secret`]: the flags in `new` are replaced by the current ones, so a front end
    /// can never claim a password exists that is not in the keyring. Gateway passwords of wallboxes that
    /// are removed (or lose their gateway) are deleted from the keyring.
    pub async fn update_config(&self, mut new: Config) -> Result<ConfigSnapshot, CoreError> {
        let _change = self.inner.change_lock.lock().await;
        let current = self.config();
        carry_secret_flags(&current, &mut new);
        validate(&new).map_err(CoreError::Invalid)?;
        let snapshot = self.persist_and_apply(new).await?;

        for name in orphaned_gateway_secrets(&current, &snapshot.config) {
            let secrets = Arc::clone(&self.inner.secrets);
            let deleting = name.clone();
            match tokio::task::spawn_blocking(move || secrets.delete(&deleting)).await? {
                Ok(()) => self.emit(CoreEvent::SecretChanged { name, set: false }),
                Err(error) => {
                    tracing::warn!(?name, %error, "could not delete the password of a removed gateway")
                }
            }
        }
        Ok(snapshot)
    }

    /// Stores a secret in the secret store and records that it is set.
    pub async fn set_secret(
        &self,
        name: SecretName,
        secret: Secret,
    ) -> Result<SecretStatus, CoreError> {
        self.change_secret(name, Some(secret)).await
    }

    /// Deletes a secret and records that it is no longer set.
    pub async fn clear_secret(&self, name: SecretName) -> Result<SecretStatus, CoreError> {
        self.change_secret(name, None).await
    }

    /// Stores (`Some`) or deletes (`None`) a secret, keeps the configuration's flag in step, and
    /// tells the subsystems that hold a copy to reload it.
    async fn change_secret(
        &self,
        name: SecretName,
        secret: Option<Secret>,
    ) -> Result<SecretStatus, CoreError> {
        let _change = self.inner.change_lock.lock().await;
        let set = secret.is_some();
        let mut config = Config::clone(&self.config());
        set_secret_flag(&mut config, &name, set)?;
        let secrets = Arc::clone(&self.inner.secrets);
        let changing = name.clone();
        tokio::task::spawn_blocking(move || match secret {
            Some(secret) => secrets.set(&changing, &secret),
            None => secrets.delete(&changing),
        })
        .await??;
        if config != *self.config() {
            self.persist_and_apply(config).await?;
        }
        self.inner
            .secret_changes
            .send_modify(|generation| *generation += 1);
        tracing::info!(?name, set, "secret changed");
        self.emit(CoreEvent::SecretChanged {
            name: name.clone(),
            set,
        });
        Ok(SecretStatus { name, set })
    }

    /// Whether the secret store holds the secret (asks the store, not the configuration's flag).
    pub async fn secret_status(&self, name: SecretName) -> Result<SecretStatus, CoreError> {
        let secrets = Arc::clone(&self.inner.secrets);
        let asking = name.clone();
        let set = tokio::task::spawn_blocking(move || secrets.is_set(&asking)).await??;
        Ok(SecretStatus { name, set })
    }

    /// The secret itself, for the subsystems that must present it (OCPP server, gateway uplinks).
    pub async fn secret(&self, name: SecretName) -> Result<Option<Secret>, CoreError> {
        let secrets = Arc::clone(&self.inner.secrets);
        Ok(tokio::task::spawn_blocking(move || secrets.get(&name)).await??)
    }

    pub async fn list_serial_ports(&self) -> Result<Vec<SerialPortDescription>, CoreError> {
        Ok(tokio::task::spawn_blocking(serial::list_serial_ports).await??)
    }

    /// Resolves once [`CoreHandle::shutdown`] was called; long-running subsystems select on it.
    pub async fn shutdown_requested(&self) {
        let mut receiver = self.inner.shutdown_tx.subscribe();
        // An error means the sender is gone, which only happens when the core is gone: stop too.
        let _ = receiver.wait_for(|requested| *requested).await;
    }

    /// Asks every subsystem to stop.
    pub fn shutdown(&self) {
        tracing::info!("core shutting down");
        self.inner.shutdown_tx.send_replace(true);
    }

    /// Asks every subsystem to stop and waits until they have.
    pub async fn shutdown_and_wait(&self) {
        self.shutdown();
        let tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for task in tasks {
            if let Err(error) = task.await {
                tracing::warn!(%error, "a subsystem ended abnormally");
            }
        }
        tracing::info!("core stopped");
    }

    /// Caps the current a wallbox may draw, in amperes per phase (0: it must not charge): a
    /// manual limit on top of everything else that limits it. Load management decides at once and,
    /// in active mode, gives the wallbox the result (a charging profile over OCPP, registers over
    /// Modbus); below the wallbox's minimum it is paused.
    pub fn set_evse_current(&self, device_id: &str, amps: f64) -> Result<(), CoreError> {
        let config = self.config();
        let device = config
            .devices
            .iter()
            .find(|device| device.id == device_id)
            .ok_or_else(|| CoreError::UnknownDevice {
                device_id: device_id.to_owned(),
            })?;
        if !device.driver.is_evse() {
            return Err(CoreError::NotAWallbox {
                device_id: device_id.to_owned(),
            });
        }
        if !amps.is_finite() || amps < 0.0 {
            return Err(CoreError::InvalidCurrent { amps });
        }
        self.inner.load.set_manual_limit(device_id, amps);
        Ok(())
    }

    /// Load management: what each wallbox gets and why.
    pub fn load_management(&self) -> &LoadController {
        &self.inner.load
    }

    /// The Modbus devices: what they last reported and whether they answer.
    pub fn devices(&self) -> &DeviceRuntime {
        &self.inner.devices
    }

    /// The OCPP central system: connected charge points, their live state, the message log.
    pub fn ocpp(&self) -> &OcppService {
        &self.inner.ocpp
    }

    async fn persist_and_apply(&self, config: Config) -> Result<ConfigSnapshot, CoreError> {
        let store = Arc::clone(&self.inner.store);
        let saving = config.clone();
        let outcome: SaveOutcome =
            tokio::task::spawn_blocking(move || store.save(&saving)).await??;
        if let Some(kept) = outcome.kept_aside {
            tracing::warn!(kept = %kept.display(), "the unusable configuration file was moved aside");
        }

        let config = Arc::new(config);
        if let Some(log_control) = &self.inner.log_control {
            apply_log_level(log_control, &config);
        }
        let snapshot = ConfigSnapshot {
            config: Arc::clone(&config),
            origin: ConfigOrigin::File,
            path: self.inner.store.path().display().to_string(),
            problem: None,
        };
        match self.inner.snapshot.write() {
            Ok(mut guard) => *guard = snapshot.clone(),
            Err(poisoned) => *poisoned.into_inner() = snapshot.clone(),
        }
        self.inner.config_tx.send_replace(config);
        tracing::info!(
            devices = snapshot.config.devices.len(),
            "configuration applied"
        );
        self.emit(CoreEvent::ConfigChanged {
            snapshot: snapshot.clone(),
        });
        Ok(snapshot)
    }

    fn emit(&self, event: CoreEvent) {
        // No subscriber is not an error: the headless daemon may have none.
        let _ = self.inner.events.send(event);
    }
}

fn apply_log_level(log_control: &LogControl, config: &Config) {
    if let Err(error) = log_control.set_level(config.logging.level) {
        tracing::warn!(%error, "could not change the log level");
    }
}

/// Copies the "password is set" flags of the configuration in force onto a new one.
fn carry_secret_flags(current: &Config, new: &mut Config) {
    new.ocpp_server.password_set = current.ocpp_server.password_set;
    for device in &mut new.devices {
        if let Some(gateway) = device.gateway.as_mut() {
            gateway.password_set = current
                .devices
                .iter()
                .find(|old| old.id == device.id)
                .and_then(|old| old.gateway.as_ref())
                .is_some_and(|old| old.password_set);
        }
    }
}

/// Gateway passwords in `old` that `new` no longer has a place for.
fn orphaned_gateway_secrets(old: &Config, new: &Config) -> Vec<SecretName> {
    old.devices
        .iter()
        .filter(|device| device.gateway.as_ref().is_some_and(|g| g.password_set))
        .filter(|device| {
            !new.devices
                .iter()
                .any(|kept| kept.id == device.id && kept.gateway.is_some())
        })
        .map(|device| SecretName::GatewayPassword {
            device_id: device.id.clone(),
        })
        .collect()
}

fn set_secret_flag(config: &mut Config, name: &SecretName, set: bool) -> Result<(), CoreError> {
    match name {
        SecretName::OcppServerPassword => config.ocpp_server.password_set = set,
        SecretName::GatewayPassword { device_id } => {
            let device = config
                .devices
                .iter_mut()
                .find(|device| &device.id == device_id)
                .ok_or_else(|| CoreError::UnknownDevice {
                    device_id: device_id.clone(),
                })?;
            let gateway = device
                .gateway
                .as_mut()
                .ok_or_else(|| CoreError::NoGateway {
                    device_id: device_id.clone(),
                })?;
            gateway.password_set = set;
        }
    }
    Ok(())
}

/// The data directory holds private keys and the session database: only the user may enter it.
fn create_private_dir(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    // On Windows the per-user profile folders (%APPDATA%) are private to the user already.
    Ok(())
}
