//! Modbus RTU framing: unit id + PDU + CRC-16 (low byte first), and finding request frames in
//! the byte stream a bus delivers.
//!
//! RTU frames carry no length, so a request's length follows from its function code. A CRC
//! mismatch means we are not aligned on a frame start (noise, a partial frame): the caller drops
//! one byte and tries again, which re-synchronises on the next real frame.

/// The spec's maximum RTU frame size.
pub(crate) const MAX_FRAME_LEN: usize = 256;
/// Unit id + function code + CRC: the shortest possible frame.
const MIN_FRAME_LEN: usize = 4;

/// What the start of the receive buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A complete frame with a good CRC of `len` bytes.
    Frame { unit: u8, pdu: Vec<u8>, len: usize },
    /// Could become a frame once more bytes arrive.
    Incomplete,
    /// The first byte cannot start a frame.
    NotAFrame,
}

/// CRC-16/MODBUS (polynomial 0xA001 reflected, initial value 0xFFFF).
pub(crate) fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in bytes {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// Builds an RTU frame.
pub(crate) fn encode(unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(pdu.len() + 3);
    frame.push(unit);
    frame.extend_from_slice(pdu);
    frame.extend(crc16(&frame).to_le_bytes());
    frame
}

/// Builds an RTU frame whose CRC is deliberately wrong (fault injection).
pub(crate) fn encode_with_corrupt_crc(unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut frame = encode(unit, pdu);
    let len = frame.len();
    frame[len - 1] ^= 0xFF;
    frame
}

/// The length of a request frame, from its function code, once enough bytes are there to tell.
fn request_frame_len(buf: &[u8]) -> Option<Option<usize>> {
    let function = *buf.get(1)?;
    Some(match function {
        // Unit, function, address (2), count or value (2), CRC (2).
        0x01..=0x06 => Some(8),
        // Unit, function, address (2), count (2), byte count, values, CRC (2).
        0x0F | 0x10 => match buf.get(6) {
            Some(&byte_count) => Some(9 + usize::from(byte_count)),
            None => return None,
        },
        // Functions whose length we do not know: only a pause on the line ends them.
        _ => None,
    })
}

/// Looks for a request frame at the start of `buf`.
pub(crate) fn scan_request(buf: &[u8]) -> Scan {
    match scan_at_start(buf) {
        // Noise can look like the start of a long or unknown frame and would then swallow the
        // real request behind it until the next pause; a complete good frame further on shows
        // that the start is noise.
        Scan::Incomplete if complete_frame_later(buf) => Scan::NotAFrame,
        scan => scan,
    }
}

fn scan_at_start(buf: &[u8]) -> Scan {
    let Some(len) = request_frame_len(buf) else {
        return Scan::Incomplete;
    };
    let Some(len) = len else {
        // Unknown length: wait for the pause, then `scan_after_pause` decides.
        return if buf.len() > MAX_FRAME_LEN {
            Scan::NotAFrame
        } else {
            Scan::Incomplete
        };
    };
    if buf.len() < len {
        return Scan::Incomplete;
    }
    checked_frame(&buf[..len]).unwrap_or(Scan::NotAFrame)
}

fn complete_frame_later(buf: &[u8]) -> bool {
    (1..buf.len().saturating_sub(MIN_FRAME_LEN - 1))
        .any(|start| matches!(scan_at_start(&buf[start..]), Scan::Frame { .. }))
}

/// After a pause on the line everything received so far should be one frame; this accepts it
/// if its CRC is good, which is how requests with an unknown function code are recognised.
pub(crate) fn scan_after_pause(buf: &[u8]) -> Option<Scan> {
    if buf.len() > MAX_FRAME_LEN {
        return None;
    }
    checked_frame(buf)
}

fn checked_frame(frame: &[u8]) -> Option<Scan> {
    if frame.len() < MIN_FRAME_LEN {
        return None;
    }
    let (body, crc) = frame.split_at(frame.len() - 2);
    if crc16(body).to_le_bytes() != [crc[0], crc[1]] {
        return None;
    }
    Some(Scan::Frame {
        unit: body[0],
        pdu: body[1..].to_vec(),
        len: frame.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_spec_example() {
        // Modbus over Serial Line V1.02, appendix B: 02 07 → CRC 0x1241, sent as 41 12.
        assert_eq!(encode(0x02, &[0x07]), vec![0x02, 0x07, 0x41, 0x12]);
    }

    #[test]
    fn finds_a_read_request_and_ignores_trailing_bytes() {
        let mut buf = encode(1, &[0x03, 0x1F, 0x9C, 0x00, 0x01]);
        buf.extend([0x01, 0x03]);
        assert_eq!(
            scan_request(&buf),
            Scan::Frame {
                unit: 1,
                pdu: vec![0x03, 0x1F, 0x9C, 0x00, 0x01],
                len: 8
            }
        );
    }

    #[test]
    fn write_multiple_waits_for_its_values() {
        let frame = encode(2, &[0x10, 0x1F, 0x93, 0, 2, 4, 0, 0, 1, 44]);
        assert_eq!(scan_request(&frame[..9]), Scan::Incomplete);
        assert!(matches!(scan_request(&frame), Scan::Frame { len: 13, .. }));
    }

    #[test]
    fn a_bad_crc_is_not_a_frame() {
        let frame = encode_with_corrupt_crc(1, &[0x03, 0, 0, 0, 1]);
        assert_eq!(scan_request(&frame), Scan::NotAFrame);
    }

    #[test]
    fn noise_that_looks_like_a_long_frame_is_skipped() {
        let mut buf = vec![0xFF, 0x10, 0, 0, 0, 1, 200];
        buf.extend(encode(1, &[0x03, 0, 0, 0, 1]));
        assert_eq!(scan_request(&buf), Scan::NotAFrame);
        assert!(matches!(
            scan_request(&buf[7..]),
            Scan::Frame { unit: 1, .. }
        ));
    }

    #[test]
    fn unknown_functions_are_framed_by_the_pause() {
        let frame = encode(1, &[0x2B, 0x0E, 0x01, 0x00]);
        assert_eq!(scan_request(&frame), Scan::Incomplete);
        assert!(matches!(
            scan_after_pause(&frame),
            Some(Scan::Frame { unit: 1, .. })
        ));
    }
}
