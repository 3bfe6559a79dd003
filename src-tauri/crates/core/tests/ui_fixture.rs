//! The UI's TypeScript types are checked against a JSON fixture of the demo configuration (`npm run
//! check` fails when they drift apart). This test keeps that fixture equal to what the core really
//! sends, so a change to the Rust model cannot slip past the UI.

use std::path::PathBuf;

use ampwise_core::config::demo_config;

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../ui/src/lib/backend/fixtures/demo-config.json")
}

#[test]
fn ui_fixture_matches_the_serialized_demo_config() {
    let mut expected = serde_json::to_string_pretty(&demo_config()).expect("config serializes");
    expected.push('\n');
    let path = fixture_path();
    if std::env::var_os("AMPWISE_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &expected).expect("fixture written");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is out of date with the Rust config model. Regenerate it with\n  \
         AMPWISE_UPDATE_FIXTURES=1 cargo test -p ampwise-core --test ui_fixture\n\
         then make the TypeScript types in ui/src/lib/backend/types.ts match (npm --prefix ui run check).",
        path.display()
    );
}
