//! Helpers shared by the simulator tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ampwise_sim::Bus;
use tokio::net::TcpListener;

/// Runs `test` on a runtime with tokio's clock paused, so energy and timers are exact. A test that
/// would hang (paused clocks make that easy) fails after a minute of real time instead.
pub fn run_paused<F, Fut>(test: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let (done, finished) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(test());
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => thread.join().unwrap(),
        Err(RecvTimeoutError::Disconnected) => {
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(RecvTimeoutError::Timeout) => panic!("the test did not finish within 60 s"),
    }
}

/// Serves `bus` on a free local port for the rest of the test.
pub async fn serve_tcp(bus: Bus) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(ampwise_sim::serve_tcp(
        listener,
        bus,
        std::future::pending(),
    ));
    address
}

/// Client calls never wait longer than this in real-time tests.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// Decodes a float32 from two registers, high word first.
pub fn float(words: &[u16]) -> f32 {
    f32::from_bits((u32::from(words[0]) << 16) | u32::from(words[1]))
}

/// CRC-16/MODBUS, written independently of the simulator's own.
pub fn crc16(bytes: &[u8]) -> [u8; 2] {
    let mut crc = 0xFFFFu16;
    for &byte in bytes {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            let lsb = crc & 1;
            crc >>= 1;
            if lsb == 1 {
                crc ^= 0xA001;
            }
        }
    }
    crc.to_le_bytes()
}

pub fn rtu_frame(unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut frame = vec![unit];
    frame.extend_from_slice(pdu);
    let crc = crc16(&frame);
    frame.extend(crc);
    frame
}
