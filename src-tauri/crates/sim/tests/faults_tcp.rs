//! Faults on units served over Modbus TCP.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use ampwise_sim::powerbrain::registers::{CHARGING_CUR_LIMIT, HAS_METER};
use ampwise_sim::{Bus, Fault, PowerBrainConfig, PowerBrainSim};
use common::{serve_tcp, ANSWER_TIMEOUT};
use tokio_modbus::client::tcp;
use tokio_modbus::prelude::*;

const SILENCE: Duration = Duration::from_millis(300);

async fn setup() -> (Bus, PowerBrainSim, std::net::SocketAddr) {
    let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
    let bus = Bus::new().with(1, &sim).unwrap();
    let address = serve_tcp(bus.clone()).await;
    (bus, sim, address)
}

#[tokio::test]
async fn silent_units_time_out_and_recover() {
    let (bus, sim, address) = setup().await;
    bus.set_fault(1, Fault::Silent).unwrap();
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let answer = tokio::time::timeout(SILENCE, ctx.read_holding_registers(HAS_METER, 1)).await;
    assert!(answer.is_err(), "{answer:?}");
    assert_eq!(sim.snapshot().requests, 0);
    bus.clear_fault(1).unwrap();
    // A fresh connection, as a client does after a timeout.
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let answer = tokio::time::timeout(ANSWER_TIMEOUT, ctx.read_holding_registers(HAS_METER, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer, Ok(vec![1]));
}

#[tokio::test]
async fn exception_faults_reach_the_client() {
    let (bus, _sim, address) = setup().await;
    bus.set_fault(1, Fault::Exception(ExceptionCode::ServerDeviceFailure))
        .unwrap();
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let answer = ctx.read_holding_registers(HAS_METER, 1).await.unwrap();
    assert_eq!(answer, Err(ExceptionCode::ServerDeviceFailure));
}

#[tokio::test]
async fn garbage_on_tcp_is_no_valid_answer() {
    let (bus, _sim, address) = setup().await;
    bus.set_fault(
        1,
        Fault::Garbage(vec![0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0, 0]),
    )
    .unwrap();
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let answer = tokio::time::timeout(SILENCE, ctx.read_holding_registers(HAS_METER, 1)).await;
    assert!(
        !matches!(answer, Ok(Ok(Ok(_)))),
        "garbage was taken for an answer: {answer:?}"
    );
}

#[tokio::test]
async fn corrupt_crc_on_tcp_carries_out_the_write_silently() {
    let (bus, sim, address) = setup().await;
    bus.set_fault(1, Fault::CorruptCrc).unwrap();
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let answer =
        tokio::time::timeout(SILENCE, ctx.write_single_register(CHARGING_CUR_LIMIT, 100)).await;
    assert!(answer.is_err(), "{answer:?}");
    assert_eq!(sim.snapshot().charging_cur_limit_a, 10.0);
}

#[tokio::test]
async fn delayed_answers_arrive_late_but_right() {
    let (bus, _sim, address) = setup().await;
    let delay = Duration::from_millis(200);
    bus.set_fault(1, Fault::Delay(delay)).unwrap();
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let started = Instant::now();
    let answer = ctx.read_holding_registers(HAS_METER, 1).await.unwrap();
    assert_eq!(answer, Ok(vec![1]));
    assert!(started.elapsed() >= delay);
}

#[test]
fn faults_need_a_unit_on_the_bus() {
    let bus = Bus::new();
    assert_eq!(
        bus.set_fault(3, Fault::Silent),
        Err(ampwise_sim::BusError::NoSuchUnit(3))
    );
    let sim = PowerBrainSim::new(PowerBrainConfig::default()).unwrap();
    assert!(bus.add(0, &sim).is_err());
    assert!(bus.add(248, &sim).is_err());
    bus.add(1, &sim).unwrap();
    assert_eq!(
        bus.add(1, &sim),
        Err(ampwise_sim::BusError::DuplicateUnitId(1))
    );
}
