//! The buses of one running core, and the per-device handle drivers talk through.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};

use super::bus::{Bus, Job};
use super::bus_key::serial_port_key;
use super::request::{Operation, Reply};
use super::rtu_link::RtuLink;
use super::tcp_link::TcpLink;
use super::{BusKey, LinkFactory, ModbusError};
use crate::config::{ModbusTransport, Parity, SerialSettings};

/// Requests that may wait for one bus; a poll loop sends one at a time per device, so this is
/// only reached when callers pile up far beyond what the bus can serve anyway.
const QUEUE_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub struct BusOptions {
    /// How long one request may take, from sending it to the complete answer.
    pub request_timeout: Duration,
    /// The wait before the first attempt to reopen a lost link; doubles with every failed attempt.
    pub reconnect_backoff_min: Duration,
    pub reconnect_backoff_max: Duration,
    /// How long opening a TCP connection (or waiting for a serial port another bus still holds)
    /// may take.
    pub connect_timeout: Duration,
}

impl Default for BusOptions {
    fn default() -> Self {
        BusOptions {
            request_timeout: Duration::from_secs(1),
            reconnect_backoff_min: Duration::from_millis(500),
            reconnect_backoff_max: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BusStatus {
    /// Not opened yet: links open on the first request.
    Idle,
    Connected,
    /// Link lost or could not be opened; next attempt after back-off.
    Disconnected {
        error: String,
        retry_in_ms: u64,
        attempts: u32,
    },
}

/// One per running core. Devices on the same bus (same serial port, or same TCP host:port) share
/// one link; a bus serialises its requests (half-duplex RTU, one-at-a-time TCP); different buses
/// run in parallel.
///
/// A bus lives while the pool or any of its clients lives. To change a serial port's settings,
/// drop the pool and its clients and start a new pool: the new bus waits for the old one to let go
/// of the port.
#[derive(Clone)]
pub struct BusPool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    options: BusOptions,
    links: Option<LinkFactory>,
    buses: Mutex<BTreeMap<BusKey, BusHandle>>,
}

#[derive(Clone)]
struct BusHandle {
    jobs: mpsc::Sender<Job>,
    status: watch::Receiver<BusStatus>,
    /// The line settings a serial bus was opened with; every device on it must use the same.
    serial: Option<SerialSettings>,
}

impl BusPool {
    pub fn new(options: BusOptions) -> Self {
        Self::with_links(options, None)
    }

    /// A pool whose Modbus TCP buses get their streams from `links` instead of TCP connections,
    /// when given: the hook for simulations and tests (see [`LinkFactory`]). Serial buses always
    /// open their port.
    pub fn with_links(options: BusOptions, links: Option<LinkFactory>) -> Self {
        BusPool {
            inner: Arc::new(PoolInner {
                options,
                links,
                buses: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// A client for one unit id on the bus `transport` names. Creates the bus (task) on first use,
    /// so this must be called within a Tokio runtime.
    ///
    /// Err(ModbusError::PortSettingsConflict{..}) when the serial port is already open with other
    /// settings.
    pub fn client(
        &self,
        transport: &ModbusTransport,
        unit_id: u8,
    ) -> Result<UnitClient, ModbusError> {
        let key = BusKey::of(transport);
        let mut buses = self
            .inner
            .buses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let bus = match buses.get(&key) {
            Some(bus) => {
                if let (Some(existing), ModbusTransport::Rtu(wanted)) = (&bus.serial, transport) {
                    check_same_line(existing, wanted)?;
                }
                bus.clone()
            }
            None => {
                let bus = self.start_bus(&key, transport)?;
                buses.insert(key.clone(), bus.clone());
                bus
            }
        };
        Ok(UnitClient {
            unit_id,
            bus: key,
            jobs: bus.jobs,
            status: bus.status,
        })
    }

    /// Status of every bus, for the UI/logs.
    pub fn statuses(&self) -> Vec<(BusKey, BusStatus)> {
        self.inner
            .buses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(key, bus)| (key.clone(), bus.status.borrow().clone()))
            .collect()
    }

    fn start_bus(
        &self,
        key: &BusKey,
        transport: &ModbusTransport,
    ) -> Result<BusHandle, ModbusError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| ModbusError::Link {
            bus: key.to_string(),
            detail: "cannot start the bus outside the async runtime".into(),
        })?;
        let options = self.inner.options.clone();
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        let (status_sender, status) = watch::channel(BusStatus::Idle);
        let serial = match transport {
            ModbusTransport::Tcp(endpoint) => {
                let streams = self
                    .inner
                    .links
                    .clone()
                    .map(|factory| (factory, key.clone()));
                let link = TcpLink::new(&endpoint.host, endpoint.port, options.clone(), streams);
                runtime.spawn(Bus::new(key, link, options, status_sender).run(queue));
                None
            }
            ModbusTransport::Rtu(settings) => {
                let port_key = serial_port_key(&settings.port);
                let link = RtuLink::new(settings.clone(), port_key, options.clone());
                runtime.spawn(Bus::new(key, link, options, status_sender).run(queue));
                Some(settings.clone())
            }
        };
        Ok(BusHandle {
            jobs,
            status,
            serial,
        })
    }
}

impl fmt::Debug for BusPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BusPool")
            .field("options", &self.inner.options)
            .field("links", &self.inner.links)
            .field("buses", &self.statuses())
            .finish()
    }
}

fn check_same_line(existing: &SerialSettings, wanted: &SerialSettings) -> Result<(), ModbusError> {
    let line = |s: &SerialSettings| (s.baud_rate, s.data_bits, s.parity, s.stop_bits);
    if line(existing) == line(wanted) {
        return Ok(());
    }
    Err(ModbusError::PortSettingsConflict {
        port: wanted.port.trim().to_owned(),
        existing: describe_line(existing),
    })
}

/// "9600 baud 8N1", the way adapters and device manuals write it.
fn describe_line(settings: &SerialSettings) -> String {
    let parity = match settings.parity {
        Parity::None => 'N',
        Parity::Even => 'E',
        Parity::Odd => 'O',
    };
    format!(
        "{} baud {}{}{}",
        settings.baud_rate, settings.data_bits, parity, settings.stop_bits
    )
}

/// One device on a bus. Cheap to clone; the bus task lives while any client (or the pool) lives.
#[derive(Clone)]
pub struct UnitClient {
    unit_id: u8,
    bus: BusKey,
    jobs: mpsc::Sender<Job>,
    status: watch::Receiver<BusStatus>,
}

impl UnitClient {
    pub fn unit_id(&self) -> u8 {
        self.unit_id
    }

    pub fn bus(&self) -> &BusKey {
        &self.bus
    }

    /// Function 03.
    pub async fn read_holding_registers(
        &self,
        address: u16,
        count: u16,
    ) -> Result<Vec<u16>, ModbusError> {
        let reply = self
            .submit(Operation::ReadHoldingRegisters { address, count })
            .await?;
        self.registers(reply)
    }

    /// Function 04.
    pub async fn read_input_registers(
        &self,
        address: u16,
        count: u16,
    ) -> Result<Vec<u16>, ModbusError> {
        let reply = self
            .submit(Operation::ReadInputRegisters { address, count })
            .await?;
        self.registers(reply)
    }

    /// Function 06.
    pub async fn write_single_register(&self, address: u16, value: u16) -> Result<(), ModbusError> {
        self.submit(Operation::WriteSingleRegister { address, value })
            .await
            .map(|_| ())
    }

    /// Function 16.
    pub async fn write_multiple_registers(
        &self,
        address: u16,
        values: &[u16],
    ) -> Result<(), ModbusError> {
        self.submit(Operation::WriteMultipleRegisters {
            address,
            values: values.to_vec(),
        })
        .await
        .map(|_| ())
    }

    /// The state of the link this device is reached through.
    pub fn status(&self) -> watch::Receiver<BusStatus> {
        self.status.clone()
    }

    async fn submit(&self, operation: Operation) -> Result<Reply, ModbusError> {
        operation.validate(self.unit_id)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            unit: self.unit_id,
            operation,
            reply,
        };
        self.jobs.send(job).await.map_err(|_| self.bus_stopped())?;
        answer.await.map_err(|_| self.bus_stopped())?
    }

    fn registers(&self, reply: Reply) -> Result<Vec<u16>, ModbusError> {
        match reply {
            Reply::Registers(registers) => Ok(registers),
            Reply::Written => Err(ModbusError::BadResponse {
                unit: self.unit_id,
                detail: "no registers in the answer".into(),
            }),
        }
    }

    /// Only reachable if the bus task died, which it is written never to do.
    fn bus_stopped(&self) -> ModbusError {
        ModbusError::Link {
            bus: self.bus.to_string(),
            detail: "the bus task has stopped".into(),
        }
    }
}

impl fmt::Debug for UnitClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitClient")
            .field("unit_id", &self.unit_id)
            .field("bus", &self.bus)
            .finish()
    }
}
