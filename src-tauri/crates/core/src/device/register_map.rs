//! Register maps as data: a meter model is a table of fields, so a new model is a table, not new code.

use crate::modbus::codec;

use super::reading::MeterReading;
use super::DeviceError;

/// Which Modbus table the values live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterKind {
    /// Function 03.
    Holding,
    /// Function 04.
    Input,
}

/// How a value is spread over registers (big-endian, high word first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    F32,
    U16,
    U32,
    I32,
    U64,
}

impl Encoding {
    pub fn registers(self) -> u16 {
        match self {
            Encoding::U16 => 1,
            Encoding::F32 | Encoding::U32 | Encoding::I32 => 2,
            Encoding::U64 => 4,
        }
    }

    fn decode(self, registers: &[u16]) -> Option<f64> {
        match self {
            Encoding::F32 => codec::f32_from(registers).map(f64::from),
            Encoding::U16 => registers.first().map(|value| f64::from(*value)),
            Encoding::U32 => codec::u32_from(registers).map(f64::from),
            Encoding::I32 => codec::i32_from(registers).map(f64::from),
            // Energy in Wh fits f64 exactly up to 2^53 Wh, far beyond any meter's range.
            Encoding::U64 => codec::u64_from(registers).map(|value| value as f64),
        }
    }
}

/// What a register holds, in the unit of [`MeterReading`] after scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    VoltageL1,
    VoltageL2,
    VoltageL3,
    CurrentL1,
    CurrentL2,
    CurrentL3,
    PowerL1,
    PowerL2,
    PowerL3,
    TotalPower,
    Frequency,
    EnergyImport,
    EnergyExport,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegisterField {
    pub quantity: Quantity,
    /// PDU address (0-based).
    pub address: u16,
    pub encoding: Encoding,
    /// Multiplies the raw value into V, A, W, Wh or Hz (e.g. 1000 for kWh, 0.1 for 0.1 A).
    pub scale: f64,
}

/// A meter model's registers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegisterMap {
    pub kind: RegisterKind,
    pub fields: &'static [RegisterField],
    /// The most registers the device answers in one request.
    pub max_registers_per_read: u16,
    /// Unlisted registers between two fields that may be read along to save a request; only where
    /// the device answers for them.
    pub max_gap: u16,
}

/// One read request of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBlock {
    pub start: u16,
    pub count: u16,
}

impl ReadBlock {
    fn end(self) -> u32 {
        u32::from(self.start) + u32::from(self.count)
    }
}

impl RegisterMap {
    /// The fewest requests that cover every field within the device's limits.
    pub fn read_plan(&self) -> Vec<ReadBlock> {
        let mut fields: Vec<&RegisterField> = self.fields.iter().collect();
        fields.sort_by_key(|field| field.address);
        let mut plan: Vec<ReadBlock> = Vec::new();
        for field in fields {
            let field_end = u32::from(field.address) + u32::from(field.encoding.registers());
            if let Some(last) = plan.last_mut() {
                let gap = u32::from(field.address).saturating_sub(last.end());
                let span = field_end.saturating_sub(u32::from(last.start));
                if gap <= u32::from(self.max_gap) && span <= u32::from(self.max_registers_per_read)
                {
                    last.count = last.count.max(span as u16);
                    continue;
                }
            }
            plan.push(ReadBlock {
                start: field.address,
                count: field.encoding.registers(),
            });
        }
        plan
    }

    /// Turns the answers to [`RegisterMap::read_plan`] into a reading.
    pub fn decode(&self, answers: &[(ReadBlock, Vec<u16>)]) -> Result<MeterReading, DeviceError> {
        let mut values = Values::default();
        for field in self.fields {
            let raw = answers
                .iter()
                .find_map(|(block, registers)| field_registers(field, *block, registers))
                .and_then(|registers| field.encoding.decode(registers))
                .ok_or_else(|| DeviceError::Implausible {
                    detail: format!("no answer for register {}", field.address),
                })?;
            let value = raw * field.scale;
            if !value.is_finite() {
                return Err(DeviceError::Implausible {
                    detail: format!("register {} holds {raw}", field.address),
                });
            }
            values.set(field.quantity, value);
        }
        Ok(values.into_reading())
    }
}

fn field_registers<'a>(
    field: &RegisterField,
    block: ReadBlock,
    registers: &'a [u16],
) -> Option<&'a [u16]> {
    let offset = usize::from(field.address.checked_sub(block.start)?);
    registers.get(offset..offset + usize::from(field.encoding.registers()))
}

#[derive(Default)]
struct Values {
    voltage: [Option<f64>; 3],
    current: [Option<f64>; 3],
    power: [Option<f64>; 3],
    total_power: Option<f64>,
    frequency: Option<f64>,
    import: Option<f64>,
    export: Option<f64>,
}

impl Values {
    fn set(&mut self, quantity: Quantity, value: f64) {
        let slot = match quantity {
            Quantity::VoltageL1 => &mut self.voltage[0],
            Quantity::VoltageL2 => &mut self.voltage[1],
            Quantity::VoltageL3 => &mut self.voltage[2],
            Quantity::CurrentL1 => &mut self.current[0],
            Quantity::CurrentL2 => &mut self.current[1],
            Quantity::CurrentL3 => &mut self.current[2],
            Quantity::PowerL1 => &mut self.power[0],
            Quantity::PowerL2 => &mut self.power[1],
            Quantity::PowerL3 => &mut self.power[2],
            Quantity::TotalPower => &mut self.total_power,
            Quantity::Frequency => &mut self.frequency,
            Quantity::EnergyImport => &mut self.import,
            Quantity::EnergyExport => &mut self.export,
        };
        *slot = Some(value);
    }

    fn into_reading(self) -> MeterReading {
        let power = all_phases(self.power);
        MeterReading {
            voltage_v: all_phases(self.voltage),
            current_a: all_phases(self.current),
            // Meters without a total register still give one: the sum of the phases.
            total_power_w: self
                .total_power
                .or_else(|| power.map(|phases| phases.iter().sum())),
            power_w: power,
            frequency_hz: self.frequency,
            energy_import_wh: self.import,
            energy_export_wh: self.export,
        }
    }
}

fn all_phases(values: [Option<f64>; 3]) -> Option<[f64; 3]> {
    Some([values[0]?, values[1]?, values[2]?])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const FIELDS: [RegisterField; 3] = [
        RegisterField {
            quantity: Quantity::TotalPower,
            address: 0x34,
            encoding: Encoding::F32,
            scale: 1.0,
        },
        RegisterField {
            quantity: Quantity::EnergyImport,
            address: 0x48,
            encoding: Encoding::F32,
            scale: 1000.0,
        },
        RegisterField {
            quantity: Quantity::EnergyExport,
            address: 0x4A,
            encoding: Encoding::F32,
            scale: 1000.0,
        },
    ];

    fn map(max_gap: u16, max_registers_per_read: u16) -> RegisterMap {
        RegisterMap {
            kind: RegisterKind::Input,
            fields: &FIELDS,
            max_registers_per_read,
            max_gap,
        }
    }

    #[test]
    fn adjacent_fields_share_a_request_and_far_ones_do_not() {
        assert_eq!(
            map(0, 60).read_plan(),
            vec![
                ReadBlock {
                    start: 0x34,
                    count: 2
                },
                ReadBlock {
                    start: 0x48,
                    count: 4
                }
            ]
        );
    }

    #[test]
    fn a_gap_is_bridged_only_within_the_request_size() {
        assert_eq!(
            map(100, 60).read_plan(),
            vec![ReadBlock {
                start: 0x34,
                count: 0x4C - 0x34
            }]
        );
        assert_eq!(map(100, 20).read_plan().len(), 2);
    }

    fn f32_registers(value: f32) -> [u16; 2] {
        let bits = value.to_bits();
        [(bits >> 16) as u16, bits as u16]
    }

    #[test]
    fn decodes_and_scales_every_field() {
        let map = map(0, 60);
        let plan = map.read_plan();
        let mut energy = Vec::new();
        energy.extend(f32_registers(12.5));
        energy.extend(f32_registers(0.25));
        let answers = vec![
            (plan[0], f32_registers(-1500.0).to_vec()),
            (plan[1], energy),
        ];
        let reading = map.decode(&answers).unwrap();
        assert_eq!(reading.total_power_w, Some(-1500.0));
        assert_eq!(reading.energy_import_wh, Some(12_500.0));
        assert_eq!(reading.energy_export_wh, Some(250.0));
        assert_eq!(reading.current_a, None);
    }

    #[test]
    fn a_short_answer_or_a_nan_is_refused() {
        let map = map(0, 60);
        let plan = map.read_plan();
        let short = vec![(plan[0], vec![0x4000]), (plan[1], vec![0; 4])];
        assert!(map.decode(&short).is_err());
        let nan = vec![
            (plan[0], f32_registers(f32::NAN).to_vec()),
            (plan[1], vec![0; 4]),
        ];
        assert!(matches!(
            map.decode(&nan),
            Err(DeviceError::Implausible { .. })
        ));
    }
}
