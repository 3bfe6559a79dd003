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

use std::fmt;

use super::admission::{admit, Admission, AdmissionScratch};
use super::budget::site_budget;
use super::deciamps::{floor_da, DeciAmps};
use super::fill::{Context, Filler};
use super::input::{AllocationInput, GroupInput, WallboxInput};
use super::order::{
    admission_order, sort_key, Candidate, OrderScratch, KEYED_WALLBOXES, NOT_KEYED,
};
use super::output::{Allocation, BudgetMode};
use super::phases::PhaseAmps;
use super::prepare::{prepare, Fate, OwnLimits, Params, Prepared};
use super::report::{report, Decisions};
use super::tree::{Tree, SITE};
use super::tuning::Tuning;

/// Decides a current limit for every wallbox. Pure: no clock, no I/O, no randomness; the output
/// depends only on the input values, not on the order of wallboxes or groups (given unique ids).
///
/// Guarantees, per phase: the limits counted on the grid connection stay within fuse − reserve −
/// household load, and those under a group within the group's fuse, except where unreachable
/// wallboxes alone exceed them (every changeable wallbox there is then paused). Every limit is 0 or
/// between the wallbox's minimum and each of its own, cable and external limits.
///
/// A caller that allocates every tick can keep an [`Allocator`] instead: same result, less work.
pub fn allocate<'a>(input: &'a AllocationInput, tuning: &Tuning) -> Allocation<'a> {
    Allocator::new().allocate(input, tuning)
}

/// [`allocate`] with memory: it keeps the fuse tree (rebuilt whenever the groups' ids or parents
/// differ from last time) and its working memory from call to call. The result is always exactly
/// that of [`allocate`] for the same input.
#[derive(Default)]
pub struct Allocator {
    tree: Option<Tree>,
    work: Work,
}

impl fmt::Debug for Allocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Allocator")
            .field("cached_nodes", &self.tree.as_ref().map(Tree::node_count))
            .finish_non_exhaustive()
    }
}

impl Allocator {
    pub fn new() -> Self {
        Self::default()
    }

    /// What [`allocate`] returns for this input.
    pub fn allocate<'a>(&mut self, input: &'a AllocationInput, tuning: &Tuning) -> Allocation<'a> {
        let tree = tree_for(&mut self.tree, &input.groups);
        let budget = site_budget(&input.site, tuning.meter_failure);
        let safe_mode = budget.mode == BudgetMode::SafeMeterFailed;
        let work = &mut self.work;
        work.count_capacity(tree, budget.available);
        work.prepare(input, tree, &Params::new(input.now_ms, tuning, safe_mode));
        let tree = &*tree;
        work.admit(input, tree);
        work.fill(tree);
        let decisions = Decisions {
            prepared: &work.prepared,
            admission: &work.admission,
            filler: &work.filler,
            capacity: &work.capacity,
            remaining: &work.remaining,
        };
        report(input, tree, &budget, &decisions)
    }
}

/// The cached tree if it was built from groups with the same ids and parents, otherwise a new one;
/// either way with these groups' limits and names.
fn tree_for<'t>(cached: &'t mut Option<Tree>, groups: &[GroupInput]) -> &'t mut Tree {
    let tree = match cached.take() {
        Some(mut tree) if tree.fits(groups) => {
            tree.refresh(groups);
            tree
        }
        _ => Tree::build(groups),
    };
    cached.insert(tree)
}

/// The working memory of one call, kept for the next: each step fills what the next reads.
#[derive(Default)]
struct Work {
    /// Per constraint (`node * 3 + phase`): the site's budget, then each group's fuse.
    capacity: Vec<DeciAmps>,
    /// Per node, its fuse limit as given and as rounded last time (at first 0 A, rounded).
    rounded_fuses: Vec<([u64; 3], [DeciAmps; 3])>,
    /// Per constraint, what is left of it.
    remaining: Vec<DeciAmps>,
    /// Per wallbox index, the node its group had last time: checked by comparing ids, which is
    /// cheaper than looking the id up.
    group_node: Vec<usize>,
    /// Per wallbox index, its minimum and maximum as rounded last time.
    own_limits: Vec<OwnLimits>,
    prepared: Vec<Prepared>,
    /// The candidates' sort keys (see `order`), and the last order.
    ordering: OrderScratch,
    /// The candidates in admission order.
    order: Vec<Candidate>,
    /// Per wallbox.
    admission: Vec<Admission>,
    admission_scratch: AdmissionScratch,
    /// The admitted wallboxes in admission order.
    admitted: Vec<usize>,
    filler: Filler,
}

impl Work {
    fn count_capacity(&mut self, tree: &Tree, site_available: PhaseAmps) {
        self.capacity.clear();
        self.capacity
            .extend(site_available.to_array().map(floor_da));
        // Fuse limits rarely change, and rounding takes a while.
        self.rounded_fuses
            .resize(tree.node_count(), ([0; 3], [0; 3]));
        for (node, (bits, rounded)) in self.rounded_fuses.iter_mut().enumerate().skip(1) {
            let limit = tree.group_limit(node).to_array();
            let limit_bits = limit.map(f64::to_bits);
            if *bits != limit_bits {
                *bits = limit_bits;
                *rounded = limit.map(floor_da);
            }
            self.capacity.extend_from_slice(rounded);
        }
        self.remaining.clear();
        self.remaining.extend_from_slice(&self.capacity);
    }

    /// Prepares every wallbox; counts the unreachable ones, and keys the candidates for sorting.
    fn prepare(&mut self, input: &AllocationInput, tree: &mut Tree, params: &Params) {
        self.group_node.resize(input.wallboxes.len(), SITE);
        self.prepared.clear();
        let key_of = &mut self.ordering.key_of;
        key_of.clear();
        let keyed = input.wallboxes.len() <= KEYED_WALLBOXES;
        self.own_limits
            .resize(input.wallboxes.len(), OwnLimits::default());
        let wallboxes = input
            .wallboxes
            .iter()
            .zip(&mut self.group_node)
            .zip(&mut self.own_limits);
        for (i, ((wallbox, known), own)) in wallboxes.enumerate() {
            let group_node = group_node(wallbox, known, tree);
            own.update(&wallbox.settings);
            let route_of = |leaf, phases| tree.route(leaf, phases);
            self.prepared
                .push(prepare(wallbox, group_node, *own, params, route_of));
            let Some(prepared) = self.prepared.last() else {
                continue;
            };
            match prepared.fate {
                Fate::Candidate if keyed => key_of.push(sort_key(i, prepared)),
                Fate::Candidate => {}
                // Unreachable wallboxes may still draw what they were allowed: that is not
                // available to others.
                Fate::Fixed { limit, .. } => {
                    if keyed {
                        key_of.push(NOT_KEYED);
                    }
                    if limit > 0 {
                        for &c in tree.routes().of(prepared.route) {
                            self.remaining[c as usize] -= limit;
                        }
                    }
                }
            }
        }
    }

    fn admit(&mut self, input: &AllocationInput, tree: &Tree) {
        admission_order(input, &self.prepared, &mut self.ordering, &mut self.order);
        admit(
            &self.order,
            &mut self.prepared,
            tree.routes(),
            &mut self.remaining,
            &mut self.admission_scratch,
            &mut self.admission,
        );
        let admission = &self.admission;
        self.admitted.clear();
        self.admitted.extend(
            self.order
                .iter()
                .map(|candidate| candidate.index)
                .filter(|&i| admission[i] == Admission::Admitted),
        );
    }

    /// Shares what is left above the minimums, one priority class after the other.
    fn fill(&mut self, tree: &Tree) {
        let (prepared, remaining, filler) = (&self.prepared, &mut self.remaining, &mut self.filler);
        filler.reset(remaining.len(), prepared.len());
        let context = Context {
            prepared,
            tree,
            routes: tree.routes(),
        };
        for class in self
            .admitted
            .chunk_by(|&a, &b| prepared[a].priority == prepared[b].priority)
        {
            filler.fill_class(class, &context, remaining);
        }
    }
}

/// The node of the wallbox's group: the site without one, none when the group does not exist.
/// `known` is the node it had last time, and is updated.
fn group_node(wallbox: &WallboxInput, known: &mut usize, tree: &Tree) -> Option<usize> {
    match &wallbox.group {
        None => Some(SITE),
        // SITE is never remembered: a group may have the site's empty id.
        Some(group) if *known != SITE && tree.is_node_of(*known, group) => Some(*known),
        Some(group) => tree.node_of(group).inspect(|&node| *known = node),
    }
}
