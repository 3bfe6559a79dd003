//! Shared by the `tls_*` tests: certificates made with the `openssl` command the way the user
//! documentation (section 5) tells users to, and real TLS connections over loopback sockets.
#![allow(dead_code, clippy::unwrap_used)]

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{ClientConfig, ProtocolVersion, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::{TlsAcceptor, TlsConnector};

pub const GREETING: &[u8] = b"hello from the server\n";
/// The password of the root CA key (`openssl genrsa -des3`).
pub const ROOT_PASSWORD: &str = "Geheimnis-123";

/// The config file format of the user documentation, with its umlauts, for a given CN.
pub fn user_doc_config(common_name: &str) -> String {
    format!(
        "[req]\n\
         prompt = no\n\
         distinguished_name = dn\n\
         req_extensions = ext\n\
         \n\
         [dn]\n\
         CN = {common_name}\n\
         emailAddress = info@tiefgarage-koeln.de\n\
         O = Tiefgarage Köln GmbH\n\
         OU = Abteilung 13\n\
         L = Köln\n\
         C = DE\n\
         \n\
         [ext]\n\
         subjectAltName = DNS:tiefgarage-koeln.de,DNS:*.tiefgarage-koeln.de\n"
    )
}

/// Runs `openssl` in `dir` and fails the test with its output when it fails.
pub fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("cannot run openssl: {error}"));
    assert!(
        output.status.success(),
        "openssl {} failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// A root CA made with the documented commands, `genrsa -des3` and `req -x509 ... -utf8`.
pub fn make_root(dir: &Path, stem: &str, common_name: &str) {
    std::fs::write(
        dir.join(format!("{stem}.cnf")),
        user_doc_config(common_name),
    )
    .unwrap();
    let key = format!("{stem}.key");
    let crt = format!("{stem}.crt");
    let cnf = format!("{stem}.cnf");
    let passout = format!("pass:{ROOT_PASSWORD}");
    openssl(
        dir,
        &[
            "genrsa", "-des3", "-passout", &passout, "-out", &key, "4096",
        ],
    );
    openssl(
        dir,
        &[
            "req", "-x509", "-new", "-nodes", "-key", &key, "-passin", &passout, "-sha256",
            "-days", "365", "-out", &crt, "-config", &cnf, "-utf8",
        ],
    );
}

/// A key, CSR and certificate signed by `root`, with the documented commands (`genrsa 2048`,
/// `req -new`, `x509 -req -CA ... -CAcreateserial`). `extfile` adds X.509 v3 extensions, which
/// the documented commands do not (OpenSSL 3.0 then makes a v1 certificate).
pub fn make_signed(dir: &Path, stem: &str, common_name: &str, root: &str, extfile: Option<&str>) {
    std::fs::write(
        dir.join(format!("{stem}.cnf")),
        user_doc_config(common_name),
    )
    .unwrap();
    let key = format!("{stem}.key");
    let csr = format!("{stem}.csr");
    let crt = format!("{stem}.crt");
    let cnf = format!("{stem}.cnf");
    let root_crt = format!("{root}.crt");
    let root_key = format!("{root}.key");
    let passin = format!("pass:{ROOT_PASSWORD}");
    openssl(dir, &["genrsa", "-out", &key, "2048"]);
    openssl(
        dir,
        &[
            "req", "-new", "-key", &key, "-out", &csr, "-config", &cnf, "-utf8",
        ],
    );
    let mut args = vec![
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &root_crt,
        "-CAkey",
        &root_key,
        "-passin",
        &passin,
        "-CAcreateserial",
        "-out",
        &crt,
        "-days",
        "365",
        "-sha256",
    ];
    let ext_path = format!("{stem}.ext");
    if let Some(extensions) = extfile {
        std::fs::write(dir.join(&ext_path), extensions).unwrap();
        args.extend(["-extfile", &ext_path]);
    }
    openssl(dir, &args);
}

/// A self-signed certificate for `key` (any type) with CN and SAN `localhost`.
pub fn self_signed_for(dir: &Path, key: &str, crt: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            key,
            "-days",
            "30",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-out",
            crt,
        ],
    );
}

/// Everything the tests need from openssl, made once per test binary.
///
/// - `rootCA`: the documented root (encrypted 4096-bit RSA key, v1 certificate, umlauts);
/// - `client`: a client certificate from the documented commands, signed by `rootCA` (v1);
/// - `client-v3`: the same with v3 extensions;
/// - `server-v3`: a server certificate for `localhost`/127.0.0.1 signed by `rootCA` (v3, SAN);
/// - `server-v1`: a server certificate with CN `localhost` signed by `rootCA` (v1, no SAN);
/// - `otherCA` and `intruder`: a second root and a client certificate it signed;
/// - `forgedCA` and `forged`: a root with `rootCA`'s name but its own key, and a client
///   certificate it signed;
/// - `ec.key`/`ec.crt`: a SEC1 P-256 key (with its EC PARAMETERS block) and certificate;
/// - `rsa1.key`/`rsa1.crt`: a PKCS#1 RSA key; `rsa8.key`/`rsa8.crt`: a PKCS#8 RSA key.
pub fn pki() -> &'static Path {
    static PKI: OnceLock<PathBuf> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        make_root(&dir, "rootCA", "Unsere Tiefgarage");
        make_signed(&dir, "client", "Wallbox Süd 0815", "rootCA", None);
        make_signed(
            &dir,
            "client-v3",
            "Wallbox Nord 0816",
            "rootCA",
            Some("extendedKeyUsage = clientAuth\n"),
        );
        make_signed(
            &dir,
            "server-v3",
            "localhost",
            "rootCA",
            Some("subjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n"),
        );
        make_signed(&dir, "server-v1", "localhost", "rootCA", None);
        make_root(&dir, "otherCA", "Fremde Zentrale");
        make_signed(&dir, "intruder", "Wallbox Fremd", "otherCA", None);
        // Same name as rootCA, another key: only the signature tells its certificates apart.
        make_root(&dir, "forgedCA", "Unsere Tiefgarage");
        make_signed(&dir, "forged", "Wallbox Süd 0815", "forgedCA", None);

        openssl(
            &dir,
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-out",
                "ec.key",
            ],
        );
        self_signed_for(&dir, "ec.key", "ec.crt");
        openssl(
            &dir,
            &["genrsa", "-traditional", "-out", "rsa1.key", "2048"],
        );
        self_signed_for(&dir, "rsa1.key", "rsa1.crt");
        openssl(&dir, &["genrsa", "-out", "rsa8.key", "2048"]);
        self_signed_for(&dir, "rsa8.key", "rsa8.crt");
        dir
    })
}

/// What the server saw of one connection.
#[derive(Debug)]
pub struct ServerSide {
    pub peer_certificates: Vec<CertificateDer<'static>>,
    pub version: Option<ProtocolVersion>,
}

/// Accepts one TLS connection, sends [`GREETING`] and closes.
pub async fn serve_once(
    config: Arc<ServerConfig>,
) -> (SocketAddr, JoinHandle<io::Result<ServerSide>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await?;
        let mut tls = TlsAcceptor::from(config).accept(tcp).await?;
        tls.write_all(GREETING).await?;
        tls.shutdown().await?;
        let (_, connection) = tls.get_ref();
        Ok(ServerSide {
            peer_certificates: connection
                .peer_certificates()
                .map(|certificates| certificates.to_vec())
                .unwrap_or_default(),
            version: connection.protocol_version(),
        })
    });
    (address, task)
}

/// What the client saw of one connection.
#[derive(Debug)]
pub struct ClientSide {
    pub received: Vec<u8>,
    pub server_certificates: Vec<CertificateDer<'static>>,
    pub version: Option<ProtocolVersion>,
}

/// Connects, reads until the server closes.
pub async fn connect(
    config: Arc<ClientConfig>,
    address: SocketAddr,
    server_name: &str,
) -> io::Result<ClientSide> {
    let tcp = TcpStream::connect(address).await?;
    let name = ServerName::try_from(server_name.to_owned())
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let mut tls = TlsConnector::from(config).connect(name, tcp).await?;
    let (_, connection) = tls.get_ref();
    let server_certificates = connection
        .peer_certificates()
        .map(|certificates| certificates.to_vec())
        .unwrap_or_default();
    let version = connection.protocol_version();
    let mut received = Vec::new();
    tls.read_to_end(&mut received).await?;
    Ok(ClientSide {
        received,
        server_certificates,
        version,
    })
}

/// Runs one connection and returns both sides' results.
pub async fn handshake(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    server_name: &str,
) -> (io::Result<ServerSide>, io::Result<ClientSide>) {
    let (address, server_task) = serve_once(server).await;
    let client_result = connect(client, address, server_name).await;
    let server_result = server_task.await.unwrap();
    (server_result, client_result)
}

pub fn ring() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn versions(tls13: bool) -> &'static [&'static rustls::SupportedProtocolVersion] {
    static TLS12_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
    static TLS13_ONLY: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    if tls13 {
        &TLS13_ONLY
    } else {
        &TLS12_ONLY
    }
}

/// A certificate chain and key as rustls serves them, without ampwise's checks (and so able to
/// pair a certificate with a key that is not its own).
pub fn certified(certificate_pem: &[u8], key_pem: &[u8]) -> Arc<CertifiedKey> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(certificate_pem)
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_slice(key_pem).unwrap();
    let signing_key = ring().key_provider.load_private_key(key).unwrap();
    Arc::new(CertifiedKey::new(chain, signing_key))
}

/// A plain rustls server for one TLS version, without client authentication.
pub fn plain_server(key: Arc<CertifiedKey>, tls13: bool) -> Arc<ServerConfig> {
    Arc::new(
        ServerConfig::builder_with_provider(ring())
            .with_protocol_versions(versions(tls13))
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(SingleCertAndKey::from(key))),
    )
}

/// A plain rustls client for one TLS version that trusts exactly the certificates in `trusted`
/// (webpki verification) and presents `client_key` when given.
pub fn plain_client(
    trusted: &[u8],
    client_key: Option<Arc<CertifiedKey>>,
    tls13: bool,
) -> Arc<ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(trusted) {
        roots.add(certificate.unwrap()).unwrap();
    }
    let builder = ClientConfig::builder_with_provider(ring())
        .with_protocol_versions(versions(tls13))
        .unwrap()
        .with_root_certificates(roots);
    Arc::new(match client_key {
        Some(key) => builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(key))),
        None => builder.with_no_client_auth(),
    })
}

pub fn first_certificate(pem: &[u8]) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem).unwrap()
}

pub fn tls_version(tls13: bool) -> ProtocolVersion {
    if tls13 {
        ProtocolVersion::TLSv1_3
    } else {
        ProtocolVersion::TLSv1_2
    }
}
