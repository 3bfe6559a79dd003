//! Modbus peers that are not Ampwise's own code: simulators of a cFos Power Brain wallbox and an
//! Eastron SDM630 meter written in Python on the PyPI `pymodbus` package from the vendors' register
//! maps (`tests/python/modbus_sim.py`), served over TCP or over a serial line, and pseudo-terminal
//! pairs (socat) that stand in for an RS-485 adapter between a driver and a simulator.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader as StdBufReader, Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill as send_signal, Signal};
use nix::unistd::Pid;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::sync::Mutex;
use tokio_serial::{DataBits, Parity, SerialPortBuilder, SerialStream, StopBits};

use crate::wait_for;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
}

/// The Python of the repository's venv, where the Python test peers are installed.
pub fn venv_python() -> PathBuf {
    let python = repo_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: `bash .ci/dev test` installs the Python test peers (python3 -m venv .venv && \
         .venv/bin/pip install -r tests/python/requirements.txt)",
        python.display()
    );
    python
}

// --- a pseudo-terminal pair -------------------------------------------------------------------------

/// Runs socat in the background and prints its pid; when its own stdin closes (the test ended it, or
/// the test process died) it ends socat with SIGTERM, on which socat removes the links. The shell in
/// between is what keeps a dead test from leaving socat behind.
const SOCAT_WATCHDOG: &str = r#"socat "$@" &
socat=$!
echo "$socat"
read -r line
kill "$socat" 2>/dev/null
wait "$socat""#;

struct RunningSocat {
    watchdog: Child,
    stdin: Option<ChildStdin>,
    socat_pid: Pid,
}

/// Two pseudo-terminals joined back to back by socat, at `a_path()` and `b_path()`: what one side
/// writes the other reads, like the two ends of a serial cable. By convention the simulator opens
/// `a` and the driver under test opens `b`. `kill()` takes both away (an unplugged USB adapter);
/// `restart()` brings them back at the same paths.
pub struct PtyLink {
    dir: tempfile::TempDir,
    running: Option<RunningSocat>,
}

impl PtyLink {
    pub fn new() -> PtyLink {
        let mut link = PtyLink {
            dir: tempfile::tempdir().expect("temp dir for the pty links"),
            running: None,
        };
        link.start();
        link
    }

    pub fn a_path(&self) -> PathBuf {
        self.dir.path().join("a")
    }

    pub fn b_path(&self) -> PathBuf {
        self.dir.path().join("b")
    }

    /// Whether both ends are there.
    pub fn is_up(&self) -> bool {
        self.a_path().exists() && self.b_path().exists()
    }

    /// Ends socat: both pseudo-terminals and their links disappear; whoever had one open reads an
    /// error from then on.
    pub fn kill(&mut self) {
        let Some(mut running) = self.running.take() else {
            return;
        };
        drop(running.stdin.take());
        let exited = wait_for(Duration::from_secs(5), || {
            running.watchdog.try_wait().ok().flatten()
        });
        if exited.is_none() {
            let _ = send_signal(running.socat_pid, Signal::SIGKILL);
            let _ = running.watchdog.kill();
            let _ = running.watchdog.wait();
        }
        // socat removes its links when it ends on SIGTERM; after a harder end they would dangle.
        let _ = std::fs::remove_file(self.a_path());
        let _ = std::fs::remove_file(self.b_path());
    }

    /// Brings the pair back at the same paths (a new socat, new pseudo-terminals).
    pub fn restart(&mut self) {
        self.kill();
        self.start();
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("socat.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("socat log file");
        let end = |path: PathBuf| format!("pty,raw,echo=0,link={}", path.display());
        let mut watchdog = std::process::Command::new("sh")
            .arg("-c")
            .arg(SOCAT_WATCHDOG)
            .arg("ampwise-pty-link")
            .args(["-d", "-d", &end(self.a_path()), &end(self.b_path())])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("sh runs");
        let mut pid_line = String::new();
        if let Some(stdout) = watchdog.stdout.take() {
            let _ = StdBufReader::new(stdout).read_line(&mut pid_line);
        }
        let socat_pid = pid_line
            .trim()
            .parse::<i32>()
            .map(Pid::from_raw)
            .unwrap_or_else(|_| panic!("the socat watchdog printed no pid: {pid_line:?}"));
        let stdin = watchdog.stdin.take();
        self.running = Some(RunningSocat {
            watchdog,
            stdin,
            socat_pid,
        });
        let up = wait_for(Duration::from_secs(10), || self.is_up().then_some(()));
        if up.is_none() {
            let log = self.log();
            self.kill();
            panic!(
                "socat did not create {} and {} within 10 s (is socat installed? `bash .ci/dev test` \
                 installs it):\n{log}",
                self.a_path().display(),
                self.b_path().display()
            );
        }
    }
}

impl Default for PtyLink {
    fn default() -> Self {
        PtyLink::new()
    }
}

impl Drop for PtyLink {
    fn drop(&mut self) {
        self.kill();
    }
}

// --- serial line settings ------------------------------------------------------------------------

/// The settings of a serial line, used for both ends: the simulator's arguments and the port the
/// test (or driver) opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SerialSettings {
    pub baud_rate: u32,
    pub data_bits: DataBits,
    pub parity: Parity,
    pub stop_bits: StopBits,
}

impl Default for SerialSettings {
    /// The SDM630's factory setting: 9600 baud, 8N1.
    fn default() -> Self {
        SerialSettings {
            baud_rate: 9600,
            data_bits: DataBits::Eight,
            parity: Parity::None,
            stop_bits: StopBits::One,
        }
    }
}

impl SerialSettings {
    pub fn builder(&self, path: &Path) -> SerialPortBuilder {
        tokio_serial::new(path.to_string_lossy(), self.baud_rate)
            .data_bits(self.data_bits)
            .parity(self.parity)
            .stop_bits(self.stop_bits)
    }

    /// Opens the serial port at `path` with these settings (needs a tokio runtime).
    pub fn open(&self, path: &Path) -> std::io::Result<SerialStream> {
        SerialStream::open(&self.builder(path)).map_err(std::io::Error::from)
    }

    fn sim_args(&self) -> Vec<String> {
        let parity = match self.parity {
            Parity::None => "N",
            Parity::Even => "E",
            Parity::Odd => "O",
        };
        let stop_bits = match self.stop_bits {
            StopBits::One => "1",
            StopBits::Two => "2",
        };
        let data_bits = match self.data_bits {
            DataBits::Seven => "7",
            // pymodbus's server knows 7 and 8 bits only; 5 and 6 are no Modbus settings anyway.
            DataBits::Eight | DataBits::Five | DataBits::Six => "8",
        };
        [
            "--baud",
            &self.baud_rate.to_string(),
            "--parity",
            parity,
            "--stopbits",
            stop_bits,
            "--bytesize",
            data_bits,
        ]
        .iter()
        .map(|arg| (*arg).to_owned())
        .collect()
    }
}

// --- the Python simulators -----------------------------------------------------------------------

/// Which device the Python simulator plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimModel {
    /// cFos Power Brain wallbox: holding registers (03 read, 06/16 write).
    PowerBrain,
    /// Eastron SDM630 meter: float32 input registers (04 read).
    Sdm630,
}

impl SimModel {
    fn arg(self) -> &'static str {
        match self {
            SimModel::PowerBrain => "powerbrain",
            SimModel::Sdm630 => "sdm630",
        }
    }
}

/// Where the simulator listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimEndpoint {
    Tcp(SocketAddr),
    Serial(PathBuf),
}

/// How a simulated unit answers requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimFault {
    /// Normally.
    None,
    /// Not at all (a device that is off or cut off).
    Silent,
    /// With this Modbus exception code to every request.
    Exception(u8),
}

struct Channel {
    stdin: tokio::process::ChildStdin,
    stdout: Lines<BufReader<tokio::process::ChildStdout>>,
}

/// A running `tests/python/modbus_sim.py`. It is stopped when dropped (and on its own when the test
/// process dies, as its stdin closes).
pub struct PyModbusSim {
    child: tokio::process::Child,
    channel: Mutex<Option<Channel>>,
    endpoint: SimEndpoint,
    stderr: std::fs::File,
}

const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

impl PyModbusSim {
    /// A simulator of `model` answering for `units` over Modbus TCP on a free port of 127.0.0.1.
    pub async fn tcp(model: SimModel, units: &[u8]) -> PyModbusSim {
        PyModbusSim::spawn(
            model,
            &["--tcp".to_owned(), "127.0.0.1:0".to_owned()],
            units,
        )
        .await
    }

    /// A simulator of `model` answering for `units` over Modbus RTU on the serial port at `path`
    /// (typically `PtyLink::a_path()`). It reopens the port when it disappears and comes back.
    pub async fn rtu(
        model: SimModel,
        path: &Path,
        settings: SerialSettings,
        units: &[u8],
    ) -> PyModbusSim {
        let mut args = vec!["--serial".to_owned(), path.display().to_string()];
        args.extend(settings.sim_args());
        PyModbusSim::spawn(model, &args, units).await
    }

    async fn spawn(model: SimModel, args: &[String], units: &[u8]) -> PyModbusSim {
        let stderr = tempfile::tempfile().expect("temp file for the simulator's stderr");
        let mut command = tokio::process::Command::new(venv_python());
        command
            .arg(repo_root().join("tests/python/modbus_sim.py"))
            .args(["--model", model.arg()])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.try_clone().expect("clone the stderr file"))
            .kill_on_drop(true);
        for unit in units {
            command.args(["--unit", &unit.to_string()]);
        }
        let mut child = command.spawn().expect("the Python Modbus simulator starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut sim = PyModbusSim {
            child,
            channel: Mutex::new(Some(Channel { stdin, stdout })),
            endpoint: SimEndpoint::Tcp(SocketAddr::from(([0, 0, 0, 0], 0))),
            stderr,
        };
        let ready = {
            let mut channel = sim.channel.lock().await;
            let channel = channel.as_mut().expect("the channel was just made");
            sim.read_line(channel, "the ready line", Duration::from_secs(30))
                .await
        };
        sim.endpoint = match (&ready["ready"], &ready["tcp"], &ready["serial"]) {
            (Value::Bool(true), Value::String(addr), _) => {
                SimEndpoint::Tcp(addr.parse().unwrap_or_else(|error| {
                    panic!("the simulator's address {addr:?} does not parse: {error}")
                }))
            }
            (Value::Bool(true), _, Value::String(path)) => SimEndpoint::Serial(PathBuf::from(path)),
            _ => panic!(
                "the simulator's first line is no ready line: {ready}\nstderr:\n{}",
                sim.stderr()
            ),
        };
        sim
    }

    pub fn endpoint(&self) -> &SimEndpoint {
        &self.endpoint
    }

    /// The TCP address the simulator listens on (panics for a serial simulator).
    pub fn addr(&self) -> SocketAddr {
        match &self.endpoint {
            SimEndpoint::Tcp(addr) => *addr,
            SimEndpoint::Serial(path) => {
                panic!("the simulator is on the serial port {}", path.display())
            }
        }
    }

    /// What the simulator wrote to stderr so far (pymodbus warnings, a Python traceback).
    pub fn stderr(&self) -> String {
        let mut file = &self.stderr;
        let mut text = String::new();
        if file.seek(SeekFrom::Start(0)).is_ok() {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// Sends one control command (see modbus_sim.py) and returns the answer as it came:
    /// `{"ok":true,...}` or `{"ok":false,"error":"..."}`.
    pub async fn command(&self, command: Value) -> Value {
        // One lock over question and answer, so that concurrent commands do not swap answers.
        let mut channel = self.channel.lock().await;
        let channel = channel.as_mut().expect("the simulator was shut down");
        let line = format!("{command}\n");
        let written = tokio::time::timeout(COMMAND_TIMEOUT, async {
            channel.stdin.write_all(line.as_bytes()).await?;
            channel.stdin.flush().await
        })
        .await;
        if !matches!(written, Ok(Ok(()))) {
            panic!(
                "the simulator took no command ({written:?}); stderr:\n{}",
                self.stderr()
            );
        }
        self.read_line(
            channel,
            &format!("the answer to {command}"),
            COMMAND_TIMEOUT,
        )
        .await
    }

    /// Sends a control command that must succeed; returns its answer.
    pub async fn ok(&self, command: Value) -> Value {
        let answer = self.command(command.clone()).await;
        assert_eq!(
            answer["ok"],
            Value::Bool(true),
            "the simulator refused {command}: {answer}"
        );
        answer
    }

    /// Sets a named value of `unit` (engineering units, or a raw register value by register name).
    pub async fn set(&self, unit: u8, name: &str, value: Value) {
        self.ok(json!({"cmd": "set", "unit": unit, "name": name, "value": value}))
            .await;
    }

    /// A named value of `unit`: raw for register names (`charging_cur_limit` → 160), engineering
    /// units for the named values (`cable_current_a` → 32.0).
    pub async fn get(&self, unit: u8, name: &str) -> Value {
        self.ok(json!({"cmd": "get", "unit": unit, "name": name}))
            .await["value"]
            .take()
    }

    /// How often each register of `unit` was written (by Modbus requests that succeeded).
    pub async fn writes(&self, unit: u8) -> BTreeMap<u16, u64> {
        let answer = self.ok(json!({"cmd": "writes", "unit": unit})).await;
        counts(&answer["writes"])
    }

    /// How many requests `unit` got, by function code (faulted ones included).
    pub async fn requests(&self, unit: u8) -> BTreeMap<u8, u64> {
        let answer = self.ok(json!({"cmd": "requests", "unit": unit})).await;
        counts(&answer["requests"])
    }

    pub async fn fault(&self, unit: u8, fault: SimFault) {
        let command = match fault {
            SimFault::None => json!({"cmd": "fault", "unit": unit, "kind": "none"}),
            SimFault::Silent => json!({"cmd": "fault", "unit": unit, "kind": "silent"}),
            SimFault::Exception(code) => {
                json!({"cmd": "fault", "unit": unit, "kind": "exception", "code": code})
            }
        };
        self.ok(command).await;
    }

    /// Closes the simulator's stdin, as a test process that ends does, and waits for it to exit.
    pub async fn shutdown(mut self) -> ExitStatus {
        drop(self.channel.lock().await.take());
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(Ok(status)) => status,
            other => panic!(
                "the simulator did not exit after its stdin closed: {other:?}\nstderr:\n{}",
                self.stderr()
            ),
        }
    }

    async fn read_line(&self, channel: &mut Channel, what: &str, timeout: Duration) -> Value {
        let line = match tokio::time::timeout(timeout, channel.stdout.next_line()).await {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => panic!(
                "the simulator exited before {what}; stderr:\n{}",
                self.stderr()
            ),
            Ok(Err(error)) => panic!("reading {what} from the simulator failed: {error}"),
            Err(_) => panic!(
                "no {what} from the simulator within {timeout:?}; stderr:\n{}",
                self.stderr()
            ),
        };
        serde_json::from_str(&line).unwrap_or_else(|error| {
            panic!(
                "the simulator printed no JSON for {what} ({error}): {line}\nstderr:\n{}",
                self.stderr()
            )
        })
    }
}

/// `{"8093": 2}` as a map from number to count.
fn counts<K: std::str::FromStr + Ord>(object: &Value) -> BTreeMap<K, u64> {
    object
        .as_object()
        .unwrap_or_else(|| panic!("expected an object of counts, got {object}"))
        .iter()
        .map(|(key, count)| {
            let key = key
                .parse()
                .unwrap_or_else(|_| panic!("{key:?} is not a number"));
            let count = count
                .as_u64()
                .unwrap_or_else(|| panic!("{count} is not a count"));
            (key, count)
        })
        .collect()
}
