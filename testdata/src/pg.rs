//! PostgreSQL as a [`Database`]: a minimal client for the simple-query
//! protocol, and throwaway databases for running files in.
//!
//! Why not the `postgres` crate: its simple-query API exposes neither the
//! command tag (only the row count, so `CREATE TABLE` and `DELETE 0` look the
//! same) nor the result column types; getting those through `prepare` runs
//! a second statement whose failure would abort an open transaction. The
//! simple-query protocol itself carries everything: the column type OIDs in
//! RowDescription, text-format values with NULL distinct from `'NULL'`, the
//! exact tag in CommandComplete, and SQLSTATE and message in ErrorResponse.

use std::collections::HashMap;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::{Database, DbError, Output, SESSION_SETTINGS};

/// OIDs below this are assigned at initdb and never change meaning.
const FIRST_NORMAL_OBJECT_ID: u32 = 16384;

/// Where a PostgreSQL server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgServer {
    pub host: String,
    pub port: u16,
    pub user: String,
}

impl PgServer {
    pub fn new(host: impl Into<String>, port: u16, user: impl Into<String>) -> PgServer {
        PgServer { host: host.into(), port, user: user.into() }
    }

    /// Connects to `database` (no session settings applied).
    pub fn connect(&self, database: &str) -> Result<PgDatabase, DbError> {
        PgDatabase::connect(&self.host, self.port, &self.user, database)
    }

    /// Creates a fresh database (`slt_<pid>_<n>`, from `template0`),
    /// connects to it and applies [`SESSION_SETTINGS`]. The database is
    /// dropped when the returned value is dropped.
    pub fn fresh_database(&self) -> Result<FreshDatabase, DbError> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!("slt_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        self.admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        self.admin(&format!("CREATE DATABASE {name} TEMPLATE template0"))?;
        let mut fresh = FreshDatabase { server: self.clone(), name, db: None };
        let mut db = self.connect(&fresh.name)?;
        for setting in SESSION_SETTINGS {
            db.run(setting)?;
        }
        fresh.db = Some(db);
        Ok(fresh)
    }

    /// Runs one statement in the `postgres` database.
    fn admin(&self, sql: &str) -> Result<Output, DbError> {
        let mut db = self.connect("postgres")?;
        db.run(sql)
    }
}

/// A database that exists for one run: dropped (with `FORCE`) on drop.
pub struct FreshDatabase {
    server: PgServer,
    name: String,
    db: Option<PgDatabase>,
}

impl FreshDatabase {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Database for FreshDatabase {
    fn run(&mut self, sql: &str) -> Result<Output, DbError> {
        match &mut self.db {
            Some(db) => db.run(sql),
            None => Err(DbError::client("not connected")),
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            db.close();
        }
        let _ = self.server.admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

/// One connection, running each statement with the simple-query protocol.
pub struct PgDatabase {
    reader: BufReader<TcpStream>,
    writer: BufWriter<TcpStream>,
    /// Names of the built-in types (OID below 16384), loaded once.
    builtin_types: HashMap<u32, String>,
    /// Transaction status from the last ReadyForQuery: `I`, `T` or `E`.
    status: u8,
}

type Rows = Vec<Vec<Option<String>>>;

/// One statement's result on the wire.
#[derive(Debug)]
enum WireResult {
    Rows { columns: Vec<u32>, rows: Vec<Vec<Option<String>>> },
    Command(String),
    Empty,
    Error(DbError),
}

/// What one simple query produced.
#[derive(Debug, Default)]
struct QueryOutcome {
    results: Vec<WireResult>,
    /// The statement started a COPY to or from the client.
    copy: bool,
}

fn io_error(e: io::Error) -> DbError {
    DbError::client(format!("connection: {e}"))
}

fn protocol_error(what: &str) -> DbError {
    DbError::client(format!("protocol error: {what}"))
}

impl PgDatabase {
    /// Connects with trust authentication.
    pub fn connect(host: &str, port: u16, user: &str, database: &str) -> Result<PgDatabase, DbError> {
        let addr = (host, port).to_socket_addrs().map_err(io_error)?.next().ok_or_else(|| DbError::client(format!("cannot resolve {host}")))?;
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| DbError::client(format!("cannot connect to PostgreSQL at {host}:{port}: {e}")))?;
        stream.set_nodelay(true).map_err(io_error)?;
        let mut db = PgDatabase {
            reader: BufReader::new(stream.try_clone().map_err(io_error)?),
            writer: BufWriter::new(stream),
            builtin_types: HashMap::new(),
            status: b'I',
        };
        db.startup(user, database)?;
        let types = db.simple(&format!("SELECT oid, typname FROM pg_catalog.pg_type WHERE oid < {FIRST_NORMAL_OBJECT_ID}"))?;
        db.builtin_types = type_rows(types)?;
        Ok(db)
    }

    /// Ends the session politely.
    pub fn close(mut self) {
        let _ = self.send(b'X', &[]);
    }

    fn startup(&mut self, user: &str, database: &str) -> Result<(), DbError> {
        let mut body = Vec::new();
        body.extend_from_slice(&196608i32.to_be_bytes());
        for (k, v) in [("user", user), ("database", database), ("client_encoding", "UTF8"), ("application_name", "oa-slt")] {
            put_cstr(&mut body, k)?;
            put_cstr(&mut body, v)?;
        }
        body.push(0);
        let len = i32::try_from(body.len() + 4).map_err(|_| protocol_error("startup too long"))?;
        self.writer.write_all(&len.to_be_bytes()).map_err(io_error)?;
        self.writer.write_all(&body).map_err(io_error)?;
        self.writer.flush().map_err(io_error)?;
        loop {
            let (tag, body) = self.read_message()?;
            match tag {
                b'R' => {
                    let code = read_i32(&body, 0)?;
                    if code != 0 {
                        return Err(DbError::client(format!(
                            "the server asks for authentication (method {code}); only trust authentication is supported"
                        )));
                    }
                }
                b'E' => return Err(parse_error(&body)),
                b'Z' => {
                    self.status = *body.first().ok_or_else(|| protocol_error("empty ReadyForQuery"))?;
                    return Ok(());
                }
                // ParameterStatus, BackendKeyData, NoticeResponse.
                b'S' | b'K' | b'N' => {}
                other => {
                    return Err(protocol_error(&format!("unexpected message {:?} at startup", other as char)));
                }
            }
        }
    }

    fn send(&mut self, tag: u8, body: &[u8]) -> Result<(), DbError> {
        let len = i32::try_from(body.len() + 4).map_err(|_| protocol_error("message too long"))?;
        self.writer.write_all(&[tag]).map_err(io_error)?;
        self.writer.write_all(&len.to_be_bytes()).map_err(io_error)?;
        self.writer.write_all(body).map_err(io_error)?;
        self.writer.flush().map_err(io_error)
    }

    fn read_message(&mut self) -> Result<(u8, Vec<u8>), DbError> {
        let mut head = [0u8; 5];
        self.reader.read_exact(&mut head).map_err(io_error)?;
        let len = i32::from_be_bytes([head[1], head[2], head[3], head[4]]);
        let len = usize::try_from(len).ok().and_then(|l| l.checked_sub(4)).ok_or_else(|| protocol_error("bad message length"))?;
        let mut body = vec![0u8; len];
        self.reader.read_exact(&mut body).map_err(io_error)?;
        Ok((head[0], body))
    }

    /// Sends one simple query and collects everything up to ReadyForQuery.
    fn simple_query(&mut self, sql: &str) -> Result<QueryOutcome, DbError> {
        let mut body = Vec::with_capacity(sql.len() + 1);
        put_cstr(&mut body, sql)?;
        self.send(b'Q', &body)?;
        let mut outcome = QueryOutcome::default();
        // The column types and rows of the result being received.
        let mut current: Option<(Vec<u32>, Rows)> = None;
        loop {
            let (tag, body) = self.read_message()?;
            match tag {
                b'T' => current = Some((parse_row_description(&body)?, Vec::new())),
                b'D' => match &mut current {
                    Some((_, rows)) => rows.push(parse_data_row(&body)?),
                    None => return Err(protocol_error("DataRow without RowDescription")),
                },
                b'C' => {
                    let tag = cstr(&body, 0)?.0;
                    outcome.results.push(match current.take() {
                        Some((columns, rows)) => WireResult::Rows { columns, rows },
                        None => WireResult::Command(tag),
                    });
                }
                b'I' => outcome.results.push(WireResult::Empty),
                b'E' => {
                    current = None;
                    outcome.results.push(WireResult::Error(parse_error(&body)));
                }
                b'G' => {
                    outcome.copy = true;
                    let mut msg = Vec::new();
                    put_cstr(&mut msg, "COPY FROM STDIN is not supported by the slt runner")?;
                    self.send(b'f', &msg)?;
                }
                b'H' | b'W' => outcome.copy = true,
                // CopyData, CopyDone, NoticeResponse, NotificationResponse,
                // ParameterStatus.
                b'd' | b'c' | b'N' | b'A' | b'S' => {}
                b'Z' => {
                    self.status = *body.first().ok_or_else(|| protocol_error("empty ReadyForQuery"))?;
                    return Ok(outcome);
                }
                other => {
                    return Err(protocol_error(&format!("unexpected message {:?}", other as char)));
                }
            }
        }
    }

    /// Runs an internal query that must succeed with rows.
    fn simple(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, DbError> {
        let outcome = self.simple_query(sql)?;
        match outcome.results.into_iter().next() {
            Some(WireResult::Rows { rows, .. }) => Ok(rows),
            Some(WireResult::Error(e)) => Err(DbError::client(format!("internal query failed: {e}"))),
            _ => Err(protocol_error("internal query returned no rows")),
        }
    }

    /// The `pg_type.typname` of each OID.
    fn type_names(&mut self, oids: &[u32]) -> Result<Vec<String>, DbError> {
        let unknown: Vec<String> = oids.iter().filter(|o| !self.builtin_types.contains_key(o)).map(|o| o.to_string()).collect();
        let mut user_types = HashMap::new();
        if !unknown.is_empty() {
            if self.status == b'E' {
                return Err(DbError::client("cannot look up result column types: the transaction is aborted"));
            }
            let rows = self.simple(&format!("SELECT oid, typname FROM pg_catalog.pg_type WHERE oid IN ({})", unknown.join(",")))?;
            user_types = type_rows(rows)?;
        }
        oids.iter()
            .map(|o| self.builtin_types.get(o).or_else(|| user_types.get(o)).cloned().ok_or_else(|| DbError::client(format!("unknown type OID {o}"))))
            .collect()
    }
}

impl PgDatabase {
    /// Has the server parse `sql` without running it (the extended
    /// protocol's Parse, into the unnamed statement): raw parsing, then
    /// parse analysis of what can be analysed. An error whose message starts
    /// with `syntax error` comes from the grammar (or the lexer).
    pub fn parse_only(&mut self, sql: &str) -> Result<(), DbError> {
        let mut body = Vec::with_capacity(sql.len() + 4);
        put_cstr(&mut body, "")?;
        put_cstr(&mut body, sql)?;
        body.extend_from_slice(&0i16.to_be_bytes());
        self.send(b'P', &body)?;
        self.send(b'S', &[])?;
        let mut result = Ok(());
        loop {
            let (tag, body) = self.read_message()?;
            match tag {
                b'1' | b'N' | b'A' | b'S' => {}
                b'E' => result = Err(parse_error(&body)),
                b'Z' => {
                    self.status = *body.first().ok_or_else(|| protocol_error("empty ReadyForQuery"))?;
                    return result;
                }
                other => {
                    return Err(protocol_error(&format!("unexpected message {:?}", other as char)));
                }
            }
        }
    }
}

impl Database for PgDatabase {
    fn run(&mut self, sql: &str) -> Result<Output, DbError> {
        let outcome = self.simple_query(sql)?;
        if outcome.copy {
            return Err(DbError::client("COPY FROM STDIN / TO STDOUT is not supported by the slt runner: use a server-side file"));
        }
        let mut results = outcome.results;
        if results.len() != 1 {
            return Err(DbError::client(format!("the record's SQL ran as {} statements; a record must be exactly one statement", results.len())));
        }
        match results.pop() {
            Some(WireResult::Error(e)) => Err(e),
            Some(WireResult::Command(tag)) => Ok(Output::Command { tag }),
            Some(WireResult::Empty) => Ok(Output::Command { tag: String::new() }),
            Some(WireResult::Rows { columns, rows }) => {
                let types = self.type_names(&columns)?;
                Ok(Output::Rows { types, rows })
            }
            None => Err(protocol_error("no result")),
        }
    }
}

fn type_rows(rows: Vec<Vec<Option<String>>>) -> Result<HashMap<u32, String>, DbError> {
    rows.into_iter()
        .map(|r| match r.as_slice() {
            [Some(oid), Some(name)] => oid.parse::<u32>().map(|o| (o, name.clone())).map_err(|_| protocol_error("bad OID")),
            _ => Err(protocol_error("bad pg_type row")),
        })
        .collect()
}

fn put_cstr(buf: &mut Vec<u8>, s: &str) -> Result<(), DbError> {
    if s.contains('\0') {
        return Err(DbError::client("SQL text contains a NUL character"));
    }
    buf.extend_from_slice(s.as_bytes());
    buf.push(0);
    Ok(())
}

fn read_i32(body: &[u8], at: usize) -> Result<i32, DbError> {
    body.get(at..at + 4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(|| protocol_error("short message"))
}

fn read_i16(body: &[u8], at: usize) -> Result<i16, DbError> {
    body.get(at..at + 2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or_else(|| protocol_error("short message"))
}

/// A NUL-terminated string at `at`, and the offset after it.
fn cstr(body: &[u8], at: usize) -> Result<(String, usize), DbError> {
    let rest = body.get(at..).ok_or_else(|| protocol_error("short message"))?;
    let end = rest.iter().position(|&b| b == 0).ok_or_else(|| protocol_error("unterminated string"))?;
    let s = String::from_utf8(rest[..end].to_vec()).map_err(|_| protocol_error("invalid UTF-8"))?;
    Ok((s, at + end + 1))
}

fn parse_row_description(body: &[u8]) -> Result<Vec<u32>, DbError> {
    let n = read_i16(body, 0)?;
    let mut at = 2;
    let mut oids = Vec::new();
    for _ in 0..n {
        let (_name, next) = cstr(body, at)?;
        at = next;
        // table OID (4), column number (2), type OID (4), type size (2),
        // type modifier (4), format (2)
        let oid = read_i32(body, at + 6)?;
        oids.push(oid as u32);
        at += 18;
    }
    Ok(oids)
}

fn parse_data_row(body: &[u8]) -> Result<Vec<Option<String>>, DbError> {
    let n = read_i16(body, 0)?;
    let mut at = 2;
    let mut row = Vec::with_capacity(n.max(0) as usize);
    for _ in 0..n {
        let len = read_i32(body, at)?;
        at += 4;
        if len < 0 {
            row.push(None);
            continue;
        }
        let len = len as usize;
        let bytes = body.get(at..at + len).ok_or_else(|| protocol_error("short DataRow"))?;
        row.push(Some(String::from_utf8(bytes.to_vec()).map_err(|_| protocol_error("value is not UTF-8"))?));
        at += len;
    }
    Ok(row)
}

fn parse_error(body: &[u8]) -> DbError {
    let mut sqlstate = String::new();
    let mut message = String::new();
    let mut at = 0;
    while at < body.len() && body[at] != 0 {
        let field = body[at];
        let Ok((value, next)) = cstr(body, at + 1) else {
            break;
        };
        match field {
            b'C' => sqlstate = value,
            b'M' => message = value,
            _ => {}
        }
        at = next;
    }
    if sqlstate.is_empty() {
        return DbError::client(format!("error response without SQLSTATE: {message}"));
    }
    DbError { sqlstate, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wire_messages() {
        let mut body = Vec::new();
        body.extend_from_slice(&2i16.to_be_bytes());
        for (name, oid) in [("a", 23u32), ("b", 25)] {
            body.extend_from_slice(name.as_bytes());
            body.push(0);
            body.extend_from_slice(&0i32.to_be_bytes());
            body.extend_from_slice(&0i16.to_be_bytes());
            body.extend_from_slice(&oid.to_be_bytes());
            body.extend_from_slice(&4i16.to_be_bytes());
            body.extend_from_slice(&(-1i32).to_be_bytes());
            body.extend_from_slice(&0i16.to_be_bytes());
        }
        assert_eq!(parse_row_description(&body).unwrap(), vec![23, 25]);

        let mut row = Vec::new();
        row.extend_from_slice(&3i16.to_be_bytes());
        row.extend_from_slice(&1i32.to_be_bytes());
        row.push(b'1');
        row.extend_from_slice(&(-1i32).to_be_bytes());
        row.extend_from_slice(&0i32.to_be_bytes());
        assert_eq!(parse_data_row(&row).unwrap(), vec![Some("1".to_string()), None, Some(String::new())]);
        assert!(parse_data_row(&row[..row.len() - 2]).is_err());

        let err = b"SERROR\0C23505\0Mduplicate key\0\0";
        assert_eq!(parse_error(err), DbError { sqlstate: "23505".into(), message: "duplicate key".into() });
        assert!(parse_error(b"Mno code\0\0").is_client_error());
    }
}
