//! The engine: one storage instance with its bootstrapped catalog, shared by
//! every session. Sessions are the way in (`Engine::connect`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use oa_ir::types::{Oid, oid};
use oa_ir::{Error, Result};
use oa_storage::{MemoryBackend, Snapshot, Storage, StorageConfig};

use crate::backend::Backend;
use crate::catalog::{UserCatalog, bootstrap, load_user};
use crate::session::Session;

/// Wall-clock time, in microseconds since 2000-01-01 00:00 UTC (PostgreSQL's
/// epoch). A trait because wasm32 has no system clock of its own: the
/// browser build passes one backed by `Date.now()`.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// Microseconds between 1970-01-01 and 2000-01-01.
pub const UNIX_TO_POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// The operating system's clock.
#[cfg(not(target_family = "wasm"))]
pub struct SystemClock;

#[cfg(not(target_family = "wasm"))]
impl Clock for SystemClock {
    fn now(&self) -> i64 {
        let since_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
        since_unix - UNIX_TO_POSTGRES_EPOCH_MICROS
    }
}

/// A database image starts with this, then the format version (u32), the
/// catalog fingerprint (u64), the next OID (u32) and the next session id (u64).
const IMAGE_MAGIC: &[u8; 8] = b"OAIMAGE\0";
const IMAGE_FORMAT: u32 = 1;
const IMAGE_HEADER_LEN: usize = 32;

pub struct EngineConfig {
    /// Buffer pool size in 8 KB pages.
    pub buffer_pool_pages: usize,
    pub clock: Arc<dyn Clock>,
    /// Runs the pipelines (the interpreter unless a compiling backend is given).
    pub backend: Arc<dyn Backend>,
}

impl EngineConfig {
    /// 128 MB of buffers (PostgreSQL's shared_buffers default) and the system clock.
    #[cfg(not(target_family = "wasm"))]
    pub fn default_in_memory() -> EngineConfig {
        EngineConfig { buffer_pool_pages: 16384, clock: Arc::new(SystemClock), backend: Arc::new(crate::backend::Interpreter) }
    }
}

pub struct Engine {
    pub(crate) storage: Arc<Storage>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) backend: Arc<dyn Backend>,
    shared: Mutex<Shared>,
    next_session: AtomicU64,
    /// LISTEN/NOTIFY between the sessions.
    pub(crate) notify: crate::notify::NotifyHub,
}

struct Shared {
    next_oid: Oid,
    /// Bumped whenever a transaction that changed the catalog commits.
    catalog_version: u64,
    /// User objects as of `catalog_version`, for sessions without catalog changes of their own.
    cached: Option<(u64, Arc<UserCatalog>)>,
}

impl Engine {
    /// An engine over in-memory storage (durable storage comes with the WAL).
    pub fn new(config: EngineConfig) -> Result<Arc<Engine>> {
        let storage = Storage::new(StorageConfig { buffer_pool_pages: config.buffer_pool_pages }, Box::new(MemoryBackend::new()))?;
        bootstrap(&storage)?;
        Ok(Engine::with_storage(config, storage, oid::FIRST_NORMAL_OBJECT_ID, 1))
    }

    fn with_storage(config: EngineConfig, storage: Arc<Storage>, next_oid: Oid, next_session: u64) -> Arc<Engine> {
        Arc::new(Engine {
            storage,
            clock: config.clock,
            backend: config.backend,
            shared: Mutex::new(Shared { next_oid, catalog_version: 0, cached: None }),
            next_session: AtomicU64::new(next_session),
            notify: Default::default(),
        })
    }

    /// The whole database as bytes, for [`Engine::open_image`]: the storage's
    /// image (`oa_storage::Storage::write_image`: committed work only, taken
    /// between statements) after a header with the OID and session counters.
    /// Session ids are never reused, so the temporary schemas of sessions
    /// open now (`pg_temp_N`) stay other sessions' schemas after loading.
    pub fn save_image(&self) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(IMAGE_HEADER_LEN);
        out.extend_from_slice(IMAGE_MAGIC);
        out.extend_from_slice(&IMAGE_FORMAT.to_le_bytes());
        out.extend_from_slice(&oa_ir::bootstrap::fingerprint().to_le_bytes());
        out.extend_from_slice(&self.shared()?.next_oid.to_le_bytes());
        out.extend_from_slice(&self.next_session.load(Ordering::Relaxed).to_le_bytes());
        self.storage.write_image(&mut out)?;
        Ok(out)
    }

    /// An engine over in-memory storage holding a database image written by
    /// [`Engine::save_image`] (of this build's catalog).
    pub fn open_image(config: EngineConfig, image: &[u8]) -> Result<Arc<Engine>> {
        if image.len() < IMAGE_HEADER_LEN || &image[..IMAGE_MAGIC.len()] != IMAGE_MAGIC {
            return Err(Error::new(oa_ir::SqlState::DATA_CORRUPTED, "not an OpenAssay database image"));
        }
        let field = |at: usize, n: usize| image[at..at + n].iter().rev().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        let (format, fingerprint) = (field(8, 4), field(12, 8));
        let ours = oa_ir::bootstrap::fingerprint();
        if format != u64::from(IMAGE_FORMAT) || fingerprint != ours {
            // PostgreSQL's words for a data directory from another catalog version.
            return Err(Error::internal("database files are incompatible with server").with_detail(format!(
                "The database image was written with image format {format} and catalog {fingerprint:016x}, but this build has format {IMAGE_FORMAT} and catalog {ours:016x}."
            )));
        }
        let storage = Storage::from_image(StorageConfig { buffer_pool_pages: config.buffer_pool_pages }, &image[IMAGE_HEADER_LEN..])?;
        Ok(Engine::with_storage(config, storage, field(20, 4) as Oid, field(24, 8)))
    }

    #[cfg(not(target_family = "wasm"))]
    pub fn new_in_memory() -> Result<Arc<Engine>> {
        Engine::new(EngineConfig::default_in_memory())
    }

    /// A new session for `user` in `database`.
    pub fn connect(self: &Arc<Self>, user: &str, database: &str) -> Session {
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        // Every database name reaches the same data; pg_database lists the ones in use.
        let _ = self.register_database(database);
        Session::new(self.clone(), id, user, database)
    }

    /// Adds a pg_database row for a database name not seen before (as a copy
    /// of template1's, not a template, owned by the bootstrap superuser).
    fn register_database(&self, name: &str) -> Result<()> {
        // Never wait for another session's write: the row can come with a later connection.
        if self.storage.write_lock_held() {
            return Ok(());
        }
        let txn = self.storage.begin();
        let snapshot = self.storage.snapshot(&txn);
        let rows = crate::catalog::scan_catalog(&self.storage, &snapshot, "pg_database")?;
        let col = |r: &(Vec<oa_ir::Datum>, std::collections::HashMap<&'static str, usize>), c: &str| r.1.get(c).and_then(|i| r.0.get(*i)).cloned();
        if rows.iter().any(|r| col(r, "datname").as_ref().and_then(|d| d.as_str()) == Some(name)) {
            return txn.commit();
        }
        let Some(template) = rows.iter().find(|r| col(r, "datname").as_ref().and_then(|d| d.as_str()) == Some("template1")) else {
            return txn.commit();
        };
        let mut txn = txn;
        let mut row = crate::catalog::CatalogRow::new("pg_database")?;
        for c in ["datdba", "encoding", "datlocprovider", "datconnlimit", "datfrozenxid", "datminmxid", "dattablespace", "datcollate", "datctype"] {
            if let Some(v) = col(template, c) {
                row = row.set(c, v);
            }
        }
        row.set("oid", oa_ir::Datum::Oid(self.new_oid()?))
            .set("datname", oa_ir::Datum::Text(name.to_string()))
            .set("datistemplate", oa_ir::Datum::Bool(false))
            .set("datallowconn", oa_ir::Datum::Bool(true))
            .insert(&self.storage, &mut txn)?;
        txn.commit()
    }

    fn shared(&self) -> Result<std::sync::MutexGuard<'_, Shared>> {
        self.shared.lock().map_err(|_| Error::internal("engine state poisoned"))
    }

    /// GetNewObjectId: OIDs for user objects start at 16384.
    pub(crate) fn new_oid(&self) -> Result<Oid> {
        let mut s = self.shared()?;
        let o = s.next_oid;
        s.next_oid = s.next_oid.checked_add(1).unwrap_or(oid::FIRST_NORMAL_OBJECT_ID);
        Ok(o)
    }

    /// The committed user catalog, read once per catalog version.
    pub(crate) fn committed_catalog(&self, snapshot: &Snapshot) -> Result<Arc<UserCatalog>> {
        let version = {
            let s = self.shared()?;
            if let Some((v, c)) = &s.cached
                && *v == s.catalog_version
            {
                return Ok(c.clone());
            }
            s.catalog_version
        };
        // Tag with the version read before loading: a commit racing with the
        // load bumps the version and forces a reload.
        let loaded = Arc::new(load_user(&self.storage, snapshot)?);
        let mut s = self.shared()?;
        s.cached = Some((version, loaded.clone()));
        Ok(loaded)
    }

    /// Called after a transaction that changed the catalog committed.
    pub(crate) fn catalog_changed(&self) -> Result<()> {
        let mut s = self.shared()?;
        s.catalog_version += 1;
        s.cached = None;
        Ok(())
    }
}

#[cfg(all(test, not(target_family = "wasm")))]
mod tests {
    use super::*;

    /// The rows of the last result of `sql`, or "SQLSTATE: message".
    fn rows(s: &mut Session, sql: &str) -> std::result::Result<Vec<Vec<Option<String>>>, String> {
        match s.execute(sql).map_err(|e| format!("{}: {}", e.code.code(), e.message))?.pop() {
            Some(crate::Outcome::Rows { rows, .. }) => Ok(rows),
            other => Err(format!("no rows: {other:?}")),
        }
    }

    /// A database image holds the committed state, opens as an equal database
    /// (heap, B-tree, sequence, view, catalog, counters), and refuses damage.
    #[test]
    fn image_round_trip() {
        let e = Engine::new_in_memory().unwrap();
        let mut s = e.connect("postgres", "postgres");
        s.execute(
            "CREATE TABLE t (a int PRIMARY KEY, b text, c numeric); CREATE INDEX t_b ON t (b);
             CREATE SEQUENCE sq; SELECT nextval('sq');
             INSERT INTO t SELECT g, 'v' || g, g * 1.5 FROM generate_series(1, 5000) g;
             DELETE FROM t WHERE a % 7 = 0; UPDATE t SET b = b || '!' WHERE a % 5 = 0;
             CREATE VIEW v AS SELECT a, b FROM t WHERE a < 12",
        )
        .unwrap();
        // Work of a transaction still open is not in the image.
        let mut open = e.connect("postgres", "postgres");
        open.execute("BEGIN; INSERT INTO t VALUES (0, 'open', 0); CREATE TABLE uncommitted (x int)").unwrap();
        let image = e.save_image().unwrap();
        let queries = [
            "SELECT count(*), sum(a), sum(c), max(b) FROM t",
            "SELECT * FROM v ORDER BY a",
            "SELECT a, c FROM t WHERE b = 'v10!'",
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
            "SELECT to_regclass('uncommitted') IS NULL, (SELECT count(*) FROM t WHERE a = 0)",
        ];
        let mut s = e.connect("postgres", "postgres");
        let want: Vec<_> = queries.iter().map(|q| rows(&mut s, q).unwrap()).collect();
        let config = || EngineConfig { buffer_pool_pages: 64, ..EngineConfig::default_in_memory() };
        let loaded = Engine::open_image(config(), &image).unwrap();
        let mut l = loaded.connect("postgres", "postgres");
        for (q, want) in queries.iter().zip(&want) {
            assert_eq!(&rows(&mut l, q).unwrap(), want, "{q}");
        }
        assert_eq!(want[4], [[Some("t".into()), Some("0".into())]]);
        assert_eq!(rows(&mut l, "SELECT nextval('sq')").unwrap(), [[Some("2".into())]]);
        assert_eq!(
            rows(&mut l, "INSERT INTO t VALUES (1, 'x', 1) RETURNING a"),
            Err("23505: duplicate key value violates unique constraint \"t_pkey\"".into())
        );
        // New objects and writes continue from the saved counters.
        let after = "CREATE TABLE u (x int); INSERT INTO t SELECT g, 'w', 0 FROM generate_series(5001, 6000) g;
                     SELECT 'u'::regclass::oid > 't_b'::regclass::oid, count(*) FROM t WHERE a > 5000";
        assert_eq!(rows(&mut l, after).unwrap(), [[Some("t".into()), Some("1000".into())]]);
        // An image of the loaded database opens again.
        let again = Engine::open_image(config(), &loaded.save_image().unwrap()).unwrap();
        assert_eq!(rows(&mut again.connect("postgres", "postgres"), queries[0]).unwrap(), rows(&mut l, queries[0]).unwrap());

        let code = |image: &[u8]| Engine::open_image(config(), image).err().map(|e| (e.code.code().to_string(), e.message));
        let mut damaged = image.clone();
        damaged[image.len() / 2] ^= 1;
        assert!(matches!(code(&damaged), Some((c, m)) if c == "XX001" && m.starts_with("invalid page in block")));
        assert_eq!(code(&image[..image.len() - 1]), Some(("XX001".into(), "invalid database image: truncated".into())));
        assert_eq!(code(b"PGDMP"), Some(("XX001".into(), "not an OpenAssay database image".into())));
        let mut other_catalog = image.clone();
        other_catalog[12] ^= 1;
        assert_eq!(code(&other_catalog), Some(("XX000".into(), "database files are incompatible with server".into())));
    }

    /// Startup cost: `cargo test --release -p oa-runtime startup_time -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn startup_time() {
        let t0 = std::time::Instant::now();
        let _ = crate::catalog::builtin();
        eprintln!("builtin() {:?}", t0.elapsed());
        let t = std::time::Instant::now();
        let e = Engine::new_in_memory().unwrap();
        let first = t.elapsed();
        let mut s = e.connect("postgres", "postgres");
        s.execute("SELECT 1").unwrap();
        let query = t.elapsed();
        let t2 = std::time::Instant::now();
        let _e2 = Engine::new_in_memory().unwrap();
        let second = t2.elapsed();
        eprintln!("first Engine::new_in_memory {first:?}, + first query {query:?}; second engine {second:?}");
        // The same with a small buffer pool (the browser build's): the catalog's own cost.
        let t3 = std::time::Instant::now();
        let small = Engine::new(EngineConfig { buffer_pool_pages: 2048, ..EngineConfig::default_in_memory() }).unwrap();
        let mut s = small.connect("postgres", "postgres");
        s.execute("SELECT 1").unwrap();
        eprintln!("engine with 2048 buffers + first query {:?}", t3.elapsed());
    }
}
