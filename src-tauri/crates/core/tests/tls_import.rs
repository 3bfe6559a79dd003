//! Importing the user's own certificates, made with openssl: server and client pairs of every key
//! encoding, refusals that leave the files in use untouched, and CA certificates for the lists.
#![allow(clippy::unwrap_used)]

mod tls_support;

use std::path::Path;

use ampwise_core::config::{CertificateKeyPair, CertificateSettings, ServerCertificate};
use ampwise_core::tls::{
    client_config, import_ca_certificate, import_client_certificate, import_server_certificate,
    server_config, TlsError,
};
use tls_support::{first_certificate, handshake, pki, read, GREETING};

fn resolve(data: &Path, relative: &str) -> std::path::PathBuf {
    data.join(relative)
}

fn imported_settings(pair: CertificateKeyPair) -> CertificateSettings {
    CertificateSettings {
        server: ServerCertificate::Imported(pair),
        ..CertificateSettings::default()
    }
}

#[tokio::test]
async fn accepts_rsa_pkcs8_rsa_pkcs1_and_ec_sec1_pairs_and_serves_them() {
    let pki = pki();
    for (stem, key_header) in [
        ("rsa8", "-----BEGIN PRIVATE KEY-----"),
        ("rsa1", "-----BEGIN RSA PRIVATE KEY-----"),
        ("ec", "-----BEGIN EC PRIVATE KEY-----"),
    ] {
        let key_pem = read(pki, &format!("{stem}.key"));
        let certificate_pem = read(pki, &format!("{stem}.crt"));
        let data = tempfile::tempdir().unwrap();
        let pair = import_server_certificate(data.path(), &certificate_pem, &key_pem)
            .unwrap_or_else(|error| panic!("{stem}: {error}"));
        assert_eq!(pair.certificate_file, "tls/imported-server.crt");
        assert_eq!(pair.key_file, "tls/imported-server.key");
        let stored_key = std::fs::read_to_string(resolve(data.path(), &pair.key_file)).unwrap();
        assert!(
            stored_key.starts_with(key_header),
            "{stem}: {stored_key:.40}"
        );
        let stored_certificate =
            std::fs::read(resolve(data.path(), &pair.certificate_file)).unwrap();
        assert_eq!(
            first_certificate(&stored_certificate),
            first_certificate(&certificate_pem)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |relative: &str| {
                std::fs::metadata(resolve(data.path(), relative))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode(&pair.key_file), 0o600, "{stem}");
            assert_eq!(mode(&pair.certificate_file), 0o644, "{stem}");
        }

        let config = server_config(data.path(), &imported_settings(pair)).unwrap();
        // openssl's `req -x509` marks the certificate CA:TRUE, which webpki refuses as a server
        // certificate; stored as the backend's certificate itself, Ampwise's uplink accepts it.
        let uplink = CertificateSettings {
            backend_ca: vec![import_ca_certificate(data.path(), stem, &certificate_pem).unwrap()],
            ..CertificateSettings::default()
        };
        let (server, client) = handshake(
            config,
            client_config(data.path(), &uplink).unwrap(),
            "localhost",
        )
        .await;
        server.unwrap_or_else(|error| panic!("{stem}: {error}"));
        let client = client.unwrap();
        assert_eq!(client.received, GREETING);
        assert_eq!(
            client.server_certificates[0],
            first_certificate(&certificate_pem)
        );
    }
}

fn assert_untouched(data: &Path, pair: &CertificateKeyPair, certificate: &[u8], key: &[u8]) {
    assert_eq!(
        std::fs::read(resolve(data, &pair.certificate_file)).unwrap(),
        certificate
    );
    assert_eq!(std::fs::read(resolve(data, &pair.key_file)).unwrap(), key);
}

#[test]
fn refused_imports_leave_the_previous_pair_in_place() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let pair =
        import_server_certificate(data.path(), &read(pki, "ec.crt"), &read(pki, "ec.key")).unwrap();
    let certificate_before = std::fs::read(resolve(data.path(), &pair.certificate_file)).unwrap();
    let key_before = std::fs::read(resolve(data.path(), &pair.key_file)).unwrap();

    let refused = |certificate: &[u8], key: &[u8]| {
        let error = import_server_certificate(data.path(), certificate, key).unwrap_err();
        assert_untouched(data.path(), &pair, &certificate_before, &key_before);
        error
    };

    // A certificate with another certificate's key.
    let error = refused(&read(pki, "rsa8.crt"), &read(pki, "rsa1.key"));
    assert!(matches!(error, TlsError::KeyMismatch { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "the private key in the server private key to import does not belong to the certificate \
         in the server certificate to import"
    );

    let error = refused(b"", &read(pki, "ec.key"));
    assert!(matches!(error, TlsError::NoCertificate { .. }), "{error}");
    let error = refused(&read(pki, "client.csr"), &read(pki, "client.key"));
    assert!(
        matches!(error, TlsError::CertificateRequest { .. }),
        "{error}"
    );
    let error = refused(&read(pki, "ec.crt"), &read(pki, "ec.crt"));
    assert!(matches!(error, TlsError::NoPrivateKey { .. }), "{error}");

    let mut two_keys = read(pki, "ec.key");
    two_keys.extend(read(pki, "rsa8.key"));
    let error = refused(&read(pki, "ec.crt"), &two_keys);
    assert!(
        matches!(error, TlsError::SeveralPrivateKeys { count: 2, .. }),
        "{error}"
    );

    // `openssl genrsa -des3` as the user documentation makes the root key.
    let error = refused(&read(pki, "rootCA.crt"), &read(pki, "rootCA.key"));
    assert!(
        matches!(error, TlsError::EncryptedPrivateKey { .. }),
        "{error}"
    );

    let mut broken = read(pki, "ec.crt");
    broken.truncate(broken.len() - 30);
    let error = refused(&broken, &read(pki, "ec.key"));
    assert!(matches!(error, TlsError::InvalidPem { .. }), "{error}");

    let garbage =
        b"-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    let error = refused(garbage, &read(pki, "ec.key"));
    assert!(
        matches!(error, TlsError::InvalidCertificate { .. }),
        "{error}"
    );

    // A key ring cannot use: RSA below 2048 bits.
    let small = tempfile::tempdir().unwrap();
    tls_support::openssl(small.path(), &["genrsa", "-out", "small.key", "1024"]);
    tls_support::self_signed_for(small.path(), "small.key", "small.crt");
    let error = refused(
        &read(small.path(), "small.crt"),
        &read(small.path(), "small.key"),
    );
    assert!(
        matches!(error, TlsError::UnsupportedPrivateKey { .. }),
        "{error}"
    );
}

fn rcgen_pair(not_before: (i32, u8, u8), not_after: (i32, u8, u8)) -> (String, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused_with_their_dates() {
    let data = tempfile::tempdir().unwrap();
    let (certificate, key) = rcgen_pair((2019, 1, 1), (2020, 6, 30));
    let error =
        import_server_certificate(data.path(), certificate.as_bytes(), key.as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the server certificate to import expired on 2020-06-30 00:00:00 UTC"
    );
    let (certificate, key) = rcgen_pair((2999, 1, 1), (3000, 1, 1));
    let error =
        import_client_certificate(data.path(), certificate.as_bytes(), key.as_bytes()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("is not valid yet: it becomes valid on 2999-01-01"),
        "{error}"
    );
    assert!(!data.path().join("tls").exists(), "nothing written");
}

#[test]
fn errors_never_contain_the_key() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let key = String::from_utf8(read(pki, "rsa1.key")).unwrap();
    let key_line = key.lines().nth(3).unwrap().to_owned();
    let mut broken_key = key.clone();
    broken_key.truncate(key.len() - 40);
    for (certificate, key) in [
        (read(pki, "rsa8.crt"), key.clone().into_bytes()),
        (read(pki, "rsa1.crt"), broken_key.into_bytes()),
    ] {
        let error = import_server_certificate(data.path(), &certificate, &key).unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(&key_line), "{shown}");
    }
}

#[test]
fn the_documented_client_certificate_imports_for_the_uplink() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let pair = import_client_certificate(
        data.path(),
        &read(pki, "client.crt"),
        &read(pki, "client.key"),
    )
    .unwrap();
    assert_eq!(pair.certificate_file, "tls/client.crt");
    assert_eq!(pair.key_file, "tls/client.key");
    // A certificate upload that carries its key too: only the certificate lands in the .crt file.
    let mut combined = read(pki, "client.crt");
    combined.extend(read(pki, "client.key"));
    let pair = import_client_certificate(data.path(), &combined, &combined).unwrap();
    let stored = std::fs::read_to_string(resolve(data.path(), &pair.certificate_file)).unwrap();
    assert!(!stored.contains("PRIVATE KEY"), "{stored}");
}

#[test]
fn ca_certificates_are_stored_under_a_portable_name_without_overwriting() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let root = read(pki, "rootCA.crt");
    let stored = import_ca_certificate(data.path(), " Tiefgarage Köln Root ", &root).unwrap();
    assert_eq!(stored.name, "Tiefgarage Köln Root");
    assert_eq!(stored.file, "tls/ca/tiefgarage_koeln_root.crt");
    assert_eq!(
        first_certificate(&std::fs::read(resolve(data.path(), &stored.file)).unwrap()),
        first_certificate(&root)
    );
    let again = import_ca_certificate(data.path(), "Tiefgarage Köln Root", &root).unwrap();
    assert_eq!(again.file, "tls/ca/tiefgarage_koeln_root-2.crt");

    // The peer's own certificate may be stored too (user documentation, section 5).
    let leaf = import_ca_certificate(data.path(), "Wallbox Süd", &read(pki, "client.crt")).unwrap();
    assert_eq!(leaf.file, "tls/ca/wallbox_sued.crt");
}

#[test]
fn ca_imports_refuse_keys_requests_and_garbage() {
    let pki = pki();
    let data = tempfile::tempdir().unwrap();
    let mut with_key = read(pki, "client.crt");
    with_key.extend(read(pki, "client.key"));
    type Expected = fn(&TlsError) -> bool;
    let cases: [(&str, Vec<u8>, Expected); 5] = [
        ("with key", with_key, |e| {
            matches!(e, TlsError::PrivateKeyInCaFile { .. })
        }),
        ("encrypted key", read(pki, "rootCA.key"), |e| {
            matches!(e, TlsError::PrivateKeyInCaFile { .. })
        }),
        ("request", read(pki, "client.csr"), |e| {
            matches!(e, TlsError::CertificateRequest { .. })
        }),
        ("text", b"just some text".to_vec(), |e| {
            matches!(e, TlsError::NoCertificate { .. })
        }),
        ("binary", vec![0x30, 0x03, 0x02, 0x01, 0x00], |e| {
            matches!(e, TlsError::InvalidCertificate { .. })
        }),
    ];
    for (label, input, expected) in cases {
        let error = import_ca_certificate(data.path(), label, &input).unwrap_err();
        assert!(expected(&error), "{label}: {error}");
        assert!(
            error.to_string().contains(&format!("\"{label}\"")),
            "{error}"
        );
    }
    let error = import_ca_certificate(data.path(), " / ", &read(pki, "rootCA.crt")).unwrap_err();
    assert!(matches!(error, TlsError::InvalidName { .. }), "{error}");
    assert!(
        !data.path().join("tls").join("ca").exists(),
        "nothing written"
    );
}
