//! The real desktop app under a real X server: its window appears, the UI asks the core for the
//! configuration and the serial ports through Tauri commands and renders them.

use ampwise_e2e::desktop::run_desktop_app;
use ampwise_e2e::workspace_binary;

#[test]
fn shows_the_demo_installation_when_nothing_is_configured() {
    let home = tempfile::tempdir().expect("temp dir");
    let run = run_desktop_app(
        &workspace_binary("ampwise"),
        home.path(),
        "desktop-app-demo.png",
    );

    // The UI reports what it rendered; the demo installation has three devices.
    assert!(
        run.logs.contains("ui ready: 3 devices"),
        "the UI did not render the demo installation's three devices:\n{}",
        run.logs
    );
    // The demo installation comes with its devices: simulators inside the app.
    assert!(
        run.logs.contains("demo simulators started on"),
        "the demo simulators did not start:\n{}",
        run.logs
    );
    assert!(
        run.colours > 64,
        "the screenshot {} looks blank ({} colours)",
        run.screenshot.display(),
        run.colours
    );
    assert!(
        !home.path().join("config.toml").exists(),
        "showing the demo must not write a configuration"
    );
}

#[test]
fn reports_an_unusable_config_file_and_keeps_it() {
    let home = tempfile::tempdir().expect("temp dir");
    let broken = "schema_version = 1\n[charging_manager\nmode = \"active\"\n";
    std::fs::write(home.path().join("config.toml"), broken).expect("config written");
    let run = run_desktop_app(
        &workspace_binary("ampwise"),
        home.path(),
        "desktop-app-unusable-config.png",
    );
    assert!(
        run.logs.contains("cannot be used"),
        "the core did not report the unusable file:\n{}",
        run.logs
    );
    assert_eq!(
        std::fs::read_to_string(home.path().join("config.toml")).expect("file kept"),
        broken,
        "the unusable file must be left as it was"
    );
}
