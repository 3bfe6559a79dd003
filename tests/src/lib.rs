//! Helpers shared by the end-to-end tests: finding the workspace's binaries, waiting for a condition,
//! stopping a child process with a signal.

pub mod desktop;
pub mod modbus_peer;
pub mod ocpp_peer;

use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The directory cargo put this test's binaries in (`target/<profile>`), where the workspace's own
/// binaries (`ampwise`, `ampwised`, `ampwise-sim`) are too.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

/// A binary of the workspace. The test script builds them all before the tests run.
pub fn workspace_binary(name: &str) -> PathBuf {
    let path = target_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: build the workspace's binaries first (`cargo build --workspace --bins`)",
        path.display()
    );
    path
}

/// Where tests leave files worth looking at after a run (screenshots, logs): `<repo>/artifacts`.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .join("artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts directory can be created");
    dir
}

/// Polls `condition` until it returns `Some` or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut condition: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = condition() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends `signal` to the child and waits up to `timeout` for it to exit.
pub fn signal_and_wait(child: &mut Child, signal: Signal, timeout: Duration) -> Option<ExitStatus> {
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("pids fit in i32"));
    kill(pid, signal).expect("the child can be signalled");
    let status = wait_for(timeout, || child.try_wait().expect("try_wait works"));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    status
}

/// The text of every log file the core wrote into `data_dir/logs`.
pub fn read_logs(data_dir: &Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(data_dir.join("logs")) {
        let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
        paths.sort();
        for path in paths {
            text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    text
}
