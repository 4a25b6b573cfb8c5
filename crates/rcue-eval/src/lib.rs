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
pub mod ir;
pub mod label;
pub mod meet;
pub mod num;
pub mod ops;
pub mod print;
pub mod stdlib;
pub mod value;

use eval::{CKind, Conjunct, Engine, EnvKind};
use ir::{Pos, Program};
use label::Interner;
use value::{ErrKind, VId};

/// Largest string or bytes value an operation may build.
pub const MAX_STRING_BYTES: usize = 256 << 20;
/// Largest list a builtin (`list.Range`, `list.Repeat`) may build.
pub const MAX_LIST_ELEMS: usize = 10_000_000;

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

/// A compiled and evaluable CUE instance (one package's files).
pub struct Instance {
    pub engine: Engine,
    pub root: VId,
    files: Vec<rcue_syntax::ast::File>,
}

impl Instance {
    /// Parses and compiles the files of one package. Syntax and reference
    /// errors are returned all at once.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Instance, Vec<Error>> {
        let mut prog = Program::default();
        let mut labels = Interner::default();
        let mut errors = Vec::new();
        let mut files = Vec::new();
        for (i, (name, src)) in sources.iter().enumerate() {
            let (file, errs) = rcue_syntax::parse_file(src);
            let idx = rcue_syntax::LineIndex::new(src);
            for e in &errs {
                let (l, c) = idx.line_col(e.span.start);
                errors.push(Error {
                    path: String::new(),
                    msg: e.message.clone(),
                    pos: vec![format!("{name}:{l}:{c}")],
                    incomplete: false,
                });
            }
            prog.files.push((name.to_string(), idx));
            files.push((i as u32, file));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let refs: Vec<(u32, &rcue_syntax::ast::File)> =
            files.iter().map(|(i, f)| (*i, f)).collect();
        let mut c = compile::Compiler::new(&mut prog, &mut labels);
        let roots = c.compile_package(&refs);
        for (msg, pos) in std::mem::take(&mut c.errors) {
            errors.push(Error {
                path: String::new(),
                msg,
                pos: vec![prog.render_pos(pos)],
                incomplete: false,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut engine = Engine::new(prog, labels);
        let root = engine.new_vertex(None, None);
        for r in roots {
            engine.add_conjunct(
                root,
                Conjunct {
                    kind: CKind::Expr(r),
                    env: 0,
                    node: 0,
                },
            );
        }
        Ok(Instance {
            engine,
            root,
            files: files.into_iter().map(|(_, f)| f).collect(),
        })
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
        let (ast, errs) = rcue_syntax::parse_expr(src, 0);
        if let Some(e) = errs.first() {
            return Err(vec![Error {
                path: String::new(),
                msg: format!("invalid expression {src:?}: {}", e.message),
                pos: vec![],
                incomplete: false,
            }]);
        }
        let file = self.engine.prog.files.len() as u32;
        self.engine
            .prog
            .files
            .push(("-e".to_string(), rcue_syntax::LineIndex::new(src)));
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
        let id = c.compile_in_package(&refs, &ast, file);
        let errs = std::mem::take(&mut c.errors);
        self.engine.prog = prog;
        self.engine.labels = labels;
        if let Some((msg, pos)) = errs.into_iter().next() {
            return Err(vec![Error {
                path: String::new(),
                msg,
                pos: vec![self.engine.prog.render_pos(pos)],
                incomplete: false,
            }]);
        }
        self.engine.process(self.root);
        let env = self.engine.new_env(Some(0), EnvKind::Struct(self.root));
        Ok(self.engine.eval_keep(id, env))
    }

    /// Evaluates the instance (or the expression `expr` in its scope) and
    /// exports it as data.
    pub fn export(&mut self, expr: Option<&str>) -> Result<export::Data, Vec<Error>> {
        let result = match expr {
            None => export::export(&mut self.engine, self.root),
            Some(src) => {
                let val = self.eval_expr(src)?;
                let val = self.engine.default_of(val);
                export::export_value(&mut self.engine, &val, "")
            }
        };
        result.map_err(|errs| errs.into_iter().map(|e| self.convert(e)).collect())
    }

    /// The evaluated value in CUE syntax, as `rcue eval` prints it:
    /// constraints, definitions, optional fields and errors included.
    pub fn eval_text(
        &mut self,
        expr: Option<&str>,
        show_hidden: bool,
    ) -> Result<String, Vec<Error>> {
        match expr {
            None => {
                self.engine.finalize(self.root);
                Ok(print::print_file(&mut self.engine, self.root, show_hidden))
            }
            Some(src) => {
                let val = self.eval_expr(src)?;
                Ok(print::print_value(&mut self.engine, &val) + "\n")
            }
        }
    }

    /// Exports as JSON text, as `rcue export --out json` prints it.
    pub fn export_json(&mut self, expr: Option<&str>) -> Result<String, Vec<Error>> {
        self.export(expr).map(|d| export::to_json(&d))
    }
}
