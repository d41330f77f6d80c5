//! PostgreSQL's built-in text functions (varlena.c, oracle_compat.c,
//! encode.c, quote.c, ruleutils.c's quote_identifier), each named after its
//! `pg_proc.prosrc`. Text is UTF-8 and every length or position counts
//! characters, as in a UTF8 database. Case mapping follows glibc's `C.UTF-8`
//! (the reference cluster's LC_CTYPE) through generated tables, so
//! `upper('é')` is `'É'` but `upper('ß')` stays `'ß'` (towupper is 1:1).

use oa_ir::{Error, Result, SqlState};

use super::casemap::{ALNUM_RANGES, TO_LOWER, TO_UPPER};

/// PostgreSQL's MaxAllocSize: no single value may reach 1 GB.
const MAX_ALLOC_SIZE: i64 = 0x3FFF_FFFF;
/// The varlena header that counts against MaxAllocSize.
const VARHDRSZ: i64 = 4;

fn requested_length_too_large() -> Error {
    Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, "requested length too large")
}

fn negative_substring_length() -> Error {
    Error::new(SqlState::SUBSTRING_ERROR, "negative substring length not allowed")
}

// ----- character classification and case ------------------------------------

fn lookup(table: &[(u32, u32)], c: char) -> char {
    match table.binary_search_by_key(&(c as u32), |&(from, _)| from) {
        Ok(i) => char::from_u32(table[i].1).unwrap_or(c),
        Err(_) => c,
    }
}

/// towupper in `C.UTF-8`.
pub fn char_toupper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    lookup(&TO_UPPER, c)
}

/// towlower in `C.UTF-8`.
pub fn char_tolower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    lookup(&TO_LOWER, c)
}

/// iswalnum in `C.UTF-8`: what initcap() treats as part of a word.
pub fn char_isalnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let cp = c as u32;
    let i = ALNUM_RANGES.partition_point(|&(lo, _)| lo <= cp);
    i > 0 && ALNUM_RANGES[i - 1].1 >= cp
}

/// `upper(text)`.
pub fn upper(s: &str) -> String {
    s.chars().map(char_toupper).collect()
}

/// `lower(text)`.
pub fn lower(s: &str) -> String {
    s.chars().map(char_tolower).collect()
}

/// `initcap(text)`: upper-cases a character that follows a non-alphanumeric
/// one and lower-cases the rest.
pub fn initcap(s: &str) -> String {
    let mut was_alnum = false;
    s.chars()
        .map(|c| {
            let m = if was_alnum { char_tolower(c) } else { char_toupper(c) };
            was_alnum = char_isalnum(m);
            m
        })
        .collect()
}

// ----- lengths -----------------------------------------------------------------

fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// `length(text)` / `char_length(text)`: characters.
pub fn textlen(s: &str) -> i32 {
    char_count(s) as i32
}

/// `octet_length(text)`: bytes.
pub fn textoctetlen(s: &str) -> i32 {
    s.len() as i32
}

/// `bit_length(text)`: bytes times 8.
pub fn bit_length(s: &str) -> i32 {
    (s.len() as i32).wrapping_mul(8)
}

/// `length(bpchar)`: trailing blanks are not significant in char(n).
pub fn bpcharlen(s: &str) -> i32 {
    char_count(s.trim_end_matches(' ')) as i32
}

/// `octet_length(bpchar)`: the stored bytes, padding included.
pub fn bpcharoctetlen(s: &str) -> i32 {
    s.len() as i32
}

// ----- substrings ----------------------------------------------------------------

/// Byte offset of the character with 0-based index `n` (or the end).
fn char_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// Characters `from..from+len` (0-based, clamped), `len` None for "to end".
fn char_slice(s: &str, from: usize, len: Option<usize>) -> &str {
    let start = char_offset(s, from);
    let rest = &s[start..];
    match len {
        None => rest,
        Some(l) => &rest[..char_offset(rest, l)],
    }
}

/// text_substring: `start` is 1-based and may be below 1, in which case
/// the characters "before" the string count against `len`.
fn text_substring(s: &str, start: i32, len: Option<i32>) -> Result<String> {
    let s1 = start.max(1);
    match len {
        None => Ok(char_slice(s, (s1 - 1) as usize, None).to_string()),
        Some(l) => {
            if l < 0 {
                return Err(negative_substring_length());
            }
            match start.checked_add(l) {
                // S + L overflowing means "to the end of the string".
                None => Ok(char_slice(s, (s1 - 1) as usize, None).to_string()),
                Some(e) if e < 1 => Ok(String::new()),
                Some(e) => Ok(char_slice(s, (s1 - 1) as usize, Some((e - s1) as usize)).to_string()),
            }
        }
    }
}

/// `substr(text, int, int)` / `substring(text FROM int FOR int)`.
pub fn text_substr(s: &str, start: i32, len: i32) -> Result<String> {
    text_substring(s, start, Some(len))
}

/// `substr(text, int)` / `substring(text FROM int)`.
pub fn text_substr_no_len(s: &str, start: i32) -> String {
    text_substring(s, start, None).unwrap_or_default()
}

/// `overlay(t1 PLACING t2 FROM sp FOR sl)`.
pub fn textoverlay(t1: &str, t2: &str, sp: i32, sl: i32) -> Result<String> {
    if sp <= 0 {
        return Err(negative_substring_length());
    }
    let sp_pl_sl = sp.checked_add(sl).ok_or_else(|| Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range"))?;
    let mut out = text_substring(t1, 1, Some(sp - 1))?;
    out.push_str(t2);
    out.push_str(&text_substring(t1, sp_pl_sl, None)?);
    Ok(out)
}

/// `overlay(t1 PLACING t2 FROM sp)`: replaces as many characters as t2 has.
pub fn textoverlay_no_len(t1: &str, t2: &str, sp: i32) -> Result<String> {
    textoverlay(t1, t2, sp, textlen(t2))
}

/// `position(sub IN s)` / `strpos(s, sub)`: 1-based character position, 0
/// when absent, 1 for an empty `sub`.
pub fn textpos(s: &str, sub: &str) -> i32 {
    match s.find(sub) {
        Some(b) => char_count(&s[..b]) as i32 + 1,
        None => 0,
    }
}

/// `left(s, n)`: negative `n` drops that many characters from the end.
pub fn text_left(s: &str, n: i32) -> String {
    if n >= 0 {
        char_slice(s, 0, Some(n as usize)).to_string()
    } else {
        let len = char_count(s) as i64;
        let keep = (len + n as i64).max(0) as usize;
        char_slice(s, 0, Some(keep)).to_string()
    }
}

/// `right(s, n)`: negative `n` drops that many characters from the start.
/// (`-n` wraps for INT_MIN as in C, giving the whole string.)
pub fn text_right(s: &str, n: i32) -> String {
    let len = char_count(s) as i64;
    let skip = if n < 0 { n.wrapping_neg() as i64 } else { len - n as i64 };
    char_slice(s, skip.clamp(0, len) as usize, None).to_string()
}

/// `starts_with(s, prefix)` / `^@`.
pub fn text_starts_with(s: &str, prefix: &str) -> bool {
    s.starts_with(prefix)
}

// ----- trimming and padding ---------------------------------------------------------

/// `btrim(s, chars)`: strips characters in `chars` from both ends.
pub fn btrim(s: &str, chars: &str) -> String {
    s.trim_matches(|c| chars.contains(c)).to_string()
}

/// `btrim(s)` / `trim(s)`: strips spaces (only ' ', not other whitespace).
pub fn btrim1(s: &str) -> String {
    s.trim_matches(' ').to_string()
}

/// `ltrim(s, chars)`.
pub fn ltrim(s: &str, chars: &str) -> String {
    s.trim_start_matches(|c| chars.contains(c)).to_string()
}

/// `ltrim(s)`.
pub fn ltrim1(s: &str) -> String {
    s.trim_start_matches(' ').to_string()
}

/// `rtrim(s, chars)`.
pub fn rtrim(s: &str, chars: &str) -> String {
    s.trim_end_matches(|c| chars.contains(c)).to_string()
}

/// `rtrim(s)`.
pub fn rtrim1(s: &str) -> String {
    s.trim_end_matches(' ').to_string()
}

/// lpad/rpad's target length: with nothing to pad with, only truncation is
/// left; the result is then sized for four bytes per character, which must
/// stay under MaxAllocSize.
fn pad_len<'a>(s: &'a str, len: i32, fill: &str) -> Result<(usize, &'a str)> {
    let len = len.max(0) as usize;
    let head = char_slice(s, 0, Some(len));
    let len = if fill.is_empty() { char_count(head) } else { len };
    if 4 * len as i64 + VARHDRSZ > MAX_ALLOC_SIZE {
        return Err(requested_length_too_large());
    }
    Ok((len, head))
}

/// `lpad(s, len, fill)`: pads on the left by cycling `fill`, or truncates
/// to `len` characters; an empty `fill` only truncates.
pub fn lpad(s: &str, len: i32, fill: &str) -> Result<String> {
    let (len, head) = pad_len(s, len, fill)?;
    let have = char_count(head);
    let mut out = String::with_capacity(len);
    out.extend(fill.chars().cycle().take(len - have));
    out.push_str(head);
    Ok(out)
}

/// `rpad(s, len, fill)`.
pub fn rpad(s: &str, len: i32, fill: &str) -> Result<String> {
    let (len, head) = pad_len(s, len, fill)?;
    let have = char_count(head);
    let mut out = String::with_capacity(len);
    out.push_str(head);
    out.extend(fill.chars().cycle().take(len - have));
    Ok(out)
}

/// `lpad(s, len)`: pads with spaces (an SQL function over the 3-arg form).
pub fn lpad1(s: &str, len: i32) -> Result<String> {
    lpad(s, len, " ")
}

/// `rpad(s, len)`.
pub fn rpad1(s: &str, len: i32) -> Result<String> {
    rpad(s, len, " ")
}

/// `repeat(s, n)`: empty for n <= 0.
pub fn repeat(s: &str, n: i32) -> Result<String> {
    let n = n.max(0);
    if n as i64 * s.len() as i64 + VARHDRSZ > MAX_ALLOC_SIZE {
        return Err(requested_length_too_large());
    }
    Ok(s.repeat(n as usize))
}

// ----- rearranging ------------------------------------------------------------------

/// `reverse(text)`: by characters.
pub fn text_reverse(s: &str) -> String {
    s.chars().rev().collect()
}

/// `replace(s, from, to)`: every non-overlapping occurrence, left to right;
/// an empty `from` changes nothing.
pub fn replace_text(s: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return s.to_string();
    }
    s.replace(from, to)
}

/// `split_part(s, delim, n)`: the n-th field (negative counts from the end).
pub fn split_part(s: &str, delim: &str, n: i32) -> Result<String> {
    if n == 0 {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "field position must not be zero"));
    }
    if s.is_empty() {
        return Ok(String::new());
    }
    if delim.is_empty() {
        // The whole string is the only field.
        return Ok(if n == 1 || n == -1 { s.to_string() } else { String::new() });
    }
    let fields: Vec<&str> = s.split(delim).collect();
    let idx = if n > 0 { n as i64 - 1 } else { fields.len() as i64 + n as i64 };
    Ok(if idx >= 0 && (idx as usize) < fields.len() { fields[idx as usize].to_string() } else { String::new() })
}

/// `translate(s, from, to)`: each character found in `from` becomes the
/// character at the same position in `to`, or is deleted if `to` is shorter.
pub fn translate(s: &str, from: &str, to: &str) -> String {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    s.chars()
        .filter_map(|c| match from.iter().position(|&f| f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

// ----- characters ---------------------------------------------------------------------

/// `ascii(text)`: the first character's code point (0 for '').
pub fn ascii(s: &str) -> i32 {
    s.chars().next().map_or(0, |c| c as i32)
}

/// `chr(int)`: the character with that code point.
pub fn chr(n: i32) -> Result<String> {
    if n < 0 {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "character number must be positive"));
    }
    if n == 0 {
        return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, "null character not permitted"));
    }
    if n > 0x10FFFF {
        return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("requested character too large for encoding: {n}")));
    }
    match char::from_u32(n as u32) {
        Some(c) => Ok(c.to_string()),
        None => Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("requested character not valid for encoding: {n}"))),
    }
}

// ----- concatenation --------------------------------------------------------------------

/// `text || text`.
pub fn textcat(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

/// `concat(VARIADIC "any")`: NULLs are skipped. The caller passes each
/// argument already converted to its text output.
pub fn text_concat(args: &[Option<&str>]) -> String {
    args.iter().flatten().copied().collect()
}

/// `concat_ws(sep, VARIADIC "any")`: NULL separator gives NULL; NULL
/// arguments are skipped (no doubled separator).
pub fn text_concat_ws(sep: Option<&str>, args: &[Option<&str>]) -> Option<String> {
    let sep = sep?;
    let parts: Vec<&str> = args.iter().flatten().copied().collect();
    Some(parts.join(sep))
}

// ----- arrays of text ---------------------------------------------------------------------

/// `string_to_array(s, delim)`: a NULL delimiter splits into characters, an
/// empty one yields the whole string; '' yields an empty array.
pub fn text_to_array(s: &str, delim: Option<&str>) -> Vec<Option<String>> {
    text_to_array_null(s, delim, None)
}

/// `string_to_array(s, delim, null_string)`: fields equal to `null_string`
/// become NULL.
pub fn text_to_array_null(s: &str, delim: Option<&str>, null_string: Option<&str>) -> Vec<Option<String>> {
    if s.is_empty() {
        return Vec::new();
    }
    let field = |f: &str| {
        if null_string == Some(f) { None } else { Some(f.to_string()) }
    };
    match delim {
        None => s.char_indices().map(|(i, c)| field(&s[i..i + c.len_utf8()])).collect(),
        Some("") => vec![field(s)],
        Some(d) => s.split(d).map(field).collect(),
    }
}

/// `string_to_table(s, delim)`: the rows string_to_array would hold.
pub fn text_to_table(s: &str, delim: Option<&str>) -> Vec<Option<String>> {
    text_to_array(s, delim)
}

/// `string_to_table(s, delim, null_string)`.
pub fn text_to_table_null(s: &str, delim: Option<&str>, null_string: Option<&str>) -> Vec<Option<String>> {
    text_to_array_null(s, delim, null_string)
}

/// `array_to_string(arr, delim)`: elements (already as text, in row-major
/// order) joined; NULL elements are skipped.
pub fn array_to_text(elems: &[Option<String>], delim: &str) -> String {
    array_to_text_null(elems, delim, None)
}

/// `array_to_string(arr, delim, null_string)`: NULL elements print as
/// `null_string` (skipped if that is NULL too).
pub fn array_to_text_null(elems: &[Option<String>], delim: &str, null_string: Option<&str>) -> String {
    let mut out = String::new();
    let mut first = true;
    for e in elems {
        let v = match (e, null_string) {
            (Some(v), _) => v.as_str(),
            (None, Some(n)) => n,
            (None, None) => continue,
        };
        if !first {
            out.push_str(delim);
        }
        out.push_str(v);
        first = false;
    }
    out
}

// ----- quoting ------------------------------------------------------------------------------

/// `quote_ident(text)`: ruleutils.c's quote_identifier — quotes unless the
/// name is lower-case ASCII letters, digits and `_` (not starting with a
/// digit) and not a reserved-ish keyword.
pub fn quote_ident(s: &str) -> String {
    oa_ir::typeio::quote_identifier(s)
}

/// `quote_literal(text)`: doubles quotes; a backslash anywhere switches to
/// the `E'...'` form with doubled backslashes.
pub fn quote_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    if s.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `quote_nullable(text)`: `NULL` for NULL, else quote_literal.
pub fn quote_nullable(s: Option<&str>) -> String {
    match s {
        Some(s) => quote_literal(s),
        None => "NULL".to_string(),
    }
}

// ----- numbers as text ------------------------------------------------------------------------

/// `to_hex(int4)`: two's complement for negatives.
pub fn to_hex32(v: i32) -> String {
    format!("{:x}", v as u32)
}

/// `to_hex(int8)`.
pub fn to_hex64(v: i64) -> String {
    format!("{:x}", v as u64)
}

// ----- format() -----------------------------------------------------------------------------------

fn format_error(msg: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, msg)
}

fn unterminated_format() -> Error {
    format_error("unterminated format() type specifier").with_hint("For a single \"%\" use \"%%\".")
}

/// Parses PostgreSQL's pg_strtoint32 input: optional blanks and sign,
/// decimal digits, optional trailing blanks.
fn pg_strtoint32(s: &str) -> Result<i32> {
    let invalid = || Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("invalid input syntax for type integer: \"{s}\""));
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut acc: i64 = 0;
    let mut overflow = false;
    while i < b.len() && b[i].is_ascii_digit() {
        acc = acc * 10 + (b[i] - b'0') as i64;
        if acc > 1 << 31 {
            overflow = true;
            acc = 1 << 31;
        }
        i += 1;
    }
    if i == start {
        return Err(invalid());
    }
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    if i != b.len() {
        return Err(invalid());
    }
    let v = if neg { -acc } else { acc };
    if overflow || v > i32::MAX as i64 || v < i32::MIN as i64 {
        return Err(Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, format!("value \"{s}\" is out of range for type integer")));
    }
    Ok(v as i32)
}

struct FormatSpec {
    argpos: i32,
    widthpos: i32,
    minus: bool,
    width: i32,
}

/// A cursor over the format string's bytes with varlena.c's
/// ADVANCE_PARSE_POINTER (running off the end is an error).
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn cur(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    fn advance(&mut self) -> Result<()> {
        self.i += 1;
        if self.i >= self.b.len() {
            return Err(unterminated_format());
        }
        Ok(())
    }

    fn parse_digits(&mut self) -> Result<Option<i32>> {
        let mut found = false;
        let mut val: i32 = 0;
        while self.cur().is_ascii_digit() {
            let d = (self.cur() - b'0') as i32;
            val = val
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .ok_or_else(|| Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "number is out of range"))?;
            self.advance()?;
            found = true;
        }
        Ok(if found { Some(val) } else { None })
    }

    fn parse_format(&mut self) -> Result<FormatSpec> {
        let mut spec = FormatSpec { argpos: -1, widthpos: -1, minus: false, width: 0 };
        let arg_zero = || format_error("format specifies argument 0, but arguments are numbered from 1");
        if let Some(n) = self.parse_digits()? {
            if self.cur() != b'$' {
                spec.width = n;
                return Ok(spec);
            }
            spec.argpos = n;
            if n == 0 {
                return Err(arg_zero());
            }
            self.advance()?;
        }
        while self.cur() == b'-' {
            spec.minus = true;
            self.advance()?;
        }
        if self.cur() == b'*' {
            self.advance()?;
            if let Some(n) = self.parse_digits()? {
                if self.cur() != b'$' {
                    return Err(format_error("width argument position must be ended by \"$\""));
                }
                spec.widthpos = n;
                if n == 0 {
                    return Err(arg_zero());
                }
                self.advance()?;
            } else {
                spec.widthpos = 0;
            }
        } else if let Some(n) = self.parse_digits()? {
            spec.width = n;
        }
        Ok(spec)
    }
}

/// StringInfo's growth limit, reported as PostgreSQL does.
fn check_enlarge(cur: usize, more: usize) -> Result<()> {
    if more as i64 >= MAX_ALLOC_SIZE - cur as i64 {
        return Err(Error::new(SqlState::OUT_OF_MEMORY, "out of memory")
            .with_detail(format!("Cannot enlarge string buffer containing {cur} bytes by {more} more bytes.")));
    }
    Ok(())
}

fn append_padded(buf: &mut String, s: &str, minus: bool, width: i32) -> Result<()> {
    if width == 0 {
        check_enlarge(buf.len(), s.len())?;
        buf.push_str(s);
        return Ok(());
    }
    let (left, width) = if width < 0 {
        if width == i32::MIN {
            return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, "number is out of range"));
        }
        (true, -width)
    } else {
        (minus, width)
    };
    let len = char_count(s) as i64;
    let pad = (width as i64 - len).max(0) as usize;
    if left {
        check_enlarge(buf.len(), s.len())?;
        buf.push_str(s);
        if pad > 0 {
            check_enlarge(buf.len(), pad)?;
            buf.extend(std::iter::repeat_n(' ', pad));
        }
    } else {
        if pad > 0 {
            check_enlarge(buf.len(), pad)?;
            buf.extend(std::iter::repeat_n(' ', pad));
        }
        check_enlarge(buf.len(), s.len())?;
        buf.push_str(s);
    }
    Ok(())
}

/// `format(fmt, VARIADIC "any")`: `%s`, `%I` (quote_ident), `%L`
/// (quote_nullable), `%%`, positions `%n$`, widths `%-10s`, `%*s`, `%*n$s`.
/// Arguments arrive as their text output (None for NULL); a `*` width
/// argument is parsed as an integer from that text.
pub fn text_format(fmt: &str, args: &[Option<&str>]) -> Result<String> {
    let nargs = args.len() + 1;
    let mut arg = 1usize;
    let mut out = String::with_capacity(fmt.len());
    let mut cur = Cursor { b: fmt.as_bytes(), i: 0 };
    let mut lit_start = 0;
    while cur.i < cur.b.len() {
        if cur.b[cur.i] != b'%' {
            cur.i += 1;
            continue;
        }
        check_enlarge(out.len(), cur.i - lit_start)?;
        out.push_str(&fmt[lit_start..cur.i]);
        cur.advance()?;
        if cur.cur() == b'%' {
            out.push('%');
            cur.i += 1;
            lit_start = cur.i;
            continue;
        }
        let spec = cur.parse_format()?;
        let conv = cur.cur();
        if !matches!(conv, b's' | b'I' | b'L') {
            // Report the whole (multibyte) character, as pg_mblen does.
            let rest = &fmt[cur.i..];
            let ch: String = rest.chars().next().map(String::from).unwrap_or_default();
            return Err(format_error(&format!("unrecognized format() type specifier \"{ch}\"")).with_hint("For a single \"%\" use \"%%\"."));
        }
        let mut width = spec.width;
        if spec.widthpos >= 0 {
            if spec.widthpos > 0 {
                arg = spec.widthpos as usize;
            }
            if arg >= nargs {
                return Err(format_error("too few arguments for format()"));
            }
            width = match args[arg - 1] {
                None => 0,
                Some(t) => pg_strtoint32(t)?,
            };
            arg += 1;
        }
        if spec.argpos > 0 {
            arg = spec.argpos as usize;
        }
        if arg >= nargs {
            return Err(format_error("too few arguments for format()"));
        }
        let value = args[arg - 1];
        arg += 1;
        match (conv, value) {
            (b's', None) => append_padded(&mut out, "", spec.minus, width)?,
            (b'L', None) => append_padded(&mut out, "NULL", spec.minus, width)?,
            (_, None) => {
                return Err(Error::new(SqlState::NULL_VALUE_NOT_ALLOWED, "null values cannot be formatted as an SQL identifier"));
            }
            (b'I', Some(v)) => append_padded(&mut out, &quote_ident(v), spec.minus, width)?,
            (b'L', Some(v)) => append_padded(&mut out, &quote_literal(v), spec.minus, width)?,
            (_, Some(v)) => append_padded(&mut out, v, spec.minus, width)?,
        }
        cur.i += 1;
        lit_start = cur.i;
    }
    check_enlarge(out.len(), fmt.len() - lit_start)?;
    out.push_str(&fmt[lit_start..]);
    if out.len() as i64 + VARHDRSZ > MAX_ALLOC_SIZE {
        return Err(Error::internal(format!("invalid memory alloc request size {}", out.len() as i64 + VARHDRSZ)));
    }
    Ok(out)
}

/// `format(fmt)`: no arguments.
pub fn text_format_nv(fmt: &str) -> Result<String> {
    text_format(fmt, &[])
}

// ----- encode / decode -------------------------------------------------------------------------------

fn unrecognized_encoding(name: &str) -> Error {
    Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("unrecognized encoding: \"{name}\""))
}

/// The first character at byte `i` of `data`, for error messages (pg_mblen).
fn mbchar_at(data: &[u8], i: usize) -> String {
    let len = match data[i] {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        b if b >= 0xC0 => 2,
        _ => 1,
    };
    String::from_utf8_lossy(&data[i..(i + len).min(data.len())]).into_owned()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len() * 4 / 3 + src.len() / 57 + 4);
    let mut line = 0usize;
    let mut chunks = src.chunks_exact(3);
    for c in chunks.by_ref() {
        let buf = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        for shift in [18, 12, 6, 0] {
            out.push(B64[((buf >> shift) & 0x3f) as usize] as char);
        }
        line += 4;
        // encode.c breaks lines after 76 output characters, even at the end.
        if line >= 76 {
            out.push('\n');
            line = 0;
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let buf = (rest[0] as u32) << 16 | rest.get(1).map_or(0, |&b| (b as u32) << 8);
        out.push(B64[((buf >> 18) & 0x3f) as usize] as char);
        out.push(B64[((buf >> 12) & 0x3f) as usize] as char);
        out.push(if rest.len() == 2 { B64[((buf >> 6) & 0x3f) as usize] as char } else { '=' });
        out.push('=');
    }
    out
}

fn b64_decode(src: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(src.len() * 3 / 4);
    let mut buf: u32 = 0;
    let mut pos = 0;
    let mut end = 0;
    for (i, &c) in src.iter().enumerate() {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        }
        let b: u32 = if c == b'=' {
            if end == 0 {
                end = match pos {
                    2 => 1,
                    3 => 2,
                    _ => {
                        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "unexpected \"=\" while decoding base64 sequence"));
                    }
                };
            }
            0
        } else {
            match B64.iter().position(|&x| x == c) {
                Some(v) => v as u32,
                None => {
                    return Err(Error::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!("invalid symbol \"{}\" found while decoding base64 sequence", mbchar_at(src, i)),
                    ));
                }
            }
        };
        buf = (buf << 6) + b;
        pos += 1;
        if pos == 4 {
            out.push((buf >> 16) as u8);
            if end == 0 || end > 1 {
                out.push((buf >> 8) as u8);
            }
            if end == 0 || end > 2 {
                out.push(buf as u8);
            }
            buf = 0;
            pos = 0;
        }
    }
    if pos != 0 {
        return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "invalid base64 end sequence")
            .with_hint("Input data is missing padding, is truncated, or is otherwise corrupted."));
    }
    Ok(out)
}

fn hex_encode(src: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(src.len() * 2);
    for &b in src {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

fn hex_decode(src: &[u8]) -> Result<Vec<u8>> {
    let digit = |i: usize| -> Result<u8> {
        let c = src[i];
        match (c as char).to_digit(16) {
            Some(d) if c < 127 => Ok(d as u8),
            _ => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid hexadecimal digit: \"{}\"", mbchar_at(src, i)))),
        }
    };
    let mut out = Vec::with_capacity(src.len() / 2);
    let mut i = 0;
    while i < src.len() {
        if matches!(src[i], b' ' | b'\n' | b'\t' | b'\r') {
            i += 1;
            continue;
        }
        let hi = digit(i)?;
        i += 1;
        if i >= src.len() {
            return Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"));
        }
        let lo = digit(i)?;
        i += 1;
        out.push(hi << 4 | lo);
    }
    Ok(out)
}

fn escape_encode(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len());
    for &b in src {
        if b == 0 || b >= 0x80 {
            out.push('\\');
            out.push((b'0' + (b >> 6)) as char);
            out.push((b'0' + ((b >> 3) & 7)) as char);
            out.push((b'0' + (b & 7)) as char);
        } else if b == b'\\' {
            out.push_str("\\\\");
        } else {
            out.push(b as char);
        }
    }
    out
}

fn escape_decode(src: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        if src[i] != b'\\' {
            out.push(src[i]);
            i += 1;
        } else if i + 3 < src.len()
            && (b'0'..=b'3').contains(&src[i + 1])
            && (b'0'..=b'7').contains(&src[i + 2])
            && (b'0'..=b'7').contains(&src[i + 3])
        {
            out.push((src[i + 1] - b'0') << 6 | (src[i + 2] - b'0') << 3 | (src[i + 3] - b'0'));
            i += 4;
        } else if i + 1 < src.len() && src[i + 1] == b'\\' {
            out.push(b'\\');
            i += 2;
        } else {
            return Err(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type bytea"));
        }
    }
    Ok(out)
}

/// `encode(bytea, format)`: `base64` (76-character lines), `hex`, `escape`;
/// the format name is case-insensitive.
pub fn binary_encode(data: &[u8], format: &str) -> Result<String> {
    match format.to_ascii_lowercase().as_str() {
        "base64" => Ok(b64_encode(data)),
        "hex" => Ok(hex_encode(data)),
        "escape" => Ok(escape_encode(data)),
        _ => Err(unrecognized_encoding(format)),
    }
}

/// `decode(text, format)`: the inverse of encode; whitespace is skipped in
/// hex and base64.
pub fn binary_decode(s: &str, format: &str) -> Result<Vec<u8>> {
    match format.to_ascii_lowercase().as_str() {
        "base64" => b64_decode(s.as_bytes()),
        "hex" => hex_decode(s.as_bytes()),
        "escape" => escape_decode(s.as_bytes()),
        _ => Err(unrecognized_encoding(format)),
    }
}

// ----- bytea -----------------------------------------------------------------------------------

/// `substring(bytea FROM int FOR int)` (bytea_substr): as for text, but by bytes.
pub fn bytea_substr(b: &[u8], start: i32, len: Option<i32>) -> Result<Vec<u8>> {
    let s1 = start.max(1) as usize - 1;
    let end = match len {
        None => b.len(),
        Some(l) if l < 0 => return Err(negative_substring_length()),
        // S + L overflowing means "to the end".
        Some(l) => match start.checked_add(l) {
            None => b.len(),
            Some(e) if e < 1 => return Ok(Vec::new()),
            Some(e) => (e as usize - 1).min(b.len()),
        },
    };
    Ok(b.get(s1.min(b.len())..end.max(s1.min(b.len()))).unwrap_or_default().to_vec())
}

/// `position(bytea IN bytea)` (byteapos): 1-based, 0 when absent, 1 for an empty needle.
pub fn byteapos(haystack: &[u8], needle: &[u8]) -> i32 {
    if needle.is_empty() {
        return 1;
    }
    haystack.windows(needle.len()).position(|w| w == needle).map_or(0, |p| p as i32 + 1)
}

fn byte_index(b: &[u8], n: i32) -> Result<usize> {
    if n < 0 || n as usize >= b.len() {
        return Err(Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, format!("index {n} out of valid range, 0..{}", b.len() as i64 - 1)));
    }
    Ok(n as usize)
}

/// `get_byte(bytea, int)` (byteaGetByte).
pub fn bytea_get_byte(b: &[u8], n: i32) -> Result<i32> {
    Ok(b[byte_index(b, n)?] as i32)
}

/// `set_byte(bytea, int, int)` (byteaSetByte): the new value's low 8 bits.
pub fn bytea_set_byte(b: &[u8], n: i32, value: i32) -> Result<Vec<u8>> {
    let i = byte_index(b, n)?;
    let mut out = b.to_vec();
    out[i] = value as u8;
    Ok(out)
}

/// `overlay(bytea PLACING bytea FROM int [FOR int])` (byteaoverlay): FOR
/// defaults to the replacement's length.
pub fn bytea_overlay(t1: &[u8], t2: &[u8], sp: i32, sl: Option<i32>) -> Result<Vec<u8>> {
    let sl = sl.unwrap_or(t2.len() as i32);
    if sp <= 0 {
        return Err(negative_substring_length());
    }
    let sp_pl_sl = sp.checked_add(sl).ok_or_else(|| Error::new(SqlState::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range"))?;
    let mut out = bytea_substr(t1, 1, Some(sp - 1))?;
    out.extend_from_slice(t2);
    out.extend(bytea_substr(t1, sp_pl_sl, None)?);
    Ok(out)
}

/// `btrim`/`ltrim`/`rtrim` on bytea: removes bytes found in `set` from the chosen ends.
pub fn bytea_trim(b: &[u8], set: &[u8], left: bool, right: bool) -> Vec<u8> {
    let mut start = 0;
    let mut end = b.len();
    if left {
        while start < end && set.contains(&b[start]) {
            start += 1;
        }
    }
    if right {
        while end > start && set.contains(&b[end - 1]) {
            end -= 1;
        }
    }
    b[start..end].to_vec()
}

/// The server encodings `convert_to`/`convert_from` handle: the database's
/// (UTF8), SQL_ASCII (bytes as they are) and LATIN1.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Encoding {
    Utf8,
    SqlAscii,
    Latin1,
}

/// pg_char_to_encoding: names compare ignoring case and non-alphanumerics.
fn encoding_by_name(name: &str) -> Option<std::result::Result<Encoding, ()>> {
    let clean: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    Some(match clean.as_str() {
        "utf8" | "unicode" => Ok(Encoding::Utf8),
        "sqlascii" => Ok(Encoding::SqlAscii),
        "latin1" | "iso88591" => Ok(Encoding::Latin1),
        "big5" | "euccn" | "eucjis2004" | "eucjp" | "euckr" | "euctw" | "gb18030" | "gbk" | "iso88595" | "iso88596" | "iso88597" | "iso88598"
        | "johab" | "koi8r" | "koi8u" | "latin2" | "latin3" | "latin4" | "latin5" | "latin6" | "latin7" | "latin8" | "latin9" | "latin10"
        | "mulecinternal" | "sjis" | "shiftjis2004" | "uhc" | "win866" | "win874" | "win1250" | "win1251" | "win1252" | "win1253" | "win1254"
        | "win1255" | "win1256" | "win1257" | "win1258" | "iso885910" | "iso885913" | "iso885914" | "iso885915" | "iso885916" | "cp866" | "cp874"
        | "cp1250" | "cp1251" | "cp1252" | "cp1253" | "cp1254" | "cp1255" | "cp1256" | "cp1257" | "cp1258" | "alt" | "koi8" | "win" | "tcvn"
        | "tcvn5712" | "vscii" | "abc" | "mskanji" | "shiftjis" | "windows932" | "windows936" | "windows949" | "windows950" => Err(()),
        _ => return None,
    })
}

fn encoding_arg(name: &str, what: &str) -> Result<Encoding> {
    match encoding_by_name(name) {
        Some(Ok(e)) => Ok(e),
        Some(Err(())) => Err(Error::feature_not_supported(format!("conversion to or from encoding \"{name}\" is not supported yet"))),
        None => Err(Error::new(SqlState::INVALID_PARAMETER_VALUE, format!("invalid {what} encoding name \"{name}\""))),
    }
}

/// `convert_to(text, name)` (pg_convert_to): the string's bytes in an encoding.
pub fn convert_to(s: &str, encoding: &str) -> Result<Vec<u8>> {
    match encoding_arg(encoding, "destination")? {
        Encoding::Utf8 | Encoding::SqlAscii => Ok(s.as_bytes().to_vec()),
        Encoding::Latin1 => s
            .chars()
            .map(|c| {
                u8::try_from(u32::from(c)).map_err(|_| {
                    let mut buf = [0u8; 4];
                    let seq: Vec<String> = c.encode_utf8(&mut buf).bytes().map(|b| format!("0x{b:02x}")).collect();
                    Error::new(
                        SqlState::UNTRANSLATABLE_CHARACTER,
                        format!("character with byte sequence {} in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"", seq.join(" ")),
                    )
                })
            })
            .collect(),
    }
}

/// `convert_from(bytea, name)` (pg_convert_from): bytes in an encoding as text,
/// validated as the database encoding requires.
pub fn convert_from(b: &[u8], encoding: &str) -> Result<String> {
    match encoding_arg(encoding, "source")? {
        Encoding::Utf8 | Encoding::SqlAscii => match std::str::from_utf8(b) {
            Ok(s) if !s.contains('\0') => Ok(s.to_string()),
            Ok(s) => Err(invalid_utf8(&b[s.find('\0').unwrap_or(0)..])),
            Err(e) => Err(invalid_utf8(&b[e.valid_up_to()..])),
        },
        Encoding::Latin1 => match b.iter().position(|c| *c == 0) {
            Some(_) => Err(Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, "invalid byte sequence for encoding \"LATIN1\": 0x00")),
            None => Ok(b.iter().map(|c| char::from(*c)).collect()),
        },
    }
}

/// report_invalid_encoding: the offending bytes (up to the sequence's length).
fn invalid_utf8(rest: &[u8]) -> Error {
    let first = rest.first().copied().unwrap_or(0);
    let want = match first {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    };
    let shown: Vec<String> = rest.iter().take(want.min(rest.len()).max(1)).map(|b| format!("0x{b:02x}")).collect();
    Error::new(SqlState::CHARACTER_NOT_IN_REPERTOIRE, format!("invalid byte sequence for encoding \"UTF8\": {}", shown.join(" ")))
}

// ----- md5 --------------------------------------------------------------------------------------------

/// RFC 1321 MD5, small enough to carry here rather than add a crate.
fn md5_digest(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16,
        23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1,
        0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453,
        0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942,
        0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
        0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d,
        0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ];
    let mut h: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for block in msg.chunks_exact(64) {
        let m: Vec<u32> = block.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let (mut a, mut b, mut c, mut d) = (h[0], h[1], h[2], h[3]);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(K[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(b);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, w) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// `md5(text)`: lower-case hex digest of the UTF-8 bytes.
pub fn md5_text(s: &str) -> String {
    hex_encode(&md5_digest(s.as_bytes()))
}

/// `md5(bytea)`.
pub fn md5_bytea(data: &[u8]) -> String {
    hex_encode(&md5_digest(data))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{Case, Got, arrenc, check, ok, res};
    use super::*;

    /// bytea's text output (hex format).
    fn bytea_out(b: &[u8]) -> String {
        format!("\\x{}", hex_encode(b))
    }

    /// bytea's escape-format input, which the recorder used for arguments.
    fn bytea_in(s: &str) -> Vec<u8> {
        escape_decode(s.as_bytes()).expect("bytea literal")
    }

    #[test]
    fn bytea_functions() {
        assert_eq!(bytea_substr(&[1, 2, 3, 4, 5], 2, Some(3)).unwrap(), vec![2, 3, 4]);
        assert_eq!(bytea_substr(&[1, 2, 3], -1, Some(3)).unwrap(), vec![1]);
        assert_eq!(bytea_substr(&[1, 2, 3], 5, None).unwrap(), Vec::<u8>::new());
        assert_eq!(bytea_substr(&[1, 2, 3], 2, Some(i32::MAX)).unwrap(), vec![2, 3]);
        assert!(bytea_substr(&[1], 1, Some(-1)).is_err());
        assert_eq!(byteapos(&[1, 2, 3, 4, 5], &[3]), 3);
        assert_eq!(byteapos(&[1, 2], &[9]), 0);
        assert_eq!(bytea_get_byte(&[1, 2, 255], 2).unwrap(), 255);
        assert_eq!(bytea_get_byte(&[1], 5).unwrap_err().message, "index 5 out of valid range, 0..0");
        assert_eq!(bytea_get_byte(&[], 0).unwrap_err().message, "index 0 out of valid range, 0..-1");
        assert_eq!(bytea_set_byte(&[1, 2, 3], 0, 511).unwrap(), vec![255, 2, 3]);
        assert_eq!(bytea_overlay(&[1, 2, 3, 4], &[9, 9], 2, None).unwrap(), vec![1, 9, 9, 4]);
        assert_eq!(bytea_overlay(&[1, 2, 3, 4], &[9], 2, Some(0)).unwrap(), vec![1, 9, 2, 3, 4]);
        assert_eq!(bytea_trim(&[0, 1, 0, 2, 0], &[0], true, true), vec![1, 0, 2]);
        assert_eq!(bytea_trim(&[0, 1, 0], &[0], false, true), vec![0, 1]);
    }

    #[test]
    fn encodings() {
        assert_eq!(convert_to("é", "UTF8").unwrap(), vec![0xc3, 0xa9]);
        assert_eq!(convert_to("é", "utf-8").unwrap(), vec![0xc3, 0xa9]);
        assert_eq!(convert_to("é", "LATIN1").unwrap(), vec![0xe9]);
        assert_eq!(convert_to("a", "FOO").unwrap_err().message, "invalid destination encoding name \"FOO\"");
        assert_eq!(convert_from(&[0xc3, 0xa9], "UTF8").unwrap(), "é");
        assert_eq!(convert_from(&[0xe9], "LATIN1").unwrap(), "é");
        assert_eq!(convert_from(&[0xff], "UTF8").unwrap_err().message, "invalid byte sequence for encoding \"UTF8\": 0xff");
    }

    fn eval(c: &Case) -> Option<Result<Option<Got>>> {
        Some(match c.func.as_str() {
            "textlen" => return ok(textlen(c.s(0))),
            "textoctetlen" => return ok(textoctetlen(c.s(0))),
            "bit_length" => return ok(bit_length(c.s(0))),
            "bpcharlen" => return ok(bpcharlen(c.s(0))),
            "bpcharoctetlen" => return ok(bpcharoctetlen(c.s(0))),
            "upper" => return ok(upper(c.s(0))),
            "lower" => return ok(lower(c.s(0))),
            "initcap" => return ok(initcap(c.s(0))),
            "text_reverse" => return ok(text_reverse(c.s(0))),
            "ascii" => return ok(ascii(c.s(0))),
            "md5_text" => return ok(md5_text(c.s(0))),
            "md5_bytea" => return ok(md5_bytea(&bytea_in(c.s(0)))),
            "quote_ident" => return ok(quote_ident(c.s(0))),
            "quote_literal" => return ok(quote_literal(c.s(0))),
            "quote_nullable" => return ok(quote_nullable(c.opt(0))),
            "btrim1" => return ok(btrim1(c.s(0))),
            "ltrim1" => return ok(ltrim1(c.s(0))),
            "rtrim1" => return ok(rtrim1(c.s(0))),
            "btrim" => return ok(btrim(c.s(0), c.s(1))),
            "ltrim" => return ok(ltrim(c.s(0), c.s(1))),
            "rtrim" => return ok(rtrim(c.s(0), c.s(1))),
            "text_substr" => return res(text_substr(c.s(0), c.i32(1), c.i32(2))),
            "text_substr_no_len" => return ok(text_substr_no_len(c.s(0), c.i32(1))),
            "text_left" => return ok(text_left(c.s(0), c.i32(1))),
            "text_right" => return ok(text_right(c.s(0), c.i32(1))),
            "textpos" => return ok(textpos(c.s(0), c.s(1))),
            "text_starts_with" => return ok(text_starts_with(c.s(0), c.s(1))),
            "textoverlay" => return res(textoverlay(c.s(0), c.s(1), c.i32(2), c.i32(3))),
            "textoverlay_no_len" => return res(textoverlay_no_len(c.s(0), c.s(1), c.i32(2))),
            "lpad" => return res(lpad(c.s(0), c.i32(1), c.s(2))),
            "rpad" => return res(rpad(c.s(0), c.i32(1), c.s(2))),
            "lpad1" => return res(lpad1(c.s(0), c.i32(1))),
            "rpad1" => return res(rpad1(c.s(0), c.i32(1))),
            "repeat" => return res(repeat(c.s(0), c.i32(1))),
            "replace_text" => return ok(replace_text(c.s(0), c.s(1), c.s(2))),
            "split_part" => return res(split_part(c.s(0), c.s(1), c.i32(2))),
            "translate" => return ok(translate(c.s(0), c.s(1), c.s(2))),
            "chr" => return res(chr(c.i32(0))),
            "textcat" => return ok(textcat(c.s(0), c.s(1))),
            "to_hex32" => return ok(to_hex32(c.i32(0))),
            "to_hex64" => return ok(to_hex64(c.i64(0))),
            "text_concat" => {
                let args: Vec<Option<&str>> = c.args.iter().map(|a| a.as_deref()).collect();
                return ok(text_concat(&args));
            }
            "text_concat_ws" => {
                let args: Vec<Option<&str>> = c.args[1..].iter().map(|a| a.as_deref()).collect();
                Ok(text_concat_ws(c.opt(0), &args).map(Got::from))
            }
            "text_to_array" => {
                if c.opt(0).is_none() {
                    return ok("-1:");
                }
                return ok(arrenc(Some(&text_to_array(c.s(0), c.opt(1)))));
            }
            "text_to_array_null" => {
                return ok(arrenc(Some(&text_to_array_null(c.s(0), c.opt(1), c.opt(2)))));
            }
            "array_to_text" => return ok(array_to_text(&c.arr(0), c.s(1))),
            "array_to_text_null" => return ok(array_to_text_null(&c.arr(0), c.s(1), c.opt(2))),
            "text_format" => {
                let args: Vec<Option<&str>> = c.args[1..].iter().map(|a| a.as_deref()).collect();
                return res(text_format(c.s(0), &args));
            }
            "text_format_nv" => return res(text_format_nv(c.s(0))),
            "binary_encode" => return res(binary_encode(&bytea_in(c.s(0)), c.s(1))),
            "binary_decode" => return res(binary_decode(c.s(0), c.s(1)).map(|b| bytea_out(&b))),
            _ => return None,
        })
    }

    #[test]
    fn recorded_cases() {
        let n = check(include_str!("testdata/string.tsv"), eval);
        assert!(n > 3000);
    }

    #[test]
    fn md5_known_vectors() {
        assert_eq!(md5_text(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_text("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
    }

    #[test]
    fn case_tables_are_sorted() {
        assert!(TO_UPPER.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TO_LOWER.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ALNUM_RANGES.windows(2).all(|w| w[0].1 < w[1].0));
    }
}
