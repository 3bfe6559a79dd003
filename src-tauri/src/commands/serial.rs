use ampwise_core::serial::SerialPortDescription;
use ampwise_core::CoreHandle;
use tauri::State;

use crate::error::CommandError;

#[tauri::command]
pub async fn list_serial_ports(
    core: State<'_, CoreHandle>,
) -> Result<Vec<SerialPortDescription>, CommandError> {
    Ok(core.list_serial_ports().await?)
}
