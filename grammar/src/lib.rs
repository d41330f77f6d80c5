//! PostgreSQL's SQL dialect: a logos lexer, a LALRPOP grammar and the AST it
//! builds. A leaf crate, so editing any other layer never regenerates the parser.

pub mod ast;
pub mod keywords;
pub mod lexer;
mod nodes;

#[allow(clippy::all, unused_parens, unused_variables, unused_imports, non_snake_case, dead_code)]
mod sql {
    include!(concat!(env!("OUT_DIR"), "/sql.rs"));
}

use ast::Statement;
pub use lexer::{LexOptions, Tok};

/// A lexical or syntax error as PostgreSQL reports it (`42601` unless noted).
/// `position` is a byte offset into the text that was parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
    pub position: Option<usize>,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

impl SyntaxError {
    pub fn new(code: &'static str, message: impl Into<String>, position: Option<usize>) -> Self {
        SyntaxError { code, message: message.into(), hint: None, position }
    }

    /// `MSG at or near "TOKEN"`, or `MSG at end of input`, as scanner_yyerror words it.
    pub fn near(msg: impl std::fmt::Display, sql: &str, start: usize, end: usize) -> Self {
        let message = match sql.get(start..end.max(start)) {
            Some(text) if start < sql.len() && !text.is_empty() => format!("{msg} at or near \"{text}\""),
            _ => format!("{msg} at end of input"),
        };
        SyntaxError::new("42601", message, Some(start.min(sql.len())))
    }

    /// Like `near`, for the token that starts at `start`.
    pub fn near_token(msg: impl std::fmt::Display, sql: &str, start: usize) -> Self {
        let end = lexer::tokenize(&sql[start..], LexOptions::default()).ok().and_then(|t| t.first().map(|t| start + t.2)).unwrap_or(sql.len());
        SyntaxError::near(msg, sql, start, end)
    }

    /// A 42601 error without the "at or near" suffix.
    pub fn plain(msg: impl Into<String>, position: usize) -> Self {
        SyntaxError::new("42601", msg, Some(position))
    }

    /// `0A000`: valid PostgreSQL that OpenAssay does not implement yet.
    pub fn unsupported(what: &str, position: usize) -> Self {
        SyntaxError::new("0A000", format!("{what} are not supported yet"), Some(position))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// One statement of a (possibly multi-statement) query string.
#[derive(Clone, Debug, PartialEq)]
pub struct RawStatement {
    pub stmt: Statement,
    /// Byte span of the statement in the whole text.
    pub start: usize,
    pub end: usize,
}

/// Parses a query string that may hold several `;`-separated statements.
/// Empty statements are dropped, as PostgreSQL does.
pub fn parse(sql: &str) -> Result<Vec<RawStatement>, SyntaxError> {
    parse_with(sql, LexOptions::default())
}

pub fn parse_with(sql: &str, options: LexOptions) -> Result<Vec<RawStatement>, SyntaxError> {
    let tokens = lexer::tokenize(sql, options)?;
    let parser = sql::MultiParser::new();
    match parser.parse(sql, tokens) {
        Ok(stmts) => Ok(stmts.into_iter().filter_map(|(start, stmt, end)| stmt.map(|stmt| RawStatement { stmt, start, end })).collect()),
        Err(e) => Err(convert_error(sql, e)),
    }
}

/// Parses a single expression (stored defaults and CHECK constraints). One
/// parser serves every entry point: the expression is parsed as a select
/// list, keeping the generated tables to a single start symbol.
pub fn parse_expr(text: &str) -> Result<ast::Expr, SyntaxError> {
    const PREFIX: &str = "SELECT ";
    let wrapped = format!("{PREFIX}{text}");
    let shift = |mut e: SyntaxError| {
        e.position = e.position.map(|p| p.saturating_sub(PREFIX.len()));
        e
    };
    let mut stmts = parse(&wrapped).map_err(shift)?;
    if let (1, Some(RawStatement { stmt: Statement::Select(s), .. })) = (stmts.len(), stmts.pop())
        && let ast::SetExpr::Select(core) = s.body
        && core.targets.len() == 1
        && core.from.is_empty()
        && s.order_by.is_empty()
    {
        let ast::ResTarget::Expr { mut expr, alias: None, .. } = core.targets.into_iter().next().unwrap_or_else(|| unreachable!()) else {
            return Err(SyntaxError::plain("syntax error", 0));
        };
        shift_locations(&mut expr, PREFIX.len());
        return Ok(expr);
    }
    Err(SyntaxError::plain("syntax error", 0))
}

/// Parses a single type name (casts written as strings, `format_type` input, …).
pub fn parse_type_name(text: &str) -> Result<ast::TypeName, SyntaxError> {
    let expr = parse_expr(&format!("NULL::{text}")).map_err(|mut e| {
        e.position = e.position.map(|p| p.saturating_sub(6));
        e
    })?;
    match expr.kind {
        ast::ExprKind::Cast { type_name, .. } => Ok(type_name),
        _ => Err(SyntaxError::plain("syntax error", 0)),
    }
}

/// Moves every location in an expression back by `by` bytes (locations are
/// only used for error positions; nested subqueries keep theirs).
fn shift_locations(e: &mut ast::Expr, by: usize) {
    e.loc = e.loc.saturating_sub(by);
}

type LalrpopError = lalrpop_util::ParseError<usize, Tok, SyntaxError>;

fn convert_error(sql: &str, e: LalrpopError) -> SyntaxError {
    use lalrpop_util::ParseError as P;
    match e {
        P::User { error } => error,
        P::InvalidToken { location } => SyntaxError::near_token("syntax error", sql, location),
        P::UnrecognizedEof { .. } => SyntaxError::near("syntax error", sql, sql.len(), sql.len()),
        P::UnrecognizedToken { token: (l, _, r), .. } | P::ExtraToken { token: (l, _, r) } => SyntaxError::near("syntax error", sql, l, r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast::*;

    fn one(sql: &str) -> Statement {
        let mut v = parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        assert_eq!(v.len(), 1, "{sql}");
        v.remove(0).stmt
    }

    #[test]
    fn select_shapes() {
        for sql in [
            "SELECT 1",
            "SELECT a, b AS c, d e FROM t WHERE x > 1 GROUP BY a HAVING count(*) > 1 ORDER BY 1 DESC NULLS LAST LIMIT 10 OFFSET 2",
            "SELECT DISTINCT ON (a) a FROM t",
            "(SELECT 1) UNION ALL SELECT 2 INTERSECT SELECT 3 ORDER BY 1",
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r",
            "SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y) CROSS JOIN d NATURAL JOIN e",
            "SELECT * FROM a, LATERAL (SELECT * FROM b WHERE b.x = a.x) s",
            "VALUES (1, 'a'), (2, 'b')",
            "SELECT x FROM t WHERE x IN (1, 2, 3) AND y NOT IN (SELECT z FROM u) OR EXISTS (SELECT 1)",
            "SELECT CASE WHEN a THEN 1 ELSE 2 END, CAST(x AS numeric(10,2)), y::text[], '1 day'::interval",
            "SELECT EXTRACT(year FROM d), SUBSTRING(s FROM 1 FOR 2), TRIM(LEADING 'x' FROM s), POSITION('a' IN s)",
            "SELECT count(DISTINCT a) FILTER (WHERE b) OVER (PARTITION BY c ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            "SELECT a[1], a[1:2], (t).f, t.*, ARRAY[1,2], ROW(1, 2), (1, 2)",
            "SELECT x BETWEEN 1 AND 2, x LIKE 'a%' ESCAPE '\\', x ILIKE 'b', x SIMILAR TO 'c', x IS DISTINCT FROM y",
            "SELECT date '2001-01-01' + interval '1' day, timestamp with time zone 'now', x AT TIME ZONE 'UTC'",
            "SELECT 1 FROM t FOR UPDATE SKIP LOCKED",
            "SELECT * FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES",
            "SELECT a FROM t GROUP BY ROLLUP (a, b), CUBE (c), GROUPING SETS ((a), ())",
            "SELECT x = ANY (ARRAY[1,2]), x < ALL (SELECT 1), - 2 ^ 2, 1 OPERATOR(pg_catalog.+) 2",
            "SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(i, n)",
        ] {
            one(sql);
        }
    }

    #[test]
    fn dml_and_ddl() {
        for sql in [
            "INSERT INTO t (a, b) VALUES (1, DEFAULT) ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING *",
            "INSERT INTO t DEFAULT VALUES",
            "INSERT INTO t SELECT * FROM u",
            "UPDATE t AS x SET a = 1, (b, c) = (2, 3) FROM u WHERE x.id = u.id RETURNING a",
            "DELETE FROM t USING u WHERE t.a = u.a",
            "CREATE TABLE t (a int PRIMARY KEY, b text NOT NULL DEFAULT 'x' CHECK (b <> ''), c numeric(10,2) REFERENCES u(c) ON DELETE CASCADE, UNIQUE (b, c))",
            "CREATE TEMP TABLE IF NOT EXISTS t (id serial, g int GENERATED ALWAYS AS IDENTITY)",
            "CREATE TABLE t AS SELECT 1 AS a",
            "CREATE VIEW v AS SELECT 1",
            "CREATE UNIQUE INDEX i ON t USING btree (a DESC, lower(b))",
            "CREATE SEQUENCE s START 10 INCREMENT BY 2 NO CYCLE",
            "CREATE SCHEMA s",
            "ALTER TABLE t ADD COLUMN x int, DROP COLUMN y, ALTER COLUMN z TYPE text, ADD CONSTRAINT c CHECK (x > 0)",
            "DROP TABLE IF EXISTS t, u CASCADE",
            "TRUNCATE t RESTART IDENTITY",
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
            "SET search_path TO a, b",
            "SET TIME ZONE 'UTC'",
            "SHOW ALL",
            "RESET ALL",
            "PREPARE p (int) AS SELECT $1",
            "EXECUTE p (1)",
            "EXPLAIN (COSTS OFF) SELECT 1",
            "COPY t FROM '/tmp/x.csv' (FORMAT csv, HEADER)",
            "COPY (SELECT 1) TO STDOUT WITH CSV HEADER",
            "ANALYZE t",
            "VACUUM t",
        ] {
            one(sql);
        }
    }

    #[test]
    fn precedence() {
        let Statement::Select(s) = one("SELECT 1 + 2 * 3") else { panic!() };
        let SetExpr::Select(core) = &s.body else { panic!() };
        let ResTarget::Expr { expr, .. } = &core.targets[0];
        let ExprKind::BinaryOp { op, right, .. } = &expr.kind else { panic!() };
        assert_eq!(op, &vec!["+".to_string()]);
        assert!(matches!(&right.kind, ExprKind::BinaryOp { op, .. } if op == &vec!["*".to_string()]));
    }

    #[test]
    fn syntax_errors() {
        let e = parse("SELECT FROM WHERE").unwrap_err();
        assert_eq!(e.message, "syntax error at or near \"WHERE\"");
        assert_eq!(e.position, Some(12));
        let e = parse("SELECT (1").unwrap_err();
        assert_eq!(e.message, "syntax error at end of input");
        let e = parse("SELECT 1 < 2 < 3").unwrap_err();
        assert_eq!(e.message, "syntax error at or near \"<\"");
        // Statement kinds OpenAssay does not build still parse strictly.
        let Statement::Unsupported(u) = one("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql") else { panic!() };
        assert_eq!(u.what, "CREATE FUNCTION");
        let e = parse("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql IMMUTABLE STRICT BOGUS").unwrap_err();
        assert_eq!(e.message, "syntax error at or near \"BOGUS\"");
    }

    #[test]
    fn multi_statement_spans() {
        let v = parse("SELECT 1; ; SELECT 2").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].start, 12);
    }

    fn unsupported_what(sql: &str) -> String {
        match one(sql) {
            Statement::Unsupported(u) => u.what,
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn syntax_error(sql: &str) -> String {
        let e = parse(sql).expect_err(sql);
        assert_eq!(e.code, "42601", "{sql}: {e:?}");
        e.message
    }

    #[test]
    fn statements_not_built_are_named() {
        for (sql, what) in [
            ("CREATE OR REPLACE FUNCTION f(a int, OUT b text) RETURNS SETOF record LANGUAGE sql IMMUTABLE AS 'select 1'", "CREATE FUNCTION"),
            ("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ; SELECT 1;; RETURN 1; END", "CREATE FUNCTION"),
            ("CREATE PROCEDURE p(x int) LANGUAGE plpgsql AS $$ begin end $$", "CREATE PROCEDURE"),
            ("GRANT SELECT, UPDATE (a) ON TABLE t TO PUBLIC WITH GRANT OPTION", "GRANT"),
            ("REVOKE ALL ON ALL TABLES IN SCHEMA s FROM r CASCADE", "REVOKE"),
            ("DO $$ begin null; end $$", "DO"),
            ("DO LANGUAGE plpgsql 'begin end'", "DO"),
            ("CREATE TYPE t AS ENUM ('a', 'b')", "CREATE TYPE"),
            ("CREATE DOMAIN d AS int CHECK (VALUE > 0)", "CREATE DOMAIN"),
            ("CREATE TRIGGER tr BEFORE INSERT OR UPDATE OF a ON t FOR EACH ROW WHEN (NEW.a > 0) EXECUTE FUNCTION f()", "CREATE TRIGGER"),
            ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN UPDATE SET b = s.b WHEN NOT MATCHED THEN INSERT VALUES (s.a, s.b)", "MERGE INTO"),
            ("ALTER TYPE planets ADD VALUE IF NOT EXISTS 'pluto' AFTER 'neptune'", "ALTER TYPE"),
            ("ALTER FUNCTION f(int) OWNER TO CURRENT_USER", "ALTER FUNCTION"),
            ("DROP FUNCTION IF EXISTS f(int), g CASCADE", "DROP FUNCTION"),
            ("DROP POLICY p ON t", "DROP POLICY"),
            ("DROP COLLATION c", "DROP COLLATION"),
            ("COMMENT ON FUNCTION f(int) IS 'x'", "COMMENT ON FUNCTION"),
            ("COMMENT ON COLLATION c IS NULL", "COMMENT ON COLLATION"),
            ("ALTER TYPE t SET SCHEMA s", "ALTER TYPE"),
            ("CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (MINVALUE) TO (10) PARTITION BY LIST (a)", "CREATE TABLE ... PARTITION OF"),
            ("CREATE TABLE t OF ty (a WITH OPTIONS NOT NULL)", "CREATE TABLE ... OF type"),
            ("DECLARE c SCROLL CURSOR WITH HOLD FOR SELECT 1", "DECLARE"),
            ("FETCH BACKWARD 2 FROM c", "FETCH"),
            ("LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT", "LOCK"),
            ("REINDEX (VERBOSE) TABLE CONCURRENTLY t", "REINDEX"),
        ] {
            assert_eq!(unsupported_what(sql), what, "{sql}");
        }
        // Statements inside BEGIN ATOMIC may be END of a transaction only at top level.
        assert!(parse("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC END; END").is_ok());
        for sql in [
            "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
            "EXPLAIN (COSTS OFF) MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
            "WITH x AS (MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE) SELECT 1",
        ] {
            parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        }
    }

    #[test]
    fn malformed_statements_are_syntax_errors() {
        for (sql, msg) in [
            ("CREATE FUNCTION f() RETURNS int AS 'x' LANGUAGE", "syntax error at end of input"),
            ("GRANT SELECT ON t", "syntax error at end of input"),
            ("DROP FUNCTION f(int) BOGUS", "syntax error at or near \"BOGUS\""),
            ("CREATE TABLE p1 PARTITION OF p FOR VALUES IN ()", "syntax error at or near \")\""),
            ("ALTER INDEX IF EXISTS i ATTACH PARTITION p", "syntax error at or near \"ATTACH\""),
            ("ALTER INDEX i RENAME COLUMN a TO b", "syntax error at or near \"COLUMN\""),
            ("ALTER INDEX i SET SCHEMA s", "syntax error at or near \"SCHEMA\""),
            ("DROP FUNCTION a.* CASCADE", "syntax error at or near \"CASCADE\""),
            ("SELECT * FROM a.b[1]", "syntax error at end of input"),
            ("SELECT EXTRACT()", "syntax error at or near \")\""),
            ("CREATE TABLE t (LIKE u INCLUDING EVERYTHING)", "syntax error at or near \"EVERYTHING\""),
            ("CREATE INDEX i ON t (a) WITHOUT OIDS", "syntax error at or near \"WITHOUT\""),
        ] {
            assert_eq!(syntax_error(sql), msg, "{sql}");
        }
        let e = parse("COPY t TO STDOUT WHERE a > 1").unwrap_err();
        assert_eq!(e.message, "WHERE clause not allowed with COPY TO");
        let e = parse("SELECT (1, 2, 3) OVERLAPS (4, 5)").unwrap_err();
        assert_eq!(e.message, "wrong number of parameters on left side of OVERLAPS expression");
        let e = parse("SELECT xmlelement(name foo, xmlattributes(1 AS a))").unwrap_err();
        assert_eq!(e.code, "0A000");
    }

    #[test]
    fn ddl_builds_ast() {
        let Statement::Drop(d) = one("DROP TABLE IF EXISTS a, s.b CASCADE") else { panic!() };
        assert_eq!((d.kind, d.names.len(), d.if_exists, d.cascade), (ObjectKind::Table, 2, true, true));
        let Statement::Drop(d) = one("DROP SCHEMA s1, s2") else { panic!() };
        assert_eq!(d.names, vec![vec!["s1".to_string()], vec!["s2".to_string()]]);
        let Statement::Comment(c) = one("COMMENT ON COLUMN t.a IS 'x'") else { panic!() };
        assert_eq!((c.object, c.comment.as_deref()), (ObjectKind::Column, Some("x")));
        let Statement::Rename(r) = one("ALTER VIEW IF EXISTS v RENAME COLUMN a TO b") else { panic!() };
        assert_eq!((r.object, r.if_exists, r.subname.as_deref(), r.new_name.as_str()), (ObjectKind::Column, true, Some("a"), "b"));
        let Statement::AlterSequence(a) = one("ALTER SEQUENCE IF EXISTS s RESTART WITH 5 UNLOGGED") else { panic!() };
        assert!(a.if_exists);
        assert_eq!(a.options.len(), 2);
        let Statement::AlterTable(a) =
            one("ALTER TABLE ONLY t ALTER COLUMN a SET DEFAULT 1, ALTER b TYPE text USING b::text, ENABLE ROW LEVEL SECURITY")
        else {
            panic!()
        };
        assert!(!a.table.inh);
        assert!(matches!(a.commands[0], AlterTableCmd::SetDefault { .. }));
        assert!(matches!(a.commands[1], AlterTableCmd::AlterColumnType { .. }));
        assert!(matches!(a.commands[2], AlterTableCmd::Unsupported(_)));
        let Statement::CreateTable(t) = one(
            "CREATE TABLE t (a text COMPRESSION pglz, b int, CHECK (b > 0) NOT VALID NO INHERIT) PARTITION BY RANGE (a COLLATE \"C\" text_ops) USING heap",
        ) else {
            panic!()
        };
        assert_eq!(t.access_method.as_deref(), Some("heap"));
        let TableElement::Column(c) = &t.elements[0] else { panic!() };
        assert_eq!(c.compression.as_deref(), Some("pglz"));
        let TableElement::Constraint(k) = &t.elements[2] else { panic!() };
        assert!(k.not_valid);
        assert!(matches!(k.kind, TableConstraintKind::Check { no_inherit: true, .. }));
        let Statement::CreateIndex(i) = one("CREATE INDEX IF NOT EXISTS i ON t USING gist (a int4_ops (siglen = 8) DESC) INCLUDE (b)") else {
            panic!()
        };
        assert!(i.if_not_exists);
        assert_eq!(i.include, vec!["b".to_string()]);
        assert_eq!(i.columns[0].opclass_options.len(), 1);
        let Statement::Copy(c) = one("COPY t FROM STDIN USING DELIMITERS '|' WITH NULL AS ''") else { panic!() };
        assert_eq!(c.options.len(), 2);
        let Statement::Explain(e) = one("EXPLAIN ANALYSE VERBOSE SELECT 1") else { panic!() };
        assert_eq!(e.options.len(), 2);
    }

    #[test]
    fn expression_forms() {
        for sql in [
            "SELECT 33 * ANY ('{1,2,3}'), 2 ^ ALL (ARRAY[1]), 1 + SOME (SELECT 1)",
            "SELECT 'foo' NOT LIKE ANY (ARRAY['%a']), 'foo' NOT ILIKE ALL (ARRAY['%o'])",
            "SELECT a || !!b, !! !!c, @-1",
            "SELECT (a, b) OVERLAPS (c, d), ROW(a, b) OVERLAPS ROW(c, d)",
            "SELECT xmlexists('//x' PASSING BY REF doc)",
            "SELECT * FROM a CROSS JOIN (b CROSS JOIN LATERAL (SELECT 1) s)",
            "SELECT * FROM (a JOIN b USING (x)) AS j(x, y)",
            "((SELECT 2)) UNION SELECT 2",
            "SELECT 1 INTERSECT (((SELECT 2 UNION ALL SELECT 3))) ORDER BY 1",
            "INSERT INTO t VALUES (DEFAULT, DEFAULT::int)",
        ] {
            parse(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        }
        let Statement::Select(s) = one("SELECT 33 * ANY (a)") else { panic!() };
        let SetExpr::Select(core) = &s.body else { panic!() };
        let ResTarget::Expr { expr, .. } = &core.targets[0];
        assert!(matches!(&expr.kind, ExprKind::AnyAll { op, all: false, .. } if op == &vec!["*".to_string()]));
        // DEFAULT is an a_expr, not a b_expr (column defaults use b_expr).
        assert!(parse("CREATE TABLE t (a int DEFAULT DEFAULT)").is_err());
    }

    #[test]
    fn standard_conforming_strings_off() {
        let off = LexOptions { standard_conforming_strings: false };
        let v = parse_with("SELECT 'a\\\\b\\'cd' AS f", off).unwrap();
        let Statement::Select(s) = &v[0].stmt else { panic!() };
        let SetExpr::Select(core) = &s.body else { panic!() };
        let ResTarget::Expr { expr, .. } = &core.targets[0];
        assert_eq!(expr.kind, ExprKind::Literal(Literal::String("a\\b'cd".into())));
        let e = parse_with("SELECT U&'x'", off).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("0A000", "unsafe use of string constant with Unicode escapes"));
    }
}
