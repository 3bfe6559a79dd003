//! Benchmark: one RS485 bus with 16 Eastron SDM630 meters, read by Ampwise's own Modbus RTU stack,
//! against the limit the baud rate sets (docs/benchmarks.md, "Modbus RTU bus").
//!
//! The meters are ampwise-sim's, served on one pseudo-terminal. A pty moves bytes instantly, so the
//! simulator holds every answer back for the time request, gap and answer would take on a real line
//! (`emulate_wire_time`); a run without that emulation shows what the software costs on its own.
//!
//! `cargo bench -p ampwise-e2e --bench rtu_bus` measures. `cargo test --all-targets` runs this
//! binary too, without `--bench`: it then reads the bus for one cycle only, as a smoke test.
#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ampwise_core::config::{MeterModel, ModbusTransport, Parity, SerialSettings};
use ampwise_core::device::{register_map_for, Meter, MeterReading, ModbusMeter};
use ampwise_core::modbus::{BusOptions, BusPool};
use ampwise_sim::{Bus, MeterConfig, MeterSim};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

type BenchResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

const METERS: u8 = 16;
const WARM_UP_CYCLES: usize = 1;
const EMULATED_CYCLES: usize = 10;
/// Without wire emulation a cycle is short, so more of them fit in the same time.
const SOFTWARE_ONLY_CYCLES: usize = 50;
/// The control interval the "meters per interval" column is worked out for.
const CONTROL_INTERVAL: Duration = Duration::from_secs(1);
/// Bytes of an RTU read request: unit, function, address (2), count (2), CRC (2).
const REQUEST_BYTES: u32 = 8;
/// Bytes of a read answer besides the registers: unit, function, byte count, CRC (2).
const ANSWER_OVERHEAD_BYTES: u32 = 5;
/// Silence before each frame, in character times; an exchange has two frames.
const GAP_CHARACTERS: f64 = 3.5;

/// One line setting to measure.
#[derive(Clone, Copy)]
struct Line {
    baud_rate: u32,
    parity: Parity,
    emulate_wire_time: bool,
}

impl Line {
    fn label(&self) -> String {
        let parity = match self.parity {
            Parity::None => 'N',
            Parity::Even => 'E',
            Parity::Odd => 'O',
        };
        format!("{} 8{parity}1", self.baud_rate)
    }

    fn bits_per_character(&self) -> u32 {
        // Start bit, 8 data bits, parity bit if any, 1 stop bit.
        10 + u32::from(self.parity != Parity::None)
    }

    fn character_time(&self) -> Duration {
        Duration::from_secs_f64(f64::from(self.bits_per_character()) / f64::from(self.baud_rate))
    }

    /// The spec fixes the gap at 1.75 ms above 19200 baud; these runs stay at or below it.
    fn gap(&self) -> Duration {
        if self.baud_rate > 19_200 {
            Duration::from_micros(1750)
        } else {
            self.character_time().mul_f64(GAP_CHARACTERS)
        }
    }

    /// The shortest time one exchange can take: gap, request, gap, answer of `registers`.
    fn exchange_limit(&self, registers: u16) -> Duration {
        let bytes = REQUEST_BYTES + ANSWER_OVERHEAD_BYTES + 2 * u32::from(registers);
        self.gap() * 2 + self.character_time() * bytes
    }

    /// The shortest time reading every meter once can take on this line.
    fn cycle_limit(&self, registers_per_request: &[u16]) -> Duration {
        let per_meter: Duration = registers_per_request
            .iter()
            .map(|registers| self.exchange_limit(*registers))
            .sum();
        per_meter * u32::from(METERS)
    }

    fn core_settings(&self, port: &str) -> SerialSettings {
        SerialSettings {
            port: port.to_owned(),
            baud_rate: self.baud_rate,
            data_bits: 8,
            parity: self.parity,
            stop_bits: 1,
        }
    }

    fn sim_settings(&self) -> ampwise_sim::SerialSettings {
        ampwise_sim::SerialSettings {
            baud_rate: self.baud_rate,
            parity: match self.parity {
                Parity::None => ampwise_sim::serial::Parity::None,
                Parity::Even => ampwise_sim::serial::Parity::Even,
                Parity::Odd => ampwise_sim::serial::Parity::Odd,
            },
            emulate_wire_time: self.emulate_wire_time,
            ..ampwise_sim::SerialSettings::default()
        }
    }
}

/// The household load meter `unit` simulates: different on every meter, so an answer that reached
/// the wrong driver shows.
fn household_load(unit: u8) -> [f64; 3] {
    let unit = f64::from(unit);
    [unit, 2.0 * unit, 0.5]
}

/// 16 simulated meters on one pty, and Ampwise's drivers for them on one bus.
struct Rig {
    meters: Vec<(u8, Arc<ModbusMeter>)>,
    stop_server: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<Result<(), ampwise_sim::ServeError>>,
    /// Held so the bus task lives until the rig is dropped.
    _pool: BusPool,
}

impl Rig {
    async fn start(line: Line) -> BenchResult<Self> {
        let bus = Bus::new();
        for unit in 1..=METERS {
            let meter = MeterSim::new(MeterConfig {
                name: format!("sdm630-{unit}"),
                household_a: household_load(unit),
                ..MeterConfig::default()
            })?;
            bus.add(unit, meter)?;
        }
        let pty = ampwise_sim::open_pty()?;
        let port = pty.client_path.clone();
        let (stop_server, stopped) = oneshot::channel::<()>();
        let settings = line.sim_settings();
        let server = tokio::spawn(async move {
            // The pty's server side fails once no handle on the client side is open.
            let _client_side = pty.client;
            ampwise_sim::serve_rtu(pty.server, settings, bus, async {
                let _ = stopped.await;
            })
            .await
        });

        let pool = BusPool::new(BusOptions::default());
        let transport = ModbusTransport::Rtu(line.core_settings(&port));
        let map = register_map_for(MeterModel::EastronSdm630);
        let mut meters = Vec::new();
        for unit in 1..=METERS {
            let client = pool.client(&transport, unit)?;
            meters.push((unit, Arc::new(ModbusMeter::new(client, map))));
        }
        Ok(Rig {
            meters,
            stop_server: Some(stop_server),
            server,
            _pool: pool,
        })
    }

    /// Reads every meter once, each from its own task as the device runtime does, and checks
    /// every reading. Returns how long it took until the last meter had its reading.
    async fn cycle(&self) -> BenchResult<Duration> {
        let started = Instant::now();
        let mut reads = JoinSet::new();
        for (unit, meter) in &self.meters {
            let (unit, meter) = (*unit, Arc::clone(meter));
            reads.spawn(async move { (unit, meter.read().await) });
        }
        let mut readings = Vec::new();
        while let Some(joined) = reads.join_next().await {
            readings.push(joined?);
        }
        let elapsed = started.elapsed();
        for (unit, reading) in readings {
            check_reading(unit, &reading?)?;
        }
        Ok(elapsed)
    }

    async fn stop(mut self) -> BenchResult<()> {
        self.meters.clear();
        if let Some(stop) = self.stop_server.take() {
            let _ = stop.send(());
        }
        (&mut self.server).await??;
        Ok(())
    }
}

fn check_reading(unit: u8, reading: &MeterReading) -> BenchResult<()> {
    let expected = household_load(unit);
    let currents = reading
        .current_a
        .ok_or_else(|| format!("meter {unit}: no currents in the reading"))?;
    let matches = currents
        .iter()
        .zip(expected)
        .all(|(read, expected)| (read - expected).abs() < 1e-3);
    if !matches {
        return Err(format!("meter {unit}: read {currents:?} A, simulated {expected:?} A").into());
    }
    Ok(())
}

struct Measurement {
    line: Line,
    cycles: Vec<Duration>,
    limit: Duration,
}

impl Measurement {
    fn sorted(&self) -> Vec<Duration> {
        let mut sorted = self.cycles.clone();
        sorted.sort();
        sorted
    }

    fn median(&self) -> Duration {
        let sorted = self.sorted();
        let middle = sorted.len() / 2;
        if sorted.len().is_multiple_of(2) {
            (sorted[middle - 1] + sorted[middle]) / 2
        } else {
            sorted[middle]
        }
    }

    fn ratio(&self) -> f64 {
        self.median().as_secs_f64() / self.limit.as_secs_f64()
    }

    /// How many meters like these one bus can read within one control interval.
    fn meters_per_interval(cycle: Duration) -> f64 {
        let per_meter = cycle.as_secs_f64() / f64::from(METERS);
        CONTROL_INTERVAL.as_secs_f64() / per_meter
    }
}

async fn measure(
    line: Line,
    cycles: usize,
    registers_per_request: &[u16],
) -> BenchResult<Measurement> {
    let rig = Rig::start(line).await?;
    for _ in 0..WARM_UP_CYCLES {
        rig.cycle().await?;
    }
    let mut measured = Vec::with_capacity(cycles);
    for _ in 0..cycles {
        measured.push(rig.cycle().await?);
    }
    rig.stop().await?;
    let measurement = Measurement {
        line,
        cycles: measured,
        limit: line.cycle_limit(registers_per_request),
    };
    if line.emulate_wire_time && measurement.sorted()[0] < measurement.limit.mul_f64(0.98) {
        return Err(format!(
            "{}: a cycle took {} ms, less than the wire allows ({} ms): the simulator did not hold its answers back",
            line.label(),
            millis(measurement.sorted()[0]),
            millis(measurement.limit)
        )
        .into());
    }
    Ok(measurement)
}

fn millis(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn print_table(measurements: &[Measurement]) {
    println!(
        "| line | wire emulation | cycles | median | min | max | wire limit | measured / limit | SDM630 per {} s, measured | per {} s, limit |",
        CONTROL_INTERVAL.as_secs(),
        CONTROL_INTERVAL.as_secs()
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for m in measurements {
        let sorted = m.sorted();
        let (emulation, ratio, limit_meters) = if m.line.emulate_wire_time {
            (
                "yes",
                format!("{:.3}", m.ratio()),
                format!("{:.1}", Measurement::meters_per_interval(m.limit)),
            )
        } else {
            ("no", "–".to_owned(), "–".to_owned())
        };
        println!(
            "| {} | {emulation} | {} | {} ms | {} ms | {} ms | {} ms | {ratio} | {:.1} | {limit_meters} |",
            m.line.label(),
            m.cycles.len(),
            millis(m.median()),
            millis(sorted[0]),
            millis(sorted[sorted.len() - 1]),
            millis(m.limit),
            Measurement::meters_per_interval(m.median()),
        );
    }
}

/// How much later than asked a tokio sleep of `duration` ends, on average: the bus sleeps out the
/// gap before every request and the simulator sleeps out the wire time before every answer, so this
/// is paid up to twice per exchange.
async fn timer_overshoot(duration: Duration) -> Duration {
    const SAMPLES: u32 = 200;
    let mut late = Duration::ZERO;
    for _ in 0..SAMPLES {
        let started = tokio::time::Instant::now();
        tokio::time::sleep_until(started + duration).await;
        late += started.elapsed().saturating_sub(duration);
    }
    late / SAMPLES
}

/// Where the time above the wire limit goes: per exchange, and what one timer sleep costs.
async fn print_breakdown(measurements: &[Measurement], exchanges: usize) -> BenchResult<()> {
    let ms = |duration: Duration| format!("{:.3}", duration.as_secs_f64() * 1000.0);
    let exchanges = u32::try_from(exchanges)?;
    println!();
    for m in measurements {
        let per_exchange = m.median() / exchanges;
        let beyond = if m.line.emulate_wire_time {
            format!(
                "{} ms above the wire limit",
                ms(per_exchange.saturating_sub(m.limit / exchanges))
            )
        } else {
            format!(
                "{} ms above the gap the bus waits",
                ms(per_exchange.saturating_sub(m.line.gap()))
            )
        };
        println!(
            "{}, wire emulation {}: {} ms per exchange, {beyond}",
            m.line.label(),
            if m.line.emulate_wire_time {
                "on"
            } else {
                "off"
            },
            ms(per_exchange),
        );
    }
    let mut gaps: Vec<(String, Duration)> = measurements
        .iter()
        .map(|m| (m.line.label(), m.line.gap()))
        .collect();
    gaps.sort();
    gaps.dedup();
    for (label, gap) in gaps {
        println!(
            "tokio timer: a sleep of {} ms (the {label} gap) ends {} ms late on average",
            ms(gap),
            ms(timer_overshoot(gap).await),
        );
    }
    Ok(())
}

fn run(full: bool) -> BenchResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // The requests the driver itself plans, so the limit follows the register table.
        let registers_per_request: Vec<u16> = register_map_for(MeterModel::EastronSdm630)
            .read_plan()
            .iter()
            .map(|block| block.count)
            .collect();
        let line = |baud_rate, parity, emulate_wire_time| Line {
            baud_rate,
            parity,
            emulate_wire_time,
        };
        println!(
            "{METERS} Eastron SDM630 on one pty, read concurrently (one task per meter); requests per meter: {registers_per_request:?} input registers"
        );
        let runs: Vec<(Line, usize)> = if full {
            vec![
                (line(9600, Parity::None, true), EMULATED_CYCLES),
                (line(19_200, Parity::None, true), EMULATED_CYCLES),
                (line(19_200, Parity::Even, true), EMULATED_CYCLES),
                (line(9600, Parity::None, false), SOFTWARE_ONLY_CYCLES),
                (line(19_200, Parity::None, false), SOFTWARE_ONLY_CYCLES),
            ]
        } else {
            println!("(not started by `cargo bench`: one cycle only, as a smoke test)");
            vec![(line(19_200, Parity::None, true), 1)]
        };
        let mut measurements = Vec::new();
        for (line, cycles) in runs {
            measurements.push(measure(line, cycles, &registers_per_request).await?);
        }
        print_table(&measurements);
        if full {
            let exchanges = registers_per_request.len() * usize::from(METERS);
            print_breakdown(&measurements, exchanges).await?;
        }
        Ok(())
    })
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it.
    let full = std::env::args().any(|argument| argument == "--bench");
    run(full)
}
