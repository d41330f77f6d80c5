//! uuid: uuid_in / uuid_out (uuid.c), on the 16 bytes of the value.

use super::{cstr, invalid_syntax};
use crate::error::Result;

/// uuid_in (string_to_uuid): 32 hex digits in either case, optionally in braces, with
/// a single optional hyphen after any group of four digits; nothing else,
/// not even whitespace.
pub fn uuid_in(s: &str) -> Result<[u8; 16]> {
    let s = cstr(s);
    let b = s.as_bytes();
    let err = || invalid_syntax("uuid", s);
    let mut i = 0;
    let braces = b.first() == Some(&b'{');
    if braces {
        i += 1;
    }
    let mut out = [0u8; 16];
    for (k, byte) in out.iter_mut().enumerate() {
        let (Some(&h), Some(&l)) = (b.get(i), b.get(i + 1)) else {
            return Err(err());
        };
        let (Some(h), Some(l)) = ((h as char).to_digit(16), (l as char).to_digit(16)) else {
            return Err(err());
        };
        *byte = (h * 16 + l) as u8;
        i += 2;
        if b.get(i) == Some(&b'-') && k % 2 == 1 && k < 15 {
            i += 1;
        }
    }
    if braces {
        if b.get(i) != Some(&b'}') {
            return Err(err());
        }
        i += 1;
    }
    if i != b.len() {
        return Err(err());
    }
    Ok(out)
}

/// uuid_out: 8-4-4-4-12 lower-case hex digits.
pub fn uuid_out(u: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, &byte) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(HEX[usize::from(byte >> 4)] as char);
        s.push(HEX[usize::from(byte & 0xf)] as char);
    }
    s
}
