//! Functions and constants of CUE's standard packages (`strings`, `list`,
//! `encoding/json`, ...), implemented natively. Selecting from an imported
//! package gives `Value::Func("strings.Join")`; calling it lands in [`call`].
//!
//! Each package is one file with a table of [`Def`]s (name, number of
//! parameters, implementation). A name missing from the tables answers
//! "not supported yet: pkg.Name" at its position; `docs/stdlib.md` lists the
//! status of each function.
//!
//! A function returning bool that is given one argument too few is a
//! validator (spec: Builtin validators): the engine checks it against the
//! value it is unified with once that value is complete, passing the value
//! as the first argument.

use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::eval::Engine;
use crate::meet::describe;
use crate::num::Num;
use crate::value::{kind_name, ErrKind, Text, VId, Validator, Value};

mod bits;
mod crypto;
pub mod encoding;
mod list;
mod math;
mod net;
mod path;
mod regexp;
mod strconv;
mod strings;
mod structs;
mod template;
pub mod time;
mod uuid;

/// Why a call failed: how permanent it is, and the message.
pub type Failure = (ErrKind, String);
pub type R = Result<Value, Failure>;
type Imp = fn(&mut Engine, &Args) -> R;

/// One function of a package.
pub struct Def {
    name: &'static str,
    /// Number of parameters.
    params: usize,
    /// How many trailing parameters may be left out (they have defaults).
    optional: usize,
    /// Returns bool, so one argument short makes a validator.
    validator: bool,
    imp: Imp,
}

/// A function returning a value.
const fn f(name: &'static str, params: usize, imp: Imp) -> Def {
    Def {
        name,
        params,
        optional: 0,
        validator: false,
        imp,
    }
}

/// A function returning bool: also usable as a validator.
const fn v(name: &'static str, params: usize, imp: Imp) -> Def {
    Def {
        name,
        params,
        optional: 0,
        validator: true,
        imp,
    }
}

/// A function whose last `optional` parameters have defaults.
const fn opt(name: &'static str, params: usize, optional: usize, imp: Imp) -> Def {
    Def {
        name,
        params,
        optional,
        validator: false,
        imp,
    }
}

struct Package {
    path: &'static str,
    funcs: &'static [Def],
    constant: fn(&mut Engine, &str) -> Option<Value>,
}

fn no_constants(_: &mut Engine, _: &str) -> Option<Value> {
    None
}

const PACKAGES: &[Package] = &[
    Package {
        path: "strings",
        funcs: strings::FUNCS,
        constant: no_constants,
    },
    Package {
        path: "list",
        funcs: list::FUNCS,
        constant: list::constant,
    },
    Package {
        path: "struct",
        funcs: structs::FUNCS,
        constant: no_constants,
    },
    Package {
        path: "math",
        funcs: math::FUNCS,
        constant: math::constant,
    },
    Package {
        path: "math/bits",
        funcs: bits::FUNCS,
        constant: no_constants,
    },
    Package {
        path: "regexp",
        funcs: regexp::FUNCS,
        constant: no_constants,
    },
    Package {
        path: "strconv",
        funcs: strconv::FUNCS,
        constant: strconv::constant,
    },
    Package {
        path: "encoding/json",
        funcs: encoding::JSON,
        constant: no_constants,
    },
    Package {
        path: "encoding/yaml",
        funcs: encoding::YAML,
        constant: no_constants,
    },
    Package {
        path: "encoding/base64",
        funcs: encoding::BASE64,
        constant: no_constants,
    },
    Package {
        path: "encoding/hex",
        funcs: encoding::HEX,
        constant: no_constants,
    },
    Package {
        path: "crypto/sha256",
        funcs: crypto::SHA256,
        constant: crypto::sha256_constant,
    },
    Package {
        path: "crypto/sha512",
        funcs: crypto::SHA512,
        constant: crypto::sha512_constant,
    },
    Package {
        path: "crypto/sha1",
        funcs: crypto::SHA1,
        constant: crypto::sha1_constant,
    },
    Package {
        path: "crypto/md5",
        funcs: crypto::MD5,
        constant: crypto::md5_constant,
    },
    Package {
        path: "uuid",
        funcs: uuid::FUNCS,
        constant: uuid::constant,
    },
    Package {
        path: "time",
        funcs: time::FUNCS,
        constant: time::constant,
    },
    Package {
        path: "net",
        funcs: net::FUNCS,
        constant: no_constants,
    },
    Package {
        path: "path",
        funcs: path::FUNCS,
        constant: path::constant,
    },
    Package {
        path: "text/template",
        funcs: template::FUNCS,
        constant: no_constants,
    },
];

fn split(name: &str) -> Option<(&Package, &str)> {
    let (path, member) = name.rsplit_once('.')?;
    let pkg = PACKAGES.iter().find(|p| p.path == path)?;
    Some((pkg, member))
}

fn lookup(name: &str) -> Option<&'static Def> {
    let (pkg, member) = split(name)?;
    pkg.funcs.iter().find(|d| d.name == member)
}

/// Whether `pkg.Name` (with the package's full import path) is implemented.
pub fn exists(name: &str) -> bool {
    lookup(name).is_some()
}

/// Package-level constants (`math.Pi`, `uuid.ns`, `list.Ascending`).
pub fn constant(en: &mut Engine, name: &str) -> Option<Value> {
    let (pkg, member) = split(name)?;
    (pkg.constant)(en, member)
}

/// A function named without a call (`a: json.Valid`) stands for the
/// validator taking no arguments besides the value, if it is one.
pub fn bare_validator(name: &Text) -> Option<Rc<Validator>> {
    let def = lookup(name)?;
    (def.validator && def.params == 1).then(|| {
        Rc::new(Validator::Func {
            name: name.clone(),
            args: Vec::new(),
            text: name.to_string(),
        })
    })
}

/// Calls `name` with evaluated arguments. One argument short of a
/// validator answers `missing argument N`, which the engine turns into a
/// validator.
pub fn call(en: &mut Engine, name: &str, args: &[Value]) -> R {
    let Some(def) = lookup(name) else {
        return Err((ErrKind::Unsupported, format!("not supported yet: {name}")));
    };
    let n = args.len();
    if n + def.optional < def.params {
        if def.validator && n + 1 == def.params {
            return Err((ErrKind::Eval, format!("missing argument {}", n + 1)));
        }
        return Err((
            ErrKind::Eval,
            format!(
                "not enough arguments in call to {name} (have {n}, want {})",
                def.params
            ),
        ));
    }
    if n > def.params {
        return Err((
            ErrKind::Eval,
            format!(
                "too many arguments in call to {name} (have {n}, want {})",
                def.params
            ),
        ));
    }
    (def.imp)(en, &Args { name, vals: args })
}

/// Every implemented function, as `path.Name`, for documentation checks.
pub fn implemented() -> Vec<String> {
    PACKAGES
        .iter()
        .flat_map(|p| {
            p.funcs
                .iter()
                .map(move |d| format!("{}.{}", p.path, d.name))
        })
        .collect()
}

/// The evaluated arguments of one call, with typed accessors whose errors
/// name the function and the argument.
pub struct Args<'a> {
    pub name: &'a str,
    pub vals: &'a [Value],
}

impl Args<'_> {
    pub fn fail(&self, msg: impl Into<String>) -> Failure {
        (ErrKind::Eval, msg.into())
    }

    /// The argument as given (`Top` when an optional one is left out).
    pub fn value(&self, i: usize) -> Result<&Value, Failure> {
        match self.vals.get(i) {
            Some(v) if v.is_atom() || matches!(v, Value::Vertex(_)) => Ok(v),
            Some(Value::Func(_)) => Ok(&self.vals[i]),
            // A value that is only a validator (`x=matchN(1, [f(x)])`) can
            // never be the concrete argument a function needs.
            Some(v @ Value::Validator(_)) => Err((
                ErrKind::Eval,
                format!(
                    "cannot use {} as a concrete value in argument {} to {}",
                    describe(v),
                    i + 1,
                    self.name
                ),
            )),
            Some(_) => Err(incomplete(i)),
            None => Err((ErrKind::Eval, format!("missing argument {}", i + 1))),
        }
    }

    pub fn type_err(&self, v: &Value, want: &str, i: usize) -> Failure {
        if v.is_atom() || matches!(v, Value::Vertex(_)) {
            let ty = match v {
                Value::Vertex(_) => "struct|list".to_string(),
                _ => kind_name(v.kind()),
            };
            (
                ErrKind::Eval,
                format!(
                    "cannot use {} (type {ty}) as {want} in argument {} to {}",
                    describe(v),
                    i + 1,
                    self.name
                ),
            )
        } else {
            incomplete(i)
        }
    }

    pub fn str(&self, i: usize) -> Result<Text, Failure> {
        match self.value(i)? {
            Value::Str(s) => Ok(s.clone()),
            v => Err(self.type_err(v, "string", i)),
        }
    }

    /// A string argument, or the default when it is left out.
    pub fn str_or(&self, i: usize, default: &str) -> Result<Text, Failure> {
        if i >= self.vals.len() {
            return Ok(Text::from(default));
        }
        self.str(i)
    }

    /// Bytes or a string, as bytes.
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, Failure> {
        match self.value(i)? {
            Value::Str(s) => Ok(s.as_bytes().to_vec()),
            Value::Bytes(b) => Ok(b.to_vec()),
            v => Err(self.type_err(v, "bytes", i)),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool, Failure> {
        match self.value(i)? {
            Value::Bool(b) => Ok(*b),
            v => Err(self.type_err(v, "bool", i)),
        }
    }

    pub fn num(&self, i: usize) -> Result<Num, Failure> {
        match self.value(i)? {
            Value::Num(n) => Ok((**n).clone()),
            v => Err(self.type_err(v, "number", i)),
        }
    }

    pub fn float(&self, i: usize) -> Result<f64, Failure> {
        Ok(self.num(i)?.to_f64())
    }

    pub fn big(&self, i: usize) -> Result<BigInt, Failure> {
        match self.value(i)? {
            Value::Num(n) if n.is_int => n
                .to_bigint()
                .ok_or_else(|| self.type_err(&self.vals[i], "int", i)),
            v => Err(self.type_err(v, "int", i)),
        }
    }

    pub fn int(&self, i: usize) -> Result<i64, Failure> {
        self.big(i)?.to_i64().ok_or_else(|| {
            self.fail(format!(
                "argument {} to {} out of range: {}",
                i + 1,
                self.name,
                describe(&self.vals[i])
            ))
        })
    }

    /// A non-negative int that fits in memory-sized counts.
    pub fn count(&self, i: usize) -> Result<usize, Failure> {
        let n = self.int(i)?;
        usize::try_from(n).map_err(|_| {
            self.fail(format!(
                "argument {} to {} must be non-negative, found {n}",
                i + 1,
                self.name
            ))
        })
    }

    /// The elements of a list argument.
    pub fn list(&self, en: &mut Engine, i: usize) -> Result<Vec<VId>, Failure> {
        let v = self.value(i)?;
        en.list_elems(v).ok_or_else(|| self.type_err(v, "list", i))
    }

    /// The concrete values of a list argument's elements (defaults taken).
    pub fn items(&self, en: &mut Engine, i: usize) -> Result<Vec<Value>, Failure> {
        let elems = self.list(en, i)?;
        let mut out = Vec::with_capacity(elems.len());
        for a in elems {
            let v = en.vertex_value(a);
            match en.default_of(v) {
                Value::Bottom(e) => return Err((e.kind, e.msg.clone())),
                v if v.is_atom() || matches!(v, Value::Vertex(_)) => out.push(v),
                _ => {
                    return Err((
                        ErrKind::Incomplete,
                        format!("non-concrete list for argument {i}"),
                    ))
                }
            }
        }
        Ok(out)
    }

    pub fn strs(&self, en: &mut Engine, i: usize) -> Result<Vec<Text>, Failure> {
        self.items(en, i)?
            .into_iter()
            .map(|v| match v {
                Value::Str(s) => Ok(s),
                other => Err(self.type_err(&other, "string", i)),
            })
            .collect()
    }

    pub fn nums(&self, en: &mut Engine, i: usize) -> Result<Vec<Num>, Failure> {
        self.items(en, i)?
            .into_iter()
            .map(|v| match v {
                Value::Num(n) => Ok(Rc::unwrap_or_clone(n)),
                other => Err(self.type_err(&other, "number", i)),
            })
            .collect()
    }
}

fn incomplete(i: usize) -> Failure {
    (ErrKind::Incomplete, format!("non-concrete argument {i}"))
}

pub fn string(s: impl AsRef<str>) -> Value {
    Value::Str(Text::from(s.as_ref()))
}

pub fn bytes(b: impl AsRef<[u8]>) -> Value {
    Value::Bytes(Rc::new(Vec::from(b.as_ref())))
}

pub fn int(i: impl Into<BigInt>) -> Value {
    Value::num(Num::int(i))
}

/// A float result; NaN and infinities are errors, as CUE has no such numbers.
pub fn float(x: f64) -> R {
    Num::from_f64(x)
        .map(Value::num)
        .ok_or((ErrKind::Eval, format!("invalid float result {x}")))
}

pub fn str_list(en: &mut Engine, items: impl IntoIterator<Item = String>) -> Value {
    let elems = items
        .into_iter()
        .map(|s| en.value_kind(string(s)))
        .collect();
    en.list_of(elems)
}

pub fn value_list(en: &mut Engine, items: Vec<Value>) -> Value {
    let elems = items.into_iter().map(|x| en.value_kind(x)).collect();
    en.list_of(elems)
}

/// Refuses results above the engine's size limits instead of allocating.
pub fn check_size(what: &str, n: Option<usize>, limit: usize) -> Result<usize, Failure> {
    match n {
        Some(n) if n <= limit => Ok(n),
        _ => Err((
            ErrKind::Eval,
            format!("{what}: result too large (more than {limit})"),
        )),
    }
}

#[cfg(test)]
mod tests;
