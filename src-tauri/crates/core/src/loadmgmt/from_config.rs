//! Building `allocate`'s input from the configuration. The controller does this when the
//! configuration changes and then only updates readings and previous allocations each tick.

use crate::config::{ChargingManagerSettings, Config, Device, Group, PhaseCount};

use super::input::{
    AllocationInput, GroupInput, HouseholdLoad, SiteInput, WallboxInput, WallboxPhases,
    WallboxSettings,
};
use super::tuning::MeterFailurePolicy;

impl MeterFailurePolicy {
    /// The configured household load to assume while the grid meter fails; none: pause all.
    pub fn from_config(settings: &ChargingManagerSettings) -> Self {
        match settings.meter_failure_household_a {
            None => MeterFailurePolicy::PauseAll,
            Some(load) => MeterFailurePolicy::AssumeHouseholdLoad(load.into()),
        }
    }
}

impl SiteInput {
    /// With a grid meter configured, the household load starts as `MeterFailed` (safe budget)
    /// until the controller has a reading.
    pub fn from_config(settings: &ChargingManagerSettings) -> Self {
        Self {
            fuse_limit_a: settings.max_current_per_phase_a.into(),
            current_reserve_a: settings.current_reserve_a,
            household: match settings.grid_meter {
                None => HouseholdLoad::NotMetered,
                Some(_) => HouseholdLoad::MeterFailed,
            },
        }
    }
}

impl GroupInput {
    pub fn from_config(group: &Group) -> Self {
        Self {
            id: group.id.clone(),
            name: group.name.clone(),
            parent: group.parent.clone(),
            max_current_per_phase_a: group.max_current_per_phase_a.into(),
        }
    }
}

impl WallboxSettings {
    /// None for devices without charging settings (meters).
    pub fn from_config(device: &Device) -> Option<Self> {
        let charging = device.charging.as_ref()?;
        Some(Self {
            enabled: device.enabled,
            min_current_a: charging.min_current_a,
            max_current_a: charging.max_current_a,
            phases: match charging.phases {
                PhaseCount::Three => WallboxPhases::Three,
                PhaseCount::One => WallboxPhases::One {
                    connected_phase: charging.connected_phase.map(Into::into),
                },
            },
            priority: charging.priority,
        })
    }
}

impl WallboxInput {
    /// A wallbox as configured, with no car, no readings and no history yet.
    pub fn from_config(device: &Device) -> Option<Self> {
        let mut wallbox =
            WallboxInput::new(device.id.clone(), WallboxSettings::from_config(device)?);
        wallbox.group = device.group.clone();
        Some(wallbox)
    }
}

impl AllocationInput {
    pub fn from_config(config: &Config, now_ms: u64) -> Self {
        Self {
            now_ms,
            site: SiteInput::from_config(&config.charging_manager),
            groups: config.groups.iter().map(GroupInput::from_config).collect(),
            wallboxes: config
                .devices
                .iter()
                .filter_map(WallboxInput::from_config)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::demo_config;

    #[test]
    fn every_configured_wallbox_and_group_is_taken_over() {
        let config = demo_config();
        let input = AllocationInput::from_config(&config, 5);
        let wallboxes = config
            .devices
            .iter()
            .filter(|d| d.charging.is_some())
            .count();
        assert_eq!(input.wallboxes.len(), wallboxes);
        assert_eq!(input.groups.len(), config.groups.len());
        assert_eq!(input.now_ms, 5);
        for (wallbox, device) in input
            .wallboxes
            .iter()
            .zip(config.devices.iter().filter(|d| d.charging.is_some()))
        {
            assert_eq!(wallbox.id, device.id);
            assert_eq!(wallbox.group, device.group);
            assert_eq!(wallbox.settings.enabled, device.enabled);
        }
        assert_eq!(
            input.site.fuse_limit_a.l1,
            config.charging_manager.max_current_per_phase_a.l1
        );
    }

    #[test]
    fn the_configured_fallback_load_becomes_the_meter_failure_policy() {
        let mut settings = ChargingManagerSettings::default();
        assert_eq!(
            MeterFailurePolicy::from_config(&settings),
            MeterFailurePolicy::PauseAll
        );
        settings.meter_failure_household_a = Some(crate::config::PhaseCurrents::uniform(12.5));
        assert_eq!(
            MeterFailurePolicy::from_config(&settings),
            MeterFailurePolicy::AssumeHouseholdLoad(super::super::PhaseAmps::uniform(12.5))
        );
    }
}
