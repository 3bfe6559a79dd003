//! Secrets are write-only from the UI: it can set or clear one and learn whether it is set, never
//! read it back.

use ampwise_core::secrets::{Secret, SecretName};
use ampwise_core::{CoreHandle, SecretStatus};
use tauri::State;

use crate::error::CommandError;

#[tauri::command]
pub async fn set_secret(
    core: State<'_, CoreHandle>,
    name: SecretName,
    value: String,
) -> Result<SecretStatus, CommandError> {
    // Taken as a plain string so an empty value gets our error code, not Tauri's argument error.
    let secret = Secret::new(value)
        .map_err(|error| CommandError::new("invalid_input", error.to_string()))?;
    Ok(core.set_secret(name, secret).await?)
}

#[tauri::command]
pub async fn clear_secret(
    core: State<'_, CoreHandle>,
    name: SecretName,
) -> Result<SecretStatus, CommandError> {
    Ok(core.clear_secret(name).await?)
}

#[tauri::command]
pub async fn secret_status(
    core: State<'_, CoreHandle>,
    name: SecretName,
) -> Result<SecretStatus, CommandError> {
    Ok(core.secret_status(name).await?)
}
