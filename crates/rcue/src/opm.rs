//! Rendering Open Platform Model modules to Kubernetes objects from Rust,
//! as `rcue mod build` does (see `docs/opm.md`).

use std::path::{Path, PathBuf};

use rcue_eval::export::Data;

use crate::error::Error;

/// What to render: a module directory and the settings `rcue mod build`
/// takes as flags.
///
/// ```
/// let opts = rcue::opm::RenderOptions::new("my-module")
///     .name("web")
///     .namespace("prod")
///     .values_file("prod-values.yaml");
/// assert_eq!(opts.dir(), std::path::Path::new("my-module"));
/// ```
#[derive(Clone, Debug)]
pub struct RenderOptions {
    inner: rcue_opm::render::Options,
}

impl RenderOptions {
    /// Options for the module in `dir`, with its own values, release name
    /// and namespace.
    ///
    /// ```
    /// let opts = rcue::opm::RenderOptions::new(".");
    /// assert_eq!(opts.dir(), std::path::Path::new("."));
    /// ```
    pub fn new(dir: impl AsRef<Path>) -> RenderOptions {
        RenderOptions {
            inner: rcue_opm::render::Options {
                dir: dir.as_ref().to_path_buf(),
                ..Default::default()
            },
        }
    }

    /// The module directory.
    ///
    /// ```
    /// assert_eq!(rcue::opm::RenderOptions::new("m").dir(), std::path::Path::new("m"));
    /// ```
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Sets the release name (`--name`; default: the module's
    /// `metadata.name`).
    ///
    /// ```
    /// let _ = rcue::opm::RenderOptions::new(".").name("web");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> RenderOptions {
        self.inner.name = Some(name.into());
        self
    }

    /// Sets the namespace (`-n`; default: the module's
    /// `metadata.defaultNamespace`).
    ///
    /// ```
    /// let _ = rcue::opm::RenderOptions::new(".").namespace("prod");
    /// ```
    pub fn namespace(mut self, namespace: impl Into<String>) -> RenderOptions {
        self.inner.namespace = Some(namespace.into());
        self
    }

    /// Adds a values file (CUE, YAML or JSON; `-f`). Files apply in the
    /// order added, later ones winning, and replace the module's own
    /// values file.
    ///
    /// ```
    /// let _ = rcue::opm::RenderOptions::new(".").values_file("a.yaml").values_file("b.cue");
    /// ```
    pub fn values_file(mut self, path: impl AsRef<Path>) -> RenderOptions {
        self.inner.values.push(path.as_ref().to_path_buf());
        self
    }

    /// Sets the directory of dependency modules (`--module-cache`).
    ///
    /// ```
    /// let _ = rcue::opm::RenderOptions::new(".").module_cache("/var/cache/cue");
    /// ```
    pub fn module_cache(mut self, dir: impl AsRef<Path>) -> RenderOptions {
        self.inner.module_cache = Some(PathBuf::from(dir.as_ref()));
        self
    }

    /// Sets the resource limits (see `rcue::Limits`).
    ///
    /// ```
    /// let limits = rcue::Limits { max_values: 100_000, ..Default::default() };
    /// let _ = rcue::opm::RenderOptions::new(".").limits(limits);
    /// ```
    pub fn limits(mut self, limits: rcue_eval::Limits) -> RenderOptions {
        self.inner.limits = limits;
        self
    }
}

/// One rendered Kubernetes object, with the component and transformer it
/// came from.
#[derive(Clone, Debug)]
pub struct Manifest {
    component: String,
    transformer: String,
    object: Data,
}

impl Manifest {
    /// The name of the component the object was rendered from.
    ///
    /// See [`render`] for an example.
    pub fn component(&self) -> &str {
        &self.component
    }

    /// The transformer that produced the object.
    ///
    /// See [`render`] for an example.
    pub fn transformer(&self) -> &str {
        &self.transformer
    }

    /// The object's `kind`, when it has a string one.
    ///
    /// See [`render`] for an example.
    pub fn kind(&self) -> Option<&str> {
        match &self.object {
            Data::Object(fields) => fields.iter().find_map(|(k, v)| match (k.as_str(), v) {
                ("kind", Data::Str(s)) => Some(s.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }

    /// The object as YAML (one document, without `---`).
    ///
    /// See [`render`] for an example.
    pub fn to_yaml(&self) -> String {
        rcue_eval::export::to_yaml(&self.object)
    }

    /// The object as JSON, as `rcue mod build --out json` prints each one.
    ///
    /// See [`render`] for an example.
    pub fn to_json(&self) -> String {
        rcue_eval::export::to_json(&self.object)
    }

    /// Deserializes the object into a Rust type (for instance a
    /// `k8s-openapi` type, or your own struct).
    ///
    /// See [`render`] for an example.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        crate::serde_bridge::from_data(&self.object)
    }
}

/// Renders an OPM module to Kubernetes objects, in the order
/// `rcue mod build` prints them. Every problem (loading, conflicts in the
/// module or values, unmatched components) comes back in the error.
///
/// ```
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/multi-tier-module");
/// let objects = rcue::opm::render(&rcue::opm::RenderOptions::new(dir).namespace("staging"))?;
/// assert!(objects.iter().any(|o| o.kind() == Some("StatefulSet")));
/// let first = &objects[0];
/// assert!(!first.component().is_empty() && !first.transformer().is_empty());
/// assert!(first.to_yaml().contains("namespace: staging"));
/// assert!(first.to_json().starts_with('{'));
///
/// #[derive(serde::Deserialize)]
/// struct Meta { name: String }
/// #[derive(serde::Deserialize)]
/// struct Object { kind: String, metadata: Meta }
/// let o: Object = first.decode()?;
/// assert!(!o.kind.is_empty() && !o.metadata.name.is_empty());
///
/// let stream = rcue::opm::to_yaml_stream(&objects);
/// assert_eq!(stream.matches("\n---\n").count(), objects.len() - 1);
/// # Ok::<(), rcue::Error>(())
/// ```
pub fn render(opts: &RenderOptions) -> Result<Vec<Manifest>, Error> {
    let objects = rcue_opm::render::render(&opts.inner).map_err(Error::from_eval)?;
    Ok(objects
        .into_iter()
        .map(|o| Manifest {
            component: o.component,
            transformer: o.transformer,
            object: o.object,
        })
        .collect())
}

/// The objects as one YAML stream, `---` between documents, as
/// `rcue mod build` prints it.
///
/// See [`render`] for an example.
pub fn to_yaml_stream(objects: &[Manifest]) -> String {
    objects
        .iter()
        .map(Manifest::to_yaml)
        .collect::<Vec<_>>()
        .join("---\n")
}
