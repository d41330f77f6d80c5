//! Expression binding (PostgreSQL's transformExpr and friends).

use std::sync::Arc;

use oa_grammar::ast::{self, Expr as AExpr, ExprKind as A};
use oa_ir::datum::Datum;
use oa_ir::expr::{AggCall, AggRef, BoolTestKind, ColumnId, ScalarExpr, SortKey, SqlValueKind, SubqueryExpr, SubqueryKind};
use oa_ir::plan::PlanColumn;
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use super::func::FuncLookup;
use super::{Binder, Scope};

/// Where an expression appears (ParseExprKind): decides which constructs are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExprKind {
    Where,
    JoinOn,
    Having,
    SelectTarget,
    GroupBy,
    OrderBy,
    DistinctOn,
    Values,
    Limit,
    Offset,
    InsertValues,
    UpdateSet,
    Returning,
    FromFunction,
    AggArgument,
    /// A window's PARTITION BY, ORDER BY or frame offset.
    WindowDef,
    Other,
}

impl ExprKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ExprKind::Where => "WHERE",
            ExprKind::JoinOn => "JOIN conditions",
            ExprKind::Having => "HAVING",
            ExprKind::SelectTarget => "SELECT",
            ExprKind::GroupBy => "GROUP BY",
            ExprKind::OrderBy => "ORDER BY",
            ExprKind::DistinctOn => "DISTINCT ON",
            ExprKind::Values | ExprKind::InsertValues => "VALUES",
            ExprKind::Limit => "LIMIT",
            ExprKind::Offset => "OFFSET",
            ExprKind::UpdateSet => "UPDATE",
            ExprKind::Returning => "RETURNING",
            ExprKind::FromFunction => "functions in FROM",
            ExprKind::AggArgument => "aggregate function calls",
            ExprKind::WindowDef => "window definitions",
            ExprKind::Other => "this context",
        }
    }

    fn allows_aggregates(self) -> bool {
        matches!(self, ExprKind::SelectTarget | ExprKind::Having | ExprKind::OrderBy | ExprKind::DistinctOn | ExprKind::WindowDef)
    }
}

/// Aggregates found while binding one query level.
#[derive(Default)]
pub(crate) struct AggLevel {
    pub aggs: Vec<(PlanColumn, AggCall)>,
    /// Where each aggregate call is written (for errors naming the first).
    pub locs: Vec<usize>,
    /// The level's scope depth (Scope::depth), to place outer-level aggregates.
    pub depth: usize,
    /// Set-returning functions of the select list: (output column, function, arguments).
    pub srfs: Vec<(PlanColumn, Arc<oa_ir::expr::FuncRef>, Vec<ScalarExpr>)>,
    /// The kind of expression of this level a subquery being bound sits in:
    /// decides whether an outer-level aggregate may appear there.
    pub sublink_kind: Option<ExprKind>,
    /// Window function calls and the WINDOW clause.
    pub windows: super::window::WindowLevel,
}

impl<'a> Binder<'a> {
    pub fn bind_expr(&mut self, e: &AExpr, scope: &Scope, kind: ExprKind) -> Result<ScalarExpr> {
        oa_ir::stack::guard(|| self.bind_expr_level(e, scope, kind))
    }

    fn bind_expr_level(&mut self, e: &AExpr, scope: &Scope, kind: ExprKind) -> Result<ScalarExpr> {
        let loc = e.loc;
        match &e.kind {
            A::ColumnRef(fields) => self.bind_column_ref(fields, scope, loc),
            A::Param(n) => self.bind_param(*n, loc),
            A::Literal(l) => self.bind_literal(l, loc),
            A::TypedLiteral { type_name, value } => {
                let ty = self.resolve_type(type_name)?;
                self.coerce_explicit(ScalarExpr::Const { value: Datum::Text(value.clone()), ty: SqlType::UNKNOWN }, ty, loc)
            }
            A::Indirection { base, path } => {
                let mut cur = self.bind_expr(base, scope, kind)?;
                for item in path {
                    cur = self.bind_indirection(cur, item, scope, kind, loc)?;
                }
                Ok(cur)
            }
            A::BinaryOp { op, left, right } => {
                if let (A::Row { args: l, .. }, A::Row { args: r, .. }) = (&left.kind, &right.kind) {
                    return self.bind_row_comparison(op, l, r, scope, kind, loc);
                }
                if let (A::Row { .. }, A::SubLink { kind: ast::SubLinkKind::Expr, .. }) = (&left.kind, &right.kind) {
                    return Err(Error::feature_not_supported("row comparison with a subquery is not supported yet").with_position(loc));
                }
                let l = self.bind_expr(left, scope, kind)?;
                let r = self.bind_expr(right, scope, kind)?;
                self.make_operator(op, Some(l), r, loc)
            }
            A::UnaryOp { op, arg } => {
                let a = self.bind_expr(arg, scope, kind)?;
                self.make_operator(op, None, a, loc)
            }
            A::Bool { op, args } => {
                let construct = match op {
                    ast::BoolOp::And => "AND",
                    ast::BoolOp::Or => "OR",
                    ast::BoolOp::Not => "NOT",
                };
                let mut bound = Vec::with_capacity(args.len());
                for a in args {
                    let x = self.bind_expr(a, scope, kind)?;
                    bound.push(self.coerce_to_boolean(x, construct, a.loc)?);
                }
                Ok(match op {
                    ast::BoolOp::And => ScalarExpr::And(bound),
                    ast::BoolOp::Or => ScalarExpr::Or(bound),
                    ast::BoolOp::Not => ScalarExpr::Not(Box::new(bound.pop().unwrap_or_else(|| ScalarExpr::bool(true)))),
                })
            }
            A::IsNull { arg, negated } => {
                if let A::Row { args, .. } = &arg.kind {
                    // A row IS NULL when every field is; IS NOT NULL when none is.
                    let mut parts = Vec::with_capacity(args.len());
                    for f in args {
                        let x = self.bind_expr(f, scope, kind)?;
                        let x = self.resolve_unknown_to_text(x)?;
                        parts.push(ScalarExpr::IsNull { arg: Box::new(x), negated: *negated });
                    }
                    return Ok(ScalarExpr::conjunction(parts));
                }
                let a = self.bind_expr(arg, scope, kind)?;
                let a = self.resolve_unknown_to_text(a)?;
                Ok(ScalarExpr::IsNull { arg: Box::new(a), negated: *negated })
            }
            A::IsBool { arg, test, negated } => {
                let a = self.bind_expr(arg, scope, kind)?;
                let construct = match (test, negated) {
                    (ast::BoolTest::True, false) => "IS TRUE",
                    (ast::BoolTest::True, true) => "IS NOT TRUE",
                    (ast::BoolTest::False, false) => "IS FALSE",
                    (ast::BoolTest::False, true) => "IS NOT FALSE",
                    (ast::BoolTest::Unknown, false) => "IS UNKNOWN",
                    (ast::BoolTest::Unknown, true) => "IS NOT UNKNOWN",
                };
                let a = self.coerce_to_boolean(a, construct, arg.loc)?;
                let k = match (test, negated) {
                    (ast::BoolTest::True, false) => BoolTestKind::IsTrue,
                    (ast::BoolTest::True, true) => BoolTestKind::IsNotTrue,
                    (ast::BoolTest::False, false) => BoolTestKind::IsFalse,
                    (ast::BoolTest::False, true) => BoolTestKind::IsNotFalse,
                    (ast::BoolTest::Unknown, false) => BoolTestKind::IsUnknown,
                    (ast::BoolTest::Unknown, true) => BoolTestKind::IsNotUnknown,
                };
                Ok(ScalarExpr::BoolTest { arg: Box::new(a), kind: k })
            }
            A::IsDistinctFrom { left, right, negated } => {
                if let (A::Row { args: l, .. }, A::Row { args: r, .. }) = (&left.kind, &right.kind) {
                    return self.bind_row_distinct(l, r, *negated, scope, kind, loc);
                }
                let l = self.bind_expr(left, scope, kind)?;
                let r = self.bind_expr(right, scope, kind)?;
                let (eq, l, r) = self.comparison("=", l, r, loc)?;
                Ok(ScalarExpr::DistinctFrom { eq, left: Box::new(l), right: Box::new(r), negated: *negated })
            }
            A::Between { arg, low, high, negated, symmetric } => self.bind_between(arg, low, high, *negated, *symmetric, scope, kind, loc),
            A::InList { arg, list, negated } => self.bind_in_list(arg, list, *negated, scope, kind, loc),
            A::Like { kind: lk, arg, pattern, escape, negated } => self.bind_like(*lk, arg, pattern, escape.as_deref(), *negated, scope, kind, loc),
            A::AnyAll { op, all, left, right } => {
                let l = self.bind_expr(left, scope, kind)?;
                let r = self.bind_expr(right, scope, kind)?;
                self.bind_array_op(op, !*all, l, r, loc)
            }
            A::SubLink { kind: sk, test, op, query } => self.bind_sublink(*sk, test.as_deref(), op.as_ref(), query, scope, kind, loc),
            A::Case { arg, whens, default } => self.bind_case(arg.as_deref(), whens, default.as_deref(), scope, kind, loc),
            A::Cast { arg, type_name } => {
                let ty = self.resolve_type(type_name)?;
                if let A::Array(elems) = &arg.kind {
                    // ARRAY[...]::t[] types the constructor's elements directly.
                    if let Some(elem) = self.resolver.elem_type(ty.oid) {
                        let a = self.bind_array_ctor(elems, Some(elem), scope, kind, arg.loc)?;
                        return self.coerce_explicit(a, ty, loc);
                    }
                }
                let a = self.bind_expr(arg, scope, kind)?;
                self.coerce_explicit(a, ty, loc)
            }
            A::Collate { arg, collation } => {
                let a = self.bind_expr(arg, scope, kind)?;
                let name = collation.last().map(String::as_str).unwrap_or("");
                match name {
                    "C" | "default" | "POSIX" | "ucs_basic" => Ok(a),
                    _ => Err(Error::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("collation \"{}\" for encoding \"UTF8\" does not exist", collation.join(".")),
                    )
                    .with_position(loc)),
                }
            }
            A::AtTimeZone { arg, zone } => {
                let a = self.bind_expr(arg, scope, kind)?;
                let z = self.bind_expr(zone, scope, kind)?;
                self.call_function(&["pg_catalog".into(), "timezone".into()], vec![(None, z, zone.loc), (None, a, arg.loc)], loc)
            }
            A::Func(call) => self.bind_func_call(call, scope, kind, loc),
            A::Coalesce(args) => {
                let bound = self.bind_list(args, scope, kind)?;
                let refs: Vec<(&ScalarExpr, usize)> = bound.iter().zip(args).map(|(b, a)| (b, a.loc)).collect();
                let ty = self.common_type(&refs, "COALESCE")?;
                let mut out = Vec::new();
                for (b, a) in bound.into_iter().zip(args) {
                    out.push(self.coerce_to_common(b, ty, "COALESCE", a.loc)?);
                }
                Ok(ScalarExpr::Coalesce { args: out, ty: strip_typmod_if_mixed(ty) })
            }
            A::NullIf(a, b) => {
                let l = self.bind_expr(a, scope, kind)?;
                let r = self.bind_expr(b, scope, kind)?;
                let (eq, l, r) = self.comparison("=", l, r, loc)?;
                Ok(ScalarExpr::NullIf { eq, left: Box::new(l), right: Box::new(r) })
            }
            A::MinMax { op, args } => {
                let construct = match op {
                    ast::MinMax::Greatest => "GREATEST",
                    ast::MinMax::Least => "LEAST",
                };
                let bound = self.bind_list(args, scope, kind)?;
                let refs: Vec<(&ScalarExpr, usize)> = bound.iter().zip(args).map(|(b, a)| (b, a.loc)).collect();
                let ty = self.common_type(&refs, construct)?;
                let mut out = Vec::new();
                for (b, a) in bound.into_iter().zip(args) {
                    out.push(self.coerce_to_common(b, ty, construct, a.loc)?);
                }
                let probe = ScalarExpr::null(SqlType::new(ty.oid));
                let (cmp, _, _) = self.comparison("<", probe.clone(), probe, loc)?;
                Ok(ScalarExpr::MinMax { greatest: *op == ast::MinMax::Greatest, cmp, args: out, ty })
            }
            A::SqlValue { func, precision } => self.bind_sql_value(*func, *precision, loc),
            A::Row { args, .. } => {
                // A RowExpr of type record: each field keeps its own type
                // (unknown literals stay unknown, as in PostgreSQL).
                let fields = self.bind_list(args, scope, kind)?;
                Ok(ScalarExpr::Row { fields, ty: SqlType::RECORD })
            }
            A::Array(elems) => self.bind_array_ctor(elems, None, scope, kind, loc),
            A::Grouping(_) => Err(Error::feature_not_supported("GROUPING is not supported yet").with_position(loc)),
            A::Default => Err(Error::new(SqlState::SYNTAX_ERROR, "DEFAULT is not allowed in this context").with_position(loc)),
            A::CurrentOf(_) => Err(Error::feature_not_supported("WHERE CURRENT OF is not supported yet").with_position(loc)),
            A::IsNormalized { .. } => Err(Error::feature_not_supported("IS NORMALIZED is not supported yet").with_position(loc)),
            A::IsDocument { .. } => Err(Error::feature_not_supported("XML is not supported yet").with_position(loc)),
        }
    }

    pub fn bind_list(&mut self, list: &[AExpr], scope: &Scope, kind: ExprKind) -> Result<Vec<ScalarExpr>> {
        list.iter().map(|e| self.bind_expr(e, scope, kind)).collect()
    }

    fn bind_column_ref(&mut self, fields: &[ast::ColumnField], scope: &Scope, loc: usize) -> Result<ScalarExpr> {
        let names: Vec<&str> = fields
            .iter()
            .map(|f| match f {
                ast::ColumnField::Name(n) => n.as_str(),
                ast::ColumnField::Star => "*",
            })
            .collect();
        if names.last() == Some(&"*") {
            return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "row expansion via \"*\" is not supported here").with_position(loc));
        }
        let (qualifier, name): (Option<Vec<String>>, &str) = match names.as_slice() {
            [n] => (None, n),
            [q @ .., n] if q.len() <= 3 => (Some(q.iter().map(|s| s.to_string()).collect()), n),
            _ => {
                return Err(Error::new(SqlState::SYNTAX_ERROR, format!("improper qualified name (too many dotted names): {}", names.join(".")))
                    .with_position(loc));
            }
        };
        if let Some(q) = &qualifier
            && q.len() == 1
        {
            // `t.col` where t is not a FROM item might be a whole-row or function call; not supported.
            if scope.find_entry_any_level(q, loc)?.is_none() {
                return scope.resolve(Some(q), name, loc).map(|r| r.expr);
            }
        }
        match scope.resolve(qualifier.as_deref(), name, loc) {
            Ok(r) => Ok(r.expr),
            // A bare FROM item name is a whole-row reference (a value of the row's composite type).
            Err(e) if qualifier.is_none() && e.code == SqlState::UNDEFINED_COLUMN => match scope.find_entry_any_level(&[name.to_string()], loc)? {
                Some(entry) => Ok(whole_row(entry)),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// The fields of a composite type or registered record type.
    pub(crate) fn record_fields(&self, ty: SqlType) -> Option<Vec<(String, SqlType)>> {
        if let Some(f) = oa_ir::types::records::fields(ty) {
            return Some(f.to_vec());
        }
        let d = self.catalog.type_by_oid(ty.oid)?;
        if d.typtype != b'c' || d.relid == 0 {
            return None;
        }
        let rel = self.catalog.relation(d.relid)?;
        Some(rel.live_columns().map(|c| (c.name.clone(), c.ty)).collect())
    }

    fn bind_param(&mut self, n: i32, loc: usize) -> Result<ScalarExpr> {
        if let Some(arg) = self.sql_fn_param(n) {
            return arg;
        }
        if n < 1 {
            return Err(Error::new(SqlState::UNDEFINED_PARAMETER, format!("there is no parameter ${n}")).with_position(loc));
        }
        let idx = n as usize;
        if idx > self.params.len() {
            if !self.ctx.param_types.is_empty() && idx > self.ctx.param_types.len() {
                return Err(Error::new(SqlState::UNDEFINED_PARAMETER, format!("there is no parameter ${n}")).with_position(loc));
            }
            self.params.resize(idx, SqlType::UNKNOWN);
        }
        Ok(ScalarExpr::Param { index: n as u32, ty: self.params[idx - 1] })
    }

    pub fn bind_literal(&mut self, l: &ast::Literal, loc: usize) -> Result<ScalarExpr> {
        Ok(match l {
            ast::Literal::Integer(i) => ScalarExpr::Const { value: Datum::Int32(*i), ty: SqlType::INT4 },
            ast::Literal::Numeric(s) => {
                let integral = s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                match s.parse::<i64>() {
                    Ok(v) if integral => ScalarExpr::Const { value: Datum::Int64(v), ty: SqlType::INT8 },
                    _ => {
                        let n = oa_ir::numeric::Numeric::parse(s).map_err(|e| e.with_position(loc))?;
                        ScalarExpr::Const { value: Datum::Numeric(n), ty: SqlType::NUMERIC }
                    }
                }
            }
            ast::Literal::String(s) => ScalarExpr::Const { value: Datum::Text(s.clone()), ty: SqlType::UNKNOWN },
            ast::Literal::Boolean(b) => ScalarExpr::bool(*b),
            ast::Literal::Null => ScalarExpr::null(SqlType::UNKNOWN),
            ast::Literal::BitString(_) => {
                return Err(Error::feature_not_supported("bit string literals are not supported yet").with_position(loc));
            }
        })
    }

    fn bind_indirection(&mut self, base: ScalarExpr, item: &ast::Indirection, scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        match item {
            ast::Indirection::Subscript { lower, upper, slice } => {
                let ty = base.ty();
                let Some(_elem) = self.resolver.elem_type(ty.oid) else {
                    return Err(Error::new(
                        SqlState::DATATYPE_MISMATCH,
                        format!("cannot subscript type {} because it does not support subscripting", self.type_name(ty)),
                    )
                    .with_position(loc));
                };
                let bind_sub = |b: &mut Self, e: &Option<Box<AExpr>>| -> Result<Option<Box<ScalarExpr>>> {
                    match e {
                        None => Ok(None),
                        Some(e) => {
                            let x = b.bind_expr(e, scope, kind)?;
                            let x = b.coerce_assignment_subscript(x, e.loc)?;
                            Ok(Some(Box::new(x)))
                        }
                    }
                };
                let lower = bind_sub(self, lower)?;
                let upper = bind_sub(self, upper)?;
                let result = if *slice { ty } else { SqlType::new(self.resolver.elem_type(ty.oid).unwrap_or(oid::UNKNOWN)) };
                Ok(ScalarExpr::Subscript { base: Box::new(base), lower, upper, slice: *slice, ty: result })
            }
            ast::Indirection::Field(name) => {
                let ty = base.ty();
                let Some(fields) = self.record_fields(ty) else {
                    if ty.oid == oid::RECORD {
                        return Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("could not identify column \"{name}\" in record data type"))
                            .with_position(loc));
                    }
                    return Err(Error::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("column notation .{name} applied to type {}, which is not a composite type", self.type_name(ty)),
                    )
                    .with_position(loc));
                };
                let Some(idx) = fields.iter().position(|f| &f.0 == name) else {
                    let msg = if ty.oid == oid::RECORD {
                        format!("could not identify column \"{name}\" in record data type")
                    } else {
                        format!("column \"{name}\" not found in data type {}", self.type_name(ty))
                    };
                    return Err(Error::new(SqlState::UNDEFINED_COLUMN, msg).with_position(loc));
                };
                // A row constructor's field is the field's expression itself.
                if let ScalarExpr::Row { fields: exprs, .. } = &base
                    && exprs.len() == fields.len()
                {
                    return Ok(exprs[idx].clone());
                }
                Ok(ScalarExpr::FieldSelect { arg: Box::new(base), field: idx, name: name.clone(), ty: fields[idx].1 })
            }
            ast::Indirection::Star => {
                Err(Error::feature_not_supported("field selection from composite values is not supported yet").with_position(loc))
            }
        }
    }

    pub(crate) fn coerce_assignment_subscript(&mut self, e: ScalarExpr, loc: usize) -> Result<ScalarExpr> {
        let t = e.ty().oid;
        if t != oid::INT4 && t != oid::UNKNOWN && !self.resolver.can_coerce(t, oid::INT4, crate::resolve::CoercionContext::Assignment) {
            return Err(Error::new(SqlState::DATATYPE_MISMATCH, "array subscript must have type integer").with_position(loc));
        }
        self.coerce_to(e, SqlType::INT4, crate::resolve::CoercionContext::Assignment, loc)
    }

    /// `(a, b) op (c, d)`: PostgreSQL's make_row_comparison_op. `=` and `<>`
    /// become AND/OR of the pairwise comparisons; an ordering operator
    /// compares pairwise until the first unequal pair (RowCompareExpr),
    /// spelled out as `a < c OR (a = c AND b < d)`, which has the same
    /// three-valued result.
    fn bind_row_comparison(&mut self, op: &[String], l: &[AExpr], r: &[AExpr], scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        if l.len() != r.len() {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "unequal number of entries in row expressions").with_position(loc));
        }
        let name = op.last().map(String::as_str).unwrap_or("");
        let mut lefts = Vec::with_capacity(l.len());
        let mut rights = Vec::with_capacity(r.len());
        for (a, b) in l.iter().zip(r) {
            lefts.push(self.bind_expr(a, scope, kind)?);
            rights.push(self.bind_expr(b, scope, kind)?);
        }
        let mut parts = Vec::new();
        for (x, y) in lefts.iter().zip(&rights) {
            let e = self.make_operator(op, Some(x.clone()), y.clone(), loc)?;
            if e.ty().oid != oid::BOOL {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("row comparison operator must yield type boolean, not type {}", self.type_name(e.ty())),
                )
                .with_position(loc));
            }
            parts.push(e);
        }
        match name {
            "=" => Ok(ScalarExpr::conjunction(parts)),
            "<>" => Ok(if parts.len() == 1 { parts.pop().unwrap_or_else(|| ScalarExpr::bool(false)) } else { ScalarExpr::Or(parts) }),
            "<" | "<=" | ">" | ">=" => {
                if parts.len() == 1 {
                    return Ok(parts.pop().unwrap_or_else(|| ScalarExpr::bool(true)));
                }
                // Strict form of the operator for the leading pairs.
                let strict = if name.starts_with('<') { "<" } else { ">" };
                let mut eqs = Vec::new();
                let mut alts = Vec::new();
                let n = parts.len();
                for (i, (x, y)) in lefts.into_iter().zip(rights).enumerate() {
                    let cmp = if i + 1 == n {
                        parts.pop().unwrap_or_else(|| ScalarExpr::bool(true))
                    } else {
                        self.make_operator(&[strict.to_string()], Some(x.clone()), y.clone(), loc)?
                    };
                    let mut conj = eqs.clone();
                    conj.push(cmp);
                    alts.push(ScalarExpr::conjunction(conj));
                    if i + 1 < n {
                        eqs.push(self.make_operator(&["=".to_string()], Some(x), y, loc)?);
                    }
                }
                Ok(ScalarExpr::Or(alts))
            }
            _ => Err(Error::new(SqlState::UNDEFINED_FUNCTION, format!("could not determine interpretation of row comparison operator {name}"))
                .with_hint("Row comparison operators must be associated with btree operator families.")
                .with_position(loc)),
        }
    }

    /// `(a, b) IS [NOT] DISTINCT FROM (c, d)`: pairwise, OR'd (AND'd when NOT).
    fn bind_row_distinct(&mut self, l: &[AExpr], r: &[AExpr], negated: bool, scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        if l.len() != r.len() {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "unequal number of entries in row expressions").with_position(loc));
        }
        let mut parts = Vec::new();
        for (a, b) in l.iter().zip(r) {
            let x = self.bind_expr(a, scope, kind)?;
            let y = self.bind_expr(b, scope, kind)?;
            let (eq, x, y) = self.comparison("=", x, y, loc)?;
            parts.push(ScalarExpr::DistinctFrom { eq, left: Box::new(x), right: Box::new(y), negated });
        }
        Ok(if negated { ScalarExpr::conjunction(parts) } else { ScalarExpr::Or(parts) })
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_between(
        &mut self,
        arg: &AExpr,
        low: &AExpr,
        high: &AExpr,
        negated: bool,
        symmetric: bool,
        scope: &Scope,
        kind: ExprKind,
        loc: usize,
    ) -> Result<ScalarExpr> {
        let a = self.bind_expr(arg, scope, kind)?;
        let lo = self.bind_expr(low, scope, kind)?;
        let hi = self.bind_expr(high, scope, kind)?;
        let ge = |b: &mut Self, x: ScalarExpr, y: ScalarExpr| b.make_operator(&[if negated { "<" } else { ">=" }.into()], Some(x), y, loc);
        let le = |b: &mut Self, x: ScalarExpr, y: ScalarExpr| b.make_operator(&[if negated { ">" } else { "<=" }.into()], Some(x), y, loc);
        let combine = |v: Vec<ScalarExpr>| if negated { ScalarExpr::Or(v) } else { ScalarExpr::And(v) };
        let first = combine(vec![ge(self, a.clone(), lo.clone())?, le(self, a.clone(), hi.clone())?]);
        if !symmetric {
            return Ok(first);
        }
        let second = combine(vec![ge(self, a.clone(), hi)?, le(self, a, lo)?]);
        Ok(if negated { ScalarExpr::And(vec![first, second]) } else { ScalarExpr::Or(vec![first, second]) })
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_in_list(&mut self, arg: &AExpr, list: &[AExpr], negated: bool, scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        if let A::Row { args: left_row, .. } = &arg.kind {
            // (a, b) IN ((1, 2), (3, 4))
            let mut alts = Vec::new();
            for item in list {
                let right_row = match &item.kind {
                    A::Row { args, .. } => args,
                    _ => return Err(Error::new(SqlState::SYNTAX_ERROR, "unequal number of entries in row expressions").with_position(item.loc)),
                };
                let op = if negated { "<>" } else { "=" };
                alts.push(self.bind_row_comparison(&[op.into()], left_row, right_row, scope, kind, loc)?);
            }
            return Ok(if negated { ScalarExpr::And(alts) } else { ScalarExpr::Or(alts) });
        }
        let a = self.bind_expr(arg, scope, kind)?;
        let items = self.bind_list(list, scope, kind)?;
        // transformAExprIn: a common type lets the list become `a = ANY(ARRAY[...])`.
        let mut refs: Vec<(&ScalarExpr, usize)> = vec![(&a, arg.loc)];
        refs.extend(items.iter().zip(list).map(|(b, e)| (b, e.loc)));
        let all_simple = items.iter().all(|i| i.columns().is_empty() && !i.contains_subquery());
        if all_simple && let Ok(common) = self.common_type(&refs, "IN") {
            let common = SqlType::new(common.oid);
            if common.oid != oid::UNKNOWN && self.resolver.array_type(common.oid).is_some() {
                let mut elems = Vec::new();
                for (i, e) in items.iter().zip(list) {
                    elems.push(self.coerce_to_common(i.clone(), common, "IN", e.loc)?);
                }
                let left = self.coerce_to_common(a.clone(), common, "IN", arg.loc)?;
                let arr_ty = SqlType::new(self.resolver.array_type(common.oid).unwrap_or(oid::ANYARRAY));
                let op = if negated { "<>" } else { "=" };
                let probe = ScalarExpr::null(common);
                let (func, _, _) = self.comparison(op, probe.clone(), probe, loc)?;
                return Ok(ScalarExpr::ArrayOp {
                    op: func,
                    any: !negated,
                    left: Box::new(left),
                    right: Box::new(ScalarExpr::ArrayCtor { elems, ty: arr_ty }),
                });
            }
        }
        let mut parts = Vec::new();
        for (i, e) in items.into_iter().zip(list) {
            let op = if negated { "<>" } else { "=" };
            parts.push(self.make_operator(&[op.into()], Some(a.clone()), i, e.loc.min(loc).max(loc))?);
        }
        Ok(if negated { ScalarExpr::And(parts) } else { ScalarExpr::Or(parts) })
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_like(
        &mut self,
        lk: ast::LikeKind,
        arg: &AExpr,
        pattern: &AExpr,
        escape: Option<&AExpr>,
        negated: bool,
        scope: &Scope,
        kind: ExprKind,
        loc: usize,
    ) -> Result<ScalarExpr> {
        let a = self.bind_expr(arg, scope, kind)?;
        let mut p = self.bind_expr(pattern, scope, kind)?;
        let op = match (lk, negated) {
            (ast::LikeKind::Like, false) => "~~",
            (ast::LikeKind::Like, true) => "!~~",
            (ast::LikeKind::ILike, false) => "~~*",
            (ast::LikeKind::ILike, true) => "!~~*",
            (ast::LikeKind::Similar, false) => "~",
            (ast::LikeKind::Similar, true) => "!~",
        };
        if lk == ast::LikeKind::Similar {
            // x SIMILAR TO p [ESCAPE e] is x ~ similar_to_escape(p [, e]).
            let mut args = vec![(None, p, pattern.loc)];
            if let Some(e) = escape {
                args.push((None, self.bind_expr(e, scope, kind)?, e.loc));
            }
            p = self.call_function(&["pg_catalog".into(), "similar_to_escape".into()], args, loc)?;
        } else if let Some(e) = escape {
            let esc = self.bind_expr(e, scope, kind)?;
            p = self.call_function(&["pg_catalog".into(), "like_escape".into()], vec![(None, p, pattern.loc), (None, esc, e.loc)], loc)?;
        }
        self.make_operator(&[op.into()], Some(a), p, loc)
    }

    /// `left op ANY/ALL (array)`: make_scalar_array_op.
    fn bind_array_op(&mut self, op: &[String], any: bool, left: ScalarExpr, right: ScalarExpr, loc: usize) -> Result<ScalarExpr> {
        let rt = right.ty().oid;
        let right = if rt == oid::UNKNOWN {
            // An untyped literal on the right is an array of the left's type.
            let lt = left.ty().oid;
            let arr = self.resolver.array_type(if lt == oid::UNKNOWN { oid::TEXT } else { lt }).unwrap_or(oid::TEXT_ARRAY);
            self.coerce_to(right, SqlType::new(arr), crate::resolve::CoercionContext::Implicit, loc)?
        } else {
            right
        };
        let rt = right.ty().oid;
        let Some(elem) = self.resolver.elem_type(rt) else {
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires array on right side").with_position(loc));
        };
        let opdesc = self.find_operator(op, Some(left.ty().oid), elem, loc)?;
        let probe = ScalarExpr::null(SqlType::new(elem));
        let bound = self.apply_operator(&opdesc, Some(left), probe, loc)?;
        let ScalarExpr::Func { func, mut args } = bound else { return Err(Error::internal("operator did not bind to a call")) };
        if func.ret_type.oid != oid::BOOL {
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, "op ANY/ALL (array) requires operator to yield boolean").with_position(loc));
        }
        let left = args.remove(0);
        let want_elem = func.arg_types.get(1).map_or(elem, |t| t.oid);
        let right = if want_elem != elem {
            let arr = self.resolver.array_type(want_elem).unwrap_or(rt);
            self.coerce_to(right, SqlType::new(arr), crate::resolve::CoercionContext::Implicit, loc)?
        } else {
            right
        };
        Ok(ScalarExpr::ArrayOp { op: func, any, left: Box::new(left), right: Box::new(right) })
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_sublink(
        &mut self,
        sk: ast::SubLinkKind,
        test: Option<&AExpr>,
        op: Option<&Vec<String>>,
        query: &ast::SelectStmt,
        scope: &Scope,
        kind: ExprKind,
        loc: usize,
    ) -> Result<ScalarExpr> {
        // Outer-level aggregates inside the subquery are checked against this context.
        let depth = scope.depth();
        let level = self.agg_levels.iter().rposition(|l| l.depth == depth);
        let saved = level.and_then(|i| self.agg_levels[i].sublink_kind.replace(kind));
        let q = self.bind_select(query, Some(scope));
        if let Some(i) = level {
            self.agg_levels[i].sublink_kind = saved;
        }
        let q = q?;
        let plan = self.finish_subquery(q.clone())?;
        let output: Vec<ColumnId> = q.columns.iter().map(|c| c.id).collect();
        match sk {
            ast::SubLinkKind::Exists => Ok(ScalarExpr::Subquery(Box::new(SubqueryExpr {
                kind: SubqueryKind::Exists,
                plan: Box::new(plan),
                test: None,
                output,
                ty: SqlType::BOOL,
            }))),
            ast::SubLinkKind::Expr | ast::SubLinkKind::Array => {
                if q.columns.len() != 1 {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, "subquery must return only one column").with_position(loc));
                }
                let col_ty = q.columns[0].ty;
                if sk == ast::SubLinkKind::Expr {
                    Ok(ScalarExpr::Subquery(Box::new(SubqueryExpr {
                        kind: SubqueryKind::Scalar,
                        plan: Box::new(plan),
                        test: None,
                        output,
                        ty: col_ty,
                    })))
                } else {
                    let arr = self.resolver.array_type(col_ty.oid).ok_or_else(|| {
                        Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find array type for data type {}", self.type_name(col_ty)))
                            .with_position(loc)
                    })?;
                    Ok(ScalarExpr::Subquery(Box::new(SubqueryExpr {
                        kind: SubqueryKind::Array,
                        plan: Box::new(plan),
                        test: None,
                        output,
                        ty: SqlType::new(arr),
                    })))
                }
            }
            ast::SubLinkKind::Any | ast::SubLinkKind::All => {
                let Some(test) = test else { return Err(Error::internal("ANY/ALL sublink without a test expression")) };
                let op = op.cloned().unwrap_or_else(|| vec!["=".into()]);
                let (left_exprs, is_row) = match &test.kind {
                    A::Row { args, .. } => (args.iter().collect::<Vec<_>>(), true),
                    _ => (vec![test], false),
                };
                if left_exprs.len() != q.columns.len() {
                    let msg = if left_exprs.len() < q.columns.len() { "subquery has too many columns" } else { "subquery has too few columns" };
                    return Err(Error::new(SqlState::SYNTAX_ERROR, msg).with_position(loc));
                }
                let mut parts = Vec::new();
                for (l, c) in left_exprs.iter().zip(&q.columns) {
                    let lb = self.bind_expr(l, scope, kind)?;
                    let rb = ScalarExpr::Column { id: c.id, ty: c.ty };
                    let e = self.make_operator(&op, Some(lb), rb, loc)?;
                    if e.ty().oid != oid::BOOL {
                        return Err(Error::new(
                            SqlState::DATATYPE_MISMATCH,
                            format!("operator {} must return type boolean, not type {}", op.join("."), self.type_name(e.ty())),
                        )
                        .with_position(loc));
                    }
                    parts.push(e);
                }
                let test_expr = if is_row {
                    if sk == ast::SubLinkKind::All { ScalarExpr::Or(parts) } else { ScalarExpr::And(parts) }
                } else {
                    parts.pop().unwrap_or_else(|| ScalarExpr::bool(true))
                };
                let kind = if sk == ast::SubLinkKind::Any { SubqueryKind::Any } else { SubqueryKind::All };
                Ok(ScalarExpr::Subquery(Box::new(SubqueryExpr { kind, plan: Box::new(plan), test: Some(test_expr), output, ty: SqlType::BOOL })))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_case(
        &mut self,
        arg: Option<&AExpr>,
        whens: &[(AExpr, AExpr)],
        default: Option<&AExpr>,
        scope: &Scope,
        kind: ExprKind,
        loc: usize,
    ) -> Result<ScalarExpr> {
        let case_arg = match arg {
            Some(a) => Some(self.bind_expr(a, scope, kind)?),
            None => None,
        };
        let mut conds = Vec::new();
        let mut results = Vec::new();
        for (w, t) in whens {
            let c = self.bind_expr(w, scope, kind)?;
            let c = match &case_arg {
                // CASE x WHEN v: the test is x = v.
                Some(x) => self.make_operator(&["=".into()], Some(x.clone()), c, w.loc)?,
                None => c,
            };
            conds.push(self.coerce_to_boolean(c, "CASE/WHEN", w.loc)?);
            results.push((self.bind_expr(t, scope, kind)?, t.loc));
        }
        let default = match default {
            Some(d) => (self.bind_expr(d, scope, kind)?, d.loc),
            None => (ScalarExpr::null(SqlType::UNKNOWN), loc),
        };
        // transformCaseExpr puts the ELSE result first when choosing the type.
        let mut refs: Vec<(&ScalarExpr, usize)> = vec![(&default.0, default.1)];
        refs.extend(results.iter().map(|(e, l)| (e, *l)));
        let ty = self.common_type(&refs, "CASE")?;
        let ty = if ty.oid == oid::UNKNOWN { SqlType::TEXT } else { ty };
        let mut out = Vec::new();
        for (c, (r, l)) in conds.into_iter().zip(results) {
            out.push((c, self.coerce_to_common(r, ty, "CASE", l)?));
        }
        let default = self.coerce_to_common(default.0, ty, "CASE", default.1)?;
        Ok(ScalarExpr::Case { whens: out, default: Box::new(default), ty: strip_typmod_if_mixed(ty) })
    }

    fn bind_array_ctor(&mut self, elems: &[AExpr], elem_hint: Option<Oid>, scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        if elems.iter().any(|e| matches!(e.kind, A::Array(_))) {
            return Err(Error::feature_not_supported("multidimensional arrays are not supported yet").with_position(loc));
        }
        let bound = self.bind_list(elems, scope, kind)?;
        let elem_ty = match elem_hint {
            Some(t) => SqlType::new(t),
            None => {
                if bound.is_empty() {
                    return Err(Error::new(SqlState::INDETERMINATE_DATATYPE, "cannot determine type of empty array")
                        .with_hint("Explicitly cast to the desired type, for example ARRAY[]::integer[].")
                        .with_position(loc));
                }
                let refs: Vec<(&ScalarExpr, usize)> = bound.iter().zip(elems).map(|(b, e)| (b, e.loc)).collect();
                self.common_type(&refs, "ARRAY")?
            }
        };
        let elem_ty = SqlType::new(elem_ty.oid);
        let arr = self.resolver.array_type(elem_ty.oid).ok_or_else(|| {
            Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find array type for data type {}", self.type_name(elem_ty))).with_position(loc)
        })?;
        let mut out = Vec::new();
        for (b, e) in bound.into_iter().zip(elems) {
            out.push(if elem_hint.is_some() {
                self.coerce_to(b, elem_ty, crate::resolve::CoercionContext::Explicit, e.loc)?
            } else {
                self.coerce_to_common(b, elem_ty, "ARRAY", e.loc)?
            });
        }
        Ok(ScalarExpr::ArrayCtor { elems: out, ty: SqlType::new(arr) })
    }

    fn bind_sql_value(&mut self, f: ast::SqlValueFunction, precision: Option<i32>, loc: usize) -> Result<ScalarExpr> {
        use ast::SqlValueFunction as F;
        let (kind, ty) = match f {
            F::CurrentDate => (SqlValueKind::CurrentDate, SqlType::DATE),
            F::CurrentTime => return Err(Error::feature_not_supported("type time with time zone is not supported yet").with_position(loc)),
            F::CurrentTimestamp => (SqlValueKind::CurrentTimestamp, SqlType::with_typmod(oid::TIMESTAMPTZ, precision.unwrap_or(-1))),
            F::LocalTime => (SqlValueKind::LocalTime, SqlType::with_typmod(oid::TIME, precision.unwrap_or(-1))),
            F::LocalTimestamp => (SqlValueKind::LocalTimestamp, SqlType::with_typmod(oid::TIMESTAMP, precision.unwrap_or(-1))),
            F::CurrentRole => (SqlValueKind::CurrentRole, SqlType::NAME),
            F::CurrentUser => (SqlValueKind::CurrentUser, SqlType::NAME),
            F::User => (SqlValueKind::User, SqlType::NAME),
            F::SessionUser => (SqlValueKind::SessionUser, SqlType::NAME),
            F::CurrentCatalog => (SqlValueKind::CurrentCatalog, SqlType::NAME),
            F::CurrentSchema => (SqlValueKind::CurrentSchema, SqlType::NAME),
        };
        Ok(ScalarExpr::SqlValue { kind, precision, ty })
    }

    /// Resolves and builds a call of a (qualified) function with bound arguments.
    pub fn call_function(&mut self, name: &[String], args: Vec<(Option<String>, ScalarExpr, usize)>, loc: usize) -> Result<ScalarExpr> {
        let inputs: Vec<Oid> = args.iter().map(|(_, a, _)| a.ty().oid).collect();
        let names: Vec<Option<String>> = args.iter().map(|(n, _, _)| n.clone()).collect();
        let arg_is_const = args.first().is_some_and(|(_, a, _)| a.is_const());
        match self.lookup_function(name, &inputs, &names, false, arg_is_const, loc)? {
            FuncLookup::Coercion(t) => {
                let (_, a, _) = args.into_iter().next().ok_or_else(|| Error::internal("coercion without argument"))?;
                self.coerce_explicit(a, SqlType::new(t), loc)
            }
            FuncLookup::Func(c) => {
                if c.proc.kind == b'a' || c.proc.kind == b'w' {
                    return Err(Error::internal("aggregate called as a plain function"));
                }
                self.build_call(&c, &inputs, args.into_iter().map(|(_, a, l)| (a, l)).collect(), loc)
            }
        }
    }

    /// Coerces the arguments and builds the call (plus defaults and VARIADIC packing).
    fn build_call(&mut self, c: &super::func::Candidate, inputs: &[Oid], args: Vec<(ScalarExpr, usize)>, loc: usize) -> Result<ScalarExpr> {
        let (mut func, mut arg_types) = self.candidate_ref(c, inputs, loc)?;
        let mut coerced = Vec::with_capacity(args.len());
        for (i, (a, l)) in args.into_iter().enumerate().take(arg_types.len()) {
            let t = arg_types[i];
            coerced.push(self.coerce_implicit(a, SqlType::new(t), l)?);
            // int2vector and oidvector passed as anyarray are int2[] and oid[]
            // (the same storage in PostgreSQL; the executor converts ours).
            const ANYARRAY: Oid = 2277;
            const ANYCOMPATIBLEARRAY: Oid = 5078;
            let vector_array = match coerced[i].ty().oid {
                oid::INT2VECTOR => 1005,
                oid::OIDVECTOR => 1028,
                _ => 0,
            };
            if vector_array != 0 && matches!(c.args.get(i), Some(&(ANYARRAY | ANYCOMPATIBLEARRAY))) {
                let a = coerced.pop().ok_or_else(|| Error::internal("argument vanished"))?;
                let ty = SqlType::new(vector_array);
                coerced.push(ScalarExpr::Cast { arg: Box::new(a), ty, method: oa_ir::expr::CastMethod::Relabel, explicit: false });
                arg_types[i] = vector_array;
                Arc::make_mut(&mut func).arg_types[i] = ty;
            }
        }
        if let Some(from) = c.variadic_from {
            // Pack the variadic arguments into an array, unless the parameter is VARIADIC "any".
            if c.proc.variadic != oid::ANY {
                let tail: Vec<ScalarExpr> = coerced.split_off(from);
                let elem = arg_types.get(from).copied().unwrap_or(oid::TEXT);
                let arr = self.resolver.array_type(elem).unwrap_or(oid::TEXT_ARRAY);
                coerced.push(ScalarExpr::ArrayCtor { elems: tail, ty: SqlType::new(arr) });
                let mut f = (*func).clone();
                f.arg_types = coerced.iter().map(|a| a.ty()).collect();
                return self.finish_call(&c.proc, Arc::new(f), coerced);
            }
            return self.finish_call(&c.proc, func, coerced);
        }
        let reordered = c.arg_positions.iter().enumerate().any(|(i, p)| *p != i);
        if c.ndefaults == 0 && !reordered {
            return self.finish_call(&c.proc, func, coerced);
        }
        // Named arguments go to their parameters; unsupplied ones take their defaults.
        let pronargs = c.proc.arg_types.len();
        let defaults = super::inline::arg_defaults(&c.proc);
        let first_default = pronargs.saturating_sub(defaults.len());
        let mut slots: Vec<Option<ScalarExpr>> = vec![None; pronargs];
        for (a, &pos) in coerced.into_iter().zip(&c.arg_positions) {
            if let Some(slot) = slots.get_mut(pos) {
                *slot = Some(a);
            }
        }
        let mut full = Vec::with_capacity(pronargs);
        for (j, slot) in slots.into_iter().enumerate() {
            match slot {
                Some(e) => full.push(e),
                None => {
                    let text = j
                        .checked_sub(first_default)
                        .and_then(|k| defaults.get(k))
                        .ok_or_else(|| Error::internal(format!("function {} has no default for argument {}", c.proc.name, j + 1)))?;
                    full.push(self.bind_default_arg(text, c.proc.arg_types[j])?);
                }
            }
        }
        let mut f = (*func).clone();
        f.arg_types = full.iter().map(|a| a.ty()).collect();
        self.finish_call(&c.proc, Arc::new(f), full)
    }

    /// A parameter default (pg_proc.proargdefaults), coerced to the parameter's type.
    fn bind_default_arg(&mut self, text: &str, ty: Oid) -> Result<ScalarExpr> {
        let e = oa_grammar::parse_expr(text).map_err(|e| Error::internal(format!("argument default does not parse: {}", e.message)))?;
        let saved = self.sql_fn_args.take();
        let bound = self.bind_expr(&e, &Scope::new(None), ExprKind::Other);
        self.sql_fn_args = saved;
        let bound = bound?;
        if crate::resolve::is_polymorphic(ty) || ty == oid::ANY {
            return self.resolve_unknown_to_text(bound);
        }
        self.coerce_to(bound, SqlType::new(ty), crate::resolve::CoercionContext::Assignment, 0)
    }

    fn bind_func_call(&mut self, call: &ast::FuncCall, scope: &Scope, kind: ExprKind, loc: usize) -> Result<ScalarExpr> {
        if call.over.is_some() {
            return self.bind_window_call(call, scope, kind, loc);
        }
        if call.within_group {
            return Err(Error::feature_not_supported("ordered-set aggregates are not supported yet").with_position(loc));
        }
        // Arguments of an aggregate are bound in the aggregate-argument context.
        let is_agg_syntax = call.agg_star || call.distinct || !call.order_by.is_empty() || call.filter.is_some();
        let name_is_agg = self.name_is_aggregate(&call.name);
        let arg_kind = if name_is_agg { ExprKind::AggArgument } else { kind };
        if name_is_agg && kind == ExprKind::AggArgument {
            return Err(Error::new(SqlState::GROUPING_ERROR, "aggregate function calls cannot be nested").with_position(loc));
        }
        let mut args = Vec::new();
        for a in &call.args {
            let b = self.bind_expr(&a.value, scope, arg_kind)?;
            args.push((a.name.clone(), b, a.value.loc));
        }
        let inputs: Vec<Oid> = args.iter().map(|(_, a, _)| a.ty().oid).collect();
        let names: Vec<Option<String>> = args.iter().map(|(n, _, _)| n.clone()).collect();
        let lookup = if call.agg_star {
            if !call.args.is_empty() {
                return Err(Error::internal("agg star with arguments"));
            }
            self.lookup_function(&call.name, &[], &[], false, false, loc)?
        } else {
            let arg_is_const = args.first().is_some_and(|(_, a, _)| a.is_const());
            self.lookup_function(&call.name, &inputs, &names, call.variadic, arg_is_const, loc)?
        };
        let c = match lookup {
            FuncLookup::Coercion(t) => {
                if is_agg_syntax {
                    return Err(
                        Error::new(SqlState::WRONG_OBJECT_TYPE, format!("{} is not an aggregate function", call.name.join("."))).with_position(loc)
                    );
                }
                let (_, a, _) = args.into_iter().next().ok_or_else(|| Error::internal("coercion without argument"))?;
                return self.coerce_explicit(a, SqlType::new(t), loc);
            }
            FuncLookup::Func(c) => c,
        };
        match c.proc.kind {
            b'a' => self.bind_aggregate(call, &c, &inputs, args, scope, kind, loc),
            b'w' => Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("window function {} requires an OVER clause", call.name.join(".")))
                .with_position(loc)),
            b'p' => Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("{} is a procedure", self.func_signature(&call.name, &inputs, &names)))
                .with_hint("To call a procedure, use CALL.")
                .with_position(loc)),
            _ => {
                if call.agg_star {
                    return Err(Error::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("{}(*) specified, but {} is not an aggregate function", call.name.join("."), call.name.join(".")),
                    )
                    .with_position(loc));
                }
                if call.distinct {
                    return Err(Error::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("DISTINCT specified, but {} is not an aggregate function", call.name.join(".")),
                    )
                    .with_position(loc));
                }
                if !call.order_by.is_empty() {
                    return Err(Error::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("ORDER BY specified, but {} is not an aggregate function", call.name.join(".")),
                    )
                    .with_position(loc));
                }
                if call.filter.is_some() {
                    return Err(Error::new(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!("FILTER specified, but {} is not an aggregate function", call.name.join(".")),
                    )
                    .with_position(loc));
                }
                if call.variadic && c.proc.variadic == oid::ANY {
                    // The kernels of VARIADIC "any" functions see their arguments one
                    // by one; an array passed whole would need funcvariadic.
                    return Err(Error::feature_not_supported(format!(
                        "VARIADIC array arguments to {}() are not supported yet",
                        call.name.last().map_or("", |n| n.as_str())
                    ))
                    .with_position(loc));
                }
                if c.proc.retset && kind != ExprKind::FromFunction {
                    return self.bind_srf_target(&c, &inputs, args, scope, kind, loc);
                }
                self.build_call(&c, &inputs, args.into_iter().map(|(_, a, l)| (a, l)).collect(), loc)
            }
        }
    }

    /// A set-returning function in the select list (check_srf_call_placement):
    /// it runs as a function scan joined to each row of the grouped input,
    /// which is what a single SRF in PostgreSQL's ProjectSet does.
    #[allow(clippy::too_many_arguments)]
    fn bind_srf_target(
        &mut self,
        c: &super::func::Candidate,
        inputs: &[Oid],
        args: Vec<(Option<String>, ScalarExpr, usize)>,
        scope: &Scope,
        kind: ExprKind,
        loc: usize,
    ) -> Result<ScalarExpr> {
        let hint = "You might be able to move the set-returning function into a LATERAL FROM item.";
        match kind {
            ExprKind::SelectTarget => {}
            ExprKind::AggArgument => {
                return Err(Error::feature_not_supported("aggregate function calls cannot contain set-returning function calls")
                    .with_hint(hint)
                    .with_position(loc));
            }
            ExprKind::OrderBy | ExprKind::GroupBy | ExprKind::DistinctOn | ExprKind::Returning => {
                return Err(
                    Error::feature_not_supported(format!("set-returning functions in {} are not supported yet", kind.name())).with_position(loc)
                );
            }
            _ => return Err(Error::feature_not_supported(format!("set-returning functions are not allowed in {}", kind.name())).with_position(loc)),
        }
        let depth = scope.depth();
        let Some(level) = self.agg_levels.iter().rposition(|l| l.depth == depth) else {
            return Err(Error::feature_not_supported("set-returning functions are not supported here yet").with_position(loc));
        };
        let call = self.build_call(c, inputs, args.into_iter().map(|(_, a, l)| (a, l)).collect(), loc)?;
        let ScalarExpr::Func { func, args } = call else {
            return Err(Error::internal("set-returning function did not bind to a call"));
        };
        let ret = func.ret_type;
        let known_record = oa_ir::types::records::fields(ret).is_some();
        if !known_record && (ret.oid == oid::RECORD || self.type_desc(ret.oid)?.typtype == b'c') {
            return Err(Error::feature_not_supported(format!(
                "set-returning functions returning composite types are not supported yet ({})",
                func.name
            ))
            .with_position(loc));
        }
        let col = self.plan_column(func.name.clone(), ret);
        let out = ScalarExpr::Column { id: col.id, ty: col.ty };
        self.agg_levels[level].srfs.push((col, func, args));
        Ok(out)
    }

    pub(crate) fn name_is_aggregate_pub(&self, name: &[String]) -> bool {
        self.name_is_aggregate(name)
    }

    fn name_is_aggregate(&self, name: &[String]) -> bool {
        let Ok((ns, n)) = self.split_qualified(name, 0) else { return false };
        self.resolver.function_candidates(ns, n).iter().any(|p| p.kind == b'a')
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_aggregate(
        &mut self,
        call: &ast::FuncCall,
        c: &super::func::Candidate,
        inputs: &[Oid],
        args: Vec<(Option<String>, ScalarExpr, usize)>,
        scope: &Scope,
        kind: ExprKind,
        loc: usize,
    ) -> Result<ScalarExpr> {
        // The aggregate belongs to the innermost level whose columns its
        // arguments use (check_agg_arguments' min_varlevel), 0 without any.
        let mut refs = Vec::new();
        for (_, a, _) in &args {
            a.columns_into(&mut refs);
        }
        let levels_up = refs.iter().filter_map(|id| scope.level_of(*id)).min().unwrap_or(0);
        if levels_up > 0 {
            let depth = scope.depth().saturating_sub(levels_up);
            if let Some(i) = self.agg_levels.iter().rposition(|l| l.depth == depth) {
                let outer_kind = self.agg_levels[i].sublink_kind.unwrap_or(ExprKind::Other);
                if !outer_kind.allows_aggregates() {
                    let msg = if outer_kind == ExprKind::AggArgument {
                        "aggregate function calls cannot be nested".to_string()
                    } else {
                        format!("aggregate functions are not allowed in {}", outer_kind.name())
                    };
                    return Err(Error::new(SqlState::GROUPING_ERROR, msg).with_position(loc));
                }
                return self.add_aggregate(call, c, inputs, args, scope, i, loc);
            }
        }
        if !kind.allows_aggregates() {
            let msg = if kind == ExprKind::AggArgument {
                "aggregate function calls cannot be nested".to_string()
            } else {
                format!("aggregate functions are not allowed in {}", kind.name())
            };
            return Err(Error::new(SqlState::GROUPING_ERROR, msg).with_position(loc));
        }
        let depth = scope.depth();
        let Some(i) = self.agg_levels.iter().rposition(|l| l.depth == depth) else {
            return Err(Error::new(SqlState::GROUPING_ERROR, "aggregate functions are not allowed in this context").with_position(loc));
        };
        self.add_aggregate(call, c, inputs, args, scope, i, loc)
    }

    /// Binds the rest of an aggregate call and adds it to query level `level`.
    #[allow(clippy::too_many_arguments)]
    fn add_aggregate(
        &mut self,
        call: &ast::FuncCall,
        c: &super::func::Candidate,
        inputs: &[Oid],
        args: Vec<(Option<String>, ScalarExpr, usize)>,
        scope: &Scope,
        level: usize,
        loc: usize,
    ) -> Result<ScalarExpr> {
        let desc = self.catalog.aggregate(c.proc.oid).ok_or_else(|| Error::internal(format!("cache lookup failed for aggregate {}", c.proc.oid)))?;
        if desc.kind != b'n' {
            return Err(Error::feature_not_supported("ordered-set aggregates are not supported yet").with_position(loc));
        }
        let (func, arg_types) = self.candidate_ref(c, inputs, loc)?;
        let mut coerced = Vec::new();
        for ((_, a, l), t) in args.into_iter().zip(&arg_types) {
            coerced.push(self.coerce_implicit(a, SqlType::new(*t), l)?);
        }
        let filter = match &call.filter {
            Some(f) => {
                let e = self.bind_expr(f, scope, ExprKind::AggArgument)?;
                Some(self.coerce_to_boolean(e, "FILTER", f.loc)?)
            }
            None => None,
        };
        let mut order_by = Vec::new();
        for s in &call.order_by {
            let e = self.bind_expr(&s.expr, scope, ExprKind::AggArgument)?;
            let e = self.resolve_unknown_to_text(e)?;
            let descending = matches!(s.dir, ast::SortDir::Desc);
            order_by.push(SortKey::new(e, descending, s.nulls.map(|n| n == ast::NullsOrder::First)));
        }
        let proc_name = |o: Oid| self.catalog.proc(o).map(|p| p.prosrc.clone()).unwrap_or_default();
        let agg = AggRef {
            oid: c.proc.oid,
            name: c.proc.name.clone(),
            arg_types: func.arg_types.clone(),
            ret_type: func.ret_type,
            transfn: proc_name(desc.transfn),
            finalfn: if desc.finalfn == 0 { String::new() } else { proc_name(desc.finalfn) },
            trans_type: SqlType::new(desc.transtype),
            init_value: desc.initval.clone(),
        };
        let col = self.plan_column(c.proc.name.clone(), func.ret_type);
        let out = ScalarExpr::Column { id: col.id, ty: col.ty };
        let agg_call = AggCall { func: Arc::new(agg), args: coerced, distinct: call.distinct, filter, order_by };
        // Identical aggregate calls are computed once.
        let level = self.agg_levels.get_mut(level).ok_or_else(|| Error::internal("no aggregate level"))?;
        if let Some((existing, _)) = level.aggs.iter().find(|(_, a)| *a == agg_call) {
            return Ok(ScalarExpr::Column { id: existing.id, ty: existing.ty });
        }
        level.aggs.push((col, agg_call));
        level.locs.push(loc);
        Ok(out)
    }
}

/// Types of CASE/COALESCE results keep a typmod only when every branch agreed.
fn strip_typmod_if_mixed(ty: SqlType) -> SqlType {
    ty
}

/// A whole-row reference: the FROM item's columns as one row value, typed as
/// the table's composite type (or an anonymous record naming its columns).
fn whole_row(entry: &super::scope::RangeEntry) -> ScalarExpr {
    let cols: Vec<&super::scope::EntryColumn> = entry.columns.iter().filter(|c| !c.system).collect();
    let fields = cols.iter().map(|c| ScalarExpr::Column { id: c.id, ty: c.ty }).collect();
    let ty = match &entry.table {
        Some(t) if t.reltype != 0 => SqlType::new(t.reltype),
        _ => oa_ir::types::records::register(cols.iter().map(|c| (c.name.clone(), c.ty)).collect()),
    };
    ScalarExpr::Row { fields, ty }
}
