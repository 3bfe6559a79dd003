//! What each OCPP wallbox's charging profile should say, derived from the configuration and the
//! current load management allows. Pure, so every rule is tested without a charge point.

use std::collections::HashMap;

use crate::config::{
    Config, DeactivationBehaviour, DeviceDriver, LoadManagementMode, OcppPauseMethod,
};

/// What Ampwise wants installed on one connector.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileTarget {
    /// Leave the wallbox's profiles alone (monitor mode, or a device switched off that keeps its
    /// last limit).
    Untouched,
    /// Remove every profile on the connector ("cancel charging current limit" on deactivation).
    Clear,
    /// A default profile with this limit in amperes per phase (0 forbids charging).
    Limit { amps: f64, phases: u8 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorTarget {
    pub device_id: String,
    pub connector_id: i32,
    pub target: ProfileTarget,
    pub pause_with: OcppPauseMethod,
    /// The device's minimum current: what a paused wallbox that must not see 0 A is held at.
    pub min_current_a: f64,
}

/// Targets per ChargeBox ID. `allowed` is the current load management allows each device (by id);
/// a device without an entry is not allowed to charge yet, so the wallbox starts blocked.
pub fn targets(
    config: &Config,
    allowed: &HashMap<String, f64>,
) -> HashMap<String, Vec<ConnectorTarget>> {
    let mut targets: HashMap<String, Vec<ConnectorTarget>> = HashMap::new();
    for device in &config.devices {
        let DeviceDriver::Ocpp16Evse(address) = &device.driver else {
            continue;
        };
        let Ok(connector_id) = i32::try_from(address.connector_id) else {
            continue;
        };
        let charging = device.charging.clone().unwrap_or_default();
        let target = if !device.enabled {
            match device.on_deactivation {
                DeactivationBehaviour::CancelChargingCurrentLimit => ProfileTarget::Clear,
                DeactivationBehaviour::KeepChargingCurrentLimit => ProfileTarget::Untouched,
            }
        } else if config.charging_manager.mode == LoadManagementMode::Monitor {
            ProfileTarget::Untouched
        } else {
            let requested = allowed.get(&device.id).copied().unwrap_or(0.0);
            ProfileTarget::Limit {
                amps: effective_limit(
                    requested,
                    charging.min_current_a,
                    charging.max_current_a,
                    address.pause_with,
                ),
                phases: u8::from(charging.phases).max(1),
            }
        };
        targets
            .entry(address.charge_box_id.clone())
            .or_default()
            .push(ConnectorTarget {
                device_id: device.id.clone(),
                connector_id,
                target,
                pause_with: address.pause_with,
                min_current_a: charging.min_current_a,
            });
    }
    targets
}

/// The limit sent to the wallbox: never above its maximum, never between 0 and its minimum (a car
/// offered less than 6 A does not charge; it is paused instead), and never 0 for wallboxes that end
/// the transaction at 0 A when the user chose to hold the minimum instead.
pub fn effective_limit(requested: f64, min: f64, max: f64, pause_with: OcppPauseMethod) -> f64 {
    let requested = if requested.is_finite() {
        requested.max(0.0)
    } else {
        0.0
    };
    let limited = requested.min(max);
    match pause_with {
        OcppPauseMethod::HoldMinimumCurrent => limited.max(min),
        OcppPauseMethod::ZeroCurrentProfile | OcppPauseMethod::RemoteStopStart => {
            if limited < min {
                0.0
            } else {
                // OCPP limits have one decimal.
                (limited * 10.0).floor() / 10.0
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::{ChargingManagerSettings, ChargingSettings, Device, OcppEvseAddress};

    fn wallbox(id: &str, enabled: bool, on_deactivation: DeactivationBehaviour) -> Device {
        Device {
            id: id.to_owned(),
            name: id.to_owned(),
            enabled,
            on_deactivation,
            group: None,
            driver: DeviceDriver::Ocpp16Evse(OcppEvseAddress {
                charge_box_id: "CB1".to_owned(),
                connector_id: if id == "right" { 2 } else { 1 },
                pause_with: OcppPauseMethod::ZeroCurrentProfile,
            }),
            charging: Some(ChargingSettings {
                max_current_a: 16.0,
                ..ChargingSettings::default()
            }),
            gateway: None,
        }
    }

    fn config(mode: LoadManagementMode, devices: Vec<Device>) -> Config {
        Config {
            charging_manager: ChargingManagerSettings {
                mode,
                ..ChargingManagerSettings::default()
            },
            devices,
            ..Config::default()
        }
    }

    #[test]
    fn limits_stay_within_the_wallbox_and_never_below_minimum() {
        let zero = OcppPauseMethod::ZeroCurrentProfile;
        assert_eq!(effective_limit(10.0, 6.0, 16.0, zero), 10.0);
        assert_eq!(effective_limit(32.0, 6.0, 16.0, zero), 16.0);
        assert_eq!(effective_limit(5.9, 6.0, 16.0, zero), 0.0);
        assert_eq!(effective_limit(-3.0, 6.0, 16.0, zero), 0.0);
        assert_eq!(effective_limit(f64::NAN, 6.0, 16.0, zero), 0.0);
        assert_eq!(effective_limit(7.77, 6.0, 16.0, zero), 7.7);
        let hold = OcppPauseMethod::HoldMinimumCurrent;
        assert_eq!(effective_limit(0.0, 6.0, 16.0, hold), 6.0);
        assert_eq!(effective_limit(20.0, 6.0, 16.0, hold), 16.0);
    }

    #[test]
    fn active_mode_starts_blocked_until_current_is_allowed() {
        let config = config(
            LoadManagementMode::Active,
            vec![wallbox(
                "left",
                true,
                DeactivationBehaviour::KeepChargingCurrentLimit,
            )],
        );
        let blocked = targets(&config, &HashMap::new());
        assert_eq!(
            blocked["CB1"][0].target,
            ProfileTarget::Limit {
                amps: 0.0,
                phases: 3
            }
        );
        let allowed = HashMap::from([("left".to_owned(), 11.0)]);
        assert_eq!(
            targets(&config, &allowed)["CB1"][0].target,
            ProfileTarget::Limit {
                amps: 11.0,
                phases: 3
            }
        );
    }

    #[test]
    fn monitor_mode_touches_nothing() {
        let config = config(
            LoadManagementMode::Monitor,
            vec![wallbox(
                "left",
                true,
                DeactivationBehaviour::KeepChargingCurrentLimit,
            )],
        );
        assert_eq!(
            targets(&config, &HashMap::new())["CB1"][0].target,
            ProfileTarget::Untouched
        );
    }

    #[test]
    fn deactivation_clears_only_when_asked_to() {
        let config = config(
            LoadManagementMode::Active,
            vec![
                wallbox(
                    "left",
                    false,
                    DeactivationBehaviour::CancelChargingCurrentLimit,
                ),
                wallbox(
                    "right",
                    false,
                    DeactivationBehaviour::KeepChargingCurrentLimit,
                ),
            ],
        );
        let targets = targets(&config, &HashMap::new());
        let by_connector: HashMap<i32, &ProfileTarget> = targets["CB1"]
            .iter()
            .map(|t| (t.connector_id, &t.target))
            .collect();
        assert_eq!(by_connector[&1], &ProfileTarget::Clear);
        assert_eq!(by_connector[&2], &ProfileTarget::Untouched);
    }
}
