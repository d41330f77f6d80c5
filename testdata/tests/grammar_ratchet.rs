//! The grammar ratchet: OpenAssay's parser against PostgreSQL's verdicts on
//! every statement of PostgreSQL's regression suite.
//!
//! `oa_slt::regress` splits each `sql/*.sql` of `../shared/pg_regress` the
//! way psql does and takes PostgreSQL's verdict from `expected/*.out` (a
//! statement followed by its own `ERROR:  syntax error` was rejected by the
//! grammar; anything else was accepted). Statements that are not `exact`
//! (they use `\gset` values this harness cannot know) are left out. Each
//! statement is parsed with `oa_grammar::parse_with` under the session's
//! `standard_conforming_strings`, and counted as
//!
//! * accepted_parsed   — PostgreSQL accepts it and `parse` returns Ok;
//! * accepted_rejected — PostgreSQL accepts it and `parse` returns Err;
//! * rejected_parsed   — PostgreSQL rejects it and `parse` returns Ok.
//!
//! The floors live in `testdata/grammar_ratchet.toml`: the test fails when
//! accepted_parsed drops below `accepted_parsed_min` or rejected_parsed
//! rises above `rejected_parsed_max`. Raise the floors as the grammar grows
//! (the test prints the numbers to commit) and copy them into CONFORMANCE.md.
//!
//! The parser must never panic; nothing here catches one.
//!
//!     cargo test -p oa-slt --test grammar_ratchet -- --nocapture
//!     OA_GRAMMAR_RATCHET_DUMP=/tmp/mismatches.txt cargo test -p oa-slt --test grammar_ratchet
//!
//! With `OA_GRAMMAR_RATCHET_DUMP` set, every disagreement is written to that
//! file (one block per statement: location, verdicts, our error, the SQL).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use oa_grammar::{LexOptions, parse_with};
use oa_slt::regress::{RegressStatement, default_suite_dir, statements};

const FLOORS: &str = "grammar_ratchet.toml";

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    accepted_parsed: usize,
    accepted_rejected: usize,
    rejected_parsed: usize,
    rejected_rejected: usize,
}

struct Floors {
    accepted_parsed_min: usize,
    rejected_parsed_max: usize,
}

fn read_floors(path: &Path) -> Floors {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut values = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("{}:{}: expected `key = number`", path.display(), n + 1));
        let value: usize = value.trim().replace('_', "").parse().unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1));
        values.insert(key.trim().to_string(), value);
    }
    let get = |k: &str| *values.get(k).unwrap_or_else(|| panic!("{}: missing `{k}`", path.display()));
    Floors { accepted_parsed_min: get("accepted_parsed_min"), rejected_parsed_max: get("rejected_parsed_max") }
}

struct Outcome<'a> {
    stmt: &'a RegressStatement,
    error: Option<String>,
}

#[test]
fn grammar_ratchet() {
    let dir = default_suite_dir();
    let all = statements(&dir).unwrap_or_else(|e| panic!("reading the suite at {}: {e}", dir.display()));
    assert!(all.len() > 40_000, "only {} statements in {}", all.len(), dir.display());

    let start = std::time::Instant::now();
    let mut total = Counts::default();
    let mut per_file: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut mismatches: Vec<Outcome> = Vec::new();
    let mut inexact = 0;
    for s in &all {
        if !s.exact {
            inexact += 1;
            continue;
        }
        let result = parse_with(&s.sql, LexOptions { standard_conforming_strings: s.std_strings });
        let file = per_file.entry(s.file.as_str()).or_default();
        for c in [&mut total, file] {
            match (s.pg_accepts, result.is_ok()) {
                (true, true) => c.accepted_parsed += 1,
                (true, false) => c.accepted_rejected += 1,
                (false, true) => c.rejected_parsed += 1,
                (false, false) => c.rejected_rejected += 1,
            }
        }
        if s.pg_accepts != result.is_ok() {
            let error = result.err().map(|e| format!("{} {}{}", e.code, e.message, position(&s.sql, e.position)));
            mismatches.push(Outcome { stmt: s, error });
        }
    }
    let elapsed = start.elapsed();

    println!("grammar ratchet over {} exact statements ({inexact} inexact left out), parsed in {elapsed:?}:", all.len() - inexact);
    println!("  PostgreSQL accepts, we parse:  {:>6}", total.accepted_parsed);
    println!("  PostgreSQL accepts, we reject: {:>6}", total.accepted_rejected);
    println!("  PostgreSQL rejects, we parse:  {:>6}", total.rejected_parsed);
    println!("  PostgreSQL rejects, we reject: {:>6}", total.rejected_rejected);

    if let Ok(path) = std::env::var("OA_GRAMMAR_RATCHET_DUMP") {
        let mut out = String::new();
        for m in &mismatches {
            let verdict = if m.stmt.pg_accepts { "pg accepts, we reject" } else { "pg rejects, we parse" };
            let _ = writeln!(out, "=== {}.sql:{}: {verdict}", m.stmt.file, m.stmt.line);
            if let Some(e) = &m.error {
                let _ = writeln!(out, "ours: {e}");
            }
            if let Some(e) = &m.stmt.pg_error {
                let _ = writeln!(out, "pg: {e}");
            }
            let _ = writeln!(out, "{}", m.stmt.sql);
        }
        std::fs::write(&path, out).unwrap_or_else(|e| panic!("writing {path}: {e}"));
        println!("  disagreements written to {path}");
    }

    let floors = read_floors(&Path::new(env!("CARGO_MANIFEST_DIR")).join(FLOORS));
    let dropped = total.accepted_parsed < floors.accepted_parsed_min;
    let rose = total.rejected_parsed > floors.rejected_parsed_max;
    if !dropped && !rose {
        if total.accepted_parsed > floors.accepted_parsed_min || total.rejected_parsed < floors.rejected_parsed_max {
            println!(
                "  the floors can be raised: accepted_parsed_min = {}, rejected_parsed_max = {} (testdata/{FLOORS}, CONFORMANCE.md)",
                total.accepted_parsed, total.rejected_parsed
            );
        }
        return;
    }

    // Failure: the files that fare worst, and a few statements of each.
    let mut worst: Vec<(&str, Counts)> = per_file.iter().map(|(f, c)| (*f, *c)).collect();
    worst.sort_by_key(|(f, c)| {
        let bad = if dropped { c.accepted_rejected } else { 0 } + if rose { c.rejected_parsed } else { 0 };
        (std::cmp::Reverse(bad), *f)
    });
    let mut report = String::new();
    let _ = writeln!(report, "worst files (accepted+parsed / accepted+rejected / rejected+parsed):");
    for (f, c) in worst.iter().take(15) {
        let _ = writeln!(report, "  {f:<28} {:>5} {:>5} {:>5}", c.accepted_parsed, c.accepted_rejected, c.rejected_parsed);
        for m in mismatches.iter().filter(|m| m.stmt.file == *f && ((dropped && m.stmt.pg_accepts) || (rose && !m.stmt.pg_accepts))).take(3) {
            let sql: String = m.stmt.sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let sql: String = sql.chars().take(160).collect();
            let _ = writeln!(report, "      line {}: {}\n        {sql}", m.stmt.line, m.error.as_deref().unwrap_or("parsed"));
        }
    }
    println!("{report}");
    let mut why = Vec::new();
    if dropped {
        why.push(format!("PostgreSQL accepts {} statements we parse, below the floor of {}", total.accepted_parsed, floors.accepted_parsed_min));
    }
    if rose {
        why.push(format!("we parse {} statements PostgreSQL rejects, above the ceiling of {}", total.rejected_parsed, floors.rejected_parsed_max));
    }
    panic!("grammar ratchet: {}", why.join("; "));
}

/// ` at LINE:COL` for an error position (a byte offset), or nothing.
fn position(sql: &str, at: Option<usize>) -> String {
    let Some(at) = at else { return String::new() };
    let mut at = at.min(sql.len());
    while !sql.is_char_boundary(at) {
        at -= 1;
    }
    let before = &sql[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(" (at {line}:{col})")
}
