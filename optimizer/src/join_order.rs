//! Stage `join_order`: reorders clusters of inner joins with dynamic
//! programming over connected subsets (DPsize restricted to connected splits,
//! falling back to cross products only when the graph is disconnected), and
//! greedily above 12 relations. Cardinalities come from ANALYZE statistics.

use std::collections::HashMap;

use oa_ir::Result;
use oa_ir::datum::Datum;
use oa_ir::expr::{ColumnId, ScalarExpr};
use oa_ir::plan::{JoinKind, LogicalPlan, PlanColumn};
use oa_ir::types::Oid;

use crate::stats::Statistics;

const DP_LIMIT: usize = 12;

pub fn reorder(plan: LogicalPlan, stats: &dyn Statistics) -> Result<LogicalPlan> {
    if !is_inner_join(&plan) && !is_filtered_inner_join(&plan) {
        let mut plan = plan;
        for child in plan.children_mut() {
            let c = std::mem::replace(child, LogicalPlan::empty());
            *child = reorder(c, stats)?;
        }
        return Ok(plan);
    }
    let output = plan.output();
    let mut leaves = Vec::new();
    let mut preds = Vec::new();
    collect(plan, &mut leaves, &mut preds);
    // The cluster is reordered as a whole; its leaves on their own.
    let leaves = leaves.into_iter().map(|l| reorder(l, stats)).collect::<Result<Vec<_>>>()?;
    if has_lateral(&leaves) {
        // A LATERAL item must stay right of the items it reads: keep the
        // written order, left-deep, with each predicate at its lowest join.
        let est = Estimator::new(&leaves, stats);
        let tree = (1..leaves.len()).fold(Tree::Leaf(0), |t, i| Tree::Join(Box::new(t), Box::new(Tree::Leaf(i))));
        let mut leaves: Vec<Option<LogicalPlan>> = leaves.into_iter().map(Some).collect();
        let mut remaining: Vec<Option<ScalarExpr>> = preds.into_iter().map(Some).collect();
        let built = build(&tree, &mut leaves, &mut remaining, &est);
        let leftover: Vec<ScalarExpr> = remaining.into_iter().flatten().collect();
        let built =
            if leftover.is_empty() { built } else { LogicalPlan::Filter { input: Box::new(built), predicate: ScalarExpr::conjunction(leftover) } };
        return Ok(restore_order(built, &output));
    }
    if leaves.len() <= 2 {
        return Ok(rebuild_simple(leaves, preds, &output, stats));
    }
    let est = Estimator::new(&leaves, stats);
    let tree = if leaves.len() <= DP_LIMIT { est.dp(&preds) } else { est.greedy(&preds) };

    let mut leaves: Vec<Option<LogicalPlan>> = leaves.into_iter().map(Some).collect();
    let mut remaining: Vec<Option<ScalarExpr>> = preds.into_iter().map(Some).collect();
    let built = build(&tree, &mut leaves, &mut remaining, &est);
    // Predicates touching no relation (constants) stay on top.
    let leftover: Vec<ScalarExpr> = remaining.into_iter().flatten().collect();
    let built =
        if leftover.is_empty() { built } else { LogicalPlan::Filter { input: Box::new(built), predicate: ScalarExpr::conjunction(leftover) } };
    Ok(restore_order(built, &output))
}

fn collect(plan: LogicalPlan, leaves: &mut Vec<LogicalPlan>, preds: &mut Vec<ScalarExpr>) {
    match plan {
        LogicalPlan::Join { kind: JoinKind::Inner, left, right, condition, mark: None } => {
            collect(*left, leaves, preds);
            collect(*right, leaves, preds);
            preds.extend(condition.into_conjuncts());
        }
        // A filter between inner joins (one pushdown could not place lower,
        // such as an OR over two relations) is one more join predicate: the
        // cluster is reordered as a whole (TPC-H Q7).
        LogicalPlan::Filter { input, predicate } if is_inner_join(&input) && !predicate.contains_subquery() && !predicate.is_volatile() => {
            collect(*input, leaves, preds);
            preds.extend(predicate.into_conjuncts());
        }
        other => leaves.push(other),
    }
}

fn is_equality(p: &ScalarExpr) -> bool {
    matches!(p, ScalarExpr::Func { func, args } if func.operator.as_deref() == Some("=") && args.len() == 2)
}

fn is_inner_join(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Join { kind: JoinKind::Inner, mark: None, .. })
}

fn is_filtered_inner_join(plan: &LogicalPlan) -> bool {
    matches!(plan, LogicalPlan::Filter { input, predicate } if is_inner_join(input) && !predicate.contains_subquery() && !predicate.is_volatile())
}

/// Whether some leaf reads another leaf's columns (LATERAL, functions in FROM).
fn has_lateral(leaves: &[LogicalPlan]) -> bool {
    let outputs: Vec<Vec<ColumnId>> = leaves.iter().map(|l| l.output_ids()).collect();
    leaves.iter().enumerate().any(|(i, l)| {
        let free = l.free_columns();
        outputs.iter().enumerate().any(|(j, out)| i != j && free.iter().any(|c| out.contains(c)))
    })
}

fn rebuild_simple(mut leaves: Vec<LogicalPlan>, preds: Vec<ScalarExpr>, output: &[PlanColumn], stats: &dyn Statistics) -> LogicalPlan {
    let right = leaves.pop().unwrap_or_else(LogicalPlan::one_row);
    let left = leaves.pop().unwrap_or_else(LogicalPlan::one_row);
    // Build (right) side should be the smaller one.
    let (l, r) = if estimate(&right, stats) > estimate(&left, stats) * 1.5 { (right, left) } else { (left, right) };
    let j = LogicalPlan::Join { kind: JoinKind::Inner, left: Box::new(l), right: Box::new(r), condition: ScalarExpr::conjunction(preds), mark: None };
    restore_order(j, output)
}

fn restore_order(plan: LogicalPlan, output: &[PlanColumn]) -> LogicalPlan {
    if plan.output_ids() == output.iter().map(|c| c.id).collect::<Vec<_>>() {
        return plan;
    }
    LogicalPlan::Project { input: Box::new(plan), items: output.iter().map(|c| (c.clone(), ScalarExpr::Column { id: c.id, ty: c.ty })).collect() }
}

#[derive(Clone, Debug)]
enum Tree {
    Leaf(usize),
    Join(Box<Tree>, Box<Tree>),
}

struct Estimator<'a> {
    /// Output columns of each leaf.
    cols: Vec<Vec<ColumnId>>,
    rows: Vec<f64>,
    /// Distinct values per column where a scan tells us.
    ndv: HashMap<ColumnId, f64>,
    stats: &'a dyn Statistics,
}

impl<'a> Estimator<'a> {
    fn new(leaves: &[LogicalPlan], stats: &'a dyn Statistics) -> Self {
        let mut ndv = HashMap::new();
        for l in leaves {
            collect_ndv(l, stats, &mut ndv);
        }
        Estimator { cols: leaves.iter().map(|l| l.output_ids()).collect(), rows: leaves.iter().map(|l| estimate(l, stats)).collect(), ndv, stats }
    }

    /// Bitmask of the leaves a predicate reads.
    fn mask(&self, p: &ScalarExpr) -> u64 {
        let mut m = 0u64;
        for c in p.columns() {
            for (i, cols) in self.cols.iter().enumerate() {
                if cols.contains(&c) {
                    m |= 1 << i;
                }
            }
        }
        m
    }

    fn selectivity(&self, p: &ScalarExpr) -> f64 {
        if let ScalarExpr::Func { func, args } = p
            && func.operator.as_deref() == Some("=")
            && args.len() == 2
        {
            let n = |e: &ScalarExpr| match e {
                ScalarExpr::Column { id, .. } => self.ndv.get(id).copied(),
                _ => None,
            };
            return match (n(&args[0]), n(&args[1])) {
                (Some(a), Some(b)) => 1.0 / a.max(b).max(1.0),
                (Some(a), None) | (None, Some(a)) => 1.0 / a.max(1.0),
                _ => 0.01,
            };
        }
        let _ = self.stats;
        0.33
    }

    /// Each predicate's leaves, selectivity, and whether it is an equality
    /// (a hash join key).
    fn pred_masks(&self, preds: &[ScalarExpr]) -> Vec<(u64, f64, bool)> {
        preds.iter().map(|p| (self.mask(p), self.selectivity(p), is_equality(p))).collect()
    }

    /// Rows of joining `a` and `b`, and whether an equality connects them:
    /// other predicates filter the pairs but do not make a join worth
    /// enumerating, or a 3,000 × 3,000 theta join on `x <> y OR …` would
    /// look as good as an equi-join and be materialized (opr_sanity).
    fn join_rows(&self, a: u64, b: u64, ra: f64, rb: f64, preds: &[(u64, f64, bool)]) -> (f64, bool) {
        let mut sel = 1.0;
        let mut connected = false;
        for (m, s, equality) in preds {
            let within = m & !(a | b) == 0;
            if within && m & a != 0 && m & b != 0 {
                sel *= s;
                connected |= *equality;
            }
        }
        ((ra * rb * sel).max(1.0), connected)
    }

    fn dp(&self, preds: &[ScalarExpr]) -> Tree {
        let n = self.cols.len();
        let pm = self.pred_masks(preds);
        let full: u64 = (1u64 << n) - 1;
        // best[mask] = (cost, rows, tree)
        let mut best: HashMap<u64, (f64, f64, Tree)> = HashMap::new();
        for i in 0..n {
            best.insert(1 << i, (0.0, self.rows[i], Tree::Leaf(i)));
        }
        for size in 2..=n {
            let mut masks: Vec<u64> = (1..=full).filter(|m: &u64| m.count_ones() as usize == size).collect();
            masks.sort_unstable();
            for s in masks {
                let mut cand: Option<(f64, f64, Tree)> = None;
                let mut cross: Option<(f64, f64, Tree)> = None;
                // Enumerate proper subsets s1 of s with s1 < s2 to visit each split once.
                let mut s1 = (s - 1) & s;
                while s1 > 0 {
                    let s2 = s & !s1;
                    if let (Some((c1, r1, t1)), Some((c2, r2, t2))) = (best.get(&s1), best.get(&s2)) {
                        let (rows, connected) = self.join_rows(s1, s2, *r1, *r2, &pm);
                        let cost = c1 + c2 + rows;
                        // Smaller input on the build (right) side.
                        let (lt, rt) = if r1 >= r2 { (t1, t2) } else { (t2, t1) };
                        let entry = (cost, rows, Tree::Join(Box::new(lt.clone()), Box::new(rt.clone())));
                        let slot = if connected { &mut cand } else { &mut cross };
                        if slot.as_ref().is_none_or(|b| cost < b.0) {
                            *slot = Some(entry);
                        }
                    }
                    s1 = (s1 - 1) & s;
                }
                if let Some(c) = cand.or(cross) {
                    best.insert(s, c);
                }
            }
        }
        best.remove(&full).map(|b| b.2).unwrap_or(Tree::Leaf(0))
    }

    fn greedy(&self, preds: &[ScalarExpr]) -> Tree {
        let pm = self.pred_masks(preds);
        let mut parts: Vec<(u64, f64, Tree)> = (0..self.cols.len()).map(|i| (1u64 << i, self.rows[i], Tree::Leaf(i))).collect();
        while parts.len() > 1 {
            let mut best: Option<(usize, usize, f64, bool)> = None;
            for i in 0..parts.len() {
                for j in 0..parts.len() {
                    if i == j {
                        continue;
                    }
                    let (rows, connected) = self.join_rows(parts[i].0, parts[j].0, parts[i].1, parts[j].1, &pm);
                    let better = match best {
                        None => true,
                        Some((_, _, r, c)) => (connected && !c) || (connected == c && rows < r),
                    };
                    if better && parts[i].1 >= parts[j].1 {
                        best = Some((i, j, rows, connected));
                    }
                }
            }
            let Some((i, j, rows, _)) = best else { break };
            let (hi, lo) = if i > j { (i, j) } else { (j, i) };
            let b = parts.remove(hi);
            let a = parts.remove(lo);
            let (left, right) = if i > j { (b, a) } else { (a, b) };
            parts.push((left.0 | right.0, rows, Tree::Join(Box::new(left.2), Box::new(right.2))));
        }
        parts.pop().map(|p| p.2).unwrap_or(Tree::Leaf(0))
    }
}

fn tree_mask(t: &Tree) -> u64 {
    match t {
        Tree::Leaf(i) => 1 << i,
        Tree::Join(a, b) => tree_mask(a) | tree_mask(b),
    }
}

fn build(t: &Tree, leaves: &mut [Option<LogicalPlan>], preds: &mut [Option<ScalarExpr>], est: &Estimator) -> LogicalPlan {
    match t {
        Tree::Leaf(i) => leaves[*i].take().unwrap_or_else(LogicalPlan::empty),
        Tree::Join(a, b) => {
            let left = build(a, leaves, preds, est);
            let right = build(b, leaves, preds, est);
            let m = tree_mask(t);
            let mut cond = Vec::new();
            for slot in preds.iter_mut() {
                if let Some(p) = slot {
                    let pm = est.mask(p);
                    if pm != 0 && pm & !m == 0 {
                        cond.extend(slot.take());
                    }
                }
            }
            LogicalPlan::Join {
                kind: JoinKind::Inner,
                left: Box::new(left),
                right: Box::new(right),
                condition: ScalarExpr::conjunction(cond),
                mark: None,
            }
        }
    }
}

/// Rows a plan is expected to produce.
pub fn estimate(plan: &LogicalPlan, stats: &dyn Statistics) -> f64 {
    match plan {
        LogicalPlan::Scan { table, .. } => table_rows(table.oid, table.reltuples, stats),
        LogicalPlan::Values { rows, .. } => rows.len().max(1) as f64,
        LogicalPlan::Filter { input, predicate } => {
            let mut ndv = HashMap::new();
            collect_ndv(input, stats, &mut ndv);
            let base = estimate(input, stats);
            let mut sel = 1.0;
            for c in predicate.clone().into_conjuncts() {
                sel *= filter_selectivity(&c, &ndv);
            }
            (base * sel).max(1.0)
        }
        LogicalPlan::Join { kind, left, right, condition, .. } => {
            let (l, r) = (estimate(left, stats), estimate(right, stats));
            match kind {
                JoinKind::Semi | JoinKind::Anti | JoinKind::AntiNullAware | JoinKind::Mark => (l * 0.5).max(1.0),
                _ => {
                    let mut ndv = HashMap::new();
                    collect_ndv(left, stats, &mut ndv);
                    collect_ndv(right, stats, &mut ndv);
                    let mut sel = 1.0;
                    for c in condition.clone().into_conjuncts() {
                        sel *= join_selectivity(&c, &ndv);
                    }
                    let inner = (l * r * sel).max(1.0);
                    match kind {
                        JoinKind::Left => inner.max(l),
                        JoinKind::Right => inner.max(r),
                        JoinKind::Full => inner.max(l + r),
                        _ => inner,
                    }
                }
            }
        }
        LogicalPlan::Aggregate { input, group_by, .. } => {
            if group_by.is_empty() {
                1.0
            } else {
                (estimate(input, stats) * 0.1).max(1.0)
            }
        }
        LogicalPlan::Limit { input, limit, .. } => {
            let base = estimate(input, stats);
            match limit.as_ref().and_then(|l| l.as_const()) {
                Some(Datum::Int64(n)) => base.min(*n as f64).max(1.0),
                _ => base,
            }
        }
        LogicalPlan::FunctionScan { .. } => 1000.0,
        LogicalPlan::CteScan { .. } => 100.0,
        LogicalPlan::WithCte { input, .. } => estimate(input, stats),
        other => other.children().first().map_or(1.0, |c| estimate(c, stats)),
    }
}

/// Rows of a table: ANALYZE's count, else pg_class.reltuples, else 1,000.
pub(crate) fn table_rows(oid: Oid, reltuples: f64, stats: &dyn Statistics) -> f64 {
    stats.table_rows(oid).unwrap_or(if reltuples >= 0.0 { reltuples } else { 1000.0 }).max(1.0)
}

fn collect_ndv(plan: &LogicalPlan, stats: &dyn Statistics, out: &mut HashMap<ColumnId, f64>) {
    if let LogicalPlan::Scan { table, columns, .. } = plan {
        let rows = table_rows(table.oid, table.reltuples, stats);
        for c in columns {
            if let Some(s) = stats.column(table.oid, c.attnum) {
                let n = if s.n_distinct < 0.0 { -s.n_distinct * rows } else { s.n_distinct };
                out.insert(c.id, n.max(1.0));
            }
        }
    }
    for c in plan.children() {
        collect_ndv(c, stats, out);
    }
}

fn filter_selectivity(p: &ScalarExpr, ndv: &HashMap<ColumnId, f64>) -> f64 {
    match p {
        ScalarExpr::Func { func, args } if args.len() == 2 => match func.operator.as_deref() {
            Some("=") => {
                let col = args.iter().find_map(|a| if let ScalarExpr::Column { id, .. } = a { ndv.get(id) } else { None });
                col.map_or(0.05, |n| 1.0 / n)
            }
            Some("<" | "<=" | ">" | ">=") => 0.33,
            Some("<>") => 0.9,
            Some("~~") => 0.1,
            _ => 0.33,
        },
        ScalarExpr::Or(v) => v.iter().map(|e| filter_selectivity(e, ndv)).sum::<f64>().min(1.0),
        ScalarExpr::And(v) => v.iter().map(|e| filter_selectivity(e, ndv)).product(),
        ScalarExpr::ArrayOp { right, .. } => match right.as_ref() {
            ScalarExpr::ArrayCtor { elems, .. } => (elems.len() as f64 * 0.05).min(1.0),
            _ => 0.2,
        },
        _ => 0.33,
    }
}

fn join_selectivity(p: &ScalarExpr, ndv: &HashMap<ColumnId, f64>) -> f64 {
    if let ScalarExpr::Func { func, args } = p
        && func.operator.as_deref() == Some("=")
        && args.len() == 2
    {
        let n = |e: &ScalarExpr| if let ScalarExpr::Column { id, .. } = e { ndv.get(id).copied() } else { None };
        return match (n(&args[0]), n(&args[1])) {
            (Some(a), Some(b)) => 1.0 / a.max(b).max(1.0),
            (Some(a), None) | (None, Some(a)) => 1.0 / a.max(1.0),
            _ => 0.01,
        };
    }
    0.33
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::NoStatistics;
    use oa_ir::types::SqlType;

    fn values(id: u32, rows: usize) -> LogicalPlan {
        LogicalPlan::Values {
            columns: vec![PlanColumn { id: ColumnId(id), ty: SqlType::INT4, name: format!("c{id}") }],
            rows: (0..rows).map(|i| vec![ScalarExpr::constant(Datum::Int32(i as i32), SqlType::INT4)]).collect(),
        }
    }

    /// `FROM small, LATERAL (SELECT small.c1) big`: the lateral side reads c1.
    fn lateral_on(id: u32, reads: u32) -> LogicalPlan {
        LogicalPlan::Project {
            input: Box::new(values(100 + id, 50)),
            items: vec![(PlanColumn { id: ColumnId(id), ty: SqlType::INT4, name: "l".into() }, ScalarExpr::column(ColumnId(reads), SqlType::INT4))],
        }
    }

    fn join(l: LogicalPlan, r: LogicalPlan) -> LogicalPlan {
        LogicalPlan::Join { kind: JoinKind::Inner, left: Box::new(l), right: Box::new(r), condition: ScalarExpr::bool(true), mark: None }
    }

    /// The right input of the top join (under a reordering projection).
    fn top_right(p: &LogicalPlan) -> &LogicalPlan {
        match p {
            LogicalPlan::Join { right, .. } => right,
            LogicalPlan::Project { input, .. } if matches!(**input, LogicalPlan::Join { .. }) => top_right(input),
            other => other,
        }
    }

    fn is_lateral_item(p: &LogicalPlan) -> bool {
        matches!(p, LogicalPlan::Project { items, .. } if items[0].0.id == ColumnId(2))
    }

    #[test]
    fn lateral_items_stay_right_of_what_they_read() {
        // The lateral side is bigger, so size alone would put it on the left.
        let out = reorder(join(values(1, 1), lateral_on(2, 1)), &NoStatistics).expect("reorder");
        assert!(is_lateral_item(top_right(&out)), "{out:?}");
        let out = reorder(join(join(values(1, 1), values(3, 500)), lateral_on(2, 1)), &NoStatistics).expect("reorder");
        assert!(is_lateral_item(top_right(&out)), "{out:?}");
    }

    #[test]
    fn a_filter_between_inner_joins_does_not_split_the_cluster() {
        // (a ⋈ b) filtered on a and b, then ⋈ c: one cluster of three leaves,
        // the filter becoming one of its predicates.
        let eq = |x: u32, y: u32| ScalarExpr::Func {
            func: std::sync::Arc::new(oa_ir::expr::FuncRef {
                oid: 96,
                name: "int4eq".into(),
                prosrc: "int4eq".into(),
                arg_types: vec![SqlType::INT4, SqlType::INT4],
                ret_type: SqlType::BOOL,
                strict: true,
                volatility: oa_ir::expr::Volatility::Immutable,
                retset: false,
                operator: Some("=".into()),
            }),
            args: vec![ScalarExpr::column(ColumnId(x), SqlType::INT4), ScalarExpr::column(ColumnId(y), SqlType::INT4)],
        };
        let ab = LogicalPlan::Filter { input: Box::new(join(values(1, 300), values(2, 200))), predicate: eq(1, 2) };
        let plan = LogicalPlan::Join { kind: JoinKind::Inner, left: Box::new(ab), right: Box::new(values(3, 2)), condition: eq(2, 3), mark: None };
        let out = reorder(plan, &NoStatistics).expect("reorder");
        let mut leaves = Vec::new();
        let mut preds = Vec::new();
        collect(out.clone(), &mut leaves, &mut preds);
        if leaves.len() == 1 {
            // Under a reordering projection.
            let LogicalPlan::Project { input, .. } = out else { panic!("{out:?}") };
            leaves.clear();
            collect(*input, &mut leaves, &mut preds);
        }
        assert_eq!(leaves.len(), 3, "one cluster of three leaves");
        assert_eq!(preds.iter().filter(|p| **p != ScalarExpr::bool(true)).count(), 2);
    }

    #[test]
    fn detects_lateral_references() {
        assert!(has_lateral(&[values(1, 1), lateral_on(2, 1)]));
        assert!(!has_lateral(&[values(1, 1), lateral_on(2, 7)]));
    }
}
