//! What `allocate` is given: the site's limits, the groups, and every wallbox with its settings,
//! its readings and what it was given last time.
//!
//! These are plain values, independent of the configuration model, so the controller can build
//! them once from the configuration (see `from_config`) and update the readings in place every
//! tick. Time is a plain monotonic millisecond count chosen by the controller: `allocate` never
//! reads a clock, so the same input always gives the same output.

use super::phases::{Phase, PhaseAmps};

#[derive(Debug, Clone, PartialEq)]
pub struct AllocationInput {
    /// The controller's monotonic clock at this tick, in milliseconds. Compared with
    /// [`PreviousAllocation::switched_at_ms`] for the minimum on and off times.
    pub now_ms: u64,
    pub site: SiteInput,
    /// Sub-distributions with their own fuses. Ids should be unique (configuration validation
    /// sees to it); duplicates are merged, the smallest limit of each phase applying.
    pub groups: Vec<GroupInput>,
    /// Ids should be unique: the output is per input entry, in input order.
    pub wallboxes: Vec<WallboxInput>,
}

/// The grid connection.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteInput {
    /// The fuse limit of the grid connection, per phase.
    pub fuse_limit_a: PhaseAmps,
    /// Kept free on every phase of the grid connection (not of groups), for loads nobody measures.
    pub current_reserve_a: f64,
    pub household: HouseholdLoad,
}

/// What else flows through the grid connection besides the managed wallboxes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HouseholdLoad {
    /// No grid meter is configured: a static budget, the fuse limit minus the reserve.
    NotMetered,
    /// The grid meter's current per phase minus what the managed wallboxes draw on that phase.
    /// Negative values (export, e.g. from PV) count as 0: a cloud takes them away faster than the
    /// next tick, while the fuse must hold at every moment. A value that is not a number counts as
    /// a failed meter.
    Measured(PhaseAmps),
    /// A grid meter is configured but gave no valid reading (it failed, or has not been read yet).
    /// The budget then follows [`super::MeterFailurePolicy`].
    MeterFailed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupInput {
    pub id: String,
    /// Shown in reasons ("limited by group Garage L2").
    pub name: String,
    /// The enclosing group; none means the grid connection. An unknown parent, or a parent chain
    /// that goes round in a cycle (configuration validation refuses both), is cut so that the
    /// group hangs directly below the grid connection: its own fuse and the site's still apply.
    pub parent: Option<String>,
    /// Only the wallboxes in the group (and in groups below it) are counted against this fuse:
    /// other loads behind it are not measured, so set it with room for them.
    pub max_current_per_phase_a: PhaseAmps,
}

/// A wallbox's configured behaviour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WallboxSettings {
    /// Disabled wallboxes get 0 and are not counted at all; if one still draws current behind the
    /// grid meter, the household load contains it.
    pub enabled: bool,
    /// Below this the wallbox is paused (limit 0), never offered less.
    pub min_current_a: f64,
    pub max_current_a: f64,
    pub phases: WallboxPhases,
    /// 1 is the highest priority; lower numbers are served first.
    pub priority: u8,
}

impl Default for WallboxSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            min_current_a: 6.0,
            max_current_a: 16.0,
            phases: WallboxPhases::Three,
            priority: 5,
        }
    }
}

/// The phases a wallbox draws from, and so the phases its current is counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallboxPhases {
    /// Counted on all three phases.
    Three,
    /// A one-phase wallbox. With a known `connected_phase` it is counted on that phase only (the
    /// configuration is trusted). Without one it is counted on the one phase where its measured
    /// current clearly shows (at least [`super::Tuning::phase_detection_a`] there and less on the
    /// other two), and otherwise on all three phases: not knowing the phase must never overload it.
    One { connected_phase: Option<Phase> },
}

/// A limit set by someone else, e.g. an OCPP backend's charging profile. Both parties must allow
/// charging, and the smaller limit wins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExternalLimit {
    /// False: the backend forbids charging; the wallbox gets 0.
    pub allows: bool,
    pub max_current_a: Option<f64>,
}

impl Default for ExternalLimit {
    fn default() -> Self {
        Self {
            allows: true,
            max_current_a: None,
        }
    }
}

/// Whether a car is there and wants current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vehicle {
    /// No car plugged in.
    Absent,
    /// A car is plugged in and may take current. A car that draws less than offered is still
    /// `Connected`: its offer shrinks to its draw plus some headroom (never below its minimum), so
    /// it can start again on its own.
    Connected,
    /// A car is plugged in but has finished (e.g. the wallbox reports the session complete); it is
    /// offered nothing.
    NoDemand,
}

/// What `allocate` decided for a wallbox last time; feed back [`super::WallboxAllocation::to_previous`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreviousAllocation {
    /// The limit last decided; 0 means paused.
    pub limit_a: f64,
    /// When the wallbox last went from paused to charging or back (controller's clock, ms). A
    /// time after `now_ms`, such as [`Self::NEVER_SWITCHED_MS`], means no minimum on or off time
    /// applies.
    pub switched_at_ms: u64,
}

impl PreviousAllocation {
    /// `switched_at_ms` of a wallbox that load management never switched (it was off because there
    /// was no car, or the user or the backend said so): no minimum on or off time applies to it.
    pub const NEVER_SWITCHED_MS: u64 = u64::MAX;
}

#[derive(Debug, Clone, PartialEq)]
pub struct WallboxInput {
    pub id: String,
    /// The group it is connected to; none means directly at the grid connection. A group that does
    /// not exist pauses the wallbox: its real fuse is unknown.
    pub group: Option<String>,
    pub settings: WallboxSettings,
    /// False when the wallbox stopped answering. It is then "frozen": counted at its previous
    /// limit (at its maximum if it never had one), which `allocate` leaves unchanged, until it is
    /// back, because it may still be drawing that much.
    pub reachable: bool,
    pub vehicle: Vehicle,
    /// The current the wallbox draws now, per phase, when it reports it.
    pub measured_a: Option<PhaseAmps>,
    /// Energy charged in the current session. Within a priority class, the wallbox that has
    /// charged the most is paused first when not everyone can get the minimum.
    pub session_energy_wh: f64,
    /// The charging cable's current rating, when known.
    pub cable_limit_a: Option<f64>,
    pub external: ExternalLimit,
    /// None on the first tick for this wallbox: no minimum on or off time applies.
    pub previous: Option<PreviousAllocation>,
}

impl WallboxInput {
    /// A reachable wallbox with no car, no readings and no history.
    pub fn new(id: impl Into<String>, settings: WallboxSettings) -> Self {
        Self {
            id: id.into(),
            group: None,
            settings,
            reachable: true,
            vehicle: Vehicle::Absent,
            measured_a: None,
            session_energy_wh: 0.0,
            cable_limit_a: None,
            external: ExternalLimit::default(),
            previous: None,
        }
    }
}
