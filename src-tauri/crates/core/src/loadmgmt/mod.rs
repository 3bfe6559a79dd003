//! Load management: how much current each wallbox may draw so that no fuse is overloaded.
//!
//! [`allocate`] is the pure heart: it takes the site's limits, the groups (sub-distributions with
//! their own fuses), every wallbox's settings, readings and previous allocation, and a monotonic
//! `now`, and returns a limit per wallbox with a machine-readable [`Reason`] and a human text. It
//! reads no clock and does no I/O; the controller around it reads devices, calls it every tick and
//! applies the limits.
//! A caller that allocates every tick can keep an [`Allocator`] instead: the same results, with
//! the fuse tree (rebuilt when the groups' ids or parents change) and the working memory kept
//! from one call to the next.
//!
//! The rules, in the order they apply:
//! - A wallbox charges only if every party allows it: enabled, reachable, the backend allows it
//!   (`ExternalLimit::allows`) and a car is there that wants current.
//! - Its limit is never above its own maximum, the cable limit or the external limit, and never
//!   below its minimum: below that it is paused (0), never offered 3 A.
//! - The sums on every phase stay within the grid connection's fuse minus the reserve minus the
//!   measured household load, and within every group's fuse above the wallbox. A one-phase
//!   wallbox with an unknown phase is counted on all three unless its draw shows the phase.
//! - Priorities: 1 is served first. Admission gives minimums by priority, then least energy
//!   charged this session (so the wallbox that has charged longest is paused first), then id;
//!   the rest is shared max-min fairly within each class, highest class first.
//! - A car that draws clearly less than it was offered is offered its draw plus headroom; the
//!   rest goes to others.
//! - Calm: minimum on and off times and a start hysteresis ([`Tuning`]); fuse safety overrides
//!   the minimum on time.
//! - Faults: an unreachable wallbox is counted at its last limit; a failed grid meter switches to
//!   a safe budget ([`MeterFailurePolicy`]).

mod admission;
mod allocate;
mod budget;
mod controller;
mod deciamps;
mod fill;
mod from_config;
mod input;
mod observe;
mod order;
mod output;
mod phases;
mod prepare;
mod reason;
mod report;
mod tournament;
mod tree;
mod tuning;

#[cfg(test)]
mod tests;

pub use allocate::{allocate, Allocator};
pub use controller::{GroupLoad, LoadController, LoadStatus, WallboxLoad};
pub use input::{
    AllocationInput, ExternalLimit, GroupInput, HouseholdLoad, PreviousAllocation, SiteInput,
    Vehicle, WallboxInput, WallboxPhases, WallboxSettings,
};
pub use observe::{household_load, observe_ocpp, observe_polled, Observation};
pub use output::{Allocation, BudgetMode, GroupSummary, SiteSummary, WallboxAllocation};
pub use phases::{Phase, PhaseAmps, PhaseSet};
pub use reason::{Bottleneck, Limiter, Reason};
pub use tuning::{MeterFailurePolicy, Tuning};
