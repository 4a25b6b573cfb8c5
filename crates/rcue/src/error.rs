//! The error type of the embedding API: every problem of one operation,
//! each with its CUE path and the source positions it came from.

use std::fmt;

/// One problem found while compiling, evaluating, validating or decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// The CUE path of the value at fault (`spec.port`), empty for the
    /// top level or for problems that belong to no value (syntax errors).
    pub path: String,
    /// What is wrong, in the reference tool's wording where there is one.
    pub message: String,
    /// Every source position that contributed, as `file:line:column`.
    pub positions: Vec<String>,
    /// Whether the problem is only that a value is not concrete yet
    /// (`incomplete value int`), as opposed to a conflict.
    pub incomplete: bool,
}

impl Issue {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            path: path.into(),
            message: message.into(),
            positions: Vec::new(),
            incomplete: false,
        }
    }

    pub(crate) fn from_eval(e: rcue_eval::Error) -> Issue {
        Issue {
            path: e.path,
            message: e.msg,
            positions: e.pos,
            incomplete: e.incomplete,
        }
    }
}

impl fmt::Display for Issue {
    /// `path: message:` then each position indented on its own line, as
    /// `rcue export` prints errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)?;
        } else {
            write!(f, "{}: {}", self.path, self.message)?;
        }
        if !self.positions.is_empty() {
            f.write_str(":")?;
            for p in &self.positions {
                write!(f, "\n    {p}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Issue {}

impl miette::Diagnostic for Issue {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(if self.incomplete {
            "rcue::incomplete"
        } else {
            "rcue::error"
        }))
    }
}

/// The error of every fallible operation of the embedding API: one or
/// more [`Issue`]s, in a deterministic order.
///
/// ```
/// let ctx = rcue::Context::new();
/// let err = ctx.compile("a: 1\na: 2\n").unwrap().to_json().unwrap_err();
/// assert_eq!(err.issues()[0].path, "a");
/// assert!(err.to_string().starts_with("a: conflicting values"));
/// // Errors are `miette` diagnostics too; each issue is a related one.
/// use miette::Diagnostic;
/// assert_eq!(err.related().map(|r| r.count()), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    issues: Vec<Issue>,
}

impl Error {
    pub(crate) fn new(issues: Vec<Issue>) -> Error {
        debug_assert!(!issues.is_empty());
        Error { issues }
    }

    pub(crate) fn one(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(vec![Issue::new(path, message)])
    }

    pub(crate) fn from_eval(errs: Vec<rcue_eval::Error>) -> Error {
        let mut issues: Vec<Issue> = errs.into_iter().map(Issue::from_eval).collect();
        if issues.is_empty() {
            issues.push(Issue::new("", "evaluation failed"));
        }
        Error { issues }
    }

    /// Every problem, in order.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// let v = ctx.compile("a: int\nb: 1 & 2\n").unwrap();
    /// let err = v.validate_concrete().unwrap_err();
    /// let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    /// assert_eq!(paths, ["a", "b"]);
    /// ```
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Whether every issue is only about values not being concrete.
    ///
    /// ```
    /// let ctx = rcue::Context::new();
    /// let err = ctx.compile("a: int\n").unwrap().to_json().unwrap_err();
    /// assert!(err.is_incomplete());
    /// ```
    pub fn is_incomplete(&self) -> bool {
        self.issues.iter().all(|i| i.incomplete)
    }
}

impl fmt::Display for Error {
    /// The issues, one after another, each as [`Issue`] displays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl miette::Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("rcue::error"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.issues.iter().map(|i| i as &dyn miette::Diagnostic),
        ))
    }
}
