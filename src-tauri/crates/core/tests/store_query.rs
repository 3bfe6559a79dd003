//! Listing the session history and exporting it as CSV.
#![allow(clippy::unwrap_used)]

mod store_support;

use ampwise_core::store::{NewSession, SessionQuery, StopOutcome, StopSession, Store, StoreError};
use store_support::{start, stop};

fn ids(store: &Store, query: &SessionQuery) -> Vec<i32> {
    store
        .list_sessions(query)
        .unwrap()
        .iter()
        .map(|session| session.transaction_id)
        .collect()
}

/// Sessions on two charge boxes, started in an order that differs from the id order (a charge
/// point may deliver a queued start late), one with a start time in another offset.
fn history() -> (tempfile::TempDir, Store, Vec<i32>) {
    let directory = tempfile::tempdir().unwrap();
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    let minutes = [30, 10, 50, 20, 40];
    let mut ids = Vec::new();
    for (index, minute) in minutes.iter().enumerate() {
        let charge_box = if index % 2 == 0 { "CP-A" } else { "CP-B" };
        ids.push(
            store
                .start_session(start(charge_box, 1, *minute, 0))
                .unwrap(),
        );
    }
    // 01:05+02:00 is 23:05 UTC the day before: the oldest of all.
    ids.push(
        store
            .start_session(NewSession {
                started_at: "2024-05-01T01:05:00+02:00".to_owned(),
                ..start("CP-B", 2, 0, 0)
            })
            .unwrap(),
    );
    (directory, store, ids)
}

#[test]
fn sessions_are_listed_newest_start_first() {
    let (_directory, store, ids) = history();
    // starts: ids[2]=00:50, ids[4]=00:40, ids[0]=00:30, ids[3]=00:20, ids[1]=00:10, ids[5]=-00:55
    let newest_first = vec![ids[2], ids[4], ids[0], ids[3], ids[1], ids[5]];
    assert_eq!(self::ids(&store, &SessionQuery::default()), newest_first);
}

#[test]
fn filters_combine_and_paging_walks_the_same_order() {
    let (_directory, store, ids) = history();
    let by_box = |charge_box: &str| SessionQuery {
        charge_box_id: Some(charge_box.to_owned()),
        ..SessionQuery::default()
    };
    assert_eq!(
        self::ids(&store, &by_box("CP-A")),
        vec![ids[2], ids[4], ids[0]]
    );
    assert_eq!(
        self::ids(&store, &by_box("CP-B")),
        vec![ids[3], ids[1], ids[5]]
    );
    assert!(self::ids(&store, &by_box("CP-C")).is_empty());
    assert_eq!(
        self::ids(
            &store,
            &SessionQuery {
                device_id: Some("device-CP-B".to_owned()),
                ..SessionQuery::default()
            }
        ),
        vec![ids[3], ids[1], ids[5]]
    );

    // from is inclusive, to exclusive; offsets are honoured.
    let window = SessionQuery {
        from: Some("2024-05-01T02:20:00+02:00".to_owned()),
        to: Some("2024-05-01T00:50:00Z".to_owned()),
        ..SessionQuery::default()
    };
    assert_eq!(self::ids(&store, &window), vec![ids[4], ids[0], ids[3]]);
    assert_eq!(
        self::ids(
            &store,
            &SessionQuery {
                charge_box_id: Some("CP-A".to_owned()),
                ..window.clone()
            }
        ),
        vec![ids[4], ids[0]]
    );
    assert_eq!(
        self::ids(
            &store,
            &SessionQuery {
                to: Some("2024-05-01T00:00:00Z".to_owned()),
                ..SessionQuery::default()
            }
        ),
        vec![ids[5]]
    );

    let all = self::ids(&store, &SessionQuery::default());
    let mut paged = Vec::new();
    for page in 0..4 {
        let page = self::ids(
            &store,
            &SessionQuery {
                limit: Some(2),
                offset: page * 2,
                ..SessionQuery::default()
            },
        );
        assert!(page.len() <= 2);
        paged.extend(page);
    }
    assert_eq!(paged, all);
    assert_eq!(
        self::ids(
            &store,
            &SessionQuery {
                limit: Some(0),
                ..SessionQuery::default()
            }
        ),
        Vec::<i32>::new()
    );
}

#[test]
fn a_time_filter_that_is_not_rfc3339_is_refused_naming_the_field() {
    let (_directory, store, _ids) = history();
    let error = store
        .list_sessions(&SessionQuery {
            to: Some("yesterday".to_owned()),
            ..SessionQuery::default()
        })
        .unwrap_err();
    assert!(
        matches!(error, StoreError::InvalidInput { field: "to", .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("to:") && message.contains("yesterday"),
        "{message}"
    );
    assert!(message.contains("ampwise.sqlite3"), "{message}");
}

#[test]
fn csv_quotes_what_needs_it_and_formats_energy_in_kwh() {
    let directory = tempfile::tempdir().unwrap();
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    let tricky = store
        .start_session(NewSession {
            charge_box_id: "Garage, left".to_owned(),
            connector_id: 1,
            device_id: Some("wallbox \"north\"".to_owned()),
            id_tag: "line1\nline2".to_owned(),
            meter_start_wh: 1_000,
            started_at: "2024-05-01T10:00:00Z".to_owned(),
            reservation_id: None,
        })
        .unwrap();
    let StopOutcome::Stopped(_) = store
        .stop_session(StopSession {
            transaction_id: tricky,
            meter_stop_wh: 13_345,
            stopped_at: "2024-05-01T11:00:00Z".to_owned(),
            reason: Some("Other, \"see log\"".to_owned()),
            id_tag: None,
        })
        .unwrap()
    else {
        panic!("did not stop");
    };
    let small = store.start_session(start("CP2", 2, 700, 0)).unwrap();
    store.stop_session(stop(small, 5, 710)).unwrap();
    let formula = store
        .start_session(NewSession {
            id_tag: "=HYPERLINK(\"http://x\")".to_owned(),
            device_id: None,
            ..start("CP3", 1, 720, 42)
        })
        .unwrap();

    let mut csv = Vec::new();
    store
        .export_csv(&SessionQuery::default(), &mut csv)
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let expected = format!(
        "transaction_id,device,charge_box_id,connector,id_tag,start,stop,meter_start_wh,\
         meter_stop_wh,energy_kwh,stop_reason\r\n\
         {formula},,CP3,1,\"'=HYPERLINK(\"\"http://x\"\")\",2024-05-01T12:00:00Z,,42,,,\r\n\
         {small},device-CP2,CP2,2,04A2B3C4D5,2024-05-01T11:40:00Z,2024-05-01T11:50:00Z,0,5,0.005,\
         EVDisconnected\r\n\
         {tricky},\"wallbox \"\"north\"\"\",\"Garage, left\",1,\"line1\nline2\",\
         2024-05-01T10:00:00Z,2024-05-01T11:00:00Z,1000,13345,12.345,\"Other, \"\"see log\"\"\"\r\n"
    );
    assert_eq!(csv, expected);

    // The same filters as the list apply.
    let mut only_cp2 = Vec::new();
    store
        .export_csv(
            &SessionQuery {
                charge_box_id: Some("CP2".to_owned()),
                ..SessionQuery::default()
            },
            &mut only_cp2,
        )
        .unwrap();
    let only_cp2 = String::from_utf8(only_cp2).unwrap();
    assert_eq!(only_cp2.lines().count(), 2, "{only_cp2}");
    assert!(only_cp2.contains(",0.005,"));
}
