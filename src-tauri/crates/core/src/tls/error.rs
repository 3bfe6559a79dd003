//! Everything that can go wrong with certificates and keys, each message naming the file (or the
//! uploaded input) and the problem. No variant carries key material: a private key is only ever
//! named by where it came from.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },

    #[error("{what} is not valid PEM: {problem}")]
    InvalidPem { what: String, problem: &'static str },

    #[error("{what} contains no certificate (expected a \"-----BEGIN CERTIFICATE-----\" block)")]
    NoCertificate { what: String },

    #[error(
        "{what} is a certificate signing request (CSR), not a certificate; have it signed first, \
         e.g. with `openssl x509 -req -in client.csr -CA rootCA.crt -CAkey rootCA.key ...`"
    )]
    CertificateRequest { what: String },

    #[error(
        "{what} contains no private key (expected a \"-----BEGIN PRIVATE KEY-----\", \
         \"-----BEGIN RSA PRIVATE KEY-----\" or \"-----BEGIN EC PRIVATE KEY-----\" block)"
    )]
    NoPrivateKey { what: String },

    #[error("{what} contains {count} private keys; give exactly one, the key of the certificate")]
    SeveralPrivateKeys { what: String, count: usize },

    #[error(
        "{what} is protected by a password; remove the password first, e.g. with \
         `openssl pkey -in protected.key -out plain.key`"
    )]
    EncryptedPrivateKey { what: String },

    #[error(
        "{what} cannot be used: {reason} (supported: RSA with at least 2048 bits, ECDSA P-256 or \
         P-384, Ed25519)"
    )]
    UnsupportedPrivateKey { what: String, reason: String },

    #[error("{what} is not a valid X.509 certificate: {reason}")]
    InvalidCertificate { what: String, reason: String },

    #[error("the private key in {key} does not belong to the certificate in {certificate}")]
    KeyMismatch { certificate: String, key: String },

    #[error("{what} is not valid yet: it becomes valid on {not_before}")]
    NotYetValid { what: String, not_before: String },

    #[error("{what} expired on {not_after}")]
    Expired { what: String, not_after: String },

    #[error("{what} contains a private key; a CA certificate file must hold certificates only")]
    PrivateKeyInCaFile { what: String },

    #[error("\"{name}\" cannot be used as a certificate name: {reason}")]
    InvalidName { name: String, reason: &'static str },

    #[error("could not make the self-signed server certificate: {0}")]
    SelfSigned(#[source] rcgen::Error),

    #[error("{what}: {reason}")]
    UnusableTrust { what: String, reason: String },

    #[error("{what}: {source}")]
    Rustls {
        what: String,
        #[source]
        source: rustls::Error,
    },
}

impl TlsError {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| TlsError::Io {
            path,
            action,
            source,
        }
    }
}
