//! TRUNCATE, ANALYZE, VACUUM and COMMENT.

use std::collections::HashSet;
use std::sync::Arc;

use oa_frontend::Catalog;
use oa_grammar::ast;
use oa_ir::catalog::{RelKind, RelationDesc};
use oa_ir::datum::Datum;
use oa_ir::types::Oid;
use oa_ir::{Error, Result, SqlState};
use oa_storage::{RelFileNumber, TupleBatch, TupleDesc};

use super::Ddl;
use crate::catalog::CatalogRow;
use crate::exec::eval::physical_of;
use crate::session::Session;

fn heap_desc(rel: &RelationDesc) -> TupleDesc {
    TupleDesc::new(rel.columns.iter().map(|c| physical_of(c.ty)).collect())
}

pub(crate) fn truncate(s: &mut Session, t: &ast::TruncateStmt) -> Result<()> {
    let mut d = Ddl::new(s)?;
    let mut tables: Vec<Arc<RelationDesc>> = Vec::new();
    for rv in &t.tables {
        let rel = d.table(rv)?;
        if rel.kind != RelKind::Table {
            return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table", rel.name)));
        }
        if !tables.iter().any(|x| x.oid == rel.oid) {
            tables.push(rel);
        }
    }
    // Tables referencing a truncated one must be truncated with it (or CASCADE adds them).
    let mut i = 0;
    while i < tables.len() {
        let refs: Vec<Oid> = tables[i].referenced_by.iter().map(|(c, _)| *c).collect();
        for child in refs {
            if tables.iter().any(|x| x.oid == child) {
                continue;
            }
            let Some(c) = d.catalog.relation(child) else { continue };
            if !t.cascade {
                return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "cannot truncate a table referenced in a foreign key constraint")
                    .with_detail(format!("Table \"{}\" references \"{}\".", c.name, tables[i].name))
                    .with_hint(format!("Truncate table \"{}\" at the same time, or use TRUNCATE ... CASCADE.", c.name)));
            }
            d.notice(format!("truncate cascades to table \"{}\"", c.name));
            tables.push(c);
        }
        i += 1;
    }
    let storage = d.storage();
    for rel in &tables {
        let new = d.new_oid()?;
        storage.truncate(d.txn()?, RelFileNumber(rel.relfilenode), RelFileNumber(new))?;
        let o = rel.oid;
        d.update("pg_class", |g| (g("oid") == Datum::Oid(o)).then(|| vec![("relfilenode", Datum::Oid(new))]))?;
        for idx in &rel.indexes {
            let new = d.new_oid()?;
            storage.truncate(d.txn()?, RelFileNumber(idx.relfilenode), RelFileNumber(new))?;
            let io = idx.oid;
            d.update("pg_class", |g| (g("oid") == Datum::Oid(io)).then(|| vec![("relfilenode", Datum::Oid(new))]))?;
        }
        if t.restart_identity {
            for c in rel.live_columns() {
                let Some(def) = &c.default else { continue };
                for seq in d.catalog.user.sequences.values() {
                    if def.contains(&format!("{}::regclass", seq.oid))
                        || d.catalog.relation(seq.oid).is_some_and(|r| def.contains(&format!("'{}'", r.name)))
                    {
                        let file = d.catalog.relation(seq.oid).map(|r| r.relfilenode).unwrap_or(seq.oid);
                        crate::sequence::write_state(&storage, file, seq.start, false)?;
                    }
                }
            }
        }
    }
    d.refresh()
}

/// ANALYZE: row counts, NULL fractions and distinct counts into pg_statistic
/// and pg_class.reltuples, which the optimizer's estimates read.
pub(crate) fn analyze(s: &mut Session, targets: &[(ast::RangeVar, Vec<String>)]) -> Result<()> {
    let mut d = Ddl::new(s)?;
    let tables: Vec<Arc<RelationDesc>> = if targets.is_empty() {
        let mut v: Vec<_> = d.catalog.user.relations.values().filter(|r| r.kind == RelKind::Table).cloned().collect();
        v.sort_by_key(|r| r.oid);
        v
    } else {
        let mut v = Vec::new();
        for (rv, cols) in targets {
            let rel = d.table(rv)?;
            for c in cols {
                if rel.column(c).is_none() {
                    return Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{c}\" of relation \"{}\" does not exist", rel.name)));
                }
            }
            if rel.kind == RelKind::Table {
                v.push(rel);
            }
        }
        v
    };
    let storage = d.storage();
    for rel in tables {
        let desc = heap_desc(&rel);
        let live: Vec<usize> = rel.columns.iter().enumerate().filter(|(_, c)| !c.dropped).map(|(i, _)| i).collect();
        let mut rows = 0u64;
        let mut nulls = vec![0u64; rel.columns.len()];
        let mut widths = vec![0u64; rel.columns.len()];
        let mut distinct: Vec<HashSet<u64>> = vec![HashSet::new(); rel.columns.len()];
        let mut scan = storage.scan(RelFileNumber(rel.relfilenode), &d.snapshot)?;
        let mut batch = TupleBatch::new();
        while scan.next_page(&mut batch)? {
            for (_, t) in batch.iter() {
                rows += 1;
                let values = oa_storage::deform_tuple(&desc, t)?;
                for &i in &live {
                    match values.get(i) {
                        None | Some(Datum::Null) => nulls[i] += 1,
                        Some(v) => {
                            let mut h = std::collections::hash_map::DefaultHasher::new();
                            v.sql_hash(&mut h);
                            distinct[i].insert(std::hash::Hasher::finish(&h));
                            widths[i] += datum_width(v);
                        }
                    }
                }
            }
        }
        let o = rel.oid;
        d.delete("pg_statistic", |g| g("starelid") == Datum::Oid(o))?;
        for &i in &live {
            let c = &rel.columns[i];
            let non_null = rows - nulls[i];
            let nd = distinct[i].len() as f64;
            // PostgreSQL stores a negative fraction when distinct values grow with the table.
            let stadistinct = if non_null == 0 {
                0.0
            } else if nd as u64 == non_null {
                -(non_null as f64 / rows as f64)
            } else if nd > 0.1 * rows as f64 {
                -(nd / rows as f64)
            } else {
                nd
            };
            d.insert(
                CatalogRow::new("pg_statistic")?
                    .set("starelid", Datum::Oid(o))
                    .set("staattnum", Datum::Int16(c.attnum))
                    .set("stainherit", Datum::Bool(false))
                    .set("stanullfrac", Datum::Float32(if rows == 0 { 0.0 } else { nulls[i] as f32 / rows as f32 }))
                    .set("stawidth", Datum::Int32(widths[i].checked_div(non_null).unwrap_or(0) as i32))
                    .set("stadistinct", Datum::Float32(stadistinct as f32)),
            )?;
        }
        let pages = storage.nblocks(RelFileNumber(rel.relfilenode))?;
        d.update("pg_class", |g| {
            (g("oid") == Datum::Oid(o)).then(|| vec![("reltuples", Datum::Float32(rows as f32)), ("relpages", Datum::Int32(pages as i32))])
        })?;
    }
    d.refresh()
}

pub(crate) fn vacuum(s: &mut Session, v: &ast::VacuumStmt) -> Result<()> {
    if s.in_transaction_block() {
        return Err(Error::new(SqlState::ACTIVE_SQL_TRANSACTION, "VACUUM cannot run inside a transaction block"));
    }
    let d = Ddl::new(s)?;
    let tables: Vec<Arc<RelationDesc>> = if v.tables.is_empty() {
        d.catalog.user.relations.values().filter(|r| r.kind == RelKind::Table).cloned().collect()
    } else {
        v.tables.iter().map(|(rv, _)| d.table(rv)).collect::<Result<_>>()?
    };
    let storage = d.storage();
    let mut d = d;
    for rel in &tables {
        let indexes: Vec<RelFileNumber> = rel.indexes.iter().map(|i| RelFileNumber(i.relfilenode)).collect();
        let oldest = storage.oldest_xmin();
        storage.vacuum(d.txn()?, RelFileNumber(rel.relfilenode), &indexes, oldest)?;
    }
    let analyze_too = v.analyze || v.options.iter().any(|o| o.name == "analyze");
    drop(d);
    if analyze_too {
        analyze(s, &v.tables)?;
    }
    Ok(())
}

pub(crate) fn comment(s: &mut Session, c: &ast::CommentStmt) -> Result<()> {
    let mut d = Ddl::new(s)?;
    let (objoid, classoid, subid) = match c.object {
        ast::ObjectKind::Table | ast::ObjectKind::View | ast::ObjectKind::Index | ast::ObjectKind::Sequence => {
            let rel = d
                .find_relation(&c.target)?
                .ok_or_else(|| Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", c.target.join("."))))?;
            (rel.oid, 1259u32, 0i32)
        }
        ast::ObjectKind::Column => {
            let (table, col) = c.target.split_at(c.target.len().saturating_sub(1));
            let rel = d
                .find_relation(table)?
                .ok_or_else(|| Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", table.join("."))))?;
            let name = col.first().cloned().unwrap_or_default();
            let cd = rel
                .column(&name)
                .ok_or_else(|| Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" of relation \"{}\" does not exist", rel.name)))?;
            (rel.oid, 1259, cd.attnum as i32)
        }
        ast::ObjectKind::Schema => {
            let n = c.target.join(".");
            let ns =
                d.catalog.namespace_by_name(&n).ok_or_else(|| Error::new(SqlState::UNDEFINED_SCHEMA, format!("schema \"{n}\" does not exist")))?;
            (ns.oid, 2615, 0)
        }
        ast::ObjectKind::Constraint => return Err(Error::feature_not_supported("COMMENT ON CONSTRAINT is not supported yet")),
        _ => return Err(Error::feature_not_supported("COMMENT on this kind of object is not supported yet")),
    };
    d.delete("pg_description", |g| {
        g("objoid") == Datum::Oid(objoid) && g("classoid") == Datum::Oid(classoid) && g("objsubid") == Datum::Int32(subid)
    })?;
    if let Some(text) = c.comment.as_ref().filter(|t| !t.is_empty()) {
        d.insert(
            CatalogRow::new("pg_description")?
                .set("objoid", Datum::Oid(objoid))
                .set("classoid", Datum::Oid(classoid))
                .set("objsubid", Datum::Int32(subid))
                .set("description", Datum::Text(text.clone())),
        )?;
    }
    d.refresh()
}

/// Average-width input for pg_statistic.stawidth: bytes of the stored value.
fn datum_width(d: &Datum) -> u64 {
    match d {
        Datum::Text(s) => s.len() as u64 + 1,
        Datum::Bytes(b) => b.len() as u64 + 1,
        Datum::Bool(_) | Datum::Char(_) => 1,
        Datum::Int16(_) => 2,
        Datum::Int32(_) | Datum::Oid(_) | Datum::Float32(_) => 4,
        Datum::Interval(_) => 16,
        Datum::Numeric(n) => n.to_binary().len() as u64,
        _ => 8,
    }
}
