//! DataTransfer: vendor-specific data, in either direction.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString255, CiString50};

pub struct DataTransfer;

impl Action for DataTransfer {
    const NAME: &'static str = "DataTransfer";
    const INITIATOR: Initiator = Initiator::Either;
    type Request = DataTransferRequest;
    type Response = DataTransferResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTransferRequest {
    pub vendor_id: CiString255,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<CiString50>,
    /// Free text; vendors often put JSON inside the string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTransferResponse {
    pub status: DataTransferStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataTransferStatus {
    Accepted,
    Rejected,
    UnknownMessageId,
    UnknownVendorId,
}
