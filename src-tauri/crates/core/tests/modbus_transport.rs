//! The Modbus transport against real peers: tokio-modbus's own TCP and RTU servers, real sockets on
//! 127.0.0.1, and real pseudo-terminals made by socat, opened by path like a USB adapter.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ampwise_core::config::{ModbusTransport, Parity, SerialSettings, TcpEndpoint};
use ampwise_core::modbus::{BusKey, BusOptions, BusPool, BusStatus, ModbusError, UnitClient};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Child;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_modbus::server::Service;
use tokio_modbus::{ExceptionCode, Request, Response, SlaveRequest};
use tokio_serial::SerialStream;

const REQUEST_TIMEOUT: Duration = Duration::from_millis(300);

fn options() -> BusOptions {
    BusOptions {
        request_timeout: REQUEST_TIMEOUT,
        reconnect_backoff_min: Duration::from_millis(400),
        reconnect_backoff_max: Duration::from_millis(800),
        connect_timeout: Duration::from_secs(2),
    }
}

// ---------------------------------------------------------------------------------------------
// The peer: a Modbus device model served by tokio-modbus's server.
// ---------------------------------------------------------------------------------------------

/// Holding register `address` of `unit` reads `unit * 1000 + address` until written.
fn holding_default(unit: u8, address: u16) -> u16 {
    u16::from(unit) * 1000 + address
}

/// Input registers differ from holding registers, so a wrong function shows.
fn input_value(unit: u8, address: u16) -> u16 {
    40_000 + u16::from(unit) * 100 + address
}

/// Addresses from here on do not exist: the peer answers exception 02.
const MISSING_ADDRESSES: u16 = 9000;

#[derive(Clone)]
struct Peer {
    /// Units that answer; others stay silent, like an absent device on a bus.
    units: Vec<u8>,
    delay: Duration,
    /// (unit, extra delay) for the first request that unit gets: a device answering too late once.
    late_first_answer: Option<(u8, Duration)>,
    state: Arc<Mutex<PeerState>>,
}

#[derive(Default)]
struct PeerState {
    written: HashMap<(u8, u16), u16>,
    seen: Vec<Seen>,
    late_answer_given: bool,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    unit: u8,
    arrived: Instant,
    answered: Option<Instant>,
}

impl Peer {
    fn new(units: &[u8]) -> Self {
        Peer {
            units: units.to_vec(),
            delay: Duration::ZERO,
            late_first_answer: None,
            state: Arc::default(),
        }
    }

    fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    async fn answer(
        self,
        request: SlaveRequest<'static>,
    ) -> Result<Option<Response>, ExceptionCode> {
        let unit = request.slave;
        let index = {
            let mut state = self.state.lock().unwrap();
            state.seen.push(Seen {
                unit,
                arrived: Instant::now(),
                answered: None,
            });
            state.seen.len() - 1
        };
        if !self.units.contains(&unit) {
            return Ok(None);
        }
        let mut delay = self.delay;
        if let Some((late_unit, extra)) = self.late_first_answer {
            let mut state = self.state.lock().unwrap();
            if late_unit == unit && !state.late_answer_given {
                state.late_answer_given = true;
                delay += extra;
            }
        }
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let mut state = self.state.lock().unwrap();
        let response = match request.request {
            Request::ReadHoldingRegisters(address, _) | Request::ReadInputRegisters(address, _)
                if address >= MISSING_ADDRESSES =>
            {
                Err(ExceptionCode::IllegalDataAddress)
            }
            Request::ReadHoldingRegisters(address, count) => Ok(Response::ReadHoldingRegisters(
                (address..address + count)
                    .map(|a| {
                        state
                            .written
                            .get(&(unit, a))
                            .copied()
                            .unwrap_or_else(|| holding_default(unit, a))
                    })
                    .collect(),
            )),
            Request::ReadInputRegisters(address, count) => Ok(Response::ReadInputRegisters(
                (address..address + count)
                    .map(|a| input_value(unit, a))
                    .collect(),
            )),
            Request::WriteSingleRegister(address, value) => {
                state.written.insert((unit, address), value);
                Ok(Response::WriteSingleRegister(address, value))
            }
            Request::WriteMultipleRegisters(address, values) => {
                for (offset, value) in values.iter().enumerate() {
                    state
                        .written
                        .insert((unit, address + offset as u16), *value);
                }
                Ok(Response::WriteMultipleRegisters(
                    address,
                    values.len() as u16,
                ))
            }
            _ => Err(ExceptionCode::IllegalFunction),
        };
        state.seen[index].answered = Some(Instant::now());
        response.map(Some)
    }
}

impl Service for Peer {
    type Request = SlaveRequest<'static>;
    type Response = Option<Response>;
    type Exception = ExceptionCode;
    type Future =
        Pin<Box<dyn Future<Output = Result<Option<Response>, ExceptionCode>> + Send + 'static>>;

    fn call(&self, request: Self::Request) -> Self::Future {
        Box::pin(self.clone().answer(request))
    }
}

// ---------------------------------------------------------------------------------------------
// Modbus TCP peers.
// ---------------------------------------------------------------------------------------------

struct TcpPeer {
    address: SocketAddr,
    peer: Peer,
    /// Connections open right now.
    open_connections: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
    server: JoinHandle<()>,
}

/// A TCP stream that keeps count of the open connections.
struct CountedStream {
    stream: TcpStream,
    open: Arc<AtomicUsize>,
}

impl Drop for CountedStream {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl TcpPeer {
    async fn start(peer: Peer) -> TcpPeer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, peer)
    }

    /// A new server on the address of a killed one, with the same device state.
    async fn restart(address: SocketAddr, peer: Peer) -> TcpPeer {
        let listener = TcpListener::bind(address).await.unwrap();
        Self::serve(listener, peer)
    }

    fn serve(listener: TcpListener, peer: Peer) -> TcpPeer {
        let address = listener.local_addr().unwrap();
        let open_connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let server = tokio_modbus::server::tcp::Server::new(listener);
        let (service, open, count) = (peer.clone(), open_connections.clone(), accepted.clone());
        let task = tokio::spawn(async move {
            let on_connected = move |stream: TcpStream, _address: SocketAddr| {
                let (service, open, count) = (service.clone(), open.clone(), count.clone());
                async move {
                    open.fetch_add(1, Ordering::SeqCst);
                    count.fetch_add(1, Ordering::SeqCst);
                    Ok(Some((service, CountedStream { stream, open })))
                }
            };
            let _ = server.serve(&on_connected, |_error| {}).await;
        });
        TcpPeer {
            address,
            peer,
            open_connections,
            accepted,
            server: task,
        }
    }

    fn transport(&self) -> ModbusTransport {
        ModbusTransport::Tcp(TcpEndpoint {
            host: self.address.ip().to_string(),
            port: self.address.port(),
        })
    }

    /// Stops listening and closes every connection, like a gateway losing power.
    async fn kill(self) -> (SocketAddr, Peer) {
        self.server.abort();
        let _ = self.server.await;
        // The per-connection tasks end on their next wake-up after the cancellation.
        wait_until(Duration::from_secs(2), || {
            self.open_connections.load(Ordering::SeqCst) == 0
        })
        .await;
        (self.address, self.peer)
    }
}

async fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    condition()
}

/// Polls until the request succeeds (a reconnect after back-off), for at most `limit`.
async fn read_until_ok(client: &UnitClient, limit: Duration) -> Result<Vec<u16>, ModbusError> {
    let start = Instant::now();
    loop {
        let result = client.read_holding_registers(0, 2).await;
        if result.is_ok() || start.elapsed() > limit {
            return result;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn assert_link_error(result: Result<Vec<u16>, ModbusError>) -> String {
    match result {
        Err(ModbusError::Link { bus, detail }) => {
            assert!(!detail.is_empty());
            format!("{bus}: {detail}")
        }
        other => panic!("expected a link error, got {other:?}"),
    }
}

#[tokio::test]
async fn tcp_reads_and_writes_registers() {
    let peer = TcpPeer::start(Peer::new(&[1])).await;
    let pool = BusPool::new(options());
    let client = pool.client(&peer.transport(), 1).unwrap();
    assert_eq!(client.unit_id(), 1);
    assert_eq!(
        client.bus(),
        &BusKey::Tcp {
            host: "127.0.0.1".into(),
            port: peer.address.port()
        }
    );
    assert_eq!(*client.status().borrow(), BusStatus::Idle);

    assert_eq!(
        client.read_holding_registers(10, 3).await.unwrap(),
        [1010, 1011, 1012]
    );
    assert_eq!(*client.status().borrow(), BusStatus::Connected);
    assert_eq!(
        client.read_input_registers(5, 2).await.unwrap(),
        [input_value(1, 5), input_value(1, 6)]
    );

    client.write_single_register(11, 4242).await.unwrap();
    client
        .write_multiple_registers(20, &[7, 8, 9])
        .await
        .unwrap();
    assert_eq!(
        client.read_holding_registers(10, 3).await.unwrap(),
        [1010, 4242, 1012]
    );
    assert_eq!(
        client.read_holding_registers(19, 5).await.unwrap(),
        [1019, 7, 8, 9, 1023]
    );

    // A request no frame can carry never reaches the device.
    let before = peer.peer.seen().len();
    assert!(matches!(
        client.read_holding_registers(0, 0).await,
        Err(ModbusError::InvalidRequest { unit: 1, .. })
    ));
    assert!(matches!(
        client.write_multiple_registers(0, &[0; 124]).await,
        Err(ModbusError::InvalidRequest { .. })
    ));
    assert_eq!(peer.peer.seen().len(), before);

    assert_eq!(
        pool.statuses(),
        [(client.bus().clone(), BusStatus::Connected)]
    );
}

#[tokio::test]
async fn tcp_units_behind_one_gateway_share_one_connection() {
    let peer = TcpPeer::start(Peer::new(&[1, 2])).await;
    let pool = BusPool::new(options());
    let first = pool.client(&peer.transport(), 1).unwrap();
    let second = pool.client(&peer.transport(), 2).unwrap();

    for _ in 0..3 {
        assert_eq!(first.read_holding_registers(3, 1).await.unwrap(), [1003]);
        assert_eq!(second.read_holding_registers(3, 1).await.unwrap(), [2003]);
    }
    second.write_single_register(3, 77).await.unwrap();
    assert_eq!(first.read_holding_registers(3, 1).await.unwrap(), [1003]);
    assert_eq!(second.read_holding_registers(3, 1).await.unwrap(), [77]);

    assert_eq!(peer.accepted.load(Ordering::SeqCst), 1, "one connection");
    assert_eq!(pool.statuses().len(), 1, "one bus");
}

#[tokio::test]
async fn tcp_exception_is_reported_and_the_link_stays_up() {
    let peer = TcpPeer::start(Peer::new(&[4])).await;
    let pool = BusPool::new(options());
    let client = pool.client(&peer.transport(), 4).unwrap();

    let error = client
        .read_holding_registers(MISSING_ADDRESSES, 2)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ModbusError::Exception {
            unit: 4,
            code: 0x02,
            name: "illegal data address"
        }
    );
    assert!(!error.is_link_failure());
    assert_eq!(*client.status().borrow(), BusStatus::Connected);
    assert_eq!(client.read_holding_registers(0, 1).await.unwrap(), [4000]);
    assert_eq!(peer.accepted.load(Ordering::SeqCst), 1, "no reconnect");
}

#[tokio::test]
async fn tcp_silent_unit_times_out_and_the_gateway_keeps_serving_others() {
    let peer = TcpPeer::start(Peer::new(&[1])).await;
    let pool = BusPool::new(options());
    let present = pool.client(&peer.transport(), 1).unwrap();
    let absent = pool.client(&peer.transport(), 9).unwrap();

    assert_eq!(present.read_holding_registers(0, 1).await.unwrap(), [1000]);
    let start = Instant::now();
    assert_eq!(
        absent.read_holding_registers(0, 1).await,
        Err(ModbusError::Timeout {
            unit: 9,
            timeout_ms: 300
        })
    );
    assert!(start.elapsed() >= REQUEST_TIMEOUT);
    assert!(start.elapsed() < Duration::from_secs(2));
    for _ in 0..3 {
        assert_eq!(present.read_holding_registers(0, 1).await.unwrap(), [1000]);
    }
    assert_eq!(*present.status().borrow(), BusStatus::Connected);
}

#[tokio::test]
async fn tcp_late_answer_does_not_shift_later_answers() {
    let mut device = Peer::new(&[1]);
    device.late_first_answer = Some((1, Duration::from_millis(450)));
    let peer = TcpPeer::start(device).await;
    let pool = BusPool::new(options());
    let client = pool.client(&peer.transport(), 1).unwrap();

    assert!(matches!(
        client.read_holding_registers(10, 1).await,
        Err(ModbusError::Timeout { unit: 1, .. })
    ));
    for address in [20, 30, 40] {
        assert_eq!(
            client.read_holding_registers(address, 1).await.unwrap(),
            [holding_default(1, address)]
        );
    }
    assert_eq!(*client.status().borrow(), BusStatus::Connected);
}

#[tokio::test]
async fn tcp_server_restart_is_survived_with_back_off() {
    let peer = TcpPeer::start(Peer::new(&[1])).await;
    let pool = BusPool::new(options());
    let client = pool.client(&peer.transport(), 1).unwrap();
    let mut status = client.status();
    assert_eq!(
        client.read_holding_registers(0, 2).await.unwrap(),
        [1000, 1001]
    );

    let (address, device) = peer.kill().await;

    assert_link_error(client.read_holding_registers(0, 2).await);
    let disconnected = status.borrow_and_update().clone();
    let BusStatus::Disconnected {
        attempts,
        retry_in_ms,
        ..
    } = disconnected
    else {
        panic!("expected Disconnected, got {disconnected:?}");
    };
    assert_eq!(attempts, 1);
    assert_eq!(retry_in_ms, 400);

    // During the back-off requests fail at once instead of blocking the poll loop.
    for _ in 0..3 {
        let start = Instant::now();
        let detail = assert_link_error(client.read_holding_registers(0, 2).await);
        assert!(
            start.elapsed() < Duration::from_millis(100),
            "{:?}",
            start.elapsed()
        );
        assert!(detail.contains("next attempt in"), "{detail}");
    }

    // Still down after the back-off: the failed attempt doubles the wait.
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_link_error(client.read_holding_registers(0, 2).await);
    assert!(matches!(
        *status.borrow_and_update(),
        BusStatus::Disconnected {
            attempts: 2,
            retry_in_ms: 800,
            ..
        }
    ));

    let peer = TcpPeer::restart(address, device).await;
    assert_eq!(
        read_until_ok(&client, Duration::from_secs(5))
            .await
            .unwrap(),
        [1000, 1001]
    );
    assert_eq!(*status.borrow(), BusStatus::Connected);
    assert_eq!(peer.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn tcp_refused_connection_fails_fast_during_back_off() {
    // A port nobody listens on: bind, note the port, close.
    let address = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let transport = ModbusTransport::Tcp(TcpEndpoint {
        host: "127.0.0.1".into(),
        port: address.port(),
    });
    let pool = BusPool::new(options());
    let client = pool.client(&transport, 1).unwrap();
    let detail = assert_link_error(client.read_holding_registers(0, 1).await);
    assert!(detail.contains("cannot connect"), "{detail}");
    let start = Instant::now();
    for _ in 0..10 {
        assert_link_error(client.read_holding_registers(0, 1).await);
    }
    assert!(start.elapsed() < Duration::from_millis(200));
    assert!(matches!(
        pool.statuses()[0].1,
        BusStatus::Disconnected { attempts: 1, .. }
    ));
}

#[tokio::test]
async fn buses_run_in_parallel_and_one_bus_serialises() {
    let delay = Duration::from_millis(300);
    let one = TcpPeer::start(Peer::new(&[1, 2]).with_delay(delay)).await;
    let other = TcpPeer::start(Peer::new(&[1]).with_delay(delay)).await;
    let pool = BusPool::new(options_with_timeout(Duration::from_secs(3)));
    let a = pool.client(&one.transport(), 1).unwrap();
    let a2 = pool.client(&one.transport(), 2).unwrap();
    let b = pool.client(&other.transport(), 1).unwrap();
    // Connect first, so only the exchanges are timed.
    a.read_holding_registers(0, 1).await.unwrap();
    b.read_holding_registers(0, 1).await.unwrap();

    let start = Instant::now();
    let (ra, rb) = tokio::join!(
        a.read_holding_registers(0, 1),
        b.read_holding_registers(0, 1)
    );
    let parallel = start.elapsed();
    assert_eq!((ra.unwrap(), rb.unwrap()), (vec![1000], vec![1000]));
    assert!(parallel >= delay);
    assert!(
        parallel < delay * 2 - Duration::from_millis(100),
        "two buses took {parallel:?}, as if one after the other"
    );

    // Two units behind the same gateway share one link: one after the other.
    let start = Instant::now();
    let (r1, r2) = tokio::join!(
        a.read_holding_registers(0, 1),
        a2.read_holding_registers(0, 1)
    );
    let serial = start.elapsed();
    assert_eq!((r1.unwrap(), r2.unwrap()), (vec![1000], vec![2000]));
    assert!(
        serial >= delay * 2,
        "one bus answered two requests in {serial:?}"
    );
}

fn options_with_timeout(request_timeout: Duration) -> BusOptions {
    BusOptions {
        request_timeout,
        ..options()
    }
}

#[tokio::test]
async fn bus_task_ends_when_pool_and_clients_are_dropped() {
    let peer = TcpPeer::start(Peer::new(&[1])).await;
    let pool = BusPool::new(options());
    let client = pool.client(&peer.transport(), 1).unwrap();
    let clone = client.clone();
    client.read_holding_registers(0, 1).await.unwrap();
    assert_eq!(peer.open_connections.load(Ordering::SeqCst), 1);

    drop(pool);
    drop(client);
    // One client still holds the bus.
    clone.read_holding_registers(0, 1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(peer.open_connections.load(Ordering::SeqCst), 1);

    drop(clone);
    assert!(
        wait_until(Duration::from_secs(3), || peer
            .open_connections
            .load(Ordering::SeqCst)
            == 0)
        .await,
        "the bus task still holds its connection"
    );
}

#[tokio::test]
async fn link_loss_is_warned_once_per_state_change() {
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer_logs = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || LogWriter(writer_logs.clone()))
        .finish();
    let _default = tracing::subscriber::set_default(subscriber);

    let peer = TcpPeer::start(Peer::new(&[1])).await;
    let pool = BusPool::new(options());
    let client = pool.client(&peer.transport(), 1).unwrap();
    client.read_holding_registers(0, 1).await.unwrap();
    let (address, device) = peer.kill().await;
    for _ in 0..5 {
        let _ = client.read_holding_registers(0, 1).await;
    }
    tokio::time::sleep(Duration::from_millis(450)).await;
    for _ in 0..5 {
        let _ = client.read_holding_registers(0, 1).await;
    }
    let _peer = TcpPeer::restart(address, device).await;
    read_until_ok(&client, Duration::from_secs(5))
        .await
        .unwrap();

    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    let warnings = text.lines().filter(|line| line.contains("WARN")).count();
    assert_eq!(warnings, 1, "{text}");
    assert!(text.contains("Modbus link failed"), "{text}");
    assert_eq!(text.matches("Modbus link is back").count(), 1, "{text}");
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Modbus RTU over pseudo-terminals.
// ---------------------------------------------------------------------------------------------

/// A serial line made of two pseudo-terminals joined by socat: the pool opens `client_end` by
/// path, the device model sits on `device_end`.
struct SerialLine {
    _dir: tempfile::TempDir,
    client_end: PathBuf,
    device_end: PathBuf,
    socat: Option<Child>,
}

impl SerialLine {
    async fn new() -> SerialLine {
        let dir = tempfile::tempdir().unwrap();
        let client_end = dir.path().join("ttyUSB-test");
        let device_end = dir.path().join("device");
        let mut line = SerialLine {
            _dir: dir,
            client_end,
            device_end,
            socat: None,
        };
        line.plug_in().await;
        line
    }

    async fn plug_in(&mut self) {
        let _ = std::fs::remove_file(&self.client_end);
        let _ = std::fs::remove_file(&self.device_end);
        let child = tokio::process::Command::new("socat")
            .arg(pty_address(&self.client_end))
            .arg(pty_address(&self.device_end))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("socat is installed");
        self.socat = Some(child);
        let (a, b) = (self.client_end.clone(), self.device_end.clone());
        assert!(
            wait_until(Duration::from_secs(5), || a.exists() && b.exists()).await,
            "socat made no ptys"
        );
    }

    /// The adapter disappears: the ptys close and the device node is gone.
    async fn unplug(&mut self) {
        if let Some(mut child) = self.socat.take() {
            child.kill().await.unwrap();
        }
        let _ = std::fs::remove_file(&self.client_end);
        let _ = std::fs::remove_file(&self.device_end);
    }

    fn settings(&self, baud_rate: u32) -> SerialSettings {
        SerialSettings {
            port: self.client_end.to_string_lossy().into_owned(),
            baud_rate,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
        }
    }

    fn transport(&self, baud_rate: u32) -> ModbusTransport {
        ModbusTransport::Rtu(self.settings(baud_rate))
    }

    fn open_device_end(&self) -> SerialStream {
        open_port(&self.device_end)
    }
}

fn pty_address(link: &Path) -> String {
    format!("pty,raw,echo=0,link={}", link.display())
}

fn open_port(path: &Path) -> SerialStream {
    SerialStream::open(&tokio_serial::new(path.to_string_lossy(), 9600)).unwrap()
}

fn serve_rtu(port: SerialStream, peer: Peer) -> JoinHandle<()> {
    tokio::spawn(async move {
        let _ = tokio_modbus::server::rtu::Server::new(port)
            .serve_forever(peer)
            .await;
    })
}

#[tokio::test]
async fn rtu_units_share_one_bus_and_a_silent_unit_only_times_out_itself() {
    let line = SerialLine::new().await;
    let peer = Peer::new(&[1, 2, 3]);
    let _server = serve_rtu(line.open_device_end(), peer.clone());
    let pool = BusPool::new(options());
    let clients: Vec<UnitClient> = (1..=4)
        .map(|unit| pool.client(&line.transport(9600), unit).unwrap())
        .collect();

    for client in &clients[..3] {
        let unit = client.unit_id();
        assert_eq!(
            client.read_holding_registers(100, 2).await.unwrap(),
            [holding_default(unit, 100), holding_default(unit, 101)]
        );
        assert_eq!(
            client.read_input_registers(7, 1).await.unwrap(),
            [input_value(unit, 7)]
        );
    }
    clients[1].write_single_register(100, 555).await.unwrap();
    clients[2]
        .write_multiple_registers(100, &[1, 2])
        .await
        .unwrap();
    assert_eq!(
        clients[0].read_holding_registers(100, 1).await.unwrap(),
        [1100]
    );
    assert_eq!(
        clients[1].read_holding_registers(100, 1).await.unwrap(),
        [555]
    );
    assert_eq!(
        clients[2].read_holding_registers(100, 2).await.unwrap(),
        [1, 2]
    );

    let start = Instant::now();
    assert_eq!(
        clients[3].read_holding_registers(100, 1).await,
        Err(ModbusError::Timeout {
            unit: 4,
            timeout_ms: 300
        })
    );
    assert!(start.elapsed() >= REQUEST_TIMEOUT);
    for client in &clients[..3] {
        let unit = client.unit_id();
        assert_eq!(
            client.read_holding_registers(0, 1).await.unwrap(),
            [holding_default(unit, 0)]
        );
    }
    // The silent unit costs its own timeout, the others go on at full speed.
    let start = Instant::now();
    for _ in 0..5 {
        clients[0].read_holding_registers(0, 1).await.unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(pool.statuses()[0].1, BusStatus::Connected);
    assert_eq!(
        pool.statuses()[0].0,
        BusKey::Serial {
            port: line.client_end.to_string_lossy().into_owned()
        }
    );
}

#[tokio::test]
async fn rtu_exception_is_reported_and_the_link_stays_up() {
    let line = SerialLine::new().await;
    let _server = serve_rtu(line.open_device_end(), Peer::new(&[5]));
    let pool = BusPool::new(options());
    let client = pool.client(&line.transport(19_200), 5).unwrap();

    assert_eq!(
        client.read_input_registers(MISSING_ADDRESSES, 1).await,
        Err(ModbusError::Exception {
            unit: 5,
            code: 2,
            name: "illegal data address"
        })
    );
    assert_eq!(
        client.read_input_registers(1, 1).await.unwrap(),
        [input_value(5, 1)]
    );
    assert_eq!(*client.status().borrow(), BusStatus::Connected);
}

#[tokio::test]
async fn rtu_late_answer_is_never_taken_for_the_next_one() {
    let line = SerialLine::new().await;
    let mut peer = Peer::new(&[1, 2]);
    // The first answer of unit 2 comes 150 ms after the client gave up.
    peer.late_first_answer = Some((2, Duration::from_millis(450)));
    let _server = serve_rtu(line.open_device_end(), peer.clone());
    let pool = BusPool::new(options());
    let client = pool.client(&line.transport(9600), 2).unwrap();

    assert!(matches!(
        client.read_holding_registers(10, 2).await,
        Err(ModbusError::Timeout { unit: 2, .. })
    ));
    // Same unit, same function, same length: only the register values tell the answers apart.
    assert_eq!(
        client.read_holding_registers(20, 2).await.unwrap(),
        [2020, 2021]
    );
    assert_eq!(
        client.read_holding_registers(30, 2).await.unwrap(),
        [2030, 2031]
    );
}

#[tokio::test]
async fn rtu_port_that_disappears_and_comes_back_is_reopened() {
    let mut line = SerialLine::new().await;
    let peer = Peer::new(&[1, 2]);
    let _server = serve_rtu(line.open_device_end(), peer.clone());
    let pool = BusPool::new(options());
    let first = pool.client(&line.transport(9600), 1).unwrap();
    let second = pool.client(&line.transport(9600), 2).unwrap();
    let mut status = first.status();
    assert_eq!(
        first.read_holding_registers(0, 2).await.unwrap(),
        [1000, 1001]
    );

    line.unplug().await;
    let start = Instant::now();
    assert_link_error(first.read_holding_registers(0, 2).await);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(
        *status.borrow_and_update(),
        BusStatus::Disconnected { attempts: 1, .. }
    ));
    // The other device on the bus fails fast too: it is the same bus.
    let start = Instant::now();
    assert_link_error(second.read_holding_registers(0, 2).await);
    assert!(start.elapsed() < Duration::from_millis(100));

    // While unplugged, reopening fails (the device node is gone).
    tokio::time::sleep(Duration::from_millis(450)).await;
    let detail = assert_link_error(first.read_holding_registers(0, 2).await);
    assert!(detail.contains("cannot open serial port"), "{detail}");
    assert!(matches!(
        *status.borrow_and_update(),
        BusStatus::Disconnected { attempts: 2, .. }
    ));

    line.plug_in().await;
    let _server = serve_rtu(line.open_device_end(), peer.clone());
    assert_eq!(
        read_until_ok(&second, Duration::from_secs(5))
            .await
            .unwrap(),
        [2000, 2001]
    );
    assert_eq!(
        first.read_holding_registers(0, 2).await.unwrap(),
        [1000, 1001]
    );
    assert_eq!(*status.borrow(), BusStatus::Connected);
}

/// Sits between the line and the device model, forwarding bytes both ways; it can corrupt the
/// answers of one unit and put noise on the line.
struct NoisyWire {
    corrupt_unit: Arc<AtomicU8>,
    noise_prefix_unit: Arc<AtomicU8>,
    inject: mpsc::UnboundedSender<Vec<u8>>,
    _task: JoinHandle<()>,
}

const NOISE: [u8; 7] = [0x00, 0xFF, 0x13, 0x37, 0x02, 0x03, 0xFE];

impl NoisyWire {
    fn start(line_end: SerialStream, device_end: SerialStream) -> NoisyWire {
        let corrupt_unit = Arc::new(AtomicU8::new(0));
        let noise_prefix_unit = Arc::new(AtomicU8::new(0));
        let (inject, mut injections) = mpsc::unbounded_channel::<Vec<u8>>();
        let (corrupt, prefix) = (corrupt_unit.clone(), noise_prefix_unit.clone());
        let task = tokio::spawn(async move {
            let (mut line_read, mut line_write) = tokio::io::split(line_end);
            let (mut device_read, mut device_write) = tokio::io::split(device_end);
            let mut from_line = [0_u8; 512];
            let mut from_device = [0_u8; 512];
            loop {
                tokio::select! {
                    read = line_read.read(&mut from_line) => {
                        let Ok(n @ 1..) = read else { return };
                        device_write.write_all(&from_line[..n]).await.unwrap();
                    }
                    read = device_read.read(&mut from_device) => {
                        let Ok(n @ 1..) = read else { return };
                        let mut answer = from_device[..n].to_vec();
                        let unit = answer[0];
                        if unit == corrupt.load(Ordering::SeqCst) {
                            let last = answer.len() - 1;
                            answer[last] ^= 0x5A;
                        }
                        if unit == prefix.load(Ordering::SeqCst) {
                            answer.splice(0..0, NOISE);
                        }
                        line_write.write_all(&answer).await.unwrap();
                    }
                    Some(noise) = injections.recv() => {
                        line_write.write_all(&noise).await.unwrap();
                    }
                }
            }
        });
        NoisyWire {
            corrupt_unit,
            noise_prefix_unit,
            inject,
            _task: task,
        }
    }
}

#[tokio::test]
async fn rtu_garbage_on_the_line_fails_only_the_request_it_hits() {
    let line = SerialLine::new().await;
    let (wire_end, device_end) = SerialStream::pair().unwrap();
    let peer = Peer::new(&[1, 2]);
    let _server = serve_rtu(device_end, peer.clone());
    let wire = NoisyWire::start(line.open_device_end(), wire_end);
    let pool = BusPool::new(options());
    let one = pool.client(&line.transport(9600), 1).unwrap();
    let two = pool.client(&line.transport(9600), 2).unwrap();
    assert_eq!(
        one.read_holding_registers(0, 2).await.unwrap(),
        [1000, 1001]
    );
    assert_eq!(
        two.read_holding_registers(0, 2).await.unwrap(),
        [2000, 2001]
    );

    // A bad CRC: an error, never a value.
    wire.corrupt_unit.store(2, Ordering::SeqCst);
    for address in [0, 50] {
        let start = Instant::now();
        let result = two.read_holding_registers(address, 2).await;
        assert!(
            matches!(
                result,
                Err(ModbusError::Timeout { unit: 2, .. } | ModbusError::BadResponse { unit: 2, .. })
            ),
            "{result:?}"
        );
        assert!(start.elapsed() < Duration::from_secs(2), "no hang");
        assert_eq!(
            one.read_holding_registers(7, 2).await.unwrap(),
            [1007, 1008]
        );
    }
    assert_eq!(
        one.read_input_registers(1, 1).await.unwrap(),
        [input_value(1, 1)]
    );
    wire.corrupt_unit.store(0, Ordering::SeqCst);
    assert_eq!(
        two.read_holding_registers(4, 2).await.unwrap(),
        [2004, 2005]
    );

    // Noise between exchanges is not taken for an answer.
    wire.inject.send(NOISE.repeat(5)).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(one.read_holding_registers(9, 1).await.unwrap(), [1009]);
    assert_eq!(two.read_holding_registers(9, 1).await.unwrap(), [2009]);

    // Noise right before an answer: the decoder may find the frame behind it, or give up; it
    // never returns anything but the real registers.
    wire.noise_prefix_unit.store(1, Ordering::SeqCst);
    for address in [11, 12, 13] {
        match one.read_holding_registers(address, 2).await {
            Ok(registers) => assert_eq!(registers, [1000 + address, 1001 + address]),
            Err(ModbusError::Timeout { .. } | ModbusError::BadResponse { .. }) => {}
            Err(other) => panic!("noise must not look like a link failure: {other}"),
        }
    }
    wire.noise_prefix_unit.store(0, Ordering::SeqCst);
    assert_eq!(one.read_holding_registers(20, 1).await.unwrap(), [1020]);
    assert_eq!(two.read_holding_registers(20, 1).await.unwrap(), [2020]);
    assert_eq!(pool.statuses()[0].1, BusStatus::Connected);
}

#[tokio::test]
async fn rtu_requests_keep_the_inter_frame_silence() {
    for (baud_rate, silence) in [
        (9600, Duration::from_micros(3_646)),
        (1200, Duration::from_micros(29_167)),
    ] {
        let line = SerialLine::new().await;
        let peer = Peer::new(&[1, 2]);
        let _server = serve_rtu(line.open_device_end(), peer.clone());
        let pool = BusPool::new(options());
        let one = pool.client(&line.transport(baud_rate), 1).unwrap();
        let two = pool.client(&line.transport(baud_rate), 2).unwrap();
        for _ in 0..10 {
            one.read_holding_registers(0, 1).await.unwrap();
            two.write_single_register(0, 1).await.unwrap();
        }
        let seen = peer.seen();
        assert_eq!(seen.len(), 20);
        let shortest_gap = seen
            .windows(2)
            .map(|pair| pair[1].arrived - pair[0].answered.unwrap())
            .min()
            .unwrap();
        // Measured at the device, from its answer to the next request: the client counts from
        // when it received the answer, which is later still.
        assert!(
            shortest_gap >= silence,
            "{baud_rate} baud: a request came {shortest_gap:?} after the previous answer, \
             less than the {silence:?} of silence 3.5 characters take"
        );
        assert!(seen.iter().all(|s| s.unit == 1 || s.unit == 2));
    }
}

#[tokio::test]
async fn serial_port_settings_must_match_on_one_bus() {
    let line = SerialLine::new().await;
    let pool = BusPool::new(options());
    let _first = pool.client(&line.transport(9600), 1).unwrap();
    let _same = pool.client(&line.transport(9600), 2).unwrap();

    let mut other = line.settings(9600);
    other.parity = Parity::Even;
    let error = pool.client(&ModbusTransport::Rtu(other), 3).unwrap_err();
    assert_eq!(
        error,
        ModbusError::PortSettingsConflict {
            port: line.client_end.to_string_lossy().into_owned(),
            existing: "9600 baud 8N1".into()
        }
    );
    assert!(error.to_string().contains("same baud rate"), "{error}");
    assert!(matches!(
        pool.client(&line.transport(19_200), 3),
        Err(ModbusError::PortSettingsConflict { .. })
    ));

    // Another port may use other settings; nothing was opened yet.
    let mut elsewhere = line.settings(19_200);
    elsewhere.port = "/dev/ttyUSB-not-here".into();
    pool.client(&ModbusTransport::Rtu(elsewhere), 3).unwrap();
    assert_eq!(pool.statuses().len(), 2);
    assert!(pool
        .statuses()
        .iter()
        .all(|(_, status)| *status == BusStatus::Idle));
}

#[tokio::test]
async fn rtu_port_is_closed_when_the_bus_ends() {
    let line = SerialLine::new().await;
    let _server = serve_rtu(line.open_device_end(), Peer::new(&[1]));
    let pool = BusPool::new(options());
    let client = pool.client(&line.transport(9600), 1).unwrap();
    client.read_holding_registers(0, 1).await.unwrap();
    // Ports are opened exclusively: nobody else gets it while the bus has it.
    assert!(
        SerialStream::open(&tokio_serial::new(line.client_end.to_string_lossy(), 9600)).is_err()
    );

    drop(client);
    drop(pool);
    let path = line.client_end.clone();
    let reopened = wait_until(Duration::from_secs(3), || {
        SerialStream::open(&tokio_serial::new(path.to_string_lossy(), 9600)).is_ok()
    })
    .await;
    assert!(reopened, "the bus task still holds the serial port");

    // A new pool takes the port over, with other settings.
    let pool = BusPool::new(options());
    let client = pool.client(&line.transport(19_200), 1).unwrap();
    assert_eq!(client.read_holding_registers(0, 1).await.unwrap(), [1000]);
}
