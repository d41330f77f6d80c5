//! pgbench against a server: `-i -s N`, then timed runs of a built-in
//! script; TPS from pgbench's summary, latency percentiles from its
//! per-transaction log (`--log`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// One pgbench run's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSpec {
    /// `select-only` (-S) or `tpcb-like` (the default script).
    pub script: &'static str,
    pub clients: u32,
    /// `simple` or `prepared`.
    pub mode: &'static str,
    pub seconds: u32,
}

#[derive(Clone, Debug, Default)]
pub struct RunResult {
    pub tps: Option<f64>,
    pub transactions: u64,
    pub failed: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Why the run did not finish, if it did not.
    pub error: Option<String>,
}

/// pgbench next to the server binaries, else on PATH.
pub fn find(pg_bin: &Path) -> PathBuf {
    let there = pg_bin.join("pgbench");
    if there.is_file() { there } else { PathBuf::from("pgbench") }
}

fn base_args(port: u16) -> Vec<String> {
    vec!["-h".into(), "127.0.0.1".into(), "-p".into(), port.to_string(), "-U".into(), "postgres".into()]
}

/// Runs a command with a deadline; output is stdout + stderr.
fn run_with_deadline(cmd: &mut Command, deadline: Duration) -> Result<(bool, String), String> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let out_path = std::env::temp_dir().join(format!("oa-bench-pgbench-{}-{}.txt", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed)));
    let out = fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let mut child = cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn().map_err(|e| format!("could not run pgbench: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(s);
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let text = fs::read_to_string(&out_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    match status {
        Some(s) => Ok((s.success(), text)),
        None => Err(format!("pgbench did not finish within {} s; killed. Output so far:\n{text}", deadline.as_secs())),
    }
}

/// `pgbench -i -s scale`: returns the seconds it took.
pub fn init(pgbench: &Path, port: u16, scale: u32, deadline: Duration) -> Result<f64, String> {
    let mut args = base_args(port);
    args.extend(["-i".into(), "-s".into(), scale.to_string(), "-q".into(), "postgres".into()]);
    let start = Instant::now();
    let (ok, text) = run_with_deadline(Command::new(pgbench).args(&args), deadline)?;
    if !ok {
        return Err(last_lines(&text, 6));
    }
    Ok(start.elapsed().as_secs_f64())
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The command line of a run, for the report.
pub fn command_line(spec: &RunSpec) -> String {
    let s = if spec.script == "select-only" { " -S" } else { "" };
    format!("pgbench -n{s} -c {} -j {} -M {} -T {} --log", spec.clients, threads(spec.clients), spec.mode, spec.seconds)
}

/// Client threads: at most one per core of this 2-core machine, which the server shares.
fn threads(clients: u32) -> u32 {
    clients.min(2)
}

/// One timed run.
pub fn run(pgbench: &Path, port: u16, spec: &RunSpec, log_dir: &Path) -> RunResult {
    let _ = fs::remove_dir_all(log_dir);
    if let Err(e) = fs::create_dir_all(log_dir) {
        return RunResult { error: Some(format!("could not create {}: {e}", log_dir.display())), ..Default::default() };
    }
    let prefix = log_dir.join("pgbench_log");
    let mut args = base_args(port);
    args.push("-n".into());
    if spec.script == "select-only" {
        args.push("-S".into());
    }
    args.extend([
        "-c".into(),
        spec.clients.to_string(),
        "-j".into(),
        threads(spec.clients).to_string(),
        "-M".into(),
        spec.mode.into(),
        "-T".into(),
        spec.seconds.to_string(),
        "--log".into(),
        format!("--log-prefix={}", prefix.display()),
        "postgres".into(),
    ]);
    // A transaction that never ends would keep pgbench waiting past -T.
    let deadline = Duration::from_secs(u64::from(spec.seconds) + 60);
    let mut result = match run_with_deadline(Command::new(pgbench).args(&args).current_dir(log_dir), deadline) {
        Ok((ok, text)) => {
            let mut r = parse_summary(&text);
            if !ok {
                r.error = Some(last_lines(&text, 6));
            }
            r
        }
        Err(e) => RunResult { error: Some(e), ..Default::default() },
    };
    let mut latencies = read_latencies_us(log_dir);
    latencies.sort_unstable();
    result.p50_ms = percentile(&latencies, 0.50).map(|us| us as f64 / 1000.0);
    result.p99_ms = percentile(&latencies, 0.99).map(|us| us as f64 / 1000.0);
    let _ = fs::remove_dir_all(log_dir);
    result
}

/// TPS, processed and failed transactions from pgbench's summary.
pub fn parse_summary(text: &str) -> RunResult {
    let mut r = RunResult::default();
    for line in text.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("tps = ") {
            // "tps = 123.45 (without initial connection time)"
            r.tps = v.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(v) = line.strip_prefix("number of transactions actually processed: ") {
            r.transactions = v.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).unwrap_or(0);
        } else if let Some(v) = line.strip_prefix("number of failed transactions: ") {
            r.failed = v.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).unwrap_or(0);
        }
    }
    r
}

/// The third field of each log line: the transaction's latency in µs
/// ("failed" or "skipped" lines have none and are left out).
fn read_latencies_us(dir: &Path) -> Vec<u64> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return out };
    for e in entries.filter_map(|e| e.ok()) {
        if !e.file_name().to_string_lossy().starts_with("pgbench_log") {
            continue;
        }
        if let Ok(text) = fs::read_to_string(e.path()) {
            out.extend(text.lines().filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok()));
        }
    }
    out
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_summary() {
        let text = "transaction type: <builtin: select only>\nscaling factor: 1\nnumber of transactions actually processed: 5226\n\
                    number of failed transactions: 3 (0.057%)\nlatency average = 0.191 ms\ninitial connection time = 2.251 ms\n\
                    tps = 5226.317489 (without initial connection time)\n";
        let r = parse_summary(text);
        assert_eq!(r.tps, Some(5226.317489));
        assert_eq!(r.transactions, 5226);
        assert_eq!(r.failed, 3);
    }

    #[test]
    fn percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), Some(50));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
