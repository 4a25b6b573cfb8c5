//! The typed syntax tree of a CUE file, with a byte span on every node.
//!
//! The tree mirrors the source: shorthand `a: b: c` is kept as nested fields
//! whose inner struct is marked `elided`, parentheses are kept, and string
//! literals keep their original text next to their decoded parts, so the
//! formatter can print what the user wrote.

use crate::span::Span;

/// A `//` comment; the lexer keeps them aside, in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Attributes before the package clause, e.g. `@if(prod)`.
    pub attrs: Vec<Attribute>,
    pub package: Option<Ident>,
    pub imports: Vec<Import>,
    pub decls: Vec<Decl>,
    pub comments: Vec<Comment>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `import name "path"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub alias: Option<Ident>,
    /// The import path as written, without quotes (e.g. `strings`,
    /// `example.com/x@v0:pkg`).
    pub path: String,
    pub path_span: Span,
    pub span: Span,
}

/// `@name(body)`; the body is kept as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub body: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    Field(Field),
    /// An expression embedded in a struct: `{ #Base, x: 1 }`.
    Embed(Expr),
    Comprehension(Comprehension),
    /// `...` or `...T`.
    Ellipsis(Option<Expr>, Span),
    /// `let x = expr`.
    Let(LetClause),
    Attribute(Attribute),
    /// A declaration that failed to parse; its error was reported.
    Bad(Span),
}

impl Decl {
    pub fn span(&self) -> Span {
        match self {
            Decl::Field(f) => f.span,
            Decl::Embed(e) => e.span,
            Decl::Comprehension(c) => c.span,
            Decl::Ellipsis(_, s) | Decl::Bad(s) => *s,
            Decl::Let(l) => l.span,
            Decl::Attribute(a) => a.span,
        }
    }
}

/// Whether a field is regular, optional (`?`) or required (`!`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Constraint {
    Regular,
    Optional,
    Required,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub label: Label,
    pub value: Expr,
    pub attrs: Vec<Attribute>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// `X=` before the label.
    pub alias: Option<Ident>,
    pub kind: LabelKind,
    pub constraint: Constraint,
    /// `label~X` or `label~(K,V)` (the `aliasv2` experiment): names for the
    /// field's label (`K`) and value (`X`/`V`).
    /// Boxed: rare, and a label is moved through every parser layer.
    pub postfix_alias: Option<Box<PostfixAlias>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PostfixAlias {
    pub label: Option<Ident>,
    pub value: Ident,
    /// Whether the parenthesised form was written.
    pub parens: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LabelKind {
    /// `name`, `#Def`, `_hidden`, or a keyword used as a name.
    Ident(Ident),
    /// `"quoted"`, possibly interpolated (then the label is dynamic).
    String(StringLit),
    /// `(expr)`: a dynamic label.
    Dynamic(Box<Expr>),
    /// `[X=expr]`: a pattern constraint, with an optional alias of the
    /// matched label.
    Pattern(Option<Ident>, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetClause {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    For {
        key: Option<Ident>,
        value: Ident,
        source: Expr,
        span: Span,
    },
    If(Expr, Span),
    Let(LetClause),
    /// `try` or `try x = expr` (the `try` experiment).
    Try(Option<LetClause>, Span),
}

impl Clause {
    pub fn span(&self) -> Span {
        match self {
            Clause::For { span, .. } | Clause::If(_, span) | Clause::Try(_, span) => *span,
            Clause::Let(l) => l.span,
        }
    }
}

/// `for ... if ... { body }`, optionally `else { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comprehension {
    pub clauses: Vec<Clause>,
    pub body: StructLit,
    pub else_body: Option<StructLit>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructLit {
    pub decls: Vec<Decl>,
    /// True for the struct implied by shorthand `a: b: c`, which has no
    /// braces in the source.
    pub elided: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListElem {
    Expr(Expr),
    Comprehension(Comprehension),
    Ellipsis(Option<Expr>, Span),
}

impl ListElem {
    pub fn span(&self) -> Span {
        match self {
            ListElem::Expr(e) => e.span,
            ListElem::Comprehension(c) => c.span,
            ListElem::Ellipsis(_, s) => *s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ListLit {
    pub elems: Vec<ListElem>,
    pub span: Span,
}

/// A string or bytes literal.
#[derive(Clone, Debug, PartialEq)]
pub struct StringLit {
    /// The literal exactly as written, quotes included.
    pub raw: String,
    /// The decoded parts; empty when `verbatim` is set.
    pub parts: Vec<StringPart>,
    /// Where the text is in `raw` when it needed no decoding (most
    /// literals): no copy of it is made then.
    pub verbatim: Option<(u32, u32)>,
    pub is_bytes: bool,
    pub multiline: bool,
    pub span: Span,
}

impl StringLit {
    /// The decoded text when the literal has no interpolation.
    pub fn as_plain(&self) -> Option<&str> {
        if let Some((from, to)) = self.verbatim {
            return self.raw.get(from as usize..to as usize);
        }
        match self.parts.as_slice() {
            [] => Some(""),
            [StringPart::Text(s)] => Some(s),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StringPart {
    /// Decoded text. For bytes literals, bytes that are not UTF-8 are kept
    /// in `Bytes` instead.
    Text(String),
    Bytes(Vec<u8>),
    Interp(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Plus,
    Neg,
    Not,
    /// `*x`: marks a default in a disjunction.
    Default,
    Lt,
    Le,
    Gt,
    Ge,
    Ne,
    Match,
    NotMatch,
    /// `==x` (the `structcmp` experiment).
    Eq,
}

impl UnaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Plus => "+",
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
            UnaryOp::Default => "*",
            UnaryOp::Lt => "<",
            UnaryOp::Le => "<=",
            UnaryOp::Gt => ">",
            UnaryOp::Ge => ">=",
            UnaryOp::Ne => "!=",
            UnaryOp::Match => "=~",
            UnaryOp::NotMatch => "!~",
            UnaryOp::Eq => "==",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    LogicalOr,
    LogicalAnd,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    NotMatch,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "|",
            BinaryOp::And => "&",
            BinaryOp::LogicalOr => "||",
            BinaryOp::LogicalAnd => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Match => "=~",
            BinaryOp::NotMatch => "!~",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding strength (spec: Operator precedence); higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::LogicalOr => 3,
            BinaryOp::LogicalAnd => 4,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Match
            | BinaryOp::NotMatch => 5,
            BinaryOp::Add | BinaryOp::Sub => 6,
            BinaryOp::Mul | BinaryOp::Div => 7,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Ident(Ident),
    /// `_`
    Top,
    /// `_|_`
    Bottom,
    Null,
    Bool(bool),
    /// An integer literal as written (`1_000`, `0x1F`, `1.5Ki`).
    Int(String),
    /// A float literal as written.
    Float(String),
    String(StringLit),
    List(ListLit),
    Struct(StructLit),
    Paren(Box<Expr>),
    /// `x.name` or `x."name"` (only `Ident` and `String` labels occur).
    Selector(Box<Expr>, LabelKind),
    Index(Box<Expr>, Box<Expr>),
    /// `x[lo:hi]`.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `x?` inside a `try` clause (the `try` experiment).
    Try(Box<Expr>),
    /// `x...` (the `explicitopen` experiment): `x` with its closedness
    /// removed.
    Open(Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `X=expr` in embedding or value position.
    Alias(Ident, Box<Expr>),
    /// An expression that failed to parse; its error was reported.
    Bad,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}
