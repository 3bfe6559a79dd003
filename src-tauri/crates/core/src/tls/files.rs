//! Where the certificate and key files live and how they are written.
//!
//! Everything sits in `<data_dir>/tls`, a directory only the user can enter. Files are replaced
//! through a temp file and a rename, so a crash or power cut leaves the old file or the complete new
//! one, never half a key. Configuration refers to them by paths relative to the data directory.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use super::error::TlsError;

/// The directory below the data directory that holds every certificate and key.
pub const TLS_DIR: &str = "tls";
/// Below [`TLS_DIR`]: the CA certificates of the `client_ca` and `backend_ca` lists.
pub const CA_DIR: &str = "ca";

/// Who may read a file once written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readable {
    /// Certificates are public: 0644.
    ByEveryone,
    /// Private keys: 0600.
    ByOwnerOnly,
}

/// `tls/<name>` as the configuration spells it: forward slashes on every OS.
pub(crate) fn config_path(parts: &[&str]) -> String {
    let mut path = String::from(TLS_DIR);
    for part in parts {
        path.push('/');
        path.push_str(part);
    }
    path
}

/// A path from the configuration, which is relative to the data directory.
pub(crate) fn resolve(data_dir: &Path, relative: &str) -> PathBuf {
    relative
        .split(['/', '\\'])
        .filter(|part| !part.is_empty())
        .fold(data_dir.to_path_buf(), |path, part| path.join(part))
}

/// Makes `dir` (and its parents) and restricts it to the user on Unix.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), TlsError> {
    fs::create_dir_all(dir).map_err(TlsError::io(dir, "create the directory"))?;
    restrict_dir(dir).map_err(TlsError::io(dir, "restrict access to the directory"))
}

#[cfg(unix)]
fn restrict_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn restrict_dir(_dir: &Path) -> io::Result<()> {
    // The data directory below the user profile is already private on Windows.
    Ok(())
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    fs::read(path).map_err(TlsError::io(path, "read"))
}

/// For key files: the buffer is wiped when dropped.
pub(crate) fn read_secret(path: &Path) -> Result<Zeroizing<Vec<u8>>, TlsError> {
    fs::read(path)
        .map(Zeroizing::new)
        .map_err(TlsError::io(path, "read"))
}

/// Readers see the old file or the complete new one, whenever the process stops.
pub(crate) fn write_atomically(
    target: &Path,
    contents: &[u8],
    readable: Readable,
) -> Result<(), TlsError> {
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = temp_path(target);
    let written = create_new(&temp, readable)
        .and_then(|mut file| {
            file.write_all(contents)?;
            // The data must be on disk before the rename makes it the real file.
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temp, target));
    if let Err(source) = written {
        // Best effort: the temp file is clutter only; the target was not touched.
        let _ = fs::remove_file(&temp);
        return Err(TlsError::Io {
            path: target.to_path_buf(),
            action: "write",
            source,
        });
    }
    sync_dir(&dir).map_err(TlsError::io(dir, "sync the directory"))
}

/// Hidden, beside the target (so the rename stays on one filesystem), and unique per process and
/// call so two writers never share one.
fn temp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}.{unique}.tmp", std::process::id()))
}

#[cfg(unix)]
fn create_new(path: &Path, readable: Readable) -> io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mode = match readable {
        Readable::ByEveryone => 0o644,
        Readable::ByOwnerOnly => 0o600,
    };
    // A leftover from a crashed run with the same pid would make create_new fail.
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    // The umask may have removed bits from 0644; the key mode 0600 is only ever narrowed by it.
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    Ok(file)
}

#[cfg(not(unix))]
fn create_new(path: &Path, _readable: Readable) -> io::Result<File> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Makes a rename durable; without it a power cut could bring back the old file.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// NTFS journals the rename itself, and std cannot open a directory handle to flush on Windows.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_paths_resolve_below_the_data_dir() {
        let relative = config_path(&["ca", "root.crt"]);
        assert_eq!(relative, "tls/ca/root.crt");
        assert_eq!(
            resolve(Path::new("/data"), &relative),
            Path::new("/data").join("tls").join("ca").join("root.crt")
        );
    }
}
