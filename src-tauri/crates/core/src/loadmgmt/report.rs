//! From the decisions to what `allocate` returns: per wallbox its limit, reason and switch time,
//! and the totals of the site and of each group.

use super::admission::Admission;
use super::budget::SiteBudget;
use super::deciamps::{to_amps, DeciAmps};
use super::fill::{Filler, Outcome};
use super::input::{AllocationInput, GroupInput, PreviousAllocation, WallboxInput};
use super::output::{Allocation, BudgetMode, GroupSummary, SiteSummary, WallboxAllocation};
use super::phases::{Phase, PhaseAmps};
use super::prepare::{Fate, Prepared};
use super::reason::{Bottleneck, Reason};
use super::tree::{Tree, SITE};

/// What was decided, per wallbox and per constraint.
pub(super) struct Decisions<'d> {
    pub prepared: &'d [Prepared],
    pub admission: &'d [Admission],
    pub filler: &'d Filler,
    /// Per constraint, before and after everything was counted.
    pub capacity: &'d [DeciAmps],
    pub remaining: &'d [DeciAmps],
}

pub(super) fn report<'a>(
    input: &'a AllocationInput,
    tree: &Tree,
    budget: &SiteBudget,
    decisions: &Decisions<'_>,
) -> Allocation<'a> {
    let labels = Labels {
        tree,
        groups: &input.groups,
    };
    let site_allocated = decisions.allocated(SITE);
    Allocation {
        wallboxes: wallbox_allocations(input, budget, decisions, &labels),
        site: SiteSummary {
            mode: budget.mode,
            fuse_limit_a: input.site.fuse_limit_a,
            current_reserve_a: input.site.current_reserve_a,
            household_a: budget.household,
            available_a: budget.available,
            allocated_a: site_allocated,
            headroom_a: difference(budget.available, site_allocated),
        },
        groups: group_summaries(tree, decisions, &labels),
    }
}

impl Decisions<'_> {
    /// What is counted on each phase of `node`'s fuse.
    fn allocated(&self, node: usize) -> PhaseAmps {
        let used = |c: usize| to_amps(self.capacity[c] - self.remaining[c]);
        let c = node * 3;
        PhaseAmps::new(used(c), used(c + 1), used(c + 2))
    }
}

fn wallbox_allocations<'a>(
    input: &'a AllocationInput,
    budget: &SiteBudget,
    decisions: &Decisions<'_>,
    labels: &Labels<'_, 'a>,
) -> Vec<WallboxAllocation<'a>> {
    let safe_mode = budget.mode == BudgetMode::SafeMeterFailed;
    let mut paused = PausedAt::default();
    let mut wallboxes = Vec::with_capacity(input.wallboxes.len());
    for (i, wallbox) in input.wallboxes.iter().enumerate() {
        let (limit, reason) = decision(i, wallbox, decisions, labels, &mut paused, safe_mode);
        wallboxes.push(WallboxAllocation {
            id: &wallbox.id,
            limit_a: to_amps(limit),
            phases: decisions.prepared[i].phases,
            reason,
            switched_at_ms: switched_at(wallbox, limit > 0, &reason, input.now_ms),
        });
    }
    wallboxes
}

/// Per input group, in input order.
fn group_summaries<'a>(
    tree: &Tree,
    decisions: &Decisions<'_>,
    labels: &Labels<'_, 'a>,
) -> Vec<GroupSummary<'a>> {
    let mut groups = Vec::with_capacity(tree.input_nodes().len());
    for &node in tree.input_nodes() {
        let limit_a = tree.group_limit(node);
        let allocated_a = decisions.allocated(node);
        let (id, name) = labels.of(node);
        groups.push(GroupSummary {
            id,
            name,
            limit_a,
            allocated_a,
            headroom_a: difference(limit_a, allocated_a),
        });
    }
    groups
}

/// When the wallbox last went from paused to charging or back.
fn switched_at(wallbox: &WallboxInput, charging: bool, reason: &Reason<'_>, now_ms: u64) -> u64 {
    if matches!(reason, Reason::FrozenDeviceUnreachable) {
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
            Some(previous) if (previous.limit_a > 0.0) == charging => previous.switched_at_ms,
            _ => now_ms,
        }
    }
}

/// The ids and names of nodes as the input spells them, for reasons and summaries.
struct Labels<'t, 'a> {
    tree: &'t Tree,
    groups: &'a [GroupInput],
}

impl<'a> Labels<'_, 'a> {
    /// Not for the site.
    fn of(&self, node: usize) -> (&'a str, &'a str) {
        let group = &self.groups[self.tree.label(node)];
        (&group.id, &group.name)
    }
}

/// The reason of the last wallbox paused for want of room: wallboxes next to each other in the
/// input are often paused at the same fuse, and finding its id and name takes a while.
#[derive(Default)]
struct PausedAt<'a> {
    last: Option<(u32, Reason<'a>)>,
}

impl<'a> PausedAt<'a> {
    fn reason(&mut self, labels: &Labels<'_, 'a>, constraint: u32) -> Reason<'a> {
        match self.last {
            Some((last, reason)) if last == constraint => reason,
            _ => {
                let reason = paused_at(labels, constraint as usize);
                self.last = Some((constraint, reason));
                reason
            }
        }
    }
}

/// The limit and reason of wallbox `i`.
fn decision<'a>(
    i: usize,
    wallbox: &'a WallboxInput,
    decisions: &Decisions<'_>,
    labels: &Labels<'_, 'a>,
    paused: &mut PausedAt<'a>,
    safe_mode: bool,
) -> (DeciAmps, Reason<'a>) {
    let prepared = &decisions.prepared[i];
    match prepared.fate {
        Fate::Fixed { limit, why } => (limit, why.reason(wallbox)),
        Fate::Candidate => match decisions.admission[i] {
            Admission::Admitted => {
                let reason = match decisions.filler.outcome(i) {
                    Outcome::AtConstraint(c) => constraint_reason(labels, c),
                    Outcome::AtCap | Outcome::Rising | Outcome::Waiting => prepared.cap_by.reason(),
                };
                (decisions.filler.level(i), reason)
            }
            Admission::HeldOff => (0, Reason::HeldByMinOffTime),
            Admission::Refused { .. } if safe_mode => {
                (0, Reason::SafeBudgetMeterFailed { paused: true })
            }
            Admission::Refused { constraint } => (0, paused.reason(labels, constraint)),
            // Every candidate went through admission; the grid connection is the honest answer
            // should that ever change.
            Admission::NotCandidate => (0, paused_at(labels, SITE * 3)),
        },
    }
}

fn paused_at<'a>(labels: &Labels<'_, 'a>, c: usize) -> Reason<'a> {
    Reason::PausedBudgetBelowMinimum {
        bottleneck: bottleneck(labels, c),
    }
}

fn bottleneck<'a>(labels: &Labels<'_, 'a>, c: usize) -> Bottleneck<'a> {
    let (node, phase) = (c / 3, Phase::from_index(c % 3));
    if node == SITE {
        Bottleneck::Site { phase }
    } else {
        let (group_id, group_name) = labels.of(node);
        Bottleneck::Group {
            group_id,
            group_name,
            phase,
        }
    }
}

fn constraint_reason<'a>(labels: &Labels<'_, 'a>, c: usize) -> Reason<'a> {
    match bottleneck(labels, c) {
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
