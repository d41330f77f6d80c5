//! ALTER TABLE, ALTER SEQUENCE and RENAME.

use std::sync::Arc;

use oa_frontend::Catalog;
use oa_grammar::ast::{self, AlterTableCmd, ObjectKind};
use oa_ir::catalog::{ConstraintKind, RelKind, RelationDesc};
use oa_ir::datum::Datum;
use oa_ir::types::Oid;
use oa_ir::{Error, Result, SqlState};

use super::Ddl;
use super::create::{self, has_rows};
use crate::session::{Outcome, Session, quote_ident_if_needed};

fn qualified(rel: &RelationDesc) -> String {
    format!("{}.{}", quote_ident_if_needed(&rel.namespace_name), quote_ident_if_needed(&rel.name))
}

fn missing_column(rel: &RelationDesc, col: &str) -> Error {
    Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{col}\" of relation \"{}\" does not exist", rel.name))
}

pub(crate) fn alter_table(s: &mut Session, a: &ast::AlterTableStmt) -> Result<Outcome> {
    let tag = match a.object {
        ObjectKind::View => "ALTER VIEW",
        ObjectKind::Index => "ALTER INDEX",
        ObjectKind::Sequence => "ALTER SEQUENCE",
        _ => "ALTER TABLE",
    };
    let mut d = Ddl::new(s)?;
    let Some(rel) = d.find_relation(&a.table.name)? else {
        if a.if_exists {
            d.notice(format!("relation \"{}\" does not exist, skipping", a.table.name.join(".")));
            return Ok(Outcome::Command { tag: tag.into() });
        }
        return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", a.table.name.join("."))));
    };
    let table = rel.oid;
    for cmd in &a.commands {
        let rel = d.catalog.relation(table).ok_or_else(|| Error::internal("table vanished"))?;
        if rel.kind != RelKind::Table && !matches!(cmd, AlterTableCmd::Unsupported(_)) {
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table", rel.name)));
        }
        match cmd {
            AlterTableCmd::AddColumn { column, if_not_exists } => add_column(&mut d, &rel, column, *if_not_exists)?,
            AlterTableCmd::DropColumn { name, if_exists, cascade } => drop_column(&mut d, &rel, name, *if_exists, *cascade)?,
            AlterTableCmd::AlterColumnType { name, type_name, collation, using } => {
                if collation.is_some() {
                    return Err(Error::feature_not_supported("ALTER COLUMN TYPE with COLLATE is not supported yet"));
                }
                super::rewrite::alter_column_type(&mut d, &rel, name, type_name, using.as_ref())?
            }
            AlterTableCmd::SetDefault { column, default } => {
                let col = rel.column(column).ok_or_else(|| missing_column(&rel, column))?.clone();
                if col.identity != 0 {
                    return Err(Error::new(
                        SqlState::SYNTAX_ERROR,
                        format!("column \"{column}\" of relation \"{}\" is an identity column", rel.name),
                    )
                    .with_hint("Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead."));
                }
                let attnum = col.attnum;
                d.delete("pg_attrdef", |g| g("adrelid") == Datum::Oid(table) && g("adnum") == Datum::Int16(attnum))?;
                d.update("pg_attribute", |g| {
                    (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| vec![("atthasdef", Datum::Bool(false))])
                })?;
                if let Some(e) = default {
                    oa_frontend::bind_standalone_expr(e, Some(col.ty), &*d.catalog, &d.ctx)?;
                    let text = oa_frontend::deparse_expr(e)?;
                    create::add_default(&mut d, table, attnum, &text)?;
                }
            }
            AlterTableCmd::SetNotNull { column, not_null } => {
                let col = rel.column(column).ok_or_else(|| missing_column(&rel, column))?.clone();
                if *not_null {
                    set_not_null(&mut d, &rel, col.attnum)?;
                } else {
                    let in_pk = rel.constraints.iter().any(|c| c.kind == ConstraintKind::PrimaryKey && c.columns.contains(&col.attnum));
                    if in_pk {
                        return Err(Error::new(SqlState::INVALID_TABLE_DEFINITION, format!("column \"{column}\" is in a primary key")));
                    }
                    if col.identity != 0 {
                        return Err(Error::new(
                            SqlState::SYNTAX_ERROR,
                            format!("column \"{column}\" of relation \"{}\" is an identity column", rel.name),
                        ));
                    }
                    let attnum = col.attnum;
                    d.update("pg_attribute", |g| {
                        (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| vec![("attnotnull", Datum::Bool(false))])
                    })?;
                }
            }
            AlterTableCmd::AddConstraint(tc) => create::add_table_constraint(&mut d, table, tc)?,
            AlterTableCmd::DropConstraint { name, if_exists, cascade } => drop_constraint(&mut d, &rel, name, *if_exists, *cascade)?,
            AlterTableCmd::AddIdentity { .. } | AlterTableCmd::DropIdentity { .. } => {
                return Err(Error::feature_not_supported("ALTER COLUMN ADD/DROP IDENTITY is not supported yet"));
            }
            AlterTableCmd::Unsupported(what) => return Err(Error::feature_not_supported(format!("ALTER TABLE {what} is not supported yet"))),
        }
        d.refresh()?;
    }
    Ok(Outcome::Command { tag: tag.into() })
}

/// SET NOT NULL: existing rows must have a value.
pub(crate) fn set_not_null(d: &mut Ddl, rel: &RelationDesc, attnum: i16) -> Result<()> {
    let Some(col) = rel.column_by_attnum(attnum).cloned() else { return Ok(()) };
    let sql = format!("SELECT 1 FROM {} WHERE {} IS NULL LIMIT 1", qualified(rel), quote_ident_if_needed(&col.name));
    if has_rows(d, &sql)? {
        return Err(Error::new(SqlState::NOT_NULL_VIOLATION, format!("column \"{}\" of relation \"{}\" contains null values", col.name, rel.name)));
    }
    let table = rel.oid;
    d.update("pg_attribute", |g| {
        (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| vec![("attnotnull", Datum::Bool(true))])
    })?;
    Ok(())
}

fn add_column(d: &mut Ddl, rel: &Arc<RelationDesc>, column: &ast::ColumnDef, if_not_exists: bool) -> Result<()> {
    if rel.column(&column.name).is_some() {
        if if_not_exists {
            d.notice(format!("column \"{}\" of relation \"{}\" already exists, skipping", column.name, rel.name));
            return Ok(());
        }
        return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{}\" of relation \"{}\" already exists", column.name, rel.name)));
    }
    // Defined like CREATE TABLE's column, then added at the end.
    let attnum = rel.columns.len() as i16 + 1;
    create::add_column_definition(d, rel, column, attnum)?;
    d.refresh()?;
    let new_rel = d.catalog.relation(rel.oid).ok_or_else(|| Error::internal("table vanished"))?;
    let col = new_rel.column_by_attnum(attnum).cloned().ok_or_else(|| Error::internal("new column not visible"))?;
    // Existing rows get the default (PostgreSQL rewrites or stores a missing value).
    if col.default.is_some() {
        let sql = format!("UPDATE {} SET {} = DEFAULT", qualified(&new_rel), quote_ident_if_needed(&col.name));
        super::run_internal(d, &sql)?;
    }
    if col.not_null {
        let sql = format!("SELECT 1 FROM {} WHERE {} IS NULL LIMIT 1", qualified(&new_rel), quote_ident_if_needed(&col.name));
        if has_rows(d, &sql)? {
            return Err(Error::new(
                SqlState::NOT_NULL_VIOLATION,
                format!("column \"{}\" of relation \"{}\" contains null values", col.name, rel.name),
            ));
        }
    }
    Ok(())
}

fn drop_column(d: &mut Ddl, rel: &Arc<RelationDesc>, name: &str, if_exists: bool, cascade: bool) -> Result<()> {
    let Some(col) = rel.column(name).cloned() else {
        if if_exists {
            d.notice(format!("column \"{name}\" of relation \"{}\" does not exist, skipping", rel.name));
            return Ok(());
        }
        return Err(missing_column(rel, name));
    };
    let attnum = col.attnum;
    // Foreign keys elsewhere that reference this column need CASCADE.
    for (child, con) in &rel.referenced_by {
        if let ConstraintKind::ForeignKey { ref_columns, .. } = &con.kind
            && ref_columns.contains(&attnum)
        {
            let child_name = d.catalog.relation(*child).map(|c| c.name.clone()).unwrap_or_default();
            if !cascade {
                let idx =
                    rel.constraints.iter().find(|c| c.index.is_some() && c.columns.contains(&attnum)).map(|c| c.name.clone()).unwrap_or_default();
                return Err(Error::new(
                    SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!("cannot drop column {name} of table {} because other objects depend on it", rel.name),
                )
                .with_detail(format!("constraint {} on table {child_name} depends on index {idx}", con.name))
                .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            d.notice(format!("drop cascades to constraint {} on table {child_name}", con.name));
            let (c, n) = (*child, con.name.clone());
            super::create::delete_constraint(d, c, &n)?;
        }
    }
    // Constraints and indexes on the column go with it.
    let table = rel.oid;
    for c in &rel.constraints {
        let uses = c.columns.contains(&attnum) || matches!(&c.kind, ConstraintKind::ForeignKey { columns, .. } if columns.contains(&attnum));
        if uses {
            let n = c.name.clone();
            super::create::delete_constraint(d, table, &n)?;
        }
    }
    // Indexes with the column in their key, expressions or predicate (auto dependencies).
    for idx in super::index::indexes_using_column(d, rel, attnum) {
        drop_index_rows(d, idx.oid, idx.relfilenode)?;
    }
    d.delete("pg_attrdef", |g| g("adrelid") == Datum::Oid(table) && g("adnum") == Datum::Int16(attnum))?;
    let dropped_name = format!("........pg.dropped.{attnum}........");
    d.update("pg_attribute", |g| {
        (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| {
            vec![
                ("attisdropped", Datum::Bool(true)),
                ("attname", Datum::Text(dropped_name.clone())),
                ("attnotnull", Datum::Bool(false)),
                ("atthasdef", Datum::Bool(false)),
            ]
        })
    })?;
    Ok(())
}

fn drop_index_rows(d: &mut Ddl, idx: Oid, relfilenode: u32) -> Result<()> {
    d.delete("pg_class", |g| g("oid") == Datum::Oid(idx))?;
    d.delete("pg_attribute", |g| g("attrelid") == Datum::Oid(idx))?;
    d.delete("pg_index", |g| g("indexrelid") == Datum::Oid(idx))?;
    d.delete("pg_depend", |g| g("objid") == Datum::Oid(idx))?;
    let storage = d.storage();
    storage.drop_relation(d.txn()?, oa_storage::RelFileNumber(relfilenode))
}

fn drop_constraint(d: &mut Ddl, rel: &Arc<RelationDesc>, name: &str, if_exists: bool, cascade: bool) -> Result<()> {
    let Some(con) = rel.constraints.iter().find(|c| c.name == name).cloned() else {
        if if_exists {
            d.notice(format!("constraint \"{name}\" of relation \"{}\" does not exist, skipping", rel.name));
            return Ok(());
        }
        return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("constraint \"{name}\" of relation \"{}\" does not exist", rel.name)));
    };
    if let Some(index) = con.index
        && matches!(con.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
    {
        let idx_name = rel.indexes.iter().find(|i| i.oid == index).map(|i| i.name.clone()).unwrap_or_default();
        let dependents: Vec<(Oid, String)> = rel
            .referenced_by
            .iter()
            .filter(|(_, fk)| {
                fk.index == Some(index)
                    || matches!(&fk.kind, ConstraintKind::ForeignKey { ref_columns, .. } if {
                        let mut a = ref_columns.clone();
                        a.sort();
                        let mut b = con.columns.clone();
                        b.sort();
                        a == b
                    })
            })
            .map(|(c, fk)| (*c, fk.name.clone()))
            .collect();
        if !dependents.is_empty() {
            let lines: Vec<String> = dependents
                .iter()
                .map(|(c, n)| {
                    format!(
                        "constraint {n} on table {} depends on index {idx_name}",
                        d.catalog.relation(*c).map(|r| r.name.clone()).unwrap_or_default()
                    )
                })
                .collect();
            if !cascade {
                let mut e = Error::new(
                    SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
                    format!("cannot drop constraint {name} on table {} because other objects depend on it", rel.name),
                );
                e.detail = Some(lines.join("\n"));
                return Err(e.with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
            }
            for (c, n) in dependents {
                let child = d.catalog.relation(c).map(|r| r.name.clone()).unwrap_or_default();
                d.notice(format!("drop cascades to constraint {n} on table {child}"));
                super::create::delete_constraint(d, c, &n)?;
            }
        }
        if let Some(i) = rel.indexes.iter().find(|i| i.oid == index) {
            drop_index_rows(d, i.oid, i.relfilenode)?;
        }
    }
    let (table, cname) = (rel.oid, name.to_string());
    super::create::delete_constraint(d, table, &cname)?;
    Ok(())
}

/// A new foreign key must hold for the rows already there.
pub(crate) fn validate_foreign_key(d: &mut Ddl, table: Oid, name: &str) -> Result<()> {
    let rel = d.catalog.relation(table).ok_or_else(|| Error::internal("table vanished"))?;
    let Some(con) = rel.constraints.iter().find(|c| c.name == name).cloned() else { return Ok(()) };
    let ConstraintKind::ForeignKey { ref_table, columns, ref_columns, match_type, .. } = &con.kind else { return Ok(()) };
    let parent = d.catalog.relation(*ref_table).ok_or_else(|| Error::internal("referenced table vanished"))?;
    let col = |r: &RelationDesc, a: i16| r.column_by_attnum(a).map(|c| quote_ident_if_needed(&c.name)).unwrap_or_default();
    let keys: Vec<String> = columns.iter().map(|a| format!("c.{}", col(&rel, *a))).collect();
    let conds: Vec<String> = columns.iter().zip(ref_columns).map(|(a, b)| format!("p.{} = c.{}", col(&parent, *b), col(&rel, *a))).collect();
    // MATCH SIMPLE skips rows with any NULL key; MATCH FULL rejects partly-NULL keys.
    let not_null: Vec<String> = keys.iter().map(|k| format!("{k} IS NOT NULL")).collect();
    let sql = format!(
        "SELECT {} FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {}) LIMIT 1",
        keys.iter().map(|k| format!("{k}::text")).collect::<Vec<_>>().join(", "),
        qualified(&rel),
        not_null.join(" AND "),
        qualified(&parent),
        conds.join(" AND ")
    );
    let rows = super::query_internal(d, &sql)?;
    if let Some(row) = rows.first() {
        let names: Vec<String> = columns.iter().map(|a| rel.column_by_attnum(*a).map(|c| c.name.clone()).unwrap_or_default()).collect();
        let vals: Vec<String> = row.iter().map(|v| v.clone().unwrap_or_else(|| "null".into())).collect();
        return Err(Error::new(
            SqlState::FOREIGN_KEY_VIOLATION,
            format!("insert or update on table \"{}\" violates foreign key constraint \"{name}\"", rel.name),
        )
        .with_detail(format!("Key ({})=({}) is not present in table \"{}\".", names.join(", "), vals.join(", "), parent.name)));
    }
    if *match_type == b'f' && columns.len() > 1 {
        let any_null: Vec<String> = keys.iter().map(|k| format!("{k} IS NULL")).collect();
        let sql = format!("SELECT 1 FROM {} c WHERE ({}) AND NOT ({}) LIMIT 1", qualified(&rel), any_null.join(" OR "), any_null.join(" AND "));
        if has_rows(d, &sql)? {
            return Err(Error::new(
                SqlState::FOREIGN_KEY_VIOLATION,
                format!("insert or update on table \"{}\" violates foreign key constraint \"{name}\"", rel.name),
            )
            .with_detail("MATCH FULL does not allow mixing of null and nonnull key values."));
        }
    }
    Ok(())
}

pub(crate) fn rename(s: &mut Session, r: &ast::RenameStmt) -> Result<Outcome> {
    let mut d = Ddl::new(s)?;
    let tag = match r.object {
        ObjectKind::View => "ALTER VIEW",
        ObjectKind::Index => "ALTER INDEX",
        ObjectKind::Sequence => "ALTER SEQUENCE",
        ObjectKind::Schema => "ALTER SCHEMA",
        _ => "ALTER TABLE",
    };
    if r.object == ObjectKind::Schema {
        let old = r.target.join(".");
        let ns =
            d.catalog.namespace_by_name(&old).ok_or_else(|| Error::new(SqlState::UNDEFINED_SCHEMA, format!("schema \"{old}\" does not exist")))?;
        if d.catalog.namespace_by_name(&r.new_name).is_some() {
            return Err(Error::new(SqlState::DUPLICATE_SCHEMA, format!("schema \"{}\" already exists", r.new_name)));
        }
        let new = r.new_name.clone();
        d.update("pg_namespace", |g| (g("oid") == Datum::Oid(ns.oid)).then(|| vec![("nspname", Datum::Text(new.clone()))]))?;
        d.refresh()?;
        return Ok(Outcome::Command { tag: tag.into() });
    }
    let Some(rel) = d.find_relation(&r.target)? else {
        if r.if_exists {
            d.notice(format!("relation \"{}\" does not exist, skipping", r.target.join(".")));
            return Ok(Outcome::Command { tag: tag.into() });
        }
        return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", r.target.join("."))));
    };
    let table = rel.oid;
    let new = r.new_name.clone();
    match (r.object, &r.subname) {
        (ObjectKind::Column, Some(old)) => {
            let col = rel.column(old).ok_or_else(|| missing_column(&rel, old))?.clone();
            if rel.column(&new).is_some() {
                return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{new}\" of relation \"{}\" already exists", rel.name)));
            }
            super::rewrite::rename_column_references(&mut d, &rel, old, &new)?;
            let attnum = col.attnum;
            d.update("pg_attribute", |g| {
                (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| vec![("attname", Datum::Text(new.clone()))])
            })?;
        }
        (ObjectKind::Constraint, Some(old)) => {
            let con =
                rel.constraints.iter().find(|c| &c.name == old).cloned().ok_or_else(|| {
                    Error::new(SqlState::UNDEFINED_OBJECT, format!("constraint \"{old}\" for table \"{}\" does not exist", rel.name))
                })?;
            if rel.constraints.iter().any(|c| c.name == new) {
                return Err(Error::new(SqlState::DUPLICATE_OBJECT, format!("constraint \"{new}\" for relation \"{}\" already exists", rel.name)));
            }
            d.update("pg_constraint", |g| (g("oid") == Datum::Oid(con.oid)).then(|| vec![("conname", Datum::Text(new.clone()))]))?;
            if let Some(i) = con.index {
                d.update("pg_class", |g| (g("oid") == Datum::Oid(i)).then(|| vec![("relname", Datum::Text(new.clone()))]))?;
            }
        }
        _ => {
            if d.catalog.relation_by_name(rel.namespace, &new).is_some() {
                return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{new}\" already exists")));
            }
            d.update("pg_class", |g| (g("oid") == Datum::Oid(table)).then(|| vec![("relname", Datum::Text(new.clone()))]))?;
            d.update("pg_type", |g| (g("typrelid") == Datum::Oid(table)).then(|| vec![("typname", Datum::Text(new.clone()))]))?;
            let (old_array, new_array, ns) = (format!("_{}", rel.name), format!("_{new}"), rel.namespace);
            d.update("pg_type", |g| {
                (g("typnamespace") == Datum::Oid(ns) && g("typname") == Datum::Text(old_array.clone()))
                    .then(|| vec![("typname", Datum::Text(new_array.clone()))])
            })?;
            // Constraints and stored expressions name the table only through its OID.
        }
    }
    d.refresh()?;
    Ok(Outcome::Command { tag: tag.into() })
}

pub(crate) fn alter_sequence(s: &mut Session, a: &ast::AlterSequenceStmt) -> Result<()> {
    let mut d = Ddl::new(s)?;
    let Some(rel) = d.find_relation(&a.name.name)? else {
        if a.if_exists {
            d.notice(format!("relation \"{}\" does not exist, skipping", a.name.name.join(".")));
            return Ok(());
        }
        return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", a.name.name.join("."))));
    };
    let seq =
        d.catalog.sequence(rel.oid).cloned().ok_or_else(|| Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a sequence", rel.name)))?;
    let old = create::SequenceParams {
        type_oid: seq.type_oid,
        start: seq.start,
        increment: seq.increment,
        max: seq.max,
        min: seq.min,
        cache: seq.cache,
        cycle: seq.cycle,
        restart: None,
        owned_by: None,
    };
    let p = create::sequence_params(&d, &a.options, Some(&old))?;
    let o = rel.oid;
    let p2 = p.clone();
    d.update("pg_sequence", |g| {
        (g("seqrelid") == Datum::Oid(o)).then(|| {
            vec![
                ("seqtypid", Datum::Oid(p2.type_oid)),
                ("seqstart", Datum::Int64(p2.start)),
                ("seqincrement", Datum::Int64(p2.increment)),
                ("seqmax", Datum::Int64(p2.max)),
                ("seqmin", Datum::Int64(p2.min)),
                ("seqcache", Datum::Int64(p2.cache)),
                ("seqcycle", Datum::Bool(p2.cycle)),
            ]
        })
    })?;
    let storage = d.storage();
    match p.restart {
        Some(v) => crate::sequence::write_state(&storage, rel.relfilenode, v.unwrap_or(p.start), false)?,
        None => {
            // The current value must stay within the new bounds.
            let (last, _) = crate::sequence::read_state(&storage, rel.relfilenode)?;
            if last < p.min {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("RESTART value ({last}) cannot be less than MINVALUE ({})", p.min),
                ));
            }
            if last > p.max {
                return Err(Error::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("RESTART value ({last}) cannot be greater than MAXVALUE ({})", p.max),
                ));
            }
        }
    }
    if let Some(owner) = &p.owned_by {
        match owner {
            Some(target) => create::set_owned_by(&mut d, o, target)?,
            None => {
                d.delete("pg_depend", |g| g("objid") == Datum::Oid(o) && g("deptype") == Datum::Char(b'a'))?;
            }
        }
    }
    d.refresh()
}

/// The deferrable constraints SET CONSTRAINTS names (AfterTriggerSetState):
/// a qualified name looks in its schema, a bare one in the first schema of
/// the search path that has a constraint of that name. Naming a
/// non-deferrable constraint is an error only for DEFERRED.
pub(crate) fn constraints_named(s: &mut Session, names: &[(Vec<String>, usize)], deferred: bool) -> Result<Vec<Oid>> {
    let d = Ddl::new(s)?;
    let mut oids = Vec::new();
    for (name, _) in names {
        let conname = &name[name.len() - 1];
        let namespaces = match name.len() {
            1 => {
                let mut path = d.catalog.search_path.clone();
                if !path.contains(&oa_ir::types::oid::PG_CATALOG_NAMESPACE) {
                    path.insert(0, oa_ir::types::oid::PG_CATALOG_NAMESPACE);
                }
                path
            }
            _ => {
                let schema = &name[name.len() - 2];
                let ns = d
                    .catalog
                    .namespace_by_name(schema)
                    .ok_or_else(|| Error::new(SqlState::INVALID_SCHEMA_NAME, format!("schema \"{schema}\" does not exist")))?;
                vec![ns.oid]
            }
        };
        let mut found = false;
        for ns in namespaces {
            for rel in d.catalog.relations_in(ns) {
                for c in rel.constraints.iter().filter(|c| &c.name == conname) {
                    found = true;
                    if c.deferrable {
                        oids.push(c.oid);
                    } else if deferred {
                        return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("constraint \"{conname}\" is not deferrable")));
                    }
                }
            }
            if found {
                break;
            }
        }
        if !found {
            return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("constraint \"{conname}\" does not exist")));
        }
    }
    Ok(oids)
}

/// ALTER TABLE/SEQUENCE/VIEW … SET SCHEMA (AlterTableNamespace): the relation
/// moves with its row and array types, indexes, constraints and owned sequences.
pub(crate) fn set_schema(s: &mut Session, a: &ast::AlterObjectSchemaStmt) -> Result<Outcome> {
    let tag = match a.object {
        ObjectKind::Sequence => "ALTER SEQUENCE",
        ObjectKind::View => "ALTER VIEW",
        ObjectKind::MaterializedView => "ALTER MATERIALIZED VIEW",
        ObjectKind::ForeignTable => "ALTER FOREIGN TABLE",
        _ => "ALTER TABLE",
    };
    let mut d = Ddl::new(s)?;
    let Some(rel) = d.find_relation(&a.target)? else {
        if a.if_exists {
            d.notice(format!("relation \"{}\" does not exist, skipping", a.target.join(".")));
            return Ok(Outcome::Command { tag: tag.into() });
        }
        return Err(Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", a.target.join("."))).with_position(a.loc));
    };
    let wrong = match a.object {
        ObjectKind::Sequence => (rel.kind != RelKind::Sequence).then_some("a sequence"),
        ObjectKind::View => (rel.kind != RelKind::View).then_some("a view"),
        ObjectKind::MaterializedView => (rel.kind != RelKind::MaterializedView).then_some("a materialized view"),
        ObjectKind::ForeignTable => (rel.kind != RelKind::ForeignTable).then_some("a foreign table"),
        _ => None,
    };
    if let Some(what) = wrong {
        return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not {what}", rel.name)));
    }
    // Sequences that SERIAL or identity columns tie to a table.
    let owned_by = |d: &mut Ddl, column: &str, other: &str, o: Oid| {
        super::query_internal(
            d,
            &format!(
                "SELECT {other}::text FROM pg_catalog.pg_depend WHERE {column} = {o} AND classid = 1259 AND refclassid = 1259 AND deptype IN ('a', 'i')"
            ),
        )
    };
    if rel.kind == RelKind::Sequence
        && let Some(table) = owned_by(&mut d, "objid", "refobjid::regclass", rel.oid)?.first().and_then(|r| r[0].clone())
    {
        return Err(Error::feature_not_supported("cannot move an owned sequence into another schema")
            .with_detail(format!("Sequence \"{}\" is linked to table \"{table}\".", rel.name)));
    }
    let (ns, _) = d.creation_namespace(&[a.new_schema.clone(), rel.name.clone()], a.loc)?;
    let new_is_temp = d.catalog.namespace(ns).is_some_and(|n| n.name.starts_with("pg_temp_"));
    if new_is_temp || rel.persistence == b't' {
        return Err(Error::feature_not_supported("cannot move objects into or out of temporary schemas"));
    }
    if ns == rel.namespace {
        return Ok(Outcome::Command { tag: tag.into() });
    }
    let mut moving = vec![rel.clone()];
    for row in owned_by(&mut d, "refobjid", "objid::oid", rel.oid)? {
        if let Some(seq) = row[0].as_deref().and_then(|o| o.parse().ok()).and_then(|o| d.catalog.relation(o)) {
            moving.push(seq);
        }
    }
    for r in &moving {
        if d.catalog.relation_by_name(ns, &r.name).is_some() {
            return Err(Error::new(SqlState::DUPLICATE_TABLE, format!("relation \"{}\" already exists in schema \"{}\"", r.name, a.new_schema)));
        }
    }
    let (old_ns, new_ns) = (Datum::Oid(rel.namespace), Datum::Oid(ns));
    for r in &moving {
        let classes: Vec<Datum> = std::iter::once(r.oid).chain(r.indexes.iter().map(|i| i.oid)).map(Datum::Oid).collect();
        d.update("pg_class", |g| classes.contains(&g("oid")).then(|| vec![("relnamespace", new_ns.clone())]))?;
        let table = Datum::Oid(r.oid);
        d.update("pg_constraint", |g| (g("conrelid") == table).then(|| vec![("connamespace", new_ns.clone())]))?;
        let array = Datum::Text(format!("_{}", r.name));
        d.update("pg_type", |g| {
            (g("typrelid") == table || (g("typnamespace") == old_ns && g("typname") == array)).then(|| vec![("typnamespace", new_ns.clone())])
        })?;
    }
    d.refresh()?;
    Ok(Outcome::Command { tag: tag.into() })
}
