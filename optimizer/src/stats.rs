//! Statistics the cost model reads: what ANALYZE gathered (row counts, null
//! fractions, distinct counts), reached through the runtime's catalog.

use oa_ir::types::Oid;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColumnStats {
    pub null_frac: f64,
    /// Number of distinct values (PostgreSQL's stadistinct: negative means a
    /// fraction of the row count).
    pub n_distinct: f64,
}

pub trait Statistics {
    /// Estimated rows of a table, if ANALYZE (or a load) recorded any.
    fn table_rows(&self, table: Oid) -> Option<f64>;
    fn column(&self, table: Oid, attnum: i16) -> Option<ColumnStats>;
}

/// For planning without statistics (tests, the no-panic check).
pub struct NoStatistics;

impl Statistics for NoStatistics {
    fn table_rows(&self, _table: Oid) -> Option<f64> {
        None
    }

    fn column(&self, _table: Oid, _attnum: i16) -> Option<ColumnStats> {
        None
    }
}
