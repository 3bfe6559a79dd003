//! SetChargingProfile: the central system installs a smart-charging profile.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::ChargingProfile;

pub struct SetChargingProfile;

impl Action for SetChargingProfile {
    const NAME: &'static str = "SetChargingProfile";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = SetChargingProfileRequest;
    type Response = SetChargingProfileResponse;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetChargingProfileRequest {
    /// 0 = the whole charge point (ChargePointMaxProfile, or a TxDefaultProfile for every connector).
    pub connector_id: i32,
    pub cs_charging_profiles: ChargingProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetChargingProfileResponse {
    pub status: ChargingProfileStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChargingProfileStatus {
    Accepted,
    Rejected,
    NotSupported,
}
