//! Values spread over several 16-bit registers. Modbus devices send registers big-endian; the
//! multi-register values decoded here put the high word first, as the meters and wallboxes Ampwise
//! supports do.
//!
//! Each function reads the first registers it needs from the slice and ignores the rest, so a
//! driver can pass the tail of a larger block; `None` means the slice is too short.

/// Two registers as an unsigned 32-bit number.
pub fn u32_from(regs: &[u16]) -> Option<u32> {
    match regs {
        [high, low, ..] => Some((u32::from(*high) << 16) | u32::from(*low)),
        _ => None,
    }
}

/// Four registers as an unsigned 64-bit number (energy counters in Wh).
pub fn u64_from(regs: &[u16]) -> Option<u64> {
    match regs {
        [w0, w1, w2, w3, ..] => Some(
            (u64::from(*w0) << 48)
                | (u64::from(*w1) << 32)
                | (u64::from(*w2) << 16)
                | u64::from(*w3),
        ),
        _ => None,
    }
}

/// Two registers as a two's complement signed 32-bit number (power flowing back is negative).
pub fn i32_from(regs: &[u16]) -> Option<i32> {
    u32_from(regs).map(|bits| i32::from_be_bytes(bits.to_be_bytes()))
}

/// Two registers as an IEEE 754 single-precision float.
///
/// NaN and infinities are `None`: meters send them for "no value", and arithmetic on them would
/// poison every limit computed from the reading.
pub fn f32_from(regs: &[u16]) -> Option<f32> {
    u32_from(regs)
        .map(f32::from_bits)
        .filter(|value| value.is_finite())
}

/// Text stored two characters per register, high byte first (serial numbers, RFID tags).
///
/// Stops at the first NUL byte and trims surrounding whitespace. Bytes that are not printable
/// ASCII become `?`, so control characters from a misbehaving device never reach logs or the UI.
pub fn ascii_from(regs: &[u16]) -> String {
    let text: String = regs
        .iter()
        .flat_map(|register| register.to_be_bytes())
        .take_while(|byte| *byte != 0)
        .map(|byte| {
            if byte.is_ascii_graphic() || byte == b' ' {
                char::from(byte)
            } else {
                '?'
            }
        })
        .collect();
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u32_puts_the_high_word_first() {
        assert_eq!(u32_from(&[0x0001, 0x0002]), Some(0x0001_0002));
        assert_eq!(u32_from(&[0xFFFF, 0xFFFF]), Some(u32::MAX));
        assert_eq!(u32_from(&[0x1234, 0x5678, 0x9999]), Some(0x1234_5678));
        assert_eq!(u32_from(&[0x1234]), None);
        assert_eq!(u32_from(&[]), None);
    }

    #[test]
    fn u64_puts_the_highest_word_first() {
        assert_eq!(
            u64_from(&[0x0102, 0x0304, 0x0506, 0x0708]),
            Some(0x0102_0304_0506_0708)
        );
        assert_eq!(u64_from(&[0, 0, 0x0001, 0x86A0]), Some(100_000));
        assert_eq!(u64_from(&[1, 2, 3]), None);
    }

    #[test]
    fn i32_is_twos_complement() {
        assert_eq!(i32_from(&[0xFFFF, 0xFFFF]), Some(-1));
        assert_eq!(i32_from(&[0xFFFF, 0xF830]), Some(-2000));
        assert_eq!(i32_from(&[0x8000, 0x0000]), Some(i32::MIN));
        assert_eq!(i32_from(&[0x7FFF, 0xFFFF]), Some(i32::MAX));
        assert_eq!(i32_from(&[0x0000, 0x0BB8]), Some(3000));
        assert_eq!(i32_from(&[0xFFFF]), None);
    }

    #[test]
    fn f32_decodes_ieee_754_and_rejects_non_finite_values() {
        // 230.5 V as an Eastron meter sends it.
        assert_eq!(f32_from(&[0x4366, 0x8000]), Some(230.5));
        assert_eq!(f32_from(&[0xC2C8, 0x0000]), Some(-100.0));
        assert_eq!(f32_from(&[0x0000, 0x0000]), Some(0.0));
        assert_eq!(f32_from(&[0x7FC0, 0x0000]), None, "NaN");
        assert_eq!(f32_from(&[0x7F80, 0x0000]), None, "+infinity");
        assert_eq!(f32_from(&[0xFF80, 0x0000]), None, "-infinity");
        assert_eq!(f32_from(&[0x4366]), None);
    }

    #[test]
    fn every_f32_round_trips_through_two_registers() {
        for value in [
            1.0e-30_f32,
            -3.25,
            16.0,
            11_000.125,
            f32::MAX,
            f32::MIN_POSITIVE,
        ] {
            let bits = value.to_bits();
            let regs = [(bits >> 16) as u16, (bits & 0xFFFF) as u16];
            assert_eq!(f32_from(&regs), Some(value));
        }
    }

    #[test]
    fn ascii_reads_high_byte_first_and_stops_at_nul() {
        assert_eq!(ascii_from(&[0x4142, 0x4344]), "ABCD");
        assert_eq!(ascii_from(&[0x4142, 0x4300, 0x4445]), "ABC");
        assert_eq!(ascii_from(&[0x0041]), "");
        assert_eq!(ascii_from(&[]), "");
    }

    #[test]
    fn ascii_trims_padding_and_masks_unprintable_bytes() {
        assert_eq!(ascii_from(&[0x2020, 0x3132, 0x3320, 0x2020]), "123");
        assert_eq!(ascii_from(&[0x411B, 0x42FF]), "A?B?");
    }
}
