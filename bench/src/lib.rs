//! oa-bench: OpenAssay side by side with PostgreSQL 15 on the same machine
//! in the same run — TPC-H (data from `tpchgen`, the 22 queries with their
//! results compared row by row), pgbench, and a Markdown report with SVG
//! charts — plus the criterion benches in `benches/`.
//!
//! | module | what |
//! |---|---|
//! | [`tpch`] | DDL and queries (from `testdata/tpch/tpch.slt`), CSV data generation |
//! | [`servers`] | the throwaway PostgreSQL cluster and the `openassay` process, stopped on any exit |
//! | [`runner`] | a connection per engine; one statement under a time limit, with wall, CPU and RSS |
//! | [`compare`] | result comparison: text as PostgreSQL prints it, float tolerance, ORDER BY-aware |
//! | [`procfs`] | CPU time and peak RSS from /proc |
//! | [`pgbench`] | `pgbench -i` and timed runs, TPS and latency percentiles |
//! | [`duck`] | DuckDB through Python, when installed |
//! | [`harness`] | the run, phase by phase |
//! | [`report`] | Markdown and SVG charts |

pub mod compare;
pub mod duck;
pub mod harness;
pub mod pgbench;
pub mod procfs;
pub mod report;
pub mod runner;
pub mod servers;
pub mod tpch;
