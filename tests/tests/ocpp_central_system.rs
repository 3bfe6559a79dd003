//! The OCPP 1.6J central system against a charge point written with the PyPI `ocpp` package, over
//! real sockets: boot, status, authorize, a charging session with signed meter data, refusals.

use std::time::Duration;

use ampwise_core::secrets::{Secret, SecretName};
use ampwise_e2e::ocpp_peer::{python_charge_point, start_accepting_unknown, start_with_wallbox};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread")]
async fn a_charging_session_from_boot_to_stop_is_recorded() {
    let running = start_with_wallbox("CB-0001").await;
    let url = running.url("ws", "ocpp/CB-0001");
    let result = python_charge_point(&["--url", &url, "--id", "CB-0001"]).await;

    assert_eq!(result["subprotocol"], "ocpp1.6", "{result}");
    assert_eq!(result["boot"]["status"], "Accepted", "{result}");
    assert_eq!(result["boot"]["interval"], 300);
    assert_eq!(result["authorize"], "Accepted");
    assert_eq!(result["start"]["status"], "Accepted");
    let transaction_id = result["start"]["transaction_id"]
        .as_i64()
        .expect("a transaction id");
    assert!(transaction_id > 0);

    // The session is in the database, with the energy and the signed data exactly as sent.
    let store = ampwise_core::store::Store::open_in_data_dir(&running.data_dir()).expect("store");
    let session = store
        .session(i32::try_from(transaction_id).expect("fits"))
        .expect("query")
        .expect("the session was recorded");
    assert_eq!(session.charge_box_id, "CB-0001");
    assert_eq!(session.device_id.as_deref(), Some("garage"));
    assert_eq!(session.id_tag, "04A2B3C4");
    assert_eq!(session.meter_start_wh, 1000);
    let stop = session.stop.as_ref().expect("stopped");
    assert_eq!(stop.meter_stop_wh, 5345);
    assert_eq!(stop.energy_wh, 4345);
    assert_eq!(stop.reason.as_deref(), Some("EVDisconnected"));
    let ocmf = result["ocmf"].as_str().expect("the OCMF string");
    let signed: Vec<&str> = session
        .signed_meter_data
        .iter()
        .map(|data| data.raw.as_str())
        .collect();
    assert_eq!(signed, [ocmf, ocmf], "signed data must pass byte for byte");

    // The live state has the readings, converted to W and A per phase.
    let connector = running
        .core
        .ocpp()
        .live
        .connector("CB-0001", 1)
        .expect("connector 1 is known");
    assert_eq!(connector.status.as_deref(), Some("Available"));
    assert_eq!(connector.reading.power_w, Some(7100.0));
    assert_eq!(
        connector.reading.current_a,
        [Some(10.2), Some(10.3), Some(10.4)]
    );
    assert_eq!(connector.transaction_id, None);
    // The message log kept the conversation for the UI.
    let log = running.core.ocpp().registry().log("CB-0001").messages();
    assert!(log.iter().any(|m| m.text.contains("\"BootNotification\"")));
    running.core.shutdown_and_wait().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_charge_point_is_refused_with_404_and_remembered() {
    let running = start_with_wallbox("CB-0001").await;
    let url = running.url("ws", "STRANGER");
    let result = python_charge_point(&["--url", &url, "--id", "STRANGER"]).await;
    assert_eq!(result["rejected"], 404, "{result}");
    let refused = running.core.ocpp().registry().refused();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].charge_box_id, "STRANGER");

    // With "accept unknown" on, the same charge point gets in.
    let running = start_accepting_unknown().await;
    let url = running.url("ws", "STRANGER");
    let result = python_charge_point(&["--url", &url, "--id", "STRANGER"]).await;
    assert_eq!(result["boot"]["status"], "Accepted", "{result}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_is_required_when_set() {
    let running = start_with_wallbox("CB-0001").await;
    running
        .core
        .set_secret(
            SecretName::OcppServerPassword,
            Secret::new("wallbox-secret-1").expect("secret"),
        )
        .await
        .expect("password stored");
    let url = running.url("ws", "CB-0001");
    // The server picks the password up without a restart.
    let mut rejected = serde_json::Value::Null;
    for _ in 0..50 {
        rejected = python_charge_point(&[
            "--url",
            &url,
            "--id",
            "CB-0001",
            "--scenario",
            "heartbeat-before-boot",
        ])
        .await;
        if rejected.get("rejected").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rejected["rejected"], 401, "no password: {rejected}");
    let wrong =
        python_charge_point(&["--url", &url, "--id", "CB-0001", "--password", "nope"]).await;
    assert_eq!(wrong["rejected"], 401, "wrong password: {wrong}");
    let right = python_charge_point(&[
        "--url",
        &url,
        "--id",
        "CB-0001",
        "--password",
        "wallbox-secret-1",
    ])
    .await;
    assert_eq!(right["boot"]["status"], "Accepted", "{right}");
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_before_boot_get_security_error() {
    let running = start_with_wallbox("CB-NEW").await;
    let url = running.url("ws", "CB-NEW");
    let result = python_charge_point(&[
        "--url",
        &url,
        "--id",
        "CB-NEW",
        "--scenario",
        "heartbeat-before-boot",
    ])
    .await;
    assert_eq!(result["heartbeat"], "SecurityError", "{result}");
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_frames_get_callerrors_and_the_connection_lives_on() {
    let running = start_accepting_unknown().await;
    let mut request = running
        .url("ws", "RAW-1")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "ocpp1.6".parse().expect("header value"),
    );
    let (mut ws, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connected");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "ocpp1.6",
        "the subprotocol is echoed"
    );

    let mut exchange = async |text: &str| -> serde_json::Value {
        ws.send(Message::text(text)).await.expect("sent");
        loop {
            match ws.next().await.expect("an answer").expect("a frame") {
                Message::Text(answer) => {
                    let answer: serde_json::Value =
                        serde_json::from_str(answer.as_str()).expect("JSON answer");
                    if answer[0] == 2 {
                        // The central system configuring this "wallbox" after boot: refuse politely
                        // and keep waiting for the answer to our own CALL.
                        let refusal = serde_json::json!([4, answer[1], "NotSupported", "", {}]);
                        ws.send(Message::text(refusal.to_string()))
                            .await
                            .expect("sent");
                        continue;
                    }
                    return answer;
                }
                _ => continue,
            }
        }
    };
    // Before its BootNotification is accepted, a charge point gets SecurityError (errata).
    let answer = exchange(r#"[2,"early","Heartbeat",{}]"#).await;
    assert_eq!(answer[2], "SecurityError", "{answer}");
    let answer = exchange(r#"[2,"m1","BootNotification",{"chargePointVendor":"V"}]"#).await;
    assert_eq!(
        answer[2], "ProtocolError",
        "a boot without a model: {answer}"
    );
    let answer = exchange(
        r#"[2,"boot","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]"#,
    )
    .await;
    assert_eq!(answer[0], 3, "{answer}");
    assert_eq!(answer[2]["status"], "Accepted");

    let cases = [
        (r#"[2,"m2","Heartbeat",[]]"#, "m2", "FormationViolation"),
        (r#"[2,"m3","NoSuchAction",{}]"#, "m3", "NotImplemented"),
        (r#"[2,"m4","Reset",{"type":"Hard"}]"#, "m4", "NotSupported"),
        (
            r#"[2,"m5","BootNotification",{"chargePointVendor":"V","chargePointModel":7}]"#,
            "m5",
            "TypeConstraintViolation",
        ),
        (r#"[2,"m6""#, "m6", "FormationViolation"),
    ];
    for (frame, id, code) in cases {
        let answer = exchange(frame).await;
        assert_eq!(answer[0], 4, "{frame} → {answer}");
        assert_eq!(answer[1], id, "{frame} → {answer}");
        assert_eq!(answer[2], code, "{frame} → {answer}");
    }
    // Still alive: a proper request works on the same connection.
    let answer = exchange(r#"[2,"ok","Heartbeat",{}]"#).await;
    assert_eq!(answer[0], 3, "{answer}");
    assert!(answer[2]["currentTime"].is_string(), "{answer}");

    // An oversized frame is refused by closing this connection; a new one works.
    let huge = format!(
        r#"[2,"big","DataTransfer",{{"vendorId":"x","data":"{}"}}]"#,
        "x".repeat(200_000)
    );
    let _ = ws.send(Message::text(huge)).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert_eq!(
        closed,
        Ok(true),
        "an oversized frame must end the connection"
    );
    let url = running.url("ws", "RAW-1");
    let result = python_charge_point(&["--url", &url, "--id", "RAW-1"]).await;
    assert_eq!(result["boot"]["status"], "Accepted", "{result}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_connection_replaces_the_first() {
    let running = start_with_wallbox("CB-0001").await;
    let url = running.url("ws", "CB-0001");
    let first = tokio::spawn({
        let url = url.clone();
        async move {
            python_charge_point(&[
                "--url",
                &url,
                "--id",
                "CB-0001",
                "--scenario",
                "boot-and-wait",
                "--hold",
                "30",
            ])
            .await
        }
    });
    // Wait until the first one is connected, then connect again.
    for _ in 0..100 {
        if !running.core.ocpp().registry().connected_ids().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first_connection = running
        .core
        .ocpp()
        .registry()
        .handle("CB-0001")
        .expect("first connection registered")
        .connection_id();
    let second = python_charge_point(&["--url", &url, "--id", "CB-0001"]).await;
    assert_eq!(second["boot"]["status"], "Accepted", "{second}");
    // The first charge point process saw its connection closed long before its 30 s hold.
    let first = tokio::time::timeout(Duration::from_secs(20), first)
        .await
        .expect("the replaced connection was closed")
        .expect("task");
    assert_eq!(first["closed_by_server"], true, "{first}");
    let current = running.core.ocpp().registry().handle("CB-0001");
    assert!(current.is_none_or(|handle| handle.connection_id() != first_connection));
}
