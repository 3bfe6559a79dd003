//! LogStatusNotification (security): the charge point reports progress of a GetLog upload.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct LogStatusNotification;

impl Action for LogStatusNotification {
    const NAME: &'static str = "LogStatusNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = LogStatusNotificationRequest;
    type Response = LogStatusNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogStatusNotificationRequest {
    pub status: UploadLogStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogStatusNotificationResponse {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UploadLogStatus {
    BadMessage,
    Idle,
    NotSupportedOperation,
    PermissionDenied,
    Uploaded,
    UploadFailure,
    Uploading,
}
