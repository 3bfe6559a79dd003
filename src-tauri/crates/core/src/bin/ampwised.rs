//! `ampwised`: the Ampwise charging manager without a window, for servers and a Raspberry Pi.
//!
//! It runs the same core as the desktop app on the configuration file it is given and stops cleanly
//! on SIGINT or SIGTERM (Ctrl+C or Ctrl+Break on Windows). `set-password` and `clear-password` manage
//! the passwords a headless install has no window to enter.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ampwise_core::config::LoggingSettings;
use ampwise_core::secrets::{FileSecretStore, KeyringSecretStore, Secret, SecretName, SecretStore};
use ampwise_core::{
    logging, paths, CoreHandle, StartOptions, WhenConfigUnusable, WhenUnconfigured,
};
use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ampwised",
    version,
    about = "Ampwise EV charging manager, headless"
)]
struct Cli {
    /// The configuration file [default: the OS config directory, or $AMPWISE_CONFIG]
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Where logs, certificates and charging sessions are kept [default: the OS data directory, or
    /// $AMPWISE_DATA_DIR]
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Keep secrets in this file (created readable only by this user) instead of the OS keyring.
    /// For headless machines without a Secret Service.
    #[arg(long, value_name = "FILE", global = true)]
    secrets_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Store a password, read from standard input (asked for without echo on a terminal). Run it
    /// while ampwised is stopped: a running ampwised learns of it only when restarted.
    SetPassword {
        #[command(subcommand)]
        which: PasswordName,
    },
    /// Delete a stored password.
    ClearPassword {
        #[command(subcommand)]
        which: PasswordName,
    },
}

#[derive(Debug, Clone, Subcommand)]
enum PasswordName {
    /// The password wallboxes must send to the OCPP server (HTTP Basic, security profile 1/2).
    OcppServer,
    /// The password of one wallbox's gateway to an external OCPP backend.
    Gateway {
        /// The device's id in the configuration.
        #[arg(long, value_name = "ID")]
        device: String,
    },
}

impl From<PasswordName> for SecretName {
    fn from(name: PasswordName) -> Self {
        match name {
            PasswordName::OcppServer => SecretName::OcppServerPassword,
            PasswordName::Gateway { device } => SecretName::GatewayPassword { device_id: device },
        }
    }
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
    let secret_store = secrets.describe();
    // Read before the runtime starts: a terminal prompt blocks.
    let new_password = match &cli.command {
        Some(Command::SetPassword { which }) => Some(read_password(which)?),
        _ => None,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
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
        match (cli.command, new_password) {
            (None, _) => serve(core, &secret_store).await,
            (Some(Command::SetPassword { which }), Some(password)) => {
                core.set_secret(which.into(), password).await?;
                println!("password stored in {secret_store}");
                Ok(())
            }
            (Some(Command::SetPassword { .. }), None) => {
                anyhow::bail!("no password was read")
            }
            (Some(Command::ClearPassword { which }), _) => {
                core.clear_secret(which.into()).await?;
                println!("password deleted from {secret_store}");
                Ok(())
            }
        }
    })
}

async fn serve(core: CoreHandle, secret_store: &str) -> anyhow::Result<()> {
    tracing::info!(secrets = %secret_store, "ampwised running");
    wait_for_stop_signal().await?;
    tracing::info!("stop signal received");
    core.shutdown_and_wait().await;
    tracing::info!("ampwised stopped");
    Ok(())
}

fn read_password(which: &PasswordName) -> anyhow::Result<Secret> {
    let prompt = match which {
        PasswordName::OcppServer => "OCPP server password: ".to_owned(),
        PasswordName::Gateway { device } => format!("Gateway password of {device}: "),
    };
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).context("reading the password from the terminal")?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line
    };
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok(Secret::new(password)?)
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
