//! Every OCPP 1.6 message type against the official JSON schemas in `shared/ocpp16/schemas`.
//!
//! For each of the 39 actions: complete and minimal typed examples must serialize to JSON the
//! schema accepts and come back unchanged; then every property of the complete examples is varied
//! (left out, each enum value, one character too long, wrong type, unknown neighbour...) and our
//! types must accept exactly what the schema accepts, refusing the rest with the error prefix the
//! framing layer maps to a CALLERROR code. Hand-written payloads cover what real peers send.

#![allow(clippy::unwrap_used)]

#[path = "schemas/examples.rs"]
mod examples;
#[path = "schemas/mutations.rs"]
mod mutations;
#[path = "schemas/schema_check.rs"]
mod schema_check;

use std::collections::BTreeSet;
use std::fmt::Debug;

use ampwise_ocpp::messages::*;
use ampwise_ocpp::{Action, Initiator};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use examples::Examples;
use mutations::{mutations, Verdict};
use schema_check::{instance_property_paths, schema_dir, Schema};

#[derive(Debug, Clone, Copy)]
enum Direction {
    Request,
    Response,
}

fn schema_for(action: &str, direction: Direction) -> Schema {
    match direction {
        Direction::Request => Schema::load(action),
        Direction::Response => Schema::load(&format!("{action}Response")),
    }
}

fn check_action<A: Action>(examples: Examples<A>) {
    let request_schema = schema_for(A::NAME, Direction::Request);
    let response_schema = schema_for(A::NAME, Direction::Response);
    let name = A::NAME;

    let full_request = check_example(
        &format!("{name} full request"),
        &examples.full_request,
        &request_schema,
    );
    assert_complete(&request_schema, &full_request);
    let minimal_request = check_example(
        &format!("{name} minimal request"),
        &examples.minimal_request,
        &request_schema,
    );
    request_schema.assert_only_required(&minimal_request, &format!("{name} minimal request"));

    let full_response = check_example(
        &format!("{name} full response"),
        &examples.full_response,
        &response_schema,
    );
    assert_complete(&response_schema, &full_response);
    let minimal_response = check_example(
        &format!("{name} minimal response"),
        &examples.minimal_response,
        &response_schema,
    );
    response_schema.assert_only_required(&minimal_response, &format!("{name} minimal response"));

    check_mutations::<A::Request>(&request_schema, &full_request);
    check_mutations::<A::Response>(&response_schema, &full_response);
}

/// Serializes, validates against the schema, and checks that decoding gives the same value and the
/// same bytes back.
fn check_example<T>(label: &str, value: &T, schema: &Schema) -> Value
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let json = serde_json::to_value(value).unwrap();
    schema.assert_valid(&json, label);
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{label} does not decode: {err}\n{text}"));
    assert_eq!(&back, value, "{label}: typed round trip");
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        text,
        "{label}: re-serialization differs"
    );
    json
}

/// A complete example must show every property the schema defines, somewhere.
fn assert_complete(schema: &Schema, instance: &Value) {
    let present = instance_property_paths(instance);
    let missing: Vec<_> = schema
        .property_paths()
        .difference(&present)
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "complete example for {} lacks {missing:?}",
        schema.file
    );
}

fn check_mutations<T>(schema: &Schema, full: &Value)
where
    T: Serialize + DeserializeOwned + Debug,
{
    for mutation in mutations(schema, full) {
        let what = format!("{} / {}", schema.file, mutation.description);
        let schema_errors = schema.errors(&mutation.instance);
        let decoded = serde_json::from_value::<T>(mutation.instance.clone());
        match mutation.verdict {
            Verdict::Accept => {
                assert!(
                    schema_errors.is_empty(),
                    "test bug, {what}: schema refuses: {schema_errors:?}"
                );
                let typed = decoded.unwrap_or_else(|err| {
                    panic!("{what}: schema accepts, our type refuses: {err}")
                });
                let again = serde_json::to_value(&typed).unwrap();
                assert_eq!(
                    again,
                    as_we_send_it(&mutation.instance),
                    "{what}: not sent back as received"
                );
            }
            Verdict::Refuse(prefix) => {
                assert!(
                    !schema_errors.is_empty(),
                    "test bug, {what}: schema accepts"
                );
                match decoded {
                    Ok(typed) => panic!("{what}: schema refuses, our type accepts {typed:?}"),
                    Err(err) => assert!(
                        err.to_string().starts_with(prefix),
                        "{what}: error should start with {prefix:?}: {err}"
                    ),
                }
            }
        }
    }
}

/// What we serialize for a payload we received: identical, except that the schemas' misspelt
/// `Celcius` goes out as `Celsius`.
fn as_we_send_it(received: &Value) -> Value {
    serde_json::from_str(&received.to_string().replace("\"Celcius\"", "\"Celsius\"")).unwrap()
}

fn round_trip<T: Serialize + DeserializeOwned>(json: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(json.clone()).map_err(|err| err.to_string())?;
    Ok(serde_json::to_value(&typed).unwrap())
}

/// One test per action, plus dispatch by name for the hand-written payloads below.
macro_rules! action_tests {
    ($($action:ident => $examples:ident,)*) => {
        $(
            #[test]
            fn $examples() {
                check_action::<$action>(examples::$examples());
            }
        )*

        const EXERCISED: &[&str] = &[$(<$action as Action>::NAME),*];

        /// Decodes `json` as `action`'s typed request or response and serializes it again.
        fn typed_round_trip(action: &str, direction: Direction, json: &Value) -> Result<Value, String> {
            $(
                if action == <$action as Action>::NAME {
                    return match direction {
                        Direction::Request => round_trip::<<$action as Action>::Request>(json),
                        Direction::Response => round_trip::<<$action as Action>::Response>(json),
                    };
                }
            )*
            panic!("no action named {action}")
        }

        fn initiator_of(action: &str) -> Option<Initiator> {
            $(
                if action == <$action as Action>::NAME {
                    return Some(<$action as Action>::INITIATOR);
                }
            )*
            None
        }
    };
}

action_tests! {
    Authorize => authorize,
    BootNotification => boot_notification,
    CancelReservation => cancel_reservation,
    CertificateSigned => certificate_signed,
    ChangeAvailability => change_availability,
    ChangeConfiguration => change_configuration,
    ClearCache => clear_cache,
    ClearChargingProfile => clear_charging_profile,
    DataTransfer => data_transfer,
    DeleteCertificate => delete_certificate,
    DiagnosticsStatusNotification => diagnostics_status_notification,
    ExtendedTriggerMessage => extended_trigger_message,
    FirmwareStatusNotification => firmware_status_notification,
    GetCompositeSchedule => get_composite_schedule,
    GetConfiguration => get_configuration,
    GetDiagnostics => get_diagnostics,
    GetInstalledCertificateIds => get_installed_certificate_ids,
    GetLocalListVersion => get_local_list_version,
    GetLog => get_log,
    Heartbeat => heartbeat,
    InstallCertificate => install_certificate,
    LogStatusNotification => log_status_notification,
    MeterValues => meter_values,
    RemoteStartTransaction => remote_start_transaction,
    RemoteStopTransaction => remote_stop_transaction,
    ReserveNow => reserve_now,
    Reset => reset,
    SecurityEventNotification => security_event_notification,
    SendLocalList => send_local_list,
    SetChargingProfile => set_charging_profile,
    SignCertificate => sign_certificate,
    SignedFirmwareStatusNotification => signed_firmware_status_notification,
    SignedUpdateFirmware => signed_update_firmware,
    StartTransaction => start_transaction,
    StatusNotification => status_notification,
    StopTransaction => stop_transaction,
    TriggerMessage => trigger_message,
    UnlockConnector => unlock_connector,
    UpdateFirmware => update_firmware,
}

fn sorted(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

#[test]
fn every_schema_file_has_an_action_and_every_action_both_schema_files() {
    let stems: BTreeSet<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|file| file.strip_suffix(".json").map(str::to_owned))
        .collect();
    let from_files: BTreeSet<String> = stems
        .iter()
        .map(|stem| stem.strip_suffix("Response").unwrap_or(stem).to_owned())
        .collect();
    for action in &from_files {
        assert!(
            stems.contains(action),
            "{action}Response.json has no {action}.json"
        );
        assert!(
            stems.contains(&format!("{action}Response")),
            "{action}.json has no {action}Response.json"
        );
    }
    assert_eq!(ALL_ACTIONS.len(), 39);
    assert_eq!(
        sorted(ALL_ACTIONS).len(),
        ALL_ACTIONS.len(),
        "ALL_ACTIONS holds a duplicate"
    );
    assert_eq!(sorted(ALL_ACTIONS), from_files);
}

#[test]
fn every_action_is_exercised_here() {
    assert_eq!(sorted(EXERCISED), sorted(ALL_ACTIONS));
}

#[test]
fn initiators_match_the_specification() {
    // OCPP 1.6 §4 "Operations initiated by Charge Point" and the whitepaper's use cases.
    const FROM_CHARGE_POINT: &[&str] = &[
        "Authorize",
        "BootNotification",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "Heartbeat",
        "LogStatusNotification",
        "MeterValues",
        "SecurityEventNotification",
        "SignCertificate",
        "SignedFirmwareStatusNotification",
        "StartTransaction",
        "StatusNotification",
        "StopTransaction",
    ];
    for action in ALL_ACTIONS {
        let expected = if *action == "DataTransfer" {
            Initiator::Either
        } else if FROM_CHARGE_POINT.contains(action) {
            Initiator::ChargePoint
        } else {
            Initiator::CentralSystem
        };
        assert_eq!(initiator_of(action), Some(expected), "{action}");
    }
}

/// Payloads as real peers send them: the schema accepts them, so must we, and we send them back
/// unchanged (bar `Celcius`).
#[test]
fn real_world_payloads_the_schema_accepts_decode() {
    use Direction::{Request, Response};
    let payloads: &[(&str, Direction, &str)] = &[
        (
            "BootNotification",
            Request,
            r#"{"chargePointVendor":"KEBA AG","chargePointModel":"KC-P30-EC240422-E00","chargePointSerialNumber":"19290234","firmwareVersion":"P30 v 3.10.16 (210416-104217)","meterType":"DD3 Powermeter","meterSerialNumber":"1DBH0123456789"}"#,
        ),
        (
            "BootNotification",
            Response,
            r#"{"status":"Accepted","currentTime":"2024-05-01T14:00:00.5+02:00","interval":86400}"#,
        ),
        (
            "MeterValues",
            Request,
            r#"{"connectorId":1,"transactionId":42,"meterValue":[{"timestamp":"2024-05-01T13:15:00.000Z","sampledValue":[{"value":"35.5","measurand":"Temperature","unit":"Celcius","location":"Body"},{"value":"7360.0","measurand":"Power.Active.Import","unit":"W"},{"value":"31.9","measurand":"Current.Import","phase":"L1","unit":"A"}]}]}"#,
        ),
        (
            // has.to.be's signed meter value: a JSON document inside the value string.
            "MeterValues",
            Request,
            r#"{"connectorId":2,"transactionId":43,"meterValue":[{"timestamp":"2024-05-01T13:30:00Z","sampledValue":[{"value":"{\"signedMeterValue\":\"T0NNRnx7IkZWIjoiMS4wIn18eyJTRCI6IjMwNDUifQ==\",\"encodingMethod\":\"OCMF\",\"publicKey\":\"3059301306072A8648CE3D020106082A8648CE3D03010703420004\"}","context":"Transaction.End","format":"SignedData","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}"#,
        ),
        (
            // No reason (defaults to Local) and an entry without readings, which this schema allows.
            "StopTransaction",
            Request,
            r#"{"meterStop":20000,"timestamp":"2024-05-01T14:00:00Z","transactionId":42,"transactionData":[{"timestamp":"2024-05-01T14:00:00Z","sampledValue":[]}]}"#,
        ),
        (
            // A lifetime register past 2^31 Wh.
            "StartTransaction",
            Request,
            r#"{"connectorId":1,"idTag":"04A2B3C4D5E6F7","meterStart":3000000000,"timestamp":"2024-05-01T13:00:00Z"}"#,
        ),
        (
            "StatusNotification",
            Request,
            r#"{"connectorId":0,"errorCode":"NoError","status":"Available"}"#,
        ),
        (
            "DataTransfer",
            Request,
            r#"{"vendorId":"com.example.girocard","messageId":"PaymentData","data":"{\"pan\":\"****1234\"}"}"#,
        ),
        (
            "GetConfiguration",
            Response,
            r#"{"configurationKey":[{"key":"NumberOfConnectors","readonly":true,"value":"2"},{"key":"AuthorizationKey","readonly":false}],"unknownKey":["Foo"]}"#,
        ),
        (
            "SetChargingProfile",
            Request,
            r#"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":0}]}}}"#,
        ),
        ("GetLocalListVersion", Response, r#"{"listVersion":-1}"#),
        (
            "SecurityEventNotification",
            Request,
            r#"{"type":"SettingSystemTime","timestamp":"2024-05-01T03:10:02.999-05:00"}"#,
        ),
        (
            "ExtendedTriggerMessage",
            Request,
            r#"{"requestedMessage":"SignChargePointCertificate"}"#,
        ),
        (
            "GetInstalledCertificateIds",
            Response,
            r#"{"status":"NotFound"}"#,
        ),
        ("Heartbeat", Request, "{}"),
    ];
    for (action, direction, text) in payloads {
        let json: Value = serde_json::from_str(text).unwrap();
        schema_for(action, *direction).assert_valid(&json, action);
        let again = typed_round_trip(action, *direction, &json)
            .unwrap_or_else(|err| panic!("{action} {direction:?} refused: {err}\n{text}"));
        // Numbers may change form (0 → 0.0 for a decimal limit); compare the values, not the text.
        assert_eq!(
            normalise_numbers(&again),
            normalise_numbers(&as_we_send_it(&json)),
            "{action} {direction:?}"
        );
    }
}

/// Payloads the schema refuses: we refuse them too, with the message prefix the framing maps to a
/// CALLERROR code.
#[test]
fn payloads_the_schema_refuses_are_refused() {
    use Direction::{Request, Response};
    let long_value = "x".repeat(501);
    let change_configuration =
        format!(r#"{{"key":"WebSocketPingInterval","value":"{long_value}"}}"#);
    let payloads: &[(&str, Direction, &str, &str)] = &[
        (
            "BootNotification",
            Request,
            r#"{"chargePointVendor":"KEBA AG","chargePointModel":"KC-P30","chargePointVendorName":"KEBA"}"#,
            "unknown field",
        ),
        (
            // 1.5's "Occupied" is not a 1.6 status.
            "StatusNotification",
            Request,
            r#"{"connectorId":1,"errorCode":"NoError","status":"Occupied"}"#,
            "unknown variant",
        ),
        ("Reset", Request, r#"{"type":"soft"}"#, "unknown variant"),
        (
            "Authorize",
            Request,
            r#"{"idTag":"0123456789ABCDEF01234"}"#,
            "string too long",
        ),
        (
            "ChangeConfiguration",
            Request,
            &change_configuration,
            "string too long",
        ),
        (
            "MeterValues",
            Request,
            r#"{"connectorId":1,"meterValue":[]}"#,
            "too few items",
        ),
        (
            "MeterValues",
            Request,
            r#"{"connectorId":1,"meterValue":[{"timestamp":"2024-05-01T13:15:00Z","sampledValue":[]}]}"#,
            "too few items",
        ),
        (
            "GetInstalledCertificateIds",
            Response,
            r#"{"status":"Accepted","certificateHashData":[]}"#,
            "too few items",
        ),
        (
            "StartTransaction",
            Request,
            r#"{"connectorId":1,"idTag":"AB","meterStart":0,"timestamp":"2024-05-01 13:00:00"}"#,
            "invalid date-time",
        ),
        (
            "RemoteStartTransaction",
            Request,
            r#"{"connectorId":1}"#,
            "missing field",
        ),
        (
            "Heartbeat",
            Request,
            r#"{"currentTime":"2024-05-01T13:00:00Z"}"#,
            "unknown field",
        ),
        (
            "UnlockConnector",
            Request,
            r#"{"connectorId":"1"}"#,
            "invalid type",
        ),
    ];
    for (action, direction, text, prefix) in payloads {
        let json: Value = serde_json::from_str(text).unwrap();
        assert!(
            !schema_for(action, *direction).is_valid(&json),
            "test bug: the schema accepts {text}"
        );
        match typed_round_trip(action, *direction, &json) {
            Ok(decoded) => panic!("{action} {direction:?} accepted {text} as {decoded}"),
            Err(err) => assert!(
                err.starts_with(prefix),
                "{action}: expected {prefix:?}, got {err}"
            ),
        }
    }
}

/// Where we are knowingly more lenient than the schema, pinned so the choice stays deliberate.
#[test]
fn deliberate_leniency() {
    // Hertz is in the newer MeterValues schema only; refusing it in a StopTransaction would lose
    // the end of a billed session.
    let hertz = serde_json::json!({
        "meterStop": 100, "timestamp": "2024-05-01T14:00:00Z", "transactionId": 1,
        "transactionData": [{"timestamp": "2024-05-01T14:00:00Z",
            "sampledValue": [{"value": "50.0", "measurand": "Frequency", "unit": "Hertz"}]}]
    });
    assert!(!Schema::load("StopTransaction").is_valid(&hertz));
    assert!(typed_round_trip("StopTransaction", Direction::Request, &hertz).is_ok());

    // An explicit null for an optional field reads as "absent" (serde's Option), and is then
    // left out when sent.
    let null_parent = serde_json::json!({"idTagInfo": {"status": "Accepted", "parentIdTag": null}});
    assert!(!Schema::load("AuthorizeResponse").is_valid(&null_parent));
    assert_eq!(
        typed_round_trip("Authorize", Direction::Response, &null_parent).unwrap(),
        serde_json::json!({"idTagInfo": {"status": "Accepted"}})
    );
}

#[test]
fn unit_and_defaults_follow_the_specification() {
    use ampwise_ocpp::types::{
        Location, Measurand, ReadingContext, SampledValue, UnitOfMeasure, ValueFormat,
    };

    let celcius: SampledValue =
        serde_json::from_str(r#"{"value":"21.5","unit":"Celcius"}"#).unwrap();
    let celsius: SampledValue =
        serde_json::from_str(r#"{"value":"21.5","unit":"Celsius"}"#).unwrap();
    assert_eq!(celcius, celsius);
    assert_eq!(
        serde_json::to_string(&celcius).unwrap(),
        r#"{"value":"21.5","unit":"Celsius"}"#
    );

    let bare = SampledValue::new("1000");
    assert_eq!(
        bare.context.unwrap_or_default(),
        ReadingContext::SamplePeriodic
    );
    assert_eq!(bare.format.unwrap_or_default(), ValueFormat::Raw);
    assert_eq!(
        bare.measurand.unwrap_or_default(),
        Measurand::EnergyActiveImportRegister
    );
    assert_eq!(bare.location.unwrap_or_default(), Location::Outlet);
    assert_eq!(bare.unit.unwrap_or_default(), UnitOfMeasure::Wh);
    assert_eq!(Reason::default(), Reason::Local);
}

#[test]
fn signed_meter_values_pass_through_byte_for_byte() {
    let text = serde_json::to_string(&examples::meter_values().full_request).unwrap();
    let request: MeterValuesRequest = serde_json::from_str(&text).unwrap();
    let signed = request
        .meter_value
        .iter()
        .flat_map(|value| value.sampled_value.iter())
        .find(|sample| sample.format == Some(ampwise_ocpp::types::ValueFormat::SignedData))
        .unwrap();
    assert_eq!(signed.value, examples::OCMF);
    assert_eq!(serde_json::to_string(&request).unwrap(), text);
}

fn normalise_numbers(value: &Value) -> Value {
    match value {
        Value::Number(number) => serde_json::json!(number.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(normalise_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalise_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
