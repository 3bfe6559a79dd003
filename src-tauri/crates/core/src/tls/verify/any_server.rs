//! The OCPP backend's certificate when no `backend_ca` is stored: the user documentation says a
//! TLS connection is made in any case. The certificate is not judged, but the handshake signature
//! is still checked against it, so the connection is encrypted to whoever holds that certificate's
//! key and a peer replaying someone else's certificate fails.

use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::Error;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use super::signature;
use crate::tls::certificate::inspect;

#[derive(Debug)]
pub(crate) struct AnyServerCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl AnyServerCertificate {
    pub fn new(algorithms: WebPkiSupportedAlgorithms) -> Self {
        Self { algorithms }
    }
}

impl ServerCertVerifier for AnyServerCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match inspect(end_entity, "the backend's certificate") {
            Ok(facts) => tracing::debug!(
                server = %server_name.to_str(),
                subject = %facts.subject_text,
                "accepting the backend's certificate unchecked: no backend CA is stored"
            ),
            Err(error) => tracing::debug!(
                server = %server_name.to_str(),
                "accepting the backend's certificate unchecked: {error}"
            ),
        }
        Ok(ServerCertVerified::assertion())
    }

    signature::handshake_signature_methods!(algorithms);
}
