//! The system information and catalog functions clients call: visibility
//! tests (`pg_table_is_visible`, …), name lookups (`pg_get_userbyid`,
//! `to_regclass`, …), the ruleutils.c decompilers (`pg_get_expr`,
//! `pg_get_constraintdef`, `pg_get_indexdef`), comments
//! (`obj_description`, …), privileges (the bootstrap superuser has all),
//! sizes and advisory locks. They read the statement's catalog view and the
//! pg_catalog relations through the function host.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use oa_frontend::Catalog;
use oa_frontend::ruleutils::RuleDeparser;
use oa_ir::catalog::{ConstraintDesc, ConstraintKind, RelKind, RelationDesc};
use oa_ir::datum::{Array, Datum};
use oa_ir::typeio::quote_identifier;
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};

use crate::catalog::{CatalogRows, CatalogView};
use crate::exec::func::{FnContext, Kernel, Registry, fc};

/// pg_class's OID (pg_description.classoid for relations).
const PG_CLASS: Oid = 1259;

fn arg_oid(a: &[Datum], i: usize) -> Option<Oid> {
    match a.get(i) {
        Some(Datum::Oid(o)) => Some(*o),
        Some(Datum::Int32(v)) => Some(*v as Oid),
        Some(Datum::Int64(v)) => Some(*v as Oid),
        _ => None,
    }
}

fn arg_text(a: &[Datum], i: usize) -> Option<&str> {
    a.get(i).and_then(|d| d.as_str())
}

fn arg_i32(a: &[Datum], i: usize) -> Option<i32> {
    a.get(i).and_then(|d| d.as_i64()).map(|v| v as i32)
}

fn arg_bool(a: &[Datum], i: usize) -> bool {
    matches!(a.get(i), Some(Datum::Bool(true)))
}

/// The value of a function returning void (void_out prints it as nothing; it is not NULL).
fn void() -> Datum {
    Datum::Text(String::new())
}

fn text(s: impl Into<String>) -> Datum {
    Datum::Text(s.into())
}

fn col<'r>(row: &'r (Vec<Datum>, HashMap<&'static str, usize>), name: &str) -> &'r Datum {
    static NULL: Datum = Datum::Null;
    row.1.get(name).and_then(|i| row.0.get(*i)).unwrap_or(&NULL)
}

fn col_oid(row: &(Vec<Datum>, HashMap<&'static str, usize>), name: &str) -> Oid {
    match col(row, name) {
        Datum::Oid(o) => *o,
        Datum::Int32(v) => *v as Oid,
        _ => 0,
    }
}

fn rows(c: &mut FnContext, catalog: &str) -> Result<CatalogRows> {
    c.host.catalog_rows(catalog)
}

// ------------------------------------------------------------------ names

/// RelationIsVisible: the relation's schema is on the path and no relation
/// of the same name comes earlier.
pub fn relation_is_visible(cat: &CatalogView, rel: &RelationDesc) -> bool {
    cat.search_path.iter().find_map(|ns| cat.relation_by_name(*ns, &rel.name)).is_some_and(|r| r.oid == rel.oid)
}

/// generate_relation_name: the name, qualified when not visible.
pub fn relation_name(cat: &CatalogView, rel: &RelationDesc) -> String {
    if relation_is_visible(cat, rel) {
        quote_identifier(&rel.name)
    } else {
        format!("{}.{}", quote_identifier(&rel.namespace_name), quote_identifier(&rel.name))
    }
}

fn qualified_relation_name(rel: &RelationDesc) -> String {
    format!("{}.{}", quote_identifier(&rel.namespace_name), quote_identifier(&rel.name))
}

fn type_is_visible(cat: &CatalogView, t: Oid) -> Option<bool> {
    let d = cat.type_by_oid(t)?;
    Some(cat.search_path.iter().find_map(|ns| cat.type_by_name(*ns, &d.name)).is_some_and(|x| x.oid == d.oid))
}

fn function_is_visible(cat: &CatalogView, f: Oid) -> Option<bool> {
    let p = cat.proc(f)?;
    if !cat.search_path.contains(&p.namespace) {
        return Some(false);
    }
    let same = cat.procs_by_name(&p.name);
    for ns in &cat.search_path {
        if let Some(first) = same.iter().find(|q| q.namespace == *ns && q.arg_types == p.arg_types) {
            return Some(first.oid == p.oid);
        }
    }
    Some(false)
}

/// The text output of a reg* value (regclassout, regtypeout, regprocout,
/// regprocedureout, regoperout, regoperatorout, regnamespaceout,
/// regroleout): names qualified when not visible, the number when the
/// object does not exist, `-` for 0 where PostgreSQL prints it.
pub fn reg_text(cat: &CatalogView, ty: Oid, o: Oid) -> String {
    let q = |ns: Oid, name: &str, visible: bool| {
        if visible {
            quote_identifier(name)
        } else {
            format!("{}.{}", quote_identifier(&cat.namespace_name(ns).unwrap_or_default()), quote_identifier(name))
        }
    };
    let found = match ty {
        oid::REGCLASS | oid::REGNAMESPACE if o == 0 => Some("-".into()),
        oid::REGCLASS => cat.relation(o).map(|r| relation_name(cat, &r)),
        oid::REGTYPE if o == 0 => Some("-".into()),
        oid::REGTYPE => cat.type_by_oid(o).map(|_| format_type_sql(cat, o, None)),
        oid::REGPROC | oid::REGPROCEDURE if o == 0 => Some("-".into()),
        oid::REGPROC => cat.proc(o).map(|p| {
            // Unqualified only when the name alone finds exactly this function.
            let visible: Vec<_> = cat.procs_by_name(&p.name).into_iter().filter(|x| cat.search_path.contains(&x.namespace)).collect();
            q(p.namespace, &p.name, visible.len() == 1 && visible[0].oid == p.oid)
        }),
        oid::REGPROCEDURE => cat.proc(o).map(|p| {
            let args: Vec<String> = p.arg_types.iter().map(|t| format_type_sql(cat, *t, None)).collect();
            format!("{}({})", q(p.namespace, &p.name, function_is_visible(cat, o).unwrap_or(false)), args.join(","))
        }),
        oid::REGOPER | oid::REGOPERATOR if o == 0 => Some("0".into()),
        oid::REGOPER => cat.operator(o).map(|op| {
            let same: Vec<_> = cat.operators_by_name(&op.name).into_iter().filter(|x| cat.search_path.contains(&x.namespace)).collect();
            if same.len() == 1 {
                op.name.clone()
            } else {
                format!("{}.{}", quote_identifier(&cat.namespace_name(op.namespace).unwrap_or_default()), op.name)
            }
        }),
        oid::REGOPERATOR => cat.operator(o).map(|op| {
            let t = |x: Oid| if x == 0 { "NONE".to_string() } else { format_type_sql(cat, x, None) };
            format!("{}({},{})", op.name, t(op.left), t(op.right))
        }),
        oid::REGNAMESPACE => cat.namespace_name(o).map(|n| quote_identifier(&n)),
        oid::REGROLE if o == 0 => Some("-".into()),
        oid::REGROLE => cat.role_name(o).map(quote_identifier),
        _ => None,
    };
    found.unwrap_or_else(|| o.to_string())
}

/// format_type(type, typmod) as the SQL function: a NULL typmod means none given.
pub fn format_type_sql(cat: &CatalogView, ty: Oid, typmod: Option<i32>) -> String {
    let flags = oa_ir::typeio::FormatTypeFlags { typemod_given: typmod.is_some(), allow_invalid: true, force_qualify: false };
    format_type_flags(cat, ty, typmod.unwrap_or(-1), flags)
}

fn format_type_flags(cat: &CatalogView, ty: Oid, typmod: i32, flags: oa_ir::typeio::FormatTypeFlags) -> String {
    let resolve = |o: Oid| {
        cat.type_by_oid(o).map(|d| {
            let visible = type_is_visible(cat, o).unwrap_or(false);
            oa_ir::typeio::TypeDesc {
                name: d.name.clone(),
                namespace: if visible { "pg_catalog".into() } else { cat.namespace_name(d.namespace).unwrap_or_default() },
                array_elem: d.is_array().then_some(d.elem),
            }
        })
    };
    oa_ir::typeio::format_type_extended(ty, typmod, flags, &resolve).unwrap_or_else(|_| "???".into())
}

/// format_type_with_typemod (ruleutils' `::type` labels).
pub fn type_with_typmod(cat: &CatalogView, ty: SqlType) -> String {
    let flags = oa_ir::typeio::FormatTypeFlags { typemod_given: true, allow_invalid: false, force_qualify: false };
    format_type_flags(cat, ty.oid, ty.typmod, flags)
}

fn role_name(c: &mut FnContext, role: Oid) -> Result<Option<String>> {
    Ok(rows(c, "pg_authid")?.iter().find(|r| col_oid(r, "oid") == role).and_then(|r| col(r, "rolname").as_str().map(str::to_string)))
}

fn role_oid(c: &mut FnContext, name: &str) -> Result<Option<Oid>> {
    if name == "public" {
        return Ok(Some(0));
    }
    Ok(rows(c, "pg_authid")?.iter().find(|r| col(r, "rolname").as_str() == Some(name)).map(|r| col_oid(r, "oid")))
}

fn bind_context(c: &FnContext) -> oa_frontend::BindContext {
    oa_frontend::BindContext { io: c.io.clone(), param_types: vec![] }
}

/// to_regclass & co.: the reg* input function's OID, NULL when the name is unknown.
fn to_reg(ty: Oid, name: &str, c: &mut FnContext) -> Datum {
    let ctx = bind_context(c);
    match oa_frontend::reg_input(ty, name, c.host.catalog(), &ctx) {
        Ok(Some(o)) => Datum::Oid(o),
        _ => Datum::Null,
    }
}

// ------------------------------------------------------------------ ruleutils

/// Text output of a constant for the decompilers (reg* types by name).
fn const_text(c: &mut FnContext, ty: SqlType, v: &Datum) -> Result<String> {
    if oa_ir::types::is_reg_type(ty.oid) {
        return c.host.reg_output(ty, v);
    }
    let cat = c.host.catalog();
    let elem_of = |t: Oid| cat.type_by_oid(t).filter(|d| d.elem != 0 && d.len == -1).map(|d| (d.elem, d.delim));
    oa_ir::io::output(ty, v, c.io, &elem_of)
}

/// Decompiles a stored expression over `rel`'s columns (a NULL relation: no columns).
fn decompile(c: &mut FnContext, sql: &str, rel: Option<&RelationDesc>, target: Option<SqlType>, pretty: bool) -> Result<String> {
    let ctx = bind_context(c);
    let empty;
    let rel = match rel {
        Some(r) => r,
        None => {
            empty = RelationDesc {
                oid: 0,
                name: String::new(),
                namespace: 0,
                namespace_name: String::new(),
                kind: RelKind::Table,
                relfilenode: 0,
                reltype: 0,
                persistence: b'p',
                columns: vec![],
                indexes: vec![],
                constraints: vec![],
                referenced_by: vec![],
                view_query: None,
                reltuples: -1.0,
            };
            &empty
        }
    };
    let bound = oa_frontend::bind_table_expr_as(sql, rel, target, c.host.catalog(), &ctx)?;
    // A literal read as a type with a typmod is, in PostgreSQL's tree, a
    // constant without one under a length coercion (shown only under operators).
    let bound = bound.rewrite(&mut |e| match e {
        oa_ir::ScalarExpr::Const { value, ty } if ty.typmod >= 0 && ty.oid != oid::INTERVAL => {
            oa_ir::ScalarExpr::Const { value, ty: SqlType::new(ty.oid) }
        }
        e => e,
    });
    decompile_bound(c, &bound, rel, pretty)
}

fn decompile_bound(c: &mut FnContext, e: &oa_ir::ScalarExpr, rel: &RelationDesc, pretty: bool) -> Result<String> {
    let names: HashMap<u32, String> = rel.live_columns().map(|col| (col.attnum as u32, quote_identifier(&col.name))).collect();
    let column_name = |id: oa_ir::ColumnId| names.get(&id.0).cloned();
    // Constants are formatted first (the host is not reachable from inside the deparser's callbacks).
    let mut texts: HashMap<usize, String> = HashMap::new();
    let mut consts = Vec::new();
    e.walk(&mut |n| {
        if let oa_ir::ScalarExpr::Const { value, ty } = n
            && !value.is_null()
        {
            consts.push((n as *const oa_ir::ScalarExpr as usize, *ty, value.clone()));
        }
    });
    for (k, ty, v) in consts {
        texts.insert(k, const_text(c, ty, &v)?);
    }
    let by_value: Vec<(SqlType, Datum, String)> = {
        let mut v = Vec::new();
        e.walk(&mut |n| {
            if let oa_ir::ScalarExpr::Const { value, ty } = n
                && let Some(t) = texts.get(&(n as *const oa_ir::ScalarExpr as usize))
            {
                v.push((*ty, value.clone(), t.clone()));
            }
        });
        v
    };
    let const_fn = |ty: SqlType, v: &Datum| -> Result<String> {
        by_value.iter().find(|(t, d, _)| *t == ty && d == v).map(|x| x.2.clone()).ok_or_else(|| Error::internal("constant text missing"))
    };
    let cat = c.host.catalog();
    let type_name = |t: SqlType| type_with_typmod(cat, t);
    RuleDeparser::new(pretty, &column_name, &const_fn, &type_name).deparse(e)
}

/// pg_get_viewdef: the view's query decompiled as PostgreSQL prints it when
/// the deparser covers it, else the query text as written.
fn view_definition(c: &mut FnContext, view: &RelationDesc, pretty: bool) -> String {
    let sql = view.view_query.clone().unwrap_or_default();
    let fallback = || format!(" {};", sql.trim().trim_end_matches(';'));
    let Ok(stmts) = oa_grammar::parse(&sql) else { return fallback() };
    let Some(stmt) = stmts.into_iter().next() else { return fallback() };
    let ctx = bind_context(c);
    let bound = {
        let cat = c.host.catalog();
        if view.oid < oid::FIRST_NORMAL_OBJECT_ID {
            let mut path = vec![oid::PG_CATALOG_NAMESPACE];
            if view.namespace != oid::PG_CATALOG_NAMESPACE {
                path.push(view.namespace);
            }
            let pc = oa_frontend::catalog::PathCatalog { inner: cat, path };
            oa_frontend::bind_query(&stmt.stmt, &pc, &ctx)
        } else {
            oa_frontend::bind_query(&stmt.stmt, cat, &ctx)
        }
    };
    let Ok(bound) = bound else { return fallback() };
    // Constants print through the host (reg* names); gather their text first.
    let mut consts = Vec::new();
    let mut collect = |e: &oa_ir::ScalarExpr| {
        e.walk(&mut |n| {
            if let oa_ir::ScalarExpr::Const { value, ty } = n
                && !value.is_null()
            {
                consts.push((*ty, value.clone()));
            }
        })
    };
    walk_plan_exprs(&bound.plan, &mut collect);
    let mut texts = Vec::new();
    for (ty, v) in consts {
        match const_text(c, ty, &v) {
            Ok(t) => texts.push((ty, v, t)),
            Err(_) => return fallback(),
        }
    }
    let const_fn = |ty: SqlType, v: &Datum| -> Result<String> {
        texts.iter().find(|(t, d, _)| *t == ty && d == v).map(|x| x.2.clone()).ok_or_else(|| Error::internal("constant text missing"))
    };
    let cat = c.host.catalog();
    let type_name = |t: SqlType| type_with_typmod(cat, t);
    let rel_name = |r: &RelationDesc| relation_name(cat, r);
    let names: Vec<String> = view.live_columns().map(|col| col.name.clone()).collect();
    let cx = oa_frontend::ruleutils::QueryDeparseContext { pretty, const_text: &const_fn, type_name: &type_name, relation_name: &rel_name };
    oa_frontend::ruleutils::deparse_view_query(&bound.plan, &names, &cx).unwrap_or_else(fallback)
}

/// Every scalar expression of a plan (subquery plans not entered).
fn walk_plan_exprs(p: &oa_ir::plan::LogicalPlan, f: &mut dyn FnMut(&oa_ir::ScalarExpr)) {
    use oa_ir::plan::LogicalPlan as P;
    match p {
        P::Filter { predicate, .. } => f(predicate),
        P::Project { items, .. } => items.iter().for_each(|(_, e)| f(e)),
        P::Join { condition, .. } => f(condition),
        P::Aggregate { group_by, aggs, .. } => {
            group_by.iter().for_each(|(_, e)| f(e));
            for (_, a) in aggs {
                a.args.iter().for_each(&mut *f);
                if let Some(x) = &a.filter {
                    f(x);
                }
                a.order_by.iter().for_each(|k| f(&k.expr));
            }
        }
        P::Sort { keys, .. } => keys.iter().for_each(|k| f(&k.expr)),
        P::Limit { limit, offset, .. } => {
            limit.iter().for_each(&mut *f);
            offset.iter().for_each(&mut *f);
        }
        P::Distinct { on, .. } => on.iter().for_each(&mut *f),
        _ => {}
    }
    for child in p.children() {
        walk_plan_exprs(child, f);
    }
}

/// The relation a constraint OID belongs to, with the constraint.
fn find_constraint(cat: &CatalogView, con: Oid) -> Option<(Arc<RelationDesc>, ConstraintDesc)> {
    cat.user.relations.values().find_map(|r| r.constraints.iter().find(|k| k.oid == con).map(|k| (r.clone(), k.clone())))
}

fn column_list(rel: &RelationDesc, attnums: &[i16]) -> String {
    attnums
        .iter()
        .map(|a| rel.column_by_attnum(*a).map(|c| quote_identifier(&c.name)).unwrap_or_else(|| format!("{a}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn fk_action(a: u8) -> Option<&'static str> {
    match a {
        b'r' => Some("RESTRICT"),
        b'c' => Some("CASCADE"),
        b'n' => Some("SET NULL"),
        b'd' => Some("SET DEFAULT"),
        _ => None,
    }
}

/// pg_get_constraintdef_worker (without the ALTER TABLE prefix).
fn constraint_def(c: &mut FnContext, con: Oid, pretty: bool) -> Result<Option<String>> {
    let Some((rel, k)) = find_constraint(c.host.catalog(), con) else { return Ok(None) };
    let mut s = match &k.kind {
        ConstraintKind::ForeignKey { ref_table, columns, ref_columns, on_update, on_delete, match_type } => {
            let cat = c.host.catalog();
            let Some(target) = cat.relation(*ref_table) else { return Ok(None) };
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {}({})",
                column_list(&rel, columns),
                relation_name(cat, &target),
                column_list(&target, ref_columns)
            );
            match match_type {
                b'f' => s.push_str(" MATCH FULL"),
                b'p' => s.push_str(" MATCH PARTIAL"),
                _ => {}
            }
            if let Some(a) = fk_action(*on_update) {
                s.push_str(&format!(" ON UPDATE {a}"));
            }
            if let Some(a) = fk_action(*on_delete) {
                s.push_str(&format!(" ON DELETE {a}"));
            }
            s
        }
        ConstraintKind::PrimaryKey => format!("PRIMARY KEY ({})", column_list(&rel, &k.columns)),
        ConstraintKind::Unique => {
            let nnd = k.index.and_then(|i| rel.indexes.iter().find(|x| x.oid == i)).is_some_and(|i| i.nulls_not_distinct);
            format!("UNIQUE {}({})", if nnd { "NULLS NOT DISTINCT " } else { "" }, column_list(&rel, &k.columns))
        }
        ConstraintKind::Check { expr } => {
            let src = decompile(c, expr, Some(&rel), None, pretty)?;
            format!("CHECK ({src})")
        }
    };
    if k.deferrable {
        s.push_str(" DEFERRABLE");
    }
    if k.initially_deferred {
        s.push_str(" INITIALLY DEFERRED");
    }
    if !k.validated {
        s.push_str(" NOT VALID");
    }
    Ok(Some(s))
}

/// pg_get_indexdef_worker: the CREATE INDEX command, or with `column` > 0 that key alone.
fn index_def(c: &mut FnContext, index: Oid, column: i32, pretty: bool) -> Result<Option<String>> {
    let cat = c.host.catalog();
    let Some((table, idx)) = cat.user.relations.values().find_map(|r| r.indexes.iter().find(|i| i.oid == index).map(|i| (r.clone(), i.clone())))
    else {
        return Ok(None);
    };
    // Every index we build is a B-tree (pg_class.relam 403).
    let amname = "btree";
    let mut keys = Vec::new();
    let mut exprs = idx.exprs.iter();
    for attnum in idx.columns.iter() {
        if *attnum != 0 {
            keys.push(table.column_by_attnum(*attnum).map(|c| quote_identifier(&c.name)).unwrap_or_default());
        } else {
            let sql = exprs.next().cloned().unwrap_or_default();
            let ctx = bind_context(c);
            let bound = oa_frontend::bind_table_expr(&sql, &table, c.host.catalog(), &ctx)?;
            let text = decompile_bound(c, &bound, &table, pretty)?;
            keys.push(if RuleDeparser::looks_like_function(&bound) { text } else { format!("({text})") });
        }
    }
    if column > 0 {
        return Ok(keys.get(column as usize - 1).cloned().or(Some(String::new())));
    }
    let cat = c.host.catalog();
    let table_name = if pretty { relation_name(cat, &table) } else { qualified_relation_name(&table) };
    let mut s = format!(
        "CREATE {}INDEX {} ON {} USING {} ({})",
        if idx.unique { "UNIQUE " } else { "" },
        quote_identifier(&idx.name),
        table_name,
        amname,
        keys.join(", ")
    );
    if idx.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(p) = &idx.predicate {
        let text = decompile(c, p, Some(&table), None, pretty)?;
        s.push_str(&format!(" WHERE {text}"));
    }
    Ok(Some(s))
}

/// pg_get_expr(expr, relation): a stored DEFAULT is recognized by its text
/// and coerced to its column's type, as PostgreSQL stores it.
fn get_expr(c: &mut FnContext, sql: &str, relid: Oid, pretty: bool) -> Result<String> {
    let rel = if relid == 0 { None } else { c.host.catalog().relation(relid) };
    if relid != 0 && rel.is_none() {
        return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation with OID {relid} does not exist")));
    }
    let target = rel.as_ref().and_then(|r| r.live_columns().find(|col| col.default.as_deref() == Some(sql)).map(|col| col.ty));
    decompile(c, sql, rel.as_deref(), target, pretty)
}

// ------------------------------------------------------------------ comments

fn description(c: &mut FnContext, catalog: &str, objoid: Oid, classoid: Option<Oid>, subid: Option<i32>) -> Result<Datum> {
    for r in rows(c, catalog)? {
        if col_oid(&r, "objoid") != objoid {
            continue;
        }
        if let Some(k) = classoid
            && col_oid(&r, "classoid") != k
        {
            continue;
        }
        if let Some(s) = subid
            && col(&r, "objsubid").as_i64() != Some(s as i64)
        {
            continue;
        }
        return Ok(col(&r, "description").clone());
    }
    Ok(Datum::Null)
}

fn catalog_oid_by_name(cat: &CatalogView, name: &str) -> Option<Oid> {
    cat.builtin.relations_by_name.get(name).copied()
}

// ------------------------------------------------------------------ functions

fn function_arguments(cat: &CatalogView, f: Oid, with_defaults: bool) -> Option<String> {
    let p = cat.proc(f)?;
    let n = p.arg_types.len();
    let first_default = n.saturating_sub(p.arg_defaults.len());
    let defaults = oa_frontend::proc_arg_defaults(&p);
    let parts: Vec<String> = p
        .arg_types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut s = String::new();
            if p.variadic != 0 && i + 1 == n {
                s.push_str("VARIADIC ");
            }
            if let Some(name) = p.arg_names.get(i).filter(|n| !n.is_empty()) {
                s.push_str(&quote_identifier(name));
                s.push(' ');
            }
            s.push_str(&format_type_sql(cat, *t, None));
            if with_defaults
                && i >= first_default
                && let Some(d) = defaults.get(i - first_default)
            {
                s.push_str(" DEFAULT ");
                s.push_str(d);
            }
            s
        })
        .collect();
    Some(parts.join(", "))
}

// ------------------------------------------------------------------ advisory locks

/// Advisory locks of every engine in the process, keyed by (engine, key,
/// key kind): the holding session and how often it holds the lock at
/// session and at transaction level. Shared locks are taken exclusively.
#[derive(Default)]
struct LockTable {
    held: HashMap<(usize, i64, i32), Holder>,
}

struct Holder {
    pid: i32,
    session: u32,
    xact: u32,
}

fn advisory() -> &'static (Mutex<LockTable>, Condvar) {
    static T: OnceLock<(Mutex<LockTable>, Condvar)> = OnceLock::new();
    T.get_or_init(|| (Mutex::new(LockTable::default()), Condvar::new()))
}

/// The lock key: one bigint, or two int4 (kept apart as PostgreSQL does).
fn lock_key(a: &[Datum]) -> (i64, i32) {
    match (a.first(), a.get(1)) {
        (Some(Datum::Int32(x)), Some(Datum::Int32(y))) => (((*x as i64) << 32) | (*y as u32 as i64), 2),
        (Some(d), _) => (d.as_i64().unwrap_or(0), 1),
        _ => (0, 1),
    }
}

fn table() -> Result<std::sync::MutexGuard<'static, LockTable>> {
    advisory().0.lock().map_err(|_| Error::internal("advisory lock table poisoned"))
}

fn try_lock(engine: usize, key: (i64, i32), pid: i32, xact: bool) -> Result<bool> {
    let mut t = table()?;
    let e = t.held.entry((engine, key.0, key.1)).or_insert(Holder { pid, session: 0, xact: 0 });
    if e.pid != pid {
        return Ok(false);
    }
    if xact {
        e.xact += 1;
    } else {
        e.session += 1;
    }
    Ok(true)
}

// In wasm the loop ends in its first turn (see below).
#[cfg_attr(target_family = "wasm", allow(clippy::never_loop))]
fn lock(c: &mut FnContext, a: &[Datum], xact: bool) -> Result<Datum> {
    let (engine, pid, key) = (c.host.storage_key(), c.session.backend_pid, lock_key(a));
    loop {
        if try_lock(engine, key, pid, xact)? {
            return Ok(void());
        }
        if c.host.cancelled() {
            return Err(Error::new(SqlState::QUERY_CANCELED, "canceling statement due to user request"));
        }
        // One thread in the browser: the holder can never release while we wait.
        #[cfg(target_family = "wasm")]
        return Err(Error::new(SqlState::LOCK_NOT_AVAILABLE, "could not obtain advisory lock: held by another session"));
        #[cfg(not(target_family = "wasm"))]
        {
            let t = table()?;
            let _ = advisory().1.wait_timeout(t, std::time::Duration::from_millis(20));
        }
    }
}

/// pg_advisory_unlock: releases one session-level hold; false, with
/// LockRelease's WARNING, when not held.
fn unlock(c: &mut FnContext, a: &[Datum], shared: bool) -> Result<Datum> {
    let (engine, pid, key) = (c.host.storage_key(), c.session.backend_pid, lock_key(a));
    let mut t = table()?;
    let k = (engine, key.0, key.1);
    let Some(e) = t.held.get_mut(&k).filter(|e| e.pid == pid && e.session > 0) else {
        let mode = if shared { "ShareLock" } else { "ExclusiveLock" };
        c.session.side.warn(SqlState::WARNING, format!("you don't own a lock of type {mode}"));
        return Ok(Datum::Bool(false));
    };
    e.session -= 1;
    if e.session == 0 && e.xact == 0 {
        t.held.remove(&k);
        advisory().1.notify_all();
    }
    Ok(Datum::Bool(true))
}

/// Releases a session's advisory locks: the transaction-level ones (at
/// transaction end) or all of them (pg_advisory_unlock_all, session end).
pub fn release_advisory_locks(engine: usize, pid: i32, xact_only: bool) {
    let (m, cv) = advisory();
    if let Ok(mut t) = m.lock() {
        t.held.retain(|k, v| {
            if k.0 != engine || v.pid != pid {
                return true;
            }
            v.xact = 0;
            if !xact_only {
                v.session = 0;
            }
            v.session > 0
        });
        cv.notify_all();
    }
}

// ------------------------------------------------------------------ sizes

/// pg_size_pretty: bytes up to 10 kB, then kB … PB, half-rounded.
fn size_pretty(mut size: i128) -> String {
    const UNITS: [(&str, i128, bool, u32); 6] = [
        ("bytes", 10 * 1024, false, 0),
        ("kB", 20 * 1024 - 1, true, 10),
        ("MB", 20 * 1024 - 1, true, 20),
        ("GB", 20 * 1024 - 1, true, 30),
        ("TB", 20 * 1024 - 1, true, 40),
        ("PB", 20 * 1024 - 1, true, 50),
    ];
    let half_rounded = |x: i128| (x + if x < 0 { -1 } else { 1 }) / 2;
    for (i, (name, limit, round, bits)) in UNITS.iter().enumerate() {
        if i + 1 == UNITS.len() || size.abs() < *limit {
            if *round {
                size = half_rounded(size);
            }
            return format!("{size} {name}");
        }
        let next = UNITS[i + 1];
        let shift = next.3 - bits - next.2 as u32 + *round as u32;
        size /= 1i128 << shift;
    }
    String::new()
}

fn relation_size(c: &mut FnContext, rel: Oid, with_indexes: bool) -> Result<Datum> {
    let Some(r) = c.host.catalog().relation(rel) else { return Ok(Datum::Null) };
    let mut blocks = c.host.relation_blocks(r.relfilenode)?;
    if with_indexes {
        for i in r.indexes.clone() {
            blocks += c.host.relation_blocks(i.relfilenode)?;
        }
    }
    Ok(Datum::Int64(blocks as i64 * 8192))
}

// ------------------------------------------------------------------ registration

fn privilege_kernel() -> Kernel {
    // The bootstrap superuser holds every privilege on every object.
    fc(|_, _| Ok(Datum::Bool(true)))
}

pub fn register(r: &mut Registry) {
    // Visibility along the search path (NULL for an unknown OID).
    r.add(
        "pg_table_is_visible",
        fc(|a, c| {
            let cat = c.host.catalog();
            Ok(arg_oid(a, 0).and_then(|o| cat.relation(o)).map(|rel| Datum::Bool(relation_is_visible(cat, &rel))).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "pg_type_is_visible",
        fc(|a, c| Ok(arg_oid(a, 0).and_then(|o| type_is_visible(c.host.catalog(), o)).map(Datum::Bool).unwrap_or(Datum::Null))),
    );
    r.add(
        "pg_function_is_visible",
        fc(|a, c| Ok(arg_oid(a, 0).and_then(|o| function_is_visible(c.host.catalog(), o)).map(Datum::Bool).unwrap_or(Datum::Null))),
    );
    r.add(
        "pg_operator_is_visible",
        fc(|a, c| {
            let cat = c.host.catalog();
            let Some(op) = arg_oid(a, 0).and_then(|o| cat.operator(o)) else { return Ok(Datum::Null) };
            let first = cat
                .search_path
                .iter()
                .find_map(|ns| cat.operators_by_name(&op.name).into_iter().find(|x| x.namespace == *ns && x.left == op.left && x.right == op.right));
            Ok(Datum::Bool(first.is_some_and(|f| f.oid == op.oid)))
        }),
    );
    // Objects found by name in one schema: visible when the schema is on the path
    // and no same-named object comes earlier.
    for (prosrc, catalog, name_col, ns_col) in [
        ("pg_conversion_is_visible", "pg_conversion", "conname", "connamespace"),
        ("pg_collation_is_visible", "pg_collation", "collname", "collnamespace"),
        ("pg_opclass_is_visible", "pg_opclass", "opcname", "opcnamespace"),
        ("pg_opfamily_is_visible", "pg_opfamily", "opfname", "opfnamespace"),
        ("pg_statistics_obj_is_visible", "pg_statistic_ext", "stxname", "stxnamespace"),
        ("pg_ts_config_is_visible", "pg_ts_config", "cfgname", "cfgnamespace"),
        ("pg_ts_dict_is_visible", "pg_ts_dict", "dictname", "dictnamespace"),
        ("pg_ts_parser_is_visible", "pg_ts_parser", "prsname", "prsnamespace"),
        ("pg_ts_template_is_visible", "pg_ts_template", "tmplname", "tmplnamespace"),
    ] {
        r.add(
            prosrc,
            fc(move |a, c| {
                let Some(o) = arg_oid(a, 0) else { return Ok(Datum::Null) };
                let all = rows(c, catalog)?;
                let Some(me) = all.iter().find(|r| col_oid(r, "oid") == o) else { return Ok(Datum::Null) };
                let name = col(me, name_col).clone();
                let path = c.host.catalog().search_path.clone();
                let first = path.iter().find_map(|ns| all.iter().find(|r| col_oid(r, ns_col) == *ns && *col(r, name_col) == name));
                Ok(Datum::Bool(first.is_some_and(|f| col_oid(f, "oid") == o)))
            }),
        );
    }
    r.add(
        "pg_is_other_temp_schema",
        fc(|a, c| {
            let name = arg_oid(a, 0).and_then(|o| c.host.catalog().namespace_name(o)).unwrap_or_default();
            let mine = format!("pg_temp_{}", c.session.backend_pid);
            Ok(Datum::Bool(name.starts_with("pg_temp_") && name != mine))
        }),
    );
    r.add(
        "pg_my_temp_schema",
        fc(|_, c| {
            let mine = format!("pg_temp_{}", c.session.backend_pid);
            Ok(Datum::Oid(c.host.catalog().all_namespaces().find(|n| n.name == mine).map_or(0, |n| n.oid)))
        }),
    );
    r.add(
        "pg_get_userbyid",
        fc(|a, c| {
            let o = arg_oid(a, 0).unwrap_or(0);
            Ok(text(role_name(c, o)?.unwrap_or_else(|| format!("unknown (OID={o})"))))
        }),
    );
    r.add(
        "format_type",
        fc(|a, c| {
            let Some(t) = arg_oid(a, 0) else { return Ok(Datum::Null) };
            Ok(text(format_type_sql(c.host.catalog(), t, arg_i32(a, 1))))
        }),
    );
    r.add(
        "current_schemas",
        fc(|a, c| {
            let implicit = arg_bool(a, 0);
            let cat = c.host.catalog();
            let names: Vec<Datum> = cat
                .search_path
                .iter()
                .filter(|ns| implicit || **ns != oid::PG_CATALOG_NAMESPACE || c.session.search_path_schemas.iter().any(|s| s == "pg_catalog"))
                .filter(|ns| implicit || !cat.namespace_name(**ns).unwrap_or_default().starts_with("pg_temp_"))
                .filter_map(|ns| cat.namespace_name(*ns))
                .map(Datum::Text)
                .collect();
            Ok(Datum::Array(Box::new(Array::from_elems(oid::NAME, names))))
        }),
    );
    // Name lookups that answer NULL instead of failing.
    // regclass(text): regclassin at run time.
    r.add("text_regclass", fc(|a, c| Ok(Datum::Oid(c.host.reg_input(oid::REGCLASS, arg_text(a, 0).unwrap_or(""))?))));
    r.add("to_regclass", fc(|a, c| Ok(to_reg(oid::REGCLASS, arg_text(a, 0).unwrap_or(""), c))));
    r.add("to_regtype", fc(|a, c| Ok(to_reg(oid::REGTYPE, arg_text(a, 0).unwrap_or(""), c))));
    r.add("to_regproc", fc(|a, c| Ok(to_reg(oid::REGPROC, arg_text(a, 0).unwrap_or(""), c))));
    r.add("to_regnamespace", fc(|a, c| Ok(to_reg(oid::REGNAMESPACE, arg_text(a, 0).unwrap_or(""), c))));
    r.add(
        "to_regprocedure",
        fc(|a, c| {
            // name(argtypes): the function with exactly those argument types.
            let s = arg_text(a, 0).unwrap_or("");
            let Some(open) = s.find('(') else { return Ok(Datum::Null) };
            let Some(names) = oa_frontend::split_name_list(&s[..open]) else { return Ok(Datum::Null) };
            let inner = s[open + 1..].trim_end().trim_end_matches(')');
            let ctx = bind_context(c);
            let mut types = Vec::new();
            for t in inner.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                match oa_frontend::reg_input(oid::REGTYPE, t, c.host.catalog(), &ctx) {
                    Ok(Some(o)) => types.push(o),
                    _ => return Ok(Datum::Null),
                }
            }
            let cat = c.host.catalog();
            let name = names.last().cloned().unwrap_or_default();
            let ns = if names.len() > 1 { cat.namespace_by_name(&names[names.len() - 2]).map(|n| n.oid) } else { None };
            let found = cat
                .procs_by_name(&name)
                .into_iter()
                .filter(|p| p.arg_types == types && ns.is_none_or(|n| n == p.namespace))
                .filter(|p| ns.is_some() || cat.search_path.contains(&p.namespace))
                .map(|p| p.oid)
                .next();
            Ok(found.map(Datum::Oid).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "to_regrole",
        fc(|a, c| {
            let Some(names) = oa_frontend::split_name_list(arg_text(a, 0).unwrap_or("")) else { return Ok(Datum::Null) };
            if names.len() != 1 {
                return Ok(Datum::Null);
            }
            Ok(role_oid(c, &names[0])?.filter(|o| *o != 0).map(Datum::Oid).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "to_regoper",
        fc(|a, c| {
            let s = arg_text(a, 0).unwrap_or("").trim().to_string();
            let ops = c.host.catalog().operators_by_name(&s);
            Ok(if ops.len() == 1 { Datum::Oid(ops[0].oid) } else { Datum::Null })
        }),
    );
    // The decompilers.
    let get_expr = |a: &[Datum], c: &mut FnContext| -> Result<Datum> {
        let Some(sql) = arg_text(a, 0) else { return Ok(Datum::Null) };
        if sql.is_empty() {
            return Ok(Datum::Null);
        }
        Ok(text(get_expr(c, sql, arg_oid(a, 1).unwrap_or(0), arg_bool(a, 2))?))
    };
    r.add("pg_get_expr", fc(get_expr));
    r.add("pg_get_expr_ext", fc(get_expr));
    r.add("pg_get_constraintdef", fc(|a, c| Ok(constraint_def(c, arg_oid(a, 0).unwrap_or(0), false)?.map(text).unwrap_or(Datum::Null))));
    r.add("pg_get_constraintdef_ext", fc(|a, c| Ok(constraint_def(c, arg_oid(a, 0).unwrap_or(0), arg_bool(a, 1))?.map(text).unwrap_or(Datum::Null))));
    r.add("pg_get_indexdef", fc(|a, c| Ok(index_def(c, arg_oid(a, 0).unwrap_or(0), 0, false)?.map(text).unwrap_or(Datum::Null))));
    r.add(
        "pg_get_indexdef_ext",
        fc(|a, c| Ok(index_def(c, arg_oid(a, 0).unwrap_or(0), arg_i32(a, 1).unwrap_or(0), arg_bool(a, 2))?.map(text).unwrap_or(Datum::Null))),
    );
    let viewdef = |c: &mut FnContext, rel: Option<Arc<RelationDesc>>, pretty: bool| -> Datum {
        match rel {
            Some(r) if r.view_query.is_some() => text(view_definition(c, &r, pretty)),
            _ => Datum::Null,
        }
    };
    r.add("pg_get_viewdef", fc(move |a, c| Ok(viewdef(c, arg_oid(a, 0).and_then(|o| c.host.catalog().relation(o)), false))));
    r.add("pg_get_viewdef_ext", fc(move |a, c| Ok(viewdef(c, arg_oid(a, 0).and_then(|o| c.host.catalog().relation(o)), arg_bool(a, 1)))));
    r.add("pg_get_viewdef_wrap", fc(move |a, c| Ok(viewdef(c, arg_oid(a, 0).and_then(|o| c.host.catalog().relation(o)), true))));
    let viewdef_name = move |a: &[Datum], c: &mut FnContext| -> Result<Datum> {
        let o = to_reg(oid::REGCLASS, arg_text(a, 0).unwrap_or(""), c);
        let Datum::Oid(o) = o else { return Err(Error::new(SqlState::UNDEFINED_TABLE, "relation does not exist")) };
        let rel = c.host.catalog().relation(o);
        Ok(viewdef(c, rel, arg_bool(a, 1)))
    };
    r.add("pg_get_viewdef_name", fc(viewdef_name));
    r.add("pg_get_viewdef_name_ext", fc(viewdef_name));
    r.add(
        "pg_get_serial_sequence",
        fc(|a, c| {
            let (Some(table), Some(column)) = (arg_text(a, 0), arg_text(a, 1)) else { return Ok(Datum::Null) };
            let ctx = bind_context(c);
            let rel = match oa_frontend::reg_input(oid::REGCLASS, table, c.host.catalog(), &ctx)? {
                Some(o) => c.host.catalog().relation(o),
                None => None,
            };
            let Some(rel) = rel else { return Ok(Datum::Null) };
            let Some(attnum) = rel.column(column).map(|col| col.attnum) else {
                return Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{column}\" of relation \"{}\" does not exist", rel.name)));
            };
            for d in rows(c, "pg_depend")? {
                let deptype = match col(&d, "deptype") {
                    Datum::Char(ch) => *ch,
                    _ => 0,
                };
                if matches!(deptype, b'a' | b'i')
                    && col_oid(&d, "classid") == PG_CLASS
                    && col_oid(&d, "refobjid") == rel.oid
                    && col(&d, "refobjsubid").as_i64() == Some(attnum as i64)
                    && let Some(seq) = c.host.catalog().relation(col_oid(&d, "objid"))
                    && seq.kind == RelKind::Sequence
                {
                    return Ok(text(qualified_relation_name(&seq)));
                }
            }
            Ok(Datum::Null)
        }),
    );
    r.add(
        "pg_get_function_arg_default",
        fc(|a, c| {
            let cat = c.host.catalog();
            let (Some(p), Some(n)) = (arg_oid(a, 0).and_then(|f| cat.proc(f)), arg_i32(a, 1)) else { return Ok(Datum::Null) };
            let defaults = oa_frontend::proc_arg_defaults(&p);
            let first = p.arg_types.len().saturating_sub(defaults.len());
            Ok((n as usize).checked_sub(1 + first).and_then(|k| defaults.get(k)).map(|d| text(d.clone())).unwrap_or(Datum::Null))
        }),
    );
    r.add(
        "pg_get_function_arguments",
        fc(|a, c| Ok(arg_oid(a, 0).and_then(|f| function_arguments(c.host.catalog(), f, true)).map(text).unwrap_or(Datum::Null))),
    );
    r.add(
        "pg_get_function_identity_arguments",
        fc(|a, c| Ok(arg_oid(a, 0).and_then(|f| function_arguments(c.host.catalog(), f, false)).map(text).unwrap_or(Datum::Null))),
    );
    r.add(
        "pg_get_function_result",
        fc(|a, c| {
            let cat = c.host.catalog();
            let Some(p) = arg_oid(a, 0).and_then(|f| cat.proc(f)) else { return Ok(Datum::Null) };
            if p.kind == b'p' {
                return Ok(Datum::Null);
            }
            let t = format_type_sql(cat, p.ret_type, None);
            Ok(text(if p.retset { format!("SETOF {t}") } else { t }))
        }),
    );
    // Nothing is published, partitioned, triggered or has extended statistics.
    r.add(
        "pg_relation_is_publishable",
        fc(|a, c| {
            Ok(Datum::Bool(
                arg_oid(a, 0)
                    .and_then(|o| c.host.catalog().user.relations.get(&o).cloned())
                    .is_some_and(|r| matches!(r.kind, RelKind::Table | RelKind::PartitionedTable) && r.persistence == b'p'),
            ))
        }),
    );
    r.add("pg_get_statisticsobjdef_columns", fc(|_, _| Ok(Datum::Null)));
    r.add("pg_get_triggerdef", fc(|_, _| Ok(Datum::Null)));
    r.add("pg_get_triggerdef_ext", fc(|_, _| Ok(Datum::Null)));
    r.add("pg_get_partkeydef", fc(|_, _| Ok(Datum::Null)));
    r.add("pg_get_partition_constraintdef", fc(|_, _| Ok(Datum::Null)));
    r.add("pg_tablespace_location", fc(|_, _| Ok(text(""))));
    // Comments (system_functions.sql's SQL functions, by OID).
    r.add(
        "oid:1215",
        fc(|a, c| {
            let (Some(o), Some(catalog)) = (arg_oid(a, 0), arg_text(a, 1)) else { return Ok(Datum::Null) };
            let Some(k) = catalog_oid_by_name(c.host.catalog(), catalog) else { return Ok(Datum::Null) };
            description(c, "pg_description", o, Some(k), Some(0))
        }),
    );
    r.add("oid:1348", fc(|a, c| description(c, "pg_description", arg_oid(a, 0).unwrap_or(0), None, Some(0))));
    r.add(
        "oid:1216",
        fc(|a, c| {
            let (Some(o), Some(n)) = (arg_oid(a, 0), arg_i32(a, 1)) else { return Ok(Datum::Null) };
            description(c, "pg_description", o, Some(PG_CLASS), Some(n))
        }),
    );
    r.add(
        "oid:1993",
        fc(|a, c| {
            let (Some(o), Some(catalog)) = (arg_oid(a, 0), arg_text(a, 1)) else { return Ok(Datum::Null) };
            let Some(k) = catalog_oid_by_name(c.host.catalog(), catalog) else { return Ok(Datum::Null) };
            description(c, "pg_shdescription", o, Some(k), None)
        }),
    );
    // Encodings: the server speaks UTF8 only.
    r.add(
        "PG_encoding_to_char",
        fc(|a, _| {
            Ok(text(match arg_i32(a, 0) {
                Some(0) => "SQL_ASCII",
                Some(6) => "UTF8",
                Some(8) => "LATIN1",
                _ => "",
            }))
        }),
    );
    r.add(
        "PG_char_to_encoding",
        fc(|a, _| {
            let n: String = arg_text(a, 0).unwrap_or("").chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
            Ok(Datum::Int32(match n.as_str() {
                "SQLASCII" => 0,
                "UTF8" | "UNICODE" => 6,
                "LATIN1" => 8,
                _ => -1,
            }))
        }),
    );
    r.add(
        "pg_encoding_max_length_sql",
        fc(|a, _| {
            Ok(match arg_i32(a, 0) {
                Some(6) => Datum::Int32(4),
                Some(e) if (0..=41).contains(&e) => Datum::Int32(1),
                _ => Datum::Null,
            })
        }),
    );
    r.add("pg_client_encoding", fc(|_, _| Ok(text("UTF8"))));
    r.add("getdatabaseencoding", fc(|_, _| Ok(text("UTF8"))));
    // Privileges: the only role is the bootstrap superuser.
    for name in [
        "has_table_privilege_name_name",
        "has_table_privilege_name_id",
        "has_table_privilege_id_name",
        "has_table_privilege_id_id",
        "has_table_privilege_name",
        "has_table_privilege_id",
        "has_schema_privilege_name_name",
        "has_schema_privilege_name_id",
        "has_schema_privilege_id_name",
        "has_schema_privilege_id_id",
        "has_schema_privilege_name",
        "has_schema_privilege_id",
        "has_database_privilege_name_name",
        "has_database_privilege_name_id",
        "has_database_privilege_id_name",
        "has_database_privilege_id_id",
        "has_database_privilege_name",
        "has_database_privilege_id",
        "has_sequence_privilege_name_name",
        "has_sequence_privilege_name_id",
        "has_sequence_privilege_id_name",
        "has_sequence_privilege_id_id",
        "has_sequence_privilege_name",
        "has_sequence_privilege_id",
        "has_function_privilege_name_name",
        "has_function_privilege_name_id",
        "has_function_privilege_id_name",
        "has_function_privilege_id_id",
        "has_function_privilege_name",
        "has_function_privilege_id",
        "has_column_privilege_name_name_name",
        "has_column_privilege_name_name_attnum",
        "has_column_privilege_name_id_name",
        "has_column_privilege_name_id_attnum",
        "has_column_privilege_id_name_name",
        "has_column_privilege_id_name_attnum",
        "has_column_privilege_id_id_name",
        "has_column_privilege_id_id_attnum",
        "has_column_privilege_name_name",
        "has_column_privilege_name_attnum",
        "has_column_privilege_id_name",
        "has_column_privilege_id_attnum",
        "has_any_column_privilege_name_name",
        "has_any_column_privilege_name_id",
        "has_any_column_privilege_id_name",
        "has_any_column_privilege_id_id",
        "has_any_column_privilege_name",
        "has_any_column_privilege_id",
        "has_tablespace_privilege_name_name",
        "has_tablespace_privilege_name_id",
        "has_tablespace_privilege_id_name",
        "has_tablespace_privilege_id_id",
        "has_tablespace_privilege_name",
        "has_tablespace_privilege_id",
        "has_type_privilege_name_name",
        "has_type_privilege_name_id",
        "has_type_privilege_id_name",
        "has_type_privilege_id_id",
        "has_type_privilege_name",
        "has_type_privilege_id",
        "has_language_privilege_name_name",
        "has_language_privilege_name_id",
        "has_language_privilege_id_name",
        "has_language_privilege_id_id",
        "has_language_privilege_name",
        "has_language_privilege_id",
        "has_server_privilege_name_name",
        "has_server_privilege_name_id",
        "has_server_privilege_id_name",
        "has_server_privilege_id_id",
        "has_server_privilege_name",
        "has_server_privilege_id",
        "has_foreign_data_wrapper_privilege_name_name",
        "has_foreign_data_wrapper_privilege_name_id",
        "has_foreign_data_wrapper_privilege_id_name",
        "has_foreign_data_wrapper_privilege_id_id",
        "has_foreign_data_wrapper_privilege_name",
        "has_foreign_data_wrapper_privilege_id",
        "pg_has_role_name_name",
        "pg_has_role_name_id",
        "pg_has_role_id_name",
        "pg_has_role_id_id",
        "pg_has_role_name",
        "pg_has_role_id",
    ] {
        r.add(name, privilege_kernel());
    }
    // Advisory locks: an engine-wide table; session-level locks are counted per session.
    for name in ["pg_advisory_lock_int8", "pg_advisory_lock_int4", "pg_advisory_lock_shared_int8", "pg_advisory_lock_shared_int4"] {
        r.add(name, fc(|a, c| lock(c, a, false)));
    }
    for name in ["pg_advisory_xact_lock_int8", "pg_advisory_xact_lock_int4", "pg_advisory_xact_lock_shared_int8", "pg_advisory_xact_lock_shared_int4"]
    {
        r.add(name, fc(|a, c| lock(c, a, true)));
    }
    for name in ["pg_try_advisory_lock_int8", "pg_try_advisory_lock_int4", "pg_try_advisory_lock_shared_int8", "pg_try_advisory_lock_shared_int4"] {
        r.add(name, fc(|a, c| Ok(Datum::Bool(try_lock(c.host.storage_key(), lock_key(a), c.session.backend_pid, false)?))));
    }
    for name in [
        "pg_try_advisory_xact_lock_int8",
        "pg_try_advisory_xact_lock_int4",
        "pg_try_advisory_xact_lock_shared_int8",
        "pg_try_advisory_xact_lock_shared_int4",
    ] {
        r.add(name, fc(|a, c| Ok(Datum::Bool(try_lock(c.host.storage_key(), lock_key(a), c.session.backend_pid, true)?))));
    }
    for name in ["pg_advisory_unlock_int8", "pg_advisory_unlock_int4"] {
        r.add(name, fc(|a, c| unlock(c, a, false)));
    }
    for name in ["pg_advisory_unlock_shared_int8", "pg_advisory_unlock_shared_int4"] {
        r.add(name, fc(|a, c| unlock(c, a, true)));
    }
    // NOTIFY as a function: not strict, a NULL channel or payload counts as empty.
    r.add(
        "pg_notify",
        fc(|a, c| {
            c.session.side.notify(arg_text(a, 0).unwrap_or(""), arg_text(a, 1).unwrap_or(""))?;
            Ok(void())
        }),
    );
    r.add(
        "pg_advisory_unlock_all",
        fc(|_, c| {
            release_advisory_locks(c.host.storage_key(), c.session.backend_pid, false);
            Ok(void())
        }),
    );
    // Sizes, from the relation files.
    r.add("pg_relation_size", fc(|a, c| relation_size(c, arg_oid(a, 0).unwrap_or(0), false)));
    r.add("oid:2325", fc(|a, c| relation_size(c, arg_oid(a, 0).unwrap_or(0), false)));
    r.add("pg_table_size", fc(|a, c| relation_size(c, arg_oid(a, 0).unwrap_or(0), false)));
    r.add("pg_total_relation_size", fc(|a, c| relation_size(c, arg_oid(a, 0).unwrap_or(0), true)));
    r.add(
        "pg_indexes_size",
        fc(|a, c| {
            let Some(rel) = c.host.catalog().relation(arg_oid(a, 0).unwrap_or(0)) else { return Ok(Datum::Null) };
            let mut blocks = 0;
            for i in rel.indexes.clone() {
                blocks += c.host.relation_blocks(i.relfilenode)?;
            }
            Ok(Datum::Int64(blocks as i64 * 8192))
        }),
    );
    r.add("pg_size_pretty", fc(|a, _| Ok(text(size_pretty(a.first().and_then(|d| d.as_i64()).unwrap_or(0) as i128)))));
    r.add(
        "pg_size_pretty_numeric",
        fc(|a, _| {
            let v = match a.first() {
                Some(Datum::Numeric(n)) => n.to_string().split('.').next().and_then(|i| i.parse::<i128>().ok()).unwrap_or(0),
                _ => 0,
            };
            Ok(text(size_pretty(v)))
        }),
    );
    r.add(
        "pg_database_size_name",
        fc(|_, c| {
            let rels: Vec<u32> = c.host.catalog().user.relations.values().map(|r| r.relfilenode).collect();
            let mut blocks = 0;
            for f in rels {
                blocks += c.host.relation_blocks(f)?;
            }
            Ok(Datum::Int64(blocks as i64 * 8192))
        }),
    );
    r.add("pg_database_size_oid", fc(|_, _| Ok(Datum::Int64(0))));
    // Updatability (information_schema): tables take INSERT/UPDATE/DELETE, simple views too.
    let updatable = |c: &mut FnContext, rel: Oid| -> i32 {
        let Some(r) = c.host.catalog().relation(rel) else { return 0 };
        // (1 << CMD_UPDATE) | (1 << CMD_INSERT) | (1 << CMD_DELETE)
        const ALL: i32 = (1 << 2) | (1 << 3) | (1 << 4);
        match r.kind {
            RelKind::Table | RelKind::PartitionedTable if r.oid >= oid::FIRST_NORMAL_OBJECT_ID || r.namespace == oid::PG_CATALOG_NAMESPACE => ALL,
            RelKind::View => {
                let ctx = bind_context(c);
                if oa_frontend::view_is_updatable(&r, c.host.catalog(), &ctx) { ALL } else { 0 }
            }
            _ => 0,
        }
    };
    // acldefault(kind, owner): the privileges an object has before any GRANT.
    r.add(
        "acldefault_sql",
        fc(|a, c| {
            let kind = match a.first() {
                Some(Datum::Char(k)) => *k,
                _ => 0,
            };
            let owner = role_name(c, arg_oid(a, 1).unwrap_or(0))?.unwrap_or_default();
            let items: Vec<String> = match kind {
                b'r' => vec![format!("{owner}=arwdDxt/{owner}")],
                b's' => vec![format!("{owner}=rwU/{owner}")],
                b'd' => vec![format!("=Tc/{owner}"), format!("{owner}=CTc/{owner}")],
                b'f' => vec![format!("=X/{owner}"), format!("{owner}=X/{owner}")],
                b'l' | b'T' => vec![format!("=U/{owner}"), format!("{owner}=U/{owner}")],
                b'L' => vec![format!("{owner}=rw/{owner}")],
                b'n' => vec![format!("{owner}=UC/{owner}")],
                b't' => vec![format!("{owner}=C/{owner}")],
                b'F' | b'S' => vec![format!("{owner}=U/{owner}")],
                b'p' => vec![format!("{owner}=sA/{owner}")],
                b'c' => vec![],
                k => return Err(Error::internal(format!("unrecognized object type abbreviation: {}", k as char))),
            };
            Ok(Datum::Array(Box::new(Array::from_elems(oid::ACLITEM, items.into_iter().map(Datum::Text).collect()))))
        }),
    );
    r.add("pg_relation_is_updatable", fc(move |a, c| Ok(Datum::Int32(updatable(c, arg_oid(a, 0).unwrap_or(0))))));
    r.add("pg_column_is_updatable", fc(move |a, c| Ok(Datum::Bool(updatable(c, arg_oid(a, 0).unwrap_or(0)) & (1 << 2) != 0))));
    r.add(
        "nameconcatoid",
        fc(|a, _| {
            let name = arg_text(a, 0).unwrap_or("");
            let suffix = format!("_{}", arg_oid(a, 1).unwrap_or(0));
            let mut keep = name.len().min(63usize.saturating_sub(suffix.len()));
            while !name.is_char_boundary(keep) {
                keep -= 1;
            }
            Ok(text(format!("{}{suffix}", &name[..keep])))
        }),
    );
    r.add(
        "pg_sequence_last_value",
        fc(|a, c| {
            Ok(match c.host.sequence_state(arg_oid(a, 0).unwrap_or(0))? {
                Some((last, true)) => Datum::Int64(last),
                _ => Datum::Null,
            })
        }),
    );
    // information_schema._pg_index_position(index, column): the column's 1-based position in the index key.
    r.add(
        "oid:13209",
        fc(|a, c| {
            let (Some(index), Some(col)) = (arg_oid(a, 0), arg_i32(a, 1)) else { return Ok(Datum::Null) };
            let cat = c.host.catalog();
            let pos = cat
                .user
                .relations
                .values()
                .find_map(|r| r.indexes.iter().find(|i| i.oid == index))
                .and_then(|i| i.columns.iter().position(|k| *k as i32 == col));
            Ok(pos.map(|p| Datum::Int32(p as i32 + 1)).unwrap_or(Datum::Null))
        }),
    );
    // Statistics are not collected: the counters read zero, the timestamps NULL.
    for p in crate::catalog::builtin().procs.values() {
        if !(p.name.starts_with("pg_stat_get_") || p.name.starts_with("pg_stat_get_xact_")) || p.retset || r.get(&p.prosrc).is_some() {
            continue;
        }
        let zero = match p.ret_type {
            oid::INT8 => Datum::Int64(0),
            oid::INT4 => Datum::Int32(0),
            oid::FLOAT8 => Datum::Float64(0.0),
            _ => Datum::Null,
        };
        let name: &'static str = Box::leak(p.prosrc.clone().into_boxed_str());
        r.add(name, fc(move |_, _| Ok(zero.clone())));
    }
}

#[cfg(test)]
mod tests {
    use super::size_pretty;

    #[test]
    fn size_pretty_matches_postgres() {
        assert_eq!(size_pretty(123456789), "118 MB");
        assert_eq!(size_pretty(10239), "10239 bytes");
        assert_eq!(size_pretty(10240), "10 kB");
        assert_eq!(size_pretty(0), "0 bytes");
        assert_eq!(size_pretty(-20971520), "-20 MB");
    }
}
