//! `allocate` for 1, 10, 100 and 1000 wallboxes in three levels of nested groups, with a measured
//! household load, mixed phases and priorities, cars drawing less than offered and a few wallboxes
//! within their minimum on time. Target: under 50 µs at 1000 wallboxes.
//!
//! Two forms: `allocate/free` builds everything for each call, as the free function does;
//! `allocate/allocator` reuses one `Allocator` (its fuse tree, working memory and last order), as
//! a controller that allocates every tick does. Both run through the same 16 successive ticks
//! (see `ticks`), so that the kept state meets inputs that change as they do in use.
//! `allocate/allocator_same_input` feeds a kept `Allocator` the first tick only.

use std::hint::black_box;

use ampwise_core::loadmgmt::{
    allocate, AllocationInput, Allocator, GroupInput, HouseholdLoad, Phase, PhaseAmps,
    PreviousAllocation, SiteInput, Tuning, Vehicle, WallboxInput, WallboxPhases, WallboxSettings,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const NOW: u64 = 3_600_000;

/// Reproducible pseudo-random numbers (xorshift64).
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

/// Top groups (100 A) hold 5 middle groups (50 A) that hold 2 leaf groups (32 A) each; one top
/// group per 100 wallboxes, wallboxes spread over the leaves.
fn site_with(wallbox_count: usize) -> AllocationInput {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut groups = Vec::new();
    let mut leaves = Vec::new();
    for top in 0..wallbox_count.div_ceil(100).max(1) {
        let top_id = format!("top{top}");
        groups.push(group(&top_id, None, 100.0));
        for mid in 0..5 {
            let mid_id = format!("{top_id}-mid{mid}");
            groups.push(group(&mid_id, Some(&top_id), 50.0));
            for leaf in 0..2 {
                let leaf_id = format!("{mid_id}-leaf{leaf}");
                groups.push(group(&leaf_id, Some(&mid_id), 32.0));
                leaves.push(leaf_id);
            }
        }
    }

    let wallboxes = (0..wallbox_count)
        .map(|k| {
            let phases = match dice.roll(10) {
                0..7 => WallboxPhases::Three,
                7 | 8 => WallboxPhases::One {
                    connected_phase: Some(Phase::ALL[k % 3]),
                },
                _ => WallboxPhases::One {
                    connected_phase: None,
                },
            };
            let settings = WallboxSettings {
                max_current_a: if dice.roll(2) == 0 { 16.0 } else { 32.0 },
                phases,
                priority: 1 + dice.roll(3) as u8,
                ..WallboxSettings::default()
            };
            let mut wallbox = WallboxInput::new(format!("wb{k:04}"), settings);
            wallbox.group = Some(leaves[k % leaves.len()].clone());
            wallbox.vehicle = if dice.roll(10) < 8 {
                Vehicle::Connected
            } else {
                Vehicle::Absent
            };
            wallbox.session_energy_wh = dice.roll(40_000) as f64;
            let limit_a = 6.0 + dice.roll(100) as f64 / 10.0;
            let held = dice.roll(20) == 0;
            wallbox.previous = Some(PreviousAllocation {
                limit_a,
                switched_at_ms: if held { NOW - 10_000 } else { 0 },
            });
            // Every fourth car draws well below its offer.
            let draw = if k % 4 == 0 {
                limit_a - 3.0
            } else {
                limit_a - 0.2
            };
            wallbox.measured_a = Some(PhaseAmps::uniform(draw));
            wallbox
        })
        .collect();

    AllocationInput {
        now_ms: NOW,
        site: SiteInput {
            fuse_limit_a: PhaseAmps::uniform((wallbox_count as f64 * 4.0).max(35.0)),
            current_reserve_a: 2.0,
            household: HouseholdLoad::Measured(PhaseAmps::new(12.0, 7.5, 9.0)),
        },
        groups,
        wallboxes,
    }
}

fn group(id: &str, parent: Option<&str>, amps: f64) -> GroupInput {
    GroupInput {
        id: id.into(),
        name: id.to_uppercase(),
        parent: parent.map(Into::into),
        max_current_per_phase_a: PhaseAmps::uniform(amps),
    }
}

/// The inputs of `count` ticks one second apart, as a controller would build them: each tick's
/// previous allocation is the last tick's result, each car has charged what it was allowed for a
/// second more, and draws as far below its new limit as before. So energies move, the admission
/// order can change, and cars give current back, as they do between real ticks.
fn ticks(first: AllocationInput, count: usize, tuning: &Tuning) -> Vec<AllocationInput> {
    let mut ticks = vec![first];
    while ticks.len() < count {
        let Some(last) = ticks.last() else { break };
        let allocation = allocate(last, tuning);
        let mut next = last.clone();
        next.now_ms += 1000;
        for (k, (wallbox, decided)) in next
            .wallboxes
            .iter_mut()
            .zip(&allocation.wallboxes)
            .enumerate()
        {
            wallbox.previous = Some(decided.to_previous());
            let drawn = |limit: f64| if k % 4 == 0 { limit - 3.0 } else { limit - 0.2 };
            let draw = drawn(decided.limit_a).max(0.0);
            wallbox.session_energy_wh += draw * decided.phases.len() as f64 * 230.0 / 3600.0;
            wallbox.measured_a = Some(PhaseAmps::uniform(draw));
        }
        ticks.push(next);
    }
    ticks
}

/// Ticks in the cycle the benchmark runs through.
const TICKS: usize = 16;

fn bench_allocate(c: &mut Criterion) {
    let tuning = Tuning::default();
    let mut group = c.benchmark_group("allocate");
    for count in [1, 10, 100, 1000] {
        let inputs = ticks(site_with(count), TICKS, &tuning);
        let mut tick = 0;
        group.bench_with_input(BenchmarkId::new("free", count), &inputs, |b, inputs| {
            b.iter(|| {
                tick = (tick + 1) % inputs.len();
                allocate(black_box(&inputs[tick]), &tuning)
            })
        });
        let mut allocator = Allocator::new();
        group.bench_with_input(
            BenchmarkId::new("allocator", count),
            &inputs,
            |b, inputs| {
                b.iter(|| {
                    tick = (tick + 1) % inputs.len();
                    allocator.allocate(black_box(&inputs[tick]), &tuning)
                })
            },
        );
        // The first tick again and again: every car that wants current was charging before, so
        // none waits out a minimum off time; nothing changes from call to call.
        let mut allocator = Allocator::new();
        group.bench_with_input(
            BenchmarkId::new("allocator_same_input", count),
            &inputs[0],
            |b, input| b.iter(|| allocator.allocate(black_box(input), &tuning)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_allocate);
criterion_main!(benches);
