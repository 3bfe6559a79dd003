fn main() {
    // The app's sources live in src-tauri/ while its Cargo.toml sits at the repository root (beside
    // tauri.conf.json, where tauri-cli looks for it), so the capabilities path is given explicitly.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json");
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
