//! The render pipeline of `rcue mod build`: load a module, list its
//! components, match each with the transformers of the Kubernetes provider
//! (docs/opm.md, "Matching"), evaluate the transforms, collect objects.

use std::path::{Path, PathBuf};

use rcue_eval::export::{to_cue, Data};
use rcue_eval::Error;

/// The provider package the transformers live in.
pub const PROVIDER: &str = "opmodel.dev/providers/kubernetes@v1";

/// What to render.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub dir: PathBuf,
    /// Release name; the module's `metadata.name` by default.
    pub name: Option<String>,
    /// Namespace; the module's `metadata.defaultNamespace` by default.
    pub namespace: Option<String>,
    /// Values files (CUE, YAML, JSON), applied in order: later wins.
    pub values: Vec<PathBuf>,
    pub module_cache: Option<PathBuf>,
    /// Resource limits for loading and evaluation.
    pub limits: rcue_eval::Limits,
    /// Skip freeing the evaluation's memory when done: for a process that
    /// exits right after (freeing every value one by one costs about a
    /// tenth of the run).
    pub no_teardown: bool,
}

/// One rendered object, with the component and transformer it came from.
pub struct Rendered {
    pub component: String,
    pub transformer: String,
    pub object: Data,
}

/// Objects as a YAML stream, `---` between documents.
pub fn to_yaml_stream(objects: &[Rendered]) -> String {
    objects
        .iter()
        .map(|o| rcue_eval::export::to_yaml(&o.object))
        .collect::<Vec<_>>()
        .join("---\n")
}

/// The embedded catalog as a loader module.
pub fn builtin_module() -> rcue_load::BuiltinModule {
    rcue_load::BuiltinModule {
        module: crate::CATALOG_MODULE.to_string(),
        files: crate::catalog_files()
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
    }
}

fn err(msg: impl Into<String>) -> Vec<Error> {
    vec![Error {
        path: String::new(),
        msg: msg.into(),
        pos: Vec::new(),
        incomplete: false,
    }]
}

/// A transformer's declared requirements.
struct Transformer {
    name: String,
    labels: Vec<(String, String)>,
    required: Vec<String>,
    accepted: Vec<String>,
    kind: String,
}

struct Component {
    name: String,
    labels: Vec<(String, String)>,
    parts: Vec<String>,
    data: Data,
}

/// Renders the module in `opts.dir` to Kubernetes objects, in the order
/// docs/opm.md gives.
pub fn render(opts: &Options) -> Result<Vec<Rendered>, Vec<Error>> {
    let cfg = rcue_load::Config {
        dir: opts.dir.clone(),
        module_cache: opts.module_cache.clone(),
        builtin: vec![builtin_module()],
        extra_imports: vec![PROVIDER.to_string()],
        limits: opts.limits.clone(),
        ..Default::default()
    };
    let mut loaded = rcue_load::load(&[".".to_string()], &cfg)?;
    let result = render_loaded(&mut loaded, opts);
    if opts.no_teardown {
        std::mem::forget(loaded);
    }
    result
}

fn render_loaded(
    loaded: &mut rcue_load::Loaded,
    opts: &Options,
) -> Result<Vec<Rendered>, Vec<Error>> {
    if !opts.values.is_empty() {
        apply_values(loaded, opts)?;
    }
    let inst = &mut loaded.instance;
    if !inst.bind_package("kubernetes", PROVIDER) {
        return Err(err(format!("cannot load the provider package {PROVIDER}")));
    }
    let meta = inst.export(Some("metadata"))?;
    let release = opts
        .name
        .clone()
        .or_else(|| string_at(&meta, &["name"]))
        .ok_or_else(|| err("the module has no metadata.name"))?;
    let namespace = opts
        .namespace
        .clone()
        .or_else(|| string_at(&meta, &["defaultNamespace"]))
        .unwrap_or_else(|| "default".into());
    let version = string_at(&meta, &["version"]).unwrap_or_default();

    let transformers = read_transformers(inst)?;
    let names = strings(&inst.export(Some("[for k, _ in #components {k}]"))?);
    let mut out = Vec::new();
    for name in names {
        let c = read_component(inst, &name)?;
        let matched: Vec<&Transformer> = transformers.iter().filter(|t| matches(t, &c)).collect();
        check_matches(&c, &matched, &transformers)?;
        for t in matched {
            let expr = format!(
                "(kubernetes.#transformers[{t}].#transform & {{#component: {comp}, #context: {{name: {rel}, namespace: {ns}, labels: \"app.kubernetes.io/version\": {ver}}}}}).output",
                t = quote(&t.name),
                comp = cue_value(&c.data),
                rel = quote(&release),
                ns = quote(&namespace),
                ver = quote(&version),
            );
            let objects = match inst.export(Some(&expr)) {
                Ok(Data::List(items)) => items,
                Ok(d) => vec![d],
                Err(errors) => {
                    return Err(errors
                        .into_iter()
                        .map(|mut e| {
                            e.msg = format!(
                                "component {:?}, transformer {:?}: {}{}",
                                c.name,
                                t.name,
                                if e.path.is_empty() {
                                    String::new()
                                } else {
                                    format!("{}: ", e.path)
                                },
                                e.msg
                            );
                            e.path.clear();
                            e
                        })
                        .collect())
                }
            };
            for object in objects {
                out.push(Rendered {
                    component: c.name.clone(),
                    transformer: t.name.clone(),
                    object,
                });
            }
        }
    }
    Ok(out)
}

/// Replaces the module's values by the merge of its own values and the
/// values files, later files winning field by field. The module's own
/// values file (a file declaring nothing but `values`) gives way to the
/// merge, so a new value never conflicts with the default it replaces.
fn apply_values(loaded: &mut rcue_load::Loaded, opts: &Options) -> Result<(), Vec<Error>> {
    let mut merged = loaded.instance.export(Some("values"))?;
    for f in &opts.values {
        let data = read_values_file(f, &opts.limits)?;
        merge(&mut merged, data);
    }
    let cfg = rcue_load::Config {
        dir: opts.dir.clone(),
        module_cache: opts.module_cache.clone(),
        builtin: vec![builtin_module()],
        extra_imports: vec![PROVIDER.to_string()],
        exclude_values_files: true,
        limits: opts.limits.clone(),
        ..Default::default()
    };
    let mut fresh = rcue_load::load(&[".".to_string()], &cfg)?;
    let doc = format!("values: {}", cue_value(&merged));
    let (ast, errs) = rcue_syntax::parse_expr(&format!("{{{doc}}}"), 0);
    if !errs.is_empty() {
        return Err(err("internal error: merged values do not parse"));
    }
    fresh
        .instance
        .add_data("values (merged)", &format!("{{{doc}}}"), &ast)?;
    *loaded = fresh;
    Ok(())
}

fn read_values_file(path: &Path, limits: &rcue_eval::Limits) -> Result<Data, Vec<Error>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("{shown}: {e}")))?;
    let mut inst = if shown.ends_with(".cue") {
        rcue_eval::Instance::from_sources(&[(shown.as_str(), text.as_str())])?
    } else {
        let docs = if shown.ends_with(".json") {
            rcue_syntax::data::parse_json(&text).map(|d| vec![d])
        } else {
            rcue_syntax::data::parse_yaml_stream(&text)
        }
        .map_err(|e| {
            let (l, c) = rcue_syntax::LineIndex::new(&text).line_col(e.offset as u32);
            err(format!("{shown}:{l}:{c}: {}", e.message))
        })?;
        let mut inst = rcue_eval::Instance::from_sources(&[])?;
        for d in &docs {
            inst.add_data(&shown, &text, d)?;
        }
        inst
    };
    inst.engine.set_limits(limits.clone());
    let data = inst.export(None)?;
    // A CUE values file may write `values: {...}`; data files hold the
    // values themselves.
    Ok(match data {
        Data::Object(mut f) if f.len() == 1 && f[0].0 == "values" => f.remove(0).1,
        d => d,
    })
}

/// Deep merge: objects merge field by field, anything else is replaced.
fn merge(into: &mut Data, from: Data) {
    match (into, from) {
        (Data::Object(a), Data::Object(b)) => {
            for (k, v) in b {
                match a.iter_mut().find(|(n, _)| *n == k) {
                    Some((_, old)) => merge(old, v),
                    None => a.push((k, v)),
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn read_transformers(inst: &mut rcue_eval::Instance) -> Result<Vec<Transformer>, Vec<Error>> {
    // One expression for all of them: each export compiles its expression
    // and walks the result, and a catalog has dozens of transformers.
    let all = inst.export(Some(
        "[for n, t in kubernetes.#transformers {\
           name: n, \
           rr: [for k, _ in t.requiredResources {k}], \
           rt: [for k, _ in t.requiredTraits {k}], \
           or: [for k, _ in t.optionalResources {k}], \
           ot: [for k, _ in t.optionalTraits {k}], \
           labels: t.requiredLabels, \
           kind: t.metadata.kind}]",
    ))?;
    let Data::List(items) = all else {
        return Ok(Vec::new());
    };
    Ok(items
        .iter()
        .map(|t| {
            let required = [strings(field(t, "rr")), strings(field(t, "rt"))].concat();
            let mut accepted = required.clone();
            accepted.extend(strings(field(t, "or")));
            accepted.extend(strings(field(t, "ot")));
            Transformer {
                name: string_at(t, &["name"]).unwrap_or_default(),
                kind: string_at(t, &["kind"]).unwrap_or_default(),
                labels: pairs(field(t, "labels")),
                required,
                accepted,
            }
        })
        .collect())
}

fn read_component(inst: &mut rcue_eval::Instance, name: &str) -> Result<Component, Vec<Error>> {
    let c = format!("#components[{}]", quote(name));
    let labels = pairs(&inst.export(Some(&format!("{c}.metadata.labels")))?);
    let mut parts = strings(&inst.export(Some(&format!("[for k, _ in {c}.#resources {{k}}]")))?);
    parts.extend(strings(
        &inst.export(Some(&format!("[for k, _ in {c}.#traits {{k}}]")))?,
    ));
    let data = inst
        .export(Some(&format!("{{metadata: {c}.metadata, spec: {c}.spec}}")))
        .map_err(|errors| {
            errors
                .into_iter()
                .map(|mut e| {
                    if !e.path.is_empty() {
                        e.path = format!("#components.{name}.{}", e.path);
                    }
                    e
                })
                .collect::<Vec<_>>()
        })?;
    Ok(Component {
        name: name.to_string(),
        labels,
        parts,
        data,
    })
}

fn matches(t: &Transformer, c: &Component) -> bool {
    t.labels.iter().all(|l| c.labels.contains(l))
        && t.required.iter().all(|r| c.parts.contains(r))
        && c.parts.iter().all(|p| t.accepted.contains(p))
}

/// A component must match exactly one workload transformer (one with
/// required labels), and no two transformers may emit the same kind.
fn check_matches(
    c: &Component,
    matched: &[&Transformer],
    all: &[Transformer],
) -> Result<(), Vec<Error>> {
    let workloads: Vec<&&Transformer> = matched.iter().filter(|t| !t.labels.is_empty()).collect();
    if workloads.is_empty() {
        // Say what the closest workload transformer lacks.
        let mut why = Vec::new();
        for t in all.iter().filter(|t| !t.labels.is_empty()) {
            if !t.labels.iter().all(|l| c.labels.contains(l)) {
                continue;
            }
            let missing: Vec<&str> = t
                .required
                .iter()
                .filter(|r| !c.parts.contains(r))
                .map(|s| s.as_str())
                .collect();
            let extra: Vec<&str> = c
                .parts
                .iter()
                .filter(|p| !t.accepted.contains(p))
                .map(|s| s.as_str())
                .collect();
            why.push(format!(
                "transformer {:?} needs {:?} and does not accept {:?}",
                t.name, missing, extra
            ));
        }
        let labels: Vec<String> = c.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        return Err(err(format!(
            "component {:?}: no transformer matches (labels: {}){}",
            c.name,
            labels.join(", "),
            if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            }
        )));
    }
    for (i, a) in matched.iter().enumerate() {
        if let Some(b) = matched[i + 1..].iter().find(|b| b.kind == a.kind) {
            return Err(err(format!(
                "component {:?}: transformers {:?} and {:?} both produce {}",
                c.name, a.name, b.name, a.kind
            )));
        }
    }
    Ok(())
}

fn field<'a>(d: &'a Data, name: &str) -> &'a Data {
    match d {
        Data::Object(f) => f
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .unwrap_or(&Data::Null),
        _ => &Data::Null,
    }
}

fn string_at(d: &Data, path: &[&str]) -> Option<String> {
    let mut cur = d;
    for p in path {
        cur = field(cur, p);
    }
    match cur {
        Data::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn strings(d: &Data) -> Vec<String> {
    match d {
        Data::List(items) => items
            .iter()
            .filter_map(|i| match i {
                Data::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn pairs(d: &Data) -> Vec<(String, String)> {
    match d {
        Data::Object(f) => f
            .iter()
            .filter_map(|(k, v)| match v {
                Data::Str(s) => Some((k.clone(), s.clone())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn quote(s: &str) -> String {
    rcue_syntax::data::quote(s)
}

/// A data value as a CUE expression.
fn cue_value(d: &Data) -> String {
    match d {
        Data::Object(_) => format!("{{\n{}}}", to_cue(d)),
        _ => to_cue(d).trim_end().to_string(),
    }
}
