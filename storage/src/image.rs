//! Images of a whole [`Storage`] as bytes: every relation's pages and the
//! transaction state their xids need. The browser build has no data
//! directory or WAL; it saves a database by writing an image (to IndexedDB)
//! and opens one from it again. An image holds committed work only:
//! transactions running when it is taken count as aborted in it, as after
//! a crash.
//!
//! Layout (integers little-endian), after whatever header the caller writes:
//!
//! ```text
//! next xid u32 · commit log: length u32, 2 status bits per xid
//! relation count u32, then per relation (ascending relfilenumber):
//!   relfilenumber u32 · kind u8 (0 heap, 1 B-tree) · block count u32 · blocks (8192 bytes each)
//! ```
//!
//! Pages carry their checksums, verified when the image is opened. A B-tree's
//! root and key types come from its metapage, as PostgreSQL's do; a heap's
//! free-space map is rebuilt from its pages.

use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex, RwLock};

use oa_ir::{Error, Result, SqlState};

use crate::btree::BtreeInfo;
use crate::buffer::{BufferPool, lock};
use crate::heap::Fsm;
use crate::io::{MemoryBackend, RelFileNumber};
use crate::page::{self, INVALID_BLOCK, PAGE_SIZE, Page, PageBuf, PageKind};
use crate::storage::{RelKind, Relation, Storage, StorageConfig};
use crate::xact::TxnManager;

const KIND_HEAP: u8 = 0;
const KIND_BTREE: u8 = 1;

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::new(SqlState::DATA_CORRUPTED, format!("invalid database image: {what}"))
}

impl Storage {
    /// Appends an image of the storage to `out`. Call it between
    /// statements: pages are copied one at a time, each under its latch, so
    /// a statement changing several pages meanwhile could leave them
    /// inconsistent with each other. Relations whose drop has committed are
    /// left out.
    pub fn write_image(&self, out: &mut Vec<u8>) -> Result<()> {
        let (next_xid, clog) = self.txns().image();
        out.extend_from_slice(&next_xid.to_le_bytes());
        out.extend_from_slice(&u32::try_from(clog.len()).map_err(|_| Error::internal("commit log too large"))?.to_le_bytes());
        out.extend_from_slice(&clog);
        let dropped: Vec<RelFileNumber> = lock(&self.graveyard).iter().map(|(r, _)| *r).collect();
        let mut rels: Vec<Arc<Relation>> =
            self.rels.read().unwrap_or_else(|e| e.into_inner()).values().filter(|r| !dropped.contains(&r.id)).cloned().collect();
        rels.sort_by_key(|r| r.id);
        out.extend_from_slice(&(rels.len() as u32).to_le_bytes());
        let mut buf = PageBuf::zeroed();
        for r in rels {
            let nblocks = r.nblocks();
            out.extend_from_slice(&r.id.0.to_le_bytes());
            out.push(match r.kind {
                RelKind::Heap => KIND_HEAP,
                RelKind::Btree(_) => KIND_BTREE,
            });
            out.extend_from_slice(&nblocks.to_le_bytes());
            out.reserve(nblocks as usize * PAGE_SIZE);
            for block in 0..nblocks {
                buf = self.pool.page_image(r.page(block), buf)?;
                out.extend_from_slice(&buf.0);
            }
        }
        Ok(())
    }

    /// Storage over memory holding what `image` (written by
    /// [`Storage::write_image`]) holds; the image must end where the storage
    /// part does. Every page's checksum is verified.
    pub fn from_image(config: StorageConfig, image: &[u8]) -> Result<Arc<Storage>> {
        let mut r = Reader(image);
        let next_xid = r.u32()?;
        let clog_len = r.u32()? as usize;
        if clog_len < (next_xid as usize).div_ceil(4) {
            return Err(corrupt("commit log shorter than the xids assigned"));
        }
        let clog = r.take(clog_len)?.to_vec();
        let nrels = r.u32()?;
        let mut backend = MemoryBackend::new();
        let mut rels = HashMap::new();
        for _ in 0..nrels {
            let id = RelFileNumber(r.u32()?);
            let kind = r.u8()?;
            let nblocks = r.u32()?;
            if nblocks == INVALID_BLOCK {
                return Err(corrupt(format!("relation {id} has {nblocks} blocks")));
            }
            let mut pages = Vec::with_capacity(nblocks as usize);
            let mut fsm = Fsm::default();
            for block in 0..nblocks {
                let bytes: &[u8; PAGE_SIZE] = r.take(PAGE_SIZE)?.try_into().map_err(|_| corrupt("short page"))?;
                page::verify_page(bytes, block)
                    .map_err(|e| Error::new(e.code, format!("invalid page in block {block} of relation {id}")).with_detail(e.message))?;
                let p = Page::new(bytes);
                if p.kind() == Some(PageKind::Heap) {
                    fsm.record(block, p.free_space());
                }
                pages.push(Some(Box::new(*bytes)));
            }
            let kind = match kind {
                KIND_HEAP => RelKind::Heap,
                KIND_BTREE => {
                    let meta = pages.first().and_then(|p| p.as_deref()).ok_or_else(|| corrupt(format!("index {id} has no metapage")))?;
                    RelKind::Btree(BtreeInfo::from_metapage(id, &Page::new(meta))?)
                }
                k => return Err(corrupt(format!("relation {id} has unknown kind {k}"))),
            };
            backend.insert_file(id, pages).map_err(|_| corrupt(format!("relation {id} appears twice")))?;
            let rel = Relation {
                id,
                kind,
                nblocks: AtomicU32::new(nblocks),
                extend_lock: Mutex::new(()),
                target: AtomicU32::new(INVALID_BLOCK),
                fsm: Mutex::new(fsm),
            };
            rels.insert(id, Arc::new(rel));
        }
        if !r.0.is_empty() {
            return Err(corrupt(format!("{} bytes after the last relation", r.0.len())));
        }
        Ok(Arc::new(Storage {
            pool: BufferPool::new(config.buffer_pool_pages, Box::new(backend))?,
            txns: TxnManager::from_image(next_xid, clog),
            rels: RwLock::new(rels),
            graveyard: Mutex::new(Vec::new()),
        }))
    }
}

/// Reads an image front to back; running out is corruption.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(corrupt("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}
