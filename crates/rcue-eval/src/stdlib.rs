//! Functions of CUE's standard packages that rcue implements so far.
//! Everything else answers "not supported yet: pkg.Name" at its position;
//! `docs/stdlib.md` lists the status of each package.

use std::rc::Rc;

use num_bigint::BigInt;

use crate::eval::{CKind, Engine};
use crate::export;
use crate::meet::describe;
use crate::num::Num;
use crate::value::{kind_name, ErrKind, Value};

type R = Result<Value, (ErrKind, String)>;

const FUNCS: &[&str] = &[
    "strings.Join",
    "strings.Split",
    "strings.ToUpper",
    "strings.ToLower",
    "strings.HasPrefix",
    "strings.HasSuffix",
    "strings.Contains",
    "strings.ContainsAny",
    "strings.Replace",
    "strings.TrimSpace",
    "strings.TrimPrefix",
    "strings.TrimSuffix",
    "strings.Repeat",
    "strings.Index",
    "list.Concat",
    "list.Range",
    "list.FlattenN",
    "list.Contains",
    "list.Repeat",
    "list.Sum",
    "list.Max",
    "list.Min",
    "math.Abs",
    "math.Floor",
    "math.Ceil",
    "math.Round",
    "encoding/json.Marshal",
    "encoding/json.Unmarshal",
    "encoding/json.Valid",
    "encoding/yaml.Marshal",
];

/// Whether `pkg.Name` (with the package's full import path) is implemented.
pub fn exists(name: &str) -> bool {
    FUNCS.contains(&name)
}

/// Package-level constants.
pub fn constant(_name: &str) -> Option<Value> {
    None
}

fn arg_err(v: &Value, want: &str, i: usize) -> (ErrKind, String) {
    if v.is_atom() || matches!(v, Value::Vertex(_)) {
        (
            ErrKind::Eval,
            format!(
                "cannot use {} (type {}) as {want} in argument {}",
                describe(v),
                kind_name(v.kind()),
                i + 1
            ),
        )
    } else {
        (
            ErrKind::Incomplete,
            format!("non-concrete argument {}", i + 1),
        )
    }
}

fn string(args: &[Value], i: usize) -> Result<Rc<str>, (ErrKind, String)> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => Err(arg_err(v, "string", i)),
        None => Err((ErrKind::Eval, format!("missing argument {}", i + 1))),
    }
}

fn int(args: &[Value], i: usize) -> Result<i64, (ErrKind, String)> {
    match args.get(i) {
        Some(Value::Num(n)) if n.is_int => n
            .to_i64()
            .ok_or((ErrKind::Eval, "integer out of range".into())),
        Some(v) => Err(arg_err(v, "int", i)),
        None => Err((ErrKind::Eval, format!("missing argument {}", i + 1))),
    }
}

fn number(args: &[Value], i: usize) -> Result<Num, (ErrKind, String)> {
    match args.get(i) {
        Some(Value::Num(n)) => Ok(n.clone()),
        Some(v) => Err(arg_err(v, "number", i)),
        None => Err((ErrKind::Eval, format!("missing argument {}", i + 1))),
    }
}

fn list(en: &mut Engine, args: &[Value], i: usize) -> Result<Vec<u32>, (ErrKind, String)> {
    match args.get(i) {
        Some(v) => en.list_elems(v).ok_or_else(|| arg_err(v, "list", i)),
        None => Err((ErrKind::Eval, format!("missing argument {}", i + 1))),
    }
}

/// The concrete values of a list's elements.
fn values(en: &mut Engine, elems: &[u32]) -> Vec<Value> {
    elems
        .iter()
        .map(|&a| {
            let v = en.vertex_value(a);
            en.default_of(v)
        })
        .collect()
}

fn str_list(en: &mut Engine, items: Vec<String>) -> Value {
    en.list_of(
        items
            .into_iter()
            .map(|s| CKind::Value(Value::Str(Rc::from(s.as_str()))))
            .collect(),
    )
}

fn bool_(b: bool) -> R {
    Ok(Value::Bool(b))
}

pub fn call(en: &mut Engine, name: &str, args: &[Value]) -> R {
    match name {
        "strings.Join" => {
            let elems = list(en, args, 0)?;
            let sep = string(args, 1)?;
            let mut parts = Vec::new();
            for (i, v) in values(en, &elems).into_iter().enumerate() {
                match v {
                    Value::Str(s) => parts.push(s.to_string()),
                    other => return Err(arg_err(&other, "string", i)),
                }
            }
            Ok(Value::Str(Rc::from(parts.join(&sep).as_str())))
        }
        "strings.Split" => {
            let (s, sep) = (string(args, 0)?, string(args, 1)?);
            let parts: Vec<String> = if sep.is_empty() {
                s.chars().map(|c| c.to_string()).collect()
            } else {
                s.split(sep.as_ref()).map(str::to_string).collect()
            };
            Ok(str_list(en, parts))
        }
        "strings.ToUpper" => Ok(Value::Str(Rc::from(
            string(args, 0)?.to_uppercase().as_str(),
        ))),
        "strings.ToLower" => Ok(Value::Str(Rc::from(
            string(args, 0)?.to_lowercase().as_str(),
        ))),
        "strings.HasPrefix" => bool_(string(args, 0)?.starts_with(string(args, 1)?.as_ref())),
        "strings.HasSuffix" => bool_(string(args, 0)?.ends_with(string(args, 1)?.as_ref())),
        "strings.Contains" => bool_(string(args, 0)?.contains(string(args, 1)?.as_ref())),
        "strings.ContainsAny" => {
            let (s, chars) = (string(args, 0)?, string(args, 1)?);
            bool_(s.chars().any(|c| chars.contains(c)))
        }
        "strings.Replace" => {
            let (s, old, new, n) = (
                string(args, 0)?,
                string(args, 1)?,
                string(args, 2)?,
                int(args, 3)?,
            );
            let out = if n < 0 {
                s.replace(old.as_ref(), &new)
            } else {
                s.replacen(old.as_ref(), &new, n as usize)
            };
            Ok(Value::Str(Rc::from(out.as_str())))
        }
        "strings.TrimSpace" => Ok(Value::Str(Rc::from(string(args, 0)?.trim()))),
        "strings.TrimPrefix" => {
            let (s, p) = (string(args, 0)?, string(args, 1)?);
            Ok(Value::Str(Rc::from(
                s.strip_prefix(p.as_ref()).unwrap_or(&s),
            )))
        }
        "strings.TrimSuffix" => {
            let (s, p) = (string(args, 0)?, string(args, 1)?);
            Ok(Value::Str(Rc::from(
                s.strip_suffix(p.as_ref()).unwrap_or(&s),
            )))
        }
        "strings.Repeat" => {
            let (s, n) = (string(args, 0)?, int(args, 1)?);
            if n < 0 {
                return Err((ErrKind::Eval, "negative repeat count".into()));
            }
            if s.len().saturating_mul(n as usize) > crate::MAX_STRING_BYTES {
                return Err((ErrKind::Eval, "result too large".into()));
            }
            Ok(Value::Str(Rc::from(s.repeat(n as usize).as_str())))
        }
        "strings.Index" => {
            let (s, sub) = (string(args, 0)?, string(args, 1)?);
            Ok(Value::Num(Num::int(
                s.find(sub.as_ref()).map(|i| i as i64).unwrap_or(-1),
            )))
        }
        "list.Concat" => {
            let outer = list(en, args, 0)?;
            let mut elems = Vec::new();
            for (i, l) in outer.into_iter().enumerate() {
                let v = en.vertex_value(l);
                let inner = en.list_elems(&v).ok_or_else(|| arg_err(&v, "list", i))?;
                elems.extend(inner.into_iter().map(CKind::Vertex));
            }
            Ok(en.list_of(elems))
        }
        "list.Range" => {
            let (start, limit, step) = (number(args, 0)?, number(args, 1)?, number(args, 2)?);
            if step.is_zero() {
                return Err((ErrKind::Eval, "step must be non zero".into()));
            }
            let mut out = Vec::new();
            let mut x = start;
            let up = !step.is_negative();
            while (up && x.cmp_value(&limit).is_lt()) || (!up && x.cmp_value(&limit).is_gt()) {
                if out.len() >= crate::MAX_LIST_ELEMS {
                    return Err((
                        ErrKind::Eval,
                        format!(
                            "range too large: more than {} elements",
                            crate::MAX_LIST_ELEMS
                        ),
                    ));
                }
                out.push(CKind::Value(Value::Num(x.clone())));
                x = x.add(&step);
            }
            Ok(en.list_of(out))
        }
        "list.FlattenN" => {
            let elems = list(en, args, 0)?;
            let depth = int(args, 1)?;
            let mut out = Vec::new();
            flatten(en, &elems, depth, &mut out);
            Ok(en.list_of(out))
        }
        "list.Contains" => {
            let elems = list(en, args, 0)?;
            let want = args.get(1).cloned().unwrap_or(Value::Top);
            for a in elems {
                let v = en.vertex_value(a);
                let v = en.default_of(v);
                let eq = match (&v, &want) {
                    (Value::Vertex(x), Value::Vertex(y)) => en.equal(*x, *y),
                    _ => crate::value::atoms_equal(&v, &want) == Some(true),
                };
                if eq {
                    return bool_(true);
                }
            }
            bool_(false)
        }
        "list.Repeat" => {
            let elems = list(en, args, 0)?;
            let n = int(args, 1)?;
            if n < 0 {
                return Err((ErrKind::Eval, "negative count".into()));
            }
            if elems.len().saturating_mul(n as usize) > crate::MAX_LIST_ELEMS {
                return Err((ErrKind::Eval, "result too large".into()));
            }
            let mut out = Vec::new();
            for _ in 0..n {
                out.extend(elems.iter().map(|&a| CKind::Vertex(a)));
            }
            Ok(en.list_of(out))
        }
        "list.Sum" | "list.Max" | "list.Min" => {
            let elems = list(en, args, 0)?;
            let nums: Vec<Num> = values(en, &elems)
                .into_iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Num(n) => Ok(n),
                    other => Err(arg_err(&other, "number", i)),
                })
                .collect::<Result<_, _>>()?;
            if name == "list.Sum" {
                return Ok(Value::Num(nums.iter().fold(Num::int(0), |a, b| a.add(b))));
            }
            let best = nums.into_iter().reduce(|a, b| {
                let keep_a = if name == "list.Max" {
                    a.cmp_value(&b).is_ge()
                } else {
                    a.cmp_value(&b).is_le()
                };
                if keep_a {
                    a
                } else {
                    b
                }
            });
            best.map(Value::Num)
                .ok_or((ErrKind::Eval, "empty list".into()))
        }
        "math.Abs" => {
            let n = number(args, 0)?;
            Ok(Value::Num(if n.is_negative() { n.neg() } else { n }))
        }
        "math.Floor" | "math.Ceil" | "math.Round" => {
            let n = number(args, 0)?;
            Ok(Value::Num(Num::int(round(&n, name))))
        }
        "encoding/json.Marshal" => {
            let v = args.first().cloned().unwrap_or(Value::Top);
            match export::export_value(en, &v, "") {
                Ok(d) => Ok(Value::Str(Rc::from(export::to_compact_json(&d).as_str()))),
                Err(errs) => {
                    let e = &errs[0];
                    Err((e.kind, e.msg.clone()))
                }
            }
        }
        "encoding/yaml.Marshal" => {
            let v = args.first().cloned().unwrap_or(Value::Top);
            match export::export_value(en, &v, "") {
                Ok(d) => Ok(Value::Str(Rc::from(export::to_yaml(&d).as_str()))),
                Err(errs) => Err((errs[0].kind, errs[0].msg.clone())),
            }
        }
        "encoding/json.Valid" => {
            let s = bytes_or_string(args, 0)?;
            bool_(serde_json::from_slice::<serde_json::Value>(&s).is_ok())
        }
        "encoding/json.Unmarshal" => {
            let s = bytes_or_string(args, 0)?;
            match serde_json::from_slice::<serde_json::Value>(&s) {
                Ok(j) => Ok(from_json(en, &j)),
                Err(e) => Err((ErrKind::Eval, format!("json: invalid JSON: {e}"))),
            }
        }
        _ => Err((ErrKind::Unsupported, format!("not supported yet: {name}"))),
    }
}

fn bytes_or_string(args: &[Value], i: usize) -> Result<Vec<u8>, (ErrKind, String)> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.as_bytes().to_vec()),
        Some(Value::Bytes(b)) => Ok(b.to_vec()),
        Some(v) => Err(arg_err(v, "string or bytes", i)),
        None => Err((ErrKind::Eval, format!("missing argument {}", i + 1))),
    }
}

/// A CUE value from decoded JSON; numbers keep their text.
pub fn from_json(en: &mut Engine, j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            let t = n.to_string();
            let num = if t.contains(['.', 'e', 'E']) {
                Num::parse_float(&t)
            } else {
                Num::parse_int(t.trim_start_matches('-')).map(|x| {
                    if t.starts_with('-') {
                        x.neg()
                    } else {
                        x
                    }
                })
            };
            num.map(Value::Num)
                .unwrap_or_else(|_| Value::err(ErrKind::Eval, format!("invalid number {t}")))
        }
        serde_json::Value::String(s) => Value::Str(Rc::from(s.as_str())),
        serde_json::Value::Array(items) => {
            let elems = items
                .iter()
                .map(|x| CKind::Value(from_json(en, x)))
                .collect();
            en.list_of(elems)
        }
        serde_json::Value::Object(m) => {
            let fields = m
                .iter()
                .map(|(k, x)| (k.clone(), CKind::Value(from_json(en, x))))
                .collect();
            en.struct_of(fields)
        }
    }
}

fn flatten(en: &mut Engine, elems: &[u32], depth: i64, out: &mut Vec<CKind>) {
    for &a in elems {
        let v = en.vertex_value(a);
        match en.list_elems(&v) {
            Some(inner) if depth != 0 => flatten(en, &inner, depth - 1, out),
            _ => out.push(CKind::Vertex(a)),
        }
    }
}

/// Floor, ceiling or half-away-from-zero rounding to an integer.
fn round(n: &Num, how: &str) -> BigInt {
    if n.exp >= 0 {
        return n.to_bigint().unwrap_or_default();
    }
    let d = num_traits::pow(BigInt::from(10u32), n.exp.unsigned_abs() as usize);
    let (q, r) = num_integer::Integer::div_mod_floor(&n.coef, &d);
    match how {
        "math.Floor" => q,
        "math.Ceil" => {
            if r == BigInt::from(0) {
                q
            } else {
                q + 1
            }
        }
        _ => {
            // Half away from zero, as Go's math.Round.
            let twice: BigInt = &r * 2u32;
            let up = if n.is_negative() {
                twice > d
            } else {
                twice >= d
            };
            if up {
                q + 1
            } else {
                q
            }
        }
    }
}
