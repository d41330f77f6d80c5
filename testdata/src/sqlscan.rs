//! A small SQL scanner: just enough of PostgreSQL's lexical rules to find
//! keywords outside string literals, quoted identifiers, comments and
//! parentheses (with `standard_conforming_strings` on).

/// Whether `sql` has an `ORDER BY` at the top level: outside parentheses,
/// brackets, string literals, quoted identifiers, dollar quotes and comments.
pub fn has_top_level_order_by(sql: &str) -> bool {
    let mut depth = 0usize;
    let mut prev_order = false;
    for tok in tokens(sql) {
        match tok {
            Token::Open => {
                depth += 1;
                prev_order = false;
            }
            Token::Close => {
                depth = depth.saturating_sub(1);
                prev_order = false;
            }
            Token::Space => {}
            Token::Word(w) => {
                if depth == 0 && prev_order && w.eq_ignore_ascii_case("by") {
                    return true;
                }
                prev_order = depth == 0 && w.eq_ignore_ascii_case("order");
            }
            Token::Literal | Token::Other => prev_order = false,
        }
    }
    false
}

/// The byte ranges of the string literals (quotes included) and
/// dollar-quoted strings of `sql`. With `std_strings` off (the server's
/// `standard_conforming_strings`), backslashes escape in plain `'...'`
/// literals too.
pub fn literal_spans(sql: &str, std_strings: bool) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 0;
    for (tok, len) in tokens_with_len(sql, std_strings) {
        if let Token::Literal = tok {
            spans.push((at, at + len));
        }
        at += len;
    }
    spans
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    /// `(` or `[`
    Open,
    /// `)` or `]`
    Close,
    /// Whitespace or a comment.
    Space,
    /// An unquoted identifier or keyword.
    Word(&'a str),
    /// A string literal or dollar-quoted string.
    Literal,
    /// Anything else: quoted identifiers, operators, numbers, parameters.
    Other,
}

fn tokens(sql: &str) -> impl Iterator<Item = Token<'_>> {
    tokens_with_len(sql, true).map(|(t, _)| t)
}

/// The tokens of `sql` with their lengths in bytes.
fn tokens_with_len(sql: &str, std_strings: bool) -> impl Iterator<Item = (Token<'_>, usize)> {
    let b = sql.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= b.len() {
            return None;
        }
        let c = b[i];
        let start = i;
        let tok = match c {
            b'(' | b'[' => {
                i += 1;
                Token::Open
            }
            b')' | b']' => {
                i += 1;
                Token::Close
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                i += 1;
                Token::Space
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                Token::Space
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                let mut nest = 1;
                while i < b.len() && nest > 0 {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        nest += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        nest -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                Token::Space
            }
            b'\'' => {
                i = skip_quoted(b, i, b'\'', !std_strings);
                Token::Literal
            }
            b'"' => {
                i = skip_quoted(b, i, b'"', false);
                Token::Other
            }
            b'$' => {
                i = skip_dollar(b, i);
                if i - start > 1 && b[i - 1] == b'$' { Token::Literal } else { Token::Other }
            }
            c if is_ident_start(c) => {
                // E'...' (backslash escapes), and the other prefixed
                // literals (B'', X'', N'', U&'', U&"") which need no
                // special treatment beyond being scanned as literals.
                if (c == b'e' || c == b'E') && b.get(i + 1) == Some(&b'\'') {
                    i = skip_quoted(b, i + 1, b'\'', true);
                    Token::Literal
                } else if matches!(c, b'b' | b'B' | b'x' | b'X' | b'n' | b'N') && b.get(i + 1) == Some(&b'\'') {
                    i = skip_quoted(b, i + 1, b'\'', !std_strings && matches!(c, b'n' | b'N'));
                    Token::Literal
                } else if (c == b'u' || c == b'U') && b.get(i + 1) == Some(&b'&') && matches!(b.get(i + 2), Some(b'\'' | b'"')) {
                    let q = b[i + 2];
                    i = skip_quoted(b, i + 2, q, false);
                    if q == b'\'' { Token::Literal } else { Token::Other }
                } else {
                    while i < b.len() && is_ident_cont(b[i]) {
                        i += 1;
                    }
                    Token::Word(&sql[start..i])
                }
            }
            _ => {
                // Advance by one whole character.
                i += sql[i..].chars().next().map_or(1, char::len_utf8);
                Token::Other
            }
        };
        Some((tok, i - start))
    })
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_cont(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// Skips a quoted literal starting at the quote `b[i]`; returns the index
/// after it (or the end of the input if it is unterminated). Doubled quotes
/// are part of the literal; with `backslash`, so is any escaped character.
fn skip_quoted(b: &[u8], mut i: usize, q: u8, backslash: bool) -> usize {
    i += 1;
    while i < b.len() {
        if backslash && b[i] == b'\\' {
            i += 2;
        } else if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// Skips a dollar-quoted string, a `$n` parameter or a lone `$`.
fn skip_dollar(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if j < b.len() && b[j].is_ascii_digit() {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        return j;
    }
    if j < b.len() && is_ident_start(b[j]) {
        j += 1;
        while j < b.len() && (is_ident_start(b[j]) || b[j].is_ascii_digit()) {
            j += 1;
        }
    }
    if b.get(j) != Some(&b'$') {
        return i + 1;
    }
    let delim = &b[i..=j];
    let body = j + 1;
    match b[body..].windows(delim.len()).position(|w| w == delim) {
        Some(p) => body + p + delim.len(),
        None => b.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_order_by() {
        assert!(has_top_level_order_by("SELECT a FROM t ORDER BY a"));
        assert!(has_top_level_order_by("select a from t order\n  by a"));
        assert!(has_top_level_order_by("SELECT a FROM t ORDER /* c */ BY 1"));
        assert!(has_top_level_order_by("SELECT a FROM t ORDER -- c\nBY 1"));
        assert!(has_top_level_order_by("(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1"));
        assert!(has_top_level_order_by("WITH x AS (SELECT 1) SELECT * FROM x ORDER BY 1 LIMIT 3"));
    }

    #[test]
    fn ignores_nested_and_quoted_order_by() {
        assert!(!has_top_level_order_by("SELECT a FROM t"));
        assert!(!has_top_level_order_by("SELECT row_number() OVER (ORDER BY a) FROM t"));
        assert!(!has_top_level_order_by("SELECT array_agg(a ORDER BY a) FROM t"));
        assert!(!has_top_level_order_by("SELECT * FROM (SELECT a FROM t ORDER BY a) s"));
        assert!(!has_top_level_order_by("SELECT 'ORDER BY a' FROM t"));
        assert!(!has_top_level_order_by("SELECT E'\\' ORDER BY a' FROM t"));
        assert!(!has_top_level_order_by("SELECT 'it''s ORDER BY' FROM t"));
        assert!(!has_top_level_order_by("SELECT \"ORDER\" BY FROM t"));
        assert!(!has_top_level_order_by("SELECT $$ ORDER BY $$"));
        assert!(!has_top_level_order_by("SELECT $x$ $$ ORDER BY $x$"));
        assert!(!has_top_level_order_by("SELECT 1 -- ORDER BY 1"));
        assert!(!has_top_level_order_by("SELECT 1 /* /* */ ORDER BY 1 */"));
        assert!(!has_top_level_order_by("SELECT a[1] FROM t"));
        assert!(!has_top_level_order_by("SELECT border BY FROM t"));
        assert!(!has_top_level_order_by("SELECT a$order by FROM t"));
        assert!(!has_top_level_order_by("SELECT ORDER, BY"));
        // standard_conforming_strings: a backslash does not escape in '...'
        assert!(has_top_level_order_by("SELECT 'a\\' FROM t ORDER BY 1"));
    }

    #[test]
    fn literal_spans_cover_strings() {
        let sql = "SELECT 'a''b', E'c\\'d', $$x$$, $t$ ' $t$, \"q\", x'1F', $1 FROM t";
        let spans: Vec<&str> = literal_spans(sql, true).into_iter().map(|(a, b)| &sql[a..b]).collect();
        assert_eq!(spans, vec!["'a''b'", "E'c\\'d'", "$$x$$", "$t$ ' $t$", "x'1F'"]);
        let sql = "SELECT 'a\\' b' FROM t";
        assert_eq!(literal_spans(sql, true).len(), 2);
        assert_eq!(literal_spans(sql, false), vec![(7, 14)]);
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for s in ["'", "E'\\", "\"", "$a$", "/*", "$", "$1", "U&", "U&'", "é", "--"] {
            assert!(!has_top_level_order_by(s));
        }
    }
}
