//! Recording: filling in a file's expectations from a database.

use std::fmt;
use std::path::PathBuf;

use crate::run::sort_rows;
use crate::slt::{ExpectedError, Item, RecordKind, SltFile, SortMode, type_name_is_writable};
use crate::sqlscan::has_top_level_order_by;
use crate::{Database, Output, Vars, substitute_vars};

/// One record that could not be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub line: usize,
    pub sql: String,
    pub message: String,
}

/// Why a file could not be recorded: every problem, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub path: PathBuf,
    pub problems: Vec<RecordProblem>,
}

impl std::error::Error for RecordError {}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} record(s) could not be recorded", self.path.display(), self.problems.len())?;
        for p in &self.problems {
            writeln!(f, "{}:{}: {}", self.path.display(), p.line, p.message)?;
            for l in p.sql.lines() {
                writeln!(f, "    {l}")?;
            }
        }
        Ok(())
    }
}

/// Runs every record of `file` against `db` (PostgreSQL) and returns the
/// file's text with the expectations filled in from what it answered:
///
/// * `query`: types and rows; the author's sort mode is kept, otherwise
///   `rowsort` is added when the SQL has no top-level `ORDER BY` and the
///   result has more than one row;
/// * `statement error`: SQLSTATE and message; success is a problem;
/// * `statement ok`: failure is a problem (never turned into an error record);
/// * `statement count`: the row count of the command tag.
///
/// Comments, blank lines and the SQL text are kept as they are. Records after
/// `halt` are not run and are kept as they are.
pub fn record_file(file: &SltFile, db: &mut dyn Database, vars: &Vars) -> Result<String, RecordError> {
    let mut out = file.clone();
    let mut problems = Vec::new();
    let mut halted = false;
    for item in &mut out.items {
        let Item::Record(record) = item else { continue };
        if halted {
            continue;
        }
        if record.kind == RecordKind::Halt {
            halted = true;
            continue;
        }
        let mut problem = |message: String| problems.push(RecordProblem { line: record.line, sql: record.sql.clone(), message });
        let sql = match substitute_vars(&record.sql, vars) {
            Ok(s) => s,
            Err(e) => {
                problem(e);
                continue;
            }
        };
        let result = db.run(&sql);
        if let Err(e) = &result
            && e.is_client_error()
        {
            problem(format!("{e}; recording stopped"));
            break;
        }
        match (&mut record.kind, result) {
            (RecordKind::Halt, _) => unreachable!("handled above"),
            (RecordKind::StatementOk, Ok(_)) => {}
            (RecordKind::StatementOk, Err(e)) => {
                problem(format!("statement ok failed in PostgreSQL with {e} (write `statement error` if the error is what you want to test)"))
            }
            (RecordKind::StatementCount(n), Ok(out)) => match out.row_count() {
                Some(c) => *n = Some(c),
                None => problem(format!("statement count: PostgreSQL reported no row count ({})", describe(&out))),
            },
            (RecordKind::StatementCount(_), Err(e)) => problem(format!("statement count failed in PostgreSQL with {e}")),
            (RecordKind::StatementError(_), Ok(out)) => problem(format!(
                "statement error succeeded in PostgreSQL ({}); write `statement ok` if success is what you want to test",
                describe(&out)
            )),
            (RecordKind::StatementError(expected), Err(e)) => {
                *expected = Some(ExpectedError { sqlstate: e.sqlstate, message: e.message });
            }
            (RecordKind::Query { .. }, Err(e)) => problem(format!("query failed in PostgreSQL with {e}")),
            (RecordKind::Query { .. }, Ok(Output::Command { tag })) => {
                problem(format!("query returned no rows description (command {tag:?}); use a statement record"))
            }
            (RecordKind::Query { types, sort, rows }, Ok(Output::Rows { types: got_types, rows: mut got_rows })) => {
                if let Some(bad) = got_types.iter().find(|t| !type_name_is_writable(t)) {
                    problem(format!("result column type {bad:?} cannot be written in a query directive"));
                    continue;
                }
                if sort.is_none() && got_rows.len() > 1 && !has_top_level_order_by(&sql) {
                    *sort = Some(SortMode::RowSort);
                }
                if *sort == Some(SortMode::RowSort) {
                    sort_rows(&mut got_rows);
                }
                *types = Some(got_types);
                *rows = Some(got_rows);
            }
        }
    }
    if problems.is_empty() { Ok(out.to_string()) } else { Err(RecordError { path: file.path.clone(), problems }) }
}

fn describe(out: &Output) -> String {
    match out {
        Output::Command { tag } => format!("command tag {tag:?}"),
        Output::Rows { rows, .. } => format!("{} row(s)", rows.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DbError, parse_file, run_file};
    use std::collections::BTreeMap;

    /// A fake database answering by SQL text.
    struct Fake(BTreeMap<&'static str, Result<Output, DbError>>);

    impl Database for Fake {
        fn run(&mut self, sql: &str) -> Result<Output, DbError> {
            self.0.get(sql).cloned().unwrap_or_else(|| Err(DbError::client(format!("unexpected SQL {sql:?}"))))
        }
    }

    fn rows(types: &[&str], rows: &[&[Option<&str>]]) -> Result<Output, DbError> {
        Ok(Output::Rows {
            types: types.iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().map(|r| r.iter().map(|v| v.map(str::to_string)).collect()).collect(),
        })
    }

    fn fake() -> Fake {
        let mut m = BTreeMap::new();
        m.insert("CREATE TABLE t (a int)", Ok(Output::Command { tag: "CREATE TABLE".into() }));
        m.insert("INSERT INTO t VALUES (2), (1)", Ok(Output::Command { tag: "INSERT 0 2".into() }));
        m.insert("SELECT a FROM t", rows(&["int4"], &[&[Some("2")], &[Some("1")]]));
        m.insert("SELECT a FROM t ORDER BY a DESC", rows(&["int4"], &[&[Some("2")], &[Some("1")]]));
        m.insert("SELECT 1", rows(&["int4"], &[&[Some("1")]]));
        m.insert("SELECT ''", rows(&["text"], &[&[Some("")]]));
        m.insert("SELECT 1/0", Err(DbError { sqlstate: "22012".into(), message: "division by zero".into() }));
        m.insert("CREATE TABLE x ()", Ok(Output::Command { tag: "CREATE TABLE".into() }));
        m.insert("SELECT a FROM t WHERE false", rows(&["int4"], &[]));
        m.insert("SELECT 'x' AS \"a b\"", rows(&["my type"], &[&[Some("x")]]));
        Fake(m)
    }

    const AUTHOR: &str = "\
# written by hand: no expectations yet
statement ok
CREATE TABLE t (a int)

statement count
INSERT INTO t VALUES (2), (1)


# unordered, more than one row: rowsort is added
query
SELECT a FROM t

# ordered: no sort mode
query
SELECT a FROM t ORDER BY a DESC

# one row: no sort mode
query
SELECT 1

# stale types are replaced, the author's sort mode is kept
query int8 rowsort
SELECT 1

# the author's nosort is kept even without ORDER BY
query nosort
SELECT a FROM t

query
SELECT ''

query
SELECT a FROM t WHERE false

statement error
SELECT 1/0

statement error 22012 stale message
SELECT 1/0

halt

query
not run
";

    const RECORDED: &str = "\
# written by hand: no expectations yet
statement ok
CREATE TABLE t (a int)

statement count 2
INSERT INTO t VALUES (2), (1)


# unordered, more than one row: rowsort is added
query int4 rowsort
SELECT a FROM t
----
1
2

# ordered: no sort mode
query int4
SELECT a FROM t ORDER BY a DESC
----
2
1

# one row: no sort mode
query int4
SELECT 1
----
1

# stale types are replaced, the author's sort mode is kept
query int4 rowsort
SELECT 1
----
1

# the author's nosort is kept even without ORDER BY
query int4 nosort
SELECT a FROM t
----
2
1

query text
SELECT ''
----
(empty)

query int4
SELECT a FROM t WHERE false
----

statement error 22012 division by zero
SELECT 1/0

statement error 22012 division by zero
SELECT 1/0

halt

query
not run
";

    #[test]
    fn records_expectations_and_keeps_layout() {
        let file = parse_file("a.slt", AUTHOR).unwrap();
        let text = record_file(&file, &mut fake(), &Vars::new()).unwrap();
        assert_eq!(text, RECORDED);
        // Recording is idempotent...
        let again = record_file(&parse_file("a.slt", &text).unwrap(), &mut fake(), &Vars::new()).unwrap();
        assert_eq!(again, RECORDED);
        // ...and what was recorded runs clean against the same database.
        run_file(&parse_file("a.slt", &text).unwrap(), &mut fake(), &Vars::new()).unwrap();
    }

    fn problems(text: &str) -> Vec<String> {
        let file = parse_file("p.slt", text).unwrap();
        record_file(&file, &mut fake(), &Vars::new()).unwrap_err().problems.into_iter().map(|p| format!("{}: {}", p.line, p.message)).collect()
    }

    #[test]
    fn statement_ok_that_fails_is_not_flipped() {
        let p = problems("statement ok\nSELECT 1/0\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("1: statement ok failed in PostgreSQL with 22012: division by zero"), "{p:?}");
    }

    #[test]
    fn statement_error_that_succeeds_is_not_flipped() {
        let p = problems("statement error\nSELECT 1\n\nstatement error 22012 division by zero\nCREATE TABLE t (a int)\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("1: statement error succeeded"), "{p:?}");
        assert!(p[1].starts_with("4: statement error succeeded"), "{p:?}");
    }

    #[test]
    fn other_problems_are_all_reported() {
        let p = problems(
            "query\nSELECT 1/0\n\nquery\nCREATE TABLE x ()\n\nstatement count\nCREATE TABLE x ()\n\nquery\nSELECT 'x' AS \"a b\"\n\nstatement ok\nSELECT ${NOPE}\n\nstatement ok\nSELECT 2\n\nstatement ok\nSELECT 1\n",
        );
        assert_eq!(p.len(), 6, "{p:?}");
        assert!(p[0].starts_with("1: query failed"));
        assert!(p[1].starts_with("4: query returned no rows description"));
        assert!(p[2].starts_with("7: statement count: PostgreSQL reported no row count"));
        assert!(p[3].contains("cannot be written"));
        assert!(p[4].contains("undefined variable ${NOPE}"));
        assert!(p[5].starts_with("16: client error: unexpected SQL") && p[5].ends_with("recording stopped"));
    }

    #[test]
    fn statement_ok_may_return_rows() {
        let file = parse_file("r.slt", "statement ok\nSELECT a FROM t\n").unwrap();
        assert_eq!(record_file(&file, &mut fake(), &Vars::new()).unwrap(), "statement ok\nSELECT a FROM t\n");
    }
}
