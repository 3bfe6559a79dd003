//! A set of simulated units reachable under their unit ids: what one TCP port or one serial line
//! serves. The bus decides per request whether and what to answer; the transports only frame it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_modbus::ExceptionCode;

use crate::error::BusError;
use crate::faults::Fault;
use crate::lock::lock;
use crate::meter::MeterSim;
use crate::modbus::pdu::{self, Request};
use crate::powerbrain::PowerBrainSim;

/// Valid Modbus device addresses; 0 is broadcast, 248–255 are reserved.
const UNIT_IDS: std::ops::RangeInclusive<u8> = 1..=247;

/// A simulated device that can sit on a bus.
#[derive(Debug, Clone)]
pub enum Device {
    PowerBrain(PowerBrainSim),
    Meter(MeterSim),
}

impl From<PowerBrainSim> for Device {
    fn from(sim: PowerBrainSim) -> Self {
        Self::PowerBrain(sim)
    }
}

impl From<MeterSim> for Device {
    fn from(sim: MeterSim) -> Self {
        Self::Meter(sim)
    }
}

impl From<&PowerBrainSim> for Device {
    fn from(sim: &PowerBrainSim) -> Self {
        Self::PowerBrain(sim.clone())
    }
}

impl From<&MeterSim> for Device {
    fn from(sim: &MeterSim) -> Self {
        Self::Meter(sim.clone())
    }
}

impl Device {
    fn name(&self) -> String {
        match self {
            Self::PowerBrain(sim) => sim.name(),
            Self::Meter(sim) => sim.name(),
        }
    }

    fn note_traffic(&self, now: Instant) {
        match self {
            Self::PowerBrain(sim) => sim.note_traffic(now),
            Self::Meter(sim) => sim.note_traffic(),
        }
    }

    /// Serves a request: the registers read, or nothing for a write.
    fn serve(&self, request: &Request, now: Instant) -> Result<Vec<u16>, ExceptionCode> {
        match (self, request) {
            (Self::PowerBrain(sim), Request::ReadHoldingRegisters { address, count }) => {
                sim.read_holding(*address, *count, now)
            }
            (Self::PowerBrain(sim), Request::WriteSingleRegister { address, value }) => {
                sim.write(*address, &[*value], now).map(|()| Vec::new())
            }
            (Self::PowerBrain(sim), Request::WriteMultipleRegisters { address, values }) => {
                sim.write(*address, values, now).map(|()| Vec::new())
            }
            (Self::Meter(sim), Request::ReadInputRegisters { address, count }) => {
                sim.read_input(*address, *count, now)
            }
            (Self::Meter(sim), Request::ReadHoldingRegisters { address, count }) => {
                sim.read_holding(*address, *count, now)
            }
            // Meters have nothing writable that is simulated.
            (Self::Meter(_), Request::WriteSingleRegister { .. })
            | (Self::Meter(_), Request::WriteMultipleRegisters { .. }) => {
                Err(ExceptionCode::IllegalDataAddress)
            }
            // The Power Brain has holding registers only.
            (Self::PowerBrain(_), Request::ReadInputRegisters { .. })
            | (_, Request::Unsupported { .. }) => Err(ExceptionCode::IllegalFunction),
        }
    }
}

#[derive(Debug)]
struct Unit {
    device: Device,
    fault: Fault,
}

/// The units behind one TCP port or on one serial line. Clones share the same units, so a test
/// can keep a clone to set faults while a server serves it.
#[derive(Debug, Clone, Default)]
pub struct Bus {
    units: Arc<Mutex<BTreeMap<u8, Unit>>>,
}

/// Which transport asks; they differ in how unknown units and CRC faults look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    Tcp,
    Rtu,
}

/// What goes back on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    Pdu(Vec<u8>),
    Silent,
    Garbage(Vec<u8>),
    PduWithCorruptCrc(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) answer: Answer,
    /// Extra delay before the answer (fault injection).
    pub(crate) delay: Duration,
}

impl Outcome {
    fn now(answer: Answer) -> Self {
        Self {
            answer,
            delay: Duration::ZERO,
        }
    }
}

impl Bus {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts a device on the bus under `unit` (1–247).
    pub fn add(&self, unit: u8, device: impl Into<Device>) -> Result<(), BusError> {
        if !UNIT_IDS.contains(&unit) {
            return Err(BusError::InvalidUnitId(unit));
        }
        let mut units = lock(&self.units);
        if units.contains_key(&unit) {
            return Err(BusError::DuplicateUnitId(unit));
        }
        units.insert(
            unit,
            Unit {
                device: device.into(),
                fault: Fault::None,
            },
        );
        Ok(())
    }

    /// [`Bus::add`] for building a bus in one expression.
    pub fn with(self, unit: u8, device: impl Into<Device>) -> Result<Self, BusError> {
        self.add(unit, device)?;
        Ok(self)
    }

    pub fn set_fault(&self, unit: u8, fault: Fault) -> Result<(), BusError> {
        let mut units = lock(&self.units);
        let entry = units.get_mut(&unit).ok_or(BusError::NoSuchUnit(unit))?;
        tracing::info!(unit, ?fault, "fault set");
        entry.fault = fault;
        Ok(())
    }

    pub fn clear_fault(&self, unit: u8) -> Result<(), BusError> {
        self.set_fault(unit, Fault::None)
    }

    pub fn unit_ids(&self) -> Vec<u8> {
        lock(&self.units).keys().copied().collect()
    }

    pub fn device(&self, unit: u8) -> Option<Device> {
        lock(&self.units).get(&unit).map(|u| u.device.clone())
    }

    /// Answers one request PDU addressed to `unit`.
    ///
    /// An unknown unit is silent on RTU, as a real bus has nobody to answer. Over TCP it gets
    /// exception 0x0B (gateway target failed to respond), which tells the client at once that the
    /// unit id is wrong instead of letting it run into its timeout.
    pub(crate) fn handle(
        &self,
        unit: u8,
        pdu_bytes: &[u8],
        transport: Transport,
        now: Instant,
    ) -> Outcome {
        let Some(&function) = pdu_bytes.first() else {
            return Outcome::now(Answer::Silent);
        };
        let found = lock(&self.units)
            .get(&unit)
            .map(|u| (u.device.clone(), u.fault.clone()));
        let Some((device, fault)) = found else {
            tracing::debug!(unit, function, "request for a unit that is not on this bus");
            return Outcome::now(match transport {
                Transport::Tcp => Answer::Pdu(pdu::encode_exception(
                    function,
                    ExceptionCode::GatewayTargetDevice,
                )),
                Transport::Rtu => Answer::Silent,
            });
        };
        if fault == Fault::Silent {
            return Outcome::now(Answer::Silent);
        }
        device.note_traffic(now);
        match fault {
            Fault::Exception(exception) => {
                return Outcome::now(Answer::Pdu(pdu::encode_exception(function, exception)))
            }
            Fault::Garbage(bytes) => return Outcome::now(Answer::Garbage(bytes)),
            _ => {}
        }
        let response = serve_pdu(&device, unit, pdu_bytes, now);
        match fault {
            Fault::CorruptCrc => Outcome::now(match transport {
                Transport::Rtu => Answer::PduWithCorruptCrc(response),
                Transport::Tcp => Answer::Silent,
            }),
            Fault::Delay(delay) => Outcome {
                answer: Answer::Pdu(response),
                delay,
            },
            _ => Outcome::now(Answer::Pdu(response)),
        }
    }

    /// A broadcast (unit 0, RTU): every unit carries out writes; nobody answers.
    pub(crate) fn handle_broadcast(&self, pdu_bytes: &[u8], now: Instant) {
        let Some(Ok(request)) = pdu::decode_request(pdu_bytes) else {
            return;
        };
        if !request.is_write() {
            return;
        }
        let units: Vec<(u8, Device)> = lock(&self.units)
            .iter()
            .filter(|(_, u)| u.fault != Fault::Silent)
            .map(|(&id, u)| (id, u.device.clone()))
            .collect();
        for (unit, device) in units {
            device.note_traffic(now);
            if let Err(exception) = device.serve(&request, now) {
                tracing::debug!(unit, ?exception, "broadcast write refused");
            }
        }
    }
}

fn serve_pdu(device: &Device, unit: u8, pdu_bytes: &[u8], now: Instant) -> Vec<u8> {
    match pdu::decode_request(pdu_bytes) {
        Some(Ok(request)) => {
            let result = device.serve(&request, now);
            if let Err(exception) = &result {
                tracing::debug!(unit, device = %device.name(), ?request, ?exception, "refused");
            } else {
                tracing::trace!(unit, ?request, "served");
            }
            pdu::encode_response(&request, result)
        }
        Some(Err(rejected)) => pdu::encode_exception(rejected.function, rejected.exception),
        None => Vec::new(),
    }
}
