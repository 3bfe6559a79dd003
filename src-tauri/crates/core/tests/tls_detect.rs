//! TLS mode `detect`: a ClientHello and a plain HTTP request on the same port are told apart by
//! peeking, and the stream reaches TLS or HTTP untouched.
#![allow(clippy::unwrap_used)]

mod tls_support;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use ampwise_core::config::CertificateSettings;
use ampwise_core::tls::{ensure_self_signed, server_config, sniff_tls, sniff_tls_within};
use tls_support::{connect, plain_client, GREETING};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

const UPGRADE: &[u8] = b"GET /ocpp/CP-1 HTTP/1.1\r\nHost: localhost\r\n\r\n";

async fn listener() -> (TcpListener, std::net::SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    (listener, address)
}

#[tokio::test]
async fn a_client_hello_is_tls_and_the_handshake_then_succeeds() {
    let data = tempfile::tempdir().unwrap();
    let config = server_config(data.path(), &CertificateSettings::default()).unwrap();
    let trusted = std::fs::read(ensure_self_signed(data.path()).unwrap().certificate).unwrap();
    let (listener, address) = listener().await;
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let is_tls = sniff_tls(&tcp).await.unwrap();
        assert!(is_tls);
        let mut tls = TlsAcceptor::from(config).accept(tcp).await.unwrap();
        tls.write_all(GREETING).await.unwrap();
        tls.shutdown().await.unwrap();
    });
    let client = connect(plain_client(&trusted, None, true), address, "localhost")
        .await
        .unwrap();
    assert_eq!(client.received, GREETING);
    server.await.unwrap();
}

#[tokio::test]
async fn an_http_request_is_plain_and_still_fully_readable() {
    let (listener, address) = listener().await;
    let server = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let is_tls = sniff_tls(&tcp).await.unwrap();
        let mut request = vec![0u8; UPGRADE.len()];
        tcp.read_exact(&mut request).await.unwrap();
        (is_tls, request)
    });
    let mut client = TcpStream::connect(address).await.unwrap();
    client.write_all(UPGRADE).await.unwrap();
    let (is_tls, request) = server.await.unwrap();
    assert!(!is_tls);
    assert_eq!(request, UPGRADE);
}

#[tokio::test]
async fn a_silent_client_is_given_up_after_the_timeout() {
    let (listener, address) = listener().await;
    let _client = TcpStream::connect(address).await.unwrap();
    let (tcp, _) = listener.accept().await.unwrap();
    let started = Instant::now();
    let error = sniff_tls_within(&tcp, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::TimedOut);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_client_closing_at_once_is_an_error() {
    let (listener, address) = listener().await;
    let client = TcpStream::connect(address).await.unwrap();
    drop(client);
    let (tcp, _) = listener.accept().await.unwrap();
    let error = sniff_tls(&tcp).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
}
