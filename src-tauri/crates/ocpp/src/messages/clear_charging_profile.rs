//! ClearChargingProfile: the central system removes profiles by id or by ANDed filters.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::ChargingProfilePurpose;

pub struct ClearChargingProfile;

impl Action for ClearChargingProfile {
    const NAME: &'static str = "ClearChargingProfile";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = ClearChargingProfileRequest;
    type Response = ClearChargingProfileResponse;
}

/// With every field absent, all profiles are cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearChargingProfileRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_profile_purpose: Option<ChargingProfilePurpose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_level: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearChargingProfileResponse {
    pub status: ClearChargingProfileStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClearChargingProfileStatus {
    Accepted,
    /// No profile matched.
    Unknown,
}
