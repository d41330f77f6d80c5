//! [`Storage`]: the object the runtime holds. It owns the buffer pool, the
//! transaction manager and the relation map, and implements relation
//! lifecycle (create, drop, truncate) with PostgreSQL's pending-delete rules:
//! a relation created by a transaction that aborts is removed at abort; a
//! drop happens only if the dropping transaction commits, and the file is
//! reclaimed once no snapshot that could still read it remains.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use oa_ir::{Error, Result, SqlState};

use crate::btree::BtreeInfo;
use crate::buffer::{BufferPool, PageWriteGuard, PoolStats, lock};
use crate::heap::Fsm;
use crate::io::{IoBackend, PageId, RelFileNumber};
use crate::page::{BlockNumber, INVALID_BLOCK, PageKind};
use crate::xact::{Snapshot, Transaction, TxnManager, Xid, XidStatus};

/// Storage settings.
#[derive(Clone, Debug)]
pub struct StorageConfig {
    /// Frames in the buffer pool (8 KB each; a frame's buffer is allocated
    /// when it is first used).
    pub buffer_pool_pages: usize,
}

impl Default for StorageConfig {
    fn default() -> StorageConfig {
        // 32 MB: small enough for a browser tab.
        StorageConfig { buffer_pool_pages: 4096 }
    }
}

/// What a relation file holds.
pub(crate) enum RelKind {
    Heap,
    Btree(BtreeInfo),
}

/// In-memory state of one relation file.
pub(crate) struct Relation {
    pub(crate) id: RelFileNumber,
    pub(crate) kind: RelKind,
    pub(crate) nblocks: AtomicU32,
    pub(crate) extend_lock: Mutex<()>,
    /// The block heap inserts try first (INVALID_BLOCK if none).
    pub(crate) target: AtomicU32,
    pub(crate) fsm: Mutex<Fsm>,
}

impl Relation {
    pub(crate) fn nblocks(&self) -> BlockNumber {
        self.nblocks.load(Ordering::Acquire)
    }

    pub(crate) fn page(&self, block: BlockNumber) -> PageId {
        PageId { rel: self.id, block }
    }
}

/// The storage layer: pages, buffer pool, heap and B-tree relations, MVCC.
/// Thread-safe; share it as `Arc<Storage>`.
pub struct Storage {
    pub(crate) pool: BufferPool,
    pub(crate) txns: TxnManager,
    pub(crate) rels: RwLock<HashMap<RelFileNumber, Arc<Relation>>>,
    /// Committed drops waiting for every snapshot that could still read the
    /// relation to go away: (relation, dropping xid).
    pub(crate) graveyard: Mutex<Vec<(RelFileNumber, Xid)>>,
}

impl Storage {
    pub fn new(config: StorageConfig, backend: Box<dyn IoBackend>) -> Result<Arc<Storage>> {
        Ok(Arc::new(Storage {
            pool: BufferPool::new(config.buffer_pool_pages, backend)?,
            txns: TxnManager::new(),
            rels: RwLock::new(HashMap::new()),
            graveyard: Mutex::new(Vec::new()),
        }))
    }

    pub(crate) fn txns(&self) -> &TxnManager {
        &self.txns
    }

    /// Starts a transaction.
    pub fn begin(self: &Arc<Self>) -> Transaction {
        Transaction::start(self.clone(), None)
    }

    /// Starts a transaction for a session, so a second transaction of the
    /// same session waiting for the first's write lock is reported as a
    /// deadlock instead of hanging.
    pub fn begin_in_session(self: &Arc<Self>, session: u64) -> Transaction {
        Transaction::start(self.clone(), Some(session))
    }

    /// A new MVCC snapshot for `txn` (per statement in READ COMMITTED, once
    /// per transaction in REPEATABLE READ).
    pub fn snapshot(&self, txn: &Transaction) -> Snapshot {
        txn.snapshot()
    }

    /// The oldest xmin any live snapshot may have: the horizon for VACUUM.
    pub fn oldest_xmin(&self) -> Xid {
        self.txns.oldest_xmin()
    }

    /// The next xid to be assigned.
    pub fn next_xid(&self) -> Xid {
        self.txns.next_xid()
    }

    /// Commit-log status of an xid (txid_status).
    pub fn xid_status(&self, xid: Xid) -> XidStatus {
        self.txns.clog().status(xid)
    }

    /// Whether some transaction holds the single-writer lock.
    pub fn write_lock_held(&self) -> bool {
        self.txns.write_lock_held()
    }

    pub fn pool_stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Frames pinned right now (zero when no operation is running).
    pub fn pinned_frames(&self) -> usize {
        self.pool.pinned_frames()
    }

    /// Writes every dirty page to the backend.
    pub fn flush(&self) -> Result<()> {
        self.pool.flush_all()
    }

    pub fn relation_exists(&self, rel: RelFileNumber) -> bool {
        self.rels.read().unwrap_or_else(|e| e.into_inner()).contains_key(&rel)
    }

    /// Blocks in a relation.
    pub fn nblocks(&self, rel: RelFileNumber) -> Result<BlockNumber> {
        Ok(self.relation(rel)?.nblocks())
    }

    pub(crate) fn relation(&self, rel: RelFileNumber) -> Result<Arc<Relation>> {
        match self.rels.read().unwrap_or_else(|e| e.into_inner()).get(&rel) {
            Some(r) => Ok(r.clone()),
            None => Err(Error::new(SqlState::UNDEFINED_FILE, format!("relation file {rel} does not exist"))),
        }
    }

    pub(crate) fn heap_relation(&self, rel: RelFileNumber) -> Result<Arc<Relation>> {
        let r = self.relation(rel)?;
        match r.kind {
            RelKind::Heap => Ok(r),
            RelKind::Btree(_) => Err(Error::internal(format!("relation file {rel} is an index, not a heap"))),
        }
    }

    /// Creates an empty heap relation, removed again if `txn` (or the
    /// subtransaction it is in) aborts.
    pub fn create_relation(&self, txn: &mut Transaction, rel: RelFileNumber) -> Result<()> {
        self.create_with_kind(txn, rel, RelKind::Heap)?;
        Ok(())
    }

    pub(crate) fn create_with_kind(&self, txn: &mut Transaction, rel: RelFileNumber, kind: RelKind) -> Result<Arc<Relation>> {
        txn.ensure_write_lock()?;
        let mut rels = self.rels.write().unwrap_or_else(|e| e.into_inner());
        if rels.contains_key(&rel) {
            return Err(Error::new(SqlState::DUPLICATE_FILE, format!("relation file {rel} already exists")));
        }
        self.pool.backend().create(rel)?;
        let r = Arc::new(Relation {
            id: rel,
            kind,
            nblocks: AtomicU32::new(0),
            extend_lock: Mutex::new(()),
            target: AtomicU32::new(INVALID_BLOCK),
            fsm: Mutex::new(Fsm::default()),
        });
        rels.insert(rel, r.clone());
        drop(rels);
        txn.record_created(rel);
        Ok(r)
    }

    /// Drops a relation when `txn` commits (nothing happens if it aborts).
    /// Snapshots older than the commit can keep reading it; the file goes
    /// when the last of them is gone.
    pub fn drop_relation(&self, txn: &mut Transaction, rel: RelFileNumber) -> Result<()> {
        self.relation(rel)?;
        if txn.drops_pending(rel) {
            return Err(Error::internal(format!("relation file {rel} is already being dropped")));
        }
        txn.assign_xid()?;
        txn.record_dropped(rel);
        Ok(())
    }

    /// TRUNCATE as PostgreSQL does it: the caller gives the relation a new
    /// relfilenode. Creates `new` (an empty heap, or an empty B-tree with the
    /// same key if `old` is an index) and drops `old`, both transactionally.
    pub fn truncate(&self, txn: &mut Transaction, old: RelFileNumber, new: RelFileNumber) -> Result<()> {
        let r = self.relation(old)?;
        match &r.kind {
            RelKind::Heap => self.create_relation(txn, new)?,
            RelKind::Btree(info) => self.btree_create(txn, new, (*info.desc).clone())?,
        }
        self.drop_relation(txn, old)
    }

    /// Removes a relation at once (abort of its creator, or reclaim).
    pub(crate) fn remove_relation_now(&self, rel: RelFileNumber) {
        let removed = self.rels.write().unwrap_or_else(|e| e.into_inner()).remove(&rel);
        if removed.is_some() {
            self.pool.discard_relation(rel);
            // A missing file is fine: the goal is that it is gone.
            let _ = self.pool.backend().unlink(rel);
        }
    }

    pub(crate) fn schedule_removal(&self, rels: Vec<RelFileNumber>, xid: Xid) {
        lock(&self.graveyard).extend(rels.into_iter().map(|r| (r, xid)));
    }

    /// Removes dropped relations no snapshot can see any more.
    pub(crate) fn reclaim_dropped(&self) {
        let ready: Vec<RelFileNumber> = {
            let mut g = lock(&self.graveyard);
            if g.is_empty() {
                return;
            }
            let horizon = self.txns.oldest_xmin();
            let (ready, wait): (Vec<_>, Vec<_>) = g.drain(..).partition(|(_, x)| *x < horizon);
            *g = wait;
            ready.into_iter().map(|(r, _)| r).collect()
        };
        for rel in ready {
            self.remove_relation_now(rel);
        }
    }

    /// Relations dropped by committed transactions but still readable by
    /// older snapshots.
    pub fn pending_removals(&self) -> usize {
        lock(&self.graveyard).len()
    }

    /// Adds a block to a relation, formatted as `kind`, and returns it latched.
    pub(crate) fn extend(&self, r: &Relation, kind: PageKind, special_size: usize) -> Result<PageWriteGuard<'_>> {
        let _extending = lock(&r.extend_lock);
        let block = r.nblocks();
        if block >= INVALID_BLOCK - 1 {
            return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("cannot extend relation {} beyond {} blocks", r.id, INVALID_BLOCK - 1)));
        }
        let mut g = self.pool.new_page(r.page(block))?;
        g.init(kind, special_size)?;
        // Published only once formatted: a scan never meets a half-made page.
        r.nblocks.store(block + 1, Ordering::Release);
        Ok(g)
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").field("buffer_pool_pages", &self.pool.capacity()).finish()
    }
}
