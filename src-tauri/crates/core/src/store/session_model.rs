//! The records of a charging session, as the charge point reports them and as they are read back.

use rusqlite::Row;

/// A StartTransaction as the charge point sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub charge_box_id: String,
    pub connector_id: i32,
    /// The configured Ampwise device the charge point belongs to, if it is known.
    pub device_id: Option<String>,
    pub id_tag: String,
    pub meter_start_wh: i64,
    /// RFC 3339, exactly as sent by the charge point.
    pub started_at: String,
    pub reservation_id: Option<i32>,
}

/// A StopTransaction as the charge point sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopSession {
    pub transaction_id: i32,
    pub meter_stop_wh: i64,
    pub stopped_at: String,
    pub reason: Option<String>,
    pub id_tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub transaction_id: i32,
    pub charge_box_id: String,
    pub connector_id: i32,
    pub device_id: Option<String>,
    pub id_tag: String,
    pub meter_start_wh: i64,
    pub started_at: String,
    pub reservation_id: Option<i32>,
    /// `None` while the session is open.
    pub stop: Option<SessionStop>,
    /// In the order received.
    pub signed_meter_data: Vec<SignedMeterData>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStop {
    pub meter_stop_wh: i64,
    pub stopped_at: String,
    pub reason: Option<String>,
    pub id_tag: Option<String>,
    /// `meter_stop_wh - meter_start_wh`; negative when a meter was replaced or rolled over.
    pub energy_wh: i64,
}

/// One signed meter value (e.g. OCMF), byte for byte as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMeterData {
    /// The reading context, e.g. `Transaction.Begin`, `Sample.Periodic`, `Transaction.End`.
    pub context: String,
    pub raw: String,
}

/// What a StopTransaction did. Every variant is a success: the central system answers the
/// charge point with `.conf` in all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopOutcome {
    /// The session is now closed.
    Stopped(Session),
    /// The charge point sent the same stop again (e.g. after a reconnect); nothing changed.
    AlreadyStopped(Session),
    /// A stop with other data for a session that was already stopped. The first stop stays; this
    /// one is kept in [`Store::unapplied_stops`](super::Store::unapplied_stops).
    ConflictingStop(Session),
    /// No session has this transaction id. The stop is kept in
    /// [`Store::unapplied_stops`](super::Store::unapplied_stops).
    UnknownTransaction,
}

/// Whether signed meter data found its session. It is stored either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedDataOutcome {
    Attached,
    UnknownTransaction,
}

pub(crate) const SESSION_COLUMNS: &str = "transaction_id, charge_box_id, connector_id, device_id, \
     id_tag, meter_start_wh, started_at, reservation_id, meter_stop_wh, stopped_at, stop_reason, \
     stop_id_tag, energy_wh";

/// Reads a row selected with [`SESSION_COLUMNS`], without its signed data.
pub(crate) fn session_from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    let stopped_at: Option<String> = row.get("stopped_at")?;
    let stop = match stopped_at {
        Some(stopped_at) => Some(SessionStop {
            meter_stop_wh: row.get("meter_stop_wh")?,
            stopped_at,
            reason: row.get("stop_reason")?,
            id_tag: row.get("stop_id_tag")?,
            energy_wh: row.get("energy_wh")?,
        }),
        None => None,
    };
    Ok(Session {
        transaction_id: row.get("transaction_id")?,
        charge_box_id: row.get("charge_box_id")?,
        connector_id: row.get("connector_id")?,
        device_id: row.get("device_id")?,
        id_tag: row.get("id_tag")?,
        meter_start_wh: row.get("meter_start_wh")?,
        started_at: row.get("started_at")?,
        reservation_id: row.get("reservation_id")?,
        stop,
        signed_meter_data: Vec::new(),
    })
}
