//! SignedFirmwareStatusNotification (security): the charge point reports progress of a
//! SignedUpdateFirmware.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct SignedFirmwareStatusNotification;

impl Action for SignedFirmwareStatusNotification {
    const NAME: &'static str = "SignedFirmwareStatusNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = SignedFirmwareStatusNotificationRequest;
    type Response = SignedFirmwareStatusNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedFirmwareStatusNotificationRequest {
    pub status: SignedFirmwareStatus,
    /// The SignedUpdateFirmware request this reports on; absent when status is Idle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedFirmwareStatusNotificationResponse {}

/// The whitepaper's FirmwareStatusEnumType: the core statuses plus the signed-update ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignedFirmwareStatus {
    Downloaded,
    DownloadFailed,
    Downloading,
    DownloadScheduled,
    DownloadPaused,
    Idle,
    InstallationFailed,
    Installing,
    Installed,
    InstallRebooting,
    InstallScheduled,
    InstallVerificationFailed,
    InvalidSignature,
    SignatureVerified,
}
