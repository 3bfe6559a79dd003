//! The task that owns one bus: it takes requests one at a time from a queue, opens the link when
//! needed, and keeps it or waits out a back-off when it is lost.
//!
//! One task per bus gives the serialisation RTU needs (half-duplex: one request on the wire) and
//! that simple Modbus TCP devices expect, without a lock any caller could hold too long; buses
//! run in parallel because they are separate tasks.

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::backoff::reconnect_delay;
use super::exchange::{instant_after, millis, ExchangeError};
use super::request::{Operation, Reply};
use super::{BusKey, BusOptions, BusStatus, ModbusError};

/// A physical link: a TCP connection or a serial port.
#[async_trait]
pub(crate) trait Link: Send + 'static {
    /// Opens the link; `Err` says why it cannot be opened, in words for the user.
    async fn open(&mut self) -> Result<(), String>;
    /// One request and its answer on the open link.
    async fn exchange(&mut self, unit: u8, operation: &Operation) -> Result<Reply, ExchangeError>;
    /// Lets go of the connection or port after it failed.
    fn close(&mut self);
}

/// One request waiting for the bus.
pub(crate) struct Job {
    pub(crate) unit: u8,
    pub(crate) operation: Operation,
    pub(crate) reply: oneshot::Sender<Result<Reply, ModbusError>>,
}

enum LinkState {
    /// Never opened.
    Idle,
    Up,
    /// Lost or never opened successfully; not tried again before `retry_at`.
    Down {
        error: String,
        attempts: u32,
        retry_at: Instant,
    },
}

pub(crate) struct Bus<L> {
    name: String,
    link: L,
    options: BusOptions,
    state: LinkState,
    status: watch::Sender<BusStatus>,
}

impl<L: Link> Bus<L> {
    pub(crate) fn new(
        key: &BusKey,
        link: L,
        options: BusOptions,
        status: watch::Sender<BusStatus>,
    ) -> Self {
        Bus {
            name: key.to_string(),
            link,
            options,
            state: LinkState::Idle,
            status,
        }
    }

    /// Serves requests until every sender (the pool and all clients) is gone.
    pub(crate) async fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        while let Some(job) = jobs.recv().await {
            if job.reply.is_closed() {
                // The caller stopped waiting (cancelled or timed out on its side): spare the bus.
                continue;
            }
            let result = self.handle(job.unit, &job.operation).await;
            // A caller that went away meanwhile does not need the answer.
            let _ = job.reply.send(result);
        }
        self.link.close();
        tracing::debug!(bus = %self.name, "Modbus bus closed: no more clients");
    }

    async fn handle(&mut self, unit: u8, operation: &Operation) -> Result<Reply, ModbusError> {
        match &self.state {
            LinkState::Up => {}
            LinkState::Down {
                error, retry_at, ..
            } if Instant::now() < *retry_at => {
                // Fail fast: a poll loop must not sit out the back-off.
                let retry_in = retry_at.saturating_duration_since(Instant::now());
                return Err(
                    self.link_error(format!("{error} (next attempt in {} ms)", millis(retry_in)))
                );
            }
            LinkState::Idle | LinkState::Down { .. } => match self.link.open().await {
                Ok(()) => self.mark_up(),
                Err(detail) => {
                    self.mark_down(detail.clone());
                    return Err(self.link_error(detail));
                }
            },
        }
        match self.link.exchange(unit, operation).await {
            Ok(reply) => Ok(reply),
            Err(ExchangeError::Device(error)) => Err(error),
            Err(ExchangeError::LinkLost(detail)) => {
                self.link.close();
                self.mark_down(detail.clone());
                Err(self.link_error(detail))
            }
        }
    }

    fn link_error(&self, detail: String) -> ModbusError {
        ModbusError::Link {
            bus: self.name.clone(),
            detail,
        }
    }

    fn mark_up(&mut self) {
        match &self.state {
            LinkState::Down { attempts, .. } => {
                tracing::info!(bus = %self.name, attempts, "Modbus link is back");
            }
            LinkState::Idle => tracing::debug!(bus = %self.name, "Modbus link opened"),
            LinkState::Up => {}
        }
        self.state = LinkState::Up;
        self.status.send_replace(BusStatus::Connected);
    }

    /// Records a failure and schedules the next attempt. Warns only when the link goes from
    /// working (or untried) to failing; repeated failures while down are debug noise.
    fn mark_down(&mut self, error: String) {
        let attempts = match &self.state {
            LinkState::Down { attempts, .. } => attempts.saturating_add(1),
            LinkState::Idle | LinkState::Up => 1,
        };
        let delay = reconnect_delay(
            attempts,
            self.options.reconnect_backoff_min,
            self.options.reconnect_backoff_max,
        );
        let retry_in_ms = millis(delay);
        if attempts == 1 {
            tracing::warn!(bus = %self.name, %error, retry_in_ms, "Modbus link failed");
        } else {
            tracing::debug!(bus = %self.name, %error, attempts, retry_in_ms, "Modbus link still failing");
        }
        self.status.send_replace(BusStatus::Disconnected {
            error: error.clone(),
            retry_in_ms,
            attempts,
        });
        self.state = LinkState::Down {
            error,
            attempts,
            retry_at: instant_after(Instant::now(), delay),
        };
    }
}
