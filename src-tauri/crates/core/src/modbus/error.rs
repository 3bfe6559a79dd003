//! What can go wrong talking to a Modbus device, told apart so a driver can react: an exception means
//! the device is there and said no; a timeout means this device did not answer; a link failure means
//! nothing on the bus can be reached right now.

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ModbusError {
    /// The device answered with a Modbus exception: the link is fine.
    #[error("unit {unit} answered with Modbus exception {code:#04x} ({name})")]
    Exception {
        unit: u8,
        code: u8,
        name: &'static str,
    },
    /// No (valid) answer in time: silent device, wrong unit id, CRC errors on the line.
    #[error("unit {unit} did not answer within {timeout_ms} ms")]
    Timeout { unit: u8, timeout_ms: u64 },
    /// The link itself failed: TCP refused/closed, serial port missing or unplugged.
    #[error("{bus}: {detail}")]
    Link { bus: String, detail: String },
    /// The answer did not fit the request (wrong length, etc.).
    #[error("unit {unit}: unexpected answer: {detail}")]
    BadResponse { unit: u8, detail: String },
    #[error("serial port {port} is already used with other settings ({existing}); all devices on one RS485 bus need the same baud rate, data bits, parity and stop bits")]
    PortSettingsConflict { port: String, existing: String },
    /// The request cannot be put into a Modbus frame (e.g. more registers than one frame holds); it
    /// never reached the bus. A bug in the caller's register map, not a device problem.
    #[error("unit {unit}: invalid request: {detail}")]
    InvalidRequest { unit: u8, detail: String },
}

impl ModbusError {
    /// True when the link itself is down, so every device on the bus is unreachable.
    pub fn is_link_failure(&self) -> bool {
        matches!(self, ModbusError::Link { .. })
    }

    pub(crate) fn exception(unit: u8, code: u8) -> Self {
        ModbusError::Exception {
            unit,
            code,
            name: exception_name(code),
        }
    }
}

/// The names the Modbus application protocol specification gives the exception codes.
pub fn exception_name(code: u8) -> &'static str {
    match code {
        0x01 => "illegal function",
        0x02 => "illegal data address",
        0x03 => "illegal data value",
        0x04 => "server device failure",
        0x05 => "acknowledge",
        0x06 => "server device busy",
        0x08 => "memory parity error",
        0x0A => "gateway path unavailable",
        0x0B => "gateway target device failed to respond",
        _ => "unknown exception",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_are_named_and_shown_in_hex() {
        let error = ModbusError::exception(3, 0x02);
        assert_eq!(
            error.to_string(),
            "unit 3 answered with Modbus exception 0x02 (illegal data address)"
        );
        assert_eq!(
            exception_name(0x0B),
            "gateway target device failed to respond"
        );
        assert_eq!(exception_name(0x7F), "unknown exception");
    }

    #[test]
    fn only_link_errors_are_link_failures() {
        let link = ModbusError::Link {
            bus: "tcp://10.0.0.2:502".into(),
            detail: "connection refused".into(),
        };
        assert!(link.is_link_failure());
        assert_eq!(link.to_string(), "tcp://10.0.0.2:502: connection refused");
        assert!(!ModbusError::exception(1, 1).is_link_failure());
        assert!(!ModbusError::Timeout {
            unit: 1,
            timeout_ms: 1000
        }
        .is_link_failure());
    }
}
