//! `ampwise-bench-echo`: the floor of the OCPP benchmark (docs/benchmarks.md). A tokio-tungstenite
//! server with the same WebSocket buffers as Ampwise's central system that answers every CALL
//! without parsing its JSON: it copies the message id and picks one of three canned answers by
//! looking for the action's name. What Ampwise spends above this is the price of its protocol work.
//!
//!     ampwise-bench-echo --port 19532

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use time::macros::format_description;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

const MAX_MESSAGE_BYTES: usize = 64 * 1024;

#[derive(Debug, Parser)]
#[command(
    name = "ampwise-bench-echo",
    version,
    about = "Answers OCPP CALLs without parsing them: the benchmark's floor (loopback only)"
)]
struct Cli {
    /// TCP port on 127.0.0.1
    #[arg(long)]
    port: u16,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Multi-threaded like ampwised: pinned to one core it gets one worker, as ampwised does.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ampwise-bench-echo: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(cli.port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ampwise-bench-echo: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(port: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    eprintln!("ampwise-bench-echo listening on 127.0.0.1:{port}");
    let stop = stop_signal()?;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(answer_calls(stream));
                }
                Err(error) => {
                    eprintln!("ampwise-bench-echo: accept failed: {error}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            },
        }
    }
}

/// Resolves on SIGTERM or Ctrl+C, the ways the benchmark script stops a server.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn websocket_config() -> WebSocketConfig {
    // The same buffers as Ampwise's server (src-tauri/crates/core/src/ocpp/server.rs).
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_MESSAGE_BYTES * 4)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
}

async fn answer_calls(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        echo_ocpp16,
        Some(websocket_config()),
    )
    .await
    else {
        return;
    };
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Some(answer) = canned_answer(text.as_str()) else {
            continue;
        };
        if ws.send(Message::text(answer)).await.is_err() {
            return;
        }
    }
}

/// Accepts every upgrade, echoing the ocpp1.6 subprotocol when the client offers it.
// The callback's error type is tungstenite's HTTP response; it is never built here.
#[allow(clippy::result_large_err)]
fn echo_ocpp16(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    let offered = request
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|protocol| protocol.trim() == "ocpp1.6");
    if offered {
        response.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("ocpp1.6"),
        );
    }
    Ok(response)
}

/// `[2,"<id>","<Action>",…]` → a CALLRESULT for that id, found by scanning, not parsing.
fn canned_answer(call: &str) -> Option<String> {
    let rest = call.strip_prefix("[2,\"")?;
    let end = rest.find('"')?;
    let (id, after) = rest.split_at(end);
    let payload = if after.starts_with("\",\"Heartbeat\"") {
        format!(r#"{{"currentTime":"{}"}}"#, now())
    } else if after.starts_with("\",\"BootNotification\"") {
        format!(
            r#"{{"status":"Accepted","currentTime":"{}","interval":300}}"#,
            now()
        )
    } else {
        "{}".to_owned()
    };
    Some(format!(r#"[3,"{id}",{payload}]"#))
}

fn now() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    time::OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn answers_by_id_and_action_without_parsing() {
        let heartbeat = canned_answer(r#"[2,"17","Heartbeat",{}]"#).unwrap();
        assert!(
            heartbeat.starts_with(r#"[3,"17",{"currentTime":""#),
            "{heartbeat}"
        );
        let boot = canned_answer(r#"[2,"1","BootNotification",{"a":1}]"#).unwrap();
        assert!(boot.contains(r#""status":"Accepted""#), "{boot}");
        assert_eq!(
            canned_answer(r#"[2,"9","MeterValues",{"connectorId":1}]"#).unwrap(),
            r#"[3,"9",{}]"#
        );
        assert_eq!(canned_answer(r#"[3,"9",{}]"#), None);
        assert_eq!(canned_answer("[2,\"unterminated"), None);
    }
}
