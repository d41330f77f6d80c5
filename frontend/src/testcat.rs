//! A catalog of PostgreSQL's built-in types, functions, operators and casts
//! read from the bootstrap data, for the binder's unit tests.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use oa_ir::bootstrap::CatalogDef;
use oa_ir::catalog::{AggregateDesc, CastDesc, NamespaceDesc, OperatorDesc, ProcDesc, RelationDesc, TypeDesc};
use oa_ir::types::{Oid, oid};

use crate::Catalog;

#[derive(Default)]
pub struct TestCatalog {
    types: HashMap<Oid, Arc<TypeDesc>>,
    types_by_name: HashMap<String, Oid>,
    procs: HashMap<Oid, Arc<ProcDesc>>,
    procs_by_name: HashMap<String, Vec<Arc<ProcDesc>>>,
    operators: HashMap<Oid, Arc<OperatorDesc>>,
    operators_by_name: HashMap<String, Vec<Arc<OperatorDesc>>>,
    casts: HashMap<(Oid, Oid), CastDesc>,
    aggregates: HashMap<Oid, Arc<AggregateDesc>>,
}

struct Row<'a> {
    def: &'a CatalogDef,
    row: &'a [Option<std::borrow::Cow<'static, str>>],
}

impl<'a> Row<'a> {
    fn text(&self, col: &str) -> &'a str {
        self.def.column_index(col).and_then(|i| self.row.get(i)).and_then(|v| v.as_deref()).unwrap_or("")
    }
    fn oid(&self, col: &str) -> Oid {
        self.text(col).parse().unwrap_or(0)
    }
    fn bool(&self, col: &str) -> bool {
        matches!(self.text(col), "t" | "true")
    }
    fn char(&self, col: &str) -> u8 {
        self.text(col).bytes().next().unwrap_or(0)
    }
    fn list(&self, col: &str) -> Vec<String> {
        let t = self.text(col).trim_matches(|c| c == '{' || c == '}');
        t.split([' ', ',']).filter(|s| !s.is_empty()).map(|s| s.trim_matches('"').to_string()).collect()
    }
}

fn rows<'a>(def: &'a CatalogDef) -> impl Iterator<Item = Row<'a>> {
    def.rows.iter().map(move |r| Row { def, row: r })
}

pub fn catalog() -> &'static TestCatalog {
    static C: OnceLock<TestCatalog> = OnceLock::new();
    C.get_or_init(load)
}

fn load() -> TestCatalog {
    let data = oa_ir::bootstrap::load();
    let mut c = TestCatalog::default();
    for r in data.catalog("pg_type").map(rows).into_iter().flatten() {
        let t = TypeDesc {
            oid: r.oid("oid"),
            name: r.text("typname").to_string(),
            namespace: r.oid("typnamespace"),
            len: r.text("typlen").parse().unwrap_or(0),
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
            typmod: r.text("typtypmod").parse().unwrap_or(-1),
            notnull: r.bool("typnotnull"),
            collation: r.oid("typcollation"),
        };
        c.types_by_name.insert(t.name.clone(), t.oid);
        c.types.insert(t.oid, Arc::new(t));
    }
    for r in data.catalog("pg_proc").map(rows).into_iter().flatten() {
        let p = Arc::new(ProcDesc {
            oid: r.oid("oid"),
            name: r.text("proname").to_string(),
            namespace: r.oid("pronamespace"),
            kind: r.char("prokind"),
            arg_types: r.list("proargtypes").iter().filter_map(|s| s.parse().ok()).collect(),
            arg_names: r.list("proargnames"),
            arg_defaults: vec![],
            ret_type: r.oid("prorettype"),
            retset: r.bool("proretset"),
            strict: r.bool("proisstrict"),
            volatility: r.char("provolatile"),
            variadic: r.oid("provariadic"),
            prosrc: r.text("prosrc").to_string(),
            language: r.oid("prolang"),
            all_arg_types: vec![],
            arg_modes: vec![],
        });
        c.procs_by_name.entry(p.name.clone()).or_default().push(p.clone());
        c.procs.insert(p.oid, p);
    }
    for r in data.catalog("pg_operator").map(rows).into_iter().flatten() {
        let o = Arc::new(OperatorDesc {
            oid: r.oid("oid"),
            name: r.text("oprname").to_string(),
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
        c.operators_by_name.entry(o.name.clone()).or_default().push(o.clone());
        c.operators.insert(o.oid, o);
    }
    for r in data.catalog("pg_cast").map(rows).into_iter().flatten() {
        let k = CastDesc {
            source: r.oid("castsource"),
            target: r.oid("casttarget"),
            func: r.oid("castfunc"),
            context: r.char("castcontext"),
            method: r.char("castmethod"),
        };
        c.casts.insert((k.source, k.target), k);
    }
    for r in data.catalog("pg_aggregate").map(rows).into_iter().flatten() {
        let a = Arc::new(AggregateDesc {
            fnoid: r.oid("aggfnoid"),
            kind: r.char("aggkind"),
            transfn: r.oid("aggtransfn"),
            finalfn: r.oid("aggfinalfn"),
            combinefn: r.oid("aggcombinefn"),
            transtype: r.oid("aggtranstype"),
            initval: match r.text("agginitval") {
                "" | "_null_" => None,
                v => Some(v.to_string()),
            },
            sortop: r.oid("aggsortop"),
        });
        c.aggregates.insert(a.fnoid, a);
    }
    c
}

impl Catalog for TestCatalog {
    fn search_path(&self) -> Vec<Oid> {
        vec![oid::PG_CATALOG_NAMESPACE]
    }
    fn creation_namespace(&self) -> Option<Oid> {
        None
    }
    fn namespace(&self, o: Oid) -> Option<NamespaceDesc> {
        (o == oid::PG_CATALOG_NAMESPACE).then(|| NamespaceDesc { oid: o, name: "pg_catalog".into() })
    }
    fn namespace_by_name(&self, name: &str) -> Option<NamespaceDesc> {
        (name == "pg_catalog").then(|| NamespaceDesc { oid: oid::PG_CATALOG_NAMESPACE, name: name.into() })
    }
    fn relation(&self, _: Oid) -> Option<Arc<RelationDesc>> {
        None
    }
    fn relation_by_name(&self, _: Oid, _: &str) -> Option<Arc<RelationDesc>> {
        None
    }
    fn type_by_oid(&self, o: Oid) -> Option<Arc<TypeDesc>> {
        self.types.get(&o).cloned()
    }
    fn type_by_name(&self, ns: Oid, name: &str) -> Option<Arc<TypeDesc>> {
        self.types_by_name.get(name).and_then(|o| self.types.get(o)).filter(|t| t.namespace == ns).cloned()
    }
    fn proc(&self, o: Oid) -> Option<Arc<ProcDesc>> {
        self.procs.get(&o).cloned()
    }
    fn procs_by_name(&self, name: &str) -> Vec<Arc<ProcDesc>> {
        self.procs_by_name.get(name).cloned().unwrap_or_default()
    }
    fn operator(&self, o: Oid) -> Option<Arc<OperatorDesc>> {
        self.operators.get(&o).cloned()
    }
    fn operators_by_name(&self, name: &str) -> Vec<Arc<OperatorDesc>> {
        self.operators_by_name.get(name).cloned().unwrap_or_default()
    }
    fn cast(&self, source: Oid, target: Oid) -> Option<CastDesc> {
        self.casts.get(&(source, target)).copied()
    }
    fn aggregate(&self, fnoid: Oid) -> Option<Arc<AggregateDesc>> {
        self.aggregates.get(&fnoid).cloned()
    }
    fn database_name(&self) -> String {
        "postgres".into()
    }
    fn user_name(&self) -> String {
        "postgres".into()
    }
}
