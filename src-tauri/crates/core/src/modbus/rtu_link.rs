//! Modbus RTU on a serial line: half-duplex, one frame on the wire at a time, frames told apart
//! only by silence, and no transaction ids to tell a late answer from the current one.
//!
//! Why stale answers are kept out by time, not by reopening the port: a device that answers after
//! we gave up puts its answer on the line whether our file descriptor is old or new, so reopening
//! alone would not help, and it costs an open/close cycle on the adapter. Instead, after a failed
//! exchange the link reads and discards until the line is quiet, remembers that the unit may
//! still answer late and makes the next request to that unit wait until that can no longer
//! happen, empties the OS input buffer before every request, and attaches a fresh tokio-modbus
//! client to the port it keeps open. An answer from the wrong unit fails tokio-modbus's unit id
//! check, and a corrupted one fails the CRC, so neither can become a value.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;
use tokio_modbus::client::{rtu, Context};
use tokio_modbus::Slave;

use super::bus::Link;
use super::exchange::{self, instant_after, ExchangeError, Outcome};
use super::request::{Operation, Reply};
use super::rtu_timing;
use super::serial_port::{PortClaim, SharedPort};
use super::BusOptions;
use crate::config::SerialSettings;

pub(crate) struct RtuLink {
    settings: SerialSettings,
    port_key: String,
    options: BusOptions,
    inter_frame_silence: Duration,
    drain_quiet: Duration,
    open: Option<OpenPort>,
    /// When the last frame on the line ended (answer received, or given up on).
    last_frame_end: Option<Instant>,
    /// Units whose answer timed out or was garbled, and until when their late answer may still
    /// turn up.
    late_answer_possible_until: HashMap<u8, Instant>,
}

struct OpenPort {
    port: SharedPort,
    /// Attached on first use, and again after a failed exchange left its framing state suspect.
    context: Option<Context>,
    _claim: PortClaim,
}

impl RtuLink {
    pub(crate) fn new(settings: SerialSettings, port_key: String, options: BusOptions) -> Self {
        RtuLink {
            inter_frame_silence: rtu_timing::inter_frame_silence(&settings),
            drain_quiet: rtu_timing::drain_quiet(&settings),
            settings,
            port_key,
            options,
            open: None,
            last_frame_end: None,
            late_answer_possible_until: HashMap::new(),
        }
    }

    /// Before a request to `unit`: a late answer from an earlier request to the same unit would
    /// look exactly like the answer to this one (same unit, same function, maybe the same length),
    /// so wait until it can no longer come, discarding whatever arrives meanwhile. Only this unit
    /// waits: a late answer from another unit during a request fails that request on the unit id
    /// check, never yields a wrong value, and a silent unit must not slow down the others.
    async fn wait_out_late_answer(&mut self, port: &SharedPort, unit: u8) -> std::io::Result<()> {
        if let Some(until) = self.late_answer_possible_until.remove(&unit) {
            if until > Instant::now() {
                port.discard_input(until, None).await?;
                self.last_frame_end = Some(Instant::now());
            }
        }
        Ok(())
    }

    /// When the line has been silent long enough for the next frame.
    fn next_frame_allowed_at(&self) -> Option<Instant> {
        self.last_frame_end
            .map(|end| instant_after(end, self.inter_frame_silence))
    }

    /// After a failed exchange: let a partial or late frame finish before anyone talks again,
    /// so the next request neither collides with it on the wire nor reads its tail.
    async fn settle_after_failure(&mut self, port: &SharedPort, unit: u8) -> std::io::Result<()> {
        let now = Instant::now();
        self.late_answer_possible_until
            .insert(unit, instant_after(now, self.options.request_timeout));
        let give_up_at = instant_after(now, self.options.request_timeout.max(self.drain_quiet));
        port.discard_input(give_up_at, Some(self.drain_quiet))
            .await?;
        self.last_frame_end = Some(Instant::now());
        Ok(())
    }
}

#[async_trait]
impl Link for RtuLink {
    async fn open(&mut self) -> Result<(), String> {
        self.open = None;
        let claim = PortClaim::acquire(&self.port_key, self.options.connect_timeout).await?;
        let port = SharedPort::open(&self.settings)?;
        self.open = Some(OpenPort {
            port,
            context: None,
            _claim: claim,
        });
        // A freshly opened adapter may have put a glitch on the line; give devices their silence.
        self.last_frame_end = Some(Instant::now());
        self.late_answer_possible_until.clear();
        Ok(())
    }

    async fn exchange(&mut self, unit: u8, operation: &Operation) -> Result<Reply, ExchangeError> {
        let Some(port) = self.open.as_ref().map(|open| open.port.clone()) else {
            return Err(ExchangeError::LinkLost("serial port is not open".into()));
        };
        let lost = |error: std::io::Error| ExchangeError::LinkLost(error.to_string());

        self.wait_out_late_answer(&port, unit).await.map_err(lost)?;
        if let Some(allowed_at) = self.next_frame_allowed_at() {
            tokio::time::sleep_until(allowed_at).await;
        }
        // Whatever arrived since the last exchange answers nothing we are about to ask.
        port.clear_input().map_err(lost)?;

        let timeout = self.options.request_timeout;
        let outcome = {
            let Some(open) = self.open.as_mut() else {
                return Err(ExchangeError::LinkLost("serial port is not open".into()));
            };
            let context = open
                .context
                .get_or_insert_with(|| rtu::attach_slave(port.clone(), Slave(unit)));
            exchange::call(context, unit, operation, timeout).await
        };
        self.last_frame_end = Some(Instant::now());

        if outcome.leaves_stray_input() {
            // Why a fresh client: after a decode error tokio-modbus's framing stream is finished
            // for good, and after a timeout it may hold half a frame. Re-attaching to the port we
            // keep open is cheap and cannot fail, unlike closing and reopening the device.
            if let Some(open) = self.open.as_mut() {
                open.context = None;
            }
            self.settle_after_failure(&port, unit).await.map_err(lost)?;
        }
        if matches!(outcome, Outcome::LinkLost(_)) {
            self.close();
        }
        outcome.into_result(unit, timeout)
    }

    fn close(&mut self) {
        self.open = None;
    }
}
