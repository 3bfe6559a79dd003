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
//! their fuses fill up only grow, so those are recomputed lazily, when one reaches the top (or all
//! at once, when so many changed that rebuilding the tree is cheaper). Only the fuses that the
//! class's wallboxes count on are touched, so a small class costs little however large the site.

use super::deciamps::DeciAmps;
use super::prepare::Prepared;
use super::tournament::Tournament;
use super::tree::{Routes, Tree, SITE};

/// What filling reads: the wallboxes, their fuse tree and the constraints of each.
pub(super) struct Context<'c> {
    pub prepared: &'c [Prepared],
    pub tree: &'c Tree,
    pub routes: &'c Routes,
}

impl<'c> Context<'c> {
    /// The constraints wallbox `i` counts on, nearest fuse first.
    fn route(&self, i: usize) -> impl Iterator<Item = usize> + 'c {
        self.routes
            .of(self.prepared[i].route)
            .iter()
            .map(|&c| c as usize)
    }

    /// The constraints wallbox `i` counts on that may fill up in this class: without the grid
    /// connection's, which come last, when `without_site`.
    fn tracked_route(&self, i: usize, without_site: bool) -> impl Iterator<Item = usize> + 'c {
        let wallbox = &self.prepared[i];
        let route = self.routes.of(wallbox.route);
        let tracked = if without_site {
            &route[..route.len() - wallbox.phases.len()]
        } else {
            route
        };
        tracked.iter().map(|&c| c as usize)
    }
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

/// The state of one constraint while a class is filled, kept together because every step that
/// touches a constraint reads and writes most of it.
#[derive(Debug, Clone, Copy, Default)]
struct Fuse {
    /// Exact at level `settled_at`; since then it has fallen by `rising` per tenth of level.
    remaining: DeciAmps,
    settled_at: DeciAmps,
    rising: DeciAmps,
    /// Its entry in `full_at` may be too low (a wallbox stopped since).
    stale: bool,
    /// It gained rising wallboxes: its entry in `full_at` may be too high.
    dirty: bool,
    full: bool,
    /// A wallbox of this class counts on it; the others are left at their defaults.
    touched: bool,
}

impl Fuse {
    fn settle(&mut self, now: DeciAmps) {
        // Many wallboxes join or stop at one level: only the first of them has anything to do.
        if self.settled_at != now {
            self.remaining -= self.rising * (now - self.settled_at);
            self.settled_at = now;
        }
    }

    /// The level at which it can no longer give each of its `rising` wallboxes another tenth.
    /// Exact because `rising` has not changed since `settled_at`, when `remaining` was left.
    fn full_level(&self) -> DeciAmps {
        if self.rising > 0 {
            self.settled_at + self.remaining.div_euclid(self.rising)
        } else {
            DeciAmps::MAX
        }
    }
}

pub(super) struct Filler {
    /// Per constraint; `remaining` is brought in when a wallbox of the class first counts on it,
    /// and handed back after the class.
    fuses: Vec<Fuse>,
    /// The constraints touched in this class.
    touched: Vec<usize>,
    /// Per constraint, the level at which it can no longer give each of its rising wallboxes
    /// another tenth; stale entries may be too low.
    full_at: Tournament,
    /// The constraints that became stale since the last rebuild (some may be fresh again).
    stale: Vec<usize>,
    /// The constraints that became dirty since the last refresh.
    dirty: Vec<usize>,
    newly_full: Vec<usize>,
    /// Whether a fuse is full in this class yet.
    any_full: bool,
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
    /// The grid connection has room for every wallbox of the class at its cap, on every phase:
    /// it cannot fill up, so its constraints are not tracked, only charged at the end.
    site_untracked: bool,
}

const LOW_32: u64 = 0xFFFF_FFFF;

/// Keys are non-negative and at most `HUGE` (< 2³²), wallbox indices below 2³².
fn pack(key: DeciAmps, wallbox: usize) -> u64 {
    ((key.max(0) as u64) << 32) | (wallbox as u64 & LOW_32)
}

fn key_of(packed: u64) -> DeciAmps {
    (packed >> 32) as DeciAmps
}

fn wallbox_of(packed: u64) -> usize {
    (packed & LOW_32) as usize
}

impl Default for Filler {
    fn default() -> Self {
        Self::new(0, 0)
    }
}

impl Filler {
    pub(super) fn new(constraint_count: usize, wallbox_count: usize) -> Self {
        let mut filler = Self {
            fuses: Vec::new(),
            touched: Vec::new(),
            full_at: Tournament::new(0),
            stale: Vec::new(),
            dirty: Vec::new(),
            newly_full: Vec::new(),
            any_full: false,
            by_floor: Vec::new(),
            by_cap: Vec::new(),
            by_position: Vec::new(),
            position_start: Vec::new(),
            level: Vec::new(),
            outcome: Vec::new(),
            now: 0,
            site_untracked: false,
        };
        filler.reset(constraint_count, wallbox_count);
        filler
    }

    /// As `new`, reusing the memory.
    pub(super) fn reset(&mut self, constraint_count: usize, wallbox_count: usize) {
        fn refill<T: Clone>(values: &mut Vec<T>, value: T, count: usize) {
            values.clear();
            values.resize(count, value);
        }
        refill(&mut self.fuses, Fuse::default(), constraint_count);
        self.touched.clear();
        self.full_at.resize(constraint_count);
        self.stale.clear();
        self.dirty.clear();
        refill(&mut self.position_start, 0, constraint_count / 3 + 1);
        refill(&mut self.level, 0, wallbox_count);
        refill(&mut self.outcome, Outcome::Waiting, wallbox_count);
        self.now = 0;
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
        ctx: &Context<'_>,
        remaining: &mut [DeciAmps],
    ) {
        self.start_class(members, ctx);
        self.site_untracked = site_has_room_for_all(members, ctx, remaining);
        let (mut next_floor, mut next_cap) = (0, 0);
        loop {
            let next_full = self.next_full();
            if next_full <= self.now {
                self.stop_at_full_fuses(ctx);
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
                        self.stop(i, Outcome::AtCap, ctx);
                    }
                    Outcome::AtCap | Outcome::AtConstraint(_) => {}
                    Outcome::Rising | Outcome::Waiting => break,
                }
                next_cap += 1;
            }
        }
        for &c in &self.touched {
            let fuse = &mut self.fuses[c];
            fuse.settle(self.now);
            remaining[c] = fuse.remaining;
            *fuse = Fuse::default();
        }
        self.touched.clear();
        if self.site_untracked {
            // What the class rose above its minimums, taken from the grid connection as a
            // tracked constraint would have: each wallbox from its minimum to its level.
            let risen = per_phase(members, ctx, |i, wallbox| self.level[i] - wallbox.floor);
            for (left, rise) in remaining[SITE * 3..SITE * 3 + 3].iter_mut().zip(risen) {
                *left -= rise;
            }
        }
        self.share_leftover_tenths(members, ctx, remaining);
    }

    fn start_class(&mut self, members: &[usize], ctx: &Context<'_>) {
        self.now = 0;
        self.any_full = false;
        self.stale.clear();
        self.dirty.clear();
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
        let mut sum = 0;
        for start in &mut self.position_start {
            sum += *start;
            *start = sum;
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
    fn next_full(&mut self) -> DeciAmps {
        // Many joins at once (everyone's minimum is 6 A), or many stops (a full fuse stopped
        // everyone below it), touch most constraints: then one rebuild of the tournament beats a
        // walk up from each. Refreshing a stale entry early changes nothing that shows: the
        // lowest level and which fuses are full at it stay the same.
        if (self.dirty.len() + self.stale.len()) * 8 >= self.full_at.leaf_count() {
            let mut outdated = std::mem::take(&mut self.dirty);
            outdated.append(&mut self.stale);
            for &c in &outdated {
                let fuse = &mut self.fuses[c];
                fuse.dirty = false;
                fuse.stale = false;
            }
            let fuses = &self.fuses;
            let levels = outdated.iter().map(|&c| (c, fuses[c].full_level()));
            self.full_at.set_many(levels);
            outdated.clear();
            self.dirty = outdated;
        } else {
            for k in 0..self.dirty.len() {
                let c = self.dirty[k];
                self.fuses[c].dirty = false;
                self.refresh(c);
            }
            self.dirty.clear();
        }
        loop {
            let (level, c) = self.full_at.min();
            if level == DeciAmps::MAX || !self.fuses[c].stale {
                return level;
            }
            self.refresh(c);
        }
    }

    fn refresh(&mut self, c: usize) {
        let fuse = &mut self.fuses[c];
        fuse.stale = false;
        let level = fuse.full_level();
        self.full_at.set(c, level);
    }

    fn stop_at_full_fuses(&mut self, ctx: &Context<'_>) {
        self.newly_full.clear();
        loop {
            let (level, c) = self.full_at.min();
            if level > self.now {
                break;
            }
            if self.fuses[c].stale {
                self.refresh(c);
                continue;
            }
            self.newly_full.push(c);
            // Nobody rises under it any more this class: stopped below, frozen on joining.
            self.full_at.set(c, DeciAmps::MAX);
        }
        // Ids, not node numbers, decide which full fuse a wallbox is said to be limited by, so
        // the reasons do not depend on the order groups were given in.
        self.newly_full
            .sort_unstable_by_key(|&c| (ctx.tree.id_rank(c / 3), c % 3));
        for k in 0..self.newly_full.len() {
            let c = self.newly_full[k];
            self.any_full = true;
            self.fuses[c].full = true;
            self.stop_all_under(c, ctx);
        }
    }

    fn join(&mut self, i: usize, ctx: &Context<'_>, remaining: &[DeciAmps]) {
        let wallbox = &ctx.prepared[i];
        self.level[i] = self.now;
        if wallbox.cap <= self.now {
            self.outcome[i] = Outcome::AtCap;
            return;
        }
        // Already above the level at which a fuse it shares filled up: max-min fairness gives
        // it nothing more there.
        let full = if self.any_full {
            ctx.tracked_route(i, self.site_untracked)
                .find(|&c| self.fuses[c].full)
        } else {
            None
        };
        if let Some(c) = full {
            self.outcome[i] = Outcome::AtConstraint(c);
            return;
        }
        self.outcome[i] = Outcome::Rising;
        for c in ctx.tracked_route(i, self.site_untracked) {
            let fuse = &mut self.fuses[c];
            if !fuse.touched {
                // Written whole, never read back right away: reading a field just written in
                // pieces stalls the processor.
                *fuse = Fuse {
                    remaining: remaining[c],
                    settled_at: self.now,
                    rising: 1,
                    dirty: true,
                    touched: true,
                    ..Fuse::default()
                };
                self.touched.push(c);
                self.dirty.push(c);
                continue;
            }
            fuse.settle(self.now);
            fuse.rising += 1;
            if !fuse.dirty {
                fuse.dirty = true;
                self.dirty.push(c);
            }
        }
    }

    fn stop(&mut self, i: usize, outcome: Outcome, ctx: &Context<'_>) {
        self.level[i] = self.now;
        self.outcome[i] = outcome;
        for c in ctx.tracked_route(i, self.site_untracked) {
            let fuse = &mut self.fuses[c];
            fuse.settle(self.now);
            fuse.rising -= 1;
            if !fuse.stale {
                fuse.stale = true;
                self.stale.push(c);
            }
        }
    }

    /// Stops every rising wallbox counted on constraint `c`: those in the subtree of its node that
    /// use its phase.
    fn stop_all_under(&mut self, c: usize, ctx: &Context<'_>) {
        let (node, phase) = (c / 3, c % 3);
        let first = DeciAmps::from(ctx.tree.entry(node));
        let end = DeciAmps::from(ctx.tree.exit(node));
        let start = self.by_position.partition_point(|&p| key_of(p) < first);
        let stop = self.by_position.partition_point(|&p| key_of(p) < end);
        for k in start..stop {
            let i = wallbox_of(self.by_position[k]);
            if self.outcome[i] == Outcome::Rising && ctx.prepared[i].phases.contains_index(phase) {
                self.stop(i, Outcome::AtConstraint(c), ctx);
            }
        }
    }

    /// A full fuse may have a few tenths left that could not go to all of its wallboxes alike;
    /// give them out one each, in admission order, where every fuse above still has a tenth.
    fn share_leftover_tenths(
        &mut self,
        members: &[usize],
        ctx: &Context<'_>,
        remaining: &mut [DeciAmps],
    ) {
        for &i in members {
            let wallbox = &ctx.prepared[i];
            if !matches!(self.outcome[i], Outcome::AtConstraint(_)) || self.level[i] >= wallbox.cap
            {
                continue;
            }
            if ctx.route(i).all(|c| remaining[c] >= 1) {
                for c in ctx.route(i) {
                    remaining[c] -= 1;
                }
                self.level[i] += 1;
            }
        }
    }
}

/// Whether the grid connection has room, on every phase, for every member to rise from its
/// minimum to its cap. Then it cannot fill up in this class: on a phase with `rising` wallboxes
/// still below their caps at level L, what is left is at least the sum of their distances to
/// their caps, so at least `rising`.
fn site_has_room_for_all(members: &[usize], ctx: &Context<'_>, remaining: &[DeciAmps]) -> bool {
    let rise = per_phase(members, ctx, |_, wallbox| wallbox.cap - wallbox.floor);
    remaining[SITE * 3..SITE * 3 + 3]
        .iter()
        .zip(rise)
        .all(|(&left, rise)| left >= rise)
}

/// Per phase, the sum of `amount` over the members that count on it.
fn per_phase(
    members: &[usize],
    ctx: &Context<'_>,
    amount: impl Fn(usize, &Prepared) -> DeciAmps,
) -> [DeciAmps; 3] {
    let mut sums = [0; 3];
    for &i in members {
        let wallbox = &ctx.prepared[i];
        let amount = amount(i, wallbox);
        for (phase, sum) in sums.iter_mut().enumerate() {
            if wallbox.phases.contains_index(phase) {
                *sum += amount;
            }
        }
    }
    sums
}
