//! The gateway uplink's TLS (`client_config`): any backend certificate without `backend_ca`
//! (but a correct handshake signature), only matching ones with it (security profile 2), and the
//! client certificate presented to the backend (profile 3).
#![allow(clippy::unwrap_used)]

mod tls_support;

use std::path::Path;
use std::sync::Arc;

use ampwise_core::config::{CertificateSettings, StoredCertificate};
use ampwise_core::tls::{
    client_config, ensure_self_signed, import_ca_certificate, import_client_certificate,
    server_config,
};
use rustls::ServerConfig;
use tls_support::{certified, first_certificate, handshake, pki, plain_server, read, GREETING};

fn backend(stem: &str, tls13: bool) -> Arc<ServerConfig> {
    plain_server(
        certified(
            &read(pki(), &format!("{stem}.crt")),
            &read(pki(), &format!("{stem}.key")),
        ),
        tls13,
    )
}

fn trusting(data: &Path, stems: &[&str]) -> CertificateSettings {
    let backend_ca: Vec<StoredCertificate> = stems
        .iter()
        .map(|stem| {
            import_ca_certificate(data, stem, &read(pki(), &format!("{stem}.crt"))).unwrap()
        })
        .collect();
    CertificateSettings {
        backend_ca,
        ..CertificateSettings::default()
    }
}

async fn connects(
    server: Arc<ServerConfig>,
    data: &Path,
    settings: &CertificateSettings,
    name: &str,
) -> Result<(), String> {
    let (server_result, client_result) =
        handshake(server, client_config(data, settings).unwrap(), name).await;
    match client_result {
        Ok(client) => {
            assert_eq!(client.received, GREETING);
            server_result.unwrap();
            Ok(())
        }
        Err(error) => {
            assert!(
                server_result.is_err(),
                "the server must see the failure too"
            );
            Err(error.to_string())
        }
    }
}

#[tokio::test]
async fn without_backend_ca_any_server_certificate_is_accepted() {
    let data = tempfile::tempdir().unwrap();
    let settings = CertificateSettings::default();
    // Another installation's self-signed certificate, under a name it does not carry.
    let other = tempfile::tempdir().unwrap();
    let stranger = server_config(other.path(), &CertificateSettings::default()).unwrap();
    connects(stranger, data.path(), &settings, "backend.example.invalid")
        .await
        .unwrap();
    for tls13 in [false, true] {
        for stem in ["rsa8", "rsa1", "ec", "server-v1"] {
            connects(backend(stem, tls13), data.path(), &settings, "localhost")
                .await
                .unwrap_or_else(|error| panic!("{stem} tls13={tls13}: {error}"));
        }
    }
}

#[tokio::test]
async fn without_backend_ca_the_handshake_signature_is_still_checked() {
    let data = tempfile::tempdir().unwrap();
    // A server presenting a certificate whose key it does not have.
    for tls13 in [false, true] {
        let impostor = plain_server(
            certified(&read(pki(), "ec.crt"), &{
                let other = tempfile::tempdir().unwrap();
                tls_support::openssl(
                    other.path(),
                    &[
                        "ecparam",
                        "-name",
                        "prime256v1",
                        "-genkey",
                        "-out",
                        "other.key",
                    ],
                );
                read(other.path(), "other.key")
            }),
            tls13,
        );
        let error = connects(
            impostor,
            data.path(),
            &CertificateSettings::default(),
            "localhost",
        )
        .await
        .unwrap_err();
        assert!(error.contains("BadSignature"), "tls13={tls13}: {error}");
    }
}

#[tokio::test]
async fn with_backend_ca_only_certificates_chaining_to_it_are_accepted() {
    let data = tempfile::tempdir().unwrap();
    let settings = trusting(data.path(), &["rootCA"]);
    for tls13 in [false, true] {
        // v3 with SAN, signed by the documented root: webpki's chain and name check.
        connects(
            backend("server-v3", tls13),
            data.path(),
            &settings,
            "localhost",
        )
        .await
        .unwrap();
        connects(
            backend("server-v3", tls13),
            data.path(),
            &settings,
            "127.0.0.1",
        )
        .await
        .unwrap();
        let error = connects(
            backend("server-v3", tls13),
            data.path(),
            &settings,
            "other.example",
        )
        .await
        .unwrap_err();
        assert!(error.contains("not valid for name"), "{error}");
        // v1 from the documented commands: signed directly by the root, CN checked.
        connects(
            backend("server-v1", tls13),
            data.path(),
            &settings,
            "localhost",
        )
        .await
        .unwrap();
        let error = connects(
            backend("server-v1", tls13),
            data.path(),
            &settings,
            "other.example",
        )
        .await
        .unwrap_err();
        assert!(error.contains("not valid for name"), "{error}");
        // Certificates that do not chain to the stored root.
        for stem in ["ec", "intruder"] {
            let error = connects(backend(stem, tls13), data.path(), &settings, "localhost")
                .await
                .unwrap_err();
            assert!(
                error.contains("invalid peer certificate"),
                "{stem}: {error}"
            );
        }
    }
    let other = tempfile::tempdir().unwrap();
    let stranger = server_config(other.path(), &CertificateSettings::default()).unwrap();
    let error = connects(stranger, data.path(), &settings, "localhost")
        .await
        .unwrap_err();
    assert!(error.contains("UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn with_the_server_certificate_itself_stored_that_server_is_accepted() {
    let data = tempfile::tempdir().unwrap();
    let backend_dir = tempfile::tempdir().unwrap();
    let backend_config =
        server_config(backend_dir.path(), &CertificateSettings::default()).unwrap();
    let backend_certificate =
        std::fs::read(ensure_self_signed(backend_dir.path()).unwrap().certificate).unwrap();
    let settings = CertificateSettings {
        backend_ca: vec![
            import_ca_certificate(data.path(), "backend", &backend_certificate).unwrap(),
        ],
        ..CertificateSettings::default()
    };
    connects(backend_config, data.path(), &settings, "192.0.2.1")
        .await
        .unwrap();
    let error = connects(backend("ec", true), data.path(), &settings, "localhost")
        .await
        .unwrap_err();
    assert!(error.contains("invalid peer certificate"), "{error}");
}

#[tokio::test]
async fn the_client_certificate_is_presented_to_the_backend() {
    let data = tempfile::tempdir().unwrap();
    // The backend: Ampwise's own server config demanding certificates from the documented root.
    let backend_dir = tempfile::tempdir().unwrap();
    let backend_settings = CertificateSettings {
        client_ca: vec![import_ca_certificate(
            backend_dir.path(),
            "root",
            &read(pki(), "rootCA.crt"),
        )
        .unwrap()],
        ..CertificateSettings::default()
    };
    let backend_config = server_config(backend_dir.path(), &backend_settings).unwrap();

    let anonymous = CertificateSettings::default();
    assert!(
        connects(backend_config.clone(), data.path(), &anonymous, "localhost")
            .await
            .is_err()
    );

    let with_client = CertificateSettings {
        client: Some(
            import_client_certificate(
                data.path(),
                &read(pki(), "client.crt"),
                &read(pki(), "client.key"),
            )
            .unwrap(),
        ),
        ..CertificateSettings::default()
    };
    let (server, client) = handshake(
        backend_config,
        client_config(data.path(), &with_client).unwrap(),
        "localhost",
    )
    .await;
    assert_eq!(client.unwrap().received, GREETING);
    assert_eq!(
        server.unwrap().peer_certificates[0],
        first_certificate(&read(pki(), "client.crt"))
    );
}
