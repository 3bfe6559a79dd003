//! An Ampwise core with its OCPP server on a free port, and the Python charge point (the PyPI `ocpp`
//! package) that talks to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ampwise_core::config::{
    ChargingSettings, Config, Device, DeviceDriver, OcppEvseAddress, OcppServerSettings,
};
use ampwise_core::secrets::FileSecretStore;
use ampwise_core::{CoreHandle, StartOptions, WhenConfigUnusable, WhenUnconfigured};

/// A port nobody listens on right now (the OS picks it; it is free again once the probe closes).
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe socket");
    probe.local_addr().expect("probe address").port()
}

/// An OCPP wallbox device with the given ChargeBox ID on connector 1.
pub fn ocpp_wallbox(id: &str, charge_box_id: &str) -> Device {
    Device {
        id: id.to_owned(),
        name: format!("Wallbox {charge_box_id}"),
        enabled: true,
        on_deactivation: Default::default(),
        group: None,
        driver: DeviceDriver::Ocpp16Evse(OcppEvseAddress {
            charge_box_id: charge_box_id.to_owned(),
            connector_id: 1,
            pause_with: Default::default(),
        }),
        charging: Some(ChargingSettings::default()),
        gateway: None,
    }
}

/// A configuration with an OCPP server on `port` and the given wallboxes.
pub fn config_with(port: u16, server: OcppServerSettings, devices: Vec<Device>) -> Config {
    Config {
        ocpp_server: OcppServerSettings { port, ..server },
        devices,
        ..Config::default()
    }
}

pub struct RunningCore {
    pub core: CoreHandle,
    pub home: tempfile::TempDir,
    pub port: u16,
}

impl RunningCore {
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    pub fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://127.0.0.1:{}/{path}", self.port)
    }
}

/// Starts a core on `config` (written to a file first, as a user would have it) and waits until its
/// OCPP server listens.
pub async fn start_core(config: Config) -> RunningCore {
    let home = tempfile::tempdir().expect("temp dir");
    let port = config.ocpp_server.port;
    let store = ampwise_core::config::ConfigStore::new(home.path().join("config.toml"));
    store.save(&config).expect("config saved");
    let secrets =
        Arc::new(FileSecretStore::open(home.path().join("secrets.json")).expect("secret file"));
    let core = ampwise_core::start(StartOptions {
        config_path: home.path().join("config.toml"),
        data_dir: home.path().join("data"),
        secrets,
        log_control: None,
        when_unconfigured: WhenUnconfigured::Empty,
        when_unusable: WhenConfigUnusable::Refuse,
    })
    .await
    .expect("core starts");
    let listening = core.ocpp().wait_listening(Duration::from_secs(10)).await;
    assert!(
        listening.is_some(),
        "the OCPP server did not start listening"
    );
    RunningCore { core, home, port }
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
}

/// Runs the Python charge point with `args` and returns the JSON it printed.
pub async fn python_charge_point(args: &[&str]) -> serde_json::Value {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: `bash .ci/dev test` installs the Python test peers (python3 -m venv .venv && \
         .venv/bin/pip install -r tests/python/requirements.txt)",
        python.display()
    );
    let output = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(python)
            .arg(repo_root().join("tests/python/charge_point.py"))
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("the Python charge point finished within 60 s")
    .expect("the Python charge point ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|error| {
        panic!("the charge point printed no JSON ({error}):\nstdout:\n{stdout}\nstderr:\n{stderr}")
    })
}

/// A core with the default OCPP server and one wallbox ("garage") with this ChargeBox ID.
pub async fn start_with_wallbox(charge_box_id: &str) -> RunningCore {
    start_core(config_with(
        free_port(),
        OcppServerSettings::default(),
        vec![ocpp_wallbox("garage", charge_box_id)],
    ))
    .await
}

/// A core without devices whose OCPP server lets any charge point in.
pub async fn start_accepting_unknown() -> RunningCore {
    start_core(config_with(
        free_port(),
        OcppServerSettings {
            accept_unknown_charge_points: true,
            ..OcppServerSettings::default()
        },
        vec![],
    ))
    .await
}
