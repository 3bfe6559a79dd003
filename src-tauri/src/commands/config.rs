use ampwise_core::config::Config;
use ampwise_core::events::ConfigSnapshot;
use ampwise_core::CoreHandle;
use tauri::State;

use crate::error::CommandError;

#[tauri::command]
pub fn get_config(core: State<'_, CoreHandle>) -> ConfigSnapshot {
    core.snapshot()
}

#[tauri::command]
pub async fn update_config(
    core: State<'_, CoreHandle>,
    config: Config,
) -> Result<ConfigSnapshot, CommandError> {
    Ok(core.update_config(config).await?)
}
