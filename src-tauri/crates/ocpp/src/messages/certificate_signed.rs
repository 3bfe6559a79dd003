//! CertificateSigned (security): the central system delivers the signed charge point certificate.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::CiString;

pub struct CertificateSigned;

impl Action for CertificateSigned {
    const NAME: &'static str = "CertificateSigned";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = CertificateSignedRequest;
    type Response = CertificateSignedResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateSignedRequest {
    /// PEM chain: the charge point certificate first, then intermediates.
    pub certificate_chain: CiString<10000>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateSignedResponse {
    pub status: CertificateSignedStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateSignedStatus {
    Accepted,
    Rejected,
}
