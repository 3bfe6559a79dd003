//! The database schema and its migrations, versioned with `PRAGMA user_version`.
//!
//! Migration `n` (counted from 1) brings a database from version `n - 1` to `n`. A released
//! migration is never edited: a change of schema is a new migration appended to [`MIGRATIONS`].

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Marks the file as an Ampwise database ("Ampw"), so Ampwise never migrates another program's
/// database that happens to lie at the same path.
pub(crate) const APPLICATION_ID: i32 = 0x416d_7077;

const MIGRATIONS: &[&str] = &[V1_SESSIONS_AND_CHARGE_POINTS];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `started_at`, `stopped_at` and `accepted_at` are kept exactly as the charge point sent them;
/// `started_utc` is the same moment normalised to UTC (`YYYY-MM-DDTHH:MM:SS.mmmZ`), so that sorting
/// and time filters compare text that compares like time. When a charge point sends a start time
/// that is not RFC 3339, `started_utc` is the time the start was received.
///
/// Signed meter data and stops that did not close a session keep the transaction id the charge
/// point reported; signed data of an unknown transaction has no `session_id`, so that it can never
/// be attached to a later session that happens to get the same id.
const V1_SESSIONS_AND_CHARGE_POINTS: &str = "
CREATE TABLE sessions (
    transaction_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_box_id    TEXT    NOT NULL,
    connector_id     INTEGER NOT NULL,
    device_id        TEXT,
    id_tag           TEXT    NOT NULL,
    meter_start_wh   INTEGER NOT NULL,
    started_at       TEXT    NOT NULL,
    started_utc      TEXT    NOT NULL,
    reservation_id   INTEGER,
    recorded_at      TEXT    NOT NULL,
    meter_stop_wh    INTEGER,
    stopped_at       TEXT,
    stop_reason      TEXT,
    stop_id_tag      TEXT,
    energy_wh        INTEGER,
    stop_recorded_at TEXT,
    CHECK ((stopped_at IS NULL) = (meter_stop_wh IS NULL)),
    CHECK ((stopped_at IS NULL) = (energy_wh IS NULL))
) STRICT;
CREATE INDEX sessions_by_start ON sessions (started_utc, transaction_id);
CREATE INDEX sessions_by_connector ON sessions (charge_box_id, connector_id, started_at);
CREATE INDEX sessions_by_device ON sessions (device_id, started_utc);
CREATE INDEX sessions_open ON sessions (charge_box_id, connector_id) WHERE stopped_at IS NULL;

CREATE TABLE signed_meter_data (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id               INTEGER REFERENCES sessions (transaction_id),
    reported_transaction_id  INTEGER NOT NULL,
    context                  TEXT    NOT NULL,
    raw                      TEXT    NOT NULL,
    recorded_at              TEXT    NOT NULL
) STRICT;
CREATE INDEX signed_meter_data_by_session ON signed_meter_data (session_id, id);

CREATE TABLE unapplied_stops (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id   INTEGER NOT NULL,
    cause            TEXT    NOT NULL
        CHECK (cause IN ('unknown_transaction', 'differs_from_first_stop')),
    meter_stop_wh    INTEGER NOT NULL,
    stopped_at       TEXT    NOT NULL,
    reason           TEXT,
    id_tag           TEXT,
    recorded_at      TEXT    NOT NULL
) STRICT;
CREATE INDEX unapplied_stops_by_transaction ON unapplied_stops (transaction_id);

CREATE TABLE charge_points (
    charge_box_id              TEXT PRIMARY KEY,
    vendor                     TEXT NOT NULL,
    model                      TEXT NOT NULL,
    serial_number              TEXT,
    charge_box_serial_number   TEXT,
    firmware_version           TEXT,
    iccid                      TEXT,
    imsi                       TEXT,
    meter_type                 TEXT,
    meter_serial_number        TEXT,
    first_accepted_at          TEXT NOT NULL,
    last_accepted_at           TEXT NOT NULL
) STRICT;
";

/// Brings the database to [`SCHEMA_VERSION`], or refuses it. Runs in one IMMEDIATE transaction, so
/// two processes opening a new database at once cannot both migrate it, and a crash mid-migration
/// leaves the previous version.
pub(crate) fn migrate(connection: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let operation = "migrate the database schema";
    let sqlite = |source| StoreError::sqlite(path, operation)(source);
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let application_id: i32 = transaction
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(|source| StoreError::sqlite(path, "read the database header")(source))?;
    let version: i64 = transaction
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|source| StoreError::sqlite(path, "read the database header")(source))?;
    let is_ours = match application_id {
        APPLICATION_ID => version >= 0,
        // A brand-new (empty) database has neither mark yet.
        0 => {
            let objects: i64 = transaction
                .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
                .map_err(sqlite)?;
            objects == 0 && version == 0
        }
        _ => false,
    };
    if !is_ours {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    // 0 <= version < SCHEMA_VERSION here, so this is the number of migrations already applied.
    let applied = version as usize;
    for migration in MIGRATIONS.iter().skip(applied) {
        transaction.execute_batch(migration).map_err(sqlite)?;
    }
    transaction
        .pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(sqlite)?;
    transaction
        .pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(sqlite)?;
    transaction.commit().map_err(sqlite)
}
