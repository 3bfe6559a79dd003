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
}

impl Candidate {
    fn of(index: usize, wallbox: &Prepared) -> Self {
        Self {
            index,
            start_need: wallbox.start_need,
            floor: wallbox.floor,
            route: wallbox.route,
            held_on: wallbox.held_on,
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

/// Fills `order` with the candidates in admission order. Up to `KEYED_WALLBOXES` wallboxes,
/// `keys` must hold the `sort_key` of every candidate in the order of their indices; beyond,
/// it is not read. `buffer` is working memory.
pub(super) fn admission_order(
    input: &AllocationInput,
    prepared: &[Prepared],
    keys: &mut Vec<u64>,
    buffer: &mut Vec<u64>,
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
    let index_mask = (1u64 << INDEX_BITS) - 1;
    if keys.len() < RADIX_FROM {
        keys.sort_unstable();
    } else {
        sort_above_index(keys, buffer);
    }
    let index_of = |key: u64| (key & index_mask) as usize;
    let tied = |a: &u64, b: &u64| a >> INDEX_BITS == b >> INDEX_BITS;
    if keys.windows(2).any(|pair| tied(&pair[0], &pair[1])) {
        for tie in keys.chunk_by_mut(tied) {
            if tie.len() > 1 {
                tie.sort_unstable_by_key(|&key| input.wallboxes[index_of(key)].id.as_str());
            }
        }
    }
    order.extend(keys.iter().map(|&key| {
        let i = index_of(key);
        Candidate::of(i, &prepared[i])
    }));
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
    use super::*;

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
