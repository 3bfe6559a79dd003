//! The Power Brain's holding registers (cFos documentation, see docs protocol-facts §6): how the
//! model reads out and which writes it accepts.

use tokio::time::Instant;
use tokio_modbus::ExceptionCode;

use super::model::{PowerBrainModel, MAX_LIMIT_DA, MIN_LIMIT_DA};

pub const ENERGY_WH: u16 = 8058;
pub const POWER_W: u16 = 8062;
pub const CURRENT_L1: u16 = 8064;
pub const CURRENT_L2: u16 = 8066;
pub const CURRENT_L3: u16 = 8068;
pub const FAIL_SAFE_DURATION: u16 = 8083;
pub const FAIL_SAFE_CURRENT: u16 = 8085;
pub const DISCONNECT_CP: u16 = 8086;
pub const RELAY_SELECT: u16 = 8087;
pub const CABLE_CURRENT: u16 = 8090;
pub const CP_STATE: u16 = 8092;
pub const CHARGING_CUR_LIMIT: u16 = 8093;
pub const CHARGING_ENABLE: u16 = 8094;
pub const CHARGING_CURRENT: u16 = 8095;
pub const LAST_RFID: u16 = 8096;
pub const LAST_RFID_REGISTERS: u16 = 16;
pub const HAS_METER: u16 = 8112;

/// The meter block (energy, power, currents) shared with the S0 meter units.
pub(crate) const METER_BLOCK: std::ops::RangeInclusive<u16> = ENERGY_WH..=CURRENT_L3 + 1;

/// Registers the Power Brain keeps in RAM; a write to any other register wears its flash.
pub fn is_flash_backed(address: u16) -> bool {
    !matches!(
        address,
        CHARGING_CUR_LIMIT | CHARGING_ENABLE | DISCONNECT_CP | RELAY_SELECT
    )
}

/// Encodes the meter block: energy u64 Wh, power i32 W, currents i32 in 0.1 A, high word first.
pub(crate) fn meter_block_register(
    address: u16,
    energy_wh: f64,
    power_w: f64,
    currents_a: [f64; 3],
) -> Option<u16> {
    let offset = address.checked_sub(ENERGY_WH)?;
    let energy = energy_wh.max(0.0).floor() as u64;
    let words32 = |value: f64, index: u16| {
        let raw = value.round() as i32 as u32;
        if index == 0 {
            (raw >> 16) as u16
        } else {
            raw as u16
        }
    };
    Some(match offset {
        0..=3 => (energy >> (16 * (3 - offset))) as u16,
        4 | 5 => words32(power_w, offset - 4),
        6..=11 => {
            let phase = usize::from((offset - 6) / 2);
            words32(currents_a[phase] * 10.0, (offset - 6) % 2)
        }
        _ => return None,
    })
}

/// One register's value, `None` if the Power Brain does not define it.
fn register(model: &PowerBrainModel, address: u16) -> Option<u16> {
    if METER_BLOCK.contains(&address) {
        if !model.has_meter {
            return Some(0);
        }
        return meter_block_register(
            address,
            model.total_energy_wh(),
            model.power_w(),
            model.phase_currents_a(),
        );
    }
    Some(match address {
        FAIL_SAFE_DURATION => (model.fail_safe_duration_s >> 16) as u16,
        a if a == FAIL_SAFE_DURATION + 1 => model.fail_safe_duration_s as u16,
        FAIL_SAFE_CURRENT => model.fail_safe_current_da,
        DISCONNECT_CP => model.cp_interruption_left_s(),
        RELAY_SELECT => model.relay_select,
        CABLE_CURRENT => model.cable_current_da,
        CP_STATE => model.cp_state().register_value(),
        CHARGING_CUR_LIMIT => model.limit_da,
        CHARGING_ENABLE => u16::from(model.enabled),
        CHARGING_CURRENT => {
            let max = model.phase_currents_a().into_iter().fold(0.0, f64::max);
            (max * 10.0).round() as u16
        }
        a if (LAST_RFID..LAST_RFID + LAST_RFID_REGISTERS).contains(&a) => {
            rfid_register(&model.rfid, a - LAST_RFID)
        }
        HAS_METER => u16::from(model.has_meter),
        _ => return None,
    })
}

/// Two ASCII characters per register, first character in the high byte, zero-padded.
fn rfid_register(rfid: &str, index: u16) -> u16 {
    let bytes = rfid.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let first = usize::from(index) * 2;
    u16::from_be_bytes([at(first), at(first + 1)])
}

/// Reads `count` registers. Undefined addresses read as 0 as long as the request covers at least
/// one defined register; a read of nothing the Power Brain knows is an illegal address.
pub(crate) fn read(
    model: &PowerBrainModel,
    address: u16,
    count: u16,
) -> Result<Vec<u16>, ExceptionCode> {
    let values: Vec<Option<u16>> = (0..count)
        .map(|offset| register(model, address.wrapping_add(offset)))
        .collect();
    if values.iter().all(Option::is_none) {
        return Err(ExceptionCode::IllegalDataAddress);
    }
    Ok(values.into_iter().map(|v| v.unwrap_or(0)).collect())
}

/// Writes registers. All values are checked before any is applied, so a rejected multi-register
/// write changes nothing.
pub(crate) fn write(
    model: &mut PowerBrainModel,
    address: u16,
    values: &[u16],
    now: Instant,
) -> Result<(), ExceptionCode> {
    let checked = values
        .iter()
        .enumerate()
        .map(|(offset, &value)| {
            let target = address.wrapping_add(offset as u16);
            check_write(target, value).map(|()| (target, value))
        })
        .collect::<Result<Vec<_>, _>>();
    let writes = match checked {
        Ok(writes) => writes,
        Err(exception) => {
            model.writes.rejected += 1;
            return Err(exception);
        }
    };
    for (target, value) in writes {
        apply_write(model, target, value, now);
        *model.writes.per_register.entry(target).or_default() += 1;
        if is_flash_backed(target) {
            model.writes.flash += 1;
        }
    }
    Ok(())
}

fn check_write(address: u16, value: u16) -> Result<(), ExceptionCode> {
    let valid = match address {
        FAIL_SAFE_DURATION | DISCONNECT_CP => true,
        a if a == FAIL_SAFE_DURATION + 1 => true,
        // 0 means "stop charging on fail-safe"; anything else must be a current a car accepts.
        FAIL_SAFE_CURRENT => value == 0 || (MIN_LIMIT_DA..=MAX_LIMIT_DA).contains(&value),
        RELAY_SELECT | CHARGING_ENABLE => value <= 1,
        CHARGING_CUR_LIMIT => (MIN_LIMIT_DA..=MAX_LIMIT_DA).contains(&value),
        _ => return Err(ExceptionCode::IllegalDataAddress),
    };
    if valid {
        Ok(())
    } else {
        Err(ExceptionCode::IllegalDataValue)
    }
}

fn apply_write(model: &mut PowerBrainModel, address: u16, value: u16, now: Instant) {
    let unit = model.unit_name.clone();
    match address {
        FAIL_SAFE_DURATION => {
            model.fail_safe_duration_s =
                (u32::from(value) << 16) | (model.fail_safe_duration_s & 0xFFFF);
        }
        a if a == FAIL_SAFE_DURATION + 1 => {
            model.fail_safe_duration_s =
                (model.fail_safe_duration_s & 0xFFFF_0000) | u32::from(value);
        }
        FAIL_SAFE_CURRENT => model.fail_safe_current_da = value,
        DISCONNECT_CP => {
            model.cp_interrupted_until =
                (value > 0).then(|| now + std::time::Duration::from_secs(u64::from(value)));
            tracing::info!(%unit, seconds = value, "CP interrupted");
        }
        RELAY_SELECT => {
            if model.relay_select != value {
                tracing::info!(%unit, phases = if value == 1 { 1 } else { 3 }, "relay_select");
            }
            model.relay_select = value;
        }
        CHARGING_CUR_LIMIT => {
            if model.limit_da != value {
                tracing::info!(%unit, limit_a = f64::from(value) / 10.0, "charging_cur_limit");
            }
            model.limit_da = value;
        }
        CHARGING_ENABLE => {
            if u16::from(model.enabled) != value {
                tracing::info!(%unit, enable = value, "charging_enable");
            }
            model.enabled = value == 1;
        }
        _ => {}
    }
    if is_flash_backed(address) {
        tracing::debug!(%unit, address, value, "flash-backed register written");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_block_is_big_endian_high_word_first() {
        let energy = 0x0001_0002_0003_0004u64 as f64;
        let words: Vec<u16> = (8058..8070)
            .filter_map(|a| meter_block_register(a, energy, -2.0, [16.0, 0.0, 1.5]))
            .collect();
        assert_eq!(words, vec![1, 2, 3, 4, 0xFFFF, 0xFFFE, 0, 160, 0, 0, 0, 15]);
    }

    #[test]
    fn rfid_is_ascii_two_characters_per_register() {
        assert_eq!(rfid_register("04A1B2", 0), u16::from_be_bytes(*b"04"));
        assert_eq!(rfid_register("04A1B", 2), u16::from_be_bytes([b'B', 0]));
        assert_eq!(rfid_register("04A1B2", 15), 0);
    }

    #[test]
    fn only_ram_registers_are_not_flash_backed() {
        for address in [8083, 8084, 8085, 8090] {
            assert!(is_flash_backed(address), "{address}");
        }
        for address in [8086, 8087, 8093, 8094] {
            assert!(!is_flash_backed(address), "{address}");
        }
    }
}
