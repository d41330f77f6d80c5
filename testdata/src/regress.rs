//! PostgreSQL's regression suite split into statements, each with
//! PostgreSQL's verdict on whether its grammar accepts it (for the grammar
//! ratchet).
//!
//! The suite (`sql/*.sql`, `expected/*.out`) is what `pg_regress` runs with
//! `psql -X -a -q`. This module replays what psql 15 does with each file:
//!
//! * its lexer (`psqlscan.l`): a semicolon ends a statement except inside
//!   quotes (`'...'`, `E'...'` with backslash escapes, `'...'` with
//!   backslash escapes while `standard_conforming_strings` is off, `B''`,
//!   `X''`, `U&''`), double quotes, dollar quotes, `/* nested */` and `--`
//!   comments, parentheses (not brackets), and `BEGIN ... END` bodies of
//!   `CREATE [OR REPLACE] FUNCTION|PROCEDURE`; `--` comments and whitespace
//!   before a statement are not sent, those inside it are; blank lines are
//!   dropped;
//! * its variables (`:name`, `:'name'`, `:"name"`, `:{?name}`) as set by
//!   `\set`, `\getenv` (with the environment `pg_regress.py` gives) and
//!   `\gset` (whose values are unknown: statements that use them are marked
//!   not [`RegressStatement::exact`]);
//! * its backslash commands: skipped, except that `\g`, `\gx`, `\gset`,
//!   `\gexec`, `\gdesc` and `\crosstabview` send the statement before them,
//!   `\r` discards it, `\;` puts a semicolon in the statement without ending
//!   it (psql then sends the statements together as one query string, and so
//!   does this module), `\if`/`\elif`/`\else`/`\endif` skip statements in
//!   inactive branches (`\if :var` with an unknown value counts as false),
//!   `\q` ends the file, `\set ECHO none` stops the echo;
//! * `COPY ... FROM STDIN` and `\copy ... from stdin` followed by inline data
//!   up to `\.`, which is skipped when PostgreSQL started the copy.
//!
//! The verdicts come from `expected/<file>.out`: psql's echo of every input
//! line (`-a`; blank lines outside quotes are not echoed) is followed by the
//! output of what ran. A statement is rejected by the grammar when its output
//! has an `ERROR:  syntax error ...` that belongs to the statement itself:
//! not one with a `QUERY:` or `CONTEXT:` (an internal query: PL/pgSQL,
//! dynamic SQL), and not one whose position lies inside a string literal or
//! dollar-quoted body of the statement (a function body checked when the
//! function is created), nor one whose `LINE n:` text is not the
//! statement's. Any other outcome, including other errors, counts as
//! accepted by the grammar.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::sqlscan::literal_spans;

/// One statement psql sends to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegressStatement {
    /// The test's name: the file name without `.sql`.
    pub file: String,
    /// 1-based line of `sql/<file>.sql` where the statement text starts.
    pub line: usize,
    /// The text as psql sends it (several statements when joined with `\;`).
    pub sql: String,
    /// Whether PostgreSQL's grammar accepted it (see the module docs).
    pub pg_accepts: bool,
    /// The first error PostgreSQL reported for it (the `ERROR:` line
    /// without `ERROR:  `), if any.
    pub pg_error: Option<String>,
    /// False when the text depends on a psql variable whose value this
    /// module cannot know (set by `\gset` or a backtick command); such a
    /// statement's text is not what PostgreSQL saw.
    pub exact: bool,
    /// The session's `standard_conforming_strings` when it was sent: when
    /// off, backslashes escape in plain `'...'` literals (lex accordingly).
    pub std_strings: bool,
}

/// The statements of one file, and anything that could not be matched
/// between the file and its expected output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSplit {
    pub file: String,
    pub statements: Vec<RegressStatement>,
    /// Alignment problems with the expected output (none for the suite as
    /// shipped with PostgreSQL 15.18).
    pub problems: Vec<String>,
}

/// The suite beside the repository: `../../shared/pg_regress` relative to
/// this crate.
pub fn default_suite_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/pg_regress");
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// The environment `pg_regress.py` gives psql, for `\getenv`.
fn regress_env(suite_dir: &Path) -> HashMap<String, String> {
    let out = "/tmp/pg_regress_out";
    HashMap::from([
        ("PG_ABS_SRCDIR".to_string(), suite_dir.display().to_string()),
        ("PG_ABS_BUILDDIR".to_string(), out.to_string()),
        ("PG_LIBDIR".to_string(), format!("{out}/nolib")),
        ("PG_DLSUFFIX".to_string(), ".so".to_string()),
    ])
}

/// Every statement of every `sql/*.sql` file of the suite (files in name
/// order), with PostgreSQL's verdicts from `expected/*.out`.
pub fn statements(suite_dir: &Path) -> io::Result<Vec<RegressStatement>> {
    Ok(split_suite(suite_dir)?.into_iter().flat_map(|f| f.statements).collect())
}

/// Like [`statements`], per file and with the alignment problems.
pub fn split_suite(suite_dir: &Path) -> io::Result<Vec<FileSplit>> {
    let sql_dir = suite_dir.join("sql");
    let mut names: Vec<String> = std::fs::read_dir(&sql_dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".sql").map(str::to_string)
        })
        .collect();
    names.sort();
    let env = regress_env(suite_dir);
    let mut splits = Vec::with_capacity(names.len());
    for name in names {
        let sql = read_lossy(&sql_dir.join(format!("{name}.sql")))?;
        let expected = match read_lossy(&suite_dir.join("expected").join(format!("{name}.out"))) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        splits.push(split_file(&name, &sql, expected.as_deref(), &env));
    }
    Ok(splits)
}

fn read_lossy(path: &Path) -> io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Splits one file. Without `expected`, every statement counts as accepted
/// and every `COPY ... FROM STDIN` as started.
pub fn split_file(name: &str, sql: &str, expected: Option<&str>, env: &HashMap<String, String>) -> FileSplit {
    let mut sim = Sim::new(name, sql, expected, env);
    sim.run();
    FileSplit { file: name.to_string(), statements: sim.statements, problems: sim.problems }
}

// ---------------------------------------------------------------------------
// psql's lexer (psqlscan.l), for the SQL part of the input.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Initial,
    /// bit string `B'...'`
    Xb,
    /// C-style comment
    Xc,
    /// double-quoted identifier
    Xd,
    /// hex string `X'...'`
    Xh,
    /// standard quoted string
    Xq,
    /// after a closing quote (psql never sees a continuation: it lexes
    /// line by line)
    Xqs,
    /// extended quoted string (backslash escapes)
    Xe,
    /// dollar-quoted string
    Xdolq,
    /// `U&"..."`
    Xui,
    /// `U&'...'`
    Xus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScanResult {
    /// A statement-ending semicolon (appended to the buffer).
    Semicolon,
    /// A backslash command starts (the backslash is consumed).
    Backslash,
    /// The end of the input line.
    Eol,
}

/// A psql variable.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Var {
    Known(String),
    /// Set, but to a value this module cannot know (`\gset`, backticks).
    Unknown,
}

/// The input being scanned: the line, and variable values being expanded.
struct Input {
    frames: Vec<Frame>,
}

struct Frame {
    text: String,
    pos: usize,
    /// The variable this frame expands (to refuse recursive expansion).
    var: Option<String>,
}

impl Input {
    fn new(line: &str) -> Input {
        Input { frames: vec![Frame { text: line.to_string(), pos: 0, var: None }] }
    }

    /// The rest of the current frame.
    fn rest(&self) -> &str {
        let f = self.frames.last().expect("input has a frame");
        &f.text[f.pos..]
    }

    fn advance(&mut self, n: usize) {
        self.frames.last_mut().expect("input has a frame").pos += n;
    }

    /// Pops exhausted variable frames; false at the end of the line.
    fn more(&mut self) -> bool {
        loop {
            if !self.rest().is_empty() {
                return true;
            }
            if self.frames.len() == 1 {
                return false;
            }
            self.frames.pop();
        }
    }

    /// Drops everything left on the line.
    fn finish(&mut self) {
        self.frames.truncate(1);
        let f = &mut self.frames[0];
        f.pos = f.text.len();
    }
}

struct Scanner {
    st: St,
    xcdepth: u32,
    dolqstart: String,
    paren_depth: u32,
    begin_depth: u32,
    identifier_count: usize,
    identifiers: [u8; 4],
    std_strings: bool,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn is_op_char(c: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&c)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

fn is_var_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn is_dolq_cont(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Length of the run of bytes from the start of `s` matching `f`.
fn run_len(s: &[u8], f: impl Fn(u8) -> bool) -> usize {
    s.iter().take_while(|&&c| f(c)).count()
}

/// Length of one character starting at `s[0]` (whole UTF-8 sequences).
fn char_len(s: &str) -> usize {
    s.chars().next().map_or(1, char::len_utf8)
}

/// Variable access for the scanner: substitution is off in inactive `\if`
/// branches and when scanning a statement text again.
struct VarCtx<'a> {
    vars: Option<&'a HashMap<String, Var>>,
    /// An undefined `:name` may be a variable `\gset` set under a name
    /// this module did not guess: count it as unknown.
    undefined_is_unknown: bool,
}

impl Scanner {
    fn new() -> Scanner {
        Scanner {
            st: St::Initial,
            xcdepth: 0,
            dolqstart: String::new(),
            paren_depth: 0,
            begin_depth: 0,
            identifier_count: 0,
            identifiers: [0; 4],
            std_strings: true,
        }
    }

    /// psql_scan_reset
    fn reset(&mut self) {
        self.st = St::Initial;
        self.paren_depth = 0;
        self.begin_depth = 0;
        self.xcdepth = 0;
        self.dolqstart.clear();
        self.identifier_count = 0;
    }

    /// psql_scan_in_quote
    fn in_quote(&self) -> bool {
        self.st != St::Initial && self.st != St::Xqs
    }

    /// Scans until a statement-ending semicolon, a backslash command or the
    /// end of the line, appending the statement text to `buf`. Returns
    /// whether an unknown variable was substituted.
    fn scan(&mut self, input: &mut Input, buf: &mut String, ctx: &VarCtx<'_>, unknown_var: &mut bool) -> ScanResult {
        while input.more() {
            let rest = input.rest();
            let b = rest.as_bytes();
            let c = b[0];
            match self.st {
                St::Initial => {
                    if let Some(r) = self.scan_initial(input, buf, ctx, unknown_var) {
                        return r;
                    }
                }
                St::Xc => {
                    let n = if b.starts_with(b"/*") {
                        self.xcdepth += 1;
                        2
                    } else if c == b'*' {
                        let stars = run_len(b, |c| c == b'*');
                        if b.get(stars) == Some(&b'/') {
                            if self.xcdepth == 0 {
                                self.st = St::Initial;
                            } else {
                                self.xcdepth -= 1;
                            }
                            stars + 1
                        } else {
                            stars
                        }
                    } else if c == b'/' {
                        1
                    } else {
                        run_len(b, |c| c != b'*' && c != b'/')
                    };
                    buf.push_str(&rest[..n]);
                    input.advance(n);
                }
                St::Xq | St::Xus | St::Xb | St::Xh => {
                    let n = if c == b'\'' {
                        if self.st != St::Xb && self.st != St::Xh && b.get(1) == Some(&b'\'') {
                            2
                        } else {
                            self.st = St::Xqs;
                            1
                        }
                    } else {
                        run_len(b, |c| c != b'\'')
                    };
                    buf.push_str(&rest[..n]);
                    input.advance(n);
                }
                St::Xe => {
                    let n = if c == b'\'' {
                        if b.get(1) == Some(&b'\'') {
                            2
                        } else {
                            self.st = St::Xqs;
                            1
                        }
                    } else if c == b'\\' {
                        if b.len() > 1 { 1 + char_len(&rest[1..]) } else { 1 }
                    } else {
                        run_len(b, |c| c != b'\'' && c != b'\\')
                    };
                    buf.push_str(&rest[..n]);
                    input.advance(n);
                }
                St::Xqs => {
                    // No continuation is possible within one line.
                    self.st = St::Initial;
                }
                St::Xd | St::Xui => {
                    let n = if c == b'"' {
                        if b.get(1) == Some(&b'"') {
                            2
                        } else {
                            self.st = St::Initial;
                            1
                        }
                    } else {
                        run_len(b, |c| c != b'"')
                    };
                    buf.push_str(&rest[..n]);
                    input.advance(n);
                }
                St::Xdolq => {
                    let n = if c == b'$' {
                        match dolq_delim(b) {
                            Some(len) => {
                                if rest[..len] == *self.dolqstart {
                                    self.dolqstart.clear();
                                    self.st = St::Initial;
                                    len
                                } else {
                                    // Put back the final $ for rescanning.
                                    len - 1
                                }
                            }
                            None => 1 + run_len(&b[1..], is_dolq_cont),
                        }
                    } else {
                        run_len(b, |c| c != b'$')
                    };
                    buf.push_str(&rest[..n]);
                    input.advance(n);
                }
            }
        }
        ScanResult::Eol
    }

    /// One token in the INITIAL state; `Some` when scanning stops.
    fn scan_initial(&mut self, input: &mut Input, buf: &mut String, ctx: &VarCtx<'_>, unknown_var: &mut bool) -> Option<ScanResult> {
        let rest = input.rest().to_string();
        let b = rest.as_bytes();
        let c = b[0];
        let next = b.get(1).copied();
        let emit = |buf: &mut String, input: &mut Input, n: usize| {
            buf.push_str(&rest[..n]);
            input.advance(n);
        };
        match c {
            _ if is_space(c) => {
                let n = run_len(b, is_space);
                if !buf.is_empty() {
                    emit(buf, input, n);
                } else {
                    input.advance(n);
                }
            }
            b'-' if next == Some(b'-') => {
                let n = run_len(b, |c| c != b'\n' && c != b'\r');
                if !buf.is_empty() {
                    emit(buf, input, n);
                } else {
                    input.advance(n);
                }
            }
            b'/' if next == Some(b'*') => {
                self.xcdepth = 0;
                self.st = St::Xc;
                emit(buf, input, 2);
            }
            b'b' | b'B' if next == Some(b'\'') => {
                self.st = St::Xb;
                emit(buf, input, 2);
            }
            b'x' | b'X' if next == Some(b'\'') => {
                self.st = St::Xh;
                emit(buf, input, 2);
            }
            b'n' | b'N' if next == Some(b'\'') => {
                // Eat only the n: the quote starts a normal string.
                emit(buf, input, 1);
            }
            b'e' | b'E' if next == Some(b'\'') => {
                self.st = St::Xe;
                emit(buf, input, 2);
            }
            b'u' | b'U' if next == Some(b'&') && b.get(2) == Some(&b'\'') => {
                self.st = St::Xus;
                emit(buf, input, 3);
            }
            b'u' | b'U' if next == Some(b'&') && b.get(2) == Some(&b'"') => {
                self.st = St::Xui;
                emit(buf, input, 3);
            }
            b'u' | b'U' if next == Some(b'&') => {
                // xufailed: throw back all but the u.
                emit(buf, input, 1);
            }
            b'\'' => {
                self.st = if self.std_strings { St::Xq } else { St::Xe };
                emit(buf, input, 1);
            }
            b'"' => {
                self.st = St::Xd;
                emit(buf, input, 1);
            }
            b'$' => {
                if let Some(len) = dolq_delim(b) {
                    self.dolqstart = rest[..len].to_string();
                    self.st = St::Xdolq;
                    emit(buf, input, len);
                } else if next.is_some_and(|c| c.is_ascii_digit()) {
                    emit(buf, input, 1 + run_len(&b[1..], |c| c.is_ascii_digit()));
                } else {
                    // dolqfailed or a lone $: throw back all but the $.
                    emit(buf, input, 1);
                }
            }
            b'(' => {
                self.paren_depth += 1;
                emit(buf, input, 1);
            }
            b')' => {
                self.paren_depth = self.paren_depth.saturating_sub(1);
                emit(buf, input, 1);
            }
            b';' => {
                emit(buf, input, 1);
                if self.paren_depth == 0 && self.begin_depth == 0 {
                    self.identifier_count = 0;
                    return Some(ScanResult::Semicolon);
                }
            }
            b'\\' => {
                if next == Some(b';') || next == Some(b':') {
                    // Force a semicolon or colon into the query buffer.
                    buf.push(next.unwrap_or(b';') as char);
                    input.advance(2);
                    if next == Some(b';') {
                        self.identifier_count = 0;
                    }
                } else {
                    input.advance(1);
                    return Some(ScanResult::Backslash);
                }
            }
            b':' if next == Some(b':') || next == Some(b'=') => emit(buf, input, 2),
            b':' => self.scan_variable(input, buf, ctx, unknown_var, &rest),
            _ if is_op_char(c) => {
                // An operator stops before an embedded comment start.
                let mut n = run_len(b, is_op_char);
                let op = &rest[..n];
                let cut = [op.find("/*"), op.find("--")].into_iter().flatten().min();
                if let Some(cut) = cut {
                    n = cut.max(1);
                }
                emit(buf, input, n);
            }
            _ if c.is_ascii_digit() || (c == b'.' && next.is_some_and(|c| c.is_ascii_digit())) => {
                // Numbers, with PostgreSQL 15's trailing-junk rule: letters
                // right after a number belong to the same token.
                let mut n = run_len(b, |c| c.is_ascii_digit());
                if b.get(n) == Some(&b'.') && b.get(n + 1) != Some(&b'.') {
                    n += 1;
                    n += run_len(&b[n..], |c| c.is_ascii_digit());
                }
                if matches!(b.get(n), Some(b'e' | b'E')) {
                    let mut m = n + 1;
                    if matches!(b.get(m), Some(b'+' | b'-')) {
                        m += 1;
                    }
                    if b.get(m).is_some_and(|c| c.is_ascii_digit()) {
                        n = m + run_len(&b[m..], |c| c.is_ascii_digit());
                    }
                }
                n += run_len(&b[n..], is_ident_cont);
                emit(buf, input, n);
            }
            _ if is_ident_start(c) => {
                let n = run_len(b, is_ident_cont);
                self.identifier(&rest[..n]);
                emit(buf, input, n);
            }
            _ => {
                let n = char_len(&rest);
                emit(buf, input, n);
            }
        }
        None
    }

    /// The identifier rule: tracks `CREATE [OR REPLACE] FUNCTION|PROCEDURE`
    /// so that semicolons in a `BEGIN ... END` body do not end the statement.
    fn identifier(&mut self, word: &str) {
        if self.identifier_count == 0 {
            self.identifiers = [0; 4];
        }
        let lower = word.to_ascii_lowercase();
        if ["create", "function", "procedure", "or", "replace"].contains(&lower.as_str()) && self.identifier_count < self.identifiers.len() {
            self.identifiers[self.identifier_count] = lower.as_bytes()[0];
        }
        self.identifier_count += 1;
        let ids = self.identifiers;
        if ids[0] == b'c'
            && (ids[1] == b'f' || ids[1] == b'p' || (ids[1] == b'o' && ids[2] == b'r' && (ids[3] == b'f' || ids[3] == b'p')))
            && self.paren_depth == 0
        {
            match lower.as_str() {
                "begin" => self.begin_depth += 1,
                "case" if self.begin_depth >= 1 => self.begin_depth += 1,
                "end" if self.begin_depth > 0 => self.begin_depth -= 1,
                _ => {}
            }
        }
    }

    /// `:name`, `:'name'`, `:"name"`, `:{?name}` (the input starts with `:`).
    fn scan_variable(&mut self, input: &mut Input, buf: &mut String, ctx: &VarCtx<'_>, unknown_var: &mut bool, rest: &str) {
        let b = rest.as_bytes();
        let lookup = |name: &str| ctx.vars.and_then(|v| v.get(name));
        let name_len = run_len(&b[1..], is_var_char);
        if name_len > 0 {
            let name = &rest[1..1 + name_len];
            let recursive = input.frames.iter().any(|f| f.var.as_deref() == Some(name));
            match lookup(name) {
                Some(Var::Known(value)) if !recursive => {
                    input.advance(1 + name_len);
                    input.frames.push(Frame { text: value.clone(), pos: 0, var: Some(name.to_string()) });
                }
                Some(Var::Unknown) => {
                    *unknown_var = true;
                    buf.push_str(&rest[..1 + name_len]);
                    input.advance(1 + name_len);
                }
                None if ctx.undefined_is_unknown && is_ident_start(b[1]) => {
                    *unknown_var = true;
                    buf.push_str(&rest[..1 + name_len]);
                    input.advance(1 + name_len);
                }
                _ => {
                    buf.push_str(&rest[..1 + name_len]);
                    input.advance(1 + name_len);
                }
            }
            return;
        }
        for (open, close, ident) in [(b'\'', b'\'', false), (b'"', b'"', true)] {
            if b.get(1) == Some(&open) {
                let n = run_len(&b[2..], is_var_char);
                if n > 0 && b.get(2 + n) == Some(&close) {
                    let name = &rest[2..2 + n];
                    match lookup(name) {
                        Some(Var::Known(v)) => buf.push_str(&quote(v, ident)),
                        Some(Var::Unknown) => {
                            *unknown_var = true;
                            buf.push_str(&rest[..3 + n]);
                        }
                        None => buf.push_str(&rest[..3 + n]),
                    }
                    input.advance(3 + n);
                    return;
                }
                // Throw back everything but the colon.
                buf.push(':');
                input.advance(1);
                return;
            }
        }
        if rest.starts_with(":{?") {
            let n = run_len(&b[3..], is_var_char);
            if n > 0 && b.get(3 + n) == Some(&b'}') {
                let name = &rest[3..3 + n];
                if ctx.vars.is_some() {
                    buf.push_str(if lookup(name).is_some() { "TRUE" } else { "FALSE" });
                } else {
                    buf.push_str(&rest[..4 + n]);
                }
                input.advance(4 + n);
                return;
            }
        }
        buf.push(':');
        input.advance(1);
    }
}

/// The length of a `$tag$` delimiter at the start of `b`, if there is one.
fn dolq_delim(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'$') {
        return None;
    }
    let mut n = 1;
    if b.get(1).is_some_and(|&c| is_ident_start(c)) {
        n += 1 + run_len(&b[2..], is_dolq_cont);
    }
    (b.get(n) == Some(&b'$')).then_some(n + 1)
}

/// psql's quoting of a variable value as a literal (`PQescapeLiteral`) or
/// an identifier.
fn quote(value: &str, ident: bool) -> String {
    let q = if ident { '"' } else { '\'' };
    let mut out = String::new();
    if !ident && value.contains('\\') {
        out.push_str(" E");
    }
    out.push(q);
    for c in value.chars() {
        if c == q || (!ident && c == '\\') {
            out.push(c);
        }
        out.push(c);
    }
    out.push(q);
    out
}

// ---------------------------------------------------------------------------
// Backslash commands (psqlscanslash.l).

/// One argument of a backslash command.
struct Arg {
    text: String,
    /// Built from a variable or backtick command whose value is unknown.
    unknown: bool,
}

/// The command name: up to whitespace or a backslash.
fn scan_slash_command(input: &mut Input) -> String {
    let rest = input.rest();
    let n = rest.bytes().position(|c| is_space(c) || c == b'\\').unwrap_or(rest.len());
    let name = rest[..n].to_string();
    input.advance(n);
    name
}

/// The rest of the line as one argument (leading whitespace dropped).
fn scan_whole_line(input: &mut Input) -> Option<Arg> {
    let rest = input.rest().trim_start_matches(|c: char| c.is_ascii_whitespace()).to_string();
    input.finish();
    (!rest.is_empty()).then_some(Arg { text: rest, unknown: false })
}

/// The next argument: up to unquoted whitespace or a backslash. `vars` is
/// `None` when variables are not expanded.
fn scan_slash_option(input: &mut Input, vars: Option<&HashMap<String, Var>>) -> Option<Arg> {
    let rest = input.rest().to_string();
    let b = rest.as_bytes();
    let mut i = run_len(b, is_space);
    let mut text = String::new();
    let mut unknown = false;
    let mut quoted = false;
    while i < b.len() {
        let c = b[i];
        if is_space(c) || c == b'\\' {
            break;
        }
        match c {
            b'\'' => {
                quoted = true;
                i += 1;
                loop {
                    let Some(&c) = b.get(i) else {
                        // Unterminated quoted string: the argument is lost.
                        input.finish();
                        return None;
                    };
                    if c == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            text.push('\'');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    if c == b'\\' && i + 1 < b.len() {
                        let e = b[i + 1];
                        match e {
                            b'n' => text.push('\n'),
                            b't' => text.push('\t'),
                            b'b' => text.push('\x08'),
                            b'r' => text.push('\r'),
                            b'f' => text.push('\x0c'),
                            b'0'..=b'7' => {
                                let n = 1 + run_len(&b[i + 2..], |c| (b'0'..=b'7').contains(&c)).min(2);
                                let v = u32::from_str_radix(&rest[i + 1..i + 1 + n], 8).unwrap_or(0);
                                text.push(char::from_u32(v & 0xff).unwrap_or('?'));
                                i += 1 + n;
                                continue;
                            }
                            b'x' if b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit()) => {
                                let n = 1 + run_len(&b[i + 3..], |c| c.is_ascii_hexdigit()).min(1);
                                let v = u32::from_str_radix(&rest[i + 2..i + 2 + n], 16).unwrap_or(0);
                                text.push(char::from_u32(v).unwrap_or('?'));
                                i += 2 + n;
                                continue;
                            }
                            _ => {
                                let l = char_len(&rest[i + 1..]);
                                text.push_str(&rest[i + 1..i + 1 + l]);
                                i += 1 + l;
                                continue;
                            }
                        }
                        i += 2;
                        continue;
                    }
                    let l = char_len(&rest[i..]);
                    text.push_str(&rest[i..i + l]);
                    i += l;
                }
            }
            b'`' => {
                quoted = true;
                unknown = true;
                match rest[i + 1..].find('`') {
                    Some(p) => i += p + 2,
                    None => {
                        input.finish();
                        return None;
                    }
                }
            }
            b'"' => {
                quoted = true;
                match rest[i + 1..].find('"') {
                    Some(p) => {
                        text.push_str(&rest[i..i + p + 2]);
                        i += p + 2;
                    }
                    None => {
                        input.finish();
                        return None;
                    }
                }
            }
            b':' if vars.is_some() => {
                let vars = vars.unwrap_or_else(|| unreachable!());
                let n = run_len(&b[i + 1..], is_var_char);
                let quoted_var = |open: u8| {
                    let n = run_len(&b[i + 2..], is_var_char);
                    (b.get(i + 1) == Some(&open) && n > 0 && b.get(i + 2 + n) == Some(&open)).then_some(n)
                };
                if n > 0 {
                    match vars.get(&rest[i + 1..i + 1 + n]) {
                        Some(Var::Known(v)) => text.push_str(v),
                        Some(Var::Unknown) => unknown = true,
                        None => text.push_str(&rest[i..i + 1 + n]),
                    }
                    quoted = true;
                    i += 1 + n;
                } else if let Some(n) = quoted_var(b'\'').or_else(|| quoted_var(b'"')) {
                    let ident = b[i + 1] == b'"';
                    match vars.get(&rest[i + 2..i + 2 + n]) {
                        Some(Var::Known(v)) => text.push_str(&quote(v, ident)),
                        Some(Var::Unknown) => unknown = true,
                        None => text.push_str(&rest[i..i + 3 + n]),
                    }
                    quoted = true;
                    i += 3 + n;
                } else if rest[i..].starts_with(":{?") {
                    let n = run_len(&b[i + 3..], is_var_char);
                    if n > 0 && b.get(i + 3 + n) == Some(&b'}') {
                        let defined = vars.contains_key(&rest[i + 3..i + 3 + n]);
                        text.push_str(if defined { "TRUE" } else { "FALSE" });
                        i += 4 + n;
                    } else {
                        text.push(':');
                        i += 1;
                    }
                } else {
                    text.push(':');
                    i += 1;
                }
            }
            _ => {
                let l = char_len(&rest[i..]);
                text.push_str(&rest[i..i + l]);
                i += l;
            }
        }
    }
    input.advance(i);
    if text.is_empty() && !quoted {
        return None;
    }
    Some(Arg { text, unknown })
}

/// Eats a `\\` that ends a backslash command.
fn scan_slash_command_end(input: &mut Input) {
    if input.rest().starts_with("\\\\") {
        input.advance(2);
    }
}

/// Backslash commands whose argument is the rest of the line.
const WHOLE_LINE_COMMANDS: &[&str] = &["!", "copy", "ef", "ev", "h", "help", "sf", "sf+", "sv", "sv+"];

/// Backslash commands whose first argument may be `|command` (to the end
/// of the line).
const FILEPIPE_COMMANDS: &[&str] = &["g", "gx", "o", "out", "w", "write"];

/// Whether psql 15 knows the command (an unknown one eats its whole line).
fn known_command(cmd: &str) -> bool {
    const KNOWN: &[&str] = &[
        "a",
        "bind",
        "c",
        "connect",
        "C",
        "cd",
        "conninfo",
        "copy",
        "copyright",
        "crosstabview",
        "e",
        "edit",
        "echo",
        "ef",
        "ev",
        "elif",
        "else",
        "endif",
        "encoding",
        "errverbose",
        "f",
        "g",
        "gdesc",
        "getenv",
        "gexec",
        "gset",
        "gx",
        "h",
        "help",
        "H",
        "html",
        "i",
        "include",
        "if",
        "ir",
        "include_relative",
        "l",
        "list",
        "l+",
        "list+",
        "lo_export",
        "lo_import",
        "lo_list",
        "lo_list+",
        "lo_unlink",
        "o",
        "out",
        "p",
        "print",
        "password",
        "prompt",
        "pset",
        "q",
        "quit",
        "qecho",
        "r",
        "reset",
        "s",
        "set",
        "setenv",
        "sf",
        "sf+",
        "sv",
        "sv+",
        "t",
        "T",
        "timing",
        "unset",
        "w",
        "write",
        "warn",
        "watch",
        "x",
        "z",
        "z+",
        "!",
        "?",
    ];
    KNOWN.contains(&cmd) || (cmd.starts_with('d') && !cmd.is_empty())
}

/// psql's ParseVariableBool: `None` when the value is not a boolean.
fn parse_bool(value: &str) -> Option<bool> {
    let v = value.to_ascii_lowercase();
    let len = v.len();
    if len == 0 {
        return None;
    }
    if "true".starts_with(&v) || ("yes".starts_with(&v)) {
        return Some(true);
    }
    if "false".starts_with(&v) || "no".starts_with(&v) {
        return Some(false);
    }
    if len >= 2 && "on".starts_with(&v) && v.len() <= 2 {
        return Some(true);
    }
    if len >= 2 && "off".starts_with(&v) {
        return Some(false);
    }
    match v.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// The simulation of psql's main loop, aligned with the expected output.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IfState {
    True,
    False,
    Ignored,
    ElseTrue,
    ElseFalse,
}

struct Cond {
    state: IfState,
    query_len: usize,
    paren_depth: u32,
}

/// Something that ran and may have printed output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    /// A statement (index into `Sim::statements`).
    Statement(usize),
    /// A backslash command, or a statement sent again.
    Other,
}

/// COPYs from the client whose data may follow on the next lines.
struct PendingCopy(usize);

struct Sim<'a> {
    name: &'a str,
    lines: Vec<&'a str>,
    out: Option<Vec<&'a str>>,
    env: &'a HashMap<String, String>,
    /// Position in `out` after the last aligned echo.
    cursor: usize,
    /// Alignment was lost: the remaining verdicts are unknown.
    lost: bool,
    /// Events since the last echoed line.
    pending: Vec<Event>,
    /// Events of the line being processed.
    line_events: Vec<Event>,
    statements: Vec<RegressStatement>,
    problems: Vec<String>,

    scanner: Scanner,
    query_buf: String,
    previous_buf: String,
    /// Line where the text in `query_buf` starts.
    buf_line: usize,
    /// `query_buf` holds text from a variable of unknown value.
    buf_unknown: bool,
    vars: HashMap<String, Var>,
    conds: Vec<Cond>,
    echo_all: bool,
    quit: bool,
    /// A `\gset` ran: the names of the variables it set are guesses.
    gset_seen: bool,
    copy: Option<PendingCopy>,
    /// Line being processed (0-based).
    lineno: usize,
}

impl<'a> Sim<'a> {
    fn new(name: &'a str, sql: &'a str, expected: Option<&'a str>, env: &'a HashMap<String, String>) -> Sim<'a> {
        let split = |t: &'a str| -> Vec<&'a str> {
            let t = t.strip_suffix('\n').unwrap_or(t);
            if t.is_empty() { Vec::new() } else { t.split('\n').collect() }
        };
        let mut vars = HashMap::new();
        // Set by psql itself, to values this module cannot know.
        for k in [
            "ERROR",
            "SQLSTATE",
            "ROW_COUNT",
            "LAST_ERROR_MESSAGE",
            "LAST_ERROR_SQLSTATE",
            "LASTOID",
            "DBNAME",
            "USER",
            "HOST",
            "PORT",
            "ENCODING",
            "SERVER_VERSION_NAME",
            "SERVER_VERSION_NUM",
            "VERSION",
            "VERSION_NAME",
            "VERSION_NUM",
        ] {
            vars.insert(k.to_string(), Var::Unknown);
        }
        for (k, v) in [
            ("ECHO", "all"),
            ("HIDE_TABLEAM", "on"),
            ("HIDE_TOAST_COMPRESSION", "on"),
            ("VERBOSITY", "default"),
            ("SHOW_CONTEXT", "errors"),
            ("ON_ERROR_STOP", "off"),
            ("AUTOCOMMIT", "on"),
            ("QUIET", "on"),
        ] {
            vars.insert(k.to_string(), Var::Known(v.to_string()));
        }
        Sim {
            name,
            lines: split(sql),
            out: expected.map(split),
            env,
            cursor: 0,
            lost: false,
            pending: Vec::new(),
            line_events: Vec::new(),
            statements: Vec::new(),
            problems: Vec::new(),
            scanner: Scanner::new(),
            query_buf: String::new(),
            previous_buf: String::new(),
            buf_line: 0,
            buf_unknown: false,
            vars,
            conds: Vec::new(),
            echo_all: true,
            quit: false,
            gset_seen: false,
            copy: None,
            lineno: 0,
        }
    }

    fn active(&self) -> bool {
        self.conds.last().is_none_or(|c| matches!(c.state, IfState::True | IfState::ElseTrue))
    }

    fn problem(&mut self, msg: String) {
        self.problems.push(format!("{}.sql:{}: {msg}", self.name, self.lineno + 1));
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.lines.len() && !self.quit {
            self.lineno = i;
            let mut line = self.lines[i];
            if i == 0 {
                line = line.strip_prefix('\u{feff}').unwrap_or(line);
            }
            if line.is_empty() && !self.scanner.in_quote() {
                i += 1;
                continue;
            }
            let echoed = self.echo_all;
            self.line_events.clear();
            self.process_line(line, i);
            let events = std::mem::take(&mut self.line_events);
            if echoed {
                let next = self.next_echo(i + 1);
                self.align_echo(line, !events.is_empty(), next);
                self.pending = events;
            } else {
                self.pending.extend(events);
            }
            i += 1;
            if let Some(PendingCopy(n)) = self.copy.take() {
                for _ in 0..n {
                    i = self.copy_data(i);
                }
            }
        }
        // psql sends what is left at the end of the file.
        self.lineno = self.lines.len().saturating_sub(1);
        if !self.quit && !self.query_buf.is_empty() && self.active() {
            self.line_events.clear();
            self.send_buffer(false);
            let events = std::mem::take(&mut self.line_events);
            self.pending.extend(events);
        }
        // The rest of the output belongs to what ran last.
        if let Some(out) = &self.out {
            let end = out.len();
            if !self.lost {
                self.attribute(self.cursor, end);
            }
        }
    }

    /// The text of the next line psql would echo, if known.
    fn next_echo(&self, from: usize) -> Option<&'a str> {
        if !self.echo_all || self.quit {
            return None;
        }
        let in_quote = self.scanner.in_quote();
        self.lines[from..].iter().find(|l| !l.is_empty() || in_quote).copied()
    }

    /// Finds the echo of `line` in the expected output; what lies before it
    /// is the output of the pending events.
    fn align_echo(&mut self, line: &str, line_has_events: bool, next: Option<&str>) {
        let Some(out) = &self.out else { return };
        if self.lost {
            return;
        }
        let found = if self.pending.is_empty() {
            (out.get(self.cursor) == Some(&line)).then_some(self.cursor)
        } else {
            let candidate = |p: usize| line_has_events || next.is_none() || out.get(p + 1).is_none_or(|n| Some(*n) == next);
            (self.cursor..out.len())
                .find(|&p| out[p] == line && candidate(p))
                // After `\echo -n`, the echo continues the output's last line.
                .or_else(|| (self.cursor..out.len()).find(|&p| out[p].ends_with(line) && candidate(p)))
        };
        match found {
            Some(p) => {
                self.attribute(self.cursor, p);
                self.cursor = p + 1;
            }
            None => {
                let got = out.get(self.cursor).copied().unwrap_or("<end of output>");
                self.problem(format!(
                    "echo of {line:?} not found in expected output (at line {}: {got:?}); verdicts for the rest of the file are unknown",
                    self.cursor + 1
                ));
                self.lost = true;
            }
        }
    }

    /// Attributes `out[from..to]` to the pending events.
    fn attribute(&mut self, from: usize, to: usize) {
        let Some(out) = &self.out else { return };
        let block: Vec<&str> = out[from..to].to_vec();
        let stmts: Vec<usize> = self
            .pending
            .iter()
            .filter_map(|e| match e {
                Event::Statement(i) => Some(*i),
                Event::Other => None,
            })
            .collect();
        if stmts.is_empty() || block.is_empty() {
            return;
        }
        let errors = parse_errors(&block);
        let mut cur = 0;
        for err in errors {
            let target = if stmts.len() == 1 {
                Some(0)
            } else {
                (cur..stmts.len()).find(|&k| {
                    let s = &self.statements[stmts[k]];
                    err.locate(&s.sql).is_some() || err.line.is_none()
                })
            };
            let Some(k) = target else { continue };
            cur = if stmts.len() == 1 { 0 } else { k + 1 };
            let s = &mut self.statements[stmts[k]];
            if s.pg_error.is_none() {
                s.pg_error = Some(err.message.clone());
            }
            if err.is_top_level_syntax_error(&s.sql, s.std_strings) {
                s.pg_accepts = false;
            }
        }
    }

    /// psql's main loop for one input line.
    fn process_line(&mut self, line: &str, lineno: usize) {
        let added_nl = if self.query_buf.is_empty() {
            None
        } else {
            self.query_buf.push('\n');
            Some(self.query_buf.len())
        };
        let mut added_nl = added_nl;
        let mut input = Input::new(line);
        loop {
            let was_empty = self.query_buf.is_empty();
            let mut unknown = false;
            let active = self.active();
            let ctx = VarCtx { vars: active.then_some(&self.vars), undefined_is_unknown: active && self.gset_seen };
            let result = self.scanner.scan(&mut input, &mut self.query_buf, &ctx, &mut unknown);
            if was_empty && !self.query_buf.is_empty() {
                self.buf_line = lineno;
                self.buf_unknown = false;
            }
            self.buf_unknown |= unknown;
            match result {
                ScanResult::Semicolon => {
                    if self.active() {
                        self.send_buffer(false);
                    } else {
                        self.previous_buf = std::mem::take(&mut self.query_buf);
                    }
                    added_nl = None;
                }
                ScanResult::Backslash => {
                    if added_nl == Some(self.query_buf.len()) {
                        self.query_buf.pop();
                    }
                    added_nl = None;
                    self.backslash_command(&mut input);
                    if self.quit {
                        return;
                    }
                }
                ScanResult::Eol => return,
            }
        }
    }

    /// Sends the query buffer (or, when empty and `resend`, the previous
    /// one) as psql's SendQuery does.
    fn send_buffer(&mut self, resend: bool) {
        if self.query_buf.is_empty() {
            if resend && !self.previous_buf.is_empty() {
                self.line_events.push(Event::Other);
            }
            return;
        }
        let sql = std::mem::take(&mut self.query_buf);
        let copies = copies_from_client(&sql);
        let index = self.statements.len();
        self.statements.push(RegressStatement {
            file: self.name.to_string(),
            line: self.buf_line + 1,
            sql: sql.clone(),
            pg_accepts: true,
            pg_error: None,
            exact: !self.buf_unknown,
            std_strings: self.scanner.std_strings,
        });
        self.line_events.push(Event::Statement(index));
        if copies > 0 {
            self.copy = Some(PendingCopy(copies));
        }
        if let Some(v) = std_strings_setting(&sql) {
            self.scanner.std_strings = v;
        }
        self.previous_buf = sql;
        self.buf_unknown = false;
    }

    /// HandleSlashCmds
    fn backslash_command(&mut self, input: &mut Input) {
        let cmd = scan_slash_command(input);
        let active = self.active();
        // \elif in a branch not yet taken evaluates its expression as if
        // active (psql pokes the state to true first).
        let expand = active || (cmd == "elif" && self.conds.last().map(|c| c.state) == Some(IfState::False));
        let vars = expand.then(|| self.vars.clone());
        let vars = vars.as_ref();
        if !known_command(&cmd) {
            // psql: invalid command (even in an inactive branch); the rest
            // of the line is thrown away.
            input.finish();
            self.line_events.push(Event::Other);
            return;
        }
        let whole_line =
            WHOLE_LINE_COMMANDS.contains(&cmd.as_str()) || (FILEPIPE_COMMANDS.contains(&cmd.as_str()) && input.rest().trim_start().starts_with('|'));
        let mut args: Vec<Arg> = Vec::new();
        if whole_line {
            args.extend(scan_whole_line(input));
        } else {
            // Commands take their arguments as they need them; reading them
            // all up front is the same, since psql eats any left over.
            while let Some(a) = scan_slash_option(input, vars) {
                args.push(a);
            }
        }
        scan_slash_command_end(input);
        // Any command may print something (if only an error message).
        self.line_events.push(Event::Other);

        match cmd.as_str() {
            "if" => {
                let state = if active {
                    if args.first().and_then(|a| self.eval_bool(a)) == Some(true) { IfState::True } else { IfState::False }
                } else {
                    IfState::Ignored
                };
                self.conds.push(Cond { state, query_len: self.query_buf.len(), paren_depth: self.scanner.paren_depth });
            }
            "elif" | "else" => {
                let Some(top) = self.conds.last().map(|c| c.state) else {
                    self.line_events.push(Event::Other);
                    return;
                };
                let new = match top {
                    IfState::True => {
                        self.save_query_state();
                        if cmd == "elif" { IfState::Ignored } else { IfState::ElseFalse }
                    }
                    IfState::False => {
                        self.discard_query_text();
                        if cmd == "else" {
                            IfState::ElseTrue
                        } else if args.first().and_then(|a| self.eval_bool(a)) == Some(true) {
                            IfState::True
                        } else {
                            IfState::False
                        }
                    }
                    IfState::Ignored => {
                        self.discard_query_text();
                        if cmd == "elif" { IfState::Ignored } else { IfState::ElseFalse }
                    }
                    IfState::ElseTrue | IfState::ElseFalse => {
                        self.line_events.push(Event::Other);
                        top
                    }
                };
                if let Some(c) = self.conds.last_mut() {
                    c.state = new;
                }
            }
            "endif" => match self.conds.last().map(|c| c.state) {
                Some(IfState::True | IfState::ElseTrue) => {
                    self.conds.pop();
                }
                Some(_) => {
                    self.discard_query_text();
                    self.conds.pop();
                }
                None => self.line_events.push(Event::Other),
            },
            _ if !active => {}
            "g" | "gx" | "gset" | "gexec" | "gdesc" | "crosstabview" => {
                if cmd == "gset" {
                    self.gset_variables(args.first().map(|a| a.text.as_str()));
                }
                self.send_buffer(true);
                self.scanner.reset();
                // Output of the statement and of the command itself.
                self.line_events.push(Event::Other);
            }
            "r" | "reset" => {
                self.query_buf.clear();
                self.scanner.reset();
            }
            "q" | "quit" => self.quit = true,
            "set" => {
                let mut args = args.into_iter();
                match args.next() {
                    None => self.line_events.push(Event::Other),
                    Some(name) => {
                        let mut value = String::new();
                        let mut unknown = false;
                        for a in args {
                            value.push_str(&a.text);
                            unknown |= a.unknown;
                        }
                        self.set_var(&name.text, if unknown { Var::Unknown } else { Var::Known(value) });
                    }
                }
            }
            "unset" => {
                if let Some(name) = args.first() {
                    self.vars.remove(&name.text);
                    if name.text == "ECHO" {
                        self.echo_all = false;
                    }
                }
            }
            "getenv" => {
                if let [name, env, ..] = args.as_slice() {
                    match self.env.get(&env.text) {
                        Some(v) => self.set_var(&name.text.clone(), Var::Known(v.clone())),
                        None => {
                            self.vars.remove(&name.text);
                        }
                    }
                }
            }
            "c" | "connect" => {
                // A new session: standard_conforming_strings is on again.
                self.scanner.std_strings = true;
                self.line_events.push(Event::Other);
            }
            "copy" => {
                let text = args.first().map(|a| a.text.to_ascii_lowercase()).unwrap_or_default();
                self.line_events.push(Event::Other);
                if copy_reads_stdin(&text) {
                    self.copy = Some(PendingCopy(1));
                }
            }
            _ => self.line_events.push(Event::Other),
        }
    }

    fn set_var(&mut self, name: &str, value: Var) {
        if name == "ECHO" {
            self.echo_all = value == Var::Known("all".to_string());
        }
        self.vars.insert(name.to_string(), value);
    }

    fn eval_bool(&self, arg: &Arg) -> Option<bool> {
        if arg.unknown {
            // A \gset value: the expected output is the one where tests
            // are not skipped.
            return Some(false);
        }
        parse_bool(&arg.text)
    }

    fn save_query_state(&mut self) {
        let len = self.query_buf.len();
        let depth = self.scanner.paren_depth;
        if let Some(c) = self.conds.last_mut() {
            c.query_len = len;
            c.paren_depth = depth;
        }
    }

    fn discard_query_text(&mut self) {
        if let Some(c) = self.conds.last() {
            self.query_buf.truncate(c.query_len.min(self.query_buf.len()));
            self.scanner.paren_depth = c.paren_depth;
        }
    }

    /// `\gset [prefix]`: the variables it sets have unknown values.
    fn gset_variables(&mut self, prefix: Option<&str>) {
        let sql = if self.query_buf.is_empty() { self.previous_buf.clone() } else { self.query_buf.clone() };
        let names = select_list_names(&sql);
        self.gset_seen = true;
        for n in names {
            let name = format!("{}{n}", prefix.unwrap_or(""));
            self.set_var(&name, Var::Unknown);
        }
    }

    /// After a `COPY ... FROM STDIN` sent on the line before `from`: skips
    /// its data up to `\.` if PostgreSQL started the copy. Returns the index
    /// of the next line to process.
    fn copy_data(&mut self, from: usize) -> usize {
        let Some(end) = (from..self.lines.len()).find(|&j| self.lines[j] == "\\.") else {
            return from;
        };
        let started = match &self.out {
            None => true,
            Some(out) if !self.lost => {
                let first = |k: usize| self.lines[k..].iter().find(|l| !l.is_empty()).copied();
                let if_not = first(from);
                let if_started = first(end + 1);
                let pos = |t: Option<&str>| t.and_then(|t| (self.cursor..out.len()).find(|&p| out[p] == t));
                match (pos(if_not), pos(if_started)) {
                    (Some(a), Some(b)) => b <= a,
                    (None, _) => true,
                    (Some(_), None) => false,
                }
            }
            Some(_) => true,
        };
        if started { end + 1 } else { from }
    }
}

/// How many `COPY ... FROM STDIN` (or `FROM STDOUT`, which PostgreSQL
/// takes as the same) the query string holds: one per statement of a
/// string joined with `\;`.
fn copies_from_client(sql: &str) -> usize {
    let words = top_level_words(sql);
    words
        .split(|w| w == ";")
        .filter(|stmt| stmt.first().is_some_and(|w| w == "copy") && stmt.windows(2).any(|w| w[0] == "from" && (w[1] == "stdin" || w[1] == "stdout")))
        .count()
}

/// Whether the arguments of `\copy` read data from psql's input.
fn copy_reads_stdin(args: &str) -> bool {
    let words: Vec<&str> = args.split(|c: char| c.is_whitespace() || c == '(' || c == ')').filter(|w| !w.is_empty()).collect();
    words.windows(2).any(|w| w[0] == "from" && (w[1] == "stdin" || w[1] == "pstdin"))
}

/// The lowercased unquoted words of `sql` outside parentheses, quotes and
/// comments, and its top-level semicolons (as `";"`).
fn top_level_words(sql: &str) -> Vec<String> {
    let mut words = Vec::new();
    let spans = literal_spans(sql, true);
    let b = sql.as_bytes();
    let mut depth = 0u32;
    let mut i = 0;
    while i < b.len() {
        if let Some(&(_, end)) = spans.iter().find(|&&(s, _)| s == i) {
            i = end;
            continue;
        }
        let c = b[i];
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            i += run_len(&b[i..], |c| c != b'\n');
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut nest = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    nest += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    nest -= 1;
                    i += 2;
                    if nest == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == b'"' {
            i += 1 + sql[i + 1..].find('"').map_or(b.len(), |p| p + 1);
        } else if c == b';' && depth == 0 {
            words.push(";".to_string());
            i += 1;
        } else if c == b'(' {
            depth += 1;
            i += 1;
        } else if c == b')' {
            depth = depth.saturating_sub(1);
            i += 1;
        } else if is_ident_start(c) {
            let n = run_len(&b[i..], is_ident_cont);
            if depth == 0 {
                words.push(sql[i..i + n].to_ascii_lowercase());
            }
            i += n;
        } else {
            i += char_len(&sql[i..]);
        }
    }
    words
}

/// The output column names of a `SELECT` (for `\gset`), as PostgreSQL
/// names them: the `AS` alias, else the function or column name (through
/// casts), else `?column?`.
fn select_list_names(sql: &str) -> Vec<String> {
    #[derive(PartialEq)]
    enum T {
        Word(String),
        Open,
        Close,
        Comma,
        Cast,
        Dot,
        Other,
    }
    let spans = literal_spans(sql, true);
    let b = sql.as_bytes();
    let mut toks: Vec<(u32, T)> = Vec::new();
    let mut depth = 0u32;
    let mut i = 0;
    while i < b.len() {
        if let Some(&(_, end)) = spans.iter().find(|&&(s, _)| s == i) {
            toks.push((depth, T::Other));
            i = end;
            continue;
        }
        let c = b[i];
        let (tok, n) = match c {
            b'(' => {
                depth += 1;
                (T::Open, 1)
            }
            b')' => {
                depth = depth.saturating_sub(1);
                (T::Close, 1)
            }
            b',' => (T::Comma, 1),
            b'.' => (T::Dot, 1),
            b':' if b.get(i + 1) == Some(&b':') => (T::Cast, 2),
            b'"' => match sql[i + 1..].find('"') {
                Some(p) => (T::Word(sql[i + 1..i + 1 + p].to_string()), p + 2),
                None => (T::Other, b.len() - i),
            },
            _ if is_space(c) => {
                i += 1;
                continue;
            }
            _ if is_ident_start(c) => {
                let n = run_len(&b[i..], is_ident_cont);
                (T::Word(sql[i..i + n].to_ascii_lowercase()), n)
            }
            _ => (T::Other, char_len(&sql[i..])),
        };
        let d = if tok == T::Open { depth - 1 } else { depth };
        toks.push((d, tok));
        i += n;
    }
    const END: &[&str] =
        &["from", "into", "where", "group", "having", "window", "order", "limit", "offset", "union", "intersect", "except", "fetch", "for"];
    let Some(start) = toks.iter().position(|(d, t)| *d == 0 && *t == T::Word("select".into())) else {
        return Vec::new();
    };
    let mut items: Vec<Vec<&T>> = vec![Vec::new()];
    for (d, t) in &toks[start + 1..] {
        if *d == 0 {
            match t {
                T::Word(w) if END.contains(&w.as_str()) => break,
                T::Comma => {
                    items.push(Vec::new());
                    continue;
                }
                _ => {}
            }
        }
        if let Some(item) = items.last_mut() {
            item.push(t);
        }
    }
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .map(|mut item| {
            if let Some(T::Word(w)) = item.first()
                && (w == "distinct" || w == "all")
            {
                item.remove(0);
            }
            if let Some(p) = item.iter().position(|t| **t == T::Word("as".into()))
                && let Some(T::Word(name)) = item.get(p + 1)
            {
                return name.clone();
            }
            if let Some(p) = item.iter().position(|t| **t == T::Cast) {
                item.truncate(p);
            }
            let mut name = None;
            for (k, t) in item.iter().enumerate() {
                match t {
                    T::Word(w) => name = Some(w.clone()),
                    T::Dot => {}
                    T::Open if k > 0 => break,
                    _ => {
                        name = None;
                        break;
                    }
                }
            }
            name.unwrap_or_else(|| "?column?".to_string())
        })
        .collect()
}

/// `SET standard_conforming_strings ...` / `RESET ...`: the new value.
fn std_strings_setting(sql: &str) -> Option<bool> {
    let words = top_level_words(sql);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let w = match w.as_slice() {
        ["set", "session", rest @ ..] | ["set", rest @ ..] => rest,
        ["reset", "standard_conforming_strings", ..] => return Some(true),
        _ => return None,
    };
    if w.first() != Some(&"standard_conforming_strings") {
        return None;
    }
    let lower = sql.to_ascii_lowercase();
    let value =
        lower.rsplit(['=', ' ', '\t', '\n']).map(|v| v.trim_matches(|c: char| c == ';' || c == '\'' || c.is_whitespace())).find(|v| !v.is_empty())?;
    match value {
        "off" | "false" | "no" | "0" => Some(false),
        "on" | "true" | "yes" | "1" | "default" => Some(true),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Errors in psql's output.

#[derive(Debug)]
struct ErrorReport {
    message: String,
    /// `LINE n:` (1-based), the text shown after it, and the caret column
    /// within that text.
    line: Option<(usize, String, usize)>,
    /// `at character N` (terse verbosity), 1-based.
    char_pos: Option<usize>,
    /// The error has a `QUERY:` or `CONTEXT:`: it comes from an internal
    /// query or a function, not the statement's own text.
    has_context: bool,
}

const SEVERITIES: &[&str] = &["ERROR:  ", "WARNING:  ", "NOTICE:  ", "INFO:  ", "LOG:  ", "DEBUG:  ", "FATAL:  ", "PANIC:  "];

fn parse_errors(block: &[&str]) -> Vec<ErrorReport> {
    let mut errors = Vec::new();
    for (i, l) in block.iter().enumerate() {
        let Some(message) = l.strip_prefix("ERROR:  ") else {
            continue;
        };
        let mut report = ErrorReport { message: message.to_string(), line: None, char_pos: None, has_context: false };
        if let Some(p) = message.rfind(" at character ")
            && let Ok(n) = message[p + 14..].parse()
        {
            report.char_pos = Some(n);
        }
        let mut k = i + 1;
        if let Some(rest) = block.get(k).and_then(|l| l.strip_prefix("LINE "))
            && let Some((n, _)) = rest.split_once(": ")
            && let (Ok(n), Some(caret)) = (n.parse::<usize>(), block.get(k + 1))
        {
            let prefix = format!("LINE {n}: ").len();
            let text: String = block[k].chars().skip(prefix).collect();
            if let Some(col) = caret.find('^').filter(|_| caret.trim() == "^") {
                report.line = Some((n, text, caret[..col].chars().count().saturating_sub(prefix)));
                k += 2;
            }
        }
        for l in &block[k..] {
            if SEVERITIES.iter().any(|s| l.starts_with(s)) {
                break;
            }
            if l.starts_with("QUERY:  ") || l.starts_with("CONTEXT:  ") {
                report.has_context = true;
                break;
            }
        }
        errors.push(report);
    }
    errors
}

impl ErrorReport {
    /// The error position as a character offset into `sql`: from `at
    /// character N`, or by finding the `LINE n:` text in line n of `sql`.
    /// `None` when the output gives no position or its text is not `sql`'s.
    fn locate(&self, sql: &str) -> Option<usize> {
        if let Some(n) = self.char_pos {
            return Some(n.saturating_sub(1));
        }
        let (n, shown, caret) = self.line.as_ref()?;
        let lines: Vec<&str> = sql.split('\n').collect();
        let text: Vec<char> = lines.get(n.checked_sub(1)?)?.replace('\t', " ").chars().collect();
        let mut shown: Vec<char> = shown.chars().collect();
        let mut caret = *caret;
        let find = |hay: &[char], needle: &[char]| {
            if needle.is_empty() {
                return Some(0);
            }
            hay.windows(needle.len()).position(|w| w == needle)
        };
        let mut at = find(&text, &shown);
        if at.is_none() && shown.starts_with(&['.', '.', '.']) {
            shown.drain(..3);
            caret = caret.saturating_sub(3);
            at = find(&text, &shown);
        }
        if at.is_none() && shown.ends_with(&['.', '.', '.']) {
            shown.truncate(shown.len() - 3);
            at = find(&text, &shown);
        }
        let at = at?;
        let before: usize = lines[..n - 1].iter().map(|l| l.chars().count() + 1).sum();
        Some(before + at + caret)
    }

    /// Whether this is a syntax error in the statement's own text (see the
    /// module docs).
    fn is_top_level_syntax_error(&self, sql: &str, std_strings: bool) -> bool {
        let syntax = self.message.starts_with("syntax error") || self.message == "42601";
        if !syntax || self.has_context {
            return false;
        }
        if self.line.is_none() && self.char_pos.is_none() {
            return true;
        }
        let Some(offset) = self.locate(sql) else {
            return false;
        };
        let byte = sql.char_indices().nth(offset).map_or(sql.len(), |(b, _)| b);
        !literal_spans(sql, std_strings).iter().any(|&(s, e)| s < byte && byte < e)
    }
}

impl fmt::Display for RegressStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.sql:{}: {}{}",
            self.file,
            self.line,
            if self.pg_accepts { "accepted" } else { "rejected" },
            if self.exact { "" } else { " (inexact)" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(sql: &str) -> Vec<String> {
        split_file("t", sql, None, &HashMap::new()).statements.into_iter().map(|s| s.sql).collect()
    }

    #[test]
    fn splits_like_psql() {
        assert_eq!(split("SELECT 1; SELECT 2;\n"), vec!["SELECT 1;", "SELECT 2;"]);
        // Leading comments and whitespace are not sent; inner ones are;
        // blank lines are dropped.
        assert_eq!(split("-- c\n  SELECT 1 -- d\n\n  , 2;  -- e\n"), vec!["SELECT 1 -- d\n  , 2;"]);
        assert_eq!(split("/* a */ SELECT 1;"), vec!["/* a */ SELECT 1;"]);
        assert_eq!(split("SELECT ';', \";\", $$;$$, $x$ $$; $x$;"), vec!["SELECT ';', \";\", $$;$$, $x$ $$; $x$;"]);
        assert_eq!(split("SELECT E'\\';', 'a\\';\n"), vec!["SELECT E'\\';', 'a\\';"]);
        assert_eq!(split("SELECT /* /* ; */ ; */ 1;"), vec!["SELECT /* /* ; */ ; */ 1;"]);
        assert_eq!(split("SELECT (1;\n2);"), vec!["SELECT (1;\n2);"]);
        // Brackets do not count.
        assert_eq!(split("SELECT a[1;2];"), vec!["SELECT a[1;", "2];"]);
        // Blank lines inside quotes are kept.
        assert_eq!(split("SELECT 'a\n\nb';"), vec!["SELECT 'a\n\nb';"]);
        // The last statement is sent without a semicolon.
        assert_eq!(split("SELECT 1;\nSELECT 2"), vec!["SELECT 1;", "SELECT 2"]);
    }

    #[test]
    fn begin_atomic_bodies() {
        let sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 1 END;\nEND;\nSELECT 2;";
        assert_eq!(
            split(sql),
            vec!["CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT CASE WHEN true THEN 1 END;\nEND;", "SELECT 2;"]
        );
        // Not a function: BEGIN is a transaction.
        assert_eq!(split("BEGIN; SELECT 1; END;"), vec!["BEGIN;", "SELECT 1;", "END;"]);
    }

    #[test]
    fn backslash_commands() {
        assert_eq!(split("\\set x 1\nSELECT 1 \\gset\nSELECT 2\\g\n"), vec!["SELECT 1 ", "SELECT 2"]);
        assert_eq!(split("SELECT 1 \\; SELECT 2;\n"), vec!["SELECT 1 ; SELECT 2;"]);
        assert_eq!(split("SELECT 1 \\r\nSELECT 2;"), vec!["SELECT 2;"]);
        assert_eq!(split("\\if false\nSELECT 1;\n\\else\nSELECT 2;\n\\endif\n"), vec!["SELECT 2;"]);
        assert_eq!(split("\\echo a \\\\ SELECT 1;"), vec!["SELECT 1;"]);
        assert_eq!(split("SELECT 1;\n\\q\nSELECT 2;"), vec!["SELECT 1;"]);
        assert_eq!(split("\\copy t from stdin\n1\n\\.\nSELECT 1;"), vec!["SELECT 1;"]);
    }

    #[test]
    fn copy_data_is_skipped() {
        assert_eq!(split("COPY t FROM stdin;\n1;2\n\n3\n\\.\nSELECT 1;"), vec!["COPY t FROM stdin;", "SELECT 1;"]);
    }

    #[test]
    fn variables() {
        let env = HashMap::from([("PG_ABS_SRCDIR".to_string(), "/src".to_string())]);
        let sql = "\\getenv abs_srcdir PG_ABS_SRCDIR\n\\set filename :abs_srcdir '/data/x.data'\nCOPY t FROM :'filename';\nSELECT 1 AS n \\gset\nSELECT :n, :'n', a[1:2], x::text, :nope;\n";
        let s = split_file("t", sql, None, &env).statements;
        assert_eq!(s[0].sql, "COPY t FROM '/src/data/x.data';");
        assert!(s[0].exact);
        assert_eq!(s[1].sql, "SELECT 1 AS n ");
        assert_eq!(s[2].sql, "SELECT :n, :'n', a[1:2], x::text, :nope;");
        assert!(!s[2].exact);
    }

    #[test]
    fn gset_column_names() {
        assert_eq!(
            select_list_names("SELECT txid_current(), 1 AS a, t.b, c::text, \"Q\", pg_catalog.f(x)::int, 1 + 2, DISTINCT d FROM t"),
            vec!["txid_current", "a", "b", "c", "Q", "f", "?column?", "d"]
        );
        assert_eq!(select_list_names("SELECT DISTINCT d AS \"E\" \\gset"), vec!["E"]);
        assert!(select_list_names("VALUES (1)").is_empty());
    }

    #[test]
    fn standard_conforming_strings_off() {
        let sql = "SET standard_conforming_strings = off;\nSELECT 'a\\';b';\nRESET standard_conforming_strings;\nSELECT 'a\\';b';\n";
        assert_eq!(
            split(sql),
            vec!["SET standard_conforming_strings = off;", "SELECT 'a\\';b';", "RESET standard_conforming_strings;", "SELECT 'a\\';", "b';"]
        );
    }

    #[test]
    fn verdicts_from_expected_output() {
        let sql = "SELECT 1;\nSELEC 2;\n\nCREATE FUNCTION f() RETURNS int AS 'not sql' LANGUAGE sql;\nSELECT * FROM nope;\nSELECT 3; SELEC 4;\n";
        let out = "SELECT 1;\n ?column? \n----------\n        1\n(1 row)\n\nSELEC 2;\nERROR:  syntax error at or near \"SELEC\"\nLINE 1: SELEC 2;\n        ^\nCREATE FUNCTION f() RETURNS int AS 'not sql' LANGUAGE sql;\nERROR:  syntax error at or near \"not\"\nLINE 1: CREATE FUNCTION f() RETURNS int AS 'not sql' LANGUAGE sql;\n                                            ^\nSELECT * FROM nope;\nERROR:  relation \"nope\" does not exist\nLINE 1: SELECT * FROM nope;\n                      ^\nSELECT 3; SELEC 4;\n ?column? \n----------\n        3\n(1 row)\n\nERROR:  syntax error at or near \"SELEC\"\nLINE 1: SELEC 4;\n        ^\n";
        let f = split_file("t", sql, Some(out), &HashMap::new());
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let v: Vec<(bool, Option<&str>)> = f.statements.iter().map(|s| (s.pg_accepts, s.pg_error.as_deref())).collect();
        assert_eq!(
            v,
            vec![
                (true, None),
                (false, Some("syntax error at or near \"SELEC\"")),
                (true, Some("syntax error at or near \"not\"")),
                (true, Some("relation \"nope\" does not exist")),
                (true, None),
                (false, Some("syntax error at or near \"SELEC\"")),
            ]
        );
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "SELECT",
            " ",
            "\n",
            ";",
            "'",
            "\"",
            "$$",
            "$a$",
            "E'",
            "\\",
            "\\;",
            "\\g",
            "\\if",
            " true",
            "\\endif",
            "\\else",
            ":x",
            ":'x'",
            ":\"x\"",
            ":{?x}",
            "\\set x ",
            "/*",
            "*/",
            "--",
            "(",
            ")",
            "COPY t FROM stdin",
            "\\.",
            "CREATE FUNCTION f() BEGIN",
            "END",
            "é",
            "ERROR:  syntax error",
            "\nLINE 1: x\n",
            "^",
            "U&'",
            "x'",
            "\\copy t from stdin",
            "`",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let mut sql = String::new();
            let mut out = String::new();
            for _ in 0..(next() % 30) {
                sql.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            for _ in 0..(next() % 30) {
                out.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let _ = split_file("fuzz", &sql, Some(&out), &HashMap::new());
            let _ = split_file("fuzz", &sql, None, &HashMap::new());
            let _ = select_list_names(&sql);
        }
    }

    #[test]
    fn bool_values() {
        for (v, b) in [
            ("true", Some(true)),
            ("t", Some(true)),
            ("on", Some(true)),
            ("o", None),
            ("of", Some(false)),
            ("off", Some(false)),
            ("no", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("invalid", None),
        ] {
            assert_eq!(parse_bool(v), b, "{v}");
        }
    }
}
