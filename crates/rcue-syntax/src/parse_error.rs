//! The parser's error type. It records what chumsky's `Rich` records and
//! merges alternatives the same way, but only when asked
//! (`with_expected`): a parse meets a failing alternative at almost every
//! token (each `just` that does not match is an error until another
//! alternative succeeds), and with `Rich` making, merging and dropping
//! those was two fifths of parsing valid input, whose messages nobody
//! reads. The parser runs without them first (an error is then only a
//! span, cheap to make and move), and again with them when the input
//! turns out to have errors.

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
    /// `None` when not recording.
    reason: Option<Box<Reason<'s>>>,
}

impl<'s> ParseError<'s> {
    fn new(span: SimpleSpan, reason: impl FnOnce() -> Reason<'s>) -> ParseError<'s> {
        ParseError {
            span,
            reason: recording().then(|| Box::new(reason())),
        }
    }

    pub(crate) fn custom(span: SimpleSpan, msg: impl Into<Cow<'static, str>>) -> ParseError<'s> {
        ParseError::new(span, || Reason::Custom(msg.into()))
    }

    pub(crate) fn span(&self) -> SimpleSpan {
        self.span
    }

    /// Why it failed, when recorded.
    pub(crate) fn reason(&self) -> Option<&Reason<'s>> {
        self.reason.as_deref()
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
    fn merge(mut self, other: Self) -> Self {
        // As `Rich`: a custom message wins (the first, if both are),
        // otherwise the expected patterns join, keeping the first `found`.
        match (self.reason.as_deref_mut(), other.reason) {
            (Some(Reason::Custom(_)) | None, _) => {}
            (_, Some(b)) if matches!(*b, Reason::Custom(_)) => self.reason = Some(b),
            (Some(Reason::Expected { expected, .. }), Some(b)) => {
                if let Reason::Expected {
                    expected: other, ..
                } = *b
                {
                    add_expected(expected, other);
                }
            }
            (Some(_), None) => {}
        }
        self
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
        ParseError::new(span, || Reason::Expected {
            expected: expected.into_iter().map(Into::into).collect(),
            found: found.map(|t| *t),
        })
    }

    fn merge_expected_found<E: IntoIterator<Item = L>>(
        mut self,
        new_expected: E,
        new_found: Option<MaybeRef<'a, Token<'s>>>,
        _span: SimpleSpan,
    ) -> Self {
        if let Some(Reason::Expected { expected, found }) = self.reason.as_deref_mut() {
            add_expected(expected, new_expected.into_iter().map(Into::into));
            if found.is_none() {
                *found = new_found.map(|t| *t);
            }
        }
        self
    }

    fn replace_expected_found<E: IntoIterator<Item = L>>(
        self,
        new_expected: E,
        new_found: Option<MaybeRef<'a, Token<'s>>>,
        span: SimpleSpan,
    ) -> Self {
        <Self as LabelError<'a, I, L>>::expected_found(new_expected, new_found, span)
    }

    fn label_with(&mut self, label: L) {
        match self.reason.as_deref_mut() {
            None => {}
            Some(Reason::Expected { expected, .. }) => {
                expected.clear();
                expected.push(label.into());
            }
            Some(r @ Reason::Custom(_)) => {
                // As `Rich`: a labelled custom error becomes an expected
                // one (found nothing in particular).
                *r = Reason::Expected {
                    expected: vec![label.into()],
                    found: None,
                };
            }
        }
    }
}
