//! Arguments every evaluating command shares: what to load and how to
//! place data files.

use std::mem::ManuallyDrop;
use std::path::PathBuf;

use rcue_load::{Config, DataFile, Loaded};

use crate::{EXIT_ERRORS, EXIT_USAGE};

#[derive(clap::Args, Clone, Debug, Default)]
pub struct LoadArgs {
    /// Package to load from directories holding several.
    #[arg(short = 'p', long = "package")]
    pub package: Option<String>,
    /// Directory of dependency modules (default: $RCUE_MODULE_CACHE).
    #[arg(long = "module-cache")]
    pub module_cache: Option<PathBuf>,
    /// Place each data document under this label path; repeat for a
    /// deeper path. Each is an expression over the document's fields
    /// (`-l 'strings.ToLower(kind)' -l metadata.name`), or a literal label
    /// written `name:` or `'"name"'`.
    #[arg(short = 'l', long = "path")]
    pub path: Vec<String>,
    /// Set a tagged field (`@tag(name)`): `-t name=value`, or a short
    /// form the tag declares (`-t prod`).
    #[arg(short = 't', long = "inject")]
    pub tags: Vec<String>,
    #[command(flatten)]
    pub limits: super::limits::LimitArgs,
    /// Fill `@tag(name, var=...)` fields with system values: now, os,
    /// arch, cwd, username, hostname, rand.
    #[arg(short = 'T', long = "inject-vars")]
    pub inject_vars: bool,
    /// Let -l expressions refer to `data` (the document), `filename`,
    /// `index` (of the document in its file) and `recordCount`.
    #[arg(long = "with-context")]
    pub with_context: bool,
    /// Files (.cue, .json, .jsonl, .yaml), package directories or import
    /// paths; `json:`/`yaml:`/`jsonl:` before a file sets its format.
    pub args: Vec<String>,
}

impl LoadArgs {
    pub fn config(&self) -> Config {
        Config {
            dir: PathBuf::from("."),
            module_cache: self
                .module_cache
                .clone()
                .or_else(|| std::env::var_os("RCUE_MODULE_CACHE").map(PathBuf::from)),
            builtin: crate::builtin_modules(),
            package: self.package.clone(),
            extra_imports: Vec::new(),
            tool_files: false,
            exclude_values_files: false,
            tags: self.tags.clone(),
            limits: self.limits.limits(),
            inject_vars: self.inject_vars,
        }
    }

    /// Loads the arguments: one instance per package they name (`./...`
    /// may name many). Reports errors and returns the exit status on
    /// failure. The instances are never dropped: the process exits next,
    /// and freeing millions of vertices one by one would only cost time.
    pub fn load(&self) -> Result<ManuallyDrop<Vec<Loaded>>, u8> {
        if self.with_context && self.path.is_empty() {
            eprintln!("--with-context must be used with -l/--path");
            return Err(EXIT_USAGE);
        }
        rcue_load::load_instances(&self.args, &self.config())
            .map(ManuallyDrop::new)
            .map_err(|errors| {
                super::export::report(&errors);
                EXIT_ERRORS
            })
    }

    /// The instances again, without their data files and without
    /// reporting errors: for threads that need instances of their own
    /// after the main thread loaded them. `None` when a second load could
    /// differ from the first (standard input, `-T` values such as `now`
    /// and `rand`, data files alone) or fails.
    pub fn load_again(&self) -> Option<ManuallyDrop<Vec<Loaded>>> {
        if self.inject_vars {
            return None;
        }
        let args = rcue_load::without_data_files(&self.args)?;
        rcue_load::load_instances(&args, &self.config())
            .ok()
            .map(ManuallyDrop::new)
    }

    /// Wraps document `index` of a data file in the `-l` label path
    /// computed for it.
    pub fn place(
        &self,
        loaded: &mut Loaded,
        file: &DataFile,
        index: usize,
        doc: rcue_syntax::ast::Expr,
    ) -> Result<rcue_syntax::ast::Expr, Vec<rcue_eval::Error>> {
        // With --with-context the expressions see the document as `data`
        // beside facts about where it came from.
        let context;
        let scope = if self.with_context {
            let span = doc.span;
            let int = |n: usize| {
                rcue_syntax::ast::Expr::new(rcue_syntax::ast::ExprKind::Int(n.to_string()), span)
            };
            let name = rcue_syntax::ast::Expr::new(
                rcue_syntax::ast::ExprKind::String(rcue_syntax::data::string_lit(
                    file.name.clone(),
                    span,
                )),
                span,
            );
            context = rcue_syntax::data::object(
                vec![
                    ("data".into(), doc.clone()),
                    ("filename".into(), name),
                    ("index".into(), int(index)),
                    ("recordCount".into(), int(file.record_count())),
                ],
                span,
            );
            &context
        } else {
            &doc
        };
        let mut labels = Vec::new();
        for l in &self.path {
            labels.push(label_text(l).map_or_else(
                || loaded.instance.label_of(l, &file.name, &file.text, scope),
                Ok,
            )?);
        }
        let mut out = doc;
        for l in labels.into_iter().rev() {
            out = rcue_syntax::data::wrap(l, out);
        }
        Ok(out)
    }

    /// Loads the arguments and unifies their data files into the instance
    /// (`export`, `eval`).
    pub fn load_with_data(&self) -> Result<ManuallyDrop<Vec<Loaded>>, u8> {
        let mut all = self.load()?;
        for loaded in all.iter_mut() {
            self.add_data(loaded)?;
        }
        Ok(all)
    }

    /// Adds every data document to the instance (`export`, `eval`).
    pub fn add_data(&self, loaded: &mut Loaded) -> Result<(), u8> {
        let files = std::mem::take(&mut loaded.data);
        for f in &files {
            for (i, doc) in f.documents().enumerate() {
                let placed = doc.and_then(|doc| self.place(loaded, f, i, doc));
                let r = placed.and_then(|d| loaded.instance.add_data(&f.name, &f.text, &d));
                if let Err(errors) = r {
                    super::export::report(&errors);
                    return Err(EXIT_ERRORS);
                }
            }
        }
        loaded.data = files;
        Ok(())
    }
}

/// A `-l` argument that is a literal label rather than an expression over
/// the document: a quoted string, or a label followed by `:`.
fn label_text(l: &str) -> Option<String> {
    if let Some(bare) = l.strip_suffix(':') {
        return Some(bare.trim_matches('"').to_string());
    }
    if l.len() >= 2 && l.starts_with('"') && l.ends_with('"') && !l.contains("\\(") {
        return Some(l[1..l.len() - 1].to_string());
    }
    None
}
