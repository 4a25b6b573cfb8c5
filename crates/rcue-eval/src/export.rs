//! Export of evaluated values as data (JSON for now): concrete values only,
//! in field order, without definitions, hidden or optional fields.

use crate::eval::{ArcType, Engine, State};
use crate::ir::Pos;
use crate::meet::{describe, quote};
use crate::num::Num;
use crate::value::{ErrKind, VId, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Null,
    Bool(bool),
    /// A number as it prints.
    Num(String),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Data>),
    Object(Vec<(String, Data)>),
}

/// One reason export failed, at one path.
#[derive(Clone, Debug)]
pub struct ExportError {
    pub path: String,
    pub msg: String,
    pub pos: Vec<Pos>,
    pub kind: ErrKind,
}

/// Receives exported data as it is walked, depth first: `export` builds a
/// `Data` tree this way, `export_json_into` writes JSON text directly (no
/// tree in between: the output of a large configuration is the biggest
/// thing export holds).
pub trait Sink {
    fn null(&mut self);
    fn bool(&mut self, b: bool);
    /// A number as it prints.
    fn num(&mut self, n: &str);
    /// A number of the evaluator: sinks that print it may do so without
    /// an intermediate string.
    fn number(&mut self, n: &Num) {
        self.num(&n.to_json());
    }
    fn str(&mut self, s: &str);
    fn bytes(&mut self, b: &[u8]);
    fn begin_list(&mut self);
    fn end_list(&mut self);
    fn begin_object(&mut self);
    /// The label of the next value in the current object.
    fn key(&mut self, k: &str);
    /// `key`, with the label already quoted as JSON.
    fn quoted_key(&mut self, _quoted: &str, k: &str) {
        self.key(k)
    }
    fn end_object(&mut self);
}

/// Builds a `Data` tree.
#[derive(Default)]
struct DataBuilder {
    /// Open lists and objects, innermost last, with the key waiting for
    /// its value.
    open: Vec<(Data, Option<String>)>,
    done: Option<Data>,
}

impl DataBuilder {
    fn add(&mut self, d: Data) {
        match self.open.last_mut() {
            Some((Data::List(items), _)) => items.push(d),
            Some((Data::Object(fields), key)) => {
                fields.push((key.take().unwrap_or_default(), d));
            }
            _ => self.done = Some(d),
        }
    }
}

impl Sink for DataBuilder {
    fn null(&mut self) {
        self.add(Data::Null)
    }
    fn bool(&mut self, b: bool) {
        self.add(Data::Bool(b))
    }
    fn num(&mut self, n: &str) {
        self.add(Data::Num(n.to_string()))
    }
    fn str(&mut self, s: &str) {
        self.add(Data::Str(s.to_string()))
    }
    fn bytes(&mut self, b: &[u8]) {
        self.add(Data::Bytes(b.to_vec()))
    }
    fn begin_list(&mut self) {
        self.open.push((Data::List(Vec::new()), None));
    }
    fn begin_object(&mut self) {
        self.open.push((Data::Object(Vec::new()), None));
    }
    fn key(&mut self, k: &str) {
        if let Some((_, key)) = self.open.last_mut() {
            *key = Some(k.to_string());
        }
    }
    fn end_list(&mut self) {
        if let Some((d, _)) = self.open.pop() {
            self.add(d);
        }
    }
    fn end_object(&mut self) {
        self.end_list();
    }
}

/// Where `JsonWriter` puts its text.
pub trait TextOut {
    fn put(&mut self, s: &str);
}

impl TextOut for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// Counts the bytes instead of keeping them: the size of an output, known
/// before any of it is written.
#[derive(Default)]
pub struct ByteCount(pub usize);

impl TextOut for ByteCount {
    fn put(&mut self, s: &str) {
        self.0 += s.len();
    }
}

/// Writes to an `io::Write`, keeping the first error (later text is
/// dropped): a closed pipe ends the output, not the program.
pub struct IoOut<W: std::io::Write> {
    pub w: W,
    pub err: Option<std::io::Error>,
}

impl<W: std::io::Write> TextOut for IoOut<W> {
    fn put(&mut self, s: &str) {
        if self.err.is_none() {
            if let Err(e) = self.w.write_all(s.as_bytes()) {
                self.err = Some(e);
            }
        }
    }
}

/// Text `JsonWriter` gathers before passing it on.
const JSON_CHUNK: usize = 1 << 16;

/// Writes JSON as `cue export` prints it: four-space indentation. Text is
/// gathered in a buffer of `JSON_CHUNK` bytes and passed to `out` as it
/// fills, so a large output is never held whole; `finish` passes the rest.
pub struct JsonWriter<'a, O: TextOut> {
    out: &'a mut O,
    buf: String,
    /// Values written so far in each open list or object.
    counts: Vec<usize>,
    /// Whether a key was just written (its value follows on the line).
    after_key: bool,
}

impl<'a, O: TextOut> JsonWriter<'a, O> {
    pub fn new(out: &'a mut O) -> JsonWriter<'a, O> {
        JsonWriter {
            out,
            buf: String::new(),
            counts: Vec::new(),
            after_key: false,
        }
    }

    /// Passes the text still buffered to `out`.
    pub fn finish(mut self) {
        self.flush();
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.out.put(&self.buf);
            self.buf.clear();
        }
    }

    /// A line break then the indentation of `depth` levels, in one or two
    /// appends for all but very deep values (this runs once per value).
    fn newline(&mut self, depth: usize) {
        const LINE: &str = "\n                                                                ";
        let mut width = 4 * depth + 1;
        let step = width.min(LINE.len());
        self.buf.push_str(&LINE[..step]);
        width -= step;
        while width > 0 {
            let step = width.min(LINE.len() - 1);
            self.buf.push_str(&LINE[1..1 + step]);
            width -= step;
        }
    }

    /// Separates the next element of a list from the previous one.
    fn element(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if let Some(c) = self.counts.last_mut() {
            *c += 1;
            if *c > 1 {
                self.buf.push(',');
            }
            let depth = self.counts.len();
            self.newline(depth);
        }
        // Safe to pass on here: `close` only ever takes back the bracket
        // written after the last call.
        if self.buf.len() >= JSON_CHUNK {
            self.flush();
        }
    }

    fn close(&mut self, bracket: char, empty: &str) {
        let n = self.counts.pop().unwrap_or(0);
        if n == 0 {
            // `[` or `{` was written alone: make it `[]` / `{}`.
            self.buf.pop();
            self.buf.push_str(empty);
            return;
        }
        let depth = self.counts.len();
        self.newline(depth);
        self.buf.push(bracket);
    }
}

impl<O: TextOut> Sink for JsonWriter<'_, O> {
    fn null(&mut self) {
        self.element();
        self.buf.push_str("null");
    }
    fn bool(&mut self, b: bool) {
        self.element();
        self.buf.push_str(if b { "true" } else { "false" });
    }
    fn num(&mut self, n: &str) {
        self.element();
        self.buf.push_str(n);
    }
    fn number(&mut self, n: &Num) {
        self.element();
        n.write_json(&mut self.buf);
    }
    fn str(&mut self, s: &str) {
        self.element();
        rcue_syntax::data::quote_into(s, &mut self.buf);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.element();
        self.buf.push('"');
        self.buf.push_str(&base64(b));
        self.buf.push('"');
    }
    fn begin_list(&mut self) {
        self.element();
        self.buf.push('[');
        self.counts.push(0);
    }
    fn end_list(&mut self) {
        self.close(']', "[]");
    }
    fn begin_object(&mut self) {
        self.element();
        self.buf.push('{');
        self.counts.push(0);
    }
    fn key(&mut self, k: &str) {
        self.element();
        rcue_syntax::data::quote_into(k, &mut self.buf);
        self.buf.push_str(": ");
        self.after_key = true;
    }
    fn quoted_key(&mut self, quoted: &str, _: &str) {
        self.element();
        self.buf.push_str(quoted);
        self.buf.push_str(": ");
        self.after_key = true;
    }
    fn end_object(&mut self) {
        self.close('}', "{}");
    }
}

/// Exports a vertex; every error below it is collected.
pub fn export(en: &mut Engine, v: VId) -> Result<Data, Vec<ExportError>> {
    let mut b = DataBuilder::default();
    export_into(en, v, &mut b)?;
    Ok(b.done.unwrap_or(Data::Null))
}

/// Exports a vertex into `sink`; every error below it is collected (what
/// the sink received is then incomplete).
pub fn export_into(en: &mut Engine, v: VId, sink: &mut impl Sink) -> Result<(), Vec<ExportError>> {
    // Finalizing checks validators, which need complete values.
    en.finalize(v);
    let mut errors = Vec::new();
    walk(en, v, &mut errors, 0, sink);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Exports a vertex as JSON text (`to_json`'s format, newline included)
/// appended to `out`; on errors `out` is left as it was.
pub fn export_json_into(en: &mut Engine, v: VId, out: &mut String) -> Result<(), Vec<ExportError>> {
    let start = out.len();
    let r = export_json_to(en, v, out);
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// Exports a vertex as JSON text (newline included) into `out` as it is
/// walked. On errors `out` has received part of it: check first
/// (`check_export`) where that matters.
pub fn export_json_to(
    en: &mut Engine,
    v: VId,
    out: &mut impl TextOut,
) -> Result<(), Vec<ExportError>> {
    let mut w = JsonWriter::new(out);
    let r = export_into(en, v, &mut w);
    w.buf.push('\n');
    w.finish();
    r
}

/// Whether a vertex exports, writing nothing: its errors, as `export`
/// would report them.
pub fn check_export(en: &mut Engine, v: VId) -> Result<(), Vec<ExportError>> {
    export_into(en, v, &mut Discard)
}

/// A sink that keeps nothing.
struct Discard;

impl Sink for Discard {
    fn null(&mut self) {}
    fn bool(&mut self, _: bool) {}
    fn num(&mut self, _: &str) {}
    fn number(&mut self, _: &Num) {}
    fn str(&mut self, _: &str) {}
    fn bytes(&mut self, _: &[u8]) {}
    fn begin_list(&mut self) {}
    fn end_list(&mut self) {}
    fn begin_object(&mut self) {}
    fn key(&mut self, _: &str) {}
    fn end_object(&mut self) {}
}

/// Exports an already evaluated value (the result of `-e`).
pub fn export_value(en: &mut Engine, val: &Value, path: &str) -> Result<Data, Vec<ExportError>> {
    match val {
        Value::Vertex(w) => export(en, *w),
        other => scalar(other).ok_or_else(|| vec![incomplete(en, other, path, Vec::new())]),
    }
}

fn incomplete(_en: &Engine, v: &Value, path: &str, pos: Vec<Pos>) -> ExportError {
    match v {
        Value::Bottom(e) => ExportError {
            path: path.to_string(),
            msg: e.msg.clone(),
            pos: e.pos.clone(),
            kind: e.kind,
        },
        Value::Disj(_) => ExportError {
            path: path.to_string(),
            msg: format!("incomplete value {} (unresolved disjunction)", describe(v)),
            pos,
            kind: ErrKind::Incomplete,
        },
        _ => ExportError {
            path: path.to_string(),
            msg: format!("incomplete value {}", describe(v)),
            pos,
            kind: ErrKind::Incomplete,
        },
    }
}

/// Sends a scalar to `sink`; false if `v` is not concrete data.
fn scalar_into(v: &Value, sink: &mut impl Sink) -> bool {
    match v {
        Value::Null => sink.null(),
        Value::Bool(b) => sink.bool(*b),
        Value::Num(n) => sink.number(n),
        Value::Str(s) => sink.str(s),
        Value::Bytes(b) => sink.bytes(b),
        _ => return false,
    }
    true
}

fn scalar(v: &Value) -> Option<Data> {
    let mut b = DataBuilder::default();
    scalar_into(v, &mut b).then(|| b.done.unwrap_or(Data::Null))
}

fn walk(
    en: &mut Engine,
    v: VId,
    errors: &mut Vec<ExportError>,
    depth: usize,
    sink: &mut impl Sink,
) {
    grow(|| walk_here(en, v, errors, depth, sink))
}

/// Sends vertex `v` to `sink`, or records why it cannot be exported
/// (`null` stands in for it then, keeping the sink's structure whole).
fn walk_here(
    en: &mut Engine,
    v: VId,
    errors: &mut Vec<ExportError>,
    depth: usize,
    sink: &mut impl Sink,
) {
    if en.stopped.is_some() && !errors.is_empty() {
        // A limit was reached: one error says so; the rest would repeat it.
        return sink.null();
    }
    if depth > crate::eval::MAX_DEPTH {
        errors.push(ExportError {
            path: en.path(v),
            msg: "value too deep to export".into(),
            pos: vec![],
            kind: ErrKind::Eval,
        });
        return sink.null();
    }
    // Most vertices are done and have none of the rarely used parts (no
    // forward, no disjuncts, no error): nothing to resolve first.
    let plain = {
        let vx = &en.v[v as usize];
        vx.state == State::Done && vx.cold.is_none()
    };
    let v = match plain {
        true => v,
        false => {
            en.process(v);
            let v = en.deref(v);
            match en.resolve_default(v) {
                Ok(d) => {
                    en.process(d);
                    en.deref(d)
                }
                Err(_) => {
                    let val = en.default_of(Value::Vertex(v));
                    let path = en.path(v);
                    errors.push(incomplete(en, &val, &path, vec![]));
                    return sink.null();
                }
            }
        }
    };
    if let Some(e) = en.v[v as usize].err().cloned() {
        errors.push(ExportError {
            path: en.path(v),
            msg: e.msg.clone(),
            pos: e.pos.clone(),
            kind: e.kind,
        });
        return sink.null();
    }
    let vx = &en.v[v as usize];
    if vx.is_list() {
        sink.begin_list();
        let mut i = 0;
        while let Some(&a) = en.elems(v).get(i) {
            i += 1;
            walk(en, a, errors, depth + 1, sink);
        }
        return sink.end_list();
    }
    // A scalar with definitions or hidden fields beside it is the scalar.
    if vx.is_struct || !(vx.arcs.is_empty() || vx.value.is_atom()) {
        en.sort_fields(v);
        sink.begin_object();
        let mut i = 0;
        while let Some(a) = en.arc_at(v, i) {
            i += 1;
            let label = en.v[a as usize].label().expect("arc label");
            if !en.labels.is_regular(label) {
                // Definitions and hidden fields are not exported, but
                // `cue export` still fails on their errors (not on their
                // being incomplete).
                // Features rcue does not implement yet are not the
                // user's errors there.
                if let Some(e) = en.first_error(a).filter(|e| e.kind != ErrKind::Unsupported) {
                    let at = en.error_path(a);
                    errors.push(ExportError {
                        path: at,
                        msg: e.msg.clone(),
                        pos: e.pos.clone(),
                        kind: e.kind,
                    });
                }
                continue;
            }
            match en.v[a as usize].arc_type {
                ArcType::Regular => {}
                ArcType::Required => {
                    errors.push(ExportError {
                        path: en.path(a),
                        msg: "field is required but not present".into(),
                        pos: en.v[a as usize].decl_pos().to_vec(),
                        // An error even where concreteness is not asked
                        // for (`vet` without -c).
                        kind: ErrKind::Eval,
                    });
                    continue;
                }
                _ => continue,
            }
            match (en.labels.json_key(label), en.labels.str(label)) {
                (Some(quoted), Some(name)) => sink.quoted_key(quoted, name),
                (_, Some(name)) => sink.key(name),
                _ => sink.key(&en.labels.name(label)),
            }
            walk(en, a, errors, depth + 1, sink);
        }
        return sink.end_object();
    }
    if !matches!(vx.value, Value::Disj(_)) && scalar_into(&vx.value, sink) {
        return;
    }
    // Not concrete data, unless it is a leaf disjunction kept as a value
    // whose default is.
    let mut val = vx.value.clone();
    if let Value::Disj(_) = val {
        val = en.default_of(val);
        if scalar_into(&val, sink) {
            return;
        }
    }
    // A disjunction left has no one position to name; otherwise the
    // vertex's (a leaf disjunction's vertex has its default's).
    let pos = match val {
        Value::Disj(_) => vec![],
        _ => en.positions(v).to_vec(),
    };
    let path = en.path(v);
    errors.push(incomplete(en, &val, &path, pos));
    sink.null();
}

/// JSON text as `cue export` prints it: four-space indentation.
pub fn to_json(d: &Data) -> String {
    let mut out = String::new();
    let mut w = JsonWriter::new(&mut out);
    replay(d, &mut w);
    w.finish();
    out.push('\n');
    out
}

/// Sends a `Data` tree to `sink`.
fn replay(d: &Data, sink: &mut impl Sink) {
    grow(|| match d {
        Data::Null => sink.null(),
        Data::Bool(b) => sink.bool(*b),
        Data::Num(n) => sink.num(n),
        Data::Str(s) => sink.str(s),
        Data::Bytes(b) => sink.bytes(b),
        Data::List(items) => {
            sink.begin_list();
            for it in items {
                replay(it, sink);
            }
            sink.end_list();
        }
        Data::Object(fields) => {
            sink.begin_object();
            for (k, v) in fields {
                sink.key(k);
                replay(v, sink);
            }
            sink.end_object();
        }
    })
}

/// CUE text of exported data, as `cue export --out cue` prints it: the
/// fields of a top-level struct without braces, tabs for indentation.
pub fn to_cue(d: &Data) -> String {
    let mut out = String::new();
    match d {
        Data::Object(fields) => {
            for (k, v) in fields {
                out.push_str(&cue_label(k));
                out.push_str(": ");
                cue_value(v, 0, &mut out);
                out.push('\n');
            }
        }
        other => {
            cue_value(other, 0, &mut out);
            out.push('\n');
        }
    }
    out
}

fn cue_label(k: &str) -> String {
    if crate::label::is_identifier(k) && !k.starts_with('_') && !k.starts_with('#') {
        k.to_string()
    } else {
        quote(k)
    }
}

fn cue_value(d: &Data, indent: usize, out: &mut String) {
    grow(|| cue_value_here(d, indent, out))
}

fn cue_value_here(d: &Data, indent: usize, out: &mut String) {
    match d {
        Data::Object(fields) if !fields.is_empty() => {
            out.push_str("{\n");
            for (k, v) in fields {
                out.push_str(&"\t".repeat(indent + 1));
                out.push_str(&cue_label(k));
                out.push_str(": ");
                cue_value(v, indent + 1, out);
                out.push('\n');
            }
            out.push_str(&"\t".repeat(indent));
            out.push('}');
        }
        Data::List(items) if !items.is_empty() => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                cue_value(v, indent, out);
            }
            out.push(']');
        }
        Data::Bytes(b) => {
            out.push('\'');
            for &c in b.iter() {
                if c.is_ascii_graphic() && c != b'\'' && c != b'\\' || c == b' ' {
                    out.push(c as char);
                } else {
                    out.push_str(&format!("\\x{c:02x}"));
                }
            }
            out.push('\'');
        }
        other => {
            let mut w = JsonWriter::new(out);
            replay(other, &mut w);
            w.finish();
        }
    }
}

/// JSON without any white space, as `json.Marshal` produces it.
pub fn to_compact_json(d: &Data) -> String {
    let mut out = String::new();
    compact(d, &mut out);
    out
}

fn compact(d: &Data, out: &mut String) {
    grow(|| compact_here(d, out))
}

fn compact_here(d: &Data, out: &mut String) {
    match d {
        Data::List(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                compact(it, out);
            }
            out.push(']');
        }
        Data::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote(k));
                out.push(':');
                compact(v, out);
            }
            out.push('}');
        }
        other => {
            let mut w = JsonWriter::new(out);
            replay(other, &mut w);
            w.finish();
        }
    }
}

pub fn base64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk.len();
        let x = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        out.push(T[(x >> 18) as usize & 63] as char);
        out.push(T[(x >> 12) as usize & 63] as char);
        out.push(if n > 1 {
            T[(x >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if n > 2 {
            T[x as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// YAML text as `cue export --out yaml` and `yaml.Marshal` print it: block
/// style, two-space indentation, strings quoted only when needed.
pub fn to_yaml(d: &Data) -> String {
    let mut out = String::new();
    match d {
        Data::Object(f) if !f.is_empty() => yaml_object(f, 0, &mut out),
        Data::List(l) if !l.is_empty() => yaml_list(l, 0, &mut out),
        other => {
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
    out
}

fn yaml_object(fields: &[(String, Data)], indent: usize, out: &mut String) {
    for (k, v) in fields {
        out.push_str(&"  ".repeat(indent));
        out.push_str(&yaml_key(k));
        out.push(':');
        yaml_value(v, indent, out, false);
    }
}

fn yaml_list(items: &[Data], indent: usize, out: &mut String) {
    for v in items {
        out.push_str(&"  ".repeat(indent));
        out.push('-');
        yaml_value(v, indent, out, true);
    }
}

fn yaml_value(v: &Data, indent: usize, out: &mut String, in_list: bool) {
    grow(|| yaml_value_here(v, indent, out, in_list))
}

fn yaml_value_here(v: &Data, indent: usize, out: &mut String, in_list: bool) {
    match v {
        Data::Object(f) if !f.is_empty() => {
            if in_list {
                // The first field shares the line of the dash.
                let mut first = String::new();
                yaml_object(f, indent + 1, &mut first);
                out.push(' ');
                out.push_str(first.trim_start());
            } else {
                out.push('\n');
                yaml_object(f, indent + 1, out);
            }
        }
        Data::List(l) if !l.is_empty() => {
            if in_list {
                let mut inner = String::new();
                yaml_list(l, indent + 1, &mut inner);
                out.push(' ');
                out.push_str(inner.trim_start());
            } else {
                out.push('\n');
                yaml_list(l, indent, out);
            }
        }
        Data::Str(s) if s.contains('\n') => {
            out.push_str(" |");
            if s.ends_with('\n') {
                out.push('\n');
            } else {
                out.push_str("-\n");
            }
            for line in s.trim_end_matches('\n').split('\n') {
                if !line.is_empty() {
                    out.push_str(&"  ".repeat(indent + 1));
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        other => {
            out.push(' ');
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
}

fn yaml_key(k: &str) -> String {
    if needs_quotes(k) {
        quote(k)
    } else {
        k.to_string()
    }
}

fn yaml_scalar(d: &Data) -> String {
    match d {
        Data::Null => "null".into(),
        Data::Bool(b) => b.to_string(),
        Data::Num(n) => n.clone(),
        Data::Str(s) => {
            if needs_quotes(s) {
                quote(s)
            } else {
                s.clone()
            }
        }
        Data::Bytes(b) => format!("!!binary {}", base64(b)),
        Data::List(_) => "[]".into(),
        Data::Object(_) => "{}".into(),
    }
}

/// Whether a plain YAML scalar would be read back as something else (or
/// not at all).
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null"
            | "~"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | ".nan"
            | ".inf"
            | "-.inf"
            | "+.inf"
    ) {
        return true;
    }
    if s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o") || s.starts_with("0b")
    {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // A leading dash followed by a non-space is fine ("-foo").
        if first == '-' && s.len() > 1 && !s[1..].starts_with(' ') && s.parse::<f64>().is_err() {
            return false;
        }
        return true;
    }
    s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control())
}

/// Runs one level of a recursive walk, on a fresh stack segment when
/// little is left (values nest up to `MAX_DEPTH` levels; embedders may
/// call in on small stacks).
fn grow<R>(f: impl FnOnce() -> R) -> R {
    rcue_syntax::stack::grow(64 * 1024, 4 << 20, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(f: Vec<(&str, Data)>) -> Data {
        Data::Object(f.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn json_indentation_past_sixteen_levels() {
        // 20 nested lists, then a number: indentation longer than the
        // writer's block of spaces.
        let mut d = Data::Num("1".into());
        for _ in 0..20 {
            d = Data::List(vec![d]);
        }
        let mut want = String::new();
        for i in 0..20 {
            want.push_str(&" ".repeat(4 * i));
            want.push_str("[\n");
        }
        want.push_str(&" ".repeat(80));
        want.push_str("1\n");
        for i in (0..20).rev() {
            want.push_str(&" ".repeat(4 * i));
            want.push_str("]\n");
        }
        assert_eq!(to_json(&d), want);
    }

    #[test]
    fn json_layout_written_as_walked_and_from_data() {
        let src = "a: {}\nb: []\nc: [[], {}, [1, {x: \"q\\\"\\n\"}]]\nd: {e: {f: null}, g: true}\nh: '\\x00a'\n";
        let want = "{\n    \"a\": {},\n    \"b\": [],\n    \"c\": [\n        [],\n        {},\n        [\n            1,\n            {\n                \"x\": \"q\\\"\\n\"\n            }\n        ]\n    ],\n    \"d\": {\n        \"e\": {\n            \"f\": null\n        },\n        \"g\": true\n    },\n    \"h\": \"AGE=\"\n}\n";
        let mut inst = crate::Instance::from_sources(&[("in.cue", src)]).expect("compiles");
        let streamed = inst.export_json(None).expect("exports");
        assert_eq!(streamed, want);
        let data = inst.export(None).expect("exports");
        assert_eq!(to_json(&data), want);
        // Errors leave the output as it was.
        let mut inst = crate::Instance::from_sources(&[("in.cue", "a: 1\nb: int\n")]).unwrap();
        let mut out = String::from("kept");
        assert!(inst.export_json_into(None, &mut out).is_err());
        assert_eq!(out, "kept");
    }

    #[test]
    fn json_keys_are_quoted_as_strings_are() {
        // Keys come quoted from the label table when written as walked,
        // from the data tree otherwise: both must escape alike.
        let src = "\"a\\\"b\": 1\n\"c\\u0001\\n\": {\"\\t\": 2}\n";
        let want = "{\n    \"a\\\"b\": 1,\n    \"c\\u0001\\n\": {\n        \"\\t\": 2\n    }\n}\n";
        let mut inst = crate::Instance::from_sources(&[("in.cue", src)]).expect("compiles");
        assert_eq!(inst.export_json(None).expect("exports"), want);
        let data = inst.export(None).expect("exports");
        assert_eq!(to_json(&data), want);
    }

    #[test]
    fn yaml_layout() {
        let d = obj(vec![
            ("a", Data::Str("x".into())),
            (
                "b",
                Data::List(vec![
                    Data::Num("1".into()),
                    Data::List(vec![Data::Num("2".into())]),
                ]),
            ),
            (
                "c",
                Data::List(vec![obj(vec![
                    ("name", Data::Str("nm".into())),
                    ("port", Data::Num("80".into())),
                ])]),
            ),
            ("d", obj(vec![])),
            ("e", Data::Str("true".into())),
            ("f", Data::Str("two\nlines".into())),
            ("g h", Data::Null),
        ]);
        assert_eq!(
            to_yaml(&d),
            "a: x\nb:\n- 1\n- - 2\nc:\n- name: nm\n  port: 80\nd: {}\ne: \"true\"\nf: |-\n  two\n  lines\ng h: null\n"
        );
    }

    #[test]
    fn cue_layout() {
        let d = obj(vec![
            ("a", Data::Num("1".into())),
            (
                "b-c",
                obj(vec![(
                    "x",
                    Data::List(vec![Data::Str("s".into()), Data::Null]),
                )]),
            ),
            ("e", obj(vec![])),
        ]);
        assert_eq!(
            to_cue(&d),
            "a: 1\n\"b-c\": {\n\tx: [\"s\", null]\n}\ne: {}\n"
        );
    }

    #[test]
    fn compact_json() {
        let d = obj(vec![
            ("a", Data::List(vec![Data::Bool(true), Data::Null])),
            ("b", Data::Str("q\"".into())),
        ]);
        assert_eq!(to_compact_json(&d), "{\"a\":[true,null],\"b\":\"q\\\"\"}");
    }
}
