//! Where the certificate and key files live and how they are written.
//!
//! Everything sits in `<data_dir>/tls`, a directory only the user can enter. Files are replaced
//! through a temp file and a rename, so a crash or power cut leaves the old file or the complete new
//! one, never half a key. Configuration refers to them by paths relative to the data directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::error::TlsError;
use crate::fs_atomic::{write_file_atomically, Permissions, Step};

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
    let permissions = match readable {
        Readable::ByEveryone => Permissions::Public,
        Readable::ByOwnerOnly => Permissions::Private,
    };
    write_file_atomically(target, contents, permissions).map_err(|error| match error.step {
        Step::SyncDir => TlsError::io(error.path, "sync the directory")(error.source),
        _ => TlsError::io(target, "write")(error.source),
    })
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
