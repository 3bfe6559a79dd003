//! A save is atomic: a process killed at any moment of a save leaves either the previous file or the
//! complete new one, never a mixture.
//!
//! The saving process is this test binary itself, re-run with only the `#[ignore]`d helper test and
//! the config path in an environment variable, so the real `ConfigStore::save` is what gets killed.
//! Half of the kills come at moments spread over whole saves, while the test keeps reading the file
//! (a reader must never see a partial file either); the other half are aimed at the short window
//! that matters most, while the temp file is written, synced and renamed.
#![allow(clippy::unwrap_used)]

mod config_fixtures;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ampwise_core::config::{Config, ConfigStore};
use config_fixtures::large_config;

const CHILD_PATH_VAR: &str = "AMPWISE_TEST_ATOMIC_SAVE_PATH";
const CHILD_TEST: &str = "atomic_save_child";
const CHILD_READY: &str = "atomic-save-child: saving in a loop";
const KILLS: u32 = 30;

/// Two configs of clearly different size, so a mixture of them could never parse as either.
fn config_a() -> Config {
    large_config("alpha", 200)
}

fn config_b() -> Config {
    large_config("bravo-installation", 120)
}

/// Saves B and then A, B, A, … until killed. Does nothing in a normal test run.
#[test]
#[ignore = "helper process of save_is_atomic_when_the_saving_process_is_killed"]
fn atomic_save_child() {
    let Some(path) = std::env::var_os(CHILD_PATH_VAR) else {
        return;
    };
    let store = ConfigStore::new(PathBuf::from(path));
    let (a, b) = (config_a(), config_b());
    store.save(&b).unwrap();
    println!("{CHILD_READY}");
    loop {
        store.save(&a).unwrap();
        store.save(&b).unwrap();
    }
}

fn wait_until_saving(child: &mut std::process::Child) {
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines() {
        if line.unwrap().trim() == CHILD_READY {
            return;
        }
    }
    let status = child.wait().unwrap();
    panic!("the saving process ended before it started saving: {status}");
}

fn spawn_saver(path: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD_TEST, "--ignored", "--nocapture"])
        .env(CHILD_PATH_VAR, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Reads the file again and again for `duration`: every read must be one of the complete files.
fn read_while_saving(path: &Path, complete: &[Vec<u8>; 2], duration: Duration) {
    let deadline = Instant::now() + duration;
    loop {
        let contents = std::fs::read(path).unwrap();
        assert!(
            complete.contains(&contents),
            "a reader saw a partial file of {} bytes",
            contents.len()
        );
        if Instant::now() >= deadline {
            return;
        }
    }
}

/// Waits until a save has started writing its temp file (or gives up after a while).
fn wait_for_temp_file(temp: &Path) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !temp.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_micros(50));
    }
}

#[test]
fn save_is_atomic_when_the_saving_process_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ampwise.toml");
    let temp = dir.path().join(".ampwise.toml.tmp");
    let (a, b) = (config_a(), config_b());

    // Kill moments spread over about two saves, however fast this machine saves.
    let started = Instant::now();
    ConfigStore::new(&path).save(&a).unwrap();
    let spread = (started.elapsed() * 2).max(Duration::from_millis(20));
    let write_window = Duration::from_millis(2);
    let other = dir.path().join("b.toml");
    ConfigStore::new(&other).save(&b).unwrap();
    let complete = [
        std::fs::read(&path).unwrap(),
        std::fs::read(&other).unwrap(),
    ];

    let mut loaded_a = 0;
    let mut loaded_b = 0;
    for kill in 0..KILLS {
        let mut child = spawn_saver(&path);
        wait_until_saving(&mut child);
        let step = kill / 2;
        let steps = KILLS / 2 - 1;
        if kill % 2 == 0 {
            read_while_saving(&path, &complete, spread * step / steps);
        } else {
            wait_for_temp_file(&temp);
            std::thread::sleep(write_window * step / steps);
        }
        child.kill().unwrap();
        child.wait().unwrap();

        let loaded = ConfigStore::new(&path)
            .load()
            .unwrap_or_else(|error| panic!("after kill {kill}: {error}"))
            .unwrap_or_else(|| panic!("after kill {kill}: the file is gone"));
        if loaded == a {
            loaded_a += 1;
        } else if loaded == b {
            loaded_b += 1;
        } else {
            panic!("after kill {kill}: the file holds neither config");
        }
        assert!(
            !temp.exists(),
            "load removes the temp file of the killed save"
        );
    }
    eprintln!("after {KILLS} kills: config A {loaded_a} times, config B {loaded_b} times");
}
