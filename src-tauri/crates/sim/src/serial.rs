//! Serial line settings and what they mean for timing on the wire.

use std::time::Duration;

pub use tokio_serial::{DataBits, Parity, StopBits};
use tokio_serial::{SerialPort, SerialStream};

use crate::error::ServeError;

/// Above 19200 baud the RTU spec fixes the inter-frame gap instead of counting characters.
const FIXED_GAP_ABOVE_BAUD: u32 = 19_200;
const FIXED_FRAME_GAP: Duration = Duration::from_micros(1750);

/// How a serial line is set up, and whether answers are held back for the time the real wire
/// would need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerialSettings {
    pub baud_rate: u32,
    pub parity: Parity,
    pub data_bits: DataBits,
    pub stop_bits: StopBits,
    /// Delay every answer by the wire time of request and answer plus the 3.5-character gap, so
    /// a benchmark over a pseudo-terminal (which transfers instantly) sees real-line timing.
    pub emulate_wire_time: bool,
}

impl Default for SerialSettings {
    /// The SDM630's and Power Brain's factory setting: 9600 baud, 8N1.
    fn default() -> Self {
        Self {
            baud_rate: 9600,
            parity: Parity::None,
            data_bits: DataBits::Eight,
            stop_bits: StopBits::One,
            emulate_wire_time: false,
        }
    }
}

impl SerialSettings {
    /// Start bit + data bits + parity bit + stop bits: 11 for 8E1 and 8N2, 10 for 8N1.
    pub fn bits_per_character(&self) -> u32 {
        let data = match self.data_bits {
            DataBits::Five => 5,
            DataBits::Six => 6,
            DataBits::Seven => 7,
            DataBits::Eight => 8,
        };
        let parity = u32::from(self.parity != Parity::None);
        let stop = match self.stop_bits {
            StopBits::One => 1,
            StopBits::Two => 2,
        };
        1 + data + parity + stop
    }

    pub fn character_time(&self) -> Duration {
        Duration::from_secs_f64(
            f64::from(self.bits_per_character()) / f64::from(self.baud_rate.max(1)),
        )
    }

    /// The silence that separates two frames: 3.5 character times, 1.75 ms above 19200 baud.
    pub fn frame_gap(&self) -> Duration {
        if self.baud_rate > FIXED_GAP_ABOVE_BAUD {
            FIXED_FRAME_GAP
        } else {
            self.character_time().mul_f64(3.5)
        }
    }

    /// How long `bytes` characters take on the wire.
    pub fn wire_time(&self, bytes: usize) -> Duration {
        self.character_time().mul_f64(bytes as f64)
    }

    /// What a client waits from the start of sending a request to the end of the answer.
    pub fn round_trip_time(&self, request_bytes: usize, answer_bytes: usize) -> Duration {
        self.wire_time(request_bytes) + self.frame_gap() + self.wire_time(answer_bytes)
    }

    /// Opens a serial port with these settings.
    pub fn open(&self, path: &str) -> Result<SerialStream, ServeError> {
        let builder = tokio_serial::new(path, self.baud_rate)
            .parity(self.parity)
            .data_bits(self.data_bits)
            .stop_bits(self.stop_bits)
            .flow_control(tokio_serial::FlowControl::None);
        SerialStream::open(&builder).map_err(|source| ServeError::OpenSerial {
            path: path.to_owned(),
            source,
        })
    }
}

/// A pseudo-terminal pair: the simulator serves `server`, a client opens `client_path` (or uses
/// `client` directly in-process). Keep `client` alive while serving: when the last handle on the
/// client side closes, reading the server side fails.
#[derive(Debug)]
pub struct Pty {
    pub server: SerialStream,
    pub client: SerialStream,
    pub client_path: String,
}

/// Creates a new pseudo-terminal pair (Unix).
pub fn open_pty() -> Result<Pty, ServeError> {
    let (server, client) = SerialStream::pair().map_err(ServeError::Pty)?;
    let client_path = client.name().ok_or_else(|| {
        ServeError::Pty(tokio_serial::Error::new(
            tokio_serial::ErrorKind::Unknown,
            "the pseudo-terminal has no path",
        ))
    })?;
    Ok(Pty {
        server,
        client,
        client_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(baud_rate: u32, parity: Parity, stop_bits: StopBits) -> SerialSettings {
        SerialSettings {
            baud_rate,
            parity,
            stop_bits,
            ..SerialSettings::default()
        }
    }

    #[test]
    fn characters_have_ten_or_eleven_bits() {
        assert_eq!(
            settings(9600, Parity::None, StopBits::One).bits_per_character(),
            10
        );
        assert_eq!(
            settings(9600, Parity::Even, StopBits::One).bits_per_character(),
            11
        );
        assert_eq!(
            settings(9600, Parity::None, StopBits::Two).bits_per_character(),
            11
        );
    }

    #[test]
    fn read_of_two_registers_at_9600_8n1() {
        // Request 8 bytes, answer 9 bytes, gap 3.5 characters: 20.5 characters of 10 bits.
        let rtt = settings(9600, Parity::None, StopBits::One).round_trip_time(8, 9);
        let expected = Duration::from_secs_f64(20.5 * 10.0 / 9600.0);
        assert!(rtt.abs_diff(expected) < Duration::from_micros(1), "{rtt:?}");
    }

    #[test]
    fn fast_lines_use_the_fixed_gap() {
        assert_eq!(
            settings(115_200, Parity::Even, StopBits::One).frame_gap(),
            Duration::from_micros(1750)
        );
    }
}
