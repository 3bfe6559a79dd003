//! UpdateFirmware: the central system asks the charge point to download and install firmware.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::DateTime;

pub struct UpdateFirmware;

impl Action for UpdateFirmware {
    const NAME: &'static str = "UpdateFirmware";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = UpdateFirmwareRequest;
    type Response = UpdateFirmwareResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFirmwareRequest {
    /// Download URI, kept as text.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    pub retrieve_date: DateTime,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateFirmwareResponse {}
