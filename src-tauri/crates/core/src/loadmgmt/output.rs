//! What `allocate` returns: a limit and a reason per wallbox, and totals for the UI.

use serde::Serialize;

use super::input::PreviousAllocation;
use super::phases::{PhaseAmps, PhaseSet};
use super::reason::Reason;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation<'a> {
    /// One entry per input wallbox, in input order.
    pub wallboxes: Vec<WallboxAllocation<'a>>,
    pub site: SiteSummary,
    /// One entry per input group, in input order.
    pub groups: Vec<GroupSummary<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WallboxAllocation<'a> {
    pub id: &'a str,
    /// In amperes, a whole multiple of 0.1 A; 0 means paused. Otherwise at least the wallbox's
    /// minimum and at most each of its own, cable and external limits. For an unreachable
    /// wallbox it is the current it is counted at, not a new command.
    pub limit_a: f64,
    /// The phases its current is (or, while paused, would be) counted on.
    pub phases: PhaseSet,
    pub reason: Reason<'a>,
    /// When it last went from paused to charging or back: `now_ms` if it did so now.
    pub switched_at_ms: u64,
}

impl WallboxAllocation<'_> {
    pub fn is_charging(&self) -> bool {
        self.limit_a > 0.0
    }

    /// What to give `allocate` as this wallbox's previous allocation next tick.
    pub fn to_previous(&self) -> PreviousAllocation {
        PreviousAllocation {
            limit_a: self.limit_a,
            switched_at_ms: self.switched_at_ms,
        }
    }
}

/// How the site budget was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetMode {
    /// No grid meter: fuse limit minus reserve.
    Static,
    /// Fuse limit minus reserve minus the measured household load.
    Metered,
    /// The grid meter failed: wallboxes at their minimum or paused (see `MeterFailurePolicy`).
    SafeMeterFailed,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SiteSummary {
    pub mode: BudgetMode,
    pub fuse_limit_a: PhaseAmps,
    pub current_reserve_a: f64,
    /// The household load taken off: measured (negative counted as 0), assumed, or 0.
    pub household_a: PhaseAmps,
    /// Fuse limit − reserve − household load: what the wallboxes may draw in all.
    pub available_a: PhaseAmps,
    /// The sum of the limits counted on each phase, unreachable wallboxes included.
    pub allocated_a: PhaseAmps,
    /// `available_a − allocated_a`; negative only when unreachable wallboxes or the household
    /// alone exceed the budget (every changeable wallbox on that phase is then paused).
    pub headroom_a: PhaseAmps,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupSummary<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub limit_a: PhaseAmps,
    pub allocated_a: PhaseAmps,
    pub headroom_a: PhaseAmps,
}
