//! What Ampwise needs to know about a certificate, read with x509-parser.
//!
//! webpki refuses X.509 v1 certificates outright, but `openssl req -x509` and `openssl x509 -req`
//! as the user documentation runs them (OpenSSL 3.0, a config without `x509_extensions`) make
//! exactly those; so certificates are inspected here, independently of webpki.

use std::net::IpAddr;

use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::error::TlsError;

#[derive(Debug, Clone)]
pub(crate) struct CertificateFacts {
    /// 1 for v1 certificates (no extensions), 3 for v3.
    pub version: u32,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// Subject and issuer are the same name (a root, or a self-signed leaf).
    pub self_issued: bool,
    /// DER of the subject Name, with its SEQUENCE header.
    pub subject: Vec<u8>,
    pub issuer: Vec<u8>,
    /// DER of the SubjectPublicKeyInfo.
    pub public_key: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    /// The subject as text, for logs and messages.
    pub subject_text: String,
    pub common_names: Vec<String>,
}

pub(crate) fn inspect(der: &CertificateDer<'_>, what: &str) -> Result<CertificateFacts, TlsError> {
    let invalid = |reason: String| TlsError::InvalidCertificate {
        what: what.to_owned(),
        reason,
    };
    let (rest, certificate) =
        X509Certificate::from_der(der.as_ref()).map_err(|error| invalid(error.to_string()))?;
    if !rest.is_empty() {
        return Err(invalid("trailing bytes after the certificate".to_owned()));
    }
    let subject = certificate.subject();
    Ok(CertificateFacts {
        version: certificate.version().0 + 1,
        is_ca: certificate.is_ca(),
        self_issued: subject.as_raw() == certificate.issuer().as_raw(),
        subject: subject.as_raw().to_vec(),
        issuer: certificate.issuer().as_raw().to_vec(),
        public_key: certificate.public_key().raw.to_vec(),
        not_before: certificate.validity().not_before.timestamp(),
        not_after: certificate.validity().not_after.timestamp(),
        subject_text: subject.to_string(),
        common_names: subject
            .iter_common_name()
            .filter_map(|name| name.as_str().ok().map(str::to_owned))
            .collect(),
    })
}

/// Whether a certificate is valid at a point in time, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validity {
    Valid,
    NotYetValid,
    Expired,
}

impl CertificateFacts {
    pub fn validity_at(&self, now: UnixTime) -> Validity {
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if now < self.not_before {
            Validity::NotYetValid
        } else if now > self.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    /// Refuses a certificate outside its validity period, naming the date.
    pub fn check_valid_at(&self, now: UnixTime, what: &str) -> Result<(), TlsError> {
        match self.validity_at(now) {
            Validity::Valid => Ok(()),
            Validity::NotYetValid => Err(TlsError::NotYetValid {
                what: what.to_owned(),
                not_before: format_time(self.not_before),
            }),
            Validity::Expired => Err(TlsError::Expired {
                what: what.to_owned(),
                not_after: format_time(self.not_after),
            }),
        }
    }

    /// May this certificate sign others? A v3 certificate must say so (basicConstraints CA:TRUE,
    /// RFC 5280 4.2.1.9); v1 has no extensions to say it, and a self-issued v1 certificate is how
    /// OpenSSL 3.0 makes the user documentation's root CA.
    pub fn can_issue(&self) -> bool {
        self.is_ca || (self.version < 3 && self.self_issued)
    }

    /// The TLS name check for certificates without subjectAltName: the CN, as OCPP's security
    /// whitepaper describes the charge point's check.
    pub fn common_name_matches(&self, name: &rustls_pki_types::ServerName<'_>) -> bool {
        use rustls_pki_types::ServerName;
        match name {
            ServerName::DnsName(dns) => self
                .common_names
                .iter()
                .any(|cn| cn.eq_ignore_ascii_case(dns.as_ref())),
            ServerName::IpAddress(ip) => {
                let ip = IpAddr::from(*ip);
                self.common_names
                    .iter()
                    .any(|cn| cn.parse::<IpAddr>().is_ok_and(|cn| cn == ip))
            }
            _ => false,
        }
    }

    pub fn not_after_text(&self) -> String {
        format_time(self.not_after)
    }
}

pub(crate) fn now() -> UnixTime {
    UnixTime::now()
}

pub(crate) fn format_time(unix_seconds: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|time| time.format(&format).ok())
        .unwrap_or_else(|| format!("{unix_seconds} (seconds since 1970)"))
}
