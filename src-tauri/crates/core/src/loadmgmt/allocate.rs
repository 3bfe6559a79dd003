//! `allocate`: from limits, readings and the last decision to a limit per wallbox.
//!
//! 1. The fuse tree and the site budget (fuse − reserve − household load, or the safe budget
//!    while the grid meter fails).
//! 2. Per wallbox: out of the game (disabled, no car, backend says no, …), frozen (unreachable:
//!    counted at its last limit), or a candidate with a minimum and a cap (own maximum, cable,
//!    external limit, and what the car showed it draws).
//! 3. Admission by priority, then least energy charged this session, then id: each candidate gets
//!    its minimum if it fits under every fuse above it, or is paused. Minimum on/off times and the
//!    start hysteresis apply here; the fuses always win.
//! 4. Per priority class, highest first: progressive filling above the minimums (see `fill`).
//!
//! Everything is computed in whole tenths of an ampere, so the sums on every fuse are exact and
//! limits are never rounded up.

use super::admission::{admit, Admission};
use super::budget::site_budget;
use super::deciamps::{floor_da, to_amps, DeciAmps};
use super::fill::{Context, Filler, Outcome};
use super::input::{AllocationInput, PreviousAllocation, WallboxInput};
use super::output::{Allocation, BudgetMode, GroupSummary, SiteSummary, WallboxAllocation};
use super::phases::{Phase, PhaseAmps};
use super::prepare::{prepare, Fate, Params, Prepared};
use super::reason::{Bottleneck, Reason};
use super::tree::{Routes, Tree, SITE};
use super::tuning::Tuning;

/// Decides a current limit for every wallbox. Pure: no clock, no I/O, no randomness; the output
/// depends only on the input values, not on the order of wallboxes or groups (given unique ids).
///
/// Guarantees, per phase: the limits counted on the grid connection stay within fuse − reserve −
/// household load, and those under a group within the group's fuse, except where unreachable
/// wallboxes alone exceed them (every changeable wallbox there is then paused). Every limit is 0 or
/// between the wallbox's minimum and each of its own, cable and external limits.
pub fn allocate<'a>(input: &'a AllocationInput, tuning: &Tuning) -> Allocation<'a> {
    let tree = Tree::build(&input.groups);
    let budget = site_budget(&input.site, tuning.meter_failure);
    let safe_mode = budget.mode == BudgetMode::SafeMeterFailed;
    let params = Params::new(input.now_ms, tuning, safe_mode);

    let capacity = initial_capacity(&tree, budget.available);
    let mut remaining = capacity.clone();
    let mut prepared: Vec<Prepared> = input
        .wallboxes
        .iter()
        .map(|wallbox| prepare(wallbox, &tree, &params))
        .collect();
    let routes = Routes::new(&tree, prepared.iter().map(|p| (p.leaf, p.phases)));
    count_unchangeable(&prepared, &routes, &mut remaining);

    let order = admission_order(input, &prepared);
    let admission = admit(&order, &mut prepared, &routes, &mut remaining);
    let admitted: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| admission[i] == Admission::Admitted)
        .collect();
    let context = Context {
        prepared: &prepared,
        tree: &tree,
        routes: &routes,
    };
    let mut filler = Filler::new(remaining.len(), prepared.len());
    for class in admitted.chunk_by(|&a, &b| prepared[a].priority == prepared[b].priority) {
        filler.fill_class(class, &context, &mut remaining);
    }

    let wallboxes = input
        .wallboxes
        .iter()
        .enumerate()
        .map(|(i, wallbox)| {
            let (limit, reason) = decision(i, wallbox, &context, admission[i], &filler, safe_mode);
            let charging = limit > 0;
            let switched_at_ms = if matches!(reason, Reason::FrozenDeviceUnreachable) {
                // Nothing was switched: it keeps what it had, and its timer with it.
                wallbox
                    .previous
                    .map_or(PreviousAllocation::NEVER_SWITCHED_MS, |p| p.switched_at_ms)
            } else if !charging && !reason.is_load_management_pause() {
                // The minimum off time protects a car from being switched by load management; a
                // wallbox off for any other reason (no car, the user, the backend) was not, so its
                // car may start as soon as it is allowed to.
                PreviousAllocation::NEVER_SWITCHED_MS
            } else {
                match wallbox.previous {
                    Some(previous) if (previous.limit_a > 0.0) == charging => {
                        previous.switched_at_ms
                    }
                    _ => input.now_ms,
                }
            };
            WallboxAllocation {
                id: &wallbox.id,
                limit_a: to_amps(limit),
                phases: prepared[i].phases,
                reason,
                switched_at_ms,
            }
        })
        .collect();

    let allocated = |node: usize| {
        let c = node * 3;
        PhaseAmps::new(
            to_amps(capacity[c] - remaining[c]),
            to_amps(capacity[c + 1] - remaining[c + 1]),
            to_amps(capacity[c + 2] - remaining[c + 2]),
        )
    };
    let site_allocated = allocated(SITE);
    let site = SiteSummary {
        mode: budget.mode,
        fuse_limit_a: input.site.fuse_limit_a,
        current_reserve_a: input.site.current_reserve_a,
        household_a: budget.household,
        available_a: budget.available,
        allocated_a: site_allocated,
        headroom_a: difference(budget.available, site_allocated),
    };
    let groups = tree
        .input_nodes()
        .iter()
        .map(|&node| {
            let limit_a = tree.group_limit(node);
            let allocated_a = allocated(node);
            GroupSummary {
                id: tree.id(node),
                name: tree.name(node),
                limit_a,
                allocated_a,
                headroom_a: difference(limit_a, allocated_a),
            }
        })
        .collect();

    Allocation {
        wallboxes,
        site,
        groups,
    }
}

/// Unreachable wallboxes may still draw what they were allowed: that is not available to others.
fn count_unchangeable(prepared: &[Prepared], routes: &Routes, remaining: &mut [DeciAmps]) {
    for (i, wallbox) in prepared.iter().enumerate() {
        if let Fate::Fixed { limit, .. } = wallbox.fate {
            if limit > 0 {
                for c in routes.of(i) {
                    remaining[c] -= limit;
                }
            }
        }
    }
}

/// The candidates by priority, then energy charged this session (least first), then id.
fn admission_order(input: &AllocationInput, prepared: &[Prepared]) -> Vec<usize> {
    const INDEX_BITS: u32 = 24;
    let candidates = prepared
        .iter()
        .enumerate()
        .filter(|(_, wallbox)| matches!(wallbox.fate, Fate::Candidate));
    if prepared.len() >= 1 << INDEX_BITS {
        let mut order: Vec<usize> = candidates.map(|(i, _)| i).collect();
        order.sort_unstable_by(|&a, &b| {
            let key = |i: usize| {
                (
                    prepared[i].priority,
                    prepared[i].energy_wh,
                    &input.wallboxes[i].id,
                )
            };
            key(a).cmp(&key(b))
        });
        return order;
    }
    // One integer per candidate (priority, whole watt-hours, index), so that sorting compares
    // integers; ids are compared only between equal priority and energy.
    let index_mask = (1u64 << INDEX_BITS) - 1;
    let mut keys: Vec<u64> = candidates
        .map(|(i, wallbox)| {
            (u64::from(wallbox.priority) << 56)
                | (u64::from(wallbox.energy_wh) << INDEX_BITS)
                | i as u64
        })
        .collect();
    keys.sort_unstable();
    let index_of = |key: u64| (key & index_mask) as usize;
    for tie in keys.chunk_by_mut(|a, b| a >> INDEX_BITS == b >> INDEX_BITS) {
        if tie.len() > 1 {
            tie.sort_unstable_by_key(|&key| input.wallboxes[index_of(key)].id.as_str());
        }
    }
    keys.iter().map(|&key| index_of(key)).collect()
}

/// The limit and reason of wallbox `i`.
fn decision<'a>(
    i: usize,
    wallbox: &'a WallboxInput,
    context: &Context<'_, 'a>,
    admission: Admission,
    filler: &Filler,
    safe_mode: bool,
) -> (DeciAmps, Reason<'a>) {
    let prepared = &context.prepared[i];
    match prepared.fate {
        Fate::Fixed { limit, why } => (limit, why.reason(wallbox)),
        Fate::Candidate => match admission {
            Admission::Admitted => {
                let reason = match filler.outcome(i) {
                    Outcome::AtConstraint(c) => constraint_reason(context.tree, c),
                    Outcome::AtCap | Outcome::Rising | Outcome::Waiting => prepared.cap_by.reason(),
                };
                (filler.level(i), reason)
            }
            Admission::Refused { .. } if safe_mode => {
                (0, Reason::SafeBudgetMeterFailed { paused: true })
            }
            Admission::Refused { constraint } => (0, paused_at(context.tree, constraint as usize)),
            // Every candidate went through admission; the grid connection is the honest answer
            // should that ever change.
            Admission::NotCandidate => (0, paused_at(context.tree, SITE * 3)),
        },
    }
}

/// Per constraint (`node * 3 + phase`): the site's budget, then each group's fuse.
fn initial_capacity(tree: &Tree<'_>, site_available: PhaseAmps) -> Vec<DeciAmps> {
    let mut capacity = Vec::with_capacity(tree.node_count() * 3);
    for node in 0..tree.node_count() {
        let limit = if node == SITE {
            site_available
        } else {
            tree.group_limit(node)
        };
        capacity.extend(limit.to_array().map(floor_da));
    }
    capacity
}

fn paused_at<'a>(tree: &Tree<'a>, c: usize) -> Reason<'a> {
    Reason::PausedBudgetBelowMinimum {
        bottleneck: bottleneck(tree, c),
    }
}

fn bottleneck<'a>(tree: &Tree<'a>, c: usize) -> Bottleneck<'a> {
    let (node, phase) = (c / 3, Phase::from_index(c % 3));
    if node == SITE {
        Bottleneck::Site { phase }
    } else {
        Bottleneck::Group {
            group_id: tree.id(node),
            group_name: tree.name(node),
            phase,
        }
    }
}

fn constraint_reason<'a>(tree: &Tree<'a>, c: usize) -> Reason<'a> {
    match bottleneck(tree, c) {
        Bottleneck::Site { phase } => Reason::LimitedBySite { phase },
        Bottleneck::Group {
            group_id,
            group_name,
            phase,
        } => Reason::LimitedByGroup {
            group_id,
            group_name,
            phase,
        },
    }
}

fn difference(a: PhaseAmps, b: PhaseAmps) -> PhaseAmps {
    PhaseAmps::new(a.l1 - b.l1, a.l2 - b.l2, a.l3 - b.l3)
}
