//! sqllogictest harness and recorder: SQL tests recorded from PostgreSQL 15.
//!
//! The `.slt` dialect is described in `testdata/README.md`. In short: a file
//! is a sequence of records (`statement ok`, `statement count N`,
//! `statement error SQLSTATE message`, `query TYPES [rowsort|nosort]`, `halt`)
//! separated by blank lines, with `#` comment lines between records.
//!
//! * [`parse_file`] reads a file into an [`SltFile`] (strictly: every problem
//!   is an error naming the file and line).
//! * [`run_file`] runs it against any [`Database`] and reports every
//!   mismatching record.
//! * [`record_file`] fills in the expectations from a database (PostgreSQL,
//!   through [`pg::PgDatabase`]) and returns the new file text.
//! * [`tpch::generate`] writes the TPC-H tables as CSV for `COPY`.
//! * [`wasm::WasmDb`] is the browser build (through Node) as a [`Database`].
//! * [`regress`] splits PostgreSQL's regression suite into statements with
//!   PostgreSQL's verdict on each (for the grammar ratchet).

pub mod pg;
mod record;
pub mod regress;
mod run;
mod slt;
pub mod sqlscan;
pub mod tpch;
pub mod wasm;

use std::collections::BTreeMap;
use std::fmt;

pub use record::{RecordError, RecordProblem, record_file};
pub use run::{Failure, Mismatch, diff_lines, run_file};
pub use slt::{ParseError, Record, RecordKind, SltFile, SortMode, decode_field, encode_field, parse_file};

/// The session settings every runner applies (in this order, one statement
/// each) on a fresh connection before running a file, so that PostgreSQL's
/// text output is reproducible. The recorder applies them to PostgreSQL; the
/// harness applies them to whatever [`Database`] it runs, OpenAssay included.
pub const SESSION_SETTINGS: &[&str] =
    &["SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'", "SET extra_float_digits = 1"];

/// The variable that holds the directory of the TPC-H CSV files.
pub const TPCH_DIR_VAR: &str = "TPCH_DIR";

/// Variables substituted as `${NAME}` in the SQL of every record.
pub type Vars = BTreeMap<String, String>;

/// A database that the harness can run `.slt` files against.
pub trait Database {
    /// Runs one SQL statement (the text of one record).
    fn run(&mut self, sql: &str) -> Result<Output, DbError>;
}

/// What a successful statement produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A statement that returns rows (even zero rows): the result column
    /// types as `pg_type.typname` and the values in PostgreSQL's text output
    /// format (`None` is SQL NULL).
    Rows { types: Vec<String>, rows: Vec<Vec<Option<String>>> },
    /// A statement that returns no rows, with its command tag, e.g.
    /// `"INSERT 0 3"` or `"CREATE TABLE"`.
    Command { tag: String },
}

impl Output {
    /// The row count the statement reports: the number of rows for
    /// [`Output::Rows`], the trailing number of the command tag for
    /// [`Output::Command`] (`None` for tags without one, like `CREATE TABLE`).
    pub fn row_count(&self) -> Option<u64> {
        match self {
            Output::Rows { rows, .. } => Some(rows.len() as u64),
            Output::Command { tag } => tag_row_count(tag),
        }
    }
}

/// The row count at the end of a command tag: `"INSERT 0 3"` → 3,
/// `"SELECT 5"` → 5, `"CREATE TABLE"` → `None`.
pub fn tag_row_count(tag: &str) -> Option<u64> {
    let mut words = tag.split(' ');
    let _command = words.next()?;
    words.next_back()?.parse().ok()
}

/// A failed statement: the SQLSTATE and the primary message, exactly as
/// PostgreSQL reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    /// Five characters for an error the server reported; empty for an error
    /// on the client side (connection lost, protocol error, unsupported
    /// statement), which never matches an expectation and is never recorded.
    pub sqlstate: String,
    pub message: String,
}

impl DbError {
    /// An error raised on the client side, not by the database.
    pub fn client(message: impl Into<String>) -> DbError {
        DbError { sqlstate: String::new(), message: message.into() }
    }

    /// Whether this is a client-side error (see [`DbError::sqlstate`]).
    pub fn is_client_error(&self) -> bool {
        self.sqlstate.is_empty()
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_client_error() { write!(f, "client error: {}", self.message) } else { write!(f, "{}: {}", self.sqlstate, self.message) }
    }
}

impl std::error::Error for DbError {}

/// Substitutes `${NAME}` in `sql` from `vars`. A `${NAME}` whose NAME is an
/// identifier but not a variable is an error; `$` followed by anything else
/// is left alone (dollar quotes, `$1` parameters).
pub fn substitute_vars(sql: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(pos) = rest.find("${") {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let name_len = after
            .char_indices()
            .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
            .map_or(after.len(), |(i, _)| i);
        if name_len > 0 && after[name_len..].starts_with('}') {
            let name = &after[..name_len];
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => return Err(format!("undefined variable ${{{name}}}")),
            }
            rest = &after[name_len + 1..];
        } else {
            out.push_str("${");
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_counts() {
        assert_eq!(tag_row_count("INSERT 0 3"), Some(3));
        assert_eq!(tag_row_count("SELECT 5"), Some(5));
        assert_eq!(tag_row_count("UPDATE 0"), Some(0));
        assert_eq!(tag_row_count("COPY 25"), Some(25));
        assert_eq!(tag_row_count("CREATE TABLE"), None);
        assert_eq!(tag_row_count("BEGIN"), None);
        assert_eq!(tag_row_count(""), None);
    }

    #[test]
    fn vars_substitution() {
        let mut vars = Vars::new();
        vars.insert("TPCH_DIR".into(), "/tmp/x".into());
        assert_eq!(substitute_vars("COPY t FROM '${TPCH_DIR}/t.csv'", &vars).unwrap(), "COPY t FROM '/tmp/x/t.csv'");
        assert_eq!(substitute_vars("SELECT $1, $$a$$, ${, ${1}, $", &vars).unwrap(), "SELECT $1, $$a$$, ${, ${1}, $");
        assert!(substitute_vars("x ${NOPE} y", &vars).unwrap_err().contains("NOPE"));
    }
}
