//! `ampwised`: the Ampwise charging manager without a window, for servers and a Raspberry Pi.
//!
//! It runs the same core as the desktop app on the configuration file it is given and stops cleanly
//! on SIGINT or SIGTERM (Ctrl+C or Ctrl+Break on Windows).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ampwise_core::config::LoggingSettings;
use ampwise_core::secrets::{FileSecretStore, KeyringSecretStore, SecretStore};
use ampwise_core::{logging, paths, StartOptions, WhenConfigUnusable, WhenUnconfigured};
use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "ampwised",
    version,
    about = "Ampwise EV charging manager, headless"
)]
struct Cli {
    /// The configuration file [default: the OS config directory, or $AMPWISE_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where logs, certificates and charging sessions are kept [default: the OS data directory, or
    /// $AMPWISE_DATA_DIR]
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Keep secrets in this file (created readable only by this user) instead of the OS keyring.
    /// For headless machines without a Secret Service.
    #[arg(long, value_name = "FILE")]
    secrets_file: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ampwised: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config_path = match cli.config {
        Some(path) => path,
        None => paths::default_config_path()?,
    };
    let data_dir = match cli.data_dir {
        Some(path) => path,
        None => paths::default_data_dir()?,
    };
    // The configured level is applied as soon as the core has loaded the file.
    let log_control = Arc::new(logging::init(&data_dir, LoggingSettings::default().level)?);
    let secrets: Arc<dyn SecretStore> = match cli.secrets_file {
        Some(path) => Arc::new(FileSecretStore::open(path)?),
        None => Arc::new(KeyringSecretStore::new(KeyringSecretStore::DEFAULT_SERVICE)),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let secret_store = secrets.describe();
    runtime.block_on(async move {
        let core = ampwise_core::start(StartOptions {
            config_path,
            data_dir,
            secrets,
            log_control: Some(log_control),
            when_unconfigured: WhenUnconfigured::Empty,
            when_unusable: WhenConfigUnusable::Refuse,
        })
        .await?;
        tracing::info!(secrets = %secret_store, "ampwised running");
        wait_for_stop_signal().await?;
        tracing::info!("stop signal received");
        core.shutdown();
        tracing::info!("ampwised stopped");
        anyhow::Ok(())
    })
}

#[cfg(unix)]
async fn wait_for_stop_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

#[cfg(windows)]
async fn wait_for_stop_signal() -> std::io::Result<()> {
    let mut ctrl_break = tokio::signal::windows::ctrl_break()?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = ctrl_break.recv() => {}
    }
    Ok(())
}
