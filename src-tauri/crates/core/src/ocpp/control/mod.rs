//! Controlling OCPP wallboxes through charging profiles.
//!
//! After a wallbox boots, Ampwise reads its smart-charging configuration, sets the meter value sample
//! interval and, in active mode, installs a default profile with limit 0, so the wallbox does not
//! charge until load management allows it. From then on every change of the allowed current becomes
//! a new profile; a device switched off with "cancel charging current limit" gets its profiles
//! cleared. What happened is kept per connector for the UI ([`ControlReport`]).

mod profile;
mod session;
mod target;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::watch;

use crate::config::Config;

pub use profile::{SmartChargingCapabilities, NOMINAL_VOLTAGE, PROFILE_ID_BASE};
pub use session::run_for_connection;
pub use target::{effective_limit, targets, ConnectorTarget, ProfileTarget};

/// Targets of every charge point, by ChargeBox ID.
pub type Targets = Arc<HashMap<String, Vec<ConnectorTarget>>>;

/// What Ampwise did with one connector's profiles, for the UI and the log.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ControlReport {
    pub capabilities: Option<SmartChargingCapabilities>,
    /// The limit the wallbox accepted last, in A per phase; `None` before any was accepted.
    pub applied_limit_a: Option<f64>,
    /// Whether Ampwise's profiles were cleared (deactivation).
    pub cleared: bool,
    /// Set when the wallbox refused a profile: Ampwise stops sending them until it boots again.
    pub profiles_rejected: Option<String>,
    pub last_error: Option<String>,
}

/// The allowed currents and the targets derived from them and the configuration.
pub struct OcppControl {
    state: Mutex<State>,
    targets: watch::Sender<Targets>,
    reports: Mutex<HashMap<(String, i32), ControlReport>>,
}

struct State {
    config: Arc<Config>,
    allowed: HashMap<String, f64>,
}

impl OcppControl {
    pub fn new(config: Arc<Config>) -> Arc<Self> {
        let allowed = HashMap::new();
        let (targets, _) = watch::channel(Arc::new(targets(&config, &allowed)));
        Arc::new(Self {
            state: Mutex::new(State { config, allowed }),
            targets,
            reports: Mutex::new(HashMap::new()),
        })
    }

    pub fn set_config(&self, config: Arc<Config>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.config = config;
        self.publish(&state);
    }

    /// Sets the current a device may draw (0: not allowed to charge). Returns whether anything
    /// changed.
    pub fn set_allowed_current(&self, device_id: &str, amps: f64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let previous = state.allowed.insert(device_id.to_owned(), amps);
        if previous == Some(amps) {
            return false;
        }
        self.publish(&state);
        true
    }

    pub fn allowed_current(&self, device_id: &str) -> Option<f64> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.allowed.get(device_id).copied()
    }

    pub fn subscribe(&self) -> watch::Receiver<Targets> {
        self.targets.subscribe()
    }

    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.state.lock().unwrap_or_else(|e| e.into_inner()).config)
    }

    pub fn report(&self, charge_box_id: &str, connector_id: i32) -> Option<ControlReport> {
        let reports = self.reports.lock().unwrap_or_else(|e| e.into_inner());
        reports
            .get(&(charge_box_id.to_owned(), connector_id))
            .cloned()
    }

    fn update_report(
        &self,
        charge_box_id: &str,
        connector_id: i32,
        change: impl FnOnce(&mut ControlReport),
    ) {
        let mut reports = self.reports.lock().unwrap_or_else(|e| e.into_inner());
        change(
            reports
                .entry((charge_box_id.to_owned(), connector_id))
                .or_default(),
        );
    }

    fn publish(&self, state: &State) {
        // Only a real change wakes the connections up.
        let new = targets(&state.config, &state.allowed);
        self.targets.send_if_modified(|current| {
            if **current == new {
                false
            } else {
                *current = Arc::new(new);
                true
            }
        });
    }
}
