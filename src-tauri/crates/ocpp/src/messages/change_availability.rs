//! ChangeAvailability: the central system takes a connector (or the whole charge point) in or out
//! of service.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct ChangeAvailability;

impl Action for ChangeAvailability {
    const NAME: &'static str = "ChangeAvailability";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = ChangeAvailabilityRequest;
    type Response = ChangeAvailabilityResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeAvailabilityRequest {
    /// 0 = the whole charge point.
    pub connector_id: i32,
    #[serde(rename = "type")]
    pub kind: AvailabilityType,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeAvailabilityResponse {
    pub status: AvailabilityStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AvailabilityType {
    Inoperative,
    Operative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AvailabilityStatus {
    Accepted,
    Rejected,
    /// Takes effect when the running transaction ends.
    Scheduled,
}
