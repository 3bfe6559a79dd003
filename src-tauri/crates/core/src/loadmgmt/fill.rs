//! Sharing what is left above the minimums: progressive filling ("water-filling") within one
//! priority class.
//!
//! All admitted wallboxes of the class start at their minimum current, which admission has already
//! reserved. A common level then rises; a wallbox follows it once the level reaches its minimum,
//! and stops when the level reaches its cap or when a fuse it counts on has no room left to give
//! every wallbox on it another tenth. The result is max-min fair: nobody could get more without
//! taking from someone who has no more than they do. Whole tenths that a full fuse could not split
//! evenly go, one each, to its wallboxes in admission order, so equals differ by at most 0.1 A.
//!
//! The level jumps from event to event (a minimum reached, a cap reached, a fuse full). A fuse's
//! remaining current is brought up to date only when its number of rising wallboxes changes, and
//! the next fuse to fill up comes from a tournament tree. When wallboxes stop, the levels at which
//! their fuses fill up only grow, so those are recomputed lazily, when one reaches the top.

use super::deciamps::DeciAmps;
use super::prepare::Prepared;
use super::tournament::Tournament;
use super::tree::{Routes, Tree};

/// What filling reads: the wallboxes, their fuse tree and the constraints of each.
pub(super) struct Context<'c, 'a> {
    pub prepared: &'c [Prepared],
    pub tree: &'c Tree<'a>,
    pub routes: &'c Routes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Its minimum is above the level so far.
    Waiting,
    /// Rising with the level.
    Rising,
    AtCap,
    /// Stopped by this full fuse.
    AtConstraint(usize),
}

pub(super) struct Filler {
    /// Per constraint: `remaining` is exact at level `settled_at`; since then it has fallen by
    /// `rising` per tenth of level.
    settled_at: Vec<DeciAmps>,
    rising: Vec<DeciAmps>,
    /// Per constraint, the level at which it can no longer give each of its rising wallboxes
    /// another tenth; `stale` entries may be too low (a wallbox stopped since).
    full_at: Tournament,
    stale: Vec<bool>,
    full: Vec<bool>,
    /// Constraints that gained rising wallboxes: their `full_at` may have dropped.
    dirty: Vec<usize>,
    is_dirty: Vec<bool>,
    newly_full: Vec<usize>,
    /// Packed `key << 32 | wallbox`, sorted by key.
    by_floor: Vec<u64>,
    by_cap: Vec<u64>,
    /// Key: the depth-first number of the wallbox's node, so a subtree is one run.
    by_position: Vec<u64>,
    /// Counting-sort buckets for `by_position`, one per node and one more.
    position_start: Vec<usize>,
    level: Vec<DeciAmps>,
    outcome: Vec<Outcome>,
    /// The current level of the class being filled.
    now: DeciAmps,
}

const LOW_32: u64 = 0xFFFF_FFFF;

/// Keys are non-negative and at most `HUGE` (< 2³²), wallbox indices below 2³².
fn pack(key: DeciAmps, wallbox: usize) -> u64 {
    ((key.max(0) as u64) << 32) | (wallbox as u64 & LOW_32)
}

/// The level at which a constraint can no longer give each of its `rising` wallboxes another
/// tenth. Exact because `rising` has not changed since `settled_at`, when `remaining` was left.
fn full_level(rising: DeciAmps, settled_at: DeciAmps, remaining: DeciAmps) -> DeciAmps {
    if rising > 0 {
        settled_at + remaining.div_euclid(rising)
    } else {
        DeciAmps::MAX
    }
}

fn key_of(packed: u64) -> DeciAmps {
    (packed >> 32) as DeciAmps
}

fn wallbox_of(packed: u64) -> usize {
    (packed & LOW_32) as usize
}

impl Filler {
    pub(super) fn new(constraint_count: usize, wallbox_count: usize) -> Self {
        let node_count = constraint_count / 3;
        Self {
            settled_at: vec![0; constraint_count],
            rising: vec![0; constraint_count],
            full_at: Tournament::new(constraint_count),
            stale: vec![false; constraint_count],
            full: vec![false; constraint_count],
            dirty: Vec::new(),
            is_dirty: vec![false; constraint_count],
            newly_full: Vec::new(),
            by_floor: Vec::new(),
            by_cap: Vec::new(),
            by_position: Vec::new(),
            position_start: vec![0; node_count + 1],
            level: vec![0; wallbox_count],
            outcome: vec![Outcome::Waiting; wallbox_count],
            now: 0,
        }
    }

    pub(super) fn level(&self, wallbox: usize) -> DeciAmps {
        self.level[wallbox]
    }

    pub(super) fn outcome(&self, wallbox: usize) -> Outcome {
        self.outcome[wallbox]
    }

    /// Raises the admitted `members` of one class (in admission order) from their minimum, taking
    /// from `remaining`, which must already exclude every admitted wallbox's minimum.
    pub(super) fn fill_class(
        &mut self,
        members: &[usize],
        ctx: &Context<'_, '_>,
        remaining: &mut [DeciAmps],
    ) {
        self.start_class(members, ctx);
        let (mut next_floor, mut next_cap) = (0, 0);
        loop {
            let next_full = self.next_full(remaining);
            if next_full <= self.now {
                self.stop_at_full_fuses(ctx, remaining);
                continue;
            }
            while next_cap < self.by_cap.len() && self.is_stopped(wallbox_of(self.by_cap[next_cap]))
            {
                next_cap += 1;
            }
            let next = [
                self.by_floor.get(next_floor).map(|&p| key_of(p)),
                self.by_cap.get(next_cap).map(|&p| key_of(p)),
                Some(next_full),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(DeciAmps::MAX);
            if next == DeciAmps::MAX {
                break;
            }
            self.now = next.max(self.now);

            while let Some(&packed) = self.by_floor.get(next_floor) {
                if key_of(packed) > self.now {
                    break;
                }
                self.join(wallbox_of(packed), ctx, remaining);
                next_floor += 1;
            }
            while let Some(&packed) = self.by_cap.get(next_cap) {
                let i = wallbox_of(packed);
                match self.outcome[i] {
                    Outcome::Rising if key_of(packed) <= self.now => {
                        self.stop(i, Outcome::AtCap, ctx, remaining);
                    }
                    Outcome::AtCap | Outcome::AtConstraint(_) => {}
                    Outcome::Rising | Outcome::Waiting => break,
                }
                next_cap += 1;
            }
        }
        self.share_leftover_tenths(members, ctx, remaining);
    }

    fn start_class(&mut self, members: &[usize], ctx: &Context<'_, '_>) {
        self.now = 0;
        self.full.fill(false);
        self.stale.fill(false);
        self.full_at.reset();
        self.by_floor.clear();
        self.by_floor
            .extend(members.iter().map(|&i| pack(ctx.prepared[i].floor, i)));
        // Usually every minimum is the same 6 A; joins at one level need no order.
        if self
            .by_floor
            .windows(2)
            .any(|w| key_of(w[0]) != key_of(w[1]))
        {
            self.by_floor.sort_unstable();
        }
        self.by_cap.clear();
        self.by_cap
            .extend(members.iter().map(|&i| pack(ctx.prepared[i].cap, i)));
        self.by_cap.sort_unstable();

        // Counting sort by depth-first number: there are few nodes and many wallboxes.
        let entry = |i: usize| ctx.tree.entry(ctx.prepared[i].leaf) as usize;
        self.position_start.fill(0);
        for &i in members {
            self.position_start[entry(i) + 1] += 1;
        }
        for k in 1..self.position_start.len() {
            self.position_start[k] += self.position_start[k - 1];
        }
        self.by_position.clear();
        self.by_position.resize(members.len(), 0);
        for &i in members {
            let at = &mut self.position_start[entry(i)];
            self.by_position[*at] = pack(entry(i) as DeciAmps, i);
            *at += 1;
        }
        for &i in members {
            self.outcome[i] = Outcome::Waiting;
            self.level[i] = ctx.prepared[i].floor;
        }
    }

    fn is_stopped(&self, wallbox: usize) -> bool {
        matches!(
            self.outcome[wallbox],
            Outcome::AtCap | Outcome::AtConstraint(_)
        )
    }

    /// The lowest level at which a fuse will be full, with every entry involved up to date.
    fn next_full(&mut self, remaining: &[DeciAmps]) -> DeciAmps {
        // Many joins at once (everyone's minimum is 6 A) touch most constraints: then one
        // rebuild of the tournament beats a walk up from each.
        if self.dirty.len() * 8 >= self.full_at.leaf_count() {
            let mut dirty = std::mem::take(&mut self.dirty);
            for &c in &dirty {
                self.is_dirty[c] = false;
                self.stale[c] = false;
            }
            let (rising, settled_at) = (&self.rising, &self.settled_at);
            let levels = dirty
                .iter()
                .map(|&c| (c, full_level(rising[c], settled_at[c], remaining[c])));
            self.full_at.set_many(levels);
            dirty.clear();
            self.dirty = dirty;
        } else {
            for k in 0..self.dirty.len() {
                let c = self.dirty[k];
                self.is_dirty[c] = false;
                self.refresh(c, remaining);
            }
            self.dirty.clear();
        }
        loop {
            let (level, c) = self.full_at.min();
            if level == DeciAmps::MAX || !self.stale[c] {
                return level;
            }
            self.refresh(c, remaining);
        }
    }

    fn refresh(&mut self, c: usize, remaining: &[DeciAmps]) {
        self.stale[c] = false;
        let level = full_level(self.rising[c], self.settled_at[c], remaining[c]);
        self.full_at.set(c, level);
    }

    fn stop_at_full_fuses(&mut self, ctx: &Context<'_, '_>, remaining: &mut [DeciAmps]) {
        self.newly_full.clear();
        loop {
            let (level, c) = self.full_at.min();
            if level > self.now {
                break;
            }
            if self.stale[c] {
                self.refresh(c, remaining);
                continue;
            }
            self.newly_full.push(c);
            // Nobody rises under it any more this class: stopped below, frozen on joining.
            self.full_at.set(c, DeciAmps::MAX);
        }
        // Ids, not node numbers, decide which full fuse a wallbox is said to be limited by, so
        // the reasons do not depend on the order groups were given in.
        self.newly_full
            .sort_unstable_by_key(|&c| (ctx.tree.id(c / 3), c % 3));
        for k in 0..self.newly_full.len() {
            let c = self.newly_full[k];
            self.full[c] = true;
            self.stop_all_under(c, ctx, remaining);
        }
    }

    fn settle(&mut self, c: usize, remaining: &mut [DeciAmps]) {
        remaining[c] -= self.rising[c] * (self.now - self.settled_at[c]);
        self.settled_at[c] = self.now;
    }

    fn join(&mut self, i: usize, ctx: &Context<'_, '_>, remaining: &mut [DeciAmps]) {
        let wallbox = &ctx.prepared[i];
        self.level[i] = self.now;
        if wallbox.cap <= self.now {
            self.outcome[i] = Outcome::AtCap;
            return;
        }
        // Already above the level at which a fuse it shares filled up: max-min fairness gives
        // it nothing more there.
        if let Some(c) = ctx.routes.of(i).find(|&c| self.full[c]) {
            self.outcome[i] = Outcome::AtConstraint(c);
            return;
        }
        self.outcome[i] = Outcome::Rising;
        for c in ctx.routes.of(i) {
            self.settle(c, remaining);
            self.rising[c] += 1;
            if !self.is_dirty[c] {
                self.is_dirty[c] = true;
                self.dirty.push(c);
            }
        }
    }

    fn stop(
        &mut self,
        i: usize,
        outcome: Outcome,
        ctx: &Context<'_, '_>,
        remaining: &mut [DeciAmps],
    ) {
        self.level[i] = self.now;
        self.outcome[i] = outcome;
        for c in ctx.routes.of(i) {
            self.settle(c, remaining);
            self.rising[c] -= 1;
            self.stale[c] = true;
        }
    }

    /// Stops every rising wallbox counted on constraint `c`: those in the subtree of its node that
    /// use its phase.
    fn stop_all_under(&mut self, c: usize, ctx: &Context<'_, '_>, remaining: &mut [DeciAmps]) {
        let (node, phase) = (c / 3, c % 3);
        let first = DeciAmps::from(ctx.tree.entry(node));
        let end = DeciAmps::from(ctx.tree.exit(node));
        let start = self.by_position.partition_point(|&p| key_of(p) < first);
        let stop = self.by_position.partition_point(|&p| key_of(p) < end);
        for k in start..stop {
            let i = wallbox_of(self.by_position[k]);
            if self.outcome[i] == Outcome::Rising && ctx.prepared[i].phases.contains_index(phase) {
                self.stop(i, Outcome::AtConstraint(c), ctx, remaining);
            }
        }
    }

    /// A full fuse may have a few tenths left that could not go to all of its wallboxes alike;
    /// give them out one each, in admission order, where every fuse above still has a tenth.
    fn share_leftover_tenths(
        &mut self,
        members: &[usize],
        ctx: &Context<'_, '_>,
        remaining: &mut [DeciAmps],
    ) {
        for &i in members {
            let wallbox = &ctx.prepared[i];
            if !matches!(self.outcome[i], Outcome::AtConstraint(_)) || self.level[i] >= wallbox.cap
            {
                continue;
            }
            if ctx.routes.of(i).all(|c| remaining[c] >= 1) {
                for c in ctx.routes.of(i) {
                    remaining[c] -= 1;
                }
                self.level[i] += 1;
            }
        }
    }
}
