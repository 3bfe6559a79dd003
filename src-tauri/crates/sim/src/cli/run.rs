//! Running a parsed command line: build the simulated devices, announce where they listen, serve
//! until Ctrl-C or SIGTERM.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use super::{
    status, CarArgs, Cli, Command, DemoArgs, ParityArg, PowerBrainArgs, S0Args, Sdm630Args,
    SerialArgs, Serving, StatusArgs, TransportChoice, UnitArgs, WallboxArgs,
};
use crate::demo::{DemoError, DemoOptions, DemoSimulators, DEMO_UNIT_ID};
use crate::serial::{DataBits, Parity, StopBits};
use crate::{
    open_pty, serve_rtu, serve_tcp, Bus, BusError, CarSpec, ConfigError, MeterConfig, MeterKind,
    MeterSim, PowerBrainConfig, PowerBrainSim, ScheduledCar, SerialSettings, ServeError,
};

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A setting the simulators cannot use, named by its command-line flag.
    #[error("{flag}: {problem}")]
    Setting { flag: String, problem: String },
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error("cannot listen on {address}: {source} (is another simulator running there?)")]
    Listen {
        address: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] io::Error),
}

impl From<DemoError> for CliError {
    fn from(error: DemoError) -> Self {
        match error {
            // Through the flag mapping below, so the user learns which option to change.
            DemoError::Config(error) => error.into(),
            DemoError::Bus(error) => error.into(),
            DemoError::Listen { address, source } => Self::Listen { address, source },
            DemoError::Serve(error) => error.into(),
        }
    }
}

impl From<ConfigError> for CliError {
    fn from(error: ConfigError) -> Self {
        let flag = match error.field.as_str() {
            "initial charging limit" => "--limit-a",
            "fail-safe current" => "--fail-safe-current-a",
            "cable current" => "--cable-a",
            "car phases" => "--car-phases",
            "car max current" => "--car-max-a",
            "car energy to full" => "--car-energy-kwh",
            "car plug-in time" => "--car-at",
            "rfid" => "--rfid",
            "voltage" => "--voltage",
            "initial import" => "--import-kwh",
            field if field.starts_with("household load") => "--household-a / --load-a",
            field => field,
        };
        Self::Setting {
            flag: flag.to_owned(),
            problem: error.problem,
        }
    }
}

/// Runs the command line to the end (Ctrl-C / SIGTERM) on its own tokio runtime.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        match cli.command {
            Command::Powerbrain(args) => powerbrain(args).await,
            Command::PowerbrainS0(args) => powerbrain_s0(args).await,
            Command::Sdm630(args) => sdm630(args).await,
            Command::Demo(args) => demo(args).await,
        }
    })
}

async fn powerbrain(args: PowerBrainArgs) -> Result<(), CliError> {
    let bus = Bus::new();
    let mut wallboxes = Vec::new();
    for unit in unit_ids(&args.serving.units, 1)? {
        let name = format!("powerbrain unit {unit}");
        let wallbox = new_powerbrain(name, &args.car, &args.wallbox)?;
        bus.add(unit, &wallbox)?;
        wallboxes.push(wallbox);
    }
    if let Some(unit) = args.sdm630_unit {
        let meter = MeterSim::new(MeterConfig {
            name: format!("sdm630 unit {unit}"),
            household_a: args.household_a,
            ..MeterConfig::default()
        })?;
        for wallbox in &wallboxes {
            meter.link_wallbox(wallbox);
        }
        bus.add(unit, &meter)?;
    }
    serve(&args.serving, bus, &args.status).await
}

async fn powerbrain_s0(args: S0Args) -> Result<(), CliError> {
    let bus = Bus::new();
    for unit in unit_ids(&args.serving.units, 2)? {
        let meter = MeterSim::new(MeterConfig {
            name: format!("powerbrain-s0 unit {unit}"),
            kind: MeterKind::PowerBrainS0,
            household_a: args.load_a,
            initial_import_kwh: args.import_kwh,
            ..MeterConfig::default()
        })?;
        bus.add(unit, &meter)?;
    }
    serve(&args.serving, bus, &args.status).await
}

async fn sdm630(args: Sdm630Args) -> Result<(), CliError> {
    let bus = Bus::new();
    for unit in unit_ids(&args.serving.units, 1)? {
        let meter = MeterSim::new(MeterConfig {
            name: format!("sdm630 unit {unit}"),
            household_a: args.household_a,
            voltage_v: args.voltage,
            initial_import_kwh: args.import_kwh,
            ..MeterConfig::default()
        })?;
        bus.add(unit, &meter)?;
    }
    serve(&args.serving, bus, &args.status).await
}

async fn demo(args: DemoArgs) -> Result<(), CliError> {
    let demo = DemoSimulators::bind(DemoOptions {
        host: args.host,
        powerbrain_port: args.powerbrain_port,
        meter_port: args.meter_port,
        household_a: args.household_a,
        wallbox: powerbrain_config("demo powerbrain".to_owned(), &args.car, &args.wallbox)?,
    })
    .await?;
    if let Some(rfid) = &args.wallbox.rfid {
        demo.wallbox().set_rfid(rfid)?;
    }
    announce(&format!(
        "powerbrain tcp: {} unit {DEMO_UNIT_ID}",
        demo.powerbrain_address()
    ));
    announce(&format!(
        "sdm630 tcp: {} unit {DEMO_UNIT_ID}",
        demo.meter_address()
    ));
    let statuses = demo
        .buses()
        .map(|bus| status::spawn(bus, args.status.status_every));
    let result = demo.serve(shutdown_signal()).await;
    for task in statuses {
        task.abort();
    }
    Ok(result?)
}

fn new_powerbrain(
    name: String,
    car: &CarArgs,
    wallbox: &WallboxArgs,
) -> Result<PowerBrainSim, CliError> {
    let sim = PowerBrainSim::new(powerbrain_config(name, car, wallbox)?)?;
    if let Some(rfid) = &wallbox.rfid {
        sim.set_rfid(rfid)?;
    }
    Ok(sim)
}

fn powerbrain_config(
    name: String,
    car: &CarArgs,
    wallbox: &WallboxArgs,
) -> Result<PowerBrainConfig, CliError> {
    let scheduled_car = if car.no_car {
        None
    } else {
        let after = Duration::try_from_secs_f64(car.car_at)
            .map_err(|_| ConfigError::new("car plug-in time", "too far in the future"))?;
        Some(ScheduledCar {
            after,
            car: CarSpec {
                phases: car.car_phases,
                max_current_a: car.car_max_a,
                energy_to_full_kwh: car.car_energy_kwh,
            },
        })
    };
    Ok(PowerBrainConfig {
        name,
        cable_current_a: wallbox.cable_a,
        initial_limit_a: wallbox.limit_a,
        initially_enabled: !wallbox.disabled,
        fail_safe_duration_s: wallbox.fail_safe_duration,
        fail_safe_current_a: wallbox.fail_safe_current_a,
        initial_energy_wh: wallbox.energy_wh,
        scheduled_car,
        ..PowerBrainConfig::default()
    })
}

/// The unit ids from --unit and --units, or `default` if neither was given.
fn unit_ids(args: &UnitArgs, default: u8) -> Result<Vec<u8>, CliError> {
    let mut ids: Vec<u8> = args.unit.clone();
    for range in &args.units {
        ids.extend(range.clone());
    }
    if ids.is_empty() {
        ids.push(default);
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(BusError::DuplicateUnitId(pair[0]).into());
    }
    Ok(ids)
}

fn serial_settings(args: &SerialArgs) -> SerialSettings {
    SerialSettings {
        baud_rate: args.baud,
        parity: match args.parity {
            ParityArg::None => Parity::None,
            ParityArg::Even => Parity::Even,
            ParityArg::Odd => Parity::Odd,
        },
        data_bits: match args.data_bits {
            5 => DataBits::Five,
            6 => DataBits::Six,
            7 => DataBits::Seven,
            _ => DataBits::Eight,
        },
        stop_bits: if args.stop_bits == 2 {
            StopBits::Two
        } else {
            StopBits::One
        },
        emulate_wire_time: args.emulate_wire_time,
    }
}

/// Serves one bus on the chosen transport until Ctrl-C / SIGTERM.
async fn serve(serving: &Serving, bus: Bus, status: &StatusArgs) -> Result<(), CliError> {
    let status_task = status::spawn(bus.clone(), status.status_every);
    let result = serve_on(&serving.transport, &serving.serial, bus, shutdown_signal()).await;
    status_task.abort();
    result
}

async fn serve_on(
    transport: &TransportChoice,
    serial: &SerialArgs,
    bus: Bus,
    shutdown: impl Future<Output = ()>,
) -> Result<(), CliError> {
    let settings = serial_settings(serial);
    if let Some(address) = transport.tcp {
        let listener = bind(address).await?;
        announce(&format!("tcp: {}", local_address(&listener)));
        describe(&bus);
        serve_tcp(listener, bus, shutdown).await?;
    } else if let Some(path) = &transport.serial {
        let line = settings.open(path)?;
        announce(&format!("serial: {path}"));
        describe(&bus);
        serve_rtu(line, settings, bus, shutdown).await?;
    } else {
        let pty = open_pty()?;
        announce(&format!("serial: {}", pty.client_path));
        describe(&bus);
        // Holding the client side open keeps the server side readable after a client
        // disconnects, so clients can come and go.
        let _client_side = pty.client;
        serve_rtu(pty.server, settings, bus, shutdown).await?;
    }
    Ok(())
}

async fn bind(address: SocketAddr) -> Result<TcpListener, CliError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| CliError::Listen { address, source })
}

fn local_address(listener: &TcpListener) -> String {
    listener
        .local_addr()
        .map_or_else(|_| "?".to_owned(), |address| address.to_string())
}

/// The first lines on standard output tell clients (and tests) where to connect.
fn announce(line: &str) {
    println!("{line}");
}

fn describe(bus: &Bus) {
    let units: Vec<String> = bus.unit_ids().iter().map(u8::to_string).collect();
    tracing::info!("serving unit(s) {}; stop with Ctrl-C", units.join(", "));
}

/// Completes on Ctrl-C or (Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("stopping");
}
