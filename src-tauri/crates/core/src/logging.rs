//! Logging to stderr and to daily rotating files in the data directory.
//!
//! The level comes from the configuration and can change at run time through
//! [`LogControl::set_level`]. Above `info` it applies only to Ampwise's own crates (every target
//! starting with `ampwise`); dependencies stay at `info` so a debug log is about the chargers, not
//! about TLS or WebSocket internals. When the `RUST_LOG` environment variable is set, its directives
//! win over the configured level for the life of the process (and `set_level` leaves them alone):
//! that is the way to see a dependency's debug output, e.g. `RUST_LOG=info,rustls=debug`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, reload, EnvFilter, Registry};

use crate::config::LogLevel;

/// The directory under the data directory that holds the log files.
pub const LOG_DIR_NAME: &str = "logs";
/// Log files are named `ampwise.log.<YYYY-MM-DD>`, one per day.
pub const LOG_FILE_PREFIX: &str = "ampwise.log";
/// Two weeks of daily files are kept; older ones are deleted when the file rotates.
pub const MAX_LOG_FILES: usize = 14;

/// Every target that starts with this is ours (`ampwise`, `ampwise_core`, `ampwised`, ...).
const OWN_TARGET_PREFIX: &str = "ampwise";

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("cannot create the log directory {}: {source}", dir.display())]
    CreateLogDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open a log file in {}: {source}", dir.display())]
    LogFile {
        dir: PathBuf,
        #[source]
        source: tracing_appender::rolling::InitError,
    },
    #[error("the RUST_LOG environment variable ({value:?}) is not a valid filter: {detail}")]
    InvalidRustLog { value: String, detail: String },
    #[error("logging is already initialised in this process ({detail}); call logging::init once")]
    AlreadyInitialised { detail: String },
    #[error("cannot change the log level: {detail}")]
    SetLevel { detail: String },
}

/// Keeps the file writer alive and lets the level change at run time.
///
/// Log lines reach the file through a background thread; dropping this flushes what is queued and
/// stops the file output, so keep it for as long as the process runs.
pub struct LogControl {
    filter: reload::Handle<EnvFilter, Registry>,
    level: Mutex<LogLevel>,
    rust_log: Option<String>,
    log_dir: PathBuf,
    _file_writer: WorkerGuard,
}

impl LogControl {
    /// Switches to `level`. Does nothing while `RUST_LOG` is in charge (see the module docs).
    pub fn set_level(&self, level: LogLevel) -> Result<(), LoggingError> {
        if self.rust_log.is_some() {
            return Ok(());
        }
        let mut current = self.level.lock().unwrap_or_else(|e| e.into_inner());
        if *current == level {
            return Ok(());
        }
        self.filter
            .reload(level_filter(level))
            .map_err(|error| LoggingError::SetLevel {
                detail: error.to_string(),
            })?;
        *current = level;
        drop(current);
        tracing::info!(level = level.as_str(), "log level changed");
        Ok(())
    }

    /// The level set from the configuration (not in effect while `RUST_LOG` is set).
    pub fn level(&self) -> LogLevel {
        *self.level.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The `RUST_LOG` filter in effect instead of the configured level, if any.
    pub fn rust_log(&self) -> Option<&str> {
        self.rust_log.as_deref()
    }

    /// The directory with the log files (`<data_dir>/logs`).
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }
}

impl std::fmt::Debug for LogControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogControl")
            .field("level", &self.level())
            .field("rust_log", &self.rust_log)
            .field("log_dir", &self.log_dir)
            .finish_non_exhaustive()
    }
}

/// Installs the process-wide subscriber: stderr plus daily files in `<data_dir>/logs`.
///
/// Can succeed only once per process; a second call returns [`LoggingError::AlreadyInitialised`].
pub fn init(data_dir: &Path, level: LogLevel) -> Result<LogControl, LoggingError> {
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty());
    let filter = match &rust_log {
        Some(value) => EnvFilter::try_new(value).map_err(|error| LoggingError::InvalidRustLog {
            value: value.clone(),
            detail: error.to_string(),
        })?,
        None => level_filter(level),
    };

    let log_dir = data_dir.join(LOG_DIR_NAME);
    std::fs::create_dir_all(&log_dir).map_err(|source| LoggingError::CreateLogDir {
        dir: log_dir.clone(),
        source,
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .max_log_files(MAX_LOG_FILES)
        .build(&log_dir)
        .map_err(|source| LoggingError::LogFile {
            dir: log_dir.clone(),
            source,
        })?;
    let (file_writer, file_writer_guard) = tracing_appender::non_blocking(appender);

    let (filter, filter_handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .with(fmt::layer().with_writer(file_writer).with_ansi(false))
        .try_init()
        .map_err(|error| LoggingError::AlreadyInitialised {
            detail: error.to_string(),
        })?;

    tracing::info!(
        dir = %log_dir.display(),
        level = level.as_str(),
        rust_log = rust_log.as_deref(),
        "logging started"
    );
    Ok(LogControl {
        filter: filter_handle,
        level: Mutex::new(level),
        rust_log,
        log_dir,
        _file_writer: file_writer_guard,
    })
}

/// The filter for a configured level: ours at `level`, dependencies at no more detail than `info`.
fn level_filter(level: LogLevel) -> EnvFilter {
    match level {
        LogLevel::Error | LogLevel::Warn | LogLevel::Info => EnvFilter::new(level.as_str()),
        LogLevel::Debug | LogLevel::Trace => {
            EnvFilter::new(format!("info,{OWN_TARGET_PREFIX}={}", level.as_str()))
        }
    }
}
