//! PostgreSQL's type-resolution algorithms (parse_coerce.c, parse_func.c,
//! parse_oper.c): coercion pathways, the candidate narrowing that picks a
//! function or operator, polymorphic argument resolution, and the common
//! type of UNION/CASE/VALUES branches. The candidate set decides both the
//! result and the 42883/42725 errors, so these follow PostgreSQL step by step.

use std::sync::Arc;

use oa_ir::catalog::{OperatorDesc, ProcDesc, TypeDesc};
use oa_ir::types::{Oid, oid};

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
        if let (Some(te), Some(se)) = (self.elem_type(target), self.elem_type(source)) {
            let elem = self.coercion_pathway(te, se, ctx);
            if elem != CoercionPath::None {
                return CoercionPath::ArrayCoerce;
            }
            return CoercionPath::None;
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
        self.resolve_polymorphic(inputs, targets).is_some()
    }

    /// Deduces the concrete types behind anyelement/anyarray and the
    /// anycompatible family from actual argument types. Returns
    /// (anyelement type, anycompatible common type), either possibly UNKNOWN.
    pub fn resolve_polymorphic(&self, inputs: &[Oid], targets: &[Oid]) -> Option<(Oid, Oid)> {
        let mut elem = oid::UNKNOWN;
        let mut array_seen = oid::UNKNOWN;
        let mut compat: Vec<Oid> = Vec::new();
        let mut has_nonarray = false;
        for (&input, &target) in inputs.iter().zip(targets) {
            if input == oid::UNKNOWN {
                continue;
            }
            let input = self.base_type(input);
            match target {
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => {
                    if target == oid::ANYNONARRAY {
                        has_nonarray = true;
                    }
                    if elem != oid::UNKNOWN && elem != input {
                        return None;
                    }
                    elem = input;
                }
                oid::ANYARRAY => {
                    let e = self.elem_type(input)?;
                    if array_seen != oid::UNKNOWN && array_seen != input {
                        return None;
                    }
                    array_seen = input;
                    if elem != oid::UNKNOWN && elem != e {
                        return None;
                    }
                    elem = e;
                }
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => compat.push(input),
                oid::ANYCOMPATIBLEARRAY => compat.push(self.elem_type(input)?),
                _ => {}
            }
        }
        if has_nonarray && elem != oid::UNKNOWN && self.is_array(elem) {
            return None;
        }
        if targets.contains(&oid::ANYENUM) && elem != oid::UNKNOWN && self.type_desc(elem).is_some_and(|d| d.typtype != b'e') {
            return None;
        }
        let common = if compat.is_empty() {
            oid::UNKNOWN
        } else {
            match self.select_common_type_oids(&compat) {
                Ok(t) => t,
                Err(_) => return None,
            }
        };
        Some((elem, common))
    }

    /// enforce_generic_type_consistency: the actual declared argument types
    /// and result type once polymorphism is resolved.
    pub fn resolve_signature(&self, inputs: &[Oid], declared: &[Oid], ret: Oid) -> Option<(Vec<Oid>, Oid)> {
        let any_poly = declared.iter().any(|t| is_polymorphic(*t)) || is_polymorphic(ret);
        if !any_poly {
            return Some((declared.to_vec(), ret));
        }
        let (mut elem, mut common) = self.resolve_polymorphic(inputs, declared)?;
        let uses_elem = declared.iter().any(|t| is_polymorphic(*t) && !is_compatible_family(*t));
        if uses_elem && elem == oid::UNKNOWN {
            // All polymorphic arguments were unknown literals: PostgreSQL takes them as text.
            if declared.iter().zip(inputs).any(|(d, i)| *d == oid::ANYARRAY && *i == oid::UNKNOWN) {
                return None;
            }
            elem = oid::TEXT;
        }
        if declared.iter().any(|t| is_compatible_family(*t)) && common == oid::UNKNOWN {
            common = oid::TEXT;
        }
        let map = |t: Oid| -> Option<Oid> {
            Some(match t {
                oid::ANYELEMENT | oid::ANYNONARRAY | oid::ANYENUM => elem,
                oid::ANYARRAY => self.array_type(elem)?,
                oid::ANYCOMPATIBLE | oid::ANYCOMPATIBLENONARRAY => common,
                oid::ANYCOMPATIBLEARRAY => self.array_type(common)?,
                other => other,
            })
        };
        let args = declared.iter().map(|t| map(*t)).collect::<Option<Vec<_>>>()?;
        Some((args, map(ret)?))
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
            if !ppreferred
                && self.can_coerce(ptype, ntype, CoercionContext::Implicit)
                && !self.can_coerce(ntype, ptype, CoercionContext::Implicit)
            {
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
        let mut all: Vec<(usize, Arc<ProcDesc>)> = self
            .catalog
            .procs_by_name(name)
            .into_iter()
            .filter_map(|p| path.iter().position(|n| *n == p.namespace).map(|i| (i, p)))
            .collect();
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
        cands = keep_best(&cands, &|args: &[Oid]| {
            (0..nargs).filter(|&i| inputs[i] != oid::UNKNOWN && args[i] == inputs[i]).count()
        });
        if cands.len() == 1 {
            return cands;
        }
        // Exact or preferred-in-the-input's-category types where coercion is needed.
        let slot_category: Vec<u8> = inputs.iter().map(|t| self.category(*t)).collect();
        cands = keep_best(&cands, &|args: &[Oid]| {
            (0..nargs)
                .filter(|&i| inputs[i] != oid::UNKNOWN && (args[i] == inputs[i] || self.is_preferred(slot_category[i], args[i])))
                .count()
        });
        if cands.len() == 1 {
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
                let matching: Vec<usize> = cands
                    .iter()
                    .copied()
                    .filter(|&c| self.can_coerce_all(&assumed, &candidates[c], CoercionContext::Implicit))
                    .take(2)
                    .collect();
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
