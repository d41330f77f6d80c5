//! DuckDB as an optional third column: if Python's `duckdb` package can be
//! imported, a small Python script loads the same CSV files into an
//! in-memory DuckDB (one thread, to match the single-threaded comparison)
//! and times the same queries. Only times and row counts are taken: DuckDB
//! prints values differently (char(n) without padding, decimals), so its
//! rows are not compared with PostgreSQL's.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::median;
use crate::tpch::{self, Query, Workload};

#[derive(Clone, Debug)]
pub struct DuckQuery {
    pub number: u32,
    pub times_ms: Vec<f64>,
    pub rows: Option<usize>,
    pub error: Option<String>,
}

impl DuckQuery {
    pub fn median_ms(&self) -> Option<f64> {
        median(self.times_ms.clone())
    }
}

#[derive(Clone, Debug)]
pub struct DuckSummary {
    pub version: String,
    pub load_ms: Vec<(String, f64)>,
    pub queries: Vec<DuckQuery>,
}

const SCRIPT: &str = r#"
import json, sys, time
import duckdb
spec = json.load(open(sys.argv[1]))
runs = int(sys.argv[2])
con = duckdb.connect()
con.execute("SET threads TO 1")
print("VERSION", duckdb.__version__, flush=True)
for s in spec["ddl"]:
    con.execute(s)
for t in spec["tables"]:
    t0 = time.perf_counter()
    con.execute("COPY %s FROM '%s' (FORMAT csv, HEADER false)" % (t, spec["files"][t]))
    print("LOAD", t, (time.perf_counter() - t0) * 1000, flush=True)
for q in spec["queries"]:
    try:
        for s in q["setup"]:
            con.execute(s)
        times = []
        rows = 0
        for i in range(runs + 1):
            t0 = time.perf_counter()
            rows = len(con.execute(q["sql"]).fetchall())
            if i > 0:
                times.append((time.perf_counter() - t0) * 1000)
        print("Q", q["number"], rows, ",".join("%.3f" % t for t in times), flush=True)
    except Exception as e:
        print("QERR", q["number"], str(e).replace("\n", " "), flush=True)
    for s in q["teardown"]:
        try:
            con.execute(s)
        except Exception:
            pass
"#;

/// The duckdb package's version, if it can be imported.
pub fn available() -> Option<String> {
    let out = Command::new("python3").args(["-c", "import duckdb; print(duckdb.__version__)"]).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(","))
}

/// Loads the data and runs `queries` (`runs` timed runs after a warm-up).
pub fn run(data_dir: &Path, workload: &Workload, queries: &[Query], runs: usize) -> Result<DuckSummary, String> {
    let files: Vec<String> =
        tpch::TABLES.iter().map(|t| format!("{}:{}", json_str(t), json_str(&tpch::csv_path(data_dir, t).display().to_string()))).collect();
    let qs: Vec<String> = queries
        .iter()
        .map(|q| {
            format!(
                "{{\"number\":{},\"setup\":{},\"sql\":{},\"teardown\":{}}}",
                q.number,
                json_list(&q.setup),
                json_str(&q.sql),
                json_list(&q.teardown)
            )
        })
        .collect();
    let tables: Vec<String> = tpch::TABLES.iter().map(|t| t.to_string()).collect();
    let spec = format!(
        "{{\"ddl\":{},\"tables\":{},\"files\":{{{}}},\"queries\":[{}]}}",
        json_list(&workload.ddl),
        json_list(&tables),
        files.join(","),
        qs.join(",")
    );
    let dir = std::env::temp_dir().join(format!("oa-bench-duck-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let spec_path = dir.join("spec.json");
    let script_path = dir.join("duck.py");
    fs::write(&spec_path, spec).map_err(|e| e.to_string())?;
    fs::write(&script_path, SCRIPT).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .arg(&script_path)
        .arg(&spec_path)
        .arg(runs.to_string())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not run python3: {e}"));
    let _ = fs::remove_dir_all(&dir);
    let out = out?;
    let text = String::from_utf8_lossy(&out.stdout);
    let summary = parse_output(&text);
    if !out.status.success() {
        return Err(format!("{}{}", text.lines().last().unwrap_or(""), String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")));
    }
    Ok(summary)
}

fn parse_output(text: &str) -> DuckSummary {
    let mut s = DuckSummary { version: String::new(), load_ms: Vec::new(), queries: Vec::new() };
    for line in text.lines() {
        let mut parts = line.splitn(4, ' ');
        match parts.next() {
            Some("VERSION") => s.version = parts.next().unwrap_or("").to_string(),
            Some("LOAD") => {
                if let (Some(t), Some(ms)) = (parts.next(), parts.next().and_then(|v| v.parse().ok())) {
                    s.load_ms.push((t.to_string(), ms));
                }
            }
            Some("Q") => {
                let number = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                let rows = parts.next().and_then(|n| n.parse().ok());
                let times_ms = parts.next().unwrap_or("").split(',').filter_map(|t| t.parse().ok()).collect();
                s.queries.push(DuckQuery { number, times_ms, rows, error: None });
            }
            Some("QERR") => {
                let number = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
                let rest: Vec<&str> = parts.collect();
                s.queries.push(DuckQuery { number, times_ms: Vec::new(), rows: None, error: Some(rest.join(" ")) });
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_output() {
        assert_eq!(json_str("a\"b\\c\nd"), "\"a\\\"b\\\\c\\u000ad\"");
        let s = parse_output("VERSION 1.2.0\nLOAD lineitem 12.5\nQ 1 4 1.000,2.000,3.000\nQERR 2 Parser Error: x y\n");
        assert_eq!(s.version, "1.2.0");
        assert_eq!(s.load_ms, vec![("lineitem".to_string(), 12.5)]);
        assert_eq!(s.queries[0].rows, Some(4));
        assert_eq!(s.queries[0].median_ms(), Some(2.0));
        assert_eq!(s.queries[1].error.as_deref(), Some("Parser Error: x y"));
    }
}
