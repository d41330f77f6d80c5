//! Table rewrites: ALTER COLUMN TYPE copies every row into new relation
//! files (table and indexes) through an INSERT plan over the old files, as
//! PostgreSQL does, so constraints and unique indexes are checked again.

use std::sync::Arc;

use oa_frontend::Catalog;
use oa_grammar::ast;
use oa_ir::catalog::RelationDesc;
use oa_ir::datum::Datum;
use oa_ir::expr::ScalarExpr;
use oa_ir::plan::PlanColumn;
use oa_ir::types::SqlType;
use oa_ir::{ColumnId, Error, LogicalPlan, Result, SqlState};
use oa_storage::{RelFileNumber, TupleDesc};

use super::Ddl;
use crate::exec::eval::physical_of;
use crate::session::quote_ident_if_needed;

pub(crate) fn alter_column_type(
    d: &mut Ddl,
    rel: &Arc<RelationDesc>,
    name: &str,
    type_name: &ast::TypeName,
    using: Option<&ast::Expr>,
) -> Result<()> {
    let col = rel
        .column(name)
        .cloned()
        .ok_or_else(|| Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" of relation \"{}\" does not exist", rel.name)))?;
    let new_ty = oa_frontend::resolve_type_name(type_name, &*d.catalog, &d.ctx)?;
    // The new value of the column, bound over the old table.
    let value = match using {
        Some(e) => {
            let bound = oa_frontend::bind_table_ast(e, rel, &*d.catalog, &d.ctx)?;
            oa_frontend::resolve::coerce_to_column(bound, new_ty, name, &*d.catalog, &d.ctx).map_err(|e| {
                if e.code == SqlState::DATATYPE_MISMATCH {
                    Error::new(
                        SqlState::DATATYPE_MISMATCH,
                        format!(
                            "result of USING clause for column \"{name}\" cannot be cast automatically to type {}",
                            crate::session::format_type(&d.catalog, new_ty)
                        ),
                    )
                    .with_hint("You might need to add an explicit cast.")
                } else {
                    e
                }
            })?
        }
        None => {
            let c = ScalarExpr::Column { id: ColumnId(col.attnum as u32), ty: col.ty };
            oa_frontend::resolve::coerce_to_column(c, new_ty, name, &*d.catalog, &d.ctx).map_err(|e| {
                if e.code == SqlState::DATATYPE_MISMATCH {
                    let t = crate::session::format_type(&d.catalog, new_ty);
                    Error::new(SqlState::DATATYPE_MISMATCH, format!("column \"{name}\" cannot be cast automatically to type {t}"))
                        .with_hint(format!("You might need to specify \"USING {}::{t}\".", quote_ident_if_needed(name)))
                } else {
                    e
                }
            })?
        }
    };
    // A scan of the old files exposing column attnum as ColumnId(attnum), as the bound expression expects.
    let scan_columns: Vec<oa_ir::plan::ScanColumn> = rel
        .live_columns()
        .map(|c| oa_ir::plan::ScanColumn { id: ColumnId(c.attnum as u32), attnum: c.attnum, ty: c.ty, name: c.name.clone() })
        .collect();
    let next = rel.columns.len() as u32 + 1;
    let items: Vec<(PlanColumn, ScalarExpr)> = rel
        .live_columns()
        .enumerate()
        .map(|(i, c)| {
            let out = PlanColumn { id: ColumnId(next + i as u32), ty: if c.attnum == col.attnum { new_ty } else { c.ty }, name: c.name.clone() };
            let e = if c.attnum == col.attnum { value.clone() } else { ScalarExpr::Column { id: ColumnId(c.attnum as u32), ty: c.ty } };
            (out, e)
        })
        .collect();
    let input =
        LogicalPlan::Project { input: Box::new(LogicalPlan::Scan { table: rel.clone(), alias: rel.name.clone(), columns: scan_columns }), items };
    // Catalog: the new type, new files for the table and its indexes.
    let table = rel.oid;
    let attnum = col.attnum;
    // Expression and partial indexes on the column are rebuilt from their definitions as of the old type.
    for idx in super::index::indexes_using_column(d, rel, attnum) {
        if idx.is_simple() {
            continue;
        }
        let exprs: Vec<String> = idx.exprs.iter().map(|e| super::index::rebuild_text(d, rel, e)).collect::<Result<_>>()?;
        let pred = idx.predicate.as_deref().map(|p| super::index::rebuild_text(d, rel, p)).transpose()?;
        let o = idx.oid;
        d.update("pg_index", |g| {
            (g("indexrelid") == Datum::Oid(o)).then(|| {
                vec![
                    ("indexprs", if exprs.is_empty() { Datum::Null } else { Datum::Text(exprs.join(", ")) }),
                    ("indpred", pred.clone().map_or(Datum::Null, Datum::Text)),
                ]
            })
        })?;
    }
    // The column takes the new type's length, alignment and storage (ATExecAlterColumnType).
    let t = d.catalog.type_by_oid(new_ty.oid).ok_or_else(|| Error::internal("column type vanished"))?;
    let (len, byval, align, storage) = (t.len, t.byval, t.align, super::create::type_storage(d, new_ty.oid));
    d.update("pg_attribute", |g| {
        (g("attrelid") == Datum::Oid(table) && g("attnum") == Datum::Int16(attnum)).then(|| {
            vec![
                ("atttypid", Datum::Oid(new_ty.oid)),
                ("atttypmod", Datum::Int32(new_ty.typmod)),
                ("attlen", Datum::Int16(len)),
                ("attbyval", Datum::Bool(byval)),
                ("attalign", Datum::Char(align)),
                ("attstorage", Datum::Char(storage)),
            ]
        })
    })?;
    // Index keys over the new column type: expressions are bound again (and fail as PostgreSQL's rebuild would).
    d.refresh()?;
    let altered = d.catalog.relation(table).ok_or_else(|| Error::internal("table vanished"))?;
    let storage = d.storage();
    let new_file = d.new_oid()?;
    storage.create_relation(d.txn()?, RelFileNumber(new_file))?;
    d.update("pg_class", |g| (g("oid") == Datum::Oid(table)).then(|| vec![("relfilenode", Datum::Oid(new_file))]))?;
    let mut old_files = vec![rel.relfilenode];
    for idx in &altered.indexes {
        let f = d.new_oid()?;
        let key_types: Vec<SqlType> = super::index::key_types(d, &altered, idx)?;
        storage.btree_create(d.txn()?, RelFileNumber(f), TupleDesc::new(key_types.iter().map(|t| physical_of(*t)).collect()))?;
        let io = idx.oid;
        d.update("pg_class", |g| (g("oid") == Datum::Oid(io)).then(|| vec![("relfilenode", Datum::Oid(f))]))?;
        for (pos, ty) in key_types.iter().enumerate() {
            if idx.columns[pos] != attnum && idx.columns[pos] != 0 {
                continue;
            }
            let (p, ty) = (pos as i16 + 1, *ty);
            d.update("pg_attribute", |g| {
                (g("attrelid") == Datum::Oid(io) && g("attnum") == Datum::Int16(p))
                    .then(|| vec![("atttypid", Datum::Oid(ty.oid)), ("atttypmod", Datum::Int32(ty.typmod))])
            })?;
        }
        old_files.push(idx.relfilenode);
    }
    d.refresh()?;
    let new_rel = d.catalog.relation(table).ok_or_else(|| Error::internal("table vanished"))?;
    let plan = LogicalPlan::Insert {
        table: new_rel.clone(),
        input: Box::new(input),
        target_attnums: new_rel.live_columns().map(|c| c.attnum).collect(),
        returning: vec![],
        on_conflict: None,
    };
    let snapshot = d.snapshot.clone();
    let catalog = d.catalog.clone();
    // PostgreSQL rebuilds the indexes after copying the rows: a duplicate is the rebuild's failure.
    d.s.run_plan(plan, &snapshot, &catalog).map_err(|mut e| {
        if e.code == SqlState::UNIQUE_VIOLATION
            && let Some(name) = e.message.strip_prefix("duplicate key value violates unique constraint ")
        {
            e.message = format!("could not create unique index {name}");
            e.detail = e.detail.map(|d| d.replace(" already exists.", " is duplicated."));
        }
        e
    })?;
    for f in old_files {
        storage.drop_relation(d.txn()?, RelFileNumber(f))?;
    }
    Ok(())
}

/// RENAME COLUMN: CHECK constraints are stored as SQL text, so the column's
/// name is replaced in them (identifier tokens only, never function names).
pub(crate) fn rename_column_references(d: &mut Ddl, rel: &RelationDesc, old: &str, new: &str) -> Result<()> {
    for c in &rel.constraints {
        let oa_ir::catalog::ConstraintKind::Check { expr } = &c.kind else { continue };
        let text = rename_identifier(expr, old, new)?;
        if &text != expr {
            let o = c.oid;
            d.update("pg_constraint", |g| (g("oid") == Datum::Oid(o)).then(|| vec![("conbin", Datum::Text(text.clone()))]))?;
        }
    }
    // Index expressions and predicates are SQL text too.
    for idx in &rel.indexes {
        if idx.is_simple() {
            continue;
        }
        let exprs = if idx.exprs.is_empty() { None } else { Some(rename_identifier(&idx.exprs.join(", "), old, new)?) };
        let pred = idx.predicate.as_deref().map(|p| rename_identifier(p, old, new)).transpose()?;
        let o = idx.oid;
        d.update("pg_index", |g| {
            (g("indexrelid") == Datum::Oid(o)).then(|| {
                let mut changes = Vec::new();
                if let Some(e) = &exprs {
                    changes.push(("indexprs", Datum::Text(e.clone())));
                }
                if let Some(p) = &pred {
                    changes.push(("indpred", Datum::Text(p.clone())));
                }
                changes
            })
        })?;
    }
    Ok(())
}

fn rename_identifier(sql: &str, old: &str, new: &str) -> Result<String> {
    use oa_grammar::lexer::{LexOptions, Tok, tokenize};
    let tokens = tokenize(sql, LexOptions::default()).map_err(|e| Error::internal(format!("stored expression does not lex: {}", e.message)))?;
    let mut out = String::new();
    let mut last = 0;
    for (i, (start, tok, end)) in tokens.iter().enumerate() {
        let is_ident = matches!(tok, Tok::Ident(name) if name == old);
        let is_call = tokens.get(i + 1).is_some_and(|t| matches!(t.1, Tok::LParen));
        if is_ident && !is_call {
            out.push_str(&sql[last..*start]);
            out.push_str(&quote_ident_if_needed(new));
            last = *end;
        }
    }
    out.push_str(&sql[last..]);
    Ok(out)
}
