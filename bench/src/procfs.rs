//! What /proc says about a server process or one of its threads: CPU time
//! (utime + stime from `stat`), resident memory and its peak (`status`), and
//! resetting the peak (`clear_refs`) so each query gets its own.

use std::fs;
use std::path::PathBuf;

/// Clock ticks per second for /proc's utime and stime (USER_HZ, 100 on Linux).
pub const TICKS_PER_SECOND: f64 = 100.0;

/// Where a CPU figure comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CpuSource {
    /// One process (PostgreSQL's backend, or a whole server).
    Process(u32),
    /// One thread of a process.
    Thread { pid: u32, tid: u32 },
}

impl CpuSource {
    fn stat_path(&self) -> PathBuf {
        match self {
            CpuSource::Process(pid) => PathBuf::from(format!("/proc/{pid}/stat")),
            CpuSource::Thread { pid, tid } => PathBuf::from(format!("/proc/{pid}/task/{tid}/stat")),
        }
    }

    /// utime + stime in milliseconds, or None if the process is gone.
    pub fn cpu_ms(&self) -> Option<f64> {
        let stat = fs::read_to_string(self.stat_path()).ok()?;
        parse_cpu_ticks(&stat).map(|t| t as f64 * 1000.0 / TICKS_PER_SECOND)
    }

    pub fn describe(&self) -> String {
        match self {
            CpuSource::Process(pid) => format!("process {pid}"),
            CpuSource::Thread { pid, tid } => format!("thread {tid} of process {pid}"),
        }
    }
}

/// utime + stime (fields 14 and 15) of a `stat` line. The command name
/// (field 2) is in parentheses and may hold spaces, so fields count from
/// the last `)`.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state): utime is field 14, index 11 here.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `Vm…:` line of /proc/<pid>/status in kB.
fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse().ok())
}

/// Peak resident set size in MB since start or the last `reset_peak_rss`.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    status_kb(pid, "VmHWM:").map(|kb| kb as f64 / 1024.0)
}

/// Resident set size now, in MB.
pub fn rss_mb(pid: u32) -> Option<f64> {
    status_kb(pid, "VmRSS:").map(|kb| kb as f64 / 1024.0)
}

/// Resets the peak RSS to the current RSS (needs Linux 4.0 and the right
/// to write the process's clear_refs); false if not possible.
pub fn reset_peak_rss(pid: u32) -> bool {
    fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The threads of `pid` whose name (comm, 15 bytes at most) starts with `prefix`.
pub fn threads_named(pid: u32, prefix: &str) -> Vec<u32> {
    let Ok(dir) = fs::read_dir(format!("/proc/{pid}/task")) else { return Vec::new() };
    let mut out: Vec<u32> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|tid| fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm")).is_ok_and(|c| c.trim_end().starts_with(prefix)))
        .collect();
    out.sort_unstable();
    out
}

/// Whether `tid` is a thread of `pid`.
pub fn is_thread_of(pid: u32, tid: u32) -> bool {
    fs::metadata(format!("/proc/{pid}/task/{tid}")).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_odd_command_names() {
        let stat = "1234 (post gres: x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 1 0 100 1000 10 18446744073709551615";
        assert_eq!(parse_cpu_ticks(stat), Some(287));
        assert_eq!(parse_cpu_ticks("garbage"), None);
    }

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(CpuSource::Process(me).cpu_ms().is_some());
        assert!(peak_rss_mb(me).unwrap() > 0.0);
        assert!(rss_mb(me).unwrap() > 0.0);
        assert!(is_thread_of(me, me));
        assert!(CpuSource::Thread { pid: me, tid: me }.cpu_ms().is_some());
    }
}
