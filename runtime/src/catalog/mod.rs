//! The catalog as the engine uses it: pg_catalog relations stored as heap
//! relations (so DDL is transactional DML on them), plus a cache that the
//! binder and planner read. Built-in rows are cached once per process; user
//! objects are re-read from the relations whenever the catalog changed.

pub mod builtin;
mod store;

use std::collections::HashMap;
use std::sync::Arc;

use oa_ir::Result;
use oa_ir::catalog::{
    AggregateDesc, CastDesc, ColumnDesc, ConstraintDesc, ConstraintKind, IndexDesc, NamespaceDesc, OperatorDesc, ProcDesc, RelKind, RelationDesc,
    TypeDesc,
};
use oa_ir::datum::Datum;
use oa_ir::types::{Oid, SqlType, oid};
use oa_optimizer::{ColumnStats, Statistics};
use oa_storage::{Snapshot, Storage};

pub use builtin::{Builtin, builtin};
pub use store::{CatalogRow, CatalogRows, bootstrap, delete_where, scan_catalog, scan_user_rows, update_where};

/// User-created objects as of one catalog version.
#[derive(Default)]
pub struct UserCatalog {
    pub namespaces: Vec<NamespaceDesc>,
    pub relations: HashMap<Oid, Arc<RelationDesc>>,
    pub relations_by_name: HashMap<(Oid, String), Oid>,
    pub types: HashMap<Oid, Arc<TypeDesc>>,
    pub types_by_name: HashMap<(Oid, String), Oid>,
    /// ANALYZE results: (table, attnum) → stats; table → rows.
    pub column_stats: HashMap<(Oid, i16), ColumnStats>,
    pub table_rows: HashMap<Oid, f64>,
    /// Sequence relations: oid → (relfilenode of the one-row state relation).
    pub sequences: HashMap<Oid, SequenceDesc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SequenceDesc {
    pub oid: Oid,
    pub type_oid: Oid,
    pub start: i64,
    pub increment: i64,
    pub max: i64,
    pub min: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// What one session sees of the catalog: built-ins, user objects, and its search path.
pub struct CatalogView {
    pub builtin: &'static Builtin,
    pub user: Arc<UserCatalog>,
    pub search_path: Vec<Oid>,
    /// The first existing schema of the path (where CREATE puts things).
    pub creation_namespace: Option<Oid>,
    pub database: String,
    pub user_name: String,
}

impl CatalogView {
    pub fn all_namespaces(&self) -> impl Iterator<Item = &NamespaceDesc> {
        self.builtin.namespaces.iter().chain(self.user.namespaces.iter())
    }

    pub fn namespace_name(&self, oid: Oid) -> Option<String> {
        self.all_namespaces().find(|n| n.oid == oid).map(|n| n.name.clone())
    }

    /// Relations in a namespace (for DROP SCHEMA CASCADE and the like).
    pub fn relations_in(&self, ns: Oid) -> Vec<Arc<RelationDesc>> {
        let mut v: Vec<Arc<RelationDesc>> = self.user.relations.values().filter(|r| r.namespace == ns).cloned().collect();
        v.sort_by_key(|r| r.oid);
        v
    }

    pub fn sequence(&self, oid: Oid) -> Option<&SequenceDesc> {
        self.user.sequences.get(&oid)
    }
}

impl oa_frontend::Catalog for CatalogView {
    fn search_path(&self) -> Vec<Oid> {
        self.search_path.clone()
    }

    fn creation_namespace(&self) -> Option<Oid> {
        self.creation_namespace
    }

    fn namespace(&self, oid: Oid) -> Option<NamespaceDesc> {
        self.all_namespaces().find(|n| n.oid == oid).cloned()
    }

    fn namespace_by_name(&self, name: &str) -> Option<NamespaceDesc> {
        self.all_namespaces().find(|n| n.name == name).cloned()
    }

    fn relation(&self, oid: Oid) -> Option<Arc<RelationDesc>> {
        self.user.relations.get(&oid).or_else(|| self.builtin.relations.get(&oid)).cloned()
    }

    fn relation_by_name(&self, namespace: Oid, name: &str) -> Option<Arc<RelationDesc>> {
        if namespace == oid::PG_CATALOG_NAMESPACE
            && let Some(o) = self.builtin.relations_by_name.get(name)
        {
            return self.builtin.relations.get(o).cloned();
        }
        if namespace < oid::FIRST_NORMAL_OBJECT_ID
            && let Some(o) = self.builtin.views_by_name.get(&(namespace, name.to_string()))
        {
            return self.builtin.relations.get(o).cloned();
        }
        let o = self.user.relations_by_name.get(&(namespace, name.to_string()))?;
        self.user.relations.get(o).cloned()
    }

    fn type_by_oid(&self, oid: Oid) -> Option<Arc<TypeDesc>> {
        self.builtin.types.get(&oid).or_else(|| self.user.types.get(&oid)).cloned()
    }

    fn type_by_name(&self, namespace: Oid, name: &str) -> Option<Arc<TypeDesc>> {
        let key = (namespace, name.to_string());
        if let Some(o) = self.builtin.types_by_name.get(&key) {
            return self.builtin.types.get(o).cloned();
        }
        let o = self.user.types_by_name.get(&key)?;
        self.user.types.get(o).cloned()
    }

    fn proc(&self, oid: Oid) -> Option<Arc<ProcDesc>> {
        self.builtin.procs.get(&oid).cloned()
    }

    fn procs_by_name(&self, name: &str) -> Vec<Arc<ProcDesc>> {
        self.builtin.procs_by_name.get(name).cloned().unwrap_or_default()
    }

    fn operator(&self, oid: Oid) -> Option<Arc<OperatorDesc>> {
        self.builtin.operators.get(&oid).cloned()
    }

    fn operators_by_name(&self, name: &str) -> Vec<Arc<OperatorDesc>> {
        self.builtin.operators_by_name.get(name).cloned().unwrap_or_default()
    }

    fn cast(&self, source: Oid, target: Oid) -> Option<CastDesc> {
        self.builtin.casts.get(&(source, target)).copied()
    }

    fn aggregate(&self, fnoid: Oid) -> Option<Arc<AggregateDesc>> {
        self.builtin.aggregates.get(&fnoid).cloned()
    }

    fn database_name(&self) -> String {
        self.database.clone()
    }

    fn user_name(&self) -> String {
        self.user_name.clone()
    }

    fn role_oid(&self, name: &str) -> Option<Oid> {
        self.builtin.roles.iter().find(|(_, n)| n == name).map(|(o, _)| *o)
    }
}

impl CatalogView {
    /// A role's name (the bootstrap roles: there is no CREATE ROLE yet).
    pub fn role_name(&self, role: Oid) -> Option<&str> {
        self.builtin.roles.iter().find(|(o, _)| *o == role).map(|(_, n)| n.as_str())
    }
}

impl Statistics for CatalogView {
    fn table_rows(&self, table: Oid) -> Option<f64> {
        self.user.table_rows.get(&table).copied()
    }

    fn column(&self, table: Oid, attnum: i16) -> Option<ColumnStats> {
        self.user.column_stats.get(&(table, attnum)).copied()
    }
}

fn get<'a>(row: &'a [Datum], cols: &HashMap<&str, usize>, name: &str) -> &'a Datum {
    static NULL: Datum = Datum::Null;
    cols.get(name).and_then(|i| row.get(*i)).unwrap_or(&NULL)
}

fn as_oid(d: &Datum) -> Oid {
    match d {
        Datum::Oid(o) => *o,
        Datum::Int32(v) => *v as Oid,
        _ => 0,
    }
}

fn as_text(d: &Datum) -> String {
    match d {
        Datum::Text(s) => s.clone(),
        _ => String::new(),
    }
}

fn as_i64(d: &Datum) -> i64 {
    d.as_i64().unwrap_or(0)
}

fn as_bool(d: &Datum) -> bool {
    matches!(d, Datum::Bool(true))
}

fn as_char(d: &Datum) -> u8 {
    match d {
        Datum::Char(c) => *c,
        _ => 0,
    }
}

fn as_i16_list(d: &Datum) -> Vec<i16> {
    match d {
        Datum::Array(a) => a.elems.iter().filter_map(|e| e.as_i64()).map(|v| v as i16).collect(),
        Datum::Text(s) => s.split_whitespace().filter_map(|x| x.parse().ok()).collect(),
        _ => vec![],
    }
}

/// pg_index.indexprs as its expressions' SQL text. PostgreSQL stores a
/// nodeToString() list there; we store the deparsed expressions joined by
/// ", " (what pg_get_expr shows for the list), which reads back as the
/// arguments of `ROW(…)`.
fn expr_list(d: &Datum) -> Vec<String> {
    let Datum::Text(t) = d else { return vec![] };
    if t.is_empty() {
        return vec![];
    }
    split_expr_list(t).unwrap_or_default()
}

/// The expressions of a stored expression list (see `expr_list`), each deparsed again.
pub fn split_expr_list(text: &str) -> Option<Vec<String>> {
    let e = oa_grammar::parse_expr(&format!("ROW({text})")).ok()?;
    match e.kind {
        oa_grammar::ast::ExprKind::Row { args, .. } => args.iter().map(|a| oa_frontend::deparse_expr(a).ok()).collect(),
        _ => None,
    }
}

/// pg_class's own OID: pg_depend's classid for relations.
const PG_CLASS: Oid = 1259;

/// Reads the user-created objects from the catalog relations.
pub fn load_user(storage: &Arc<Storage>, snapshot: &Snapshot) -> Result<UserCatalog> {
    let b = builtin();
    let mut u = UserCatalog::default();
    let user_row = |o: Oid| o >= oid::FIRST_NORMAL_OBJECT_ID;

    for (row, c) in scan_user_rows(storage, snapshot, "pg_namespace")? {
        let o = as_oid(get(&row, &c, "oid"));
        if user_row(o) {
            u.namespaces.push(NamespaceDesc { oid: o, name: as_text(get(&row, &c, "nspname")) });
        }
    }
    for (row, c) in scan_user_rows(storage, snapshot, "pg_type")? {
        let o = as_oid(get(&row, &c, "oid"));
        if !user_row(o) {
            continue;
        }
        let t = TypeDesc {
            oid: o,
            name: as_text(get(&row, &c, "typname")),
            namespace: as_oid(get(&row, &c, "typnamespace")),
            len: as_i64(get(&row, &c, "typlen")) as i16,
            byval: as_bool(get(&row, &c, "typbyval")),
            typtype: as_char(get(&row, &c, "typtype")),
            category: as_char(get(&row, &c, "typcategory")),
            preferred: as_bool(get(&row, &c, "typispreferred")),
            delim: as_char(get(&row, &c, "typdelim")),
            relid: as_oid(get(&row, &c, "typrelid")),
            elem: as_oid(get(&row, &c, "typelem")),
            array: as_oid(get(&row, &c, "typarray")),
            input: as_oid(get(&row, &c, "typinput")),
            output: as_oid(get(&row, &c, "typoutput")),
            receive: as_oid(get(&row, &c, "typreceive")),
            send: as_oid(get(&row, &c, "typsend")),
            modin: as_oid(get(&row, &c, "typmodin")),
            modout: as_oid(get(&row, &c, "typmodout")),
            align: as_char(get(&row, &c, "typalign")),
            basetype: as_oid(get(&row, &c, "typbasetype")),
            typmod: as_i64(get(&row, &c, "typtypmod")) as i32,
            notnull: as_bool(get(&row, &c, "typnotnull")),
            collation: as_oid(get(&row, &c, "typcollation")),
        };
        u.types_by_name.insert((t.namespace, t.name.clone()), o);
        u.types.insert(o, Arc::new(t));
    }

    // Columns and defaults of user relations.
    let mut columns: HashMap<Oid, Vec<ColumnDesc>> = HashMap::new();
    for (row, c) in scan_user_rows(storage, snapshot, "pg_attribute")? {
        let rel = as_oid(get(&row, &c, "attrelid"));
        let attnum = as_i64(get(&row, &c, "attnum")) as i16;
        if !user_row(rel) || attnum <= 0 {
            continue;
        }
        columns.entry(rel).or_default().push(ColumnDesc {
            attnum,
            name: as_text(get(&row, &c, "attname")),
            ty: SqlType::with_typmod(as_oid(get(&row, &c, "atttypid")), as_i64(get(&row, &c, "atttypmod")) as i32),
            not_null: as_bool(get(&row, &c, "attnotnull")),
            default: None,
            identity: as_char(get(&row, &c, "attidentity")),
            generated: as_char(get(&row, &c, "attgenerated")),
            dropped: as_bool(get(&row, &c, "attisdropped")),
        });
    }
    for (row, c) in scan_user_rows(storage, snapshot, "pg_attrdef")? {
        let rel = as_oid(get(&row, &c, "adrelid"));
        let attnum = as_i64(get(&row, &c, "adnum")) as i16;
        if let Some(col) = columns.get_mut(&rel).and_then(|v| v.iter_mut().find(|x| x.attnum == attnum)) {
            col.default = Some(as_text(get(&row, &c, "adbin")));
        }
    }
    // Identity columns draw from the sequence they own (pg_depend deptype 'i').
    for (row, c) in scan_user_rows(storage, snapshot, "pg_depend")? {
        if as_char(get(&row, &c, "deptype")) != b'i' || as_oid(get(&row, &c, "classid")) != PG_CLASS {
            continue;
        }
        let seq = as_oid(get(&row, &c, "objid"));
        let rel = as_oid(get(&row, &c, "refobjid"));
        let attnum = as_i64(get(&row, &c, "refobjsubid")) as i16;
        if let Some(col) = columns.get_mut(&rel).and_then(|v| v.iter_mut().find(|x| x.attnum == attnum)) {
            col.default = Some(format!("nextval('{seq}'::regclass)"));
        }
    }
    let mut indexes: HashMap<Oid, Vec<IndexDesc>> = HashMap::new();
    let mut index_rows = Vec::new();
    for (row, c) in scan_user_rows(storage, snapshot, "pg_index")? {
        let idx = as_oid(get(&row, &c, "indexrelid"));
        if !user_row(idx) {
            continue;
        }
        index_rows.push((
            idx,
            as_oid(get(&row, &c, "indrelid")),
            as_i16_list(get(&row, &c, "indkey")),
            as_bool(get(&row, &c, "indisunique")),
            as_bool(get(&row, &c, "indisprimary")),
            as_bool(get(&row, &c, "indnullsnotdistinct")),
            expr_list(get(&row, &c, "indexprs")),
            match get(&row, &c, "indpred") {
                Datum::Text(t) if !t.is_empty() => Some(t.clone()),
                _ => None,
            },
        ));
    }
    let mut constraints: HashMap<Oid, Vec<ConstraintDesc>> = HashMap::new();
    for (row, c) in scan_user_rows(storage, snapshot, "pg_constraint")? {
        let o = as_oid(get(&row, &c, "oid"));
        if !user_row(o) {
            continue;
        }
        let rel = as_oid(get(&row, &c, "conrelid"));
        let columns = as_i16_list(get(&row, &c, "conkey"));
        let kind = match as_char(get(&row, &c, "contype")) {
            b'c' => ConstraintKind::Check { expr: as_text(get(&row, &c, "conbin")) },
            b'p' => ConstraintKind::PrimaryKey,
            b'u' => ConstraintKind::Unique,
            b'f' => ConstraintKind::ForeignKey {
                ref_table: as_oid(get(&row, &c, "confrelid")),
                columns: columns.clone(),
                ref_columns: as_i16_list(get(&row, &c, "confkey")),
                on_update: as_char(get(&row, &c, "confupdtype")),
                on_delete: as_char(get(&row, &c, "confdeltype")),
                match_type: as_char(get(&row, &c, "confmatchtype")),
            },
            _ => continue,
        };
        let idx = as_oid(get(&row, &c, "conindid"));
        constraints.entry(rel).or_default().push(ConstraintDesc {
            oid: o,
            name: as_text(get(&row, &c, "conname")),
            kind,
            columns,
            deferrable: as_bool(get(&row, &c, "condeferrable")),
            initially_deferred: as_bool(get(&row, &c, "condeferred")),
            index: (idx != 0).then_some(idx),
            validated: as_bool(get(&row, &c, "convalidated")),
        });
    }
    let mut views: HashMap<Oid, String> = HashMap::new();
    for (row, c) in scan_user_rows(storage, snapshot, "pg_rewrite")? {
        let o = as_oid(get(&row, &c, "oid"));
        if user_row(o) {
            views.insert(as_oid(get(&row, &c, "ev_class")), as_text(get(&row, &c, "ev_action")));
        }
    }
    for (row, c) in scan_user_rows(storage, snapshot, "pg_sequence")? {
        let o = as_oid(get(&row, &c, "seqrelid"));
        u.sequences.insert(
            o,
            SequenceDesc {
                oid: o,
                type_oid: as_oid(get(&row, &c, "seqtypid")),
                start: as_i64(get(&row, &c, "seqstart")),
                increment: as_i64(get(&row, &c, "seqincrement")),
                max: as_i64(get(&row, &c, "seqmax")),
                min: as_i64(get(&row, &c, "seqmin")),
                cache: as_i64(get(&row, &c, "seqcache")),
                cycle: as_bool(get(&row, &c, "seqcycle")),
            },
        );
    }
    for (row, c) in scan_user_rows(storage, snapshot, "pg_statistic")? {
        let rel = as_oid(get(&row, &c, "starelid"));
        let attnum = as_i64(get(&row, &c, "staattnum")) as i16;
        let n_distinct = match get(&row, &c, "stadistinct") {
            Datum::Float32(f) => *f as f64,
            _ => 0.0,
        };
        let null_frac = match get(&row, &c, "stanullfrac") {
            Datum::Float32(f) => *f as f64,
            _ => 0.0,
        };
        u.column_stats.insert((rel, attnum), ColumnStats { null_frac, n_distinct });
    }
    let namespace_name = |ns: Oid, u: &UserCatalog| -> String {
        b.namespaces.iter().chain(u.namespaces.iter()).find(|n| n.oid == ns).map(|n| n.name.clone()).unwrap_or_default()
    };
    let mut rels = Vec::new();
    for (row, c) in scan_user_rows(storage, snapshot, "pg_class")? {
        let o = as_oid(get(&row, &c, "oid"));
        if !user_row(o) {
            continue;
        }
        rels.push((
            o,
            as_text(get(&row, &c, "relname")),
            as_oid(get(&row, &c, "relnamespace")),
            RelKind::from_char(as_char(get(&row, &c, "relkind"))),
            as_oid(get(&row, &c, "relfilenode")),
            as_char(get(&row, &c, "relpersistence")),
            match get(&row, &c, "reltuples") {
                Datum::Float32(f) => *f as f64,
                _ => -1.0,
            },
            as_oid(get(&row, &c, "reltype")),
        ));
    }
    let names: HashMap<Oid, String> = rels.iter().map(|r| (r.0, r.1.clone())).collect();
    let files: HashMap<Oid, u32> = rels.iter().map(|r| (r.0, r.4)).collect();
    for (idx, table, keys, unique, primary, nnd, exprs, predicate) in index_rows {
        indexes.entry(table).or_default().push(IndexDesc {
            oid: idx,
            name: names.get(&idx).cloned().unwrap_or_default(),
            relfilenode: files.get(&idx).copied().unwrap_or(idx),
            columns: keys,
            exprs,
            predicate,
            unique,
            primary,
            nulls_not_distinct: nnd,
        });
    }
    let mut referenced: HashMap<Oid, Vec<(Oid, ConstraintDesc)>> = HashMap::new();
    for (rel, cons) in &constraints {
        for con in cons {
            if let ConstraintKind::ForeignKey { ref_table, .. } = &con.kind {
                referenced.entry(*ref_table).or_default().push((*rel, con.clone()));
            }
        }
    }
    for (o, name, ns, kind, relfilenode, persistence, reltuples, reltype) in rels {
        let mut cols = columns.remove(&o).unwrap_or_default();
        cols.sort_by_key(|c| c.attnum);
        let mut idx = indexes.remove(&o).unwrap_or_default();
        idx.sort_by_key(|i| i.oid);
        let mut cons = constraints.remove(&o).unwrap_or_default();
        cons.sort_by_key(|c| c.oid);
        let rel = RelationDesc {
            oid: o,
            name: name.clone(),
            namespace: ns,
            namespace_name: namespace_name(ns, &u),
            kind,
            relfilenode,
            reltype,
            persistence,
            columns: cols,
            indexes: idx,
            constraints: cons,
            referenced_by: referenced.remove(&o).unwrap_or_default(),
            view_query: views.remove(&o),
            reltuples,
        };
        if reltuples >= 0.0 {
            u.table_rows.insert(o, reltuples);
        }
        u.relations_by_name.insert((ns, name), o);
        u.relations.insert(o, Arc::new(rel));
    }
    Ok(u)
}
