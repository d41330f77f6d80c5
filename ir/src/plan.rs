//! Logical plans: what a query computes, with every column named by a
//! query-unique `ColumnId`. The binder produces them, the optimizer rewrites
//! them, and physical planning turns them into operators and pipelines.

use std::sync::Arc;

use crate::catalog::RelationDesc;
use crate::expr::{AggCall, ColumnId, FuncRef, ScalarExpr, SortKey};
use crate::types::SqlType;
use crate::window::{WindowCall, WindowSpec};

/// An output column of a plan node.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanColumn {
    pub id: ColumnId,
    pub ty: SqlType,
    pub name: String,
}

/// One function of a function scan (`ROWS FROM (f(), g())` has several):
/// the call and the scan columns it fills.
#[derive(Clone, Debug, PartialEq)]
pub struct SrfCall {
    pub func: Arc<FuncRef>,
    pub args: Vec<ScalarExpr>,
    pub columns: Vec<PlanColumn>,
}

impl SrfCall {
    /// The scan's columns: each call's in turn, then the ordinality column.
    pub fn scan_columns(calls: &[SrfCall], ordinality: &Option<PlanColumn>) -> Vec<PlanColumn> {
        calls.iter().flat_map(|c| c.columns.iter().cloned()).chain(ordinality.iter().cloned()).collect()
    }
}

/// INSERT … ON CONFLICT: the arbiter indexes and what a conflict does.
#[derive(Clone, Debug, PartialEq)]
pub struct OnConflict {
    /// The arbiter unique indexes by OID; empty (DO NOTHING without a
    /// conflict target) means every unique index.
    pub arbiters: Vec<crate::types::Oid>,
    /// DO UPDATE; None for DO NOTHING.
    pub update: Option<ConflictUpdate>,
}

/// ON CONFLICT DO UPDATE SET … [WHERE …]. Its expressions read the existing
/// row through `existing` and the proposed row (EXCLUDED) through
/// `excluded`: column ids of the table's live columns in attnum order, bound
/// by the insert operator itself (no plan node produces them).
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictUpdate {
    pub existing: Vec<ColumnId>,
    /// The existing row's ctid.
    pub existing_ctid: ColumnId,
    pub excluded: Vec<ColumnId>,
    /// The updated row: one value per live column, in attnum order.
    pub values: Vec<ScalarExpr>,
    /// Attributes the SET list assigned.
    pub assigned: Vec<i16>,
    pub filter: Option<ScalarExpr>,
}

/// pg_attribute.attnum of the ctid system column.
pub const CTID_ATTNUM: i16 = -1;
/// The `tableoid` system column: the OID of the table a row comes from.
pub const TABLEOID_ATTNUM: i16 = -6;

#[derive(Clone, Debug, PartialEq)]
pub struct ScanColumn {
    pub id: ColumnId,
    /// Table attnum (1-based), or CTID_ATTNUM / TABLEOID_ATTNUM.
    pub attnum: i16,
    pub ty: SqlType,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    /// Left rows with at least one match (EXISTS, IN).
    Semi,
    /// Left rows with no match (NOT EXISTS).
    Anti,
    /// NOT IN: left rows whose key matches no right row, with SQL's NULL
    /// rules (a NULL key, or any NULL on the right, rejects unless the right is empty).
    AntiNullAware,
    /// Every left row, plus a boolean column saying whether it matched
    /// (TRUE / FALSE / NULL when only NULL comparisons were seen), for
    /// subqueries under OR or in the select list.
    Mark,
}

impl JoinKind {
    /// Whether the join outputs the right side's columns.
    pub fn outputs_right(self) -> bool {
        matches!(self, JoinKind::Inner | JoinKind::Left | JoinKind::Right | JoinKind::Full)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOpKind {
    Union,
    Intersect,
    Except,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LogicalPlan {
    Scan {
        table: Arc<RelationDesc>,
        /// The name the query refers to it by (alias or table name), for EXPLAIN.
        alias: String,
        columns: Vec<ScanColumn>,
    },
    Values {
        columns: Vec<PlanColumn>,
        rows: Vec<Vec<ScalarExpr>>,
    },
    Filter {
        input: Box<LogicalPlan>,
        predicate: ScalarExpr,
    },
    /// Outputs exactly `items`, computed from the input.
    Project {
        input: Box<LogicalPlan>,
        items: Vec<(PlanColumn, ScalarExpr)>,
    },
    Join {
        kind: JoinKind,
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        condition: ScalarExpr,
        /// For Mark joins: the output column carrying the match flag.
        mark: Option<PlanColumn>,
    },
    /// Outputs the group columns then the aggregate columns.
    Aggregate {
        input: Box<LogicalPlan>,
        group_by: Vec<(PlanColumn, ScalarExpr)>,
        aggs: Vec<(PlanColumn, AggCall)>,
    },
    Sort {
        input: Box<LogicalPlan>,
        keys: Vec<SortKey>,
    },
    /// Window functions sharing one PARTITION BY / ORDER BY / frame, over
    /// input sorted by `spec.sort_keys()`: outputs the input's columns, then
    /// one column per call.
    Window {
        input: Box<LogicalPlan>,
        spec: WindowSpec,
        funcs: Vec<(PlanColumn, WindowCall)>,
    },
    Limit {
        input: Box<LogicalPlan>,
        limit: Option<ScalarExpr>,
        offset: Option<ScalarExpr>,
        /// FETCH … WITH TIES: also return rows equal to the last one on these keys.
        with_ties: Vec<SortKey>,
    },
    /// DISTINCT (on all columns) or DISTINCT ON (the first row of each group
    /// of `on`, in the input's order).
    Distinct {
        input: Box<LogicalPlan>,
        on: Vec<ScalarExpr>,
    },
    SetOp {
        op: SetOpKind,
        all: bool,
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        columns: Vec<PlanColumn>,
    },
    /// WITH RECURSIVE: `base` UNION [ALL] `recursive`, where `recursive`
    /// reads the previous iteration through WorkTable nodes with the same id.
    RecursiveUnion {
        id: u32,
        all: bool,
        base: Box<LogicalPlan>,
        recursive: Box<LogicalPlan>,
        columns: Vec<PlanColumn>,
    },
    WorkTable {
        id: u32,
        columns: Vec<PlanColumn>,
    },
    /// Set-returning functions in FROM (generate_series, unnest, …): one,
    /// or several run side by side (ROWS FROM), the shorter results padded
    /// with NULLs.
    FunctionScan {
        calls: Vec<SrfCall>,
        ordinality: Option<PlanColumn>,
    },
    /// A data-modifying WITH query: `cte` runs once, to completion, and its
    /// rows are kept as CTE `id` for the CteScan nodes that read them. It
    /// runs before `input`, or after it when nothing reads it (`deferred`:
    /// PostgreSQL runs unread WITH queries when the main query is done).
    WithCte {
        id: u32,
        /// The WITH query's name, for EXPLAIN.
        name: String,
        deferred: bool,
        cte: Box<LogicalPlan>,
        input: Box<LogicalPlan>,
    },
    /// The rows CTE `id` produced, by position, under this scan's column ids.
    CteScan {
        id: u32,
        name: String,
        columns: Vec<PlanColumn>,
    },
    Insert {
        table: Arc<RelationDesc>,
        /// Produces one column per table attribute in `target_attnums` order.
        input: Box<LogicalPlan>,
        target_attnums: Vec<i16>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
        on_conflict: Option<Box<OnConflict>>,
    },
    Update {
        table: Arc<RelationDesc>,
        /// Produces the row's ctid and every attribute's new value.
        input: Box<LogicalPlan>,
        ctid: ColumnId,
        /// New value of each table attribute, in attnum order (dropped ones included as NULL).
        values: Vec<ColumnId>,
        /// Attributes the SET list assigned (for constraint checks, FK actions).
        assigned: Vec<i16>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
    },
    Delete {
        table: Arc<RelationDesc>,
        input: Box<LogicalPlan>,
        ctid: ColumnId,
        /// The old row's values, for RETURNING and FK actions.
        old_values: Vec<ColumnId>,
        returning: Vec<(PlanColumn, ScalarExpr)>,
    },
}

impl LogicalPlan {
    /// A plan with no columns and one row: SELECT without FROM.
    pub fn one_row() -> Self {
        LogicalPlan::Values { columns: vec![], rows: vec![vec![]] }
    }

    /// A plan with no columns and no rows.
    pub fn empty() -> Self {
        LogicalPlan::Values { columns: vec![], rows: vec![] }
    }

    /// The node's output columns, in order.
    pub fn output(&self) -> Vec<PlanColumn> {
        match self {
            LogicalPlan::Scan { columns, .. } => columns.iter().map(|c| PlanColumn { id: c.id, ty: c.ty, name: c.name.clone() }).collect(),
            LogicalPlan::Values { columns, .. }
            | LogicalPlan::SetOp { columns, .. }
            | LogicalPlan::RecursiveUnion { columns, .. }
            | LogicalPlan::CteScan { columns, .. }
            | LogicalPlan::WorkTable { columns, .. } => columns.clone(),
            LogicalPlan::WithCte { input, .. } => input.output(),
            LogicalPlan::FunctionScan { calls, ordinality } => SrfCall::scan_columns(calls, ordinality),
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Distinct { input, .. } => input.output(),
            LogicalPlan::Project { items, .. } => items.iter().map(|(c, _)| c.clone()).collect(),
            LogicalPlan::Join { kind, left, right, mark, .. } => {
                let mut v = left.output();
                if kind.outputs_right() {
                    v.extend(right.output());
                }
                v.extend(mark.clone());
                v
            }
            LogicalPlan::Aggregate { group_by, aggs, .. } => {
                group_by.iter().map(|(c, _)| c.clone()).chain(aggs.iter().map(|(c, _)| c.clone())).collect()
            }
            LogicalPlan::Window { input, funcs, .. } => crate::window::output(input.output(), funcs),
            LogicalPlan::Insert { returning, .. } | LogicalPlan::Update { returning, .. } | LogicalPlan::Delete { returning, .. } => {
                returning.iter().map(|(c, _)| c.clone()).collect()
            }
        }
    }

    pub fn output_ids(&self) -> Vec<ColumnId> {
        self.output().into_iter().map(|c| c.id).collect()
    }

    pub fn children(&self) -> Vec<&LogicalPlan> {
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::Values { .. }
            | LogicalPlan::WorkTable { .. }
            | LogicalPlan::CteScan { .. }
            | LogicalPlan::FunctionScan { .. } => vec![],
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Project { input, .. }
            | LogicalPlan::Aggregate { input, .. }
            | LogicalPlan::Window { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Distinct { input, .. }
            | LogicalPlan::Insert { input, .. }
            | LogicalPlan::Update { input, .. }
            | LogicalPlan::Delete { input, .. } => vec![input],
            LogicalPlan::Join { left, right, .. } | LogicalPlan::SetOp { left, right, .. } => vec![left, right],
            LogicalPlan::RecursiveUnion { base, recursive, .. } => vec![base, recursive],
            LogicalPlan::WithCte { cte, input, .. } => vec![cte, input],
        }
    }

    pub fn children_mut(&mut self) -> Vec<&mut LogicalPlan> {
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::Values { .. }
            | LogicalPlan::WorkTable { .. }
            | LogicalPlan::CteScan { .. }
            | LogicalPlan::FunctionScan { .. } => vec![],
            LogicalPlan::Filter { input, .. }
            | LogicalPlan::Project { input, .. }
            | LogicalPlan::Aggregate { input, .. }
            | LogicalPlan::Window { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Distinct { input, .. }
            | LogicalPlan::Insert { input, .. }
            | LogicalPlan::Update { input, .. }
            | LogicalPlan::Delete { input, .. } => vec![input],
            LogicalPlan::Join { left, right, .. } | LogicalPlan::SetOp { left, right, .. } => vec![left, right],
            LogicalPlan::RecursiveUnion { base, recursive, .. } => vec![base, recursive],
            LogicalPlan::WithCte { cte, input, .. } => vec![cte, input],
        }
    }

    /// The scalar expressions held directly by this node.
    pub fn expressions(&self) -> Vec<&ScalarExpr> {
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::WorkTable { .. }
            | LogicalPlan::SetOp { .. }
            | LogicalPlan::RecursiveUnion { .. }
            | LogicalPlan::WithCte { .. }
            | LogicalPlan::CteScan { .. } => vec![],
            LogicalPlan::Values { rows, .. } => rows.iter().flatten().collect(),
            LogicalPlan::Filter { predicate, .. } => vec![predicate],
            LogicalPlan::Project { items, .. } => items.iter().map(|(_, e)| e).collect(),
            LogicalPlan::Join { condition, .. } => vec![condition],
            LogicalPlan::Aggregate { group_by, aggs, .. } => {
                let mut v: Vec<&ScalarExpr> = group_by.iter().map(|(_, e)| e).collect();
                for (_, a) in aggs {
                    v.extend(a.args.iter());
                    v.extend(a.filter.iter());
                    v.extend(a.order_by.iter().map(|k| &k.expr));
                }
                v
            }
            LogicalPlan::Sort { keys, .. } => keys.iter().map(|k| &k.expr).collect(),
            LogicalPlan::Window { spec, funcs, .. } => crate::window::expressions(spec, funcs),
            LogicalPlan::Limit { limit, offset, with_ties, .. } => {
                let mut v: Vec<&ScalarExpr> = limit.iter().chain(offset.iter()).collect();
                v.extend(with_ties.iter().map(|k| &k.expr));
                v
            }
            LogicalPlan::Distinct { on, .. } => on.iter().collect(),
            LogicalPlan::FunctionScan { calls, .. } => calls.iter().flat_map(|c| c.args.iter()).collect(),
            LogicalPlan::Insert { returning, .. } | LogicalPlan::Update { returning, .. } | LogicalPlan::Delete { returning, .. } => {
                returning.iter().map(|(_, e)| e).collect()
            }
        }
    }

    pub fn expressions_mut(&mut self) -> Vec<&mut ScalarExpr> {
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::WorkTable { .. }
            | LogicalPlan::SetOp { .. }
            | LogicalPlan::RecursiveUnion { .. }
            | LogicalPlan::WithCte { .. }
            | LogicalPlan::CteScan { .. } => vec![],
            LogicalPlan::Values { rows, .. } => rows.iter_mut().flatten().collect(),
            LogicalPlan::Filter { predicate, .. } => vec![predicate],
            LogicalPlan::Project { items, .. } => items.iter_mut().map(|(_, e)| e).collect(),
            LogicalPlan::Join { condition, .. } => vec![condition],
            LogicalPlan::Aggregate { group_by, aggs, .. } => {
                let mut v: Vec<&mut ScalarExpr> = group_by.iter_mut().map(|(_, e)| e).collect();
                for (_, a) in aggs {
                    v.extend(a.args.iter_mut());
                    v.extend(a.filter.iter_mut());
                    v.extend(a.order_by.iter_mut().map(|k| &mut k.expr));
                }
                v
            }
            LogicalPlan::Sort { keys, .. } => keys.iter_mut().map(|k| &mut k.expr).collect(),
            LogicalPlan::Window { spec, funcs, .. } => crate::window::expressions_mut(spec, funcs),
            LogicalPlan::Limit { limit, offset, with_ties, .. } => {
                let mut v: Vec<&mut ScalarExpr> = limit.iter_mut().chain(offset.iter_mut()).collect();
                v.extend(with_ties.iter_mut().map(|k| &mut k.expr));
                v
            }
            LogicalPlan::Distinct { on, .. } => on.iter_mut().collect(),
            LogicalPlan::FunctionScan { calls, .. } => calls.iter_mut().flat_map(|c| c.args.iter_mut()).collect(),
            LogicalPlan::Insert { returning, .. } | LogicalPlan::Update { returning, .. } | LogicalPlan::Delete { returning, .. } => {
                returning.iter_mut().map(|(_, e)| e).collect()
            }
        }
    }

    /// Columns produced anywhere inside this plan.
    pub fn defined_columns_into(&self, out: &mut Vec<ColumnId>) {
        out.extend(self.output_ids());
        match self {
            LogicalPlan::Project { items, .. } => out.extend(items.iter().map(|(c, _)| c.id)),
            LogicalPlan::Aggregate { group_by, aggs, .. } => {
                out.extend(group_by.iter().map(|(c, _)| c.id));
                out.extend(aggs.iter().map(|(c, _)| c.id));
            }
            _ => {}
        }
        for c in self.children() {
            c.defined_columns_into(out);
        }
        for e in self.expressions() {
            e.walk(&mut |x| {
                if let ScalarExpr::Subquery(s) = x {
                    s.plan.defined_columns_into(out);
                }
            });
        }
    }

    /// Columns referenced inside this plan but defined outside it: the
    /// correlation of a subquery.
    pub fn free_columns_into(&self, out: &mut Vec<ColumnId>) {
        let mut defined = Vec::new();
        self.defined_columns_into(&mut defined);
        defined.sort();
        defined.dedup();
        let mut used = Vec::new();
        self.used_columns_into(&mut used);
        out.extend(used.into_iter().filter(|c| defined.binary_search(c).is_err()));
    }

    pub fn free_columns(&self) -> Vec<ColumnId> {
        let mut v = Vec::new();
        self.free_columns_into(&mut v);
        v.sort();
        v.dedup();
        v
    }

    fn used_columns_into(&self, out: &mut Vec<ColumnId>) {
        for e in self.expressions() {
            e.walk(&mut |x| match x {
                ScalarExpr::Column { id, .. } => out.push(*id),
                ScalarExpr::Subquery(s) => s.plan.used_columns_into(out),
                _ => {}
            });
        }
        match self {
            LogicalPlan::Update { ctid, values, .. } => {
                out.push(*ctid);
                out.extend(values.iter().copied());
            }
            LogicalPlan::Delete { ctid, old_values, .. } => {
                out.push(*ctid);
                out.extend(old_values.iter().copied());
            }
            _ => {}
        }
        for c in self.children() {
            c.used_columns_into(out);
        }
    }

    pub fn is_correlated(&self) -> bool {
        !self.free_columns().is_empty()
    }

    /// Renames every column id through `map` (ids it returns None for stay).
    pub fn remap_columns(self, map: &dyn Fn(ColumnId) -> Option<ColumnId>) -> LogicalPlan {
        let m = |id: ColumnId| map(id).unwrap_or(id);
        let col = |c: PlanColumn| PlanColumn { id: m(c.id), ..c };
        let mut plan = match self {
            LogicalPlan::Scan { table, alias, columns } => {
                LogicalPlan::Scan { table, alias, columns: columns.into_iter().map(|c| ScanColumn { id: m(c.id), ..c }).collect() }
            }
            LogicalPlan::Values { columns, rows } => LogicalPlan::Values { columns: columns.into_iter().map(col).collect(), rows },
            LogicalPlan::Project { input, items } => LogicalPlan::Project { input, items: items.into_iter().map(|(c, e)| (col(c), e)).collect() },
            LogicalPlan::Join { kind, left, right, condition, mark } => LogicalPlan::Join { kind, left, right, condition, mark: mark.map(col) },
            LogicalPlan::Aggregate { input, group_by, aggs } => LogicalPlan::Aggregate {
                input,
                group_by: group_by.into_iter().map(|(c, e)| (col(c), e)).collect(),
                aggs: aggs.into_iter().map(|(c, a)| (col(c), a)).collect(),
            },
            LogicalPlan::Window { input, spec, funcs } => {
                LogicalPlan::Window { input, spec, funcs: funcs.into_iter().map(|(c, f)| (col(c), f)).collect() }
            }
            LogicalPlan::SetOp { op, all, left, right, columns } => {
                LogicalPlan::SetOp { op, all, left, right, columns: columns.into_iter().map(col).collect() }
            }
            LogicalPlan::RecursiveUnion { id, all, base, recursive, columns } => {
                LogicalPlan::RecursiveUnion { id, all, base, recursive, columns: columns.into_iter().map(col).collect() }
            }
            LogicalPlan::WorkTable { id, columns } => LogicalPlan::WorkTable { id, columns: columns.into_iter().map(col).collect() },
            LogicalPlan::CteScan { id, name, columns } => LogicalPlan::CteScan { id, name, columns: columns.into_iter().map(col).collect() },
            LogicalPlan::FunctionScan { calls, ordinality } => LogicalPlan::FunctionScan {
                calls: calls.into_iter().map(|c| SrfCall { columns: c.columns.into_iter().map(col).collect(), ..c }).collect(),
                ordinality: ordinality.map(col),
            },
            LogicalPlan::Insert { table, input, target_attnums, returning, on_conflict } => LogicalPlan::Insert {
                table,
                input,
                target_attnums,
                returning: returning.into_iter().map(|(c, e)| (col(c), e)).collect(),
                on_conflict,
            },
            LogicalPlan::Update { table, input, ctid, values, assigned, returning } => LogicalPlan::Update {
                table,
                input,
                ctid: m(ctid),
                values: values.into_iter().map(m).collect(),
                assigned,
                returning: returning.into_iter().map(|(c, e)| (col(c), e)).collect(),
            },
            LogicalPlan::Delete { table, input, ctid, old_values, returning } => LogicalPlan::Delete {
                table,
                input,
                ctid: m(ctid),
                old_values: old_values.into_iter().map(m).collect(),
                returning: returning.into_iter().map(|(c, e)| (col(c), e)).collect(),
            },
            other => other,
        };
        for child in plan.children_mut() {
            let taken = std::mem::replace(child, LogicalPlan::empty());
            *child = taken.remap_columns(map);
        }
        for e in plan.expressions_mut() {
            let taken = std::mem::replace(e, ScalarExpr::null(SqlType::UNKNOWN));
            *e = taken.remap_columns(map);
        }
        plan
    }
}
