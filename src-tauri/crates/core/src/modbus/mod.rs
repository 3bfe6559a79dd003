//! Modbus TCP and RTU transport: the links to meters and wallboxes that drivers read and write
//! through.
//!
//! A [`BusPool`] hands out one [`UnitClient`] per device. Devices on the same serial port or TCP
//! host:port share one link, owned by one task per bus that serves their requests one at a time;
//! different buses run in parallel. Every request has a time limit, a lost link is reopened with
//! exponential back-off, and the [`BusStatus`] of each bus is watchable.

mod backoff;
mod bus;
mod bus_key;
pub mod codec;
mod error;
mod exchange;
mod link_factory;
mod pool;
mod request;
mod rtu_link;
pub mod rtu_timing;
mod serial_port;
mod tcp_link;

pub use bus_key::BusKey;
pub use error::{exception_name, ModbusError};
pub use link_factory::{LinkFactory, LinkIo, LinkStream};
pub use pool::{BusOptions, BusPool, BusStatus, UnitClient};
