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
//! The level only jumps from event to event (a minimum reached, a cap reached, a fuse full), and
//! the remaining current of a fuse is updated only when its number of rising wallboxes changes,
//! so a call costs about (wallboxes × fuses above each) plus (events × fuses still in use).

use super::deciamps::DeciAmps;
use super::prepare::Prepared;
use super::tree::Tree;

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
    /// The level at which the constraint can no longer give each of its rising wallboxes a tenth.
    full_at: Vec<DeciAmps>,
    full: Vec<bool>,
    dirty: Vec<usize>,
    is_dirty: Vec<bool>,
    /// Constraints with rising wallboxes (and some that just lost their last one).
    live: Vec<usize>,
    is_live: Vec<bool>,
    newly_full: Vec<usize>,
    by_floor: Vec<usize>,
    by_cap: Vec<usize>,
    /// (depth-first number of the wallbox's node, wallbox), sorted: a subtree is one run.
    by_position: Vec<(u32, usize)>,
    level: Vec<DeciAmps>,
    outcome: Vec<Outcome>,
    /// The current level of the class being filled.
    now: DeciAmps,
}

impl Filler {
    pub(super) fn new(constraint_count: usize, wallbox_count: usize) -> Self {
        Self {
            settled_at: vec![0; constraint_count],
            rising: vec![0; constraint_count],
            full_at: vec![DeciAmps::MAX; constraint_count],
            full: vec![false; constraint_count],
            dirty: Vec::new(),
            is_dirty: vec![false; constraint_count],
            live: Vec::new(),
            is_live: vec![false; constraint_count],
            newly_full: Vec::new(),
            by_floor: Vec::new(),
            by_cap: Vec::new(),
            by_position: Vec::new(),
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
        prepared: &[Prepared<'_>],
        tree: &Tree<'_>,
        remaining: &mut [DeciAmps],
    ) {
        self.full.fill(false);
        self.now = 0;
        self.by_floor.clear();
        self.by_floor.extend_from_slice(members);
        self.by_floor.sort_by_key(|&i| prepared[i].floor);
        self.by_cap.clear();
        self.by_cap.extend_from_slice(members);
        self.by_cap.sort_by_key(|&i| prepared[i].cap);
        self.by_position.clear();
        self.by_position
            .extend(members.iter().map(|&i| (tree.entry(prepared[i].leaf), i)));
        self.by_position.sort_unstable();
        for &i in members {
            self.outcome[i] = Outcome::Waiting;
            self.level[i] = prepared[i].floor;
        }

        let (mut next_floor, mut next_cap) = (0, 0);
        loop {
            self.refresh_dirty(remaining);
            let next_full = self.collect_full();
            if !self.newly_full.is_empty() {
                // Ids, not node numbers, decide which full fuse a wallbox is said to be limited
                // by, so the reasons do not depend on the order groups were given in.
                self.newly_full
                    .sort_unstable_by_key(|&c| (tree.id(c / 3), c % 3));
                for k in 0..self.newly_full.len() {
                    let c = self.newly_full[k];
                    self.full[c] = true;
                    self.stop_all_under(c, prepared, tree, remaining);
                }
                continue;
            }
            while next_cap < self.by_cap.len() && self.is_stopped(self.by_cap[next_cap]) {
                next_cap += 1;
            }
            let next = [
                self.by_floor.get(next_floor).map(|&i| prepared[i].floor),
                self.by_cap.get(next_cap).map(|&i| prepared[i].cap),
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

            while let Some(&i) = self.by_floor.get(next_floor) {
                if prepared[i].floor > self.now {
                    break;
                }
                self.join(i, prepared, tree, remaining);
                next_floor += 1;
            }
            while let Some(&i) = self.by_cap.get(next_cap) {
                match self.outcome[i] {
                    Outcome::Rising if prepared[i].cap <= self.now => {
                        self.stop(i, Outcome::AtCap, prepared, tree, remaining);
                    }
                    Outcome::AtCap | Outcome::AtConstraint(_) => {}
                    Outcome::Rising | Outcome::Waiting => break,
                }
                next_cap += 1;
            }
        }
        self.share_leftover_tenths(members, prepared, tree, remaining);
    }

    fn is_stopped(&self, wallbox: usize) -> bool {
        matches!(
            self.outcome[wallbox],
            Outcome::AtCap | Outcome::AtConstraint(_)
        )
    }

    /// Fills `newly_full` with the live constraints that are full at the current level and returns
    /// the lowest level at which another one will be; drops constraints nobody rises under.
    fn collect_full(&mut self) -> DeciAmps {
        self.newly_full.clear();
        let mut next = DeciAmps::MAX;
        let mut k = 0;
        while k < self.live.len() {
            let c = self.live[k];
            if self.rising[c] == 0 {
                self.is_live[c] = false;
                self.live.swap_remove(k);
                continue;
            }
            if self.full_at[c] <= self.now {
                self.newly_full.push(c);
            } else {
                next = next.min(self.full_at[c]);
            }
            k += 1;
        }
        next
    }

    fn refresh_dirty(&mut self, remaining: &[DeciAmps]) {
        for k in 0..self.dirty.len() {
            let c = self.dirty[k];
            self.is_dirty[c] = false;
            // Every dirty constraint was settled at the current level.
            self.full_at[c] = if self.rising[c] > 0 {
                self.settled_at[c] + remaining[c].div_euclid(self.rising[c])
            } else {
                DeciAmps::MAX
            };
        }
        self.dirty.clear();
    }

    fn settle(&mut self, c: usize, remaining: &mut [DeciAmps]) {
        remaining[c] -= self.rising[c] * (self.now - self.settled_at[c]);
        self.settled_at[c] = self.now;
        if !self.is_dirty[c] {
            self.is_dirty[c] = true;
            self.dirty.push(c);
        }
    }

    fn join(
        &mut self,
        i: usize,
        prepared: &[Prepared<'_>],
        tree: &Tree<'_>,
        remaining: &mut [DeciAmps],
    ) {
        let wallbox = &prepared[i];
        self.level[i] = self.now;
        if wallbox.cap <= self.now {
            self.outcome[i] = Outcome::AtCap;
            return;
        }
        // Already above the level at which a fuse it shares filled up: max-min fairness gives
        // it nothing more there.
        if let Some(c) = tree
            .constraints(wallbox.leaf, wallbox.phases)
            .find(|&c| self.full[c])
        {
            self.outcome[i] = Outcome::AtConstraint(c);
            return;
        }
        self.outcome[i] = Outcome::Rising;
        for c in tree.constraints(wallbox.leaf, wallbox.phases) {
            self.settle(c, remaining);
            self.rising[c] += 1;
            if !self.is_live[c] {
                self.is_live[c] = true;
                self.live.push(c);
            }
        }
    }

    fn stop(
        &mut self,
        i: usize,
        outcome: Outcome,
        prepared: &[Prepared<'_>],
        tree: &Tree<'_>,
        remaining: &mut [DeciAmps],
    ) {
        self.level[i] = self.now;
        self.outcome[i] = outcome;
        let wallbox = &prepared[i];
        for c in tree.constraints(wallbox.leaf, wallbox.phases) {
            self.settle(c, remaining);
            self.rising[c] -= 1;
        }
    }

    /// Stops every rising wallbox counted on constraint `c`: those in the subtree of its node that
    /// use its phase.
    fn stop_all_under(
        &mut self,
        c: usize,
        prepared: &[Prepared<'_>],
        tree: &Tree<'_>,
        remaining: &mut [DeciAmps],
    ) {
        let (node, phase) = (c / 3, c % 3);
        let (first, end) = (tree.entry(node), tree.exit(node));
        let start = self.by_position.partition_point(|&(at, _)| at < first);
        let stop = self.by_position.partition_point(|&(at, _)| at < end);
        for k in start..stop {
            let i = self.by_position[k].1;
            if self.outcome[i] == Outcome::Rising && prepared[i].phases.contains_index(phase) {
                self.stop(i, Outcome::AtConstraint(c), prepared, tree, remaining);
            }
        }
    }

    /// A full fuse may have a few tenths left that could not go to all of its wallboxes alike;
    /// give them out one each, in admission order, where every fuse above still has a tenth.
    fn share_leftover_tenths(
        &mut self,
        members: &[usize],
        prepared: &[Prepared<'_>],
        tree: &Tree<'_>,
        remaining: &mut [DeciAmps],
    ) {
        for &i in members {
            let wallbox = &prepared[i];
            if !matches!(self.outcome[i], Outcome::AtConstraint(_)) || self.level[i] >= wallbox.cap
            {
                continue;
            }
            if tree
                .constraints(wallbox.leaf, wallbox.phases)
                .all(|c| remaining[c] >= 1)
            {
                for c in tree.constraints(wallbox.leaf, wallbox.phases) {
                    remaining[c] -= 1;
                }
                self.level[i] += 1;
            }
        }
    }
}
