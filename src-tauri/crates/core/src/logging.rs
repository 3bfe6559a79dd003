//! Logging to stderr and to daily rotating files in the data directory.

use std::path::Path;

use crate::config::LogLevel;

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error("todo")]
    Todo,
}

/// Keeps the file writer alive and lets the level change at run time.
pub struct LogControl {}

impl LogControl {
    pub fn set_level(&self, _level: LogLevel) -> Result<(), LoggingError> {
        todo!("helper B")
    }
}

pub fn init(_data_dir: &Path, _level: LogLevel) -> Result<LogControl, LoggingError> {
    todo!("helper B")
}
