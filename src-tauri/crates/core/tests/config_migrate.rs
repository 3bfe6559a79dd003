//! Migration of older config files, with test-only step lists (this build has no migrations yet:
//! schema version 1 is the first).
#![allow(clippy::unwrap_used)]

mod config_fixtures;

use std::fs;

use ampwise_core::config::{
    demo_config, migrate, ConfigError, ConfigStore, Migration, MigrationError, SaveOutcome,
    CURRENT_SCHEMA_VERSION, MIGRATIONS,
};
use config_fixtures::every_variant_config;

fn rename(table: &mut toml::Table, from: &str, to: &str) {
    if let Some(value) = table.remove(from) {
        table.insert(to.to_owned(), value);
    }
}

fn v1_renames_speed_to_velocity(mut table: toml::Table) -> Result<toml::Table, MigrationError> {
    rename(&mut table, "speed", "velocity");
    Ok(table)
}

fn v2_renames_velocity_to_rate(mut table: toml::Table) -> Result<toml::Table, MigrationError> {
    rename(&mut table, "velocity", "rate");
    Ok(table)
}

fn refuses_everything(_: toml::Table) -> Result<toml::Table, MigrationError> {
    Err(MigrationError::Step {
        from_version: 1,
        field: "speed".to_owned(),
        reason: "negative speeds cannot be carried over".to_owned(),
    })
}

const CHAIN: &[Migration] = &[
    // Listed out of order on purpose: steps are chosen by version, not by position.
    Migration {
        from_version: 2,
        apply: v2_renames_velocity_to_rate,
    },
    Migration {
        from_version: 1,
        apply: v1_renames_speed_to_velocity,
    },
];

fn table(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

#[test]
fn this_build_knows_no_migrations_yet() {
    assert!(MIGRATIONS.is_empty());
    assert_eq!(CURRENT_SCHEMA_VERSION, 1);
}

#[test]
fn a_chain_of_steps_renames_the_field_and_bumps_the_version() {
    let (migrated, changed) = migrate(
        table("schema_version = 1\nspeed = 7\nkept = \"yes\"\n"),
        CHAIN,
        3,
    )
    .unwrap();
    assert!(changed);
    assert_eq!(
        migrated,
        table("schema_version = 3\nrate = 7\nkept = \"yes\"\n")
    );
}

#[test]
fn migration_starts_at_the_files_version() {
    let (migrated, changed) =
        migrate(table("schema_version = 2\nvelocity = 7\n"), CHAIN, 3).unwrap();
    assert!(changed);
    assert_eq!(migrated, table("schema_version = 3\nrate = 7\n"));
}

#[test]
fn the_version_is_set_after_every_step() {
    let (migrated, _) = migrate(table("schema_version = 1\nspeed = 7\n"), CHAIN, 2).unwrap();
    assert_eq!(migrated, table("schema_version = 2\nvelocity = 7\n"));
}

#[test]
fn an_already_current_table_is_unchanged() {
    let original = table("schema_version = 3\nspeed = 7\n");
    let (migrated, changed) = migrate(original.clone(), CHAIN, 3).unwrap();
    assert!(!changed);
    assert_eq!(migrated, original);
}

#[test]
fn a_missing_step_is_an_error_naming_the_version() {
    let error = migrate(table("schema_version = 0\n"), CHAIN, 3).unwrap_err();
    assert_eq!(error, MigrationError::MissingStep { from_version: 0 });
    assert_eq!(error.to_string(), "no migration from schema_version 0");

    // A gap in the middle of the chain is found as well.
    let gap = &CHAIN[1..];
    let error = migrate(table("schema_version = 1\nspeed = 1\n"), gap, 3).unwrap_err();
    assert_eq!(error, MigrationError::MissingStep { from_version: 2 });
}

#[test]
fn schema_version_must_be_present_and_a_whole_number() {
    assert_eq!(
        migrate(table("speed = 7\n"), CHAIN, 3).unwrap_err(),
        MigrationError::MissingVersion
    );
    for text in [
        "schema_version = \"1\"",
        "schema_version = 1.0",
        "schema_version = true",
        "schema_version = [1]",
    ] {
        let error = migrate(table(text), CHAIN, 3).unwrap_err();
        assert!(
            matches!(error, MigrationError::VersionNotInteger { .. }),
            "{text}: {error:?}"
        );
        assert!(error.to_string().starts_with("schema_version: "), "{error}");
    }
    assert_eq!(
        migrate(table("schema_version = -1"), CHAIN, 3).unwrap_err(),
        MigrationError::VersionOutOfRange { found: -1 }
    );
}

#[test]
fn a_version_newer_than_the_target_is_refused() {
    assert_eq!(
        migrate(table("schema_version = 4"), CHAIN, 3).unwrap_err(),
        MigrationError::NewerThanTarget {
            found: 4,
            target: 3
        }
    );
}

#[test]
fn a_failing_step_stops_the_migration() {
    let steps = [Migration {
        from_version: 1,
        apply: refuses_everything,
    }];
    let error = migrate(table("schema_version = 1\nspeed = -1\n"), &steps, 2).unwrap_err();
    assert_eq!(
        error.to_string(),
        "migrating from schema_version 1: speed: negative speeds cannot be carried over"
    );
}

/// Version 0 of a pretend older schema called the OCPP server's port `listen_port`.
fn v0_renames_listen_port(mut table: toml::Table) -> Result<toml::Table, MigrationError> {
    if let Some(toml::Value::Table(server)) = table.get_mut("ocpp_server") {
        rename(server, "listen_port", "port");
    }
    Ok(table)
}

const FROM_V0: &[Migration] = &[Migration {
    from_version: 0,
    apply: v0_renames_listen_port,
}];

/// The demo config as a version 0 file would have had it.
fn demo_as_version_0() -> String {
    let current = toml::to_string(&demo_config()).unwrap();
    let mut old = table(&current);
    old.insert("schema_version".to_owned(), toml::Value::Integer(0));
    let server = old["ocpp_server"].as_table_mut().unwrap();
    let port = server.remove("port").unwrap();
    server.insert("listen_port".to_owned(), port);
    toml::to_string(&old).unwrap()
}

#[test]
fn load_rewrites_a_migrated_file_and_keeps_the_original_as_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::with_migrations(dir.path().join("ampwise.toml"), FROM_V0);
    let original = demo_as_version_0();
    fs::write(store.path(), &original).unwrap();

    let loaded = store.load().unwrap();
    assert_eq!(loaded, Some(demo_config()));

    let backup = dir.path().join("ampwise.toml.v0.bak");
    assert_eq!(fs::read_to_string(&backup).unwrap(), original);
    let rewritten = fs::read_to_string(store.path()).unwrap();
    let rewritten_table = table(&rewritten);
    assert_eq!(rewritten_table["schema_version"].as_integer(), Some(1));
    assert!(rewritten_table["ocpp_server"].get("listen_port").is_none());
    assert_eq!(
        rewritten_table["ocpp_server"]["port"].as_integer(),
        Some(19520)
    );

    // The rewritten file is current: a store without migrations reads it as it is.
    let plain = ConfigStore::new(store.path());
    assert_eq!(plain.load().unwrap(), Some(demo_config()));
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["ampwise.toml", "ampwise.toml.v0.bak"]);
}

#[test]
fn an_existing_different_backup_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::with_migrations(dir.path().join("ampwise.toml"), FROM_V0);
    let earlier_backup = dir.path().join("ampwise.toml.v0.bak");
    fs::write(&earlier_backup, "an older backup").unwrap();
    let original = demo_as_version_0();
    fs::write(store.path(), &original).unwrap();

    store.load().unwrap();

    assert_eq!(
        fs::read_to_string(&earlier_backup).unwrap(),
        "an older backup"
    );
    let second = dir.path().join("ampwise.toml.v0.bak-2");
    assert_eq!(fs::read_to_string(second).unwrap(), original);
}

#[test]
fn save_over_an_older_file_keeps_it_as_a_backup() {
    // Without a load first: e.g. new settings saved while an old file was present.
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::with_migrations(dir.path().join("ampwise.toml"), FROM_V0);
    let original = demo_as_version_0();
    fs::write(store.path(), &original).unwrap();

    let outcome = store.save(&every_variant_config()).unwrap();

    let backup = dir.path().join("ampwise.toml.v0.bak");
    assert_eq!(outcome, SaveOutcome { kept_aside: None });
    assert_eq!(fs::read_to_string(backup).unwrap(), original);
    assert_eq!(store.load().unwrap(), Some(every_variant_config()));
}

#[test]
fn save_over_an_older_file_that_cannot_be_migrated_keeps_it_aside() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path().join("ampwise.toml"));
    fs::write(store.path(), "schema_version = 0\n").unwrap();

    // This build has no step from 0, so the old file cannot load: it is kept aside instead.
    let outcome = store.save(&demo_config()).unwrap();
    let kept = outcome.kept_aside.unwrap();
    assert_eq!(fs::read_to_string(kept).unwrap(), "schema_version = 0\n");
    assert_eq!(store.load().unwrap(), Some(demo_config()));
}

#[test]
fn a_file_that_cannot_be_migrated_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::new(dir.path().join("ampwise.toml"));
    let original = demo_as_version_0();
    fs::write(store.path(), &original).unwrap();

    // This build's own (empty) list has no step from version 0.
    match store.load().unwrap_err() {
        error @ ConfigError::Migration { .. } => {
            let message = error.to_string();
            assert!(
                message.contains("no migration from schema_version 0"),
                "{message}"
            );
            assert!(
                message.contains(&store.path().display().to_string()),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read_to_string(store.path()).unwrap(), original);
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no backup, no rewrite"
    );
}

#[test]
fn a_migrated_file_that_is_still_wrong_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = ConfigStore::with_migrations(dir.path().join("ampwise.toml"), FROM_V0);
    let mut old = table(&demo_as_version_0());
    old["ocpp_server"]
        .as_table_mut()
        .unwrap()
        .insert("listen_port".to_owned(), toml::Value::Integer(0));
    let original = toml::to_string(&old).unwrap();
    fs::write(store.path(), &original).unwrap();

    match store.load().unwrap_err() {
        ConfigError::Invalid { errors, .. } => {
            assert_eq!(errors.0[0].field, "ocpp_server.port");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read_to_string(store.path()).unwrap(), original);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}
