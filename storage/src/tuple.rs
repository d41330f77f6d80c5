//! Tuple layout: how a row of [`Datum`]s becomes bytes on a page and back.
//!
//! # Heap tuple
//!
//! ```text
//! offset size field
//!  0     4    xmin        inserting transaction id
//!  4     4    xmax        deleting/updating transaction id (0 = none)
//!  8     4    cmin        inserting command id
//! 12     4    cmax        deleting command id
//! 16     4    ctid.block  this tuple, or its newer version after an UPDATE
//! 20     2    ctid.offset
//! 22     2    infomask    HASNULL 0x0001, HASVARWIDTH 0x0002, XMIN_COMMITTED
//!                         0x0100, XMIN_INVALID 0x0200, XMAX_COMMITTED 0x0400,
//!                         XMAX_INVALID 0x0800, UPDATED 0x2000 (is a new version)
//! 24     2    natts       attributes stored (later ones read as NULL)
//! 26     1    hoff        offset of the data, a multiple of 8
//! 27     ..   null bitmap ceil(natts/8) bytes if HASNULL; bit i set = attribute
//!                         i is not null (PostgreSQL's convention)
//! hoff   ..   data
//! ```
//!
//! All integers are little-endian. Unlike PostgreSQL, cmin and cmax have
//! their own fields (no combo command ids), so the header is 27 bytes and
//! `hoff` is 32 for tuples without nulls or with up to 40 attributes.
//! Tuples start on 8-byte page offsets, so data alignment is absolute.
//!
//! # Data
//!
//! Attributes follow in order; a NULL takes no space. Each non-null value is
//! aligned to [`PhysicalType::align`] relative to the tuple start, with zero
//! padding:
//!
//! | representation | bytes |
//! |---|---|
//! | Bool, Char | 1 (0/1; the byte) |
//! | Int16 | 2, align 2 |
//! | Int32, Oid | 4, align 4 |
//! | Float32 | 4 (IEEE bits), align 4 |
//! | Int64 | 8, align 8 |
//! | Float64 | 8 (IEEE bits), align 8 |
//! | Interval | 16, align 8: micros i64, days i32, months i32 |
//! | Text, Bytes, Numeric, Array | varlena (below) |
//!
//! A varlena is PostgreSQL's little-endian varlena without TOAST: if the
//! whole value (header included) is at most 127 bytes it gets a 1-byte header
//! `(total_len << 1) | 1` and is *not* aligned; otherwise a 4-byte header
//! `total_len << 2` aligned to 4. A reader at an unaligned offset sees a
//! nonzero byte (a 1-byte header) or a zero (padding before an aligned
//! 4-byte header) — PostgreSQL's `att_align_pointer` rule. Header bytes `0x01`
//! (TOAST pointer) and 4-byte headers with low bits `10` (compressed) are
//! reserved. Payloads: Text is UTF-8, Bytes raw, Numeric is
//! `Numeric::to_binary` (PostgreSQL's numeric_send), Array is described at
//! [`encode_array`].
//!
//! # Index tuple
//!
//! `[heap tid block u32][heap tid offset u16][info u16]`, then a null bitmap if
//! `info & 0x8000`, then data as above from the next 8-byte boundary; `info`
//! also holds the attribute count (low 12 bits) and B-tree flags (see
//! [`crate::btree`]).

use std::borrow::Cow;
use std::cmp::Ordering;

use oa_ir::datetime::Interval;
use oa_ir::numeric::Numeric;
use oa_ir::{Array, ArrayDim, Datum, Error, PhysicalType, Result, SqlState};

use crate::page::{BlockNumber, OffsetNumber, get_u16, get_u32, maxalign};
use crate::xact::{CommandId, Xid};

/// A tuple's address: block and 1-based line pointer (PostgreSQL's
/// ItemPointer / ctid).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tid {
    pub block: BlockNumber,
    pub offset: OffsetNumber,
}

impl Tid {
    pub const INVALID: Tid = Tid { block: u32::MAX, offset: 0 };

    pub fn new(block: BlockNumber, offset: OffsetNumber) -> Tid {
        Tid { block, offset }
    }

    pub fn is_valid(&self) -> bool {
        self.offset != 0
    }
}

impl Tid {
    /// The TID packed into an int8 as `(block << 16) | offset`, the
    /// runtime's representation of the `tid` type.
    pub fn to_i64(self) -> i64 {
        ((self.block as i64) << 16) | self.offset as i64
    }

    pub fn from_i64(v: i64) -> Tid {
        Tid { block: (v >> 16) as u32, offset: (v & 0xFFFF) as u16 }
    }
}

impl std::fmt::Display for Tid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({},{})", self.block, self.offset)
    }
}

pub const T_XMIN: usize = 0;
pub const T_XMAX: usize = 4;
pub const T_CMIN: usize = 8;
pub const T_CMAX: usize = 12;
pub const T_CTID: usize = 16;
pub const T_INFOMASK: usize = 22;
pub const T_NATTS: usize = 24;
pub const T_HOFF: usize = 26;
/// Fixed part of the heap tuple header.
pub const HEAP_TUPLE_HEADER_SIZE: usize = 27;

pub const HEAP_HASNULL: u16 = 0x0001;
pub const HEAP_HASVARWIDTH: u16 = 0x0002;
pub const HEAP_XMIN_COMMITTED: u16 = 0x0100;
pub const HEAP_XMIN_INVALID: u16 = 0x0200;
pub const HEAP_XMAX_COMMITTED: u16 = 0x0400;
pub const HEAP_XMAX_INVALID: u16 = 0x0800;
pub const HEAP_UPDATED: u16 = 0x2000;

/// PostgreSQL's MaxTupleAttributeNumber.
pub const MAX_TUPLE_ATTRIBUTES: usize = 1664;
/// Largest varlena (PostgreSQL's 1 GB limit).
pub const MAX_VARLENA_SIZE: usize = (1 << 30) - 1;
/// PostgreSQL's MAXDIM.
pub const MAX_ARRAY_DIMS: usize = 6;

/// The attribute representations of a relation or index, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TupleDesc {
    attrs: Vec<PhysicalType>,
    /// Offsets (from the data start) of the leading fixed-width attributes,
    /// valid for tuples without nulls (PostgreSQL's attcacheoff).
    cached_offsets: Vec<u32>,
}

impl TupleDesc {
    pub fn new(attrs: Vec<PhysicalType>) -> TupleDesc {
        let mut cached_offsets = Vec::new();
        let mut off = 0usize;
        for ty in &attrs {
            let Some(w) = ty.fixed_width() else { break };
            off = att_align(off, ty.align());
            cached_offsets.push(off as u32);
            off += w;
        }
        TupleDesc { attrs, cached_offsets }
    }

    pub fn natts(&self) -> usize {
        self.attrs.len()
    }

    pub fn attrs(&self) -> &[PhysicalType] {
        &self.attrs
    }

    pub fn attr(&self, i: usize) -> Option<PhysicalType> {
        self.attrs.get(i).copied()
    }
}

#[inline]
fn att_align(off: usize, align: usize) -> usize {
    (off + align - 1) & !(align - 1)
}

fn corrupt(what: &str) -> Error {
    Error::new(SqlState::DATA_CORRUPTED, format!("corrupted tuple: {what}"))
}

/// Read access to a heap tuple's header.
#[derive(Clone, Copy)]
pub struct TupleHeader<'a> {
    b: &'a [u8],
}

impl<'a> TupleHeader<'a> {
    pub fn new(tuple: &'a [u8]) -> Result<TupleHeader<'a>> {
        if tuple.len() < HEAP_TUPLE_HEADER_SIZE {
            return Err(corrupt("shorter than its header"));
        }
        let h = TupleHeader { b: tuple };
        let hoff = h.hoff();
        let bitmap = if h.infomask() & HEAP_HASNULL != 0 { (h.natts() as usize).div_ceil(8) } else { 0 };
        if hoff > tuple.len() || hoff < HEAP_TUPLE_HEADER_SIZE + bitmap || !hoff.is_multiple_of(8) {
            return Err(corrupt("bad header length"));
        }
        Ok(h)
    }

    pub fn xmin(&self) -> Xid {
        Xid(get_u32(self.b, T_XMIN))
    }

    pub fn xmax(&self) -> Xid {
        Xid(get_u32(self.b, T_XMAX))
    }

    pub fn cmin(&self) -> CommandId {
        get_u32(self.b, T_CMIN)
    }

    pub fn cmax(&self) -> CommandId {
        get_u32(self.b, T_CMAX)
    }

    pub fn ctid(&self) -> Tid {
        Tid { block: get_u32(self.b, T_CTID), offset: get_u16(self.b, T_CTID + 4) }
    }

    pub fn infomask(&self) -> u16 {
        get_u16(self.b, T_INFOMASK)
    }

    pub fn natts(&self) -> u16 {
        get_u16(self.b, T_NATTS)
    }

    pub fn hoff(&self) -> usize {
        self.b[T_HOFF] as usize
    }

    pub fn has_nulls(&self) -> bool {
        self.infomask() & HEAP_HASNULL != 0
    }

    /// The null bitmap, if the tuple has nulls.
    pub fn bitmap(&self) -> Option<&'a [u8]> {
        if !self.has_nulls() {
            return None;
        }
        let len = (self.natts() as usize).div_ceil(8);
        self.b.get(HEAP_TUPLE_HEADER_SIZE..HEAP_TUPLE_HEADER_SIZE + len)
    }

    /// The data area (everything from `hoff`).
    pub fn data(&self) -> &'a [u8] {
        &self.b[self.hoff()..]
    }
}

// ---------------------------------------------------------------------------
// Forming
// ---------------------------------------------------------------------------

/// Builds a heap tuple (header fields zero apart from natts, hoff, infomask
/// and the null bitmap; the heap stamps the rest).
pub fn form_tuple(desc: &TupleDesc, values: &[Datum]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    form_tuple_into(desc, values, &mut out)?;
    Ok(out)
}

/// [`form_tuple`] into a reused buffer.
pub fn form_tuple_into(desc: &TupleDesc, values: &[Datum], out: &mut Vec<u8>) -> Result<()> {
    if values.len() != desc.natts() {
        return Err(Error::internal(format!("tuple has {} values for {} attributes", values.len(), desc.natts())));
    }
    if values.len() > MAX_TUPLE_ATTRIBUTES {
        return Err(Error::new(SqlState::TOO_MANY_COLUMNS, format!("number of columns ({}) exceeds limit ({MAX_TUPLE_ATTRIBUTES})", values.len())));
    }
    out.clear();
    let has_nulls = values.iter().any(Datum::is_null);
    let bitmap_len = if has_nulls { values.len().div_ceil(8) } else { 0 };
    let hoff = maxalign(HEAP_TUPLE_HEADER_SIZE + bitmap_len);
    out.resize(hoff, 0);
    let mut infomask = 0;
    if has_nulls {
        infomask |= HEAP_HASNULL;
        fill_bitmap(values, &mut out[HEAP_TUPLE_HEADER_SIZE..HEAP_TUPLE_HEADER_SIZE + bitmap_len]);
    }
    if desc.attrs.iter().any(|t| t.fixed_width().is_none()) {
        infomask |= HEAP_HASVARWIDTH;
    }
    out[T_INFOMASK..T_INFOMASK + 2].copy_from_slice(&infomask.to_le_bytes());
    out[T_NATTS..T_NATTS + 2].copy_from_slice(&(values.len() as u16).to_le_bytes());
    out[T_HOFF] = hoff as u8;
    append_values(desc.attrs(), values, out)
}

pub(crate) fn fill_bitmap(values: &[Datum], bitmap: &mut [u8]) {
    for (i, v) in values.iter().enumerate() {
        if !v.is_null() {
            bitmap[i / 8] |= 1 << (i % 8);
        }
    }
}

/// Appends the data area for `values` at the end of `out`, aligning
/// relative to `out`'s start (which must sit on an 8-byte boundary).
pub(crate) fn append_values(attrs: &[PhysicalType], values: &[Datum], out: &mut Vec<u8>) -> Result<()> {
    for (ty, v) in attrs.iter().zip(values) {
        append_value(out, *ty, v, true)?;
    }
    Ok(())
}

fn pad_to(out: &mut Vec<u8>, align: usize) {
    let n = att_align(out.len(), align);
    out.resize(n, 0);
}

fn mismatch(ty: PhysicalType, v: &Datum) -> Error {
    Error::internal(format!("value {v:?} does not match attribute representation {ty:?}"))
}

/// Appends one value. `aligned` is false inside arrays, which pack elements.
fn append_value(out: &mut Vec<u8>, ty: PhysicalType, v: &Datum, aligned: bool) -> Result<()> {
    // A null takes no space and no padding: readers skip it by the bitmap
    // without aligning (PostgreSQL's heap_fill_tuple).
    if aligned && ty.fixed_width().is_some() && !v.is_null() {
        pad_to(out, ty.align());
    }
    match (ty, v) {
        (_, Datum::Null) => {}
        (PhysicalType::Bool, Datum::Bool(b)) => out.push(*b as u8),
        (PhysicalType::Char, Datum::Char(c)) => out.push(*c),
        (PhysicalType::Int16, Datum::Int16(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (PhysicalType::Int32, Datum::Int32(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (PhysicalType::Int64, Datum::Int64(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (PhysicalType::Oid, Datum::Oid(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (PhysicalType::Float32, Datum::Float32(x)) => out.extend_from_slice(&x.to_bits().to_le_bytes()),
        (PhysicalType::Float64, Datum::Float64(x)) => out.extend_from_slice(&x.to_bits().to_le_bytes()),
        (PhysicalType::Interval, Datum::Interval(iv)) => {
            out.extend_from_slice(&iv.micros.to_le_bytes());
            out.extend_from_slice(&iv.days.to_le_bytes());
            out.extend_from_slice(&iv.months.to_le_bytes());
        }
        (PhysicalType::Text, Datum::Text(s)) => append_varlena(out, s.as_bytes(), aligned)?,
        (PhysicalType::Bytes, Datum::Bytes(b)) => append_varlena(out, b, aligned)?,
        (PhysicalType::Numeric, Datum::Numeric(n)) => append_varlena(out, &n.to_binary(), aligned)?,
        (PhysicalType::Array, Datum::Array(a)) => {
            let mut payload = Vec::new();
            encode_array(a, &mut payload)?;
            append_varlena(out, &payload, aligned)?;
        }
        _ => return Err(mismatch(ty, v)),
    }
    Ok(())
}

/// Largest payload that gets a 1-byte header.
const SHORT_VARLENA_MAX_PAYLOAD: usize = 126;

fn append_varlena(out: &mut Vec<u8>, payload: &[u8], aligned: bool) -> Result<()> {
    if payload.len() <= SHORT_VARLENA_MAX_PAYLOAD {
        out.push((((payload.len() + 1) as u8) << 1) | 1);
    } else {
        let total = payload.len() + 4;
        if total > MAX_VARLENA_SIZE {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("value too large to store: {} bytes, maximum {MAX_VARLENA_SIZE}", payload.len()),
            ));
        }
        if aligned {
            pad_to(out, 4);
        }
        out.extend_from_slice(&((total as u32) << 2).to_le_bytes());
    }
    out.extend_from_slice(payload);
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// An attribute value borrowed from a tuple: fixed-width values decoded,
/// variable-width ones as slices of the page (or tuple copy) they live in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RawValue<'a> {
    Null,
    Bool(bool),
    Char(u8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Oid(u32),
    Float32(f32),
    Float64(f64),
    Interval(Interval),
    /// `Numeric::to_binary` bytes.
    Numeric(&'a [u8]),
    Text(&'a str),
    Bytes(&'a [u8]),
    /// [`encode_array`] bytes.
    Array(&'a [u8]),
}

impl RawValue<'_> {
    pub fn is_null(&self) -> bool {
        matches!(self, RawValue::Null)
    }

    /// The owned value.
    pub fn to_datum(&self) -> Result<Datum> {
        Ok(match *self {
            RawValue::Null => Datum::Null,
            RawValue::Bool(b) => Datum::Bool(b),
            RawValue::Char(c) => Datum::Char(c),
            RawValue::Int16(v) => Datum::Int16(v),
            RawValue::Int32(v) => Datum::Int32(v),
            RawValue::Int64(v) => Datum::Int64(v),
            RawValue::Oid(v) => Datum::Oid(v),
            RawValue::Float32(v) => Datum::Float32(v),
            RawValue::Float64(v) => Datum::Float64(v),
            RawValue::Interval(v) => Datum::Interval(v),
            RawValue::Numeric(b) => Datum::Numeric(decode_numeric(b)?),
            RawValue::Text(s) => Datum::Text(s.to_owned()),
            RawValue::Bytes(b) => Datum::Bytes(b.to_vec()),
            RawValue::Array(b) => Datum::Array(Box::new(decode_array(b)?)),
        })
    }

    /// `Datum::sql_cmp` of this value against a datum, without allocating
    /// except for numeric and array values.
    pub fn cmp_datum(&self, d: &Datum) -> Result<Ordering> {
        Ok(match (*self, d) {
            // Datum::sql_cmp's bytewise ("C") order, without copying.
            (RawValue::Text(a), Datum::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (RawValue::Bytes(a), Datum::Bytes(b)) => a.cmp(&b[..]),
            // Fixed-width values become datums without allocating, so the
            // order is exactly Datum::sql_cmp's.
            (raw, d) => raw.to_datum()?.sql_cmp(d),
        })
    }
}

fn decode_numeric(b: &[u8]) -> Result<Numeric> {
    Numeric::from_binary(b).map_err(|e| corrupt(&format!("bad numeric: {}", e.message)))
}

/// Reads one value at `*off` (advanced past it). `aligned` is false inside
/// arrays.
#[inline]
fn read_value<'a>(t: &'a [u8], off: &mut usize, ty: PhysicalType, aligned: bool) -> Result<RawValue<'a>> {
    if let Some(w) = ty.fixed_width() {
        let start = if aligned { att_align(*off, ty.align()) } else { *off };
        *off = start + w;
        return read_fixed(t, start, ty);
    }
    read_varlena(t, off, ty, aligned)
}

/// A fixed-width value at `start` (already aligned).
#[inline]
fn read_fixed(t: &[u8], start: usize, ty: PhysicalType) -> Result<RawValue<'_>> {
    let w = ty.fixed_width().unwrap_or(0);
    let b = t.get(start..start + w).ok_or_else(|| corrupt("attribute past the end"))?;
    Ok(match ty {
        PhysicalType::Bool => RawValue::Bool(b[0] != 0),
        PhysicalType::Char => RawValue::Char(b[0]),
        PhysicalType::Int16 => RawValue::Int16(i16::from_le_bytes([b[0], b[1]])),
        PhysicalType::Int32 => RawValue::Int32(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        PhysicalType::Oid => RawValue::Oid(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        PhysicalType::Float32 => RawValue::Float32(f32::from_bits(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        PhysicalType::Int64 => RawValue::Int64(i64::from_le_bytes(b8(b, 0))),
        PhysicalType::Float64 => RawValue::Float64(f64::from_bits(u64::from_le_bytes(b8(b, 0)))),
        PhysicalType::Interval => RawValue::Interval(Interval {
            micros: i64::from_le_bytes(b8(b, 0)),
            days: i32::from_le_bytes([b[8], b[9], b[10], b[11]]),
            months: i32::from_le_bytes([b[12], b[13], b[14], b[15]]),
        }),
        _ => return Err(Error::internal("fixed-width decode of a varlena type")),
    })
}

fn read_varlena<'a>(t: &'a [u8], off: &mut usize, ty: PhysicalType, aligned: bool) -> Result<RawValue<'a>> {
    let mut o = *off;
    if aligned && !o.is_multiple_of(4) && *t.get(o).ok_or_else(|| corrupt("varlena past the end"))? == 0 {
        o = att_align(o, 4);
    }
    let first = *t.get(o).ok_or_else(|| corrupt("varlena past the end"))?;
    let (hdr, total) = if first & 1 == 1 {
        if first == 1 {
            return Err(Error::feature_not_supported("TOAST pointers are not supported"));
        }
        (1, (first >> 1) as usize)
    } else {
        if aligned && !o.is_multiple_of(4) {
            return Err(corrupt("unaligned 4-byte varlena header"));
        }
        let w = u32::from_le_bytes(t.get(o..o + 4).ok_or_else(|| corrupt("varlena past the end"))?.try_into().unwrap_or([0; 4]));
        if w & 3 != 0 {
            return Err(Error::feature_not_supported("compressed values are not supported"));
        }
        (4, (w >> 2) as usize)
    };
    if total < hdr {
        return Err(corrupt("varlena shorter than its header"));
    }
    let payload = t.get(o + hdr..o + total).ok_or_else(|| corrupt("varlena past the end"))?;
    *off = o + total;
    Ok(match ty {
        PhysicalType::Text => RawValue::Text(std::str::from_utf8(payload).map_err(|_| corrupt("text is not valid UTF-8"))?),
        PhysicalType::Bytes => RawValue::Bytes(payload),
        PhysicalType::Numeric => RawValue::Numeric(payload),
        _ => RawValue::Array(payload),
    })
}

#[inline]
fn b8(b: &[u8], at: usize) -> [u8; 8] {
    [b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6], b[at + 7]]
}

/// Iterates a tuple's attributes as [`RawValue`]s, in order, yielding NULL
/// for attributes the tuple does not store.
pub struct AttrIter<'d, 'a> {
    attrs: &'d [PhysicalType],
    bytes: &'a [u8],
    bitmap: Option<&'a [u8]>,
    stored: usize,
    off: usize,
    attno: usize,
}

impl<'d, 'a> AttrIter<'d, 'a> {
    /// Over a heap tuple.
    pub fn heap(desc: &'d TupleDesc, tuple: &'a [u8]) -> Result<AttrIter<'d, 'a>> {
        let h = TupleHeader::new(tuple)?;
        Ok(AttrIter { attrs: desc.attrs(), bytes: tuple, bitmap: h.bitmap(), stored: h.natts() as usize, off: h.hoff(), attno: 0 })
    }

    /// Over any tuple-like layout: data at `data_off`, alignment relative to
    /// the start of `bytes`.
    pub(crate) fn raw(attrs: &'d [PhysicalType], bytes: &'a [u8], data_off: usize, bitmap: Option<&'a [u8]>, stored: usize) -> AttrIter<'d, 'a> {
        AttrIter { attrs, bytes, bitmap, stored, off: data_off, attno: 0 }
    }
}

impl<'a> Iterator for AttrIter<'_, 'a> {
    type Item = Result<RawValue<'a>>;

    #[inline]
    fn next(&mut self) -> Option<Result<RawValue<'a>>> {
        let ty = *self.attrs.get(self.attno)?;
        let i = self.attno;
        self.attno += 1;
        if i >= self.stored {
            return Some(Ok(RawValue::Null));
        }
        if let Some(bm) = self.bitmap {
            match bm.get(i / 8) {
                Some(byte) if byte & (1 << (i % 8)) == 0 => return Some(Ok(RawValue::Null)),
                Some(_) => {}
                None => return Some(Err(corrupt("null bitmap too short"))),
            }
        }
        Some(read_value(self.bytes, &mut self.off, ty, true))
    }
}

/// Calls `f(attno, value)` for each attribute (0-based), values borrowing
/// from `tuple`. The interpreter's hot path: no allocation.
pub fn deform_into<'a>(desc: &TupleDesc, tuple: &'a [u8], mut f: impl FnMut(usize, RawValue<'a>)) -> Result<()> {
    let h = TupleHeader::new(tuple)?;
    let mut it = AttrIter::heap(desc, tuple)?;
    if !h.has_nulls() {
        // Leading fixed-width attributes sit at cached offsets.
        let n = desc.cached_offsets.len().min(h.natts() as usize);
        let base = h.hoff();
        for (i, (&off, &ty)) in desc.cached_offsets[..n].iter().zip(&desc.attrs).enumerate() {
            f(i, read_fixed(tuple, base + off as usize, ty)?);
        }
        if n > 0 {
            let last = desc.attrs[n - 1];
            it.attno = n;
            it.off = base + desc.cached_offsets[n - 1] as usize + last.fixed_width().unwrap_or(0);
        }
    }
    let first = it.attno;
    for (i, v) in it.enumerate() {
        f(first + i, v?);
    }
    Ok(())
}

/// The tuple's values as owned datums.
pub fn deform_tuple(desc: &TupleDesc, tuple: &[u8]) -> Result<Vec<Datum>> {
    let mut out = Vec::with_capacity(desc.natts());
    for v in AttrIter::heap(desc, tuple)? {
        out.push(v?.to_datum()?);
    }
    Ok(out)
}

/// One attribute (0-based), using cached offsets when the tuple has no nulls
/// and the attribute is in the leading fixed-width run.
pub fn get_attr<'a>(desc: &TupleDesc, tuple: &'a [u8], attno: usize) -> Result<RawValue<'a>> {
    let h = TupleHeader::new(tuple)?;
    let Some(ty) = desc.attr(attno) else {
        return Err(Error::internal(format!("attribute {attno} out of range")));
    };
    if attno >= h.natts() as usize {
        return Ok(RawValue::Null);
    }
    if !h.has_nulls()
        && let Some(&off) = desc.cached_offsets.get(attno)
    {
        let mut o = h.hoff() + off as usize;
        return read_value(tuple, &mut o, ty, true);
    }
    match AttrIter::heap(desc, tuple)?.nth(attno) {
        Some(v) => v,
        None => Ok(RawValue::Null),
    }
}

// ---------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------

fn type_code(t: PhysicalType) -> u8 {
    match t {
        PhysicalType::Bool => 1,
        PhysicalType::Char => 2,
        PhysicalType::Int16 => 3,
        PhysicalType::Int32 => 4,
        PhysicalType::Int64 => 5,
        PhysicalType::Oid => 6,
        PhysicalType::Float32 => 7,
        PhysicalType::Float64 => 8,
        PhysicalType::Numeric => 9,
        PhysicalType::Interval => 10,
        PhysicalType::Text => 11,
        PhysicalType::Bytes => 12,
        PhysicalType::Array => 13,
    }
}

fn type_from_code(c: u8) -> Option<PhysicalType> {
    Some(match c {
        1 => PhysicalType::Bool,
        2 => PhysicalType::Char,
        3 => PhysicalType::Int16,
        4 => PhysicalType::Int32,
        5 => PhysicalType::Int64,
        6 => PhysicalType::Oid,
        7 => PhysicalType::Float32,
        8 => PhysicalType::Float64,
        9 => PhysicalType::Numeric,
        10 => PhysicalType::Interval,
        11 => PhysicalType::Text,
        12 => PhysicalType::Bytes,
        _ => return None,
    })
}

const ARRAY_HAS_NULLS: u8 = 1;
const ARRAY_HEADER_SIZE: usize = 8;

/// Encodes an array (the payload of its varlena):
///
/// ```text
/// 0  u8   flags (1 = has a null bitmap)
/// 1  u8   element representation code (0 when no element is non-null):
///         1 bool 2 char 3 int16 4 int32 5 int64 6 oid 7 float32 8 float64
///         9 numeric 10 interval 11 text 12 bytes
/// 2  u16  number of dimensions (0..=6)
/// 4  u32  element type OID
/// 8  per dimension: length i32, lower bound i32
///    null bitmap, ceil(nitems/8) bytes, bit set = not null (if flagged)
///    the non-null elements in row-major order, packed without alignment:
///    fixed-width values as in tuples, variable-width ones with a varlena
///    header (1-byte if the value is <= 127 bytes with it, else 4-byte)
/// ```
pub fn encode_array(a: &Array, out: &mut Vec<u8>) -> Result<()> {
    if a.dims.len() > MAX_ARRAY_DIMS {
        return Err(Error::new(
            SqlState::PROGRAM_LIMIT_EXCEEDED,
            format!("number of array dimensions ({}) exceeds the maximum allowed ({MAX_ARRAY_DIMS})", a.dims.len()),
        ));
    }
    let mut nitems: usize = if a.dims.is_empty() { 0 } else { 1 };
    for d in &a.dims {
        if d.len < 0 {
            return Err(Error::internal("negative array dimension length"));
        }
        nitems = nitems.saturating_mul(d.len as usize);
    }
    if nitems != a.elems.len() {
        return Err(Error::internal(format!("array dimensions describe {nitems} elements but {} are present", a.elems.len())));
    }
    let mut elem_ty: Option<PhysicalType> = None;
    for e in &a.elems {
        if let Some(t) = e.physical_type() {
            if t == PhysicalType::Array {
                return Err(Error::internal("array elements cannot be arrays"));
            }
            match elem_ty {
                None => elem_ty = Some(t),
                Some(prev) if prev != t => {
                    return Err(Error::internal("array elements have different representations"));
                }
                Some(_) => {}
            }
        }
    }
    let has_nulls = a.elems.iter().any(Datum::is_null);
    out.push(if has_nulls { ARRAY_HAS_NULLS } else { 0 });
    out.push(elem_ty.map_or(0, type_code));
    out.extend_from_slice(&(a.dims.len() as u16).to_le_bytes());
    out.extend_from_slice(&a.elem_type.to_le_bytes());
    for d in &a.dims {
        out.extend_from_slice(&d.len.to_le_bytes());
        out.extend_from_slice(&d.lower.to_le_bytes());
    }
    if has_nulls {
        let start = out.len();
        out.resize(start + nitems.div_ceil(8), 0);
        fill_bitmap(&a.elems, &mut out[start..]);
    }
    if let Some(t) = elem_ty {
        for e in &a.elems {
            append_value(out, t, e, false)?;
        }
    }
    Ok(())
}

/// Decodes [`encode_array`]'s format.
pub fn decode_array(b: &[u8]) -> Result<Array> {
    let bad = || corrupt("malformed array");
    if b.len() < ARRAY_HEADER_SIZE {
        return Err(bad());
    }
    let flags = b[0];
    let code = b[1];
    let ndim = get_u16(b, 2) as usize;
    let elem_type = get_u32(b, 4);
    if ndim > MAX_ARRAY_DIMS || flags & !ARRAY_HAS_NULLS != 0 {
        return Err(bad());
    }
    let mut off = ARRAY_HEADER_SIZE;
    let mut dims = Vec::with_capacity(ndim);
    let mut nitems: usize = if ndim == 0 { 0 } else { 1 };
    for _ in 0..ndim {
        let d = b.get(off..off + 8).ok_or_else(bad)?;
        let len = i32::from_le_bytes([d[0], d[1], d[2], d[3]]);
        let lower = i32::from_le_bytes([d[4], d[5], d[6], d[7]]);
        if len < 0 {
            return Err(bad());
        }
        nitems = nitems.checked_mul(len as usize).ok_or_else(bad)?;
        dims.push(ArrayDim { len, lower });
        off += 8;
    }
    // Every element takes at least a bit of bitmap or a byte of data.
    if nitems > b.len().saturating_mul(8) {
        return Err(bad());
    }
    let bitmap = if flags & ARRAY_HAS_NULLS != 0 {
        let len = nitems.div_ceil(8);
        let bm = b.get(off..off + len).ok_or_else(bad)?;
        off += len;
        Some(bm)
    } else {
        None
    };
    let ty = if code == 0 { None } else { Some(type_from_code(code).ok_or_else(bad)?) };
    let mut elems = Vec::with_capacity(nitems);
    for i in 0..nitems {
        let null = bitmap.is_some_and(|bm| bm[i / 8] & (1 << (i % 8)) == 0);
        if null {
            elems.push(Datum::Null);
            continue;
        }
        let Some(t) = ty else { return Err(bad()) };
        elems.push(read_value(b, &mut off, t, false)?.to_datum()?);
    }
    if off != b.len() {
        return Err(bad());
    }
    Ok(Array { elem_type, dims, elems })
}

/// The payload bytes a varlena value of `d` would carry (for callers that
/// compare or hash raw bytes).
pub fn varlena_payload(d: &Datum) -> Result<Option<Cow<'_, [u8]>>> {
    Ok(match d {
        Datum::Text(s) => Some(Cow::Borrowed(s.as_bytes())),
        Datum::Bytes(b) => Some(Cow::Borrowed(&b[..])),
        Datum::Numeric(n) => Some(Cow::Owned(n.to_binary())),
        Datum::Array(a) => {
            let mut v = Vec::new();
            encode_array(a, &mut v)?;
            Some(Cow::Owned(v))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oa_ir::types::oid;

    fn all_types() -> Vec<PhysicalType> {
        use PhysicalType::*;
        vec![Bool, Char, Int16, Int32, Int64, Oid, Float32, Float64, Numeric, Interval, Text, Bytes, Array]
    }

    fn sample(t: PhysicalType, i: i64) -> Datum {
        match t {
            PhysicalType::Bool => Datum::Bool(i % 2 == 0),
            PhysicalType::Char => Datum::Char(b'a' + (i % 26) as u8),
            PhysicalType::Int16 => Datum::Int16(-(i as i16)),
            PhysicalType::Int32 => Datum::Int32(i as i32 * 1000 - 7),
            PhysicalType::Int64 => Datum::Int64(i64::MIN + i),
            PhysicalType::Oid => Datum::Oid(u32::MAX - i as u32),
            PhysicalType::Float32 => Datum::Float32(i as f32 / 3.0),
            PhysicalType::Float64 => Datum::Float64(-(i as f64) / 7.0),
            PhysicalType::Numeric => Datum::Numeric(Numeric::parse(&format!("{i}.0{i}")).unwrap()),
            PhysicalType::Interval => Datum::Interval(Interval { months: i as i32, days: -(i as i32), micros: i * 1_000_001 }),
            PhysicalType::Text => Datum::Text("é".repeat(i as usize % 200)),
            PhysicalType::Bytes => Datum::Bytes((0..(i % 300) as u8).collect()),
            PhysicalType::Array => Datum::Array(Box::new(Array::from_elems(
                oid::INT4,
                (0..i % 5).map(|k| if k == 2 { Datum::Null } else { Datum::Int32(k as i32) }).collect(),
            ))),
        }
    }

    fn assert_same(a: &[Datum], b: &[Datum]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            // sql_eq treats 1.0 = 1.00; compare debug output for exactness too.
            assert_eq!(format!("{x:?}"), format!("{y:?}"));
        }
    }

    #[test]
    fn every_type_round_trips_with_and_without_nulls() {
        let desc = TupleDesc::new(all_types());
        for i in 0..300i64 {
            let mut values: Vec<Datum> = all_types().into_iter().map(|t| sample(t, i)).collect();
            if i % 3 == 1 {
                for (k, v) in values.iter_mut().enumerate() {
                    if (k + i as usize).is_multiple_of(4) {
                        *v = Datum::Null;
                    }
                }
            }
            let t = form_tuple(&desc, &values).unwrap();
            let back = deform_tuple(&desc, &t).unwrap();
            assert_same(&values, &back);
            for (k, v) in values.iter().enumerate() {
                let raw = get_attr(&desc, &t, k).unwrap();
                assert_eq!(format!("{:?}", raw.to_datum().unwrap()), format!("{v:?}"));
                assert_eq!(raw.cmp_datum(v).unwrap(), Ordering::Equal);
            }
        }
    }

    #[test]
    fn layout_is_as_documented() {
        use PhysicalType::*;
        let desc = TupleDesc::new(vec![Bool, Int64, Text, Int32, Text]);
        let long = "x".repeat(200);
        let t =
            form_tuple(&desc, &[Datum::Bool(true), Datum::Int64(-2), Datum::Text("ab".into()), Datum::Int32(7), Datum::Text(long.clone())]).unwrap();
        let h = TupleHeader::new(&t).unwrap();
        assert_eq!(h.hoff(), 32);
        assert_eq!(h.natts(), 5);
        assert_eq!(h.infomask(), HEAP_HASVARWIDTH);
        let d = &t[32..];
        assert_eq!(d[0], 1); // bool at 0
        assert_eq!(&d[8..16], &(-2i64).to_le_bytes()); // int8 aligned to 8
        assert_eq!(d[16], (3 << 1) | 1); // short varlena "ab": 1-byte header, total 3
        assert_eq!(&d[17..19], b"ab");
        assert_eq!(&d[19..20], &[0]); // padding to 4
        assert_eq!(&d[20..24], &7i32.to_le_bytes());
        assert_eq!(&d[24..28], &(204u32 << 2).to_le_bytes()); // 4-byte header, aligned
        assert_eq!(&d[28..], long.as_bytes());
        assert_eq!(t.len(), 32 + 28 + 200);
    }

    #[test]
    fn short_varlena_is_not_aligned_and_boundary_is_127() {
        use PhysicalType::*;
        let desc = TupleDesc::new(vec![Bool, Text]);
        for n in [0usize, 1, 125, 126, 127, 128, 1000] {
            let s = "y".repeat(n);
            let t = form_tuple(&desc, &[Datum::Bool(false), Datum::Text(s.clone())]).unwrap();
            let d = &t[32..];
            if n <= 126 {
                assert_eq!(d[1] as usize, ((n + 1) << 1) | 1, "n={n}");
                assert_eq!(t.len(), 32 + 2 + n);
            } else {
                assert_eq!(&d[1..4], &[0, 0, 0], "padding, n={n}");
                assert_eq!(t.len(), 32 + 8 + n);
            }
            assert_eq!(deform_tuple(&desc, &t).unwrap()[1], Datum::Text(s));
        }
    }

    #[test]
    fn null_bitmap_and_missing_attributes() {
        use PhysicalType::*;
        let attrs: Vec<PhysicalType> = (0..45).map(|i| if i % 2 == 0 { Int32 } else { Text }).collect();
        let desc = TupleDesc::new(attrs.clone());
        let values: Vec<Datum> = (0..45)
            .map(|i| {
                if i % 3 == 0 {
                    Datum::Null
                } else if i % 2 == 0 {
                    Datum::Int32(i)
                } else {
                    Datum::Text(i.to_string())
                }
            })
            .collect();
        let t = form_tuple(&desc, &values).unwrap();
        let h = TupleHeader::new(&t).unwrap();
        assert!(h.has_nulls());
        // 27 + ceil(45/8) = 33 -> 40
        assert_eq!(h.hoff(), 40);
        assert_eq!(h.bitmap().unwrap()[0] & 1, 0);
        assert_eq!(h.bitmap().unwrap()[0] & 2, 2);
        assert_same(&deform_tuple(&desc, &t).unwrap(), &values);
        // A wider descriptor (ADD COLUMN) reads the extra attributes as NULL.
        let mut wider = attrs;
        wider.push(Int64);
        let desc2 = TupleDesc::new(wider);
        let back = deform_tuple(&desc2, &t).unwrap();
        assert_eq!(back.len(), 46);
        assert!(back[45].is_null());
        assert!(get_attr(&desc2, &t, 45).unwrap().is_null());
    }

    #[test]
    fn null_takes_no_padding() {
        use PhysicalType::*;
        // int4, NULL int8, int4: the second int4 follows the first directly.
        let desc = TupleDesc::new(vec![Int32, Int64, Int32]);
        let values = vec![Datum::Int32(1), Datum::Null, Datum::Int32(200)];
        let t = form_tuple(&desc, &values).unwrap();
        let h = TupleHeader::new(&t).unwrap();
        assert_eq!(h.data().len(), 8);
        assert_same(&deform_tuple(&desc, &t).unwrap(), &values);
        assert_eq!(format!("{:?}", get_attr(&desc, &t, 2).unwrap()), "Int32(200)");
    }

    #[test]
    fn deform_into_borrows() {
        use PhysicalType::*;
        let desc = TupleDesc::new(vec![Int32, Text, Float64]);
        let t = form_tuple(&desc, &[Datum::Int32(5), Datum::Text("hello".into()), Datum::Null]).unwrap();
        let mut seen = Vec::new();
        deform_into(&desc, &t, |i, v| {
            if let RawValue::Text(s) = v {
                // Points into the tuple bytes.
                let p = s.as_ptr() as usize;
                assert!(p >= t.as_ptr() as usize && p < t.as_ptr() as usize + t.len());
            }
            seen.push((i, format!("{v:?}")));
        })
        .unwrap();
        assert_eq!(seen, vec![(0, "Int32(5)".to_string()), (1, "Text(\"hello\")".to_string()), (2, "Null".to_string())]);
    }

    #[test]
    fn arrays_round_trip() {
        let cases = vec![
            Array::from_elems(oid::INT4, vec![]),
            Array::from_elems(oid::TEXT, vec![Datum::Text("a".into()), Datum::Null, Datum::Text("x".repeat(300))]),
            Array::from_elems(oid::INT4, vec![Datum::Null, Datum::Null]),
            Array {
                elem_type: oid::FLOAT8,
                dims: vec![ArrayDim { len: 2, lower: 0 }, ArrayDim { len: 3, lower: -5 }],
                elems: (0..6).map(|i| Datum::Float64(i as f64)).collect(),
            },
            Array::from_elems(oid::NUMERIC, vec![Datum::Numeric(Numeric::parse("NaN").unwrap())]),
        ];
        for a in cases {
            let mut b = Vec::new();
            encode_array(&a, &mut b).unwrap();
            assert_eq!(decode_array(&b).unwrap(), a);
        }
        let mixed = Array::from_elems(oid::INT4, vec![Datum::Int32(1), Datum::Int64(2)]);
        assert!(encode_array(&mixed, &mut Vec::new()).is_err());
        assert!(decode_array(&[0, 4, 1, 0]).is_err());
    }

    #[test]
    fn mismatched_and_corrupt_inputs_are_errors() {
        let desc = TupleDesc::new(vec![PhysicalType::Int32]);
        assert!(form_tuple(&desc, &[Datum::Int64(1)]).is_err());
        assert!(form_tuple(&desc, &[]).is_err());
        let desc = TupleDesc::new(vec![PhysicalType::Text]);
        let mut t = form_tuple(&desc, &[Datum::Text("abc".into())]).unwrap();
        t.truncate(t.len() - 1);
        assert_eq!(deform_tuple(&desc, &t).unwrap_err().code, SqlState::DATA_CORRUPTED);
        assert!(deform_tuple(&desc, &[0u8; 10]).is_err());
    }

    #[test]
    fn raw_comparison_matches_sql_cmp() {
        let vals = [
            Datum::Float64(f64::NAN),
            Datum::Float64(-0.0),
            Datum::Float64(0.0),
            Datum::Text("a".into()),
            Datum::Text("b".into()),
            Datum::Null,
            Datum::Char(200),
            Datum::Char(5),
        ];
        for a in &vals {
            let ty = a.physical_type().unwrap_or(PhysicalType::Int32);
            let desc = TupleDesc::new(vec![ty]);
            let t = form_tuple(&desc, std::slice::from_ref(a)).unwrap();
            let raw = get_attr(&desc, &t, 0).unwrap();
            for b in &vals {
                if a.physical_type() == b.physical_type() || a.is_null() || b.is_null() {
                    assert_eq!(raw.cmp_datum(b).unwrap(), a.sql_cmp(b), "{a:?} vs {b:?}");
                }
            }
        }
    }
}
