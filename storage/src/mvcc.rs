//! Tuple visibility, following PostgreSQL's heapam_visibility.c (without
//! hint bits, multixacts or row locks, which do not exist here yet).

use crate::tuple::{Tid, TupleHeader};
use crate::xact::{Clog, CommandId, Snapshot, Xid, XidStatus};

/// HeapTupleSatisfiesMVCC: is the tuple visible to `snap`?
pub(crate) fn satisfies_mvcc(h: &TupleHeader<'_>, snap: &Snapshot, clog: &Clog) -> bool {
    let xmin = h.xmin();
    if snap.is_own(xmin) && clog.status(xmin) != XidStatus::Aborted {
        if h.cmin() >= snap.curcid {
            return false; // inserted after the scan started
        }
        let xmax = h.xmax();
        if !xmax.is_valid() {
            return true;
        }
        if !(snap.is_own(xmax) && clog.status(xmax) != XidStatus::Aborted) {
            return true; // the deleting subtransaction aborted
        }
        return h.cmax() >= snap.curcid; // deleted after the scan started
    }
    if snap.xid_in_progress(xmin) {
        return false;
    }
    if clog.status(xmin) != XidStatus::Committed {
        return false; // aborted (or crashed)
    }
    // The inserter committed before the snapshot.
    let xmax = h.xmax();
    if !xmax.is_valid() {
        return true;
    }
    if snap.is_own(xmax) && clog.status(xmax) != XidStatus::Aborted {
        return h.cmax() >= snap.curcid;
    }
    if snap.xid_in_progress(xmax) {
        return true;
    }
    // Visible unless the deleter committed.
    clog.status(xmax) != XidStatus::Committed
}

/// Why a tuple could not be updated or deleted (PostgreSQL's TM_Result
/// other than TM_Ok, from HeapTupleSatisfiesUpdate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TmFailure {
    /// The tuple is not visible to the command at all (inserted by a later
    /// command, by an aborted transaction, or deleted before this command).
    Invisible,
    /// Already updated or deleted by this transaction in this command or a
    /// later one (`cmax`): PostgreSQL skips it, or raises "tuple to be updated
    /// was already modified by an operation triggered by the current command"
    /// when cmax is a later command.
    SelfModified { cmax: CommandId },
    /// Updated by another, committed transaction; `ctid` is the newer version
    /// (READ COMMITTED re-checks it, REPEATABLE READ raises 40001).
    Updated { ctid: Tid, xmax: Xid },
    /// Deleted by another, committed transaction.
    Deleted { xmax: Xid },
    /// Being changed by another transaction that is still running (cannot
    /// happen under the single-writer rule; kept for a future lock manager).
    BeingModified { xmax: Xid },
}

/// The result of a heap delete or update: the new version's TID (update) or
/// `()` (delete), or why the tuple was left alone.
pub type TmResult<T> = std::result::Result<T, TmFailure>;

/// HeapTupleSatisfiesUpdate. `is_own` is the live own-xid test.
pub(crate) fn satisfies_update(h: &TupleHeader<'_>, self_tid: Tid, is_own: impl Fn(Xid) -> bool, curcid: CommandId, clog: &Clog) -> TmResult<()> {
    let own = |x: Xid| is_own(x) && clog.status(x) != XidStatus::Aborted;
    let xmin = h.xmin();
    let xmax = h.xmax();
    if own(xmin) {
        if h.cmin() >= curcid {
            return Err(TmFailure::Invisible);
        }
        if !xmax.is_valid() || !own(xmax) {
            return Ok(());
        }
        return Err(if h.cmax() >= curcid { TmFailure::SelfModified { cmax: h.cmax() } } else { TmFailure::Invisible });
    }
    match clog.status(xmin) {
        XidStatus::InProgress | XidStatus::Aborted => return Err(TmFailure::Invisible),
        XidStatus::Committed => {}
    }
    if !xmax.is_valid() {
        return Ok(());
    }
    if own(xmax) {
        return Err(if h.cmax() >= curcid { TmFailure::SelfModified { cmax: h.cmax() } } else { TmFailure::Invisible });
    }
    match clog.status(xmax) {
        XidStatus::Aborted => Ok(()),
        XidStatus::InProgress => Err(TmFailure::BeingModified { xmax }),
        XidStatus::Committed => Err(if h.ctid() != self_tid { TmFailure::Updated { ctid: h.ctid(), xmax } } else { TmFailure::Deleted { xmax } }),
    }
}

/// HeapTupleSatisfiesDirty for uniqueness checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DirtyStatus {
    /// Dead, never committed, or deleted by the own transaction.
    Invisible,
    /// Committed and not deleted, or inserted by the own transaction.
    Live,
    /// Inserted or being deleted by another running transaction.
    InProgress(Xid),
}

pub(crate) fn satisfies_dirty(h: &TupleHeader<'_>, is_own: impl Fn(Xid) -> bool, clog: &Clog) -> DirtyStatus {
    let own = |x: Xid| is_own(x) && clog.status(x) != XidStatus::Aborted;
    let xmin = h.xmin();
    let xmax = h.xmax();
    if own(xmin) {
        if xmax.is_valid() && own(xmax) {
            return DirtyStatus::Invisible; // deleted by us
        }
        return DirtyStatus::Live;
    }
    match clog.status(xmin) {
        XidStatus::Aborted => return DirtyStatus::Invisible,
        XidStatus::InProgress => {
            if xmax.is_valid() && xmax == xmin {
                return DirtyStatus::Invisible;
            }
            return DirtyStatus::InProgress(xmin);
        }
        XidStatus::Committed => {}
    }
    if !xmax.is_valid() {
        return DirtyStatus::Live;
    }
    if own(xmax) {
        return DirtyStatus::Invisible;
    }
    match clog.status(xmax) {
        XidStatus::Aborted => DirtyStatus::Live,
        XidStatus::InProgress => DirtyStatus::InProgress(xmax),
        XidStatus::Committed => DirtyStatus::Invisible,
    }
}

/// HeapTupleSatisfiesVacuum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VacuumStatus {
    Live,
    /// Dead to every snapshot: removable.
    Dead,
    /// Deleted, but some snapshot may still see it.
    RecentlyDead,
    InsertInProgress,
    DeleteInProgress,
}

pub(crate) fn satisfies_vacuum(h: &TupleHeader<'_>, oldest_xmin: Xid, clog: &Clog) -> VacuumStatus {
    match clog.status(h.xmin()) {
        XidStatus::Aborted => return VacuumStatus::Dead,
        XidStatus::InProgress => return VacuumStatus::InsertInProgress,
        XidStatus::Committed => {}
    }
    let xmax = h.xmax();
    if !xmax.is_valid() {
        return VacuumStatus::Live;
    }
    match clog.status(xmax) {
        XidStatus::Aborted => VacuumStatus::Live,
        XidStatus::InProgress => VacuumStatus::DeleteInProgress,
        XidStatus::Committed if xmax < oldest_xmin => VacuumStatus::Dead,
        XidStatus::Committed => VacuumStatus::RecentlyDead,
    }
}
