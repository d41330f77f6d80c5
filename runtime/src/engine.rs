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
        Ok(Arc::new(Engine {
            storage,
            clock: config.clock,
            backend: config.backend,
            shared: Mutex::new(Shared { next_oid: oid::FIRST_NORMAL_OBJECT_ID, catalog_version: 0, cached: None }),
            next_session: AtomicU64::new(1),
            notify: Default::default(),
        }))
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
