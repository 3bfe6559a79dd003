//! Security profile 3 on the OCPP server: with `client_ca` set, a charge point must present a
//! certificate that is stored or issued by a stored CA. Certificates come from the user
//! documentation's openssl commands; `openssl s_client` plays an external charge point.
#![allow(clippy::unwrap_used)]

mod tls_support;

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use ampwise_core::config::{CertificateSettings, StoredCertificate};
use ampwise_core::tls::{ensure_self_signed, import_ca_certificate, server_config};
use rustls::ServerConfig;
use tls_support::{
    certified, first_certificate, handshake, pki, plain_client, read, serve_once, tls_version,
    GREETING,
};
use tokio::io::AsyncWriteExt;

fn settings(client_ca: Vec<StoredCertificate>) -> CertificateSettings {
    CertificateSettings {
        client_ca,
        ..CertificateSettings::default()
    }
}

/// The server with `client_ca` = the given files of the test PKI, and its certificate (PEM).
fn server_trusting(data: &Path, stems: &[&str]) -> (Arc<ServerConfig>, Vec<u8>) {
    let stored = stems
        .iter()
        .map(|stem| {
            import_ca_certificate(data, stem, &read(pki(), &format!("{stem}.crt"))).unwrap()
        })
        .collect();
    let config = server_config(data, &settings(stored)).unwrap();
    let server_certificate = std::fs::read(ensure_self_signed(data).unwrap().certificate).unwrap();
    (config, server_certificate)
}

async fn try_client(
    server: Arc<ServerConfig>,
    trusted: &[u8],
    client: Option<&str>,
    tls13: bool,
) -> Result<Vec<u8>, String> {
    let key = client.map(|stem| {
        certified(
            &read(pki(), &format!("{stem}.crt")),
            &read(pki(), &format!("{stem}.key")),
        )
    });
    let (server, client_result) =
        handshake(server, plain_client(trusted, key, tls13), "localhost").await;
    match server {
        Ok(seen) => {
            let received = client_result.map_err(|error| format!("client: {error}"))?;
            assert_eq!(received.received, GREETING);
            assert_eq!(received.version, Some(tls_version(tls13)));
            Ok(seen.peer_certificates[0].to_vec())
        }
        Err(error) => {
            // The client must not have got through either.
            if let Ok(client) = &client_result {
                assert!(client.received.is_empty(), "{client:?}");
            }
            Err(error.to_string())
        }
    }
}

#[tokio::test]
async fn the_documented_client_certificate_is_accepted_by_its_root() {
    let data = tempfile::tempdir().unwrap();
    let (server, trusted) = server_trusting(data.path(), &["rootCA"]);
    for tls13 in [false, true] {
        let seen = try_client(server.clone(), &trusted, Some("client"), tls13)
            .await
            .unwrap();
        assert_eq!(seen, first_certificate(&read(pki(), "client.crt")).to_vec());
        // The v3 variant goes through webpki's chain building.
        let seen = try_client(server.clone(), &trusted, Some("client-v3"), tls13)
            .await
            .unwrap();
        assert_eq!(
            seen,
            first_certificate(&read(pki(), "client-v3.crt")).to_vec()
        );
    }
}

#[tokio::test]
async fn a_client_without_a_certificate_or_from_another_ca_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let (server, trusted) = server_trusting(data.path(), &["rootCA"]);
    for tls13 in [false, true] {
        let error = try_client(server.clone(), &trusted, None, tls13)
            .await
            .unwrap_err();
        assert!(error.contains("peer sent no certificates"), "{error}");
        let error = try_client(server.clone(), &trusted, Some("intruder"), tls13)
            .await
            .unwrap_err();
        assert!(error.contains("UnknownIssuer"), "{error}");
        // Names the root as issuer, but the root's key did not sign it.
        let error = try_client(server.clone(), &trusted, Some("forged"), tls13)
            .await
            .unwrap_err();
        assert!(error.contains("UnknownIssuer"), "{error}");
        // A self-signed client certificate that merely copies nothing of the root.
        let error = try_client(server.clone(), &trusted, Some("rsa8"), tls13)
            .await
            .unwrap_err();
        assert!(error.contains("invalid peer certificate"), "{error}");
    }
}

#[tokio::test]
async fn a_stored_client_certificate_itself_is_accepted_and_nothing_else() {
    let data = tempfile::tempdir().unwrap();
    let (server, trusted) = server_trusting(data.path(), &["client"]);
    let seen = try_client(server.clone(), &trusted, Some("client"), true)
        .await
        .unwrap();
    assert_eq!(seen, first_certificate(&read(pki(), "client.crt")).to_vec());
    // Another certificate from the same root is not the stored one.
    let error = try_client(server.clone(), &trusted, Some("client-v3"), true)
        .await
        .unwrap_err();
    assert!(error.contains("UnknownIssuer"), "{error}");
}

/// Runs `openssl s_client` against a server accepting one connection; returns its output and the
/// server's result.
async fn s_client(server: Arc<ServerConfig>, extra: &[&str]) -> (String, Result<(), String>) {
    let (address, server_task) = serve_once(server).await;
    let mut child = tokio::process::Command::new("openssl")
        .current_dir(pki())
        .args([
            "s_client",
            "-connect",
            &address.to_string(),
            "-servername",
            "localhost",
        ])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let server_result = server_task
        .await
        .unwrap()
        .map(|_| ())
        .map_err(|e| e.to_string());
    // Closing stdin ends s_client once it has printed what the server sent.
    let mut stdin = child.stdin.take().unwrap();
    stdin.shutdown().await.unwrap();
    drop(stdin);
    let output = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (text, server_result)
}

#[tokio::test]
async fn openssl_s_client_connects_as_an_external_peer() {
    let data = tempfile::tempdir().unwrap();
    let server = server_config(data.path(), &CertificateSettings::default()).unwrap();
    let ca_file = ensure_self_signed(data.path()).unwrap().certificate;
    let ca_file = ca_file.to_str().unwrap();
    for version in ["-tls1_2", "-tls1_3"] {
        let (output, server_result) = s_client(
            server.clone(),
            &[
                version,
                "-CAfile",
                ca_file,
                "-verify_return_error",
                "-verify_hostname",
                "localhost",
            ],
        )
        .await;
        server_result.unwrap();
        assert!(output.contains("hello from the server"), "{output}");
        assert!(output.contains("Verify return code: 0 (ok)"), "{output}");
    }
}

#[tokio::test]
async fn openssl_s_client_with_the_documented_client_certificate_passes_profile_3() {
    let data = tempfile::tempdir().unwrap();
    let (server, _) = server_trusting(data.path(), &["rootCA"]);
    let (output, server_result) = s_client(
        server.clone(),
        &["-cert", "client.crt", "-key", "client.key"],
    )
    .await;
    server_result.unwrap();
    assert!(output.contains("hello from the server"), "{output}");

    let (output, server_result) = s_client(server, &[]).await;
    assert!(server_result.is_err(), "no certificate: {output}");
    assert!(!output.contains("hello from the server"), "{output}");
}
