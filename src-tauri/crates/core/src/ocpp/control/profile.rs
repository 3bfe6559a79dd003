//! The OCPP messages that install and remove Ampwise's charging profile on a connector.

use ampwise_ocpp::messages::{ClearChargingProfileRequest, SetChargingProfileRequest};
use ampwise_ocpp::types::{
    ChargingProfile, ChargingProfileKind, ChargingProfilePurpose, ChargingRateUnit,
    ChargingSchedule, ChargingSchedulePeriod, DateTime,
};

/// Ampwise's profiles have ids of their own (this base plus the connector id), so Ampwise replaces
/// and removes exactly what it installed and nothing a backend put there.
pub const PROFILE_ID_BASE: i32 = 424_200;

/// Nominal voltage used to turn amperes into watts for wallboxes that only take `W` schedules.
pub const NOMINAL_VOLTAGE: f64 = 230.0;

/// What a wallbox said about its smart charging (GetConfiguration).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct SmartChargingCapabilities {
    /// `ChargeProfileMaxStackLevel`; Ampwise installs at this level so its limit wins over other
    /// default profiles.
    pub max_stack_level: Option<i32>,
    /// From `ChargingScheduleAllowedChargingRateUnit` (`Current`, `Power` or both).
    pub accepts_current: bool,
    pub accepts_power: bool,
    pub number_of_connectors: Option<i32>,
    pub meter_values_sampled_data: Option<String>,
}

impl SmartChargingCapabilities {
    /// Parses the configuration keys a wallbox reported. Unknown or missing keys keep the OCPP
    /// defaults: amperes are assumed, since every smart-charging wallbox must accept them.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Self {
        let mut capabilities = SmartChargingCapabilities {
            accepts_current: true,
            ..Self::default()
        };
        for (key, value) in keys {
            let Some(value) = value else { continue };
            match key {
                "ChargeProfileMaxStackLevel" => {
                    capabilities.max_stack_level = value.trim().parse().ok();
                }
                "ChargingScheduleAllowedChargingRateUnit" => {
                    let units: Vec<String> = value
                        .split(',')
                        .map(|unit| unit.trim().to_ascii_lowercase())
                        .collect();
                    let current = units.iter().any(|u| u == "current" || u == "a");
                    let power = units.iter().any(|u| u == "power" || u == "w");
                    if current || power {
                        capabilities.accepts_current = current;
                        capabilities.accepts_power = power;
                    }
                }
                "NumberOfConnectors" => {
                    capabilities.number_of_connectors = value.trim().parse().ok();
                }
                "MeterValuesSampledData" => {
                    capabilities.meter_values_sampled_data = Some(value.to_owned());
                }
                _ => {}
            }
        }
        capabilities
    }
}

pub fn profile_id(connector_id: i32) -> i32 {
    PROFILE_ID_BASE + connector_id
}

/// A default profile (TxDefaultProfile) on one connector that holds `amps` per phase until Ampwise
/// sends another: it has no duration, so it never falls back.
pub fn limit_request(
    connector_id: i32,
    amps: f64,
    phases: u8,
    capabilities: &SmartChargingCapabilities,
    now: DateTime,
) -> SetChargingProfileRequest {
    let (unit, limit) = if capabilities.accepts_current || !capabilities.accepts_power {
        (ChargingRateUnit::A, amps)
    } else {
        (
            ChargingRateUnit::W,
            (amps * NOMINAL_VOLTAGE * f64::from(phases)).round(),
        )
    };
    SetChargingProfileRequest {
        connector_id,
        cs_charging_profiles: ChargingProfile {
            charging_profile_id: profile_id(connector_id),
            transaction_id: None,
            stack_level: capabilities.max_stack_level.unwrap_or(0).max(0),
            charging_profile_purpose: ChargingProfilePurpose::TxDefaultProfile,
            charging_profile_kind: ChargingProfileKind::Absolute,
            recurrency_kind: None,
            valid_from: None,
            valid_to: None,
            charging_schedule: ChargingSchedule {
                duration: None,
                start_schedule: Some(now),
                charging_rate_unit: unit,
                charging_schedule_period: vec![ChargingSchedulePeriod {
                    start_period: 0,
                    limit,
                    number_phases: Some(i32::from(phases)),
                }],
                min_charging_rate: None,
            },
        },
    }
}

/// Removes every profile on the connector: the wallbox then works on its own.
pub fn clear_request(connector_id: i32) -> ClearChargingProfileRequest {
    ClearChargingProfileRequest {
        id: None,
        connector_id: Some(connector_id),
        charging_profile_purpose: None,
        stack_level: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime {
        DateTime::parse("2026-11-24T10:00:00Z").unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn capabilities_are_read_from_the_configuration_keys() {
        let capabilities = SmartChargingCapabilities::from_keys([
            ("ChargeProfileMaxStackLevel", Some("8")),
            ("ChargingScheduleAllowedChargingRateUnit", Some("Power")),
            ("NumberOfConnectors", Some("2")),
        ]);
        assert_eq!(capabilities.max_stack_level, Some(8));
        assert!(!capabilities.accepts_current);
        assert!(capabilities.accepts_power);
        assert_eq!(capabilities.number_of_connectors, Some(2));
        // Nothing reported: amperes, stack level 0.
        let defaults = SmartChargingCapabilities::from_keys([]);
        assert!(defaults.accepts_current);
        assert_eq!(defaults.max_stack_level, None);
    }

    #[test]
    fn amperes_when_possible_watts_otherwise() {
        let both = SmartChargingCapabilities::from_keys([(
            "ChargingScheduleAllowedChargingRateUnit",
            Some("Current,Power"),
        )]);
        let request = limit_request(1, 10.0, 3, &both, now());
        let schedule = &request.cs_charging_profiles.charging_schedule;
        assert_eq!(schedule.charging_rate_unit, ChargingRateUnit::A);
        assert_eq!(schedule.charging_schedule_period[0].limit, 10.0);
        assert_eq!(schedule.charging_schedule_period[0].number_phases, Some(3));
        assert_eq!(
            schedule.duration, None,
            "a default profile never falls back"
        );
        assert_eq!(
            request.cs_charging_profiles.charging_profile_purpose,
            ChargingProfilePurpose::TxDefaultProfile
        );
        assert_eq!(request.cs_charging_profiles.charging_profile_id, 424_201);

        let power_only = SmartChargingCapabilities::from_keys([(
            "ChargingScheduleAllowedChargingRateUnit",
            Some("Power"),
        )]);
        let request = limit_request(2, 16.0, 1, &power_only, now());
        let schedule = &request.cs_charging_profiles.charging_schedule;
        assert_eq!(schedule.charging_rate_unit, ChargingRateUnit::W);
        assert_eq!(schedule.charging_schedule_period[0].limit, 3680.0);
    }

    #[test]
    fn clearing_is_limited_to_the_connector() {
        let request = clear_request(2);
        assert_eq!(request.connector_id, Some(2));
        assert_eq!(request.id, None);
        assert_eq!(request.charging_profile_purpose, None);
    }
}
