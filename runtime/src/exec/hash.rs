//! Hashing and comparing key columns, consistently with SQL equality:
//! equal values hash alike whatever their display scale (numeric), sign of
//! zero or NaN payload (floats), or unit spelling (intervals).

use std::hash::{Hash, Hasher};

use oa_ir::datetime::interval_hash_key;
use oa_ir::datum::Datum;

use super::vector::{Column, ColumnData};

/// FNV-1a with a final mix: fast, deterministic (plans and results must not
/// depend on a random seed), good enough for in-memory tables.
#[derive(Clone, Copy)]
pub struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 ^= v;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
    }
}

pub(crate) fn mix(h: &mut u64, v: u64) {
    let mut k = KeyHasher(*h);
    k.write_u64(v);
    *h = k.finish();
}

pub(crate) fn float_bits(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else if v == 0.0 {
        0
    } else {
        v.to_bits()
    }
}

/// Folds column `c` into the per-row hashes. NULLs hash to a fixed value.
pub fn hash_column(c: &Column, hashes: &mut [u64]) {
    const NULL: u64 = 0x9e37_79b9_7f4a_7c15;
    for (i, h) in hashes.iter_mut().enumerate() {
        if !c.is_valid(i) {
            mix(h, NULL);
            continue;
        }
        let v = match &c.data {
            ColumnData::Bool(v) => v[i] as u64,
            ColumnData::Char(v) => v[i] as u64,
            ColumnData::I16(v) => v[i] as i64 as u64,
            ColumnData::I32(v) => v[i] as i64 as u64,
            ColumnData::I64(v) => v[i] as u64,
            ColumnData::Oid(v) => v[i] as u64,
            ColumnData::F32(v) => float_bits(v[i] as f64),
            ColumnData::F64(v) => float_bits(v[i]),
            ColumnData::Interval(v) => interval_hash_key(v[i]) as u64,
            ColumnData::Numeric(v) => {
                let mut k = KeyHasher::default();
                v[i].hash_into(&mut k);
                k.finish()
            }
            ColumnData::Text(v) | ColumnData::Bytes(v) => {
                let mut k = KeyHasher::default();
                k.write(v.get(i));
                k.finish()
            }
            ColumnData::Datum(v) => {
                let mut k = KeyHasher::default();
                v[i].hash(&mut k);
                k.finish()
            }
        };
        mix(h, v);
    }
}

/// Per-row hashes of several key columns.
pub fn hash_rows(keys: &[Column], len: usize) -> Vec<u64> {
    let mut h = vec![0u64; len];
    for k in keys {
        hash_column(k, &mut h);
    }
    h
}

/// Whether key row `a` of `ka` equals row `b` of `kb` (NULLs equal when `nulls_equal`).
pub fn keys_equal(ka: &[Column], a: usize, kb: &[Column], b: usize, nulls_equal: bool) -> bool {
    for (x, y) in ka.iter().zip(kb) {
        let (vx, vy) = (x.is_valid(a), y.is_valid(b));
        if !vx || !vy {
            if nulls_equal && !vx && !vy {
                continue;
            }
            return false;
        }
        let eq = match (&x.data, &y.data) {
            (ColumnData::I32(p), ColumnData::I32(q)) => p[a] == q[b],
            (ColumnData::I64(p), ColumnData::I64(q)) => p[a] == q[b],
            (ColumnData::I16(p), ColumnData::I16(q)) => p[a] == q[b],
            (ColumnData::Oid(p), ColumnData::Oid(q)) => p[a] == q[b],
            (ColumnData::Text(p), ColumnData::Text(q)) | (ColumnData::Bytes(p), ColumnData::Bytes(q)) => p.get(a) == q.get(b),
            _ => x.datum(a).sql_eq(&y.datum(b)),
        };
        if !eq {
            return false;
        }
    }
    true
}

/// A row's key values, owned (for hash-table entries keyed by Datum).
pub fn key_datums(keys: &[Column], row: usize) -> Vec<Datum> {
    keys.iter().map(|k| k.datum(row)).collect()
}
