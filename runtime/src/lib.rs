//! Engine/Session API, interpreter, shared operators, built-in functions and type I/O.
//!
//! The runtime drives the compiler phases in order — parse, bind, optimize,
//! build pipelines — and runs the pipelines. The phases never call back here.

pub mod abi;
pub mod backend;
pub mod builtins;
pub mod catalog;
mod ddl;
pub mod engine;
pub mod exec;
mod explain;
pub mod notify;
pub mod sequence;
pub mod session;
pub mod settings;
mod usage;

pub use engine::{Clock, Engine, EngineConfig};
pub use notify::Notification;
pub use session::{CopyData, Describe, Event, Field, Notice, Outcome, Portal, Session};

/// What `version()` reports.
pub fn version_string() -> String {
    format!("PostgreSQL 15.18 (OpenAssay {}) on {}, compiled by rustc, 64-bit", env!("CARGO_PKG_VERSION"), std::env::consts::ARCH)
}
