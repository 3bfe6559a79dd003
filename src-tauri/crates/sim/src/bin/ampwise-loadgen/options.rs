//! The command line: what to connect to, how many charge points, which phases and for how long.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::frames::MessageKind;

/// The longest any single phase may be asked to run: the benchmark must stop by itself.
const MAX_PHASE_SECONDS: f64 = 3600.0;
/// More charge points than one client address has ephemeral ports for is not a benchmark.
const MAX_COUNT: usize = 25_000;

#[derive(Debug, Parser)]
#[command(
    name = "ampwise-loadgen",
    version,
    about = "Connects many simulated OCPP 1.6J charge points to a central system and measures it",
    long_about = "Connects many simulated OCPP 1.6J charge points to a central system and measures it.\n\n\
                  Each charge point connects to URL/ID-PREFIX<n> with the ocpp1.6 subprotocol and sends \
                  a BootNotification. Then the phases run in the order given: `closed` (every charge \
                  point sends its next CALL as soon as the previous one is answered), `rate` (a fixed \
                  total rate spread evenly over the charge points, latency per message) and `hold` \
                  (everyone stays connected and idle). With --server-pid the server's CPU time per \
                  answered message and its memory per connection are read from /proc (Linux).\n\n\
                  The JSON summary goes to standard output (or --json FILE), one line per phase to \
                  standard error. See docs/benchmarks.md."
)]
pub struct Cli {
    /// Base URL of the central system; `/<ID-PREFIX><n>` is appended for charge point n (ws:// only)
    #[arg(long, default_value = "ws://127.0.0.1:19520/ocpp")]
    pub url: String,
    /// How many charge points connect
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    /// Seconds each measured phase (`closed`, `rate`) runs
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Messages per second in the `rate` phase, all charge points together
    #[arg(long, default_value_t = 2000)]
    pub rate: u32,
    /// Phases in order, comma-separated; `connect` always runs first
    #[arg(
        long,
        alias = "phase",
        value_delimiter = ',',
        default_value = "connect,closed,rate,hold"
    )]
    pub phases: Vec<PhaseName>,
    /// CALLs the charge points cycle through, comma-separated; repeat a name to weight it
    #[arg(long, value_delimiter = ',', default_value = "heartbeat,status,meter")]
    pub mix: Vec<MessageKind>,
    /// Seconds the `hold` phase keeps every charge point connected
    #[arg(long, default_value_t = 5.0)]
    pub hold: f64,
    /// Seconds to wait after connecting before the server's memory is read (lets allocators settle)
    #[arg(long, default_value_t = 2.0)]
    pub settle: f64,
    /// Connection attempts in flight at once
    #[arg(long, default_value_t = 100)]
    pub connect_concurrency: usize,
    /// Seconds one connection attempt (TCP, WebSocket, BootNotification) or one CALL may take
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Seconds after which charge points not yet connecting give up
    #[arg(long, default_value_t = 120.0)]
    pub connect_deadline: f64,
    /// The server's process id: read its CPU time and memory from /proc around each phase
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// Clock ticks per second of /proc/PID/stat (`getconf CLK_TCK`)
    #[arg(long, default_value_t = 100)]
    pub clock_ticks: u64,
    /// Write the JSON summary to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Charge point identities are this prefix followed by the number
    #[arg(long, default_value = "LOADGEN-")]
    pub id_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    Connect,
    Closed,
    Rate,
    Hold,
}

/// The checked options the run works from.
#[derive(Debug, Clone)]
pub struct Options {
    pub url: String,
    pub count: usize,
    pub duration: Duration,
    pub rate: u32,
    /// The phases after `connect`, in order.
    pub phases: Vec<PhaseName>,
    pub mix: Vec<MessageKind>,
    pub hold: Duration,
    pub settle: Duration,
    pub connect_concurrency: usize,
    pub timeout: Duration,
    pub connect_deadline: Duration,
    pub server_pid: Option<u32>,
    pub clock_ticks: u64,
    pub json: Option<PathBuf>,
    pub id_prefix: String,
}

/// A bad option, named as it is written on the command line.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("--{option}: {problem}")]
pub struct OptionError {
    pub option: &'static str,
    pub problem: String,
}

fn problem(option: &'static str, problem: impl Into<String>) -> OptionError {
    OptionError {
        option,
        problem: problem.into(),
    }
}

fn seconds(option: &'static str, value: f64, allow_zero: bool) -> Result<Duration, OptionError> {
    let low_ok = if allow_zero {
        value >= 0.0
    } else {
        value > 0.0
    };
    if !value.is_finite() || !low_ok || value > MAX_PHASE_SECONDS {
        let low = if allow_zero { "0" } else { "above 0" };
        return Err(problem(
            option,
            format!("{value} is not a number of seconds from {low} to {MAX_PHASE_SECONDS}"),
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

impl Cli {
    pub fn check(self) -> Result<Options, OptionError> {
        let base = self.url.trim_end_matches('/');
        let Some(rest) = base.strip_prefix("ws://") else {
            return Err(problem(
                "url",
                format!(
                    "`{}` must start with ws:// (the benchmark runs on loopback without TLS)",
                    self.url
                ),
            ));
        };
        if rest.is_empty() {
            return Err(problem("url", "has no host"));
        }
        if self.count == 0 || self.count > MAX_COUNT {
            return Err(problem(
                "count",
                format!("{} is not from 1 to {MAX_COUNT}", self.count),
            ));
        }
        if self.rate == 0 {
            return Err(problem("rate", "must be at least 1 message per second"));
        }
        if self.mix.is_empty() {
            return Err(problem("mix", "names no message"));
        }
        if self.connect_concurrency == 0 {
            return Err(problem("connect-concurrency", "must be at least 1"));
        }
        if self.clock_ticks == 0 {
            return Err(problem("clock-ticks", "must be at least 1"));
        }
        if self.id_prefix.is_empty()
            || !self
                .id_prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(problem(
                "id-prefix",
                format!("`{}` must be letters, digits, `-` or `_`", self.id_prefix),
            ));
        }
        let mut phases = Vec::new();
        for phase in self.phases {
            if phases.contains(&phase) {
                return Err(problem("phases", format!("{phase:?} is listed twice")));
            }
            phases.push(phase);
        }
        phases.retain(|phase| *phase != PhaseName::Connect);
        Ok(Options {
            url: base.to_owned(),
            count: self.count,
            duration: seconds("duration", self.duration, false)?,
            rate: self.rate,
            phases,
            mix: self.mix,
            hold: seconds("hold", self.hold, true)?,
            settle: seconds("settle", self.settle, true)?,
            connect_concurrency: self.connect_concurrency,
            timeout: seconds("timeout", self.timeout, false)?,
            connect_deadline: seconds("connect-deadline", self.connect_deadline, false)?,
            server_pid: self.server_pid,
            clock_ticks: self.clock_ticks,
            json: self.json,
            id_prefix: self.id_prefix,
        })
    }
}

impl Options {
    /// The URL charge point `index` connects to.
    pub fn charge_point_url(&self, index: usize) -> String {
        format!("{}/{}", self.url, self.charge_point_id(index))
    }

    pub fn charge_point_id(&self, index: usize) -> String {
        format!("{}{index}", self.id_prefix)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, OptionError> {
        let mut all = vec!["ampwise-loadgen"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap().check()
    }

    #[test]
    fn defaults_run_every_phase_after_connecting() {
        let options = parse(&[]).unwrap();
        assert_eq!(
            options.phases,
            [PhaseName::Closed, PhaseName::Rate, PhaseName::Hold]
        );
        assert_eq!(options.mix.len(), 3);
        assert_eq!(
            options.charge_point_url(7),
            "ws://127.0.0.1:19520/ocpp/LOADGEN-7"
        );
    }

    #[test]
    fn phases_keep_their_order_and_connect_is_implied() {
        let options = parse(&["--phases", "hold,closed", "--url", "ws://h:1/x/"]).unwrap();
        assert_eq!(options.phases, [PhaseName::Hold, PhaseName::Closed]);
        assert_eq!(options.charge_point_url(0), "ws://h:1/x/LOADGEN-0");
    }

    #[test]
    fn bad_values_name_the_option() {
        assert_eq!(parse(&["--count", "0"]).unwrap_err().option, "count");
        assert_eq!(parse(&["--duration", "0"]).unwrap_err().option, "duration");
        assert_eq!(
            parse(&["--duration", "NaN"]).unwrap_err().option,
            "duration"
        );
        assert_eq!(parse(&["--timeout=-1"]).unwrap_err().option, "timeout");
        assert_eq!(parse(&["--url", "wss://h/x"]).unwrap_err().option, "url");
        assert_eq!(parse(&["--rate", "0"]).unwrap_err().option, "rate");
        assert_eq!(
            parse(&["--phases", "closed,closed"]).unwrap_err().option,
            "phases"
        );
        assert_eq!(
            parse(&["--id-prefix", "a/b"]).unwrap_err().option,
            "id-prefix"
        );
        let error = parse(&["--hold", "4000"]).unwrap_err();
        assert!(error.to_string().starts_with("--hold: 4000"), "{error}");
    }

    #[test]
    fn unknown_phase_or_message_is_refused_by_the_parser() {
        assert!(Cli::try_parse_from(["x", "--phases", "soak"]).is_err());
        assert!(Cli::try_parse_from(["x", "--mix", "authorize"]).is_err());
    }
}
