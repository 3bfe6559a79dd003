//! InstallCertificate (security): the central system installs a root certificate.

use serde::{Deserialize, Serialize};

use crate::action::{Action, Initiator};
use crate::types::{CertificateUse, CiString};

pub struct InstallCertificate;

impl Action for InstallCertificate {
    const NAME: &'static str = "InstallCertificate";
    const INITIATOR: Initiator = Initiator::CentralSystem;
    type Request = InstallCertificateRequest;
    type Response = InstallCertificateResponse;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallCertificateRequest {
    pub certificate_type: CertificateUse,
    /// PEM-encoded X.509 certificate.
    pub certificate: CiString<5500>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallCertificateResponse {
    pub status: InstallCertificateStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstallCertificateStatus {
    Accepted,
    Failed,
    Rejected,
}
