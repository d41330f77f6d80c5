//! Session behaviour through the public API: transactions, errors, positions.

use oa_runtime::{Engine, Outcome, Session};

fn session() -> Session {
    Engine::new_in_memory().expect("engine").connect("postgres", "postgres")
}

fn rows(s: &mut Session, sql: &str) -> Vec<Vec<Option<String>>> {
    match s.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e:?}")).pop() {
        Some(Outcome::Rows { rows, .. }) => rows,
        other => panic!("{sql}: not rows: {other:?}"),
    }
}

fn one(s: &mut Session, sql: &str) -> String {
    rows(s, sql)[0][0].clone().unwrap_or_else(|| "NULL".into())
}

#[test]
fn failed_transaction_refuses_until_rollback() {
    let mut s = session();
    s.execute("CREATE TABLE t (a int PRIMARY KEY)").unwrap();
    s.execute("BEGIN").unwrap();
    s.execute("INSERT INTO t VALUES (1)").unwrap();
    let e = s.execute("INSERT INTO t VALUES (1)").unwrap_err();
    assert_eq!(e.code.code(), "23505");
    let e = s.execute("SELECT 1").unwrap_err();
    assert_eq!(e.code.code(), "25P02");
    assert_eq!(s.transaction_status(), b'E');
    s.execute("ROLLBACK").unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM t"), "0");
}

#[test]
fn savepoint_rollback_keeps_earlier_work() {
    let mut s = session();
    s.execute("CREATE TABLE t (a int)").unwrap();
    s.execute("BEGIN; INSERT INTO t VALUES (1); SAVEPOINT sp; INSERT INTO t VALUES (2)").unwrap();
    s.execute("ROLLBACK TO sp").unwrap();
    s.execute("INSERT INTO t VALUES (3); COMMIT").unwrap();
    assert_eq!(rows(&mut s, "SELECT a FROM t ORDER BY a"), vec![vec![Some("1".into())], vec![Some("3".into())]]);
}

#[test]
fn ddl_is_transactional() {
    let mut s = session();
    s.execute("BEGIN; CREATE TABLE t (a int); INSERT INTO t VALUES (1); ROLLBACK").unwrap();
    let e = s.execute("SELECT * FROM t").unwrap_err();
    assert_eq!((e.code.code(), e.message.as_str(), e.position), ("42P01", "relation \"t\" does not exist", Some(15)));
}

#[test]
fn syntax_error_position_counts_characters() {
    let mut s = session();
    // As PostgreSQL: FRM is an alias, "t" is the 16th character (the 17th byte).
    let e = s.execute("SELECT 'é' FRM t").unwrap_err();
    assert_eq!((e.code.code(), e.message.as_str(), e.position), ("42601", "syntax error at or near \"t\"", Some(16)));
}

#[test]
fn sequences_are_not_rolled_back() {
    let mut s = session();
    s.execute("CREATE SEQUENCE q").unwrap();
    s.execute("BEGIN; SELECT nextval('q'); ROLLBACK").unwrap();
    assert_eq!(one(&mut s, "SELECT nextval('q')"), "2");
    assert_eq!(one(&mut s, "SELECT currval('q')"), "2");
}

#[test]
fn settings_follow_transactions() {
    let mut s = session();
    s.execute("BEGIN; SET extra_float_digits = 0; ROLLBACK").unwrap();
    assert_eq!(one(&mut s, "SHOW extra_float_digits"), "1");
    assert_eq!(one(&mut s, "SELECT set_config('extra_float_digits', '2', false)"), "2");
    assert_eq!(one(&mut s, "SELECT current_setting('extra_float_digits')"), "2");
}

#[test]
fn deferred_foreign_key_checked_at_commit() {
    let mut s = session();
    s.execute("CREATE TABLE dparent (id int PRIMARY KEY)").unwrap();
    s.execute("CREATE TABLE dchild (id int, pid int REFERENCES dparent DEFERRABLE INITIALLY DEFERRED)").unwrap();
    s.execute("BEGIN").unwrap();
    s.execute("INSERT INTO dchild VALUES (1, 7)").unwrap();
    s.execute("INSERT INTO dparent VALUES (7)").unwrap();
    s.execute("COMMIT").unwrap();
    s.execute("BEGIN").unwrap();
    s.execute("INSERT INTO dchild VALUES (2, 8)").unwrap();
    let e = s.execute("COMMIT").unwrap_err();
    assert_eq!(e.code.code(), "23503");
    assert_eq!(one(&mut s, "SELECT count(*) FROM dchild"), "1");
}

fn parse1(sql: &str) -> oa_grammar::ast::Statement {
    oa_grammar::parse(sql).expect("parses").remove(0).stmt
}

#[test]
fn describe_infers_parameters_and_columns_without_running() {
    let mut s = session();
    s.execute("CREATE TABLE t (a int, b text)").unwrap();
    let d = s.describe(&parse1("SELECT b, a + 1 AS n FROM t WHERE a = $1 AND b LIKE $2"), &[]).unwrap();
    let oids: Vec<u32> = d.param_types.iter().map(|t| t.oid).collect();
    assert_eq!(oids, [23, 25]);
    let names: Vec<String> = d.fields.unwrap().into_iter().map(|f| f.name).collect();
    assert_eq!(names, ["b", "n"]);
    let d = s.describe(&parse1("INSERT INTO t VALUES ($1, $2)"), &[]).unwrap();
    assert!(d.fields.is_none());
    assert_eq!(d.param_types.len(), 2);
    let d = s.describe(&parse1("SHOW TimeZone"), &[]).unwrap();
    assert_eq!(d.fields.unwrap()[0].name, "timezone");
    assert_eq!(s.transaction_status(), b'I');
    assert_eq!(one(&mut s, "SELECT count(*) FROM t"), "0");
}

#[test]
fn extended_statements_share_one_transaction_until_sync() {
    let mut s = session();
    s.execute("CREATE TABLE t (a int PRIMARY KEY)").unwrap();
    let ins = parse1("INSERT INTO t VALUES ($1)");
    let int4 = [oa_ir::types::SqlType::new(23)];
    let mut p = s.start_portal(&ins, &[oa_ir::datum::Datum::Int32(1)], &int4).unwrap();
    s.fetch(&mut p, usize::MAX).unwrap();
    assert_eq!(s.finish_portal(&p).unwrap(), "INSERT 0 1");
    // A failure before Sync rolls back the implicit transaction's earlier work.
    let r = s.start_portal(&ins, &[oa_ir::datum::Datum::Int32(1)], &int4).and_then(|mut p| s.fetch(&mut p, usize::MAX).map(|_| p));
    assert_eq!(r.err().map(|e| e.code.code().to_string()).as_deref(), Some("23505"));
    s.statement_failed();
    s.sync().unwrap();
    assert_eq!(one(&mut s, "SELECT count(*) FROM t"), "0");
    // Without a failure, Sync commits; rows come out a few at a time.
    let mut p = s.start_portal(&parse1("INSERT INTO t SELECT generate_series(1, 5)"), &[], &[]).unwrap();
    s.fetch(&mut p, usize::MAX).unwrap();
    s.finish_portal(&p).unwrap();
    s.sync().unwrap();
    let mut p = s.start_portal(&parse1("SELECT a FROM t ORDER BY a"), &[], &[]).unwrap();
    assert_eq!(s.fetch_datums(&mut p, 2).unwrap().len(), 2);
    assert_eq!(s.fetch(&mut p, 10).unwrap().len(), 3);
    assert_eq!(s.finish_portal(&p).unwrap(), "SELECT 5");
    s.sync().unwrap();
    assert_eq!(s.transaction_status(), b'I');
}

#[test]
fn startup_options_are_what_reset_returns_to() {
    let mut s = session();
    s.set_startup_option("DateStyle", "SQL, DMY").unwrap();
    assert_eq!(one(&mut s, "SHOW DateStyle"), "SQL, DMY");
    s.execute("SET DateStyle = ISO").unwrap();
    s.execute("RESET DateStyle").unwrap();
    assert_eq!(one(&mut s, "SHOW DateStyle"), "SQL, DMY");
    s.execute("SET DateStyle = ISO; RESET ALL").unwrap();
    assert_eq!(one(&mut s, "SHOW DateStyle"), "SQL, DMY");
}

#[test]
fn notices_come_with_their_statement() {
    let mut s = session();
    let mut events = Vec::new();
    s.execute_events("DROP TABLE IF EXISTS nope; SELECT 1", |e| events.push(e)).unwrap();
    assert!(matches!(&events[0], oa_runtime::Event::Notice(n) if n.message.contains("does not exist, skipping")));
    assert!(matches!(&events[1], oa_runtime::Event::Outcome(Outcome::Command { tag }) if tag == "DROP TABLE"));
    assert!(matches!(&events[2], oa_runtime::Event::Outcome(Outcome::Rows { .. })));
}

#[test]
fn copy_to_stdout_and_from_stdin_in_postgres_formats() {
    let mut s = session();
    s.execute("CREATE TABLE ct (a int, b text, c float8)").unwrap();
    s.execute(r#"INSERT INTO ct VALUES (1, E'x\\y\tz', 1.5), (2, NULL, NULL), (3, '', '-0'), (4, 'a,"b"', 'nan')"#).unwrap();
    let copy_out = |s: &mut Session, sql: &str| {
        s.execute(sql).unwrap();
        String::from_utf8(s.take_copy_out().expect("COPY TO STDOUT data").data).unwrap()
    };
    // Expected output from PostgreSQL 15.18 for the same rows.
    assert_eq!(copy_out(&mut s, "COPY ct TO STDOUT"), "1\tx\\\\y\\tz\t1.5\n2\t\\N\t\\N\n3\t\t-0\n4\ta,\"b\"\tNaN\n");
    assert_eq!(
        copy_out(&mut s, "COPY ct TO STDOUT (FORMAT csv, HEADER, FORCE_QUOTE (a))"),
        "a,b,c\n\"1\",x\\y\tz,1.5\n\"2\",,\n\"3\",\"\",-0\n\"4\",\"a,\"\"b\"\"\",NaN\n"
    );
    assert_eq!(copy_out(&mut s, "COPY (SELECT 1, 'q') TO STDOUT"), "1\tq\n");
    let copy = parse1("COPY ct FROM STDIN (FORMAT csv)");
    assert_eq!(s.copy_shape(&copy).unwrap(), (3, true));
    let out = s.run_copy_in(&copy, "", b"5,\"p,q\",2\n6,,\n".to_vec()).unwrap();
    assert_eq!(out, Outcome::Command { tag: "COPY 2".into() });
    assert_eq!(rows(&mut s, "SELECT b FROM ct WHERE a = 5")[0][0].as_deref(), Some("p,q"));
    // Bad data fails the whole COPY.
    let e = s.run_copy_in(&parse1("COPY ct FROM STDIN"), "", b"7\tx\t1\n8\n".to_vec()).unwrap_err();
    assert_eq!(e.code.code(), "22P04");
    assert_eq!(one(&mut s, "SELECT count(*) FROM ct"), "6");
    let e = s.execute("CREATE VIEW cv AS SELECT 1; COPY cv TO STDOUT").unwrap_err();
    assert_eq!(e.message, "cannot copy from view \"cv\"");
}

#[test]
fn extended_utility_statements_wait_for_sync_too() {
    let mut s = session();
    let create = parse1("CREATE TABLE u (a int)");
    s.run_extended(&create, "CREATE TABLE u (a int)", &[], &[]).unwrap();
    let e = s.start_portal(&parse1("SELECT 1/0"), &[], &[]).and_then(|mut p| s.fetch(&mut p, 10)).unwrap_err();
    assert_eq!(e.code.code(), "22012");
    s.statement_failed();
    s.sync().unwrap();
    assert_eq!(s.execute("SELECT * FROM u").unwrap_err().code.code(), "42P01");
}
