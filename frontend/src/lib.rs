//! The binder: names, scopes, catalog lookups and PostgreSQL's type, function
//! and operator resolution, turning the grammar's AST into typed logical plans.
//! Errors carry PostgreSQL's SQLSTATEs, messages, hints and positions.

pub(crate) mod binder;
pub mod catalog;
pub mod deparse;
pub mod resolve;
pub mod ruleutils;
#[cfg(test)]
mod testcat;
#[cfg(test)]
mod tests;

pub use binder::coerce::split_name_list;
pub use binder::{
    BindContext, BoundQuery, ResultColumn, bind_query, bind_standalone_expr, bind_table_ast, bind_table_expr, bind_table_expr_as, proc_arg_defaults,
    reg_input, resolve_type_name, view_is_updatable,
};
pub use catalog::Catalog;
pub use deparse::deparse_expr;
