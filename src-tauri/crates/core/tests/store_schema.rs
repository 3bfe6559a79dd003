//! Opening the database file: schema versions, other programs' databases, file permissions.
#![allow(clippy::unwrap_used)]

mod store_support;

use ampwise_core::store::{Store, StoreError, SCHEMA_VERSION};
use store_support::start;

#[test]
fn a_new_database_gets_the_current_schema_version_and_reopens() {
    let directory = tempfile::tempdir().unwrap();
    let nested = directory.path().join("not").join("yet").join("there");
    let path = Store::database_path(&nested);
    assert!(path.ends_with("ampwise.sqlite3"));
    let store = Store::open(&path).unwrap();
    let id = store.start_session(start("CP001", 1, 0, 0)).unwrap();
    drop(store);

    let connection = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let journal: String = connection
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    drop(connection);

    // Opening again migrates nothing and loses nothing.
    let store = Store::open(&path).unwrap();
    assert!(store.session(id).unwrap().is_some());
}

#[test]
fn a_database_from_a_newer_ampwise_is_refused_and_left_alone() {
    let directory = tempfile::tempdir().unwrap();
    let path = Store::database_path(directory.path());
    let id = Store::open(&path)
        .unwrap()
        .start_session(start("CP001", 1, 0, 0))
        .unwrap();
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let error = Store::open(&path).unwrap_err();
    match &error {
        StoreError::NewerSchema {
            path: reported,
            found,
            supported,
        } => {
            assert_eq!(reported, &path);
            assert_eq!(*found, SCHEMA_VERSION + 1);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("newer Ampwise"), "{message}");

    // The refused file still holds the session, untouched.
    let connection = rusqlite::Connection::open(&path).unwrap();
    let (count, version): (i64, i64) = connection
        .query_row(
            "SELECT (SELECT count(*) FROM sessions WHERE transaction_id = ?1), \
             (SELECT user_version FROM pragma_user_version)",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((count, version), (1, SCHEMA_VERSION + 1));
}

#[test]
fn another_programs_database_is_refused() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("other.sqlite3");
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
    }
    let error = Store::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::ForeignDatabase { .. }),
        "{error:?}"
    );
    let connection = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = connection
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .unwrap();
    assert_eq!(tables, 1, "the foreign database was changed");
}

#[test]
fn a_file_that_is_not_a_database_gives_an_error_naming_it() {
    let directory = tempfile::tempdir().unwrap();
    let path = Store::database_path(directory.path());
    std::fs::write(
        &path,
        "this is not SQLite, just text that is long enough to matter",
    )
    .unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Sqlite { .. }), "{error:?}");
    assert_eq!(error.path(), path);
    assert!(error.to_string().contains(&path.display().to_string()));
}

#[test]
fn an_in_memory_store_works_without_a_file() {
    let store = Store::open_in_memory().unwrap();
    let id = store.start_session(start("CP001", 1, 0, 0)).unwrap();
    assert_eq!(store.open_sessions().unwrap().len(), 1);
    assert_eq!(store.session(id).unwrap().unwrap().charge_box_id, "CP001");
}

#[cfg(unix)]
#[test]
fn the_database_and_its_journal_are_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let directory = tempfile::tempdir().unwrap();
    let path = Store::database_path(directory.path());
    let store = Store::open(&path).unwrap();
    store.start_session(start("CP001", 1, 0, 0)).unwrap();
    assert_eq!(mode(&path), 0o600);
    let wal = path.with_extension("sqlite3-wal");
    assert!(wal.exists(), "expected a WAL file at {}", wal.display());
    assert_eq!(mode(&wal), 0o600);
    drop(store);

    // A file left readable by others (e.g. restored from a backup) is restricted on open.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
}
