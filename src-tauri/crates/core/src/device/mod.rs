//! Devices as load management sees them: small traits that hide which protocol is behind a wallbox or
//! a meter, the drivers that implement them, and the runtime that polls them.

mod build;
mod meter_models;
mod modbus_meter;
mod power_brain;
mod reading;
mod register_map;
pub mod runtime;

use std::time::Duration;

use async_trait::async_trait;

use crate::modbus::ModbusError;

pub use build::{build_driver, Driver};
pub use meter_models::register_map_for;
pub use modbus_meter::ModbusMeter;
pub use power_brain::PowerBrainEvse;
pub use reading::{CpState, EvseCommand, EvseReading, MeterReading, PerPhase};
pub use register_map::{Encoding, Quantity, RegisterField, RegisterKind, RegisterMap};

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum DeviceError {
    #[error(transparent)]
    Modbus(#[from] ModbusError),
    /// The device answered, but with something that cannot be right (e.g. a CP state of 9).
    #[error("implausible value from the device: {detail}")]
    Implausible { detail: String },
}

impl DeviceError {
    /// Whether the device (or its link) is unreachable, as opposed to having said no.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            DeviceError::Modbus(ModbusError::Link { .. } | ModbusError::Timeout { .. })
        )
    }
}

/// An energy meter: the grid connection, a sub-distribution, or a wallbox's own meter.
#[async_trait]
pub trait Meter: Send + Sync {
    async fn read(&self) -> Result<MeterReading, DeviceError>;
}

/// A wallbox that load management can read and steer.
#[async_trait]
pub trait Evse: Send + Sync {
    async fn read(&self) -> Result<EvseReading, DeviceError>;

    /// Gives the wallbox a charging current limit and whether it may charge; returns the command as
    /// the wallbox holds it afterwards (clamped to what it accepts), to compare later readings with.
    async fn apply(&self, command: EvseCommand) -> Result<EvseCommand, DeviceError>;

    /// How often a command must be repeated so the wallbox's own fail-safe never takes over while
    /// Ampwise is running; `None` when the wallbox keeps a command until told otherwise.
    fn refresh_interval(&self) -> Option<Duration>;
}
