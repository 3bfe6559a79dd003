//! Certificate identification (security whitepaper).

use serde::{Deserialize, Serialize};

use super::CiString;

/// Identifies an installed certificate by its issuer and serial number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateHashData {
    pub hash_algorithm: HashAlgorithm,
    /// Hex of the hash of the issuer's distinguished name.
    pub issuer_name_hash: CiString<128>,
    /// Hex of the hash of the issuer's public key.
    pub issuer_key_hash: CiString<128>,
    /// Hex of the certificate's serial number.
    pub serial_number: CiString<40>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA384")]
    Sha384,
    #[serde(rename = "SHA512")]
    Sha512,
}

/// Which trust store a root certificate belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateUse {
    CentralSystemRootCertificate,
    ManufacturerRootCertificate,
}
