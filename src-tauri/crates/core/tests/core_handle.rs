//! The core handle as front ends use it: start on a file, the demo or nothing; change the configuration
//! (validated, persisted, applied, announced); set and clear secrets in the real OS keyring.
//!
//! The secret tests need a Secret Service: `.ci/dev test` runs them inside a D-Bus session with
//! gnome-keyring.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ampwise_core::config::{demo_config, Config, ConfigStore, GatewaySettings, LoadManagementMode};
use ampwise_core::events::{ConfigOrigin, CoreEvent};
use ampwise_core::secrets::{KeyringSecretStore, Secret, SecretName, SecretStore};
use ampwise_core::{
    start, CoreError, CoreHandle, StartError, StartOptions, WhenConfigUnusable, WhenUnconfigured,
};

/// A keyring service name of this test run alone, so tests never see each other's (or the user's)
/// secrets.
fn unique_service(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("ampwise-test-{test}-{}-{nanos}", std::process::id())
}

fn options(dir: &Path, secrets: Arc<dyn SecretStore>) -> StartOptions {
    StartOptions {
        config_path: dir.join("config.toml"),
        data_dir: dir.join("data"),
        secrets,
        log_control: None,
        when_unconfigured: WhenUnconfigured::Demo,
        when_unusable: WhenConfigUnusable::UseDemoAndReport,
    }
}

fn keyring(test: &str) -> Arc<KeyringSecretStore> {
    Arc::new(KeyringSecretStore::new(unique_service(test)))
}

async fn start_in(dir: &Path, secrets: Arc<dyn SecretStore>) -> CoreHandle {
    start(options(dir, secrets)).await.unwrap()
}

fn demo_with_gateway() -> Config {
    let mut config = demo_config();
    let wallbox = config
        .devices
        .iter_mut()
        .find(|device| device.driver.is_evse())
        .unwrap();
    wallbox.gateway = Some(GatewaySettings {
        enabled: true,
        url: "wss://backend.example.org/ocpp/".to_owned(),
        client_id: "AMPWISE-1".to_owned(),
        password_set: false,
        fixed_rfid: None,
    });
    config
}

#[tokio::test]
async fn starts_on_the_demo_without_writing_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let core = start_in(dir.path(), keyring("demo")).await;
    let snapshot = core.snapshot();
    assert_eq!(snapshot.origin, ConfigOrigin::Demo);
    assert_eq!(*snapshot.config, demo_config());
    assert!(snapshot.problem.is_none());
    assert!(!dir.path().join("config.toml").exists());
    assert!(dir.path().join("data").is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "the data directory is private");
    }
}

#[tokio::test]
async fn headless_start_uses_an_empty_installation() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), keyring("empty"));
    opts.when_unconfigured = WhenUnconfigured::Empty;
    let core = start(opts).await.unwrap();
    assert_eq!(core.snapshot().origin, ConfigOrigin::Empty);
    assert_eq!(*core.config(), Config::default());
}

#[tokio::test]
async fn update_validates_persists_applies_and_announces() {
    let dir = tempfile::tempdir().unwrap();
    let core = start_in(dir.path(), keyring("update")).await;
    let mut events = core.subscribe();
    let mut watcher = core.watch_config();

    let mut config = demo_config();
    config.charging_manager.mode = LoadManagementMode::Active;
    let snapshot = core.update_config(config.clone()).await.unwrap();

    assert_eq!(snapshot.origin, ConfigOrigin::File);
    assert_eq!(*snapshot.config, config);
    assert_eq!(core.snapshot(), snapshot);
    // Persisted: a fresh store reads the same configuration back.
    let on_disk = ConfigStore::new(dir.path().join("config.toml"))
        .load()
        .unwrap()
        .unwrap();
    assert_eq!(on_disk, config);
    // Applied: subsystems watching the configuration see the change without a restart.
    assert!(watcher.has_changed().unwrap());
    assert_eq!(*watcher.borrow_and_update().clone(), config);
    // Announced.
    match events.recv().await.unwrap() {
        CoreEvent::ConfigChanged { snapshot: event } => assert_eq!(event, snapshot),
        other => panic!("unexpected event {other:?}"),
    }
}

#[tokio::test]
async fn an_invalid_update_is_refused_naming_the_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let core = start_in(dir.path(), keyring("invalid")).await;
    let before = core.snapshot();
    let mut events = core.subscribe();

    let mut config = demo_config();
    config.charging_manager.max_current_per_phase_a.l2 = -5.0;
    let error = core.update_config(config).await.unwrap_err();
    let CoreError::Invalid(errors) = error else {
        panic!("expected a validation error, got {error:?}");
    };
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.field == "charging_manager.max_current_per_phase_a.l2"),
        "{errors}"
    );
    assert_eq!(core.snapshot(), before);
    assert!(!dir.path().join("config.toml").exists());
    assert!(
        events.try_recv().is_err(),
        "nothing changed, nothing announced"
    );
}

#[tokio::test]
async fn an_unusable_file_is_reported_kept_and_moved_aside_only_when_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "schema_version = 1\n[charging_manager\n";
    std::fs::write(dir.path().join("config.toml"), broken).unwrap();

    // A server refuses to run on anything but the file it was given.
    let mut refuse = options(dir.path(), keyring("unusable"));
    refuse.when_unusable = WhenConfigUnusable::Refuse;
    assert!(matches!(start(refuse).await, Err(StartError::Config(_))));

    // The desktop app runs on the demo and says why.
    let core = start_in(dir.path(), keyring("unusable")).await;
    let snapshot = core.snapshot();
    assert_eq!(snapshot.origin, ConfigOrigin::Demo);
    let problem = snapshot.problem.unwrap();
    assert!(problem.contains("config.toml"), "{problem}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("config.toml")).unwrap(),
        broken
    );

    // Saving a new configuration moves the unusable file aside instead of overwriting it.
    core.update_config(demo_config()).await.unwrap();
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().contains("rejected"))
        .collect();
    assert_eq!(kept.len(), 1, "the unusable file was kept aside once");
    assert_eq!(std::fs::read_to_string(kept[0].path()).unwrap(), broken);
    assert!(core.snapshot().problem.is_none());
}

#[tokio::test]
async fn secrets_go_to_the_keyring_and_only_the_flag_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = keyring("server-password");
    let core = start_in(dir.path(), store.clone()).await;
    let name = SecretName::OcppServerPassword;
    let password = "correct horse battery staple";

    let mut events = core.subscribe();
    let status = core
        .set_secret(name.clone(), Secret::new(password).unwrap())
        .await
        .unwrap();
    assert!(status.set);
    assert!(core.config().ocpp_server.password_set);
    assert!(core.secret_status(name.clone()).await.unwrap().set);
    // Really in the OS keyring: another store on the same service reads it.
    let other = KeyringSecretStore::new(store.service());
    assert_eq!(other.get(&name).unwrap().unwrap().expose(), password);

    let file = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(file.contains("password_set = true"), "{file}");
    assert!(
        !file.contains(password),
        "the password leaked into the file"
    );

    let mut saw_secret_event = false;
    while let Ok(event) = events.try_recv() {
        let text = format!("{event:?} {}", serde_json::to_string(&event).unwrap());
        assert!(!text.contains(password), "an event carried the password");
        saw_secret_event |= matches!(event, CoreEvent::SecretChanged { set: true, .. });
    }
    assert!(saw_secret_event);

    let status = core.clear_secret(name.clone()).await.unwrap();
    assert!(!status.set);
    assert!(!core.config().ocpp_server.password_set);
    assert!(other.get(&name).unwrap().is_none());
}

#[tokio::test]
async fn a_front_end_cannot_claim_a_password_that_is_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let core = start_in(dir.path(), keyring("claim")).await;
    let mut config = demo_with_gateway();
    config.ocpp_server.password_set = true;
    for device in &mut config.devices {
        if let Some(gateway) = device.gateway.as_mut() {
            gateway.password_set = true;
        }
    }
    let snapshot = core.update_config(config).await.unwrap();
    assert!(!snapshot.config.ocpp_server.password_set);
    assert!(snapshot
        .config
        .devices
        .iter()
        .filter_map(|device| device.gateway.as_ref())
        .all(|gateway| !gateway.password_set));
}

#[tokio::test]
async fn removing_a_gateway_deletes_its_password_from_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let store = keyring("gateway");
    let core = start_in(dir.path(), store.clone()).await;
    let config = demo_with_gateway();
    let device_id = config
        .devices
        .iter()
        .find(|device| device.gateway.is_some())
        .unwrap()
        .id
        .clone();
    core.update_config(config.clone()).await.unwrap();
    let name = SecretName::GatewayPassword {
        device_id: device_id.clone(),
    };
    core.set_secret(name.clone(), Secret::new("backend-pass").unwrap())
        .await
        .unwrap();
    assert!(store.is_set(&name).unwrap());

    let mut without_gateway = Config::clone(&core.config());
    for device in &mut without_gateway.devices {
        device.gateway = None;
    }
    core.update_config(without_gateway).await.unwrap();
    assert!(
        !store.is_set(&name).unwrap(),
        "the removed gateway's password is still in the keyring"
    );
}

#[tokio::test]
async fn secrets_for_unknown_places_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let core = start_in(dir.path(), keyring("unknown")).await;
    let missing = SecretName::GatewayPassword {
        device_id: "nope".to_owned(),
    };
    let error = core
        .set_secret(missing, Secret::new("x").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(error, CoreError::UnknownDevice { .. }),
        "{error:?}"
    );

    // The demo's wallboxes have no gateway section yet.
    let wallbox = demo_config()
        .devices
        .into_iter()
        .find(|device| device.driver.is_evse())
        .unwrap();
    let error = core
        .set_secret(
            SecretName::GatewayPassword {
                device_id: wallbox.id,
            },
            Secret::new("x").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, CoreError::NoGateway { .. }), "{error:?}");
}

#[tokio::test]
async fn shutdown_is_observed_by_subsystems() {
    let dir = tempfile::tempdir().unwrap();
    let core = start_in(dir.path(), keyring("shutdown")).await;
    let waiter = {
        let core = core.clone();
        tokio::spawn(async move { core.shutdown_requested().await })
    };
    core.shutdown();
    tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
}
