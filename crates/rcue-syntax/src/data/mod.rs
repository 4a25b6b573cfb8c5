//! Data files (JSON, JSON Lines, YAML) read as CUE syntax trees.
//!
//! Each document becomes an expression whose spans point into the data
//! file's own text, so an evaluation error names `data.yaml:LINE:COL` just
//! as it names a `.cue` file.

mod block_yaml;
mod json;
mod yaml;

pub use block_yaml::{read_block_document, yaml_document_end, BlockNode, BlockTree};

pub use json::{parse_json, parse_json_stream};
pub use yaml::{parse_yaml_stream, yaml_documents, yaml_documents_in, yaml_parts, YamlDocuments};

use crate::ast::{
    Constraint, Decl, Expr, ExprKind, Field, Label, LabelKind, ListElem, ListLit, StringLit,
    StringPart, StructLit, UnaryOp,
};
use crate::span::Span;

/// Why a data file could not be read, at a byte offset of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct DataError {
    pub message: String,
    pub offset: usize,
}

impl DataError {
    fn new(message: impl Into<String>, offset: usize) -> DataError {
        DataError {
            message: message.into(),
            offset,
        }
    }
}

/// A string literal node for decoded text.
pub fn string_lit(text: String, span: Span) -> StringLit {
    StringLit {
        raw: quote(&text),
        parts: vec![StringPart::Text(text)],
        verbatim: None,
        is_bytes: false,
        multiline: false,
        span,
    }
}

/// `text` as a double-quoted CUE string.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    quote_into(text, &mut out);
    out
}

/// Appends `text` as a double-quoted CUE (and JSON) string to `out`.
pub fn quote_into(text: &str, out: &mut String) {
    out.push('"');
    // Most strings need no escape: copy them whole.
    if !needs_escape(text.as_bytes()) {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether any byte of `text` needs an escape in a quoted string: a control
/// character, `"` or `\\`. Eight bytes at a time (export quotes every key
/// and string it writes).
fn needs_escape(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `w` is below `n` (exact for n <= 0x80).
    let has_below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH != 0;
    let mut chunks = text.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        if has_below(w, 0x20)
            || has_below(w ^ (ONES * u64::from(b'"')), 1)
            || has_below(w ^ (ONES * u64::from(b'\\')), 1)
        {
            return true;
        }
    }
    (chunks.remainder().iter()).any(|&b| ESCAPED[b as usize])
}

/// The bytes `needs_escape` looks for, by value: one load per byte of the
/// short tails (most keys are shorter than eight bytes).
const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

fn string_expr(text: String, span: Span) -> Expr {
    Expr::new(ExprKind::String(string_lit(text, span)), span)
}

/// Whether a data key can be an identifier label: then expressions over
/// the data (`-l kind`) may refer to it, as they may in `cue`.
fn identifier_key(k: &str) -> bool {
    let mut chars = k.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !matches!(
            k,
            "null" | "true" | "false" | "if" | "for" | "in" | "let" | "import" | "package" | "func"
        )
}

/// The key a data field was made from.
pub fn key_of(label: &LabelKind) -> Option<&str> {
    match label {
        LabelKind::Ident(i) => Some(&i.name),
        LabelKind::String(s) => s.as_plain(),
        _ => None,
    }
}

/// A field `"key": value` of a data object.
fn field(key: String, key_span: Span, value: Expr) -> Decl {
    let span = key_span.to(value.span);
    let kind = if identifier_key(&key) {
        LabelKind::Ident(crate::ast::Ident {
            name: key,
            span: key_span,
        })
    } else {
        LabelKind::String(string_lit(key, key_span))
    };
    Decl::Field(Field {
        label: Label {
            alias: None,
            kind,
            constraint: Constraint::Regular,
            postfix_alias: None,
            span: key_span,
        },
        value,
        attrs: Vec::new(),
        span,
    })
}

fn struct_expr(decls: Vec<Decl>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Struct(StructLit {
            decls,
            elided: false,
            span,
        }),
        span,
    )
}

fn list_expr(items: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::List(ListLit {
            elems: items.into_iter().map(ListElem::Expr).collect(),
            span,
        }),
        span,
    )
}

/// A number from its decimal text (`-12`, `1.5e3`): a CUE int or float
/// literal, negated when it has a sign.
fn number_expr(text: &str, span: Span) -> Expr {
    let (neg, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let is_float = digits.contains(['.', 'e', 'E']);
    let lit = if is_float {
        ExprKind::Float(digits.to_string())
    } else {
        // Leading zeros are not CUE syntax; the value is the same without.
        let trimmed = digits.trim_start_matches('0');
        ExprKind::Int(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
    };
    let e = Expr::new(lit, span);
    if neg {
        Expr::new(ExprKind::Unary(UnaryOp::Neg, Box::new(e)), span)
    } else {
        e
    }
}

/// `{k1: v1, k2: v2, ...}` at `span`: a struct of the given fields (the
/// scope `-l` expressions see with `--with-context`).
pub fn object(fields: Vec<(String, Expr)>, span: Span) -> Expr {
    let at = span.start as usize;
    let decls = fields
        .into_iter()
        .map(|(k, v)| field(k, Span::new(at, at), v))
        .collect();
    struct_expr(decls, span)
}

/// `{"label": e}`: a document placed under a label (`-l`).
pub fn wrap(label: String, e: Expr) -> Expr {
    let span = e.span;
    let at = span.start as usize;
    struct_expr(vec![field(label, Span::new(at, at), e)], span)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn escape_scan_matches_bytewise(text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let naive = text.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            proptest::prop_assert_eq!(needs_escape(&text), naive);
        }
    }

    #[test]
    fn escape_scan_finds_each_byte_anywhere() {
        for bad in [0u8, 0x1f, b'"', b'\\', b'\n'] {
            for at in 0..20 {
                let mut t = vec![b'a'; 20];
                t[at] = bad;
                assert!(needs_escape(&t), "{bad} at {at}");
            }
        }
        assert!(!needs_escape("héllo wörld, ascii ~ and 0x20 !".as_bytes()));
    }

    #[test]
    fn quoting_escapes_controls() {
        assert_eq!(quote("a\"b\\\n\u{1}"), "\"a\\\"b\\\\\\n\\u0001\"");
    }

    #[test]
    fn numbers_keep_their_kind() {
        let e = number_expr("-007", Span::new(0, 4));
        match e.kind {
            ExprKind::Unary(UnaryOp::Neg, inner) => {
                assert_eq!(inner.kind, ExprKind::Int("7".into()))
            }
            other => panic!("{other:?}"),
        }
        let f = number_expr("1.5e3", Span::new(0, 5));
        assert_eq!(f.kind, ExprKind::Float("1.5e3".into()));
    }
}
