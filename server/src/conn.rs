//! One connection's session. The runtime's `Session` is synchronous, so each
//! connection gets a thread of its own that owns the session and takes
//! protocol messages from a channel; its output goes back through another
//! channel to the connection's socket writer. A long query therefore never
//! stalls another connection, and the loop has one place where asynchronous
//! events (cancel, shutdown, and later LISTEN/NOTIFY) arrive: the inbox.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use oa_grammar::ast::{self, Statement};
use oa_ir::expr::ScalarExpr;
use oa_ir::io::IoContext;
use oa_ir::types::{SqlType, oid};
use oa_ir::{Datum, Error, SqlState};
use oa_runtime::{Engine, Field, Outcome, Session};
use pgwire::messages::PgWireBackendMessage as B;
use pgwire::messages::data::{FieldDescription, NoData, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{BindComplete, CloseComplete, ParseComplete, PortalSuspended};
use pgwire::messages::response::{CommandComplete, EmptyQueryResponse, ErrorResponse, NoticeResponse, ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::{BackendKeyData, ParameterStatus, SecretKey};
use tokio::sync::{mpsc, oneshot};

use crate::frontend::{Message, ProtocolError};
use crate::log;
use crate::values;

/// What the socket reader hands the session thread.
#[derive(Debug)]
pub enum Input {
    Message(Message),
    /// The client broke the protocol: FATAL 08P01, then close.
    Fatal(ProtocolError),
    /// Server shutdown: FATAL 57P01, then close.
    Shutdown,
}

/// What the session thread hands the socket writer.
#[derive(Debug)]
pub enum Output {
    Data(Bytes),
    Close,
}

/// The authenticated client's startup packet.
#[derive(Clone, Debug)]
pub struct StartupInfo {
    pub user: String,
    pub database: String,
    pub params: Vec<(String, String)>,
    pub peer: String,
}

/// Backend PID and secret key → the session's cancel flag (CancelRequest).
#[derive(Default)]
pub struct CancelRegistry {
    map: Mutex<HashMap<i32, (i32, Arc<AtomicBool>)>>,
}

impl CancelRegistry {
    pub fn register(&self, pid: i32, key: i32, flag: Arc<AtomicBool>) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(pid, (key, flag));
        }
    }

    pub fn unregister(&self, pid: i32) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(&pid);
        }
    }

    /// Sets the cancel flag of the session whose PID and key match.
    pub fn cancel(&self, pid: i32, key: &[u8]) -> bool {
        let Ok(m) = self.map.lock() else { return false };
        match m.get(&pid) {
            Some((k, flag)) if key == k.to_be_bytes() => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }
}

struct Unregister<'a>(&'a CancelRegistry, i32);

impl Drop for Unregister<'_> {
    fn drop(&mut self) {
        self.0.unregister(self.1);
    }
}

/// Output is handed to the socket writer in chunks of about this size.
const FLUSH_AT: usize = 64 * 1024;

/// The parameters PostgreSQL 15 reports with ParameterStatus (GUC_REPORT).
const REPORTED: [&str; 13] = [
    "application_name",
    "client_encoding",
    "DateStyle",
    "default_transaction_read_only",
    "in_hot_standby",
    "integer_datetimes",
    "IntervalStyle",
    "is_superuser",
    "server_encoding",
    "server_version",
    "session_authorization",
    "standard_conforming_strings",
    "TimeZone",
];

/// A statement from Parse.
struct Prepared {
    sql: String,
    /// None for an empty query string.
    stmt: Option<Statement>,
    param_types: Vec<SqlType>,
    /// Result columns once described (None inside: the statement returns no rows).
    fields: RefCell<Option<Option<Vec<Field>>>>,
}

/// A portal from Bind.
struct Portal {
    stmt: Rc<Prepared>,
    params: Vec<Datum>,
    result_formats: Vec<i16>,
    /// Filled by the first Execute.
    result: Option<PortalResult>,
}

struct PortalResult {
    fields: Vec<Field>,
    rows: VecDeque<Vec<Option<String>>>,
    tag: String,
}

/// The session thread's state.
pub struct Worker {
    session: Session,
    user: String,
    cancel: Arc<AtomicBool>,
    out: BytesMut,
    outbox: mpsc::Sender<Output>,
    /// Terminate, a FATAL error, or the client went away: stop.
    closed: bool,
    statements: HashMap<String, Rc<Prepared>>,
    portals: HashMap<String, Portal>,
    /// After an error in an extended-protocol message: ignore until Sync.
    skip_until_sync: bool,
    reported: HashMap<&'static str, String>,
}

/// The session thread's body: startup work, then one message at a time.
pub fn run(
    engine: Arc<Engine>,
    startup: StartupInfo,
    registry: Arc<CancelRegistry>,
    mut inbox: mpsc::Receiver<Input>,
    outbox: mpsc::Sender<Output>,
    ready: oneshot::Sender<Arc<AtomicBool>>,
) {
    let session = engine.connect(&startup.user, &startup.database);
    let cancel = session.cancel_flag();
    let _ = ready.send(cancel.clone());
    let mut w = Worker {
        session,
        user: startup.user.clone(),
        cancel: cancel.clone(),
        out: BytesMut::with_capacity(8192),
        outbox,
        closed: false,
        statements: HashMap::new(),
        portals: HashMap::new(),
        skip_until_sync: false,
        reported: HashMap::new(),
    };
    let pid = w.backend_pid();
    let key = crate::auth::random_i32();
    registry.register(pid, key, cancel);
    let _unregister = Unregister(&registry, pid);

    if let Err(e) = w.apply_startup_params(&startup.params) {
        log::fatal(format!("connection from {}: {}", startup.peer, e.message));
        w.fatal(&e);
        return;
    }
    w.report_changed_parameters();
    w.send(B::BackendKeyData(BackendKeyData::new(pid, SecretKey::I32(key))));
    w.ready_for_query();

    while !w.closed {
        let Some(input) = inbox.blocking_recv() else { break };
        match input {
            Input::Message(m) => {
                let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.handle(m)));
                if handled.is_err() {
                    log::fatal(format!("connection from {}: internal error while handling a message", startup.peer));
                    w.out.clear();
                    w.fatal(&Error::internal("internal error; the connection is closed"));
                }
            }
            Input::Fatal(p) => {
                log::fatal(format!("connection from {}: {}", startup.peer, p.0));
                w.fatal(&Error::new(SqlState::PROTOCOL_VIOLATION, p.0));
            }
            Input::Shutdown => w.fatal(&Error::new(SqlState::ADMIN_SHUTDOWN, "terminating connection due to administrator command")),
        }
    }
    w.flush();
}

impl Worker {
    // ------------------------------------------------------------ output

    fn send(&mut self, m: B) {
        let at = self.out.len();
        if let Err(e) = m.encode(&mut self.out) {
            self.out.truncate(at);
            log::warning(format!("could not encode a message: {e}"));
        }
        if self.out.len() >= FLUSH_AT {
            self.flush();
        }
    }

    fn flush(&mut self) {
        flush_to(&self.outbox, &mut self.out, &mut self.closed);
    }

    fn fatal(&mut self, e: &Error) {
        self.send(B::ErrorResponse(ErrorResponse::new(error_fields("FATAL", e))));
        self.flush();
        let _ = self.outbox.blocking_send(Output::Close);
        self.closed = true;
    }

    fn error(&mut self, e: &Error) {
        self.send(B::ErrorResponse(ErrorResponse::new(error_fields("ERROR", e))));
    }

    /// NOTICEs and WARNINGs the last statement raised, filtered by client_min_messages.
    fn send_notices(&mut self) {
        let notices = self.session.take_notices();
        if notices.is_empty() {
            return;
        }
        let min = message_rank(&self.session.settings().show("client_min_messages").unwrap_or_default());
        for n in notices {
            if message_rank(n.severity) < min && n.severity != "INFO" {
                continue;
            }
            let fields =
                vec![(b'S', n.severity.to_string()), (b'V', n.severity.to_string()), (b'C', n.code.code().to_string()), (b'M', n.message.clone())];
            self.send(B::NoticeResponse(NoticeResponse::new(fields)));
        }
    }

    fn ready_for_query(&mut self) {
        self.report_changed_parameters();
        let status = match self.session.transaction_status() {
            b'T' => TransactionStatus::Transaction,
            b'E' => TransactionStatus::Error,
            _ => TransactionStatus::Idle,
        };
        self.send(B::ReadyForQuery(ReadyForQuery::new(status)));
        self.flush();
    }

    /// ParameterStatus for each reported parameter whose value changed
    /// (all of them the first time), as PostgreSQL does before ReadyForQuery.
    fn report_changed_parameters(&mut self) {
        for name in REPORTED {
            let value = match name {
                "session_authorization" => self.user.clone(),
                "in_hot_standby" => "off".to_string(),
                _ => self.session.settings().show(name).unwrap_or_default(),
            };
            if self.reported.get(name) != Some(&value) {
                self.send(B::ParameterStatus(ParameterStatus::new(name.to_string(), value.clone())));
                self.reported.insert(name, value);
            }
        }
    }

    // ------------------------------------------------------------ startup

    /// pg_backend_pid() of the session, which BackendKeyData reports.
    fn backend_pid(&mut self) -> i32 {
        let pid = match self.session.execute("SELECT pg_catalog.pg_backend_pid()") {
            Ok(outcomes) => match outcomes.first() {
                Some(Outcome::Rows { rows, .. }) => rows.first().and_then(|r| r.first()).cloned().flatten().and_then(|v| v.parse().ok()),
                _ => None,
            },
            Err(_) => None,
        };
        self.session.take_notices();
        pid.unwrap_or_else(|| crate::auth::random_i32() & 0x3fff_ffff)
    }

    /// Startup-packet parameters become settings: first `options`
    /// (`-c name=value`, `--name=value`), then the others, as PostgreSQL does.
    fn apply_startup_params(&mut self, params: &[(String, String)]) -> Result<(), Error> {
        let mut settings = Vec::new();
        for (k, v) in params {
            if k == "options" {
                settings.extend(parse_options(v)?);
            }
        }
        for (k, v) in params {
            match k.as_str() {
                "user" | "database" | "options" | "replication" => {}
                k if k.starts_with("_pq_.") => {}
                _ => settings.push((k.clone(), v.clone())),
            }
        }
        for (name, value) in settings {
            let sql = format!("SELECT pg_catalog.set_config({}, {}, false)", quote_literal(&name), quote_literal(&value));
            self.session.execute(&sql).map_err(|mut e| {
                e.position = None;
                e
            })?;
        }
        self.session.take_notices();
        Ok(())
    }

    // ------------------------------------------------------------ dispatch

    fn handle(&mut self, m: Message) {
        if self.skip_until_sync && !matches!(m, Message::Sync | Message::Terminate) {
            return;
        }
        let extended = m.is_extended();
        let result = match m {
            Message::Query(sql) => {
                self.simple_query(&sql);
                Ok(())
            }
            Message::Parse { name, query, param_types } => self.parse(name, query, &param_types),
            Message::Bind { portal, statement, param_formats, params, result_formats } => {
                self.bind(portal, &statement, &param_formats, &params, result_formats)
            }
            Message::Describe { kind, name } => self.describe(kind, &name),
            Message::Execute { portal, max_rows } => self.execute(&portal, max_rows),
            Message::Close { kind, name } => {
                if kind == b'S' {
                    self.statements.remove(&name);
                } else {
                    self.portals.remove(&name);
                }
                self.send(B::CloseComplete(CloseComplete::new()));
                Ok(())
            }
            Message::Sync => {
                self.skip_until_sync = false;
                if self.session.transaction_status() == b'I' {
                    self.portals.clear();
                }
                self.ready_for_query();
                Ok(())
            }
            Message::Flush => {
                self.flush();
                Ok(())
            }
            Message::Terminate => {
                self.closed = true;
                Ok(())
            }
            // Outside COPY these are ignored, as PostgreSQL does (a COPY
            // that failed may leave the client still sending data).
            Message::CopyData(_) | Message::CopyDone | Message::CopyFail(_) => Ok(()),
            Message::Invalid { error, .. } => Err(error),
        };
        if let Err(e) = result {
            // Every error aborts the transaction (or fails the block).
            self.mark_failed();
            self.send_notices();
            self.error(&e);
            if extended {
                self.skip_until_sync = true;
            } else {
                self.ready_for_query();
            }
        }
    }

    /// After an error outside `Session::execute`: end the implicit
    /// transaction or mark the explicit block failed. The runtime does that
    /// only inside `execute_each`, so feed it a string that fails to lex.
    fn mark_failed(&mut self) {
        let _ = self.session.execute("\u{1}");
    }

    fn io_context(&self) -> Result<IoContext, Error> {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
        self.session.settings().io_context(since - oa_runtime::engine::UNIX_TO_POSTGRES_EPOCH_MICROS)
    }

    // ------------------------------------------------------------ simple query

    fn simple_query(&mut self, sql: &str) {
        self.statements.remove("");
        self.portals.remove("");
        let mut count = 0usize;
        let Worker { session, out, outbox, closed, .. } = self;
        let result = session.execute_each(sql, |o| {
            count += 1;
            match o {
                Outcome::Rows { fields, rows, tag } => {
                    encode_row_description(out, &fields, &[]);
                    for row in &rows {
                        encode_text_row(out, row);
                        if out.len() >= FLUSH_AT {
                            flush_to(outbox, out, closed);
                        }
                    }
                    encode_message(out, B::CommandComplete(CommandComplete::new(tag)));
                }
                Outcome::Command { tag } => encode_message(out, B::CommandComplete(CommandComplete::new(tag))),
            }
            if out.len() >= FLUSH_AT {
                flush_to(outbox, out, closed);
            }
        });
        self.send_notices();
        match result {
            Ok(()) if count == 0 => self.send(B::EmptyQueryResponse(EmptyQueryResponse::new())),
            Ok(()) => {}
            Err(e) => self.error(&e),
        }
        if self.session.transaction_status() == b'I' {
            self.portals.clear();
        }
        self.ready_for_query();
    }

    // ------------------------------------------------------------ extended query

    fn parse(&mut self, name: String, query: String, declared: &[u32]) -> Result<(), Error> {
        if !name.is_empty() && self.statements.contains_key(&name) {
            return Err(Error::new(SqlState::DUPLICATE_PSTATEMENT, format!("prepared statement \"{name}\" already exists")));
        }
        let stmts = oa_grammar::parse(&query).map_err(|e| char_position(syntax_error(e), &query))?;
        if stmts.len() > 1 {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement"));
        }
        let stmt = stmts.into_iter().next().map(|r| r.stmt);
        if let Some(s) = &stmt {
            self.check_not_failed(s)?;
        }
        let param_types = self.infer_param_types(stmt.as_ref(), &query, declared)?;
        self.statements.insert(name, Rc::new(Prepared { sql: query, stmt, param_types, fields: RefCell::new(None) }));
        self.send(B::ParseComplete(ParseComplete::new()));
        Ok(())
    }

    /// In a failed transaction block only COMMIT/ROLLBACK get through (25P02).
    fn check_not_failed(&self, stmt: &Statement) -> Result<(), Error> {
        if self.session.transaction_status() == b'E' && !matches!(stmt, Statement::Transaction(_)) {
            return Err(Error::new(
                SqlState::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        Ok(())
    }

    /// Parameter types: the declared ones, the rest inferred from the
    /// statement's plan (the runtime has no describe API yet: see
    /// `Session::plan`), TEXT where nothing constrains them.
    fn infer_param_types(&mut self, stmt: Option<&Statement>, sql: &str, declared: &[u32]) -> Result<Vec<SqlType>, Error> {
        let referenced = max_param_index(sql);
        let n = referenced.max(declared.len());
        let mut types: Vec<Option<SqlType>> =
            (0..n).map(|i| declared.get(i).copied().filter(|o| *o != 0 && *o != oid::UNKNOWN).map(SqlType::new)).collect();
        let is_query = matches!(stmt, Some(Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_)));
        if is_query && types.iter().any(|t| t.is_none()) {
            let stmt = stmt.ok_or_else(|| Error::internal("no statement"))?;
            match self.session.plan(stmt) {
                Ok(Some(plan)) => collect_physical(&plan, &mut |index, ty| {
                    if let Some(slot) = types.get_mut(index as usize - 1)
                        && slot.is_none()
                        && ty.oid != oid::UNKNOWN
                    {
                        *slot = Some(SqlType::new(ty.oid));
                    }
                }),
                Ok(None) => {}
                // With declared types the statement may bind differently: let Execute report errors.
                Err(e) if declared.iter().all(|o| *o == 0) => return Err(char_position(e, sql)),
                Err(_) => {}
            }
            self.session.take_notices();
        }
        Ok(types.into_iter().map(|t| t.unwrap_or(SqlType::TEXT)).collect())
    }

    fn bind(
        &mut self,
        portal: String,
        statement: &str,
        param_formats: &[i16],
        params: &[Option<Bytes>],
        result_formats: Vec<i16>,
    ) -> Result<(), Error> {
        let ps = self.statements.get(statement).cloned().ok_or_else(|| undefined_statement(statement))?;
        if !portal.is_empty() && self.portals.contains_key(&portal) {
            return Err(Error::new(SqlState::DUPLICATE_CURSOR, format!("cursor \"{portal}\" already exists")));
        }
        if params.len() != ps.param_types.len() {
            return Err(Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{}\" requires {}",
                    params.len(),
                    statement,
                    ps.param_types.len()
                ),
            ));
        }
        if !(param_formats.len() <= 1 || param_formats.len() == params.len()) {
            return Err(Error::new(
                SqlState::PROTOCOL_VIOLATION,
                format!("bind message has {} parameter formats but {} parameters", param_formats.len(), params.len()),
            ));
        }
        if let Some(s) = &ps.stmt {
            self.check_not_failed(s)?;
        }
        let io = self.io_context()?;
        let mut values = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            let format = match param_formats.len() {
                0 => 0,
                1 => param_formats[0],
                _ => param_formats[i],
            };
            values.push(match p {
                None => Datum::Null,
                Some(data) => values::param_datum(ps.param_types[i], format, data, &io, i)?,
            });
        }
        for f in &result_formats {
            check_format(*f)?;
        }
        self.portals.insert(portal, Portal { stmt: ps, params: values, result_formats, result: None });
        self.send(B::BindComplete(BindComplete::new()));
        Ok(())
    }

    fn describe(&mut self, kind: u8, name: &str) -> Result<(), Error> {
        if kind == b'S' {
            let ps = self.statements.get(name).cloned().ok_or_else(|| undefined_statement(name))?;
            if let Some(s) = &ps.stmt {
                self.check_not_failed(s)?;
            }
            let fields = self.statement_fields(&ps)?;
            self.send(B::ParameterDescription(ParameterDescription::new(ps.param_types.iter().map(|t| t.oid).collect())));
            match fields {
                Some(f) => self.send_row_description(&f, &[]),
                None => self.send(B::NoData(NoData::new())),
            }
            return Ok(());
        }
        let (stmt, formats, known) = {
            let p = self.portals.get(name).ok_or_else(|| undefined_portal(name))?;
            (p.stmt.clone(), p.result_formats.clone(), p.result.as_ref().map(|r| r.fields.clone()))
        };
        let fields = match known {
            Some(f) => Some(f),
            None => self.statement_fields(&stmt)?,
        };
        match fields {
            Some(f) => {
                resolve_formats(&formats, f.len())?;
                self.send_row_description(&f, &formats);
            }
            None => self.send(B::NoData(NoData::new())),
        }
        Ok(())
    }

    fn send_row_description(&mut self, fields: &[Field], formats: &[i16]) {
        encode_row_description(&mut self.out, fields, formats);
        if self.out.len() >= FLUSH_AT {
            self.flush();
        }
    }

    /// The result columns of a prepared statement, without running it.
    fn statement_fields(&mut self, ps: &Prepared) -> Result<Option<Vec<Field>>, Error> {
        if let Some(f) = ps.fields.borrow().as_ref() {
            return Ok(f.clone());
        }
        let text = |name: &str| Field { name: name.to_string(), type_oid: oid::TEXT, typmod: -1, type_name: "text".into(), table_oid: 0, attnum: 0 };
        let fields = match &ps.stmt {
            None => None,
            Some(Statement::Select(s)) if select_into(s) => None,
            Some(stmt @ (Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_))) => {
                // open_portal binds and plans without running, but needs an
                // open transaction: make one for the purpose when idle.
                let idle = self.session.transaction_status() == b'I';
                if idle {
                    self.session.execute("BEGIN")?;
                }
                let opened = self.session.open_portal(stmt, &[], &ps.param_types).map(|p| p.fields.clone());
                if idle {
                    let _ = self.session.execute("ROLLBACK");
                }
                self.session.take_notices();
                let fields = opened.map_err(|e| char_position(e, &ps.sql))?;
                if matches!(stmt, Statement::Select(_)) || !fields.is_empty() { Some(fields) } else { None }
            }
            Some(Statement::Show(ast::ShowStmt::Name(name))) => {
                let header = match name.to_ascii_lowercase().as_str() {
                    "transaction isolation level" => "transaction_isolation".to_string(),
                    "session authorization" => "session_authorization".to_string(),
                    _ => oa_runtime::settings::Settings::canonical_name(name),
                };
                Some(vec![text(&header)])
            }
            Some(Statement::Show(ast::ShowStmt::All)) => Some(vec![text("name"), text("setting"), text("description")]),
            Some(Statement::Explain(_)) => Some(vec![text("QUERY PLAN")]),
            Some(_) => None,
        };
        *ps.fields.borrow_mut() = Some(fields.clone());
        Ok(fields)
    }

    fn execute(&mut self, name: &str, max_rows: i32) -> Result<(), Error> {
        let mut portal = self.portals.remove(name).ok_or_else(|| undefined_portal(name))?;
        let Some(stmt) = portal.stmt.stmt.as_ref() else {
            self.portals.insert(name.to_string(), portal);
            self.send(B::EmptyQueryResponse(EmptyQueryResponse::new()));
            return Ok(());
        };
        if portal.result.is_none() {
            self.cancel.store(false, Ordering::Relaxed);
            let outcome = self.session.run_statement(stmt, &portal.stmt.sql, &portal.params, &portal.stmt.param_types);
            self.send_notices();
            portal.result = Some(match outcome.map_err(|e| char_position(e, &portal.stmt.sql))? {
                Outcome::Rows { fields, rows, tag } => PortalResult { fields, rows: rows.into(), tag },
                Outcome::Command { tag } => PortalResult { fields: Vec::new(), rows: VecDeque::new(), tag },
            });
        }
        let result = self.run_portal(&mut portal, max_rows);
        self.portals.insert(name.to_string(), portal);
        result
    }

    /// Sends up to `max_rows` rows (0: all), then PortalSuspended or CommandComplete.
    fn run_portal(&mut self, portal: &mut Portal, max_rows: i32) -> Result<(), Error> {
        let io = self.io_context()?;
        let Some(result) = portal.result.as_mut() else { return Err(Error::internal("portal has not run")) };
        let formats = resolve_formats(&portal.result_formats, result.fields.len())?;
        let limit = if max_rows <= 0 { usize::MAX } else { max_rows as usize };
        let mut sent = 0usize;
        while sent < limit {
            let Some(row) = result.rows.pop_front() else { break };
            encode_row(&mut self.out, &row, &formats, &result.fields, &io)?;
            sent += 1;
            if self.out.len() >= FLUSH_AT {
                flush_to(&self.outbox, &mut self.out, &mut self.closed);
            }
        }
        if !result.rows.is_empty() {
            self.send(B::PortalSuspended(PortalSuspended::new()));
        } else {
            // A SELECT's tag counts the rows of this Execute.
            let tag = if result.tag.starts_with("SELECT ") { format!("SELECT {sent}") } else { result.tag.clone() };
            self.send(B::CommandComplete(CommandComplete::new(tag)));
        }
        Ok(())
    }
}

// ------------------------------------------------------------ encoding helpers

fn flush_to(outbox: &mpsc::Sender<Output>, out: &mut BytesMut, closed: &mut bool) {
    if out.is_empty() {
        return;
    }
    let data = out.split().freeze();
    if *closed {
        return;
    }
    if outbox.blocking_send(Output::Data(data)).is_err() {
        // The writer is gone: the client disconnected.
        *closed = true;
    }
}

fn encode_message(out: &mut BytesMut, m: B) {
    let at = out.len();
    if let Err(e) = m.encode(out) {
        out.truncate(at);
        log::warning(format!("could not encode a message: {e}"));
    }
}

fn encode_row_description(out: &mut BytesMut, fields: &[Field], formats: &[i16]) {
    let described = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let format = match formats.len() {
                0 => 0,
                1 => formats[0],
                _ => formats.get(i).copied().unwrap_or(0),
            };
            FieldDescription::new(f.name.clone(), f.table_oid as i32, f.attnum, f.type_oid, values::type_len(f.type_oid), f.typmod, format)
        })
        .collect();
    encode_message(out, B::RowDescription(RowDescription::new(described)));
}

/// A DataRow of text values, written directly (the hot path).
fn encode_text_row(out: &mut BytesMut, row: &[Option<String>]) {
    let at = out.len();
    out.put_u8(b'D');
    out.put_i32(0);
    out.put_i16(row.len() as i16);
    for v in row {
        match v {
            None => out.put_i32(-1),
            Some(s) => {
                out.put_i32(s.len() as i32);
                out.put_slice(s.as_bytes());
            }
        }
    }
    let len = (out.len() - at - 1) as i32;
    out[at + 1..at + 5].copy_from_slice(&len.to_be_bytes());
}

/// A DataRow with each column in its requested format.
fn encode_row(out: &mut BytesMut, row: &[Option<String>], formats: &[i16], fields: &[Field], io: &IoContext) -> Result<(), Error> {
    if formats.iter().all(|f| *f == 0) {
        encode_text_row(out, row);
        return Ok(());
    }
    let at = out.len();
    out.put_u8(b'D');
    out.put_i32(0);
    out.put_i16(row.len() as i16);
    for (i, v) in row.iter().enumerate() {
        match v {
            None => out.put_i32(-1),
            Some(s) if formats.get(i) == Some(&1) => {
                let len_at = out.len();
                out.put_i32(0);
                let type_oid = fields.get(i).map(|f| f.type_oid).unwrap_or(oid::TEXT);
                if let Err(e) = values::text_to_binary(type_oid, s, io, out) {
                    out.truncate(at);
                    return Err(e);
                }
                let len = (out.len() - len_at - 4) as i32;
                out[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
            }
            Some(s) => {
                out.put_i32(s.len() as i32);
                out.put_slice(s.as_bytes());
            }
        }
    }
    let len = (out.len() - at - 1) as i32;
    out[at + 1..at + 5].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

fn check_format(f: i16) -> Result<(), Error> {
    if f == 0 || f == 1 { Ok(()) } else { Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unsupported format code: {f}"))) }
}

/// Bind's result format codes for `n` columns: none (all text), one for all, or one each.
fn resolve_formats(codes: &[i16], n: usize) -> Result<Vec<i16>, Error> {
    for c in codes {
        check_format(*c)?;
    }
    match codes.len() {
        0 => Ok(vec![0; n]),
        1 => Ok(vec![codes[0]; n]),
        k if k == n => Ok(codes.to_vec()),
        k => Err(Error::new(SqlState::PROTOCOL_VIOLATION, format!("bind message has {k} result formats but query has {n} columns"))),
    }
}

/// ErrorResponse/NoticeResponse fields.
pub fn error_fields(severity: &str, e: &Error) -> Vec<(u8, String)> {
    let mut f = vec![(b'S', severity.to_string()), (b'V', severity.to_string()), (b'C', e.code.code().to_string()), (b'M', e.message.clone())];
    if let Some(d) = &e.detail {
        f.push((b'D', d.clone()));
    }
    if let Some(h) = &e.hint {
        f.push((b'H', h.clone()));
    }
    if let Some(p) = e.position {
        f.push((b'P', p.to_string()));
    }
    f
}

/// client_min_messages order (LOG ranks below NOTICE for clients).
fn message_rank(level: &str) -> u8 {
    match level.to_ascii_lowercase().as_str() {
        s if s.starts_with("debug") => 0,
        "log" => 1,
        "notice" => 2,
        "warning" => 3,
        "error" => 4,
        _ => 2,
    }
}

fn undefined_statement(name: &str) -> Error {
    if name.is_empty() {
        Error::new(SqlState::UNDEFINED_PSTATEMENT, "unnamed prepared statement does not exist")
    } else {
        Error::new(SqlState::UNDEFINED_PSTATEMENT, format!("prepared statement \"{name}\" does not exist"))
    }
}

fn undefined_portal(name: &str) -> Error {
    Error::new(SqlState::UNDEFINED_CURSOR, format!("portal \"{name}\" does not exist"))
}

fn select_into(s: &ast::SelectStmt) -> bool {
    matches!(&s.body, ast::SetExpr::Select(core) if core.into.is_some())
}

fn syntax_error(e: oa_grammar::SyntaxError) -> Error {
    let code = SqlState::from_code(e.code).unwrap_or(SqlState::SYNTAX_ERROR);
    let mut err = Error::new(code, e.message);
    err.hint = e.hint;
    err.position = e.position;
    err
}

/// A byte offset into `sql` → PostgreSQL's 1-based character position.
fn char_position(mut e: Error, sql: &str) -> Error {
    if let Some(p) = e.position {
        let p = p.min(sql.len());
        e.position = Some(sql.char_indices().take_while(|(i, _)| *i < p).count() + 1);
    }
    e
}

/// The highest `$n` in a statement's text.
fn max_param_index(sql: &str) -> usize {
    if !sql.contains('$') {
        return 0;
    }
    match oa_grammar::lexer::tokenize(sql, oa_grammar::LexOptions::default()) {
        Ok(tokens) => tokens
            .iter()
            .filter_map(|t| match t.1 {
                oa_grammar::Tok::Param(n) if n > 0 => Some(n as usize),
                _ => None,
            })
            .max()
            .unwrap_or(0),
        Err(_) => 0,
    }
}

fn collect_physical(plan: &oa_ir::physical::PhysicalPlan, f: &mut dyn FnMut(u32, SqlType)) {
    for e in plan.expressions() {
        collect_expr(e, f);
    }
    for c in plan.children() {
        collect_physical(c, f);
    }
}

fn collect_logical(plan: &oa_ir::LogicalPlan, f: &mut dyn FnMut(u32, SqlType)) {
    for e in plan.expressions() {
        collect_expr(e, f);
    }
    for c in plan.children() {
        collect_logical(c, f);
    }
}

fn collect_expr(e: &ScalarExpr, f: &mut dyn FnMut(u32, SqlType)) {
    match e {
        ScalarExpr::Param { index, ty } if *index > 0 => f(*index, *ty),
        ScalarExpr::Subquery(s) => collect_logical(&s.plan, f),
        _ => {}
    }
    for c in e.children() {
        collect_expr(c, f);
    }
}

/// A string literal that reads the same whatever standard_conforming_strings is.
fn quote_literal(s: &str) -> String {
    format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

/// The `options` startup parameter: `-c name=value`, `-cname=value` and
/// `--name=value`, separated by spaces, `\` escaping the next character.
pub fn parse_options(options: &str) -> Result<Vec<(String, String)>, Error> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = options.chars();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    let invalid = |w: &str| Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid command-line argument for server process: {w}"));
    let mut out = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let assignment = if w == "-c" {
            it.next().ok_or_else(|| invalid(w))?.clone()
        } else if let Some(rest) = w.strip_prefix("-c") {
            rest.to_string()
        } else if let Some(rest) = w.strip_prefix("--") {
            rest.to_string()
        } else {
            return Err(invalid(w));
        };
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(Error::new(SqlState::SYNTAX_ERROR, format!("-c {assignment} requires a value")));
        };
        out.push((name.replace('-', "_"), value.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_like_libpq_sends_them() {
        assert_eq!(
            parse_options("-c DateStyle=SQL,\\ DMY --search-path=public -cwork_mem=64MB").unwrap(),
            vec![("DateStyle".into(), "SQL, DMY".into()), ("search_path".into(), "public".into()), ("work_mem".into(), "64MB".into())]
        );
        assert!(parse_options("-x").is_err());
        assert!(parse_options("-c").is_err());
    }

    #[test]
    fn params_are_counted_from_tokens() {
        assert_eq!(max_param_index("select $1 + $12, '$99'"), 12);
        assert_eq!(max_param_index("select 1"), 0);
    }

    #[test]
    fn result_formats() {
        assert_eq!(resolve_formats(&[], 2).unwrap(), vec![0, 0]);
        assert_eq!(resolve_formats(&[1], 2).unwrap(), vec![1, 1]);
        assert!(resolve_formats(&[1, 0, 1], 2).is_err());
        assert!(resolve_formats(&[2], 1).is_err());
    }
}
