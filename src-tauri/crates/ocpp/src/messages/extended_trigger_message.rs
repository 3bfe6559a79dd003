//! ExtendedTriggerMessage (security): TriggerMessage with the security extension's messages.

use serde::{Deserialize, Serialize};

use super::trigger_message::TriggerMessageStatus;
use crate::action::{Action, Initiator};

pub struct ExtendedTriggerMessage;

impl Action for ExtendedTriggerMessage {
    const NAME: &'static str = "ExtendedTriggerMessage";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = ExtendedTriggerMessageRequest;
    type Response = ExtendedTriggerMessageResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendedTriggerMessageRequest {
    pub requested_message: ExtendedMessageTrigger,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendedTriggerMessageResponse {
    pub status: TriggerMessageStatus,
}

/// The messages ExtendedTriggerMessage can ask for (the whitepaper's MessageTriggerEnumType).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExtendedMessageTrigger {
    BootNotification,
    LogStatusNotification,
    FirmwareStatusNotification,
    Heartbeat,
    MeterValues,
    SignChargePointCertificate,
    StatusNotification,
}
