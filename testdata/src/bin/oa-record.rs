//! oa-record: fills in the expectations of `.slt` files from PostgreSQL.
//!
//! usage: oa-record --port P [--host 127.0.0.1] [--user postgres] [--check]
//!                  [-j N] [--tpch-dir DIR] FILES_OR_DIRS...
//!
//! Each file runs in a fresh database (created from template0, dropped
//! afterwards) with `oa_slt::SESSION_SETTINGS` applied. Without `--check`
//! the files are rewritten in place; with `--check` nothing is written and
//! the exit status is non-zero if any file's recording would differ.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use oa_slt::pg::PgServer;
use oa_slt::{TPCH_DIR_VAR, Vars, diff_lines, parse_file, record_file, tpch};

const USAGE: &str = "usage: oa-record --port P [--host 127.0.0.1] [--user postgres] [--check] [-j N] [--tpch-dir DIR] FILES_OR_DIRS...";

struct Args {
    server: PgServer,
    check: bool,
    jobs: usize,
    tpch_dir: PathBuf,
    paths: Vec<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut host = "127.0.0.1".to_string();
    let mut user = "postgres".to_string();
    let mut port = None;
    let mut check = false;
    let mut jobs = 1;
    let mut tpch_dir = tpch::default_dir();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--port" | "-p" => {
                let v = value("--port")?;
                port = Some(v.parse::<u16>().map_err(|_| format!("bad port {v:?}"))?);
            }
            "--host" | "-h" => host = value("--host")?,
            "--user" | "-U" => user = value("--user")?,
            "--tpch-dir" => tpch_dir = PathBuf::from(value("--tpch-dir")?),
            "-j" | "--jobs" => {
                let v = value("-j")?;
                jobs = v.parse::<usize>().ok().filter(|&j| j > 0).ok_or_else(|| format!("bad job count {v:?}"))?;
            }
            "--check" => check = true,
            "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let port = port.ok_or("--port is required")?;
    if paths.is_empty() {
        return Err("no files or directories given".to_string());
    }
    Ok(Args { server: PgServer::new(host, port, user), check, jobs, tpch_dir, paths })
}

/// The `.slt` files among `paths`, directories searched recursively.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "slt") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files)?;
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

enum Outcome {
    Unchanged,
    Updated,
    WouldChange(String),
    Failed(String),
}

fn record_one(path: &Path, args: &Args, vars: &Vars) -> Outcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Outcome::Failed(format!("{}: {e}", path.display())),
    };
    let file = match parse_file(path, &text) {
        Ok(f) => f,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let mut db = match args.server.fresh_database() {
        Ok(db) => db,
        Err(e) => {
            return Outcome::Failed(format!("{}: cannot create a database: {e}", path.display()));
        }
    };
    let recorded = match record_file(&file, &mut db, vars) {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    drop(db);
    if recorded == text {
        Outcome::Unchanged
    } else if args.check {
        Outcome::WouldChange(diff_lines(&text, &recorded).join("\n"))
    } else {
        match std::fs::write(path, &recorded) {
            Ok(()) => Outcome::Updated,
            Err(e) => Outcome::Failed(format!("{}: {e}", path.display())),
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("oa-record: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let files = match collect(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("oa-record: {e}");
            return ExitCode::from(2);
        }
    };
    let mut vars = Vars::new();
    vars.insert(TPCH_DIR_VAR.to_string(), args.tpch_dir.display().to_string());
    let needs_tpch = files.iter().any(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(&format!("${{{TPCH_DIR_VAR}}}"))));
    if needs_tpch && let Err(e) = tpch::generate(&args.tpch_dir, tpch::SCALE_FACTOR) {
        eprintln!("oa-record: generating TPC-H data in {}: {e}", args.tpch_dir.display());
        return ExitCode::FAILURE;
    }

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..args.jobs.min(files.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let outcome = record_one(path, &args, &vars);
                    let line = match &outcome {
                        Outcome::Unchanged => "unchanged",
                        Outcome::Updated => "updated",
                        Outcome::WouldChange(_) => "would change",
                        Outcome::Failed(_) => "FAILED",
                    };
                    eprintln!("{line:>12}  {}", path.display());
                    results.lock().unwrap_or_else(|e| e.into_inner()).push((i, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);

    let mut bad = 0;
    for (i, outcome) in &results {
        match outcome {
            Outcome::WouldChange(diff) => {
                bad += 1;
                println!("{}: recording differs from the committed expectations:", files[*i].display());
                println!("{diff}");
            }
            Outcome::Failed(msg) => {
                bad += 1;
                println!("{msg}");
            }
            Outcome::Unchanged | Outcome::Updated => {}
        }
    }
    let updated = results.iter().filter(|(_, o)| matches!(o, Outcome::Updated)).count();
    println!(
        "oa-record: {} file(s), {} updated, {} unchanged, {} {}",
        files.len(),
        updated,
        results.len() - updated - bad,
        bad,
        if args.check { "differ or failed" } else { "failed" }
    );
    if bad > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
