//! Modbus TCP: one connection per host:port; the unit id in each request picks the device behind a
//! gateway.

use async_trait::async_trait;
use tokio::net::TcpStream;
use tokio_modbus::client::{tcp, Context};
use tokio_modbus::Slave;

use super::bus::Link;
use super::exchange::{self, ExchangeError, Outcome};
use super::request::{Operation, Reply};
use super::BusOptions;

pub(crate) struct TcpLink {
    host: String,
    port: u16,
    options: BusOptions,
    context: Option<Context>,
}

impl TcpLink {
    pub(crate) fn new(host: &str, port: u16, options: BusOptions) -> Self {
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
            context: None,
        }
    }
}

#[async_trait]
impl Link for TcpLink {
    async fn open(&mut self) -> Result<(), String> {
        self.context = None;
        let address = (self.host.as_str(), self.port);
        let stream =
            tokio::time::timeout(self.options.connect_timeout, TcpStream::connect(address))
                .await
                .map_err(|_| {
                    format!(
                        "no connection within {} ms",
                        exchange::millis(self.options.connect_timeout)
                    )
                })?
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
