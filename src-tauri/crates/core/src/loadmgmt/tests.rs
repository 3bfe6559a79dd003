//! Hand-made scenarios, one rule each; the expected numbers are worked out in the comments.

#![allow(clippy::unwrap_used)]

use super::*;

const NOW: u64 = 10_000_000;

fn site(fuse_a: f64) -> SiteInput {
    SiteInput {
        fuse_limit_a: PhaseAmps::uniform(fuse_a),
        current_reserve_a: 0.0,
        household: HouseholdLoad::NotMetered,
    }
}

/// A 3-phase wallbox, 6–16 A, priority 5, with a car that wants current.
fn car(id: &str) -> WallboxInput {
    let mut wallbox = WallboxInput::new(id, WallboxSettings::default());
    wallbox.vehicle = Vehicle::Connected;
    wallbox
}

fn with_priority(mut wallbox: WallboxInput, priority: u8) -> WallboxInput {
    wallbox.settings.priority = priority;
    wallbox
}

fn in_group(mut wallbox: WallboxInput, group: &str) -> WallboxInput {
    wallbox.group = Some(group.into());
    wallbox
}

fn one_phase(mut wallbox: WallboxInput, phase: Option<Phase>) -> WallboxInput {
    wallbox.settings.phases = WallboxPhases::One {
        connected_phase: phase,
    };
    wallbox
}

/// Was given `limit_a`, and switched on or off `ago_ms` before now.
fn previously(mut wallbox: WallboxInput, limit_a: f64, ago_ms: u64) -> WallboxInput {
    wallbox.previous = Some(PreviousAllocation {
        limit_a,
        switched_at_ms: NOW - ago_ms,
    });
    wallbox
}

fn group(id: &str, name: &str, parent: Option<&str>, amps: PhaseAmps) -> GroupInput {
    GroupInput {
        id: id.into(),
        name: name.into(),
        parent: parent.map(Into::into),
        max_current_per_phase_a: amps,
    }
}

fn scenario(
    site: SiteInput,
    groups: Vec<GroupInput>,
    wallboxes: Vec<WallboxInput>,
) -> AllocationInput {
    AllocationInput {
        now_ms: NOW,
        site,
        groups,
        wallboxes,
    }
}

fn run(input: &AllocationInput) -> Allocation<'_> {
    allocate(input, &Tuning::default())
}

fn get<'a>(allocation: &'a Allocation<'_>, id: &str) -> &'a WallboxAllocation<'a> {
    allocation.wallboxes.iter().find(|w| w.id == id).unwrap()
}

fn limit(allocation: &Allocation<'_>, id: &str) -> f64 {
    get(allocation, id).limit_a
}

fn reason<'a>(allocation: &'a Allocation<'a>, id: &str) -> Reason<'a> {
    get(allocation, id).reason
}

#[test]
fn a_single_car_gets_its_wallbox_maximum() {
    let input = scenario(site(32.0), vec![], vec![car("a")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 16.0);
    assert_eq!(reason(&out, "a"), Reason::LimitedByWallboxMax);
    assert_eq!(get(&out, "a").phases, PhaseSet::ALL);
    // 32 A available, 16 A given on every phase.
    assert_eq!(out.site.mode, BudgetMode::Static);
    assert_eq!(out.site.allocated_a, PhaseAmps::uniform(16.0));
    assert_eq!(out.site.headroom_a, PhaseAmps::uniform(16.0));
}

#[test]
fn equal_cars_share_the_fuse_equally() {
    // 20 A / 2 = 10 A each.
    let input = scenario(site(20.0), vec![], vec![car("a"), car("b")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 10.0);
    assert_eq!(limit(&out, "b"), 10.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::LimitedBySite { phase: Phase::L1 }
    );
    assert_eq!(out.site.headroom_a, PhaseAmps::ZERO);
}

#[test]
fn tenths_that_do_not_split_evenly_go_one_each_in_admission_order() {
    // 20.0 A / 3 = 6.66…: 6.6 A each leaves 0.2 A, one tenth each for "a" and "b" (ids order).
    let input = scenario(site(20.0), vec![], vec![car("c"), car("b"), car("a")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 6.7);
    assert_eq!(limit(&out, "b"), 6.7);
    assert_eq!(limit(&out, "c"), 6.6);
    assert_eq!(out.site.allocated_a, PhaseAmps::uniform(20.0));
}

#[test]
fn reserve_and_household_load_come_off_the_fuse() {
    // 32 − 2 reserve − household (10, 4, −3 → 0) = 20, 26, 30 A. L1 limits: 10 A each.
    let mut site = site(32.0);
    site.current_reserve_a = 2.0;
    site.household = HouseholdLoad::Measured(PhaseAmps::new(10.0, 4.0, -3.0));
    let input = scenario(site, vec![], vec![car("a"), car("b")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 10.0);
    assert_eq!(limit(&out, "b"), 10.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::LimitedBySite { phase: Phase::L1 }
    );
    assert_eq!(out.site.mode, BudgetMode::Metered);
    assert_eq!(out.site.household_a, PhaseAmps::new(10.0, 4.0, 0.0));
    assert_eq!(out.site.available_a, PhaseAmps::new(20.0, 26.0, 30.0));
    assert_eq!(out.site.headroom_a, PhaseAmps::new(0.0, 6.0, 10.0));
}

#[test]
fn when_not_all_minimums_fit_the_car_that_charged_most_pauses() {
    // 16 A: "b" (100 Wh) needs 6 + 1 hysteresis, gets 6 reserved; "c" (2 kWh) likewise; 4 A left
    // is below the 7 A "a" (5 kWh) needs. "b" and "c" share 16 A.
    let mut a = car("a");
    a.session_energy_wh = 5000.0;
    let mut b = car("b");
    b.session_energy_wh = 100.0;
    let mut c = car("c");
    c.session_energy_wh = 2000.0;
    let input = scenario(site(16.0), vec![], vec![a, b, c]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 0.0);
    assert_eq!(limit(&out, "b"), 8.0);
    assert_eq!(limit(&out, "c"), 8.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::PausedBudgetBelowMinimum {
            bottleneck: Bottleneck::Site { phase: Phase::L1 }
        }
    );
    assert_eq!(
        reason(&out, "a").to_string(),
        "paused: budget below minimum (grid connection L1)"
    );
}

#[test]
fn the_higher_priority_is_filled_first() {
    // 20 A: both minimums fit (6 + 6); the 8 A above them go to priority 1 first: 14 and 6.
    let input = scenario(
        site(20.0),
        vec![],
        vec![with_priority(car("low"), 2), with_priority(car("high"), 1)],
    );
    let out = run(&input);
    assert_eq!(limit(&out, "high"), 14.0);
    assert_eq!(limit(&out, "low"), 6.0);
    assert_eq!(
        reason(&out, "low"),
        Reason::LimitedBySite { phase: Phase::L1 }
    );
}

#[test]
fn the_lower_priority_pauses_even_when_it_charged_less() {
    // 12 A: "high" takes 6 (+1 to start); 6 A left is below the 7 A "low" needs to start.
    let mut high = with_priority(car("high"), 1);
    high.session_energy_wh = 9000.0;
    let input = scenario(site(12.0), vec![], vec![with_priority(car("low"), 9), high]);
    let out = run(&input);
    assert_eq!(limit(&out, "high"), 12.0);
    assert_eq!(limit(&out, "low"), 0.0);
    assert!(reason(&out, "low").is_paused_for_budget());
}

#[test]
fn nested_groups_limit_every_wallbox_below_them() {
    // Carport (10 A) sits in Garage (24 A). Level rises from 6: at 10 the carport is full, "c"
    // stops; "g" goes on alone until the garage is full at 24 − 10 = 14. "out" is only under the
    // 63 A site: its own 16 A maximum.
    let groups = vec![
        group(
            "carport",
            "Carport",
            Some("garage"),
            PhaseAmps::uniform(10.0),
        ),
        group("garage", "Garage", None, PhaseAmps::uniform(24.0)),
    ];
    let input = scenario(
        site(63.0),
        groups,
        vec![
            in_group(car("c"), "carport"),
            in_group(car("g"), "garage"),
            car("out"),
        ],
    );
    let out = run(&input);
    assert_eq!(limit(&out, "c"), 10.0);
    assert_eq!(limit(&out, "g"), 14.0);
    assert_eq!(limit(&out, "out"), 16.0);
    assert_eq!(
        reason(&out, "c"),
        Reason::LimitedByGroup {
            group_id: "carport",
            group_name: "Carport",
            phase: Phase::L1
        }
    );
    assert_eq!(reason(&out, "g").to_string(), "limited by group Garage L1");
    let ids: Vec<&str> = out.groups.iter().map(|g| g.id).collect();
    assert_eq!(ids, ["carport", "garage"]);
    assert_eq!(out.groups[1].allocated_a, PhaseAmps::uniform(24.0));
    assert_eq!(out.groups[1].headroom_a, PhaseAmps::ZERO);
    assert_eq!(out.site.allocated_a, PhaseAmps::uniform(40.0));
}

#[test]
fn a_group_fuse_binds_on_its_weakest_phase() {
    let groups = vec![group(
        "garage",
        "Garage",
        None,
        PhaseAmps::new(32.0, 10.0, 32.0),
    )];
    let input = scenario(site(63.0), groups, vec![in_group(car("a"), "garage")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 10.0);
    assert_eq!(reason(&out, "a").to_string(), "limited by group Garage L2");
}

#[test]
fn one_phase_wallboxes_count_on_their_phase_or_on_all_three() {
    // 16 A site. "l1" and "l2" sit on different phases: 16 A each. "l1b" shares L1 with "l1": 8.
    let input = scenario(
        site(16.0),
        vec![],
        vec![
            one_phase(car("l1"), Some(Phase::L1)),
            one_phase(car("l2"), Some(Phase::L2)),
            one_phase(car("l1b"), Some(Phase::L1)),
        ],
    );
    let out = run(&input);
    assert_eq!(limit(&out, "l1"), 8.0);
    assert_eq!(limit(&out, "l1b"), 8.0);
    assert_eq!(limit(&out, "l2"), 16.0);
    assert_eq!(get(&out, "l2").phases, PhaseSet::single(Phase::L2));

    // Unknown phase, nothing measured: counted on all three, so it shares L2 with "l2": 8 each.
    let input = scenario(
        site(16.0),
        vec![],
        vec![
            one_phase(car("unknown"), None),
            one_phase(car("l2"), Some(Phase::L2)),
        ],
    );
    let out = run(&input);
    assert_eq!(get(&out, "unknown").phases, PhaseSet::ALL);
    assert_eq!(limit(&out, "unknown"), 8.0);
    assert_eq!(limit(&out, "l2"), 8.0);
}

#[test]
fn a_one_phase_wallbox_of_unknown_phase_counts_where_its_draw_shows() {
    // It draws 7 A on L3 only: counted on L3, so "l2" keeps L2 for itself. Both get 16 A.
    let mut unknown = previously(one_phase(car("unknown"), None), 16.0, 600_000);
    unknown.measured_a = Some(PhaseAmps::new(0.2, 0.1, 15.5));
    let input = scenario(
        site(16.0),
        vec![],
        vec![unknown, one_phase(car("l2"), Some(Phase::L2))],
    );
    let out = run(&input);
    assert_eq!(get(&out, "unknown").phases, PhaseSet::single(Phase::L3));
    assert_eq!(limit(&out, "unknown"), 16.0);
    assert_eq!(limit(&out, "l2"), 16.0);
}

#[test]
fn only_a_car_that_wants_current_and_is_allowed_charges() {
    let mut disabled = car("disabled");
    disabled.settings.enabled = false;
    let mut forbidden = car("forbidden");
    forbidden.external.allows = false;
    let mut finished = car("finished");
    finished.vehicle = Vehicle::NoDemand;
    let mut empty = car("empty");
    empty.vehicle = Vehicle::Absent;
    let input = scenario(
        site(63.0),
        vec![],
        vec![disabled, forbidden, finished, empty],
    );
    let out = run(&input);
    for (id, expected) in [
        ("disabled", Reason::Disabled),
        ("forbidden", Reason::PausedByBackend),
        ("finished", Reason::NoDemand),
        ("empty", Reason::NoCar),
    ] {
        assert_eq!(limit(&out, id), 0.0, "{id}");
        assert_eq!(reason(&out, id), expected, "{id}");
    }
    assert_eq!(out.site.allocated_a, PhaseAmps::ZERO);
}

#[test]
fn the_smallest_individual_limit_wins() {
    let mut profile = car("profile");
    profile.external.max_current_a = Some(10.0);
    let mut cable = car("cable");
    cable.cable_limit_a = Some(13.0);
    let mut odd = car("odd");
    odd.settings.max_current_a = 15.99;
    let mut too_low = car("too_low");
    too_low.external.max_current_a = Some(4.0);
    let input = scenario(site(200.0), vec![], vec![profile, cable, odd, too_low]);
    let out = run(&input);
    assert_eq!(limit(&out, "profile"), 10.0);
    assert_eq!(reason(&out, "profile"), Reason::LimitedByExternal);
    assert_eq!(
        reason(&out, "profile").to_string(),
        "limited by backend charging profile"
    );
    assert_eq!(limit(&out, "cable"), 13.0);
    assert_eq!(reason(&out, "cable"), Reason::LimitedByCable);
    // Rounded down to the tenth, never up.
    assert_eq!(limit(&out, "odd"), 15.9);
    assert_eq!(limit(&out, "too_low"), 0.0);
    assert_eq!(
        reason(&out, "too_low"),
        Reason::PausedLimitBelowMinimum {
            limiter: Limiter::External
        }
    );
}

#[test]
fn a_minimum_between_tenths_is_rounded_up() {
    // Minimum 6.05 A: the wallbox gets at least 6.1 A or nothing. 6.1 A fits exactly.
    let mut odd = car("odd");
    odd.settings.min_current_a = 6.05;
    let odd = previously(odd, 8.0, 600_000);
    let input = scenario(site(6.1), vec![], vec![odd]);
    assert_eq!(limit(&run(&input), "odd"), 6.1);
    let input2 = AllocationInput {
        site: site(6.09),
        ..input
    };
    assert_eq!(limit(&run(&input2), "odd"), 0.0);
}

#[test]
fn a_car_that_draws_less_gives_the_rest_to_others() {
    // "slow" was offered 16 A and draws 5: offered 5 + 2 = 7. "fast" takes the rest of 24 − 7 = 17,
    // up to its 16 A maximum.
    let mut slow = previously(car("slow"), 16.0, 600_000);
    slow.measured_a = Some(PhaseAmps::uniform(5.0));
    let mut fast = previously(car("fast"), 8.0, 600_000);
    fast.measured_a = Some(PhaseAmps::uniform(8.0));
    let input = scenario(site(24.0), vec![], vec![slow, fast]);
    let out = run(&input);
    assert_eq!(limit(&out, "slow"), 7.0);
    assert_eq!(reason(&out, "slow"), Reason::LimitedByCarDemand);
    assert_eq!(limit(&out, "fast"), 16.0);

    // Drawing 15.5 of 16 A is within the 1 A threshold: no give-back, 12 A each.
    let mut slow = previously(car("slow"), 16.0, 600_000);
    slow.measured_a = Some(PhaseAmps::uniform(15.5));
    let input = AllocationInput {
        wallboxes: vec![slow, car("fast")],
        ..input
    };
    let out = run(&input);
    assert_eq!(limit(&out, "slow"), 12.0);
    assert_eq!(limit(&out, "fast"), 12.0);
}

#[test]
fn a_car_that_draws_nothing_keeps_its_minimum() {
    // Offered 16, draws 0: offered max(6 minimum, 0 + 2) = 6, so it can start again by itself.
    let mut idle = previously(car("idle"), 16.0, 600_000);
    idle.measured_a = Some(PhaseAmps::ZERO);
    let input = scenario(site(32.0), vec![], vec![idle]);
    let out = run(&input);
    assert_eq!(limit(&out, "idle"), 6.0);
    assert_eq!(reason(&out, "idle"), Reason::LimitedByCarDemand);
}

#[test]
fn minimum_on_time_holds_a_car_against_a_higher_priority() {
    // 11 A. "old" (priority 5) started 10 s ago. In plain order "vip" (priority 1) would take
    // 6 (+1), leaving 5 < 6 for "old". The hold admits "old" first at 6 A; 5 A left is below the
    // 7 A "vip" needs to start.
    let old = previously(car("old"), 11.0, 10_000);
    let input = scenario(site(11.0), vec![], vec![old, with_priority(car("vip"), 1)]);
    let out = run(&input);
    assert_eq!(limit(&out, "old"), 6.0);
    assert_eq!(reason(&out, "old"), Reason::HeldByMinOnTime);
    assert_eq!(limit(&out, "vip"), 0.0);
    assert!(reason(&out, "vip").is_paused_for_budget());
    assert_eq!(get(&out, "old").switched_at_ms, NOW - 10_000);

    // 70 s after it started, the hold is over: "vip" takes all 11 A.
    let old = previously(car("old"), 6.0, 70_000);
    let input = AllocationInput {
        wallboxes: vec![old, with_priority(car("vip"), 1)],
        ..input
    };
    let out = run(&input);
    assert_eq!(limit(&out, "vip"), 11.0);
    assert_eq!(limit(&out, "old"), 0.0);
    assert_eq!(get(&out, "old").switched_at_ms, NOW);
    assert_eq!(get(&out, "vip").switched_at_ms, NOW);
}

#[test]
fn a_held_car_that_would_charge_anyway_is_not_capped() {
    let input = scenario(site(32.0), vec![], vec![previously(car("a"), 10.0, 5_000)]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 16.0);
    assert_eq!(reason(&out, "a"), Reason::LimitedByWallboxMax);
}

#[test]
fn fuse_safety_beats_the_minimum_on_time() {
    // The household suddenly takes 28 of 32 A: 4 A is below the 6 A minimum.
    let mut site = site(32.0);
    site.household = HouseholdLoad::Measured(PhaseAmps::uniform(28.0));
    let input = scenario(site, vec![], vec![previously(car("a"), 16.0, 1_000)]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 0.0);
    assert!(reason(&out, "a").is_paused_for_budget());
}

#[test]
fn a_car_within_its_minimum_off_time_is_told_whether_the_budget_or_the_wait_keeps_it_off() {
    // Paused 30 s ago; the household takes 28 of 32 A: 4 A cannot start it even without the wait.
    let mut tight = site(32.0);
    tight.household = HouseholdLoad::Measured(PhaseAmps::new(28.0, 4.0, 4.0));
    let input = scenario(tight, vec![], vec![previously(car("a"), 0.0, 30_000)]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 0.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::PausedBudgetBelowMinimum {
            bottleneck: Bottleneck::Site { phase: Phase::L1 }
        }
    );
    // The pause still counts from when it began: the wait is not restarted.
    assert_eq!(get(&out, "a").switched_at_ms, NOW - 30_000);

    // The household is back down: only the wait keeps it off.
    let input = scenario(site(32.0), vec![], vec![previously(car("a"), 0.0, 30_000)]);
    let out = run(&input);
    assert_eq!(reason(&out, "a"), Reason::HeldByMinOffTime);

    // Where it stands in the order counts. The household takes 20 of 32 A; "b" charges and is
    // past its minimum on time. Behind "b", "a" finds 12 − 6 (b's minimum) = 6 A, less than the
    // 6 A minimum plus 1 A start hysteresis it needs: the budget keeps it off. Ahead of "b" it
    // finds 12 A: it could start (and "b" would get less), only the wait keeps it off.
    for (a_priority, only_the_wait) in [(2, false), (1, true)] {
        let mut site = site(32.0);
        site.household = HouseholdLoad::Measured(PhaseAmps::uniform(20.0));
        let input = scenario(
            site,
            vec![],
            vec![
                with_priority(previously(car("b"), 16.0, 120_000), 1),
                with_priority(previously(car("a"), 0.0, 30_000), a_priority),
            ],
        );
        let out = run(&input);
        assert_eq!(limit(&out, "b"), 12.0);
        assert_eq!(limit(&out, "a"), 0.0);
        let expected = if only_the_wait {
            Reason::HeldByMinOffTime
        } else {
            Reason::PausedBudgetBelowMinimum {
                bottleneck: Bottleneck::Site { phase: Phase::L1 },
            }
        };
        assert_eq!(reason(&out, "a"), expected, "priority {a_priority}");
    }
}

#[test]
fn minimum_off_time_keeps_a_paused_car_off() {
    let input = scenario(site(32.0), vec![], vec![previously(car("a"), 0.0, 30_000)]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 0.0);
    assert_eq!(reason(&out, "a"), Reason::HeldByMinOffTime);
    assert_eq!(get(&out, "a").switched_at_ms, NOW - 30_000);

    let input = AllocationInput {
        wallboxes: vec![previously(car("a"), 0.0, 61_000)],
        ..input
    };
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 16.0);
    assert_eq!(get(&out, "a").switched_at_ms, NOW);
}

#[test]
fn a_wallbox_never_switched_by_load_management_is_not_held() {
    let mut never = car("a");
    never.previous = Some(PreviousAllocation {
        limit_a: 0.0,
        switched_at_ms: PreviousAllocation::NEVER_SWITCHED_MS,
    });
    let input = scenario(site(32.0), vec![], vec![never]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 16.0);
    assert_eq!(get(&out, "a").switched_at_ms, NOW);
}

#[test]
fn hysteresis_a_paused_car_needs_a_margin_to_start_a_charging_one_does_not() {
    // 6.5 A: below 6 + 1 for the paused car, enough for the charging one to stay at 6.5.
    let paused = previously(car("paused"), 0.0, 600_000);
    let input = scenario(site(6.5), vec![], vec![paused]);
    assert_eq!(limit(&run(&input), "paused"), 0.0);

    let charging = previously(car("charging"), 10.0, 600_000);
    let input = AllocationInput {
        wallboxes: vec![charging],
        ..input
    };
    let out = run(&input);
    assert_eq!(limit(&out, "charging"), 6.5);
    assert_eq!(
        reason(&out, "charging"),
        Reason::LimitedBySite { phase: Phase::L1 }
    );
}

#[test]
fn an_unreachable_wallbox_keeps_its_budget() {
    // "lost" is counted at its last 10 A; "a" gets the other 10 of 20 A.
    let mut lost = previously(car("lost"), 10.0, 600_000);
    lost.reachable = false;
    let input = scenario(site(20.0), vec![], vec![lost, car("a")]);
    let out = run(&input);
    assert_eq!(limit(&out, "lost"), 10.0);
    assert_eq!(reason(&out, "lost"), Reason::FrozenDeviceUnreachable);
    assert_eq!(limit(&out, "a"), 10.0);
    assert_eq!(get(&out, "lost").switched_at_ms, NOW - 600_000);

    // Never allocated: counted at its 16 A maximum; 4 A left is below the 7 A "a" needs.
    let mut never = car("never");
    never.reachable = false;
    let input = AllocationInput {
        wallboxes: vec![never, car("a")],
        ..input
    };
    let out = run(&input);
    assert_eq!(limit(&out, "never"), 16.0);
    assert_eq!(limit(&out, "a"), 0.0);
}

#[test]
fn unreachable_wallboxes_beyond_the_budget_pause_everyone_else() {
    let mut lost = previously(car("lost"), 16.0, 600_000);
    lost.reachable = false;
    let input = scenario(site(10.0), vec![], vec![lost, car("a")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 0.0);
    assert_eq!(out.site.allocated_a, PhaseAmps::uniform(16.0));
    assert_eq!(out.site.headroom_a, PhaseAmps::uniform(-6.0));
}

#[test]
fn a_failed_grid_meter_pauses_everything_by_default() {
    let mut site = site(32.0);
    site.household = HouseholdLoad::MeterFailed;
    let mut lost = previously(car("lost"), 8.0, 600_000);
    lost.reachable = false;
    let input = scenario(site, vec![], vec![previously(car("a"), 16.0, 1_000), lost]);
    let out = run(&input);
    assert_eq!(out.site.mode, BudgetMode::SafeMeterFailed);
    assert_eq!(limit(&out, "a"), 0.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::SafeBudgetMeterFailed { paused: true }
    );
    // What cannot be changed is still counted.
    assert_eq!(limit(&out, "lost"), 8.0);
    assert_eq!(out.site.available_a, PhaseAmps::ZERO);
}

#[test]
fn a_failed_grid_meter_with_an_assumed_load_runs_cars_at_their_minimum() {
    // 33 − 20 assumed = 13 A: "a" needs 7 to start (6 reserved), "b" then 7 of 7 left; "c" is
    // paused. Both run at exactly 6 A although 1 A is left: only minimums in safe mode.
    let mut site = site(33.0);
    site.household = HouseholdLoad::Measured(PhaseAmps::new(f64::NAN, 1.0, 1.0));
    let input = scenario(site, vec![], vec![car("a"), car("b"), car("c")]);
    let tuning = Tuning {
        meter_failure: MeterFailurePolicy::AssumeHouseholdLoad(PhaseAmps::uniform(20.0)),
        ..Tuning::default()
    };
    let out = allocate(&input, &tuning);
    assert_eq!(out.site.mode, BudgetMode::SafeMeterFailed);
    assert_eq!(limit(&out, "a"), 6.0);
    assert_eq!(limit(&out, "b"), 6.0);
    assert_eq!(limit(&out, "c"), 0.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::SafeBudgetMeterFailed { paused: false }
    );
    assert_eq!(
        reason(&out, "c"),
        Reason::SafeBudgetMeterFailed { paused: true }
    );
}

#[test]
fn a_wallbox_in_an_unknown_group_is_paused() {
    let input = scenario(site(32.0), vec![], vec![in_group(car("a"), "attic")]);
    let out = run(&input);
    assert_eq!(limit(&out, "a"), 0.0);
    assert_eq!(
        reason(&out, "a"),
        Reason::UnknownGroup { group_id: "attic" }
    );
}

#[test]
fn the_input_order_does_not_matter() {
    let groups = vec![
        group("g1", "One", None, PhaseAmps::uniform(20.0)),
        group("g2", "Two", Some("g1"), PhaseAmps::new(9.0, 12.0, 20.0)),
    ];
    let wallboxes = vec![
        in_group(car("a"), "g1"),
        in_group(with_priority(car("b"), 2), "g2"),
        in_group(one_phase(car("c"), Some(Phase::L2)), "g2"),
        car("d"),
        in_group(car("e"), "g1"),
    ];
    let forward = scenario(site(25.0), groups.clone(), wallboxes.clone());
    let mut reversed_boxes = wallboxes;
    reversed_boxes.reverse();
    let mut reversed_groups = groups;
    reversed_groups.reverse();
    let backward = scenario(site(25.0), reversed_groups, reversed_boxes);
    let (one, two) = (run(&forward), run(&backward));
    for wallbox in &one.wallboxes {
        assert_eq!(wallbox, get(&two, wallbox.id));
    }
    for summary in &one.groups {
        assert_eq!(
            Some(summary),
            two.groups.iter().find(|g| g.id == summary.id)
        );
    }
    assert_eq!(one.site, two.site);
    assert_eq!(one, run(&forward));
}

#[test]
fn reasons_serialise_with_a_code_for_the_ui() {
    let reason = Reason::LimitedByGroup {
        group_id: "g",
        group_name: "Garage",
        phase: Phase::L2,
    };
    let json = serde_json::to_value(reason).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"code": "limited_by_group", "group_id": "g", "group_name": "Garage", "phase": "l2"})
    );
    let phases = serde_json::to_value(PhaseSet::single(Phase::L3)).unwrap();
    assert_eq!(phases, serde_json::json!(["l3"]));
}

/// Groups "a" (Garage) and "b" (Barn, 20 A); "a" hangs below `parent_of_a`. Two cars in "a",
/// one in "b".
fn nested(parent_of_a: Option<&str>, a_limit: f64) -> AllocationInput {
    let groups = vec![
        group("a", "Garage", parent_of_a, PhaseAmps::uniform(a_limit)),
        group("b", "Barn", None, PhaseAmps::uniform(20.0)),
    ];
    let wallboxes = vec![
        in_group(car("one"), "a"),
        in_group(car("two"), "a"),
        in_group(car("three"), "b"),
    ];
    scenario(site(63.0), groups, wallboxes)
}

#[test]
fn a_reused_allocator_follows_every_change_of_the_groups() {
    let mut allocator = Allocator::new();
    let tuning = Tuning::default();
    let inputs = [
        nested(None, 32.0),
        // The same ids, but "a" now inside "b": the cached tree must not be used.
        nested(Some("b"), 32.0),
        // The same structure with another fuse limit: taken from the input, not the cache.
        nested(Some("b"), 13.0),
        nested(None, 32.0),
    ];
    for _ in 0..2 {
        for input in &inputs {
            assert_eq!(allocator.allocate(input, &tuning), allocate(input, &tuning));
        }
    }
    // Side by side, "three" has "b" to itself.
    assert_eq!(
        limit(&allocator.allocate(&inputs[0], &tuning), "three"),
        16.0
    );
    // All three inside "b": 66 tenths each, the 2 left over to "one" and "three" (by id).
    let inside = allocator.allocate(&inputs[1], &tuning);
    assert_eq!(limit(&inside, "three"), 6.7);
    assert_eq!(limit(&inside, "two"), 6.6);
    // "a" at 13 A inside "b": 6.5 A each in "a", the 7 A left in "b" for "three".
    let small = allocator.allocate(&inputs[2], &tuning);
    assert_eq!(small.groups[0].limit_a, PhaseAmps::uniform(13.0));
    assert_eq!(limit(&small, "one"), 6.5);
    assert_eq!(limit(&small, "three"), 7.0);
}

#[test]
fn a_reused_allocator_shows_the_names_of_this_call() {
    let mut allocator = Allocator::new();
    let mut input = scenario(
        site(63.0),
        vec![group("g", "Garage", None, PhaseAmps::uniform(10.0))],
        vec![in_group(car("one"), "g"), in_group(car("two"), "g")],
    );
    let first = allocator.allocate(&input, &Tuning::default()).groups[0].name;
    assert_eq!(first, "Garage");
    input.groups[0].name = "Carport".into();
    let allocation = allocator.allocate(&input, &Tuning::default());
    assert_eq!(allocation.groups[0].name, "Carport");
    assert!(matches!(
        get(&allocation, "two").reason,
        Reason::PausedBudgetBelowMinimum {
            bottleneck: Bottleneck::Group {
                group_name: "Carport",
                ..
            }
        }
    ));
}

#[test]
fn an_allocator_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<Allocator>();
}
