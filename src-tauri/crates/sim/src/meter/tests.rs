//! The meter model with explicit instants.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tokio::time::Instant;
use tokio_modbus::ExceptionCode;

use super::registers::{read_s0, read_sdm630, sdm630};
use super::{MeterConfig, MeterKind, MeterSim};
use crate::physics::CarSpec;
use crate::powerbrain::{PowerBrainConfig, PowerBrainSim};

fn float_at(words: &[u16], index: usize) -> f32 {
    f32::from_bits((u32::from(words[index]) << 16) | u32::from(words[index + 1]))
}

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 1e-6,
        "{actual} is not {expected}"
    );
}

#[test]
fn household_plus_linked_wallbox() {
    let t0 = Instant::now();
    let meter = MeterSim::new_at(
        MeterConfig {
            household_a: [2.0, 1.0, 0.5],
            ..MeterConfig::default()
        },
        t0,
    )
    .unwrap();
    let config = PowerBrainConfig {
        fail_safe_duration_s: 0,
        ..PowerBrainConfig::default()
    };
    let wallbox = PowerBrainSim::new_at(config, t0).unwrap();
    lock_link(&meter, &wallbox, t0);
    wallbox.plug_in_at(CarSpec::default(), t0).unwrap();
    let snapshot = meter.snapshot_at(t0 + Duration::from_secs(3600));
    assert_eq!(snapshot.currents_a, [18.0, 17.0, 16.5]);
    assert_close(snapshot.total_power_w, 51.5 * 230.0);
    assert_close(snapshot.import_wh, 51.5 * 230.0);
    assert_close(snapshot.import_wh_per_phase[0], 18.0 * 230.0);
    assert_eq!(snapshot.export_wh, 0.0);
}

fn lock_link(meter: &MeterSim, wallbox: &PowerBrainSim, now: Instant) {
    crate::lock::lock(&meter.model).link(std::sync::Arc::new(wallbox.clone()), now);
}

#[test]
fn feed_in_counts_as_export() {
    let t0 = Instant::now();
    let meter = MeterSim::new_at(
        MeterConfig {
            household_a: [-10.0, 0.0, 0.0],
            ..MeterConfig::default()
        },
        t0,
    )
    .unwrap();
    let snapshot = meter.snapshot_at(t0 + Duration::from_secs(3600));
    assert_close(snapshot.export_wh, 2300.0);
    assert_eq!(snapshot.import_wh, 0.0);
    assert_close(snapshot.total_power_w, -2300.0);
}

#[test]
fn sdm630_floats_are_big_endian_high_word_first() {
    let t0 = Instant::now();
    let meter = MeterSim::new_at(
        MeterConfig {
            household_a: [1.5, 2.0, 0.0],
            initial_import_kwh: 3.0,
            ..MeterConfig::default()
        },
        t0,
    )
    .unwrap();
    let model = crate::lock::lock(&meter.model);
    let words = read_sdm630(&model, 0, 18, 80).unwrap();
    assert_eq!(&words[..2], &[0x4366, 0x0000]); // 230.0
    assert_eq!(float_at(&words, sdm630::CURRENT_L1.into()), 1.5);
    assert_eq!(float_at(&words, sdm630::POWER_L2.into()), 460.0);
    let energy = read_sdm630(&model, sdm630::FREQUENCY, 6, 80).unwrap();
    assert_eq!(float_at(&energy, 0), 50.0);
    assert_eq!(float_at(&energy, 2), 3.0);
    assert_eq!(float_at(&energy, 4), 0.0);
    // Undefined addresses inside the map read 0.0.
    assert_eq!(read_sdm630(&model, 0x20, 2, 80).unwrap(), vec![0, 0]);
    assert_eq!(
        read_sdm630(&model, 0, 81, 80),
        Err(ExceptionCode::IllegalDataValue)
    );
    assert_eq!(
        read_sdm630(&model, 0x1FF, 2, 80),
        Err(ExceptionCode::IllegalDataAddress)
    );
}

#[test]
fn s0_meter_serves_the_power_brain_meter_block() {
    let t0 = Instant::now();
    let meter = MeterSim::new_at(
        MeterConfig {
            kind: MeterKind::PowerBrainS0,
            household_a: [10.0, 0.0, 0.0],
            ..MeterConfig::default()
        },
        t0,
    )
    .unwrap();
    let mut model = crate::lock::lock(&meter.model);
    model.advance_to(t0 + Duration::from_secs(3600));
    let words = read_s0(&model, 8058, 12).unwrap();
    assert_eq!(words, vec![0, 0, 0, 2300, 0, 2300, 0, 100, 0, 0, 0, 0]);
    assert_eq!(
        read_s0(&model, 8000, 10),
        Err(ExceptionCode::IllegalDataAddress)
    );
}
