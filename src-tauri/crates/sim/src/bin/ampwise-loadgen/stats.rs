//! What a phase counts: messages, latencies and failures.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::charge_point::Failure;

/// Latency percentiles in microseconds (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub samples: usize,
    pub mean_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub max_us: f64,
}

/// Collects latencies; the percentiles are computed once, at the end of a phase.
#[derive(Debug, Default)]
pub struct Latencies {
    nanos: Vec<u64>,
}

impl Latencies {
    pub fn record(&mut self, latency: Duration) {
        self.nanos
            .push(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
    }

    pub fn percentiles(&mut self) -> Option<Percentiles> {
        if self.nanos.is_empty() {
            return None;
        }
        self.nanos.sort_unstable();
        let n = self.nanos.len();
        let at = |quantile: f64| {
            // Nearest rank: the smallest sample with at least `quantile` of all samples at or below it.
            let rank = (quantile * n as f64).ceil() as usize;
            micros(self.nanos[rank.clamp(1, n) - 1])
        };
        let sum: u128 = self.nanos.iter().map(|&ns| u128::from(ns)).sum();
        Some(Percentiles {
            samples: n,
            mean_us: round(sum as f64 / n as f64 / 1000.0),
            p50_us: at(0.50),
            p90_us: at(0.90),
            p99_us: at(0.99),
            p999_us: at(0.999),
            max_us: micros(self.nanos[n - 1]),
        })
    }
}

fn micros(nanos: u64) -> f64 {
    round(nanos as f64 / 1000.0)
}

/// One decimal is all a reader needs; it keeps the JSON readable.
pub fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Failures by kind, with the first message of each kind for the reader.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Failures {
    pub total: u64,
    pub by_kind: BTreeMap<&'static str, FailureCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureCount {
    pub count: u64,
    pub first: String,
}

impl Failures {
    pub fn record(&mut self, failure: &Failure) {
        self.total += 1;
        self.by_kind
            .entry(failure.kind())
            .and_modify(|entry| entry.count += 1)
            .or_insert_with(|| FailureCount {
                count: 1,
                first: failure.to_string(),
            });
    }
}

/// The counters of one measured phase, shared by every charge point of the generator's one thread.
#[derive(Debug, Default)]
pub struct PhaseCounters {
    pub sent: u64,
    pub answered: u64,
    pub latencies: Latencies,
    pub failures: Failures,
    /// How far behind schedule CALLs of the fixed-rate phase went out.
    pub max_send_lag: Duration,
    /// CALLs of the fixed-rate phase sent more than [`LATE_SEND`] after their time.
    pub late_sends: u64,
    /// Connections lost during the phase.
    pub lost: u64,
}

/// A send this late means the generator (or a slow answer before it) fell behind the schedule.
pub const LATE_SEND: Duration = Duration::from_millis(5);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut latencies = Latencies::default();
        assert!(latencies.percentiles().is_none());
        for micros in (1..=1000).rev() {
            latencies.record(Duration::from_micros(micros));
        }
        let p = latencies.percentiles().unwrap();
        assert_eq!(p.samples, 1000);
        assert_eq!(p.p50_us, 500.0);
        assert_eq!(p.p90_us, 900.0);
        assert_eq!(p.p99_us, 990.0);
        assert_eq!(p.p999_us, 999.0);
        assert_eq!(p.max_us, 1000.0);
        assert_eq!(p.mean_us, 500.5);
    }

    #[test]
    fn one_sample_is_every_percentile() {
        let mut latencies = Latencies::default();
        latencies.record(Duration::from_nanos(1_250));
        let p = latencies.percentiles().unwrap();
        assert_eq!((p.p50_us, p.p999_us, p.max_us), (1.3, 1.3, 1.3));
    }

    #[test]
    fn failures_count_by_kind_and_keep_the_first_message() {
        let mut failures = Failures::default();
        failures.record(&Failure::Timeout("booting"));
        failures.record(&Failure::Timeout("waiting for an answer"));
        failures.record(&Failure::Refused);
        assert_eq!(failures.total, 3);
        assert_eq!(failures.by_kind["timeout"].count, 2);
        assert_eq!(failures.by_kind["timeout"].first, "timed out while booting");
        assert_eq!(failures.by_kind["refused"].count, 1);
    }
}
