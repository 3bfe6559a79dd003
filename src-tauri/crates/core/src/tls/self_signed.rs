//! The server certificate Ampwise makes for itself on first start, so TLS works without any
//! import (user documentation, section 5).
//!
//! Key type: ECDSA P-256. OCPP's security whitepaper wants the central system to offer both
//! `ECDHE_ECDSA_AES_128/256_GCM` and `RSA_AES_128/256_GCM`, which takes an ECDSA and an RSA
//! certificate. The `RSA_*` suites there are static-RSA key exchange, which rustls does not
//! implement at all, so an RSA certificate would only add the `ECDHE_RSA` suites, which charge
//! points that can do ECDHE rarely need. One ECDSA certificate serves every `ECDHE_ECDSA` suite of
//! TLS 1.2 and all of TLS 1.3, and it is quick to make. The gap: a charge point offering only
//! static-RSA suites cannot connect to Ampwise directly; it needs a TLS-terminating proxy (or an
//! imported RSA certificate still leaves it out, since the suite itself is missing).

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType, SerialNumber,
};
use rustls_pki_types::UnixTime;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::certificate::{self, Validity};
use super::error::TlsError;
use super::files::{self, Readable, TLS_DIR};
use super::key_pair::read_pair;
use super::machine::{is_dns_name, machine_names};
use super::{provider, PathPair};

pub const SELF_SIGNED_CERTIFICATE_FILE: &str = "server.crt";
pub const SELF_SIGNED_KEY_FILE: &str = "server.key";

const VALID_FOR_DAYS: i64 = 3650;
/// Remade this long before it expires, so it never expires between two starts.
const RENEW_DAYS_BEFORE_EXPIRY: u64 = 30;
/// Charge points with a clock slightly behind must not see a certificate from the future.
const BACKDATE_DAYS: i64 = 1;

/// The self-signed server certificate and key, made now if missing, expired or unreadable.
pub fn ensure_self_signed(data_dir: &Path) -> Result<PathPair, TlsError> {
    // Two callers making a pair at once could leave one's certificate with the other's key.
    static MAKING: Mutex<()> = Mutex::new(());
    let _making = MAKING.lock().unwrap_or_else(PoisonError::into_inner);

    let dir = data_dir.join(TLS_DIR);
    files::ensure_private_dir(&dir)?;
    let pair = PathPair {
        certificate: dir.join(SELF_SIGNED_CERTIFICATE_FILE),
        key: dir.join(SELF_SIGNED_KEY_FILE),
    };
    match reusable(&pair) {
        Ok(()) => return Ok(pair),
        Err(Unusable::Missing) => tracing::info!(
            file = %pair.certificate.display(),
            "making the self-signed server certificate"
        ),
        Err(Unusable::Because(reason)) => tracing::warn!(
            file = %pair.certificate.display(),
            "remaking the self-signed server certificate: {reason}"
        ),
    }
    make(&pair)?;
    Ok(pair)
}

enum Unusable {
    Missing,
    Because(String),
}

fn reusable(pair: &PathPair) -> Result<(), Unusable> {
    if !pair.certificate.exists() && !pair.key.exists() {
        return Err(Unusable::Missing);
    }
    let checked = read_pair(&pair.certificate, &pair.key)
        .map_err(|error| Unusable::Because(error.to_string()))?;
    let now = certificate::now();
    let soon = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        now.as_secs() + RENEW_DAYS_BEFORE_EXPIRY * 86_400,
    ));
    let leaf = &checked.leaf;
    match (leaf.validity_at(now), leaf.validity_at(soon)) {
        (Validity::Valid, Validity::Valid) => Ok(()),
        (Validity::NotYetValid, _) => Err(Unusable::Because(
            "it is not valid yet (was the clock turned back?)".to_owned(),
        )),
        (Validity::Expired, _) => Err(Unusable::Because(format!(
            "it expired on {}",
            leaf.not_after_text()
        ))),
        (Validity::Valid, _) => Err(Unusable::Because(format!(
            "it expires on {}",
            leaf.not_after_text()
        ))),
    }
}

fn make(pair: &PathPair) -> Result<(), TlsError> {
    let names = machine_names();
    let common_name = names
        .host_name
        .clone()
        .unwrap_or_else(|| "ampwise".to_owned());

    let mut alt_names = Vec::new();
    if let Some(host) = names.host_name.as_deref().filter(|host| is_dns_name(host)) {
        alt_names.push(SanType::DnsName(
            host.to_owned().try_into().map_err(TlsError::SelfSigned)?,
        ));
    }
    if names.host_name.as_deref() != Some("localhost") {
        alt_names.push(SanType::DnsName(
            "localhost"
                .to_owned()
                .try_into()
                .map_err(TlsError::SelfSigned)?,
        ));
    }
    alt_names.extend(names.addresses.iter().copied().map(SanType::IpAddress));

    let mut params = CertificateParams::default();
    params.subject_alt_names = alt_names;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, common_name);
    subject.push(DnType::OrganizationName, "Ampwise");
    params.distinguished_name = subject;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(BACKDATE_DAYS);
    params.not_after = now + Duration::days(VALID_FOR_DAYS);
    params.serial_number = Some(random_serial()?);
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];

    let key =
        KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(TlsError::SelfSigned)?;
    let certificate = params.self_signed(&key).map_err(TlsError::SelfSigned)?;
    let key_pem = Zeroizing::new(key.serialize_pem());

    // Key first: a crash in between leaves a mismatched pair, which the next start remakes.
    files::write_atomically(&pair.key, key_pem.as_bytes(), Readable::ByOwnerOnly)?;
    files::write_atomically(
        &pair.certificate,
        certificate.pem().as_bytes(),
        Readable::ByEveryone,
    )?;
    tracing::info!(
        file = %pair.certificate.display(),
        "made a self-signed ECDSA P-256 server certificate, valid for {VALID_FOR_DAYS} days"
    );
    Ok(())
}

/// 16 random bytes, positive as DER INTEGER wants, with the top bits fixed so the length is too.
fn random_serial() -> Result<SerialNumber, TlsError> {
    let mut bytes = [0u8; 16];
    provider()
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| TlsError::SelfSigned(rcgen::Error::RingUnspecified))?;
    bytes[0] = (bytes[0] & 0x3f) | 0x40;
    Ok(SerialNumber::from_slice(&bytes))
}
