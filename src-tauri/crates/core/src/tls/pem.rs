//! Reading certificates and private keys from PEM text, and writing them back.
//!
//! What users paste or upload is often a mixture (a chain with its key, `EC PARAMETERS` blocks,
//! explanatory text); only certificate and key blocks are taken. Parse errors are described in our
//! own words: the parser's messages can quote input lines, and a key's lines must never reach an
//! error or a log.

use base64::Engine as _;
use rustls_pki_types::pem::{self, PemObject, SectionKind};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use super::error::TlsError;

/// The certificate and key blocks found in one input.
#[derive(Default)]
pub(crate) struct PemItems {
    pub certificates: Vec<CertificateDer<'static>>,
    pub private_keys: Vec<PrivateKeyDer<'static>>,
    pub certificate_requests: usize,
    /// `ENCRYPTED PRIVATE KEY` blocks, or traditional ones with `Proc-Type: 4,ENCRYPTED`.
    pub encrypted_keys: usize,
}

pub(crate) fn read_items(input: &[u8], what: &str) -> Result<PemItems, TlsError> {
    let mut items = PemItems {
        encrypted_keys: count_encrypted_keys(input),
        ..PemItems::default()
    };
    if items.encrypted_keys > 0 {
        // The traditional form's header lines would otherwise end up as a base64 error.
        return Ok(items);
    }
    if looks_like_der(input) {
        items
            .certificates
            .push(CertificateDer::from(input.to_vec()));
        return Ok(items);
    }
    for section in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(input) {
        let (kind, der) = section.map_err(|error| TlsError::InvalidPem {
            what: what.to_owned(),
            problem: describe(&error),
        })?;
        match kind {
            SectionKind::Certificate => items.certificates.push(CertificateDer::from(der)),
            SectionKind::PrivateKey => items.private_keys.push(PrivateKeyDer::Pkcs8(der.into())),
            SectionKind::RsaPrivateKey => items.private_keys.push(PrivateKeyDer::Pkcs1(der.into())),
            SectionKind::EcPrivateKey => items.private_keys.push(PrivateKeyDer::Sec1(der.into())),
            SectionKind::Csr => items.certificate_requests += 1,
            _ => {}
        }
    }
    Ok(items)
}

/// At least one certificate, leaf first as PEM files conventionally order a chain.
pub(crate) fn certificates(
    input: &[u8],
    what: &str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let items = read_items(input, what)?;
    if items.certificates.is_empty() {
        return Err(if items.certificate_requests > 0 {
            TlsError::CertificateRequest {
                what: what.to_owned(),
            }
        } else {
            TlsError::NoCertificate {
                what: what.to_owned(),
            }
        });
    }
    Ok(items.certificates)
}

/// Exactly one private key.
pub(crate) fn private_key(input: &[u8], what: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    let mut items = read_items(input, what)?;
    if items.encrypted_keys > 0 {
        return Err(TlsError::EncryptedPrivateKey {
            what: what.to_owned(),
        });
    }
    match items.private_keys.len() {
        0 => Err(TlsError::NoPrivateKey {
            what: what.to_owned(),
        }),
        1 => items
            .private_keys
            .pop()
            .ok_or_else(|| TlsError::NoPrivateKey {
                what: what.to_owned(),
            }),
        count => Err(TlsError::SeveralPrivateKeys {
            what: what.to_owned(),
            count,
        }),
    }
}

/// Windows exports `.cer` files as bare DER; a PEM file always starts with text.
fn looks_like_der(input: &[u8]) -> bool {
    input.first() == Some(&0x30) && !input.windows(11).any(|w| w == b"-----BEGIN ")
}

fn count_encrypted_keys(input: &[u8]) -> usize {
    input
        .split(|byte| *byte == b'\n' || *byte == b'\r')
        .filter(|line| {
            let line = line.trim_ascii();
            line.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
                || (line.starts_with(b"Proc-Type:") && line.ends_with(b"ENCRYPTED"))
        })
        .count()
}

fn describe(error: &pem::Error) -> &'static str {
    match error {
        pem::Error::MissingSectionEnd { .. } => "a block has no \"-----END ...-----\" line",
        pem::Error::IllegalSectionStart { .. } => "a \"-----BEGIN ...\" line is malformed",
        pem::Error::Base64Decode(_) => "a block's contents are not valid base64",
        pem::Error::SectionTooLarge => "a block is too large",
        _ => "the text could not be read",
    }
}

pub(crate) fn encode_certificates(certificates: &[CertificateDer<'_>]) -> String {
    certificates
        .iter()
        .map(|certificate| encode_block("CERTIFICATE", certificate.as_ref()))
        .collect()
}

/// The key in the PEM form matching its encoding, in a buffer wiped on drop.
pub(crate) fn encode_private_key(key: &PrivateKeyDer<'_>) -> Zeroizing<String> {
    let label = match key {
        PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
        PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    };
    Zeroizing::new(encode_block(label, key.secret_der()))
}

fn encode_block(label: &str, der: &[u8]) -> String {
    let body = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // ASCII only, so every 64-byte chunk is valid UTF-8.
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_survive_a_round_trip() {
        let der: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let text = encode_certificates(&[CertificateDer::from(der.clone())]);
        assert!(text.lines().all(|line| line.len() <= 64));
        let read = certificates(text.as_bytes(), "test").map_err(|e| e.to_string());
        assert_eq!(read, Ok(vec![CertificateDer::from(der)]));
    }

    #[test]
    fn encrypted_keys_are_recognised_in_both_forms() {
        let pkcs8 =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let traditional = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        for input in [&pkcs8[..], &traditional[..]] {
            assert!(matches!(
                private_key(input, "key"),
                Err(TlsError::EncryptedPrivateKey { .. })
            ));
        }
    }

    #[test]
    fn a_broken_key_block_is_described_without_its_contents() {
        let input = b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0LXNlY3JldA==\n";
        let Err(error) = private_key(input, "key.pem") else {
            panic!("a block without END must be refused");
        };
        let message = error.to_string();
        assert!(message.starts_with("key.pem is not valid PEM"), "{message}");
        assert!(!message.contains("c2VjcmV0"), "{message}");
    }
}
