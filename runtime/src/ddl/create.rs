//! CREATE TABLE / INDEX / SEQUENCE / VIEW / SCHEMA and CREATE TABLE AS.

use std::collections::HashSet;
use std::sync::Arc;

use oa_frontend::Catalog;
use oa_grammar::ast;
use oa_ir::catalog::{ConstraintKind, RelKind, RelationDesc};
use oa_ir::datum::{Array, Datum};
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result, SqlState};
use oa_storage::{RelFileNumber, TupleBatch, TupleDesc};

use super::{Ddl, choose_name};
use crate::catalog::CatalogRow;
use crate::exec::eval::physical_of;
use crate::session::{Outcome, Session, quote_ident_if_needed};

/// pg_class's OID, the classid of pg_depend rows about relations.
const PG_CLASS: Oid = 1259;
const PG_CONSTRAINT: Oid = 2606;
const PG_NAMESPACE: Oid = 2615;
const PG_REWRITE: Oid = 2618;
const PG_TRIGGER: Oid = 2620;
pub(crate) const PG_ATTRDEF: Oid = 2604;

/// A column as CREATE TABLE defines it.
#[derive(Clone, Debug)]
pub(crate) struct NewColumn {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    pub default: Option<String>,
    pub identity: u8,
}

/// A constraint waiting for the table to exist.
struct PendingConstraint {
    name: Option<String>,
    kind: Pending,
    deferrable: bool,
    deferred: bool,
    loc: usize,
}

enum Pending {
    Check(ast::Expr),
    Unique { columns: Vec<String>, primary: bool, nulls_not_distinct: bool },
    ForeignKey { columns: Vec<String>, refs: ast::ForeignKeyRef },
}

const SERIAL_TYPES: [(&str, Oid); 6] = [
    ("serial", oid::INT4),
    ("serial4", oid::INT4),
    ("bigserial", oid::INT8),
    ("serial8", oid::INT8),
    ("smallserial", oid::INT2),
    ("serial2", oid::INT2),
];

fn serial_type(t: &ast::TypeName) -> Option<Oid> {
    if !t.typmods.is_empty() || !t.array_bounds.is_empty() || t.pct_type {
        return None;
    }
    let last = t.names.last()?;
    if t.names.len() == 2 && t.names[0] != "pg_catalog" || t.names.len() > 2 {
        return None;
    }
    SERIAL_TYPES.iter().find(|(n, _)| n == last).map(|(_, o)| *o)
}

pub(crate) fn create_table(s: &mut Session, c: &ast::CreateTableStmt) -> Result<()> {
    if let Some(t) = &c.of_type {
        return Err(Error::feature_not_supported("CREATE TABLE OF type is not supported yet").with_position(t.loc));
    }
    if c.partition_by.is_some() || c.partition_of.is_some() {
        return Err(Error::feature_not_supported("partitioned tables are not supported yet").with_position(c.name.loc));
    }
    if !c.inherits.is_empty() {
        return Err(Error::feature_not_supported("table inheritance is not supported yet").with_position(c.name.loc));
    }
    if matches!(c.on_commit, Some(ast::OnCommit::DeleteRows | ast::OnCommit::Drop)) {
        return Err(Error::feature_not_supported("ON COMMIT DELETE ROWS / DROP is not supported yet").with_position(c.name.loc));
    }
    let mut d = Ddl::new(s)?;
    let (ns, name) = if c.persistence == ast::Persistence::Temporary {
        if c.name.name.len() > 1 {
            return Err(
                Error::new(SqlState::INVALID_TABLE_DEFINITION, "cannot create temporary relation in non-temporary schema").with_position(c.name.loc)
            );
        }
        (d.temp_namespace()?, c.name.name[0].clone())
    } else {
        d.creation_namespace(&c.name.name, c.name.loc)?
    };
    if d.catalog.relation_by_name(ns, &name).is_some() {
        if c.if_not_exists {
            d.notice(format!("relation \"{name}\" already exists, skipping"));
            return Ok(());
        }
        return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let mut columns: Vec<NewColumn> = Vec::new();
    let mut pending: Vec<PendingConstraint> = Vec::new();
    let mut serials: Vec<(usize, Vec<ast::SequenceOption>, u8)> = Vec::new();
    for e in &c.elements {
        match e {
            ast::TableElement::Column(col) => {
                if columns.iter().any(|x| x.name == col.name) {
                    return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{}\" specified more than once", col.name)));
                }
                let (ty, serial) = match serial_type(&col.type_name) {
                    Some(t) => (SqlType::new(t), true),
                    None => (oa_frontend::resolve_type_name(&col.type_name, &*d.catalog, &d.ctx)?, false),
                };
                check_column_type(&d, &col.name, ty, col.type_name.loc)?;
                if col.collation.is_some() {
                    return Err(Error::feature_not_supported("COLLATE in column definitions is not supported yet").with_position(col.loc));
                }
                let idx = columns.len();
                columns.push(NewColumn { name: col.name.clone(), ty, not_null: false, default: None, identity: 0 });
                if serial {
                    columns[idx].not_null = true;
                    serials.push((idx, Vec::new(), 0));
                }
                column_constraints(&mut d, col, idx, &mut columns, &mut pending, &mut serials)?;
            }
            ast::TableElement::Constraint(tc) => pending.push(table_constraint(tc)?),
            ast::TableElement::Like { table: source, options } => {
                like_columns(&d, source, options, &mut columns, &mut pending)?;
            }
        }
    }
    // Primary key columns are NOT NULL.
    for p in &pending {
        if let Pending::Unique { columns: keys, primary: true, .. } = &p.kind {
            for k in keys {
                if let Some(col) = columns.iter_mut().find(|c| &c.name == k) {
                    col.not_null = true;
                }
            }
        }
    }
    if pending.iter().filter(|p| matches!(p.kind, Pending::Unique { primary: true, .. })).count() > 1 {
        let second = pending.iter().filter(|p| matches!(p.kind, Pending::Unique { primary: true, .. })).nth(1).map(|p| p.loc).unwrap_or(0);
        return Err(Error::new(SqlState::INVALID_TABLE_DEFINITION, format!("multiple primary keys for table \"{name}\" are not allowed"))
            .with_position(second));
    }
    let table = define_relation(&mut d, ns, &name, RelKind::Table, &columns)?;
    d.storage().create_relation(d.txn()?, RelFileNumber(table))?;
    // Sequences for serial and identity columns.
    for (idx, options, identity) in serials {
        let col = columns[idx].clone();
        let taken = d.relation_names(ns);
        let seq_name = choose_name(&[&name, &col.name], "seq", &taken);
        let mut opts = options;
        if !opts.iter().any(|o| matches!(o, ast::SequenceOption::As(_))) {
            opts.insert(0, ast::SequenceOption::As(type_name_of(col.ty.oid)));
        }
        let seq = define_sequence(&mut d, ns, &seq_name, &opts)?;
        let deptype = if identity != 0 { b'i' } else { b'a' };
        add_depend(&mut d, PG_CLASS, seq, 0, PG_CLASS, table, (idx + 1) as i32, deptype)?;
        if identity == 0 {
            add_default(&mut d, table, (idx + 1) as i16, &serial_default(seq))?;
        }
    }
    d.refresh()?;
    add_constraints(&mut d, table, pending)?;
    Ok(())
}

/// ALTER TABLE ADD COLUMN: the column's catalog rows, its sequence if it is
/// serial or identity, and its constraints.
pub(crate) fn add_column_definition(d: &mut Ddl, rel: &RelationDesc, col: &ast::ColumnDef, attnum: i16) -> Result<()> {
    let (ty, serial) = match serial_type(&col.type_name) {
        Some(t) => (SqlType::new(t), true),
        None => (oa_frontend::resolve_type_name(&col.type_name, &*d.catalog, &d.ctx)?, false),
    };
    check_column_type(d, &col.name, ty, col.type_name.loc)?;
    let mut columns = vec![NewColumn { name: col.name.clone(), ty, not_null: serial, default: None, identity: 0 }];
    let mut pending = Vec::new();
    let mut serials = Vec::new();
    if serial {
        serials.push((0usize, Vec::new(), 0u8));
    }
    column_constraints(d, col, 0, &mut columns, &mut pending, &mut serials)?;
    let c = &columns[0];
    let t = d.catalog.type_by_oid(c.ty.oid).ok_or_else(|| Error::internal("column type vanished"))?;
    let collation = if t.collation != 0 { oid::DEFAULT_COLLATION } else { 0 };
    let table = rel.oid;
    // NOT NULL is checked after existing rows got their default.
    insert_attribute(d, table, &c.name, c.ty, attnum, t.len, t.byval, t.align, c.not_null, collation)?;
    if c.identity != 0 {
        let kind = c.identity;
        d.update("pg_attribute", |g| {
            (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| vec![("attidentity", Datum::Char(kind))])
        })?;
    }
    if let Some(def) = &c.default {
        add_default(d, table, attnum, def)?;
    }
    d.update("pg_class", |g| (g("oid") == Datum::Oid(table)).then(|| vec![("relnatts", Datum::Int16(attnum))]))?;
    for (_, options, identity) in serials {
        let seq_name = choose_name(&[&rel.name, &c.name], "seq", &d.relation_names(rel.namespace));
        let mut opts = options;
        if !opts.iter().any(|o| matches!(o, ast::SequenceOption::As(_))) {
            opts.insert(0, ast::SequenceOption::As(type_name_of(c.ty.oid)));
        }
        let seq = define_sequence(d, rel.namespace, &seq_name, &opts)?;
        add_depend(d, PG_CLASS, seq, 0, PG_CLASS, table, attnum as i32, if identity != 0 { b'i' } else { b'a' })?;
        if identity == 0 {
            add_default(d, table, attnum, &serial_default(seq))?;
        }
    }
    d.refresh()?;
    add_constraints(d, table, pending)
}

/// LIKE source [INCLUDING …]: the source's columns with their types and NOT
/// NULL; defaults and CHECK constraints when included.
fn like_columns(
    d: &Ddl,
    source: &[String],
    options: &[(bool, String)],
    columns: &mut Vec<NewColumn>,
    pending: &mut Vec<PendingConstraint>,
) -> Result<()> {
    let rel =
        d.find_relation(source)?.ok_or_else(|| Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", source.join("."))))?;
    let include = |what: &str| -> bool {
        let mut on = false;
        for (inc, name) in options {
            if name == what || name == "all" {
                on = *inc;
            }
        }
        on
    };
    let (defaults, constraints) = (include("defaults"), include("constraints"));
    for c in rel.live_columns() {
        if columns.iter().any(|x| x.name == c.name) {
            return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{}\" specified more than once", c.name)));
        }
        let default = if defaults && c.identity == 0 { c.default.clone() } else { None };
        columns.push(NewColumn { name: c.name.clone(), ty: c.ty, not_null: c.not_null, default, identity: 0 });
    }
    if constraints {
        for con in &rel.constraints {
            if let ConstraintKind::Check { expr } = &con.kind {
                let e = oa_grammar::parse_expr(expr).map_err(|e| Error::internal(format!("stored CHECK does not parse: {}", e.message)))?;
                pending.push(PendingConstraint { name: Some(con.name.clone()), kind: Pending::Check(e), deferrable: false, deferred: false, loc: 0 });
            }
        }
    }
    Ok(())
}

/// Column constraints of one column definition.
fn column_constraints(
    d: &mut Ddl,
    col: &ast::ColumnDef,
    idx: usize,
    columns: &mut [NewColumn],
    pending: &mut Vec<PendingConstraint>,
    serials: &mut Vec<(usize, Vec<ast::SequenceOption>, u8)>,
) -> Result<()> {
    let mut saw_null = None;
    // transformConstraintAttrs: DEFERRABLE / INITIALLY … arrive as separate
    // items and apply to the constraint before them.
    let mut merged: Vec<ast::ColumnConstraint> = Vec::new();
    for cc in &col.constraints {
        let is_attr = matches!(cc.kind, ast::ColumnConstraintKind::Null) && (cc.deferrable.is_some() || cc.initially_deferred.is_some());
        if !is_attr {
            merged.push(cc.clone());
            continue;
        }
        let what = if cc.deferrable.is_some() {
            if cc.deferrable == Some(true) { "DEFERRABLE" } else { "NOT DEFERRABLE" }
        } else if cc.initially_deferred == Some(true) {
            "INITIALLY DEFERRED"
        } else {
            "INITIALLY IMMEDIATE"
        };
        let target = merged.last_mut().filter(|p| {
            matches!(
                p.kind,
                ast::ColumnConstraintKind::References(_) | ast::ColumnConstraintKind::Unique { .. } | ast::ColumnConstraintKind::PrimaryKey { .. }
            )
        });
        let Some(target) = target else {
            return Err(Error::new(SqlState::SYNTAX_ERROR, format!("misplaced {what} clause")).with_position(cc.loc));
        };
        if let Some(d) = cc.deferrable {
            if target.deferrable.is_some() {
                return Err(Error::new(SqlState::SYNTAX_ERROR, "multiple DEFERRABLE/NOT DEFERRABLE clauses not allowed").with_position(cc.loc));
            }
            if !d && target.initially_deferred == Some(true) {
                return Err(Error::new(SqlState::SYNTAX_ERROR, "constraint declared INITIALLY DEFERRED must be DEFERRABLE").with_position(cc.loc));
            }
            target.deferrable = Some(d);
        }
        if let Some(i) = cc.initially_deferred {
            if target.initially_deferred.is_some() {
                return Err(Error::new(SqlState::SYNTAX_ERROR, "multiple INITIALLY IMMEDIATE/DEFERRED clauses not allowed").with_position(cc.loc));
            }
            if i && target.deferrable == Some(false) {
                return Err(Error::new(SqlState::SYNTAX_ERROR, "constraint declared INITIALLY DEFERRED must be DEFERRABLE").with_position(cc.loc));
            }
            target.initially_deferred = Some(i);
            // INITIALLY DEFERRED implies DEFERRABLE.
            if i {
                target.deferrable = Some(true);
            }
        }
    }
    for cc in &merged {
        let (deferrable, deferred) = (cc.deferrable.unwrap_or(false), cc.initially_deferred.unwrap_or(false));
        match &cc.kind {
            ast::ColumnConstraintKind::Null | ast::ColumnConstraintKind::NotNull => {
                let not_null = matches!(cc.kind, ast::ColumnConstraintKind::NotNull);
                if saw_null.is_some_and(|n| n != not_null) {
                    return Err(Error::new(
                        SqlState::SYNTAX_ERROR,
                        format!("conflicting NULL/NOT NULL declarations for column \"{}\" of table", col.name),
                    )
                    .with_position(cc.loc));
                }
                saw_null = Some(not_null);
                columns[idx].not_null |= not_null;
            }
            ast::ColumnConstraintKind::Default(e) => {
                if columns[idx].default.is_some() || serials.iter().any(|s| s.0 == idx) {
                    return Err(Error::new(
                        SqlState::SYNTAX_ERROR,
                        format!("multiple default values specified for column \"{}\" of table", col.name),
                    )
                    .with_position(cc.loc));
                }
                // Bind now so a bad default fails CREATE TABLE, as in PostgreSQL.
                oa_frontend::bind_standalone_expr(e, Some(columns[idx].ty), &*d.catalog, &d.ctx)?;
                columns[idx].default = Some(oa_frontend::deparse_expr(e)?);
            }
            ast::ColumnConstraintKind::Check { expr, .. } => {
                pending.push(PendingConstraint { name: cc.name.clone(), kind: Pending::Check(expr.clone()), deferrable, deferred, loc: cc.loc })
            }
            ast::ColumnConstraintKind::Unique { nulls_not_distinct, .. } => pending.push(PendingConstraint {
                name: cc.name.clone(),
                kind: Pending::Unique { columns: vec![col.name.clone()], primary: false, nulls_not_distinct: *nulls_not_distinct },
                deferrable,
                deferred,
                loc: cc.loc,
            }),
            ast::ColumnConstraintKind::PrimaryKey { .. } => pending.push(PendingConstraint {
                name: cc.name.clone(),
                kind: Pending::Unique { columns: vec![col.name.clone()], primary: true, nulls_not_distinct: false },
                deferrable,
                deferred,
                loc: cc.loc,
            }),
            ast::ColumnConstraintKind::References(r) => pending.push(PendingConstraint {
                name: cc.name.clone(),
                kind: Pending::ForeignKey { columns: vec![col.name.clone()], refs: r.clone() },
                deferrable,
                deferred,
                loc: cc.loc,
            }),
            ast::ColumnConstraintKind::Identity { always, options } => {
                if !matches!(columns[idx].ty.oid, oid::INT2 | oid::INT4 | oid::INT8) {
                    return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "identity column type must be smallint, integer, or bigint")
                        .with_position(cc.loc));
                }
                if columns[idx].identity != 0 {
                    return Err(Error::new(SqlState::SYNTAX_ERROR, format!("multiple identity specifications for column \"{}\" of table", col.name))
                        .with_position(cc.loc));
                }
                let kind = if *always { b'a' } else { b'd' };
                columns[idx].identity = kind;
                columns[idx].not_null = true;
                serials.push((idx, options.clone(), kind));
            }
            ast::ColumnConstraintKind::Generated { .. } => {
                return Err(Error::feature_not_supported("generated columns are not supported yet").with_position(cc.loc));
            }
        }
    }
    if columns[idx].identity != 0 && columns[idx].default.is_some() {
        return Err(Error::new(SqlState::SYNTAX_ERROR, format!("both default and identity specified for column \"{}\" of table", col.name)));
    }
    Ok(())
}

fn table_constraint(tc: &ast::TableConstraint) -> Result<PendingConstraint> {
    let kind = match &tc.kind {
        ast::TableConstraintKind::Check { expr, .. } => Pending::Check(expr.clone()),
        ast::TableConstraintKind::Unique { columns, nulls_not_distinct, include, .. } => {
            if !include.is_empty() {
                return Err(Error::feature_not_supported("INCLUDE columns are not supported yet").with_position(tc.loc));
            }
            Pending::Unique { columns: columns.clone(), primary: false, nulls_not_distinct: *nulls_not_distinct }
        }
        ast::TableConstraintKind::PrimaryKey { columns, include, .. } => {
            if !include.is_empty() {
                return Err(Error::feature_not_supported("INCLUDE columns are not supported yet").with_position(tc.loc));
            }
            Pending::Unique { columns: columns.clone(), primary: true, nulls_not_distinct: false }
        }
        ast::TableConstraintKind::ForeignKey { columns, refs } => Pending::ForeignKey { columns: columns.clone(), refs: refs.clone() },
        ast::TableConstraintKind::Exclude { loc } => {
            return Err(Error::feature_not_supported("exclusion constraints are not supported yet").with_position(*loc));
        }
        ast::TableConstraintKind::UsingIndex { .. } => {
            return Err(Error::feature_not_supported("constraints USING INDEX are not supported yet").with_position(tc.loc));
        }
    };
    Ok(PendingConstraint {
        name: tc.name.clone(),
        kind,
        deferrable: tc.deferrable.unwrap_or(false) || tc.initially_deferred == Some(true),
        deferred: tc.initially_deferred.unwrap_or(false),
        loc: tc.loc,
    })
}

/// Adds constraints to an existing table (CREATE TABLE's and ALTER TABLE ADD
/// CONSTRAINT's), validating existing rows.
fn add_constraints(d: &mut Ddl, table: Oid, pending: Vec<PendingConstraint>) -> Result<()> {
    // PostgreSQL creates the indexes of unique constraints before foreign keys (which may need them).
    let (keys, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|p| matches!(p.kind, Pending::Unique { .. }));
    for p in keys.into_iter().chain(rest) {
        add_constraint(d, table, p)?;
        d.refresh()?;
    }
    Ok(())
}

pub(crate) fn add_table_constraint(d: &mut Ddl, table: Oid, tc: &ast::TableConstraint) -> Result<()> {
    let p = table_constraint(tc)?;
    add_constraint(d, table, p)?;
    d.refresh()
}

fn constraint_names(d: &Ddl, ns: Oid) -> HashSet<String> {
    d.catalog.relations_in(ns).iter().flat_map(|r| r.constraints.iter().map(|c| c.name.clone()).collect::<Vec<_>>()).collect()
}

fn add_constraint(d: &mut Ddl, table: Oid, p: PendingConstraint) -> Result<()> {
    let rel = d.catalog.relation(table).ok_or_else(|| Error::internal("new table not visible"))?;
    let ns = rel.namespace;
    let taken_constraints = constraint_names(d, ns);
    if let Some(n) = &p.name
        && rel.constraints.iter().any(|c| &c.name == n)
    {
        return Err(Error::new(SqlState::DUPLICATE_OBJECT, format!("constraint \"{n}\" for relation \"{}\" already exists", rel.name)));
    }
    match p.kind {
        Pending::Check(expr) => {
            let bound = oa_frontend::bind_table_ast(&expr, &rel, &*d.catalog, &d.ctx)?;
            if bound.ty().oid != oid::BOOL {
                return Err(Error::new(
                    SqlState::DATATYPE_MISMATCH,
                    format!("argument of CHECK must be type boolean, not type {}", crate::session::format_type(&d.catalog, bound.ty())),
                )
                .with_position(expr.loc));
            }
            let mut cols: Vec<u32> = bound.columns().iter().map(|c| c.0).collect();
            cols.sort();
            cols.dedup();
            let colname = if cols.len() == 1 { rel.column_by_attnum(cols[0] as i16).map(|c| c.name.clone()) } else { None };
            let name = p.name.unwrap_or_else(|| {
                let mut parts = vec![rel.name.as_str()];
                if let Some(c) = &colname {
                    parts.push(c);
                }
                choose_name(&parts, "check", &taken_constraints)
            });
            let text = oa_frontend::deparse_expr(&expr)?;
            validate_check(d, &rel, &name, &text)?;
            let keys: Vec<i16> = cols.iter().map(|c| *c as i16).collect();
            insert_constraint(d, &name, ns, b'c', table, &keys, 0, None, p.deferrable, p.deferred, Some(&text))?;
            d.update("pg_class", |g| (g("oid") == Datum::Oid(table)).then(|| vec![("relchecks", Datum::Int16(rel_checks(&rel) + 1))]))?;
        }
        Pending::Unique { columns, primary, nulls_not_distinct } => {
            let attnums = resolve_columns(&rel, &columns, p.loc)?;
            if primary && rel.constraints.iter().any(|c| c.kind == ConstraintKind::PrimaryKey) {
                return Err(Error::new(
                    SqlState::INVALID_TABLE_DEFINITION,
                    format!("multiple primary keys for table \"{}\" are not allowed", rel.name),
                )
                .with_position(p.loc));
            }
            if primary {
                // ALTER TABLE ADD PRIMARY KEY sets NOT NULL, checking existing rows.
                for a in &attnums {
                    if rel.column_by_attnum(*a).is_some_and(|c| !c.not_null) {
                        super::alter::set_not_null(d, &rel, *a)?;
                    }
                }
            }
            let taken: HashSet<String> = d.relation_names(ns).union(&taken_constraints).cloned().collect();
            let name = p.name.clone().unwrap_or_else(|| {
                if primary {
                    choose_name(&[&rel.name], "pkey", &taken)
                } else {
                    let mut parts = vec![rel.name.as_str()];
                    parts.extend(columns.iter().map(|c| c.as_str()));
                    choose_name(&parts, "key", &taken)
                }
            });
            if d.catalog.relation_by_name(ns, &name).is_some() {
                return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
            }
            let con = d.new_oid()?;
            let index = define_index(d, &rel, &name, &attnums, true, primary, nulls_not_distinct, p.deferrable)?;
            insert_constraint_with_oid(
                d,
                con,
                &name,
                ns,
                if primary { b'p' } else { b'u' },
                table,
                &attnums,
                index,
                None,
                p.deferrable,
                p.deferred,
                None,
            )?;
            add_depend(d, PG_CLASS, index, 0, PG_CONSTRAINT, con, 0, b'i')?;
        }
        Pending::ForeignKey { columns, refs } => {
            let attnums = resolve_columns(&rel, &columns, p.loc)?;
            let parent = if refs.table.name.len() == 1
                && refs.table.name[0] == rel.name
                && d.find_relation(&refs.table.name)?.is_none_or(|r| r.oid == rel.oid)
            {
                rel.clone()
            } else {
                d.table(&refs.table)?
            };
            if parent.kind != RelKind::Table {
                return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("referenced relation \"{}\" is not a table", parent.name)));
            }
            let ref_attnums = if refs.columns.is_empty() {
                let pk = parent.constraints.iter().find(|c| c.kind == ConstraintKind::PrimaryKey).ok_or_else(|| {
                    Error::new(SqlState::INVALID_FOREIGN_KEY, format!("there is no primary key for referenced table \"{}\"", parent.name))
                })?;
                pk.columns.clone()
            } else {
                resolve_columns(&parent, &refs.columns, refs.table.loc)?
            };
            if ref_attnums.len() != attnums.len() {
                return Err(Error::new(SqlState::INVALID_FOREIGN_KEY, "number of referencing and referenced columns for foreign key disagree"));
            }
            let mut sorted = ref_attnums.clone();
            sorted.sort();
            let index = parent
                .constraints
                .iter()
                .find(|c| {
                    matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique) && {
                        let mut k = c.columns.clone();
                        k.sort();
                        k == sorted && !c.deferrable
                    }
                })
                .and_then(|c| c.index)
                .ok_or_else(|| {
                    Error::new(
                        SqlState::INVALID_FOREIGN_KEY,
                        format!("there is no unique constraint matching given keys for referenced table \"{}\"", parent.name),
                    )
                })?;
            let mut parts = vec![rel.name.as_str()];
            parts.extend(columns.iter().map(|c| c.as_str()));
            let name = p.name.clone().unwrap_or_else(|| choose_name(&parts, "fkey", &taken_constraints));
            for (a, r) in attnums.iter().zip(&ref_attnums) {
                let (Some(ca), Some(cr)) = (rel.column_by_attnum(*a), parent.column_by_attnum(*r)) else { continue };
                if !comparable(&d.catalog, ca.ty.oid, cr.ty.oid) {
                    return Err(Error::new(SqlState::DATATYPE_MISMATCH, format!("foreign key constraint \"{name}\" cannot be implemented"))
                        .with_detail(format!(
                            "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                            ca.name,
                            cr.name,
                            crate::session::format_type(&d.catalog, ca.ty),
                            crate::session::format_type(&d.catalog, cr.ty)
                        )));
                }
            }
            let action = |a: &ast::FkAction| -> Result<u8> {
                Ok(match a {
                    ast::FkAction::NoAction => b'a',
                    ast::FkAction::Restrict => b'r',
                    ast::FkAction::Cascade => b'c',
                    ast::FkAction::SetNull(c) | ast::FkAction::SetDefault(c) if !c.is_empty() => {
                        return Err(Error::feature_not_supported("column lists in ON DELETE SET NULL/DEFAULT are not supported yet"));
                    }
                    ast::FkAction::SetNull(_) => b'n',
                    ast::FkAction::SetDefault(_) => b'd',
                })
            };
            let fk = ForeignKeyInfo {
                parent: parent.oid,
                ref_attnums: ref_attnums.clone(),
                on_update: action(&refs.on_update)?,
                on_delete: action(&refs.on_delete)?,
                match_type: match refs.match_type {
                    ast::FkMatch::Simple => b's',
                    ast::FkMatch::Full => b'f',
                    ast::FkMatch::Partial => return Err(Error::feature_not_supported("MATCH PARTIAL not yet implemented")),
                },
            };
            let con = d.new_oid()?;
            insert_constraint_with_oid(d, con, &name, ns, b'f', table, &attnums, index, Some(&fk), p.deferrable, p.deferred, None)?;
            create_foreign_key_triggers(d, con, table, index, &fk, p.deferrable, p.deferred)?;
            d.refresh()?;
            super::alter::validate_foreign_key(d, table, &name)?;
        }
    }
    Ok(())
}

fn rel_checks(rel: &RelationDesc) -> i16 {
    rel.constraints.iter().filter(|c| matches!(c.kind, ConstraintKind::Check { .. })).count() as i16
}

/// Whether two key types can be compared for a foreign key (same category).
fn comparable(catalog: &crate::catalog::CatalogView, a: Oid, b: Oid) -> bool {
    if a == b {
        return true;
    }
    match (catalog.type_by_oid(a), catalog.type_by_oid(b)) {
        (Some(x), Some(y)) => x.category == y.category && x.category != b'U',
        _ => false,
    }
}

/// Existing rows must satisfy a new CHECK constraint.
fn validate_check(d: &mut Ddl, rel: &RelationDesc, name: &str, text: &str) -> Result<()> {
    let sql =
        format!("SELECT 1 FROM {}.{} WHERE NOT ({}) LIMIT 1", quote_ident_if_needed(&rel.namespace_name), quote_ident_if_needed(&rel.name), text);
    if !has_rows(d, &sql)? {
        return Ok(());
    }
    Err(Error::new(SqlState::CHECK_VIOLATION, format!("check constraint \"{name}\" of relation \"{}\" is violated by some row", rel.name)))
}

/// Runs an internal query and says whether it returned a row.
pub(crate) fn has_rows(d: &mut Ddl, sql: &str) -> Result<bool> {
    let stmts = oa_grammar::parse(sql).map_err(|e| Error::internal(format!("internal query does not parse: {}", e.message)))?;
    let stmt = &stmts.first().ok_or_else(|| Error::internal("empty internal query"))?.stmt;
    let mut portal = d.s.open_portal(stmt, &[], &[])?;
    let rows = d.s.fetch(&mut portal, 1)?;
    Ok(!rows.is_empty())
}

fn resolve_columns(rel: &RelationDesc, names: &[String], loc: usize) -> Result<Vec<i16>> {
    let mut out = Vec::new();
    for n in names {
        let c = rel
            .column(n)
            .ok_or_else(|| Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{n}\" named in key does not exist")).with_position(loc))?;
        if out.contains(&c.attnum) {
            return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{n}\" appears twice in primary key constraint")).with_position(loc));
        }
        out.push(c.attnum);
    }
    Ok(out)
}

pub(crate) struct ForeignKeyInfo {
    parent: Oid,
    ref_attnums: Vec<i16>,
    on_update: u8,
    on_delete: u8,
    match_type: u8,
}

fn int2_array(v: &[i16]) -> Datum {
    Datum::Array(Box::new(Array::from_elems(oid::INT2, v.iter().map(|x| Datum::Int16(*x)).collect())))
}

#[allow(clippy::too_many_arguments)]
fn insert_constraint(
    d: &mut Ddl,
    name: &str,
    ns: Oid,
    contype: u8,
    table: Oid,
    keys: &[i16],
    index: Oid,
    fk: Option<&ForeignKeyInfo>,
    deferrable: bool,
    deferred: bool,
    bin: Option<&str>,
) -> Result<()> {
    let o = d.new_oid()?;
    insert_constraint_with_oid(d, o, name, ns, contype, table, keys, index, fk, deferrable, deferred, bin)
}

#[allow(clippy::too_many_arguments)]
fn insert_constraint_with_oid(
    d: &mut Ddl,
    o: Oid,
    name: &str,
    ns: Oid,
    contype: u8,
    table: Oid,
    keys: &[i16],
    index: Oid,
    fk: Option<&ForeignKeyInfo>,
    deferrable: bool,
    deferred: bool,
    bin: Option<&str>,
) -> Result<()> {
    let mut row = CatalogRow::new("pg_constraint")?
        .set("oid", Datum::Oid(o))
        .set("conname", Datum::Text(name.to_string()))
        .set("connamespace", Datum::Oid(ns))
        .set("contype", Datum::Char(contype))
        .set("condeferrable", Datum::Bool(deferrable))
        .set("condeferred", Datum::Bool(deferred))
        .set("convalidated", Datum::Bool(true))
        .set("conrelid", Datum::Oid(table))
        .set("conindid", Datum::Oid(index))
        .set("conislocal", Datum::Bool(true))
        .set("connoinherit", Datum::Bool(false))
        .set("confupdtype", Datum::Char(b' '))
        .set("confdeltype", Datum::Char(b' '))
        .set("confmatchtype", Datum::Char(b' '))
        .set("conkey", int2_array(keys));
    if let Some(fk) = fk {
        row = row
            .set("confrelid", Datum::Oid(fk.parent))
            .set("confupdtype", Datum::Char(fk.on_update))
            .set("confdeltype", Datum::Char(fk.on_delete))
            .set("confmatchtype", Datum::Char(fk.match_type))
            .set("confkey", int2_array(&fk.ref_attnums));
    }
    if let Some(b) = bin {
        row = row.set("conbin", Datum::Text(b.to_string()));
    }
    d.insert(row)?;
    // CreateConstraintEntry: an auto dependency on each key column (on the
    // table when there are none), a normal one on each referenced column and
    // on the unique index a foreign key uses; a CHECK expression's columns
    // are normal dependencies too.
    if keys.is_empty() {
        add_depend(d, PG_CONSTRAINT, o, 0, PG_CLASS, table, 0, b'a')?;
    }
    for k in keys {
        add_depend(d, PG_CONSTRAINT, o, 0, PG_CLASS, table, *k as i32, b'a')?;
    }
    if let Some(fk) = fk {
        for r in &fk.ref_attnums {
            add_depend(d, PG_CONSTRAINT, o, 0, PG_CLASS, fk.parent, *r as i32, b'n')?;
        }
        if index != 0 {
            add_depend(d, PG_CONSTRAINT, o, 0, PG_CLASS, index, 0, b'n')?;
        }
    }
    if bin.is_some() {
        for k in keys {
            add_depend(d, PG_CONSTRAINT, o, 0, PG_CLASS, table, *k as i32, b'n')?;
        }
    }
    Ok(())
}

/// The internal triggers PostgreSQL enforces a foreign key with
/// (createForeignKeyActionTriggers, then createForeignKeyCheckTriggers):
/// ON DELETE and ON UPDATE on the referenced table, INSERT and UPDATE checks
/// on the referencing one, each named after its own OID and depending on the
/// constraint. Both tables then have triggers (relhastriggers).
/// OpenAssay enforces foreign keys in the executor; these rows describe them.
fn create_foreign_key_triggers(d: &mut Ddl, con: Oid, table: Oid, index: Oid, fk: &ForeignKeyInfo, deferrable: bool, deferred: bool) -> Result<()> {
    const ROW: i16 = 1;
    const INSERT: i16 = 4;
    const DELETE: i16 = 8;
    const UPDATE: i16 = 16;
    let action = |a: u8, event: &str| -> (String, bool) {
        let name = match a {
            b'r' => "restrict",
            b'c' => "cascade",
            b'n' => "setnull",
            b'd' => "setdefault",
            _ => "noaction",
        };
        // Only NO ACTION triggers follow the constraint's deferrability.
        (format!("RI_FKey_{name}_{event}"), a == b'a')
    };
    let (del, del_deferrable) = action(fk.on_delete, "del");
    let (upd, upd_deferrable) = action(fk.on_update, "upd");
    let triggers = [
        (fk.parent, table, del, ROW | DELETE, del_deferrable, 'a'),
        (fk.parent, table, upd, ROW | UPDATE, upd_deferrable, 'a'),
        (table, fk.parent, "RI_FKey_check_ins".to_string(), ROW | INSERT, true, 'c'),
        (table, fk.parent, "RI_FKey_check_upd".to_string(), ROW | UPDATE, true, 'c'),
    ];
    for (on, other, func, tgtype, follows, letter) in triggers {
        let foid = d.catalog.procs_by_name(&func).first().map(|p| p.oid).ok_or_else(|| Error::internal(format!("no function {func}")))?;
        let o = d.new_oid()?;
        d.insert(
            CatalogRow::new("pg_trigger")?
                .set("oid", Datum::Oid(o))
                .set("tgrelid", Datum::Oid(on))
                .set("tgparentid", Datum::Oid(0))
                .set("tgname", Datum::Text(format!("RI_ConstraintTrigger_{letter}_{o}")))
                .set("tgfoid", Datum::Oid(foid))
                .set("tgtype", Datum::Int16(tgtype))
                .set("tgenabled", Datum::Char(b'O'))
                .set("tgisinternal", Datum::Bool(true))
                .set("tgconstrrelid", Datum::Oid(other))
                .set("tgconstrindid", Datum::Oid(index))
                .set("tgconstraint", Datum::Oid(con))
                .set("tgdeferrable", Datum::Bool(follows && deferrable))
                .set("tginitdeferred", Datum::Bool(follows && deferred))
                .set("tgnargs", Datum::Int16(0))
                .set("tgattr", Datum::Text(String::new()))
                .set("tgargs", Datum::Bytes(Vec::new())),
        )?;
        add_depend(d, PG_TRIGGER, o, 0, PG_CONSTRAINT, con, 0, b'i')?;
    }
    for rel in [table, fk.parent] {
        d.update("pg_class", |g| (g("oid") == Datum::Oid(rel)).then(|| vec![("relhastriggers", Datum::Bool(true))]))?;
    }
    Ok(())
}

/// Removes a constraint's catalog rows: its pg_constraint row, its
/// dependencies either way and its internal triggers (a foreign key's).
/// relhastriggers stays set, as in PostgreSQL (only VACUUM clears it).
pub(crate) fn delete_constraint(d: &mut Ddl, table: Oid, name: &str) -> Result<()> {
    let storage = d.storage();
    let oids: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_constraint")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            match (get("oid"), get("conrelid"), get("conname")) {
                (Datum::Oid(o), Datum::Oid(t), Datum::Text(n)) if t == table && n == name => Some(o),
                _ => None,
            }
        })
        .collect();
    delete_constraints(d, &oids)
}

/// `delete_constraint` by OID.
pub(crate) fn delete_constraints(d: &mut Ddl, oids: &[Oid]) -> Result<()> {
    if oids.is_empty() {
        return Ok(());
    }
    let is = |v: Datum| matches!(v, Datum::Oid(o) if oids.contains(&o));
    let storage = d.storage();
    let triggers: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_trigger")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            match (get("oid"), get("tgconstraint")) {
                (Datum::Oid(o), Datum::Oid(con)) if oids.contains(&con) => Some(o),
                _ => None,
            }
        })
        .collect();
    d.delete("pg_constraint", |g| is(g("oid")))?;
    if !triggers.is_empty() {
        d.delete("pg_trigger", |g| matches!(g("oid"), Datum::Oid(o) if triggers.contains(&o)))?;
    }
    d.delete("pg_depend", |g| is(g("objid")) || is(g("refobjid")) || matches!(g("objid"), Datum::Oid(o) if triggers.contains(&o)))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn add_depend(
    d: &mut Ddl,
    classid: Oid,
    objid: Oid,
    objsubid: i32,
    refclassid: Oid,
    refobjid: Oid,
    refobjsubid: i32,
    deptype: u8,
) -> Result<()> {
    d.insert(
        CatalogRow::new("pg_depend")?
            .set("classid", Datum::Oid(classid))
            .set("objid", Datum::Oid(objid))
            .set("objsubid", Datum::Int32(objsubid))
            .set("refclassid", Datum::Oid(refclassid))
            .set("refobjid", Datum::Oid(refobjid))
            .set("refobjsubid", Datum::Int32(refobjsubid))
            .set("deptype", Datum::Char(deptype)),
    )
}

/// A serial column's default names its sequence by OID, as PostgreSQL's stored
/// regclass constant does, so renaming or moving the sequence keeps it working.
fn serial_default(seq: Oid) -> String {
    format!("nextval('{seq}'::regclass)")
}

pub(crate) fn add_default(d: &mut Ddl, table: Oid, attnum: i16, text: &str) -> Result<()> {
    let o = d.new_oid()?;
    // A default naming a sequence (nextval('s'::regclass)) depends on it, so
    // DROP SEQUENCE refuses while the default exists.
    if let Ok(e) = oa_grammar::parse_expr(text)
        && let Ok(bound) = oa_frontend::bind_standalone_expr(&e, None, &*d.catalog, &d.ctx)
    {
        let mut seqs = Vec::new();
        bound.walk(&mut |x| {
            if let oa_ir::ScalarExpr::Const { value: Datum::Oid(r), ty } = x
                && ty.oid == oid::REGCLASS
            {
                seqs.push(*r);
            }
        });
        for seq in seqs {
            add_depend(d, PG_ATTRDEF, o, 0, PG_CLASS, seq, 0, b'n')?;
        }
    }
    d.insert(
        CatalogRow::new("pg_attrdef")?
            .set("oid", Datum::Oid(o))
            .set("adrelid", Datum::Oid(table))
            .set("adnum", Datum::Int16(attnum))
            .set("adbin", Datum::Text(text.to_string())),
    )?;
    d.update("pg_attribute", |g| {
        (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| vec![("atthasdef", Datum::Bool(true))])
    })?;
    Ok(())
}

fn check_column_type(d: &Ddl, name: &str, ty: SqlType, loc: usize) -> Result<()> {
    let desc = d.catalog.type_by_oid(ty.oid).ok_or_else(|| Error::internal("type vanished"))?;
    if desc.typtype == b'p' {
        return Err(Error::new(
            SqlState::INVALID_TABLE_DEFINITION,
            format!("column \"{name}\" has pseudo-type {}", crate::session::format_type(&d.catalog, ty)),
        )
        .with_position(loc));
    }
    Ok(())
}

/// The SQL type name for AS in a serial column's sequence.
fn type_name_of(o: Oid) -> ast::TypeName {
    let name = match o {
        oid::INT2 => "int2",
        oid::INT8 => "int8",
        _ => "int4",
    };
    ast::TypeName { names: vec!["pg_catalog".into(), name.into()], typmods: vec![], array_bounds: vec![], setof: false, pct_type: false, loc: 0 }
}

/// Inserts pg_class, pg_type (row type and its array) and pg_attribute rows.
pub(crate) fn define_relation(d: &mut Ddl, ns: Oid, name: &str, kind: RelKind, columns: &[NewColumn]) -> Result<Oid> {
    let rel = d.new_oid()?;
    let with_rowtype = matches!(kind, RelKind::Table | RelKind::View);
    let (rowtype, array) = if with_rowtype {
        if d.catalog.type_by_name(ns, name).is_some() {
            return Err(Error::new(SqlState::DUPLICATE_OBJECT, format!("type \"{name}\" already exists")).with_hint(
                "A relation has an associated type of the same name, so you must use a name that doesn't conflict with any existing type.",
            ));
        }
        let array = d.new_oid()?;
        let rowtype = d.new_oid()?;
        insert_type(d, rowtype, name, ns, b'c', rel, 0, array, 2249, 2290, 2402, 2404, -1, b'd')?;
        insert_type(d, array, &format!("_{name}"), ns, b'b', 0, rowtype, 0, 750, 751, 2400, 2401, -1, b'd')?;
        (rowtype, array)
    } else {
        (0, 0)
    };
    let _ = array;
    d.insert(
        CatalogRow::new("pg_class")?
            .set("oid", Datum::Oid(rel))
            .set("relname", Datum::Text(name.to_string()))
            .set("relnamespace", Datum::Oid(ns))
            .set("reltype", Datum::Oid(rowtype))
            .set("relowner", Datum::Oid(oid::BOOTSTRAP_SUPERUSER))
            // Sequences have no table access method in PostgreSQL 15.
            .set("relam", Datum::Oid(if kind == RelKind::Table { oid::HEAP_AM } else { 0 }))
            .set("relfilenode", Datum::Oid(if kind == RelKind::View { 0 } else { rel }))
            // A view is its _RETURN rule.
            .set("relhasrules", Datum::Bool(kind == RelKind::View))
            .set("reltuples", Datum::Float32(-1.0))
            .set("relpersistence", Datum::Char(b'p'))
            .set("relkind", Datum::Char(kind.as_char()))
            .set("relnatts", Datum::Int16(columns.len() as i16))
            .set("relispopulated", Datum::Bool(true))
            .set("relreplident", Datum::Char(if kind == RelKind::Table { b'd' } else { b'n' }))
            .set("relfrozenxid", Datum::Oid(0))
            .set("relminmxid", Datum::Oid(0)),
    )?;
    if kind == RelKind::Table {
        // The system columns, as PostgreSQL lists them in pg_attribute.
        for (attnum, attname, ty, len) in [
            (-1i16, "ctid", oid::TID, 6i16),
            (-2, "xmin", oid::XID, 4),
            (-3, "cmin", oid::CID, 4),
            (-4, "xmax", oid::XID, 4),
            (-5, "cmax", oid::CID, 4),
            (-6, "tableoid", oid::OID, 4),
        ] {
            insert_attribute(d, rel, attname, SqlType::new(ty), attnum, len, ty != oid::TID, if ty == oid::TID { b's' } else { b'i' }, true, 0)?;
        }
    }
    for (i, c) in columns.iter().enumerate() {
        let t = d.catalog.type_by_oid(c.ty.oid).ok_or_else(|| Error::internal("column type vanished"))?;
        let collation = if t.collation != 0 { oid::DEFAULT_COLLATION } else { 0 };
        insert_attribute(d, rel, &c.name, c.ty, i as i16 + 1, t.len, t.byval, t.align, c.not_null, collation)?;
        if c.identity != 0 {
            d.update("pg_attribute", |g| {
                (g("attrelid") == Datum::Oid(rel) && g("attnum") == Datum::Int16(i as i16 + 1))
                    .then(|| vec![("attidentity", Datum::Char(c.identity))])
            })?;
        }
    }
    for (i, c) in columns.iter().enumerate() {
        if let Some(def) = &c.default {
            add_default(d, rel, i as i16 + 1, def)?;
        }
    }
    add_depend(d, PG_CLASS, rel, 0, PG_NAMESPACE, ns, 0, b'n')?;
    Ok(rel)
}

#[allow(clippy::too_many_arguments)]
fn insert_attribute(
    d: &mut Ddl,
    rel: Oid,
    name: &str,
    ty: SqlType,
    attnum: i16,
    len: i16,
    byval: bool,
    align: u8,
    not_null: bool,
    collation: Oid,
) -> Result<()> {
    let storage = type_storage(d, ty.oid);
    let ndims = if d.catalog.type_by_oid(ty.oid).is_some_and(|t| t.is_array()) { 1 } else { 0 };
    d.insert(
        CatalogRow::new("pg_attribute")?
            .set("attrelid", Datum::Oid(rel))
            .set("attname", Datum::Text(name.to_string()))
            .set("atttypid", Datum::Oid(ty.oid))
            .set("attstattarget", Datum::Int32(-1))
            .set("attlen", Datum::Int16(len))
            .set("attnum", Datum::Int16(attnum))
            .set("attndims", Datum::Int32(ndims))
            .set("attcacheoff", Datum::Int32(-1))
            .set("atttypmod", Datum::Int32(ty.typmod))
            .set("attbyval", Datum::Bool(byval))
            .set("attalign", Datum::Char(align))
            .set("attstorage", Datum::Char(storage))
            .set("attcompression", Datum::Char(0))
            .set("attnotnull", Datum::Bool(not_null))
            .set("attidentity", Datum::Char(0))
            .set("attgenerated", Datum::Char(0))
            .set("attislocal", Datum::Bool(true))
            .set("attcollation", Datum::Oid(collation)),
    )
}

/// pg_type.typstorage of a type: the bootstrap row of a built-in type;
/// for a user type, its domain's base type's, 'x' for varlena composites
/// and arrays, 'p' otherwise (enums), as CREATE TYPE and DefineRelation set it.
pub(crate) fn type_storage(d: &Ddl, ty: Oid) -> u8 {
    static BUILTIN: std::sync::OnceLock<std::collections::HashMap<Oid, u8>> = std::sync::OnceLock::new();
    let builtin = BUILTIN.get_or_init(|| {
        let b = crate::catalog::builtin::builtin();
        b.data
            .catalog("pg_type")
            .map(|def| crate::catalog::builtin::rows(def).map(|r| (r.oid("oid"), r.char("typstorage"))).collect())
            .unwrap_or_default()
    });
    if let Some(s) = builtin.get(&ty) {
        return *s;
    }
    match d.catalog.type_by_oid(ty) {
        Some(t) if t.typtype == b'd' && t.basetype != 0 && t.basetype != ty => type_storage(d, t.basetype),
        Some(t) if t.len == -1 => b'x',
        _ => b'p',
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_type(
    d: &mut Ddl,
    o: Oid,
    name: &str,
    ns: Oid,
    typtype: u8,
    relid: Oid,
    elem: Oid,
    array: Oid,
    input: Oid,
    output: Oid,
    receive: Oid,
    send: Oid,
    len: i16,
    align: u8,
) -> Result<()> {
    d.insert(
        CatalogRow::new("pg_type")?
            .set("oid", Datum::Oid(o))
            .set("typname", Datum::Text(name.to_string()))
            .set("typnamespace", Datum::Oid(ns))
            .set("typowner", Datum::Oid(oid::BOOTSTRAP_SUPERUSER))
            .set("typlen", Datum::Int16(len))
            .set("typbyval", Datum::Bool(false))
            .set("typtype", Datum::Char(typtype))
            .set("typcategory", Datum::Char(if elem != 0 { b'A' } else { b'C' }))
            .set("typispreferred", Datum::Bool(false))
            .set("typisdefined", Datum::Bool(true))
            .set("typdelim", Datum::Char(b','))
            .set("typrelid", Datum::Oid(relid))
            .set("typsubscript", Datum::Oid(if elem != 0 { 6179 } else { 0 }))
            .set("typelem", Datum::Oid(elem))
            .set("typarray", Datum::Oid(array))
            .set("typinput", Datum::Oid(input))
            .set("typoutput", Datum::Oid(output))
            .set("typreceive", Datum::Oid(receive))
            .set("typsend", Datum::Oid(send))
            .set("typalign", Datum::Char(align))
            .set("typstorage", Datum::Char(b'x'))
            .set("typnotnull", Datum::Bool(false))
            .set("typbasetype", Datum::Oid(0))
            .set("typtypmod", Datum::Int32(-1))
            .set("typndims", Datum::Int32(0))
            .set("typcollation", Datum::Oid(0)),
    )
}

/// A new index's key columns: each a table attnum, or 0 and the next of
/// `exprs`; with the index attributes' names and types; and the predicate of
/// a partial index. Expressions and predicate are SQL text (see `index.rs`).
pub(crate) struct IndexKeyDef {
    pub attnums: Vec<i16>,
    pub names: Vec<String>,
    pub types: Vec<SqlType>,
    pub exprs: Vec<String>,
    pub predicate: Option<String>,
    /// pg_index.indclass: an operator class named in CREATE INDEX, per key
    /// column (0: the type's default btree class).
    pub opclasses: Vec<Oid>,
}

impl IndexKeyDef {
    /// A key of plain table columns.
    fn columns(table: &RelationDesc, attnums: &[i16]) -> IndexKeyDef {
        let cols: Vec<&oa_ir::catalog::ColumnDesc> = attnums.iter().filter_map(|a| table.column_by_attnum(*a)).collect();
        IndexKeyDef {
            attnums: attnums.to_vec(),
            names: cols.iter().map(|c| c.name.clone()).collect(),
            types: cols.iter().map(|c| c.ty).collect(),
            exprs: vec![],
            predicate: None,
            opclasses: vec![0; attnums.len()],
        }
    }
}

/// Creates an index relation on plain columns and fills it from the table's visible rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn define_index(
    d: &mut Ddl,
    table: &RelationDesc,
    name: &str,
    attnums: &[i16],
    unique: bool,
    primary: bool,
    nulls_not_distinct: bool,
    deferrable: bool,
) -> Result<Oid> {
    define_index_with(d, table, name, &IndexKeyDef::columns(table, attnums), unique, primary, nulls_not_distinct, deferrable)
}

/// Creates an index relation and fills it from the table's visible rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn define_index_with(
    d: &mut Ddl,
    table: &RelationDesc,
    name: &str,
    key: &IndexKeyDef,
    unique: bool,
    primary: bool,
    nulls_not_distinct: bool,
    deferrable: bool,
) -> Result<Oid> {
    let idx = d.new_oid()?;
    let natts = key.attnums.len() as i16;
    // pg_class/pg_attribute rows for the index relation itself.
    d.insert(
        CatalogRow::new("pg_class")?
            .set("oid", Datum::Oid(idx))
            .set("relname", Datum::Text(name.to_string()))
            .set("relnamespace", Datum::Oid(table.namespace))
            .set("relowner", Datum::Oid(oid::BOOTSTRAP_SUPERUSER))
            .set("relam", Datum::Oid(oid::BTREE_AM))
            .set("relfilenode", Datum::Oid(idx))
            .set("reltuples", Datum::Float32(-1.0))
            .set("relpersistence", Datum::Char(b'p'))
            .set("relkind", Datum::Char(b'i'))
            .set("relnatts", Datum::Int16(natts))
            .set("relispopulated", Datum::Bool(true))
            .set("relreplident", Datum::Char(b'n')),
    )?;
    for (i, (n, ty)) in key.names.iter().zip(&key.types).enumerate() {
        let t = d.catalog.type_by_oid(ty.oid).ok_or_else(|| Error::internal("index column type vanished"))?;
        let collation = if t.collation != 0 { oid::DEFAULT_COLLATION } else { 0 };
        insert_attribute(d, idx, n, *ty, i as i16 + 1, t.len, t.byval, t.align, false, collation)?;
    }
    let indkey = Datum::Text(key.attnums.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" "));
    // indclass, indcollation, indoption: per key column.
    let mut indclass = Vec::with_capacity(key.types.len());
    let mut indcollation = Vec::with_capacity(key.types.len());
    for (i, ty) in key.types.iter().enumerate() {
        indclass.push(match key.opclasses.get(i) {
            Some(&o) if o != 0 => o,
            _ => default_btree_opclass(d, ty.oid)?,
        });
        let t = d.catalog.type_by_oid(ty.oid).ok_or_else(|| Error::internal("index column type vanished"))?;
        indcollation.push(if t.collation != 0 { oid::DEFAULT_COLLATION } else { 0 });
    }
    let join = |v: &[Oid]| Datum::Text(v.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(" "));
    let indoption = Datum::Text(vec!["0"; key.types.len()].join(" "));
    // indexprs: the expressions' text joined by ", " (crate::catalog::split_expr_list reads it back).
    let indexprs = if key.exprs.is_empty() { Datum::Null } else { Datum::Text(key.exprs.join(", ")) };
    let indpred = key.predicate.clone().map_or(Datum::Null, Datum::Text);
    d.insert(
        CatalogRow::new("pg_index")?
            .set("indexrelid", Datum::Oid(idx))
            .set("indrelid", Datum::Oid(table.oid))
            .set("indnatts", Datum::Int16(natts))
            .set("indnkeyatts", Datum::Int16(natts))
            .set("indisunique", Datum::Bool(unique))
            .set("indnullsnotdistinct", Datum::Bool(nulls_not_distinct))
            .set("indisprimary", Datum::Bool(primary))
            .set("indimmediate", Datum::Bool(!deferrable))
            .set("indisvalid", Datum::Bool(true))
            .set("indcheckxmin", Datum::Bool(false))
            .set("indisready", Datum::Bool(true))
            .set("indislive", Datum::Bool(true))
            .set("indkey", indkey)
            .set("indcollation", join(&indcollation))
            .set("indclass", join(&indclass))
            .set("indoption", indoption)
            .set("indexprs", indexprs)
            .set("indpred", indpred),
    )?;
    d.update("pg_class", |g| (g("oid") == Datum::Oid(table.oid)).then(|| vec![("relhasindex", Datum::Bool(true))]))?;
    // The B-tree, built from the table's rows.
    let storage = d.storage();
    let key_desc = TupleDesc::new(key.types.iter().map(|t| physical_of(*t)).collect());
    storage.btree_create(d.txn()?, RelFileNumber(idx), key_desc)?;
    let desc = oa_ir::catalog::IndexDesc {
        oid: idx,
        name: name.to_string(),
        relfilenode: idx,
        columns: key.attnums.clone(),
        exprs: key.exprs.clone(),
        predicate: key.predicate.clone(),
        unique,
        primary,
        nulls_not_distinct,
    };
    build_index(d, table, &desc, unique && !deferrable)?;
    Ok(idx)
}

/// Fills an empty index from the table's visible rows (computing expression
/// keys, leaving out rows a partial index's predicate rejects), checking
/// uniqueness when asked.
pub(crate) fn build_index(d: &mut Ddl, table: &RelationDesc, index: &oa_ir::catalog::IndexDesc, check_unique: bool) -> Result<()> {
    let storage = d.storage();
    let heap_desc = TupleDesc::new(table.columns.iter().map(|c| if c.dropped { oa_ir::PhysicalType::Int32 } else { physical_of(c.ty) }).collect());
    let keys = super::index::IndexKeys::compile(table, index, &d.catalog, &d.ctx.io, &mut super::index::NoSubqueries)?;
    let mut exec = crate::exec::Executor::new(oa_ir::pipeline::PipelineGraph { pipelines: vec![], num_states: 0, output: vec![] });
    let snapshot = d.snapshot.clone();
    let heap = RelFileNumber(table.relfilenode);
    let file = RelFileNumber(index.relfilenode);
    let duplicate = d.with_env(|env| {
        let mut scan = storage.scan(heap, &snapshot)?;
        let mut batch = TupleBatch::new();
        while scan.next_page(&mut batch)? {
            let mut tids = Vec::new();
            let mut rows = Vec::new();
            for (tid, t) in batch.iter() {
                tids.push(tid);
                rows.push(oa_storage::deform_tuple(&heap_desc, t)?);
            }
            let morsel = super::index::live_morsel(table, &rows);
            for (tid, key) in tids.into_iter().zip(keys.keys(&morsel, &mut exec, env)?) {
                let Some(key) = key else { continue };
                if check_unique && storage.find_conflicting(file, &key, heap, env.txn, index.nulls_not_distinct)?.is_some() {
                    return Ok(Some(key));
                }
                storage.btree_insert(env.txn, file, &key, tid)?;
            }
        }
        Ok(None)
    })?;
    let Some(key) = duplicate else { return Ok(()) };
    let columns = super::index::index_columns(table, index, &d.catalog, &d.ctx.io)?;
    let catalog = d.catalog.clone();
    let elem_of = |t: Oid| catalog.type_by_oid(t).filter(|x| x.is_array()).map(|x| (x.elem, b','));
    let vals: Vec<String> = key
        .iter()
        .zip(&columns)
        .map(|(v, (_, ty))| if v.is_null() { Ok("null".to_string()) } else { oa_ir::io::output(*ty, v, &d.ctx.io, &elem_of) })
        .collect::<Result<_>>()?;
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    Err(Error::new(SqlState::UNIQUE_VIOLATION, format!("could not create unique index \"{}\"", index.name)).with_detail(format!(
        "Key ({})=({}) is duplicated.",
        names.join(", "),
        vals.join(", ")
    )))
}

/// One key column of CREATE INDEX after parse analysis.
enum IndexElemDef {
    Column { name: String, loc: usize },
    Expr { expr: super::index::BoundIndexExpr, loc: usize, colname: Option<String> },
}

pub(crate) fn create_index(s: &mut Session, c: &ast::CreateIndexStmt) -> Result<()> {
    use super::index::{IndexExprKind, bind_index_expr, figure_index_colname, is_mutable};
    if c.concurrently {
        return Err(Error::feature_not_supported("CREATE INDEX CONCURRENTLY is not supported yet").with_position(c.loc));
    }
    if !c.include.is_empty() {
        return Err(Error::feature_not_supported("INCLUDE columns are not supported yet").with_position(c.loc));
    }
    if let Some(m) = &c.method
        && m != "btree"
        && m != "hash"
    {
        return Err(Error::feature_not_supported(format!("index access method \"{m}\" is not supported yet")).with_position(c.loc));
    }
    let mut d = Ddl::new(s)?;
    let table = d.table(&c.table)?;
    if !matches!(table.kind, RelKind::Table | RelKind::MaterializedView) {
        return Err(
            Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table or materialized view", table.name)).with_position(c.table.loc)
        );
    }
    // transformIndexStmt: the predicate, then the expressions.
    let predicate = match &c.where_clause {
        Some(w) => Some(bind_index_expr(&d, &table, w, IndexExprKind::Predicate)?),
        None => None,
    };
    let mut elems = Vec::new();
    for e in &c.columns {
        if e.dir == ast::SortDir::Desc || e.nulls.is_some() || e.collation.is_some() || !e.opclass_options.is_empty() {
            return Err(Error::feature_not_supported("index column options (DESC, NULLS, operator classes, COLLATE) are not supported yet")
                .with_position(e.expr.loc));
        }
        elems.push(match &e.column {
            Some(col) => IndexElemDef::Column { name: col.clone(), loc: e.expr.loc },
            None => {
                let bound = bind_index_expr(&d, &table, &e.expr, IndexExprKind::Expression)?;
                match &bound.bound {
                    // `((a))` is column a (ComputeIndexAttrs).
                    oa_ir::ScalarExpr::Column { id, .. } => match table.column_by_attnum(id.0 as i16) {
                        Some(col) => IndexElemDef::Column { name: col.name.clone(), loc: e.expr.loc },
                        None => return Err(Error::internal("index expression names a missing column")),
                    },
                    _ => IndexElemDef::Expr { expr: bound, loc: e.expr.loc, colname: figure_index_colname(&e.expr) },
                }
            }
        });
    }
    // CheckPredicate, then ComputeIndexAttrs.
    if let Some(p) = &predicate
        && is_mutable(&p.bound, &d.catalog)
    {
        return Err(Error::new(SqlState::INVALID_OBJECT_DEFINITION, "functions in index predicate must be marked IMMUTABLE"));
    }
    let mut key =
        IndexKeyDef { attnums: vec![], names: vec![], types: vec![], exprs: vec![], predicate: predicate.map(|p| p.text), opclasses: vec![] };
    let mut prelim = Vec::new();
    for (elem, e) in elems.into_iter().zip(&c.columns) {
        match elem {
            IndexElemDef::Column { name, loc } => {
                let cd = table
                    .column(&name)
                    .ok_or_else(|| Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" does not exist")).with_position(loc))?;
                key.attnums.push(cd.attnum);
                key.types.push(cd.ty);
                prelim.push(name);
            }
            IndexElemDef::Expr { expr, loc, colname } => {
                if is_mutable(&expr.bound, &d.catalog) {
                    return Err(Error::new(SqlState::INVALID_OBJECT_DEFINITION, "functions in index expression must be marked IMMUTABLE"));
                }
                let ty = expr.bound.ty();
                if ty.oid == oid::UNKNOWN || ty.oid == oid::RECORD || d.catalog.type_by_oid(ty.oid).is_some_and(|t| t.typtype == b'p') {
                    return Err(Error::feature_not_supported(format!(
                        "indexes on expressions of type {} are not supported yet",
                        crate::session::format_type(&d.catalog, ty)
                    ))
                    .with_position(loc));
                }
                key.attnums.push(0);
                key.types.push(ty);
                key.exprs.push(expr.text);
                prelim.push(colname.unwrap_or_else(|| "expr".into()));
            }
        }
        let ty = key.types.last().copied().unwrap_or(SqlType::INT4);
        key.opclasses.push(match &e.opclass {
            Some(name) => named_opclass(&mut d, name, ty, e.expr.loc)?,
            None => 0,
        });
    }
    key.names = super::index::choose_index_column_names(&prelim);
    let name = match &c.name {
        Some(n) => {
            if d.catalog.relation_by_name(table.namespace, n).is_some() {
                if c.if_not_exists {
                    d.notice(format!("relation \"{n}\" already exists, skipping"));
                    return Ok(());
                }
                return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{n}\" already exists")));
            }
            n.clone()
        }
        None => {
            let mut parts = vec![table.name.as_str()];
            parts.extend(key.names.iter().map(|n| n.as_str()));
            choose_name(&parts, "idx", &d.relation_names(table.namespace))
        }
    };
    let idx = define_index_with(&mut d, &table, &name, &key, c.unique, false, c.nulls_not_distinct, false)?;
    record_index_dependencies(&mut d, &table, idx, &key)?;
    d.refresh()
}

/// index_create's dependencies of an index that no constraint owns (a
/// constraint's index depends on the constraint alone): auto ones on each
/// plain key column (on the table when there is none), then on the columns
/// its expressions and predicate use.
fn record_index_dependencies(d: &mut Ddl, table: &RelationDesc, idx: Oid, key: &IndexKeyDef) -> Result<()> {
    let mut simple: Vec<i16> = Vec::new();
    for a in key.attnums.iter().filter(|a| **a != 0) {
        if !simple.contains(a) {
            simple.push(*a);
        }
    }
    if simple.is_empty() {
        add_depend(d, PG_CLASS, idx, 0, PG_CLASS, table.oid, 0, b'a')?;
    }
    for a in &simple {
        add_depend(d, PG_CLASS, idx, 0, PG_CLASS, table.oid, *a as i32, b'a')?;
    }
    for texts in [key.exprs.iter().collect::<Vec<_>>(), key.predicate.iter().collect()] {
        let mut cols: Vec<u32> = Vec::new();
        for t in texts {
            if let Ok(b) = oa_frontend::bind_table_expr(t, table, &*d.catalog, &d.ctx) {
                cols.extend(b.columns().iter().map(|c| c.0));
            }
        }
        cols.sort();
        cols.dedup();
        for c in cols {
            add_depend(d, PG_CLASS, idx, 0, PG_CLASS, table.oid, c as i32, b'a')?;
        }
    }
    Ok(())
}

/// GetDefaultOpClass for btree: the default class of the type itself, else
/// of a type it is binary-coercible to (varchar → text_ops), else of the
/// polymorphic family (arrays → array_ops, enums → enum_ops); 0 if none.
fn default_btree_opclass(d: &mut Ddl, ty: Oid) -> Result<Oid> {
    let rows = super::query_internal(
        d,
        &format!(
            "SELECT c.oid FROM pg_catalog.pg_opclass c WHERE c.opcmethod = 403 AND c.opcdefault AND \
             (c.opcintype = {ty} OR c.opcintype IN (SELECT casttarget FROM pg_catalog.pg_cast WHERE castsource = {ty} AND castmethod = 'b') \
             OR (c.opcintype = 2277 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = {ty} AND typelem <> 0 AND typlen = -1)) \
             OR (c.opcintype = 3500 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = {ty} AND typtype = 'e')) \
             OR (c.opcintype = 2249 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = {ty} AND typtype = 'c'))) \
             ORDER BY c.opcintype = {ty} DESC, c.oid LIMIT 1"
        ),
    )?;
    Ok(rows.first().and_then(|r| r.first().cloned().flatten()).and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// An operator class named on an index column. Our B-trees order keys by
/// the type's default comparison, so only classes with that same order are
/// taken: the default class, and the pattern classes (text_pattern_ops and
/// its varchar/bpchar forms compare bytewise, which is the C collation our
/// default comparison uses).
fn named_opclass(d: &mut Ddl, name: &[String], ty: SqlType, loc: usize) -> Result<Oid> {
    let (schema, opc) = match name {
        [n] => (None, n.as_str()),
        [s, n] => (Some(s.as_str()), n.as_str()),
        _ => return Err(Error::new(SqlState::SYNTAX_ERROR, "improper qualified name (too many dotted names)").with_position(loc)),
    };
    let ns_cond = match schema {
        Some(s) => format!("n.nspname = {}", crate::builtins::string::quote_literal(s)),
        None => "pg_catalog.pg_opclass_is_visible(c.oid)".into(),
    };
    let rows = super::query_internal(
        d,
        &format!(
            "SELECT c.oid, c.opcdefault, (c.opcintype = {t} \
             OR c.opcintype IN (SELECT casttarget FROM pg_catalog.pg_cast WHERE castsource = {t} AND castmethod = 'b') \
             OR (c.opcintype = 2277 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = {t} AND typelem <> 0 AND typlen = -1)) \
             OR (c.opcintype = 3500 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = {t} AND typtype = 'e')) \
             OR (c.opcintype = 2249 AND EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = {t} AND typtype = 'c'))) \
             FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace \
             WHERE c.opcmethod = 403 AND c.opcname = {} AND {ns_cond}",
            crate::builtins::string::quote_literal(opc),
            t = ty.oid
        ),
    )?;
    let Some(row) = rows.first() else {
        return Err(Error::new(
            SqlState::UNDEFINED_OBJECT,
            format!("operator class \"{}\" does not exist for access method \"btree\"", name.join(".")),
        ));
    };
    let oid: Oid = row.first().cloned().flatten().and_then(|s| s.parse().ok()).unwrap_or(0);
    let is_default = row.get(1).cloned().flatten().as_deref() == Some("t");
    // ResolveOpClass: the column's type must be binary-coercible to the class's input type.
    if row.get(2).cloned().flatten().as_deref() != Some("t") {
        return Err(Error::new(
            SqlState::DATATYPE_MISMATCH,
            format!(
                "operator class \"{}\" does not accept data type {}",
                name.join("."),
                crate::session::format_type(&d.catalog, SqlType::new(ty.oid))
            ),
        ));
    }
    if !is_default && !matches!(opc, "text_pattern_ops" | "varchar_pattern_ops" | "bpchar_pattern_ops") {
        return Err(Error::feature_not_supported(format!("operator class \"{}\" is not supported yet", name.join("."))).with_position(loc));
    }
    Ok(oid)
}

/// Parameters of a sequence after applying CREATE/ALTER SEQUENCE options.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SequenceParams {
    pub type_oid: Oid,
    pub start: i64,
    pub increment: i64,
    pub max: i64,
    pub min: i64,
    pub cache: i64,
    pub cycle: bool,
    pub restart: Option<Option<i64>>,
    pub owned_by: Option<Option<Vec<String>>>,
}

fn parse_i64(v: &ast::NumericValue) -> Result<i64> {
    v.text.parse::<i64>().map_err(|_| Error::new(SqlState::SYNTAX_ERROR, format!("invalid integer value \"{}\"", v.text)).with_position(v.loc))
}

/// init_params: applies options over `old` (None for CREATE SEQUENCE).
pub(crate) fn sequence_params(d: &Ddl, options: &[ast::SequenceOption], old: Option<&SequenceParams>) -> Result<SequenceParams> {
    let mut type_oid = old.map_or(oid::INT8, |o| o.type_oid);
    let (mut inc, mut min, mut max, mut start, mut cache, mut cycle) = (None, None, None, None, None, None);
    let mut restart = None;
    let mut owned_by = None;
    let mut seen = HashSet::new();
    for o in options {
        let key = std::mem::discriminant(o);
        if !seen.insert(key) {
            return Err(Error::new(SqlState::SYNTAX_ERROR, "conflicting or redundant options"));
        }
        match o {
            ast::SequenceOption::As(t) => {
                let ty = oa_frontend::resolve_type_name(t, &*d.catalog, &d.ctx)?;
                if !matches!(ty.oid, oid::INT2 | oid::INT4 | oid::INT8) {
                    return Err(
                        Error::new(SqlState::INVALID_PARAMETER_VALUE, "sequence type must be smallint, integer, or bigint").with_position(t.loc)
                    );
                }
                type_oid = ty.oid;
            }
            ast::SequenceOption::IncrementBy(v) => inc = Some(parse_i64(v)?),
            ast::SequenceOption::MinValue(v) => min = Some(v.as_ref().map(parse_i64).transpose()?),
            ast::SequenceOption::MaxValue(v) => max = Some(v.as_ref().map(parse_i64).transpose()?),
            ast::SequenceOption::StartWith(v) => start = Some(parse_i64(v)?),
            ast::SequenceOption::Restart(v) => restart = Some(v.as_ref().map(parse_i64).transpose()?),
            ast::SequenceOption::Cache(v) => cache = Some(parse_i64(v)?),
            ast::SequenceOption::Cycle(c) => cycle = Some(*c),
            ast::SequenceOption::OwnedBy(n) => owned_by = Some(n.clone()),
            ast::SequenceOption::SequenceName(_) | ast::SequenceOption::Logged(_) => {}
        }
    }
    let (type_min, type_max) = match type_oid {
        oid::INT2 => (i16::MIN as i64, i16::MAX as i64),
        oid::INT4 => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    };
    let increment = inc.or(old.map(|o| o.increment)).unwrap_or(1);
    if increment == 0 {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "INCREMENT must not be zero"));
    }
    let type_changed = old.is_some_and(|o| o.type_oid != type_oid);
    let max = match max {
        Some(Some(v)) => v,
        Some(None) => {
            if increment > 0 {
                type_max
            } else {
                -1
            }
        }
        None => match old {
            Some(o) if !type_changed => o.max,
            _ => {
                if increment > 0 {
                    type_max
                } else {
                    -1
                }
            }
        },
    };
    let min = match min {
        Some(Some(v)) => v,
        Some(None) => {
            if increment > 0 {
                1
            } else {
                type_min
            }
        }
        None => match old {
            Some(o) if !type_changed => o.min,
            _ => {
                if increment > 0 {
                    1
                } else {
                    type_min
                }
            }
        },
    };
    let type_name = match type_oid {
        oid::INT2 => "smallint",
        oid::INT4 => "integer",
        _ => "bigint",
    };
    if max < type_min || max > type_max {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("MAXVALUE ({max}) is out of range for sequence data type {type_name}")));
    }
    if min < type_min || min > type_max {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("MINVALUE ({min}) is out of range for sequence data type {type_name}")));
    }
    if min >= max {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("MINVALUE ({min}) must be less than MAXVALUE ({max})")));
    }
    let start = start.or(old.map(|o| o.start)).unwrap_or(if increment > 0 { min } else { max });
    if start < min {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("START value ({start}) cannot be less than MINVALUE ({min})")));
    }
    if start > max {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("START value ({start}) cannot be greater than MAXVALUE ({max})")));
    }
    if let Some(Some(r)) = restart {
        if r < min {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("RESTART value ({r}) cannot be less than MINVALUE ({min})")));
        }
        if r > max {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("RESTART value ({r}) cannot be greater than MAXVALUE ({max})")));
        }
    }
    let cache = cache.or(old.map(|o| o.cache)).unwrap_or(1);
    if cache <= 0 {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("CACHE ({cache}) must be greater than zero")));
    }
    Ok(SequenceParams { type_oid, start, increment, max, min, cache, cycle: cycle.or(old.map(|o| o.cycle)).unwrap_or(false), restart, owned_by })
}

/// Creates a sequence relation: pg_class, pg_attribute, pg_sequence and its state.
pub(crate) fn define_sequence(d: &mut Ddl, ns: Oid, name: &str, options: &[ast::SequenceOption]) -> Result<Oid> {
    let p = sequence_params(d, options, None)?;
    if d.catalog.relation_by_name(ns, name).is_some() {
        return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let cols = [("last_value", oid::INT8), ("log_cnt", oid::INT8), ("is_called", oid::BOOL)].map(|(n, t)| NewColumn {
        name: n.into(),
        ty: SqlType::new(t),
        not_null: true,
        default: None,
        identity: 0,
    });
    let seq = define_relation(d, ns, name, RelKind::Sequence, &cols)?;
    d.insert(
        CatalogRow::new("pg_sequence")?
            .set("seqrelid", Datum::Oid(seq))
            .set("seqtypid", Datum::Oid(p.type_oid))
            .set("seqstart", Datum::Int64(p.start))
            .set("seqincrement", Datum::Int64(p.increment))
            .set("seqmax", Datum::Int64(p.max))
            .set("seqmin", Datum::Int64(p.min))
            .set("seqcache", Datum::Int64(p.cache))
            .set("seqcycle", Datum::Bool(p.cycle)),
    )?;
    let storage = d.storage();
    crate::sequence::create_state(&storage, d.txn()?, seq, p.start)?;
    Ok(seq)
}

pub(crate) fn create_sequence(s: &mut Session, c: &ast::CreateSequenceStmt) -> Result<()> {
    if c.persistence == ast::Persistence::Temporary {
        return Err(Error::feature_not_supported("temporary sequences are not supported yet").with_position(c.name.loc));
    }
    let mut d = Ddl::new(s)?;
    let (ns, name) = d.creation_namespace(&c.name.name, c.name.loc)?;
    if d.catalog.relation_by_name(ns, &name).is_some() {
        if c.if_not_exists {
            d.notice(format!("relation \"{name}\" already exists, skipping"));
            return Ok(());
        }
        return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let seq = define_sequence(&mut d, ns, &name, &c.options)?;
    if let Some(ast::SequenceOption::OwnedBy(Some(target))) = c.options.iter().find(|o| matches!(o, ast::SequenceOption::OwnedBy(_))) {
        d.refresh()?;
        set_owned_by(&mut d, seq, target)?;
    }
    d.refresh()
}

/// OWNED BY table.column: the sequence is dropped with the column.
pub(crate) fn set_owned_by(d: &mut Ddl, seq: Oid, target: &[String]) -> Result<()> {
    d.delete("pg_depend", |g| g("objid") == Datum::Oid(seq) && g("classid") == Datum::Oid(PG_CLASS) && g("deptype") == Datum::Char(b'a'))?;
    if target.len() < 2 {
        return Err(
            Error::new(SqlState::INVALID_PARAMETER_VALUE, "invalid OWNED BY option").with_hint("Specify OWNED BY table.column or OWNED BY NONE.")
        );
    }
    let table = d
        .find_relation(&target[..target.len() - 1])?
        .ok_or_else(|| Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", target[..target.len() - 1].join("."))))?;
    let col = &target[target.len() - 1];
    let c = table
        .column(col)
        .ok_or_else(|| Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{col}\" of relation \"{}\" does not exist", table.name)))?;
    add_depend(d, PG_CLASS, seq, 0, PG_CLASS, table.oid, c.attnum as i32, b'a')
}

pub(crate) fn create_schema(s: &mut Session, c: &ast::CreateSchemaStmt) -> Result<()> {
    if !c.elements.is_empty() {
        return Err(Error::feature_not_supported("CREATE SCHEMA with schema elements is not supported yet"));
    }
    let mut d = Ddl::new(s)?;
    let name = match (&c.name, &c.authorization) {
        (Some(n), _) => n.clone(),
        (None, Some(a)) => a.clone(),
        (None, None) => return Err(Error::internal("CREATE SCHEMA without a name")),
    };
    if name.starts_with("pg_") {
        return Err(Error::new(SqlState::RESERVED_NAME, format!("unacceptable schema name \"{name}\""))
            .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    if d.catalog.namespace_by_name(&name).is_some() {
        if c.if_not_exists {
            d.notice(format!("schema \"{name}\" already exists, skipping"));
            return Ok(());
        }
        return Err(Error::new(SqlState::DUPLICATE_SCHEMA, format!("schema \"{name}\" already exists")));
    }
    let o = d.new_oid()?;
    d.insert(
        CatalogRow::new("pg_namespace")?
            .set("oid", Datum::Oid(o))
            .set("nspname", Datum::Text(name))
            .set("nspowner", Datum::Oid(oid::BOOTSTRAP_SUPERUSER)),
    )?;
    d.refresh()
}

pub(crate) fn create_view(s: &mut Session, v: &ast::CreateViewStmt, sql: &str) -> Result<()> {
    if v.recursive {
        return Err(Error::feature_not_supported("CREATE RECURSIVE VIEW is not supported yet").with_position(v.name.loc));
    }
    if v.persistence == ast::Persistence::Temporary {
        return Err(Error::feature_not_supported("temporary views are not supported yet").with_position(v.name.loc));
    }
    if v.check_option.is_some() {
        return Err(Error::feature_not_supported("WITH CHECK OPTION is not supported yet").with_position(v.name.loc));
    }
    let mut d = Ddl::new(s)?;
    let (ns, name) = d.creation_namespace(&v.name.name, v.name.loc)?;
    let stmt = ast::Statement::Select(v.query.clone());
    let bound = oa_frontend::bind_query(&stmt, &*d.catalog, &d.ctx)?;
    let modifying = |c: &ast::CommonTableExpr| matches!(*c.query, ast::Statement::Insert(_) | ast::Statement::Update(_) | ast::Statement::Delete(_));
    if v.query.with.as_ref().is_some_and(|w| w.ctes.iter().any(modifying)) {
        return Err(Error::feature_not_supported("views must not contain data-modifying statements in WITH"));
    }
    if v.columns.len() > bound.columns.len() {
        return Err(Error::new(SqlState::SYNTAX_ERROR, "CREATE VIEW specifies more column names than columns"));
    }
    let mut columns = Vec::new();
    for (i, c) in bound.columns.iter().enumerate() {
        let name = v.columns.get(i).cloned().unwrap_or_else(|| c.name.clone());
        if columns.iter().any(|x: &NewColumn| x.name == name) {
            return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{name}\" specified more than once")));
        }
        let ty = if c.ty.oid == oid::UNKNOWN { SqlType::TEXT } else { c.ty };
        columns.push(NewColumn { name, ty, not_null: false, default: None, identity: 0 });
    }
    let text = sql.get(v.query_text.0..v.query_text.1).unwrap_or_default().to_string();
    if let Some(old) = d.catalog.relation_by_name(ns, &name) {
        if !v.or_replace {
            return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
        }
        if old.kind != RelKind::View {
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{name}\" is not a view")));
        }
        replace_view(&mut d, &old, &columns, &text)?;
        return d.refresh();
    }
    let view = define_relation(&mut d, ns, &name, RelKind::View, &columns)?;
    let rule = d.new_oid()?;
    d.insert(
        CatalogRow::new("pg_rewrite")?
            .set("oid", Datum::Oid(rule))
            .set("rulename", Datum::Text("_RETURN".into()))
            .set("ev_class", Datum::Oid(view))
            .set("ev_type", Datum::Char(b'1'))
            .set("ev_enabled", Datum::Char(b'O'))
            .set("is_instead", Datum::Bool(true))
            .set("ev_qual", Datum::Text("<>".into()))
            .set("ev_action", Datum::Text(text)),
    )?;
    add_depend(&mut d, PG_REWRITE, rule, 0, PG_CLASS, view, 0, b'i')?;
    let mut refs = referenced_tables(&bound.plan);
    let mut named = Vec::new();
    named_relations(&v.query, &mut Vec::new(), &mut named);
    for n in named {
        if let Ok(Some(r)) = d.find_relation(&n)
            && !refs.contains(&r.oid)
        {
            refs.push(r.oid);
        }
    }
    for t in refs {
        if t != view {
            add_depend(&mut d, PG_REWRITE, rule, 0, PG_CLASS, t, 0, b'n')?;
        }
    }
    d.refresh()
}

/// CREATE OR REPLACE VIEW: same leading columns (names and types), new query.
fn replace_view(d: &mut Ddl, old: &RelationDesc, columns: &[NewColumn], text: &str) -> Result<()> {
    let old_cols: Vec<_> = old.live_columns().collect();
    if columns.len() < old_cols.len() {
        return Err(Error::new(SqlState::INVALID_TABLE_DEFINITION, "cannot drop columns from view"));
    }
    for (o, n) in old_cols.iter().zip(columns) {
        if o.name != n.name {
            return Err(Error::new(
                SqlState::INVALID_TABLE_DEFINITION,
                format!("cannot change name of view column \"{}\" to \"{}\"", o.name, n.name),
            )
            .with_hint("Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead."));
        }
        if o.ty != n.ty {
            return Err(Error::new(
                SqlState::INVALID_TABLE_DEFINITION,
                format!(
                    "cannot change data type of view column \"{}\" from {} to {}",
                    o.name,
                    crate::session::format_type(&d.catalog, o.ty),
                    crate::session::format_type(&d.catalog, n.ty)
                ),
            ));
        }
    }
    for (i, c) in columns.iter().enumerate().skip(old_cols.len()) {
        let t = d.catalog.type_by_oid(c.ty.oid).ok_or_else(|| Error::internal("column type vanished"))?;
        let collation = if t.collation != 0 { oid::DEFAULT_COLLATION } else { 0 };
        insert_attribute(d, old.oid, &c.name, c.ty, i as i16 + 1, t.len, t.byval, t.align, false, collation)?;
    }
    let n = columns.len() as i16;
    d.update("pg_class", |g| (g("oid") == Datum::Oid(old.oid)).then(|| vec![("relnatts", Datum::Int16(n))]))?;
    let text = text.to_string();
    d.update("pg_rewrite", |g| (g("ev_class") == Datum::Oid(old.oid)).then(|| vec![("ev_action", Datum::Text(text.clone()))]))?;
    Ok(())
}

/// Relations named in a query's FROM clauses (CTE names excluded): views
/// are expanded by the binder, so a view's dependencies on other views come
/// from the text.
fn named_relations(q: &ast::SelectStmt, ctes: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let depth = ctes.len();
    if let Some(w) = &q.with {
        for c in &w.ctes {
            ctes.push(c.name.clone());
            if let ast::Statement::Select(s) = &*c.query {
                named_relations(s, ctes, out);
            }
        }
    }
    fn set_expr(e: &ast::SetExpr, ctes: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match e {
            ast::SetExpr::Select(core) => {
                for t in &core.from {
                    table_ref(t, ctes, out);
                }
            }
            ast::SetExpr::Values(_) => {}
            ast::SetExpr::SetOp { left, right, .. } => {
                set_expr(left, ctes, out);
                set_expr(right, ctes, out);
            }
            ast::SetExpr::Query(q) => named_relations(q, ctes, out),
        }
    }
    fn table_ref(t: &ast::TableRef, ctes: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match t {
            ast::TableRef::Relation { rel, .. } => {
                if !(rel.name.len() == 1 && ctes.contains(&rel.name[0])) {
                    out.push(rel.name.clone());
                }
            }
            ast::TableRef::Subquery { query, .. } => named_relations(query, ctes, out),
            ast::TableRef::Function { .. } => {}
            ast::TableRef::Join(j) => {
                table_ref(&j.left, ctes, out);
                table_ref(&j.right, ctes, out);
            }
        }
    }
    set_expr(&q.body, ctes, out);
    ctes.truncate(depth);
}

/// Tables and views a plan reads (for view dependencies).
fn referenced_tables(plan: &oa_ir::LogicalPlan) -> Vec<Oid> {
    let mut out = Vec::new();
    fn walk(p: &oa_ir::LogicalPlan, out: &mut Vec<Oid>) {
        if let oa_ir::LogicalPlan::Scan { table, .. } = p
            && !out.contains(&table.oid)
        {
            out.push(table.oid);
        }
        for c in p.children() {
            walk(c, out);
        }
        for e in p.expressions() {
            e.walk(&mut |x| {
                if let oa_ir::ScalarExpr::Subquery(s) = x {
                    walk(&s.plan, out);
                }
            });
        }
    }
    walk(plan, &mut out);
    out
}

/// CREATE TABLE AS / SELECT INTO: a table with the query's columns, filled by it.
pub(crate) fn create_table_as(s: &mut Session, c: &ast::CreateTableAsStmt, _sql: &str) -> Result<Outcome> {
    if c.materialized {
        return Err(Error::feature_not_supported("materialized views are not supported yet").with_position(c.name.loc));
    }
    if c.persistence == ast::Persistence::Temporary {
        return Err(Error::feature_not_supported("temporary tables are not supported yet").with_position(c.name.loc));
    }
    let n = fill_new_table(s, &c.name.name, c.name.loc, &c.query, &c.columns, c.if_not_exists, c.with_data)?;
    Ok(Outcome::Command {
        tag: match n {
            Some(n) => format!("SELECT {n}"),
            None => "CREATE TABLE AS".to_string(),
        },
    })
}

pub(crate) fn create_table_as_select_into(s: &mut Session, stmt: &ast::SelectStmt, into: &ast::IntoClause, _sql: &str) -> Result<Outcome> {
    if into.temp {
        return Err(Error::feature_not_supported("temporary tables are not supported yet"));
    }
    let mut query = stmt.clone();
    if let ast::SetExpr::Select(core) = &mut query.body {
        core.into = None;
    }
    let n = fill_new_table(s, &into.name, stmt.loc, &ast::Statement::Select(Box::new(query)), &[], false, true)?;
    Ok(Outcome::Command { tag: format!("SELECT {}", n.unwrap_or(0)) })
}

fn fill_new_table(
    s: &mut Session,
    name: &[String],
    loc: usize,
    query: &ast::Statement,
    column_names: &[String],
    if_not_exists: bool,
    with_data: bool,
) -> Result<Option<u64>> {
    let mut d = Ddl::new(s)?;
    let (ns, relname) = d.creation_namespace(name, loc)?;
    if d.catalog.relation_by_name(ns, &relname).is_some() {
        if if_not_exists {
            d.notice(format!("relation \"{relname}\" already exists, skipping"));
            return Ok(None);
        }
        return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{relname}\" already exists")));
    }
    let bound = oa_frontend::bind_query(query, &*d.catalog, &d.ctx)?;
    if column_names.len() > bound.columns.len() {
        return Err(Error::new(SqlState::SYNTAX_ERROR, "too many column names were specified"));
    }
    let mut columns: Vec<NewColumn> = Vec::new();
    for (i, c) in bound.columns.iter().enumerate() {
        let name = column_names.get(i).cloned().unwrap_or_else(|| c.name.clone());
        if columns.iter().any(|x| x.name == name) {
            return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{name}\" specified more than once")));
        }
        let ty = if c.ty.oid == oid::UNKNOWN { SqlType::TEXT } else { c.ty };
        check_column_type(&d, &name, ty, loc)?;
        columns.push(NewColumn { name, ty, not_null: false, default: None, identity: 0 });
    }
    let table = define_relation(&mut d, ns, &relname, RelKind::Table, &columns)?;
    d.storage().create_relation(d.txn()?, RelFileNumber(table))?;
    d.refresh()?;
    if !with_data {
        return Ok(None);
    }
    let rel: Arc<RelationDesc> = d.catalog.relation(table).ok_or_else(|| Error::internal("new table not visible"))?;
    // The query's rows go in through an INSERT plan over the bound query.
    let output = bound.plan.output();
    let plan = oa_ir::LogicalPlan::Insert {
        table: rel.clone(),
        input: Box::new(bound.plan),
        target_attnums: (1..=output.len() as i16).collect(),
        returning: vec![],
        on_conflict: None,
    };
    let (snapshot, catalog) = (d.snapshot.clone(), d.catalog.clone());
    let rows = d.s.run_plan(plan, &snapshot, &catalog)?;
    Ok(Some(rows))
}
