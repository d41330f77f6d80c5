//! Binder state shared by the statement kinds: column-id allocation,
//! parameter types, CTE frames and the scope (range table) model.

pub(crate) mod coerce;
mod dml;
mod expr;
mod func;
mod inline;
mod scope;
mod select;
mod window;

use std::sync::Arc;

use oa_grammar::ast;
use oa_ir::catalog::TypeDesc;
use oa_ir::expr::ColumnId;
use oa_ir::io::IoContext;
use oa_ir::plan::{LogicalPlan, PlanColumn};
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use crate::catalog::Catalog;
use crate::resolve::Resolver;
pub(crate) use scope::{RangeEntry, Scope};

/// What the binder needs from the session besides the catalog.
#[derive(Clone, Debug, Default)]
pub struct BindContext {
    pub io: IoContext,
    /// Declared parameter types ($1 …); UNKNOWN entries are inferred from use.
    pub param_types: Vec<SqlType>,
}

/// A result column as the wire protocol describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultColumn {
    pub name: String,
    pub ty: SqlType,
    /// Source table OID and attnum when the column is a plain table column.
    pub table: Oid,
    pub attnum: i16,
}

#[derive(Clone, Debug)]
pub struct BoundQuery {
    pub plan: LogicalPlan,
    /// The visible result columns (the plan's output, in order).
    pub columns: Vec<ResultColumn>,
    /// Parameter types after inference (UNKNOWN left as TEXT, as PostgreSQL does).
    pub param_types: Vec<SqlType>,
}

/// Binds a query or DML statement (SELECT, VALUES, INSERT, UPDATE, DELETE).
pub fn bind_query(stmt: &ast::Statement, catalog: &dyn Catalog, ctx: &BindContext) -> Result<BoundQuery> {
    let mut b = Binder::new(catalog, ctx);
    let (plan, columns) = match stmt {
        ast::Statement::Select(s) => {
            let q = b.bind_select(s, None)?;
            let columns = q.result_columns();
            (b.finish_query(q)?, columns)
        }
        ast::Statement::Insert(s) => b.bind_insert(s)?,
        ast::Statement::Update(s) => b.bind_update(s)?,
        ast::Statement::Delete(s) => b.bind_delete(s)?,
        _ => return Err(Error::internal("bind_query called with a utility statement")),
    };
    let param_types = b.params.iter().map(|t| if t.oid == oid::UNKNOWN { SqlType::TEXT } else { *t }).collect();
    Ok(BoundQuery { plan, columns, param_types })
}

/// Binds an expression with no FROM scope (DEFAULT, CHECK without columns,
/// EXECUTE parameters, SET values), coerced to `target` when given.
pub fn bind_standalone_expr(e: &ast::Expr, target: Option<SqlType>, catalog: &dyn Catalog, ctx: &BindContext) -> Result<oa_ir::ScalarExpr> {
    let mut b = Binder::new(catalog, ctx);
    let scope = Scope::new(None);
    let bound = b.bind_expr(e, &scope, expr::ExprKind::Other)?;
    match target {
        Some(t) => b.coerce_assignment(bound, t, None, e.loc),
        None => b.resolve_unknown_to_text(bound),
    }
}

/// Binds a stored expression over one table's columns (CHECK constraints,
/// generated columns): column `attnum` is `ColumnId(attnum)`.
pub fn bind_table_expr(sql: &str, table: &oa_ir::catalog::RelationDesc, catalog: &dyn Catalog, ctx: &BindContext) -> Result<oa_ir::ScalarExpr> {
    let e = oa_grammar::parse_expr(sql).map_err(|e| Error::internal(format!("stored expression does not parse: {}", e.message)))?;
    let mut b = Binder::new(catalog, ctx);
    let mut scope = Scope::new(None);
    scope.entries.push(RangeEntry {
        name: Some(table.name.clone()),
        table: None,
        columns: table
            .live_columns()
            .map(|c| scope::EntryColumn {
                name: c.name.clone(),
                id: oa_ir::ColumnId(c.attnum as u32),
                ty: c.ty,
                qualified_only: false,
                system: false,
                table: table.oid,
                attnum: c.attnum,
            })
            .collect(),
        location: 0,
    });
    let bound = b.bind_expr(&e, &scope, expr::ExprKind::Other)?;
    b.resolve_unknown_to_text(bound)
}

/// Binds an expression over a table's columns with the caller's AST (CHECK and
/// DEFAULT validation in DDL), reporting errors at their positions.
pub fn bind_table_ast(e: &ast::Expr, table: &oa_ir::catalog::RelationDesc, catalog: &dyn Catalog, ctx: &BindContext) -> Result<oa_ir::ScalarExpr> {
    let mut b = Binder::new(catalog, ctx);
    let mut scope = Scope::new(None);
    scope.entries.push(RangeEntry {
        name: Some(table.name.clone()),
        table: None,
        columns: table
            .live_columns()
            .map(|c| scope::EntryColumn {
                name: c.name.clone(),
                id: oa_ir::ColumnId(c.attnum as u32),
                ty: c.ty,
                qualified_only: false,
                system: false,
                table: table.oid,
                attnum: c.attnum,
            })
            .collect(),
        location: 0,
    });
    b.bind_expr(e, &scope, expr::ExprKind::Other)
}

/// Binds a stored expression over one table's columns and, when `target` is
/// given, coerces it to that type as a column DEFAULT is (pg_get_expr).
pub fn bind_table_expr_as(
    sql: &str,
    table: &oa_ir::catalog::RelationDesc,
    target: Option<SqlType>,
    catalog: &dyn Catalog,
    ctx: &BindContext,
) -> Result<oa_ir::ScalarExpr> {
    let Some(t) = target else { return bind_table_expr(sql, table, catalog, ctx) };
    let e = oa_grammar::parse_expr(sql).map_err(|e| Error::internal(format!("stored expression does not parse: {}", e.message)))?;
    let bound = bind_table_ast(&e, table, catalog, ctx)?;
    Binder::new(catalog, ctx).coerce_assignment(bound, t, None, 0)
}

/// The reg* input functions (regclassin, regtypein, regprocin,
/// regnamespacein) for `to_regclass` and friends: the OID a name denotes.
pub fn reg_input(ty: Oid, text: &str, catalog: &dyn Catalog, ctx: &BindContext) -> Result<Option<Oid>> {
    Binder::new(catalog, ctx).reg_input(ty, text, 0)
}

/// Whether a view is automatically updatable (view_query_is_auto_updatable),
/// for pg_relation_is_updatable.
pub fn view_is_updatable(view: &oa_ir::catalog::RelationDesc, catalog: &dyn Catalog, ctx: &BindContext) -> bool {
    Binder::new(catalog, ctx).view_target(view, "update", 0, 0).is_ok()
}

/// The SQL text of a function's argument defaults (for its trailing parameters).
pub fn proc_arg_defaults(p: &oa_ir::catalog::ProcDesc) -> Vec<String> {
    inline::arg_defaults(p)
}

/// Resolves a type name to its OID and typmod (typenameTypeIdAndMod).
pub fn resolve_type_name(t: &ast::TypeName, catalog: &dyn Catalog, ctx: &BindContext) -> Result<SqlType> {
    Binder::new(catalog, ctx).resolve_type(t)
}

pub(crate) struct Binder<'a> {
    pub catalog: &'a dyn Catalog,
    pub resolver: Resolver<'a>,
    pub ctx: &'a BindContext,
    pub(crate) next_column: u32,
    pub(crate) next_worktable: u32,
    pub params: Vec<SqlType>,
    /// WITH frames, innermost last.
    pub ctes: Vec<Vec<select::CteDef>>,
    /// Nesting of the statement being bound: 1 for the top-level statement,
    /// more inside subqueries, WITH queries and INSERT's SELECT.
    pub level: u32,
    /// The top-level statement's data-modifying WITH queries: (CTE id, name, plan, read by a reference).
    pub modifying_ctes: Vec<(u32, String, LogicalPlan, bool)>,
    /// Aggregate collectors of the query levels being bound, innermost last.
    pub agg_levels: Vec<expr::AggLevel>,
    /// Views being expanded, outermost first (a view reaching itself is infinite recursion).
    pub expanding_views: Vec<Oid>,
    /// While binding an inlined SQL function body: the arguments `$n` stand for.
    sql_fn_args: Option<Vec<oa_ir::ScalarExpr>>,
    inline_depth: u32,
}

impl<'a> Binder<'a> {
    pub fn new(catalog: &'a dyn Catalog, ctx: &'a BindContext) -> Self {
        Binder {
            catalog,
            resolver: Resolver::new(catalog),
            ctx,
            next_column: 1,
            next_worktable: 1,
            params: ctx.param_types.clone(),
            ctes: Vec::new(),
            level: 0,
            modifying_ctes: Vec::new(),
            agg_levels: Vec::new(),
            expanding_views: Vec::new(),
            sql_fn_args: None,
            inline_depth: 0,
        }
    }

    pub fn new_column(&mut self) -> ColumnId {
        let id = ColumnId(self.next_column);
        self.next_column += 1;
        id
    }

    pub fn plan_column(&mut self, name: impl Into<String>, ty: SqlType) -> PlanColumn {
        PlanColumn { id: self.new_column(), ty, name: name.into() }
    }

    pub fn new_worktable(&mut self) -> u32 {
        let id = self.next_worktable;
        self.next_worktable += 1;
        id
    }

    /// A copy of `plan` whose defined columns all get fresh ids (each reference
    /// to a CTE or view is its own instance).
    pub fn fresh_copy(&mut self, plan: &LogicalPlan) -> (LogicalPlan, std::collections::HashMap<ColumnId, ColumnId>) {
        let mut defined = Vec::new();
        plan.defined_columns_into(&mut defined);
        defined.sort();
        defined.dedup();
        let map: std::collections::HashMap<ColumnId, ColumnId> = defined.into_iter().map(|c| (c, self.new_column())).collect();
        let copy = plan.clone().remap_columns(&|c| map.get(&c).copied());
        (copy, map)
    }

    pub fn type_desc(&self, t: Oid) -> Result<Arc<TypeDesc>> {
        self.catalog.type_by_oid(t).ok_or_else(|| Error::internal(format!("cache lookup failed for type {t}")))
    }

    /// format_type for messages.
    pub fn type_name(&self, ty: SqlType) -> String {
        let resolve = |o: Oid| {
            self.catalog.type_by_oid(o).map(|d| {
                let ns = self.catalog.namespace(d.namespace).map(|n| n.name).unwrap_or_default();
                (d.name.clone(), ns)
            })
        };
        oa_ir::typeio::format_type(ty.oid, ty.typmod, &resolve)
    }

    pub fn type_name_oid(&self, t: Oid) -> String {
        self.type_name(SqlType::new(t))
    }

    /// Element type and delimiter of an array type, for array I/O.
    pub fn elem_of(&self, t: Oid) -> Option<(Oid, u8)> {
        let d = self.catalog.type_by_oid(t)?;
        if !d.is_array() {
            return None;
        }
        let delim = self.catalog.type_by_oid(d.elem).map_or(b',', |e| e.delim);
        Some((d.elem, delim))
    }

    /// Looks up a (possibly qualified) relation name: RangeVarGetRelid.
    /// A missing schema is reported as a missing relation, as
    /// RangeVarGetRelid does for FROM items and DML targets.
    pub fn lookup_relation(&self, name: &[String], loc: usize) -> Result<Arc<oa_ir::catalog::RelationDesc>> {
        self.lookup_relation_opts(name, loc, false)
    }

    /// `strict_schema`: a missing schema is an error of its own (regclass input).
    pub fn lookup_relation_opts(&self, name: &[String], loc: usize, strict_schema: bool) -> Result<Arc<oa_ir::catalog::RelationDesc>> {
        let (ns, rel) = match self.split_qualified(name, loc) {
            Err(e) if !strict_schema && e.code == SqlState::INVALID_SCHEMA_NAME => {
                return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", name.join("."))).with_position(loc));
            }
            other => other?,
        };
        let found = match ns {
            Some(ns) => self.catalog.relation_by_name(ns, rel),
            None => self.catalog.search_path().into_iter().find_map(|n| self.catalog.relation_by_name(n, rel)),
        };
        found.ok_or_else(|| Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", name.join("."))).with_position(loc))
    }

    /// Splits `[db.]schema.name` into a namespace OID (when qualified) and the name.
    pub fn split_qualified<'n>(&self, name: &'n [String], loc: usize) -> Result<(Option<Oid>, &'n str)> {
        match name {
            [n] => Ok((None, n)),
            [s, n] => Ok((Some(self.lookup_namespace(s, loc)?), n)),
            [db, s, n] => {
                let current = self.catalog.database_name();
                if *db != current {
                    return Err(
                        Error::feature_not_supported(format!("cross-database references are not implemented: {}", name.join("."))).with_position(loc)
                    );
                }
                Ok((Some(self.lookup_namespace(s, loc)?), n))
            }
            _ => {
                Err(Error::new(SqlState::SYNTAX_ERROR, format!("improper qualified name (too many dotted names): {}", name.join(".")))
                    .with_position(loc))
            }
        }
    }

    pub fn lookup_namespace(&self, name: &str, loc: usize) -> Result<Oid> {
        self.catalog
            .namespace_by_name(name)
            .map(|n| n.oid)
            .ok_or_else(|| Error::new(SqlState::INVALID_SCHEMA_NAME, format!("schema \"{name}\" does not exist")).with_position(loc))
    }

    /// typenameTypeIdAndMod: resolves a TypeName, including array bounds and typmods.
    pub fn resolve_type(&self, t: &ast::TypeName) -> Result<SqlType> {
        if t.pct_type {
            return Err(Error::feature_not_supported("%TYPE references are not supported yet").with_position(t.loc));
        }
        let (ns, name) = self.split_qualified(&t.names, t.loc)?;
        let found = match ns {
            Some(ns) => self.catalog.type_by_name(ns, name),
            None => self.catalog.search_path().into_iter().find_map(|n| self.catalog.type_by_name(n, name)),
        };
        let desc = found.ok_or_else(|| {
            let shown =
                if t.names.first().map(String::as_str) == Some("pg_catalog") && t.names.len() == 2 { name.to_string() } else { t.names.join(".") };
            Error::new(SqlState::UNDEFINED_OBJECT, format!("type \"{shown}\" does not exist")).with_position(t.loc)
        })?;
        if desc.typtype == b'p' && t.setof {
            // SETOF record etc. only appear in function definitions.
        }
        let typmod = self.typmod_in(&desc, &t.typmods, t.loc)?;
        let mut ty = SqlType::with_typmod(desc.oid, typmod);
        if !t.array_bounds.is_empty() {
            let arr = if desc.is_array() { desc.oid } else { desc.array };
            if arr == 0 {
                return Err(
                    Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find array type for data type {}", desc.name)).with_position(t.loc)
                );
            }
            ty = SqlType::with_typmod(arr, typmod);
        }
        Ok(ty)
    }

    /// The type's typmodin applied to the written modifiers.
    fn typmod_in(&self, desc: &TypeDesc, mods: &[ast::Expr], loc: usize) -> Result<i32> {
        if mods.is_empty() {
            return Ok(-1);
        }
        let mut vals = Vec::with_capacity(mods.len());
        for m in mods {
            match &m.kind {
                ast::ExprKind::Literal(ast::Literal::Integer(i)) => vals.push(*i),
                ast::ExprKind::UnaryOp { op, arg } if op == &vec!["-".to_string()] => match &arg.kind {
                    ast::ExprKind::Literal(ast::Literal::Integer(i)) => vals.push(-*i),
                    _ => return Err(type_modifier_error(m.loc)),
                },
                ast::ExprKind::Literal(ast::Literal::Numeric(_)) | ast::ExprKind::Literal(ast::Literal::String(_)) => {
                    return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "invalid type modifier").with_position(loc));
                }
                _ => return Err(type_modifier_error(m.loc)),
            }
        }
        if desc.modin == 0 {
            return Err(Error::new(SqlState::SYNTAX_ERROR, format!("type modifier is not allowed for type \"{}\"", desc.name)).with_position(loc));
        }
        let err = |msg: String| Error::new(SqlState::INVALID_PARAMETER_VALUE, msg).with_position(loc);
        match desc.oid {
            oid::NUMERIC => match vals.as_slice() {
                [p] => oa_ir::numeric::Numeric::make_typmod(*p, 0).map_err(|e| e.with_position(loc)),
                [p, s] => oa_ir::numeric::Numeric::make_typmod(*p, *s).map_err(|e| e.with_position(loc)),
                _ => Err(err("invalid NUMERIC type modifier".into())),
            },
            oid::VARCHAR | oid::BPCHAR => {
                let tn = if desc.oid == oid::VARCHAR { "varchar" } else { "char" };
                match vals.as_slice() {
                    [n] if *n < 1 => Err(err(format!("length for type {tn} must be at least 1"))),
                    [n] if *n > 10_485_760 => Err(err(format!("length for type {tn} cannot exceed 10485760"))),
                    [n] => Ok(n + oa_ir::types::VARHDRSZ),
                    _ => Err(err("invalid type modifier".to_string())),
                }
            }
            oid::BIT | oid::VARBIT => match vals.as_slice() {
                [n] if *n < 1 => Err(err(format!("length for type {} must be at least 1", desc.name))),
                [n] => Ok(*n),
                _ => Err(err("invalid type modifier".into())),
            },
            oid::TIMESTAMP | oid::TIMESTAMPTZ | oid::TIME | oid::TIMETZ => match vals.as_slice() {
                [p] if *p < 0 => Err(err(format!(
                    "{}({p}) precision must not be negative",
                    if desc.oid == oid::TIMESTAMPTZ || desc.oid == oid::TIMESTAMP { "TIMESTAMP" } else { "TIME" }
                ))),
                [p] => Ok((*p).min(6)),
                _ => Err(err("invalid type modifier".into())),
            },
            oid::INTERVAL => {
                let (fields, precision) = match vals.as_slice() {
                    [f] => (*f, None),
                    [f, p] => (*f, Some(*p)),
                    _ => return Err(err("invalid INTERVAL type modifier".into())),
                };
                // intervaltypmodin: (range mask << 16) | precision, 0xFFFF = full precision.
                match precision {
                    None if fields == ast::interval_fields::FULL_RANGE => Ok(-1),
                    None => Ok((fields << 16) | 0xFFFF),
                    Some(p) if p < 0 => Err(err(format!("INTERVAL({p}) precision must not be negative"))),
                    Some(p) => Ok((fields << 16) | p.min(6)),
                }
            }
            _ => Err(Error::feature_not_supported(format!("type modifiers for type {} are not supported yet", desc.name)).with_position(loc)),
        }
    }
}

fn type_modifier_error(loc: usize) -> Error {
    Error::new(SqlState::SYNTAX_ERROR, "type modifiers must be simple constants or identifiers").with_position(loc)
}

/// A query being bound: its plan plus the names and provenance of its visible columns.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    pub plan: LogicalPlan,
    pub columns: Vec<QueryColumn>,
}

#[derive(Clone, Debug)]
pub(crate) struct QueryColumn {
    pub name: String,
    pub id: ColumnId,
    pub ty: SqlType,
    pub table: Oid,
    pub attnum: i16,
}

impl Query {
    pub fn result_columns(&self) -> Vec<ResultColumn> {
        self.columns.iter().map(|c| ResultColumn { name: c.name.clone(), ty: c.ty, table: c.table, attnum: c.attnum }).collect()
    }
}
