//! Secrets in a file, for headless servers without an OS keyring (explicit opt-in: `--secrets-file`).
//!
//! The file is a JSON object mapping [`SecretName::account`] to the value. It is only ever accessible
//! to the current user: created with mode 0600 on unix, and a file that group or others can access
//! is refused rather than silently used. Every change rewrites it atomically (temp file, fsync,
//! rename, fsync of the directory), so a crash leaves either the old or the new file, never half.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::{Secret, SecretError, SecretName, SecretStore};
use crate::fs_atomic::{self, write_file_atomically, Permissions};

/// A [`SecretStore`] backed by one file readable only by the current user.
#[derive(Debug)]
pub struct FileSecretStore {
    path: PathBuf,
    /// Serialises read-modify-write cycles within this process.
    writing: Mutex<()>,
}

impl FileSecretStore {
    /// Opens the secrets file at `path`, creating it (empty, private to this user) and its directory
    /// when missing. An existing file must be private to this user and hold a valid secrets map.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, SecretError> {
        let store = Self {
            path: path.into(),
            writing: Mutex::new(()),
        };
        store.create_if_missing()?;
        store.load()?;
        Ok(store)
    }

    /// The file the secrets are kept in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn create_if_missing(&self) -> Result<(), SecretError> {
        if let Some(dir) = self.dir() {
            platform::create_private_dir_all(dir).map_err(|source| self.file_error(source))?;
        }
        match fs_atomic::create_new_file(&self.path, Permissions::Private) {
            Ok(mut file) => {
                file.write_all(b"{}\n")
                    .and_then(|()| file.sync_all())
                    .map_err(|source| self.file_error(source))?;
                self.sync_dir()
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(source) => Err(self.file_error(source)),
        }
    }

    fn load(&self) -> Result<BTreeMap<String, Secret>, SecretError> {
        let mut file = File::open(&self.path).map_err(|source| self.file_error(source))?;
        // Checked on the open file, so the file judged is the file read.
        let metadata = file.metadata().map_err(|source| self.file_error(source))?;
        platform::check_private(&self.path, &metadata)?;
        let mut contents = Zeroizing::new(Vec::new());
        file.read_to_end(&mut contents)
            .map_err(|source| self.file_error(source))?;
        if contents.iter().all(u8::is_ascii_whitespace) {
            return Ok(BTreeMap::new());
        }
        // serde_json's own message may quote the offending value, which could be a secret, so only
        // the position is passed on.
        serde_json::from_slice(&contents).map_err(|error| {
            self.file_error(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "not a JSON object of secret names to non-empty strings (error at line {}, \
                     column {})",
                    error.line(),
                    error.column()
                ),
            ))
        })
    }

    fn save(&self, secrets: &BTreeMap<String, Secret>) -> Result<(), SecretError> {
        let exposed: BTreeMap<&str, &str> = secrets
            .iter()
            .map(|(account, secret)| (account.as_str(), secret.expose()))
            .collect();
        // Sized up front so the buffer never reallocates and leaves unwiped copies behind.
        let capacity = 16
            + exposed
                .iter()
                .map(|(a, s)| 16 + 6 * (a.len() + s.len()))
                .sum::<usize>();
        let mut contents = Zeroizing::new(Vec::with_capacity(capacity));
        serde_json::to_writer_pretty(&mut *contents, &exposed)
            .map_err(|error| self.file_error(io::Error::other(error.to_string())))?;
        contents.push(b'\n');

        write_file_atomically(&self.path, &contents, Permissions::Private)
            .map_err(|error| self.file_error(error.source))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // The mutex guards no data, so a panic while it was held leaves nothing inconsistent.
        self.writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn dir(&self) -> Option<&Path> {
        self.path.parent().filter(|dir| !dir.as_os_str().is_empty())
    }

    fn sync_dir(&self) -> Result<(), SecretError> {
        fs_atomic::sync_dir(&fs_atomic::directory_of(&self.path))
            .map_err(|source| self.file_error(source))
    }

    fn file_error(&self, source: io::Error) -> SecretError {
        SecretError::File {
            path: self.path.clone(),
            source,
        }
    }
}

impl SecretStore for FileSecretStore {
    fn set(&self, name: &SecretName, secret: &Secret) -> Result<(), SecretError> {
        let _writing = self.lock();
        let mut secrets = self.load()?;
        secrets.insert(name.account(), secret.clone());
        self.save(&secrets)
    }

    fn get(&self, name: &SecretName) -> Result<Option<Secret>, SecretError> {
        let _writing = self.lock();
        Ok(self.load()?.remove(&name.account()))
    }

    fn delete(&self, name: &SecretName) -> Result<(), SecretError> {
        let _writing = self.lock();
        let mut secrets = self.load()?;
        if secrets.remove(&name.account()).is_none() {
            return Ok(());
        }
        self.save(&secrets)
    }

    fn describe(&self) -> String {
        format!(
            "the file {} (readable only by this user)",
            self.path.display()
        )
    }
}

#[cfg(unix)]
mod platform {
    use std::fs::{DirBuilder, Metadata};
    use std::io;
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    use std::path::Path;

    use crate::secrets::SecretError;

    /// Any access for group or others is refused: readable leaks the secrets, writable lets another
    /// user replace them.
    pub(super) fn check_private(path: &Path, metadata: &Metadata) -> Result<(), SecretError> {
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(SecretError::InsecureFilePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        Ok(())
    }

    pub(super) fn create_private_dir_all(dir: &Path) -> io::Result<()> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
}

/// Windows has no mode bits. The file belongs in the user's profile (the data directory under
/// %APPDATA%), whose inherited ACL grants access only to this user, SYSTEM and Administrators, so
/// creating it there is what makes it private; nothing further is checked here.
#[cfg(windows)]
mod platform {
    use std::fs::Metadata;
    use std::io;
    use std::path::Path;

    use crate::secrets::SecretError;

    pub(super) fn check_private(_path: &Path, _metadata: &Metadata) -> Result<(), SecretError> {
        Ok(())
    }

    pub(super) fn create_private_dir_all(dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }
}
