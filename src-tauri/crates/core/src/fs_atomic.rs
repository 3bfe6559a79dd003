//! Replacing a file so that readers, and the next start after a crash or power cut, see either the
//! old file or the complete new one, never a mixture: a temp file beside the target is written and
//! flushed, renamed over the target, and the directory is flushed so the rename itself survives.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Who may read a file once written (Unix modes; on Windows the directory's ACL decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Permissions {
    /// 0600, set at creation: the umask can only take bits away from it.
    Private,
    /// 0644, set again after creation because the umask may have taken bits away.
    Public,
}

/// The step of [`write_file_atomically`] that failed, so callers can say what they were doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    RemoveStaleTemp,
    CreateTemp,
    WriteTemp,
    SyncTemp,
    ReplaceTarget,
    SyncDir,
}

#[derive(Debug)]
pub(crate) struct AtomicWriteError {
    pub step: Step,
    /// What the step acted on: the temp file, the target (for the rename) or the directory.
    pub path: PathBuf,
    pub source: io::Error,
}

/// Replaces `target` with `contents` through a temp file unique to this process and call, so two
/// writers never share one.
pub(crate) fn write_file_atomically(
    target: &Path,
    contents: &[u8],
    permissions: Permissions,
) -> Result<(), AtomicWriteError> {
    write_file_atomically_via(&unique_temp_path(target), target, contents, permissions)
}

/// Replaces `target` with `contents` through `temp`, which must be in the same directory so the
/// rename stays on one filesystem. A leftover `temp` from an interrupted write is replaced.
pub(crate) fn write_file_atomically_via(
    temp: &Path,
    target: &Path,
    contents: &[u8],
    permissions: Permissions,
) -> Result<(), AtomicWriteError> {
    let at = |step, path: &Path| {
        let path = path.to_path_buf();
        move |source| AtomicWriteError { step, path, source }
    };
    let written = remove_if_present(temp)
        .map_err(at(Step::RemoveStaleTemp, temp))
        .and_then(|()| create_new_file(temp, permissions).map_err(at(Step::CreateTemp, temp)))
        .and_then(|mut file| {
            file.write_all(contents)
                .map_err(at(Step::WriteTemp, temp))?;
            // The data must be on disk before the rename makes it the real file.
            file.sync_all().map_err(at(Step::SyncTemp, temp))
        })
        // An atomic replace on both platforms: rename(2) on Unix, and on Windows `MoveFileExW` with
        // `MOVEFILE_REPLACE_EXISTING`.
        .and_then(|()| fs::rename(temp, target).map_err(at(Step::ReplaceTarget, target)));
    if written.is_err() {
        // Best effort: the temp file is clutter only; the target was not touched.
        let _ = fs::remove_file(temp);
    }
    written?;
    let dir = directory_of(target);
    sync_dir(&dir).map_err(at(Step::SyncDir, &dir))
}

/// The directory `path` is in; `.` for a bare file name.
pub(crate) fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Hidden, beside the target (so the rename stays on one filesystem), and unique per process and
/// call.
fn unique_temp_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}.{unique}.tmp", std::process::id()))
}

/// A leftover from a crashed run would make `create_new` fail.
fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Creates `path`, which must not exist yet, for writing.
#[cfg(unix)]
pub(crate) fn create_new_file(path: &Path, permissions: Permissions) -> io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mode = match permissions {
        Permissions::Private => 0o600,
        Permissions::Public => 0o644,
    };
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    if permissions == Permissions::Public {
        // The umask may have removed bits from 0644; 0600 is only ever narrowed by it.
        file.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    Ok(file)
}

/// Windows has no mode bits: a file in the user's profile inherits an ACL private to the user.
#[cfg(not(unix))]
pub(crate) fn create_new_file(path: &Path, _permissions: Permissions) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Makes a rename in `dir` durable; without it a power cut could bring back the old file.
#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// NTFS journals the rename itself, and std cannot open a directory handle to flush on Windows.
#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with('.'))
            .collect()
    }

    #[test]
    fn replaces_the_target_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("file.txt");
        fs::write(&target, "old").unwrap();
        write_file_atomically(&target, b"new", Permissions::Private).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_leftover_temp_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("file.txt");
        let temp = dir.path().join(".file.txt.tmp");
        fs::write(&temp, "half a write from a crash").unwrap();
        write_file_atomically_via(&temp, &target, b"complete", Permissions::Private).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "complete");
        assert!(!temp.exists());
    }

    #[test]
    fn a_failed_rename_names_the_target_and_removes_the_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // A file cannot be renamed over a non-empty directory.
        let target = dir.path().join("occupied");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "kept").unwrap();
        let error = write_file_atomically(&target, b"new", Permissions::Private).unwrap_err();
        assert_eq!(error.step, Step::ReplaceTarget);
        assert_eq!(error.path, target);
        assert_eq!(fs::read_to_string(target.join("inside")).unwrap(), "kept");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn a_missing_directory_fails_creating_the_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing").join("file.txt");
        let error = write_file_atomically(&target, b"new", Permissions::Public).unwrap_err();
        assert_eq!(error.step, Step::CreateTemp);
        assert_eq!(error.path.parent(), target.parent());
        assert_eq!(error.source.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("file.txt")), Path::new("."));
        assert_eq!(
            directory_of(Path::new("/data/file.txt")),
            Path::new("/data")
        );
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only_and_public_ones_readable_by_all() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let key = dir.path().join("key");
        let certificate = dir.path().join("certificate");
        write_file_atomically(&key, b"secret", Permissions::Private).unwrap();
        write_file_atomically(&certificate, b"public", Permissions::Public).unwrap();
        assert_eq!(mode(&key), 0o600);
        assert_eq!(mode(&certificate), 0o644);
    }
}
