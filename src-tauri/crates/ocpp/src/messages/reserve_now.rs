//! ReserveNow: the central system reserves a connector for an idTag.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{DateTime, IdToken};

pub struct ReserveNow;

impl Action for ReserveNow {
    const NAME: &'static str = "ReserveNow";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = ReserveNowRequest;
    type Response = ReserveNowResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReserveNowRequest {
    /// 0 = any connector.
    pub connector_id: i32,
    pub expiry_date: DateTime,
    pub id_tag: IdToken,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<IdToken>,
    pub reservation_id: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReserveNowResponse {
    pub status: ReservationStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReservationStatus {
    Accepted,
    Faulted,
    Occupied,
    Rejected,
    Unavailable,
}
