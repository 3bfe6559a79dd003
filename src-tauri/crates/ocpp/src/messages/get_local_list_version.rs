//! GetLocalListVersion: the central system asks which local authorization list is installed.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct GetLocalListVersion;

impl Action for GetLocalListVersion {
    const NAME: &'static str = "GetLocalListVersion";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = GetLocalListVersionRequest;
    type Response = GetLocalListVersionResponse;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetLocalListVersionRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetLocalListVersionResponse {
    /// 0 = no list installed, -1 = local lists not supported.
    pub list_version: i32,
}
