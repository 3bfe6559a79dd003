//! Where Ampwise keeps its configuration file and its data (logs, certificates, sessions) by default.
//!
//! Linux: `~/.config/ampwise/config.toml` and `~/.local/share/ampwise`; Windows:
//! `%APPDATA%\Ampwise\config\config.toml` and `%APPDATA%\Ampwise\data`; macOS: Application Support.
//! `AMPWISE_CONFIG` and `AMPWISE_DATA_DIR` override both, for portable installs and tests.

use std::path::PathBuf;

pub const CONFIG_ENV: &str = "AMPWISE_CONFIG";
pub const DATA_DIR_ENV: &str = "AMPWISE_DATA_DIR";
pub const CONFIG_FILE_NAME: &str = "config.toml";

#[derive(Debug, thiserror::Error)]
#[error(
    "the home directory could not be determined, so there is no default place for the \
     configuration and data; set {CONFIG_ENV} and {DATA_DIR_ENV}, or pass --config and --data-dir"
)]
pub struct NoHomeDirectory;

fn project_dirs() -> Result<directories::ProjectDirs, NoHomeDirectory> {
    directories::ProjectDirs::from("", "", "Ampwise").ok_or(NoHomeDirectory)
}

fn from_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// The configuration file: `AMPWISE_CONFIG`, else the OS config directory.
pub fn default_config_path() -> Result<PathBuf, NoHomeDirectory> {
    match from_env(CONFIG_ENV) {
        Some(path) => Ok(path),
        None => Ok(project_dirs()?.config_dir().join(CONFIG_FILE_NAME)),
    }
}

/// The data directory: `AMPWISE_DATA_DIR`, else the OS data directory.
pub fn default_data_dir() -> Result<PathBuf, NoHomeDirectory> {
    match from_env(DATA_DIR_ENV) {
        Some(path) => Ok(path),
        None => Ok(project_dirs()?.data_dir().to_path_buf()),
    }
}
