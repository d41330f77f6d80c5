//! The recorder and runner against a real PostgreSQL (ignored by default):
//!
//!     OA_SLT_PG_PORT=55444 cargo test -p oa-slt --test pg -- --ignored

use oa_slt::pg::PgServer;
use oa_slt::{Database, DbError, Output, Vars, parse_file, record_file, run_file};

fn server() -> PgServer {
    let port = std::env::var("OA_SLT_PG_PORT")
        .expect("set OA_SLT_PG_PORT to the port of a PostgreSQL 15 server (trust auth)")
        .parse()
        .expect("OA_SLT_PG_PORT is not a port");
    PgServer::new("127.0.0.1", port, "postgres")
}

const AUTHORED: &str = r#"# tricky values, errors and counts
statement ok
CREATE TABLE t (a int PRIMARY KEY, b text, c char(5), d numeric(10,3), e int[])

statement count
INSERT INTO t VALUES (1, 'x', 'ab', 1.5, '{1,2}'), (2, NULL, NULL, NULL, NULL), (3, '', 'a', -0.001, '{}'), (4, 'NULL', '', 0, '{NULL}'), (5, E'tab\there\nnl\\back', 'x', 2, '{3}'), (6, '(empty)', 'y', 3, NULL)

statement error
INSERT INTO t VALUES (1, 'y')

query
SELECT a, b, c, d, e FROM t

query
SELECT a, b FROM t ORDER BY a DESC

statement count
UPDATE t SET d = d + 1 WHERE d IS NOT NULL

statement count
DELETE FROM t WHERE a > 100

statement ok
BEGIN

statement error
SELECT * FROM nope

statement error
SELECT 1

statement ok
ROLLBACK

query
SELECT 1.0::float8 / 3, '2024-01-02 03:04:05+02'::timestamptz, interval '1 day 2 hours', true, 'a'::"char", NULL::text

statement ok
CREATE TYPE mood AS ENUM ('sad', 'happy')

statement ok
CREATE DOMAIN posint AS int CHECK (VALUE > 0)

query
SELECT 'happy'::mood, 3::posint, ARRAY['sad'::mood]

statement error
SELECT 1/0

statement error
DO $$ BEGIN RAISE 'two%lines', E'\n'; END $$

query
SELECT * FROM t WHERE false

query
SELECT FROM t

statement ok
-- only a comment

statement count
SELECT * INTO t2 FROM t

statement ok
SELECT a FROM t

query
SELECT a FROM t2 WHERE a < 3 ORDER BY a
"#;

#[test]
#[ignore = "needs PostgreSQL: set OA_SLT_PG_PORT and pass --ignored"]
fn record_then_run_against_postgres() {
    let server = server();
    let file = parse_file("tricky.slt", AUTHORED).unwrap();
    let recorded = record_file(&file, &mut server.fresh_database().unwrap(), &Vars::new()).unwrap_or_else(|e| panic!("{e}"));
    for expected in [
        "statement count 6\n",
        "statement error 23505 duplicate key value violates unique constraint \"t_pkey\"\n",
        "query int4,text,bpchar,numeric,_int4 rowsort\nSELECT a, b, c, d, e FROM t\n----\n\
         1\tx\tab   \t1.500\t{1,2}\n\
         2\t\\N\t\\N\t\\N\t\\N\n\
         3\t(empty)\ta    \t-0.001\t{}\n\
         4\tNULL\t     \t0.000\t{NULL}\n\
         5\ttab\\there\\nnl\\\\back\tx    \t2.000\t{3}\n\
         6\t\\(empty)\ty    \t3.000\t\\N\n",
        "query int4,text\nSELECT a, b FROM t ORDER BY a DESC\n----\n6\t\\(empty)\n5\t",
        "statement count 5\nUPDATE",
        "statement count 0\nDELETE",
        "statement error 42P01 relation \"nope\" does not exist\n",
        "statement error 25P02 current transaction is aborted, commands ignored until end of transaction block\n",
        "query float8,timestamptz,interval,bool,char,text\n",
        "0.3333333333333333\t2024-01-02 01:04:05+00\t1 day 02:00:00\tt\ta\t\\N\n",
        "query mood,int4,_mood\n",
        "happy\t3\t{sad}\n",
        "statement error 22012 division by zero\n",
        "statement error P0001 two\\nlines\n",
        "query int4,text,bpchar,numeric,_int4\nSELECT * FROM t WHERE false\n----\n\n",
        "query () rowsort\nSELECT FROM t\n----\n()\n()\n()\n()\n()\n()\n\n",
        "statement count 6\nSELECT * INTO t2",
        "query int4\nSELECT a FROM t2 WHERE a < 3 ORDER BY a\n----\n1\n2\n",
    ] {
        assert!(recorded.contains(expected), "missing {expected:?} in\n{recorded}");
    }
    // What was recorded runs clean against a fresh database...
    let recorded_file = parse_file("tricky.slt", &recorded).unwrap();
    run_file(&recorded_file, &mut server.fresh_database().unwrap(), &Vars::new()).unwrap_or_else(|e| panic!("{e}"));
    // ...and recording it again changes nothing.
    let again = record_file(&recorded_file, &mut server.fresh_database().unwrap(), &Vars::new()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, recorded);
}

fn problems(text: &str) -> Vec<String> {
    let file = parse_file("p.slt", text).unwrap();
    match record_file(&file, &mut server().fresh_database().unwrap(), &Vars::new()) {
        Ok(t) => panic!("recording succeeded:\n{t}"),
        Err(e) => e.problems.into_iter().map(|p| format!("{}: {}", p.line, p.message)).collect(),
    }
}

#[test]
#[ignore = "needs PostgreSQL: set OA_SLT_PG_PORT and pass --ignored"]
fn recorder_never_flips_record_kinds() {
    let p = problems("statement ok\nSELECT 1/0\n\nstatement error\nSELECT 1\n\nquery\nCREATE TABLE x ()\n\nstatement count\nCREATE TABLE y ()\n");
    assert_eq!(p.len(), 4, "{p:?}");
    assert!(p[0].starts_with("1: statement ok failed in PostgreSQL with 22012: division by zero"), "{p:?}");
    assert!(p[1].starts_with("4: statement error succeeded in PostgreSQL (1 row(s))"), "{p:?}");
    assert!(p[2].starts_with("7: query returned no rows description"), "{p:?}");
    assert!(p[3].starts_with("10: statement count: PostgreSQL reported no row count (command tag \"CREATE TABLE\")"), "{p:?}");
}

#[test]
#[ignore = "needs PostgreSQL: set OA_SLT_PG_PORT and pass --ignored"]
fn client_side_rejections_keep_the_connection_usable() {
    let mut db = server().fresh_database().unwrap();
    let e = db.run("SELECT 1; SELECT 2").unwrap_err();
    assert!(e.is_client_error() && e.message.contains("exactly one statement"), "{e}");
    db.run("CREATE TABLE c (a int)").unwrap();
    let e = db.run("COPY c FROM STDIN").unwrap_err();
    assert!(e.is_client_error() && e.message.contains("COPY FROM STDIN"), "{e}");
    let e = db.run("COPY c TO STDOUT").unwrap_err();
    assert!(e.is_client_error(), "{e}");
    assert_eq!(db.run("SELECT count(*) FROM c").unwrap(), Output::Rows { types: vec!["int8".into()], rows: vec![vec![Some("0".into())]] });
    assert_eq!(db.run("").unwrap(), Output::Command { tag: String::new() });
    assert_eq!(db.run("SELEC 1").unwrap_err(), DbError { sqlstate: "42601".into(), message: "syntax error at or near \"SELEC\"".into() });
    // The session settings were applied.
    assert_eq!(db.run("SHOW TimeZone").unwrap(), Output::Rows { types: vec!["text".into()], rows: vec![vec![Some("UTC".into())]] });
}
