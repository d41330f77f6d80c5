//! boolean: boolin / boolout (bool.c) and the casts to and from integer.

use super::{cstr, invalid_syntax, is_c_space};
use crate::error::Result;

/// pg_strncasecmp(value, word, n) == 0 where `value` is the trimmed input
/// (followed, as in C, by whatever came after it: `rest`).
fn prefix_eq(value: &[u8], rest: &[u8], word: &[u8], n: usize) -> bool {
    (0..n).all(|k| {
        let c = value.get(k).or_else(|| rest.get(k - value.len())).copied().unwrap_or(0);
        let w = word.get(k).copied().unwrap_or(0);
        c.to_ascii_lowercase() == w
    })
}

/// parse_bool_with_len: `true`/`false`/`yes`/`no` and any prefix of them,
/// `on`/`off` (at least two letters), `1`/`0`, case-insensitively.
/// `value` is already trimmed; `rest` is what followed it in the input.
fn parse_bool_with_len(value: &[u8], rest: &[u8]) -> Option<bool> {
    let len = value.len();
    let eq = |word: &[u8], n: usize| prefix_eq(value, rest, word, n);
    match value.first()? {
        b't' | b'T' => eq(b"true", len).then_some(true),
        b'f' | b'F' => eq(b"false", len).then_some(false),
        b'y' | b'Y' => eq(b"yes", len).then_some(true),
        b'n' | b'N' => eq(b"no", len).then_some(false),
        b'o' | b'O' => {
            if eq(b"on", len.max(2)) {
                Some(true)
            } else if eq(b"off", len.max(2)) {
                Some(false)
            } else {
                None
            }
        }
        b'1' => (len == 1).then_some(true),
        b'0' => (len == 1).then_some(false),
        _ => None,
    }
}

/// parse_bool: the GUC-style boolean parser (no whitespace trimming).
pub fn parse_bool(s: &str) -> Option<bool> {
    parse_bool_with_len(cstr(s).as_bytes(), &[])
}

/// boolin: parse_bool after trimming surrounding whitespace.
pub fn boolin(s: &str) -> Result<bool> {
    let s = cstr(s);
    let b = s.as_bytes();
    let start = b.iter().position(|&c| !is_c_space(c)).unwrap_or(b.len());
    let mut end = b.len();
    while end > start && is_c_space(b[end - 1]) {
        end -= 1;
    }
    parse_bool_with_len(&b[start..end], &b[end..]).ok_or_else(|| invalid_syntax("boolean", s))
}

/// boolout: `t` or `f`.
pub fn boolout(v: bool) -> &'static str {
    if v { "t" } else { "f" }
}

/// int4 → boolean (int4_bool): nonzero is true.
pub fn int4_to_bool(v: i32) -> bool {
    v != 0
}

/// boolean → int4 (bool_int4).
pub fn bool_to_int4(v: bool) -> i32 {
    i32::from(v)
}
