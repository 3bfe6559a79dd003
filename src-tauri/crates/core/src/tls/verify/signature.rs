//! Signature checks with the key inside a certificate, for certificates webpki will not parse
//! (X.509 v1) and for the verifiers that accept a certificate without a chain.
//!
//! The algorithms are rustls' own (ring), chosen the way webpki chooses them: by the algorithm
//! identifiers in the certificate and the key.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{CertificateError, DigitallySignedStruct, Error, PeerMisbehaved};
use rustls_pki_types::{CertificateDer, SubjectPublicKeyInfoDer};

use super::der;

/// Whether `certificate` carries a valid signature by the key `issuer_public_key_info`.
pub(crate) fn is_signed_by(
    certificate: &[u8],
    issuer_public_key_info: &[u8],
    algorithms: &WebPkiSupportedAlgorithms,
) -> bool {
    let (Some(certificate), Some(issuer)) = (
        der::signed_certificate(certificate),
        der::public_key(issuer_public_key_info),
    ) else {
        return false;
    };
    algorithms
        .all
        .iter()
        .filter(|alg| {
            alg.signature_alg_id().as_ref() == certificate.algorithm
                && alg.public_key_alg_id().as_ref() == issuer.algorithm
        })
        .any(|alg| {
            alg.verify_signature(issuer.key, certificate.signed, certificate.signature)
                .is_ok()
        })
}

fn public_key_info<'a>(certificate: &'a CertificateDer<'_>) -> Result<&'a [u8], Error> {
    der::certificate_public_key_info(certificate.as_ref())
        .ok_or(Error::InvalidCertificate(CertificateError::BadEncoding))
}

/// TLS 1.2 signature schemes do not name the curve, so every algorithm for the scheme whose key
/// type matches the certificate's is tried, as rustls does.
pub(crate) fn verify_tls12(
    message: &[u8],
    certificate: &CertificateDer<'_>,
    signed: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, Error> {
    let key = der::public_key(public_key_info(certificate)?)
        .ok_or(Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let candidates = algorithms
        .mapping
        .iter()
        .find(|(scheme, _)| *scheme == signed.scheme)
        .map(|(_, candidates)| *candidates)
        .ok_or(PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme)?;
    let verified = candidates
        .iter()
        .filter(|alg| alg.public_key_alg_id().as_ref() == key.algorithm)
        .any(|alg| {
            alg.verify_signature(key.key, message, signed.signature())
                .is_ok()
        });
    if verified {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(Error::InvalidCertificate(CertificateError::BadSignature))
    }
}

pub(crate) fn verify_tls13(
    message: &[u8],
    certificate: &CertificateDer<'_>,
    signed: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, Error> {
    let info = SubjectPublicKeyInfoDer::from(public_key_info(certificate)?);
    rustls::crypto::verify_tls13_signature_with_raw_key(message, &info, signed, algorithms)
}

/// The three handshake-signature methods of a verifier whose rustls algorithms are in
/// `self.$algorithms`: the signature is checked with the key of the presented certificate, so it
/// works for certificates webpki will not parse. `ServerCertVerifier` and `ClientCertVerifier`
/// declare the same three methods, and only a macro can write them into impls of either trait.
macro_rules! handshake_signature_methods {
    ($algorithms:ident) => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &::rustls_pki_types::CertificateDer<'_>,
            dss: &::rustls::DigitallySignedStruct,
        ) -> Result<::rustls::client::danger::HandshakeSignatureValid, ::rustls::Error> {
            $crate::tls::verify::signature::verify_tls12(message, cert, dss, &self.$algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &::rustls_pki_types::CertificateDer<'_>,
            dss: &::rustls::DigitallySignedStruct,
        ) -> Result<::rustls::client::danger::HandshakeSignatureValid, ::rustls::Error> {
            $crate::tls::verify::signature::verify_tls13(message, cert, dss, &self.$algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<::rustls::SignatureScheme> {
            self.$algorithms.supported_schemes()
        }
    };
}
pub(super) use handshake_signature_methods;
