//! DeleteCertificate (security): the central system removes an installed root certificate.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::CertificateHashData;

pub struct DeleteCertificate;

impl Action for DeleteCertificate {
    const NAME: &'static str = "DeleteCertificate";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = DeleteCertificateRequest;
    type Response = DeleteCertificateResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteCertificateRequest {
    pub certificate_hash_data: CertificateHashData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteCertificateResponse {
    pub status: DeleteCertificateStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeleteCertificateStatus {
    Accepted,
    Failed,
    NotFound,
}
