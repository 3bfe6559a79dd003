//! The server's CPU time and memory, and the generator's own CPU time, from Linux's /proc.

use std::path::PathBuf;
use std::time::Duration;

/// Where a process's numbers are read from: `/proc/<pid>` or `/proc/self`.
#[derive(Debug, Clone)]
pub struct Process {
    dir: PathBuf,
    clock_ticks: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ProcError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} has no {field}")]
    Missing { path: String, field: &'static str },
}

impl Process {
    pub fn pid(pid: u32, clock_ticks: u64) -> Self {
        Self {
            dir: PathBuf::from(format!("/proc/{pid}")),
            clock_ticks,
        }
    }

    pub fn current(clock_ticks: u64) -> Self {
        Self {
            dir: PathBuf::from("/proc/self"),
            clock_ticks,
        }
    }

    fn read(&self, name: &str) -> Result<(String, String), ProcError> {
        let path = self.dir.join(name);
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok((text, shown)),
            Err(source) => Err(ProcError::Read {
                path: shown,
                source,
            }),
        }
    }

    /// User plus system CPU time of all threads, those that ended included.
    pub fn cpu_time(&self) -> Result<Duration, ProcError> {
        let (text, path) = self.read("stat")?;
        let ticks = parse_cpu_ticks(&text).ok_or(ProcError::Missing {
            path,
            field: "utime and stime",
        })?;
        Ok(Duration::from_secs_f64(
            ticks as f64 / self.clock_ticks as f64,
        ))
    }

    /// Resident memory now and at its peak, in KiB.
    pub fn memory_kib(&self) -> Result<Memory, ProcError> {
        let (text, path) = self.read("status")?;
        let field = |name: &'static str| {
            status_kib(&text, name).ok_or(ProcError::Missing {
                path: path.clone(),
                field: name,
            })
        };
        Ok(Memory {
            rss_kib: field("VmRSS")?,
            peak_rss_kib: field("VmHWM")?,
        })
    }

    /// The soft limit on open files, which bounds how many charge points can connect.
    pub fn open_files_limit(&self) -> Option<u64> {
        let (text, _) = self.read("limits").ok()?;
        let line = text
            .lines()
            .find(|line| line.starts_with("Max open files"))?;
        line["Max open files".len()..]
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }
}

/// CPU time all cores spent busy since boot (`cpu` line of /proc/stat), to tell how much other
/// processes took from the measured ones during a phase.
pub fn system_busy_time(clock_ticks: u64) -> Result<Duration, ProcError> {
    let path = "/proc/stat".to_owned();
    let text = std::fs::read_to_string(&path).map_err(|source| ProcError::Read {
        path: path.clone(),
        source,
    })?;
    let ticks = parse_busy_ticks(&text).ok_or(ProcError::Missing {
        path,
        field: "the cpu line",
    })?;
    Ok(Duration::from_secs_f64(ticks as f64 / clock_ticks as f64))
}

/// user + nice + system + irq + softirq + steal of the summed `cpu` line (idle and iowait are not
/// busy; guest time is already inside user).
fn parse_busy_ticks(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    let field = |index: usize| fields.get(index).copied().unwrap_or(0);
    (fields.len() >= 4).then(|| field(0) + field(1) + field(2) + field(5) + field(6) + field(7))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Memory {
    pub rss_kib: u64,
    pub peak_rss_kib: u64,
}

/// utime + stime (fields 14 and 15) of /proc/PID/stat. The command name (field 2) may contain
/// spaces and parentheses, so fields are counted from the last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn status_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_are_counted_after_the_command_name() {
        let stat = "4242 (tokio (w) 1) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 25 0 0 20 0 3 0 \
                    99 123456 789 18446744073709551615";
        assert_eq!(parse_cpu_ticks(stat), Some(175));
        assert_eq!(parse_cpu_ticks("12 (x) S 1"), None);
    }

    #[test]
    fn busy_time_leaves_idle_and_iowait_out() {
        let stat = "cpu  100 5 50 9000 40 3 2 1 0 0\ncpu0 50 2 25 4500 20 1 1 0 0 0\n";
        assert_eq!(parse_busy_ticks(stat), Some(100 + 5 + 50 + 3 + 2 + 1));
        assert_eq!(parse_busy_ticks("intr 1 2 3\n"), None);
    }

    #[test]
    fn status_fields_are_read_in_kib() {
        let status = "Name:\tampwised\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(10240));
        assert_eq!(status_kib(status, "VmHWM"), Some(20480));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process() {
        let me = Process::current(100);
        let before = me.cpu_time().unwrap();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_add(i * i) ^ (x >> 3);
        }
        assert_ne!(std::hint::black_box(x), 1);
        assert!(me.cpu_time().unwrap() >= before);
        let memory = me.memory_kib().unwrap();
        assert!(memory.rss_kib > 0 && memory.peak_rss_kib >= memory.rss_kib);
        assert!(me.open_files_limit().unwrap() > 0);
        assert!(system_busy_time(100).unwrap() >= me.cpu_time().unwrap());
        assert!(matches!(
            Process::pid(u32::MAX, 100).cpu_time(),
            Err(ProcError::Read { .. })
        ));
    }
}
