//! VACUUM: removes tuple versions no snapshot can see, and their index
//! entries, then defragments the pages so the space is reused.
//!
//! Order matters, as in PostgreSQL's lazy vacuum: dead TIDs are collected
//! first, their index entries removed next, and only then are the heap line
//! pointers freed — so an index never points at a slot that a new tuple
//! might take. VACUUM runs as the single writer (it takes the write lock via
//! its transaction), which is also what keeps B-tree page changes safe.

use std::collections::HashSet;

use oa_ir::Result;

use crate::buffer::lock;
use crate::io::RelFileNumber;
use crate::mvcc::{self, VacuumStatus};
use crate::page::OffsetNumber;
use crate::storage::Storage;
use crate::tuple::{Tid, TupleHeader};
use crate::xact::{Transaction, Xid};

/// What a VACUUM did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VacuumStats {
    pub pages_scanned: u64,
    /// Pages that had dead tuples removed.
    pub pages_pruned: u64,
    pub tuples_removed: u64,
    /// Live tuples, plus versions being inserted or deleted right now.
    pub tuples_kept: u64,
    /// Deleted versions some snapshot may still need.
    pub recently_dead: u64,
    pub index_entries_removed: u64,
}

impl Storage {
    /// Vacuums a heap and its indexes. `oldest_xmin` is the horizon (from
    /// [`Storage::oldest_xmin`]); a later value is clamped to it, so VACUUM
    /// never removes a version some snapshot can still see. The transaction
    /// takes the write lock; VACUUM's page changes are not undone if it
    /// aborts.
    pub fn vacuum(&self, txn: &mut Transaction, rel: RelFileNumber, indexes: &[RelFileNumber], oldest_xmin: Xid) -> Result<VacuumStats> {
        txn.ensure_write_lock()?;
        let r = self.heap_relation(rel)?;
        for &i in indexes {
            self.btree_relation(i)?;
        }
        let horizon = oldest_xmin.min(self.oldest_xmin());
        let mut stats = VacuumStats::default();
        let mut dead_by_block: Vec<(u32, Vec<OffsetNumber>)> = Vec::new();
        let mut dead: HashSet<Tid> = HashSet::new();
        let nblocks = r.nblocks();
        for block in 0..nblocks {
            stats.pages_scanned += 1;
            let g = self.pool.read(r.page(block))?;
            let page = g.page();
            let clog = self.txns().clog();
            let mut offs = Vec::new();
            for off in 1..=page.max_offset() {
                let Some(item) = page.item(off) else { continue };
                match mvcc::satisfies_vacuum(&TupleHeader::new(item)?, horizon, &clog) {
                    VacuumStatus::Dead => {
                        offs.push(off);
                        dead.insert(Tid::new(block, off));
                    }
                    VacuumStatus::RecentlyDead => stats.recently_dead += 1,
                    VacuumStatus::Live | VacuumStatus::InsertInProgress | VacuumStatus::DeleteInProgress => stats.tuples_kept += 1,
                }
            }
            if !offs.is_empty() {
                dead_by_block.push((block, offs));
            }
        }
        if dead.is_empty() {
            return Ok(stats);
        }
        for &i in indexes {
            stats.index_entries_removed += self.btree_bulk_delete(i, &dead)?;
        }
        for (block, offs) in dead_by_block {
            let mut g = self.pool.write(r.page(block))?;
            g.remove_items(&offs)?;
            stats.tuples_removed += offs.len() as u64;
            stats.pages_pruned += 1;
            lock(&r.fsm).record(block, g.page().free_space());
        }
        Ok(stats)
    }
}
