//! Physical planning: operator choices for each logical node.

use oa_ir::datum::Datum;
use oa_ir::expr::ScalarExpr;
use oa_ir::physical::PhysicalPlan;
use oa_ir::plan::{JoinKind, LogicalPlan, SetOpKind};
use oa_ir::types::builtin_physical;
use oa_ir::{Error, Result};

use crate::access;
use crate::stats::Statistics;

/// What physical planning reads: statistics and the enable_* settings.
pub struct Planner<'a> {
    pub stats: &'a dyn Statistics,
    pub enable_seqscan: bool,
    pub enable_indexscan: bool,
}

pub fn plan(plan: LogicalPlan, cx: &Planner<'_>) -> Result<PhysicalPlan> {
    Ok(match plan {
        LogicalPlan::Scan { table, alias, columns } => access::scan(table, alias, columns, None, cx),
        LogicalPlan::Values { columns, rows } => PhysicalPlan::Values { columns, rows },
        LogicalPlan::Filter { input, predicate } => match *input {
            // A filter right over a scan is applied while scanning.
            LogicalPlan::Scan { table, alias, columns } if !predicate.contains_subquery() => access::scan(table, alias, columns, Some(predicate), cx),
            other => PhysicalPlan::Filter { input: Box::new(plan_child(other, cx)?), predicate },
        },
        LogicalPlan::Project { input, items } => PhysicalPlan::Project { input: Box::new(plan_child(*input, cx)?), items },
        LogicalPlan::Join { kind, left, right, condition, mark } => join(kind, *left, *right, condition, mark, cx)?,
        LogicalPlan::Aggregate { input, group_by, aggs } => PhysicalPlan::HashAggregate { input: Box::new(plan_child(*input, cx)?), group_by, aggs },
        LogicalPlan::Sort { input, keys } => PhysicalPlan::Sort { input: Box::new(plan_child(*input, cx)?), keys },
        LogicalPlan::Window { input, spec, funcs } => PhysicalPlan::WindowAgg { input: Box::new(plan_child(*input, cx)?), spec, funcs },
        LogicalPlan::Limit { input, limit, offset, with_ties } => match (*input, limit) {
            // ORDER BY … LIMIT n: a bounded sort.
            (LogicalPlan::Sort { input, keys }, Some(limit)) if with_ties.is_empty() && is_const(&limit) => {
                PhysicalPlan::TopN { input: Box::new(plan_child(*input, cx)?), keys, limit, offset }
            }
            (input, limit) => PhysicalPlan::Limit { input: Box::new(plan_child(input, cx)?), limit, offset, with_ties },
        },
        LogicalPlan::Distinct { input, on } => PhysicalPlan::Distinct { input: Box::new(plan_child(*input, cx)?), on },
        LogicalPlan::SetOp { op: SetOpKind::Union, all: true, left, right, columns } => {
            let mut inputs = Vec::new();
            flatten_union_all(*left, cx, &mut inputs)?;
            flatten_union_all(*right, cx, &mut inputs)?;
            PhysicalPlan::Append { inputs, columns }
        }
        LogicalPlan::SetOp { op, all, left, right, columns } => {
            PhysicalPlan::HashSetOp { op, all, left: Box::new(plan_child(*left, cx)?), right: Box::new(plan_child(*right, cx)?), columns }
        }
        LogicalPlan::RecursiveUnion { id, all, base, recursive, columns } => PhysicalPlan::RecursiveUnion {
            id,
            all,
            base: Box::new(plan_child(*base, cx)?),
            recursive: Box::new(plan_child(*recursive, cx)?),
            columns,
        },
        LogicalPlan::WorkTable { id, columns } => PhysicalPlan::WorkTableScan { id, columns },
        LogicalPlan::CteScan { id, name, columns } => PhysicalPlan::CteScan { id, name, columns },
        LogicalPlan::WithCte { id, name, deferred, cte, input } => {
            PhysicalPlan::WithCte { id, name, deferred, cte: Box::new(plan_child(*cte, cx)?), input: Box::new(plan_child(*input, cx)?) }
        }
        LogicalPlan::FunctionScan { calls, ordinality } => PhysicalPlan::FunctionScan { calls, ordinality },
        LogicalPlan::Insert { table, input, target_attnums, returning, on_conflict } => {
            PhysicalPlan::Insert { table, input: Box::new(plan_child(*input, cx)?), target_attnums, returning, on_conflict }
        }
        LogicalPlan::Update { table, input, ctid, values, assigned, returning } => {
            PhysicalPlan::Update { table, input: Box::new(plan_child(*input, cx)?), ctid, values, assigned, returning }
        }
        LogicalPlan::Delete { table, input, ctid, old_values, returning } => {
            PhysicalPlan::Delete { table, input: Box::new(plan_child(*input, cx)?), ctid, old_values, returning }
        }
    })
}

fn plan_child(p: LogicalPlan, cx: &Planner<'_>) -> Result<PhysicalPlan> {
    plan(p, cx)
}

fn is_const(e: &ScalarExpr) -> bool {
    matches!(e, ScalarExpr::Const { value, .. } if !matches!(value, Datum::Null))
}

fn flatten_union_all(p: LogicalPlan, cx: &Planner<'_>, out: &mut Vec<PhysicalPlan>) -> Result<()> {
    match p {
        LogicalPlan::SetOp { op: SetOpKind::Union, all: true, left, right, columns } => {
            // Nested UNION ALL branches keep their own layout; map them onto the parent's by position.
            let mut inner = Vec::new();
            flatten_union_all(*left, cx, &mut inner)?;
            flatten_union_all(*right, cx, &mut inner)?;
            out.push(PhysicalPlan::Append { inputs: inner, columns });
        }
        other => out.push(plan(other, cx)?),
    }
    Ok(())
}

/// Hash join when the condition has equality conjuncts between the two sides
/// on one representation; nested loop otherwise.
fn join(
    kind: JoinKind,
    left: LogicalPlan,
    right: LogicalPlan,
    condition: ScalarExpr,
    mark: Option<oa_ir::plan::PlanColumn>,
    cx: &Planner<'_>,
) -> Result<PhysicalPlan> {
    if kind == JoinKind::AntiNullAware && !hashable_single_key(&condition, &left, &right) {
        let cond = ScalarExpr::BoolTest { arg: Box::new(condition), kind: oa_ir::expr::BoolTestKind::IsNotFalse };
        return join(JoinKind::Anti, left, right, cond, mark, cx);
    }
    let lcols = left.output_ids();
    let rcols = right.output_ids();
    // A LATERAL right side reads the left row: it runs per left row (the
    // runtime's Apply), so the whole condition is tested on each pair.
    if right.free_columns().iter().any(|c| lcols.contains(c)) {
        let left = plan(left, cx)?;
        let right = plan(right, cx)?;
        return Ok(PhysicalPlan::NestedLoopJoin { kind, left: Box::new(left), right: Box::new(right), condition, mark });
    }
    let side = |e: &ScalarExpr| -> Option<bool> {
        let cols = e.columns();
        if cols.is_empty() || e.contains_subquery() || e.is_volatile() {
            return None;
        }
        if cols.iter().all(|c| lcols.contains(c)) {
            Some(true)
        } else if cols.iter().all(|c| rcols.contains(c)) {
            Some(false)
        } else {
            None
        }
    };
    let mut left_keys = Vec::new();
    let mut right_keys = Vec::new();
    // The equality conjuncts the keys came from.
    let mut key_conds = Vec::new();
    let mut residual = Vec::new();
    for c in condition.into_conjuncts() {
        let pair = match &c {
            ScalarExpr::Func { func, args }
                if func.operator.as_deref() == Some("=") && args.len() == 2 && same_representation(&args[0], &args[1]) =>
            {
                match (side(&args[0]), side(&args[1])) {
                    (Some(true), Some(false)) => Some((args[0].clone(), args[1].clone())),
                    (Some(false), Some(true)) => Some((args[1].clone(), args[0].clone())),
                    _ => None,
                }
            }
            _ => None,
        };
        match pair {
            Some((l, r)) => {
                left_keys.push(l);
                right_keys.push(r);
                key_conds.push(c);
            }
            None => residual.push(c),
        }
    }
    // A null-aware anti join hashes on its one key; otherwise NOT IN's rule is
    // spelled out as an anti join on `(condition) IS NOT FALSE`.
    if kind == JoinKind::AntiNullAware && (left_keys.len() != 1 || !residual.is_empty()) {
        return Err(Error::internal("null-aware anti join needs exactly one hashable key"));
    }
    if let Some(nl) = index_nested_loop(kind, &left, &right, &key_conds, &residual, &mark, cx)? {
        return Ok(nl);
    }
    // An inner join may look up from its right side into its left.
    if kind == JoinKind::Inner
        && let Some(nl) = index_nested_loop(kind, &right, &left, &key_conds, &residual, &mark, cx)?
    {
        let items = left.output().into_iter().chain(right.output()).map(|c| (c.clone(), ScalarExpr::column(c.id, c.ty))).collect();
        return Ok(PhysicalPlan::Project { input: Box::new(nl), items });
    }
    let left = plan(left, cx)?;
    let right = plan(right, cx)?;
    if left_keys.is_empty() {
        return Ok(PhysicalPlan::NestedLoopJoin {
            kind,
            left: Box::new(left),
            right: Box::new(right),
            condition: ScalarExpr::conjunction(residual),
            mark,
        });
    }
    Ok(PhysicalPlan::HashJoin {
        kind,
        left: Box::new(left),
        right: Box::new(right),
        left_keys,
        right_keys,
        residual: if residual.is_empty() { None } else { Some(ScalarExpr::conjunction(residual)) },
        mark,
    })
}

/// PostgreSQL's nested loop with a parameterized inner index scan: when few
/// outer rows are expected and the inner side is a table with an index on
/// its join keys, each outer row looks its matches up instead of the whole
/// table being hashed. The join keys become index conditions on the outer
/// row's values (the runtime's Apply binds them per row).
fn index_nested_loop(
    kind: JoinKind,
    left: &LogicalPlan,
    right: &LogicalPlan,
    key_conds: &[ScalarExpr],
    residual: &[ScalarExpr],
    mark: &Option<oa_ir::plan::PlanColumn>,
    cx: &Planner<'_>,
) -> Result<Option<PhysicalPlan>> {
    /// Rows of the inner table one outer row's lookup is worth (a nested
    /// executor per outer row is far dearer than a scanned row).
    const LOOKUP_ROWS: f64 = 200.0;
    if key_conds.is_empty() || mark.is_some() || !matches!(kind, JoinKind::Inner | JoinKind::Left | JoinKind::Semi | JoinKind::Anti) {
        return Ok(None);
    }
    let (table, alias, columns, filter) = match right {
        LogicalPlan::Scan { table, alias, columns } => (table, alias, columns, None),
        LogicalPlan::Filter { input, predicate } if !predicate.contains_subquery() => match &**input {
            LogicalPlan::Scan { table, alias, columns } => (table, alias, columns, Some(predicate)),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    // Only a table's own estimate is trusted this far: a join's can be off
    // by orders of magnitude (keys of several columns are taken as
    // independent), and too many lookups cost far more than one hash table.
    let base = |p: &LogicalPlan| matches!(p, LogicalPlan::Scan { .. });
    if !(base(left) || matches!(left, LogicalPlan::Filter { input, .. } if base(input))) {
        return Ok(None);
    }
    let outer_rows = crate::join_order::estimate(left, cx.stats);
    let inner_rows = crate::join_order::table_rows(table.oid, table.reltuples, cx.stats);
    if outer_rows * LOOKUP_ROWS >= inner_rows {
        return Ok(None);
    }
    // The inner scan filtered on `right key = left key` for every key pair.
    let mut conds: Vec<ScalarExpr> = filter.map(|f| f.clone().into_conjuncts()).unwrap_or_default();
    conds.extend(key_conds.iter().cloned());
    let inner = access::scan(table.clone(), alias.clone(), columns.clone(), Some(ScalarExpr::conjunction(conds)), cx);
    if !matches!(&inner, PhysicalPlan::IndexScan { access, .. } if access.quals.iter().any(|q| !q.value.columns().is_empty())) {
        return Ok(None);
    }
    let condition = if residual.is_empty() { ScalarExpr::bool(true) } else { ScalarExpr::conjunction(residual.to_vec()) };
    Ok(Some(PhysicalPlan::NestedLoopJoin { kind, left: Box::new(plan(left.clone(), cx)?), right: Box::new(inner), condition, mark: None }))
}

/// Hash keys must hash alike when equal: both sides in the same representation.
fn same_representation(a: &ScalarExpr, b: &ScalarExpr) -> bool {
    let (ta, tb) = (a.ty().oid, b.ty().oid);
    ta == tb
        || matches!((builtin_physical(ta), builtin_physical(tb)), (Some(x), Some(y)) if x == y && x != oa_ir::types::PhysicalType::Text)
        || matches!((builtin_physical(ta), builtin_physical(tb)), (Some(oa_ir::types::PhysicalType::Text), Some(oa_ir::types::PhysicalType::Text)) if is_plain_text(ta) && is_plain_text(tb))
}

/// text, varchar and name compare bytewise; bpchar ignores trailing spaces and is kept apart.
fn is_plain_text(t: u32) -> bool {
    matches!(t, oa_ir::types::oid::TEXT | oa_ir::types::oid::VARCHAR | oa_ir::types::oid::NAME)
}

fn hashable_single_key(condition: &ScalarExpr, left: &LogicalPlan, right: &LogicalPlan) -> bool {
    let (l, r) = (left.output_ids(), right.output_ids());
    match condition {
        ScalarExpr::Func { func, args } if func.operator.as_deref() == Some("=") && args.len() == 2 && same_representation(&args[0], &args[1]) => {
            let within = |e: &ScalarExpr, cols: &[oa_ir::expr::ColumnId]| {
                let c = e.columns();
                !c.is_empty() && c.iter().all(|x| cols.contains(x))
            };
            (within(&args[0], &l) && within(&args[1], &r)) || (within(&args[0], &r) && within(&args[1], &l))
        }
        _ => false,
    }
}
