//! Deciding whether to trust the other side's certificate.
//!
//! A stored certificate is trusted in two ways, as the user documentation allows storing "the
//! server certificate itself or a root that signed it": the exact certificate is accepted
//! (pinned), and a stored CA also vouches for what it issued. Chains of v3 certificates are left to
//! webpki; the v1 certificates OpenSSL 3.0 makes from the documented commands, which webpki
//! refuses, are accepted only when a stored CA signed them directly.

mod any_server;
mod der;
mod signature;
mod stored_client;
mod stored_server;
mod trust;

pub(crate) use any_server::AnyServerCertificate;
pub(crate) use stored_client::StoredClientVerifier;
pub(crate) use stored_server::StoredServerVerifier;
pub(crate) use trust::StoredTrust;
