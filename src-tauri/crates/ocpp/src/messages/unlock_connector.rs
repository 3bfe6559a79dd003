//! UnlockConnector: the central system releases a stuck cable.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct UnlockConnector;

impl Action for UnlockConnector {
    const NAME: &'static str = "UnlockConnector";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = UnlockConnectorRequest;
    type Response = UnlockConnectorResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlockConnectorRequest {
    pub connector_id: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlockConnectorResponse {
    pub status: UnlockStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnlockStatus {
    Unlocked,
    UnlockFailed,
    NotSupported,
}
