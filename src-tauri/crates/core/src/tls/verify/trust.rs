//! The certificates of one `client_ca` or `backend_ca` list, and what each of them vouches for.

use std::path::Path;
use std::sync::Arc;

use rustls::client::VerifierBuilderError;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::{CertificateError, DistinguishedName, Error, RootCertStore};
use rustls_pki_types::{CertificateDer, UnixTime};

use super::signature::is_signed_by;
use crate::config::StoredCertificate;
use crate::tls::certificate::{self, inspect, CertificateFacts, Validity};
use crate::tls::error::TlsError;
use crate::tls::{files, pem};

#[derive(Debug)]
struct Issuer {
    subject: Vec<u8>,
    public_key_info: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct StoredTrust {
    /// The stored certificates that may issue others, for webpki's path building.
    roots: RootCertStore,
    /// The same, for checking v1 certificates webpki cannot parse.
    issuers: Vec<Issuer>,
    /// Every stored certificate: accepted as it is.
    pinned: Vec<CertificateDer<'static>>,
    /// The subjects of the stored CAs and the issuers of stored leaves, offered to clients.
    hints: Vec<DistinguishedName>,
}

/// How far a peer's certificate got before webpki.
pub(crate) enum Precheck {
    /// It is one of the stored certificates.
    Pinned,
    /// A v1 certificate signed directly by a stored CA.
    IssuedV1(CertificateFacts),
    /// A v3 certificate: webpki decides.
    NeedsChain,
}

impl Default for StoredTrust {
    fn default() -> Self {
        Self {
            roots: RootCertStore::empty(),
            issuers: Vec::new(),
            pinned: Vec::new(),
            hints: Vec::new(),
        }
    }
}

impl StoredTrust {
    /// Reads every file of a list; `list_field` (e.g. `certificates.client_ca`) names the entries
    /// in errors.
    pub fn load(
        data_dir: &Path,
        list: &[StoredCertificate],
        list_field: &str,
    ) -> Result<Self, TlsError> {
        let mut trust = Self::default();
        for (index, stored) in list.iter().enumerate() {
            let path = files::resolve(data_dir, &stored.file);
            let what = format!(
                "{list_field}[{index}] \"{}\" ({})",
                stored.name,
                path.display()
            );
            for certificate in pem::certificates(&files::read(&path)?, &what)? {
                trust.add(certificate, &what)?;
            }
        }
        Ok(trust)
    }

    pub fn add(
        &mut self,
        certificate: CertificateDer<'static>,
        what: &str,
    ) -> Result<(), TlsError> {
        let facts = inspect(&certificate, what)?;
        if facts.validity_at(certificate::now()) != Validity::Valid {
            tracing::warn!(
                "{what} is outside its validity period ({} to {}); peers presenting it or \
                 certificates it issued may be refused",
                certificate::format_time(facts.not_before),
                facts.not_after_text()
            );
        }
        if facts.can_issue() {
            self.roots
                .add(certificate.clone())
                .map_err(|source| TlsError::Rustls {
                    what: format!("{what} cannot be used as a CA"),
                    source,
                })?;
            self.issuers.push(Issuer {
                subject: facts.subject.clone(),
                public_key_info: facts.public_key.clone(),
            });
            self.hints.push(DistinguishedName::from(facts.subject));
        } else {
            self.hints.push(DistinguishedName::from(facts.issuer));
        }
        self.pinned.push(certificate);
        Ok(())
    }

    /// webpki's verifier for chains of v3 certificates to the stored CAs, made by `build` from
    /// them; `None` when only leaves are stored. `list_field` names the list if webpki refuses.
    pub fn chain_verifier<V>(
        &self,
        list_field: &str,
        build: impl FnOnce(Arc<RootCertStore>) -> Result<V, VerifierBuilderError>,
    ) -> Result<Option<V>, TlsError> {
        if self.roots.is_empty() {
            return Ok(None);
        }
        build(Arc::new(self.roots.clone()))
            .map(Some)
            .map_err(|error| TlsError::UnusableTrust {
                what: list_field.to_owned(),
                reason: error.to_string(),
            })
    }

    pub fn hints(&self) -> &[DistinguishedName] {
        &self.hints
    }

    pub fn precheck(
        &self,
        end_entity: &CertificateDer<'_>,
        now: UnixTime,
        algorithms: &WebPkiSupportedAlgorithms,
    ) -> Result<Precheck, Error> {
        let facts = inspect(end_entity, "the peer's certificate")
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        if self
            .pinned
            .iter()
            .any(|pinned| pinned.as_ref() == end_entity.as_ref())
        {
            check_dates(&facts, now)?;
            return Ok(Precheck::Pinned);
        }
        if facts.version >= 3 {
            return Ok(Precheck::NeedsChain);
        }
        let issued = self.issuers.iter().any(|issuer| {
            issuer.subject == facts.issuer
                && is_signed_by(end_entity.as_ref(), &issuer.public_key_info, algorithms)
        });
        if !issued {
            return Err(Error::InvalidCertificate(CertificateError::UnknownIssuer));
        }
        check_dates(&facts, now)?;
        Ok(Precheck::IssuedV1(facts))
    }
}

fn check_dates(facts: &CertificateFacts, now: UnixTime) -> Result<(), Error> {
    match facts.validity_at(now) {
        Validity::Valid => Ok(()),
        Validity::Expired => Err(Error::InvalidCertificate(CertificateError::Expired)),
        Validity::NotYetValid => Err(Error::InvalidCertificate(CertificateError::NotValidYet)),
    }
}
