//! The CUE lexer: source text to tokens with byte spans.
//!
//! `logos` does the bulk of the work; strings and attributes have callbacks
//! because their ends depend on nesting (`\(` interpolations, balanced
//! brackets). A second pass applies the spec's automatic comma insertion
//! (spec: Lexical elements, Commas) and sets comments aside for the
//! formatter.

use logos::Logos;

use crate::ast::Comment;
use crate::error::SyntaxError;
use crate::span::Span;

/// One CUE token. Keywords are lexed as identifiers: every keyword may also
/// be a label, so the parser decides by context.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\r\n\f\u{feff}]+")]
pub enum Token<'a> {
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment(&'a str),

    #[regex(r"(#|_#)?[\p{L}_$][\p{L}\p{Nd}_$]*")]
    #[token("#")]
    Ident(&'a str),

    /// Decimal, SI-multiplied, hex, octal and binary integers.
    #[regex(r"[0-9](_?[0-9])*")]
    #[regex(r"0[xX][0-9a-fA-F](_?[0-9a-fA-F])*")]
    #[regex(r"0o[0-7](_?[0-7])*")]
    #[regex(r"0b[01](_?[01])*")]
    #[regex(r"[0-9](_?[0-9])*(\.[0-9](_?[0-9])*)?[KMGTP]i?")]
    #[regex(r"\.[0-9](_?[0-9])*[KMGTP]i?")]
    Int(&'a str),

    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?")]
    Float(&'a str),

    /// A whole string or bytes literal, quotes and `#`s included;
    /// interpolations are parsed later from its text.
    #[regex(r##"#*["']"##, string_callback)]
    String(&'a str),

    /// A whole attribute `@name(...)`.
    #[regex(r"@[\p{L}_$#][\p{L}\p{Nd}_$#]*", attribute_callback)]
    Attr(&'a str),

    #[token("_", priority = 10)]
    Underscore,
    #[token("_|_", priority = 10)]
    Bottom,

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("=~")]
    Match,
    #[token("!~")]
    NotMatch,
    #[token("!")]
    Bang,
    #[token("~")]
    Tilde,
    #[token("=")]
    Assign,
    #[token(":")]
    Colon,
    #[token("?")]
    Question,
    #[token(",")]
    Comma,
    /// A comma inserted at a line end (spec: Commas).
    Newline,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,

    /// Text that is no token; reported once and skipped by the parser.
    Error,
}

impl std::fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            Token::Comment(_) => "comment",
            Token::Ident(s) | Token::Int(s) | Token::Float(s) => s,
            Token::String(_) => "string literal",
            Token::Attr(_) => "attribute",
            Token::Underscore => "_",
            Token::Bottom => "_|_",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Slash => "/",
            Token::Amp => "&",
            Token::Pipe => "|",
            Token::AndAnd => "&&",
            Token::OrOr => "||",
            Token::EqEq => "==",
            Token::NotEq => "!=",
            Token::Lt => "<",
            Token::Le => "<=",
            Token::Gt => ">",
            Token::Ge => ">=",
            Token::Match => "=~",
            Token::NotMatch => "!~",
            Token::Bang => "!",
            Token::Tilde => "~",
            Token::Assign => "=",
            Token::Colon => ":",
            Token::Question => "?",
            Token::Comma => ",",
            Token::Newline => "newline",
            Token::Dot => ".",
            Token::Ellipsis => "...",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::Error => "invalid token",
        };
        f.write_str(s)
    }
}

impl Token<'_> {
    /// Whether a newline after this token ends the declaration or element
    /// (spec: Commas).
    fn ends_line(&self) -> bool {
        matches!(
            self,
            Token::Ident(_)
                | Token::Int(_)
                | Token::Float(_)
                | Token::String(_)
                | Token::Attr(_)
                | Token::Underscore
                | Token::Bottom
                | Token::RParen
                | Token::RBracket
                | Token::RBrace
                | Token::Question
                | Token::Ellipsis
        )
    }

    /// Whether a float or SI literal may not follow this token (spec:
    /// Numeric literals): `a.5` is a selector, not `a` followed by `.5`.
    fn forbids_leading_dot_number(&self) -> bool {
        self.ends_line() && !matches!(self, Token::Question | Token::Ellipsis | Token::Attr(_))
    }
}

/// The result of lexing one source text.
#[derive(Debug, Default)]
pub struct Lexed<'a> {
    /// Tokens in order, with the commas the spec inserts at line ends.
    pub tokens: Vec<(Token<'a>, Span)>,
    /// Comments, in order; they are not part of `tokens`.
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

/// Lexes `src`; spans are offset by `base` (used for interpolations, whose
/// expressions are lexed from a slice of the enclosing file).
pub fn lex(src: &str, base: usize) -> Lexed<'_> {
    let mut out = Lexed::default();
    let mut lexer = Token::lexer(src);
    let mut prev: Option<Token> = None;
    let mut prev_end = 0usize;
    let sp = |r: std::ops::Range<usize>| Span::new(r.start + base, r.end + base);
    while let Some(res) = lexer.next() {
        let range = lexer.span();
        // (Gaps are a few spaces or tabs: a plain loop, not `memchr`.)
        let gap_has_newline = src.as_bytes()[prev_end..range.start].contains(&b'\n');
        let tok = match res {
            Ok(Token::Comment(text)) => {
                out.comments.push(Comment {
                    span: sp(range.clone()),
                    text: text.to_string(),
                });
                // A comment acts like a newline: insert the comma now so that
                // the span of the comma precedes the comment.
                if let Some(p) = prev {
                    if p.ends_line() {
                        out.tokens.push((Token::Newline, sp(prev_end..prev_end)));
                        prev = Some(Token::Newline);
                    }
                }
                continue;
            }
            Ok(t) => t,
            Err(()) => {
                let text = &src[range.clone()];
                let msg = error_message(text);
                out.errors.push(SyntaxError::new(sp(range.clone()), msg));
                Token::Error
            }
        };
        // JSON-style leading separators (`a\n: 1`) do not end the line.
        if gap_has_newline && tok != Token::Colon {
            if let Some(p) = prev {
                if p.ends_line() {
                    out.tokens.push((Token::Newline, sp(prev_end..prev_end)));
                }
            }
        }
        // `x.5`: the spec forbids a float after such a token, so split it.
        if let (Token::Float(text), Some(p)) = (tok, prev) {
            if text.starts_with('.') && p.forbids_leading_dot_number() && !gap_has_newline {
                out.tokens
                    .push((Token::Dot, sp(range.start..range.start + 1)));
                let rest = &text[1..];
                let digits = rest.find(['e', 'E']).unwrap_or(rest.len());
                out.tokens.push((
                    Token::Int(&rest[..digits]),
                    sp(range.start + 1..range.start + 1 + digits),
                ));
                if digits < rest.len() {
                    out.tokens.push((
                        Token::Ident(&rest[digits..]),
                        sp(range.start + 1 + digits..range.end),
                    ));
                }
                prev = out.tokens.last().map(|t| t.0);
                prev_end = range.end;
                continue;
            }
        }
        out.tokens.push((tok, sp(range.clone())));
        fix_int_ellipsis(&mut out.tokens);
        prev = out.tokens.last().map(|t| t.0);
        prev_end = range.end;
    }
    if let Some(p) = prev {
        if p.ends_line() {
            out.tokens.push((Token::Newline, sp(prev_end..prev_end)));
        }
    }
    out
}

/// `1...` lexes as `1.` `.` `.`; it is the integer `1` followed by `...`.
fn fix_int_ellipsis(tokens: &mut Vec<(Token, Span)>) {
    let n = tokens.len();
    if n < 3 || tokens[n - 1].0 != Token::Dot || tokens[n - 2].0 != Token::Dot {
        return;
    }
    if let Token::Float(text) = tokens[n - 3].0 {
        let (f, d1, d2) = (tokens[n - 3].1, tokens[n - 2].1, tokens[n - 1].1);
        if text.ends_with('.') && f.end == d1.start && d1.end == d2.start {
            tokens.truncate(n - 3);
            tokens.push((
                Token::Int(&text[..text.len() - 1]),
                Span {
                    start: f.start,
                    end: f.end - 1,
                },
            ));
            tokens.push((
                Token::Ellipsis,
                Span {
                    start: f.end - 1,
                    end: d2.end,
                },
            ));
        }
    }
}

fn error_message(text: &str) -> String {
    let c = text.chars().next().unwrap_or(' ');
    if c == '"' || c == '\'' || c == '#' {
        if text.contains('\n') || text.len() == 1 || text.starts_with('#') {
            return "string literal not terminated".to_string();
        }
        return "invalid string literal".to_string();
    }
    if c == '@' {
        return "attribute not terminated: expected balanced '(' ... ')'".to_string();
    }
    format!("illegal character {:?}", c)
}

/// Finds the end of a string literal whose opening (`#`s and one quote)
/// logos has matched, and extends the token to cover it.
fn string_callback<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Option<&'a str> {
    let opening = lex.slice();
    let start = lex.span().start;
    let hashes = opening.len() - 1;
    let src = lex.source().as_bytes();
    let len = scan_string(src, start, hashes)?;
    lex.bump(start + len - lex.span().end);
    Some(lex.slice())
}

/// Scans a string literal starting at `start` (its first `#` or quote) with
/// `hashes` leading `#`s. Returns the literal's length, or `None` when it is
/// not terminated.
pub(crate) fn scan_string(src: &[u8], start: usize, hashes: usize) -> Option<usize> {
    let quote = src[start + hashes];
    let multiline = src.len() >= start + hashes + 3
        && src[start + hashes + 1] == quote
        && src[start + hashes + 2] == quote;
    // `""` is an empty string, not the start of a multi-line one.
    let mut i = start + hashes + if multiline { 3 } else { 1 };
    let closing_quotes = if multiline { 3 } else { 1 };
    while i < src.len() {
        let c = src[i];
        if c == b'\\'
            && src[i + 1..].iter().take(hashes).all(|&b| b == b'#')
            && i + 1 + hashes <= src.len()
        {
            let j = i + 1 + hashes;
            if j < src.len() && src[j] == b'(' {
                i = scan_interpolation(src, j + 1)?;
                continue;
            }
            // Any other escape: skip the escaped character (validated later).
            i = j + 1;
            continue;
        }
        if c == b'\n' && !multiline {
            return None;
        }
        if c == quote
            && src.len() >= i + closing_quotes + hashes
            && src[i..i + closing_quotes].iter().all(|&b| b == quote)
            && src[i + closing_quotes..i + closing_quotes + hashes]
                .iter()
                .all(|&b| b == b'#')
        {
            return Some(i + closing_quotes + hashes - start);
        }
        i += 1;
    }
    None
}

/// Scans an interpolated expression from just after its `(` to just after
/// its matching `)`, skipping nested strings and comments.
pub(crate) fn scan_interpolation(src: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 1usize;
    while i < src.len() {
        match src[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' | b'\'' => {
                i += scan_string(src, i, 0)?;
                continue;
            }
            b'#' => {
                let mut h = i;
                while h < src.len() && src[h] == b'#' {
                    h += 1;
                }
                if h < src.len() && (src[h] == b'"' || src[h] == b'\'') {
                    i += scan_string(src, i, h - i)?;
                    continue;
                }
            }
            b'/' if src.get(i + 1) == Some(&b'/') => {
                while i < src.len() && src[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Extends an attribute token over its balanced parenthesised body.
fn attribute_callback<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Option<&'a str> {
    let src = lex.source().as_bytes();
    let mut i = lex.span().end;
    if src.get(i) != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    while i < src.len() {
        match src[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    lex.bump(i + 1 - lex.span().end);
                    return Some(lex.slice());
                }
            }
            b'"' | b'\'' => {
                i += scan_string(src, i, 0)?;
                continue;
            }
            b'/' if src.get(i + 1) == Some(&b'/') => {
                while i < src.len() && src[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<String> {
        let l = lex(src, 0);
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        l.tokens.iter().map(|(t, _)| format!("{:?}", t)).collect()
    }

    #[test]
    fn inserts_commas_at_line_ends() {
        assert_eq!(
            kinds("a: 1\nb: c\n"),
            [
                "Ident(\"a\")",
                "Colon",
                "Int(\"1\")",
                "Newline",
                "Ident(\"b\")",
                "Colon",
                "Ident(\"c\")",
                "Newline"
            ]
        );
        // No comma after an operator at the end of a line.
        assert_eq!(kinds("a: 1 +\n2").len(), 6);
    }

    #[test]
    fn comments_act_as_newlines_and_are_kept() {
        let l = lex("a: 1 // one\nb: 2", 0);
        assert_eq!(l.comments.len(), 1);
        assert_eq!(l.comments[0].text, "// one");
        assert_eq!(l.tokens[3].0, Token::Newline);
    }

    #[test]
    fn strings_with_nested_interpolations() {
        let src = r#"x: "a \("b \(c) d") e""#;
        let l = lex(src, 0);
        assert!(l.errors.is_empty());
        assert_eq!(l.tokens[2].0, Token::String(&src[3..]));
    }

    #[test]
    fn raw_strings_and_multiline() {
        let src = "x: #\"a \"quoted\" \\(no)\"#\ny: \"\"\"\n\tz\n\t\"\"\"\n";
        let l = lex(src, 0);
        assert!(l.errors.is_empty());
        assert!(matches!(l.tokens[2].0, Token::String(s) if s.ends_with("\"#")));
        assert!(matches!(l.tokens[6].0, Token::String(s) if s.starts_with("\"\"\"")));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("1K 1.5Gi 0xBad_Face 0o7 0b1 1.e+0 .25 1_000 2E6"),
            [
                "Int(\"1K\")",
                "Int(\"1.5Gi\")",
                "Int(\"0xBad_Face\")",
                "Int(\"0o7\")",
                "Int(\"0b1\")",
                "Float(\"1.e+0\")",
                // After a literal, `.25` is a selector (spec: Numeric literals).
                "Dot",
                "Int(\"25\")",
                "Int(\"1_000\")",
                "Float(\"2E6\")",
                "Newline"
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn selector_after_identifier_is_not_a_float() {
        assert_eq!(kinds("a.5")[..3], ["Ident(\"a\")", "Dot", "Int(\"5\")"]);
        assert_eq!(kinds("x: .25")[2], "Float(\".25\")");
    }

    #[test]
    fn identifiers_and_operators() {
        assert_eq!(
            kinds("#a _b _#c $d _ _|_ ... =~ !~ <= !="),
            [
                "Ident(\"#a\")",
                "Ident(\"_b\")",
                "Ident(\"_#c\")",
                "Ident(\"$d\")",
                "Underscore",
                "Bottom",
                "Ellipsis",
                "Match",
                "NotMatch",
                "Le",
                "NotEq"
            ]
        );
    }

    #[test]
    fn attributes_are_balanced() {
        let src = r#"a: 1 @go(x,type=[]int) @json("a)")"#;
        let l = lex(src, 0);
        assert!(l.errors.is_empty());
        assert_eq!(l.tokens[3].0, Token::Attr("@go(x,type=[]int)"));
        assert_eq!(l.tokens[4].0, Token::Attr("@json(\"a)\")"));
    }

    #[test]
    fn unterminated_string_is_an_error() {
        let l = lex("a: \"abc\nb: 1", 0);
        assert_eq!(l.errors.len(), 1);
        assert!(l.errors[0].message.contains("not terminated"));
    }
}
