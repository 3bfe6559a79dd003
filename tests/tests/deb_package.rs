//! The .deb bundle that `tauri build` makes: its contents, and the app it installs actually starts.
//! Ignored in a plain `cargo test`: `.ci/dev test` builds the bundle first and then runs this.

use std::path::PathBuf;
use std::process::Command;

use ampwise_e2e::desktop::run_desktop_app;
use ampwise_e2e::target_dir;

fn built_deb() -> PathBuf {
    let dir = target_dir().join("bundle").join("deb");
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("no bundle directory {}: {error}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .collect();
    assert_eq!(
        debs.len(),
        1,
        "expected exactly one .deb in {}: {debs:?}",
        dir.display()
    );
    debs.into_iter().next().expect("one .deb")
}

#[test]
#[ignore = "needs the .deb from `tauri build --debug --bundles deb`; `.ci/dev test` runs it"]
fn deb_installs_a_desktop_app_that_starts() {
    let deb = built_deb();
    let info = Command::new("dpkg-deb")
        .arg("--info")
        .arg(&deb)
        .output()
        .expect("dpkg-deb runs");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Package: ampwise"), "{info}");
    assert!(
        info.contains("libwebkit2gtk-4.1-0"),
        "the package must depend on WebKitGTK:\n{info}"
    );

    let root = tempfile::tempdir().expect("temp dir");
    let status = Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(root.path())
        .status()
        .expect("dpkg-deb runs");
    assert!(status.success());
    let binary = root.path().join("usr/bin/ampwise");
    assert!(binary.exists(), "the package has no usr/bin/ampwise");
    let desktop_entry = root.path().join("usr/share/applications/Ampwise.desktop");
    let entry = std::fs::read_to_string(&desktop_entry)
        .unwrap_or_else(|error| panic!("no desktop entry {}: {error}", desktop_entry.display()));
    assert!(entry.contains("Exec=ampwise"), "{entry}");
    assert!(
        root.path()
            .join("usr/share/icons/hicolor/128x128/apps/ampwise.png")
            .exists(),
        "the package installs no 128x128 icon"
    );

    let home = tempfile::tempdir().expect("temp dir");
    let run = run_desktop_app(&binary, home.path(), "desktop-app-from-deb.png");
    assert!(run.logs.contains("ui ready"), "{}", run.logs);
    assert!(run.colours > 64, "the screenshot looks blank");
}
