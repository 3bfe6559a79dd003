//! Importing the user's own certificates: a server or client certificate with its private key, and
//! CA certificates for the `client_ca` and `backend_ca` lists.
//!
//! Everything is checked before anything is written, so a refused import leaves the files in use
//! untouched. What is written is re-encoded from what was read: a certificate upload that also
//! contained the private key must not put the key into a world-readable certificate file.

use std::path::Path;

use super::certificate::{self, inspect};
use super::error::TlsError;
use super::files::{self, Readable, CA_DIR, TLS_DIR};
use super::key_pair::{check_pair, Labels};
use super::pem;
use super::verify::StoredTrust;
use crate::config::{CertificateKeyPair, StoredCertificate};

pub const IMPORTED_SERVER_CERTIFICATE_FILE: &str = "imported-server.crt";
pub const IMPORTED_SERVER_KEY_FILE: &str = "imported-server.key";
pub const CLIENT_CERTIFICATE_FILE: &str = "client.crt";
pub const CLIENT_KEY_FILE: &str = "client.key";

const MAX_NAME_CHARS: usize = 64;

/// The user's server certificate (chain, leaf first) and its key, in PEM. Returns the files for
/// `certificates.server` (`source = "imported"`).
pub fn import_server_certificate(
    data_dir: &Path,
    certificate_pem: &[u8],
    key_pem: &[u8],
) -> Result<CertificateKeyPair, TlsError> {
    import_pair(
        data_dir,
        certificate_pem,
        key_pem,
        (IMPORTED_SERVER_CERTIFICATE_FILE, IMPORTED_SERVER_KEY_FILE),
        "server",
    )
}

/// The certificate and key Ampwise presents to OCPP backends (security profile 3). Returns the
/// files for `certificates.client`.
pub fn import_client_certificate(
    data_dir: &Path,
    certificate_pem: &[u8],
    key_pem: &[u8],
) -> Result<CertificateKeyPair, TlsError> {
    import_pair(
        data_dir,
        certificate_pem,
        key_pem,
        (CLIENT_CERTIFICATE_FILE, CLIENT_KEY_FILE),
        "client",
    )
}

fn import_pair(
    data_dir: &Path,
    certificate_pem: &[u8],
    key_pem: &[u8],
    (certificate_file, key_file): (&str, &str),
    role: &str,
) -> Result<CertificateKeyPair, TlsError> {
    let labels = Labels {
        certificate: &format!("the {role} certificate to import"),
        key: &format!("the {role} private key to import"),
    };
    let chain = pem::certificates(certificate_pem, labels.certificate)?;
    let key = pem::private_key(key_pem, labels.key)?;
    let key_text = pem::encode_private_key(&key);
    let checked = check_pair(chain, key, &labels)?;
    checked
        .leaf
        .check_valid_at(certificate::now(), labels.certificate)?;
    let certificate_text = pem::encode_certificates(&checked.key.cert);

    let dir = data_dir.join(TLS_DIR);
    files::ensure_private_dir(&dir)?;
    // Key first: a crash in between leaves a pair that fails its match check on load, not a
    // certificate silently served with the wrong key.
    files::write_atomically(
        &dir.join(key_file),
        key_text.as_bytes(),
        Readable::ByOwnerOnly,
    )?;
    files::write_atomically(
        &dir.join(certificate_file),
        certificate_text.as_bytes(),
        Readable::ByEveryone,
    )?;
    if checked.leaf.version < 3 {
        tracing::warn!(
            "the imported {role} certificate is X.509 v1 (no extensions); some peers refuse those"
        );
    }
    tracing::info!(
        subject = %checked.leaf.subject_text,
        "imported the {role} certificate, valid until {}",
        checked.leaf.not_after_text()
    );
    Ok(CertificateKeyPair {
        certificate_file: files::config_path(&[certificate_file]),
        key_file: files::config_path(&[key_file]),
    })
}

/// A certificate for the `client_ca` or `backend_ca` list, stored as `tls/ca/<name>.crt` (with a
/// number added when that file exists, so nothing already stored is overwritten). It may be a CA
/// certificate, which then vouches for what it issued, or, as the user documentation allows, the
/// peer's certificate itself, which is then accepted exactly as it is.
pub fn import_ca_certificate(
    data_dir: &Path,
    name: &str,
    certificate_pem: &[u8],
) -> Result<StoredCertificate, TlsError> {
    let name = name.trim();
    let stem = file_stem(name)?;
    let what = format!("the CA certificate \"{name}\"");
    let items = pem::read_items(certificate_pem, &what)?;
    if !items.private_keys.is_empty() || items.encrypted_keys > 0 {
        return Err(TlsError::PrivateKeyInCaFile { what });
    }
    let certificates = pem::certificates(certificate_pem, &what)?;
    let mut trust = StoredTrust::default();
    let now = certificate::now();
    let count = certificates.len();
    for (index, certificate) in certificates.iter().enumerate() {
        let what = if count == 1 {
            what.clone()
        } else {
            format!("certificate {} of {what}", index + 1)
        };
        let facts = inspect(certificate, &what)?;
        facts.check_valid_at(now, &what)?;
        if !facts.can_issue() {
            tracing::info!(
                subject = %facts.subject_text,
                "{what} is not a CA; only this exact certificate will be trusted"
            );
        }
        trust.add(certificate.clone(), &what)?;
    }

    let tls_dir = data_dir.join(TLS_DIR);
    files::ensure_private_dir(&tls_dir)?;
    let ca_dir = tls_dir.join(CA_DIR);
    files::ensure_private_dir(&ca_dir)?;
    let file_name = unused_file_name(&ca_dir, &stem);
    files::write_atomically(
        &ca_dir.join(&file_name),
        pem::encode_certificates(&certificates).as_bytes(),
        Readable::ByEveryone,
    )?;
    Ok(StoredCertificate {
        name: name.to_owned(),
        file: files::config_path(&[CA_DIR, &file_name]),
    })
}

fn unused_file_name(dir: &Path, stem: &str) -> String {
    let mut name = format!("{stem}.crt");
    let mut counter = 1;
    while dir.join(&name).symlink_metadata().is_ok() {
        counter += 1;
        name = format!("{stem}-{counter}.crt");
    }
    name
}

/// A file name every OS accepts, made from the user's name for the certificate: lower case (so
/// names differing only in case do not collide on Windows), ASCII letters, digits and `-`,
/// everything else `_`.
fn file_stem(name: &str) -> Result<String, TlsError> {
    if name.is_empty() {
        return Err(TlsError::InvalidName {
            name: name.to_owned(),
            reason: "it is empty",
        });
    }
    let mut stem = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let replacement = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() || c == '-' => {
                stem.push(c);
                continue;
            }
            _ => "_",
        };
        if replacement != "_" || !stem.ends_with('_') {
            stem.push_str(replacement);
        }
    }
    let mut stem: String = stem
        .trim_matches(['_', '-'])
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    if stem.is_empty() {
        return Err(TlsError::InvalidName {
            name: name.to_owned(),
            reason: "it has no letters or digits to name a file after",
        });
    }
    if is_reserved_on_windows(&stem) {
        stem.push('_');
    }
    Ok(stem)
}

fn is_reserved_on_windows(stem: &str) -> bool {
    matches!(stem, "con" | "prn" | "aux" | "nul")
        || ((stem.starts_with("com") || stem.starts_with("lpt"))
            && stem.len() == 4
            && stem[3..].bytes().all(|b| (b'1'..=b'9').contains(&b)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_become_portable_file_stems() {
        assert_eq!(
            file_stem("Tiefgarage Köln Root").unwrap(),
            "tiefgarage_koeln_root"
        );
        assert_eq!(file_stem("  ../../etc/passwd").unwrap(), "etc_passwd");
        assert_eq!(file_stem("NUL").unwrap(), "nul_");
        assert_eq!(file_stem("COM3").unwrap(), "com3_");
        assert_eq!(file_stem("Backend-CA 2").unwrap(), "backend-ca_2");
        assert!(matches!(
            file_stem("///"),
            Err(TlsError::InvalidName { .. })
        ));
        assert!(matches!(file_stem(""), Err(TlsError::InvalidName { .. })));
    }
}
