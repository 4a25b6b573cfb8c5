//! Compilation of syntax trees into the evaluator's expression form:
//! identifiers are resolved through lexical scopes (spec: Declarations and
//! scopes) into references counted in scope levels, labels are interned and
//! literals decoded.
//!
//! Scope levels here correspond one to one with the environments the
//! evaluator creates: one per struct literal instance, one per `for` or
//! `let` clause, and one per pattern-constraint application.

use std::collections::HashMap;
use std::rc::Rc;

use smallvec::SmallVec;

use rcue_syntax::ast::{self, ExprKind, LabelKind as AstLabel, StringPart, UnaryOp};

use crate::ir::*;
use crate::label::{Interner, Label};
use crate::num::Num;
use crate::value::Text;

/// The packages of CUE's standard library (spec: Builtin packages).
pub const STD_PACKAGES: &[&str] = &[
    "crypto/ed25519",
    "crypto/hmac",
    "crypto/md5",
    "crypto/sha1",
    "crypto/sha256",
    "crypto/sha512",
    "encoding/base64",
    "encoding/csv",
    "encoding/hex",
    "encoding/json",
    "encoding/toml",
    "encoding/yaml",
    "html",
    "list",
    "math",
    "math/bits",
    "net",
    "path",
    "regexp",
    "strconv",
    "strings",
    "struct",
    "text/tabwriter",
    "text/template",
    "time",
    "uuid",
    "tool",
    "tool/cli",
    "tool/exec",
    "tool/file",
    "tool/http",
    "tool/os",
];

pub fn is_std_package(path: &str) -> bool {
    STD_PACKAGES.contains(&path)
}

/// The standard package a bare name such as `strings` or `yaml` means in a
/// command-line expression (`-e`, `-l`), where no import is written.
pub fn std_package_named(name: &str) -> Option<&'static str> {
    STD_PACKAGES
        .iter()
        .copied()
        .find(|p| p.rsplit('/').next() == Some(name) && !p.starts_with("tool"))
}

/// A non-standard package the loader found for an import path.
#[derive(Clone, Debug)]
pub struct ExternalPackage {
    /// The key the engine knows the package's root by.
    pub key: Rc<str>,
    /// The name of its package clause: the import's default name.
    pub name: String,
}

#[derive(Clone, Debug)]
enum Binding {
    Field(Label),
    Let(ExprId, Rc<str>),
    Var(u8),
    PatternLabel,
    /// `X=[pattern]: v`: the field the pattern applies to.
    PatternField,
    /// `X=(expr): v` or `X="\(a)": v`: a field with a computed label.
    DynField(ExprId),
    /// `f: X={...}`: inside the struct literal, `X` is the struct being
    /// evaluated (spec: Aliases, "before a value").
    SelfStruct,
}

#[derive(Default)]
struct Scope {
    /// Keyed by the name's label (`Interner::ident`): interned once, then
    /// compared as a number at each scope a reference is looked up in.
    names: Names,
    /// Whether the scope is a struct literal's (what `self` refers to).
    is_struct: bool,
}

/// A scope's names: most scopes (every struct of data) declare a few, kept
/// in a short list searched in order, with no allocation; past
/// `Names::FEW` they move to a map.
#[derive(Default)]
struct Names {
    few: SmallVec<[(Label, Binding); 4]>,
    many: Option<HashMap<Label, Binding, foldhash::fast::RandomState>>,
}

impl Names {
    const FEW: usize = 8;

    fn get(&self, key: &Label) -> Option<&Binding> {
        match &self.many {
            Some(m) => m.get(key),
            None => self.few.iter().find(|(k, _)| k == key).map(|(_, b)| b),
        }
    }

    /// Binds `key`, replacing an earlier binding of it.
    fn insert(&mut self, key: Label, b: Binding) {
        if let Some(m) = &mut self.many {
            m.insert(key, b);
            return;
        }
        if let Some(slot) = self.few.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = b;
            return;
        }
        if self.few.len() < Self::FEW {
            self.few.push((key, b));
            return;
        }
        let mut m: HashMap<_, _, _> = self.few.drain(..).collect();
        m.insert(key, b);
        self.many = Some(m);
    }

    /// Binds `key` unless it is bound already.
    fn insert_new(&mut self, key: Label, b: Binding) {
        if self.get(&key).is_none() {
            self.insert(key, b);
        }
    }
}

pub struct Compiler<'a> {
    pub prog: &'a mut Program,
    pub labels: &'a mut Interner,
    scopes: Vec<Scope>,
    /// Imports of the file being compiled, visible at the file level.
    imports: HashMap<String, Rc<str>>,
    /// Where the positions of the file being compiled begin (`Pos`).
    base: u32,
    /// Errors found while compiling (unresolved references and the like).
    pub errors: Vec<(String, Pos)>,
    /// Non-standard packages, by import path as written (`:name` removed).
    pub packages: HashMap<String, ExternalPackage>,
    /// Whether unbound names may mean standard packages (`-e` expressions).
    pub auto_std: bool,
    /// Package names bound for expressions compiled outside any file.
    pub names: HashMap<String, Rc<str>>,
    /// Import names the file being compiled has used.
    used_imports: std::collections::HashSet<String>,
    /// Placeholders for computed labels that aliases refer to, in
    /// declaration order; filled when the fields are compiled.
    dyn_slots: Vec<ExprId>,
    /// Struct literals (by address) that a value alias names, with the
    /// alias (see `value_expr`).
    self_aliases: Vec<(usize, String)>,
    /// Whether the expression being compiled is the value of a `try x = e`
    /// clause, where `a?` markers may appear.
    in_try: bool,
    /// Whether the file being compiled enables the shortcircuit experiment.
    shortcircuit: bool,
    /// Whether the expression being compiled is inside a definition.
    in_def: bool,
}

impl<'a> Compiler<'a> {
    pub fn new(prog: &'a mut Program, labels: &'a mut Interner) -> Compiler<'a> {
        Compiler {
            prog,
            labels,
            scopes: Vec::new(),
            in_try: false,
            shortcircuit: false,
            in_def: false,
            imports: HashMap::new(),
            base: 0,
            errors: Vec::new(),
            packages: HashMap::new(),
            auto_std: false,
            names: HashMap::new(),
            used_imports: Default::default(),
            dyn_slots: Vec::new(),
            self_aliases: Vec::new(),
        }
    }

    fn pos(&self, s: rcue_syntax::Span) -> Pos {
        Pos::at(self.base, s.start)
    }

    fn add(&mut self, e: Expr, s: rcue_syntax::Span) -> ExprId {
        let p = self.pos(s);
        self.prog.add(e, p)
    }

    /// Compiles the files of one package into one struct literal per file,
    /// all sharing the package scope.
    pub fn compile_package(&mut self, files: &[(u32, &ast::File)]) -> Vec<ExprId> {
        let mut root = Scope {
            is_struct: true,
            ..Scope::default()
        };
        for (_, f) in files {
            self.declare(&mut root, &f.decls);
        }
        self.scopes.push(root);
        let mut out = Vec::new();
        for (id, f) in files {
            self.base = self.prog.file_base(*id);
            self.shortcircuit = has_experiment(f, "shortcircuit");
            self.imports.clear();
            self.used_imports.clear();
            for imp in &f.imports {
                self.import(*id, imp);
            }
            let lit = self.struct_body(&f.decls);
            out.push(self.add(Expr::Struct(Rc::new(lit)), f.span));
            self.report_unused_imports(*id, f);
        }
        self.shortcircuit = false;
        self.scopes.pop();
        // The files of a package are one struct: a definition one file
        // embeds allows the fields the others declare, as in the
        // reference. (Imports were resolved per file above.)
        if out.len() > 1 {
            let mut merged = StructLit::default();
            for &e in &out {
                if let Expr::Struct(lit) = &self.prog.exprs[e as usize] {
                    merged.decls.extend(lit.decls.iter().cloned());
                }
            }
            merged.is_struct = merged.decls.is_empty() || self.makes_struct(&merged.decls);
            merged.shape = Shape::of(&merged.decls);
            let first = self.prog.pos[out[0] as usize];
            return vec![self.prog.add(Expr::Struct(Rc::new(merged)), first)];
        }
        out
    }

    /// An import no expression of its file uses is an error, as in `cue`.
    fn report_unused_imports(&mut self, file: u32, f: &ast::File) {
        for imp in &f.imports {
            let (path, qualifier) = match imp.path.split_once(':') {
                Some((p, q)) => (p, Some(q)),
                None => (imp.path.as_str(), None),
            };
            let name = match (&imp.alias, qualifier) {
                (Some(a), _) => a.name.clone(),
                (None, Some(q)) => q.to_string(),
                (None, None) => match self.packages.get(path) {
                    Some(p) => p.name.clone(),
                    None => {
                        let last = path.rsplit('/').next().unwrap_or(path);
                        last.split('@').next().unwrap_or(last).to_string()
                    }
                },
            };
            if self.used_imports.contains(&name) || name == "_" {
                continue;
            }
            let msg = match &imp.alias {
                Some(a) => format!("imported and not used: {path:?} as {}", a.name),
                None => format!("imported and not used: {path:?}"),
            };
            self.errors
                .push((msg, Pos::at(self.prog.file_base(file), imp.path_span.start)));
        }
    }

    /// Makes an import's name visible in the file being compiled, or
    /// reports why it cannot be.
    fn import(&mut self, file: u32, imp: &ast::Import) {
        let (path, qualifier) = match imp.path.split_once(':') {
            Some((p, q)) => (p, Some(q)),
            None => (imp.path.as_str(), None),
        };
        let pos = Pos::at(self.prog.file_base(file), imp.path_span.start);
        let last = path.rsplit('/').next().unwrap_or(path);
        let last = last.split('@').next().unwrap_or(last);
        let (key, default_name): (Rc<str>, String) = if is_std_package(path) {
            (Rc::from(path), last.to_string())
        } else if let Some(p) = self.packages.get(path) {
            (p.key.clone(), p.name.clone())
        } else {
            let first = path.split('/').next().unwrap_or("");
            let msg = if first.contains('.') {
                format!("import failed: cannot find package {path:?}")
            } else {
                format!("import failed: package {path:?} is not a standard package")
            };
            self.errors.push((msg, pos));
            (Rc::from(path), last.to_string())
        };
        let name = match (&imp.alias, qualifier) {
            (Some(a), _) => a.name.clone(),
            (None, Some(q)) => q.to_string(),
            (None, None) => default_name,
        };
        self.imports.insert(name, key);
    }

    /// Compiles an expression (such as `-e`'s) in the package scope.
    pub fn compile_in_package(
        &mut self,
        files: &[(u32, &ast::File)],
        e: &ast::Expr,
        file: u32,
    ) -> ExprId {
        let mut root = Scope {
            is_struct: true,
            ..Scope::default()
        };
        for (_, f) in files {
            self.declare(&mut root, &f.decls);
        }
        self.scopes.push(root);
        self.base = self.prog.file_base(file);
        let id = self.expr(e);
        self.scopes.pop();
        id
    }

    /// Records the names a block of declarations introduces.
    fn declare(&mut self, scope: &mut Scope, decls: &[ast::Decl]) {
        for d in decls {
            match d {
                ast::Decl::Field(f) => {
                    let label = match &f.label.kind {
                        AstLabel::Ident(i) => Some(self.labels.ident(&i.name)),
                        AstLabel::String(s) => s.as_plain().map(|t| self.labels.string(t)),
                        _ => None,
                    };
                    if let (AstLabel::Ident(_), Some(l)) = (&f.label.kind, label) {
                        scope.names.insert(l, Binding::Field(l));
                    }
                    if let (Some(a), Some(l)) = (&f.label.alias, label) {
                        scope
                            .names
                            .insert(self.labels.ident(&a.name), Binding::Field(l));
                    }
                    if let (Some(p), Some(l)) = (&f.label.postfix_alias, label) {
                        if p.value.name != "_" {
                            scope
                                .names
                                .insert(self.labels.ident(&p.value.name), Binding::Field(l));
                        }
                        if let Some(k) = p.label.as_ref().filter(|k| k.name != "_") {
                            let name = self.labels.name(l);
                            let id = self
                                .prog
                                .add(Expr::Str(Text::from(name.as_str())), Pos::default());
                            scope.names.insert(
                                self.labels.ident(&k.name),
                                Binding::Let(id, Rc::from(k.name.as_str())),
                            );
                        }
                    }
                    if let ExprKind::Alias(a, _) = &f.value.kind {
                        if let Some(l) = label {
                            scope
                                .names
                                .insert(self.labels.ident(&a.name), Binding::Field(l));
                        }
                    }
                    if label.is_none() && !matches!(f.label.kind, AstLabel::Pattern(..)) {
                        // A computed label: the alias names whatever field the
                        // label evaluates to. The label expression is
                        // compiled into this placeholder with the struct.
                        let id = self.prog.add(Expr::Top, Pos::default());
                        let names = [
                            f.label.alias.as_ref().map(|a| a.name.clone()),
                            f.label.postfix_alias.as_ref().map(|p| p.value.name.clone()),
                        ];
                        for n in names.into_iter().flatten().filter(|n| n != "_") {
                            scope
                                .names
                                .insert(self.labels.ident(&n), Binding::DynField(id));
                        }
                        if let Some(k) = f
                            .label
                            .postfix_alias
                            .as_ref()
                            .and_then(|p| p.label.as_ref())
                            .filter(|k| k.name != "_")
                        {
                            scope.names.insert(
                                self.labels.ident(&k.name),
                                Binding::Let(id, Rc::from(k.name.as_str())),
                            );
                        }
                        self.dyn_slots.push(id);
                    }
                }
                ast::Decl::Let(l) => {
                    // The expression id is filled in when the let is compiled;
                    // a placeholder keeps the name visible to earlier uses.
                    let id = self.prog.add(Expr::Top, Pos::default());
                    scope.names.insert(
                        self.labels.ident(&l.name.name),
                        Binding::Let(id, Rc::from(l.name.name.as_str())),
                    );
                }
                ast::Decl::Embed(e) => {
                    if let ExprKind::Alias(a, _) = &e.kind {
                        let id = self.prog.add(Expr::Top, Pos::default());
                        scope.names.insert(
                            self.labels.ident(&a.name),
                            Binding::Let(id, Rc::from(a.name.as_str())),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn struct_lit(&mut self, decls: &[ast::Decl]) -> StructLit {
        self.struct_lit_as(decls, None)
    }

    /// A struct literal; `alias`, if any, names the struct itself.
    fn struct_lit_as(&mut self, decls: &[ast::Decl], alias: Option<String>) -> StructLit {
        let mut scope = Scope {
            is_struct: true,
            ..Scope::default()
        };
        self.declare(&mut scope, decls);
        if let Some(a) = alias {
            let key = self.labels.ident(&a);
            scope.names.insert_new(key, Binding::SelfStruct);
        }
        self.scopes.push(scope);
        let lit = self.struct_body(decls);
        self.scopes.pop();
        lit
    }

    /// Compiles declarations whose scope is already pushed.
    fn struct_body(&mut self, decls: &[ast::Decl]) -> StructLit {
        let mut lit = StructLit {
            decls: Vec::new(),
            is_struct: decls.is_empty(),
            shape: Shape::default(),
        };
        for d in decls {
            match d {
                ast::Decl::Field(f) => self.field(f, &mut lit),
                ast::Decl::Embed(e) => {
                    let id = self.expr(e);
                    if let ExprKind::Alias(a, _) = &e.kind {
                        let key = self.labels.ident(&a.name);
                        if let Some(Binding::Let(slot, _)) =
                            self.scopes.last().and_then(|s| s.names.get(&key))
                        {
                            let slot = *slot;
                            self.prog.exprs[slot as usize] = self.prog.exprs[id as usize].clone();
                            self.prog.pos[slot as usize] = self.prog.pos[id as usize];
                        }
                    }
                    lit.decls.push(Decl::Embed(id));
                }
                ast::Decl::Ellipsis(t, _) => {
                    let t = t.as_ref().map(|t| self.expr(t));
                    lit.decls.push(Decl::Ellipsis(t));
                }
                ast::Decl::Let(l) => {
                    let id = self.expr(&l.value);
                    let key = self.labels.ident(&l.name.name);
                    if let Some(Binding::Let(slot, _)) =
                        self.scopes.last().and_then(|s| s.names.get(&key))
                    {
                        let slot = *slot;
                        self.prog.exprs[slot as usize] = self.prog.exprs[id as usize].clone();
                        self.prog.pos[slot as usize] = self.prog.pos[id as usize];
                    }
                }
                ast::Decl::Comprehension(c) => {
                    let c = self.comprehension(c);
                    lit.decls.push(Decl::Comprehension(Rc::new(c)));
                }
                ast::Decl::Attribute(_) => {}
                ast::Decl::Bad(s) => {
                    let id = self.add(Expr::Error("syntax error".into()), *s);
                    lit.decls.push(Decl::Embed(id));
                }
            }
        }
        lit.is_struct |= self.makes_struct(&lit.decls);
        lit.shape = Shape::of(&lit.decls);
        lit
    }

    /// Whether compiled declarations make a struct (`{}` aside): a regular
    /// field, a pattern or `...`; definitions and hidden fields only
    /// beside no embedding (`{3, #foo: 4}` is 3); comprehensions whose
    /// bodies are structs, even when none yields (`{for k, v in {} {(k):
    /// v}}` is `{}`), but not a body embedding a scalar (`{if c {1}}`).
    fn makes_struct(&self, decls: &[Decl]) -> bool {
        let embeds = (decls.iter()).any(|d| matches!(d, Decl::Embed(_) | Decl::Comprehension(_)));
        let fields = decls.iter().any(|d| match d {
            Decl::Field {
                label: FieldLabel::Static(l),
                ..
            } => !embeds || self.labels.is_regular(*l),
            Decl::Field { .. } | Decl::Pattern { .. } | Decl::Ellipsis(_) => true,
            Decl::Embed(_) | Decl::Comprehension(_) => false,
        });
        let struct_bodies = || {
            decls.iter().all(|d| match d {
                Decl::Embed(_) => false,
                Decl::Comprehension(c) => matches!(
                    &self.prog.exprs[c.body as usize],
                    Expr::Struct(l) if l.is_struct
                ),
                _ => true,
            })
        };
        fields || (embeds && struct_bodies())
    }

    fn field(&mut self, f: &ast::Field, lit: &mut StructLit) {
        // Inside a definition, `x...` is not supported yet (see `ExprKind::Open`).
        let in_def = self.in_def;
        if matches!(&f.label.kind, AstLabel::Ident(i) if i.name.starts_with('#') || i.name.starts_with("_#"))
        {
            self.in_def = true;
        }
        self.field_in(f, lit);
        self.in_def = in_def;
    }

    fn field_in(&mut self, f: &ast::Field, lit: &mut StructLit) {
        let label = &f.label;
        match &label.kind {
            AstLabel::Pattern(alias, pattern) => {
                let pattern = self.expr(pattern);
                let mut scope = Scope::default();
                if let Some(a) = alias {
                    scope
                        .names
                        .insert(self.labels.ident(&a.name), Binding::PatternLabel);
                }
                if let Some(a) = &label.alias {
                    scope
                        .names
                        .insert(self.labels.ident(&a.name), Binding::PatternField);
                }
                if let ExprKind::Alias(a, _) = &f.value.kind {
                    scope
                        .names
                        .insert(self.labels.ident(&a.name), Binding::PatternField);
                }
                if let Some(p) = &label.postfix_alias {
                    if p.value.name != "_" {
                        scope
                            .names
                            .insert(self.labels.ident(&p.value.name), Binding::PatternField);
                    }
                    if let Some(k) = p.label.as_ref().filter(|k| k.name != "_") {
                        scope
                            .names
                            .insert(self.labels.ident(&k.name), Binding::PatternLabel);
                    }
                }
                self.scopes.push(scope);
                let value = self.value_expr(&f.value);
                self.scopes.pop();
                lit.decls.push(Decl::Pattern { pattern, value });
            }
            kind => {
                let fl = match kind {
                    AstLabel::Ident(i) => FieldLabel::Static(self.labels.ident(&i.name)),
                    AstLabel::String(s) => match s.as_plain() {
                        Some(t) => FieldLabel::Static(self.labels.string(t)),
                        None => FieldLabel::Dynamic(self.string_lit(s)),
                    },
                    AstLabel::Dynamic(e) => FieldLabel::Dynamic(self.expr(e)),
                    AstLabel::Pattern(..) => unreachable!(),
                };
                if let FieldLabel::Dynamic(id) = fl {
                    if let Some(slot) = self.find_dyn_slot(label) {
                        self.prog.exprs[slot as usize] = self.prog.exprs[id as usize].clone();
                        self.prog.pos[slot as usize] = self.prog.pos[id as usize];
                    }
                }
                let value = self.value_expr(&f.value);
                lit.decls.push(Decl::Field {
                    label: fl,
                    constraint: label.constraint,
                    value,
                    pos: self.pos(label.span),
                });
            }
        }
    }

    /// The placeholder reserved by `declare` for an aliased computed label.
    fn find_dyn_slot(&self, label: &ast::Label) -> Option<ExprId> {
        let names = [
            label.alias.as_ref().map(|a| a.name.clone()),
            label.postfix_alias.as_ref().map(|p| p.value.name.clone()),
            label
                .postfix_alias
                .as_ref()
                .and_then(|p| p.label.as_ref())
                .map(|k| k.name.clone()),
        ];
        for scope in self.scopes.iter().rev().take(1) {
            for n in names.iter().flatten() {
                let Some(key) = self.labels.find_ident(n) else {
                    continue;
                };
                match scope.names.get(&key) {
                    Some(Binding::DynField(id)) => return Some(*id),
                    Some(Binding::Let(id, _)) if self.dyn_slots.contains(id) => return Some(*id),
                    _ => {}
                }
            }
        }
        None
    }

    /// A field's value: a value alias `X=expr` is only a name for the field.
    fn value_expr(&mut self, e: &ast::Expr) -> ExprId {
        match &e.kind {
            ExprKind::Alias(a, inner) => {
                // The alias names the value it precedes: in the struct
                // literals that make up that value (`X={...} | {...}`), it
                // is the struct being evaluated, so `bar: foo & {a: 1}`
                // sees `a` through `foo: X={x: X.a}`.
                let before = self.self_aliases.len();
                let mut direct = Vec::new();
                direct_structs(inner, &mut direct);
                self.self_aliases
                    .extend(direct.into_iter().map(|addr| (addr, a.name.clone())));
                let id = self.expr(inner);
                self.self_aliases.truncate(before);
                id
            }
            _ => self.expr(e),
        }
    }

    fn comprehension(&mut self, c: &ast::Comprehension) -> Comprehension {
        let mut clauses = Vec::new();
        let mut pushed = 0;
        for (n, cl) in c.clauses.iter().enumerate() {
            match cl {
                ast::Clause::For {
                    key, value, source, ..
                } => {
                    let source = self.expr(source);
                    clauses.push(Clause::For {
                        source,
                        value_used: value.name != "_",
                    });
                    let mut scope = Scope::default();
                    if let Some(k) = key {
                        if k.name != "_" {
                            scope
                                .names
                                .insert(self.labels.ident(&k.name), Binding::Var(0));
                        }
                    }
                    if value.name != "_" {
                        scope
                            .names
                            .insert(self.labels.ident(&value.name), Binding::Var(1));
                    }
                    self.scopes.push(scope);
                    pushed += 1;
                }
                ast::Clause::If(cond, _) => {
                    let cond = self.expr(cond);
                    clauses.push(Clause::If(cond));
                }
                ast::Clause::Let(l) => {
                    let e = self.expr(&l.value);
                    clauses.push(Clause::Let(e));
                    let mut scope = Scope::default();
                    scope
                        .names
                        .insert(self.labels.ident(&l.name.name), Binding::Var(0));
                    self.scopes.push(scope);
                    pushed += 1;
                }
                ast::Clause::Try(Some(l), _) => {
                    let outer = std::mem::replace(&mut self.in_try, true);
                    let e = self.expr(&l.value);
                    self.in_try = outer;
                    clauses.push(Clause::Try(e));
                    let mut scope = Scope::default();
                    scope
                        .names
                        .insert(self.labels.ident(&l.name.name), Binding::Var(0));
                    self.scopes.push(scope);
                    pushed += 1;
                }
                ast::Clause::Try(None, s) => {
                    let e = if n + 1 < c.clauses.len() {
                        Expr::Error(
                            "struct-form try clause must be the last clause in a comprehension"
                                .into(),
                        )
                    } else {
                        Expr::Unsupported("struct-form try clauses (the try experiment)".into())
                    };
                    let id = self.add(e, *s);
                    clauses.push(Clause::If(id));
                }
            }
        }
        let body_lit = self.struct_lit(&c.body.decls);
        let body = self.add(Expr::Struct(Rc::new(body_lit)), c.body.span);
        for _ in 0..pushed {
            self.scopes.pop();
        }
        // `else` runs in the scope of the comprehension itself.
        let else_body = c.else_body.as_ref().map(|b| {
            let lit = self.struct_lit(&b.decls);
            self.add(Expr::Struct(Rc::new(lit)), b.span)
        });
        Comprehension {
            clauses,
            body,
            else_body,
        }
    }

    fn resolve(&mut self, name: &str, span: rcue_syntax::Span) -> ExprId {
        let depth = self.scopes.len();
        // Every declared name was interned; one that was not is declared
        // in no scope.
        let key = self.labels.find_ident(name);
        for (i, scope) in self.scopes.iter().enumerate().rev() {
            let up = (depth - 1 - i) as u32;
            if let Some(b) = key.and_then(|k| scope.names.get(&k)) {
                let e = match b.clone() {
                    Binding::Field(label) => Expr::Ref(Ref::Field { up, label }),
                    Binding::Let(expr, name) => Expr::Ref(Ref::Let { up, expr, name }),
                    Binding::Var(slot) => Expr::Ref(Ref::Var { up, slot }),
                    Binding::PatternLabel => Expr::Ref(Ref::PatternLabel { up }),
                    Binding::PatternField => Expr::Ref(Ref::PatternField { up }),
                    Binding::DynField(label) => Expr::Ref(Ref::DynField { up, label }),
                    Binding::SelfStruct => Expr::Ref(Ref::SelfStruct { up }),
                };
                return self.add(e, span);
            }
            if i == 0 {
                if let Some(p) = self.imports.get(name) {
                    let e = Expr::Ref(Ref::Import(Text::from(&**p)));
                    self.used_imports.insert(name.to_string());
                    return self.add(e, span);
                }
            }
        }
        if let Some(id) = self.predeclared_bound(name, span) {
            return id;
        }
        if let Some(key) = self.names.get(name) {
            return self.add(Expr::Ref(Ref::Import(Text::from(&**key))), span);
        }
        if self.auto_std {
            if let Some(p) = std_package_named(name) {
                return self.add(Expr::Ref(Ref::Import(Text::from(p))), span);
            }
        }
        if name == "self" {
            // `self` (the aliasv2 experiment): the innermost struct.
            if let Some(i) = self.scopes.iter().rposition(|s| s.is_struct) {
                let up = (depth - 1 - i) as u32;
                return self.add(Expr::Ref(Ref::SelfStruct { up }), span);
            }
        }
        let e = match name.trim_start_matches("__") {
            "int" => Expr::Kind(kind::INT),
            "float" => Expr::Kind(kind::FLOAT),
            "number" => Expr::Kind(kind::NUMBER),
            "string" => Expr::Kind(kind::STRING),
            "bytes" => Expr::Kind(kind::BYTES),
            "bool" => Expr::Kind(kind::BOOL),
            "len" => Expr::Builtin(BuiltinFn::Len),
            "close" => Expr::Builtin(BuiltinFn::Close),
            "and" => Expr::Builtin(BuiltinFn::And),
            "or" => Expr::Builtin(BuiltinFn::Or),
            "div" => Expr::Builtin(BuiltinFn::Div),
            "mod" => Expr::Builtin(BuiltinFn::Mod),
            "quo" => Expr::Builtin(BuiltinFn::Quo),
            "rem" => Expr::Builtin(BuiltinFn::Rem),
            "matchN" => Expr::Builtin(BuiltinFn::MatchN),
            "error" => Expr::Builtin(BuiltinFn::Error),
            "matchIf" => Expr::Builtin(BuiltinFn::MatchIf),
            // A marker the reference implementation's tests use to turn off
            // structure sharing; as a value it is top.
            "no_sharing" if name.starts_with("__") => Expr::Top,
            _ => {
                let msg = format!("reference {name:?} not found");
                self.errors.push((msg.clone(), self.pos(span)));
                Expr::Error(msg.into())
            }
        };
        self.add(e, span)
    }

    /// `uint8`, `int32`, `rune`, `float64` and friends: basic types with
    /// bounds (spec: Predeclared identifiers).
    fn predeclared_bound(&mut self, name: &str, span: rcue_syntax::Span) -> Option<ExprId> {
        let int_range = |bits: u32, signed: bool| -> (String, String) {
            if signed {
                (
                    format!("-{}", num_bigint::BigInt::from(1) << (bits - 1)),
                    format!("{}", (num_bigint::BigInt::from(1) << (bits - 1)) - 1),
                )
            } else {
                (
                    "0".to_string(),
                    format!("{}", (num_bigint::BigInt::from(1) << bits) - 1),
                )
            }
        };
        let (base, lo, hi): (Kind, Option<String>, Option<String>) = match name {
            "uint" => (kind::INT, Some("0".into()), None),
            "byte" | "uint8" => (kind::INT, Some("0".into()), Some("255".into())),
            "rune" => (kind::INT, Some("0".into()), Some("1114111".into())),
            "int8" | "int16" | "int32" | "int64" | "int128" => {
                let (l, h) = int_range(name[3..].parse().unwrap(), true);
                (kind::INT, Some(l), Some(h))
            }
            "uint16" | "uint32" | "uint64" | "uint128" => {
                let (l, h) = int_range(name[4..].parse().unwrap(), false);
                (kind::INT, Some(l), Some(h))
            }
            "float32" => (
                kind::NUMBER,
                Some("-3.40282346638528859811704183484516925440e+38".into()),
                Some("3.40282346638528859811704183484516925440e+38".into()),
            ),
            "float64" => (
                kind::NUMBER,
                Some("-1.797693134862315708145274237317043567981e+308".into()),
                Some("1.797693134862315708145274237317043567981e+308".into()),
            ),
            _ => return None,
        };
        let mut e = self.add(Expr::Kind(base), span);
        for (bound, op) in [(lo, UnaryOp::Ge), (hi, UnaryOp::Le)] {
            let Some(b) = bound else { continue };
            let n = if b.contains(['.', 'e']) {
                Num::parse_float(&b)
            } else {
                Num::parse_int(b.trim_start_matches('-')).map(|n| {
                    if b.starts_with('-') {
                        n.neg()
                    } else {
                        n
                    }
                })
            };
            let n = self.add(Expr::Num(n.ok()?.into()), span);
            let u = self.add(Expr::Unary(op, n), span);
            e = self.add(Expr::Binary(ast::BinaryOp::And, e, u), span);
        }
        Some(e)
    }

    fn string_lit(&mut self, s: &ast::StringLit) -> ExprId {
        if let Some(text) = s.as_plain() {
            // Most literals: one allocation, not a part list first.
            return if s.is_bytes {
                self.add(Expr::Bytes(Rc::new(Vec::from(text.as_bytes()))), s.span)
            } else {
                self.add(Expr::Str(Text::from(text)), s.span)
            };
        }
        let mut parts = Vec::new();
        let mut plain = true;
        for p in &s.parts {
            match p {
                StringPart::Text(t) => parts.push(InterpPart::Text(Rc::from(t.as_str()))),
                StringPart::Bytes(b) => parts.push(InterpPart::Bytes(Rc::from(b.as_slice()))),
                StringPart::Interp(e) => {
                    plain = false;
                    let id = self.expr(e);
                    parts.push(InterpPart::Expr(id));
                }
            }
        }
        if plain {
            if s.is_bytes {
                let mut bytes = Vec::new();
                for p in &parts {
                    match p {
                        InterpPart::Text(t) => bytes.extend_from_slice(t.as_bytes()),
                        InterpPart::Bytes(b) => bytes.extend_from_slice(b),
                        InterpPart::Expr(_) => {}
                    }
                }
                return self.add(Expr::Bytes(Rc::new(Vec::from(bytes.as_slice()))), s.span);
            }
            let text: String = parts
                .iter()
                .map(|p| match p {
                    InterpPart::Text(t) => t.to_string(),
                    _ => String::new(),
                })
                .collect();
            return self.add(Expr::Str(Text::from(text.as_str())), s.span);
        }
        self.add(Expr::Interpolation(parts.into(), s.is_bytes), s.span)
    }

    fn disjuncts(&mut self, e: &ast::Expr, out: &mut Vec<(ExprId, bool)>) {
        // The terms, each with whether it is marked.
        let mut terms: Vec<(&ast::Expr, bool)> = Vec::new();
        disjunction_terms(e, false, &mut terms);
        let marked = terms.iter().any(|&(_, m)| m);
        for (t, m) in terms {
            // A parenthesized disjunction among the terms is flattened
            // into this one, its defaults combined by the spec's rules
            // (`nested_default`).
            if let Some(inner) = parenthesized_disjunction(t) {
                let mut sub = Vec::new();
                self.disjuncts(inner, &mut sub);
                let inner_marked = sub.iter().any(|&(_, d)| d);
                out.extend(
                    (sub.into_iter())
                        .map(|(id, d)| (id, nested_default(marked, m, inner_marked, d))),
                );
                continue;
            }
            let id = self.expr(t);
            out.push((id, m));
        }
    }

    pub fn expr(&mut self, e: &ast::Expr) -> ExprId {
        // Expressions nest as deep as the parser allows; callers' stacks
        // may be small.
        rcue_syntax::stack::grow(64 * 1024, 4 << 20, || self.expr_here(e))
    }

    fn expr_here(&mut self, e: &ast::Expr) -> ExprId {
        let s = e.span;
        match &e.kind {
            ExprKind::Ident(i) => self.resolve(&i.name, i.span),
            ExprKind::Top => self.add(Expr::Top, s),
            ExprKind::Bottom => self.add(Expr::Bottom, s),
            ExprKind::Null => self.add(Expr::Null, s),
            ExprKind::Bool(b) => self.add(Expr::Bool(*b), s),
            ExprKind::Int(t) => match Num::parse_int(t) {
                Ok(n) => self.add(Expr::Num(n.into()), s),
                Err(_) => self.add(Expr::Error(format!("invalid number {t}").into()), s),
            },
            ExprKind::Float(t) => match Num::parse_float(t) {
                Ok(n) => self.add(Expr::Num(n.into()), s),
                Err(_) => self.add(Expr::Error(format!("invalid number {t}").into()), s),
            },
            ExprKind::String(lit) => self.string_lit(lit),
            ExprKind::Struct(st) => {
                let addr = e as *const ast::Expr as usize;
                let alias = self
                    .self_aliases
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == addr)
                    .map(|(_, name)| name.clone());
                let lit = self.struct_lit_as(&st.decls, alias);
                self.add(Expr::Struct(Rc::new(lit)), s)
            }
            ExprKind::List(l) => {
                let mut lit = ListLit::default();
                for el in &l.elems {
                    match el {
                        ast::ListElem::Expr(x) => {
                            let id = self.value_expr(x);
                            lit.elems.push(ListElem::Expr(id));
                        }
                        ast::ListElem::Comprehension(c) => {
                            let c = self.comprehension(c);
                            lit.elems.push(ListElem::Comprehension(Rc::new(c)));
                        }
                        ast::ListElem::Ellipsis(t, _) => {
                            lit.ellipsis = Some(t.as_ref().map(|t| self.expr(t)));
                        }
                    }
                }
                self.add(Expr::List(Rc::new(lit)), s)
            }
            ExprKind::Paren(x) => self.expr(x),
            ExprKind::Selector(x, l) => {
                let base = self.expr(x);
                let label = match l {
                    AstLabel::Ident(i) => self.labels.ident(&i.name),
                    AstLabel::String(st) => match st.as_plain() {
                        Some(t) => self.labels.string(t),
                        None => {
                            return self
                                .add(Expr::Error("invalid selector: interpolation".into()), s)
                        }
                    },
                    _ => return self.add(Expr::Error("invalid selector".into()), s),
                };
                self.add(Expr::Select(base, label), s)
            }
            ExprKind::Index(x, i) => {
                let a = self.expr(x);
                let b = self.expr(i);
                self.add(Expr::Index(a, b), s)
            }
            ExprKind::Slice(x, lo, hi) => {
                let x = self.expr(x);
                let lo = lo.as_ref().map(|e| self.expr(e));
                let hi = hi.as_ref().map(|e| self.expr(e));
                self.add(Expr::Slice(x, lo, hi), s)
            }
            ExprKind::Call(f, args) => {
                let f = self.expr(f);
                let args = args.iter().map(|a| self.expr(a)).collect();
                self.add(Expr::Call(f, args), s)
            }
            ExprKind::Unary(UnaryOp::Default, x) => {
                // A default marker outside a disjunction marks a one-element
                // disjunction.
                let id = self.expr(x);
                self.add(Expr::Disjunction(Rc::new([(id, true)])), s)
            }
            ExprKind::Unary(UnaryOp::Eq, _) => self.add(
                Expr::Unsupported("unary == (the structcmp experiment)".into()),
                s,
            ),
            ExprKind::Unary(op, x) => {
                let id = self.expr(x);
                self.add(Expr::Unary(*op, id), s)
            }
            ExprKind::Binary(ast::BinaryOp::Or, ..) => {
                let mut out = Vec::new();
                self.disjuncts(e, &mut out);
                self.add(Expr::Disjunction(out.into()), s)
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l);
                let r = self.expr(r);
                let short = matches!(op, ast::BinaryOp::LogicalAnd | ast::BinaryOp::LogicalOr);
                if short && self.shortcircuit {
                    self.add(Expr::ShortCircuit(*op, l, r), s)
                } else {
                    self.add(Expr::Binary(*op, l, r), s)
                }
            }
            ExprKind::Alias(_, x) => self.expr(x),
            ExprKind::Try(x) if self.in_try => {
                let x = self.expr(x);
                self.add(Expr::Optional(x), s)
            }
            ExprKind::Try(_) => self.add(
                Expr::Error("optional marker (?) is only valid within a try clause".into()),
                s,
            ),
            // The enclosing definition would be opened too: what the
            // reference does there (open `x` only) is not built yet.
            ExprKind::Open(_) if self.in_def => self.add(
                Expr::Unsupported(
                    "postfix ... inside a definition (the explicitopen experiment)".into(),
                ),
                s,
            ),
            // `x...` (the explicitopen experiment) is `x` opened: `{x, ...}`.
            ExprKind::Open(x) => {
                // Compiled inside the struct that embeds it.
                self.scopes.push(Scope {
                    is_struct: true,
                    ..Scope::default()
                });
                let x = self.expr(x);
                self.scopes.pop();
                // Not a struct by itself: `(x & y)...` of tops stays top.
                let decls = vec![Decl::Embed(x), Decl::Ellipsis(None)];
                let lit = StructLit {
                    shape: Shape::of(&decls),
                    decls,
                    is_struct: false,
                };
                self.add(Expr::Struct(Rc::new(lit)), s)
            }
            ExprKind::Bad => self.add(Expr::Error("syntax error".into()), s),
        }
    }
}

/// The struct literals an expression is made of: itself, or the operands
/// of its `&`, `|` and defaults, through parentheses.
fn direct_structs(e: &ast::Expr, out: &mut Vec<usize>) {
    match &e.kind {
        ExprKind::Struct(_) => out.push(e as *const ast::Expr as usize),
        ExprKind::Paren(x) | ExprKind::Unary(ast::UnaryOp::Default, x) => direct_structs(x, out),
        ExprKind::Binary(ast::BinaryOp::And | ast::BinaryOp::Or, a, b) => {
            direct_structs(a, out);
            direct_structs(b, out);
        }
        _ => {}
    }
}

/// Whether `@experiment(name)` (maybe among others, `@experiment(a,b)`)
/// is among a file's attributes.
fn has_experiment(f: &ast::File, name: &str) -> bool {
    let file_level = f.decls.iter().filter_map(|d| match d {
        ast::Decl::Attribute(a) => Some(a),
        _ => None,
    });
    f.attrs
        .iter()
        .chain(file_level)
        .any(|a| a.name == "experiment" && a.body.split(',').any(|x| x.trim() == name))
}

/// The terms of the disjunction `e` (`a | *b | c`), each with whether it
/// is marked as a default.
fn disjunction_terms<'a>(e: &'a ast::Expr, marked: bool, out: &mut Vec<(&'a ast::Expr, bool)>) {
    match &e.kind {
        ExprKind::Binary(ast::BinaryOp::Or, l, r) => {
            disjunction_terms(l, false, out);
            disjunction_terms(r, false, out);
        }
        ExprKind::Unary(UnaryOp::Default, x) => out.push((x, true)),
        _ => out.push((e, marked)),
    }
}

/// The disjunction inside parentheses, if `e` is one (`(a | b)`).
fn parenthesized_disjunction(e: &ast::Expr) -> Option<&ast::Expr> {
    match &e.kind {
        ExprKind::Paren(x) => match &x.kind {
            ExprKind::Binary(ast::BinaryOp::Or, ..) => Some(x),
            ExprKind::Paren(_) => parenthesized_disjunction(x),
            _ => None,
        },
        _ => None,
    }
}
