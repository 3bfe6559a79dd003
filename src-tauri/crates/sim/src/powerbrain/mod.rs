//! A simulated cFos Power Brain wallbox: the holding registers of its Modbus interface, a car
//! that plugs in, the IEC 61851 CP states, the fail-safe timer and the built-in meter.

mod model;
pub mod registers;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_modbus::ExceptionCode;

use crate::error::ConfigError;
use crate::lock::lock;
use crate::physics::{
    Car, CarSpec, CpState, LoadSample, SimulatedLoad, DEFAULT_VOLTAGE_V, MIN_CHARGING_CURRENT_A,
};
use model::{PowerBrainModel, WriteCounters, MAX_LIMIT_DA};

/// How a simulated Power Brain starts.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerBrainConfig {
    /// Shown in log lines to tell several simulators apart.
    pub name: String,
    pub voltage_v: f64,
    /// Current rating of the cable (register 8090); 0 = no cable. Caps what the car draws.
    pub cable_current_a: f64,
    /// charging_cur_limit at power-on, 6–63 A.
    pub initial_limit_a: f64,
    /// charging_enable at power-on.
    pub initially_enabled: bool,
    /// Seconds without Modbus traffic before the fail-safe applies (register 8083); 0 = never.
    pub fail_safe_duration_s: u32,
    /// Current after the fail-safe (register 8085), 0 = stop charging, else 6–63 A.
    pub fail_safe_current_a: f64,
    /// Meter reading at power-on.
    pub initial_energy_wh: u64,
    /// Register 8112; without a meter the block 8058–8069 reads 0.
    pub has_meter: bool,
    /// A car that plugs in by itself this long after the simulator starts.
    pub scheduled_car: Option<ScheduledCar>,
}

/// A car that plugs in on its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduledCar {
    pub after: Duration,
    pub car: CarSpec,
}

impl Default for PowerBrainConfig {
    fn default() -> Self {
        Self {
            name: "powerbrain".to_owned(),
            voltage_v: DEFAULT_VOLTAGE_V,
            cable_current_a: 32.0,
            initial_limit_a: 16.0,
            initially_enabled: true,
            fail_safe_duration_s: 300,
            fail_safe_current_a: 0.0,
            initial_energy_wh: 0,
            has_meter: true,
            scheduled_car: None,
        }
    }
}

/// What a test or a status line wants to know about a simulated Power Brain.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerBrainSnapshot {
    pub cp_state: CpState,
    pub car_connected: bool,
    pub car_full: bool,
    /// Energy the current car has taken, in Wh.
    pub car_charged_wh: f64,
    pub charging_cur_limit_a: f64,
    pub charging_enabled: bool,
    /// 0 = three phases, 1 = one phase.
    pub relay_select: u16,
    pub phase_currents_a: [f64; 3],
    pub power_w: f64,
    /// The meter's reading in Wh (not rounded; the register holds whole Wh).
    pub energy_wh: f64,
    pub fail_safe_active: bool,
    pub fail_safe_duration_s: u32,
    pub fail_safe_current_a: f64,
    pub cp_interrupted: bool,
    pub cable_current_a: f64,
    pub rfid: String,
    /// Modbus requests that reached this unit.
    pub requests: u64,
    /// Accepted writes per register address (a multi-register write counts once per register).
    pub writes_per_register: BTreeMap<u16, u64>,
    /// Accepted writes to registers the real device keeps in flash.
    pub flash_writes: u64,
    /// Writes answered with an exception.
    pub rejected_writes: u64,
}

/// Handle to one simulated Power Brain; clones share the same device.
#[derive(Debug, Clone)]
pub struct PowerBrainSim {
    model: Arc<Mutex<PowerBrainModel>>,
}

impl PowerBrainSim {
    /// Starts a simulated Power Brain now (`tokio::time::Instant::now()`).
    pub fn new(config: PowerBrainConfig) -> Result<Self, ConfigError> {
        Self::new_at(config, Instant::now())
    }

    /// Starts a simulated Power Brain whose clock begins at `start`.
    pub fn new_at(config: PowerBrainConfig, start: Instant) -> Result<Self, ConfigError> {
        let limit_da = limit_register("initial charging limit", config.initial_limit_a)?;
        let fail_safe_current_da = if config.fail_safe_current_a == 0.0 {
            0
        } else {
            limit_register("fail-safe current", config.fail_safe_current_a)?
        };
        let cable_current_da = if config.cable_current_a == 0.0 {
            0
        } else {
            limit_register("cable current", config.cable_current_a)?
        };
        if !(config.voltage_v.is_finite() && config.voltage_v > 0.0) {
            return Err(ConfigError::new("voltage", "must be more than 0 V"));
        }
        let scheduled_car = match config.scheduled_car {
            Some(scheduled) => {
                scheduled.car.validate()?;
                let at = start
                    .checked_add(scheduled.after)
                    .ok_or_else(|| ConfigError::new("car plug-in time", "too far in the future"))?;
                Some((at, scheduled.car))
            }
            None => None,
        };
        let model = PowerBrainModel {
            unit_name: config.name,
            voltage_v: config.voltage_v,
            has_meter: config.has_meter,
            cable_current_da,
            limit_da,
            enabled: config.initially_enabled,
            fail_safe_duration_s: config.fail_safe_duration_s,
            fail_safe_current_da,
            relay_select: 0,
            cp_interrupted_until: None,
            car: None,
            scheduled_car,
            forced_cp_state: None,
            rfid: String::new(),
            // The built-in meter does not know phases of past energy; book it on L1.
            energy_wh: [config.initial_energy_wh as f64, 0.0, 0.0],
            advanced_to: start,
            last_traffic: start,
            fail_safe_active: false,
            requests: 0,
            writes: WriteCounters::default(),
        };
        Ok(Self {
            model: Arc::new(Mutex::new(model)),
        })
    }

    /// A car plugs in now (replacing any car that was plugged in).
    pub fn plug_in(&self, car: CarSpec) -> Result<(), ConfigError> {
        self.plug_in_at(car, Instant::now())
    }

    pub fn plug_in_at(&self, car: CarSpec, now: Instant) -> Result<(), ConfigError> {
        car.validate()?;
        let mut model = lock(&self.model);
        model.advance_to(now);
        model.scheduled_car = None;
        model.car = Some(Car::new(car));
        tracing::info!(unit = %model.unit_name, "car plugged in: {}", car.describe());
        Ok(())
    }

    /// The car leaves (a scheduled car that has not arrived yet does not come either).
    pub fn unplug(&self) {
        self.unplug_at(Instant::now());
    }

    pub fn unplug_at(&self, now: Instant) {
        let mut model = lock(&self.model);
        model.advance_to(now);
        model.scheduled_car = None;
        if model.car.take().is_some() {
            tracing::info!(unit = %model.unit_name, "car unplugged");
        }
    }

    /// Sets register 8096 (last RFID): up to 32 hexadecimal digits; "" clears it.
    pub fn set_rfid(&self, rfid: &str) -> Result<(), ConfigError> {
        let max = usize::from(registers::LAST_RFID_REGISTERS) * 2;
        if rfid.len() > max {
            return Err(ConfigError::new(
                "rfid",
                format!("at most {max} hexadecimal digits"),
            ));
        }
        if !rfid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ConfigError::new("rfid", "only hexadecimal digits 0-9, A-F"));
        }
        lock(&self.model).rfid = rfid.to_owned();
        Ok(())
    }

    /// Sets the cable rating (register 8090) in A; 0 = no cable.
    pub fn set_cable_current_a(&self, current_a: f64) -> Result<(), ConfigError> {
        let da = if current_a == 0.0 {
            0
        } else {
            limit_register("cable current", current_a)?
        };
        let mut model = lock(&self.model);
        model.advance_to(Instant::now());
        model.cable_current_da = da;
        Ok(())
    }

    /// Makes register 8092 report `state` whatever the car does (`None` = back to the model),
    /// for testing how a manager reacts to CP states D, E and F. Only state C draws current.
    pub fn force_cp_state(&self, state: Option<CpState>) {
        let mut model = lock(&self.model);
        model.advance_to(Instant::now());
        model.forced_cp_state = state;
    }

    /// Sets the write and request counters back to zero.
    pub fn reset_counters(&self) {
        let mut model = lock(&self.model);
        model.writes = WriteCounters::default();
        model.requests = 0;
    }

    pub fn snapshot(&self) -> PowerBrainSnapshot {
        self.snapshot_at(Instant::now())
    }

    /// The state at `now` (simulation time only moves forward: an earlier `now` shows the
    /// latest state).
    pub fn snapshot_at(&self, now: Instant) -> PowerBrainSnapshot {
        let mut model = lock(&self.model);
        model.advance_to(now);
        let car = model.car.as_ref();
        PowerBrainSnapshot {
            cp_state: model.cp_state(),
            car_connected: car.is_some(),
            car_full: car.is_some_and(Car::is_full),
            car_charged_wh: car.map_or(0.0, |car| car.charged_wh),
            charging_cur_limit_a: f64::from(model.limit_da) / 10.0,
            charging_enabled: model.enabled,
            relay_select: model.relay_select,
            phase_currents_a: model.phase_currents_a(),
            power_w: model.power_w(),
            energy_wh: model.total_energy_wh(),
            fail_safe_active: model.fail_safe_active,
            fail_safe_duration_s: model.fail_safe_duration_s,
            fail_safe_current_a: f64::from(model.fail_safe_current_da) / 10.0,
            cp_interrupted: model.cp_interrupted_until.is_some(),
            cable_current_a: f64::from(model.cable_current_da) / 10.0,
            rfid: model.rfid.clone(),
            requests: model.requests,
            writes_per_register: model.writes.per_register.clone(),
            flash_writes: model.writes.flash,
            rejected_writes: model.writes.rejected,
        }
    }

    pub(crate) fn name(&self) -> String {
        lock(&self.model).unit_name.clone()
    }

    /// A request reached this unit (resets the fail-safe timer).
    pub(crate) fn note_traffic(&self, now: Instant) {
        lock(&self.model).note_traffic(now);
    }

    pub(crate) fn read_holding(
        &self,
        address: u16,
        count: u16,
        now: Instant,
    ) -> Result<Vec<u16>, ExceptionCode> {
        let mut model = lock(&self.model);
        model.advance_to(now);
        registers::read(&model, address, count)
    }

    pub(crate) fn write(
        &self,
        address: u16,
        values: &[u16],
        now: Instant,
    ) -> Result<(), ExceptionCode> {
        let mut model = lock(&self.model);
        model.advance_to(now);
        registers::write(&mut model, address, values, now)
    }
}

impl SimulatedLoad for PowerBrainSim {
    fn sample(&self, now: Instant) -> LoadSample {
        let mut model = lock(&self.model);
        model.advance_to(now);
        LoadSample {
            currents_a: model.phase_currents_a(),
            energy_wh: model.energy_wh,
        }
    }
}

/// A current in A as a register value in 0.1 A within the Power Brain's 6–63 A range.
fn limit_register(field: &str, current_a: f64) -> Result<u16, ConfigError> {
    let max_a = f64::from(MAX_LIMIT_DA) / 10.0;
    if !(MIN_CHARGING_CURRENT_A..=max_a).contains(&current_a) {
        return Err(ConfigError::new(
            field,
            format!("{current_a} A is outside {MIN_CHARGING_CURRENT_A}-{max_a} A"),
        ));
    }
    Ok((current_a * 10.0).round() as u16)
}

#[cfg(test)]
mod tests;
