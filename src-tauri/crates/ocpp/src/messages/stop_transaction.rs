//! StopTransaction: the charge point reports that a transaction ended.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{DateTime, IdTagInfo, IdToken, TransactionData};

pub struct StopTransaction;

impl Action for StopTransaction {
    const NAME: &'static str = "StopTransaction";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = StopTransactionRequest;
    type Response = StopTransactionResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopTransactionRequest {
    /// The idTag that stopped the transaction, if it was stopped by one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_tag: Option<IdToken>,
    /// Meter register in Wh (i64 for the same reason as `StartTransactionRequest::meter_start`).
    pub meter_stop: i64,
    pub timestamp: DateTime,
    pub transaction_id: i32,
    /// Absent means `Local` (`reason.unwrap_or_default()`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Vec<TransactionData>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopTransactionResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_tag_info: Option<IdTagInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Reason {
    EmergencyStop,
    #[serde(rename = "EVDisconnected")]
    EvDisconnected,
    HardReset,
    #[default]
    Local,
    Other,
    PowerLoss,
    Reboot,
    Remote,
    SoftReset,
    UnlockCommand,
    DeAuthorized,
}
