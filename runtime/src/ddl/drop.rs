//! DROP TABLE / VIEW / INDEX / SEQUENCE / SCHEMA with PostgreSQL's
//! dependency rules: RESTRICT refuses when something depends on the object,
//! CASCADE drops the dependents too and says so.

use std::sync::Arc;

use oa_frontend::Catalog;
use oa_grammar::ast::{self, ObjectKind};
use oa_ir::catalog::{RelKind, RelationDesc};
use oa_ir::datum::Datum;
use oa_ir::types::Oid;
use oa_ir::{Error, Result, SqlState};
use oa_storage::RelFileNumber;

use super::Ddl;
use crate::session::{Outcome, Session};

const PG_REWRITE: Oid = 2618;
const PG_CLASS: Oid = 1259;

fn kind_word(k: ObjectKind) -> &'static str {
    match k {
        ObjectKind::Table => "table",
        ObjectKind::View => "view",
        ObjectKind::MaterializedView => "materialized view",
        ObjectKind::Index => "index",
        ObjectKind::Sequence => "sequence",
        ObjectKind::Schema => "schema",
        ObjectKind::Type => "type",
        ObjectKind::Domain => "domain",
        ObjectKind::Function => "function",
        ObjectKind::ForeignTable => "foreign table",
        ObjectKind::Extension => "extension",
        _ => "object",
    }
}

fn relkind_of(k: ObjectKind) -> Option<RelKind> {
    Some(match k {
        ObjectKind::Table => RelKind::Table,
        ObjectKind::View => RelKind::View,
        ObjectKind::Index => RelKind::Index,
        ObjectKind::Sequence => RelKind::Sequence,
        _ => return None,
    })
}

fn drop_hint(k: RelKind) -> &'static str {
    match k {
        RelKind::Table => "Use DROP TABLE to remove a table.",
        RelKind::View => "Use DROP VIEW to remove a view.",
        RelKind::Index => "Use DROP INDEX to remove an index.",
        RelKind::Sequence => "Use DROP SEQUENCE to remove a sequence.",
        RelKind::MaterializedView => "Use DROP MATERIALIZED VIEW to remove a materialized view.",
        _ => "Use DROP TABLE to remove a table.",
    }
}

fn relkind_word(k: RelKind) -> &'static str {
    match k {
        RelKind::Table => "table",
        RelKind::View => "view",
        RelKind::Index => "index",
        RelKind::Sequence => "sequence",
        RelKind::MaterializedView => "materialized view",
        _ => "relation",
    }
}

pub(crate) fn drop(s: &mut Session, st: &ast::DropStmt) -> Result<Outcome> {
    let tag = format!("DROP {}", kind_word(st.kind).to_ascii_uppercase());
    if st.concurrently {
        return Err(Error::feature_not_supported("DROP INDEX CONCURRENTLY is not supported yet").with_position(st.loc));
    }
    if st.kind == ObjectKind::Schema {
        drop_schemas(s, st)?;
        return Ok(Outcome::Command { tag });
    }
    let Some(want) = relkind_of(st.kind) else {
        return Err(
            Error::feature_not_supported(format!("DROP {} is not supported yet", kind_word(st.kind).to_ascii_uppercase())).with_position(st.loc)
        );
    };
    let mut d = Ddl::new(s)?;
    // Resolve every name first: PostgreSQL reports a missing one before dropping anything.
    let mut targets: Vec<Arc<RelationDesc>> = Vec::new();
    for name in &st.names {
        let found = match d.find_relation(name) {
            Ok(r) => r,
            Err(e) if st.if_exists && e.code == SqlState::INVALID_SCHEMA_NAME => {
                d.notice(format!("schema \"{}\" does not exist, skipping", name[name.len() - 2]));
                continue;
            }
            Err(e) => return Err(e),
        };
        match found {
            None => {
                let msg = format!("{} \"{}\" does not exist", kind_word(st.kind), name.join("."));
                if st.if_exists {
                    d.notice(format!("{msg}, skipping"));
                    continue;
                }
                // dropmsgstringarray: indexes report undefined_object, the rest undefined_table.
                let code = if want == RelKind::Index { SqlState::UNDEFINED_OBJECT } else { SqlState::UNDEFINED_TABLE };
                return Err(Error::new(code, msg));
            }
            Some(r) if r.kind != want => {
                return Err(
                    Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a {}", r.name, kind_word(st.kind))).with_hint(drop_hint(r.kind))
                );
            }
            Some(r) => {
                if r.namespace == oa_ir::types::oid::PG_CATALOG_NAMESPACE {
                    return Err(Error::new(SqlState::INSUFFICIENT_PRIVILEGE, format!("permission denied: \"{}\" is a system catalog", r.name)));
                }
                if !targets.iter().any(|t| t.oid == r.oid) {
                    targets.push(r);
                }
            }
        }
    }
    for r in &targets {
        if r.kind == RelKind::Index
            && let Some((table, con)) = owning_constraint(&d, r.oid)
        {
            return Err(Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop index {} because constraint {} on table {} requires it", r.name, con, table),
            )
            .with_hint(format!("You can drop constraint {con} on table {table} instead.")));
        }
    }
    let mut plan = Vec::new();
    for r in &targets {
        collect_dependents(&d, r, &targets, &mut plan)?;
    }
    if !plan.is_empty() {
        let lines: Vec<String> = plan.iter().map(|p| p.describe()).collect();
        if !st.cascade {
            let first = &targets[0];
            let mut e = Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop {} {} because other objects depend on it", relkind_word(first.kind), first.name),
            );
            e.detail = Some(lines.join("\n"));
            return Err(e.with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        if lines.len() == 1 {
            d.notice(format!("drop cascades to {}", plan[0].short()));
        } else {
            let shorts: Vec<String> = plan.iter().map(|p| format!("drop cascades to {}", p.short())).collect();
            d.s.notices.push(crate::session::Notice {
                severity: "NOTICE",
                code: SqlState::SUCCESSFUL_COMPLETION,
                message: format!("drop cascades to {} other objects", plan.len()),
                detail: Some(shorts.join("\n")),
            });
        }
        for p in &plan {
            match p {
                Dependent::ForeignKey { child, constraint, .. } => drop_constraint_rows(&mut d, *child, constraint)?,
                Dependent::Default { table, attnum, .. } => {
                    let (t, a) = (*table, *attnum);
                    d.delete("pg_attrdef", |g| g("adrelid") == Datum::Oid(t) && g("adnum") == Datum::Int16(a))?;
                }
                Dependent::View { view, .. } => {
                    if d.catalog.relation(view.oid).is_some() {
                        drop_relation(&mut d, view)?;
                    }
                }
            }
        }
    }
    for r in &targets {
        drop_relation(&mut d, r)?;
    }
    d.refresh()?;
    Ok(Outcome::Command { tag })
}

/// The constraint (and its table) an index enforces, if any.
fn owning_constraint(d: &Ddl, index: Oid) -> Option<(String, String)> {
    d.catalog.user.relations.values().find_map(|t| t.constraints.iter().find(|c| c.index == Some(index)).map(|c| (t.name.clone(), c.name.clone())))
}

enum Dependent {
    ForeignKey {
        child: Oid,
        child_name: String,
        constraint: String,
        parent: String,
    },
    View {
        view: Arc<RelationDesc>,
        on: String,
    },
    /// A column DEFAULT that names a sequence.
    Default {
        table: Oid,
        table_name: String,
        attnum: i16,
        column: String,
        on: String,
    },
}

impl Dependent {
    fn describe(&self) -> String {
        match self {
            Dependent::ForeignKey { child_name, constraint, parent, .. } => {
                format!("constraint {constraint} on table {child_name} depends on table {parent}")
            }
            Dependent::View { view, on } => format!("view {} depends on {on}", view.name),
            Dependent::Default { table_name, column, on, .. } => format!("default value for column {column} of table {table_name} depends on {on}"),
        }
    }

    fn short(&self) -> String {
        match self {
            Dependent::ForeignKey { child_name, constraint, .. } => format!("constraint {constraint} on table {child_name}"),
            Dependent::View { view, .. } => format!("view {}", view.name),
            Dependent::Default { table_name, column, .. } => format!("default value for column {column} of table {table_name}"),
        }
    }
}

/// Objects that depend on `r` and are not being dropped themselves.
fn collect_dependents(d: &Ddl, r: &RelationDesc, targets: &[Arc<RelationDesc>], out: &mut Vec<Dependent>) -> Result<()> {
    for (child, con) in &r.referenced_by {
        if *child == r.oid || targets.iter().any(|t| t.oid == *child) {
            continue;
        }
        let child_name = d.catalog.relation(*child).map(|c| c.name.clone()).unwrap_or_default();
        out.push(Dependent::ForeignKey { child: *child, child_name, constraint: con.name.clone(), parent: r.name.clone() });
    }
    for (table, attnum) in dependent_defaults(d, r.oid)? {
        if targets.iter().any(|t| t.oid == table) {
            continue;
        }
        let Some(t) = d.catalog.relation(table) else { continue };
        let column = t.column_by_attnum(attnum).map(|c| c.name.clone()).unwrap_or_default();
        out.push(Dependent::Default { table, table_name: t.name.clone(), attnum, column, on: format!("{} {}", relkind_word(r.kind), r.name) });
    }
    for v in dependent_views(d, r.oid)? {
        if targets.iter().any(|t| t.oid == v.oid) || out.iter().any(|o| matches!(o, Dependent::View { view, .. } if view.oid == v.oid)) {
            continue;
        }
        let inner = v.clone();
        out.push(Dependent::View { view: v, on: format!("{} {}", relkind_word(r.kind), r.name) });
        collect_dependents(d, &inner, targets, out)?;
    }
    Ok(())
}

/// Column defaults that name relation `rel` (a sequence), as (table, attnum).
fn dependent_defaults(d: &Ddl, rel: Oid) -> Result<Vec<(Oid, i16)>> {
    let storage = d.storage();
    let defs: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_depend")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            (get("classid") == Datum::Oid(super::create::PG_ATTRDEF) && get("refobjid") == Datum::Oid(rel)).then(|| match get("objid") {
                Datum::Oid(o) => o,
                _ => 0,
            })
        })
        .collect();
    if defs.is_empty() {
        return Ok(vec![]);
    }
    Ok(crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_attrdef")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            match (get("oid"), get("adrelid"), get("adnum")) {
                (Datum::Oid(o), Datum::Oid(t), Datum::Int16(a)) if defs.contains(&o) => Some((t, a)),
                _ => None,
            }
        })
        .collect())
}

/// Views whose query reads `rel` (from pg_depend rows of their rewrite rules).
fn dependent_views(d: &Ddl, rel: Oid) -> Result<Vec<Arc<RelationDesc>>> {
    let storage = d.storage();
    let rules: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_depend")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            (get("classid") == Datum::Oid(PG_REWRITE) && get("refobjid") == Datum::Oid(rel) && get("deptype") == Datum::Char(b'n')).then(
                || match get("objid") {
                    Datum::Oid(o) => o,
                    _ => 0,
                },
            )
        })
        .collect();
    let views: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_rewrite")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            match (get("oid"), get("ev_class")) {
                (Datum::Oid(o), Datum::Oid(v)) if rules.contains(&o) => Some(v),
                _ => None,
            }
        })
        .collect();
    Ok(views.into_iter().filter_map(|v| d.catalog.relation(v)).collect())
}

fn drop_constraint_rows(d: &mut Ddl, table: Oid, name: &str) -> Result<()> {
    let name = name.to_string();
    super::create::delete_constraint(d, table, &name)?;
    Ok(())
}

/// Removes a relation's catalog rows and files, with its indexes, owned
/// sequences and row type.
pub(crate) fn drop_relation(d: &mut Ddl, r: &RelationDesc) -> Result<()> {
    let o = r.oid;
    // Owned sequences (serial and identity columns) go with the table.
    let storage = d.storage();
    let owned: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_depend")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            let auto = matches!(get("deptype"), Datum::Char(b'a' | b'i'));
            (get("classid") == Datum::Oid(PG_CLASS) && get("refobjid") == Datum::Oid(o) && auto).then(|| match get("objid") {
                Datum::Oid(x) => x,
                _ => 0,
            })
        })
        .filter(|x| *x != o)
        .collect();
    for seq in owned {
        if let Some(sr) = d.catalog.relation(seq)
            && sr.kind == RelKind::Sequence
        {
            drop_relation(d, &sr)?;
        }
    }
    for idx in &r.indexes {
        remove_rows(d, idx.oid)?;
        let storage = d.storage();
        storage.drop_relation(d.txn()?, RelFileNumber(idx.relfilenode))?;
    }
    remove_rows(d, o)?;
    let array_name = format!("_{}", r.name);
    let ns = r.namespace;
    d.delete("pg_type", |g| g("typnamespace") == Datum::Oid(ns) && g("typname") == Datum::Text(array_name.clone()))?;
    if r.kind != RelKind::View {
        let storage = d.storage();
        storage.drop_relation(d.txn()?, RelFileNumber(r.relfilenode))?;
    }
    Ok(())
}

/// Deletes every catalog row describing relation `o`.
fn remove_rows(d: &mut Ddl, o: Oid) -> Result<()> {
    // Its constraints, with their dependencies and internal triggers.
    let storage = d.storage();
    let constraints: Vec<Oid> = crate::catalog::scan_catalog(&storage, &d.snapshot, "pg_constraint")?
        .into_iter()
        .filter_map(|(row, c)| {
            let get = |n: &str| c.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            match (get("oid"), get("conrelid")) {
                (Datum::Oid(x), Datum::Oid(t)) if t == o => Some(x),
                _ => None,
            }
        })
        .collect();
    super::create::delete_constraints(d, &constraints)?;
    let is = |v: Datum| v == Datum::Oid(o);
    d.delete("pg_class", |g| is(g("oid")))?;
    d.delete("pg_attribute", |g| is(g("attrelid")))?;
    d.delete("pg_attrdef", |g| is(g("adrelid")))?;
    d.delete("pg_constraint", |g| is(g("conrelid")))?;
    d.delete("pg_index", |g| is(g("indexrelid")) || is(g("indrelid")))?;
    d.delete("pg_type", |g| is(g("typrelid")))?;
    d.delete("pg_rewrite", |g| is(g("ev_class")))?;
    d.delete("pg_sequence", |g| is(g("seqrelid")))?;
    d.delete("pg_statistic", |g| is(g("starelid")))?;
    d.delete("pg_description", |g| is(g("objoid")))?;
    d.delete("pg_trigger", |g| is(g("tgrelid")))?;
    d.delete("pg_depend", |g| is(g("objid")) || is(g("refobjid")))?;
    Ok(())
}

fn drop_schemas(s: &mut Session, st: &ast::DropStmt) -> Result<()> {
    let mut d = Ddl::new(s)?;
    for name in &st.names {
        let n = name.join(".");
        let Some(ns) = d.catalog.namespace_by_name(&n) else {
            if st.if_exists {
                d.notice(format!("schema \"{n}\" does not exist, skipping"));
                continue;
            }
            return Err(Error::new(SqlState::UNDEFINED_SCHEMA, format!("schema \"{n}\" does not exist")));
        };
        if ns.oid < oa_ir::types::oid::FIRST_NORMAL_OBJECT_ID {
            return Err(Error::new(
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                format!("cannot drop schema {n} because it is required by the database system"),
            ));
        }
        let members = d.catalog.relations_in(ns.oid);
        let members: Vec<_> = members.into_iter().filter(|r| r.kind != RelKind::Index).collect();
        if !members.is_empty() {
            let lines: Vec<String> = members.iter().map(|r| format!("{} {}", relkind_word(r.kind), r.name)).collect();
            if !st.cascade {
                let mut e = Error::new(SqlState::DEPENDENT_OBJECTS_STILL_EXIST, format!("cannot drop schema {n} because other objects depend on it"));
                e.detail = Some(lines.iter().map(|l| format!("{l} depends on schema {n}")).collect::<Vec<_>>().join("\n"));
                return Err(e.with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            if lines.len() == 1 {
                d.notice(format!("drop cascades to {}", lines[0]));
            } else {
                let body: Vec<String> = lines.iter().map(|l| format!("drop cascades to {l}")).collect();
                d.notice(format!("drop cascades to {} other objects\n{}", lines.len(), body.join("\n")));
            }
            for r in &members {
                if d.catalog.relation(r.oid).is_some() {
                    drop_relation(&mut d, r)?;
                    d.refresh()?;
                }
            }
        }
        let o = ns.oid;
        d.delete("pg_namespace", |g| g("oid") == Datum::Oid(o))?;
        d.refresh()?;
    }
    Ok(())
}
