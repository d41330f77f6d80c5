//! The openassay server: PostgreSQL's wire protocol on tokio, with pgwire's
//! backend message types and SCRAM-SHA-256, over one shared engine.
//!
//! - `server`: the listener, startup and authentication, socket reader/writer.
//! - `conn`: each connection's session thread (simple and extended query).
//! - `frontend`: strict framing and decoding of client messages.
//! - `values`: type lengths, parameters, binary results.
//! - `auth`: trust and SCRAM password files.
//! - `shell`: `openassay --shell`, and below, its psql-like formatting.

pub mod auth;
pub mod conn;
pub mod frontend;
pub mod log;
pub mod server;
pub mod shell;
pub mod values;

use oa_runtime::Outcome;

/// Whether `sql` ends with a `;` outside quotes, comments and dollar quotes
/// (the shell's cue to run what it has).
pub fn statement_complete(sql: &str) -> bool {
    let trimmed = sql.trim_end();
    if !trimmed.ends_with(';') {
        return false;
    }
    // The lexer knows PostgreSQL's quoting rules; an unterminated literal fails to lex.
    match oa_grammar::lexer::tokenize(trimmed, oa_grammar::LexOptions::default()) {
        Ok(tokens) => tokens.last().is_some_and(|t| matches!(t.1, oa_grammar::Tok::Semicolon)),
        Err(_) => false,
    }
}

/// psql's aligned output: headers, a separator, rows, and `(N rows)`.
pub fn format_outcome(o: &Outcome) -> String {
    match o {
        Outcome::Command { tag } => format!("{tag}\n"),
        Outcome::Rows { fields, rows, .. } => {
            let cells: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|v| v.clone().unwrap_or_default()).collect()).collect();
            let mut widths: Vec<usize> = fields.iter().map(|f| f.name.chars().count()).collect();
            for r in &cells {
                for (i, v) in r.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i) {
                        *w = (*w).max(v.chars().count());
                    }
                }
            }
            let mut out = String::new();
            let header: Vec<String> = fields.iter().zip(&widths).map(|(f, w)| center(&f.name, *w)).collect();
            out.push_str(&format!(" {} \n", header.join(" | ")));
            out.push_str(&widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("+"));
            out.push('\n');
            for r in &cells {
                let line: Vec<String> = r.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
                out.push_str(&format!(" {}\n", line.join(" | ").trim_end()));
            }
            out.push_str(&format!("({} row{})\n\n", rows.len(), if rows.len() == 1 { "" } else { "s" }));
            out
        }
    }
}

fn center(s: &str, width: usize) -> String {
    let len = s.chars().count();
    let left = (width.saturating_sub(len)) / 2;
    let right = width.saturating_sub(len) - left;
    format!("{}{}{}", " ".repeat(left), s, " ".repeat(right))
}

/// psql's error report: `ERROR:  message`, with LINE and a caret when there is a position.
pub fn format_error(e: &oa_ir::Error, sql: &str) -> String {
    let mut out = format!("ERROR:  {}\n", e.message);
    if let Some(pos) = e.position {
        let before: String = sql.chars().take(pos.saturating_sub(1)).collect();
        let line_no = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before[line_start..].chars().count();
        let line = sql.lines().nth(line_no - 1).unwrap_or("");
        let prefix = format!("LINE {line_no}: ");
        out.push_str(&format!("{prefix}{line}\n{}^\n", " ".repeat(prefix.len() + col)));
    }
    if let Some(d) = &e.detail {
        out.push_str(&format!("DETAIL:  {d}\n"));
    }
    if let Some(h) = &e.hint {
        out.push_str(&format!("HINT:  {h}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_end_at_an_unquoted_semicolon() {
        assert!(statement_complete("SELECT 1;"));
        assert!(!statement_complete("SELECT ';"));
        assert!(!statement_complete("SELECT $$;"));
        assert!(statement_complete("SELECT $$;$$;\n"));
    }

    #[test]
    fn errors_point_at_the_character() {
        let e = oa_ir::Error::new(oa_ir::SqlState::SYNTAX_ERROR, "syntax error at or near \"t\"").with_position(16);
        assert_eq!(
            format_error(&e, "SELECT 'é' FRM t;"),
            "ERROR:  syntax error at or near \"t\"\nLINE 1: SELECT 'é' FRM t;\n                       ^\n"
        );
    }
}
