//! The front end's own milestones and errors go into the backend log, where users and support look.

use serde::Deserialize;

use crate::error::CommandError;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UiLogLevel {
    Info,
    Warn,
    Error,
}

/// Longest message accepted, so a runaway front end cannot flood the log with one line.
const MAX_MESSAGE_CHARS: usize = 2000;

#[tauri::command]
pub fn report_ui_event(level: UiLogLevel, message: String) -> Result<(), CommandError> {
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return Err(CommandError::new(
            "invalid_input",
            format!("a UI event message is at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    match level {
        UiLogLevel::Info => tracing::info!(target: "ampwise::ui", "{message}"),
        UiLogLevel::Warn => tracing::warn!(target: "ampwise::ui", "{message}"),
        UiLogLevel::Error => tracing::error!(target: "ampwise::ui", "{message}"),
    }
    Ok(())
}
