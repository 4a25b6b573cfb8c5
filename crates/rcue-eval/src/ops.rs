//! Unary and binary operators on evaluated values (spec: Operators,
//! Arithmetic operators, Comparison operators, Logical operators).

use std::rc::Rc;

use rcue_syntax::ast::{BinaryOp, UnaryOp};

use crate::meet::{describe, regex};
use crate::num::NumError;
use crate::value::{atoms_cmp, atoms_equal, kind_name, BoundOp, ErrKind, Text, Value};

pub type OpError = (ErrKind, String);

fn incomplete(v: &Value, op: &str) -> OpError {
    (
        ErrKind::Incomplete,
        format!("non-concrete value {} in operand to {}", describe(v), op),
    )
}

pub fn unary(op: UnaryOp, x: Value) -> Result<Value, OpError> {
    if let Value::Bottom(_) = x {
        return Ok(x);
    }
    let bound = |b: BoundOp, x: Value| -> Result<Value, OpError> {
        if !x.is_atom() {
            return Err(incomplete(&x, b.as_str()));
        }
        match (b, &x) {
            (BoundOp::Match | BoundOp::NotMatch, Value::Str(s)) => {
                regex(s).map_err(|e| {
                    (
                        ErrKind::Eval,
                        format!("invalid regular expression {}: {e}", describe(&x)),
                    )
                })?;
            }
            (BoundOp::Match | BoundOp::NotMatch, _) => {
                return Err((
                    ErrKind::Eval,
                    format!(
                        "invalid operand {} to {} (type {})",
                        describe(&x),
                        b.as_str(),
                        kind_name(x.kind())
                    ),
                ))
            }
            (BoundOp::Ne, _) => {}
            (_, Value::Num(_) | Value::Str(_) | Value::Bytes(_)) => {}
            _ => {
                return Err((
                    ErrKind::Eval,
                    format!(
                        "invalid operand {} to {} (type {})",
                        describe(&x),
                        b.as_str(),
                        kind_name(x.kind())
                    ),
                ))
            }
        }
        Ok(Value::Bound(b, Rc::new(x)))
    };
    match op {
        UnaryOp::Plus | UnaryOp::Neg => match &x {
            Value::Num(n) => Ok(if op == UnaryOp::Neg {
                Value::num(n.neg())
            } else {
                Value::Num(n.clone())
            }),
            v if v.is_atom() => Err((
                ErrKind::Eval,
                format!(
                    "invalid operation {}{} (type {})",
                    op.as_str(),
                    describe(v),
                    kind_name(v.kind())
                ),
            )),
            v => Err(incomplete(v, op.as_str())),
        },
        UnaryOp::Not => match &x {
            Value::Bool(b) => Ok(Value::Bool(!b)),
            v if v.is_atom() => Err((
                ErrKind::Eval,
                format!(
                    "invalid operation !{} (type {})",
                    describe(v),
                    kind_name(v.kind())
                ),
            )),
            v => Err(incomplete(v, "!")),
        },
        UnaryOp::Lt => bound(BoundOp::Lt, x),
        UnaryOp::Le => bound(BoundOp::Le, x),
        UnaryOp::Gt => bound(BoundOp::Gt, x),
        UnaryOp::Ge => bound(BoundOp::Ge, x),
        UnaryOp::Ne => bound(BoundOp::Ne, x),
        UnaryOp::Match => bound(BoundOp::Match, x),
        UnaryOp::NotMatch => bound(BoundOp::NotMatch, x),
        UnaryOp::Default | UnaryOp::Eq => Ok(x),
    }
}

fn num_err(e: NumError) -> OpError {
    match e {
        NumError::DivisionByZero => (ErrKind::Eval, "division by zero".into()),
        NumError::DivisionUndefined => (ErrKind::Eval, "division undefined".into()),
        NumError::Invalid(m) => (ErrKind::Eval, m),
    }
}

/// `max_bytes` bounds the strings and bytes repetition may build.
pub fn binary(op: BinaryOp, a: Value, b: Value, max_bytes: usize) -> Result<Value, OpError> {
    if let Value::Bottom(_) = a {
        return Ok(a);
    }
    if let Value::Bottom(_) = b {
        return Ok(b);
    }
    let sym = op.as_str();
    // Comparisons with null are allowed against any concrete value.
    if matches!(op, BinaryOp::Eq | BinaryOp::Ne)
        && (matches!(a, Value::Null) || matches!(b, Value::Null))
        && a.is_atom()
        && b.is_atom()
    {
        let eq = matches!((&a, &b), (Value::Null, Value::Null));
        return Ok(Value::Bool(if op == BinaryOp::Eq { eq } else { !eq }));
    }
    if !a.is_atom() {
        return Err(incomplete(&a, sym));
    }
    if !b.is_atom() {
        return Err(incomplete(&b, sym));
    }
    let mismatch = || {
        (
            ErrKind::Eval,
            format!(
                "invalid operands {} and {} to '{}' (type {} and {})",
                describe(&a),
                describe(&b),
                sym,
                kind_name(a.kind()),
                kind_name(b.kind())
            ),
        )
    };
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => match (&a, &b) {
            (Value::Num(x), Value::Num(y)) => Ok(Value::num(match op {
                BinaryOp::Add => x.add(y),
                BinaryOp::Sub => x.sub(y),
                BinaryOp::Mul => x.mul(y),
                _ => x.div(y).map_err(num_err)?,
            })),
            (Value::Str(x), Value::Str(y)) if op == BinaryOp::Add => {
                Ok(Value::Str(Text::from(format!("{x}{y}").as_str())))
            }
            (Value::Bytes(x), Value::Bytes(y)) if op == BinaryOp::Add => {
                let mut v = x.to_vec();
                v.extend_from_slice(y);
                Ok(Value::Bytes(Rc::new(Vec::from(v.as_slice()))))
            }
            (Value::Str(_) | Value::Bytes(_), Value::Num(n))
            | (Value::Num(n), Value::Str(_) | Value::Bytes(_))
                if op == BinaryOp::Mul =>
            {
                let count = n.to_i64().filter(|c| n.is_int && *c >= 0).ok_or_else(|| {
                    (
                        ErrKind::Eval,
                        format!("cannot repeat a string {} times", n.to_json()),
                    )
                })?;
                let unit: Vec<u8> = match (&a, &b) {
                    (Value::Str(s), _) | (_, Value::Str(s)) => s.as_bytes().to_vec(),
                    (Value::Bytes(x), _) | (_, Value::Bytes(x)) => x.to_vec(),
                    _ => unreachable!(),
                };
                let total = unit.len().saturating_mul(count as usize);
                if total > max_bytes {
                    return Err((
                        ErrKind::Eval,
                        format!("string repetition too large: {total} bytes (limit {max_bytes})"),
                    ));
                }
                let out = unit.repeat(count as usize);
                Ok(
                    if matches!(a, Value::Str(_)) || matches!(b, Value::Str(_)) {
                        Value::Str(Text::from(String::from_utf8_lossy(&out).as_ref()))
                    } else {
                        Value::Bytes(Rc::new(Vec::from(out.as_slice())))
                    },
                )
            }
            _ => Err(mismatch()),
        },
        BinaryOp::Eq | BinaryOp::Ne => {
            // Values of different basic types are never equal (spec:
            // Comparison operators).
            let same_kind =
                a.kind() == b.kind() || (matches!(a, Value::Num(_)) && matches!(b, Value::Num(_)));
            if !same_kind {
                return Ok(Value::Bool(op == BinaryOp::Ne));
            }
            let eq = atoms_equal(&a, &b) == Some(true);
            Ok(Value::Bool(if op == BinaryOp::Eq { eq } else { !eq }))
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let ord = atoms_cmp(&a, &b).filter(|_| {
                a.kind() == b.kind() || (matches!(a, Value::Num(_)) && matches!(b, Value::Num(_)))
            });
            let Some(ord) = ord else {
                return Err(mismatch());
            };
            use std::cmp::Ordering::*;
            Ok(Value::Bool(match op {
                BinaryOp::Lt => ord == Less,
                BinaryOp::Le => ord != Greater,
                BinaryOp::Gt => ord == Greater,
                _ => ord != Less,
            }))
        }
        BinaryOp::Match | BinaryOp::NotMatch => match (&a, &b) {
            (Value::Str(s), Value::Str(re)) => {
                let re = regex(re)
                    .map_err(|e| (ErrKind::Eval, format!("invalid regular expression: {e}")))?;
                Ok(Value::Bool(re.is_match(s) == (op == BinaryOp::Match)))
            }
            _ => Err(mismatch()),
        },
        BinaryOp::LogicalAnd | BinaryOp::LogicalOr => match (&a, &b) {
            (Value::Bool(x), Value::Bool(y)) => Ok(Value::Bool(if op == BinaryOp::LogicalAnd {
                *x && *y
            } else {
                *x || *y
            })),
            _ => Err(mismatch()),
        },
        BinaryOp::And | BinaryOp::Or => unreachable!("handled by the engine"),
    }
}

/// `div`, `mod`, `quo`, `rem` (spec: Arithmetic operators).
pub fn int_op(name: &str, a: &Value, b: &Value) -> Result<Value, OpError> {
    let (Value::Num(x), Value::Num(y)) = (a, b) else {
        for v in [a, b] {
            if !v.is_atom() {
                return Err(incomplete(v, name));
            }
        }
        return Err((
            ErrKind::Eval,
            format!(
                "cannot use {} as int in argument to {name}",
                describe(if matches!(a, Value::Num(_)) { b } else { a })
            ),
        ));
    };
    for v in [x, y] {
        if !v.is_int {
            return Err((
                ErrKind::Eval,
                format!(
                    "cannot use {} (type float) as int in argument to {name}",
                    v.to_json()
                ),
            ));
        }
    }
    let euclid = matches!(name, "div" | "mod");
    let (q, r) = x.int_div(y, euclid).map_err(num_err)?;
    Ok(Value::num(if matches!(name, "div" | "quo") {
        q
    } else {
        r
    }))
}
