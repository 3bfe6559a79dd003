//! The simulated SDM630 and Power Brain S0 meter over real Modbus TCP sockets.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use ampwise_sim::meter::registers::sdm630::*;
use ampwise_sim::{
    Bus, CarSpec, MeterConfig, MeterKind, MeterSim, PowerBrainConfig, PowerBrainSim,
};
use common::{float, run_paused, serve_tcp};
use tokio_modbus::client::{tcp, Context};
use tokio_modbus::prelude::*;

async fn read_floats(ctx: &mut Context, address: u16, count: u16) -> Vec<f32> {
    let words = ctx
        .read_input_registers(address, 2 * count)
        .await
        .unwrap()
        .unwrap();
    words.chunks(2).map(float).collect()
}

/// A grid meter with a household load and a linked wallbox whose car charges at 3 × 16 A.
fn grid_with_charging_car() -> (MeterSim, PowerBrainSim) {
    let meter = MeterSim::new(MeterConfig {
        household_a: [2.0, 1.5, 1.0],
        ..MeterConfig::default()
    })
    .unwrap();
    let wallbox = PowerBrainSim::new(PowerBrainConfig {
        fail_safe_duration_s: 0,
        ..PowerBrainConfig::default()
    })
    .unwrap();
    meter.link_wallbox(&wallbox);
    wallbox.plug_in(CarSpec::default()).unwrap();
    (meter, wallbox)
}

#[test]
fn sdm630_serves_household_plus_car_as_big_endian_floats() {
    run_paused(|| async {
        let (meter, _wallbox) = grid_with_charging_car();
        let address = serve_tcp(Bus::new().with(1, &meter).unwrap()).await;
        let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();

        let words = ctx
            .read_input_registers(VOLTAGE_L1, 2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            words,
            vec![0x4366, 0x0000],
            "230.0 as float32, high word first"
        );
        let block = read_floats(&mut ctx, VOLTAGE_L1, 9).await;
        assert_eq!(
            block,
            vec![230.0, 230.0, 230.0, 18.0, 17.5, 17.0, 4140.0, 4025.0, 3910.0]
        );
        assert_eq!(read_floats(&mut ctx, TOTAL_POWER, 1).await, vec![12_075.0]);
        assert_eq!(read_floats(&mut ctx, FREQUENCY, 1).await, vec![50.0]);

        tokio::time::advance(Duration::from_secs(3600)).await;
        let energy = read_floats(&mut ctx, IMPORT_KWH, 2).await;
        assert_eq!(energy, vec![12.075, 0.0]);
        assert_eq!(read_floats(&mut ctx, TOTAL_KWH, 1).await, vec![12.075]);
        assert_eq!(
            read_floats(&mut ctx, IMPORT_KWH_L1, 3).await,
            vec![4.14, 4.025, 3.91]
        );
        assert_eq!(meter.snapshot().requests, 7);
    });
}

#[test]
fn sdm630_reads_undefined_addresses_as_zero_and_refuses_huge_reads() {
    run_paused(|| async {
        let meter = MeterSim::new(MeterConfig {
            household_a: [1.0; 3],
            ..MeterConfig::default()
        })
        .unwrap();
        let address = serve_tcp(Bus::new().with(1, &meter).unwrap()).await;
        let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();

        let words = ctx.read_input_registers(0x12, 4).await.unwrap().unwrap();
        assert_eq!(words, vec![0; 4]);
        let words = ctx.read_input_registers(0, 80).await.unwrap().unwrap();
        assert_eq!(words.len(), 80);
        assert_eq!(float(&words[0x34..]), 690.0);
        let answer = ctx.read_input_registers(0, 81).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalDataValue));
        let answer = ctx.read_input_registers(0x1F0, 20).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalDataAddress));
        let answer = ctx.read_holding_registers(0, 2).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalDataAddress));
        let answer = ctx.write_single_register(0, 1).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalDataAddress));
    });
}

#[test]
fn household_load_can_change_and_feed_in_counts_as_export() {
    run_paused(|| async {
        let meter = MeterSim::new(MeterConfig::default()).unwrap();
        let address = serve_tcp(Bus::new().with(3, &meter).unwrap()).await;
        let mut ctx = tcp::connect_slave(address, Slave(3)).await.unwrap();
        meter.set_household_load([-10.0, 0.0, 0.0]).unwrap();
        tokio::time::advance(Duration::from_secs(1800)).await;
        let currents = read_floats(&mut ctx, CURRENT_L1, 1).await;
        assert_eq!(currents, vec![10.0], "the SDM630 shows current magnitudes");
        assert_eq!(read_floats(&mut ctx, TOTAL_POWER, 1).await, vec![-2300.0]);
        assert_eq!(read_floats(&mut ctx, IMPORT_KWH, 2).await, vec![0.0, 1.15]);
        assert!(meter.set_household_load([f64::NAN, 0.0, 0.0]).is_err());
    });
}

#[test]
fn power_brain_s0_meters_serve_the_meter_block() {
    run_paused(|| async {
        let meter = MeterSim::new(MeterConfig {
            kind: MeterKind::PowerBrainS0,
            household_a: [5.0, 5.0, 0.0],
            initial_import_kwh: 3.0,
            ..MeterConfig::default()
        })
        .unwrap();
        let address = serve_tcp(Bus::new().with(2, &meter).unwrap()).await;
        let mut ctx = tcp::connect_slave(address, Slave(2)).await.unwrap();
        tokio::time::advance(Duration::from_secs(3600)).await;
        let words = ctx.read_holding_registers(8058, 12).await.unwrap().unwrap();
        // 3000 Wh at start + 10 A × 230 V × 1 h.
        assert_eq!(words, vec![0, 0, 0, 5300, 0, 2300, 0, 50, 0, 50, 0, 0]);
        let answer = ctx.read_input_registers(8058, 2).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalFunction));
    });
}
