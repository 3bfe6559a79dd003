//! The tick loop around [`allocate`](super::allocate), through a kept [`Allocator`]: read what the
//! devices report, decide, hand out the limits.
//!
//! Every `control_interval_ms`, and at once when the grid meter has a new reading or a manual limit
//! changes, the controller builds the input from the configuration and the devices' states, calls
//! `allocate`, and in active mode gives every wallbox its limit through its driver (Modbus
//! registers via the device runtime, charging profiles via OCPP control). In monitor mode it
//! computes and shows the same decision but sends nothing.

mod draw_history;
mod household;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch, Notify};
use tokio::time::{Instant, MissedTickBehavior};

use crate::config::{Config, DeviceDriver, LoadManagementMode};
use crate::device::runtime::{DeviceReading, DeviceRuntime, DeviceStatus};
use crate::device::{EvseCommand, EvseReading};
use crate::ocpp::handlers::OcppEvent;
use crate::ocpp::service::OcppService;

use super::input::{AllocationInput, HouseholdLoad, PreviousAllocation, Vehicle, WallboxInput};
use super::observe::{observe_ocpp, observe_polled, Observation};
use super::output::{Allocation, SiteSummary};
use super::phases::{PhaseAmps, PhaseSet};
use super::tuning::{MeterFailurePolicy, Tuning};
use super::{Allocator, Reason};
use draw_history::{DrawBounds, DrawHistory};

/// A limit read back within this of the one offered is that offer (the wallbox stores tenths).
const OFFER_TOLERANCE_A: f64 = 0.05;

/// What load management decided last, for the UI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadStatus {
    pub mode: LoadManagementMode,
    /// RFC 3339 time of the decision; `None` before the first tick.
    pub computed_at: Option<String>,
    pub site: Option<SiteSummary>,
    pub groups: Vec<GroupLoad>,
    pub wallboxes: Vec<WallboxLoad>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLoad {
    pub id: String,
    pub name: String,
    pub limit_a: PhaseAmps,
    pub allocated_a: PhaseAmps,
    pub headroom_a: PhaseAmps,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WallboxLoad {
    pub device_id: String,
    /// 0 = paused.
    pub limit_a: f64,
    pub phases: PhaseSet,
    /// Machine-readable (`{"code": "limited_by_group", ...}`), for the UI to branch on.
    pub reason: serde_json::Value,
    /// For people: "limited by group Garage L2", "paused: budget below minimum".
    pub reason_text: String,
}

/// The running controller. Cheap to clone.
#[derive(Clone)]
pub struct LoadController {
    shared: Arc<Shared>,
}

struct Shared {
    status: watch::Sender<Arc<LoadStatus>>,
    /// Limits a person set for single wallboxes (A): the wallbox never gets more, 0 pauses it.
    manual_limits: Mutex<HashMap<String, f64>>,
    wake: Notify,
}

impl LoadController {
    /// Decides every `control_interval_ms` until `shutdown` turns true. Without `ocpp` (tests and
    /// simulations of Modbus-only sites) OCPP wallboxes count as unreachable.
    pub fn start(
        config: watch::Receiver<Arc<Config>>,
        devices: DeviceRuntime,
        ocpp: Option<Arc<OcppService>>,
        shutdown: watch::Receiver<bool>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let mode = config.borrow().charging_manager.mode;
        let controller = Self {
            shared: Arc::new(Shared {
                status: watch::Sender::new(Arc::new(LoadStatus {
                    mode,
                    computed_at: None,
                    site: None,
                    groups: Vec::new(),
                    wallboxes: Vec::new(),
                })),
                manual_limits: Mutex::new(HashMap::new()),
                wake: Notify::new(),
            }),
        };
        let task = tokio::spawn(
            Loop {
                shared: Arc::clone(&controller.shared),
                devices,
                ocpp,
                started: Instant::now(),
                previous: HashMap::new(),
                allocator: Allocator::new(),
                sessions: HashMap::new(),
                draws: HashMap::new(),
                household: None,
            }
            .run(config, shutdown),
        );
        (controller, task)
    }

    pub fn status(&self) -> Arc<LoadStatus> {
        Arc::clone(&self.shared.status.borrow())
    }

    pub fn watch_status(&self) -> watch::Receiver<Arc<LoadStatus>> {
        self.shared.status.subscribe()
    }

    /// Caps one wallbox at `amps` (0 pauses it) on top of everything else that limits it; decided
    /// again at once.
    pub fn set_manual_limit(&self, device_id: &str, amps: f64) {
        self.shared
            .manual_limits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(device_id.to_owned(), amps);
        self.shared.wake.notify_one();
    }
}

struct Loop {
    shared: Arc<Shared>,
    devices: DeviceRuntime,
    ocpp: Option<Arc<OcppService>>,
    started: Instant,
    previous: HashMap<String, PreviousAllocation>,
    /// Keeps the fuse tree and working memory from tick to tick.
    allocator: Allocator,
    /// Each wallbox's energy counter when its car arrived, to count the session's energy.
    sessions: HashMap<String, f64>,
    /// What each polled wallbox drew and was told lately, to take it off the grid meter's reading
    /// as it was when the meter was read.
    draws: HashMap<String, DrawHistory>,
    /// The household load last measured, kept while new readings are consistent with it.
    household: Option<PhaseAmps>,
}

impl Loop {
    async fn run(
        mut self,
        mut config: watch::Receiver<Arc<Config>>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut states = self.devices.watch_states();
        let mut ocpp_events = self.ocpp.as_ref().map(|ocpp| ocpp.events.subscribe());
        let mut last_grid_reading: Option<String> = None;
        loop {
            let current = Arc::clone(&config.borrow_and_update());
            let every = std::time::Duration::from_millis(u64::from(
                current.charging_manager.control_interval_ms.max(100),
            ));
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = shutdown.wait_for(|stop| *stop) => return,
                    changed = config.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        // Decide at once on the new configuration, with its own interval.
                        break;
                    }
                    _ = ticks.tick() => {}
                    () = self.shared.wake.notified() => {}
                    // A charge point that boots or a car that arrives gets its limit at once, not
                    // up to a tick later: otherwise the wallbox's blocking profile would stop a
                    // transaction the car has just started.
                    event = next_ocpp_event(&mut ocpp_events) => {
                        if !matters_to_load_management(event) {
                            continue;
                        }
                    }
                    changed = states.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        // Only a new grid meter reading is worth an extra decision: it is how a
                        // rising household load reaches the wallboxes within one poll.
                        let grid_read_at = grid_read_at(&current, &self.devices);
                        if grid_read_at.is_none() || grid_read_at == last_grid_reading {
                            continue;
                        }
                        last_grid_reading = grid_read_at;
                    }
                }
                self.tick(&current);
            }
        }
    }

    fn tick(&mut self, config: &Config) {
        let now_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let mut input = AllocationInput::from_config(config, now_ms);
        let states = self.devices.states();
        let manual = self
            .shared
            .manual_limits
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let grid = config
            .charging_manager
            .grid_meter
            .as_ref()
            .map(|grid_id| states.get(grid_id));
        let grid_read_at = grid
            .flatten()
            .and_then(read_time)
            .unwrap_or_else(OffsetDateTime::now_utc);
        // What each wallbox drew when the grid meter was read, to take off its reading.
        let mut drawn_at_grid_reading = Vec::new();
        // A limit not seen held after this long will not be soon: the wallbox does not answer or
        // refused it.
        let settled_after = time::Duration::milliseconds(
            3 * i64::from(config.charging_manager.control_interval_ms.max(100)),
        );
        for wallbox in &mut input.wallboxes {
            let Some(device) = config.devices.iter().find(|d| d.id == wallbox.id) else {
                continue;
            };
            let observation = match (&device.driver, &self.ocpp) {
                (DeviceDriver::Ocpp16Evse(address), Some(ocpp)) => {
                    let observation = observe_ocpp(
                        ocpp.registry().handle(&address.charge_box_id).is_some(),
                        ocpp.live
                            .connector(
                                &address.charge_box_id,
                                i32::try_from(address.connector_id).unwrap_or(i32::MAX),
                            )
                            .as_ref(),
                    );
                    if observation.reachable {
                        drawn_at_grid_reading
                            .extend(observation.measured_a.map(DrawBounds::exactly));
                    }
                    observation
                }
                (DeviceDriver::Ocpp16Evse(_), None) => Observation::unreachable(),
                _ => {
                    let (observation, drawn) = self.observe_polled_wallbox(
                        wallbox,
                        states.get(&wallbox.id),
                        grid_read_at,
                        settled_after,
                    );
                    drawn_at_grid_reading.extend(drawn);
                    observation
                }
            };
            self.take_observation(wallbox, observation);
            if let Some(limit) = manual.get(&wallbox.id) {
                wallbox.settings.max_current_a = wallbox.settings.max_current_a.min(*limit);
            }
        }
        self.draws
            .retain(|id, _| input.wallboxes.iter().any(|wallbox| &wallbox.id == id));
        if let Some(grid) = grid {
            input.site.household =
                household::estimate(grid, &drawn_at_grid_reading, self.household);
        }
        self.household = match input.site.household {
            HouseholdLoad::Measured(load) => Some(load),
            HouseholdLoad::NotMetered | HouseholdLoad::MeterFailed => None,
        };
        let tuning = tuning(config);
        let allocation = self.allocator.allocate(&input, &tuning);
        self.previous = allocation
            .wallboxes
            .iter()
            .map(|wallbox| (wallbox.id.to_owned(), wallbox.to_previous()))
            .collect();
        let active = config.charging_manager.mode == LoadManagementMode::Active;
        if active {
            self.hand_out(config, &input, &allocation);
        }
        self.publish(config, &allocation);
    }

    /// A Modbus wallbox as `allocate` should see it, and the bounds of what it drew when the grid
    /// meter was read at `grid_read_at`.
    fn observe_polled_wallbox(
        &mut self,
        wallbox: &WallboxInput,
        status: Option<&DeviceStatus>,
        grid_read_at: OffsetDateTime,
        settled_after: time::Duration,
    ) -> (Observation, Option<DrawBounds>) {
        let mut observation = observe_polled(status, wallbox.settings.phases);
        let history = self.draws.entry(wallbox.id.clone()).or_default();
        if let (Some(status), Some(draw), true) =
            (status, observation.measured_a, observation.reachable)
        {
            if let (Some(at), Some(reading)) = (read_time(status), evse(status)) {
                history.saw(at, draw, held_a(reading));
            }
        }
        // Of an unreachable wallbox too: it may still draw what it was last seen drawing, and
        // `allocate` counts it at its last limit besides; leaving its draw in the household load
        // would count it twice.
        let drawn = history.draw_at(grid_read_at, settled_after);
        let offered = self.previous.get(&wallbox.id).map(|p| p.limit_a);
        if !status
            .and_then(evse)
            .is_some_and(|reading| answers_offer(reading, offered))
        {
            // Read before it held the offer: its draw says nothing about whether the car takes
            // it, so it must not count as giving current back.
            observation.measured_a = None;
        }
        (observation, drawn)
    }

    fn take_observation(&mut self, wallbox: &mut WallboxInput, observation: Observation) {
        wallbox.reachable = observation.reachable;
        wallbox.vehicle = observation.vehicle;
        wallbox.measured_a = observation.measured_a;
        wallbox.cable_limit_a = observation.cable_limit_a;
        wallbox.previous = self.previous.get(&wallbox.id).copied();
        wallbox.session_energy_wh = match (observation.vehicle, observation.energy_wh) {
            (Vehicle::Absent, _) if observation.reachable => {
                self.sessions.remove(&wallbox.id);
                0.0
            }
            (_, Some(energy)) => {
                let start = *self.sessions.entry(wallbox.id.clone()).or_insert(energy);
                (energy - start).max(0.0)
            }
            _ => 0.0,
        };
    }

    /// Gives each wallbox its limit; set_command and set_allowed_current pass on only changes.
    fn hand_out(&mut self, config: &Config, input: &AllocationInput, allocation: &Allocation<'_>) {
        for (wallbox, decided) in input.wallboxes.iter().zip(&allocation.wallboxes) {
            if !wallbox.settings.enabled
                || matches!(decided.reason, Reason::FrozenDeviceUnreachable)
            {
                continue;
            }
            let Some(device) = config.devices.iter().find(|d| d.id == wallbox.id) else {
                continue;
            };
            match &device.driver {
                DeviceDriver::Ocpp16Evse(_) => {
                    if let Some(ocpp) = &self.ocpp {
                        ocpp.control
                            .set_allowed_current(&wallbox.id, decided.limit_a);
                    }
                }
                DeviceDriver::PowerBrainEvse(_) => {
                    self.draws
                        .entry(wallbox.id.clone())
                        .or_default()
                        .told(OffsetDateTime::now_utc(), decided.limit_a.max(0.0));
                    let command = if decided.limit_a > 0.0 {
                        EvseCommand {
                            enable: true,
                            current_limit_a: decided.limit_a,
                        }
                    } else {
                        EvseCommand::pause()
                    };
                    self.devices.set_command(&wallbox.id, command);
                }
                DeviceDriver::ModbusMeter(_) => {}
            }
        }
    }

    fn publish(&self, config: &Config, allocation: &Allocation<'_>) {
        let status = LoadStatus {
            mode: config.charging_manager.mode,
            computed_at: OffsetDateTime::now_utc().format(&Rfc3339).ok(),
            site: Some(allocation.site),
            groups: allocation
                .groups
                .iter()
                .map(|group| GroupLoad {
                    id: group.id.to_owned(),
                    name: group.name.to_owned(),
                    limit_a: group.limit_a,
                    allocated_a: group.allocated_a,
                    headroom_a: group.headroom_a,
                })
                .collect(),
            wallboxes: allocation
                .wallboxes
                .iter()
                .map(|wallbox| WallboxLoad {
                    device_id: wallbox.id.to_owned(),
                    limit_a: wallbox.limit_a,
                    phases: wallbox.phases,
                    reason: serde_json::to_value(wallbox.reason).unwrap_or(serde_json::Value::Null),
                    reason_text: wallbox.reason.to_string(),
                })
                .collect(),
        };
        self.shared.status.send_replace(Arc::new(status));
    }
}

fn tuning(config: &Config) -> Tuning {
    Tuning {
        meter_failure: match config.charging_manager.meter_failure_household_a {
            Some(assumed) => MeterFailurePolicy::AssumeHouseholdLoad(assumed.into()),
            None => MeterFailurePolicy::PauseAll,
        },
        ..Tuning::default()
    }
}

fn read_time(status: &DeviceStatus) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(status.read_at.as_deref()?, &Rfc3339).ok()
}

fn evse(status: &DeviceStatus) -> Option<&EvseReading> {
    match &status.reading {
        Some(DeviceReading::Evse(reading)) => Some(reading),
        _ => None,
    }
}

/// The limit a wallbox held when read; 0 while charging was off.
fn held_a(reading: &EvseReading) -> f64 {
    if reading.charging_enabled {
        reading.current_limit_a
    } else {
        0.0
    }
}

/// Whether the wallbox held at least `offered` when read (or nothing was offered), so that its
/// draw shows what the car does with the offer.
fn answers_offer(reading: &EvseReading, offered: Option<f64>) -> bool {
    match offered {
        Some(offered) if offered > 0.0 => held_a(reading) >= offered - OFFER_TOLERANCE_A,
        _ => true,
    }
}

fn grid_read_at(config: &Config, devices: &DeviceRuntime) -> Option<String> {
    let grid_id = config.charging_manager.grid_meter.as_ref()?;
    devices.states().get(grid_id)?.read_at.clone()
}

/// The next OCPP event; pending forever without OCPP or once the service is gone.
async fn next_ocpp_event(
    events: &mut Option<broadcast::Receiver<OcppEvent>>,
) -> Result<OcppEvent, broadcast::error::RecvError> {
    let Some(receiver) = events else {
        return std::future::pending().await;
    };
    let event = receiver.recv().await;
    if matches!(event, Err(broadcast::error::RecvError::Closed)) {
        *events = None;
    }
    event
}

fn matters_to_load_management(event: Result<OcppEvent, broadcast::error::RecvError>) -> bool {
    match event {
        Ok(OcppEvent::Booted { .. } | OcppEvent::ConnectorChanged { .. }) => true,
        Ok(OcppEvent::SessionStarted { .. } | OcppEvent::SessionStopped { .. }) => false,
        // Missed events may have been any of them: decide again to be sure.
        Err(broadcast::error::RecvError::Lagged(_)) => true,
        Err(broadcast::error::RecvError::Closed) => false,
    }
}
