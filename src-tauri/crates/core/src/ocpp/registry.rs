//! Which charge points are connected now, and which were refused recently (so the UI can offer to
//! add them as devices).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;

use super::connection::ChargePointHandle;
use super::handshake::RejectReason;
use super::message_log::MessageLog;

/// Messages kept per charge point for the UI, and the bytes they may take at most. Small on purpose:
/// with thousands of charge points the log would otherwise be most of the memory per connection
/// (a full log is the normal state, not the exception).
const LOG_MESSAGES: usize = 50;
const LOG_BYTES: usize = 6 * 1024;
/// Refused identities remembered; the oldest is forgotten first.
const REFUSED_KEPT: usize = 100;

pub struct Connected {
    pub handle: ChargePointHandle,
    pub remote: SocketAddr,
    pub tls: bool,
    pub since: SystemTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedChargePoint {
    pub charge_box_id: String,
    pub remote: String,
    pub reason: String,
    pub last_attempt: SystemTime,
    pub attempts: u64,
}

#[derive(Default)]
pub struct Registry {
    connected: Mutex<HashMap<String, Connected>>,
    logs: Mutex<HashMap<String, Arc<MessageLog>>>,
    refused: Mutex<Vec<RefusedChargePoint>>,
}

impl Registry {
    /// Registers a new connection; a previous connection of the same charge point is returned so the
    /// caller can close it (the newer one wins: the charge point evidently lost the old one).
    pub fn connect(&self, charge_box_id: &str, connected: Connected) -> Option<ChargePointHandle> {
        let mut map = self.connected.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(charge_box_id.to_owned(), connected)
            .map(|previous| previous.handle)
    }

    /// Forgets a connection, unless a newer one of the same charge point replaced it already.
    pub fn disconnect(&self, charge_box_id: &str, connection_id: u64) {
        let mut map = self.connected.lock().unwrap_or_else(|e| e.into_inner());
        if map
            .get(charge_box_id)
            .is_some_and(|current| current.handle.connection_id() == connection_id)
        {
            map.remove(charge_box_id);
        }
    }

    pub fn handle(&self, charge_box_id: &str) -> Option<ChargePointHandle> {
        let map = self.connected.lock().unwrap_or_else(|e| e.into_inner());
        map.get(charge_box_id).map(|c| c.handle.clone())
    }

    pub fn connected_ids(&self) -> Vec<String> {
        let map = self.connected.lock().unwrap_or_else(|e| e.into_inner());
        let mut ids: Vec<String> = map.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// The message log of a charge point; it outlives connections so a reconnect keeps history.
    pub fn log(&self, charge_box_id: &str) -> Arc<MessageLog> {
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(
            logs.entry(charge_box_id.to_owned())
                .or_insert_with(|| Arc::new(MessageLog::new(LOG_MESSAGES, LOG_BYTES))),
        )
    }

    pub fn record_refused(&self, charge_box_id: &str, remote: SocketAddr, reason: RejectReason) {
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        let now = SystemTime::now();
        if let Some(entry) = refused
            .iter_mut()
            .find(|entry| entry.charge_box_id == charge_box_id)
        {
            entry.remote = remote.to_string();
            entry.reason = reason.describe().to_owned();
            entry.last_attempt = now;
            entry.attempts += 1;
            return;
        }
        if refused.len() >= REFUSED_KEPT {
            if let Some(oldest) = refused
                .iter()
                .enumerate()
                .min_by_key(|(_, entry)| entry.last_attempt)
                .map(|(index, _)| index)
            {
                refused.swap_remove(oldest);
            }
        }
        refused.push(RefusedChargePoint {
            charge_box_id: charge_box_id.to_owned(),
            remote: remote.to_string(),
            reason: reason.describe().to_owned(),
            last_attempt: now,
            attempts: 1,
        });
    }

    /// Refused charge points, most recent first.
    pub fn refused(&self) -> Vec<RefusedChargePoint> {
        let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        let mut list = refused.clone();
        list.sort_by_key(|entry| std::cmp::Reverse(entry.last_attempt));
        list
    }

    /// Forgets a refused identity, e.g. once the user added it as a device.
    pub fn forget_refused(&self, charge_box_id: &str) {
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.retain(|entry| entry.charge_box_id != charge_box_id);
    }
}
