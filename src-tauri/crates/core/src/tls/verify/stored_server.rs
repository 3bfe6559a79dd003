//! The OCPP backend's certificate checked against `backend_ca` (security profile 2).

use std::sync::Arc;

use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::{CertificateError, Error};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::signature;
use super::trust::{Precheck, StoredTrust};
use crate::tls::error::TlsError;

#[derive(Debug)]
pub(crate) struct StoredServerVerifier {
    trust: StoredTrust,
    /// Chains of v3 certificates to the stored CAs; `None` when only leaves are stored.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl StoredServerVerifier {
    pub fn new(trust: StoredTrust, provider: Arc<CryptoProvider>) -> Result<Self, TlsError> {
        let algorithms = provider.signature_verification_algorithms;
        let webpki = trust.chain_verifier("certificates.backend_ca", |roots| {
            WebPkiServerVerifier::builder_with_provider(roots, provider).build()
        })?;
        Ok(Self {
            trust,
            webpki,
            algorithms,
        })
    }
}

impl ServerCertVerifier for StoredServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.trust.precheck(end_entity, now, &self.algorithms)? {
            // The user stored this very certificate: it identifies the backend whatever name the
            // URL uses (self-signed backends are often reached by IP address).
            Precheck::Pinned => Ok(ServerCertVerified::assertion()),
            Precheck::IssuedV1(facts) => {
                if facts.common_name_matches(server_name) {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(Error::InvalidCertificate(
                        CertificateError::NotValidForNameContext {
                            expected: server_name.to_owned(),
                            presented: facts
                                .common_names
                                .iter()
                                .map(|name| format!("CN={name}"))
                                .collect(),
                        },
                    ))
                }
            }
            Precheck::NeedsChain => match &self.webpki {
                Some(webpki) => webpki.verify_server_cert(
                    end_entity,
                    intermediates,
                    server_name,
                    ocsp_response,
                    now,
                ),
                None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
            },
        }
    }

    signature::handshake_signature_methods!(algorithms);
}
