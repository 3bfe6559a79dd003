//! DiagnosticsStatusNotification: the charge point reports progress of a GetDiagnostics upload.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct DiagnosticsStatusNotification;

impl Action for DiagnosticsStatusNotification {
    const NAME: &'static str = "DiagnosticsStatusNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = DiagnosticsStatusNotificationRequest;
    type Response = DiagnosticsStatusNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiagnosticsStatusNotificationRequest {
    pub status: DiagnosticsStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsStatusNotificationResponse {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DiagnosticsStatus {
    Idle,
    Uploaded,
    UploadFailed,
    Uploading,
}
