//! One connection's session. The runtime's `Session` is synchronous, so each
//! connection gets a thread of its own that owns the session and takes
//! protocol messages from a channel; its output goes back through another
//! channel to the connection's socket writer. A long query therefore never
//! stalls another connection, and the loop has one place where asynchronous
//! events (cancel, shutdown, LISTEN/NOTIFY) arrive: the inbox.
//!
//! Notifications (NotificationResponse) go out as PostgreSQL sends them:
//! only outside a transaction, just before ReadyForQuery, or at once while
//! the connection is idle. Another session's commit wakes an idle one by
//! putting `Input::Notify` in its inbox (the runtime's notification waker).
//!
//! The extended protocol follows PostgreSQL's postgres.c: Parse analyzes a
//! query (`Session::describe`), Bind starts it (`Session::start_portal`: the
//! implicit transaction, the snapshot, the plan), Execute streams rows from
//! the runtime's portal as the client asks for them, and Sync commits the
//! implicit transaction (`Session::sync`). INSERT/UPDATE/DELETE (and a SELECT
//! with a data-modifying WITH) run to completion at their first Execute, as
//! PostgreSQL's PORTAL_ONE_RETURNING does, so a Sync after a partial fetch
//! never commits half a statement.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::{BufMut, Bytes, BytesMut};
use oa_grammar::ast::{self, Statement};
use oa_ir::io::IoContext;
use oa_ir::types::{SqlType, oid};
use oa_ir::{Datum, Error, SqlState};
use oa_runtime::{Engine, Event, Field, Notice, Outcome, Session};
use pgwire::messages::PgWireBackendMessage as B;
use pgwire::messages::copy::{CopyData, CopyDone, CopyInResponse, CopyOutResponse};
use pgwire::messages::data::{FieldDescription, NoData, ParameterDescription, RowDescription};
use pgwire::messages::extendedquery::{BindComplete, CloseComplete, ParseComplete, PortalSuspended};
use pgwire::messages::response::{
    CommandComplete, EmptyQueryResponse, ErrorResponse, NoticeResponse, NotificationResponse, ReadyForQuery, TransactionStatus,
};
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
    /// A notification for this session's LISTEN arrived.
    Notify,
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

/// Rows asked of the runtime at a time while streaming a portal.
const FETCH_CHUNK: usize = 1024;

/// How a prepared statement runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An empty query string: EmptyQueryResponse.
    Empty,
    /// A SELECT: started at Bind, its rows streamed as Execute asks for them.
    Select,
    /// INSERT/UPDATE/DELETE, or a SELECT with a data-modifying WITH: started
    /// at Bind, run to completion at the first Execute.
    Modify,
    /// Anything else: run by the first Execute (`Session::run_statement`).
    Utility,
}

fn kind_of(stmt: Option<&Statement>) -> Kind {
    match stmt {
        None => Kind::Empty,
        Some(Statement::Select(s)) if select_into(s) => Kind::Utility,
        Some(Statement::Select(s)) if modifying_with(s) => Kind::Modify,
        Some(Statement::Select(_)) => Kind::Select,
        Some(Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_)) => Kind::Modify,
        Some(_) => Kind::Utility,
    }
}

/// A statement from Parse.
struct Prepared {
    sql: String,
    /// None for an empty query string.
    stmt: Option<Statement>,
    kind: Kind,
    param_types: Vec<SqlType>,
    /// A query's result columns as Parse found them (None: it returns no rows).
    fields: Option<Vec<Field>>,
}

/// A portal from Bind.
struct Portal {
    stmt: Rc<Prepared>,
    params: Vec<Datum>,
    result_formats: Vec<i16>,
    state: PortalState,
}

enum PortalState {
    Empty,
    /// A query the runtime has started.
    Query(Box<QueryPortal>),
    /// A utility statement not executed yet.
    Pending,
    /// A utility statement's result, sent as Execute asks for it.
    Ran {
        fields: Vec<Field>,
        rows: VecDeque<Vec<Option<String>>>,
        tag: String,
    },
}

struct QueryPortal {
    portal: oa_runtime::Portal,
    /// One format code per column.
    formats: Vec<i16>,
    /// A modifying statement's rows, once it has run to completion.
    buffered: VecDeque<Vec<Datum>>,
    /// The command tag once the statement has ended.
    tag: Option<String>,
}

/// COPY … FROM STDIN waiting for the client's data.
struct CopyIn {
    stmt: Statement,
    sql: String,
    data: Vec<u8>,
    /// Started by Execute: no ReadyForQuery at the end, an error skips to Sync.
    extended: bool,
}

/// What a query string holds of COPY to or from the client.
enum CopyInString {
    None,
    /// The string is this one COPY statement.
    Single(Statement),
    /// With other statements: not supported yet.
    Among,
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
    /// Between CopyInResponse and CopyDone/CopyFail.
    copy_in: Option<CopyIn>,
    /// Extended-protocol messages came since the last Sync (PostgreSQL is
    /// in a transaction command until Sync, so notifications wait).
    in_batch: bool,
}

/// The session thread's body: startup work, then one message at a time.
pub fn run(
    engine: Arc<Engine>,
    startup: StartupInfo,
    registry: Arc<CancelRegistry>,
    mut inbox: mpsc::Receiver<Input>,
    wake: mpsc::WeakSender<Input>,
    outbox: mpsc::Sender<Output>,
    ready: oneshot::Sender<Arc<AtomicBool>>,
) {
    let mut session = engine.connect(&startup.user, &startup.database);
    // A full inbox needs no wake-up: the loop looks for notifications before it waits again.
    session.set_notification_waker(Arc::new(move || {
        if let Some(tx) = wake.upgrade() {
            let _ = tx.try_send(Input::Notify);
        }
    }));
    let cancel = session.cancel_flag();
    let _ = ready.send(cancel.clone());
    let pid = session.backend_pid();
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
        copy_in: None,
        in_batch: false,
    };
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
        w.send_notifications_if_idle();
        let Some(input) = inbox.blocking_recv() else { break };
        match input {
            Input::Notify => {}
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

    /// Hands the output to the writer once there is enough of it.
    fn maybe_flush(&mut self) {
        if self.out.len() >= FLUSH_AT {
            self.flush();
        }
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

    /// client_min_messages now, as a rank for `notice_message`.
    fn min_message_rank(&self) -> u8 {
        message_rank(&self.session.settings().show("client_min_messages").unwrap_or_default())
    }

    /// NOTICEs and WARNINGs the runtime holds, filtered by client_min_messages.
    fn send_notices(&mut self) {
        let notices = self.session.take_notices();
        if notices.is_empty() {
            return;
        }
        let min = self.min_message_rank();
        for n in &notices {
            if let Some(m) = notice_message(n, min) {
                self.send(m);
            }
        }
    }

    fn ready_for_query(&mut self) {
        self.report_changed_parameters();
        self.send_notifications();
        let status = match self.session.transaction_status() {
            b'T' => TransactionStatus::Transaction,
            b'E' => TransactionStatus::Error,
            _ => TransactionStatus::Idle,
        };
        self.send(B::ReadyForQuery(ReadyForQuery::new(status)));
        self.flush();
    }

    /// NotificationResponses for what arrived, when no transaction is open
    /// (ProcessNotifyInterrupt's condition); they wait otherwise.
    fn send_notifications(&mut self) {
        if !self.session.in_no_transaction() || self.copy_in.is_some() || self.in_batch {
            return;
        }
        for n in self.session.take_notifications() {
            self.send(B::NotificationResponse(NotificationResponse::new(n.pid, n.channel, n.payload)));
        }
    }

    /// While waiting for the client: notifications go out at once.
    fn send_notifications_if_idle(&mut self) {
        if self.session.has_notifications() {
            self.send_notifications();
            self.flush();
        }
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

    /// Startup-packet parameters become settings, and the values RESET and
    /// DISCARD ALL return to: first `options` (`-c name=value`,
    /// `--name=value`), then the others, as PostgreSQL does.
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
            self.session.set_startup_option(&name, &value)?;
        }
        self.session.take_notices();
        Ok(())
    }

    // ------------------------------------------------------------ dispatch

    fn handle(&mut self, m: Message) {
        if self.copy_in.is_some() {
            self.copy_message(m);
            return;
        }
        if self.skip_until_sync && !matches!(m, Message::Sync | Message::Terminate) {
            return;
        }
        let extended = m.is_extended();
        self.in_batch |= extended;
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
                self.sync();
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
            self.failed();
            self.send_notices();
            self.error(&e);
            if extended {
                self.skip_until_sync = true;
            } else {
                self.ready_for_query();
            }
        }
    }

    /// After an error: the implicit transaction ends, an explicit block
    /// fails, and the portals (which belonged to the transaction) are gone,
    /// as PostgreSQL's AbortTransaction drops them.
    fn failed(&mut self) {
        self.session.statement_failed();
        self.portals.clear();
    }

    /// Sync: commit the implicit transaction; portals live only as long as their transaction.
    fn sync(&mut self) {
        self.skip_until_sync = false;
        self.in_batch = false;
        let committed = self.session.sync();
        self.send_notices();
        if let Err(e) = committed {
            self.failed();
            self.error(&e);
        }
        if self.session.transaction_status() == b'I' {
            self.portals.clear();
        }
        self.ready_for_query();
    }

    fn io_context(&self) -> Result<IoContext, Error> {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
        self.session.settings().io_context(since - oa_runtime::engine::UNIX_TO_POSTGRES_EPOCH_MICROS)
    }

    // ------------------------------------------------------------ simple query

    /// Query: each statement's NOTICEs, then its rows, as it completes.
    /// client_min_messages is read as each notice arrives; after a statement
    /// that may have changed it (a SET of it, RESET ALL, DISCARD ALL, the end
    /// of a transaction), the rest of the string's output waits for the end
    /// and is filtered by the value then.
    fn simple_query(&mut self, sql: &str) {
        self.statements.remove("");
        self.portals.remove("");
        match copy_in_string(sql) {
            CopyInString::None => {}
            CopyInString::Single(stmt) => return self.simple_copy(stmt, sql),
            CopyInString::Among => {
                let e = Error::feature_not_supported("COPY to or from the client in a multi-statement query string is not supported yet");
                return self.end_query_string(Err((e, true)));
            }
        }
        let mut count = 0usize;
        let min = self.min_message_rank();
        let mut parsed: Option<Vec<Statement>> = None;
        let mut held: Option<Vec<Event>> = None;
        let Worker { session, out, outbox, closed, .. } = self;
        let result = session.execute_events(sql, |e| {
            if let Some(h) = held.as_mut() {
                h.push(e);
                return;
            }
            match e {
                Event::Notice(n) => {
                    if let Some(m) = notice_message(&n, min) {
                        encode_message(out, m);
                    }
                }
                Event::Outcome(o) => {
                    let index = count;
                    count += 1;
                    let may_change = matches!(outcome_tag(&o), "SET" | "RESET" | "DISCARD ALL" | "COMMIT" | "ROLLBACK");
                    encode_outcome(out, outbox, closed, o);
                    if may_change {
                        let stmts = parsed.get_or_insert_with(|| match oa_grammar::parse(sql) {
                            Ok(s) => s.into_iter().map(|r| r.stmt).collect(),
                            Err(_) => Vec::new(),
                        });
                        match stmts.get(index) {
                            Some(Statement::Set(s)) if !sets_client_min_messages(s) => {}
                            // client_min_messages may differ from here on: hold the rest.
                            _ => held = Some(Vec::new()),
                        }
                    }
                }
            }
            if out.len() >= FLUSH_AT {
                flush_to(outbox, out, closed);
            }
        });
        if let Some(events) = held {
            let min = self.min_message_rank();
            for e in events {
                match e {
                    Event::Notice(n) => {
                        if let Some(m) = notice_message(&n, min) {
                            self.send(m);
                        }
                    }
                    Event::Outcome(o) => encode_outcome(&mut self.out, &self.outbox, &mut self.closed, o),
                }
                self.maybe_flush();
            }
        }
        // A failed statement's notices come before its error.
        self.send_notices();
        if result.is_ok() && count == 0 {
            self.send(B::EmptyQueryResponse(EmptyQueryResponse::new()));
        }
        // execute_events has ended the transaction or failed the block.
        self.end_query_string(result.map_err(|e| (e, false)));
    }

    /// After a query string: its error (`true`: the transaction still has
    /// to fail), or the end of its implicit transaction, even one an
    /// unfinished extended-protocol batch opened; then ReadyForQuery.
    fn end_query_string(&mut self, result: Result<(), (Error, bool)>) {
        match result {
            Ok(()) => {
                if let Err(e) = self.session.sync() {
                    self.failed();
                    self.send_notices();
                    self.error(&e);
                }
            }
            Err((e, fail)) => {
                if fail {
                    self.session.statement_failed();
                }
                self.portals.clear();
                self.send_notices();
                self.error(&e);
            }
        }
        if self.session.transaction_status() == b'I' {
            self.portals.clear();
        }
        self.ready_for_query();
    }

    // ------------------------------------------------------------ COPY

    /// A query string that is one COPY to or from the client.
    fn simple_copy(&mut self, stmt: Statement, sql: &str) {
        if let Err(e) = self.check_not_failed(&stmt) {
            return self.end_query_string(Err((e, true)));
        }
        let is_from = matches!(&stmt, Statement::Copy(c) if c.is_from);
        if is_from {
            if let Err(e) = self.start_copy_in(stmt, sql, false) {
                self.end_query_string(Err((e, true)));
            }
            return;
        }
        self.cancel.store(false, Ordering::Relaxed);
        let outcome = self.session.run_statement(&stmt, sql, &[], &[]);
        self.send_notices();
        match outcome {
            Ok(o) => {
                self.send_copy_out();
                self.send(B::CommandComplete(CommandComplete::new(outcome_tag(&o).to_string())));
                self.end_query_string(Ok(()));
            }
            Err(e) => self.end_query_string(Err((char_position(e, sql), true))),
        }
    }

    /// CopyInResponse; the data follows in CopyData messages.
    fn start_copy_in(&mut self, stmt: Statement, sql: &str, extended: bool) -> Result<(), Error> {
        let (columns, _csv) = self.session.copy_shape(&stmt).map_err(|e| char_position(e, sql))?;
        self.session.take_notices();
        let columns = i16::try_from(columns).map_err(|_| Error::internal("too many columns for COPY"))?;
        self.send(B::CopyInResponse(CopyInResponse::new(0, columns, vec![0; columns as usize])));
        self.flush();
        self.copy_in = Some(CopyIn { stmt, sql: sql.to_string(), data: Vec::new(), extended });
        Ok(())
    }

    /// A message during COPY FROM STDIN: data, its end, or its failure.
    fn copy_message(&mut self, m: Message) {
        let failure = match m {
            Message::CopyData(b) => {
                if let Some(c) = self.copy_in.as_mut() {
                    c.data.extend_from_slice(&b);
                }
                return;
            }
            // PostgreSQL ignores these during COPY.
            Message::Flush | Message::Sync => return,
            Message::Terminate => {
                self.closed = true;
                return;
            }
            Message::CopyDone => {
                let Some(c) = self.copy_in.take() else { return };
                self.cancel.store(false, Ordering::Relaxed);
                let outcome = self.session.run_copy_in(&c.stmt, &c.sql, c.data);
                self.send_notices();
                match outcome {
                    Ok(o) => {
                        self.send(B::CommandComplete(CommandComplete::new(outcome_tag(&o).to_string())));
                        if !c.extended {
                            self.end_query_string(Ok(()));
                        }
                        return;
                    }
                    Err(e) => char_position(e, &c.sql),
                }
            }
            Message::CopyFail(reason) => Error::new(SqlState::QUERY_CANCELED, format!("COPY from stdin failed: {reason}")),
            other => {
                Error::new(SqlState::PROTOCOL_VIOLATION, format!("unexpected message type 0x{:02X} during COPY from stdin", message_type(&other)))
            }
        };
        let extended = self.copy_in.take().is_some_and(|c| c.extended);
        if extended {
            self.failed();
            self.send_notices();
            self.error(&failure);
            self.skip_until_sync = true;
        } else {
            self.end_query_string(Err((failure, true)));
        }
    }

    /// COPY TO STDOUT's data: CopyOutResponse, a CopyData per row, CopyDone.
    fn send_copy_out(&mut self) {
        let Some(copy) = self.session.take_copy_out() else { return };
        let columns = copy.columns.min(i16::MAX as usize) as i16;
        self.send(B::CopyOutResponse(CopyOutResponse::new(0, columns, vec![0; columns as usize])));
        let mut start = 0;
        let mut in_quotes = false;
        for (i, b) in copy.data.iter().enumerate() {
            match b {
                // A CSV field may hold newlines inside its quotes.
                b'"' if copy.csv => in_quotes = !in_quotes,
                b'\n' if !in_quotes => {
                    self.send(B::CopyData(CopyData::new(Bytes::copy_from_slice(&copy.data[start..=i]))));
                    start = i + 1;
                }
                _ => {}
            }
        }
        if start < copy.data.len() {
            self.send(B::CopyData(CopyData::new(Bytes::copy_from_slice(&copy.data[start..]))));
        }
        self.send(B::CopyDone(CopyDone::new()));
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
        let kind = kind_of(stmt.as_ref());
        // Declared types, 0 for "infer"; like PostgreSQL's variable
        // parameters, `$n` beyond those declared are inferred too.
        let n = declared.len().max(max_param_index(&query));
        let declared: Vec<SqlType> = (0..n).map(|i| SqlType::new(declared.get(i).copied().filter(|o| *o != 0).unwrap_or(oid::UNKNOWN))).collect();
        let (param_types, fields) = match (&stmt, kind) {
            (Some(s), Kind::Select | Kind::Modify) => {
                let d = self.session.describe(s, &declared).map_err(|e| char_position(e, &query));
                self.session.take_notices();
                let d = d?;
                (d.param_types, d.fields)
            }
            _ => (declared.into_iter().map(|t| if t.oid == oid::UNKNOWN { SqlType::TEXT } else { t }).collect(), None),
        };
        self.statements.insert(name, Rc::new(Prepared { sql: query, stmt, kind, param_types, fields }));
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
            let ty = ps.param_types[i];
            values.push(match p {
                None => Datum::Null,
                // regclassin and the like look names up in the catalog.
                Some(data) if format == 0 && oa_ir::types::is_reg_type(ty.oid) => match std::str::from_utf8(data) {
                    Ok(text) => Datum::Oid(self.session.reg_input(ty.oid, text)?),
                    Err(_) => values::param_datum(ty, format, data, &io, i)?,
                },
                Some(data) => values::param_datum(ty, format, data, &io, i)?,
            });
        }
        for f in &result_formats {
            check_format(*f)?;
        }
        // The unnamed portal is replaced; its successor starts with the old one gone.
        self.portals.remove(&portal);
        let state = match (&ps.stmt, ps.kind) {
            (Some(stmt), Kind::Select | Kind::Modify) => {
                // As PostgreSQL's PortalStart: the transaction, the snapshot and the plan now.
                let started = self.session.start_portal(stmt, &values, &ps.param_types);
                self.send_notices();
                let started = started.map_err(|e| char_position(e, &ps.sql))?;
                // The statement was analyzed again: its result must be what Parse described.
                oa_runtime::session::check_result_unchanged(ps.fields.as_deref().unwrap_or_default(), &started.fields)?;
                let formats = resolve_formats(&result_formats, started.fields.len())?;
                PortalState::Query(Box::new(QueryPortal { portal: started, formats, buffered: VecDeque::new(), tag: None }))
            }
            (Some(_), _) => PortalState::Pending,
            (None, _) => PortalState::Empty,
        };
        self.portals.insert(portal, Portal { stmt: ps, params: values, result_formats, state });
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
        let p = self.portals.get(name).ok_or_else(|| undefined_portal(name))?;
        let (fields, formats) = match &p.state {
            PortalState::Empty => (None, Vec::new()),
            PortalState::Query(q) => {
                let no_data = q.portal.fields.is_empty() && p.stmt.kind != Kind::Select;
                ((!no_data).then(|| q.portal.fields.clone()), q.formats.clone())
            }
            PortalState::Ran { fields, .. } => (Some(fields.clone()).filter(|f| !f.is_empty()), p.result_formats.clone()),
            PortalState::Pending => {
                let (ps, formats) = (p.stmt.clone(), p.result_formats.clone());
                (self.statement_fields(&ps)?, formats)
            }
        };
        match fields {
            Some(f) => {
                let formats = resolve_formats(&formats, f.len())?;
                self.send_row_description(&f, &formats);
            }
            None => self.send(B::NoData(NoData::new())),
        }
        Ok(())
    }

    fn send_row_description(&mut self, fields: &[Field], formats: &[i16]) {
        encode_row_description(&mut self.out, fields, formats);
        self.maybe_flush();
    }

    /// The result columns of a prepared statement: a query's from Parse,
    /// a utility statement's (SHOW, EXPLAIN, EXECUTE) asked for now.
    fn statement_fields(&mut self, ps: &Prepared) -> Result<Option<Vec<Field>>, Error> {
        match (&ps.stmt, ps.kind) {
            (Some(stmt), Kind::Utility) => {
                let d = self.session.describe(stmt, &ps.param_types);
                self.session.take_notices();
                Ok(d.map_err(|e| char_position(e, &ps.sql))?.fields)
            }
            _ => Ok(ps.fields.clone()),
        }
    }

    fn execute(&mut self, name: &str, max_rows: i32) -> Result<(), Error> {
        let mut portal = self.portals.remove(name).ok_or_else(|| undefined_portal(name))?;
        self.cancel.store(false, Ordering::Relaxed);
        let limit = if max_rows <= 0 { usize::MAX } else { max_rows as usize };
        let result = match portal.state {
            PortalState::Empty => {
                self.send(B::EmptyQueryResponse(EmptyQueryResponse::new()));
                Ok(())
            }
            PortalState::Query(ref mut q) => {
                let modifies = portal.stmt.kind == Kind::Modify;
                self.run_query(q, modifies, limit)
            }
            PortalState::Pending if copy_from_client(portal.stmt.stmt.as_ref()) => {
                let (stmt, sql) = (portal.stmt.stmt.clone(), portal.stmt.sql.clone());
                portal.state = PortalState::Ran { fields: Vec::new(), rows: VecDeque::new(), tag: String::new() };
                match stmt {
                    Some(stmt) => self.start_copy_in(stmt, &sql, true),
                    None => Ok(()),
                }
            }
            PortalState::Pending => match self.run_utility(&mut portal) {
                Ok(()) => self.send_utility_rows(&mut portal, limit),
                Err(e) => Err(e),
            },
            PortalState::Ran { .. } => self.send_utility_rows(&mut portal, limit),
        };
        self.portals.insert(name.to_string(), portal);
        result
    }

    /// Streams up to `limit` rows of a started query, then PortalSuspended
    /// or CommandComplete. A modifying statement runs to completion first.
    fn run_query(&mut self, q: &mut QueryPortal, modifies: bool, limit: usize) -> Result<(), Error> {
        if modifies && q.tag.is_none() && limit != usize::MAX {
            // Partly fetched RETURNING rows wait here; the statement itself is done.
            q.buffered = self.session.fetch_datums(&mut q.portal, usize::MAX)?.into();
            q.tag = Some(self.session.finish_portal(&q.portal)?);
            self.send_notices();
        }
        let io = self.io_context()?;
        let mut sent = 0usize;
        while sent < limit && !self.closed {
            let want = (limit - sent).min(FETCH_CHUNK);
            let got = if !q.buffered.is_empty() || q.tag.is_some() {
                let n = want.min(q.buffered.len());
                for row in q.buffered.drain(..n) {
                    encode_datum_row(&mut self.out, &row, &q.formats, &q.portal, &io)?;
                }
                n
            } else if q.formats.iter().all(|f| *f == 0) {
                let rows = self.session.fetch(&mut q.portal, want)?;
                self.send_notices();
                for row in &rows {
                    encode_text_row(&mut self.out, row);
                }
                rows.len()
            } else {
                let rows = self.session.fetch_datums(&mut q.portal, want)?;
                self.send_notices();
                for row in &rows {
                    encode_datum_row(&mut self.out, row, &q.formats, &q.portal, &io)?;
                }
                rows.len()
            };
            sent += got;
            self.maybe_flush();
            if got < want {
                break;
            }
        }
        let finished = if q.tag.is_some() { q.buffered.is_empty() } else { q.portal.is_done() };
        if !finished {
            self.send(B::PortalSuspended(PortalSuspended::new()));
            return Ok(());
        }
        let tag = match &q.tag {
            Some(t) => t.clone(),
            None => {
                let t = self.session.finish_portal(&q.portal)?;
                self.send_notices();
                q.tag = Some(t.clone());
                t
            }
        };
        // A SELECT's tag counts the rows of this Execute.
        let tag = if modifies { tag } else { format!("SELECT {sent}") };
        self.send(B::CommandComplete(CommandComplete::new(tag)));
        Ok(())
    }

    /// A utility statement's first Execute: run it, keep its result.
    fn run_utility(&mut self, portal: &mut Portal) -> Result<(), Error> {
        let ps = portal.stmt.clone();
        let stmt = ps.stmt.as_ref().ok_or_else(|| Error::internal("no statement"))?;
        let outcome = self.session.run_extended(stmt, &ps.sql, &portal.params, &ps.param_types);
        self.send_notices();
        let outcome = outcome.map_err(|e| char_position(e, &ps.sql))?;
        self.send_copy_out();
        if ends_transaction(stmt) {
            // The other portals belonged to the transaction that ended.
            self.portals.clear();
        }
        portal.state = match outcome {
            Outcome::Rows { fields, rows, tag } => PortalState::Ran { fields, rows: rows.into(), tag },
            Outcome::Command { tag } => PortalState::Ran { fields: Vec::new(), rows: VecDeque::new(), tag },
        };
        Ok(())
    }

    /// Sends up to `limit` of a utility statement's rows, then PortalSuspended or CommandComplete.
    fn send_utility_rows(&mut self, portal: &mut Portal, limit: usize) -> Result<(), Error> {
        let io = self.io_context()?;
        let PortalState::Ran { fields, rows, tag } = &mut portal.state else { return Err(Error::internal("portal has not run")) };
        let formats = resolve_formats(&portal.result_formats, fields.len())?;
        let mut sent = 0usize;
        while sent < limit {
            let Some(row) = rows.pop_front() else { break };
            encode_row(&mut self.out, &row, &formats, fields, &io)?;
            sent += 1;
            if self.out.len() >= FLUSH_AT {
                flush_to(&self.outbox, &mut self.out, &mut self.closed);
            }
        }
        if !rows.is_empty() {
            self.send(B::PortalSuspended(PortalSuspended::new()));
        } else {
            let tag = if tag.starts_with("SELECT ") { format!("SELECT {sent}") } else { tag.clone() };
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

/// RowDescription, DataRows and CommandComplete of a statement's outcome.
fn encode_outcome(out: &mut BytesMut, outbox: &mpsc::Sender<Output>, closed: &mut bool, o: Outcome) {
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
}

fn outcome_tag(o: &Outcome) -> &str {
    match o {
        Outcome::Rows { tag, .. } | Outcome::Command { tag } => tag,
    }
}

/// A DataRow of a portal's values, each column in its format: text through
/// the type's output function, binary straight from the value.
fn encode_datum_row(out: &mut BytesMut, row: &[Datum], formats: &[i16], portal: &oa_runtime::Portal, io: &IoContext) -> Result<(), Error> {
    let at = out.len();
    out.put_u8(b'D');
    out.put_i32(0);
    out.put_i16(row.len() as i16);
    for (i, d) in row.iter().enumerate() {
        if d.is_null() {
            out.put_i32(-1);
            continue;
        }
        let len_at = out.len();
        out.put_i32(0);
        let written = if formats.get(i) == Some(&1) {
            let type_oid = portal.types().get(i).map(|t| t.oid).unwrap_or(oid::TEXT);
            values::datum_send(type_oid, d, || portal.output_text(i, d), io, out)
        } else {
            portal.output_text(i, d).map(|t| out.put_slice(t.unwrap_or_default().as_bytes()))
        };
        if let Err(e) = written {
            out.truncate(at);
            return Err(e);
        }
        let len = (out.len() - len_at - 4) as i32;
        out[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
    }
    let len = (out.len() - at - 1) as i32;
    out[at + 1..at + 5].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// A NoticeResponse for a notice that passes client_min_messages (`min`, a
/// `message_rank`); INFO always goes through.
fn notice_message(n: &Notice, min: u8) -> Option<B> {
    if message_rank(n.severity) < min && n.severity != "INFO" {
        return None;
    }
    let mut fields =
        vec![(b'S', n.severity.to_string()), (b'V', n.severity.to_string()), (b'C', n.code.code().to_string()), (b'M', n.message.clone())];
    fields.extend(n.detail.clone().map(|d| (b'D', d)));
    Some(B::NoticeResponse(NoticeResponse::new(fields)))
}

/// SET/RESET of client_min_messages (or of everything).
fn sets_client_min_messages(s: &ast::SetStmt) -> bool {
    match &s.kind {
        ast::SetKind::Value { name, .. } | ast::SetKind::Default(name) | ast::SetKind::FromCurrent(name) | ast::SetKind::Reset(name) => {
            name.eq_ignore_ascii_case("client_min_messages")
        }
        ast::SetKind::ResetAll => true,
        ast::SetKind::TimeZone(_) | ast::SetKind::Session(_) => false,
    }
}

/// COPY … FROM STDIN.
fn copy_from_client(stmt: Option<&Statement>) -> bool {
    matches!(stmt, Some(Statement::Copy(c)) if c.is_from && matches!(c.target, ast::CopyTarget::Stdin | ast::CopyTarget::Stdout))
}

/// Whether a query string copies to or from the client, and how.
fn copy_in_string(sql: &str) -> CopyInString {
    if !sql.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"copy")) {
        return CopyInString::None;
    }
    let Ok(stmts) = oa_grammar::parse(sql) else { return CopyInString::None };
    let client = |s: &Statement| matches!(s, Statement::Copy(c) if matches!(c.target, ast::CopyTarget::Stdin | ast::CopyTarget::Stdout));
    if !stmts.iter().any(|r| client(&r.stmt)) {
        return CopyInString::None;
    }
    if stmts.len() > 1 {
        return CopyInString::Among;
    }
    match stmts.into_iter().next() {
        Some(r) => CopyInString::Single(r.stmt),
        None => CopyInString::None,
    }
}

/// A frontend message's type byte (for errors about unexpected ones).
fn message_type(m: &Message) -> u8 {
    match m {
        Message::Query(_) => b'Q',
        Message::Parse { .. } => b'P',
        Message::Bind { .. } => b'B',
        Message::Describe { .. } => b'D',
        Message::Execute { .. } => b'E',
        Message::Close { .. } => b'C',
        Message::Sync => b'S',
        Message::Flush => b'H',
        Message::Terminate => b'X',
        Message::CopyData(_) => b'd',
        Message::CopyDone => b'c',
        Message::CopyFail(_) => b'f',
        Message::Invalid { extended: true, .. } => b'P',
        Message::Invalid { .. } => b'Q',
    }
}

/// COMMIT, ROLLBACK and the like: the transaction, and its portals, end.
fn ends_transaction(stmt: &Statement) -> bool {
    use ast::TransactionStmt as T;
    matches!(
        stmt,
        Statement::Transaction(T::Commit { .. } | T::Rollback { .. } | T::PrepareTransaction(_) | T::CommitPrepared(_) | T::RollbackPrepared(_))
    )
}

/// A top-level WITH holding INSERT/UPDATE/DELETE (PostgreSQL's PORTAL_ONE_MOD_WITH).
fn modifying_with(s: &ast::SelectStmt) -> bool {
    s.with.as_ref().is_some_and(|w| w.ctes.iter().any(|c| matches!(*c.query, Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_))))
}

/// A DataRow of a utility statement's text values with each column in its requested format.
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
