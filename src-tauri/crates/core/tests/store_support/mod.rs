//! Shared by the `store_*` tests: sessions as a charge point would report them.
#![allow(dead_code)]

use ampwise_core::store::{NewSession, StopSession};

/// A start on `charge_box_id`/`connector_id` at minute `minute` of 2024-05-01 UTC.
pub fn start(
    charge_box_id: &str,
    connector_id: i32,
    minute: u32,
    meter_start_wh: i64,
) -> NewSession {
    NewSession {
        charge_box_id: charge_box_id.to_owned(),
        connector_id,
        device_id: Some(format!("device-{charge_box_id}")),
        id_tag: "04A2B3C4D5".to_owned(),
        meter_start_wh,
        started_at: at_minute(minute),
        reservation_id: None,
    }
}

pub fn stop(transaction_id: i32, meter_stop_wh: i64, minute: u32) -> StopSession {
    StopSession {
        transaction_id,
        meter_stop_wh,
        stopped_at: at_minute(minute),
        reason: Some("EVDisconnected".to_owned()),
        id_tag: None,
    }
}

/// 2024-05-01T00:00:00Z plus `minute` minutes (up to 23:59), as RFC 3339.
pub fn at_minute(minute: u32) -> String {
    format!("2024-05-01T{:02}:{:02}:00Z", minute / 60, minute % 60)
}
