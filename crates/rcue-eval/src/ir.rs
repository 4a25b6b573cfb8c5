//! The evaluator's expression form: the AST with every identifier resolved
//! to what it refers to, labels interned and literals decoded. Built once by
//! `compile.rs`; evaluation never looks at the AST again.

use std::rc::Rc;

use rcue_syntax::ast::{BinaryOp, Constraint, UnaryOp};

use crate::label::Label;
use crate::num::Num;
use crate::value::Text;

pub type ExprId = u32;

/// A source position: the byte offset where an expression or declaration
/// starts, counted through all files of the program one after the other
/// (`Program::add_file` gives each file its range; errors name a file,
/// line and column). One word, in file order: every vertex keeps a few of
/// these, four of them inline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos(pub u32);

/// The bit marking a vertex's position entry as a link (`Pos::link`).
const LINK: u32 = 1 << 31;

impl Pos {
    /// Byte `start` of the file whose range begins at `base`. (Past 2 GiB
    /// of sources in all, positions name the last byte there.)
    pub fn at(base: u32, start: u32) -> Pos {
        Pos(base.saturating_add(start).min(LINK - 1))
    }

    /// An entry of a vertex's positions standing for all positions of
    /// vertex `v` (`Engine::positions` expands it): a field set from
    /// another field's value names that field's positions, which were
    /// copied, one list per field, when there were more than fit inline.
    pub(crate) fn link(v: u32) -> Pos {
        Pos(v | LINK)
    }

    /// The vertex a link entry stands for.
    pub(crate) fn as_link(self) -> Option<u32> {
        (self.0 & LINK != 0).then_some(self.0 & !LINK)
    }
}

/// Predeclared type identifiers (spec: Predeclared identifiers).
pub type Kind = u16;
pub mod kind {
    use super::Kind;
    pub const NULL: Kind = 1;
    pub const BOOL: Kind = 2;
    pub const INT: Kind = 4;
    pub const FLOAT: Kind = 8;
    pub const STRING: Kind = 16;
    pub const BYTES: Kind = 32;
    pub const LIST: Kind = 64;
    pub const STRUCT: Kind = 128;
    pub const NUMBER: Kind = INT | FLOAT;
    pub const SCALAR: Kind = NULL | BOOL | NUMBER | STRING | BYTES;
    pub const TOP: Kind = SCALAR | LIST | STRUCT;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinFn {
    Len,
    Close,
    And,
    Or,
    Div,
    Mod,
    Quo,
    Rem,
    /// `matchN(n, [schemas])`: a validator.
    MatchN,
    /// `error("message")`: bottom with a user message.
    Error,
    /// `matchIf(if, then, else)`: a validator.
    MatchIf,
}

/// What an identifier refers to, found at compile time.
#[derive(Clone, Debug, PartialEq)]
pub enum Ref {
    /// A field of the struct `up` scopes out.
    Field { up: u32, label: Label },
    /// A `let` of the scope `up` levels out.
    Let {
        up: u32,
        expr: ExprId,
        name: Rc<str>,
    },
    /// A comprehension variable (`slot` 0 = key, 1 = value).
    Var { up: u32, slot: u8 },
    /// The label matched by a pattern constraint `[X=...]`.
    PatternLabel { up: u32 },
    /// The field a pattern constraint applies to (`X=[...]: v`).
    PatternField { up: u32 },
    /// `self`: the struct `up` scopes out.
    SelfStruct { up: u32 },
    /// A field with a computed label; `label` is evaluated in the scope.
    DynField { up: u32, label: ExprId },
    /// An imported package.
    Import(Text),
}

#[derive(Clone, Debug)]
pub enum InterpPart {
    Text(Rc<str>),
    Bytes(Rc<[u8]>),
    Expr(ExprId),
}

#[derive(Clone, Debug)]
pub enum Expr {
    Top,
    Bottom,
    Null,
    Bool(bool),
    Num(Rc<Num>),
    Str(Text),
    Bytes(Rc<Vec<u8>>),
    Kind(Kind),
    Struct(Rc<StructLit>),
    List(Rc<ListLit>),
    Ref(Ref),
    Select(ExprId, Label),
    Index(ExprId, ExprId),
    Slice(ExprId, Option<ExprId>, Option<ExprId>),
    Call(ExprId, Rc<[ExprId]>),
    Builtin(BuiltinFn),
    Unary(UnaryOp, ExprId),
    Binary(BinaryOp, ExprId, ExprId),
    /// A flattened disjunction; `true` marks defaults.
    Disjunction(Rc<[(ExprId, bool)]>),
    Interpolation(Rc<[InterpPart]>, bool),
    /// An error found while compiling (reported when evaluated).
    Error(Rc<str>),
    /// A construct rcue does not implement yet.
    Unsupported(Rc<str>),
    /// `&&` or `||` under the shortcircuit experiment: the right operand
    /// is not evaluated when the left decides.
    ShortCircuit(BinaryOp, ExprId, ExprId),
    /// `x?` in a `try` clause: `x`, or an `Absent` error when it refers
    /// to a field that is missing or optional.
    Optional(ExprId),
}

/// A struct literal's declarations, in source order.
#[derive(Clone, Debug, Default)]
pub struct StructLit {
    pub decls: Vec<Decl>,
    /// Whether the literal declares anything that makes its value a struct
    /// (fields, patterns, `...`, or being empty), as opposed to only
    /// embedding values.
    pub is_struct: bool,
    /// What evaluation asks of the declarations at every use, found once.
    pub shape: Shape,
}

/// A summary of a struct literal's declarations (`Shape::of`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Shape {
    pub embeds: bool,
    pub ellipsis: bool,
    pub comprehensions: bool,
    /// Fields with static labels.
    pub static_fields: u32,
}

impl Shape {
    pub fn of(decls: &[Decl]) -> Shape {
        let mut s = Shape::default();
        for d in decls {
            match d {
                Decl::Embed(_) => s.embeds = true,
                Decl::Ellipsis(_) => s.ellipsis = true,
                Decl::Comprehension(_) => s.comprehensions = true,
                Decl::Field {
                    label: FieldLabel::Static(_),
                    ..
                } => s.static_fields = s.static_fields.saturating_add(1),
                Decl::Field { .. } | Decl::Pattern { .. } => {}
            }
        }
        s
    }
}

#[derive(Clone, Debug)]
pub enum Decl {
    Field {
        label: FieldLabel,
        constraint: Constraint,
        value: ExprId,
        /// Where the field is declared (its label), for errors about the
        /// field itself: not allowed, required but missing.
        pos: Pos,
    },
    Pattern {
        pattern: ExprId,
        value: ExprId,
    },
    Embed(ExprId),
    Ellipsis(Option<ExprId>),
    Comprehension(Rc<Comprehension>),
}

#[derive(Clone, Debug)]
pub enum FieldLabel {
    Static(Label),
    /// `(expr)` or an interpolated string: evaluated in the struct's scope.
    Dynamic(ExprId),
}

#[derive(Clone, Debug)]
pub enum Clause {
    /// Iterates `source`; binds a new scope with key and value slots.
    For {
        source: ExprId,
        /// Whether the value is bound (`for k, v in`), not blank
        /// (`for k, _ in`): a blank one is not evaluated.
        value_used: bool,
    },
    If(ExprId),
    /// `let` clause: a new scope whose `Ref::Let{up: 0}` refers to it.
    Let(ExprId),
    /// `try x = e` (the try experiment): a new scope like `let`'s, or no
    /// result at all when an `a?` marker in `e` finds nothing.
    Try(ExprId),
}

#[derive(Clone, Debug)]
pub struct Comprehension {
    pub clauses: Vec<Clause>,
    /// The body struct, evaluated in the scope of the last clause.
    pub body: ExprId,
    pub else_body: Option<ExprId>,
}

#[derive(Clone, Debug, Default)]
pub struct ListLit {
    pub elems: Vec<ListElem>,
    pub ellipsis: Option<Option<ExprId>>,
}

#[derive(Clone, Debug)]
pub enum ListElem {
    Expr(ExprId),
    Comprehension(Rc<Comprehension>),
}

/// All compiled expressions of an instance, with their positions.
#[derive(Default, Debug)]
pub struct Program {
    pub exprs: Vec<Expr>,
    pub pos: Vec<Pos>,
    /// The source files, by id (`add_file`, which also gives each its
    /// range of positions: the only way in).
    files: Vec<(String, rcue_syntax::LineIndex)>,
    /// Where each file's range of positions begins (see `Pos`), and
    /// where the next file's will.
    bases: Vec<u32>,
    next_base: u32,
}

impl Program {
    pub fn add(&mut self, e: Expr, pos: Pos) -> ExprId {
        self.exprs.push(e);
        self.pos.push(pos);
        (self.exprs.len() - 1) as ExprId
    }

    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id as usize]
    }

    /// Adds a source file; returns its id.
    pub fn add_file(&mut self, name: String, text: &str) -> u32 {
        // Each file's range is one longer than its text: an empty file
        // still has a position of its own. (Past 4 GiB of sources in
        // all, positions name the last file.)
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        self.bases.push(self.next_base);
        self.next_base = self.next_base.saturating_add(len).saturating_add(1);
        self.files.push((name, rcue_syntax::LineIndex::new(text)));
        (self.files.len() - 1) as u32
    }

    /// Where file `id`'s positions begin (0 for an unknown id).
    pub fn file_base(&self, id: u32) -> u32 {
        self.bases.get(id as usize).copied().unwrap_or(0)
    }

    /// The id of the file a position is in (0 if none).
    pub fn file_of(&self, p: Pos) -> usize {
        self.bases.partition_point(|&b| b <= p.0).saturating_sub(1)
    }

    /// `file:line:col` of a position.
    pub fn render_pos(&self, p: Pos) -> String {
        let i = self.bases.partition_point(|&b| b <= p.0);
        match i.checked_sub(1).and_then(|i| Some((i, self.files.get(i)?))) {
            Some((i, (name, idx))) => {
                let (l, c) = idx.line_col(p.0 - self.bases[i]);
                format!("{name}:{l}:{c}")
            }
            None => "-".to_string(),
        }
    }
}

/// Whether a value of a nested disjunction is a default of the enclosing
/// one (spec: Default values). In a marked disjunction (`outer_marked`) a
/// marked term keeps its own defaults, or makes all its values defaults
/// if it has none (M1, M2), and an unmarked term loses them (M3); an
/// unmarked disjunction keeps each term's own (D0-D2).
pub fn nested_default(
    outer_marked: bool,
    term_marked: bool,
    inner_marked: bool,
    value_marked: bool,
) -> bool {
    match outer_marked {
        true => term_marked && (value_marked || !inner_marked),
        false => value_marked,
    }
}
