//! What each OCPP charge point reported last: identity, connector status, meter readings and the
//! running transaction. Load management and the UI read it; the handlers write it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::Serialize;

use super::meter_reading::MeterReading;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChargePointLive {
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub firmware_version: Option<String>,
    pub last_heard: Option<SystemTime>,
    /// Connector 0 is the charge point as a whole (OCPP's convention).
    pub connectors: BTreeMap<i32, ConnectorLive>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConnectorLive {
    /// The OCPP status as sent (`Available`, `Charging`, `SuspendedEVSE`, …).
    pub status: Option<String>,
    pub error_code: Option<String>,
    pub info: Option<String>,
    pub status_at: Option<SystemTime>,
    pub reading: MeterReading,
    pub transaction_id: Option<i32>,
    pub id_tag: Option<String>,
}

#[derive(Default)]
pub struct LiveState {
    charge_points: Mutex<HashMap<String, ChargePointLive>>,
}

impl LiveState {
    /// Changes one charge point's state and returns a copy of the result.
    pub fn update<T>(
        &self,
        charge_box_id: &str,
        change: impl FnOnce(&mut ChargePointLive) -> T,
    ) -> T {
        let mut map = self.charge_points.lock().unwrap_or_else(|e| e.into_inner());
        // Looked up before inserting, so the common case allocates no key.
        if !map.contains_key(charge_box_id) {
            map.insert(charge_box_id.to_owned(), ChargePointLive::default());
        }
        let Some(live) = map.get_mut(charge_box_id) else {
            unreachable!("inserted above")
        };
        live.last_heard = Some(SystemTime::now());
        change(live)
    }

    pub fn charge_point(&self, charge_box_id: &str) -> Option<ChargePointLive> {
        let map = self.charge_points.lock().unwrap_or_else(|e| e.into_inner());
        map.get(charge_box_id).cloned()
    }

    pub fn connector(&self, charge_box_id: &str, connector_id: i32) -> Option<ConnectorLive> {
        let map = self.charge_points.lock().unwrap_or_else(|e| e.into_inner());
        map.get(charge_box_id)?
            .connectors
            .get(&connector_id)
            .cloned()
    }
}
