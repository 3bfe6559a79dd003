//! The Ampwise charging manager, without any user interface.
//!
//! Every front end (the Tauri desktop app, the headless `ampwised`, the tests) starts the core with
//! [`start`] and drives it through the returned [`CoreHandle`].

pub mod config;
pub mod device;
pub mod events;
mod fs_atomic;
pub mod handle;
pub mod loadmgmt;
pub mod logging;
pub mod modbus;
pub mod ocpp;
pub mod paths;
pub mod secrets;
pub mod serial;
pub mod store;
pub mod tls;

pub use handle::{
    start, CoreError, CoreHandle, SecretStatus, StartError, StartOptions, WhenConfigUnusable,
    WhenUnconfigured,
};
