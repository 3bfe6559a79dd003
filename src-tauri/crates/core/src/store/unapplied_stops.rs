//! Stops that closed no session: for an unknown transaction, or a repeat that differs from the
//! first stop. They are kept so that nothing a charge point sent is lost.

use rusqlite::{named_params, Connection};

use super::session_model::StopSession;
use super::time_key::now_key;
use super::{Store, StoreError};

/// Why a stop did not close a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopCause {
    UnknownTransaction,
    DiffersFromFirstStop,
}

impl StopCause {
    fn as_sql(self) -> &'static str {
        match self {
            StopCause::UnknownTransaction => "unknown_transaction",
            StopCause::DiffersFromFirstStop => "differs_from_first_stop",
        }
    }

    fn from_sql(text: &str) -> Option<StopCause> {
        match text {
            "unknown_transaction" => Some(StopCause::UnknownTransaction),
            "differs_from_first_stop" => Some(StopCause::DiffersFromFirstStop),
            _ => None,
        }
    }
}

/// A stop that did not close a session, kept so that nothing the charge point sent is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnappliedStop {
    pub stop: StopSession,
    pub cause: StopCause,
    /// When Ampwise received it (UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`).
    pub recorded_at: String,
}

impl Store {
    /// Stops that did not close a session, oldest first.
    pub fn unapplied_stops(&self) -> Result<Vec<UnappliedStop>, StoreError> {
        self.with_connection(|connection, path| {
            read_unapplied_stops(connection)
                .map_err(StoreError::sqlite(path, "read unapplied stops"))
        })
    }
}

/// Keeps a stop that closed nothing. A resend of the very same stop is kept once.
pub(crate) fn record_unapplied_stop(
    connection: &Connection,
    stop: &StopSession,
    cause: StopCause,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO unapplied_stops
             (transaction_id, cause, meter_stop_wh, stopped_at, reason, id_tag, recorded_at)
         SELECT :transaction_id, :cause, :meter_stop_wh, :stopped_at, :reason, :id_tag, :recorded_at
         WHERE NOT EXISTS (
             SELECT 1 FROM unapplied_stops
             WHERE transaction_id = :transaction_id AND cause = :cause
               AND meter_stop_wh = :meter_stop_wh AND stopped_at = :stopped_at
               AND reason IS :reason AND id_tag IS :id_tag)",
        named_params! {
            ":transaction_id": stop.transaction_id,
            ":cause": cause.as_sql(),
            ":meter_stop_wh": stop.meter_stop_wh,
            ":stopped_at": stop.stopped_at,
            ":reason": stop.reason,
            ":id_tag": stop.id_tag,
            ":recorded_at": now_key(),
        },
    )?;
    Ok(())
}

fn read_unapplied_stops(connection: &Connection) -> rusqlite::Result<Vec<UnappliedStop>> {
    let mut statement = connection.prepare_cached(
        "SELECT transaction_id, cause, meter_stop_wh, stopped_at, reason, id_tag, recorded_at
         FROM unapplied_stops ORDER BY id",
    )?;
    let stops = statement
        .query_map([], |row| {
            let cause: String = row.get("cause")?;
            let cause = StopCause::from_sql(&cause).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    1,
                    rusqlite::types::Type::Text,
                    format!("unknown stop cause {cause:?}").into(),
                )
            })?;
            Ok(UnappliedStop {
                stop: StopSession {
                    transaction_id: row.get("transaction_id")?,
                    meter_stop_wh: row.get("meter_stop_wh")?,
                    stopped_at: row.get("stopped_at")?,
                    reason: row.get("reason")?,
                    id_tag: row.get("id_tag")?,
                },
                cause,
                recorded_at: row.get("recorded_at")?,
            })
        })?
        .collect();
    stops
}
