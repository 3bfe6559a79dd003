//! How much the wallboxes may draw through the grid connection, per phase.

use super::input::{HouseholdLoad, SiteInput};
use super::output::BudgetMode;
use super::phases::PhaseAmps;
use super::tuning::MeterFailurePolicy;

pub(super) struct SiteBudget {
    pub mode: BudgetMode,
    /// The household load taken off the fuse limit.
    pub household: PhaseAmps,
    /// Fuse limit − reserve − household load.
    pub available: PhaseAmps,
}

pub(super) fn site_budget(site: &SiteInput, on_meter_failure: MeterFailurePolicy) -> SiteBudget {
    // A negative reserve would add current the fuse does not have.
    let reserve = site.current_reserve_a.max(0.0);
    let usable = map(site.fuse_limit_a, |fuse| fuse - reserve);
    let (mode, household) = match site.household {
        HouseholdLoad::NotMetered => (BudgetMode::Static, PhaseAmps::ZERO),
        HouseholdLoad::Measured(load) if load.to_array().iter().all(|a| a.is_finite()) => {
            (BudgetMode::Metered, not_negative(load))
        }
        HouseholdLoad::Measured(_) | HouseholdLoad::MeterFailed => {
            let assumed = match on_meter_failure {
                MeterFailurePolicy::PauseAll => not_negative(usable),
                MeterFailurePolicy::AssumeHouseholdLoad(load) => {
                    // An assumption that is not a number assumes the worst.
                    let worst = |a: f64, u: f64| if a.is_nan() { u } else { a };
                    not_negative(PhaseAmps::new(
                        worst(load.l1, usable.l1),
                        worst(load.l2, usable.l2),
                        worst(load.l3, usable.l3),
                    ))
                }
            };
            (BudgetMode::SafeMeterFailed, assumed)
        }
    };
    let available = PhaseAmps::new(
        usable.l1 - household.l1,
        usable.l2 - household.l2,
        usable.l3 - household.l3,
    );
    SiteBudget {
        mode,
        household,
        available,
    }
}

fn map(amps: PhaseAmps, f: impl Fn(f64) -> f64) -> PhaseAmps {
    PhaseAmps::new(f(amps.l1), f(amps.l2), f(amps.l3))
}

fn not_negative(amps: PhaseAmps) -> PhaseAmps {
    map(amps, |a| a.max(0.0))
}
