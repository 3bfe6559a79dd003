//! The file store for headless servers: a private file, written atomically.
#![cfg(unix)]
#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use ampwise_core::secrets::{FileSecretStore, Secret, SecretError, SecretName, SecretStore};

fn ocpp() -> SecretName {
    SecretName::OcppServerPassword
}

fn gateway(device_id: &str) -> SecretName {
    SecretName::GatewayPassword {
        device_id: device_id.into(),
    }
}

fn secret(value: &str) -> Secret {
    Secret::new(value).unwrap()
}

fn value_of(store: &FileSecretStore, name: &SecretName) -> Option<String> {
    store
        .get(name)
        .unwrap()
        .map(|secret| secret.expose().to_owned())
}

fn mode_of(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn write_with_mode(path: &Path, contents: &str, mode: u32) {
    fs::write(path, contents).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn set_get_overwrite_delete_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileSecretStore::open(dir.path().join("secrets.json")).unwrap();
    assert!(!store.is_set(&ocpp()).unwrap());

    store.set(&ocpp(), &secret("first")).unwrap();
    store
        .set(&gateway("wb-1"), &secret("gate \"quoted\" ✓"))
        .unwrap();
    assert_eq!(value_of(&store, &ocpp()).as_deref(), Some("first"));
    assert!(store.is_set(&ocpp()).unwrap());

    store.set(&ocpp(), &secret("second")).unwrap();
    assert_eq!(value_of(&store, &ocpp()).as_deref(), Some("second"));

    store.delete(&ocpp()).unwrap();
    assert_eq!(value_of(&store, &ocpp()), None);
    assert!(!store.is_set(&ocpp()).unwrap());
    assert_eq!(
        value_of(&store, &gateway("wb-1")).as_deref(),
        Some("gate \"quoted\" ✓")
    );
}

#[test]
fn the_file_is_created_private_and_stays_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-dir").join("secrets.json");
    let store = FileSecretStore::open(&path).unwrap();
    assert_eq!(mode_of(&path), 0o600);
    assert_eq!(mode_of(path.parent().unwrap()), 0o700);

    store.set(&ocpp(), &secret("value")).unwrap();
    assert_eq!(
        mode_of(&path),
        0o600,
        "the rewritten file must stay private"
    );
    let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["secrets.json"], "no temporary files remain");
}

#[test]
fn secrets_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.json");
    {
        let store = FileSecretStore::open(&path).unwrap();
        store.set(&gateway("wb-7"), &secret("persisted")).unwrap();
    }
    let reopened = FileSecretStore::open(&path).unwrap();
    assert_eq!(
        value_of(&reopened, &gateway("wb-7")).as_deref(),
        Some("persisted")
    );
    // The file is plain JSON keyed by account name, so an administrator can inspect it.
    let contents: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(contents["gateway-password/wb-7"], "persisted");
}

#[test]
fn a_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.json");
    write_with_mode(&path, r#"{"ocpp-server-password": "visible"}"#, 0o644);

    let error = FileSecretStore::open(&path).unwrap_err();
    match &error {
        SecretError::InsecureFilePermissions {
            path: reported,
            mode,
        } => {
            assert_eq!(reported, &path);
            assert_eq!(*mode, 0o644);
        }
        other => panic!("expected InsecureFilePermissions, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("chmod 600"), "{message}");
    assert!(!message.contains("visible"), "{message}");
}

#[test]
fn a_file_made_accessible_later_is_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.json");
    let store = FileSecretStore::open(&path).unwrap();
    store.set(&ocpp(), &secret("value")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o660)).unwrap();
    assert!(matches!(
        store.get(&ocpp()),
        Err(SecretError::InsecureFilePermissions { mode: 0o660, .. })
    ));
}

#[test]
fn an_empty_private_file_is_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.json");
    write_with_mode(&path, "", 0o600);
    let store = FileSecretStore::open(&path).unwrap();
    assert_eq!(value_of(&store, &ocpp()), None);
    store.set(&ocpp(), &secret("now set")).unwrap();
    assert_eq!(value_of(&store, &ocpp()).as_deref(), Some("now set"));
}

#[test]
fn deleting_a_missing_secret_is_ok() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileSecretStore::open(dir.path().join("secrets.json")).unwrap();
    store.delete(&ocpp()).unwrap();
}

#[test]
fn errors_about_a_broken_file_never_quote_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.json");
    for contents in [
        r#"{"ocpp-server-password": 918273645}"#,
        r#"{"ocpp-server-password": "pw-qu0ted-in-error"#,
        r#"{"ocpp-server-password": "pw-qu0ted-in-error", broken}"#,
        r#"["pw-qu0ted-in-error"]"#,
        r#"{"ocpp-server-password": ""}"#,
    ] {
        write_with_mode(&path, contents, 0o600);
        let error = FileSecretStore::open(&path).unwrap_err();
        let message = error.to_string();
        let debug = format!("{error:?}");
        assert!(matches!(error, SecretError::File { .. }), "{debug}");
        assert!(message.contains("line 1"), "{message}");
        for shown in [&message, &debug] {
            assert!(!shown.contains("918273645"), "{shown}");
            assert!(!shown.contains("pw-qu0ted-in-error"), "{shown}");
        }
    }
}

#[test]
fn describe_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secrets.json");
    let store = FileSecretStore::open(&path).unwrap();
    assert!(store.describe().contains(&path.display().to_string()));
}
