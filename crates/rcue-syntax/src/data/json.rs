//! JSON and JSON Lines to syntax trees, keeping every value's position.

use super::{field, list_expr, number_expr, string_expr, struct_expr, DataError};
use crate::ast::{Expr, ExprKind};
use crate::span::Span;

/// Deepest nesting accepted; deeper documents are refused, not recursed.
const MAX_DEPTH: usize = 1000;

/// Exactly one JSON value, with nothing but white space after it.
pub fn parse_json(src: &str) -> Result<Expr, DataError> {
    let mut p = Parser { src, at: 0 };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if let Some(c) = p.peek_char() {
        return Err(DataError::new(
            format!("invalid character {} after top-level value", show(c)),
            p.at,
        ));
    }
    Ok(v)
}

/// A stream of JSON values separated by white space (JSON Lines, or
/// concatenated JSON).
pub fn parse_json_stream(src: &str) -> Result<Vec<Expr>, DataError> {
    let mut p = Parser { src, at: 0 };
    let mut out = Vec::new();
    loop {
        p.skip_ws();
        if p.at >= src.len() {
            return Ok(out);
        }
        out.push(p.value(0)?);
    }
}

struct Parser<'a> {
    src: &'a str,
    at: usize,
}

fn show(c: char) -> String {
    format!("{c:?}")
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.at).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.src[self.at..].chars().next()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn unexpected(&self, what: &str) -> DataError {
        match self.peek_char() {
            None => DataError::new("unexpected end of JSON input", self.at),
            Some(c) => DataError::new(format!("invalid character {} {what}", show(c)), self.at),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Expr, DataError> {
        if depth > MAX_DEPTH {
            return Err(DataError::new(
                format!("JSON nested deeper than {MAX_DEPTH} levels"),
                self.at,
            ));
        }
        let start = self.at;
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(string_expr(s, Span::new(start, self.at)))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.word("true", ExprKind::Bool(true)),
            Some(b'f') => self.word("false", ExprKind::Bool(false)),
            Some(b'n') => self.word("null", ExprKind::Null),
            _ => Err(self.unexpected("looking for beginning of value")),
        }
    }

    fn word(&mut self, w: &str, kind: ExprKind) -> Result<Expr, DataError> {
        if self.src[self.at..].starts_with(w) {
            let start = self.at;
            self.at += w.len();
            Ok(Expr::new(kind, Span::new(start, self.at)))
        } else {
            // Point at the first character that differs.
            let same = self.src[self.at..]
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            self.at += same;
            Err(self.unexpected(&format!("in literal {w} (expecting {:?})", &w[same..=same])))
        }
    }

    fn number(&mut self) -> Result<Expr, DataError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let digits = |p: &mut Parser| {
            let s = p.at;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.at += 1;
            }
            p.at > s
        };
        if self.peek() == Some(b'0') {
            self.at += 1;
        } else if !digits(self) {
            return Err(self.unexpected("in numeric literal"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return Err(self.unexpected("after decimal point in numeric literal"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return Err(self.unexpected("in exponent of numeric literal"));
            }
        }
        let text = &self.src[start..self.at];
        Ok(number_expr(text, Span::new(start, self.at)))
    }

    fn string(&mut self) -> Result<String, DataError> {
        self.at += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = &self.src[self.at..];
            let plain = rest
                .bytes()
                .position(|c| c == b'"' || c == b'\\' || c < 0x20)
                .unwrap_or(rest.len());
            out.push_str(&rest[..plain]);
            self.at += plain;
            match self.peek() {
                None => return Err(DataError::new("unexpected end of JSON input", self.at)),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let c = self.peek();
                    self.at += 1;
                    match c {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => out.push(self.unicode_escape()?),
                        _ => {
                            self.at -= 1;
                            return Err(self.unexpected("in string escape code"));
                        }
                    }
                }
                Some(_) => return Err(self.unexpected("in string literal")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, DataError> {
        let h = self.src.get(self.at..self.at + 4).unwrap_or("");
        match u32::from_str_radix(h, 16) {
            Ok(n) if h.len() == 4 && h.bytes().all(|c| c.is_ascii_hexdigit()) => {
                self.at += 4;
                Ok(n)
            }
            _ => Err(self.unexpected("in \\u hexadecimal character escape")),
        }
    }

    fn unicode_escape(&mut self) -> Result<char, DataError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.src[self.at..].starts_with("\\u") {
            let save = self.at;
            self.at += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.at = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn object(&mut self, depth: usize) -> Result<Expr, DataError> {
        let start = self.at;
        self.at += 1;
        let mut decls = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(struct_expr(decls, Span::new(start, self.at)));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("looking for beginning of object key string"));
            }
            let key_start = self.at;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.at);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("after object key"));
            }
            self.at += 1;
            self.skip_ws();
            let v = self.value(depth + 1)?;
            decls.push(field(key, key_span, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(struct_expr(decls, Span::new(start, self.at)));
                }
                _ => return Err(self.unexpected("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Expr, DataError> {
        let start = self.at;
        self.at += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(list_expr(items, Span::new(start, self.at)));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(list_expr(items, Span::new(start, self.at)));
                }
                _ => return Err(self.unexpected("after array element")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Decl, LabelKind};

    #[test]
    fn object_fields_keep_positions() {
        let e = parse_json("{\"a\": [1, -2.5, \"x\\n\"], \"b\": null}").unwrap();
        let ExprKind::Struct(s) = e.kind else {
            panic!("not a struct")
        };
        assert_eq!(s.decls.len(), 2);
        let Decl::Field(f) = &s.decls[1] else {
            panic!()
        };
        assert_eq!(crate::data::key_of(&f.label.kind), Some("b"));
        assert_eq!(f.value.span, Span::new(29, 33));
        let e = parse_json("{\"#x\": 1}").unwrap();
        let ExprKind::Struct(s) = e.kind else {
            panic!()
        };
        let Decl::Field(f) = &s.decls[0] else {
            panic!()
        };
        assert!(
            matches!(f.label.kind, LabelKind::String(_)),
            "#x stays a regular field"
        );
    }

    #[test]
    fn trailing_garbage_is_named() {
        let err = parse_json("{}\nhi").unwrap_err();
        assert_eq!(err.offset, 3);
        assert_eq!(err.message, "invalid character 'h' after top-level value");
    }

    #[test]
    fn streams_hold_several_values() {
        let v = parse_json_stream("{\"a\":1}\n{\"a\":2}\n\n").unwrap();
        assert_eq!(v.len(), 2);
        assert!(parse_json_stream("{} hi").is_err());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            "",
            "{",
            "[1,",
            "\"\\u12",
            "\"\\uZZZZ\"",
            "01x",
            "-",
            "tru",
            "[1 2]",
        ] {
            assert!(parse_json(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(5000);
        assert!(parse_json(&deep).is_err());
    }

    #[test]
    fn surrogate_pairs_decode() {
        let e = parse_json("\"\\ud83d\\ude00\"").unwrap();
        let ExprKind::String(s) = e.kind else {
            panic!()
        };
        assert_eq!(s.as_plain(), Some("\u{1F600}"));
    }
}
