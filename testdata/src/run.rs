//! Running a parsed `.slt` file against a [`Database`].

use std::fmt;
use std::path::PathBuf;

use crate::slt::{ExpectedError, Record, RecordKind, SltFile, SortMode, encode_row};
use crate::{Database, DbError, Output, Vars, substitute_vars};

/// One record whose outcome differs from its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub path: PathBuf,
    /// 1-based line of the record's directive.
    pub line: usize,
    /// The SQL as run (variables substituted).
    pub sql: String,
    /// The expectation, written as in the file.
    pub expected: String,
    /// The outcome, written as it would be recorded.
    pub actual: String,
}

/// Every mismatching record of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub path: PathBuf,
    /// How many records ran.
    pub records_run: usize,
    pub mismatches: Vec<Mismatch>,
    /// Set when the run stopped early (the connection was lost).
    pub aborted: Option<String>,
}

impl std::error::Error for Failure {}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} of {} records failed", self.path.display(), self.mismatches.len(), self.records_run)?;
        for m in &self.mismatches {
            writeln!(f)?;
            write!(f, "{m}")?;
        }
        if let Some(reason) = &self.aborted {
            writeln!(f)?;
            writeln!(f, "{}: run aborted: {reason}", self.path.display())?;
        }
        Ok(())
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:{}: mismatch", self.path.display(), self.line)?;
        for l in self.sql.lines() {
            writeln!(f, "    {l}")?;
        }
        writeln!(f, "--- expected")?;
        writeln!(f, "+++ actual")?;
        for line in diff_lines(&self.expected, &self.actual) {
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// Runs every record of `file` against `db`, in order, until the end or a
/// `halt`. Returns every mismatch, not just the first.
pub fn run_file(file: &SltFile, db: &mut dyn Database, vars: &Vars) -> Result<(), Failure> {
    let mut failure = Failure { path: file.path.clone(), records_run: 0, mismatches: Vec::new(), aborted: None };
    for record in file.records() {
        if record.kind == RecordKind::Halt {
            break;
        }
        failure.records_run += 1;
        let sql = match substitute_vars(&record.sql, vars) {
            Ok(sql) => sql,
            Err(e) => {
                failure.mismatches.push(Mismatch {
                    path: file.path.clone(),
                    line: record.line,
                    sql: record.sql.clone(),
                    expected: record.to_text(),
                    actual: e,
                });
                continue;
            }
        };
        let result = db.run(&sql);
        if let Some(actual) = check(record, &result) {
            failure.mismatches.push(Mismatch { path: file.path.clone(), line: record.line, sql, expected: expectation_text(record), actual });
        }
        if let Err(e) = &result
            && e.is_client_error()
        {
            failure.aborted = Some(e.to_string());
            break;
        }
    }
    if failure.mismatches.is_empty() && failure.aborted.is_none() { Ok(()) } else { Err(failure) }
}

/// The expectation part of a record, as written in the file (without SQL).
fn expectation_text(record: &Record) -> String {
    let mut s = record.directive();
    if let RecordKind::Query { rows: Some(rows), .. } = &record.kind {
        s.push_str("\n----");
        for row in rows {
            s.push('\n');
            s.push_str(&encode_row(row));
        }
    }
    s
}

/// How an outcome reads when written like an expectation.
fn outcome_text(result: &Result<Output, DbError>, sort: Option<SortMode>) -> String {
    match result {
        Err(e) if e.is_client_error() => format!("client error: {}", e.message),
        Err(e) => RecordKind::StatementError(Some(ExpectedError { sqlstate: e.sqlstate.clone(), message: e.message.clone() })).directive_text(),
        Ok(Output::Command { tag }) => format!("(command: {tag})"),
        Ok(Output::Rows { types, rows }) => {
            let mut rows = rows.clone();
            if sort == Some(SortMode::RowSort) {
                sort_rows(&mut rows);
            }
            expectation_text(&Record { line: 0, kind: RecordKind::Query { types: Some(types.clone()), sort, rows: Some(rows) }, sql: String::new() })
        }
    }
}

impl RecordKind {
    fn directive_text(self) -> String {
        Record { line: 0, kind: self, sql: String::new() }.directive()
    }
}

/// Sorts rows bytewise on their encoded lines.
pub(crate) fn sort_rows(rows: &mut [Vec<Option<String>>]) {
    rows.sort_by_cached_key(|r| encode_row(r));
}

/// Compares one outcome with its record; `Some(actual text)` on mismatch.
fn check(record: &Record, result: &Result<Output, DbError>) -> Option<String> {
    match &record.kind {
        RecordKind::Halt => None,
        RecordKind::StatementOk => match result {
            Ok(_) => None,
            Err(_) => Some(outcome_text(result, None)),
        },
        RecordKind::StatementCount(None) | RecordKind::StatementError(None) => {
            Some(format!("(the record has no expectation yet: record it with oa-record)\n{}", outcome_text(result, None)))
        }
        RecordKind::StatementCount(Some(n)) => match result {
            Ok(out) => match out.row_count() {
                Some(c) if c == *n => None,
                Some(c) => Some(format!("statement count {c}")),
                None => Some(format!("{} (no row count)", outcome_text(result, None))),
            },
            Err(_) => Some(outcome_text(result, None)),
        },
        RecordKind::StatementError(Some(want)) => match result {
            Err(e) if e.sqlstate == want.sqlstate && e.message == want.message => None,
            Ok(out) => Some(format!(
                "(statement succeeded) {}",
                match out {
                    Output::Command { tag } => format!("command: {tag}"),
                    Output::Rows { rows, .. } => format!("{} rows", rows.len()),
                }
            )),
            Err(_) => Some(outcome_text(result, None)),
        },
        RecordKind::Query { types, sort, rows } => {
            let (Some(want_types), Some(want_rows)) = (types, rows) else {
                return Some(format!("(the record has no expectation yet: record it with oa-record)\n{}", outcome_text(result, *sort)));
            };
            match result {
                Ok(Output::Rows { types: got_types, rows: got_rows }) => {
                    let same = got_types == want_types
                        && if *sort == Some(SortMode::RowSort) {
                            let mut a = want_rows.clone();
                            let mut b = got_rows.clone();
                            sort_rows(&mut a);
                            sort_rows(&mut b);
                            a == b
                        } else {
                            got_rows == want_rows
                        };
                    if same { None } else { Some(outcome_text(result, *sort)) }
                }
                _ => Some(outcome_text(result, *sort)),
            }
        }
    }
}

/// Maximum number of lines of a diff shown for one record.
const MAX_DIFF_LINES: usize = 200;

/// A line diff of two texts: common lines prefixed with a space, removed
/// with `-`, added with `+`. Long unchanged stretches are elided.
pub fn diff_lines(expected: &str, actual: &str) -> Vec<String> {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);

    let mut ops: Vec<(char, &str)> = Vec::new();
    for l in &a[..prefix] {
        ops.push((' ', l));
    }
    if am.len().saturating_mul(bm.len()) <= 4_000_000 {
        // LCS table over the differing middle.
        let (n, m) = (am.len(), bm.len());
        let mut t = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                t[i * (m + 1) + j] =
                    if am[i] == bm[j] { t[(i + 1) * (m + 1) + j + 1] + 1 } else { t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1]) };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push((' ', am[i]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
                ops.push(('-', am[i]));
                i += 1;
            } else {
                ops.push(('+', bm[j]));
                j += 1;
            }
        }
    } else {
        ops.extend(am.iter().map(|l| ('-', *l)));
        ops.extend(bm.iter().map(|l| ('+', *l)));
    }
    for l in &a[a.len() - suffix..] {
        ops.push((' ', l));
    }

    // Keep changes with 3 lines of context; elide the rest.
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut out = Vec::new();
    let mut last_shown: Option<usize> = None;
    for (k, (tag, line)) in ops.iter().enumerate() {
        let near = changed.iter().any(|&c| k + CONTEXT >= c && k <= c + CONTEXT);
        if !near {
            continue;
        }
        if last_shown.is_some_and(|l| l + 1 < k) || (last_shown.is_none() && k > 0) {
            out.push("  ...".to_string());
        }
        out.push(format!("{tag}{line}"));
        last_shown = Some(k);
        if out.len() >= MAX_DIFF_LINES {
            out.push(format!("  ... ({} more diff lines)", ops.len() - k - 1));
            return out;
        }
    }
    if last_shown.is_some_and(|l| l + 1 < ops.len()) {
        out.push("  ...".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_file;
    use std::collections::VecDeque;

    /// A fake database that answers from a script.
    pub(crate) struct Scripted(pub VecDeque<Result<Output, DbError>>, pub Vec<String>);

    impl Database for Scripted {
        fn run(&mut self, sql: &str) -> Result<Output, DbError> {
            self.1.push(sql.to_string());
            self.0.pop_front().unwrap_or_else(|| Err(DbError::client("script exhausted")))
        }
    }

    fn rows(types: &[&str], rows: &[&[Option<&str>]]) -> Result<Output, DbError> {
        Ok(Output::Rows {
            types: types.iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().map(|r| r.iter().map(|v| v.map(str::to_string)).collect()).collect(),
        })
    }

    fn cmd(tag: &str) -> Result<Output, DbError> {
        Ok(Output::Command { tag: tag.into() })
    }

    fn err(state: &str, msg: &str) -> Result<Output, DbError> {
        Err(DbError { sqlstate: state.into(), message: msg.into() })
    }

    const FILE: &str = "\
statement ok
CREATE TABLE t (a int, b text)

statement count 2
INSERT INTO t VALUES (1, 'x'), (2, NULL)

statement error 42P01 relation \"nope\" does not exist
SELECT * FROM nope

query int4,text rowsort
SELECT * FROM t
----
1\tx
2\t\\N

query int4,text
SELECT * FROM t ORDER BY a
----
1\tx
2\t\\N

statement ok
COPY t FROM '${DIR}/t.csv'

halt

statement ok
never run
";

    #[test]
    fn passing_run() {
        let file = parse_file("ok.slt", FILE).unwrap();
        let mut db = Scripted(
            vec![
                cmd("CREATE TABLE"),
                cmd("INSERT 0 2"),
                err("42P01", "relation \"nope\" does not exist"),
                rows(&["int4", "text"], &[&[Some("2"), None], &[Some("1"), Some("x")]]),
                rows(&["int4", "text"], &[&[Some("1"), Some("x")], &[Some("2"), None]]),
                cmd("COPY 2"),
            ]
            .into(),
            vec![],
        );
        let mut vars = Vars::new();
        vars.insert("DIR".into(), "/d".into());
        run_file(&file, &mut db, &vars).unwrap();
        assert_eq!(db.1.len(), 6);
        assert_eq!(db.1[5], "COPY t FROM '/d/t.csv'");
    }

    #[test]
    fn failing_run_reports_every_mismatch() {
        let file = parse_file("bad.slt", FILE).unwrap();
        let mut db = Scripted(
            vec![
                err("42601", "syntax error at or near \"TABLE\""),
                cmd("INSERT 0 3"),
                cmd("SELECT 0"),
                rows(&["int4", "text"], &[&[Some("2"), None], &[Some("1"), Some("y")]]),
                // Right rows, wrong order, and no rowsort.
                rows(&["int4", "text"], &[&[Some("2"), None], &[Some("1"), Some("x")]]),
                cmd("COPY 2"),
            ]
            .into(),
            vec![],
        );
        let mut vars = Vars::new();
        vars.insert("DIR".into(), "/d".into());
        let f = run_file(&file, &mut db, &vars).unwrap_err();
        let lines: Vec<usize> = f.mismatches.iter().map(|m| m.line).collect();
        assert_eq!(lines, vec![1, 4, 7, 10, 16]);
        let text = f.to_string();
        assert!(text.starts_with("bad.slt: 5 of 6 records failed"), "{text}");
        assert!(text.contains("bad.slt:1: mismatch"), "{text}");
        assert!(text.contains("+statement error 42601 syntax error at or near \"TABLE\""), "{text}");
        assert!(text.contains("-statement count 2\n+statement count 3"), "{text}");
        assert!(text.contains("+(statement succeeded) command: SELECT 0"), "{text}");
        // rowsort: the actual rows are shown sorted, so only the changed row differs.
        assert!(text.contains(" 2\t\\N\n-1\tx\n+1\ty") || text.contains("-1\tx\n+1\ty"), "{text}");
    }

    #[test]
    fn missing_variable_and_client_errors() {
        let file = parse_file("v.slt", FILE).unwrap();
        let mut db = Scripted(vec![cmd("CREATE TABLE"), Err(DbError::client("connection lost"))].into(), vec![]);
        let f = run_file(&file, &mut db, &Vars::new()).unwrap_err();
        assert_eq!(f.mismatches.len(), 1);
        assert_eq!(f.aborted.as_deref(), Some("client error: connection lost"));
    }

    #[test]
    fn unrecorded_records_fail() {
        let file = parse_file("u.slt", "query\nSELECT 1\n\nstatement error\nSELECT 1/0\n").unwrap();
        let mut db = Scripted(vec![rows(&["int4"], &[&[Some("1")]]), err("22012", "division by zero")].into(), vec![]);
        let f = run_file(&file, &mut db, &Vars::new()).unwrap_err();
        assert_eq!(f.mismatches.len(), 2);
        assert!(f.to_string().contains("no expectation yet"));
    }

    #[test]
    fn statement_count_of_rows_and_tags() {
        let file =
            parse_file("c.slt", "statement count 2\nINSERT INTO t VALUES (1), (2) RETURNING a\n\nstatement count 0\nCREATE TABLE u ()\n").unwrap();
        let mut db = Scripted(vec![rows(&["int4"], &[&[Some("1")], &[Some("2")]]), cmd("CREATE TABLE")].into(), vec![]);
        let f = run_file(&file, &mut db, &Vars::new()).unwrap_err();
        assert_eq!(f.mismatches.len(), 1);
        assert_eq!(f.mismatches[0].line, 4);
        assert!(f.mismatches[0].actual.contains("no row count"));
    }

    #[test]
    fn diff_shape() {
        let d = diff_lines("a\nb\nc\nd", "a\nb\nx\nd");
        assert_eq!(d, vec![" a", " b", "-c", "+x", " d"]);
        let a: String = (0..100).map(|i| format!("{i}\n")).collect();
        let b = a.replace("50\n", "fifty\n");
        let d = diff_lines(&a, &b);
        assert_eq!(d.first().unwrap(), "  ...");
        assert!(d.contains(&"-50".to_string()) && d.contains(&"+fifty".to_string()));
        assert_eq!(d.len(), 1 + 3 + 2 + 3 + 1);
    }
}
