//! The run: connect every charge point, then drive the phases one after another while reading the
//! server's CPU time and memory at their edges.
//!
//! Everything runs on one thread, so the counters are plain `Cell`s and `RefCell`s that no borrow
//! holds across an `.await`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use tokio::sync::{watch, Semaphore};
use tokio::time::{sleep, sleep_until, Instant};

use crate::charge_point::{self, Failure, Link};
use crate::options::{Options, PhaseName};
use crate::proc_stats::{self, Memory, Process};
use crate::report::{ConnectReport, HoldReport, LoadReport, PhaseReport, Report};
use crate::stats::{Failures, Latencies, PhaseCounters, LATE_SEND};

/// How often the controller looks whether the charge points are done with a phase.
const POLL: Duration = Duration::from_millis(2);
/// How long closing every connection at the end may take.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// What the charge points are told to do next.
#[derive(Debug, Clone, Copy)]
enum Command {
    Idle,
    /// Send back to back until `until`.
    Closed {
        until: Instant,
    },
    /// Charge point in slot s sends at start + (s + k·slots) / rate, for k = 0, 1, … before `until`.
    Rate {
        start: Instant,
        until: Instant,
        slots: usize,
        rate: u32,
    },
    Stop,
}

/// State every charge point task shares with the controller.
struct Shared {
    options: Options,
    commands: watch::Sender<Command>,
    connect_slots: Semaphore,
    connect_deadline: Instant,
    connect_pending: Cell<usize>,
    connect_latencies: RefCell<Latencies>,
    connect_failures: RefCell<Failures>,
    last_connect_done: Cell<Instant>,
    /// Slots are handed out in the order charge points finish booting.
    next_slot: Cell<usize>,
    alive: Cell<usize>,
    /// Charge points still working on the current phase's command.
    busy: Cell<usize>,
    phase: RefCell<PhaseCounters>,
    /// Connections lost while no measured phase ran (e.g. during `hold`).
    lost_idle: RefCell<Failures>,
    server_calls: Cell<u64>,
}

/// Marks a charge point busy with a phase for as long as it lives.
struct Busy<'a>(&'a Cell<usize>);

impl<'a> Busy<'a> {
    fn enter(busy: &'a Cell<usize>) -> Self {
        busy.set(busy.get() + 1);
        Self(busy)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// Reads a process's numbers, turning a failure into a warning of the report.
struct Probe {
    process: Option<Process>,
    warnings: Vec<String>,
}

impl Probe {
    fn cpu(&mut self) -> Option<Duration> {
        match self.process.as_ref()?.cpu_time() {
            Ok(cpu) => Some(cpu),
            Err(error) => {
                self.warnings.push(error.to_string());
                None
            }
        }
    }

    fn memory(&mut self) -> Option<Memory> {
        match self.process.as_ref()?.memory_kib() {
            Ok(memory) => Some(memory),
            Err(error) => {
                self.warnings.push(error.to_string());
                None
            }
        }
    }
}

/// CPU time of everything on the machine, so the report can say what other processes took.
struct Machine {
    clock_ticks: u64,
    warnings: Vec<String>,
}

impl Machine {
    fn busy(&mut self) -> Option<Duration> {
        match proc_stats::system_busy_time(self.clock_ticks) {
            Ok(busy) => Some(busy),
            Err(error) => {
                self.warnings.push(error.to_string());
                None
            }
        }
    }
}

/// What the measured processes did not use of the machine's busy time: other processes'.
fn others(
    machine: Option<Duration>,
    server: Option<Duration>,
    generator: Option<Duration>,
) -> Option<Duration> {
    Some(machine?.saturating_sub(server?).saturating_sub(generator?))
}

/// Other processes busier than this (of one core) make a phase's numbers unreliable.
const DISTURBED: f64 = 0.10;

/// The longest the run can take when everything times out; the watchdog in `main` uses it.
pub fn worst_case(options: &Options) -> Duration {
    let per_phase = options.duration + options.timeout + Duration::from_secs(1);
    options.connect_deadline
        + options.timeout
        + per_phase * options.phases.len() as u32
        + options.hold
        + options.settle
        + STOP_TIMEOUT
        + charge_point::CLOSE_TIMEOUT
}

pub async fn run(options: Options) -> Report {
    let mut server = Probe {
        process: options
            .server_pid
            .map(|pid| Process::pid(pid, options.clock_ticks)),
        warnings: Vec::new(),
    };
    let mut generator = Probe {
        process: Some(Process::current(options.clock_ticks)),
        warnings: Vec::new(),
    };
    let mut machine = Machine {
        clock_ticks: options.clock_ticks,
        warnings: Vec::new(),
    };
    let mut warnings = Vec::new();
    let open_files_limit = Process::current(options.clock_ticks).open_files_limit();
    if let Some(limit) = open_files_limit {
        if limit < options.count as u64 + 32 {
            warnings.push(format!(
                "the open-files limit ({limit}) is below --count ({}): raise it with `ulimit -n`",
                options.count
            ));
        }
    }

    let memory_before = server.memory();
    let (commands, _) = watch::channel(Command::Idle);
    let now = Instant::now();
    let shared = Rc::new(Shared {
        commands,
        connect_slots: Semaphore::new(options.connect_concurrency),
        connect_deadline: now + options.connect_deadline,
        connect_pending: Cell::new(options.count),
        connect_latencies: RefCell::default(),
        connect_failures: RefCell::default(),
        last_connect_done: Cell::new(now),
        next_slot: Cell::new(0),
        alive: Cell::new(0),
        busy: Cell::new(0),
        phase: RefCell::default(),
        lost_idle: RefCell::default(),
        server_calls: Cell::new(0),
        options: options.clone(),
    });

    let connect = connect_all(&shared, &mut server, &mut generator).await;
    let mut phases = Vec::new();
    if shared.alive.get() > 0 {
        for phase in &options.phases {
            let report = match phase {
                PhaseName::Closed | PhaseName::Rate => {
                    let mut probes = Probes {
                        server: &mut server,
                        generator: &mut generator,
                        machine: &mut machine,
                    };
                    PhaseReport::Load(load_phase(*phase, &shared, &mut probes, &mut warnings).await)
                }
                PhaseName::Hold => {
                    let mut probes = Probes {
                        server: &mut server,
                        generator: &mut generator,
                        machine: &mut machine,
                    };
                    PhaseReport::Hold(hold_phase(&shared, memory_before, &mut probes).await)
                }
                PhaseName::Connect => continue,
            };
            phases.push(report);
        }
    } else {
        warnings.push("no charge point connected; the other phases were skipped".to_owned());
    }

    stop_all(&shared, &mut warnings).await;
    for phase in &phases {
        if let Some(share) = phase.other_cpu_share().filter(|share| *share > DISTURBED) {
            warnings.push(format!(
                "{}: other processes used {:.0}% of a core meanwhile; its numbers are disturbed",
                phase.name(),
                share * 100.0
            ));
        }
    }
    warnings.extend(server.warnings);
    warnings.extend(generator.warnings);
    warnings.extend(machine.warnings);
    let lost_outside_phases = shared.lost_idle.borrow().clone();
    Report {
        generator: concat!("ampwise-loadgen ", env!("CARGO_PKG_VERSION")),
        url: options.url.clone(),
        count: options.count,
        mix: options.mix.iter().map(|kind| format!("{kind:?}")).collect(),
        server_pid: options.server_pid,
        open_files_limit,
        server_memory_before_connect: memory_before,
        connect,
        phases,
        lost_outside_phases,
        central_system_calls: shared.server_calls.get(),
        warnings,
    }
}

async fn connect_all(
    shared: &Rc<Shared>,
    server: &mut Probe,
    generator: &mut Probe,
) -> ConnectReport {
    let options = &shared.options;
    let server_cpu = server.cpu();
    let generator_cpu = generator.cpu();
    let started = Instant::now();
    for index in 0..options.count {
        tokio::task::spawn_local(charge_point_task(index, Rc::clone(shared)));
    }
    // Every attempt ends by the deadline plus one timeout; the extra second is for bookkeeping.
    let bound = shared.connect_deadline + options.timeout + Duration::from_secs(1);
    while shared.connect_pending.get() > 0 && Instant::now() < bound {
        sleep(POLL).await;
    }
    let seconds = shared
        .last_connect_done
        .get()
        .saturating_duration_since(started)
        .as_secs_f64();
    let connected = shared.next_slot.get();
    let server_cpu = server_cpu.zip(server.cpu()).map(|(a, b)| b - a);
    let generator_cpu = generator_cpu.zip(generator.cpu()).map(|(a, b)| b - a);
    ConnectReport::new(
        options.count,
        connected,
        seconds,
        shared.connect_latencies.borrow_mut().percentiles(),
        shared.connect_failures.borrow().clone(),
        server_cpu,
        generator_cpu,
        shared.connect_pending.get(),
    )
}

/// Everything read at the edges of a phase.
struct Probes<'a> {
    server: &'a mut Probe,
    generator: &'a mut Probe,
    machine: &'a mut Machine,
}

/// CPU times read at one edge of a phase.
struct CpuSample {
    server: Option<Duration>,
    generator: Option<Duration>,
    machine: Option<Duration>,
}

/// How much CPU each used between two samples.
struct CpuUsed {
    server: Option<Duration>,
    generator: Option<Duration>,
    others: Option<Duration>,
}

impl Probes<'_> {
    fn sample(&mut self) -> CpuSample {
        CpuSample {
            server: self.server.cpu(),
            generator: self.generator.cpu(),
            machine: self.machine.busy(),
        }
    }

    fn used_since(&mut self, start: &CpuSample) -> CpuUsed {
        let end = self.sample();
        let delta = |a: Option<Duration>, b: Option<Duration>| Some(b?.saturating_sub(a?));
        let server = delta(start.server, end.server);
        let generator = delta(start.generator, end.generator);
        CpuUsed {
            server,
            generator,
            others: others(delta(start.machine, end.machine), server, generator),
        }
    }
}

async fn load_phase(
    phase: PhaseName,
    shared: &Rc<Shared>,
    probes: &mut Probes<'_>,
    warnings: &mut Vec<String>,
) -> LoadReport {
    let options = &shared.options;
    let charge_points = shared.alive.get();
    *shared.phase.borrow_mut() = PhaseCounters::default();
    let cpu_at_start = probes.sample();
    let start = Instant::now();
    let until = start + options.duration;
    let command = match phase {
        PhaseName::Rate => Command::Rate {
            start,
            until,
            slots: shared.next_slot.get(),
            rate: options.rate,
        },
        _ => Command::Closed { until },
    };
    shared.commands.send_replace(command);
    sleep_until(until).await;
    // The last CALLs are answered within a timeout, or the charge point gives the connection up.
    let bound = until + options.timeout + Duration::from_secs(1);
    while shared.busy.get() > 0 && Instant::now() < bound {
        sleep(POLL).await;
    }
    if shared.busy.get() > 0 {
        warnings.push(format!(
            "{phase:?}: {} charge points were still busy when the phase ended",
            shared.busy.get()
        ));
    }
    let elapsed = start.elapsed();
    let used = probes.used_since(&cpu_at_start);
    let counters = std::mem::take(&mut *shared.phase.borrow_mut());
    LoadReport::new(
        phase,
        charge_points,
        (phase == PhaseName::Rate).then_some(options.rate),
        elapsed,
        counters,
        used.server,
        used.generator,
    )
    .with_other_cpu(used.others)
}

async fn hold_phase(
    shared: &Rc<Shared>,
    memory_before: Option<Memory>,
    probes: &mut Probes<'_>,
) -> HoldReport {
    let options = &shared.options;
    sleep(options.settle).await;
    let connected_at_start = shared.alive.get();
    let memory_at_start = probes.server.memory();
    let cpu_at_start = probes.sample();
    let started = Instant::now();
    sleep(options.hold).await;
    let elapsed = started.elapsed();
    let used = probes.used_since(&cpu_at_start);
    HoldReport::new(
        elapsed,
        connected_at_start,
        shared.alive.get(),
        memory_before,
        memory_at_start,
        probes.server.memory(),
        used.server,
        used.generator,
    )
    .with_other_cpu(used.others)
}

/// Tells every charge point to close, and waits (bounded) until they have.
async fn stop_all(shared: &Rc<Shared>, warnings: &mut Vec<String>) {
    shared.commands.send_replace(Command::Stop);
    let bound = Instant::now() + STOP_TIMEOUT;
    while shared.alive.get() > 0 && Instant::now() < bound {
        sleep(POLL).await;
    }
    if shared.alive.get() > 0 {
        warnings.push(format!(
            "{} connections did not close within {STOP_TIMEOUT:?}",
            shared.alive.get()
        ));
    }
}

async fn charge_point_task(index: usize, shared: Rc<Shared>) {
    let link = connect_and_boot(index, &shared).await;
    shared.connect_pending.set(shared.connect_pending.get() - 1);
    shared.last_connect_done.set(Instant::now());
    let Some(mut link) = link else { return };
    let slot = shared.next_slot.get();
    shared.next_slot.set(slot + 1);
    shared.alive.set(shared.alive.get() + 1);
    let mut commands = shared.commands.subscribe();
    let outcome = serve(&mut link, slot, &shared, &mut commands).await;
    shared
        .server_calls
        .set(shared.server_calls.get() + link.server_calls);
    if outcome.is_ok() {
        link.close().await;
    }
    shared.alive.set(shared.alive.get() - 1);
}

async fn connect_and_boot(index: usize, shared: &Shared) -> Option<Link> {
    let options = &shared.options;
    let permit = tokio::select! {
        permit = shared.connect_slots.acquire() => permit.ok()?,
        () = sleep_until(shared.connect_deadline) => {
            shared.connect_failures.borrow_mut().record(&Failure::Timeout(
                "waiting for a connection slot (--connect-deadline passed)",
            ));
            return None;
        }
    };
    let started = Instant::now();
    let id = options.charge_point_id(index);
    let url = options.charge_point_url(index);
    let attempt = async {
        let mut link = charge_point::connect(&url).await?;
        link.boot(&id, options.timeout).await?;
        Ok(link)
    };
    let outcome = tokio::time::timeout(options.timeout, attempt)
        .await
        .unwrap_or(Err(Failure::Timeout("connecting and booting")));
    drop(permit);
    match outcome {
        Ok(link) => {
            shared
                .connect_latencies
                .borrow_mut()
                .record(started.elapsed());
            Some(link)
        }
        Err(failure) => {
            shared.connect_failures.borrow_mut().record(&failure);
            None
        }
    }
}

/// Follows the controller's commands until told to stop. `Err` when the connection was lost.
async fn serve(
    link: &mut Link,
    slot: usize,
    shared: &Shared,
    commands: &mut watch::Receiver<Command>,
) -> Result<(), Failure> {
    loop {
        let command = tokio::select! {
            changed = commands.changed() => match changed {
                Ok(()) => *commands.borrow_and_update(),
                Err(_) => return Ok(()),
            },
            failure = link.idle() => {
                shared.lost_idle.borrow_mut().record(&failure);
                return Err(failure);
            }
        };
        match command {
            Command::Idle => {}
            Command::Stop => return Ok(()),
            Command::Closed { until } => {
                let _busy = Busy::enter(&shared.busy);
                closed_loop(link, slot, shared, until).await?;
            }
            Command::Rate {
                start,
                until,
                slots,
                rate,
            } => {
                let _busy = Busy::enter(&shared.busy);
                fixed_rate(link, slot, shared, (start, until), slots, rate).await?;
            }
        }
    }
}

async fn closed_loop(
    link: &mut Link,
    slot: usize,
    shared: &Shared,
    until: Instant,
) -> Result<(), Failure> {
    let mut sequence = slot as u64;
    while Instant::now() < until {
        exchange(link, &mut sequence, shared).await?;
    }
    Ok(())
}

async fn fixed_rate(
    link: &mut Link,
    slot: usize,
    shared: &Shared,
    (start, until): (Instant, Instant),
    slots: usize,
    rate: u32,
) -> Result<(), Failure> {
    let mut sequence = slot as u64;
    for round in 0u64.. {
        let offset = (slot as f64 + round as f64 * slots as f64) / f64::from(rate);
        let due = start + Duration::from_secs_f64(offset);
        if due >= until {
            break;
        }
        tokio::select! {
            () = sleep_until(due) => {}
            failure = link.idle() => {
                let mut counters = shared.phase.borrow_mut();
                counters.failures.record(&failure);
                counters.lost += 1;
                return Err(failure);
            }
        }
        let lag = Instant::now().saturating_duration_since(due);
        {
            let mut counters = shared.phase.borrow_mut();
            counters.max_send_lag = counters.max_send_lag.max(lag);
            if lag > LATE_SEND {
                counters.late_sends += 1;
            }
        }
        exchange(link, &mut sequence, shared).await?;
    }
    Ok(())
}

/// One CALL of the mix and its answer, counted. `Err` only when the connection is unusable.
async fn exchange(link: &mut Link, sequence: &mut u64, shared: &Shared) -> Result<(), Failure> {
    let mix = &shared.options.mix;
    let kind = mix[(*sequence % mix.len() as u64) as usize];
    shared.phase.borrow_mut().sent += 1;
    let sent_at = Instant::now();
    let outcome = link.send(kind, *sequence, shared.options.timeout).await;
    let latency = sent_at.elapsed();
    *sequence += 1;
    let mut counters = shared.phase.borrow_mut();
    match outcome {
        Ok(()) => {
            counters.answered += 1;
            counters.latencies.record(latency);
            Ok(())
        }
        Err(failure) if failure.keeps_connection() => {
            counters.failures.record(&failure);
            Ok(())
        }
        Err(failure) => {
            counters.failures.record(&failure);
            counters.lost += 1;
            Err(failure)
        }
    }
}
