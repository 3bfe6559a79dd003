//! FirmwareStatusNotification: the charge point reports progress of an UpdateFirmware.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct FirmwareStatusNotification;

impl Action for FirmwareStatusNotification {
    const NAME: &'static str = "FirmwareStatusNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = FirmwareStatusNotificationRequest;
    type Response = FirmwareStatusNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirmwareStatusNotificationRequest {
    pub status: FirmwareStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirmwareStatusNotificationResponse {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FirmwareStatus {
    Downloaded,
    DownloadFailed,
    Downloading,
    Idle,
    InstallationFailed,
    Installing,
    Installed,
}
