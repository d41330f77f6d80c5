//! The built-in part of the catalog: PostgreSQL 15's types, functions,
//! operators, casts and aggregates, read once per process from the generated
//! bootstrap data (the same rows the catalog relations are filled with).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use oa_ir::bootstrap::{BootstrapData, CatalogDef};
use oa_ir::catalog::{AggregateDesc, CastDesc, ColumnDesc, NamespaceDesc, OperatorDesc, ProcDesc, RelKind, RelationDesc, TypeDesc};
use oa_ir::types::{Oid, PhysicalType, SqlType, oid};
use oa_storage::TupleDesc;

use crate::exec::eval::physical_of;

/// Everything in pg_catalog that no statement changes.
pub struct Builtin {
    pub data: BootstrapData,
    pub types: HashMap<Oid, Arc<TypeDesc>>,
    pub types_by_name: HashMap<(Oid, String), Oid>,
    pub procs: HashMap<Oid, Arc<ProcDesc>>,
    pub procs_by_name: HashMap<String, Vec<Arc<ProcDesc>>>,
    pub operators: HashMap<Oid, Arc<OperatorDesc>>,
    pub operators_by_name: HashMap<String, Vec<Arc<OperatorDesc>>>,
    pub casts: HashMap<(Oid, Oid), CastDesc>,
    pub aggregates: HashMap<Oid, Arc<AggregateDesc>>,
    pub namespaces: Vec<NamespaceDesc>,
    /// The system catalogs and system views as relations.
    pub relations: HashMap<Oid, Arc<RelationDesc>>,
    /// The system catalogs by name (all in pg_catalog).
    pub relations_by_name: HashMap<String, Oid>,
    /// The system views (pg_catalog's and information_schema's) by (namespace, name).
    pub views_by_name: HashMap<(Oid, String), Oid>,
    /// pg_authid: (oid, rolname).
    pub roles: Vec<(Oid, String)>,
    /// Tuple layouts of the system catalogs, by relation OID.
    pub tuple_descs: HashMap<Oid, TupleDesc>,
}

pub fn builtin() -> &'static Builtin {
    static B: OnceLock<Builtin> = OnceLock::new();
    B.get_or_init(Builtin::load)
}

/// Field accessors over bootstrap text.
pub(crate) struct Row<'a> {
    def: &'a CatalogDef,
    row: &'a [Option<std::borrow::Cow<'static, str>>],
}

impl<'a> Row<'a> {
    pub fn text(&self, col: &str) -> Option<&'a str> {
        let i = self.def.column_index(col)?;
        self.row.get(i)?.as_deref()
    }

    pub fn string(&self, col: &str) -> String {
        self.text(col).unwrap_or("").to_string()
    }

    pub fn oid(&self, col: &str) -> Oid {
        match self.text(col) {
            Some("-") | None => 0,
            Some(t) => t.parse().unwrap_or(0),
        }
    }

    pub fn int(&self, col: &str) -> i32 {
        self.text(col).and_then(|t| t.parse().ok()).unwrap_or(0)
    }

    pub fn bool(&self, col: &str) -> bool {
        matches!(self.text(col), Some("t") | Some("true"))
    }

    pub fn char(&self, col: &str) -> u8 {
        self.text(col).and_then(|t| t.bytes().next()).unwrap_or(0)
    }

    pub fn oid_list(&self, col: &str) -> Vec<Oid> {
        let t = self.text(col).unwrap_or("");
        t.trim_matches(|c| c == '{' || c == '}').split([' ', ',']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
    }

    pub fn text_list(&self, col: &str) -> Vec<String> {
        let t = self.text(col).unwrap_or("");
        let t = t.trim_matches(|c| c == '{' || c == '}');
        if t.is_empty() {
            return vec![];
        }
        t.split(',').map(|s| s.trim_matches('"').to_string()).collect()
    }
}

pub(crate) fn rows<'a>(def: &'a CatalogDef) -> impl Iterator<Item = Row<'a>> {
    def.rows.iter().map(move |r| Row { def, row: r })
}

/// The SQL type of a bki column type name.
pub fn bki_type(name: &str, types_by_name: &HashMap<(Oid, String), Oid>) -> SqlType {
    let t = types_by_name.get(&(oid::PG_CATALOG_NAMESPACE, name.to_string())).copied().unwrap_or(oid::TEXT);
    SqlType::new(t)
}

pub(crate) fn type_desc_from(r: &Row) -> TypeDesc {
    TypeDesc {
        oid: r.oid("oid"),
        name: r.string("typname"),
        namespace: r.oid("typnamespace"),
        len: r.int("typlen") as i16,
        byval: r.bool("typbyval"),
        typtype: r.char("typtype"),
        category: r.char("typcategory"),
        preferred: r.bool("typispreferred"),
        delim: r.char("typdelim"),
        relid: r.oid("typrelid"),
        elem: r.oid("typelem"),
        array: r.oid("typarray"),
        input: r.oid("typinput"),
        output: r.oid("typoutput"),
        receive: r.oid("typreceive"),
        send: r.oid("typsend"),
        modin: r.oid("typmodin"),
        modout: r.oid("typmodout"),
        align: r.char("typalign"),
        basetype: r.oid("typbasetype"),
        typmod: r.int("typtypmod"),
        notnull: r.bool("typnotnull"),
        collation: r.oid("typcollation"),
    }
}

impl Builtin {
    fn load() -> Builtin {
        let data = oa_ir::bootstrap::load_initdb();
        let mut b = Builtin {
            types: HashMap::new(),
            types_by_name: HashMap::new(),
            procs: HashMap::new(),
            procs_by_name: HashMap::new(),
            operators: HashMap::new(),
            operators_by_name: HashMap::new(),
            casts: HashMap::new(),
            aggregates: HashMap::new(),
            namespaces: Vec::new(),
            relations: HashMap::new(),
            relations_by_name: HashMap::new(),
            views_by_name: HashMap::new(),
            roles: Vec::new(),
            tuple_descs: HashMap::new(),
            data: BootstrapData { catalogs: vec![] },
        };
        if let Some(def) = data.catalog("pg_type") {
            for r in rows(def) {
                let t = type_desc_from(&r);
                b.types_by_name.insert((t.namespace, t.name.clone()), t.oid);
                b.types.insert(t.oid, Arc::new(t));
            }
        }
        if let Some(def) = data.catalog("pg_proc") {
            for r in rows(def) {
                let nargdefaults = r.int("pronargdefaults").max(0) as usize;
                let p = ProcDesc {
                    oid: r.oid("oid"),
                    name: r.string("proname"),
                    namespace: r.oid("pronamespace"),
                    kind: r.char("prokind"),
                    arg_types: r.oid_list("proargtypes"),
                    arg_names: r.text_list("proargnames"),
                    arg_defaults: vec![String::new(); nargdefaults],
                    ret_type: r.oid("prorettype"),
                    retset: r.bool("proretset"),
                    strict: r.bool("proisstrict"),
                    volatility: r.char("provolatile"),
                    variadic: r.oid("provariadic"),
                    prosrc: r.string("prosrc"),
                    language: r.oid("prolang"),
                    all_arg_types: r.oid_list("proallargtypes"),
                    arg_modes: r.text_list("proargmodes").iter().filter_map(|m| m.bytes().next()).collect(),
                };
                let p = Arc::new(p);
                b.procs_by_name.entry(p.name.clone()).or_default().push(p.clone());
                b.procs.insert(p.oid, p);
            }
        }
        if let Some(def) = data.catalog("pg_operator") {
            for r in rows(def) {
                let o = Arc::new(OperatorDesc {
                    oid: r.oid("oid"),
                    name: r.string("oprname"),
                    namespace: r.oid("oprnamespace"),
                    kind: r.char("oprkind"),
                    left: r.oid("oprleft"),
                    right: r.oid("oprright"),
                    result: r.oid("oprresult"),
                    code: r.oid("oprcode"),
                    commutator: r.oid("oprcom"),
                    negator: r.oid("oprnegate"),
                    can_hash: r.bool("oprcanhash"),
                    can_merge: r.bool("oprcanmerge"),
                });
                b.operators_by_name.entry(o.name.clone()).or_default().push(o.clone());
                b.operators.insert(o.oid, o);
            }
        }
        if let Some(def) = data.catalog("pg_cast") {
            for r in rows(def) {
                let c = CastDesc {
                    source: r.oid("castsource"),
                    target: r.oid("casttarget"),
                    func: r.oid("castfunc"),
                    context: r.char("castcontext"),
                    method: r.char("castmethod"),
                };
                b.casts.insert((c.source, c.target), c);
            }
        }
        if let Some(def) = data.catalog("pg_aggregate") {
            for r in rows(def) {
                let a = AggregateDesc {
                    fnoid: r.oid("aggfnoid"),
                    kind: r.char("aggkind"),
                    transfn: r.oid("aggtransfn"),
                    finalfn: r.oid("aggfinalfn"),
                    combinefn: r.oid("aggcombinefn"),
                    transtype: r.oid("aggtranstype"),
                    initval: r.text("agginitval").map(str::to_string),
                    sortop: r.oid("aggsortop"),
                };
                b.aggregates.insert(a.fnoid, Arc::new(a));
            }
        }
        if let Some(def) = data.catalog("pg_authid") {
            b.roles = rows(def).map(|r| (r.oid("oid"), r.string("rolname"))).collect();
        }
        if let Some(def) = data.catalog("pg_namespace") {
            for r in rows(def) {
                b.namespaces.push(NamespaceDesc { oid: r.oid("oid"), name: r.string("nspname") });
            }
        }
        for def in &data.catalogs {
            let columns: Vec<ColumnDesc> = def
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| ColumnDesc {
                    attnum: i as i16 + 1,
                    name: c.name.to_string(),
                    ty: bki_type(c.type_name, &b.types_by_name),
                    not_null: c.not_null,
                    default: None,
                    identity: 0,
                    generated: 0,
                    dropped: false,
                })
                .collect();
            let desc = TupleDesc::new(columns.iter().map(|c| catalog_physical(c.ty)).collect());
            b.tuple_descs.insert(def.oid, desc);
            let rel = RelationDesc {
                oid: def.oid,
                name: def.name.to_string(),
                namespace: oid::PG_CATALOG_NAMESPACE,
                namespace_name: "pg_catalog".into(),
                kind: RelKind::Table,
                relfilenode: def.oid,
                reltype: def.rowtype_oid.unwrap_or(0),
                persistence: b'p',
                columns,
                indexes: vec![],
                constraints: vec![],
                referenced_by: vec![],
                view_query: None,
                reltuples: def.rows.len() as f64,
            };
            b.relations_by_name.insert(def.name.to_string(), def.oid);
            b.relations.insert(def.oid, Arc::new(rel));
        }
        b.load_views(&data);
        b.data = data;
        b
    }

    /// The system views initdb creates: pg_class rows of relkind 'v' with
    /// their pg_attribute columns and their pg_rewrite query text.
    fn load_views(&mut self, data: &BootstrapData) {
        let (Some(class), Some(attribute), Some(rewrite)) = (data.catalog("pg_class"), data.catalog("pg_attribute"), data.catalog("pg_rewrite"))
        else {
            return;
        };
        let mut queries: HashMap<Oid, String> = HashMap::new();
        for r in rows(rewrite) {
            queries.insert(r.oid("ev_class"), r.string("ev_action"));
        }
        let mut columns: HashMap<Oid, Vec<ColumnDesc>> = HashMap::new();
        for r in rows(attribute) {
            let rel = r.oid("attrelid");
            if !queries.contains_key(&rel) {
                continue;
            }
            columns.entry(rel).or_default().push(ColumnDesc {
                attnum: r.int("attnum") as i16,
                name: r.string("attname"),
                ty: SqlType::with_typmod(r.oid("atttypid"), r.int("atttypmod")),
                not_null: r.bool("attnotnull"),
                default: None,
                identity: 0,
                generated: 0,
                dropped: false,
            });
        }
        for r in rows(class) {
            let o = r.oid("oid");
            if r.char("relkind") != b'v' {
                continue;
            }
            let Some(query) = queries.remove(&o) else { continue };
            let ns = r.oid("relnamespace");
            let mut cols = columns.remove(&o).unwrap_or_default();
            cols.sort_by_key(|c| c.attnum);
            let rel = RelationDesc {
                oid: o,
                name: r.string("relname"),
                namespace: ns,
                namespace_name: self.namespaces.iter().find(|n| n.oid == ns).map(|n| n.name.clone()).unwrap_or_default(),
                kind: RelKind::View,
                relfilenode: 0,
                reltype: r.oid("reltype"),
                persistence: b'p',
                columns: cols,
                indexes: vec![],
                constraints: vec![],
                referenced_by: vec![],
                view_query: Some(query),
                reltuples: -1.0,
            };
            self.views_by_name.insert((ns, rel.name.clone()), o);
            self.relations.insert(o, Arc::new(rel));
        }
    }
}

/// The representation a catalog column is stored in.
pub fn catalog_physical(ty: SqlType) -> PhysicalType {
    physical_of(ty)
}
