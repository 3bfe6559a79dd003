//! Listing sessions for the history: filters, paging, newest first.

use std::path::Path;

use rusqlite::{named_params, Connection};

use super::session_model::{session_from_row, Session, SESSION_COLUMNS};
use super::sessions::load_signed_data;
use super::time_key::utc_key;
use super::{Store, StoreError};

/// Which sessions to list. All filters are optional and combine with AND; `Default` lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionQuery {
    pub device_id: Option<String>,
    pub charge_box_id: Option<String>,
    /// RFC 3339; sessions that started at or after this moment.
    pub from: Option<String>,
    /// RFC 3339; sessions that started before this moment.
    pub to: Option<String>,
    /// At most this many sessions; `None` for all.
    pub limit: Option<u32>,
    /// Skip this many sessions (of the newest-first order) first.
    pub offset: u32,
}

/// The query with its times turned into UTC keys, checked before any database work.
struct ResolvedQuery<'a> {
    query: &'a SessionQuery,
    from: Option<String>,
    to: Option<String>,
}

impl<'a> ResolvedQuery<'a> {
    fn new(
        query: &'a SessionQuery,
        path: &Path,
        operation: &'static str,
    ) -> Result<Self, StoreError> {
        let key = |field: &'static str, value: &Option<String>| {
            value
                .as_deref()
                .map(|text| {
                    utc_key(text).ok_or_else(|| StoreError::InvalidInput {
                        path: path.to_path_buf(),
                        operation,
                        field,
                        message: format!(
                            "{text:?} is not an RFC 3339 time such as 2024-05-01T00:00:00Z"
                        ),
                    })
                })
                .transpose()
        };
        Ok(ResolvedQuery {
            query,
            from: key("from", &query.from)?,
            to: key("to", &query.to)?,
        })
    }

    fn load(
        &self,
        connection: &Connection,
        with_signed_data: bool,
    ) -> rusqlite::Result<Vec<Session>> {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions
             WHERE (:device_id IS NULL OR device_id = :device_id)
               AND (:charge_box_id IS NULL OR charge_box_id = :charge_box_id)
               AND (:from IS NULL OR started_utc >= :from)
               AND (:to IS NULL OR started_utc < :to)
             ORDER BY started_utc DESC, transaction_id DESC
             LIMIT :limit OFFSET :offset"
        ))?;
        let mut sessions = statement
            .query_map(
                named_params! {
                    ":device_id": self.query.device_id,
                    ":charge_box_id": self.query.charge_box_id,
                    ":from": self.from,
                    ":to": self.to,
                    // A negative LIMIT means no limit in SQLite.
                    ":limit": self.query.limit.map_or(-1, i64::from),
                    ":offset": self.query.offset,
                },
                session_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if with_signed_data {
            for session in &mut sessions {
                load_signed_data(connection, session)?;
            }
        }
        Ok(sessions)
    }
}

impl Store {
    /// Sessions matching the query, newest start first, with their signed meter data.
    pub fn list_sessions(&self, query: &SessionQuery) -> Result<Vec<Session>, StoreError> {
        self.query_sessions(query, true, "list sessions")
    }

    pub(crate) fn query_sessions(
        &self,
        query: &SessionQuery,
        with_signed_data: bool,
        operation: &'static str,
    ) -> Result<Vec<Session>, StoreError> {
        self.with_connection(|connection, path| {
            ResolvedQuery::new(query, path, operation)?
                .load(connection, with_signed_data)
                .map_err(StoreError::sqlite(path, operation))
        })
    }
}
