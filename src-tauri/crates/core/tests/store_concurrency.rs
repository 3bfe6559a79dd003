//! One store shared by many threads, and two stores (two connections) on one file at once.
#![allow(clippy::unwrap_used)]

mod store_support;

use std::collections::HashSet;
use std::thread;

use ampwise_core::store::{SessionQuery, StopOutcome, Store};
use store_support::{start, stop};

const THREADS_PER_STORE: usize = 3;
const SESSIONS_PER_THREAD: u32 = 15;

fn run_sessions(store: Store, charge_box: String) -> Vec<i32> {
    let mut ids = Vec::new();
    for n in 0..SESSIONS_PER_THREAD {
        let id = store
            .start_session(start(&charge_box, 1, n, i64::from(n) * 1_000))
            .unwrap();
        store
            .add_signed_meter_data(id, "Transaction.Begin", format!("{charge_box}/{n}/begin"))
            .unwrap();
        // Readers interleave with the writers of other threads.
        assert!(store.session(id).unwrap().is_some());
        store.list_sessions(&SessionQuery::default()).unwrap();
        store
            .add_signed_meter_data(id, "Transaction.End", format!("{charge_box}/{n}/end"))
            .unwrap();
        let outcome = store
            .stop_session(stop(id, i64::from(n) * 1_000 + i64::from(n) + 1, n + 1))
            .unwrap();
        assert!(matches!(outcome, StopOutcome::Stopped(_)), "{outcome:?}");
        ids.push(id);
    }
    ids
}

#[test]
fn sessions_from_many_threads_and_two_connections_are_all_kept_apart() {
    let directory = tempfile::tempdir().unwrap();
    let first = Store::open_in_data_dir(directory.path()).unwrap();
    let second = Store::open_in_data_dir(directory.path()).unwrap();

    let handles: Vec<_> = [first.clone(), second]
        .into_iter()
        .enumerate()
        .flat_map(|(store_index, store)| {
            (0..THREADS_PER_STORE).map(move |thread_index| {
                let store = store.clone();
                let charge_box = format!("CP-{store_index}-{thread_index}");
                thread::spawn(move || (charge_box.clone(), run_sessions(store, charge_box)))
            })
        })
        .collect();
    let results: Vec<(String, Vec<i32>)> = handles
        .into_iter()
        .map(|handle| handle.join().unwrap())
        .collect();

    let all_ids: Vec<i32> = results.iter().flat_map(|(_, ids)| ids.clone()).collect();
    let unique: HashSet<i32> = all_ids.iter().copied().collect();
    let total = 2 * THREADS_PER_STORE * SESSIONS_PER_THREAD as usize;
    assert_eq!(all_ids.len(), total);
    assert_eq!(unique.len(), total, "an id was handed out twice");

    for (charge_box, ids) in &results {
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
        for (n, id) in ids.iter().enumerate() {
            let session = first.session(*id).unwrap().unwrap();
            assert_eq!(&session.charge_box_id, charge_box);
            assert_eq!(session.stop.unwrap().energy_wh, n as i64 + 1);
            let raw: Vec<&str> = session
                .signed_meter_data
                .iter()
                .map(|data| data.raw.as_str())
                .collect();
            assert_eq!(
                raw,
                [
                    format!("{charge_box}/{n}/begin"),
                    format!("{charge_box}/{n}/end")
                ]
            );
        }
    }
    assert_eq!(
        first.list_sessions(&SessionQuery::default()).unwrap().len(),
        total
    );
    assert!(first.open_sessions().unwrap().is_empty());
}
