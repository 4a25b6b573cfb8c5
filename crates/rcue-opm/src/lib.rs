//! The Open Platform Model catalog that rcue ships inside its binary.
//!
//! The catalog is the CUE module `opmodel.dev@v1` kept in this crate's
//! `catalog/` directory: the core definitions (`core`), the data schemas
//! (`schemas`), the resources and traits components are built from
//! (`resources/...`, `traits/...`) and the Kubernetes transformers
//! (`providers/kubernetes`). `build.rs` embeds every `.cue` file; the loader
//! serves imports of `opmodel.dev/...@v1` from [`catalog_files`] when no
//! module cache provides them. docs/opm.md describes the catalog and the
//! contract between the transformers and the render pipeline.

pub mod render;

/// The module path of the embedded catalog.
pub const CATALOG_MODULE: &str = "opmodel.dev@v1";

/// Every `.cue` file of the catalog as (path relative to the module root,
/// contents), sorted by path. Paths use `/` on every platform.
///
/// ```
/// let files = rcue_opm::catalog_files();
/// assert!(files.iter().any(|(path, _)| *path == "cue.mod/module.cue"));
/// assert!(files.iter().any(|(path, _)| path.starts_with("core/")));
/// ```
pub fn catalog_files() -> &'static [(&'static str, &'static str)] {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_file_parses() {
        for (path, src) in catalog_files() {
            let (_, errors) = rcue_syntax::parse_file(src);
            assert!(errors.is_empty(), "{path}: {errors:?}");
        }
    }

    #[test]
    fn every_package_is_embedded() {
        for dir in [
            "core/",
            "schemas/",
            "resources/workload/",
            "resources/storage/",
            "resources/config/",
            "traits/workload/",
            "traits/network/",
            "providers/kubernetes/",
        ] {
            assert!(
                catalog_files().iter().any(|(p, _)| p.starts_with(dir)),
                "no file under {dir}"
            );
        }
    }

    #[test]
    fn package_clause_matches_directory() {
        for (path, src) in catalog_files() {
            let Some((dir, _)) = path.rsplit_once('/') else {
                continue;
            };
            if dir == "cue.mod" {
                continue;
            }
            let last = dir.rsplit('/').next().unwrap_or(dir);
            let clause = format!("package {last}\n");
            assert!(src.contains(&clause), "{path}: expected `{clause}`");
        }
    }
}
