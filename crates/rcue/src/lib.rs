//! rcue: an embeddable evaluator for the CUE configuration language.
//!
//! This crate is the facade embedders depend on, and the home of the `rcue`
//! command. Start with a [`Context`]: compile CUE text or load a package
//! into a [`Value`], look values up by path, unify them, validate them and
//! export them as JSON or YAML. The serde bridge turns Rust values into CUE
//! ([`Context::encode`]) and concrete CUE into Rust ([`from_value`]), so an
//! application can check its configuration struct against a CUE schema in
//! one call ([`Context::validate`]). [`opm`] renders Open Platform Model
//! modules to Kubernetes objects. Every error is an [`Error`] listing
//! [`Issue`]s with CUE paths; it is a `miette::Diagnostic` too.
//!
//! ```
//! #[derive(serde::Serialize)]
//! struct Config { name: String, replicas: u32 }
//!
//! let ctx = rcue::Context::new();
//! let schema = ctx.compile(r#"
//! #Config: {
//!     name:     =~"^[a-z][a-z0-9-]*$"
//!     replicas: int & >=1 & <=10
//! }
//! "#)?;
//! let config = Config { name: "api".into(), replicas: 20 };
//! let err = ctx.validate(&schema.lookup("#Config")?, &config).unwrap_err();
//! assert_eq!(err.issues()[0].path, "#Config.replicas");
//! assert!(err.to_string().contains("invalid value 20 (out of bound <=10)"));
//! # Ok::<(), rcue::Error>(())
//! ```
//!
//! Values share their evaluated instance through `Rc`, so they are not
//! `Send`; use one context per thread. Formatting is available without
//! evaluation:
//!
//! ```
//! let formatted = rcue::format_source("in.cue", "a:   1\nb: {c:2}\n").unwrap();
//! assert_eq!(formatted, "a: 1\nb: {c: 2}\n");
//! ```

mod error;
pub mod opm;
mod serde_bridge;
mod value;

pub use error::{Error, Issue};
pub use rcue_eval::Limits;
pub use serde_bridge::from_value;
pub use value::{Context, Value};

pub use rcue_syntax as syntax;

use rcue_syntax::{LineIndex, SyntaxError};

/// Syntax errors of one file, with the text needed to render them.
///
/// ```
/// let err = rcue::format_source("bad.cue", "a: {\n").unwrap_err();
/// assert_eq!(err.file, "bad.cue");
/// assert!(!err.errors.is_empty());
/// assert!(err.render_plain().contains("bad.cue:"));
/// assert_eq!(err.diagnostics().len(), err.errors.len());
/// ```
#[derive(Debug)]
pub struct SourceErrors {
    pub file: String,
    pub source: String,
    pub errors: Vec<SyntaxError>,
}

impl SourceErrors {
    /// The errors in the reference tool's style: `message:` and an indented
    /// `file:line:col`, one error after another.
    pub fn render_plain(&self) -> String {
        let idx = LineIndex::new(&self.source);
        let mut out = String::new();
        for e in &self.errors {
            out.push_str(&e.render(&self.file, &idx));
            out.push('\n');
        }
        out
    }

    /// One `miette` diagnostic per error, each carrying the source.
    pub fn diagnostics(&self) -> Vec<rcue_syntax::SyntaxDiagnostic> {
        self.errors
            .iter()
            .map(|e| rcue_syntax::SyntaxDiagnostic {
                error: e.clone(),
                src: miette::NamedSource::new(&self.file, self.source.clone()),
            })
            .collect()
    }
}

impl std::fmt::Display for SourceErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.render_plain().trim_end())
    }
}

impl std::error::Error for SourceErrors {}

/// Parses and formats CUE source text as `rcue fmt` does.
///
/// ```
/// assert_eq!(rcue::format_source("x.cue", "x:    1").unwrap(), "x: 1\n");
/// ```
pub fn format_source(file: &str, source: &str) -> Result<String, SourceErrors> {
    let (ast, errors) = rcue_syntax::parse_file(source);
    if !errors.is_empty() {
        return Err(SourceErrors {
            file: file.to_string(),
            source: source.to_string(),
            errors,
        });
    }
    Ok(rcue_syntax::format::format_file(&ast, source))
}
