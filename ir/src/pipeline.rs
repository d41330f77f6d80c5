//! Push pipelines: a physical plan cut at its pipeline breakers (hash-join
//! build, aggregation, sort, distinct, set operations, materialization).
//! Each pipeline is a source, a chain of streaming operators and a sink; the
//! interpreter and the JIT both run pipelines, morsel by morsel.

use std::sync::Arc;

use crate::catalog::RelationDesc;
use crate::expr::{AggCall, ColumnId, ScalarExpr, SortKey};
use crate::physical::{IndexAccess, PhysicalPlan};
use crate::plan::{JoinKind, PlanColumn, ScanColumn, SetOpKind, SrfCall};
use crate::window::{WindowCall, WindowSpec};

/// Shared state between a pipeline's sink and later pipelines' sources/operators.
pub type StateId = usize;

#[derive(Clone, Debug, PartialEq)]
pub struct PipelineGraph {
    /// In dependency order: every pipeline only needs states filled by earlier ones.
    pub pipelines: Vec<Pipeline>,
    pub num_states: usize,
    /// Layout of the rows the last pipeline delivers.
    pub output: Vec<PlanColumn>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub source: Source,
    pub operators: Vec<Operator>,
    pub sink: Sink,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A heap scan, or with `index` an index scan.
    Scan {
        table: Arc<RelationDesc>,
        columns: Vec<ScanColumn>,
        filter: Option<ScalarExpr>,
        index: Option<Box<IndexAccess>>,
    },
    Values {
        columns: Vec<PlanColumn>,
        rows: Vec<Vec<ScalarExpr>>,
    },
    Function {
        calls: Vec<SrfCall>,
        ordinality: Option<PlanColumn>,
    },
    WorkTable {
        id: u32,
        columns: Vec<PlanColumn>,
    },
    /// Rows another pipeline's sink accumulated (aggregates, sorted or materialized rows).
    State {
        state: StateId,
        columns: Vec<PlanColumn>,
    },
    /// The rows a data-modifying WITH query left as CTE `id` (Sink::Cte).
    Cte {
        id: u32,
        columns: Vec<PlanColumn>,
    },
    /// WITH RECURSIVE: runs `base`, then `recursive` until it yields no new rows.
    Recursive {
        id: u32,
        all: bool,
        base: Box<PipelineGraph>,
        recursive: Box<PipelineGraph>,
        columns: Vec<PlanColumn>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operator {
    Filter {
        predicate: ScalarExpr,
    },
    Project {
        items: Vec<(PlanColumn, ScalarExpr)>,
    },
    /// Probes the hash table a HashBuild sink filled; FULL/RIGHT joins emit
    /// unmatched build rows when the probe side is exhausted.
    HashProbe {
        state: StateId,
        kind: JoinKind,
        keys: Vec<ScalarExpr>,
        residual: Option<ScalarExpr>,
        mark: Option<PlanColumn>,
        build_columns: Vec<PlanColumn>,
    },
    /// Joins each input row with every materialized row of the inner side.
    NestedLoop {
        state: StateId,
        kind: JoinKind,
        condition: ScalarExpr,
        mark: Option<PlanColumn>,
        inner_columns: Vec<PlanColumn>,
    },
    /// A join whose inner side reads columns of the outer row (LATERAL, a
    /// function in FROM over earlier items): `inner` runs once per outer row
    /// with `params` bound, as PostgreSQL's nested loop with parameters.
    Apply {
        kind: JoinKind,
        inner: Box<PipelineGraph>,
        /// Outer-row columns the inner side reads.
        params: Vec<ColumnId>,
        condition: ScalarExpr,
        mark: Option<PlanColumn>,
        inner_columns: Vec<PlanColumn>,
    },
    Limit {
        limit: Option<ScalarExpr>,
        offset: Option<ScalarExpr>,
    },
    /// First row of each run of equal `on` values (input sorted by them).
    DistinctOn {
        on: Vec<ScalarExpr>,
    },
    Insert {
        table: Arc<RelationDesc>,
        target_attnums: Vec<i16>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
        on_conflict: Option<Box<crate::plan::OnConflict>>,
    },
    Update {
        table: Arc<RelationDesc>,
        ctid: ColumnId,
        values: Vec<ColumnId>,
        assigned: Vec<i16>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
    },
    Delete {
        table: Arc<RelationDesc>,
        ctid: ColumnId,
        old_values: Vec<ColumnId>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOpSide {
    Left,
    Right,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Sink {
    /// Rows go to the caller.
    Output,
    HashBuild {
        state: StateId,
        keys: Vec<ScalarExpr>,
    },
    Materialize {
        state: StateId,
    },
    Aggregate {
        state: StateId,
        group_by: Vec<(PlanColumn, ScalarExpr)>,
        aggs: Vec<(PlanColumn, AggCall)>,
    },
    Sort {
        state: StateId,
        keys: Vec<SortKey>,
        /// TopN / LIMIT after ORDER BY: keep only what these allow.
        limit: Option<ScalarExpr>,
        offset: Option<ScalarExpr>,
        with_ties: bool,
    },
    Distinct {
        state: StateId,
    },
    /// Keeps the (sorted) rows, then computes the window functions over them.
    Window {
        state: StateId,
        spec: WindowSpec,
        funcs: Vec<(PlanColumn, WindowCall)>,
    },
    SetOp {
        state: StateId,
        op: SetOpKind,
        all: bool,
        side: SetOpSide,
    },
    /// Keeps every row as CTE `id`, readable by any later pipeline (and by
    /// the subqueries run while executing them).
    Cte {
        id: u32,
    },
}

/// The operator chain still open while walking up the plan.
struct Open {
    source: Source,
    operators: Vec<Operator>,
}

struct Builder {
    pipelines: Vec<Pipeline>,
    states: usize,
    /// Data-modifying WITH queries nothing reads: they run last.
    deferred: Vec<(u32, PhysicalPlan)>,
}

impl Builder {
    fn state(&mut self) -> StateId {
        self.states += 1;
        self.states - 1
    }

    fn close(&mut self, open: Open, sink: Sink) {
        self.pipelines.push(Pipeline { source: open.source, operators: open.operators, sink });
    }

    fn open(&mut self, plan: &PhysicalPlan) -> Open {
        match plan {
            PhysicalPlan::SeqScan { table, columns, filter, .. } => Open {
                source: Source::Scan { table: table.clone(), columns: columns.clone(), filter: filter.clone(), index: None },
                operators: vec![],
            },
            PhysicalPlan::IndexScan { table, columns, access, filter, .. } => Open {
                source: Source::Scan {
                    table: table.clone(),
                    columns: columns.clone(),
                    filter: filter.clone(),
                    index: Some(Box::new(access.clone())),
                },
                operators: vec![],
            },
            PhysicalPlan::Values { columns, rows } => {
                Open { source: Source::Values { columns: columns.clone(), rows: rows.clone() }, operators: vec![] }
            }
            PhysicalPlan::FunctionScan { calls, ordinality } => {
                Open { source: Source::Function { calls: calls.clone(), ordinality: ordinality.clone() }, operators: vec![] }
            }
            PhysicalPlan::WorkTableScan { id, columns } => {
                Open { source: Source::WorkTable { id: *id, columns: columns.clone() }, operators: vec![] }
            }
            PhysicalPlan::CteScan { id, columns, .. } => Open { source: Source::Cte { id: *id, columns: columns.clone() }, operators: vec![] },
            PhysicalPlan::WithCte { id, deferred: true, cte, input, .. } => {
                // Nothing reads it: its pipelines go after the whole graph's.
                self.deferred.push((*id, (**cte).clone()));
                self.open(input)
            }
            PhysicalPlan::WithCte { id, cte, input, .. } => {
                // The WITH query's pipelines come first: it runs to completion before the main query starts.
                let o = self.open(cte);
                self.close(o, Sink::Cte { id: *id });
                self.open(input)
            }
            PhysicalPlan::Filter { input, predicate } => {
                let mut o = self.open(input);
                o.operators.push(Operator::Filter { predicate: predicate.clone() });
                o
            }
            PhysicalPlan::Project { input, items } => {
                let mut o = self.open(input);
                o.operators.push(Operator::Project { items: items.clone() });
                o
            }
            PhysicalPlan::HashJoin { kind, left, right, left_keys, right_keys, residual, mark } => {
                let state = self.state();
                let build = self.open(right);
                self.close(build, Sink::HashBuild { state, keys: right_keys.clone() });
                let mut o = self.open(left);
                o.operators.push(Operator::HashProbe {
                    state,
                    kind: *kind,
                    keys: left_keys.clone(),
                    residual: residual.clone(),
                    mark: mark.clone(),
                    build_columns: right.output(),
                });
                o
            }
            PhysicalPlan::NestedLoopJoin { kind, left, right, condition, mark } if !lateral_params(left, right).is_empty() => {
                let params = lateral_params(left, right);
                let mut o = self.open(left);
                o.operators.push(Operator::Apply {
                    kind: *kind,
                    inner: Box::new(build_pipelines(right)),
                    params,
                    condition: condition.clone(),
                    mark: mark.clone(),
                    inner_columns: right.output(),
                });
                o
            }
            PhysicalPlan::NestedLoopJoin { kind, left, right, condition, mark } => {
                let state = self.state();
                let inner = self.open(right);
                self.close(inner, Sink::Materialize { state });
                let mut o = self.open(left);
                o.operators.push(Operator::NestedLoop {
                    state,
                    kind: *kind,
                    condition: condition.clone(),
                    mark: mark.clone(),
                    inner_columns: right.output(),
                });
                o
            }
            PhysicalPlan::HashAggregate { input, group_by, aggs } => {
                let state = self.state();
                let o = self.open(input);
                self.close(o, Sink::Aggregate { state, group_by: group_by.clone(), aggs: aggs.clone() });
                Open { source: Source::State { state, columns: plan.output() }, operators: vec![] }
            }
            PhysicalPlan::Sort { input, keys } => {
                let state = self.state();
                let o = self.open(input);
                self.close(o, Sink::Sort { state, keys: keys.clone(), limit: None, offset: None, with_ties: false });
                Open { source: Source::State { state, columns: plan.output() }, operators: vec![] }
            }
            PhysicalPlan::WindowAgg { input, spec, funcs } => {
                let state = self.state();
                let o = self.open(input);
                self.close(o, Sink::Window { state, spec: spec.clone(), funcs: funcs.clone() });
                Open { source: Source::State { state, columns: plan.output() }, operators: vec![] }
            }
            PhysicalPlan::TopN { input, keys, limit, offset } => {
                let state = self.state();
                let o = self.open(input);
                self.close(o, Sink::Sort { state, keys: keys.clone(), limit: Some(limit.clone()), offset: offset.clone(), with_ties: false });
                Open { source: Source::State { state, columns: plan.output() }, operators: vec![] }
            }
            PhysicalPlan::Limit { input, limit, offset, with_ties } => {
                if !with_ties.is_empty() {
                    // WITH TIES needs the sort keys: the sort sink applies it.
                    let state = self.state();
                    let o = self.open(input);
                    self.close(o, Sink::Sort { state, keys: with_ties.clone(), limit: limit.clone(), offset: offset.clone(), with_ties: true });
                    return Open { source: Source::State { state, columns: plan.output() }, operators: vec![] };
                }
                let mut o = self.open(input);
                o.operators.push(Operator::Limit { limit: limit.clone(), offset: offset.clone() });
                o
            }
            PhysicalPlan::Distinct { input, on } => {
                if on.is_empty() {
                    let state = self.state();
                    let o = self.open(input);
                    self.close(o, Sink::Distinct { state });
                    Open { source: Source::State { state, columns: plan.output() }, operators: vec![] }
                } else {
                    let mut o = self.open(input);
                    o.operators.push(Operator::DistinctOn { on: on.clone() });
                    o
                }
            }
            PhysicalPlan::Append { inputs, columns } => {
                let state = self.state();
                for input in inputs {
                    let o = self.open(input);
                    // Every input writes the state in the Append's layout.
                    let mut o = o;
                    o.operators.push(Operator::Project {
                        items: columns.iter().zip(input.output()).map(|(c, i)| (c.clone(), ScalarExpr::Column { id: i.id, ty: i.ty })).collect(),
                    });
                    self.close(o, Sink::Materialize { state });
                }
                Open { source: Source::State { state, columns: columns.clone() }, operators: vec![] }
            }
            PhysicalPlan::HashSetOp { op, all, left, right, columns } => {
                let state = self.state();
                for (side, input) in [(SetOpSide::Left, left), (SetOpSide::Right, right)] {
                    let o = self.open(input);
                    self.close(o, Sink::SetOp { state, op: *op, all: *all, side });
                }
                Open { source: Source::State { state, columns: columns.clone() }, operators: vec![] }
            }
            PhysicalPlan::RecursiveUnion { id, all, base, recursive, columns } => Open {
                source: Source::Recursive {
                    id: *id,
                    all: *all,
                    base: Box::new(build_pipelines(base)),
                    recursive: Box::new(build_pipelines(recursive)),
                    columns: columns.clone(),
                },
                operators: vec![],
            },
            PhysicalPlan::Insert { table, input, target_attnums, returning, on_conflict } => {
                let mut o = self.open(input);
                o.operators.push(Operator::Insert {
                    table: table.clone(),
                    target_attnums: target_attnums.clone(),
                    returning: returning.clone(),
                    on_conflict: on_conflict.clone(),
                });
                o
            }
            PhysicalPlan::Update { table, input, ctid, values, assigned, returning } => {
                let mut o = self.open(input);
                o.operators.push(Operator::Update {
                    table: table.clone(),
                    ctid: *ctid,
                    values: values.clone(),
                    assigned: assigned.clone(),
                    returning: returning.clone(),
                });
                o
            }
            PhysicalPlan::Delete { table, input, ctid, old_values, returning } => {
                let mut o = self.open(input);
                o.operators.push(Operator::Delete {
                    table: table.clone(),
                    ctid: *ctid,
                    old_values: old_values.clone(),
                    returning: returning.clone(),
                });
                o
            }
        }
    }
}

/// Columns of `left`'s output that `right` reads: a LATERAL dependency.
fn lateral_params(left: &PhysicalPlan, right: &PhysicalPlan) -> Vec<ColumnId> {
    let left_out = left.output();
    free_columns(right).into_iter().filter(|c| left_out.iter().any(|l| l.id == *c)).collect()
}

/// Columns a physical plan reads but does not produce (its correlation).
pub fn free_columns(plan: &PhysicalPlan) -> Vec<ColumnId> {
    fn walk(p: &PhysicalPlan, defined: &mut Vec<ColumnId>, used: &mut Vec<ColumnId>) {
        defined.extend(p.output().iter().map(|c| c.id));
        for e in p.expressions() {
            // Includes the free columns of subqueries inside the expression.
            e.columns_into(used);
        }
        if let PhysicalPlan::Update { ctid, values, .. } = p {
            used.push(*ctid);
            used.extend(values.iter().copied());
        }
        if let PhysicalPlan::Delete { ctid, old_values, .. } = p {
            used.push(*ctid);
            used.extend(old_values.iter().copied());
        }
        // ON CONFLICT DO UPDATE binds the existing and proposed rows itself.
        if let PhysicalPlan::Insert { on_conflict: Some(oc), .. } = p
            && let Some(u) = &oc.update
        {
            defined.extend(u.existing.iter().chain(u.excluded.iter()).copied());
            defined.push(u.existing_ctid);
        }
        for c in p.children() {
            walk(c, defined, used);
        }
    }
    let (mut defined, mut used) = (Vec::new(), Vec::new());
    walk(plan, &mut defined, &mut used);
    defined.sort();
    defined.dedup();
    used.sort();
    used.dedup();
    used.retain(|c| defined.binary_search(c).is_err());
    used
}

/// Splits a physical plan into pipelines in dependency order.
pub fn build_pipelines(plan: &PhysicalPlan) -> PipelineGraph {
    let mut b = Builder { pipelines: Vec::new(), states: 0, deferred: Vec::new() };
    let o = b.open(plan);
    b.close(o, Sink::Output);
    while !b.deferred.is_empty() {
        for (id, cte) in std::mem::take(&mut b.deferred) {
            let o = b.open(&cte);
            b.close(o, Sink::Cte { id });
        }
    }
    PipelineGraph { pipelines: b.pipelines, num_states: b.states, output: plan.output() }
}
