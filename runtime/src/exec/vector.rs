//! Columnar morsels: the unit of data the interpreter pushes through a
//! pipeline. One typed vector per column plus a validity bitmap; text is one
//! byte buffer with offsets, so no value is a separately allocated object.

use oa_ir::datetime::Interval;
use oa_ir::datum::Datum;
use oa_ir::numeric::Numeric;
use oa_ir::types::PhysicalType;
use oa_ir::{Error, Result};

/// Rows per morsel.
pub const MORSEL_ROWS: usize = 1024;

/// NULL flags, one bit per row (bit set = valid). None on a column = all valid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    pub fn all_valid(len: usize) -> Self {
        let mut b = Bitmap { words: vec![u64::MAX; len.div_ceil(64)], len };
        b.clear_tail();
        b
    }

    pub fn all_null(len: usize) -> Self {
        Bitmap { words: vec![0; len.div_ceil(64)], len }
    }

    fn clear_tail(&mut self) {
        if !self.len.is_multiple_of(64)
            && let Some(w) = self.words.last_mut()
        {
            *w &= (1u64 << (self.len % 64)) - 1;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, i: usize, valid: bool) {
        if valid {
            self.words[i / 64] |= 1 << (i % 64);
        } else {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    pub fn push(&mut self, valid: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        self.len += 1;
        self.set(self.len - 1, valid);
    }

    pub fn count_valid(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Rows valid in both.
    pub fn and(&self, other: &Bitmap) -> Bitmap {
        Bitmap { words: self.words.iter().zip(&other.words).map(|(a, b)| a & b).collect(), len: self.len }
    }
}

/// Variable-length values in one buffer: value i is `data[offsets[i]..offsets[i+1]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VarBuf {
    pub offsets: Vec<u32>,
    pub data: Vec<u8>,
}

impl VarBuf {
    pub fn with_capacity(rows: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        VarBuf { offsets, data: Vec::new() }
    }

    #[inline]
    pub fn get(&self, i: usize) -> &[u8] {
        &self.data[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    #[inline]
    pub fn push(&mut self, v: &[u8]) {
        self.data.extend_from_slice(v);
        self.offsets.push(self.data.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    Bool(Vec<bool>),
    Char(Vec<u8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    Oid(Vec<u32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Numeric(Vec<Numeric>),
    Interval(Vec<Interval>),
    /// UTF-8 text; every value is valid UTF-8.
    Text(VarBuf),
    Bytes(VarBuf),
    /// Anything without a columnar form yet (arrays): one Datum per row.
    Datum(Vec<Datum>),
}

/// One column of a morsel.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub data: ColumnData,
    /// None = every row valid.
    pub validity: Option<Bitmap>,
}

impl Column {
    pub fn new(data: ColumnData) -> Self {
        Column { data, validity: None }
    }

    /// An empty column of a representation, ready for `push`.
    pub fn empty(phys: PhysicalType, capacity: usize) -> Self {
        let data = match phys {
            PhysicalType::Bool => ColumnData::Bool(Vec::with_capacity(capacity)),
            PhysicalType::Char => ColumnData::Char(Vec::with_capacity(capacity)),
            PhysicalType::Int16 => ColumnData::I16(Vec::with_capacity(capacity)),
            PhysicalType::Int32 => ColumnData::I32(Vec::with_capacity(capacity)),
            PhysicalType::Int64 => ColumnData::I64(Vec::with_capacity(capacity)),
            PhysicalType::Oid => ColumnData::Oid(Vec::with_capacity(capacity)),
            PhysicalType::Float32 => ColumnData::F32(Vec::with_capacity(capacity)),
            PhysicalType::Float64 => ColumnData::F64(Vec::with_capacity(capacity)),
            PhysicalType::Numeric => ColumnData::Numeric(Vec::with_capacity(capacity)),
            PhysicalType::Interval => ColumnData::Interval(Vec::with_capacity(capacity)),
            PhysicalType::Text => ColumnData::Text(VarBuf::with_capacity(capacity)),
            PhysicalType::Bytes => ColumnData::Bytes(VarBuf::with_capacity(capacity)),
            PhysicalType::Array => ColumnData::Datum(Vec::with_capacity(capacity)),
        };
        Column { data, validity: None }
    }

    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Bool(v) => v.len(),
            ColumnData::Char(v) => v.len(),
            ColumnData::I16(v) => v.len(),
            ColumnData::I32(v) => v.len(),
            ColumnData::I64(v) => v.len(),
            ColumnData::Oid(v) => v.len(),
            ColumnData::F32(v) => v.len(),
            ColumnData::F64(v) => v.len(),
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Interval(v) => v.len(),
            ColumnData::Text(v) | ColumnData::Bytes(v) => v.len(),
            ColumnData::Datum(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        self.validity.as_ref().is_none_or(|b| b.get(i))
    }

    /// A column of `len` copies of one value (constants, NULLs).
    pub fn repeat(value: &Datum, phys: PhysicalType, len: usize) -> Self {
        let mut c = Column::empty(phys, len);
        for _ in 0..len {
            c.push_datum(value);
        }
        c
    }

    fn mark(&mut self, valid: bool) {
        let n = self.len();
        match &mut self.validity {
            Some(b) => b.push(valid),
            None if valid => {}
            None => {
                let mut b = Bitmap::all_valid(n - 1);
                b.push(false);
                self.validity = Some(b);
            }
        }
    }

    /// Appends a value (Null appends a placeholder and marks it invalid).
    pub fn push_datum(&mut self, d: &Datum) {
        let valid = !d.is_null();
        match (&mut self.data, d) {
            (ColumnData::Bool(v), Datum::Bool(x)) => v.push(*x),
            (ColumnData::Char(v), Datum::Char(x)) => v.push(*x),
            (ColumnData::I16(v), Datum::Int16(x)) => v.push(*x),
            (ColumnData::I32(v), Datum::Int32(x)) => v.push(*x),
            (ColumnData::I64(v), Datum::Int64(x)) => v.push(*x),
            (ColumnData::Oid(v), Datum::Oid(x)) => v.push(*x),
            (ColumnData::F32(v), Datum::Float32(x)) => v.push(*x),
            (ColumnData::F64(v), Datum::Float64(x)) => v.push(*x),
            (ColumnData::Numeric(v), Datum::Numeric(x)) => v.push(x.clone()),
            (ColumnData::Interval(v), Datum::Interval(x)) => v.push(*x),
            (ColumnData::Text(v), Datum::Text(x)) => v.push(x.as_bytes()),
            (ColumnData::Bytes(v), Datum::Bytes(x)) => v.push(x),
            (ColumnData::Datum(v), x) => v.push(x.clone()),
            (data, _) => push_default(data),
        }
        self.mark(valid);
    }

    /// Appends a NULL.
    pub fn push_null(&mut self) {
        push_default(&mut self.data);
        self.mark(false);
    }

    /// The value at row i as a Datum (Null when invalid).
    pub fn datum(&self, i: usize) -> Datum {
        if !self.is_valid(i) {
            return Datum::Null;
        }
        match &self.data {
            ColumnData::Bool(v) => Datum::Bool(v[i]),
            ColumnData::Char(v) => Datum::Char(v[i]),
            ColumnData::I16(v) => Datum::Int16(v[i]),
            ColumnData::I32(v) => Datum::Int32(v[i]),
            ColumnData::I64(v) => Datum::Int64(v[i]),
            ColumnData::Oid(v) => Datum::Oid(v[i]),
            ColumnData::F32(v) => Datum::Float32(v[i]),
            ColumnData::F64(v) => Datum::Float64(v[i]),
            ColumnData::Numeric(v) => Datum::Numeric(v[i].clone()),
            ColumnData::Interval(v) => Datum::Interval(v[i]),
            ColumnData::Text(v) => Datum::Text(String::from_utf8_lossy(v.get(i)).into_owned()),
            ColumnData::Bytes(v) => Datum::Bytes(v.get(i).to_vec()),
            ColumnData::Datum(v) => v[i].clone(),
        }
    }

    /// Text at row i (the column must be Text).
    #[inline]
    pub fn str_at(&self, i: usize) -> &str {
        match &self.data {
            ColumnData::Text(v) => std::str::from_utf8(v.get(i)).unwrap_or(""),
            _ => "",
        }
    }

    /// Rows where `keep` is true, in order.
    pub fn filter(&self, keep: &[bool]) -> Column {
        let n = keep.iter().filter(|k| **k).count();
        self.gather_iter(keep.iter().enumerate().filter(|(_, k)| **k).map(|(i, _)| i), n)
    }

    /// Rows at the given indexes (repeats allowed).
    pub fn gather(&self, idx: &[usize]) -> Column {
        self.gather_iter(idx.iter().copied(), idx.len())
    }

    fn gather_iter(&self, idx: impl Iterator<Item = usize> + Clone, n: usize) -> Column {
        macro_rules! g {
            ($v:expr, $variant:ident) => {
                ColumnData::$variant(idx.clone().map(|i| $v[i].clone()).collect())
            };
        }
        let data = match &self.data {
            ColumnData::Bool(v) => g!(v, Bool),
            ColumnData::Char(v) => g!(v, Char),
            ColumnData::I16(v) => g!(v, I16),
            ColumnData::I32(v) => g!(v, I32),
            ColumnData::I64(v) => g!(v, I64),
            ColumnData::Oid(v) => g!(v, Oid),
            ColumnData::F32(v) => g!(v, F32),
            ColumnData::F64(v) => g!(v, F64),
            ColumnData::Numeric(v) => g!(v, Numeric),
            ColumnData::Interval(v) => g!(v, Interval),
            ColumnData::Datum(v) => g!(v, Datum),
            ColumnData::Text(v) | ColumnData::Bytes(v) => {
                let mut out = VarBuf::with_capacity(n);
                for i in idx.clone() {
                    out.push(v.get(i));
                }
                if matches!(self.data, ColumnData::Text(_)) { ColumnData::Text(out) } else { ColumnData::Bytes(out) }
            }
        };
        let validity = self.validity.as_ref().map(|b| {
            let mut nb = Bitmap::all_null(0);
            for i in idx {
                nb.push(b.get(i));
            }
            nb
        });
        Column { data, validity }
    }

    /// Appends every row of `other` (same representation).
    pub fn extend(&mut self, other: &Column) -> Result<()> {
        let before = self.len();
        match (&mut self.data, &other.data) {
            (ColumnData::Bool(a), ColumnData::Bool(b)) => a.extend_from_slice(b),
            (ColumnData::Char(a), ColumnData::Char(b)) => a.extend_from_slice(b),
            (ColumnData::I16(a), ColumnData::I16(b)) => a.extend_from_slice(b),
            (ColumnData::I32(a), ColumnData::I32(b)) => a.extend_from_slice(b),
            (ColumnData::I64(a), ColumnData::I64(b)) => a.extend_from_slice(b),
            (ColumnData::Oid(a), ColumnData::Oid(b)) => a.extend_from_slice(b),
            (ColumnData::F32(a), ColumnData::F32(b)) => a.extend_from_slice(b),
            (ColumnData::F64(a), ColumnData::F64(b)) => a.extend_from_slice(b),
            (ColumnData::Numeric(a), ColumnData::Numeric(b)) => a.extend_from_slice(b),
            (ColumnData::Interval(a), ColumnData::Interval(b)) => a.extend_from_slice(b),
            (ColumnData::Datum(a), ColumnData::Datum(b)) => a.extend_from_slice(b),
            (ColumnData::Text(a), ColumnData::Text(b)) | (ColumnData::Bytes(a), ColumnData::Bytes(b)) => {
                let base = a.data.len() as u32;
                a.data.extend_from_slice(&b.data);
                a.offsets.extend(b.offsets[1..].iter().map(|o| o + base));
            }
            (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => {
                return Err(Error::internal(format!("appending {} to {}", kind(b), kind(a))));
            }
            // Representations differ (a column computed row by row from only NULLs
            // guesses its representation): re-encode rather than fail.
            _ => return self.extend_mixed(other),
        }
        match (&mut self.validity, &other.validity) {
            (None, None) => {}
            (Some(a), None) => {
                for _ in 0..other.len() {
                    a.push(true);
                }
            }
            (mine, Some(b)) => {
                let a = mine.get_or_insert_with(|| Bitmap::all_valid(before));
                for i in 0..b.len() {
                    a.push(b.get(i));
                }
            }
        }
        Ok(())
    }
}

impl Column {
    /// `extend` across representations: NULL-only columns take the other's
    /// representation; otherwise both sides become Datum columns.
    fn extend_mixed(&mut self, other: &Column) -> Result<()> {
        let all_null = |c: &Column| (0..c.len()).all(|i| !c.is_valid(i));
        let mut rebuilt = if all_null(other) {
            let mut c = self.clone();
            for _ in 0..other.len() {
                c.push_null();
            }
            *self = c;
            return Ok(());
        } else if all_null(self) {
            let mut c = other.gather(&[]);
            for _ in 0..self.len() {
                c.push_null();
            }
            c
        } else {
            let mut c = Column::new(ColumnData::Datum(Vec::with_capacity(self.len() + other.len())));
            for i in 0..self.len() {
                c.push_datum(&self.datum(i));
            }
            c
        };
        for i in 0..other.len() {
            rebuilt.push_datum(&other.datum(i));
        }
        *self = rebuilt;
        Ok(())
    }
}

fn push_default(data: &mut ColumnData) {
    match data {
        ColumnData::Bool(v) => v.push(false),
        ColumnData::Char(v) => v.push(0),
        ColumnData::I16(v) => v.push(0),
        ColumnData::I32(v) => v.push(0),
        ColumnData::I64(v) => v.push(0),
        ColumnData::Oid(v) => v.push(0),
        ColumnData::F32(v) => v.push(0.0),
        ColumnData::F64(v) => v.push(0.0),
        ColumnData::Numeric(v) => v.push(Numeric::zero()),
        ColumnData::Interval(v) => v.push(Interval::default()),
        ColumnData::Text(v) | ColumnData::Bytes(v) => v.push(&[]),
        ColumnData::Datum(v) => v.push(Datum::Null),
    }
}

fn kind(d: &ColumnData) -> &'static str {
    match d {
        ColumnData::Bool(_) => "bool",
        ColumnData::Char(_) => "char",
        ColumnData::I16(_) => "int16",
        ColumnData::I32(_) => "int32",
        ColumnData::I64(_) => "int64",
        ColumnData::Oid(_) => "oid",
        ColumnData::F32(_) => "float32",
        ColumnData::F64(_) => "float64",
        ColumnData::Numeric(_) => "numeric",
        ColumnData::Interval(_) => "interval",
        ColumnData::Text(_) => "text",
        ColumnData::Bytes(_) => "bytes",
        ColumnData::Datum(_) => "datum",
    }
}

/// A batch of rows in columnar form. `len` is kept separately so zero-column
/// morsels (SELECT count(*) FROM t) still carry their row count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Morsel {
    pub columns: Vec<Column>,
    pub len: usize,
}

impl Morsel {
    pub fn new(columns: Vec<Column>, len: usize) -> Self {
        Morsel { columns, len }
    }

    pub fn filter(&self, keep: &[bool]) -> Morsel {
        let len = keep.iter().filter(|k| **k).count();
        Morsel { columns: self.columns.iter().map(|c| c.filter(keep)).collect(), len }
    }

    pub fn gather(&self, idx: &[usize]) -> Morsel {
        Morsel { columns: self.columns.iter().map(|c| c.gather(idx)).collect(), len: idx.len() }
    }

    pub fn row(&self, i: usize) -> Vec<Datum> {
        self.columns.iter().map(|c| c.datum(i)).collect()
    }

    /// Appends all rows of `other` (same layout).
    pub fn extend(&mut self, other: &Morsel) -> Result<()> {
        if self.columns.is_empty() && self.len == 0 {
            *self = other.clone();
            return Ok(());
        }
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.extend(b)?;
        }
        self.len += other.len;
        Ok(())
    }

    /// Splits into morsels of at most MORSEL_ROWS rows.
    pub fn chunks(self) -> Vec<Morsel> {
        if self.len <= MORSEL_ROWS {
            return vec![self];
        }
        let mut out = Vec::new();
        let mut start = 0;
        while start < self.len {
            let end = (start + MORSEL_ROWS).min(self.len);
            let idx: Vec<usize> = (start..end).collect();
            out.push(self.gather(&idx));
            start = end;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_across_representations() {
        // A NULL-only column guessed as bool, extended by numerics.
        let mut a = Column::empty(PhysicalType::Bool, 1);
        a.push_null();
        let mut b = Column::empty(PhysicalType::Numeric, 1);
        b.push_datum(&Datum::Numeric(Numeric::from_i64(7)));
        a.extend(&b).expect("extend");
        assert!(matches!(a.data, ColumnData::Numeric(_)));
        assert_eq!((a.datum(0), a.datum(1)), (Datum::Null, Datum::Numeric(Numeric::from_i64(7))));
        // And the other way round.
        let mut c = Column::empty(PhysicalType::Int32, 1);
        c.push_datum(&Datum::Int32(1));
        let mut d = Column::empty(PhysicalType::Text, 1);
        d.push_null();
        c.extend(&d).expect("extend");
        assert_eq!((c.datum(0), c.datum(1), c.len()), (Datum::Int32(1), Datum::Null, 2));
        // Two different non-NULL representations keep their values.
        let mut e = Column::empty(PhysicalType::Int32, 1);
        e.push_datum(&Datum::Int32(1));
        let mut f = Column::empty(PhysicalType::Text, 1);
        f.push_datum(&Datum::Text("x".into()));
        e.extend(&f).expect("extend");
        assert_eq!((e.datum(0), e.datum(1)), (Datum::Int32(1), Datum::Text("x".into())));
    }
}
