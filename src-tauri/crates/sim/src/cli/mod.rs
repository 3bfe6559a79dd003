//! The `ampwise-sim` command line: argument definitions here, running them in [`run`].

mod parse;
mod run;
mod status;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use run::{run, CliError};

const LONG_ABOUT: &str = "\
Simulated wallboxes and energy meters that speak the real Modbus protocols, so Ampwise can be \
tried and tested without hardware.

Each simulator serves Modbus TCP (--tcp), a serial port (--serial, e.g. an RS485 adapter) or a \
new pseudo-terminal (--pty). The first line on standard output tells clients where to connect: \
`tcp: ADDRESS` or `serial: PATH`. Status lines and log messages go to standard error \
(RUST_LOG=debug shows every request). Stop with Ctrl-C.";

const EXAMPLES: &str = "\
Examples:
  Bring Ampwise's built-in demo installation to life
  (Power Brain on 127.0.0.1:4701, SDM630 grid meter on 127.0.0.1:5020):
      ampwise-sim demo

  A Power Brain on Modbus TCP whose car plugs in after 10 s:
      ampwise-sim powerbrain --tcp 127.0.0.1:4701 --car-at 10

  Four Power Brains and an SDM630 grid meter on one RS485 adapter:
      ampwise-sim powerbrain --serial /dev/ttyUSB0 --baud 19200 --parity even \\
          --units 1-4 --sdm630-unit 10

  An SDM630 on a pseudo-terminal (the first output line names the device to open):
      ampwise-sim sdm630 --pty --unit 1";

#[derive(Debug, Parser)]
#[command(
    name = "ampwise-sim",
    version,
    about = "Simulated wallboxes and energy meters for trying Ampwise without hardware",
    long_about = LONG_ABOUT,
    after_long_help = EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate cFos Power Brain wallboxes, each with a car that plugs in
    #[command(long_about = "\
Simulate cFos Power Brain wallboxes (Modbus holding registers 8058-8112), each with a car that \
plugs in after --car-at seconds.

The car goes from CP state A (no car) to B (connected) and to C (charging) while \
charging_enable (8094) is 1 and charging_cur_limit (8093, 0.1 A, 6-63 A) allows at least 6 A; \
it draws min(limit, --car-max-a, --cable-a) on its phases at 230 V until --car-energy-kwh are \
charged. Without Modbus traffic for fail_safe_duration (8083) seconds the wallbox falls back to \
fail_safe_current (8085; 0 = stop). Registers: 8058 energy (Wh, u64), 8062 power (W), \
8064/8066/8068 currents (0.1 A), 8083 fail_safe_duration, 8085 fail_safe_current, \
8086 disconnect_cp, 8087 relay_select, 8090 cable_current, 8092 CP state, 8093 \
charging_cur_limit, 8094 charging_enable, 8095 charging_current, 8096 last_rfid, 8112 has_meter.")]
    Powerbrain(PowerBrainArgs),
    /// Simulate the S0 meter units of a cFos Power Brain (registers 8058-8069)
    #[command(long_about = "\
Simulate the S0 meter units of a cFos Power Brain: holding registers 8058 energy (Wh, u64), \
8062 power (W), 8064/8066/8068 currents (0.1 A), measuring a constant load. The real device \
serves them as unit 2 on TCP port 4702 and unit 3 on port 4703.")]
    PowerbrainS0(S0Args),
    /// Simulate Eastron SDM630 / SDM72D-M V2 energy meters
    #[command(long_about = "\
Simulate Eastron SDM630 / SDM72D-M V2 energy meters: input registers (function 04), each value \
a float32 in two registers, high word first. Voltages 0x00/02/04, currents 0x06/08/0A, powers \
0x0C/0E/10, total power 0x34, frequency 0x46, import/export kWh 0x48/0x4A, total kWh 0x156, \
import kWh per phase 0x15A/15C/15E. Other addresses up to 0x1FF read 0.0; reads of more than \
80 registers are refused with exception 03.")]
    Sdm630(Sdm630Args),
    /// Run the simulated devices of Ampwise's built-in demo installation
    #[command(long_about = "\
Run the simulated devices that Ampwise's built-in demo installation expects: a cFos Power Brain \
on Modbus TCP 127.0.0.1:4701 unit 1 whose car plugs in after a few seconds, and an SDM630 grid \
meter on Modbus TCP 127.0.0.1:5020 unit 1 that measures a household base load plus what the car \
draws. Start Ampwise without configuration (or on the demo installation) and watch the values.")]
    Demo(DemoArgs),
}

/// Where and under which unit ids a simulator serves its devices.
#[derive(Debug, Clone, Args)]
pub struct Serving {
    #[command(flatten)]
    pub transport: TransportChoice,
    #[command(flatten)]
    pub serial: SerialArgs,
    #[command(flatten)]
    pub units: UnitArgs,
}

/// Where the simulator listens.
#[derive(Debug, Clone, Args)]
#[group(id = "transport", required = true, multiple = false)]
pub struct TransportChoice {
    /// Serve Modbus TCP on this address, e.g. 127.0.0.1:4701 (port 0 picks a free port)
    #[arg(long, value_name = "ADDRESS")]
    pub tcp: Option<SocketAddr>,
    /// Serve Modbus RTU on this serial port, e.g. /dev/ttyUSB0 or COM3
    #[arg(long, value_name = "PATH")]
    pub serial: Option<String>,
    /// Serve Modbus RTU on a new pseudo-terminal; its path is the first output line
    #[arg(long)]
    pub pty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParityArg {
    None,
    Even,
    Odd,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Serial line (with --serial or --pty)")]
pub struct SerialArgs {
    /// Baud rate
    #[arg(long, default_value_t = 9600, value_name = "BAUD",
          value_parser = clap::value_parser!(u32).range(300..=4_000_000))]
    pub baud: u32,
    /// Parity
    #[arg(long, value_enum, default_value_t = ParityArg::None)]
    pub parity: ParityArg,
    /// Data bits (5-8)
    #[arg(long, default_value_t = 8, value_name = "BITS",
          value_parser = clap::value_parser!(u8).range(5..=8))]
    pub data_bits: u8,
    /// Stop bits (1 or 2)
    #[arg(long, default_value_t = 1, value_name = "BITS",
          value_parser = clap::value_parser!(u8).range(1..=2))]
    pub stop_bits: u8,
    /// Hold every answer back for the time request and answer would take on a real line at
    /// --baud (10 or 11 bits per character) plus the 3.5-character gap; for benchmarks over --pty
    #[arg(long)]
    pub emulate_wire_time: bool,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Units")]
pub struct UnitArgs {
    /// Unit id (Modbus slave address, 1-247) to serve a device under; repeat for several
    /// devices [default: 1, for powerbrain-s0 2]. Unknown unit ids stay silent on RTU and get
    /// exception 0x0B (gateway target failed to respond) over TCP
    #[arg(long = "unit", value_name = "ID",
          value_parser = clap::value_parser!(u8).range(1..=247))]
    pub unit: Vec<u8>,
    /// A range of unit ids, e.g. 1-16: one device per id
    #[arg(long = "units", value_name = "FIRST-LAST", value_parser = parse::unit_range)]
    pub units: Vec<RangeInclusive<u8>>,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Simulated car")]
pub struct CarArgs {
    /// Seconds after start when the car plugs in
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS", value_parser = parse::seconds)]
    pub car_at: f64,
    /// No car plugs in (the wallbox stays in CP state A)
    #[arg(long)]
    pub no_car: bool,
    /// Phases the car charges on (1 or 3)
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = parse::phases)]
    pub car_phases: u8,
    /// The most current the car takes per phase, in A
    #[arg(long, default_value_t = 16.0, value_name = "AMPS", value_parser = parse::positive)]
    pub car_max_a: f64,
    /// Energy the car takes until it is full and stops drawing, in kWh
    #[arg(long, default_value_t = 30.0, value_name = "KWH", value_parser = parse::positive)]
    pub car_energy_kwh: f64,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Wallbox")]
pub struct WallboxArgs {
    /// charging_cur_limit (8093) at start, in A (6-63)
    #[arg(long, default_value_t = 16.0, value_name = "AMPS")]
    pub limit_a: f64,
    /// Start with charging_enable (8094) = 0, so the car waits in state B until enabled
    #[arg(long)]
    pub disabled: bool,
    /// Rating of the cable (8090) in A, which caps what the car draws; 0 = no cable
    #[arg(long, default_value_t = 32.0, value_name = "AMPS")]
    pub cable_a: f64,
    /// Seconds without Modbus traffic before the fail-safe applies (8083); 0 = never
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub fail_safe_duration: u32,
    /// Current after the fail-safe (8085) in A; 0 = stop charging
    #[arg(long, default_value_t = 0.0, value_name = "AMPS")]
    pub fail_safe_current_a: f64,
    /// Last RFID tag (8096) as hexadecimal digits, e.g. 04A2B3C4D5E6F7
    #[arg(long, value_name = "HEX")]
    pub rfid: Option<String>,
    /// Meter reading (8058) at start, in Wh
    #[arg(long, default_value_t = 0, value_name = "WH")]
    pub energy_wh: u64,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct StatusArgs {
    /// Print a status line per device to standard error every this many seconds; 0 = never
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS", value_parser = parse::seconds)]
    pub status_every: f64,
}

#[derive(Debug, Clone, Args)]
pub struct PowerBrainArgs {
    #[command(flatten)]
    pub serving: Serving,
    /// Also serve an SDM630 grid meter under this unit id on the same port or line; it measures
    /// --household-a plus every simulated car
    #[arg(long, value_name = "ID", help_heading = "Units",
          value_parser = clap::value_parser!(u8).range(1..=247))]
    pub sdm630_unit: Option<u8>,
    /// Household base load per phase for --sdm630-unit, in A (negative = feed-in)
    #[arg(long, default_value = "2,1.5,1", value_name = "L1,L2,L3", help_heading = "Units",
          value_parser = parse::phase_currents)]
    pub household_a: [f64; 3],
    #[command(flatten)]
    pub car: CarArgs,
    #[command(flatten)]
    pub wallbox: WallboxArgs,
    #[command(flatten)]
    pub status: StatusArgs,
}

#[derive(Debug, Clone, Args)]
pub struct S0Args {
    #[command(flatten)]
    pub serving: Serving,
    /// The load the S0 meter measures, per phase in A
    #[arg(long, default_value = "2,1.5,1", value_name = "L1,L2,L3", help_heading = "Meter",
          value_parser = parse::phase_currents)]
    pub load_a: [f64; 3],
    /// Meter reading at start, in kWh
    #[arg(long, default_value_t = 0.0, value_name = "KWH", help_heading = "Meter",
          value_parser = parse::not_negative)]
    pub import_kwh: f64,
    #[command(flatten)]
    pub status: StatusArgs,
}

#[derive(Debug, Clone, Args)]
pub struct Sdm630Args {
    #[command(flatten)]
    pub serving: Serving,
    /// Household load per phase in A (negative = feed-in, e.g. from PV)
    #[arg(long, default_value = "2,1.5,1", value_name = "L1,L2,L3", help_heading = "Meter",
          value_parser = parse::phase_currents)]
    pub household_a: [f64; 3],
    /// Phase voltage in V
    #[arg(long, default_value_t = 230.0, value_name = "VOLTS", help_heading = "Meter",
          value_parser = parse::positive)]
    pub voltage: f64,
    /// Import counter at start, in kWh
    #[arg(long, default_value_t = 0.0, value_name = "KWH", help_heading = "Meter",
          value_parser = parse::not_negative)]
    pub import_kwh: f64,
    #[command(flatten)]
    pub status: StatusArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Address to listen on
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_name = "IP")]
    pub host: IpAddr,
    /// TCP port of the Power Brain (unit 1)
    #[arg(long, default_value_t = 4701, value_name = "PORT")]
    pub powerbrain_port: u16,
    /// TCP port of the SDM630 grid meter (unit 1)
    #[arg(long, default_value_t = 5020, value_name = "PORT")]
    pub meter_port: u16,
    /// Household base load per phase the grid meter sees besides the car, in A
    #[arg(long, default_value = "2,1.5,1", value_name = "L1,L2,L3",
          value_parser = parse::phase_currents)]
    pub household_a: [f64; 3],
    #[command(flatten)]
    pub car: CarArgs,
    #[command(flatten)]
    pub wallbox: WallboxArgs,
    #[command(flatten)]
    pub status: StatusArgs,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exactly_one_transport() {
        assert!(Cli::try_parse_from(["ampwise-sim", "sdm630"]).is_err());
        assert!(
            Cli::try_parse_from(["ampwise-sim", "sdm630", "--pty", "--tcp", "127.0.0.1:1"])
                .is_err()
        );
        assert!(Cli::try_parse_from(["ampwise-sim", "sdm630", "--pty"]).is_ok());
    }

    #[test]
    fn unit_ranges_and_phase_currents_parse() {
        let cli = Cli::try_parse_from([
            "ampwise-sim",
            "powerbrain",
            "--tcp",
            "127.0.0.1:0",
            "--units",
            "3-5",
            "--unit",
            "9",
            "--sdm630-unit",
            "10",
            "--household-a",
            "1, -2.5 ,0",
        ]);
        let Ok(Cli {
            command: Command::Powerbrain(args),
        }) = cli
        else {
            panic!("{cli:?}");
        };
        assert_eq!(args.serving.units.units, vec![3..=5]);
        assert_eq!(args.serving.units.unit, vec![9]);
        assert_eq!(args.household_a, [1.0, -2.5, 0.0]);
    }
}
