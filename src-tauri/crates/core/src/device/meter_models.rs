//! The register tables of the supported meter models (protocol facts §6).

use crate::config::MeterModel;

use super::register_map::{Encoding, Quantity, RegisterField, RegisterKind, RegisterMap};

const fn field(quantity: Quantity, address: u16, encoding: Encoding, scale: f64) -> RegisterField {
    RegisterField {
        quantity,
        address,
        encoding,
        scale,
    }
}

/// Eastron input registers: float32 at document address − 30001; energies in kWh.
const EASTRON_FIELDS: [RegisterField; 13] = [
    field(Quantity::VoltageL1, 0x00, Encoding::F32, 1.0),
    field(Quantity::VoltageL2, 0x02, Encoding::F32, 1.0),
    field(Quantity::VoltageL3, 0x04, Encoding::F32, 1.0),
    field(Quantity::CurrentL1, 0x06, Encoding::F32, 1.0),
    field(Quantity::CurrentL2, 0x08, Encoding::F32, 1.0),
    field(Quantity::CurrentL3, 0x0A, Encoding::F32, 1.0),
    field(Quantity::PowerL1, 0x0C, Encoding::F32, 1.0),
    field(Quantity::PowerL2, 0x0E, Encoding::F32, 1.0),
    field(Quantity::PowerL3, 0x10, Encoding::F32, 1.0),
    field(Quantity::TotalPower, 0x34, Encoding::F32, 1.0),
    field(Quantity::Frequency, 0x46, Encoding::F32, 1.0),
    field(Quantity::EnergyImport, 0x48, Encoding::F32, 1000.0),
    field(Quantity::EnergyExport, 0x4A, Encoding::F32, 1000.0),
];

/// SDM630: everything the charging manager needs, in two requests (0x00–0x35 and 0x46–0x4B).
pub const SDM630: RegisterMap = RegisterMap {
    kind: RegisterKind::Input,
    fields: &EASTRON_FIELDS,
    // "Read ≤30 values per request": 30 float32 values.
    max_registers_per_read: 60,
    // The Eastron meters answer for the whole 3xxxx block, listed or not.
    max_gap: 60,
};

/// SDM72D-M V2: the same registers for the values it has.
pub const SDM72DM_V2: RegisterMap = SDM630;

/// The Power Brain's meter block (its own meter and the S0 inputs): holding registers 8058–8069.
const POWER_BRAIN_METER_FIELDS: [RegisterField; 5] = [
    field(Quantity::EnergyImport, 8058, Encoding::U64, 1.0),
    field(Quantity::TotalPower, 8062, Encoding::I32, 1.0),
    field(Quantity::CurrentL1, 8064, Encoding::U32, 0.1),
    field(Quantity::CurrentL2, 8066, Encoding::U32, 0.1),
    field(Quantity::CurrentL3, 8068, Encoding::U32, 0.1),
];

pub const POWER_BRAIN_METER: RegisterMap = RegisterMap {
    kind: RegisterKind::Holding,
    fields: &POWER_BRAIN_METER_FIELDS,
    max_registers_per_read: 12,
    max_gap: 0,
};

pub fn register_map_for(model: MeterModel) -> &'static RegisterMap {
    match model {
        MeterModel::EastronSdm630 => &SDM630,
        MeterModel::EastronSdm72dmV2 => &SDM72DM_V2,
        MeterModel::PowerBrainS0 => &POWER_BRAIN_METER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdm630_is_read_in_two_requests_within_the_meter_limit() {
        let plan = SDM630.read_plan();
        assert_eq!(plan.len(), 2, "{plan:?}");
        assert!(plan.iter().all(|block| block.count <= 60));
        assert_eq!((plan[0].start, plan[0].count), (0x00, 0x36));
        assert_eq!((plan[1].start, plan[1].count), (0x46, 6));
    }

    #[test]
    fn the_power_brain_meter_block_is_one_request() {
        let plan = POWER_BRAIN_METER.read_plan();
        assert_eq!(plan.len(), 1);
        assert_eq!((plan[0].start, plan[0].count), (8058, 12));
    }
}
