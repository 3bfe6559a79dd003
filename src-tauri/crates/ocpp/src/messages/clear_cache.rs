//! ClearCache: the central system empties the charge point's authorization cache.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};

pub struct ClearCache;

impl Action for ClearCache {
    const NAME: &'static str = "ClearCache";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = ClearCacheRequest;
    type Response = ClearCacheResponse;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearCacheRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearCacheResponse {
    pub status: ClearCacheStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClearCacheStatus {
    Accepted,
    Rejected,
}
