//! The durable record of charging sessions and charge points: SQLite in the data directory.
//!
//! Ampwise must never lose a charging session, so every write is one transaction that is on disk
//! before the call returns (WAL journal with `synchronous=FULL`: a committed session survives a
//! crash of Ampwise and a loss of power). The API is blocking; async callers wrap calls in
//! `spawn_blocking`. A [`Store`] is cheap to clone and shares one connection behind a mutex.

mod charge_points;
mod csv_export;
mod error;
mod schema;
mod session_model;
mod session_query;
mod sessions;
mod time_key;
mod unapplied_stops;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use charge_points::{BootInfo, ChargePointRecord};
pub use error::StoreError;
pub use schema::SCHEMA_VERSION;
pub use session_model::{
    NewSession, Session, SessionStop, SignedDataOutcome, SignedMeterData, StopOutcome, StopSession,
};
pub use session_query::SessionQuery;
pub use unapplied_stops::{StopCause, UnappliedStop};

/// The name of the database file inside the data directory.
pub const DATABASE_FILE_NAME: &str = "ampwise.sqlite3";

/// How long a write waits for another connection (another Ampwise process, a backup tool) that
/// holds the database lock before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const IN_MEMORY: &str = ":memory:";

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    connection: Mutex<Connection>,
}

impl fmt::Debug for Store {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Store")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// `<data_dir>/ampwise.sqlite3`.
    pub fn database_path(data_dir: &Path) -> PathBuf {
        data_dir.join(DATABASE_FILE_NAME)
    }

    /// Opens (creating it if needed) the database in the data directory.
    pub fn open_in_data_dir(data_dir: &Path) -> Result<Store, StoreError> {
        Store::open(Store::database_path(data_dir))
    }

    /// Opens the database file, creating it and its directory if needed, and brings its schema up
    /// to date. Refuses a database written by a newer Ampwise or by another program.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        let path = path.as_ref();
        prepare_file(path)?;
        // Without SQLITE_OPEN_URI, so a file that happens to be named `file:…` is just a file.
        let flags = OpenFlags::default().difference(OpenFlags::SQLITE_OPEN_URI);
        let connection = Connection::open_with_flags(path, flags)
            .map_err(StoreError::sqlite(path, "open the database"))?;
        Store::configure(connection, path)
    }

    /// A private database that lives as long as the store; for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = Path::new(IN_MEMORY);
        let connection =
            Connection::open_in_memory().map_err(StoreError::sqlite(path, "open the database"))?;
        Store::configure(connection, path)
    }

    fn configure(mut connection: Connection, path: &Path) -> Result<Store, StoreError> {
        let sqlite = |source| StoreError::sqlite(path, "configure the connection")(source);
        connection.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        connection
            .pragma_update(None, "foreign_keys", true)
            .map_err(sqlite)?;
        let journal_mode: String = connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(sqlite)?;
        if path != Path::new(IN_MEMORY) && !journal_mode.eq_ignore_ascii_case("wal") {
            // Still durable with synchronous=FULL, only slower: e.g. a file system without the
            // shared memory WAL needs.
            tracing::warn!(
                database = %path.display(),
                journal_mode,
                "the session database cannot use a WAL journal"
            );
        }
        connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(sqlite)?;
        schema::migrate(&mut connection, path)?;
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                connection: Mutex::new(connection),
            }),
        })
    }

    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `work` with the connection, one caller at a time.
    fn with_connection<T>(
        &self,
        work: impl FnOnce(&mut Connection, &Path) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // A panic while the lock was held cannot leave a half-written session: an open rusqlite
        // transaction rolls back when it is dropped during unwinding, so the connection stays
        // usable.
        let mut connection = self
            .inner
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        work(&mut connection, &self.inner.path)
    }
}

/// Creates the directory and, on unix, the file with mode 0600 before SQLite opens it: sessions
/// hold id tags (personal data). SQLite gives its `-wal` and `-shm` files the mode of the database.
fn prepare_file(path: &Path) -> Result<(), StoreError> {
    if let Some(directory) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(directory)
            .map_err(StoreError::io(path, "create the data directory"))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(StoreError::io(path, "create the database file"))?;
        let metadata = file.metadata().map_err(StoreError::io(
            path,
            "read the permissions of the database file",
        ))?;
        if metadata.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(StoreError::io(
                    path,
                    "restrict the database file to its owner",
                ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The central system shares one store between its tasks and `spawn_blocking` threads.
    #[test]
    fn a_store_can_be_shared_between_threads() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<Store>();
    }

    /// Durability settings are per connection and cannot be seen from another one, so they are
    /// checked here on the store's own connection.
    #[test]
    fn connection_is_durable_and_checks_foreign_keys() {
        let directory = tempfile::tempdir().unwrap();
        let store = Store::open(directory.path().join("a.sqlite3")).unwrap();
        store
            .with_connection(|connection, _| {
                let pragma = |name: &str| -> String {
                    connection
                        .query_row(&format!("PRAGMA {name}"), [], |row| {
                            row.get::<_, rusqlite::types::Value>(0)
                        })
                        .map(|value| format!("{value:?}"))
                        .unwrap()
                };
                assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
                // 2 = FULL
                assert_eq!(pragma("synchronous"), "Integer(2)");
                assert_eq!(pragma("foreign_keys"), "Integer(1)");
                assert_eq!(pragma("busy_timeout"), "Integer(10000)");
                Ok(())
            })
            .unwrap();
    }
}
