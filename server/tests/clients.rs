//! Client acceptance: real drivers (psycopg2, psycopg 3, asyncpg,
//! node-postgres, pgjdbc), ORMs (SQLAlchemy 2, Django 5.2), pgbench, psql and
//! sqlsmith against the server, through `clients/run.sh`, which installs them
//! from the registries on first use.
//! Each client script checks results, and was also run against PostgreSQL 15
//! itself; psql's output is compared with PostgreSQL's (`clients/expected/psql`).

use std::process::Command;

use oa_server::auth::AuthMethod;
use oa_server::server::{BackgroundServer, ServerConfig};

fn run_client(name: &str) {
    oa_server::log::set_quiet(true);
    let engine = oa_runtime::Engine::new_in_memory().expect("engine");
    let server = BackgroundServer::start(engine, "127.0.0.1:0".parse().expect("address"), ServerConfig { auth: AuthMethod::Trust }).expect("server");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../clients/run.sh");
    let out = Command::new("bash").arg(script).arg(server.addr.port().to_string()).arg(name).output().expect("run clients/run.sh");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "client test {name} failed:\n{text}");
}

#[test]
fn psycopg2() {
    run_client("psycopg2");
}

#[test]
fn psycopg3() {
    run_client("psycopg3");
}

#[test]
fn asyncpg() {
    run_client("asyncpg");
}

#[test]
fn sqlalchemy() {
    run_client("sqlalchemy");
}

#[test]
fn django() {
    run_client("django");
}

#[test]
fn node_postgres() {
    run_client("node_pg");
}

#[test]
fn pgbench() {
    run_client("pgbench");
}

#[test]
fn psql() {
    run_client("psql");
}

#[test]
fn pgjdbc() {
    run_client("jdbc");
}

#[test]
fn sqlsmith() {
    run_client("sqlsmith");
}
