//! A single SQL value in its physical representation. Datums carry no type:
//! expressions and columns know theirs. Hot paths use columnar vectors in the
//! runtime; a `Datum` is for constants, parameters and per-row fallbacks.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use crate::datetime::{Interval, interval_cmp, interval_hash_key};
use crate::numeric::Numeric;
use crate::types::{Oid, PhysicalType};

#[derive(Clone, Debug)]
pub enum Datum {
    Null,
    Bool(bool),
    /// `"char"`
    Char(u8),
    Int16(i16),
    /// int4 and date.
    Int32(i32),
    /// int8, time, timestamp, timestamptz.
    Int64(i64),
    /// oid and the reg* types.
    Oid(Oid),
    Float32(f32),
    Float64(f64),
    Numeric(Numeric),
    Interval(Interval),
    Text(String),
    Bytes(Vec<u8>),
    Array(Box<Array>),
    /// A row value of an anonymous record type (`ROW(…)`, oid 2249).
    Record(Box<Record>),
}

/// The fields of a row value, each with the type it was built with: output
/// and comparisons follow the field types (record_out, record_cmp).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub types: Vec<Oid>,
    pub fields: Vec<Datum>,
}

impl Record {
    pub fn new(types: Vec<Oid>, fields: Vec<Datum>) -> Self {
        Record { types, fields }
    }
}

/// A PostgreSQL array value: any number of dimensions with lower bounds,
/// elements in row-major order (NULL elements allowed).
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    pub elem_type: Oid,
    pub dims: Vec<ArrayDim>,
    pub elems: Vec<Datum>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArrayDim {
    pub len: i32,
    pub lower: i32,
}

impl Array {
    /// A one-dimensional array with lower bound 1 (or an empty array).
    pub fn from_elems(elem_type: Oid, elems: Vec<Datum>) -> Self {
        let dims = if elems.is_empty() { vec![] } else { vec![ArrayDim { len: elems.len() as i32, lower: 1 }] };
        Array { elem_type, dims, elems }
    }

    pub fn ndims(&self) -> usize {
        self.dims.len()
    }
}

impl Datum {
    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Datum::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Datum::Int16(v) => Some(*v as i64),
            Datum::Int32(v) => Some(*v as i64),
            Datum::Int64(v) => Some(*v),
            Datum::Oid(v) => Some(*v as i64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Datum::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The representation this datum is in (None for NULL).
    pub fn physical_type(&self) -> Option<PhysicalType> {
        Some(match self {
            Datum::Null => return None,
            Datum::Bool(_) => PhysicalType::Bool,
            Datum::Char(_) => PhysicalType::Char,
            Datum::Int16(_) => PhysicalType::Int16,
            Datum::Int32(_) => PhysicalType::Int32,
            Datum::Int64(_) => PhysicalType::Int64,
            Datum::Oid(_) => PhysicalType::Oid,
            Datum::Float32(_) => PhysicalType::Float32,
            Datum::Float64(_) => PhysicalType::Float64,
            Datum::Numeric(_) => PhysicalType::Numeric,
            Datum::Interval(_) => PhysicalType::Interval,
            Datum::Text(_) => PhysicalType::Text,
            Datum::Bytes(_) => PhysicalType::Bytes,
            // Records have no storage form; in memory they live, like arrays, as a Datum per row.
            Datum::Array(_) | Datum::Record(_) => PhysicalType::Array,
        })
    }

    /// Total order of two non-null values of the same representation, as
    /// PostgreSQL's default btree operator class orders them (bytewise text,
    /// as the "C" collation; NaN above every other float; intervals by span).
    /// NULLs sort last. Values of different representations order by kind.
    pub fn sql_cmp(&self, other: &Datum) -> Ordering {
        use Datum::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Greater,
            (_, Null) => Ordering::Less,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Char(a), Char(b)) => a.cmp(b),
            (Int16(a), Int16(b)) => a.cmp(b),
            (Int32(a), Int32(b)) => a.cmp(b),
            (Int64(a), Int64(b)) => a.cmp(b),
            (Oid(a), Oid(b)) => a.cmp(b),
            (Float32(a), Float32(b)) => float_cmp(*a as f64, *b as f64),
            (Float64(a), Float64(b)) => float_cmp(*a, *b),
            (Numeric(a), Numeric(b)) => a.cmp_numeric(b),
            (Interval(a), Interval(b)) => interval_cmp(*a, *b),
            (Text(a), Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Bytes(a), Bytes(b)) => a.cmp(b),
            (Array(a), Array(b)) => array_cmp(a, b),
            (Record(a), Record(b)) => record_cmp(a, b),
            (a, b) => kind_rank(a).cmp(&kind_rank(b)),
        }
    }

    /// Equality consistent with `sql_cmp` (NULL equals NULL here: this is
    /// grouping/DISTINCT equality, not the `=` operator).
    pub fn sql_eq(&self, other: &Datum) -> bool {
        self.sql_cmp(other) == Ordering::Equal
    }

    /// Hash consistent with `sql_eq`: 1.0 and 1.00 numeric, -0.0 and 0.0, all
    /// NaNs, and equal-span intervals hash alike.
    pub fn sql_hash<H: Hasher>(&self, state: &mut H) {
        use Datum::*;
        std::mem::discriminant(self).hash(state);
        match self {
            Null => {}
            Bool(b) => b.hash(state),
            Char(c) => c.hash(state),
            Int16(v) => v.hash(state),
            Int32(v) => v.hash(state),
            Int64(v) => v.hash(state),
            Oid(v) => v.hash(state),
            Float32(v) => float_hash(*v as f64, state),
            Float64(v) => float_hash(*v, state),
            Numeric(n) => n.hash_into(state),
            Interval(i) => interval_hash_key(*i).hash(state),
            Text(s) => s.as_bytes().hash(state),
            Bytes(b) => b.hash(state),
            Array(a) => {
                a.dims.hash(state);
                for e in &a.elems {
                    e.sql_hash(state);
                }
            }
            Record(r) => {
                r.fields.len().hash(state);
                for (i, f) in r.fields.iter().enumerate() {
                    match (r.types.get(i), f) {
                        (Some(&crate::types::oid::BPCHAR), Text(s)) => Text(s.trim_end_matches(' ').to_string()).sql_hash(state),
                        _ => f.sql_hash(state),
                    }
                }
            }
        }
    }
}

fn kind_rank(d: &Datum) -> u8 {
    match d {
        Datum::Null => 255,
        Datum::Bool(_) => 0,
        Datum::Char(_) => 1,
        Datum::Int16(_) => 2,
        Datum::Int32(_) => 3,
        Datum::Int64(_) => 4,
        Datum::Oid(_) => 5,
        Datum::Float32(_) => 6,
        Datum::Float64(_) => 7,
        Datum::Numeric(_) => 8,
        Datum::Interval(_) => 9,
        Datum::Text(_) => 10,
        Datum::Bytes(_) => 11,
        Datum::Array(_) => 12,
        Datum::Record(_) => 13,
    }
}

/// PostgreSQL's float comparison: NaN equals NaN and sorts above everything.
pub fn float_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn float_hash<H: Hasher>(v: f64, state: &mut H) {
    let canonical = if v.is_nan() {
        f64::NAN.to_bits()
    } else if v == 0.0 {
        0
    } else {
        v.to_bits()
    };
    canonical.hash(state);
}

/// array_cmp: element by element, then by number of elements, then dimensions.
fn array_cmp(a: &Array, b: &Array) -> Ordering {
    for (x, y) in a.elems.iter().zip(&b.elems) {
        let o = x.sql_cmp(y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.elems.len().cmp(&b.elems.len()).then_with(|| {
        a.dims.len().cmp(&b.dims.len()).then_with(|| {
            for (x, y) in a.dims.iter().zip(&b.dims) {
                let o = x.len.cmp(&y.len).then(x.lower.cmp(&y.lower));
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        })
    })
}

/// record_cmp's order: field by field (two NULLs equal, NULL above any value;
/// bpchar without trailing spaces), then by number of fields.
fn record_cmp(a: &Record, b: &Record) -> Ordering {
    for (i, (x, y)) in a.fields.iter().zip(&b.fields).enumerate() {
        let bpchar = a.types.get(i) == Some(&crate::types::oid::BPCHAR);
        let o = match (x, y) {
            (Datum::Text(p), Datum::Text(q)) if bpchar => p.trim_end_matches(' ').as_bytes().cmp(q.trim_end_matches(' ').as_bytes()),
            _ => x.sql_cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.fields.len().cmp(&b.fields.len())
}

impl PartialEq for Datum {
    fn eq(&self, other: &Self) -> bool {
        self.sql_eq(other)
    }
}

impl Eq for Datum {}

impl Hash for Datum {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.sql_hash(state)
    }
}

impl PartialOrd for Datum {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Datum {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sql_cmp(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn h(d: &Datum) -> u64 {
        let mut s = DefaultHasher::new();
        d.hash(&mut s);
        s.finish()
    }

    #[test]
    fn equality_and_hash_agree() {
        let a = Datum::Numeric(Numeric::parse("1.0").unwrap());
        let b = Datum::Numeric(Numeric::parse("1.00").unwrap());
        assert_eq!(a, b);
        assert_eq!(h(&a), h(&b));
        assert_eq!(Datum::Float64(-0.0), Datum::Float64(0.0));
        assert_eq!(h(&Datum::Float64(-0.0)), h(&Datum::Float64(0.0)));
        assert_eq!(Datum::Float64(f64::NAN), Datum::Float64(f64::NAN));
        assert!(Datum::Float64(f64::NAN) > Datum::Float64(f64::INFINITY));
        assert!(Datum::Null > Datum::Int32(5));
    }

    #[test]
    fn records_compare_field_by_field() {
        let rec = |types: Vec<Oid>, fields: Vec<Datum>| Datum::Record(Box::new(Record::new(types, fields)));
        let bpchar = crate::types::oid::BPCHAR;
        // NULL fields are equal to each other and above any value.
        assert_eq!(rec(vec![23, 23], vec![Datum::Int32(1), Datum::Null]), rec(vec![23, 23], vec![Datum::Int32(1), Datum::Null]));
        assert!(rec(vec![23, 23], vec![Datum::Int32(1), Datum::Int32(9)]) < rec(vec![23, 23], vec![Datum::Int32(1), Datum::Null]));
        // bpchar fields ignore trailing spaces, in equality and hashing alike.
        let (a, b) = (rec(vec![bpchar], vec![Datum::Text("x  ".into())]), rec(vec![bpchar], vec![Datum::Text("x".into())]));
        assert_eq!(a, b);
        assert_eq!(h(&a), h(&b));
    }
}
