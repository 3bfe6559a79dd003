//! The errors of loading and saving the config file: each names the file and, where it can, the
//! field and the line.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::config::migrate::MigrationError;
use crate::config::validate::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot {action}: {source}", .path.display())]
    Io {
        path: PathBuf,
        /// What was being done, e.g. "read the config file".
        action: &'static str,
        source: io::Error,
    },
    #[error("{}{}: TOML syntax error: {message}", origin(.path), at(.position))]
    Syntax {
        /// `None` for text that did not come from a file (`parse_config`).
        path: Option<PathBuf>,
        position: Option<TextPosition>,
        message: String,
    },
    #[error("{}{}: {field}: {message}", origin(.path), at(.position))]
    Schema {
        path: Option<PathBuf>,
        /// The path in the file, e.g. `devices[0].name`.
        field: String,
        position: Option<TextPosition>,
        message: String,
    },
    #[error("{} is invalid:\n{errors}", origin(.path))]
    Invalid {
        path: Option<PathBuf>,
        errors: ValidationErrors,
    },
    #[error(
        "{} was written by a newer Ampwise (schema_version {found}; this version understands up \
         to {supported}): update Ampwise or restore a backup",
        origin(.path)
    )]
    NewerVersion {
        path: Option<PathBuf>,
        found: u32,
        supported: u32,
    },
    #[error("{} cannot be migrated: {source}", origin(.path))]
    Migration {
        path: Option<PathBuf>,
        source: MigrationError,
    },
    /// A bug, not bad input: the model produced TOML that does not read back as the same config.
    #[error("{}: the configuration cannot be written as TOML: {message}", .path.display())]
    Serialize { path: PathBuf, message: String },
}

fn origin(path: &Option<PathBuf>) -> String {
    match path {
        Some(path) => format!("config file {}", path.display()),
        None => "config".to_owned(),
    }
}

fn at(position: &Option<TextPosition>) -> String {
    position
        .map(|position| format!(", {position}"))
        .unwrap_or_default()
}

/// A place in the file, both counted from 1 (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPosition {
    pub line: usize,
    pub column: usize,
}

impl TextPosition {
    pub(super) fn of(text: &str, byte_offset: usize) -> Self {
        let before = text.get(..byte_offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Self {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for TextPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}
