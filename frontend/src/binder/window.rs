//! Window functions (PostgreSQL's transformWindowFuncCall,
//! transformWindowDefinitions and the planner's select_active_windows).
//!
//! A window call binds to a column of its query level, like an aggregate;
//! the level collects one `WindowClause` per distinct window. After GROUP BY
//! and HAVING, `plan_windows` stacks one Window node per clause that has
//! calls, each over a Sort by its partition and ORDER BY keys unless the rows
//! are already in that order, in the order PostgreSQL's planner picks.

use std::sync::Arc;

use oa_grammar::ast::{self, Expr as AExpr};
use oa_ir::datum::Datum;
use oa_ir::expr::{AggRef, ColumnId, ScalarExpr, SortKey};
use oa_ir::plan::{LogicalPlan, PlanColumn};
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::window::{FrameBound, FrameExclusion, FrameMode, RangeOffset, WindowBuiltin, WindowCall, WindowFrame, WindowFunc, WindowSpec};
use oa_ir::{Error, Result, SqlState};

use super::expr::ExprKind;
use super::func::FuncLookup;
use super::{Binder, Scope};
use crate::resolve::CoercionContext;

/// The windows of one query level.
#[derive(Default)]
pub(crate) struct WindowLevel {
    /// The WINDOW clause.
    defs: Vec<ast::WindowDef>,
    clauses: Vec<WindowClause>,
    /// Output column and location of every window call (for "cannot be nested").
    calls: Vec<(ColumnId, usize)>,
    next_seq: usize,
}

impl WindowLevel {
    pub fn new(defs: Vec<ast::WindowDef>) -> Self {
        WindowLevel { defs, ..WindowLevel::default() }
    }

    pub fn has_calls(&self) -> bool {
        !self.calls.is_empty()
    }

    /// Every expression of every window, for regrouping over GROUP BY.
    pub fn expressions_mut(&mut self) -> Vec<&mut ScalarExpr> {
        let mut v = Vec::new();
        for c in &mut self.clauses {
            v.extend(oa_ir::window::expressions_mut(&mut c.spec, &mut c.funcs));
        }
        v
    }
}

struct WindowClause {
    /// Position in the WINDOW clause (`OVER w` and the definition itself).
    named: Option<usize>,
    /// An inline OVER (w …) copying window w.
    refname: Option<String>,
    /// Creation order among the inline windows.
    seq: usize,
    spec: WindowSpec,
    funcs: Vec<(PlanColumn, WindowCall)>,
}

/// One sort key of a window as select_active_windows compares them:
/// (sort-group reference, descending, nulls first).
type SortRef = (usize, bool, bool);

/// A window's definition with the window it copies merged in.
struct MergedSpec {
    partition: Vec<AExpr>,
    order: Vec<ast::SortBy>,
    frame: Option<ast::WindowFrame>,
}

/// exprLocation of a bound offset: a cast reports its argument's start.
fn expr_location(e: &AExpr) -> usize {
    match &e.kind {
        ast::ExprKind::Cast { arg, .. } => e.loc.min(expr_location(arg)),
        _ => e.loc,
    }
}

fn windowing(msg: impl Into<String>, loc: usize) -> Error {
    Error::new(SqlState::WINDOWING_ERROR, msg).with_position(loc)
}

/// frame_extent's checks (gram.y, so PostgreSQL reports them before
/// anything else in the statement): impossible frames.
fn check_frame(f: &ast::WindowFrame) -> Result<()> {
    use ast::FrameBound as B;
    if matches!(f.start, B::UnboundedFollowing) {
        return Err(windowing("frame start cannot be UNBOUNDED FOLLOWING", f.start_loc));
    }
    let Some(end) = &f.end else {
        if matches!(f.start, B::Following(_)) {
            return Err(windowing("frame starting from following row cannot end with current row", f.start_loc));
        }
        return Ok(());
    };
    if matches!(end, B::UnboundedPreceding) {
        return Err(windowing("frame end cannot be UNBOUNDED PRECEDING", f.end_loc));
    }
    if matches!(f.start, B::CurrentRow) && matches!(end, B::Preceding(_)) {
        return Err(windowing("frame starting from current row cannot have preceding rows", f.end_loc));
    }
    if matches!(f.start, B::Following(_)) && matches!(end, B::Preceding(_) | B::CurrentRow) {
        return Err(windowing("frame starting from following row cannot have preceding rows", f.end_loc));
    }
    Ok(())
}

/// The frame checks for every window written in one SELECT (its WINDOW
/// clause and the OVER clauses of its select list and ORDER BY), made
/// before binding it as the grammar would.
pub(crate) fn check_frames(core: &ast::SimpleSelect, order_by: &[ast::SortBy]) -> Result<()> {
    let mut result = Ok(());
    for d in &core.windows {
        if let Some(f) = &d.spec.frame {
            check_frame(f)?;
        }
    }
    let mut visit = |e: &AExpr| {
        super::select::visit_ast(e, &mut |x| {
            if let ast::ExprKind::Func(call) = &x.kind
                && let Some(f) = call.over.as_ref().and_then(|o| o.frame.as_ref())
                && result.is_ok()
            {
                result = check_frame(f);
            }
        })
    };
    for t in &core.targets {
        let ast::ResTarget::Expr { expr, .. } = t;
        visit(expr);
    }
    for s in order_by {
        visit(&s.expr);
    }
    result
}

/// PARTITION BY / ORDER BY merged from the referenced window, with PostgreSQL's copy rules.
fn merge_spec(defs: &[ast::WindowDef], visible: usize, spec: &ast::WindowSpec, depth: usize) -> Result<MergedSpec> {
    let Some(refname) = &spec.existing else {
        return Ok(MergedSpec { partition: spec.partition_by.clone(), order: spec.order_by.clone(), frame: spec.frame.clone() });
    };
    let Some(pos) = defs[..visible.min(defs.len())].iter().position(|d| d.name.as_deref() == Some(refname.as_str())) else {
        return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("window \"{refname}\" does not exist")).with_position(spec.loc));
    };
    if depth > 100 {
        return Err(Error::internal("window references nest too deeply"));
    }
    let base = merge_spec(defs, pos, &defs[pos].spec, depth + 1)?;
    if !spec.partition_by.is_empty() {
        return Err(windowing(format!("cannot override PARTITION BY clause of window \"{refname}\""), spec.loc));
    }
    if !spec.order_by.is_empty() && !base.order.is_empty() {
        return Err(windowing(format!("cannot override ORDER BY clause of window \"{refname}\""), spec.loc));
    }
    if base.frame.is_some() {
        let err = windowing(format!("cannot copy window \"{refname}\" because it has a frame clause"), spec.loc);
        let bare = spec.order_by.is_empty() && spec.frame.is_none();
        return Err(if bare { err.with_hint("Omit the parentheses in this OVER clause.") } else { err });
    }
    let order = if spec.order_by.is_empty() { base.order } else { spec.order_by.clone() };
    Ok(MergedSpec { partition: base.partition, order, frame: spec.frame.clone() })
}

impl<'a> Binder<'a> {
    /// `f(…) OVER …`: binds the call and returns the column holding its value.
    pub(crate) fn bind_window_call(&mut self, call: &ast::FuncCall, scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        let over = call.over.as_deref().ok_or_else(|| Error::internal("window call without OVER"))?;
        let fname = call.name.join(".");
        if call.within_group {
            return Err(Error::feature_not_supported("ordered-set aggregates are not supported yet").with_position(loc));
        }
        let depth = scope.depth();
        let level = self.agg_levels.iter().rposition(|l| l.depth == depth);
        let srfs_before = level.map(|i| self.agg_levels[i].srfs.len());
        // Arguments are bound in the surrounding context: sum(sum(x)) OVER () is fine.
        let mut args = Vec::new();
        for a in &call.args {
            let b = self.bind_expr(&a.value, scope, kind)?;
            args.push((a.name.clone(), b, a.value.loc));
        }
        let inputs: Vec<Oid> = args.iter().map(|(_, a, _)| a.ty().oid).collect();
        let names: Vec<Option<String>> = args.iter().map(|(n, _, _)| n.clone()).collect();
        let lookup = if call.agg_star {
            self.lookup_function(&call.name, &[], &[], false, false, loc)?
        } else {
            let arg_is_const = args.first().is_some_and(|(_, a, _)| a.is_const());
            self.lookup_function(&call.name, &inputs, &names, call.variadic, arg_is_const, loc)?
        };
        let not_window = || {
            Error::new(SqlState::WRONG_OBJECT_TYPE, format!("OVER specified, but {fname} is not a window function nor an aggregate function"))
                .with_position(loc)
        };
        let c = match lookup {
            FuncLookup::Coercion(_) => return Err(not_window()),
            FuncLookup::Func(c) => c,
        };
        if c.proc.kind != b'w' && c.proc.kind != b'a' {
            let not_agg = |what: String| Error::new(SqlState::WRONG_OBJECT_TYPE, what).with_position(loc);
            if call.agg_star {
                return Err(not_agg(format!("{fname}(*) specified, but {fname} is not an aggregate function")));
            }
            if call.distinct {
                return Err(not_agg(format!("DISTINCT specified, but {fname} is not an aggregate function")));
            }
            if !call.order_by.is_empty() {
                return Err(not_agg(format!("ORDER BY specified, but {fname} is not an aggregate function")));
            }
            if call.filter.is_some() {
                return Err(not_agg(format!("FILTER specified, but {fname} is not an aggregate function")));
            }
            return Err(not_window());
        }
        let is_agg = c.proc.kind == b'a';
        let agg_desc = if is_agg {
            let desc =
                self.catalog.aggregate(c.proc.oid).ok_or_else(|| Error::internal(format!("cache lookup failed for aggregate {}", c.proc.oid)))?;
            if desc.kind != b'n' {
                return Err(
                    Error::new(SqlState::WRONG_OBJECT_TYPE, format!("WITHIN GROUP is required for ordered-set aggregate {fname}")).with_position(loc)
                );
            }
            Some(desc)
        } else {
            None
        };
        if call.distinct {
            return Err(Error::feature_not_supported("DISTINCT is not implemented for window functions").with_position(loc));
        }
        if is_agg && args.is_empty() && !call.agg_star {
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("{fname}(*) must be used to call a parameterless aggregate function"))
                .with_position(loc));
        }
        if !call.order_by.is_empty() {
            return Err(Error::feature_not_supported("aggregate ORDER BY is not implemented for window functions").with_position(loc));
        }
        if !is_agg && call.filter.is_some() {
            return Err(Error::feature_not_supported("FILTER is not implemented for non-aggregate window functions").with_position(loc));
        }
        if let (Some(i), Some(n)) = (level, srfs_before)
            && self.agg_levels[i].srfs.len() > n
        {
            return Err(Error::feature_not_supported("window function calls cannot contain set-returning function calls")
                .with_hint("You might be able to move the set-returning function into a LATERAL FROM item.")
                .with_position(args.first().map_or(loc, |(_, _, l)| *l)));
        }
        if c.proc.retset {
            return Err(Error::new(SqlState::INVALID_FUNCTION_DEFINITION, "window functions cannot return sets").with_position(loc));
        }
        // transformWindowFuncCall: no nesting, and only where window functions may appear.
        if let Some(i) = level {
            let calls = &self.agg_levels[i].windows.calls;
            let mut nested = None;
            for (_, a, _) in &args {
                a.walk(&mut |x| {
                    if let ScalarExpr::Column { id, .. } = x
                        && nested.is_none()
                    {
                        nested = calls.iter().find(|(c, _)| c == id).map(|(_, l)| *l);
                    }
                });
            }
            if let Some(l) = nested {
                return Err(windowing("window function calls cannot be nested", l));
            }
        }
        match kind {
            ExprKind::SelectTarget | ExprKind::OrderBy | ExprKind::DistinctOn => {}
            ExprKind::AggArgument => {
                return Err(Error::new(SqlState::GROUPING_ERROR, "aggregate function calls cannot contain window function calls").with_position(loc));
            }
            ExprKind::JoinOn => return Err(windowing("window functions are not allowed in JOIN conditions", loc)),
            ExprKind::FromFunction => return Err(windowing("window functions are not allowed in functions in FROM", loc)),
            ExprKind::WindowDef => return Err(windowing("window functions are not allowed in window definitions", loc)),
            other => return Err(windowing(format!("window functions are not allowed in {}", other.name()), loc)),
        }
        let Some(level) = level else {
            return Err(windowing("window functions are not allowed in this context", loc));
        };

        // The call itself, with its arguments coerced.
        let (func, arg_types) = self.candidate_ref(&c, &inputs, loc)?;
        let mut coerced = Vec::new();
        for ((_, a, l), t) in args.into_iter().zip(&arg_types) {
            coerced.push(self.coerce_implicit(a, SqlType::new(*t), l)?);
        }
        let wfunc = match agg_desc {
            Some(desc) => {
                let proc_name = |o: Oid| self.catalog.proc(o).map(|p| p.prosrc.clone()).unwrap_or_default();
                WindowFunc::Aggregate(Arc::new(AggRef {
                    oid: c.proc.oid,
                    name: c.proc.name.clone(),
                    arg_types: func.arg_types.clone(),
                    ret_type: func.ret_type,
                    transfn: proc_name(desc.transfn),
                    finalfn: if desc.finalfn == 0 { String::new() } else { proc_name(desc.finalfn) },
                    trans_type: SqlType::new(desc.transtype),
                    init_value: desc.initval.clone(),
                }))
            }
            None => match WindowBuiltin::from_prosrc(&c.proc.prosrc) {
                Some(b) => WindowFunc::Builtin(b),
                None => return Err(Error::feature_not_supported(format!("window function {} is not supported yet", c.proc.name)).with_position(loc)),
            },
        };
        let filter = match &call.filter {
            Some(f) => {
                let e = self.bind_expr(f, scope, ExprKind::AggArgument)?;
                Some(self.coerce_to_boolean(e, "FILTER", f.loc)?)
            }
            None => None,
        };
        let wcall = WindowCall { func: wfunc, name: c.proc.name.clone(), args: coerced, star: call.agg_star, filter, ret_type: func.ret_type };
        let clause = self.window_clause(over, scope, level)?;
        let windows = &mut self.agg_levels[level].windows;
        // Identical calls over the same window are computed once.
        if let Some((col, _)) = windows.clauses[clause].funcs.iter().find(|(_, f)| *f == wcall) {
            return Ok(ScalarExpr::Column { id: col.id, ty: col.ty });
        }
        let col = self.plan_column(c.proc.name.clone(), func.ret_type);
        let windows = &mut self.agg_levels[level].windows;
        windows.calls.push((col.id, loc));
        windows.clauses[clause].funcs.push((col.clone(), wcall));
        Ok(ScalarExpr::Column { id: col.id, ty: col.ty })
    }

    /// checkTargetlistEntrySQL92: a GROUP BY naming a select-list entry that holds a window call.
    pub(crate) fn check_no_window(&self, e: &ScalarExpr, what: &str) -> Result<()> {
        let Some(level) = self.agg_levels.last() else { return Ok(()) };
        let mut found = None;
        e.walk(&mut |x| {
            if let ScalarExpr::Column { id, .. } = x
                && found.is_none()
            {
                found = level.windows.calls.iter().find(|(c, _)| c == id).map(|(_, l)| *l);
            }
        });
        match found {
            Some(loc) => Err(windowing(format!("window functions are not allowed in {what}"), loc)),
            None => Ok(()),
        }
    }

    /// The clause an OVER refers to, bound and added on first use.
    fn window_clause(&mut self, over: &ast::WindowSpec, scope: &Scope, level: usize) -> Result<usize> {
        let defs = self.agg_levels[level].windows.defs.clone();
        if over.by_name {
            let name = over.existing.clone().unwrap_or_default();
            let Some(pos) = defs.iter().position(|d| d.name.as_deref() == Some(name.as_str())) else {
                return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("window \"{name}\" does not exist")).with_position(over.loc));
            };
            return self.named_clause(pos, scope, level);
        }
        let merged = merge_spec(&defs, defs.len(), over, 0)?;
        let spec = self.bind_merged(&merged, scope, over.loc)?;
        let windows = &mut self.agg_levels[level].windows;
        if let Some(i) = windows.clauses.iter().position(|c| c.named.is_none() && c.refname == over.existing && c.spec == spec) {
            return Ok(i);
        }
        let seq = windows.next_seq;
        windows.next_seq += 1;
        windows.clauses.push(WindowClause { named: None, refname: over.existing.clone(), seq, spec, funcs: vec![] });
        Ok(windows.clauses.len() - 1)
    }

    /// The clause of WINDOW-clause entry `pos`.
    fn named_clause(&mut self, pos: usize, scope: &Scope, level: usize) -> Result<usize> {
        if let Some(i) = self.agg_levels[level].windows.clauses.iter().position(|c| c.named == Some(pos)) {
            return Ok(i);
        }
        let def = self.agg_levels[level].windows.defs[pos].clone();
        let merged = merge_spec(&self.agg_levels[level].windows.defs, pos, &def.spec, 0)?;
        let spec = self.bind_merged(&merged, scope, def.spec.loc)?;
        let windows = &mut self.agg_levels[level].windows;
        windows.clauses.push(WindowClause { named: Some(pos), refname: def.spec.existing.clone(), seq: 0, spec, funcs: vec![] });
        Ok(windows.clauses.len() - 1)
    }

    /// transformWindowDefinitions for the WINDOW clause: duplicate names, and
    /// every definition is checked even if no call uses it.
    pub(crate) fn finish_window_clauses(&mut self, scope: &Scope) -> Result<()> {
        let depth = scope.depth();
        let Some(level) = self.agg_levels.iter().rposition(|l| l.depth == depth) else { return Ok(()) };
        let defs = self.agg_levels[level].windows.defs.clone();
        for (i, d) in defs.iter().enumerate() {
            if let Some(name) = &d.name
                && defs[..i].iter().any(|p| p.name.as_ref() == Some(name))
            {
                return Err(windowing(format!("window \"{name}\" is already defined"), d.spec.loc));
            }
            self.named_clause(i, scope, level)?;
        }
        Ok(())
    }

    fn bind_merged(&mut self, m: &MergedSpec, scope: &Scope, loc: usize) -> Result<WindowSpec> {
        let mut partition_by: Vec<ScalarExpr> = Vec::new();
        for e in &m.partition {
            let x = self.bind_expr(e, scope, ExprKind::WindowDef)?;
            let x = self.resolve_unknown_to_text(x)?;
            // transformGroupClause: the type needs an equality operator.
            let t = x.ty().oid;
            let probe = ScalarExpr::null(SqlType::new(t));
            if t != oid::UNKNOWN && self.make_operator(&["=".into()], Some(probe.clone()), probe, e.loc).is_err() {
                return Err(Error::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!("could not identify an equality operator for type {}", self.type_name_oid(t)),
                )
                .with_position(e.loc));
            }
            if !partition_by.contains(&x) {
                partition_by.push(x);
            }
        }
        let mut order_by: Vec<SortKey> = Vec::new();
        for s in &m.order {
            let x = self.bind_expr(&s.expr, scope, ExprKind::WindowDef)?;
            let x = self.resolve_unknown_to_text(x)?;
            let key = self.sort_key(x, s)?;
            if !order_by.iter().any(|k| k.expr == key.expr) {
                order_by.push(key);
            }
        }
        let frame = self.bind_frame(m.frame.as_ref(), &order_by, scope, loc)?;
        Ok(WindowSpec { partition_by, order_by, frame })
    }

    fn bind_frame(&mut self, f: Option<&ast::WindowFrame>, order: &[SortKey], scope: &Scope, loc: usize) -> Result<WindowFrame> {
        let Some(f) = f else { return Ok(WindowFrame::default_frame()) };
        let mode = match f.mode {
            ast::FrameMode::Rows => FrameMode::Rows,
            ast::FrameMode::Range => FrameMode::Range,
            ast::FrameMode::Groups => FrameMode::Groups,
        };
        let is_offset = |b: &ast::FrameBound| matches!(b, ast::FrameBound::Preceding(_) | ast::FrameBound::Following(_));
        if mode == FrameMode::Range && (is_offset(&f.start) || f.end.as_ref().is_some_and(is_offset)) && order.len() != 1 {
            return Err(windowing("RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column", loc));
        }
        if mode == FrameMode::Groups && order.is_empty() {
            return Err(windowing("GROUPS mode requires an ORDER BY clause", loc));
        }
        let start = self.bind_frame_bound(&f.start, mode, order, scope)?;
        let end = match &f.end {
            Some(e) => self.bind_frame_bound(e, mode, order, scope)?,
            None => FrameBound::CurrentRow,
        };
        let exclusion = match f.exclusion {
            ast::FrameExclusion::None => FrameExclusion::NoOthers,
            ast::FrameExclusion::CurrentRow => FrameExclusion::CurrentRow,
            ast::FrameExclusion::Group => FrameExclusion::Group,
            ast::FrameExclusion::Ties => FrameExclusion::Ties,
        };
        Ok(WindowFrame { mode, start, end, exclusion })
    }

    fn bind_frame_bound(&mut self, b: &ast::FrameBound, mode: FrameMode, order: &[SortKey], scope: &Scope) -> Result<FrameBound> {
        let (e, preceding) = match b {
            ast::FrameBound::UnboundedPreceding => return Ok(FrameBound::UnboundedPreceding),
            ast::FrameBound::CurrentRow => return Ok(FrameBound::CurrentRow),
            ast::FrameBound::UnboundedFollowing => return Ok(FrameBound::UnboundedFollowing),
            ast::FrameBound::Preceding(e) => (e, true),
            ast::FrameBound::Following(e) => (e, false),
        };
        let construct = match mode {
            FrameMode::Rows => "ROWS",
            FrameMode::Range => "RANGE",
            FrameMode::Groups => "GROUPS",
        };
        let x = self.bind_expr(e, scope, ExprKind::WindowDef)?;
        // EXPR_KIND_WINDOW_FRAME_*: no aggregates.
        let cols = x.columns();
        if let Some(level) = self.agg_levels.last()
            && level.aggs.iter().any(|(c, _)| cols.contains(&c.id))
        {
            // The aggregate call written in the offset (an identical one elsewhere is shared).
            let mut loc = None;
            super::select::visit_ast(e, &mut |x| {
                if loc.is_none() && matches!(x.kind, ast::ExprKind::Func(_)) {
                    loc = Some(x.loc);
                }
            });
            let loc = loc.unwrap_or(e.loc);
            return Err(Error::new(SqlState::GROUPING_ERROR, format!("aggregate functions are not allowed in window {construct}")).with_position(loc));
        }
        let (offset, range) = if mode == FrameMode::Range {
            let (offset, range) = self.bind_range_offset(x, expr_location(e), preceding, &order[0])?;
            (offset, Some(Box::new(range)))
        } else {
            let t = x.ty().oid;
            if t != oid::UNKNOWN && t != oid::INT8 && !self.resolver.can_coerce(t, oid::INT8, CoercionContext::Assignment) {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("argument of {construct} must be type bigint, not type {}", self.type_name_oid(t)),
                )
                .with_position(expr_location(e)));
            }
            (self.coerce_to(x, SqlType::INT8, CoercionContext::Assignment, e.loc)?, None)
        };
        // checkExprIsVarFree
        if offset.columns().iter().any(|c| scope.level_of(*c) == Some(0)) {
            return Err(
                Error::new(SqlState::INVALID_COLUMN_REFERENCE, format!("argument of {construct} must not contain variables")).with_position(e.loc)
            );
        }
        Ok(if preceding { FrameBound::Preceding { offset, range } } else { FrameBound::Following { offset, range } })
    }

    /// RANGE offset: picks the in_range support function's offset type for
    /// the ORDER BY column's type, and spells in_range's `base ± offset` out
    /// as expressions in a type wide enough not to overflow.
    fn bind_range_offset(&mut self, x: ScalarExpr, loc: usize, preceding: bool, key: &SortKey) -> Result<(ScalarExpr, RangeOffset)> {
        let col_type = self.resolver.base_type(key.expr.ty().oid);
        let opc_type = if col_type == oid::VARCHAR { oid::TEXT } else { col_type };
        // pg_amproc's in_range functions for the column type, by offset type (in OID order).
        let (offset_types, cmp_type): (&[Oid], Oid) = match col_type {
            oid::INT2 | oid::INT4 => (&[oid::INT8, oid::INT2, oid::INT4], oid::INT8),
            oid::INT8 => (&[oid::INT8], oid::INT8),
            oid::FLOAT4 | oid::FLOAT8 => (&[oid::FLOAT8], oid::FLOAT8),
            oid::NUMERIC => (&[oid::NUMERIC], oid::NUMERIC),
            oid::DATE => (&[oid::INTERVAL], oid::TIMESTAMP),
            oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::INTERVAL => (&[oid::INTERVAL], col_type),
            // in_range_time_interval adds without wrapping around midnight: compare as intervals.
            oid::TIME => (&[oid::INTERVAL], oid::INTERVAL),
            oid::TIMETZ => (&[oid::INTERVAL], 0),
            _ => (&[], 0),
        };
        let node_type = x.ty().oid;
        if offset_types.is_empty() {
            return Err(Error::feature_not_supported(format!(
                "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                self.type_name_oid(opc_type)
            ))
            .with_position(loc));
        }
        let preferred = if node_type != oid::UNKNOWN { node_type } else { opc_type };
        let mut selected = 0;
        let mut matches = 0;
        for t in offset_types {
            if !self.resolver.can_coerce(node_type, *t, CoercionContext::Implicit) {
                continue;
            }
            matches += 1;
            if selected != preferred {
                selected = *t;
            }
        }
        if matches == 0 {
            return Err(Error::feature_not_supported(format!(
                "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {} and offset type {}",
                self.type_name_oid(opc_type),
                self.type_name_oid(node_type)
            ))
            .with_hint("Cast the offset value to an appropriate type.")
            .with_position(loc));
        }
        if matches != 1 && selected != preferred {
            return Err(Error::feature_not_supported(format!(
                "RANGE with offset PRECEDING/FOLLOWING has multiple interpretations for column type {} and offset type {}",
                self.type_name_oid(opc_type),
                self.type_name_oid(node_type)
            ))
            .with_hint("Cast the offset value to the exact intended type.")
            .with_position(loc));
        }
        if cmp_type == 0 {
            return Err(Error::feature_not_supported(format!(
                "RANGE with offset PRECEDING/FOLLOWING is not supported yet for column type {}",
                self.type_name_oid(opc_type)
            ))
            .with_position(loc));
        }
        let offset = self.coerce_to(x, SqlType::new(selected), CoercionContext::Assignment, loc)?;
        let zero = self.coerce_explicit(ScalarExpr::Const { value: Datum::Text("0".into()), ty: SqlType::UNKNOWN }, SqlType::new(selected), loc)?;
        let negative = self.make_operator(&["<".into()], Some(offset.clone()), zero, loc)?;
        let cmp = SqlType::new(cmp_type);
        let key_expr = if key.expr.ty().oid == cmp_type { key.expr.clone() } else { self.coerce_implicit(key.expr.clone(), cmp, loc)? };
        let off = if selected == cmp_type || selected == oid::INTERVAL { offset.clone() } else { self.coerce_implicit(offset.clone(), cmp, loc)? };
        // in_range's `sub`: subtract for PRECEDING, flipped for a descending key.
        let sub = preceding != key.descending;
        let bound = self.make_operator(&[if sub { "-" } else { "+" }.into()], Some(key_expr.clone()), off, loc)?;
        let bound = if bound.ty().oid == cmp_type { bound } else { self.coerce_implicit(bound, cmp, loc)? };
        Ok((offset, RangeOffset { key: key_expr, bound, negative }))
    }

    /// The Window nodes of a query level over `plan` (after GROUP BY and
    /// HAVING), in the order PostgreSQL's planner stacks them. `earlier`:
    /// the ORDER BY, GROUP BY and DISTINCT ON expressions, which number
    /// their sort-group references before the windows do. Returns the plan
    /// and the order its rows come out in.
    pub(crate) fn plan_windows(&mut self, plan: LogicalPlan, windows: WindowLevel, earlier: &[ScalarExpr]) -> (LogicalPlan, Vec<SortKey>) {
        let mut refs: Vec<ScalarExpr> = Vec::new();
        let mut ref_of = |e: &ScalarExpr| -> usize {
            match refs.iter().position(|r| r == e) {
                Some(p) => p + 1,
                None => {
                    refs.push(e.clone());
                    refs.len()
                }
            }
        };
        for e in earlier {
            ref_of(e);
        }
        let mut clauses = windows.clauses;
        // p_windowdefs order: the WINDOW clause, then inline windows as met.
        clauses.sort_by_key(|c| match c.named {
            Some(p) => (0, p),
            None => (1, c.seq),
        });
        // select_active_windows: partition keys then ORDER BY keys not among
        // them, as (sort-group ref, descending, nulls first).
        let mut active: Vec<(Vec<SortRef>, WindowClause)> = Vec::new();
        for c in clauses {
            let mut unique: Vec<SortRef> = Vec::new();
            let mut seen: Vec<usize> = Vec::new();
            for e in &c.spec.partition_by {
                let r = ref_of(e);
                seen.push(r);
                unique.push((r, false, false));
            }
            for k in &c.spec.order_by {
                let r = ref_of(&k.expr);
                if !seen.contains(&r) {
                    unique.push((r, k.descending, k.nulls_first));
                }
            }
            if !c.funcs.is_empty() {
                active.push((unique, c));
            }
        }
        // common_prefix_cmp, as a stable insertion sort (pg_qsort on few elements).
        let cmp = |a: &[SortRef], b: &[SortRef]| -> std::cmp::Ordering {
            for (x, y) in a.iter().zip(b) {
                let o = y.0.cmp(&x.0).then(y.1.cmp(&x.1)).then(y.2.cmp(&x.2));
                if o.is_ne() {
                    return o;
                }
            }
            b.len().cmp(&a.len())
        };
        for i in 1..active.len() {
            let mut j = i;
            while j > 0 && cmp(&active[j - 1].0, &active[j].0).is_gt() {
                active.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut plan = plan;
        let mut order: Vec<SortKey> = Vec::new();
        for (_, c) in active {
            let keys = c.spec.sort_keys();
            let sorted = keys.len() <= order.len() && keys.iter().zip(&order).all(|(a, b)| a == b);
            if !sorted {
                plan = LogicalPlan::Sort { input: Box::new(plan), keys: keys.clone() };
                order = keys;
            }
            plan = LogicalPlan::Window { input: Box::new(plan), spec: c.spec, funcs: c.funcs };
        }
        (plan, order)
    }
}
