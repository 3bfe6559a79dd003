//! The config file on disk: round trips, errors that name the file and field, refusal of invalid
//! configs, preservation of files Ampwise cannot load, and no secrets in the file.
#![allow(clippy::unwrap_used)]

mod config_fixtures;

use std::fs;
use std::path::{Path, PathBuf};

use ampwise_core::config::{
    demo_config, parse_config, Config, ConfigError, ConfigStore, LoadManagementMode, LogLevel,
    SaveOutcome, TlsMode,
};
use config_fixtures::every_variant_config;

fn store_in(dir: &Path) -> ConfigStore {
    ConfigStore::new(dir.join("ampwise.toml"))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The TOML of `config` with `edit` applied to the raw table, as a hand editor might.
fn edited(config: &Config, edit: impl FnOnce(&mut toml::Table)) -> String {
    let mut table: toml::Table = toml::from_str(&toml::to_string(config).unwrap()).unwrap();
    edit(&mut table);
    toml::to_string(&table).unwrap()
}

/// The table at a dotted path; numbers index arrays (`devices.0.driver`).
fn table_at<'a>(root: &'a mut toml::Table, path: &str) -> &'a mut toml::Table {
    let mut value: &mut toml::Value = root
        .get_mut(path.split('.').next().unwrap())
        .unwrap_or_else(|| panic!("no {path}"));
    for segment in path.split('.').skip(1) {
        value = match segment.parse::<usize>() {
            Ok(index) => value.as_array_mut().unwrap().get_mut(index).unwrap(),
            Err(_) => value.as_table_mut().unwrap().get_mut(segment).unwrap(),
        };
    }
    value.as_table_mut().unwrap()
}

fn set(path: &'static str, key: &'static str, value: toml::Value) -> impl FnOnce(&mut toml::Table) {
    move |root| {
        let table = if path.is_empty() {
            root
        } else {
            table_at(root, path)
        };
        table.insert(key.to_owned(), value);
    }
}

fn remove(path: &'static str, key: &'static str) -> impl FnOnce(&mut toml::Table) {
    move |root| {
        let table = if path.is_empty() {
            root
        } else {
            table_at(root, path)
        };
        assert!(
            table.remove(key).is_some(),
            "{path}.{key} is in the fixture"
        );
    }
}

fn text(value: &str) -> toml::Value {
    toml::Value::String(value.to_owned())
}

#[test]
fn demo_and_every_variant_configs_survive_save_and_load_unchanged() {
    for config in [demo_config(), every_variant_config()] {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let outcome = store.save(&config).unwrap();
        assert_eq!(outcome, SaveOutcome { kept_aside: None });
        assert_eq!(store.load().unwrap(), Some(config.clone()));
        let on_disk = fs::read_to_string(store.path()).unwrap();
        assert_eq!(parse_config(&on_disk).unwrap(), config);
        assert_eq!(
            files_in(dir.path()),
            vec!["ampwise.toml"],
            "no temp file left"
        );
    }
}

#[test]
fn every_setting_value_survives_a_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let levels = [
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];
    let tls_modes = [TlsMode::Off, TlsMode::Detect, TlsMode::On];
    let modes = [LoadManagementMode::Monitor, LoadManagementMode::Active];
    for (index, level) in levels.into_iter().enumerate() {
        let mut config = every_variant_config();
        config.logging.level = level;
        config.ocpp_server.tls_mode = tls_modes[index % tls_modes.len()];
        config.charging_manager.mode = modes[index % modes.len()];
        config.ocpp_server.enabled = index % 2 == 0;
        store.save(&config).unwrap();
        assert_eq!(store.load().unwrap(), Some(config));
    }
}

#[test]
fn a_missing_file_loads_as_none_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    assert_eq!(store.load().unwrap(), None);
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn save_creates_the_parent_directory() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path().join("nested/deeper/ampwise.toml"));
    store.save(&demo_config()).unwrap();
    assert_eq!(store.load().unwrap(), Some(demo_config()));
}

#[test]
fn every_serde_error_names_its_path() {
    let base = every_variant_config();
    let cases: Vec<(String, &str)> = vec![
        (
            edited(&base, remove("devices.0", "name")),
            "devices[0].name",
        ),
        (
            edited(&base, set("ocpp_server", "prot", toml::Value::Integer(1))),
            "ocpp_server.prot",
        ),
        (
            edited(&base, set("", "foo", toml::Value::Boolean(true))),
            "foo",
        ),
        (
            edited(
                &base,
                set("devices.5.driver.transport", "baud_rate", text("fast")),
            ),
            "devices[5].driver.transport.baud_rate",
        ),
        (
            edited(
                &base,
                set("devices.6.driver.transport", "parity", text("mark")),
            ),
            "devices[6].driver.transport.parity",
        ),
        (
            edited(
                &base,
                set("devices.4.driver.transport", "port", text("502")),
            ),
            "devices[4].driver.transport.port",
        ),
        (
            edited(&base, remove("devices.2.driver.transport", "type")),
            "devices[2].driver.transport.type",
        ),
        (
            edited(
                &base,
                set("devices.2.driver.transport", "type", text("udp")),
            ),
            "devices[2].driver.transport.type",
        ),
        (
            edited(&base, set("devices.0.driver", "kind", text("ocpp201_evse"))),
            "devices[0].driver.kind",
        ),
        (
            edited(&base, remove("devices.3.driver", "charge_box_id")),
            "devices[3].driver.charge_box_id",
        ),
        (
            edited(
                &base,
                set("devices.3.driver", "connector_id", toml::Value::Integer(-1)),
            ),
            "devices[3].driver.connector_id",
        ),
        (
            edited(&base, set("devices.4.driver", "model", text("sdm120"))),
            "devices[4].driver.model",
        ),
        (
            edited(
                &base,
                set("devices.1.charging", "phases", toml::Value::Integer(2)),
            ),
            "devices[1].charging.phases",
        ),
        (
            edited(&base, set("devices.0.gateway", "password", text("hunter2"))),
            "devices[0].gateway.password",
        ),
        (
            edited(&base, set("logging", "level", text("loud"))),
            "logging.level",
        ),
        (
            edited(
                &base,
                set(
                    "charging_manager.max_current_per_phase_a",
                    "l1",
                    text("32 A"),
                ),
            ),
            "charging_manager.max_current_per_phase_a.l1",
        ),
        (
            edited(
                &base,
                set("certificates.server", "key_file", toml::Value::Integer(5)),
            ),
            "certificates.server.key_file",
        ),
        (
            edited(&base, set("certificates.server", "source", text("pkcs12"))),
            "certificates.server.source",
        ),
        (
            edited(&base, remove("certificates.client_ca.1", "file")),
            "certificates.client_ca[1].file",
        ),
        (
            edited(&base, remove("groups.1.max_current_per_phase_a", "l3")),
            "groups[1].max_current_per_phase_a.l3",
        ),
        (edited(&base, set("", "devices", text("none"))), "devices"),
        (
            edited(&base, remove("", "schema_version")),
            "schema_version",
        ),
        (
            edited(&base, set("", "schema_version", text("1"))),
            "schema_version",
        ),
    ];
    for (text, expected) in cases {
        match parse_config(&text) {
            Err(ConfigError::Schema {
                path: None,
                field,
                message,
                ..
            }) => {
                assert_eq!(field, expected, "message: {message}\n{text}");
                assert!(!message.is_empty());
            }
            other => panic!("expected a schema error at {expected}, got {other:?}\n{text}"),
        }
    }
}

#[test]
fn a_missing_field_is_named_as_the_field() {
    let text = edited(&every_variant_config(), remove("devices.0", "name"));
    let error = parse_config(&text).unwrap_err();
    assert!(
        error.to_string().contains("devices[0].name: missing field"),
        "{error}"
    );
}

#[test]
fn schema_errors_point_at_the_line_of_the_field() {
    let text = "schema_version = 1\n\n[ocpp_server]\nenabled = true\nport = \"19520\"\n";
    match parse_config(text).unwrap_err() {
        ConfigError::Schema {
            field, position, ..
        } => {
            assert_eq!(field, "ocpp_server.port");
            let position = position.unwrap();
            assert_eq!((position.line, position.column), (5, 8));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn syntax_errors_give_line_and_column() {
    let text = "schema_version = 1\n[ocpp_server\nport = 1\n";
    match parse_config(text).unwrap_err() {
        error @ ConfigError::Syntax { .. } => {
            let ConfigError::Syntax { position, .. } = &error else {
                unreachable!()
            };
            assert_eq!(position.unwrap().line, 2, "{error}");
            assert!(error.to_string().contains("line 2, column"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn load_errors_name_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let text = edited(
        &demo_config(),
        set("devices.1.driver", "unit_id", text("one")),
    );
    fs::write(store.path(), &text).unwrap();
    let error = store.load().unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&store.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("devices[1].driver.unit_id"), "{message}");
    assert_eq!(
        fs::read_to_string(store.path()).unwrap(),
        text,
        "load never rewrites a bad file"
    );
}

#[test]
fn validation_errors_on_load_name_the_file_and_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let text = edited(&demo_config(), |root| {
        set("ocpp_server", "port", toml::Value::Integer(0))(root);
        set("devices.1.driver", "unit_id", toml::Value::Integer(0))(root);
    });
    fs::write(store.path(), text).unwrap();
    match store.load().unwrap_err() {
        error @ ConfigError::Invalid { .. } => {
            let message = error.to_string();
            assert!(
                message.contains(&store.path().display().to_string()),
                "{message}"
            );
            assert!(message.contains("ocpp_server.port: "), "{message}");
            assert!(message.contains("devices[1].driver.unit_id: "), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_invalid_config_is_refused_on_save_and_the_file_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    store.save(&demo_config()).unwrap();
    let before = fs::read(store.path()).unwrap();

    let mut invalid = demo_config();
    invalid.ocpp_server.port = 0;
    invalid.devices[0].name = String::new();
    match store.save(&invalid).unwrap_err() {
        ConfigError::Invalid { path, errors } => {
            assert_eq!(path.as_deref(), Some(store.path()));
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, vec!["ocpp_server.port", "devices[0].name"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(store.path()).unwrap(), before);
    assert_eq!(files_in(dir.path()), vec!["ampwise.toml"]);
}

#[test]
fn an_invalid_config_is_refused_when_there_is_no_file_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path().join("new-dir/ampwise.toml"));
    let mut invalid = demo_config();
    invalid.charging_manager.control_interval_ms = 0;
    assert!(matches!(
        store.save(&invalid),
        Err(ConfigError::Invalid { .. })
    ));
    assert!(files_in(dir.path()).is_empty());
}

fn assert_rejected_name(kept: &Path) {
    let name = kept.file_name().unwrap().to_str().unwrap();
    let stamp = name
        .strip_prefix("ampwise.toml.rejected-")
        .unwrap_or_else(|| panic!("{name}"));
    let stamp = stamp.split('-').next().unwrap();
    assert_eq!(stamp.len(), "YYYYMMDDTHHMMSSZ".len(), "{name}");
    assert!(stamp[..8].bytes().all(|b| b.is_ascii_digit()), "{name}");
    assert_eq!(&stamp[8..9], "T", "{name}");
    assert!(stamp[9..15].bytes().all(|b| b.is_ascii_digit()), "{name}");
    assert_eq!(&stamp[15..], "Z", "{name}");
}

#[test]
fn an_unloadable_file_is_kept_aside_on_save() {
    let unloadable: Vec<(&str, Vec<u8>)> = vec![
        ("syntax", b"schema_version = 1\n[ocpp_server\n".to_vec()),
        (
            "schema",
            edited(
                &demo_config(),
                set("ocpp_server", "prot", toml::Value::Integer(1)),
            )
            .into_bytes(),
        ),
        (
            "invalid",
            edited(
                &demo_config(),
                set("ocpp_server", "port", toml::Value::Integer(0)),
            )
            .into_bytes(),
        ),
        (
            "newer",
            b"schema_version = 99\n[future]\nthing = 1\n".to_vec(),
        ),
        ("not text", vec![0xff, 0xfe, 0x00, 0x41]),
        ("empty", Vec::new()),
    ];
    for (what, contents) in unloadable {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        fs::write(store.path(), &contents).unwrap();

        let outcome = store.save(&demo_config()).unwrap();

        let kept = outcome
            .kept_aside
            .unwrap_or_else(|| panic!("{what}: nothing kept aside"));
        assert_eq!(kept.parent(), Some(dir.path()), "{what}");
        assert_rejected_name(&kept);
        assert_eq!(
            fs::read(&kept).unwrap(),
            contents,
            "{what}: kept byte for byte"
        );
        assert_eq!(store.load().unwrap(), Some(demo_config()), "{what}");
        assert_eq!(
            files_in(dir.path()).len(),
            2,
            "{what}: {:?}",
            files_in(dir.path())
        );
    }
}

#[test]
fn files_kept_aside_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut kept: Vec<PathBuf> = Vec::new();
    for attempt in 0..3 {
        let contents = format!("broken {attempt} = [");
        fs::write(store.path(), &contents).unwrap();
        let path = store.save(&demo_config()).unwrap().kept_aside.unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), contents);
        kept.push(path);
    }
    kept.sort();
    kept.dedup();
    assert_eq!(
        kept.len(),
        3,
        "three saves within a second keep three files"
    );
    for (attempt, path) in kept.iter().enumerate() {
        assert!(
            fs::read_to_string(path).unwrap().starts_with("broken"),
            "{attempt}"
        );
    }
}

#[test]
fn a_loadable_file_is_simply_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    store.save(&demo_config()).unwrap();
    let outcome = store.save(&every_variant_config()).unwrap();
    assert_eq!(outcome.kept_aside, None);
    assert_eq!(store.load().unwrap(), Some(every_variant_config()));
    assert_eq!(files_in(dir.path()), vec!["ampwise.toml"]);
}

#[test]
fn saves_from_many_threads_never_trip_over_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(store_in(dir.path()));
    let configs = [demo_config(), every_variant_config()];
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let store = std::sync::Arc::clone(&store);
            let config = configs[thread % 2].clone();
            std::thread::spawn(move || {
                for _ in 0..15 {
                    store.save(&config).unwrap();
                    let loaded = store.load().unwrap().unwrap();
                    assert!(loaded == demo_config() || loaded == every_variant_config());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(files_in(dir.path()), vec!["ampwise.toml"]);
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let text = "schema_version = 2\n[something_new]\nvalue = true\n";
    fs::write(store.path(), text).unwrap();
    match store.load().unwrap_err() {
        error @ ConfigError::NewerVersion { .. } => {
            let ConfigError::NewerVersion {
                found, supported, ..
            } = &error
            else {
                unreachable!()
            };
            assert_eq!((*found, *supported), (2, 1));
            let message = error.to_string();
            assert!(message.contains("newer Ampwise"), "{message}");
            assert!(
                message.contains(&store.path().display().to_string()),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read_to_string(store.path()).unwrap(), text);
    assert_eq!(files_in(dir.path()), vec!["ampwise.toml"]);
    assert!(matches!(
        parse_config(text),
        Err(ConfigError::NewerVersion { path: None, .. })
    ));
}

#[test]
fn load_removes_the_temp_file_of_an_interrupted_save() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    store.save(&demo_config()).unwrap();
    let temp = dir.path().join(".ampwise.toml.tmp");
    fs::write(&temp, "schema_version = 1\n[ocpp_ser").unwrap();

    assert_eq!(store.load().unwrap(), Some(demo_config()));
    assert!(!temp.exists());

    // Also when the interrupted save was the very first one.
    fs::remove_file(store.path()).unwrap();
    fs::write(&temp, "partial").unwrap();
    assert_eq!(store.load().unwrap(), None);
    assert!(files_in(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn the_file_is_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    fs::write(store.path(), "schema_version = 1\n").unwrap();
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();

    for config in [demo_config(), every_variant_config()] {
        store.save(&config).unwrap();
        let mode = fs::metadata(store.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
}

/// Every key of a TOML tree, with its dotted path.
fn keys(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        match value {
            toml::Value::Table(inner) => keys(inner, &format!("{path}."), out),
            toml::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if let toml::Value::Table(inner) = item {
                        keys(inner, &format!("{path}[{index}]."), out);
                    }
                }
            }
            _ => {}
        }
        out.push(path);
    }
}

#[test]
fn secrets_never_reach_the_file_only_whether_they_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut config = every_variant_config();
    config.ocpp_server.password_set = true;
    config.devices[0].gateway.as_mut().unwrap().password_set = true;
    store.save(&config).unwrap();

    let text = fs::read_to_string(store.path()).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let mut all_keys = Vec::new();
    keys(&table, "", &mut all_keys);
    let mut secret_like: Vec<&str> = all_keys
        .iter()
        .map(String::as_str)
        .filter(|key| {
            let key = key.to_ascii_lowercase();
            key.contains("password") || key.contains("secret") || key.contains("private")
        })
        .collect();
    secret_like.sort_unstable();
    assert_eq!(
        secret_like,
        vec![
            "devices[0].gateway.password_set",
            "devices[2].gateway.password_set",
            "ocpp_server.password_set",
        ],
        "{text}"
    );
    for line in text.lines().filter(|line| line.contains("password")) {
        assert!(
            line.trim_start().starts_with("password_set =") || line.trim_start().starts_with('#'),
            "{line}"
        );
    }
}

#[test]
fn a_partly_written_section_keeps_the_other_defaults() {
    use ampwise_core::config::{parse_config, ChargingSettings, OcppServerSettings};
    let text = "schema_version = 1\n\
        [ocpp_server]\nport = 19521\n\
        [[devices]]\nid = \"wb\"\nname = \"Wallbox\"\nenabled = true\n\
        [devices.driver]\nkind = \"ocpp16_evse\"\ncharge_box_id = \"CB1\"\nconnector_id = 1\n\
        [devices.charging]\nmax_current_a = 32.0\n";
    let config = parse_config(text).unwrap();
    assert_eq!(
        config.ocpp_server,
        OcppServerSettings {
            port: 19521,
            ..OcppServerSettings::default()
        }
    );
    assert_eq!(
        config.devices[0].charging,
        Some(ChargingSettings {
            max_current_a: 32.0,
            ..ChargingSettings::default()
        })
    );
}
