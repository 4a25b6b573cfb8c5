//! Packages `encoding/json`, `encoding/yaml`, `encoding/base64` and
//! `encoding/hex`. The YAML reader ([`parse_yaml`], [`yaml_to_value`])
//! keeps line and column of every node so that data-file loading can use
//! it too.

use std::collections::HashMap;

use base64::Engine as _;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{bytes, check_size, f, int, string, v, Args, Def, Failure, R};
use crate::eval::{Conjunct, Engine};
use crate::export::{self, Data};
use crate::num::Num;
use crate::value::{ErrKind, Value};

pub const JSON: &[Def] = &[
    f("Marshal", 1, |en, a| {
        let d = data(en, a, 0)?;
        Ok(string(export::to_compact_json(&d)))
    }),
    f("MarshalStream", 1, |en, a| {
        let mut out = String::new();
        for d in stream(en, a)? {
            out.push_str(&export::to_compact_json(&d));
            out.push('\n');
        }
        Ok(string(out))
    }),
    f("Unmarshal", 1, |en, a| {
        let j = parse_json(a, 0)?;
        Ok(from_json(en, &j))
    }),
    v("Valid", 1, |_, a| {
        let b = a.bytes(0)?;
        Ok(Value::Bool(
            serde_json::from_slice::<serde_json::Value>(&b).is_ok(),
        ))
    }),
    v("Validate", 2, |en, a| {
        let j = parse_json(a, 0)?;
        let data = from_json(en, &j);
        validate(en, a, data, true)
    }),
    f("Compact", 1, |_, a| {
        let j = parse_json(a, 0)?;
        let mut out = String::new();
        write_json(&j, None, "", 0, &mut out);
        Ok(string(out))
    }),
    f("Indent", 3, |_, a| {
        let j = parse_json(a, 0)?;
        let (prefix, indent) = (a.str(1)?, a.str(2)?);
        let mut out = String::new();
        write_json(&j, Some(&indent), &prefix, 0, &mut out);
        Ok(string(out))
    }),
    f("HTMLEscape", 1, |_, a| {
        let b = a.bytes(0)?;
        let s = String::from_utf8_lossy(&b);
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                c => out.push(c),
            }
        }
        Ok(string(out))
    }),
];

pub const YAML: &[Def] = &[
    f("Marshal", 1, |en, a| {
        let d = data(en, a, 0)?;
        Ok(string(export::to_yaml(&d)))
    }),
    f("MarshalStream", 1, |en, a| {
        let docs: Vec<String> = stream(en, a)?.iter().map(export::to_yaml).collect();
        Ok(string(docs.join("---\n")))
    }),
    f("Unmarshal", 1, |en, a| {
        let mut docs = yaml_docs(a, 0)?;
        match docs.len() {
            0 => Ok(Value::Null),
            1 => yaml_to_value(en, &docs.remove(0)).map_err(|e| a.fail(e.to_string())),
            _ => Err(a.fail("yaml: expected a single YAML document")),
        }
    }),
    f("UnmarshalStream", 1, |en, a| {
        let docs = yaml_docs(a, 0)?;
        let mut vals = Vec::with_capacity(docs.len());
        for d in &docs {
            vals.push(yaml_to_value(en, d).map_err(|e| a.fail(e.to_string()))?);
        }
        Ok(super::value_list(en, vals))
    }),
    v("Validate", 2, |en, a| validate_yaml(en, a, true)),
    v("ValidatePartial", 2, |en, a| validate_yaml(en, a, false)),
];

pub const BASE64: &[Def] = &[
    f("Encode", 2, |_, a| {
        std_encoding(a)?;
        let b = a.bytes(1)?;
        Ok(string(base64::engine::general_purpose::STANDARD.encode(b)))
    }),
    f("Decode", 2, |_, a| {
        std_encoding(a)?;
        let s = a.bytes(1)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(bytes)
            .map_err(|e| a.fail(format!("illegal base64 data: {e}")))
    }),
    f("EncodedLen", 2, |_, a| {
        std_encoding(a)?;
        let n = a.count(1)?;
        let len = n.checked_add(2).map(|x| x / 3 * 4);
        Ok(int(check_size("base64.EncodedLen", len, usize::MAX)? as u64))
    }),
    f("DecodedLen", 2, |_, a| {
        std_encoding(a)?;
        Ok(int((a.count(1)? / 4 * 3) as u64))
    }),
];

pub const HEX: &[Def] = &[
    f("Encode", 1, |_, a| {
        let b = a.bytes(0)?;
        Ok(string(
            b.iter().map(|x| format!("{x:02x}")).collect::<String>(),
        ))
    }),
    f("Decode", 1, |_, a| {
        hex_decode(&a.str(0)?).map(bytes).map_err(|m| a.fail(m))
    }),
    f("EncodedLen", 1, |_, a| {
        let n = a.int(0)?;
        n.checked_mul(2)
            .map(int)
            .ok_or_else(|| a.fail("length out of range"))
    }),
    f("DecodedLen", 1, |_, a| Ok(int(a.int(0)? / 2))),
    f("Dump", 1, |_, a| Ok(string(hex_dump(&a.bytes(0)?)))),
];

/// The first argument of base64 functions selects the encoding; only
/// `null`, the standard one, exists.
fn std_encoding(a: &Args) -> Result<(), Failure> {
    match a.vals.first() {
        Some(Value::Null) => Ok(()),
        Some(other) => Err(a.type_err(other, "null", 0)),
        None => Err(a.fail("missing argument 1")),
    }
}

/// Concrete data of argument `i`, as export sees it.
fn data(en: &mut Engine, a: &Args, i: usize) -> Result<Data, Failure> {
    let v = a.vals.get(i).cloned().unwrap_or(Value::Top);
    export::export_value(en, &v, "").map_err(|errs| {
        let e = &errs[0];
        let kind = if e.kind == ErrKind::Eval {
            ErrKind::Eval
        } else {
            ErrKind::Incomplete
        };
        (kind, e.msg.clone())
    })
}

/// The elements of a list argument as data, for the `MarshalStream`s.
fn stream(en: &mut Engine, a: &Args) -> Result<Vec<Data>, Failure> {
    match data(en, a, 0)? {
        Data::List(items) => Ok(items),
        _ => Err(a.type_err(&a.vals[0], "list", 0)),
    }
}

fn parse_json(a: &Args, i: usize) -> Result<serde_json::Value, Failure> {
    let b = a.bytes(i)?;
    serde_json::from_slice(&b).map_err(|e| a.fail(format!("json: invalid JSON: {e}")))
}

/// Unifies `data` with the schema in argument 1; with `concrete`, the
/// result must also be complete data.
fn validate(en: &mut Engine, a: &Args, data: Value, concrete: bool) -> R {
    let schema = a.vals.get(1).cloned().unwrap_or(Value::Top);
    if let Value::Bottom(e) = &schema {
        return Err((e.kind, e.msg.clone()));
    }
    let w = en.new_vertex(None, None);
    for kind in [en.value_kind(data), en.value_kind(schema)] {
        en.v[w as usize].conjuncts.push(Conjunct {
            kind,
            env: 0,
            node: 0,
        });
    }
    en.process(w);
    if concrete {
        export::export(en, w).map_err(|errs| (ErrKind::Eval, errs[0].msg.clone()))?;
    } else if let Some(e) = en.first_error(w) {
        return Err((ErrKind::Eval, e.msg.clone()));
    }
    Ok(Value::Bool(true))
}

fn validate_yaml(en: &mut Engine, a: &Args, concrete: bool) -> R {
    let docs = yaml_docs(a, 0)?;
    for d in &docs {
        let v = yaml_to_value(en, d).map_err(|e| a.fail(e.to_string()))?;
        validate(en, a, v, concrete)?;
    }
    Ok(Value::Bool(true))
}

fn yaml_docs(a: &Args, i: usize) -> Result<Vec<YamlNode>, Failure> {
    let b = a.bytes(i)?;
    let text = String::from_utf8(b).map_err(|_| a.fail("yaml: invalid UTF-8"))?;
    parse_yaml(&text).map_err(|e| a.fail(e.to_string()))
}

/// A CUE value from decoded JSON; numbers keep their text.
pub fn from_json(en: &mut Engine, j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => number(&n.to_string()),
        serde_json::Value::String(s) => string(s),
        serde_json::Value::Array(items) => {
            let elems = items
                .iter()
                .map(|x| {
                    let val = from_json(en, x);
                    en.value_kind(val)
                })
                .collect();
            en.list_of(elems)
        }
        serde_json::Value::Object(m) => {
            let fields = m
                .iter()
                .map(|(k, x)| {
                    let val = from_json(en, x);
                    (k.clone(), en.value_kind(val))
                })
                .collect();
            en.struct_of(fields)
        }
    }
}

/// A number from JSON or YAML text: an int unless it has a fraction or
/// exponent.
fn number(t: &str) -> Value {
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let is_float = !digits.starts_with("0x") && digits.contains(['.', 'e', 'E']);
    let num = if is_float {
        Num::parse_float(digits)
    } else {
        Num::parse_int(digits)
    };
    match num {
        Ok(n) if neg => Value::num(n.neg()),
        Ok(n) => Value::num(n),
        Err(_) => Value::err(ErrKind::Eval, format!("invalid number {t}")),
    }
}

/// JSON text in Go's `json.Compact` (`indent == None`) or `json.Indent`
/// layout.
fn write_json(
    j: &serde_json::Value,
    indent: Option<&str>,
    prefix: &str,
    depth: usize,
    out: &mut String,
) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(ind) = indent {
            out.push('\n');
            out.push_str(prefix);
            for _ in 0..depth {
                out.push_str(ind);
            }
        }
    };
    let sep = if indent.is_some() { ": " } else { ":" };
    match j {
        serde_json::Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_json(x, indent, prefix, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        serde_json::Value::Object(m) if !m.is_empty() => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push_str(sep);
                write_json(x, indent, prefix, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn hex_decode(s: &str) -> Result<Vec<u8>, String> {
    let digit = |c: u8| -> Result<u8, String> {
        (c as char)
            .to_digit(16)
            .map(|d| d as u8)
            .ok_or_else(|| format!("encoding/hex: invalid byte: U+{:04X} {:?}", c, c as char))
    };
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 2);
    for pair in b.chunks(2) {
        if pair.len() < 2 {
            digit(pair[0])?;
            return Err("encoding/hex: odd length hex string".into());
        }
        out.push(digit(pair[0])? << 4 | digit(pair[1])?);
    }
    Ok(out)
}

/// Go's `hex.Dump`: offset, sixteen bytes in two groups, printable ASCII.
fn hex_dump(b: &[u8]) -> String {
    let mut out = String::new();
    for (n, line) in b.chunks(16).enumerate() {
        out.push_str(&format!("{:08x} ", n * 16));
        for i in 0..16 {
            if i == 8 {
                out.push(' ');
            }
            match line.get(i) {
                Some(x) => out.push_str(&format!(" {x:02x}")),
                None => out.push_str("   "),
            }
        }
        out.push_str("  |");
        for &x in line {
            out.push(if (32..127).contains(&x) {
                x as char
            } else {
                '.'
            });
        }
        out.push_str("|\n");
    }
    out
}

// --- YAML -------------------------------------------------------------

/// A YAML node with its position (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct YamlNode {
    pub kind: YamlKind,
    pub line: usize,
    pub col: usize,
}

/// What a YAML node holds after tag resolution (YAML 1.2 core schema, as
/// the reference's YAML decoder resolves plain scalars).
#[derive(Clone, Debug, PartialEq)]
pub enum YamlKind {
    Null,
    Bool(bool),
    /// An integer or float, as written.
    Number(String),
    Str(String),
    Seq(Vec<YamlNode>),
    Map(Vec<(YamlNode, YamlNode)>),
}

/// A YAML syntax or conversion error at a 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub col: usize,
    pub msg: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "yaml: line {}:{}: {}", self.line, self.col, self.msg)
    }
}

/// Limits that keep hostile input (deep nesting, alias expansion) from
/// exhausting the stack or memory.
const MAX_YAML_DEPTH: usize = 1000;
const MAX_YAML_NODES: usize = 1_000_000;

enum Frame {
    Seq(Vec<YamlNode>, usize, Marker),
    Map(Vec<(YamlNode, YamlNode)>, Option<YamlNode>, usize, Marker),
}

/// Parses every document of a YAML stream.
pub fn parse_yaml(text: &str) -> Result<Vec<YamlNode>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, YamlNode> = HashMap::new();
    let mut nodes = 0usize;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            msg: e.info().to_string(),
        })?;
        let err = |msg: &str| YamlError {
            line: mark.line(),
            col: mark.col() + 1,
            msg: msg.to_string(),
        };
        let node = match ev {
            Event::StreamEnd => break,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_YAML_DEPTH {
                    return Err(err("nesting too deep"));
                }
                stack.push(match ev {
                    Event::SequenceStart(..) => Frame::Seq(Vec::new(), anchor, mark),
                    _ => Frame::Map(Vec::new(), None, anchor, mark),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (kind, anchor, m) = match stack.pop() {
                    Some(Frame::Seq(items, a, m)) => (YamlKind::Seq(items), a, m),
                    Some(Frame::Map(items, _, a, m)) => (YamlKind::Map(merge_keys(items)), a, m),
                    None => return Err(err("unbalanced collection end")),
                };
                let node = YamlNode {
                    kind,
                    line: m.line(),
                    col: m.col() + 1,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = YamlNode {
                    kind: resolve_scalar(text, style, tag.as_ref()).map_err(|m| err(&m))?,
                    line: mark.line(),
                    col: mark.col() + 1,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                let node = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| err("unknown anchor"))?;
                nodes = nodes.saturating_add(count_nodes(&node));
                node
            }
            _ => continue,
        };
        nodes += 1;
        if nodes > MAX_YAML_NODES {
            return Err(err("document too large (alias expansion?)"));
        }
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(items, key, ..)) => match key.take() {
                None => *key = Some(node),
                Some(k) => items.push((k, node)),
            },
        }
    }
    Ok(docs)
}

fn count_nodes(n: &YamlNode) -> usize {
    match &n.kind {
        YamlKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        YamlKind::Map(items) => {
            1 + items
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// Applies merge keys (`<<: *base`): fields of the merged maps that the
/// map does not set itself.
fn merge_keys(items: Vec<(YamlNode, YamlNode)>) -> Vec<(YamlNode, YamlNode)> {
    let is_merge = |k: &YamlNode| matches!(&k.kind, YamlKind::Str(s) if s == "<<");
    if !items.iter().any(|(k, _)| is_merge(k)) {
        return items;
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in items {
        if !is_merge(&k) {
            own.push((k, v));
            continue;
        }
        let maps = match v.kind {
            YamlKind::Seq(list) => list,
            _ => vec![v],
        };
        for m in maps {
            if let YamlKind::Map(fields) = m.kind {
                merged.extend(fields);
            }
        }
    }
    for (k, v) in merged {
        if !own.iter().any(|(o, _)| o.kind == k.kind) {
            own.push((k, v));
        }
    }
    own
}

fn resolve_scalar(
    text: String,
    style: TScalarStyle,
    tag: Option<&Tag>,
) -> Result<YamlKind, String> {
    if let Some(t) = tag.filter(|t| t.handle == "tag:yaml.org,2002:" || t.handle == "!!") {
        return match t.suffix.as_str() {
            "str" | "binary" | "timestamp" => Ok(YamlKind::Str(text)),
            "null" => Ok(YamlKind::Null),
            "bool" | "int" | "float" => match plain_scalar(&text) {
                YamlKind::Str(_) => Err(format!("cannot decode {text:?} as !!{}", t.suffix)),
                k => Ok(k),
            },
            _ => Ok(plain_scalar(&text)),
        };
    }
    if style != TScalarStyle::Plain {
        return Ok(YamlKind::Str(text));
    }
    Ok(plain_scalar(&text))
}

fn plain_scalar(t: &str) -> YamlKind {
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return YamlKind::Null,
        "true" | "True" | "TRUE" => return YamlKind::Bool(true),
        "false" | "False" | "FALSE" => return YamlKind::Bool(false),
        _ => {}
    }
    if is_yaml_number(t) {
        YamlKind::Number(t.to_string())
    } else {
        YamlKind::Str(t.to_string())
    }
}

fn is_yaml_number(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let all = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(h) = body.strip_prefix("0x") {
        return all(h, 16);
    }
    if let Some(o) = body.strip_prefix("0o") {
        return all(o, 8);
    }
    // Decimal: digits, optional fraction, optional exponent.
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac) = match mant.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mant, None),
    };
    let digits_ok = (int_part.is_empty() || all(int_part, 10))
        && frac.is_none_or(|f| f.is_empty() || all(f, 10))
        && !(int_part.is_empty() && frac.is_none_or(|f| f.is_empty()));
    let exp_ok = exp.is_none_or(|e| all(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    digits_ok && exp_ok
}

/// The CUE value of a YAML node. Map keys must be scalars; numbers keep
/// their text.
pub fn yaml_to_value(en: &mut Engine, n: &YamlNode) -> Result<Value, YamlError> {
    let err = |msg: String| YamlError {
        line: n.line,
        col: n.col,
        msg,
    };
    Ok(match &n.kind {
        YamlKind::Null => Value::Null,
        YamlKind::Bool(b) => Value::Bool(*b),
        YamlKind::Number(t) => yaml_number(t).ok_or_else(|| err(format!("invalid number {t}")))?,
        YamlKind::Str(s) => string(s),
        YamlKind::Seq(items) => {
            let mut elems = Vec::with_capacity(items.len());
            for x in items {
                let val = yaml_to_value(en, x)?;
                elems.push(en.value_kind(val));
            }
            en.list_of(elems)
        }
        YamlKind::Map(items) => {
            let mut fields = Vec::with_capacity(items.len());
            for (k, x) in items {
                let key = match &k.kind {
                    YamlKind::Str(s) | YamlKind::Number(s) => s.clone(),
                    YamlKind::Bool(b) => b.to_string(),
                    YamlKind::Null => "null".to_string(),
                    _ => {
                        return Err(YamlError {
                            line: k.line,
                            col: k.col,
                            msg: "invalid map key: must be a scalar".into(),
                        })
                    }
                };
                let val = yaml_to_value(en, x)?;
                fields.push((key, en.value_kind(val)));
            }
            en.struct_of(fields)
        }
    })
}

fn yaml_number(t: &str) -> Option<Value> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n = if body.starts_with("0x") || body.starts_with("0o") || !body.contains(['.', 'e', 'E']) {
        Num::parse_int(body).ok()?
    } else {
        let body = if body.starts_with('.') {
            format!("0{body}")
        } else {
            body.to_string()
        };
        Num::parse_float(&body).ok()?
    };
    Some(Value::num(if neg { n.neg() } else { n }))
}
