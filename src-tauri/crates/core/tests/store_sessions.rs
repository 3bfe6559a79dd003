//! The life of a charging session in the store, on real SQLite files.
#![allow(clippy::unwrap_used)]

mod store_support;

use ampwise_core::store::{NewSession, SessionStop, StopCause, StopOutcome, StopSession, Store};
use store_support::{at_minute, start, stop};

fn temp_store() -> (tempfile::TempDir, Store) {
    let directory = tempfile::tempdir().unwrap();
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    (directory, store)
}

#[test]
fn a_session_is_started_read_back_and_stopped_with_its_energy() {
    let (_directory, store) = temp_store();
    let new = NewSession {
        reservation_id: Some(17),
        ..start("CP001", 2, 10, 1_234_567)
    };
    let id = store.start_session(new.clone()).unwrap();
    assert!(id > 0);

    let open = store.session(id).unwrap().unwrap();
    assert_eq!(open.transaction_id, id);
    assert_eq!(open.charge_box_id, "CP001");
    assert_eq!(open.connector_id, 2);
    assert_eq!(open.device_id.as_deref(), Some("device-CP001"));
    assert_eq!(open.id_tag, new.id_tag);
    assert_eq!(open.meter_start_wh, 1_234_567);
    assert_eq!(open.started_at, new.started_at);
    assert_eq!(open.reservation_id, Some(17));
    assert_eq!(open.stop, None);
    assert_eq!(store.open_sessions().unwrap(), vec![open.clone()]);
    assert_eq!(store.open_session_for("CP001", 2).unwrap(), Some(open));
    assert_eq!(store.open_session_for("CP001", 1).unwrap(), None);
    assert_eq!(store.open_session_for("CP002", 2).unwrap(), None);

    let outcome = store
        .stop_session(StopSession {
            id_tag: Some("04A2B3C4D5".to_owned()),
            ..stop(id, 1_246_912, 95)
        })
        .unwrap();
    let StopOutcome::Stopped(stopped) = outcome else {
        panic!("expected Stopped, got {outcome:?}");
    };
    assert_eq!(
        stopped.stop,
        Some(SessionStop {
            meter_stop_wh: 1_246_912,
            stopped_at: at_minute(95),
            reason: Some("EVDisconnected".to_owned()),
            id_tag: Some("04A2B3C4D5".to_owned()),
            energy_wh: 12_345,
        })
    );
    assert_eq!(store.session(id).unwrap(), Some(stopped));
    assert!(store.open_sessions().unwrap().is_empty());
    assert_eq!(store.open_session_for("CP001", 2).unwrap(), None);
    assert_eq!(store.session(id + 1).unwrap(), None);
}

#[test]
fn transaction_ids_increase_and_are_never_reused_after_a_delete_and_a_reopen() {
    let directory = tempfile::tempdir().unwrap();
    let path = Store::database_path(directory.path());
    let mut ids = Vec::new();
    {
        let store = Store::open(&path).unwrap();
        for minute in 0..5 {
            ids.push(store.start_session(start("CP001", 1, minute, 0)).unwrap());
        }
    }
    // A session deleted by hand (or by a future retention job) must not free its id: a charge
    // point may still hold it in a queued StopTransaction.
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        let deleted = connection
            .execute("DELETE FROM sessions WHERE transaction_id = ?1", [ids[4]])
            .unwrap();
        assert_eq!(deleted, 1);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.session(ids[4]).unwrap(), None);
    for minute in 5..8 {
        ids.push(store.start_session(start("CP001", 1, minute, 0)).unwrap());
    }
    assert!(ids[0] > 0);
    assert!(
        ids.windows(2).all(|pair| pair[0] < pair[1]),
        "ids must strictly increase: {ids:?}"
    );
}

#[test]
fn a_session_survives_closing_and_reopening_the_database() {
    let directory = tempfile::tempdir().unwrap();
    let (id, before) = {
        let store = Store::open_in_data_dir(directory.path()).unwrap();
        let id = store.start_session(start("CP001", 1, 0, 500)).unwrap();
        store
            .add_signed_meter_data(id, "Transaction.Begin", "OCMF|{}|{}")
            .unwrap();
        (id, store.session(id).unwrap().unwrap())
    };
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    assert_eq!(store.session(id).unwrap(), Some(before.clone()));
    assert_eq!(store.open_sessions().unwrap(), vec![before]);
    let StopOutcome::Stopped(stopped) = store.stop_session(stop(id, 2_500, 30)).unwrap() else {
        panic!("the reopened session did not stop");
    };
    drop(store);
    let store = Store::open_in_data_dir(directory.path()).unwrap();
    assert_eq!(store.session(id).unwrap(), Some(stopped));
}

#[test]
fn a_repeated_stop_is_idempotent_and_the_first_stop_wins() {
    let (_directory, store) = temp_store();
    let id = store.start_session(start("CP001", 1, 0, 1_000)).unwrap();
    let first = stop(id, 3_000, 60);
    let StopOutcome::Stopped(stopped) = store.stop_session(first.clone()).unwrap() else {
        panic!("the first stop did not stop");
    };

    assert_eq!(
        store.stop_session(first.clone()).unwrap(),
        StopOutcome::AlreadyStopped(stopped.clone())
    );
    assert_eq!(
        store.stop_session(first).unwrap(),
        StopOutcome::AlreadyStopped(stopped.clone())
    );
    assert!(store.unapplied_stops().unwrap().is_empty());

    let different = stop(id, 9_999, 61);
    assert_eq!(
        store.stop_session(different.clone()).unwrap(),
        StopOutcome::ConflictingStop(stopped.clone())
    );
    assert_eq!(store.session(id).unwrap(), Some(stopped));
    let unapplied = store.unapplied_stops().unwrap();
    assert_eq!(unapplied.len(), 1);
    assert_eq!(unapplied[0].stop, different);
    assert_eq!(unapplied[0].cause, StopCause::DiffersFromFirstStop);
}

#[test]
fn a_stop_for_an_unknown_transaction_is_kept_once() {
    let (_directory, store) = temp_store();
    let orphan = StopSession {
        transaction_id: 4242,
        meter_stop_wh: 77,
        stopped_at: "2024-05-01T10:00:00+02:00".to_owned(),
        reason: None,
        id_tag: Some("TAG, with \"quotes\"".to_owned()),
    };
    assert_eq!(
        store.stop_session(orphan.clone()).unwrap(),
        StopOutcome::UnknownTransaction
    );
    // The charge point resends it after a reconnect: still one record.
    assert_eq!(
        store.stop_session(orphan.clone()).unwrap(),
        StopOutcome::UnknownTransaction
    );
    let unapplied = store.unapplied_stops().unwrap();
    assert_eq!(unapplied.len(), 1);
    assert_eq!(unapplied[0].stop, orphan);
    assert_eq!(unapplied[0].cause, StopCause::UnknownTransaction);
    assert!(unapplied[0].recorded_at.ends_with('Z'));
    // Nothing was invented as a session.
    assert_eq!(store.session(4242).unwrap(), None);
    assert!(store.open_sessions().unwrap().is_empty());
}

#[test]
fn a_resent_start_gets_the_same_transaction_id() {
    let (_directory, store) = temp_store();
    let first = store.start_session(start("CP001", 1, 0, 100)).unwrap();
    assert_eq!(
        store.start_session(start("CP001", 1, 0, 100)).unwrap(),
        first
    );
    // Any difference makes it another session.
    let other_connector = store.start_session(start("CP001", 2, 0, 100)).unwrap();
    let other_time = store.start_session(start("CP001", 1, 1, 100)).unwrap();
    assert_ne!(other_connector, first);
    assert_ne!(other_time, first);
    assert_ne!(other_time, other_connector);
    assert_eq!(store.open_sessions().unwrap().len(), 3);
}

#[test]
fn a_second_start_on_a_connector_is_kept_and_is_the_open_session() {
    let (_directory, store) = temp_store();
    let lost_stop = store.start_session(start("CP001", 1, 0, 100)).unwrap();
    let newer = store.start_session(start("CP001", 1, 90, 900)).unwrap();
    let open = store.open_session_for("CP001", 1).unwrap().unwrap();
    assert_eq!(open.transaction_id, newer);
    let all_open: Vec<i32> = store
        .open_sessions()
        .unwrap()
        .iter()
        .map(|session| session.transaction_id)
        .collect();
    assert_eq!(all_open, vec![newer, lost_stop]);
}

#[test]
fn a_start_time_that_is_not_rfc3339_is_still_recorded_as_sent() {
    let (_directory, store) = temp_store();
    let new = NewSession {
        started_at: "01.05.2024 10:00".to_owned(),
        ..start("CP001", 1, 0, 0)
    };
    let id = store.start_session(new).unwrap();
    let session = store.session(id).unwrap().unwrap();
    assert_eq!(session.started_at, "01.05.2024 10:00");
}

#[test]
fn negative_energy_is_stored_as_measured() {
    let (_directory, store) = temp_store();
    let id = store.start_session(start("CP001", 1, 0, 5_000)).unwrap();
    let StopOutcome::Stopped(stopped) = store.stop_session(stop(id, 4_000, 10)).unwrap() else {
        panic!("did not stop");
    };
    assert_eq!(stopped.stop.unwrap().energy_wh, -1_000);
}
