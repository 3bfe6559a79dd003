//! Typed decoding of payloads on real OCPP 1.6 messages: each kind of schema violation must
//! produce the CALLERROR code charge points and backends expect, with a description that names
//! the field.

#![allow(clippy::unwrap_used)]

use ampwise_ocpp::decode::decode_as;
use ampwise_ocpp::messages::{
    Authorize, BootNotification, BootNotificationRequest, DataTransfer, Heartbeat, MeterValues,
    StatusNotification, ALL_ACTIONS,
};
use ampwise_ocpp::types::CiString20;
use ampwise_ocpp::{
    decode_request, decode_response, parse_frame, unhandled_action, Action, DecodeError, ErrorCode,
    Frame, MessageId, Payload,
};
use proptest::prelude::*;
use serde_json::{json, Value};

fn payload(value: Value) -> Payload {
    Payload::from_json(value.to_string()).unwrap()
}

fn request_error<A: Action>(value: Value) -> DecodeError {
    match decode_request::<A>(&payload(value.clone())) {
        Err(err) => err,
        Ok(request) => panic!("{} accepted {value}: {request:?}", A::NAME),
    }
}

fn meter_values(connector_id: Value, meter_value: Value) -> Value {
    json!({"connectorId": connector_id, "meterValue": meter_value})
}

fn one_reading(sampled_value: Value) -> Value {
    json!([{"timestamp": "2024-05-01T12:00:00Z", "sampledValue": [sampled_value]}])
}

#[test]
fn a_missing_required_field_is_a_protocol_error() {
    let err = request_error::<BootNotification>(json!({"chargePointModel": "M"}));
    assert_eq!(err.code, ErrorCode::ProtocolError);
    assert_eq!(err.field, None);
    assert_eq!(
        err.description,
        "BootNotification request incomplete: missing field `chargePointVendor`"
    );
}

#[test]
fn a_missing_nested_field_names_where_it_is_missing() {
    let err = request_error::<MeterValues>(meter_values(
        json!(1),
        json!([{"sampledValue": [{"value": "1"}]}]),
    ));
    assert_eq!(err.code, ErrorCode::ProtocolError);
    assert_eq!(err.field.as_deref(), Some("meterValue[0]"));
    assert!(
        err.description
            .contains("at `meterValue[0]`: missing field `timestamp`"),
        "{}",
        err.description
    );
}

#[test]
fn an_enum_value_outside_the_schema_is_a_property_constraint_violation() {
    let err = request_error::<StatusNotification>(
        json!({"connectorId": 1, "errorCode": "Exploded", "status": "Available"}),
    );
    assert_eq!(err.code, ErrorCode::PropertyConstraintViolation);
    assert_eq!(err.field.as_deref(), Some("errorCode"));
    assert!(
        err.description.contains("unknown variant `Exploded`"),
        "{}",
        err.description
    );
}

#[test]
fn a_bad_date_time_is_a_property_constraint_violation() {
    let err = request_error::<MeterValues>(meter_values(
        json!(1),
        json!([{"timestamp": "01.05.2024 12:00", "sampledValue": [{"value": "1"}]}]),
    ));
    assert_eq!(err.code, ErrorCode::PropertyConstraintViolation);
    assert_eq!(err.field.as_deref(), Some("meterValue[0].timestamp"));
}

#[test]
fn a_deeply_nested_bad_enum_names_the_full_path() {
    let err = request_error::<MeterValues>(meter_values(
        json!(1),
        one_reading(json!({"value": "1", "unit": "Furlong"})),
    ));
    assert_eq!(err.code, ErrorCode::PropertyConstraintViolation);
    assert_eq!(
        err.field.as_deref(),
        Some("meterValue[0].sampledValue[0].unit")
    );
}

#[test]
fn an_id_tag_of_21_characters_is_a_type_constraint_violation() {
    let twenty = "12345678901234567890";
    assert!(decode_request::<Authorize>(&payload(json!({"idTag": twenty}))).is_ok());

    let err = request_error::<Authorize>(json!({"idTag": format!("{twenty}1")}));
    assert_eq!(err.code, ErrorCode::TypeConstraintViolation);
    assert_eq!(err.field.as_deref(), Some("idTag"));
    assert!(
        err.description.contains("string too long"),
        "{}",
        err.description
    );
}

#[test]
fn a_string_where_a_number_belongs_is_a_type_constraint_violation() {
    let err =
        request_error::<MeterValues>(meter_values(json!("1"), one_reading(json!({"value": "1"}))));
    assert_eq!(err.code, ErrorCode::TypeConstraintViolation);
    assert_eq!(err.field.as_deref(), Some("connectorId"));
    assert!(
        err.description.contains("invalid type: string \"1\""),
        "{}",
        err.description
    );
}

#[test]
fn a_fraction_where_an_integer_belongs_is_a_type_constraint_violation() {
    let err =
        request_error::<MeterValues>(meter_values(json!(1.5), one_reading(json!({"value": "1"}))));
    assert_eq!(err.code, ErrorCode::TypeConstraintViolation);
}

#[test]
fn an_unknown_field_is_a_formation_violation() {
    let err = request_error::<BootNotification>(
        json!({"chargePointVendor": "V", "chargePointModel": "M", "colour": "red"}),
    );
    assert_eq!(err.code, ErrorCode::FormationViolation);
    assert!(
        err.description.contains("unknown field `colour`"),
        "{}",
        err.description
    );

    let err = request_error::<Heartbeat>(json!({"now": true}));
    assert_eq!(err.code, ErrorCode::FormationViolation);
}

#[test]
fn an_empty_meter_value_array_is_an_occurence_constraint_violation() {
    let err = request_error::<MeterValues>(meter_values(json!(1), json!([])));
    assert_eq!(err.code, ErrorCode::OccurenceConstraintViolation);
    assert_eq!(err.field.as_deref(), Some("meterValue"));
    assert!(
        err.description.contains("too few items"),
        "{}",
        err.description
    );
}

#[test]
fn responses_are_classified_the_same_way() {
    let response =
        json!({"status": "Accepted", "currentTime": "2024-05-01T12:00:00Z", "interval": "300"});
    let err = decode_response::<BootNotification>(&payload(response)).unwrap_err();
    assert_eq!(err.code, ErrorCode::TypeConstraintViolation);
    assert!(
        err.description
            .starts_with("BootNotification response: at `interval`: "),
        "{}",
        err.description
    );

    let err = decode_response::<Authorize>(&payload(json!({}))).unwrap_err();
    assert_eq!(err.code, ErrorCode::ProtocolError);
}

#[test]
fn malformed_content_inside_a_well_formed_payload_is_a_formation_violation() {
    // The frame parser only checks syntax, so neither of these is caught before decoding.
    let huge = Payload::from_json(r#"{"connectorId":1e999,"meterValue":[]}"#).unwrap();
    let err = decode_request::<MeterValues>(&huge).unwrap_err();
    assert_eq!(err.code, ErrorCode::FormationViolation);

    let deep = format!(r#"{{"a":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
    let err = decode_as::<Value>(&Payload::from_json(deep).unwrap(), "deep").unwrap_err();
    assert_eq!(err.code, ErrorCode::FormationViolation);
    assert!(
        err.description.contains("recursion limit"),
        "{}",
        err.description
    );
}

#[test]
fn a_bad_call_is_answered_with_its_id_and_the_classified_code() {
    let frame = parse_frame(r#"[2,"abc","Authorize",{"idTag":"123456789012345678901"}]"#).unwrap();
    let Frame::Call { id, payload, .. } = frame else {
        panic!("not a call");
    };
    let err = decode_request::<Authorize>(&payload).unwrap_err();
    assert_eq!(
        err.answer(id).to_text(),
        r#"[4,"abc","TypeConstraintViolation","Authorize request: at `idTag`: string too long: 21 characters where at most 20 are allowed",{}]"#
    );
}

#[test]
fn typed_requests_survive_the_wire() {
    let request = BootNotificationRequest {
        charge_point_vendor: CiString20::new("Vendor \"Ä\"").unwrap(),
        charge_point_model: CiString20::new("Model\n1").unwrap(),
        charge_point_serial_number: None,
        charge_box_serial_number: None,
        firmware_version: None,
        iccid: None,
        imsi: None,
        meter_type: None,
        meter_serial_number: None,
    };
    let id = MessageId::new("b-1").unwrap();
    let text = Frame::call::<BootNotification>(id.clone(), &request)
        .unwrap()
        .to_text();
    let Frame::Call {
        id: parsed_id,
        action,
        payload,
    } = parse_frame(&text).unwrap()
    else {
        panic!("{text}");
    };
    assert_eq!((parsed_id, action.as_str()), (id, "BootNotification"));
    assert_eq!(
        decode_request::<BootNotification>(&payload).unwrap(),
        request
    );
}

#[test]
fn unknown_actions_are_not_implemented_and_known_unhandled_ones_not_supported() {
    for action in ALL_ACTIONS {
        assert_eq!(
            unhandled_action(action).code,
            ErrorCode::NotSupported,
            "{action}"
        );
    }
    for action in ["", "Foo", "heartbeat", "GetVariables", "Heartbeat\u{0}"] {
        assert_eq!(
            unhandled_action(action).code,
            ErrorCode::NotImplemented,
            "{action:?}"
        );
    }
    let answer = unhandled_action("Foo\"").answer(MessageId::new("9").unwrap());
    assert_eq!(
        answer.to_text(),
        r#"[4,"9","NotImplemented","unknown action \"Foo\\\"\"",{}]"#
    );
    assert_eq!(ALL_ACTIONS.len(), 39);
}

/// The codes a payload that fails to decode may get; never NotImplemented, InternalError etc.
const DECODE_CODES: [ErrorCode; 5] = [
    ErrorCode::ProtocolError,
    ErrorCode::FormationViolation,
    ErrorCode::PropertyConstraintViolation,
    ErrorCode::OccurenceConstraintViolation,
    ErrorCode::TypeConstraintViolation,
];

fn field_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::from),
        Just(Value::from("2024-05-01T12:00:00Z")),
        Just(Value::from("Available")),
    ];
    leaf.prop_recursive(3, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("value".to_owned()),
                    Just("timestamp".to_owned()),
                    Just("sampledValue".to_owned()),
                    ".{0,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Objects built from the real field names, so the generator reaches deep into the types.
fn request_like() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(
        prop_oneof![
            Just("connectorId".to_owned()),
            Just("meterValue".to_owned()),
            Just("errorCode".to_owned()),
            Just("status".to_owned()),
            Just("idTag".to_owned()),
            Just("vendorId".to_owned()),
            Just("chargePointVendor".to_owned()),
            Just("chargePointModel".to_owned()),
            ".{0,8}",
        ],
        field_value(),
        0..6,
    )
    .prop_map(|map| Value::Object(map.into_iter().collect()))
}

fn check_decode<A: Action>(payload: &Payload) -> Result<(), TestCaseError> {
    if let Err(err) = decode_request::<A>(payload) {
        prop_assert!(DECODE_CODES.contains(&err.code), "{err}");
        prop_assert!(err.description.starts_with(A::NAME), "{err}");
    }
    if let Err(err) = decode_response::<A>(payload) {
        prop_assert!(DECODE_CODES.contains(&err.code), "{err}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn decoding_never_panics_and_only_uses_decode_codes(value in request_like()) {
        let payload = payload(value);
        check_decode::<BootNotification>(&payload)?;
        check_decode::<StatusNotification>(&payload)?;
        check_decode::<MeterValues>(&payload)?;
        check_decode::<Authorize>(&payload)?;
        check_decode::<DataTransfer>(&payload)?;
        check_decode::<Heartbeat>(&payload)?;
    }
}
