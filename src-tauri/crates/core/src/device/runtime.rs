//! Polls every Modbus device, publishes what it reads, and hands wallboxes their commands.
//!
//! One task per device: devices on different buses run in parallel, devices on one bus wait for each
//! other inside the bus. A device that stops answering is marked offline and polled on; it never
//! stops the others.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

use crate::config::{Config, Device, LoadManagementMode};
use crate::modbus::{BusOptions, BusPool, LinkFactory};

use super::build::{build_driver, Driver};
use super::reading::{EvseCommand, EvseReading, MeterReading};
use super::{DeviceError, Evse, Meter};

/// Consecutive failed polls after which a device counts as offline (one lost answer on a noisy
/// RS485 line is not an outage); a broken link counts at once.
const OFFLINE_AFTER_FAILURES: u32 = 3;
/// A limit read back that differs by more than this from the one written means the wallbox lost it.
const LIMIT_TOLERANCE_A: f64 = 0.05;

/// What a device last reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceReading {
    Evse(EvseReading),
    Meter(MeterReading),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Not read yet.
    Connecting,
    Online,
    Offline,
}

/// A polled device as the UI and load management see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceStatus {
    pub device_id: String,
    pub availability: Availability,
    /// The last successful reading, kept while offline (marked by `availability`).
    pub reading: Option<DeviceReading>,
    /// RFC 3339 time of `reading`.
    pub read_at: Option<String>,
    pub last_error: Option<String>,
    /// What Ampwise last wrote to the wallbox, as the wallbox took it.
    pub applied: Option<EvseCommand>,
}

impl DeviceStatus {
    fn new(device_id: &str) -> Self {
        Self {
            device_id: device_id.to_owned(),
            availability: Availability::Connecting,
            reading: None,
            read_at: None,
            last_error: None,
            applied: None,
        }
    }
}

pub type DeviceStates = BTreeMap<String, DeviceStatus>;
type Commands = BTreeMap<String, EvseCommand>;

/// The running device layer. Cheap to clone.
#[derive(Clone)]
pub struct DeviceRuntime {
    states: watch::Sender<Arc<DeviceStates>>,
    commands: watch::Sender<Arc<Commands>>,
}

impl DeviceRuntime {
    /// Starts polling the devices of `config` and follows every configuration change until
    /// `shutdown` turns true.
    pub fn start(
        config: watch::Receiver<Arc<Config>>,
        shutdown: watch::Receiver<bool>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        Self::start_with(config, shutdown, BusOptions::default(), None)
    }

    /// [`Self::start`] with other bus time limits, and with Modbus TCP links opened by `links`
    /// instead of TCP connections when given: the hook for simulations and tests that run on a
    /// paused clock (see [`LinkFactory`]).
    pub fn start_with(
        config: watch::Receiver<Arc<Config>>,
        shutdown: watch::Receiver<bool>,
        bus_options: BusOptions,
        links: Option<LinkFactory>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let runtime = Self {
            states: watch::Sender::new(Arc::new(DeviceStates::new())),
            commands: watch::Sender::new(Arc::new(Commands::new())),
        };
        let buses = Buses {
            options: bus_options,
            links,
        };
        let task = tokio::spawn(runtime.clone().follow_config(config, shutdown, buses));
        (runtime, task)
    }

    pub fn states(&self) -> Arc<DeviceStates> {
        Arc::clone(&self.states.borrow())
    }

    pub fn watch_states(&self) -> watch::Receiver<Arc<DeviceStates>> {
        self.states.subscribe()
    }

    /// Tells a polled wallbox what it may do; written at once in active mode, and repeated before
    /// the wallbox's fail-safe would take over. In monitor mode nothing is written.
    pub fn set_command(&self, device_id: &str, command: EvseCommand) {
        self.commands.send_if_modified(|commands| {
            if commands.get(device_id) == Some(&command) {
                return false;
            }
            Arc::make_mut(commands).insert(device_id.to_owned(), command);
            true
        });
    }

    async fn follow_config(
        self,
        mut config: watch::Receiver<Arc<Config>>,
        mut shutdown: watch::Receiver<bool>,
        buses: Buses,
    ) {
        loop {
            let current = Arc::clone(&config.borrow_and_update());
            let mut generation = self.run_generation(&current, &buses);
            let go_on = tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => false,
                changed = wait_for_relevant_change(&mut config, &current) => changed.is_ok(),
            };
            generation.shutdown().await;
            if !go_on {
                return;
            }
        }
    }

    /// Starts one task per enabled Modbus device of `config`.
    fn run_generation(&self, config: &Config, buses: &Buses) -> JoinSet<()> {
        let pool = BusPool::with_links(buses.options.clone(), buses.links.clone());
        let interval = Duration::from_millis(u64::from(
            config.charging_manager.control_interval_ms.max(100),
        ));
        let active = config.charging_manager.mode == LoadManagementMode::Active;
        let mut tasks = JoinSet::new();
        let mut states = DeviceStates::new();
        for device in config.devices.iter().filter(|device| device.enabled) {
            let mut status = DeviceStatus::new(&device.id);
            match build_driver(device, &pool) {
                Ok(Some(driver)) => {
                    let poller = Poller {
                        device_id: device.id.clone(),
                        interval,
                        active,
                        states: self.states.clone(),
                        commands: self.commands.subscribe(),
                    };
                    tasks.spawn(poller.run(driver));
                }
                Ok(None) => continue,
                Err(error) => {
                    tracing::error!(device = %device.id, %error, "device cannot be opened");
                    status.availability = Availability::Offline;
                    status.last_error = Some(error.to_string());
                }
            }
            states.insert(device.id.clone(), status);
        }
        self.states.send_replace(Arc::new(states));
        tasks
    }
}

/// How every generation's bus pool is made.
struct Buses {
    options: BusOptions,
    links: Option<LinkFactory>,
}

/// Waits until the configuration changes in a way the device layer cares about.
async fn wait_for_relevant_change(
    config: &mut watch::Receiver<Arc<Config>>,
    current: &Config,
) -> Result<(), watch::error::RecvError> {
    loop {
        config.changed().await?;
        let next = Arc::clone(&config.borrow_and_update());
        if polled_part(&next) != polled_part(current) {
            return Ok(());
        }
    }
}

/// The parts of a configuration that decide what is polled and how.
fn polled_part(config: &Config) -> (Vec<&Device>, u32, LoadManagementMode) {
    (
        config
            .devices
            .iter()
            .filter(|device| device.enabled && device.driver.modbus_transport().is_some())
            .collect(),
        config.charging_manager.control_interval_ms,
        config.charging_manager.mode,
    )
}

struct Poller {
    device_id: String,
    interval: Duration,
    active: bool,
    states: watch::Sender<Arc<DeviceStates>>,
    commands: watch::Receiver<Arc<Commands>>,
}

/// When a wallbox was last written to, and what it took.
#[derive(Default)]
struct Applied {
    command: Option<EvseCommand>,
    wanted: Option<EvseCommand>,
    at: Option<Instant>,
}

impl Poller {
    async fn run(mut self, driver: Driver) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut failures = 0u32;
        let mut applied = Applied::default();
        loop {
            let command_changed = tokio::select! {
                _ = ticks.tick() => false,
                changed = self.commands.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    true
                }
            };
            let outcome = match &driver {
                Driver::Meter(meter) if !command_changed => self.poll_meter(meter.as_ref()).await,
                Driver::Meter(_) => continue,
                Driver::Evse(evse) => {
                    self.poll_evse(evse.as_ref(), &mut applied, command_changed)
                        .await
                }
            };
            match outcome {
                Ok(()) => failures = 0,
                Err(error) => {
                    failures = failures.saturating_add(1);
                    self.record_failure(&error, failures);
                }
            }
        }
    }

    async fn poll_meter(&self, meter: &dyn Meter) -> Result<(), DeviceError> {
        let reading = meter.read().await?;
        self.record_reading(DeviceReading::Meter(reading), None);
        Ok(())
    }

    /// Reads the wallbox, then writes the wanted command if it is new, was lost by the wallbox, or is
    /// due for a refresh. A changed command is written before the read, so it takes effect at once.
    async fn poll_evse(
        &self,
        evse: &dyn Evse,
        applied: &mut Applied,
        command_changed: bool,
    ) -> Result<(), DeviceError> {
        let wanted = self.wanted();
        if command_changed {
            if wanted != applied.wanted {
                if let Some(command) = wanted {
                    self.write(evse, applied, command).await?;
                }
            }
            return Ok(());
        }
        let reading = evse.read().await?;
        if let Some(command) = wanted {
            let due = match (applied.wanted, applied.command, applied.at) {
                (Some(previous), Some(held), Some(at)) => {
                    previous != command
                        || lost_by_wallbox(&held, &reading)
                        || evse
                            .refresh_interval()
                            .is_some_and(|every| at.elapsed() >= every)
                }
                _ => true,
            };
            if due {
                self.write(evse, applied, command).await?;
            }
        }
        self.record_reading(DeviceReading::Evse(reading), applied.command);
        Ok(())
    }

    fn wanted(&self) -> Option<EvseCommand> {
        if !self.active {
            return None;
        }
        self.commands.borrow().get(&self.device_id).copied()
    }

    async fn write(
        &self,
        evse: &dyn Evse,
        applied: &mut Applied,
        command: EvseCommand,
    ) -> Result<(), DeviceError> {
        let held = evse.apply(command).await?;
        tracing::debug!(device = %self.device_id, ?held, "wallbox command written");
        *applied = Applied {
            command: Some(held),
            wanted: Some(command),
            at: Some(Instant::now()),
        };
        self.states.send_modify(|states| {
            if let Some(status) = Arc::make_mut(states).get_mut(&self.device_id) {
                status.applied = Some(held);
            }
        });
        Ok(())
    }

    fn record_reading(&self, reading: DeviceReading, applied: Option<EvseCommand>) {
        let read_at = OffsetDateTime::now_utc().format(&Rfc3339).ok();
        self.states.send_modify(|states| {
            let status = Arc::make_mut(states)
                .entry(self.device_id.clone())
                .or_insert_with(|| DeviceStatus::new(&self.device_id));
            if status.availability != Availability::Online {
                tracing::info!(device = %self.device_id, "device online");
            }
            status.availability = Availability::Online;
            status.reading = Some(reading);
            status.read_at = read_at;
            status.last_error = None;
            if applied.is_some() {
                status.applied = applied;
            }
        });
    }

    fn record_failure(&self, error: &DeviceError, failures: u32) {
        // A device that answers with an exception is reachable: it stays online with the error shown.
        let offline = error.is_unreachable()
            && (failures >= OFFLINE_AFTER_FAILURES
                || matches!(error, DeviceError::Modbus(modbus) if modbus.is_link_failure()));
        self.states.send_modify(|states| {
            let status = Arc::make_mut(states)
                .entry(self.device_id.clone())
                .or_insert_with(|| DeviceStatus::new(&self.device_id));
            let message = error.to_string();
            if status.last_error.as_deref() != Some(message.as_str()) {
                tracing::warn!(device = %self.device_id, %error, "device poll failed");
            }
            status.last_error = Some(message);
            if offline && status.availability != Availability::Offline {
                tracing::warn!(device = %self.device_id, %error, "device offline");
                status.availability = Availability::Offline;
            }
        });
    }
}

/// Whether a reading shows the wallbox no longer holds what was written (e.g. it restarted).
fn lost_by_wallbox(held: &EvseCommand, reading: &EvseReading) -> bool {
    reading.charging_enabled != held.enable
        || (held.enable
            && (reading.current_limit_a - held.current_limit_a).abs() > LIMIT_TOLERANCE_A)
}
