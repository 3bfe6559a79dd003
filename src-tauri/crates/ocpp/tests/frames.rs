//! OCPP-J framing from the outside: malformed frames and the answers they get, round trips of
//! well-formed ones, CALLERROR spellings, and a property test that no input makes the parser
//! panic.

#![allow(clippy::unwrap_used)]

use ampwise_ocpp::{parse_frame, ErrorCode, Frame, FrameError, MessageId, MessageType, Payload};
use proptest::prelude::*;
use serde_json::Value;

const ID37: &str = "0123456789012345678901234567890123456";

/// One malformed frame: what it is, the text, the id the answer must echo, the message type the
/// parser should have recognised, and a fragment the description must contain.
struct Malformed {
    name: &'static str,
    text: String,
    echoed_id: Option<&'static str>,
    message_type: Option<MessageType>,
    description: &'static str,
}

fn row(
    name: &'static str,
    text: impl Into<String>,
    echoed_id: Option<&'static str>,
    message_type: Option<MessageType>,
    description: &'static str,
) -> Malformed {
    Malformed {
        name,
        text: text.into(),
        echoed_id,
        message_type,
        description,
    }
}

fn malformed_frames() -> Vec<Malformed> {
    use MessageType::{Call, CallError, CallResult};
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let many_elements = format!("[2,\"many\"{}]", ",0".repeat(100_000));
    vec![
        row("empty string", "", None, None, "not valid JSON"),
        row("whitespace only", " \n\t", None, None, "not valid JSON"),
        row("empty array", "[]", None, None, "empty array"),
        row(
            "type only",
            "[2]",
            None,
            Some(Call),
            "has 4 elements, found 1",
        ),
        row(
            "type and id only",
            r#"[2,"id"]"#,
            Some("id"),
            Some(Call),
            "found 2",
        ),
        row(
            "CALL with 5 elements",
            r#"[2,"id","Heartbeat",{},{}]"#,
            Some("id"),
            Some(Call),
            "found 5",
        ),
        row(
            "unknown message type",
            r#"[9,"id","X",{}]"#,
            Some("id"),
            None,
            "found 9",
        ),
        row(
            "message type 0",
            r#"[0,"id","X",{}]"#,
            Some("id"),
            None,
            "found 0",
        ),
        row(
            "negative message type",
            r#"[-2,"id","Heartbeat",{}]"#,
            Some("id"),
            None,
            "found -2",
        ),
        row(
            "message type as string",
            r#"["2","id","Heartbeat",{}]"#,
            Some("id"),
            None,
            "found \"2\"",
        ),
        row(
            "message type as float",
            r#"[2.0,"id","Heartbeat",{}]"#,
            Some("id"),
            None,
            "found 2.0",
        ),
        row(
            "message type true",
            r#"[true,"id","Heartbeat",{}]"#,
            Some("id"),
            None,
            "found true",
        ),
        row(
            "huge exponent",
            r#"[1e999,"id","Heartbeat",{}]"#,
            Some("id"),
            None,
            "found 1e999",
        ),
        row(
            "integer beyond u64",
            r#"[184467440737095516160000,"id","Heartbeat",{}]"#,
            Some("id"),
            None,
            "found 184467440737095516160000",
        ),
        row(
            "numeric id",
            r#"[2,1,"Heartbeat",{}]"#,
            None,
            Some(Call),
            "message id must be a string, found a number",
        ),
        row(
            "null id",
            r#"[2,null,"Heartbeat",{}]"#,
            None,
            Some(Call),
            "found null",
        ),
        row(
            "array id",
            r#"[2,["id"],"Heartbeat",{}]"#,
            None,
            Some(Call),
            "found an array",
        ),
        row(
            "37-character id",
            format!(r#"[2,"{ID37}","Heartbeat",{{}}]"#),
            Some(ID37),
            Some(Call),
            "37 characters, at most 36",
        ),
        row(
            "numeric action",
            r#"[2,"id",7,{}]"#,
            Some("id"),
            Some(Call),
            "action must be a string",
        ),
        row(
            "array payload",
            r#"[2,"id","Heartbeat",[]]"#,
            Some("id"),
            Some(Call),
            "payload must be a JSON object, found an array",
        ),
        row(
            "string payload",
            r#"[2,"id","Heartbeat","{}"]"#,
            Some("id"),
            Some(Call),
            "found a string",
        ),
        row(
            "null payload",
            r#"[2,"id","Heartbeat",null]"#,
            Some("id"),
            Some(Call),
            "found null",
        ),
        row(
            "trailing text",
            r#"[2,"id","Heartbeat",{}] hello"#,
            Some("id"),
            Some(Call),
            "trailing characters",
        ),
        row(
            "extra bracket",
            r#"[2,"id","Heartbeat",{}]]"#,
            Some("id"),
            Some(Call),
            "trailing characters",
        ),
        row(
            "two frames in one message",
            r#"[2,"a","Heartbeat",{}][2,"b","Heartbeat",{}]"#,
            Some("a"),
            Some(Call),
            "trailing characters",
        ),
        row(
            "truncated payload",
            r#"[2,"id","Heartbeat",{"#,
            Some("id"),
            Some(Call),
            "EOF",
        ),
        row(
            "missing closing bracket",
            r#"[2,"id","Heartbeat",{}"#,
            Some("id"),
            Some(Call),
            "EOF",
        ),
        row(
            "trailing comma in payload",
            r#"[2,"id","Heartbeat",{"a":1,}]"#,
            Some("id"),
            Some(Call),
            "not valid JSON",
        ),
        row(
            "single quotes",
            "[2,'id','Heartbeat',{}]",
            None,
            Some(Call),
            "not valid JSON",
        ),
        row(
            "hex number",
            r#"[0x2,"id","Heartbeat",{}]"#,
            None,
            None,
            "not valid JSON",
        ),
        row("leading comma", "[,]", None, None, "not valid JSON"),
        row(
            "byte order mark",
            "\u{feff}[2,\"id\",\"Heartbeat\",{}]",
            None,
            None,
            "not valid JSON",
        ),
        row(
            "lone surrogate escape in id",
            r#"[2,"\ud800","Heartbeat",{}]"#,
            None,
            Some(Call),
            "message id is not a valid string",
        ),
        row(
            "invalid escape in id",
            r#"[2,"\x41","Heartbeat",{}]"#,
            None,
            Some(Call),
            "not valid JSON",
        ),
        row(
            "raw control character in id",
            "[2,\"a\u{1}b\",\"Heartbeat\",{}]",
            None,
            Some(Call),
            "not valid JSON",
        ),
        row(
            "object instead of array",
            r#"{"messageTypeId":2,"id":"id"}"#,
            None,
            None,
            "must be a JSON array, found an object",
        ),
        row(
            "string instead of array",
            r#""[2,\"id\",\"Heartbeat\",{}]""#,
            None,
            None,
            "found a string",
        ),
        row("number instead of array", "2", None, None, "found a number"),
        row("null instead of array", "null", None, None, "found null"),
        row(
            "deeply nested arrays",
            deep_array,
            None,
            None,
            "message type must be",
        ),
        row(
            "100 000 elements",
            many_elements,
            Some("many"),
            Some(Call),
            "found 100002",
        ),
        row(
            "CALLRESULT without payload",
            r#"[3,"id"]"#,
            Some("id"),
            Some(CallResult),
            "CALLRESULT frame has 3 elements",
        ),
        row(
            "CALLRESULT with array payload",
            r#"[3,"id",[]]"#,
            Some("id"),
            Some(CallResult),
            "payload must be a JSON object",
        ),
        row(
            "CALLERROR without details",
            r#"[4,"id","GenericError","x"]"#,
            Some("id"),
            Some(CallError),
            "CALLERROR frame has 5 elements, found 4",
        ),
        row(
            "CALLERROR numeric code",
            r#"[4,"id",5,"x",{}]"#,
            Some("id"),
            Some(CallError),
            "error code must be a string",
        ),
        row(
            "CALLERROR null description",
            r#"[4,"id","GenericError",null,{}]"#,
            Some("id"),
            Some(CallError),
            "error description must be a string",
        ),
        row(
            "CALLERROR array details",
            r#"[4,"id","GenericError","",[]]"#,
            Some("id"),
            Some(CallError),
            "error details must be a JSON object",
        ),
    ]
}

#[test]
fn malformed_frames_are_formation_violations_that_echo_the_readable_id() {
    let rows = malformed_frames();
    assert!(rows.len() >= 25);
    for row in rows {
        let err: FrameError = match parse_frame(&row.text) {
            Err(err) => err,
            Ok(frame) => panic!("{}: parsed as {frame:?}", row.name),
        };
        assert_eq!(err.code, ErrorCode::FormationViolation, "{}", row.name);
        assert_eq!(err.message_id.as_deref(), row.echoed_id, "{}", row.name);
        assert_eq!(err.message_type, row.message_type, "{}", row.name);
        assert!(
            err.description.contains(row.description),
            "{}: description {:?} lacks {:?}",
            row.name,
            err.description,
            row.description
        );
        check_answer(&err, row.name);
    }
}

/// A CALL (or something that might have been one) gets a well-formed CALLERROR echoing the id,
/// or "-1" when none could be read; responses get no answer at all.
fn check_answer(err: &FrameError, name: &str) {
    let answer = err.answer();
    if matches!(
        err.message_type,
        Some(MessageType::CallResult | MessageType::CallError)
    ) {
        assert_eq!(answer, None, "{name}");
        return;
    }
    let answer = answer.unwrap_or_else(|| panic!("{name}: no answer"));
    let fields: Vec<Value> = serde_json::from_str(&answer).unwrap();
    let expected_id = err.message_id.as_deref().unwrap_or("-1");
    assert_eq!(
        fields,
        vec![
            Value::from(4),
            Value::from(expected_id),
            Value::from("FormationViolation"),
            Value::from(err.description.as_str()),
            Value::Object(Default::default()),
        ],
        "{name}"
    );
}

#[test]
fn the_answer_to_an_unreadable_frame_uses_id_minus_one() {
    let err = parse_frame("not json").unwrap_err();
    let answer = err.answer().unwrap();
    assert!(answer.starts_with(r#"[4,"-1","FormationViolation","frame is not valid JSON: "#));
    assert!(answer.ends_with(r#"",{}]"#), "{answer}");
}

#[test]
fn an_id_of_exactly_36_characters_is_accepted() {
    let id = &ID37[..36];
    let frame = parse_frame(&format!(r#"[2,"{id}","Heartbeat",{{}}]"#)).unwrap();
    assert_eq!(frame.id().as_str(), id);
}

fn id(text: &str) -> MessageId {
    MessageId::new(text).unwrap()
}

fn payload(text: &str) -> Payload {
    Payload::from_json(text).unwrap()
}

#[test]
fn well_formed_frames_parse_to_what_they_say() {
    assert_eq!(
        parse_frame(r#"[2,"19223201","BootNotification",{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}]"#).unwrap(),
        Frame::Call {
            id: id("19223201"),
            action: "BootNotification".into(),
            payload: payload(r#"{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}"#),
        }
    );
    assert_eq!(
        parse_frame(r#"[3,"19223201",{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","interval":300}]"#).unwrap(),
        Frame::CallResult {
            id: id("19223201"),
            payload: payload(r#"{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","interval":300}"#),
        }
    );
    assert_eq!(
        parse_frame(
            r#"[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]"#
        )
        .unwrap(),
        Frame::CallError {
            id: id("162376037"),
            code: ErrorCode::NotSupported,
            description: "SetDisplayMessageRequest not implemented".into(),
            details: Payload::empty(),
            unrecognized_code: None,
        }
    );
}

#[test]
fn compact_frames_round_trip_byte_for_byte() {
    for text in [
        r#"[2,"1","Heartbeat",{}]"#,
        r#"[3,"1",{"currentTime":"2024-05-01T12:00:00Z"}]"#,
        r#"[4,"1","InternalError","",{}]"#,
        r#"[4,"1","GenericError","d",{"cause":"x","n":[1,2]}]"#,
        r#"[2,"a\"b\\c\u0000","DataTransfer",{"vendorId":"x"}]"#,
        r#"[2,"ä😀","Heartbeat",{}]"#,
        r#"[2,"","Heartbeat",{}]"#,
    ] {
        assert_eq!(parse_frame(text).unwrap().to_text(), text);
    }
}

#[test]
fn payloads_are_relayed_verbatim_while_the_envelope_is_normalised() {
    // A signed meter value: its signature covers the exact bytes, so spacing, exponent notation,
    // escapes and duplicate keys must all survive.
    let body = r#"{ "connectorId" : 1, "meterValue": [{"timestamp":"2024-05-01T12:00:00.000+02:00",
        "sampledValue":[{"value":"OCMF|{\"RD\":[{\"RV\":1.50E3}]}|{\"SD\":\"30\"}","format":"SignedData"}]}],
        "x":"\u00e4", "x":"dup" }"#;
    let text = format!("[ 2 ,\n \"m-1\" , \"MeterValues\" , {body} ]\n");
    let frame = parse_frame(&text).unwrap();
    let Frame::Call { payload, .. } = &frame else {
        panic!("{frame:?}");
    };
    assert_eq!(payload.as_str(), body);
    assert_eq!(
        frame.to_text(),
        format!(r#"[2,"m-1","MeterValues",{body}]"#)
    );
}

#[test]
fn built_frames_survive_text_and_back() {
    let frames = [
        Frame::call_error(id("e"), ErrorCode::SecurityError, "not accepted yet"),
        Frame::call_error(
            id("e"),
            ErrorCode::FormationViolation,
            "line\nbreak \"quoted\"",
        ),
        Frame::Call {
            id: id("c"),
            action: "Heartbeat".into(),
            payload: Payload::empty(),
        },
        Frame::CallResult {
            id: id("r"),
            payload: payload(r#"{"a":null}"#),
        },
    ];
    for frame in frames {
        assert_eq!(parse_frame(&frame.to_text()).unwrap(), frame);
    }
}

#[test]
fn call_errors_accept_both_spellings_and_write_the_16_one() {
    for (received, code) in [
        ("FormationViolation", ErrorCode::FormationViolation),
        ("FormatViolation", ErrorCode::FormationViolation),
        (
            "OccurenceConstraintViolation",
            ErrorCode::OccurenceConstraintViolation,
        ),
        (
            "OccurrenceConstraintViolation",
            ErrorCode::OccurenceConstraintViolation,
        ),
    ] {
        let frame = parse_frame(&format!(r#"[4,"x","{received}","d",{{}}]"#)).unwrap();
        let Frame::CallError {
            code: parsed,
            unrecognized_code,
            ..
        } = &frame
        else {
            panic!("{frame:?}");
        };
        assert_eq!(*parsed, code, "{received}");
        assert_eq!(*unrecognized_code, None, "{received}");
        assert_eq!(frame.to_text(), format!(r#"[4,"x","{code}","d",{{}}]"#));
    }
}

#[test]
fn a_call_error_with_an_unknown_code_is_kept_as_generic_error() {
    let frame = parse_frame(r#"[4,"x","Exploded","boom",{"cause":"fire"}]"#).unwrap();
    assert_eq!(
        frame,
        Frame::CallError {
            id: id("x"),
            code: ErrorCode::GenericError,
            description: "boom".into(),
            details: payload(r#"{"cause":"fire"}"#),
            unrecognized_code: Some("Exploded".into()),
        }
    );
    assert_eq!(
        frame.to_text(),
        r#"[4,"x","GenericError","boom",{"cause":"fire"}]"#
    );
}

#[test]
fn every_error_code_survives_a_call_error_round_trip() {
    for code in ErrorCode::ALL {
        let frame = Frame::call_error(id("1"), code, "");
        assert_eq!(
            frame.to_text(),
            format!(r#"[4,"1","{}","",{{}}]"#, code.as_str())
        );
        assert_eq!(parse_frame(&frame.to_text()).unwrap(), frame);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[A-Za-z]{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Frame-shaped arrays: a plausible type and id followed by arbitrary elements, so the
/// generator reaches past the first checks.
fn frame_shaped() -> impl Strategy<Value = Value> {
    (
        prop_oneof![(0u64..6).prop_map(Value::from), json_value()],
        prop_oneof![".{0,40}".prop_map(Value::from), json_value()],
        prop::collection::vec(
            prop_oneof![
                Just(Value::Object(Default::default())),
                "[A-Za-z]{0,12}".prop_map(Value::from),
                json_value(),
            ],
            0..5,
        ),
    )
        .prop_map(|(message_type, id, rest)| {
            let mut elements = vec![message_type, id];
            elements.extend(rest);
            Value::Array(elements)
        })
}

/// The frame as the peer will see it once we send it: an unrecognized code is sent as
/// GenericError and not remembered on the other side.
fn as_sent(frame: Frame) -> Frame {
    match frame {
        Frame::CallError {
            id,
            code,
            description,
            details,
            ..
        } => Frame::CallError {
            id,
            code,
            description,
            details,
            unrecognized_code: None,
        },
        other => other,
    }
}

/// Whatever the outcome, it must be coherent: a frame re-serializes to text that parses back to
/// the same frame, and an answer is a well-formed CALLERROR.
fn check_parse_is_coherent(text: &str) -> Result<(), TestCaseError> {
    match parse_frame(text) {
        Ok(frame) => prop_assert_eq!(parse_frame(&frame.to_text()), Ok(as_sent(frame))),
        Err(err) => {
            if let Some(answer) = err.answer() {
                let fields: Vec<Value> = serde_json::from_str(&answer)
                    .map_err(|e| TestCaseError::fail(format!("{answer}: {e}")))?;
                prop_assert_eq!(fields.len(), 5);
                prop_assert_eq!(&fields[0], &Value::from(4));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_frame_never_panics_on_arbitrary_strings(text in any::<String>()) {
        check_parse_is_coherent(&text)?;
    }

    #[test]
    fn parse_frame_never_panics_on_json_like_strings(text in r#"[\[\]{}",:0-9a-z\\ ]{0,60}"#) {
        check_parse_is_coherent(&text)?;
    }

    #[test]
    fn parse_frame_never_panics_on_arbitrary_json(value in json_value()) {
        check_parse_is_coherent(&value.to_string())?;
    }

    #[test]
    fn parse_frame_never_panics_on_frame_shaped_json(value in frame_shaped()) {
        check_parse_is_coherent(&value.to_string())?;
    }

    #[test]
    fn parse_frame_survives_truncation_of_valid_frames(cut in 0usize..60) {
        let text = r#"[2,"abc","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]"#;
        let truncated: String = text.chars().take(cut).collect();
        let err = parse_frame(&truncated).unwrap_err();
        prop_assert_eq!(err.code, ErrorCode::FormationViolation);
        // Once the id is complete it is echoed.
        if cut >= 9 {
            prop_assert_eq!(err.message_id.as_deref(), Some("abc"));
        }
    }
}
