//! OCPP over TLS between the Python charge point (the PyPI `ocpp` package on Python's `ssl`, i.e.
//! OpenSSL) and the central system, over real loopback sockets: the TLS modes off, detect and on;
//! security profile 2 (TLS and a password) and 3 (client certificates); the user's own server
//! certificate; and mode changes while the core runs. Every certificate that is not Ampwise's own
//! self-signed one is made with the `openssl` command the way the user documentation shows.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ampwise_core::config::{Config, OcppServerSettings, ServerCertificate, TlsMode};
use ampwise_core::ocpp::server::{ServerPassword, ServerPolicy};
use ampwise_core::secrets::{Secret, SecretName};
use ampwise_core::tls;
use ampwise_e2e::ocpp_peer::{
    config_with, free_port, ocpp_wallbox, python_charge_point, start_core, RunningCore,
};
use serde_json::Value;

const CHARGE_BOX_ID: &str = "CB-0001";
/// The pass phrase of the `-des3` root keys; the documented commands would prompt for it.
const ROOT_KEY_PASSPHRASE: &str = "pass:root-key-passphrase";

// ---------------------------------------------------------------------------------------------
// Certificates, made with the openssl command line as in the user documentation

/// A certificate file and its private key file.
struct Issued {
    certificate: PathBuf,
    key: PathBuf,
}

/// A directory where the `openssl` commands run, as a user would run them in a shell.
struct Openssl {
    dir: tempfile::TempDir,
}

impl Openssl {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir for openssl"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) {
        let output = std::process::Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("the openssl command runs (is OpenSSL installed?)");
        assert!(
            output.status.success(),
            "openssl {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The documentation's UTF-8 configuration file: `[req]`, `[dn]` with umlauts, `[ext]`.
    fn write_config(&self, name: &str, common_name: &str, subject_alt_name: &str) {
        let text = format!(
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
             subjectAltName = {subject_alt_name}\n"
        );
        std::fs::write(self.path(name), text).expect("openssl config written");
    }

    /// `openssl genrsa -des3 -out rootCA.key 4096` and
    /// `openssl req -x509 -new -nodes -key rootCA.key -sha256 -days 365 -out rootCA.crt -config rootCA.cnf -utf8`.
    fn root_ca(&self, stem: &str, common_name: &str) -> Issued {
        let (cnf, key, crt) = (
            format!("{stem}.cnf"),
            format!("{stem}.key"),
            format!("{stem}.crt"),
        );
        self.write_config(
            &cnf,
            common_name,
            "DNS:tiefgarage-koeln.de,DNS:*.tiefgarage-koeln.de",
        );
        self.run(&[
            "genrsa",
            "-des3",
            "-passout",
            ROOT_KEY_PASSPHRASE,
            "-out",
            &key,
            "4096",
        ]);
        self.run(&[
            "req",
            "-x509",
            "-new",
            "-nodes",
            "-key",
            &key,
            "-passin",
            ROOT_KEY_PASSPHRASE,
            "-sha256",
            "-days",
            "365",
            "-out",
            &crt,
            "-config",
            &cnf,
            "-utf8",
        ]);
        Issued {
            certificate: self.path(&crt),
            key: self.path(&key),
        }
    }

    /// `openssl genrsa -out client.key 2048`,
    /// `openssl req -new -key client.key -out client.csr -config client.cnf -utf8` and
    /// `openssl x509 -req -in client.csr -CA rootCA.crt -CAkey rootCA.key -CAcreateserial -out client.crt -days 365 -sha256`.
    fn client_certificate(&self, stem: &str, root: &Issued, common_name: &str) -> Issued {
        let (cnf, key, csr, crt) = (
            format!("{stem}.cnf"),
            format!("{stem}.key"),
            format!("{stem}.csr"),
            format!("{stem}.crt"),
        );
        self.write_config(&cnf, common_name, "DNS:cb-0001.tiefgarage-koeln.de");
        self.run(&["genrsa", "-out", &key, "2048"]);
        self.run(&[
            "req", "-new", "-key", &key, "-out", &csr, "-config", &cnf, "-utf8",
        ]);
        let root_certificate = root.certificate.to_str().expect("UTF-8 path");
        let root_key = root.key.to_str().expect("UTF-8 path");
        self.run(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            root_certificate,
            "-CAkey",
            root_key,
            "-passin",
            ROOT_KEY_PASSPHRASE,
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            "365",
            "-sha256",
        ]);
        Issued {
            certificate: self.path(&crt),
            key: self.path(&key),
        }
    }

    /// A self-signed RSA server certificate naming 127.0.0.1, from the same kind of config file
    /// (`-extensions ext` puts the subjectAltName into the certificate itself).
    fn server_certificate(&self, stem: &str) -> Issued {
        let (cnf, key, crt) = (
            format!("{stem}.cnf"),
            format!("{stem}.key"),
            format!("{stem}.crt"),
        );
        self.write_config(
            &cnf,
            "ampwise.tiefgarage-koeln.de",
            "IP:127.0.0.1,DNS:localhost",
        );
        self.run(&["genrsa", "-out", &key, "2048"]);
        self.run(&[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-sha256",
            "-days",
            "365",
            "-out",
            &crt,
            "-config",
            &cnf,
            "-extensions",
            "ext",
            "-utf8",
        ]);
        Issued {
            certificate: self.path(&crt),
            key: self.path(&key),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The core and the charge point

fn server(tls_mode: TlsMode) -> OcppServerSettings {
    OcppServerSettings {
        tls_mode,
        ..OcppServerSettings::default()
    }
}

async fn start(tls_mode: TlsMode) -> RunningCore {
    start_core(config_with(
        free_port(),
        server(tls_mode),
        vec![ocpp_wallbox("garage", CHARGE_BOX_ID)],
    ))
    .await
}

/// Ampwise's own self-signed server certificate, which charge points are given to trust.
fn self_signed_certificate(running: &RunningCore) -> PathBuf {
    running
        .data_dir()
        .join(tls::TLS_DIR)
        .join(tls::SELF_SIGNED_CERTIFICATE_FILE)
}

/// A path for the charge point's command line. It must exist: a missing `--cafile` would make the
/// charge point fail before it even connects, which a test expecting a failure would take for one.
fn existing(path: &Path) -> &str {
    assert!(path.exists(), "{} is missing", path.display());
    path.to_str().expect("UTF-8 path")
}

/// Runs the charge point (the `session` scenario unless `extra` says otherwise) against `url`.
async fn charge_point(url: &str, extra: &[&str]) -> Value {
    charge_point_as(CHARGE_BOX_ID, url, extra).await
}

async fn charge_point_as(charge_box_id: &str, url: &str, extra: &[&str]) -> Value {
    let mut args = vec!["--url", url, "--id", charge_box_id];
    args.extend_from_slice(extra);
    python_charge_point(&args).await
}

fn assert_session_completed(result: &Value, what: &str) {
    assert_eq!(result["subprotocol"], "ocpp1.6", "{what}: {result}");
    assert_eq!(result["boot"]["status"], "Accepted", "{what}: {result}");
    assert_eq!(result["authorize"], "Accepted", "{what}: {result}");
    assert_eq!(result["start"]["status"], "Accepted", "{what}: {result}");
    assert!(result["stop"].is_object(), "{what}: {result}");
}

/// What the charge point reports when the server closed the connection instead of answering the
/// upgrade request: a plain client at a TLS port, or a refused TLS 1.3 client certificate.
const NO_HTTP_ANSWER: &str = "did not receive a valid HTTP response";
/// What the charge point reports when its TLS handshake met a server that does not speak TLS.
const NO_TLS_ANSWER: &[&str] = &[
    "ConnectionResetError",
    "SSLEOFError",
    "UNEXPECTED_EOF",
    "WRONG_VERSION_NUMBER",
];

/// The connection failed below HTTP (TCP or TLS), and `detail` says why when given.
fn assert_connection_failed(result: &Value, what: &str, because_of_any: &[&str]) {
    let detail = result["connection_failed"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: the connection should have failed, got {result}"));
    if !because_of_any.is_empty() {
        assert!(
            because_of_any.iter().any(|reason| detail.contains(reason)),
            "{what}: expected a failure because of one of {because_of_any:?}, got: {detail}"
        );
    }
}

/// Waits until the server applies a configuration or password change: the policy is rebuilt
/// asynchronously after `update_config` and `set_secret` return.
async fn wait_for_policy(
    running: &RunningCore,
    what: &str,
    applied: impl Fn(&ServerPolicy) -> bool,
) -> Arc<ServerPolicy> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let policy = running.core.ocpp().shared.policy();
        if applied(&policy) {
            return policy;
        }
        assert!(
            Instant::now() < deadline,
            "the OCPP server did not apply {what} within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Applies `change` to the running configuration and waits until the server uses the result.
async fn reconfigure(running: &RunningCore, what: &str, change: impl FnOnce(&mut Config)) {
    let before = running.core.ocpp().shared.policy();
    let mut config = Config::clone(&running.core.config());
    change(&mut config);
    running
        .core
        .update_config(config)
        .await
        .unwrap_or_else(|error| panic!("{what}: the configuration was refused: {error}"));
    wait_for_policy(running, what, |policy| {
        !std::ptr::eq(policy, Arc::as_ptr(&before))
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// TLS modes

#[tokio::test(flavor = "multi_thread")]
async fn tls_on_serves_wss_with_the_self_signed_certificate_and_refuses_plain_ws() {
    let running = start(TlsMode::On).await;
    let cafile = self_signed_certificate(&running);

    let secure = charge_point(
        &running.url("wss", &format!("ocpp/{CHARGE_BOX_ID}")),
        &["--cafile", existing(&cafile)],
    )
    .await;
    assert_session_completed(&secure, "wss:// trusting the self-signed certificate");
    let transaction_id = secure["start"]["transaction_id"]
        .as_i64()
        .expect("a transaction id");
    let store = ampwise_core::store::Store::open_in_data_dir(&running.data_dir()).expect("store");
    let session = store
        .session(i32::try_from(transaction_id).expect("fits"))
        .expect("query")
        .expect("the session over wss:// was recorded");
    assert_eq!(session.charge_box_id, CHARGE_BOX_ID);
    assert!(session.stop.is_some(), "the session was stopped");

    let plain = charge_point(&running.url("ws", &format!("ocpp/{CHARGE_BOX_ID}")), &[]).await;
    assert_connection_failed(&plain, "plain ws:// to a TLS-only port", &[NO_HTTP_ANSWER]);
    running.core.shutdown_and_wait().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_detect_serves_ws_and_wss_on_the_same_port() {
    let running = start(TlsMode::Detect).await;
    let cafile = self_signed_certificate(&running);

    let plain = charge_point(&running.url("ws", CHARGE_BOX_ID), &[]).await;
    assert_session_completed(&plain, "ws:// in detect mode");
    let secure = charge_point(
        &running.url("wss", CHARGE_BOX_ID),
        &["--cafile", existing(&cafile)],
    )
    .await;
    assert_session_completed(&secure, "wss:// in detect mode");
    // And plain again, after a TLS client: detection is per connection.
    let plain = charge_point(&running.url("ws", CHARGE_BOX_ID), &[]).await;
    assert_session_completed(&plain, "ws:// after wss:// in detect mode");
    running.core.shutdown_and_wait().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_off_serves_only_plain_ws() {
    let running = start(TlsMode::Off).await;
    // With TLS off the server never makes its certificate; make it, so the charge point trusts
    // the certificate the server would use and can only fail because the server does not do TLS.
    let pair = tls::ensure_self_signed(&running.data_dir()).expect("self-signed certificate");

    let plain = charge_point(&running.url("ws", CHARGE_BOX_ID), &[]).await;
    assert_session_completed(&plain, "ws:// with TLS off");
    let secure = charge_point(
        &running.url("wss", CHARGE_BOX_ID),
        &["--cafile", existing(&pair.certificate)],
    )
    .await;
    assert_connection_failed(&secure, "wss:// with TLS off", NO_TLS_ANSWER);
    running.core.shutdown_and_wait().await;
}

// ---------------------------------------------------------------------------------------------
// Security profiles

#[tokio::test(flavor = "multi_thread")]
async fn security_profile_2_needs_the_password_over_tls() {
    let running = start(TlsMode::On).await;
    running
        .core
        .set_secret(
            SecretName::OcppServerPassword,
            Secret::new("wallbox-secret-2").expect("secret"),
        )
        .await
        .expect("password stored");
    wait_for_policy(&running, "the password", |policy| {
        matches!(policy.password, ServerPassword::Required(_))
    })
    .await;
    let url = running.url("wss", CHARGE_BOX_ID);
    let cafile = self_signed_certificate(&running);
    let cafile = existing(&cafile);

    let without = charge_point(&url, &["--cafile", cafile]).await;
    assert_eq!(without["rejected"], 401, "no password: {without}");
    let wrong = charge_point(
        &url,
        &["--cafile", cafile, "--password", "wallbox-secret-3"],
    )
    .await;
    assert_eq!(wrong["rejected"], 401, "wrong password: {wrong}");
    let right = charge_point(
        &url,
        &["--cafile", cafile, "--password", "wallbox-secret-2"],
    )
    .await;
    assert_session_completed(&right, "the right password over wss://");
    running.core.shutdown_and_wait().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn security_profile_3_lets_in_only_client_certificates_from_the_stored_ca() {
    let openssl = Openssl::new();
    let root = openssl.root_ca("rootCA", "Tiefgarage Köln Root CA");
    let client = openssl.client_certificate("client", &root, CHARGE_BOX_ID);
    // A CA with a different name, and an impostor with the very same name as the trusted root:
    // neither may vouch for a charge point.
    let other_root = openssl.root_ca("otherCA", "Fremde CA");
    let other_client = openssl.client_certificate("other-client", &other_root, CHARGE_BOX_ID);
    let impostor_root = openssl.root_ca("impostorCA", "Tiefgarage Köln Root CA");
    let impostor_client =
        openssl.client_certificate("impostor-client", &impostor_root, CHARGE_BOX_ID);

    let running = start(TlsMode::On).await;
    let root_pem = std::fs::read(&root.certificate).expect("root certificate");
    let stored = tls::import_ca_certificate(&running.data_dir(), "Tiefgarage Köln Root", &root_pem)
        .expect("the openssl root CA is imported");
    reconfigure(&running, "client_ca", |config| {
        config.certificates.client_ca = vec![stored];
    })
    .await;

    let url = running.url("wss", CHARGE_BOX_ID);
    let cafile = self_signed_certificate(&running);
    let cafile = existing(&cafile);
    for version in ["1.3", "1.2"] {
        let attempt = async |client: Option<&Issued>| {
            let mut args = vec!["--cafile", cafile, "--tls-max-version", version];
            if let Some(issued) = client {
                args.extend([
                    "--client-cert",
                    existing(&issued.certificate),
                    "--client-key",
                    existing(&issued.key),
                ]);
            }
            charge_point(&url, &args).await
        };

        let accepted = attempt(Some(&client)).await;
        assert_session_completed(
            &accepted,
            &format!("TLS {version}: a client certificate the stored root issued"),
        );
        // In TLS 1.2 the server's alert ends the handshake. In TLS 1.3 the client has finished its
        // side and sent the upgrade request before the server checks the certificate; the server
        // sends the same alerts then, but the websockets package reports only that the answer
        // never came.
        let (missing, untrusted): (&[&str], &[&str]) = if version == "1.2" {
            (
                &["CERTIFICATE_REQUIRED", "HANDSHAKE_FAILURE"],
                &["UNKNOWN_CA", "BAD_CERTIFICATE"],
            )
        } else {
            (&[NO_HTTP_ANSWER], &[NO_HTTP_ANSWER])
        };
        for (what, presented, because) in [
            ("no client certificate", None, missing),
            (
                "a client certificate from another CA",
                Some(&other_client),
                untrusted,
            ),
            (
                "a client certificate from a CA that only copies the root's name",
                Some(&impostor_client),
                untrusted,
            ),
        ] {
            let refused = attempt(presented).await;
            assert_connection_failed(&refused, &format!("TLS {version}: {what}"), because);
        }
    }
    running.core.shutdown_and_wait().await;
}

// ---------------------------------------------------------------------------------------------
// The user's own server certificate, and changes at run time

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_server_certificate_is_the_one_presented() {
    let openssl = Openssl::new();
    let own = openssl.server_certificate("own-server");

    let running = start(TlsMode::On).await;
    let certificate_pem = std::fs::read(&own.certificate).expect("server certificate");
    let key_pem = std::fs::read(&own.key).expect("server key");
    let pair = tls::import_server_certificate(&running.data_dir(), &certificate_pem, &key_pem)
        .expect("the openssl server certificate is imported");
    reconfigure(&running, "the imported server certificate", |config| {
        config.certificates.server = ServerCertificate::Imported(pair);
    })
    .await;

    let url = running.url("wss", CHARGE_BOX_ID);
    let trusting_own = charge_point(&url, &["--cafile", existing(&own.certificate)]).await;
    assert_session_completed(&trusting_own, "trusting only the imported certificate");
    // Ampwise's self-signed certificate, made at start, is no longer what the server presents.
    let self_signed = self_signed_certificate(&running);
    let trusting_self_signed = charge_point(&url, &["--cafile", existing(&self_signed)]).await;
    assert_connection_failed(
        &trusting_self_signed,
        "trusting only the self-signed certificate",
        &["CERTIFICATE_VERIFY_FAILED"],
    );
    running.core.shutdown_and_wait().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tls_mode_changes_without_a_restart() {
    const HOLDING_ID: &str = "CB-0002";
    let running = start_core(config_with(
        free_port(),
        server(TlsMode::Off),
        vec![
            ocpp_wallbox("garage", CHARGE_BOX_ID),
            ocpp_wallbox("carport", HOLDING_ID),
        ],
    ))
    .await;
    let ws = running.url("ws", CHARGE_BOX_ID);
    let wss = running.url("wss", CHARGE_BOX_ID);
    let plain = charge_point(&ws, &[]).await;
    assert_session_completed(&plain, "ws:// with TLS off");

    // A charge point connected over ws:// before the change keeps its connection.
    // (Another charge point: a new connection of the same one would replace it.)
    let holding = tokio::spawn({
        let url = running.url("ws", HOLDING_ID);
        async move {
            charge_point_as(
                HOLDING_ID,
                &url,
                &["--scenario", "boot-and-wait", "--hold", "3"],
            )
            .await
        }
    });
    let connected = Instant::now();
    while running.core.ocpp().registry().handle(HOLDING_ID).is_none() {
        assert!(
            connected.elapsed() < Duration::from_secs(10),
            "the holding charge point never connected"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    reconfigure(&running, "TLS on", |config| {
        config.ocpp_server.tls_mode = TlsMode::On;
    })
    .await;
    let cafile = self_signed_certificate(&running);
    let cafile = existing(&cafile);
    let secure = charge_point(&wss, &["--cafile", cafile]).await;
    assert_session_completed(&secure, "wss:// after switching TLS on");
    let plain = charge_point(&ws, &[]).await;
    assert_connection_failed(&plain, "ws:// after switching TLS on", &[NO_HTTP_ANSWER]);

    let held = tokio::time::timeout(Duration::from_secs(30), holding)
        .await
        .expect("the holding charge point finished")
        .expect("task");
    assert_eq!(held["boot"]["status"], "Accepted", "{held}");
    assert!(
        held.get("closed_by_server").is_none(),
        "an open connection must survive the mode change: {held}"
    );

    reconfigure(&running, "TLS detect", |config| {
        config.ocpp_server.tls_mode = TlsMode::Detect;
    })
    .await;
    let plain = charge_point(&ws, &[]).await;
    assert_session_completed(&plain, "ws:// after switching to detect");
    let secure = charge_point(&wss, &["--cafile", cafile]).await;
    assert_session_completed(&secure, "wss:// after switching to detect");

    reconfigure(&running, "TLS off", |config| {
        config.ocpp_server.tls_mode = TlsMode::Off;
    })
    .await;
    let secure = charge_point(&wss, &["--cafile", cafile]).await;
    assert_connection_failed(&secure, "wss:// after switching TLS off", NO_TLS_ANSWER);
    assert_eq!(
        running.core.ocpp().local_addr().map(|addr| addr.port()),
        Some(running.port),
        "still the same listener"
    );
    running.core.shutdown_and_wait().await;
}
