//! Helpers compiled code calls: `extern "C"`, errors reported through an
//! [`OaStatus`] out-parameter, never unwinding. The interpreter uses the same
//! functions (the hash of hash joins and aggregation), so both backends agree.

use crate::exec::hash::{KeyHasher, float_bits, mix};
use std::hash::Hasher;

/// An error raised inside a helper: the SQLSTATE, or all zero for success.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OaStatus {
    pub sqlstate: [u8; 5],
}

impl OaStatus {
    pub fn is_ok(&self) -> bool {
        self.sqlstate == [0; 5]
    }
}

fn fail(status: *mut OaStatus, code: oa_ir::SqlState) {
    // SAFETY: callers pass a valid, writable OaStatus (or null, which is skipped).
    if let Some(s) = unsafe { status.as_mut() } {
        s.sqlstate = code.0;
    }
}

/// Folds one 64-bit key part into a row hash.
#[unsafe(no_mangle)]
pub extern "C" fn oa_hash_mix(h: u64, v: u64) -> u64 {
    let mut h = h;
    mix(&mut h, v);
    h
}

/// The key part of a float8: -0.0 and 0.0 alike, every NaN alike (SQL equality).
#[unsafe(no_mangle)]
pub extern "C" fn oa_hash_float8(v: f64) -> u64 {
    float_bits(v)
}

/// The key part of a text or bytea value.
///
/// # Safety
/// `ptr` must point to `len` readable bytes (or `len` must be 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn oa_hash_bytes(ptr: *const u8, len: usize) -> u64 {
    let bytes = if len == 0 || ptr.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(ptr, len) } };
    let mut k = KeyHasher::default();
    k.write(bytes);
    k.finish()
}

macro_rules! checked {
    ($name:ident, $t:ty, $op:ident, $code:ident) => {
        /// Overflow-checked arithmetic: on overflow sets 22003 and returns 0.
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(a: $t, b: $t, status: *mut OaStatus) -> $t {
            match a.$op(b) {
                Some(v) => v,
                None => {
                    fail(status, oa_ir::SqlState::$code);
                    0
                }
            }
        }
    };
}

checked!(oa_int4_add, i32, checked_add, NUMERIC_VALUE_OUT_OF_RANGE);
checked!(oa_int4_sub, i32, checked_sub, NUMERIC_VALUE_OUT_OF_RANGE);
checked!(oa_int4_mul, i32, checked_mul, NUMERIC_VALUE_OUT_OF_RANGE);
checked!(oa_int8_add, i64, checked_add, NUMERIC_VALUE_OUT_OF_RANGE);
checked!(oa_int8_sub, i64, checked_sub, NUMERIC_VALUE_OUT_OF_RANGE);
checked!(oa_int8_mul, i64, checked_mul, NUMERIC_VALUE_OUT_OF_RANGE);

/// int4 division: 22012 on a zero divisor, 22003 for INT_MIN / -1.
#[unsafe(no_mangle)]
pub extern "C" fn oa_int4_div(a: i32, b: i32, status: *mut OaStatus) -> i32 {
    if b == 0 {
        fail(status, oa_ir::SqlState::DIVISION_BY_ZERO);
        return 0;
    }
    match a.checked_div(b) {
        Some(v) => v,
        None => {
            fail(status, oa_ir::SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_sets_status_instead_of_unwinding() {
        let mut s = OaStatus::default();
        assert_eq!(oa_int4_add(i32::MAX, 1, &mut s), 0);
        assert_eq!(&s.sqlstate, b"22003");
        let mut s = OaStatus::default();
        assert_eq!(oa_int4_div(7, 0, &mut s), 0);
        assert_eq!(&s.sqlstate, b"22012");
        let mut s = OaStatus::default();
        assert_eq!(oa_int8_mul(3, 4, &mut s), 12);
        assert!(s.is_ok());
    }

    #[test]
    fn float_keys_follow_sql_equality() {
        assert_eq!(oa_hash_float8(-0.0), oa_hash_float8(0.0));
        assert_eq!(oa_hash_float8(f64::NAN), oa_hash_float8(-f64::NAN));
    }
}
