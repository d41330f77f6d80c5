//! The error every layer above the grammar reports: PostgreSQL's ErrorResponse
//! fields, so the server can forward them unchanged.

use std::fmt;

/// A five-character SQLSTATE code (constants generated from errcodes.txt).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SqlState(pub [u8; 5]);

impl SqlState {
    /// A code from its five characters (the grammar reports codes as text).
    pub fn from_code(code: &str) -> Option<SqlState> {
        let b: [u8; 5] = code.as_bytes().try_into().ok()?;
        b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()).then_some(SqlState(b))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XX000")
    }
}

impl fmt::Debug for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for SqlState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Severity as PostgreSQL spells it in the `S` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Fatal,
    Warning,
    Notice,
}

/// A PostgreSQL error report. `position` is a byte offset into the statement
/// text; the session turns it into the 1-based character position clients see.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub code: SqlState,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub position: Option<usize>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: SqlState, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), detail: None, hint: None, position: None }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the position unless one is already there: the innermost site wins.
    pub fn with_position(mut self, byte_offset: usize) -> Self {
        self.position.get_or_insert(byte_offset);
        self
    }

    /// `0A000`: PostgreSQL accepts this, OpenAssay does not implement it yet.
    pub fn feature_not_supported(what: impl Into<String>) -> Self {
        Error::new(SqlState::FEATURE_NOT_SUPPORTED, what)
    }

    /// `XX000`: a broken invariant inside the engine, reported instead of a panic.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(SqlState::INTERNAL_ERROR, message)
    }
}
