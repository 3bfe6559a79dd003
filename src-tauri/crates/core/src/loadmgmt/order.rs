//! The order of admission: by priority, then energy charged this session (least first), then id.

use super::deciamps::DeciAmps;
use super::input::AllocationInput;
use super::prepare::{Fate, Prepared};

/// Index bits in a sort key; above them, the energy in whole watt-hours and the priority.
const INDEX_BITS: u32 = 24;
/// Up to this many wallboxes, candidates are ordered by `sort_key`.
pub(super) const KEYED_WALLBOXES: usize = (1 << INDEX_BITS) - 1;
/// Below this many candidates a comparison sort beats the radix sort's fixed cost.
const RADIX_FROM: usize = 64;

/// What admission reads of a candidate, copied out in admission order so that its walks through
/// the candidates stay within a small, contiguous piece of memory.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    /// The wallbox's index.
    pub index: usize,
    pub start_need: DeciAmps,
    pub floor: DeciAmps,
    pub route: u32,
    pub held_on: bool,
    pub held_off: bool,
}

impl Candidate {
    fn of(index: usize, wallbox: &Prepared) -> Self {
        Self {
            index,
            start_need: wallbox.start_need,
            floor: wallbox.floor,
            route: wallbox.route,
            held_on: wallbox.held_on,
            held_off: wallbox.held_off,
        }
    }
}

/// One integer per candidate (priority, whole watt-hours, index), so that sorting compares
/// integers; ids are compared only between equal priority and energy.
pub(super) fn sort_key(index: usize, wallbox: &Prepared) -> u64 {
    (u64::from(wallbox.priority) << 56)
        | (u64::from(wallbox.energy_wh) << INDEX_BITS)
        | index as u64
}

/// Per wallbox, its `sort_key` or `NOT_KEYED` (not a candidate).
pub(super) const NOT_KEYED: u64 = u64::MAX;

/// Working memory for `admission_order`, kept between calls: the keys, and the last order.
#[derive(Default)]
pub(super) struct OrderScratch {
    /// Per wallbox index, its `sort_key` or `NOT_KEYED`; filled by the caller, up to
    /// `KEYED_WALLBOXES` wallboxes.
    pub key_of: Vec<u64>,
    /// The candidates' wallbox indices in the order of the last call.
    last: Vec<u32>,
    keys: Vec<u64>,
    buffer: Vec<u64>,
    in_last: Vec<bool>,
}

impl OrderScratch {
    /// Keeps the order just sorted in `keys` to start from next time.
    fn remember_order(&mut self) {
        self.last.clear();
        self.last
            .extend(self.keys.iter().map(|&key| index_of(key) as u32));
    }
}

/// Fills `order` with the candidates in admission order. Up to `KEYED_WALLBOXES` wallboxes,
/// `scratch.key_of` must hold every wallbox's `sort_key` (`NOT_KEYED` for those that are not
/// candidates); beyond, it is not read.
pub(super) fn admission_order(
    input: &AllocationInput,
    prepared: &[Prepared],
    scratch: &mut OrderScratch,
    order: &mut Vec<Candidate>,
) {
    order.clear();
    if prepared.len() > KEYED_WALLBOXES {
        let mut indices: Vec<usize> = prepared
            .iter()
            .enumerate()
            .filter(|(_, wallbox)| matches!(wallbox.fate, Fate::Candidate))
            .map(|(i, _)| i)
            .collect();
        indices.sort_unstable_by(|&a, &b| {
            let key = |i: usize| {
                (
                    prepared[i].priority,
                    prepared[i].energy_wh,
                    &input.wallboxes[i].id,
                )
            };
            key(a).cmp(&key(b))
        });
        order.extend(indices.iter().map(|&i| Candidate::of(i, &prepared[i])));
        return;
    }
    // Without a last order (a new `Allocator`, or the free function) there is nothing to start from.
    if scratch.last.is_empty() || !sort_as_last_time(input, scratch) {
        sort_afresh(input, scratch);
    }
    let keys = &scratch.keys;
    order.extend(keys.iter().map(|&key| {
        let i = index_of(key);
        Candidate::of(i, &prepared[i])
    }));
    scratch.remember_order();
}

fn index_of(key: u64) -> usize {
    (key & ((1u64 << INDEX_BITS) - 1)) as usize
}

/// Sorts the candidates starting from the order of the last call, which they usually still
/// have (energies change little from one tick to the next): an insertion sort, linear when
/// little moved. Gives up (false) when much moved, or when two candidates are tied on
/// everything up to their id, so `sort_afresh` decides exactly as always.
fn sort_as_last_time(input: &AllocationInput, scratch: &mut OrderScratch) -> bool {
    let OrderScratch {
        key_of,
        last,
        keys,
        in_last,
        ..
    } = scratch;
    keys.clear();
    in_last.clear();
    in_last.resize(key_of.len(), false);
    for &i in last.iter() {
        let i = i as usize;
        if let Some(&key) = key_of.get(i).filter(|&&key| key != NOT_KEYED) {
            keys.push(key);
            in_last[i] = true;
        }
    }
    // Newcomers, in index order.
    for (&key, &seen) in key_of.iter().zip(in_last.iter()) {
        if key != NOT_KEYED && !seen {
            keys.push(key);
        }
    }

    let id = |key: u64| input.wallboxes[index_of(key)].id.as_str();
    let mut duplicate = false;
    let mut before = |a: u64, b: u64| match (a >> INDEX_BITS).cmp(&(b >> INDEX_BITS)) {
        std::cmp::Ordering::Equal => {
            let (a, b) = (id(a), id(b));
            duplicate |= a == b;
            a < b
        }
        unequal => unequal.is_lt(),
    };
    let mut budget = keys.len() + 16;
    for j in 1..keys.len() {
        let key = keys[j];
        if !before(key, keys[j - 1]) {
            continue;
        }
        let mut p = j;
        while p > 0 && before(key, keys[p - 1]) {
            keys[p] = keys[p - 1];
            p -= 1;
            budget = match budget.checked_sub(1) {
                Some(left) => left,
                None => return false,
            };
        }
        keys[p] = key;
    }
    !duplicate
}

/// Sorts the candidates' keys in index order: by priority and energy, then ties by id.
fn sort_afresh(input: &AllocationInput, scratch: &mut OrderScratch) {
    let OrderScratch {
        key_of,
        keys,
        buffer,
        ..
    } = scratch;
    keys.clear();
    keys.extend(key_of.iter().copied().filter(|&key| key != NOT_KEYED));
    if keys.len() < RADIX_FROM {
        keys.sort_unstable();
    } else {
        sort_above_index(keys, buffer);
    }
    let tied = |a: &u64, b: &u64| a >> INDEX_BITS == b >> INDEX_BITS;
    if keys.windows(2).any(|pair| tied(&pair[0], &pair[1])) {
        for tie in keys.chunk_by_mut(tied) {
            if tie.len() > 1 {
                tie.sort_unstable_by_key(|&key| input.wallboxes[index_of(key)].id.as_str());
            }
        }
    }
}

/// Sorts keys that are in ascending order of their index bits: a stable radix sort, least
/// significant byte first, of the bytes above the index that are not the same in every key.
/// The index bits are unique, so the result is exactly that of sorting whole keys.
fn sort_above_index(keys: &mut Vec<u64>, buffer: &mut Vec<u64>) {
    let (any, all) = keys
        .iter()
        .fold((0, u64::MAX), |(any, all), &key| (any | key, all & key));
    let differing = (any ^ all) >> INDEX_BITS;
    buffer.clear();
    buffer.resize(keys.len(), 0);
    for shift in (INDEX_BITS..u64::BITS).step_by(8) {
        if (differing >> (shift - INDEX_BITS)) & 0xFF == 0 {
            continue;
        }
        let digit = |key: u64| ((key >> shift) & 0xFF) as usize;
        let mut start = [0u32; 256];
        for &key in keys.iter() {
            start[digit(key)] += 1;
        }
        let mut sum = 0;
        for slot in &mut start {
            (*slot, sum) = (sum, sum + *slot);
        }
        for &key in keys.iter() {
            let slot = &mut start[digit(key)];
            if let Some(place) = buffer.get_mut(*slot as usize) {
                *place = key;
            }
            *slot += 1;
        }
        std::mem::swap(keys, buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::super::input::{SiteInput, WallboxInput, WallboxSettings};
    use super::super::phases::PhaseAmps;
    use super::super::HouseholdLoad;
    use super::*;

    fn roll(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn wallboxes(ids: &[String]) -> AllocationInput {
        AllocationInput {
            now_ms: 0,
            site: SiteInput {
                fuse_limit_a: PhaseAmps::uniform(32.0),
                current_reserve_a: 0.0,
                household: HouseholdLoad::NotMetered,
            },
            groups: Vec::new(),
            wallboxes: ids
                .iter()
                .map(|id| WallboxInput::new(id.clone(), WallboxSettings::default()))
                .collect(),
        }
    }

    #[test]
    fn starting_from_the_last_order_sorts_as_afresh() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for count in [0usize, 1, 2, 5, 63, 64, 300, 1000] {
            // Ids not in index order; a few duplicates among the larger sets.
            let distinct = (count - count / 50).max(1);
            let ids: Vec<String> = (0..count)
                .map(|i| format!("wb{}", (i * 7919) % distinct))
                .collect();
            let input = wallboxes(&ids);
            let mut kept = OrderScratch::default();
            let mut from_last = 0;
            for tick in 0..8u64 {
                let key_of: Vec<u64> = (0..count as u64)
                    .map(|i| {
                        let dice = roll(&mut state);
                        // Cars come and go between the first ticks, then stay.
                        if (if tick < 3 { dice } else { i }) % 11 == 0 {
                            return NOT_KEYED;
                        }
                        // At first few priorities and energies (ties, decided by id); then
                        // energies that move a little from tick to tick, as they do.
                        let (priority, energy) = if tick < 2 {
                            (dice % 3, (dice >> 8) % 4)
                        } else {
                            (i % 3, 16 * i + tick * ((dice >> 8) % 6))
                        };
                        (priority << 56) | (energy << INDEX_BITS) | i
                    })
                    .collect();
                let mut fresh = OrderScratch {
                    key_of: key_of.clone(),
                    ..OrderScratch::default()
                };
                sort_afresh(&input, &mut fresh);
                kept.key_of = key_of;
                if sort_as_last_time(&input, &mut kept) {
                    from_last += 1;
                } else {
                    sort_afresh(&input, &mut kept);
                }
                assert_eq!(kept.keys, fresh.keys, "{count} wallboxes, tick {tick}");
                kept.remember_order();
            }
            assert!(
                from_last >= 4,
                "{count} wallboxes: {from_last} from the last order"
            );
        }
    }

    #[test]
    fn the_radix_sort_orders_like_a_comparison_sort() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for count in [0, 1, 2, 63, 64, 65, 300, 1000] {
            let mut keys: Vec<u64> = (0..count as u64)
                .map(|i| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Few priorities and energies, so that there are ties above the index.
                    let priority = state % 3;
                    let energy = (state >> 8) % if count > 100 { 70_000 } else { 5 };
                    (priority << 56) | (energy << INDEX_BITS) | i
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            sort_above_index(&mut keys, &mut Vec::new());
            assert_eq!(keys, expected, "{count} keys");
        }
    }
}
