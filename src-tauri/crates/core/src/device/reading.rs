//! What devices report and what wallboxes are told, in SI units (A, V, W, Wh, Hz).

use serde::Serialize;

/// Values for L1, L2, L3.
pub type PerPhase<T> = [T; 3];

/// One reading of an energy meter; a value the model does not provide is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MeterReading {
    pub voltage_v: Option<PerPhase<f64>>,
    pub current_a: Option<PerPhase<f64>>,
    pub power_w: Option<PerPhase<f64>>,
    pub total_power_w: Option<f64>,
    pub frequency_hz: Option<f64>,
    pub energy_import_wh: Option<f64>,
    pub energy_export_wh: Option<f64>,
}

/// The IEC 61851 control pilot state of a charging point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CpState {
    /// No vehicle.
    A,
    /// Vehicle connected, not charging.
    B,
    /// Charging.
    C,
    /// Charging with ventilation required.
    D,
    /// No power (short circuit or supply failure).
    E,
    /// Error.
    F,
}

impl CpState {
    pub fn vehicle_connected(self) -> bool {
        matches!(self, CpState::B | CpState::C | CpState::D)
    }

    pub fn charging(self) -> bool {
        matches!(self, CpState::C | CpState::D)
    }
}

/// One reading of a wallbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvseReading {
    pub cp_state: CpState,
    /// The charging current limit the wallbox works with now, in A.
    pub current_limit_a: f64,
    pub charging_enabled: bool,
    /// The current the car draws, in A, when the wallbox measures it.
    pub charging_current_a: Option<f64>,
    /// What the plugged-in cable can carry; `None` with no cable or a fixed one the box does not report.
    pub cable_current_limit_a: Option<f64>,
    /// The last RFID card the wallbox read.
    pub last_rfid: Option<String>,
    /// The wallbox's own meter, when it has one.
    pub meter: Option<MeterReading>,
}

/// What a wallbox is told: charge at most `current_limit_a`, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EvseCommand {
    pub enable: bool,
    pub current_limit_a: f64,
}

impl EvseCommand {
    pub fn pause() -> Self {
        Self {
            enable: false,
            current_limit_a: 0.0,
        }
    }
}
