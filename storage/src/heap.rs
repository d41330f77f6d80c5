//! Heap relations: tuples on slotted pages, written with MVCC stamps.
//!
//! - `insert` stamps xmin/cmin and places the tuple on the insertion-target
//!   page, a page the free-space map knows has room, or a new page.
//! - `delete` stamps xmax/cmax; `update` inserts the new version (same page
//!   when it fits) and points the old version's ctid at it.
//! - `fetch` and `scan` return only tuples visible to a snapshot. A scan
//!   goes a page at a time and holds no latch between calls: it copies the
//!   visible tuples of one page into a reusable [`TupleBatch`].

use std::sync::Arc;
use std::sync::atomic::Ordering;

use oa_ir::{Error, Result, SqlState};

use crate::buffer::lock;
use crate::mvcc::{self, DirtyStatus, TmResult};
use crate::page::{BlockNumber, INVALID_BLOCK, ITEM_ID_SIZE, PAGE_HEADER_SIZE, PAGE_SIZE, PageKind, Placement, maxalign};
use crate::storage::{Relation, Storage};
use crate::tuple::{
    HEAP_HASNULL, HEAP_HASVARWIDTH, HEAP_TUPLE_HEADER_SIZE, HEAP_UPDATED, HEAP_XMAX_INVALID, T_CMAX, T_INFOMASK, T_XMAX, Tid, TupleHeader,
};
use crate::xact::{CommandId, Snapshot, Transaction, Xid};

/// The largest heap tuple: a page less its header and one line pointer,
/// MAXALIGNed down (PostgreSQL's MaxHeapTupleSize).
pub const MAX_HEAP_TUPLE_SIZE: usize = (PAGE_SIZE - maxalign(PAGE_HEADER_SIZE + ITEM_ID_SIZE)) & !7;

/// Bytes of header the heap stamps on insert: xmin through infomask.
const STAMP_LEN: usize = T_INFOMASK + 2;

/// A per-relation free-space map: one byte per block, free bytes / 32
/// (PostgreSQL's FSM categories), kept in memory, with a second level
/// holding each 256-block chunk's maximum so a search costs
/// O(blocks / 256 + 256), not a scan of every block.
#[derive(Default)]
pub(crate) struct Fsm {
    avail: Vec<u8>,
    chunk_max: Vec<u8>,
}

const FSM_CHUNK: usize = 256;

impl Fsm {
    pub(crate) fn record(&mut self, block: BlockNumber, free: usize) {
        let i = block as usize;
        if self.avail.len() <= i {
            self.avail.resize(i + 1, 0);
            self.chunk_max.resize(i / FSM_CHUNK + 1, 0);
        }
        let cat = (free / 32).min(255) as u8;
        self.avail[i] = cat;
        let c = i / FSM_CHUNK;
        if cat >= self.chunk_max[c] {
            self.chunk_max[c] = cat;
        } else {
            let end = ((c + 1) * FSM_CHUNK).min(self.avail.len());
            self.chunk_max[c] = self.avail[c * FSM_CHUNK..end].iter().copied().max().unwrap_or(0);
        }
    }

    /// A block that probably has `need` bytes free (not `skip`).
    pub(crate) fn find(&self, need: usize, skip: BlockNumber) -> Option<BlockNumber> {
        let want = need.div_ceil(32).clamp(1, 255) as u8;
        for (c, &m) in self.chunk_max.iter().enumerate() {
            if m < want {
                continue;
            }
            let end = ((c + 1) * FSM_CHUNK).min(self.avail.len());
            for i in c * FSM_CHUNK..end {
                if self.avail[i] >= want && i as BlockNumber != skip {
                    return Some(i as BlockNumber);
                }
            }
        }
        None
    }
}

fn too_big(len: usize) -> Error {
    Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("row is too big: size {len}, maximum size {MAX_HEAP_TUPLE_SIZE}"))
}

fn check_tuple(tuple: &[u8]) -> Result<()> {
    TupleHeader::new(tuple)?;
    if tuple.len() > MAX_HEAP_TUPLE_SIZE {
        return Err(too_big(tuple.len()));
    }
    Ok(())
}

/// The stamped header (xmin..infomask) of a new tuple version.
fn stamp(tuple: &[u8], xmin: Xid, cmin: CommandId, ctid: Tid, extra: u16) -> [u8; STAMP_LEN] {
    let mut h = [0u8; STAMP_LEN];
    h[0..4].copy_from_slice(&xmin.0.to_le_bytes());
    // xmax 0, cmax 0
    h[8..12].copy_from_slice(&cmin.to_le_bytes());
    h[16..20].copy_from_slice(&ctid.block.to_le_bytes());
    h[20..22].copy_from_slice(&ctid.offset.to_le_bytes());
    let old = u16::from_le_bytes([tuple[T_INFOMASK], tuple[T_INFOMASK + 1]]);
    let infomask = (old & (HEAP_HASNULL | HEAP_HASVARWIDTH)) | HEAP_XMAX_INVALID | extra;
    h[T_INFOMASK..T_INFOMASK + 2].copy_from_slice(&infomask.to_le_bytes());
    h
}

/// Visible tuples of one page, copied out so no latch is held while the
/// caller looks at them. Reused across calls: no allocation per tuple.
#[derive(Default)]
pub struct TupleBatch {
    data: Vec<u8>,
    items: Vec<(Tid, u32, u32)>,
}

impl TupleBatch {
    pub fn new() -> TupleBatch {
        TupleBatch::default()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.items.clear();
    }

    /// The i-th tuple (header included; read it with `deform_into`).
    pub fn get(&self, i: usize) -> Option<(Tid, &[u8])> {
        let &(tid, start, len) = self.items.get(i)?;
        Some((tid, &self.data[start as usize..(start + len) as usize]))
    }

    pub fn iter(&self) -> impl Iterator<Item = (Tid, &[u8])> + '_ {
        self.items.iter().map(|&(tid, start, len)| (tid, &self.data[start as usize..(start + len) as usize]))
    }

    fn push(&mut self, tid: Tid, tuple: &[u8]) {
        // Keep each copy 8-aligned relative to the buffer, as on the page.
        let start = maxalign(self.data.len());
        self.data.resize(start, 0);
        self.data.extend_from_slice(tuple);
        self.items.push((tid, start as u32, tuple.len() as u32));
    }
}

impl Storage {
    /// Inserts a tuple made by [`form_tuple`](crate::tuple::form_tuple),
    /// stamping it with the transaction's xid and `cid`.
    pub fn insert(&self, rel: crate::io::RelFileNumber, tuple: &[u8], txn: &mut Transaction, cid: CommandId) -> Result<Tid> {
        let r = self.heap_relation(rel)?;
        check_tuple(tuple)?;
        let xid = txn.assign_xid()?;
        txn.mark_cid_used();
        self.place_tuple(&r, tuple, xid, cid, 0, INVALID_BLOCK)
    }

    /// Puts a new tuple version somewhere with room (never on `avoid`).
    fn place_tuple(&self, r: &Relation, tuple: &[u8], xid: Xid, cid: CommandId, extra: u16, avoid: BlockNumber) -> Result<Tid> {
        let target = r.target.load(Ordering::Acquire);
        if target != INVALID_BLOCK
            && target != avoid
            && target < r.nblocks()
            && let Some(tid) = self.try_place(r, target, tuple, xid, cid, extra)?
        {
            return Ok(tid);
        }
        // A few free-space-map candidates, then a new page.
        for _ in 0..4 {
            let Some(b) = lock(&r.fsm).find(maxalign(tuple.len()) + ITEM_ID_SIZE, avoid) else {
                break;
            };
            if b >= r.nblocks() {
                break;
            }
            if let Some(tid) = self.try_place(r, b, tuple, xid, cid, extra)? {
                r.target.store(b, Ordering::Release);
                return Ok(tid);
            }
        }
        let mut g = self.extend(r, PageKind::Heap, 0)?;
        let block = g.id().block;
        let off = g.page().next_item_offset();
        let head = stamp(tuple, xid, cid, Tid::new(block, off), extra);
        match g.add_item_parts(&head, &tuple[STAMP_LEN..], Placement::Any)? {
            Some(o) if o == off => {}
            _ => return Err(Error::internal("tuple did not fit on an empty page")),
        }
        r.target.store(block, Ordering::Release);
        Ok(Tid::new(block, off))
    }

    fn try_place(&self, r: &Relation, block: BlockNumber, tuple: &[u8], xid: Xid, cid: CommandId, extra: u16) -> Result<Option<Tid>> {
        let mut g = self.pool.write(r.page(block))?;
        if g.page().is_new() {
            g.init(PageKind::Heap, 0)?;
        }
        if g.page().kind() != Some(PageKind::Heap) {
            return Err(Error::new(SqlState::DATA_CORRUPTED, format!("block {block} of relation {} is not a heap page", r.id)));
        }
        if !g.page().fits(tuple.len(), true) {
            lock(&r.fsm).record(block, g.page().free_space());
            return Ok(None);
        }
        let off = g.page().next_item_offset();
        let head = stamp(tuple, xid, cid, Tid::new(block, off), extra);
        match g.add_item_parts(&head, &tuple[STAMP_LEN..], Placement::Any)? {
            Some(o) if o == off => Ok(Some(Tid::new(block, off))),
            Some(_) => Err(Error::internal("line pointer chosen differs from the one predicted")),
            None => Ok(None),
        }
    }

    /// Deletes (stamps xmax on) the tuple at `tid`, if the command may.
    pub fn delete(&self, rel: crate::io::RelFileNumber, tid: Tid, txn: &mut Transaction, cid: CommandId) -> Result<TmResult<()>> {
        let r = self.heap_relation(rel)?;
        let xid = txn.assign_xid()?;
        txn.mark_cid_used();
        let mut g = self.pool.write(r.page(self.check_block(&r, tid)?))?;
        let (stamp, status) = {
            let item = g.page().item(tid.offset).ok_or_else(|| missing(tid))?;
            let h = TupleHeader::new(item)?;
            let clog = self.txns().clog();
            let status = mvcc::satisfies_update(&h, tid, |x| txn.is_own_xid(x), cid, &clog);
            (xmax_stamp(&h, xid, cid, h.ctid()), status)
        };
        if let Err(f) = status {
            return Ok(Err(f));
        }
        g.patch_item(tid.offset, T_XMAX, &stamp)?;
        Ok(Ok(()))
    }

    /// Replaces the tuple at `tid` with a new version; returns its TID.
    pub fn update(&self, rel: crate::io::RelFileNumber, tid: Tid, new_tuple: &[u8], txn: &mut Transaction, cid: CommandId) -> Result<TmResult<Tid>> {
        let r = self.heap_relation(rel)?;
        check_tuple(new_tuple)?;
        let xid = txn.assign_xid()?;
        txn.mark_cid_used();
        let block = self.check_block(&r, tid)?;
        let mut g = self.pool.write(r.page(block))?;
        {
            let item = g.page().item(tid.offset).ok_or_else(|| missing(tid))?;
            let h = TupleHeader::new(item)?;
            let clog = self.txns().clog();
            if let Err(f) = mvcc::satisfies_update(&h, tid, |x| txn.is_own_xid(x), cid, &clog) {
                return Ok(Err(f));
            }
        }
        let new_tid = if g.page().fits(new_tuple.len(), true) {
            let off = g.page().next_item_offset();
            let head = stamp(new_tuple, xid, cid, Tid::new(block, off), HEAP_UPDATED);
            match g.add_item_parts(&head, &new_tuple[STAMP_LEN..], Placement::Any)? {
                Some(o) if o == off => Tid::new(block, off),
                _ => return Err(Error::internal("update could not place the new version")),
            }
        } else {
            // The old page is full. Under the single-writer rule nothing
            // else changes it while it is unlatched.
            drop(g);
            let t = self.place_tuple(&r, new_tuple, xid, cid, HEAP_UPDATED, block)?;
            g = self.pool.write(r.page(block))?;
            t
        };
        let stamp = {
            let item = g.page().item(tid.offset).ok_or_else(|| missing(tid))?;
            xmax_stamp(&TupleHeader::new(item)?, xid, cid, new_tid)
        };
        g.patch_item(tid.offset, T_XMAX, &stamp)?;
        Ok(Ok(new_tid))
    }

    /// Overwrites a tuple's data in place, without a new version or any
    /// transactional effect (heap_inplace_update; sequences use it). The new
    /// tuple must have the same length and header size.
    pub fn inplace_update(&self, rel: crate::io::RelFileNumber, tid: Tid, tuple: &[u8]) -> Result<()> {
        self.inplace(rel, tid, None, tuple).map(|_| ())
    }

    /// [`inplace_update`](Self::inplace_update) only if the current data
    /// equals `expected`'s: an atomic read-modify-write for callers without
    /// their own lock (nextval). Returns whether it was applied.
    pub fn inplace_compare_and_swap(&self, rel: crate::io::RelFileNumber, tid: Tid, expected: &[u8], tuple: &[u8]) -> Result<bool> {
        self.inplace(rel, tid, Some(expected), tuple)
    }

    fn inplace(&self, rel: crate::io::RelFileNumber, tid: Tid, expected: Option<&[u8]>, tuple: &[u8]) -> Result<bool> {
        let r = self.heap_relation(rel)?;
        let new = TupleHeader::new(tuple)?;
        let mut g = self.pool.write(r.page(self.check_block(&r, tid)?))?;
        let hoff = {
            let item = g.page().item(tid.offset).ok_or_else(|| missing(tid))?;
            let old = TupleHeader::new(item)?;
            if item.len() != tuple.len() || old.hoff() != new.hoff() || old.natts() != new.natts() {
                return Err(Error::internal(format!(
                    "in-place update of tuple {tid} needs the same shape ({} bytes, hoff {}), got {} bytes, hoff {}",
                    item.len(),
                    old.hoff(),
                    tuple.len(),
                    new.hoff()
                )));
            }
            if let Some(e) = expected
                && e.get(old.hoff()..) != Some(old.data())
            {
                return Ok(false);
            }
            old.hoff()
        };
        g.patch_item(tid.offset, hoff, &tuple[hoff..])?;
        Ok(true)
    }

    fn check_block(&self, r: &Relation, tid: Tid) -> Result<BlockNumber> {
        if tid.block >= r.nblocks() || tid.offset == 0 {
            return Err(missing(tid));
        }
        Ok(tid.block)
    }

    /// The tuple at `tid` if `snapshot` sees it.
    pub fn fetch(&self, rel: crate::io::RelFileNumber, tid: Tid, snapshot: &Snapshot) -> Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(self.fetch_into(rel, tid, snapshot, &mut out)?.then_some(out))
    }

    /// The versions at `tids` visible to `snapshot`, appended to `out` in
    /// order: an index scan's heap fetches, one relation lookup for all.
    pub fn fetch_batch(
        &self,
        rel: crate::io::RelFileNumber,
        tids: impl Iterator<Item = Tid>,
        snapshot: &Snapshot,
        out: &mut TupleBatch,
    ) -> Result<()> {
        let r = self.heap_relation(rel)?;
        let clog = self.txns().clog();
        for tid in tids {
            if tid.block >= r.nblocks() || tid.offset == 0 {
                continue;
            }
            let g = self.pool.read(r.page(tid.block))?;
            let Some(item) = g.page().item(tid.offset) else { continue };
            if mvcc::satisfies_mvcc(&TupleHeader::new(item)?, snapshot, &clog) {
                out.push(tid, item);
            }
        }
        Ok(())
    }

    /// [`fetch`](Self::fetch) into a reused buffer; false if not visible.
    pub fn fetch_into(&self, rel: crate::io::RelFileNumber, tid: Tid, snapshot: &Snapshot, out: &mut Vec<u8>) -> Result<bool> {
        let r = self.heap_relation(rel)?;
        if tid.block >= r.nblocks() || tid.offset == 0 {
            return Ok(false);
        }
        let g = self.pool.read(r.page(tid.block))?;
        let page = g.page();
        let Some(item) = page.item(tid.offset) else {
            return Ok(false);
        };
        let h = TupleHeader::new(item)?;
        let visible = mvcc::satisfies_mvcc(&h, snapshot, &self.txns().clog());
        if visible {
            out.clear();
            out.extend_from_slice(item);
        }
        Ok(visible)
    }

    /// The tuple version at `tid` whatever its visibility (SnapshotAny), for
    /// following update chains and reading system columns.
    pub fn fetch_any(&self, rel: crate::io::RelFileNumber, tid: Tid) -> Result<Option<Vec<u8>>> {
        let r = self.heap_relation(rel)?;
        if tid.block >= r.nblocks() || tid.offset == 0 {
            return Ok(None);
        }
        let g = self.pool.read(r.page(tid.block))?;
        Ok(g.page().item(tid.offset).map(<[u8]>::to_vec))
    }

    /// The dirty-snapshot status of a heap tuple for uniqueness checks.
    pub(crate) fn dirty_status(&self, r: &Relation, tid: Tid, txn: &Transaction) -> Result<DirtyStatus> {
        if tid.block >= r.nblocks() || tid.offset == 0 {
            return Ok(DirtyStatus::Invisible);
        }
        let g = self.pool.read(r.page(tid.block))?;
        let Some(item) = g.page().item(tid.offset) else {
            return Ok(DirtyStatus::Invisible);
        };
        let h = TupleHeader::new(item)?;
        Ok(mvcc::satisfies_dirty(&h, |x| txn.is_own_xid(x), &self.txns().clog()))
    }

    /// A scan of the tuples `snapshot` sees, a page at a time.
    pub fn scan(self: &Arc<Self>, rel: crate::io::RelFileNumber, snapshot: &Snapshot) -> Result<HeapScan> {
        let r = self.heap_relation(rel)?;
        let end = r.nblocks();
        Ok(HeapScan {
            storage: self.clone(),
            rel: r,
            snapshot: snapshot.clone(),
            next_block: 0,
            end_block: end,
            batch: TupleBatch::new(),
            batch_pos: 0,
        })
    }

    /// Copies the visible tuples of `block` into `out` (cleared first).
    fn scan_page(&self, r: &Relation, block: BlockNumber, snapshot: &Snapshot, out: &mut TupleBatch) -> Result<()> {
        out.clear();
        let g = self.pool.read(r.page(block))?;
        let page = g.page();
        if page.is_new() {
            return Ok(());
        }
        let clog = self.txns().clog();
        for off in 1..=page.max_offset() {
            let Some(item) = page.item(off) else { continue };
            let h = TupleHeader::new(item)?;
            if mvcc::satisfies_mvcc(&h, snapshot, &clog) {
                out.push(Tid::new(block, off), item);
            }
        }
        Ok(())
    }
}

fn xmax_stamp(h: &TupleHeader<'_>, xmax: Xid, cmax: CommandId, ctid: Tid) -> [u8; STAMP_LEN - T_XMAX] {
    // xmax, cmin (kept), cmax, ctid, infomask — one contiguous patch.
    let mut s = [0u8; STAMP_LEN - T_XMAX];
    s[0..4].copy_from_slice(&xmax.0.to_le_bytes());
    s[4..8].copy_from_slice(&h.cmin().to_le_bytes());
    s[T_CMAX - T_XMAX..T_CMAX - T_XMAX + 4].copy_from_slice(&cmax.to_le_bytes());
    s[12..16].copy_from_slice(&ctid.block.to_le_bytes());
    s[16..18].copy_from_slice(&ctid.offset.to_le_bytes());
    let infomask = h.infomask() & !(HEAP_XMAX_INVALID | crate::tuple::HEAP_XMAX_COMMITTED);
    s[18..20].copy_from_slice(&infomask.to_le_bytes());
    s
}

fn missing(tid: Tid) -> Error {
    Error::internal(format!("could not find tuple {tid}"))
}

const _: () = assert!(MAX_HEAP_TUPLE_SIZE == 8160);
const _: () = assert!(HEAP_TUPLE_HEADER_SIZE > STAMP_LEN);

/// A sequential scan. Holds no latch between calls; the relation's blocks
/// as of the scan's start are visited in order.
pub struct HeapScan {
    storage: Arc<Storage>,
    rel: Arc<Relation>,
    snapshot: Snapshot,
    next_block: BlockNumber,
    end_block: BlockNumber,
    batch: TupleBatch,
    batch_pos: usize,
}

impl HeapScan {
    /// Fills `out` with the visible tuples of the next page that has any;
    /// false when the scan is done.
    pub fn next_page(&mut self, out: &mut TupleBatch) -> Result<bool> {
        while self.next_block < self.end_block {
            let b = self.next_block;
            self.next_block += 1;
            self.storage.scan_page(&self.rel, b, &self.snapshot, out)?;
            if !out.is_empty() {
                return Ok(true);
            }
        }
        out.clear();
        Ok(false)
    }

    /// One tuple at a time (convenience over `next_page`).
    pub fn next_tuple(&mut self) -> Result<Option<(Tid, &[u8])>> {
        if self.batch_pos >= self.batch.len() {
            let mut batch = std::mem::take(&mut self.batch);
            let more = self.next_page(&mut batch);
            self.batch = batch;
            self.batch_pos = 0;
            if !more? {
                return Ok(None);
            }
        }
        let i = self.batch_pos;
        self.batch_pos += 1;
        Ok(self.batch.get(i))
    }

    /// Restarts from the first block (rescan), optionally with a new snapshot.
    pub fn rescan(&mut self, snapshot: Option<&Snapshot>) {
        if let Some(s) = snapshot {
            self.snapshot = s.clone();
        }
        self.next_block = 0;
        self.end_block = self.rel.nblocks();
        self.batch.clear();
        self.batch_pos = 0;
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{MemoryBackend, RelFileNumber};
    use crate::storage::StorageConfig;
    use crate::tuple::{TupleDesc, deform_tuple, form_tuple};
    use oa_ir::{Datum, PhysicalType};

    fn storage(pages: usize) -> Arc<Storage> {
        Storage::new(StorageConfig { buffer_pool_pages: pages }, Box::new(MemoryBackend::new())).unwrap()
    }

    const T: RelFileNumber = RelFileNumber(16384);

    fn desc() -> TupleDesc {
        TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Text])
    }

    fn row(i: i32, s: &str) -> Vec<u8> {
        form_tuple(&desc(), &[Datum::Int32(i), Datum::Text(s.into())]).unwrap()
    }

    fn visible(s: &Arc<Storage>, snap: &Snapshot) -> Vec<(i32, String)> {
        let mut scan = s.scan(T, snap).unwrap();
        let mut out = Vec::new();
        while let Some((_, t)) = scan.next_tuple().unwrap() {
            let v = deform_tuple(&desc(), t).unwrap();
            out.push((v[0].as_i64().unwrap() as i32, v[1].as_str().unwrap().to_string()));
        }
        out.sort();
        out
    }

    fn setup() -> Arc<Storage> {
        let s = storage(64);
        let mut t = s.begin();
        s.create_relation(&mut t, T).unwrap();
        t.commit().unwrap();
        s
    }

    #[test]
    fn own_writes_visible_from_next_command_and_to_others_after_commit() {
        let s = setup();
        let mut w = s.begin();
        let cid = w.command_id();
        let snap_stmt = s.snapshot(&w);
        s.insert(T, &row(1, "a"), &mut w, cid).unwrap();
        // Same command: not visible (Halloween protection).
        assert!(visible(&s, &snap_stmt).is_empty());
        w.command_counter_increment().unwrap();
        let snap_next = s.snapshot(&w);
        assert_eq!(visible(&s, &snap_next), vec![(1, "a".into())]);
        // Another transaction does not see uncommitted rows.
        let r = s.begin();
        let rs = s.snapshot(&r);
        assert!(visible(&s, &rs).is_empty());
        w.commit().unwrap();
        // Its old snapshot still doesn't; a new one does.
        assert!(visible(&s, &rs).is_empty());
        assert_eq!(visible(&s, &s.snapshot(&r)), vec![(1, "a".into())]);
    }

    #[test]
    fn aborted_rows_never_visible() {
        let s = setup();
        let mut w = s.begin();
        let cid = w.command_id();
        for i in 0..100 {
            s.insert(T, &row(i, "x"), &mut w, cid).unwrap();
        }
        w.abort();
        let r = s.begin();
        assert!(visible(&s, &s.snapshot(&r)).is_empty());
        // Dropping an unfinished transaction aborts it too.
        let mut w = s.begin();
        let cid = w.command_id();
        s.insert(T, &row(5, "y"), &mut w, cid).unwrap();
        drop(w);
        assert!(!s.write_lock_held());
        assert!(visible(&s, &s.snapshot(&r)).is_empty());
    }

    #[test]
    fn update_and_delete_make_new_versions() {
        let s = setup();
        let mut w = s.begin();
        let cid = w.command_id();
        let t1 = s.insert(T, &row(1, "one"), &mut w, cid).unwrap();
        let t2 = s.insert(T, &row(2, "two"), &mut w, cid).unwrap();
        w.commit().unwrap();

        let old_reader = s.begin();
        let old_snap = s.snapshot(&old_reader);

        let mut w = s.begin();
        let cid = w.command_id();
        let t1b = s.update(T, t1, &row(1, "ONE"), &mut w, cid).unwrap().unwrap();
        assert_ne!(t1, t1b);
        s.delete(T, t2, &mut w, cid).unwrap().unwrap();
        // Updating again in the same command: self-modified.
        assert_eq!(s.update(T, t1, &row(1, "again"), &mut w, cid).unwrap(), Err(crate::TmFailure::SelfModified { cmax: cid }));
        w.command_counter_increment().unwrap();
        let cid2 = w.command_id();
        // The old version is invisible to the next command.
        assert_eq!(s.delete(T, t1, &mut w, cid2).unwrap(), Err(crate::TmFailure::Invisible));
        assert_eq!(visible(&s, &s.snapshot(&w)), vec![(1, "ONE".into())]);
        w.commit().unwrap();

        let r = s.begin();
        assert_eq!(visible(&s, &s.snapshot(&r)), vec![(1, "ONE".into())]);
        assert_eq!(visible(&s, &old_snap), vec![(1, "one".into()), (2, "two".into())]);
        // The old version's ctid points at the new one.
        let old = s.fetch_any(T, t1).unwrap().unwrap();
        assert_eq!(TupleHeader::new(&old).unwrap().ctid(), t1b);
        assert!(s.fetch(T, t1, &s.snapshot(&r)).unwrap().is_none());
        assert!(s.fetch(T, t1b, &s.snapshot(&r)).unwrap().is_some());

        // A writer whose snapshot predates a committed update sees Updated.
        let mut w = s.begin();
        let cid = w.command_id();
        assert_eq!(s.delete(T, t1, &mut w, cid).unwrap(), Err(crate::TmFailure::Updated { ctid: t1b, xmax: TupleHeader::new(&old).unwrap().xmax() }));
        assert!(matches!(s.delete(T, t2, &mut w, cid).unwrap(), Err(crate::TmFailure::Deleted { .. })));
    }

    #[test]
    fn subtransaction_rollback_discards_exactly_its_rows() {
        let s = setup();
        let mut w = s.begin();
        let cid = w.command_id();
        s.insert(T, &row(1, "top"), &mut w, cid).unwrap();
        w.begin_subtransaction().unwrap();
        s.insert(T, &row(2, "sub1"), &mut w, cid).unwrap();
        w.begin_subtransaction().unwrap();
        s.insert(T, &row(3, "sub2"), &mut w, cid).unwrap();
        w.release_subtransaction().unwrap();
        w.rollback_subtransaction().unwrap(); // discards sub1 and the released sub2
        w.begin_subtransaction().unwrap();
        s.insert(T, &row(4, "sub3"), &mut w, cid).unwrap();
        w.release_subtransaction().unwrap();
        w.command_counter_increment().unwrap();
        assert_eq!(visible(&s, &s.snapshot(&w)), vec![(1, "top".into()), (4, "sub3".into())]);
        let r = s.begin();
        assert!(visible(&s, &s.snapshot(&r)).is_empty());
        w.commit().unwrap();
        assert_eq!(visible(&s, &s.snapshot(&r)), vec![(1, "top".into()), (4, "sub3".into())]);
    }

    #[test]
    fn subtransaction_rollback_undoes_deletes() {
        let s = setup();
        let mut w = s.begin();
        let cid = w.command_id();
        let t = s.insert(T, &row(1, "keep"), &mut w, cid).unwrap();
        w.command_counter_increment().unwrap();
        w.begin_subtransaction().unwrap();
        let cid = w.command_id();
        s.delete(T, t, &mut w, cid).unwrap().unwrap();
        w.command_counter_increment().unwrap();
        assert!(visible(&s, &s.snapshot(&w)).is_empty());
        w.rollback_subtransaction().unwrap();
        assert_eq!(visible(&s, &s.snapshot(&w)), vec![(1, "keep".into())]);
        // The row can be deleted again after the rollback.
        let cid = w.command_id();
        s.delete(T, t, &mut w, cid).unwrap().unwrap();
        w.commit().unwrap();
        let r = s.begin();
        assert!(visible(&s, &s.snapshot(&r)).is_empty());
    }

    #[test]
    fn repeatable_read_snapshot_refresh() {
        let s = setup();
        let mut w = s.begin();
        let mut snap = s.snapshot(&w);
        {
            let mut o = s.begin();
            let cid = o.command_id();
            s.insert(T, &row(9, "other"), &mut o, cid).unwrap();
            o.commit().unwrap();
        }
        let cid = w.command_id();
        s.insert(T, &row(1, "mine"), &mut w, cid).unwrap();
        w.command_counter_increment().unwrap();
        w.refresh_snapshot(&mut snap);
        // Own row visible, the other transaction's commit after our snapshot not.
        assert_eq!(visible(&s, &snap), vec![(1, "mine".into())]);
    }

    #[test]
    fn row_too_big_is_54000() {
        let s = setup();
        let mut w = s.begin();
        let cid = w.command_id();
        let big = row(1, &"x".repeat(9000));
        let e = s.insert(T, &big, &mut w, cid).unwrap_err();
        assert_eq!(e.code, SqlState::PROGRAM_LIMIT_EXCEEDED);
        assert_eq!(e.message, format!("row is too big: size {}, maximum size 8160", big.len()));
        // Exactly the maximum fits.
        let pad = 8160 - row(1, "").len() - 3;
        let t = row(1, &"y".repeat(pad));
        assert_eq!(t.len(), 8160);
        s.insert(T, &t, &mut w, cid).unwrap();
    }

    #[test]
    fn inplace_update_and_cas() {
        let s = setup();
        let d = TupleDesc::new(vec![PhysicalType::Int64]);
        let mut w = s.begin();
        let cid = w.command_id();
        let t = s.insert(T, &form_tuple(&d, &[Datum::Int64(1)]).unwrap(), &mut w, cid).unwrap();
        w.commit().unwrap();
        s.inplace_update(T, t, &form_tuple(&d, &[Datum::Int64(2)]).unwrap()).unwrap();
        let r = s.begin();
        let got = s.fetch(T, t, &s.snapshot(&r)).unwrap().unwrap();
        assert_eq!(deform_tuple(&d, &got).unwrap(), vec![Datum::Int64(2)]);
        let one = form_tuple(&d, &[Datum::Int64(1)]).unwrap();
        let two = form_tuple(&d, &[Datum::Int64(2)]).unwrap();
        let three = form_tuple(&d, &[Datum::Int64(3)]).unwrap();
        assert!(!s.inplace_compare_and_swap(T, t, &one, &three).unwrap());
        assert!(s.inplace_compare_and_swap(T, t, &two, &three).unwrap());
        assert!(s.inplace_update(T, t, &form_tuple(&TupleDesc::new(vec![]), &[]).unwrap()).is_err());
    }

    #[test]
    fn many_pages_with_tiny_pool() {
        let s = storage(16);
        let mut t = s.begin();
        s.create_relation(&mut t, T).unwrap();
        let cid = t.command_id();
        let mut tids = Vec::new();
        for i in 0..20_000 {
            tids.push(s.insert(T, &row(i, &format!("row number {i}")), &mut t, cid).unwrap());
        }
        t.commit().unwrap();
        assert!(s.nblocks(T).unwrap() > 100);
        let r = s.begin();
        let snap = s.snapshot(&r);
        let rows = visible(&s, &snap);
        assert_eq!(rows.len(), 20_000);
        for (k, (i, txt)) in rows.iter().enumerate() {
            assert_eq!(*i, k as i32);
            assert_eq!(txt, &format!("row number {k}"));
        }
        for (i, tid) in tids.iter().enumerate().step_by(997) {
            let got = s.fetch(T, *tid, &snap).unwrap().unwrap();
            assert_eq!(deform_tuple(&desc(), &got).unwrap()[0], Datum::Int32(i as i32));
        }
        assert!(s.pool_stats().writes > 0 && s.pool_stats().reads > 0);
        assert_eq!(s.pinned_frames(), 0);
    }

    #[test]
    fn fsm_finds_room() {
        let mut f = Fsm::default();
        f.record(3, 100);
        f.record(5, 4000);
        assert_eq!(f.find(200, INVALID_BLOCK), Some(5));
        assert_eq!(f.find(200, 5), None);
        assert_eq!(f.find(50, INVALID_BLOCK), Some(3));
        f.record(3, 0);
        f.record(5, 0);
        assert_eq!(f.find(1, INVALID_BLOCK), None);
        for b in 0..1000 {
            f.record(b, 40);
        }
        f.record(700, 4000);
        assert_eq!(f.find(100, INVALID_BLOCK), Some(700));
        assert_eq!(f.find(30, INVALID_BLOCK), Some(0));
        f.record(700, 10);
        assert_eq!(f.find(100, INVALID_BLOCK), None);
        f.record(999, 8000);
        assert_eq!(f.find(100, INVALID_BLOCK), Some(999));
    }
}
