//! The hook for simulations and tests: Modbus TCP buses that get their byte stream from a function
//! instead of a TCP connection.
//!
//! Why: under a paused tokio clock (`#[tokio::test(start_paused = true)]`) a real socket makes
//! tokio jump the clock ahead while it waits for the operating system, so request time limits
//! fire that never would in reality. An in-memory stream (`tokio::io::duplex`) served by a
//! simulator in the same runtime keeps simulated time exact. Serial (RTU) buses always open their
//! port: the RTU link empties the port's OS input buffer, which only a real port has; simulations
//! serve RTU on a pseudo-terminal.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};

use super::BusKey;

/// A byte stream a Modbus TCP client can run on.
pub trait LinkIo: AsyncRead + AsyncWrite + Send + Unpin + fmt::Debug {}

impl<T> LinkIo for T where T: AsyncRead + AsyncWrite + Send + Unpin + fmt::Debug {}

pub type LinkStream = Box<dyn LinkIo>;

type OpenFuture = Pin<Box<dyn Future<Output = io::Result<LinkStream>> + Send>>;

/// Opens the stream of a Modbus TCP bus, given the bus (`BusKey::Tcp { host, port }` as
/// configured). Called again every time the link is reopened (after a timeout or a lost
/// connection), like `TcpStream::connect`; an `Err` is reported as a connection that failed.
#[derive(Clone)]
pub struct LinkFactory {
    open: Arc<dyn Fn(&BusKey) -> OpenFuture + Send + Sync>,
}

impl LinkFactory {
    pub fn new<F, Fut, S>(open: F) -> Self
    where
        F: Fn(&BusKey) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = io::Result<S>> + Send + 'static,
        S: LinkIo + 'static,
    {
        let open = move |key: &BusKey| -> OpenFuture {
            let opening = open(key);
            Box::pin(async move { opening.await.map(|stream| Box::new(stream) as LinkStream) })
        };
        LinkFactory {
            open: Arc::new(open),
        }
    }

    pub(crate) fn open(&self, key: &BusKey) -> OpenFuture {
        (self.open)(key)
    }
}

impl fmt::Debug for LinkFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkFactory")
    }
}
