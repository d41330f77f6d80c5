//! INSERT, UPDATE and DELETE operators: heap writes, index maintenance and
//! constraint enforcement (NOT NULL, CHECK, UNIQUE/PRIMARY KEY, FOREIGN KEY
//! with its referential actions), with PostgreSQL's messages and timing:
//! NOT NULL, CHECK and non-deferrable unique keys per row; foreign keys at the
//! end of the statement; DEFERRABLE INITIALLY DEFERRED ones at COMMIT.

use std::ops::Bound;
use std::sync::Arc;

use oa_ir::catalog::{ConstraintDesc, ConstraintKind, RelationDesc};
use oa_ir::datum::Datum;
use oa_ir::expr::ColumnId;
use oa_ir::pipeline::Operator;
use oa_ir::types::{Oid, SqlType};
use oa_ir::{Error, Result, SqlState};
use oa_storage::{IndexBatch, RelFileNumber, Tid, TupleBatch, TupleDesc};

use super::eval::{Expr, SubqueryCatalog, compile, physical_of};
use super::vector::{Column, Morsel};
use super::{ExecEnv, Executor, truthy};
use crate::ddl::index::{IndexKeys, index_columns, live_morsel};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Insert,
    Update,
    Delete,
}

/// A constraint check that runs later than the row it is about: at the end of
/// the statement, or at commit while its constraint is deferred.
#[derive(Clone, Debug)]
pub enum DeferredCheck {
    /// A referencing row's key must exist in the referenced table.
    ForeignKey { table: Arc<RelationDesc>, constraint: ConstraintDesc, key: Vec<Datum> },
    /// A removed or changed referenced key must no longer be referenced.
    StillReferenced { parent: Arc<RelationDesc>, child: Arc<RelationDesc>, constraint: ConstraintDesc, key: Vec<Datum> },
    /// A deferrable unique key must be unique when its constraint is checked.
    Unique { table: Arc<RelationDesc>, index: usize, constraint: ConstraintDesc, key: Vec<Datum> },
}

impl DeferredCheck {
    pub fn constraint(&self) -> &ConstraintDesc {
        match self {
            DeferredCheck::ForeignKey { constraint, .. }
            | DeferredCheck::StillReferenced { constraint, .. }
            | DeferredCheck::Unique { constraint, .. } => constraint,
        }
    }
}

pub struct ModifyOp {
    kind: Kind,
    table: Arc<RelationDesc>,
    /// Insert: positions of each live column in the input. Update: positions of
    /// the new values. Delete: positions of the old values.
    values: Vec<usize>,
    ctid: Option<usize>,
    returning: Vec<Expr>,
    desc: TupleDesc,
    count: u64,
    checks: Option<Vec<(String, Expr)>>,
    /// How each of the table's indexes computes its key (compiled on first use).
    index_keys: Option<Arc<Vec<IndexKeys>>>,
    /// INSERT … ON CONFLICT.
    on_conflict: Option<Arc<ConflictExec>>,
}

/// INSERT … ON CONFLICT as the operator runs it.
struct ConflictExec {
    /// Arbiter unique indexes (empty: every unique index).
    arbiters: Vec<Oid>,
    /// DO UPDATE; None for DO NOTHING.
    update: Option<ConflictUpdateExec>,
}

/// DO UPDATE's expressions, compiled over the existing row's live columns,
/// its ctid, then the proposed row's live columns.
struct ConflictUpdateExec {
    values: Vec<Expr>,
    filter: Option<Expr>,
}

fn position(layout: &[ColumnId], id: ColumnId) -> Result<usize> {
    layout.iter().position(|c| *c == id).ok_or_else(|| Error::internal(format!("column {id:?} missing from DML input")))
}

impl ModifyOp {
    pub fn compile(op: &Operator, layout: &[ColumnId], subs: &mut dyn SubqueryCatalog) -> Result<(ModifyOp, Vec<ColumnId>)> {
        // UPDATE's `assigned` is not needed: foreign keys are checked when their key value changed.
        let mut on_conflict = None;
        let (kind, table, values, ctid, returning) = match op {
            Operator::Insert { table, target_attnums, returning, on_conflict: oc } => {
                let _ = target_attnums;
                if let Some(oc) = oc {
                    let update = match &oc.update {
                        Some(u) => {
                            let mut row: Vec<ColumnId> = u.existing.clone();
                            row.push(u.existing_ctid);
                            row.extend(u.excluded.iter().copied());
                            let values = u.values.iter().map(|e| compile(e, &row, subs)).collect::<Result<Vec<_>>>()?;
                            let filter = u.filter.as_ref().map(|f| compile(f, &row, subs)).transpose()?;
                            Some(ConflictUpdateExec { values, filter })
                        }
                        None => None,
                    };
                    on_conflict = Some(Arc::new(ConflictExec { arbiters: oc.arbiters.clone(), update }));
                }
                (Kind::Insert, table, (0..layout.len()).collect::<Vec<_>>(), None, returning)
            }
            Operator::Update { table, ctid, values, returning, .. } => (
                Kind::Update,
                table,
                values.iter().map(|v| position(layout, *v)).collect::<Result<Vec<_>>>()?,
                Some(position(layout, *ctid)?),
                returning,
            ),
            Operator::Delete { table, ctid, old_values, returning } => (
                Kind::Delete,
                table,
                old_values.iter().map(|v| position(layout, *v)).collect::<Result<Vec<_>>>()?,
                Some(position(layout, *ctid)?),
                returning,
            ),
            _ => return Err(Error::internal("not a modify operator")),
        };
        let layout_v = layout.to_vec();
        let ret = returning.iter().map(|(_, e)| compile(e, &layout_v, subs)).collect::<Result<Vec<_>>>()?;
        let desc = TupleDesc::new(table.columns.iter().map(|c| physical_of(c.ty)).collect::<Vec<_>>());
        let op = ModifyOp { kind, table: table.clone(), values, ctid, returning: ret, desc, count: 0, checks: None, index_keys: None, on_conflict };
        Ok((op, returning.iter().map(|(c, _)| c.id).collect()))
    }

    pub fn take_count(&mut self) -> u64 {
        std::mem::take(&mut self.count)
    }

    pub fn finish(&mut self, _exec: &mut Executor, _env: &mut ExecEnv) -> Result<Option<Morsel>> {
        Ok(None)
    }

    /// CHECK constraints bound over the table's row (columns as ColumnId(attnum)), by name.
    fn checks(&mut self, exec: &mut Executor, env: &mut ExecEnv) -> Result<Vec<(String, Expr)>> {
        if let Some(c) = &self.checks {
            return Ok(c.clone());
        }
        let mut out = Vec::new();
        let layout: Vec<ColumnId> = self.table.live_columns().map(|c| ColumnId(c.attnum as u32)).collect();
        let mut cons: Vec<&ConstraintDesc> = self.table.constraints.iter().filter(|c| matches!(c.kind, ConstraintKind::Check { .. })).collect();
        cons.sort_by(|a, b| a.name.cmp(&b.name));
        let ctx = oa_frontend::BindContext { io: env.io.clone(), param_types: vec![] };
        for c in cons {
            let ConstraintKind::Check { expr } = &c.kind else { continue };
            let bound = oa_frontend::bind_table_expr(expr, &self.table, env.catalog, &ctx)?;
            out.push((c.name.clone(), compile(&bound, &layout, &mut exec.subqueries)?));
        }
        self.checks = Some(out.clone());
        Ok(out)
    }

    /// Compiled key computations of the table's indexes, in `table.indexes` order.
    fn index_keys(&mut self, exec: &mut Executor, env: &mut ExecEnv) -> Result<Arc<Vec<IndexKeys>>> {
        if let Some(k) = &self.index_keys {
            return Ok(k.clone());
        }
        let keys = Arc::new(IndexKeys::for_table(&self.table, env.catalog, env.io, &mut exec.subqueries)?);
        self.index_keys = Some(keys.clone());
        Ok(keys)
    }

    pub fn run(&mut self, m: &Morsel, exec: &mut Executor, env: &mut ExecEnv) -> Result<Morsel> {
        if m.len == 0 {
            return Ok(Morsel::new(self.returning.iter().map(|_| Column::empty(oa_ir::PhysicalType::Bool, 0)).collect(), 0));
        }
        // The table row of each input row, in attnum order of live columns.
        let live: Vec<usize> = self.values.clone();
        let rows = Morsel::new(live.iter().map(|p| m.columns[*p].clone()).collect(), m.len);
        // ON CONFLICT: the rows RETURNING reports (inserted and updated ones, in order).
        let mut returned: Option<Vec<Vec<Datum>>> = None;
        match self.kind {
            Kind::Insert => {
                self.check_row_constraints(&rows, exec, env)?;
                let index_keys = self.index_keys(exec, env)?;
                let keys = row_keys(&index_keys, &rows, exec, env)?;
                let conflict = self.on_conflict.clone();
                if conflict.is_some() {
                    returned = Some(Vec::new());
                }
                for i in 0..m.len {
                    let values = self.full_row(&rows, i);
                    if let Some(c) = &conflict
                        && let Some(existing) = arbiter_conflict(&self.table, &c.arbiters, &keys, i, env)?
                    {
                        // DO NOTHING skips the row; DO UPDATE changes the existing one.
                        if let Some(u) = &c.update
                            && let Some(new) = self.conflict_update(u, existing, &values, &index_keys, exec, env)?
                            && let Some(r) = &mut returned
                        {
                            r.push(new);
                        }
                        continue;
                    }
                    let Some(tid) = self.write_heap(None, &values, env)? else { continue };
                    insert_index_entries(&self.table, &index_keys, &keys, i, &values, tid, None, env)?;
                    self.queue_fk_checks(&values, None, env);
                    self.count += 1;
                    if let Some(r) = &mut returned {
                        r.push(values);
                    }
                }
            }
            Kind::Update => {
                let ctid_col = self.ctid.ok_or_else(|| Error::internal("UPDATE without ctid"))?;
                self.check_row_constraints(&rows, exec, env)?;
                let index_keys = self.index_keys(exec, env)?;
                let keys = row_keys(&index_keys, &rows, exec, env)?;
                for i in 0..m.len {
                    let tid = decode_tid(&m.columns[ctid_col].datum(i))?;
                    let values = self.full_row(&rows, i);
                    let old = env.storage.fetch_any(RelFileNumber(self.table.relfilenode), tid)?;
                    let old_values = match &old {
                        Some(t) => Some(oa_storage::deform_tuple(&self.desc, t)?),
                        None => None,
                    };
                    let Some(new_tid) = self.write_heap(Some(tid), &values, env)? else { continue };
                    insert_index_entries(&self.table, &index_keys, &keys, i, &values, new_tid, old_values.as_deref(), env)?;
                    self.queue_fk_checks(&values, old_values.as_deref(), env);
                    if let Some(old) = &old_values {
                        self.referenced_key_changed(old, Some(&values), exec, env)?;
                    }
                    self.count += 1;
                }
            }
            Kind::Delete => {
                let ctid_col = self.ctid.ok_or_else(|| Error::internal("DELETE without ctid"))?;
                for i in 0..m.len {
                    let tid = decode_tid(&m.columns[ctid_col].datum(i))?;
                    let cid = env.txn.command_id();
                    match env.storage.delete(RelFileNumber(self.table.relfilenode), tid, env.txn, cid)? {
                        Ok(()) => {}
                        Err(oa_storage::TmFailure::SelfModified { .. }) | Err(oa_storage::TmFailure::Invisible) => continue,
                        Err(f) => return Err(concurrent_update(f)),
                    }
                    let old = self.full_row(&rows, i);
                    self.referenced_key_changed(&old, None, exec, env)?;
                    self.count += 1;
                }
            }
        }
        if self.returning.is_empty() {
            return Ok(Morsel::new(vec![], 0));
        }
        let exprs = self.returning.clone();
        // The input's columns are the table's live columns: RETURNING reads them.
        let out;
        let m = match &returned {
            Some(rows) => {
                out = live_morsel(&self.table, rows);
                &out
            }
            None => m,
        };
        let cols = exec.with_ctx(env, |ctx| exprs.iter().map(|e| e.eval(m, ctx)).collect::<Result<Vec<_>>>())?;
        Ok(Morsel::new(cols, m.len))
    }

    /// ExecOnConflictUpdate: the proposed row `proposed` conflicts with the
    /// row version at `tid`. Locking it fails when this very command inserted
    /// or updated it; else the WHERE clause decides, and the SET list makes
    /// the new version. Returns it (None when WHERE said no).
    fn conflict_update(
        &mut self,
        u: &ConflictUpdateExec,
        tid: Tid,
        proposed: &[Datum],
        index_keys: &[IndexKeys],
        exec: &mut Executor,
        env: &mut ExecEnv,
    ) -> Result<Option<Vec<Datum>>> {
        let rel = RelFileNumber(self.table.relfilenode);
        let tuple = env.storage.fetch_any(rel, tid)?.ok_or_else(|| Error::internal("conflicting row version vanished"))?;
        let header = oa_storage::TupleHeader::new(&tuple)?;
        if env.txn.is_own_xid(header.xmin()) && header.cmin() >= env.txn.command_id() {
            return Err(Error::new(SqlState::CARDINALITY_VIOLATION, "ON CONFLICT DO UPDATE command cannot affect row a second time")
                .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values."));
        }
        let old = oa_storage::deform_tuple(&self.desc, &tuple)?;
        let existing = live_morsel(&self.table, std::slice::from_ref(&old));
        let excluded = live_morsel(&self.table, &[proposed.to_vec()]);
        let mut ctid = Column::empty(physical_of(SqlType::new(oa_ir::types::oid::TID)), 1);
        ctid.push_datum(&Datum::Int64(tid.to_i64()));
        let mut cols = existing.columns;
        cols.push(ctid);
        cols.extend(excluded.columns);
        let row = Morsel::new(cols, 1);
        if let Some(f) = &u.filter {
            let r = exec.with_ctx(env, |ctx| f.eval(&row, ctx))?;
            if !(r.is_valid(0) && truthy(&r)[0]) {
                return Ok(None);
            }
        }
        let new = exec.with_ctx(env, |ctx| u.values.iter().map(|e| e.eval(&row, ctx)).collect::<Result<Vec<_>>>())?;
        let new = Morsel::new(new, 1);
        self.check_row_constraints(&new, exec, env)?;
        let keys = row_keys(index_keys, &new, exec, env)?;
        let values = self.full_row(&new, 0);
        let Some(new_tid) = self.write_heap(Some(tid), &values, env)? else { return Ok(None) };
        insert_index_entries(&self.table, index_keys, &keys, 0, &values, new_tid, Some(&old), env)?;
        self.queue_fk_checks(&values, Some(&old), env);
        self.referenced_key_changed(&old, Some(&values), exec, env)?;
        self.count += 1;
        Ok(Some(values))
    }

    /// Every attribute (dropped ones NULL) of input row i.
    fn full_row(&self, rows: &Morsel, i: usize) -> Vec<Datum> {
        let mut live = rows.columns.iter().map(|c| c.datum(i));
        self.table.columns.iter().map(|c| if c.dropped { Datum::Null } else { live.next().unwrap_or(Datum::Null) }).collect()
    }

    fn check_row_constraints(&mut self, rows: &Morsel, exec: &mut Executor, env: &mut ExecEnv) -> Result<()> {
        let live: Vec<&oa_ir::catalog::ColumnDesc> = self.table.live_columns().collect();
        for (pos, col) in live.iter().enumerate() {
            if !col.not_null {
                continue;
            }
            for i in 0..rows.len {
                if !rows.columns[pos].is_valid(i) {
                    return Err(Error::new(
                        SqlState::NOT_NULL_VIOLATION,
                        format!("null value in column \"{}\" of relation \"{}\" violates not-null constraint", col.name, self.table.name),
                    )
                    .with_detail(format!("Failing row contains {}.", self.describe_row(rows, i, env)?)));
                }
            }
        }
        let checks = self.checks(exec, env)?;
        for (name, e) in &checks {
            let e = e.clone();
            let res = exec.with_ctx(env, |ctx| e.eval(rows, ctx))?;
            // A CHECK passes when TRUE or NULL.
            for i in 0..rows.len {
                let fails = res.is_valid(i) && !truthy(&res)[i];
                if fails {
                    return Err(Error::new(
                        SqlState::CHECK_VIOLATION,
                        format!("new row for relation \"{}\" violates check constraint \"{}\"", self.table.name, name),
                    )
                    .with_detail(format!("Failing row contains {}.", self.describe_row(rows, i, env)?)));
                }
            }
        }
        Ok(())
    }

    /// `(1, null, abc)` as PostgreSQL shows a failing row.
    fn describe_row(&self, rows: &Morsel, i: usize, env: &ExecEnv) -> Result<String> {
        let live: Vec<&oa_ir::catalog::ColumnDesc> = self.table.live_columns().collect();
        let mut parts = Vec::new();
        for (pos, col) in live.iter().enumerate() {
            let d = rows.columns[pos].datum(i);
            parts.push(value_text(col.ty, &d, env)?);
        }
        Ok(format!("({})", parts.join(", ")))
    }

    /// Inserts the new row version; for UPDATE, replaces `old`. None when the row was already updated by this command.
    fn write_heap(&self, old: Option<Tid>, values: &[Datum], env: &mut ExecEnv) -> Result<Option<Tid>> {
        let t = oa_storage::form_tuple(&self.desc, values)?;
        let rel = RelFileNumber(self.table.relfilenode);
        let cid = env.txn.command_id();
        match old {
            None => Ok(Some(env.storage.insert(rel, &t, env.txn, cid)?)),
            Some(tid) => match env.storage.update(rel, tid, &t, env.txn, cid)? {
                Ok(new) => Ok(Some(new)),
                // The same row reached twice through a join: PostgreSQL updates it once.
                Err(oa_storage::TmFailure::SelfModified { .. }) | Err(oa_storage::TmFailure::Invisible) => Ok(None),
                Err(f) => Err(concurrent_update(f)),
            },
        }
    }

    /// Foreign keys this row references: checked at the end of the statement (or commit).
    fn queue_fk_checks(&self, values: &[Datum], old: Option<&[Datum]>, env: &mut ExecEnv) {
        for c in &self.table.constraints {
            let ConstraintKind::ForeignKey { columns, .. } = &c.kind else { continue };
            let key: Vec<Datum> = columns.iter().map(|a| values.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect();
            if key.iter().any(Datum::is_null) {
                continue;
            }
            if let Some(o) = old {
                let old_key: Vec<Datum> = columns.iter().map(|a| o.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect();
                if old_key == key {
                    continue;
                }
            }
            env.deferred.push(DeferredCheck::ForeignKey { table: self.table.clone(), constraint: c.clone(), key });
        }
    }

    /// This table's row lost (or changed) a key others reference: run the referential action.
    fn referenced_key_changed(&self, old: &[Datum], new: Option<&[Datum]>, exec: &mut Executor, env: &mut ExecEnv) -> Result<()> {
        for (child_oid, c) in &self.table.referenced_by {
            let ConstraintKind::ForeignKey { columns, ref_columns, on_update, on_delete, .. } = &c.kind else { continue };
            let key: Vec<Datum> = ref_columns.iter().map(|a| old.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect();
            if key.iter().any(Datum::is_null) {
                continue;
            }
            if let Some(n) = new {
                let new_key: Vec<Datum> = ref_columns.iter().map(|a| n.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect();
                if new_key == key {
                    continue;
                }
            }
            let Some(child) = oa_frontend::Catalog::relation(env.catalog, *child_oid) else { continue };
            let action = if new.is_some() { *on_update } else { *on_delete };
            match action {
                b'c' | b'n' | b'd' => {
                    let new_vals: Option<Vec<Datum>> =
                        new.map(|n| ref_columns.iter().map(|a| n.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect());
                    if apply_referential_action(&child, columns, &key, action, new_vals.as_deref(), exec, env)? {
                        // SET DEFAULT put back the very key that went away (ri_triggers.c).
                        return Err(still_referenced(&self.table, &child, c, &key, env)?);
                    }
                }
                b'r' => {
                    if referencing_rows(&child, columns, &key, env)?.is_empty() {
                        continue;
                    }
                    return Err(still_referenced(&self.table, &child, c, &key, env)?);
                }
                _ => {
                    env.deferred.push(DeferredCheck::StillReferenced { parent: self.table.clone(), child: child.clone(), constraint: c.clone(), key })
                }
            }
        }
        Ok(())
    }
}

fn concurrent_update(f: oa_storage::TmFailure) -> Error {
    Error::new(SqlState::T_R_SERIALIZATION_FAILURE, format!("could not serialize access due to concurrent update ({f:?})"))
}

fn decode_tid(d: &Datum) -> Result<Tid> {
    match d {
        Datum::Int64(v) => Ok(Tid::new((*v >> 16) as u32, (*v & 0xffff) as u16)),
        other => Err(Error::internal(format!("bad ctid {other:?}"))),
    }
}

fn value_text(ty: SqlType, d: &Datum, env: &ExecEnv) -> Result<String> {
    if d.is_null() {
        return Ok("null".into());
    }
    let elem_of = |t: Oid| oa_ir::typeio::builtin_array_elem(t).map(|e| (e, b','));
    oa_ir::io::output(ty, d, env.io, &elem_of)
}

fn key_text(table: &RelationDesc, attnums: &[i16], key: &[Datum], env: &ExecEnv) -> Result<(String, String)> {
    let mut names = Vec::new();
    let mut vals = Vec::new();
    for (a, v) in attnums.iter().zip(key) {
        let col = table.column_by_attnum(*a);
        names.push(col.map(|c| c.name.clone()).unwrap_or_default());
        vals.push(value_text(col.map_or(SqlType::TEXT, |c| c.ty), v, env)?);
    }
    Ok((names.join(", "), vals.join(", ")))
}

fn unique_violation(table: &RelationDesc, ix: usize, key: &[Datum], env: &ExecEnv) -> Result<Error> {
    let index = &table.indexes[ix];
    let name = table.constraints.iter().find(|c| c.index == Some(index.oid)).map(|c| c.name.clone()).unwrap_or_else(|| index.name.clone());
    let (cols, vals) = if index.exprs.is_empty() {
        key_text(table, &index.columns, key, env)?
    } else {
        let columns = index_columns(table, index, env.catalog, env.io)?;
        let mut vals = Vec::new();
        for ((_, ty), v) in columns.iter().zip(key) {
            vals.push(value_text(*ty, v, env)?);
        }
        (columns.into_iter().map(|(n, _)| n).collect::<Vec<_>>().join(", "), vals.join(", "))
    };
    Ok(Error::new(SqlState::UNIQUE_VIOLATION, format!("duplicate key value violates unique constraint \"{name}\""))
        .with_detail(format!("Key ({cols})=({vals}) already exists.")))
}

/// Per index, the key of each row of `rows` (None: not in that partial index).
fn row_keys(index_keys: &[IndexKeys], rows: &Morsel, exec: &mut Executor, env: &mut ExecEnv) -> Result<Vec<Vec<Option<Vec<Datum>>>>> {
    index_keys.iter().map(|k| k.keys(rows, exec, env)).collect()
}

/// ExecCheckIndexConstraints: the live row version that row `i` (by its
/// computed `keys`) conflicts with in an arbiter index, if any.
fn arbiter_conflict(table: &RelationDesc, arbiters: &[Oid], keys: &[Vec<Option<Vec<Datum>>>], i: usize, env: &mut ExecEnv) -> Result<Option<Tid>> {
    for (ix, index) in table.indexes.iter().enumerate() {
        if !index.unique || !(arbiters.is_empty() || arbiters.contains(&index.oid)) {
            continue;
        }
        if table.constraints.iter().any(|c| c.index == Some(index.oid) && c.deferrable) {
            return Err(Error::new(
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "ON CONFLICT does not support deferrable unique constraints/exclusion constraints as arbiters",
            ));
        }
        // Not in a partial index: no conflict there.
        let Some(key) = keys.get(ix).and_then(|k| k.get(i)).and_then(|k| k.as_ref()) else { continue };
        let found = env.storage.find_conflicting(
            RelFileNumber(index.relfilenode),
            key,
            RelFileNumber(table.relfilenode),
            env.txn,
            index.nulls_not_distinct,
        )?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Adds the index entries of a new row version (row `i` of the computed
/// `keys`), checking unique indexes; `old` is the version an UPDATE replaced.
#[allow(clippy::too_many_arguments)]
fn insert_index_entries(
    table: &Arc<RelationDesc>,
    index_keys: &[IndexKeys],
    keys: &[Vec<Option<Vec<Datum>>>],
    i: usize,
    values: &[Datum],
    tid: Tid,
    old: Option<&[Datum]>,
    env: &mut ExecEnv,
) -> Result<()> {
    for (ix, index) in table.indexes.iter().enumerate() {
        let Some(key) = keys.get(ix).and_then(|k| k.get(i)).cloned().flatten() else { continue };
        let constraint = table.constraints.iter().find(|c| c.index == Some(index.oid));
        let deferrable = constraint.is_some_and(|c| c.deferrable);
        let unchanged = old.is_some_and(|o| index_keys.get(ix).is_some_and(|k| k.unchanged(o, values)));
        if index.unique && !unchanged {
            let conflict = env.storage.find_conflicting(
                RelFileNumber(index.relfilenode),
                &key,
                RelFileNumber(table.relfilenode),
                env.txn,
                index.nulls_not_distinct,
            )?;
            if conflict.is_some() {
                match constraint.filter(|_| deferrable) {
                    // Rechecked at the end of the statement or, while deferred, at commit.
                    Some(c) => env.deferred.push(DeferredCheck::Unique { table: table.clone(), index: ix, constraint: c.clone(), key: key.clone() }),
                    None => return Err(unique_violation(table, ix, &key, env)?),
                }
            }
        }
        env.storage.btree_insert(env.txn, RelFileNumber(index.relfilenode), &key, tid)?;
    }
    Ok(())
}

fn still_referenced(parent: &RelationDesc, child: &RelationDesc, c: &ConstraintDesc, key: &[Datum], env: &ExecEnv) -> Result<Error> {
    let ConstraintKind::ForeignKey { ref_columns, .. } = &c.kind else { return Err(Error::internal("not a foreign key")) };
    let (cols, vals) = key_text(parent, ref_columns, key, env)?;
    Ok(Error::new(
        SqlState::FOREIGN_KEY_VIOLATION,
        format!("update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"", parent.name, c.name, child.name),
    )
    .with_detail(format!("Key ({cols})=({vals}) is still referenced from table \"{}\".", child.name)))
}

/// TIDs of visible rows of `child` whose `columns` equal `key`.
fn referencing_rows(child: &RelationDesc, columns: &[i16], key: &[Datum], env: &mut ExecEnv) -> Result<Vec<(Tid, Vec<Datum>)>> {
    let desc = TupleDesc::new(child.columns.iter().map(|c| physical_of(c.ty)).collect::<Vec<_>>());
    let snapshot = env.txn.snapshot();
    let mut scan = env.storage.scan(RelFileNumber(child.relfilenode), &snapshot)?;
    let mut batch = TupleBatch::new();
    let mut out = Vec::new();
    while scan.next_page(&mut batch)? {
        for (tid, t) in batch.iter() {
            let row = oa_storage::deform_tuple(&desc, t)?;
            if columns.iter().zip(key).all(|(a, k)| row.get((*a - 1) as usize).is_some_and(|v| !v.is_null() && v.sql_eq(k))) {
                out.push((tid, row));
            }
        }
    }
    Ok(out)
}

/// ON DELETE/UPDATE CASCADE, SET NULL, SET DEFAULT on the referencing rows.
/// True when SET DEFAULT left a row referencing the removed key (its
/// default equals it), which PostgreSQL reports as still referenced.
fn apply_referential_action(
    child: &Arc<RelationDesc>,
    columns: &[i16],
    key: &[Datum],
    action: u8,
    new_key: Option<&[Datum]>,
    exec: &mut Executor,
    env: &mut ExecEnv,
) -> Result<bool> {
    let mut still_referenced = false;
    // Each action sees what earlier ones did to the same rows (PostgreSQL runs
    // each RI action as its own query after a CommandCounterIncrement).
    env.txn.command_counter_increment()?;
    let rows = referencing_rows(child, columns, key, env)?;
    let desc = TupleDesc::new(child.columns.iter().map(|c| physical_of(c.ty)).collect::<Vec<_>>());
    let index_keys =
        if action == b'c' && new_key.is_none() { Vec::new() } else { IndexKeys::for_table(child, env.catalog, env.io, &mut exec.subqueries)? };
    let rel = RelFileNumber(child.relfilenode);
    for (tid, mut row) in rows {
        let cid = env.txn.command_id();
        if action == b'c' && new_key.is_none() {
            if env.storage.delete(rel, tid, env.txn, cid)?.is_err() {
                continue;
            }
            // The deleted child may itself be referenced.
            let op = ModifyOp {
                kind: Kind::Delete,
                table: child.clone(),
                values: vec![],
                ctid: None,
                returning: vec![],
                desc: desc.clone(),
                count: 0,
                checks: None,
                index_keys: None,
                on_conflict: None,
            };
            op.referenced_key_changed(&row, None, exec, env)?;
            continue;
        }
        let old_row = row.clone();
        for (i, a) in columns.iter().enumerate() {
            let idx = (*a - 1) as usize;
            row[idx] = match (action, new_key) {
                (b'c', Some(k)) => k[i].clone(),
                (b'd', _) => match child.column_by_attnum(*a).and_then(|c| c.default.clone()) {
                    Some(_) => default_value(child, *a, env)?,
                    None => Datum::Null,
                },
                _ => Datum::Null,
            };
        }
        if action == b'd' && columns.iter().zip(key).all(|(a, k)| row.get((*a - 1) as usize).is_some_and(|v| !v.is_null() && v.sql_eq(k))) {
            still_referenced = true;
        }
        let t = oa_storage::form_tuple(&desc, &row)?;
        if let Ok(new_tid) = env.storage.update(rel, tid, &t, env.txn, cid)? {
            let one = live_morsel(child, std::slice::from_ref(&row));
            let keys = row_keys(&index_keys, &one, exec, env)?;
            insert_index_entries(child, &index_keys, &keys, 0, &row, new_tid, Some(&old_row), env)?;
            // SET NULL/DEFAULT/CASCADE must still satisfy the child's own foreign
            // keys — those whose columns it changed (RI_FKey_fk_upd_check_required).
            for c in &child.constraints {
                if let ConstraintKind::ForeignKey { columns: fk_cols, .. } = &c.kind {
                    let k: Vec<Datum> = fk_cols.iter().map(|a| row.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect();
                    let old_k: Vec<Datum> = fk_cols.iter().map(|a| old_row.get((*a - 1) as usize).cloned().unwrap_or(Datum::Null)).collect();
                    if !k.iter().any(Datum::is_null) && k != old_k {
                        env.deferred.push(DeferredCheck::ForeignKey { table: child.clone(), constraint: c.clone(), key: k });
                    }
                }
            }
        }
    }
    Ok(still_referenced)
}

fn default_value(child: &RelationDesc, attnum: i16, env: &mut ExecEnv) -> Result<Datum> {
    let Some(col) = child.column_by_attnum(attnum) else { return Ok(Datum::Null) };
    let Some(sql) = &col.default else { return Ok(Datum::Null) };
    let ctx = oa_frontend::BindContext { io: env.io.clone(), param_types: vec![] };
    let e = oa_grammar::parse_expr(sql).map_err(|e| Error::internal(e.message))?;
    let bound = oa_frontend::bind_standalone_expr(&e, Some(col.ty), env.catalog, &ctx)?;
    let mut exec = Executor::new(oa_ir::pipeline::PipelineGraph { pipelines: vec![], num_states: 0, output: vec![] });
    let compiled = compile(&bound, &Vec::<ColumnId>::new(), &mut exec.subqueries)?;
    let one = Morsel::new(vec![], 1);
    exec.with_ctx(env, |ctx| compiled.eval_row(&one, 0, ctx))
}

/// Runs the queued checks whose constraint is not deferred now (at commit: none is).
pub fn run_deferred_checks(env: &mut ExecEnv, deferred_now: &dyn Fn(&ConstraintDesc) -> bool) -> Result<()> {
    let pending = std::mem::take(env.deferred);
    let mut keep = Vec::new();
    for check in pending {
        if deferred_now(check.constraint()) {
            keep.push(check);
            continue;
        }
        match &check {
            DeferredCheck::ForeignKey { table, constraint, key, .. } => {
                let ConstraintKind::ForeignKey { ref_table, columns, ref_columns, .. } = &constraint.kind else { continue };
                let Some(parent) = oa_frontend::Catalog::relation(env.catalog, *ref_table) else { continue };
                if referencing_rows(&parent, ref_columns, key, env)?.is_empty() {
                    let (cols, vals) = key_text(table, columns, key, env)?;
                    *env.deferred = keep;
                    return Err(Error::new(
                        SqlState::FOREIGN_KEY_VIOLATION,
                        format!("insert or update on table \"{}\" violates foreign key constraint \"{}\"", table.name, constraint.name),
                    )
                    .with_detail(format!("Key ({cols})=({vals}) is not present in table \"{}\".", parent.name)));
                }
            }
            DeferredCheck::StillReferenced { parent, child, constraint, key, .. } => {
                let ConstraintKind::ForeignKey { columns, ref_columns, .. } = &constraint.kind else { continue };
                // The key may have been re-inserted by the same statement.
                if !referencing_rows(parent, ref_columns, key, env)?.is_empty() {
                    continue;
                }
                if !referencing_rows(child, columns, key, env)?.is_empty() {
                    *env.deferred = keep;
                    return Err(still_referenced(parent, child, constraint, key, env)?);
                }
            }
            DeferredCheck::Unique { table, index, key, .. } => {
                let ix = &table.indexes[*index];
                let snapshot = env.txn.snapshot();
                let mut scan = env.storage.btree_search(RelFileNumber(ix.relfilenode), Bound::Included(key), Bound::Included(key))?;
                let mut batch = IndexBatch::default();
                let mut live = 0;
                while scan.next_batch(&mut batch)? {
                    for tid in batch.tids() {
                        if env.storage.fetch(RelFileNumber(table.relfilenode), tid, &snapshot)?.is_some() {
                            live += 1;
                        }
                    }
                }
                if live > 1 {
                    *env.deferred = keep;
                    return Err(unique_violation(table, *index, key, env)?);
                }
            }
        }
    }
    *env.deferred = keep;
    Ok(())
}
