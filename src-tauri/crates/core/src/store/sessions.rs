//! Charging sessions: start, stop, signed meter data, and reading sessions back.

use rusqlite::{named_params, params, Connection, OptionalExtension, TransactionBehavior};

use super::session_model::{
    session_from_row, NewSession, Session, SignedDataOutcome, SignedMeterData, StopOutcome,
    StopSession, SESSION_COLUMNS,
};
use super::time_key::{now_key, utc_key};
use super::unapplied_stops::{record_unapplied_stop, StopCause};
use super::{Store, StoreError};

pub(crate) fn load_signed_data(
    connection: &Connection,
    session: &mut Session,
) -> rusqlite::Result<()> {
    let mut statement = connection.prepare_cached(
        "SELECT context, raw FROM signed_meter_data WHERE session_id = ?1 ORDER BY id",
    )?;
    session.signed_meter_data = statement
        .query_map([session.transaction_id], |row| {
            Ok(SignedMeterData {
                context: row.get(0)?,
                raw: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

fn find_session(connection: &Connection, transaction_id: i32) -> rusqlite::Result<Option<Session>> {
    let mut session = connection
        .prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE transaction_id = ?1"
        ))?
        .query_row([transaction_id], session_from_row)
        .optional()?;
    if let Some(session) = &mut session {
        load_signed_data(connection, session)?;
    }
    Ok(session)
}

fn load_open_sessions(
    connection: &Connection,
    filter: &str,
    params: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<Session>> {
    let mut statement = connection.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE stopped_at IS NULL {filter} \
         ORDER BY started_utc DESC, transaction_id DESC"
    ))?;
    let mut sessions = statement
        .query_map(params, session_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for session in &mut sessions {
        load_signed_data(connection, session)?;
    }
    Ok(sessions)
}

impl Store {
    /// Records a StartTransaction and returns its transaction id: positive, unique and never
    /// handed out again, even after the session is deleted.
    ///
    /// A charge point that did not get the answer resends the same StartTransaction; a start that
    /// equals a recorded one (charge box, connector, id tag, meter start and start time) gets the
    /// recorded id back instead of becoming a second session.
    pub fn start_session(&self, new: NewSession) -> Result<i32, StoreError> {
        self.with_connection(|connection, path| {
            let operation = "record the start of a session";
            let sqlite = |source| StoreError::sqlite(path, operation)(source);
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sqlite)?;
            let resent: Option<i32> = transaction
                .prepare_cached(
                    "SELECT transaction_id FROM sessions
                     WHERE charge_box_id = ?1 AND connector_id = ?2 AND started_at = ?3
                       AND id_tag = ?4 AND meter_start_wh = ?5
                     ORDER BY transaction_id DESC LIMIT 1",
                )
                .and_then(|mut statement| {
                    statement
                        .query_row(
                            params![
                                new.charge_box_id,
                                new.connector_id,
                                new.started_at,
                                new.id_tag,
                                new.meter_start_wh
                            ],
                            |row| row.get(0),
                        )
                        .optional()
                })
                .map_err(sqlite)?;
            if let Some(transaction_id) = resent {
                return Ok(transaction_id);
            }
            let recorded_at = now_key();
            let started_utc = utc_key(&new.started_at).unwrap_or_else(|| recorded_at.clone());
            transaction
                .execute(
                    "INSERT INTO sessions (charge_box_id, connector_id, device_id, id_tag,
                         meter_start_wh, started_at, started_utc, reservation_id, recorded_at)
                     VALUES (:charge_box_id, :connector_id, :device_id, :id_tag, :meter_start_wh,
                         :started_at, :started_utc, :reservation_id, :recorded_at)",
                    named_params! {
                        ":charge_box_id": new.charge_box_id,
                        ":connector_id": new.connector_id,
                        ":device_id": new.device_id,
                        ":id_tag": new.id_tag,
                        ":meter_start_wh": new.meter_start_wh,
                        ":started_at": new.started_at,
                        ":started_utc": started_utc,
                        ":reservation_id": new.reservation_id,
                        ":recorded_at": recorded_at,
                    },
                )
                .map_err(sqlite)?;
            let Ok(transaction_id) = i32::try_from(transaction.last_insert_rowid()) else {
                // Dropping the transaction rolls the insert back.
                return Err(StoreError::TransactionIdsExhausted {
                    path: path.to_path_buf(),
                });
            };
            transaction.commit().map_err(sqlite)?;
            Ok(transaction_id)
        })
    }

    /// Records a StopTransaction. The first stop of a session wins; see [`StopOutcome`].
    pub fn stop_session(&self, stop: StopSession) -> Result<StopOutcome, StoreError> {
        self.with_connection(|connection, path| {
            let operation = "record the stop of a session";
            let sqlite = |source| StoreError::sqlite(path, operation)(source);
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sqlite)?;
            let Some(session) = find_session(&transaction, stop.transaction_id).map_err(sqlite)?
            else {
                record_unapplied_stop(&transaction, &stop, StopCause::UnknownTransaction)
                    .map_err(sqlite)?;
                transaction.commit().map_err(sqlite)?;
                return Ok(StopOutcome::UnknownTransaction);
            };
            if let Some(first) = &session.stop {
                let same = first.meter_stop_wh == stop.meter_stop_wh
                    && first.stopped_at == stop.stopped_at
                    && first.reason == stop.reason
                    && first.id_tag == stop.id_tag;
                if same {
                    return Ok(StopOutcome::AlreadyStopped(session));
                }
                record_unapplied_stop(&transaction, &stop, StopCause::DiffersFromFirstStop)
                    .map_err(sqlite)?;
                transaction.commit().map_err(sqlite)?;
                return Ok(StopOutcome::ConflictingStop(session));
            }
            let energy_wh = stop
                .meter_stop_wh
                .checked_sub(session.meter_start_wh)
                .ok_or_else(|| StoreError::InvalidInput {
                    path: path.to_path_buf(),
                    operation,
                    field: "meter_stop_wh",
                    message: format!(
                        "{} Wh minus the meter start {} Wh does not fit in 64 bits",
                        stop.meter_stop_wh, session.meter_start_wh
                    ),
                })?;
            transaction
                .execute(
                    "UPDATE sessions SET meter_stop_wh = :meter_stop_wh, stopped_at = :stopped_at,
                         stop_reason = :reason, stop_id_tag = :id_tag, energy_wh = :energy_wh,
                         stop_recorded_at = :recorded_at
                     WHERE transaction_id = :transaction_id AND stopped_at IS NULL",
                    named_params! {
                        ":meter_stop_wh": stop.meter_stop_wh,
                        ":stopped_at": stop.stopped_at,
                        ":reason": stop.reason,
                        ":id_tag": stop.id_tag,
                        ":energy_wh": energy_wh,
                        ":recorded_at": now_key(),
                        ":transaction_id": stop.transaction_id,
                    },
                )
                .map_err(sqlite)?;
            let stopped = find_session(&transaction, stop.transaction_id)
                .map_err(sqlite)?
                .unwrap_or(session);
            transaction.commit().map_err(sqlite)?;
            Ok(StopOutcome::Stopped(stopped))
        })
    }

    /// Appends one signed meter value to the session, exactly as received. Values of a transaction
    /// that is not known are stored as well, apart from any session.
    pub fn add_signed_meter_data(
        &self,
        transaction_id: i32,
        context: impl AsRef<str>,
        raw: impl AsRef<str>,
    ) -> Result<SignedDataOutcome, StoreError> {
        self.with_connection(|connection, path| {
            let sqlite = |source| StoreError::sqlite(path, "record signed meter data")(source);
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sqlite)?;
            let known: bool = transaction
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM sessions WHERE transaction_id = ?1)",
                    [transaction_id],
                    |row| row.get(0),
                )
                .map_err(sqlite)?;
            transaction
                .execute(
                    "INSERT INTO signed_meter_data
                         (session_id, reported_transaction_id, context, raw, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        known.then_some(transaction_id),
                        transaction_id,
                        context.as_ref(),
                        raw.as_ref(),
                        now_key()
                    ],
                )
                .map_err(sqlite)?;
            transaction.commit().map_err(sqlite)?;
            Ok(if known {
                SignedDataOutcome::Attached
            } else {
                SignedDataOutcome::UnknownTransaction
            })
        })
    }

    /// One session with its signed meter data.
    pub fn session(&self, transaction_id: i32) -> Result<Option<Session>, StoreError> {
        self.with_connection(|connection, path| {
            find_session(connection, transaction_id)
                .map_err(StoreError::sqlite(path, "read a session"))
        })
    }

    /// All sessions that have no stop yet, newest first, with their signed meter data.
    pub fn open_sessions(&self) -> Result<Vec<Session>, StoreError> {
        self.with_connection(|connection, path| {
            load_open_sessions(connection, "", &[])
                .map_err(StoreError::sqlite(path, "read the open sessions"))
        })
    }

    /// The open session on a connector. Should a charge point have started a second session
    /// without stopping the first (it lost the stop), this is the newest one.
    pub fn open_session_for(
        &self,
        charge_box_id: impl AsRef<str>,
        connector_id: i32,
    ) -> Result<Option<Session>, StoreError> {
        let charge_box_id = charge_box_id.as_ref();
        self.with_connection(|connection, path| {
            load_open_sessions(
                connection,
                "AND charge_box_id = ?1 AND connector_id = ?2",
                &[&charge_box_id, &connector_id],
            )
            .map(|sessions| sessions.into_iter().next())
            .map_err(StoreError::sqlite(
                path,
                "read the open session of a connector",
            ))
        })
    }
}
