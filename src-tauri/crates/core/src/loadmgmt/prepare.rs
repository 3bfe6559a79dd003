//! Per wallbox, before any sharing: is it out of the game (and why), which phases and fuses does
//! it count on, and what is the least and the most it may get.

use super::deciamps::{ceil_da, floor_da, DeciAmps, HUGE};
use super::input::{ExternalLimit, Vehicle, WallboxInput, WallboxPhases, WallboxSettings};
use super::phases::{Phase, PhaseAmps, PhaseSet};
use super::reason::{Limiter, Reason};
use super::tree::SITE;
use super::tuning::Tuning;

/// The tuning in the units `allocate` computes in.
pub(super) struct Params {
    pub now_ms: u64,
    pub min_on_time_ms: u64,
    pub min_off_time_ms: u64,
    pub start_hysteresis: DeciAmps,
    pub give_back_threshold_a: f64,
    pub ramp_headroom_a: f64,
    pub phase_detection_a: f64,
    /// The grid meter failed: every wallbox at most at its minimum.
    pub safe_mode: bool,
}

impl Params {
    pub(super) fn new(now_ms: u64, tuning: &Tuning, safe_mode: bool) -> Self {
        Self {
            now_ms,
            min_on_time_ms: tuning.min_on_time_ms,
            min_off_time_ms: tuning.min_off_time_ms,
            start_hysteresis: ceil_da(tuning.start_hysteresis_a.max(0.0)),
            give_back_threshold_a: tuning.give_back_threshold_a,
            ramp_headroom_a: tuning.ramp_headroom_a,
            phase_detection_a: tuning.phase_detection_a,
            safe_mode,
        }
    }
}

/// What limits a wallbox from above when its own cap, not a fuse, ends its share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CapBy {
    WallboxMax,
    Cable,
    External,
    CarDemand,
    SafeBudget,
    MinOnHold,
}

impl CapBy {
    pub(super) fn reason(self) -> Reason<'static> {
        match self {
            CapBy::WallboxMax => Reason::LimitedByWallboxMax,
            CapBy::Cable => Reason::LimitedByCable,
            CapBy::External => Reason::LimitedByExternal,
            CapBy::CarDemand => Reason::LimitedByCarDemand,
            CapBy::SafeBudget => Reason::SafeBudgetMeterFailed { paused: false },
            CapBy::MinOnHold => Reason::HeldByMinOnTime,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// Decided without sharing. A positive limit (an unreachable wallbox) is still counted.
    Fixed { limit: DeciAmps, why: Fixed },
    /// Takes part in admission and sharing.
    Candidate,
}

/// Why a wallbox does not take part in sharing; small, so that `Prepared` stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fixed {
    Disabled,
    Unreachable,
    UnknownGroup,
    PausedByBackend,
    NoCar,
    NoDemand,
    LimitBelowMinimum(Limiter),
}

impl Fixed {
    pub(super) fn reason(self, wallbox: &WallboxInput) -> Reason<'_> {
        match self {
            Fixed::Disabled => Reason::Disabled,
            Fixed::Unreachable => Reason::FrozenDeviceUnreachable,
            Fixed::UnknownGroup => Reason::UnknownGroup {
                group_id: wallbox.group.as_deref().unwrap_or_default(),
            },
            Fixed::PausedByBackend => Reason::PausedByBackend,
            Fixed::NoCar => Reason::NoCar,
            Fixed::NoDemand => Reason::NoDemand,
            Fixed::LimitBelowMinimum(limiter) => Reason::PausedLimitBelowMinimum { limiter },
        }
    }
}

pub(super) struct Prepared {
    pub fate: Fate,
    /// The node of its group (the site without one).
    pub leaf: usize,
    pub phases: PhaseSet,
    /// Its constraints (see `Tree::route`).
    pub route: u32,
    /// Its minimum current: it gets this or nothing.
    pub floor: DeciAmps,
    /// The most it may get, at least `floor` for candidates.
    pub cap: DeciAmps,
    pub cap_by: CapBy,
    /// What must fit for it to be admitted: the minimum, plus the hysteresis when starting.
    pub start_need: DeciAmps,
    pub priority: u8,
    /// Energy charged this session in whole watt-hours (saturating; not a number counts as 0):
    /// least first in admission.
    pub energy_wh: u32,
    /// Started less than the minimum on time ago.
    pub held_on: bool,
    /// Paused less than the minimum off time ago: admission only checks whether it could start,
    /// so that its reason tells whether the wait or the budget keeps it paused.
    pub held_off: bool,
}

/// A wallbox's minimum and maximum current in tenths, kept with the settings they were rounded
/// from: settings rarely change, and rounding takes a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OwnLimits {
    min_bits: u64,
    max_bits: u64,
    /// Its minimum current: it gets this or nothing.
    pub floor: DeciAmps,
    /// Its own maximum, rounded down.
    pub max: DeciAmps,
}

impl Default for OwnLimits {
    /// Rounded from settings that are not a number, as a start.
    fn default() -> Self {
        Self::rounded(f64::NAN, f64::NAN)
    }
}

impl OwnLimits {
    fn rounded(min_current_a: f64, max_current_a: f64) -> Self {
        Self {
            min_bits: min_current_a.to_bits(),
            max_bits: max_current_a.to_bits(),
            floor: ceil_da(min_current_a).max(1),
            max: floor_da(max_current_a),
        }
    }

    /// Brings them up to date with `settings`.
    pub(super) fn update(&mut self, settings: &WallboxSettings) {
        let (min, max) = (settings.min_current_a, settings.max_current_a);
        if min.to_bits() != self.min_bits || max.to_bits() != self.max_bits {
            *self = Self::rounded(min, max);
        }
    }
}

/// `group_node` is the node of the wallbox's group, the site without one, none when its group
/// does not exist; `own` must be up to date with its settings; `route_of` gives the route of a
/// node and phases.
// Inlined, so the result is written straight into the caller's vector.
#[inline]
pub(super) fn prepare(
    wallbox: &WallboxInput,
    group_node: Option<usize>,
    own: OwnLimits,
    params: &Params,
    route_of: impl FnOnce(usize, PhaseSet) -> u32,
) -> Prepared {
    let settings = &wallbox.settings;
    let phases = counted_phases(
        settings.phases,
        wallbox.measured_a,
        params.phase_detection_a,
    );
    let floor = own.floor;
    let was_charging = wallbox.previous.is_some_and(|p| p.limit_a > 0.0);
    let since_switch = wallbox
        .previous
        // A switch "after now" (`PreviousAllocation::NEVER_SWITCHED_MS`) holds nothing.
        .and_then(|p| params.now_ms.checked_sub(p.switched_at_ms));
    let leaf = group_node.unwrap_or(SITE);
    let mut prepared = Prepared {
        fate: Fate::Candidate,
        leaf,
        phases,
        route: route_of(leaf, phases),
        floor,
        cap: 0,
        cap_by: CapBy::WallboxMax,
        start_need: floor,
        priority: settings.priority,
        // `as` saturates, and makes not-a-number 0.
        energy_wh: wallbox.session_energy_wh as u32,
        held_on: false,
        held_off: false,
    };

    let fixed = |limit, why| Fate::Fixed { limit, why };
    if !settings.enabled {
        prepared.fate = fixed(0, Fixed::Disabled);
        return prepared;
    }
    if !wallbox.reachable {
        // It may still draw what it was last allowed; without a last limit, as much as it can.
        let counted = match wallbox.previous {
            Some(previous) => ceil_da(previous.limit_a.max(0.0)),
            None => ceil_da(settings.max_current_a.max(0.0)),
        };
        prepared.fate = fixed(counted.min(HUGE), Fixed::Unreachable);
        return prepared;
    }
    if group_node.is_none() {
        prepared.fate = fixed(0, Fixed::UnknownGroup);
        return prepared;
    }
    if !wallbox.external.allows {
        prepared.fate = fixed(0, Fixed::PausedByBackend);
        return prepared;
    }
    match wallbox.vehicle {
        Vehicle::Absent => {
            prepared.fate = fixed(0, Fixed::NoCar);
            return prepared;
        }
        Vehicle::NoDemand => {
            prepared.fate = fixed(0, Fixed::NoDemand);
            return prepared;
        }
        Vehicle::Connected => {}
    }

    let (cap, limiter) = individual_cap(own.max, wallbox.cable_limit_a, wallbox.external);
    if cap < floor {
        prepared.fate = fixed(0, Fixed::LimitBelowMinimum(limiter));
        return prepared;
    }
    prepared.cap = cap;
    prepared.cap_by = match limiter {
        Limiter::WallboxMax => CapBy::WallboxMax,
        Limiter::Cable => CapBy::Cable,
        Limiter::External => CapBy::External,
    };
    if let Some(demand) = demand_cap(wallbox, params) {
        let demand = demand.max(floor);
        if demand < prepared.cap {
            prepared.cap = demand;
            prepared.cap_by = CapBy::CarDemand;
        }
    }
    if params.safe_mode {
        prepared.cap = floor;
        prepared.cap_by = CapBy::SafeBudget;
    }

    match since_switch {
        Some(elapsed) if !was_charging && elapsed < params.min_off_time_ms => {
            prepared.held_off = true;
        }
        Some(elapsed) if was_charging && elapsed < params.min_on_time_ms => {
            prepared.held_on = true;
        }
        _ => {}
    }
    if !was_charging {
        prepared.start_need = floor.saturating_add(params.start_hysteresis);
    }
    prepared
}

/// The smallest of the wallbox's own maximum, the cable and the external limit. On a tie the
/// external limit is named first, then the cable: they explain more than the wallbox's own setting.
fn individual_cap(
    own_max: DeciAmps,
    cable_limit_a: Option<f64>,
    external: ExternalLimit,
) -> (DeciAmps, Limiter) {
    let mut cap = (own_max, Limiter::WallboxMax);
    for (limit, limiter) in [
        (cable_limit_a, Limiter::Cable),
        (external.max_current_a, Limiter::External),
    ] {
        if let Some(limit) = limit {
            let limit = floor_da(limit);
            if limit <= cap.0 {
                cap = (limit, limiter);
            }
        }
    }
    cap
}

/// A car that drew clearly less than its last offer is offered its draw plus headroom.
fn demand_cap(wallbox: &WallboxInput, params: &Params) -> Option<DeciAmps> {
    let previous = wallbox.previous?;
    if previous.limit_a <= 0.0 {
        return None;
    }
    let draw = wallbox.measured_a?.max_phase();
    if !draw.is_finite() {
        return None;
    }
    let draw = draw.max(0.0);
    (previous.limit_a - draw > params.give_back_threshold_a)
        .then(|| floor_da(draw + params.ramp_headroom_a))
}

fn counted_phases(
    phases: WallboxPhases,
    measured: Option<PhaseAmps>,
    detection_a: f64,
) -> PhaseSet {
    match phases {
        WallboxPhases::Three => PhaseSet::ALL,
        WallboxPhases::One {
            connected_phase: Some(phase),
        } => PhaseSet::single(phase),
        WallboxPhases::One {
            connected_phase: None,
        } => measured
            .and_then(|measured| drawing_phase(measured, detection_a))
            .map_or(PhaseSet::ALL, PhaseSet::single),
    }
}

/// The one phase with at least `detection_a`, if the other two have less.
fn drawing_phase(measured: PhaseAmps, detection_a: f64) -> Option<Phase> {
    let mut found = None;
    for phase in Phase::ALL {
        let amps = measured.get(phase);
        if amps.is_nan() {
            return None;
        }
        if amps >= detection_a {
            if found.is_some() {
                return None;
            }
            found = Some(phase);
        }
    }
    found
}
