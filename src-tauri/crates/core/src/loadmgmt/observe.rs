//! From what the devices report to what `allocate` needs: whether a car is there, what the wallbox
//! draws, whether it answers, and the household load behind the grid meter.
//!
//! Pure functions, so each rule is tested without devices.

use crate::device::runtime::{Availability, DeviceReading, DeviceStatus};
use crate::device::{CpState, EvseReading, MeterReading};
use crate::ocpp::live::ConnectorLive;

use super::input::{HouseholdLoad, Vehicle, WallboxPhases};
use super::phases::{Phase, PhaseAmps};

/// What one wallbox looks like this tick.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub reachable: bool,
    pub vehicle: Vehicle,
    pub measured_a: Option<PhaseAmps>,
    pub cable_limit_a: Option<f64>,
    /// The wallbox's energy counter, to count the energy of the current session.
    pub energy_wh: Option<f64>,
}

impl Observation {
    /// Nothing is known: counted at its last limit, as a wallbox that does not answer.
    pub fn unreachable() -> Self {
        Self {
            reachable: false,
            vehicle: Vehicle::Absent,
            measured_a: None,
            cable_limit_a: None,
            energy_wh: None,
        }
    }
}

/// A polled (Modbus) wallbox. Until it has answered once, or while it does not answer, it is
/// unreachable: it may still be drawing what it was last allowed.
pub fn observe_polled(status: Option<&DeviceStatus>, phases: WallboxPhases) -> Observation {
    let Some(status) = status else {
        return Observation::unreachable();
    };
    let Some(DeviceReading::Evse(reading)) = &status.reading else {
        return Observation::unreachable();
    };
    if status.availability != Availability::Online {
        return Observation::unreachable();
    }
    Observation {
        reachable: true,
        vehicle: vehicle_from_cp(reading.cp_state),
        measured_a: evse_draw(reading, phases),
        cable_limit_a: reading.cable_current_limit_a,
        energy_wh: reading
            .meter
            .as_ref()
            .and_then(|meter| meter.energy_import_wh),
    }
}

fn vehicle_from_cp(state: CpState) -> Vehicle {
    match state {
        CpState::A => Vehicle::Absent,
        CpState::B | CpState::C | CpState::D => Vehicle::Connected,
        // E (no power) and F (error): a car may be there, but it cannot charge now.
        CpState::E | CpState::F => Vehicle::NoDemand,
    }
}

/// The draw per phase: the wallbox's meter when it has one, else its measured charging current on
/// the phases it uses (all three when a one-phase car's phase is unknown, to be safe).
fn evse_draw(reading: &EvseReading, phases: WallboxPhases) -> Option<PhaseAmps> {
    if let Some(currents) = reading.meter.as_ref().and_then(|meter| meter.current_a) {
        return Some(PhaseAmps::from_array(currents));
    }
    let current = reading.charging_current_a?;
    Some(match phases {
        WallboxPhases::Three
        | WallboxPhases::One {
            connected_phase: None,
        } => PhaseAmps::uniform(current),
        WallboxPhases::One {
            connected_phase: Some(phase),
        } => on_one_phase(phase, current),
    })
}

fn on_one_phase(phase: Phase, current: f64) -> PhaseAmps {
    let mut amps = [0.0; 3];
    amps[phase.index()] = current;
    PhaseAmps::from_array(amps)
}

/// An OCPP wallbox: reachable while its charge point is connected; the car from the connector's
/// status (OCPP 1.6 §4.9).
pub fn observe_ocpp(connected: bool, connector: Option<&ConnectorLive>) -> Observation {
    if !connected {
        return Observation::unreachable();
    }
    let Some(connector) = connector else {
        // Connected but no status yet: assume a car so it is counted, never starved by a guess.
        return Observation {
            reachable: true,
            vehicle: Vehicle::Connected,
            measured_a: None,
            cable_limit_a: None,
            energy_wh: None,
        };
    };
    let currents = connector.reading.current_a;
    let measured_a = currents
        .iter()
        .any(Option::is_some)
        .then(|| PhaseAmps::from_array(currents.map(|current| current.unwrap_or(0.0))));
    Observation {
        reachable: true,
        vehicle: vehicle_from_ocpp_status(connector.status.as_deref()),
        measured_a,
        cable_limit_a: None,
        energy_wh: connector.reading.energy_wh,
    }
}

fn vehicle_from_ocpp_status(status: Option<&str>) -> Vehicle {
    match status {
        Some("Available") | Some("Reserved") => Vehicle::Absent,
        Some("Unavailable") | Some("Faulted") => Vehicle::NoDemand,
        // Preparing, Charging, SuspendedEV, SuspendedEVSE, and anything unknown: a car is there.
        // Finishing too: the transaction ended but the car is still plugged in, e.g. after a pause
        // by RemoteStopTransaction, and must be able to charge again when resumed.
        _ => Vehicle::Connected,
    }
}

/// The household load: what the grid meter measures minus what the wallboxes behind it draw.
///
/// Wallboxes whose draw is unknown are not subtracted, so their draw counts as household load:
/// the budget is then smaller than it could be, never larger.
pub fn household_load(
    grid_meter: Option<&DeviceStatus>,
    wallbox_draws: impl IntoIterator<Item = PhaseAmps>,
) -> HouseholdLoad {
    let Some(grid) = grid_meter.and_then(fresh_meter_reading) else {
        return HouseholdLoad::MeterFailed;
    };
    let Some(grid_currents) = grid.current_a else {
        return HouseholdLoad::MeterFailed;
    };
    let mut household = grid_currents;
    for draw in wallbox_draws {
        for (value, drawn) in household.iter_mut().zip(draw.to_array()) {
            *value -= drawn;
        }
    }
    HouseholdLoad::Measured(PhaseAmps::from_array(household))
}

fn fresh_meter_reading(status: &DeviceStatus) -> Option<&MeterReading> {
    if status.availability != Availability::Online {
        return None;
    }
    match &status.reading {
        Some(DeviceReading::Meter(reading)) => Some(reading),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn status(availability: Availability, reading: DeviceReading) -> DeviceStatus {
        DeviceStatus {
            device_id: "x".to_owned(),
            availability,
            reading: Some(reading),
            read_at: None,
            last_error: None,
            applied: None,
        }
    }

    fn evse(cp_state: CpState, current: f64, meter: Option<[f64; 3]>) -> DeviceReading {
        DeviceReading::Evse(EvseReading {
            cp_state,
            current_limit_a: 16.0,
            charging_enabled: true,
            charging_current_a: Some(current),
            cable_current_limit_a: Some(20.0),
            last_rfid: None,
            meter: meter.map(|currents| MeterReading {
                current_a: Some(currents),
                energy_import_wh: Some(5000.0),
                ..MeterReading::default()
            }),
        })
    }

    fn grid(availability: Availability, currents: [f64; 3]) -> DeviceStatus {
        status(
            availability,
            DeviceReading::Meter(MeterReading {
                current_a: Some(currents),
                ..MeterReading::default()
            }),
        )
    }

    #[test]
    fn a_polled_wallbox_reports_car_draw_and_cable() {
        let online = status(
            Availability::Online,
            evse(CpState::C, 10.0, Some([10.0, 9.5, 0.0])),
        );
        let seen = observe_polled(Some(&online), WallboxPhases::Three);
        assert!(seen.reachable);
        assert_eq!(seen.vehicle, Vehicle::Connected);
        assert_eq!(seen.measured_a, Some(PhaseAmps::new(10.0, 9.5, 0.0)));
        assert_eq!(seen.cable_limit_a, Some(20.0));
        assert_eq!(seen.energy_wh, Some(5000.0));
    }

    #[test]
    fn without_a_meter_the_charging_current_counts_on_the_phases_used() {
        let online = status(Availability::Online, evse(CpState::C, 8.0, None));
        let one_on_l2 = WallboxPhases::One {
            connected_phase: Some(Phase::L2),
        };
        assert_eq!(
            observe_polled(Some(&online), one_on_l2).measured_a,
            Some(PhaseAmps::new(0.0, 8.0, 0.0))
        );
        let unknown_phase = WallboxPhases::One {
            connected_phase: None,
        };
        assert_eq!(
            observe_polled(Some(&online), unknown_phase).measured_a,
            Some(PhaseAmps::uniform(8.0))
        );
    }

    #[test]
    fn cp_states_tell_whether_a_car_wants_current() {
        for (state, vehicle) in [
            (CpState::A, Vehicle::Absent),
            (CpState::B, Vehicle::Connected),
            (CpState::D, Vehicle::Connected),
            (CpState::F, Vehicle::NoDemand),
        ] {
            let online = status(Availability::Online, evse(state, 0.0, None));
            assert_eq!(
                observe_polled(Some(&online), WallboxPhases::Three).vehicle,
                vehicle
            );
        }
    }

    #[test]
    fn an_offline_or_never_read_wallbox_is_unreachable() {
        let offline = status(Availability::Offline, evse(CpState::C, 10.0, None));
        assert!(!observe_polled(Some(&offline), WallboxPhases::Three).reachable);
        assert!(!observe_polled(None, WallboxPhases::Three).reachable);
    }

    #[test]
    fn ocpp_statuses_map_to_vehicles() {
        let connector = |status: &str| ConnectorLive {
            status: Some(status.to_owned()),
            ..ConnectorLive::default()
        };
        assert_eq!(
            observe_ocpp(true, Some(&connector("Available"))).vehicle,
            Vehicle::Absent
        );
        assert_eq!(
            observe_ocpp(true, Some(&connector("SuspendedEV"))).vehicle,
            Vehicle::Connected
        );
        assert_eq!(
            observe_ocpp(true, Some(&connector("Finishing"))).vehicle,
            Vehicle::Connected
        );
        assert_eq!(
            observe_ocpp(true, Some(&connector("Faulted"))).vehicle,
            Vehicle::NoDemand
        );
        assert!(!observe_ocpp(false, Some(&connector("Charging"))).reachable);
    }

    #[test]
    fn household_is_grid_minus_known_wallbox_draw() {
        let meter = grid(Availability::Online, [20.0, 12.0, 5.0]);
        let load = household_load(
            Some(&meter),
            [
                PhaseAmps::new(10.0, 10.0, 0.0),
                PhaseAmps::new(0.0, 0.0, 3.0),
            ],
        );
        assert_eq!(
            load,
            HouseholdLoad::Measured(PhaseAmps::new(10.0, 2.0, 2.0))
        );
    }

    #[test]
    fn an_offline_grid_meter_is_a_failed_meter() {
        let meter = grid(Availability::Offline, [20.0, 12.0, 5.0]);
        assert_eq!(household_load(Some(&meter), []), HouseholdLoad::MeterFailed);
        assert_eq!(household_load(None, []), HouseholdLoad::MeterFailed);
    }
}
