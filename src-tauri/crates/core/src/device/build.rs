//! From a configured device to the driver that speaks to it.

use std::sync::Arc;

use crate::config::{Device, DeviceDriver};
use crate::modbus::{BusPool, ModbusError};

use super::meter_models::register_map_for;
use super::modbus_meter::ModbusMeter;
use super::power_brain::PowerBrainEvse;
use super::{Evse, Meter};

/// A device the runtime polls itself. OCPP wallboxes are not here: they report by themselves over
/// their own connection.
#[derive(Clone)]
pub enum Driver {
    Evse(Arc<dyn Evse>),
    Meter(Arc<dyn Meter>),
}

/// The driver for a Modbus device; `Ok(None)` for devices that are not polled (OCPP).
pub fn build_driver(device: &Device, pool: &BusPool) -> Result<Option<Driver>, ModbusError> {
    Ok(match &device.driver {
        DeviceDriver::Ocpp16Evse(_) => None,
        DeviceDriver::PowerBrainEvse(address) => {
            let client = pool.client(&address.transport, address.unit_id)?;
            Some(Driver::Evse(Arc::new(PowerBrainEvse::new(client))))
        }
        DeviceDriver::ModbusMeter(meter) => {
            let client = pool.client(&meter.transport, meter.unit_id)?;
            Some(Driver::Meter(Arc::new(ModbusMeter::new(
                client,
                register_map_for(meter.model),
            ))))
        }
    })
}
