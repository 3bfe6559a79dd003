//! Forwards the core's events to the window as the Tauri event `core-event`.

use ampwise_core::events::CoreEvent;
use ampwise_core::CoreHandle;
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::error::RecvError;

pub const CORE_EVENT: &str = "core-event";

pub fn forward_core_events(app: AppHandle, core: CoreHandle) {
    let mut events = core.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    Ok(event) => emit(&app, &event),
                    Err(RecvError::Lagged(missed)) => {
                        // The window missed changes: hand it the whole current state instead.
                        tracing::warn!(missed, "the window fell behind the core's events; resynchronising");
                        emit(&app, &CoreEvent::ConfigChanged { snapshot: core.snapshot() });
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = core.shutdown_requested() => break,
            }
        }
    });
}

fn emit(app: &AppHandle, event: &CoreEvent) {
    if let Err(error) = app.emit(CORE_EVENT, event) {
        tracing::warn!(%error, "could not forward a core event to the window");
    }
}
