//! SignedUpdateFirmware (security): the central system asks for a signed firmware update.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString, DateTime};

pub struct SignedUpdateFirmware;

impl Action for SignedUpdateFirmware {
    const NAME: &'static str = "SignedUpdateFirmware";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = SignedUpdateFirmwareRequest;
    type Response = SignedUpdateFirmwareResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedUpdateFirmwareRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    pub request_id: i32,
    pub firmware: Firmware,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Firmware {
    /// Download URL.
    pub location: CiString<512>,
    pub retrieve_date_time: DateTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install_date_time: Option<DateTime>,
    /// PEM certificate that signed the firmware.
    pub signing_certificate: CiString<5500>,
    /// Base64 signature over the firmware file.
    pub signature: CiString<800>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedUpdateFirmwareResponse {
    pub status: UpdateFirmwareStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpdateFirmwareStatus {
    Accepted,
    Rejected,
    AcceptedCanceled,
    InvalidCertificate,
    RevokedCertificate,
}
