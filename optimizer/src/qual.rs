//! Qualification canonicalization done before the e-graph stages: clauses
//! common to every arm of an OR are pulled out (prepqual.c's
//! process_duplicate_ors), so `(a = b AND x) OR (a = b AND y)` becomes
//! `a = b AND (x OR y)` and the equality can drive a hash join (TPC-H Q19);
//! and each relation gets the restriction an OR implies for it
//! (orclauses.c), which pushdown then moves to its scan.

use oa_ir::expr::{ColumnId, ScalarExpr};
use oa_ir::plan::LogicalPlan;

/// Rewrites every predicate and join condition of the plan (subquery plans included).
pub fn canonicalize(plan: LogicalPlan) -> LogicalPlan {
    let mut plan = plan;
    for child in plan.children_mut() {
        let c = std::mem::replace(child, LogicalPlan::empty());
        *child = canonicalize(c);
    }
    let is_qual = matches!(plan, LogicalPlan::Filter { .. } | LogicalPlan::Join { .. });
    for e in plan.expressions_mut() {
        let x = std::mem::replace(e, ScalarExpr::bool(true));
        let x = x.rewrite(&mut |y| match y {
            ScalarExpr::Subquery(mut s) => {
                let p = std::mem::replace(&mut *s.plan, LogicalPlan::empty());
                *s.plan = canonicalize(p);
                ScalarExpr::Subquery(s)
            }
            y => y,
        });
        *e = if is_qual { factor_ors(x) } else { x };
    }
    let relations = match &plan {
        LogicalPlan::Filter { input, .. } => relations(input),
        LogicalPlan::Join { left, right, .. } => {
            let mut r = relations(left);
            r.extend(relations(right));
            r
        }
        _ => return plan,
    };
    if let LogicalPlan::Filter { predicate: e, .. } | LogicalPlan::Join { condition: e, .. } = &mut plan {
        let x = std::mem::replace(e, ScalarExpr::bool(true));
        *e = add_or_restrictions(x, &relations);
    }
    split_subquery_conjuncts(plan)
}

/// A filter's conjuncts with subqueries go in a filter of their own above
/// the rest, which pushdown can then move into joins and scans (a scalar
/// subquery beside five catalog joins left them all cross products);
/// PostgreSQL too evaluates quals with subplans last.
fn split_subquery_conjuncts(plan: LogicalPlan) -> LogicalPlan {
    let LogicalPlan::Filter { input, predicate } = plan else { return plan };
    let (with, without): (Vec<ScalarExpr>, Vec<ScalarExpr>) = predicate.into_conjuncts().into_iter().partition(ScalarExpr::contains_subquery);
    match (with.is_empty(), without.is_empty()) {
        (false, false) => LogicalPlan::Filter {
            input: Box::new(LogicalPlan::Filter { input, predicate: ScalarExpr::conjunction(without) }),
            predicate: ScalarExpr::conjunction(with),
        },
        _ => LogicalPlan::Filter { input, predicate: ScalarExpr::conjunction(with.into_iter().chain(without).collect()) },
    }
}

/// The output columns of each relation joined under `plan`.
fn relations(plan: &LogicalPlan) -> Vec<Vec<ColumnId>> {
    match plan {
        LogicalPlan::Join { left, right, .. } => {
            let mut r = relations(left);
            r.extend(relations(right));
            r
        }
        LogicalPlan::Filter { input, .. } => relations(input),
        other => vec![other.output_ids()],
    }
}

/// extract_restriction_or_clauses: for an OR whose every arm restricts
/// relation R on its own, `OR(arm's conjuncts on R)` is implied, so it can
/// be added beside the OR (which stays) and later filter R's scan:
/// `(n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY' AND n2 = 'FRANCE')`
/// gives `n1 = 'FRANCE' OR n1 = 'GERMANY'` and the same for n2 (TPC-H Q7).
fn add_or_restrictions(qual: ScalarExpr, relations: &[Vec<ColumnId>]) -> ScalarExpr {
    let mut conjuncts = qual.into_conjuncts();
    let mut derived = Vec::new();
    for c in &conjuncts {
        let ScalarExpr::Or(arms) = c else { continue };
        if c.is_volatile() || c.contains_subquery() {
            continue;
        }
        let arm_conjuncts: Vec<Vec<ScalarExpr>> = arms.iter().map(|a| a.clone().into_conjuncts()).collect();
        for rel in relations {
            let on_rel = |e: &ScalarExpr| {
                let cols = e.columns();
                !cols.is_empty() && cols.iter().all(|x| rel.contains(x))
            };
            if on_rel(c) {
                continue;
            }
            let parts: Option<Vec<ScalarExpr>> = arm_conjuncts
                .iter()
                .map(|arm| {
                    let mine: Vec<ScalarExpr> = arm.iter().filter(|e| on_rel(e)).cloned().collect();
                    (!mine.is_empty()).then(|| ScalarExpr::conjunction(mine))
                })
                .collect();
            if let Some(parts) = parts {
                let d = ScalarExpr::Or(parts);
                if !conjuncts.contains(&d) && !derived.contains(&d) {
                    derived.push(d);
                }
            }
        }
    }
    conjuncts.extend(derived);
    ScalarExpr::conjunction(conjuncts)
}

/// Pulls the conjuncts shared by all arms out of each OR, bottom-up
/// (distribution and absorption hold in SQL's three-valued logic too; like
/// PostgreSQL this is only done to qualifications).
pub fn factor_ors(e: ScalarExpr) -> ScalarExpr {
    e.rewrite(&mut |x| match x {
        ScalarExpr::Or(arms) => factor_or(arms),
        x => x,
    })
}

fn factor_or(arms: Vec<ScalarExpr>) -> ScalarExpr {
    if arms.len() < 2 || arms.iter().any(|a| a.is_volatile()) {
        return ScalarExpr::Or(arms);
    }
    let arm_conjuncts: Vec<Vec<ScalarExpr>> = arms.iter().map(|a| a.clone().into_conjuncts()).collect();
    // Conjuncts of the first arm that every other arm has too (first occurrence only).
    let mut common: Vec<ScalarExpr> = Vec::new();
    for c in &arm_conjuncts[0] {
        if !common.contains(c) && arm_conjuncts[1..].iter().all(|other| other.contains(c)) {
            common.push(c.clone());
        }
    }
    if common.is_empty() {
        return ScalarExpr::Or(arms);
    }
    let mut rest_arms = Vec::with_capacity(arms.len());
    let mut some_arm_empty = false;
    for conj in arm_conjuncts {
        let rest: Vec<ScalarExpr> = conj.into_iter().filter(|c| !common.contains(c)).collect();
        if rest.is_empty() {
            // `A OR (A AND B)` is just `A`.
            some_arm_empty = true;
        }
        rest_arms.push(ScalarExpr::conjunction(rest));
    }
    let mut out = common;
    if !some_arm_empty {
        out.push(ScalarExpr::Or(rest_arms));
    }
    ScalarExpr::conjunction(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oa_ir::expr::ColumnId;
    use oa_ir::types::SqlType;

    fn col(n: u32) -> ScalarExpr {
        ScalarExpr::Column { id: ColumnId(n), ty: SqlType::BOOL }
    }

    #[test]
    fn pulls_common_conjuncts_out_of_or() {
        let e = ScalarExpr::Or(vec![ScalarExpr::And(vec![col(1), col(2)]), ScalarExpr::And(vec![col(3), col(1)])]);
        assert_eq!(factor_ors(e), ScalarExpr::And(vec![col(1), ScalarExpr::Or(vec![col(2), col(3)])]));
    }

    #[test]
    fn absorbs_an_arm_that_is_only_common() {
        let e = ScalarExpr::Or(vec![col(1), ScalarExpr::And(vec![col(1), col(2)])]);
        assert_eq!(factor_ors(e), col(1));
    }

    #[test]
    fn adds_the_restriction_an_or_implies_for_each_relation() {
        let (a1, a2, b1, b2) = (col(1), col(2), col(3), col(4));
        let e = ScalarExpr::Or(vec![ScalarExpr::And(vec![a1.clone(), b1.clone()]), ScalarExpr::And(vec![a2.clone(), b2.clone()])]);
        let rels = vec![vec![ColumnId(1), ColumnId(2)], vec![ColumnId(3), ColumnId(4)]];
        assert_eq!(
            add_or_restrictions(e.clone(), &rels),
            ScalarExpr::And(vec![e.clone(), ScalarExpr::Or(vec![a1.clone(), a2.clone()]), ScalarExpr::Or(vec![b1.clone(), b2])])
        );
        // An arm without a restriction of its own on a relation gives none for it.
        let e = ScalarExpr::Or(vec![ScalarExpr::And(vec![a1.clone(), b1]), a2.clone()]);
        assert_eq!(add_or_restrictions(e.clone(), &rels), ScalarExpr::And(vec![e, ScalarExpr::Or(vec![a1, a2])]));
    }

    #[test]
    fn conjuncts_with_subqueries_go_in_a_filter_above_the_rest() {
        let sub = ScalarExpr::Subquery(Box::new(oa_ir::expr::SubqueryExpr {
            kind: oa_ir::expr::SubqueryKind::Exists,
            plan: Box::new(LogicalPlan::one_row()),
            test: None,
            output: vec![],
            ty: SqlType::BOOL,
        }));
        let input = LogicalPlan::one_row();
        let plan = LogicalPlan::Filter { input: Box::new(input.clone()), predicate: ScalarExpr::And(vec![col(1), sub.clone(), col(2)]) };
        let LogicalPlan::Filter { input: inner, predicate } = split_subquery_conjuncts(plan) else { panic!("not a filter") };
        assert_eq!(predicate, sub);
        assert_eq!(*inner, LogicalPlan::Filter { input: Box::new(input), predicate: ScalarExpr::And(vec![col(1), col(2)]) });
    }

    #[test]
    fn leaves_ors_without_common_parts() {
        let e = ScalarExpr::Or(vec![col(1), col(2)]);
        assert_eq!(factor_ors(e.clone()), e);
    }
}
