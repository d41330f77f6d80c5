//! Browser build of the engine (interpreter backend, memory storage), with
//! `wasm-bindgen` bindings.
//!
//! `wasm/build-and-smoke.sh` builds the `.wasm` (`cargo build -p oa-wasm
//! --target wasm32-unknown-unknown --profile wasm`) and runs the
//! `wasm-bindgen` CLI over it (the exact version of the crate) for Node
//! (`wasm/dist/node`) and for browsers as an ES module (`wasm/dist/web`).
//!
//! # JavaScript API
//!
//! ```js
//! const { Database, version } = require("./dist/node/oa_wasm.js");
//! const db = new Database();          // an in-memory engine of its own
//! const s1 = db.connect(), s2 = db.connect();   // sessions share its data
//! const r = s1.execute("CREATE TABLE t (a int); INSERT INTO t VALUES (1); SELECT a, NULL AS b FROM t");
//! // r = { results: [ { tag: "CREATE TABLE" },
//! //                  { tag: "INSERT 0 1" },
//! //                  { tag: "SELECT 1", columns: [ { name: "a", type: "int4", typeOid: 23 },
//! //                                                { name: "b", type: "text", typeOid: 25 } ],
//! //                    rows: [ ["1", null] ] } ],
//! //       error: null, notices: [] }
//! s1.execute("SELECT 1/0").error;   // { code: "22012", message: "division by zero" }
//! s1.close(); s2.close(); db.free();
//! ```
//!
//! - `new Database()`: bootstraps a fresh catalog in memory. Databases are
//!   independent of each other and live in memory only, unless saved.
//!   Throws an `Error` with the SQLSTATE fields (`code`, `detail`, `hint`)
//!   if that fails.
//! - `db.save()`: the whole database as a `Uint8Array` (an image of its
//!   committed state; transactions still open in its sessions count as
//!   rolled back), and `Database.load(bytes)`: a database opened from such
//!   an image (made by a build with the same catalog; else it throws, as for
//!   damaged bytes). The web console keeps images in IndexedDB.
//! - `db.connect()`: a session as user `postgres` in database `postgres`.
//! - `session.execute(sql)`: runs a query string (one or more statements, as
//!   a simple-protocol Query) and never throws for SQL errors. `results` has
//!   one entry per statement that completed: its command `tag`, and for row
//!   results its `columns` (name, `pg_type.typname`, type OID) and `rows`
//!   (PostgreSQL's text output; SQL NULL is `null`). `error` is null or
//!   `{ code, message, detail?, hint?, position? }` (`position` is the
//!   1-based character offset into `sql`); an error ends the query string
//!   and, as in PostgreSQL, rolls back the statements before it in the same
//!   implicit transaction (their results stay in `results`, as the protocol
//!   reports them). `notices` holds the NOTICEs and WARNINGs raised, as
//!   `{ severity, code, message }`.
//! - `session.transactionStatus`: `"I"` idle, `"T"` in a transaction block,
//!   `"E"` in a failed one.
//! - `session.close()`: ends the session (rolls back its open transaction,
//!   drops its temporary tables); later calls answer `08003`. `free()` (or
//!   the garbage collector) closes it too.
//! - `session.copyFrom(sql, bytes)`: runs one `COPY ... FROM STDIN` with
//!   `bytes` as the client's data (wasm32 has no files for COPY FROM a file).
//! - `version()`: `SELECT version()`'s text; `optimizerStages()`: the
//!   optimizer's stage names, for `SET openassay.disabled_stages`.
//!
//! # Panics
//!
//! A panic is an engine bug; it never escapes as a JavaScript exception.
//! The call that panicked answers `XX000 internal error: <panic message>`,
//! and its database is unusable from then on: every later call on it, or on
//! its sessions, answers `XX000` saying so (`db.failure` holds the reason).
//! Other databases and the module stay usable.
//!
//! wasm32-unknown-unknown has no unwinding: a panic (after the panic hook
//! has recorded its message) executes `unreachable`, a trap. Every call into
//! the engine therefore goes through a small JavaScript function
//! (`oa_contain`, below) that catches the trap, puts the shadow stack
//! pointer back (build.rs exports it) and returns to the caller's frame.
//! Running out of stack is caught the same way, JavaScript's (a
//! `RangeError`) or the module's shadow stack (a trap): `XX000 internal
//! error: stack depth limit exceeded (...)`. The frames in between are
//! abandoned without running their destructors, so whatever they were
//! changing (the engine's locks, pages, transaction state) may be half done:
//! that is why the whole database is abandoned too (leaked, never dropped;
//! only reloading the module reclaims its memory). Process-wide state that
//! an abandoned frame held (e.g. a global interner's lock) stays held, so in
//! the worst case later calls on other databases fail the same way.
//!
//! Native builds (unit tests) unwind, and catch panics with `catch_unwind`
//! to the same effect.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::mem::ManuallyDrop;
use std::rc::Rc;
use std::sync::{Arc, Once};

use oa_grammar::ast::{self, Statement};
use oa_ir::{Error, SqlState};
use oa_runtime::backend::Interpreter;
use oa_runtime::engine::UNIX_TO_POSTGRES_EPOCH_MICROS;
use oa_runtime::{Clock, Engine, EngineConfig, Event, Notice, Outcome};
use wasm_bindgen::prelude::*;

/// Buffer pool size in 8 KB pages (8 MB). Memory storage keeps every page
/// in its backend anyway; the pool is only a cache in front of it, and a
/// browser tab should not reserve PostgreSQL's 128 MB default up front.
pub const BUFFER_POOL_PAGES: usize = 1024;

/// The user and database every session connects as.
const USER: &str = "postgres";
const DATABASE: &str = "postgres";

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A result column: its name, `pg_type.typname` and type OID. */
export interface Column { name: string; type: string; typeOid: number }
/** One statement's result: rows (with `columns`) or a command (tag only). */
export interface StatementResult { tag: string; columns?: Column[]; rows?: (string | null)[][] }
/** A PostgreSQL error; `position` is the 1-based character offset into the query. */
export interface SqlError { code: string; message: string; detail?: string; hint?: string; position?: number }
export interface SqlNotice { severity: string; code: string; message: string }
export interface ExecuteResult { results: StatementResult[]; error: SqlError | null; notices: SqlNotice[] }
"#;

// ---------------------------------------------------------------------------
// The clock

/// The engine's clock: the host's `Date.now()`.
struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> i64 {
        now_unix_micros() - UNIX_TO_POSTGRES_EPOCH_MICROS
    }
}

/// Microseconds since the Unix epoch. `as` saturates (NaN becomes 0).
#[cfg(target_family = "wasm")]
fn now_unix_micros() -> i64 {
    (js_sys::Date::now() * 1000.0) as i64
}

/// Native builds (tests) use the system clock in place of `Date.now()`.
#[cfg(not(target_family = "wasm"))]
fn now_unix_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// The JavaScript API

/// `SELECT version()`'s text.
#[wasm_bindgen]
pub fn version() -> String {
    oa_runtime::version_string()
}

/// The optimizer's stages in the order they run: the names
/// `SET openassay.disabled_stages = '...'` takes (the console's EXPLAIN view
/// switches off the ones after each stage in turn).
#[wasm_bindgen(js_name = optimizerStages)]
pub fn optimizer_stages() -> Vec<String> {
    oa_optimizer::STAGES.iter().map(|s| s.to_string()).collect()
}

/// An in-memory database: one engine with its own catalog and data.
#[wasm_bindgen]
pub struct Database {
    db: Rc<Db>,
}

/// A session on a database.
#[wasm_bindgen]
pub struct Session {
    db: Rc<Db>,
    /// None once closed.
    session: RefCell<Option<oa_runtime::Session>>,
}

#[wasm_bindgen]
impl Database {
    /// Opens a new, empty in-memory database.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<Database, JsValue> {
        Db::open(None).map(|db| Database { db: Rc::new(db) }).map_err(|e| js_error(&e))
    }

    /// Opens a database saved by `save()`. Throws an `Error` with the
    /// SQLSTATE fields if the bytes are not an image of this build's catalog
    /// (`XX000 database files are incompatible with server`) or are damaged
    /// (`XX001`).
    pub fn load(image: &[u8]) -> Result<Database, JsValue> {
        Db::open(Some(image)).map(|db| Database { db: Rc::new(db) }).map_err(|e| js_error(&e))
    }

    /// The whole database as bytes, for `Database.load`: its committed state
    /// (transactions still open in its sessions count as rolled back).
    pub fn save(&self) -> Result<Vec<u8>, JsValue> {
        self.db.save().map_err(|e| js_error(&e))
    }

    /// Opens a session (user and database `postgres`).
    pub fn connect(&self) -> Result<Session, JsValue> {
        self.db.connect().map(|session| Session { db: self.db.clone(), session: RefCell::new(Some(session)) }).map_err(|e| js_error(&e))
    }

    /// Why the database is unusable (an earlier call panicked), or undefined.
    #[wasm_bindgen(getter)]
    pub fn failure(&self) -> Option<String> {
        self.db.failure()
    }
}

#[wasm_bindgen]
impl Session {
    /// Runs a query string; see the crate documentation for the result.
    #[wasm_bindgen(unchecked_return_type = "ExecuteResult")]
    pub fn execute(&self, sql: &str) -> JsValue {
        parse_json(&self.execute_json(sql))
    }

    /// `execute`'s result as JSON text.
    #[wasm_bindgen(js_name = executeJson)]
    pub fn execute_json(&self, sql: &str) -> String {
        self.with_session(|s| run_json(s, sql))
    }

    /// Runs `sql`, one `COPY ... FROM STDIN`, with `data` as the rows the
    /// client sends (what psql's `\copy` does with a file); the result is
    /// `execute`'s. Loading a file, in a browser or in Node, goes this way:
    /// COPY from a server-side file answers 58P01, wasm32 having no files.
    #[wasm_bindgen(js_name = copyFrom, unchecked_return_type = "ExecuteResult")]
    pub fn copy_from(&self, sql: &str, data: &[u8]) -> JsValue {
        parse_json(&self.with_session(|s| copy_json(s, sql, data)))
    }

    /// "I" idle, "T" in a transaction block, "E" in a failed one; "" once
    /// closed or unusable.
    #[wasm_bindgen(getter, js_name = transactionStatus)]
    pub fn transaction_status(&self) -> String {
        if self.db.failure().is_some() {
            return String::new();
        }
        match self.session.try_borrow() {
            Ok(s) => s.as_ref().map(|s| char::from(s.transaction_status()).to_string()).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Closes the session: rolls back its open transaction and drops its
    /// temporary tables. Later calls answer 08003.
    pub fn close(&self) {
        if let Ok(mut slot) = self.session.try_borrow_mut()
            && let Some(session) = slot.take()
        {
            self.db.release(session);
        }
    }

    /// Panics inside the engine's guard, as `execute` would on an engine
    /// bug: for testing that path (it makes the database unusable).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __panicForTest, skip_typescript, unchecked_return_type = "ExecuteResult")]
    pub fn panic_for_test(&self, message: &str) -> JsValue {
        parse_json(&self.with_session(|_| -> String { panic!("{message}") }))
    }

    /// Overflows the shadow stack inside the engine's guard: for testing
    /// that path (it makes the database unusable).
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __overflowForTest, skip_typescript, unchecked_return_type = "ExecuteResult")]
    pub fn overflow_for_test(&self) -> JsValue {
        parse_json(&self.with_session(|_| overflow(0).to_string()))
    }
}

/// Recurses with 16 KB frames until the shadow stack runs out.
#[inline(never)]
fn overflow(depth: usize) -> usize {
    let mut frame = [0u8; 16384];
    frame[depth % 16384] = 1;
    let frame = std::hint::black_box(frame);
    if std::hint::black_box(depth) == usize::MAX { 0 } else { overflow(depth + 1) + frame[1] as usize }
}

impl Session {
    /// Runs `f` on the open session, guarded; the JSON of its result or error.
    fn with_session(&self, f: impl FnOnce(&mut oa_runtime::Session) -> String) -> String {
        if let Some(reason) = self.db.failure() {
            return error_json(&unusable(&reason), &[]);
        }
        let Ok(mut slot) = self.session.try_borrow_mut() else {
            return error_json(&Error::internal("the session is already running a query"), &[]);
        };
        let Some(session) = slot.as_mut() else {
            return error_json(&Error::new(SqlState::CONNECTION_DOES_NOT_EXIST, "the session is closed"), &[]);
        };
        match contain(|| f(session)) {
            Ok(json) => json,
            Err(panic) => error_json(&self.db.fail(panic), &[]),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(session) = self.session.get_mut().take() {
            self.db.release(session);
        }
    }
}

// ---------------------------------------------------------------------------
// Implementation

/// A database: its engine, and why it is unusable if a call panicked.
struct Db {
    /// Not dropped once the database has failed: its state may be half
    /// changed by the abandoned call.
    engine: ManuallyDrop<Arc<Engine>>,
    failure: RefCell<Option<String>>,
}

impl Db {
    /// A new database, or the one `image` holds.
    fn open(image: Option<&[u8]>) -> Result<Db, Error> {
        let config = EngineConfig { buffer_pool_pages: BUFFER_POOL_PAGES, clock: Arc::new(HostClock), backend: Arc::new(Interpreter) };
        let engine = contain(|| match image {
            Some(image) => Engine::open_image(config, image),
            None => Engine::new(config),
        })
        .map_err(|panic| panic_error(&panic))??;
        Ok(Db { engine: ManuallyDrop::new(engine), failure: RefCell::new(None) })
    }

    fn save(&self) -> Result<Vec<u8>, Error> {
        if let Some(reason) = self.failure() {
            return Err(unusable(&reason));
        }
        contain(|| self.engine.save_image()).map_err(|panic| self.fail(panic))?
    }

    fn connect(&self) -> Result<oa_runtime::Session, Error> {
        if let Some(reason) = self.failure() {
            return Err(unusable(&reason));
        }
        contain(|| self.engine.connect(USER, DATABASE)).map_err(|panic| self.fail(panic))
    }

    fn failure(&self) -> Option<String> {
        self.failure.borrow().clone()
    }

    /// Marks the database unusable after `panic`; the error for that call.
    fn fail(&self, panic: String) -> Error {
        let e = panic_error(&panic).with_hint("The database is unusable from now on: open a new Database.");
        self.failure.replace(Some(panic));
        e
    }

    /// Ends a session taken out of its `Session` (leaked if the database failed).
    fn release(&self, session: oa_runtime::Session) {
        if self.failure().is_some() {
            std::mem::forget(session);
        } else if let Err(panic) = contain(move || drop(session)) {
            self.fail(panic);
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if self.failure.get_mut().is_none() {
            // SAFETY: dropped once, here, and not used after.
            let engine = unsafe { ManuallyDrop::take(&mut self.engine) };
            let _ = contain(move || drop(engine));
        }
    }
}

/// Runs `sql` on `session`: the JSON of `ExecuteResult`.
fn run_json(session: &mut oa_runtime::Session, sql: &str) -> String {
    let mut out = String::from("{\"results\":[");
    let mut first = true;
    let mut notices = Vec::new();
    let ran = session.execute_events(sql, |event| match event {
        Event::Notice(n) => notices.push(n),
        Event::Outcome(o) => {
            if !std::mem::take(&mut first) {
                out.push(',');
            }
            push_outcome(&mut out, &o);
        }
    });
    // A failed statement's notices are left in the session.
    notices.append(&mut session.take_notices());
    out.push_str("],\"error\":");
    match ran {
        Ok(()) => out.push_str("null"),
        Err(e) => push_error(&mut out, &e),
    }
    push_notices(&mut out, &notices);
    out.push('}');
    out
}

/// `Session.copyFrom`: the JSON of `ExecuteResult`.
fn copy_json(session: &mut oa_runtime::Session, sql: &str, data: &[u8]) -> String {
    let Ok(mut stmts) = oa_grammar::parse(sql) else {
        // The syntax error, reported as `execute` reports it.
        return run_json(session, sql);
    };
    let stmt = match (stmts.pop(), stmts.is_empty()) {
        (Some(r), true) if matches!(&r.stmt, Statement::Copy(c) if c.is_from && c.target == ast::CopyTarget::Stdin) => r.stmt,
        _ => return error_json(&Error::new(SqlState::PROTOCOL_VIOLATION, "copyFrom runs exactly one COPY ... FROM STDIN statement"), &[]),
    };
    let result = session.run_copy_in(&stmt, sql, data.to_vec());
    let notices = session.take_notices();
    match result {
        Ok(outcome) => {
            let mut out = String::from("{\"results\":[");
            push_outcome(&mut out, &outcome);
            out.push_str("],\"error\":null");
            push_notices(&mut out, &notices);
            out.push('}');
            out
        }
        Err(e) => error_json(&char_position(e, sql), &notices),
    }
}

/// A byte offset into `sql` → PostgreSQL's 1-based character position
/// (`execute` gets it from the session; `run_copy_in` leaves it to the caller).
fn char_position(mut e: Error, sql: &str) -> Error {
    if let Some(p) = e.position {
        e.position = Some(sql.char_indices().take_while(|(i, _)| *i < p.min(sql.len())).count() + 1);
    }
    e
}

/// An `ExecuteResult` holding only `e`.
fn error_json(e: &Error, notices: &[Notice]) -> String {
    let mut out = String::from("{\"results\":[],\"error\":");
    push_error(&mut out, e);
    push_notices(&mut out, notices);
    out.push('}');
    out
}

fn panic_error(panic: &str) -> Error {
    Error::internal(format!("internal error: {panic}"))
}

fn unusable(reason: &str) -> Error {
    Error::internal(format!("the database is unusable after an internal error ({reason})")).with_hint("Open a new Database.")
}

/// `e` as a JavaScript `Error` with the SQLSTATE fields as properties.
fn js_error(e: &Error) -> JsValue {
    let mut json = String::new();
    push_error(&mut json, e);
    let fields = parse_json(&json);
    let error = js_sys::Error::new(&e.message);
    js_sys::Object::assign(&error, fields.unchecked_ref());
    error.into()
}

/// JSON text we wrote as a JavaScript value.
fn parse_json(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|e| e)
}

// ---------------------------------------------------------------------------
// Containing panics

thread_local! {
    /// The last panic's message (with its location), from the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic in it into `Err(message)`. See "Panics" above.
fn contain<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_panic_hook();
    let _ = LAST_PANIC.with(|p| p.take());
    contain_impl(f).map_err(|thrown| LAST_PANIC.with(|p| p.take()).unwrap_or(thrown))
}

/// Native: unwinding.
#[cfg(not(target_family = "wasm"))]
fn contain_impl<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// wasm32: calls `f` from JavaScript, which catches the trap a panic ends in.
#[cfg(target_family = "wasm")]
fn contain_impl<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    use wasm_bindgen::closure::ScopedClosure;

    let mut f = Some(f);
    let mut out = None;
    let thrown = {
        let mut call = || {
            if let Some(f) = f.take() {
                out = Some(f());
            }
        };
        // Aborting: panics end in a trap either way (no unwinding on this target).
        let closure = ScopedClosure::<dyn FnMut()>::borrow_mut_aborting(&mut call);
        oa_contain(&closure, &wasm_bindgen::exports())
    };
    match out {
        Some(r) => Ok(r),
        None => Err(describe_exception(&thrown)),
    }
}

// Calls `f` and returns what it threw (undefined if nothing; a string if the
// stack overflowed). A trap leaves the shadow stack pointer where the
// abandoned frames had moved it (below 0 if it overflowed), so it is put back
// before returning to Rust: build.rs exports it (a module linked without
// that export goes without). JavaScript's own stack can
// run out first (RangeError in V8 and JavaScriptCore, InternalError in
// SpiderMonkey).
#[cfg(target_family = "wasm")]
#[wasm_bindgen(inline_js = r#"
export function oa_contain(f, exports) {
  const sp = exports.__stack_pointer;
  const saved = sp?.value;
  try {
    f();
  } catch (e) {
    const overflowed = sp?.value < 0 || /^(RangeError|InternalError)$/.test(e?.name) && /call stack|recursion/.test(e.message);
    if (sp) sp.value = saved;
    if (overflowed) return `stack depth limit exceeded (${e})`;
    return e === undefined ? null : e;
  }
}
"#)]
extern "C" {
    fn oa_contain(f: &wasm_bindgen::closure::ScopedClosure<dyn FnMut()>, exports: &JsValue) -> JsValue;
}

/// A caught JavaScript exception (a trap without a panic, e.g. running out of
/// memory, or an exception thrown by an import) as text.
#[cfg(target_family = "wasm")]
fn describe_exception(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(e) => format!("{}: {}", String::from(e.name()), String::from(e.message())),
        None if e.is_undefined() => "the call did not complete".into(),
        None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    }
}

/// Records each panic's message for `contain`.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload_as_str().unwrap_or("non-string panic payload");
            let message = match info.location() {
                Some(at) => format!("{payload} at {at}"),
                None => payload.to_string(),
            };
            let _ = LAST_PANIC.try_with(|p| p.try_borrow_mut().map(|mut p| *p = Some(message)));
            previous(info);
        }));
    });
}

// ---------------------------------------------------------------------------
// JSON, by hand

/// `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Other control characters, and the line/paragraph separators
            // that older JavaScript string literals reject.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_outcome(out: &mut String, o: &Outcome) {
    out.push_str("{\"tag\":");
    match o {
        Outcome::Command { tag } => push_json_str(out, tag),
        Outcome::Rows { fields, rows, tag } => {
            push_json_str(out, tag);
            out.push_str(",\"columns\":[");
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str("{\"name\":");
                push_json_str(out, &f.name);
                out.push_str(",\"type\":");
                push_json_str(out, &f.type_name);
                let _ = write!(out, ",\"typeOid\":{}}}", f.type_oid);
            }
            out.push_str("],\"rows\":[");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                for (j, v) in row.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    match v {
                        Some(v) => push_json_str(out, v),
                        None => out.push_str("null"),
                    }
                }
                out.push(']');
            }
            out.push(']');
        }
    }
    out.push('}');
}

fn push_error(out: &mut String, e: &Error) {
    out.push_str("{\"code\":");
    push_json_str(out, e.code.code());
    out.push_str(",\"message\":");
    push_json_str(out, &e.message);
    if let Some(detail) = &e.detail {
        out.push_str(",\"detail\":");
        push_json_str(out, detail);
    }
    if let Some(hint) = &e.hint {
        out.push_str(",\"hint\":");
        push_json_str(out, hint);
    }
    if let Some(position) = e.position {
        let _ = write!(out, ",\"position\":{position}");
    }
    out.push('}');
}

fn push_notices(out: &mut String, notices: &[Notice]) {
    out.push_str(",\"notices\":[");
    for (i, n) in notices.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"severity\":");
        push_json_str(out, n.severity);
        out.push_str(",\"code\":");
        push_json_str(out, n.code.code());
        out.push_str(",\"message\":");
        push_json_str(out, &n.message);
        out.push('}');
    }
    out.push(']');
}

// Native tests of everything below the JavaScript values (which need a
// JavaScript host: `wasm/smoke.mjs` covers them).
#[cfg(test)]
mod tests {
    use super::*;
    // Under wasm32 the same tests run in Node through wasm-bindgen-test.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn session() -> Session {
        let db = Rc::new(Db::open(None).expect("open"));
        let session = db.connect().expect("connect");
        Session { db, session: RefCell::new(Some(session)) }
    }

    fn second(s: &Session) -> Session {
        Session { db: s.db.clone(), session: RefCell::new(Some(s.db.connect().expect("connect"))) }
    }

    #[test]
    fn round_trip() {
        let s = session();
        assert_eq!(
            s.execute_json("SELECT 1"),
            r#"{"results":[{"tag":"SELECT 1","columns":[{"name":"?column?","type":"int4","typeOid":23}],"rows":[["1"]]}],"error":null,"notices":[]}"#
        );
        assert_eq!(
            s.execute_json("CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1,'x\"\\\n'),(2,NULL); SELECT a, b FROM t ORDER BY a DESC"),
            r#"{"results":[{"tag":"CREATE TABLE"},{"tag":"INSERT 0 2"},{"tag":"SELECT 2","columns":[{"name":"a","type":"int4","typeOid":23},{"name":"b","type":"text","typeOid":25}],"rows":[["2",null],["1","x\"\\\n"]]}],"error":null,"notices":[]}"#
        );
        assert_eq!(s.execute_json("SELECT 1/0"), r#"{"results":[],"error":{"code":"22012","message":"division by zero"},"notices":[]}"#);
        let syntax = s.execute_json("SELECT 1 +");
        assert!(syntax.starts_with(r#"{"results":[],"error":{"code":"42601","message":"syntax error at end of input","position":"#), "{syntax}");
        // Statements before an error are reported (and rolled back with it).
        assert_eq!(
            s.execute_json("INSERT INTO t VALUES (3); SELECT 1/0"),
            r#"{"results":[{"tag":"INSERT 0 1"}],"error":{"code":"22012","message":"division by zero"},"notices":[]}"#
        );
        // A second session sees the first one's committed rows.
        let s2 = second(&s);
        assert!(s2.execute_json("SELECT count(*) FROM t").contains(r#""rows":[["2"]]"#));
        s2.close();
        assert!(s2.execute_json("SELECT 1").contains(r#""code":"08003""#));
        assert_eq!(s.execute_json(""), r#"{"results":[],"error":null,"notices":[]}"#);
        assert_eq!(s.transaction_status(), "I");
        s.execute_json("BEGIN");
        assert_eq!(s.transaction_status(), "T");
        s.close();
        assert_eq!(s.transaction_status(), "");
    }

    #[test]
    fn images_round_trip() {
        let s = session();
        s.execute_json("CREATE TABLE kept (a int PRIMARY KEY, b text); INSERT INTO kept SELECT g, 'v' || g FROM generate_series(1, 500) g");
        let image = s.db.save().expect("save");
        let db = Rc::new(Db::open(Some(&image)).expect("load"));
        let t = Session { db: db.clone(), session: RefCell::new(Some(db.connect().expect("connect"))) };
        assert!(t.execute_json("SELECT count(*), max(b) FROM kept WHERE a > 10").contains(r#""rows":[["490","v99"]]"#));
        // The primary key's index came back too: duplicates are refused.
        assert!(t.execute_json("INSERT INTO kept VALUES (7, 'again')").contains(r#""code":"23505""#));
        let mut damaged = image.clone();
        let mid = damaged.len() / 2;
        damaged[mid] ^= 0xff;
        assert!(Db::open(Some(&damaged)).is_err());
    }

    #[test]
    fn notices() {
        let s = session();
        let json = s.execute_json("DROP TABLE IF EXISTS nope");
        assert_eq!(
            json,
            r#"{"results":[{"tag":"DROP TABLE"}],"error":null,"notices":[{"severity":"NOTICE","code":"00000","message":"table \"nope\" does not exist, skipping"}]}"#
        );
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\u{1}\u{1f}\u{2028}é");
        assert_eq!(s, r#""a\"b\\c\u0001\u001f\u2028é""#);
    }

    /// Native only: in wasm32 a panic traps, and only the JavaScript wrapper
    /// of the real module contains it (wasm/smoke.mjs checks that).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn panics_become_xx000_and_fail_the_database() {
        let s = session();
        let s2 = second(&s);
        let other = session();
        let json = s.with_session(|_| panic!("boom"));
        assert!(json.starts_with(r#"{"results":[],"error":{"code":"XX000","message":"internal error: boom at wasm/src/lib.rs:"#), "{json}");
        assert!(json.contains(r#""hint":"The database is unusable from now on: open a new Database."}"#), "{json}");
        let failure = s.db.failure().expect("failed");
        assert!(failure.starts_with("boom at wasm/src/lib.rs:"), "{failure}");
        for s in [&s, &s2] {
            let json = s.execute_json("SELECT 1");
            assert!(json.contains(r#""code":"XX000","message":"the database is unusable after an internal error (boom at "#), "{json}");
        }
        assert!(s.db.connect().is_err());
        // Other databases are unaffected.
        assert!(other.execute_json("SELECT 1").contains(r#""rows":[["1"]]"#));
    }
}
