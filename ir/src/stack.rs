//! PostgreSQL's `check_stack_depth`: deeply nested expressions are refused
//! with 54001 instead of overflowing the thread's stack, which would take the
//! whole server down. Every recursion over a user-sized tree (binding,
//! evaluation) goes through [`guard`].

use std::cell::Cell;

use crate::{Error, Result, SqlState};

/// Nesting depth (expressions, set operations, subqueries) beyond which a
/// statement is refused. PostgreSQL's limit is 2 MB of stack (`max_stack_depth`),
/// which stops a chain of binary operators between 4,000 and 5,000 terms but
/// lets thousands of UNION branches through; our frames differ in size, so the
/// limit counts levels, and sits where no client writes statements.
pub const MAX_DEPTH: usize = if cfg!(target_arch = "wasm32") { 1000 } else { 10_000 };

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// The error PostgreSQL raises when `max_stack_depth` is exceeded.
pub fn stack_depth_error() -> Error {
    Error::new(SqlState::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded").with_hint(
        "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the platform's stack depth limit is adequate.",
    )
}

/// Runs one level of a recursion: counts it, refuses it beyond [`MAX_DEPTH`],
/// and on native targets continues on a fresh stack segment when the current
/// one runs low (test threads have 2 MB, sessions 16 MB).
pub fn guard<R>(f: impl FnOnce() -> Result<R>) -> Result<R> {
    struct Level(usize);
    impl Drop for Level {
        fn drop(&mut self) {
            DEPTH.set(self.0);
        }
    }
    let depth = DEPTH.get();
    if depth >= MAX_DEPTH {
        return Err(stack_depth_error());
    }
    DEPTH.set(depth + 1);
    let _restore = Level(depth);
    grow(f)
}

/// Runs one level of a recursion over a tree the binder already bounded
/// (evaluation, planning): only makes sure there is stack for it.
pub fn grow<R>(f: impl FnOnce() -> R) -> R {
    grow_native(f)
}

#[cfg(not(target_arch = "wasm32"))]
fn grow_native<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(256 * 1024, 4 * 1024 * 1024, f)
}

#[cfg(target_arch = "wasm32")]
fn grow_native<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nest(n: usize) -> Result<usize> {
        if n == 0 { Ok(0) } else { guard(|| nest(n - 1).map(|d| d + 1)) }
    }

    #[test]
    fn deep_recursion_is_refused_and_the_depth_restored() {
        assert_eq!(nest(MAX_DEPTH).ok(), Some(MAX_DEPTH));
        let e = nest(MAX_DEPTH + 1).unwrap_err();
        assert_eq!(e.code, SqlState::STATEMENT_TOO_COMPLEX);
        assert_eq!(DEPTH.get(), 0);
        assert_eq!(nest(10).ok(), Some(10));
    }
}
