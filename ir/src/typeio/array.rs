//! Arrays: array_in / array_out (arrayfuncs.c, PostgreSQL 15's two-pass
//! parser: ArrayCount validates and sizes, ReadArrayStr converts), the
//! ARRAY[...] constructor's multidimensional case, and the space-separated
//! int2vector / oidvector types.

use super::int::{oidin_subr, strtoul};
use super::{cstr, invalid_syntax, is_c_space, value_out_of_range};
use crate::datum::{Array, ArrayDim, Datum};
use crate::error::{Error, Result, SqlState};
use crate::types::Oid;

/// MAXDIM: the most dimensions an array may have.
pub const MAXDIM: usize = 6;

/// MaxArraySize: MaxAllocSize / sizeof(Datum).
pub const MAX_ARRAY_SIZE: i64 = 0x3fff_ffff / 8;

/// array_isspace: the ASCII whitespace set, independent of locale.
fn array_isspace(c: u8) -> bool {
    is_c_space(c)
}

fn malformed(s: &str) -> Error {
    Error::new(SqlState::INVALID_TEXT_REPRESENTATION, format!("malformed array literal: \"{s}\""))
}

fn malformed_detail(s: &str, detail: impl Into<String>) -> Error {
    malformed(s).with_detail(detail)
}

fn too_many_dims(n: usize) -> Error {
    Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("number of array dimensions ({n}) exceeds the maximum allowed ({MAXDIM})"))
}

fn size_exceeded() -> Error {
    Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("array size exceeds the maximum allowed ({MAX_ARRAY_SIZE})"))
}

/// ArrayGetNItems: the element count, with PostgreSQL's overflow checks.
fn array_get_nitems(dims: &[i32]) -> Result<i64> {
    let mut ret: i64 = 1;
    if dims.is_empty() {
        return Ok(0);
    }
    for &d in dims {
        if d < 0 {
            return Err(size_exceeded());
        }
        ret *= i64::from(d);
        if ret > i64::from(i32::MAX) {
            return Err(size_exceeded());
        }
    }
    if ret > MAX_ARRAY_SIZE {
        return Err(size_exceeded());
    }
    Ok(ret)
}

/// ArrayCheckBounds: dims[i] + lb[i] must not overflow.
fn array_check_bounds(dims: &[i32], lbs: &[i32]) -> Result<()> {
    for (&d, &lb) in dims.iter().zip(lbs) {
        if d.checked_add(lb).is_none() {
            return Err(Error::new(SqlState::PROGRAM_LIMIT_EXCEEDED, format!("array lower bound is too large: {lb}")));
        }
    }
    Ok(())
}

/// C's atoi on a 64-bit glibc: strtol (saturating at the long range),
/// truncated to int.
fn atoi(b: &[u8]) -> i32 {
    let mut i = 0;
    while i < b.len() && is_c_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut v: i128 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        v = (v * 10 + i128::from(b[i] - b'0')).min(i128::from(i64::MAX) + 1);
        i += 1;
    }
    if neg {
        v = -v;
    }
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64 as i32
}

/// ArrayParseState (PostgreSQL also declares ARRAY_ELEM_COMPLETED but never
/// enters it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParseState {
    NoLevel,
    LevelStarted,
    ElemStarted,
    QuotedElemStarted,
    QuotedElemCompleted,
    ElemDelimited,
    LevelCompleted,
    LevelDelimited,
}

/// ArrayCount: validates the brace structure of `s` (which starts at the
/// `{`) and returns the dimensions (empty for `{}`). Errors quote `s`, not
/// the whole input, as PostgreSQL 15 does.
fn array_count(s: &str, delim: u8) -> Result<Vec<i32>> {
    use ParseState::*;
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut nest_level: usize = 0;
    let mut ndim: usize = 1;
    let mut temp = [0i32; MAXDIM];
    let mut nelems = [1i32; MAXDIM];
    let mut nelems_last = [0i32; MAXDIM];
    let mut in_quotes = false;
    let mut eo_array = false;
    let mut empty_array = true;
    let mut state = NoLevel;
    let unexpected = |c: u8| malformed_detail(s, format!("Unexpected \"{}\" character.", c as char));
    let mut ptr = 0usize;
    while !eo_array {
        let mut itemdone = false;
        while !itemdone {
            if state == ElemStarted || state == QuotedElemStarted {
                empty_array = false;
            }
            let c = at(ptr);
            match c {
                0 => return Err(malformed_detail(s, "Unexpected end of input.")),
                b'\\' => {
                    if !matches!(state, LevelStarted | ElemStarted | QuotedElemStarted | ElemDelimited) {
                        return Err(unexpected(b'\\'));
                    }
                    if state != QuotedElemStarted {
                        state = ElemStarted;
                    }
                    if at(ptr + 1) != 0 {
                        ptr += 1;
                    } else {
                        return Err(malformed_detail(s, "Unexpected end of input."));
                    }
                }
                b'"' => {
                    if !matches!(state, LevelStarted | QuotedElemStarted | ElemDelimited) {
                        return Err(malformed_detail(s, "Unexpected array element."));
                    }
                    in_quotes = !in_quotes;
                    state = if in_quotes { QuotedElemStarted } else { QuotedElemCompleted };
                }
                b'{' if !in_quotes => {
                    if !matches!(state, NoLevel | LevelStarted | LevelDelimited) {
                        return Err(unexpected(b'{'));
                    }
                    state = LevelStarted;
                    if nest_level >= MAXDIM {
                        return Err(too_many_dims(nest_level + 1));
                    }
                    temp[nest_level] = 0;
                    nest_level += 1;
                    ndim = ndim.max(nest_level);
                }
                b'}' if !in_quotes => {
                    let allowed = matches!(state, ElemStarted | QuotedElemCompleted | LevelCompleted) || (nest_level == 1 && state == LevelStarted);
                    if !allowed {
                        return Err(unexpected(b'}'));
                    }
                    state = LevelCompleted;
                    if nest_level == 0 {
                        return Err(malformed_detail(s, "Unmatched \"}\" character."));
                    }
                    nest_level -= 1;
                    if nelems_last[nest_level] != 0 && nelems[nest_level] != nelems_last[nest_level] {
                        return Err(malformed_detail(s, "Multidimensional arrays must have sub-arrays with matching dimensions."));
                    }
                    nelems_last[nest_level] = nelems[nest_level];
                    nelems[nest_level] = 1;
                    if nest_level == 0 {
                        eo_array = true;
                        itemdone = true;
                    } else {
                        temp[nest_level - 1] = temp[nest_level - 1].saturating_add(1);
                    }
                }
                _ if !in_quotes => {
                    if c == delim {
                        if !matches!(state, ElemStarted | QuotedElemCompleted | LevelCompleted) {
                            return Err(unexpected(delim));
                        }
                        state = if state == LevelCompleted { LevelDelimited } else { ElemDelimited };
                        itemdone = true;
                        let Some(slot) = nest_level.checked_sub(1).and_then(|l| nelems.get_mut(l)) else {
                            return Err(unexpected(delim));
                        };
                        *slot = slot.saturating_add(1);
                    } else if !array_isspace(c) {
                        if !matches!(state, LevelStarted | ElemStarted | ElemDelimited) {
                            return Err(malformed_detail(s, "Unexpected array element."));
                        }
                        state = ElemStarted;
                    }
                }
                _ => {}
            }
            if !itemdone {
                ptr += 1;
            }
        }
        temp[ndim - 1] = temp[ndim - 1].saturating_add(1);
        ptr += 1;
    }
    if b.get(ptr..).is_some_and(|rest| rest.iter().any(|&c| !array_isspace(c))) {
        return Err(malformed_detail(s, "Junk after closing right brace."));
    }
    if empty_array {
        return Ok(Vec::new());
    }
    Ok(temp[..ndim].to_vec())
}

/// array_in: PostgreSQL's array literal syntax — optional explicit bounds
/// (`[1:2][0:1]=`), nested braces, `delimiter`-separated elements, double
/// quotes and backslash escapes, unquoted `NULL` (any case) for a null
/// element. Each element's de-quoted text goes to `elem_in` in order, after
/// the whole literal has been validated. `elem_type` is recorded in the
/// result; `typmod` is the element typmod, for the caller's `elem_in` to
/// apply (as PostgreSQL passes it to the element input function).
pub fn array_in(input: &str, elem_type: Oid, typmod: i32, elem_in: &mut dyn FnMut(&str) -> Result<Datum>, delimiter: u8) -> Result<Array> {
    let _ = typmod;
    let string = cstr(input);
    let b = string.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut p = 0usize;
    let mut dims: Vec<i32> = Vec::new();
    let mut lbs: Vec<i32> = Vec::new();
    loop {
        while array_isspace(at(p)) {
            p += 1;
        }
        if at(p) != b'[' {
            break;
        }
        p += 1;
        if dims.len() >= MAXDIM {
            return Err(too_many_dims(dims.len() + 1));
        }
        let is_num = |c: u8| c.is_ascii_digit() || c == b'-' || c == b'+';
        let mut q = p;
        while is_num(at(q)) {
            q += 1;
        }
        if q == p {
            return Err(malformed_detail(string, "\"[\" must introduce explicitly-specified array dimensions."));
        }
        let lb;
        if at(q) == b':' {
            lb = atoi(&b[p..q]);
            p = q + 1;
            q = p;
            while is_num(at(q)) {
                q += 1;
            }
            if q == p {
                return Err(malformed_detail(string, "Missing array dimension value."));
            }
        } else {
            lb = 1;
        }
        if at(q) != b']' {
            return Err(malformed_detail(string, "Missing \"]\" after array dimensions."));
        }
        let ub = atoi(&b[p..q]);
        p = q + 1;
        if ub < lb {
            return Err(Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, "upper bound cannot be less than lower bound"));
        }
        dims.push(ub.wrapping_sub(lb).wrapping_add(1));
        lbs.push(lb);
    }
    if dims.is_empty() {
        if at(p) != b'{' {
            return Err(malformed_detail(string, "Array value must start with \"{\" or dimension information."));
        }
        dims = array_count(&string[p..], delimiter)?;
        lbs = vec![1; dims.len()];
    } else {
        if at(p) != b'=' {
            return Err(malformed_detail(string, "Missing \"=\" after array dimensions."));
        }
        p += 1;
        while array_isspace(at(p)) {
            p += 1;
        }
        if at(p) != b'{' {
            return Err(malformed_detail(string, "Array contents must start with \"{\"."));
        }
        let braces = array_count(&string[p..], delimiter)?;
        if braces != dims {
            return Err(malformed_detail(string, "Specified array dimensions do not match array contents."));
        }
    }
    let nitems = array_get_nitems(&dims)?;
    array_check_bounds(&dims, &lbs)?;
    if nitems == 0 {
        return Ok(Array { elem_type, dims: Vec::new(), elems: Vec::new() });
    }
    let elems = read_array_str(&b[p..], string, nitems as usize, &dims, elem_in, delimiter)?;
    let dims = dims.iter().zip(&lbs).map(|(&len, &lower)| ArrayDim { len, lower }).collect();
    Ok(Array { elem_type, dims, elems })
}

/// ReadArrayStr: the second pass, de-quoting each element and converting
/// it. The literal is already validated, so errors here carry no detail.
fn read_array_str(
    b: &[u8],
    orig: &str,
    nitems: usize,
    dims: &[i32],
    elem_in: &mut dyn FnMut(&str) -> Result<Datum>,
    delim: u8,
) -> Result<Vec<Datum>> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let ndim = dims.len();
    let mut prod = vec![1i64; ndim];
    for i in (0..ndim.saturating_sub(1)).rev() {
        prod[i] = prod[i + 1] * i64::from(dims[i + 1]);
    }
    let mut indx = [0i64; MAXDIM];
    let mut values: Vec<Option<Datum>> = vec![None; nitems];
    let mut nest_level = 0usize;
    let mut in_quotes = false;
    let mut eo_array = false;
    let mut src = 0usize;
    let offset = |indx: &[i64; MAXDIM]| (0..ndim).map(|k| indx[k] * prod[k]).sum::<i64>();
    while !eo_array {
        let mut itemdone = false;
        let mut leadingspace = true;
        let mut hasquoting = false;
        let mut item: Vec<u8> = Vec::new();
        let mut item_end = 0usize;
        let mut i: i64 = -1;
        while !itemdone {
            let c = at(src);
            match c {
                0 => return Err(malformed(orig)),
                b'\\' => {
                    src += 1;
                    if at(src) == 0 {
                        return Err(malformed(orig));
                    }
                    item.push(at(src));
                    src += 1;
                    leadingspace = false;
                    item_end = item.len();
                    hasquoting = true;
                }
                b'"' => {
                    in_quotes = !in_quotes;
                    if in_quotes {
                        leadingspace = false;
                    } else {
                        item_end = item.len();
                    }
                    hasquoting = true;
                    src += 1;
                }
                b'{' if !in_quotes => {
                    if nest_level >= ndim {
                        return Err(malformed(orig));
                    }
                    nest_level += 1;
                    indx[nest_level - 1] = 0;
                    src += 1;
                }
                b'}' if !in_quotes => {
                    if nest_level == 0 {
                        return Err(malformed(orig));
                    }
                    if i == -1 {
                        i = offset(&indx);
                    }
                    indx[nest_level - 1] = 0;
                    nest_level -= 1;
                    if nest_level == 0 {
                        eo_array = true;
                        itemdone = true;
                    } else {
                        indx[nest_level - 1] += 1;
                    }
                    src += 1;
                }
                _ if in_quotes => {
                    item.push(c);
                    src += 1;
                }
                _ if c == delim => {
                    if i == -1 {
                        i = offset(&indx);
                    }
                    itemdone = true;
                    indx[ndim - 1] += 1;
                    src += 1;
                }
                _ if array_isspace(c) => {
                    if !leadingspace {
                        item.push(c);
                    }
                    src += 1;
                }
                _ => {
                    item.push(c);
                    src += 1;
                    leadingspace = false;
                    item_end = item.len();
                }
            }
        }
        item.truncate(item_end);
        let Some(slot) = usize::try_from(i).ok().and_then(|i| values.get_mut(i)) else {
            return Err(malformed(orig));
        };
        let text = String::from_utf8(item).map_err(|_| malformed(orig))?;
        *slot = Some(if !hasquoting && text.eq_ignore_ascii_case("NULL") { Datum::Null } else { elem_in(&text)? });
    }
    Ok(values.into_iter().map(|v| v.unwrap_or(Datum::Null)).collect())
}

/// array_out: `{...}` with nested braces per dimension, `[lo:hi]...=` in
/// front when any lower bound is not 1, `NULL` for null elements, and
/// double quotes (with `"` and `\` backslash-escaped) around elements that
/// are empty, equal NULL in any case, or contain a quote, backslash, brace,
/// the delimiter or whitespace.
pub fn array_out(arr: &Array, elem_out: &mut dyn FnMut(&Datum) -> Result<String>, delimiter: u8) -> Result<String> {
    let ndim = arr.dims.len();
    let dims: Vec<i32> = arr.dims.iter().map(|d| d.len).collect();
    let nitems = array_get_nitems(&dims)? as usize;
    if nitems == 0 {
        return Ok("{}".to_string());
    }
    if arr.elems.len() != nitems || ndim > MAXDIM {
        return Err(Error::internal(format!("array has {} elements but its dimensions give {nitems}", arr.elems.len())));
    }
    let mut out = String::new();
    if arr.dims.iter().any(|d| d.lower != 1) {
        for d in &arr.dims {
            out.push_str(&format!("[{}:{}]", d.lower, i64::from(d.lower) + i64::from(d.len) - 1));
        }
        out.push('=');
    }
    out.push('{');
    let mut indx = [0i32; MAXDIM];
    let mut j = 0usize;
    let mut k = 0usize;
    loop {
        for _ in j..ndim - 1 {
            out.push('{');
        }
        match &arr.elems[k] {
            Datum::Null => out.push_str("NULL"),
            e => {
                let v = elem_out(e)?;
                let needquote = v.is_empty()
                    || v.eq_ignore_ascii_case("NULL")
                    || v.bytes().any(|c| c == b'"' || c == b'\\' || c == b'{' || c == b'}' || c == delimiter || array_isspace(c));
                if needquote {
                    out.push('"');
                    for ch in v.chars() {
                        if ch == '"' || ch == '\\' {
                            out.push('\\');
                        }
                        out.push(ch);
                    }
                    out.push('"');
                } else {
                    out.push_str(&v);
                }
            }
        }
        k += 1;
        let mut i = ndim;
        let mut done = true;
        while i > 0 {
            i -= 1;
            indx[i] += 1;
            if indx[i] < dims[i] {
                out.push(delimiter as char);
                done = false;
                break;
            }
            indx[i] = 0;
            out.push('}');
        }
        if done {
            break;
        }
        j = i;
    }
    Ok(out)
}

/// ARRAY[sub, sub, ...] with array-valued items (ExecEvalArrayExpr's
/// multidimensional case): the sub-arrays must have identical dimensions
/// and bounds; NULL or empty items are allowed only if all items are, which
/// gives an empty array.
pub fn array_construct_md(elem_type: Oid, items: &[Datum]) -> Result<Array> {
    let mismatch = || Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, "multidimensional arrays must have array expressions with matching dimensions");
    let mut first: Option<&Array> = None;
    let mut have_empty = false;
    let mut elems = Vec::new();
    let mut outer = 0;
    for item in items {
        let a = match item {
            Datum::Array(a) if !a.dims.is_empty() => a,
            Datum::Null | Datum::Array(_) => {
                have_empty = true;
                continue;
            }
            other => {
                return Err(Error::internal(format!("ARRAY[] sub-item is not an array: {other:?}")));
            }
        };
        match first {
            None => {
                if a.dims.len() + 1 > MAXDIM {
                    return Err(too_many_dims(a.dims.len() + 1));
                }
                first = Some(a);
            }
            Some(f) if f.dims != a.dims => return Err(mismatch()),
            Some(_) => {}
        }
        elems.extend(a.elems.iter().cloned());
        outer += 1;
    }
    let Some(f) = first else {
        return Ok(Array { elem_type, dims: Vec::new(), elems: Vec::new() });
    };
    if have_empty {
        return Err(mismatch());
    }
    let mut dims = vec![ArrayDim { len: outer, lower: 1 }];
    dims.extend_from_slice(&f.dims);
    let lens: Vec<i32> = dims.iter().map(|d| d.len).collect();
    let lbs: Vec<i32> = dims.iter().map(|d| d.lower).collect();
    array_get_nitems(&lens)?;
    array_check_bounds(&lens, &lbs)?;
    Ok(Array { elem_type, dims, elems })
}

fn subscript_error(msg: &str) -> Error {
    Error::new(SqlState::ARRAY_SUBSCRIPT_ERROR, msg)
}

/// New dimensions as computed in i64 (PostgreSQL's int arithmetic, without
/// wrapping): the element count and bound checks of array_set_element/slice.
fn checked_dims(lens: &[i64], lbs: &[i64]) -> Result<(Vec<i32>, Vec<i32>)> {
    let mut l = Vec::with_capacity(lens.len());
    let mut b = Vec::with_capacity(lbs.len());
    for (&len, &lb) in lens.iter().zip(lbs) {
        l.push(i32::try_from(len).map_err(|_| size_exceeded())?);
        b.push(i32::try_from(lb).map_err(|_| size_exceeded())?);
    }
    array_get_nitems(&l)?;
    array_check_bounds(&l, &b)?;
    Ok((l, b))
}

/// The slot at `i` of an element vector whose length the dimensions promised.
fn slot(elems: &mut [Datum], i: usize) -> Result<&mut Datum> {
    elems.get_mut(i).ok_or_else(|| Error::internal("array elements do not match its dimensions"))
}

/// Row-major offset of a subscript tuple (ArrayGetOffset).
fn linear_offset(dims: &[ArrayDim], indx: &[i64]) -> usize {
    let mut offset: i64 = 0;
    let mut scale: i64 = 1;
    for (d, &i) in dims.iter().zip(indx).rev() {
        offset += (i - i64::from(d.lower)) * scale;
        scale *= i64::from(d.len);
    }
    offset as usize
}

/// array_set_element: `arr[indx…] := value`. An empty array becomes one
/// element with the subscripts as lower bounds; a one-dimensional array
/// grows to reach the subscript, padding with NULLs; a multidimensional one
/// must already contain it.
pub fn array_set_element(arr: &Array, indx: &[i32], value: Datum) -> Result<Array> {
    if indx.is_empty() || indx.len() > MAXDIM {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    let ndim = arr.dims.len();
    if ndim == 0 {
        let (lens, lbs) = checked_dims(&vec![1; indx.len()], &indx.iter().map(|&i| i64::from(i)).collect::<Vec<_>>())?;
        let dims = lens.iter().zip(&lbs).map(|(&len, &lower)| ArrayDim { len, lower }).collect();
        return Ok(Array { elem_type: arr.elem_type, dims, elems: vec![value] });
    }
    if ndim != indx.len() {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    if ndim == 1 {
        let (old_len, old_lb, i) = (i64::from(arr.dims[0].len), i64::from(arr.dims[0].lower), i64::from(indx[0]));
        let (mut len, mut lb) = (old_len, old_lb);
        if i < lb {
            len += lb - i;
            lb = i;
        }
        if i >= len + lb {
            len += i - (len + lb) + 1;
        }
        let (lens, lbs) = checked_dims(&[len], &[lb])?;
        let mut elems = vec![Datum::Null; lens[0] as usize];
        let shift = (old_lb - lb) as usize;
        for (k, e) in arr.elems.iter().enumerate() {
            *slot(&mut elems, shift + k)? = e.clone();
        }
        *slot(&mut elems, (i - lb) as usize)? = value;
        return Ok(Array { elem_type: arr.elem_type, dims: vec![ArrayDim { len: lens[0], lower: lbs[0] }], elems });
    }
    for (d, &i) in arr.dims.iter().zip(indx) {
        if i < d.lower || i64::from(i) >= i64::from(d.len) + i64::from(d.lower) {
            return Err(subscript_error("array subscript out of range"));
        }
    }
    let mut out = arr.clone();
    let off = linear_offset(&arr.dims, &indx.iter().map(|&i| i64::from(i)).collect::<Vec<_>>());
    *slot(&mut out.elems, off)? = value;
    Ok(out)
}

/// array_set_slice: `arr[lower:upper, …] := src`, the slice filled from the
/// source's elements in order (its shape is ignored; extra ones are unused).
/// Omitted bounds are the array's own; a one-dimensional array may grow,
/// padding with NULLs. (A NULL source leaves the array unchanged: the
/// caller's case.)
pub fn array_set_slice(arr: &Array, lower: &[Option<i32>], upper: &[Option<i32>], src: &Array) -> Result<Array> {
    let nsub = lower.len().min(upper.len());
    if nsub == 0 || nsub > MAXDIM {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    let ndim = arr.dims.len();
    if ndim == 0 {
        let mut lens = Vec::with_capacity(nsub);
        let mut lbs = Vec::with_capacity(nsub);
        for k in 0..nsub {
            let (Some(lo), Some(hi)) = (lower[k], upper[k]) else {
                return Err(subscript_error("array slice subscript must provide both boundaries")
                    .with_detail("When assigning to a slice of an empty array value, slice boundaries must be fully specified."));
            };
            lens.push(1 + i64::from(hi) - i64::from(lo));
            lbs.push(i64::from(lo));
        }
        let l: Vec<i32> = lens.iter().map(|&x| i32::try_from(x).unwrap_or(-1)).collect();
        let n = array_get_nitems(&l)?;
        if (src.elems.len() as i64) < n {
            return Err(subscript_error("source array too small"));
        }
        if n == 0 {
            return Ok(Array { elem_type: arr.elem_type, dims: vec![], elems: vec![] });
        }
        let (lens, lbs) = checked_dims(&lens, &lbs)?;
        let dims = lens.iter().zip(&lbs).map(|(&len, &lower)| ArrayDim { len, lower }).collect();
        return Ok(Array { elem_type: arr.elem_type, dims, elems: src.elems.iter().take(n as usize).cloned().collect() });
    }
    if ndim < nsub {
        return Err(subscript_error("wrong number of array subscripts"));
    }
    let mut lens: Vec<i64> = arr.dims.iter().map(|d| i64::from(d.len)).collect();
    let mut lbs: Vec<i64> = arr.dims.iter().map(|d| i64::from(d.lower)).collect();
    let mut lo = vec![0i64; ndim];
    let mut hi = vec![0i64; ndim];
    for k in 0..ndim {
        lo[k] = lower.get(k).copied().flatten().map_or(lbs[k], i64::from);
        hi[k] = upper.get(k).copied().flatten().map_or(lens[k] + lbs[k] - 1, i64::from);
        if k >= nsub {
            lo[k] = lbs[k];
            hi[k] = lens[k] + lbs[k] - 1;
        }
        if lo[k] > hi[k] {
            return Err(subscript_error("upper bound cannot be less than lower bound"));
        }
        if ndim > 1 && k < nsub && (lo[k] < lbs[k] || hi[k] >= lens[k] + lbs[k]) {
            return Err(subscript_error("array subscript out of range"));
        }
    }
    if ndim == 1 {
        if lo[0] < lbs[0] {
            lens[0] += lbs[0] - lo[0];
            lbs[0] = lo[0];
        }
        if hi[0] >= lens[0] + lbs[0] {
            lens[0] += hi[0] - (lens[0] + lbs[0]) + 1;
        }
    }
    let (new_lens, new_lbs) = checked_dims(&lens, &lbs)?;
    let span: Vec<i64> = lo.iter().zip(&hi).map(|(l, h)| h - l + 1).collect();
    let nsrc: i64 = span.iter().product();
    if nsrc > src.elems.len() as i64 {
        return Err(subscript_error("source array too small"));
    }
    let dims: Vec<ArrayDim> = new_lens.iter().zip(&new_lbs).map(|(&len, &lower)| ArrayDim { len, lower }).collect();
    if ndim == 1 {
        let mut elems = vec![Datum::Null; new_lens[0] as usize];
        let shift = (i64::from(arr.dims[0].lower) - lbs[0]) as usize;
        for (k, e) in arr.elems.iter().enumerate() {
            *slot(&mut elems, shift + k)? = e.clone();
        }
        let start = (lo[0] - lbs[0]) as usize;
        for (k, e) in src.elems.iter().take(nsrc as usize).enumerate() {
            *slot(&mut elems, start + k)? = e.clone();
        }
        return Ok(Array { elem_type: arr.elem_type, dims, elems });
    }
    // Multidimensional: the slice's positions in row-major order.
    let mut elems = arr.elems.clone();
    let mut cur = lo.clone();
    for e in src.elems.iter().take(nsrc as usize) {
        *slot(&mut elems, linear_offset(&dims, &cur))? = e.clone();
        let mut k = ndim;
        while k > 0 {
            k -= 1;
            if cur[k] < hi[k] {
                cur[k] += 1;
                break;
            }
            cur[k] = lo[k];
        }
    }
    Ok(Array { elem_type: arr.elem_type, dims, elems })
}

/// int2vectorin: space-separated smallints (strtol syntax); after a number
/// only a space or the end may follow. Errors quote the rest of the input.
pub fn int2vectorin(s: &str) -> Result<Vec<i16>> {
    let s = cstr(s);
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut p = 0;
    loop {
        while p < b.len() && is_c_space(b[p]) {
            p += 1;
        }
        if p >= b.len() {
            break;
        }
        let rest = &s[p..];
        // strtol: like strtoul, but the magnitude must fit a long.
        let rb = rest.as_bytes();
        let neg = rb.first() == Some(&b'-');
        let (mag, used, erange) = strtoul(rb);
        if used == 0 {
            return Err(invalid_syntax("smallint", rest));
        }
        let mag = if neg { mag.wrapping_neg() } else { mag };
        let long_range = if neg { mag <= 1 << 63 } else { mag < 1 << 63 };
        let v = if neg { -(mag as i128) } else { mag as i128 };
        if erange || !long_range || v < i128::from(i16::MIN) || v > i128::from(i16::MAX) {
            return Err(value_out_of_range(rest, "smallint"));
        }
        if used < rb.len() && rb[used] != b' ' {
            return Err(invalid_syntax("smallint", rest));
        }
        out.push(v as i16);
        p += used;
    }
    Ok(out)
}

/// int2vectorout: the numbers separated by single spaces.
pub fn int2vectorout(v: &[i16]) -> String {
    v.iter().map(i16::to_string).collect::<Vec<_>>().join(" ")
}

/// oidvectorin: space-separated OIDs (oidin's syntax and range).
pub fn oidvectorin(s: &str) -> Result<Vec<Oid>> {
    let s = cstr(s);
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut p = 0;
    loop {
        while p < b.len() && is_c_space(b[p]) {
            p += 1;
        }
        if p >= b.len() {
            break;
        }
        let (o, used) = oidin_subr(&s[p..], false)?;
        out.push(o);
        p += used;
    }
    Ok(out)
}

/// oidvectorout: the OIDs separated by single spaces.
pub fn oidvectorout(v: &[Oid]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}
