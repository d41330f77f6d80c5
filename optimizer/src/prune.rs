//! Stage `prune`: scans read only columns something references. Column ids
//! are unique per query, so "referenced anywhere" is exact.

use std::collections::HashSet;

use oa_ir::expr::{ColumnId, ScalarExpr};
use oa_ir::plan::LogicalPlan;

pub fn prune(plan: LogicalPlan) -> LogicalPlan {
    let mut used = HashSet::new();
    collect_used(&plan, &mut used);
    // The plan's own output is used by whoever runs it.
    used.extend(plan.output_ids());
    apply(plan, &used)
}

fn collect_used(plan: &LogicalPlan, used: &mut HashSet<ColumnId>) {
    for e in plan.expressions() {
        e.walk(&mut |x| match x {
            ScalarExpr::Column { id, .. } => {
                used.insert(*id);
            }
            ScalarExpr::Subquery(s) => {
                collect_used(&s.plan, used);
                used.extend(s.output.iter().copied());
            }
            _ => {}
        });
    }
    match plan {
        LogicalPlan::Update { ctid, values, .. } => {
            used.insert(*ctid);
            used.extend(values.iter().copied());
        }
        LogicalPlan::Delete { ctid, old_values, .. } => {
            used.insert(*ctid);
            used.extend(old_values.iter().copied());
        }
        // Positional consumers read every column of their inputs.
        LogicalPlan::SetOp { left, right, .. } | LogicalPlan::RecursiveUnion { base: left, recursive: right, .. } => {
            used.extend(left.output_ids());
            used.extend(right.output_ids());
        }
        LogicalPlan::Insert { input, .. } => used.extend(input.output_ids()),
        // CTE scans read the WITH query's rows by position.
        LogicalPlan::WithCte { cte, .. } => used.extend(cte.output_ids()),
        LogicalPlan::Distinct { input, on } if on.is_empty() => used.extend(input.output_ids()),
        _ => {}
    }
    for c in plan.children() {
        collect_used(c, used);
    }
}

fn apply(plan: LogicalPlan, used: &HashSet<ColumnId>) -> LogicalPlan {
    let mut plan = match plan {
        LogicalPlan::Scan { table, alias, columns } => {
            LogicalPlan::Scan { table, alias, columns: columns.into_iter().filter(|c| used.contains(&c.id)).collect() }
        }
        other => other,
    };
    for child in plan.children_mut() {
        let c = std::mem::replace(child, LogicalPlan::empty());
        *child = apply(c, used);
    }
    for e in plan.expressions_mut() {
        let x = std::mem::replace(e, ScalarExpr::bool(true));
        *e = x.rewrite(&mut |y| match y {
            ScalarExpr::Subquery(mut s) => {
                let p = std::mem::replace(&mut *s.plan, LogicalPlan::empty());
                *s.plan = prune(p);
                ScalarExpr::Subquery(s)
            }
            y => y,
        });
    }
    plan
}
