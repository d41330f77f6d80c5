//! INSERT, UPDATE and DELETE (transformInsertStmt, transformUpdateStmt,
//! transformDeleteStmt): target columns, DEFAULT, assignment coercion and RETURNING.

use std::sync::Arc;

use oa_grammar::ast::{self, ExprKind as A};
use oa_ir::catalog::{ColumnDesc, ConstraintDesc, ConstraintKind, RelKind, RelationDesc};
use oa_ir::expr::{ColumnId, ScalarExpr};
use oa_ir::plan::{CTID_ATTNUM, ConflictUpdate, JoinKind, LogicalPlan, OnConflict, PlanColumn};
use oa_ir::types::{SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use super::expr::ExprKind;
use super::scope::EntryColumn;
use super::{Binder, RangeEntry, ResultColumn, Scope};

/// RETURNING's projection items and the result columns they describe.
type Returning = (Vec<(PlanColumn, ScalarExpr)>, Vec<ResultColumn>);

/// The scan of a DML target: its plan, attnum → column id, and the ctid column.
type TargetScan = (LogicalPlan, Vec<(i16, ColumnId)>, ColumnId);

/// A target column written with subscripts (`a[i]`, `a[lo:hi]`): the bound
/// subscripts and the type the assigned value must have (the element type,
/// or the array type for a slice).
#[derive(Clone)]
struct SubscriptTarget {
    subscripts: Vec<(Option<ScalarExpr>, Option<ScalarExpr>)>,
    slice: bool,
    value_type: SqlType,
}

/// ON CONFLICT after parse analysis; the arbiter indexes are inferred after RETURNING.
struct BoundConflict {
    spec: ArbiterSpec,
    update: Option<ConflictUpdate>,
}

/// The conflict target.
enum ArbiterSpec {
    /// None given (DO NOTHING): every unique index.
    Any,
    /// ON CONSTRAINT name.
    Constraint(ConstraintDesc),
    /// (columns and expressions) [WHERE predicate], over ColumnId(attnum).
    Elements { attrs: Vec<i16>, exprs: Vec<ScalarExpr>, predicate: Option<Vec<ScalarExpr>> },
}

/// What a SET list assigns into: UPDATE's target, or ON CONFLICT DO UPDATE's.
struct SetTarget<'s, 'p> {
    table: &'s Arc<RelationDesc>,
    view: Option<&'s ViewTarget>,
    /// The name "column … of relation …" errors use.
    target_name: &'s str,
    scope: &'s Scope<'p>,
    /// Column ids of the target row's attributes.
    ids: &'s [(i16, ColumnId)],
}

/// An automatically updatable view resolved down to its base table
/// (view_query_is_auto_updatable): which columns it shows and the WHERE
/// clauses of each view level, with the name each refers to the table by.
pub(crate) struct ViewTarget {
    base: Arc<RelationDesc>,
    /// The view's column names, each a base column of the same name.
    columns: Vec<String>,
    quals: Vec<(String, ast::Expr)>,
}

impl<'a> Binder<'a> {
    /// transformAssignmentIndirection for a target column with subscripts
    /// (field assignment into composite columns is not supported).
    fn bind_subscript_target(&mut self, desc: &ColumnDesc, indirection: &[ast::Indirection], scope: &Scope, loc: usize) -> Result<SubscriptTarget> {
        let mut subs = Vec::new();
        for (k, item) in indirection.iter().enumerate() {
            match item {
                ast::Indirection::Subscript { lower, upper, slice } => subs.push((lower, upper, *slice)),
                ast::Indirection::Field(f) => {
                    // The type being assigned into: the column's, or its element's after subscripts.
                    let ty = if k == 0 { desc.ty } else { SqlType::new(self.resolver.elem_type(desc.ty.oid).unwrap_or(desc.ty.oid)) };
                    if self.catalog.type_by_oid(ty.oid).is_some_and(|t| t.typtype == b'c') {
                        return Err(Error::feature_not_supported("assignment to fields of composite columns is not supported yet").with_position(loc));
                    }
                    return Err(Error::new(
                        SqlState::DATATYPE_MISMATCH,
                        format!(
                            "cannot assign to field \"{f}\" of column \"{}\" because its type {} is not a composite type",
                            desc.name,
                            self.type_name(SqlType::new(ty.oid))
                        ),
                    )
                    .with_position(loc));
                }
                ast::Indirection::Star => {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "row expansion via \"*\" is not supported here").with_position(loc));
                }
            }
        }
        let Some(elem) = self.resolver.elem_type(desc.ty.oid) else {
            return Err(Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("cannot subscript type {} because it does not support subscripting", self.type_name(SqlType::new(desc.ty.oid))),
            )
            .with_position(loc));
        };
        if subs.len() > oa_ir::typeio::MAXDIM {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("number of array dimensions ({}) exceeds the maximum allowed ({})", subs.len(), oa_ir::typeio::MAXDIM),
            ));
        }
        let slice = subs.iter().any(|s| s.2);
        let mut subscripts = Vec::with_capacity(subs.len());
        for (lower, upper, is_slice) in subs {
            let bind = |b: &mut Self, e: &Option<Box<ast::Expr>>| -> Result<Option<ScalarExpr>> {
                match e {
                    None => Ok(None),
                    Some(e) => {
                        let x = b.bind_expr(e, scope, ExprKind::UpdateSet)?;
                        Ok(Some(b.coerce_assignment_subscript(x, e.loc)?))
                    }
                }
            };
            let lo = match bind(self, lower)? {
                // In a slice, a plain subscript [n] means [1:n].
                None if slice && !is_slice => Some(ScalarExpr::Const { value: oa_ir::Datum::Int32(1), ty: SqlType::INT4 }),
                other => other,
            };
            let hi = bind(self, upper)?;
            subscripts.push((lo, hi));
        }
        let value_type = if slice { desc.ty } else { SqlType::with_typmod(elem, desc.ty.typmod) };
        Ok(SubscriptTarget { subscripts, slice, value_type })
    }

    /// The value assigned through subscripts, coerced to the element (or array) type.
    fn coerce_subscripted_value(
        &mut self,
        desc: &ColumnDesc,
        t: &SubscriptTarget,
        value: ScalarExpr,
        col_loc: usize,
        value_loc: usize,
    ) -> Result<ScalarExpr> {
        let source = value.ty().oid;
        let target = t.value_type;
        if source != oid::UNKNOWN
            && source != target.oid
            && !self.resolver.can_coerce(source, target.oid, crate::resolve::CoercionContext::Assignment)
        {
            return Err(Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "subscripted assignment to \"{}\" requires type {} but expression is of type {}",
                    desc.name,
                    self.type_name(SqlType::new(target.oid)),
                    self.type_name_oid(source)
                ),
            )
            .with_hint("You will need to rewrite or cast the expression.")
            .with_position(col_loc));
        }
        self.coerce_assignment(value, target, None, value_loc)
    }

    fn check_dml_target(&self, table: Arc<RelationDesc>, verb: &str, loc: usize) -> Result<Arc<RelationDesc>> {
        match table.kind {
            RelKind::Table | RelKind::PartitionedTable => Ok(table),
            RelKind::View => Err(Error::feature_not_supported(format!("cannot {verb} view \"{}\"", table.name))
                .with_detail("Views that are not automatically updatable are not supported yet.")
                .with_position(loc)),
            RelKind::Sequence => {
                Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("cannot change sequence \"{}\"", table.name)).with_position(loc))
            }
            _ => Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("cannot change relation \"{}\"", table.name)).with_position(loc)),
        }
    }

    /// The DML target, or for a view the base table it updates through.
    fn dml_target_or_view(&mut self, rel: &ast::RangeVar, verb: &str) -> Result<(Arc<RelationDesc>, Option<ViewTarget>)> {
        let table = self.lookup_relation(&rel.name, rel.loc)?;
        if table.kind != RelKind::View {
            return Ok((self.check_dml_target(table, verb, rel.loc)?, None));
        }
        let v = self.view_target(&table, verb, rel.loc, 0)?;
        Ok((v.base.clone(), Some(v)))
    }

    /// Checks that a view is automatically updatable and resolves it (through
    /// nested views) to its base table.
    pub(crate) fn view_target(&mut self, view: &RelationDesc, verb: &str, loc: usize, depth: usize) -> Result<ViewTarget> {
        let hint = match verb {
            "insert into" => "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule.",
            "update" => "To enable updating the view, provide an INSTEAD OF UPDATE trigger or an unconditional ON UPDATE DO INSTEAD rule.",
            _ => "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule.",
        };
        let not_updatable = |detail: &str| {
            Error::new(SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE, format!("cannot {verb} view \"{}\"", view.name))
                .with_detail(detail)
                .with_hint(hint)
        };
        let unsupported = |what: &str| {
            Error::feature_not_supported(format!("cannot {verb} view \"{}\"", view.name)).with_detail(what.to_string()).with_position(loc)
        };
        let sql = view.view_query.clone().ok_or_else(|| Error::internal(format!("view \"{}\" has no query", view.name)))?;
        let stmts = oa_grammar::parse(&sql).map_err(|e| Error::internal(format!("view \"{}\" does not parse: {}", view.name, e.message)))?;
        let Some(oa_grammar::RawStatement { stmt: ast::Statement::Select(sel), .. }) = stmts.into_iter().next() else {
            return Err(Error::internal(format!("view \"{}\" is not a SELECT", view.name)));
        };
        let core = match &sel.body {
            ast::SetExpr::Select(core) => core,
            ast::SetExpr::SetOp { .. } => return Err(not_updatable("Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.")),
            _ => return Err(not_updatable("Views that do not select from a single table or view are not automatically updatable.")),
        };
        if core.distinct.is_some() {
            return Err(not_updatable("Views containing DISTINCT are not automatically updatable."));
        }
        if core.group_by.is_some() {
            return Err(not_updatable("Views containing GROUP BY are not automatically updatable."));
        }
        if core.having.is_some() {
            return Err(not_updatable("Views containing HAVING are not automatically updatable."));
        }
        if sel.with.is_some() {
            return Err(not_updatable("Views containing WITH are not automatically updatable."));
        }
        if sel.limit.is_some() {
            return Err(not_updatable("Views containing LIMIT or OFFSET are not automatically updatable."));
        }
        let mut has_agg = false;
        for t in &core.targets {
            let ast::ResTarget::Expr { expr, .. } = t;
            super::select::visit_ast(expr, &mut |x| {
                if let A::Func(call) = &x.kind {
                    has_agg |= call.over.is_none() && self.name_is_aggregate_pub(&call.name);
                }
            });
        }
        if has_agg {
            return Err(not_updatable("Views that return aggregate functions are not automatically updatable."));
        }
        let [ast::TableRef::Relation { rel, alias, .. }] = core.from.as_slice() else {
            return Err(not_updatable("Views that do not select from a single table or view are not automatically updatable."));
        };
        let inner = self.lookup_relation(&rel.name, rel.loc)?;
        let base_ref = alias.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| inner.name.clone());
        if alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
            return Err(unsupported("Views renaming their base table's columns are not supported yet."));
        }
        // The view's columns: plain references to base columns of the same name.
        let names: Vec<String> = view.live_columns().map(|c| c.name.clone()).collect();
        let mut columns = Vec::new();
        for (i, t) in core.targets.iter().enumerate() {
            let ast::ResTarget::Expr { expr, .. } = t;
            let base_col = match &expr.kind {
                A::ColumnRef(f) => match f.as_slice() {
                    [ast::ColumnField::Name(c)] => Some(c.clone()),
                    [ast::ColumnField::Name(q), ast::ColumnField::Name(c)] if *q == base_ref => Some(c.clone()),
                    [ast::ColumnField::Star] => return Err(unsupported("Views using * are not supported yet.")),
                    _ => None,
                },
                _ => None,
            };
            let Some(view_name) = names.get(i) else { break };
            match base_col {
                Some(c) if c == *view_name => columns.push(c),
                _ => return Err(unsupported("Views whose columns are not same-named columns of their base relation are not supported yet.")),
            }
        }
        let mut quals: Vec<(String, ast::Expr)> = core.where_clause.clone().map(|w| (base_ref.clone(), w)).into_iter().collect();
        let base = match inner.kind {
            RelKind::View if depth < 16 => {
                let v = self.view_target(&inner, verb, loc, depth + 1)?;
                if let Some(missing) = columns.iter().find(|c| !v.columns.contains(c)) {
                    return Err(Error::internal(format!("view column \"{missing}\" not found in its base view")));
                }
                quals.extend(v.quals);
                v.base
            }
            RelKind::Table | RelKind::PartitionedTable => inner,
            _ => return Err(not_updatable("Views that do not select from a single table or view are not automatically updatable.")),
        };
        Ok(ViewTarget { base, columns, quals })
    }

    /// Binds a view's WHERE clauses over the target scan (each sees the base
    /// table under the name its view gave it) and filters the plan by them.
    fn apply_view_quals(&mut self, v: &ViewTarget, ids: &[(i16, ColumnId)], mut plan: LogicalPlan) -> Result<LogicalPlan> {
        for (name, qual) in &v.quals {
            let mut scope = Scope::new(None);
            scope.entries.push(self.table_entry(&v.base, name, &|a| ids.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), 0));
            let e = self.bind_expr(qual, &scope, ExprKind::Where).map_err(|mut e| {
                e.position = None;
                e
            })?;
            let e = self.coerce_to_boolean(e, "WHERE", 0)?;
            plan = LogicalPlan::Filter { input: Box::new(plan), predicate: e };
        }
        Ok(plan)
    }

    /// The DEFAULT of a column as an expression (NULL when it has none).
    pub fn column_default(&mut self, table: &RelationDesc, col: &ColumnDesc) -> Result<ScalarExpr> {
        match &col.default {
            None => Ok(ScalarExpr::null(col.ty)),
            Some(sql) => {
                let e = oa_grammar::parse_expr(sql)
                    .map_err(|e| Error::internal(format!("default of {}.{} does not parse: {}", table.name, col.name, e.message)))?;
                let scope = Scope::new(None);
                // Positions inside stored text mean nothing to the statement being run.
                let unplace = |mut e: Error| {
                    e.position = None;
                    e
                };
                let bound = self.bind_expr(&e, &scope, ExprKind::Other).map_err(unplace)?;
                self.coerce_assignment(bound, col.ty, Some(&col.name), 0).map_err(unplace)
            }
        }
    }

    fn returning(&mut self, items: &[ast::ResTarget], scope: &Scope) -> Result<Returning> {
        let mut out = Vec::new();
        let mut cols = Vec::new();
        for t in items {
            let ast::ResTarget::Expr { expr, alias, loc } = t;
            if let A::ColumnRef(fields) = &expr.kind
                && fields.last() == Some(&ast::ColumnField::Star)
            {
                let entries: Vec<&RangeEntry> = if fields.len() == 1 {
                    scope.entries.iter().take(scope.hidden_from.unwrap_or(usize::MAX)).filter(|e| e.name.is_some()).collect()
                } else {
                    let q: Vec<String> = fields[..fields.len() - 1]
                        .iter()
                        .filter_map(|f| if let ast::ColumnField::Name(n) = f { Some(n.clone()) } else { None })
                        .collect();
                    match scope.find_entry(&q, *loc)? {
                        Some(e) => vec![e],
                        // Not visible here: the "missing/invalid FROM-clause entry" error.
                        None => return Err(scope.resolve(Some(&q), "*", *loc).err().unwrap_or_else(|| Error::internal("RETURNING entry not found"))),
                    }
                };
                for e in entries {
                    for c in e.columns.iter().filter(|c| !c.system && !c.qualified_only) {
                        let col = self.plan_column(c.name.clone(), c.ty);
                        cols.push(ResultColumn { name: c.name.clone(), ty: c.ty, table: c.table, attnum: c.attnum });
                        out.push((col, ScalarExpr::Column { id: c.id, ty: c.ty }));
                    }
                }
                continue;
            }
            let e = self.bind_expr(expr, scope, ExprKind::Returning)?;
            let e = self.resolve_unknown_to_text(e)?;
            let name = alias.clone().unwrap_or_else(|| super::select::figure_colname(expr));
            let col = self.plan_column(name.clone(), e.ty());
            cols.push(ResultColumn { name, ty: e.ty(), table: 0, attnum: 0 });
            out.push((col, e));
        }
        Ok((out, cols))
    }

    /// A scope entry exposing a table's columns under the given ids (per attnum).
    fn table_entry(&self, table: &RelationDesc, name: &str, ids: &dyn Fn(i16) -> Option<ColumnId>, loc: usize) -> RangeEntry {
        let columns = table
            .live_columns()
            .filter_map(|c| {
                ids(c.attnum).map(|id| EntryColumn {
                    name: c.name.clone(),
                    id,
                    ty: c.ty,
                    qualified_only: false,
                    system: false,
                    table: table.oid,
                    attnum: c.attnum,
                })
            })
            .collect();
        RangeEntry { name: Some(name.to_string()), table: Some(Arc::new(table.clone())), columns, location: loc }
    }

    /// One INSERT/UPDATE/DELETE statement level: its WITH queries are visible
    /// to `body`; at the top level the data-modifying ones wrap the plan.
    fn bind_dml_level(
        &mut self,
        with: Option<&ast::WithClause>,
        body: impl FnOnce(&mut Self) -> Result<(LogicalPlan, Vec<ResultColumn>)>,
    ) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        self.level += 1;
        let frames = self.ctes.len();
        let result = match with {
            Some(w) => self.bind_with(w, None).and_then(|()| body(self)),
            None => body(self),
        };
        self.ctes.truncate(frames);
        self.level -= 1;
        let (plan, columns) = result?;
        let plan = if self.level == 0 { self.wrap_modifying_ctes(plan) } else { plan };
        Ok((plan, columns))
    }

    pub fn bind_insert(&mut self, s: &ast::InsertStmt) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        self.bind_dml_level(s.with.as_ref(), |b| b.bind_insert_body(s))
    }

    pub fn bind_update(&mut self, s: &ast::UpdateStmt) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        self.bind_dml_level(s.with.as_ref(), |b| b.bind_update_body(s))
    }

    pub fn bind_delete(&mut self, s: &ast::DeleteStmt) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        self.bind_dml_level(s.with.as_ref(), |b| b.bind_delete_body(s))
    }

    fn bind_insert_body(&mut self, s: &ast::InsertStmt) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        let (table, view) = self.dml_target_or_view(&s.table, "insert into")?;
        if let Some(v) = view {
            // INSERT into an updatable view is an INSERT into its base table.
            let view_name = s.table.name.last().cloned().unwrap_or_default();
            let columns: Vec<ast::InsertColumn> = if s.columns.is_empty() {
                let width = match s.source.as_deref() {
                    Some(sel) if is_plain_values(sel) => match &sel.body {
                        ast::SetExpr::Values(rows) => rows.first().map_or(v.columns.len(), |r| r.len()),
                        _ => v.columns.len(),
                    },
                    _ => v.columns.len(),
                };
                if width > v.columns.len() {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "INSERT has more expressions than target columns").with_position(s.table.loc));
                }
                v.columns.iter().take(width).map(|c| ast::InsertColumn { name: c.clone(), indirection: vec![], loc: s.table.loc }).collect()
            } else {
                for c in &s.columns {
                    if !v.columns.contains(&c.name) {
                        return Err(Error::new(
                            SqlState::UNDEFINED_COLUMN,
                            format!("column \"{}\" of relation \"{view_name}\" does not exist", c.name),
                        )
                        .with_position(c.loc));
                    }
                }
                s.columns.clone()
            };
            let rewritten = ast::InsertStmt {
                table: ast::RangeVar { name: vec![table.namespace_name.clone(), table.name.clone()], ..s.table.clone() },
                alias: Some(s.alias.clone().unwrap_or(view_name)),
                columns,
                ..s.clone()
            };
            return self.bind_insert_body(&rewritten);
        }
        let live: Vec<ColumnDesc> = table.live_columns().cloned().collect();
        // Target columns, with the subscripts of those written `a[i]`.
        let mut subscripted: Vec<Option<SubscriptTarget>> = Vec::new();
        let mut targets: Vec<(ColumnDesc, usize)> = if s.columns.is_empty() {
            live.iter().map(|c| (c.clone(), s.table.loc)).collect()
        } else {
            let mut v: Vec<(ColumnDesc, usize)> = Vec::new();
            for c in &s.columns {
                let Some(desc) = table.column(&c.name) else {
                    return Err(Error::new(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{}\" of relation \"{}\" does not exist", c.name, table.name),
                    )
                    .with_position(c.loc));
                };
                // checkInsertTargets: subscripted targets may repeat a column, whole ones may not.
                let clash = v.iter().zip(&subscripted).any(|((d, _), sub)| d.attnum == desc.attnum && (c.indirection.is_empty() || sub.is_none()));
                if clash {
                    return Err(
                        Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{}\" specified more than once", c.name)).with_position(c.loc)
                    );
                }
                let sub =
                    if c.indirection.is_empty() { None } else { Some(self.bind_subscript_target(desc, &c.indirection, &Scope::new(None), c.loc)?) };
                v.push((desc.clone(), c.loc));
                subscripted.push(sub);
            }
            v
        };
        subscripted.resize(targets.len(), None);
        let overriding = s.overriding;
        // Source rows: one Vec<Option<expr>> per row (None = DEFAULT).
        let scope = Scope::new(None);
        let source_plan: LogicalPlan;
        let source_values: Vec<ColumnId>;
        match &s.source {
            None => {
                source_plan = LogicalPlan::one_row();
                source_values = vec![];
            }
            Some(sel) if is_plain_values(sel) => {
                let ast::SetExpr::Values(rows) = &sel.body else { unreachable!() };
                // Without a column list, the leading columns receive the values.
                if s.columns.is_empty()
                    && let Some(first) = rows.first()
                    && first.len() < targets.len()
                {
                    targets.truncate(first.len());
                }
                if let Some(bad) = rows.iter().find(|r| r.len() != rows[0].len()) {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "VALUES lists must all be the same length")
                        .with_position(bad.first().map_or(0, |e| e.loc)));
                }
                let mut bound_rows = Vec::new();
                for row in rows {
                    self.check_insert_width(row.len(), targets.len(), row.first().map_or(0, |e| e.loc), &targets)?;
                    let mut r = Vec::new();
                    for ((e, (col, col_loc)), sub) in row.iter().zip(&targets).zip(&subscripted) {
                        if matches!(e.kind, A::Default) {
                            if sub.is_some() {
                                return Err(Error::feature_not_supported("cannot set an array element to DEFAULT").with_position(*col_loc));
                            }
                            r.push(self.column_default(&table, col)?);
                            continue;
                        }
                        self.check_identity_insert(col, overriding, e.loc)?;
                        let b = self.bind_expr(e, &scope, ExprKind::InsertValues)?;
                        r.push(match sub {
                            Some(t) => self.coerce_subscripted_value(col, t, b, *col_loc, e.loc)?,
                            None => self.coerce_assignment(b, col.ty, Some(&col.name), e.loc)?,
                        });
                    }
                    bound_rows.push(r);
                }
                let columns: Vec<PlanColumn> = targets
                    .iter()
                    .zip(&subscripted)
                    .map(|((c, _), sub)| self.plan_column(c.name.clone(), sub.as_ref().map_or(c.ty, |t| t.value_type)))
                    .collect();
                source_values = columns.iter().map(|c| c.id).collect();
                source_plan = LogicalPlan::Values { columns, rows: bound_rows };
            }
            Some(sel) => {
                let q = self.bind_select_opts(sel, None, false)?;
                if s.columns.is_empty() && q.columns.len() < targets.len() {
                    targets.truncate(q.columns.len());
                }
                self.check_insert_width(q.columns.len(), targets.len(), sel.loc, &targets)?;
                let mut items = Vec::new();
                for ((qc, (col, loc)), sub) in q.columns.iter().zip(&targets).zip(&subscripted) {
                    self.check_identity_insert(col, overriding, *loc)?;
                    let e = ScalarExpr::Column { id: qc.id, ty: qc.ty };
                    let (e, ty) = match sub {
                        Some(t) => (self.coerce_subscripted_value(col, t, e, *loc, *loc)?, t.value_type),
                        None => (self.coerce_assignment(e, col.ty, Some(&col.name), *loc)?, col.ty),
                    };
                    items.push((self.plan_column(col.name.clone(), ty), e));
                }
                source_values = items.iter().map(|(c, _)| c.id).collect();
                source_plan = LogicalPlan::Project { input: Box::new(q.plan), items };
            }
        }
        // Every table column in attnum order: supplied value, or its default.
        let mut items = Vec::new();
        let mut attnums = Vec::new();
        for col in &live {
            let positions: Vec<usize> =
                targets.iter().enumerate().filter(|(i, (t, _))| t.attnum == col.attnum && *i < source_values.len()).map(|(i, _)| i).collect();
            let e = match positions.as_slice() {
                [] => self.column_default(&table, col)?,
                [i] if subscripted[*i].is_none() => ScalarExpr::Column { id: source_values[*i], ty: col.ty },
                // Subscripted targets assign into a NULL array, in the order written.
                _ => positions.iter().fold(ScalarExpr::null(col.ty), |base, &i| {
                    let t = subscripted[i].clone().unwrap_or(SubscriptTarget { subscripts: vec![], slice: false, value_type: col.ty });
                    let value = ScalarExpr::Column { id: source_values[i], ty: t.value_type };
                    subscript_assign(base, t, value, col.ty)
                }),
            };
            let pc = self.plan_column(col.name.clone(), col.ty);
            items.push((pc, e));
            attnums.push(col.attnum);
        }
        let ids: Vec<(i16, ColumnId)> = items.iter().zip(&attnums).map(|((c, _), a)| (*a, c.id)).collect();
        let input = LogicalPlan::Project { input: Box::new(source_plan), items };
        let name = s.alias.clone().unwrap_or_else(|| table.name.clone());
        let conflict = match &s.on_conflict {
            Some(c) => Some(self.bind_on_conflict(&table, &name, c, s.table.loc)?),
            None => None,
        };
        let mut rscope = Scope::new(None);
        rscope.entries.push(self.table_entry(&table, &name, &|a| ids.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), s.table.loc));
        if let Some(BoundConflict { update: Some(u), .. }) = &conflict {
            // EXCLUDED is in the range table, but RETURNING cannot see it.
            let excluded: Vec<(i16, ColumnId)> = table.live_columns().map(|c| c.attnum).zip(u.excluded.iter().copied()).collect();
            rscope.entries.push(self.table_entry(&table, "excluded", &|a| excluded.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), 0));
            rscope.hidden_from = Some(1);
        }
        let (returning, cols) = self.returning(&s.returning, &rscope)?;
        let on_conflict = match conflict {
            Some(c) => Some(Box::new(self.infer_arbiter_indexes(&table, c)?)),
            None => None,
        };
        Ok((LogicalPlan::Insert { table, input: Box::new(input), target_attnums: attnums, returning, on_conflict }, cols))
    }

    /// transformOnConflictClause: the conflict target (transformOnConflictArbiter)
    /// and DO UPDATE's SET list and WHERE clause, which read the existing row
    /// under the target's name and the proposed one as EXCLUDED.
    fn bind_on_conflict(&mut self, table: &Arc<RelationDesc>, name: &str, c: &ast::OnConflict, loc: usize) -> Result<BoundConflict> {
        if c.target.is_none() && matches!(c.action, ast::ConflictAction::Update { .. }) {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "ON CONFLICT DO UPDATE requires inference specification or constraint name")
                .with_hint("For example, ON CONFLICT (column_name).")
                .with_position(c.loc));
        }
        // IsCatalogRelation: OIDs below FirstUnpinnedObjectId.
        if table.oid < 12000 {
            return Err(Error::feature_not_supported("ON CONFLICT is not supported with system catalog tables").with_position(c.loc));
        }
        let spec = match &c.target {
            None => ArbiterSpec::Any,
            Some(ast::ConflictTarget::Constraint(cname)) => match table.constraints.iter().find(|k| &k.name == cname) {
                Some(con) => ArbiterSpec::Constraint(con.clone()),
                None => {
                    return Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("constraint \"{cname}\" for table \"{}\" does not exist", table.name),
                    ));
                }
            },
            Some(ast::ConflictTarget::Columns { columns, where_clause, loc: paren }) => {
                // Inference elements read the target's columns as ColumnId(attnum),
                // the way stored index expressions bind (bind_table_expr).
                let scope = attnum_scope(table, name, loc);
                let mut attrs = Vec::new();
                let mut exprs = Vec::new();
                for e in columns {
                    if e.dir != ast::SortDir::Default {
                        return Err(
                            Error::new(SqlState::INVALID_COLUMN_REFERENCE, "ASC/DESC is not allowed in ON CONFLICT clause").with_position(*paren)
                        );
                    }
                    if e.nulls.is_some() {
                        return Err(Error::new(SqlState::INVALID_COLUMN_REFERENCE, "NULLS FIRST/LAST is not allowed in ON CONFLICT clause")
                            .with_position(*paren));
                    }
                    // A plain column's reference is placed at the parenthesis.
                    let x = match &e.column {
                        Some(_) => {
                            let mut col = e.expr.clone();
                            col.loc = *paren;
                            self.bind_expr(&col, &scope, ExprKind::Other)?
                        }
                        None => self.bind_expr(&e.expr, &scope, ExprKind::Other)?,
                    };
                    let x = self.resolve_unknown_to_text(x)?;
                    if e.collation.is_some() || e.opclass.is_some() {
                        return Err(Error::feature_not_supported("COLLATE and operator classes in an ON CONFLICT target are not supported yet")
                            .with_position(e.expr.loc));
                    }
                    match x {
                        ScalarExpr::Column { id, .. } => attrs.push(id.0 as i16),
                        other => exprs.push(other),
                    }
                }
                let predicate = match where_clause {
                    Some(w) => {
                        let p = self.bind_expr(w, &scope, ExprKind::Other)?;
                        let p = self.coerce_to_boolean(p, "WHERE", w.loc)?;
                        Some(p.into_conjuncts())
                    }
                    None => None,
                };
                attrs.sort_unstable();
                attrs.dedup();
                ArbiterSpec::Elements { attrs, exprs, predicate }
            }
        };
        let update = match &c.action {
            ast::ConflictAction::Nothing => None,
            ast::ConflictAction::Update { set, where_clause } => {
                // The existing row (with its ctid) under the target's name, the proposed one as EXCLUDED.
                let existing: Vec<(i16, ColumnId)> = table.live_columns().map(|c| (c.attnum, self.new_column())).collect();
                let excluded: Vec<(i16, ColumnId)> = table.live_columns().map(|c| (c.attnum, self.new_column())).collect();
                let ctid = self.new_column();
                let mut scope = Scope::new(None);
                let mut target = self.table_entry(table, name, &|a| existing.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), loc);
                target.columns.push(EntryColumn {
                    name: "ctid".into(),
                    id: ctid,
                    ty: SqlType::new(oid::TID),
                    qualified_only: false,
                    system: true,
                    table: table.oid,
                    attnum: CTID_ATTNUM,
                });
                let excl = self.table_entry(table, "excluded", &|a| excluded.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), loc);
                scope.entries.push(target);
                scope.entries.push(excl);
                let set_target = SetTarget { table, view: None, target_name: &table.name, scope: &scope, ids: &existing };
                let assigned = self.bind_set_clauses(set, &set_target)?;
                let filter = match where_clause {
                    Some(w) => {
                        let e = self.bind_expr(w, &scope, ExprKind::Where)?;
                        Some(self.coerce_to_boolean(e, "WHERE", w.loc)?)
                    }
                    None => None,
                };
                let values = table
                    .live_columns()
                    .zip(&existing)
                    .map(|(col, (_, id))| match assigned.iter().find(|(a, _, _)| *a == col.attnum) {
                        Some((_, e, _)) => e.clone(),
                        None => ScalarExpr::Column { id: *id, ty: col.ty },
                    })
                    .collect();
                Some(ConflictUpdate {
                    existing: existing.iter().map(|(_, id)| *id).collect(),
                    existing_ctid: ctid,
                    excluded: excluded.iter().map(|(_, id)| *id).collect(),
                    values,
                    assigned: assigned.iter().map(|(a, _, _)| *a).collect(),
                    filter,
                })
            }
        };
        Ok(BoundConflict { spec, update })
    }

    /// infer_arbiter_indexes: the unique indexes the conflict target names.
    fn infer_arbiter_indexes(&mut self, table: &RelationDesc, c: BoundConflict) -> Result<OnConflict> {
        let arbiters = match c.spec {
            ArbiterSpec::Any => vec![],
            ArbiterSpec::Constraint(con) => {
                let index = con.index.filter(|_| matches!(con.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique));
                match index {
                    Some(ix) => vec![ix],
                    None => {
                        return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, "constraint in ON CONFLICT clause has no associated index"));
                    }
                }
            }
            ArbiterSpec::Elements { attrs, exprs, predicate } => {
                let mut found = Vec::new();
                for ix in table.indexes.iter().filter(|ix| ix.unique) {
                    let mut cols: Vec<i16> = ix.columns.iter().copied().filter(|a| *a != 0).collect();
                    cols.sort_unstable();
                    cols.dedup();
                    if cols != attrs {
                        continue;
                    }
                    // Expression elements and the index's expressions must be the same set.
                    let mut index_exprs = Vec::new();
                    for sql in &ix.exprs {
                        index_exprs.push(crate::binder::bind_table_expr(sql, table, self.catalog, self.ctx)?);
                    }
                    if !exprs.iter().all(|e| index_exprs.contains(e)) || !index_exprs.iter().all(|e| exprs.contains(e)) {
                        continue;
                    }
                    // A partial index's predicate must be implied by the target's
                    // WHERE: here, each of its conjuncts must appear there.
                    if let Some(sql) = &ix.predicate {
                        let Some(given) = &predicate else { continue };
                        let needed = crate::binder::bind_table_expr(sql, table, self.catalog, self.ctx)?.into_conjuncts();
                        if !needed.iter().all(|n| given.contains(n)) {
                            continue;
                        }
                    }
                    found.push(ix.oid);
                }
                if found.is_empty() {
                    return Err(Error::new(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    ));
                }
                found
            }
        };
        Ok(OnConflict { arbiters, update: c.update })
    }

    fn check_insert_width(&self, have: usize, want: usize, loc: usize, targets: &[(ColumnDesc, usize)]) -> Result<()> {
        if have > want {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "INSERT has more expressions than target columns").with_position(loc));
        }
        if have < want {
            let at = targets.get(have).map_or(loc, |(_, l)| *l);
            return Err(Error::new(SqlState::SYNTAX_ERROR, "INSERT has more target columns than expressions").with_position(at));
        }
        Ok(())
    }

    fn check_identity_insert(&self, col: &ColumnDesc, overriding: Option<ast::Overriding>, loc: usize) -> Result<()> {
        if col.identity == b'a' && overriding != Some(ast::Overriding::System) {
            return Err(Error::new(SqlState::GENERATED_ALWAYS, format!("cannot insert a non-DEFAULT value into column \"{}\"", col.name))
                .with_detail(format!("Column \"{}\" is an identity column defined as GENERATED ALWAYS.", col.name))
                .with_hint("Use OVERRIDING SYSTEM VALUE to override.")
                .with_position(loc));
        }
        if col.generated == b's' {
            return Err(Error::new(SqlState::GENERATED_ALWAYS, format!("cannot insert a non-DEFAULT value into column \"{}\"", col.name))
                .with_detail(format!("Column \"{}\" is a generated column.", col.name))
                .with_position(loc));
        }
        Ok(())
    }

    /// Scan of the DML target plus its alias entry; returns (plan, attnum→id, ctid id).
    fn target_scan(&mut self, table: &Arc<RelationDesc>, alias: Option<&ast::Alias>, loc: usize, scope: &mut Scope) -> Result<TargetScan> {
        let name = alias.map(|a| a.name.clone()).unwrap_or_else(|| table.name.clone());
        let mut scan_cols = Vec::new();
        let mut ids = Vec::new();
        for c in table.live_columns() {
            let id = self.new_column();
            scan_cols.push(oa_ir::plan::ScanColumn { id, attnum: c.attnum, ty: c.ty, name: c.name.clone() });
            ids.push((c.attnum, id));
        }
        let ctid = self.new_column();
        scan_cols.push(oa_ir::plan::ScanColumn { id: ctid, attnum: CTID_ATTNUM, ty: SqlType::new(oa_ir::types::oid::TID), name: "ctid".into() });
        let mut entry = self.table_entry(table, &name, &|a| ids.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), loc);
        entry.columns.push(EntryColumn {
            name: "ctid".into(),
            id: ctid,
            ty: SqlType::new(oa_ir::types::oid::TID),
            qualified_only: false,
            system: true,
            table: table.oid,
            attnum: CTID_ATTNUM,
        });
        scope.entries.push(entry);
        Ok((LogicalPlan::Scan { table: table.clone(), alias: name, columns: scan_cols }, ids, ctid))
    }

    fn join_using_items(&mut self, mut plan: LogicalPlan, items: &[ast::TableRef], scope: &mut Scope) -> Result<LogicalPlan> {
        if items.is_empty() {
            return Ok(plan);
        }
        let mut from_scope = Scope::new(None);
        let from_plan = self.bind_from(items, &mut from_scope)?;
        scope.entries.extend(from_scope.entries);
        plan = LogicalPlan::Join {
            kind: JoinKind::Inner,
            left: Box::new(plan),
            right: Box::new(from_plan),
            condition: ScalarExpr::bool(true),
            mark: None,
        };
        Ok(plan)
    }

    fn bind_update_body(&mut self, s: &ast::UpdateStmt) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        let (table, view) = self.dml_target_or_view(&s.table, "update")?;
        let view_alias = view_alias(&s.table, s.alias.as_ref(), view.as_ref());
        let mut scope = Scope::new(None);
        let (scan, ids, ctid) = self.target_scan(&table, view_alias.as_ref().or(s.alias.as_ref()), s.table.loc, &mut scope)?;
        let scan = match &view {
            Some(v) => {
                restrict_to_view(&mut scope, v);
                self.apply_view_quals(v, &ids, scan)?
            }
            None => scan,
        };
        let target_name = s.table.name.last().cloned().unwrap_or_default();
        let mut plan = self.join_using_items(scan, &s.from, &mut scope)?;
        if let Some(w) = &s.where_clause {
            let e = self.bind_expr(w, &scope, ExprKind::Where)?;
            let e = self.coerce_to_boolean(e, "WHERE", w.loc)?;
            plan = LogicalPlan::Filter { input: Box::new(plan), predicate: e };
        }
        // SET clauses → new value per assigned attnum (and whether it went through subscripts).
        let target = SetTarget { table: &table, view: view.as_ref(), target_name: &target_name, scope: &scope, ids: &ids };
        let assigned = self.bind_set_clauses(&s.set, &target)?;
        let mut items = Vec::new();
        items.push((
            self.plan_column("ctid", SqlType::new(oa_ir::types::oid::TID)),
            ScalarExpr::Column { id: ctid, ty: SqlType::new(oa_ir::types::oid::TID) },
        ));
        let mut values = Vec::new();
        let mut new_ids = Vec::new();
        for col in table.live_columns() {
            let e = match assigned.iter().find(|(a, _, _)| *a == col.attnum) {
                Some((_, e, _)) => e.clone(),
                None => {
                    let id = ids.iter().find(|(a, _)| *a == col.attnum).map(|(_, id)| *id).ok_or_else(|| Error::internal("target column missing"))?;
                    ScalarExpr::Column { id, ty: col.ty }
                }
            };
            let pc = self.plan_column(col.name.clone(), col.ty);
            values.push(pc.id);
            new_ids.push((col.attnum, pc.id));
            items.push((pc, e));
        }
        // FROM columns stay available for RETURNING.
        let mut passthrough: Vec<(PlanColumn, ScalarExpr)> = Vec::new();
        for e in scope.entries.iter().skip(1) {
            for c in &e.columns {
                passthrough.push((PlanColumn { id: c.id, ty: c.ty, name: c.name.clone() }, ScalarExpr::Column { id: c.id, ty: c.ty }));
            }
        }
        let ctid_out = items[0].0.id;
        items.extend(passthrough);
        let input = LogicalPlan::Project { input: Box::new(plan), items };
        // RETURNING sees the new row values.
        let name = s.alias.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| target_name.clone());
        let mut rscope = Scope::new(None);
        rscope.entries.push(self.table_entry(&table, &name, &|a| new_ids.iter().find(|(x, _)| *x == a).map(|(_, id)| *id), s.table.loc));
        if let Some(v) = &view {
            restrict_to_view(&mut rscope, v);
        }
        rscope.entries.extend(scope.entries.iter().skip(1).cloned());
        let (returning, cols) = self.returning(&s.returning, &rscope)?;
        let assigned_attnums = assigned.iter().map(|(a, _, _)| *a).collect();
        Ok((LogicalPlan::Update { table, input: Box::new(input), ctid: ctid_out, values, assigned: assigned_attnums, returning }, cols))
    }

    /// The SET list of UPDATE or ON CONFLICT DO UPDATE (transformUpdateTargetList):
    /// the new value per assigned attnum, and whether it went through subscripts.
    fn bind_set_clauses(&mut self, set: &[ast::SetClause], t: &SetTarget) -> Result<Vec<(i16, ScalarExpr, bool)>> {
        let mut assigned: Vec<(i16, ScalarExpr, bool)> = Vec::new();
        for sc in set {
            match sc {
                ast::SetClause::Single { column, value } => self.bind_set_item(&mut assigned, t, column, value, None)?,
                ast::SetClause::Multi { columns, value } => match &value.kind {
                    A::Row { args, .. } if args.len() == columns.len() => {
                        for (c, v) in columns.iter().zip(args) {
                            self.bind_set_item(&mut assigned, t, c, v, None)?;
                        }
                    }
                    A::Row { .. } => {
                        return Err(Error::new(SqlState::SYNTAX_ERROR, "number of columns does not match number of values").with_position(value.loc));
                    }
                    A::SubLink { kind: ast::SubLinkKind::Expr, query, .. } => {
                        // (a, b) = (SELECT x, y …): each column reads its own
                        // output of the subquery (MULTIEXPR_SUBLINK), which
                        // must return at most one row.
                        let q = self.bind_select(query, Some(t.scope))?;
                        if q.columns.len() != columns.len() {
                            return Err(
                                Error::new(SqlState::SYNTAX_ERROR, "number of columns does not match number of values").with_position(value.loc)
                            );
                        }
                        for (i, c) in columns.iter().enumerate() {
                            let (plan, map) = self.fresh_copy(&q.plan);
                            let src = &q.columns[i];
                            let id = map.get(&src.id).copied().unwrap_or(src.id);
                            let out = self.plan_column(src.name.clone(), src.ty);
                            let out_id = out.id;
                            let plan = LogicalPlan::Project { input: Box::new(plan), items: vec![(out, ScalarExpr::Column { id, ty: src.ty })] };
                            let sub = ScalarExpr::Subquery(Box::new(oa_ir::expr::SubqueryExpr {
                                kind: oa_ir::expr::SubqueryKind::Scalar,
                                plan: Box::new(plan),
                                test: None,
                                output: vec![out_id],
                                ty: src.ty,
                            }));
                            self.bind_set_item(&mut assigned, t, c, value, Some(sub))?;
                        }
                    }
                    _ => {
                        return Err(Error::new(
                            SqlState::SYNTAX_ERROR,
                            "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
                        )
                        .with_position(value.loc));
                    }
                },
            }
        }
        Ok(assigned)
    }

    /// One assignment of a SET list: a value written out, or (`bound`) one
    /// column of a row subquery.
    fn bind_set_item(
        &mut self,
        assigned: &mut Vec<(i16, ScalarExpr, bool)>,
        t: &SetTarget,
        col: &ast::InsertColumn,
        value: &ast::Expr,
        bound: Option<ScalarExpr>,
    ) -> Result<()> {
        let desc = t.table.column(&col.name).filter(|_| t.view.is_none_or(|v| v.columns.contains(&col.name))).cloned();
        if desc.is_none() && matches!(col.name.as_str(), "ctid" | "xmin" | "cmin" | "xmax" | "cmax" | "tableoid") {
            return Err(Error::feature_not_supported(format!("cannot assign to system column \"{}\"", col.name)).with_position(col.loc));
        }
        let Some(desc) = desc else {
            return Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{}\" of relation \"{}\" does not exist", col.name, t.target_name))
                .with_position(col.loc));
        };
        let indirect = !col.indirection.is_empty();
        // Subscripted assignments to one column combine (a[1] = x, a[2] = y); others may not repeat.
        let existing = assigned.iter().position(|(a, _, _)| *a == desc.attnum);
        if existing.is_some_and(|i| !indirect || !assigned[i].2) {
            return Err(Error::new(SqlState::SYNTAX_ERROR, format!("multiple assignments to same column \"{}\"", col.name)));
        }
        let e = if matches!(value.kind, A::Default) {
            if indirect {
                return Err(default_into_indirection(&col.indirection).with_position(col.loc));
            }
            self.column_default(t.table, &desc)?
        } else {
            if desc.identity == b'a' {
                return Err(Error::new(SqlState::GENERATED_ALWAYS, format!("column \"{}\" can only be updated to DEFAULT", desc.name))
                    .with_detail(format!("Column \"{}\" is an identity column defined as GENERATED ALWAYS.", desc.name))
                    .with_position(col.loc));
            }
            if desc.generated == b's' {
                return Err(Error::new(SqlState::GENERATED_ALWAYS, format!("column \"{}\" can only be updated to DEFAULT", desc.name))
                    .with_detail(format!("Column \"{}\" is a generated column.", desc.name))
                    .with_position(col.loc));
            }
            let x = match bound {
                Some(x) => x,
                None => self.bind_expr(value, t.scope, ExprKind::UpdateSet)?,
            };
            if indirect {
                let st = self.bind_subscript_target(&desc, &col.indirection, t.scope, col.loc)?;
                let v = self.coerce_subscripted_value(&desc, &st, x, col.loc, value.loc)?;
                // The element is assigned into the value so far: the column's, or an earlier subscripted assignment's.
                let base = match existing {
                    Some(i) => assigned.remove(i).1,
                    None => {
                        let id = t
                            .ids
                            .iter()
                            .find(|(a, _)| *a == desc.attnum)
                            .map(|(_, id)| *id)
                            .ok_or_else(|| Error::internal("target column missing"))?;
                        ScalarExpr::Column { id, ty: desc.ty }
                    }
                };
                subscript_assign(base, st, v, desc.ty)
            } else {
                self.coerce_assignment(x, desc.ty, Some(&desc.name), value.loc)?
            }
        };
        assigned.push((desc.attnum, e, indirect));
        Ok(())
    }

    fn bind_delete_body(&mut self, s: &ast::DeleteStmt) -> Result<(LogicalPlan, Vec<ResultColumn>)> {
        let (table, view) = self.dml_target_or_view(&s.table, "delete from")?;
        let view_alias = view_alias(&s.table, s.alias.as_ref(), view.as_ref());
        let mut scope = Scope::new(None);
        let (scan, ids, ctid) = self.target_scan(&table, view_alias.as_ref().or(s.alias.as_ref()), s.table.loc, &mut scope)?;
        let scan = match &view {
            Some(v) => {
                restrict_to_view(&mut scope, v);
                self.apply_view_quals(v, &ids, scan)?
            }
            None => scan,
        };
        let mut plan = self.join_using_items(scan, &s.using, &mut scope)?;
        if let Some(w) = &s.where_clause {
            let e = self.bind_expr(w, &scope, ExprKind::Where)?;
            let e = self.coerce_to_boolean(e, "WHERE", w.loc)?;
            plan = LogicalPlan::Filter { input: Box::new(plan), predicate: e };
        }
        let (returning, cols) = self.returning(&s.returning, &scope)?;
        let old_values = ids.iter().map(|(_, id)| *id).collect();
        Ok((LogicalPlan::Delete { table, input: Box::new(plan), ctid, old_values, returning }, cols))
    }
}

/// The error for DEFAULT assigned through subscripts or a field.
fn default_into_indirection(indirection: &[ast::Indirection]) -> Error {
    if matches!(indirection.first(), Some(ast::Indirection::Subscript { .. })) {
        Error::feature_not_supported("cannot set an array element to DEFAULT")
    } else {
        Error::feature_not_supported("cannot set a subfield to DEFAULT")
    }
}

/// `base` with the subscripted element or slice replaced by `value`.
fn subscript_assign(base: ScalarExpr, t: SubscriptTarget, value: ScalarExpr, ty: SqlType) -> ScalarExpr {
    ScalarExpr::ArrayAssign { base: Box::new(base), subscripts: t.subscripts, slice: t.slice, value: Box::new(value), ty }
}

/// The name the target of UPDATE/DELETE on a view goes by: its alias, or the view's name.
fn view_alias(rel: &ast::RangeVar, alias: Option<&ast::Alias>, view: Option<&ViewTarget>) -> Option<ast::Alias> {
    view?;
    Some(alias.cloned().unwrap_or_else(|| ast::Alias { name: rel.name.last().cloned().unwrap_or_default(), columns: vec![] }))
}

/// Only the view's columns (and ctid) are visible in the target entry.
fn restrict_to_view(scope: &mut Scope, v: &ViewTarget) {
    if let Some(e) = scope.entries.first_mut() {
        e.columns.retain(|c| c.system || v.columns.contains(&c.name));
        e.table = None;
    }
}

/// A scope with one table whose columns are ColumnId(attnum), as bind_table_expr has them.
fn attnum_scope(table: &RelationDesc, name: &str, loc: usize) -> Scope<'static> {
    let mut scope = Scope::new(None);
    let columns = table
        .live_columns()
        .map(|c| EntryColumn {
            name: c.name.clone(),
            id: ColumnId(c.attnum as u32),
            ty: c.ty,
            qualified_only: false,
            system: false,
            table: table.oid,
            attnum: c.attnum,
        })
        .collect();
    scope.entries.push(RangeEntry { name: Some(name.to_string()), table: Some(Arc::new(table.clone())), columns, location: loc });
    scope
}

fn is_plain_values(s: &ast::SelectStmt) -> bool {
    matches!(s.body, ast::SetExpr::Values(_)) && s.order_by.is_empty() && s.limit.is_none() && s.with.is_none()
}
