//! The optimizer: named, individually switchable stages that rewrite the
//! logical plan, then physical planning.
//!
//! Stages, in order:
//! 1. `decorrelate` — subqueries in WHERE/HAVING become semi, anti, null-aware
//!    anti and left joins (with the COUNT-bug and 21000 cases kept right);
//!    what cannot be decorrelated stays a subquery the runtime evaluates per row.
//! 2. `simplify` (egg) — boolean algebra, NULL propagation through strict
//!    functions, CASE pruning: rewrites that never change results; before it,
//!    conjuncts common to all arms of an OR are pulled out (`qual`).
//! 3. `pushdown` (egg) — predicates move towards the scans, through projections,
//!    joins (respecting outer-join semantics) and sorts; join conditions split.
//! 4. `join_order` — inner-join clusters reordered by a DP enumerator
//!    (greedy above 12 relations) over cardinality estimates.
//! 5. `prune` — scans read only the columns the query uses.
//! 6. physical planning — sequential or index scans (`access`), hash or
//!    nested-loop joins, hash aggregation, top-N.
//!
//! Limits are on e-graph size and iterations, never on wall-clock time, so
//! plans are deterministic.

mod access;
mod decorrelate;
mod egraph;
mod join_order;
mod physical;
mod prune;
mod qual;
mod stats;

use oa_ir::Result;
use oa_ir::physical::PhysicalPlan;
use oa_ir::plan::LogicalPlan;

pub use stats::{ColumnStats, NoStatistics, Statistics};

/// The names of the logical rewrite stages, in the order they run.
pub const STAGES: [&str; 5] = ["decorrelate", "simplify", "pushdown", "join_order", "prune"];

/// Which stages run, and the e-graph limits.
#[derive(Clone, Debug)]
pub struct OptimizerOptions {
    pub disabled: Vec<String>,
    pub node_limit: usize,
    pub iteration_limit: usize,
    /// enable_seqscan / enable_indexscan: a path switched off costs 1e10 more.
    pub enable_seqscan: bool,
    pub enable_indexscan: bool,
}

impl Default for OptimizerOptions {
    fn default() -> Self {
        OptimizerOptions { disabled: Vec::new(), node_limit: 20_000, iteration_limit: 30, enable_seqscan: true, enable_indexscan: true }
    }
}

impl OptimizerOptions {
    fn enabled(&self, stage: &str) -> bool {
        !self.disabled.iter().any(|d| d == stage)
    }
}

/// What one stage did, for EXPLAIN and `oa-explain`.
#[derive(Clone, Debug)]
pub struct StageReport {
    pub name: &'static str,
    pub ran: bool,
    /// E-graph stages: final number of e-nodes / e-classes, iterations, why it stopped.
    pub egraph: Option<egraph::EGraphReport>,
    pub plan_after: LogicalPlan,
}

#[derive(Clone, Debug)]
pub struct Optimized {
    pub plan: PhysicalPlan,
    pub stages: Vec<StageReport>,
}

/// Runs every enabled stage and plans the result physically.
pub fn optimize(plan: LogicalPlan, stats: &dyn Statistics, options: &OptimizerOptions) -> Result<Optimized> {
    let mut stages = Vec::new();
    let mut plan = plan;
    for name in STAGES {
        if !options.enabled(name) {
            stages.push(StageReport { name, ran: false, egraph: None, plan_after: plan.clone() });
            continue;
        }
        let mut report = None;
        plan = match name {
            "decorrelate" => decorrelate::decorrelate(plan)?,
            "simplify" => {
                let (p, r) = egraph::run_stage(qual::canonicalize(plan), egraph::Stage::Simplify, options)?;
                report = Some(r);
                p
            }
            "pushdown" => {
                let (p, r) = egraph::run_stage(plan, egraph::Stage::Pushdown, options)?;
                report = Some(r);
                p
            }
            "join_order" => join_order::reorder(plan, stats)?,
            "prune" => prune::prune(plan),
            _ => plan,
        };
        stages.push(StageReport { name, ran: true, egraph: report, plan_after: plan.clone() });
    }
    let cx = physical::Planner { stats, enable_seqscan: options.enable_seqscan, enable_indexscan: options.enable_indexscan };
    let physical = physical::plan(plan, &cx)?;
    Ok(Optimized { plan: physical, stages })
}

pub use egraph::EGraphReport;
