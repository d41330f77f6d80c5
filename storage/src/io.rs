//! The I/O layer under the buffer pool: a submit/complete trait in the shape
//! of io_uring, a memory backend, and a fault-injecting wrapper for tests
//! (SQLite's swappable OS layer).
//!
//! Requests carry their page buffer by value: the frame gives its `Box` to
//! the backend on submit and gets it back in the completion. A buffer can
//! therefore never be freed or reused while the kernel (or any backend) may
//! still write into it — the io_uring lesson in the architecture brief. The
//! contract every backend keeps: each submitted request produces exactly one
//! completion carrying the same buffer, and errors arrive as completions.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use oa_ir::{Error, Result, SqlState};

use crate::page::{BlockNumber, PAGE_SIZE, PageBuf};

/// A relation's physical file, chosen by the caller (the catalog's
/// relfilenode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelFileNumber(pub u32);

impl std::fmt::Display for RelFileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One block of one relation (PostgreSQL's BufferTag, main fork only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageId {
    pub rel: RelFileNumber,
    pub block: BlockNumber,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoOp {
    Read,
    Write,
}

/// A read into, or a write from, a buffer the request owns until completion.
pub struct IoRequest {
    pub id: u64,
    pub op: IoOp,
    pub page: PageId,
    pub buf: Box<PageBuf>,
}

/// The outcome of one request, returning its buffer.
pub struct IoCompletion {
    pub id: u64,
    pub op: IoOp,
    pub page: PageId,
    pub buf: Box<PageBuf>,
    pub result: Result<()>,
}

impl IoRequest {
    pub fn complete(self, result: Result<()>) -> IoCompletion {
        IoCompletion { id: self.id, op: self.op, page: self.page, buf: self.buf, result }
    }
}

/// Where pages live. The buffer pool serializes calls (one `&mut` user at a
/// time) and, for now, submits one request and waits for it.
pub trait IoBackend: Send {
    /// Creates an empty relation file; an error if it exists.
    fn create(&mut self, rel: RelFileNumber) -> Result<()>;
    /// Removes a relation file; removing a missing one is not an error.
    fn unlink(&mut self, rel: RelFileNumber) -> Result<()>;
    /// Blocks the file holds (written or not: a write past the end extends
    /// the file, leaving zero pages in between).
    fn nblocks(&mut self, rel: RelFileNumber) -> Result<BlockNumber>;
    /// Queues requests, draining `requests`. Never fails: failures are
    /// reported by the matching completions.
    fn submit(&mut self, requests: &mut Vec<IoRequest>);
    /// Appends finished requests to `out`, waiting until at least one is
    /// available if any are in flight.
    fn complete(&mut self, out: &mut Vec<IoCompletion>);
}

fn io_error(msg: String) -> Error {
    Error::new(SqlState::IO_ERROR, msg)
}

/// Pages in memory: the backend the browser build and the tests use until
/// the file backend arrives. Completes every request during `submit`.
#[derive(Default)]
pub struct MemoryBackend {
    files: HashMap<RelFileNumber, Vec<Option<Box<[u8; PAGE_SIZE]>>>>,
    done: VecDeque<IoCompletion>,
}

impl MemoryBackend {
    pub fn new() -> MemoryBackend {
        MemoryBackend::default()
    }

    /// Adds a relation file holding `pages` (a database image being opened).
    pub(crate) fn insert_file(&mut self, rel: RelFileNumber, pages: Vec<Option<Box<[u8; PAGE_SIZE]>>>) -> Result<()> {
        self.create(rel)?;
        self.files.insert(rel, pages);
        Ok(())
    }

    fn execute(&mut self, req: &mut IoRequest) -> Result<()> {
        let rel = req.page.rel;
        let block = req.page.block as usize;
        let file = self
            .files
            .get_mut(&rel)
            .ok_or_else(|| Error::new(SqlState::UNDEFINED_FILE, format!("could not open file for relation {rel}: no such file")))?;
        match req.op {
            IoOp::Read => match file.get(block) {
                Some(Some(page)) => req.buf.0.copy_from_slice(&page[..]),
                Some(None) => req.buf.0.fill(0),
                None => {
                    return Err(io_error(format!("could not read block {block} in file for relation {rel}: read only 0 of {PAGE_SIZE} bytes")));
                }
            },
            IoOp::Write => {
                if file.len() <= block {
                    file.resize_with(block + 1, || None);
                }
                match &mut file[block] {
                    Some(page) => page.copy_from_slice(&req.buf.0),
                    slot => *slot = Some(Box::new(req.buf.0)),
                }
            }
        }
        Ok(())
    }
}

impl IoBackend for MemoryBackend {
    fn create(&mut self, rel: RelFileNumber) -> Result<()> {
        if self.files.contains_key(&rel) {
            return Err(Error::new(SqlState::DUPLICATE_FILE, format!("file for relation {rel} already exists")));
        }
        self.files.insert(rel, Vec::new());
        Ok(())
    }

    fn unlink(&mut self, rel: RelFileNumber) -> Result<()> {
        self.files.remove(&rel);
        Ok(())
    }

    fn nblocks(&mut self, rel: RelFileNumber) -> Result<BlockNumber> {
        match self.files.get(&rel) {
            Some(f) => Ok(f.len() as BlockNumber),
            None => Err(Error::new(SqlState::UNDEFINED_FILE, format!("could not open file for relation {rel}"))),
        }
    }

    fn submit(&mut self, requests: &mut Vec<IoRequest>) {
        for mut req in requests.drain(..) {
            let result = self.execute(&mut req);
            self.done.push_back(req.complete(result));
        }
    }

    fn complete(&mut self, out: &mut Vec<IoCompletion>) {
        out.extend(self.done.drain(..));
    }
}

/// What a [`FaultInjectingBackend`] will do wrong next. Shared with the test
/// through [`FaultInjector`].
#[derive(Debug, Default)]
pub struct FaultPlan {
    /// Fail this many upcoming reads.
    pub fail_reads: u32,
    /// Fail this many upcoming writes.
    pub fail_writes: u32,
    /// Flip a byte in the next this-many successful reads (caught by the
    /// page checksum).
    pub corrupt_reads: u32,
    /// Only fault requests for this relation (all relations when None).
    pub only_rel: Option<RelFileNumber>,
    /// Counters of what was injected.
    pub injected: u32,
    pub reads: u64,
    pub writes: u64,
}

/// A handle to change a fault-injecting backend's plan while it runs.
#[derive(Clone, Default)]
pub struct FaultInjector(Arc<Mutex<FaultPlan>>);

impl FaultInjector {
    pub fn update(&self, f: impl FnOnce(&mut FaultPlan)) {
        let mut plan = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut plan);
    }

    pub fn injected(&self) -> u32 {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).injected
    }

    pub fn reads(&self) -> u64 {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).reads
    }

    pub fn writes(&self) -> u64 {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).writes
    }
}

/// Wraps another backend and fails or corrupts requests as planned.
pub struct FaultInjectingBackend<B: IoBackend> {
    inner: B,
    plan: FaultInjector,
    done: Vec<IoCompletion>,
}

impl<B: IoBackend> FaultInjectingBackend<B> {
    pub fn new(inner: B) -> (FaultInjectingBackend<B>, FaultInjector) {
        let plan = FaultInjector::default();
        (FaultInjectingBackend { inner, plan: plan.clone(), done: Vec::new() }, plan)
    }
}

impl<B: IoBackend> IoBackend for FaultInjectingBackend<B> {
    fn create(&mut self, rel: RelFileNumber) -> Result<()> {
        self.inner.create(rel)
    }

    fn unlink(&mut self, rel: RelFileNumber) -> Result<()> {
        self.inner.unlink(rel)
    }

    fn nblocks(&mut self, rel: RelFileNumber) -> Result<BlockNumber> {
        self.inner.nblocks(rel)
    }

    fn submit(&mut self, requests: &mut Vec<IoRequest>) {
        let mut pass = Vec::with_capacity(requests.len());
        let mut plan = self.plan.0.lock().unwrap_or_else(|e| e.into_inner());
        for req in requests.drain(..) {
            let targeted = plan.only_rel.is_none_or(|r| r == req.page.rel);
            match req.op {
                IoOp::Read => plan.reads += 1,
                IoOp::Write => plan.writes += 1,
            }
            let fail = match req.op {
                IoOp::Read if targeted && plan.fail_reads > 0 => {
                    plan.fail_reads -= 1;
                    true
                }
                IoOp::Write if targeted && plan.fail_writes > 0 => {
                    plan.fail_writes -= 1;
                    true
                }
                _ => false,
            };
            if fail {
                plan.injected += 1;
                let msg = format!(
                    "injected fault: could not {} block {} of relation {}",
                    if req.op == IoOp::Read { "read" } else { "write" },
                    req.page.block,
                    req.page.rel
                );
                self.done.push(req.complete(Err(io_error(msg))));
            } else {
                pass.push(req);
            }
        }
        drop(plan);
        self.inner.submit(&mut pass);
    }

    fn complete(&mut self, out: &mut Vec<IoCompletion>) {
        out.append(&mut self.done);
        let start = out.len();
        self.inner.complete(out);
        let mut plan = self.plan.0.lock().unwrap_or_else(|e| e.into_inner());
        for c in &mut out[start..] {
            let targeted = plan.only_rel.is_none_or(|r| r == c.page.rel);
            if c.op == IoOp::Read && c.result.is_ok() && targeted && plan.corrupt_reads > 0 {
                plan.corrupt_reads -= 1;
                plan.injected += 1;
                c.buf.0[PAGE_SIZE / 2] ^= 0x5A;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(backend: &mut dyn IoBackend, op: IoOp, page: PageId, buf: Box<PageBuf>) -> IoCompletion {
        let mut reqs = vec![IoRequest { id: 1, op, page, buf }];
        backend.submit(&mut reqs);
        assert!(reqs.is_empty());
        let mut out = Vec::new();
        backend.complete(&mut out);
        assert_eq!(out.len(), 1);
        out.pop().unwrap()
    }

    #[test]
    fn memory_backend_reads_back_writes_and_keeps_buffers() {
        let mut m = MemoryBackend::new();
        let rel = RelFileNumber(5);
        m.create(rel).unwrap();
        assert!(m.create(rel).is_err());
        let mut buf = PageBuf::zeroed();
        buf.0[100] = 42;
        let ptr = &*buf as *const PageBuf;
        let c = roundtrip(&mut m, IoOp::Write, PageId { rel, block: 2 }, buf);
        c.result.unwrap();
        assert_eq!(&*c.buf as *const PageBuf, ptr, "the same buffer comes back");
        assert_eq!(m.nblocks(rel).unwrap(), 3);
        let c = roundtrip(&mut m, IoOp::Read, PageId { rel, block: 2 }, PageBuf::zeroed());
        c.result.unwrap();
        assert_eq!(c.buf.0[100], 42);
        let c = roundtrip(&mut m, IoOp::Read, PageId { rel, block: 1 }, PageBuf::zeroed());
        c.result.unwrap();
        assert!(c.buf.0.iter().all(|&b| b == 0), "a hole reads as zeros");
        let c = roundtrip(&mut m, IoOp::Read, PageId { rel, block: 3 }, PageBuf::zeroed());
        assert_eq!(c.result.unwrap_err().code, SqlState::IO_ERROR);
        m.unlink(rel).unwrap();
        assert!(m.nblocks(rel).is_err());
    }

    #[test]
    fn fault_backend_fails_as_planned() {
        let (mut f, inj) = FaultInjectingBackend::new(MemoryBackend::new());
        let rel = RelFileNumber(1);
        f.create(rel).unwrap();
        inj.update(|p| p.fail_writes = 1);
        let c = roundtrip(&mut f, IoOp::Write, PageId { rel, block: 0 }, PageBuf::zeroed());
        assert!(c.result.is_err());
        let c = roundtrip(&mut f, IoOp::Write, PageId { rel, block: 0 }, PageBuf::zeroed());
        c.result.unwrap();
        inj.update(|p| p.corrupt_reads = 1);
        let c = roundtrip(&mut f, IoOp::Read, PageId { rel, block: 0 }, PageBuf::zeroed());
        c.result.unwrap();
        assert_eq!(c.buf.0[PAGE_SIZE / 2], 0x5A);
        assert_eq!(inj.injected(), 2);
    }
}
