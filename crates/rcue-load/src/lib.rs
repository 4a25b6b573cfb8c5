//! Loading CUE as the `cue` tool does: command-line arguments name files,
//! package directories or import paths; the module root is found by
//! walking up to `cue.mod/module.cue`; imports resolve to packages of the
//! same module, to `cue.mod/{pkg,gen,usr}`, to dependencies in a module
//! cache directory, or to modules built into the binary; data files
//! (JSON, JSON Lines, YAML) become values with their own positions.
//!
//! Nothing is read outside the module root, the module cache and the
//! files named on the command line; symbolic links that lead elsewhere are
//! refused. There is no network access.

mod module;
mod tags;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rcue_eval::compile::{is_std_package, ExternalPackage};
use rcue_eval::{Error, Instance, PackageInput, ParsedFile};
use rcue_syntax::ast;

pub use module::ModuleFile;

/// A module compiled into the binary (such as the OPM catalog).
#[derive(Clone, Debug)]
pub struct BuiltinModule {
    /// Module path with major version, e.g. `opmodel.dev@v1`.
    pub module: String,
    /// Files by path relative to the module root.
    pub files: Vec<(String, String)>,
}

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The directory relative arguments are resolved against.
    pub dir: PathBuf,
    /// Directory of dependency modules, `<cache>/<module>@<version>/`.
    pub module_cache: Option<PathBuf>,
    pub builtin: Vec<BuiltinModule>,
    /// The package to load from directories holding several (`-p`).
    pub package: Option<String>,
    /// Import paths to load even though no file imports them (so that an
    /// expression may refer to them).
    pub extra_imports: Vec<String>,
    /// Whether `_tool.cue` files are part of packages.
    pub tool_files: bool,
    /// `-t` arguments: `name=value`, or a tag's short form.
    pub tags: Vec<String>,
    /// Fill `@tag(name, var=...)` fields with system values (`-T`):
    /// `now`, `os`, `arch`, `cwd`, `username`, `hostname`, `rand`.
    pub inject_vars: bool,
    /// Leave out the root package's values files (files declaring nothing
    /// but `values`): `mod build -f` replaces them with merged values.
    pub exclude_values_files: bool,
    /// Resource limits: the loader applies the file size limit and hands
    /// the rest to the instance.
    pub limits: rcue_eval::Limits,
}

/// A data file: its name and text; `documents` parses it.
pub struct DataFile {
    pub name: String,
    pub text: String,
    format: Format,
    /// The number of documents, counted once when first asked for.
    count: std::sync::OnceLock<usize>,
}

impl DataFile {
    /// How many documents the file holds (parsing it once to count them).
    pub fn record_count(&self) -> usize {
        *self.count.get_or_init(|| self.documents().count())
    }

    /// The file's documents, in order, each parsed when it is reached (a
    /// YAML stream is never held as trees all at once). A syntax error
    /// ends the sequence.
    pub fn documents(&self) -> Documents<'_> {
        let fail = move |e: rcue_syntax::data::DataError| self.data_error(e);
        match self.format {
            Format::Json => Box::new(std::iter::once(
                rcue_syntax::data::parse_json(&self.text).map_err(fail),
            )),
            Format::JsonLines => match rcue_syntax::data::parse_json_stream(&self.text) {
                Ok(docs) => Box::new(docs.into_iter().map(Ok)),
                Err(e) => Box::new(std::iter::once(Err(fail(e)))),
            },
            _ => Box::new(
                rcue_syntax::data::yaml_documents(&self.text).map(move |d| d.map_err(fail)),
            ),
        }
    }

    /// The file's documents in up to `parts` consecutive runs that can be
    /// parsed at the same time (YAML streams split at document markers;
    /// other formats are one run).
    pub fn document_parts(&self, parts: usize) -> Vec<Documents<'_>> {
        match self.yaml_parts(parts) {
            Some(ranges) => ranges
                .into_iter()
                .map(|range| self.yaml_documents_in(range))
                .collect(),
            None => vec![self.documents()],
        }
    }

    /// For a YAML stream, up to `parts` consecutive ranges of the text
    /// that start at document markers (see `yaml_documents_in`); `None`
    /// for other formats.
    pub fn yaml_parts(&self, parts: usize) -> Option<Vec<std::ops::Range<usize>>> {
        (self.format == Format::Yaml).then(|| rcue_syntax::data::yaml_parts(&self.text, parts))
    }

    /// The documents of the part `range` of a YAML stream, which must
    /// start at a line start.
    pub fn yaml_documents_in(&self, range: std::ops::Range<usize>) -> Documents<'_> {
        let fail = move |e: rcue_syntax::data::DataError| self.data_error(e);
        Box::new(
            rcue_syntax::data::yaml_documents_in(&self.text, range).map(move |d| d.map_err(fail)),
        )
    }

    fn data_error(&self, e: rcue_syntax::data::DataError) -> Vec<Error> {
        let idx = rcue_syntax::LineIndex::new(&self.text);
        let (line, col) = idx.line_col(e.offset as u32);
        let kind = if self.format == Format::Yaml {
            "YAML"
        } else {
            "JSON"
        };
        let name = &self.name;
        vec![err_at(
            format!("invalid {kind} for file {name:?}: {}", e.message),
            format!("{name}:{line}:{col}"),
        )]
    }
}

/// A data file's documents, in order, each parsed when reached.
pub type Documents<'a> = Box<dyn Iterator<Item = Result<ast::Expr, Vec<Error>>> + Send + 'a>;

/// The result of loading: the instance and the data files to unify with
/// it (or to check against it).
pub struct Loaded {
    pub instance: Instance,
    pub data: Vec<DataFile>,
    /// Whether any CUE file or package was named (or implied).
    pub has_cue: bool,
}

fn err(msg: impl Into<String>) -> Error {
    Error {
        path: String::new(),
        msg: msg.into(),
        pos: Vec::new(),
        incomplete: false,
    }
}

fn err_at(msg: impl Into<String>, pos: String) -> Error {
    Error {
        path: String::new(),
        msg: msg.into(),
        pos: vec![pos],
        incomplete: false,
    }
}

/// Data file formats.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Cue,
    Json,
    JsonLines,
    Yaml,
}

fn format_of(path: &str) -> Option<Format> {
    let ext = Path::new(path).extension()?.to_str()?;
    Some(match ext {
        "cue" => Format::Cue,
        "json" => Format::Json,
        "jsonl" | "ldjson" | "ndjson" => Format::JsonLines,
        "yaml" | "yml" => Format::Yaml,
        _ => return None,
    })
}

fn qualifier(arg: &str) -> Option<Format> {
    Some(match arg {
        "cue:" => Format::Cue,
        "json:" => Format::Json,
        "jsonl:" => Format::JsonLines,
        "yaml:" => Format::Yaml,
        _ => return None,
    })
}

/// `args` without their data files, when that loads the same instances
/// (there is a `.cue` file or package among them, and no standard input):
/// for loading an instance again without reading the data again.
pub fn without_data_files(args: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut next_format = None;
    for arg in args {
        if arg == "-" {
            return None;
        }
        if let Some(q) = qualifier(arg) {
            next_format = Some(q);
            continue;
        }
        match next_format.take().or_else(|| format_of(arg)) {
            Some(Format::Cue) | None => out.push(arg.clone()),
            Some(_) => {}
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Where a package directory lives.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Loc {
    Disk(PathBuf),
    /// A directory of a built-in module: module index, relative path.
    Builtin(usize, String),
}

/// A module whose packages imports may name: its path without major
/// version (`example.com/x`), and where its files are.
#[derive(Clone, Debug)]
struct Module {
    path: String,
    root: Loc,
    deps: Vec<(String, String)>,
}

/// Loads what the command-line arguments name as one instance. Arguments
/// that name several packages (`./...`, two directories) are an error
/// here; [`load_instances`] loads each of them.
pub fn load(args: &[String], cfg: &Config) -> Result<Loaded, Vec<Error>> {
    let mut all = load_instances(args, cfg)?;
    if all.len() != 1 {
        return Err(vec![err(format!(
            "the arguments name {} packages where one is expected",
            all.len()
        ))]);
    }
    Ok(all.remove(0))
}

/// Loads what the command-line arguments name: one instance per package
/// argument (after expanding `...` patterns), or a single instance for
/// `.cue` files or data files alone. Data files go with the single
/// instance; they cannot be combined with several packages.
pub fn load_instances(args: &[String], cfg: &Config) -> Result<Vec<Loaded>, Vec<Error>> {
    let mut l = Loader::new(cfg)?;
    let mut cue_files = Vec::new();
    let mut packages = Vec::new();
    let mut data = Vec::new();
    let mut next_format = None;
    for arg in args {
        if let Some(q) = qualifier(arg) {
            next_format = Some(q);
            continue;
        }
        let fmt = next_format.take().or_else(|| format_of(arg));
        match fmt {
            Some(Format::Cue) => cue_files.push(arg.clone()),
            Some(f) => data.push(l.read_data(arg, f)?),
            None if is_package_arg(arg) || is_pattern(arg) => packages.push(arg.clone()),
            None => {
                return Err(vec![err(format!(
                    "{arg}: unknown file extension (use a qualifier such as json: or yaml:)"
                ))])
            }
        }
    }
    if !cue_files.is_empty() && !packages.is_empty() {
        return Err(vec![err(
            "cannot mix .cue files and package arguments (directories or import paths)",
        )]);
    }
    let mut expanded = Vec::new();
    for p in &packages {
        if is_pattern(p) {
            let found = l.expand_pattern(p)?;
            if found.is_empty() {
                return Err(vec![err(format!("pattern {p:?} matched no packages"))]);
            }
            expanded.extend(found);
        } else {
            expanded.push(p.clone());
        }
    }
    if expanded.len() > 1 {
        if !data.is_empty() {
            return Err(vec![err(format!(
                "too many packages defined ({}) in combination with files",
                expanded.len()
            ))]);
        }
        let mut out = Vec::new();
        for p in &expanded {
            let mut li = Loader::new(cfg)?;
            let files = li.package_arg(p)?;
            out.push(li.finish(files, Vec::new(), true)?);
        }
        return Ok(out);
    }
    let has_cue = !cue_files.is_empty() || !expanded.is_empty() || data.is_empty();
    let root_files = if !cue_files.is_empty() {
        l.read_cue_files(&cue_files)?
    } else if let Some(p) = expanded.first() {
        l.package_arg(p)?
    } else if data.is_empty() {
        l.package_arg(".")?
    } else {
        Vec::new()
    };
    Ok(vec![l.finish(root_files, data, has_cue)?])
}

/// A package pattern: a directory or import path with `...` in it
/// (`./...`, `./services/...:api`).
fn is_pattern(arg: &str) -> bool {
    arg.split(':').next().is_some_and(|p| p.contains("..."))
}

/// A file whose declarations are all `values` fields.
fn is_values_file(f: &ast::File) -> bool {
    !f.decls.is_empty()
        && f.decls.iter().all(|d| match d {
            ast::Decl::Field(fd) => {
                matches!(&fd.label.kind, ast::LabelKind::Ident(i) if i.name == "values")
            }
            _ => false,
        })
}

fn is_package_arg(arg: &str) -> bool {
    arg == "."
        || arg == ".."
        || arg.starts_with("./")
        || arg.starts_with("../")
        || arg.starts_with('/')
        || arg.starts_with(".:")
        || arg.split('/').next().is_some_and(|h| h.contains('.'))
}

struct Loader<'a> {
    cfg: &'a Config,
    cwd: PathBuf,
    /// The main module, when the working directory is inside one.
    main: Option<Module>,
    /// Canonical roots files may be read from.
    allowed: Vec<PathBuf>,
    deps: Vec<PackageInput>,
    imports: HashMap<String, ExternalPackage>,
    /// Keys of packages loaded or being loaded, and the import stack.
    loaded: HashMap<String, ()>,
    stack: Vec<(String, String)>,
}

impl<'a> Loader<'a> {
    fn new(cfg: &'a Config) -> Result<Loader<'a>, Vec<Error>> {
        let cwd = canonical(if cfg.dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &cfg.dir
        });
        let mut l = Loader {
            cfg,
            cwd: cwd.clone(),
            main: None,
            allowed: Vec::new(),
            deps: Vec::new(),
            imports: HashMap::new(),
            loaded: HashMap::new(),
            stack: Vec::new(),
        };
        if let Some(root) = find_module_root(&cwd) {
            let mf = module::read_module_file(&root, &l.display(&root.join("cue.mod/module.cue")))?;
            l.allowed.push(canonical(&root));
            l.main = Some(Module {
                path: strip_major(&mf.module).to_string(),
                root: Loc::Disk(root),
                deps: mf.deps,
            });
        } else {
            l.allowed.push(canonical(&cwd));
        }
        if let Some(c) = &cfg.module_cache {
            l.allowed.push(canonical(c));
        }
        Ok(l)
    }

    /// Builds the instance of `root_files`: extra imports, values-file
    /// exclusion, `@tag` injection, then every import.
    fn finish(
        mut self,
        mut root_files: Vec<ParsedFile>,
        data: Vec<DataFile>,
        has_cue: bool,
    ) -> Result<Loaded, Vec<Error>> {
        let cfg = self.cfg;
        for imp in &cfg.extra_imports {
            self.resolve_import(imp, None)?;
        }
        if cfg.exclude_values_files {
            root_files.retain(|f| !is_values_file(&f.ast));
        }
        tags::apply(&mut root_files, &cfg.tags, cfg.inject_vars)?;
        self.resolve_imports_of(&root_files)?;
        let mut instance = Instance::build(root_files, self.deps, self.imports)?;
        instance.engine.set_limits(cfg.limits.clone());
        Ok(Loaded {
            instance,
            data,
            has_cue,
        })
    }

    /// The packages a `...` pattern matches, as package arguments
    /// (`./dir:name`), in directory order: every directory at or below
    /// the pattern's, except `cue.mod`, directories whose names start with
    /// `.` or `_`, and nested modules. Without a qualifier (`:name` or
    /// `-p`) each directory may hold one package; `*` takes them all.
    fn expand_pattern(&self, arg: &str) -> Result<Vec<String>, Vec<Error>> {
        let (path, qual) = match arg.rsplit_once(':') {
            Some((p, q)) if !q.contains('/') => (p, Some(q.to_string())),
            _ => (arg, None),
        };
        let qual = qual.or_else(|| self.cfg.package.clone());
        if qual.as_deref() == Some("_") {
            return Err(vec![err(format!(
                "not supported yet: the _ qualifier in package patterns ({arg:?})"
            ))]);
        }
        let before = &path[..path.find("...").unwrap_or(path.len())];
        let dir = match before.rfind('/') {
            Some(i) => &before[..=i],
            None => "",
        };
        let start = if dir.starts_with('.') || dir.starts_with('/') || dir.is_empty() {
            self.cwd.join(dir)
        } else {
            // An import path pattern: only within the main module.
            let inside = self.main.as_ref().and_then(|m| match &m.root {
                Loc::Disk(root) => sub_path(dir.trim_end_matches('/'), &m.path).map(|rest| {
                    if rest.is_empty() {
                        root.clone()
                    } else {
                        root.join(rest)
                    }
                }),
                Loc::Builtin(..) => None,
            });
            match inside {
                Some(d) => d,
                None => {
                    return Err(vec![err(format!(
                        "pattern not allowed in external package path {arg:?}"
                    ))])
                }
            }
        };
        if !start.is_dir() {
            return Err(vec![err(format!(
                "cannot find package {arg:?}: no such directory"
            ))]);
        }
        let root = match &self.main {
            Some(Module {
                root: Loc::Disk(r), ..
            }) => canonical(r),
            _ => self.cwd.clone(),
        };
        if !canonical(&start).starts_with(&root) {
            return Err(vec![err(format!(
                "pattern {arg} refers to directory {}, outside the module root {}",
                self.display(&start),
                root.display()
            ))]);
        }
        let mut out = Vec::new();
        self.walk_packages(&start, true, qual.as_deref(), &root, &mut out, 0)?;
        Ok(out)
    }

    fn walk_packages(
        &self,
        dir: &Path,
        top: bool,
        qual: Option<&str>,
        root: &Path,
        out: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Vec<Error>> {
        if depth > 256 {
            return Err(vec![err(format!(
                "{}: directories nested too deeply",
                self.display(dir)
            ))]);
        }
        let rd =
            std::fs::read_dir(dir).map_err(|e| vec![err(format!("{}: {e}", self.display(dir)))])?;
        let mut subdirs = Vec::new();
        for e in rd.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().into_owned();
            // Symbolic links to directories are not followed, as in cue.
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if name == "cue.mod" && !top {
                    return Ok(()); // a nested module
                }
                if name != "cue.mod" && !name.starts_with('.') && !name.starts_with('_') {
                    subdirs.push(e.path());
                }
            }
        }
        subdirs.sort();
        let files = self.list_dir(&Loc::Disk(dir.to_path_buf()))?;
        let mut names: Vec<(&str, &str)> = Vec::new();
        for f in &files {
            let Some(p) = f.ast.package.as_ref().map(|p| p.name.as_str()) else {
                continue;
            };
            let selected = match qual {
                None | Some("*") => p != "_",
                Some(q) => p == q,
            };
            if !selected || names.iter().any(|(n, _)| *n == p) {
                continue;
            }
            let base = f.name.rsplit('/').next().unwrap_or(&f.name);
            if let (None, Some((first, first_file))) = (qual, names.first()) {
                let rel = canonical(dir);
                let rel = rel.strip_prefix(root).unwrap_or(&rel).display().to_string();
                return Err(vec![err(format!(
                    "found packages {first:?} ({first_file}) and {p} ({base}) in {:?}",
                    if rel.is_empty() { "." } else { rel.as_str() }
                ))]);
            }
            names.push((p, base));
        }
        let shown = match self.display(dir).as_str() {
            "./" => ".".to_string(),
            s => s.trim_end_matches('/').to_string(),
        };
        for (n, _) in names {
            out.push(format!("{shown}:{n}"));
        }
        for d in subdirs {
            self.walk_packages(&d, false, qual, root, out, depth + 1)?;
        }
        Ok(())
    }

    /// How a path prints in errors: `./x.cue` below the working directory.
    fn display(&self, p: &Path) -> String {
        let rel = p.strip_prefix(&self.cwd).unwrap_or(p);
        let s = rel.display().to_string();
        if rel.is_relative() && !s.starts_with("./") && !s.starts_with("../") {
            format!("./{s}")
        } else {
            s
        }
    }

    fn read(&self, path: &Path, named: bool) -> Result<String, Vec<Error>> {
        let shown = self.display(path);
        if !named {
            let c = canonical(path);
            if !self.allowed.iter().any(|a| c.starts_with(a)) {
                return Err(vec![err(format!(
                    "{shown}: refusing to read a file outside the module (a symbolic link leads elsewhere)"
                ))]);
            }
        }
        let io = |e: std::io::Error| vec![err(format!("{shown}: {e}"))];
        // Refuse an oversized file before reading any of it.
        let max = self.cfg.limits.max_file_bytes;
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > max {
            return Err(vec![err(format!(
                "{shown}: file too large: {size} bytes (limit {max}, --max-file-size)"
            ))]);
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(std::fs::File::open(path).map_err(io)?, max + 1),
            &mut bytes,
        )
        .map_err(io)?;
        if bytes.len() as u64 > max {
            return Err(vec![err(format!(
                "{shown}: file too large: more than {max} bytes (--max-file-size)"
            ))]);
        }
        String::from_utf8(bytes).map_err(|e| {
            vec![err(format!(
                "{shown}: invalid UTF-8 at byte {}",
                e.utf8_error().valid_up_to()
            ))]
        })
    }

    fn read_data(&self, arg: &str, fmt: Format) -> Result<DataFile, Vec<Error>> {
        let path = self.cwd.join(arg);
        let name = self.display(&path);
        let text = self.read(&path, true)?;
        Ok(DataFile {
            name,
            text,
            format: fmt,
            count: std::sync::OnceLock::new(),
        })
    }

    fn read_cue_files(&self, files: &[String]) -> Result<Vec<ParsedFile>, Vec<Error>> {
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for f in files {
            let path = self.cwd.join(f);
            let name = self.display(&path);
            let text = self.read(&path, true)?;
            match rcue_eval::parse(&name, &text) {
                Ok(p) => out.push(p),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let names: Vec<&str> = out
            .iter()
            .filter_map(|f| f.ast.package.as_ref().map(|p| p.name.as_str()))
            .collect();
        if let Some(first) = names.first() {
            if let Some(other) = names.iter().find(|n| *n != first) {
                return Err(vec![err(format!(
                    "found packages {first:?} and {other:?} among the files given"
                ))]);
            }
        }
        Ok(out)
    }

    /// A directory or import path given on the command line.
    fn package_arg(&mut self, arg: &str) -> Result<Vec<ParsedFile>, Vec<Error>> {
        let (path, pkg) = match arg.rsplit_once(':') {
            Some((p, q)) if !q.contains('/') => (if p.is_empty() { "." } else { p }, Some(q)),
            _ => (arg, None),
        };
        if path.ends_with("...") {
            return Err(vec![err(format!(
                "not supported yet: package patterns such as {arg:?}"
            ))]);
        }
        let pkg = pkg.map(str::to_string).or_else(|| self.cfg.package.clone());
        if path.starts_with('.') || path.starts_with('/') {
            let dir = self.cwd.join(path);
            if !dir.is_dir() {
                return Err(vec![err(format!(
                    "cannot find package {arg:?}: no such directory"
                ))]);
            }
            self.directory_package(&dir, pkg.as_deref(), arg)
        } else {
            // An import path named on the command line.
            let key = self.resolve_import(arg, None)?;
            let pos = self.deps.iter().position(|p| p.key == key);
            match pos {
                Some(i) => Ok(self.deps.remove(i).files),
                None => Err(vec![err(format!("cannot find package {arg:?}"))]),
            }
        }
    }

    /// The files of one package in a directory on disk, with the files of
    /// the same package in its parent directories up to the module root.
    fn directory_package(
        &mut self,
        dir: &Path,
        pkg: Option<&str>,
        arg: &str,
    ) -> Result<Vec<ParsedFile>, Vec<Error>> {
        let mut dirs = vec![dir.to_path_buf()];
        if let Some(Module {
            root: Loc::Disk(root),
            ..
        }) = &self.main
        {
            let (croot, cdir) = (canonical(root), canonical(dir));
            if cdir.starts_with(&croot) {
                let mut d = dir.to_path_buf();
                while canonical(&d) != croot {
                    match d.parent() {
                        Some(p) => {
                            d = if p.as_os_str().is_empty() {
                                PathBuf::from(".")
                            } else {
                                p.to_path_buf()
                            };
                            dirs.push(d.clone());
                        }
                        None => break,
                    }
                    if dirs.len() > 256 {
                        break;
                    }
                }
            }
        }
        dirs.reverse();
        let here = self.list_dir(&Loc::Disk(dir.to_path_buf()))?;
        let name = choose_package(&here, pkg, arg)?;
        if let Some(n) = &name {
            // Importing the package being loaded is a cycle too.
            let key = format!("{}:{n}", location_key(&Loc::Disk(dir.to_path_buf())));
            self.stack.push((key, arg.to_string()));
        }
        let mut files = Vec::new();
        for d in &dirs {
            let parent;
            let source: &[ParsedFile] = if d == dir {
                &here
            } else {
                parent = self.list_dir(&Loc::Disk(d.clone()))?;
                &parent
            };
            for f in source {
                let fpkg = f.ast.package.as_ref().map(|p| p.name.as_str());
                let keep = match (&name, fpkg) {
                    (Some(n), Some(p)) => n == p,
                    (None, None) => d == dir,
                    _ => false,
                };
                if keep {
                    files.push(ParsedFile {
                        name: f.name.clone(),
                        text: f.text.clone(),
                        ast: f.ast.clone(),
                    });
                }
            }
        }
        Ok(files)
    }

    /// Every CUE file of a directory that belongs in packages (not hidden,
    /// not a test file, not a tool file unless asked), parsed.
    fn list_dir(&self, loc: &Loc) -> Result<Vec<ParsedFile>, Vec<Error>> {
        let mut entries: Vec<(String, String)> = Vec::new();
        match loc {
            Loc::Disk(dir) => {
                let rd = std::fs::read_dir(dir)
                    .map_err(|e| vec![err(format!("{}: {e}", self.display(dir)))])?;
                let mut names: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect();
                names.sort();
                for p in names {
                    let file = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    if !self.wanted(file) {
                        continue;
                    }
                    let text = self.read(&p, false)?;
                    entries.push((self.display(&p), text));
                }
            }
            Loc::Builtin(m, rel) => {
                let module = &self.cfg.builtin[*m];
                let mut files: Vec<&(String, String)> = module
                    .files
                    .iter()
                    .filter(|(p, _)| {
                        let (d, f) = p.rsplit_once('/').unwrap_or(("", p));
                        d == rel && self.wanted(f)
                    })
                    .collect();
                files.sort();
                for (p, text) in files {
                    entries.push((format!("{}/{p}", module.module), text.clone()));
                }
            }
        }
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in entries {
            match rcue_eval::parse(&name, &text) {
                Ok(f) => out.push(f),
                Err(e) => errors.extend(e),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    fn wanted(&self, file: &str) -> bool {
        file.ends_with(".cue")
            && !file.starts_with('.')
            && !file.starts_with('_')
            && !file.ends_with("_test.cue")
            && (self.cfg.tool_files || !file.ends_with("_tool.cue"))
    }

    /// Resolves the non-standard imports of `files`, recursively.
    fn resolve_imports_of(&mut self, files: &[ParsedFile]) -> Result<(), Vec<Error>> {
        for f in files {
            for imp in &f.ast.imports {
                let path = imp.path.split(':').next().unwrap_or(&imp.path);
                if is_std_package(path) {
                    continue;
                }
                let idx = rcue_syntax::LineIndex::new(&f.text);
                let (line, col) = idx.line_col(imp.path_span.start);
                let at = format!("{}:{line}:{col}", f.name);
                self.resolve_import(&imp.path, Some(at))?;
            }
        }
        Ok(())
    }

    /// Finds, loads and registers the package an import path names;
    /// returns its key.
    fn resolve_import(&mut self, spec: &str, at: Option<String>) -> Result<String, Vec<Error>> {
        let (path, qual) = match spec.split_once(':') {
            Some((p, q)) => (p, Some(q)),
            None => (spec, None),
        };
        if is_std_package(path) {
            return Ok(path.to_string());
        }
        let bare = strip_major(path);
        let default_name = bare.rsplit('/').next().unwrap_or(bare).to_string();
        let name = qual.map(str::to_string).unwrap_or(default_name);
        let fail = |msg: String| {
            let e = match &at {
                Some(p) => err_at(msg, p.clone()),
                None => err(msg),
            };
            vec![e]
        };
        let Some(loc) = self.locate(bare) else {
            return Err(fail(format!(
                "import failed: cannot find package {path:?}: not in the main module, cue.mod/pkg, the module cache or the built-in modules"
            )));
        };
        let key = format!("{}:{name}", location_key(&loc));
        self.imports.insert(
            path.to_string(),
            ExternalPackage {
                key: key.as_str().into(),
                name: name.clone(),
            },
        );
        if let Some(i) = self.stack.iter().position(|(k, _)| *k == key) {
            let mut cycle: Vec<&str> = self.stack[i..].iter().map(|(_, s)| s.as_str()).collect();
            cycle.push(path);
            return Err(fail(format!(
                "import cycle not allowed: {}",
                cycle.join(" imports ")
            )));
        }
        if self.loaded.contains_key(&key) {
            return Ok(key);
        }
        self.loaded.insert(key.clone(), ());
        let all = self.list_dir(&loc)?;
        let files: Vec<ParsedFile> = all
            .into_iter()
            .filter(|f| f.ast.package.as_ref().is_some_and(|p| p.name == name))
            .collect();
        if files.is_empty() {
            return Err(fail(format!(
                "import failed: cannot find package {path:?}: no files of package {name:?} in its directory"
            )));
        }
        self.stack.push((key.clone(), path.to_string()));
        let r = self.resolve_imports_of(&files);
        self.stack.pop();
        r?;
        self.deps.push(PackageInput {
            key: key.clone(),
            files,
        });
        Ok(key)
    }

    /// The directory of the package an import path (without major
    /// version) names.
    fn locate(&self, path: &str) -> Option<Loc> {
        if let Some(m) = &self.main {
            if let Some(rest) = sub_path(path, &m.path) {
                return self.join(&m.root, rest);
            }
            if let Loc::Disk(root) = &m.root {
                for d in ["cue.mod/pkg", "cue.mod/gen", "cue.mod/usr"] {
                    let p = root.join(d).join(path);
                    if p.is_dir() {
                        return Some(Loc::Disk(p));
                    }
                }
            }
        }
        // Dependencies: the longest module path that prefixes the import.
        let deps = self
            .main
            .as_ref()
            .map(|m| m.deps.clone())
            .unwrap_or_default();
        let mut best: Option<(&str, &str)> = None;
        for (module, version) in &deps {
            let mpath = strip_major(module);
            if sub_path(path, mpath).is_some() && best.is_none_or(|(b, _)| mpath.len() > b.len()) {
                best = Some((mpath, version));
            }
        }
        if let (Some((mpath, version)), Some(cache)) = (best, &self.cfg.module_cache) {
            let root = cache.join(format!("{mpath}@{version}"));
            if root.is_dir() {
                return self.join(&Loc::Disk(root), sub_path(path, mpath)?);
            }
        }
        for (i, b) in self.cfg.builtin.iter().enumerate() {
            let mpath = strip_major(&b.module);
            if let Some(rest) = sub_path(path, mpath) {
                return self.join(&Loc::Builtin(i, String::new()), rest);
            }
        }
        None
    }

    fn join(&self, root: &Loc, rest: &str) -> Option<Loc> {
        match root {
            Loc::Disk(r) => {
                let p = if rest.is_empty() {
                    r.clone()
                } else {
                    r.join(rest)
                };
                p.is_dir().then_some(Loc::Disk(p))
            }
            Loc::Builtin(i, _) => {
                let prefix = format!("{rest}/");
                let exists = self.cfg.builtin[*i].files.iter().any(|(p, _)| {
                    if rest.is_empty() {
                        !p.contains('/')
                    } else {
                        p.starts_with(&prefix) && !p[prefix.len()..].contains('/')
                    }
                });
                exists.then(|| Loc::Builtin(*i, rest.to_string()))
            }
        }
    }
}

/// Chooses which package of a directory to load.
fn choose_package(
    files: &[ParsedFile],
    wanted: Option<&str>,
    arg: &str,
) -> Result<Option<String>, Vec<Error>> {
    let mut names: Vec<&str> = files
        .iter()
        .filter_map(|f| f.ast.package.as_ref().map(|p| p.name.as_str()))
        .filter(|n| *n != "_")
        .collect();
    names.sort();
    names.dedup();
    if let Some(w) = wanted {
        if names.contains(&w) {
            return Ok(Some(w.to_string()));
        }
        return Err(vec![err(format!(
            "cannot find package {w:?} in {arg:?} (found: {})",
            names.join(", ")
        ))]);
    }
    match names.as_slice() {
        [] if files.is_empty() => Err(vec![err(format!("no CUE files in {arg:?}"))]),
        [] => Ok(None),
        [one] => Ok(Some(one.to_string())),
        many => Err(vec![err(format!(
            "found packages {} in {arg:?}: choose one with -p or {arg}:NAME",
            many.join(" and ")
        ))]),
    }
}

/// `rest` when `path` is `module` or lies below it.
fn sub_path<'p>(path: &'p str, module: &str) -> Option<&'p str> {
    if path == module {
        Some("")
    } else {
        path.strip_prefix(module)?.strip_prefix('/')
    }
}

/// `example.com/x@v1` → `example.com/x`.
fn strip_major(path: &str) -> &str {
    match path.rsplit_once('@') {
        Some((p, v)) if !v.contains('/') => p,
        _ => path,
    }
}

fn location_key(loc: &Loc) -> String {
    match loc {
        Loc::Disk(p) => canonical(p).display().to_string(),
        Loc::Builtin(i, rel) => format!("builtin{i}/{rel}"),
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The nearest directory at or above `dir` holding `cue.mod/module.cue`
/// (or a legacy `cue.mod` directory).
pub fn find_module_root(dir: &Path) -> Option<PathBuf> {
    let start = canonical(dir);
    let mut d: &Path = &start;
    loop {
        if d.join("cue.mod").is_dir() {
            // Keep the caller's spelling when the root is the directory itself.
            return Some(if d == start {
                dir.to_path_buf()
            } else {
                d.to_path_buf()
            });
        }
        d = d.parent()?;
    }
}
