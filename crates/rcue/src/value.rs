//! `Context` and `Value`: the embedding API over `rcue_eval::Instance`.
//!
//! A [`Value`] is an instance (shared, evaluated lazily) plus a CUE
//! expression in the scope of its package: `None` for the package itself,
//! `a.b` after a lookup, `(x) & (y)` after a unification. Every operation
//! evaluates that expression; nothing is copied out of the engine until a
//! result is asked for.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use rcue_eval::export::Data;
use rcue_eval::Instance;

use crate::error::{Error, Issue};

/// Builds a fresh instance equal to the one a value was made from, so a
/// unification at the top level does not change values already handed out.
type Rebuild = Rc<dyn Fn() -> Result<Instance, Vec<rcue_eval::Error>>>;

struct Shared {
    inst: RefCell<Instance>,
    rebuild: Rebuild,
}

/// Entry point of the embedding API: compiles CUE, loads packages and
/// modules, and encodes Rust values.
///
/// A context holds only settings (the module cache); values do not borrow
/// it and stay valid after it is dropped.
///
/// ```
/// let ctx = rcue::Context::new();
/// let v = ctx.compile("a: 1 + 2\nb: a * 2\n")?;
/// assert_eq!(v.lookup("b")?.to_json()?, "6\n");
/// # Ok::<(), rcue::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Context {
    module_cache: Option<std::path::PathBuf>,
    limits: rcue_eval::Limits,
}

impl Context {
    /// A context with no module cache: imports resolve to the module's own
    /// packages, `cue.mod/{pkg,gen,usr}` and the built-in OPM catalog.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// assert!(ctx.compile("x: 1").is_ok());
    /// ```
    pub fn new() -> Context {
        Context::default()
    }

    /// Sets the directory of dependency modules (`<module>@<version>/`),
    /// as `--module-cache` does for the command.
    ///
    /// ```
    /// let ctx = rcue::Context::new().with_module_cache("/nonexistent/cache");
    /// assert!(ctx.compile("x: 1").is_ok());
    /// ```
    pub fn with_module_cache(mut self, dir: impl AsRef<Path>) -> Context {
        self.module_cache = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Sets the resource limits of every evaluation started from this
    /// context: values created, disjunct combinations, steps, time,
    /// memory, sizes of built strings and lists, and of files read.
    /// Exceeding one is an error, never a crash.
    ///
    /// ```
    /// let limits = rcue::Limits { max_steps: 1_000, ..Default::default() };
    /// let ctx = rcue::Context::new().with_limits(limits);
    /// let v = ctx.compile("import \"list\"\nx: [for i in list.Range(0, 100000, 1) {a: i}]")?;
    /// let err = v.to_json().unwrap_err();
    /// assert!(err.to_string().contains("more than 1000 steps"), "{err}");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn with_limits(mut self, limits: rcue_eval::Limits) -> Context {
        self.limits = limits;
        self
    }

    /// Compiles one CUE source text (a file of one package, without
    /// imports of other files). Syntax and reference errors come back all
    /// at once; evaluation happens later, when a result is asked for.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// let v = ctx.compile("name: \"app\"\nreplicas: *1 | int\n")?;
    /// assert_eq!(v.lookup("replicas")?.to_json()?, "1\n");
    /// let err = ctx.compile("a: b\n").unwrap_err();
    /// assert!(err.to_string().contains("reference \"b\" not found"));
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn compile(&self, source: &str) -> Result<Value, Error> {
        self.compile_files(&[("source.cue", source)])
    }

    /// Compiles the files of one package, given as `(name, text)`; names
    /// appear in error positions.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// let v = ctx.compile_files(&[
    ///     ("schema.cue", "package app\n#Port: int & >0 & <65536\nport: #Port\n"),
    ///     ("values.cue", "package app\nport: 8080\n"),
    /// ])?;
    /// assert_eq!(v.lookup("port")?.to_json()?, "8080\n");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn compile_files(&self, files: &[(&str, &str)]) -> Result<Value, Error> {
        let owned: Vec<(String, String)> = files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let limits = self.limits.clone();
        let rebuild: Rebuild = Rc::new(move || {
            let refs: Vec<(&str, &str)> = owned
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            let mut inst = Instance::from_sources(&refs)?;
            inst.engine.set_limits(limits.clone());
            Ok(inst)
        });
        Value::from_rebuild(rebuild)
    }

    /// Loads a package as `rcue export` does: `path` is a `.cue` file or a
    /// package directory inside a module (the module root is found by
    /// walking up to `cue.mod/`). Imports resolve to the module, its
    /// `cue.mod` directories, the module cache and the built-in OPM catalog.
    ///
    /// ```
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    /// let ctx = rcue::Context::new();
    /// let v = ctx.load(format!("{dir}/hello.cue"))?;
    /// assert!(v.is_concrete());
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Value, Error> {
        let path = path.as_ref();
        let (dir, arg) = if path.is_dir() {
            (path.to_path_buf(), ".".to_string())
        } else {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| {
                    Error::one("", format!("cannot load {}: not a file", path.display()))
                })?;
            (parent.to_path_buf(), name)
        };
        let cfg = rcue_load::Config {
            dir,
            module_cache: self.module_cache.clone(),
            builtin: vec![rcue_opm::render::builtin_module()],
            limits: self.limits.clone(),
            ..Default::default()
        };
        let args = vec![arg];
        let rebuild: Rebuild = Rc::new(move || {
            let mut loaded = rcue_load::load(&args, &cfg)?;
            for file in std::mem::take(&mut loaded.data) {
                for doc in file.documents() {
                    loaded.instance.add_data(&file.name, &file.text, &doc?)?;
                }
            }
            Ok(loaded.instance)
        });
        Value::from_rebuild(rebuild)
    }

    /// Turns a serializable Rust value into a concrete CUE value, ready to
    /// be unified with a schema. Structs become CUE structs with their
    /// fields in declaration order, sequences become lists, `None` becomes
    /// `null`.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Server { host: String, port: u16 }
    ///
    /// let ctx = rcue::Context::new();
    /// let v = ctx.encode(&Server { host: "localhost".into(), port: 8080 })?;
    /// assert_eq!(v.to_cue()?, "host: \"localhost\"\nport: 8080\n");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn encode<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<Value, Error> {
        let data = crate::serde_bridge::to_data(value)?;
        self.compile_files(&[("encoded.cue", &data_source(&data))])
    }

    /// Checks a Rust value against a schema in one call: encodes `value`,
    /// unifies it with `schema` and requires the result to be concrete and
    /// free of conflicts. Every problem is reported with its CUE path.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Config { name: String, port: u32 }
    ///
    /// let ctx = rcue::Context::new();
    /// let schema = ctx.compile("#Config: {name: =~\"^[a-z]+$\", port: int & <65536}\n")?;
    /// let schema = schema.lookup("#Config")?;
    /// assert!(ctx.validate(&schema, &Config { name: "web".into(), port: 80 }).is_ok());
    ///
    /// let err = ctx.validate(&schema, &Config { name: "Web".into(), port: 70000 }).unwrap_err();
    /// let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    /// assert_eq!(paths, ["#Config.name", "#Config.port"]);
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn validate<T: serde::Serialize + ?Sized>(
        &self,
        schema: &Value,
        value: &T,
    ) -> Result<(), Error> {
        let v = self.encode(value)?;
        schema.unify(&v)?.validate_concrete()
    }
}

/// The CUE source text of concrete data: a file for a struct, an
/// embedded value otherwise.
fn data_source(d: &Data) -> String {
    rcue_eval::export::to_cue(d)
}

/// A CUE expression for concrete data, usable inside another expression.
fn data_expr(d: &Data) -> String {
    match d {
        Data::Object(fields) if !fields.is_empty() => {
            format!("{{\n{}}}", rcue_eval::export::to_cue(d))
        }
        _ => rcue_eval::export::to_cue(d).trim_end().to_string(),
    }
}

/// Writes a label as CUE source: identifiers as they are, anything else
/// quoted.
fn label_source(label: &str) -> String {
    if rcue_eval::label::is_identifier(label) {
        label.to_string()
    } else {
        rcue_syntax::data::quote(label)
    }
}

/// Checks that `path` is a selector path (`a.b`, `a."b-c"`, `#D.x`,
/// `list[0]`), so that lookups cannot smuggle in other expressions.
fn check_path(path: &str) -> Result<(), Error> {
    use rcue_syntax::ast::{ExprKind, LabelKind};
    fn is_path(e: &rcue_syntax::ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Ident(_) => true,
            ExprKind::Selector(base, LabelKind::Ident(_)) => is_path(base),
            ExprKind::Selector(base, LabelKind::String(s)) => {
                is_path(base) && s.as_plain().is_some()
            }
            ExprKind::Index(base, idx) => {
                is_path(base) && matches!(idx.kind, ExprKind::Int(_) | ExprKind::String(_))
            }
            _ => false,
        }
    }
    let (expr, errors) = rcue_syntax::parse_expr(path, 0);
    if errors.is_empty() && is_path(&expr) {
        Ok(())
    } else {
        Err(Error::one(
            "",
            format!("invalid path {path:?}: expected labels separated by dots, such as a.b or a.\"b-c\""),
        ))
    }
}

/// A CUE value: a package, a field of one, or a unification of values.
///
/// Values are cheap to clone and share their instance; they are not
/// `Send`. Evaluation happens when a result is asked for (`to_json`,
/// `validate`, `fields`, `decode`, ...), and every such call reports all
/// problems as an [`Error`] whose issues carry CUE paths.
///
/// ```
/// let ctx = rcue::Context::new();
/// let v = ctx.compile("server: {host: \"localhost\", port: 8080}\n")?;
/// let server = v.lookup("server")?;
/// let names: Vec<String> = server.fields()?.into_iter().map(|(k, _)| k).collect();
/// assert_eq!(names, ["host", "port"]);
/// assert_eq!(server.lookup("port")?.decode::<u16>()?, 8080);
/// # Ok::<(), rcue::Error>(())
/// ```
#[derive(Clone)]
pub struct Value {
    shared: Rc<Shared>,
    /// The expression this value stands for; `None` for the package.
    expr: Option<String>,
    /// The CUE path of the value from its package (empty for the package
    /// itself), the path of errors that name no path of their own.
    path: String,
    /// What error paths are relative to. Errors inside the package's own
    /// values carry paths from the package; a unification builds a new
    /// value, whose errors carry paths from it: this is its path.
    err_prefix: String,
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Value")
            .field("expr", &self.expr)
            .field("path", &self.path)
            .finish()
    }
}

impl Value {
    fn from_rebuild(rebuild: Rebuild) -> Result<Value, Error> {
        let inst = rebuild().map_err(Error::from_eval)?;
        Ok(Value {
            shared: Rc::new(Shared {
                inst: RefCell::new(inst),
                rebuild,
            }),
            expr: None,
            path: String::new(),
            err_prefix: String::new(),
        })
    }

    /// The path of this value from its package (`server.port`), or the
    /// empty string for a package or a unification result.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: b: 1\n")?;
    /// assert_eq!(v.lookup("a.b")?.path(), "a.b");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The value at a CUE selector path below this one: `a.b`,
    /// `a."b-c"`, `#Def.field`, `list[0]`. The path is checked for syntax
    /// only; a missing field is reported when the value is used.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: {\"b-c\": [10, 20]}\n")?;
    /// assert_eq!(v.lookup("a.\"b-c\"[1]")?.to_json()?, "20\n");
    /// let missing = v.lookup("a.nope")?;
    /// assert!(missing.to_json().is_err());
    /// assert!(v.lookup("a + 1").is_err());
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn lookup(&self, path: &str) -> Result<Value, Error> {
        check_path(path)?;
        let path = path.trim();
        let expr = match &self.expr {
            None => path.to_string(),
            Some(e) if path.starts_with('[') => format!("({e}){path}"),
            Some(e) => format!("({e}).{path}"),
        };
        Ok(Value {
            shared: self.shared.clone(),
            expr: Some(expr),
            path: join_path(&self.path, path),
            err_prefix: self.err_prefix.clone(),
        })
    }

    /// The value of one field, by its label as a plain string (any
    /// characters; quoting is done here). At the top level of a package
    /// only identifier labels can be used this way (a limit of naming
    /// fields by expression); deeper down any label works.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: \"x-y\": 1\n")?;
    /// assert_eq!(v.field("a").field("x-y").to_json()?, "1\n");
    /// assert!(v.lookup("a")?.field("x-y").path() == "a.\"x-y\"");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn field(&self, label: &str) -> Value {
        let sel = label_source(label);
        let expr = match &self.expr {
            // A top-level field whose label is not an identifier cannot be
            // named by an expression in the package's scope.
            None if !rcue_eval::label::is_identifier(label) => format!(
                "error({})",
                rcue_syntax::data::quote(&format!(
                    "not supported yet: using the top-level field {sel} of a package \
                     (its label is not an identifier); look up its parent struct instead"
                ))
            ),
            None => sel.clone(),
            Some(e) => format!("({e}).{sel}"),
        };
        Value {
            shared: self.shared.clone(),
            expr: Some(expr),
            path: join_path(&self.path, &sel),
            err_prefix: self.err_prefix.clone(),
        }
    }

    /// The regular fields of a struct value, in order, each with its
    /// value. Definitions, hidden and optional fields are left out, as in
    /// export.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("#D: 1\n_h: 2\nb?: 3\na: int\nc: a\n")?;
    /// let names: Vec<String> = v.fields()?.into_iter().map(|(k, _)| k).collect();
    /// assert_eq!(names, ["a", "c"]);
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn fields(&self) -> Result<Vec<(String, Value)>, Error> {
        let names = match &self.expr {
            Some(e) => {
                let list = self.export_expr(Some(&format!("[for k, _ in ({e}) {{k}}]")))?;
                match list {
                    Data::List(items) => items
                        .into_iter()
                        .filter_map(|d| match d {
                            Data::Str(s) => Some(s),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            }
            None => self.root_fields(),
        };
        Ok(names
            .into_iter()
            .map(|n| {
                let v = self.field(&n);
                (n, v)
            })
            .collect())
    }

    /// The regular fields of the package, read from the evaluated root
    /// vertex (a package cannot be named in an expression).
    fn root_fields(&self) -> Vec<String> {
        let mut inst = self.shared.inst.borrow_mut();
        let root = inst.root;
        inst.engine.process(root);
        let en = &inst.engine;
        en.v[root as usize]
            .arcs
            .iter()
            .filter_map(|&a| {
                let arc = &en.v[a as usize];
                if arc.arc_type != rcue_eval::eval::ArcType::Regular {
                    return None;
                }
                let label = arc.label()?;
                let name = en.labels.str(label)?;
                if name.starts_with('#') || name.starts_with('_') {
                    return None;
                }
                Some(name.to_string())
            })
            .collect()
    }

    /// Unifies two values. Values of one package (or of unifications built
    /// from it) unify by expression; a value from another context or
    /// source (such as one from [`Context::encode`]) must be concrete, and
    /// is unified as data (unifying non-concrete values of two sources is
    /// not supported yet: compile them into one package).
    ///
    /// When `self` is a whole package, the result is a fresh copy of the
    /// package with the other value added at its top; values handed out
    /// before are unchanged. Fields that only the other value brings are
    /// exported with the rest but cannot be named with [`Value::lookup`]
    /// (lookups resolve names in the package's files).
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// let schema = ctx.compile("#Server: {port: int & >1024, host: string | *\"localhost\"}\n")?;
    /// let data = ctx.compile("port: 8080\n")?;
    /// let server = schema.lookup("#Server")?.unify(&data)?;
    /// assert_eq!(server.to_json()?, "{\n    \"port\": 8080,\n    \"host\": \"localhost\"\n}\n");
    ///
    /// let bad = ctx.compile("port: 80\n")?;
    /// assert!(schema.lookup("#Server")?.unify(&bad)?.validate().is_err());
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn unify(&self, other: &Value) -> Result<Value, Error> {
        let other_expr = if Rc::ptr_eq(&self.shared, &other.shared) {
            match &other.expr {
                Some(e) => e.clone(),
                None if self.expr.is_none() => return Ok(self.clone()),
                None => {
                    // The package cannot be named; unify the other way round.
                    return other.unify(self);
                }
            }
        } else {
            let data = other.export_expr(other.expr.as_deref()).map_err(|e| {
                let mut issues = vec![Issue::new(
                    other.path.clone(),
                    "not supported yet: unifying a non-concrete value from another \
                     source; compile both into one package instead",
                )];
                issues.extend(e.issues().iter().cloned());
                Error::new(issues)
            })?;
            data_expr(&data)
        };
        match &self.expr {
            Some(e) => Ok(Value {
                shared: self.shared.clone(),
                expr: Some(format!("({e}) & ({other_expr})")),
                path: self.path.clone(),
                err_prefix: self.path.clone(),
            }),
            None => {
                // Unifying with the package itself: a fresh instance with
                // the expression added at the top, built the same way.
                let base = self.shared.rebuild.clone();
                let rebuild: Rebuild = Rc::new(move || {
                    let mut inst = base()?;
                    let (ast, errs) = rcue_syntax::parse_expr(&other_expr, 0);
                    if let Some(e) = errs.first() {
                        return Err(vec![rcue_eval::Error {
                            path: String::new(),
                            msg: e.message.clone(),
                            pos: Vec::new(),
                            incomplete: false,
                        }]);
                    }
                    inst.add_data("unified.cue", &other_expr, &ast)?;
                    Ok(inst)
                });
                Value::from_rebuild(rebuild)
            }
        }
    }

    /// Exports this value's expression (or the package) as data, with the
    /// value's path put in front of error paths.
    fn export_expr(&self, expr: Option<&str>) -> Result<Data, Error> {
        let result = self.shared.inst.borrow_mut().export(expr);
        result.map_err(|errs| {
            let issues = Error::from_eval(errs)
                .issues()
                .iter()
                .cloned()
                .map(|mut i| {
                    i.path = if i.path.is_empty() {
                        self.path.clone()
                    } else {
                        join_path(&self.err_prefix, &i.path)
                    };
                    i
                })
                .collect();
            Error::new(issues)
        })
    }

    fn data(&self) -> Result<Data, Error> {
        self.export_expr(self.expr.as_deref())
    }

    /// Whether the value is concrete data all the way down, with no
    /// conflicts: whether [`Value::to_json`] would succeed.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: 1\nb: int\n")?;
    /// assert!(v.lookup("a")?.is_concrete());
    /// assert!(!v.lookup("b")?.is_concrete());
    /// assert!(!v.is_concrete());
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn is_concrete(&self) -> bool {
        self.data().is_ok()
    }

    /// Checks the value for conflicts, as `rcue vet -c=false` does:
    /// values that are merely not concrete yet are accepted.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// assert!(ctx.compile("a: int\nb: a\n")?.validate().is_ok());
    /// let err = ctx.compile("a: int & \"x\"\n")?.validate().unwrap_err();
    /// assert_eq!(err.issues()[0].path, "a");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        match self.data() {
            Ok(_) => Ok(()),
            Err(e) => {
                let issues: Vec<Issue> = e
                    .issues()
                    .iter()
                    .filter(|i| !i.incomplete)
                    .cloned()
                    .collect();
                if issues.is_empty() {
                    Ok(())
                } else {
                    Err(Error::new(issues))
                }
            }
        }
    }

    /// Checks the value for conflicts and requires it to be concrete, as
    /// `rcue vet` does by default.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// let err = ctx.compile("a: int\n")?.validate_concrete().unwrap_err();
    /// assert!(err.is_incomplete());
    /// assert_eq!(err.issues()[0].path, "a");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn validate_concrete(&self) -> Result<(), Error> {
        self.data().map(|_| ())
    }

    /// The value as JSON text, as `rcue export` prints it (4-space
    /// indentation, fields in order, a final newline). The value must be
    /// concrete.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: [1, \"x\", null]\n")?;
    /// assert_eq!(v.to_json()?, "{\n    \"a\": [\n        1,\n        \"x\",\n        null\n    ]\n}\n");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String, Error> {
        self.data().map(|d| rcue_eval::export::to_json(&d))
    }

    /// The value as YAML text, as `rcue export --out yaml` prints it. The
    /// value must be concrete.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: b: \"x\"\n")?;
    /// assert_eq!(v.to_yaml()?, "a:\n  b: x\n");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn to_yaml(&self) -> Result<String, Error> {
        self.data().map(|d| rcue_eval::export::to_yaml(&d))
    }

    /// The evaluated value as CUE text, as `rcue eval` prints it:
    /// constraints, definitions and optional fields are kept, so the
    /// value need not be concrete.
    ///
    /// ```
    /// let v = rcue::Context::new().compile("a: int\nb: a & 1\n")?;
    /// assert_eq!(v.to_cue()?, "a: int\nb: 1\n");
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn to_cue(&self) -> Result<String, Error> {
        let result = self.shared.inst.borrow_mut().eval_text(
            self.expr.as_deref(),
            rcue_eval::print::Options {
                hidden: false,
                optional: true,
            },
        );
        result.map_err(Error::from_eval)
    }

    /// Deserializes the (concrete) value into a Rust type; the same as
    /// [`crate::from_value`].
    ///
    /// ```
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Server { host: String, port: u16 }
    ///
    /// let v = rcue::Context::new().compile("host: \"db\"\nport: 5432\n")?;
    /// assert_eq!(v.decode::<Server>()?, Server { host: "db".into(), port: 5432 });
    /// # Ok::<(), rcue::Error>(())
    /// ```
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        let data = self.data()?;
        crate::serde_bridge::from_data(&data).map_err(|e| {
            if self.path.is_empty() {
                e
            } else {
                e.prefixed(&self.path)
            }
        })
    }
}

/// `a.b` joined with `c` (`a.b.c`) or `[0]` (`a.b[0]`).
fn join_path(base: &str, rest: &str) -> String {
    if base.is_empty() {
        rest.to_string()
    } else if rest.is_empty() || rest.starts_with('[') {
        format!("{base}{rest}")
    } else {
        format!("{base}.{rest}")
    }
}

impl Error {
    /// Puts `prefix` in front of every issue's path.
    pub(crate) fn prefixed(self, prefix: &str) -> Error {
        let issues = self
            .issues()
            .iter()
            .cloned()
            .map(|mut i| {
                i.path = join_path(prefix, &i.path);
                i
            })
            .collect();
        Error::new(issues)
    }
}
