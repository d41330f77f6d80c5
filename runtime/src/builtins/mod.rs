//! PostgreSQL's built-in string, pattern-matching and math functions as
//! plain Rust functions, each named after its `pg_proc.prosrc`.

mod casemap;
pub mod catalog_fns;
mod json;
pub mod math;
pub mod pattern;
mod registry;
pub use registry::register;
mod regex_classes;
pub mod string;
#[cfg(test)]
mod testutil;
