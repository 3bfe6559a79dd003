//! Register maps of the simulated meters: the Eastron SDM630 / SDM72D-M V2 input registers
//! (float32, high word first) and the Power Brain's S0 meter block.

use tokio_modbus::ExceptionCode;

use super::model::MeterModel;
use crate::powerbrain::registers::{meter_block_register, METER_BLOCK};

/// SDM630 input register PDU addresses (document address − 30001).
pub mod sdm630 {
    pub const VOLTAGE_L1: u16 = 0x00;
    pub const VOLTAGE_L2: u16 = 0x02;
    pub const VOLTAGE_L3: u16 = 0x04;
    pub const CURRENT_L1: u16 = 0x06;
    pub const CURRENT_L2: u16 = 0x08;
    pub const CURRENT_L3: u16 = 0x0A;
    pub const POWER_L1: u16 = 0x0C;
    pub const POWER_L2: u16 = 0x0E;
    pub const POWER_L3: u16 = 0x10;
    pub const TOTAL_POWER: u16 = 0x34;
    pub const FREQUENCY: u16 = 0x46;
    pub const IMPORT_KWH: u16 = 0x48;
    pub const EXPORT_KWH: u16 = 0x4A;
    pub const TOTAL_KWH: u16 = 0x156;
    pub const IMPORT_KWH_L1: u16 = 0x15A;
    pub const IMPORT_KWH_L2: u16 = 0x15C;
    pub const IMPORT_KWH_L3: u16 = 0x15E;
    /// The input register area: reads reaching beyond it are illegal addresses.
    pub const LAST_ADDRESS: u16 = 0x1FF;
}

/// The value of the float whose first register is `address`, `None` if undefined.
fn sdm630_value(model: &MeterModel, address: u16) -> Option<f32> {
    use sdm630::*;
    let currents = model.currents_a();
    let powers = model.powers_w();
    let value = match address {
        VOLTAGE_L1 | VOLTAGE_L2 | VOLTAGE_L3 => model.voltage_v,
        CURRENT_L1 => currents[0].abs(),
        CURRENT_L2 => currents[1].abs(),
        CURRENT_L3 => currents[2].abs(),
        POWER_L1 => powers[0],
        POWER_L2 => powers[1],
        POWER_L3 => powers[2],
        TOTAL_POWER => model.total_power_w(),
        FREQUENCY => model.frequency_hz,
        IMPORT_KWH => model.total_import_wh() / 1000.0,
        EXPORT_KWH => model.total_export_wh() / 1000.0,
        TOTAL_KWH => (model.total_import_wh() + model.total_export_wh()) / 1000.0,
        IMPORT_KWH_L1 => model.import_wh[0] / 1000.0,
        IMPORT_KWH_L2 => model.import_wh[1] / 1000.0,
        IMPORT_KWH_L3 => model.import_wh[2] / 1000.0,
        _ => return None,
    };
    Some(value as f32)
}

fn sdm630_register(model: &MeterModel, address: u16) -> u16 {
    // Every value starts on an even address; an odd address is the low word of the one before.
    let (start, low_word) = if address.is_multiple_of(2) {
        (address, false)
    } else {
        (address - 1, true)
    };
    let bits = sdm630_value(model, start).unwrap_or(0.0).to_bits();
    if low_word {
        bits as u16
    } else {
        (bits >> 16) as u16
    }
}

/// Function 04 on an SDM630. Undefined addresses inside the input area read as 0.0; reads longer
/// than `max_registers` are refused like the real meter refuses very large reads.
pub(crate) fn read_sdm630(
    model: &MeterModel,
    address: u16,
    count: u16,
    max_registers: u16,
) -> Result<Vec<u16>, ExceptionCode> {
    if count > max_registers {
        return Err(ExceptionCode::IllegalDataValue);
    }
    let last = u32::from(address) + u32::from(count) - 1;
    if last > u32::from(sdm630::LAST_ADDRESS) {
        return Err(ExceptionCode::IllegalDataAddress);
    }
    Ok((address..=last as u16)
        .map(|a| sdm630_register(model, a))
        .collect())
}

/// Function 03 on a Power Brain S0 meter unit: the meter block 8058–8069. Like on the Power
/// Brain's own unit, a read that overlaps the block reads undefined addresses as 0.
pub(crate) fn read_s0(
    model: &MeterModel,
    address: u16,
    count: u16,
) -> Result<Vec<u16>, ExceptionCode> {
    let addresses = (0..count).map(|offset| address.wrapping_add(offset));
    if !addresses.clone().any(|a| METER_BLOCK.contains(&a)) {
        return Err(ExceptionCode::IllegalDataAddress);
    }
    let energy = model.total_import_wh();
    let power = model.total_power_w();
    let currents = model.currents_a();
    Ok(addresses
        .map(|a| meter_block_register(a, energy, power, currents).unwrap_or(0))
        .collect())
}
