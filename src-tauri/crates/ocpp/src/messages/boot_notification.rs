//! BootNotification: the charge point introduces itself after (re)booting.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString20, CiString25, CiString50, DateTime};

pub struct BootNotification;

impl Action for BootNotification {
    const NAME: &'static str = "BootNotification";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = BootNotificationRequest;
    type Response = BootNotificationResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BootNotificationRequest {
    pub charge_point_vendor: CiString20,
    pub charge_point_model: CiString20,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_point_serial_number: Option<CiString25>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_box_serial_number: Option<CiString25>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<CiString50>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iccid: Option<CiString20>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imsi: Option<CiString20>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter_type: Option<CiString25>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter_serial_number: Option<CiString25>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BootNotificationResponse {
    pub status: RegistrationStatus,
    pub current_time: DateTime,
    /// Seconds: the heartbeat interval when Accepted, the retry delay when Pending or Rejected.
    pub interval: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationStatus {
    Accepted,
    Pending,
    Rejected,
}
