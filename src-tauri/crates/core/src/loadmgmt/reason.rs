//! Why a wallbox got the limit it got: machine-readable for the UI to branch on (`code` when
//! serialised), with a human text (`Display`).

use std::fmt;

use serde::Serialize;

use super::phases::Phase;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason<'a> {
    /// Switched off in the configuration.
    Disabled,
    /// The external backend does not allow charging.
    PausedByBackend,
    NoCar,
    /// The car is plugged in but has finished.
    NoDemand,
    /// The wallbox's group does not exist, so the fuse it hangs on is unknown.
    UnknownGroup {
        group_id: &'a str,
    },
    /// The wallbox stopped answering: it is counted at its last limit, which stays unchanged.
    FrozenDeviceUnreachable,
    /// Could start, but was paused less than the minimum off time ago.
    HeldByMinOffTime,
    /// Would be paused for budget, but started less than the minimum on time ago: it stays at its
    /// minimum current (only while the fuse limits allow that).
    HeldByMinOnTime,
    /// Its own maximum, the cable or the external limit is below its minimum current.
    PausedLimitBelowMinimum {
        limiter: Limiter,
    },
    /// Not enough current left for its minimum at this bottleneck.
    PausedBudgetBelowMinimum {
        bottleneck: Bottleneck<'a>,
    },
    /// The grid meter failed: at its minimum current (`paused: false`) or paused.
    SafeBudgetMeterFailed {
        paused: bool,
    },
    LimitedBySite {
        phase: Phase,
    },
    LimitedByGroup {
        group_id: &'a str,
        group_name: &'a str,
        phase: Phase,
    },
    LimitedByWallboxMax,
    LimitedByCable,
    /// The external backend's charging profile.
    LimitedByExternal,
    /// The car drew less than offered; it gets its draw plus headroom, the rest went to others.
    LimitedByCarDemand,
}

impl Reason<'_> {
    /// Paused by load management's own decision (budget, meter failure, minimum times), as
    /// opposed to paused because there is no car, or the user, the cable or the backend said so.
    pub fn is_load_management_pause(&self) -> bool {
        matches!(
            self,
            Reason::PausedBudgetBelowMinimum { .. }
                | Reason::SafeBudgetMeterFailed { .. }
                | Reason::HeldByMinOffTime
        )
    }

    /// Paused because the current left was not enough for the minimum (or the meter failed).
    pub fn is_paused_for_budget(&self) -> bool {
        matches!(
            self,
            Reason::PausedBudgetBelowMinimum { .. }
                | Reason::SafeBudgetMeterFailed { paused: true }
        )
    }
}

/// The individual limit below a wallbox's minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limiter {
    WallboxMax,
    Cable,
    External,
}

/// A fuse on one phase: of the grid connection or of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bottleneck<'a> {
    Site {
        phase: Phase,
    },
    Group {
        group_id: &'a str,
        group_name: &'a str,
        phase: Phase,
    },
}

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Disabled => f.write_str("disabled"),
            Reason::PausedByBackend => f.write_str("paused by backend"),
            Reason::NoCar => f.write_str("no car connected"),
            Reason::NoDemand => f.write_str("car has finished charging"),
            Reason::UnknownGroup { group_id } => {
                write!(f, "paused: group \"{group_id}\" does not exist")
            }
            Reason::FrozenDeviceUnreachable => {
                f.write_str("unreachable: counted at its last current")
            }
            Reason::HeldByMinOffTime => f.write_str("paused: minimum off time"),
            Reason::HeldByMinOnTime => f.write_str("at minimum current: minimum on time"),
            Reason::PausedLimitBelowMinimum { limiter } => {
                write!(f, "paused: {limiter} below minimum current")
            }
            Reason::PausedBudgetBelowMinimum { bottleneck } => {
                write!(f, "paused: budget below minimum ({bottleneck})")
            }
            Reason::SafeBudgetMeterFailed { paused: true } => {
                f.write_str("paused: grid meter failed, safe budget")
            }
            Reason::SafeBudgetMeterFailed { paused: false } => {
                f.write_str("at minimum current: grid meter failed, safe budget")
            }
            Reason::LimitedBySite { phase } => write!(f, "limited by grid connection {phase}"),
            Reason::LimitedByGroup {
                group_name, phase, ..
            } => write!(f, "limited by group {group_name} {phase}"),
            Reason::LimitedByWallboxMax => f.write_str("limited by wallbox maximum"),
            Reason::LimitedByCable => f.write_str("limited by cable"),
            Reason::LimitedByExternal => f.write_str("limited by backend charging profile"),
            Reason::LimitedByCarDemand => f.write_str("limited by what the car draws"),
        }
    }
}

impl fmt::Display for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limiter::WallboxMax => "wallbox maximum",
            Limiter::Cable => "cable limit",
            Limiter::External => "backend charging profile",
        })
    }
}

impl fmt::Display for Bottleneck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bottleneck::Site { phase } => write!(f, "grid connection {phase}"),
            Bottleneck::Group {
                group_name, phase, ..
            } => write!(f, "group {group_name} {phase}"),
        }
    }
}
