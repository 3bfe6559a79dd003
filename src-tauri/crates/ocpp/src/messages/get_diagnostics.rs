//! GetDiagnostics: the central system asks for a diagnostics file upload.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CiString255, DateTime};

pub struct GetDiagnostics;

impl Action for GetDiagnostics {
    const NAME: &'static str = "GetDiagnostics";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = GetDiagnosticsRequest;
    type Response = GetDiagnosticsResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDiagnosticsRequest {
    /// The upload URI (e.g. `ftp://...`), kept as text.
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<DateTime>,
}

/// Without `file_name`, there is no diagnostics information to upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDiagnosticsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<CiString255>,
}
