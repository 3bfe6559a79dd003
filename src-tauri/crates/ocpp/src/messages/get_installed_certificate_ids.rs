//! GetInstalledCertificateIds (security): the central system lists installed root certificates.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CertificateHashData, CertificateUse, NonEmptyVec};

pub struct GetInstalledCertificateIds;

impl Action for GetInstalledCertificateIds {
    const NAME: &'static str = "GetInstalledCertificateIds";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = GetInstalledCertificateIdsRequest;
    type Response = GetInstalledCertificateIdsResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetInstalledCertificateIdsRequest {
    pub certificate_type: CertificateUse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetInstalledCertificateIdsResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_hash_data: Option<NonEmptyVec<CertificateHashData>>,
    pub status: GetInstalledCertificateStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GetInstalledCertificateStatus {
    Accepted,
    NotFound,
}
