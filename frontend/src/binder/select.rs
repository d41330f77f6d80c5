//! SELECT, VALUES, set operations, CTEs and FROM clauses
//! (PostgreSQL's transformSelectStmt, transformSetOperationTree,
//! transformFromClause, parseCheckAggregates).

use std::collections::HashMap;
use std::sync::Arc;

use oa_grammar::ast::{self, Expr as AExpr, ExprKind as A};
use oa_ir::catalog::{RelKind, RelationDesc};
use oa_ir::datum::Datum;
use oa_ir::expr::{ColumnId, ScalarExpr, SortKey};
use oa_ir::plan::{CTID_ATTNUM, JoinKind, LogicalPlan, PlanColumn, ScanColumn, SetOpKind, SrfCall, TABLEOID_ATTNUM};
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use super::expr::{AggLevel, ExprKind};
use super::scope::EntryColumn;
use super::{Binder, Query, QueryColumn, RangeEntry, Scope};

/// A WITH entry visible to FROM clauses.
#[derive(Clone, Debug)]
pub(crate) struct CteDef {
    pub name: String,
    pub columns: Vec<QueryColumn>,
    pub plan: LogicalPlan,
    /// While binding the recursive term: the work table standing for the CTE.
    pub worktable: Option<u32>,
    /// False for a data-modifying WITH query without RETURNING (it cannot be read).
    pub returning: bool,
}

/// One bound select-list entry.
struct Target {
    name: String,
    expr: ScalarExpr,
    table: Oid,
    attnum: i16,
    loc: usize,
}

impl<'a> Binder<'a> {
    /// The plan of a query whose visible columns are exactly `q.columns`.
    pub fn finish_query(&mut self, q: Query) -> Result<LogicalPlan> {
        Ok(q.plan)
    }

    pub fn finish_subquery(&mut self, q: Query) -> Result<LogicalPlan> {
        Ok(q.plan)
    }

    pub fn bind_select(&mut self, s: &ast::SelectStmt, parent: Option<&Scope>) -> Result<Query> {
        self.bind_select_opts(s, parent, true)
    }

    /// `resolve_unknowns` is false where the caller resolves unknown-typed
    /// output columns itself (set-operation branches, INSERT … SELECT).
    pub fn bind_select_opts(&mut self, s: &ast::SelectStmt, parent: Option<&Scope>, resolve_unknowns: bool) -> Result<Query> {
        self.level += 1;
        let result = self.bind_select_level(s, parent, resolve_unknowns);
        self.level -= 1;
        let mut q = result?;
        if self.level == 0 {
            q.plan = self.wrap_modifying_ctes(q.plan);
        }
        Ok(q)
    }

    fn bind_select_level(&mut self, s: &ast::SelectStmt, parent: Option<&Scope>, resolve_unknowns: bool) -> Result<Query> {
        let frames = self.ctes.len();
        let result = match &s.with {
            Some(w) => self.bind_with(w, parent).and_then(|()| self.bind_select_body(s, parent, resolve_unknowns)),
            None => self.bind_select_body(s, parent, resolve_unknowns),
        };
        self.ctes.truncate(frames);
        result
    }

    /// The top-level statement's plan under its data-modifying WITH queries,
    /// in the order written (those nothing reads run after the statement).
    pub(crate) fn wrap_modifying_ctes(&mut self, plan: LogicalPlan) -> LogicalPlan {
        let mut plan = plan;
        for (id, name, cte, read) in std::mem::take(&mut self.modifying_ctes).into_iter().rev() {
            plan = LogicalPlan::WithCte { id, name, deferred: !read, cte: Box::new(cte), input: Box::new(plan) };
        }
        plan
    }

    fn bind_select_body(&mut self, s: &ast::SelectStmt, parent: Option<&Scope>, resolve_unknowns: bool) -> Result<Query> {
        if let Some(l) = s.locking.first() {
            let _ = l; // Row locks: with one writer at a time, reading the rows is enough.
        }
        let mut q = match &s.body {
            ast::SetExpr::Select(core) => {
                return self.bind_simple_select(core, &s.order_by, s.limit.as_ref(), parent, resolve_unknowns);
            }
            ast::SetExpr::Values(rows) => self.bind_values(rows, parent, resolve_unknowns)?,
            ast::SetExpr::SetOp { .. } => self.bind_set_expr(&s.body, parent)?,
            ast::SetExpr::Query(inner) => self.bind_select_opts(inner, parent, resolve_unknowns)?,
        };
        // ORDER BY on VALUES or a set operation: output columns only.
        if !s.order_by.is_empty() {
            let mut keys = Vec::new();
            for item in &s.order_by {
                let e = self.output_column_ref(&q, &item.expr, matches!(s.body, ast::SetExpr::SetOp { .. }))?;
                keys.push(self.sort_key(e, item)?);
            }
            q.plan = LogicalPlan::Sort { input: Box::new(q.plan), keys };
        }
        if let Some(limit) = &s.limit {
            let keys = match &q.plan {
                LogicalPlan::Sort { keys, .. } if limit.with_ties => keys.clone(),
                _ => vec![],
            };
            q.plan = self.apply_limit(q.plan, limit, keys)?;
        }
        Ok(q)
    }

    /// An ORDER BY item that must name an output column (by name or position).
    fn output_column_ref(&mut self, q: &Query, e: &AExpr, setop: bool) -> Result<ScalarExpr> {
        match &e.kind {
            A::Literal(ast::Literal::Integer(n)) => {
                let idx = *n as usize;
                if *n < 1 || idx > q.columns.len() {
                    return Err(
                        Error::new(SqlState::INVALID_COLUMN_REFERENCE, format!("ORDER BY position {n} is not in select list")).with_position(e.loc)
                    );
                }
                let c = &q.columns[idx - 1];
                Ok(ScalarExpr::Column { id: c.id, ty: c.ty })
            }
            A::ColumnRef(f) if f.len() == 1 => {
                let ast::ColumnField::Name(name) = &f[0] else {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "invalid ORDER BY").with_position(e.loc));
                };
                let found: Vec<&QueryColumn> = q.columns.iter().filter(|c| &c.name == name).collect();
                match found.as_slice() {
                    [c] => Ok(ScalarExpr::Column { id: c.id, ty: c.ty }),
                    [] => Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" does not exist")).with_position(e.loc)),
                    _ => Err(Error::new(SqlState::AMBIGUOUS_COLUMN, format!("ORDER BY \"{name}\" is ambiguous")).with_position(e.loc)),
                }
            }
            _ if setop => Err(Error::feature_not_supported("invalid UNION/INTERSECT/EXCEPT ORDER BY clause")
                .with_detail("Only result column names can be used, not expressions or functions.")
                .with_hint("Add the expression/function to every SELECT, or move the UNION into a FROM clause.")
                .with_position(e.loc)),
            _ => {
                // ORDER BY an expression over VALUES output: bind against the output columns.
                let mut scope = Scope::new(None);
                scope.entries.push(RangeEntry {
                    name: Some("*VALUES*".into()),
                    table: None,
                    columns: q
                        .columns
                        .iter()
                        .map(|c| EntryColumn { name: c.name.clone(), id: c.id, ty: c.ty, qualified_only: false, system: false, table: 0, attnum: 0 })
                        .collect(),
                    location: 0,
                });
                let x = self.bind_expr(e, &scope, ExprKind::OrderBy)?;
                self.resolve_unknown_to_text(x)
            }
        }
    }

    pub(crate) fn sort_key(&mut self, e: ScalarExpr, item: &ast::SortBy) -> Result<SortKey> {
        let (descending, using_gt) = match &item.dir {
            ast::SortDir::Default | ast::SortDir::Asc => (false, false),
            ast::SortDir::Desc => (true, false),
            ast::SortDir::Using(op) => match op.last().map(String::as_str) {
                Some("<") => (false, false),
                Some(">") => (true, true),
                _ => {
                    return Err(
                        Error::feature_not_supported("ORDER BY USING with operators other than < and > is not supported yet").with_position(item.loc)
                    );
                }
            },
        };
        let _ = using_gt;
        // The type must have a default ordering (a btree opclass), e.g. not json.
        let t = e.ty().oid;
        if t != oid::UNKNOWN {
            let probe = ScalarExpr::null(SqlType::new(t));
            if self.make_operator(&["<".into()], Some(probe.clone()), probe, item.loc).is_err() {
                return Err(Error::new(
                    SqlState::UNDEFINED_FUNCTION,
                    format!("could not identify an ordering operator for type {}", self.type_name_oid(t)),
                )
                .with_hint("Use an explicit ordering operator or modify the query.")
                .with_position(item.loc));
            }
        }
        Ok(SortKey::new(e, descending, item.nulls.map(|n| n == ast::NullsOrder::First)))
    }

    fn apply_limit(&mut self, plan: LogicalPlan, limit: &ast::LimitClause, ties: Vec<SortKey>) -> Result<LogicalPlan> {
        let empty = Scope::new(None);
        let bind = |b: &mut Self, e: &Option<AExpr>, kind: ExprKind, what: &str| -> Result<Option<ScalarExpr>> {
            let Some(e) = e else { return Ok(None) };
            let x = b.bind_expr(e, &empty, kind).map_err(|err| {
                if err.code == SqlState::UNDEFINED_COLUMN || err.code == SqlState::UNDEFINED_TABLE {
                    Error::new(SqlState::INVALID_COLUMN_REFERENCE, format!("argument of {what} must not contain variables")).with_position(e.loc)
                } else {
                    err
                }
            })?;
            if let ScalarExpr::Const { value: Datum::Null, .. } = &x
                && what == "LIMIT"
            {
                return Ok(None);
            }
            let t = x.ty().oid;
            if t != oid::UNKNOWN && t != oid::INT8 && !b.resolver.can_coerce(t, oid::INT8, crate::resolve::CoercionContext::Assignment) {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("argument of {what} must be type bigint, not type {}", b.type_name_oid(t)),
                )
                .with_position(e.loc));
            }
            Ok(Some(b.coerce_to(x, SqlType::INT8, crate::resolve::CoercionContext::Assignment, e.loc)?))
        };
        let l = bind(self, &limit.limit, ExprKind::Limit, "LIMIT")?;
        let o = bind(self, &limit.offset, ExprKind::Offset, "OFFSET")?;
        if l.is_none() && o.is_none() {
            return Ok(plan);
        }
        Ok(LogicalPlan::Limit { input: Box::new(plan), limit: l, offset: o, with_ties: if limit.with_ties { ties } else { vec![] } })
    }

    pub(crate) fn bind_with(&mut self, w: &ast::WithClause, parent: Option<&Scope>) -> Result<()> {
        self.ctes.push(Vec::new());
        for cte in &w.ctes {
            if self.ctes.last().is_some_and(|f| f.iter().any(|c| c.name == cte.name)) {
                return Err(Error::new(SqlState::DUPLICATE_ALIAS, format!("WITH query name \"{}\" specified more than once", cte.name))
                    .with_position(cte.loc));
            }
            if cte.search.is_some() || cte.cycle.is_some() {
                return Err(Error::feature_not_supported("SEARCH and CYCLE clauses are not supported yet").with_position(cte.loc));
            }
            let sel = match cte.query.as_ref() {
                ast::Statement::Select(sel) => sel,
                dml @ (ast::Statement::Insert(_) | ast::Statement::Update(_) | ast::Statement::Delete(_)) => {
                    let def = self.bind_modifying_cte(cte, dml)?;
                    if let Some(frame) = self.ctes.last_mut() {
                        frame.push(def);
                    }
                    continue;
                }
                _ => return Err(Error::internal("WITH query is not a query")),
            };
            let def = if w.recursive && references_name(sel, &cte.name) {
                self.bind_recursive_cte(cte, sel, parent)?
            } else {
                let q = self.bind_select(sel, parent)?;
                self.make_cte_def(&cte.name, &cte.columns, q, cte.loc)?
            };
            if let Some(frame) = self.ctes.last_mut() {
                frame.push(def);
            }
        }
        Ok(())
    }

    /// A data-modifying WITH query (INSERT/UPDATE/DELETE … [RETURNING]): only
    /// at the top level; it runs once, to completion (before the main query,
    /// or after it when nothing reads it), and its RETURNING rows are what
    /// its references read.
    fn bind_modifying_cte(&mut self, cte: &ast::CommonTableExpr, stmt: &ast::Statement) -> Result<CteDef> {
        if self.level > 1 {
            return Err(
                Error::feature_not_supported("WITH clause containing a data-modifying statement must be at the top level").with_position(cte.loc)
            );
        }
        let (plan, result) = match stmt {
            ast::Statement::Insert(s) => self.bind_insert(s)?,
            ast::Statement::Update(s) => self.bind_update(s)?,
            ast::Statement::Delete(s) => self.bind_delete(s)?,
            _ => return Err(Error::internal("not a data-modifying statement")),
        };
        let id = self.new_worktable();
        let scan_cols: Vec<PlanColumn> = result.iter().map(|c| self.plan_column(c.name.clone(), c.ty)).collect();
        let columns = scan_cols
            .iter()
            .zip(&result)
            .map(|(p, r)| QueryColumn { name: r.name.clone(), id: p.id, ty: p.ty, table: r.table, attnum: r.attnum })
            .collect();
        self.modifying_ctes.push((id, cte.name.clone(), plan, false));
        let q = Query { plan: LogicalPlan::CteScan { id, name: cte.name.clone(), columns: scan_cols }, columns };
        let mut def = self.make_cte_def(&cte.name, &cte.columns, q, cte.loc)?;
        def.returning = !result.is_empty();
        Ok(def)
    }

    fn make_cte_def(&mut self, name: &str, aliases: &[String], q: Query, loc: usize) -> Result<CteDef> {
        if aliases.len() > q.columns.len() {
            return Err(Error::new(
                SqlState::INVALID_COLUMN_REFERENCE,
                format!("WITH query \"{name}\" has {} columns available but {} columns specified", q.columns.len(), aliases.len()),
            )
            .with_position(loc));
        }
        let mut columns = q.columns;
        for (c, a) in columns.iter_mut().zip(aliases) {
            c.name = a.clone();
        }
        Ok(CteDef { name: name.to_string(), columns, plan: q.plan, worktable: None, returning: true })
    }

    fn bind_recursive_cte(&mut self, cte: &ast::CommonTableExpr, sel: &ast::SelectStmt, parent: Option<&Scope>) -> Result<CteDef> {
        let (all, left, right) = match &sel.body {
            ast::SetExpr::SetOp { op: ast::SetOp::Union, all, left, right, .. } if sel.order_by.is_empty() && sel.limit.is_none() => {
                (*all, left, right)
            }
            _ => {
                return Err(Error::new(
                    SqlState::INVALID_RECURSION,
                    format!("recursive query \"{}\" does not have the form non-recursive-term UNION [ALL] recursive-term", cte.name),
                )
                .with_position(cte.loc));
            }
        };
        let base_stmt = ast::SelectStmt::simple((**left).clone(), sel.loc);
        if references_name(&base_stmt, &cte.name) {
            return Err(Error::new(
                SqlState::INVALID_RECURSION,
                format!("recursive reference to query \"{}\" must not appear within its non-recursive term", cte.name),
            )
            .with_position(cte.loc));
        }
        let base = self.bind_select(&base_stmt, parent)?;
        if cte.columns.len() > base.columns.len() {
            return Err(Error::new(
                SqlState::INVALID_COLUMN_REFERENCE,
                format!("WITH query \"{}\" has {} columns available but {} columns specified", cte.name, base.columns.len(), cte.columns.len()),
            )
            .with_position(cte.loc));
        }
        let names: Vec<String> =
            base.columns.iter().enumerate().map(|(i, c)| cte.columns.get(i).cloned().unwrap_or_else(|| c.name.clone())).collect();
        // The recursive term reads the previous iteration's rows from a work table.
        let id = self.new_worktable();
        let wt_cols: Vec<PlanColumn> = base.columns.iter().zip(&names).map(|(c, n)| self.plan_column(n.clone(), c.ty)).collect();
        let wt_query_cols: Vec<QueryColumn> =
            wt_cols.iter().map(|c| QueryColumn { name: c.name.clone(), id: c.id, ty: c.ty, table: 0, attnum: 0 }).collect();
        if let Some(frame) = self.ctes.last_mut() {
            frame.push(CteDef {
                name: cte.name.clone(),
                columns: wt_query_cols,
                plan: LogicalPlan::WorkTable { id, columns: wt_cols },
                worktable: Some(id),
                returning: true,
            });
        }
        let rec_stmt = ast::SelectStmt::simple((**right).clone(), sel.loc);
        check_recursive_term(&rec_stmt, &cte.name)?;
        let rec = self.bind_select(&rec_stmt, parent);
        if let Some(frame) = self.ctes.last_mut() {
            frame.pop();
        }
        let rec = rec?;
        if rec.columns.len() != base.columns.len() {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "each UNION query must have the same number of columns").with_position(sel.loc));
        }
        // The UNION's column types come from both terms; they must be the
        // non-recursive term's (analyzeCTE).
        let mut types = Vec::with_capacity(base.columns.len());
        for (i, (b, r)) in base.columns.iter().zip(&rec.columns).enumerate() {
            let eb = ScalarExpr::Column { id: b.id, ty: b.ty };
            let er = ScalarExpr::Column { id: r.id, ty: r.ty };
            let common = self.common_type(&[(&eb, set_column_loc(left, i, sel.loc)), (&er, set_column_loc(right, i, sel.loc))], "UNION")?;
            if b.ty.oid != common.oid {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!(
                        "recursive query \"{}\" column {} has type {} in non-recursive term but type {} overall",
                        cte.name,
                        i + 1,
                        self.type_name(b.ty),
                        self.type_name(SqlType::new(common.oid))
                    ),
                )
                .with_hint("Cast the output of the non-recursive term to the correct type.")
                .with_position(cte.loc));
            }
            let _ = i;
            types.push(b.ty);
        }
        let rec_plan = self.coerce_query_columns(rec.clone(), &types, "UNION")?;
        let rec = Query { plan: rec_plan, columns: rec.columns };
        // Output columns map positionally onto both terms' columns.
        let columns: Vec<PlanColumn> = base.columns.iter().zip(&names).map(|(c, n)| self.plan_column(n.clone(), c.ty)).collect();
        let qcols = columns.iter().map(|c| QueryColumn { name: c.name.clone(), id: c.id, ty: c.ty, table: 0, attnum: 0 }).collect();
        let plan = LogicalPlan::RecursiveUnion { id, all, base: Box::new(base.plan), recursive: Box::new(rec.plan), columns };
        Ok(CteDef { name: cte.name.clone(), columns: qcols, plan, worktable: None, returning: true })
    }

    /// hasSelfRefRTEs: this level's FROM reads the work table of a recursive query being bound.
    fn has_self_reference(&self, scope: &Scope) -> bool {
        self.ctes
            .iter()
            .flatten()
            .filter(|c| c.worktable.is_some())
            .any(|c| scope.entries.iter().any(|e| e.columns.iter().any(|ec| c.columns.iter().any(|cc| cc.id == ec.id))))
    }

    fn lookup_cte(&self, name: &str) -> Option<CteDef> {
        self.ctes.iter().rev().find_map(|frame| frame.iter().rev().find(|c| c.name == name).cloned())
    }

    fn bind_values(&mut self, rows: &[Vec<AExpr>], parent: Option<&Scope>, resolve_unknowns: bool) -> Result<Query> {
        let scope = Scope::new(parent);
        let width = rows.first().map_or(0, |r| r.len());
        let mut bound: Vec<Vec<(ScalarExpr, usize)>> = Vec::new();
        for row in rows {
            if row.len() != width {
                return Err(
                    Error::new(SqlState::SYNTAX_ERROR, "VALUES lists must all be the same length").with_position(row.first().map_or(0, |e| e.loc))
                );
            }
            let mut r = Vec::new();
            for e in row {
                if matches!(e.kind, A::Default) {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "DEFAULT is not allowed in this context").with_position(e.loc));
                }
                r.push((self.bind_expr(e, &scope, ExprKind::Values)?, e.loc));
            }
            bound.push(r);
        }
        let mut columns = Vec::new();
        for i in 0..width {
            let refs: Vec<(&ScalarExpr, usize)> = bound.iter().map(|r| (&r[i].0, r[i].1)).collect();
            let mut ty = self.common_type(&refs, "VALUES")?;
            if ty.oid == oid::UNKNOWN && resolve_unknowns {
                ty = SqlType::TEXT;
            }
            let all_unknown = refs.iter().all(|(e, _)| e.ty().oid == oid::UNKNOWN);
            let ty = if all_unknown && !resolve_unknowns { SqlType::UNKNOWN } else { ty };
            columns.push(self.plan_column(format!("column{}", i + 1), ty));
        }
        let mut out_rows = Vec::new();
        for row in bound {
            let mut r = Vec::new();
            for (i, (e, l)) in row.into_iter().enumerate() {
                let ty = columns[i].ty;
                r.push(if ty.oid == oid::UNKNOWN { e } else { self.coerce_to_common(e, ty, "VALUES", l)? });
            }
            out_rows.push(r);
        }
        let qcols = columns.iter().map(|c| QueryColumn { name: c.name.clone(), id: c.id, ty: c.ty, table: 0, attnum: 0 }).collect();
        Ok(Query { plan: LogicalPlan::Values { columns, rows: out_rows }, columns: qcols })
    }

    fn bind_set_expr(&mut self, e: &ast::SetExpr, parent: Option<&Scope>) -> Result<Query> {
        oa_ir::stack::guard(|| self.bind_set_expr_level(e, parent))
    }

    fn bind_set_expr_level(&mut self, e: &ast::SetExpr, parent: Option<&Scope>) -> Result<Query> {
        match e {
            ast::SetExpr::SetOp { op, all, left, right, loc } => {
                let l = self.bind_set_expr(left, parent)?;
                let r = self.bind_set_expr(right, parent)?;
                let context = match op {
                    ast::SetOp::Union => "UNION",
                    ast::SetOp::Intersect => "INTERSECT",
                    ast::SetOp::Except => "EXCEPT",
                };
                if l.columns.len() != r.columns.len() {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, format!("each {context} query must have the same number of columns"))
                        .with_position(set_expr_loc(right, *loc)));
                }
                let mut types = Vec::new();
                for (i, (a, b)) in l.columns.iter().zip(&r.columns).enumerate() {
                    let ea = ScalarExpr::Column { id: a.id, ty: a.ty };
                    let eb = ScalarExpr::Column { id: b.id, ty: b.ty };
                    let t = self.common_type(&[(&ea, set_column_loc(left, i, *loc)), (&eb, set_column_loc(right, i, *loc))], context)?;
                    types.push(if t.oid == oid::UNKNOWN { SqlType::TEXT } else { t });
                }
                let lp = self.coerce_query_columns(l.clone(), &types, context)?;
                let rp = self.coerce_query_columns(r, &types, context)?;
                let columns: Vec<PlanColumn> = l.columns.iter().zip(&types).map(|(c, t)| self.plan_column(c.name.clone(), *t)).collect();
                let kind = match op {
                    ast::SetOp::Union => SetOpKind::Union,
                    ast::SetOp::Intersect => SetOpKind::Intersect,
                    ast::SetOp::Except => SetOpKind::Except,
                };
                let qcols = columns.iter().map(|c| QueryColumn { name: c.name.clone(), id: c.id, ty: c.ty, table: 0, attnum: 0 }).collect();
                Ok(Query { plan: LogicalPlan::SetOp { op: kind, all: *all, left: Box::new(lp), right: Box::new(rp), columns }, columns: qcols })
            }
            ast::SetExpr::Select(core) => self.bind_simple_select(core, &[], None, parent, false),
            ast::SetExpr::Values(rows) => self.bind_values(rows, parent, false),
            ast::SetExpr::Query(q) => self.bind_select_opts(q, parent, false),
        }
    }

    /// Projects a branch's columns to the given types (set operations).
    fn coerce_query_columns(&mut self, q: Query, types: &[SqlType], context: &str) -> Result<LogicalPlan> {
        if q.columns.iter().zip(types).all(|(c, t)| c.ty == *t) {
            return Ok(q.plan);
        }
        let mut items = Vec::new();
        for (c, t) in q.columns.iter().zip(types) {
            let e = ScalarExpr::Column { id: c.id, ty: c.ty };
            let e = if c.ty.oid == t.oid { e } else { self.coerce_to_common(e, *t, context, 0)? };
            let col = self.plan_column(c.name.clone(), *t);
            items.push((col, e));
        }
        Ok(LogicalPlan::Project { input: Box::new(q.plan), items })
    }

    fn bind_simple_select(
        &mut self,
        core: &ast::SimpleSelect,
        order_by: &[ast::SortBy],
        limit: Option<&ast::LimitClause>,
        parent: Option<&Scope>,
        resolve_unknowns: bool,
    ) -> Result<Query> {
        if let Some(into) = &core.into {
            let _ = into;
            return Err(Error::feature_not_supported("SELECT INTO is not supported yet"));
        }
        super::window::check_frames(core, order_by)?;
        let mut scope = Scope::new(parent);
        let windows = super::window::WindowLevel::new(core.windows.clone());
        self.agg_levels.push(AggLevel { depth: scope.depth(), windows, ..AggLevel::default() });
        let bound = self.bind_select_clauses(core, order_by, &mut scope, resolve_unknowns);
        let bound = bound.and_then(|b| self.finish_window_clauses(&scope).map(|()| b));
        let mut level = self.agg_levels.pop().unwrap_or_default();
        let (mut plan, (mut targets, group_items, having, mut sort_exprs, distinct_on)) = bound?;

        if let Some(&agg_loc) = level.locs.first()
            && self.has_self_reference(&scope)
        {
            return Err(Error::new(SqlState::INVALID_RECURSION, "aggregate functions are not allowed in a recursive query's recursive term")
                .with_position(agg_loc));
        }
        let mut srfs = std::mem::take(&mut level.srfs);
        let mut group_refs: Vec<ScalarExpr> = Vec::new();
        let grouped = !level.aggs.is_empty() || core.group_by.is_some() || having.is_some();
        if grouped {
            let mut group_by: Vec<(PlanColumn, ScalarExpr)> = Vec::new();
            for (e, _) in &group_items {
                if group_by.iter().any(|(_, g)| g == e) {
                    continue;
                }
                let col = self.plan_column(expr_name(e), e.ty());
                group_by.push((col, e.clone()));
            }
            self.add_functionally_dependent_columns(&scope, &mut group_by);
            let local = local_columns(&scope);
            let agg_ids: Vec<ColumnId> = level.aggs.iter().map(|(c, _)| c.id).collect();
            let regroup = |b: &mut Self, e: ScalarExpr, what: &str, loc: usize| -> Result<ScalarExpr> {
                let e = replace_group_exprs(e, &group_by);
                b.check_ungrouped(&e, &local, &group_by, &agg_ids, &scope, what, loc, core)?;
                Ok(e)
            };
            for t in &mut targets {
                let e = std::mem::replace(&mut t.expr, ScalarExpr::bool(true));
                t.expr = regroup(self, e, "select", t.loc)?;
            }
            for s in &mut sort_exprs {
                let e = std::mem::replace(&mut s.0.expr, ScalarExpr::bool(true));
                s.0.expr = regroup(self, e, "order", s.1)?;
            }
            let having = match having {
                Some((h, loc)) => Some(regroup(self, h, "having", loc)?),
                None => None,
            };
            for (_, _, args) in &mut srfs {
                for a in args.iter_mut() {
                    let e = std::mem::replace(a, ScalarExpr::bool(true));
                    *a = regroup(self, e, "select", core.targets.first().map_or(0, |ast::ResTarget::Expr { loc, .. }| *loc))?;
                }
            }
            for a in level.windows.expressions_mut() {
                let e = std::mem::replace(a, ScalarExpr::bool(true));
                *a = regroup(self, e, "select", core.targets.first().map_or(0, |ast::ResTarget::Expr { loc, .. }| *loc))?;
            }
            group_refs = group_by.iter().map(|(c, _)| ScalarExpr::Column { id: c.id, ty: c.ty }).collect();
            plan = LogicalPlan::Aggregate { input: Box::new(plan), group_by, aggs: level.aggs };
            if let Some(h) = having {
                plan = LogicalPlan::Filter { input: Box::new(plan), predicate: h };
            }
        }
        // Window functions run over the grouped rows, before DISTINCT, ORDER BY and LIMIT.
        let mut window_order = Vec::new();
        if level.windows.has_calls() {
            let mut earlier: Vec<ScalarExpr> = sort_exprs.iter().map(|(k, _)| k.expr.clone()).collect();
            earlier.extend(group_refs);
            earlier.extend(distinct_on.iter().map(|(e, _)| e.clone()));
            let windows = std::mem::take(&mut level.windows);
            (plan, window_order) = self.plan_windows(plan, windows, &earlier);
        }
        // ORDER BY already satisfied by the last window's sort needs no sort of its own.
        let presorted = !window_order.is_empty()
            && srfs.is_empty()
            && sort_exprs.len() <= window_order.len()
            && sort_exprs.iter().zip(&window_order).all(|((k, _), w)| k == w);
        // Select-list set-returning functions run once per (grouped) row, side
        // by side as in ROWS FROM (PostgreSQL's ProjectSet): as many rows as the
        // longest result, the others padded with NULLs.
        if !srfs.is_empty() {
            let ids: Vec<ColumnId> = srfs.iter().map(|(c, _, _)| c.id).collect();
            let mut used = Vec::new();
            for (_, _, args) in &srfs {
                args.iter().for_each(|a| a.columns_into(&mut used));
            }
            if used.iter().any(|c| ids.contains(c)) {
                return Err(Error::feature_not_supported(
                    "set-returning functions in the arguments of set-returning functions are not supported yet",
                ));
            }
            let calls = srfs.into_iter().map(|(col, func, args)| SrfCall { func, args, columns: vec![col] }).collect();
            let scan = LogicalPlan::FunctionScan { calls, ordinality: None };
            plan = LogicalPlan::Join {
                kind: JoinKind::Inner,
                left: Box::new(plan),
                right: Box::new(scan),
                condition: ScalarExpr::bool(true),
                mark: None,
            };
        }

        // Project the select list plus any ORDER BY expressions not in it (resjunk).
        let mut items: Vec<(PlanColumn, ScalarExpr)> = Vec::new();
        let mut columns = Vec::new();
        for t in targets {
            let col = self.plan_column(t.name.clone(), t.expr.ty());
            columns.push(QueryColumn { name: t.name, id: col.id, ty: col.ty, table: t.table, attnum: t.attnum });
            items.push((col, t.expr));
        }
        let visible = items.len();
        let mut keys = Vec::new();
        for (key, loc) in sort_exprs {
            let pos = items.iter().position(|(_, e)| *e == key.expr);
            let id = match pos {
                Some(p) => items[p].0.id,
                None => {
                    if core.distinct.as_ref().is_some_and(|d| matches!(d, ast::Distinct::All)) {
                        return Err(Error::new(
                            SqlState::INVALID_COLUMN_REFERENCE,
                            "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                        )
                        .with_position(loc));
                    }
                    let col = self.plan_column("?sort?", key.expr.ty());
                    let id = col.id;
                    items.push((col, key.expr.clone()));
                    id
                }
            };
            keys.push(SortKey { expr: ScalarExpr::Column { id, ty: key.expr.ty() }, ..key });
        }
        let mut on_keys = Vec::new();
        for (e, loc) in &distinct_on {
            let id = match items.iter().position(|(_, x)| x == e) {
                Some(p) => items[p].0.id,
                None => {
                    let col = self.plan_column("?distinct?", e.ty());
                    let id = col.id;
                    items.push((col, e.clone()));
                    id
                }
            };
            let _ = loc;
            on_keys.push(ScalarExpr::Column { id, ty: e.ty() });
        }
        plan = LogicalPlan::Project { input: Box::new(plan), items: items.clone() };

        match &core.distinct {
            Some(ast::Distinct::All) => {
                plan = LogicalPlan::Distinct { input: Box::new(plan), on: vec![] };
                if !keys.is_empty() {
                    plan = LogicalPlan::Sort { input: Box::new(plan), keys: keys.clone() };
                }
            }
            Some(ast::Distinct::On(_)) => {
                // DISTINCT ON keeps the first row of each group in ORDER BY order,
                // whose leading keys must be the DISTINCT ON expressions.
                for (i, k) in on_keys.iter().enumerate() {
                    if let Some(sk) = keys.get(i)
                        && &sk.expr != k
                        && !on_keys.contains(&sk.expr)
                    {
                        return Err(Error::new(
                            SqlState::INVALID_COLUMN_REFERENCE,
                            "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                        )
                        .with_position(distinct_on[i].1));
                    }
                }
                let mut sort = keys.clone();
                for k in &on_keys {
                    if !sort.iter().any(|s| &s.expr == k) {
                        sort.push(SortKey::new(k.clone(), false, None));
                    }
                }
                plan = LogicalPlan::Sort { input: Box::new(plan), keys: sort };
                plan = LogicalPlan::Distinct { input: Box::new(plan), on: on_keys };
            }
            None => {
                if !keys.is_empty() && !presorted {
                    plan = LogicalPlan::Sort { input: Box::new(plan), keys: keys.clone() };
                }
            }
        }
        if let Some(l) = limit {
            plan = self.apply_limit(plan, l, keys)?;
        }
        if items.len() > visible {
            let keep: Vec<(PlanColumn, ScalarExpr)> =
                items[..visible].iter().map(|(c, _)| (c.clone(), ScalarExpr::Column { id: c.id, ty: c.ty })).collect();
            plan = LogicalPlan::Project { input: Box::new(plan), items: keep };
        }
        Ok(Query { plan, columns })
    }

    /// FROM and WHERE, then the other clauses, with this level's aggregate collector pushed.
    #[allow(clippy::type_complexity)]
    fn bind_select_clauses(
        &mut self,
        core: &ast::SimpleSelect,
        order_by: &[ast::SortBy],
        scope: &mut Scope,
        resolve_unknowns: bool,
    ) -> Result<(LogicalPlan, (Vec<Target>, Vec<(ScalarExpr, usize)>, Option<(ScalarExpr, usize)>, Vec<(SortKey, usize)>, Vec<(ScalarExpr, usize)>))>
    {
        let mut plan = self.bind_from(&core.from, scope)?;
        if let Some(w) = &core.where_clause {
            let e = self.bind_expr(w, scope, ExprKind::Where)?;
            let e = self.coerce_to_boolean(e, "WHERE", w.loc)?;
            plan = LogicalPlan::Filter { input: Box::new(plan), predicate: e };
        }
        let parts = self.bind_select_parts(core, order_by, scope, resolve_unknowns)?;
        Ok((plan, parts))
    }

    /// The select list, GROUP BY, HAVING, ORDER BY and DISTINCT ON of one SELECT.
    #[allow(clippy::type_complexity)]
    fn bind_select_parts(
        &mut self,
        core: &ast::SimpleSelect,
        order_by: &[ast::SortBy],
        scope: &Scope,
        resolve_unknowns: bool,
    ) -> Result<(Vec<Target>, Vec<(ScalarExpr, usize)>, Option<(ScalarExpr, usize)>, Vec<(SortKey, usize)>, Vec<(ScalarExpr, usize)>)> {
        let mut targets = Vec::new();
        for t in &core.targets {
            let ast::ResTarget::Expr { expr, alias, loc } = t;
            if let A::ColumnRef(fields) = &expr.kind
                && fields.last() == Some(&ast::ColumnField::Star)
            {
                targets.extend(self.expand_star(&fields[..fields.len() - 1], scope, *loc)?);
                continue;
            }
            // `(composite).*`: one target per field.
            if let A::Indirection { base, path } = &expr.kind
                && path.last() == Some(&ast::Indirection::Star)
            {
                let inner = if path.len() == 1 {
                    (**base).clone()
                } else {
                    AExpr { kind: A::Indirection { base: base.clone(), path: path[..path.len() - 1].to_vec() }, loc: expr.loc }
                };
                let bound = self.bind_expr(&inner, scope, ExprKind::SelectTarget)?;
                let Some(fields) = self.record_fields(bound.ty()) else {
                    return Err(
                        Error::new(SqlState::WRONG_OBJECT_TYPE, format!("type {} is not composite", self.type_name(bound.ty()))).with_position(*loc)
                    );
                };
                for (i, (name, ty)) in fields.into_iter().enumerate() {
                    let e = match &bound {
                        ScalarExpr::Row { fields: exprs, .. } if exprs.len() > i => exprs[i].clone(),
                        _ => ScalarExpr::FieldSelect { arg: Box::new(bound.clone()), field: i, name: name.clone(), ty },
                    };
                    targets.push(Target { name, expr: e, table: 0, attnum: 0, loc: *loc });
                }
                continue;
            }
            let bound = self.bind_expr(expr, scope, ExprKind::SelectTarget)?;
            let bound = if resolve_unknowns { self.resolve_unknown_to_text(bound)? } else { bound };
            let (table, attnum) = match (&expr.kind, &bound) {
                (A::ColumnRef(f), ScalarExpr::Column { .. }) => {
                    let qual: Option<Vec<String>> = (f.len() > 1).then(|| f[..f.len() - 1].iter().filter_map(name_of).collect());
                    let name = f.last().and_then(name_of).unwrap_or_default();
                    scope.resolve(qual.as_deref(), &name, *loc).map(|r| (r.table, r.attnum)).unwrap_or((0, 0))
                }
                _ => (0, 0),
            };
            let name = alias.clone().unwrap_or_else(|| figure_colname(expr));
            targets.push(Target { name, expr: bound, table, attnum, loc: *loc });
        }

        let mut group_items = Vec::new();
        if let Some(g) = &core.group_by {
            for item in &g.items {
                match item {
                    ast::GroupingItem::Expr(e) => {
                        let bound = self.bind_group_item(e, &targets, scope)?;
                        group_items.push((bound, e.loc));
                    }
                    ast::GroupingItem::Empty => {}
                    _ => return Err(Error::feature_not_supported("GROUPING SETS, ROLLUP and CUBE are not supported yet")),
                }
            }
        }
        let having = match &core.having {
            Some(h) => {
                let e = self.bind_expr(h, scope, ExprKind::Having)?;
                Some((self.coerce_to_boolean(e, "HAVING", h.loc)?, h.loc))
            }
            None => None,
        };
        let mut sorts = Vec::new();
        for s in order_by {
            let e = self.bind_order_item(&s.expr, &targets, scope, ExprKind::OrderBy)?;
            sorts.push((self.sort_key(e, s)?, s.loc));
        }
        let mut distinct_on = Vec::new();
        if let Some(ast::Distinct::On(list)) = &core.distinct {
            for e in list {
                distinct_on.push((self.bind_order_item(e, &targets, scope, ExprKind::DistinctOn)?, e.loc));
            }
        }
        Ok((targets, group_items, having, sorts, distinct_on))
    }

    /// GROUP BY item: an input column name first, then an output name, a position, or an expression.
    fn bind_group_item(&mut self, e: &AExpr, targets: &[Target], scope: &Scope) -> Result<ScalarExpr> {
        match &e.kind {
            A::Literal(ast::Literal::Integer(n)) => {
                let idx = *n as usize;
                if *n < 1 || idx > targets.len() {
                    return Err(
                        Error::new(SqlState::INVALID_COLUMN_REFERENCE, format!("GROUP BY position {n} is not in select list")).with_position(e.loc)
                    );
                }
                check_no_aggregate(&targets[idx - 1].expr, &self.agg_levels, e.loc)?;
                self.check_no_window(&targets[idx - 1].expr, "GROUP BY")?;
                Ok(targets[idx - 1].expr.clone())
            }
            A::ColumnRef(f) if f.len() == 1 => {
                let name = name_of(&f[0]).unwrap_or_default();
                match scope.resolve(None, &name, e.loc) {
                    Ok(r) if r.levels_up == 0 => Ok(r.expr),
                    Err(err) if err.code == SqlState::AMBIGUOUS_COLUMN => Err(err),
                    _ => {
                        let matches: Vec<&Target> = targets.iter().filter(|t| t.name == name).collect();
                        match matches.as_slice() {
                            [t] => self.check_no_window(&t.expr, "GROUP BY").map(|()| t.expr.clone()),
                            [] => self.bind_expr(e, scope, ExprKind::GroupBy),
                            _ => Err(Error::new(SqlState::AMBIGUOUS_COLUMN, format!("GROUP BY \"{name}\" is ambiguous")).with_position(e.loc)),
                        }
                    }
                }
            }
            _ => {
                let x = self.bind_expr(e, scope, ExprKind::GroupBy)?;
                self.resolve_unknown_to_text(x)
            }
        }
    }

    /// ORDER BY / DISTINCT ON item: an output name first, then a position, then an expression.
    fn bind_order_item(&mut self, e: &AExpr, targets: &[Target], scope: &Scope, kind: ExprKind) -> Result<ScalarExpr> {
        match &e.kind {
            A::Literal(ast::Literal::Integer(n)) => {
                let idx = *n as usize;
                if *n < 1 || idx > targets.len() {
                    let what = if kind == ExprKind::OrderBy { "ORDER BY" } else { "SELECT DISTINCT ON" };
                    return Err(
                        Error::new(SqlState::INVALID_COLUMN_REFERENCE, format!("{what} position {n} is not in select list")).with_position(e.loc)
                    );
                }
                Ok(targets[idx - 1].expr.clone())
            }
            A::ColumnRef(f) if f.len() == 1 => {
                let name = name_of(&f[0]).unwrap_or_default();
                let matches: Vec<&Target> = targets.iter().filter(|t| t.name == name).collect();
                match matches.as_slice() {
                    [t] => Ok(t.expr.clone()),
                    [] => {
                        let x = self.bind_expr(e, scope, kind)?;
                        self.resolve_unknown_to_text(x)
                    }
                    many => {
                        if many.iter().all(|t| t.expr == many[0].expr) {
                            Ok(many[0].expr.clone())
                        } else {
                            let what = if kind == ExprKind::OrderBy { "ORDER BY" } else { "DISTINCT ON" };
                            Err(Error::new(SqlState::AMBIGUOUS_COLUMN, format!("{what} \"{name}\" is ambiguous")).with_position(e.loc))
                        }
                    }
                }
            }
            _ => {
                let x = self.bind_expr(e, scope, kind)?;
                self.resolve_unknown_to_text(x)
            }
        }
    }

    /// Columns functionally dependent on a grouped primary key may be used ungrouped.
    fn add_functionally_dependent_columns(&mut self, scope: &Scope, group_by: &mut Vec<(PlanColumn, ScalarExpr)>) {
        let grouped: Vec<ColumnId> =
            group_by.iter().filter_map(|(_, e)| if let ScalarExpr::Column { id, .. } = e { Some(*id) } else { None }).collect();
        for entry in &scope.entries {
            let Some(table) = &entry.table else { continue };
            let Some(pk) = table.constraints.iter().find(|c| matches!(c.kind, oa_ir::catalog::ConstraintKind::PrimaryKey)) else { continue };
            let pk_ids: Option<Vec<ColumnId>> =
                pk.columns.iter().map(|a| entry.columns.iter().find(|c| c.attnum == *a && !c.system).map(|c| c.id)).collect();
            let Some(pk_ids) = pk_ids else { continue };
            if pk_ids.iter().all(|id| grouped.contains(id)) {
                for c in entry.columns.iter().filter(|c| !c.system) {
                    if !grouped.contains(&c.id) && !group_by.iter().any(|(_, e)| matches!(e, ScalarExpr::Column { id, .. } if *id == c.id)) {
                        let col = self.plan_column(c.name.clone(), c.ty);
                        group_by.push((col, ScalarExpr::Column { id: c.id, ty: c.ty }));
                    }
                }
            }
        }
    }

    /// check_ungrouped_columns: after grouped expressions were replaced by the
    /// group columns, no column of this query level may remain.
    #[allow(clippy::too_many_arguments)]
    fn check_ungrouped(
        &self,
        e: &ScalarExpr,
        local: &[(ColumnId, String, String)],
        _group_by: &[(PlanColumn, ScalarExpr)],
        _aggs: &[ColumnId],
        _scope: &Scope,
        _what: &str,
        loc: usize,
        core: &ast::SimpleSelect,
    ) -> Result<()> {
        let mut bad: Option<(ColumnId, bool)> = None;
        e.walk(&mut |x| match x {
            ScalarExpr::Column { id, .. } if bad.is_none() && local.iter().any(|(c, _, _)| c == id) => bad = Some((*id, false)),
            ScalarExpr::Subquery(s) if bad.is_none() => {
                for c in s.plan.free_columns() {
                    if local.iter().any(|(l, _, _)| *l == c) {
                        bad = Some((c, true));
                        break;
                    }
                }
            }
            _ => {}
        });
        let Some((id, from_subquery)) = bad else { return Ok(()) };
        let (_, table, col) = local.iter().find(|(c, _, _)| *c == id).cloned().unwrap_or_default();
        let qualified = if table.is_empty() { col.clone() } else { format!("{table}.{col}") };
        let pos = find_column_ref_loc(core, &table, &col).unwrap_or(loc);
        let msg = if from_subquery {
            format!("subquery uses ungrouped column \"{qualified}\" from outer query")
        } else {
            format!("column \"{qualified}\" must appear in the GROUP BY clause or be used in an aggregate function")
        };
        Err(Error::new(SqlState::GROUPING_ERROR, msg).with_position(pos))
    }

    fn expand_star(&mut self, qualifier: &[ast::ColumnField], scope: &Scope, loc: usize) -> Result<Vec<Target>> {
        let cols: Vec<EntryColumn> = if qualifier.is_empty() {
            if scope.star.is_empty() {
                return Err(Error::new(SqlState::SYNTAX_ERROR, "SELECT * with no tables specified is not valid").with_position(loc));
            }
            scope.star.iter().flatten().cloned().collect()
        } else {
            let q: Vec<String> = qualifier.iter().filter_map(name_of).collect();
            match scope.find_entry_any_level(&q, loc)? {
                Some(e) => e.columns.iter().filter(|c| !c.system).cloned().collect(),
                None => {
                    return Err(
                        Error::new(SqlState::UNDEFINED_TABLE, format!("missing FROM-clause entry for table \"{}\"", q.join("."))).with_position(loc)
                    );
                }
            }
        };
        Ok(cols
            .into_iter()
            .map(|c| Target { name: c.name.clone(), expr: ScalarExpr::Column { id: c.id, ty: c.ty }, table: c.table, attnum: c.attnum, loc })
            .collect())
    }

    // ------------------------------------------------------------ FROM

    pub(crate) fn bind_from(&mut self, items: &[ast::TableRef], scope: &mut Scope) -> Result<LogicalPlan> {
        let mut plan: Option<LogicalPlan> = None;
        for item in items {
            let (p, star) = self.bind_table_ref(item, scope)?;
            scope.star.push(star);
            plan = Some(match plan {
                None => p,
                Some(left) => LogicalPlan::Join {
                    kind: JoinKind::Inner,
                    left: Box::new(left),
                    right: Box::new(p),
                    condition: ScalarExpr::bool(true),
                    mark: None,
                },
            });
        }
        self.check_duplicate_aliases(scope)?;
        Ok(plan.unwrap_or_else(LogicalPlan::one_row))
    }

    fn check_duplicate_aliases(&self, scope: &Scope) -> Result<()> {
        for (i, e) in scope.entries.iter().enumerate() {
            let Some(name) = &e.name else { continue };
            if scope.entries[..i].iter().any(|p| p.name.as_ref() == Some(name) && same_qualification(p, e)) {
                return Err(
                    Error::new(SqlState::DUPLICATE_ALIAS, format!("table name \"{name}\" specified more than once")).with_position(e.location)
                );
            }
        }
        Ok(())
    }

    /// Binds one FROM item, adding its entries to `scope`; returns its plan and `*` columns.
    fn bind_table_ref(&mut self, item: &ast::TableRef, scope: &mut Scope) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        match item {
            ast::TableRef::Relation { rel, alias, sample } => {
                if sample.is_some() {
                    return Err(Error::feature_not_supported("TABLESAMPLE is not supported yet").with_position(rel.loc));
                }
                if rel.name.len() == 1
                    && let Some(cte) = self.lookup_cte(&rel.name[0])
                {
                    if !cte.returning {
                        return Err(Error::feature_not_supported(format!("WITH query \"{}\" does not have a RETURNING clause", cte.name))
                            .with_position(rel.loc));
                    }
                    if let LogicalPlan::CteScan { id, .. } = &cte.plan
                        && let Some(m) = self.modifying_ctes.iter_mut().find(|m| m.0 == *id)
                    {
                        m.3 = true;
                    }
                    return self.bind_cte_ref(&cte, alias.as_ref(), rel.loc, scope);
                }
                let table = self.lookup_relation(&rel.name, rel.loc)?;
                match table.kind {
                    RelKind::Table | RelKind::PartitionedTable | RelKind::MaterializedView => {
                        self.bind_table_scan(table, alias.as_ref(), rel.loc, scope)
                    }
                    RelKind::View => self.bind_view(table, alias.as_ref(), rel.loc, scope),
                    RelKind::Sequence => self.bind_table_scan(table, alias.as_ref(), rel.loc, scope),
                    _ => Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table", table.name)).with_position(rel.loc)),
                }
            }
            ast::TableRef::Subquery { lateral, query, alias, loc } => {
                let q = if *lateral {
                    let visible = scope.clone();
                    self.bind_select(query, Some(&visible))?
                } else {
                    // The FROM items so far are out of reach, but still known
                    // (for "invalid reference to FROM-clause entry").
                    let mut hidden = scope.clone();
                    hidden.hidden_from = Some(0);
                    self.bind_select(query, Some(&hidden))?
                };
                let Some(alias) = alias else {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "subquery in FROM must have an alias")
                        .with_hint("For example, FROM (SELECT ...) [AS] foo.")
                        .with_position(*loc));
                };
                self.add_derived_entry(q.plan, q.columns, alias, *loc, scope)
            }
            ast::TableRef::Function { lateral: _, func, alias, column_defs, loc } => {
                if !column_defs.is_empty() {
                    return Err(Error::feature_not_supported("column definition lists are not supported yet").with_position(*loc));
                }
                // unnest(a, b, …) is ROWS FROM (unnest(a), unnest(b), …) (transformRangeFunction).
                let mut calls = Vec::with_capacity(func.calls.len());
                for c in &func.calls {
                    match &c.kind {
                        A::Func(f)
                            if f.name.len() == 1
                                && f.name[0] == "unnest"
                                && f.args.len() > 1
                                && f.order_by.is_empty()
                                && f.filter.is_none()
                                && f.over.is_none()
                                && !f.agg_star
                                && !f.distinct
                                && !f.variadic =>
                        {
                            for a in &f.args {
                                let one = ast::FuncCall::new(vec!["pg_catalog".into(), "unnest".into()], vec![a.value.clone()]);
                                calls.push(AExpr::new(A::Func(Box::new(one)), c.loc));
                            }
                        }
                        _ => calls.push(c.clone()),
                    }
                }
                self.bind_function_scan(&calls, func.ordinality, alias.as_ref(), *loc, scope)
            }
            ast::TableRef::Join(j) => self.bind_join(j, scope),
        }
    }

    fn bind_table_scan(
        &mut self,
        table: Arc<RelationDesc>,
        alias: Option<&ast::Alias>,
        loc: usize,
        scope: &mut Scope,
    ) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        let live: Vec<&oa_ir::catalog::ColumnDesc> = table.live_columns().collect();
        if let Some(a) = alias
            && a.columns.len() > live.len()
        {
            return Err(Error::new(
                SqlState::INVALID_COLUMN_REFERENCE,
                format!("table \"{}\" has {} columns available but {} columns specified", a.name, live.len(), a.columns.len()),
            )
            .with_position(loc));
        }
        let mut scan_cols = Vec::new();
        let mut entry_cols = Vec::new();
        for (i, c) in live.iter().enumerate() {
            let name = alias.and_then(|a| a.columns.get(i).cloned()).unwrap_or_else(|| c.name.clone());
            let id = self.new_column();
            scan_cols.push(ScanColumn { id, attnum: c.attnum, ty: c.ty, name: c.name.clone() });
            entry_cols.push(EntryColumn { name, id, ty: c.ty, qualified_only: false, system: false, table: table.oid, attnum: c.attnum });
        }
        let ctid = self.new_column();
        scan_cols.push(ScanColumn { id: ctid, attnum: CTID_ATTNUM, ty: SqlType::new(oid::TID), name: "ctid".into() });
        entry_cols.push(EntryColumn {
            name: "ctid".into(),
            id: ctid,
            ty: SqlType::new(oid::TID),
            qualified_only: false,
            system: true,
            table: table.oid,
            attnum: CTID_ATTNUM,
        });
        let tableoid = self.new_column();
        scan_cols.push(ScanColumn { id: tableoid, attnum: TABLEOID_ATTNUM, ty: SqlType::new(oid::OID), name: "tableoid".into() });
        entry_cols.push(EntryColumn {
            name: "tableoid".into(),
            id: tableoid,
            ty: SqlType::new(oid::OID),
            qualified_only: false,
            system: true,
            table: table.oid,
            attnum: TABLEOID_ATTNUM,
        });
        let name = alias.map(|a| a.name.clone()).unwrap_or_else(|| table.name.clone());
        let star: Vec<EntryColumn> = entry_cols.iter().filter(|c| !c.system).cloned().collect();
        scope.entries.push(RangeEntry { name: Some(name.clone()), table: Some(table.clone()), columns: entry_cols, location: loc });
        Ok((LogicalPlan::Scan { table, alias: name, columns: scan_cols }, star))
    }

    fn bind_view(
        &mut self,
        view: Arc<RelationDesc>,
        alias: Option<&ast::Alias>,
        loc: usize,
        scope: &mut Scope,
    ) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        let sql = view.view_query.clone().ok_or_else(|| Error::internal(format!("view \"{}\" has no query", view.name)))?;
        let stmts = oa_grammar::parse(&sql).map_err(|e| Error::internal(format!("view \"{}\" does not parse: {}", view.name, e.message)))?;
        let Some(oa_grammar::RawStatement { stmt: ast::Statement::Select(sel), .. }) = stmts.into_iter().next() else {
            return Err(Error::internal(format!("view \"{}\" is not a SELECT", view.name)));
        };
        if self.expanding_views.contains(&view.oid) {
            return Err(Error::new(
                SqlState::INVALID_OBJECT_DEFINITION,
                format!("infinite recursion detected in rules for relation \"{}\"", view.name),
            ));
        }
        // A view is bound on its own: no outer references, no enclosing CTEs.
        let q = if view.oid < oid::FIRST_NORMAL_OBJECT_ID {
            // A system view, with the search path initdb defined it under.
            let mut path = vec![oid::PG_CATALOG_NAMESPACE];
            if view.namespace != oid::PG_CATALOG_NAMESPACE {
                path.push(view.namespace);
            }
            let cat = crate::catalog::PathCatalog { inner: self.catalog, path };
            let mut sub = super::Binder::new(&cat, self.ctx);
            sub.next_column = self.next_column;
            sub.next_worktable = self.next_worktable;
            sub.level = self.level;
            sub.expanding_views = self.expanding_views.clone();
            sub.expanding_views.push(view.oid);
            let q = sub.bind_select(&sel, None);
            self.next_column = sub.next_column;
            self.next_worktable = sub.next_worktable;
            q
        } else {
            let saved = std::mem::take(&mut self.ctes);
            self.expanding_views.push(view.oid);
            let q = self.bind_select(&sel, None);
            self.expanding_views.pop();
            self.ctes = saved;
            q
        };
        let mut q = q?;
        for (c, vc) in q.columns.iter_mut().zip(view.live_columns()) {
            c.name = vc.name.clone();
        }
        let default_alias = ast::Alias { name: view.name.clone(), columns: vec![] };
        self.add_derived_entry(q.plan, q.columns, alias.unwrap_or(&default_alias), loc, scope)
    }

    fn bind_cte_ref(&mut self, cte: &CteDef, alias: Option<&ast::Alias>, loc: usize, scope: &mut Scope) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        let (plan, columns) = if cte.worktable.is_some() {
            (cte.plan.clone(), cte.columns.clone())
        } else {
            let (plan, map) = self.fresh_copy(&cte.plan);
            let cols = cte.columns.iter().map(|c| QueryColumn { id: map.get(&c.id).copied().unwrap_or(c.id), ..c.clone() }).collect();
            (plan, cols)
        };
        let default_alias = ast::Alias { name: cte.name.clone(), columns: vec![] };
        self.add_derived_entry(plan, columns, alias.unwrap_or(&default_alias), loc, scope)
    }

    fn add_derived_entry(
        &mut self,
        plan: LogicalPlan,
        columns: Vec<QueryColumn>,
        alias: &ast::Alias,
        loc: usize,
        scope: &mut Scope,
    ) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        if alias.columns.len() > columns.len() {
            return Err(Error::new(
                SqlState::INVALID_COLUMN_REFERENCE,
                format!("table \"{}\" has {} columns available but {} columns specified", alias.name, columns.len(), alias.columns.len()),
            )
            .with_position(loc));
        }
        let entry_cols: Vec<EntryColumn> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| EntryColumn {
                name: alias.columns.get(i).cloned().unwrap_or_else(|| c.name.clone()),
                id: c.id,
                ty: c.ty,
                qualified_only: false,
                system: false,
                table: c.table,
                attnum: c.attnum,
            })
            .collect();
        scope.entries.push(RangeEntry { name: Some(alias.name.clone()), table: None, columns: entry_cols.clone(), location: loc });
        Ok((plan, entry_cols))
    }

    fn bind_function_scan(
        &mut self,
        calls: &[AExpr],
        ordinality: bool,
        alias: Option<&ast::Alias>,
        loc: usize,
        scope: &mut Scope,
    ) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        let visible = scope.clone();
        // Each function's columns under their natural names (addRangeTableEntryForFunction):
        // OUT parameters by name; a scalar result by the alias when it is the only
        // function, else by the function's name.
        let mut bound = Vec::with_capacity(calls.len());
        for call in calls {
            let (func, args) = match self.bind_expr(call, &visible, ExprKind::FromFunction)? {
                ScalarExpr::Func { func, args } => (func, args),
                _ => return Err(Error::new(SqlState::SYNTAX_ERROR, "only function calls are allowed in FROM").with_position(loc)),
            };
            let ret = func.ret_type;
            let names: Vec<(String, SqlType)> = if let Some(fields) = oa_ir::types::records::fields(ret) {
                fields.iter().map(|(n, t)| (n.clone(), *t)).collect()
            } else if self.type_desc(ret.oid)?.typtype == b'c' || ret.oid == oid::RECORD {
                return Err(Error::feature_not_supported(format!(
                    "functions returning composite types in FROM are not supported yet ({})",
                    func.name
                ))
                .with_position(loc));
            } else {
                let name = match alias {
                    Some(a) if calls.len() == 1 => a.name.clone(),
                    _ => func.name.clone(),
                };
                vec![(name, ret)]
            };
            bound.push((func, args, names));
        }
        let refname = match (alias, bound.first()) {
            (Some(a), _) => a.name.clone(),
            (None, Some((f, _, _))) => f.name.clone(),
            (None, None) => return Err(Error::internal("function scan without functions")),
        };
        let alias_cols = alias.map_or(&[][..], |a| a.columns.as_slice());
        let mut k = 0;
        let mut name_of = |natural: String| {
            let n = alias_cols.get(k).cloned().unwrap_or(natural);
            k += 1;
            n
        };
        let mut srf_calls = Vec::with_capacity(bound.len());
        let mut qcols = Vec::new();
        for (func, args, names) in bound {
            let mut columns = Vec::with_capacity(names.len());
            for (natural, ty) in names {
                let col = self.plan_column(name_of(natural), ty);
                qcols.push(QueryColumn { name: col.name.clone(), id: col.id, ty: col.ty, table: 0, attnum: 0 });
                columns.push(col);
            }
            srf_calls.push(SrfCall { func, args, columns });
        }
        let ord = if ordinality {
            let o = self.plan_column(name_of("ordinality".into()), SqlType::INT8);
            qcols.push(QueryColumn { name: o.name.clone(), id: o.id, ty: o.ty, table: 0, attnum: 0 });
            Some(o)
        } else {
            None
        };
        let plan = LogicalPlan::FunctionScan { calls: srf_calls, ordinality: ord };
        let a = ast::Alias { name: refname, columns: alias_cols.to_vec() };
        self.add_derived_entry(plan, qcols, &a, loc, scope)
    }

    fn bind_join(&mut self, j: &ast::JoinExpr, scope: &mut Scope) -> Result<(LogicalPlan, Vec<EntryColumn>)> {
        let start = scope.entries.len();
        let (left, left_star) = self.bind_table_ref(&j.left, scope)?;
        let mid = scope.entries.len();
        let (right, right_star) = self.bind_table_ref(&j.right, scope)?;
        let kind = match j.kind {
            ast::JoinKind::Inner | ast::JoinKind::Cross => JoinKind::Inner,
            ast::JoinKind::Left => JoinKind::Left,
            ast::JoinKind::Right => JoinKind::Right,
            ast::JoinKind::Full => JoinKind::Full,
        };
        // The join's own scope: only its two sides (plus outer levels).
        let mut join_scope = Scope::new(scope.parent);
        join_scope.entries = scope.entries[start..].to_vec();
        let using: Option<(Vec<String>, Option<String>)> = match &j.quals {
            ast::JoinQual::Using { columns, alias } => Some((columns.clone(), alias.clone())),
            ast::JoinQual::None if j.natural => {
                let common: Vec<String> = left_star.iter().filter(|l| right_star.iter().any(|r| r.name == l.name)).map(|l| l.name.clone()).collect();
                Some((common, None))
            }
            _ => None,
        };
        let mut star = Vec::new();
        let mut condition = ScalarExpr::bool(true);
        let mut plan_extra: Vec<(PlanColumn, ScalarExpr)> = Vec::new();
        match (&j.quals, using) {
            (ast::JoinQual::On(on), _) => {
                let e = self.bind_expr(on, &join_scope, ExprKind::JoinOn)?;
                condition = self.coerce_to_boolean(e, "JOIN/ON", on.loc)?;
                star.extend(left_star.clone());
                star.extend(right_star.clone());
            }
            (_, Some((cols, using_alias))) => {
                if using_alias.is_some() {
                    return Err(Error::feature_not_supported("JOIN USING aliases are not supported yet").with_position(j.loc));
                }
                let mut conds = Vec::new();
                let mut merged = Vec::new();
                for name in &cols {
                    let find = |side: &[EntryColumn], which: &str| -> Result<EntryColumn> {
                        let m: Vec<&EntryColumn> = side.iter().filter(|c| &c.name == name).collect();
                        match m.as_slice() {
                            [c] => Ok((*c).clone()),
                            [] => Err(Error::new(
                                SqlState::UNDEFINED_COLUMN,
                                format!("column \"{name}\" specified in USING clause does not exist in {which} table"),
                            )
                            .with_position(j.loc)),
                            _ => Err(Error::new(
                                SqlState::AMBIGUOUS_COLUMN,
                                format!("common column name \"{name}\" appears more than once in {which} table"),
                            )
                            .with_position(j.loc)),
                        }
                    };
                    let l = find(&left_star, "left")?;
                    let r = find(&right_star, "right")?;
                    let le = ScalarExpr::Column { id: l.id, ty: l.ty };
                    let re = ScalarExpr::Column { id: r.id, ty: r.ty };
                    let eq = self.make_operator(&["=".into()], Some(le.clone()), re.clone(), j.loc)?;
                    conds.push(self.coerce_to_boolean(eq, "JOIN/USING", j.loc)?);
                    // The merged column: the left one, the right one for RIGHT JOIN, COALESCE for FULL.
                    let merged_col = match kind {
                        JoinKind::Right => EntryColumn { qualified_only: false, ..r.clone() },
                        JoinKind::Full => {
                            let refs = [(&le, j.loc), (&re, j.loc)];
                            let ty = self.common_type(&refs, "JOIN/USING")?;
                            let a = self.coerce_to_common(le.clone(), ty, "JOIN/USING", j.loc)?;
                            let b = self.coerce_to_common(re.clone(), ty, "JOIN/USING", j.loc)?;
                            let col = self.plan_column(name.clone(), ty);
                            plan_extra.push((col.clone(), ScalarExpr::Coalesce { args: vec![a, b], ty }));
                            EntryColumn { name: name.clone(), id: col.id, ty, qualified_only: false, system: false, table: 0, attnum: 0 }
                        }
                        _ => EntryColumn { qualified_only: false, ..l.clone() },
                    };
                    merged.push((l.id, r.id, merged_col));
                }
                condition = ScalarExpr::conjunction(conds);
                // Unqualified names now find the merged column only.
                for e in scope.entries[start..].iter_mut() {
                    for c in e.columns.iter_mut() {
                        if merged.iter().any(|(l, r, _)| *l == c.id || *r == c.id) {
                            c.qualified_only = true;
                        }
                    }
                }
                let merged_ids: Vec<ColumnId> = merged.iter().flat_map(|(l, r, _)| [*l, *r]).collect();
                star.extend(merged.iter().map(|(_, _, m)| m.clone()));
                star.extend(left_star.iter().filter(|c| !merged_ids.contains(&c.id)).cloned());
                star.extend(right_star.iter().filter(|c| !merged_ids.contains(&c.id)).cloned());
                let merged_entry: Vec<EntryColumn> = merged.iter().map(|(_, _, m)| m.clone()).collect();
                scope.entries.push(RangeEntry { name: None, table: None, columns: merged_entry, location: j.loc });
            }
            (_, None) => {
                star.extend(left_star.clone());
                star.extend(right_star.clone());
            }
        }
        let _ = mid;
        let mut plan = LogicalPlan::Join { kind, left: Box::new(left), right: Box::new(right), condition, mark: None };
        if !plan_extra.is_empty() {
            let mut items: Vec<(PlanColumn, ScalarExpr)> = plan
                .output()
                .into_iter()
                .map(|c| {
                    let e = ScalarExpr::Column { id: c.id, ty: c.ty };
                    (c, e)
                })
                .collect();
            items.extend(plan_extra);
            plan = LogicalPlan::Project { input: Box::new(plan), items };
        }
        if let Some(a) = &j.alias {
            // An aliased join hides its inputs' names.
            for e in scope.entries[start..].iter_mut() {
                e.name = None;
            }
            let cols: Vec<EntryColumn> = star
                .iter()
                .enumerate()
                .map(|(i, c)| EntryColumn { name: a.columns.get(i).cloned().unwrap_or_else(|| c.name.clone()), ..c.clone() })
                .collect();
            scope.entries.push(RangeEntry { name: Some(a.name.clone()), table: None, columns: cols.clone(), location: j.loc });
            return Ok((plan, cols));
        }
        Ok((plan, star))
    }
}

fn same_qualification(a: &RangeEntry, b: &RangeEntry) -> bool {
    match (&a.table, &b.table) {
        (Some(x), Some(y)) => x.namespace == y.namespace || a.name != Some(x.name.clone()) || b.name != Some(y.name.clone()),
        _ => true,
    }
}

fn name_of(f: &ast::ColumnField) -> Option<String> {
    match f {
        ast::ColumnField::Name(n) => Some(n.clone()),
        ast::ColumnField::Star => None,
    }
}

/// The columns produced by this level's FROM items: (id, table name, column name).
fn local_columns(scope: &Scope) -> Vec<(ColumnId, String, String)> {
    scope.entries.iter().flat_map(|e| e.columns.iter().map(move |c| (c.id, e.name.clone().unwrap_or_default(), c.name.clone()))).collect()
}

/// Replaces every subexpression equal to a GROUP BY expression by its group column.
fn replace_group_exprs(e: ScalarExpr, group_by: &[(PlanColumn, ScalarExpr)]) -> ScalarExpr {
    if let Some((c, _)) = group_by.iter().find(|(_, g)| *g == e) {
        return ScalarExpr::Column { id: c.id, ty: c.ty };
    }
    let mut e = e;
    for child in e.children_mut() {
        let taken = std::mem::replace(child, ScalarExpr::bool(true));
        *child = replace_group_exprs(taken, group_by);
    }
    if let ScalarExpr::Subquery(s) = &mut e {
        // Correlated references to grouped columns inside a subquery.
        let map: HashMap<ColumnId, ColumnId> =
            group_by.iter().filter_map(|(c, g)| if let ScalarExpr::Column { id, .. } = g { Some((*id, c.id)) } else { None }).collect();
        if !map.is_empty() {
            let free = s.plan.free_columns();
            if free.iter().any(|f| map.contains_key(f)) {
                let plan = std::mem::replace(&mut *s.plan, LogicalPlan::empty());
                *s.plan = plan.remap_columns(&|id| if free.contains(&id) { map.get(&id).copied() } else { None });
            }
        }
    }
    e
}

fn check_no_aggregate(e: &ScalarExpr, levels: &[AggLevel], loc: usize) -> Result<()> {
    let Some(level) = levels.last() else { return Ok(()) };
    let mut found = false;
    e.walk(&mut |x| {
        if let ScalarExpr::Column { id, .. } = x {
            found |= level.aggs.iter().any(|(c, _)| c.id == *id);
        }
    });
    if found {
        return Err(Error::new(SqlState::GROUPING_ERROR, "aggregate functions are not allowed in GROUP BY").with_position(loc));
    }
    Ok(())
}

/// Finds where `table.col` (or bare `col`) is written in the select, for error positions.
fn find_column_ref_loc(core: &ast::SimpleSelect, table: &str, col: &str) -> Option<usize> {
    let mut found = None;
    let mut visit = |e: &AExpr| {
        visit_ast(e, &mut |x| {
            if found.is_some() {
                return;
            }
            if let A::ColumnRef(f) = &x.kind {
                let names: Vec<String> = f.iter().filter_map(name_of).collect();
                let matches = match names.as_slice() {
                    [c] => c == col,
                    [.., t, c] => c == col && t == table,
                    _ => false,
                };
                if matches {
                    found = Some(x.loc);
                }
            }
        })
    };
    for t in &core.targets {
        let ast::ResTarget::Expr { expr, .. } = t;
        visit(expr);
    }
    if let Some(h) = &core.having {
        visit(h);
    }
    for w in &core.windows {
        w.spec.partition_by.iter().for_each(&mut visit);
        w.spec.order_by.iter().for_each(|s| visit(&s.expr));
    }
    found
}

/// Pre-order walk over an AST expression (not entering subqueries).
pub(crate) fn visit_ast(e: &AExpr, f: &mut dyn FnMut(&AExpr)) {
    f(e);
    let mut go = |x: &AExpr| visit_ast(x, f);
    match &e.kind {
        A::Indirection { base, .. } => go(base),
        A::BinaryOp { left, right, .. } | A::IsDistinctFrom { left, right, .. } | A::AnyAll { left, right, .. } => {
            go(left);
            go(right);
        }
        A::UnaryOp { arg, .. } | A::IsNull { arg, .. } | A::IsBool { arg, .. } | A::Cast { arg, .. } | A::Collate { arg, .. } => go(arg),
        A::Bool { args, .. } | A::Coalesce(args) | A::MinMax { args, .. } | A::Array(args) | A::Grouping(args) | A::Row { args, .. } => {
            for a in args {
                go(a);
            }
        }
        A::Between { arg, low, high, .. } => {
            go(arg);
            go(low);
            go(high);
        }
        A::InList { arg, list, .. } => {
            go(arg);
            for a in list {
                go(a);
            }
        }
        A::Like { arg, pattern, .. } => {
            go(arg);
            go(pattern);
        }
        A::Case { arg, whens, default } => {
            if let Some(a) = arg {
                go(a);
            }
            for (w, t) in whens {
                go(w);
                go(t);
            }
            if let Some(d) = default {
                go(d);
            }
        }
        A::Func(call) => {
            for a in &call.args {
                go(&a.value);
            }
        }
        A::NullIf(a, b) => {
            go(a);
            go(b);
        }
        A::AtTimeZone { arg, zone } => {
            go(arg);
            go(zone);
        }
        A::SubLink { test: Some(t), .. } => go(t),
        _ => {}
    }
}

/// checkWellFormedRecursion for a recursive term: the self-reference must
/// appear once, not inside a subquery and not on the nullable side of an
/// outer join.
fn check_recursive_term(term: &ast::SelectStmt, name: &str) -> Result<()> {
    let err = |what: &str, loc: usize| {
        Err(Error::new(SqlState::INVALID_RECURSION, format!("recursive reference to query \"{name}\" must not appear {what}")).with_position(loc))
    };
    let mut found: Vec<usize> = Vec::new();
    walk_recursive_refs(term, name, false, &mut found, &mut |what, loc| Some((what, loc))).map_or(Ok(()), |(w, l)| err(w, l))?;
    if found.len() > 1 {
        return err("more than once", found[1]);
    }
    Ok(())
}

/// Collects the self-references reachable from FROM (`found`); returns the
/// first misplaced one as (what, location).
fn walk_recursive_refs(
    s: &ast::SelectStmt,
    name: &str,
    outer_join: bool,
    found: &mut Vec<usize>,
    bad: &mut dyn FnMut(&'static str, usize) -> Option<(&'static str, usize)>,
) -> Option<(&'static str, usize)> {
    if s.with.as_ref().is_some_and(|w| w.ctes.iter().any(|c| c.name == name)) {
        return None;
    }
    fn in_set(
        e: &ast::SetExpr,
        name: &str,
        outer_join: bool,
        found: &mut Vec<usize>,
        bad: &mut dyn FnMut(&'static str, usize) -> Option<(&'static str, usize)>,
    ) -> Option<(&'static str, usize)> {
        match e {
            ast::SetExpr::Select(core) => {
                for t in &core.from {
                    if let Some(r) = in_table(t, name, outer_join, found, bad) {
                        return Some(r);
                    }
                }
                let mut exprs: Vec<&AExpr> = Vec::new();
                for t in &core.targets {
                    let ast::ResTarget::Expr { expr, .. } = t;
                    exprs.push(expr);
                }
                exprs.extend(core.where_clause.as_ref());
                exprs.extend(core.having.as_ref());
                if let Some(g) = &core.group_by {
                    for item in &g.items {
                        if let ast::GroupingItem::Expr(e) = item {
                            exprs.push(e);
                        }
                    }
                }
                collect_join_quals(&core.from, &mut exprs);
                for e in exprs {
                    if let Some(loc) = sublink_reference(e, name) {
                        return bad("within a subquery", loc);
                    }
                }
                None
            }
            ast::SetExpr::Values(_) => None,
            ast::SetExpr::SetOp { left, right, .. } => {
                in_set(left, name, outer_join, found, bad).or_else(|| in_set(right, name, outer_join, found, bad))
            }
            ast::SetExpr::Query(q) => walk_recursive_refs(q, name, outer_join, found, bad),
        }
    }
    fn in_table(
        t: &ast::TableRef,
        name: &str,
        outer_join: bool,
        found: &mut Vec<usize>,
        bad: &mut dyn FnMut(&'static str, usize) -> Option<(&'static str, usize)>,
    ) -> Option<(&'static str, usize)> {
        match t {
            ast::TableRef::Relation { rel, .. } if rel.name.len() == 1 && rel.name[0] == name => {
                if outer_join {
                    return bad("within an outer join", rel.loc);
                }
                found.push(rel.loc);
                None
            }
            ast::TableRef::Relation { .. } | ast::TableRef::Function { .. } => None,
            ast::TableRef::Subquery { query, .. } => walk_recursive_refs(query, name, outer_join, found, bad),
            ast::TableRef::Join(j) => {
                let (l_outer, r_outer) = match j.kind {
                    ast::JoinKind::Left => (false, true),
                    ast::JoinKind::Right => (true, false),
                    ast::JoinKind::Full => (true, true),
                    _ => (false, false),
                };
                in_table(&j.left, name, outer_join || l_outer, found, bad).or_else(|| in_table(&j.right, name, outer_join || r_outer, found, bad))
            }
        }
    }
    in_set(&s.body, name, outer_join, found, bad)
}

fn collect_join_quals<'e>(items: &'e [ast::TableRef], out: &mut Vec<&'e AExpr>) {
    for t in items {
        if let ast::TableRef::Join(j) = t {
            if let ast::JoinQual::On(e) = &j.quals {
                out.push(e);
            }
            collect_join_quals(std::slice::from_ref(&j.left), out);
            collect_join_quals(std::slice::from_ref(&j.right), out);
        }
    }
}

/// Where a subquery inside `e` reads the table `name`, if one does.
fn sublink_reference(e: &AExpr, name: &str) -> Option<usize> {
    let mut found = None;
    visit_ast(e, &mut |x| {
        if found.is_none()
            && let A::SubLink { query, .. } = &x.kind
        {
            found = reference_location(query, name);
        }
    });
    found
}

/// The location of the first FROM reference to `name` in a query, at any depth.
fn reference_location(s: &ast::SelectStmt, name: &str) -> Option<usize> {
    let mut found = Vec::new();
    let bad = walk_recursive_refs(s, name, false, &mut found, &mut |_, loc| Some(("", loc)));
    bad.map(|(_, l)| l).or_else(|| found.first().copied())
}

/// Whether a query mentions a table name (for WITH RECURSIVE self-references).
fn references_name(s: &ast::SelectStmt, name: &str) -> bool {
    fn in_set(e: &ast::SetExpr, name: &str) -> bool {
        match e {
            ast::SetExpr::Select(core) => {
                core.from.iter().any(|t| in_table_ref(t, name)) || {
                    let mut found = false;
                    for t in &core.targets {
                        let ast::ResTarget::Expr { expr, .. } = t;
                        found |= expr_refs(expr, name);
                    }
                    if let Some(w) = &core.where_clause {
                        found |= expr_refs(w, name);
                    }
                    found
                }
            }
            ast::SetExpr::Values(_) => false,
            ast::SetExpr::SetOp { left, right, .. } => in_set(left, name) || in_set(right, name),
            ast::SetExpr::Query(q) => references_name(q, name),
        }
    }
    fn in_table_ref(t: &ast::TableRef, name: &str) -> bool {
        match t {
            ast::TableRef::Relation { rel, .. } => rel.name.len() == 1 && rel.name[0] == name,
            ast::TableRef::Subquery { query, .. } => references_name(query, name),
            ast::TableRef::Function { .. } => false,
            ast::TableRef::Join(j) => in_table_ref(&j.left, name) || in_table_ref(&j.right, name),
        }
    }
    fn expr_refs(e: &AExpr, name: &str) -> bool {
        let mut found = false;
        visit_ast(e, &mut |x| {
            if let A::SubLink { query, .. } = &x.kind {
                found |= references_name(query, name);
            }
        });
        found
    }
    let shadowed = s.with.as_ref().is_some_and(|w| w.ctes.iter().any(|c| c.name == name));
    !shadowed && in_set(&s.body, name)
}

/// Where column `i` of a set-operation branch is written: the leftmost
/// position of its expression (exprLocation), in the branch's first SELECT.
fn set_column_loc(e: &ast::SetExpr, i: usize, fallback: usize) -> usize {
    let leftmost = |x: &AExpr| {
        let mut min = x.loc;
        visit_ast(x, &mut |n| min = min.min(n.loc));
        min
    };
    match e {
        ast::SetExpr::Select(core) => match core.targets.get(i) {
            Some(ast::ResTarget::Expr { expr, .. }) if !matches!(&expr.kind, A::ColumnRef(f) if f.last() == Some(&ast::ColumnField::Star)) => {
                leftmost(expr)
            }
            _ => set_expr_loc(e, fallback),
        },
        ast::SetExpr::Values(rows) => rows.first().and_then(|r| r.get(i)).map_or(fallback, leftmost),
        ast::SetExpr::Query(q) => set_column_loc(&q.body, i, fallback),
        ast::SetExpr::SetOp { left, .. } => set_column_loc(left, i, fallback),
    }
}

fn set_expr_loc(e: &ast::SetExpr, fallback: usize) -> usize {
    match e {
        ast::SetExpr::Select(core) => core.targets.first().map_or(fallback, |t| {
            let ast::ResTarget::Expr { loc, .. } = t;
            loc.saturating_sub(7)
        }),
        ast::SetExpr::Query(q) => q.loc,
        ast::SetExpr::SetOp { left, .. } => set_expr_loc(left, fallback),
        ast::SetExpr::Values(_) => fallback,
    }
}

/// The name of a grouping column in EXPLAIN output.
fn expr_name(e: &ScalarExpr) -> String {
    match e {
        ScalarExpr::Column { .. } => "?group?".into(),
        _ => "?group?".into(),
    }
}

/// FigureColname: the default output name of a select-list expression.
pub(crate) fn figure_colname(e: &AExpr) -> String {
    figure(e).unwrap_or_else(|| "?column?".into())
}

fn figure(e: &AExpr) -> Option<String> {
    figure_with_strength(e).map(|(name, _)| name)
}

/// PostgreSQL's FigureColnameInternal: a name and whether it is strong. A
/// cast or CASE names its column after the type or "case" only when its
/// argument offers no strong name, so `1::int::text` is called "text".
fn figure_with_strength(e: &AExpr) -> Option<(String, bool)> {
    match &e.kind {
        A::Cast { arg, type_name } => match figure_with_strength(arg) {
            Some((name, true)) => Some((name, true)),
            _ => type_name.names.last().map(|t| (t.clone(), false)),
        },
        A::TypedLiteral { type_name, .. } => type_name.names.last().map(|t| (t.clone(), false)),
        A::Case { default, .. } => match default.as_ref().and_then(|d| figure_with_strength(d)) {
            Some((name, true)) => Some((name, true)),
            _ => Some(("case".into(), false)),
        },
        A::Collate { arg, .. } => figure_with_strength(arg),
        A::Indirection { base, path } if !matches!(path.last(), Some(ast::Indirection::Field(_))) => figure_with_strength(base),
        // The subquery's first column is named by now, "?column?" included.
        A::SubLink { kind: ast::SubLinkKind::Expr, query, .. } => match &query.body {
            ast::SetExpr::Select(core) => core.targets.first().map(|t| {
                let ast::ResTarget::Expr { expr, alias, .. } = t;
                (alias.clone().unwrap_or_else(|| figure_colname(expr)), true)
            }),
            _ => None,
        },
        _ => figure_strong(e).map(|name| (name, true)),
    }
}

/// The names that are always strong.
fn figure_strong(e: &AExpr) -> Option<String> {
    match &e.kind {
        A::ColumnRef(f) => match f.last() {
            Some(ast::ColumnField::Name(n)) => Some(n.clone()),
            _ => None,
        },
        A::Indirection { path, .. } => match path.last() {
            Some(ast::Indirection::Field(n)) => Some(n.clone()),
            _ => None,
        },
        A::Func(call) => call.name.last().cloned(),
        A::Coalesce(_) => Some("coalesce".into()),
        A::NullIf(..) => Some("nullif".into()),
        A::MinMax { op, .. } => Some(match op {
            ast::MinMax::Greatest => "greatest".into(),
            ast::MinMax::Least => "least".into(),
        }),
        A::Array(_) => Some("array".into()),
        A::Row { .. } => Some("row".into()),
        A::Grouping(_) => Some("grouping".into()),
        A::SubLink { kind, .. } => match kind {
            ast::SubLinkKind::Exists => Some("exists".into()),
            ast::SubLinkKind::Array => Some("array".into()),
            _ => None,
        },
        A::SqlValue { func, .. } => Some(
            match func {
                ast::SqlValueFunction::CurrentDate => "current_date",
                ast::SqlValueFunction::CurrentTime => "current_time",
                ast::SqlValueFunction::CurrentTimestamp => "current_timestamp",
                ast::SqlValueFunction::LocalTime => "localtime",
                ast::SqlValueFunction::LocalTimestamp => "localtimestamp",
                ast::SqlValueFunction::CurrentRole => "current_role",
                ast::SqlValueFunction::CurrentUser => "current_user",
                ast::SqlValueFunction::User => "user",
                ast::SqlValueFunction::SessionUser => "session_user",
                ast::SqlValueFunction::CurrentCatalog => "current_catalog",
                ast::SqlValueFunction::CurrentSchema => "current_schema",
            }
            .into(),
        ),
        _ => None,
    }
}
