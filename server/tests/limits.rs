//! Statements deep enough to overflow a thread's stack: PostgreSQL answers
//! them or refuses them with 54001, and so must we — a stack overflow would
//! abort the whole server, not just the session.

use std::time::Duration;

use oa_server::auth::AuthMethod;
use oa_server::server::{BackgroundServer, ServerConfig};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Config, NoTls, SimpleQueryMessage};

async fn rows(client: &tokio_postgres::Client, sql: &str) -> Result<Vec<String>, tokio_postgres::Error> {
    let msgs = client.simple_query(sql).await?;
    Ok(msgs
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_string()),
            _ => None,
        })
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_statements_answer_or_fail_with_54001() {
    oa_server::log::set_quiet(true);
    let engine = oa_runtime::Engine::new_in_memory().expect("engine");
    let server = BackgroundServer::start(engine, "127.0.0.1:0".parse().expect("address"), ServerConfig { auth: AuthMethod::Trust }).expect("server");
    let mut config = Config::new();
    config.host("127.0.0.1").port(server.addr.port()).user("postgres").dbname("postgres").connect_timeout(Duration::from_secs(10));
    let (client, connection) = config.connect(NoTls).await.expect("connect");
    tokio::spawn(connection);

    // PostgreSQL 15 answers these (its limits: 2 MB of stack, a parser stack of 10,000).
    let chain = |n: usize| format!("SELECT {}", vec!["1"; n].join("-"));
    assert_eq!(rows(&client, &chain(4000)).await.expect("4,000 terms"), vec!["-3998"]);
    // (Planning time grows faster than linearly with branches and nesting:
    // 5,000 branches take a minute in a debug build, so the test stays smaller.)
    let unions = vec!["SELECT 7"; 1000].join(" UNION ALL ");
    assert_eq!(rows(&client, &unions).await.expect("1,000 branches").len(), 1000);
    let nested = format!("SELECT {}1{}", "(SELECT ".repeat(100), ")".repeat(100));
    assert_eq!(rows(&client, &nested).await.expect("100 subqueries"), vec!["1"]);
    let calls = format!("SELECT {}1{}", "abs(".repeat(3000), ")".repeat(3000));
    assert_eq!(rows(&client, &calls).await.expect("3,000 calls"), vec!["1"]);

    // And refuses these with stack depth limit exceeded, as PostgreSQL does.
    for sql in [chain(50_000), vec!["SELECT 7"; 30_000].join(" UNION ALL ")] {
        let e = rows(&client, &sql).await.expect_err("too deep");
        let db = e.as_db_error().expect("database error");
        assert_eq!(db.code(), &SqlState::STATEMENT_TOO_COMPLEX);
        assert_eq!(db.message(), "stack depth limit exceeded");
    }
    // PostgreSQL's parser stops this one first (42601 "memory exhausted", its
    // 10,000-entry parser stack); ours has no such stack, the binder stops it.
    let deep = format!("SELECT {}1{}", "(SELECT ".repeat(20_000), ")".repeat(20_000));
    let e = rows(&client, &deep).await.expect_err("too deep");
    assert_eq!(e.as_db_error().expect("database error").code(), &SqlState::STATEMENT_TOO_COMPLEX);
    // The session goes on.
    assert_eq!(rows(&client, "SELECT 1").await.expect("after"), vec!["1"]);
}
