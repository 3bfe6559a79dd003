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
    value: Secret,
) -> Result<SecretStatus, CommandError> {
    Ok(core.set_secret(name, value).await?)
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
