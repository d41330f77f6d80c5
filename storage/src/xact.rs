//! Transactions: ids, the commit log, snapshots, subtransactions, and the
//! single-writer lock.
//!
//! - Transaction ids ([`Xid`]) are assigned lazily, on the first write, from
//!   a 32-bit counter (no wraparound yet: the counter stops at 2^31 with
//!   PostgreSQL's "not accepting commands" error). Read-only transactions
//!   never get one.
//! - The commit log keeps two status bits per xid (in progress, committed,
//!   aborted) and the parent of every subtransaction xid. A committed
//!   subtransaction stays "in progress" in the log until its top-level
//!   transaction commits; then the top xid and all committed subxids become
//!   committed in one step under the proc-array lock, so no snapshot sees
//!   half of a transaction.
//! - A [`Snapshot`] is PostgreSQL's MVCC snapshot: xmin, xmax, the running
//!   xids between them, plus the snapshot-taker's own xids and command id.
//!   READ COMMITTED takes one per statement; REPEATABLE READ keeps one and
//!   calls [`Transaction::refresh_snapshot`] per statement to move its command
//!   id and own-xid list forward.
//! - One writer at a time: a transaction takes the global write lock before
//!   its first change and keeps it to commit/abort; readers never wait.
//!
//! Lock order: proc array → commit log. The commit log is read under its
//! own read lock while a page latch is held; nothing holding the commit log
//! or proc array ever waits for a page latch.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use oa_ir::{Error, Result, SqlState};

use crate::buffer::lock;
use crate::io::RelFileNumber;
use crate::storage::Storage;

/// A transaction id (PostgreSQL's TransactionId).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Xid(pub u32);

impl Xid {
    pub const INVALID: Xid = Xid(0);
    pub const BOOTSTRAP: Xid = Xid(1);
    pub const FROZEN: Xid = Xid(2);
    pub const FIRST_NORMAL: Xid = Xid(3);

    pub fn is_valid(self) -> bool {
        self.0 != 0
    }

    pub fn is_normal(self) -> bool {
        self.0 >= Xid::FIRST_NORMAL.0
    }
}

impl std::fmt::Display for Xid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A command id within a transaction (PostgreSQL's CommandId).
pub type CommandId = u32;
pub const FIRST_COMMAND_ID: CommandId = 0;

/// Xids stop here until freezing and wraparound handling exist.
pub const XID_LIMIT: u32 = 1 << 31;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XidStatus {
    InProgress,
    Committed,
    Aborted,
}

/// The commit log (PostgreSQL's pg_xact and pg_subtrans, in memory).
#[derive(Default)]
pub struct Clog {
    /// Two bits per xid: 0 in progress, 1 committed, 2 aborted.
    bits: Vec<u8>,
    parents: HashMap<u32, u32>,
}

impl Clog {
    pub fn status(&self, xid: Xid) -> XidStatus {
        if !xid.is_normal() {
            // Bootstrap and frozen xids are committed; the invalid xid never is.
            return if xid.is_valid() { XidStatus::Committed } else { XidStatus::Aborted };
        }
        let i = xid.0 as usize;
        match self.bits.get(i / 4).map(|b| (b >> ((i % 4) * 2)) & 3) {
            Some(1) => XidStatus::Committed,
            Some(2) => XidStatus::Aborted,
            _ => XidStatus::InProgress,
        }
    }

    /// The parent of a subtransaction xid.
    pub fn parent(&self, xid: Xid) -> Option<Xid> {
        self.parents.get(&xid.0).map(|&p| Xid(p))
    }

    fn set(&mut self, xid: Xid, status: XidStatus) {
        let i = xid.0 as usize;
        if self.bits.len() <= i / 4 {
            self.bits.resize(i / 4 + 1, 0);
        }
        let v = match status {
            XidStatus::InProgress => 0,
            XidStatus::Committed => 1,
            XidStatus::Aborted => 2,
        };
        let shift = (i % 4) * 2;
        self.bits[i / 4] = (self.bits[i / 4] & !(3 << shift)) | (v << shift);
    }
}

/// How long to wait for the write lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockWait {
    /// Fail at once with 55P03 (NOWAIT).
    NoWait,
    /// Wait at most this long, then fail with 55P03 (lock_timeout).
    Timeout(Duration),
    /// Wait until the lock is free or the transaction's cancel flag is set.
    Block,
}

/// PostgreSQL's MVCC snapshot.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Every xid below this had finished when the snapshot was taken.
    pub xmin: Xid,
    /// Every xid at or above this had not started.
    pub xmax: Xid,
    /// Xids in [xmin, xmax) still running (top-level and sub), sorted.
    pub xip: Arc<[Xid]>,
    /// The taking transaction's own xids (top and non-aborted subs), sorted.
    pub own: Vec<Xid>,
    /// Changes by the own transaction with a command id below this are visible.
    pub curcid: CommandId,
}

impl Snapshot {
    /// XidInMVCCSnapshot: whether `xid` counts as still running.
    pub fn xid_in_progress(&self, xid: Xid) -> bool {
        if xid < self.xmin {
            return false;
        }
        if xid >= self.xmax {
            return true;
        }
        self.xip.binary_search(&xid).is_ok()
    }

    /// TransactionIdIsCurrentTransactionId, as of the snapshot.
    pub fn is_own(&self, xid: Xid) -> bool {
        self.own.binary_search(&xid).is_ok()
    }
}

struct ProcArray {
    next_xid: u32,
    /// Assigned, unfinished xids (top and sub), sorted.
    running: Vec<Xid>,
    /// The xmin of the oldest snapshot each transaction took (by vxid).
    xmins: HashMap<u64, Xid>,
}

#[derive(Clone, Copy)]
struct LockHolder {
    vxid: u64,
    session: Option<u64>,
}

/// The transaction manager inside [`Storage`].
pub(crate) struct TxnManager {
    procs: Mutex<ProcArray>,
    clog: RwLock<Clog>,
    writer: Mutex<Option<LockHolder>>,
    writer_released: Condvar,
    next_vxid: AtomicU64,
}

impl TxnManager {
    pub(crate) fn new() -> TxnManager {
        TxnManager {
            procs: Mutex::new(ProcArray { next_xid: Xid::FIRST_NORMAL.0, running: Vec::new(), xmins: HashMap::new() }),
            clog: RwLock::new(Clog::default()),
            writer: Mutex::new(None),
            writer_released: Condvar::new(),
            next_vxid: AtomicU64::new(1),
        }
    }

    /// A transaction manager continuing from an image's state (see
    /// [`TxnManager::image`]): no transaction running.
    pub(crate) fn from_image(next_xid: u32, clog_bits: Vec<u8>) -> TxnManager {
        let t = TxnManager::new();
        lock(&t.procs).next_xid = next_xid.max(Xid::FIRST_NORMAL.0);
        t.clog.write().unwrap_or_else(|e| e.into_inner()).bits = clog_bits;
        t
    }

    /// The next xid and the commit log's status bits, with every xid still
    /// running counted as aborted: what a restart would find (the image
    /// holds only committed work). Subtransaction parents are not needed
    /// once nothing is in progress.
    pub(crate) fn image(&self) -> (u32, Vec<u8>) {
        let procs = lock(&self.procs);
        let mut clog = Clog { bits: self.clog().bits.clone(), parents: HashMap::new() };
        for xid in Xid::FIRST_NORMAL.0..procs.next_xid {
            if clog.status(Xid(xid)) == XidStatus::InProgress {
                clog.set(Xid(xid), XidStatus::Aborted);
            }
        }
        (procs.next_xid, clog.bits)
    }

    pub(crate) fn clog(&self) -> RwLockReadGuard<'_, Clog> {
        self.clog.read().unwrap_or_else(|e| e.into_inner())
    }

    fn next_vxid(&self) -> u64 {
        self.next_vxid.fetch_add(1, Ordering::Relaxed)
    }

    fn assign_xid(&self, parent: Option<Xid>) -> Result<Xid> {
        let mut procs = lock(&self.procs);
        if procs.next_xid >= XID_LIMIT {
            return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, "database is not accepting commands to avoid wraparound data loss"));
        }
        let xid = Xid(procs.next_xid);
        procs.next_xid += 1;
        procs.running.push(xid); // ascending: stays sorted
        let mut clog = self.clog.write().unwrap_or_else(|e| e.into_inner());
        clog.set(xid, XidStatus::InProgress);
        if let Some(p) = parent {
            clog.parents.insert(xid.0, p.0);
        }
        Ok(xid)
    }

    /// Marks `xids` committed or aborted and no longer running, atomically
    /// with respect to snapshots. `vxid` unregisters the transaction's xmin.
    fn finish(&self, xids: &[Xid], status: XidStatus, vxid: Option<u64>) {
        let mut procs = lock(&self.procs);
        if !xids.is_empty() {
            let mut clog = self.clog.write().unwrap_or_else(|e| e.into_inner());
            for &x in xids {
                clog.set(x, status);
            }
            drop(clog);
            let mut done = xids.to_vec();
            done.sort_unstable();
            procs.running.retain(|x| done.binary_search(x).is_err());
        }
        if let Some(v) = vxid {
            procs.xmins.remove(&v);
        }
    }

    fn snapshot(&self, vxid: u64) -> (Xid, Xid, Arc<[Xid]>) {
        let mut procs = lock(&self.procs);
        let xmax = Xid(procs.next_xid);
        let xmin = procs.running.first().copied().unwrap_or(xmax);
        let xip: Arc<[Xid]> = Arc::from(&procs.running[..]);
        procs.xmins.entry(vxid).or_insert(xmin);
        (xmin, xmax, xip)
    }

    /// The oldest xmin any transaction's snapshot may still use: tuples
    /// deleted by xids committed before it are dead to everyone.
    pub(crate) fn oldest_xmin(&self) -> Xid {
        let procs = lock(&self.procs);
        let mut m = Xid(procs.next_xid);
        if let Some(&x) = procs.running.first() {
            m = m.min(x);
        }
        for &x in procs.xmins.values() {
            m = m.min(x);
        }
        m
    }

    pub(crate) fn next_xid(&self) -> Xid {
        Xid(lock(&self.procs).next_xid)
    }

    fn acquire_write_lock(&self, vxid: u64, session: Option<u64>, wait: LockWait, cancel: Option<&AtomicBool>) -> Result<()> {
        let mut holder = lock(&self.writer);
        let deadline = Deadline::start(wait);
        loop {
            match *holder {
                None => {
                    *holder = Some(LockHolder { vxid, session });
                    return Ok(());
                }
                Some(h) if h.vxid == vxid => return Ok(()),
                Some(h) => {
                    if session.is_some() && h.session == session {
                        return Err(Error::new(SqlState::T_R_DEADLOCK_DETECTED, "deadlock detected")
                            .with_detail("Another transaction of the same session holds the write lock; waiting for it would never end."));
                    }
                }
            }
            if cancel.is_some_and(|c| c.load(Ordering::Acquire)) {
                return Err(Error::new(SqlState::QUERY_CANCELED, "canceling statement due to user request"));
            }
            let slice = deadline.next_slice(wait)?;
            holder = self.writer_released.wait_timeout(holder, slice).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    fn release_write_lock(&self, vxid: u64) {
        let mut holder = lock(&self.writer);
        if holder.is_some_and(|h| h.vxid == vxid) {
            *holder = None;
            self.writer_released.notify_all();
        }
    }

    /// Whether any transaction holds the write lock.
    pub(crate) fn write_lock_held(&self) -> bool {
        lock(&self.writer).is_some()
    }
}

/// When a wait for the write lock gives up. Waits go in short slices so a
/// cancel flag is noticed promptly.
#[cfg(not(target_family = "wasm"))]
struct Deadline(Option<std::time::Instant>);

#[cfg(not(target_family = "wasm"))]
impl Deadline {
    fn start(wait: LockWait) -> Deadline {
        match wait {
            LockWait::Timeout(d) => Deadline(std::time::Instant::now().checked_add(d)),
            _ => Deadline(None),
        }
    }

    fn next_slice(&self, wait: LockWait) -> Result<Duration> {
        const SLICE: Duration = Duration::from_millis(10);
        match (wait, self.0) {
            (LockWait::NoWait, _) => Err(write_lock_busy()),
            (LockWait::Block, _) | (LockWait::Timeout(_), None) => Ok(SLICE),
            (LockWait::Timeout(_), Some(d)) => {
                let now = std::time::Instant::now();
                if d > now {
                    Ok((d - now).min(SLICE))
                } else {
                    Err(Error::new(SqlState::LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout"))
                }
            }
        }
    }
}

/// Without threads (the browser build) nothing can release the lock while
/// we wait, and there is no clock: every wait fails at once.
#[cfg(target_family = "wasm")]
struct Deadline;

#[cfg(target_family = "wasm")]
impl Deadline {
    fn start(_wait: LockWait) -> Deadline {
        Deadline
    }

    fn next_slice(&self, _wait: LockWait) -> Result<Duration> {
        Err(write_lock_busy())
    }
}

fn write_lock_busy() -> Error {
    Error::new(SqlState::LOCK_NOT_AVAILABLE, "could not obtain the write lock: another transaction is writing")
}

struct Level {
    xid: Option<Xid>,
    /// Xids of committed (released) subtransactions below this level.
    children: Vec<Xid>,
    /// Relations created at this level: removed if it aborts.
    created: Vec<RelFileNumber>,
    /// Relations dropped at this level: removed when the top level commits.
    dropped: Vec<RelFileNumber>,
}

impl Level {
    fn new() -> Level {
        Level { xid: None, children: Vec::new(), created: Vec::new(), dropped: Vec::new() }
    }

    fn xids(&self) -> impl Iterator<Item = Xid> + '_ {
        self.xid.into_iter().chain(self.children.iter().copied())
    }
}

/// A transaction handle. Dropping an unfinished one aborts it.
pub struct Transaction {
    storage: Arc<Storage>,
    vxid: u64,
    session: Option<u64>,
    /// levels[0] is the top-level transaction; the rest are open savepoints.
    levels: Vec<Level>,
    cid: CommandId,
    cid_used: bool,
    holds_write_lock: bool,
    lock_wait: LockWait,
    cancel: Option<Arc<AtomicBool>>,
    finished: bool,
}

impl Transaction {
    pub(crate) fn start(storage: Arc<Storage>, session: Option<u64>) -> Transaction {
        let vxid = storage.txns().next_vxid();
        Transaction {
            storage,
            vxid,
            session,
            levels: vec![Level::new()],
            cid: FIRST_COMMAND_ID,
            cid_used: false,
            holds_write_lock: false,
            lock_wait: LockWait::Block,
            cancel: None,
            finished: false,
        }
    }

    /// A process-local id for this transaction (PostgreSQL's virtual xid).
    pub fn vxid(&self) -> u64 {
        self.vxid
    }

    /// The top-level xid, if one was assigned.
    pub fn xid(&self) -> Option<Xid> {
        self.levels[0].xid
    }

    /// The xid of the innermost (sub)transaction, if assigned.
    pub fn current_xid(&self) -> Option<Xid> {
        self.levels.last().and_then(|l| l.xid)
    }

    /// The current command id: writes stamp it, snapshots see below it.
    pub fn command_id(&self) -> CommandId {
        self.cid
    }

    /// CommandCounterIncrement: later commands see this one's writes.
    pub fn command_counter_increment(&mut self) -> Result<()> {
        if !self.cid_used {
            return Ok(());
        }
        if self.cid >= u32::MAX - 1 {
            return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, "cannot have more than 2^32-2 commands in a transaction"));
        }
        self.cid += 1;
        self.cid_used = false;
        Ok(())
    }

    pub(crate) fn mark_cid_used(&mut self) {
        self.cid_used = true;
    }

    /// Open savepoints.
    pub fn subtransaction_depth(&self) -> usize {
        self.levels.len() - 1
    }

    pub fn holds_write_lock(&self) -> bool {
        self.holds_write_lock
    }

    /// How implicit write-lock acquisitions wait (default: block).
    pub fn set_lock_wait(&mut self, wait: LockWait) {
        self.lock_wait = wait;
    }

    /// A flag the server sets to cancel a wait for the write lock (57014).
    pub fn set_cancel_flag(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = Some(flag);
    }

    fn check_active(&self) -> Result<()> {
        if self.finished {
            return Err(Error::new(SqlState::INVALID_TRANSACTION_STATE, "transaction already finished"));
        }
        Ok(())
    }

    /// Takes the single-writer lock now, waiting as `wait` says.
    pub fn acquire_write_lock(&mut self, wait: LockWait) -> Result<()> {
        self.check_active()?;
        if self.holds_write_lock {
            return Ok(());
        }
        self.storage.txns().acquire_write_lock(self.vxid, self.session, wait, self.cancel.as_deref())?;
        self.holds_write_lock = true;
        Ok(())
    }

    pub(crate) fn ensure_write_lock(&mut self) -> Result<()> {
        if self.holds_write_lock {
            return Ok(());
        }
        self.acquire_write_lock(self.lock_wait)
    }

    /// The innermost level's xid, assigning xids (parents first) and taking
    /// the write lock as needed.
    pub fn assign_xid(&mut self) -> Result<Xid> {
        if let Some(x) = self.current_xid() {
            return Ok(x);
        }
        self.ensure_write_lock()?;
        for i in 0..self.levels.len() {
            if self.levels[i].xid.is_none() {
                let parent = if i == 0 { None } else { self.levels[i - 1].xid };
                self.levels[i].xid = Some(self.storage.txns().assign_xid(parent)?);
            }
        }
        self.current_xid().ok_or_else(|| Error::internal("xid assignment failed"))
    }

    /// Whether `xid` is this transaction's (top or a live subtransaction or
    /// a released one), as TransactionIdIsCurrentTransactionId.
    pub fn is_own_xid(&self, xid: Xid) -> bool {
        xid.is_valid() && self.levels.iter().any(|l| l.xids().any(|x| x == xid))
    }

    /// All own xids, sorted.
    pub fn own_xids(&self) -> Vec<Xid> {
        let mut v: Vec<Xid> = self.levels.iter().flat_map(|l| l.xids()).collect();
        v.sort_unstable();
        v
    }

    /// Brings a kept snapshot (REPEATABLE READ) up to date with this
    /// transaction: current command id and own xids.
    pub fn refresh_snapshot(&self, snapshot: &mut Snapshot) {
        snapshot.curcid = self.cid;
        snapshot.own = self.own_xids();
    }

    /// A new snapshot (see [`Storage::snapshot`]).
    pub fn snapshot(&self) -> Snapshot {
        let (xmin, xmax, xip) = self.storage.txns().snapshot(self.vxid);
        Snapshot { xmin, xmax, xip, own: self.own_xids(), curcid: self.cid }
    }

    /// SAVEPOINT: opens a subtransaction.
    pub fn begin_subtransaction(&mut self) -> Result<()> {
        self.check_active()?;
        self.levels.push(Level::new());
        Ok(())
    }

    /// RELEASE SAVEPOINT: the innermost subtransaction's changes become the
    /// parent's (visible to others when the top level commits).
    pub fn release_subtransaction(&mut self) -> Result<()> {
        self.check_active()?;
        if self.levels.len() < 2 {
            return Err(Error::new(SqlState::INVALID_TRANSACTION_STATE, "no subtransaction to release"));
        }
        let Some(child) = self.levels.pop() else {
            return Err(Error::internal("subtransaction stack empty"));
        };
        let Some(parent) = self.levels.last_mut() else {
            return Err(Error::internal("subtransaction stack empty"));
        };
        parent.children.extend(child.xid);
        parent.children.extend(child.children);
        parent.created.extend(child.created);
        parent.dropped.extend(child.dropped);
        Ok(())
    }

    /// ROLLBACK TO SAVEPOINT (the abort half): discards the innermost
    /// subtransaction's changes. Open a new one to keep the savepoint.
    pub fn rollback_subtransaction(&mut self) -> Result<()> {
        self.check_active()?;
        if self.levels.len() < 2 {
            return Err(Error::new(SqlState::INVALID_TRANSACTION_STATE, "no subtransaction to roll back"));
        }
        let Some(child) = self.levels.pop() else {
            return Err(Error::internal("subtransaction stack empty"));
        };
        let xids: Vec<Xid> = child.xids().collect();
        self.storage.txns().finish(&xids, XidStatus::Aborted, None);
        for rel in child.created {
            self.storage.remove_relation_now(rel);
        }
        Ok(())
    }

    pub(crate) fn record_created(&mut self, rel: RelFileNumber) {
        if let Some(l) = self.levels.last_mut() {
            l.created.push(rel);
        }
    }

    pub(crate) fn record_dropped(&mut self, rel: RelFileNumber) {
        if let Some(l) = self.levels.last_mut() {
            l.dropped.push(rel);
        }
    }

    /// Whether `rel` is already scheduled for removal by this transaction.
    pub(crate) fn drops_pending(&self, rel: RelFileNumber) -> bool {
        self.levels.iter().any(|l| l.dropped.contains(&rel))
    }

    /// COMMIT (open subtransactions are released first).
    pub fn commit(mut self) -> Result<()> {
        self.check_active()?;
        while self.levels.len() > 1 {
            self.release_subtransaction()?;
        }
        let top = &mut self.levels[0];
        let xids: Vec<Xid> = top.xids().collect();
        let dropped = std::mem::take(&mut top.dropped);
        let top_xid = top.xid;
        self.finished = true;
        self.storage.txns().finish(&xids, XidStatus::Committed, Some(self.vxid));
        if self.holds_write_lock {
            self.storage.txns().release_write_lock(self.vxid);
            self.holds_write_lock = false;
        }
        if !dropped.is_empty() {
            // drop_relation assigned an xid, so top_xid is set here.
            self.storage.schedule_removal(dropped, top_xid.unwrap_or(Xid::FIRST_NORMAL));
        }
        self.storage.reclaim_dropped();
        Ok(())
    }

    /// ROLLBACK.
    pub fn abort(mut self) {
        self.abort_inner();
    }

    fn abort_inner(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let xids: Vec<Xid> = self.levels.iter().flat_map(|l| l.xids()).collect();
        self.storage.txns().finish(&xids, XidStatus::Aborted, Some(self.vxid));
        if self.holds_write_lock {
            self.storage.txns().release_write_lock(self.vxid);
            self.holds_write_lock = false;
        }
        let created: Vec<RelFileNumber> = self.levels.iter_mut().flat_map(|l| std::mem::take(&mut l.created)).collect();
        for rel in created {
            self.storage.remove_relation_now(rel);
        }
        self.storage.reclaim_dropped();
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        self.abort_inner();
    }
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("vxid", &self.vxid)
            .field("xid", &self.xid())
            .field("depth", &self.subtransaction_depth())
            .field("cid", &self.cid)
            .finish()
    }
}
