//! Modbus PDUs (function code + data), the part shared by RTU and TCP: decoding the requests a
//! simulator understands and encoding its answers.

use tokio_modbus::ExceptionCode;

pub(crate) const READ_HOLDING_REGISTERS: u8 = 0x03;
pub(crate) const READ_INPUT_REGISTERS: u8 = 0x04;
pub(crate) const WRITE_SINGLE_REGISTER: u8 = 0x06;
pub(crate) const WRITE_MULTIPLE_REGISTERS: u8 = 0x10;

/// The spec's limits: 125 registers fit in one read answer, 123 in one write request.
const MAX_READ_COUNT: u16 = 125;
const MAX_WRITE_COUNT: u16 = 123;

/// A request as the simulated devices see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    ReadHoldingRegisters {
        address: u16,
        count: u16,
    },
    ReadInputRegisters {
        address: u16,
        count: u16,
    },
    WriteSingleRegister {
        address: u16,
        value: u16,
    },
    WriteMultipleRegisters {
        address: u16,
        values: Vec<u16>,
    },
    /// A function no simulated device implements; answered with exception 01.
    Unsupported {
        function: u8,
    },
}

impl Request {
    pub(crate) fn function(&self) -> u8 {
        match self {
            Self::ReadHoldingRegisters { .. } => READ_HOLDING_REGISTERS,
            Self::ReadInputRegisters { .. } => READ_INPUT_REGISTERS,
            Self::WriteSingleRegister { .. } => WRITE_SINGLE_REGISTER,
            Self::WriteMultipleRegisters { .. } => WRITE_MULTIPLE_REGISTERS,
            Self::Unsupported { function } => *function,
        }
    }

    pub(crate) fn is_write(&self) -> bool {
        matches!(
            self,
            Self::WriteSingleRegister { .. } | Self::WriteMultipleRegisters { .. }
        )
    }
}

/// A request PDU that cannot be served; the answer is this exception for this function code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub(crate) function: u8,
    pub(crate) exception: ExceptionCode,
}

/// Decodes a request PDU. An empty PDU has no function code to answer to and yields `None`.
pub(crate) fn decode_request(pdu: &[u8]) -> Option<Result<Request, Rejected>> {
    let (&function, data) = pdu.split_first()?;
    let reject = |exception| Rejected {
        function,
        exception,
    };
    let word = |index: usize| -> Option<u16> {
        Some(u16::from_be_bytes([
            *data.get(index)?,
            *data.get(index + 1)?,
        ]))
    };
    let request = match function {
        READ_HOLDING_REGISTERS | READ_INPUT_REGISTERS => {
            let (Some(address), Some(count), 4) = (word(0), word(2), data.len()) else {
                return Some(Err(reject(ExceptionCode::IllegalDataValue)));
            };
            if count == 0 || count > MAX_READ_COUNT {
                return Some(Err(reject(ExceptionCode::IllegalDataValue)));
            }
            if u32::from(address) + u32::from(count) > 0x1_0000 {
                return Some(Err(reject(ExceptionCode::IllegalDataAddress)));
            }
            if function == READ_HOLDING_REGISTERS {
                Request::ReadHoldingRegisters { address, count }
            } else {
                Request::ReadInputRegisters { address, count }
            }
        }
        WRITE_SINGLE_REGISTER => {
            let (Some(address), Some(value), 4) = (word(0), word(2), data.len()) else {
                return Some(Err(reject(ExceptionCode::IllegalDataValue)));
            };
            Request::WriteSingleRegister { address, value }
        }
        WRITE_MULTIPLE_REGISTERS => {
            let (Some(address), Some(count), Some(&byte_count)) = (word(0), word(2), data.get(4))
            else {
                return Some(Err(reject(ExceptionCode::IllegalDataValue)));
            };
            let values_ok = (1..=MAX_WRITE_COUNT).contains(&count)
                && usize::from(byte_count) == 2 * usize::from(count)
                && data.len() == 5 + usize::from(byte_count);
            if !values_ok {
                return Some(Err(reject(ExceptionCode::IllegalDataValue)));
            }
            if u32::from(address) + u32::from(count) > 0x1_0000 {
                return Some(Err(reject(ExceptionCode::IllegalDataAddress)));
            }
            let values = data[5..]
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                .collect();
            Request::WriteMultipleRegisters { address, values }
        }
        other => Request::Unsupported { function: other },
    };
    Some(Ok(request))
}

/// Encodes the answer to `request`: the registers read (ignored for writes, which echo the
/// request as the spec wants) or an exception.
pub(crate) fn encode_response(
    request: &Request,
    result: Result<Vec<u16>, ExceptionCode>,
) -> Vec<u8> {
    let function = request.function();
    let registers = match result {
        Ok(registers) => registers,
        Err(exception) => return encode_exception(function, exception),
    };
    match request {
        Request::ReadHoldingRegisters { .. } | Request::ReadInputRegisters { .. } => {
            let mut pdu = Vec::with_capacity(2 + 2 * registers.len());
            pdu.push(function);
            // At most 125 registers reach here (decode_request), so the byte count fits.
            pdu.push(u8::try_from(2 * registers.len()).unwrap_or(u8::MAX));
            pdu.extend(registers.iter().flat_map(|value| value.to_be_bytes()));
            pdu
        }
        Request::WriteSingleRegister { address, value } => {
            let mut pdu = vec![function];
            pdu.extend(address.to_be_bytes());
            pdu.extend(value.to_be_bytes());
            pdu
        }
        Request::WriteMultipleRegisters { address, values } => {
            let mut pdu = vec![function];
            pdu.extend(address.to_be_bytes());
            pdu.extend(
                u16::try_from(values.len())
                    .unwrap_or(u16::MAX)
                    .to_be_bytes(),
            );
            pdu
        }
        Request::Unsupported { .. } => encode_exception(function, ExceptionCode::IllegalFunction),
    }
}

pub(crate) fn encode_exception(function: u8, exception: ExceptionCode) -> Vec<u8> {
    vec![function | 0x80, u8::from(exception)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_request_round_trip() {
        let request = decode_request(&[0x03, 0x1F, 0x9D, 0x00, 0x02]);
        let request = request.and_then(Result::ok);
        assert_eq!(
            request,
            Some(Request::ReadHoldingRegisters {
                address: 8093,
                count: 2
            })
        );
        let Some(request) = request else { return };
        assert_eq!(
            encode_response(&request, Ok(vec![160, 1])),
            vec![0x03, 4, 0, 160, 0, 1]
        );
    }

    #[test]
    fn read_counts_outside_the_spec_are_illegal_values() {
        for count in [0u16, 126] {
            let [high, low] = count.to_be_bytes();
            let rejected = decode_request(&[0x04, 0, 0, high, low]).and_then(Result::err);
            assert_eq!(
                rejected.map(|r| r.exception),
                Some(ExceptionCode::IllegalDataValue)
            );
        }
    }

    #[test]
    fn write_multiple_needs_a_matching_byte_count() {
        let good = decode_request(&[0x10, 0x1F, 0x93, 0, 2, 4, 0, 0, 1, 44]);
        assert_eq!(
            good.and_then(Result::ok),
            Some(Request::WriteMultipleRegisters {
                address: 8083,
                values: vec![0, 300]
            })
        );
        let bad = decode_request(&[0x10, 0x1F, 0x93, 0, 2, 3, 0, 0, 1]);
        assert_eq!(
            bad.and_then(Result::err).map(|r| r.exception),
            Some(ExceptionCode::IllegalDataValue)
        );
    }

    #[test]
    fn unknown_functions_get_illegal_function() {
        let request = decode_request(&[0x2B, 0x0E, 1, 0]).and_then(Result::ok);
        assert_eq!(request, Some(Request::Unsupported { function: 0x2B }));
        let Some(request) = request else { return };
        assert_eq!(encode_response(&request, Ok(vec![])), vec![0xAB, 0x01]);
    }
}
