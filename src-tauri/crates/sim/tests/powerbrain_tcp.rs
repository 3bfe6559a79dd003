//! The simulated Power Brain over real Modbus TCP sockets, driven by tokio-modbus's client.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use ampwise_sim::powerbrain::registers::*;
use ampwise_sim::{Bus, CarSpec, CpState, PowerBrainConfig, PowerBrainSim};
use common::{run_paused, serve_tcp};
use tokio_modbus::client::{tcp, Context};
use tokio_modbus::prelude::*;

async fn connect(sim: &PowerBrainSim) -> Context {
    let address = serve_tcp(Bus::new().with(1, sim).unwrap()).await;
    tcp::connect_slave(address, Slave(1)).await.unwrap()
}

async fn read(ctx: &mut Context, address: u16, count: u16) -> Vec<u16> {
    ctx.read_holding_registers(address, count)
        .await
        .unwrap()
        .unwrap()
}

async fn read1(ctx: &mut Context, address: u16) -> u16 {
    read(ctx, address, 1).await[0]
}

fn u32_of(words: &[u16]) -> u32 {
    (u32::from(words[0]) << 16) | u32::from(words[1])
}

#[test]
fn every_documented_register_reads_with_its_scaling() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig {
            cable_current_a: 20.0,
            initial_limit_a: 10.5,
            fail_safe_duration_s: 600,
            fail_safe_current_a: 6.0,
            initial_energy_wh: 5_000_000_000,
            ..PowerBrainConfig::default()
        })
        .unwrap();
        sim.set_rfid("04A2B3C4D5E6F7").unwrap();
        sim.plug_in(CarSpec {
            phases: 3,
            max_current_a: 16.0,
            energy_to_full_kwh: 50.0,
        })
        .unwrap();
        let mut ctx = connect(&sim).await;

        let meter = read(&mut ctx, ENERGY_WH, 12).await;
        let energy = meter[..4]
            .iter()
            .fold(0u64, |acc, &w| (acc << 16) | u64::from(w));
        assert_eq!(energy, 5_000_000_000);
        assert_eq!(u32_of(&meter[4..6]), 3 * 2415); // 3 × 10.5 A × 230 V
        for phase in 0..3 {
            assert_eq!(u32_of(&meter[6 + 2 * phase..]), 105, "L{}", phase + 1);
        }
        assert_eq!(u32_of(&read(&mut ctx, FAIL_SAFE_DURATION, 2).await), 600);
        assert_eq!(read1(&mut ctx, FAIL_SAFE_CURRENT).await, 60);
        assert_eq!(read1(&mut ctx, DISCONNECT_CP).await, 0);
        assert_eq!(read1(&mut ctx, RELAY_SELECT).await, 0);
        assert_eq!(read1(&mut ctx, CABLE_CURRENT).await, 200);
        assert_eq!(read1(&mut ctx, CP_STATE).await, 2);
        assert_eq!(read1(&mut ctx, CHARGING_CUR_LIMIT).await, 105);
        assert_eq!(read1(&mut ctx, CHARGING_ENABLE).await, 1);
        assert_eq!(read1(&mut ctx, CHARGING_CURRENT).await, 105);
        let rfid = read(&mut ctx, LAST_RFID, LAST_RFID_REGISTERS).await;
        let bytes: Vec<u8> = rfid.iter().flat_map(|w| w.to_be_bytes()).collect();
        assert_eq!(&bytes[..14], b"04A2B3C4D5E6F7");
        assert!(bytes[14..].iter().all(|&b| b == 0));
        assert_eq!(read1(&mut ctx, HAS_METER).await, 1);
        // The block evcc reads in one go.
        assert_eq!(read(&mut ctx, CP_STATE, 4).await, vec![2, 105, 1, 105]);
    });
}

#[test]
fn writable_registers_round_trip_and_are_counted() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
        let mut ctx = connect(&sim).await;
        ctx.write_single_register(CHARGING_CUR_LIMIT, 320)
            .await
            .unwrap()
            .unwrap();
        ctx.write_single_register(CHARGING_ENABLE, 0)
            .await
            .unwrap()
            .unwrap();
        ctx.write_single_register(RELAY_SELECT, 1)
            .await
            .unwrap()
            .unwrap();
        ctx.write_single_register(DISCONNECT_CP, 5)
            .await
            .unwrap()
            .unwrap();
        ctx.write_multiple_registers(FAIL_SAFE_DURATION, &[0, 120, 80])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read1(&mut ctx, CHARGING_CUR_LIMIT).await, 320);
        assert_eq!(read1(&mut ctx, CHARGING_ENABLE).await, 0);
        assert_eq!(read1(&mut ctx, RELAY_SELECT).await, 1);
        assert_eq!(read1(&mut ctx, DISCONNECT_CP).await, 5);
        assert_eq!(
            read(&mut ctx, FAIL_SAFE_DURATION, 3).await,
            vec![0, 120, 80]
        );

        let snapshot = sim.snapshot();
        assert_eq!(snapshot.charging_cur_limit_a, 32.0);
        assert!(!snapshot.charging_enabled);
        assert_eq!(snapshot.relay_select, 1);
        assert_eq!(snapshot.fail_safe_duration_s, 120);
        assert_eq!(snapshot.fail_safe_current_a, 8.0);
        // Only 8083, 8084 and 8085 live in flash.
        assert_eq!(snapshot.flash_writes, 3);
        for address in [
            CHARGING_CUR_LIMIT,
            CHARGING_ENABLE,
            RELAY_SELECT,
            DISCONNECT_CP,
            FAIL_SAFE_DURATION,
            FAIL_SAFE_DURATION + 1,
            FAIL_SAFE_CURRENT,
        ] {
            assert_eq!(
                snapshot.writes_per_register.get(&address),
                Some(&1),
                "{address}"
            );
        }
        assert_eq!(snapshot.requests, 10);
    });
}

#[test]
fn a_limit_outside_6_to_63_a_is_exception_03() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
        let mut ctx = connect(&sim).await;
        for value in [0, 59, 631, 1000] {
            let answer = ctx
                .write_single_register(CHARGING_CUR_LIMIT, value)
                .await
                .unwrap();
            assert_eq!(answer, Err(ExceptionCode::IllegalDataValue), "{value}");
        }
        let answer = ctx.write_single_register(CP_STATE, 1).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalDataAddress));
        let answer = ctx.read_input_registers(CP_STATE, 1).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::IllegalFunction));
        assert_eq!(read1(&mut ctx, CHARGING_CUR_LIMIT).await, 160);
        assert_eq!(sim.snapshot().rejected_writes, 5);
    });
}

#[test]
fn a_car_goes_a_b_c_and_draws_what_the_limit_allows() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig {
            initially_enabled: false,
            ..PowerBrainConfig::default()
        })
        .unwrap();
        let mut ctx = connect(&sim).await;
        assert_eq!(read1(&mut ctx, CP_STATE).await, 0);
        sim.plug_in(CarSpec {
            phases: 3,
            max_current_a: 16.0,
            energy_to_full_kwh: 40.0,
        })
        .unwrap();
        assert_eq!(read1(&mut ctx, CP_STATE).await, 1);
        assert_eq!(read1(&mut ctx, CHARGING_CURRENT).await, 0);
        ctx.write_single_register(CHARGING_ENABLE, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read1(&mut ctx, CP_STATE).await, 2);
        assert_eq!(read1(&mut ctx, CHARGING_CURRENT).await, 160);

        ctx.write_single_register(CHARGING_CUR_LIMIT, 100)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read1(&mut ctx, CHARGING_CURRENT).await, 100);
        let meter = read(&mut ctx, POWER_W, 8).await;
        assert_eq!(u32_of(&meter), 6900);
        assert_eq!(&meter[2..], &[0, 100, 0, 100, 0, 100]);
        // The car takes at most 16 A however high the limit.
        ctx.write_single_register(CHARGING_CUR_LIMIT, 320)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read1(&mut ctx, CHARGING_CURRENT).await, 160);
        ctx.write_single_register(CHARGING_ENABLE, 0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read1(&mut ctx, CP_STATE).await, 1);
        sim.unplug();
        assert_eq!(read1(&mut ctx, CP_STATE).await, 0);
    });
}

#[test]
fn energy_counts_power_times_time() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
        sim.plug_in(CarSpec::default()).unwrap();
        let mut ctx = connect(&sim).await;
        // Polling keeps the fail-safe away, as a charging manager would.
        for _ in 0..60 {
            tokio::time::advance(Duration::from_secs(60)).await;
            read1(&mut ctx, CP_STATE).await;
        }
        let energy = read(&mut ctx, ENERGY_WH, 4).await;
        assert_eq!(energy, vec![0, 0, 0, 11_040]); // 3 × 16 A × 230 V × 1 h
        let snapshot = sim.snapshot();
        assert!((snapshot.car_charged_wh - 11_040.0).abs() < 1e-6);
        assert_eq!(snapshot.cp_state, CpState::C);
    });
}

#[test]
fn without_traffic_limit_and_enable_revert_to_the_fail_safe() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
        sim.plug_in(CarSpec::default()).unwrap();
        let mut ctx = connect(&sim).await;
        ctx.write_multiple_registers(FAIL_SAFE_DURATION, &[0, 60, 80])
            .await
            .unwrap()
            .unwrap();
        ctx.write_single_register(CHARGING_CUR_LIMIT, 160)
            .await
            .unwrap()
            .unwrap();
        tokio::time::advance(Duration::from_secs(59)).await;
        assert_eq!(read1(&mut ctx, CHARGING_CUR_LIMIT).await, 160);
        tokio::time::advance(Duration::from_secs(61)).await;
        assert!(sim.snapshot().fail_safe_active);
        assert_eq!(read1(&mut ctx, CHARGING_CUR_LIMIT).await, 80);
        assert_eq!(read1(&mut ctx, CHARGING_CURRENT).await, 80);
        // Traffic again: the timer is re-armed, the fail-safe values stay until overwritten.
        assert!(!sim.snapshot().fail_safe_active);

        // Fail-safe current 0 stops charging.
        ctx.write_single_register(FAIL_SAFE_CURRENT, 0)
            .await
            .unwrap()
            .unwrap();
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(read1(&mut ctx, CHARGING_ENABLE).await, 0);
        assert_eq!(read1(&mut ctx, CP_STATE).await, 1);
    });
}

#[test]
fn an_unknown_unit_over_tcp_gets_exception_0b() {
    run_paused(|| async {
        let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
        let mut ctx = connect(&sim).await;
        ctx.set_slave(Slave(7));
        let answer = ctx.read_holding_registers(CP_STATE, 1).await.unwrap();
        assert_eq!(answer, Err(ExceptionCode::GatewayTargetDevice));
        assert_eq!(sim.snapshot().requests, 0);
    });
}

#[tokio::test]
async fn serving_stops_on_shutdown() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
    let server = tokio::spawn(ampwise_sim::serve_tcp(
        listener,
        Bus::new().with(1, &sim).unwrap(),
        async {
            let _ = stopped.await;
        },
    ));
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    assert_eq!(read1(&mut ctx, HAS_METER).await, 1);
    stop.send(()).unwrap();
    tokio::time::timeout(common::ANSWER_TIMEOUT, server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // The open connection was closed with the server.
    let after = tokio::time::timeout(
        common::ANSWER_TIMEOUT,
        ctx.read_holding_registers(HAS_METER, 1),
    )
    .await
    .unwrap();
    assert!(after.is_err(), "{after:?}");
}
