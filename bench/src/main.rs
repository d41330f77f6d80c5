//! `oa-bench`: OpenAssay against PostgreSQL 15, side by side (see the crate docs).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use oa_bench::harness::{self, Config, OA, Status};
use oa_bench::{report, servers};

const USAGE: &str = "\
oa-bench: OpenAssay against PostgreSQL 15 on this machine — TPC-H, pgbench, a report.

Usage: oa-bench [OPTION]...

  --sf F                 TPC-H scale factor (default 0.1)
  --quick                smoke run: SF 0.01, 5 queries, 1 timed run, 1 s pgbench
                         runs, OpenAssay's limit at least 10 s
  --queries LIST         query numbers, e.g. 1,3,6 or 1-22 (default all)
  --runs N               timed runs per query and engine after the warm-up (default 3)
  --timeout-factor X     OpenAssay's limit: X times PostgreSQL's time … (default 10)
  --timeout-floor-ms N   … at least N ms … (default 1000)
  --timeout-cap-s N      … at most N s, PostgreSQL's limit too (default 300)
  --pgbench-scales LIST  pgbench -i scales (default 1; 1,10 from SF 1 up)
  --pgbench-clients LIST client counts (default 1,4)
  --pgbench-seconds N    seconds per pgbench run (default 10)
  --no-pgbench, --no-tpch, --no-duckdb
  --fail-on-error        exit 1 when OpenAssay fails or times out a query (a
                         mismatch always does)
  --data-dir DIR         where the CSV files are kept (default /tmp/oa-bench-data)
  --work-dir DIR         the servers' data directories (default /tmp/oa-bench-work-PID)
  --out DIR              where the report goes (default bench/results)
  --openassay PATH       the server binary (default: next to this one)
  --pg-bin DIR           PostgreSQL's bin directory (default /usr/lib/postgresql/15/bin)

Exit status: 0 when every OpenAssay result that ran equals PostgreSQL's,
1 on a mismatch (or, with --fail-on-error, an error or timeout), 2 when the
harness itself could not run.
";

/// The queries of `--quick`: one of each shape (aggregation, join with
/// LIMIT, many-way join, filter-only scan, outer join with GROUP BY).
const QUICK_QUERIES: [u32; 5] = [1, 3, 5, 6, 13];

fn parse_list(v: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = || format!("invalid list item \"{part}\"");
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
                out.extend(a..=b);
            }
            None => out.push(part.parse().map_err(|_| bad())?),
        }
    }
    Ok(out)
}

struct Args {
    cfg: Config,
    fail_on_error: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let argv: Vec<String> = std::env::args().collect();
    let mut cfg = Config {
        sf: 0.1,
        queries: (1..=22).collect(),
        runs: 3,
        timeout_factor: 10.0,
        timeout_floor: Duration::from_millis(1000),
        timeout_cap: Duration::from_secs(300),
        skip_tpch: false,
        skip_pgbench: false,
        pgbench_scales: Vec::new(),
        pgbench_clients: vec![1, 4],
        pgbench_seconds: 10,
        duckdb: true,
        data_dir: PathBuf::from("/tmp/oa-bench-data"),
        work_dir: PathBuf::from(format!("/tmp/oa-bench-work-{}", std::process::id())),
        out_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results"),
        openassay: None,
        pg_bin: None,
        quick: false,
        command_line: argv.iter().skip(1).fold("oa-bench".to_string(), |s, a| s + " " + a),
    };
    let mut fail_on_error = false;
    let (mut sf, mut queries, mut runs, mut seconds, mut cap) = (None, None, None, None, None);
    let mut it = argv.into_iter().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next()).ok_or_else(|| format!("option {flag} needs a value"));
        let num = |v: String| v.parse::<f64>().map_err(|_| format!("invalid number \"{v}\""));
        match flag.as_str() {
            "--sf" => sf = Some(num(value()?)?),
            "--quick" => cfg.quick = true,
            "--queries" => queries = Some(parse_list(&value()?)?),
            "--runs" => runs = Some(num(value()?)? as usize),
            "--timeout-factor" => cfg.timeout_factor = num(value()?)?,
            "--timeout-floor-ms" => cfg.timeout_floor = Duration::from_secs_f64(num(value()?)? / 1000.0),
            "--timeout-cap-s" => cap = Some(Duration::from_secs_f64(num(value()?)?)),
            "--pgbench-scales" => cfg.pgbench_scales = parse_list(&value()?)?,
            "--pgbench-clients" => cfg.pgbench_clients = parse_list(&value()?)?,
            "--pgbench-seconds" => seconds = Some(num(value()?)? as u32),
            "--no-pgbench" => cfg.skip_pgbench = true,
            "--no-tpch" => cfg.skip_tpch = true,
            "--no-duckdb" => cfg.duckdb = false,
            "--fail-on-error" => fail_on_error = true,
            "--data-dir" => cfg.data_dir = PathBuf::from(value()?),
            "--work-dir" => cfg.work_dir = PathBuf::from(value()?),
            "--out" => cfg.out_dir = PathBuf::from(value()?),
            "--openassay" => cfg.openassay = Some(PathBuf::from(value()?)),
            "--pg-bin" => cfg.pg_bin = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unrecognized option \"{other}\"\nTry \"oa-bench --help\".")),
        }
    }
    if cfg.quick {
        cfg.sf = 0.01;
        cfg.queries = QUICK_QUERIES.to_vec();
        cfg.runs = 1;
        cfg.pgbench_seconds = 1;
        // Correctness is the point here, also with a debug build of the server.
        cfg.timeout_floor = Duration::from_secs(10);
        cfg.timeout_cap = Duration::from_secs(30);
    }
    cfg.sf = sf.unwrap_or(cfg.sf);
    cfg.queries = queries.unwrap_or(cfg.queries);
    cfg.runs = runs.unwrap_or(cfg.runs).max(1);
    cfg.pgbench_seconds = seconds.unwrap_or(cfg.pgbench_seconds).max(1);
    cfg.timeout_cap = cap.unwrap_or(cfg.timeout_cap);
    if cfg.pgbench_scales.is_empty() {
        cfg.pgbench_scales = if cfg.sf >= 1.0 { vec![1, 10] } else { vec![1] };
    }
    if cfg.sf.is_nan() || cfg.sf <= 0.0 {
        return Err("--sf must be positive".into());
    }
    if let Some(q) = cfg.queries.iter().find(|q| !(1..=22).contains(*q)) {
        return Err(format!("there is no TPC-H query {q}"));
    }
    Ok(Some(Args { cfg, fail_on_error }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oa-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = servers::install_signal_handler() {
        eprintln!("oa-bench: {e}");
    }
    let cfg = &args.cfg;
    servers::remove_on_exit(&cfg.work_dir);
    let result = harness::run(cfg);
    // Whatever happened, no server outlives the run (and the handler of a
    // signal that came meanwhile finishes first).
    servers::stop_all();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oa-bench: {e}");
            return ExitCode::from(2);
        }
    };
    match report::write(&report, cfg) {
        Ok(path) => eprintln!("report     {}", path.display()),
        Err(e) => eprintln!("oa-bench: {e}"),
    }
    let mismatches = report.mismatches();
    let problems = report.queries.iter().filter(|q| matches!(q.engines[OA].status, Status::Failed(_) | Status::Timeout(_) | Status::Hung(_))).count();
    let ratios = report::ratios(&report, harness::PG_OFF);
    eprintln!(
        "done       {:.0} s; {} queries, {} equal to PostgreSQL's, {mismatches} mismatched, {problems} failed or timed out; geomean PG/OA {}",
        report.elapsed_secs,
        report.queries.len(),
        ratios.len(),
        harness::geomean(&ratios).map(|g| format!("{g:.3}")).unwrap_or_else(|| "n/a".into())
    );
    if mismatches > 0 || (args.fail_on_error && problems > 0) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
