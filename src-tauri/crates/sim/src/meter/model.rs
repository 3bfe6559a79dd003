//! A meter's view of the installation: a household base load per phase plus linked simulated
//! consumers, with energy counters.
//!
//! The linked consumers integrate their own energy exactly, so the meter takes their energy as
//! the difference of their counters between two looks instead of sampling their current. Import
//! and export are split per phase on the net energy between two looks; that is exact whenever
//! the net power keeps its sign in between, which holds unless a negative household load (feed-in)
//! and a wallbox swap sides within one polling interval.

use std::sync::Arc;

use tokio::time::Instant;

use crate::physics::{self, SimulatedLoad};

#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) load: Arc<dyn SimulatedLoad>,
    pub(crate) seen_energy_wh: [f64; 3],
    pub(crate) currents_a: [f64; 3],
}

#[derive(Debug)]
pub(crate) struct MeterModel {
    pub(crate) name: String,
    pub(crate) voltage_v: f64,
    pub(crate) frequency_hz: f64,
    pub(crate) household_a: [f64; 3],
    pub(crate) import_wh: [f64; 3],
    pub(crate) export_wh: [f64; 3],
    pub(crate) links: Vec<Link>,
    pub(crate) advanced_to: Instant,
    pub(crate) requests: u64,
}

impl MeterModel {
    pub(crate) fn advance_to(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.advanced_to);
        let mut net_wh: [f64; 3] = std::array::from_fn(|phase| {
            physics::energy_wh(self.voltage_v, self.household_a[phase], elapsed)
        });
        for link in &mut self.links {
            let sample = link.load.sample(now);
            for (phase, net) in net_wh.iter_mut().enumerate() {
                *net += sample.energy_wh[phase] - link.seen_energy_wh[phase];
            }
            link.seen_energy_wh = sample.energy_wh;
            link.currents_a = sample.currents_a;
        }
        for (phase, net) in net_wh.into_iter().enumerate() {
            if net >= 0.0 {
                self.import_wh[phase] += net;
            } else {
                self.export_wh[phase] -= net;
            }
        }
        self.advanced_to = self.advanced_to.max(now);
    }

    pub(crate) fn link(&mut self, load: Arc<dyn SimulatedLoad>, now: Instant) {
        self.advance_to(now);
        let sample = load.sample(now);
        self.links.push(Link {
            load,
            seen_energy_wh: sample.energy_wh,
            currents_a: sample.currents_a,
        });
    }

    /// Net current per phase in A: positive draws from the grid, negative feeds in.
    pub(crate) fn currents_a(&self) -> [f64; 3] {
        std::array::from_fn(|phase| {
            self.household_a[phase]
                + self
                    .links
                    .iter()
                    .map(|link| link.currents_a[phase])
                    .sum::<f64>()
        })
    }

    pub(crate) fn powers_w(&self) -> [f64; 3] {
        self.currents_a().map(|current| current * self.voltage_v)
    }

    pub(crate) fn total_power_w(&self) -> f64 {
        self.powers_w().iter().sum()
    }

    pub(crate) fn total_import_wh(&self) -> f64 {
        self.import_wh.iter().sum()
    }

    pub(crate) fn total_export_wh(&self) -> f64 {
        self.export_wh.iter().sum()
    }
}
