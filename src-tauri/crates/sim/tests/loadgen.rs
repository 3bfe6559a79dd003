//! The load generator against real servers: Ampwise's own central system (in this process, so the
//! generator can read its CPU time and memory), the bare echo server, a port nobody listens on and a
//! server that never answers. Short runs; the benchmark itself is tests/bench/run_ocpp_bench.sh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ampwise_core::config::{Config, ConfigStore, OcppServerSettings};
use ampwise_core::secrets::FileSecretStore;
use ampwise_core::{StartOptions, WhenConfigUnusable, WhenUnconfigured};
use serde_json::Value;

fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

/// Runs the generator to the end and returns its exit status, its JSON summary and its stderr.
fn loadgen(args: &[&str], json: &Path) -> (Option<i32>, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ampwise-loadgen"))
        .args(args)
        .arg("--json")
        .arg(json)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let text = std::fs::read_to_string(json)
        .unwrap_or_else(|error| panic!("no summary ({error}); stderr:\n{stderr}"));
    (
        output.status.code(),
        serde_json::from_str(&text).unwrap(),
        stderr,
    )
}

fn phase<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|phase| phase["phase"] == name)
        .unwrap_or_else(|| panic!("no {name} phase in {report:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measures_ampwise_without_errors() {
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = Config {
        ocpp_server: OcppServerSettings {
            port,
            accept_unknown_charge_points: true,
            ..OcppServerSettings::default()
        },
        ..Config::default()
    };
    ConfigStore::new(home.path().join("config.toml"))
        .save(&config)
        .unwrap();
    let core = ampwise_core::start(StartOptions {
        config_path: home.path().join("config.toml"),
        data_dir: home.path().join("data"),
        secrets: Arc::new(FileSecretStore::open(home.path().join("secrets.json")).unwrap()),
        log_control: None,
        when_unconfigured: WhenUnconfigured::Empty,
        when_unusable: WhenConfigUnusable::Refuse,
    })
    .await
    .unwrap();
    assert!(core
        .ocpp()
        .wait_listening(Duration::from_secs(10))
        .await
        .is_some());

    let url = format!("ws://127.0.0.1:{port}/ocpp");
    let pid = std::process::id().to_string();
    let json = home.path().join("summary.json");
    let args: Vec<String> = [
        "--url",
        &url,
        "--count",
        "20",
        "--duration",
        "1",
        "--rate",
        "200",
        "--hold",
        "0.5",
        "--settle",
        "0",
        "--server-pid",
        &pid,
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    let (status, report, stderr) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        loadgen(&args, &json)
    })
    .await
    .unwrap();
    assert_eq!(status, Some(0), "{stderr}");

    assert_eq!(report["connect"]["connected"], 20, "{report:#}");
    assert_eq!(report["connect"]["failures"]["total"], 0, "{report:#}");
    assert!(
        report["server_memory_before_connect"]["rss_kib"]
            .as_u64()
            .unwrap()
            > 0
    );

    let closed = phase(&report, "closed");
    let answered = closed["answered"].as_u64().unwrap();
    assert!(answered > 100, "{closed:#}");
    assert_eq!(closed["failures"]["total"], 0, "{closed:#}");
    assert_eq!(closed["sent"].as_u64().unwrap(), answered);
    assert!(closed["server_cpu_s"].as_f64().is_some(), "{closed:#}");
    assert!(
        closed["other_cpu_share"].as_f64().unwrap() >= 0.0,
        "{closed:#}"
    );
    assert!(closed["latency"]["p99_us"].as_f64().unwrap() > 0.0);

    // 200 msg/s for 1 s over 20 charge points: 10 each, on schedule.
    let rate = phase(&report, "rate");
    assert_eq!(rate["answered"], 200, "{rate:#}");
    assert_eq!(rate["failures"]["total"], 0, "{rate:#}");
    assert!(rate["latency"]["p50_us"].as_f64().unwrap() > 0.0);

    let hold = phase(&report, "hold");
    assert_eq!(hold["connected_at_end"], 20, "{hold:#}");
    assert!(hold["server_rss_per_connection_kib"].as_f64().is_some());

    // Ampwise saw every charge point, and every one sent meter values and status it recorded.
    let live = core.ocpp().live.charge_point("LOADGEN-7").unwrap();
    assert_eq!(live.vendor.as_deref(), Some("Ampwise"));
    let connector = &live.connectors[&1];
    assert!(connector.status.is_some());
    assert!(connector.reading.energy_wh.unwrap() >= 10_000.0);
    core.shutdown_and_wait().await;
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_echo_floor_answers_every_call() {
    let port = free_port();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_ampwise-bench-echo"))
            .args(["--port", &port.to_string()])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the echo server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("ws://127.0.0.1:{port}/ocpp");
    let pid = server.0.id().to_string();
    let (status, report, stderr) = loadgen(
        &[
            "--url",
            &url,
            "--count",
            "10",
            "--phases",
            "closed",
            "--duration",
            "0.5",
            "--server-pid",
            &pid,
        ],
        &dir.path().join("summary.json"),
    );
    assert_eq!(status, Some(0), "{stderr}");
    let closed = phase(&report, "closed");
    assert!(closed["answered"].as_u64().unwrap() > 10, "{closed:#}");
    assert_eq!(closed["failures"]["total"], 0, "{closed:#}");
    assert!(stderr.contains("closed loop: 10 charge points"), "{stderr}");
}

#[test]
fn a_refused_port_is_reported_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("ws://127.0.0.1:{}/ocpp", free_port());
    let started = Instant::now();
    let (status, report, stderr) = loadgen(
        &["--url", &url, "--count", "5"],
        &dir.path().join("summary.json"),
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(status, Some(1), "nothing connected is a failure: {stderr}");
    assert_eq!(report["connect"]["connected"], 0);
    assert_eq!(
        report["connect"]["failures"]["by_kind"]["refused"]["count"],
        5
    );
    assert_eq!(report["phases"].as_array().unwrap().len(), 0);
    assert!(stderr.contains("no charge point connected"), "{stderr}");
}

#[test]
fn a_server_that_never_answers_times_out_in_bounded_time() {
    // Accepts TCP connections and then says nothing, not even the WebSocket upgrade.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("ws://127.0.0.1:{port}/ocpp");
    let started = Instant::now();
    let (status, report, stderr) = loadgen(
        &["--url", &url, "--count", "3", "--timeout", "0.5"],
        &dir.path().join("summary.json"),
    );
    assert!(started.elapsed() < Duration::from_secs(5), "{stderr}");
    assert_eq!(status, Some(1));
    assert_eq!(
        report["connect"]["failures"]["by_kind"]["timeout"]["count"],
        3
    );
}

#[test]
fn bad_options_are_named_and_nothing_runs() {
    let output = Command::new(env!("CARGO_BIN_EXE_ampwise-loadgen"))
        .args(["--count", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--count: 0"), "{stderr}");
}
