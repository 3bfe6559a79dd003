//! RemoteStopTransaction: the central system asks the charge point to stop a transaction.

use serde::{Deserialize, Serialize};

use super::remote_start_transaction::RemoteStartStopStatus;
use crate::action::{Action, Initiator};

pub struct RemoteStopTransaction;

impl Action for RemoteStopTransaction {
    const NAME: &'static str = "RemoteStopTransaction";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = RemoteStopTransactionRequest;
    type Response = RemoteStopTransactionResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStopTransactionRequest {
    pub transaction_id: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStopTransactionResponse {
    pub status: RemoteStartStopStatus,
}
