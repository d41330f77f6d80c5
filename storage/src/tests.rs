//! Tests across modules: B-tree against a model, VACUUM, relation
//! lifecycle, the write lock, uniqueness checks, concurrency, faults.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use oa_ir::{Datum, PhysicalType, SqlState};

use crate::*;

/// xorshift64*: deterministic test randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn storage(pages: usize) -> Arc<Storage> {
    Storage::new(StorageConfig { buffer_pool_pages: pages }, Box::new(MemoryBackend::new())).unwrap()
}

const HEAP: RelFileNumber = RelFileNumber(16384);
const INDEX: RelFileNumber = RelFileNumber(16385);

fn collect_heap(s: &Arc<Storage>, rel: RelFileNumber, snap: &Snapshot, desc: &TupleDesc) -> Vec<Vec<Datum>> {
    let mut scan = s.scan(rel, snap).unwrap();
    let mut batch = TupleBatch::new();
    let mut out = Vec::new();
    while scan.next_page(&mut batch).unwrap() {
        for (_, t) in batch.iter() {
            out.push(deform_tuple(desc, t).unwrap());
        }
    }
    out
}

// ---------------------------------------------------------------------------
// B-tree against a model
// ---------------------------------------------------------------------------

/// Model key: (a, b) with b NULL sorting last, then the TID.
type ModelKey = (i32, (bool, String), Tid);

fn model_key(a: i32, b: &Option<String>, tid: Tid) -> ModelKey {
    (a, (b.is_none(), b.clone().unwrap_or_default()), tid)
}

/// The smallest model key with first column `a`.
fn first_of(a: i32) -> ModelKey {
    (a, (false, String::new()), Tid::new(0, 0))
}

fn datum_key(a: i32, b: &Option<String>) -> Vec<Datum> {
    vec![Datum::Int32(a), b.as_ref().map_or(Datum::Null, |s| Datum::Text(s.clone()))]
}

fn scan_keys(s: &Arc<Storage>, lower: Bound<&[Datum]>, upper: Bound<&[Datum]>) -> Vec<ModelKey> {
    s.btree_search(INDEX, lower, upper)
        .unwrap()
        .map(|r| {
            let (k, tid) = r.unwrap();
            let a = match k[0] {
                Datum::Int32(a) => a,
                _ => panic!("bad key {k:?}"),
            };
            let b = k[1].as_str().map(str::to_string);
            model_key(a, &b, tid)
        })
        .collect()
}

#[test]
fn btree_matches_model_with_100k_keys() {
    // About 1000 index pages through 256 frames: splits and scans evict.
    let s = storage(256);
    let mut txn = s.begin();
    let desc = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Text]);
    s.btree_create(&mut txn, INDEX, desc).unwrap();
    let mut rng = Rng(0x1234_5678);
    let mut model: BTreeSet<ModelKey> = BTreeSet::new();
    let words = [
        "",
        "alpha",
        "beta",
        "gamma",
        "a much longer text value that takes a 4-byte header when it gets long enough to pass the short varlena limit of one hundred and twenty six bytes",
    ];
    for i in 0..100_000u32 {
        let a = rng.below(3000) as i32 - 1500;
        let b = match rng.below(6) {
            5 => None,
            w => Some(words[w as usize].to_string()),
        };
        let tid = Tid::new(i / 100, (i % 100 + 1) as u16);
        s.btree_insert(&mut txn, INDEX, &datum_key(a, &b), tid).unwrap();
        model.insert(model_key(a, &b, tid));
    }
    assert!(s.btree_height(INDEX).unwrap() >= 2, "the tree grew internal levels");
    let all: Vec<ModelKey> = model.iter().cloned().collect();
    assert_eq!(scan_keys(&s, Bound::Unbounded, Bound::Unbounded), all);

    // Prefix and range searches.
    for _ in 0..300 {
        let a = rng.below(3200) as i32 - 1600;
        let key = [Datum::Int32(a)];
        let got = scan_keys(&s, Bound::Included(&key), Bound::Included(&key));
        let want: Vec<ModelKey> = model.range(first_of(a)..first_of(a + 1)).cloned().collect();
        assert_eq!(got, want, "prefix = {a}");

        let lo = a;
        let hi = a + rng.below(40) as i32;
        let (l, h) = ([Datum::Int32(lo)], [Datum::Int32(hi)]);
        let got = scan_keys(&s, Bound::Excluded(&l), Bound::Excluded(&h));
        let want: Vec<ModelKey> = if lo < hi { model.range(first_of(lo + 1)..first_of(hi)).cloned().collect() } else { vec![] };
        assert_eq!(got, want, "({lo}, {hi})");

        let w = words[rng.below(5) as usize].to_string();
        let full = datum_key(a, &Some(w.clone()));
        let near = [Datum::Int32(a + 3)];
        let got = scan_keys(&s, Bound::Included(&full), Bound::Included(&near));
        let start = model_key(a, &Some(w.clone()), Tid::new(0, 0));
        let want: Vec<ModelKey> = model.range(start..first_of(a + 4)).cloned().collect();
        assert_eq!(got, want, "from ({a}, {w:?})");
        let near = [Datum::Int32(a - 3)];
        let got = scan_keys(&s, Bound::Excluded(&near), Bound::Excluded(&full));
        let want: Vec<ModelKey> = model.range(first_of(a - 2)..model_key(a, &Some(w), Tid::new(0, 0))).cloned().collect();
        assert_eq!(got, want);
    }
    // NULLs sort last and can be searched for.
    let null_key = [Datum::Int32(0), Datum::Null];
    let got = scan_keys(&s, Bound::Included(&null_key), Bound::Included(&null_key));
    let want: Vec<ModelKey> = model.range(first_of(0)..first_of(1)).filter(|k| k.1.0).cloned().collect();
    assert_eq!(got, want);

    // Delete a third, some twice and some that never existed.
    let victims: Vec<ModelKey> = model.iter().filter(|_| rng.below(3) == 0).cloned().collect();
    for (a, (null, b), tid) in &victims {
        let b = if *null { None } else { Some(b.clone()) };
        assert!(s.btree_delete(&mut txn, INDEX, &datum_key(*a, &b), *tid).unwrap());
        assert!(!s.btree_delete(&mut txn, INDEX, &datum_key(*a, &b), *tid).unwrap());
        model.remove(&model_key(*a, &b, *tid));
    }
    assert!(!s.btree_delete(&mut txn, INDEX, &datum_key(99_999, &None), Tid::new(1, 1)).unwrap());
    let all: Vec<ModelKey> = model.iter().cloned().collect();
    assert_eq!(scan_keys(&s, Bound::Unbounded, Bound::Unbounded), all);
    // Re-insert some deleted entries.
    for (a, (null, b), tid) in victims.iter().take(5000) {
        let b = if *null { None } else { Some(b.clone()) };
        s.btree_insert(&mut txn, INDEX, &datum_key(*a, &b), *tid).unwrap();
        model.insert(model_key(*a, &b, *tid));
    }
    let all: Vec<ModelKey> = model.iter().cloned().collect();
    assert_eq!(scan_keys(&s, Bound::Unbounded, Bound::Unbounded), all);
    // Duplicate (key, tid) entries are refused.
    let (a, (null, b), tid) = all[17].clone();
    let b = if null { None } else { Some(b) };
    assert!(s.btree_insert(&mut txn, INDEX, &datum_key(a, &b), tid).is_err());
    assert_eq!(s.pinned_frames(), 0);
    txn.commit().unwrap();
}

#[test]
fn btree_sequential_inserts_pack_densely_and_batches_work() {
    let s = storage(32);
    let mut txn = s.begin();
    s.btree_create(&mut txn, INDEX, TupleDesc::new(vec![PhysicalType::Int64])).unwrap();
    for i in 0..50_000i64 {
        s.btree_insert(&mut txn, INDEX, &[Datum::Int64(i)], Tid::new(i as u32, 1)).unwrap();
    }
    // 16-byte items + 4-byte pointers: ~400 per page; 90% fill splits.
    let pages = s.nblocks(INDEX).unwrap();
    assert!(pages < 160, "{pages} pages for 50k sequential keys");
    let mut scan = s.btree_search(INDEX, Bound::Included(&[Datum::Int64(1000)]), Bound::Excluded(&[Datum::Int64(41_000)])).unwrap();
    let mut batch = IndexBatch::default();
    let mut n = 0u32;
    while scan.next_batch(&mut batch).unwrap() {
        for tid in batch.tids() {
            assert_eq!(tid.block, 1000 + n);
            n += 1;
        }
    }
    assert_eq!(n, 40_000);
}

#[test]
fn btree_rejects_oversized_keys_and_bad_shapes() {
    let s = storage(16);
    let mut txn = s.begin();
    s.btree_create(&mut txn, INDEX, TupleDesc::new(vec![PhysicalType::Text])).unwrap();
    let e = s.btree_insert(&mut txn, INDEX, &[Datum::Text("x".repeat(3000))], Tid::new(0, 1)).unwrap_err();
    assert_eq!(e.code, SqlState::PROGRAM_LIMIT_EXCEEDED);
    assert!(e.message.contains("exceeds btree version 4 maximum 2704"), "{}", e.message);
    // Large-but-legal keys force splits with few items per page.
    for i in 0..200 {
        let k = format!("{i:05}{}", "y".repeat(2600));
        s.btree_insert(&mut txn, INDEX, &[Datum::Text(k)], Tid::new(i, 1)).unwrap();
    }
    let n = s.btree_search(INDEX, Bound::Unbounded, Bound::Unbounded).unwrap().count();
    assert_eq!(n, 200);
    assert!(s.btree_insert(&mut txn, INDEX, &[Datum::Text("a".into()), Datum::Int32(1)], Tid::new(0, 1)).is_err());
    assert!(s.btree_create(&mut txn, RelFileNumber(7), TupleDesc::new(vec![])).is_err());
}

// ---------------------------------------------------------------------------
// VACUUM
// ---------------------------------------------------------------------------

#[test]
fn vacuum_removes_dead_versions_and_index_entries() {
    let s = storage(32);
    let desc = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Text]);
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    s.btree_create(&mut t, INDEX, TupleDesc::new(vec![PhysicalType::Int32])).unwrap();
    let cid = t.command_id();
    let mut tids = Vec::new();
    for i in 0..2000 {
        let tid = s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(i), Datum::Text(format!("v0-{i}"))]).unwrap(), &mut t, cid).unwrap();
        s.btree_insert(&mut t, INDEX, &[Datum::Int32(i)], tid).unwrap();
        tids.push(tid);
    }
    t.commit().unwrap();
    // An old snapshot keeps the versions deleted after it alive.
    let old = s.begin();
    let _old_snap = s.snapshot(&old);

    // Update the even rows, delete every third, and abort some inserts.
    let mut t = s.begin();
    let cid = t.command_id();
    for i in (0..2000).step_by(2) {
        let new = form_tuple(&desc, &[Datum::Int32(i), Datum::Text(format!("v1-{i}"))]).unwrap();
        let nt = s.update(HEAP, tids[i as usize], &new, &mut t, cid).unwrap().unwrap();
        s.btree_insert(&mut t, INDEX, &[Datum::Int32(i)], nt).unwrap();
    }
    for i in (1..2000).step_by(6) {
        s.delete(HEAP, tids[i as usize], &mut t, cid).unwrap().unwrap();
    }
    t.commit().unwrap();
    let mut a = s.begin();
    let cid = a.command_id();
    for i in 5000..5100 {
        let tid = s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(i), Datum::Text("aborted".into())]).unwrap(), &mut a, cid).unwrap();
        s.btree_insert(&mut a, INDEX, &[Datum::Int32(i)], tid).unwrap();
    }
    a.abort();
    let pages_before = s.nblocks(HEAP).unwrap();

    let mut v = s.begin();
    let st = s.vacuum(&mut v, HEAP, &[INDEX], s.oldest_xmin()).unwrap();
    v.commit().unwrap();
    assert_eq!(st.tuples_removed, 100, "only the aborted inserts: {st:?}");
    assert_eq!(st.index_entries_removed, 100);
    assert_eq!(st.recently_dead, 1000 + 334);
    drop(old);

    let mut v = s.begin();
    let st = s.vacuum(&mut v, HEAP, &[INDEX], s.oldest_xmin()).unwrap();
    v.commit().unwrap();
    assert_eq!(st.tuples_removed, 1334, "{st:?}");
    assert_eq!(st.index_entries_removed, 1334);
    assert_eq!(st.tuples_kept, 2000 - 334);
    assert_eq!(st.recently_dead, 0);

    // Live data intact, index and heap agree.
    let r = s.begin();
    let snap = s.snapshot(&r);
    let mut rows = collect_heap(&s, HEAP, &snap, &desc);
    rows.sort_by_key(|v| v[0].as_i64());
    assert_eq!(rows.len(), 2000 - 334);
    for row in &rows {
        let i = row[0].as_i64().unwrap();
        assert!(i % 6 != 1);
        let want = if i % 2 == 0 { format!("v1-{i}") } else { format!("v0-{i}") };
        assert_eq!(row[1].as_str().unwrap(), want);
    }
    let entries: Vec<(Vec<Datum>, Tid)> = s.btree_search(INDEX, Bound::Unbounded, Bound::Unbounded).unwrap().map(Result::unwrap).collect();
    assert_eq!(entries.len(), rows.len());
    for (k, tid) in entries {
        let t = s.fetch(HEAP, tid, &snap).unwrap().expect("index points at a live tuple");
        assert_eq!(deform_tuple(&desc, &t).unwrap()[0], k[0]);
    }
    // The freed space is reused: new rows go to old pages.
    let mut t = s.begin();
    let cid = t.command_id();
    for i in 0..1000 {
        s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(10_000 + i), Datum::Text("new".into())]).unwrap(), &mut t, cid).unwrap();
    }
    t.commit().unwrap();
    assert_eq!(s.nblocks(HEAP).unwrap(), pages_before);
    // A second vacuum finds nothing to do.
    let mut v = s.begin();
    let st = s.vacuum(&mut v, HEAP, &[INDEX], s.oldest_xmin()).unwrap();
    assert_eq!(st.tuples_removed, 0);
}

// ---------------------------------------------------------------------------
// Relation lifecycle
// ---------------------------------------------------------------------------

#[test]
fn create_and_drop_are_transactional() {
    let s = storage(16);
    let desc = TupleDesc::new(vec![PhysicalType::Int32]);
    // Created by an aborted transaction: gone.
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    assert!(s.relation_exists(HEAP));
    t.abort();
    assert!(!s.relation_exists(HEAP));
    // Created in a rolled-back subtransaction: gone, parent's relation stays.
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    t.begin_subtransaction().unwrap();
    s.create_relation(&mut t, RelFileNumber(1)).unwrap();
    t.rollback_subtransaction().unwrap();
    assert!(!s.relation_exists(RelFileNumber(1)));
    let cid = t.command_id();
    s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(1)]).unwrap(), &mut t, cid).unwrap();
    t.commit().unwrap();
    assert!(s.relation_exists(HEAP));
    assert!(s.create_relation(&mut s.begin(), HEAP).is_err(), "duplicate");

    // A drop that aborts does nothing.
    let mut t = s.begin();
    s.drop_relation(&mut t, HEAP).unwrap();
    t.abort();
    assert!(s.relation_exists(HEAP));

    // A committed drop waits for older snapshots.
    let reader = s.begin();
    let snap = s.snapshot(&reader);
    let mut t = s.begin();
    s.drop_relation(&mut t, HEAP).unwrap();
    assert!(s.drop_relation(&mut t, HEAP).is_err(), "dropped twice");
    t.commit().unwrap();
    assert_eq!(s.pending_removals(), 1);
    assert_eq!(collect_heap(&s, HEAP, &snap, &desc), vec![vec![Datum::Int32(1)]]);
    drop(reader);
    // The next transaction end reclaims it.
    s.begin().commit().unwrap();
    assert!(!s.relation_exists(HEAP));
    assert_eq!(s.pending_removals(), 0);
    // The relfilenode can be used again.
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    let r = s.begin();
    assert!(collect_heap(&s, HEAP, &s.snapshot(&r), &desc).is_empty());
}

#[test]
fn truncate_swaps_relfilenodes_transactionally() {
    let s = storage(16);
    let desc = TupleDesc::new(vec![PhysicalType::Int32]);
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    s.btree_create(&mut t, INDEX, TupleDesc::new(vec![PhysicalType::Int32])).unwrap();
    let cid = t.command_id();
    let tid = s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(1)]).unwrap(), &mut t, cid).unwrap();
    s.btree_insert(&mut t, INDEX, &[Datum::Int32(1)], tid).unwrap();
    t.commit().unwrap();

    let (h2, i2) = (RelFileNumber(20000), RelFileNumber(20001));
    let mut t = s.begin();
    s.truncate(&mut t, HEAP, h2).unwrap();
    s.truncate(&mut t, INDEX, i2).unwrap();
    t.abort();
    assert!(s.relation_exists(HEAP) && s.relation_exists(INDEX));
    assert!(!s.relation_exists(h2) && !s.relation_exists(i2));

    let mut t = s.begin();
    s.truncate(&mut t, HEAP, h2).unwrap();
    s.truncate(&mut t, INDEX, i2).unwrap();
    t.commit().unwrap();
    assert!(!s.relation_exists(HEAP) && !s.relation_exists(INDEX));
    let r = s.begin();
    assert!(collect_heap(&s, h2, &s.snapshot(&r), &desc).is_empty());
    assert_eq!(s.btree_search(i2, Bound::Unbounded, Bound::Unbounded).unwrap().count(), 0);
}

// ---------------------------------------------------------------------------
// The write lock
// ---------------------------------------------------------------------------

#[test]
fn single_writer_lock_variants() {
    let s = storage(16);
    let desc = TupleDesc::new(vec![PhysicalType::Int32]);
    let mut setup = s.begin();
    s.create_relation(&mut setup, HEAP).unwrap();
    setup.commit().unwrap();
    let row = form_tuple(&desc, &[Datum::Int32(1)]).unwrap();

    let mut a = s.begin_in_session(1);
    let cid = a.command_id();
    s.insert(HEAP, &row, &mut a, cid).unwrap();
    assert!(a.holds_write_lock());

    // Readers never wait.
    let r = s.begin_in_session(2);
    assert!(collect_heap(&s, HEAP, &s.snapshot(&r), &desc).is_empty());

    let mut b = s.begin_in_session(2);
    b.set_lock_wait(LockWait::NoWait);
    let e = s.insert(HEAP, &row, &mut b, 0).unwrap_err();
    assert_eq!(e.code, SqlState::LOCK_NOT_AVAILABLE);
    assert!(b.xid().is_none(), "no xid without the lock");

    let e = b.acquire_write_lock(LockWait::Timeout(Duration::from_millis(30))).unwrap_err();
    assert_eq!(e.code, SqlState::LOCK_NOT_AVAILABLE);
    assert_eq!(e.message, "canceling statement due to lock timeout");

    let cancel = Arc::new(AtomicBool::new(true));
    b.set_cancel_flag(cancel.clone());
    let e = b.acquire_write_lock(LockWait::Block).unwrap_err();
    assert_eq!(e.code, SqlState::QUERY_CANCELED);
    cancel.store(false, Ordering::Release);

    // The same session would wait for itself.
    let mut a2 = s.begin_in_session(1);
    let e = a2.acquire_write_lock(LockWait::Block).unwrap_err();
    assert_eq!(e.code, SqlState::T_R_DEADLOCK_DETECTED);

    // A blocked writer proceeds when the holder commits.
    let s2 = s.clone();
    let waiter = std::thread::spawn(move || {
        let mut c = s2.begin_in_session(3);
        c.acquire_write_lock(LockWait::Block).unwrap();
        let cid = c.command_id();
        s2.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(2)]).unwrap(), &mut c, cid).unwrap();
        c.commit().unwrap();
    });
    std::thread::sleep(Duration::from_millis(50));
    a.commit().unwrap();
    waiter.join().unwrap();
    let desc = TupleDesc::new(vec![PhysicalType::Int32]);
    let mut rows = collect_heap(&s, HEAP, &s.snapshot(&r), &desc);
    rows.sort_by_key(|v| v[0].as_i64());
    assert_eq!(rows, vec![vec![Datum::Int32(1)], vec![Datum::Int32(2)]]);
    assert!(!s.write_lock_held());
    // Read-only transactions never get an xid.
    let ro = s.begin();
    let _ = s.snapshot(&ro);
    assert!(ro.xid().is_none());
}

// ---------------------------------------------------------------------------
// Uniqueness
// ---------------------------------------------------------------------------

#[test]
fn find_conflicting_follows_postgres() {
    let s = storage(16);
    let desc = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Text]);
    let kd = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Text]);
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    s.btree_create(&mut t, INDEX, kd).unwrap();
    t.commit().unwrap();
    let put = |t: &mut Transaction, k: i32, v: Option<&str>| {
        let vals = vec![Datum::Int32(k), v.map_or(Datum::Null, |s| Datum::Text(s.into()))];
        let cid = t.command_id();
        let tid = s.insert(HEAP, &form_tuple(&desc, &vals).unwrap(), t, cid).unwrap();
        s.btree_insert(t, INDEX, &vals, tid).unwrap();
        tid
    };
    let key = |k: i32, v: Option<&str>| vec![Datum::Int32(k), v.map_or(Datum::Null, |s| Datum::Text(s.into()))];

    let mut t = s.begin();
    let committed = put(&mut t, 1, Some("a"));
    let deleted = put(&mut t, 2, Some("b"));
    put(&mut t, 3, None);
    t.commit().unwrap();
    let mut t = s.begin();
    let cid = t.command_id();
    s.delete(HEAP, deleted, &mut t, cid).unwrap().unwrap();
    t.commit().unwrap();
    let mut t = s.begin();
    put(&mut t, 4, Some("aborted"));
    t.abort();

    let mut w = s.begin();
    assert_eq!(s.find_conflicting(INDEX, &key(1, Some("a")), HEAP, &w, false).unwrap(), Some(committed));
    assert_eq!(s.find_conflicting(INDEX, &key(1, Some("z")), HEAP, &w, false).unwrap(), None);
    assert_eq!(s.find_conflicting(INDEX, &key(2, Some("b")), HEAP, &w, false).unwrap(), None, "deleted");
    assert_eq!(s.find_conflicting(INDEX, &key(4, Some("aborted")), HEAP, &w, false).unwrap(), None);
    assert_eq!(s.find_conflicting(INDEX, &key(3, None), HEAP, &w, false).unwrap(), None, "NULLs are distinct");
    assert!(s.find_conflicting(INDEX, &key(3, None), HEAP, &w, true).unwrap().is_some(), "NULLS NOT DISTINCT");
    // Own uncommitted insert conflicts; own delete frees the key.
    let mine = put(&mut w, 5, Some("m"));
    assert_eq!(s.find_conflicting(INDEX, &key(5, Some("m")), HEAP, &w, false).unwrap(), Some(mine));
    let cid = w.command_id();
    s.delete(HEAP, committed, &mut w, cid).unwrap().unwrap();
    assert_eq!(s.find_conflicting(INDEX, &key(1, Some("a")), HEAP, &w, false).unwrap(), None);
    // ... unless the deleting subtransaction is rolled back.
    w.begin_subtransaction().unwrap();
    w.command_counter_increment().unwrap();
    let cid = w.command_id();
    s.delete(HEAP, mine, &mut w, cid).unwrap().unwrap();
    assert_eq!(s.find_conflicting(INDEX, &key(5, Some("m")), HEAP, &w, false).unwrap(), None);
    w.rollback_subtransaction().unwrap();
    assert_eq!(s.find_conflicting(INDEX, &key(5, Some("m")), HEAP, &w, false).unwrap(), Some(mine));
    // Another transaction sees the uncommitted insert as in progress.
    let other = s.begin();
    assert_eq!(s.find_conflicting(INDEX, &key(5, Some("m")), HEAP, &other, false).unwrap(), Some(mine));
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

const ACCOUNTS: i32 = 100;
const INITIAL: i64 = 1000;

fn account_desc() -> TupleDesc {
    TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Int64, PhysicalType::Text])
}

/// The visible version of account `id`, found through the index.
fn lookup(s: &Arc<Storage>, snap: &Snapshot, id: i32) -> Option<(Tid, i64)> {
    let key = [Datum::Int32(id)];
    let mut found = None;
    for entry in s.btree_search(INDEX, Bound::Included(&key), Bound::Included(&key)).unwrap() {
        let (k, tid) = entry.unwrap();
        assert_eq!(k[0], Datum::Int32(id));
        if let Some(t) = s.fetch(HEAP, tid, snap).unwrap() {
            let v = deform_tuple(&account_desc(), &t).unwrap();
            assert_eq!(v[0], Datum::Int32(id), "index entry led to another row");
            assert!(found.is_none(), "two visible versions of account {id}");
            found = Some((tid, v[1].as_i64().unwrap()));
        }
    }
    found
}

#[test]
fn one_writer_many_readers() {
    let s = storage(48);
    let desc = account_desc();
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    s.btree_create(&mut t, INDEX, TupleDesc::new(vec![PhysicalType::Int32])).unwrap();
    let cid = t.command_id();
    for id in 0..ACCOUNTS {
        let row = form_tuple(&desc, &[Datum::Int32(id), Datum::Int64(INITIAL), Datum::Text("x".repeat(200))]).unwrap();
        let tid = s.insert(HEAP, &row, &mut t, cid).unwrap();
        s.btree_insert(&mut t, INDEX, &[Datum::Int32(id)], tid).unwrap();
    }
    t.commit().unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..3u64 {
        let s = s.clone();
        let done = done.clone();
        readers.push(std::thread::spawn(move || {
            let mut rng = Rng(0xABCD + r);
            let desc = account_desc();
            let mut checks = 0u64;
            while !done.load(Ordering::Acquire) || checks < 20 {
                let txn = s.begin();
                let snap = s.snapshot(&txn);
                let rows = collect_heap(&s, HEAP, &snap, &desc);
                assert_eq!(rows.len(), ACCOUNTS as usize);
                let total: i64 = rows.iter().map(|v| v[1].as_i64().unwrap()).sum();
                assert_eq!(total, ACCOUNTS as i64 * INITIAL, "a snapshot saw a partial transfer");
                for _ in 0..5 {
                    let id = rng.below(ACCOUNTS as u64) as i32;
                    assert!(lookup(&s, &snap, id).is_some(), "account {id} missing");
                }
                // The same snapshot gives the same answer later (repeatable read).
                let again: i64 = collect_heap(&s, HEAP, &snap, &desc).iter().map(|v| v[1].as_i64().unwrap()).sum();
                assert_eq!(again, total);
                checks += 1;
            }
            checks
        }));
    }

    let mut rng = Rng(42);
    let mut committed = 0;
    for round in 0..400 {
        let mut txn = s.begin();
        let snap = s.snapshot(&txn);
        let from = rng.below(ACCOUNTS as u64) as i32;
        let to = (from + 1 + rng.below(ACCOUNTS as u64 - 1) as i32) % ACCOUNTS;
        let amount = rng.below(50) as i64;
        let use_savepoint = round % 7 == 0;
        if use_savepoint {
            txn.begin_subtransaction().unwrap();
        }
        let cid = txn.command_id();
        for (id, delta) in [(from, -amount), (to, amount)] {
            let (tid, bal) = lookup(&s, &snap, id).unwrap();
            let row = form_tuple(&desc, &[Datum::Int32(id), Datum::Int64(bal + delta), Datum::Text("y".repeat(200))]).unwrap();
            let new = s.update(HEAP, tid, &row, &mut txn, cid).unwrap().unwrap();
            s.btree_insert(&mut txn, INDEX, &[Datum::Int32(id)], new).unwrap();
        }
        if use_savepoint {
            // Half the time discard the transfer, else keep it.
            if round % 2 == 0 {
                txn.rollback_subtransaction().unwrap();
            } else {
                txn.release_subtransaction().unwrap();
            }
        }
        if round % 5 == 4 {
            txn.abort();
        } else {
            txn.commit().unwrap();
            committed += 1;
        }
        if round % 50 == 49 {
            let mut v = s.begin();
            s.vacuum(&mut v, HEAP, &[INDEX], s.oldest_xmin()).unwrap();
            v.commit().unwrap();
        }
    }
    done.store(true, Ordering::Release);
    for r in readers {
        assert!(r.join().unwrap() >= 20);
    }
    assert!(committed > 300);
    let txn = s.begin();
    let rows = collect_heap(&s, HEAP, &s.snapshot(&txn), &desc);
    assert_eq!(rows.iter().map(|v| v[1].as_i64().unwrap()).sum::<i64>(), ACCOUNTS as i64 * INITIAL);
    assert_eq!(s.pinned_frames(), 0);
}

#[test]
fn concurrent_readers_during_index_splits() {
    let s = storage(32);
    let mut t = s.begin();
    s.btree_create(&mut t, INDEX, TupleDesc::new(vec![PhysicalType::Int64])).unwrap();
    t.commit().unwrap();
    let inserted = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let mut readers = Vec::new();
    for r in 0..3u64 {
        let s = s.clone();
        let inserted = inserted.clone();
        readers.push(std::thread::spawn(move || {
            let mut rng = Rng(r + 7);
            loop {
                let n = inserted.load(Ordering::Acquire);
                if n >= 30_000 {
                    break;
                }
                // Everything inserted before we looked must be found, in order.
                let lo = rng.below(n.max(1) as u64) as i64;
                let hi = (lo + 500).min(n);
                let keys: Vec<i64> = s
                    .btree_search(INDEX, Bound::Included(&[Datum::Int64(lo)]), Bound::Excluded(&[Datum::Int64(hi)]))
                    .unwrap()
                    .map(|e| e.unwrap().0[0].as_i64().unwrap())
                    .collect();
                let want: Vec<i64> = (lo..hi).collect();
                assert_eq!(keys, want);
            }
        }));
    }
    let mut w = s.begin();
    // Insert in a scrambled order within blocks of 64 so splits happen
    // everywhere, publishing the high-water mark after each block.
    for base in (0..30_000i64).step_by(64) {
        for j in (0..64).rev() {
            let k = base + j;
            s.btree_insert(&mut w, INDEX, &[Datum::Int64(k)], Tid::new(k as u32, 1)).unwrap();
        }
        inserted.store(base + 64, Ordering::Release);
    }
    w.commit().unwrap();
    for r in readers {
        r.join().unwrap();
    }
}

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

#[test]
fn injected_faults_surface_as_errors() {
    let (backend, faults) = FaultInjectingBackend::new(MemoryBackend::new());
    let s = Storage::new(StorageConfig { buffer_pool_pages: 8 }, Box::new(backend)).unwrap();
    let desc = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Text]);
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    let cid = t.command_id();
    for i in 0..2000 {
        s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(i), Datum::Text("z".repeat(50))]).unwrap(), &mut t, cid).unwrap();
    }
    t.commit().unwrap();
    let r = s.begin();
    let snap = s.snapshot(&r);
    faults.update(|p| p.fail_reads = 1);
    let mut scan = s.scan(HEAP, &snap).unwrap();
    let mut batch = TupleBatch::new();
    let mut err = None;
    loop {
        match scan.next_page(&mut batch) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    assert_eq!(err.expect("the read error reaches the caller").code, SqlState::IO_ERROR);
    faults.update(|p| p.corrupt_reads = 1);
    let e = (0..s.nblocks(HEAP).unwrap()).find_map(|b| s.fetch(HEAP, Tid::new(b, 1), &snap).err()).expect("the corruption is detected");
    assert_eq!(e.code, SqlState::DATA_CORRUPTED);
    // Write failures surface on the operation that needed the frame.
    faults.update(|p| p.fail_writes = 1);
    let mut t = s.begin();
    let cid = t.command_id();
    let mut failed = false;
    for i in 0..2000 {
        if s.insert(HEAP, &form_tuple(&desc, &[Datum::Int32(i), Datum::Text("w".repeat(50))]).unwrap(), &mut t, cid).is_err() {
            failed = true;
            break;
        }
    }
    assert!(failed);
    t.abort();
    assert_eq!(s.pinned_frames(), 0);
    // After the faults, everything committed is still there.
    let rows = collect_heap(&s, HEAP, &s.snapshot(&r), &desc);
    assert_eq!(rows.len(), 2000);
}

// ---------------------------------------------------------------------------
// Throughput (run with --release --ignored --nocapture)
// ---------------------------------------------------------------------------

#[test]
#[ignore]
fn measure_insert_and_scan_throughput() {
    use std::time::Instant;
    let s = storage(32_768);
    let desc = TupleDesc::new(vec![PhysicalType::Int32, PhysicalType::Int64]);
    let mut t = s.begin();
    s.create_relation(&mut t, HEAP).unwrap();
    t.commit().unwrap();
    const N: i64 = 1_000_000;
    let mut t = s.begin();
    let cid = t.command_id();
    let mut buf = Vec::new();
    let start = Instant::now();
    for i in 0..N {
        form_tuple_into(&desc, &[Datum::Int32(i as i32), Datum::Int64(i * 3)], &mut buf).unwrap();
        s.insert(HEAP, &buf, &mut t, cid).unwrap();
    }
    t.commit().unwrap();
    let ins = start.elapsed();
    let r = s.begin();
    let snap = s.snapshot(&r);
    let start = Instant::now();
    let mut scan = s.scan(HEAP, &snap).unwrap();
    let mut batch = TupleBatch::new();
    let (mut n, mut sum) = (0i64, 0i64);
    while scan.next_page(&mut batch).unwrap() {
        for (_, tup) in batch.iter() {
            deform_into(&desc, tup, |i, v| {
                if i == 1
                    && let RawValue::Int64(x) = v
                {
                    sum += x;
                }
            })
            .unwrap();
            n += 1;
        }
    }
    let sc = start.elapsed();
    assert_eq!(n, N);
    let start = Instant::now();
    let mut scan = s.scan(HEAP, &snap).unwrap();
    let mut m = 0;
    while scan.next_page(&mut batch).unwrap() {
        m += batch.len();
    }
    let sc_only = start.elapsed();
    assert_eq!(m as i64, N);
    println!("scan only (visibility + copy): {:.2} M rows/s", N as f64 / sc_only.as_secs_f64() / 1e6);
    assert_eq!(sum, 3 * N * (N - 1) / 2);
    let pages = s.nblocks(HEAP).unwrap();
    println!(
        "insert: {N} rows in {:?} = {:.2} M rows/s; scan+deform: {:?} = {:.2} M rows/s; {pages} pages",
        ins,
        N as f64 / ins.as_secs_f64() / 1e6,
        sc,
        N as f64 / sc.as_secs_f64() / 1e6
    );
    // Small pool: the same scan with every page read from the backend.
    let s2 = storage(64);
    let mut t = s2.begin();
    s2.create_relation(&mut t, HEAP).unwrap();
    let cid = t.command_id();
    let start = Instant::now();
    for i in 0..N {
        form_tuple_into(&desc, &[Datum::Int32(i as i32), Datum::Int64(i * 3)], &mut buf).unwrap();
        s2.insert(HEAP, &buf, &mut t, cid).unwrap();
    }
    t.commit().unwrap();
    let ins2 = start.elapsed();
    let r = s2.begin();
    let snap = s2.snapshot(&r);
    let start = Instant::now();
    let mut scan = s2.scan(HEAP, &snap).unwrap();
    let mut n = 0;
    while scan.next_page(&mut batch).unwrap() {
        n += batch.len();
    }
    let sc2 = start.elapsed();
    assert_eq!(n as i64, N);
    println!(
        "64-page pool: insert {:.2} M rows/s (pages written out as they fill), scan {:.2} M rows/s (checksum verified per page)",
        N as f64 / ins2.as_secs_f64() / 1e6,
        N as f64 / sc2.as_secs_f64() / 1e6
    );
    // B-tree inserts of sequential keys.
    let mut t = s.begin();
    s.btree_create(&mut t, INDEX, TupleDesc::new(vec![PhysicalType::Int32])).unwrap();
    let start = Instant::now();
    for i in 0..N {
        s.btree_insert(&mut t, INDEX, &[Datum::Int32(i as i32)], Tid::new(i as u32, 1)).unwrap();
    }
    let bi = start.elapsed();
    let start = Instant::now();
    let mut found = 0;
    for i in (0..N).step_by(10) {
        let k = [Datum::Int32(i as i32)];
        found += s.btree_search(INDEX, Bound::Included(&k), Bound::Included(&k)).unwrap().count();
    }
    let bl = start.elapsed();
    assert_eq!(found as i64, N / 10);
    println!("btree: insert {:.2} M keys/s, point lookup {:.2} M/s", N as f64 / bi.as_secs_f64() / 1e6, (N / 10) as f64 / bl.as_secs_f64() / 1e6);
    t.commit().unwrap();
    let _ = BTreeMap::<i32, i32>::new();
}
