//! TLS for both directions Ampwise talks OCPP in: the OCPP server, where charge points connect with
//! `wss://`, and gateway uplinks, where Ampwise connects to an OCPP backend.
//!
//! Certificates and keys live in `<data_dir>/tls` ([`TLS_DIR`]), CA certificates in `tls/ca`;
//! the configuration refers to them by paths relative to the data directory. rustls with the ring provider does the
//! TLS, versions 1.2 and 1.3. Static-RSA suites, which the OCPP security whitepaper lists for
//! legacy charge points, do not exist in rustls (see [`ensure_self_signed`] for the consequence).

mod certificate;
mod client_config;
mod detect;
mod error;
mod files;
mod import;
mod key_pair;
mod machine;
mod pem;
mod self_signed;
mod server_config;
mod verify;

use std::path::PathBuf;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::SupportedProtocolVersion;

pub use client_config::client_config;
pub use detect::{sniff_tls, sniff_tls_within, FIRST_BYTE_TIMEOUT, TLS_HANDSHAKE_RECORD};
pub use error::TlsError;
pub use files::{CA_DIR, TLS_DIR};
pub use import::{
    import_ca_certificate, import_client_certificate, import_server_certificate,
    CLIENT_CERTIFICATE_FILE, CLIENT_KEY_FILE, IMPORTED_SERVER_CERTIFICATE_FILE,
    IMPORTED_SERVER_KEY_FILE,
};
pub use self_signed::{ensure_self_signed, SELF_SIGNED_CERTIFICATE_FILE, SELF_SIGNED_KEY_FILE};
pub use server_config::server_config;

/// A certificate file and its key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPair {
    pub certificate: PathBuf,
    pub key: PathBuf,
}

const PROTOCOL_VERSIONS: &[&SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

/// ring, passed explicitly everywhere: no process-wide default provider is installed or needed.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
