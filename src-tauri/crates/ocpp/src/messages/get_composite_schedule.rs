//! GetCompositeSchedule: the central system asks for the limits a connector will apply.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{ChargingRateUnit, ChargingSchedule, DateTime};

pub struct GetCompositeSchedule;

impl Action for GetCompositeSchedule {
    const NAME: &'static str = "GetCompositeSchedule";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = GetCompositeScheduleRequest;
    type Response = GetCompositeScheduleResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCompositeScheduleRequest {
    /// 0 = the grid connection of the whole charge point.
    pub connector_id: i32,
    /// Seconds from now.
    pub duration: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_rate_unit: Option<ChargingRateUnit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCompositeScheduleResponse {
    pub status: GetCompositeScheduleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_start: Option<DateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_schedule: Option<ChargingSchedule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GetCompositeScheduleStatus {
    Accepted,
    Rejected,
}
