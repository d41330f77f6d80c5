//! PostgreSQL's type-resolution algorithms (parse_coerce.c, parse_func.c,
//! parse_oper.c): coercion pathways, the candidate narrowing that picks a
//! function or operator, polymorphic argument resolution, and the common
//! type of UNION/CASE/VALUES branches. The candidate set decides both the
//! result and the 42883/42725 errors, so these follow PostgreSQL step by step.

use std::sync::Arc;

use oa_ir::catalog::{OperatorDesc, ProcDesc, TypeDesc};
use oa_ir::types::{Oid, oid};
use oa_ir::{Error, SqlState};

use crate::catalog::Catalog;

/// How strict a coercion may be (CoercionContext).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CoercionContext {
    Implicit,
    Assignment,
    Explicit,
}

/// The way a value gets from one type to another (CoercionPathType).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoercionPath {
    None,
    /// Binary-compatible: relabel only.
    Relabel,
    /// Call pg_cast.castfunc.
    Func(Oid),
    /// Element-wise over an array.
    ArrayCoerce,
    /// Through the types' text I/O.
    CoerceViaIo,
}

/// pg_type.typcategory values.
pub mod category {
    pub const ARRAY: u8 = b'A';
    pub const BOOLEAN: u8 = b'B';
    pub const COMPOSITE: u8 = b'C';
    pub const DATETIME: u8 = b'D';
    pub const NUMERIC: u8 = b'N';
    pub const PSEUDO: u8 = b'P';
    pub const STRING: u8 = b'S';
    pub const TIMESPAN: u8 = b'T';
    pub const UNKNOWN: u8 = b'X';
    pub const INVALID: u8 = 0;
}

pub fn is_polymorphic(t: Oid) -> bool {
    matches!(
        t,
        oid::ANYELEMENT
            | oid::ANYARRAY
            | oid::ANYNONARRAY
            | oid::ANYENUM
            | oid::ANYRANGE
            | oid::ANYMULTIRANGE
            | oid::ANYCOMPATIBLE
            | oid::ANYCOMPATIBLEARRAY
            | oid::ANYCOMPATIBLENONARRAY
            | oid::ANYCOMPATIBLERANGE
            | oid::ANYCOMPATIBLEMULTIRANGE
    )
}

fn is_compatible_family(t: Oid) -> bool {
    matches!(t, oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLEARRAY | oid::ANYCOMPATIBLENONARRAY | oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE)
}

/// The built-in range types: (range, subtype, multirange), as in pg_range.
const RANGES: [(Oid, Oid, Oid); 6] = [
    (3904, oid::INT4, 4451),
    (3906, oid::NUMERIC, 4532),
    (3908, oid::TIMESTAMP, 4533),
    (3910, oid::TIMESTAMPTZ, 4534),
    (3912, oid::DATE, 4535),
    (3926, oid::INT8, 4536),
];

/// get_range_subtype
fn range_subtype(range: Oid) -> Option<Oid> {
    RANGES.iter().find(|r| r.0 == range).map(|r| r.1)
}

/// get_multirange_range
fn multirange_range(multirange: Oid) -> Option<Oid> {
    RANGES.iter().find(|r| r.2 == multirange).map(|r| r.0)
}

/// get_range_multirange
fn range_multirange(range: Oid) -> Option<Oid> {
    RANGES.iter().find(|r| r.0 == range).map(|r| r.2)
}

/// What the arguments say about each polymorphic family (the locals of
/// check_generic_type_consistency). 0 = not determined.
#[derive(Default, Debug)]
struct PolyCollect {
    elem: Oid,
    array: Oid,
    range: Oid,
    multirange: Oid,
    /// Arguments at ANYELEMENT/ANYARRAY/ANYRANGE/… positions.
    n_poly: usize,
    have_poly_unknowns: bool,
    have_anynonarray: bool,
    have_anyenum: bool,
    have_compat: bool,
    have_compat_nonarray: bool,
    have_compat_range: bool,
    compat_range: Oid,
    compat_range_elem: Oid,
    /// Known element types at anycompatible-family positions.
    compat_actuals: Vec<Oid>,
}

enum PolyError {
    /// Two arguments of one family disagree: (family name, first, other).
    Disagree(&'static str, Oid, Oid),
    /// (declared type, actual type)
    ArrayExpected(Oid, Oid),
    RangeExpected(Oid, Oid),
}

pub struct Resolver<'a> {
    pub catalog: &'a dyn Catalog,
}

impl<'a> Resolver<'a> {
    pub fn new(catalog: &'a dyn Catalog) -> Self {
        Resolver { catalog }
    }

    pub fn type_desc(&self, t: Oid) -> Option<Arc<TypeDesc>> {
        self.catalog.type_by_oid(t)
    }

    /// TypeCategory(), with domains reduced to their base type.
    pub fn category(&self, t: Oid) -> u8 {
        self.type_desc(self.base_type(t)).map_or(category::INVALID, |d| d.category)
    }

    pub fn category_preferred(&self, t: Oid) -> (u8, bool) {
        self.type_desc(self.base_type(t)).map_or((category::INVALID, false), |d| (d.category, d.preferred))
    }

    /// IsPreferredType(category, type)
    pub fn is_preferred(&self, cat: u8, t: Oid) -> bool {
        let (c, p) = self.category_preferred(t);
        (cat == category::INVALID || c == cat) && p
    }

    /// getBaseType: a domain's base type, otherwise the type itself.
    pub fn base_type(&self, mut t: Oid) -> Oid {
        for _ in 0..32 {
            match self.type_desc(t) {
                Some(d) if d.typtype == b'd' && d.basetype != 0 => t = d.basetype,
                _ => break,
            }
        }
        t
    }

    pub fn elem_type(&self, array: Oid) -> Option<Oid> {
        self.type_desc(array).filter(|d| d.is_array()).map(|d| d.elem)
    }

    pub fn array_type(&self, elem: Oid) -> Option<Oid> {
        self.type_desc(elem).map(|d| d.array).filter(|a| *a != 0)
    }

    pub fn is_array(&self, t: Oid) -> bool {
        self.type_desc(t).is_some_and(|d| d.is_array())
    }

    fn is_composite(&self, t: Oid) -> bool {
        t == oid::RECORD || self.type_desc(t).is_some_and(|d| d.typtype == b'c')
    }

    /// find_coercion_pathway(targetTypeId, sourceTypeId, ccontext)
    pub fn coercion_pathway(&self, target: Oid, source: Oid, ctx: CoercionContext) -> CoercionPath {
        if source == target {
            return CoercionPath::Relabel;
        }
        let target = self.base_type(target);
        let source = self.base_type(source);
        if source == target {
            return CoercionPath::Relabel;
        }
        if let Some(cast) = self.catalog.cast(source, target) {
            let ok = match ctx {
                CoercionContext::Implicit => cast.context == b'i',
                CoercionContext::Assignment => cast.context == b'i' || cast.context == b'a',
                CoercionContext::Explicit => true,
            };
            if !ok {
                return CoercionPath::None;
            }
            return match cast.method {
                b'f' => CoercionPath::Func(cast.func),
                b'b' => CoercionPath::Relabel,
                _ => CoercionPath::CoerceViaIo,
            };
        }
        // No pg_cast entry: arrays coerce element-wise; anything goes to a
        // string type by I/O in assignment, and from one explicitly.
        // (oidvector and int2vector look like arrays but are not coerced that way.)
        if target != oid::OIDVECTOR
            && target != oid::INT2VECTOR
            && let (Some(te), Some(se)) = (self.elem_type(target), self.elem_type(source))
            && self.coercion_pathway(te, se, ctx) != CoercionPath::None
        {
            return CoercionPath::ArrayCoerce;
        }
        if ctx >= CoercionContext::Assignment && self.category(target) == category::STRING {
            return CoercionPath::CoerceViaIo;
        }
        if ctx == CoercionContext::Explicit && self.category(source) == category::STRING {
            return CoercionPath::CoerceViaIo;
        }
        CoercionPath::None
    }

    /// can_coerce_type for one input.
    pub fn can_coerce(&self, input: Oid, target: Oid, ctx: CoercionContext) -> bool {
        self.can_coerce_all(&[input], &[target], ctx)
    }

    /// can_coerce_type(nargs, input_typeids, target_typeids, ccontext)
    pub fn can_coerce_all(&self, inputs: &[Oid], targets: &[Oid], ctx: CoercionContext) -> bool {
        let mut have_generics = false;
        for (&input, &target) in inputs.iter().zip(targets) {
            if input == target || target == oid::ANY {
                continue;
            }
            if is_polymorphic(target) {
                have_generics = true;
                continue;
            }
            if input == oid::UNKNOWN {
                continue;
            }
            if target == oid::RECORD && self.is_composite(input) {
                continue;
            }
            if self.coercion_pathway(target, input, ctx) != CoercionPath::None {
                continue;
            }
            return false;
        }
        if have_generics {
            return self.check_generic_type_consistency(inputs, targets);
        }
        true
    }

    /// check_generic_type_consistency: every polymorphic position agrees on one type.
    pub fn check_generic_type_consistency(&self, inputs: &[Oid], targets: &[Oid]) -> bool {
        self.collect_polymorphic(inputs, targets).is_ok_and(|c| self.consistent(&c))
    }

    /// The first pass of check_/enforce_generic_type_consistency: the actual
    /// types seen at each family's positions. Err when two positions of one
    /// family disagree.
    fn collect_polymorphic(&self, inputs: &[Oid], targets: &[Oid]) -> std::result::Result<PolyCollect, PolyError> {
        let mut c = PolyCollect::default();
        for (&actual, &decl) in inputs.iter().zip(targets) {
            match decl {
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => {
                    c.n_poly += 1;
                    c.have_anynonarray |= decl == oid::ANYNONARRAY;
                    c.have_anyenum |= decl == oid::ANYENUM;
                    if actual == oid::UNKNOWN {
                        c.have_poly_unknowns = true;
                        continue;
                    }
                    if c.elem != 0 && actual != c.elem {
                        return Err(PolyError::Disagree("anyelement", c.elem, actual));
                    }
                    c.elem = actual;
                }
                oid::ANYARRAY | oid::ANYRANGE | oid::ANYMULTIRANGE => {
                    c.n_poly += 1;
                    if actual == oid::UNKNOWN {
                        c.have_poly_unknowns = true;
                        continue;
                    }
                    let actual = self.base_type(actual);
                    let (slot, name) = match decl {
                        oid::ANYARRAY => (&mut c.array, "anyarray"),
                        oid::ANYRANGE => (&mut c.range, "anyrange"),
                        _ => (&mut c.multirange, "anymultirange"),
                    };
                    if *slot != 0 && actual != *slot {
                        return Err(PolyError::Disagree(name, *slot, actual));
                    }
                    *slot = actual;
                }
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => {
                    c.have_compat = true;
                    c.have_compat_nonarray |= decl == oid::ANYCOMPATIBLENONARRAY;
                    if actual != oid::UNKNOWN {
                        c.compat_actuals.push(actual);
                    }
                }
                oid::ANYCOMPATIBLEARRAY => {
                    c.have_compat = true;
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let actual = self.base_type(actual);
                    let Some(e) = self.elem_type(actual) else {
                        return Err(PolyError::ArrayExpected(decl, actual));
                    };
                    c.compat_actuals.push(e);
                }
                oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE => {
                    c.have_compat = true;
                    c.have_compat_range = true;
                    if actual == oid::UNKNOWN {
                        continue;
                    }
                    let actual = self.base_type(actual);
                    let range = if decl == oid::ANYCOMPATIBLERANGE {
                        actual
                    } else {
                        match multirange_range(actual) {
                            Some(r) => r,
                            None => return Err(PolyError::RangeExpected(decl, actual)),
                        }
                    };
                    if c.compat_range != 0 {
                        if c.compat_range != range {
                            return Err(PolyError::Disagree("anycompatiblerange", c.compat_range, range));
                        }
                    } else {
                        let Some(sub) = range_subtype(range) else { return Err(PolyError::RangeExpected(decl, actual)) };
                        c.compat_range = range;
                        c.compat_range_elem = sub;
                        c.compat_actuals.push(sub);
                    }
                }
                _ => {}
            }
        }
        Ok(c)
    }

    /// The second half of check_generic_type_consistency: the families'
    /// types must imply one element type, with the ANYNONARRAY/ANYENUM and
    /// anycompatible restrictions.
    fn consistent(&self, c: &PolyCollect) -> bool {
        let mut elem = c.elem;
        let mut range = c.range;
        if c.array != 0 {
            if c.array == oid::ANYARRAY {
                // An anyarray input matches only when no other family member says more.
                if elem != 0 || range != 0 || c.multirange != 0 {
                    return false;
                }
            } else {
                let Some(e) = self.elem_type(c.array) else { return false };
                if elem == 0 {
                    elem = e;
                } else if e != elem {
                    return false;
                }
            }
        }
        if c.multirange != 0 {
            let Some(r) = multirange_range(c.multirange) else { return false };
            if range == 0 {
                range = r;
            } else if r != range {
                return false;
            }
        }
        if range != 0 {
            let Some(sub) = range_subtype(range) else { return false };
            if elem == 0 {
                elem = sub;
            } else if sub != elem {
                return false;
            }
        }
        if c.have_anynonarray && elem != 0 && self.is_array(self.base_type(elem)) {
            return false;
        }
        if c.have_anyenum && self.type_desc(elem).is_none_or(|d| d.typtype != b'e') {
            return false;
        }
        if !c.compat_actuals.is_empty() {
            let Ok(common) = self.select_common_type_oids(&c.compat_actuals) else { return false };
            if !c.compat_actuals.iter().all(|t| self.can_coerce(*t, common, CoercionContext::Implicit)) {
                return false;
            }
            if c.have_compat_nonarray && self.is_array(self.base_type(common)) {
                return false;
            }
            if c.compat_range_elem != 0 && c.compat_range_elem != common {
                return false;
            }
        }
        true
    }

    /// enforce_generic_type_consistency: the concrete parameter types and
    /// result type of a call once its polymorphic types are resolved.
    pub fn enforce_generic_type_consistency(&self, inputs: &[Oid], declared: &[Oid], ret: Oid) -> oa_ir::Result<(Vec<Oid>, Oid)> {
        let any_poly = declared.iter().any(|t| is_polymorphic(*t)) || is_polymorphic(ret);
        if !any_poly {
            return Ok((declared.to_vec(), ret));
        }
        let c = self.collect_polymorphic(inputs, declared).map_err(|e| self.poly_error(e))?;
        let mismatch = |msg: String| Error::new(SqlState::DATATYPE_MISMATCH, msg);
        let mut elem = c.elem;
        let mut array = c.array;
        let mut range = c.range;
        let mut multirange = c.multirange;
        let family1 =
            c.n_poly > 0 || [oid::ANYELEMENT, oid::ANYNONARRAY, oid::ANYENUM, oid::ANYARRAY, oid::ANYRANGE, oid::ANYMULTIRANGE].contains(&ret);
        if family1 {
            if array != 0 {
                if array == oid::ANYARRAY {
                    if elem != 0 || range != 0 || multirange != 0 {
                        return Err(mismatch(format!("argument declared {} is not consistent with argument declared {}", "anyarray", "anyelement")));
                    }
                } else {
                    let Some(e) = self.elem_type(array) else {
                        return Err(mismatch(format!("argument declared {} is not an array but type {}", "anyarray", self.type_name(array))));
                    };
                    if elem == 0 {
                        elem = e;
                    } else if e != elem {
                        return Err(mismatch(format!("argument declared {} is not consistent with argument declared {}", "anyarray", "anyelement"))
                            .with_detail(format!("{} versus {}", self.type_name(array), self.type_name(elem))));
                    }
                }
            }
            if multirange != 0 {
                let Some(r) = multirange_range(multirange) else {
                    return Err(mismatch(format!(
                        "argument declared {} is not a multirange type but type {}",
                        "anymultirange",
                        self.type_name(multirange)
                    )));
                };
                if range == 0 {
                    range = r;
                } else if r != range {
                    return Err(mismatch(format!("argument declared {} is not consistent with argument declared {}", "anymultirange", "anyrange")));
                }
            }
            if range != 0 {
                let Some(sub) = range_subtype(range) else {
                    return Err(mismatch(format!("argument declared {} is not a range type but type {}", "anyrange", self.type_name(range))));
                };
                if elem == 0 {
                    elem = sub;
                } else if sub != elem {
                    return Err(mismatch(format!("argument declared {} is not consistent with argument declared {}", "anyrange", "anyelement")));
                }
            }
            if elem == 0 {
                // Only unknown literals at the polymorphic positions.
                return Err(mismatch("could not determine polymorphic type because input has type unknown".into()));
            }
            if c.have_anynonarray && self.is_array(self.base_type(elem)) {
                return Err(mismatch(format!("type matched to anynonarray is an array type: {}", self.type_name(elem))));
            }
            if c.have_anyenum && self.type_desc(elem).is_none_or(|d| d.typtype != b'e') {
                return Err(mismatch(format!("type matched to anyenum is not an enum type: {}", self.type_name(elem))));
            }
        }
        let need_array = declared.iter().zip(inputs).any(|(d, i)| *d == oid::ANYARRAY && *i == oid::UNKNOWN) || ret == oid::ANYARRAY;
        if family1 && array == 0 && need_array {
            array = self
                .array_type(elem)
                .ok_or_else(|| Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find array type for data type {}", self.type_name(elem))))?;
        }
        let need_range = declared.iter().zip(inputs).any(|(d, i)| *d == oid::ANYRANGE && *i == oid::UNKNOWN) || ret == oid::ANYRANGE;
        if family1 && range == 0 && need_range {
            return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find range type for data type {}", self.type_name(elem))));
        }
        let need_multirange = declared.iter().zip(inputs).any(|(d, i)| *d == oid::ANYMULTIRANGE && *i == oid::UNKNOWN) || ret == oid::ANYMULTIRANGE;
        if family1 && multirange == 0 && need_multirange {
            multirange = range_multirange(range).ok_or_else(|| {
                Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find multirange type for data type {}", self.type_name(elem)))
            })?;
        }
        let mut compat = 0;
        let compat_range = c.compat_range;
        if c.have_compat || is_compatible_family(ret) {
            if c.compat_actuals.is_empty() {
                // Only unknown literals: TEXT, as select_common_type would pick.
                if c.have_compat_range || matches!(ret, oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE) {
                    return Err(mismatch("could not determine polymorphic type anycompatiblerange because input has type unknown".into()));
                }
                compat = oid::TEXT;
            } else {
                compat = self
                    .select_common_type_oids(&c.compat_actuals)
                    .map_err(|(a, b)| mismatch(format!("argument types {} and {} cannot be matched", self.type_name(a), self.type_name(b))))?;
                if !c.compat_actuals.iter().all(|t| self.can_coerce(*t, compat, CoercionContext::Implicit)) {
                    return Err(mismatch("arguments of anycompatible family cannot be cast to a common type".into()));
                }
                if c.have_compat_nonarray && self.is_array(self.base_type(compat)) {
                    return Err(mismatch(format!("type matched to anycompatiblenonarray is an array type: {}", self.type_name(compat))));
                }
                if c.compat_range_elem != 0 && c.compat_range_elem != compat {
                    return Err(mismatch(format!(
                        "argument declared {} is not consistent with argument declared {}",
                        "anycompatiblerange", "anycompatible"
                    )));
                }
            }
            if compat_range == 0 && matches!(ret, oid::ANYCOMPATIBLERANGE | oid::ANYCOMPATIBLEMULTIRANGE) {
                return Err(Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find range type for data type {}", self.type_name(compat))));
            }
        }
        let map = |t: Oid| -> oa_ir::Result<Oid> {
            Ok(match t {
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => elem,
                oid::ANYARRAY => {
                    if array != 0 {
                        array
                    } else {
                        self.array_type(elem).ok_or_else(|| {
                            Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find array type for data type {}", self.type_name(elem)))
                        })?
                    }
                }
                oid::ANYRANGE => range,
                oid::ANYMULTIRANGE => multirange,
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => compat,
                oid::ANYCOMPATIBLEARRAY => self.array_type(compat).ok_or_else(|| {
                    Error::new(SqlState::UNDEFINED_OBJECT, format!("could not find array type for data type {}", self.type_name(compat)))
                })?,
                oid::ANYCOMPATIBLERANGE => compat_range,
                oid::ANYCOMPATIBLEMULTIRANGE => range_multirange(compat_range).unwrap_or(0),
                other => other,
            })
        };
        let mut args = Vec::with_capacity(declared.len());
        for (d, i) in declared.iter().zip(inputs) {
            // Known inputs at family-1 positions keep their own type (a domain stays a domain).
            let keep = matches!(*d, oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM) && *i != oid::UNKNOWN;
            args.push(if keep { *i } else { map(*d)? });
        }
        Ok((args, map(ret)?))
    }

    fn type_name(&self, t: Oid) -> String {
        let resolve = |o: Oid| {
            self.catalog.type_by_oid(o).map(|d| {
                let ns = self.catalog.namespace(d.namespace).map(|n| n.name).unwrap_or_default();
                (d.name.clone(), ns)
            })
        };
        oa_ir::typeio::format_type(t, -1, &resolve)
    }

    fn poly_error(&self, e: PolyError) -> Error {
        match e {
            PolyError::Disagree(family, a, b) => Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("arguments declared \"{family}\" are not all alike"),
            )
            .with_detail(format!("{} versus {}", self.type_name(a), self.type_name(b))),
            PolyError::ArrayExpected(decl, t) => Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("argument declared {} is not an array but type {}", self.type_name(decl), self.type_name(t)),
            ),
            PolyError::RangeExpected(decl, t) => Error::new(
                SqlState::DATATYPE_MISMATCH,
                format!("argument declared {} is not a range type but type {}", self.type_name(decl), self.type_name(t)),
            ),
        }
    }

    /// select_common_type for plain type OIDs; Err((first, offending)) names
    /// the pair that cannot be matched.
    pub fn select_common_type_oids(&self, types: &[Oid]) -> Result<Oid, (Oid, Oid)> {
        let first = types.first().copied().unwrap_or(oid::UNKNOWN);
        if types.iter().all(|t| *t == first) {
            return Ok(if first == oid::UNKNOWN { oid::TEXT } else { first });
        }
        let mut ptype = oid::UNKNOWN;
        let mut pcat = category::INVALID;
        let mut ppreferred = false;
        for &t in types {
            let ntype = self.base_type(t);
            if ntype == oid::UNKNOWN || ntype == ptype {
                continue;
            }
            if ptype == oid::UNKNOWN {
                ptype = ntype;
                (pcat, ppreferred) = self.category_preferred(ntype);
                continue;
            }
            let (ncat, npreferred) = self.category_preferred(ntype);
            if ncat != pcat {
                return Err((ptype, ntype));
            }
            if !ppreferred && self.can_coerce(ptype, ntype, CoercionContext::Implicit) && !self.can_coerce(ntype, ptype, CoercionContext::Implicit) {
                ptype = ntype;
                pcat = ncat;
                ppreferred = npreferred;
            }
        }
        Ok(if ptype == oid::UNKNOWN { oid::TEXT } else { ptype })
    }

    /// Functions with this name visible on the search path (or in one
    /// namespace), hiding ones with identical signatures in later namespaces.
    pub fn function_candidates(&self, namespace: Option<Oid>, name: &str) -> Vec<Arc<ProcDesc>> {
        let path = match namespace {
            Some(ns) => vec![ns],
            None => self.catalog.search_path(),
        };
        let mut all: Vec<(usize, Arc<ProcDesc>)> =
            self.catalog.procs_by_name(name).into_iter().filter_map(|p| path.iter().position(|n| *n == p.namespace).map(|i| (i, p))).collect();
        all.sort_by_key(|(i, p)| (*i, p.oid));
        let mut out: Vec<Arc<ProcDesc>> = Vec::new();
        for (_, p) in all {
            if !out.iter().any(|q| q.arg_types == p.arg_types) {
                out.push(p);
            }
        }
        out
    }

    pub fn operator_candidates(&self, namespace: Option<Oid>, name: &str, kind: u8) -> Vec<Arc<OperatorDesc>> {
        let path = match namespace {
            Some(ns) => vec![ns],
            None => self.catalog.search_path(),
        };
        let mut all: Vec<(usize, Arc<OperatorDesc>)> = self
            .catalog
            .operators_by_name(name)
            .into_iter()
            .filter(|o| o.kind == kind)
            .filter_map(|o| path.iter().position(|n| *n == o.namespace).map(|i| (i, o)))
            .collect();
        all.sort_by_key(|(i, o)| (*i, o.oid));
        let mut out: Vec<Arc<OperatorDesc>> = Vec::new();
        for (_, o) in all {
            if !out.iter().any(|q| q.left == o.left && q.right == o.right) {
                out.push(o);
            }
        }
        out
    }

    /// func_select_candidate: narrows candidates (given by their argument
    /// types) that all accept the inputs implicitly. Returns indexes of the
    /// survivors; exactly one means success.
    pub fn select_candidate(&self, inputs: &[Oid], candidates: &[Vec<Oid>]) -> Vec<usize> {
        let nargs = inputs.len();
        let inputs: Vec<Oid> = inputs.iter().map(|t| self.base_type(*t)).collect();
        let mut cands: Vec<usize> = (0..candidates.len()).collect();
        let nunknowns = inputs.iter().filter(|t| **t == oid::UNKNOWN).count();

        // Most exact matches on the known inputs.
        let keep_best = |cands: &Vec<usize>, score: &dyn Fn(&[Oid]) -> usize| -> Vec<usize> {
            let best = cands.iter().map(|&c| score(&candidates[c])).max().unwrap_or(0);
            cands.iter().copied().filter(|&c| score(&candidates[c]) == best).collect()
        };
        cands = keep_best(&cands, &|args: &[Oid]| (0..nargs).filter(|&i| inputs[i] != oid::UNKNOWN && args[i] == inputs[i]).count());
        if cands.len() == 1 {
            return cands;
        }
        // Exact or preferred-in-the-input's-category types where coercion is needed.
        let slot_category: Vec<u8> = inputs.iter().map(|t| self.category(*t)).collect();
        cands = keep_best(&cands, &|args: &[Oid]| {
            (0..nargs).filter(|&i| inputs[i] != oid::UNKNOWN && (args[i] == inputs[i] || self.is_preferred(slot_category[i], args[i]))).count()
        });
        if cands.len() == 1 {
            return cands;
        }
        // Without unknown inputs no heuristic is left: ambiguous.
        if nunknowns == 0 {
            return cands;
        }
        // Resolve unknown inputs by category, biased towards STRING.
        let mut resolved = true;
        let mut slot_cat = vec![category::INVALID; nargs];
        let mut slot_pref = vec![false; nargs];
        for i in 0..nargs {
            if inputs[i] != oid::UNKNOWN {
                continue;
            }
            let mut conflict = false;
            for &c in &cands {
                let (cat, pref) = self.category_preferred(candidates[c][i]);
                if slot_cat[i] == category::INVALID {
                    slot_cat[i] = cat;
                    slot_pref[i] = pref;
                } else if cat == slot_cat[i] {
                    slot_pref[i] |= pref;
                } else if cat == category::STRING {
                    slot_cat[i] = cat;
                    slot_pref[i] = pref;
                } else {
                    conflict = true;
                }
            }
            if conflict && slot_cat[i] != category::STRING {
                resolved = false;
                break;
            }
        }
        if resolved && nunknowns > 0 {
            let kept: Vec<usize> = cands
                .iter()
                .copied()
                .filter(|&c| {
                    (0..nargs).all(|i| {
                        if inputs[i] != oid::UNKNOWN {
                            return true;
                        }
                        let (cat, pref) = self.category_preferred(candidates[c][i]);
                        cat == slot_cat[i] && (!slot_pref[i] || pref)
                    })
                })
                .collect();
            if !kept.is_empty() {
                cands = kept;
            }
            if cands.len() == 1 {
                return cands;
            }
        }
        // Last gasp: unknowns take the one known type, if all known inputs agree.
        if nunknowns < nargs {
            let mut known = oid::UNKNOWN;
            for &t in &inputs {
                if t == oid::UNKNOWN {
                    continue;
                }
                if known == oid::UNKNOWN {
                    known = t;
                } else if known != t {
                    known = oid::UNKNOWN;
                    break;
                }
            }
            if known != oid::UNKNOWN {
                let assumed = vec![known; nargs];
                let matching: Vec<usize> =
                    cands.iter().copied().filter(|&c| self.can_coerce_all(&assumed, &candidates[c], CoercionContext::Implicit)).take(2).collect();
                if matching.len() == 1 {
                    return matching;
                }
            }
        }
        cands
    }
}

/// Assignment coercion of a bound expression to a column's type (ALTER
/// COLUMN TYPE's rewrite uses it; INSERT and UPDATE do the same internally).
pub fn coerce_to_column(
    e: oa_ir::ScalarExpr,
    target: oa_ir::SqlType,
    column: &str,
    catalog: &dyn Catalog,
    ctx: &crate::BindContext,
) -> oa_ir::Result<oa_ir::ScalarExpr> {
    crate::binder::Binder::new(catalog, ctx).coerce_assignment(e, target, Some(column), 0)
}

/// A column's DEFAULT as a bound expression (NULL when it has none), for
/// statements that insert without the binder (COPY).
pub fn column_default_expr(
    table: &oa_ir::catalog::RelationDesc,
    column: &oa_ir::catalog::ColumnDesc,
    catalog: &dyn Catalog,
    ctx: &crate::BindContext,
) -> oa_ir::Result<oa_ir::ScalarExpr> {
    crate::binder::Binder::new(catalog, ctx).column_default(table, column)
}
