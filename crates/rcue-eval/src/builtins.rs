//! Predeclared functions (spec: Builtin functions): `len`, `close`, `and`,
//! `or`, `div`, `mod`, `quo`, `rem`. Standard packages are not built yet.

use std::rc::Rc;

use crate::eval::{CKind, Conjunct, Engine, EnvId};
use crate::ir::{BuiltinFn, ExprId};
use crate::meet::describe;
use crate::num::Num;
use crate::ops::int_op;
use crate::value::{ErrKind, Value};

fn name(b: BuiltinFn) -> &'static str {
    match b {
        BuiltinFn::Len => "len",
        BuiltinFn::Close => "close",
        BuiltinFn::And => "and",
        BuiltinFn::Or => "or",
        BuiltinFn::Div => "div",
        BuiltinFn::Mod => "mod",
        BuiltinFn::Quo => "quo",
        BuiltinFn::Rem => "rem",
        BuiltinFn::MatchN => "matchN",
        BuiltinFn::Error => "error",
        BuiltinFn::MatchIf => "matchIf",
    }
}

pub fn call(en: &mut Engine, b: BuiltinFn, args: &[ExprId], env: EnvId, e: ExprId) -> Value {
    let want = match b {
        BuiltinFn::Div | BuiltinFn::Mod | BuiltinFn::Quo | BuiltinFn::Rem | BuiltinFn::MatchN => 2,
        BuiltinFn::MatchIf => 3,
        _ => 1,
    };
    if args.len() != want {
        return Value::Bottom(en.error_at(
            ErrKind::Eval,
            format!(
                "{}: expected {want} argument{}, got {}",
                name(b),
                if want == 1 { "" } else { "s" },
                args.len()
            ),
            e,
        ));
    }
    match b {
        BuiltinFn::Error => match en.eval(args[0], env) {
            Value::Str(msg) => Value::Bottom(en.error_at(ErrKind::Eval, msg.to_string(), e)),
            Value::Bottom(err) => Value::Bottom(err),
            other => Value::Bottom(en.error_at(
                ErrKind::Eval,
                format!(
                    "error: message must be a string, found {}",
                    describe(&other)
                ),
                args[0],
            )),
        },
        BuiltinFn::MatchIf => {
            // The schemas are kept as values (structs as vertices) and
            // unified with the complete value when it is checked.
            let mut vals = Vec::new();
            for &a in args {
                let v = en.eval_keep(a, env);
                if let Value::Bottom(_) = v {
                    return v;
                }
                vals.push(v);
            }
            let otherwise = vals.pop().unwrap_or(Value::Top);
            let then = vals.pop().unwrap_or(Value::Top);
            let cond = vals.pop().unwrap_or(Value::Top);
            Value::Validator(Rc::new(crate::value::Validator::MatchIf {
                cond,
                then,
                otherwise,
                text: "matchIf(...)".to_string(),
            }))
        }
        BuiltinFn::MatchN => {
            let count = en.eval(args[0], env);
            let list = en.eval(args[1], env);
            let schemas = match list {
                Value::Vertex(w) if en.v[en.deref(w) as usize].is_list() => en.deref(w),
                Value::Bottom(_) => return list,
                other => {
                    return Value::Bottom(en.error_at(
                        ErrKind::Eval,
                        format!(
                            "matchN: second argument must be a list, found {}",
                            describe(&other)
                        ),
                        args[1],
                    ))
                }
            };
            match &count {
                Value::Num(_) | Value::Bound(..) | Value::Conj(_) => {}
                Value::Bottom(_) => return count,
                other => {
                    return Value::Bottom(en.error_at(
                        ErrKind::Eval,
                        format!(
                            "matchN: first argument must be a number or bound, found {}",
                            describe(other)
                        ),
                        args[0],
                    ))
                }
            }
            let text = format!("matchN({}, [...])", describe(&count));
            Value::Validator(Rc::new(crate::value::Validator::MatchN {
                count,
                schemas,
                text,
            }))
        }
        BuiltinFn::Len => {
            let v = en.eval(args[0], env);
            match &v {
                Value::Str(s) => Value::num(Num::int(s.len() as i64)),
                Value::Bytes(x) => Value::num(Num::int(x.len() as i64)),
                Value::Vertex(w) => {
                    let w = en.deref(*w);
                    en.process(w);
                    let n = if en.v[w as usize].is_list() {
                        en.elems(w).len()
                    } else {
                        let arcs = en.v[w as usize].arcs.clone();
                        arcs.into_iter()
                            .filter(|&a| {
                                let l = en.v[a as usize].label().unwrap();
                                en.labels.is_regular(l)
                                    && en.v[a as usize].arc_type == crate::eval::ArcType::Regular
                            })
                            .count()
                    };
                    Value::num(Num::int(n as i64))
                }
                Value::Bottom(_) => v,
                other if other.is_atom() => Value::Bottom(en.error_at(
                    ErrKind::Eval,
                    format!(
                        "invalid argument {} to len (type {})",
                        describe(other),
                        crate::value::kind_name(other.kind())
                    ),
                    args[0],
                )),
                other => Value::Bottom(en.error_at(
                    ErrKind::Incomplete,
                    format!("len: non-concrete argument {}", describe(other)),
                    args[0],
                )),
            }
        }
        BuiltinFn::Close => {
            let w = en.new_vertex(None, None);
            en.v[w as usize].conjuncts.push(Conjunct {
                kind: CKind::Expr(e),
                env,
                node: 0,
            });
            en.process(w);
            en.vertex_value(w)
        }
        BuiltinFn::And | BuiltinFn::Or => {
            let v = en.eval(args[0], env);
            let w = match v {
                Value::Vertex(w) if en.v[en.deref(w) as usize].is_list() => en.deref(w),
                Value::Bottom(_) => return v,
                other => {
                    return Value::Bottom(en.error_at(
                        ErrKind::Eval,
                        format!(
                            "{}: argument must be a list, found {}",
                            name(b),
                            describe(&other)
                        ),
                        args[0],
                    ))
                }
            };
            let elems = en.elems(w).to_vec();
            if b == BuiltinFn::Or {
                if elems.is_empty() {
                    return Value::Bottom(en.error_at(
                        ErrKind::Eval,
                        "empty disjunction".into(),
                        e,
                    ));
                }
                let vals: Vec<(Value, bool)> =
                    elems.iter().map(|&a| (en.vertex_value(a), false)).collect();
                return Value::Disj(Rc::new(vals));
            }
            let r = en.new_vertex(None, None);
            for a in elems {
                en.v[r as usize].conjuncts.push(Conjunct {
                    kind: CKind::Vertex(a),
                    env: 0,
                    node: 0,
                });
            }
            en.process(r);
            en.vertex_value(r)
        }
        BuiltinFn::Div | BuiltinFn::Mod | BuiltinFn::Quo | BuiltinFn::Rem => {
            let a = en.eval(args[0], env);
            let c = en.eval(args[1], env);
            match (&a, &c) {
                (Value::Bottom(_), _) => a,
                (_, Value::Bottom(_)) => c,
                _ => int_op(name(b), &a, &c)
                    .unwrap_or_else(|(k, m)| Value::Bottom(en.error_at(k, m, e))),
            }
        }
    }
}
