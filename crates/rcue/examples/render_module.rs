//! Renders an Open Platform Model module to Kubernetes objects from Rust,
//! as `rcue mod build` does, and summarizes them.
//!
//! Run with `cargo run -p rcue --example render_module [MODULE_DIR]`
//! (default: the repository's `examples/multi-tier-module`).

use std::path::{Path, PathBuf};

/// The repository's example module.
pub fn example_module() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-tier-module")
}

/// Renders the module in `dir` into namespace `namespace`: one summary line
/// per object, then the YAML stream.
pub fn run(dir: &Path, namespace: &str) -> Result<(Vec<String>, String), rcue::Error> {
    let opts = rcue::opm::RenderOptions::new(dir).namespace(namespace);
    let objects = rcue::opm::render(&opts)?;
    let summary = objects
        .iter()
        .map(|o| {
            format!(
                "{} {} (component {}, transformer {})",
                o.kind().unwrap_or("?"),
                name_of(o).unwrap_or_default(),
                o.component(),
                o.transformer()
            )
        })
        .collect();
    Ok((summary, rcue::opm::to_yaml_stream(&objects)))
}

/// The object's `metadata.name`, read through the serde bridge.
fn name_of(o: &rcue::opm::Manifest) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Meta {
        name: String,
    }
    #[derive(serde::Deserialize)]
    struct Object {
        metadata: Meta,
    }
    o.decode::<Object>().ok().map(|o| o.metadata.name)
}

#[allow(dead_code)]
fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(example_module);
    match run(&dir, "default") {
        Ok((summary, _yaml)) => {
            for line in summary {
                println!("{line}");
            }
        }
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    }
}
