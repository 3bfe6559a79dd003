//! Tauri commands, one small file per domain. Each is a thin translation onto the core handle.

pub mod config;
pub mod live;
pub mod secrets;
pub mod serial;
pub mod ui;
