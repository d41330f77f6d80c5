//! A session: one client's connection state (settings, transaction block,
//! prepared statements) and the driver of the compiler phases for each
//! statement: parse → bind → optimize → pipelines → execute.
//!
//! Queries run through a [`Portal`], a resumable executor stepped a morsel at
//! a time; [`Session::execute`] is the convenience that runs a whole query
//! string and collects the results.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use oa_frontend::{BindContext, Catalog, ResultColumn};
use oa_grammar::ast::{self, Statement};
use oa_ir::datum::Datum;
use oa_ir::expr::ScalarExpr;
use oa_ir::io::IoContext;
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};
use oa_storage::{Snapshot, Transaction};

use crate::builtins::math::PgPrng;
use crate::catalog::{CatalogView, builtin};
use crate::engine::Engine;
use crate::exec::func::SessionInfo;
use crate::exec::{DeferredCheck, ExecEnv, Step, run_deferred_checks};
use crate::sequence::SequenceSession;
use crate::settings::Settings;
use crate::usage::Usage;

/// A result column as the client sees it (RowDescription).
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub type_oid: Oid,
    pub typmod: i32,
    /// pg_type.typname
    pub type_name: String,
    pub table_oid: Oid,
    pub attnum: i16,
}

/// What one statement produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Rows { fields: Vec<Field>, rows: Vec<Vec<Option<String>>>, tag: String },
    Command { tag: String },
}

/// What the extended protocol's Describe reports of a statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Describe {
    /// Every `$n`, with the types PostgreSQL would infer for those not given.
    pub param_types: Vec<SqlType>,
    /// The columns of its rows; None when it returns none.
    pub fields: Option<Vec<Field>>,
}

/// COPY data as the protocol carries it (CopyOutResponse, CopyData).
#[derive(Clone, Debug, PartialEq)]
pub struct CopyData {
    pub columns: usize,
    pub csv: bool,
    pub data: Vec<u8>,
}

/// What `execute_events` reports, in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Notice(Notice),
    Outcome(Outcome),
}

/// A NOTICE, WARNING or LOG message raised while running a statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub severity: &'static str,
    pub code: SqlState,
    pub message: String,
    pub detail: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isolation {
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

/// The transaction's SET CONSTRAINTS state (PostgreSQL's SetConstraintState):
/// an ALL setting, overridden per constraint by later named settings.
#[derive(Clone, Debug, Default)]
pub struct ConstraintModes {
    /// SET CONSTRAINTS ALL DEFERRED (true) / IMMEDIATE (false).
    pub all: Option<bool>,
    pub by_oid: HashMap<Oid, bool>,
}

impl ConstraintModes {
    /// Whether the constraint's checks wait for commit right now.
    pub fn is_deferred(&self, c: &oa_ir::catalog::ConstraintDesc) -> bool {
        c.deferrable && self.by_oid.get(&c.oid).copied().or(self.all).unwrap_or(c.initially_deferred)
    }

    pub fn set_all(&mut self, deferred: bool) {
        self.all = Some(deferred);
        self.by_oid.clear();
    }
}

/// The open transaction.
pub(crate) struct TxnState {
    pub txn: Transaction,
    /// Inside BEGIN … COMMIT (false: a single statement's or a query string's implicit transaction).
    pub explicit: bool,
    /// A statement failed: everything but ROLLBACK is refused (25P02).
    pub failed: bool,
    pub isolation: Isolation,
    /// REPEATABLE READ: the transaction's one snapshot, taken by its first statement.
    pub snapshot: Option<Snapshot>,
    pub deferred: Vec<DeferredCheck>,
    pub constraint_modes: ConstraintModes,
    pub savepoints: Vec<Savepoint>,
    /// This transaction changed the catalog: read it with its own snapshot.
    pub catalog_changed: bool,
    pub start_time: i64,
    /// BEGIN READ ONLY: writes fail with 25006.
    pub read_only: bool,
}

pub(crate) struct Savepoint {
    name: String,
    deferred: usize,
    /// LISTEN/NOTIFY state to return to on ROLLBACK TO.
    notify: crate::notify::Mark,
    /// SET CONSTRAINTS state to restore on ROLLBACK TO.
    constraint_modes: ConstraintModes,
}

/// A statement prepared with PREPARE (or the extended protocol).
#[derive(Clone, Debug)]
pub struct PreparedStatement {
    pub statement: Statement,
    pub text: String,
    pub param_types: Vec<SqlType>,
    /// A query's result columns when prepared (None: a utility statement).
    pub result: Option<Vec<Field>>,
}

pub struct Session {
    pub(crate) engine: Arc<Engine>,
    pub(crate) id: u64,
    pub(crate) user: String,
    pub(crate) database: String,
    pub(crate) settings: Settings,
    pub(crate) txn: Option<TxnState>,
    /// Running the statements of one multi-statement query string in one implicit transaction.
    implicit_block: bool,
    /// Extended protocol: the implicit transaction lasts until `sync`.
    extended: bool,
    /// The client's data for the COPY FROM STDIN being run.
    pub(crate) copy_in: Option<Vec<u8>>,
    /// What the last COPY TO STDOUT produced.
    pub(crate) copy_out: Option<CopyData>,
    prepared: HashMap<String, PreparedStatement>,
    pub(crate) random: PgPrng,
    pub(crate) sequences: SequenceSession,
    cancel: Arc<AtomicBool>,
    pub(crate) notices: Vec<Notice>,
    statement_start: i64,
    /// LISTEN/NOTIFY state, shared with the functions the session runs.
    side: Arc<crate::notify::SessionSide>,
}

/// A query being run: its executor and how to present its rows.
pub struct Portal {
    pub fields: Vec<Field>,
    types: Vec<SqlType>,
    executor: Box<dyn crate::backend::Execution>,
    snapshot: Snapshot,
    catalog: Arc<CatalogView>,
    io: IoContext,
    params: Vec<Datum>,
    kind: QueryKind,
    rows: u64,
    /// Rows of the last morsel beyond what the last fetch asked for.
    pending: std::collections::VecDeque<Vec<Datum>>,
    /// The executor has finished (rows may still be pending).
    exhausted: bool,
    done: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QueryKind {
    Select,
    Insert,
    Update,
    Delete,
}

impl Session {
    pub(crate) fn new(engine: Arc<Engine>, id: u64, user: &str, database: &str) -> Session {
        let seed = engine.clock.now() as u64 ^ id.rotate_left(32);
        Session {
            engine,
            id,
            user: user.to_string(),
            database: database.to_string(),
            settings: Settings::new(),
            txn: None,
            implicit_block: false,
            extended: false,
            copy_in: None,
            copy_out: None,
            prepared: HashMap::new(),
            random: PgPrng::from_seed(seed),
            sequences: SequenceSession::default(),
            cancel: Arc::new(AtomicBool::new(false)),
            notices: Vec::new(),
            statement_start: 0,
            side: Arc::default(),
        }
    }

    /// Set to cancel the running statement (57014) from another thread.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// NOTICEs and WARNINGs raised since the last call.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        self.collect_function_notices();
        std::mem::take(&mut self.notices)
    }

    /// WARNINGs functions raised join the session's notices.
    fn collect_function_notices(&mut self) {
        self.notices.extend(self.side.take_notices());
    }

    /// Notifications delivered to this session (LISTEN) since the last call.
    /// PostgreSQL hands them to the client only between transactions: the
    /// caller takes them when `transaction_status` is idle.
    pub fn take_notifications(&mut self) -> Vec<crate::notify::Notification> {
        self.engine.notify.take(self.id)
    }

    /// Whether notifications are waiting (see `take_notifications`).
    pub fn has_notifications(&self) -> bool {
        self.engine.notify.has_pending(self.id)
    }

    /// Called (from another session's thread) when a notification for
    /// this session arrives, so an idle connection can send it at once.
    pub fn set_notification_waker(&mut self, waker: crate::notify::Waker) {
        self.engine.notify.set_waker(self.id, &self.database, waker);
    }

    /// 'I' idle, 'T' in a transaction block, 'E' in a failed one (ReadyForQuery).
    pub fn transaction_status(&self) -> u8 {
        match &self.txn {
            Some(t) if t.explicit && t.failed => b'E',
            Some(t) if t.explicit => b'T',
            _ => b'I',
        }
    }

    /// No transaction is open, not even the implicit one of an unfinished
    /// extended-protocol batch (when notifications may go to the client).
    pub fn in_no_transaction(&self) -> bool {
        self.txn.is_none()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// pg_backend_pid() of this session (BackendKeyData).
    pub fn backend_pid(&self) -> i32 {
        self.id as i32
    }

    /// Applies a startup-packet parameter: RESET and DISCARD ALL return to it.
    pub fn set_startup_option(&mut self, name: &str, value: &str) -> Result<()> {
        self.settings.set_startup(name, value)
    }

    /// COPY's column count and whether CSV (CopyInResponse/CopyOutResponse),
    /// checked before any data moves.
    pub fn copy_shape(&mut self, stmt: &Statement) -> Result<(usize, bool)> {
        let Statement::Copy(c) = stmt else { return Err(Error::internal("not a COPY")) };
        self.in_own_transaction(|s| crate::ddl::copy_shape(s, c))
    }

    /// Runs `f` in the current transaction, or in a read-committed one of its
    /// own that is discarded afterwards (describing, planning and reg* input
    /// need a snapshot and the catalog, not a transaction the client sees).
    fn in_own_transaction<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let own = self.txn.is_none();
        if own {
            self.begin(false, Isolation::ReadCommitted)?;
        }
        let result = f(self);
        if own {
            self.abort();
        }
        result
    }

    /// Runs COPY … FROM STDIN with the client's data.
    pub fn run_copy_in(&mut self, stmt: &Statement, sql: &str, data: Vec<u8>) -> Result<Outcome> {
        self.copy_in = Some(data);
        let r = self.run_statement(stmt, sql, &[], &[]);
        self.copy_in = None;
        r
    }

    /// The data of the last COPY … TO STDOUT.
    pub fn take_copy_out(&mut self) -> Option<CopyData> {
        self.copy_out.take()
    }

    /// Runs a query string (one or more statements), collecting every result.
    /// Stops at the first error; an error's position is the 1-based character
    /// offset into `sql`, as PostgreSQL reports it.
    pub fn execute(&mut self, sql: &str) -> Result<Vec<Outcome>> {
        let mut out = Vec::new();
        self.execute_each(sql, |o| out.push(o))?;
        Ok(out)
    }

    /// Like `execute`, handing each statement's outcome to `sink` as it completes.
    pub fn execute_each(&mut self, sql: &str, mut sink: impl FnMut(Outcome)) -> Result<()> {
        let mut notices = Vec::new();
        let r = self.execute_events(sql, |e| match e {
            Event::Outcome(o) => sink(o),
            Event::Notice(n) => notices.push(n),
        });
        // Left for take_notices, as before.
        notices.append(&mut self.notices);
        self.notices = notices;
        r
    }

    /// Like `execute_each`, with each statement's notices reported before its
    /// outcome (a failed statement's stay for `take_notices`).
    pub fn execute_events(&mut self, sql: &str, mut sink: impl FnMut(Event)) -> Result<()> {
        self.cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        let query_start = self.settings.on("log_statement_stats").then(|| self.usage());
        let parse_start = self.usage_if("log_parser_stats");
        let stmts = match oa_grammar::parse(sql) {
            Ok(s) => s,
            Err(e) => {
                let e = syntax_error(e);
                self.statement_failed();
                return Err(char_position(e, sql));
            }
        };
        self.report_usage("PARSER STATISTICS", parse_start);
        self.implicit_block = stmts.len() > 1 && self.txn.is_none();
        for raw in &stmts {
            match self.run_statement(&raw.stmt, sql, &[], &[]) {
                Ok(o) => {
                    for n in self.notices.drain(..) {
                        sink(Event::Notice(n));
                    }
                    sink(Event::Outcome(o))
                }
                Err(e) => {
                    self.statement_failed();
                    self.implicit_block = false;
                    return Err(char_position(e, sql));
                }
            }
        }
        if self.implicit_block {
            self.implicit_block = false;
            if self.txn.as_ref().is_some_and(|t| !t.explicit) {
                self.commit()?;
            }
        }
        self.report_usage("QUERY STATISTICS", query_start);
        Ok(())
    }

    /// Resource usage now (usage.rs).
    fn usage(&self) -> Usage {
        Usage::now(self.engine.clock.now())
    }

    /// Usage now if the report `setting` is on: the start of a phase.
    fn usage_if(&self, setting: &str) -> Option<Usage> {
        self.settings.on(setting).then(|| self.usage())
    }

    /// ShowUsage: the LOG report of a phase that started at `start`.
    fn report_usage(&mut self, title: &str, start: Option<Usage>) {
        if let Some(start) = start {
            let n = self.usage().report(title, &start);
            self.notices.push(n);
        }
    }

    /// Parse analysis and rewriting of a statement, as two reports: our
    /// binder does both (views are expanded while binding), so the rewriter's
    /// report covers no work.
    fn report_analysis(&mut self, start: Option<Usage>) {
        if start.is_some() {
            self.report_usage("PARSE ANALYSIS STATISTICS", start);
            let rewrite = self.usage_if("log_parser_stats");
            self.report_usage("REWRITER STATISTICS", rewrite);
        }
    }

    /// After an error: end an implicit transaction, or mark an explicit one failed.
    pub fn statement_failed(&mut self) {
        match &mut self.txn {
            Some(t) if t.explicit => t.failed = true,
            Some(_) => self.abort(),
            None => {}
        }
    }

    /// Runs one parsed statement. `params` are bound values of `$n` (with their types).
    pub fn run_statement(&mut self, stmt: &Statement, sql: &str, params: &[Datum], param_types: &[SqlType]) -> Result<Outcome> {
        self.statement_start = self.engine.clock.now();
        if let Statement::Transaction(t) = stmt {
            return self.transaction_statement(t);
        }
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(Error::new(
                SqlState::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        let autocommit = self.txn.is_none() && !self.implicit_block && !self.extended;
        if !is_query(stmt) {
            // Utility statements are analyzed too, trivially; queries report in open_portal.
            let start = self.usage_if("log_parser_stats");
            self.report_analysis(start);
        }
        self.statement_begins(stmt)?;
        let result = self.dispatch(stmt, sql, params, param_types);
        self.collect_function_notices();
        let result = match result {
            Ok(o) => self.end_of_statement().map(|()| o),
            Err(e) => Err(e),
        };
        match result {
            Ok(o) => {
                if autocommit && self.txn.as_ref().is_some_and(|t| !t.explicit) {
                    self.commit()?;
                }
                Ok(o)
            }
            Err(e) => Err(e),
        }
    }

    /// Opens the statement's transaction if there is none and refuses writes
    /// in a read-only one.
    fn statement_begins(&mut self, stmt: &Statement) -> Result<()> {
        if self.txn.is_none() {
            self.begin(false, Isolation::ReadCommitted)?;
        }
        if self.txn.as_ref().is_some_and(|t| t.read_only)
            && let Some(what) = writes(stmt)
        {
            return Err(Error::new(SqlState::READ_ONLY_SQL_TRANSACTION, format!("cannot execute {what} in a read-only transaction")));
        }
        Ok(())
    }

    // ------------------------------------------------------------ extended protocol

    /// Describe: parameter types (inferred where not given) and result columns,
    /// without running anything.
    pub fn describe(&mut self, stmt: &Statement, param_types: &[SqlType]) -> Result<Describe> {
        let text_field = |name: &str| Field { name: name.into(), type_oid: oid::TEXT, typmod: -1, type_name: "text".into(), table_oid: 0, attnum: 0 };
        match stmt {
            Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
                if self.txn.as_ref().is_some_and(|t| t.failed) {
                    return Err(Error::new(
                        SqlState::IN_FAILED_SQL_TRANSACTION,
                        "current transaction is aborted, commands ignored until end of transaction block",
                    ));
                }
                self.in_own_transaction(|s| {
                    let snapshot = s.statement_snapshot()?;
                    let catalog = s.catalog_view(&snapshot)?;
                    let ctx = s.bind_context(param_types.to_vec())?;
                    let bound = oa_frontend::bind_query(stmt, &*catalog, &ctx)?;
                    let fields = s.fields(&bound.columns, &catalog);
                    let returns = matches!(stmt, Statement::Select(_)) || !fields.is_empty();
                    Ok(Describe { param_types: bound.param_types, fields: returns.then_some(fields) })
                })
            }
            Statement::Execute(e) => {
                let prepared = self
                    .prepared
                    .get(&e.name)
                    .cloned()
                    .ok_or_else(|| Error::new(SqlState::UNDEFINED_PSTATEMENT, format!("prepared statement \"{}\" does not exist", e.name)))?;
                let inner = self.describe(&prepared.statement, &prepared.param_types)?;
                Ok(Describe { param_types: param_types.to_vec(), fields: inner.fields })
            }
            Statement::Explain(_) => Ok(Describe { param_types: param_types.to_vec(), fields: Some(vec![text_field("QUERY PLAN")]) }),
            Statement::Show(s) => match self.show_statement(s)? {
                Outcome::Rows { fields, .. } => Ok(Describe { param_types: param_types.to_vec(), fields: Some(fields) }),
                Outcome::Command { .. } => Ok(Describe { param_types: param_types.to_vec(), fields: None }),
            },
            _ => Ok(Describe { param_types: param_types.to_vec(), fields: None }),
        }
    }

    /// A reg* parameter in text form (regclassin, regtypein, …): the OID
    /// the name denotes, or the number given.
    pub fn reg_input(&mut self, ty: Oid, text: &str) -> Result<Oid> {
        let result = self.in_own_transaction(|s| {
            let snapshot = s.statement_snapshot()?;
            let catalog = s.catalog_view(&snapshot)?;
            let ctx = s.bind_context(Vec::new())?;
            match oa_frontend::reg_input(ty, text, &*catalog, &ctx)? {
                Some(o) => Ok(o),
                None => text
                    .trim()
                    .parse()
                    .map_err(|_| Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type oid: \"{text}\""))),
            }
        });
        result.map_err(|mut e| {
            e.position = None;
            e
        })
    }

    /// Execute of a query: starts it in the implicit transaction that lasts
    /// until `sync` (or in the open block). Rows come from `fetch`/`fetch_datums`,
    /// then `finish_portal`. Other statements go through `run_statement`, which
    /// also leaves the implicit transaction open until `sync`.
    pub fn start_portal(&mut self, stmt: &Statement, params: &[Datum], param_types: &[SqlType]) -> Result<Portal> {
        self.extended = true;
        self.statement_start = self.engine.clock.now();
        self.cancel.store(false, std::sync::atomic::Ordering::Relaxed);
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(Error::new(
                SqlState::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        self.statement_begins(stmt)?;
        self.open_portal(stmt, params, param_types)
    }

    /// Execute of any other statement in the extended protocol: like
    /// `run_statement`, but the implicit transaction lasts until `sync`.
    pub fn run_extended(&mut self, stmt: &Statement, sql: &str, params: &[Datum], param_types: &[SqlType]) -> Result<Outcome> {
        self.extended = true;
        self.run_statement(stmt, sql, params, param_types)
    }

    /// A portal ran to completion: the statement ends (its deferred checks run).
    /// Returns the command tag.
    pub fn finish_portal(&mut self, portal: &Portal) -> Result<String> {
        self.end_of_statement()?;
        Ok(portal.tag())
    }

    /// Sync: commits the implicit transaction (a failed one was already rolled back).
    pub fn sync(&mut self) -> Result<()> {
        self.extended = false;
        if self.txn.as_ref().is_some_and(|t| !t.explicit) {
            return self.commit();
        }
        Ok(())
    }

    fn dispatch(&mut self, stmt: &Statement, sql: &str, params: &[Datum], param_types: &[SqlType]) -> Result<Outcome> {
        match stmt {
            Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
                if let Statement::Select(s) = stmt
                    && let Some(into) = select_into(s)
                {
                    return crate::ddl::create_table_as_select_into(self, s, into, sql);
                }
                self.run_query(stmt, params, param_types, None)
            }
            Statement::Set(s) => self.set_statement(s),
            Statement::Show(s) => self.show_statement(s),
            Statement::Prepare(p) => {
                if self.prepared.contains_key(&p.name) {
                    return Err(Error::new(SqlState::DUPLICATE_PSTATEMENT, format!("prepared statement \"{}\" already exists", p.name)));
                }
                let snapshot = self.statement_snapshot()?;
                let catalog = self.catalog_view(&snapshot)?;
                let ctx = self.bind_context(Vec::new())?;
                let types = p.arg_types.iter().map(|t| oa_frontend::resolve_type_name(t, &*catalog, &ctx)).collect::<Result<Vec<_>>>()?;
                let text = sql.get(p.query_text.0..p.query_text.1).unwrap_or_default().to_string();
                // Bind once now so errors surface at PREPARE, as in PostgreSQL.
                let bound = match &*p.query {
                    Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
                        Some(oa_frontend::bind_query(&p.query, &*catalog, &self.bind_context(types.clone())?)?)
                    }
                    _ => None,
                };
                let result = bound.as_ref().map(|b| self.fields(&b.columns, &catalog));
                let param_types = bound.map(|b| b.param_types).unwrap_or(types);
                self.prepared.insert(p.name.clone(), PreparedStatement { statement: (*p.query).clone(), text, param_types, result });
                Ok(Outcome::Command { tag: "PREPARE".into() })
            }
            Statement::Execute(e) => {
                let prepared = self
                    .prepared
                    .get(&e.name)
                    .cloned()
                    .ok_or_else(|| Error::new(SqlState::UNDEFINED_PSTATEMENT, format!("prepared statement \"{}\" does not exist", e.name)))?;
                if e.params.len() != prepared.param_types.len() {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, format!("wrong number of parameters for prepared statement \"{}\"", e.name))
                        .with_detail(format!("Expected {} parameters but got {}.", prepared.param_types.len(), e.params.len())));
                }
                let mut values = Vec::new();
                for (p, ty) in e.params.iter().zip(&prepared.param_types) {
                    values.push(self.evaluate(p, Some(*ty))?);
                }
                let text = prepared.text.clone();
                let run = match (&prepared.statement, &prepared.result) {
                    (Statement::Select(s), Some(expected)) if select_into(s).is_none() => {
                        self.run_query(&prepared.statement, &values, &prepared.param_types, Some(expected))
                    }
                    (Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_), Some(expected)) => {
                        self.run_query(&prepared.statement, &values, &prepared.param_types, Some(expected))
                    }
                    _ => self.dispatch(&prepared.statement, &text, &values, &prepared.param_types),
                };
                run.map_err(|mut err| {
                    // Positions inside the prepared text mean nothing to EXECUTE.
                    err.position = None;
                    err
                })
            }
            Statement::Deallocate(d) => {
                match d {
                    ast::DeallocateStmt::All => self.prepared.clear(),
                    ast::DeallocateStmt::Name(n) => {
                        if self.prepared.remove(n).is_none() {
                            return Err(Error::new(SqlState::UNDEFINED_PSTATEMENT, format!("prepared statement \"{n}\" does not exist")));
                        }
                    }
                }
                Ok(Outcome::Command { tag: "DEALLOCATE".into() })
            }
            Statement::Discard(kind) => {
                if matches!(kind, ast::DiscardKind::All) && self.txn.as_ref().is_some_and(|t| t.explicit) {
                    return Err(Error::new(SqlState::ACTIVE_SQL_TRANSACTION, "DISCARD ALL cannot run inside a transaction block"));
                }
                match kind {
                    ast::DiscardKind::All => {
                        self.prepared.clear();
                        self.sequences.discard();
                        self.settings.reset_all(false);
                    }
                    ast::DiscardKind::Plans | ast::DiscardKind::Temp => {}
                    ast::DiscardKind::Sequences => self.sequences.discard(),
                }
                Ok(Outcome::Command { tag: format!("DISCARD {}", discard_name(*kind)) })
            }
            Statement::Explain(e) => crate::explain::explain(self, e, sql),
            Statement::SetConstraints(c) => self.set_constraints(c),
            // No statement opens a cursor or listens yet, so there is nothing to close or unlisten.
            Statement::Close(None) => Ok(Outcome::Command { tag: "CLOSE CURSOR".into() }),
            Statement::Close(Some(name)) => Err(Error::new(SqlState::INVALID_CURSOR_NAME, format!("cursor \"{name}\" does not exist"))),
            // LISTEN/UNLISTEN/NOTIFY take effect at commit (notify.rs).
            Statement::Listen(channel) => {
                self.side.listen(channel);
                Ok(Outcome::Command { tag: "LISTEN".into() })
            }
            Statement::Unlisten(channel) => {
                self.side.unlisten(channel.as_deref());
                Ok(Outcome::Command { tag: "UNLISTEN".into() })
            }
            Statement::Notify { channel, payload } => {
                self.side.notify(channel, payload.as_deref().unwrap_or(""))?;
                Ok(Outcome::Command { tag: "NOTIFY".into() })
            }
            Statement::Unsupported(u) => Err(Error::feature_not_supported(format!("{} is not supported yet", u.what)).with_position(u.loc)),
            _ => crate::ddl::utility(self, stmt, sql),
        }
    }

    /// Runs a query to completion. `expected`: the result columns it had
    /// when prepared, which it must still have.
    fn run_query(&mut self, stmt: &Statement, params: &[Datum], param_types: &[SqlType], expected: Option<&[Field]>) -> Result<Outcome> {
        let mut portal = self.open_portal(stmt, params, param_types)?;
        if let Some(e) = expected {
            check_result_unchanged(e, &portal.fields)?;
        }
        let rows = self.fetch(&mut portal, usize::MAX)?;
        let tag = portal.tag();
        Ok(match portal.kind {
            QueryKind::Select => Outcome::Rows { fields: portal.fields, rows, tag },
            _ if !portal.fields.is_empty() => Outcome::Rows { fields: portal.fields, rows, tag },
            _ => Outcome::Command { tag },
        })
    }

    /// SET CONSTRAINTS (AfterTriggerSetState): names resolve like PostgreSQL's,
    /// the first schema of the path holding one wins.
    fn set_constraints(&mut self, c: &ast::ConstraintsSetStmt) -> Result<Outcome> {
        if !self.in_transaction_block() {
            self.notices.push(Notice {
                severity: "WARNING",
                code: SqlState::NO_ACTIVE_SQL_TRANSACTION,
                message: "SET CONSTRAINTS can only be used in transaction blocks".into(),
                detail: None,
            });
        }
        let oids = match &c.constraints {
            None => None,
            Some(names) => Some(crate::ddl::constraints_named(self, names, c.deferred)?),
        };
        let t = self.txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        match oids {
            None => t.constraint_modes.set_all(c.deferred),
            Some(oids) => t.constraint_modes.by_oid.extend(oids.into_iter().map(|o| (o, c.deferred))),
        }
        // The checks this makes due run at the end of the statement.
        Ok(Outcome::Command { tag: "SET CONSTRAINTS".into() })
    }

    // ------------------------------------------------------------ queries

    /// Binds and optimizes a query without running it (None for utility
    /// statements), in a transaction of its own that is then discarded.
    pub fn plan(&mut self, stmt: &Statement) -> Result<Option<oa_ir::physical::PhysicalPlan>> {
        if !is_query(stmt) {
            return Ok(None);
        }
        self.in_own_transaction(|s| {
            let snapshot = s.statement_snapshot()?;
            let catalog = s.catalog_view(&snapshot)?;
            let ctx = s.bind_context(Vec::new())?;
            let bound = oa_frontend::bind_query(stmt, &*catalog, &ctx)?;
            Ok(Some(oa_optimizer::optimize(bound.plan, &*catalog, &s.optimizer_options())?.plan))
        })
    }

    /// Binds, optimizes and starts a query; rows come from `fetch`.
    pub fn open_portal(&mut self, stmt: &Statement, params: &[Datum], param_types: &[SqlType]) -> Result<Portal> {
        let snapshot = self.statement_snapshot()?;
        let catalog = self.catalog_view(&snapshot)?;
        let ctx = self.bind_context(param_types.to_vec())?;
        let bind_start = self.usage_if("log_parser_stats");
        let bound = oa_frontend::bind_query(stmt, &*catalog, &ctx)?;
        self.report_analysis(bind_start);
        let kind = match stmt {
            Statement::Insert(_) => QueryKind::Insert,
            Statement::Update(_) => QueryKind::Update,
            Statement::Delete(_) => QueryKind::Delete,
            _ => QueryKind::Select,
        };
        let plan_start = self.usage_if("log_planner_stats");
        let optimized = oa_optimizer::optimize(bound.plan, &*catalog, &self.optimizer_options())?;
        self.report_usage("PLANNER STATISTICS", plan_start);
        // Not one of PostgreSQL's reports: turning the plan into pipelines and
        // the backend's code (PostgreSQL counts its JIT in the executor's).
        let compile_start = self.usage_if("log_executor_stats");
        let graph = oa_ir::pipeline::build_pipelines(&optimized.plan);
        let executor = self.engine.backend.start(graph)?;
        self.report_usage("COMPILE STATISTICS", compile_start);
        let fields = self.fields(&bound.columns, &catalog);
        let types = bound.columns.iter().map(|c| c.ty).collect();
        Ok(Portal {
            fields,
            types,
            executor,
            snapshot,
            catalog,
            io: ctx.io,
            params: params.to_vec(),
            kind,
            rows: 0,
            pending: Default::default(),
            exhausted: false,
            done: false,
        })
    }

    /// Runs a portal until `max_rows` rows are ready or it finishes; rows in text form.
    pub fn fetch(&mut self, portal: &mut Portal, max_rows: usize) -> Result<Vec<Vec<Option<String>>>> {
        let rows = self.fetch_datums(portal, max_rows)?;
        rows.iter().map(|r| r.iter().enumerate().map(|(i, d)| portal.output_text(i, d)).collect()).collect()
    }

    /// Like `fetch`, with the values themselves (for binary output).
    pub fn fetch_datums(&mut self, portal: &mut Portal, max_rows: usize) -> Result<Vec<Vec<Datum>>> {
        let start = self.usage_if("log_executor_stats");
        let rows = self.run_portal(portal, max_rows)?;
        self.report_usage("EXECUTOR STATISTICS", start);
        Ok(rows)
    }

    fn run_portal(&mut self, portal: &mut Portal, max_rows: usize) -> Result<Vec<Vec<Datum>>> {
        let mut out = Vec::new();
        let timeout_ms = self.settings.statement_timeout_ms();
        let info = self.session_info();
        let in_block = self.txn.as_ref().is_some_and(|t| t.explicit) || self.implicit_block;
        let Session { engine, txn, random, sequences, cancel, settings, .. } = self;
        let state = txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        let mut env = ExecEnv {
            storage: &engine.storage,
            txn: &mut state.txn,
            snapshot: &portal.snapshot,
            catalog: &portal.catalog,
            io: &portal.io,
            session: &info,
            random,
            sequences,
            settings,
            in_transaction_block: in_block,
            params: &portal.params,
            deferred: &mut state.deferred,
            cancel,
        };
        while out.len() < max_rows {
            if let Some(row) = portal.pending.pop_front() {
                out.push(row);
                portal.rows += 1;
                continue;
            }
            if portal.exhausted {
                break;
            }
            if timeout_ms > 0 && engine.clock.now() - self.statement_start > timeout_ms * 1000 {
                return Err(Error::new(SqlState::QUERY_CANCELED, "canceling statement due to statement timeout"));
            }
            match portal.executor.step(&mut env)? {
                Step::Rows(m) => {
                    for i in 0..m.len {
                        portal.pending.push_back(m.columns.iter().map(|c| c.datum(i)).collect());
                    }
                }
                Step::Continue => {}
                Step::Done => portal.exhausted = true,
            }
        }
        portal.done = portal.exhausted && portal.pending.is_empty();
        if portal.done && portal.kind != QueryKind::Select && portal.fields.is_empty() {
            portal.rows = portal.executor.rows_affected();
        } else if portal.done && portal.kind != QueryKind::Select {
            portal.rows = portal.executor.rows_affected().max(portal.rows);
        }
        Ok(out)
    }

    /// Optimizes and runs a plan built by the engine itself (CREATE TABLE AS,
    /// table rewrites); returns the rows it affected.
    pub(crate) fn run_plan(&mut self, plan: oa_ir::LogicalPlan, snapshot: &Snapshot, catalog: &Arc<CatalogView>) -> Result<u64> {
        let optimized = oa_optimizer::optimize(plan, &**catalog, &self.optimizer_options())?;
        self.run_physical(&optimized.plan, snapshot, catalog)
    }

    /// Runs a physical plan to completion (COPY batches skip the optimizer).
    pub(crate) fn run_physical(&mut self, plan: &oa_ir::physical::PhysicalPlan, snapshot: &Snapshot, catalog: &Arc<CatalogView>) -> Result<u64> {
        let graph = oa_ir::pipeline::build_pipelines(plan);
        let io = self.io_context()?;
        let mut portal = Portal {
            fields: Vec::new(),
            types: Vec::new(),
            executor: self.engine.backend.start(graph)?,
            snapshot: snapshot.clone(),
            catalog: catalog.clone(),
            io,
            params: Vec::new(),
            kind: QueryKind::Insert,
            rows: 0,
            pending: Default::default(),
            exhausted: false,
            done: false,
        };
        self.run_portal(&mut portal, usize::MAX)?;
        Ok(portal.executor.rows_affected())
    }

    /// Evaluates an expression without a table (EXECUTE parameters, SET values).
    pub(crate) fn evaluate(&mut self, e: &ast::Expr, target: Option<SqlType>) -> Result<Datum> {
        let snapshot = self.statement_snapshot()?;
        let catalog = self.catalog_view(&snapshot)?;
        let ctx = self.bind_context(Vec::new())?;
        let bound = oa_frontend::bind_standalone_expr(e, target, &*catalog, &ctx)?;
        self.evaluate_bound(&bound, &snapshot, &catalog, &ctx.io)
    }

    pub(crate) fn evaluate_bound(&mut self, e: &ScalarExpr, snapshot: &Snapshot, catalog: &CatalogView, io: &IoContext) -> Result<Datum> {
        let info = self.session_info();
        let in_block = self.txn.as_ref().is_some_and(|t| t.explicit) || self.implicit_block;
        let Session { engine, txn, random, sequences, cancel, settings, .. } = self;
        let state = txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        let mut env = ExecEnv {
            storage: &engine.storage,
            txn: &mut state.txn,
            snapshot,
            catalog,
            io,
            session: &info,
            random,
            sequences,
            settings,
            in_transaction_block: in_block,
            params: &[],
            deferred: &mut state.deferred,
            cancel,
        };
        crate::exec::evaluate_scalar(e, &mut env)
    }

    pub(crate) fn fields(&self, columns: &[ResultColumn], catalog: &CatalogView) -> Vec<Field> {
        columns
            .iter()
            .map(|c| Field {
                name: c.name.clone(),
                type_oid: c.ty.oid,
                typmod: c.ty.typmod,
                type_name: catalog.type_by_oid(c.ty.oid).map(|t| t.name.clone()).unwrap_or_else(|| c.ty.oid.to_string()),
                table_oid: c.table,
                attnum: c.attnum,
            })
            .collect()
    }

    pub(crate) fn optimizer_options(&self) -> oa_optimizer::OptimizerOptions {
        let mut o = oa_optimizer::OptimizerOptions::default();
        if let Some(v) = self.settings.get("openassay.disabled_stages") {
            o.disabled = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
        o.enable_seqscan = self.settings.on("enable_seqscan");
        o.enable_indexscan = self.settings.on("enable_indexscan");
        o
    }

    // ------------------------------------------------------------ context

    pub(crate) fn session_info(&self) -> SessionInfo {
        let path = self.settings.search_path();
        SessionInfo {
            user: self.user.clone(),
            database: self.database.clone(),
            current_schema: None,
            search_path_schemas: path,
            backend_pid: self.id as i32,
            statement_timestamp: self.statement_start,
            transaction_timestamp: self.txn.as_ref().map(|t| t.start_time).unwrap_or(self.statement_start),
            side: self.side.clone(),
        }
    }

    pub(crate) fn bind_context(&self, param_types: Vec<SqlType>) -> Result<BindContext> {
        let now = self.txn.as_ref().map(|t| t.start_time).unwrap_or(self.statement_start);
        Ok(BindContext { io: self.settings.io_context(now)?, param_types })
    }

    pub(crate) fn io_context(&self) -> Result<IoContext> {
        let now = self.txn.as_ref().map(|t| t.start_time).unwrap_or(self.statement_start);
        self.settings.io_context(now)
    }

    /// The snapshot a statement reads with: a new one per statement in READ
    /// COMMITTED, the transaction's first one (moved to this command) otherwise.
    pub(crate) fn statement_snapshot(&mut self) -> Result<Snapshot> {
        let engine = self.engine.clone();
        let t = self.txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        match t.isolation {
            Isolation::ReadCommitted => Ok(engine.storage.snapshot(&t.txn)),
            _ => {
                if let Some(s) = &mut t.snapshot {
                    t.txn.refresh_snapshot(s);
                    return Ok(s.clone());
                }
                let s = engine.storage.snapshot(&t.txn);
                t.snapshot = Some(s.clone());
                Ok(s)
            }
        }
    }

    /// The catalog as this statement sees it.
    pub(crate) fn catalog_view(&self, snapshot: &Snapshot) -> Result<Arc<CatalogView>> {
        let changed = self.txn.as_ref().is_some_and(|t| t.catalog_changed);
        let user =
            if changed { Arc::new(crate::catalog::load_user(&self.engine.storage, snapshot)?) } else { self.engine.committed_catalog(snapshot)? };
        let mut view = CatalogView {
            builtin: builtin(),
            user,
            search_path: Vec::new(),
            creation_namespace: None,
            database: self.database.clone(),
            user_name: self.user.clone(),
        };
        // The session's temporary schema comes first, then pg_catalog unless the path names it.
        let path = self.settings.search_path();
        let mut oids = Vec::new();
        let temp = format!("pg_temp_{}", self.id);
        if let Some(ns) = view.all_namespaces().find(|n| n.name == temp).map(|n| n.oid) {
            oids.push(ns);
        }
        if !path.iter().any(|p| p == "pg_catalog") {
            oids.push(oid::PG_CATALOG_NAMESPACE);
        }
        for p in &path {
            let name = match p.as_str() {
                "$user" => self.user.clone(),
                "pg_temp" => temp.clone(),
                _ => p.clone(),
            };
            let found = view.all_namespaces().find(|n| n.name == name).map(|n| n.oid);
            if let Some(ns) = found {
                if view.creation_namespace.is_none() && ns != oid::PG_CATALOG_NAMESPACE {
                    view.creation_namespace = Some(ns);
                }
                if !oids.contains(&ns) {
                    oids.push(ns);
                }
            }
        }
        view.search_path = oids;
        Ok(Arc::new(view))
    }

    /// Marks the catalog as changed by this transaction and makes the change
    /// visible to the transaction's next command.
    pub(crate) fn catalog_updated(&mut self) -> Result<()> {
        let t = self.txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        t.catalog_changed = true;
        t.txn.command_counter_increment()
    }

    // ------------------------------------------------------------ transactions

    fn begin(&mut self, explicit: bool, isolation: Isolation) -> Result<()> {
        let txn = self.engine.storage.begin_in_session(self.id);
        let mut txn = txn;
        txn.set_cancel_flag(self.cancel.clone());
        self.txn = Some(TxnState {
            txn,
            explicit,
            failed: false,
            isolation,
            snapshot: None,
            deferred: Vec::new(),
            constraint_modes: ConstraintModes::default(),
            savepoints: Vec::new(),
            catalog_changed: false,
            start_time: self.engine.clock.now(),
            read_only: self.settings.show("default_transaction_read_only").is_ok_and(|v| v == "on"),
        });
        Ok(())
    }

    /// End of each statement: make its changes visible to the next command,
    /// then run the constraint checks due now.
    fn end_of_statement(&mut self) -> Result<()> {
        let Some(t) = self.txn.as_mut() else { return Ok(()) };
        t.txn.command_counter_increment()?;
        if t.deferred.is_empty() {
            return Ok(());
        }
        self.run_checks(false)
    }

    fn run_checks(&mut self, at_commit: bool) -> Result<()> {
        let snapshot = self.statement_snapshot()?;
        let catalog = self.catalog_view(&snapshot)?;
        let io = self.io_context()?;
        let info = self.session_info();
        let in_block = self.txn.as_ref().is_some_and(|t| t.explicit) || self.implicit_block;
        let Session { engine, txn, random, sequences, cancel, settings, .. } = self;
        let state = txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        let modes = state.constraint_modes.clone();
        let mut env = ExecEnv {
            storage: &engine.storage,
            txn: &mut state.txn,
            snapshot: &snapshot,
            catalog: &catalog,
            io: &io,
            session: &info,
            random,
            sequences,
            settings,
            in_transaction_block: in_block,
            params: &[],
            deferred: &mut state.deferred,
            cancel,
        };
        run_deferred_checks(&mut env, &|c| !at_commit && modes.is_deferred(c))
    }

    fn commit(&mut self) -> Result<()> {
        if self.txn.as_ref().is_some_and(|t| !t.deferred.is_empty())
            && let Err(e) = self.run_checks(true)
        {
            self.abort();
            return Err(e);
        }
        let Some(t) = self.txn.take() else { return Ok(()) };
        let changed = t.catalog_changed;
        if let Err(e) = t.txn.commit() {
            self.end_transaction_state(false);
            return Err(e);
        }
        self.settings.end_transaction(true);
        self.end_transaction_state(true);
        if changed {
            self.engine.catalog_changed()?;
        }
        Ok(())
    }

    fn abort(&mut self) {
        if let Some(t) = self.txn.take() {
            t.txn.abort();
            self.end_transaction_state(false);
        }
        self.settings.end_transaction(false);
    }

    /// What ends with every transaction besides its data: LISTEN/NOTIFY
    /// take effect (or are forgotten) and transaction-level advisory locks
    /// are released.
    fn end_transaction_state(&mut self, committed: bool) {
        if committed {
            self.side.commit(&self.engine.notify, self.id, self.id as i32, &self.database);
        } else {
            self.side.abort();
        }
        crate::builtins::catalog_fns::release_advisory_locks(self.storage_key(), self.id as i32, true);
    }

    /// The engine identity functions key engine-wide state with (FnHost::storage_key).
    fn storage_key(&self) -> usize {
        Arc::as_ptr(&self.engine.storage) as usize
    }

    pub(crate) fn in_transaction_block(&self) -> bool {
        self.txn.as_ref().is_some_and(|t| t.explicit) || self.implicit_block
    }

    fn warn(&mut self, code: SqlState, message: &str) {
        self.notices.push(Notice { severity: "WARNING", code, message: message.to_string(), detail: None });
    }

    fn transaction_statement(&mut self, t: &ast::TransactionStmt) -> Result<Outcome> {
        use ast::TransactionStmt as T;
        let failed = self.txn.as_ref().is_some_and(|t| t.failed);
        let explicit = self.txn.as_ref().is_some_and(|t| t.explicit);
        let tag = |s: &str| Ok(Outcome::Command { tag: s.to_string() });
        match t {
            T::Begin { modes, start } => {
                if failed {
                    return Err(Error::new(
                        SqlState::IN_FAILED_SQL_TRANSACTION,
                        "current transaction is aborted, commands ignored until end of transaction block",
                    ));
                }
                let isolation = isolation_of(modes)?;
                let name = if *start { "START TRANSACTION" } else { "BEGIN" };
                if explicit {
                    self.warn(SqlState::ACTIVE_SQL_TRANSACTION, "there is already a transaction in progress");
                    return tag(name);
                }
                match &mut self.txn {
                    // BEGIN inside a multi-statement string turns its implicit transaction explicit.
                    Some(t) => {
                        t.explicit = true;
                        if let Some(i) = isolation {
                            t.isolation = i;
                        }
                    }
                    None => {
                        let level = match isolation {
                            Some(i) => i,
                            None => default_isolation(&self.settings),
                        };
                        self.begin(true, level)?;
                    }
                }
                if let (Some(r), Some(t)) = (read_only_of(modes), self.txn.as_mut()) {
                    t.read_only = r;
                }
                tag(name)
            }
            T::Commit { chain } => {
                if !explicit {
                    if self.txn.is_some() && self.implicit_block {
                        self.commit()?;
                    }
                    self.warn(SqlState::NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress");
                    if *chain {
                        return Err(Error::new(SqlState::NO_ACTIVE_SQL_TRANSACTION, "COMMIT AND CHAIN can only be used in transaction blocks"));
                    }
                    return tag("COMMIT");
                }
                let isolation = self.txn.as_ref().map(|t| t.isolation).unwrap_or(Isolation::ReadCommitted);
                if failed {
                    self.abort();
                    if *chain {
                        self.begin(true, isolation)?;
                    }
                    return tag("ROLLBACK");
                }
                self.commit()?;
                if *chain {
                    self.begin(true, isolation)?;
                }
                tag("COMMIT")
            }
            T::Rollback { chain } => {
                if !explicit {
                    self.abort();
                    self.warn(SqlState::NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress");
                    if *chain {
                        return Err(Error::new(SqlState::NO_ACTIVE_SQL_TRANSACTION, "ROLLBACK AND CHAIN can only be used in transaction blocks"));
                    }
                    return tag("ROLLBACK");
                }
                let isolation = self.txn.as_ref().map(|t| t.isolation).unwrap_or(Isolation::ReadCommitted);
                self.abort();
                if *chain {
                    self.begin(true, isolation)?;
                }
                tag("ROLLBACK")
            }
            T::Savepoint(name) => {
                if failed {
                    return Err(Error::new(
                        SqlState::IN_FAILED_SQL_TRANSACTION,
                        "current transaction is aborted, commands ignored until end of transaction block",
                    ));
                }
                if !self.in_transaction_block() {
                    return Err(Error::new(SqlState::NO_ACTIVE_SQL_TRANSACTION, "SAVEPOINT can only be used in transaction blocks"));
                }
                let t = self.txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
                t.txn.begin_subtransaction()?;
                let notify = self.side.mark();
                t.savepoints.push(Savepoint { name: name.clone(), deferred: t.deferred.len(), notify, constraint_modes: t.constraint_modes.clone() });
                tag("SAVEPOINT")
            }
            T::Release(name) => {
                if failed {
                    return Err(Error::new(
                        SqlState::IN_FAILED_SQL_TRANSACTION,
                        "current transaction is aborted, commands ignored until end of transaction block",
                    ));
                }
                if !self.in_transaction_block() {
                    return Err(Error::new(SqlState::NO_ACTIVE_SQL_TRANSACTION, "RELEASE SAVEPOINT can only be used in transaction blocks"));
                }
                let t = self.txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
                let Some(pos) = t.savepoints.iter().rposition(|s| &s.name == name) else {
                    return Err(Error::new(SqlState::S_E_INVALID_SPECIFICATION, format!("savepoint \"{name}\" does not exist")));
                };
                while t.savepoints.len() > pos {
                    t.savepoints.pop();
                    t.txn.release_subtransaction()?;
                }
                tag("RELEASE")
            }
            T::RollbackTo(name) => {
                if !self.in_transaction_block() {
                    return Err(Error::new(SqlState::NO_ACTIVE_SQL_TRANSACTION, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks"));
                }
                let t = self.txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
                let Some(pos) = t.savepoints.iter().rposition(|s| &s.name == name) else {
                    return Err(Error::new(SqlState::S_E_INVALID_SPECIFICATION, format!("savepoint \"{name}\" does not exist")));
                };
                // Roll back the inner savepoints, then this one, and start it again: it stays defined.
                while t.savepoints.len() > pos + 1 {
                    t.savepoints.pop();
                    t.txn.rollback_subtransaction()?;
                }
                t.txn.rollback_subtransaction()?;
                t.txn.begin_subtransaction()?;
                let keep = t.savepoints[pos].deferred;
                t.deferred.truncate(keep);
                self.side.rollback_to(t.savepoints[pos].notify);
                t.constraint_modes = t.savepoints[pos].constraint_modes.clone();
                t.failed = false;
                // Catalog changes may have been undone: reread with our snapshot from now on.
                t.catalog_changed = true;
                tag("ROLLBACK")
            }
            T::SetTransaction { modes, session } => {
                let isolation = isolation_of(modes)?;
                if let Some(r) = read_only_of(modes) {
                    if *session {
                        self.settings.set("default_transaction_read_only", if r { "on" } else { "off" }, false, self.in_transaction_block())?;
                    } else if let Some(t) = self.txn.as_mut().filter(|t| t.explicit) {
                        if !r && t.read_only && t.txn.command_id() > 0 {
                            return Err(Error::new(SqlState::ACTIVE_SQL_TRANSACTION, "transaction read-write mode must be set before any query"));
                        }
                        t.read_only = r;
                    }
                }
                if let Some(level) = isolation {
                    let name = match level {
                        Isolation::ReadCommitted => "read committed",
                        Isolation::RepeatableRead => "repeatable read",
                        Isolation::Serializable => "serializable",
                    };
                    if *session {
                        self.settings.set("default_transaction_isolation", name, false, self.in_transaction_block())?;
                    } else if let Some(t) = &mut self.txn
                        && t.explicit
                    {
                        if t.snapshot.is_some() || t.txn.command_id() > 0 {
                            return Err(Error::new(
                                SqlState::ACTIVE_SQL_TRANSACTION,
                                "SET TRANSACTION ISOLATION LEVEL must be called before any query",
                            ));
                        }
                        t.isolation = level;
                    } else {
                        self.warn(SqlState::NO_ACTIVE_SQL_TRANSACTION, "SET TRANSACTION can only be used in transaction blocks");
                    }
                }
                tag("SET")
            }
            T::PrepareTransaction(_) | T::CommitPrepared(_) | T::RollbackPrepared(_) => {
                Err(Error::feature_not_supported("prepared transactions are not supported yet"))
            }
        }
    }

    // ------------------------------------------------------------ SET / SHOW

    fn set_statement(&mut self, s: &ast::SetStmt) -> Result<Outcome> {
        use ast::SetKind as K;
        let in_block = self.in_transaction_block();
        if s.local && !in_block {
            self.warn(SqlState::NO_ACTIVE_SQL_TRANSACTION, "SET LOCAL can only be used in transaction blocks");
        }
        match &s.kind {
            K::Value { name, values } => {
                let text = set_values_text(name, values)?;
                self.settings.set(name, &text, s.local, in_block)?;
                Ok(Outcome::Command { tag: "SET".into() })
            }
            K::Default(name) => {
                self.settings.reset(name, in_block)?;
                Ok(Outcome::Command { tag: "SET".into() })
            }
            K::Reset(name) => {
                self.settings.reset(name, in_block)?;
                Ok(Outcome::Command { tag: "RESET".into() })
            }
            K::ResetAll => {
                self.settings.reset_all(in_block);
                Ok(Outcome::Command { tag: "RESET".into() })
            }
            K::FromCurrent(_) => Err(Error::feature_not_supported("SET FROM CURRENT is not supported yet")),
            K::TimeZone(v) => {
                match v {
                    None => self.settings.reset("TimeZone", in_block)?,
                    Some(ast::SetValue::Interval { value, .. }) => {
                        self.settings.set("TimeZone", &format!("INTERVAL '{value}'"), s.local, in_block)?;
                    }
                    Some(v) => {
                        let text = set_values_text("TimeZone", std::slice::from_ref(v))?;
                        self.settings.set("TimeZone", &text, s.local, in_block)?;
                    }
                }
                Ok(Outcome::Command { tag: "SET".into() })
            }
            K::Session(what) => Err(Error::feature_not_supported(format!("SET {what} is not supported yet"))),
        }
    }

    fn show_statement(&mut self, s: &ast::ShowStmt) -> Result<Outcome> {
        let text_field =
            |name: &str| Field { name: name.to_string(), type_oid: oid::TEXT, typmod: -1, type_name: "text".into(), table_oid: 0, attnum: 0 };
        match s {
            ast::ShowStmt::Name(name) => {
                let value = match name.to_ascii_lowercase().as_str() {
                    "transaction_isolation" | "transaction isolation level" => match self.txn.as_ref().filter(|t| t.explicit).map(|t| t.isolation) {
                        Some(Isolation::ReadCommitted) => "read committed".to_string(),
                        Some(Isolation::RepeatableRead) => "repeatable read".to_string(),
                        Some(Isolation::Serializable) => "serializable".to_string(),
                        None => self.settings.show("default_transaction_isolation")?,
                    },
                    "session_authorization" | "session authorization" => self.user.clone(),
                    _ => self.settings.show(name)?,
                };
                let header = match name.to_ascii_lowercase().as_str() {
                    "transaction isolation level" => "transaction_isolation".to_string(),
                    "session authorization" => "session_authorization".to_string(),
                    _ => Settings::canonical_name(name),
                };
                Ok(Outcome::Rows { fields: vec![text_field(&header)], rows: vec![vec![Some(value)]], tag: "SHOW".into() })
            }
            ast::ShowStmt::All => {
                let rows = self.settings.all().into_iter().map(|(n, v)| vec![Some(n), Some(v), None]).collect();
                Ok(Outcome::Rows { fields: vec![text_field("name"), text_field("setting"), text_field("description")], rows, tag: "SHOW".into() })
            }
        }
    }
}

impl Portal {
    /// The result columns' types.
    pub fn types(&self) -> &[SqlType] {
        &self.types
    }

    /// A value of column `col` in text form (None for NULL), reg* types by name.
    pub fn output_text(&self, col: usize, d: &Datum) -> Result<Option<String>> {
        if d.is_null() {
            return Ok(None);
        }
        let ty = self.types.get(col).copied().ok_or_else(|| Error::internal("no such result column"))?;
        let elem_of = |t: Oid| self.catalog.type_by_oid(t).filter(|d| d.elem != 0 && d.len == -1).map(|d| (d.elem, b','));
        output_value(ty, d, &self.io, &self.catalog, &elem_of).map(Some)
    }

    /// The command tag once the portal has run to completion.
    pub fn tag(&self) -> String {
        match self.kind {
            QueryKind::Select => format!("SELECT {}", self.rows),
            QueryKind::Insert => format!("INSERT 0 {}", self.rows),
            QueryKind::Update => format!("UPDATE {}", self.rows),
            QueryKind::Delete => format!("DELETE {}", self.rows),
        }
    }

    pub fn is_done(&self) -> bool {
        self.done
    }
}

fn discard_name(k: ast::DiscardKind) -> &'static str {
    match k {
        ast::DiscardKind::All => "ALL",
        ast::DiscardKind::Plans => "PLANS",
        ast::DiscardKind::Sequences => "SEQUENCES",
        ast::DiscardKind::Temp => "TEMP",
    }
}

fn select_into(s: &ast::SelectStmt) -> Option<&ast::IntoClause> {
    match &s.body {
        ast::SetExpr::Select(core) => core.into.as_ref(),
        _ => None,
    }
}

fn default_isolation(settings: &Settings) -> Isolation {
    match settings.show("default_transaction_isolation").unwrap_or_default().as_str() {
        "repeatable read" => Isolation::RepeatableRead,
        "serializable" => Isolation::Serializable,
        _ => Isolation::ReadCommitted,
    }
}

/// The statement name PostgreSQL's read-only check reports, for statements that write.
/// Statements that are bound, planned and executed (the rest are utility statements).
fn is_query(stmt: &Statement) -> bool {
    matches!(stmt, Statement::Select(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_))
}

fn writes(stmt: &Statement) -> Option<&'static str> {
    Some(match stmt {
        Statement::Insert(_) => "INSERT",
        Statement::Update(_) => "UPDATE",
        Statement::Delete(_) => "DELETE",
        Statement::CreateTable(_) | Statement::CreateTableAs(_) => "CREATE TABLE",
        Statement::CreateView(_) => "CREATE VIEW",
        Statement::CreateIndex(_) => "CREATE INDEX",
        Statement::CreateSequence(_) => "CREATE SEQUENCE",
        Statement::AlterSequence(_) => "ALTER SEQUENCE",
        Statement::CreateSchema(_) => "CREATE SCHEMA",
        Statement::AlterTable(_) | Statement::Rename(_) => "ALTER TABLE",
        Statement::Drop(_) => "DROP TABLE",
        Statement::Truncate(_) => "TRUNCATE TABLE",
        Statement::Copy(c) if c.is_from => "COPY FROM",
        Statement::Comment(_) => "COMMENT",
        Statement::Select(s) if select_into(s).is_some() => "SELECT INTO",
        Statement::Select(s) if modifying_with(&s.with) => "SELECT",
        Statement::AlterObjectSchema(_) => "ALTER TABLE",
        _ => return None,
    })
}

/// A WITH clause holding INSERT, UPDATE or DELETE (hasModifyingCTE).
fn modifying_with(with: &Option<ast::WithClause>) -> bool {
    with.as_ref().is_some_and(|w| w.ctes.iter().any(|c| matches!(*c.query, Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_))))
}

/// READ ONLY / READ WRITE among transaction modes, if given.
fn read_only_of(modes: &[ast::TransactionMode]) -> Option<bool> {
    modes.iter().rev().find_map(|m| match m {
        ast::TransactionMode::ReadOnly(r) => Some(*r),
        _ => None,
    })
}

fn isolation_of(modes: &[ast::TransactionMode]) -> Result<Option<Isolation>> {
    let mut level = None;
    for m in modes {
        match m {
            ast::TransactionMode::IsolationLevel(l) => {
                level = Some(match l.to_ascii_lowercase().as_str() {
                    "serializable" => Isolation::Serializable,
                    "repeatable read" => Isolation::RepeatableRead,
                    // READ UNCOMMITTED behaves as READ COMMITTED in PostgreSQL.
                    _ => Isolation::ReadCommitted,
                })
            }
            ast::TransactionMode::ReadOnly(_) | ast::TransactionMode::Deferrable(_) => {}
        }
    }
    Ok(level)
}

/// The text of SET's value list, as guc.c flattens it: items joined by ", ",
/// string literals unquoted, except for list parameters where each is quoted
/// when needed.
fn set_values_text(name: &str, values: &[ast::SetValue]) -> Result<String> {
    let list_param = name.eq_ignore_ascii_case("search_path");
    let parts: Vec<String> = values
        .iter()
        .map(|v| match v {
            ast::SetValue::String(s) | ast::SetValue::Word(s) if list_param => quote_ident_if_needed(s),
            ast::SetValue::String(s) | ast::SetValue::Word(s) | ast::SetValue::Number(s) => s.clone(),
            ast::SetValue::Interval { value, .. } => format!("INTERVAL '{value}'"),
        })
        .collect();
    if values.len() > 1 && !list_param && !name.eq_ignore_ascii_case("DateStyle") {
        return Err(Error::new(SqlState::SYNTAX_ERROR, format!("SET {} takes only one argument", name.to_ascii_lowercase())));
    }
    Ok(parts.join(", "))
}

/// quote_identifier: quotes unless the name is a plain lower-case identifier.
pub fn quote_ident_if_needed(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !oa_grammar::keywords::KEYWORDS.iter().any(|(k, _, cat, _)| *k == s && *cat != oa_grammar::keywords::KwCategory::Unreserved);
    if plain { s.to_string() } else { format!("\"{}\"", s.replace('"', "\"\"")) }
}

/// Text output of one value, with the catalog for the reg* types.
pub(crate) fn output_value(ty: SqlType, d: &Datum, io: &IoContext, catalog: &CatalogView, elem_of: oa_ir::io::ElemTypeOf<'_>) -> Result<String> {
    if let Datum::Oid(o) = d
        && oa_ir::types::is_reg_type(ty.oid)
        && !matches!(ty.oid, oid::REGCONFIG | oid::REGDICTIONARY | oid::REGCOLLATION)
    {
        return Ok(crate::builtins::catalog_fns::reg_text(catalog, ty.oid, *o));
    }
    oa_ir::io::output(ty, d, io, elem_of)
}

/// A prepared statement is analyzed again when it runs; if its result
/// columns are no longer those it was prepared with (names, types and
/// typmods, as equalTupleDescs compares them), PostgreSQL's plan cache
/// refuses to run it.
pub fn check_result_unchanged(prepared: &[Field], now: &[Field]) -> Result<()> {
    let same =
        prepared.len() == now.len() && prepared.iter().zip(now).all(|(a, b)| a.name == b.name && a.type_oid == b.type_oid && a.typmod == b.typmod);
    if same { Ok(()) } else { Err(Error::feature_not_supported("cached plan must not change result type")) }
}

/// format_type over the session's catalog.
pub(crate) fn format_type(catalog: &CatalogView, ty: SqlType) -> String {
    let resolve = |o: Oid| {
        catalog.type_by_oid(o).map(|d| {
            let ns = catalog.namespace_name(d.namespace).unwrap_or_default();
            (d.name.clone(), ns)
        })
    };
    oa_ir::typeio::format_type(ty.oid, ty.typmod, &resolve)
}

fn syntax_error(e: oa_grammar::SyntaxError) -> Error {
    let code = SqlState::from_code(e.code).unwrap_or(SqlState::SYNTAX_ERROR);
    let mut err = Error::new(code, e.message);
    err.hint = e.hint;
    err.position = e.position;
    err
}

/// Turns a byte offset into PostgreSQL's 1-based character position.
fn char_position(mut e: Error, sql: &str) -> Error {
    if let Some(p) = e.position {
        let p = p.min(sql.len());
        let chars = sql.char_indices().take_while(|(i, _)| *i < p).count();
        e.position = Some(chars + 1);
    }
    e
}

impl Drop for Session {
    /// Ends the open transaction and drops the session's temporary tables.
    fn drop(&mut self) {
        self.abort();
        crate::builtins::catalog_fns::release_advisory_locks(self.storage_key(), self.id as i32, false);
        self.engine.notify.remove(self.id);
        let temp = format!("pg_temp_{}", self.id);
        let exists = self.engine.storage.begin();
        let snapshot = self.engine.storage.snapshot(&exists);
        let has_temp = self.engine.committed_catalog(&snapshot).is_ok_and(|c| c.namespaces.iter().any(|n| n.name == temp));
        exists.abort();
        if has_temp {
            let _ = self.execute(&format!("DROP SCHEMA {temp} CASCADE"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &mut Session, sql: &str) -> Option<String> {
        match s.execute(sql).expect(sql).pop() {
            Some(Outcome::Rows { rows, .. }) => rows.first().and_then(|r| r.first().cloned()).flatten(),
            _ => None,
        }
    }

    #[test]
    fn advisory_locks_end_with_their_transaction_and_session() {
        let engine = Engine::new_in_memory().unwrap();
        let mut a = engine.connect("postgres", "postgres");
        let mut b = engine.connect("postgres", "postgres");
        // Transaction level: held until COMMIT (or ROLLBACK), then free.
        a.execute("BEGIN; SELECT pg_advisory_xact_lock(1)").unwrap();
        assert_eq!(one(&mut b, "SELECT pg_try_advisory_lock(1)").as_deref(), Some("f"));
        a.execute("COMMIT").unwrap();
        assert_eq!(one(&mut b, "SELECT pg_try_advisory_lock(1)").as_deref(), Some("t"));
        b.execute("SELECT pg_advisory_unlock(1)").unwrap();
        a.execute("BEGIN; SELECT pg_advisory_xact_lock(2); ROLLBACK").unwrap();
        assert_eq!(one(&mut b, "SELECT pg_try_advisory_xact_lock(2)").as_deref(), Some("t"));
        // Session level: until unlocked or the session ends.
        a.execute("SELECT pg_advisory_lock(3)").unwrap();
        assert_eq!(one(&mut b, "SELECT pg_try_advisory_lock(3)").as_deref(), Some("f"));
        drop(a);
        assert_eq!(one(&mut b, "SELECT pg_try_advisory_lock(3)").as_deref(), Some("t"));
    }

    #[test]
    fn unlocking_a_lock_not_held_warns() {
        let engine = Engine::new_in_memory().unwrap();
        let mut s = engine.connect("postgres", "postgres");
        let mut events = Vec::new();
        s.execute_events("SELECT pg_advisory_unlock(5), pg_advisory_unlock_shared(5)", |e| events.push(e)).unwrap();
        let warnings: Vec<String> = events
            .iter()
            .filter_map(|e| match e {
                Event::Notice(n) if n.severity == "WARNING" && n.code == SqlState::WARNING => Some(n.message.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(warnings, vec!["you don't own a lock of type ExclusiveLock", "you don't own a lock of type ShareLock"]);
        assert!(matches!(events.last(), Some(Event::Outcome(Outcome::Rows { rows, .. })) if rows[0] == vec![Some("f".into()), Some("f".into())]));
    }

    #[test]
    fn notifications_are_delivered_at_commit() {
        let engine = Engine::new_in_memory().unwrap();
        let mut a = engine.connect("postgres", "postgres");
        let mut b = engine.connect("postgres", "postgres");
        a.execute("LISTEN c").unwrap();
        b.execute("BEGIN; NOTIFY c, 'one'; SAVEPOINT s; NOTIFY c, 'gone'; ROLLBACK TO s; NOTIFY c, 'one'").unwrap();
        assert!(!a.has_notifications());
        b.execute("COMMIT").unwrap();
        let got: Vec<(i32, String, String)> = a.take_notifications().into_iter().map(|n| (n.pid, n.channel, n.payload)).collect();
        assert_eq!(got, vec![(b.backend_pid(), "c".to_string(), "one".to_string())]);
        // A session in another database does not hear it.
        let mut other = engine.connect("postgres", "elsewhere");
        other.execute("NOTIFY c, 'x'").unwrap();
        assert!(!a.has_notifications());
    }
}
