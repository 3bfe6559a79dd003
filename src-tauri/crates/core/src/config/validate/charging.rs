//! How much current may flow: the phase limits of the grid connection and of groups, the charging
//! manager's own settings, and each wallbox's charging range.

use crate::config::model::{
    ChargingManagerSettings, ChargingSettings, PhaseCount, PhaseCurrents, PRIORITY_RANGE,
};

use super::Report;

/// No grid connection or sub-distribution this manager is meant for has a larger fuse.
const MAX_PHASE_CURRENT_A: f64 = 2000.0;
/// IEC 61851: below 6 A a car may not be offered current, so the manager pauses instead.
const MIN_CHARGING_CURRENT_A: f64 = 6.0;
/// The highest AC charging current of a single connector (IEC 61851 / IEC 62196).
const MAX_CHARGING_CURRENT_A: f64 = 80.0;
const CONTROL_INTERVAL_MS: std::ops::RangeInclusive<u32> = 100..=60_000;

pub(super) fn check_charging_manager(settings: &ChargingManagerSettings, report: &mut Report) {
    let prefix = "charging_manager";
    check_phase_limits(
        &format!("{prefix}.max_current_per_phase_a"),
        &settings.max_current_per_phase_a,
        report,
    );

    let field = format!("{prefix}.current_reserve_a");
    let reserve = settings.current_reserve_a;
    if !reserve.is_finite() {
        report.add(field, format!("{reserve} is not a number of amperes"));
    } else if reserve < 0.0 {
        report.add(field, format!("{reserve} A is negative"));
    } else if let Some((phase, limit)) = settings
        .max_current_per_phase_a
        .named()
        .into_iter()
        // A limit that is wrong itself is reported on its own; comparing with it says nothing.
        .find(|(_, limit)| phase_limit_problem(*limit).is_none() && reserve >= *limit)
    {
        report.add(
            field,
            format!(
                "{reserve} A leaves nothing of the {limit} A limit of {phase}; the reserve must be \
                 below every phase limit"
            ),
        );
    }

    if !CONTROL_INTERVAL_MS.contains(&settings.control_interval_ms) {
        report.add(
            format!("{prefix}.control_interval_ms"),
            format!(
                "{} ms is outside {}..={} ms",
                settings.control_interval_ms,
                CONTROL_INTERVAL_MS.start(),
                CONTROL_INTERVAL_MS.end()
            ),
        );
    }
    if let Some(assumed) = &settings.meter_failure_household_a {
        for (phase, amperes) in assumed.named() {
            if !amperes.is_finite() || amperes < 0.0 {
                report.add(
                    format!("{prefix}.meter_failure_household_a.{phase}"),
                    format!("{amperes} A: an assumed household load is 0 A or more"),
                );
            }
        }
    }
    // grid_meter refers to a device; it is checked with the devices.
}

/// The fuse limits of the grid connection or of a group, one field per phase.
pub(super) fn check_phase_limits(prefix: &str, currents: &PhaseCurrents, report: &mut Report) {
    for (phase, amperes) in currents.named() {
        if let Some(reason) = phase_limit_problem(amperes) {
            report.add(format!("{prefix}.{phase}"), reason);
        }
    }
}

fn phase_limit_problem(amperes: f64) -> Option<String> {
    if !amperes.is_finite() {
        Some(format!("{amperes} is not a number of amperes"))
    } else if amperes <= 0.0 {
        Some(format!("{amperes} A: a fuse limit must be above 0 A"))
    } else if amperes > MAX_PHASE_CURRENT_A {
        Some(format!(
            "{amperes} A is above {MAX_PHASE_CURRENT_A} A, the largest fuse this manager supports"
        ))
    } else {
        None
    }
}

/// A wallbox's charging range, priority and phases.
pub(super) fn check_charging(prefix: &str, charging: &ChargingSettings, report: &mut Report) {
    let min = charging.min_current_a;
    let max = charging.max_current_a;
    let min_field = format!("{prefix}.min_current_a");
    if !min.is_finite() {
        report.add(min_field, format!("{min} is not a number of amperes"));
    } else if min < MIN_CHARGING_CURRENT_A {
        report.add(
            min_field,
            format!(
                "{min} A is below {MIN_CHARGING_CURRENT_A} A, the lowest current IEC 61851 lets a \
                 wallbox offer a car; below it the manager pauses charging instead"
            ),
        );
    }
    let max_field = format!("{prefix}.max_current_a");
    if !max.is_finite() {
        report.add(max_field, format!("{max} is not a number of amperes"));
    } else if max > MAX_CHARGING_CURRENT_A {
        report.add(
            max_field,
            format!(
                "{max} A is above {MAX_CHARGING_CURRENT_A} A, the most an AC connector carries"
            ),
        );
    } else if min.is_finite() && max < min {
        report.add(
            max_field,
            format!("{max} A is below min_current_a ({min} A)"),
        );
    }
    if !PRIORITY_RANGE.contains(&charging.priority) {
        report.add(
            format!("{prefix}.priority"),
            format!(
                "{} is outside {}..={} (1 is the highest priority)",
                charging.priority,
                PRIORITY_RANGE.start(),
                PRIORITY_RANGE.end()
            ),
        );
    }
    if charging.connected_phase.is_some() && charging.phases != PhaseCount::One {
        report.add(
            format!("{prefix}.connected_phase"),
            "only a one-phase wallbox (phases = 1) sits on a single grid phase",
        );
    }
}
