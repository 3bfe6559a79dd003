//! The errors of the session database: each names the database file and what was being done.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("session database {}: cannot {operation}: {source}", .path.display())]
    Sqlite {
        path: PathBuf,
        /// What was being done, e.g. "record the start of a session".
        operation: &'static str,
        source: rusqlite::Error,
    },
    #[error("session database {}: cannot {operation}: {source}", .path.display())]
    Io {
        path: PathBuf,
        operation: &'static str,
        source: io::Error,
    },
    #[error(
        "session database {} was written by a newer Ampwise (schema version {found}; this version \
         understands up to {supported}): update Ampwise or restore a backup",
        .path.display()
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "{} is a database of another program, not an Ampwise session database: move it away or \
         choose another data directory",
        .path.display()
    )]
    ForeignDatabase { path: PathBuf },
    /// A caller passed a value that cannot be used, e.g. a `from` that is not an RFC 3339 time.
    #[error("session database {}: cannot {operation}: {field}: {message}", .path.display())]
    InvalidInput {
        path: PathBuf,
        operation: &'static str,
        field: &'static str,
        message: String,
    },
    /// OCPP transaction ids are 32-bit; after 2^31 - 1 sessions no new id can be handed out.
    #[error(
        "session database {}: cannot record the start of a session: all {} transaction ids are \
         used",
        .path.display(),
        i32::MAX
    )]
    TransactionIdsExhausted { path: PathBuf },
}

impl StoreError {
    /// For `map_err`: the path is copied only when there is an error.
    pub(crate) fn sqlite<'a>(
        path: &'a Path,
        operation: &'static str,
    ) -> impl FnOnce(rusqlite::Error) -> Self + 'a {
        move |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            operation,
            source,
        }
    }

    pub(crate) fn io<'a>(
        path: &'a Path,
        operation: &'static str,
    ) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| StoreError::Io {
            path: path.to_path_buf(),
            operation,
            source,
        }
    }

    /// The database file the error is about (`:memory:` for an in-memory database).
    pub fn path(&self) -> &Path {
        match self {
            StoreError::Sqlite { path, .. }
            | StoreError::Io { path, .. }
            | StoreError::NewerSchema { path, .. }
            | StoreError::ForeignDatabase { path, .. }
            | StoreError::InvalidInput { path, .. }
            | StoreError::TransactionIdsExhausted { path } => path,
        }
    }
}
