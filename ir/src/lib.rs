//! OpenAssay's intermediate representation: PostgreSQL's types and values,
//! typed scalar expressions, logical and physical plans, and pipelines.

pub mod error;
mod sqlstate;

pub use error::{Error, Result, SqlState};
pub mod bootstrap;
pub mod datetime;
pub mod datum;
pub mod numeric;
pub mod types;

pub use datum::{Array, ArrayDim, Datum};
pub use types::{Oid, PhysicalType, SqlType};
pub mod catalog;
pub mod expr;
pub mod plan;

pub use expr::{ColumnId, ScalarExpr};
pub use plan::LogicalPlan;
pub mod explain;
pub mod io;
pub mod physical;
pub mod pipeline;
pub mod stack;
pub mod typeio;
pub mod window;
