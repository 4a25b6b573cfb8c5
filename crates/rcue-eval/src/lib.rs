//! CUE evaluation for rcue: numbers, the value lattice, unification,
//! builtins and export. Free of I/O: the loader hands it sources.
//!
//! ```
//! let mut inst = rcue_eval::Instance::from_sources(&[("a.cue", "a: 1 + 2\nb: a * 2\n")]).unwrap();
//! assert_eq!(inst.export_json(None).unwrap(), "{\n    \"a\": 3,\n    \"b\": 6\n}\n");
//! ```

pub mod builtins;
pub mod compile;
pub mod eval;
pub mod export;
pub mod fastcheck;
pub mod fasthash;
pub mod ir;
pub mod label;
pub mod limits;
pub mod meet;
pub mod num;
pub mod ops;
pub mod print;
pub mod stdlib;
pub mod value;

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use compile::ExternalPackage;
use eval::{CKind, Conjunct, Engine, EnvKind};
use ir::{Pos, Program};
use label::Interner;
use value::{ErrKind, VId};

pub use limits::Limits;

/// An error with its CUE path and every source position it came from.
#[derive(Clone, Debug)]
pub struct Error {
    pub path: String,
    pub msg: String,
    pub pos: Vec<String>,
    pub incomplete: bool,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.msg)?;
        } else {
            write!(f, "{}: {}", self.path, self.msg)?;
        }
        if !self.pos.is_empty() {
            f.write_str(":")?;
            for p in &self.pos {
                write!(f, "\n    {p}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A compiled and evaluable CUE instance: one package's files, the
/// packages they import, and any data files unified with them.
pub struct Instance {
    pub engine: Engine,
    pub root: VId,
    files: Vec<rcue_syntax::ast::File>,
    /// Set by `release_syntax`: `files` is gone, expressions can no
    /// longer be compiled in the package's scope.
    syntax_released: bool,
    packages: HashMap<String, ExternalPackage>,
    /// Package names expressions may use without an import.
    expr_names: HashMap<String, Rc<str>>,
    /// Registered data texts, by name and address (see `add_file`).
    source_ids: HashMap<(String, usize, usize), u32>,
    /// Compiled `-d`/`-e` expressions, by source text.
    expr_cache: HashMap<String, ir::ExprId>,
    /// Whether `vet_data` may accept a document by the quick check of
    /// `fastcheck` (on by default; off where the caller already ran it, and
    /// in tests that compare both ways).
    pub fast_vet: bool,
    /// `vet`'s quick checks, by `-d` expression (`None`: the package).
    fast_schemas: HashMap<Option<String>, Option<Arc<fastcheck::FastSchema>>>,
}

/// One parsed source file.
pub struct ParsedFile {
    /// The name errors print (`./a.cue`).
    pub name: String,
    pub text: String,
    pub ast: rcue_syntax::ast::File,
}

/// An imported package: the key its imports resolve to, and its files.
pub struct PackageInput {
    pub key: String,
    pub files: Vec<ParsedFile>,
}

fn syntax_errors(name: &str, src: &str, errs: &[rcue_syntax::SyntaxError]) -> Vec<Error> {
    let idx = rcue_syntax::LineIndex::new(src);
    errs.iter()
        .map(|e| {
            let (l, c) = idx.line_col(e.span.start);
            Error {
                path: String::new(),
                msg: e.message.clone(),
                pos: vec![format!("{name}:{l}:{c}")],
                incomplete: false,
            }
        })
        .collect()
}

/// Parses one file; syntax errors come back rendered with positions.
pub fn parse(name: &str, src: &str) -> Result<ParsedFile, Vec<Error>> {
    let (ast, errs) = rcue_syntax::parse_file(src);
    if !errs.is_empty() {
        return Err(syntax_errors(name, src, &errs));
    }
    Ok(ParsedFile {
        name: name.to_string(),
        text: src.to_string(),
        ast,
    })
}

impl Instance {
    /// Parses and compiles the files of one package. Syntax and reference
    /// errors are returned all at once.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Instance, Vec<Error>> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for (name, src) in sources {
            match parse(name, src) {
                Ok(f) => files.push(f),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Instance::build(files, Vec::new(), HashMap::new())
    }

    /// Compiles a package (`root`) with the packages it imports. `imports`
    /// maps each import path as written (without `:name`) to its package.
    pub fn build(
        root: Vec<ParsedFile>,
        deps: Vec<PackageInput>,
        imports: HashMap<String, ExternalPackage>,
    ) -> Result<Instance, Vec<Error>> {
        let mut prog = Program::default();
        let mut labels = Interner::default();
        let mut errors = Vec::new();
        let mut compiled: Vec<(Option<String>, Vec<ir::ExprId>)> = Vec::new();
        let mut root_asts = Vec::new();
        let packages = deps
            .into_iter()
            .map(|p| (Some(p.key), p.files))
            .chain(std::iter::once((None, root)));
        for (key, files) in packages {
            let mut asts = Vec::new();
            for f in files {
                let id = prog.add_file(f.name.clone(), &f.text);
                asts.push((id, f.ast));
            }
            let refs: Vec<(u32, &rcue_syntax::ast::File)> =
                asts.iter().map(|(i, f)| (*i, f)).collect();
            let mut c = compile::Compiler::new(&mut prog, &mut labels);
            c.packages = imports.clone();
            let roots = c.compile_package(&refs);
            for (msg, pos) in std::mem::take(&mut c.errors) {
                errors.push(Error {
                    path: String::new(),
                    msg,
                    pos: vec![prog.render_pos(pos)],
                    incomplete: false,
                });
            }
            if key.is_none() {
                root_asts = asts.into_iter().map(|(_, f)| f).collect();
            }
            compiled.push((key, roots));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut engine = Engine::new(prog, labels);
        let mut root = 0;
        for (key, roots) in compiled {
            let v = engine.new_vertex(None, None);
            for r in roots {
                engine.add_conjunct(
                    v,
                    Conjunct {
                        kind: CKind::Expr(r),
                        env: 0,
                        node: 0,
                    },
                );
            }
            match key {
                Some(k) => {
                    engine.packages.insert(Rc::from(k.as_str()), v);
                }
                None => root = v,
            }
        }
        Ok(Instance {
            engine,
            root,
            files: root_asts,
            syntax_released: false,
            packages: imports,
            expr_names: HashMap::new(),
            source_ids: HashMap::new(),
            expr_cache: HashMap::new(),
            fast_schemas: HashMap::new(),
            fast_vet: true,
        })
    }

    /// Lets expressions (`export(Some(..))`) refer to an imported package
    /// by `name`. The package must have been loaded with the instance;
    /// returns whether it was.
    pub fn bind_package(&mut self, name: &str, import_path: &str) -> bool {
        let path = import_path.split(':').next().unwrap_or(import_path);
        match self.packages.get(path) {
            Some(p) => {
                self.expr_names.insert(name.to_string(), p.key.clone());
                true
            }
            None => false,
        }
    }

    /// Frees the syntax trees of the package's files, which only
    /// expressions evaluated in its scope (`export(Some(..))`, `vet -d`)
    /// need: a caller exporting the whole instance and nothing else saves
    /// their memory (about a tenth of the peak on large inputs). Such
    /// expressions fail afterwards.
    pub fn release_syntax(&mut self) {
        self.files = Vec::new();
        self.syntax_released = true;
    }

    /// Registers a data file's text so positions in it can be printed.
    fn add_file(&mut self, name: &str, text: &str) -> u32 {
        // The documents of one data file share its line index: building it
        // per document would cost the whole file's length each time.
        let key = (name.to_string(), text.as_ptr() as usize, text.len());
        if let Some(&id) = self.source_ids.get(&key) {
            return id;
        }
        let id = self.engine.prog.add_file(name.to_string(), text);
        self.source_ids.insert(key, id);
        id
    }

    /// Compiles an expression in the scope of the root package.
    fn compile_expr(
        &mut self,
        e: &rcue_syntax::ast::Expr,
        file: u32,
    ) -> Result<ir::ExprId, Vec<Error>> {
        if self.syntax_released {
            return Err(vec![Error {
                path: String::new(),
                msg: "cannot evaluate an expression: the package's syntax was released \
                      (Instance::release_syntax)"
                    .to_string(),
                pos: Vec::new(),
                incomplete: false,
            }]);
        }
        let refs: Vec<(u32, &rcue_syntax::ast::File)> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (i as u32, f))
            .collect();
        let (mut prog, mut labels) = (
            std::mem::take(&mut self.engine.prog),
            std::mem::take(&mut self.engine.labels),
        );
        let mut c = compile::Compiler::new(&mut prog, &mut labels);
        c.packages = self.packages.clone();
        c.auto_std = true;
        c.names = self.expr_names.clone();
        let id = c.compile_in_package(&refs, e, file);
        let errs = std::mem::take(&mut c.errors);
        self.engine.prog = prog;
        self.engine.labels = labels;
        if !errs.is_empty() {
            return Err(errs
                .into_iter()
                .map(|(msg, pos)| Error {
                    path: String::new(),
                    msg,
                    pos: vec![self.engine.prog.render_pos(pos)],
                    incomplete: false,
                })
                .collect());
        }
        Ok(id)
    }

    /// Unifies a data document (from `rcue_syntax::data`) into the root,
    /// optionally placed under a path of labels. Call before evaluating.
    pub fn add_data(
        &mut self,
        name: &str,
        text: &str,
        doc: &rcue_syntax::ast::Expr,
    ) -> Result<(), Vec<Error>> {
        let file = self.add_file(name, text);
        let id = self.compile_expr(doc, file)?;
        self.engine.add_conjunct(
            self.root,
            Conjunct {
                kind: CKind::Expr(id),
                env: 0,
                node: 0,
            },
        );
        Ok(())
    }

    /// Checks a data document against the instance (or against the value
    /// of `schema`, an expression in its scope), as `vet` does. Returns
    /// every error; with `concrete`, non-concrete values are errors too.
    pub fn vet_data(
        &mut self,
        schema: Option<&str>,
        name: &str,
        text: &str,
        doc: &rcue_syntax::ast::Expr,
        concrete: bool,
    ) -> Vec<Error> {
        let file = self.add_file(name, text);
        let schema_id = match self.schema_expr(schema) {
            Ok(id) => id,
            Err(e) => return e,
        };
        self.engine.process(self.root);
        // Most documents of a stream are valid: a schema simple enough for
        // `fastcheck` accepts those without evaluating anything.
        if self.fast_vet {
            if let Some(fast) = self.fast_schema(schema) {
                if fast.accepts(doc) {
                    return Vec::new();
                }
            }
        }
        // Everything the document adds is dropped afterwards, so a stream
        // of documents is checked in the memory one of them needs.
        let mark = self.engine.mark();
        let errors = self.vet_one(schema_id, doc, file, concrete);
        self.engine.release(mark);
        errors
    }

    /// The compiled `-d` expression (`None`: the package itself).
    fn schema_expr(&mut self, schema: Option<&str>) -> Result<Option<ir::ExprId>, Vec<Error>> {
        let Some(src) = schema else {
            return Ok(None);
        };
        if let Some(&id) = self.expr_cache.get(src) {
            return Ok(Some(id));
        }
        let id = self.compile_source_expr(src)?;
        self.expr_cache.insert(src.to_string(), id);
        Ok(Some(id))
    }

    /// A quick test that accepts most valid documents for `schema` (a `-d`
    /// expression, or the package) without evaluation, when the schema is
    /// simple enough (see `fastcheck`). It may be used on other threads.
    pub fn fast_schema(&mut self, schema: Option<&str>) -> Option<Arc<fastcheck::FastSchema>> {
        let key = schema.map(str::to_string);
        if let Some(fast) = self.fast_schemas.get(&key) {
            return fast.clone();
        }
        if self.syntax_released {
            return None; // the quick check is read off the syntax
        }
        let fast = match self.schema_expr(schema) {
            Ok(id) => fastcheck::FastSchema::compile(&self.engine, self.root, id).map(Arc::new),
            Err(_) => None,
        };
        self.fast_schemas.insert(key, fast.clone());
        fast
    }

    fn vet_one(
        &mut self,
        schema: Option<ir::ExprId>,
        doc: &rcue_syntax::ast::Expr,
        file: u32,
        concrete: bool,
    ) -> Vec<Error> {
        let data = match self.compile_expr(doc, file) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let v = self.engine.new_vertex(None, None);
        let env = self.engine.new_env(Some(0), EnvKind::Struct(self.root));
        let schema_conjunct = match schema {
            Some(id) => CKind::Expr(id),
            None => CKind::Vertex(self.root),
        };
        self.engine.add_conjunct(
            v,
            Conjunct {
                kind: schema_conjunct,
                env,
                node: 0,
            },
        );
        self.engine.add_conjunct(
            v,
            Conjunct {
                kind: CKind::Expr(data),
                env: 0,
                node: 0,
            },
        );
        match export::export(&mut self.engine, v) {
            Ok(_) => Vec::new(),
            Err(errs) => errs
                .into_iter()
                .map(|e| self.convert(e))
                .filter(|e| concrete || !e.incomplete)
                .collect(),
        }
    }

    /// Evaluates `label`, an expression over the fields of a data document
    /// (`-l 'strings.ToLower(kind)'`), to the label it names.
    pub fn label_of(
        &mut self,
        label: &str,
        name: &str,
        text: &str,
        doc: &rcue_syntax::ast::Expr,
    ) -> Result<String, Vec<Error>> {
        let file = self.add_file(name, text);
        let data = self.compile_expr(doc, file)?;
        let (ast, errs) = rcue_syntax::parse_expr(label, 0);
        if let Some(e) = errs.first() {
            return Err(vec![Error {
                path: String::new(),
                msg: format!("invalid label expression {label:?}: {}", e.message),
                pos: vec![],
                incomplete: false,
            }]);
        }
        let lfile = self.add_file("-l", label);
        // The label expression sees the document's fields, not the package.
        let decls = match &doc.kind {
            rcue_syntax::ast::ExprKind::Struct(s) => s.decls.clone(),
            _ => Vec::new(),
        };
        let scope = rcue_syntax::ast::File {
            attrs: Vec::new(),
            package: None,
            imports: Vec::new(),
            decls,
            comments: Vec::new(),
            span: doc.span,
        };
        let saved = std::mem::replace(&mut self.files, vec![scope]);
        let id = self.compile_expr(&ast, lfile);
        self.files = saved;
        let id = id?;
        let v = self.engine.new_vertex(None, None);
        self.engine.add_conjunct(
            v,
            Conjunct {
                kind: CKind::Expr(data),
                env: 0,
                node: 0,
            },
        );
        self.engine.process(v);
        let env = self.engine.new_env(Some(0), EnvKind::Struct(v));
        let val = self.engine.eval_keep(id, env);
        let val = self.engine.default_of(val);
        match val {
            value::Value::Str(s) => Ok(s.to_string()),
            other => Err(vec![Error {
                path: String::new(),
                msg: format!(
                    "invalid label {label:?}: {} is not a string",
                    meet::describe(&other)
                ),
                pos: vec![],
                incomplete: false,
            }]),
        }
    }

    fn compile_source_expr(&mut self, src: &str) -> Result<ir::ExprId, Vec<Error>> {
        let (ast, errs) = rcue_syntax::parse_expr(src, 0);
        if let Some(e) = errs.first() {
            return Err(vec![Error {
                path: String::new(),
                msg: format!("invalid expression {src:?}: {}", e.message),
                pos: vec![],
                incomplete: false,
            }]);
        }
        let file = self.add_file("-e", src);
        self.compile_expr(&ast, file)
    }

    fn convert(&self, e: export::ExportError) -> Error {
        let mut pos: Vec<Pos> = e.pos.clone();
        pos.sort();
        pos.dedup();
        Error {
            path: e.path,
            msg: e.msg,
            pos: pos
                .into_iter()
                .map(|p| self.engine.prog.render_pos(p))
                .collect(),
            incomplete: e.kind == ErrKind::Incomplete || e.kind == ErrKind::Cycle,
        }
    }

    /// Evaluates an expression in the scope of the instance's package.
    fn eval_expr(&mut self, src: &str) -> Result<value::Value, Vec<Error>> {
        let id = self.compile_source_expr(src)?;
        self.engine.process(self.root);
        let env = self.engine.new_env(Some(0), EnvKind::Struct(self.root));
        Ok(self.engine.eval_keep(id, env))
    }

    /// The field a plain path of identifiers (`a.b.#c`) names, if any.
    fn field_vertex(&mut self, src: &str) -> Option<VId> {
        let segs: Vec<&str> = src.trim().split('.').collect();
        let ident = |s: &str| {
            label::is_identifier(s.strip_prefix("_#").or(s.strip_prefix('#')).unwrap_or(s))
        };
        if !segs.iter().all(|s| ident(s)) {
            return None;
        }
        let mut v = self.root;
        for s in segs {
            self.engine.process(v);
            let here = self.engine.deref(v);
            let l = self.engine.labels.ident(s);
            v = self.engine.arc(here, l)?;
            if self.engine.v[v as usize].arc_type != eval::ArcType::Regular {
                return None;
            }
        }
        Some(v)
    }

    /// Evaluates the instance (or the expression `expr` in its scope) and
    /// exports it as data.
    pub fn export(&mut self, expr: Option<&str>) -> Result<export::Data, Vec<Error>> {
        let result = match expr {
            None => export::export(&mut self.engine, self.root),
            Some(src) => {
                let val = self.eval_expr(src)?;
                let val = self.engine.default_of(val);
                let scalar = !matches!(val, value::Value::Vertex(_));
                let r = export::export_value(&mut self.engine, &val, "");
                match (r, self.field_vertex(src)) {
                    // A failing field path: export the field itself, whose
                    // errors carry their paths and positions.
                    // Its errors only replace the expression's: a
                    // failure stays a failure.
                    (Err(errs), Some(v)) => match export::export(&mut self.engine, v) {
                        Err(better) if !better.is_empty() => Err(better),
                        _ => Err(errs),
                    },
                    // A scalar field's value alone does not show what
                    // export checks of the field (a validator beside it).
                    (Ok(data), Some(v)) if scalar => {
                        export::export(&mut self.engine, v).map(|_| data)
                    }
                    (r, _) => r,
                }
            }
        };
        result.map_err(|errs| errs.into_iter().map(|e| self.convert(e)).collect())
    }

    /// The evaluated value in CUE syntax, as `rcue eval` prints it:
    /// constraints, definitions and errors included; hidden and optional
    /// fields as `opts` says.
    pub fn eval_text(
        &mut self,
        expr: Option<&str>,
        opts: print::Options,
    ) -> Result<String, Vec<Error>> {
        match expr {
            None => {
                self.engine.finalize(self.root);
                Ok(print::print_file(&mut self.engine, self.root, opts))
            }
            Some(src) => {
                let val = self.eval_expr(src)?;
                Ok(print::print_value_with(&mut self.engine, &val, opts) + "\n")
            }
        }
    }

    /// Exports as JSON text, as `rcue export --out json` prints it.
    pub fn export_json(&mut self, expr: Option<&str>) -> Result<String, Vec<Error>> {
        let mut out = String::new();
        self.export_json_into(expr, &mut out)?;
        Ok(out)
    }

    /// Whether the whole instance exports, writing nothing: the errors
    /// `export` would report. Cheaper than exporting: nothing is formatted.
    pub fn check_export(&mut self) -> Result<(), Vec<Error>> {
        export::check_export(&mut self.engine, self.root)
            .map_err(|errs| errs.into_iter().map(|e| self.convert(e)).collect())
    }

    /// The whole instance as JSON text (`export_json`'s), written to `out`
    /// as it is walked, never held whole. On errors `out` has received
    /// part of it: `check_export` first where that matters.
    pub fn export_json_to(&mut self, out: &mut impl export::TextOut) -> Result<(), Vec<Error>> {
        export::export_json_to(&mut self.engine, self.root, out)
            .map_err(|errs| errs.into_iter().map(|e| self.convert(e)).collect())
    }

    /// `export_json`, appended to `out` (left as it was on errors). The
    /// whole instance is written as it is walked, without building its
    /// data first.
    pub fn export_json_into(
        &mut self,
        expr: Option<&str>,
        out: &mut String,
    ) -> Result<(), Vec<Error>> {
        match expr {
            None => export::export_json_into(&mut self.engine, self.root, out)
                .map_err(|errs| errs.into_iter().map(|e| self.convert(e)).collect()),
            Some(_) => {
                out.push_str(&export::to_json(&self.export(expr)?));
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{export, Instance};

    #[test]
    fn released_syntax_still_exports_but_refuses_expressions() {
        let mut inst = Instance::from_sources(&[("a.cue", "#A: {x: int}\na: #A & {x: 1}\n")])
            .expect("compiles");
        assert!(inst.export(Some("a.x")).is_ok());
        inst.release_syntax();
        let data = inst.export(None).expect("the whole instance exports");
        assert_eq!(
            export::to_json(&data),
            "{\n    \"a\": {\n        \"x\": 1\n    }\n}\n"
        );
        let errs = inst
            .export(Some("a.x"))
            .expect_err("no scope to compile in");
        assert!(
            errs[0].msg.contains("syntax was released"),
            "{}",
            errs[0].msg
        );
    }
}
