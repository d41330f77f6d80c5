//! The `json` type's input check and the JSON text helpers its constructors
//! share, ported from `src/common/jsonapi.c` and `src/backend/utils/adt/json.c`.
//!
//! `json` values are stored as their input text (PostgreSQL keeps the text
//! verbatim too); [`json_in`] only checks that the text is valid JSON, with
//! PostgreSQL's lexer and recursive-descent parser so that the error details
//! name the same token.

use crate::{Error, Result, SqlState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    ObjectStart,
    ObjectEnd,
    ArrayStart,
    ArrayEnd,
    Comma,
    Colon,
    String,
    Number,
    True,
    False,
    Null,
    End,
}

/// jsonapi.c's JsonParseErrorType, the ones a syntax check can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsonError {
    EscapingInvalid,
    EscapingRequired,
    ExpectedArrayNext,
    ExpectedColon,
    ExpectedEnd,
    ExpectedJson,
    ExpectedMore,
    ExpectedObjectFirst,
    ExpectedObjectNext,
    ExpectedString,
    InvalidToken,
    UnicodeEscapeFormat,
}

/// The parse context report_parse_error turns into an error.
#[derive(Clone, Copy)]
enum Ctx {
    Value,
    String,
    ArrayNext,
    ObjectStart,
    ObjectLabel,
    ObjectNext,
    End,
}

struct Lexer<'a> {
    input: &'a [u8],
    /// Current token: its kind and byte span.
    tok: Tok,
    start: usize,
    end: usize,
}

/// JSON_ALPHANUMERIC_CHAR: what the lexer takes as part of a word.
fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// The length of the (UTF-8) character at `i`, at least 1.
fn mblen(s: &[u8], i: usize) -> usize {
    match s.get(i) {
        Some(&b) if b >= 0xf0 => 4,
        Some(&b) if b >= 0xe0 => 3,
        Some(&b) if b >= 0xc0 => 2,
        _ => 1,
    }
    .min(s.len().saturating_sub(i).max(1))
}

/// json_lex_number from `s` (after any leading '-'): the end of the token
/// and whether it is malformed.
fn lex_number(input: &[u8], mut s: usize) -> (usize, bool) {
    let n = input.len();
    let digit = |i: usize| i < n && input[i].is_ascii_digit();
    let mut error = false;
    if s < n && input[s] == b'0' {
        s += 1;
    } else if s < n && (b'1'..=b'9').contains(&input[s]) {
        while digit(s) {
            s += 1;
        }
    } else {
        error = true;
    }
    if s < n && input[s] == b'.' {
        s += 1;
        if !digit(s) {
            error = true;
        } else {
            while digit(s) {
                s += 1;
            }
        }
    }
    if s < n && (input[s] == b'e' || input[s] == b'E') {
        s += 1;
        if s < n && (input[s] == b'+' || input[s] == b'-') {
            s += 1;
        }
        if !digit(s) {
            error = true;
        } else {
            while digit(s) {
                s += 1;
            }
        }
    }
    while s < n && alnum(input[s]) {
        error = true;
        s += 1;
    }
    (s, error)
}

/// IsValidJsonNumber: is the whole text one JSON number?
pub fn is_valid_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let start = usize::from(b[0] == b'-');
    let (end, error) = lex_number(b, start);
    !error && end == b.len()
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8]) -> Lexer<'a> {
        Lexer { input, tok: Tok::End, start: 0, end: 0 }
    }

    /// json_lex: the next token after the current one.
    fn lex(&mut self) -> Result<(), JsonError> {
        let inp = self.input;
        let mut s = self.end;
        while s < inp.len() && matches!(inp[s], b' ' | b'\t' | b'\n' | b'\r') {
            s += 1;
        }
        self.start = s;
        if s >= inp.len() {
            self.tok = Tok::End;
            self.end = s;
            return Ok(());
        }
        let single = match inp[s] {
            b'{' => Some(Tok::ObjectStart),
            b'}' => Some(Tok::ObjectEnd),
            b'[' => Some(Tok::ArrayStart),
            b']' => Some(Tok::ArrayEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(t) = single {
            self.tok = t;
            self.end = s + 1;
            return Ok(());
        }
        match inp[s] {
            b'"' => self.lex_string(),
            b'-' | b'0'..=b'9' => {
                let (end, error) = lex_number(inp, if inp[s] == b'-' { s + 1 } else { s });
                self.end = end;
                if error {
                    return Err(JsonError::InvalidToken);
                }
                self.tok = Tok::Number;
                Ok(())
            }
            _ => {
                let mut p = s;
                while p < inp.len() && alnum(inp[p]) {
                    p += 1;
                }
                if p == s {
                    self.end = s + mblen(inp, s);
                    return Err(JsonError::InvalidToken);
                }
                self.end = p;
                self.tok = match &inp[s..p] {
                    b"true" => Tok::True,
                    b"false" => Tok::False,
                    b"null" => Tok::Null,
                    _ => return Err(JsonError::InvalidToken),
                };
                Ok(())
            }
        }
    }

    /// json_lex_string without de-escaping (json_in's syntax check).
    fn lex_string(&mut self) -> Result<(), JsonError> {
        let inp = self.input;
        let mut s = self.start + 1;
        loop {
            if s >= inp.len() {
                self.end = s;
                return Err(JsonError::InvalidToken);
            }
            match inp[s] {
                b'"' => break,
                b'\\' => {
                    s += 1;
                    if s >= inp.len() {
                        self.end = s;
                        return Err(JsonError::InvalidToken);
                    }
                    if inp[s] == b'u' {
                        for _ in 0..4 {
                            s += 1;
                            if s >= inp.len() {
                                self.end = s;
                                return Err(JsonError::InvalidToken);
                            }
                            if !inp[s].is_ascii_hexdigit() {
                                self.end = s + mblen(inp, s);
                                return Err(JsonError::UnicodeEscapeFormat);
                            }
                        }
                    } else if !b"\"\\/bfnrt".contains(&inp[s]) {
                        self.start = s;
                        self.end = s + mblen(inp, s);
                        return Err(JsonError::EscapingInvalid);
                    }
                    s += 1;
                }
                c if c < 32 => {
                    self.end = s;
                    return Err(JsonError::EscapingRequired);
                }
                _ => s += 1,
            }
        }
        self.tok = Tok::String;
        self.end = s + 1;
        Ok(())
    }

    /// report_parse_error.
    fn parse_error(&self, ctx: Ctx) -> JsonError {
        if self.tok == Tok::End {
            return JsonError::ExpectedMore;
        }
        match ctx {
            Ctx::Value => JsonError::ExpectedJson,
            Ctx::String => JsonError::ExpectedString,
            Ctx::ArrayNext => JsonError::ExpectedArrayNext,
            Ctx::ObjectStart => JsonError::ExpectedObjectFirst,
            Ctx::ObjectLabel => JsonError::ExpectedColon,
            Ctx::ObjectNext => JsonError::ExpectedObjectNext,
            Ctx::End => JsonError::ExpectedEnd,
        }
    }

    /// lex_expect: the current token must be `t`; move past it.
    fn expect(&mut self, ctx: Ctx, t: Tok) -> Result<(), JsonError> {
        if self.tok != t {
            return Err(self.parse_error(ctx));
        }
        self.lex()
    }

    fn parse_value(&mut self) -> Result<(), JsonError> {
        match self.tok {
            Tok::ObjectStart => self.parse_object(),
            Tok::ArrayStart => self.parse_array(),
            Tok::String | Tok::Number | Tok::True | Tok::False | Tok::Null => self.lex(),
            _ => Err(self.parse_error(Ctx::Value)),
        }
    }

    fn parse_object_field(&mut self) -> Result<(), JsonError> {
        if self.tok != Tok::String {
            return Err(self.parse_error(Ctx::String));
        }
        self.lex()?;
        self.expect(Ctx::ObjectLabel, Tok::Colon)?;
        self.parse_value()
    }

    fn parse_object(&mut self) -> Result<(), JsonError> {
        self.lex()?;
        match self.tok {
            Tok::String => {
                self.parse_object_field()?;
                while self.tok == Tok::Comma {
                    self.lex()?;
                    self.parse_object_field()?;
                }
            }
            Tok::ObjectEnd => {}
            _ => return Err(self.parse_error(Ctx::ObjectStart)),
        }
        self.expect(Ctx::ObjectNext, Tok::ObjectEnd)
    }

    fn parse_array(&mut self) -> Result<(), JsonError> {
        self.lex()?;
        if self.tok != Tok::ArrayEnd {
            self.parse_value()?;
            while self.tok == Tok::Comma {
                self.lex()?;
                self.parse_value()?;
            }
        }
        self.expect(Ctx::ArrayNext, Tok::ArrayEnd)
    }

    /// json_errdetail.
    fn detail(&self, e: JsonError) -> String {
        let token = || String::from_utf8_lossy(&self.input[self.start.min(self.end)..self.end.min(self.input.len())]).into_owned();
        match e {
            JsonError::EscapingInvalid => format!("Escape sequence \"\\{}\" is invalid.", token()),
            JsonError::EscapingRequired => format!("Character with value 0x{:02x} must be escaped.", self.input.get(self.end).copied().unwrap_or(0)),
            JsonError::ExpectedArrayNext => format!("Expected \",\" or \"]\", but found \"{}\".", token()),
            JsonError::ExpectedColon => format!("Expected \":\", but found \"{}\".", token()),
            JsonError::ExpectedEnd => format!("Expected end of input, but found \"{}\".", token()),
            JsonError::ExpectedJson => format!("Expected JSON value, but found \"{}\".", token()),
            JsonError::ExpectedMore => "The input string ended unexpectedly.".to_string(),
            JsonError::ExpectedObjectFirst => format!("Expected string or \"}}\", but found \"{}\".", token()),
            JsonError::ExpectedObjectNext => format!("Expected \",\" or \"}}\", but found \"{}\".", token()),
            JsonError::ExpectedString => format!("Expected string, but found \"{}\".", token()),
            JsonError::InvalidToken => format!("Token \"{}\" is invalid.", token()),
            JsonError::UnicodeEscapeFormat => "\"\\u\" must be followed by four hexadecimal digits.".to_string(),
        }
    }
}

/// json_in: the text itself, once it parses as JSON.
pub fn json_in(text: &str) -> Result<String> {
    let mut lx = Lexer::new(text.as_bytes());
    let r = lx.lex().and_then(|()| lx.parse_value()).and_then(|()| if lx.tok == Tok::End { Ok(()) } else { Err(lx.parse_error(Ctx::End)) });
    match r {
        Ok(()) => Ok(text.to_string()),
        Err(e) => Err(Error::new(SqlState::INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json").with_detail(lx.detail(e))),
    }
}

/// escape_json: `s` as a JSON string literal.
pub fn escape_json(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(s: &str) -> String {
        json_in(s).unwrap_err().detail.unwrap()
    }

    #[test]
    fn valid() {
        for s in ["1", "-0.5e+10", "\"a\\u00e9\\n\"", " {\"a\" : [1, true, false, null, {}], \"b\": []} ", "[]", "{}", "\"\\ud83d\""] {
            assert_eq!(json_in(s).unwrap(), s, "{s}");
        }
    }

    #[test]
    fn invalid_details() {
        assert_eq!(detail("x"), "Token \"x\" is invalid.");
        assert_eq!(detail(""), "The input string ended unexpectedly.");
        assert_eq!(detail("[1,"), "The input string ended unexpectedly.");
        assert_eq!(detail("{\"a\" 1}"), "Expected \":\", but found \"1\".");
        assert_eq!(detail("{1:2}"), "Expected string or \"}\", but found \"1\".");
        assert_eq!(detail("{\"a\":1,}"), "Expected string, but found \"}\".");
        assert_eq!(detail("[1 2]"), "Expected \",\" or \"]\", but found \"2\".");
        assert_eq!(detail("{\"a\":1 2}"), "Expected \",\" or \"}\", but found \"2\".");
        assert_eq!(detail("1 2"), "Expected end of input, but found \"2\".");
        assert_eq!(detail("[}"), "Expected JSON value, but found \"}\".");
        assert_eq!(detail("01"), "Token \"01\" is invalid.");
        assert_eq!(detail("1.e"), "Token \"1.e\" is invalid.");
        assert_eq!(detail("\"\\q\""), "Escape sequence \"\\q\" is invalid.");
        assert_eq!(detail("\"\\u12x4\""), "\"\\u\" must be followed by four hexadecimal digits.");
        assert_eq!(detail("\"a\tb\""), "Character with value 0x09 must be escaped.");
        assert_eq!(detail("\"abc"), "Token \"\"abc\" is invalid.");
    }

    #[test]
    fn numbers() {
        for (s, ok) in [("1", true), ("-1.5e3", true), ("NaN", false), ("Infinity", false), ("-", false), ("1e", false), ("1.", false)] {
            assert_eq!(is_valid_json_number(s), ok, "{s}");
        }
    }
}
