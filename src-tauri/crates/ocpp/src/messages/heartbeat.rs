//! Heartbeat: the charge point shows it is alive and learns the central system's time.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::DateTime;

pub struct Heartbeat;

impl Action for Heartbeat {
    const NAME: &'static str = "Heartbeat";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = HeartbeatRequest;
    type Response = HeartbeatResponse;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeartbeatResponse {
    pub current_time: DateTime,
}
