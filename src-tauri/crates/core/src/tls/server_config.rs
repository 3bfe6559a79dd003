//! The rustls configuration of the OCPP server: charge points connecting with `wss://`.

use std::path::Path;
use std::sync::Arc;

use rustls::sign::SingleCertAndKey;
use rustls::ServerConfig;

use super::error::TlsError;
use super::key_pair::{load_configured_pair, read_pair, warn_unless_valid};
use super::self_signed::ensure_self_signed;
use super::verify::{StoredClientVerifier, StoredTrust};
use super::{provider, PROTOCOL_VERSIONS};
use crate::config::{CertificateSettings, ServerCertificate};

/// TLS 1.2 and 1.3 with the server certificate from `settings` (the self-signed one is made on
/// first use). With `client_ca` set, every charge point must present a certificate that is one of
/// them or was issued by one of them (security profile 3); otherwise none is asked for.
pub fn server_config(
    data_dir: &Path,
    settings: &CertificateSettings,
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = provider();
    let certified_key = match &settings.server {
        ServerCertificate::SelfSigned => {
            let pair = ensure_self_signed(data_dir)?;
            let checked = read_pair(&pair.certificate, &pair.key)?;
            warn_unless_valid(&checked.leaf, &pair.certificate, "server");
            Arc::new(checked.key)
        }
        ServerCertificate::Imported(pair) => load_configured_pair(data_dir, pair, "server")?,
    };
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(PROTOCOL_VERSIONS)
        .map_err(|source| TlsError::Rustls {
            what: "the TLS versions of the OCPP server".to_owned(),
            source,
        })?;
    let builder = if settings.client_ca.is_empty() {
        builder.with_no_client_auth()
    } else {
        let trust = StoredTrust::load(data_dir, &settings.client_ca, "certificates.client_ca")?;
        builder.with_client_cert_verifier(Arc::new(StoredClientVerifier::new(trust, provider)?))
    };
    // A resolver rather than `with_single_cert`, which rejects the v1 certificates the user
    // documentation's OpenSSL commands make; the pair was checked to match above.
    Ok(Arc::new(builder.with_cert_resolver(Arc::new(
        SingleCertAndKey::from(certified_key),
    ))))
}
