//! SecurityEventNotification (security): the charge point reports a security-relevant event.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString255, CiString50, DateTime};

pub struct SecurityEventNotification;

impl Action for SecurityEventNotification {
    const NAME: &'static str = "SecurityEventNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = SecurityEventNotificationRequest;
    type Response = SecurityEventNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecurityEventNotificationRequest {
    /// The event type, e.g. `FirmwareUpdated` or `InvalidCentralSystemCertificate` (free text: the
    /// whitepaper's list is open-ended).
    #[serde(rename = "type")]
    pub kind: CiString50,
    pub timestamp: DateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tech_info: Option<CiString255>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityEventNotificationResponse {}
