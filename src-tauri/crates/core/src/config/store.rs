use std::path::{Path, PathBuf};

use super::model::Config;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("todo")]
    Todo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveOutcome {
    /// Where an unloadable file that was in the way was moved before the new one was written.
    pub kept_aside: Option<PathBuf>,
}

pub fn parse_config(_text: &str) -> Result<Config, ConfigError> {
    todo!("helper A")
}

pub struct ConfigStore {
    path: PathBuf,
}

impl ConfigStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `Ok(None)` when there is no file yet.
    pub fn load(&self) -> Result<Option<Config>, ConfigError> {
        todo!("helper A")
    }

    pub fn save(&self, _config: &Config) -> Result<SaveOutcome, ConfigError> {
        todo!("helper A")
    }
}
