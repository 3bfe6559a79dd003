//! Which wallboxes charge at all: in order, each gets its minimum current if that (plus the start
//! hysteresis when it is paused now) still fits under every fuse above it on its phases.

use super::deciamps::DeciAmps;
use super::prepare::{CapBy, Prepared};
use super::tree::Tree;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admission {
    NotCandidate,
    Admitted,
    /// The first constraint (nearest fuse first, then by phase) without room.
    Refused {
        constraint: usize,
    },
}

/// Admits `order` (candidates, sorted by priority, then least energy charged, then id), reserving
/// each admitted wallbox's minimum in `remaining`.
///
/// Wallboxes within their minimum on time go first, so a higher priority or a newcomer cannot
/// push them out before it is over; the fuses still decide, so a wallbox is paused regardless of
/// its on time when its minimum no longer fits. Those admitted only thanks to this (admission in
/// plain order would have paused them) are held at their minimum: `cap` is lowered to `floor`.
pub(super) fn admit<'a>(
    order: &[usize],
    prepared: &mut [Prepared<'a>],
    tree: &Tree<'a>,
    remaining: &mut [DeciAmps],
) -> Vec<Admission> {
    let mut result = vec![Admission::NotCandidate; prepared.len()];
    if !order.iter().any(|&i| prepared[i].held_on) {
        admit_in_order(
            order.iter().copied(),
            prepared,
            tree,
            remaining,
            &mut result,
        );
        return result;
    }

    let mut without_holds = result.clone();
    let mut trial = remaining.to_vec();
    admit_in_order(
        order.iter().copied(),
        prepared,
        tree,
        &mut trial,
        &mut without_holds,
    );

    let held_first = order
        .iter()
        .copied()
        .filter(|&i| prepared[i].held_on)
        .chain(order.iter().copied().filter(|&i| !prepared[i].held_on));
    admit_in_order(held_first, prepared, tree, remaining, &mut result);

    for &i in order {
        let only_by_hold = result[i] == Admission::Admitted
            && without_holds[i] != Admission::Admitted
            && prepared[i].held_on;
        if only_by_hold && prepared[i].cap_by != CapBy::SafeBudget {
            prepared[i].cap = prepared[i].floor;
            prepared[i].cap_by = CapBy::MinOnHold;
        }
    }
    result
}

fn admit_in_order(
    order: impl Iterator<Item = usize>,
    prepared: &[Prepared<'_>],
    tree: &Tree<'_>,
    remaining: &mut [DeciAmps],
    result: &mut [Admission],
) {
    for i in order {
        let wallbox = &prepared[i];
        let full = tree
            .constraints(wallbox.leaf, wallbox.phases)
            .find(|&c| remaining[c] < wallbox.start_need);
        result[i] = match full {
            Some(constraint) => Admission::Refused { constraint },
            None => {
                for c in tree.constraints(wallbox.leaf, wallbox.phases) {
                    remaining[c] -= wallbox.floor;
                }
                Admission::Admitted
            }
        };
    }
}
