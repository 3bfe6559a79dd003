//! Timing rules of Modbus RTU on a serial line (Modbus over Serial Line V1.02, 2.5.1.1).
//!
//! RTU has no frame delimiter: a receiver knows a frame ended because the line went silent for
//! 3.5 character times. Sending the next request sooner makes a device glue it to the previous
//! frame and drop both.

use std::time::Duration;

use crate::config::{Parity, SerialSettings};

/// Above this rate the spec fixes the silence instead of scaling it with the character time.
const FIXED_TIMING_ABOVE_BAUD: u32 = 19_200;
/// The fixed inter-frame silence for rates above 19200 baud.
const FIXED_INTER_FRAME_SILENCE: Duration = Duration::from_micros(1_750);
/// A USB adapter delivers received bytes in bursts (FTDI: every 16 ms), so "no byte for a few
/// character times" is not yet proof that the line is quiet.
const MIN_DRAIN_QUIET: Duration = Duration::from_millis(50);
/// Character times without a byte after which a frame in flight has surely ended: a frame allows
/// at most 1.5 character times between its bytes.
const DRAIN_QUIET_CHARACTERS: u32 = 20;

/// Bits on the wire per character: start bit, data bits, parity bit if any, stop bits.
pub fn character_bits(settings: &SerialSettings) -> u32 {
    let parity = match settings.parity {
        Parity::None => 0,
        Parity::Even | Parity::Odd => 1,
    };
    1 + u32::from(settings.data_bits) + parity + u32::from(settings.stop_bits)
}

/// How long one character takes on the wire.
pub fn character_time(settings: &SerialSettings) -> Duration {
    let nanos = u64::from(character_bits(settings)) * 1_000_000_000 / baud(settings);
    Duration::from_nanos(nanos)
}

/// The silence required between the end of one frame and the start of the next: 3.5 character
/// times, or 1.75 ms above 19200 baud.
pub fn inter_frame_silence(settings: &SerialSettings) -> Duration {
    if settings.baud_rate > FIXED_TIMING_ABOVE_BAUD {
        return FIXED_INTER_FRAME_SILENCE;
    }
    let nanos = u64::from(character_bits(settings)) * 3_500_000_000 / baud(settings);
    Duration::from_nanos(nanos)
}

/// How long the line must stay quiet before leftovers of a failed exchange count as gone.
pub fn drain_quiet(settings: &SerialSettings) -> Duration {
    character_time(settings)
        .saturating_mul(DRAIN_QUIET_CHARACTERS)
        .max(MIN_DRAIN_QUIET)
}

/// Zero would divide by zero; validation rejects it long before, this only keeps the math total.
fn baud(settings: &SerialSettings) -> u64 {
    u64::from(settings.baud_rate.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(baud_rate: u32, data_bits: u8, parity: Parity, stop_bits: u8) -> SerialSettings {
        SerialSettings {
            port: "/dev/ttyUSB0".into(),
            baud_rate,
            data_bits,
            parity,
            stop_bits,
        }
    }

    #[test]
    fn a_character_counts_start_data_parity_and_stop_bits() {
        assert_eq!(character_bits(&serial(9600, 8, Parity::None, 1)), 10);
        assert_eq!(character_bits(&serial(9600, 8, Parity::Even, 1)), 11);
        assert_eq!(character_bits(&serial(9600, 8, Parity::None, 2)), 11);
        assert_eq!(character_bits(&serial(9600, 7, Parity::Odd, 1)), 10);
    }

    #[test]
    fn silence_is_three_and_a_half_characters_up_to_19200_baud() {
        // 9600 8N1: 3.5 * 10 bits / 9600 = 3.6458 ms.
        assert_eq!(
            inter_frame_silence(&serial(9600, 8, Parity::None, 1)),
            Duration::from_nanos(3_645_833)
        );
        // 19200 8E1 (the spec default): 3.5 * 11 / 19200 = 2.0052 ms.
        assert_eq!(
            inter_frame_silence(&serial(19_200, 8, Parity::Even, 1)),
            Duration::from_nanos(2_005_208)
        );
        // 1200 8N2: 3.5 * 11 / 1200 = 32.083 ms.
        assert_eq!(
            inter_frame_silence(&serial(1200, 8, Parity::None, 2)),
            Duration::from_nanos(32_083_333)
        );
    }

    #[test]
    fn silence_is_fixed_above_19200_baud() {
        for baud in [38_400, 57_600, 115_200] {
            assert_eq!(
                inter_frame_silence(&serial(baud, 8, Parity::None, 1)),
                Duration::from_micros(1750)
            );
        }
    }

    #[test]
    fn drain_waits_at_least_50_ms_and_longer_on_slow_lines() {
        assert_eq!(
            drain_quiet(&serial(115_200, 8, Parity::None, 1)),
            Duration::from_millis(50)
        );
        assert_eq!(
            drain_quiet(&serial(9600, 8, Parity::None, 1)),
            Duration::from_millis(50)
        );
        // 1200 8N1: 20 characters of 8.33 ms.
        assert_eq!(
            drain_quiet(&serial(1200, 8, Parity::None, 1)),
            Duration::from_nanos(8_333_333 * 20)
        );
    }

    #[test]
    fn a_zero_baud_rate_does_not_divide_by_zero() {
        let settings = serial(0, 8, Parity::None, 1);
        assert!(inter_frame_silence(&settings) > Duration::ZERO);
    }
}
