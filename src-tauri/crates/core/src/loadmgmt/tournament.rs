//! A tournament tree: the smallest of many values and where it is, with O(log n) updates.
//! `fill` keeps, per constraint, the level at which it will be full here.

use super::deciamps::DeciAmps;

/// Values are levels: `DeciAmps::MAX` for "never", otherwise in `0..LIMIT` (levels are
/// tenths of an ampere between 0 and a fuse's capacity, far below this).
const LIMIT: DeciAmps = 1 << 31;
/// An empty leaf: above every packed value.
const NEVER: u64 = u64::MAX;

pub(super) struct Tournament {
    /// Leaves at `[size, 2 * size)`; each inner node `k` holds the smaller of `2k` and `2k + 1`.
    /// A value and its leaf are packed into one integer, `value << 32 | leaf`, so the smallest
    /// integer is the smallest value at its first leaf.
    nodes: Vec<u64>,
    size: usize,
}

impl Tournament {
    /// `count` leaves, all at `DeciAmps::MAX`.
    pub(super) fn new(count: usize) -> Self {
        let mut tournament = Self {
            nodes: Vec::new(),
            size: 0,
        };
        tournament.resize(count);
        tournament
    }

    /// `count` leaves, all at `DeciAmps::MAX`, reusing the memory.
    pub(super) fn resize(&mut self, count: usize) {
        self.size = count.max(1).next_power_of_two();
        self.nodes.clear();
        self.nodes.resize(2 * self.size, NEVER);
    }

    /// Every leaf back to `DeciAmps::MAX`.
    pub(super) fn reset(&mut self) {
        self.nodes.fill(NEVER);
    }

    fn pack(leaf: usize, value: DeciAmps) -> u64 {
        if value == DeciAmps::MAX {
            return NEVER;
        }
        debug_assert!((0..LIMIT).contains(&value), "level {value} out of range");
        // Levels are never negative nor that large; clamping only keeps the packing sound.
        ((value.clamp(0, LIMIT - 1) as u64) << 32) | leaf as u64
    }

    pub(super) fn set(&mut self, leaf: usize, value: DeciAmps) {
        let mut k = self.size + leaf;
        let packed = Self::pack(leaf, value);
        if self.nodes[k] == packed {
            return;
        }
        self.nodes[k] = packed;
        while k > 1 {
            let best = self.nodes[k].min(self.nodes[k ^ 1]);
            k /= 2;
            if self.nodes[k] == best {
                break;
            }
            self.nodes[k] = best;
        }
    }

    /// Sets many leaves at once: cheaper than `set` one by one when they are a large share.
    pub(super) fn set_many(&mut self, values: impl Iterator<Item = (usize, DeciAmps)>) {
        for (leaf, value) in values {
            self.nodes[self.size + leaf] = Self::pack(leaf, value);
        }
        // Level by level from the leaves up, on slices: no bounds checks in the loop.
        let mut width = self.size / 2;
        while width > 0 {
            let (above, below) = self.nodes.split_at_mut(2 * width);
            for (parent, children) in above[width..].iter_mut().zip(below.chunks_exact(2)) {
                *parent = children[0].min(children[1]);
            }
            width /= 2;
        }
    }

    pub(super) fn leaf_count(&self) -> usize {
        self.size
    }

    /// The smallest value and its leaf (the first such leaf; any leaf when all are
    /// `DeciAmps::MAX`).
    pub(super) fn min(&self) -> (DeciAmps, usize) {
        let best = self.nodes[1];
        let leaf = (best & 0xFFFF_FFFF) as usize;
        if best == NEVER {
            return (DeciAmps::MAX, leaf);
        }
        ((best >> 32) as DeciAmps, leaf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_smallest_value_through_updates() {
        let mut t = Tournament::new(5);
        assert_eq!(t.min().0, DeciAmps::MAX);
        t.set(3, 40);
        t.set(1, 70);
        assert_eq!(t.min(), (40, 3));
        t.set(4, 40);
        assert_eq!(t.min(), (40, 3));
        t.set(3, 90);
        assert_eq!(t.min(), (40, 4));
        t.set(4, DeciAmps::MAX);
        assert_eq!(t.min(), (70, 1));
        t.set(1, DeciAmps::MAX);
        t.set(3, DeciAmps::MAX);
        assert_eq!(t.min().0, DeciAmps::MAX);
        t.set_many([(0, 9), (2, 7), (4, 8)].into_iter());
        assert_eq!(t.min(), (7, 2));
        t.set(2, 10);
        assert_eq!(t.min(), (8, 4));
        t.reset();
        assert_eq!(t.min().0, DeciAmps::MAX);
    }
}
