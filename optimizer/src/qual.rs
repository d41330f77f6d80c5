//! Qualification canonicalization done before the e-graph stages: clauses
//! common to every arm of an OR are pulled out (prepqual.c's
//! process_duplicate_ors), so `(a = b AND x) OR (a = b AND y)` becomes
//! `a = b AND (x OR y)` and the equality can drive a hash join (TPC-H Q19).

use oa_ir::expr::ScalarExpr;
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
    plan
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
    fn leaves_ors_without_common_parts() {
        let e = ScalarExpr::Or(vec![col(1), col(2)]);
        assert_eq!(factor_ors(e.clone()), e);
    }
}
