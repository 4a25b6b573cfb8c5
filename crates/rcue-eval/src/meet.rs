//! The meet (`&`) of scalar values, basic types and bounds (spec: Values,
//! Unification, Bounds). Structs and lists are unified in the engine.

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use crate::ir::kind;
use crate::value::{atoms_cmp, atoms_equal, kind_name, BoundOp, ErrKind, EvalError, Value};

type CachedRegex = Result<Rc<regex::Regex>, String>;

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, CachedRegex>> = RefCell::new(HashMap::new());
}

/// Compiles (and caches) an RE2-syntax regular expression. The cache hands
/// out shared references: a cloned `Regex` starts with an empty pool of
/// matching caches, and building one per match cost more than the match.
pub fn regex(pattern: &str) -> Result<Rc<regex::Regex>, String> {
    REGEX_CACHE.with(|c| {
        if let Some(r) = c.borrow().get(pattern) {
            return r.clone();
        }
        let r = regex::Regex::new(pattern)
            .map(Rc::new)
            .map_err(|e| e.to_string());
        c.borrow_mut().insert(pattern.to_string(), r.clone());
        r
    })
}

/// How a value reads in messages, in CUE syntax.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Top => "_".into(),
        Value::Bottom(_) => "_|_".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(n) => n.to_json(),
        Value::Str(s) => quote(s),
        Value::Bytes(b) => format!("'{}'", String::from_utf8_lossy(b)),
        Value::Kind(k) => kind_name(*k),
        Value::Bound(op, x) => format!("{}{}", op.as_str(), describe(x)),
        Value::Conj(vs) => vs.iter().map(describe).collect::<Vec<_>>().join(" & "),
        Value::Vertex(_) => "{...}".into(),
        Value::Disj(ds) => {
            // Marks only mean something when they single out some disjuncts.
            let marked = ds.iter().any(|(_, d)| !d);
            ds.iter()
                .map(|(v, d)| format!("{}{}", if *d && marked { "*" } else { "" }, describe(v)))
                .collect::<Vec<_>>()
                .join(" | ")
        }
        Value::Builtin(_) => "builtin".into(),
        Value::Validator(v) => match v.as_ref() {
            crate::value::Validator::MatchN { text, .. }
            | crate::value::Validator::MatchIf { text, .. }
            | crate::value::Validator::Func { text, .. } => text.clone(),
        },
        Value::Package(p) => format!("package {p}"),
        Value::Func(f) => f.to_string(),
    }
}

/// A string literal as CUE (and JSON) would write it.
pub fn quote(s: &str) -> String {
    rcue_syntax::data::quote(s)
}

thread_local! {
    /// Set while `meet_quiet` runs: failures then carry no message.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static QUIET_ERR: Value = Value::err(ErrKind::Eval, "conflicting values");
}

/// `meet`, for callers that drop a failure's message: `None` when the
/// values conflict, found without formatting what the message would say
/// (disjunctions try many combinations that fail; describing each was a
/// fifth of the allocations of a large export).
pub fn meet_quiet(a: &Value, b: &Value) -> Option<Value> {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(self.0));
        }
    }
    let _restore = Restore(QUIET.with(|q| q.replace(true)));
    let m = meet(a, b);
    (!m.is_bottom()).then_some(m)
}

/// The failure of a meet: its message, unless nobody will read it.
fn failure(msg: impl FnOnce() -> String) -> Value {
    if QUIET.with(Cell::get) {
        return QUIET_ERR.with(Value::clone);
    }
    Value::Bottom(EvalError::new(ErrKind::Eval, msg()))
}

fn conflict(a: &Value, b: &Value) -> Value {
    failure(|| conflict_message(a, b))
}

fn conflict_message(a: &Value, b: &Value) -> String {
    let (ka, kb) = (a.kind(), b.kind());
    if ka & kb == 0 && !matches!(a, Value::Top) && !matches!(b, Value::Top) {
        format!(
            "conflicting values {} and {} (mismatched types {} and {})",
            describe(a),
            describe(b),
            kind_name(ka),
            kind_name(kb)
        )
    } else {
        format!("conflicting values {} and {}", describe(a), describe(b))
    }
}

/// Checks a concrete value against a bound.
pub fn check_bound(op: BoundOp, bound: &Value, x: &Value) -> Result<(), Value> {
    let fail = || {
        failure(|| {
            format!(
                "invalid value {} (out of bound {}{})",
                describe(x),
                op.as_str(),
                describe(bound)
            )
        })
    };
    match op {
        BoundOp::Ne => match atoms_equal(x, bound) {
            Some(true) => Err(fail()),
            _ => Ok(()),
        },
        BoundOp::Match | BoundOp::NotMatch => {
            let (Value::Str(re), Value::Str(s)) = (bound, x) else {
                return Err(conflict(&Value::Bound(op, Rc::new(bound.clone())), x));
            };
            let re = regex(re).map_err(|e| {
                Value::err(ErrKind::Eval, format!("invalid regular expression: {e}"))
            })?;
            if re.is_match(s) == (op == BoundOp::Match) {
                Ok(())
            } else {
                Err(fail())
            }
        }
        _ => {
            let Some(ord) = atoms_cmp(x, bound).filter(|_| {
                x.kind() & bound.kind() != 0
                    || (x.kind() & kind::NUMBER != 0 && bound.kind() & kind::NUMBER != 0)
            }) else {
                return Err(conflict(&Value::Bound(op, Rc::new(bound.clone())), x));
            };
            let ok = match op {
                BoundOp::Lt => ord == Ordering::Less,
                BoundOp::Le => ord != Ordering::Greater,
                BoundOp::Gt => ord == Ordering::Greater,
                BoundOp::Ge => ord != Ordering::Less,
                _ => true,
            };
            if ok {
                Ok(())
            } else {
                Err(fail())
            }
        }
    }
}

/// Unifies two non-struct values.
/// `meet(a, &b)`, moving `b` into the result when it is the result (the
/// common case of a field's value met with a concrete one): no reference
/// count is touched.
pub fn meet_owned(a: &Value, b: Value) -> Value {
    match a {
        Value::Top => b,
        Value::Kind(k) if b.is_atom() && b.kind() & k != 0 => b,
        Value::Bound(op, bound) if b.is_atom() => match check_bound(*op, bound, &b) {
            Ok(()) => b,
            Err(e) => e,
        },
        _ => meet(a, &b),
    }
}

pub fn meet(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Top, x) | (x, Value::Top) => x.clone(),
        (Value::Bottom(_), _) => a.clone(),
        (_, Value::Bottom(_)) => b.clone(),
        _ if a.is_atom() && b.is_atom() => match atoms_equal(a, b) {
            Some(true) if a.kind() == b.kind() => a.clone(),
            _ => conflict(a, b),
        },
        (x, Value::Kind(k)) | (Value::Kind(k), x) if x.is_atom() => {
            if x.kind() & k != 0 {
                x.clone()
            } else {
                conflict(&Value::Kind(*k), x)
            }
        }
        (Value::Kind(x), Value::Kind(y)) => {
            if x & y != 0 {
                Value::Kind(x & y)
            } else {
                conflict(a, b)
            }
        }
        (x, Value::Bound(op, bound)) | (Value::Bound(op, bound), x) if x.is_atom() => {
            match check_bound(*op, bound, x) {
                Ok(()) => x.clone(),
                Err(e) => e,
            }
        }
        (x, Value::Conj(cs)) | (Value::Conj(cs), x) if x.is_atom() => {
            let mut v = x.clone();
            for c in cs.iter() {
                v = meet(&v, c);
                if v.is_bottom() {
                    return v;
                }
            }
            v
        }
        _ => conjoin(a, b),
    }
}

/// Combines non-concrete constraints into a simplified conjunction.
fn conjoin(a: &Value, b: &Value) -> Value {
    let mut parts: Vec<Value> = Vec::new();
    for v in [a, b] {
        match v {
            Value::Conj(cs) => parts.extend(cs.iter().cloned()),
            _ => parts.push(v.clone()),
        }
    }
    if a.kind() & b.kind() == 0 {
        return conflict(a, b);
    }
    // Merge basic types into one mask; narrow it by the bounds' kinds.
    let mut mask = kind::TOP;
    let mut has_kind = false;
    let mut rest = Vec::new();
    for p in parts {
        match p {
            Value::Kind(k) => {
                mask &= k;
                has_kind = true;
            }
            Value::Top => {}
            p => {
                if !rest.iter().any(|r: &Value| same_constraint(r, &p)) {
                    rest.push(p)
                }
            }
        }
    }
    if mask == 0 {
        return conflict(a, b);
    }
    // Keep only the tightest numeric lower and upper bounds.
    let rest = simplify_bounds(rest, has_kind && mask == kind::INT);
    if let Some(v) = rest.iter().find(|v| v.is_bottom()) {
        return v.clone();
    }
    let mut out = Vec::new();
    let bound_mask = rest.iter().fold(kind::TOP, |k, v| k & v.kind());
    // A basic type implied by the bounds (`number` for `>=0`) is left out.
    if has_kind && (rest.is_empty() || mask != bound_mask) {
        out.push(Value::Kind(mask));
    }
    out.extend(rest);
    match out.len() {
        0 => Value::Top,
        1 => out.pop().unwrap(),
        _ => Value::Conj(Rc::new(out)),
    }
}

fn same_constraint(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Bound(o1, v1), Value::Bound(o2, v2)) => {
            o1 == o2 && atoms_equal(v1, v2) == Some(true) && v1.kind() == v2.kind()
        }
        _ => false,
    }
}

fn simplify_bounds(parts: Vec<Value>, int_only: bool) -> Vec<Value> {
    let mut lower: Option<(BoundOp, Value)> = None;
    let mut upper: Option<(BoundOp, Value)> = None;
    let mut rest = Vec::new();
    for p in parts {
        match &p {
            Value::Bound(op @ (BoundOp::Gt | BoundOp::Ge), v)
                if matches!(v.as_ref(), Value::Num(_)) =>
            {
                let tighter = match &lower {
                    None => true,
                    Some((lop, lv)) => match atoms_cmp(v, lv) {
                        Some(Ordering::Greater) => true,
                        Some(Ordering::Equal) => *op == BoundOp::Gt && *lop == BoundOp::Ge,
                        _ => false,
                    },
                };
                if tighter {
                    lower = Some((*op, v.as_ref().clone()));
                }
            }
            Value::Bound(op @ (BoundOp::Lt | BoundOp::Le), v)
                if matches!(v.as_ref(), Value::Num(_)) =>
            {
                let tighter = match &upper {
                    None => true,
                    Some((uop, uv)) => match atoms_cmp(v, uv) {
                        Some(Ordering::Less) => true,
                        Some(Ordering::Equal) => *op == BoundOp::Lt && *uop == BoundOp::Le,
                        _ => false,
                    },
                };
                if tighter {
                    upper = Some((*op, v.as_ref().clone()));
                }
            }
            _ => rest.push(p),
        }
    }
    if let (Some((lop, lv)), Some((uop, uv))) = (&lower, &upper) {
        let incompatible = || {
            Value::err(
                ErrKind::Eval,
                format!(
                    "incompatible bounds {}{} and {}{}",
                    lop.as_str(),
                    describe(lv),
                    uop.as_str(),
                    describe(uv)
                ),
            )
        };
        match atoms_cmp(lv, uv) {
            Some(Ordering::Greater) => return vec![incompatible()],
            Some(Ordering::Equal) => {
                // `>=1 & <=1` admits both 1 and 1.0: only an integer type
                // makes it one value.
                if *lop == BoundOp::Ge && *uop == BoundOp::Le && !int_only {
                    let mut out = vec![
                        Value::Bound(*lop, Rc::new(lv.clone())),
                        Value::Bound(*uop, Rc::new(uv.clone())),
                    ];
                    out.extend(rest);
                    return out;
                }
                if *lop == BoundOp::Ge && *uop == BoundOp::Le {
                    let mut out = vec![lv.clone()];
                    out.extend(rest);
                    return out;
                }
                return vec![incompatible()];
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some((op, v)) = lower {
        out.push(Value::Bound(op, Rc::new(v)));
    }
    if let Some((op, v)) = upper {
        out.push(Value::Bound(op, Rc::new(v)));
    }
    out.extend(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::Num;
    use crate::value::Text;

    fn int(i: i64) -> Value {
        Value::num(Num::int(i))
    }
    fn s(x: &str) -> Value {
        Value::Str(Text::from(x))
    }
    fn b(op: BoundOp, v: Value) -> Value {
        Value::Bound(op, Rc::new(v))
    }

    #[test]
    fn atoms_and_kinds() {
        assert_eq!(describe(&meet(&int(1), &int(1))), "1");
        assert!(meet(&int(1), &int(2)).is_bottom());
        assert_eq!(describe(&meet(&Value::Kind(kind::INT), &int(3))), "3");
        assert!(meet(&Value::Kind(kind::STRING), &int(3)).is_bottom());
        assert_eq!(
            describe(&meet(&Value::Kind(kind::NUMBER), &Value::Kind(kind::INT))),
            "int"
        );
        assert!(meet(&Value::num(Num::float(10, -1)), &int(1)).is_bottom());
    }

    #[test]
    fn bounds() {
        assert_eq!(describe(&meet(&b(BoundOp::Ge, int(0)), &int(3))), "3");
        assert!(meet(&b(BoundOp::Lt, int(3)), &int(3)).is_bottom());
        assert_eq!(
            describe(&meet(&b(BoundOp::Match, s("^a")), &s("abc"))),
            "\"abc\""
        );
        assert!(meet(&b(BoundOp::NotMatch, s("^a")), &s("abc")).is_bottom());
        let r = meet(
            &meet(&Value::Kind(kind::INT), &b(BoundOp::Ge, int(0))),
            &b(BoundOp::Lt, int(10)),
        );
        assert_eq!(describe(&r), "int & >=0 & <10");
        // `>=1 & <=1` admits 1 and 1.0; with `int` it is the value 1.
        assert_eq!(
            describe(&meet(&b(BoundOp::Ge, int(1)), &b(BoundOp::Le, int(1)))),
            ">=1 & <=1"
        );
        let one = meet(
            &meet(&Value::Kind(kind::INT), &b(BoundOp::Ge, int(1))),
            &b(BoundOp::Le, int(1)),
        );
        assert_eq!(describe(&one), "1");
        assert!(meet(&b(BoundOp::Gt, int(5)), &b(BoundOp::Lt, int(3))).is_bottom());
        assert_eq!(
            describe(&meet(&b(BoundOp::Ge, int(0)), &b(BoundOp::Ge, int(2)))),
            ">=2"
        );
    }

    #[test]
    fn meet_is_commutative_on_samples() {
        let vals = [
            Value::Top,
            int(1),
            s("a"),
            Value::Kind(kind::INT),
            Value::Kind(kind::STRING),
            b(BoundOp::Ge, int(0)),
            b(BoundOp::Match, s("a")),
            Value::Null,
        ];
        for x in &vals {
            for y in &vals {
                let (l, r) = (meet(x, y), meet(y, x));
                assert_eq!(
                    l.is_bottom(),
                    r.is_bottom(),
                    "{} & {}",
                    describe(x),
                    describe(y)
                );
                if !l.is_bottom() {
                    assert_eq!(
                        describe(&meet(&l, &r)),
                        describe(&l),
                        "{} & {}",
                        describe(x),
                        describe(y)
                    );
                }
            }
        }
    }
}
