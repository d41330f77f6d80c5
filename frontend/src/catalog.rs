//! What the binder needs to know about the database. The runtime implements
//! this over its catalog cache (built from the pg_catalog relations), so the
//! binder never reaches into storage and never calls back into the runtime.

use std::sync::Arc;

use oa_ir::catalog::{AggregateDesc, CastDesc, NamespaceDesc, OperatorDesc, ProcDesc, RelationDesc, TypeDesc};
use oa_ir::types::Oid;

pub trait Catalog {
    /// Namespaces searched for unqualified names, in order. pg_catalog is
    /// searched first unless the path lists it explicitly, as PostgreSQL does.
    fn search_path(&self) -> Vec<Oid>;
    /// The schema new objects go into (first existing schema of the path), if any.
    fn creation_namespace(&self) -> Option<Oid>;
    fn namespace(&self, oid: Oid) -> Option<NamespaceDesc>;
    fn namespace_by_name(&self, name: &str) -> Option<NamespaceDesc>;

    fn relation(&self, oid: Oid) -> Option<Arc<RelationDesc>>;
    fn relation_by_name(&self, namespace: Oid, name: &str) -> Option<Arc<RelationDesc>>;

    fn type_by_oid(&self, oid: Oid) -> Option<Arc<TypeDesc>>;
    fn type_by_name(&self, namespace: Oid, name: &str) -> Option<Arc<TypeDesc>>;

    fn proc(&self, oid: Oid) -> Option<Arc<ProcDesc>>;
    /// Every function with this name, in any namespace (the binder filters by path).
    fn procs_by_name(&self, name: &str) -> Vec<Arc<ProcDesc>>;

    fn operator(&self, oid: Oid) -> Option<Arc<OperatorDesc>>;
    fn operators_by_name(&self, name: &str) -> Vec<Arc<OperatorDesc>>;

    fn cast(&self, source: Oid, target: Oid) -> Option<CastDesc>;
    fn aggregate(&self, fnoid: Oid) -> Option<Arc<AggregateDesc>>;

    /// The database and user names, for current_database()/current_user.
    fn database_name(&self) -> String;
    fn user_name(&self) -> String;

    /// A role's OID by name (regrole input).
    fn role_oid(&self, name: &str) -> Option<Oid> {
        let _ = name;
        None
    }
}

/// A catalog seen with another search path: system views are bound with the
/// path initdb created them under (pg_catalog, then their own schema),
/// whatever the session's path is.
pub struct PathCatalog<'a> {
    pub inner: &'a dyn Catalog,
    pub path: Vec<Oid>,
}

impl Catalog for PathCatalog<'_> {
    fn search_path(&self) -> Vec<Oid> {
        self.path.clone()
    }
    fn creation_namespace(&self) -> Option<Oid> {
        self.inner.creation_namespace()
    }
    fn namespace(&self, oid: Oid) -> Option<NamespaceDesc> {
        self.inner.namespace(oid)
    }
    fn namespace_by_name(&self, name: &str) -> Option<NamespaceDesc> {
        self.inner.namespace_by_name(name)
    }
    fn relation(&self, oid: Oid) -> Option<Arc<RelationDesc>> {
        self.inner.relation(oid)
    }
    fn relation_by_name(&self, namespace: Oid, name: &str) -> Option<Arc<RelationDesc>> {
        self.inner.relation_by_name(namespace, name)
    }
    fn type_by_oid(&self, oid: Oid) -> Option<Arc<TypeDesc>> {
        self.inner.type_by_oid(oid)
    }
    fn type_by_name(&self, namespace: Oid, name: &str) -> Option<Arc<TypeDesc>> {
        self.inner.type_by_name(namespace, name)
    }
    fn proc(&self, oid: Oid) -> Option<Arc<ProcDesc>> {
        self.inner.proc(oid)
    }
    fn procs_by_name(&self, name: &str) -> Vec<Arc<ProcDesc>> {
        self.inner.procs_by_name(name)
    }
    fn operator(&self, oid: Oid) -> Option<Arc<OperatorDesc>> {
        self.inner.operator(oid)
    }
    fn operators_by_name(&self, name: &str) -> Vec<Arc<OperatorDesc>> {
        self.inner.operators_by_name(name)
    }
    fn cast(&self, source: Oid, target: Oid) -> Option<CastDesc> {
        self.inner.cast(source, target)
    }
    fn aggregate(&self, fnoid: Oid) -> Option<Arc<AggregateDesc>> {
        self.inner.aggregate(fnoid)
    }
    fn database_name(&self) -> String {
        self.inner.database_name()
    }
    fn user_name(&self) -> String {
        self.inner.user_name()
    }
    fn role_oid(&self, name: &str) -> Option<Oid> {
        self.inner.role_oid(name)
    }
}
