//! Decoding of string and bytes literals (spec: String and byte sequence
//! literals): escapes, `#` delimiters, multi-line indentation, and the
//! expressions of `\(...)` interpolations, which are parsed in place.

use crate::ast::{StringLit, StringPart};
use crate::error::SyntaxError;
use crate::lexer::scan_interpolation;
use crate::span::Span;

/// Decodes the literal `raw` found at byte offset `start` of its file.
/// Interpolated expressions are handed to `parse_expr` with their offset.
pub fn decode_string(
    raw: &str,
    start: usize,
    errors: &mut Vec<SyntaxError>,
    parse_expr: &mut dyn FnMut(&str, usize, &mut Vec<SyntaxError>) -> crate::ast::Expr,
) -> StringLit {
    let span = Span::new(start, start + raw.len());
    let bytes = raw.as_bytes();
    let hashes = bytes.iter().take_while(|&&b| b == b'#').count();
    let quote = bytes[hashes];
    let is_bytes = quote == b'\'';
    let multiline =
        raw.len() >= 2 * hashes + 6 && bytes[hashes + 1] == quote && bytes[hashes + 2] == quote;
    let delim = if multiline { 3 } else { 1 };
    let body_start = hashes + delim;
    let body_end = raw.len() - hashes - delim;
    let mut lit = StringLit {
        raw: raw.to_string(),
        parts: Vec::new(),
        verbatim: None,
        is_bytes,
        multiline,
        span,
    };
    let mut d = Decoder {
        raw,
        start,
        hashes,
        quote,
        buf: Vec::new(),
        parts: Vec::new(),
        errors,
        elide_newline: false,
    };
    if multiline {
        let body = &raw[body_start..body_end];
        let Some(first_nl) = body.find('\n') else {
            d.error(body_start, "expected newline after multiline quote");
            return lit;
        };
        if !body[..first_nl].trim_end_matches('\r').is_empty() {
            d.error(body_start, "expected newline after multiline quote");
        }
        let last_nl = body.rfind('\n').unwrap_or(first_nl);
        let indent = &body[last_nl + 1..];
        if !indent.bytes().all(|b| b == b' ' || b == b'\t') {
            d.error(
                body_start + last_nl + 1,
                "closing quote of multiline string must be on its own line",
            );
        }
        if last_nl > first_nl {
            d.decode_multiline(
                body_start + first_nl + 1,
                body_start + last_nl,
                indent,
                parse_expr,
            );
        }
    } else if memchr::memchr2(b'\\', b'\r', &bytes[body_start..body_end]).is_none() {
        // Nothing to decode (most strings): the body is the text. (The
        // parser refuses files of 4 GiB and more.)
        if let (Ok(from), Ok(to)) = (u32::try_from(body_start), u32::try_from(body_end)) {
            lit.verbatim = Some((from, to));
            return lit;
        }
        d.parts
            .push(StringPart::Text(raw[body_start..body_end].to_string()));
    } else {
        d.decode_range(body_start, body_end, None, parse_expr);
    }
    d.flush();
    lit.parts = d.parts;
    lit
}

struct Decoder<'a, 'e> {
    raw: &'a str,
    start: usize,
    hashes: usize,
    quote: u8,
    buf: Vec<u8>,
    parts: Vec<StringPart>,
    errors: &'e mut Vec<SyntaxError>,
    /// Set by a backslash at the end of a line of a multi-line literal.
    elide_newline: bool,
}

impl Decoder<'_, '_> {
    fn error(&mut self, at: usize, msg: &str) {
        let p = self.start + at;
        self.errors.push(SyntaxError::new(Span::new(p, p + 1), msg));
    }

    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let buf = std::mem::take(&mut self.buf);
        match String::from_utf8(buf) {
            Ok(s) => match self.parts.last_mut() {
                Some(StringPart::Text(t)) => t.push_str(&s),
                _ => self.parts.push(StringPart::Text(s)),
            },
            Err(e) => self.parts.push(StringPart::Bytes(e.into_bytes())),
        }
    }

    /// Decodes lines `[from, to)` of a multi-line body, removing `indent`
    /// from the start of every non-empty line.
    fn decode_multiline(
        &mut self,
        from: usize,
        to: usize,
        indent: &str,
        parse_expr: &mut dyn FnMut(&str, usize, &mut Vec<SyntaxError>) -> crate::ast::Expr,
    ) {
        let mut line_start = from;
        while line_start <= to {
            let text = &self.raw[line_start..to];
            let line_len = text.find('\n').unwrap_or(text.len());
            let line = &text[..line_len];
            let mut pos = line_start;
            if !line.trim_end_matches('\r').is_empty() {
                if line.starts_with(indent) {
                    pos += indent.len();
                } else {
                    self.error(line_start, "invalid whitespace: every line of a multiline string must start with the indentation of its closing quote");
                }
            }
            // An interpolation may span lines: decode_range returns where it
            // stopped, which may be past this line's end.
            let end = line_start + line_len;
            let stop = self.decode_range(pos, end, Some(to), parse_expr);
            if stop >= to {
                break;
            }
            if stop > end {
                line_start = stop;
                continue;
            }
            if !std::mem::take(&mut self.elide_newline) {
                self.buf.push(b'\n');
            }
            line_start = end + 1;
        }
    }

    /// Decodes `[from, to)`; an interpolation may run past `to` up to
    /// `limit`. Returns the offset where decoding stopped.
    fn decode_range(
        &mut self,
        from: usize,
        to: usize,
        limit: Option<usize>,
        parse_expr: &mut dyn FnMut(&str, usize, &mut Vec<SyntaxError>) -> crate::ast::Expr,
    ) -> usize {
        let bytes = self.raw.as_bytes();
        let mut i = from;
        while i < to {
            let c = bytes[i];
            if c == b'\r' {
                i += 1;
                continue;
            }
            let is_escape = c == b'\\'
                && i + 1 + self.hashes <= bytes.len()
                && bytes[i + 1..i + 1 + self.hashes].iter().all(|&b| b == b'#');
            if !is_escape {
                self.buf.push(c);
                i += 1;
                continue;
            }
            let j = i + 1 + self.hashes;
            let Some(&e) = bytes.get(j) else {
                self.error(i, "escape sequence not terminated");
                return to;
            };
            match e {
                b'(' => {
                    let end = scan_interpolation(bytes, j + 1).unwrap_or(limit.unwrap_or(to) + 1);
                    let expr_text = &self.raw[j + 1..end - 1];
                    self.flush();
                    let expr = parse_expr(expr_text, self.start + j + 1, self.errors);
                    self.parts.push(StringPart::Interp(expr));
                    i = end;
                    if i > to {
                        return i;
                    }
                }
                b'a' => self.simple(&mut i, j, 7),
                b'b' => self.simple(&mut i, j, 8),
                b'f' => self.simple(&mut i, j, 12),
                b'n' => self.simple(&mut i, j, b'\n'),
                b'r' => self.simple(&mut i, j, b'\r'),
                b't' => self.simple(&mut i, j, b'\t'),
                b'v' => self.simple(&mut i, j, 11),
                b'/' => self.simple(&mut i, j, b'/'),
                b'\\' => self.simple(&mut i, j, b'\\'),
                b'\n' => {
                    // A backslash at the end of a line elides the newline.
                    self.elide_newline = true;
                    i = j + 1;
                }
                b'\'' | b'"' => {
                    if e != self.quote {
                        self.error(
                            i,
                            &format!(
                                "unknown escape sequence: \\{} is only valid in {} literals",
                                e as char,
                                if e == b'\'' { "bytes" } else { "string" }
                            ),
                        );
                    }
                    self.simple(&mut i, j, e)
                }
                b'u' | b'U' => {
                    let n = if e == b'u' { 4 } else { 8 };
                    let digits = self.raw.get(j + 1..j + 1 + n).unwrap_or("");
                    match u32::from_str_radix(digits, 16) {
                        Ok(v) if digits.len() == n => match char::from_u32(v) {
                            Some(ch) => {
                                let mut tmp = [0u8; 4];
                                self.buf
                                    .extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                            }
                            None => self.error(i, "escape sequence is invalid Unicode code point"),
                        },
                        _ => self.error(i, "illegal character in escape sequence"),
                    }
                    i = j + 1 + n;
                }
                b'x' | b'0'..=b'7' => {
                    let (n, radix) = if e == b'x' { (2, 16) } else { (3, 8) };
                    let from_digits = if e == b'x' { j + 1 } else { j };
                    let digits = self.raw.get(from_digits..from_digits + n).unwrap_or("");
                    if self.quote != b'\'' {
                        self.error(
                            i,
                            "hexadecimal and octal escapes are only allowed in bytes literals",
                        );
                    }
                    match u32::from_str_radix(digits, radix) {
                        Ok(v) if digits.len() == n && v <= 255 => self.buf.push(v as u8),
                        _ => self.error(i, "illegal character in escape sequence"),
                    }
                    i = from_digits + n;
                }
                _ => {
                    self.error(i, "unknown escape sequence");
                    i = j + 1;
                }
            }
        }
        to
    }

    fn simple(&mut self, i: &mut usize, j: usize, b: u8) {
        self.buf.push(b);
        *i = j + 1;
    }
}

/// Checks an integer or float literal beyond what the lexer's patterns
/// ensure; returns a message for malformed literals.
pub fn check_number(text: &str) -> Option<String> {
    let digits = text.trim_start_matches('0');
    if text.len() > 1
        && text.starts_with('0')
        && !text.starts_with("0x")
        && !text.starts_with("0X")
        && !text.starts_with("0o")
        && !text.starts_with("0b")
        && !text.contains(['.', 'e', 'E', 'K', 'M', 'G', 'T', 'P'])
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return Some(format!(
            "illegal integer number {:?}: leading zeros are not allowed (use 0o for octal)",
            text
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Expr, ExprKind};

    fn decode(raw: &str) -> (StringLit, Vec<SyntaxError>) {
        let mut errs = Vec::new();
        let mut pe = |t: &str, at: usize, _: &mut Vec<SyntaxError>| {
            Expr::new(
                ExprKind::Ident(crate::ast::Ident {
                    name: t.to_string(),
                    span: Span::new(at, at + t.len()),
                }),
                Span::new(at, at + t.len()),
            )
        };
        let lit = decode_string(raw, 0, &mut errs, &mut pe);
        (lit, errs)
    }

    fn text(raw: &str) -> String {
        let (lit, errs) = decode(raw);
        assert!(errs.is_empty(), "{:?}", errs);
        lit.as_plain().expect("plain").to_string()
    }

    #[test]
    fn simple_escapes() {
        assert_eq!(text(r#""a\tb\n\"\\\u00e9\U0001F604""#), "a\tb\n\"\\é😄");
        assert_eq!(text(r##"#"no \(interp) \n"#"##), r"no \(interp) \n");
        assert_eq!(text(r##"#"yes \#n"#"##), "yes \n");
    }

    #[test]
    fn bytes_escapes() {
        let (lit, errs) = decode(r"'\xff\377a'");
        assert!(errs.is_empty());
        assert!(lit.is_bytes);
        assert_eq!(lit.parts, vec![StringPart::Bytes(vec![0xff, 0xff, b'a'])]);
    }

    #[test]
    fn multiline_removes_indentation() {
        assert_eq!(
            text("\"\"\"\n\t\tfoo\n\n\t\t  bar\n\t\t\"\"\""),
            "foo\n\n  bar"
        );
        let (_, errs) = decode("\"\"\"\n  foo\n bar\n  \"\"\"");
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn interpolation_parts() {
        let (lit, errs) = decode(r#""a\(x)b\(y + "\(z)")""#);
        assert!(errs.is_empty());
        assert_eq!(lit.parts.len(), 4);
        match &lit.parts[1] {
            StringPart::Interp(e) => assert_eq!(e.span, Span::new(4, 5)),
            p => panic!("{:?}", p),
        }
    }

    #[test]
    fn invalid_escapes() {
        assert_eq!(decode(r#""\q""#).1.len(), 1);
        assert_eq!(decode(r#""\'""#).1.len(), 1);
        assert_eq!(decode(r#""\x41""#).1.len(), 1);
        assert_eq!(decode(r#""\U00110000""#).1.len(), 1);
    }

    #[test]
    fn numbers() {
        assert!(check_number("0755").is_some());
        assert!(check_number("0").is_none());
        assert!(check_number("072.40").is_none());
    }
}
