//! Load management scenarios on simulated time: the real device runtime and load controller drive
//! simulated Power Brains and a simulated grid meter (ampwise-sim) over in-memory Modbus TCP links,
//! on a paused tokio clock, so minutes of a site's life run in milliseconds and every instant is
//! exact.
//!
//! Time moves in 10 ms steps, and after every step the site is checked against what load
//! management promises at all times (see [`Site::check`]): no limit between 0 and the minimum,
//! the fuse holds with every car drawing all it is allowed, and the household load is never
//! counted smaller than it is. Each scenario then checks its own numbers, worked out in comments.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use ampwise_core::config::{
    ChargingSettings, Config, Device, DeviceDriver, Group, LoadManagementMode, MeterModel,
    ModbusAddress, ModbusMeterAddress, ModbusTransport, PhaseCurrents, TcpEndpoint,
};
use ampwise_core::device::runtime::{Availability, DeviceReading, DeviceRuntime};
use ampwise_core::loadmgmt::{BudgetMode, LoadController, LoadStatus, WallboxLoad};
use ampwise_core::modbus::{BusKey, BusOptions, LinkFactory};
use ampwise_sim::{Bus, CarSpec, Fault, MeterConfig, MeterSim, PowerBrainConfig, PowerBrainSim};
use tokio::sync::watch;
use tokio::time::Instant;

const TICK: Duration = Duration::from_secs(1);
const STEP: Duration = Duration::from_millis(10);
const MODBUS_PORT: u16 = 502;
/// The Power Brain's charging_cur_limit register.
const CHARGING_CUR_LIMIT: u16 = 8093;
/// Every wallbox's minimum current (the configuration's default).
const MIN_CURRENT_A: f64 = 6.0;
/// The default minimum on and off times (loadmgmt/tuning.rs).
const MIN_OFF_TIME: Duration = Duration::from_secs(60);
/// After the household load changes, the fuse may be exceeded until the grid meter has read the
/// change (within one poll) and the controller has reacted (within the next tick).
const HOUSEHOLD_GRACE: Duration = Duration::from_millis(2100);
const EPSILON: f64 = 1e-6;

/// A wallbox of the simulated site.
#[derive(Clone)]
struct WallboxSpec {
    id: &'static str,
    priority: u8,
    group: Option<&'static str>,
}

fn wallbox(id: &'static str) -> WallboxSpec {
    WallboxSpec {
        id,
        priority: 5,
        group: None,
    }
}

impl WallboxSpec {
    fn priority(self, priority: u8) -> Self {
        Self { priority, ..self }
    }

    fn in_group(self, group: &'static str) -> Self {
        Self {
            group: Some(group),
            ..self
        }
    }
}

fn group(id: &str, parent: Option<&str>, fuse_a: f64) -> Group {
    Group {
        id: id.to_owned(),
        name: id.to_owned(),
        parent: parent.map(str::to_owned),
        max_current_per_phase_a: PhaseCurrents::uniform(fuse_a),
    }
}

/// The site every scenario starts from, unless it changes it: a 32 A grid connection with 2 A
/// kept in reserve (30 A usable per phase) and a household load of 4 A per phase, so 26 A per
/// phase are left for the wallboxes. Every wallbox may draw 6–16 A on three phases.
struct SiteSpec {
    mode: LoadManagementMode,
    fuse_a: f64,
    reserve_a: f64,
    household_a: [f64; 3],
    meter_failure_household_a: Option<f64>,
    groups: Vec<Group>,
    wallboxes: Vec<WallboxSpec>,
    /// The Power Brains' fail-safe time (register 8083).
    fail_safe_s: u32,
}

impl Default for SiteSpec {
    fn default() -> Self {
        Self {
            mode: LoadManagementMode::Active,
            fuse_a: 32.0,
            reserve_a: 2.0,
            household_a: [4.0; 3],
            meter_failure_household_a: None,
            groups: Vec::new(),
            wallboxes: vec![wallbox("pb1"), wallbox("pb2")],
            fail_safe_s: 300,
        }
    }
}

/// A running site: the simulators, and the core's device runtime and load controller.
struct Site {
    mode: LoadManagementMode,
    usable_a: f64,
    meter: MeterSim,
    grid_bus: Bus,
    wallboxes: BTreeMap<&'static str, (PowerBrainSim, Bus)>,
    devices: DeviceRuntime,
    load: LoadController,
    /// Until when the fuse and household checks are suspended after a household change.
    grace_until: Cell<Instant>,
    _config: watch::Sender<Arc<Config>>,
    _shutdown: watch::Sender<bool>,
}

fn tcp(host: &str) -> ModbusTransport {
    ModbusTransport::Tcp(TcpEndpoint {
        host: host.to_owned(),
        port: MODBUS_PORT,
    })
}

fn host_of(id: &str) -> String {
    format!("{id}.sim")
}

fn site_config(spec: &SiteSpec) -> Config {
    let mut config = Config::default();
    let manager = &mut config.charging_manager;
    manager.mode = spec.mode;
    manager.max_current_per_phase_a = PhaseCurrents::uniform(spec.fuse_a);
    manager.current_reserve_a = spec.reserve_a;
    manager.control_interval_ms = 1000;
    manager.grid_meter = Some("grid".to_owned());
    manager.meter_failure_household_a = spec.meter_failure_household_a.map(PhaseCurrents::uniform);
    config.groups = spec.groups.clone();
    config.devices.push(Device {
        id: "grid".to_owned(),
        name: "Grid meter".to_owned(),
        enabled: true,
        on_deactivation: Default::default(),
        group: None,
        driver: DeviceDriver::ModbusMeter(ModbusMeterAddress {
            model: MeterModel::EastronSdm630,
            transport: tcp(&host_of("grid")),
            unit_id: 1,
        }),
        charging: None,
        gateway: None,
    });
    for wallbox in &spec.wallboxes {
        config.devices.push(Device {
            id: wallbox.id.to_owned(),
            name: format!("Power Brain {}", wallbox.id),
            enabled: true,
            on_deactivation: Default::default(),
            group: wallbox.group.map(str::to_owned),
            driver: DeviceDriver::PowerBrainEvse(ModbusAddress {
                transport: tcp(&host_of(wallbox.id)),
                unit_id: 1,
            }),
            charging: Some(ChargingSettings {
                min_current_a: MIN_CURRENT_A,
                priority: wallbox.priority,
                ..ChargingSettings::default()
            }),
            gateway: None,
        });
    }
    config
}

/// Every connection the core opens to `<id>.sim` gets one end of an in-memory stream; the
/// simulator serves the other end, as it serves each accepted TCP connection. Each device is on
/// its own bus, as Power Brains with their own IP addresses are.
fn links_to(buses: BTreeMap<String, Bus>) -> LinkFactory {
    LinkFactory::new(move |key: &BusKey| {
        let bus = match key {
            BusKey::Tcp { host, .. } => buses.get(host).cloned(),
            BusKey::Serial { .. } => None,
        };
        async move {
            let bus =
                bus.ok_or_else(|| std::io::Error::from(std::io::ErrorKind::ConnectionRefused))?;
            let (core_end, sim_end) = tokio::io::duplex(4096);
            tokio::spawn(async move {
                let _ = ampwise_sim::serve_tcp_stream(sim_end, bus).await;
            });
            Ok(core_end)
        }
    })
}

impl Site {
    async fn start(spec: SiteSpec) -> Site {
        let config = site_config(&spec);
        ampwise_core::config::validate(&config).unwrap();
        let meter = MeterSim::new(MeterConfig {
            household_a: spec.household_a,
            ..MeterConfig::default()
        })
        .unwrap();
        let grid_bus = Bus::new().with(1, &meter).unwrap();
        let mut buses = BTreeMap::from([(host_of("grid"), grid_bus.clone())]);
        let mut wallboxes = BTreeMap::new();
        for wallbox in &spec.wallboxes {
            let sim = PowerBrainSim::new(PowerBrainConfig {
                name: wallbox.id.to_owned(),
                fail_safe_duration_s: spec.fail_safe_s,
                ..PowerBrainConfig::default()
            })
            .unwrap();
            meter.link_wallbox(&sim);
            let bus = Bus::new().with(1, &sim).unwrap();
            buses.insert(host_of(wallbox.id), bus.clone());
            wallboxes.insert(wallbox.id, (sim, bus));
        }
        let (config_tx, config_rx) = watch::channel(Arc::new(config));
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (devices, _) = DeviceRuntime::start_with(
            config_rx.clone(),
            shutdown_rx.clone(),
            BusOptions::default(),
            Some(links_to(buses)),
        );
        let (load, _) = LoadController::start(config_rx, devices.clone(), None, shutdown_rx);
        let site = Site {
            mode: spec.mode,
            usable_a: spec.fuse_a - spec.reserve_a,
            meter,
            grid_bus,
            wallboxes,
            devices,
            load,
            // The first readings and decisions take a tick or two.
            grace_until: Cell::new(Instant::now() + HOUSEHOLD_GRACE),
            _config: config_tx,
            _shutdown: shutdown_tx,
        };
        site.run(3).await;
        site
    }

    fn sim(&self, id: &str) -> &PowerBrainSim {
        &self.wallboxes[id].0
    }

    fn bus(&self, id: &str) -> &Bus {
        &self.wallboxes[id].1
    }

    /// A three-phase car that takes up to `max_current_a` plugs in.
    fn plug_in(&self, id: &str, max_current_a: f64) {
        self.sim(id)
            .plug_in(CarSpec {
                phases: 3,
                max_current_a,
                energy_to_full_kwh: 500.0,
            })
            .unwrap();
    }

    fn set_household(&self, household_a: [f64; 3]) {
        self.meter.set_household_load(household_a).unwrap();
        self.grace_until.set(Instant::now() + HOUSEHOLD_GRACE);
    }

    /// The limit the wallbox holds now: 0 while charging is switched off.
    fn held(&self, id: &str) -> f64 {
        let sim = self.sim(id).snapshot();
        if sim.charging_enabled {
            sim.charging_cur_limit_a
        } else {
            0.0
        }
    }

    fn drawn(&self, id: &str) -> f64 {
        self.sim(id).snapshot().phase_currents_a[0]
    }

    fn limit_writes(&self, id: &str) -> u64 {
        self.sim(id)
            .snapshot()
            .writes_per_register
            .get(&CHARGING_CUR_LIMIT)
            .copied()
            .unwrap_or(0)
    }

    fn status(&self) -> Arc<LoadStatus> {
        self.load.status()
    }

    fn decided(&self, id: &str) -> WallboxLoad {
        let status = self.status();
        match status.wallboxes.iter().find(|w| w.device_id == id) {
            Some(wallbox) => wallbox.clone(),
            None => panic!("{id} is not in the load status: {status:?}"),
        }
    }

    fn reason(&self, id: &str) -> String {
        self.decided(id).reason["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn budget_mode(&self) -> Option<BudgetMode> {
        self.status().site.map(|site| site.mode)
    }

    fn availability(&self, id: &str) -> Option<Availability> {
        self.devices.states().get(id).map(|s| s.availability)
    }

    /// L1 of the grid meter's last reading as the core has it.
    fn grid_l1_read(&self) -> Option<f64> {
        match &self.devices.states().get("grid")?.reading {
            Some(DeviceReading::Meter(reading)) => reading.current_a.map(|a| a[0]),
            _ => None,
        }
    }

    /// For failure messages: what every wallbox holds and what the controller decided.
    fn describe(&self) -> String {
        let mut text = String::new();
        for id in self.wallboxes.keys() {
            let decided = self.decided(id);
            text.push_str(&format!(
                "\n  {id}: holds {} A, draws {} A, decided {} A ({})",
                self.held(id),
                self.drawn(id),
                decided.limit_a,
                decided.reason_text
            ));
        }
        text.push_str(&format!(
            "\n  grid meter: {:?}; site: {:?}",
            self.meter.snapshot().currents_a,
            self.status().site
        ));
        text
    }

    /// What load management promises at every moment.
    fn check(&self) {
        let status = self.status();
        // Paused or at least the minimum: never a current the car cannot charge with.
        for wallbox in &status.wallboxes {
            assert!(
                wallbox.limit_a == 0.0 || wallbox.limit_a >= MIN_CURRENT_A - EPSILON,
                "{} was given {} A:{}",
                wallbox.device_id,
                wallbox.limit_a,
                self.describe()
            );
        }
        if self.mode == LoadManagementMode::Monitor || Instant::now() < self.grace_until.get() {
            return;
        }
        let household = self.meter.snapshot().household_a;
        // The fuse holds even if every car draws all it is allowed.
        let mut allowed = household;
        for (sim, _) in self.wallboxes.values() {
            let sim = sim.snapshot();
            if sim.car_connected && sim.charging_enabled {
                for phase in &mut allowed {
                    *phase += sim.charging_cur_limit_a;
                }
            }
        }
        for (phase, amps) in allowed.iter().enumerate() {
            assert!(
                *amps <= self.usable_a + EPSILON,
                "L{}: household and allowed charging add up to {amps} A, more than the {} A \
                 usable:{}",
                phase + 1,
                self.usable_a,
                self.describe()
            );
        }
        // The budget is never larger than it is: the household is not counted smaller.
        if let Some(site) = &status.site {
            let counted = site.household_a.to_array();
            for phase in 0..3 {
                assert!(
                    counted[phase] >= household[phase] - EPSILON,
                    "L{}: household counted as {} A while it is {} A:{}",
                    phase + 1,
                    counted[phase],
                    household[phase],
                    self.describe()
                );
            }
        }
    }

    /// Lets `duration` pass in 10 ms steps, checking the promises after each.
    async fn run_for(&self, duration: Duration) {
        let end = Instant::now() + duration;
        while Instant::now() < end {
            tokio::time::sleep(STEP.min(end - Instant::now())).await;
            self.check();
        }
    }

    async fn run(&self, ticks: u32) {
        self.run_for(TICK * ticks).await;
    }

    /// Runs until `condition` holds; panics after `within`. Returns how long it took.
    async fn run_until(
        &self,
        what: &str,
        within: Duration,
        condition: impl Fn(&Site) -> bool,
    ) -> Duration {
        let start = Instant::now();
        while !condition(self) {
            assert!(
                start.elapsed() < within,
                "not {what} within {within:?}:{}",
                self.describe()
            );
            tokio::time::sleep(STEP).await;
            self.check();
        }
        start.elapsed()
    }

    /// Runs for `duration`, panicking as soon as `condition` does not hold.
    async fn keeps(&self, what: &str, duration: Duration, condition: impl Fn(&Site) -> bool) {
        let end = Instant::now() + duration;
        while Instant::now() < end {
            assert!(condition(self), "not {what} throughout:{}", self.describe());
            tokio::time::sleep(STEP).await;
            self.check();
        }
        assert!(condition(self), "not {what} throughout:{}", self.describe());
    }

    fn holds(&self, expected: &[(&str, f64)]) -> bool {
        expected
            .iter()
            .all(|(id, amps)| close(self.held(id), *amps) && close(self.decided(id).limit_a, *amps))
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < EPSILON
}

/// (a) One car arrives at an idle site. 26 A per phase are free, the wallbox maximum is 16 A, so
/// it gets 16 A within two ticks (one to see the car, one to decide and write), draws them, and
/// keeps them: the grid meter then shows 4 + 16 = 20 A.
#[tokio::test(start_paused = true)]
async fn a_car_that_arrives_gets_its_current_within_two_ticks() {
    let site = Site::start(SiteSpec::default()).await;
    assert_eq!(site.reason("pb1"), "no_car");
    assert!(close(site.held("pb1"), 0.0), "{}", site.describe());

    site.plug_in("pb1", 16.0);
    site.run_until("charging at 16 A", 2 * TICK, |site| {
        site.holds(&[("pb1", 16.0)]) && close(site.drawn("pb1"), 16.0)
    })
    .await;
    site.keeps("at 16 A", 10 * TICK, |site| site.holds(&[("pb1", 16.0)]))
        .await;
    assert_eq!(site.reason("pb1"), "limited_by_wallbox_max");
    assert_eq!(site.meter.snapshot().currents_a, [20.0; 3]);
    assert_eq!(site.reason("pb2"), "no_car");
}

/// (b) The household load rises on L1 from 4 to 20 A while one car charges at 16 A. L1 then has
/// 30 − 20 = 10 A left, so the wallbox must go to 10 A (limited by the grid connection on L1)
/// within one tick after the grid meter's reading shows the new load (20 + 16 = 36 A), and L1
/// then carries 20 + 10 = 30 A, exactly the fuse minus the reserve.
#[tokio::test(start_paused = true)]
async fn a_rising_household_load_reduces_the_wallbox_within_a_tick_of_the_meter_reading() {
    let site = Site::start(SiteSpec::default()).await;
    site.plug_in("pb1", 16.0);
    site.run_until("charging at 16 A", 3 * TICK, |site| {
        site.holds(&[("pb1", 16.0)])
    })
    .await;
    site.run_for(TICK / 2).await;

    site.set_household([20.0, 4.0, 4.0]);
    let seen = site
        .run_until("the new load read", TICK + STEP, |site| {
            site.grid_l1_read().is_some_and(|l1| close(l1, 36.0))
        })
        .await;
    let reduced = site
        .run_until("reduced to 10 A", TICK + STEP, |site| {
            close(site.held("pb1"), 10.0)
        })
        .await;
    assert!(
        reduced <= TICK,
        "reduced {reduced:?} after the reading (read {seen:?} after the change)"
    );
    assert_eq!(
        site.decided("pb1").reason,
        serde_json::json!({"code": "limited_by_site", "phase": "l1"})
    );
    site.keeps("at 10 A", 10 * TICK, |site| site.holds(&[("pb1", 10.0)]))
        .await;
    assert!(close(site.meter.snapshot().currents_a[0], 30.0));
}

/// (c) A second car of the same priority shares fairly: 26 A / 2 = 13 A each. A third car of a
/// lower priority (7) still gets its minimum: 6 + 6 + 6 = 18 ≤ 26, and the 8 A above the
/// minimums go to the higher class first, 4 A each: 10 + 10 + 6. More than a minute later (past
/// every minimum on time) the household load rises to 16 A per phase: 30 − 16 = 14 A are left,
/// enough for two minimums but not three, so the lowest priority pauses and the other two share
/// the rest, 7 + 7 — never all three at less than 6 A.
#[tokio::test(start_paused = true)]
async fn cars_share_fairly_and_the_lowest_priority_pauses_first() {
    let site = Site::start(SiteSpec {
        wallboxes: vec![wallbox("pb1"), wallbox("pb2"), wallbox("pb3").priority(7)],
        ..SiteSpec::default()
    })
    .await;
    site.plug_in("pb1", 16.0);
    site.run_until("pb1 at 16 A", 3 * TICK, |site| site.holds(&[("pb1", 16.0)]))
        .await;

    site.plug_in("pb2", 16.0);
    site.run_until("13 A each", 3 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;
    site.keeps("13 A each", 5 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;
    assert_eq!(site.reason("pb1"), "limited_by_site");
    assert_eq!(site.reason("pb2"), "limited_by_site");

    site.plug_in("pb3", 16.0);
    let shares = [("pb1", 10.0), ("pb2", 10.0), ("pb3", 6.0)];
    site.run_until("10 + 10 + 6", 3 * TICK, |site| site.holds(&shares))
        .await;
    site.keeps("10 + 10 + 6", 61 * TICK, |site| site.holds(&shares))
        .await;

    site.set_household([16.0; 3]);
    site.run_until("pb3 paused", 3 * TICK, |site| site.holds(&[("pb3", 0.0)]))
        .await;
    assert_eq!(
        site.decided("pb3").reason,
        serde_json::json!({
            "code": "paused_budget_below_minimum",
            "bottleneck": {"kind": "site", "phase": "l1"}
        })
    );
    let shares = [("pb1", 7.0), ("pb2", 7.0), ("pb3", 0.0)];
    site.run_until("7 + 7 + paused", TICK, |site| site.holds(&shares))
        .await;
    site.keeps("7 + 7 + paused", 5 * TICK, |site| site.holds(&shares))
        .await;
}

/// Nested groups: a 40 A connection, 2 A reserve, 4 A household: 34 A for the wallboxes. pb2
/// sits in the garage (10 A), which hangs in the house distribution (21 A) with pb3; pb1 is at the
/// connection. All three rise together from 6 A: the garage is full first, at 10 A (pb2); then the
/// house, where pb3 can have 21 − 10 = 11 A; pb1 gets the rest of the connection,
/// 34 − 10 − 11 = 13 A.
#[tokio::test(start_paused = true)]
async fn nested_groups_each_hold_their_fuse() {
    let site = Site::start(SiteSpec {
        fuse_a: 40.0,
        groups: vec![
            group("house", None, 21.0),
            group("garage", Some("house"), 10.0),
        ],
        wallboxes: vec![
            wallbox("pb1"),
            wallbox("pb2").in_group("garage"),
            wallbox("pb3").in_group("house"),
        ],
        ..SiteSpec::default()
    })
    .await;
    for id in ["pb1", "pb2", "pb3"] {
        site.plug_in(id, 16.0);
    }
    let shares = [("pb1", 13.0), ("pb2", 10.0), ("pb3", 11.0)];
    site.run_until("13 + 10 + 11", 3 * TICK, |site| site.holds(&shares))
        .await;
    site.keeps("13 + 10 + 11", 5 * TICK, |site| site.holds(&shares))
        .await;
    assert_eq!(site.reason("pb1"), "limited_by_site");
    assert_eq!(site.decided("pb2").reason["group_id"], "garage");
    assert_eq!(site.decided("pb3").reason["group_id"], "house");
    let status = site.status();
    let house = status.groups.iter().find(|g| g.id == "house").unwrap();
    assert!(close(house.allocated_a.l1, 21.0), "{status:?}");
}

/// (d) Two cars arrive together and get 26 / 2 = 13 A each, but pb1's car takes at most 10 A. On
/// the next tick pb1 is offered its draw plus 2 A of headroom, 12 A (limited by the car), and pb2
/// gets the rest, 26 − 12 = 14 A; it stays so, since pb1 keeps drawing 10 A, 2 A below its offer.
#[tokio::test(start_paused = true)]
async fn a_car_that_draws_less_than_offered_gives_the_rest_to_the_other() {
    let site = Site::start(SiteSpec::default()).await;
    site.plug_in("pb1", 10.0);
    site.plug_in("pb2", 16.0);
    let shares = [("pb1", 12.0), ("pb2", 14.0)];
    site.run_until("12 + 14", 4 * TICK, |site| site.holds(&shares))
        .await;
    site.keeps("12 + 14", 10 * TICK, |site| site.holds(&shares))
        .await;
    assert_eq!(site.reason("pb1"), "limited_by_car_demand");
    assert_eq!(site.reason("pb2"), "limited_by_site");
    assert!(close(site.drawn("pb1"), 10.0) && close(site.drawn("pb2"), 14.0));
}

async fn two_cars_at_13_a(spec: SiteSpec) -> Site {
    let site = Site::start(spec).await;
    site.plug_in("pb1", 16.0);
    site.plug_in("pb2", 16.0);
    site.run_until("13 A each", 4 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;
    site
}

/// (e) The grid meter stops answering while two cars charge at 13 A. Once it is marked offline
/// (three polls that time out after 1 s each), the site falls back to the safe budget: with no
/// assumed household load, every wallbox is paused. When the meter answers again, the budget is
/// measured again, but the wallboxes were paused by load management, so they wait out the minimum
/// off time of 60 s and then get 13 A each again.
#[tokio::test(start_paused = true)]
async fn a_failed_grid_meter_pauses_every_wallbox_until_it_is_back() {
    let site = two_cars_at_13_a(SiteSpec::default()).await;
    site.grid_bus.set_fault(1, Fault::Silent).unwrap();
    let offline = site
        .run_until("the meter offline", 10 * TICK, |site| {
            site.availability("grid") == Some(Availability::Offline)
        })
        .await;
    assert!(offline >= 2 * TICK, "offline after only {offline:?}");
    site.run_until("both paused", TICK + STEP, |site| {
        site.holds(&[("pb1", 0.0), ("pb2", 0.0)])
    })
    .await;
    let paused_at = Instant::now();
    assert_eq!(site.budget_mode(), Some(BudgetMode::SafeMeterFailed));
    assert_eq!(
        site.decided("pb1").reason,
        serde_json::json!({"code": "safe_budget_meter_failed", "paused": true})
    );
    site.keeps("both paused", 10 * TICK, |site| {
        site.holds(&[("pb1", 0.0), ("pb2", 0.0)])
    })
    .await;

    site.grid_bus.clear_fault(1).unwrap();
    site.run_until("the budget measured again", 3 * TICK, |site| {
        site.budget_mode() == Some(BudgetMode::Metered)
    })
    .await;
    assert_eq!(site.reason("pb1"), "held_by_min_off_time");
    site.keeps(
        "both paused",
        MIN_OFF_TIME - paused_at.elapsed() - STEP,
        |site| site.holds(&[("pb1", 0.0), ("pb2", 0.0)]),
    )
    .await;
    site.run_until("13 A each", 3 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;
}

/// (e) With `meter_failure_household_a` = 14 A, the safe budget is 30 − 14 = 16 A per phase:
/// room for both minimums (12 A), and in safe mode every wallbox gets exactly its minimum, 6 A.
/// Nobody was paused, so when the meter is back both return to 13 A at once.
#[tokio::test(start_paused = true)]
async fn a_failed_grid_meter_with_an_assumed_household_load_leaves_the_minimums() {
    let site = two_cars_at_13_a(SiteSpec {
        meter_failure_household_a: Some(14.0),
        ..SiteSpec::default()
    })
    .await;
    site.grid_bus.set_fault(1, Fault::Silent).unwrap();
    site.run_until("both at 6 A", 10 * TICK, |site| {
        site.holds(&[("pb1", 6.0), ("pb2", 6.0)])
    })
    .await;
    assert_eq!(site.availability("grid"), Some(Availability::Offline));
    assert_eq!(
        site.decided("pb2").reason,
        serde_json::json!({"code": "safe_budget_meter_failed", "paused": false})
    );
    site.keeps("both at 6 A", 10 * TICK, |site| {
        site.holds(&[("pb1", 6.0), ("pb2", 6.0)])
    })
    .await;

    site.grid_bus.clear_fault(1).unwrap();
    site.run_until("13 A each", 3 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;
}

/// (f) pb2 stops answering while both charge at 13 A. It may still draw its 13 A, so it is counted
/// at them ("frozen") and pb1 must not get its share: pb1 stays at 13 A, not 16. When pb2
/// answers again, both carry on at 13 A.
#[tokio::test(start_paused = true)]
async fn an_unanswering_wallbox_is_counted_at_its_last_limit() {
    let site = two_cars_at_13_a(SiteSpec::default()).await;
    site.bus("pb2").set_fault(1, Fault::Silent).unwrap();
    site.run_until("pb2 frozen", 10 * TICK, |site| {
        site.reason("pb2") == "frozen_device_unreachable"
    })
    .await;
    assert_eq!(site.availability("pb2"), Some(Availability::Offline));
    site.keeps("13 + 13 (frozen)", 20 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;

    site.bus("pb2").clear_fault(1).unwrap();
    site.run_until("pb2 back", 5 * TICK, |site| {
        site.reason("pb2") == "limited_by_site"
    })
    .await;
    site.keeps("13 A each", 5 * TICK, |site| {
        site.holds(&[("pb1", 13.0), ("pb2", 13.0)])
    })
    .await;
}

/// (g) One car charges at 16 A for more than a minute. The household load on L1 rises to 26 A:
/// 30 − 26 = 4 A < 6 A, so it is paused, and says so while the load stays. Five seconds later the
/// load is back at 4 A, but the wallbox stays paused until 60 s after the pause (minimum off time),
/// which it now names as the reason, then gets 16 A again.
#[tokio::test(start_paused = true)]
async fn a_wallbox_paused_for_budget_waits_the_minimum_off_time() {
    let site = Site::start(SiteSpec::default()).await;
    site.plug_in("pb1", 16.0);
    site.run_until("charging at 16 A", 3 * TICK, |site| {
        site.holds(&[("pb1", 16.0)])
    })
    .await;
    site.run(61).await;

    site.set_household([26.0, 4.0, 4.0]);
    site.run_until("paused", 3 * TICK, |site| site.holds(&[("pb1", 0.0)]))
        .await;
    let paused_at = Instant::now();
    assert_eq!(site.reason("pb1"), "paused_budget_below_minimum");
    site.run(5).await;
    // Still the budget, not the wait, while the household load stays high.
    assert_eq!(site.reason("pb1"), "paused_budget_below_minimum");

    site.set_household([4.0; 3]);
    site.run(3).await;
    assert_eq!(site.reason("pb1"), "held_by_min_off_time");
    site.keeps(
        "paused",
        MIN_OFF_TIME - paused_at.elapsed() - STEP,
        |site| site.holds(&[("pb1", 0.0)]),
    )
    .await;
    site.run_until("charging at 16 A again", 2 * TICK, |site| {
        site.holds(&[("pb1", 16.0)])
    })
    .await;
    assert!(paused_at.elapsed() >= MIN_OFF_TIME);
}

/// (h) Monitor mode: the controller decides and shows what it would do, with reasons, but writes
/// nothing. The simulated wallboxes start enabled at 16 A, so both cars draw 16 A as they come;
/// the grid meter shows 4 + 32 = 36 A, the household is 36 − 32 = 4 A, and the decision is
/// 13 A each, limited by the grid connection.
#[tokio::test(start_paused = true)]
async fn monitor_mode_shows_the_decisions_and_writes_nothing() {
    let site = Site::start(SiteSpec {
        mode: LoadManagementMode::Monitor,
        ..SiteSpec::default()
    })
    .await;
    site.plug_in("pb1", 16.0);
    site.plug_in("pb2", 16.0);
    site.run_until("13 A each decided", 3 * TICK, |site| {
        close(site.decided("pb1").limit_a, 13.0) && close(site.decided("pb2").limit_a, 13.0)
    })
    .await;
    site.run(10).await;
    let status = site.status();
    assert_eq!(status.mode, LoadManagementMode::Monitor);
    assert_eq!(site.reason("pb1"), "limited_by_site");
    assert_eq!(
        site.decided("pb2").reason_text,
        "limited by grid connection L1"
    );
    assert!(close(status.site.unwrap().household_a.l1, 4.0));
    for id in ["pb1", "pb2"] {
        let sim = site.sim(id).snapshot();
        assert!(sim.requests > 0, "{id} was polled");
        assert!(sim.writes_per_register.is_empty(), "{id}: {sim:?}");
        assert!(close(site.held(id), 16.0) && close(site.drawn(id), 16.0));
    }
}

/// (i) Limits are written when they change, and otherwise only to refresh them before the
/// wallbox's fail-safe takes over: with a 30 s fail-safe, every 30 / 3 = 10 s. Over 35 s of
/// unchanged load that is 3 writes of charging_cur_limit, 10 s apart. Then a change of the
/// household load (L1 to 20 A: 30 − 20 = 10 A) is one more write, at once.
#[tokio::test(start_paused = true)]
async fn limits_are_written_when_they_change_and_refreshed_before_the_fail_safe() {
    let site = Site::start(SiteSpec {
        fail_safe_s: 30,
        ..SiteSpec::default()
    })
    .await;
    site.plug_in("pb1", 16.0);
    site.run_until("charging at 16 A", 3 * TICK, |site| {
        site.holds(&[("pb1", 16.0)])
    })
    .await;
    // Start counting right after a write, so the refreshes fall at known times.
    let writes = site.limit_writes("pb1");
    site.run_until("a refresh", 11 * TICK, |site| {
        site.limit_writes("pb1") > writes
    })
    .await;
    site.sim("pb1").reset_counters();

    let mut written_at = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(35) {
        let before = site.limit_writes("pb1");
        site.run_for(STEP).await;
        if site.limit_writes("pb1") > before {
            written_at.push(start.elapsed());
        }
    }
    assert_eq!(site.limit_writes("pb1"), 3, "written at {written_at:?}");
    for (n, at) in written_at.iter().enumerate() {
        let due = Duration::from_secs(10 * (n as u64 + 1));
        assert!(
            *at >= due && *at <= due + TICK,
            "refresh {n} at {at:?}, due at {due:?}"
        );
    }
    let sim = site.sim("pb1").snapshot();
    assert!(!sim.fail_safe_active);
    assert_eq!(sim.flash_writes, 0);

    site.sim("pb1").reset_counters();
    site.set_household([20.0, 4.0, 4.0]);
    site.run_until("reduced to 10 A", 3 * TICK, |site| {
        site.holds(&[("pb1", 10.0)])
    })
    .await;
    site.run(5).await;
    assert_eq!(site.limit_writes("pb1"), 1);
}
