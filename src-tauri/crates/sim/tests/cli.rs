//! The `ampwise-sim` binary: start it like a user would and talk Modbus to it.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use common::{float, ANSWER_TIMEOUT};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio_modbus::client::{rtu, tcp};
use tokio_modbus::prelude::*;

struct Sim {
    // Killed when dropped.
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

fn start(args: &[&str]) -> Sim {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ampwise-sim"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    Sim {
        _child: child,
        lines,
    }
}

impl Sim {
    /// The next stdout line with `prefix`, without the prefix.
    async fn line(&mut self, prefix: &str) -> String {
        let line = tokio::time::timeout(Duration::from_secs(20), self.lines.next_line())
            .await
            .expect("no output line in time")
            .unwrap()
            .expect("the simulator ended without output");
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("`{line}` does not start with `{prefix}`"))
            .to_owned()
    }
}

#[tokio::test]
async fn powerbrain_over_tcp_on_a_free_port() {
    let mut sim = start(&[
        "powerbrain",
        "--tcp",
        "127.0.0.1:0",
        "--car-at",
        "0",
        "--limit-a",
        "10",
        "--rfid",
        "0A0B",
        "--status-every",
        "0",
    ]);
    let address: SocketAddr = sim.line("tcp: ").await.parse().unwrap();
    assert_ne!(address.port(), 0);
    let mut ctx = tcp::connect_slave(address, Slave(1)).await.unwrap();
    let words = tokio::time::timeout(ANSWER_TIMEOUT, ctx.read_holding_registers(8092, 4))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // CP state C, limit 10 A, enabled, drawing 10 A.
    assert_eq!(words, vec![2, 100, 1, 100]);
    let rfid = ctx.read_holding_registers(8096, 2).await.unwrap().unwrap();
    assert_eq!(
        rfid,
        vec![u16::from_be_bytes(*b"0A"), u16::from_be_bytes(*b"0B")]
    );
}

#[tokio::test]
async fn sdm630_on_a_pseudo_terminal() {
    let mut sim = start(&[
        "sdm630",
        "--pty",
        "--unit",
        "4",
        "--household-a",
        "1,2,3",
        "--status-every",
        "0",
    ]);
    let path = sim.line("serial: ").await;
    let port = tokio_serial::SerialStream::open(&tokio_serial::new(&path, 9600)).unwrap();
    let mut ctx = rtu::attach_slave(port, Slave(4));
    let words = tokio::time::timeout(ANSWER_TIMEOUT, ctx.read_input_registers(0x06, 6))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let currents: Vec<f32> = words.chunks(2).map(float).collect();
    assert_eq!(currents, vec![1.0, 2.0, 3.0]);
}

#[tokio::test]
async fn powerbrain_and_meter_on_one_pseudo_terminal() {
    let mut sim = start(&[
        "powerbrain",
        "--pty",
        "--units",
        "1-2",
        "--sdm630-unit",
        "9",
        "--household-a",
        "0,0,0",
        "--car-at",
        "0",
        "--status-every",
        "0",
    ]);
    let path = sim.line("serial: ").await;
    let port = tokio_serial::SerialStream::open(&tokio_serial::new(&path, 9600)).unwrap();
    let mut ctx = rtu::attach_slave(port, Slave(2));
    let state = ctx.read_holding_registers(8092, 1).await.unwrap().unwrap();
    assert_eq!(state, vec![2]);
    ctx.set_slave(Slave(9));
    let words = ctx.read_input_registers(0x34, 2).await.unwrap().unwrap();
    // Two cars at 3 × 16 A.
    assert_eq!(float(&words), 2.0 * 3.0 * 16.0 * 230.0);
}

#[tokio::test]
async fn demo_links_the_grid_meter_to_the_car() {
    let mut sim = start(&[
        "demo",
        "--powerbrain-port",
        "0",
        "--meter-port",
        "0",
        "--car-at",
        "0",
        "--household-a",
        "2,1.5,1",
        "--status-every",
        "0",
    ]);
    let wallbox: SocketAddr = sim
        .line("powerbrain tcp: ")
        .await
        .trim_end_matches(" unit 1")
        .parse()
        .unwrap();
    let meter: SocketAddr = sim
        .line("sdm630 tcp: ")
        .await
        .trim_end_matches(" unit 1")
        .parse()
        .unwrap();
    let mut ctx = tcp::connect_slave(wallbox, Slave(1)).await.unwrap();
    assert_eq!(
        ctx.read_holding_registers(8092, 1).await.unwrap().unwrap(),
        vec![2]
    );
    let mut ctx = tcp::connect_slave(meter, Slave(1)).await.unwrap();
    let words = ctx.read_input_registers(0x06, 6).await.unwrap().unwrap();
    let currents: Vec<f32> = words.chunks(2).map(float).collect();
    assert_eq!(currents, vec![18.0, 17.5, 17.0]);
}

#[test]
fn bad_arguments_are_named() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ampwise-sim"))
        .args(["powerbrain", "--tcp", "127.0.0.1:0", "--limit-a", "80"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--limit-a"), "{stderr}");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ampwise-sim"))
        .args(["sdm630", "--tcp", "127.0.0.1:0", "--household-a", "1,2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--household-a"), "{stderr}");
}

#[test]
fn help_describes_every_simulator() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ampwise-sim"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["powerbrain", "powerbrain-s0", "sdm630", "demo"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}
