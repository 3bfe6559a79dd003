//! The summary: JSON for scripts, one line per phase for people.

use std::time::Duration;

use serde::Serialize;

use crate::options::PhaseName;
use crate::proc_stats::Memory;
use crate::stats::{round, Failures, Percentiles, PhaseCounters};

#[derive(Debug, Serialize)]
pub struct Report {
    pub generator: &'static str,
    pub url: String,
    pub count: usize,
    pub mix: Vec<String>,
    pub server_pid: Option<u32>,
    pub open_files_limit: Option<u64>,
    pub server_memory_before_connect: Option<Memory>,
    pub connect: ConnectReport,
    pub phases: Vec<PhaseReport>,
    /// Connections that failed while no measured phase ran.
    pub lost_outside_phases: Failures,
    /// CALLs the central system sent to the charge points (configuration is answered as a
    /// wallbox would, anything else with NotSupported).
    pub central_system_calls: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ConnectReport {
    pub attempted: usize,
    pub connected: usize,
    /// From the first attempt until the last one ended (booted or failed).
    pub seconds: f64,
    pub connections_per_s: f64,
    /// TCP connect, WebSocket upgrade and an accepted BootNotification, per charge point.
    pub latency: Option<Percentiles>,
    pub failures: Failures,
    /// Attempts still unfinished when the connect phase's time was up.
    pub unfinished: usize,
    pub server_cpu_s: Option<f64>,
    pub server_cpu_us_per_connection: Option<f64>,
    pub generator_cpu_s: Option<f64>,
}

impl ConnectReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        attempted: usize,
        connected: usize,
        seconds: f64,
        latency: Option<Percentiles>,
        failures: Failures,
        server_cpu: Option<Duration>,
        generator_cpu: Option<Duration>,
        unfinished: usize,
    ) -> Self {
        Self {
            attempted,
            connected,
            seconds: round3(seconds),
            connections_per_s: per_second(connected as u64, seconds),
            latency,
            failures,
            unfinished,
            server_cpu_s: server_cpu.map(|cpu| round3(cpu.as_secs_f64())),
            server_cpu_us_per_connection: server_cpu
                .and_then(|cpu| micros_per(cpu, connected as u64)),
            generator_cpu_s: generator_cpu.map(|cpu| round3(cpu.as_secs_f64())),
        }
    }

    pub fn line(&self) -> String {
        let mut line = format!(
            "connect: {}/{} charge points in {:.2} s ({:.0}/s)",
            self.connected, self.attempted, self.seconds, self.connections_per_s
        );
        if let Some(latency) = &self.latency {
            line += &format!(
                ", each p50 {} p99 {}",
                show_us(latency.p50_us),
                show_us(latency.p99_us)
            );
        }
        if let Some(cpu) = self.server_cpu_us_per_connection {
            line += &format!(", server {} CPU per connection", show_us(cpu));
        }
        line + &failures_text(&self.failures)
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum PhaseReport {
    Load(LoadReport),
    Hold(HoldReport),
}

impl PhaseReport {
    pub fn name(&self) -> &'static str {
        match self {
            PhaseReport::Load(load) if load.target_rate.is_some() => "fixed rate",
            PhaseReport::Load(_) => "closed loop",
            PhaseReport::Hold(_) => "hold",
        }
    }

    pub fn other_cpu_share(&self) -> Option<f64> {
        match self {
            PhaseReport::Load(load) => load.other_cpu_share,
            PhaseReport::Hold(hold) => hold.other_cpu_share,
        }
    }

    pub fn line(&self) -> String {
        match self {
            PhaseReport::Load(load) => load.line(),
            PhaseReport::Hold(hold) => hold.line(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LoadReport {
    pub phase: PhaseName,
    pub charge_points: usize,
    pub target_rate: Option<u32>,
    /// From the start of the phase until the last CALL was answered.
    pub seconds: f64,
    pub sent: u64,
    pub answered: u64,
    pub messages_per_s: f64,
    /// From sending a CALL until its answer was read.
    pub latency: Option<Percentiles>,
    pub failures: Failures,
    pub lost_connections: u64,
    pub late_sends: Option<u64>,
    pub max_send_lag_ms: Option<f64>,
    pub server_cpu_s: Option<f64>,
    /// Server CPU time (user + system, all threads) over the phase, per answered CALL.
    pub server_cpu_us_per_message: Option<f64>,
    /// Of one core.
    pub server_cpu_share: Option<f64>,
    pub generator_cpu_share: Option<f64>,
    /// Of one core: what other processes on the machine used meanwhile (should be near 0).
    pub other_cpu_share: Option<f64>,
}

impl LoadReport {
    pub fn new(
        phase: PhaseName,
        charge_points: usize,
        target_rate: Option<u32>,
        elapsed: Duration,
        mut counters: PhaseCounters,
        server_cpu: Option<Duration>,
        generator_cpu: Option<Duration>,
    ) -> Self {
        let seconds = elapsed.as_secs_f64();
        let rate_phase = target_rate.is_some();
        Self {
            phase,
            charge_points,
            target_rate,
            seconds: round3(seconds),
            sent: counters.sent,
            answered: counters.answered,
            messages_per_s: per_second(counters.answered, seconds),
            latency: counters.latencies.percentiles(),
            failures: counters.failures,
            lost_connections: counters.lost,
            late_sends: rate_phase.then_some(counters.late_sends),
            max_send_lag_ms: rate_phase
                .then(|| round3(counters.max_send_lag.as_secs_f64() * 1000.0)),
            server_cpu_s: server_cpu.map(|cpu| round3(cpu.as_secs_f64())),
            server_cpu_us_per_message: server_cpu
                .and_then(|cpu| micros_per(cpu, counters.answered)),
            server_cpu_share: server_cpu.map(|cpu| share(cpu, seconds)),
            generator_cpu_share: generator_cpu.map(|cpu| share(cpu, seconds)),
            other_cpu_share: None,
        }
    }

    pub fn with_other_cpu(mut self, others: Option<Duration>) -> Self {
        self.other_cpu_share = others.map(|cpu| share(cpu, self.seconds));
        self
    }

    pub fn line(&self) -> String {
        let mut line = match self.target_rate {
            Some(rate) => format!(
                "fixed rate: {rate} msg/s over {} charge points for {:.1} s, {:.0} msg/s answered",
                self.charge_points, self.seconds, self.messages_per_s
            ),
            None => format!(
                "closed loop: {} charge points for {:.1} s, {:.0} msg/s",
                self.charge_points, self.seconds, self.messages_per_s
            ),
        };
        if let Some(latency) = &self.latency {
            line += &format!(
                ", latency p50 {} p99 {} max {}",
                show_us(latency.p50_us),
                show_us(latency.p99_us),
                show_us(latency.max_us)
            );
        }
        if let Some(cpu) = self.server_cpu_us_per_message {
            line += &format!(", server {} CPU/msg", show_us(cpu));
        }
        if let Some(share) = self.server_cpu_share {
            line += &format!(" ({:.0}% of a core)", share * 100.0);
        }
        if let Some(share) = self.generator_cpu_share {
            line += &format!(", generator {:.0}% of a core", share * 100.0);
        }
        if let Some(share) = self.other_cpu_share {
            line += &format!(", others {:.0}%", share * 100.0);
        }
        if let Some(late) = self.late_sends.filter(|late| *late > 0) {
            line += &format!(", {late} sends late");
        }
        line + &failures_text(&self.failures)
    }
}

#[derive(Debug, Serialize)]
pub struct HoldReport {
    pub phase: PhaseName,
    pub seconds: f64,
    pub connected_at_start: usize,
    pub connected_at_end: usize,
    pub server_memory_at_start: Option<Memory>,
    pub server_memory_at_end: Option<Memory>,
    /// (RSS at the end − RSS before the first connection) / connections held.
    pub server_rss_per_connection_kib: Option<f64>,
    /// Of one core, while every charge point is idle.
    pub server_cpu_share: Option<f64>,
    pub generator_cpu_share: Option<f64>,
    pub other_cpu_share: Option<f64>,
}

impl HoldReport {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        elapsed: Duration,
        connected_at_start: usize,
        connected_at_end: usize,
        memory_before: Option<Memory>,
        memory_at_start: Option<Memory>,
        memory_at_end: Option<Memory>,
        server_cpu: Option<Duration>,
        generator_cpu: Option<Duration>,
    ) -> Self {
        let seconds = elapsed.as_secs_f64();
        let per_connection = match (memory_before, memory_at_end) {
            (Some(before), Some(end)) if connected_at_end > 0 => Some(round(
                (end.rss_kib as f64 - before.rss_kib as f64) / connected_at_end as f64,
            )),
            _ => None,
        };
        Self {
            phase: PhaseName::Hold,
            seconds: round3(seconds),
            connected_at_start,
            connected_at_end,
            server_memory_at_start: memory_at_start,
            server_memory_at_end: memory_at_end,
            server_rss_per_connection_kib: per_connection,
            server_cpu_share: server_cpu.map(|cpu| share(cpu, seconds)),
            generator_cpu_share: generator_cpu.map(|cpu| share(cpu, seconds)),
            other_cpu_share: None,
        }
    }

    pub fn with_other_cpu(mut self, others: Option<Duration>) -> Self {
        self.other_cpu_share = others.map(|cpu| share(cpu, self.seconds));
        self
    }

    pub fn line(&self) -> String {
        let mut line = format!(
            "hold: {}/{} charge points still connected after {:.1} s",
            self.connected_at_end, self.connected_at_start, self.seconds
        );
        if let (Some(per_connection), Some(end)) = (
            self.server_rss_per_connection_kib,
            self.server_memory_at_end,
        ) {
            line += &format!(
                ", server RSS {:.1} MiB, {per_connection:.1} KiB per connection",
                end.rss_kib as f64 / 1024.0
            );
        }
        if let Some(share) = self.server_cpu_share {
            line += &format!(", idle server {:.1}% of a core", share * 100.0);
        }
        line
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        round(count as f64 / seconds)
    } else {
        0.0
    }
}

fn micros_per(cpu: Duration, count: u64) -> Option<f64> {
    (count > 0).then(|| round(cpu.as_secs_f64() * 1e6 / count as f64))
}

fn share(cpu: Duration, seconds: f64) -> f64 {
    if seconds > 0.0 {
        round3(cpu.as_secs_f64() / seconds)
    } else {
        0.0
    }
}

fn show_us(micros: f64) -> String {
    if micros >= 1000.0 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{micros:.1} µs")
    }
}

fn failures_text(failures: &Failures) -> String {
    if failures.total == 0 {
        return ", no errors".to_owned();
    }
    let kinds: Vec<String> = failures
        .by_kind
        .iter()
        .map(|(kind, count)| format!("{} {kind} (first: {})", count.count, count.first))
        .collect();
    format!(", {} errors: {}", failures.total, kinds.join("; "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::charge_point::Failure;

    #[test]
    fn cpu_per_message_and_rate_come_from_the_counters() {
        let mut counters = PhaseCounters {
            sent: 2001,
            answered: 2000,
            ..PhaseCounters::default()
        };
        counters.latencies.record(Duration::from_micros(150));
        counters
            .failures
            .record(&Failure::CallError("SecurityError".into()));
        let report = LoadReport::new(
            PhaseName::Closed,
            10,
            None,
            Duration::from_secs(2),
            counters,
            Some(Duration::from_millis(30)),
            Some(Duration::from_secs(1)),
        );
        assert_eq!(report.messages_per_s, 1000.0);
        assert_eq!(report.server_cpu_us_per_message, Some(15.0));
        assert_eq!(report.server_cpu_share, Some(0.015));
        assert_eq!(report.generator_cpu_share, Some(0.5));
        assert_eq!(report.late_sends, None);
        let line = report.line();
        assert!(line.contains("1000 msg/s"), "{line}");
        assert!(line.contains("15.0 µs CPU/msg"), "{line}");
        assert!(line.contains("1 errors: 1 call_error"), "{line}");
    }

    #[test]
    fn memory_per_connection_is_the_growth_over_the_connections_held() {
        let memory = |rss_kib| Memory {
            rss_kib,
            peak_rss_kib: rss_kib,
        };
        let report = HoldReport::new(
            Duration::from_secs(5),
            1000,
            1000,
            Some(memory(10_000)),
            Some(memory(19_000)),
            Some(memory(20_000)),
            None,
            None,
        );
        assert_eq!(report.server_rss_per_connection_kib, Some(10.0));
        assert!(report.line().contains("10.0 KiB per connection"));
        let nobody = HoldReport::new(
            Duration::from_secs(1),
            0,
            0,
            Some(memory(1)),
            None,
            Some(memory(2)),
            None,
            None,
        );
        assert_eq!(nobody.server_rss_per_connection_kib, None);
    }
}
