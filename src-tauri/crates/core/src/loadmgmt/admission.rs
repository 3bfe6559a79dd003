//! Which wallboxes charge at all: in order, each gets its minimum current if that (plus the start
//! hysteresis when it is paused now) still fits under every fuse above it on its phases. One
//! within its minimum off time gets nothing either way; it is only checked, so that its reason
//! says whether the wait or the budget keeps it paused.

use super::deciamps::DeciAmps;
use super::order::Candidate;
use super::prepare::{CapBy, Prepared};
use super::tree::Routes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admission {
    NotCandidate,
    Admitted,
    /// Within its minimum off time, and its start would fit where it stands in the order: only
    /// the wait keeps it paused. Nothing is reserved for it.
    HeldOff,
    /// A constraint without room: the nearest such fuse (then the first phase) on its way to the
    /// grid connection, or the one that already refused a wallbox on the same way with no larger
    /// need.
    Refused {
        constraint: u32,
    },
}

/// Working memory for `admit`, kept between calls.
#[derive(Default)]
pub(super) struct AdmissionScratch {
    without_holds: Vec<Admission>,
    trial: Vec<DeciAmps>,
    refused: Vec<(DeciAmps, u32)>,
}

/// Admits `order` (candidates, sorted by priority, then least energy charged, then id), reserving
/// each admitted wallbox's minimum in `remaining`; `result` gets one entry per wallbox.
///
/// Wallboxes within their minimum on time go first, so a higher priority or a newcomer cannot
/// push them out before it is over; the fuses still decide, so a wallbox is paused regardless of
/// its on time when its minimum no longer fits. Those admitted only thanks to this (admission in
/// plain order would have paused them) are held at their minimum: `cap` is lowered to `floor`.
pub(super) fn admit(
    order: &[Candidate],
    prepared: &mut [Prepared],
    routes: &Routes,
    remaining: &mut [DeciAmps],
    scratch: &mut AdmissionScratch,
    result: &mut Vec<Admission>,
) {
    result.clear();
    result.resize(prepared.len(), Admission::NotCandidate);
    let refused = &mut scratch.refused;
    forget_refusals(refused, routes);
    if !order.iter().any(|candidate| candidate.held_on) {
        admit_in_order(order, Take::All, routes, remaining, refused, result);
        return;
    }

    scratch.trial.clear();
    scratch.trial.extend_from_slice(remaining);
    let refusals = admit_in_order(order, Take::Held, routes, remaining, refused, result)
        + admit_in_order(order, Take::NotHeld, routes, remaining, refused, result);
    if refusals == 0 {
        // Everyone fits: admission in plain order would have admitted the held wallboxes too
        // (each needs only its minimum, and all minimums fit together), so none is held back.
        return;
    }

    // Plain order up to the last held wallbox that was admitted: the others cannot be affected.
    let Some(last) = order
        .iter()
        .rposition(|candidate| candidate.held_on && result[candidate.index] == Admission::Admitted)
    else {
        return;
    };
    let plain = &order[..=last];
    scratch.without_holds.clear();
    scratch
        .without_holds
        .resize(prepared.len(), Admission::NotCandidate);
    forget_refusals(refused, routes);
    admit_in_order(
        plain,
        Take::AllButHeldOff,
        routes,
        &mut scratch.trial,
        refused,
        &mut scratch.without_holds,
    );
    for candidate in plain {
        let i = candidate.index;
        let only_by_hold = candidate.held_on
            && result[i] == Admission::Admitted
            && scratch.without_holds[i] != Admission::Admitted;
        if only_by_hold && prepared[i].cap_by != CapBy::SafeBudget {
            prepared[i].cap = prepared[i].floor;
            prepared[i].cap_by = CapBy::MinOnHold;
        }
    }
}

/// Which candidates a pass of admission takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    All,
    Held,
    NotHeld,
    /// All but those within their minimum off time: they reserve nothing, so they cannot change
    /// what the others get, only what they are told themselves.
    AllButHeldOff,
}

/// Per route, the smallest need refused so far in this run and where. Remaining current only
/// shrinks during a run: once a need was refused on a route, any need at least as large is refused
/// there too, without walking the fuses again. Most refused wallboxes share their group with
/// others.
fn forget_refusals(refused: &mut Vec<(DeciAmps, u32)>, routes: &Routes) {
    refused.clear();
    refused.resize(routes.count(), (DeciAmps::MAX, 0));
}

/// Admits the candidates of `order` that `take` takes, in order. Returns how many were refused.
fn admit_in_order(
    order: &[Candidate],
    take: Take,
    routes: &Routes,
    remaining: &mut [DeciAmps],
    refused: &mut [(DeciAmps, u32)],
    result: &mut [Admission],
) -> usize {
    let mut refusals = 0;
    for candidate in order {
        let taken = match take {
            Take::All => true,
            Take::Held => candidate.held_on,
            Take::NotHeld => !candidate.held_on,
            Take::AllButHeldOff => !candidate.held_off,
        };
        if !taken {
            continue;
        }
        let need = candidate.start_need;
        let (refused_need, refused_at) = refused[candidate.route as usize];
        if need >= refused_need {
            result[candidate.index] = Admission::Refused {
                constraint: refused_at,
            };
            refusals += 1;
            continue;
        }
        let constraints = routes.of(candidate.route);
        if candidate.held_off {
            result[candidate.index] =
                match constraints.iter().find(|&&c| remaining[c as usize] < need) {
                    Some(&constraint) => {
                        refused[candidate.route as usize] = (need, constraint);
                        refusals += 1;
                        Admission::Refused { constraint }
                    }
                    None => Admission::HeldOff,
                };
            continue;
        }
        // Reserve while checking, in one walk; a fuse without room undoes the reservations
        // made before it.
        let mut full = None;
        for (k, &c) in constraints.iter().enumerate() {
            let left = &mut remaining[c as usize];
            if *left < need {
                full = Some((k, c));
                break;
            }
            *left -= candidate.floor;
        }
        result[candidate.index] = match full {
            Some((reserved, constraint)) => {
                for &c in &constraints[..reserved] {
                    remaining[c as usize] += candidate.floor;
                }
                refused[candidate.route as usize] = (need, constraint);
                refusals += 1;
                Admission::Refused { constraint }
            }
            None => Admission::Admitted,
        };
    }
    refusals
}
