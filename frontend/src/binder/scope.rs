//! Name scopes: the FROM-clause entries visible at one query level, linked to
//! the enclosing level for correlated references (PostgreSQL's ParseState
//! namespace and parent chain).

use std::sync::Arc;

use oa_ir::catalog::RelationDesc;
use oa_ir::expr::{ColumnId, ScalarExpr};
use oa_ir::types::{Oid, SqlType};
use oa_ir::{Error, Result, SqlState};

/// One FROM-clause item (a table, subquery, function or join result).
#[derive(Clone, Debug)]
pub(crate) struct RangeEntry {
    /// The name qualified references use (alias, or table name); None for an unaliased join.
    pub name: Option<String>,
    pub table: Option<Arc<RelationDesc>>,
    pub columns: Vec<EntryColumn>,
    /// Position of the FROM item (for "invalid reference" hints and LATERAL).
    pub location: usize,
}

#[derive(Clone, Debug)]
pub(crate) struct EntryColumn {
    pub name: String,
    pub id: ColumnId,
    pub ty: SqlType,
    /// Found by qualified references only (a column merged by JOIN USING).
    pub qualified_only: bool,
    /// System column (ctid): never part of `*`.
    pub system: bool,
    pub table: Oid,
    pub attnum: i16,
}

/// The entries of one query level and, for `*`, the top-level FROM items.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope<'p> {
    pub entries: Vec<RangeEntry>,
    /// For `SELECT *`: each top-level FROM item's columns in expansion order.
    pub star: Vec<Vec<EntryColumn>>,
    pub parent: Option<&'p Scope<'p>>,
    /// Entries currently invisible (FROM items to the right of a non-LATERAL subquery).
    pub hidden_from: Option<usize>,
}

/// What a column reference resolved to.
pub(crate) struct Resolved {
    pub expr: ScalarExpr,
    pub table: Oid,
    pub attnum: i16,
    /// 0 = this level, 1 = the parent query, …
    pub levels_up: usize,
}

impl<'p> Scope<'p> {
    pub fn new(parent: Option<&'p Scope<'p>>) -> Self {
        Scope { entries: Vec::new(), star: Vec::new(), parent, hidden_from: None }
    }

    fn visible_entries(&self) -> &[RangeEntry] {
        match self.hidden_from {
            Some(n) => &self.entries[..n.min(self.entries.len())],
            None => &self.entries,
        }
    }

    /// Resolves `name` or `qualifier.name` (PostgreSQL's colNameToVar / qualified lookup).
    pub fn resolve(&self, qualifier: Option<&[String]>, name: &str, loc: usize) -> Result<Resolved> {
        let mut scope = Some(self);
        let mut level = 0;
        while let Some(s) = scope {
            if let Some(r) = s.resolve_here(qualifier, name, loc)? {
                return Ok(Resolved { levels_up: level, ..r });
            }
            scope = s.parent;
            level += 1;
        }
        Err(self.not_found_error(qualifier, name, loc))
    }

    fn resolve_here(&self, qualifier: Option<&[String]>, name: &str, loc: usize) -> Result<Option<Resolved>> {
        let entries = self.visible_entries();
        match qualifier {
            None => {
                let mut found: Option<&EntryColumn> = None;
                for e in entries {
                    for c in &e.columns {
                        if c.name == name && !c.qualified_only {
                            if let Some(prev) = found
                                && prev.id != c.id
                            {
                                return Err(
                                    Error::new(SqlState::AMBIGUOUS_COLUMN, format!("column reference \"{name}\" is ambiguous")).with_position(loc)
                                );
                            }
                            found = Some(c);
                        }
                    }
                }
                Ok(found.map(|c| Resolved { expr: ScalarExpr::Column { id: c.id, ty: c.ty }, table: c.table, attnum: c.attnum, levels_up: 0 }))
            }
            Some(q) => {
                let Some(entry) = self.find_entry(q, loc)? else { return Ok(None) };
                match entry.columns.iter().find(|c| c.name == name) {
                    Some(c) => Ok(Some(Resolved { expr: ScalarExpr::Column { id: c.id, ty: c.ty }, table: c.table, attnum: c.attnum, levels_up: 0 })),
                    None => Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column {}.{name} does not exist", q.join("."))).with_position(loc)),
                }
            }
        }
    }

    /// How many levels up the FROM item defining column `id` is (0 = here),
    /// whether visible or not.
    pub fn level_of(&self, id: ColumnId) -> Option<usize> {
        let mut scope = Some(self);
        let mut level = 0;
        while let Some(s) = scope {
            if s.entries.iter().any(|e| e.columns.iter().any(|c| c.id == id)) {
                return Some(level);
            }
            scope = s.parent;
            level += 1;
        }
        None
    }

    /// The number of query levels up to the outermost (0 for a top-level query).
    pub fn depth(&self) -> usize {
        let mut n = 0;
        let mut scope = self.parent;
        while let Some(s) = scope {
            n += 1;
            scope = s.parent;
        }
        n
    }

    /// The entry a qualifier names at this level (schema-qualified names match the table).
    pub fn find_entry(&self, qualifier: &[String], loc: usize) -> Result<Option<&RangeEntry>> {
        let entries = self.visible_entries();
        let rel_name = qualifier.last().map(String::as_str).unwrap_or("");
        let mut found: Option<&RangeEntry> = None;
        for e in entries {
            let matches = match qualifier.len() {
                1 => e.name.as_deref() == Some(rel_name),
                _ => {
                    // schema.table refers to an unaliased table entry.
                    let schema = &qualifier[qualifier.len() - 2];
                    e.table.as_ref().is_some_and(|t| &t.namespace_name == schema && t.name == rel_name) && e.name.as_deref() == Some(rel_name)
                }
            };
            if matches {
                if found.is_some() {
                    return Err(Error::new(SqlState::AMBIGUOUS_ALIAS, format!("table reference \"{rel_name}\" is ambiguous")).with_position(loc));
                }
                found = Some(e);
            }
        }
        Ok(found)
    }

    /// Finds the entry for `qualifier` here or in an enclosing scope.
    pub fn find_entry_any_level(&self, qualifier: &[String], loc: usize) -> Result<Option<&RangeEntry>> {
        let mut scope = Some(self);
        while let Some(s) = scope {
            if let Some(e) = s.find_entry(qualifier, loc)? {
                return Ok(Some(e));
            }
            scope = s.parent;
        }
        Ok(None)
    }

    fn not_found_error(&self, qualifier: Option<&[String]>, name: &str, loc: usize) -> Error {
        match qualifier {
            None => {
                let mut err = Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" does not exist")).with_position(loc);
                if let Some(hint) = self.column_hint(name) {
                    err = err.with_hint(hint);
                }
                err
            }
            Some(q) => {
                let rel = q.join(".");
                let relname = q.last().map(String::as_str).unwrap_or("");
                let Some(entry) = self.search_entry_for_rel(q) else {
                    return Error::new(SqlState::UNDEFINED_TABLE, format!("missing FROM-clause entry for table \"{rel}\"")).with_position(loc);
                };
                // errorMissingRTE: an entry for that table exists but is out of
                // reach, or the table is only visible under its alias.
                let alias = entry.name.clone().unwrap_or_default();
                let bad_alias = entry.table.is_some()
                    && alias != relname
                    && self.find_entry_any_level(std::slice::from_ref(&alias), loc).ok().flatten().is_some_and(|e| std::ptr::eq(e, entry));
                let hint = if bad_alias {
                    format!("Perhaps you meant to reference the table alias \"{alias}\".")
                } else {
                    format!("There is an entry for table \"{alias}\", but it cannot be referenced from this part of the query.")
                };
                Error::new(SqlState::UNDEFINED_TABLE, format!("invalid reference to FROM-clause entry for table \"{relname}\""))
                    .with_position(loc)
                    .with_hint(hint)
            }
        }
    }

    /// searchRangeTableForRel: an entry at any level, visible or not, named
    /// like the reference or scanning the table it names.
    fn search_entry_for_rel(&self, qualifier: &[String]) -> Option<&RangeEntry> {
        let relname = qualifier.last().map(String::as_str)?;
        let schema = (qualifier.len() > 1).then(|| qualifier[qualifier.len() - 2].as_str());
        let mut scope = Some(self);
        while let Some(s) = scope {
            for e in &s.entries {
                let by_name = schema.is_none() && e.name.as_deref() == Some(relname);
                let by_table = e.table.as_ref().is_some_and(|t| t.name == relname && schema.is_none_or(|n| t.namespace_name == n));
                if by_name || by_table {
                    return Some(e);
                }
            }
            scope = s.parent;
        }
        None
    }

    /// PostgreSQL's errorMissingColumn hint: a column of that name in an entry
    /// that can only be referenced qualified, or a close misspelling.
    fn column_hint(&self, name: &str) -> Option<String> {
        let mut best: Option<(usize, String, String)> = None;
        let mut scope = Some(self);
        while let Some(s) = scope {
            for e in &s.entries {
                for c in &e.columns {
                    if c.system {
                        continue;
                    }
                    let d = levenshtein(name, &c.name);
                    let limit = (name.len().max(c.name.len()) / 2).max(1);
                    if d <= limit && d > 0 && best.as_ref().is_none_or(|b| d < b.0) {
                        best = Some((d, e.name.clone().unwrap_or_default(), c.name.clone()));
                    }
                }
            }
            scope = s.parent;
        }
        let (_, table, col) = best?;
        if table.is_empty() {
            Some(format!("Perhaps you meant to reference the column \"{col}\"."))
        } else {
            Some(format!("Perhaps you meant to reference the column \"{table}.{col}\"."))
        }
    }
}

/// Edit distance as PostgreSQL's varstr_levenshtein with unit costs.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
