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
