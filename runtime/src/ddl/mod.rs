//! Utility statements. DDL is DML on the pg_catalog relations (so it is
//! transactional) plus relation files created or dropped through storage,
//! whose removal storage defers to commit.

mod alter;
mod copy;
mod create;
mod drop;
pub(crate) mod index;
mod maintenance;
mod rewrite;

use std::collections::HashSet;
use std::sync::Arc;

use oa_frontend::{BindContext, Catalog};
use oa_grammar::ast::{self, Statement};
use oa_ir::catalog::RelationDesc;
use oa_ir::datum::Datum;
use oa_ir::types::{Oid, oid};
use oa_ir::{Error, Result, SqlState};
use oa_storage::{Snapshot, Storage, Transaction};

use crate::catalog::{CatalogRow, CatalogView};
use crate::session::{Notice, Outcome, Session};

pub(crate) use alter::constraints_named;
pub(crate) use copy::copy_shape;
pub(crate) use create::create_table_as_select_into;

/// Runs a utility statement inside the session's current transaction.
pub fn utility(s: &mut Session, stmt: &Statement, sql: &str) -> Result<Outcome> {
    let tag = |t: &str| Ok(Outcome::Command { tag: t.to_string() });
    match stmt {
        Statement::CreateTable(c) => {
            create::create_table(s, c)?;
            tag("CREATE TABLE")
        }
        Statement::CreateTableAs(c) => create::create_table_as(s, c, sql),
        Statement::CreateView(v) => {
            create::create_view(s, v, sql)?;
            tag("CREATE VIEW")
        }
        Statement::CreateIndex(i) => {
            create::create_index(s, i)?;
            tag("CREATE INDEX")
        }
        Statement::CreateSequence(c) => {
            create::create_sequence(s, c)?;
            tag("CREATE SEQUENCE")
        }
        Statement::AlterSequence(a) => {
            alter::alter_sequence(s, a)?;
            tag("ALTER SEQUENCE")
        }
        Statement::CreateSchema(c) => {
            create::create_schema(s, c)?;
            tag("CREATE SCHEMA")
        }
        Statement::AlterTable(a) => alter::alter_table(s, a),
        Statement::Rename(r) => alter::rename(s, r),
        Statement::AlterObjectSchema(a) => alter::set_schema(s, a),
        Statement::Drop(d) => drop::drop(s, d),
        Statement::Truncate(t) => {
            maintenance::truncate(s, t)?;
            tag("TRUNCATE TABLE")
        }
        Statement::Copy(c) => copy::copy(s, c),
        Statement::Analyze(a) => {
            maintenance::analyze(s, &a.tables)?;
            tag("ANALYZE")
        }
        Statement::Vacuum(v) => {
            maintenance::vacuum(s, v)?;
            tag("VACUUM")
        }
        Statement::Comment(c) => {
            maintenance::comment(s, c)?;
            tag("COMMENT")
        }
        other => Err(Error::feature_not_supported(format!("{} is not supported yet", statement_name(other)))),
    }
}

fn statement_name(s: &Statement) -> &'static str {
    match s {
        Statement::Select(_) => "SELECT",
        Statement::Insert(_) => "INSERT",
        Statement::Update(_) => "UPDATE",
        Statement::Delete(_) => "DELETE",
        _ => "this statement",
    }
}

/// What DDL works with: the session's transaction, a snapshot and catalog
/// view that follow the statement's own catalog changes.
pub(crate) struct Ddl<'s> {
    pub s: &'s mut Session,
    pub snapshot: Snapshot,
    pub catalog: Arc<CatalogView>,
    pub ctx: BindContext,
}

impl<'s> Ddl<'s> {
    pub fn new(s: &'s mut Session) -> Result<Ddl<'s>> {
        let snapshot = s.statement_snapshot()?;
        let catalog = s.catalog_view(&snapshot)?;
        let ctx = s.bind_context(Vec::new())?;
        Ok(Ddl { s, snapshot, catalog, ctx })
    }

    pub fn storage(&self) -> Arc<Storage> {
        self.s.engine.storage.clone()
    }

    pub fn txn(&mut self) -> Result<&mut Transaction> {
        self.s.txn.as_mut().map(|t| &mut t.txn).ok_or_else(|| Error::internal("no transaction"))
    }

    pub fn insert(&mut self, row: CatalogRow) -> Result<()> {
        let storage = self.storage();
        row.insert(&storage, self.txn()?)?;
        Ok(())
    }

    /// Deletes catalog rows matching `pred` (by column name → value).
    pub fn delete(&mut self, catalog: &str, pred: impl Fn(&dyn Fn(&str) -> Datum) -> bool) -> Result<usize> {
        let storage = self.storage();
        // Earlier changes of this statement must be visible (and not re-deleted).
        self.txn()?.command_counter_increment()?;
        crate::catalog::delete_where(&storage, self.txn()?, catalog, |row, cols| {
            let get = |n: &str| cols.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            pred(&get)
        })
    }

    /// Rewrites catalog rows: `f` gets a getter and returns the changes to make.
    pub fn update(&mut self, catalog: &str, f: impl Fn(&dyn Fn(&str) -> Datum) -> Option<Vec<(&'static str, Datum)>>) -> Result<usize> {
        let storage = self.storage();
        self.txn()?.command_counter_increment()?;
        crate::catalog::update_where(&storage, self.txn()?, catalog, |row, cols| {
            let get = |n: &str| cols.get(n).and_then(|i| row.get(*i)).cloned().unwrap_or(Datum::Null);
            let changes = f(&get)?;
            let mut new = row.to_vec();
            for (name, v) in changes {
                if let Some(i) = cols.get(name) {
                    new[*i] = v;
                }
            }
            Some(new)
        })
    }

    /// Runs `f` in an execution environment over the statement's transaction,
    /// snapshot and catalog (for evaluating index expressions in DDL).
    pub fn with_env<T>(&mut self, f: impl FnOnce(&mut crate::exec::ExecEnv) -> Result<T>) -> Result<T> {
        let info = self.s.session_info();
        let in_block = self.s.in_transaction_block();
        let cancel = self.s.cancel_flag();
        let io = self.ctx.io.clone();
        let Session { engine, txn, random, sequences, settings, .. } = &mut *self.s;
        let state = txn.as_mut().ok_or_else(|| Error::internal("no transaction"))?;
        let mut env = crate::exec::ExecEnv {
            storage: &engine.storage,
            txn: &mut state.txn,
            snapshot: &self.snapshot,
            catalog: &self.catalog,
            io: &io,
            session: &info,
            random,
            sequences,
            settings,
            in_transaction_block: in_block,
            params: &[],
            deferred: &mut state.deferred,
            cancel: &cancel,
        };
        f(&mut env)
    }

    /// Makes this statement's catalog changes so far visible to itself.
    pub fn refresh(&mut self) -> Result<()> {
        self.s.catalog_updated()?;
        self.snapshot = self.s.statement_snapshot()?;
        self.catalog = self.s.catalog_view(&self.snapshot)?;
        Ok(())
    }

    pub fn new_oid(&self) -> Result<Oid> {
        self.s.engine.new_oid()
    }

    pub fn notice(&mut self, message: String) {
        self.s.notices.push(Notice { severity: "NOTICE", code: SqlState::SUCCESSFUL_COMPLETION, message, detail: None });
    }

    /// The session's pg_temp_N schema, created on first use (in this
    /// transaction: a rollback forgets it again).
    pub fn temp_namespace(&mut self) -> Result<Oid> {
        let name = format!("pg_temp_{}", self.s.id);
        if let Some(ns) = self.catalog.namespace_by_name(&name) {
            return Ok(ns.oid);
        }
        let o = self.new_oid()?;
        self.insert(
            CatalogRow::new("pg_namespace")?
                .set("oid", Datum::Oid(o))
                .set("nspname", Datum::Text(name))
                .set("nspowner", Datum::Oid(oid::BOOTSTRAP_SUPERUSER)),
        )?;
        self.refresh()?;
        Ok(o)
    }

    /// The namespace a new object goes in: the one named, or the first of search_path.
    pub fn creation_namespace(&self, name: &[String], loc: usize) -> Result<(Oid, String)> {
        match name.len() {
            1 => {
                let ns = self
                    .catalog
                    .creation_namespace
                    .ok_or_else(|| Error::new(SqlState::INVALID_SCHEMA_NAME, "no schema has been selected to create in").with_position(loc))?;
                Ok((ns, name[0].clone()))
            }
            2 | 3 => {
                if name.len() == 3 && name[0] != self.s.database {
                    return Err(Error::new(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        format!("cross-database references are not implemented: {}", name.join(".")),
                    )
                    .with_position(loc));
                }
                let schema = &name[name.len() - 2];
                let ns = self
                    .catalog
                    .namespace_by_name(schema)
                    .ok_or_else(|| Error::new(SqlState::INVALID_SCHEMA_NAME, format!("schema \"{schema}\" does not exist")).with_position(loc))?;
                if ns.oid == oid::PG_CATALOG_NAMESPACE {
                    return Err(Error::new(
                        SqlState::INSUFFICIENT_PRIVILEGE,
                        format!("permission denied to create \"{}.{}\"", schema, name[name.len() - 1]),
                    )
                    .with_detail("System catalog modifications are currently disallowed."));
                }
                Ok((ns.oid, name[name.len() - 1].clone()))
            }
            _ => {
                Err(Error::new(SqlState::SYNTAX_ERROR, format!("improper qualified name (too many dotted names): {}", name.join(".")))
                    .with_position(loc))
            }
        }
    }

    /// RangeVarGetRelid for an existing relation (None when missing).
    pub fn find_relation(&self, name: &[String]) -> Result<Option<Arc<RelationDesc>>> {
        match name.len() {
            1 => Ok(self.catalog.search_path.iter().find_map(|ns| self.catalog.relation_by_name(*ns, &name[0]))),
            _ => {
                let schema = &name[name.len() - 2];
                let ns = self
                    .catalog
                    .namespace_by_name(schema)
                    .ok_or_else(|| Error::new(SqlState::INVALID_SCHEMA_NAME, format!("schema \"{schema}\" does not exist")))?;
                Ok(self.catalog.relation_by_name(ns.oid, &name[name.len() - 1]))
            }
        }
    }

    /// Names of every relation in a namespace (for choosing unused names).
    pub fn relation_names(&self, ns: Oid) -> HashSet<String> {
        self.catalog.relations_in(ns).iter().map(|r| r.name.clone()).collect()
    }

    /// The table a statement names; 42P01 if missing, 42809 if not a table.
    pub fn table(&self, rv: &ast::RangeVar) -> Result<Arc<RelationDesc>> {
        let rel = self.find_relation(&rv.name).map_err(|e| e.with_position(rv.loc))?.ok_or_else(|| {
            Error::new(SqlState::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", rv.name.join("."))).with_position(rv.loc)
        })?;
        Ok(rel)
    }
}

/// Runs an internal DML statement (ALTER TABLE's row rewrites).
pub(crate) fn run_internal(d: &mut Ddl, sql: &str) -> Result<()> {
    let stmts = oa_grammar::parse(sql).map_err(|e| Error::internal(format!("internal statement does not parse: {}", e.message)))?;
    for st in &stmts {
        let mut portal = d.s.open_portal(&st.stmt, &[], &[])?;
        d.s.fetch(&mut portal, usize::MAX)?;
        // The next internal statement must see these changes.
        d.txn()?.command_counter_increment()?;
    }
    d.snapshot = d.s.statement_snapshot()?;
    Ok(())
}

/// Runs an internal query and returns its rows as text.
pub(crate) fn query_internal(d: &mut Ddl, sql: &str) -> Result<Vec<Vec<Option<String>>>> {
    let stmts = oa_grammar::parse(sql).map_err(|e| Error::internal(format!("internal query does not parse: {}", e.message)))?;
    let stmt = &stmts.first().ok_or_else(|| Error::internal("empty internal query"))?.stmt;
    let mut portal = d.s.open_portal(stmt, &[], &[])?;
    d.s.fetch(&mut portal, usize::MAX)
}

/// ChooseRelationName: `base`, else `base1`, `base2`, … avoiding `taken`,
/// truncating the parts so the result fits in NAMEDATALEN.
pub(crate) fn choose_name(parts: &[&str], suffix: &str, taken: &HashSet<String>) -> String {
    for n in 0.. {
        let extra = if n == 0 { String::new() } else { n.to_string() };
        let name = make_object_name(parts, &format!("{suffix}{extra}"));
        if !taken.contains(&name) {
            return name;
        }
    }
    unreachable!("an unbounded search always finds a free name")
}

/// makeObjectName: joins the parts with `_` and the label, shortening the
/// longest part until the name fits in 63 bytes.
fn make_object_name(parts: &[&str], label: &str) -> String {
    let mut parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    let overhead = parts.len().saturating_sub(1) + if label.is_empty() { 0 } else { label.len() + 1 };
    loop {
        let total: usize = parts.iter().map(|p| p.len()).sum::<usize>() + overhead;
        if total <= 63 {
            break;
        }
        let Some(longest) = parts.iter_mut().max_by_key(|p| p.len()) else { break };
        let mut cut = longest.len() - 1;
        while !longest.is_char_boundary(cut) {
            cut -= 1;
        }
        longest.truncate(cut);
    }
    let mut name = parts.join("_");
    if !label.is_empty() {
        name.push('_');
        name.push_str(label);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_names_avoid_collisions_and_fit() {
        let taken: HashSet<String> = ["t_a_key".to_string()].into_iter().collect();
        assert_eq!(choose_name(&["t", "a"], "key", &taken), "t_a_key1");
        let long = "x".repeat(70);
        assert_eq!(choose_name(&[&long, "a"], "key", &HashSet::new()).len(), 63);
    }
}
