//! Serving a [`crate::Bus`] over Modbus TCP or over an RTU serial line. Both take a shutdown
//! future and return when it completes, so tests bind port 0 or a pty and stop cleanly.

mod rtu;
mod tcp;

pub use rtu::serve_rtu;
pub use tcp::{serve_tcp, serve_tcp_stream};
