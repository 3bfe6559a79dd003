//! The files beside the config file, and writing it so that readers, and the next start after a
//! crash or power cut, see either the old file or the complete new one; errors say which step of
//! the config store's write failed.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::error::ConfigError;
use crate::fs_atomic::{self, write_file_atomically_via, Permissions, Step};

/// The config file and the files made next to it.
pub(super) struct Files {
    pub target: PathBuf,
    pub dir: PathBuf,
    pub name: OsString,
    /// `.<name>.tmp`: hidden, and in the same directory so the final rename stays on one filesystem.
    pub temp: PathBuf,
}

impl Files {
    pub(super) fn of(target: &Path) -> Result<Self, ConfigError> {
        let name = target
            .file_name()
            .ok_or_else(|| ConfigError::Io {
                path: target.to_path_buf(),
                action: "use the config path",
                source: io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"),
            })?
            .to_os_string();
        let dir = fs_atomic::directory_of(target);
        let mut temp_name = OsString::from(".");
        temp_name.push(&name);
        temp_name.push(".tmp");
        Ok(Self {
            target: target.to_path_buf(),
            temp: dir.join(temp_name),
            dir,
            name,
        })
    }

    pub(super) fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.name.clone();
        name.push(suffix);
        self.dir.join(name)
    }
}

/// `candidate`, or `candidate-2`, `candidate-3`, … whichever does not exist yet.
pub(super) fn unused_path(candidate: PathBuf) -> PathBuf {
    let mut counter = 1;
    let mut path = candidate.clone();
    while path.symlink_metadata().is_ok() {
        counter += 1;
        let mut name = candidate.clone().into_os_string();
        name.push(format!("-{counter}"));
        path = PathBuf::from(name);
    }
    path
}

/// Readers see the old file or the complete new one, never a mixture, whenever the process stops.
pub(super) fn write_atomically(files: &Files, contents: &[u8]) -> Result<(), ConfigError> {
    write_file_atomically_via(&files.temp, &files.target, contents, Permissions::Private).map_err(
        |error| ConfigError::Io {
            action: match error.step {
                Step::RemoveStaleTemp => "remove the old temp file",
                Step::CreateTemp => "create the temp file",
                Step::WriteTemp => "write the temp file",
                Step::SyncTemp => "sync the temp file",
                Step::ReplaceTarget => "replace the config file",
                Step::SyncDir => "sync the config directory",
            },
            path: error.path,
            source: error.source,
        },
    )
}

/// Device addresses and backend URLs are private to the installation: owner-only on Unix.
pub(super) fn create_private(path: &Path) -> io::Result<File> {
    fs_atomic::create_new_file(path, Permissions::Private)
}

/// Makes a rename in `dir` durable, or a power cut could bring back the old file.
pub(super) fn sync_dir(dir: &Path) -> Result<(), ConfigError> {
    fs_atomic::sync_dir(dir).map_err(|source| ConfigError::Io {
        path: dir.to_path_buf(),
        action: "sync the config directory",
        source,
    })
}
