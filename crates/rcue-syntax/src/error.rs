//! Syntax errors, and their rendering in the reference tool's style
//! (`message:` then an indented `file:line:col`) or through `miette`.

use std::fmt;

use crate::span::{LineIndex, Span};

/// One syntax error at one span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl SyntaxError {
    pub fn new(span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
        }
    }

    /// `message:\n    file:line:col`, as `cue` prints it.
    pub fn render(&self, file: &str, index: &LineIndex) -> String {
        let (line, col) = index.line_col(self.span.start);
        format!("{}:\n    {}:{}:{}", self.message, file, line, col)
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// A syntax error bundled with its source, for `miette`'s fancy output.
#[derive(Debug)]
pub struct SyntaxDiagnostic {
    pub error: SyntaxError,
    pub src: miette::NamedSource<String>,
}

impl fmt::Display for SyntaxDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}

impl std::error::Error for SyntaxDiagnostic {}

impl miette::Diagnostic for SyntaxDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("rcue::syntax"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".to_string()), self.error.span),
        )))
    }
}
