//! The 8 KB slotted page every relation is made of, laid out as PostgreSQL's
//! `bufpage.h` lays it out:
//!
//! ```text
//! 0      8         10       12       14       16         18                20          24
//! +------+---------+--------+--------+--------+----------+-----------------+-----------+
//! | lsn  | checksum| flags  | lower  | upper  | special  | pagesize|version| prune_xid |
//! +------+---------+--------+--------+--------+----------+-----------------+-----------+
//! | line pointers (4 bytes each, 1-based offsets) ...  -> lower                         |
//! |                         free space                                                  |
//! | upper -> ... tuples, MAXALIGNed, growing down                                       |
//! | special -> access-method specific area (B-tree: right link, level, flags)           |
//! +-------------------------------------------------------------------------------------+
//! ```
//!
//! A line pointer is PostgreSQL's `ItemIdData` as one little-endian `u32`:
//! bits 0..15 offset, bits 15..17 flags (unused/normal/redirect/dead), bits
//! 17..32 length. `flags` carries PostgreSQL's `PD_HAS_FREE_LINES` and, in
//! bits 8..12, the page kind (heap, B-tree, B-tree metapage) so a page read
//! back can be validated against what its relation expects.
//!
//! Everything here works on plain byte arrays; the buffer pool's
//! [`PageWriteGuard`](crate::buffer::PageWriteGuard) is the only code that
//! calls the mutating functions on a page that lives in a frame.

use oa_ir::{Error, Result, SqlState};

/// Bytes per page (PostgreSQL's BLCKSZ).
pub const PAGE_SIZE: usize = 8192;
/// Size of the fixed page header.
pub const PAGE_HEADER_SIZE: usize = 24;
/// Size of one line pointer.
pub const ITEM_ID_SIZE: usize = 4;
/// Tuples start on 8-byte boundaries (PostgreSQL's MAXALIGN).
pub const MAXALIGN: usize = 8;
/// The layout version stored next to the page size.
pub const PAGE_LAYOUT_VERSION: u16 = 4;

/// A block number within a relation.
pub type BlockNumber = u32;
/// A 1-based line pointer number within a page.
pub type OffsetNumber = u16;
/// "No block" (PostgreSQL's InvalidBlockNumber).
pub const INVALID_BLOCK: BlockNumber = u32::MAX;

const PD_LSN: usize = 0;
const PD_CHECKSUM: usize = 8;
const PD_FLAGS: usize = 10;
const PD_LOWER: usize = 12;
const PD_UPPER: usize = 14;
const PD_SPECIAL: usize = 16;
const PD_PAGESIZE_VERSION: usize = 18;
const PD_PRUNE_XID: usize = 20;

/// Some line pointers are unused (PostgreSQL's PD_HAS_FREE_LINES).
pub const PD_HAS_FREE_LINES: u16 = 0x0001;
const PD_KIND_SHIFT: u16 = 8;
const PD_KIND_MASK: u16 = 0x0F00;
const PD_VALID_FLAGS: u16 = PD_HAS_FREE_LINES | PD_KIND_MASK;

/// What a page holds; stored in the header flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    Heap = 1,
    Btree = 2,
    BtreeMeta = 3,
}

impl PageKind {
    fn from_bits(bits: u16) -> Option<PageKind> {
        match bits {
            1 => Some(PageKind::Heap),
            2 => Some(PageKind::Btree),
            3 => Some(PageKind::BtreeMeta),
            _ => None,
        }
    }
}

/// State of a line pointer (PostgreSQL's lp_flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemState {
    Unused = 0,
    Normal = 1,
    Redirect = 2,
    Dead = 3,
}

/// A decoded line pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemId {
    pub offset: u16,
    pub state: ItemState,
    pub len: u16,
}

impl ItemId {
    pub const UNUSED: ItemId = ItemId { offset: 0, state: ItemState::Unused, len: 0 };

    fn decode(raw: u32) -> ItemId {
        let state = match (raw >> 15) & 3 {
            0 => ItemState::Unused,
            1 => ItemState::Normal,
            2 => ItemState::Redirect,
            _ => ItemState::Dead,
        };
        ItemId { offset: (raw & 0x7FFF) as u16, state, len: (raw >> 17) as u16 }
    }

    fn encode(self) -> u32 {
        debug_assert!(self.offset < 0x8000 && self.len < 0x8000);
        (self.offset as u32 & 0x7FFF) | ((self.state as u32) << 15) | ((self.len as u32 & 0x7FFF) << 17)
    }
}

/// A page-sized, page-aligned buffer. Frames own these; I/O moves them to the
/// backend and back (see [`crate::io`]), so a buffer outlives every request
/// that refers to it.
#[repr(C, align(4096))]
pub struct PageBuf(pub [u8; PAGE_SIZE]);

impl PageBuf {
    pub fn zeroed() -> Box<PageBuf> {
        Box::new(PageBuf([0; PAGE_SIZE]))
    }
}

pub const fn maxalign(len: usize) -> usize {
    (len + MAXALIGN - 1) & !(MAXALIGN - 1)
}

#[inline]
pub(crate) fn get_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

#[inline]
pub(crate) fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline]
pub(crate) fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

#[inline]
pub(crate) fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// A read-only view of a page.
#[derive(Clone, Copy)]
pub struct Page<'a> {
    bytes: &'a [u8; PAGE_SIZE],
}

impl<'a> Page<'a> {
    pub fn new(bytes: &'a [u8; PAGE_SIZE]) -> Page<'a> {
        Page { bytes }
    }

    pub fn bytes(&self) -> &'a [u8; PAGE_SIZE] {
        self.bytes
    }

    pub fn lsn(&self) -> u64 {
        u64::from_le_bytes(self.bytes[PD_LSN..PD_LSN + 8].try_into().unwrap_or([0; 8]))
    }

    pub fn checksum(&self) -> u16 {
        get_u16(self.bytes, PD_CHECKSUM)
    }

    pub fn flags(&self) -> u16 {
        get_u16(self.bytes, PD_FLAGS)
    }

    pub fn kind(&self) -> Option<PageKind> {
        PageKind::from_bits((self.flags() & PD_KIND_MASK) >> PD_KIND_SHIFT)
    }

    pub fn lower(&self) -> usize {
        get_u16(self.bytes, PD_LOWER) as usize
    }

    pub fn upper(&self) -> usize {
        get_u16(self.bytes, PD_UPPER) as usize
    }

    pub fn special_offset(&self) -> usize {
        get_u16(self.bytes, PD_SPECIAL) as usize
    }

    pub fn prune_xid(&self) -> u32 {
        get_u32(self.bytes, PD_PRUNE_XID)
    }

    /// A never-initialized page (all header fields zero), as PageIsNew.
    pub fn is_new(&self) -> bool {
        get_u16(self.bytes, PD_UPPER) == 0
    }

    /// Number of line pointers (the highest valid offset number).
    pub fn max_offset(&self) -> OffsetNumber {
        let lower = self.lower();
        if lower <= PAGE_HEADER_SIZE {
            return 0;
        }
        ((lower - PAGE_HEADER_SIZE) / ITEM_ID_SIZE) as OffsetNumber
    }

    /// The line pointer at a 1-based offset (UNUSED if out of range).
    pub fn item_id(&self, off: OffsetNumber) -> ItemId {
        if off == 0 || off > self.max_offset() {
            return ItemId::UNUSED;
        }
        ItemId::decode(get_u32(self.bytes, item_id_pos(off)))
    }

    /// The bytes of a normal item, or None for unused/dead/out-of-range
    /// line pointers or a pointer outside the page's tuple area.
    pub fn item(&self, off: OffsetNumber) -> Option<&'a [u8]> {
        let id = self.item_id(off);
        if id.state != ItemState::Normal {
            return None;
        }
        let start = id.offset as usize;
        let end = start + id.len as usize;
        if start < self.upper() || end > self.special_offset() {
            return None;
        }
        Some(&self.bytes[start..end])
    }

    /// The special area (empty for heap pages).
    pub fn special(&self) -> &'a [u8] {
        let s = self.special_offset().min(PAGE_SIZE);
        &self.bytes[s..]
    }

    /// Bytes free between the line pointers and the tuples.
    pub fn free_space(&self) -> usize {
        self.upper().saturating_sub(self.lower())
    }

    /// The offset `add_item` with `Placement::Any` will use.
    pub fn next_item_offset(&self) -> OffsetNumber {
        if self.flags() & PD_HAS_FREE_LINES != 0
            && let Some(o) = (1..=self.max_offset()).find(|&o| self.item_id(o).state == ItemState::Unused)
        {
            return o;
        }
        self.max_offset() + 1
    }

    /// Whether an item of `len` bytes fits (with a new line pointer unless an
    /// unused one can be reused).
    pub fn fits(&self, len: usize, may_reuse_line: bool) -> bool {
        let lp = if may_reuse_line && self.flags() & PD_HAS_FREE_LINES != 0 { 0 } else { ITEM_ID_SIZE };
        self.free_space() >= maxalign(len) + lp
    }

    /// Structural checks run before a page is written and after it is read:
    /// header bounds, line pointers inside the tuple area.
    pub fn validate(&self) -> Result<()> {
        if self.is_new() && self.bytes.iter().all(|&b| b == 0) {
            return Ok(());
        }
        let (lower, upper, special) = (self.lower(), self.upper(), self.special_offset());
        let size_version = get_u16(self.bytes, PD_PAGESIZE_VERSION);
        let ok = lower >= PAGE_HEADER_SIZE
            && lower <= upper
            && upper <= special
            && special <= PAGE_SIZE
            && special % MAXALIGN == 0
            && (lower - PAGE_HEADER_SIZE).is_multiple_of(ITEM_ID_SIZE)
            && size_version == (PAGE_SIZE as u16) | PAGE_LAYOUT_VERSION
            && self.flags() & !PD_VALID_FLAGS == 0
            && self.kind().is_some();
        if !ok {
            return Err(corrupt(format!("invalid page header (lower {lower}, upper {upper}, special {special}, flags {:#x})", self.flags())));
        }
        for off in 1..=self.max_offset() {
            let id = self.item_id(off);
            if id.state == ItemState::Normal {
                let start = id.offset as usize;
                let end = start + id.len as usize;
                if start < upper || end > special || !start.is_multiple_of(MAXALIGN) {
                    return Err(corrupt(format!("line pointer {off} out of bounds ({start}..{end})")));
                }
            }
        }
        Ok(())
    }
}

fn corrupt(msg: String) -> Error {
    Error::new(SqlState::DATA_CORRUPTED, msg)
}

fn item_id_pos(off: OffsetNumber) -> usize {
    PAGE_HEADER_SIZE + (off as usize - 1) * ITEM_ID_SIZE
}

// ---------------------------------------------------------------------------
// Mutations. Only the buffer pool's write guard calls these on pages in
// frames; B-tree splits also build fresh images in scratch buffers.
// ---------------------------------------------------------------------------

/// Formats an empty page with `special_size` bytes of special space.
pub(crate) fn init(b: &mut [u8; PAGE_SIZE], kind: PageKind, special_size: usize) {
    b.fill(0);
    let special = PAGE_SIZE - maxalign(special_size);
    put_u16(b, PD_FLAGS, (kind as u16) << PD_KIND_SHIFT);
    put_u16(b, PD_LOWER, PAGE_HEADER_SIZE as u16);
    put_u16(b, PD_UPPER, special as u16);
    put_u16(b, PD_SPECIAL, special as u16);
    put_u16(b, PD_PAGESIZE_VERSION, (PAGE_SIZE as u16) | PAGE_LAYOUT_VERSION);
}

/// Stamps the page LSN (the WAL will call this from the write guard).
pub fn set_lsn(b: &mut [u8; PAGE_SIZE], lsn: u64) {
    b[PD_LSN..PD_LSN + 8].copy_from_slice(&lsn.to_le_bytes());
}

fn set_flags(b: &mut [u8; PAGE_SIZE], flags: u16) {
    put_u16(b, PD_FLAGS, flags);
}

fn set_lower(b: &mut [u8; PAGE_SIZE], v: usize) {
    put_u16(b, PD_LOWER, v as u16);
}

fn set_upper(b: &mut [u8; PAGE_SIZE], v: usize) {
    put_u16(b, PD_UPPER, v as u16);
}

fn set_item_id(b: &mut [u8; PAGE_SIZE], off: OffsetNumber, id: ItemId) {
    put_u32(b, item_id_pos(off), id.encode());
}

/// Where an added item goes.
#[derive(Clone, Copy, Debug)]
pub enum Placement {
    /// Reuse an unused line pointer if there is one, else append (heap).
    Any,
    /// Insert at this offset, shifting later line pointers up (B-tree).
    At(OffsetNumber),
}

/// PageAddItem: copies `data` into the page. Returns None when it does not
/// fit (the caller checked `fits` and picks another page).
/// The item is `head` followed by `tail` (a tuple with a fresh header).
pub(crate) fn add_item(b: &mut [u8; PAGE_SIZE], head: &[u8], tail: &[u8], placement: Placement) -> Option<OffsetNumber> {
    let page = Page::new(b);
    let max = page.max_offset();
    let len = head.len() + tail.len();
    let aligned = maxalign(len);
    if len >= 0x8000 {
        return None;
    }
    let (off, new_lp) = match placement {
        Placement::Any => {
            let reuse = if page.flags() & PD_HAS_FREE_LINES != 0 { (1..=max).find(|&o| page.item_id(o).state == ItemState::Unused) } else { None };
            match reuse {
                Some(o) => (o, false),
                None => (max + 1, true),
            }
        }
        Placement::At(o) => {
            if o == 0 || o > max + 1 {
                return None;
            }
            (o, true)
        }
    };
    let need = aligned + if new_lp { ITEM_ID_SIZE } else { 0 };
    if page.free_space() < need {
        return None;
    }
    let upper = page.upper() - aligned;
    let lower = page.lower();
    if new_lp {
        if let Placement::At(o) = placement {
            // Shift line pointers o..=max up by one.
            let from = item_id_pos(o);
            b.copy_within(from..lower, from + ITEM_ID_SIZE);
        }
        set_lower(b, lower + ITEM_ID_SIZE);
    }
    b[upper..upper + head.len()].copy_from_slice(head);
    b[upper + head.len()..upper + len].copy_from_slice(tail);
    b[upper + len..upper + aligned].fill(0);
    set_upper(b, upper);
    set_item_id(b, off, ItemId { offset: upper as u16, state: ItemState::Normal, len: len as u16 });
    if !new_lp {
        // Clear PD_HAS_FREE_LINES when no unused line pointer remains.
        let page = Page::new(b);
        if !(1..=page.max_offset()).any(|o| page.item_id(o).state == ItemState::Unused) {
            set_flags(b, page.flags() & !PD_HAS_FREE_LINES);
        }
    }
    Some(off)
}

/// Mutable access to a normal item's bytes.
pub(crate) fn item_mut(b: &mut [u8; PAGE_SIZE], off: OffsetNumber) -> Option<&mut [u8]> {
    let page = Page::new(b);
    let id = page.item_id(off);
    if id.state != ItemState::Normal {
        return None;
    }
    let start = id.offset as usize;
    let end = start + id.len as usize;
    if start < page.upper() || end > page.special_offset() {
        return None;
    }
    Some(&mut b[start..end])
}

pub(crate) fn special_mut(b: &mut [u8; PAGE_SIZE]) -> &mut [u8] {
    let s = Page::new(b).special_offset().min(PAGE_SIZE);
    &mut b[s..]
}

/// Marks line pointers unused and defragments the tuple area
/// (PageRepairFragmentation); trailing unused pointers are truncated.
pub(crate) fn remove_items_keep_offsets(b: &mut [u8; PAGE_SIZE], offs: &[OffsetNumber]) {
    for &o in offs {
        if o >= 1 && o <= Page::new(b).max_offset() {
            set_item_id(b, o, ItemId::UNUSED);
        }
    }
    // Truncate trailing unused line pointers.
    let mut max = Page::new(b).max_offset();
    while max > 0 && Page::new(b).item_id(max).state == ItemState::Unused {
        max -= 1;
    }
    set_lower(b, PAGE_HEADER_SIZE + max as usize * ITEM_ID_SIZE);
    compactify(b);
    let page = Page::new(b);
    let has_free = (1..=page.max_offset()).any(|o| page.item_id(o).state == ItemState::Unused);
    let flags = page.flags() & !PD_HAS_FREE_LINES;
    set_flags(b, if has_free { flags | PD_HAS_FREE_LINES } else { flags });
}

/// Removes line pointers and closes the gaps in the pointer array
/// (PageIndexMultiDelete): later items get lower offset numbers.
pub(crate) fn delete_items_shift(b: &mut [u8; PAGE_SIZE], offs: &[OffsetNumber]) {
    let page = Page::new(b);
    let max = page.max_offset();
    let mut kept: Vec<ItemId> = Vec::with_capacity(max as usize);
    for o in 1..=max {
        if !offs.contains(&o) {
            kept.push(page.item_id(o));
        }
    }
    for (i, id) in kept.iter().enumerate() {
        set_item_id(b, (i + 1) as OffsetNumber, *id);
    }
    set_lower(b, PAGE_HEADER_SIZE + kept.len() * ITEM_ID_SIZE);
    compactify(b);
}

/// Packs all normal items against the special space, keeping their line
/// pointers (and so their offsets) unchanged.
pub(crate) fn compactify(b: &mut [u8; PAGE_SIZE]) {
    let page = Page::new(b);
    let special = page.special_offset();
    let mut items: Vec<(OffsetNumber, ItemId)> =
        (1..=page.max_offset()).map(|o| (o, page.item_id(o))).filter(|(_, id)| id.state == ItemState::Normal).collect();
    // Highest offset first so moving towards the end never overwrites an
    // item not yet moved.
    items.sort_by_key(|item| std::cmp::Reverse(item.1.offset));
    let mut upper = special;
    for (o, id) in items {
        let len = id.len as usize;
        let aligned = maxalign(len);
        upper -= aligned;
        let from = id.offset as usize;
        if from != upper {
            b.copy_within(from..from + len, upper);
        }
        b[upper + len..upper + aligned].fill(0);
        set_item_id(b, o, ItemId { offset: upper as u16, state: ItemState::Normal, len: id.len });
    }
    let lower = Page::new(b).lower();
    b[lower..upper].fill(0);
    set_upper(b, upper);
}

// ---------------------------------------------------------------------------
// Checksum
// ---------------------------------------------------------------------------

const CHECKSUM_LANES: usize = 32;
const FNV_PRIME: u32 = 16_777_619;

/// Per-lane starting values, derived with splitmix64 so each lane starts in a
/// different state.
const LANE_SEEDS: [u32; CHECKSUM_LANES] = {
    let mut seeds = [0u32; CHECKSUM_LANES];
    let mut state: u64 = 0x4f41_5041_4745_u64; // "OAPAGE"
    let mut i = 0;
    while i < CHECKSUM_LANES {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        seeds[i] = z as u32;
        i += 1;
    }
    seeds
};

#[inline(always)]
fn mix(sum: u32, value: u32) -> u32 {
    // FNV-1a on 32-bit words with the high bits folded back in, so high
    // input bits reach the low output bits.
    let t = sum ^ value;
    t.wrapping_mul(FNV_PRIME) ^ (t >> 17)
}

/// The page checksum: 32 interleaved FNV-1a-style lanes over the page's
/// 32-bit words (so the loop vectorizes), with the checksum field read as
/// zero and the block number mixed in so a page written to the wrong place
/// is caught. Never zero.
pub fn page_checksum(b: &[u8; PAGE_SIZE], block: BlockNumber) -> u16 {
    const ROW: usize = CHECKSUM_LANES * 4;
    let mut sums = LANE_SEEDS;
    let mut mix_row = |row: &[u8]| {
        for (lane, sum) in sums.iter_mut().enumerate() {
            let i = lane * 4;
            *sum = mix(*sum, u32::from_le_bytes([row[i], row[i + 1], row[i + 2], row[i + 3]]));
        }
    };
    // The checksum field itself counts as zero.
    let mut first = [0u8; ROW];
    first.copy_from_slice(&b[..ROW]);
    first[PD_CHECKSUM..PD_CHECKSUM + 2].fill(0);
    mix_row(&first);
    for row in b[ROW..].chunks_exact(ROW) {
        mix_row(row);
    }
    for _ in 0..2 {
        for s in sums.iter_mut() {
            *s = mix(*s, 0);
        }
    }
    let folded = sums.iter().fold(0u32, |acc, s| acc ^ s) ^ block;
    ((folded % 65535) + 1) as u16
}

pub(crate) fn set_checksum(b: &mut [u8; PAGE_SIZE], block: BlockNumber) {
    let c = page_checksum(b, block);
    put_u16(b, PD_CHECKSUM, c);
}

/// Verifies a page read from disk: a new (all-zero) page passes, anything
/// else needs a matching checksum and a sane header.
pub fn verify_page(b: &[u8; PAGE_SIZE], block: BlockNumber) -> Result<()> {
    let page = Page::new(b);
    if page.is_new() && b.iter().all(|&x| x == 0) {
        return Ok(());
    }
    let stored = page.checksum();
    let computed = page_checksum(b, block);
    if stored != computed {
        return Err(corrupt(format!("page verification failed, calculated checksum {computed} but expected {stored}")));
    }
    page.validate()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(kind: PageKind, special: usize) -> Box<PageBuf> {
        let mut p = PageBuf::zeroed();
        init(&mut p.0, kind, special);
        p
    }

    #[test]
    fn item_id_round_trip() {
        for &(offset, state, len) in &[(0u16, ItemState::Unused, 0u16), (8184, ItemState::Normal, 8160), (32767, ItemState::Dead, 32767)] {
            let id = ItemId { offset, state, len };
            assert_eq!(ItemId::decode(id.encode()), id);
        }
    }

    #[test]
    fn empty_page_layout() {
        let p = fresh(PageKind::Heap, 0);
        let page = Page::new(&p.0);
        assert_eq!(page.lower(), PAGE_HEADER_SIZE);
        assert_eq!(page.upper(), PAGE_SIZE);
        assert_eq!(page.special_offset(), PAGE_SIZE);
        assert_eq!(page.max_offset(), 0);
        assert_eq!(page.kind(), Some(PageKind::Heap));
        assert_eq!(page.free_space(), PAGE_SIZE - PAGE_HEADER_SIZE);
        page.validate().unwrap();
        // The largest heap tuple fits exactly: 8192 - 24 - 4 = 8164, MAXALIGN down 8160.
        assert!(page.fits(8160, false));
        assert!(!page.fits(8168, false));
    }

    #[test]
    fn add_fetch_remove_compact() {
        let mut p = fresh(PageKind::Heap, 0);
        let mut offs = vec![];
        for i in 0..50u8 {
            let data = vec![i; 10 + i as usize];
            offs.push(add_item(&mut p.0, &data, &[], Placement::Any).unwrap());
        }
        assert_eq!(offs, (1..=50).collect::<Vec<u16>>());
        let page = Page::new(&p.0);
        for i in 0..50u8 {
            let item = page.item(i as u16 + 1).unwrap();
            assert_eq!(item, &vec![i; 10 + i as usize][..]);
            assert_eq!(page.item_id(i as u16 + 1).offset as usize % MAXALIGN, 0);
        }
        let before = page.free_space();
        remove_items_keep_offsets(&mut p.0, &[3, 7, 50]);
        let page = Page::new(&p.0);
        assert_eq!(page.max_offset(), 49, "trailing unused pointer truncated");
        assert!(page.item(3).is_none());
        assert_eq!(page.item(4).unwrap(), &vec![3u8; 13][..]);
        assert!(page.free_space() > before);
        assert_ne!(page.flags() & PD_HAS_FREE_LINES, 0);
        page.validate().unwrap();
        // Unused pointers are reused first.
        assert_eq!(add_item(&mut p.0, b"x", &[], Placement::Any), Some(3));
        assert_eq!(add_item(&mut p.0, b"y", &[], Placement::Any), Some(7));
        assert_eq!(Page::new(&p.0).flags() & PD_HAS_FREE_LINES, 0);
        assert_eq!(add_item(&mut p.0, b"z", &[], Placement::Any), Some(50));
    }

    #[test]
    fn positional_insert_and_shifting_delete() {
        let mut p = fresh(PageKind::Btree, 16);
        add_item(&mut p.0, b"b", &[], Placement::At(1)).unwrap();
        add_item(&mut p.0, b"d", &[], Placement::At(2)).unwrap();
        add_item(&mut p.0, b"a", &[], Placement::At(1)).unwrap();
        add_item(&mut p.0, b"c", &[], Placement::At(3)).unwrap();
        let page = Page::new(&p.0);
        let items: Vec<&[u8]> = (1..=page.max_offset()).map(|o| page.item(o).unwrap()).collect();
        assert_eq!(items, vec![b"a", b"b", b"c", b"d"]);
        assert_eq!(page.special().len(), 16);
        delete_items_shift(&mut p.0, &[2, 3]);
        let page = Page::new(&p.0);
        let items: Vec<&[u8]> = (1..=page.max_offset()).map(|o| page.item(o).unwrap()).collect();
        assert_eq!(items, vec![b"a", b"d"]);
        page.validate().unwrap();
        assert_eq!(page.free_space(), PAGE_SIZE - PAGE_HEADER_SIZE - 16 - 2 * 4 - 2 * 8);
    }

    #[test]
    fn full_page_refuses() {
        let mut p = fresh(PageKind::Heap, 0);
        let mut n = 0;
        while add_item(&mut p.0, &[1u8; 100], &[], Placement::Any).is_some() {
            n += 1;
        }
        // (8192 - 24) / (104 + 4) = 75
        assert_eq!(n, 75);
        Page::new(&p.0).validate().unwrap();
    }

    #[test]
    fn checksum_detects_changes() {
        let mut p = fresh(PageKind::Heap, 0);
        add_item(&mut p.0, b"hello world", &[], Placement::Any).unwrap();
        set_checksum(&mut p.0, 7);
        verify_page(&p.0, 7).unwrap();
        assert!(verify_page(&p.0, 8).is_err(), "block number is mixed in");
        let c = Page::new(&p.0).checksum();
        assert_ne!(c, 0);
        // Recomputing with the field filled in gives the same value.
        assert_eq!(page_checksum(&p.0, 7), c);
        p.0[5000] ^= 0x10;
        let err = verify_page(&p.0, 7).unwrap_err();
        assert_eq!(err.code, SqlState::DATA_CORRUPTED);
        // An all-zero page is a valid new page.
        let z = PageBuf::zeroed();
        verify_page(&z.0, 3).unwrap();
    }

    #[test]
    fn validate_rejects_bad_headers() {
        let mut p = fresh(PageKind::Heap, 0);
        set_lower(&mut p.0, 9000);
        assert!(Page::new(&p.0).validate().is_err());
        let mut p = fresh(PageKind::Heap, 0);
        set_flags(&mut p.0, 0x0F00);
        assert!(Page::new(&p.0).validate().is_err());
    }
}
