//! The binder: names, scopes, catalog lookups and PostgreSQL's type, function
//! and operator resolution, turning the grammar's AST into typed logical plans.
//! Errors carry PostgreSQL's SQLSTATEs, messages, hints and positions.

mod binder;
pub mod catalog;
pub mod deparse;
pub mod resolve;
#[cfg(test)]
mod testcat;
#[cfg(test)]
mod tests;

pub use binder::{BindContext, BoundQuery, ResultColumn, bind_query, bind_standalone_expr, bind_table_ast, bind_table_expr, resolve_type_name};
pub use catalog::Catalog;
pub use deparse::deparse_expr;
