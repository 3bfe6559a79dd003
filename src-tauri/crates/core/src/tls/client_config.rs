//! The rustls configuration of a gateway uplink: Ampwise connecting to an OCPP backend with
//! `wss://`.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::sign::SingleCertAndKey;
use rustls::ClientConfig;

use super::error::TlsError;
use super::key_pair::load_configured_pair;
use super::verify::{AnyServerCertificate, StoredServerVerifier, StoredTrust};
use super::{provider, PROTOCOL_VERSIONS};
use crate::config::CertificateSettings;

/// TLS 1.2 and 1.3. Without `backend_ca` any server certificate is accepted, as the user
/// documentation describes (the handshake signature is still checked); with it, the backend's
/// certificate must be one of them or chain to one of them and name the host (security profile 2).
/// The `client` certificate is presented when set (security profile 3).
pub fn client_config(
    data_dir: &Path,
    settings: &CertificateSettings,
) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = if settings.backend_ca.is_empty() {
        Arc::new(AnyServerCertificate::new(
            provider.signature_verification_algorithms,
        ))
    } else {
        let trust = StoredTrust::load(data_dir, &settings.backend_ca, "certificates.backend_ca")?;
        Arc::new(StoredServerVerifier::new(trust, provider.clone())?)
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(PROTOCOL_VERSIONS)
        .map_err(|source| TlsError::Rustls {
            what: "the TLS versions of the gateway uplink".to_owned(),
            source,
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match &settings.client {
        // A resolver rather than `with_client_auth_cert`, which rejects v1 certificates.
        Some(pair) => builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(
            load_configured_pair(data_dir, pair, "client")?,
        ))),
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}
