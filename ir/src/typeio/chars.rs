//! The character types: text, character varying(n), character(n), name
//! and `"char"` (varlena.c, varchar.c, name.c, char.c). Lengths in typmods
//! count characters; strings are UTF-8, so a character is a `char`.

use std::cmp::Ordering;

use super::{cstr, out_of_range};
use crate::error::{Error, Result, SqlState};
use crate::types::VARHDRSZ;

/// NAMEDATALEN: a name holds at most NAMEDATALEN - 1 bytes.
pub const NAMEDATALEN: usize = 64;

/// textin: the string itself.
pub fn textin(s: &str) -> String {
    cstr(s).to_string()
}

/// textout (also varchar, bpchar and name output): the string itself.
pub fn textout(s: &str) -> &str {
    s
}

/// pg_mbcharcliplen: the byte length of the first `chars` characters.
fn char_clip_len(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

/// pg_mbcliplen: the longest prefix of at most `bytes` bytes that does not
/// split a character.
fn byte_clip_len(s: &str, bytes: usize) -> usize {
    if s.len() <= bytes {
        return s.len();
    }
    let mut n = bytes;
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

fn too_long(type_name: &str, maxlen: usize) -> Error {
    Error::new(SqlState::STRING_DATA_RIGHT_TRUNCATION, format!("value too long for type {type_name}({maxlen})"))
}

/// Truncates `s` to `maxlen` characters; unless `explicit`, only trailing
/// spaces may be cut off (else 22001 "value too long for type ...").
fn clip(s: &str, maxlen: usize, explicit: bool, type_name: &str) -> Result<usize> {
    let cut = char_clip_len(s, maxlen);
    if !explicit && s.as_bytes()[cut..].iter().any(|&b| b != b' ') {
        return Err(too_long(type_name, maxlen));
    }
    Ok(cut)
}

/// The declared length of a character type typmod (None for -1).
fn typmod_len(typmod: i32) -> Option<usize> {
    (typmod >= VARHDRSZ).then(|| (typmod - VARHDRSZ) as usize)
}

/// Pads `s` (of `chars` characters) with spaces to `maxlen` characters.
fn pad(s: &str, chars: usize, maxlen: usize) -> String {
    let mut out = String::with_capacity(s.len() + maxlen.saturating_sub(chars));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', maxlen.saturating_sub(chars)));
    out
}

/// bpcharin (bpchar_input): pads to the declared length; a longer value
/// is an error unless the excess is all spaces, which is cut off.
pub fn bpcharin(s: &str, typmod: i32) -> Result<String> {
    bpchar(cstr(s), typmod, false)
}

/// The bpchar() length coercion (casts and assignments to character(n)):
/// like input, except that an explicit cast truncates silently.
pub fn bpchar(s: &str, typmod: i32, is_explicit: bool) -> Result<String> {
    let Some(maxlen) = typmod_len(typmod) else {
        return Ok(s.to_string());
    };
    let chars = s.chars().count();
    if chars > maxlen {
        let cut = clip(s, maxlen, is_explicit, "character")?;
        return Ok(s[..cut].to_string());
    }
    Ok(pad(s, chars, maxlen))
}

/// varcharin (varchar_input): a value longer than the declared length is
/// an error unless the excess is all spaces, which is cut off.
pub fn varcharin(s: &str, typmod: i32) -> Result<String> {
    varchar(cstr(s), typmod, false)
}

/// The varchar() length coercion: like input, except that an explicit cast
/// truncates silently.
pub fn varchar(s: &str, typmod: i32, is_explicit: bool) -> Result<String> {
    match typmod_len(typmod) {
        Some(maxlen) if s.len() > maxlen => {
            let cut = clip(s, maxlen, is_explicit, "character varying")?;
            Ok(s[..cut].to_string())
        }
        _ => Ok(s.to_string()),
    }
}

/// bpchartruelen: the byte length without trailing spaces (they are not
/// significant in character(n)).
pub fn bpchar_true_len(s: &str) -> usize {
    s.trim_end_matches(' ').len()
}

/// bpcharlen (`length(character)`): characters, not counting trailing
/// spaces.
pub fn bpchar_length(s: &str) -> usize {
    s.trim_end_matches(' ').chars().count()
}

/// bpcharcmp under the "C" collation: trailing spaces are ignored, the rest
/// compares bytewise.
pub fn bpchar_cmp(a: &str, b: &str) -> Ordering {
    a.trim_end_matches(' ').as_bytes().cmp(b.trim_end_matches(' ').as_bytes())
}

/// character(n) → text / varchar (rtrim1): trailing spaces removed.
pub fn bpchar_to_text(s: &str) -> &str {
    s.trim_end_matches(' ')
}

/// namein: truncated to NAMEDATALEN - 1 bytes without splitting a
/// character.
pub fn namein(s: &str) -> String {
    text_to_name(cstr(s)).to_string()
}

/// text / varchar → name (text_name): truncated like namein.
pub fn text_to_name(s: &str) -> &str {
    &s[..byte_clip_len(s, NAMEDATALEN - 1)]
}

/// character(n) → name (bpchar_name): truncated, then trailing spaces
/// removed.
pub fn bpchar_to_name(s: &str) -> &str {
    text_to_name(s).trim_end_matches(' ')
}

/// charin (`"char"` input): `\ooo` (exactly four bytes) is an octal byte;
/// otherwise the first byte of the string, or 0 for an empty string.
pub fn charin(s: &str) -> u8 {
    let b = cstr(s).as_bytes();
    let oct = |c: u8| (b'0'..=b'7').contains(&c);
    if b.len() == 4 && b[0] == b'\\' && oct(b[1]) && oct(b[2]) && oct(b[3]) {
        let v = (u32::from(b[1] - b'0') << 6) + (u32::from(b[2] - b'0') << 3) + u32::from(b[3] - b'0');
        return v as u8;
    }
    b.first().copied().unwrap_or(0)
}

/// charout: a byte with the high bit set prints as `\ooo`, 0 as the empty
/// string, anything else as itself.
pub fn charout(c: u8) -> String {
    if c >= 0x80 {
        format!("\\{}{}{}", c >> 6, (c >> 3) & 7, c & 7)
    } else if c == 0 {
        String::new()
    } else {
        (c as char).to_string()
    }
}

/// text → `"char"` (text_char): as charin.
pub fn text_to_char(s: &str) -> u8 {
    charin(s)
}

/// `"char"` → text (char_text): as charout.
pub fn char_to_text(c: u8) -> String {
    charout(c)
}

/// `"char"` → int4 (chartoi4): the byte as a signed value.
pub fn char_to_int4(c: u8) -> i32 {
    i32::from(c as i8)
}

/// int4 → `"char"` (i4tochar): -128 ..= 127, else `"char" out of range`.
pub fn int4_to_char(v: i32) -> Result<u8> {
    i8::try_from(v).map(|c| c as u8).map_err(|_| out_of_range("\"char\" out of range"))
}
