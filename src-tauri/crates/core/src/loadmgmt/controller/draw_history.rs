//! What a polled wallbox drew when the grid meter was read.
//!
//! The household load is the grid meter's reading minus what the wallboxes drew, but the meter and
//! each wallbox are read at different moments, and limits change in between. Subtracting a
//! wallbox's newest draw from an older meter reading (or the other way round) after its limit
//! changed miscounts the household by the change, in either direction. So each wallbox's draw at
//! the meter reading is bounded: from its last reading before the meter reading, and every limit
//! it was told after that reading and before the meter reading, which it may or may not have
//! followed yet. The controller turns the bounds into the household load (see `household`).

use std::collections::VecDeque;

use time::{Duration, OffsetDateTime};

use super::super::phases::PhaseAmps;

/// Readings and commands kept per wallbox: a few polls' worth, enough to reach back past the grid
/// meter's last reading.
const KEPT: usize = 6;
/// A limit read back within this of a command's limit is that command (the wallbox stores tenths).
const SAME_LIMIT_A: f64 = 0.05;

#[derive(Debug, Clone, Copy)]
struct Seen {
    at: OffsetDateTime,
    draw: PhaseAmps,
    /// The limit the wallbox held when read; 0 while charging was off.
    held_a: f64,
}

#[derive(Debug, Clone, Copy)]
struct Told {
    at: OffsetDateTime,
    /// 0 = paused.
    limit_a: f64,
}

#[derive(Debug, Default)]
pub(super) struct DrawHistory {
    seen: VecDeque<Seen>,
    told: VecDeque<Told>,
}

impl DrawHistory {
    /// A reading of the wallbox taken at `at`; the same reading seen again is ignored.
    pub(super) fn saw(&mut self, at: OffsetDateTime, draw: PhaseAmps, held_a: f64) {
        if self.seen.back().is_some_and(|last| last.at >= at) {
            return;
        }
        self.seen.push_back(Seen { at, draw, held_a });
        if self.seen.len() > KEPT {
            self.seen.pop_front();
        }
    }

    /// The controller told the wallbox a new limit at `at` (0 = paused).
    pub(super) fn told(&mut self, at: OffsetDateTime, limit_a: f64) {
        if self
            .told
            .back()
            .is_some_and(|last| same_limit(last.limit_a, limit_a))
        {
            return;
        }
        self.told.push_back(Told { at, limit_a });
        if self.told.len() > KEPT {
            self.told.pop_front();
        }
    }

    /// The least and the most the wallbox can have drawn, per phase, when the grid meter was read
    /// at `grid_read_at`; `None` when it was not seen before then (its draw then counts as
    /// household load). A limit told more than `settled_after` before the meter reading and still
    /// not seen held (the wallbox stopped answering, or refused it) no longer widens the bounds
    /// upwards: only the least draw is safe to assume for long.
    pub(super) fn draw_at(
        &self,
        grid_read_at: OffsetDateTime,
        settled_after: Duration,
    ) -> Option<DrawBounds> {
        let seen = self
            .seen
            .iter()
            .rev()
            .find(|seen| seen.at <= grid_read_at)?;
        // The command the reading shows the wallbox holding; those after it may have reached the
        // wallbox before the meter was read. `at` of a reading is when it was complete, so a
        // command told during the read is not yet in it: hence the match on the limit, not time.
        let reflected = self
            .told
            .iter()
            .rposition(|told| told.at <= seen.at && same_limit(told.limit_a, seen.held_a));
        let after_reading = |index: usize, told: &Told| match reflected {
            Some(reflected) => index > reflected,
            None => told.at > seen.at,
        };
        let mut least = seen.draw.to_array();
        let mut most = least;
        for (_, told) in self
            .told
            .iter()
            .enumerate()
            .filter(|(index, told)| after_reading(*index, told) && told.at <= grid_read_at)
        {
            let recent = told.at + settled_after > grid_read_at;
            for (least, most) in least.iter_mut().zip(&mut most) {
                *least = least.min(told.limit_a);
                if recent {
                    *most = most.max(told.limit_a);
                }
            }
        }
        Some(DrawBounds {
            least: PhaseAmps::from_array(least),
            most: PhaseAmps::from_array(most.map(|most| most.max(0.0))),
        })
    }
}

/// What a wallbox can have drawn at one moment, per phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DrawBounds {
    pub(super) least: PhaseAmps,
    pub(super) most: PhaseAmps,
}

impl DrawBounds {
    pub(super) fn exactly(draw: PhaseAmps) -> Self {
        Self {
            least: draw,
            most: draw,
        }
    }
}

fn same_limit(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME_LIMIT_A
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTLED: Duration = Duration::seconds(3);

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    fn amps(a: f64) -> PhaseAmps {
        PhaseAmps::uniform(a)
    }

    fn bounds(least: f64, most: f64) -> Option<DrawBounds> {
        Some(DrawBounds {
            least: amps(least),
            most: amps(most),
        })
    }

    #[test]
    fn the_draw_last_seen_before_the_meter_reading_counts() {
        let mut history = DrawHistory::default();
        history.told(at(0), 6.0);
        history.saw(at(1), amps(6.0), 6.0);
        history.told(at(2), 16.0);
        history.saw(at(3), amps(16.0), 16.0);
        // Read at 1.5 s: the wallbox drew 6 A then (16 A were told at 2 s).
        let meter_read = at(1) + Duration::milliseconds(500);
        assert_eq!(history.draw_at(meter_read, SETTLED), bounds(6.0, 6.0));
        assert_eq!(history.draw_at(at(4), SETTLED), bounds(16.0, 16.0));
        // Not seen before the meter reading.
        assert_eq!(history.draw_at(at(0), SETTLED), None);
    }

    #[test]
    fn limits_told_between_its_reading_and_the_meter_reading_widen_the_bounds() {
        let mut history = DrawHistory::default();
        history.told(at(0), 16.0);
        history.saw(at(1), amps(16.0), 16.0);
        history.told(at(2), 10.0);
        assert_eq!(history.draw_at(at(3), SETTLED), bounds(10.0, 16.0));
        // Told after the meter reading: the meter saw the old draw.
        let meter_read = at(2) - Duration::milliseconds(1);
        assert_eq!(history.draw_at(meter_read, SETTLED), bounds(16.0, 16.0));
        history.saw(at(4), amps(10.0), 10.0);
        history.told(at(5), 16.0);
        assert_eq!(history.draw_at(at(6), SETTLED), bounds(10.0, 16.0));
        // Never seen held: after a while only what it surely draws.
        assert_eq!(history.draw_at(at(9), SETTLED), bounds(10.0, 10.0));
    }

    #[test]
    fn a_command_told_while_the_wallbox_was_being_read_is_not_in_the_reading() {
        let mut history = DrawHistory::default();
        history.told(at(0), 16.0);
        // Told at 1 s, but the reading completed at 2 s still shows 16 A held.
        history.told(at(1), 8.0);
        history.saw(at(2), amps(16.0), 16.0);
        assert_eq!(history.draw_at(at(3), SETTLED), bounds(8.0, 16.0));
    }
}
