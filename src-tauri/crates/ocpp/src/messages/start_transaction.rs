//! StartTransaction: the charge point reports that charging started.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{DateTime, IdTagInfo, IdToken};

pub struct StartTransaction;

impl Action for StartTransaction {
    const NAME: &'static str = "StartTransaction";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = StartTransactionRequest;
    type Response = StartTransactionResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartTransactionRequest {
    pub connector_id: i32,
    pub id_tag: IdToken,
    /// Meter register in Wh. i64 because a busy charger's lifetime register can pass 2^31 Wh, and
    /// refusing a transaction message over that would lose billing data.
    pub meter_start: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<i32>,
    pub timestamp: DateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartTransactionResponse {
    pub id_tag_info: IdTagInfo,
    pub transaction_id: i32,
}
