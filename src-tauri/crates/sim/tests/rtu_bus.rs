//! Several simulated units on one Modbus RTU line over a real pseudo-terminal: addressing,
//! faults and wire-time emulation.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use ampwise_sim::meter::registers::sdm630::TOTAL_POWER;
use ampwise_sim::powerbrain::registers::{CHARGING_CUR_LIMIT, CP_STATE, HAS_METER};
use ampwise_sim::serial::{Parity, StopBits};
use ampwise_sim::{
    open_pty, Bus, CarSpec, Fault, MeterConfig, MeterSim, PowerBrainConfig, PowerBrainSim,
    SerialSettings,
};
use common::{float, rtu_frame, ANSWER_TIMEOUT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_modbus::client::{rtu, Context};
use tokio_modbus::prelude::*;
use tokio_serial::SerialStream;

/// How long a test waits for an answer that must not come.
const SILENCE: Duration = Duration::from_millis(300);

struct Line {
    bus: Bus,
    wallboxes: [PowerBrainSim; 2],
    meter: MeterSim,
    client: SerialStream,
}

/// Power Brains 1 and 2 and an SDM630 (unit 10, measuring both) on one pseudo-terminal.
fn line(settings: SerialSettings) -> Line {
    let wallboxes = [1, 2].map(|_| PowerBrainSim::new(PowerBrainConfig::default()).unwrap());
    let meter = MeterSim::new(MeterConfig {
        household_a: [1.0; 3],
        ..MeterConfig::default()
    })
    .unwrap();
    for wallbox in &wallboxes {
        meter.link_wallbox(wallbox);
    }
    let bus = Bus::new()
        .with(1, &wallboxes[0])
        .unwrap()
        .with(2, &wallboxes[1])
        .unwrap()
        .with(10, &meter)
        .unwrap();
    let pty = open_pty().unwrap();
    tokio::spawn(ampwise_sim::serve_rtu(
        pty.server,
        settings,
        bus.clone(),
        std::future::pending(),
    ));
    Line {
        bus,
        wallboxes,
        meter,
        client: pty.client,
    }
}

async fn read(ctx: &mut Context, unit: u8, address: u16, count: u16) -> Vec<u16> {
    ctx.set_slave(Slave(unit));
    tokio::time::timeout(ANSWER_TIMEOUT, ctx.read_holding_registers(address, count))
        .await
        .unwrap()
        .unwrap()
        .unwrap()
}

/// Sends a raw frame and collects whatever comes back within `wait`.
async fn exchange(client: &mut SerialStream, frame: &[u8], wait: Duration) -> Vec<u8> {
    client.write_all(frame).await.unwrap();
    let mut received = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    let mut chunk = [0u8; 256];
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, client.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        received.extend_from_slice(&chunk[..n]);
    }
    received
}

#[tokio::test]
async fn several_units_share_one_line() {
    let line = line(SerialSettings::default());
    line.wallboxes[1].plug_in(CarSpec::default()).unwrap();
    let mut ctx = rtu::attach_slave(line.client, Slave(1));

    assert_eq!(read(&mut ctx, 1, CP_STATE, 1).await, vec![0]);
    assert_eq!(read(&mut ctx, 2, CP_STATE, 1).await, vec![2]);
    ctx.set_slave(Slave(2));
    ctx.write_single_register(CHARGING_CUR_LIMIT, 100)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(line.wallboxes[1].snapshot().charging_cur_limit_a, 10.0);
    assert_eq!(line.wallboxes[0].snapshot().charging_cur_limit_a, 16.0);

    ctx.set_slave(Slave(10));
    let power = ctx
        .read_input_registers(TOTAL_POWER, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(float(&power), (3.0 + 30.0) * 230.0);
    assert_eq!(line.meter.snapshot().requests, 1);
}

#[tokio::test]
async fn unknown_units_stay_silent_on_rtu() {
    let mut line = line(SerialSettings::default());
    let request = rtu_frame(5, &[0x03, 0x1F, 0xA4, 0x00, 0x01]);
    assert_eq!(exchange(&mut line.client, &request, SILENCE).await, vec![]);
    // The line still works afterwards.
    let request = rtu_frame(1, &[0x03, 0x1F, 0xB0, 0x00, 0x01]);
    let answer = exchange(&mut line.client, &request, SILENCE).await;
    assert_eq!(answer, rtu_frame(1, &[0x03, 0x02, 0x00, 0x01]));
}

#[tokio::test]
async fn noise_before_a_request_is_skipped() {
    let mut line = line(SerialSettings::default());
    let mut bytes = vec![0xFF, 0x00, 0x13];
    bytes.extend(rtu_frame(1, &[0x03, 0x1F, 0xB0, 0x00, 0x01]));
    let answer = exchange(&mut line.client, &bytes, SILENCE).await;
    assert_eq!(answer, rtu_frame(1, &[0x03, 0x02, 0x00, 0x01]));
}

#[tokio::test]
async fn a_silent_unit_does_not_answer_and_gets_no_traffic() {
    let line = line(SerialSettings::default());
    line.bus.set_fault(1, Fault::Silent).unwrap();
    let mut ctx = rtu::attach_slave(line.client, Slave(1));
    let answer = tokio::time::timeout(SILENCE, ctx.read_holding_registers(HAS_METER, 1)).await;
    assert!(answer.is_err(), "a silent unit answered: {answer:?}");
    assert_eq!(line.wallboxes[0].snapshot().requests, 0);
    // Other units on the line still answer.
    assert_eq!(read(&mut ctx, 2, HAS_METER, 1).await, vec![1]);
}

#[tokio::test]
async fn an_exception_fault_answers_every_request_with_it() {
    let line = line(SerialSettings::default());
    line.bus
        .set_fault(2, Fault::Exception(ExceptionCode::ServerDeviceBusy))
        .unwrap();
    let mut ctx = rtu::attach_slave(line.client, Slave(2));
    let answer = ctx.read_holding_registers(HAS_METER, 1).await.unwrap();
    assert_eq!(answer, Err(ExceptionCode::ServerDeviceBusy));
    let answer = ctx
        .write_single_register(CHARGING_CUR_LIMIT, 100)
        .await
        .unwrap();
    assert_eq!(answer, Err(ExceptionCode::ServerDeviceBusy));
    assert_eq!(line.wallboxes[1].snapshot().charging_cur_limit_a, 16.0);
    line.bus.clear_fault(2).unwrap();
    assert_eq!(read(&mut ctx, 2, HAS_METER, 1).await, vec![1]);
}

#[tokio::test]
async fn a_garbage_fault_sends_its_bytes_instead_of_an_answer() {
    let mut line = line(SerialSettings::default());
    let garbage = vec![0x01, 0x03, 0xFF, 0x55, 0xAA];
    line.bus
        .set_fault(1, Fault::Garbage(garbage.clone()))
        .unwrap();
    let request = rtu_frame(1, &[0x03, 0x1F, 0xB0, 0x00, 0x01]);
    assert_eq!(exchange(&mut line.client, &request, SILENCE).await, garbage);

    // A Modbus client sees no valid answer.
    let mut ctx = rtu::attach_slave(line.client, Slave(1));
    let answer = tokio::time::timeout(SILENCE, ctx.read_holding_registers(HAS_METER, 1)).await;
    assert!(
        !matches!(answer, Ok(Ok(Ok(_)))),
        "garbage was taken for an answer: {answer:?}"
    );
}

#[tokio::test]
async fn a_corrupt_crc_fault_carries_out_the_request_but_breaks_the_answer() {
    let mut line = line(SerialSettings::default());
    line.bus.set_fault(1, Fault::CorruptCrc).unwrap();
    let request = rtu_frame(1, &[0x06, 0x1F, 0x9D, 0x00, 0x64]);
    let answer = exchange(&mut line.client, &request, SILENCE).await;
    let good = rtu_frame(1, &[0x06, 0x1F, 0x9D, 0x00, 0x64]);
    assert_eq!(answer.len(), good.len());
    assert_eq!(answer[..6], good[..6]);
    assert_ne!(answer[6..], good[6..], "the CRC should be wrong");
    assert_eq!(line.wallboxes[0].snapshot().charging_cur_limit_a, 10.0);
}

#[tokio::test]
async fn a_broadcast_write_reaches_every_unit_without_an_answer() {
    let mut line = line(SerialSettings::default());
    let request = rtu_frame(0, &[0x06, 0x1F, 0x9D, 0x00, 0x50]);
    assert_eq!(exchange(&mut line.client, &request, SILENCE).await, vec![]);
    for wallbox in &line.wallboxes {
        assert_eq!(wallbox.snapshot().charging_cur_limit_a, 8.0);
    }
}

/// Round trip of one read of a single register: 8 bytes out, 7 bytes back.
async fn round_trip(settings: SerialSettings) -> Duration {
    let mut line = line(settings);
    let request = rtu_frame(1, &[0x03, 0x1F, 0xB0, 0x00, 0x01]);
    // Warm up (first scheduling of the server task), then measure.
    exchange(&mut line.client, &request, Duration::from_millis(400)).await;
    let started = Instant::now();
    line.client.write_all(&request).await.unwrap();
    let mut answer = [0u8; 7];
    tokio::time::timeout(ANSWER_TIMEOUT, line.client.read_exact(&mut answer))
        .await
        .unwrap()
        .unwrap();
    started.elapsed()
}

#[tokio::test]
async fn wire_time_emulation_delays_answers_like_a_real_line() {
    let slow = SerialSettings {
        baud_rate: 1200,
        parity: Parity::Even,
        stop_bits: StopBits::One,
        emulate_wire_time: true,
        ..SerialSettings::default()
    };
    // 8 + 3.5 + 7 characters of 11 bits at 1200 baud.
    let expected = Duration::from_secs_f64(18.5 * 11.0 / 1200.0);
    let measured = round_trip(slow).await;
    assert!(measured >= expected, "{measured:?} < {expected:?}");
    assert!(
        measured < expected + Duration::from_millis(150),
        "{measured:?}"
    );

    let instant = round_trip(SerialSettings {
        emulate_wire_time: false,
        ..slow
    })
    .await;
    assert!(instant < expected / 2, "{instant:?} without emulation");
}
