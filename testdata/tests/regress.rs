//! The regression-suite splitter over the whole suite in `../shared`.

use oa_slt::regress::{default_suite_dir, split_suite};

#[test]
fn splits_the_whole_suite_without_problems() {
    let dir = default_suite_dir();
    let start = std::time::Instant::now();
    let files = split_suite(&dir).unwrap_or_else(|e| panic!("reading the suite at {}: {e}", dir.display()));
    let elapsed = start.elapsed();
    let (mut total, mut rejected, mut inexact) = (0, 0, 0);
    let mut problems = Vec::new();
    for f in &files {
        let r = f.statements.iter().filter(|s| !s.pg_accepts).count();
        let x = f.statements.iter().filter(|s| !s.exact).count();
        println!("{:<28} {:>6} statements {:>5} accepted {:>4} rejected {:>4} inexact", f.file, f.statements.len(), f.statements.len() - r, r, x);
        total += f.statements.len();
        rejected += r;
        inexact += x;
        problems.extend(f.problems.iter().cloned());
    }
    println!(
        "{} files: {total} statements, {} accepted, {rejected} rejected, {inexact} inexact, split in {elapsed:?}",
        files.len(),
        total - rejected
    );
    for p in &problems {
        println!("problem: {p}");
    }
    assert!(problems.is_empty(), "{} alignment problems", problems.len());
    assert!(files.len() >= 200, "only {} files", files.len());
}

/// Cross-checks the verdicts taken from the expected output against
/// PostgreSQL's own parser: every statement whose text is exact is sent as
/// a Parse message (parsed, not run) to a live server.
///
///     OA_SLT_PG_PORT=55444 cargo test -p oa-slt --test regress -- --ignored
#[test]
#[ignore = "needs PostgreSQL: set OA_SLT_PG_PORT and pass --ignored"]
fn verdicts_agree_with_the_postgres_parser() {
    use oa_slt::Database;
    use oa_slt::pg::PgServer;

    let port: u16 = std::env::var("OA_SLT_PG_PORT").expect("set OA_SLT_PG_PORT").parse().expect("OA_SLT_PG_PORT is not a port");
    let server = PgServer::new("127.0.0.1", port, "postgres");
    let mut fresh = server.fresh_database().unwrap();
    let mut db = server.connect(fresh.name()).unwrap();
    fresh.run("SELECT 1").unwrap();
    let statements = oa_slt::regress::statements(&default_suite_dir()).unwrap();
    let mut std_strings = true;
    let (mut checked, mut disagree) = (0, Vec::new());
    for s in statements.iter().filter(|s| s.exact) {
        if s.std_strings != std_strings {
            std_strings = s.std_strings;
            let v = if std_strings { "on" } else { "off" };
            db.run(&format!("SET standard_conforming_strings = {v}")).unwrap();
        }
        let parser_rejects = match db.parse_only(&s.sql) {
            Ok(()) => false,
            Err(e) if e.is_client_error() => panic!("{s}: {e}"),
            Err(e) => e.message.starts_with("syntax error"),
        };
        checked += 1;
        if parser_rejects == s.pg_accepts {
            disagree.push(format!("{s}: parser {}\n{}", if parser_rejects { "rejects" } else { "accepts" }, s.sql));
        }
    }
    println!("{checked} statements checked, {} disagree", disagree.len());
    for d in &disagree {
        println!("{d}\n");
    }
    assert!(disagree.is_empty());
}
