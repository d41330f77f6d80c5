//! One connection to one engine, and running one statement on it under a
//! time limit while measuring wall time, the backend's CPU time and peak RSS.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use postgres::{Client, NoTls, SimpleQueryMessage};

use crate::compare::{Column, ResultSet};
use crate::procfs::{self, CpuSource};

/// How long a cancelled statement may take to end before its server is
/// taken to hang (and, for OpenAssay, killed).
pub const CANCEL_GRACE: Duration = Duration::from_secs(20);

/// A connection with what is needed to measure its backend.
pub struct Conn {
    pub label: String,
    pub client: Client,
    /// pg_backend_pid() as the server reports it.
    pub backend_pid: i32,
    /// CPU time of the backend: PostgreSQL's backend process, OpenAssay's
    /// session thread.
    pub cpu: CpuSource,
    /// Whole-process CPU as well, where `cpu` is one thread.
    pub process_cpu: Option<CpuSource>,
    /// The process whose peak RSS is measured.
    pub rss_pid: u32,
    /// How `cpu` was found, for the report.
    pub cpu_note: String,
    /// LOG messages received: the log_*_stats reports.
    logs: Logs,
}

/// Where a statement's time went, from the server's own log_parser_stats,
/// log_planner_stats and log_executor_stats reports (elapsed ms each).
#[derive(Clone, Copy, Debug, Default)]
pub struct Phases {
    pub parse: f64,
    /// Parse analysis and rewriting (OpenAssay: the binder).
    pub bind: f64,
    pub optimize: f64,
    /// OpenAssay's COMPILE STATISTICS (pipelines and the backend's code);
    /// PostgreSQL counts its JIT inside the executor.
    pub compile: Option<f64>,
    pub execute: f64,
}

impl Phases {
    fn from_reports(reports: &[(String, String)]) -> Option<Phases> {
        let mut p = Phases::default();
        let mut seen = 0;
        for (title, detail) in reports {
            // "!\t0.000003 s user, 0.000000 s system, 0.001362 s elapsed"
            let line = detail.lines().nth(1)?;
            let elapsed: f64 = line.rsplit(", ").next()?.strip_suffix(" s elapsed")?.parse().ok()?;
            let ms = elapsed * 1000.0;
            match title.as_str() {
                "PARSER STATISTICS" => p.parse += ms,
                "PARSE ANALYSIS STATISTICS" | "REWRITER STATISTICS" => p.bind += ms,
                "PLANNER STATISTICS" => p.optimize += ms,
                "COMPILE STATISTICS" => *p.compile.get_or_insert(0.0) += ms,
                "EXECUTOR STATISTICS" => p.execute += ms,
                _ => continue,
            }
            seen += 1;
        }
        (seen > 0).then_some(p)
    }
}

/// The error of a statement, with its SQLSTATE when the server sent one.
#[derive(Clone, Debug)]
pub struct DbError {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.code.is_empty() { write!(f, "{}", self.message) } else { write!(f, "{}: {}", self.code, self.message) }
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        match e.as_db_error() {
            Some(db) => DbError { code: db.code().code().to_string(), message: db.message().to_string() },
            None => DbError { code: String::new(), message: e.to_string() },
        }
    }
}

/// One execution's measurements.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    pub wall_ms: f64,
    pub cpu_ms: Option<f64>,
    pub process_cpu_ms: Option<f64>,
    pub peak_rss_mb: Option<f64>,
    pub rss_before_mb: Option<f64>,
}

pub enum Outcome {
    Done(ResultSet, Measured),
    /// Cancelled at the time limit.
    Timeout(Duration),
    /// Did not end even after its cancel request: the server was given up on.
    Hung(Duration),
    Failed(DbError),
}

impl Conn {
    /// Connects to PostgreSQL: the backend is a process of its own.
    pub fn postgres(label: &str, conninfo: &str) -> Result<Conn, DbError> {
        let (mut client, logs) = connect(conninfo)?;
        let backend_pid = backend_pid(&mut client)?;
        let pid = u32::try_from(backend_pid).map_err(|_| DbError { code: String::new(), message: format!("backend pid {backend_pid}") })?;
        Ok(Conn {
            label: label.into(),
            client,
            backend_pid,
            cpu: CpuSource::Process(pid),
            process_cpu: None,
            rss_pid: pid,
            cpu_note: format!("backend process {pid} (pg_backend_pid())"),
            logs,
        })
    }

    /// Connects to OpenAssay (`server_pid`): one process, a thread per session.
    /// pg_backend_pid() is used if it names a thread of the server; else the
    /// session thread is the only thread called `openassay-session-…`
    /// (this must be the only open connection); else the whole process.
    pub fn openassay(label: &str, conninfo: &str, server_pid: u32) -> Result<Conn, DbError> {
        let (mut client, logs) = connect(conninfo)?;
        let backend_pid = backend_pid(&mut client)?;
        let (cpu, note) = match u32::try_from(backend_pid).ok().filter(|&t| t != server_pid && procfs::is_thread_of(server_pid, t)) {
            Some(tid) => (CpuSource::Thread { pid: server_pid, tid }, format!("session thread {tid} (= pg_backend_pid())")),
            None => {
                let mut threads = procfs::threads_named(server_pid, "openassay-sess");
                // A session that just ended may still be winding down.
                for _ in 0..20 {
                    if threads.len() == 1 {
                        break;
                    }
                    thread::sleep(Duration::from_millis(50));
                    threads = procfs::threads_named(server_pid, "openassay-sess");
                }
                match threads.as_slice() {
                    [tid] => (
                        CpuSource::Thread { pid: server_pid, tid: *tid },
                        format!(
                            "session thread {tid}, found by its name (pg_backend_pid() = {backend_pid} is a session number, not a thread id); \
                             excludes the tokio threads that move bytes to and from the socket"
                        ),
                    ),
                    _ => (
                        CpuSource::Process(server_pid),
                        format!("whole process {server_pid} ({} session threads: the session's own thread could not be told apart)", threads.len()),
                    ),
                }
            }
        };
        let process_cpu = matches!(cpu, CpuSource::Thread { .. }).then_some(CpuSource::Process(server_pid));
        Ok(Conn { label: label.into(), client, backend_pid, cpu, process_cpu, rss_pid: server_pid, cpu_note: note, logs })
    }

    /// Runs statements whose result does not matter.
    pub fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.client.batch_execute(sql).map_err(DbError::from)
    }

    /// A single text value.
    pub fn scalar(&mut self, sql: &str) -> Result<Option<String>, DbError> {
        for m in self.client.simple_query(sql)? {
            if let SimpleQueryMessage::Row(r) = m {
                return Ok(r.get(0).map(str::to_string));
            }
        }
        Ok(None)
    }

    /// The result columns of `sql` (Parse + Describe).
    pub fn describe(&mut self, sql: &str) -> Result<Vec<Column>, DbError> {
        let stmt = self.client.prepare(sql)?;
        Ok(stmt
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_string(), type_oid: c.type_().oid(), type_name: c.type_().name().to_string() })
            .collect())
    }

    /// Runs `sql` once more with the server's per-phase usage reports on
    /// (both engines send them as LOG messages), outside the timed runs.
    pub fn phases(&mut self, sql: &str, columns: &[Column], limit: Duration, on_hang: Option<Arc<dyn Fn() + Send + Sync>>) -> Option<Phases> {
        const ON: &str = "SET client_min_messages = log; SET log_parser_stats = on; SET log_planner_stats = on; SET log_executor_stats = on";
        const OFF: &str = "RESET log_parser_stats; RESET log_planner_stats; RESET log_executor_stats; RESET client_min_messages";
        self.batch(ON).ok()?;
        self.logs.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let done = matches!(self.run(sql, columns, limit, on_hang), Outcome::Done(..));
        let reports = std::mem::take(&mut *self.logs.lock().unwrap_or_else(|e| e.into_inner()));
        self.batch(OFF).ok()?;
        if done { Phases::from_reports(&reports) } else { None }
    }

    /// Runs `sql` with the simple protocol (rows in text form, as psql shows
    /// them), cancelling it after `limit`; `on_hang` runs if it still does
    /// not end `CANCEL_GRACE` later.
    pub fn run(&mut self, sql: &str, columns: &[Column], limit: Duration, on_hang: Option<Arc<dyn Fn() + Send + Sync>>) -> Outcome {
        let token = self.client.cancel_token();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let watchdog = thread::spawn(move || -> (bool, bool) {
            if !matches!(done_rx.recv_timeout(limit), Err(mpsc::RecvTimeoutError::Timeout)) {
                return (false, false);
            }
            let _ = token.cancel_query(NoTls);
            if !matches!(done_rx.recv_timeout(CANCEL_GRACE), Err(mpsc::RecvTimeoutError::Timeout)) {
                return (true, false);
            }
            if let Some(kill) = on_hang {
                kill();
            }
            (true, true)
        });
        let rss_reset = procfs::reset_peak_rss(self.rss_pid);
        let rss_before = procfs::rss_mb(self.rss_pid);
        let cpu0 = self.cpu.cpu_ms();
        let pcpu0 = self.process_cpu.as_ref().and_then(CpuSource::cpu_ms);
        let start = Instant::now();
        let result = self.client.simple_query(sql);
        let wall = start.elapsed();
        let cpu1 = self.cpu.cpu_ms();
        let pcpu1 = self.process_cpu.as_ref().and_then(CpuSource::cpu_ms);
        let peak = if rss_reset { procfs::peak_rss_mb(self.rss_pid) } else { None };
        let _ = done_tx.send(());
        let (cancelled, hung) = watchdog.join().unwrap_or((false, false));
        if hung {
            return Outcome::Hung(limit);
        }
        match result {
            Ok(messages) => {
                let rows = messages
                    .iter()
                    .filter_map(|m| match m {
                        SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
                        _ => None,
                    })
                    .collect();
                let measured = Measured {
                    wall_ms: wall.as_secs_f64() * 1000.0,
                    cpu_ms: cpu0.zip(cpu1).map(|(a, b)| b - a),
                    process_cpu_ms: pcpu0.zip(pcpu1).map(|(a, b)| b - a),
                    peak_rss_mb: peak,
                    rss_before_mb: rss_before,
                };
                Outcome::Done(ResultSet { columns: columns.to_vec(), rows }, measured)
            }
            Err(e) => {
                let e = DbError::from(e);
                if cancelled && (e.code == "57014" || e.code.is_empty()) { Outcome::Timeout(limit) } else { Outcome::Failed(e) }
            }
        }
    }
}

/// LOG messages as (title, detail).
type Logs = Arc<Mutex<Vec<(String, String)>>>;

/// A client that keeps the LOG messages it receives.
fn connect(conninfo: &str) -> Result<(Client, Logs), DbError> {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = logs.clone();
    let mut config: postgres::Config = conninfo.parse()?;
    config.notice_callback(move |n| {
        if n.severity() == "LOG" {
            sink.lock().unwrap_or_else(|e| e.into_inner()).push((n.message().to_string(), n.detail().unwrap_or_default().to_string()));
        }
    });
    Ok((config.connect(NoTls)?, logs))
}

fn backend_pid(client: &mut Client) -> Result<i32, DbError> {
    for m in client.simple_query("SELECT pg_backend_pid()")? {
        if let SimpleQueryMessage::Row(r) = m {
            return r
                .get(0)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| DbError { code: String::new(), message: "pg_backend_pid() returned no number".into() });
        }
    }
    Err(DbError { code: String::new(), message: "pg_backend_pid() returned no row".into() })
}
