//! `ampwise-loadgen`: connects many simulated OCPP 1.6J charge points to a central system and
//! measures it: connect time, closed-loop throughput, latency at a fixed rate and, given the
//! server's PID, its CPU time per message and memory per connection. See docs/benchmarks.md.
//!
//! One thread on purpose: the benchmark pins the generator to one core and the server to another,
//! and a single-threaded runtime uses exactly the core it is given.

mod charge_point;
mod frames;
mod options;
mod proc_stats;
mod report;
mod run;
mod stats;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::options::{Cli, Options};
use crate::report::Report;

/// Exit status when the watchdog had to end a run that overran its own bounds.
const WATCHDOG_EXIT: i32 = 3;

fn main() -> ExitCode {
    let options = match Cli::parse().check() {
        Ok(options) => options,
        Err(error) => {
            eprintln!("ampwise-loadgen: {error}");
            return ExitCode::from(2);
        }
    };
    start_watchdog(run::worst_case(&options) + Duration::from_secs(30));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ampwise-loadgen: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let local = tokio::task::LocalSet::new();
    let report = local.block_on(&runtime, run::run(options.clone()));
    // The charge point tasks are done or abandoned; dropping them with the runtime closes sockets.
    drop(local);
    drop(runtime);
    match publish(&report, &options) {
        Ok(()) if report.connect.connected > 0 => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("ampwise-loadgen: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Every wait of the run is bounded; this is the backstop in case one is not.
fn start_watchdog(limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("ampwise-loadgen: the run overran {limit:?}; stopping");
        std::process::exit(WATCHDOG_EXIT);
    });
}

fn publish(report: &Report, options: &Options) -> Result<(), String> {
    eprintln!("{}", report.connect.line());
    for phase in &report.phases {
        eprintln!("{}", phase.line());
    }
    if report.lost_outside_phases.total > 0 {
        eprintln!(
            "{} connections were lost between phases",
            report.lost_outside_phases.total
        );
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let json = serde_json::to_string_pretty(report)
        .map_err(|error| format!("cannot write the summary as JSON: {error}"))?;
    match &options.json {
        Some(path) => std::fs::write(path, json + "\n")
            .map_err(|error| format!("cannot write {}: {error}", path.display())),
        None => {
            println!("{json}");
            Ok(())
        }
    }
}
