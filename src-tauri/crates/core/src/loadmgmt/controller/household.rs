//! The household load behind the grid meter, from its reading and the bounds of what each wallbox
//! drew at that moment.
//!
//! Right after a wallbox was given a new limit, it is not known whether it had already followed it
//! when the meter was read, so the household load is only known to lie in a range. Taking its top
//! would count an increase the car did take as household load: the budget would dip by it for a
//! tick, and wallboxes would be reduced or even paused for a minimum off time, only to be raised
//! again. Taking its bottom would count a reduction the car had not followed yet as done. So the
//! last estimate is kept while the reading allows it (the household rarely changes in the same
//! second as a limit), and otherwise the nearest value the reading allows. Counted too small, the
//! error is at most the part of an increase the car has not taken yet, which it then does not draw.
//! Without a last estimate, the top of the range.

use crate::device::runtime::DeviceStatus;

use super::super::input::HouseholdLoad;
use super::super::observe::household_load;
use super::super::phases::PhaseAmps;
use super::draw_history::DrawBounds;

pub(super) fn estimate(
    grid_meter: Option<&DeviceStatus>,
    drawn: &[DrawBounds],
    previous: Option<PhaseAmps>,
) -> HouseholdLoad {
    let at_most = household_load(grid_meter, drawn.iter().map(|draw| draw.least));
    let at_least = household_load(grid_meter, drawn.iter().map(|draw| draw.most));
    let (HouseholdLoad::Measured(at_most), HouseholdLoad::Measured(at_least)) = (at_most, at_least)
    else {
        return at_most;
    };
    let Some(previous) = previous else {
        return HouseholdLoad::Measured(at_most);
    };
    let mut household = at_most.to_array();
    for ((value, previous), at_least) in household
        .iter_mut()
        .zip(previous.to_array())
        .zip(at_least.to_array())
    {
        if previous > *value || previous.is_nan() || at_least.is_nan() {
            continue;
        }
        *value = previous.max(at_least);
    }
    HouseholdLoad::Measured(PhaseAmps::from_array(household))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::runtime::{Availability, DeviceReading};
    use crate::device::MeterReading;

    fn grid(currents: [f64; 3]) -> DeviceStatus {
        DeviceStatus {
            device_id: "grid".to_owned(),
            availability: Availability::Online,
            reading: Some(DeviceReading::Meter(MeterReading {
                current_a: Some(currents),
                ..MeterReading::default()
            })),
            read_at: None,
            last_error: None,
            applied: None,
        }
    }

    fn between(least: f64, most: f64) -> DrawBounds {
        DrawBounds {
            least: PhaseAmps::uniform(least),
            most: PhaseAmps::uniform(most),
        }
    }

    #[test]
    fn a_known_draw_gives_the_household_exactly() {
        let meter = grid([20.0, 20.0, 20.0]);
        assert_eq!(
            estimate(
                Some(&meter),
                &[between(16.0, 16.0)],
                Some(PhaseAmps::uniform(9.0))
            ),
            HouseholdLoad::Measured(PhaseAmps::uniform(4.0))
        );
    }

    #[test]
    fn the_last_estimate_stays_while_the_reading_allows_it() {
        // Told 16 A after drawing nothing: the meter's 20 A are 4 A household and 16 A car, or
        // anything up to 20 A household.
        let meter = grid([20.0, 20.0, 20.0]);
        let drawn = [between(0.0, 16.0)];
        assert_eq!(
            estimate(Some(&meter), &drawn, Some(PhaseAmps::uniform(4.0))),
            HouseholdLoad::Measured(PhaseAmps::uniform(4.0))
        );
        // Without a last estimate: the most it can be.
        assert_eq!(
            estimate(Some(&meter), &drawn, None),
            HouseholdLoad::Measured(PhaseAmps::uniform(20.0))
        );
        // When the reading rules it out: the nearest value it allows.
        assert_eq!(
            estimate(Some(&meter), &drawn, Some(PhaseAmps::new(2.0, 4.0, 25.0))),
            HouseholdLoad::Measured(PhaseAmps::new(4.0, 4.0, 20.0))
        );
    }

    #[test]
    fn a_failed_meter_stays_failed() {
        assert_eq!(
            estimate(None, &[], Some(PhaseAmps::uniform(4.0))),
            HouseholdLoad::MeterFailed
        );
    }
}
