//! The self-signed server certificate: made once, reused, remade when unusable, with the machine's
//! names, and served by `server_config` over real loopback TLS.
#![allow(clippy::unwrap_used)]

mod tls_support;

use std::net::IpAddr;

use ampwise_core::config::CertificateSettings;
use ampwise_core::tls::{ensure_self_signed, server_config, SELF_SIGNED_KEY_FILE, TLS_DIR};
use tls_support::{connect, handshake, plain_client, serve_once, tls_version, GREETING};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

fn sans(der: &[u8]) -> (Vec<String>, Vec<IpAddr>) {
    let (_, certificate) = X509Certificate::from_der(der).unwrap();
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for name in &certificate
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
    {
        match name {
            GeneralName::DNSName(name) => dns.push((*name).to_owned()),
            GeneralName::IPAddress(bytes) if bytes.len() == 4 => {
                ips.push(IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap()))
            }
            GeneralName::IPAddress(bytes) => {
                ips.push(IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap()))
            }
            other => panic!("unexpected SAN {other:?}"),
        }
    }
    (dns, ips)
}

fn pem_der(path: &std::path::Path) -> Vec<u8> {
    tls_support::first_certificate(&std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn is_made_once_with_the_machine_names_and_then_reused() {
    let data = tempfile::tempdir().unwrap();
    let pair = ensure_self_signed(data.path()).unwrap();
    assert_eq!(pair.certificate, data.path().join("tls").join("server.crt"));
    assert_eq!(
        pair.key,
        data.path().join(TLS_DIR).join(SELF_SIGNED_KEY_FILE)
    );
    let certificate = std::fs::read(&pair.certificate).unwrap();
    let key = std::fs::read(&pair.key).unwrap();
    assert!(String::from_utf8_lossy(&key).starts_with("-----BEGIN PRIVATE KEY-----"));

    let again = ensure_self_signed(data.path()).unwrap();
    assert_eq!(again, pair);
    assert_eq!(
        std::fs::read(&pair.certificate).unwrap(),
        certificate,
        "reused"
    );
    assert_eq!(std::fs::read(&pair.key).unwrap(), key, "reused");

    let der = pem_der(&pair.certificate);
    let (_, parsed) = X509Certificate::from_der(&der).unwrap();
    let host = hostname::get().unwrap().to_string_lossy().into_owned();
    let common_names: Vec<&str> = parsed
        .subject()
        .iter_common_name()
        .map(|cn| cn.as_str().unwrap())
        .collect();
    assert_eq!(common_names, vec![host.as_str()]);
    // ECDSA P-256: id-ecPublicKey with the prime256v1 curve.
    assert_eq!(
        parsed.public_key().algorithm.algorithm.to_id_string(),
        "1.2.840.10045.2.1"
    );
    let curve = parsed.public_key().algorithm.parameters.as_ref().unwrap();
    assert_eq!(
        curve.as_oid().unwrap().to_id_string(),
        "1.2.840.10045.3.1.7"
    );
    let lifetime_days = (parsed.validity().not_after.timestamp()
        - parsed.validity().not_before.timestamp())
        / 86_400;
    assert!(
        (3650..=3652).contains(&lifetime_days),
        "{lifetime_days} days"
    );
    assert!(!parsed.is_ca());

    let (dns, ips) = sans(&der);
    assert!(dns.contains(&"localhost".to_owned()), "{dns:?}");
    if host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        assert!(dns.contains(&host), "{dns:?} lacks {host}");
    }
    assert!(ips.contains(&"127.0.0.1".parse().unwrap()), "{ips:?}");
    assert!(ips.contains(&"::1".parse().unwrap()), "{ips:?}");
    for interface in if_addrs::get_if_addrs().unwrap() {
        if !interface.is_loopback() {
            assert!(
                ips.contains(&interface.ip()),
                "{ips:?} lacks {}",
                interface.ip()
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn the_key_is_readable_by_the_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().unwrap();
    let pair = ensure_self_signed(data.path()).unwrap();
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&pair.key), 0o600);
    assert_eq!(mode(&pair.certificate), 0o644);
    assert_eq!(mode(&data.path().join("tls")), 0o700);
    let leftovers: Vec<_> = std::fs::read_dir(data.path().join("tls"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn is_remade_when_unreadable_or_expired() {
    let data = tempfile::tempdir().unwrap();
    let pair = ensure_self_signed(data.path()).unwrap();

    std::fs::write(&pair.certificate, "not a certificate").unwrap();
    ensure_self_signed(data.path()).unwrap();
    let remade = std::fs::read(&pair.certificate).unwrap();
    assert!(remade.starts_with(b"-----BEGIN CERTIFICATE-----"));

    // An expired pair in the place of the self-signed one.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let expired = params.self_signed(&key).unwrap();
    std::fs::write(&pair.certificate, expired.pem()).unwrap();
    std::fs::write(&pair.key, key.serialize_pem()).unwrap();
    ensure_self_signed(data.path()).unwrap();
    let renewed = pem_der(&pair.certificate);
    assert_ne!(renewed, expired.der().to_vec());
    let (_, parsed) = X509Certificate::from_der(&renewed).unwrap();
    assert!(parsed.validity().is_valid());

    // A key that is not the certificate's.
    let stranger = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    std::fs::write(&pair.key, stranger.serialize_pem()).unwrap();
    ensure_self_signed(data.path()).unwrap();
    assert_ne!(
        pem_der(&pair.certificate),
        renewed,
        "mismatched pair remade"
    );
}

#[tokio::test]
async fn a_client_trusting_it_completes_a_handshake_with_tls_1_2_and_1_3() {
    let data = tempfile::tempdir().unwrap();
    let config = server_config(data.path(), &CertificateSettings::default()).unwrap();
    let pair = ensure_self_signed(data.path()).unwrap();
    let trusted = std::fs::read(&pair.certificate).unwrap();
    for tls13 in [false, true] {
        for name in ["localhost", "127.0.0.1"] {
            let (server, client) =
                handshake(config.clone(), plain_client(&trusted, None, tls13), name).await;
            let client = client.unwrap();
            assert_eq!(client.received, GREETING);
            assert_eq!(client.version, Some(tls_version(tls13)));
            assert_eq!(
                client.server_certificates[0].to_vec(),
                pem_der(&pair.certificate)
            );
            let server = server.unwrap();
            assert!(server.peer_certificates.is_empty(), "no client auth asked");
        }
    }
}

#[tokio::test]
async fn a_client_trusting_another_certificate_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let config = server_config(data.path(), &CertificateSettings::default()).unwrap();
    let other = tempfile::tempdir().unwrap();
    let other_pair = ensure_self_signed(other.path()).unwrap();
    let trusted = std::fs::read(other_pair.certificate).unwrap();
    let (address, server) = serve_once(config).await;
    let client = connect(plain_client(&trusted, None, true), address, "localhost").await;
    assert!(client.is_err(), "{client:?}");
    assert!(server.await.unwrap().is_err());
}
