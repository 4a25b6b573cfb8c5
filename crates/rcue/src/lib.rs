//! rcue: an embeddable evaluator for the CUE configuration language.
//!
//! This crate is the facade embedders depend on, and the home of the `rcue`
//! command. Today it exposes the syntax layer: parsing, diagnostics and
//! formatting. Evaluation, loading and Kubernetes rendering are planned
//! layers (see `docs/ARCHITECTURE.md`).
//!
//! ```
//! let formatted = rcue::format_source("in.cue", "a:   1\nb: {c:2}\n").unwrap();
//! assert_eq!(formatted, "a: 1\nb: {c: 2}\n");
//! ```

pub use rcue_syntax as syntax;

use rcue_syntax::{LineIndex, SyntaxError};

/// Syntax errors of one file, with the text needed to render them.
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
