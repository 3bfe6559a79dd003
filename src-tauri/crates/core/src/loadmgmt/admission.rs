//! Which wallboxes charge at all: in order, each gets its minimum current if that (plus the start
//! hysteresis when it is paused now) still fits under every fuse above it on its phases.

use super::deciamps::DeciAmps;
use super::prepare::{CapBy, Prepared};
use super::tree::Routes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admission {
    NotCandidate,
    Admitted,
    /// A constraint without room: the nearest such fuse (then the first phase) on its way to the
    /// grid connection, or the one that already refused a wallbox on the same way with no larger
    /// need.
    Refused {
        constraint: u32,
    },
}

/// Admits `order` (candidates, sorted by priority, then least energy charged, then id), reserving
/// each admitted wallbox's minimum in `remaining`.
///
/// Wallboxes within their minimum on time go first, so a higher priority or a newcomer cannot
/// push them out before it is over; the fuses still decide, so a wallbox is paused regardless of
/// its on time when its minimum no longer fits. Those admitted only thanks to this (admission in
/// plain order would have paused them) are held at their minimum: `cap` is lowered to `floor`.
pub(super) fn admit(
    order: &[usize],
    prepared: &mut [Prepared],
    routes: &Routes,
    remaining: &mut [DeciAmps],
) -> Vec<Admission> {
    let mut result = vec![Admission::NotCandidate; prepared.len()];
    if !order.iter().any(|&i| prepared[i].held_on) {
        admit_in_order(
            order.iter().copied(),
            prepared,
            routes,
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
        routes,
        &mut trial,
        &mut without_holds,
    );

    let held_first = order
        .iter()
        .copied()
        .filter(|&i| prepared[i].held_on)
        .chain(order.iter().copied().filter(|&i| !prepared[i].held_on));
    admit_in_order(held_first, prepared, routes, remaining, &mut result);

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
    prepared: &[Prepared],
    routes: &Routes,
    remaining: &mut [DeciAmps],
    result: &mut [Admission],
) {
    // Remaining current only shrinks during admission: once a need was refused on a route, any
    // need at least as large is refused there too, without walking the fuses again. Most refused
    // wallboxes share their group with others.
    let mut refused: Vec<(DeciAmps, u32)> = vec![(DeciAmps::MAX, 0); routes.route_count()];
    for i in order {
        let wallbox = &prepared[i];
        let route = routes.route(i);
        let (refused_need, refused_at) = refused[route];
        if wallbox.start_need >= refused_need {
            result[i] = Admission::Refused {
                constraint: refused_at,
            };
            continue;
        }
        let full = routes.of(i).find(|&c| remaining[c] < wallbox.start_need);
        result[i] = match full {
            Some(constraint) => {
                refused[route] = (wallbox.start_need, constraint as u32);
                Admission::Refused {
                    constraint: constraint as u32,
                }
            }
            None => {
                for c in routes.of(i) {
                    remaining[c] -= wallbox.floor;
                }
                Admission::Admitted
            }
        };
    }
}
