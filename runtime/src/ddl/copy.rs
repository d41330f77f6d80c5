//! COPY in PostgreSQL's text and CSV formats. FROM a file or the client's
//! data: rows are read through each column's input function and inserted by
//! the same Insert operator as INSERT, so every constraint is checked. TO a
//! file or the client: a query's rows in their output form.

use oa_frontend::Catalog;
use oa_grammar::ast;
use oa_ir::datum::Datum;
use oa_ir::expr::ScalarExpr;
use oa_ir::physical::PhysicalPlan;
use oa_ir::plan::PlanColumn;
use oa_ir::types::Oid;
use oa_ir::{ColumnId, Error, Result, SqlState};

use super::Ddl;
use crate::session::{Outcome, Session, quote_ident_if_needed};

/// Rows per Insert batch.
const BATCH_ROWS: usize = 2048;

struct Format {
    csv: bool,
    /// FORCE_QUOTE: None, the named columns, or every column (`*`).
    force_quote: Option<Vec<String>>,
    delimiter: char,
    null: String,
    header: bool,
    quote: char,
    escape: char,
}

fn option_text(o: &ast::DefElem) -> Option<String> {
    match &o.value {
        Some(ast::DefValue::String(s) | ast::DefValue::Word(s) | ast::DefValue::Number(s)) => Some(s.clone()),
        _ => None,
    }
}

fn single_char(o: &ast::DefElem, what: &str) -> Result<char> {
    let s = option_text(o).unwrap_or_default();
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, format!("COPY {what} must be a single one-byte character"))),
    }
}

fn parse_format(options: &[ast::DefElem]) -> Result<Format> {
    let mut csv = false;
    for o in options {
        if o.name == "format" {
            match option_text(o).as_deref() {
                Some("csv") => csv = true,
                Some("text") => csv = false,
                Some("binary") => return Err(Error::feature_not_supported("COPY BINARY is not supported yet").with_position(o.loc)),
                Some(other) => {
                    return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("COPY format \"{other}\" not recognized")).with_position(o.loc));
                }
                None => {}
            }
        }
    }
    let mut f = Format {
        csv,
        force_quote: None,
        delimiter: if csv { ',' } else { '\t' },
        null: if csv { String::new() } else { "\\N".into() },
        header: false,
        quote: '"',
        escape: '"',
    };
    let mut escape_set = false;
    for o in options {
        match o.name.as_str() {
            "format" | "freeze" | "encoding" => {}
            "delimiter" => f.delimiter = single_char(o, "delimiter")?,
            "null" => f.null = option_text(o).unwrap_or_default(),
            "header" => {
                f.header = match &o.value {
                    None => true,
                    Some(_) => crate::settings::parse_bool(&option_text(o).unwrap_or_default()).ok_or_else(|| {
                        Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("{} requires a Boolean value", o.name)).with_position(o.loc)
                    })?,
                }
            }
            "quote" => {
                if !csv {
                    return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "COPY quote available only in CSV mode"));
                }
                f.quote = single_char(o, "quote")?;
            }
            "escape" => {
                if !csv {
                    return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "COPY escape available only in CSV mode"));
                }
                f.escape = single_char(o, "escape")?;
                escape_set = true;
            }
            "force_quote" if csv => {
                f.force_quote = Some(match &o.value {
                    Some(ast::DefValue::Star) => vec!["*".into()],
                    Some(ast::DefValue::List(items)) => items
                        .iter()
                        .filter_map(|v| match v {
                            ast::DefValue::Word(w) | ast::DefValue::String(w) => Some(w.clone()),
                            _ => None,
                        })
                        .collect(),
                    _ => option_text(o).into_iter().collect(),
                })
            }
            "force_quote" => return Err(Error::new(SqlState::FEATURE_NOT_SUPPORTED, "COPY force quote available only in CSV mode")),
            "force_not_null" | "force_null" => {
                return Err(Error::feature_not_supported(format!("COPY {} is not supported yet", o.name.to_ascii_uppercase())).with_position(o.loc));
            }
            other => return Err(Error::new(SqlState::SYNTAX_ERROR, format!("option \"{other}\" not recognized")).with_position(o.loc)),
        }
    }
    if !escape_set {
        f.escape = f.quote;
    }
    Ok(f)
}

/// The number of columns and whether CSV, for CopyInResponse/CopyOutResponse.
pub(crate) fn copy_shape(s: &mut Session, c: &ast::CopyStmt) -> Result<(usize, bool)> {
    let format = parse_format(&c.options)?;
    let n = match &c.source {
        ast::CopySource::Table { rel, columns } => {
            let d = Ddl::new(s)?;
            let table = d.table(rel)?;
            if columns.is_empty() { table.live_columns().count() } else { columns.len() }
        }
        ast::CopySource::Query(q) => {
            let d = s.describe(q, &[])?;
            d.fields.map(|f| f.len()).unwrap_or(0)
        }
    };
    Ok((n, format.csv))
}

pub(crate) fn copy(s: &mut Session, c: &ast::CopyStmt) -> Result<Outcome> {
    if !c.is_from {
        return copy_to(s, c);
    }
    let (rel, columns) = match &c.source {
        ast::CopySource::Table { rel, columns } => (rel, columns),
        ast::CopySource::Query(_) => return Err(Error::new(SqlState::SYNTAX_ERROR, "COPY FROM (query) is not valid")),
    };
    if c.where_clause.is_some() {
        return Err(Error::feature_not_supported("COPY FROM ... WHERE is not supported yet"));
    }
    let format = parse_format(&c.options)?;
    let text = match &c.target {
        ast::CopyTarget::File(path) => {
            if !std::path::Path::new(path).is_absolute() {
                return Err(Error::new(SqlState::INVALID_NAME, "relative path not allowed for COPY to file"));
            }
            std::fs::read_to_string(path).map_err(|e| {
                let msg = match e.kind() {
                    std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
                    _ => e.to_string(),
                };
                Error::new(SqlState::UNDEFINED_FILE, format!("could not open file \"{path}\" for reading: {msg}"))
            })?
        }
        ast::CopyTarget::Stdin | ast::CopyTarget::Stdout => {
            let data = s.copy_in.take().ok_or_else(|| {
                Error::feature_not_supported("COPY FROM STDIN needs the client's data: run it through the wire protocol or Session::run_copy_in")
            })?;
            String::from_utf8(data).map_err(|_| Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"UTF8\""))?
        }
        ast::CopyTarget::Program(_) => return Err(Error::feature_not_supported("COPY FROM PROGRAM is not supported yet")),
    };
    let d = Ddl::new(s)?;
    let table = d.table(rel)?;
    if table.kind != oa_ir::catalog::RelKind::Table {
        return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("cannot copy to non-table relation \"{}\"", table.name)));
    }
    let live: Vec<oa_ir::catalog::ColumnDesc> = table.live_columns().cloned().collect();
    // Which input field feeds each live column (None: its DEFAULT).
    let mut source: Vec<Option<usize>> = vec![None; live.len()];
    if columns.is_empty() {
        for (i, s) in source.iter_mut().enumerate() {
            *s = Some(i);
        }
    } else {
        for (f, name) in columns.iter().enumerate() {
            let pos = live
                .iter()
                .position(|c| &c.name == name)
                .ok_or_else(|| Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" of relation \"{}\" does not exist", table.name)))?;
            if source[pos].is_some() {
                return Err(Error::new(SqlState::DUPLICATE_COLUMN, format!("column \"{name}\" specified more than once")));
            }
            source[pos] = Some(f);
        }
    }
    let nfields = if columns.is_empty() { live.len() } else { columns.len() };
    let defaults: Vec<Option<ScalarExpr>> = live
        .iter()
        .zip(&source)
        .map(|(c, s)| match s {
            Some(_) => Ok(None),
            None => oa_frontend::resolve::column_default_expr(&table, c, &*d.catalog, &d.ctx).map(Some),
        })
        .collect::<Result<_>>()?;
    let io = d.ctx.io.clone();
    let catalog = d.catalog.clone();
    let snapshot = d.snapshot.clone();
    drop(d);
    let elem_of = |t: Oid| catalog.type_by_oid(t).filter(|x| x.is_array()).map(|x| (x.elem, b','));
    let plan_columns: Vec<PlanColumn> =
        live.iter().enumerate().map(|(i, c)| PlanColumn { id: ColumnId(i as u32 + 1), ty: c.ty, name: c.name.clone() }).collect();
    let mut rows: Vec<Vec<ScalarExpr>> = Vec::with_capacity(BATCH_ROWS);
    let mut total = 0u64;
    let records = if format.csv { split_csv(&text, &format)? } else { split_text(&text, &format)? };
    let flush = |rows: &mut Vec<Vec<ScalarExpr>>, s: &mut Session| -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let plan = PhysicalPlan::Insert {
            table: table.clone(),
            input: Box::new(PhysicalPlan::Values { columns: plan_columns.clone(), rows: std::mem::take(rows) }),
            target_attnums: live.iter().map(|c| c.attnum).collect(),
            returning: vec![],
            on_conflict: None,
        };
        s.run_physical(&plan, &snapshot, &catalog)
    };
    for (lineno, fields) in records.into_iter().enumerate() {
        if format.header && lineno == 0 {
            continue;
        }
        if fields.len() > nfields {
            return Err(Error::new(SqlState::BAD_COPY_FILE_FORMAT, "extra data after last expected column"));
        }
        if fields.len() < nfields {
            let missing = if columns.is_empty() { live[fields.len()].name.clone() } else { columns[fields.len()].clone() };
            return Err(Error::new(SqlState::BAD_COPY_FILE_FORMAT, format!("missing data for column \"{missing}\"")));
        }
        let mut row = Vec::with_capacity(live.len());
        for (i, c) in live.iter().enumerate() {
            let e = match source[i] {
                Some(f) => {
                    let value = match &fields[f] {
                        None => Datum::Null,
                        Some(t) => oa_ir::io::input(c.ty, t, &io, &elem_of)?,
                    };
                    ScalarExpr::Const { value, ty: c.ty }
                }
                None => defaults[i].clone().unwrap_or_else(|| ScalarExpr::null(c.ty)),
            };
            row.push(e);
        }
        rows.push(row);
        if rows.len() >= BATCH_ROWS {
            total += flush(&mut rows, s)?;
        }
    }
    total += flush(&mut rows, s)?;
    Ok(Outcome::Command { tag: format!("COPY {total}") })
}

/// COPY … TO: the table's (or query's) rows in their text output form.
fn copy_to(s: &mut Session, c: &ast::CopyStmt) -> Result<Outcome> {
    let format = parse_format(&c.options)?;
    let query = match &c.source {
        ast::CopySource::Query(q) => (**q).clone(),
        ast::CopySource::Table { rel, columns } => {
            let d = Ddl::new(s)?;
            let table = d.table(rel)?;
            match table.kind {
                oa_ir::catalog::RelKind::Table => {}
                oa_ir::catalog::RelKind::View => {
                    return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("cannot copy from view \"{}\"", table.name))
                        .with_hint("Try the COPY (SELECT ...) TO variant."));
                }
                _ => return Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("cannot copy from non-table relation \"{}\"", table.name))),
            }
            for name in columns {
                if table.column(name).is_none() {
                    return Err(Error::new(SqlState::UNDEFINED_COLUMN, format!("column \"{name}\" of relation \"{}\" does not exist", table.name)));
                }
            }
            let list = if columns.is_empty() {
                table.live_columns().map(|c| quote_ident_if_needed(&c.name)).collect::<Vec<_>>().join(", ")
            } else {
                columns.iter().map(|c| quote_ident_if_needed(c)).collect::<Vec<_>>().join(", ")
            };
            let sql = format!("SELECT {list} FROM ONLY {}.{}", quote_ident_if_needed(&table.namespace_name), quote_ident_if_needed(&table.name));
            oa_grammar::parse(&sql).map_err(|e| Error::internal(e.message))?.remove(0).stmt
        }
    };
    let mut portal = s.open_portal(&query, &[], &[])?;
    let names: Vec<String> = portal.fields.iter().map(|f| f.name.clone()).collect();
    let forced: Vec<bool> = match &format.force_quote {
        None => vec![false; names.len()],
        Some(list) if list.iter().any(|n| n == "*") => vec![true; names.len()],
        Some(list) => {
            for n in list {
                if !names.contains(n) {
                    return Err(Error::new(SqlState::INVALID_COLUMN_REFERENCE, format!("FORCE_QUOTE column \"{n}\" not referenced by COPY")));
                }
            }
            names.iter().map(|n| list.contains(n)).collect()
        }
    };
    let mut out = String::new();
    if format.header {
        let header: Vec<Option<String>> = names.iter().cloned().map(Some).collect();
        write_row(&mut out, &header, &vec![false; names.len()], &format);
    }
    let mut count = 0u64;
    loop {
        let rows = s.fetch(&mut portal, 4096)?;
        for r in &rows {
            write_row(&mut out, r, &forced, &format);
        }
        count += rows.len() as u64;
        if portal.is_done() {
            break;
        }
    }
    match &c.target {
        ast::CopyTarget::Stdout | ast::CopyTarget::Stdin => {
            s.copy_out = Some(crate::session::CopyData { columns: names.len(), csv: format.csv, data: out.into_bytes() });
        }
        ast::CopyTarget::File(path) => {
            if !std::path::Path::new(path).is_absolute() {
                return Err(Error::new(SqlState::INVALID_NAME, "relative path not allowed for COPY to file"));
            }
            std::fs::write(path, out).map_err(|e| Error::new(SqlState::IO_ERROR, format!("could not open file \"{path}\" for writing: {e}")))?;
        }
        ast::CopyTarget::Program(_) => return Err(Error::feature_not_supported("COPY TO PROGRAM is not supported yet")),
    }
    Ok(Outcome::Command { tag: format!("COPY {count}") })
}

/// One output line (CopyAttributeOutText / CopyAttributeOutCSV).
fn write_row(out: &mut String, row: &[Option<String>], forced: &[bool], f: &Format) {
    let single = row.len() == 1;
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(f.delimiter);
        }
        match v {
            None => out.push_str(&f.null),
            Some(v) if f.csv => {
                let quote = forced.get(i).copied().unwrap_or(false)
                    || *v == f.null
                    || (single && v == "\\.")
                    || v.chars().any(|c| c == f.delimiter || c == f.quote || c == '\n' || c == '\r');
                if quote {
                    out.push(f.quote);
                    for c in v.chars() {
                        if c == f.quote || c == f.escape {
                            out.push(f.escape);
                        }
                        out.push(c);
                    }
                    out.push(f.quote);
                } else {
                    out.push_str(v);
                }
            }
            Some(v) => {
                for c in v.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\u{8}' => out.push_str("\\b"),
                        '\u{c}' => out.push_str("\\f"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        '\u{b}' => out.push_str("\\v"),
                        c if c == f.delimiter => {
                            out.push('\\');
                            out.push(c);
                        }
                        c => out.push(c),
                    }
                }
            }
        }
    }
    out.push('\n');
}

/// Text format: one line per row, fields split on the delimiter, backslash escapes.
fn split_text(text: &str, f: &Format) -> Result<Vec<Vec<Option<String>>>> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line == "\\." {
            break;
        }
        let mut fields = Vec::new();
        let mut raw = String::new();
        let mut chars = line.chars().peekable();
        let push = |raw: &mut String, fields: &mut Vec<Option<String>>| -> Result<()> {
            let r = std::mem::take(raw);
            if r == f.null {
                fields.push(None);
            } else {
                fields.push(Some(unescape_text(&r)?));
            }
            Ok(())
        };
        while let Some(c) = chars.next() {
            if c == '\\' {
                raw.push(c);
                if let Some(n) = chars.next() {
                    raw.push(n);
                }
            } else if c == f.delimiter {
                push(&mut raw, &mut fields)?;
            } else {
                raw.push(c);
            }
        }
        push(&mut raw, &mut fields)?;
        out.push(fields);
    }
    // A final newline does not start another row.
    if text.ends_with('\n') && out.last().is_some_and(|r| r.len() == 1 && r[0].as_deref() == Some("")) {
        out.pop();
    }
    Ok(out)
}

fn unescape_text(s: &str) -> Result<String> {
    if !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{b}'),
            Some('x') => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 && chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                    v = v * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0);
                    n += 1;
                }
                if n == 0 {
                    out.push('x');
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            Some(d @ '0'..='7') => {
                let mut v = d.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 && chars.peek().is_some_and(|c| ('0'..='7').contains(c)) {
                    v = v * 8 + chars.next().and_then(|c| c.to_digit(8)).unwrap_or(0);
                    n += 1;
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

/// CSV: quoted fields may hold delimiters, quotes (doubled or escaped) and newlines;
/// an unquoted field equal to the NULL string is NULL.
fn split_csv(text: &str, f: &Format) -> Result<Vec<Vec<Option<String>>>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let mut fields = Vec::new();
        {
            let mut value = String::new();
            let mut quoted = false;
            let mut in_quotes = false;
            while let Some(c) = chars.next() {
                if in_quotes {
                    if c == f.escape && f.escape != f.quote && chars.peek() == Some(&f.quote) {
                        value.push(f.quote);
                        chars.next();
                    } else if c == f.quote {
                        if f.escape == f.quote && chars.peek() == Some(&f.quote) {
                            value.push(f.quote);
                            chars.next();
                        } else {
                            in_quotes = false;
                        }
                    } else {
                        value.push(c);
                    }
                } else if c == f.quote {
                    in_quotes = true;
                    quoted = true;
                } else if c == f.delimiter {
                    fields.push(csv_field(value, quoted, f));
                    value = String::new();
                    quoted = false;
                    continue;
                } else if c == '\n' {
                    break;
                } else if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                    break;
                } else {
                    value.push(c);
                }
            }
            if in_quotes {
                return Err(Error::new(SqlState::BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field"));
            }
            fields.push(csv_field(value, quoted, f));
        }
        if fields.len() == 1 && fields[0].as_deref() == Some("\\.") {
            break;
        }
        out.push(fields);
    }
    Ok(out)
}

fn csv_field(value: String, quoted: bool, f: &Format) -> Option<String> {
    if !quoted && value == f.null { None } else { Some(value) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(csv: bool) -> Format {
        Format {
            csv,
            force_quote: None,
            delimiter: if csv { ',' } else { '\t' },
            null: if csv { String::new() } else { "\\N".into() },
            header: false,
            quote: '"',
            escape: '"',
        }
    }

    #[test]
    fn csv_quotes_nulls_and_newlines() {
        let rows = split_csv("1,\"a,b\",\n2,\"say \"\"hi\"\"\",\"\"\n3,\"two\nlines\",x\n", &fmt(true)).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], vec![Some("1".into()), Some("a,b".into()), None]);
        assert_eq!(rows[1], vec![Some("2".into()), Some("say \"hi\"".into()), Some("".into())]);
        assert_eq!(rows[2][1].as_deref(), Some("two\nlines"));
    }

    #[test]
    fn text_escapes_and_null() {
        let rows = split_text("1\t\\N\ta\\tb\n2\t\\\\\t\\101\n", &fmt(false)).unwrap();
        assert_eq!(rows, vec![vec![Some("1".into()), None, Some("a\tb".into())], vec![Some("2".into()), Some("\\".into()), Some("A".into())]]);
    }
}
