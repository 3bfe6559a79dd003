//! MeterValues: the charge point sends meter readings (periodic, clock-aligned or triggered).

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{MeterValue, NonEmptyVec};

pub struct MeterValues;

impl Action for MeterValues {
    const NAME: &'static str = "MeterValues";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = MeterValuesRequest;
    type Response = MeterValuesResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeterValuesRequest {
    /// 0 = the main meter of the charge point.
    pub connector_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<i32>,
    pub meter_value: NonEmptyVec<MeterValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeterValuesResponse {}
