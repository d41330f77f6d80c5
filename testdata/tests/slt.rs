//! Runs every `.slt` file under `testdata/` as one test (datatest-stable).
//!
//! The database under test:
//! * OpenAssay, once it is wired up in [`engine_database`];
//! * PostgreSQL, when `OA_SLT_PG_PORT` is set (host `OA_SLT_PG_HOST`,
//!   default 127.0.0.1; user `OA_SLT_PG_USER`, default postgres): each file
//!   in a fresh database, which proves the harness and the recorded
//!   expectations against the reference;
//! * otherwise every test fails with "no engine wired up yet": a harness
//!   must not report success for tests it did not run.
//!
//! Before each file the harness applies `oa_slt::SESSION_SETTINGS`, and it
//! generates the TPC-H data (once per process) and sets `${TPCH_DIR}`.

use std::path::Path;
use std::sync::OnceLock;

use oa_slt::pg::PgServer;
use oa_slt::{Database, DbError, Output, SESSION_SETTINGS, TPCH_DIR_VAR, Vars, parse_file, run_file, tpch};

type Error = Box<dyn std::error::Error>;

/// An error that datatest-stable prints readably: it shows failures with
/// `{:?}`, so Debug writes the Display text.
struct Report(String);

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Report {}

/// The OpenAssay engine as a [`Database`]: a fresh in-memory engine per file,
/// with one session, unless `OA_SLT_PG_PORT` asks for PostgreSQL instead.
fn engine_database() -> Option<Result<Box<dyn Database>, Error>> {
    if std::env::var_os("OA_SLT_PG_PORT").is_some() {
        return None;
    }
    Some((|| {
        let engine = oa_runtime::Engine::new_in_memory().map_err(|e| e.to_string())?;
        let session = engine.connect("postgres", "postgres");
        Ok(Box::new(EngineDb { session }) as Box<dyn Database>)
    })())
}

struct EngineDb {
    session: oa_runtime::Session,
}

impl Database for EngineDb {
    fn run(&mut self, sql: &str) -> Result<Output, DbError> {
        let result = self.session.execute(sql);
        self.session.take_notices();
        match result {
            Ok(mut outcomes) => match outcomes.pop() {
                Some(oa_runtime::Outcome::Rows { fields, rows, .. }) => {
                    Ok(Output::Rows { types: fields.into_iter().map(|f| f.type_name).collect(), rows })
                }
                Some(oa_runtime::Outcome::Command { tag }) => Ok(Output::Command { tag }),
                None => Ok(Output::Command { tag: String::new() }),
            },
            Err(e) => Err(DbError { sqlstate: e.code.code().to_string(), message: e.message }),
        }
    }
}

/// PostgreSQL as the database under test, when `OA_SLT_PG_PORT` is set.
fn postgres_database() -> Option<Result<Box<dyn Database>, Error>> {
    let port = std::env::var("OA_SLT_PG_PORT").ok()?;
    Some((|| {
        let port: u16 = port.parse().map_err(|_| format!("OA_SLT_PG_PORT={port:?} is not a port"))?;
        let host = std::env::var("OA_SLT_PG_HOST").unwrap_or_else(|_| "127.0.0.1".into());
        let user = std::env::var("OA_SLT_PG_USER").unwrap_or_else(|_| "postgres".into());
        // fresh_database applies SESSION_SETTINGS itself.
        let db = PgServer::new(host, port, user).fresh_database()?;
        Ok(Box::new(db) as Box<dyn Database>)
    })())
}

/// The TPC-H data directory, generated once per process.
fn tpch_dir() -> Result<&'static Path, Error> {
    static DIR: OnceLock<Result<std::path::PathBuf, String>> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tpch::default_dir();
        tpch::generate(&dir, tpch::SCALE_FACTOR).map(|()| dir.clone()).map_err(|e| format!("generating TPC-H data in {}: {e}", dir.display()))
    });
    match dir {
        Ok(d) => Ok(d.as_path()),
        Err(e) => Err(e.clone().into()),
    }
}

fn run_slt(path: &Path, text: String) -> datatest_stable::Result<()> {
    run(path, &text).map_err(|e| Report(e.to_string()).into())
}

fn run(path: &Path, text: &str) -> Result<(), Error> {
    let file = parse_file(path, text)?;
    let mut db = match engine_database() {
        Some(db) => {
            let mut db = db?;
            for setting in SESSION_SETTINGS {
                db.run(setting).map_err(|e| format!("session setting {setting:?} failed: {e}"))?;
            }
            db
        }
        None => match postgres_database() {
            Some(db) => db?,
            None => {
                return Err(format!(
                    "{}: not run: no engine wired up yet (tests/slt.rs engine_database); \
                     set OA_SLT_PG_PORT to run the file against PostgreSQL",
                    path.display()
                )
                .into());
            }
        },
    };
    let mut vars = Vars::new();
    if text.contains(&format!("${{{TPCH_DIR_VAR}}}")) {
        vars.insert(TPCH_DIR_VAR.to_string(), tpch_dir()?.display().to_string());
    }
    run_file(&file, db.as_mut(), &vars)?;
    Ok(())
}

datatest_stable::harness! {
    { test = run_slt, root = ".", pattern = r"\.slt$" },
}
