//! `ampwised` as a server operator runs it: a config file, a data directory, and a stop signal.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ampwise_e2e::{read_logs, signal_and_wait, wait_for, workspace_binary};
use nix::sys::signal::Signal;

const CONFIG: &str = r#"
schema_version = 1

[logging]
level = "debug"

[charging_manager]
mode = "active"
max_current_per_phase_a = { l1 = 35.0, l2 = 35.0, l3 = 35.0 }
current_reserve_a = 2.0
control_interval_ms = 1000

[ocpp_server]
enabled = true
port = 19520
tls_mode = "detect"
password_set = false
accept_unknown_charge_points = false
call_timeout_s = 60

[[devices]]
id = "carport"
name = "Carport"
enabled = true

[devices.driver]
kind = "ocpp16_evse"
charge_box_id = "CB-0001"
connector_id = 1

[devices.charging]
min_current_a = 6.0
max_current_a = 16.0
phases = 3
priority = 1
"#;

fn spawn_ampwised(dir: &Path) -> Child {
    Command::new(workspace_binary("ampwised"))
        .arg("--config")
        .arg(dir.join("config.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--secrets-file")
        .arg(dir.join("secrets.json"))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ampwised starts")
}

fn stop_with(signal: Signal) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("config.toml"), CONFIG).expect("config written");
    let mut child = spawn_ampwised(dir.path());
    let data_dir = dir.path().join("data");

    let running = wait_for(Duration::from_secs(30), || {
        read_logs(&data_dir)
            .contains("ampwised running")
            .then_some(())
    });
    if running.is_none() {
        let _ = child.kill();
        let output = child.wait_with_output().expect("output");
        panic!(
            "ampwised did not report running within 30 s; stderr:\n{}\nlogs:\n{}",
            String::from_utf8_lossy(&output.stderr),
            read_logs(&data_dir)
        );
    }
    let logs = read_logs(&data_dir);
    assert!(
        logs.contains("core started") && logs.contains("devices=1") && logs.contains("origin=File"),
        "the core did not report loading the configuration file with its one device:\n{logs}"
    );
    // The configured level (debug) replaced the start-up level (info) once the file was loaded.
    assert!(
        logs.contains("log level changed level=\"debug\""),
        "the configured log level was not applied:\n{logs}"
    );

    let status = signal_and_wait(&mut child, signal, Duration::from_secs(10))
        .unwrap_or_else(|| panic!("ampwised did not exit within 10 s of {signal}"));
    assert!(
        status.success(),
        "ampwised exited with {status} after {signal}"
    );
    let logs = read_logs(&data_dir);
    assert!(logs.contains("stop signal received"), "{logs}");
    assert!(logs.contains("ampwised stopped"), "{logs}");
}

#[test]
fn loads_its_config_and_stops_cleanly_on_sigterm() {
    stop_with(Signal::SIGTERM);
}

#[test]
fn stops_cleanly_on_sigint() {
    stop_with(Signal::SIGINT);
}

#[test]
fn refuses_an_invalid_config_naming_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let invalid = CONFIG.replace("connector_id = 1", "connector_id = 0");
    std::fs::write(dir.path().join("config.toml"), &invalid).expect("config written");
    let output = spawn_ampwised(dir.path())
        .wait_with_output()
        .expect("ampwised runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "an invalid config must not start");
    assert!(
        stderr.contains("devices[0].driver.connector_id"),
        "the error must name the field:\n{stderr}"
    );
    // A server never replaces the file it was given.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("config.toml")).expect("config still there"),
        invalid
    );
}

#[test]
fn starts_on_an_empty_installation_when_no_file_exists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = spawn_ampwised(dir.path());
    let data_dir = dir.path().join("data");
    let running = wait_for(Duration::from_secs(30), || {
        read_logs(&data_dir)
            .contains("ampwised running")
            .then_some(())
    });
    assert!(running.is_some(), "{}", read_logs(&data_dir));
    assert!(read_logs(&data_dir).contains("origin=Empty"));
    let status = signal_and_wait(&mut child, Signal::SIGTERM, Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()));
    assert!(
        !dir.path().join("config.toml").exists(),
        "starting must not write a configuration nobody made"
    );
}

#[test]
fn sets_and_clears_a_password_for_a_headless_install() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("config.toml"), CONFIG).expect("config written");
    let password = "s3cret-for-the-wallboxes";
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = Command::new(workspace_binary("ampwised"))
            .arg("--config")
            .arg(dir.path().join("config.toml"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--secrets-file")
            .arg(dir.path().join("secrets.json"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ampwised starts");
        child
            .stdin
            .take()
            .expect("stdin piped")
            .write_all(stdin.as_bytes())
            .expect("password written");
        child.wait_with_output().expect("ampwised runs")
    };

    let output = run(&["set-password", "ocpp-server"], &format!("{password}\n"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let config = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    assert!(config.contains("password_set = true"), "{config}");
    assert!(!config.contains(password));
    let secrets = std::fs::read_to_string(dir.path().join("secrets.json")).expect("secrets");
    assert!(secrets.contains(password), "the password was not stored");
    for text in [
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    ] {
        assert!(!text.contains(password), "the password was printed: {text}");
    }
    assert!(!read_logs(&dir.path().join("data")).contains(password));

    let output = run(&["set-password", "ocpp-server"], "\n");
    assert!(
        !output.status.success(),
        "an empty password must be refused"
    );

    let output = run(&["set-password", "gateway", "--device", "nope"], "x\n");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("nope"),
        "the error must name the unknown device"
    );

    let output = run(&["clear-password", "ocpp-server"], "");
    assert!(output.status.success());
    let config = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    assert!(config.contains("password_set = false"), "{config}");
    let secrets = std::fs::read_to_string(dir.path().join("secrets.json")).expect("secrets");
    assert!(!secrets.contains(password));
}
