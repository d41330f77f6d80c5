//! B+tree indexes over the buffer pool, in the shape of PostgreSQL's nbtree
//! (Lehman & Yao): every page has a right link, every page but the
//! rightmost of its level has a high key, and readers that land on a page
//! whose high key is below their key move right. So a reader never needs
//! more than one latch, and a split done by the (single) writer — right half
//! first, then the left page, then the parent — is never seen half-done.
//!
//! Keys order by `Datum::sql_cmp` column by column (NULLs last), then by heap
//! TID, so every entry is unique and can be found again for deletion
//! (PostgreSQL 12's "heapkeyspace").
//!
//! Layout:
//! - block 0: metapage, one item: magic u32, version u32, root u32, root
//!   level u32, number of key columns u16, their representation codes.
//! - other blocks: slotted pages with a 16-byte special area: right link u32
//!   (0 = rightmost), unused u32, level u32 (0 = leaf), flags u16.
//! - on a non-rightmost page, item 1 is the high key; data items follow.
//! - leaf items: index tuples (see [`crate::tuple`]) holding key + heap TID.
//! - internal items: pivots, a key + heap TID separator with the child's
//!   block number in the last 4 bytes; the first one on each internal page
//!   has no key ("minus infinity").

use std::cmp::Ordering;
use std::collections::HashSet;
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

use oa_ir::types::PhysicalType;
use oa_ir::{Datum, Error, Result, SqlState};

use crate::buffer::PageWriteGuard;
use crate::io::RelFileNumber;
use crate::mvcc::DirtyStatus;
use crate::page::{
    self, BlockNumber, ITEM_ID_SIZE, OffsetNumber, PAGE_HEADER_SIZE, PAGE_SIZE, Page, PageBuf, PageKind, Placement, get_u16, get_u32, maxalign,
};
use crate::storage::{RelKind, Relation, Storage};
use crate::tuple::{AttrIter, Tid, TupleDesc, append_values, fill_bitmap};
use crate::xact::Transaction;

/// PostgreSQL's INDEX_MAX_KEYS.
pub const INDEX_MAX_KEYS: usize = 32;
/// Largest index tuple (PostgreSQL's limit for btree version 4), so three
/// items and a high key always fit on a page.
pub const BT_MAX_ITEM_SIZE: usize = 2704;

const BT_MAGIC: u32 = 0x0005_3162;
const BT_VERSION: u32 = 4;
const META_BLOCK: BlockNumber = 0;
/// "No right sibling": block 0 is the metapage, never a sibling.
const P_NONE: BlockNumber = 0;
const BT_SPECIAL_SIZE: usize = 16;
const BTP_LEAF: u16 = 1;
/// Usable bytes on a B-tree page.
const BT_PAGE_CAPACITY: usize = PAGE_SIZE - PAGE_HEADER_SIZE - BT_SPECIAL_SIZE;

const IT_HEADER: usize = 8;
const IT_HASNULL: u16 = 0x8000;
const IT_DOWNLINK: u16 = 0x4000;
const IT_MINUS_INF: u16 = 0x2000;
const IT_NATTS_MASK: u16 = 0x0FFF;

/// Per-index state kept with the relation.
pub(crate) struct BtreeInfo {
    pub(crate) desc: Arc<TupleDesc>,
    root: AtomicU32,
}

impl BtreeInfo {
    /// The state of an existing index, from its metapage (block 0): the root
    /// and the key's physical types, as `btree_create` and `new_root` wrote them.
    pub(crate) fn from_metapage(rel: RelFileNumber, meta: &Page<'_>) -> Result<BtreeInfo> {
        let m = meta.item(1).filter(|_| meta.kind() == Some(PageKind::BtreeMeta)).ok_or_else(|| corrupt(rel, "no metapage"))?;
        if m.len() < 18 || get_u32(m, 0) != BT_MAGIC || get_u32(m, 4) != BT_VERSION {
            return Err(corrupt(rel, "bad metapage"));
        }
        let natts = get_u16(m, 16) as usize;
        let types = m.get(18..18 + natts).filter(|_| (1..=INDEX_MAX_KEYS).contains(&natts)).ok_or_else(|| corrupt(rel, "bad key in metapage"))?;
        let attrs =
            types.iter().map(|&t| physical_type(t).ok_or_else(|| corrupt(rel, format!("unknown key type {t}")))).collect::<Result<Vec<_>>>()?;
        Ok(BtreeInfo { desc: Arc::new(TupleDesc::new(attrs)), root: AtomicU32::new(get_u32(m, 8)) })
    }
}

/// The physical type whose discriminant (`as u8`) a metapage stores.
fn physical_type(t: u8) -> Option<PhysicalType> {
    use PhysicalType::*;
    let all = [Bool, Char, Int16, Int32, Int64, Oid, Float32, Float64, Numeric, Interval, Text, Bytes, Array];
    // Stops compiling when a variant is added, until it is added to `all` too.
    match all[0] {
        Bool | Char | Int16 | Int32 | Int64 | Oid | Float32 | Float64 | Numeric | Interval | Text | Bytes | Array => {}
    }
    all.into_iter().find(|p| *p as u8 == t)
}

// ---------------------------------------------------------------------------
// Index tuples
// ---------------------------------------------------------------------------

fn corrupt(rel: RelFileNumber, what: impl std::fmt::Display) -> Error {
    Error::new(SqlState::INDEX_CORRUPTED, format!("index relation {rel} is corrupted: {what}"))
}

#[derive(Clone, Copy)]
struct Item<'a> {
    b: &'a [u8],
}

impl<'a> Item<'a> {
    fn new(b: &'a [u8]) -> Option<Item<'a>> {
        (b.len() >= IT_HEADER).then_some(Item { b })
    }

    fn tid(&self) -> Tid {
        Tid { block: get_u32(self.b, 0), offset: get_u16(self.b, 4) }
    }

    fn info(&self) -> u16 {
        get_u16(self.b, 6)
    }

    fn natts(&self) -> usize {
        (self.info() & IT_NATTS_MASK) as usize
    }

    fn is_minus_inf(&self) -> bool {
        self.info() & IT_MINUS_INF != 0
    }

    fn downlink(&self) -> Option<BlockNumber> {
        if self.info() & IT_DOWNLINK == 0 || self.b.len() < IT_HEADER + 4 {
            return None;
        }
        Some(get_u32(self.b, self.b.len() - 4))
    }

    fn bitmap(&self) -> Option<&'a [u8]> {
        if self.info() & IT_HASNULL == 0 {
            return None;
        }
        self.b.get(IT_HEADER..IT_HEADER + self.natts().div_ceil(8))
    }

    fn data_off(&self) -> usize {
        let bm = if self.info() & IT_HASNULL != 0 { self.natts().div_ceil(8) } else { 0 };
        maxalign(IT_HEADER + bm)
    }

    fn keys<'d>(&self, desc: &'d TupleDesc) -> AttrIter<'d, 'a> {
        let stored = if self.is_minus_inf() { 0 } else { self.natts() };
        AttrIter::raw(desc.attrs(), self.b, self.data_off(), self.bitmap(), stored)
    }

    fn values(&self, desc: &TupleDesc) -> Result<Vec<Datum>> {
        self.keys(desc).map(|v| v.and_then(|r| r.to_datum())).collect()
    }

    /// The item without its downlink, as a separator or high key.
    fn without_downlink(&self) -> Vec<u8> {
        // Item::new guarantees the header; downlink() that the 4 bytes exist.
        let mut v = if self.downlink().is_some() { self.b[..self.b.len() - 4].to_vec() } else { self.b.to_vec() };
        let info = self.info() & !IT_DOWNLINK;
        v[6..8].copy_from_slice(&info.to_le_bytes());
        v
    }
}

/// Builds a leaf index tuple.
fn form_index_tuple(desc: &TupleDesc, key: &[Datum], tid: Tid, out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    let has_nulls = key.iter().any(Datum::is_null);
    let info = key.len() as u16 | if has_nulls { IT_HASNULL } else { 0 };
    out.extend_from_slice(&tid.block.to_le_bytes());
    out.extend_from_slice(&tid.offset.to_le_bytes());
    out.extend_from_slice(&info.to_le_bytes());
    if has_nulls {
        let start = out.len();
        out.resize(start + key.len().div_ceil(8), 0);
        fill_bitmap(key, &mut out[start..]);
    }
    let data = maxalign(out.len());
    out.resize(data, 0);
    append_values(desc.attrs(), key, out)
}

/// A separator (key + TID, no downlink) with a downlink appended.
fn with_downlink(sep: &[u8], child: BlockNumber) -> Vec<u8> {
    let mut v = sep.to_vec();
    let aligned = (v.len() + 3) & !3;
    v.resize(aligned, 0);
    v.extend_from_slice(&child.to_le_bytes());
    let info = get_u16(&v, 6) | IT_DOWNLINK;
    v[6..8].copy_from_slice(&info.to_le_bytes());
    v
}

fn minus_inf_item(child: BlockNumber) -> Vec<u8> {
    let mut v = Vec::with_capacity(12);
    v.extend_from_slice(&Tid::INVALID.block.to_le_bytes());
    v.extend_from_slice(&Tid::INVALID.offset.to_le_bytes());
    v.extend_from_slice(&(IT_MINUS_INF | IT_DOWNLINK).to_le_bytes());
    v.extend_from_slice(&child.to_le_bytes());
    v
}

/// The values of an index tuple (as returned by a scan's batch).
pub fn index_tuple_values(desc: &TupleDesc, item: &[u8]) -> Result<Vec<Datum>> {
    match Item::new(item) {
        Some(it) => it.values(desc),
        None => Err(Error::new(SqlState::INDEX_CORRUPTED, "index tuple shorter than its header")),
    }
}

/// Keys must come in the index's representations: a value of another kind
/// would compare by kind, silently giving wrong answers.
fn check_key(desc: &TupleDesc, key: &[Datum], full: bool) -> Result<()> {
    if key.len() > desc.natts() || (full && key.len() != desc.natts()) {
        return Err(Error::internal(format!("index key has {} columns, index has {}", key.len(), desc.natts())));
    }
    for (i, (d, ty)) in key.iter().zip(desc.attrs()).enumerate() {
        if let Some(t) = d.physical_type()
            && t != *ty
        {
            return Err(Error::internal(format!("index key column {} is {t:?}, the index stores {ty:?}", i + 1)));
        }
    }
    Ok(())
}

/// A search position: `values` (a prefix of the key columns) and, for
/// exact positions, the heap TID. Missing columns count as minus infinity,
/// or plus infinity with `nextkey`.
struct ScanKey<'k> {
    values: &'k [Datum],
    tid: Option<Tid>,
    nextkey: bool,
}

/// How the scan key orders against an item (PostgreSQL's _bt_compare).
fn compare(desc: &TupleDesc, sk: &ScanKey<'_>, item: Item<'_>) -> Result<Ordering> {
    if item.is_minus_inf() {
        return Ok(Ordering::Greater);
    }
    for (v, raw) in sk.values.iter().zip(item.keys(desc)) {
        let c = raw?.cmp_datum(v)?.reverse();
        if c != Ordering::Equal {
            return Ok(c);
        }
    }
    let beyond = if sk.nextkey { Ordering::Greater } else { Ordering::Less };
    if sk.values.len() < desc.natts() {
        return Ok(beyond);
    }
    Ok(match sk.tid {
        Some(t) => t.cmp(&item.tid()),
        None => beyond,
    })
}

// ---------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Special {
    next: BlockNumber,
    level: u32,
    flags: u16,
}

impl Special {
    fn read(page: Page<'_>) -> Option<Special> {
        let s = page.special();
        if s.len() < BT_SPECIAL_SIZE || page.kind() != Some(PageKind::Btree) {
            return None;
        }
        Some(Special { next: get_u32(s, 0), level: get_u32(s, 8), flags: get_u16(s, 12) })
    }

    fn bytes(&self) -> [u8; BT_SPECIAL_SIZE] {
        let mut b = [0u8; BT_SPECIAL_SIZE];
        b[0..4].copy_from_slice(&self.next.to_le_bytes());
        b[8..12].copy_from_slice(&self.level.to_le_bytes());
        b[12..14].copy_from_slice(&self.flags.to_le_bytes());
        b
    }

    fn rightmost(&self) -> bool {
        self.next == P_NONE
    }

    fn first_data(&self) -> OffsetNumber {
        if self.rightmost() { 1 } else { 2 }
    }
}

/// A page of this index, checked.
struct BtPage<'p> {
    page: Page<'p>,
    sp: Special,
}

impl<'p> BtPage<'p> {
    fn new(rel: RelFileNumber, block: BlockNumber, page: Page<'p>) -> Result<BtPage<'p>> {
        match Special::read(page) {
            Some(sp) => Ok(BtPage { page, sp }),
            None => Err(corrupt(rel, format!("block {block} is not a B-tree page"))),
        }
    }

    fn item(&self, rel: RelFileNumber, off: OffsetNumber) -> Result<Item<'p>> {
        self.page.item(off).and_then(Item::new).ok_or_else(|| corrupt(rel, format!("missing item {off}")))
    }

    fn high_key(&self, rel: RelFileNumber) -> Result<Option<Item<'p>>> {
        if self.sp.rightmost() { Ok(None) } else { self.item(rel, 1).map(Some) }
    }

    /// Must a search for `sk` continue on the right sibling?
    fn move_right(&self, rel: RelFileNumber, desc: &TupleDesc, sk: &ScanKey<'_>) -> Result<bool> {
        match self.high_key(rel)? {
            Some(hk) => Ok(compare(desc, sk, hk)? != Ordering::Less),
            None => Ok(false),
        }
    }

    /// First data offset whose item is >= sk (`strict`: > sk).
    fn search(&self, rel: RelFileNumber, desc: &TupleDesc, sk: &ScanKey<'_>, strict: bool) -> Result<OffsetNumber> {
        let mut lo = self.sp.first_data();
        let mut hi = self.page.max_offset() + 1;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let c = compare(desc, sk, self.item(rel, mid)?)?;
            let go_right = if strict { c != Ordering::Less } else { c == Ordering::Greater };
            if go_right {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    /// The child to descend into for `sk` (internal pages).
    fn child(&self, rel: RelFileNumber, desc: &TupleDesc, sk: &ScanKey<'_>) -> Result<BlockNumber> {
        let o = self.search(rel, desc, sk, true)?;
        // The first data item is minus infinity, so o is past it.
        if o <= self.sp.first_data() {
            return Err(corrupt(rel, "internal page without a minus-infinity item"));
        }
        self.item(rel, o - 1)?.downlink().ok_or_else(|| corrupt(rel, "pivot without downlink"))
    }
}

/// Builds a B-tree page image from items.
fn build_page(sp: Special, high_key: Option<&[u8]>, items: &[&[u8]]) -> Result<Box<PageBuf>> {
    let mut img = PageBuf::zeroed();
    page::init(&mut img.0, PageKind::Btree, BT_SPECIAL_SIZE);
    page::special_mut(&mut img.0)[..BT_SPECIAL_SIZE].copy_from_slice(&sp.bytes());
    for (off, it) in (1..).zip(high_key.into_iter().chain(items.iter().copied())) {
        if page::add_item(&mut img.0, it, &[], Placement::At(off)).is_none() {
            return Err(Error::internal("B-tree page overflow while splitting"));
        }
    }
    Ok(img)
}

fn item_cost(len: usize) -> usize {
    maxalign(len) + ITEM_ID_SIZE
}

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

impl Storage {
    pub(crate) fn btree_relation(&self, rel: RelFileNumber) -> Result<Arc<Relation>> {
        let r = self.relation(rel)?;
        match r.kind {
            RelKind::Btree(_) => Ok(r),
            RelKind::Heap => Err(Error::internal(format!("relation file {rel} is not a B-tree index"))),
        }
    }

    /// Creates an empty B-tree (transactional like `create_relation`).
    pub fn btree_create(&self, txn: &mut Transaction, rel: RelFileNumber, key_desc: TupleDesc) -> Result<()> {
        if key_desc.natts() == 0 || key_desc.natts() > INDEX_MAX_KEYS {
            return Err(Error::new(
                SqlState::TOO_MANY_COLUMNS,
                format!("cannot use {} columns in an index (between 1 and {INDEX_MAX_KEYS})", key_desc.natts()),
            ));
        }
        let mut meta = Vec::with_capacity(24 + key_desc.natts());
        meta.extend_from_slice(&BT_MAGIC.to_le_bytes());
        meta.extend_from_slice(&BT_VERSION.to_le_bytes());
        meta.extend_from_slice(&1u32.to_le_bytes()); // root
        meta.extend_from_slice(&0u32.to_le_bytes()); // root level
        meta.extend_from_slice(&(key_desc.natts() as u16).to_le_bytes());
        for t in key_desc.attrs() {
            meta.push(*t as u8);
        }
        let info = BtreeInfo { desc: Arc::new(key_desc), root: AtomicU32::new(1) };
        let r = self.create_with_kind(txn, rel, RelKind::Btree(info))?;
        let mut m = self.extend(&r, PageKind::BtreeMeta, 0)?;
        if m.id().block != META_BLOCK || m.add_item(&meta, Placement::Any)?.is_none() {
            return Err(Error::internal("could not write B-tree metapage"));
        }
        drop(m);
        let mut root = self.extend(&r, PageKind::Btree, BT_SPECIAL_SIZE)?;
        root.set_special(&Special { next: P_NONE, level: 0, flags: BTP_LEAF }.bytes())?;
        Ok(())
    }

    fn btree_info<'r>(&self, r: &'r Relation) -> Result<&'r BtreeInfo> {
        match &r.kind {
            RelKind::Btree(info) => Ok(info),
            RelKind::Heap => Err(Error::internal(format!("relation file {} is not a B-tree index", r.id))),
        }
    }

    /// Descends to the leaf where `sk` belongs. With `stack`, records the
    /// internal pages passed (for the writer's splits).
    fn descend(&self, r: &Relation, sk: &ScanKey<'_>, mut stack: Option<&mut Vec<BlockNumber>>) -> Result<BlockNumber> {
        let info = self.btree_info(r)?;
        let mut block = info.root.load(AtomicOrdering::Acquire);
        // Each step goes down a level or right along one; both are bounded
        // by the number of pages.
        for _ in 0..=2 * r.nblocks() as u64 + 2 {
            let g = self.pool.read(r.page(block))?;
            let p = BtPage::new(r.id, block, g.page())?;
            if p.move_right(r.id, &info.desc, sk)? {
                block = p.sp.next;
                continue;
            }
            if p.sp.level == 0 {
                return Ok(block);
            }
            let child = p.child(r.id, &info.desc, sk)?;
            if let Some(s) = stack.as_deref_mut() {
                s.push(block);
            }
            block = child;
        }
        Err(corrupt(r.id, "descent does not end"))
    }

    /// Adds an entry for `key` → `tid` (takes the write lock if needed).
    pub fn btree_insert(&self, txn: &mut Transaction, rel: RelFileNumber, key: &[Datum], tid: Tid) -> Result<()> {
        txn.ensure_write_lock()?;
        let r = self.btree_relation(rel)?;
        let info = self.btree_info(&r)?;
        check_key(&info.desc, key, true)?;
        let mut item = Vec::new();
        form_index_tuple(&info.desc, key, tid, &mut item)?;
        if item.len() > BT_MAX_ITEM_SIZE {
            return Err(Error::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!("index row size {} exceeds btree version {BT_VERSION} maximum {BT_MAX_ITEM_SIZE} for index {rel}", item.len()),
            )
            .with_hint("Values larger than 1/3 of a buffer page cannot be indexed."));
        }
        let mut stack = Vec::new();
        let sk = ScanKey { values: key, tid: Some(tid), nextkey: false };
        let leaf = self.descend(&r, &sk, Some(&mut stack))?;
        let mut values = key.to_vec();
        let mut sk_tid = tid;
        let mut block = leaf;
        let mut level_item = item;
        // Insert, splitting upwards as needed; each round goes up a level.
        for _ in 0..64 {
            let sk = ScanKey { values: &values, tid: Some(sk_tid), nextkey: false };
            let mut g = self.pool.write(r.page(block))?;
            let (pos, fits, next) = {
                let p = BtPage::new(rel, block, g.page())?;
                if p.move_right(rel, &info.desc, &sk)? {
                    (0, false, Some(p.sp.next))
                } else {
                    let pos = p.search(rel, &info.desc, &sk, true)?;
                    if p.sp.level == 0 && pos > p.sp.first_data() && compare(&info.desc, &sk, p.item(rel, pos - 1)?)? == Ordering::Equal {
                        return Err(Error::internal(format!("duplicate index entry for tuple {sk_tid} in index {rel}")));
                    }
                    (pos, p.page.fits(level_item.len(), false), None)
                }
            };
            if let Some(n) = next {
                block = n;
                continue;
            }
            if fits {
                g.add_item(&level_item, Placement::At(pos))?.ok_or_else(|| Error::internal("B-tree item did not fit"))?;
                return Ok(());
            }
            let (sep, right) = self.split(&r, &mut g, pos, &level_item)?;
            let level = Special::read(g.page()).map_or(0, |s| s.level);
            drop(g);
            let sep_item = Item::new(&sep).ok_or_else(|| Error::internal("bad separator"))?;
            values = sep_item.values(&info.desc)?;
            sk_tid = sep_item.tid();
            match stack.pop() {
                Some(parent) => {
                    level_item = with_downlink(&sep, right);
                    block = parent;
                }
                None => return self.new_root(&r, block, &sep, right, level + 1),
            }
        }
        Err(corrupt(rel, "split recursion too deep"))
    }

    /// Splits the latched page around the new item at `pos`, returning the
    /// separator (the right half's lowest key) and the new right block.
    fn split(&self, r: &Relation, g: &mut PageWriteGuard<'_>, pos: OffsetNumber, new_item: &[u8]) -> Result<(Vec<u8>, BlockNumber)> {
        let rel = r.id;
        let (sp, old_hk, items) = {
            let p = BtPage::new(rel, g.id().block, g.page())?;
            let old_hk = p.high_key(rel)?.map(|h| h.b.to_vec());
            let mut items: Vec<Vec<u8>> = Vec::with_capacity(p.page.max_offset() as usize + 1);
            for o in p.sp.first_data()..=p.page.max_offset() {
                items.push(p.item(rel, o)?.b.to_vec());
            }
            let at = (pos - p.sp.first_data()) as usize;
            if at > items.len() {
                return Err(Error::internal("split position out of range"));
            }
            items.insert(at, new_item.to_vec());
            (p.sp, old_hk, items)
        };
        let leaf = sp.level == 0;
        let n = items.len();
        if n < 2 {
            return Err(Error::internal("cannot split a page with fewer than two items"));
        }
        let append = sp.rightmost() && (pos as usize - sp.first_data() as usize) == n - 1;
        // Sizes if the split is before item k: left gets items[..k] and a
        // high key made from items[k]; right gets items[k..] (internal: the
        // first as minus infinity) and the old high key.
        let right_hk_cost = old_hk.as_ref().map_or(0, |h| item_cost(h.len()));
        let prefix: Vec<usize> = std::iter::once(0)
            .chain(items.iter().scan(0, |acc, it| {
                *acc += item_cost(it.len());
                Some(*acc)
            }))
            .collect();
        let total = prefix[n];
        let mut best: Option<(usize, usize)> = None;
        for k in 1..n {
            let sep_len = Item::new(&items[k]).map_or(items[k].len(), |i| i.without_downlink().len());
            let left = prefix[k] + item_cost(sep_len);
            let first_right = if leaf { item_cost(items[k].len()) } else { item_cost(IT_HEADER + 4) };
            let right = total - prefix[k + 1] + first_right + right_hk_cost;
            if left > BT_PAGE_CAPACITY || right > BT_PAGE_CAPACITY {
                continue;
            }
            // Appending to the rightmost page: leave the left ~90% full, as
            // a fillfactor split does, so sequential keys pack densely.
            let score = if append { (BT_PAGE_CAPACITY * 9 / 10).abs_diff(left) } else { left.abs_diff(right) };
            if best.is_none_or(|(_, s)| score < s) {
                best = Some((k, score));
            }
        }
        let Some((k, _)) = best else {
            return Err(Error::internal("no valid split point"));
        };
        let sep_item = Item::new(&items[k]).ok_or_else(|| Error::internal("bad item"))?;
        let sep = sep_item.without_downlink();
        let mut rg = self.extend(r, PageKind::Btree, BT_SPECIAL_SIZE)?;
        let right_block = rg.id().block;
        let right_first;
        let mut right_items: Vec<&[u8]> = Vec::with_capacity(n - k);
        if leaf {
            right_items.extend(items[k..].iter().map(Vec::as_slice));
        } else {
            let child = sep_item.downlink().ok_or_else(|| corrupt(rel, "pivot without downlink"))?;
            right_first = minus_inf_item(child);
            right_items.push(&right_first);
            right_items.extend(items[k + 1..].iter().map(Vec::as_slice));
        }
        let right_sp = Special { next: sp.next, level: sp.level, flags: sp.flags };
        let right_img = build_page(right_sp, old_hk.as_deref(), &right_items)?;
        let left_items: Vec<&[u8]> = items[..k].iter().map(Vec::as_slice).collect();
        let left_sp = Special { next: right_block, level: sp.level, flags: sp.flags };
        let left_img = build_page(left_sp, Some(&sep), &left_items)?;
        // Right half first: until the left page links to it, no one looks.
        rg.replace(&right_img.0)?;
        g.replace(&left_img.0)?;
        Ok((sep, right_block))
    }

    fn new_root(&self, r: &Relation, left: BlockNumber, sep: &[u8], right: BlockNumber, level: u32) -> Result<()> {
        let info = self.btree_info(r)?;
        let mut g = self.extend(r, PageKind::Btree, BT_SPECIAL_SIZE)?;
        let root = g.id().block;
        let first = minus_inf_item(left);
        let second = with_downlink(sep, right);
        let img = build_page(Special { next: P_NONE, level, flags: 0 }, None, &[&first, &second])?;
        g.replace(&img.0)?;
        drop(g);
        let mut m = self.pool.write(r.page(META_BLOCK))?;
        let mut rl = [0u8; 8];
        rl[0..4].copy_from_slice(&root.to_le_bytes());
        rl[4..8].copy_from_slice(&level.to_le_bytes());
        m.patch_item(1, 8, &rl)?;
        info.root.store(root, AtomicOrdering::Release);
        Ok(())
    }

    /// Removes the entry `key` → `tid`; false if there is none.
    pub fn btree_delete(&self, txn: &mut Transaction, rel: RelFileNumber, key: &[Datum], tid: Tid) -> Result<bool> {
        txn.ensure_write_lock()?;
        let r = self.btree_relation(rel)?;
        let info = self.btree_info(&r)?;
        check_key(&info.desc, key, true)?;
        let sk = ScanKey { values: key, tid: Some(tid), nextkey: false };
        let mut block = self.descend(&r, &sk, None)?;
        for _ in 0..=r.nblocks() {
            let mut g = self.pool.write(r.page(block))?;
            let found = {
                let p = BtPage::new(rel, block, g.page())?;
                if p.move_right(rel, &info.desc, &sk)? {
                    block = p.sp.next;
                    continue;
                }
                let o = p.search(rel, &info.desc, &sk, false)?;
                (o <= p.page.max_offset() && compare(&info.desc, &sk, p.item(rel, o)?)? == Ordering::Equal).then_some(o)
            };
            return match found {
                Some(o) => {
                    g.delete_items(&[o])?;
                    Ok(true)
                }
                None => Ok(false),
            };
        }
        Err(corrupt(rel, "right-link chain does not end"))
    }

    /// Removes every entry pointing at a TID in `dead` (VACUUM's
    /// btbulkdelete). Returns how many were removed.
    pub(crate) fn btree_bulk_delete(&self, rel: RelFileNumber, dead: &HashSet<Tid>) -> Result<u64> {
        let r = self.btree_relation(rel)?;
        let leftmost = ScanKey { values: &[], tid: None, nextkey: false };
        let mut block = self.descend(&r, &leftmost, None)?;
        let mut removed = 0u64;
        for _ in 0..=r.nblocks() {
            let mut g = self.pool.write(r.page(block))?;
            let (offs, next) = {
                let p = BtPage::new(rel, block, g.page())?;
                let mut offs = Vec::new();
                for o in p.sp.first_data()..=p.page.max_offset() {
                    if dead.contains(&p.item(rel, o)?.tid()) {
                        offs.push(o);
                    }
                }
                (offs, p.sp.next)
            };
            if !offs.is_empty() {
                g.delete_items(&offs)?;
                removed += offs.len() as u64;
            }
            drop(g);
            if next == P_NONE {
                return Ok(removed);
            }
            block = next;
        }
        Err(corrupt(rel, "right-link chain does not end"))
    }

    /// A range scan: entries with `lower <= key <= upper` (bounds may name
    /// fewer columns than the index: a prefix), in key order.
    pub fn btree_search(self: &Arc<Self>, rel: RelFileNumber, lower: Bound<&[Datum]>, upper: Bound<&[Datum]>) -> Result<BtreeScan> {
        let r = self.btree_relation(rel)?;
        let info = self.btree_info(&r)?;
        for b in [&lower, &upper] {
            if let Bound::Included(k) | Bound::Excluded(k) = b {
                check_key(&info.desc, k, false)?;
            }
        }
        let desc = info.desc.clone();
        Ok(BtreeScan {
            storage: self.clone(),
            rel: r,
            desc,
            lower: lower.map(<[Datum]>::to_vec),
            upper: upper.map(<[Datum]>::to_vec),
            next: ScanPos::Start,
            batch: IndexBatch::default(),
            batch_pos: 0,
        })
    }

    /// Reads one leaf for a scan: entries from the lower bound (first page)
    /// or the page start, up to the upper bound. Returns the next block.
    fn btree_scan_page(
        &self,
        r: &Relation,
        desc: &TupleDesc,
        pos: ScanPos,
        lower: &Bound<Vec<Datum>>,
        upper: &Bound<Vec<Datum>>,
        out: &mut IndexBatch,
    ) -> Result<ScanPos> {
        out.clear();
        let lower_sk = match lower {
            Bound::Included(v) => ScanKey { values: v, tid: None, nextkey: false },
            Bound::Excluded(v) => ScanKey { values: v, tid: None, nextkey: true },
            Bound::Unbounded => ScanKey { values: &[], tid: None, nextkey: false },
        };
        let (mut block, first_page) = match pos {
            ScanPos::Start => (self.descend(r, &lower_sk, None)?, true),
            ScanPos::At(b) => (b, false),
            ScanPos::Done => return Ok(ScanPos::Done),
        };
        for _ in 0..=r.nblocks() {
            let g = self.pool.read(r.page(block))?;
            let p = BtPage::new(r.id, block, g.page())?;
            let start = if first_page {
                if p.move_right(r.id, desc, &lower_sk)? {
                    block = p.sp.next;
                    continue;
                }
                p.search(r.id, desc, &lower_sk, false)?
            } else {
                p.sp.first_data()
            };
            for o in start..=p.page.max_offset() {
                let it = p.item(r.id, o)?;
                let past = match upper {
                    Bound::Included(v) => compare(desc, &ScanKey { values: v, tid: None, nextkey: true }, it)? == Ordering::Less,
                    Bound::Excluded(v) => compare(desc, &ScanKey { values: v, tid: None, nextkey: false }, it)? != Ordering::Greater,
                    Bound::Unbounded => false,
                };
                if past {
                    return Ok(ScanPos::Done);
                }
                out.push(it.tid(), it.b);
            }
            return Ok(if p.sp.rightmost() { ScanPos::Done } else { ScanPos::At(p.sp.next) });
        }
        Err(corrupt(r.id, "right-link chain does not end"))
    }

    /// PostgreSQL's unique check (_bt_check_unique): the heap TID of a
    /// tuple with an equal key that is live or being inserted/deleted by
    /// another running transaction, if any. Keys with a NULL never conflict
    /// unless `nulls_not_distinct`.
    pub fn find_conflicting(
        &self,
        index: RelFileNumber,
        key: &[Datum],
        heap: RelFileNumber,
        txn: &Transaction,
        nulls_not_distinct: bool,
    ) -> Result<Option<Tid>> {
        if !nulls_not_distinct && key.iter().any(Datum::is_null) {
            return Ok(None);
        }
        let r = self.btree_relation(index)?;
        let h = self.heap_relation(heap)?;
        let info = self.btree_info(&r)?;
        check_key(&info.desc, key, true)?;
        let bound = Bound::Included(key.to_vec());
        let mut pos = ScanPos::Start;
        let mut batch = IndexBatch::default();
        for _ in 0..=r.nblocks() {
            pos = self.btree_scan_page(&r, &info.desc, pos, &bound, &bound, &mut batch)?;
            for (tid, _) in batch.iter() {
                match self.dirty_status(&h, tid, txn)? {
                    DirtyStatus::Live | DirtyStatus::InProgress(_) => return Ok(Some(tid)),
                    DirtyStatus::Invisible => {}
                }
            }
            if matches!(pos, ScanPos::Done) {
                return Ok(None);
            }
        }
        Err(corrupt(index, "right-link chain does not end"))
    }

    /// The root block and height (levels above the leaves) of an index.
    pub fn btree_height(&self, rel: RelFileNumber) -> Result<u32> {
        let r = self.btree_relation(rel)?;
        let root = self.btree_info(&r)?.root.load(AtomicOrdering::Acquire);
        let g = self.pool.read(r.page(root))?;
        Ok(BtPage::new(rel, root, g.page())?.sp.level)
    }
}

#[derive(Clone, Copy, Debug)]
enum ScanPos {
    Start,
    At(BlockNumber),
    Done,
}

/// Index entries of one leaf, copied out: (heap TID, index tuple bytes).
#[derive(Default)]
pub struct IndexBatch {
    data: Vec<u8>,
    items: Vec<(Tid, u32, u32)>,
}

impl IndexBatch {
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

    /// (heap TID, index tuple) pairs; decode keys with [`index_tuple_values`].
    pub fn iter(&self) -> impl Iterator<Item = (Tid, &[u8])> + '_ {
        self.items.iter().map(|&(t, s, l)| (t, &self.data[s as usize..(s + l) as usize]))
    }

    pub fn tids(&self) -> impl Iterator<Item = Tid> + '_ {
        self.items.iter().map(|&(t, _, _)| t)
    }

    fn push(&mut self, tid: Tid, item: &[u8]) {
        let start = maxalign(self.data.len());
        self.data.resize(start, 0);
        self.data.extend_from_slice(item);
        self.items.push((tid, start as u32, item.len() as u32));
    }
}

/// A B-tree range scan. Holds no latch between calls; entries come a leaf
/// page at a time. Entries are returned whatever the visibility of their
/// heap tuples: check those against a snapshot with `fetch`.
pub struct BtreeScan {
    storage: Arc<Storage>,
    rel: Arc<Relation>,
    desc: Arc<TupleDesc>,
    lower: Bound<Vec<Datum>>,
    upper: Bound<Vec<Datum>>,
    next: ScanPos,
    batch: IndexBatch,
    batch_pos: usize,
}

impl BtreeScan {
    /// Fills `out` with the next leaf's entries in range; false when done.
    pub fn next_batch(&mut self, out: &mut IndexBatch) -> Result<bool> {
        for _ in 0..=self.rel.nblocks() {
            if matches!(self.next, ScanPos::Done) {
                out.clear();
                return Ok(false);
            }
            self.next = self.storage.btree_scan_page(&self.rel, &self.desc, self.next, &self.lower, &self.upper, out)?;
            if !out.is_empty() {
                return Ok(true);
            }
        }
        Err(corrupt(self.rel.id, "scan does not end"))
    }

    /// The index's key representations.
    pub fn key_desc(&self) -> &TupleDesc {
        &self.desc
    }
}

impl Iterator for BtreeScan {
    type Item = Result<(Vec<Datum>, Tid)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.batch_pos >= self.batch.len() {
            let mut batch = std::mem::take(&mut self.batch);
            let more = self.next_batch(&mut batch);
            self.batch = batch;
            self.batch_pos = 0;
            match more {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.next = ScanPos::Done;
                    return Some(Err(e));
                }
            }
        }
        let &(tid, s, l) = self.batch.items.get(self.batch_pos)?;
        self.batch_pos += 1;
        Some(index_tuple_values(&self.desc, &self.batch.data[s as usize..(s + l) as usize]).map(|k| (k, tid)))
    }
}
