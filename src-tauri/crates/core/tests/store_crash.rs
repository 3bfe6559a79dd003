//! A session whose start was confirmed survives the process being killed (SIGKILL on unix).
//!
//! The writing process is this test binary itself, re-run with only the `#[ignore]`d helper test
//! and the database path in an environment variable, so the real `Store` is what gets killed. The
//! helper announces each transaction id only after `start_session` returned, the moment a central
//! system would send StartTransaction.conf; the kill then lands while it writes the next sessions.
#![allow(clippy::unwrap_used)]

mod store_support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ampwise_core::store::Store;
use store_support::start;

const CHILD_PATH_VAR: &str = "AMPWISE_TEST_STORE_CRASH_PATH";
const CHILD_TEST: &str = "crash_child_starts_sessions_until_killed";
const ANNOUNCEMENT: &str = "store-crash-child: started ";
const ANNOUNCED_PER_ROUND: usize = 20;
const ROUNDS: u32 = 3;

/// Starts sessions (with signed data) until killed. Does nothing in a normal test run.
#[test]
#[ignore = "helper process of confirmed_sessions_survive_a_killed_process"]
fn crash_child_starts_sessions_until_killed() {
    let Some(path) = std::env::var_os(CHILD_PATH_VAR) else {
        return;
    };
    let store = Store::open(PathBuf::from(path)).unwrap();
    // Continue after the sessions of earlier rounds: an identical start would be taken for a
    // resend and get the earlier id back.
    let earlier = u32::try_from(store.open_sessions().unwrap().len()).unwrap();
    let mut stdout = std::io::stdout().lock();
    for n in earlier.. {
        let id = store
            .start_session(start("CP-CRASH", 1, n % 1440, i64::from(n)))
            .unwrap();
        writeln!(stdout, "{ANNOUNCEMENT}{id}").unwrap();
        stdout.flush().unwrap();
        store
            .add_signed_meter_data(id, "Transaction.Begin", format!("OCMF|{{\"n\":{n}}}|{{}}"))
            .unwrap();
    }
}

/// Runs the helper until it has announced `count` sessions, kills it, and returns their ids.
fn run_and_kill(path: &Path, count: usize) -> Vec<i32> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD_TEST, "--ignored", "--nocapture"])
        .env(CHILD_PATH_VAR, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut announced = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(id) = line.strip_prefix(ANNOUNCEMENT) {
            announced.push(id.trim().parse::<i32>().unwrap());
            if announced.len() == count {
                break;
            }
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        announced.len(),
        count,
        "the helper ended after announcing only {announced:?}: {status}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "the helper was not killed: {status}"
        );
    }
    announced
}

#[test]
fn confirmed_sessions_survive_a_killed_process() {
    let directory = tempfile::tempdir().unwrap();
    let path = Store::database_path(directory.path());
    let mut confirmed = Vec::new();
    for round in 0..ROUNDS {
        confirmed.extend(run_and_kill(&path, ANNOUNCED_PER_ROUND));

        let store = Store::open(&path).unwrap();
        for id in &confirmed {
            let session = store
                .session(*id)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: confirmed session {id} was lost"));
            assert_eq!(session.charge_box_id, "CP-CRASH");
            assert_eq!(session.stop, None);
        }
        let open = store.open_sessions().unwrap();
        assert!(open.len() >= confirmed.len());
        drop(store);

        let connection = rusqlite::Connection::open(&path).unwrap();
        let integrity: String = connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}");
    }
    let mut sorted = confirmed.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        confirmed.len(),
        "an id was handed out twice: {confirmed:?}"
    );
}
