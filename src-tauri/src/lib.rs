//! The Ampwise desktop app: a thin Tauri shell around `ampwise-core`.
//!
//! It starts the core, keeps its handle as Tauri state, forwards core events to the window and exposes
//! the commands in `commands/`. No charging logic lives here. On the built-in demo installation it
//! also runs the demo's simulated devices (`demo_devices`), so there is something live to see.

mod commands;
mod demo_devices;
mod error;
mod events;

use std::process::ExitCode;
use std::sync::Arc;

use ampwise_core::config::LoggingSettings;
use ampwise_core::secrets::KeyringSecretStore;
use ampwise_core::{
    logging, paths, CoreHandle, StartOptions, WhenConfigUnusable, WhenUnconfigured,
};
use tauri::Manager;

/// Runs the desktop app until its window is closed.
pub fn run() -> ExitCode {
    match try_run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ampwise: {error}");
            ExitCode::FAILURE
        }
    }
}

fn try_run() -> Result<(), Box<dyn std::error::Error>> {
    let config_path = paths::default_config_path()?;
    let data_dir = paths::default_data_dir()?;
    let log_control = Arc::new(logging::init(&data_dir, LoggingSettings::default().level)?);

    let app = tauri::Builder::default()
        .setup(move |app| {
            let (core, demo_devices) = tauri::async_runtime::block_on(async {
                let demo_devices = demo_devices::bind().await;
                let core = ampwise_core::start(StartOptions {
                    config_path,
                    data_dir,
                    secrets: Arc::new(KeyringSecretStore::new(KeyringSecretStore::DEFAULT_SERVICE)),
                    log_control: Some(log_control),
                    when_unconfigured: WhenUnconfigured::Demo,
                    when_unusable: WhenConfigUnusable::UseDemoAndReport,
                })
                .await;
                (core, demo_devices)
            });
            let core = core?;
            demo_devices.serve_if_demo(&core);
            events::forward_core_events(app.handle().clone(), core.clone());
            app.manage(core);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::config::get_config,
            commands::config::update_config,
            commands::live::get_live_status,
            commands::secrets::set_secret,
            commands::secrets::clear_secret,
            commands::secrets::secret_status,
            commands::serial::list_serial_ports,
            commands::ui::report_ui_event,
        ])
        .build(tauri::generate_context!())?;

    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(core) = app.try_state::<CoreHandle>() {
                core.shutdown();
            }
        }
    });
    Ok(())
}
