//! SignCertificate (security): the charge point sends a CSR for its client certificate.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::CiString;

pub struct SignCertificate;

impl Action for SignCertificate {
    const NAME: &'static str = "SignCertificate";
    const INITIATOR: Initiator = Initiator::ChargePoint;
    type Request = SignCertificateRequest;
    type Response = SignCertificateResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignCertificateRequest {
    /// PEM-encoded PKCS#10 certificate signing request.
    pub csr: CiString<5500>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignCertificateResponse {
    pub status: GenericStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GenericStatus {
    Accepted,
    Rejected,
}
