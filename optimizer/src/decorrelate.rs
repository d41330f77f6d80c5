//! Stage `decorrelate`: subqueries in WHERE/HAVING conjuncts and in select
//! lists become joins when their correlation can be pulled up as join
//! conditions. What cannot be rewritten stays a subquery expression, which the
//! runtime evaluates per outer row — always correct, only slower.
//!
//! - `EXISTS (q)` → semi join; `NOT EXISTS (q)` → anti join.
//! - `x op ANY (q)` (IN) → semi join on `x op y`.
//! - `NOT (x = ANY (q))` (NOT IN) uncorrelated → null-aware anti join;
//!   correlated → anti join on `(x = y) IS NOT FALSE`, which is NOT IN's NULL rule.
//! - `x op ALL (q)` → anti join on `(x op y) IS NOT TRUE`.
//! - a correlated scalar subquery whose top is an aggregate without GROUP BY →
//!   left join with that aggregate grouped by the correlation keys; an
//!   unmatched row takes the aggregates' values over no rows (count is 0, not
//!   NULL: the COUNT bug). Such a subquery yields exactly one row, so the 21000
//!   check cannot fire; other scalar subqueries are left alone and keep it.

use std::collections::HashSet;
use std::sync::Arc;

use oa_ir::Result;
use oa_ir::datum::Datum;
use oa_ir::expr::{AggCall, BoolTestKind, ColumnId, ScalarExpr, SubqueryExpr, SubqueryKind};
use oa_ir::plan::{JoinKind, LogicalPlan, PlanColumn};
use oa_ir::types::SqlType;

pub fn decorrelate(plan: LogicalPlan) -> Result<LogicalPlan> {
    let mut d = Decorrelator { next_id: max_column_id(&plan) + 1 };
    d.plan(plan)
}

struct Decorrelator {
    next_id: u32,
}

fn max_column_id(plan: &LogicalPlan) -> u32 {
    let mut ids = Vec::new();
    plan.defined_columns_into(&mut ids);
    let mut m = ids.iter().map(|c| c.0).max().unwrap_or(0);
    // Free columns (correlation) may come from outside this plan.
    for c in plan.free_columns() {
        m = m.max(c.0);
    }
    m
}

impl Decorrelator {
    fn column(&mut self, name: &str, ty: SqlType) -> PlanColumn {
        let id = ColumnId(self.next_id);
        self.next_id += 1;
        PlanColumn { id, ty, name: name.to_string() }
    }

    fn plan(&mut self, mut plan: LogicalPlan) -> Result<LogicalPlan> {
        for child in plan.children_mut() {
            let c = std::mem::replace(child, LogicalPlan::empty());
            *child = self.plan(c)?;
        }
        for e in plan.expressions_mut() {
            let x = std::mem::replace(e, ScalarExpr::bool(true));
            *e = self.expr_subplans(x)?;
        }
        match plan {
            LogicalPlan::Filter { input, predicate } => self.filter(*input, predicate),
            LogicalPlan::Project { input, items } => self.project(*input, items),
            other => Ok(other),
        }
    }

    /// Decorrelates the plans nested inside subquery expressions first (inside-out).
    fn expr_subplans(&mut self, e: ScalarExpr) -> Result<ScalarExpr> {
        let mut err = None;
        let out = e.rewrite(&mut |x| match x {
            ScalarExpr::Subquery(mut s) if err.is_none() => {
                let p = std::mem::replace(&mut *s.plan, LogicalPlan::empty());
                match self.plan(p) {
                    Ok(p) => *s.plan = p,
                    Err(e) => err = Some(e),
                }
                ScalarExpr::Subquery(s)
            }
            x => x,
        });
        match err {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn filter(&mut self, input: LogicalPlan, predicate: ScalarExpr) -> Result<LogicalPlan> {
        let output = input.output();
        let mut plan = input;
        let mut rest = Vec::new();
        let mut changed = false;
        for conjunct in predicate.into_conjuncts() {
            match self.conjunct_to_join(plan, conjunct) {
                (p, None) => {
                    plan = p;
                    changed = true;
                }
                (p, Some(c)) => {
                    plan = p;
                    rest.push(c);
                }
            }
        }
        // Remaining scalar subqueries inside conjuncts.
        let mut kept = Vec::new();
        for c in rest {
            let (p, c) = self.scalar_subqueries(plan, c);
            plan = p;
            changed |= true;
            kept.push(c);
        }
        let mut out = if kept.is_empty() { plan } else { LogicalPlan::Filter { input: Box::new(plan), predicate: ScalarExpr::conjunction(kept) } };
        if changed && out.output_ids() != output.iter().map(|c| c.id).collect::<Vec<_>>() {
            out = identity_project(out, &output);
        }
        Ok(out)
    }

    fn project(&mut self, input: LogicalPlan, items: Vec<(PlanColumn, ScalarExpr)>) -> Result<LogicalPlan> {
        let mut plan = input;
        let mut out_items = Vec::with_capacity(items.len());
        for (c, e) in items {
            let (p, e) = self.scalar_subqueries(plan, e);
            plan = p;
            out_items.push((c, e));
        }
        Ok(LogicalPlan::Project { input: Box::new(plan), items: out_items })
    }

    /// Turns one WHERE conjunct into a join over `plan` when it is an
    /// EXISTS/IN/ALL subquery test; otherwise gives it back.
    fn conjunct_to_join(&mut self, plan: LogicalPlan, conjunct: ScalarExpr) -> (LogicalPlan, Option<ScalarExpr>) {
        let (negated, inner) = match conjunct {
            ScalarExpr::Not(inner) if matches!(*inner, ScalarExpr::Subquery(_)) => (true, *inner),
            other => (false, other),
        };
        let ScalarExpr::Subquery(sub) = inner else {
            return (plan, Some(if negated { ScalarExpr::Not(Box::new(inner)) } else { inner }));
        };
        let outer: HashSet<ColumnId> = plan.output_ids().into_iter().collect();
        let correlated = sub.plan.is_correlated();
        let pulled = match pull_up(*sub.plan.clone(), &outer) {
            Some(x) => x,
            None => return (plan, Some(restore(negated, sub))),
        };
        let (right, preds) = pulled;
        // Correlation must only reach this level (deeper outer references stay subqueries).
        if preds.iter().any(|p| p.columns().iter().any(|c| !outer.contains(c) && !defines(&right, *c))) {
            return (plan, Some(restore(negated, sub)));
        }
        let (kind, test) = match (sub.kind, negated) {
            (SubqueryKind::Exists, false) => (JoinKind::Semi, None),
            (SubqueryKind::Exists, true) => (JoinKind::Anti, None),
            (SubqueryKind::Any, false) => (JoinKind::Semi, sub.test.clone()),
            (SubqueryKind::Any, true) => {
                let t = sub.test.clone().unwrap_or_else(|| ScalarExpr::bool(true));
                if !correlated && is_simple_equality(&t) {
                    (JoinKind::AntiNullAware, Some(t))
                } else {
                    (JoinKind::Anti, Some(ScalarExpr::BoolTest { arg: Box::new(t), kind: BoolTestKind::IsNotFalse }))
                }
            }
            (SubqueryKind::All, false) => {
                let t = sub.test.clone().unwrap_or_else(|| ScalarExpr::bool(true));
                (JoinKind::Anti, Some(ScalarExpr::BoolTest { arg: Box::new(t), kind: BoolTestKind::IsNotTrue }))
            }
            (SubqueryKind::All, true) => {
                let t = sub.test.clone().unwrap_or_else(|| ScalarExpr::bool(true));
                (JoinKind::Semi, Some(ScalarExpr::BoolTest { arg: Box::new(t), kind: BoolTestKind::IsFalse }))
            }
            _ => return (plan, Some(restore(negated, sub))),
        };
        if kind == JoinKind::AntiNullAware && !preds.is_empty() {
            return (plan, Some(restore(negated, sub)));
        }
        // The test reads the subquery's output columns, which the pulled-up plan still produces.
        let mut cond: Vec<ScalarExpr> = preds;
        if let Some(t) = test {
            cond.insert(0, t);
        }
        let joined = LogicalPlan::Join { kind, left: Box::new(plan), right: Box::new(right), condition: ScalarExpr::conjunction(cond), mark: None };
        (joined, None)
    }

    /// Rewrites correlated aggregate scalar subqueries inside `e` into left
    /// joins added over `plan`.
    fn scalar_subqueries(&mut self, mut plan: LogicalPlan, e: ScalarExpr) -> (LogicalPlan, ScalarExpr) {
        let mut subs: Vec<Box<SubqueryExpr>> = Vec::new();
        let mut placeholders: Vec<ColumnId> = Vec::new();
        let e = e.rewrite(&mut |x| match x {
            ScalarExpr::Subquery(s) if s.kind == SubqueryKind::Scalar && s.plan.is_correlated() => {
                let id = ColumnId(u32::MAX - subs.len() as u32);
                let ty = s.ty;
                subs.push(s);
                placeholders.push(id);
                ScalarExpr::Column { id, ty }
            }
            x => x,
        });
        let mut replacements: Vec<(ColumnId, ScalarExpr)> = Vec::new();
        for (s, ph) in subs.into_iter().zip(placeholders) {
            match self.scalar_to_join(&plan, &s) {
                Some((p, value)) => {
                    plan = p;
                    replacements.push((ph, value));
                }
                None => replacements.push((ph, ScalarExpr::Subquery(s))),
            }
        }
        let e = e.rewrite(&mut |x| match x {
            ScalarExpr::Column { id, ty } => match replacements.iter().position(|(p, _)| *p == id) {
                Some(i) => replacements[i].1.clone(),
                None => ScalarExpr::Column { id, ty },
            },
            x => x,
        });
        (plan, e)
    }

    fn scalar_to_join(&mut self, plan: &LogicalPlan, s: &SubqueryExpr) -> Option<(LogicalPlan, ScalarExpr)> {
        // Shape: Project(value over aggregates) ← Aggregate(no GROUP BY) ← correlated input.
        let LogicalPlan::Project { input, items } = s.plan.as_ref() else { return None };
        if items.len() != 1 {
            return None;
        }
        let LogicalPlan::Aggregate { input: agg_input, group_by, aggs } = input.as_ref() else { return None };
        if !group_by.is_empty() {
            return None;
        }
        if aggs.iter().any(|(_, a)| a.args.iter().chain(a.filter.iter()).any(|x| !x.columns().iter().all(|c| defines(agg_input, *c)))) {
            return None;
        }
        let value = items[0].1.clone();
        if value.is_volatile() {
            return None;
        }
        let outer: HashSet<ColumnId> = plan.output_ids().into_iter().collect();
        let (inner, preds) = pull_up((**agg_input).clone(), &outer)?;
        if preds.is_empty() {
            return None;
        }
        // Each correlation predicate must be `inner_expr = outer_expr`.
        let mut inner_keys = Vec::new();
        let mut outer_keys = Vec::new();
        for p in &preds {
            let ScalarExpr::Func { func, args } = p else { return None };
            if func.operator.as_deref() != Some("=") || args.len() != 2 {
                return None;
            }
            let side = |x: &ScalarExpr| -> Option<bool> {
                let cols = x.columns();
                if cols.is_empty() {
                    return None;
                }
                if cols.iter().all(|c| outer.contains(c)) {
                    Some(true)
                } else if cols.iter().all(|c| defines(&inner, *c)) {
                    Some(false)
                } else {
                    None
                }
            };
            match (side(&args[0])?, side(&args[1])?) {
                (false, true) => {
                    inner_keys.push(args[0].clone());
                    outer_keys.push((args[1].clone(), func.clone(), false));
                }
                (true, false) => {
                    inner_keys.push(args[1].clone());
                    outer_keys.push((args[0].clone(), func.clone(), true));
                }
                _ => return None,
            }
        }
        let mut group_by = Vec::new();
        let mut cond = Vec::new();
        for (k, (o, func, outer_first)) in inner_keys.into_iter().zip(outer_keys) {
            let col = self.column("?key?", k.ty());
            let key_ref = ScalarExpr::Column { id: col.id, ty: col.ty };
            let args = if outer_first { vec![o, key_ref] } else { vec![key_ref, o] };
            cond.push(ScalarExpr::Func { func: func.clone(), args });
            group_by.push((col, k));
        }
        let marker = group_by[0].0.clone();
        let agg = LogicalPlan::Aggregate { input: Box::new(inner), group_by, aggs: aggs.clone() };
        let joined = LogicalPlan::Join {
            kind: JoinKind::Left,
            left: Box::new(plan.clone()),
            right: Box::new(agg),
            condition: ScalarExpr::conjunction(cond),
            mark: None,
        };
        // Unmatched rows: the aggregates' result over no rows (count → 0).
        let empty_value = value.clone().rewrite(&mut |x| match x {
            ScalarExpr::Column { id, ty } => match aggs.iter().find(|(c, _)| c.id == id) {
                Some((_, a)) => empty_aggregate(a, ty),
                None => ScalarExpr::Column { id, ty },
            },
            x => x,
        });
        let result = if empty_value == value || matches!(empty_value, ScalarExpr::Const { value: Datum::Null, .. }) {
            value
        } else {
            ScalarExpr::Case {
                whens: vec![(ScalarExpr::IsNull { arg: Box::new(ScalarExpr::Column { id: marker.id, ty: marker.ty }), negated: false }, empty_value)],
                default: Box::new(value.clone()),
                ty: value.ty(),
            }
        };
        Some((joined, result))
    }
}

/// The value an aggregate has over no input rows.
fn empty_aggregate(a: &AggCall, ty: SqlType) -> ScalarExpr {
    let is_count = a.func.transfn == "int8inc" || a.func.transfn == "int8inc_any";
    if is_count { ScalarExpr::Const { value: Datum::Int64(0), ty } } else { ScalarExpr::Const { value: Datum::Null, ty } }
}

fn restore(negated: bool, sub: Box<SubqueryExpr>) -> ScalarExpr {
    let e = ScalarExpr::Subquery(sub);
    if negated { ScalarExpr::Not(Box::new(e)) } else { e }
}

fn is_simple_equality(t: &ScalarExpr) -> bool {
    matches!(t, ScalarExpr::Func { func, args } if func.operator.as_deref() == Some("=") && args.len() == 2)
}

fn defines(plan: &LogicalPlan, c: ColumnId) -> bool {
    let mut v = Vec::new();
    plan.defined_columns_into(&mut v);
    v.contains(&c)
}

/// Removes the correlation of a subquery plan: returns the plan without the
/// predicates that reference `outer` columns, and those predicates — when all
/// of them sit in filters reachable through projections, filters and inner
/// joins. Projections keep the columns the predicates need.
fn pull_up(plan: LogicalPlan, outer: &HashSet<ColumnId>) -> Option<(LogicalPlan, Vec<ScalarExpr>)> {
    if !plan.free_columns().iter().any(|c| outer.contains(c)) {
        return Some((plan, vec![]));
    }
    match plan {
        LogicalPlan::Filter { input, predicate } => {
            let (input, mut pulled) = pull_up(*input, outer)?;
            let mut kept = Vec::new();
            for c in predicate.into_conjuncts() {
                let mut cols = Vec::new();
                c.columns_into(&mut cols);
                if cols.iter().any(|x| outer.contains(x)) {
                    if c.contains_subquery() || c.is_volatile() {
                        return None;
                    }
                    pulled.push(c);
                } else {
                    kept.push(c);
                }
            }
            let plan = if kept.is_empty() { input } else { LogicalPlan::Filter { input: Box::new(input), predicate: ScalarExpr::conjunction(kept) } };
            Some((plan, pulled))
        }
        LogicalPlan::Project { input, mut items } => {
            if items.iter().any(|(_, e)| e.columns().iter().any(|c| outer.contains(c))) {
                return None;
            }
            let (input, pulled) = pull_up(*input, outer)?;
            // Keep the inner columns the pulled predicates read.
            let available: Vec<PlanColumn> = input.output();
            for p in &pulled {
                for c in p.columns() {
                    if outer.contains(&c) || items.iter().any(|(pc, _)| pc.id == c) {
                        continue;
                    }
                    if let Some(col) = available.iter().find(|a| a.id == c) {
                        items.push((col.clone(), ScalarExpr::Column { id: col.id, ty: col.ty }));
                    }
                }
            }
            Some((LogicalPlan::Project { input: Box::new(input), items }, pulled))
        }
        LogicalPlan::Join { kind: JoinKind::Inner, left, right, condition, mark } => {
            if condition.columns().iter().any(|c| outer.contains(c)) {
                return None;
            }
            let (left, mut pulled) = pull_up(*left, outer)?;
            let (right, more) = pull_up(*right, outer)?;
            pulled.extend(more);
            Some((LogicalPlan::Join { kind: JoinKind::Inner, left: Box::new(left), right: Box::new(right), condition, mark }, pulled))
        }
        _ => None,
    }
}

/// A projection that outputs exactly `cols` (restores a node's layout after a join was added under it).
fn identity_project(input: LogicalPlan, cols: &[PlanColumn]) -> LogicalPlan {
    LogicalPlan::Project { input: Box::new(input), items: cols.iter().map(|c| (c.clone(), ScalarExpr::Column { id: c.id, ty: c.ty })).collect() }
}

#[allow(dead_code)]
fn arc<T>(t: T) -> Arc<T> {
    Arc::new(t)
}
