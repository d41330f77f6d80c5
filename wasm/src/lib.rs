//! Browser build of the engine (interpreter backend, memory storage).
//!
//! # ABI
//!
//! The `.wasm` (`cargo build -p oa-wasm --target wasm32-unknown-unknown
//! --release`) exports a small C ABI instead of wasm-bindgen glue. All
//! pointers are offsets into the module's exported `memory`; all lengths are
//! byte counts; text is UTF-8.
//!
//! Imports (module `env`):
//! - `oa_host_now_ms() -> f64`: wall-clock time in milliseconds since the Unix
//!   epoch (`Date.now()`). The engine's clock (`now()`, `current_timestamp`).
//!
//! Exports:
//! - `memory`: the linear memory.
//! - `oa_alloc(len: usize) -> *mut u8`: a buffer of `len` bytes for passing
//!   text in (null if out of memory). Free it with `oa_free(ptr, len)`.
//! - `oa_free(ptr: *mut u8, len: usize)`: frees a buffer from `oa_alloc` (same `len`).
//! - `oa_open() -> u32`: opens a session (user and database `postgres`) and
//!   returns its handle (never 0). The first call creates the engine and
//!   bootstraps the catalog; every session shares that engine and its data.
//!   Returns 0 on failure, with the error in the result buffer.
//! - `oa_execute(handle: u32, sql: *const u8, sql_len: usize) -> *const u8`:
//!   runs a query string (one or more statements, as a simple-protocol Query)
//!   and returns a pointer to the result buffer. The caller still owns `sql`.
//! - `oa_result_len() -> u32`: the length of the result buffer.
//! - `oa_result_ptr() -> *const u8`: the result buffer (what `oa_execute`
//!   returned; also written by `oa_open`, `oa_close` and the panic hook).
//! - `oa_close(handle: u32)`: closes a session (rolls back its open
//!   transaction, drops its temporary tables). Unknown handles are ignored.
//!
//! The result buffer belongs to the module and stays valid until the next
//! call into it: copy it out (`new TextDecoder().decode(...)`) first. It
//! holds JSON text, either
//!
//! ```json
//! {"ok":true,"results":[{"tag":"SELECT 1","columns":[{"name":"?column?","type":"int4"}],"rows":[["1"]]}]}
//! ```
//!
//! with one entry per statement (commands have only a `"tag"`; values are
//! PostgreSQL's text output, SQL NULL is JSON `null`), or
//!
//! ```json
//! {"ok":false,"code":"42601","message":"syntax error at or near \"x\"","position":8}
//! ```
//!
//! (`detail`, `hint` and `position` — the 1-based character offset into the
//! query — only when known). An error ends the query string; as in
//! PostgreSQL, the statements before it in the same implicit transaction are
//! rolled back, and their results are not reported. Either form may carry
//! `"notices":[{"severity":"NOTICE","code":"00000","message":"..."}]`.
//! `oa_open` writes `{"ok":true,"handle":N}`, `oa_close` `{"ok":true}`.
//!
//! Panics never cross the boundary as Rust unwinding. Where unwinding exists
//! (native builds) they are caught and reported as
//! `{"ok":false,"code":"XX000",...}`. On wasm32-unknown-unknown panics abort:
//! the call traps (a `WebAssembly.RuntimeError` in JS) after the panic hook
//! has written that same error JSON to the result buffer (read it with
//! `oa_result_ptr`/`oa_result_len`). The module is then unusable — every
//! later call returns an XX000 error saying so — and should be re-instantiated.
//! The same holds when an import throws a JS exception through a call.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Once};

use oa_ir::{Error, SqlState};
use oa_runtime::backend::Interpreter;
use oa_runtime::engine::UNIX_TO_POSTGRES_EPOCH_MICROS;
use oa_runtime::{Clock, Engine, EngineConfig, Notice, Outcome, Session};

/// Buffer pool size in 8 KB pages (8 MB). Memory storage keeps every page
/// in its backend anyway; the pool is only a cache in front of it, and a
/// browser tab should not reserve PostgreSQL's 128 MB default up front.
pub const BUFFER_POOL_PAGES: usize = 1024;

/// The user and database every session connects as.
const USER: &str = "postgres";
const DATABASE: &str = "postgres";

#[cfg(target_family = "wasm")]
mod host {
    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        /// Milliseconds since the Unix epoch (`Date.now()`).
        safe fn oa_host_now_ms() -> f64;
    }

    /// Microseconds since the Unix epoch. `as` saturates (NaN becomes 0).
    pub fn now_unix_micros() -> i64 {
        (oa_host_now_ms() * 1000.0) as i64
    }
}

#[cfg(not(target_family = "wasm"))]
mod host {
    /// Native builds (tests) use the system clock in place of the import.
    pub fn now_unix_micros() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
    }
}

/// The engine's clock: the host's `Date.now()`.
struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> i64 {
        host::now_unix_micros() - UNIX_TO_POSTGRES_EPOCH_MICROS
    }
}

struct State {
    engine: Option<Arc<Engine>>,
    sessions: BTreeMap<u32, Session>,
    next_handle: u32,
}

// wasm32-unknown-unknown has one thread, so thread-locals are the module's
// globals. Native tests get one engine per test thread.
thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State { engine: None, sessions: BTreeMap::new(), next_handle: 1 }) };
    /// The JSON text the last call produced.
    static RESULT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The last panic's message (with its location), from the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

// ---------------------------------------------------------------------------
// Exports

/// A buffer of `len` bytes for the host to write into; null if out of memory.
#[unsafe(no_mangle)]
pub extern "C" fn oa_alloc(len: usize) -> *mut u8 {
    if len == 0 {
        return std::ptr::NonNull::dangling().as_ptr();
    }
    match std::alloc::Layout::array::<u8>(len) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { std::alloc::alloc(layout) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// Frees a buffer from `oa_alloc`.
///
/// # Safety
/// `ptr` must come from `oa_alloc(len)` with the same `len` and not have been
/// freed already (null is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn oa_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    if let Ok(layout) = std::alloc::Layout::array::<u8>(len) {
        // SAFETY: per the contract, `ptr` was allocated with this layout.
        unsafe { std::alloc::dealloc(ptr, layout) }
    }
}

/// Opens a session; 0 on failure (the error is in the result buffer).
#[unsafe(no_mangle)]
pub extern "C" fn oa_open() -> u32 {
    match guarded(open) {
        Ok(handle) => {
            set_result(format!("{{\"ok\":true,\"handle\":{handle}}}"));
            handle
        }
        Err(e) => {
            set_result(error_json(&e, &[]));
            0
        }
    }
}

/// Runs `sql` on session `handle`; returns the result buffer.
///
/// # Safety
/// `sql` must point to `sql_len` readable bytes (it may be anything when
/// `sql_len` is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn oa_execute(handle: u32, sql: *const u8, sql_len: usize) -> *const u8 {
    let bytes: &[u8] = if sql_len == 0 {
        &[]
    } else if sql.is_null() {
        return set_result(error_json(&Error::internal("oa_execute: null query pointer"), &[]));
    } else {
        // SAFETY: per the contract.
        unsafe { std::slice::from_raw_parts(sql, sql_len) }
    };
    set_result(execute_json(handle, bytes))
}

/// The length of the result buffer.
#[unsafe(no_mangle)]
pub extern "C" fn oa_result_len() -> u32 {
    RESULT.with(|r| r.borrow().len() as u32)
}

/// The result buffer (as last returned by `oa_execute`).
#[unsafe(no_mangle)]
pub extern "C" fn oa_result_ptr() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}

/// Closes a session.
#[unsafe(no_mangle)]
pub extern "C" fn oa_close(handle: u32) {
    let closed = guarded(|s| {
        // Dropping the session ends its transaction and drops its temp tables.
        drop(s.sessions.remove(&handle));
        Ok(())
    });
    set_result(match closed {
        Ok(()) => "{\"ok\":true}".to_string(),
        Err(e) => error_json(&e, &[]),
    });
}

// ---------------------------------------------------------------------------
// Implementation

fn open(s: &mut State) -> Result<u32, Error> {
    let engine = match &s.engine {
        Some(e) => e.clone(),
        None => {
            let e = Engine::new(EngineConfig { buffer_pool_pages: BUFFER_POOL_PAGES, clock: Arc::new(HostClock), backend: Arc::new(Interpreter) })?;
            s.engine = Some(e.clone());
            e
        }
    };
    let handle = s.next_handle;
    s.next_handle = handle.checked_add(1).ok_or_else(|| Error::new(SqlState::TOO_MANY_CONNECTIONS, "out of session handles"))?;
    s.sessions.insert(handle, engine.connect(USER, DATABASE));
    Ok(handle)
}

/// The JSON for running `bytes` on session `handle`.
fn execute_json(handle: u32, bytes: &[u8]) -> String {
    let sql = match std::str::from_utf8(bytes) {
        Ok(sql) => sql,
        Err(e) => return error_json(&invalid_utf8(bytes, e), &[]),
    };
    let ran = guarded(|s| {
        let session = s
            .sessions
            .get_mut(&handle)
            .ok_or_else(|| Error::new(SqlState::CONNECTION_DOES_NOT_EXIST, format!("no open session with handle {handle}")))?;
        let result = session.execute(sql);
        Ok((result, session.take_notices()))
    });
    match ran {
        Ok((Ok(outcomes), notices)) => results_json(&outcomes, &notices),
        Ok((Err(e), notices)) => error_json(&e, &notices),
        Err(e) => error_json(&e, &[]),
    }
}

/// PostgreSQL's report of bytes that are not UTF-8.
fn invalid_utf8(bytes: &[u8], e: std::str::Utf8Error) -> Error {
    let at = e.valid_up_to();
    let bad = &bytes[at..bytes.len().min(at + e.error_len().unwrap_or(bytes.len() - at))];
    let mut hex = String::new();
    for b in bad {
        let _ = write!(hex, "{b:02x}");
    }
    Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, format!("invalid byte sequence for encoding \"UTF8\": 0x{hex}"))
}

/// Runs `f` on the module state, turning a panic (where it can be caught) or
/// a state left borrowed by an earlier trap into an XX000 error.
fn guarded<R>(f: impl FnOnce(&mut State) -> Result<R, Error>) -> Result<R, Error> {
    install_panic_hook();
    let ran = catch_unwind(AssertUnwindSafe(|| {
        STATE.with(|state| match state.try_borrow_mut() {
            Ok(mut s) => f(&mut s),
            // Only an aborted call (a panic, which traps on wasm32, or an
            // exception thrown by an import) leaves the state borrowed.
            Err(_) => {
                let cause = last_panic().map(|p| format!(" ({p})")).unwrap_or_default();
                Err(Error::internal(format!("the module is unusable after an earlier call was aborted{cause}; reload it")))
            }
        })
    }));
    match ran {
        Ok(r) => r,
        Err(payload) => {
            let message = last_panic()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(panic_error(&message))
        }
    }
}

fn panic_error(message: &str) -> Error {
    Error::internal(format!("internal error: {message}"))
}

fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.try_borrow().ok().and_then(|p| p.clone()))
}

/// Records a panic and, as wasm32 aborts right after, leaves its error JSON in
/// the result buffer for the host to read after the trap.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let message = info.to_string();
            let json = error_json(&panic_error(&message), &[]);
            let _ = LAST_PANIC.try_with(|p| p.try_borrow_mut().map(|mut p| *p = Some(message)));
            let _ = RESULT.try_with(|r| r.try_borrow_mut().map(|mut r| *r = json.into_bytes()));
            previous(info);
        }));
    });
}

/// Stores `json` as the result buffer and returns its address.
fn set_result(json: String) -> *const u8 {
    RESULT.with(|r| {
        let mut r = r.borrow_mut();
        *r = json.into_bytes();
        r.as_ptr()
    })
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

fn results_json(outcomes: &[Outcome], notices: &[Notice]) -> String {
    let mut out = String::from("{\"ok\":true,\"results\":[");
    for (i, o) in outcomes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"tag\":");
        match o {
            Outcome::Command { tag } => push_json_str(&mut out, tag),
            Outcome::Rows { fields, rows, tag } => {
                push_json_str(&mut out, tag);
                out.push_str(",\"columns\":[");
                for (j, f) in fields.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push_str("{\"name\":");
                    push_json_str(&mut out, &f.name);
                    out.push_str(",\"type\":");
                    push_json_str(&mut out, &f.type_name);
                    out.push('}');
                }
                out.push_str("],\"rows\":[");
                for (j, row) in rows.iter().enumerate() {
                    if j > 0 {
                        out.push(',');
                    }
                    out.push('[');
                    for (k, v) in row.iter().enumerate() {
                        if k > 0 {
                            out.push(',');
                        }
                        match v {
                            Some(v) => push_json_str(&mut out, v),
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
    out.push(']');
    push_notices(&mut out, notices);
    out.push('}');
    out
}

fn error_json(e: &Error, notices: &[Notice]) -> String {
    let mut out = String::from("{\"ok\":false,\"code\":");
    push_json_str(&mut out, e.code.code());
    out.push_str(",\"message\":");
    push_json_str(&mut out, &e.message);
    if let Some(detail) = &e.detail {
        out.push_str(",\"detail\":");
        push_json_str(&mut out, detail);
    }
    if let Some(hint) = &e.hint {
        out.push_str(",\"hint\":");
        push_json_str(&mut out, hint);
    }
    if let Some(position) = e.position {
        let _ = write!(out, ",\"position\":{position}");
    }
    push_notices(&mut out, notices);
    out.push('}');
    out
}

fn push_notices(out: &mut String, notices: &[Notice]) {
    if notices.is_empty() {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(handle: u32, sql: &str) -> String {
        // SAFETY: `sql` is a live &str.
        let ptr = unsafe { oa_execute(handle, sql.as_ptr(), sql.len()) };
        assert_eq!(ptr, oa_result_ptr());
        // SAFETY: the result buffer is valid until the next call.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, oa_result_len() as usize) };
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }

    #[test]
    fn round_trip() {
        let h = oa_open();
        assert_ne!(h, 0);
        assert_eq!(exec(h, "SELECT 1"), r#"{"ok":true,"results":[{"tag":"SELECT 1","columns":[{"name":"?column?","type":"int4"}],"rows":[["1"]]}]}"#);
        assert_eq!(
            exec(h, "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1,'x\"\\\n'),(2,NULL); SELECT a, b FROM t ORDER BY a DESC"),
            r#"{"ok":true,"results":[{"tag":"CREATE TABLE"},{"tag":"INSERT 0 2"},{"tag":"SELECT 2","columns":[{"name":"a","type":"int4"},{"name":"b","type":"text"}],"rows":[["2",null],["1","x\"\\\n"]]}]}"#
        );
        assert_eq!(exec(h, "SELECT 1/0"), r#"{"ok":false,"code":"22012","message":"division by zero"}"#);
        let syntax = exec(h, "SELECT 1 +");
        assert!(syntax.starts_with(r#"{"ok":false,"code":"42601","message":"syntax error at end of input","position":"#), "{syntax}");
        // A second session sees the first one's committed table.
        let h2 = oa_open();
        assert_ne!(h2, h);
        assert!(exec(h2, "SELECT count(*) FROM t").contains(r#"[["2"]]"#));
        oa_close(h2);
        assert!(exec(h2, "SELECT 1").contains(r#""code":"08003""#));
        assert_eq!(exec(h, ""), r#"{"ok":true,"results":[]}"#);
        oa_close(h);
    }

    #[test]
    fn invalid_utf8_is_22021() {
        let h = oa_open();
        let sql = b"SELECT '\xff'";
        // SAFETY: `sql` is live.
        unsafe { oa_execute(h, sql.as_ptr(), sql.len()) };
        let json = unsafe { std::slice::from_raw_parts(oa_result_ptr(), oa_result_len() as usize) };
        assert_eq!(json, br#"{"ok":false,"code":"22021","message":"invalid byte sequence for encoding \"UTF8\": 0xff"}"#);
    }

    #[test]
    fn alloc_and_free() {
        let p = oa_alloc(16);
        assert!(!p.is_null());
        // SAFETY: from oa_alloc(16).
        unsafe { oa_free(p, 16) };
        let z = oa_alloc(0);
        // SAFETY: zero-length buffers are ignored.
        unsafe { oa_free(z, 0) };
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        push_json_str(&mut s, "a\"b\\c\u{1}\u{1f}\u{2028}é");
        assert_eq!(s, r#""a\"b\\c\u0001\u001f\u2028é""#);
    }

    #[test]
    fn panics_become_xx000() {
        let r: Result<(), Error> = guarded(|_| panic!("boom"));
        let e = r.unwrap_err();
        assert_eq!(e.code.code(), "XX000");
        assert!(e.message.contains("boom"), "{}", e.message);
        // The state is usable again afterwards (native unwinding released it).
        assert!(guarded(|_| Ok(())).is_ok());
    }
}
