//! The simulated car and the electrical quantities it produces. Time never comes from a clock in
//! here: callers pass durations, so the same inputs always give the same numbers.

use std::time::Duration;

use crate::error::ConfigError;

/// Nominal phase voltage of the simulated grid.
pub const DEFAULT_VOLTAGE_V: f64 = 230.0;

/// Below this the IEC 61851 PWM signal cannot tell a car to charge.
pub const MIN_CHARGING_CURRENT_A: f64 = 6.0;

/// Energy left to charge below which a car counts as full; absorbs float rounding when a
/// simulation step ends exactly at the moment the car becomes full.
const FULL_TOLERANCE_WH: f64 = 1e-6;

/// IEC 61851 control pilot states as the Power Brain reports them (register 8092: 0 = A … 5 = F).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpState {
    /// No car connected.
    A,
    /// Car connected, not charging.
    B,
    /// Car charging.
    C,
    /// Car charging, ventilation required.
    D,
    /// Error: no power on the pilot.
    E,
    /// Error: EVSE fault.
    F,
}

impl CpState {
    /// The value of register 8092.
    pub fn register_value(self) -> u16 {
        match self {
            Self::A => 0,
            Self::B => 1,
            Self::C => 2,
            Self::D => 3,
            Self::E => 4,
            Self::F => 5,
        }
    }
}

/// The car that plugs into a simulated wallbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarSpec {
    /// 1 (draws on L1 only) or 3.
    pub phases: u8,
    /// The most current the car's on-board charger takes per phase, in A.
    pub max_current_a: f64,
    /// Energy the car takes before it is full and stops drawing, in kWh.
    pub energy_to_full_kwh: f64,
}

impl Default for CarSpec {
    fn default() -> Self {
        Self {
            phases: 3,
            max_current_a: 16.0,
            energy_to_full_kwh: 30.0,
        }
    }
}

impl CarSpec {
    /// For log lines: "3 phases, up to 16 A, 30 kWh to full".
    pub fn describe(&self) -> String {
        format!(
            "{} phase{}, up to {} A, {} kWh to full",
            self.phases,
            if self.phases == 1 { "" } else { "s" },
            self.max_current_a,
            self.energy_to_full_kwh
        )
    }

    /// Checks the values a user can get wrong; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.phases != 1 && self.phases != 3 {
            return Err(ConfigError::new("car phases", "must be 1 or 3"));
        }
        if !(self.max_current_a.is_finite() && self.max_current_a > 0.0) {
            return Err(ConfigError::new("car max current", "must be more than 0 A"));
        }
        if !(self.energy_to_full_kwh.is_finite() && self.energy_to_full_kwh > 0.0) {
            return Err(ConfigError::new(
                "car energy to full",
                "must be more than 0 kWh",
            ));
        }
        Ok(())
    }
}

/// A car that is plugged in, with what it has charged so far.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Car {
    pub(crate) spec: CarSpec,
    pub(crate) charged_wh: f64,
}

impl Car {
    pub(crate) fn new(spec: CarSpec) -> Self {
        Self {
            spec,
            charged_wh: 0.0,
        }
    }

    pub(crate) fn remaining_wh(&self) -> f64 {
        (self.spec.energy_to_full_kwh * 1000.0 - self.charged_wh).max(0.0)
    }

    pub(crate) fn is_full(&self) -> bool {
        self.remaining_wh() <= FULL_TOLERANCE_WH
    }

    /// Books energy, never beyond full.
    pub(crate) fn charge(&mut self, energy_wh: f64) {
        let capacity = self.spec.energy_to_full_kwh * 1000.0;
        self.charged_wh = (self.charged_wh + energy_wh).min(capacity);
        if self.remaining_wh() <= FULL_TOLERANCE_WH {
            self.charged_wh = capacity;
        }
    }
}

/// Energy in Wh of `current_a` at `voltage_v` (power factor 1) over `elapsed`.
pub(crate) fn energy_wh(voltage_v: f64, current_a: f64, elapsed: Duration) -> f64 {
    voltage_v * current_a * elapsed.as_secs_f64() / 3600.0
}

/// How long `power_w` takes to deliver `energy_wh`; `None` when it never will.
pub(crate) fn time_to_deliver(energy_wh: f64, power_w: f64) -> Option<Duration> {
    if power_w <= 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(energy_wh / power_w * 3600.0).ok()
}

/// What a meter sees of a simulated consumer at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoadSample {
    /// Current per phase (L1, L2, L3) in A.
    pub currents_a: [f64; 3],
    /// Energy drawn so far per phase in Wh (only ever grows).
    pub energy_wh: [f64; 3],
}

/// A simulated consumer a simulated meter can measure (for instance a wallbox with its car).
pub trait SimulatedLoad: Send + Sync + std::fmt::Debug {
    /// Brings the consumer's simulation up to `now` and reports it.
    fn sample(&self, now: tokio::time::Instant) -> LoadSample;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_amps_on_three_phases_for_an_hour_is_eleven_kwh() {
        let per_phase = energy_wh(230.0, 16.0, Duration::from_secs(3600));
        assert!((3.0 * per_phase - 11_040.0).abs() < 1e-9);
    }

    #[test]
    fn a_car_never_charges_beyond_full() {
        let mut car = Car::new(CarSpec {
            energy_to_full_kwh: 1.0,
            ..CarSpec::default()
        });
        car.charge(600.0);
        assert!(!car.is_full());
        car.charge(600.0);
        assert!(car.is_full());
        assert!((car.charged_wh - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn car_validation_names_the_field() {
        let error = CarSpec {
            phases: 2,
            ..CarSpec::default()
        }
        .validate()
        .err()
        .map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("car phases: must be 1 or 3"));
    }
}
