//! The parser's error type. It records what chumsky's `Rich` records and
//! merges alternatives the same way, but keeps the reason inline instead
//! of behind two allocations, and records what failing alternatives
//! expected only when asked (`with_expected`): a parse meets a failing
//! alternative at almost every token (each `just` that does not match is
//! an error until another alternative succeeds), and with `Rich` making,
//! merging and dropping those was two fifths of parsing valid input,
//! whose messages nobody reads. The parser runs without them first, and
//! again with them when the input turns out to have errors.

use std::borrow::Cow;
use std::cell::Cell;

use chumsky::error::{Error, LabelError};
use chumsky::input::Input;
use chumsky::span::SimpleSpan;
use chumsky::util::MaybeRef;
use chumsky::DefaultExpected;

use crate::lexer::Token;

thread_local! {
    /// Whether errors made on this thread record what was expected.
    static RECORD_EXPECTED: Cell<bool> = const { Cell::new(true) };
}

fn recording() -> bool {
    RECORD_EXPECTED.with(Cell::get)
}

/// Runs `f` with the recording of expected patterns on or off (nested
/// parses, of interpolations, set their own and restore the caller's).
pub(crate) fn with_expected<T>(on: bool, f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            RECORD_EXPECTED.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(RECORD_EXPECTED.with(|r| r.replace(on)));
    f()
}

/// Something a failing parser expected (`Rich`'s patterns, less the ones
/// messages leave out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected<'s> {
    Token(Token<'s>),
    Label(&'static str),
    EndOfInput,
    /// Anything, or anything but what was found: not named in messages.
    Other,
}

impl<'s> From<DefaultExpected<'_, Token<'s>>> for Expected<'s> {
    fn from(e: DefaultExpected<'_, Token<'s>>) -> Expected<'s> {
        match e {
            DefaultExpected::Token(t) => Expected::Token(*t),
            DefaultExpected::EndOfInput => Expected::EndOfInput,
            _ => Expected::Other,
        }
    }
}

impl From<&'static str> for Expected<'_> {
    fn from(l: &'static str) -> Self {
        Expected::Label(l)
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Reason<'s> {
    Expected {
        expected: Vec<Expected<'s>>,
        /// `None` at the end of the input.
        found: Option<Token<'s>>,
    },
    Custom(Cow<'static, str>),
}

#[derive(Clone, Debug)]
pub(crate) struct ParseError<'s> {
    span: SimpleSpan,
    reason: Reason<'s>,
}

impl<'s> ParseError<'s> {
    pub(crate) fn custom(span: SimpleSpan, msg: impl Into<Cow<'static, str>>) -> ParseError<'s> {
        ParseError {
            span,
            reason: Reason::Custom(msg.into()),
        }
    }

    pub(crate) fn span(&self) -> SimpleSpan {
        self.span
    }

    pub(crate) fn reason(&self) -> &Reason<'s> {
        &self.reason
    }
}

/// Adds `new` to `into`, each pattern once, in order of arrival.
fn add_expected<'s>(into: &mut Vec<Expected<'s>>, new: impl IntoIterator<Item = Expected<'s>>) {
    for e in new {
        if !into.contains(&e) {
            into.push(e);
        }
    }
}

impl<'a, 's, I> Error<'a, I> for ParseError<'s>
where
    I: Input<'a, Token = Token<'s>, Span = SimpleSpan>,
{
    fn merge(self, other: Self) -> Self {
        // As `Rich`: a custom message wins (the first, if both are),
        // otherwise the expected patterns join, keeping the first `found`.
        match (self.reason, other.reason) {
            (a @ Reason::Custom(_), _) => ParseError {
                span: self.span,
                reason: a,
            },
            (_, b @ Reason::Custom(_)) => ParseError {
                span: self.span,
                reason: b,
            },
            (
                Reason::Expected {
                    mut expected,
                    found,
                },
                Reason::Expected {
                    expected: other, ..
                },
            ) => {
                add_expected(&mut expected, other);
                ParseError {
                    span: self.span,
                    reason: Reason::Expected { expected, found },
                }
            }
        }
    }
}

impl<'a, 's, I, L> LabelError<'a, I, L> for ParseError<'s>
where
    I: Input<'a, Token = Token<'s>, Span = SimpleSpan>,
    L: Into<Expected<'s>>,
{
    fn expected_found<E: IntoIterator<Item = L>>(
        expected: E,
        found: Option<MaybeRef<'a, Token<'s>>>,
        span: SimpleSpan,
    ) -> Self {
        let expected = if recording() {
            expected.into_iter().map(Into::into).collect()
        } else {
            Vec::new()
        };
        ParseError {
            span,
            reason: Reason::Expected {
                expected,
                found: found.map(|t| *t),
            },
        }
    }

    fn merge_expected_found<E: IntoIterator<Item = L>>(
        mut self,
        new_expected: E,
        new_found: Option<MaybeRef<'a, Token<'s>>>,
        _span: SimpleSpan,
    ) -> Self {
        if !recording() {
            return self;
        }
        if let Reason::Expected { expected, found } = &mut self.reason {
            add_expected(expected, new_expected.into_iter().map(Into::into));
            if found.is_none() {
                *found = new_found.map(|t| *t);
            }
        }
        self
    }

    fn replace_expected_found<E: IntoIterator<Item = L>>(
        mut self,
        new_expected: E,
        new_found: Option<MaybeRef<'a, Token<'s>>>,
        span: SimpleSpan,
    ) -> Self {
        self.span = span;
        self.reason = Reason::Expected {
            expected: if recording() {
                new_expected.into_iter().map(Into::into).collect()
            } else {
                Vec::new()
            },
            found: new_found.map(|t| *t),
        };
        self
    }

    fn label_with(&mut self, label: L) {
        if !recording() {
            return;
        }
        let label = label.into();
        match &mut self.reason {
            Reason::Expected { expected, .. } => {
                expected.clear();
                expected.push(label);
            }
            Reason::Custom(_) => {
                // As `Rich`: a labelled custom error becomes an expected
                // one (found nothing in particular).
                self.reason = Reason::Expected {
                    expected: vec![label],
                    found: None,
                };
            }
        }
    }
}
