//! The `.slt` file format: parsing, field escaping and writing.

use std::fmt;
use std::path::{Path, PathBuf};

/// A parsed `.slt` file: its records, and the comment and blank lines
/// between them kept verbatim so that a recorded file keeps its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SltFile {
    pub path: PathBuf,
    pub items: Vec<Item>,
    /// Whether the text ended with a newline.
    pub trailing_newline: bool,
}

/// One line-level piece of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A blank line or a `#` comment line between records, verbatim.
    Text(String),
    Record(Record),
}

/// One record: its directive, its SQL and its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the directive.
    pub line: usize,
    pub kind: RecordKind,
    /// The SQL, its lines joined with `\n` (empty for `halt`).
    pub sql: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortMode {
    /// Compare rows in the order the database returned them.
    NoSort,
    /// Sort both sides (bytewise on the encoded lines) before comparing.
    RowSort,
}

impl SortMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SortMode::NoSort => "nosort",
            SortMode::RowSort => "rowsort",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKind {
    /// `statement ok`
    StatementOk,
    /// `statement count N` (`None`: written as `statement count`, to be recorded).
    StatementCount(Option<u64>),
    /// `statement error SQLSTATE message` (`None`: written as
    /// `statement error`, to be recorded).
    StatementError(Option<ExpectedError>),
    /// `query [TYPES] [rowsort|nosort]`, then `----` and the rows.
    Query {
        /// `None` when the record has no types yet (to be recorded).
        types: Option<Vec<String>>,
        /// `None` when the author gave no sort mode (which means `nosort`).
        sort: Option<SortMode>,
        /// `None` when the record has no `----` section yet.
        rows: Option<Vec<Vec<Option<String>>>>,
    },
    /// `halt`: stop the file here.
    Halt,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedError {
    pub sqlstate: String,
    pub message: String,
}

/// A malformed `.slt` file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct ParseError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// The text of an empty string field.
pub const EMPTY_FIELD: &str = "(empty)";
/// The text of a NULL field.
pub const NULL_FIELD: &str = "\\N";

/// Encodes one value for a result line: COPY-text-style escapes (`\\`, `\t`,
/// `\n`, `\r`), `\N` for NULL, `(empty)` for the empty string and
/// `\(empty)` for the string `(empty)`.
pub fn encode_field(value: Option<&str>) -> String {
    let Some(s) = value else {
        return NULL_FIELD.to_string();
    };
    if s.is_empty() {
        return EMPTY_FIELD.to_string();
    }
    if s == EMPTY_FIELD {
        return format!("\\{EMPTY_FIELD}");
    }
    escape_text(s)
}

/// Escapes `\`, tab, newline and carriage return.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Undoes [`escape_text`]; any other backslash sequence is an error.
fn unescape_text(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => return Err(format!("invalid escape \\{other} in {s:?}")),
            None => return Err(format!("dangling backslash at the end of {s:?}")),
        }
    }
    Ok(out)
}

/// Decodes one field of a result line (the inverse of [`encode_field`]).
pub fn decode_field(field: &str) -> Result<Option<String>, String> {
    match field {
        NULL_FIELD => Ok(None),
        EMPTY_FIELD => Ok(Some(String::new())),
        "\\(empty)" => Ok(Some(EMPTY_FIELD.to_string())),
        "" => Err("empty field (write an empty string as (empty))".to_string()),
        _ => unescape_text(field).map(Some),
    }
}

/// Encodes a row as one line: fields separated by one tab. A row of zero
/// columns is written `()`.
pub fn encode_row(row: &[Option<String>]) -> String {
    if row.is_empty() {
        return "()".to_string();
    }
    let mut line = String::new();
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            line.push('\t');
        }
        line.push_str(&encode_field(v.as_deref()));
    }
    line
}

fn decode_row(line: &str, ncols: Option<usize>) -> Result<Vec<Option<String>>, String> {
    if ncols == Some(0) {
        return if line == "()" { Ok(Vec::new()) } else { Err(format!("a result of zero columns has rows written as (), found {line:?}")) };
    }
    let row = line.split('\t').map(decode_field).collect::<Result<Vec<_>, _>>()?;
    if let Some(n) = ncols
        && row.len() != n
    {
        return Err(format!("row has {} fields but the record declares {n} types", row.len()));
    }
    Ok(row)
}

/// Writes the types list of a `query` directive: comma-separated, `()` for a
/// result without columns.
fn encode_types(types: &[String]) -> String {
    if types.is_empty() { "()".to_string() } else { types.join(",") }
}

/// Whether a type name can be written in a `query` directive.
pub(crate) fn type_name_is_writable(name: &str) -> bool {
    !name.is_empty() && name != "()" && name != "rowsort" && name != "nosort" && !name.chars().any(|c| c == ',' || c.is_whitespace())
}

fn is_sqlstate(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

/// Parses `.slt` text. `path` is used in error messages only.
pub fn parse_file(path: impl AsRef<Path>, text: &str) -> Result<SltFile, ParseError> {
    let path = path.as_ref().to_path_buf();
    let err = |line: usize, message: String| ParseError { path: path.clone(), line, message };
    let trailing_newline = text.ends_with('\n');
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = if text.is_empty() { Vec::new() } else { body.split('\n').collect() };

    let mut items = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let line = lines[i];
        if line.is_empty() || line.starts_with('#') {
            items.push(Item::Text(line.to_string()));
            i += 1;
            continue;
        }
        let words: Vec<&str> = line.split(' ').collect();
        if words.iter().any(|w| w.is_empty()) && !line.starts_with("statement error ") {
            return Err(err(line_no, format!("malformed directive {line:?} (words are separated by one space)")));
        }
        let kind = match words[0] {
            "statement" => match words.get(1).copied() {
                Some("ok") if words.len() == 2 => RecordKind::StatementOk,
                Some("count") if words.len() == 2 => RecordKind::StatementCount(None),
                Some("count") if words.len() == 3 => {
                    let n = words[2].parse::<u64>().map_err(|_| err(line_no, format!("statement count: bad count {:?}", words[2])))?;
                    RecordKind::StatementCount(Some(n))
                }
                Some("error") if line == "statement error" => RecordKind::StatementError(None),
                Some("error") => {
                    let rest = &line["statement error ".len()..];
                    let (sqlstate, message) = rest.split_once(' ').ok_or_else(|| {
                        err(line_no, "statement error needs both a SQLSTATE and a message (or neither, to be recorded)".to_string())
                    })?;
                    if !is_sqlstate(sqlstate) {
                        return Err(err(line_no, format!("bad SQLSTATE {sqlstate:?}")));
                    }
                    if message.is_empty() {
                        return Err(err(line_no, "statement error: empty message".to_string()));
                    }
                    let message = unescape_text(message).map_err(|m| err(line_no, m))?;
                    RecordKind::StatementError(Some(ExpectedError { sqlstate: sqlstate.to_string(), message }))
                }
                _ => {
                    return Err(err(
                        line_no,
                        format!("unknown directive {line:?} (expected statement ok, statement count N or statement error SQLSTATE message)"),
                    ));
                }
            },
            "query" => {
                let mut args = &words[1..];
                let mut sort = None;
                if let Some(&last) = args.last() {
                    match last {
                        "rowsort" => sort = Some(SortMode::RowSort),
                        "nosort" => sort = Some(SortMode::NoSort),
                        _ => {}
                    }
                    if sort.is_some() {
                        args = &args[..args.len() - 1];
                    }
                }
                let types = match args {
                    [] => None,
                    ["()"] => Some(Vec::new()),
                    [types] => {
                        let types: Vec<String> = types.split(',').map(str::to_string).collect();
                        if let Some(bad) = types.iter().find(|t| !type_name_is_writable(t)) {
                            return Err(err(line_no, format!("query: bad type name {bad:?}")));
                        }
                        Some(types)
                    }
                    _ => {
                        return Err(err(line_no, format!("malformed directive {line:?} (expected query TYPES [rowsort|nosort])")));
                    }
                };
                RecordKind::Query { types, sort, rows: None }
            }
            "halt" if words.len() == 1 => RecordKind::Halt,
            _ => {
                return Err(err(line_no, format!("unknown directive {line:?} (expected statement, query, halt, a # comment or a blank line)")));
            }
        };
        i += 1;

        if kind == RecordKind::Halt {
            if i < lines.len() && !lines[i].is_empty() {
                return Err(err(i + 1, "halt must be followed by a blank line".to_string()));
            }
            items.push(Item::Record(Record { line: line_no, kind, sql: String::new() }));
            continue;
        }

        // The SQL: up to a blank line, or `----` for a query.
        let sql_start = i;
        while i < lines.len() && !lines[i].is_empty() && lines[i] != "----" {
            i += 1;
        }
        if i == sql_start {
            return Err(err(line_no, "record has no SQL".to_string()));
        }
        let sql = lines[sql_start..i].join("\n");
        let mut kind = kind;
        if i < lines.len() && lines[i] == "----" {
            let RecordKind::Query { types, .. } = &mut kind else {
                return Err(err(i + 1, "---- in a statement record (only query records have results)".to_string()));
            };
            let ncols = types.as_ref().map(Vec::len);
            if ncols.is_none() {
                return Err(err(line_no, "query has results but no types".to_string()));
            }
            i += 1;
            let mut rows = Vec::new();
            while i < lines.len() && !lines[i].is_empty() {
                rows.push(decode_row(lines[i], ncols).map_err(|m| err(i + 1, m))?);
                i += 1;
            }
            if let RecordKind::Query { rows: r, .. } = &mut kind {
                *r = Some(rows);
            }
        }
        items.push(Item::Record(Record { line: line_no, kind, sql }));
    }
    Ok(SltFile { path, items, trailing_newline })
}

impl Record {
    /// The directive line, e.g. `query int4,text rowsort`.
    pub fn directive(&self) -> String {
        match &self.kind {
            RecordKind::StatementOk => "statement ok".to_string(),
            RecordKind::StatementCount(None) => "statement count".to_string(),
            RecordKind::StatementCount(Some(n)) => format!("statement count {n}"),
            RecordKind::StatementError(None) => "statement error".to_string(),
            RecordKind::StatementError(Some(e)) => {
                format!("statement error {} {}", e.sqlstate, escape_text(&e.message))
            }
            RecordKind::Query { types, sort, .. } => {
                let mut s = "query".to_string();
                if let Some(types) = types {
                    s.push(' ');
                    s.push_str(&encode_types(types));
                }
                if let Some(sort) = sort {
                    s.push(' ');
                    s.push_str(sort.as_str());
                }
                s
            }
            RecordKind::Halt => "halt".to_string(),
        }
    }

    /// The whole record as it is written in a file (no trailing newline).
    pub fn to_text(&self) -> String {
        let mut s = self.directive();
        if !self.sql.is_empty() {
            s.push('\n');
            s.push_str(&self.sql);
        }
        if let RecordKind::Query { rows: Some(rows), .. } = &self.kind {
            s.push_str("\n----");
            for row in rows {
                s.push('\n');
                s.push_str(&encode_row(row));
            }
        }
        s
    }
}

impl fmt::Display for SltFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            match item {
                Item::Text(t) => out.push_str(t),
                Item::Record(r) => out.push_str(&r.to_text()),
            }
        }
        if self.trailing_newline && !self.items.is_empty() {
            out.push('\n');
        }
        f.write_str(&out)
    }
}

impl SltFile {
    /// The records, in order.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.items.iter().filter_map(|i| match i {
            Item::Record(r) => Some(r),
            Item::Text(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# a comment
statement ok
CREATE TABLE t (a int PRIMARY KEY, b text)

statement count 3
INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, '')

statement error 23505 duplicate key value violates unique constraint \"t_pkey\"
INSERT INTO t VALUES (1, 'y')

# two comments
# in a row

query int4,text rowsort
SELECT a, b
FROM t
----
1\tx
2\t\\N
3\t(empty)

query int4 nosort
SELECT 1 WHERE false
----

query ()
SELECT FROM t
----
()
()
()

statement error
SELECT 1/0

statement count
DELETE FROM t

query rowsort
SELECT 1

halt

this is not a directive
";

    #[test]
    fn round_trip_sample() {
        // The sample ends in junk after halt: cut it for the round trip.
        let text = &SAMPLE[..SAMPLE.find("halt").unwrap() + 5];
        let file = parse_file("x.slt", text).unwrap();
        assert_eq!(file.to_string(), text);
        let records: Vec<_> = file.records().collect();
        assert_eq!(records.len(), 10);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[3].sql, "SELECT a, b\nFROM t");
        assert_eq!(
            records[3].kind,
            RecordKind::Query {
                types: Some(vec!["int4".into(), "text".into()]),
                sort: Some(SortMode::RowSort),
                rows: Some(
                    vec![vec![Some("1".into()), Some("x".into())], vec![Some("2".into()), None], vec![Some("3".into()), Some(String::new())],]
                ),
            }
        );
        assert_eq!(records[4].kind, RecordKind::Query { types: Some(vec!["int4".into()]), sort: Some(SortMode::NoSort), rows: Some(vec![]) });
        assert_eq!(records[5].kind, RecordKind::Query { types: Some(vec![]), sort: None, rows: Some(vec![vec![], vec![], vec![]]) });
        assert_eq!(records[6].kind, RecordKind::StatementError(None));
        assert_eq!(records[7].kind, RecordKind::StatementCount(None));
        assert_eq!(records[8].kind, RecordKind::Query { types: None, sort: Some(SortMode::RowSort), rows: None });
    }

    #[test]
    fn text_after_halt_is_still_checked() {
        // halt stops running, not parsing: what follows must still be
        // well-formed.
        let err = parse_file("x.slt", SAMPLE).unwrap_err();
        assert!(err.to_string().starts_with("x.slt:"), "{err}");
    }

    #[test]
    fn field_escaping_round_trips() {
        let values = [
            None,
            Some(""),
            Some("(empty)"),
            Some("\\(empty)"),
            Some("a\tb\nc\rd\\e"),
            Some("\\N"),
            Some("NULL"),
            Some("  padded  "),
            Some("ünïcödé"),
        ];
        for v in values {
            let enc = encode_field(v);
            assert!(!enc.is_empty());
            assert!(!enc.contains(['\t', '\n', '\r']));
            assert_eq!(decode_field(&enc).unwrap().as_deref(), v, "{enc}");
        }
        assert_eq!(encode_field(None), "\\N");
        assert_eq!(encode_field(Some("")), "(empty)");
        assert_eq!(encode_field(Some("(empty)")), "\\(empty)");
        assert_eq!(encode_field(Some("a\\b")), "a\\\\b");
        assert_eq!(encode_field(Some("\\N")), "\\\\N");
        assert!(decode_field("a\\x").is_err());
        assert!(decode_field("a\\").is_err());
        assert!(decode_field("").is_err());
    }

    #[test]
    fn error_message_escaping() {
        let text = "statement error P0001 line one\\nline two \\\\ end\nDO $$ BEGIN RAISE 'x'; END $$\n";
        let file = parse_file("e.slt", text).unwrap();
        let r = file.records().next().unwrap();
        assert_eq!(r.kind, RecordKind::StatementError(Some(ExpectedError { sqlstate: "P0001".into(), message: "line one\nline two \\ end".into() })));
        assert_eq!(file.to_string(), text);
    }

    #[test]
    fn trailing_spaces_are_significant() {
        let text = "query bpchar\nSELECT 'a'::char(3)\n----\na  \n";
        let file = parse_file("p.slt", text).unwrap();
        let RecordKind::Query { rows, .. } = &file.records().next().unwrap().kind else { panic!() };
        assert_eq!(rows.as_ref().unwrap()[0][0].as_deref(), Some("a  "));
        assert_eq!(file.to_string(), text);
    }

    #[test]
    fn no_trailing_newline() {
        let text = "statement ok\nSELECT 1";
        assert_eq!(parse_file("n.slt", text).unwrap().to_string(), text);
        assert_eq!(parse_file("n.slt", "").unwrap().to_string(), "");
        assert_eq!(parse_file("n.slt", "\n").unwrap().to_string(), "\n");
    }

    fn parse_err(text: &str) -> String {
        parse_file("bad.slt", text).unwrap_err().to_string()
    }

    #[test]
    fn malformed_files_are_errors_with_lines() {
        assert!(parse_err("statement okay\nSELECT 1\n").starts_with("bad.slt:1: unknown directive"));
        assert!(parse_err("\n\nselect 1\n").starts_with("bad.slt:3: unknown directive"));
        assert!(parse_err("statement ok\n\n").starts_with("bad.slt:1: record has no SQL"));
        assert!(parse_err("statement ok\n").starts_with("bad.slt:1: record has no SQL"));
        assert!(parse_err("statement count x\nSELECT 1\n").contains("bad count"));
        assert!(parse_err("statement count 1 2\nSELECT 1\n").contains("unknown directive"));
        assert!(parse_err("statement error 2350 msg\nSELECT 1\n").contains("bad SQLSTATE"));
        assert!(parse_err("statement error 23505\nSELECT 1\n").contains("both a SQLSTATE"));
        assert!(parse_err("statement ok\nSELECT 1\n----\n1\n").starts_with("bad.slt:3: ----"));
        assert!(parse_err("query\nSELECT 1\n----\n1\n").contains("no types"));
        assert!(parse_err("query int4\nSELECT 1, 2\n----\n1\t2\n").starts_with("bad.slt:4: row has 2 fields"));
        assert!(parse_err("query int4\nSELECT ''\n----\n\\q\n").contains("invalid escape"));
        assert!(parse_err("query int4 text\nSELECT 1\n").contains("malformed directive"));
        assert!(parse_err("query int4  rowsort\nSELECT 1\n").contains("malformed directive"));
        assert!(parse_err("query int4,,text\nSELECT 1\n").contains("bad type name"));
        assert!(parse_err("query ()\nSELECT\n----\nx\n").contains("zero columns"));
        assert!(parse_err("halt\nSELECT 1\n").contains("blank line"));
        assert!(parse_err("halt now\n").contains("unknown directive"));
    }

    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "statement",
            " ok",
            " error",
            " count",
            "query",
            " int4",
            " rowsort",
            "\n",
            "----",
            "\t",
            "\\",
            "\\N",
            "(empty)",
            "#",
            "halt",
            " ",
            "x",
            "é",
            "\r",
            "()",
        ];
        // A deterministic pseudo-random walk over the pieces.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            if let Ok(file) = parse_file("fuzz.slt", &text) {
                // Whatever parses writes back to something that parses to
                // the same records (layout may be normalised).
                let again = parse_file("fuzz.slt", &file.to_string()).unwrap();
                let a: Vec<_> = file.records().map(|r| (&r.kind, &r.sql)).collect();
                let b: Vec<_> = again.records().map(|r| (&r.kind, &r.sql)).collect();
                assert_eq!(a, b, "{text:?}");
            }
        }
    }
}
