//! PostgreSQL's lexical rules (src/backend/parser/scan.l) in two passes:
//! `logos` cuts the text into raw tokens, then `Lexer::finish` applies the
//! rules a regular lexer cannot express — operator splitting, string-literal
//! continuation across newlines, keyword lookup with identifier folding, and
//! the one-token lookahead of PostgreSQL's `base_yylex` (NOT_LA, NULLS_LA,
//! WITH_LA).

use logos::Logos;

use crate::SyntaxError;
use crate::keywords::{KEYWORDS, Kw};

/// PostgreSQL's NAMEDATALEN - 1: identifiers are truncated to this many bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// A token as the grammar sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An identifier: unquoted ones are folded to lower case, and any keyword is a `Kw` instead.
    Ident(String),
    Kw(Kw),
    /// `NOT` followed by BETWEEN, IN, LIKE, ILIKE or SIMILAR.
    NotLa,
    /// `NULLS` followed by FIRST or LAST.
    NullsLa,
    /// `WITH` followed by TIME or ORDINALITY.
    WithLa,
    /// A string literal, escapes already processed.
    SConst(String),
    /// `B'0101'` as `b0101`, `X'1F'` as `x1F` (bit_in takes both forms).
    BConst(String),
    /// An integer that fits in int4.
    IConst(i32),
    /// Any other numeric literal, as written.
    FConst(String),
    /// `$1`.
    Param(i32),
    /// Any operator that is not one of the single-character or special tokens below.
    Op(String),
    Typecast,
    DotDot,
    ColonEquals,
    EqualsGreater,
    LessEquals,
    GreaterEquals,
    NotEquals,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Dot,
    Semicolon,
    Colon,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Caret,
    Lt,
    Gt,
    Eq,
}

impl std::fmt::Display for Tok {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

#[derive(Logos, Debug, Clone, Copy, PartialEq)]
#[logos(extras = LexOptions)]
#[logos(skip r"[ \t\n\r\f]+")]
#[logos(skip(r"--[^\n\r]*", allow_greedy = true))]
enum Raw {
    #[token("/*", block_comment)]
    BlockComment,
    #[regex(r"[A-Za-z_\u{80}-\u{10FFFF}][A-Za-z_0-9$\u{80}-\u{10FFFF}]*")]
    Ident,
    #[regex(r#"""#, quoted_ident)]
    QuotedIdent,
    #[regex(r#"[uU]&""#, quoted_ident)]
    UnicodeIdent,
    #[token("'", standard_string)]
    String,
    #[regex(r"[nN]'", standard_string)]
    NationalString,
    #[regex(r"[eE]'", extended_string)]
    ExtendedString,
    #[regex(r"[uU]&'", unicode_string)]
    UnicodeString,
    #[regex(r"[bB]'[^']*'?")]
    BitString,
    #[regex(r"[xX]'[^']*'?")]
    HexString,
    #[regex(r"\$([A-Za-z_\u{80}-\u{10FFFF}][A-Za-z_0-9\u{80}-\u{10FFFF}]*)?\$", dollar_string)]
    DollarString,
    #[regex(r"\$[0-9]+")]
    Param,
    #[regex(r"[0-9]+")]
    Integer,
    #[regex(r"[0-9]+\.[0-9]*|\.[0-9]+")]
    Numeric,
    #[regex(r"([0-9]+|[0-9]+\.[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+")]
    Real,
    #[regex(r"([0-9]+|[0-9]+\.[0-9]*|\.[0-9]+)[eE][+-]?")]
    RealFail,
    #[regex(r"[0-9]+\.\.")]
    DecimalFail,
    #[regex(r"[~!@#^&|`?+\-*/%<>=]")]
    OpChar,
    #[token("::")]
    Typecast,
    #[token("..")]
    DotDot,
    #[token(":=")]
    ColonEquals,
    #[token(",")]
    Comma,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(".")]
    Dot,
    #[token(";")]
    Semicolon,
    #[token(":")]
    Colon,
}

fn block_comment(lex: &mut logos::Lexer<Raw>) -> logos::FilterResult<(), ()> {
    // Nested comments, as PostgreSQL allows.
    let rest = lex.remainder().as_bytes();
    let mut depth = 1;
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'*' && rest.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                lex.bump(i);
                return logos::FilterResult::Skip;
            }
        } else if rest[i] == b'/' && rest.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    lex.bump(rest.len());
    logos::FilterResult::Error(())
}

fn quoted_ident(lex: &mut logos::Lexer<Raw>) -> Result<(), ()> {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'"' {
            if rest.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            lex.bump(i + 1);
            return Ok(());
        }
        i += 1;
    }
    lex.bump(rest.len());
    Err(())
}

fn standard_string(lex: &mut logos::Lexer<Raw>) -> Result<(), ()> {
    if !lex.extras.standard_conforming_strings {
        // With standard_conforming_strings off, backslashes escape in '' literals too.
        return extended_string(lex);
    }
    unicode_string(lex)
}

/// A literal where only doubled quotes are special (U&'' always; '' under standard_conforming_strings).
fn unicode_string(lex: &mut logos::Lexer<Raw>) -> Result<(), ()> {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        if rest[i] == b'\'' {
            if rest.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            lex.bump(i + 1);
            return Ok(());
        }
        i += 1;
    }
    lex.bump(rest.len());
    Err(())
}

fn extended_string(lex: &mut logos::Lexer<Raw>) -> Result<(), ()> {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'\'' if rest.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => {
                lex.bump(i + 1);
                return Ok(());
            }
            _ => i += 1,
        }
    }
    lex.bump(rest.len());
    Err(())
}

fn dollar_string(lex: &mut logos::Lexer<Raw>) -> Result<(), ()> {
    let delim = lex.slice().to_string();
    match lex.remainder().find(&delim) {
        Some(end) => {
            lex.bump(end + delim.len());
            Ok(())
        }
        None => {
            lex.bump(lex.remainder().len());
            Err(())
        }
    }
}

/// A token with its byte span in the statement text.
pub type Spanned = (usize, Tok, usize);

/// Lexer settings that change how literals are read.
#[derive(Clone, Copy, Debug)]
pub struct LexOptions {
    /// `standard_conforming_strings`: when off, backslashes escape in '' strings too.
    pub standard_conforming_strings: bool,
}

impl Default for LexOptions {
    fn default() -> Self {
        LexOptions { standard_conforming_strings: true }
    }
}

/// Splits `sql` into tokens, or reports PostgreSQL's lexical error.
pub fn tokenize(sql: &str, options: LexOptions) -> Result<Vec<Spanned>, SyntaxError> {
    let mut raw = Vec::new();
    let mut lex = Raw::lexer_with_extras(sql, options);
    while let Some(item) = lex.next() {
        let span = lex.span();
        match item {
            Ok(t) => raw.push((t, span.start, span.end)),
            Err(()) => return Err(raw_error(sql, span.start)),
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let (kind, start, end) = raw[i];
        let text = &sql[start..end];
        match kind {
            Raw::BlockComment => {}
            Raw::OpChar => {
                let mut j = i + 1;
                while j < raw.len() && raw[j].0 == Raw::OpChar && raw[j].1 == raw[j - 1].2 {
                    j += 1;
                }
                split_operator(sql, start, raw[j - 1].2, &mut out)?;
                i = j;
                continue;
            }
            Raw::Ident => out.push((start, ident_or_keyword(text), end)),
            Raw::QuotedIdent => {
                let body = &text[1..text.len() - 1];
                if body.is_empty() {
                    return Err(SyntaxError::near("zero-length delimited identifier", sql, start, end));
                }
                out.push((start, Tok::Ident(truncate_identifier(body.replace("\"\"", "\""))), end));
            }
            Raw::UnicodeIdent => {
                let body = &text[3..text.len() - 1];
                if body.is_empty() {
                    return Err(SyntaxError::near("zero-length delimited identifier", sql, start, end));
                }
                let (value, next) = unicode_escape_with_uescape(sql, &raw, i, body.replace("\"\"", "\""))?;
                out.push((start, Tok::Ident(truncate_identifier(value)), raw[next - 1].2));
                i = next;
                continue;
            }
            Raw::UnicodeString if !options.standard_conforming_strings => {
                return Err(SyntaxError::new("0A000", "unsafe use of string constant with Unicode escapes", Some(start)));
            }
            Raw::String | Raw::NationalString | Raw::ExtendedString | Raw::UnicodeString => {
                let (value, next) = string_literal(sql, &raw, i, options)?;
                out.push((start, Tok::SConst(value), raw[next - 1].2));
                i = next;
                continue;
            }
            Raw::BitString | Raw::HexString => {
                if !text.ends_with('\'') || text.len() < 3 {
                    let what = if kind == Raw::BitString { "bit string" } else { "hexadecimal string" };
                    return Err(SyntaxError::near(format!("unterminated {what} literal"), sql, start, sql.len()));
                }
                let prefix = if kind == Raw::BitString { 'b' } else { 'x' };
                out.push((start, Tok::BConst(format!("{prefix}{}", &text[2..text.len() - 1])), end));
            }
            Raw::DollarString => {
                let tag_len = text[1..].find('$').map(|p| p + 2).unwrap_or(text.len());
                let body = &text[tag_len..text.len() - tag_len];
                out.push((start, Tok::SConst(body.to_string()), end));
            }
            Raw::Param => {
                check_trailing_junk(sql, &raw, i)?;
                let value = text[1..].parse::<i32>().map_err(|_| SyntaxError::near("parameter number too large", sql, start, end))?;
                out.push((start, Tok::Param(value), end));
            }
            Raw::Integer => {
                check_trailing_junk(sql, &raw, i)?;
                let tok = match text.parse::<i32>() {
                    Ok(v) => Tok::IConst(v),
                    Err(_) => Tok::FConst(text.to_string()),
                };
                out.push((start, tok, end));
            }
            Raw::DecimalFail => {
                // `1..` is the integer 1 followed by `..` (PL/pgSQL FOR loops).
                let digits = &text[..text.len() - 2];
                let tok = match digits.parse::<i32>() {
                    Ok(v) => Tok::IConst(v),
                    Err(_) => Tok::FConst(digits.to_string()),
                };
                out.push((start, tok, end - 2));
                out.push((end - 2, Tok::DotDot, end));
            }
            Raw::Numeric | Raw::Real => {
                check_trailing_junk(sql, &raw, i)?;
                out.push((start, Tok::FConst(text.to_string()), end));
            }
            Raw::RealFail => {
                return Err(SyntaxError::near("trailing junk after numeric literal", sql, start, end));
            }
            Raw::Typecast => out.push((start, Tok::Typecast, end)),
            Raw::DotDot => out.push((start, Tok::DotDot, end)),
            Raw::ColonEquals => out.push((start, Tok::ColonEquals, end)),
            Raw::Comma => out.push((start, Tok::Comma, end)),
            Raw::LParen => out.push((start, Tok::LParen, end)),
            Raw::RParen => out.push((start, Tok::RParen, end)),
            Raw::LBracket => out.push((start, Tok::LBracket, end)),
            Raw::RBracket => out.push((start, Tok::RBracket, end)),
            Raw::Dot => out.push((start, Tok::Dot, end)),
            Raw::Semicolon => out.push((start, Tok::Semicolon, end)),
            Raw::Colon => out.push((start, Tok::Colon, end)),
        }
        i += 1;
    }
    apply_lookahead(&mut out);
    Ok(out)
}

/// Reports the error of a raw token logos could not finish (unterminated literal or comment).
fn raw_error(sql: &str, start: usize) -> SyntaxError {
    let rest = &sql[start..];
    let msg = if rest.starts_with("/*") {
        "unterminated /* comment"
    } else if rest.starts_with('"') || rest.starts_with("U&\"") || rest.starts_with("u&\"") {
        "unterminated quoted identifier"
    } else if rest.starts_with('$') {
        "unterminated dollar-quoted string"
    } else if rest.starts_with('\'') || rest.len() > 1 && rest[1..].starts_with('\'') || rest.len() > 2 && rest[2..].starts_with('\'') {
        "unterminated quoted string"
    } else {
        "syntax error"
    };
    SyntaxError::near(msg, sql, start, sql.len())
}

/// PostgreSQL 15 rejects a number or parameter immediately followed by an identifier.
fn check_trailing_junk(sql: &str, raw: &[(Raw, usize, usize)], i: usize) -> Result<(), SyntaxError> {
    if let Some(&(next, nstart, _)) = raw.get(i + 1)
        && nstart == raw[i].2
        && matches!(
            next,
            Raw::Ident | Raw::NationalString | Raw::ExtendedString | Raw::BitString | Raw::HexString | Raw::UnicodeString | Raw::UnicodeIdent
        )
    {
        let msg = if raw[i].0 == Raw::Param { "trailing junk after parameter" } else { "trailing junk after numeric literal" };
        return Err(SyntaxError::near(msg, sql, raw[i].1, raw[i + 1].2));
    }
    Ok(())
}

fn ident_or_keyword(text: &str) -> Tok {
    let lower = fold_identifier(text);
    match KEYWORDS.binary_search_by(|(w, ..)| (*w).cmp(lower.as_str())) {
        Ok(pos) => Tok::Kw(KEYWORDS[pos].1),
        Err(_) => Tok::Ident(truncate_identifier(lower)),
    }
}

/// Unquoted identifiers fold ASCII letters to lower case (multibyte characters are kept, as PostgreSQL does in UTF8).
pub fn fold_identifier(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Truncates to NAMEDATALEN - 1 bytes on a character boundary.
pub fn truncate_identifier(mut s: String) -> String {
    if s.len() > MAX_IDENTIFIER_BYTES {
        let mut cut = MAX_IDENTIFIER_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// Splits a run of operator characters exactly as scan.l's `{operator}` rule does.
fn split_operator(sql: &str, mut start: usize, end: usize, out: &mut Vec<Spanned>) -> Result<(), SyntaxError> {
    while start < end {
        let text = &sql[start..end];
        let bytes = text.as_bytes();
        let mut n = bytes.len();
        // A comment start inside the run ends the operator (logos already split
        // `--` and `/*` off as comments, so only whole runs reach here).
        if n > 1 && (bytes[n - 1] == b'+' || bytes[n - 1] == b'-') {
            let qualifies = bytes[..n - 1].iter().any(|c| b"~!@#^&|`?%".contains(c));
            if !qualifies {
                while n > 1 && (bytes[n - 1] == b'+' || bytes[n - 1] == b'-') {
                    n -= 1;
                }
            }
        }
        let op = &text[..n];
        let tok = if n == 1 {
            match bytes[0] {
                b'+' => Tok::Plus,
                b'-' => Tok::Minus,
                b'*' => Tok::Star,
                b'/' => Tok::Slash,
                b'%' => Tok::Percent,
                b'^' => Tok::Caret,
                b'<' => Tok::Lt,
                b'>' => Tok::Gt,
                b'=' => Tok::Eq,
                _ => Tok::Op(op.to_string()),
            }
        } else {
            match op {
                "=>" => Tok::EqualsGreater,
                ">=" => Tok::GreaterEquals,
                "<=" => Tok::LessEquals,
                "<>" | "!=" => Tok::NotEquals,
                _ if n > MAX_IDENTIFIER_BYTES => {
                    return Err(SyntaxError::near("operator too long", sql, start, start + n));
                }
                _ => Tok::Op(op.to_string()),
            }
        };
        out.push((start, tok, start + n));
        start += n;
    }
    Ok(())
}

/// Reads a string literal, including PostgreSQL's continuation of adjacent
/// literals separated by whitespace that contains a newline (a continued
/// literal keeps the first one's escape rules). Returns the value and the index
/// of the first raw token after it.
fn string_literal(sql: &str, raw: &[(Raw, usize, usize)], first: usize, options: LexOptions) -> Result<(String, usize), SyntaxError> {
    let kind = raw[first].0;
    let prefix = match kind {
        Raw::String => 1,
        Raw::UnicodeString => 3,
        _ => 2,
    };
    let mut value = String::new();
    let mut i = first;
    let mut body_start = raw[first].1 + prefix;
    loop {
        let body = &sql[body_start..raw[i].2 - 1];
        match kind {
            Raw::ExtendedString => value.push_str(&extended_escapes(body, body_start, sql)?),
            Raw::UnicodeString => value.push_str(&body.replace("''", "'")),
            _ => value.push_str(&plain_body(body, options, body_start, sql)?),
        }
        i += 1;
        match raw.get(i) {
            Some(&(Raw::String, s, _)) if continues(&sql[raw[i - 1].2..s]) => body_start = s + 1,
            _ => break,
        }
    }
    if kind == Raw::UnicodeString {
        return unicode_escape_with_uescape(sql, raw, i - 1, value);
    }
    Ok((value, i))
}

/// scan.l's `{quotecontinue}`: horizontal space and `--` comments, a newline, then any whitespace or comments.
fn continues(gap: &str) -> bool {
    let mut saw_newline = false;
    let mut rest = gap;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("--") {
            let cut = r.find(['\n', '\r']).unwrap_or(r.len());
            rest = &r[cut..];
        } else {
            let c = rest.as_bytes()[0];
            match c {
                b'\n' | b'\r' => saw_newline = true,
                b' ' | b'\t' | b'\x0c' => {}
                _ => return false,
            }
            rest = &rest[1..];
        }
    }
    saw_newline
}

fn plain_body(body: &str, options: LexOptions, offset: usize, sql: &str) -> Result<String, SyntaxError> {
    if options.standard_conforming_strings { Ok(body.replace("''", "'")) } else { extended_escapes(body, offset, sql) }
}

/// Backslash escapes of E'' strings: \b \f \n \r \t, octal, \x hex, \u and \U Unicode, and any other character literally.
fn extended_escapes(body: &str, offset: usize, sql: &str) -> Result<String, SyntaxError> {
    let bytes = body.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
            out.push(b'\'');
            i += 2;
            continue;
        }
        if c != b'\\' || i + 1 >= bytes.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = bytes[i + 1];
        i += 2;
        match e {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'0'..=b'7' => {
                let mut v: u32 = (e - b'0') as u32;
                let mut k = 0;
                while k < 2 && i < bytes.len() && (b'0'..=b'7').contains(&bytes[i]) {
                    v = v * 8 + (bytes[i] - b'0') as u32;
                    i += 1;
                    k += 1;
                }
                out.push((v & 0xff) as u8);
            }
            b'x' if i < bytes.len() && bytes[i].is_ascii_hexdigit() => {
                let mut v: u32 = 0;
                let mut k = 0;
                while k < 2 && i < bytes.len() && bytes[i].is_ascii_hexdigit() {
                    v = v * 16 + (bytes[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                out.push(v as u8);
            }
            b'u' | b'U' => {
                // scan.l's xeunicode / xeu states: errors name the text at hand.
                let start = i - 2;
                let Some((cp, next)) = unicode_escape_at(body, start) else {
                    return Err(
                        SyntaxError::plain("invalid Unicode escape", offset + start).with_hint("Unicode escapes must be \\uXXXX or \\UXXXXXXXX.")
                    );
                };
                i = next;
                let near = |from: usize, to: usize| SyntaxError::near("invalid Unicode surrogate pair", sql, offset + from, offset + to);
                let cp = if is_surrogate_first(cp) {
                    match unicode_escape_at(body, i) {
                        Some((low, after)) if is_surrogate_second(low) => {
                            i = after;
                            0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                        }
                        Some((_, after)) => return Err(near(i, after)),
                        None => {
                            // The next character, or the closing quote.
                            let len = body[i..].chars().next().map_or(1, char::len_utf8);
                            return Err(near(i, i + len));
                        }
                    }
                } else if is_surrogate_second(cp) {
                    return Err(near(start, i));
                } else {
                    cp
                };
                match char::from_u32(cp) {
                    Some(ch) if cp != 0 => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => return Err(SyntaxError::near("invalid Unicode escape value", sql, offset + start, offset + i)),
                }
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        let shown: Vec<String> = bytes[bad..].iter().take(2).map(|b| format!("0x{b:02x}")).collect();
        SyntaxError::new("22021", format!("invalid byte sequence for encoding \"UTF8\": {}", shown.join(" ")), Some(offset))
    })
}

/// A complete `\uXXXX` or `\UXXXXXXXX` escape at byte `at` of `body`: its value and the end.
fn unicode_escape_at(body: &str, at: usize) -> Option<(u32, usize)> {
    let rest = body.get(at..)?;
    let digits = if rest.starts_with("\\u") {
        4
    } else if rest.starts_with("\\U") {
        8
    } else {
        return None;
    };
    let hex = rest.get(2..2 + digits).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    Some((u32::from_str_radix(hex, 16).ok()?, at + 2 + digits))
}

fn is_surrogate_first(c: u32) -> bool {
    (0xD800..0xDC00).contains(&c)
}

fn is_surrogate_second(c: u32) -> bool {
    (0xDC00..0xE000).contains(&c)
}

/// Decodes U&'' / U&"" escapes (`\XXXX`, `\+XXXXXX`, `\\`), honouring a following `UESCAPE 'c'`.
fn unicode_escape_with_uescape(sql: &str, raw: &[(Raw, usize, usize)], last: usize, body: String) -> Result<(String, usize), SyntaxError> {
    let mut escape = '\\';
    let mut next = last + 1;
    if let Some(&(Raw::Ident, s, e)) = raw.get(last + 1)
        && sql[s..e].eq_ignore_ascii_case("uescape")
    {
        match raw.get(last + 2) {
            Some(&(Raw::String, s2, e2)) => {
                let lit = &sql[s2 + 1..e2 - 1];
                let mut chars = lit.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_ascii_hexdigit() && !"+'\" \t\n\r\x0c".contains(c) => escape = c,
                    _ => return Err(SyntaxError::near("invalid Unicode escape character", sql, s2, e2)),
                }
                next = last + 3;
            }
            // The error names the token after UESCAPE, as scanner_yyerror does.
            Some(&(_, s2, e2)) => return Err(SyntaxError::near("UESCAPE must be followed by a simple string literal", sql, s2, e2)),
            None => return Err(SyntaxError::near("UESCAPE must be followed by a simple string literal", sql, sql.len(), sql.len())),
        }
    }
    let start = raw[last].1;
    // parser.c's str_udeescape: positions count bytes of the de-quoted body after `U&'`.
    let at = |byte: usize| Some(start + 3 + byte);
    let invalid_pair = |byte: usize| SyntaxError::new("42601", "invalid Unicode surrogate pair", at(byte));
    let mut out = String::with_capacity(body.len());
    let mut pair_first: Option<u32> = None;
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        let c = rest.chars().next().unwrap_or(escape);
        if c != escape {
            if pair_first.is_some() {
                return Err(invalid_pair(i));
            }
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let after = &rest[c.len_utf8()..];
        if after.starts_with(escape) {
            if pair_first.is_some() {
                return Err(invalid_pair(i));
            }
            out.push(escape);
            i += c.len_utf8() * 2;
            continue;
        }
        let (n, skip) = if after.starts_with('+') { (6, 1) } else { (4, 0) };
        let hex = after.get(skip..skip + n).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(SyntaxError::new("42601", "invalid Unicode escape", at(i)).with_hint("Unicode escapes must be \\XXXX or \\+XXXXXX."));
        };
        let mut cp = u32::from_str_radix(hex, 16).unwrap_or(0);
        if cp == 0 || cp > 0x10FFFF {
            return Err(SyntaxError::new("42601", "invalid Unicode escape value", at(i)));
        }
        if let Some(first) = pair_first.take() {
            if !is_surrogate_second(cp) {
                return Err(invalid_pair(i));
            }
            cp = 0x10000 + ((first - 0xD800) << 10) + (cp - 0xDC00);
        } else if is_surrogate_second(cp) {
            return Err(invalid_pair(i));
        }
        i += c.len_utf8() + skip + n;
        if is_surrogate_first(cp) {
            pair_first = Some(cp);
        } else if let Some(ch) = char::from_u32(cp) {
            out.push(ch);
        }
    }
    if pair_first.is_some() {
        return Err(invalid_pair(i));
    }
    Ok((out, next))
}

/// PostgreSQL's base_yylex lookahead: a few keywords change token when the next one is known.
fn apply_lookahead(toks: &mut [Spanned]) {
    for i in 0..toks.len().saturating_sub(1) {
        let next = match &toks[i + 1].1 {
            Tok::Kw(k) => Some(*k),
            _ => None,
        };
        let Some(next) = next else { continue };
        let replace = match toks[i].1 {
            Tok::Kw(Kw::Not) => matches!(next, Kw::Between | Kw::In | Kw::Like | Kw::Ilike | Kw::Similar).then_some(Tok::NotLa),
            Tok::Kw(Kw::Nulls) => matches!(next, Kw::First | Kw::Last).then_some(Tok::NullsLa),
            Tok::Kw(Kw::With) => matches!(next, Kw::Time | Kw::Ordinality).then_some(Tok::WithLa),
            _ => None,
        };
        if let Some(t) = replace {
            toks[i].1 = t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(sql: &str) -> Vec<Tok> {
        tokenize(sql, LexOptions::default()).unwrap().into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn identifiers_fold_and_keywords() {
        assert_eq!(
            toks("SELECT FooBar, \"FooBar\", \"a\"\"b\""),
            vec![Tok::Kw(Kw::Select), Tok::Ident("foobar".into()), Tok::Comma, Tok::Ident("FooBar".into()), Tok::Comma, Tok::Ident("a\"b".into()),]
        );
    }

    #[test]
    fn operators_split_like_postgres() {
        assert_eq!(toks("a<-b"), vec![Tok::Ident("a".into()), Tok::Lt, Tok::Minus, Tok::Ident("b".into())]);
        assert_eq!(toks("a@-b"), vec![Tok::Ident("a".into()), Tok::Op("@-".into()), Tok::Ident("b".into())]);
        assert_eq!(toks("a<=b != c"), vec![Tok::Ident("a".into()), Tok::LessEquals, Tok::Ident("b".into()), Tok::NotEquals, Tok::Ident("c".into())]);
        assert_eq!(toks("1--c\n+2"), vec![Tok::IConst(1), Tok::Plus, Tok::IConst(2)]);
        assert_eq!(toks("x::int"), vec![Tok::Ident("x".into()), Tok::Typecast, Tok::Kw(Kw::Int)]);
    }

    #[test]
    fn literals() {
        assert_eq!(
            toks("'it''s' E'a\\nb' $$x$y$$ $q$a$$b$q$"),
            vec![Tok::SConst("it's".into()), Tok::SConst("a\nb".into()), Tok::SConst("x$y".into()), Tok::SConst("a$$b".into()),]
        );
        assert_eq!(toks("'a'\n'b' 'c'"), vec![Tok::SConst("ab".into()), Tok::SConst("c".into())]);
        assert_eq!(toks("B'0101' X'1F'"), vec![Tok::BConst("b0101".into()), Tok::BConst("x1F".into())]);
        assert_eq!(
            toks("1 2147483648 1.5e10 .5 1. $3"),
            vec![
                Tok::IConst(1),
                Tok::FConst("2147483648".into()),
                Tok::FConst("1.5e10".into()),
                Tok::FConst(".5".into()),
                Tok::FConst("1.".into()),
                Tok::Param(3),
            ]
        );
        assert_eq!(toks("U&'d\\0061t\\+000061'"), vec![Tok::SConst("data".into())]);
        assert_eq!(toks("U&'d!0061t' UESCAPE '!'"), vec![Tok::SConst("dat".into())]);
    }

    #[test]
    fn comments_nest() {
        assert_eq!(toks("1 /* a /* b */ c */ 2"), vec![Tok::IConst(1), Tok::IConst(2)]);
    }

    #[test]
    fn lookahead_tokens() {
        assert_eq!(toks("a NOT IN b"), vec![Tok::Ident("a".into()), Tok::NotLa, Tok::Kw(Kw::In), Tok::Ident("b".into())]);
        assert_eq!(toks("NULLS FIRST"), vec![Tok::NullsLa, Tok::Kw(Kw::First)]);
    }

    #[test]
    fn errors() {
        let msg = |sql: &str| tokenize(sql, LexOptions::default()).unwrap_err().message;
        assert_eq!(msg("select 'abc"), "unterminated quoted string at or near \"'abc\"");
        assert_eq!(msg("select 123abc"), "trailing junk after numeric literal at or near \"123abc\"");
        assert_eq!(msg("select /* x"), "unterminated /* comment at or near \"/* x\"");
        assert_eq!(msg("select \"\""), "zero-length delimited identifier at or near \"\"\"\"");
    }

    #[test]
    fn unicode_escape_errors_like_postgres() {
        let msg = |sql: &str| tokenize(sql, LexOptions::default()).unwrap_err().message;
        // scan.l's xeu state names the text after a lone first surrogate.
        assert_eq!(msg("SELECT E'wrong: \\udb99'"), "invalid Unicode surrogate pair at or near \"'\"");
        assert_eq!(msg("SELECT E'wrong: \\udb99xy'"), "invalid Unicode surrogate pair at or near \"x\"");
        assert_eq!(msg("SELECT E'wrong: \\udb99\\u0061'"), "invalid Unicode surrogate pair at or near \"\\u0061\"");
        assert_eq!(msg("SELECT E'wrong: \\U002FFFFF'"), "invalid Unicode escape value at or near \"\\U002FFFFF\"");
        assert_eq!(toks("E'\\ud83d\\ude00'"), vec![Tok::SConst("\u{1F600}".into())]);
        // parser.c's str_udeescape for U&'' literals.
        assert_eq!(msg("SELECT U&'wrong: \\db99'"), "invalid Unicode surrogate pair");
        assert_eq!(msg("SELECT U&'wrong: \\+00db99\\+000061'"), "invalid Unicode surrogate pair");
        assert_eq!(toks("U&'\\D83D\\DE00'"), vec![Tok::SConst("\u{1F600}".into())]);
        assert_eq!(msg("SELECT U&'wrong: +0061' UESCAPE +"), "UESCAPE must be followed by a simple string literal at or near \"+\"");
        assert_eq!(msg("SELECT U&'x' UESCAPE"), "UESCAPE must be followed by a simple string literal at end of input");
    }

    #[test]
    fn backslashes_escape_without_standard_conforming_strings() {
        let off = LexOptions { standard_conforming_strings: false };
        let t: Vec<Tok> = tokenize("'a\\'b' 'c\\\\'", off).unwrap().into_iter().map(|t| t.1).collect();
        assert_eq!(t, vec![Tok::SConst("a'b".into()), Tok::SConst("c\\".into())]);
        // With them on, a backslash is an ordinary character.
        assert_eq!(toks("'a\\' 'b'"), vec![Tok::SConst("a\\".into()), Tok::SConst("b".into())]);
    }
}
