//! The Power Brain's state and how it changes with time: the car, the CP state machine, the
//! fail-safe timer and the built-in meter.
//!
//! Time is always passed in. `advance_to` walks from the last instant to the new one in steps
//! that end at every event (car plugs in, fail-safe expires, CP interruption ends, car becomes
//! full), so energy is integrated exactly and the result does not depend on how often anyone
//! looks.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::physics::{self, Car, CarSpec, CpState, MIN_CHARGING_CURRENT_A};

/// Limits in 0.1 A as the registers hold them: 6 A (IEC 61851 minimum) to 63 A (model cap).
pub(crate) const MIN_LIMIT_DA: u16 = 60;
pub(crate) const MAX_LIMIT_DA: u16 = 630;

/// More events than this in one step would mean a bug; the rest of the time is then integrated
/// without further events rather than looping forever.
const MAX_EVENTS_PER_ADVANCE: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WriteCounters {
    pub(crate) per_register: BTreeMap<u16, u64>,
    pub(crate) flash: u64,
    pub(crate) rejected: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct PowerBrainModel {
    pub(crate) unit_name: String,
    pub(crate) voltage_v: f64,
    pub(crate) has_meter: bool,
    pub(crate) cable_current_da: u16,
    pub(crate) limit_da: u16,
    pub(crate) enabled: bool,
    pub(crate) fail_safe_duration_s: u32,
    pub(crate) fail_safe_current_da: u16,
    pub(crate) relay_select: u16,
    pub(crate) cp_interrupted_until: Option<Instant>,
    pub(crate) car: Option<Car>,
    pub(crate) scheduled_car: Option<(Instant, CarSpec)>,
    pub(crate) forced_cp_state: Option<CpState>,
    pub(crate) rfid: String,
    pub(crate) energy_wh: [f64; 3],
    pub(crate) advanced_to: Instant,
    pub(crate) last_traffic: Instant,
    pub(crate) fail_safe_active: bool,
    pub(crate) requests: u64,
    pub(crate) writes: WriteCounters,
}

impl PowerBrainModel {
    /// Moves the simulation forward to `now`; earlier instants are ignored (time never runs back).
    pub(crate) fn advance_to(&mut self, now: Instant) {
        for _ in 0..MAX_EVENTS_PER_ADVANCE {
            self.apply_due_events();
            if now <= self.advanced_to {
                return;
            }
            let step_end = self
                .next_event()
                .filter(|&event| event > self.advanced_to)
                .map_or(now, |event| event.min(now));
            self.integrate(step_end - self.advanced_to);
            self.advanced_to = step_end;
        }
        if now > self.advanced_to {
            self.integrate(now - self.advanced_to);
            self.advanced_to = now;
        }
    }

    /// A request reached this unit: the fail-safe timer starts again.
    pub(crate) fn note_traffic(&mut self, now: Instant) {
        self.advance_to(now);
        self.requests += 1;
        self.last_traffic = now.max(self.last_traffic);
        if self.fail_safe_active {
            tracing::info!(unit = %self.unit_name, "Modbus traffic again: fail-safe timer re-armed");
        }
        self.fail_safe_active = false;
    }

    pub(crate) fn cp_state(&self) -> CpState {
        if let Some(forced) = self.forced_cp_state {
            return forced;
        }
        match &self.car {
            None => CpState::A,
            Some(car) if self.may_charge(car) => CpState::C,
            Some(_) => CpState::B,
        }
    }

    fn may_charge(&self, car: &Car) -> bool {
        self.enabled
            && self.limit_da >= MIN_LIMIT_DA
            && !car.is_full()
            && self.cp_interrupted_until.is_none()
    }

    /// Current drawn per phase (L1, L2, L3) in A right now.
    pub(crate) fn phase_currents_a(&self) -> [f64; 3] {
        let Some(car) = &self.car else {
            return [0.0; 3];
        };
        if self.cp_state() != CpState::C || !self.may_charge(car) {
            return [0.0; 3];
        }
        let mut current = (f64::from(self.limit_da) / 10.0).min(car.spec.max_current_a);
        if self.cable_current_da > 0 {
            current = current.min(f64::from(self.cable_current_da) / 10.0);
        }
        if current < MIN_CHARGING_CURRENT_A {
            return [0.0; 3];
        }
        // relay_select = 1 switches the wallbox to one phase whatever the car could take.
        if car.spec.phases == 1 || self.relay_select == 1 {
            [current, 0.0, 0.0]
        } else {
            [current; 3]
        }
    }

    pub(crate) fn power_w(&self) -> f64 {
        self.phase_currents_a().iter().sum::<f64>() * self.voltage_v
    }

    pub(crate) fn total_energy_wh(&self) -> f64 {
        self.energy_wh.iter().sum()
    }

    fn fail_safe_deadline(&self) -> Option<Instant> {
        if self.fail_safe_active || self.fail_safe_duration_s == 0 {
            return None;
        }
        Some(self.last_traffic + Duration::from_secs(u64::from(self.fail_safe_duration_s)))
    }

    fn car_full_at(&self) -> Option<Instant> {
        let car = self.car.as_ref()?;
        let after = physics::time_to_deliver(car.remaining_wh(), self.power_w())?;
        self.advanced_to.checked_add(after)
    }

    fn next_event(&self) -> Option<Instant> {
        [
            self.scheduled_car.map(|(at, _)| at),
            self.cp_interrupted_until,
            self.fail_safe_deadline(),
            self.car_full_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn apply_due_events(&mut self) {
        let now = self.advanced_to;
        if let Some((at, spec)) = self.scheduled_car {
            if at <= now {
                self.scheduled_car = None;
                self.car = Some(Car::new(spec));
                tracing::info!(unit = %self.unit_name, "car plugged in: {}", spec.describe());
            }
        }
        if self.cp_interrupted_until.is_some_and(|until| until <= now) {
            self.cp_interrupted_until = None;
            tracing::info!(unit = %self.unit_name, "CP interruption over");
        }
        if self
            .fail_safe_deadline()
            .is_some_and(|deadline| deadline <= now)
        {
            self.enter_fail_safe();
        }
    }

    fn enter_fail_safe(&mut self) {
        self.fail_safe_active = true;
        if self.fail_safe_current_da == 0 {
            self.enabled = false;
        } else {
            self.limit_da = self.fail_safe_current_da;
            self.enabled = true;
        }
        tracing::warn!(
            unit = %self.unit_name,
            fail_safe_current_a = f64::from(self.fail_safe_current_da) / 10.0,
            "no Modbus traffic for {} s: fail-safe", self.fail_safe_duration_s
        );
    }

    fn integrate(&mut self, elapsed: Duration) {
        let currents = self.phase_currents_a();
        let mut delivered = 0.0;
        for (energy, current) in self.energy_wh.iter_mut().zip(currents) {
            let step = physics::energy_wh(self.voltage_v, current, elapsed);
            *energy += step;
            delivered += step;
        }
        if let Some(car) = &mut self.car {
            let was_full = car.is_full();
            car.charge(delivered);
            if car.is_full() && !was_full {
                tracing::info!(unit = %self.unit_name, "car is full and stops drawing");
            }
        }
    }

    /// Seconds left of a CP interruption (register 8086 reads it back).
    pub(crate) fn cp_interruption_left_s(&self) -> u16 {
        let Some(until) = self.cp_interrupted_until else {
            return 0;
        };
        let left = until.saturating_duration_since(self.advanced_to);
        let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        u16::try_from(seconds).unwrap_or(u16::MAX)
    }
}
