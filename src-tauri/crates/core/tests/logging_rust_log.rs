//! RUST_LOG wins over the configured level. A binary of its own: it sets the process environment
//! and installs the process-wide subscriber.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use ampwise_core::config::LogLevel;
use ampwise_core::logging::{self, LoggingError};

const OURS: &str = "ampwise_core::logging_test";

fn logs_once_written(dir: &Path, marker: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut contents = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            contents.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
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
fn rust_log_overrides_the_configured_level() {
    let data_dir = tempfile::tempdir().unwrap();

    std::env::set_var("RUST_LOG", "ampwise=loud");
    let invalid = logging::init(data_dir.path(), LogLevel::Info).unwrap_err();
    assert!(
        matches!(invalid, LoggingError::InvalidRustLog { .. }),
        "{invalid:?}"
    );
    assert!(invalid.to_string().contains("ampwise=loud"), "{invalid}");

    std::env::set_var("RUST_LOG", "warn");
    let control = logging::init(data_dir.path(), LogLevel::Debug).unwrap();
    assert_eq!(control.rust_log(), Some("warn"));

    tracing::info!(target: OURS, "info line under warn");
    tracing::warn!(target: OURS, "marker one");
    let logs = logs_once_written(control.log_dir(), "marker one");
    assert!(!logs.contains("info line under warn"), "{logs}");

    control.set_level(LogLevel::Trace).unwrap();
    tracing::info!(target: OURS, "info line after set_level");
    tracing::warn!(target: OURS, "marker two");
    let logs = logs_once_written(control.log_dir(), "marker two");
    assert!(!logs.contains("info line after set_level"), "{logs}");
}
