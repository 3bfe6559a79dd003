//! The configuration file on disk: TOML, written atomically, never silently lost.
//!
//! A save either leaves the previous file or the complete new one, even if the process dies or the
//! power fails halfway (temp file, fsync, rename, fsync of the directory). A file Ampwise cannot load
//! is moved aside before it is replaced, and a file of an older schema is copied before migration,
//! so a hand edit or an older installation is never lost.

mod atomic;
mod error;
mod parse;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::migrate::{Migration, MIGRATIONS};
use super::model::{Config, CURRENT_SCHEMA_VERSION};
use super::validate::validate;
use atomic::{create_private, sync_dir, unused_path, write_atomically, Files};
pub use error::{ConfigError, TextPosition};
pub use parse::parse_config;
use parse::{parse, Parsed};

/// The start of every written file; TOML keeps no comments through serde, so it is prepended.
const FILE_HEADER: &str = "\
# Ampwise configuration. Ampwise rewrites this file when settings change; edit it only while
# Ampwise is stopped. Passwords are never stored here: they are kept in the system keyring.

";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveOutcome {
    /// Where an unloadable file that was in the way was moved before the new one was written.
    /// (A loadable file of an older schema version is copied to `<name>.v<old>.bak` instead.)
    pub kept_aside: Option<PathBuf>,
}

/// The configuration file of one installation.
#[derive(Debug)]
pub struct ConfigStore {
    path: PathBuf,
    migrations: &'static [Migration],
    /// Loads and saves share the temp file, so one at a time within this process.
    file_lock: Mutex<()>,
}

impl ConfigStore {
    /// A store that migrates older files with this build's `MIGRATIONS`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_migrations(path, MIGRATIONS)
    }

    /// A store with its own migration steps; tests prove the migration path with these.
    pub fn with_migrations(path: impl Into<PathBuf>, migrations: &'static [Migration]) -> Self {
        Self {
            path: path.into(),
            migrations,
            file_lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `Ok(None)` when there is no file yet. An older file is migrated and rewritten, with the
    /// original kept as `<name>.v<old version>.bak`.
    pub fn load(&self) -> Result<Option<Config>, ConfigError> {
        let _lock = self.lock();
        let files = self.files()?;
        remove_leftover_temp_file(&files.temp)?;
        let Some(bytes) = read_if_exists(&self.path)? else {
            return Ok(None);
        };
        let text = String::from_utf8(bytes).map_err(|_| not_utf8(&self.path))?;
        let parsed = parse(&text, Some(&self.path), self.migrations)?;
        if let Some(old_version) = parsed.migrated_from {
            let backup = write_version_backup(&files, old_version, text.as_bytes())?;
            let rendered = self.render(&parsed.config)?;
            write_atomically(&files, rendered.as_bytes())?;
            tracing::info!(
                path = %self.path.display(),
                from = old_version,
                to = CURRENT_SCHEMA_VERSION,
                backup = %backup.display(),
                "migrated the config file to the current schema version"
            );
        }
        Ok(Some(parsed.config))
    }

    /// Validates and writes `config`. An invalid config is refused and nothing is written.
    pub fn save(&self, config: &Config) -> Result<SaveOutcome, ConfigError> {
        validate(config).map_err(|errors| ConfigError::Invalid {
            path: Some(self.path.clone()),
            errors,
        })?;
        let rendered = self.render(config)?;

        let _lock = self.lock();
        let files = self.files()?;
        fs::create_dir_all(&files.dir).map_err(|source| ConfigError::Io {
            path: files.dir.clone(),
            action: "create the config directory",
            source,
        })?;
        let outcome = self.clear_the_way(&files)?;
        write_atomically(&files, rendered.as_bytes())?;
        Ok(outcome)
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        // A panic during a save leaves no half-written file behind (writes are atomic), so the
        // lock is still good to use.
        self.file_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn files(&self) -> Result<Files, ConfigError> {
        Files::of(&self.path)
    }

    /// Renders `config` and proves the text reads back as the same config before anything is
    /// written, so a save can never produce a file the next start refuses.
    fn render(&self, config: &Config) -> Result<String, ConfigError> {
        let serialize_error = |message: String| ConfigError::Serialize {
            path: self.path.clone(),
            message,
        };
        let body =
            toml::to_string_pretty(config).map_err(|error| serialize_error(error.to_string()))?;
        let text = format!("{FILE_HEADER}{body}");
        match parse(&text, None, &[]) {
            Ok(parsed) if parsed.config == *config => Ok(text),
            Ok(_) => Err(serialize_error("it reads back differently".to_owned())),
            Err(error) => Err(serialize_error(format!("it does not read back: {error}"))),
        }
    }

    /// Moves an unloadable file aside and copies an older-version one, so the save loses nothing.
    fn clear_the_way(&self, files: &Files) -> Result<SaveOutcome, ConfigError> {
        let Some(bytes) = read_if_exists(&self.path)? else {
            return Ok(SaveOutcome { kept_aside: None });
        };
        let problem = match String::from_utf8(bytes) {
            Err(_) => not_utf8(&self.path),
            Ok(text) => match parse(&text, Some(&self.path), self.migrations) {
                Ok(Parsed {
                    migrated_from: Some(old_version),
                    ..
                }) => {
                    let backup = write_version_backup(files, old_version, text.as_bytes())?;
                    tracing::info!(
                        path = %self.path.display(),
                        backup = %backup.display(),
                        "copied the config file of an older schema version before replacing it"
                    );
                    return Ok(SaveOutcome { kept_aside: None });
                }
                Ok(_) => return Ok(SaveOutcome { kept_aside: None }),
                Err(error @ ConfigError::Io { .. }) => return Err(error),
                Err(error) => error,
            },
        };
        let aside = unused_path(files.sibling(&format!(".rejected-{}", utc_timestamp())));
        fs::rename(&self.path, &aside).map_err(|source| ConfigError::Io {
            path: self.path.clone(),
            action: "move the unloadable config file aside",
            source,
        })?;
        sync_dir(&files.dir)?;
        tracing::warn!(
            path = %self.path.display(),
            kept_at = %aside.display(),
            problem = %problem,
            "the existing config file could not be loaded; it was kept aside before saving"
        );
        Ok(SaveOutcome {
            kept_aside: Some(aside),
        })
    }
}

fn utc_timestamp() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let now = time::OffsetDateTime::now_utc();
    now.format(format)
        .unwrap_or_else(|_| format!("{}", now.unix_timestamp()))
}

fn not_utf8(path: &Path) -> ConfigError {
    ConfigError::Syntax {
        path: Some(path.to_path_buf()),
        position: None,
        message: "the file is not UTF-8 text".to_owned(),
    }
}

fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, ConfigError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Io {
            path: path.to_path_buf(),
            action: "read the config file",
            source,
        }),
    }
}

/// A temp file left by a save that was interrupted; the config file itself is intact.
fn remove_leftover_temp_file(temp: &Path) -> Result<(), ConfigError> {
    match fs::remove_file(temp) {
        Ok(()) => {
            tracing::warn!(
                path = %temp.display(),
                "removed the temp file of an interrupted config save; the config file is intact"
            );
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(ConfigError::Io {
            path: temp.to_path_buf(),
            action: "remove the temp file of an interrupted save",
            source,
        }),
    }
}

/// Keeps the original of a migrated file as `<name>.v<old>.bak`. A backup with the same content
/// (from a migration interrupted before the rewrite) is reused; a different one is never replaced.
fn write_version_backup(
    files: &Files,
    old_version: u32,
    original: &[u8],
) -> Result<PathBuf, ConfigError> {
    let preferred = files.sibling(&format!(".v{old_version}.bak"));
    if fs::read(&preferred).is_ok_and(|existing| existing == original) {
        return Ok(preferred);
    }
    let backup = unused_path(preferred);
    let io_error = |source| ConfigError::Io {
        path: backup.clone(),
        action: "write the backup of the config file",
        source,
    };
    let mut file = create_private(&backup).map_err(io_error)?;
    file.write_all(original).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    sync_dir(&files.dir)?;
    Ok(backup)
}
