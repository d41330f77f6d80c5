//! Row-by-row comparison of two result sets in PostgreSQL's text format.
//!
//! Values compare as text exactly as PostgreSQL prints them (numeric, text,
//! dates, integers), except float4/float8, which may differ in the last
//! digits between two correct implementations and compare within a relative
//! tolerance. Order matters only as far as the query's ORDER BY defines it:
//! rows are cut into runs of equal sort keys, the runs must come in the same
//! order with the same keys, and within a run the rows compare as multisets.

use std::cmp::Ordering;
use std::fmt;

/// float4 and float8 type OIDs.
const FLOAT4: u32 = 700;
const FLOAT8: u32 = 701;

/// Relative tolerance for float columns.
pub const FLOAT_TOLERANCE: f64 = 1e-9;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub type_oid: u32,
    pub type_name: String,
}

/// A query's result: its columns (from Describe) and its rows in text form.
#[derive(Clone, Debug, Default)]
pub struct ResultSet {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// How rows must be ordered for two results to agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ordered {
    /// No ORDER BY: any order.
    No,
    /// ORDER BY these output columns (0-based).
    By(Vec<usize>),
    /// ORDER BY something not mapped to output columns: the exact order counts.
    Exact,
}

/// The first difference found.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch(pub String);

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn show(row: &[Option<String>]) -> String {
    row.iter().map(|v| v.as_deref().unwrap_or("NULL")).collect::<Vec<_>>().join(" | ")
}

fn value_eq(a: &Option<String>, b: &Option<String>, float: bool) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) if a == b => true,
        (Some(a), Some(b)) if float => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) if x.is_finite() && y.is_finite() => {
                let scale = x.abs().max(y.abs());
                (x - y).abs() <= FLOAT_TOLERANCE * scale
            }
            _ => false,
        },
        _ => false,
    }
}

fn rows_eq(a: &[Option<String>], b: &[Option<String>], floats: &[bool]) -> bool {
    a.len() == b.len() && a.iter().zip(b).zip(floats).all(|((x, y), f)| value_eq(x, y, *f))
}

/// Compares `actual` against the reference `expected`.
pub fn compare(expected: &ResultSet, actual: &ResultSet, ordered: &Ordered) -> Result<(), Mismatch> {
    if expected.columns.len() != actual.columns.len() {
        return Err(Mismatch(format!("{} columns, expected {}", actual.columns.len(), expected.columns.len())));
    }
    for (i, (e, a)) in expected.columns.iter().zip(&actual.columns).enumerate() {
        if e.type_oid != a.type_oid {
            return Err(Mismatch(format!("column {} ({}) has type {}, expected {}", i + 1, e.name, a.type_name, e.type_name)));
        }
    }
    if expected.rows.len() != actual.rows.len() {
        return Err(Mismatch(format!("{} rows, expected {}", actual.rows.len(), expected.rows.len())));
    }
    let floats: Vec<bool> = expected.columns.iter().map(|c| c.type_oid == FLOAT4 || c.type_oid == FLOAT8).collect();
    if let Some((i, r)) = actual.rows.iter().enumerate().find(|(_, r)| r.len() != floats.len()) {
        return Err(Mismatch(format!("row {} has {} values for {} columns", i + 1, r.len(), floats.len())));
    }
    match ordered {
        Ordered::Exact => {
            for (i, (e, a)) in expected.rows.iter().zip(&actual.rows).enumerate() {
                if !rows_eq(e, a, &floats) {
                    return Err(Mismatch(format!("row {}: got [{}], expected [{}]", i + 1, show(a), show(e))));
                }
            }
            Ok(())
        }
        Ordered::No => multiset_eq(&expected.rows, &actual.rows, &floats, 0),
        Ordered::By(keys) => {
            let key = |r: &[Option<String>]| keys.iter().map(|&k| r.get(k).cloned().flatten()).collect::<Vec<_>>();
            let key_floats: Vec<bool> = keys.iter().map(|&k| floats.get(k).copied().unwrap_or(false)).collect();
            let mut start = 0;
            while start < expected.rows.len() {
                let k = key(&expected.rows[start]);
                let mut end = start + 1;
                while end < expected.rows.len() && rows_eq(&key(&expected.rows[end]), &k, &key_floats) {
                    end += 1;
                }
                for (i, a) in actual.rows[start..end].iter().enumerate() {
                    if !rows_eq(&key(a), &k, &key_floats) {
                        return Err(Mismatch(format!(
                            "row {} (by the ORDER BY columns): got [{}], expected [{}]",
                            start + i + 1,
                            show(a),
                            show(&expected.rows[start + i])
                        )));
                    }
                }
                multiset_eq(&expected.rows[start..end], &actual.rows[start..end], &floats, start)?;
                start = end;
            }
            Ok(())
        }
    }
}

fn text_order(a: &[Option<String>], b: &[Option<String>]) -> Ordering {
    a.cmp(b)
}

/// Rows equal as multisets: sorted by their text, then compared pairwise
/// (floats within the tolerance). `offset` numbers rows in messages.
fn multiset_eq(expected: &[Vec<Option<String>>], actual: &[Vec<Option<String>>], floats: &[bool], offset: usize) -> Result<(), Mismatch> {
    let mut e: Vec<&Vec<Option<String>>> = expected.iter().collect();
    let mut a: Vec<&Vec<Option<String>>> = actual.iter().collect();
    e.sort_by(|x, y| text_order(x, y));
    a.sort_by(|x, y| text_order(x, y));
    if e.iter().zip(&a).all(|(x, y)| rows_eq(x, y, floats)) {
        return Ok(());
    }
    // A merge of the two sorted lists finds the first row on each side without a partner.
    let (mut i, mut j) = (0, 0);
    let (mut missing, mut extra) = (None, None);
    while (i < e.len() || j < a.len()) && (missing.is_none() || extra.is_none()) {
        if i < e.len() && j < a.len() && rows_eq(e[i], a[j], floats) {
            i += 1;
            j += 1;
        } else if j >= a.len() || (i < e.len() && text_order(e[i], a[j]) == Ordering::Less) {
            missing.get_or_insert(e[i]);
            i += 1;
        } else {
            extra.get_or_insert(a[j]);
            j += 1;
        }
    }
    let mut msg = format!("rows {}..{} differ (order aside)", offset + 1, offset + expected.len());
    if let Some(m) = missing {
        msg.push_str(&format!("; missing [{}]", show(m)));
    }
    if let Some(x) = extra {
        msg.push_str(&format!("; unexpected [{}]", show(x)));
    }
    Err(Mismatch(msg))
}

/// Which output columns a query's top-level ORDER BY sorts by: each item
/// must be an output column's name (as in every TPC-H query) or position;
/// anything else makes the exact order count.
pub fn order_by_columns(sql: &str, columns: &[Column]) -> Ordered {
    let Some(clause) = top_level_order_by(sql) else { return Ordered::No };
    let mut keys = Vec::new();
    for item in clause.split(',') {
        let mut words = item.split_whitespace();
        let word = words.next().unwrap_or("").trim_matches('"').to_ascii_lowercase();
        if !words.all(|w| ["asc", "desc", "nulls", "first", "last"].contains(&w.to_ascii_lowercase().as_str())) {
            return Ordered::Exact;
        }
        let position = word.parse::<usize>().ok().filter(|p| (1..=columns.len()).contains(p)).map(|p| p - 1);
        let named = columns.iter().position(|c| c.name.eq_ignore_ascii_case(&word));
        match position.or(named) {
            Some(k) => keys.push(k),
            None => return Ordered::Exact,
        }
    }
    if keys.is_empty() { Ordered::Exact } else { Ordered::By(keys) }
}

/// The text of the last ORDER BY at parenthesis depth 0, up to LIMIT or the end.
fn top_level_order_by(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut depth = 0i32;
    let mut found = None;
    let mut in_quote = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => in_quote = !in_quote,
            b'(' if !in_quote => depth += 1,
            b')' if !in_quote => depth -= 1,
            b'O' if !in_quote && depth == 0 && upper[i..].starts_with("ORDER") => {
                let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
                let rest = upper[i + 5..].trim_start();
                if before_ok && rest.starts_with("BY") {
                    let by = upper.len() - rest.len() + 2;
                    found = Some(by);
                }
            }
            _ => {}
        }
    }
    let start = found?;
    let tail = &sql[start..];
    let tail_upper = &upper[start..];
    let end = ["LIMIT", "OFFSET", "FETCH", ";"]
        .iter()
        .filter_map(|w| tail_upper.match_indices(w).find(|(i, _)| *i == 0 || !tail_upper.as_bytes()[i - 1].is_ascii_alphanumeric()).map(|(i, _)| i))
        .min()
        .unwrap_or(tail.len());
    Some(tail[..end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, oid: u32) -> Column {
        Column { name: name.into(), type_oid: oid, type_name: format!("t{oid}") }
    }

    fn rs(columns: Vec<Column>, rows: &[&[&str]]) -> ResultSet {
        ResultSet { columns, rows: rows.iter().map(|r| r.iter().map(|v| if *v == "NULL" { None } else { Some(v.to_string()) }).collect()).collect() }
    }

    #[test]
    fn order_by_maps_to_output_columns() {
        let cols = vec![col("nation", 25), col("o_year", 701), col("sum_profit", 1700)];
        let sql =
            "SELECT nation, o_year, sum(amount) AS sum_profit FROM (SELECT x ORDER BY y) AS p GROUP BY nation, o_year ORDER BY nation, o_year DESC";
        assert_eq!(order_by_columns(sql, &cols), Ordered::By(vec![0, 1]));
        let limited = "SELECT a FROM t ORDER BY\n    revenue DESC,\n    o_orderdate\nLIMIT 10";
        let cols = vec![col("o_orderdate", 1082), col("revenue", 1700)];
        assert_eq!(order_by_columns(limited, &cols), Ordered::By(vec![1, 0]));
        assert_eq!(order_by_columns("SELECT sum(x) FROM t WHERE y = 'ORDER BY'", &cols), Ordered::No);
        assert_eq!(order_by_columns("SELECT a FROM t ORDER BY a + 1", &[col("a", 23)]), Ordered::Exact);
        assert_eq!(order_by_columns("SELECT a, b FROM t ORDER BY 2", &[col("a", 23), col("b", 23)]), Ordered::By(vec![1]));
    }

    #[test]
    fn values_compare_as_text_except_floats() {
        let e = rs(vec![col("n", 1700), col("f", FLOAT8)], &[&["1.10", "0.30000000000000004"]]);
        assert!(compare(&e, &rs(e.columns.clone(), &[&["1.10", "0.3"]]), &Ordered::Exact).is_ok());
        assert!(compare(&e, &rs(e.columns.clone(), &[&["1.1", "0.3"]]), &Ordered::Exact).is_err());
        assert!(compare(&e, &rs(e.columns.clone(), &[&["1.10", "0.3001"]]), &Ordered::Exact).is_err());
        assert!(compare(&e, &rs(e.columns.clone(), &[&["1.10", "NULL"]]), &Ordered::Exact).is_err());
        let other_type = rs(vec![col("n", FLOAT8), col("f", FLOAT8)], &[&["1.10", "0.3"]]);
        assert!(compare(&e, &other_type, &Ordered::Exact).unwrap_err().0.contains("type"));
    }

    #[test]
    fn order_counts_only_as_far_as_order_by_defines_it() {
        let cols = vec![col("k", 23), col("v", 25)];
        let e = rs(cols.clone(), &[&["1", "a"], &["1", "b"], &["2", "c"]]);
        let ties_swapped = rs(cols.clone(), &[&["1", "b"], &["1", "a"], &["2", "c"]]);
        assert!(compare(&e, &ties_swapped, &Ordered::By(vec![0])).is_ok());
        assert!(compare(&e, &ties_swapped, &Ordered::Exact).is_err());
        let keys_swapped = rs(cols.clone(), &[&["2", "c"], &["1", "a"], &["1", "b"]]);
        assert!(compare(&e, &keys_swapped, &Ordered::By(vec![0])).is_err());
        assert!(compare(&e, &keys_swapped, &Ordered::No).is_ok());
        let wrong = rs(cols, &[&["1", "a"], &["1", "x"], &["2", "c"]]);
        let m = compare(&e, &wrong, &Ordered::By(vec![0])).unwrap_err();
        assert!(m.0.contains("missing [1 | b]") && m.0.contains("unexpected [1 | x]"), "{m}");
        assert!(compare(&e, &rs(e.columns.clone(), &[&["1", "a"]]), &Ordered::No).unwrap_err().0.contains("1 rows, expected 3"));
    }
}
