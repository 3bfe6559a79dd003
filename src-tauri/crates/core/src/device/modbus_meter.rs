//! Any Modbus meter whose registers a [`RegisterMap`] describes.

use async_trait::async_trait;

use crate::modbus::{ModbusError, UnitClient};

use super::reading::MeterReading;
use super::register_map::{ReadBlock, RegisterKind, RegisterMap};
use super::{DeviceError, Meter};

pub struct ModbusMeter {
    client: UnitClient,
    map: &'static RegisterMap,
    plan: Vec<ReadBlock>,
}

impl ModbusMeter {
    pub fn new(client: UnitClient, map: &'static RegisterMap) -> Self {
        Self {
            plan: map.read_plan(),
            client,
            map,
        }
    }
}

#[async_trait]
impl Meter for ModbusMeter {
    async fn read(&self) -> Result<MeterReading, DeviceError> {
        read_map(&self.client, self.map, &self.plan).await
    }
}

/// Reads every block of a plan and decodes them; shared with wallboxes that carry a meter.
pub(super) async fn read_map(
    client: &UnitClient,
    map: &RegisterMap,
    plan: &[ReadBlock],
) -> Result<MeterReading, DeviceError> {
    let mut answers = Vec::with_capacity(plan.len());
    for block in plan {
        let registers = read_block(client, map.kind, *block).await?;
        answers.push((*block, registers));
    }
    map.decode(&answers)
}

async fn read_block(
    client: &UnitClient,
    kind: RegisterKind,
    block: ReadBlock,
) -> Result<Vec<u16>, ModbusError> {
    match kind {
        RegisterKind::Holding => {
            client
                .read_holding_registers(block.start, block.count)
                .await
        }
        RegisterKind::Input => client.read_input_registers(block.start, block.count).await,
    }
}
