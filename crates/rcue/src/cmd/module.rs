//! `rcue mod build` and `rcue mod vet`: render an OPM module to Kubernetes
//! objects through the built-in catalog's transformers (docs/opm.md).

use std::path::PathBuf;

use rcue_eval::export::{to_json, to_yaml, Data};
use rcue_opm::render::{render, Options, Rendered};

use crate::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Render a module to Kubernetes manifests (a YAML stream by default).
    Build(BuildArgs),
    /// Check a module and its values without printing anything.
    Vet(CommonArgs),
}

#[derive(clap::Args)]
pub struct CommonArgs {
    /// The module directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Namespace of the rendered objects (default: the module's
    /// metadata.defaultNamespace).
    #[arg(long, short = 'n')]
    namespace: Option<String>,
    /// Release name (default: the module's metadata.name).
    #[arg(long)]
    name: Option<String>,
    /// Values file (CUE, YAML or JSON); repeatable, later files win.
    #[arg(short = 'f', long = "values")]
    values: Vec<PathBuf>,
    /// Directory of dependency modules (default: $RCUE_MODULE_CACHE).
    #[arg(long = "module-cache")]
    module_cache: Option<PathBuf>,
    #[command(flatten)]
    limits: super::limits::LimitArgs,
}

#[derive(clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Output format: yaml or json.
    #[arg(long, default_value = "yaml")]
    out: String,
    /// Write one file per object, `<kind>-<name>.yaml`, into this directory.
    #[arg(long)]
    split: Option<PathBuf>,
    /// Overwrite existing files with --split.
    #[arg(long)]
    force: bool,
}

pub fn run(cmd: Command) -> u8 {
    match cmd {
        Command::Build(args) => build(args),
        Command::Vet(args) => match rendered(&args) {
            Ok(_) => EXIT_OK,
            Err(code) => code,
        },
    }
}

fn rendered(args: &CommonArgs) -> Result<Vec<Rendered>, u8> {
    let opts = Options {
        limits: args.limits.limits(),
        no_teardown: true,
        dir: args.dir.clone(),
        name: args.name.clone(),
        namespace: args.namespace.clone(),
        values: args
            .values
            .iter()
            .map(|v| {
                std::env::current_dir()
                    .map(|d| d.join(v))
                    .unwrap_or(v.clone())
            })
            .collect(),
        module_cache: args
            .module_cache
            .clone()
            .or_else(|| std::env::var_os("RCUE_MODULE_CACHE").map(PathBuf::from)),
    };
    render(&opts).map_err(|errors| {
        super::export::report(&errors);
        EXIT_ERRORS
    })
}

fn build(args: BuildArgs) -> u8 {
    if !matches!(args.out.as_str(), "yaml" | "json") {
        eprintln!("unknown output format {:?}: use yaml or json", args.out);
        return EXIT_USAGE;
    }
    let objects = match rendered(&args.common) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let text = |d: &Data| {
        if args.out == "json" {
            to_json(d)
        } else {
            to_yaml(d)
        }
    };
    let Some(dir) = &args.split else {
        let out = if args.out == "json" {
            objects.iter().map(|o| to_json(&o.object)).collect()
        } else {
            rcue_opm::render::to_yaml_stream(&objects)
        };
        if let Err(msg) = super::limits::check_output(&args.common.limits.limits(), &out) {
            eprintln!("{msg}");
            return EXIT_ERRORS;
        }
        print!("{out}");
        return EXIT_OK;
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("{}: {e}", dir.display());
        return EXIT_ERRORS;
    }
    // Decide every name first: nothing is written unless all can be.
    let ext = if args.out == "json" { "json" } else { "yaml" };
    let mut files = Vec::new();
    for o in &objects {
        let kind = field_str(&o.object, &["kind"]).to_lowercase();
        let name = field_str(&o.object, &["metadata", "name"]);
        let path = dir.join(format!("{kind}-{name}.{ext}"));
        if files.iter().any(|(p, _)| p == &path) {
            eprintln!("two objects would be written to {}", path.display());
            return EXIT_ERRORS;
        }
        if path.exists() && !args.force {
            eprintln!(
                "{}: already exists (use --force to overwrite)",
                path.display()
            );
            return EXIT_ERRORS;
        }
        files.push((path, text(&o.object)));
    }
    for (path, contents) in files {
        if let Err(e) = super::write_atomic(&path, &contents) {
            eprintln!("{}: {e}", path.display());
            return EXIT_ERRORS;
        }
    }
    EXIT_OK
}

fn field_str(d: &Data, path: &[&str]) -> String {
    let mut cur = d;
    for p in path {
        cur = match cur {
            Data::Object(f) => match f.iter().find(|(k, _)| k == p) {
                Some((_, v)) => v,
                None => return "unnamed".into(),
            },
            _ => return "unnamed".into(),
        };
    }
    match cur {
        Data::Str(s) => s.clone(),
        _ => "unnamed".into(),
    }
}
