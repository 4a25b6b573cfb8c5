//! The parser's error types. `ParseError` records what chumsky's `Rich`
//! records and merges alternatives the same way. A parse meets a failing
//! alternative at almost every token (each `just` that does not match is
//! an error until another alternative succeeds), and making, merging and
//! dropping those was two fifths of parsing valid input, whose messages
//! nobody reads. So the grammar is generic over its error type
//! (`GrammarError`): it runs first with `Quick`, which records nothing and
//! takes no room (chumsky then skips its error bookkeeping altogether),
//! and again with `ParseError` when the input turns out to have errors.

use std::borrow::Cow;

use chumsky::error::{Error, LabelError};
use chumsky::input::Input;
use chumsky::span::SimpleSpan;
use chumsky::util::MaybeRef;
use chumsky::DefaultExpected;

use crate::lexer::Token;

/// What the grammar asks of its error type, besides chumsky's traits: an
/// error with a message of its own.
pub(crate) trait GrammarError<'t, 's: 't, I>:
    Error<'t, I>
    + LabelError<'t, I, DefaultExpected<'t, Token<'s>>>
    + LabelError<'t, I, &'static str>
    + Clone
    + 't
where
    I: Input<'t, Token = Token<'s>, Span = SimpleSpan>,
{
    fn custom(span: SimpleSpan, msg: impl Into<Cow<'static, str>>) -> Self;
}

/// The error of the first, quick parse: only that there was one.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Quick;

impl<'t, I: Input<'t>> Error<'t, I> for Quick {
    fn merge(self, _: Self) -> Self {
        Quick
    }
}

impl<'t, I: Input<'t>, L> LabelError<'t, I, L> for Quick {
    fn expected_found<E: IntoIterator<Item = L>>(
        _: E,
        _: Option<MaybeRef<'t, I::Token>>,
        _: I::Span,
    ) -> Self {
        Quick
    }

    fn label_with(&mut self, _: L) {}
}

impl<'t, 's: 't, I> GrammarError<'t, 's, I> for Quick
where
    I: Input<'t, Token = Token<'s>, Span = SimpleSpan>,
{
    fn custom(_: SimpleSpan, _: impl Into<Cow<'static, str>>) -> Self {
        Quick
    }
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
    reason: Box<Reason<'s>>,
}

impl<'s> ParseError<'s> {
    fn new(span: SimpleSpan, reason: Reason<'s>) -> ParseError<'s> {
        ParseError {
            span,
            reason: Box::new(reason),
        }
    }

    pub(crate) fn span(&self) -> SimpleSpan {
        self.span
    }

    /// Why it failed.
    pub(crate) fn reason(&self) -> &Reason<'s> {
        &self.reason
    }
}

impl<'t, 's: 't, I> GrammarError<'t, 's, I> for ParseError<'s>
where
    I: Input<'t, Token = Token<'s>, Span = SimpleSpan>,
{
    fn custom(span: SimpleSpan, msg: impl Into<Cow<'static, str>>) -> Self {
        ParseError::new(span, Reason::Custom(msg.into()))
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
        match (&mut *self.reason, *other.reason) {
            (Reason::Custom(_), _) => {}
            (_, b @ Reason::Custom(_)) => *self.reason = b,
            (
                Reason::Expected { expected, .. },
                Reason::Expected {
                    expected: other, ..
                },
            ) => {
                add_expected(expected, other);
            }
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
        ParseError::new(
            span,
            Reason::Expected {
                expected: expected.into_iter().map(Into::into).collect(),
                found: found.map(|t| *t),
            },
        )
    }

    fn merge_expected_found<E: IntoIterator<Item = L>>(
        mut self,
        new_expected: E,
        new_found: Option<MaybeRef<'a, Token<'s>>>,
        _span: SimpleSpan,
    ) -> Self {
        if let Reason::Expected { expected, found } = &mut *self.reason {
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
        match &mut *self.reason {
            Reason::Expected { expected, .. } => {
                expected.clear();
                expected.push(label.into());
            }
            r @ Reason::Custom(_) => {
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
