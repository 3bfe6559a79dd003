//! RemoteStartTransaction: the central system asks the charge point to start charging.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{ChargingProfile, IdToken};

pub struct RemoteStartTransaction;

impl Action for RemoteStartTransaction {
    const NAME: &'static str = "RemoteStartTransaction";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = RemoteStartTransactionRequest;
    type Response = RemoteStartTransactionResponse;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStartTransactionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
    pub id_tag: IdToken,
    /// Must be a `TxProfile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_profile: Option<ChargingProfile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStartTransactionResponse {
    pub status: RemoteStartStopStatus,
}

/// Answer to RemoteStartTransaction and RemoteStopTransaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RemoteStartStopStatus {
    Accepted,
    Rejected,
}
