//! CUE syntax for rcue: lexer, parser, typed AST and formatter.
//!
//! This crate knows nothing about values. Parsing never fails outright: it
//! returns the tree *and* the errors, so tools can report several problems
//! in one run.
//!
//! ```
//! let (file, errors) = rcue_syntax::parse_file("a: 1 + 2\n");
//! assert!(errors.is_empty());
//! assert_eq!(file.decls.len(), 1);
//! ```

pub mod ast;
pub mod data;
pub mod dump;
pub mod error;
mod fast_parse;
pub mod format;
pub mod generate;
pub mod lexer;
pub mod literal;
mod parse_error;
pub mod parser;
pub mod span;
pub mod stack;

pub use error::{SyntaxDiagnostic, SyntaxError};
pub use parser::{parse_expr, parse_file};
pub use span::{LineIndex, Span};
