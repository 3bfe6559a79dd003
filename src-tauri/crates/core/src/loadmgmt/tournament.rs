//! A tournament tree: the smallest of many values and where it is, with O(log n) updates.
//! `fill` keeps, per constraint, the level at which it will be full here.

use super::deciamps::DeciAmps;

pub(super) struct Tournament {
    /// Leaves at `[size, 2 * size)`; each inner node `k` holds the smaller of `2k` and `2k + 1`.
    nodes: Vec<DeciAmps>,
    size: usize,
}

impl Tournament {
    /// `count` leaves, all at `DeciAmps::MAX`.
    pub(super) fn new(count: usize) -> Self {
        let size = count.max(1).next_power_of_two();
        Self {
            nodes: vec![DeciAmps::MAX; 2 * size],
            size,
        }
    }

    /// Every leaf back to `DeciAmps::MAX`.
    pub(super) fn reset(&mut self) {
        self.nodes.fill(DeciAmps::MAX);
    }

    pub(super) fn set(&mut self, leaf: usize, value: DeciAmps) {
        let mut k = self.size + leaf;
        if self.nodes[k] == value {
            return;
        }
        self.nodes[k] = value;
        while k > 1 {
            k /= 2;
            let best = self.nodes[2 * k].min(self.nodes[2 * k + 1]);
            if self.nodes[k] == best {
                break;
            }
            self.nodes[k] = best;
        }
    }

    /// Sets many leaves at once: cheaper than `set` one by one when they are a large share.
    pub(super) fn set_many(&mut self, values: impl Iterator<Item = (usize, DeciAmps)>) {
        for (leaf, value) in values {
            self.nodes[self.size + leaf] = value;
        }
        for k in (1..self.size).rev() {
            self.nodes[k] = self.nodes[2 * k].min(self.nodes[2 * k + 1]);
        }
    }

    pub(super) fn leaf_count(&self) -> usize {
        self.size
    }

    /// The smallest value and its leaf (the first such leaf).
    pub(super) fn min(&self) -> (DeciAmps, usize) {
        let best = self.nodes[1];
        let mut k = 1;
        while k < self.size {
            k = if self.nodes[2 * k] == best {
                2 * k
            } else {
                2 * k + 1
            };
        }
        (best, k - self.size)
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
