//! Values of the CUE lattice that are not structs or lists (those live in
//! the vertex arena), and the meet (`&`) of such values.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::ir::{kind, BuiltinFn, Kind, Pos};
use crate::num::Num;

pub type VId = u32;

/// A shared, immutable string one pointer wide. `Rc<str>` is two (pointer
/// and length), which made every `Value`, and so every conjunct and vertex,
/// eight bytes larger; the length now lives beside the characters, at the
/// cost of a second allocation when a string is made (rare next to the
/// times one is shared).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Rc<Box<str>>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Rc::new(Box::from(s)))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Rc::new(s.into_boxed_str()))
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// What went wrong, and how permanent it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrKind {
    /// A conflict or invalid operation: bottom for good.
    Eval,
    /// Not enough information yet (non-concrete operands, missing fields).
    Incomplete,
    /// A reference cycle that does not resolve.
    Cycle,
    /// A value that would contain itself.
    StructuralCycle,
    /// A feature rcue does not implement yet.
    Unsupported,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub kind: ErrKind,
    pub msg: String,
    pub pos: Vec<Pos>,
}

impl EvalError {
    pub fn new(kind: ErrKind, msg: impl Into<String>) -> Rc<EvalError> {
        Rc::new(EvalError {
            kind,
            msg: msg.into(),
            pos: Vec::new(),
        })
    }

    pub fn at(kind: ErrKind, msg: impl Into<String>, pos: Pos) -> Rc<EvalError> {
        Rc::new(EvalError {
            kind,
            msg: msg.into(),
            pos: vec![pos],
        })
    }

    pub fn is_incomplete(&self) -> bool {
        matches!(self.kind, ErrKind::Incomplete | ErrKind::Cycle)
    }
}

#[derive(Clone, Debug)]
pub enum Validator {
    /// The number of `schemas` (a list vertex) the value unifies with must
    /// satisfy `count` (a number or a bound).
    MatchN {
        count: Value,
        schemas: VId,
        text: String,
    },
    /// If the value unifies with `cond`, it must unify with `then`,
    /// otherwise with `otherwise`.
    MatchIf {
        cond: Value,
        then: Value,
        otherwise: Value,
        text: String,
    },
    /// A package function called with all but its first argument, used as
    /// a constraint (`strings.MinRunes(3)`): the value is the first one.
    Func {
        name: Text,
        args: Vec<Value>,
        text: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundOp {
    Lt,
    Le,
    Gt,
    Ge,
    Ne,
    Match,
    NotMatch,
}

impl BoundOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BoundOp::Lt => "<",
            BoundOp::Le => "<=",
            BoundOp::Gt => ">",
            BoundOp::Ge => ">=",
            BoundOp::Ne => "!=",
            BoundOp::Match => "=~",
            BoundOp::NotMatch => "!~",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Value {
    Top,
    Bottom(Rc<EvalError>),
    Null,
    Bool(bool),
    /// Behind a pointer: numbers are big decimals, and keeping them out of
    /// line halves the size of every value.
    Num(Rc<Num>),
    Str(Text),
    /// (A `Vec` behind the pointer keeps the value one pointer wide, as
    /// `Text` does for strings.)
    Bytes(Rc<Vec<u8>>),
    /// One or more basic types: `int`, `string`, `int | string` as a mask.
    Kind(Kind),
    Bound(BoundOp, Rc<Value>),
    /// A conjunction of constraints that do not reduce further
    /// (`int & >=0 & <10`).
    Conj(Rc<Vec<Value>>),
    /// A struct or list.
    Vertex(VId),
    /// A disjunction of values, with defaults marked.
    Disj(Rc<Vec<(Value, bool)>>),
    Builtin(BuiltinFn),
    /// A constraint checked once the value it applies to is complete
    /// (`matchN(1, [a, b])`).
    Validator(Rc<Validator>),
    /// A function of a standard package, e.g. `strings.Join`.
    Func(Text),
    /// An imported package, to select functions from.
    Package(Text),
}

impl Value {
    pub fn num(n: Num) -> Value {
        Value::Num(Rc::new(n))
    }

    pub fn err(kind: ErrKind, msg: impl Into<String>) -> Value {
        Value::Bottom(EvalError::new(kind, msg))
    }

    pub fn is_bottom(&self) -> bool {
        matches!(self, Value::Bottom(_))
    }

    pub fn is_atom(&self) -> bool {
        matches!(
            self,
            Value::Null | Value::Bool(_) | Value::Num(_) | Value::Str(_) | Value::Bytes(_)
        )
    }

    /// The kinds of values this value admits.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Top => kind::TOP,
            Value::Bottom(_) => 0,
            Value::Null => kind::NULL,
            Value::Bool(_) => kind::BOOL,
            Value::Num(n) => {
                if n.is_int {
                    kind::INT
                } else {
                    kind::FLOAT
                }
            }
            Value::Str(_) => kind::STRING,
            Value::Bytes(_) => kind::BYTES,
            Value::Kind(k) => *k,
            Value::Bound(op, v) => match op {
                BoundOp::Match | BoundOp::NotMatch => kind::STRING,
                BoundOp::Ne => kind::TOP,
                _ => match v.as_ref() {
                    Value::Num(_) => kind::NUMBER,
                    Value::Str(_) => kind::STRING,
                    Value::Bytes(_) => kind::BYTES,
                    _ => kind::SCALAR,
                },
            },
            Value::Conj(vs) => vs.iter().fold(kind::TOP, |k, v| k & v.kind()),
            Value::Vertex(_) => kind::STRUCT | kind::LIST,
            Value::Disj(ds) => ds.iter().fold(0, |k, (v, _)| k | v.kind()),
            Value::Builtin(_) | Value::Package(_) | Value::Func(_) => 0,
            Value::Validator(_) => kind::TOP,
        }
    }
}

pub fn kind_name(k: Kind) -> String {
    let names = [
        (kind::NULL, "null"),
        (kind::BOOL, "bool"),
        (kind::INT, "int"),
        (kind::FLOAT, "float"),
        (kind::STRING, "string"),
        (kind::BYTES, "bytes"),
        (kind::LIST, "list"),
        (kind::STRUCT, "struct"),
    ];
    if k == kind::TOP {
        return "_".to_string();
    }
    if k & kind::NUMBER == kind::NUMBER {
        let rest = k & !kind::NUMBER;
        let mut parts: Vec<&str> = names
            .iter()
            .filter(|(b, _)| rest & b != 0)
            .map(|(_, n)| *n)
            .collect();
        parts.insert(0, "number");
        return parts.join("|");
    }
    let parts: Vec<&str> = names
        .iter()
        .filter(|(b, _)| k & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if parts.is_empty() {
        "_|_".to_string()
    } else {
        parts.join("|")
    }
}

/// Compares two atoms for equality as CUE does (`1 == 1.0` holds).
pub fn atoms_equal(a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Num(x), Value::Num(y)) => x.cmp_value(y) == Ordering::Equal,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        _ if a.is_atom() && b.is_atom() => false,
        _ => return None,
    })
}

/// Orders two atoms of the same kind (numbers, strings, bytes).
pub fn atoms_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp_value(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.as_ref().cmp(y.as_ref())),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.as_ref().cmp(y.as_ref())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_acts_as_its_string() {
        // Maps keyed by `Text` are searched by `&str` (the label
        // interner): both must hash and compare alike.
        let mut m = std::collections::HashMap::new();
        m.insert(Text::from("app-1"), 1);
        m.insert(Text::from(String::from("app-2")), 2);
        assert_eq!(m.get("app-1"), Some(&1));
        assert_eq!(m.get("app-2"), Some(&2));
        assert_eq!(m.get("app-3"), None);
        let a = Text::from("a\"b");
        assert_eq!(&*a, "a\"b");
        assert_eq!(format!("{a} {a:?}"), "a\"b \"a\\\"b\"");
        assert!(Text::from("a") < Text::from("b"));
        assert_eq!(std::mem::size_of::<Text>(), std::mem::size_of::<usize>());
    }
}
