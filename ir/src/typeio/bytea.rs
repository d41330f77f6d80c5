//! bytea: byteain / byteaout (varlena.c, encode.c's hex codec).

use super::cstr;
use crate::error::{Error, Result, SqlState};

/// The `bytea_output` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ByteaOutput {
    /// `\x` followed by two lower-case hex digits per byte (the default).
    #[default]
    Hex,
    /// Printable ASCII as is, `\\` for a backslash, `\ooo` for the rest.
    Escape,
}

fn hex_digit(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// byteain: `\x` + hex pairs (whitespace allowed between pairs, not within
/// one), or the escape format (`\\` and `\ooo` with a first digit 0-3).
pub fn byteain(s: &str) -> Result<Vec<u8>> {
    let s = cstr(s);
    let b = s.as_bytes();
    if let Some(hex) = s.strip_prefix("\\x") {
        return hex_decode(hex);
    }
    let octal = |i: usize| {
        matches!(b.get(i + 1), Some(b'0'..=b'3')) && matches!(b.get(i + 2), Some(b'0'..=b'7')) && matches!(b.get(i + 3), Some(b'0'..=b'7'))
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
        } else if octal(i) {
            out.push(((b[i + 1] - b'0') << 6) | ((b[i + 2] - b'0') << 3) | (b[i + 3] - b'0'));
            i += 4;
        } else if b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else {
            return Err(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea"));
        }
    }
    Ok(out)
}

/// hex_decode: pairs of hex digits, skipping spaces, tabs and newlines
/// before a pair. A bad digit is quoted whole (the full UTF-8 character).
fn hex_decode(s: &str) -> Result<Vec<u8>> {
    let b = s.as_bytes();
    let bad = |i: usize| {
        let ch = s.get(i..).and_then(|r| r.chars().next()).map_or(String::new(), String::from);
        Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid hexadecimal digit: \"{ch}\""))
    };
    let mut out = Vec::with_capacity(b.len() / 2);
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b' ' | b'\n' | b'\t' | b'\r') {
            i += 1;
            continue;
        }
        let hi = hex_digit(b[i]).ok_or_else(|| bad(i))?;
        i += 1;
        if i >= b.len() {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"));
        }
        let lo = hex_digit(b[i]).ok_or_else(|| bad(i))?;
        i += 1;
        out.push((hi << 4) | lo);
    }
    Ok(out)
}

/// byteaout in the given `bytea_output` format.
pub fn byteaout(v: &[u8], format: ByteaOutput) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match format {
        ByteaOutput::Hex => {
            let mut s = String::with_capacity(2 + 2 * v.len());
            s.push_str("\\x");
            for &byte in v {
                s.push(HEX[usize::from(byte >> 4)] as char);
                s.push(HEX[usize::from(byte & 0xf)] as char);
            }
            s
        }
        ByteaOutput::Escape => {
            let mut s = String::with_capacity(v.len());
            for &byte in v {
                if byte == b'\\' {
                    s.push_str("\\\\");
                } else if !(0x20..=0x7e).contains(&byte) {
                    s.push('\\');
                    s.push((b'0' + (byte >> 6)) as char);
                    s.push((b'0' + ((byte >> 3) & 7)) as char);
                    s.push((b'0' + (byte & 7)) as char);
                } else {
                    s.push(byte as char);
                }
            }
            s
        }
    }
}
