//! How long a bus waits before it tries a lost link again.

use std::time::Duration;

/// Exponential back-off: `min` after the first failure, doubling with every further failed attempt,
/// never more than `max`. Doubling keeps an unplugged adapter from being hammered while a
/// briefly lost link comes back quickly.
pub fn reconnect_delay(attempts: u32, min: Duration, max: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(31);
    min.saturating_mul(1_u32 << doublings).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(30);

    #[test]
    fn doubles_from_min_up_to_max() {
        let delays: Vec<u128> = (1..=9)
            .map(|attempts| reconnect_delay(attempts, MIN, MAX).as_millis())
            .collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]
        );
    }

    #[test]
    fn never_overflows() {
        assert_eq!(reconnect_delay(u32::MAX, MIN, MAX), MAX);
        assert_eq!(
            reconnect_delay(64, Duration::from_secs(u64::MAX / 2), Duration::MAX),
            Duration::MAX
        );
    }

    #[test]
    fn attempt_zero_counts_as_the_first() {
        assert_eq!(reconnect_delay(0, MIN, MAX), MIN);
    }

    #[test]
    fn max_below_min_wins() {
        assert_eq!(
            reconnect_delay(1, MIN, Duration::from_millis(100)),
            Duration::from_millis(100)
        );
    }
}
