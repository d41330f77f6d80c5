//! Reading and writing catalog relations, and bootstrapping them from
//! PostgreSQL's catalog data.

use std::collections::HashMap;
use std::sync::Arc;

use oa_ir::datum::Datum;
use oa_ir::io::IoContext;
use oa_ir::types::{Oid, SqlType, oid};
use oa_ir::{Error, Result};
use oa_storage::{RelFileNumber, Snapshot, Storage, Tid, Transaction, TupleBatch, form_tuple};

use super::builtin::{bki_type, builtin};

/// Column positions of a catalog by name.
fn column_map(catalog: Oid) -> HashMap<&'static str, usize> {
    builtin()
        .data
        .catalogs
        .iter()
        .find(|c| c.oid == catalog)
        .map(|c| c.columns.iter().enumerate().map(|(i, col)| (col.name, i)).collect())
        .unwrap_or_default()
}

pub fn catalog_oid(name: &str) -> Result<Oid> {
    builtin().relations_by_name.get(name).copied().ok_or_else(|| Error::internal(format!("no catalog {name}")))
}

/// The column naming the object a catalog row describes: rows about
/// built-in objects (OID below 16384) are never read or changed by user DDL,
/// so scans skip them without deforming (the catalogs hold thousands).
fn object_column(name: &str) -> Option<&'static str> {
    Some(match name {
        "pg_class" | "pg_type" | "pg_namespace" | "pg_constraint" | "pg_rewrite" | "pg_attrdef" => "oid",
        "pg_attribute" => "attrelid",
        "pg_index" => "indexrelid",
        "pg_sequence" => "seqrelid",
        "pg_statistic" => "starelid",
        "pg_depend" => "objid",
        _ => return None,
    })
}

/// Whether a tuple is about a user object (or the catalog has no such column).
fn is_user_row(desc: &oa_storage::TupleDesc, tuple: &[u8], attno: Option<usize>) -> Result<bool> {
    let Some(a) = attno else { return Ok(true) };
    Ok(match oa_storage::get_attr(desc, tuple, a)? {
        oa_storage::RawValue::Oid(o) => o >= oid::FIRST_NORMAL_OBJECT_ID,
        _ => true,
    })
}

/// Deformed catalog rows, each with its catalog's column map.
pub type CatalogRows = Vec<(Vec<Datum>, HashMap<&'static str, usize>)>;

/// Every visible row of a catalog, deformed, with its column map.
pub fn scan_catalog(storage: &Arc<Storage>, snapshot: &Snapshot, name: &str) -> Result<CatalogRows> {
    scan_rows(storage, snapshot, name, false)
}

/// The visible rows of a catalog that describe user objects (see `object_column`).
pub fn scan_user_rows(storage: &Arc<Storage>, snapshot: &Snapshot, name: &str) -> Result<CatalogRows> {
    scan_rows(storage, snapshot, name, true)
}

fn scan_rows(storage: &Arc<Storage>, snapshot: &Snapshot, name: &str, user_only: bool) -> Result<CatalogRows> {
    let rel = catalog_oid(name)?;
    let desc = builtin().tuple_descs.get(&rel).ok_or_else(|| Error::internal(format!("no layout for {name}")))?;
    let cols = column_map(rel);
    let key = if user_only { object_column(name).and_then(|c| cols.get(c).copied()) } else { None };
    let mut scan = storage.scan(RelFileNumber(rel), snapshot)?;
    let mut batch = TupleBatch::new();
    let mut out = Vec::new();
    while scan.next_page(&mut batch)? {
        for (_, t) in batch.iter() {
            if is_user_row(desc, t, key)? {
                out.push((oa_storage::deform_tuple(desc, t)?, cols.clone()));
            }
        }
    }
    Ok(out)
}

/// A catalog row under construction: every column NULL or its type's zero.
pub struct CatalogRow {
    pub catalog: Oid,
    pub values: Vec<Datum>,
    cols: HashMap<&'static str, usize>,
}

impl CatalogRow {
    pub fn new(name: &str) -> Result<CatalogRow> {
        let catalog = catalog_oid(name)?;
        let def = builtin().data.catalogs.iter().find(|c| c.oid == catalog).ok_or_else(|| Error::internal(format!("no catalog {name}")))?;
        let b = builtin();
        // NOT NULL columns start with a zero of their type so a forgotten field is not NULL.
        let values = def.columns.iter().map(|c| if c.not_null { zero_of(bki_type(c.type_name, &b.types_by_name)) } else { Datum::Null }).collect();
        Ok(CatalogRow { catalog, values, cols: column_map(catalog) })
    }

    pub fn set(mut self, col: &str, v: impl Into<Datum>) -> Self {
        if let Some(i) = self.cols.get(col) {
            self.values[*i] = v.into();
        }
        self
    }

    pub fn insert(self, storage: &Storage, txn: &mut Transaction) -> Result<Tid> {
        let desc = builtin().tuple_descs.get(&self.catalog).ok_or_else(|| Error::internal("catalog layout missing"))?;
        let t = form_tuple(desc, &self.values)?;
        let cid = txn.command_id();
        storage.insert(RelFileNumber(self.catalog), &t, txn, cid)
    }
}

fn zero_of(ty: SqlType) -> Datum {
    match crate::exec::eval::physical_of(ty) {
        oa_ir::PhysicalType::Bool => Datum::Bool(false),
        oa_ir::PhysicalType::Char => Datum::Char(0),
        oa_ir::PhysicalType::Int16 => Datum::Int16(0),
        oa_ir::PhysicalType::Int32 => Datum::Int32(0),
        oa_ir::PhysicalType::Int64 => Datum::Int64(0),
        oa_ir::PhysicalType::Oid => Datum::Oid(0),
        oa_ir::PhysicalType::Float32 => Datum::Float32(0.0),
        oa_ir::PhysicalType::Float64 => Datum::Float64(0.0),
        oa_ir::PhysicalType::Text => Datum::Text(String::new()),
        _ => Datum::Null,
    }
}

/// Deletes the rows of a catalog for which `pred` holds; returns how many.
pub fn delete_where(
    storage: &Arc<Storage>,
    txn: &mut Transaction,
    name: &str,
    pred: impl Fn(&[Datum], &HashMap<&'static str, usize>) -> bool,
) -> Result<usize> {
    let rel = catalog_oid(name)?;
    let desc = builtin().tuple_descs.get(&rel).ok_or_else(|| Error::internal("catalog layout missing"))?.clone();
    let cols = column_map(rel);
    let key = object_column(name).and_then(|c| cols.get(c).copied());
    let snapshot = txn.snapshot();
    let mut scan = storage.scan(RelFileNumber(rel), &snapshot)?;
    let mut batch = TupleBatch::new();
    let mut victims = Vec::new();
    while scan.next_page(&mut batch)? {
        for (tid, t) in batch.iter() {
            if !is_user_row(&desc, t, key)? {
                continue;
            }
            let row = oa_storage::deform_tuple(&desc, t)?;
            if pred(&row, &cols) {
                victims.push(tid);
            }
        }
    }
    let cid = txn.command_id();
    for tid in &victims {
        if let Err(f) = storage.delete(RelFileNumber(rel), *tid, txn, cid)? {
            return Err(Error::internal(format!("catalog row {tid:?} of {name} could not be deleted: {f:?}")));
        }
    }
    Ok(victims.len())
}

/// Rewrites the rows of a catalog for which `update` returns a new row.
pub fn update_where(
    storage: &Arc<Storage>,
    txn: &mut Transaction,
    name: &str,
    update: impl Fn(&[Datum], &HashMap<&'static str, usize>) -> Option<Vec<Datum>>,
) -> Result<usize> {
    let rel = catalog_oid(name)?;
    let desc = builtin().tuple_descs.get(&rel).ok_or_else(|| Error::internal("catalog layout missing"))?.clone();
    let cols = column_map(rel);
    let key = object_column(name).and_then(|c| cols.get(c).copied());
    let snapshot = txn.snapshot();
    let mut scan = storage.scan(RelFileNumber(rel), &snapshot)?;
    let mut batch = TupleBatch::new();
    let mut changes = Vec::new();
    while scan.next_page(&mut batch)? {
        for (tid, t) in batch.iter() {
            if !is_user_row(&desc, t, key)? {
                continue;
            }
            let row = oa_storage::deform_tuple(&desc, t)?;
            if let Some(new) = update(&row, &cols) {
                changes.push((tid, form_tuple(&desc, &new)?));
            }
        }
    }
    let cid = txn.command_id();
    for (tid, t) in &changes {
        if let Err(f) = storage.update(RelFileNumber(rel), *tid, t, txn, cid)? {
            return Err(Error::internal(format!("catalog row {tid:?} of {name} could not be updated: {f:?}")));
        }
    }
    Ok(changes.len())
}

/// Creates every catalog relation and fills it with PostgreSQL's built-in rows,
/// plus the pg_class/pg_attribute rows describing the catalogs themselves.
pub fn bootstrap(storage: &Arc<Storage>) -> Result<()> {
    let b = builtin();
    let mut txn = storage.begin();
    let io = IoContext::default();
    let elem_of = |t: Oid| oa_ir::typeio::builtin_array_elem(t).map(|e| (e, b','));
    for def in &b.data.catalogs {
        storage.create_relation(&mut txn, RelFileNumber(def.oid))?;
    }
    let cid = txn.command_id();
    for def in &b.data.catalogs {
        let desc = &b.tuple_descs[&def.oid];
        let types: Vec<SqlType> = def.columns.iter().map(|c| bki_type(c.type_name, &b.types_by_name)).collect();
        for row in &def.rows {
            let mut values = Vec::with_capacity(row.len());
            for (field, ty) in row.iter().zip(&types) {
                values.push(match field {
                    None => Datum::Null,
                    Some(text) => bootstrap_value(*ty, text, &io, &elem_of)?,
                });
            }
            let t = form_tuple(desc, &values)?;
            storage.insert(RelFileNumber(def.oid), &t, &mut txn, cid)?;
        }
    }
    // pg_class and pg_attribute rows for the catalogs the bki does not describe.
    for def in b.data.catalogs.iter().filter(|d| !d.bootstrap) {
        let row = CatalogRow::new("pg_class")?
            .set("oid", Datum::Oid(def.oid))
            .set("relname", Datum::Text(def.name.to_string()))
            .set("relnamespace", Datum::Oid(oid::PG_CATALOG_NAMESPACE))
            .set("reltype", Datum::Oid(def.rowtype_oid.unwrap_or(0)))
            .set("relowner", Datum::Oid(oid::BOOTSTRAP_SUPERUSER))
            .set("relam", Datum::Oid(oid::HEAP_AM))
            .set("relfilenode", Datum::Oid(if def.shared { 0 } else { def.oid }))
            .set("reltuples", Datum::Float32(def.rows.len() as f32))
            .set("relisshared", Datum::Bool(def.shared))
            .set("relpersistence", Datum::Char(b'p'))
            .set("relkind", Datum::Char(b'r'))
            .set("relnatts", Datum::Int16(def.columns.len() as i16))
            .set("relhasindex", Datum::Bool(!def.indexes.is_empty()))
            .set("relreplident", Datum::Char(b'n'))
            .set("relfrozenxid", Datum::Oid(3))
            .set("relminmxid", Datum::Oid(1));
        row.insert(storage, &mut txn)?;
        for (i, c) in def.columns.iter().enumerate() {
            let ty = bki_type(c.type_name, &b.types_by_name);
            let t = b.types.get(&ty.oid);
            CatalogRow::new("pg_attribute")?
                .set("attrelid", Datum::Oid(def.oid))
                .set("attname", Datum::Text(c.name.to_string()))
                .set("atttypid", Datum::Oid(ty.oid))
                .set("attlen", Datum::Int16(t.map_or(-1, |t| t.len)))
                .set("attnum", Datum::Int16(i as i16 + 1))
                .set("attcacheoff", Datum::Int32(-1))
                .set("atttypmod", Datum::Int32(-1))
                .set("attbyval", Datum::Bool(t.is_some_and(|t| t.byval)))
                .set("attalign", Datum::Char(t.map_or(b'i', |t| t.align)))
                .set("attstorage", Datum::Char(if t.is_some_and(|t| t.len == -1) { b'x' } else { b'p' }))
                .set("attnotnull", Datum::Bool(c.not_null))
                .set("attislocal", Datum::Bool(true))
                .set("attcollation", Datum::Oid(if t.is_some_and(|t| t.collation != 0) { oid::C_COLLATION } else { 0 }))
                .insert(storage, &mut txn)?;
        }
    }
    txn.commit()
}

fn bootstrap_value(ty: SqlType, text: &str, io: &IoContext, elem_of: oa_ir::io::ElemTypeOf<'_>) -> Result<Datum> {
    // reg* columns hold numeric OIDs (or "-") in the bootstrap data.
    if matches!(ty.oid, oid::REGPROC | oid::REGTYPE | oid::REGCLASS | oid::REGOPER | oid::REGPROCEDURE | oid::REGOPERATOR) {
        return Ok(Datum::Oid(if text == "-" { 0 } else { text.parse().unwrap_or(0) }));
    }
    if ty.oid == oid::ACLITEM || ty.oid == oid::PG_NODE_TREE {
        return Ok(Datum::Text(text.to_string()));
    }
    if ty.oid == 1034 {
        // aclitem[]: kept as text elements.
        let arr = oa_ir::typeio::array_in(text, oid::ACLITEM, -1, &mut |s| Ok(Datum::Text(s.to_string())), b',')?;
        return Ok(Datum::Array(Box::new(arr)));
    }
    oa_ir::io::input(ty, text, io, elem_of)
}
