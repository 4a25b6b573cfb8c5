//! A quick acceptance test of concrete data against a schema, for `vet`.
//!
//! Most documents of a large stream are valid, and most schemas are plain
//! constraints: types, bounds, regular expressions, literal disjunctions,
//! closed structs, pattern constraints and lists. For such a schema this
//! module builds, once, a tree of `Check`s from the compiled expressions,
//! and answers for each document whether it certainly unifies with the
//! schema without error. "Yes" means the document is valid and nothing
//! needs evaluating; "don't know" (a failed check, or any construct outside
//! the supported subset) sends the document through full unification,
//! which gives the verdict and the exact messages. So a check may reject
//! valid data, but must never accept data that unification would reject.
//!
//! Soundness rests on one rule: a schema is only compiled when none of its
//! expressions refers to a field of a struct the data is unified into
//! (`b: a` inside the schema would see the data's `a`). References must
//! reach the package's top level, and name definitions there.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use rcue_syntax::ast::{self, Constraint, UnaryOp};

use crate::eval::{CKind, Engine};
use crate::ir::{kind, Decl, Expr, ExprId, FieldLabel, Kind, ListElem, Ref};
use crate::label::{Label, LabelKind};
use crate::meet::regex;
use crate::num::Num;
use rcue_syntax::data::{BlockNode, BlockTree};

type CheckId = usize;

/// A scalar literal of the schema.
#[derive(Debug)]
enum Lit {
    Null,
    Bool(bool),
    /// An integer that fits in 64 bits (`Builder::add` makes them so).
    Int(i64),
    Num(Num),
    Str(Box<str>),
}

#[derive(Debug)]
enum Check {
    Top,
    Kind(Kind),
    Lit(Lit),
    /// `<x`, `>=x`, `!=x` (numbers or strings).
    Bound(UnaryOp, Lit),
    /// `=~re` (`true`) or `!~re` (`false`).
    Regex(regex::Regex, bool),
    /// Every check must pass. `true` when two or more of them may be
    /// structs or lists: then the data's values meet several schemas at
    /// once, and a field the data leaves out could get conflicting values
    /// from them (`{a: *1 | int} & {a?: string}`), so below it only fields
    /// the data has are vouched for.
    All(Vec<CheckId>, bool),
    /// Alternatives over scalars, and the single default if there is one.
    Disj(Vec<CheckId>, Option<CheckId>),
    Struct(StructCheck),
    /// Leading elements, and the type of the rest (`None`: no more).
    List(Vec<CheckId>, Option<CheckId>),
    /// A definition being compiled (only seen while compiling).
    Pending,
}

#[derive(Debug)]
struct StructCheck {
    fields: Vec<(Box<str>, Constraint, CheckId)>,
    /// Field index by name, for structs with many fields.
    index: HashMap<Box<str>, usize>,
    patterns: Vec<(Option<(regex::Regex, bool)>, CheckId)>,
    closed: bool,
}

/// The compiled form of one schema.
#[derive(Debug)]
pub struct FastSchema {
    checks: Vec<Check>,
    root: CheckId,
}

/// Deepest data nesting checked; deeper documents take the full path.
const MAX_DEPTH: usize = 2000;

impl FastSchema {
    /// Compiles the schema `expr` (an expression in the package scope), or
    /// the package root when `expr` is `None`. `None` when the schema uses
    /// anything outside the supported subset.
    pub fn compile(engine: &Engine, root: crate::value::VId, expr: Option<ExprId>) -> Option<Self> {
        let root_v = &engine.v[root as usize];
        let n = root_v.orig_conjuncts();
        let mut files = Vec::new();
        for c in &root_v.conjuncts[..n] {
            match (&c.kind, c.env) {
                (CKind::Expr(id), 0) => match engine.prog.expr(*id) {
                    Expr::Struct(lit) => files.push(lit.clone()),
                    _ => return None,
                },
                _ => return None,
            }
        }
        let mut b = Builder {
            engine,
            files,
            checks: Vec::new(),
            defs: HashMap::new(),
        };
        let root = match expr {
            Some(e) => b.expr(e, 0, false, true)?,
            None => {
                let decls: Vec<Decl> = b.files.iter().flat_map(|f| f.decls.clone()).collect();
                b.struct_decls(&decls, 0, false)?
            }
        };
        Some(FastSchema {
            checks: b.checks,
            root,
        })
    }

    /// Whether `doc` (a data document's tree) certainly unifies with the
    /// schema without error, with every field concrete.
    pub fn accepts(&self, doc: &ast::Expr) -> bool {
        self.check(self.root, doc, 0, false)
    }

    /// `accepts`, for a document of the block YAML reader.
    pub fn accepts_block(&self, tree: &BlockTree<'_>) -> bool {
        self.check(self.root, Block(tree, tree.root()), 0, false)
    }

    /// `shared`: the data is checked against several schemas at once
    /// (see `Check::All`).
    fn check<'d, D: Data<'d>>(&self, id: CheckId, d: D, depth: usize, shared: bool) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &self.checks[id] {
            Check::Top => d.kind() != 0,
            Check::Kind(k) => d.kind() & k != 0,
            Check::Lit(l) => d.scalar().is_some_and(|s| lit_equal(l, &s)),
            Check::Bound(op, l) => d.scalar().is_some_and(|s| bound_holds(*op, l, &s)),
            Check::Regex(re, want) => d.text().is_some_and(|t| re.is_match(t) == *want),
            Check::All(cs, group) => {
                let shared = shared || *group;
                cs.iter().all(|&c| self.check(c, d, depth + 1, shared))
            }
            Check::Disj(cs, _) => cs.iter().any(|&c| self.check(c, d, depth + 1, shared)),
            Check::Struct(sc) => self.check_struct(sc, d, depth, shared),
            Check::List(prefix, rest) => {
                let Some((len, elems)) = d.elems() else {
                    return false;
                };
                if len < prefix.len() || (rest.is_none() && len != prefix.len()) {
                    return false;
                }
                for (i, el) in elems.enumerate() {
                    let c = prefix.get(i).copied().or(*rest);
                    match (el, c) {
                        (Some(e), Some(c)) if self.check(c, e, depth + 1, shared) => {}
                        _ => return false,
                    }
                }
                true
            }
            Check::Pending => false,
        }
    }

    fn check_struct<'d, D: Data<'d>>(
        &self,
        sc: &StructCheck,
        d: D,
        depth: usize,
        shared: bool,
    ) -> bool {
        let Some((len, fields)) = d.fields() else {
            return false;
        };
        let mut seen = vec![false; sc.fields.len()];
        let mut keys: Vec<&str> = Vec::with_capacity(len);
        for field in fields {
            // Anything but a regular field of a known name: not data.
            let Some((key, value)) = field else {
                return false;
            };
            // The same key twice unifies two values: leave that to the
            // evaluator.
            if keys.contains(&key) {
                return false;
            }
            keys.push(key);
            let mut allowed = !sc.closed;
            let found = if sc.fields.len() > 8 {
                sc.index.get(key).copied()
            } else {
                sc.fields.iter().position(|(n, _, _)| n.as_ref() == key)
            };
            if let Some(i) = found {
                seen[i] = true;
                allowed = true;
                if !self.check(sc.fields[i].2, value, depth + 1, shared) {
                    return false;
                }
            }
            for (pat, c) in &sc.patterns {
                if pattern_matches(pat, key) {
                    allowed = true;
                    if !self.check(*c, value, depth + 1, shared) {
                        return false;
                    }
                }
            }
            if !allowed {
                return false;
            }
        }
        sc.fields
            .iter()
            .zip(&seen)
            .filter(|(_, &seen)| !seen)
            .all(|((name, constraint, c), _)| match constraint {
                Constraint::Optional => true,
                Constraint::Required => false,
                Constraint::Regular => {
                    !shared
                        && !sc.patterns.iter().any(|(p, _)| pattern_matches(p, name))
                        && self.absent_ok(*c, depth + 1)
                }
            })
    }

    /// Whether a field the data leaves out still ends concrete and valid:
    /// a literal, a disjunction whose one default is a literal, or a struct
    /// of such fields.
    fn absent_ok(&self, id: CheckId, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &self.checks[id] {
            Check::Lit(_) => true,
            Check::Disj(_, Some(d)) => matches!(self.checks[*d], Check::Lit(_)),
            Check::All(cs, _) if cs.len() == 1 => self.absent_ok(cs[0], depth + 1),
            Check::Struct(sc) => sc
                .fields
                .iter()
                .all(|(name, constraint, c)| match constraint {
                    Constraint::Optional => true,
                    Constraint::Required => false,
                    Constraint::Regular => {
                        !sc.patterns.iter().any(|(p, _)| pattern_matches(p, name))
                            && self.absent_ok(*c, depth + 1)
                    }
                }),
            _ => false,
        }
    }
}

struct Builder<'a> {
    engine: &'a Engine,
    /// The package's files, as struct literals of the top-level scope.
    files: Vec<Rc<crate::ir::StructLit>>,
    checks: Vec<Check>,
    /// Compiled top-level definitions, by label.
    defs: HashMap<Label, CheckId>,
}

impl Builder<'_> {
    /// A conjunction of checks (see `Check::All`).
    fn all(&self, cs: Vec<CheckId>) -> Check {
        let composite = cs.iter().filter(|&&c| !self.scalar_only(c)).count();
        Check::All(cs, composite >= 2)
    }

    fn add(&mut self, c: Check) -> CheckId {
        // Most numbers of schemas and data are small integers: compare
        // those without big-number arithmetic.
        let small = |l: Lit| match l {
            Lit::Num(n) if n.is_int => match n.to_i64() {
                Some(v) => Lit::Int(v),
                None => Lit::Num(n),
            },
            l => l,
        };
        let c = match c {
            Check::Lit(l) => Check::Lit(small(l)),
            Check::Bound(op, l) => Check::Bound(op, small(l)),
            c => c,
        };
        self.checks.push(c);
        self.checks.len() - 1
    }

    /// `depth`: how many scopes lie between the expression and the
    /// package's. `closed`: whether struct literals here are closed (inside
    /// a definition). `entry`: the schema expression itself, which may name
    /// a regular top-level field.
    fn expr(&mut self, id: ExprId, depth: u32, closed: bool, entry: bool) -> Option<CheckId> {
        let c = match self.engine.prog.expr(id) {
            Expr::Top => Check::Top,
            Expr::Null => Check::Lit(Lit::Null),
            Expr::Bool(b) => Check::Lit(Lit::Bool(*b)),
            Expr::Num(n) => Check::Lit(Lit::Num((**n).clone())),
            Expr::Str(s) => Check::Lit(Lit::Str(Box::from(s.as_ref()))),
            Expr::Kind(k) => Check::Kind(*k),
            Expr::Unary(op, x) => {
                let lit = self.constant(*x)?;
                match op {
                    UnaryOp::Neg | UnaryOp::Plus => match lit {
                        Lit::Num(n) if *op == UnaryOp::Neg => Check::Lit(Lit::Num(n.neg())),
                        Lit::Num(n) => Check::Lit(Lit::Num(n)),
                        _ => return None,
                    },
                    UnaryOp::Lt | UnaryOp::Le | UnaryOp::Gt | UnaryOp::Ge => match lit {
                        Lit::Num(_) | Lit::Str(_) => Check::Bound(*op, lit),
                        _ => return None,
                    },
                    UnaryOp::Ne => Check::Bound(*op, lit),
                    UnaryOp::Match | UnaryOp::NotMatch => match lit {
                        Lit::Str(s) => Check::Regex(compiled(&s)?, *op == UnaryOp::Match),
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            Expr::Binary(rcue_syntax::ast::BinaryOp::And, a, b) => {
                let a = self.expr(*a, depth, closed, false)?;
                let b = self.expr(*b, depth, closed, false)?;
                self.all(vec![a, b])
            }
            Expr::Disjunction(ds) => {
                let mut alts = Vec::new();
                let mut defaults = Vec::new();
                for &(d, is_default) in ds.iter() {
                    let c = self.expr(d, depth, closed, false)?;
                    // Alternatives that are structs or lists can each add
                    // different fields: the result may be ambiguous.
                    if !self.scalar_only(c) {
                        return None;
                    }
                    if is_default {
                        defaults.push(c);
                    }
                    alts.push(c);
                }
                let default = match defaults[..] {
                    [d] => Some(d),
                    _ => None,
                };
                Check::Disj(alts, default)
            }
            Expr::Struct(lit) => {
                let lit = lit.clone();
                return self.struct_decls(&lit.decls, depth + 1, closed);
            }
            Expr::List(lit) => {
                let lit = lit.clone();
                let mut prefix = Vec::new();
                for el in &lit.elems {
                    let ListElem::Expr(e) = el else {
                        return None;
                    };
                    prefix.push(self.expr(*e, depth, closed, false)?);
                }
                let rest = match lit.ellipsis {
                    None => None,
                    Some(None) => Some(self.add(Check::Top)),
                    Some(Some(t)) => Some(self.expr(t, depth, closed, false)?),
                };
                Check::List(prefix, rest)
            }
            Expr::Ref(Ref::Field { up, label }) if *up == depth => {
                let kind = self.engine.labels.kind(*label);
                return match kind {
                    LabelKind::Definition | LabelKind::HiddenDefinition => self.definition(*label),
                    // The entry may name a regular top-level field; a
                    // reference from inside a schema to one is left out
                    // (whether its structs are closed depends on the path).
                    LabelKind::Regular if entry => self.top_level(*label, false),
                    _ => None,
                };
            }
            _ => return None,
        };
        Some(self.add(c))
    }

    /// A literal operand of a bound or sign.
    fn constant(&self, id: ExprId) -> Option<Lit> {
        match self.engine.prog.expr(id) {
            Expr::Num(n) => Some(Lit::Num((**n).clone())),
            Expr::Str(s) => Some(Lit::Str(Box::from(s.as_ref()))),
            Expr::Null => Some(Lit::Null),
            Expr::Bool(b) => Some(Lit::Bool(*b)),
            Expr::Unary(UnaryOp::Neg, x) => match self.constant(*x)? {
                Lit::Num(n) => Some(Lit::Num(n.neg())),
                _ => None,
            },
            _ => None,
        }
    }

    fn scalar_only(&self, id: CheckId) -> bool {
        match &self.checks[id] {
            Check::Top | Check::Struct(_) | Check::List(..) | Check::Pending => false,
            Check::Kind(k) => k & (kind::LIST | kind::STRUCT) == 0,
            Check::All(cs, _) | Check::Disj(cs, _) => cs.iter().all(|&c| self.scalar_only(c)),
            Check::Lit(_) | Check::Bound(..) | Check::Regex(..) => true,
        }
    }

    fn definition(&mut self, label: Label) -> Option<CheckId> {
        if let Some(&id) = self.defs.get(&label) {
            return Some(id);
        }
        let id = self.add(Check::Pending);
        self.defs.insert(label, id);
        let body = self.top_level(label, true)?;
        self.checks[id] = Check::All(vec![body], false);
        Some(id)
    }

    /// Every top-level declaration of `label`, as one check.
    fn top_level(&mut self, label: Label, closed: bool) -> Option<CheckId> {
        let mut values = Vec::new();
        for f in &self.files {
            for d in &f.decls {
                match d {
                    Decl::Field {
                        label: FieldLabel::Static(l),
                        constraint,
                        value,
                        ..
                    } if *l == label => {
                        if *constraint != Constraint::Regular {
                            return None;
                        }
                        values.push(*value);
                    }
                    Decl::Field { .. } => {}
                    // Top-level patterns apply to regular fields.
                    Decl::Pattern { .. } if !closed => return None,
                    Decl::Pattern { .. } => {}
                    // What an embedding or comprehension adds is unknown.
                    _ => return None,
                }
            }
        }
        let mut parts = Vec::new();
        for v in values {
            parts.push(self.expr(v, 0, closed, false)?);
        }
        match parts.len() {
            0 => None,
            1 => Some(parts[0]),
            _ => Some(self.add(self.all(parts))),
        }
    }

    /// The declarations of a struct literal whose fields' values are
    /// `depth` scopes below the package's.
    fn struct_decls(&mut self, decls: &[Decl], depth: u32, closed: bool) -> Option<CheckId> {
        let mut open = !closed;
        for d in decls {
            if let Decl::Ellipsis(t) = d {
                if t.is_some() {
                    return None;
                }
                open = true;
            }
        }
        let mut sc = StructCheck {
            fields: Vec::new(),
            index: HashMap::new(),
            patterns: Vec::new(),
            closed: !open,
        };
        for d in decls {
            match d {
                Decl::Field {
                    label,
                    constraint,
                    value,
                    ..
                } => {
                    let FieldLabel::Static(l) = label else {
                        return None;
                    };
                    if !self.engine.labels.is_regular(*l) {
                        // Definitions and hidden fields are not data, and
                        // data cannot set them.
                        continue;
                    }
                    let name: Box<str> = Box::from(self.engine.labels.str(*l)?);
                    let c = self.expr(*value, depth, closed, false)?;
                    match sc.fields.iter_mut().find(|(n, _, _)| *n == name) {
                        Some((_, k, prev)) if k == constraint => {
                            let both = self.all(vec![*prev, c]);
                            *prev = self.add(both);
                        }
                        Some(_) => return None,
                        None => sc.fields.push((name, *constraint, c)),
                    }
                }
                Decl::Pattern { pattern, value } => {
                    let pat = match self.engine.prog.expr(*pattern) {
                        Expr::Top => None,
                        Expr::Kind(k) if *k & kind::STRING != 0 => None,
                        Expr::Unary(op @ (UnaryOp::Match | UnaryOp::NotMatch), x) => {
                            match self.engine.prog.expr(*x) {
                                Expr::Str(s) => Some((compiled(s)?, *op == UnaryOp::Match)),
                                _ => return None,
                            }
                        }
                        _ => return None,
                    };
                    // A pattern's value has a scope of its own.
                    let c = self.expr(*value, depth + 1, closed, false)?;
                    sc.patterns.push((pat, c));
                }
                Decl::Ellipsis(_) => {}
                Decl::Embed(_) | Decl::Comprehension(_) => return None,
            }
        }
        if sc.fields.len() > 8 {
            sc.index = sc
                .fields
                .iter()
                .enumerate()
                .map(|(i, (n, _, _))| (n.clone(), i))
                .collect();
        }
        Some(self.add(Check::Struct(sc)))
    }
}

/// A regular expression of the schema (through the evaluator's cache, so
/// both compile it alike); `None` if it is invalid.
fn compiled(pattern: &str) -> Option<regex::Regex> {
    regex(pattern).ok().map(|re| (*re).clone())
}

fn pattern_matches(p: &Option<(regex::Regex, bool)>, key: &str) -> bool {
    match p {
        None => true,
        Some((re, want)) => re.is_match(key) == *want,
    }
}

/// A data scalar, decoded.
enum Scalar<'a> {
    Null,
    Bool(bool),
    /// An integer that fits in 64 bits (most of them).
    Int(i64),
    Num(Num),
    Str(&'a str),
}

/// A data document as the check reads it: a syntax tree from a data file
/// (`&ast::Expr`) or a node of the block YAML reader (`Block`).
trait Data<'d>: Copy {
    /// The kind of the value (0 for anything that is not data).
    fn kind(self) -> Kind;
    fn scalar(self) -> Option<Scalar<'d>>;
    /// A string's text.
    fn text(self) -> Option<&'d str>;
    /// A list's length and elements (`None` elements: not data).
    fn elems(self) -> Option<(usize, impl Iterator<Item = Option<Self>>)>;
    /// A struct's size and regular fields (`None` fields: anything else).
    #[allow(clippy::type_complexity)]
    fn fields(self) -> Option<(usize, impl Iterator<Item = Option<(&'d str, Self)>>)>;
}

impl<'d> Data<'d> for &'d ast::Expr {
    fn kind(self) -> Kind {
        match &self.kind {
            ast::ExprKind::Null => kind::NULL,
            ast::ExprKind::Bool(_) => kind::BOOL,
            ast::ExprKind::Int(_) => kind::INT,
            ast::ExprKind::Float(_) => kind::FLOAT,
            ast::ExprKind::Unary(UnaryOp::Neg, x) => match x.kind {
                ast::ExprKind::Int(_) => kind::INT,
                ast::ExprKind::Float(_) => kind::FLOAT,
                _ => 0,
            },
            ast::ExprKind::String(s) if s.as_plain().is_some() && !s.is_bytes => kind::STRING,
            ast::ExprKind::List(_) => kind::LIST,
            ast::ExprKind::Struct(_) => kind::STRUCT,
            _ => 0,
        }
    }

    fn scalar(self) -> Option<Scalar<'d>> {
        Some(match &self.kind {
            ast::ExprKind::Null => Scalar::Null,
            ast::ExprKind::Bool(b) => Scalar::Bool(*b),
            ast::ExprKind::String(s) if !s.is_bytes => Scalar::Str(s.as_plain()?),
            ast::ExprKind::Int(t) => int_scalar(t, false)?,
            ast::ExprKind::Float(t) => Scalar::Num(Num::parse_float(t).ok()?),
            ast::ExprKind::Unary(UnaryOp::Neg, x) => match &x.kind {
                ast::ExprKind::Int(t) => int_scalar(t, true)?,
                ast::ExprKind::Float(t) => Scalar::Num(Num::parse_float(t).ok()?.neg()),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn text(self) -> Option<&'d str> {
        match &self.kind {
            ast::ExprKind::String(s) if !s.is_bytes => s.as_plain(),
            _ => None,
        }
    }

    fn elems(self) -> Option<(usize, impl Iterator<Item = Option<Self>>)> {
        let ast::ExprKind::List(l) = &self.kind else {
            return None;
        };
        let elems = l.elems.iter().map(|el| match el {
            ast::ListElem::Expr(e) => Some(e),
            _ => None,
        });
        Some((l.elems.len(), elems))
    }

    fn fields(self) -> Option<(usize, impl Iterator<Item = Option<(&'d str, Self)>>)> {
        let ast::ExprKind::Struct(s) = &self.kind else {
            return None;
        };
        let fields = s.decls.iter().map(|decl| match decl {
            ast::Decl::Field(f) if f.label.constraint == Constraint::Regular => {
                Some((rcue_syntax::data::key_of(&f.label.kind)?, &f.value))
            }
            _ => None,
        });
        Some((s.decls.len(), fields))
    }
}

/// A node of a document read by the block YAML reader.
#[derive(Clone, Copy)]
struct Block<'d>(&'d BlockTree<'d>, u32);

impl<'d> Data<'d> for Block<'d> {
    fn kind(self) -> Kind {
        match self.0.node(self.1) {
            BlockNode::Null => kind::NULL,
            BlockNode::Bool(_) => kind::BOOL,
            BlockNode::Int(_) => kind::INT,
            BlockNode::Float(_) => kind::FLOAT,
            BlockNode::Str(_) => kind::STRING,
            BlockNode::List(..) => kind::LIST,
            BlockNode::Map(..) => kind::STRUCT,
        }
    }

    fn scalar(self) -> Option<Scalar<'d>> {
        Some(match self.0.node(self.1) {
            BlockNode::Null => Scalar::Null,
            BlockNode::Bool(b) => Scalar::Bool(b),
            BlockNode::Int(t) => match t.strip_prefix('-') {
                Some(digits) => int_scalar(digits, true)?,
                None => int_scalar(t, false)?,
            },
            BlockNode::Float(t) => Scalar::Num(Num::parse_float(t).ok()?),
            BlockNode::Str(t) => Scalar::Str(t),
            BlockNode::List(..) | BlockNode::Map(..) => return None,
        })
    }

    fn text(self) -> Option<&'d str> {
        match self.0.node(self.1) {
            BlockNode::Str(t) => Some(t),
            _ => None,
        }
    }

    fn elems(self) -> Option<(usize, impl Iterator<Item = Option<Self>>)> {
        let BlockNode::List(start, end) = self.0.node(self.1) else {
            return None;
        };
        let tree = self.0;
        let items = tree.items(start, end);
        Some((
            items.len(),
            items.iter().map(move |&i| Some(Block(tree, i))),
        ))
    }

    fn fields(self) -> Option<(usize, impl Iterator<Item = Option<(&'d str, Self)>>)> {
        let BlockNode::Map(start, end) = self.0.node(self.1) else {
            return None;
        };
        let tree = self.0;
        let fields = tree.fields(start, end);
        Some((
            fields.len(),
            fields.iter().map(move |&(k, v)| Some((k, Block(tree, v)))),
        ))
    }
}

/// An integer from its digits (any CUE integer literal), negated if `neg`.
fn int_scalar(digits: &str, neg: bool) -> Option<Scalar<'static>> {
    let b = digits.as_bytes();
    if !b.is_empty() && b.len() <= 18 && b.iter().all(u8::is_ascii_digit) {
        let v = digits.parse::<i64>().ok()?;
        return Some(Scalar::Int(if neg { -v } else { v }));
    }
    let n = Num::parse_int(digits).ok()?;
    Some(Scalar::Num(if neg { n.neg() } else { n }))
}

fn lit_equal(l: &Lit, s: &Scalar) -> bool {
    match (l, s) {
        (Lit::Null, Scalar::Null) => true,
        (Lit::Bool(a), Scalar::Bool(b)) => a == b,
        (Lit::Str(a), Scalar::Str(b)) => a.as_ref() == *b,
        (Lit::Int(a), Scalar::Int(b)) => a == b,
        // `1 & 1.0` is a conflict of kinds: not equal here.
        (Lit::Int(_) | Lit::Num(_), Scalar::Int(_) | Scalar::Num(_)) => {
            lit_is_int(l) == scalar_is_int(s) && num_order(s, l) == Some(Ordering::Equal)
        }
        _ => false,
    }
}

fn lit_is_int(l: &Lit) -> bool {
    match l {
        Lit::Int(_) => true,
        Lit::Num(n) => n.is_int,
        _ => false,
    }
}

fn scalar_is_int(s: &Scalar) -> bool {
    match s {
        Scalar::Int(_) => true,
        Scalar::Num(n) => n.is_int,
        _ => false,
    }
}

/// How a data number compares with a literal one.
fn num_order(s: &Scalar, l: &Lit) -> Option<Ordering> {
    Some(match (s, l) {
        (Scalar::Int(x), Lit::Int(b)) => x.cmp(b),
        (Scalar::Int(x), Lit::Num(b)) => Num::int(*x).cmp_value(b),
        (Scalar::Num(x), Lit::Int(b)) => x.cmp_value(&Num::int(*b)),
        (Scalar::Num(x), Lit::Num(b)) => x.cmp_value(b),
        _ => return None,
    })
}

fn bound_holds(op: UnaryOp, l: &Lit, s: &Scalar) -> bool {
    if op == UnaryOp::Ne {
        return match num_order(s, l) {
            Some(ord) => ord != Ordering::Equal,
            None => !lit_equal(l, s),
        };
    }
    let ord = match (s, l) {
        (Scalar::Str(x), Lit::Str(b)) => (*x).cmp(b.as_ref()),
        _ => match num_order(s, l) {
            Some(ord) => ord,
            None => return false,
        },
    };
    match op {
        UnaryOp::Lt => ord == Ordering::Less,
        UnaryOp::Le => ord != Ordering::Greater,
        UnaryOp::Gt => ord == Ordering::Greater,
        UnaryOp::Ge => ord != Ordering::Less,
        _ => false,
    }
}
