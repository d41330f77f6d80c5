//! PostgreSQL's in-memory sort (src/include/lib/sort_template.h, as
//! tuplesort's qsort_tuple uses it): Bentley & McIlroy's quicksort with
//! median-of-three pivots, insertion sort below 7 elements and a presorted
//! check. It is not stable, and rows that compare equal come out in the
//! order this exact algorithm leaves them in, which is what queries ordering
//! by non-unique keys (and window functions over peers) show in PostgreSQL.

use std::cmp::Ordering;

/// Sorts `v` in place exactly as PostgreSQL's qsort does with comparator `cmp`.
pub fn pg_qsort<T>(v: &mut [T], cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    sort(v, 0, v.len(), cmp);
}

fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &mut dyn FnMut(&T, &T) -> Ordering) -> usize {
    if cmp(&v[a], &v[b]).is_lt() {
        if cmp(&v[b], &v[c]).is_lt() {
            b
        } else if cmp(&v[a], &v[c]).is_lt() {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]).is_gt() {
        b
    } else if cmp(&v[a], &v[c]).is_lt() {
        a
    } else {
        c
    }
}

fn swapn<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

fn sort<T>(v: &mut [T], start: usize, len: usize, cmp: &mut dyn FnMut(&T, &T) -> Ordering) {
    let (mut a, mut n) = (start, len);
    loop {
        if n < 7 {
            for pm in a + 1..a + n {
                let mut pl = pm;
                while pl > a && cmp(&v[pl - 1], &v[pl]).is_gt() {
                    v.swap(pl, pl - 1);
                    pl -= 1;
                }
            }
            return;
        }
        if (a + 1..a + n).all(|pm| !cmp(&v[pm - 1], &v[pm]).is_gt()) {
            return;
        }
        let mut pm = a + n / 2;
        if n > 7 {
            let mut pl = a;
            let mut pn = a + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(v, pm - d, pm, pm + d, cmp);
                pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(v, pl, pm, pn, cmp);
        }
        v.swap(a, pm);
        let (mut pa, mut pb) = (a + 1, a + 1);
        let (mut pc, mut pd) = (a + n - 1, a + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[a]);
                if r.is_gt() {
                    break;
                }
                if r.is_eq() {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[a]);
                if r.is_lt() {
                    break;
                }
                if r.is_eq() {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let pn = a + n;
        let d1 = (pa - a).min(pb - pa);
        swapn(v, a, pb - d1, d1);
        let d1 = (pd - pc).min(pn - pd - 1);
        swapn(v, pb, pn - d1, d1);
        let d1 = pb - pa;
        let d2 = pd - pc;
        if d1 <= d2 {
            if d1 > 1 {
                sort(v, a, d1, cmp);
            }
            if d2 > 1 {
                a = pn - d2;
                n = d2;
                continue;
            }
        } else {
            if d2 > 1 {
                sort(v, pn - d2, d2, cmp);
            }
            if d1 > 1 {
                n = d1;
                continue;
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::pg_qsort;

    #[test]
    fn sorts_like_a_sort() {
        let mut seed = 12345u64;
        for len in [0usize, 1, 2, 6, 7, 8, 40, 41, 100, 1000] {
            let mut v: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    (((seed >> 33) % 17) as u32, i)
                })
                .collect();
            pg_qsort(&mut v, &mut |a, b| a.0.cmp(&b.0));
            assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
            let mut ids: Vec<usize> = v.iter().map(|x| x.1).collect();
            ids.sort();
            assert_eq!(ids, (0..len).collect::<Vec<_>>());
        }
    }

    #[test]
    fn equal_keys_are_not_kept_in_input_order() {
        // Ten rows whose first key ties: PostgreSQL's qsort moves them.
        let mut v: Vec<(u32, usize)> = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3].iter().copied().zip(0..).collect();
        v.swap(0, 9);
        pg_qsort(&mut v, &mut |a, b| a.0.cmp(&b.0));
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
