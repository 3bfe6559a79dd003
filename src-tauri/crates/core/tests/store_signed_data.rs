//! Signed (calibration-law) meter values are kept byte for byte and in order: any change to an
//! OCMF payload breaks its signature.
#![allow(clippy::unwrap_used)]

mod store_support;

use ampwise_core::store::{SignedDataOutcome, SignedMeterData, StopOutcome, Store};
use store_support::{start, stop};

/// The has.to.be wrapping: JSON with base64 OCMF inside the value.
const HAS_TO_BE_WRAPPED: &str = concat!(
    r#"{"signedMeterValue":"T0NNRnx7fXx7fQ==","encodingMethod":"OCMF","#,
    r#""publicKey":"3059301306..."}"#
);

/// Spaces (doubled), unicode, `|` and escaped quotes inside the JSON payload, numbers with
/// trailing zeros: all of it is covered by the signature.
const OCMF_BEGIN: &str = concat!(
    r#"OCMF|{"FV":"1.0","GI":"ABL SBC-301","GS":"808829900001","PG":"T1","IS":true,"#,
    r#""IT":"ISO14443","ID":"04 A2 B3 C4","RD":[{"TM":"2024-05-01T10:00:00,000+0200 S","#,
    r#""TX":"B","RV":1234.5670,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}],"#,
    r#""note":"Zählerstand  größer\u00e9 ⚡ |pipe| \"q\""}"#,
    r#"|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045022100AB CD"}"#
);

fn end_value(n: u32) -> String {
    format!("OCMF|{{\"PG\":\"T{n}\",\"RD\":[{{\"RV\":{n}.0000}}]}}|{{\"SD\":\"{n:08X}\"}}\n\t ")
}

#[test]
fn signed_values_are_stored_byte_for_byte_and_in_order() {
    let directory = tempfile::tempdir().unwrap();
    let id = {
        let store = Store::open_in_data_dir(directory.path()).unwrap();
        let id = store.start_session(start("CP001", 1, 0, 0)).unwrap();
        let other = store.start_session(start("CP002", 1, 0, 0)).unwrap();
        assert_eq!(
            store
                .add_signed_meter_data(id, "Transaction.Begin", OCMF_BEGIN)
                .unwrap(),
            SignedDataOutcome::Attached
        );
        for n in 2..=40 {
            store
                .add_signed_meter_data(id, "Sample.Periodic", end_value(n))
                .unwrap();
            // Interleaved data of another session must not end up in this one.
            store
                .add_signed_meter_data(other, "Sample.Periodic", format!("other {n}"))
                .unwrap();
        }
        // The has.to.be wrapping: JSON with base64 inside the value.
        store
            .add_signed_meter_data(id, "Transaction.End", HAS_TO_BE_WRAPPED)
            .unwrap();
        let StopOutcome::Stopped(_) = store.stop_session(stop(id, 1_000, 60)).unwrap() else {
            panic!("did not stop");
        };
        id
    };

    let store = Store::open_in_data_dir(directory.path()).unwrap();
    let session = store.session(id).unwrap().unwrap();
    let mut expected = vec![SignedMeterData {
        context: "Transaction.Begin".to_owned(),
        raw: OCMF_BEGIN.to_owned(),
    }];
    expected.extend((2..=40).map(|n| SignedMeterData {
        context: "Sample.Periodic".to_owned(),
        raw: end_value(n),
    }));
    expected.push(SignedMeterData {
        context: "Transaction.End".to_owned(),
        raw: HAS_TO_BE_WRAPPED.to_owned(),
    });
    assert_eq!(session.signed_meter_data.len(), expected.len());
    assert_eq!(session.signed_meter_data, expected);
    assert_eq!(
        session.signed_meter_data[0].raw.as_bytes(),
        OCMF_BEGIN.as_bytes()
    );
}

#[test]
fn signed_values_of_an_unknown_transaction_are_kept_but_never_join_a_later_session() {
    let directory = tempfile::tempdir().unwrap();
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    // The next id this database hands out is 1: a charge point reporting transaction 1 before any
    // start must not have its data appear in the first real session.
    assert_eq!(
        store
            .add_signed_meter_data(1, "Transaction.End", "OCMF|{\"orphan\":1}|{}")
            .unwrap(),
        SignedDataOutcome::UnknownTransaction
    );
    let id = store.start_session(start("CP001", 1, 0, 0)).unwrap();
    assert_eq!(id, 1);
    assert!(store
        .session(id)
        .unwrap()
        .unwrap()
        .signed_meter_data
        .is_empty());

    let connection = rusqlite::Connection::open(store.path()).unwrap();
    let kept: String = connection
        .query_row(
            "SELECT raw FROM signed_meter_data
             WHERE reported_transaction_id = 1 AND session_id IS NULL",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(kept, "OCMF|{\"orphan\":1}|{}");
}
