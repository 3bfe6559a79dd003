//! Writing a file so that readers, and the next start after a crash or power cut, see either the
//! old file or the complete new one.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::ConfigError;

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
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
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
    let temp_error = |action: &'static str| {
        let path = files.temp.clone();
        move |source| ConfigError::Io {
            path,
            action,
            source,
        }
    };
    match fs::remove_file(&files.temp) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(temp_error("remove the old temp file")(source)),
    }
    let written = create_private(&files.temp)
        .map_err(temp_error("create the temp file"))
        .and_then(|mut file| {
            file.write_all(contents)
                .map_err(temp_error("write the temp file"))?;
            // Data must be on disk before the rename makes it the config file.
            file.sync_all().map_err(temp_error("sync the temp file"))
        })
        .and_then(|()| {
            replace(&files.temp, &files.target).map_err(|source| ConfigError::Io {
                path: files.target.clone(),
                action: "replace the config file",
                source,
            })
        });
    if written.is_err() {
        // Best effort: the temp file is only clutter; the config file was not touched.
        let _ = fs::remove_file(&files.temp);
    }
    written?;
    sync_dir(&files.dir)
}

/// Device addresses and backend URLs are private to the installation: owner-only on Unix.
#[cfg(unix)]
pub(super) fn create_private(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
pub(super) fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// `rename` replaces the target atomically on Unix (rename(2)).
#[cfg(unix)]
fn replace(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)
}

/// On Windows `std::fs::rename` is `MoveFileExW` with `MOVEFILE_REPLACE_EXISTING`: a replace.
#[cfg(windows)]
fn replace(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)
}

#[cfg(not(any(unix, windows)))]
fn replace(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)
}

/// Makes a rename in `dir` durable, or a power cut could bring back the old file.
pub(super) fn sync_dir(dir: &Path) -> Result<(), ConfigError> {
    sync_dir_entries(dir).map_err(|source| ConfigError::Io {
        path: dir.to_path_buf(),
        action: "sync the config directory",
        source,
    })
}

#[cfg(unix)]
fn sync_dir_entries(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// NTFS journals the rename itself, and std cannot open a directory handle to flush on Windows.
#[cfg(not(unix))]
fn sync_dir_entries(_dir: &Path) -> io::Result<()> {
    Ok(())
}
