//! Package `list`: list construction, slicing, sorting and aggregation,
//! and the list validators (`MinItems`, `UniqueItems`, `IsSorted`, ...).

use crate::value::Text;
use std::cmp::Ordering;

use super::{check_size, f, int, v, Args, Def, Failure, R};
use crate::eval::{CKind, Conjunct, Engine};
use crate::meet::meet;
use crate::num::Num;
use crate::value::{atoms_cmp, atoms_equal, ErrKind, VId, Value};

pub const FUNCS: &[Def] = &[
    f("Concat", 1, concat),
    v("Contains", 2, contains),
    f("FlattenN", 2, |en, a| {
        let (elems, depth) = (a.list(en, 0)?, a.int(1)?);
        let mut out = Vec::new();
        flatten(en, &elems, depth, &mut out);
        Ok(en.list_of(out))
    }),
    f("Repeat", 2, repeat),
    f("Range", 3, range),
    f("Take", 2, |en, a| {
        let (elems, n) = (a.list(en, 0)?, a.int(1)?);
        if n < 0 {
            return Err(a.fail("negative index"));
        }
        let n = (n as usize).min(elems.len());
        Ok(sublist(en, &elems[..n]))
    }),
    f("Drop", 2, |en, a| {
        let (elems, n) = (a.list(en, 0)?, a.int(1)?);
        if n < 0 {
            return Err(a.fail("negative index"));
        }
        let n = (n as usize).min(elems.len());
        Ok(sublist(en, &elems[n..]))
    }),
    f("Slice", 3, |en, a| {
        let (elems, i, j) = (a.list(en, 0)?, a.int(1)?, a.int(2)?);
        if i < 0 || j < 0 {
            return Err(a.fail("negative index"));
        }
        if i > j {
            return Err(a.fail(format!("invalid index: {i} > {j}")));
        }
        if j as usize > elems.len() {
            return Err(a.fail(format!(
                "slice bounds out of range [:{j}] with capacity {}",
                elems.len()
            )));
        }
        Ok(sublist(en, &elems[i as usize..j as usize]))
    }),
    f("Reverse", 1, |en, a| {
        let mut elems = a.list(en, 0)?;
        elems.reverse();
        Ok(sublist(en, &elems))
    }),
    f("Sum", 1, |en, a| {
        let nums = a.nums(en, 0)?;
        Ok(Value::num(nums.iter().fold(Num::int(0), |x, y| x.add(y))))
    }),
    f("Product", 1, |en, a| {
        let nums = a.nums(en, 0)?;
        Ok(Value::num(nums.iter().fold(Num::int(1), |x, y| x.mul(y))))
    }),
    f("Avg", 1, |en, a| {
        let nums = a.nums(en, 0)?;
        if nums.is_empty() {
            return Err(a.fail("empty list"));
        }
        let sum = nums.iter().fold(Num::int(0), |x, y| x.add(y));
        let avg = sum
            .div(&Num::int(nums.len() as i64))
            .map_err(|e| a.fail(format!("{e:?}")))?;
        Ok(Value::num(avg))
    }),
    f("Max", 1, |en, a| extreme(en, a, Ordering::Greater)),
    f("Min", 1, |en, a| extreme(en, a, Ordering::Less)),
    v("MinItems", 2, |en, a| {
        Ok(Value::Bool(a.list(en, 0)?.len() as i64 >= a.int(1)?))
    }),
    v("MaxItems", 2, |en, a| {
        Ok(Value::Bool(a.list(en, 0)?.len() as i64 <= a.int(1)?))
    }),
    v("UniqueItems", 1, unique_items),
    f("Sort", 2, |en, a| sort(en, a, false)),
    f("SortStable", 2, |en, a| sort(en, a, true)),
    f("SortStrings", 1, |en, a| {
        let mut items = a.strs(en, 0)?;
        items.sort();
        let vals = items.into_iter().map(Value::Str).collect();
        Ok(super::value_list(en, vals))
    }),
    v("IsSorted", 2, |en, a| {
        let elems = a.list(en, 0)?;
        let cmp = comparator(a, 1)?;
        for w in elems.windows(2) {
            if less(en, a, &cmp, w[1], w[0])? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    }),
    v("IsSortedStrings", 1, |en, a| {
        let items = a.strs(en, 0)?;
        Ok(Value::Bool(items.windows(2).all(|w| w[0] <= w[1])))
    }),
    v("MatchN", 3, match_n),
];

/// `list.Ascending` and `list.Descending` are comparators the sort
/// functions recognise; they are not usable as plain structs here.
pub fn constant(_: &mut Engine, name: &str) -> Option<Value> {
    match name {
        "Ascending" | "Descending" => {
            Some(Value::Func(Text::from(format!("list.{name}").as_str())))
        }
        _ => None,
    }
}

fn sublist(en: &mut Engine, elems: &[VId]) -> Value {
    en.list_of(elems.iter().map(|&e| CKind::Vertex(e)).collect())
}

fn concat(en: &mut Engine, a: &Args) -> R {
    let outer = a.list(en, 0)?;
    let mut elems = Vec::new();
    for l in outer {
        let v = en.vertex_value(l);
        let v = en.default_of(v);
        if let Value::Bottom(e) = &v {
            return Err((e.kind, e.msg.clone()));
        }
        let inner = en.list_elems(&v).ok_or_else(|| a.type_err(&v, "list", 0))?;
        check_size(
            "list.Concat",
            elems.len().checked_add(inner.len()),
            en.limits().max_list_elems,
        )?;
        elems.extend(inner.into_iter().map(CKind::Vertex));
    }
    Ok(en.list_of(elems))
}

fn contains(en: &mut Engine, a: &Args) -> R {
    let elems = a.list(en, 0)?;
    let want = a.value(1)?.clone();
    for e in elems {
        let v = en.vertex_value(e);
        let v = en.default_of(v);
        let eq = match (&v, &want) {
            (Value::Vertex(x), Value::Vertex(y)) => en.equal(*x, *y),
            _ => atoms_equal(&v, &want) == Some(true),
        };
        if eq {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn repeat(en: &mut Engine, a: &Args) -> R {
    let (elems, n) = (a.list(en, 0)?, a.int(1)?);
    if n < 0 {
        return Err(a.fail("negative count"));
    }
    let total = elems.len().checked_mul(n as usize);
    check_size("list.Repeat", total, en.limits().max_list_elems)?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.extend(elems.iter().map(|&e| CKind::Vertex(e)));
    }
    Ok(en.list_of(out))
}

fn range(en: &mut Engine, a: &Args) -> R {
    let (start, limit, step) = (a.num(0)?, a.num(1)?, a.num(2)?);
    if step.is_zero() {
        return Err(a.fail("step must be non zero"));
    }
    let up = !step.is_negative();
    if up && start.cmp_value(&limit).is_gt() {
        return Err(a.fail("end must be greater than start when step is positive"));
    }
    if !up && start.cmp_value(&limit).is_lt() {
        return Err(a.fail("end must be less than start when step is negative"));
    }
    // Refuse an oversized range before building any of it.
    let last = start.add(&step.mul(&Num::int(en.limits().max_list_elems as i64)));
    if (up && last.cmp_value(&limit).is_lt()) || (!up && last.cmp_value(&limit).is_gt()) {
        check_size("list.Range", None, en.limits().max_list_elems)?;
    }
    let mut out = Vec::new();
    let mut x = start;
    while (up && x.cmp_value(&limit).is_lt()) || (!up && x.cmp_value(&limit).is_gt()) {
        check_size(
            "list.Range",
            Some(out.len() + 1),
            en.limits().max_list_elems,
        )?;
        out.push(en.value_kind(Value::num(x.clone())));
        x = x.add(&step);
    }
    Ok(en.list_of(out))
}

fn flatten(en: &mut Engine, elems: &[VId], depth: i64, out: &mut Vec<CKind>) {
    for &e in elems {
        let v = en.vertex_value(e);
        match en.list_elems(&v) {
            Some(inner) if depth != 0 => flatten(en, &inner, depth - 1, out),
            _ => out.push(CKind::Vertex(e)),
        }
    }
}

fn extreme(en: &mut Engine, a: &Args, keep: Ordering) -> R {
    let nums = a.nums(en, 0)?;
    let best = nums
        .into_iter()
        .reduce(|x, y| if y.cmp_value(&x) == keep { y } else { x });
    best.map(Value::num).ok_or_else(|| a.fail("empty list"))
}

fn unique_items(en: &mut Engine, a: &Args) -> R {
    let elems = a.list(en, 0)?;
    let vals: Vec<Value> = elems
        .iter()
        .map(|&e| {
            let v = en.vertex_value(e);
            en.default_of(v)
        })
        .collect();
    for i in 0..vals.len() {
        for j in i + 1..vals.len() {
            let eq = match (&vals[i], &vals[j]) {
                (Value::Vertex(x), Value::Vertex(y)) => en.equal(*x, *y),
                (x, y) => atoms_equal(x, y) == Some(true) && x.kind() == y.kind(),
            };
            if eq {
                return Ok(Value::Bool(false));
            }
        }
    }
    Ok(Value::Bool(true))
}

/// How two elements are ordered: a standard comparator, or a struct
/// `{x: _, y: _, less: bool}` unified with each pair.
enum Comparator {
    Ascending,
    Descending,
    Struct(VId),
}

fn comparator(a: &Args, i: usize) -> Result<Comparator, Failure> {
    match a.value(i)? {
        Value::Func(n) if n.as_ref() == "list.Ascending" => Ok(Comparator::Ascending),
        Value::Func(n) if n.as_ref() == "list.Descending" => Ok(Comparator::Descending),
        Value::Vertex(w) => Ok(Comparator::Struct(*w)),
        other => Err(a.type_err(other, "struct", i)),
    }
}

fn less(en: &mut Engine, a: &Args, cmp: &Comparator, x: VId, y: VId) -> Result<bool, Failure> {
    let w = match cmp {
        Comparator::Ascending | Comparator::Descending => {
            let (vx, vy) = (en.vertex_value(x), en.vertex_value(y));
            let (vx, vy) = (en.default_of(vx), en.default_of(vy));
            let ord = atoms_cmp(&vx, &vy)
                .filter(|_| vx.kind() == vy.kind() || matches!(vx, Value::Num(_)));
            let Some(ord) = ord else {
                return Err(a.fail(format!(
                    "cannot compare {} and {}",
                    crate::meet::describe(&vx),
                    crate::meet::describe(&vy)
                )));
            };
            return Ok(match cmp {
                Comparator::Ascending => ord.is_lt(),
                _ => ord.is_gt(),
            });
        }
        Comparator::Struct(w) => *w,
    };
    let trial = en.new_vertex(None, None);
    let xy = en.struct_of(vec![
        ("x".to_string(), CKind::Vertex(x)),
        ("y".to_string(), CKind::Vertex(y)),
    ]);
    for kind in [CKind::Vertex(w), en.value_kind(xy)] {
        en.v[trial as usize].conjuncts.push(Conjunct {
            kind,
            env: 0,
            node: 0,
        });
    }
    en.process(trial);
    let label = en.labels.string("less");
    let Some(l) = en.arc(en.deref(trial), label) else {
        return Err(a.fail("field not found: less"));
    };
    let v = en.vertex_value(l);
    match en.default_of(v) {
        Value::Bool(b) => Ok(b),
        Value::Bottom(e) => Err((e.kind, e.msg.clone())),
        other if other.is_atom() => Err(a.type_err(&other, "bool", 1)),
        _ => Err((ErrKind::Incomplete, "non-concrete value for less".into())),
    }
}

/// Merge sort with a fallible comparison; stable, so `Sort` and
/// `SortStable` agree.
fn sort(en: &mut Engine, a: &Args, _stable: bool) -> R {
    let elems = a.list(en, 0)?;
    let cmp = comparator(a, 1)?;
    let sorted = merge_sort(en, a, &cmp, elems)?;
    Ok(sublist(en, &sorted))
}

fn merge_sort(
    en: &mut Engine,
    a: &Args,
    cmp: &Comparator,
    v: Vec<VId>,
) -> Result<Vec<VId>, Failure> {
    if v.len() <= 1 {
        return Ok(v);
    }
    let mut left = v;
    let right = left.split_off(left.len() / 2);
    let left = merge_sort(en, a, cmp, left)?;
    let right = merge_sort(en, a, cmp, right)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if less(en, a, cmp, right[j], left[i])? {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}

/// `MatchN(list, n, schema)`: the number of elements that unify with
/// `schema` satisfies `n` (a number or a bound).
fn match_n(en: &mut Engine, a: &Args) -> R {
    let elems = a.list(en, 0)?;
    let count = match a.vals.get(1) {
        Some(c @ (Value::Num(_) | Value::Bound(..) | Value::Conj(_))) => c.clone(),
        Some(other) => return Err(a.type_err(other, "number", 1)),
        None => return Err(a.fail("missing argument 2")),
    };
    let schema = a.vals.get(2).cloned().unwrap_or(Value::Top);
    let mut matched = 0i64;
    for e in elems {
        let trial = en.new_vertex(None, None);
        for kind in [CKind::Vertex(e), en.value_kind(schema.clone())] {
            en.v[trial as usize].conjuncts.push(Conjunct {
                kind,
                env: 0,
                node: 0,
            });
        }
        en.process(trial);
        if en.first_error(trial).is_none() {
            matched += 1;
        }
    }
    let ok = !meet(&count, &int(matched)).is_bottom();
    Ok(Value::Bool(ok))
}
