//! The cFos Power Brain wallbox over Modbus (protocol facts §6).
//!
//! Only `charging_cur_limit` and `charging_enable` are ever written: every other register of the box
//! is kept in flash, and writing those periodically would wear it out.

use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;

use crate::modbus::{codec, ModbusError, UnitClient};

use super::meter_models::POWER_BRAIN_METER;
use super::modbus_meter::read_map;
use super::reading::{CpState, EvseCommand, EvseReading};
use super::register_map::ReadBlock;
use super::{DeviceError, Evse};

const FAIL_SAFE_DURATION: u16 = 8083;
const CABLE_CURRENT: u16 = 8090;
/// CP state, limit, enable and actual current (8092–8095), the RFID (8096–8111) and has_meter (8112).
const STATE_BLOCK: u16 = 8092;
const STATE_BLOCK_LEN: u16 = 21;
const CHARGING_CUR_LIMIT: u16 = 8093;
const CHARGING_ENABLE: u16 = 8094;
const RFID_OFFSET: usize = 4;
const RFID_LEN: usize = 16;
const HAS_METER_OFFSET: usize = 20;

/// The range the box accepts for `charging_cur_limit`, in 0.1 A.
const LIMIT_RANGE_DECI_A: std::ops::RangeInclusive<u16> = 60..=630;
/// What the box does by default when nobody talks to it (protocol facts: 300 s).
const DEFAULT_FAIL_SAFE: Duration = Duration::from_secs(300);

pub struct PowerBrainEvse {
    client: UnitClient,
    /// Learned from the box at the first successful read; steers how often commands are repeated.
    fail_safe: Mutex<Option<Duration>>,
    meter_plan: Vec<ReadBlock>,
}

impl PowerBrainEvse {
    pub fn new(client: UnitClient) -> Self {
        Self {
            client,
            fail_safe: Mutex::new(None),
            meter_plan: POWER_BRAIN_METER.read_plan(),
        }
    }

    /// The box's fail-safe timeout, read once (it is a setting in flash that the user changes in the
    /// box's own web interface, not something that moves while charging).
    async fn fail_safe(&self) -> Result<Duration, DeviceError> {
        let mut known = self.fail_safe.lock().await;
        if let Some(duration) = *known {
            return Ok(duration);
        }
        let registers = self
            .client
            .read_holding_registers(FAIL_SAFE_DURATION, 2)
            .await?;
        let seconds = codec::u32_from(&registers).unwrap_or(0);
        // 0 would mean "never falls back"; refresh as if the default applied.
        let duration = if seconds == 0 {
            DEFAULT_FAIL_SAFE
        } else {
            Duration::from_secs(u64::from(seconds))
        };
        *known = Some(duration);
        Ok(duration)
    }
}

#[async_trait]
impl Evse for PowerBrainEvse {
    async fn read(&self) -> Result<EvseReading, DeviceError> {
        self.fail_safe().await?;
        let state = self
            .client
            .read_holding_registers(STATE_BLOCK, STATE_BLOCK_LEN)
            .await?;
        let register = |offset: usize| {
            state.get(offset).copied().ok_or_else(|| {
                DeviceError::Modbus(ModbusError::BadResponse {
                    unit: self.client.unit_id(),
                    detail: format!("{} registers instead of {STATE_BLOCK_LEN}", state.len()),
                })
            })
        };
        let cp_state = cp_state(register(0)?)?;
        let current_limit_a = deci_amps(register(1)?);
        let charging_enabled = register(2)? != 0;
        let charging_current_a = deci_amps(register(3)?);
        let rfid = codec::ascii_from(
            state
                .get(RFID_OFFSET..RFID_OFFSET + RFID_LEN)
                .unwrap_or(&[]),
        );
        let has_meter = register(HAS_METER_OFFSET)? == 1;

        let cable = self.client.read_holding_registers(CABLE_CURRENT, 1).await?;
        let cable_current_limit_a = cable
            .first()
            .copied()
            .filter(|deci| *deci > 0)
            .map(deci_amps);
        let meter = if has_meter {
            Some(read_map(&self.client, &POWER_BRAIN_METER, &self.meter_plan).await?)
        } else {
            None
        };
        Ok(EvseReading {
            cp_state,
            current_limit_a,
            charging_enabled,
            charging_current_a: Some(charging_current_a),
            cable_current_limit_a,
            last_rfid: (!rfid.is_empty()).then_some(rfid),
            meter,
        })
    }

    async fn apply(&self, command: EvseCommand) -> Result<EvseCommand, DeviceError> {
        // The limit register refuses values below 6 A, so a pause keeps the lowest valid limit and
        // switches charging off; the limit goes first so a car never starts on a stale higher one.
        let deci = (command.current_limit_a * 10.0).floor();
        let limit = if deci.is_finite() {
            (deci as u16).clamp(*LIMIT_RANGE_DECI_A.start(), *LIMIT_RANGE_DECI_A.end())
        } else {
            *LIMIT_RANGE_DECI_A.start()
        };
        let enable = command.enable && command.current_limit_a >= 6.0;
        self.client
            .write_single_register(CHARGING_CUR_LIMIT, limit)
            .await?;
        self.client
            .write_single_register(CHARGING_ENABLE, u16::from(enable))
            .await?;
        Ok(EvseCommand {
            enable,
            current_limit_a: deci_amps(limit),
        })
    }

    fn refresh_interval(&self) -> Option<Duration> {
        let fail_safe = self
            .fail_safe
            .try_lock()
            .ok()
            .and_then(|known| *known)
            .unwrap_or(DEFAULT_FAIL_SAFE);
        Some(refresh_within(fail_safe))
    }
}

/// A third of the fail-safe time leaves two more chances if a refresh is lost; never more than a
/// minute so a box restarted with a short fail-safe is caught up quickly.
fn refresh_within(fail_safe: Duration) -> Duration {
    (fail_safe / 3).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

fn deci_amps(value: u16) -> f64 {
    f64::from(value) / 10.0
}

fn cp_state(value: u16) -> Result<CpState, DeviceError> {
    Ok(match value {
        0 => CpState::A,
        1 => CpState::B,
        2 => CpState::C,
        3 => CpState::D,
        4 => CpState::E,
        5 => CpState::F,
        other => {
            return Err(DeviceError::Implausible {
                detail: format!("CP state register holds {other}"),
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_refreshed_well_within_the_fail_safe() {
        assert_eq!(
            refresh_within(Duration::from_secs(300)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_within(Duration::from_secs(30)),
            Duration::from_secs(10)
        );
        assert_eq!(
            refresh_within(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn cp_states_map_to_iec_61851() {
        assert_eq!(cp_state(0).ok(), Some(CpState::A));
        assert_eq!(cp_state(2).ok(), Some(CpState::C));
        assert_eq!(cp_state(5).ok(), Some(CpState::F));
        assert!(cp_state(6).is_err());
    }
}
