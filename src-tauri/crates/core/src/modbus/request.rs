//! The four Modbus functions Ampwise uses, checked before they go on the bus and matched against
//! the answer after: a frame with the right CRC can still carry the wrong number of registers.

use std::borrow::Cow;

use tokio_modbus::{Request, Response};

use super::ModbusError;

/// Registers one read may ask for (the answer's byte count is a single byte: 125 * 2 = 250).
const MAX_READ_REGISTERS: u16 = 125;
/// Registers one write may carry (the request frame must stay within 253 PDU bytes).
const MAX_WRITE_REGISTERS: usize = 123;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operation {
    ReadHoldingRegisters { address: u16, count: u16 },
    ReadInputRegisters { address: u16, count: u16 },
    WriteSingleRegister { address: u16, value: u16 },
    WriteMultipleRegisters { address: u16, values: Vec<u16> },
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    Registers(Vec<u16>),
    Written,
}

impl Operation {
    /// Rejects what no Modbus frame can express, before it costs bus time.
    pub(crate) fn validate(&self, unit: u8) -> Result<(), ModbusError> {
        let invalid = |detail: String| Err(ModbusError::InvalidRequest { unit, detail });
        match self {
            Operation::ReadHoldingRegisters { address, count }
            | Operation::ReadInputRegisters { address, count } => {
                if *count == 0 || *count > MAX_READ_REGISTERS {
                    return invalid(format!(
                        "count {count} is outside 1..={MAX_READ_REGISTERS} registers"
                    ));
                }
                check_range(unit, *address, usize::from(*count))
            }
            Operation::WriteSingleRegister { .. } => Ok(()),
            Operation::WriteMultipleRegisters { address, values } => {
                if values.is_empty() || values.len() > MAX_WRITE_REGISTERS {
                    return invalid(format!(
                        "{} values is outside 1..={MAX_WRITE_REGISTERS} registers",
                        values.len()
                    ));
                }
                check_range(unit, *address, values.len())
            }
        }
    }

    pub(crate) fn to_request(&self) -> Request<'static> {
        match self {
            Operation::ReadHoldingRegisters { address, count } => {
                Request::ReadHoldingRegisters(*address, *count)
            }
            Operation::ReadInputRegisters { address, count } => {
                Request::ReadInputRegisters(*address, *count)
            }
            Operation::WriteSingleRegister { address, value } => {
                Request::WriteSingleRegister(*address, *value)
            }
            Operation::WriteMultipleRegisters { address, values } => {
                Request::WriteMultipleRegisters(*address, Cow::Owned(values.clone()))
            }
        }
    }

    /// The reply if `response` answers this request exactly, else why not.
    pub(crate) fn check_response(&self, response: Response) -> Result<Reply, String> {
        match (self, response) {
            (
                Operation::ReadHoldingRegisters { count, .. },
                Response::ReadHoldingRegisters(words),
            )
            | (Operation::ReadInputRegisters { count, .. }, Response::ReadInputRegisters(words)) => {
                if words.len() == usize::from(*count) {
                    Ok(Reply::Registers(words))
                } else {
                    Err(format!(
                        "{} registers instead of the {count} asked for",
                        words.len()
                    ))
                }
            }
            (
                Operation::WriteSingleRegister { address, value },
                Response::WriteSingleRegister(echoed_address, echoed_value),
            ) => {
                if (echoed_address, echoed_value) == (*address, *value) {
                    Ok(Reply::Written)
                } else {
                    Err(format!(
                        "write echo {echoed_value} at {echoed_address} instead of {value} at {address}"
                    ))
                }
            }
            (
                Operation::WriteMultipleRegisters { address, values },
                Response::WriteMultipleRegisters(echoed_address, echoed_count),
            ) => {
                if echoed_address == *address && usize::from(echoed_count) == values.len() {
                    Ok(Reply::Written)
                } else {
                    Err(format!(
                        "write confirmation for {echoed_count} registers at {echoed_address} \
                         instead of {} at {address}",
                        values.len()
                    ))
                }
            }
            (_, other) => Err(format!("answer of another function: {other:?}")),
        }
    }
}

fn check_range(unit: u8, address: u16, count: usize) -> Result<(), ModbusError> {
    let last = usize::from(address) + count - 1;
    if last > usize::from(u16::MAX) {
        return Err(ModbusError::InvalidRequest {
            unit,
            detail: format!("{count} registers from address {address} run past 65535"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_outside_one_frame_are_rejected_before_sending() {
        let read = |count| Operation::ReadHoldingRegisters { address: 0, count };
        assert!(read(1).validate(1).is_ok());
        assert!(read(125).validate(1).is_ok());
        assert!(matches!(
            read(0).validate(4),
            Err(ModbusError::InvalidRequest { unit: 4, .. })
        ));
        assert!(read(126).validate(1).is_err());

        let write = |n: usize| Operation::WriteMultipleRegisters {
            address: 0,
            values: vec![0; n],
        };
        assert!(write(123).validate(1).is_ok());
        assert!(write(124).validate(1).is_err());
        assert!(write(0).validate(1).is_err());
    }

    #[test]
    fn ranges_past_the_last_address_are_rejected() {
        let read = |address, count| Operation::ReadInputRegisters { address, count };
        assert!(read(65_535, 1).validate(1).is_ok());
        assert!(read(65_534, 2).validate(1).is_ok());
        assert!(read(65_535, 2).validate(1).is_err());
    }

    #[test]
    fn answers_must_match_the_request() {
        let read = Operation::ReadHoldingRegisters {
            address: 10,
            count: 2,
        };
        assert_eq!(
            read.check_response(Response::ReadHoldingRegisters(vec![1, 2])),
            Ok(Reply::Registers(vec![1, 2]))
        );
        assert!(read
            .check_response(Response::ReadHoldingRegisters(vec![1]))
            .is_err());
        assert!(read
            .check_response(Response::ReadInputRegisters(vec![1, 2]))
            .is_err());

        let write = Operation::WriteSingleRegister {
            address: 7,
            value: 160,
        };
        assert_eq!(
            write.check_response(Response::WriteSingleRegister(7, 160)),
            Ok(Reply::Written)
        );
        assert!(write
            .check_response(Response::WriteSingleRegister(7, 161))
            .is_err());

        let write_many = Operation::WriteMultipleRegisters {
            address: 100,
            values: vec![1, 2, 3],
        };
        assert_eq!(
            write_many.check_response(Response::WriteMultipleRegisters(100, 3)),
            Ok(Reply::Written)
        );
        assert!(write_many
            .check_response(Response::WriteMultipleRegisters(100, 2))
            .is_err());
    }
}
