//! The side-by-side run: data generation, both servers, loads, the TPC-H
//! queries interleaved across engines with their results compared, pgbench,
//! and the optional DuckDB peer. Produces a [`Report`].

use std::fs;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::compare::{self, Column, Ordered, ResultSet};
use crate::duck;
use crate::pgbench::{self, RunSpec};
use crate::runner::{Conn, DbError, Measured, Outcome, Phases};
use crate::servers::{self, OaServer, PgServer};
use crate::tpch::{self, Query, Workload};

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    pub sf: f64,
    /// Query numbers to run (1..=22).
    pub queries: Vec<u32>,
    /// Timed runs per query and engine (after one warm-up run).
    pub runs: usize,
    /// OpenAssay's limit: this many times PostgreSQL's (jit=off) warm-up time …
    pub timeout_factor: f64,
    /// … but at least this …
    pub timeout_floor: Duration,
    /// … and at most this (PostgreSQL's own limit too).
    pub timeout_cap: Duration,
    pub skip_tpch: bool,
    pub skip_pgbench: bool,
    pub pgbench_scales: Vec<u32>,
    pub pgbench_clients: Vec<u32>,
    pub pgbench_seconds: u32,
    pub duckdb: bool,
    /// Where the CSV files go (kept between runs).
    pub data_dir: PathBuf,
    /// Where the servers' data directories go (removed at the end).
    pub work_dir: PathBuf,
    pub out_dir: PathBuf,
    pub openassay: Option<PathBuf>,
    pub pg_bin: Option<PathBuf>,
    pub quick: bool,
    pub command_line: String,
}

/// The engines, in the order each round runs them.
pub const ENGINES: [&str; 3] = ["PG jit=off", "PG jit=on", "OpenAssay"];
pub const PG_OFF: usize = 0;
pub const PG_JIT: usize = 1;
pub const OA: usize = 2;

/// How one engine did on one query.
#[derive(Clone, Debug)]
pub enum Status {
    /// Ran, and the result equals PostgreSQL's (for PostgreSQL: it ran).
    Ok,
    Mismatch(String),
    Failed(DbError),
    Timeout(Duration),
    /// Ignored its cancel request; the server was killed and restarted.
    Hung(Duration),
    NotRun(String),
}

impl Status {
    pub fn label(&self) -> String {
        match self {
            Status::Ok => "ok".into(),
            Status::Mismatch(_) => "MISMATCH".into(),
            Status::Failed(e) => format!("error {}", e.code),
            Status::Timeout(d) => format!("timeout (> {})", fmt_duration(*d)),
            Status::Hung(d) => format!("hung (> {} + cancel)", fmt_duration(*d)),
            Status::NotRun(_) => "not run".into(),
        }
    }
}

pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 { format!("{:.1} s", ms / 1000.0) } else { format!("{ms:.0} ms") }
}

#[derive(Clone, Debug)]
pub struct EngineRun {
    pub status: Status,
    /// Timed runs (not the warm-up).
    pub runs: Vec<Measured>,
    pub warmup: Option<Measured>,
    pub rows: Option<usize>,
    /// The server's own per-phase times, from one extra run.
    pub phases: Option<Phases>,
}

impl EngineRun {
    fn new() -> EngineRun {
        EngineRun { status: Status::Ok, runs: Vec::new(), warmup: None, rows: None, phases: None }
    }

    fn ok(&self) -> bool {
        matches!(self.status, Status::Ok)
    }

    pub fn median_wall_ms(&self) -> Option<f64> {
        median(self.runs.iter().map(|m| m.wall_ms).collect())
    }

    pub fn median_cpu_ms(&self) -> Option<f64> {
        median(self.runs.iter().filter_map(|m| m.cpu_ms).collect())
    }

    pub fn median_process_cpu_ms(&self) -> Option<f64> {
        median(self.runs.iter().filter_map(|m| m.process_cpu_ms).collect())
    }

    pub fn peak_rss_mb(&self) -> Option<f64> {
        self.runs.iter().chain(self.warmup.iter()).filter_map(|m| m.peak_rss_mb).reduce(f64::max)
    }

    /// The largest growth over the RSS before the query started.
    pub fn rss_growth_mb(&self) -> Option<f64> {
        self.runs.iter().chain(self.warmup.iter()).filter_map(|m| Some(m.peak_rss_mb? - m.rss_before_mb?)).reduce(f64::max)
    }
}

pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

pub fn geomean(v: &[f64]) -> Option<f64> {
    if v.is_empty() || v.iter().any(|x| *x <= 0.0) {
        return None;
    }
    Some((v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp())
}

#[derive(Clone, Debug)]
pub struct QueryResult {
    pub number: u32,
    pub title: String,
    pub ordered: Ordered,
    /// OpenAssay's limit for this query.
    pub limit: Option<Duration>,
    pub engines: [EngineRun; 3],
    pub duck: Option<duck::DuckQuery>,
}

impl QueryResult {
    /// PostgreSQL's median over OpenAssay's, for PostgreSQL run `pg`.
    pub fn ratio(&self, pg: usize) -> Option<f64> {
        if !self.engines[pg].ok() || !self.engines[OA].ok() {
            return None;
        }
        Some(self.engines[pg].median_wall_ms()? / self.engines[OA].median_wall_ms()?)
    }
}

#[derive(Clone, Debug)]
pub struct LoadStep {
    pub name: String,
    pub rows: [Option<u64>; 2],
    /// Milliseconds, or the error: PostgreSQL, OpenAssay.
    pub ms: [Result<f64, String>; 2],
}

#[derive(Clone, Debug)]
pub struct PgbenchInit {
    pub scale: u32,
    pub secs: [Result<f64, String>; 2],
}

#[derive(Clone, Debug)]
pub struct PgbenchRow {
    pub scale: u32,
    pub spec: RunSpec,
    pub results: [pgbench::RunResult; 2],
}

/// Everything the report shows.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub date: String,
    pub machine: Vec<String>,
    pub versions: Vec<(String, String)>,
    pub settings: Vec<(String, String)>,
    pub cpu_notes: Vec<(String, String)>,
    pub generate_secs: f64,
    pub load: Vec<LoadStep>,
    pub queries: Vec<QueryResult>,
    pub pgbench_init: Vec<PgbenchInit>,
    pub pgbench: Vec<PgbenchRow>,
    pub duck: Option<duck::DuckSummary>,
    pub notes: Vec<String>,
    pub elapsed_secs: f64,
}

impl Report {
    /// Queries whose OpenAssay result differed from PostgreSQL's.
    pub fn mismatches(&self) -> usize {
        self.queries.iter().filter(|q| matches!(q.engines[OA].status, Status::Mismatch(_))).count()
    }
}

fn bar(len: u64, prefix: &str) -> ProgressBar {
    let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let b = ProgressBar::new(len).with_style(style).with_prefix(prefix.to_string());
    b.enable_steady_tick(Duration::from_millis(250));
    b
}

/// A line on the terminal that stays (also when stderr is not a terminal,
/// where the bars are hidden).
fn say(b: &ProgressBar, line: String) {
    if b.is_hidden() {
        eprintln!("{line}");
    } else {
        b.println(line);
    }
}

/// The whole run. Servers are stopped when this returns, however it returns.
pub fn run(cfg: &Config) -> Result<Report, String> {
    let started = Instant::now();
    let mut report = Report { date: today(), machine: machine_info(), ..Default::default() };
    let workload = tpch::workload();
    let queries: Vec<Query> = workload.queries.iter().filter(|q| cfg.queries.contains(&q.number)).cloned().collect();

    // 1. Data.
    let data_dir = cfg.data_dir.join(format!("sf{}", cfg.sf));
    if !cfg.skip_tpch {
        let t = Instant::now();
        let total: u64 = tpch::TABLES.iter().map(|t| tpch::approx_rows(t, cfg.sf)).sum();
        let b = bar(total, "generate");
        let mut done_before = 0u64;
        let mut current = "";
        let fresh = !tpch::is_generated(&data_dir, cfg.sf);
        tpch::generate(&data_dir, cfg.sf, &mut |table, n| {
            if table != current {
                if let Some(prev) = tpch::TABLES.iter().find(|t| **t == current) {
                    done_before += tpch::approx_rows(prev, cfg.sf);
                }
                current = tpch::TABLES.iter().find(|t| **t == table).copied().unwrap_or("");
                b.set_message(table.to_string());
            }
            b.set_position((done_before + n).min(total));
        })
        .map_err(|e| format!("could not generate the data in {}: {e}", data_dir.display()))?;
        report.generate_secs = t.elapsed().as_secs_f64();
        b.finish_and_clear();
        say(
            &b,
            format!(
                "generate   TPC-H SF {} in {} ({:.1} s{})",
                cfg.sf,
                data_dir.display(),
                report.generate_secs,
                if fresh { "" } else { ", already there" }
            ),
        );
    }

    // 2. Servers.
    let pg_bin = servers::find_pg_bin(cfg.pg_bin.as_deref())?;
    let oa_bin = servers::find_openassay(cfg.openassay.as_deref())?;
    if oa_bin.components().any(|c| c.as_os_str() == "debug") {
        report.notes.push(format!("OpenAssay binary {} is a debug build: its times mean little.", oa_bin.display()));
    }
    let pg_port = servers::free_port()?;
    let pg = PgServer::start(&pg_bin, pg_port, &cfg.work_dir.join(format!("pg-{pg_port}")))?;
    let oa_port = servers::free_port()?;
    let oa_dir = cfg.work_dir.join(format!("oa-{oa_port}"));
    let mut oa = OaServer::start(&oa_bin, oa_port, &oa_dir)?;
    eprintln!("servers    {} on port {pg_port}; openassay ({}) on port {oa_port}", pg.version, oa_bin.display());

    // 3. Load, and 4. the queries.
    if !cfg.skip_tpch {
        report.load = load_both(&pg, &oa, &workload, &data_dir, cfg.sf)?;
        run_queries(cfg, &pg, &mut oa, &oa_bin, &oa_dir, &workload, &data_dir, &queries, &mut report)?;
    }

    // 5. pgbench.
    if !cfg.skip_pgbench {
        run_pgbench(cfg, &pg, &oa, &pg_bin, &mut report);
    }

    // Versions and settings while the servers are up.
    collect_versions(&pg, &oa, &oa_bin, &mut report);
    drop(oa);
    drop(pg);
    let _ = fs::remove_dir_all(&oa_dir);

    // 6. DuckDB, if its Python package is there.
    if cfg.duckdb && !cfg.skip_tpch {
        match duck::available() {
            Some(version) => {
                eprintln!("duckdb     {version}: loading and running the queries (1 thread)");
                match duck::run(&data_dir, &workload, &queries, cfg.runs) {
                    Ok(summary) => {
                        for q in &mut report.queries {
                            q.duck = summary.queries.iter().find(|d| d.number == q.number).cloned();
                        }
                        report.duck = Some(summary);
                    }
                    Err(e) => report.notes.push(format!("DuckDB {version} could not run: {e}")),
                }
            }
            None => report.notes.push("DuckDB: the `duckdb` Python package is not installed (`pip install duckdb` adds the column).".into()),
        }
    }
    report.elapsed_secs = started.elapsed().as_secs_f64();
    if let Some(l) = load_average() {
        report.machine.push(format!("load average at the end: {l}"));
    }
    Ok(report)
}

/// Connects a loader and loads the data into one engine, step by step.
fn load_engine(conninfo: &str, workload: &Workload, data_dir: &Path, sf: f64, b: &ProgressBar) -> Vec<(String, Option<u64>, Result<f64, String>)> {
    let mut steps = Vec::new();
    let mut client = match postgres::Client::connect(conninfo, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            steps.push(("connect".into(), None, Err(DbError::from(e).to_string())));
            return steps;
        }
    };
    let t = Instant::now();
    let ddl = workload.ddl.iter().try_for_each(|s| client.batch_execute(s)).map_err(|e| DbError::from(e).to_string());
    steps.push(("CREATE TABLE ×8 (with primary keys)".into(), None, ddl.map(|()| t.elapsed().as_secs_f64() * 1000.0)));
    for table in tpch::TABLES {
        b.set_message(table.to_string());
        let t = Instant::now();
        let result = copy_file(&mut client, table, &tpch::csv_path(data_dir, table), b);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(rows) => steps.push((format!("COPY {table}"), Some(rows), Ok(ms))),
            Err(e) => steps.push((format!("COPY {table}"), None, Err(e))),
        }
        b.inc(tpch::approx_rows(table, sf));
    }
    for (name, sql) in [(tpch::EXTRA_INDEX.to_string(), tpch::EXTRA_INDEX), ("ANALYZE".to_string(), "ANALYZE")] {
        b.set_message(name.clone());
        let t = Instant::now();
        let r = client.batch_execute(sql).map_err(|e| DbError::from(e).to_string());
        steps.push((name, None, r.map(|()| t.elapsed().as_secs_f64() * 1000.0)));
    }
    steps
}

fn copy_file(client: &mut postgres::Client, table: &str, path: &Path, b: &ProgressBar) -> Result<u64, String> {
    let file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut writer = client.copy_in(&format!("COPY {table} FROM STDIN (FORMAT csv)")).map_err(|e| DbError::from(e).to_string())?;
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&c| c == b'\n').count() as u64;
        if let Err(e) = io::Write::write_all(&mut writer, &buf[..n]) {
            // The server's error comes with finish().
            return Err(writer.finish().err().map(|e| DbError::from(e).to_string()).unwrap_or_else(|| e.to_string()));
        }
        b.set_message(format!("{table} ({lines} rows sent)"));
    }
    writer.finish().map_err(|e| DbError::from(e).to_string())
}

fn load_both(pg: &PgServer, oa: &OaServer, workload: &Workload, data_dir: &Path, sf: f64) -> Result<Vec<LoadStep>, String> {
    let total: u64 = tpch::TABLES.iter().map(|t| tpch::approx_rows(t, sf)).sum();
    let b = bar(total * 2, "load");
    b.set_prefix("load PG");
    let pg_steps = load_engine(&pg.conninfo(), workload, data_dir, sf, &b);
    b.set_prefix("load OA");
    let oa_steps = load_engine(&oa.conninfo(), workload, data_dir, sf, &b);
    b.finish_and_clear();
    let mut steps = Vec::new();
    for (p, o) in pg_steps.into_iter().zip(oa_steps) {
        steps.push(LoadStep { name: p.0, rows: [p.1, o.1], ms: [p.2, o.2] });
    }
    let total_ms = |i: usize| steps.iter().filter_map(|s| s.ms[i].as_ref().ok()).sum::<f64>();
    let errors: Vec<String> = steps
        .iter()
        .flat_map(|s| s.ms.iter().zip(["PostgreSQL", "OpenAssay"]).filter_map(|(r, e)| r.as_ref().err().map(|m| format!("{e} {}: {m}", s.name))))
        .collect();
    say(
        &b,
        format!(
            "load       PostgreSQL {:.1} s, OpenAssay {:.1} s{}",
            total_ms(0) / 1000.0,
            total_ms(1) / 1000.0,
            if errors.is_empty() { String::new() } else { format!("; {}", errors.join("; ")) }
        ),
    );
    if let Some(s) = steps.iter().find(|s| s.name.starts_with("COPY") && s.ms[0].is_err()) {
        return Err(format!("PostgreSQL could not load the data: {} {:?}", s.name, s.ms[0]));
    }
    Ok(steps)
}

/// The three query connections: PostgreSQL without and with JIT (both
/// without parallel workers), and OpenAssay.
fn connect_all(pg: &PgServer, oa: &OaServer) -> Result<[Option<Conn>; 3], String> {
    let mut off = Conn::postgres(ENGINES[PG_OFF], &pg.conninfo()).map_err(|e| format!("PostgreSQL: {e}"))?;
    off.batch("SET jit = off; SET max_parallel_workers_per_gather = 0").map_err(|e| e.to_string())?;
    let mut jit = Conn::postgres(ENGINES[PG_JIT], &pg.conninfo()).map_err(|e| format!("PostgreSQL: {e}"))?;
    jit.batch("SET max_parallel_workers_per_gather = 0").map_err(|e| e.to_string())?;
    let o = Conn::openassay(ENGINES[OA], &oa.conninfo(), oa.pid).map_err(|e| format!("OpenAssay: {e}"))?;
    Ok([Some(off), Some(jit), Some(o)])
}

/// OpenAssay again after it had to be killed: a new server, loaded anew.
fn restart_oa(oa: &mut OaServer, bin: &Path, dir: &Path, workload: &Workload, data_dir: &Path, sf: f64) -> Result<Conn, String> {
    let port = servers::free_port()?;
    let fresh = OaServer::start(bin, port, dir)?;
    *oa = fresh;
    let b = bar(tpch::TABLES.iter().map(|t| tpch::approx_rows(t, sf)).sum(), "reload OA");
    let steps = load_engine(&oa.conninfo(), workload, data_dir, sf, &b);
    b.finish_and_clear();
    if let Some((name, _, Err(e))) = steps.iter().find(|s| s.2.is_err() && s.0.starts_with("COPY")) {
        return Err(format!("reload failed at {name}: {e}"));
    }
    Conn::openassay(ENGINES[OA], &oa.conninfo(), oa.pid).map_err(|e| e.to_string())
}

#[allow(clippy::too_many_arguments)]
fn run_queries(
    cfg: &Config,
    pg: &PgServer,
    oa: &mut OaServer,
    oa_bin: &Path,
    oa_dir: &Path,
    workload: &Workload,
    data_dir: &Path,
    queries: &[Query],
    report: &mut Report,
) -> Result<(), String> {
    let mut conns = connect_all(pg, oa)?;
    for c in conns.iter().flatten() {
        report.cpu_notes.push((c.label.clone(), c.cpu_note.clone()));
    }
    let b = bar(queries.len() as u64, "queries");
    let mut oa_given_up = false;
    for q in queries {
        if servers::interrupted() {
            return Err("interrupted".into());
        }
        b.set_message(format!("Q{}", q.number));
        let mut result = QueryResult {
            number: q.number,
            title: q.title.clone(),
            ordered: Ordered::No,
            limit: None,
            engines: [EngineRun::new(), EngineRun::new(), EngineRun::new()],
            duck: None,
        };
        let mut columns: [Vec<Column>; 3] = Default::default();
        // Setup (Q15's view) and Describe.
        for (i, slot) in conns.iter_mut().enumerate() {
            let Some(c) = slot else {
                result.engines[i].status = Status::NotRun("the server is gone".into());
                continue;
            };
            // Both PostgreSQL sessions share one database: its setup runs once.
            let setup: &[String] = if i == PG_JIT { &[] } else { &q.setup };
            let r = setup.iter().try_for_each(|s| c.batch(s)).and_then(|()| c.describe(&q.sql));
            match r {
                Ok(cols) => columns[i] = cols,
                Err(e) => result.engines[i].status = Status::Failed(e),
            }
        }
        result.ordered = compare::order_by_columns(&q.sql, &columns[PG_OFF]);
        let mut reference: Option<ResultSet> = None;
        // Warm-up, then the timed rounds, each engine in turn.
        for round in 0..=cfg.runs {
            for i in 0..3 {
                if !result.engines[i].ok() {
                    continue;
                }
                let limit = if i == OA {
                    match result.limit {
                        Some(l) => l,
                        None => {
                            let pg_ms = result.engines[PG_OFF].warmup.as_ref().map(|m| m.wall_ms).unwrap_or(0.0);
                            let l = Duration::from_secs_f64(pg_ms * cfg.timeout_factor / 1000.0).max(cfg.timeout_floor).min(cfg.timeout_cap);
                            result.limit = Some(l);
                            l
                        }
                    }
                } else {
                    cfg.timeout_cap
                };
                let Some(c) = conns[i].as_mut() else { continue };
                let on_hang = (i == OA).then(|| oa.killer());
                let outcome = c.run(&q.sql, &columns[i], limit, on_hang);
                let e = &mut result.engines[i];
                match outcome {
                    Outcome::Done(rs, m) => {
                        e.rows = Some(rs.rows.len());
                        if round == 0 {
                            e.warmup = Some(m);
                        } else {
                            e.runs.push(m);
                        }
                        if i == PG_OFF && reference.is_none() {
                            reference = Some(rs);
                        } else if let Some(r) = &reference
                            && let Err(mm) = compare::compare(r, &rs, &result.ordered)
                        {
                            e.status = Status::Mismatch(format!("{mm} (run {round})"));
                        }
                    }
                    Outcome::Timeout(l) => e.status = Status::Timeout(l),
                    Outcome::Failed(err) => e.status = Status::Failed(err),
                    Outcome::Hung(l) => {
                        e.status = Status::Hung(l);
                        conns[i] = None;
                    }
                }
                if i == PG_OFF && reference.is_none() {
                    // Without PostgreSQL's result there is nothing to compare with.
                    for j in [PG_JIT, OA] {
                        if result.engines[j].ok() {
                            result.engines[j].status = Status::NotRun("PostgreSQL (jit=off) could not run it".into());
                        }
                    }
                }
            }
        }
        // Where the time goes: one more run with the servers' phase reports on.
        for (i, slot) in conns.iter_mut().enumerate() {
            if !result.engines[i].ok() {
                continue;
            }
            let Some(c) = slot.as_mut() else { continue };
            let limit = if i == OA { result.limit.unwrap_or(cfg.timeout_cap) } else { cfg.timeout_cap };
            let on_hang = (i == OA).then(|| oa.killer());
            result.engines[i].phases = c.phases(&q.sql, &columns[i], limit, on_hang);
        }
        for (i, c) in conns.iter_mut().enumerate() {
            if let Some(c) = c.as_mut().filter(|_| i != PG_JIT) {
                for s in &q.teardown {
                    let _ = c.batch(s);
                }
            }
        }
        // A server that was killed (or died) comes back, loaded anew.
        let oa_gone = conns[OA].is_none() || !oa.is_running();
        if oa_gone && !oa_given_up && !servers::interrupted() {
            conns[OA] = None;
            say(&b, format!("queries    Q{}: OpenAssay {} — restarting it and loading the data again", q.number, result.engines[OA].status.label()));
            match restart_oa(oa, oa_bin, oa_dir, workload, data_dir, cfg.sf) {
                Ok(c) => {
                    conns[OA] = Some(c);
                    report.notes.push(format!("OpenAssay was restarted (and loaded again, untimed) after Q{}.", q.number));
                }
                Err(e) => {
                    oa_given_up = true;
                    report.notes.push(format!("OpenAssay could not be restarted after Q{}: {e}", q.number));
                }
            }
        }
        let e = &result.engines[OA];
        let line = match (&e.status, result.ratio(PG_OFF)) {
            (Status::Ok, Some(r)) => format!(
                "queries    Q{:<2} ok    PG {:>9.1} ms  OA {:>9.1} ms  PG/OA {:.3}",
                q.number,
                result.engines[PG_OFF].median_wall_ms().unwrap_or(0.0),
                e.median_wall_ms().unwrap_or(0.0),
                r
            ),
            (s, _) => format!("queries    Q{:<2} {}", q.number, s.label()),
        };
        say(&b, line);
        b.inc(1);
        report.queries.push(result);
    }
    b.finish_and_clear();
    Ok(())
}

fn run_pgbench(cfg: &Config, pg: &PgServer, oa: &OaServer, pg_bin: &Path, report: &mut Report) {
    let exe = pgbench::find(pg_bin);
    let mut specs = Vec::new();
    for script in ["select-only", "tpcb-like"] {
        for &clients in &cfg.pgbench_clients {
            for mode in ["simple", "prepared"] {
                specs.push(RunSpec { script, clients, mode, seconds: cfg.pgbench_seconds });
            }
        }
    }
    let total = cfg.pgbench_scales.len() * (1 + specs.len());
    let b = bar(total as u64, "pgbench");
    let ports = [pg.port, oa.port];
    let log_dir = cfg.work_dir.join(format!("pgbench-logs-{}", std::process::id()));
    for &scale in &cfg.pgbench_scales {
        b.set_message(format!("-i -s {scale}"));
        // Loading 100,000 rows per scale unit takes OpenAssay a while without bulk index builds.
        let deadline = Duration::from_secs(600 + 120 * u64::from(scale));
        let secs = ports.map(|p| pgbench::init(&exe, p, scale, deadline));
        say(
            &b,
            format!(
                "pgbench    -i -s {scale}: PostgreSQL {}, OpenAssay {}",
                secs[0].as_ref().map(|s| format!("{s:.1} s")).unwrap_or_else(|e| format!("failed: {e}")),
                secs[1].as_ref().map(|s| format!("{s:.1} s")).unwrap_or_else(|e| format!("failed: {e}"))
            ),
        );
        let ok = [secs[0].is_ok(), secs[1].is_ok()];
        report.pgbench_init.push(PgbenchInit { scale, secs });
        b.inc(1);
        for spec in &specs {
            if servers::interrupted() {
                return;
            }
            b.set_message(format!("s{scale} {} c{} {}", spec.script, spec.clients, spec.mode));
            let mut results: [pgbench::RunResult; 2] = Default::default();
            for (i, port) in ports.iter().enumerate() {
                results[i] = if ok[i] {
                    pgbench::run(&exe, *port, spec, &log_dir)
                } else {
                    pgbench::RunResult { error: Some("pgbench -i failed".into()), ..Default::default() }
                };
            }
            let tps = |r: &pgbench::RunResult| r.tps.map(|t| format!("{t:.1}")).unwrap_or_else(|| "—".into());
            say(
                &b,
                format!(
                    "pgbench    s{scale} {:<11} c{} {:<8} TPS PG {:>9} OA {:>9}",
                    spec.script,
                    spec.clients,
                    spec.mode,
                    tps(&results[0]),
                    tps(&results[1])
                ),
            );
            report.pgbench.push(PgbenchRow { scale, spec: spec.clone(), results });
            b.inc(1);
        }
    }
    let _ = fs::remove_dir_all(&log_dir);
    b.finish_and_clear();
}

fn collect_versions(pg: &PgServer, oa: &OaServer, oa_bin: &Path, report: &mut Report) {
    let scalar = |conninfo: &str, sql: &str| -> String {
        postgres::Client::connect(conninfo, postgres::NoTls)
            .map_err(DbError::from)
            .and_then(|mut c| {
                for m in c.simple_query(sql)? {
                    if let postgres::SimpleQueryMessage::Row(r) = m {
                        return Ok(r.get(0).unwrap_or("NULL").to_string());
                    }
                }
                Ok(String::new())
            })
            .unwrap_or_else(|e| format!("({e})"))
    };
    report.versions.push(("PostgreSQL".into(), scalar(&pg.conninfo(), "SELECT version()")));
    report.versions.push(("OpenAssay".into(), format!("{} — {}", scalar(&oa.conninfo(), "SELECT version()"), oa_bin.display())));
    if let Some(commit) = git_commit() {
        report.versions.push(("OpenAssay commit".into(), commit));
    }
    for s in ["shared_buffers", "work_mem", "jit_provider", "jit_above_cost"] {
        report.settings.push((format!("PostgreSQL {s}"), scalar(&pg.conninfo(), &format!("SHOW {s}"))));
    }
    report.settings.push(("PostgreSQL pg_jit_available()".into(), scalar(&pg.conninfo(), "SELECT pg_jit_available()")));
    report.settings.push(("PostgreSQL server options".into(), "fsync=off, trust auth, C.UTF-8, otherwise initdb defaults".into()));
    report.settings.push(("PostgreSQL per session".into(), "max_parallel_workers_per_gather=0; jit=off or the default (on)".into()));
    report.settings.push(("OpenAssay".into(), "in-memory storage, 128 MB buffer pool, interpreter (the only backend so far)".into()));
}

fn git_commit() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("git").args(["-C", &dir.display().to_string(), "rev-parse", "--short", "HEAD"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dirty = std::process::Command::new("git")
        .args(["-C", &dir.display().to_string(), "status", "--porcelain", "--untracked-files=no"])
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    Some(if dirty { format!("{commit} (with uncommitted changes)") } else { commit })
}

fn machine_info() -> Vec<String> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string()));
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()));
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    vec![
        format!("{} ({cores} cores available)", model.unwrap_or_else(|| "unknown CPU".into())),
        format!("{:.1} GiB memory", mem.unwrap_or(0) as f64 / 1024.0 / 1024.0),
        format!("Linux {}", kernel.trim()),
        format!("load average at the start: {}", load_average().unwrap_or_else(|| "unknown".into())),
    ]
}

/// The 1, 5 and 15 minute load averages: other work on the machine skews the times.
pub fn load_average() -> Option<String> {
    let l = fs::read_to_string("/proc/loadavg").ok()?;
    Some(l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// Today's date (UTC) as YYYY-MM-DD, without a date crate.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a date (Howard Hinnant's civil_from_days).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_statistics() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_454), "2026-01-01");
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
        let g = geomean(&[1.0, 4.0]).unwrap();
        assert!((g - 2.0).abs() < 1e-12);
        assert_eq!(geomean(&[]), None);
    }
}
