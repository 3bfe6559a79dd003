//! Simulated wallboxes and energy meters that speak the real Modbus protocols, for trying Ampwise
//! without hardware and for testing it.
//!
//! - [`PowerBrainSim`]: a cFos Power Brain wallbox with a car ([`CarSpec`]) that plugs in, CP
//!   states A→B→C, the fail-safe timer, the built-in meter and write counters.
//! - [`MeterSim`]: an Eastron SDM630 / SDM72D-M V2 or a Power Brain S0 meter, measuring a
//!   household base load plus linked wallboxes.
//! - [`Bus`]: the units behind one TCP port or on one serial line, with [`Fault`]s per unit.
//! - [`serve_tcp`] / [`serve_rtu`]: serve a bus until a shutdown future completes;
//!   [`serve_tcp_stream`] serves one connection on any byte stream (in-memory links in tests).
//! - [`demo`]: the devices of Ampwise's built-in demo installation (`ampwise-sim demo`, and the
//!   desktop app when it shows the demo).
//!
//! Time comes from `tokio::time::Instant`, so tests may pause tokio's clock; every time-dependent
//! call also has an `_at(now)` form. The physics is evaluated exactly whenever someone looks
//! (a read, a write, a snapshot), splitting time at every event, so results do not depend on
//! polling intervals and no background task is needed.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use ampwise_sim::{Bus, CarSpec, MeterConfig, MeterSim, PowerBrainConfig, PowerBrainSim};
//! let wallbox = PowerBrainSim::new(PowerBrainConfig::default())?;
//! let meter = MeterSim::new(MeterConfig { household_a: [2.0, 1.0, 0.5], ..Default::default() })?;
//! meter.link_wallbox(&wallbox);
//! let bus = Bus::new().with(1, &wallbox)?.with(2, &meter)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! tokio::spawn(ampwise_sim::serve_tcp(listener, bus, std::future::pending()));
//! wallbox.plug_in(CarSpec::default())?;
//! # Ok(()) }
//! ```

pub mod bus;
pub mod cli;
pub mod demo;
pub mod error;
pub mod faults;
mod lock;
pub mod meter;
mod modbus;
pub mod physics;
pub mod powerbrain;
pub mod serial;
pub mod serve;

pub use bus::{Bus, Device};
pub use error::{BusError, ConfigError, ServeError};
pub use faults::Fault;
pub use meter::{MeterConfig, MeterKind, MeterSim, MeterSnapshot};
pub use physics::{CarSpec, CpState, LoadSample, SimulatedLoad};
pub use powerbrain::{PowerBrainConfig, PowerBrainSim, PowerBrainSnapshot, ScheduledCar};
pub use serial::{open_pty, Pty, SerialSettings};
pub use serve::{serve_rtu, serve_tcp, serve_tcp_stream};
/// Re-exported so users of [`Fault::Exception`] need no direct tokio-modbus dependency.
pub use tokio_modbus::ExceptionCode;
