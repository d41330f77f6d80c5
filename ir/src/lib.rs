//! OpenAssay's intermediate representation: PostgreSQL's types and values,
//! typed scalar expressions, logical and physical plans, and pipelines.

pub mod error;
mod sqlstate;

pub use error::{Error, Result, SqlState};
pub mod bootstrap;
pub mod numeric;
pub mod datetime;
