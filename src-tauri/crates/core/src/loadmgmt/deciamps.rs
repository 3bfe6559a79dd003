//! Whole tenths of an ampere, the unit `allocate` computes in.
//!
//! Limits are sent to wallboxes in 0.1 A steps. Computing in integer tenths makes every sum exact,
//! so "the per-phase sum never exceeds the fuse" holds without floating-point slack, and rounding
//! happens once, at the edges, always in the safe direction: capacities and upper limits round
//! down, minimum currents round up.

/// Amperes × 10.
pub(super) type DeciAmps = i64;

/// Far above any fuse, and far enough from `i64::MAX` that sums of thousands of them cannot
/// overflow. Stands in for "no limit" and for values that are not numbers.
pub(super) const HUGE: DeciAmps = 1_000_000_000;

/// Absorbs the error of decimal amperes in binary floating point (16.1 × 10 is 160.99999…).
/// One millionth of an ampere is far below anything a wallbox or a meter resolves.
const EPSILON: f64 = 1e-6;

/// For capacities and upper limits: the largest whole tenth that is not above `amperes`
/// (within `EPSILON`). Not a number gives 0: nothing is available.
pub(super) fn floor_da(amperes: f64) -> DeciAmps {
    if amperes.is_nan() {
        return 0;
    }
    let tenths = clamp(amperes * 10.0 + EPSILON);
    let truncated = tenths as DeciAmps;
    // Truncation rounds towards zero: down for what is not negative (nearly everything, so the
    // converting back and comparing below is rarely needed); up below zero, so step down.
    if tenths >= 0.0 {
        return truncated;
    }
    if truncated as f64 > tenths {
        truncated - 1
    } else {
        truncated
    }
}

/// For minimum currents and currents others must leave room for: the smallest whole tenth that
/// is not below `amperes`. Not a number gives `HUGE`: it never fits.
pub(super) fn ceil_da(amperes: f64) -> DeciAmps {
    if amperes.is_nan() {
        return HUGE;
    }
    let tenths = clamp(amperes * 10.0 - EPSILON);
    let truncated = tenths as DeciAmps;
    if (truncated as f64) < tenths {
        truncated + 1
    } else {
        truncated
    }
}

pub(super) fn to_amps(deciamps: DeciAmps) -> f64 {
    deciamps as f64 / 10.0
}

/// Keeps sums far from i64 overflow. (Not `f64::floor`/`ceil`: without SSE4.1 those are library
/// calls, and `allocate` rounds several values per wallbox.)
fn clamp(tenths: f64) -> f64 {
    tenths.clamp(-(HUGE as f64), HUGE as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_amperes_round_to_the_tenth_they_mean() {
        assert_eq!(floor_da(16.1), 161);
        assert_eq!(ceil_da(6.1), 61);
        assert_eq!(floor_da(0.1 + 0.2), 3);
        assert_eq!(ceil_da(6.05), 61);
        assert_eq!(floor_da(6.05), 60);
        assert_eq!(floor_da(-1.25), -13);
        assert_eq!(ceil_da(-1.25), -12);
        assert_eq!(floor_da(-3.0), -30);
        assert_eq!(ceil_da(7.0), 70);
        assert_eq!(ceil_da(0.0), 0);
    }

    #[test]
    fn non_numbers_round_to_the_safe_side() {
        assert_eq!(floor_da(f64::NAN), 0);
        assert_eq!(ceil_da(f64::NAN), HUGE);
        assert_eq!(floor_da(f64::INFINITY), HUGE);
        assert_eq!(floor_da(f64::NEG_INFINITY), -HUGE);
    }
}
