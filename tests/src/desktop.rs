//! Running the real desktop app in a real X server (Xvfb) and taking a screenshot of it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{artifacts_dir, read_logs, wait_for};

/// A private X server on a free display, stopped when dropped.
pub struct VirtualDisplay {
    server: Child,
    pub display: String,
}

impl VirtualDisplay {
    pub fn start() -> Self {
        // -displayfd makes Xvfb pick a free display and print its number once it accepts clients.
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        let stdout = server.stdout.take().expect("Xvfb stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("Xvfb prints its display number");
        let number = line.trim();
        assert!(!number.is_empty(), "Xvfb did not report a display");
        Self {
            server,
            display: format!(":{number}"),
        }
    }

    /// Names of the top-level windows the X server knows.
    pub fn window_tree(&self) -> String {
        let output = Command::new("xwininfo")
            .args(["-root", "-tree", "-display", &self.display])
            .output()
            .expect("xwininfo runs (apt-get install x11-utils)");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Saves the whole screen as a PNG.
    pub fn screenshot(&self, path: &Path) {
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root"])
            .arg(path)
            .status()
            .expect("import runs (apt-get install imagemagick)");
        assert!(status.success(), "import failed to take a screenshot");
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// How many distinct colours an image has: a blank or single-colour window has very few.
pub fn distinct_colours(path: &Path) -> u64 {
    let output = Command::new("convert")
        .arg(path)
        .args(["-format", "%k", "info:"])
        .output()
        .expect("convert runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("convert prints a colour count")
}

pub struct DesktopRun {
    pub logs: String,
    pub screenshot: PathBuf,
    pub colours: u64,
}

/// Starts `binary` with its configuration and data in `home`, waits for its window and for the UI to
/// report that it rendered, takes a screenshot into the artifacts directory, and stops the app.
pub fn run_desktop_app(binary: &Path, home: &Path, screenshot_name: &str) -> DesktopRun {
    // One app at a time: on the demo installation each serves the demo devices on fixed ports.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let display = VirtualDisplay::start();
    let data_dir = home.join("data");
    let mut app = Command::new(binary)
        .env("DISPLAY", &display.display)
        .env("AMPWISE_CONFIG", home.join("config.toml"))
        .env("AMPWISE_DATA_DIR", &data_dir)
        // Xvfb has no GPU: let WebKit render in software.
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the desktop app starts");

    let window = wait_for(Duration::from_secs(60), || {
        display.window_tree().contains("\"Ampwise\"").then_some(())
    });
    let ready = window.and_then(|()| {
        wait_for(Duration::from_secs(60), || {
            read_logs(&data_dir).contains("ui ready").then_some(())
        })
    });
    if ready.is_some() {
        // "ui ready" is logged when the first values arrive; WebKit paints them a moment later.
        std::thread::sleep(Duration::from_millis(1500));
    }
    let screenshot = artifacts_dir().join(screenshot_name);
    display.screenshot(&screenshot);
    let exited_early = app.try_wait().ok().flatten();
    let _ = app.kill();
    let _ = app.wait();
    let logs = read_logs(&data_dir);

    assert!(
        exited_early.is_none(),
        "the desktop app exited by itself ({exited_early:?}); logs:\n{logs}"
    );
    assert!(
        window.is_some(),
        "no window titled Ampwise appeared within 60 s; windows:\n{}\nlogs:\n{logs}",
        display.window_tree()
    );
    assert!(
        ready.is_some(),
        "the UI never reported 'ui ready' (see {}); logs:\n{logs}",
        screenshot.display()
    );
    let colours = distinct_colours(&screenshot);
    DesktopRun {
        logs,
        screenshot,
        colours,
    }
}
