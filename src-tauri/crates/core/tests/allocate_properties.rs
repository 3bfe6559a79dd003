//! Properties of `allocate` over random sites: nested groups up to three deep, 0–40 wallboxes
//! with random phases, priorities, limits, readings, household loads and previous allocations.
//!
//! Amounts that `allocate` must compare exactly (minimums, previous limits, maximums) are drawn
//! on the 0.1 A grid; fuse limits, household loads and other limits are not.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use ampwise_core::loadmgmt::{
    allocate, Allocation, AllocationInput, Allocator, ExternalLimit, GroupInput, HouseholdLoad,
    MeterFailurePolicy, Phase, PhaseAmps, PhaseSet, PreviousAllocation, Reason, SiteInput, Tuning,
    Vehicle, WallboxAllocation, WallboxInput, WallboxPhases, WallboxSettings,
};
use proptest::prelude::*;
use proptest::sample::Index;

const NOW: u64 = 1_000_000;
const TOLERANCE: f64 = 1e-6;

fn tenths(range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = f64> {
    range.prop_map(|t| f64::from(t) / 10.0)
}

fn amps(range: std::ops::Range<f64>) -> impl Strategy<Value = PhaseAmps> {
    (range.clone(), range.clone(), range).prop_map(|(a, b, c)| PhaseAmps::new(a, b, c))
}

fn site() -> impl Strategy<Value = SiteInput> {
    let household = prop_oneof![
        1 => Just(HouseholdLoad::NotMetered),
        3 => amps(-5.0..40.0).prop_map(HouseholdLoad::Measured),
        1 => Just(HouseholdLoad::MeterFailed),
    ];
    (
        amps(10.0..100.0),
        prop_oneof![Just(0.0), 0.0..5.0],
        household,
    )
        .prop_map(|(fuse_limit_a, current_reserve_a, household)| SiteInput {
            fuse_limit_a,
            current_reserve_a,
            household,
        })
}

/// Each group's parent is an earlier group less than three deep, or none.
fn groups() -> impl Strategy<Value = Vec<GroupInput>> {
    prop::collection::vec((any::<Option<Index>>(), amps(6.0..64.0)), 0..8).prop_map(|raw| {
        let mut depth: Vec<usize> = Vec::new();
        let mut groups = Vec::new();
        for (k, (parent, limit)) in raw.into_iter().enumerate() {
            let parent = parent
                .filter(|_| k > 0)
                .map(|index| index.index(k))
                .filter(|&p| depth[p] < 3);
            depth.push(parent.map_or(1, |p| depth[p] + 1));
            groups.push(GroupInput {
                id: format!("g{k}"),
                name: format!("Group {k}"),
                parent: parent.map(|p| format!("g{p}")),
                max_current_per_phase_a: limit,
            });
        }
        groups
    })
}

fn phases() -> impl Strategy<Value = WallboxPhases> {
    prop_oneof![
        2 => Just(WallboxPhases::Three),
        1 => prop::sample::select(vec![Phase::L1, Phase::L2, Phase::L3])
            .prop_map(|p| WallboxPhases::One { connected_phase: Some(p) }),
        1 => Just(WallboxPhases::One { connected_phase: None }),
    ]
}

fn settings() -> impl Strategy<Value = WallboxSettings> {
    (
        prop::bool::weighted(0.9),
        prop::sample::select(vec![6.0, 6.0, 6.5, 8.0, 10.0]),
        tenths(60..=320),
        phases(),
        1u8..=9,
    )
        .prop_map(|(enabled, min, max, phases, priority)| WallboxSettings {
            enabled,
            min_current_a: min,
            max_current_a: max,
            phases,
            priority,
        })
}

fn measured() -> impl Strategy<Value = Option<PhaseAmps>> {
    prop_oneof![
        Just(None),
        amps(0.0..32.0).prop_map(Some),
        // A one-phase draw, with a little noise on the other phases.
        (0usize..3, 1.0..32.0, 0.0..0.5).prop_map(|(phase, draw, noise)| {
            let mut currents = [noise; 3];
            currents[phase] = draw;
            Some(PhaseAmps::from_array(currents))
        }),
    ]
}

fn previous() -> impl Strategy<Value = Option<PreviousAllocation>> {
    prop_oneof![
        Just(None),
        (prop_oneof![Just(0.0), tenths(60..=320)], 0u64..200_000).prop_map(|(limit_a, ago)| {
            Some(PreviousAllocation {
                limit_a,
                switched_at_ms: NOW - ago,
            })
        }),
    ]
}

fn wallbox(group_count: usize) -> impl Strategy<Value = WallboxInput> {
    let group = prop_oneof![
        4 => Just(None),
        12 => any::<Index>().prop_map(move |i| {
            (group_count > 0).then(|| format!("g{}", i.index(group_count)))
        }),
        1 => Just(Some("missing".to_string())),
    ];
    let vehicle = prop_oneof![
        8 => Just(Vehicle::Connected),
        1 => Just(Vehicle::Absent),
        1 => Just(Vehicle::NoDemand),
    ];
    let external = (
        prop::bool::weighted(0.9),
        prop::option::weighted(0.3, 0.0..32.0),
    )
        .prop_map(|(allows, max_current_a)| ExternalLimit {
            allows,
            max_current_a,
        });
    (
        (group, settings(), prop::bool::weighted(0.97), vehicle),
        (
            measured(),
            prop_oneof![Just(0.0), 0.0..50_000.0],
            prop::option::weighted(0.2, prop::sample::select(vec![13.0, 20.0, 32.0])),
            external,
            previous(),
        ),
    )
        .prop_map(
            |(
                (group, settings, reachable, vehicle),
                (measured, energy, cable, external, previous),
            )| {
                WallboxInput {
                    id: String::new(),
                    group,
                    settings,
                    reachable,
                    vehicle,
                    measured_a: measured,
                    session_energy_wh: energy,
                    cable_limit_a: cable,
                    external,
                    previous,
                }
            },
        )
}

fn tuning() -> impl Strategy<Value = Tuning> {
    prop_oneof![
        3 => Just(Tuning::default()),
        1 => amps(0.0..60.0).prop_map(|load| Tuning {
            meter_failure: MeterFailurePolicy::AssumeHouseholdLoad(load),
            ..Tuning::default()
        }),
    ]
}

fn scenario() -> impl Strategy<Value = (AllocationInput, Tuning)> {
    (site(), groups(), tuning())
        .prop_flat_map(|(site, groups, tuning)| {
            let count = groups.len();
            (
                Just(site),
                Just(groups),
                prop::collection::vec(wallbox(count), 0..=40),
                Just(tuning),
            )
        })
        .prop_map(|(site, groups, mut wallboxes, tuning)| {
            for (k, wallbox) in wallboxes.iter_mut().enumerate() {
                wallbox.id = format!("wb{k:02}");
            }
            let input = AllocationInput {
                now_ms: NOW,
                site,
                groups,
                wallboxes,
            };
            (input, tuning)
        })
}

/// A fuse on one phase: "" is the grid connection, otherwise a group id.
type Constraint = (String, usize);

/// What the wallboxes may draw through each fuse, worked out from the input independently of
/// `allocate`.
fn capacities(input: &AllocationInput, tuning: &Tuning) -> BTreeMap<Constraint, f64> {
    let site = &input.site;
    let usable = site
        .fuse_limit_a
        .to_array()
        .map(|f| f - site.current_reserve_a.max(0.0));
    let household = match site.household {
        HouseholdLoad::NotMetered => [0.0; 3],
        HouseholdLoad::Measured(load) => load.to_array().map(|a| a.max(0.0)),
        HouseholdLoad::MeterFailed => match tuning.meter_failure {
            MeterFailurePolicy::PauseAll => usable,
            MeterFailurePolicy::AssumeHouseholdLoad(load) => load.to_array().map(|a| a.max(0.0)),
        },
    };
    let mut capacity = BTreeMap::new();
    for p in 0..3 {
        capacity.insert((String::new(), p), usable[p] - household[p]);
        for group in &input.groups {
            capacity.insert(
                (group.id.clone(), p),
                group.max_current_per_phase_a.to_array()[p],
            );
        }
    }
    capacity
}

/// The group ids from the wallbox's group up, then "" for the grid connection. An unknown group
/// counts as the grid connection (only unreachable wallboxes there are counted at all).
fn chain(input: &AllocationInput, group: Option<&str>) -> Vec<String> {
    let mut nodes = Vec::new();
    let mut current = group.map(str::to_string);
    while let Some(group) = current.and_then(|id| input.groups.iter().find(|g| g.id == id)) {
        current = group.parent.clone();
        nodes.push(group.id.clone());
    }
    nodes.push(String::new());
    nodes
}

fn constraints_of(
    input: &AllocationInput,
    wallbox: &WallboxInput,
    phases: PhaseSet,
) -> Vec<Constraint> {
    let mut result = Vec::new();
    for node in chain(input, wallbox.group.as_deref()) {
        for phase in phases.iter() {
            result.push((node.clone(), phase.index()));
        }
    }
    result
}

fn group_known(input: &AllocationInput, wallbox: &WallboxInput) -> bool {
    wallbox
        .group
        .as_ref()
        .is_none_or(|g| input.groups.iter().any(|known| &known.id == g))
}

fn is_frozen(wallbox: &WallboxInput) -> bool {
    wallbox.settings.enabled && !wallbox.reachable
}

fn held_on(wallbox: &WallboxInput, tuning: &Tuning) -> bool {
    wallbox
        .previous
        .is_some_and(|p| p.limit_a > 0.0 && NOW - p.switched_at_ms < tuning.min_on_time_ms)
}

fn pairs<'a>(
    input: &'a AllocationInput,
    output: &'a Allocation<'a>,
) -> impl Iterator<Item = (&'a WallboxInput, &'a WallboxAllocation<'a>)> {
    assert_eq!(input.wallboxes.len(), output.wallboxes.len());
    input.wallboxes.iter().zip(&output.wallboxes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Per phase, the limits counted on the grid connection stay within fuse − reserve −
    /// household load, and those under a group within its fuse (±1e-6 A); the only exception is a
    /// fuse that unreachable wallboxes alone overload, where every other wallbox is then paused.
    #[test]
    fn no_fuse_is_ever_overloaded((input, tuning) in scenario()) {
        let output = allocate(&input, &tuning);
        let capacity = capacities(&input, &tuning);
        let mut load: BTreeMap<Constraint, f64> = BTreeMap::new();
        let mut changeable_charging: BTreeMap<Constraint, usize> = BTreeMap::new();
        for (wallbox, allocation) in pairs(&input, &output) {
            if allocation.limit_a == 0.0 {
                continue;
            }
            for constraint in constraints_of(&input, wallbox, allocation.phases) {
                *load.entry(constraint.clone()).or_default() += allocation.limit_a;
                if !is_frozen(wallbox) {
                    *changeable_charging.entry(constraint).or_default() += 1;
                }
            }
        }
        for (constraint, sum) in &load {
            let cap = capacity[constraint];
            prop_assert!(
                *sum <= cap + TOLERANCE || !changeable_charging.contains_key(constraint),
                "{constraint:?}: {sum} A allocated, {cap} A available"
            );
        }
        // The summaries say the same.
        for p in Phase::ALL {
            let sum = load.get(&(String::new(), p.index())).copied().unwrap_or(0.0);
            prop_assert!((output.site.allocated_a.get(p) - sum).abs() < TOLERANCE);
        }
    }

    /// Every wallbox is counted on the phases it can draw from: 3-phase on all; 1-phase on its
    /// configured phase, or on all three unless its measured draw shows exactly one phase.
    #[test]
    fn wallboxes_are_counted_on_every_phase_they_may_draw_from((input, tuning) in scenario()) {
        let output = allocate(&input, &tuning);
        for (wallbox, allocation) in pairs(&input, &output) {
            match wallbox.settings.phases {
                WallboxPhases::Three => prop_assert_eq!(allocation.phases, PhaseSet::ALL),
                WallboxPhases::One { connected_phase: Some(p) } => {
                    prop_assert_eq!(allocation.phases, PhaseSet::single(p));
                }
                WallboxPhases::One { connected_phase: None } => {
                    if allocation.phases != PhaseSet::ALL {
                        prop_assert_eq!(allocation.phases.len(), 1);
                        let measured = wallbox.measured_a.unwrap();
                        for p in Phase::ALL {
                            let drawing = measured.get(p) >= tuning.phase_detection_a;
                            prop_assert_eq!(drawing, allocation.phases.contains(p));
                        }
                    }
                }
            }
        }
    }

    /// A limit is 0 or a multiple of 0.1 A between the minimum and every individual limit; it is
    /// 0 whenever someone does not allow charging or no car wants current. Unreachable wallboxes
    /// keep their previous limit.
    #[test]
    fn limits_respect_every_individual_bound((input, tuning) in scenario()) {
        let output = allocate(&input, &tuning);
        for (wallbox, allocation) in pairs(&input, &output) {
            let limit = allocation.limit_a;
            prop_assert!(((limit * 10.0).round() - limit * 10.0).abs() < 1e-9, "{limit}");
            if !wallbox.settings.enabled {
                prop_assert_eq!(limit, 0.0);
                prop_assert_eq!(allocation.reason, Reason::Disabled);
                continue;
            }
            if is_frozen(wallbox) {
                let expected = wallbox.previous.map_or(wallbox.settings.max_current_a, |p| p.limit_a);
                prop_assert!((limit - expected).abs() < 1e-9);
                prop_assert_eq!(allocation.reason, Reason::FrozenDeviceUnreachable);
                continue;
            }
            let may_charge = wallbox.external.allows
                && wallbox.vehicle == Vehicle::Connected
                && group_known(&input, wallbox);
            if !may_charge {
                prop_assert_eq!(limit, 0.0);
            }
            if limit == 0.0 {
                continue;
            }
            prop_assert!(limit >= wallbox.settings.min_current_a - 1e-9, "{limit} below minimum");
            prop_assert!(limit <= wallbox.settings.max_current_a + 1e-9);
            for bound in [wallbox.cable_limit_a, wallbox.external.max_current_a].into_iter().flatten() {
                prop_assert!(limit <= bound + 1e-9, "{limit} above {bound}");
            }
            if matches!(input.site.household, HouseholdLoad::MeterFailed) {
                prop_assert_eq!(limit, wallbox.settings.min_current_a, "safe budget: minimum only");
            }
        }
    }

    /// Priorities. For every wallbox A paused for budget, with priority p: take the minimum of
    /// every other charging wallbox of priority ≤ p or within its minimum on time (those that
    /// admission considered before A, or more), plus the limit of every unreachable one. Then A's
    /// minimum (plus the start hysteresis if A is paused now) does not fit under some fuse on A's
    /// phases. So no wallbox of a lower class charges in A's place, except one held by its minimum
    /// on time.
    #[test]
    fn a_higher_priority_is_paused_only_when_its_minimum_does_not_fit((input, tuning) in scenario()) {
        let output = allocate(&input, &tuning);
        let capacity = capacities(&input, &tuning);
        for (a, a_out) in pairs(&input, &output) {
            if !a_out.reason.is_paused_for_budget() {
                continue;
            }
            let priority = a.settings.priority;
            let mut load: BTreeMap<Constraint, f64> = BTreeMap::new();
            for (w, w_out) in pairs(&input, &output) {
                if w_out.limit_a == 0.0 || w.id == a.id {
                    continue;
                }
                let counted = if is_frozen(w) {
                    w_out.limit_a
                } else if w.settings.priority <= priority || held_on(w, &tuning) {
                    w.settings.min_current_a
                } else {
                    continue;
                };
                for constraint in constraints_of(&input, w, w_out.phases) {
                    *load.entry(constraint).or_default() += counted;
                }
            }
            let was_charging = a.previous.is_some_and(|p| p.limit_a > 0.0);
            let need = a.settings.min_current_a
                + if was_charging { 0.0 } else { tuning.start_hysteresis_a };
            let blocked = constraints_of(&input, a, a_out.phases).into_iter().any(|c| {
                load.get(&c).copied().unwrap_or(0.0) + need > capacity[&c] - TOLERANCE
            });
            prop_assert!(blocked, "{} was paused although {need} A fit", a.id);
        }
    }

    /// Fairness: charging wallboxes of the same priority, group, counted phases and minimum that
    /// were both stopped by a fuse (not by their own caps) get the same limit ±0.1 A.
    #[test]
    fn equals_get_equal_shares((input, tuning) in scenario()) {
        let output = allocate(&input, &tuning);
        let fuse_limited: Vec<_> = pairs(&input, &output)
            .filter(|(_, out)| {
                matches!(out.reason, Reason::LimitedBySite { .. } | Reason::LimitedByGroup { .. })
            })
            .collect();
        for (i, (a, a_out)) in fuse_limited.iter().enumerate() {
            for (b, b_out) in &fuse_limited[i + 1..] {
                let alike = a.settings.priority == b.settings.priority
                    && a.group == b.group
                    && a_out.phases == b_out.phases
                    && a.settings.min_current_a == b.settings.min_current_a;
                if alike {
                    prop_assert!(
                        (a_out.limit_a - b_out.limit_a).abs() <= 0.1 + 1e-9,
                        "{} {} vs {} {}", a.id, a_out.limit_a, b.id, b_out.limit_a
                    );
                }
            }
        }
    }

    /// The same input gives the same output; shuffling wallboxes and groups changes nothing per id.
    #[test]
    fn deterministic_and_independent_of_order(
        (input, tuning) in scenario(),
        seed in any::<u64>(),
    ) {
        let first = allocate(&input, &tuning);
        prop_assert_eq!(&first, &allocate(&input, &tuning));

        let mut shuffled = input.clone();
        shuffle(&mut shuffled.wallboxes, seed);
        shuffle(&mut shuffled.groups, seed.rotate_left(17));
        let second = allocate(&shuffled, &tuning);
        for allocation in &first.wallboxes {
            let other = second.wallboxes.iter().find(|w| w.id == allocation.id).unwrap();
            prop_assert_eq!(allocation, other);
        }
        for summary in &first.groups {
            let other = second.groups.iter().find(|g| g.id == summary.id).unwrap();
            prop_assert_eq!(summary, other);
        }
        prop_assert_eq!(first.site, second.site);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A reused `Allocator` gives exactly what `allocate` gives, while the groups alternate
    /// between two sets, and between limits and names of the same ids and parents.
    #[test]
    fn a_reused_allocator_equals_the_free_function(
        (first, tuning) in scenario(),
        (second, _) in scenario(),
        limits in amps(6.0..64.0),
    ) {
        let mut renamed = first.clone();
        for group in &mut renamed.groups {
            group.name.push_str(" (renamed)");
            group.max_current_per_phase_a = limits;
        }
        let mut allocator = Allocator::new();
        for input in [&first, &second, &renamed, &first, &second, &first] {
            let expected = allocate(input, &tuning);
            prop_assert_eq!(&allocator.allocate(input, &tuning), &expected);
            // The next tick, fed back: the readings and previous allocations change.
            let mut next = input.clone();
            next.now_ms += 5_000;
            for (wallbox, out) in next.wallboxes.iter_mut().zip(&expected.wallboxes) {
                wallbox.previous = Some(out.to_previous());
            }
            prop_assert_eq!(allocator.allocate(&next, &tuning), allocate(&next, &tuning));
        }
    }
}

/// Fisher–Yates with a small xorshift generator: reproducible from the seed.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}
