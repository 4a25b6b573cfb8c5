//! YAML streams to syntax trees, keeping every node's position.
//!
//! Scalars resolve as CUE's YAML decoder does (the YAML 1.2 core schema):
//! `null`/`~`/empty, `true`/`false`, decimal/hex/octal integers and decimal
//! floats are typed; everything else, and every quoted or block scalar, is a
//! string. Anchors, aliases and `<<` merge keys are expanded.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{field, list_expr, number_expr, string_expr, struct_expr, DataError};
use crate::ast::{Decl, Expr, ExprKind};
use crate::span::Span;

/// Deepest nesting accepted.
const MAX_DEPTH: usize = 1000;
/// Most nodes alias expansion may produce (guards against "billion laughs").
const MAX_NODES: usize = 1_000_000;

/// Every document of a YAML stream, in order.
pub fn parse_yaml_stream(src: &str) -> Result<Vec<Expr>, DataError> {
    yaml_documents(src).collect()
}

/// The documents of a YAML stream, parsed one at a time as they are asked
/// for: a long stream is never held as trees all at once. After an error
/// the iterator ends.
pub fn yaml_documents(src: &str) -> YamlDocuments<'_> {
    yaml_documents_in(src, 0..src.len())
}

/// The documents of the part `range` of a YAML stream (which must start
/// at a line start, as the parts of `yaml_parts` do), with positions in
/// the whole stream.
pub fn yaml_documents_in(src: &str, range: std::ops::Range<usize>) -> YamlDocuments<'_> {
    // Lines are indexed in the part only: a stream read in many small
    // parts must not index the whole text for each.
    YamlDocuments {
        lines: crate::span::LineIndex::new(&src[range.clone()]),
        base: range.start,
        parser: Parser::new_from_str(&src[range]),
        state: BuilderState::default(),
        src,
        finished: false,
    }
}

/// Splits a YAML stream into up to `parts` ranges of about equal size,
/// each starting at a document marker (`---` at the start of a line, which
/// YAML forbids inside any content), so the parts can be parsed apart.
pub fn yaml_parts(src: &str, parts: usize) -> Vec<std::ops::Range<usize>> {
    let bytes = src.as_bytes();
    let mut cuts = vec![0];
    for k in 1..parts.max(1) {
        let mut at = (src.len() / parts * k).max(cuts[cuts.len() - 1] + 1);
        let found = loop {
            let Some(i) = bytes
                .get(at..)
                .and_then(|b| b.windows(4).position(|w| w == b"\n---"))
            else {
                break None;
            };
            let start = at + i + 1;
            match bytes.get(start + 3) {
                None | Some(b' ' | b'\t' | b'\r' | b'\n') => break Some(start),
                _ => at = start,
            }
        };
        match found {
            Some(start) => cuts.push(start),
            None => break,
        }
    }
    cuts.push(src.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Iterator over a YAML stream's documents (see `yaml_documents`).
pub struct YamlDocuments<'a> {
    src: &'a str,
    /// The lines of the part being parsed, which starts at `base`.
    lines: crate::span::LineIndex,
    base: usize,
    parser: Parser<std::str::Chars<'a>>,
    state: BuilderState,
    finished: bool,
}

impl Iterator for YamlDocuments<'_> {
    type Item = Result<Expr, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let mut b = Builder {
            src: self.src,
            lines: &self.lines,
            base: self.base,
            st: &mut self.state,
        };
        loop {
            let step = match self.parser.next_token() {
                Err(e) => Err(DataError::new(
                    e.info().to_string(),
                    offset(self.src, &self.lines, self.base, e.marker()),
                )),
                Ok((Event::StreamEnd, _)) => {
                    self.finished = true;
                    return None;
                }
                Ok((ev, mark)) => b.event(ev, mark),
            };
            if let Err(e) = step {
                self.finished = true;
                return Some(Err(e));
            }
            if let Some(doc) = b.st.done.take() {
                return Some(Ok(doc));
            }
        }
    }
}

/// The byte offset of a marker (computed from line and column, which are
/// reliable whatever the text's encoding).
fn offset(src: &str, lines: &crate::span::LineIndex, base: usize, m: &Marker) -> usize {
    let Some(start) = lines.line_start(m.line() as u32) else {
        return src.len();
    };
    let start = base + start as usize;
    let rest = &src[start..];
    let col = m.col(); // 0-based, unlike the line
    if rest.is_char_boundary(col.min(rest.len()))
        && rest.as_bytes()[..col.min(rest.len())].is_ascii()
    {
        return (start + col).min(src.len());
    }
    rest.char_indices()
        .nth(col)
        .map(|(i, _)| start + i)
        .unwrap_or(start + rest.len().min(col))
        .min(src.len())
}

enum Frame {
    Map {
        start: usize,
        anchor: usize,
        decls: Vec<Decl>,
        keys: HashMap<String, usize>,
        key: Option<(String, Span)>,
        merges: Vec<Expr>,
    },
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Expr>,
    },
}

/// A finished node: its tree, and for scalars the text (keys need it).
struct Node {
    expr: Expr,
    text: Option<String>,
}

#[derive(Default)]
struct BuilderState {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Expr>,
    /// The document just completed.
    done: Option<Expr>,
    /// Nodes copied by alias expansion, bounded separately from the
    /// document's own size.
    alias_nodes: usize,
}

struct Builder<'a> {
    src: &'a str,
    lines: &'a crate::span::LineIndex,
    base: usize,
    st: &'a mut BuilderState,
}

impl Builder<'_> {
    fn event(&mut self, ev: Event, mark: Marker) -> Result<(), DataError> {
        let at = offset(self.src, self.lines, self.base, &mark);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let span = Span::new(at, (at + text.len().max(1)).min(self.src.len()).max(at));
                let expr = scalar(&text, style, tag.as_ref(), span)?;
                if anchor > 0 {
                    self.st.anchors.insert(anchor, expr.clone());
                }
                self.finish(Node {
                    expr,
                    text: Some(text),
                })
            }
            Event::Alias(id) => {
                let Some(target) = self.st.anchors.get(&id) else {
                    return Err(DataError::new("unknown anchor", at));
                };
                // Count before copying: an alias bomb stops here cheaply.
                self.st.alias_nodes += count(target);
                if self.st.alias_nodes > MAX_NODES {
                    return Err(DataError::new("too many nodes after expanding aliases", at));
                }
                let expr = target.clone();
                self.finish(Node { expr, text: None })
            }
            Event::MappingStart(anchor, _) => self.open(
                Frame::Map {
                    start: at,
                    anchor,
                    decls: Vec::new(),
                    keys: HashMap::new(),
                    key: None,
                    merges: Vec::new(),
                },
                at,
            ),
            Event::SequenceStart(anchor, _) => self.open(
                Frame::Seq {
                    start: at,
                    anchor,
                    items: Vec::new(),
                },
                at,
            ),
            Event::MappingEnd => {
                let Some(Frame::Map {
                    start,
                    anchor,
                    mut decls,
                    keys,
                    merges,
                    ..
                }) = self.st.stack.pop()
                else {
                    return Err(DataError::new("unbalanced mapping", at));
                };
                merge(&mut decls, &keys, merges);
                let end = (at.max(start + 1)).min(self.src.len()).max(start);
                let expr = struct_expr(decls, Span::new(start, end));
                if anchor > 0 {
                    self.st.anchors.insert(anchor, expr.clone());
                }
                self.finish(Node { expr, text: None })
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                }) = self.st.stack.pop()
                else {
                    return Err(DataError::new("unbalanced sequence", at));
                };
                let end = (at.max(start + 1)).min(self.src.len()).max(start);
                let expr = list_expr(items, Span::new(start, end));
                if anchor > 0 {
                    self.st.anchors.insert(anchor, expr.clone());
                }
                self.finish(Node { expr, text: None })
            }
            Event::DocumentStart => {
                self.st.anchors.clear();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn open(&mut self, f: Frame, at: usize) -> Result<(), DataError> {
        if self.st.stack.len() >= MAX_DEPTH {
            return Err(DataError::new(
                format!("YAML nested deeper than {MAX_DEPTH} levels"),
                at,
            ));
        }
        self.st.stack.push(f);
        Ok(())
    }

    /// Places a finished node in its parent (or ends a document).
    fn finish(&mut self, node: Node) -> Result<(), DataError> {
        match self.st.stack.last_mut() {
            None => self.st.done = Some(node.expr),
            Some(Frame::Seq { items, .. }) => items.push(node.expr),
            Some(Frame::Map {
                decls,
                keys,
                key,
                merges,
                ..
            }) => match key.take() {
                None => {
                    let Some(text) = node.text else {
                        return Err(DataError::new(
                            "only scalar mapping keys are supported",
                            node.expr.span.start as usize,
                        ));
                    };
                    *key = Some((text, node.expr.span));
                }
                Some((k, span)) if k == "<<" && is_plain(&node.expr) => {
                    let _ = span;
                    merges.push(node.expr);
                }
                Some((k, span)) => {
                    if keys.contains_key(&k) {
                        return Err(DataError::new(
                            format!("mapping key {k:?} already defined"),
                            span.start as usize,
                        ));
                    }
                    keys.insert(k.clone(), decls.len());
                    decls.push(field(k, span, node.expr));
                }
            },
        }
        Ok(())
    }
}

/// Whether a merge value is a mapping or a list of mappings.
fn is_plain(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Struct(_) => true,
        ExprKind::List(l) => l.elems.iter().all(|x| {
            matches!(
                x,
                crate::ast::ListElem::Expr(Expr {
                    kind: ExprKind::Struct(_),
                    ..
                })
            )
        }),
        _ => false,
    }
}

/// Adds the fields of `<<` merges that the mapping does not set itself;
/// earlier merge sources win over later ones.
fn merge(decls: &mut Vec<Decl>, keys: &HashMap<String, usize>, merges: Vec<Expr>) {
    let mut seen: std::collections::HashSet<String> = keys.keys().cloned().collect();
    let mut sources = Vec::new();
    for m in merges {
        match m.kind {
            ExprKind::Struct(s) => sources.push(s),
            ExprKind::List(l) => {
                for e in l.elems {
                    if let crate::ast::ListElem::Expr(Expr {
                        kind: ExprKind::Struct(s),
                        ..
                    }) = e
                    {
                        sources.push(s);
                    }
                }
            }
            _ => {}
        }
    }
    for s in sources {
        for d in s.decls {
            if let Decl::Field(f) = &d {
                if let Some(name) = super::key_of(&f.label.kind) {
                    if seen.insert(name.to_string()) {
                        decls.push(d);
                    }
                }
            }
        }
    }
}

fn count(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Struct(s) => {
            1 + s
                .decls
                .iter()
                .map(|d| match d {
                    Decl::Field(f) => count(&f.value),
                    _ => 1,
                })
                .sum::<usize>()
        }
        ExprKind::List(l) => {
            1 + l
                .elems
                .iter()
                .map(|x| match x {
                    crate::ast::ListElem::Expr(e) => count(e),
                    _ => 1,
                })
                .sum::<usize>()
        }
        _ => 1,
    }
}

fn scalar(
    text: &str,
    style: TScalarStyle,
    tag: Option<&Tag>,
    span: Span,
) -> Result<Expr, DataError> {
    let tag = tag
        .filter(|t| t.handle == "!!" || t.handle == "tag:yaml.org,2002:")
        .map(|t| t.suffix.as_str());
    let plain = style == TScalarStyle::Plain;
    match tag {
        Some("str") => return Ok(string_expr(text.to_string(), span)),
        Some("null") => return Ok(Expr::new(ExprKind::Null, span)),
        Some("bool") | Some("int") | Some("float") => {}
        _ if !plain => return Ok(string_expr(text.to_string(), span)),
        _ => {}
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Expr::new(ExprKind::Null, span)),
        "true" | "True" | "TRUE" => return Ok(Expr::new(ExprKind::Bool(true), span)),
        "false" | "False" | "FALSE" => return Ok(Expr::new(ExprKind::Bool(false), span)),
        ".inf" | "-.inf" | "+.inf" | ".Inf" | "-.Inf" | "+.Inf" | ".INF" | "-.INF" | "+.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(DataError::new(
                format!("cannot represent {text} as a CUE number"),
                span.start as usize,
            ))
        }
        _ => {}
    }
    if let Some(e) = number(text, span) {
        return Ok(e);
    }
    match tag {
        Some(t @ ("bool" | "int" | "float")) => Err(DataError::new(
            format!("cannot decode {text:?} as !!{t}"),
            span.start as usize,
        )),
        _ => Ok(string_expr(text.to_string(), span)),
    }
}

/// Whether a plain scalar is a number or infinity/NaN (which the reader
/// rewrites or rejects) rather than text.
pub(super) fn special_plain(text: &str) -> bool {
    matches!(
        text,
        ".inf"
            | "-.inf"
            | "+.inf"
            | ".Inf"
            | "-.Inf"
            | "+.Inf"
            | ".INF"
            | "-.INF"
            | "+.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) || number(text, Span::new(0, 0)).is_some()
}

/// A YAML core-schema number, or `None` when the text is not one.
fn number(text: &str, span: Span) -> Option<Expr> {
    let (sign, body) = match text.as_bytes().first()? {
        b'-' => ("-", &text[1..]),
        b'+' => ("", &text[1..]),
        _ => ("", text),
    };
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(digits) = body.strip_prefix(prefix) {
            if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) {
                let lit = Expr::new(ExprKind::Int(format!("{prefix}{digits}")), span);
                return Some(if sign == "-" {
                    Expr::new(
                        ExprKind::Unary(crate::ast::UnaryOp::Neg, Box::new(lit)),
                        span,
                    )
                } else {
                    lit
                });
            }
            return None;
        }
    }
    let b = body.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    let mut float = false;
    if b.get(i) == Some(&b'.') {
        float = true;
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        float = true;
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != b.len() {
        return None;
    }
    if !float {
        return Some(number_expr(&format!("{sign}{body}"), span));
    }
    // CUE wants digits on both sides of the point.
    let mut norm = String::from(sign);
    if int_digits == 0 {
        norm.push('0');
    }
    norm.push_str(&body[..int_digits]);
    if b.get(int_digits) == Some(&b'.') {
        norm.push('.');
        if frac_digits == 0 {
            norm.push('0');
        }
        norm.push_str(&body[int_digits + 1..]);
    } else {
        norm.push_str(&body[int_digits..]);
    }
    Some(number_expr(&norm, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<String> {
        let docs = parse_yaml_stream(src).unwrap();
        docs.iter().map(|d| format!("{:?}", d.kind)).collect()
    }

    #[test]
    fn scalars_resolve_like_the_core_schema() {
        let doc = "a: 1\nb: -2.5\nc: true\nd: ~\ne: '1'\nf: hello world\ng: .5\nh: 0x1F\n";
        let docs = parse_yaml_stream(doc).unwrap();
        let ExprKind::Struct(s) = &docs[0].kind else {
            panic!()
        };
        let vals: Vec<String> = s
            .decls
            .iter()
            .map(|d| match d {
                Decl::Field(f) => match &f.value.kind {
                    ExprKind::Int(t) | ExprKind::Float(t) => t.clone(),
                    ExprKind::Unary(_, e) => format!("-{:?}", e.kind),
                    ExprKind::Bool(b) => b.to_string(),
                    ExprKind::Null => "null".into(),
                    ExprKind::String(s) => format!("str:{}", s.as_plain().unwrap()),
                    other => format!("{other:?}"),
                },
                _ => "?".into(),
            })
            .collect();
        assert_eq!(
            vals,
            [
                "1",
                "-Float(\"2.5\")",
                "true",
                "null",
                "str:1",
                "str:hello world",
                "0.5",
                "0x1F"
            ]
        );
    }

    #[test]
    fn positions_are_byte_offsets() {
        let src = "é: x\nb:\n  c: false\n";
        let docs = parse_yaml_stream(src).unwrap();
        let ExprKind::Struct(s) = &docs[0].kind else {
            panic!()
        };
        let Decl::Field(f) = &s.decls[1] else {
            panic!()
        };
        let ExprKind::Struct(inner) = &f.value.kind else {
            panic!()
        };
        let Decl::Field(c) = &inner.decls[0] else {
            panic!()
        };
        assert_eq!(
            &src[c.value.span.start as usize..c.value.span.start as usize + 5],
            "false"
        );
        assert_eq!(
            &src[c.label.span.start as usize..c.label.span.start as usize + 1],
            "c"
        );
    }

    #[test]
    fn streams_anchors_and_merges() {
        assert_eq!(kinds("a: 1\n---\nb: 2\n").len(), 2);
        let docs = parse_yaml_stream("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n").unwrap();
        let ExprKind::Struct(s) = &docs[0].kind else {
            panic!()
        };
        let Decl::Field(d) = &s.decls[1] else {
            panic!()
        };
        let ExprKind::Struct(ds) = &d.value.kind else {
            panic!()
        };
        assert_eq!(ds.decls.len(), 2);
    }

    #[test]
    fn errors_have_positions() {
        let err = parse_yaml_stream("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(err.offset > 0);
        let dup = parse_yaml_stream("a: 1\na: 2\n").unwrap_err();
        assert_eq!(dup.offset, 5);
        assert!(parse_yaml_stream("a: .inf\n").is_err());
        let deep = "[".repeat(3000);
        assert!(parse_yaml_stream(&deep).is_err());
    }

    #[test]
    fn parts_give_the_documents_of_one_pass() {
        let streams = [
            "a: 1\n---\nb: [x, y]\n--- \nc: |\n  text\n---\n---x: 2\n---\n- é: ü\n- 3\n",
            "---\nk: v\n---\r\nk: w\n---\tz: 1\n",
            "only: one\n",
            "---\n",
            "a: 1\n---\n\"b: [\n",
        ];
        for src in streams {
            let whole: Vec<_> = yaml_documents(src).collect();
            for parts in 1..6 {
                let ranges = yaml_parts(src, parts);
                assert_eq!(ranges.first().map(|r| r.start), Some(0));
                assert_eq!(ranges.last().map(|r| r.end), Some(src.len()));
                let mut split = Vec::new();
                for r in ranges {
                    // One pass stops at the first error; so does this.
                    let docs: Vec<_> = yaml_documents_in(src, r).collect();
                    let err = docs.iter().any(|d| d.is_err());
                    split.extend(docs);
                    if err {
                        break;
                    }
                }
                assert_eq!(split, whole, "{src:?} in {parts} parts");
            }
        }
    }
}
