//! The Power Brain model with explicit instants: exact numbers, no clock.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tokio::time::Instant;
use tokio_modbus::ExceptionCode;

use super::registers::*;
use super::{PowerBrainConfig, PowerBrainSim, ScheduledCar};
use crate::physics::{CarSpec, CpState};

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn start(config: PowerBrainConfig) -> (PowerBrainSim, Instant) {
    let t0 = Instant::now();
    (PowerBrainSim::new_at(config, t0).unwrap(), t0)
}

/// Without traffic the default fail-safe would stop the car after 300 s.
fn no_fail_safe() -> PowerBrainConfig {
    PowerBrainConfig {
        fail_safe_duration_s: 0,
        ..PowerBrainConfig::default()
    }
}

fn read1(sim: &PowerBrainSim, address: u16, now: Instant) -> u16 {
    sim.read_holding(address, 1, now).unwrap()[0]
}

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "{actual} is not {expected}"
    );
}

#[test]
fn a_scheduled_car_goes_from_a_to_b_to_c() {
    let (sim, t0) = start(PowerBrainConfig {
        initially_enabled: false,
        scheduled_car: Some(ScheduledCar {
            after: secs(5.0),
            car: CarSpec::default(),
        }),
        ..PowerBrainConfig::default()
    });
    assert_eq!(sim.snapshot_at(t0 + secs(4.9)).cp_state, CpState::A);
    assert_eq!(sim.snapshot_at(t0 + secs(5.0)).cp_state, CpState::B);
    assert_eq!(read1(&sim, CP_STATE, t0 + secs(6.0)), 1);
    sim.write(CHARGING_ENABLE, &[1], t0 + secs(7.0)).unwrap();
    let snapshot = sim.snapshot_at(t0 + secs(7.0));
    assert_eq!(snapshot.cp_state, CpState::C);
    assert_eq!(snapshot.phase_currents_a, [16.0; 3]);
    assert_eq!(read1(&sim, CHARGING_CURRENT, t0 + secs(7.0)), 160);
}

#[test]
fn the_draw_is_the_smallest_of_limit_car_and_cable() {
    let (sim, t0) = start(PowerBrainConfig {
        cable_current_a: 20.0,
        ..PowerBrainConfig::default()
    });
    sim.plug_in_at(
        CarSpec {
            max_current_a: 32.0,
            ..CarSpec::default()
        },
        t0,
    )
    .unwrap();
    sim.write(CHARGING_CUR_LIMIT, &[250], t0).unwrap();
    assert_eq!(sim.snapshot_at(t0).phase_currents_a, [20.0; 3]);
    sim.write(CHARGING_CUR_LIMIT, &[105], t0).unwrap();
    assert_eq!(sim.snapshot_at(t0).phase_currents_a, [10.5; 3]);
    sim.set_cable_current_a(0.0).unwrap();
    sim.write(CHARGING_CUR_LIMIT, &[630], t0).unwrap();
    assert_eq!(sim.snapshot_at(t0).phase_currents_a, [32.0; 3]);
}

#[test]
fn energy_is_power_times_time() {
    let (sim, t0) = start(no_fail_safe());
    sim.plug_in_at(CarSpec::default(), t0).unwrap();
    let snapshot = sim.snapshot_at(t0 + secs(3600.0));
    // 3 × 16 A × 230 V for one hour.
    assert_close(snapshot.energy_wh, 11_040.0);
    assert_close(snapshot.power_w, 11_040.0);
    let words = sim.read_holding(ENERGY_WH, 12, t0 + secs(3600.0)).unwrap();
    assert_eq!(&words[..4], &[0, 0, 0, 11_040]);
    assert_eq!(&words[4..6], &[0, 11_040]);
    assert_eq!(&words[6..], &[0, 160, 0, 160, 0, 160]);
}

#[test]
fn a_full_car_stops_at_exactly_its_energy() {
    let (sim, t0) = start(no_fail_safe());
    sim.plug_in_at(
        CarSpec {
            energy_to_full_kwh: 1.0,
            ..CarSpec::default()
        },
        t0,
    )
    .unwrap();
    let snapshot = sim.snapshot_at(t0 + secs(3600.0));
    assert_close(snapshot.energy_wh, 1000.0);
    assert!(snapshot.car_full);
    assert_eq!(snapshot.cp_state, CpState::B);
    assert_eq!(snapshot.phase_currents_a, [0.0; 3]);
}

#[test]
fn without_traffic_the_fail_safe_stops_charging() {
    let (sim, t0) = start(PowerBrainConfig::default());
    sim.plug_in_at(CarSpec::default(), t0).unwrap();
    assert!(sim.snapshot_at(t0 + secs(299.9)).charging_enabled);
    let snapshot = sim.snapshot_at(t0 + secs(1000.0));
    assert!(snapshot.fail_safe_active);
    assert!(!snapshot.charging_enabled);
    assert_eq!(snapshot.cp_state, CpState::B);
    // It charged for exactly the 300 s before the fail-safe.
    assert_close(snapshot.energy_wh, 11_040.0 * 300.0 / 3600.0);
}

#[test]
fn traffic_keeps_the_fail_safe_away_and_re_arms_it() {
    let (sim, t0) = start(PowerBrainConfig {
        fail_safe_current_a: 8.0,
        ..PowerBrainConfig::default()
    });
    sim.note_traffic(t0 + secs(200.0));
    assert!(!sim.snapshot_at(t0 + secs(499.0)).fail_safe_active);
    let snapshot = sim.snapshot_at(t0 + secs(500.0));
    assert!(snapshot.fail_safe_active);
    assert_eq!(snapshot.charging_cur_limit_a, 8.0);
    assert!(snapshot.charging_enabled);
    sim.note_traffic(t0 + secs(600.0));
    assert!(!sim.snapshot_at(t0 + secs(601.0)).fail_safe_active);
}

#[test]
fn fail_safe_duration_is_two_registers() {
    let (sim, t0) = start(PowerBrainConfig::default());
    assert_eq!(
        sim.read_holding(FAIL_SAFE_DURATION, 2, t0).unwrap(),
        vec![0, 300]
    );
    sim.write(FAIL_SAFE_DURATION, &[1, 2], t0).unwrap();
    assert_eq!(sim.snapshot_at(t0).fail_safe_duration_s, 65_538);
}

#[test]
fn relay_select_switches_to_one_phase() {
    let (sim, t0) = start(PowerBrainConfig::default());
    sim.plug_in_at(CarSpec::default(), t0).unwrap();
    sim.write(RELAY_SELECT, &[1], t0).unwrap();
    assert_eq!(sim.snapshot_at(t0).phase_currents_a, [16.0, 0.0, 0.0]);
}

#[test]
fn disconnect_cp_pauses_the_car_for_n_seconds() {
    let (sim, t0) = start(PowerBrainConfig::default());
    sim.plug_in_at(CarSpec::default(), t0).unwrap();
    sim.write(DISCONNECT_CP, &[10], t0 + secs(1.0)).unwrap();
    assert_eq!(read1(&sim, DISCONNECT_CP, t0 + secs(1.5)), 10);
    let paused = sim.snapshot_at(t0 + secs(6.0));
    assert_eq!(paused.cp_state, CpState::B);
    assert_eq!(paused.power_w, 0.0);
    assert_eq!(sim.snapshot_at(t0 + secs(11.0)).cp_state, CpState::C);
    // Charged during the first second and from 11 s to 20 s.
    assert_close(
        sim.snapshot_at(t0 + secs(20.0)).energy_wh,
        11_040.0 * 10.0 / 3600.0,
    );
}

#[test]
fn out_of_range_writes_are_illegal_values_and_change_nothing() {
    let (sim, t0) = start(PowerBrainConfig::default());
    for value in [0, 59, 631] {
        assert_eq!(
            sim.write(CHARGING_CUR_LIMIT, &[value], t0),
            Err(ExceptionCode::IllegalDataValue)
        );
    }
    assert_eq!(
        sim.write(CHARGING_ENABLE, &[2], t0),
        Err(ExceptionCode::IllegalDataValue)
    );
    // A multi-register write is all or nothing.
    assert_eq!(
        sim.write(CHARGING_CUR_LIMIT, &[100, 7], t0),
        Err(ExceptionCode::IllegalDataValue)
    );
    let snapshot = sim.snapshot_at(t0);
    assert_eq!(snapshot.charging_cur_limit_a, 16.0);
    assert_eq!(snapshot.rejected_writes, 5);
    assert!(snapshot.writes_per_register.is_empty());
}

#[test]
fn read_only_and_unknown_registers_refuse_writes() {
    let (sim, t0) = start(PowerBrainConfig::default());
    for address in [CP_STATE, CHARGING_CURRENT, ENERGY_WH, HAS_METER, 9000] {
        assert_eq!(
            sim.write(address, &[1], t0),
            Err(ExceptionCode::IllegalDataAddress),
            "{address}"
        );
    }
}

#[test]
fn flash_writes_are_counted_apart() {
    let (sim, t0) = start(PowerBrainConfig::default());
    sim.write(CHARGING_CUR_LIMIT, &[100, 1], t0).unwrap();
    sim.write(DISCONNECT_CP, &[0, 0], t0).unwrap();
    assert_eq!(sim.snapshot_at(t0).flash_writes, 0);
    sim.write(FAIL_SAFE_DURATION, &[0, 60, 0], t0).unwrap();
    let snapshot = sim.snapshot_at(t0);
    assert_eq!(snapshot.flash_writes, 3);
    assert_eq!(
        snapshot.writes_per_register.get(&CHARGING_CUR_LIMIT),
        Some(&1)
    );
    assert_eq!(
        snapshot.writes_per_register.get(&FAIL_SAFE_CURRENT),
        Some(&1)
    );
    sim.reset_counters();
    assert_eq!(sim.snapshot_at(t0).flash_writes, 0);
}

#[test]
fn reads_need_at_least_one_known_register() {
    let (sim, t0) = start(PowerBrainConfig::default());
    assert_eq!(
        sim.read_holding(1000, 10, t0),
        Err(ExceptionCode::IllegalDataAddress)
    );
    // 8088/8089/8091 are gaps in the map and read as 0 inside a block read.
    let block = sim.read_holding(FAIL_SAFE_DURATION, 13, t0).unwrap();
    assert_eq!(block, vec![0, 300, 0, 0, 0, 0, 0, 320, 0, 0, 160, 1, 0]);
}

#[test]
fn rfid_is_validated_and_served_as_ascii() {
    let (sim, t0) = start(PowerBrainConfig::default());
    assert!(sim.set_rfid("04A2B3C4D5E6F7").is_ok());
    let words = sim
        .read_holding(LAST_RFID, LAST_RFID_REGISTERS, t0)
        .unwrap();
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
    assert_eq!(&bytes[..14], b"04A2B3C4D5E6F7");
    assert!(bytes[14..].iter().all(|&b| b == 0));
    assert!(sim.set_rfid("not hex").is_err());
    assert!(sim.set_rfid(&"A".repeat(33)).is_err());
}

#[test]
fn bad_configuration_names_the_field() {
    let error = PowerBrainSim::new(PowerBrainConfig {
        initial_limit_a: 70.0,
        ..PowerBrainConfig::default()
    })
    .err()
    .map(|e| e.field);
    assert_eq!(error.as_deref(), Some("initial charging limit"));
}
