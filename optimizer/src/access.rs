//! Access paths for a filtered table: a sequential scan, or an index scan
//! when a B-tree index bounds the rows the filter keeps and is cheaper under
//! PostgreSQL's cost constants (costsize.c, simplified: no correlation or
//! histogram statistics, so an index fetch is charged as a random page).

use oa_ir::catalog::{IndexDesc, RelationDesc};
use oa_ir::expr::{ColumnId, ScalarExpr};
use oa_ir::physical::{IndexAccess, IndexOp, IndexQual, PhysicalPlan, unique_lookup};
use oa_ir::plan::ScanColumn;
use std::sync::Arc;

use crate::physical::Planner;

const SEQ_PAGE_COST: f64 = 1.0;
const RANDOM_PAGE_COST: f64 = 4.0;
const CPU_TUPLE_COST: f64 = 0.01;
const CPU_INDEX_TUPLE_COST: f64 = 0.005;
const CPU_OPERATOR_COST: f64 = 0.0025;
/// What PostgreSQL adds to a path the enable_* settings switch off.
const DISABLE_COST: f64 = 1.0e10;
/// Selectivities without statistics (selfuncs.h).
const DEFAULT_EQ_SEL: f64 = 0.005;
const DEFAULT_INEQ_SEL: f64 = 1.0 / 3.0;
const DEFAULT_RANGE_INEQ_SEL: f64 = 0.005;

/// The cheapest scan of `table` with `filter` applied.
pub fn scan(table: Arc<RelationDesc>, alias: String, columns: Vec<ScanColumn>, filter: Option<ScalarExpr>, cx: &Planner<'_>) -> PhysicalPlan {
    let best = filter.as_ref().and_then(|f| best_index(&table, &columns, f, cx));
    match best {
        Some((access, rest)) => PhysicalPlan::IndexScan { table, alias, columns, access, filter: rest },
        None => PhysicalPlan::SeqScan { table, alias, columns, filter },
    }
}

/// The cheapest index path, with the conjuncts left for its filter, if one
/// beats the sequential scan.
fn best_index(table: &RelationDesc, columns: &[ScanColumn], filter: &ScalarExpr, cx: &Planner<'_>) -> Option<(IndexAccess, Option<ScalarExpr>)> {
    if !cx.enable_indexscan && cx.enable_seqscan {
        return None;
    }
    let conjuncts = filter.clone().into_conjuncts();
    let rows = crate::join_order::table_rows(table.oid, table.reltuples, cx.stats);
    let width: f64 = 24.0 + 8.0 * table.live_columns().count() as f64;
    let pages = (rows * width / 8192.0).ceil().max(1.0);
    let nquals = conjuncts.len() as f64;
    let mut best_cost = pages * SEQ_PAGE_COST + rows * (CPU_TUPLE_COST + CPU_OPERATOR_COST * nquals);
    if !cx.enable_seqscan {
        best_cost += DISABLE_COST;
    }
    let mut best = None;
    for (i, index) in table.indexes.iter().enumerate() {
        if !index.is_simple() {
            continue;
        }
        let quals = index_quals(index, columns, &conjuncts);
        if quals.is_empty() {
            continue;
        }
        let fetched = (rows * selectivity(table, index, &quals, rows, cx)).max(1.0);
        let height = (rows.ln() / 256f64.ln()).ceil().max(1.0);
        let heap_pages = fetched.min(pages);
        let mut cost = RANDOM_PAGE_COST * (height + heap_pages)
            + fetched * (CPU_INDEX_TUPLE_COST + CPU_OPERATOR_COST * quals.len() as f64)
            + fetched * (CPU_TUPLE_COST + CPU_OPERATOR_COST * nquals);
        if !cx.enable_indexscan {
            cost += DISABLE_COST;
        }
        if cost < best_cost {
            best_cost = cost;
            best = Some((i, quals));
        }
    }
    let (index, quals) = best?;
    // Every conjunct stays in the filter but the ones the index applies exactly.
    let rest: Vec<ScalarExpr> = conjuncts.iter().filter(|c| !quals.iter().any(|q| applies(q, c))).cloned().collect();
    Some((IndexAccess { index, quals }, (!rest.is_empty()).then(|| ScalarExpr::conjunction(rest))))
}

/// The conjuncts an index can apply (btree's _bt_preprocess_keys, simply):
/// equalities on a prefix of its keys, then one lower and one upper bound
/// on the next key.
fn index_quals(index: &IndexDesc, columns: &[ScanColumn], conjuncts: &[ScalarExpr]) -> Vec<IndexQual> {
    let own: Vec<ColumnId> = columns.iter().map(|c| c.id).collect();
    let candidates: Vec<(usize, IndexQual)> = conjuncts.iter().filter_map(|c| index_qual(index, columns, &own, c)).collect();
    let mut quals = Vec::new();
    for key in 0..index.columns.len() {
        let on_key = || candidates.iter().filter(move |(k, _)| *k == key).map(|(_, q)| q);
        if let Some(eq) = on_key().find(|q| q.op == IndexOp::Eq) {
            quals.push(eq.clone());
            continue;
        }
        quals.extend(on_key().find(|q| matches!(q.op, IndexOp::Gt | IndexOp::Ge)).cloned());
        quals.extend(on_key().find(|q| matches!(q.op, IndexOp::Lt | IndexOp::Le)).cloned());
        break;
    }
    quals
}

/// `key op value` or `value op key` with a B-tree operator of the key's
/// own type, `value` free of the scanned table's columns.
fn index_qual(index: &IndexDesc, columns: &[ScanColumn], own: &[ColumnId], c: &ScalarExpr) -> Option<(usize, IndexQual)> {
    let ScalarExpr::Func { func, args } = c else { return None };
    let [l, r] = args.as_slice() else { return None };
    let op = func.operator.as_deref()?;
    if c.is_volatile() || c.contains_subquery() || l.ty().oid != r.ty().oid {
        return None;
    }
    let key_of = |e: &ScalarExpr| -> Option<usize> {
        let ScalarExpr::Column { id, .. } = e else { return None };
        let attnum = columns.iter().find(|sc| sc.id == *id)?.attnum;
        index.columns.iter().position(|&k| k == attnum && k > 0)
    };
    let free = |e: &ScalarExpr| e.columns().iter().all(|c| !own.contains(c));
    let (key, value, commuted) = match (key_of(l), key_of(r)) {
        (Some(k), _) if free(r) => (k, r, false),
        (_, Some(k)) if free(l) => (k, l, true),
        _ => return None,
    };
    let op = IndexOp::from_operator(op, commuted)?;
    // PostgreSQL shows an index condition key first; equality is symmetric,
    // so `value = key` is turned round (other operators would need their
    // commutator's function).
    let cond = match (op, commuted) {
        (IndexOp::Eq, true) => ScalarExpr::Func { func: func.clone(), args: vec![r.clone(), l.clone()] },
        _ => c.clone(),
    };
    Some((key, IndexQual { key, op, value: value.clone(), cond }))
}

/// Whether index condition `q` came from conjunct `c` (as written, or turned round).
fn applies(q: &IndexQual, c: &ScalarExpr) -> bool {
    match (&q.cond, c) {
        (ScalarExpr::Func { func: f, args: a }, ScalarExpr::Func { func: g, args: b }) if f == g && a.len() == 2 && b.len() == 2 => {
            a == b || (a[0] == b[1] && a[1] == b[0])
        }
        _ => q.cond == *c,
    }
}

/// The fraction of the table the index conditions select.
fn selectivity(table: &RelationDesc, index: &IndexDesc, quals: &[IndexQual], rows: f64, cx: &Planner<'_>) -> f64 {
    if unique_lookup(index, quals) {
        return 1.0 / rows;
    }
    let mut sel = 1.0;
    let mut ranges = 0;
    for q in quals {
        if q.op == IndexOp::Eq {
            let distinct =
                cx.stats.column(table.oid, index.columns[q.key]).map(|s| if s.n_distinct < 0.0 { -s.n_distinct * rows } else { s.n_distinct });
            sel *= distinct.filter(|d| *d >= 1.0).map_or(DEFAULT_EQ_SEL, |d| 1.0 / d);
        } else {
            ranges += 1;
        }
    }
    sel * match ranges {
        0 => 1.0,
        1 => DEFAULT_INEQ_SEL,
        _ => DEFAULT_RANGE_INEQ_SEL,
    }
}
