//! The independent Modbus simulators (Python, PyPI `pymodbus`) and the harness around them, checked
//! with tokio-modbus as a plain client: Power Brain registers over TCP, SDM630 floats over RTU through
//! a pseudo-terminal pair, two units on one RTU bus, exception and silent faults, a serial link that
//! is unplugged and plugged back.

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::time::Duration;

use ampwise_e2e::modbus_peer::{
    PtyLink, PyModbusSim, SerialSettings, SimEndpoint, SimFault, SimModel,
};
use serde_json::json;
use tokio_modbus::client::{rtu, tcp, Context};
use tokio_modbus::prelude::*;
use tokio_serial::Parity;

/// Long enough for a simulator on a loaded 2-core machine; a silent device is judged by this too.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

async fn answered<T>(what: &str, call: impl Future<Output = T>) -> T {
    tokio::time::timeout(ANSWER_TIMEOUT, call)
        .await
        .unwrap_or_else(|_| panic!("no answer to {what} within {ANSWER_TIMEOUT:?}"))
}

async fn read_holding(ctx: &mut Context, address: u16, count: u16) -> Vec<u16> {
    answered(
        "a holding register read",
        ctx.read_holding_registers(address, count),
    )
    .await
    .unwrap()
    .unwrap_or_else(|exception| panic!("read of {address}+{count}: exception {exception:?}"))
}

async fn read_input(ctx: &mut Context, address: u16, count: u16) -> Vec<u16> {
    answered(
        "an input register read",
        ctx.read_input_registers(address, count),
    )
    .await
    .unwrap()
    .unwrap_or_else(|exception| panic!("read of {address:#x}+{count}: exception {exception:?}"))
}

/// The exception a read of holding register 8093 gets.
async fn read_exception(ctx: &mut Context) -> ExceptionCode {
    match answered("a read", ctx.read_holding_registers(8093, 1)).await {
        Ok(Err(exception)) => exception,
        other => panic!("expected an exception, got {other:?}"),
    }
}

/// Whether a read of register 8092 goes unanswered.
async fn is_silent(ctx: &mut Context) -> bool {
    tokio::time::timeout(
        Duration::from_millis(700),
        ctx.read_holding_registers(8092, 1),
    )
    .await
    .is_err()
}

fn f32_at(registers: &[u16], offset: usize) -> f32 {
    f32::from_bits((u32::from(registers[offset]) << 16) | u32::from(registers[offset + 1]))
}

fn assert_close(actual: f32, expected: f64, what: &str) {
    assert!(
        (f64::from(actual) - expected).abs() <= expected.abs() * 1e-6 + 1e-6,
        "{what}: read {actual}, set {expected}"
    );
}

async fn connect_tcp(sim: &PyModbusSim, unit: u8) -> Context {
    answered(
        "the TCP connect",
        tcp::connect_slave(sim.addr(), Slave(unit)),
    )
    .await
    .unwrap()
}

fn attach_rtu(link: &PtyLink, settings: SerialSettings, unit: u8) -> Context {
    rtu::attach_slave(settings.open(&link.b_path()).unwrap(), Slave(unit))
}

#[tokio::test]
async fn power_brain_registers_over_tcp() {
    let sim = PyModbusSim::tcp(SimModel::PowerBrain, &[1]).await;
    assert!(matches!(sim.endpoint(), SimEndpoint::Tcp(addr) if addr.port() != 0));
    let mut ctx = connect_tcp(&sim, 1).await;

    // The documented defaults: state A, 16 A limit, enabled, not charging; a meter; a 32 A cable.
    assert_eq!(read_holding(&mut ctx, 8092, 4).await, [0, 160, 1, 0]);
    assert_eq!(read_holding(&mut ctx, 8112, 1).await, [1]);
    assert_eq!(read_holding(&mut ctx, 8090, 1).await, [320]);
    assert_eq!(read_holding(&mut ctx, 8083, 2).await, [0, 300]);

    // Values the test steers show up in the registers, scaled and big-endian, high word first.
    sim.set(1, "cp_state", json!("C")).await;
    sim.set(1, "actual_current_a", json!(15.9)).await;
    sim.set(1, "cable_current_a", json!(20)).await;
    sim.set(1, "energy_wh", json!(0x0001_0002_0003_0004_u64))
        .await;
    sim.set(1, "power_w", json!(-1500)).await;
    sim.set(1, "currents_a", json!([16.0, 15.5, 0.1])).await;
    sim.set(1, "rfid", json!("04A2B3C4")).await;
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [2]);
    assert_eq!(read_holding(&mut ctx, 8095, 1).await, [159]);
    assert_eq!(read_holding(&mut ctx, 8090, 1).await, [200]);
    let meter = read_holding(&mut ctx, 8058, 12).await;
    assert_eq!(meter[..4], [1, 2, 3, 4]);
    assert_eq!(
        (i32::from(meter[4] as i16) << 16) | i32::from(meter[5]),
        -1500
    );
    assert_eq!(meter[6..], [0, 160, 0, 155, 0, 1]);
    let rfid = read_holding(&mut ctx, 8096, 16).await;
    let text: Vec<u8> = rfid
        .iter()
        .flat_map(|register| register.to_be_bytes())
        .collect();
    assert_eq!(
        text,
        b"04A2B3C4\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    );

    // Writes: single and multiple; out-of-range values refused with 03 and not applied.
    answered("a write", ctx.write_single_register(8093, 100))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sim.get(1, "charging_cur_limit").await, json!(100));
    let refused = answered("a write", ctx.write_single_register(8093, 700)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalDataValue));
    let refused = answered("a write", ctx.write_single_register(8093, 59)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalDataValue));
    assert_eq!(sim.get(1, "charging_cur_limit").await, json!(100));
    answered("a write", ctx.write_multiple_registers(8093, &[200, 0]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read_holding(&mut ctx, 8093, 2).await, [200, 0]);
    assert_eq!(sim.get(1, "charging_enable").await, json!(0));
    let refused = answered("a write", ctx.write_single_register(8094, 2)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalDataValue));
    // Read-only registers and undocumented addresses.
    let refused = answered("a write", ctx.write_single_register(8092, 1)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalDataAddress));
    let refused = answered("a read", ctx.read_holding_registers(8091, 1)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalDataAddress));
    // Holding registers only.
    let refused = answered("a read", ctx.read_input_registers(8092, 1)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalFunction));

    let writes = sim.writes(1).await;
    assert_eq!(
        writes.into_iter().collect::<Vec<_>>(),
        [(8093, 2), (8094, 1)]
    );
    let requests = sim.requests(1).await;
    assert_eq!(requests.get(&6), Some(&5));
    assert_eq!(requests.get(&16), Some(&1));
    assert_eq!(requests.get(&4), Some(&1));

    // A unit the simulator does not play: a gateway's "target device failed to respond".
    ctx.set_slave(Slave(9));
    let unknown = answered("a read", ctx.read_holding_registers(8092, 1)).await;
    assert_eq!(unknown.unwrap(), Err(ExceptionCode::GatewayTargetDevice));
}

#[tokio::test]
async fn sdm630_floats_over_rtu_through_a_pty_link() {
    let link = PtyLink::new();
    let settings = SerialSettings {
        parity: Parity::Even,
        ..SerialSettings::default()
    };
    let sim = PyModbusSim::rtu(SimModel::Sdm630, &link.a_path(), settings, &[1]).await;
    assert_eq!(sim.endpoint(), &SimEndpoint::Serial(link.a_path()));
    sim.set(1, "voltages_v", json!([230.1, 229.5, 231.25]))
        .await;
    sim.set(1, "currents_a", json!([15.9, 16.0, 0.0])).await;
    sim.set(1, "powers_w", json!([3658.6, 3672.0, -12.5])).await;
    sim.set(1, "total_power_w", json!(7318.1)).await;
    sim.set(1, "frequency_hz", json!(49.98)).await;
    sim.set(1, "import_kwh", json!(1234.5)).await;
    sim.set(1, "export_kwh", json!(2.25)).await;
    sim.set(1, "total_kwh", json!(1236.75)).await;
    sim.set(1, "import_kwh_phases", json!([400.5, 420.0, 414.0]))
        .await;
    assert_eq!(sim.get(1, "export_kwh").await, json!(2.25));

    let mut ctx = attach_rtu(&link, settings, 1);
    let phases = read_input(&mut ctx, 0x00, 18).await;
    let expected = [230.1, 229.5, 231.25, 15.9, 16.0, 0.0, 3658.6, 3672.0, -12.5];
    for (index, value) in expected.iter().enumerate() {
        assert_close(
            f32_at(&phases, index * 2),
            *value,
            &format!("value {index}"),
        );
    }
    assert_close(
        f32_at(&read_input(&mut ctx, 0x34, 2).await, 0),
        7318.1,
        "W total",
    );
    assert_close(f32_at(&read_input(&mut ctx, 0x46, 2).await, 0), 49.98, "Hz");
    let energy = read_input(&mut ctx, 0x48, 4).await;
    assert_close(f32_at(&energy, 0), 1234.5, "kWh import");
    assert_close(f32_at(&energy, 2), 2.25, "kWh export");
    assert_close(
        f32_at(&read_input(&mut ctx, 0x156, 2).await, 0),
        1236.75,
        "kWh total",
    );
    let per_phase = read_input(&mut ctx, 0x15A, 6).await;
    for (index, value) in [400.5, 420.0, 414.0].iter().enumerate() {
        assert_close(
            f32_at(&per_phase, index * 2),
            *value,
            "kWh import per phase",
        );
    }
    // The meter's dense map: what is not modelled reads 0.0; no more than 30 values at once.
    assert_eq!(read_input(&mut ctx, 0x1E, 2).await, [0, 0]);
    let refused = answered("a long read", ctx.read_input_registers(0x00, 62)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalDataValue));
    // Input registers only.
    let refused = answered("a read", ctx.read_holding_registers(0x00, 2)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::IllegalFunction));
}

#[tokio::test]
async fn two_units_share_one_rtu_bus_and_unknown_units_stay_silent() {
    let link = PtyLink::new();
    let settings = SerialSettings::default();
    let sim = PyModbusSim::rtu(SimModel::PowerBrain, &link.a_path(), settings, &[1, 2]).await;
    sim.set(1, "cp_state", json!(1)).await;
    sim.set(2, "cp_state", json!(3)).await;

    let mut ctx = attach_rtu(&link, settings, 1);
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [1]);
    ctx.set_slave(Slave(2));
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [3]);
    answered("a write", ctx.write_single_register(8093, 80))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sim.get(2, "charging_cur_limit").await, json!(80));
    assert_eq!(sim.get(1, "charging_cur_limit").await, json!(160));
    assert!(sim.writes(1).await.is_empty());

    // No device 3 on this bus: nobody answers, and the bus works on afterwards.
    ctx.set_slave(Slave(3));
    assert!(is_silent(&mut ctx).await, "unit 3 answered");
    ctx.set_slave(Slave(1));
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [1]);
}

#[tokio::test]
async fn exception_faults_answer_every_request_with_the_code() {
    let sim = PyModbusSim::tcp(SimModel::PowerBrain, &[1]).await;
    let mut ctx = connect_tcp(&sim, 1).await;

    sim.fault(1, SimFault::Exception(4)).await;
    assert_eq!(
        read_exception(&mut ctx).await,
        ExceptionCode::ServerDeviceFailure
    );
    let refused = answered("a write", ctx.write_single_register(8093, 100)).await;
    assert_eq!(refused.unwrap(), Err(ExceptionCode::ServerDeviceFailure));
    assert_eq!(sim.get(1, "charging_cur_limit").await, json!(160));

    sim.fault(1, SimFault::Exception(6)).await;
    assert_eq!(
        read_exception(&mut ctx).await,
        ExceptionCode::ServerDeviceBusy
    );

    sim.fault(1, SimFault::None).await;
    assert_eq!(read_holding(&mut ctx, 8093, 1).await, [160]);
    assert_eq!(sim.requests(1).await.get(&3), Some(&3));

    // Bad control commands are refused with an error that names the field.
    let answer = sim
        .command(json!({"cmd": "fault", "unit": 1, "kind": "exception", "code": 9}))
        .await;
    assert_eq!(answer["ok"], json!(false));
    assert!(
        answer["error"].as_str().unwrap().starts_with("code:"),
        "{answer}"
    );
    let answer = sim
        .command(json!({"cmd": "set", "unit": 1, "name": "cp_state", "value": 6}))
        .await;
    assert!(
        answer["error"].as_str().unwrap().starts_with("cp_state:"),
        "{answer}"
    );
    let answer = sim
        .command(json!({"cmd": "get", "unit": 5, "name": "cp_state"}))
        .await;
    assert!(
        answer["error"].as_str().unwrap().starts_with("unit:"),
        "{answer}"
    );
}

#[tokio::test]
async fn silent_faults_leave_requests_unanswered_over_tcp_and_rtu() {
    let sim = PyModbusSim::tcp(SimModel::PowerBrain, &[1]).await;
    let mut ctx = connect_tcp(&sim, 1).await;
    sim.fault(1, SimFault::Silent).await;
    assert!(is_silent(&mut ctx).await, "a silent unit answered over TCP");
    sim.fault(1, SimFault::None).await;
    // A fresh connection: a client that timed out may not trust the old one's framing.
    let mut ctx = connect_tcp(&sim, 1).await;
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [0]);

    let link = PtyLink::new();
    let settings = SerialSettings::default();
    let sim = PyModbusSim::rtu(SimModel::PowerBrain, &link.a_path(), settings, &[1, 2]).await;
    let mut ctx = attach_rtu(&link, settings, 1);
    sim.fault(1, SimFault::Silent).await;
    assert!(is_silent(&mut ctx).await, "a silent unit answered over RTU");
    ctx.set_slave(Slave(2));
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [0]);
    sim.fault(1, SimFault::None).await;
    ctx.set_slave(Slave(1));
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [0]);
    // The silent read reached the unit all the same.
    assert_eq!(sim.requests(1).await.get(&3), Some(&2));
}

#[tokio::test]
async fn a_pty_link_can_be_unplugged_and_plugged_back() {
    let mut link = PtyLink::new();
    let settings = SerialSettings::default();
    let sim = PyModbusSim::rtu(SimModel::PowerBrain, &link.a_path(), settings, &[1]).await;
    sim.set(1, "cp_state", json!("B")).await;
    let mut ctx = attach_rtu(&link, settings, 1);
    assert_eq!(read_holding(&mut ctx, 8092, 1).await, [1]);

    link.kill();
    assert!(!link.is_up());
    assert!(!link.a_path().exists() && !link.b_path().exists());
    let after_unplug =
        tokio::time::timeout(Duration::from_secs(1), ctx.read_holding_registers(8092, 1)).await;
    assert!(
        !matches!(after_unplug, Ok(Ok(Ok(_)))),
        "a read through an unplugged link succeeded: {after_unplug:?}"
    );
    assert!(settings.open(&link.b_path()).is_err());
    drop(ctx);

    link.restart();
    assert!(link.is_up());
    // The simulator reopens its end on its own; the driver side opens the new port.
    let mut ctx = attach_rtu(&link, settings, 1);
    let mut registers = None;
    for _ in 0..20 {
        if let Ok(Ok(Ok(read))) = tokio::time::timeout(
            Duration::from_millis(500),
            ctx.read_holding_registers(8092, 1),
        )
        .await
        {
            registers = Some(read);
            break;
        }
    }
    assert_eq!(
        registers,
        Some(vec![1]),
        "no answer after the link came back"
    );
    assert!(
        !sim.stderr().contains("Traceback"),
        "the simulator raised: {}",
        sim.stderr()
    );
}

#[tokio::test]
async fn a_simulator_exits_cleanly_when_its_stdin_closes() {
    let sim = PyModbusSim::tcp(SimModel::Sdm630, &[1, 2]).await;
    assert_eq!(sim.ok(json!({"cmd": "ping"})).await, json!({"ok": true}));
    assert_eq!(sim.get(2, "voltages_v").await, json!([230.0, 230.0, 230.0]));
    let addr = sim.addr();
    let stderr = sim.stderr();
    let status = sim.shutdown().await;
    assert!(status.success(), "exit status {status}; stderr:\n{stderr}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port is still open"
    );
}
