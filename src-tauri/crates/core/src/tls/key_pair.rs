//! A certificate chain with its private key, checked to belong together.
//!
//! The check compares the key's public half with the leaf's SubjectPublicKeyInfo, like rustls'
//! `CertifiedKey::keys_match`; that function parses the leaf with webpki, which refuses the v1
//! certificates OpenSSL 3.0 makes from the user documentation's commands, so it is done here.

use std::path::Path;
use std::sync::Arc;

use rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::certificate::{self, inspect, CertificateFacts, Validity};
use super::error::TlsError;
use super::{files, pem, provider};
use crate::config::CertificateKeyPair;

/// Where a certificate and its key came from, for messages.
pub(crate) struct Labels<'a> {
    pub certificate: &'a str,
    pub key: &'a str,
}

pub(crate) struct CheckedPair {
    pub key: CertifiedKey,
    pub leaf: CertificateFacts,
}

pub(crate) fn check_pair(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    labels: &Labels<'_>,
) -> Result<CheckedPair, TlsError> {
    let Some(leaf_der) = chain.first() else {
        return Err(TlsError::NoCertificate {
            what: labels.certificate.to_owned(),
        });
    };
    let leaf = inspect(leaf_der, labels.certificate)?;
    for (index, other) in chain.iter().enumerate().skip(1) {
        inspect(
            other,
            &format!("certificate {} in {}", index + 1, labels.certificate),
        )?;
    }
    let signing_key = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|error| TlsError::UnsupportedPrivateKey {
            what: labels.key.to_owned(),
            // rustls' messages name the key types tried, never the key itself.
            reason: error.to_string(),
        })?;
    let matches = signing_key
        .public_key()
        .is_some_and(|public| public.as_ref() == leaf.public_key.as_slice());
    if !matches {
        return Err(TlsError::KeyMismatch {
            certificate: labels.certificate.to_owned(),
            key: labels.key.to_owned(),
        });
    }
    Ok(CheckedPair {
        key: CertifiedKey::new(chain, signing_key),
        leaf,
    })
}

pub(crate) fn read_pair(certificate_path: &Path, key_path: &Path) -> Result<CheckedPair, TlsError> {
    let certificate_label = certificate_path.display().to_string();
    let key_label = key_path.display().to_string();
    let chain = pem::certificates(&files::read(certificate_path)?, &certificate_label)?;
    let key = pem::private_key(&files::read_secret(key_path)?, &key_label)?;
    check_pair(
        chain,
        key,
        &Labels {
            certificate: &certificate_label,
            key: &key_label,
        },
    )
}

/// A configured pair, ready for a TLS config. An expired certificate is still used, with a
/// warning: many wallboxes do not check dates, and refusing would take TLS down for all of them.
pub(crate) fn load_configured_pair(
    data_dir: &Path,
    pair: &CertificateKeyPair,
    role: &str,
) -> Result<Arc<CertifiedKey>, TlsError> {
    let certificate_path = files::resolve(data_dir, &pair.certificate_file);
    let checked = read_pair(&certificate_path, &files::resolve(data_dir, &pair.key_file))?;
    warn_unless_valid(&checked.leaf, &certificate_path, role);
    Ok(Arc::new(checked.key))
}

pub(crate) fn warn_unless_valid(leaf: &CertificateFacts, path: &Path, role: &str) {
    match leaf.validity_at(certificate::now()) {
        Validity::Valid => {}
        Validity::Expired => tracing::warn!(
            file = %path.display(),
            "the {role} certificate expired on {}; peers that check dates will refuse it",
            leaf.not_after_text()
        ),
        Validity::NotYetValid => tracing::warn!(
            file = %path.display(),
            "the {role} certificate is not valid yet (check the clock); peers that check dates \
             will refuse it"
        ),
    }
}
