//! `ampwise-sim`: simulated wallboxes and meters that speak the real protocols, so Ampwise can be
//! tried and tested without hardware. Each simulator is a subcommand.

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "ampwise-sim",
    version,
    about = "Simulated wallboxes and energy meters for trying Ampwise without hardware",
    long_about = "Simulated wallboxes and energy meters for trying Ampwise without hardware.\n\n\
                  This build contains no simulators yet: the cFos Power Brain and SDM630 Modbus \
                  simulators and the OCPP charge point arrive with the Modbus and OCPP device support."
)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!("ampwise-sim: this build contains no simulators yet; see `ampwise-sim --help`");
    std::process::exit(2);
}
