//! `ampwise-sim`: simulated wallboxes and meters that speak the real protocols, so Ampwise can be
//! tried and tested without hardware. The simulators live in the `ampwise_sim` library; this is
//! only its command line (see `ampwise-sim --help`).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = ampwise_sim::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match ampwise_sim::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ampwise-sim: {error}");
            ExitCode::FAILURE
        }
    }
}
