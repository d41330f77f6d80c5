//! Slotted pages, buffer pool, I/O backends, heap, B-tree, MVCC.
//!
//! The layers, bottom up (each only calls the ones above it in this list):
//!
//! | module | what |
//! |---|---|
//! | [`page`] | 8 KB slotted page layout (PostgreSQL's bufpage), checksums |
//! | [`io`] | the submit/complete I/O trait, memory and fault-injecting backends |
//! | [`buffer`] | buffer pool: frames made once (buffers on first use), clock sweep, latches, the page write guard (WAL hook) |
//! | [`tuple`](mod@tuple) | tuple layout: form/deform, zero-copy attribute reader, arrays |
//! | [`xact`] | xids, commit log, snapshots, subtransactions, the single-writer lock |
//! | `mvcc` | visibility rules (HeapTupleSatisfiesMVCC/Update/Dirty/Vacuum) |
//! | [`heap`] | heap relations: insert/update/delete/fetch/scan |
//! | [`btree`] | B+tree indexes with Lehman–Yao right links |
//! | [`vacuum`] | removal of dead versions and their index entries |
//! | [`storage`] | [`Storage`], relation lifecycle with pending deletes |
//! | `image` | a whole storage as bytes and back (the browser build's save/load) |
//!
//! A write goes: `Transaction::assign_xid` (takes the write lock, assigns
//! xids) → `Storage::insert` → buffer pool `write` latch →
//! `PageWriteGuard::add_item_parts` (marks dirty, WAL hook) → later the
//! clock sweep writes the page out through the [`io::IoBackend`] with a
//! fresh checksum. A read goes: `Storage::scan` → buffer pool `read`
//! (checksum verified if the page came from the backend) → visibility
//! against the snapshot → tuples copied into a [`TupleBatch`] →
//! [`deform_into`] in the caller.

pub mod btree;
pub mod buffer;
pub mod heap;
mod image;
pub mod io;
mod mvcc;
pub mod page;
pub mod storage;
pub mod tuple;
pub mod vacuum;
pub mod xact;

#[cfg(test)]
mod tests;

pub use btree::{BT_MAX_ITEM_SIZE, BtreeScan, INDEX_MAX_KEYS, IndexBatch, index_tuple_values};
pub use buffer::{PageReadGuard, PageWriteGuard, PoolStats, WalRecord};
pub use heap::{HeapScan, MAX_HEAP_TUPLE_SIZE, TupleBatch};
pub use io::{FaultInjectingBackend, FaultInjector, FaultPlan, IoBackend, IoCompletion, IoOp, IoRequest, MemoryBackend, PageId, RelFileNumber};
pub use mvcc::{TmFailure, TmResult};
pub use page::{BlockNumber, OffsetNumber, PAGE_SIZE};
pub use storage::{Storage, StorageConfig};
pub use tuple::{
    RawValue, Tid, TupleDesc, TupleHeader, decode_array, deform_into, deform_tuple, encode_array, form_tuple, form_tuple_into, get_attr,
};
pub use vacuum::VacuumStats;
pub use xact::{CommandId, LockWait, Snapshot, Transaction, Xid, XidStatus};

// Sessions share the storage and move transactions and scans between
// threads (the server's tasks); keep that true.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Storage>();
    send::<Transaction>();
    send::<HeapScan>();
    send::<BtreeScan>();
};
