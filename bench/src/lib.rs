//! Benchmarks and the side-by-side harness against PostgreSQL.
