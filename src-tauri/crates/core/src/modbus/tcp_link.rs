//! Modbus TCP: one connection per host:port; the unit id in each request picks the device behind a
//! gateway.

use async_trait::async_trait;
use tokio::net::TcpStream;
use tokio_modbus::client::{tcp, Context};
use tokio_modbus::Slave;

use super::bus::Link;
use super::exchange::{self, ExchangeError, Outcome};
use super::request::{Operation, Reply};
use super::{BusKey, BusOptions, LinkFactory};

pub(crate) struct TcpLink {
    host: String,
    port: u16,
    options: BusOptions,
    /// Opens the stream instead of a TCP connection (simulations, tests).
    streams: Option<(LinkFactory, BusKey)>,
    context: Option<Context>,
}

impl TcpLink {
    pub(crate) fn new(
        host: &str,
        port: u16,
        options: BusOptions,
        streams: Option<(LinkFactory, BusKey)>,
    ) -> Self {
        // `[fd00::7]` is how people write IPv6 literals in URLs; the resolver wants them bare.
        let host = host
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        TcpLink {
            host,
            port,
            options,
            streams,
            context: None,
        }
    }
}

#[async_trait]
impl Link for TcpLink {
    async fn open(&mut self) -> Result<(), String> {
        self.context = None;
        let timed_out = || {
            format!(
                "no connection within {} ms",
                exchange::millis(self.options.connect_timeout)
            )
        };
        if let Some((factory, key)) = &self.streams {
            let stream = tokio::time::timeout(self.options.connect_timeout, factory.open(key))
                .await
                .map_err(|_| timed_out())?
                .map_err(|error| format!("cannot connect: {error}"))?;
            self.context = Some(tcp::attach_slave(stream, Slave(0)));
            return Ok(());
        }
        let address = (self.host.as_str(), self.port);
        let stream =
            tokio::time::timeout(self.options.connect_timeout, TcpStream::connect(address))
                .await
                .map_err(|_| timed_out())?
                .map_err(|error| format!("cannot connect: {error}"))?;
        // Requests are single small frames waiting for an answer; Nagle would only delay them.
        let _ = stream.set_nodelay(true);
        self.context = Some(tcp::attach_slave(stream, Slave(0)));
        Ok(())
    }

    async fn exchange(&mut self, unit: u8, operation: &Operation) -> Result<Reply, ExchangeError> {
        if self.context.is_none() {
            self.open().await.map_err(ExchangeError::LinkLost)?;
        }
        let Some(context) = self.context.as_mut() else {
            return Err(ExchangeError::LinkLost("not connected".into()));
        };
        let timeout = self.options.request_timeout;
        let outcome = exchange::call(context, unit, operation, timeout).await;
        if outcome.leaves_stray_input() || matches!(outcome, Outcome::LinkLost(_)) {
            // Why reconnect instead of reading on: the late answer to a timed-out request still
            // arrives on this connection, and tokio-modbus would hand it to the next request,
            // which then fails on the transaction id - and so on, one behind, for every request
            // after. A fresh connection starts clean; the next request opens it at once (a
            // timeout says nothing about the link, so no back-off).
            self.context = None;
        }
        outcome.into_result(unit, timeout)
    }

    fn close(&mut self) {
        self.context = None;
    }
}
