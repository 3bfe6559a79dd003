//! The charge point's client certificate checked against `client_ca` (security profile 3). A
//! certificate is required: without one the handshake fails.

use std::sync::Arc;

use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, DistinguishedName, Error};
use rustls_pki_types::{CertificateDer, UnixTime};

use super::signature;
use super::trust::{Precheck, StoredTrust};
use crate::tls::error::TlsError;

#[derive(Debug)]
pub(crate) struct StoredClientVerifier {
    trust: StoredTrust,
    /// Chains of v3 certificates to the stored CAs; `None` when only leaves are stored.
    webpki: Option<Arc<dyn ClientCertVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl StoredClientVerifier {
    pub fn new(trust: StoredTrust, provider: Arc<CryptoProvider>) -> Result<Self, TlsError> {
        let algorithms = provider.signature_verification_algorithms;
        let webpki = trust.chain_verifier("certificates.client_ca", |roots| {
            WebPkiClientVerifier::builder_with_provider(roots, provider).build()
        })?;
        Ok(Self {
            trust,
            webpki,
            algorithms,
        })
    }
}

impl ClientCertVerifier for StoredClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.trust.hints()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        match self.trust.precheck(end_entity, now, &self.algorithms)? {
            Precheck::Pinned | Precheck::IssuedV1(_) => Ok(ClientCertVerified::assertion()),
            Precheck::NeedsChain => match &self.webpki {
                Some(webpki) => webpki.verify_client_cert(end_entity, intermediates, now),
                None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
            },
        }
    }

    signature::handshake_signature_methods!(algorithms);
}
