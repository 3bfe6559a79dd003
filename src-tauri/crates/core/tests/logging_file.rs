//! Logging into the rotating file: levels, run-time level changes, secrets.
//!
//! The subscriber is global to the process, so this binary holds one test that walks through the
//! scenario in order.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use ampwise_core::config::LogLevel;
use ampwise_core::logging::{self, LoggingError};
use ampwise_core::secrets::Secret;

const OURS: &str = "ampwise_core::logging_test";

/// Everything written to the log files so far.
fn read_logs(dir: &Path) -> String {
    let mut contents = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        contents.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    contents
}

/// The file is written by a background thread: wait until `marker` got there.
fn logs_once_written(dir: &Path, marker: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let contents = read_logs(dir);
        if contents.contains(marker) {
            return contents;
        }
        assert!(
            Instant::now() < deadline,
            "{marker:?} never reached the log file:\n{contents}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn file_logging_follows_the_level_and_hides_secrets() {
    // Only the configured level is under test here; RUST_LOG has its own test binary.
    std::env::remove_var("RUST_LOG");
    let data_dir = tempfile::tempdir().unwrap();
    let control = logging::init(data_dir.path(), LogLevel::Info).unwrap();
    let log_dir = data_dir.path().join("logs");
    assert_eq!(control.log_dir(), log_dir);
    assert_eq!(control.rust_log(), None);

    tracing::info!(target: OURS, "info line one");
    tracing::debug!(target: OURS, "debug line at info level");
    tracing::info!(target: OURS, "marker one");
    let logs = logs_once_written(&log_dir, "marker one");
    assert!(logs.contains("info line one"), "{logs}");
    assert!(!logs.contains("debug line at info level"), "{logs}");

    control.set_level(LogLevel::Debug).unwrap();
    assert_eq!(control.level(), LogLevel::Debug);
    tracing::debug!(target: OURS, "debug line at debug level");
    tracing::debug!(target: "hyper::proto::h1", "dependency debug line");
    tracing::info!(target: OURS, "marker two");
    let logs = logs_once_written(&log_dir, "marker two");
    assert!(logs.contains("debug line at debug level"), "{logs}");
    assert!(
        !logs.contains("dependency debug line"),
        "dependencies stay at info: {logs}"
    );

    control.set_level(LogLevel::Info).unwrap();
    tracing::debug!(target: OURS, "debug line back at info");
    let password = Secret::new("hunter2-in-the-log").unwrap();
    tracing::info!(target: OURS, ?password, shown = %password, "marker three");
    let logs = logs_once_written(&log_dir, "marker three");
    assert!(!logs.contains("debug line back at info"), "{logs}");
    assert!(logs.contains("password=*** shown=***"), "{logs}");

    let again = logging::init(data_dir.path(), LogLevel::Info).unwrap_err();
    assert!(
        matches!(again, LoggingError::AlreadyInitialised { .. }),
        "{again:?}"
    );
    assert!(again.to_string().contains("already initialised"), "{again}");

    // Dropping the control flushes whatever is still queued.
    tracing::info!(target: OURS, "last line before drop");
    drop(control);
    let logs = read_logs(&log_dir);
    assert!(logs.contains("last line before drop"), "{logs}");
    assert!(!logs.contains("hunter2-in-the-log"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no ANSI colour codes in the file");

    let files: Vec<String> = std::fs::read_dir(&log_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("ampwise.log."), "{files:?}");
}
