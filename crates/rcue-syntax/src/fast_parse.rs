//! The parser's fast path: a hand-written recursive-descent parser of the
//! same grammar as `parser.rs`, for input without syntax errors.
//!
//! The `chumsky` grammar in `parser.rs` is the definition of the syntax and
//! the only source of syntax errors, with their recovery and messages. It
//! costs about 1,500 instructions per token, most of it in combinator
//! plumbing; this parser takes the same decisions in the same order (ordered
//! choice, greedy repetition, backtracking to where an alternative began)
//! for a fraction of that. It gives up, returning `None`, at the first
//! thing the grammar would report: the caller then parses with `chumsky`.
//! So it never decides what is an error, and where it succeeds its tree is
//! the one `chumsky` builds, spans included (checked by tests over every
//! input in the repository and the conformance suite).
//!
//! A rule that fails may leave the cursor anywhere: whoever tries
//! alternatives restores it.

use crate::ast::*;
use crate::lexer::Token;
use crate::literal::{check_number, decode_string};
use crate::parser::{
    binary_op, build_binary, closer_of, is_closer, paren_alias, shorthand_field, starts_operand,
    unary_op, Postfix, STACK_GROWTH, STACK_RED_ZONE,
};
use crate::span::Span;

/// The lexer's tokens as they are: no copy is made for this parser.
type Tok<'s> = (Token<'s>, Span);

/// Parses a whole file's tokens; `eoi` is the end of the source.
pub(crate) fn parse_file(tokens: &[Tok], eoi: usize) -> Option<File> {
    let mut p = Descent::new(tokens, eoi);
    let file = p.file()?;
    p.ok().then_some(file)
}

/// Parses the tokens of a single expression (trailing commas allowed).
pub(crate) fn parse_expr(tokens: &[Tok], eoi: usize) -> Option<Expr> {
    let mut p = Descent::new(tokens, eoi);
    let e = p.expr()?;
    while p.comma() {}
    (p.at == tokens.len() && p.ok()).then_some(e)
}

/// Operand parses allowed per token before giving up: valid input takes
/// about one; only contrived backtracking takes many (`chumsky`'s parse,
/// which the caller falls back to, has its own limit).
const STEPS_PER_TOKEN: usize = 8;
const MIN_STEPS: usize = 1024;

struct Descent<'t, 's> {
    toks: &'t [Tok<'s>],
    at: usize,
    eoi: usize,
    /// Set when the grammar would report an error even though parsing can
    /// go on (a bad string or number, an ellipsis not last in a list).
    bad: bool,
    steps: usize,
    budget: usize,
}

fn is_keyword(t: Token, kw: &str) -> bool {
    matches!(t, Token::Ident(s) if s == kw)
}

impl<'t, 's> Descent<'t, 's> {
    fn new(toks: &'t [Tok<'s>], eoi: usize) -> Self {
        Descent {
            toks,
            at: 0,
            eoi,
            bad: false,
            steps: 0,
            budget: toks.len().saturating_mul(STEPS_PER_TOKEN).max(MIN_STEPS),
        }
    }

    fn ok(&self) -> bool {
        !self.bad && self.steps <= self.budget
    }

    fn peek(&self) -> Option<Token<'s>> {
        self.toks.get(self.at).map(|t| t.0)
    }

    fn peek_at(&self, i: usize) -> Option<Token<'s>> {
        self.toks.get(self.at + i).map(|t| t.0)
    }

    fn tok_span(&self, i: usize) -> Span {
        self.toks[i].1
    }

    /// `chumsky`'s span of a rule that began at token `from` and has
    /// consumed up to the cursor: from that token's start to the end of
    /// the last token consumed (the end of input when there is none).
    fn span(&self, from: usize) -> Span {
        let Some(first) = self.toks.get(from) else {
            return Span::new(self.eoi, self.eoi);
        };
        let end = match self.at {
            0 => self.eoi,
            n => self.toks[n - 1].1.end as usize,
        };
        Span::new(first.1.start as usize, end)
    }

    fn eat(&mut self, t: Token) -> bool {
        if self.peek() == Some(t) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        match self.peek() {
            Some(t) if is_keyword(t, kw) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    /// `,` or a newline that ends a declaration.
    fn comma(&mut self) -> bool {
        match self.peek() {
            Some(Token::Comma | Token::Newline) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn ident(&mut self) -> Option<Ident> {
        match self.peek()? {
            Token::Ident(s) => {
                self.at += 1;
                Some(Ident {
                    name: s.to_string(),
                    span: self.tok_span(self.at - 1),
                })
            }
            _ => None,
        }
    }

    /// An identifier or `_`.
    fn name_or_blank(&mut self) -> Option<Ident> {
        match self.peek()? {
            Token::Underscore => {
                self.at += 1;
                Some(Ident {
                    name: "_".to_string(),
                    span: self.tok_span(self.at - 1),
                })
            }
            _ => self.ident(),
        }
    }

    /// `X=` before a label, value or pattern.
    fn alias_prefix(&mut self) -> Option<Ident> {
        match (self.peek()?, self.peek_at(1)) {
            (Token::Ident(_), Some(Token::Assign)) => {
                let id = self.ident();
                self.at += 1;
                id
            }
            _ => None,
        }
    }

    fn attribute(&mut self) -> Option<Attribute> {
        let Token::Attr(s) = self.peek()? else {
            return None;
        };
        self.at += 1;
        let open = s.find('(').unwrap_or(s.len());
        Some(Attribute {
            name: s[1..open].to_string(),
            body: s.get(open + 1..s.len() - 1).unwrap_or("").to_string(),
            span: self.tok_span(self.at - 1),
        })
    }

    fn attributes(&mut self) -> Vec<Attribute> {
        let mut attrs = Vec::new();
        while let Some(a) = self.attribute() {
            attrs.push(a);
        }
        attrs
    }

    fn string_lit(&mut self) -> Option<StringLit> {
        let Token::String(raw) = self.peek()? else {
            return None;
        };
        let start = self.toks[self.at].1.start as usize;
        self.at += 1;
        let mut errors = Vec::new();
        let mut parse = |text: &str, at: usize, errs: &mut Vec<crate::SyntaxError>| {
            let (expr, es) = crate::parser::parse_expr(text, at);
            errs.extend(es);
            expr
        };
        // Interpolations are parsed recursively, as deep as they nest.
        let lit = match raw.contains('(') {
            true => crate::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || {
                decode_string(raw, start, &mut errors, &mut parse)
            }),
            false => decode_string(raw, start, &mut errors, &mut parse),
        };
        if !errors.is_empty() {
            self.bad = true;
        }
        Some(lit)
    }

    // ---- files ----

    fn file(&mut self) -> Option<File> {
        while self.comma() {}
        let mut attrs = Vec::new();
        while let Some(a) = self.attribute() {
            attrs.push(a);
            while self.comma() {}
        }
        let save = self.at;
        let mut package = None;
        if self.eat_keyword("package") {
            match self.name_or_blank() {
                Some(name) => {
                    package = Some(name);
                    while self.comma() {}
                }
                None => self.at = save,
            }
        }
        let mut imports = Vec::new();
        loop {
            let save = self.at;
            if !self.eat_keyword("import") {
                break;
            }
            match self.import_body() {
                Some(specs) => {
                    imports.extend(specs);
                    while self.comma() {}
                }
                None => {
                    self.at = save;
                    break;
                }
            }
        }
        let mut decls = Vec::new();
        while self.at < self.toks.len() {
            decls.push(self.decl()?);
            if self.comma() {
                while self.comma() {}
            } else if self.at < self.toks.len() {
                return None;
            }
        }
        Some(File {
            attrs,
            package,
            imports,
            decls,
            comments: vec![],
            span: Span::new(0, self.eoi),
        })
    }

    fn import_body(&mut self) -> Option<Vec<Import>> {
        if !self.eat(Token::LParen) {
            return Some(vec![self.import_spec()?]);
        }
        // Specs separated by commas, which may also lead and trail.
        let mut specs = Vec::new();
        while self.comma() {}
        if let Some(s) = self.import_spec() {
            specs.push(s);
            // A trailing separator stays consumed.
            while self.comma() {
                while self.comma() {}
                match self.import_spec() {
                    Some(s) => specs.push(s),
                    None => break,
                }
            }
        }
        if specs.is_empty() || !self.eat(Token::RParen) {
            return None;
        }
        Some(specs)
    }

    fn import_spec(&mut self) -> Option<Import> {
        let from = self.at;
        let alias = match self.peek()? {
            Token::Ident(_) | Token::Underscore => Some(self.name_or_blank()?),
            _ => None,
        };
        let Some(Token::String(path)) = self.peek() else {
            self.at = from;
            return None;
        };
        let path_span = self.tok_span(self.at);
        self.at += 1;
        Some(Import {
            alias,
            path: path.trim_matches('"').to_string(),
            path_span,
            span: self.span(from),
        })
    }

    // ---- declarations ----

    fn decl(&mut self) -> Option<Decl> {
        let from = self.at;
        let first = self.peek()?;
        if let Token::Attr(_) = first {
            return self.attribute().map(Decl::Attribute);
        }
        if self.could_start_label() {
            if let Some(f) = self.field() {
                return Some(Decl::Field(f));
            }
            self.at = from;
        }
        if matches!(first, Token::Ident("for" | "if" | "try")) {
            if let Some(c) = self.comprehension() {
                return Some(Decl::Comprehension(c));
            }
            self.at = from;
        }
        if is_keyword(first, "let") {
            if let Some(l) = self.let_clause() {
                return Some(Decl::Let(l));
            }
            self.at = from;
        }
        if first == Token::Ellipsis {
            if let Some((t, s)) = self.ellipsis() {
                return Some(Decl::Ellipsis(t, s));
            }
            self.at = from;
        }
        self.alias_expr().map(Decl::Embed)
    }

    /// Whether a label followed by `:` could start here: skipping the
    /// attempts that cannot succeed changes nothing but the time taken.
    fn could_start_label(&self) -> bool {
        let after = self.peek_at(1);
        let ends_label = |t: Option<Token>| {
            matches!(
                t,
                Some(Token::Colon | Token::Question | Token::Bang | Token::Tilde)
            )
        };
        match self.peek() {
            Some(Token::Ident(_)) => ends_label(after) || after == Some(Token::Assign),
            Some(Token::String(_)) => ends_label(after),
            Some(Token::LParen | Token::LBracket) => true,
            _ => false,
        }
    }

    /// A bracketed group at the start of a label must be followed by what
    /// ends a label; see `label_group_ahead` in `parser.rs`.
    fn label_group_ahead(&self) -> bool {
        match self.peek() {
            Some(Token::LBracket | Token::LParen) => {}
            _ => return true,
        }
        let mut depth = 0usize;
        let mut i = self.at;
        while let Some(&(t, _)) = self.toks.get(i) {
            i += 1;
            if closer_of(&t).is_some() {
                depth += 1;
            } else if is_closer(&t) {
                depth -= 1;
                if depth == 0 {
                    return matches!(
                        self.toks.get(i).map(|t| t.0),
                        Some(
                            Token::Colon
                                | Token::Question
                                | Token::Bang
                                | Token::Tilde
                                | Token::Assign
                        )
                    );
                }
            }
        }
        false
    }

    /// One label and `:`, or `None` with the cursor where it was.
    fn label_colon(&mut self) -> Option<Label> {
        let save = self.at;
        if !self.could_start_label() || !self.label_group_ahead() {
            return None;
        }
        match self.label() {
            Some(l) if self.eat(Token::Colon) => Some(l),
            _ => {
                self.at = save;
                None
            }
        }
    }

    fn field(&mut self) -> Option<Field> {
        let from = self.at;
        // `a: b: c` has several labels; most fields have one, kept apart
        // from the rest so that they cost no allocation.
        let mut innermost = self.label_colon()?;
        let mut outer: Vec<Label> = Vec::new();
        while let Some(l) = self.label_colon() {
            outer.push(std::mem::replace(&mut innermost, l));
        }
        let value = self.alias_expr()?;
        let attrs = self.attributes();
        let end = self.span(from).end as usize;
        Some(shorthand_field(outer, innermost, value, attrs, end))
    }

    fn constraint_mark(&mut self) -> Option<Constraint> {
        let c = match self.peek()? {
            Token::Question => Constraint::Optional,
            Token::Bang => Constraint::Required,
            _ => return None,
        };
        self.at += 1;
        Some(c)
    }

    fn label(&mut self) -> Option<Label> {
        let from = self.at;
        let alias = self.alias_prefix();
        let (kind, constraint) = self.label_expr()?;
        let save = self.at;
        let postfix_alias = self.postfix_alias();
        if postfix_alias.is_none() {
            self.at = save;
        }
        let late = self.constraint_mark();
        Some(Label {
            alias,
            kind,
            constraint: late.unwrap_or(constraint),
            postfix_alias: postfix_alias.map(Box::new),
            span: self.span(from),
        })
    }

    fn label_expr(&mut self) -> Option<(LabelKind, Constraint)> {
        let from = self.at;
        if let Some(kind) = self.label_name() {
            let c = self.constraint_mark().unwrap_or(Constraint::Regular);
            return Some((kind, c));
        }
        self.at = from;
        if !self.eat(Token::LBracket) {
            return None;
        }
        let alias = self.alias_prefix();
        let e = self.expr()?;
        if !self.eat(Token::RBracket) {
            return None;
        }
        Some((LabelKind::Pattern(alias, Box::new(e)), Constraint::Regular))
    }

    fn label_name(&mut self) -> Option<LabelKind> {
        match self.peek()? {
            Token::Ident(_) => self.ident().map(LabelKind::Ident),
            Token::String(_) => self.string_lit().map(LabelKind::String),
            Token::LParen => {
                self.at += 1;
                let e = self.alias_expr()?;
                self.eat(Token::RParen)
                    .then(|| LabelKind::Dynamic(Box::new(e)))
            }
            _ => None,
        }
    }

    /// `~X` or `~(K,V)` after a label.
    fn postfix_alias(&mut self) -> Option<PostfixAlias> {
        if !self.eat(Token::Tilde) {
            return None;
        }
        let save = self.at;
        if self.eat(Token::LParen) {
            if let Some(a) = self.name_or_blank() {
                let inner = self.at;
                let b = match self.eat(Token::Comma) {
                    true => self.name_or_blank(),
                    false => None,
                };
                if b.is_none() {
                    self.at = inner;
                }
                if self.eat(Token::RParen) {
                    return Some(paren_alias(a, b));
                }
            }
            self.at = save;
        }
        self.name_or_blank().map(|v| PostfixAlias {
            label: None,
            value: v,
            parens: false,
        })
    }

    fn let_clause(&mut self) -> Option<LetClause> {
        let from = self.at;
        if !self.eat_keyword("let") {
            return None;
        }
        let name = self.ident()?;
        if !self.eat(Token::Assign) {
            return None;
        }
        let value = self.expr()?;
        Some(LetClause {
            name,
            value,
            span: self.span(from),
        })
    }

    fn ellipsis(&mut self) -> Option<(Option<Expr>, Span)> {
        let from = self.at;
        if !self.eat(Token::Ellipsis) {
            return None;
        }
        let save = self.at;
        let t = self.expr();
        if t.is_none() {
            self.at = save;
        }
        Some((t, self.span(from)))
    }

    // ---- comprehensions ----

    fn comprehension(&mut self) -> Option<Comprehension> {
        let from = self.at;
        let first = self.start_clause()?;
        let mut clauses = vec![first];
        loop {
            let save = self.at;
            self.comma();
            match self.clause() {
                Some(c) => clauses.push(c),
                None => {
                    self.at = save;
                    break;
                }
            }
        }
        let body = self.struct_lit()?;
        let save = self.at;
        let mut else_body = None;
        if self.eat_keyword("else") || self.eat_keyword("fallback") {
            else_body = self.struct_lit();
            if else_body.is_none() {
                self.at = save;
            }
        }
        Some(Comprehension {
            clauses,
            body,
            else_body,
            span: self.span(from),
        })
    }

    fn clause(&mut self) -> Option<Clause> {
        let from = self.at;
        if let Some(c) = self.start_clause() {
            return Some(c);
        }
        self.at = from;
        self.let_clause().map(Clause::Let)
    }

    fn start_clause(&mut self) -> Option<Clause> {
        let from = self.at;
        let t = self.peek()?;
        if is_keyword(t, "for") {
            self.at += 1;
            let first = self.name_or_blank()?;
            let save = self.at;
            let mut second = None;
            if self.eat(Token::Comma) {
                second = self.name_or_blank();
                if second.is_none() {
                    self.at = save;
                }
            }
            if !self.eat_keyword("in") {
                return None;
            }
            let source = self.expr()?;
            let (key, value) = match second {
                Some(v) => (Some(first), v),
                None => (None, first),
            };
            return Some(Clause::For {
                key,
                value,
                source,
                span: self.span(from),
            });
        }
        if is_keyword(t, "if") {
            self.at += 1;
            let c = self.expr()?;
            return Some(Clause::If(c, self.span(from)));
        }
        if is_keyword(t, "try") {
            self.at += 1;
            let inner = self.at;
            let mut bound = None;
            if let Some(name) = self.ident() {
                if self.eat(Token::Assign) {
                    if let Some(value) = self.expr() {
                        bound = Some(LetClause {
                            name,
                            value,
                            span: self.span(inner),
                        });
                    }
                }
            }
            if bound.is_none() {
                self.at = inner;
            }
            return Some(Clause::Try(bound, self.span(from)));
        }
        None
    }

    // ---- expressions ----

    fn alias_expr(&mut self) -> Option<Expr> {
        let from = self.at;
        match self.alias_prefix() {
            Some(a) => {
                let e = self.expr()?;
                Some(Expr::new(ExprKind::Alias(a, Box::new(e)), self.span(from)))
            }
            None => self.expr(),
        }
    }

    fn expr(&mut self) -> Option<Expr> {
        crate::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || self.expr_here())
    }

    fn expr_here(&mut self) -> Option<Expr> {
        let first = self.unary()?;
        let mut rest = Vec::new();
        while let Some(op) = self.peek().and_then(binary_op) {
            let save = self.at;
            self.at += 1;
            match self.unary() {
                Some(x) => rest.push((op, x)),
                None => {
                    self.at = save;
                    break;
                }
            }
        }
        Some(build_binary(first, rest))
    }

    fn unary(&mut self) -> Option<Expr> {
        let first_op = self.at;
        while self.peek().and_then(unary_op).is_some() {
            self.at += 1;
        }
        let last_op = self.at;
        let mut x = self.primary()?;
        for i in (first_op..last_op).rev() {
            let op = unary_op(self.toks[i].0)?;
            let span = self.tok_span(i).to(x.span);
            x = Expr::new(ExprKind::Unary(op, Box::new(x)), span);
        }
        Some(x)
    }

    fn primary(&mut self) -> Option<Expr> {
        let from = self.at;
        let mut x = self.operand()?;
        while let Some(p) = self.postfix() {
            x = Expr::new(p.apply(x), self.span(from));
        }
        Some(x)
    }

    /// One postfix form, or `None` with the cursor where it was.
    fn postfix(&mut self) -> Option<Postfix> {
        let save = self.at;
        let p = self.postfix_here();
        if p.is_none() {
            self.at = save;
        }
        p
    }

    fn postfix_here(&mut self) -> Option<Postfix> {
        match self.peek()? {
            Token::Dot => {
                self.at += 1;
                match self.peek()? {
                    Token::Ident(_) => self.ident().map(|i| Postfix::Sel(LabelKind::Ident(i))),
                    Token::String(_) => self
                        .string_lit()
                        .map(|s| Postfix::Sel(LabelKind::String(s))),
                    _ => None,
                }
            }
            Token::LBracket => {
                self.at += 1;
                self.index_or_slice()
            }
            Token::Ellipsis => match self.peek_at(1) {
                Some(t) if starts_operand(&t) => None,
                _ => {
                    self.at += 1;
                    Some(Postfix::Open)
                }
            },
            Token::Question => match self.peek_at(1) {
                Some(Token::Colon | Token::Tilde) | None => None,
                Some(_) => {
                    self.at += 1;
                    Some(Postfix::Try)
                }
            },
            Token::LParen => {
                self.at += 1;
                let mut args = Vec::new();
                let save = self.at;
                match self.expr() {
                    Some(e) => {
                        args.push(e);
                        // A trailing separator stays consumed.
                        while self.comma() {
                            let before_item = self.at;
                            match self.expr() {
                                Some(e) => args.push(e),
                                None => {
                                    self.at = before_item;
                                    break;
                                }
                            }
                        }
                    }
                    None => self.at = save,
                }
                self.eat(Token::RParen).then_some(Postfix::Call(args))
            }
            _ => None,
        }
    }

    /// After `[`: `x]`, `x,]`, `x:hi]` or `:hi]`.
    fn index_or_slice(&mut self) -> Option<Postfix> {
        let start = self.at;
        if let Some(first) = self.expr() {
            let after = self.at;
            self.comma();
            if self.eat(Token::RBracket) {
                return Some(Postfix::Index(first));
            }
            self.at = after;
            if self.eat(Token::Colon) {
                let hi = self.optional_expr();
                if self.eat(Token::RBracket) {
                    return Some(Postfix::Slice(Some(first), hi));
                }
            }
        }
        self.at = start;
        if !self.eat(Token::Colon) {
            return None;
        }
        let hi = self.optional_expr();
        self.eat(Token::RBracket)
            .then_some(Postfix::Slice(None, hi))
    }

    fn optional_expr(&mut self) -> Option<Expr> {
        let save = self.at;
        let e = self.expr();
        if e.is_none() {
            self.at = save;
        }
        e
    }

    fn operand(&mut self) -> Option<Expr> {
        self.steps += 1;
        if self.steps > self.budget {
            return None;
        }
        let t = self.peek()?;
        let here = self.at;
        let literal = |p: &mut Self, kind: ExprKind| {
            p.at += 1;
            Some(Expr::new(kind, p.tok_span(here)))
        };
        match t {
            Token::Int(s) | Token::Float(s) => {
                if check_number(s).is_some() {
                    self.bad = true;
                }
                let kind = match t {
                    Token::Int(_) => ExprKind::Int(s.to_string()),
                    _ => ExprKind::Float(s.to_string()),
                };
                literal(self, kind)
            }
            Token::Underscore => literal(self, ExprKind::Top),
            Token::Bottom => literal(self, ExprKind::Bottom),
            Token::Ident("null") => literal(self, ExprKind::Null),
            Token::Ident("true") => literal(self, ExprKind::Bool(true)),
            Token::Ident("false") => literal(self, ExprKind::Bool(false)),
            Token::String(_) => {
                let s = self.string_lit()?;
                let span = s.span;
                Some(Expr::new(ExprKind::String(s), span))
            }
            Token::Ident(_) => {
                let i = self.ident()?;
                let span = i.span;
                Some(Expr::new(ExprKind::Ident(i), span))
            }
            Token::LParen | Token::LBracket | Token::LBrace => self.bracketed(t),
            _ => None,
        }
    }

    fn bracketed(&mut self, t: Token) -> Option<Expr> {
        let from = self.at;
        match t {
            Token::LParen => {
                self.at += 1;
                let e = self.expr()?;
                if !self.eat(Token::RParen) {
                    return None;
                }
                Some(Expr::new(ExprKind::Paren(Box::new(e)), self.span(from)))
            }
            Token::LBracket => {
                let l = self.list_lit()?;
                let span = l.span;
                Some(Expr::new(ExprKind::List(l), span))
            }
            _ => {
                let s = self.struct_lit()?;
                let span = s.span;
                Some(Expr::new(ExprKind::Struct(s), span))
            }
        }
    }

    /// What may follow an element or declaration: commas, or (not
    /// consumed) the closing bracket.
    fn terminator(&mut self, closer: Token) -> bool {
        if self.comma() {
            while self.comma() {}
            true
        } else {
            self.peek() == Some(closer)
        }
    }

    fn list_lit(&mut self) -> Option<ListLit> {
        let (elems, span) = self.delimited(Token::LBracket, Token::RBracket, Self::list_elem)?;
        let n = elems.len();
        if (elems.iter().enumerate())
            .any(|(i, e)| matches!(e, ListElem::Ellipsis(..)) && i + 1 != n)
        {
            self.bad = true;
        }
        Some(ListLit { elems, span })
    }

    /// `open`, leading commas, items each followed by a terminator, and
    /// `close`: a list's or a struct's body, with the span of the whole.
    fn delimited<T>(
        &mut self,
        open: Token,
        close: Token,
        item: fn(&mut Self) -> Option<T>,
    ) -> Option<(Vec<T>, Span)> {
        let from = self.at;
        if !self.eat(open) {
            return None;
        }
        while self.comma() {}
        let mut items = Vec::new();
        while self.peek().is_some_and(|t| t != close) {
            items.push(item(self)?);
            if !self.terminator(close) {
                return None;
            }
        }
        if !self.eat(close) {
            return None;
        }
        Some((items, self.span(from)))
    }

    fn list_elem(&mut self) -> Option<ListElem> {
        let from = self.at;
        let first = self.peek()?;
        if matches!(first, Token::Ident("for" | "if" | "try")) {
            if let Some(c) = self.comprehension() {
                return Some(ListElem::Comprehension(c));
            }
            self.at = from;
        }
        if first == Token::Ellipsis {
            if let Some((t, s)) = self.ellipsis() {
                return Some(ListElem::Ellipsis(t, s));
            }
            self.at = from;
        }
        self.alias_expr().map(ListElem::Expr)
    }

    /// Brackets nest as deep as the input does (up to `MAX_NESTING`), and
    /// so does this parser's recursion: every cycle of it passes through
    /// `struct_lit` or `expr`, where the stack grows as it needs.
    fn struct_lit(&mut self) -> Option<StructLit> {
        crate::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || self.struct_lit_here())
    }

    fn struct_lit_here(&mut self) -> Option<StructLit> {
        let (decls, span) = self.delimited(Token::LBrace, Token::RBrace, Self::decl)?;
        Some(StructLit {
            decls,
            elided: false,
            span,
        })
    }
}
