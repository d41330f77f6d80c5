//! Physical plans: operators chosen by the optimizer, each with its output
//! layout (the order of its columns). The runtime splits them into push
//! pipelines (see `pipeline`) and binds column ids to positions.

use std::sync::Arc;

use crate::catalog::RelationDesc;
use crate::expr::{AggCall, ColumnId, ScalarExpr, SortKey};
use crate::plan::{JoinKind, PlanColumn, ScanColumn, SetOpKind, SrfCall};
use crate::window::{WindowCall, WindowSpec};

#[derive(Clone, Debug, PartialEq)]
pub enum PhysicalPlan {
    SeqScan {
        table: Arc<RelationDesc>,
        alias: String,
        columns: Vec<ScanColumn>,
        /// Applied to each row while scanning.
        filter: Option<ScalarExpr>,
    },
    /// Rows of `table` found through one of its B-tree indexes: the entries
    /// the index conditions bound, each heap tuple fetched and checked for
    /// visibility, then `filter`.
    IndexScan {
        table: Arc<RelationDesc>,
        alias: String,
        columns: Vec<ScanColumn>,
        access: IndexAccess,
        filter: Option<ScalarExpr>,
    },
    Values {
        columns: Vec<PlanColumn>,
        rows: Vec<Vec<ScalarExpr>>,
    },
    FunctionScan {
        calls: Vec<SrfCall>,
        ordinality: Option<PlanColumn>,
    },
    WorkTableScan {
        id: u32,
        columns: Vec<PlanColumn>,
    },
    Filter {
        input: Box<PhysicalPlan>,
        predicate: ScalarExpr,
    },
    Project {
        input: Box<PhysicalPlan>,
        items: Vec<(PlanColumn, ScalarExpr)>,
    },
    /// Builds a hash table on `right` (the inner side), probes it with `left`.
    HashJoin {
        kind: JoinKind,
        left: Box<PhysicalPlan>,
        right: Box<PhysicalPlan>,
        left_keys: Vec<ScalarExpr>,
        right_keys: Vec<ScalarExpr>,
        /// Non-equality part of the join condition, evaluated on matching pairs.
        residual: Option<ScalarExpr>,
        mark: Option<PlanColumn>,
    },
    /// Materializes `right` and tests every pair.
    NestedLoopJoin {
        kind: JoinKind,
        left: Box<PhysicalPlan>,
        right: Box<PhysicalPlan>,
        condition: ScalarExpr,
        mark: Option<PlanColumn>,
    },
    HashAggregate {
        input: Box<PhysicalPlan>,
        group_by: Vec<(PlanColumn, ScalarExpr)>,
        aggs: Vec<(PlanColumn, AggCall)>,
    },
    Sort {
        input: Box<PhysicalPlan>,
        keys: Vec<SortKey>,
    },
    /// Window functions over input sorted by `spec.sort_keys()` (materialized
    /// whole): the input's columns, then one per call.
    WindowAgg {
        input: Box<PhysicalPlan>,
        spec: WindowSpec,
        funcs: Vec<(PlanColumn, WindowCall)>,
    },
    /// Sort keeping only the first `limit + offset` rows.
    TopN {
        input: Box<PhysicalPlan>,
        keys: Vec<SortKey>,
        limit: ScalarExpr,
        offset: Option<ScalarExpr>,
    },
    Limit {
        input: Box<PhysicalPlan>,
        limit: Option<ScalarExpr>,
        offset: Option<ScalarExpr>,
        with_ties: Vec<SortKey>,
    },
    /// DISTINCT over all columns (hash) or DISTINCT ON (first row per key of sorted input).
    Distinct {
        input: Box<PhysicalPlan>,
        on: Vec<ScalarExpr>,
    },
    /// UNION ALL: both inputs in order.
    Append {
        inputs: Vec<PhysicalPlan>,
        columns: Vec<PlanColumn>,
    },
    HashSetOp {
        op: SetOpKind,
        all: bool,
        left: Box<PhysicalPlan>,
        right: Box<PhysicalPlan>,
        columns: Vec<PlanColumn>,
    },
    RecursiveUnion {
        id: u32,
        all: bool,
        base: Box<PhysicalPlan>,
        recursive: Box<PhysicalPlan>,
        columns: Vec<PlanColumn>,
    },
    /// Runs `cte` to completion, keeping its rows as CTE `id`: before
    /// `input`, or after it when `deferred`.
    WithCte {
        id: u32,
        name: String,
        deferred: bool,
        cte: Box<PhysicalPlan>,
        input: Box<PhysicalPlan>,
    },
    /// Reads the rows CTE `id` produced.
    CteScan {
        id: u32,
        name: String,
        columns: Vec<PlanColumn>,
    },
    Insert {
        table: Arc<RelationDesc>,
        input: Box<PhysicalPlan>,
        target_attnums: Vec<i16>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
        on_conflict: Option<Box<crate::plan::OnConflict>>,
    },
    Update {
        table: Arc<RelationDesc>,
        input: Box<PhysicalPlan>,
        ctid: ColumnId,
        values: Vec<ColumnId>,
        assigned: Vec<i16>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
    },
    Delete {
        table: Arc<RelationDesc>,
        input: Box<PhysicalPlan>,
        ctid: ColumnId,
        old_values: Vec<ColumnId>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
    },
}

/// How an index scan uses its index: PostgreSQL's indexqual.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexAccess {
    /// Position in `table.indexes`.
    pub index: usize,
    /// Conditions `key op value` on the index's key columns, in key order;
    /// equalities on a prefix of the keys, then at most a range on the next.
    pub quals: Vec<IndexQual>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndexQual {
    /// Key position in the index (0-based).
    pub key: usize,
    pub op: IndexOp,
    /// What the key is compared with: free of the scanned table's columns
    /// (constants, parameters, outer columns), evaluated once per scan.
    pub value: ScalarExpr,
    /// The condition as written (`col op value` or `value op col`), for
    /// EXPLAIN and for rechecking fetched rows.
    pub cond: ScalarExpr,
}

/// Whether `quals` fix every key of a unique index: at most one row matches.
pub fn unique_lookup(index: &crate::catalog::IndexDesc, quals: &[IndexQual]) -> bool {
    index.unique && quals.iter().filter(|q| q.op == IndexOp::Eq).count() == index.columns.len()
}

/// B-tree strategies (PostgreSQL's BTLessStrategyNumber …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexOp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl IndexOp {
    /// The strategy of `col op value` for operator name `op`; `commuted`
    /// when the column is on the right (`value op col`).
    pub fn from_operator(op: &str, commuted: bool) -> Option<IndexOp> {
        let o = match op {
            "<" => IndexOp::Lt,
            "<=" => IndexOp::Le,
            "=" => IndexOp::Eq,
            ">=" => IndexOp::Ge,
            ">" => IndexOp::Gt,
            _ => return None,
        };
        Some(if commuted { o.commute() } else { o })
    }

    fn commute(self) -> IndexOp {
        match self {
            IndexOp::Lt => IndexOp::Gt,
            IndexOp::Le => IndexOp::Ge,
            IndexOp::Eq => IndexOp::Eq,
            IndexOp::Ge => IndexOp::Le,
            IndexOp::Gt => IndexOp::Lt,
        }
    }
}

impl PhysicalPlan {
    /// Output layout: column ids and types, in order.
    pub fn output(&self) -> Vec<PlanColumn> {
        match self {
            PhysicalPlan::SeqScan { columns, .. } | PhysicalPlan::IndexScan { columns, .. } => {
                columns.iter().map(|c| PlanColumn { id: c.id, ty: c.ty, name: c.name.clone() }).collect()
            }
            PhysicalPlan::Values { columns, .. }
            | PhysicalPlan::WorkTableScan { columns, .. }
            | PhysicalPlan::Append { columns, .. }
            | PhysicalPlan::HashSetOp { columns, .. }
            | PhysicalPlan::CteScan { columns, .. }
            | PhysicalPlan::RecursiveUnion { columns, .. } => columns.clone(),
            PhysicalPlan::WithCte { input, .. } => input.output(),
            PhysicalPlan::FunctionScan { calls, ordinality } => SrfCall::scan_columns(calls, ordinality),
            PhysicalPlan::Filter { input, .. }
            | PhysicalPlan::Sort { input, .. }
            | PhysicalPlan::TopN { input, .. }
            | PhysicalPlan::Limit { input, .. }
            | PhysicalPlan::Distinct { input, .. } => input.output(),
            PhysicalPlan::Project { items, .. } => items.iter().map(|(c, _)| c.clone()).collect(),
            PhysicalPlan::HashJoin { kind, left, right, mark, .. } | PhysicalPlan::NestedLoopJoin { kind, left, right, mark, .. } => {
                let mut v = left.output();
                if kind.outputs_right() {
                    v.extend(right.output());
                }
                v.extend(mark.clone());
                v
            }
            PhysicalPlan::HashAggregate { group_by, aggs, .. } => {
                group_by.iter().map(|(c, _)| c.clone()).chain(aggs.iter().map(|(c, _)| c.clone())).collect()
            }
            PhysicalPlan::WindowAgg { input, funcs, .. } => crate::window::output(input.output(), funcs),
            PhysicalPlan::Insert { returning, .. } | PhysicalPlan::Update { returning, .. } | PhysicalPlan::Delete { returning, .. } => {
                returning.iter().map(|(c, _)| c.clone()).collect()
            }
        }
    }

    pub fn children(&self) -> Vec<&PhysicalPlan> {
        match self {
            PhysicalPlan::SeqScan { .. }
            | PhysicalPlan::IndexScan { .. }
            | PhysicalPlan::Values { .. }
            | PhysicalPlan::FunctionScan { .. }
            | PhysicalPlan::WorkTableScan { .. }
            | PhysicalPlan::CteScan { .. } => vec![],
            PhysicalPlan::Filter { input, .. }
            | PhysicalPlan::Project { input, .. }
            | PhysicalPlan::HashAggregate { input, .. }
            | PhysicalPlan::WindowAgg { input, .. }
            | PhysicalPlan::Sort { input, .. }
            | PhysicalPlan::TopN { input, .. }
            | PhysicalPlan::Limit { input, .. }
            | PhysicalPlan::Distinct { input, .. }
            | PhysicalPlan::Insert { input, .. }
            | PhysicalPlan::Update { input, .. }
            | PhysicalPlan::Delete { input, .. } => vec![input],
            PhysicalPlan::HashJoin { left, right, .. }
            | PhysicalPlan::NestedLoopJoin { left, right, .. }
            | PhysicalPlan::HashSetOp { left, right, .. } => vec![left, right],
            PhysicalPlan::RecursiveUnion { base, recursive, .. } => vec![base, recursive],
            PhysicalPlan::Append { inputs, .. } => inputs.iter().collect(),
            PhysicalPlan::WithCte { cte, input, .. } => vec![cte, input],
        }
    }

    /// Scalar expressions held directly by this node (for subquery discovery and EXPLAIN).
    pub fn expressions(&self) -> Vec<&ScalarExpr> {
        match self {
            PhysicalPlan::SeqScan { filter, .. } => filter.iter().collect(),
            PhysicalPlan::IndexScan { access, filter, .. } => access.quals.iter().map(|q| &q.cond).chain(filter.iter()).collect(),
            PhysicalPlan::Values { rows, .. } => rows.iter().flatten().collect(),
            PhysicalPlan::FunctionScan { calls, .. } => calls.iter().flat_map(|c| c.args.iter()).collect(),
            PhysicalPlan::Filter { predicate, .. } => vec![predicate],
            PhysicalPlan::Project { items, .. } => items.iter().map(|(_, e)| e).collect(),
            PhysicalPlan::HashJoin { left_keys, right_keys, residual, .. } => {
                left_keys.iter().chain(right_keys.iter()).chain(residual.iter()).collect()
            }
            PhysicalPlan::NestedLoopJoin { condition, .. } => vec![condition],
            PhysicalPlan::HashAggregate { group_by, aggs, .. } => {
                let mut v: Vec<&ScalarExpr> = group_by.iter().map(|(_, e)| e).collect();
                for (_, a) in aggs {
                    v.extend(a.args.iter());
                    v.extend(a.filter.iter());
                    v.extend(a.order_by.iter().map(|k| &k.expr));
                }
                v
            }
            PhysicalPlan::Sort { keys, .. } => keys.iter().map(|k| &k.expr).collect(),
            PhysicalPlan::WindowAgg { spec, funcs, .. } => crate::window::expressions(spec, funcs),
            PhysicalPlan::TopN { keys, limit, offset, .. } => {
                let mut v: Vec<&ScalarExpr> = keys.iter().map(|k| &k.expr).collect();
                v.push(limit);
                v.extend(offset.iter());
                v
            }
            PhysicalPlan::Limit { limit, offset, with_ties, .. } => {
                let mut v: Vec<&ScalarExpr> = limit.iter().chain(offset.iter()).collect();
                v.extend(with_ties.iter().map(|k| &k.expr));
                v
            }
            PhysicalPlan::Distinct { on, .. } => on.iter().collect(),
            PhysicalPlan::Insert { returning, on_conflict: Some(oc), .. } => {
                let mut v: Vec<&ScalarExpr> = returning.iter().map(|(_, e)| e).collect();
                if let Some(u) = &oc.update {
                    v.extend(u.values.iter().chain(u.filter.iter()));
                }
                v
            }
            PhysicalPlan::Insert { returning, .. } | PhysicalPlan::Update { returning, .. } | PhysicalPlan::Delete { returning, .. } => {
                returning.iter().map(|(_, e)| e).collect()
            }
            PhysicalPlan::WorkTableScan { .. }
            | PhysicalPlan::WithCte { .. }
            | PhysicalPlan::CteScan { .. }
            | PhysicalPlan::Append { .. }
            | PhysicalPlan::HashSetOp { .. }
            | PhysicalPlan::RecursiveUnion { .. } => {
                vec![]
            }
        }
    }
}
