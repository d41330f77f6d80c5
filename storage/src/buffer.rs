//! The buffer pool: a fixed array of frames made once at start, each
//! owning its page buffer (allocated on the frame's first use), found
//! through a page table, replaced by clock sweep, latched with a
//! reader/writer lock per frame.
//!
//! Locking rules (they are what keeps the pool deadlock-free):
//! - `state` (page table, tags, usage counts) is a short critical section
//!   that never blocks on a frame latch: it only ever `try_`-locks one.
//! - A pin is taken only under `state`; unpinning is a plain decrement after
//!   the latch is released. So a frame with zero pins has no latch holder,
//!   and the evictor's `try_write` on it succeeds.
//! - I/O happens with the frame's write latch held and `state` released;
//!   the buffer travels to the backend and back by value (see [`crate::io`]).
//! - A pool user holding a latch may pin another page (B-tree splits, heap
//!   updates), but readers hold at most one latch at a time, so waits cannot
//!   form a cycle.
//!
//! Every page modification goes through [`PageWriteGuard`]'s methods. Each
//! describes its change as a [`WalRecord`], marks the frame dirty, and passes
//! the record to the hook where the WAL will plug in.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

use oa_ir::{Error, Result, SqlState};

use crate::io::{IoBackend, IoOp, IoRequest, PageId, RelFileNumber};
use crate::page::{self, OffsetNumber, PAGE_SIZE, Page, PageBuf, PageKind, Placement};

/// Usage count ceiling for clock sweep (PostgreSQL's BM_MAX_USAGE_COUNT).
const MAX_USAGE: u8 = 5;
/// The smallest pool the storage layer accepts: enough for a B-tree split
/// (two levels of pins) plus a few concurrent scans.
pub const MIN_POOL_PAGES: usize = 8;
/// Bound on retries while a victim frame keeps being re-dirtied.
const MAX_PIN_ATTEMPTS: usize = 64;
/// Bound on `complete` calls while waiting for one request (each waits for
/// at least one completion while anything is in flight).
const MAX_COMPLETE_POLLS: usize = 1 << 10;

/// A page change, as the WAL will record it. Emitted by every
/// [`PageWriteGuard`] method; for now the hook only marks the frame dirty.
#[derive(Debug)]
pub enum WalRecord<'a> {
    /// The page was formatted empty.
    Init { kind: PageKind, special_size: usize },
    /// An item (`head` then `tail`) was added at `offset`.
    AddItem { offset: OffsetNumber, shifted: bool, head: &'a [u8], tail: &'a [u8] },
    /// Bytes `at..at + data.len()` of an item were overwritten.
    PatchItem { offset: OffsetNumber, at: usize, data: &'a [u8] },
    /// Items were removed: either leaving unused line pointers (heap) or
    /// closing the gaps (B-tree).
    RemoveItems { offsets: &'a [OffsetNumber], shifted: bool },
    /// The special area was overwritten.
    Special { data: &'a [u8] },
    /// The whole page was replaced (B-tree split halves, new roots).
    FullImage { image: &'a [u8; PAGE_SIZE] },
}

/// Counters the pool keeps (for tests, EXPLAIN (BUFFERS) later).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub hits: u64,
    pub reads: u64,
    pub writes: u64,
    pub evictions: u64,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    reads: AtomicU64,
    writes: AtomicU64,
    evictions: AtomicU64,
}

struct FrameData {
    /// None while the buffer is out at the backend, which happens only under
    /// this frame's write latch, and before the frame's first use: buffers
    /// are allocated on demand, so a pool sized for a large working set
    /// costs nothing at start (the browser build opens databases often).
    buf: Option<Box<PageBuf>>,
    tag: Option<PageId>,
    /// The buffer holds the tagged page (false after a failed read).
    valid: bool,
}

struct Frame {
    latch: RwLock<FrameData>,
    pins: AtomicU32,
    dirty: AtomicBool,
}

struct PoolState {
    map: HashMap<PageId, u32, FxBuild>,
    tags: Vec<Option<PageId>>,
    usage: Vec<u8>,
    hand: usize,
    free: Vec<u32>,
}

pub struct BufferPool {
    frames: Box<[Frame]>,
    state: Mutex<PoolState>,
    backend: Mutex<Box<dyn IoBackend>>,
    next_io: AtomicU64,
    counters: Counters,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn io_failed(id: PageId) -> Error {
    Error::new(SqlState::IO_ERROR, format!("could not read block {} in file for relation {}", id.block, id.rel))
}

impl BufferPool {
    pub fn new(pages: usize, backend: Box<dyn IoBackend>) -> Result<BufferPool> {
        if pages < MIN_POOL_PAGES || pages > u32::MAX as usize {
            return Err(Error::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("buffer pool must have at least {MIN_POOL_PAGES} pages (got {pages})"),
            ));
        }
        let frames: Box<[Frame]> = (0..pages)
            .map(|_| Frame {
                latch: RwLock::new(FrameData { buf: None, tag: None, valid: false }),
                pins: AtomicU32::new(0),
                dirty: AtomicBool::new(false),
            })
            .collect();
        let state = PoolState {
            map: HashMap::with_capacity_and_hasher(pages, FxBuild),
            tags: vec![None; pages],
            usage: vec![0; pages],
            hand: 0,
            free: (0..pages as u32).rev().collect(),
        };
        Ok(BufferPool { frames, state: Mutex::new(state), backend: Mutex::new(backend), next_io: AtomicU64::new(1), counters: Counters::default() })
    }

    pub fn capacity(&self) -> usize {
        self.frames.len()
    }

    pub fn stats(&self) -> PoolStats {
        PoolStats {
            hits: self.counters.hits.load(Ordering::Relaxed),
            reads: self.counters.reads.load(Ordering::Relaxed),
            writes: self.counters.writes.load(Ordering::Relaxed),
            evictions: self.counters.evictions.load(Ordering::Relaxed),
        }
    }

    /// Frames currently pinned (zero whenever no guard is alive).
    pub fn pinned_frames(&self) -> usize {
        self.frames.iter().filter(|f| f.pins.load(Ordering::Acquire) > 0).count()
    }

    pub(crate) fn backend(&self) -> MutexGuard<'_, Box<dyn IoBackend>> {
        lock(&self.backend)
    }

    /// Pins and share-latches a page, reading it in if needed.
    pub fn read(&self, id: PageId) -> Result<PageReadGuard<'_>> {
        let f = self.pin_existing(id)?;
        let data = self.frames[f as usize].latch.read().unwrap_or_else(|e| e.into_inner());
        if !data.valid || data.tag != Some(id) || data.buf.is_none() {
            drop(data);
            self.unpin(f);
            return Err(io_failed(id));
        }
        Ok(PageReadGuard { pool: self, frame: f, id, data: Some(data) })
    }

    /// Pins and exclusively latches a page, reading it in if needed.
    pub fn write(&self, id: PageId) -> Result<PageWriteGuard<'_>> {
        let f = self.pin_existing(id)?;
        let data = self.frames[f as usize].latch.write().unwrap_or_else(|e| e.into_inner());
        if !data.valid || data.tag != Some(id) || data.buf.is_none() {
            drop(data);
            self.unpin(f);
            return Err(io_failed(id));
        }
        Ok(PageWriteGuard { pool: self, frame: f, id, data: Some(data) })
    }

    /// A frame for a block being added to a relation: zeroed, dirty, not
    /// read from the backend, returned latched so no one sees it half-made.
    pub fn new_page(&self, id: PageId) -> Result<PageWriteGuard<'_>> {
        let (f, guard) = self.pin(id, true)?;
        let Some(mut data) = guard else {
            self.unpin(f);
            return Err(Error::internal(format!("block {} of relation {} already exists", id.block, id.rel)));
        };
        if let Some(buf) = data.buf.as_mut() {
            buf.0.fill(0);
        }
        data.valid = true;
        self.frames[f as usize].dirty.store(true, Ordering::Release);
        Ok(PageWriteGuard { pool: self, frame: f, id, data: Some(data) })
    }

    fn pin_existing(&self, id: PageId) -> Result<u32> {
        let (f, guard) = self.pin(id, false)?;
        drop(guard);
        Ok(f)
    }

    fn unpin(&self, f: u32) {
        let prev = self.frames[f as usize].pins.fetch_sub(1, Ordering::AcqRel);
        debug_assert!(prev > 0, "unpin of an unpinned frame");
    }

    /// Finds or loads `id` and pins its frame. For `new`, the block must not
    /// be in the pool and the frame comes back write-latched.
    fn pin(&self, id: PageId, new: bool) -> Result<(u32, Option<RwLockWriteGuard<'_, FrameData>>)> {
        for _ in 0..MAX_PIN_ATTEMPTS {
            let mut st = lock(&self.state);
            if let Some(&f) = st.map.get(&id) {
                self.frames[f as usize].pins.fetch_add(1, Ordering::AcqRel);
                let u = &mut st.usage[f as usize];
                *u = (*u + 1).min(MAX_USAGE);
                self.counters.hits.fetch_add(1, Ordering::Relaxed);
                return Ok((f, None));
            }
            let (v, mut data) = self.find_victim(&mut st)?;
            if data.buf.is_none() {
                data.buf = Some(PageBuf::zeroed());
            }
            let frame = &self.frames[v as usize];
            let prev = frame.pins.fetch_add(1, Ordering::AcqRel);
            debug_assert_eq!(prev, 0);
            if frame.dirty.load(Ordering::Acquire) {
                // Write the old page out first, keeping its mapping so no
                // one reads a stale copy from the backend meanwhile.
                match st.tags[v as usize] {
                    Some(old) => {
                        drop(st);
                        let r = self.write_out(v, &mut data, old);
                        // Latch before state is allowed: state holders never
                        // wait for latches.
                        st = lock(&self.state);
                        // A page of a relation dropped meanwhile need not be written.
                        if let Err(e) = r
                            && st.tags[v as usize] == Some(old)
                        {
                            drop(st);
                            drop(data);
                            self.unpin(v);
                            return Err(e);
                        }
                        // Someone may have pinned the old page, dirtied it, or
                        // loaded `id` meanwhile: then look again.
                        if frame.pins.load(Ordering::Acquire) != 1 || frame.dirty.load(Ordering::Acquire) || st.map.contains_key(&id) {
                            drop(st);
                            drop(data);
                            self.unpin(v);
                            continue;
                        }
                    }
                    None => frame.dirty.store(false, Ordering::Release),
                }
            }
            if let Some(old) = st.tags[v as usize].take() {
                st.map.remove(&old);
                self.counters.evictions.fetch_add(1, Ordering::Relaxed);
            }
            st.tags[v as usize] = Some(id);
            st.map.insert(id, v);
            st.usage[v as usize] = 1;
            data.tag = Some(id);
            data.valid = false;
            drop(st);
            if new {
                return Ok((v, Some(data)));
            }
            match self.read_in(&mut data, id) {
                Ok(()) => {
                    data.valid = true;
                    self.counters.reads.fetch_add(1, Ordering::Relaxed);
                    return Ok((v, None));
                }
                Err(e) => {
                    data.valid = false;
                    let mut st = lock(&self.state);
                    if st.map.get(&id) == Some(&v) {
                        st.map.remove(&id);
                        st.tags[v as usize] = None;
                    }
                    drop(st);
                    drop(data);
                    self.unpin(v);
                    return Err(e);
                }
            }
        }
        Err(Error::new(SqlState::INSUFFICIENT_RESOURCES, "no unpinned buffers available"))
    }

    /// Clock sweep over unpinned frames. Returns the frame write-latched
    /// (try-locked: an unpinned frame has no latch holder).
    fn find_victim<'a>(&'a self, st: &mut PoolState) -> Result<(u32, RwLockWriteGuard<'a, FrameData>)> {
        while let Some(f) = st.free.pop() {
            let frame = &self.frames[f as usize];
            if st.tags[f as usize].is_none()
                && frame.pins.load(Ordering::Acquire) == 0
                && let Some(g) = try_write(&frame.latch)
            {
                return Ok((f, g));
            }
        }
        let n = self.frames.len();
        for _ in 0..n * (MAX_USAGE as usize + 2) {
            let f = st.hand;
            st.hand = (st.hand + 1) % n;
            let frame = &self.frames[f];
            if frame.pins.load(Ordering::Acquire) != 0 {
                continue;
            }
            if st.usage[f] > 0 {
                st.usage[f] -= 1;
                continue;
            }
            if let Some(g) = try_write(&frame.latch) {
                return Ok((f as u32, g));
            }
        }
        Err(Error::new(SqlState::INSUFFICIENT_RESOURCES, "no unpinned buffers available"))
    }

    /// Sends the frame's buffer to the backend and waits for it to return.
    fn do_io(&self, data: &mut FrameData, op: IoOp, id: PageId) -> Result<()> {
        let Some(buf) = data.buf.take() else {
            return Err(Error::internal("frame buffer missing outside I/O"));
        };
        let addr = &*buf as *const PageBuf as usize;
        let io_id = self.next_io.fetch_add(1, Ordering::Relaxed);
        let mut backend = lock(&self.backend);
        let mut reqs = vec![IoRequest { id: io_id, op, page: id, buf }];
        backend.submit(&mut reqs);
        let mut done = Vec::with_capacity(1);
        let mut result = None;
        for _ in 0..MAX_COMPLETE_POLLS {
            backend.complete(&mut done);
            if let Some(i) = done.iter().position(|c| c.id == io_id) {
                let c = done.swap_remove(i);
                // The buffer that comes back is the one that went out.
                if &*c.buf as *const PageBuf as usize != addr || c.page != id || c.op != op {
                    data.buf = Some(c.buf);
                    return Err(Error::internal("I/O completion does not match its request"));
                }
                data.buf = Some(c.buf);
                result = Some(c.result);
                break;
            }
            if done.is_empty() {
                // Nothing in flight any more: ours is lost.
                break;
            }
        }
        // One request at a time is in flight, so nothing else completed.
        debug_assert!(done.is_empty(), "foreign I/O completions");
        drop(backend);
        match result {
            Some(r) => r,
            None => {
                // The backend broke its contract; never leave a frame bufferless.
                data.buf = Some(PageBuf::zeroed());
                data.valid = false;
                Err(Error::internal(format!("I/O request for block {} of relation {} never completed", id.block, id.rel)))
            }
        }
    }

    fn read_in(&self, data: &mut FrameData, id: PageId) -> Result<()> {
        self.do_io(data, IoOp::Read, id)?;
        let Some(buf) = data.buf.as_ref() else {
            return Err(Error::internal("frame buffer missing after read"));
        };
        // Checksum and header are verified on every read-in.
        page::verify_page(&buf.0, id.block)
            .map_err(|e| Error::new(e.code, format!("invalid page in block {} of relation {}", id.block, id.rel)).with_detail(e.message))
    }

    fn write_out(&self, f: u32, data: &mut FrameData, id: PageId) -> Result<()> {
        let Some(buf) = data.buf.as_mut() else {
            return Err(Error::internal("frame buffer missing before write"));
        };
        // Validate before the page leaves memory; a broken page is a bug here,
        // and writing it would turn it into corruption on disk.
        if let Err(e) = Page::new(&buf.0).validate() {
            debug_assert!(false, "writing an invalid page: {e}");
            return Err(Error::internal(format!("refusing to write invalid block {} of relation {}: {}", id.block, id.rel, e.message)));
        }
        if !Page::new(&buf.0).is_new() {
            page::set_checksum(&mut buf.0, id.block);
        }
        self.do_io(data, IoOp::Write, id)?;
        self.frames[f as usize].dirty.store(false, Ordering::Release);
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Writes every dirty page to the backend.
    pub fn flush_all(&self) -> Result<()> {
        for f in 0..self.frames.len() {
            let frame = &self.frames[f];
            let tag = {
                let st = lock(&self.state);
                match st.tags[f] {
                    Some(tag) if frame.dirty.load(Ordering::Acquire) => {
                        frame.pins.fetch_add(1, Ordering::AcqRel);
                        tag
                    }
                    _ => continue,
                }
            };
            let mut data = frame.latch.write().unwrap_or_else(|e| e.into_inner());
            let r = if data.tag == Some(tag) && data.valid && frame.dirty.load(Ordering::Acquire) {
                self.write_out(f as u32, &mut data, tag)
            } else {
                Ok(())
            };
            drop(data);
            self.unpin(f as u32);
            r?;
        }
        Ok(())
    }

    /// The current image of a page, in `buf`, with a fresh checksum (for a
    /// database image): from its frame if it is in the pool (dirty or not),
    /// else straight from the backend without taking a frame, so saving a
    /// database does not evict the pages in use.
    pub(crate) fn page_image(&self, id: PageId, mut buf: Box<PageBuf>) -> Result<Box<PageBuf>> {
        let resident = lock(&self.state).map.contains_key(&id);
        if resident {
            buf.0.copy_from_slice(self.read(id)?.page().bytes());
        } else {
            let mut scratch = FrameData { buf: Some(buf), tag: Some(id), valid: false };
            self.read_in(&mut scratch, id)?;
            buf = scratch.buf.take().ok_or_else(|| Error::internal("frame buffer missing after read"))?;
        }
        if !Page::new(&buf.0).is_new() {
            page::set_checksum(&mut buf.0, id.block);
        }
        Ok(buf)
    }

    /// Forgets every page of a relation without writing it (the relation is
    /// being removed). Pinned frames are untagged and come back into use when
    /// their last pin goes.
    pub(crate) fn discard_relation(&self, rel: RelFileNumber) {
        let mut st = lock(&self.state);
        let doomed: Vec<(PageId, u32)> = st.map.iter().filter(|(id, _)| id.rel == rel).map(|(id, f)| (*id, *f)).collect();
        for (id, f) in doomed {
            st.map.remove(&id);
            st.tags[f as usize] = None;
            st.usage[f as usize] = 0;
            let frame = &self.frames[f as usize];
            frame.dirty.store(false, Ordering::Release);
            if frame.pins.load(Ordering::Acquire) == 0 {
                st.free.push(f);
            }
        }
    }
}

fn try_write(latch: &RwLock<FrameData>) -> Option<RwLockWriteGuard<'_, FrameData>> {
    match latch.try_write() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// A pinned, share-latched page.
pub struct PageReadGuard<'a> {
    pool: &'a BufferPool,
    frame: u32,
    id: PageId,
    data: Option<RwLockReadGuard<'a, FrameData>>,
}

impl PageReadGuard<'_> {
    pub fn id(&self) -> PageId {
        self.id
    }

    pub fn page(&self) -> Page<'_> {
        Page::new(frame_bytes(self.data.as_deref()))
    }
}

impl Drop for PageReadGuard<'_> {
    fn drop(&mut self) {
        // Release the latch before the pin: an unpinned frame is never latched.
        self.data.take();
        self.pool.unpin(self.frame);
    }
}

static EMPTY_PAGE: [u8; PAGE_SIZE] = [0; PAGE_SIZE];

fn frame_bytes(data: Option<&FrameData>) -> &[u8; PAGE_SIZE] {
    // A guard's frame always holds its buffer (checked when the guard was
    // made); the fallback keeps this total.
    match data.and_then(|d| d.buf.as_deref()) {
        Some(b) => &b.0,
        None => &EMPTY_PAGE,
    }
}

/// A pinned, exclusively latched page: the one way to change a page.
pub struct PageWriteGuard<'a> {
    pool: &'a BufferPool,
    frame: u32,
    id: PageId,
    data: Option<RwLockWriteGuard<'a, FrameData>>,
}

impl PageWriteGuard<'_> {
    pub fn id(&self) -> PageId {
        self.id
    }

    pub fn page(&self) -> Page<'_> {
        Page::new(frame_bytes(self.data.as_deref()))
    }

    fn bytes_mut(&mut self) -> Result<&mut [u8; PAGE_SIZE]> {
        match self.data.as_mut().and_then(|d| d.buf.as_mut()) {
            Some(b) => Ok(&mut b.0),
            None => Err(Error::internal("write guard without a buffer")),
        }
    }

    /// The WAL hook: every change passes through here after it is applied.
    /// Later this appends `record` to the WAL and stamps the page LSN; today
    /// it only marks the frame dirty.
    fn log(&mut self, record: WalRecord<'_>) {
        let _ = record;
        self.pool.frames[self.frame as usize].dirty.store(true, Ordering::Release);
    }

    /// Formats the page empty.
    pub fn init(&mut self, kind: PageKind, special_size: usize) -> Result<()> {
        page::init(self.bytes_mut()?, kind, special_size);
        self.log(WalRecord::Init { kind, special_size });
        Ok(())
    }

    /// Adds an item; None when it does not fit.
    pub fn add_item(&mut self, data: &[u8], placement: Placement) -> Result<Option<OffsetNumber>> {
        self.add_item_parts(data, &[], placement)
    }

    /// Adds an item made of `head` followed by `tail`; None when it does not fit.
    pub fn add_item_parts(&mut self, head: &[u8], tail: &[u8], placement: Placement) -> Result<Option<OffsetNumber>> {
        let Some(off) = page::add_item(self.bytes_mut()?, head, tail, placement) else {
            return Ok(None);
        };
        self.log(WalRecord::AddItem { offset: off, shifted: matches!(placement, Placement::At(_)), head, tail });
        Ok(Some(off))
    }

    /// Overwrites bytes `at..at + data.len()` of a normal item.
    pub fn patch_item(&mut self, off: OffsetNumber, at: usize, data: &[u8]) -> Result<()> {
        let bytes = self.bytes_mut()?;
        let Some(item) = page::item_mut(bytes, off) else {
            return Err(Error::internal(format!("no item {off} to patch")));
        };
        let Some(dst) = item.get_mut(at..at + data.len()) else {
            return Err(Error::internal(format!("patch of item {off} out of bounds")));
        };
        dst.copy_from_slice(data);
        self.log(WalRecord::PatchItem { offset: off, at, data });
        Ok(())
    }

    /// Marks items unused and defragments the page; offsets stay stable.
    pub fn remove_items(&mut self, offs: &[OffsetNumber]) -> Result<()> {
        page::remove_items_keep_offsets(self.bytes_mut()?, offs);
        self.log(WalRecord::RemoveItems { offsets: offs, shifted: false });
        Ok(())
    }

    /// Deletes items, renumbering the ones after them (index pages).
    pub fn delete_items(&mut self, offs: &[OffsetNumber]) -> Result<()> {
        page::delete_items_shift(self.bytes_mut()?, offs);
        self.log(WalRecord::RemoveItems { offsets: offs, shifted: true });
        Ok(())
    }

    /// Overwrites the special area.
    pub fn set_special(&mut self, data: &[u8]) -> Result<()> {
        let special = page::special_mut(self.bytes_mut()?);
        let Some(dst) = special.get_mut(..data.len()) else {
            return Err(Error::internal("special area too small"));
        };
        dst.copy_from_slice(data);
        self.log(WalRecord::Special { data });
        Ok(())
    }

    /// Replaces the whole page with an image built elsewhere.
    pub fn replace(&mut self, image: &[u8; PAGE_SIZE]) -> Result<()> {
        Page::new(image).validate()?;
        self.bytes_mut()?.copy_from_slice(image);
        self.log(WalRecord::FullImage { image });
        Ok(())
    }
}

impl Drop for PageWriteGuard<'_> {
    fn drop(&mut self) {
        self.data.take();
        self.pool.unpin(self.frame);
    }
}

/// FxHash (rustc's hasher): page-table keys are two small integers, and a
/// multiply-rotate hash is several times cheaper than SipHash.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxBuild;

pub(crate) struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl BuildHasher for FxBuild {
    type Hasher = FxHasher;

    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{FaultInjectingBackend, MemoryBackend};

    fn rel() -> RelFileNumber {
        RelFileNumber(1)
    }

    fn pool(pages: usize) -> BufferPool {
        let mut m = MemoryBackend::new();
        m.create(rel()).unwrap();
        BufferPool::new(pages, Box::new(m)).unwrap()
    }

    fn make_page(pool: &BufferPool, block: u32) {
        let mut g = pool.new_page(PageId { rel: rel(), block }).unwrap();
        g.init(PageKind::Heap, 0).unwrap();
        g.add_item(&block.to_le_bytes(), Placement::Any).unwrap().unwrap();
    }

    #[test]
    fn eviction_round_trips_pages_through_a_tiny_pool() {
        let pool = pool(16);
        for b in 0..200 {
            make_page(&pool, b);
        }
        assert_eq!(pool.pinned_frames(), 0);
        for round in 0..3 {
            for b in (0..200).rev() {
                let g = pool.read(PageId { rel: rel(), block: b }).unwrap();
                assert_eq!(g.page().item(1).unwrap(), &b.to_le_bytes(), "round {round}");
            }
        }
        let s = pool.stats();
        assert!(s.writes >= 184, "{s:?}");
        assert!(s.reads >= 184 * 3, "{s:?}");
        assert_eq!(pool.pinned_frames(), 0);
    }

    #[test]
    fn modifications_survive_eviction() {
        let pool = pool(8);
        for b in 0..20 {
            make_page(&pool, b);
        }
        for b in 0..20 {
            let mut g = pool.write(PageId { rel: rel(), block: b }).unwrap();
            g.patch_item(1, 0, &(b * 10).to_le_bytes()).unwrap();
        }
        for b in 0..20 {
            let g = pool.read(PageId { rel: rel(), block: b }).unwrap();
            assert_eq!(g.page().item(1).unwrap(), &(b * 10).to_le_bytes());
        }
    }

    #[test]
    fn all_pinned_is_an_error_not_a_hang() {
        let pool = pool(8);
        for b in 0..9 {
            make_page(&pool, b);
        }
        let guards: Vec<_> = (0..8).map(|b| pool.read(PageId { rel: rel(), block: b }).unwrap()).collect();
        let err = pool.read(PageId { rel: rel(), block: 8 }).err().unwrap();
        assert_eq!(err.code, SqlState::INSUFFICIENT_RESOURCES);
        drop(guards);
        pool.read(PageId { rel: rel(), block: 8 }).unwrap();
    }

    #[test]
    fn injected_read_error_and_corruption_surface_as_errors() {
        let mut m = MemoryBackend::new();
        m.create(rel()).unwrap();
        let (f, inj) = FaultInjectingBackend::new(m);
        let pool = BufferPool::new(8, Box::new(f)).unwrap();
        for b in 0..16 {
            make_page(&pool, b);
        }
        // Block 0 was evicted; its read fails once.
        inj.update(|p| p.fail_reads = 1);
        let err = pool.read(PageId { rel: rel(), block: 0 }).err().unwrap();
        assert_eq!(err.code, SqlState::IO_ERROR);
        assert_eq!(pool.pinned_frames(), 0);
        // The next attempt succeeds.
        assert_eq!(pool.read(PageId { rel: rel(), block: 0 }).unwrap().page().item(1).unwrap(), &0u32.to_le_bytes());
        // A corrupted read is caught by the checksum.
        inj.update(|p| p.corrupt_reads = 1);
        let err = pool.read(PageId { rel: rel(), block: 1 }).err().unwrap();
        assert_eq!(err.code, SqlState::DATA_CORRUPTED);
        assert!(err.message.contains("invalid page in block 1"), "{}", err.message);
        // A failed write keeps the page dirty in the pool; nothing is lost.
        inj.update(|p| p.fail_writes = 1);
        let mut failures = 0;
        for b in 2..16 {
            if pool.read(PageId { rel: rel(), block: b }).is_err() {
                failures += 1;
            }
        }
        assert_eq!(failures, 1);
        for b in 0..16 {
            let g = pool.read(PageId { rel: rel(), block: b }).unwrap();
            assert_eq!(g.page().item(1).unwrap(), &b.to_le_bytes());
        }
    }

    #[test]
    fn flush_and_discard() {
        let pool = pool(8);
        for b in 0..4 {
            make_page(&pool, b);
        }
        pool.flush_all().unwrap();
        assert_eq!(pool.stats().writes, 4);
        assert_eq!(pool.backend().nblocks(rel()).unwrap(), 4);
        pool.discard_relation(rel());
        let pinned = pool.pinned_frames();
        assert_eq!(pinned, 0);
    }
}
