//! The OCPP-J text the simulated charge points send and how they read the central system's answers.
//!
//! Written by hand rather than with Ampwise's own protocol crate, so that a bug there cannot hide
//! itself in the benchmark.

use serde_json::Value;
use time::macros::format_description;
use time::OffsetDateTime;

/// The CALLs a charge point sends in the measured phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageKind {
    Heartbeat,
    /// StatusNotification of connector 1, alternating Available and Charging.
    Status,
    /// MeterValues of connector 1 as a 3-phase wallbox sends them: energy, power, three currents.
    Meter,
}

/// What a CALLRESULT must contain to count as a correct answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `status: "Accepted"`.
    BootAccepted,
    /// A `currentTime` string.
    CurrentTime,
    /// An object (the empty responses of StatusNotification and MeterValues).
    Object,
}

impl MessageKind {
    pub fn expect(self) -> Expect {
        match self {
            MessageKind::Heartbeat => Expect::CurrentTime,
            MessageKind::Status | MessageKind::Meter => Expect::Object,
        }
    }
}

/// RFC 3339 in UTC with milliseconds, as wallboxes send it.
fn timestamp() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    // Formatting a UTC instant with this description cannot fail; the epoch is a harmless fallback.
    OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

pub fn boot_notification(message_id: u64, charge_point_id: &str) -> String {
    format!(
        r#"[2,"{message_id}","BootNotification",{{"chargePointVendor":"Ampwise","chargePointModel":"LoadGen","chargePointSerialNumber":{serial},"firmwareVersion":"{version}"}}]"#,
        serial = Value::from(charge_point_id),
        version = env!("CARGO_PKG_VERSION"),
    )
}

/// The CALL of `kind`; `sequence` varies the content the way a real charge point's would.
pub fn call(kind: MessageKind, message_id: u64, sequence: u64) -> String {
    match kind {
        MessageKind::Heartbeat => format!(r#"[2,"{message_id}","Heartbeat",{{}}]"#),
        MessageKind::Status => {
            let status = if sequence.is_multiple_of(2) {
                "Available"
            } else {
                "Charging"
            };
            format!(
                r#"[2,"{message_id}","StatusNotification",{{"connectorId":1,"errorCode":"NoError","status":"{status}","timestamp":"{}"}}]"#,
                timestamp()
            )
        }
        MessageKind::Meter => {
            let energy_wh = 10_000 + sequence * 3;
            let current_a = 16 + sequence % 3;
            let power_w = current_a * 230 * 3;
            format!(
                concat!(
                    r#"[2,"{id}","MeterValues",{{"connectorId":1,"meterValue":[{{"timestamp":"{at}","sampledValue":["#,
                    r#"{{"value":"{energy}","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh"}},"#,
                    r#"{{"value":"{power}","context":"Sample.Periodic","measurand":"Power.Active.Import","unit":"W"}},"#,
                    r#"{{"value":"{current}.0","context":"Sample.Periodic","measurand":"Current.Import","phase":"L1","unit":"A"}},"#,
                    r#"{{"value":"{current}.0","context":"Sample.Periodic","measurand":"Current.Import","phase":"L2","unit":"A"}},"#,
                    r#"{{"value":"{current}.0","context":"Sample.Periodic","measurand":"Current.Import","phase":"L3","unit":"A"}}"#,
                    r#"]}}]}}]"#
                ),
                id = message_id,
                at = timestamp(),
                energy = energy_wh,
                power = power_w,
                current = current_a,
            )
        }
    }
}

/// The answer to a CALL of the central system. What a central system sends right after a boot
/// (reading and changing configuration) gets a wallbox's usual answer, so it goes on as it would
/// with real hardware; anything else is refused politely.
pub fn answer_central_system(message_id: &str, action: &str) -> String {
    let id = Value::from(message_id);
    match action {
        "GetConfiguration" => format!(r#"[3,{id},{{"configurationKey":[]}}]"#),
        "ChangeConfiguration" => format!(r#"[3,{id},{{"status":"Accepted"}}]"#),
        _ => format!(
            r#"[4,{id},"NotSupported","the load generator does not support {action}",{{}}]"#
        ),
    }
}

/// A message from the central system, as far as the load generator cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Result { id: String, payload: Value },
    Error { id: String, code: String },
    Call { id: String, action: String },
    Malformed(String),
}

pub fn read(text: &str) -> Incoming {
    let frame: Vec<Value> = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(error) => return Incoming::Malformed(format!("not a JSON array: {error}")),
    };
    let id = || match frame.get(1) {
        Some(Value::String(id)) => Some(id.clone()),
        _ => None,
    };
    match (frame.first().and_then(Value::as_u64), id()) {
        (Some(2), Some(id)) if frame.len() == 4 => match frame.get(2).and_then(Value::as_str) {
            Some(action) => Incoming::Call {
                id,
                action: action.to_owned(),
            },
            None => Incoming::Malformed(format!("a CALL without an action: {}", preview(text))),
        },
        (Some(3), Some(id)) if frame.len() == 3 => Incoming::Result {
            id,
            payload: frame.get(2).cloned().unwrap_or(Value::Null),
        },
        (Some(4), Some(id)) if frame.len() == 5 => Incoming::Error {
            id,
            code: frame
                .get(2)
                .and_then(Value::as_str)
                .unwrap_or("(no code)")
                .to_owned(),
        },
        _ => Incoming::Malformed(format!("not an OCPP-J frame: {}", preview(text))),
    }
}

/// Whether a CALLRESULT payload is the answer `expect` asks for; `Err` says what is wrong.
pub fn check_answer(expect: Expect, payload: &Value) -> Result<(), String> {
    let fits = match expect {
        Expect::BootAccepted => payload.get("status").and_then(Value::as_str) == Some("Accepted"),
        Expect::CurrentTime => payload.get("currentTime").is_some_and(Value::is_string),
        Expect::Object => payload.is_object(),
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "unexpected answer {:?}: {}",
            expect,
            preview(&payload.to_string())
        ))
    }
}

/// The start of a long text, for error messages.
pub fn preview(text: &str) -> String {
    const LIMIT: usize = 120;
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn payload_of(text: &str) -> Value {
        let frame: Vec<Value> = serde_json::from_str(text).unwrap();
        assert_eq!(frame[0], 2);
        frame[3].clone()
    }

    #[test]
    fn calls_are_valid_ocpp_json_with_their_action() {
        let boot = payload_of(&boot_notification(1, "LOADGEN-\"1"));
        assert_eq!(boot["chargePointSerialNumber"], "LOADGEN-\"1");
        assert_eq!(boot["chargePointVendor"], "Ampwise");
        for (kind, action) in [
            (MessageKind::Heartbeat, "Heartbeat"),
            (MessageKind::Status, "StatusNotification"),
            (MessageKind::Meter, "MeterValues"),
        ] {
            let text = call(kind, 42, 5);
            let frame: Vec<Value> = serde_json::from_str(&text).unwrap();
            assert_eq!(frame[1], "42");
            assert_eq!(frame[2], action);
            assert!(frame[3].is_object());
        }
        let meter = payload_of(&call(MessageKind::Meter, 1, 4));
        let values = meter["meterValue"][0]["sampledValue"].as_array().unwrap();
        assert_eq!(values.len(), 5);
        assert_eq!(values[0]["value"], "10012");
        assert_eq!(values[2]["phase"], "L1");
        let status = payload_of(&call(MessageKind::Status, 1, 1));
        assert_eq!(status["status"], "Charging");
        let at = status["timestamp"].as_str().unwrap();
        assert_eq!(at.len(), "2025-01-01T00:00:00.000Z".len(), "{at}");
        assert!(at.ends_with('Z'));
    }

    #[test]
    fn reads_every_kind_of_frame() {
        assert_eq!(
            read(r#"[3,"7",{"currentTime":"x"}]"#),
            Incoming::Result {
                id: "7".into(),
                payload: serde_json::json!({"currentTime": "x"})
            }
        );
        assert_eq!(
            read(r#"[4,"7","SecurityError","boot first",{}]"#),
            Incoming::Error {
                id: "7".into(),
                code: "SecurityError".into()
            }
        );
        assert_eq!(
            read(r#"[2,"a\"b","Reset",{"type":"Soft"}]"#),
            Incoming::Call {
                id: "a\"b".into(),
                action: "Reset".into()
            }
        );
        assert!(matches!(read(r#"[2,"1",5,{}]"#), Incoming::Malformed(_)));
        assert!(matches!(read("[3,7,{}]"), Incoming::Malformed(_)));
        assert!(matches!(read("[9,\"1\"]"), Incoming::Malformed(_)));
        assert!(matches!(read("{}"), Incoming::Malformed(_)));
    }

    #[test]
    fn central_system_calls_get_a_wallbox_answer_with_the_id_as_json() {
        let answer = |action| -> Vec<Value> {
            serde_json::from_str(&answer_central_system("a\"b", action)).unwrap()
        };
        let change = answer("ChangeConfiguration");
        assert_eq!(
            (&change[0], &change[1]),
            (&Value::from(3), &Value::from("a\"b"))
        );
        assert_eq!(change[2]["status"], "Accepted");
        assert!(answer("GetConfiguration")[2]["configurationKey"].is_array());
        let reset = answer("Reset");
        assert_eq!(
            (&reset[0], &reset[2]),
            (&Value::from(4), &Value::from("NotSupported"))
        );
    }

    #[test]
    fn answers_are_checked_against_what_was_asked() {
        let accepted = serde_json::json!({"status": "Accepted", "interval": 300});
        assert!(check_answer(Expect::BootAccepted, &accepted).is_ok());
        let rejected = serde_json::json!({"status": "Rejected"});
        assert!(check_answer(Expect::BootAccepted, &rejected).is_err());
        assert!(check_answer(Expect::CurrentTime, &serde_json::json!({})).is_err());
        assert!(check_answer(Expect::Object, &serde_json::json!({})).is_ok());
        assert!(check_answer(Expect::Object, &serde_json::json!([])).is_err());
    }
}
