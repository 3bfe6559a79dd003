//! What the core tells its front ends. Every event is safe to show: none carries a secret.

use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::secrets::SecretName;

/// The configuration in force, and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigSnapshot {
    pub config: Arc<Config>,
    pub origin: ConfigOrigin,
    /// The configuration file (written on the next change when the origin is not `file`).
    pub path: String,
    /// Why the file in `path` is not what is in force, e.g. it failed validation.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigOrigin {
    /// Loaded from (or last saved to) the configuration file.
    File,
    /// Nothing is configured yet (or the file could not be used): the built-in demo installation.
    Demo,
    /// Nothing is configured yet: an empty installation (headless default).
    Empty,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CoreEvent {
    ConfigChanged { snapshot: ConfigSnapshot },
    SecretChanged { name: SecretName, set: bool },
}
