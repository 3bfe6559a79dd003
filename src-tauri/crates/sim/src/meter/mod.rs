//! Simulated energy meters: an Eastron SDM630 / SDM72D-M V2 (input registers, float32) or the S0
//! meter inputs of a Power Brain (its holding register meter block). Both measure a household base
//! load per phase plus whatever linked simulated wallboxes draw.

mod model;
pub mod registers;

use std::sync::{Arc, Mutex};

use tokio::time::Instant;
use tokio_modbus::ExceptionCode;

use crate::error::ConfigError;
use crate::lock::lock;
use crate::physics::{SimulatedLoad, DEFAULT_VOLTAGE_V};
use crate::powerbrain::PowerBrainSim;
use model::MeterModel;

/// Which register map the meter serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterKind {
    /// Eastron SDM630 (and SDM72D-M V2, same map): function 04, float32 values.
    Sdm630,
    /// The S0 meter units of a Power Brain: function 03, registers 8058–8069.
    PowerBrainS0,
}

/// How a simulated meter starts.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterConfig {
    /// Shown in log lines.
    pub name: String,
    pub kind: MeterKind,
    pub voltage_v: f64,
    pub frequency_hz: f64,
    /// Household base load per phase (L1, L2, L3) in A; negative = feed-in.
    pub household_a: [f64; 3],
    /// Import counter at power-on, spread evenly over the phases.
    pub initial_import_kwh: f64,
    /// Longer reads are answered with exception 03 (SDM630 only).
    pub max_registers_per_read: u16,
}

impl Default for MeterConfig {
    fn default() -> Self {
        Self {
            name: "sdm630".to_owned(),
            kind: MeterKind::Sdm630,
            voltage_v: DEFAULT_VOLTAGE_V,
            frequency_hz: 50.0,
            household_a: [0.0; 3],
            initial_import_kwh: 0.0,
            max_registers_per_read: 80,
        }
    }
}

/// What a test or a status line wants to know about a simulated meter.
#[derive(Debug, Clone, PartialEq)]
pub struct MeterSnapshot {
    pub voltage_v: f64,
    pub frequency_hz: f64,
    pub household_a: [f64; 3],
    /// Net current per phase in A (negative = feed-in; the SDM630 registers show magnitudes).
    pub currents_a: [f64; 3],
    pub powers_w: [f64; 3],
    pub total_power_w: f64,
    pub import_wh: f64,
    pub export_wh: f64,
    pub import_wh_per_phase: [f64; 3],
    /// Modbus requests that reached this unit.
    pub requests: u64,
}

/// Handle to one simulated meter; clones share the same device.
#[derive(Debug, Clone)]
pub struct MeterSim {
    kind: MeterKind,
    max_registers_per_read: u16,
    model: Arc<Mutex<MeterModel>>,
}

impl MeterSim {
    pub fn new(config: MeterConfig) -> Result<Self, ConfigError> {
        Self::new_at(config, Instant::now())
    }

    pub fn new_at(config: MeterConfig, start: Instant) -> Result<Self, ConfigError> {
        check_household(config.household_a)?;
        if !(config.voltage_v.is_finite() && config.voltage_v > 0.0) {
            return Err(ConfigError::new("voltage", "must be more than 0 V"));
        }
        if !(config.frequency_hz.is_finite() && config.frequency_hz > 0.0) {
            return Err(ConfigError::new("frequency", "must be more than 0 Hz"));
        }
        if !(config.initial_import_kwh.is_finite() && config.initial_import_kwh >= 0.0) {
            return Err(ConfigError::new("initial import", "must be 0 kWh or more"));
        }
        if config.max_registers_per_read == 0 {
            return Err(ConfigError::new(
                "max registers per read",
                "must be at least 1",
            ));
        }
        let initial_wh = config.initial_import_kwh * 1000.0 / 3.0;
        Ok(Self {
            kind: config.kind,
            max_registers_per_read: config.max_registers_per_read,
            model: Arc::new(Mutex::new(MeterModel {
                name: config.name,
                voltage_v: config.voltage_v,
                frequency_hz: config.frequency_hz,
                household_a: config.household_a,
                import_wh: [initial_wh; 3],
                export_wh: [0.0; 3],
                links: Vec::new(),
                advanced_to: start,
                requests: 0,
            })),
        })
    }

    pub fn kind(&self) -> MeterKind {
        self.kind
    }

    /// Sets the household base load per phase (L1, L2, L3) in A from now on.
    pub fn set_household_load(&self, household_a: [f64; 3]) -> Result<(), ConfigError> {
        self.set_household_load_at(household_a, Instant::now())
    }

    pub fn set_household_load_at(
        &self,
        household_a: [f64; 3],
        now: Instant,
    ) -> Result<(), ConfigError> {
        check_household(household_a)?;
        let mut model = lock(&self.model);
        model.advance_to(now);
        model.household_a = household_a;
        Ok(())
    }

    /// From now on the meter also measures what this wallbox's car draws.
    pub fn link_wallbox(&self, wallbox: &PowerBrainSim) {
        self.link_load(Arc::new(wallbox.clone()));
    }

    /// From now on the meter also measures this simulated consumer.
    pub fn link_load(&self, load: Arc<dyn SimulatedLoad>) {
        lock(&self.model).link(load, Instant::now());
    }

    pub fn snapshot(&self) -> MeterSnapshot {
        self.snapshot_at(Instant::now())
    }

    pub fn snapshot_at(&self, now: Instant) -> MeterSnapshot {
        let mut model = lock(&self.model);
        model.advance_to(now);
        MeterSnapshot {
            voltage_v: model.voltage_v,
            frequency_hz: model.frequency_hz,
            household_a: model.household_a,
            currents_a: model.currents_a(),
            powers_w: model.powers_w(),
            total_power_w: model.total_power_w(),
            import_wh: model.total_import_wh(),
            export_wh: model.total_export_wh(),
            import_wh_per_phase: model.import_wh,
            requests: model.requests,
        }
    }

    pub(crate) fn name(&self) -> String {
        lock(&self.model).name.clone()
    }

    pub(crate) fn note_traffic(&self) {
        lock(&self.model).requests += 1;
    }

    pub(crate) fn read_input(
        &self,
        address: u16,
        count: u16,
        now: Instant,
    ) -> Result<Vec<u16>, ExceptionCode> {
        match self.kind {
            MeterKind::Sdm630 => {
                let mut model = lock(&self.model);
                model.advance_to(now);
                registers::read_sdm630(&model, address, count, self.max_registers_per_read)
            }
            // The Power Brain has holding registers only.
            MeterKind::PowerBrainS0 => Err(ExceptionCode::IllegalFunction),
        }
    }

    pub(crate) fn read_holding(
        &self,
        address: u16,
        count: u16,
        now: Instant,
    ) -> Result<Vec<u16>, ExceptionCode> {
        match self.kind {
            // The SDM630's holding registers are its settings, which are not simulated.
            MeterKind::Sdm630 => Err(ExceptionCode::IllegalDataAddress),
            MeterKind::PowerBrainS0 => {
                let mut model = lock(&self.model);
                model.advance_to(now);
                registers::read_s0(&model, address, count)
            }
        }
    }
}

fn check_household(household_a: [f64; 3]) -> Result<(), ConfigError> {
    for (phase, current) in household_a.into_iter().enumerate() {
        if !(current.is_finite() && current.abs() <= 1000.0) {
            return Err(ConfigError::new(
                format!("household load L{}", phase + 1),
                format!("{current} A is not a current between -1000 and 1000 A"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
