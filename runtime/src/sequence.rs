//! Sequences: parameters in pg_sequence, state in a one-row relation of
//! their own (last_value, log_cnt, is_called), changed in place and outside
//! any transaction, as in PostgreSQL — a rolled-back nextval is not undone.

use std::collections::HashMap;

use oa_ir::datum::Datum;
use oa_ir::types::{Oid, PhysicalType};
use oa_ir::{Error, Result, SqlState};
use oa_storage::{RelFileNumber, Storage, Tid, Transaction, TupleDesc};

use crate::catalog::{CatalogView, SequenceDesc};
use crate::exec::func::SequenceOp;

/// The state row's place: the first line pointer of block 0.
const STATE_TID: Tid = Tid { block: 0, offset: 1 };

fn state_desc() -> TupleDesc {
    TupleDesc::new(vec![PhysicalType::Int64, PhysicalType::Int64, PhysicalType::Bool])
}

/// Per-session sequence memory: currval and lastval.
#[derive(Default, Debug)]
pub struct SequenceSession {
    currval: HashMap<Oid, i64>,
    last: Option<Oid>,
}

impl SequenceSession {
    /// DISCARD SEQUENCES.
    pub fn discard(&mut self) {
        self.currval.clear();
        self.last = None;
    }
}

/// Creates the state relation of a new sequence with its start value.
pub fn create_state(storage: &Storage, txn: &mut Transaction, relfilenode: Oid, start: i64) -> Result<()> {
    let rel = RelFileNumber(relfilenode);
    storage.create_relation(txn, rel)?;
    let t = oa_storage::form_tuple(&state_desc(), &[Datum::Int64(start), Datum::Int64(0), Datum::Bool(false)])?;
    let cid = txn.command_id();
    let tid = storage.insert(rel, &t, txn, cid)?;
    if tid != STATE_TID {
        return Err(Error::internal("sequence state row not at (0,1)"));
    }
    Ok(())
}

/// (last_value, is_called) of a sequence.
pub fn read_state(storage: &Storage, relfilenode: Oid) -> Result<(i64, bool)> {
    let t = storage.fetch_any(RelFileNumber(relfilenode), STATE_TID)?.ok_or_else(|| Error::internal("sequence state row missing"))?;
    let v = oa_storage::deform_tuple(&state_desc(), &t)?;
    match (&v[0], &v[2]) {
        (Datum::Int64(last), Datum::Bool(called)) => Ok((*last, *called)),
        _ => Err(Error::internal("sequence state row malformed")),
    }
}

/// Overwrites the state in place (not transactional, like PostgreSQL).
pub fn write_state(storage: &Storage, relfilenode: Oid, last: i64, is_called: bool) -> Result<()> {
    let t = oa_storage::form_tuple(&state_desc(), &[Datum::Int64(last), Datum::Int64(0), Datum::Bool(is_called)])?;
    storage.inplace_update(RelFileNumber(relfilenode), STATE_TID, &t)
}

fn lookup(catalog: &CatalogView, seq: Oid) -> Result<(&SequenceDesc, String, Oid)> {
    let desc = catalog.sequence(seq);
    let rel = oa_frontend::Catalog::relation(catalog, seq);
    match (desc, rel) {
        (Some(d), Some(r)) => Ok((d, r.name.clone(), r.relfilenode)),
        (_, Some(r)) => Err(Error::new(SqlState::WRONG_OBJECT_TYPE, format!("\"{}\" is not a sequence", r.name))),
        _ => Err(Error::new(SqlState::UNDEFINED_TABLE, format!("could not open relation with OID {seq}"))),
    }
}

/// Runs one sequence function.
pub fn apply(op: SequenceOp, storage: &Storage, catalog: &CatalogView, session: &mut SequenceSession) -> Result<Datum> {
    match op {
        SequenceOp::Nextval(seq) => {
            let (d, name, file) = lookup(catalog, seq)?;
            let (last, called) = read_state(storage, file)?;
            let next = if !called {
                last
            } else {
                match last.checked_add(d.increment) {
                    Some(v) if v <= d.max && v >= d.min => v,
                    _ if d.cycle => {
                        if d.increment > 0 {
                            d.min
                        } else {
                            d.max
                        }
                    }
                    _ => {
                        let (which, bound) = if d.increment > 0 { ("maximum", d.max) } else { ("minimum", d.min) };
                        return Err(Error::new(
                            SqlState::SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                            format!("nextval: reached {which} value of sequence \"{name}\" ({bound})"),
                        ));
                    }
                }
            };
            write_state(storage, file, next, true)?;
            session.currval.insert(seq, next);
            session.last = Some(seq);
            Ok(Datum::Int64(next))
        }
        SequenceOp::Currval(seq) => {
            let (_, name, _) = lookup(catalog, seq)?;
            session.currval.get(&seq).map(|v| Datum::Int64(*v)).ok_or_else(|| {
                Error::new(SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE, format!("currval of sequence \"{name}\" is not yet defined in this session"))
            })
        }
        SequenceOp::Lastval => {
            let not_yet = || Error::new(SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE, "lastval is not yet defined in this session");
            let seq = session.last.ok_or_else(not_yet)?;
            // A dropped sequence makes lastval undefined again.
            lookup(catalog, seq).map_err(|_| not_yet())?;
            session.currval.get(&seq).map(|v| Datum::Int64(*v)).ok_or_else(not_yet)
        }
        SequenceOp::Setval { seq, value, is_called } => {
            let (d, name, file) = lookup(catalog, seq)?;
            if value < d.min || value > d.max {
                return Err(Error::new(
                    SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                    format!("setval: value {value} is out of bounds for sequence \"{name}\" ({}..{})", d.min, d.max),
                ));
            }
            write_state(storage, file, value, is_called)?;
            if is_called {
                session.currval.insert(seq, value);
                session.last = Some(seq);
            }
            Ok(Datum::Int64(value))
        }
    }
}
