//! The CUE parser: tokens to the typed AST, built with `chumsky`.
//!
//! Parsing never fails outright: it returns a tree (possibly with
//! `Decl::Bad`/`ExprKind::Bad` placeholders) together with every error found.
//! Broken declarations are skipped up to the next comma or closing brace, so
//! one run reports several independent errors.
//!
//! Backtracking is kept linear in the nesting of brackets: rules that could
//! try a bracketed group twice look ahead by scanning tokens instead (see
//! `skip_unit`, `label_group_ahead` and the shared start of `x[i]` and
//! `x[lo:hi]`).

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use chumsky::input::{Input as _, MappedInput, ValueInput};
use chumsky::prelude::*;

use crate::ast::*;
use crate::error::SyntaxError;
use crate::fast_parse;
use crate::lexer::{lex, Token};
use crate::literal::{check_number, decode_string};
use crate::parse_error::{Expected, GrammarError, ParseError, Quick, Reason};
use crate::span::Span;

/// Nesting deeper than this is refused before parsing, so that no later
/// stage (parser, evaluator, printer, drop) can overflow its stack.
pub const MAX_NESTING: usize = 1000;
/// Operators and labels allowed in one declaration without a comma.
pub const MAX_CHAIN: usize = 10_000;

type TokenInput<'t, 's> = MappedInput<'t, Token<'s>, SimpleSpan, &'t [(Token<'s>, SimpleSpan)]>;

fn sp(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

thread_local! {
    /// Whether parses on this thread may take the fast path; tests turn it
    /// off to compare the two parsers.
    static FAST_PATH: Cell<bool> = const { Cell::new(true) };
}

/// `parse_file` with the `chumsky` grammar alone, interpolations included
/// (for tests that compare it with the fast path).
#[doc(hidden)]
pub fn parse_file_without_fast_path(src: &str) -> (File, Vec<SyntaxError>) {
    FAST_PATH.set(false);
    let out = parse_file(src);
    FAST_PATH.set(true);
    out
}

/// Whether the fast path parses `src` (for tests of its coverage).
#[doc(hidden)]
pub fn takes_fast_path(src: &str) -> bool {
    let lexed = lex(src, 0);
    if check_limits(&lexed.tokens).is_some() {
        return false;
    }
    fast_parse::parse_file(&without_errors(&lexed.tokens), src.len()).is_some()
}

/// The tokens the parsers read: the lexer's, less the invalid ones (whose
/// errors the lexer reported). Borrowed when there are none, as in all
/// valid input.
fn without_errors<'a, 's>(tokens: &'a [(Token<'s>, Span)]) -> Cow<'a, [(Token<'s>, Span)]> {
    match tokens.iter().any(|(t, _)| *t == Token::Error) {
        false => Cow::Borrowed(tokens),
        true => Cow::Owned(
            (tokens.iter())
                .filter(|(t, _)| *t != Token::Error)
                .copied()
                .collect(),
        ),
    }
}

/// Tokens with the span type chumsky works with, made only when the fast
/// path gave up.
fn chumsky_tokens<'s>(tokens: &[(Token<'s>, Span)]) -> Vec<(Token<'s>, SimpleSpan)> {
    (tokens.iter())
        .map(|(t, s)| (*t, SimpleSpan::from(s.range())))
        .collect()
}

/// Parses one CUE source file. `base` is the offset of `src` in its file
/// (non-zero only for nested parses).
pub fn parse_file(src: &str) -> (File, Vec<SyntaxError>) {
    parse_file_in(src, true)
}

/// `parse_file`, trying first with the `Quick` error or not.
fn parse_file_in(src: &str, quick_first: bool) -> (File, Vec<SyntaxError>) {
    let lexed = lex(src, 0);
    let mut errors = lexed.errors;
    let eoi = SimpleSpan::from(src.len()..src.len());
    let empty = File {
        attrs: vec![],
        package: None,
        imports: vec![],
        decls: vec![],
        comments: vec![],
        span: Span::new(0, src.len()),
    };
    if let Some(e) = check_limits(&lexed.tokens) {
        errors.push(e);
        return (
            File {
                comments: lexed.comments,
                ..empty
            },
            errors,
        );
    }
    let toks = without_errors(&lexed.tokens);
    let fast = match quick_first && FAST_PATH.get() {
        true => fast_parse::parse_file(&toks, src.len()),
        false => None,
    };
    let file = match fast {
        Some(file) => Some(file),
        None => {
            let tokens = chumsky_tokens(&toks);
            let (file, errs, gave_up) = parse_twice(
                quick_first,
                &tokens,
                eoi,
                file_parser::<Quick>,
                file_parser::<ParseError>,
            );
            add_parse_errors(&mut errors, errs, gave_up, src.len());
            file
        }
    };
    let mut file = file.unwrap_or(empty);
    file.comments = lexed.comments;
    file.span = Span::new(0, src.len());
    errors.sort_by_key(|e| e.span.start);
    // One message per position: recovery at the end of input can report the
    // same missing bracket twice.
    errors.dedup_by_key(|e| e.span.start);
    (file, errors)
}

/// Parses a single expression (as `-e` arguments and interpolations are),
/// with spans offset by `base`.
pub fn parse_expr(src: &str, base: usize) -> (Expr, Vec<SyntaxError>) {
    let lexed = lex(src, base);
    let mut errors = lexed.errors;
    let end = base + src.len();
    let bad = Expr::new(ExprKind::Bad, Span::new(base, end));
    if let Some(e) = check_limits(&lexed.tokens) {
        errors.push(e);
        return (bad, errors);
    }
    let toks = without_errors(&lexed.tokens);
    if FAST_PATH.get() {
        if let Some(expr) = fast_parse::parse_expr(&toks, end) {
            return (expr, errors);
        }
    }
    let tokens = chumsky_tokens(&toks);
    let eoi = SimpleSpan::from(end..end);
    let (expr, errs, gave_up) = parse_twice(
        true,
        &tokens,
        eoi,
        expr_only_parser::<Quick>,
        expr_only_parser::<ParseError>,
    );
    add_parse_errors(&mut errors, errs, gave_up, end);
    (expr.unwrap_or(bad), errors)
}

/// Runs a parse with the `Quick` error, which records nothing (valid
/// input needs nothing of its errors); when that finds errors, runs it
/// again with `ParseError`, for their messages. Gives the output, the
/// errors and where recovery gave up, if it did.
fn parse_twice<'t, 's: 't, O, Q, F>(
    quick_first: bool,
    tokens: &'t [(Token<'s>, SimpleSpan)],
    eoi: SimpleSpan,
    quick: impl FnOnce(usize) -> (Q, FailureMemo<Quick>),
    full: impl FnOnce(usize) -> (F, FailureMemo<ParseError<'s>>),
) -> (Option<O>, Vec<ParseError<'s>>, Option<usize>)
where
    Q: Parser<'t, TokenInput<'t, 's>, O, extra::Err<Quick>>,
    F: Parser<'t, TokenInput<'t, 's>, O, extra::Err<ParseError<'s>>>,
{
    // A fresh grammar per run: its failure memo holds the run's errors.
    if quick_first {
        let (out, errs, gave_up) = run_once(quick(tokens.len()), tokens, eoi);
        if errs.is_empty() {
            return (out, Vec::new(), gave_up);
        }
    }
    run_once(full(tokens.len()), tokens, eoi)
}

/// One parse of `tokens` with a grammar and its failure memo.
fn run_once<'t, 's: 't, O, P, E>(
    (parser, state): (P, FailureMemo<E>),
    tokens: &'t [(Token<'s>, SimpleSpan)],
    eoi: SimpleSpan,
) -> (Option<O>, Vec<E>, Option<usize>)
where
    P: Parser<'t, TokenInput<'t, 's>, O, extra::Err<E>>,
    E: GrammarError<'t, 's, TokenInput<'t, 's>>,
{
    let (out, errs) = parser
        .parse(tokens.split_token_span(eoi))
        .into_output_errors();
    let gave_up = state.borrow().gave_up;
    (out, errs, gave_up)
}

/// Adds a parse's errors to `errors`. When recovery ran out of steps (see
/// `RuleState`), what it reported after that point says nothing about the
/// input: one error at that point says where it stopped instead.
fn add_parse_errors(
    errors: &mut Vec<SyntaxError>,
    errs: Vec<ParseError>,
    stop: Option<usize>,
    end: usize,
) {
    errors.extend(errs.into_iter().map(to_syntax_error).filter(|e| {
        e.message != PARSING_STOPPED && stop.is_none_or(|at| (e.span.start as usize) < at)
    }));
    let Some(at) = stop else {
        return;
    };
    let at = at.min(end);
    errors.push(SyntaxError {
        message: "too many syntax errors to recover from: parsing stopped here".to_string(),
        span: Span::new(at, at),
    });
}

fn check_limits(tokens: &[(Token, Span)]) -> Option<SyntaxError> {
    let mut depth = 0usize;
    let mut chain = 0usize;
    for (t, s) in tokens {
        match t {
            Token::LParen | Token::LBracket | Token::LBrace => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(SyntaxError::new(
                        *s,
                        format!("nesting too deep: more than {MAX_NESTING} levels of brackets"),
                    ));
                }
            }
            Token::RParen | Token::RBracket | Token::RBrace => depth = depth.saturating_sub(1),
            Token::Comma | Token::Newline => chain = 0,
            Token::Ident(_) | Token::Int(_) | Token::Float(_) | Token::String(_) => {}
            _ => {
                chain += 1;
                if chain > MAX_CHAIN {
                    return Some(SyntaxError::new(
                        *s,
                        format!("expression too long: more than {MAX_CHAIN} operators in one declaration"),
                    ));
                }
            }
        }
    }
    None
}

fn describe(t: Option<&Token>) -> String {
    match t {
        None => "end of file".to_string(),
        Some(Token::Newline) => "newline".to_string(),
        Some(Token::String(s)) => s.to_string(),
        Some(t) => format!("'{}'", t),
    }
}

fn to_syntax_error(e: ParseError) -> SyntaxError {
    let span = sp(e.span());
    let msg = match e.reason() {
        Reason::Custom(m) => m.to_string(),
        Reason::Expected { expected, found } => {
            let mut expected: Vec<String> = expected
                .iter()
                .filter_map(|p| match p {
                    Expected::Token(t) => Some(describe(Some(t))),
                    Expected::Label(l) => Some(l.to_string()),
                    Expected::EndOfInput => Some("end of file".to_string()),
                    Expected::Other => None,
                })
                .collect();
            expected.sort();
            expected.dedup();
            let found = describe(found.as_ref());
            match expected.len() {
                0 => format!("unexpected {found}"),
                1 => format!("expected {}, found {found}", expected[0]),
                _ => format!("expected one of {}, found {found}", expected.join(", ")),
            }
        }
    };
    SyntaxError::new(span, msg)
}

fn comma<'t, 's: 't, I, E>() -> impl Parser<'t, I, (), extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    select! { Token::Comma => (), Token::Newline => () }.labelled("','")
}

fn ident<'t, 's: 't, I, E>() -> impl Parser<'t, I, Ident, extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    select! { Token::Ident(s) => s }
        .map_with(|s, e| Ident {
            name: s.to_string(),
            span: sp(e.span()),
        })
        .labelled("identifier")
}

/// `X=` before a label, value or pattern. Most have no alias, so the
/// attempt usually fails at the `=`: the identifier is only made once the
/// `=` is there (making it first, for every label and reference, was a
/// tenth of the parser's allocations).
fn alias_prefix<'t, 's: 't, I, E>(
) -> impl Parser<'t, I, Ident, extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    select! { Token::Ident(s) => s }
        .map_with(|s, e| (s, sp(e.span())))
        .labelled("identifier")
        .then_ignore(just(Token::Assign))
        .map(|(s, span)| Ident {
            name: s.to_string(),
            span,
        })
}

fn keyword<'t, 's: 't, I, E>(
    kw: &'static str,
) -> impl Parser<'t, I, (), extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    just(Token::Ident(kw)).ignored().labelled(kw)
}

fn attribute<'t, 's: 't, I, E>(
) -> impl Parser<'t, I, Attribute, extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    select! { Token::Attr(s) => s }.map_with(|s, e| {
        let open = s.find('(').unwrap_or(s.len());
        Attribute {
            name: s[1..open].to_string(),
            body: s.get(open + 1..s.len() - 1).unwrap_or("").to_string(),
            span: sp(e.span()),
        }
    })
}

/// A string literal, decoded; interpolations are parsed recursively.
fn string_lit<'t, 's: 't, I, E>(
) -> impl Parser<'t, I, StringLit, extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    select! { Token::String(s) => s }
        .labelled("string")
        .validate(|raw, e, emitter| {
            let span: SimpleSpan = e.span();
            let start = span.start;
            let mut errors = Vec::new();
            let mut parse = |text: &str, at: usize, errs: &mut Vec<SyntaxError>| {
                let (expr, es) = parse_expr(text, at);
                errs.extend(es);
                expr
            };
            let lit = decode_string(raw, start, &mut errors, &mut parse);
            for err in errors {
                emitter.emit(E::custom(SimpleSpan::from(err.span.range()), err.message));
            }
            lit
        })
}

/// Skips one token, or a whole bracketed group, during error recovery.
///
/// An opening bracket whose group meets a closer of another kind is skipped
/// as a single token; one whose group is still open at the end of input is
/// skipped with everything after it. The group's end
/// is found by one scan with a stack of open brackets: a combinator grammar
/// of nested groups tried each unclosed bracket again from every enclosing
/// one, taking time exponential in the nesting.
fn skip_unit<'t, 's: 't, I, E>() -> impl Parser<'t, I, (), extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    custom(|inp| {
        let before = inp.cursor();
        let Some(first) = inp.next() else {
            return Err(E::custom(inp.span_since(&before), "nothing to skip"));
        };
        if closer_of(&first).is_none() {
            if is_closer(&first) {
                return Err(E::custom(inp.span_since(&before), "closing bracket"));
            }
            return Ok(());
        }
        let single = inp.save();
        let mut open = vec![first];
        while let Some(t) = inp.peek() {
            if closer_of(&t).is_some() {
                open.push(t);
            } else if is_closer(&t) {
                // A group that meets a closer of another kind fails, and its
                // opener counts as a plain token of the enclosing group.
                while open.last().is_some_and(|o| closer_of(o) != Some(t)) {
                    open.pop();
                }
                if open.pop().is_none() {
                    break;
                }
                if open.is_empty() {
                    inp.skip();
                    return Ok(());
                }
            }
            inp.skip();
        }
        if inp.peek().is_none() {
            // The group is still open at the end of input: everything left
            // is inside it, so it is skipped whole. Skipping only the
            // opener would make every enclosing declaration's recovery
            // parse the rest again, in time exponential in the nesting.
            return Ok(());
        }
        inp.rewind(single);
        Ok(())
    })
}

/// Failures already seen, by parser and input position.
type FailureMemo<E> = Rc<RefCell<RuleState<E>>>;

/// What the uses of grammar rules share during one parse.
struct RuleState<E> {
    /// Failures already seen, by rule and input position.
    failures: HashMap<(u8, usize), E>,
    /// Rule uses so far, and how many the input may take: error recovery
    /// on some broken inputs still re-parses far more than their length,
    /// so parsing gives up (with an error) past a multiple of it.
    steps: usize,
    budget: usize,
    /// Where the budget ran out.
    gave_up: Option<usize>,
}

/// Rule uses allowed per token, and in any case. Valid input takes at
/// most 1.5 per token (measured over the conformance cases and
/// `testdata/`); broken input may take many more while recovering.
const STEPS_PER_TOKEN: usize = 32;
/// The failure of every rule use after that (not reported as such).
const PARSING_STOPPED: &str = "parsing stopped";
const MIN_STEPS: usize = 20_000;

/// A grammar rule that other rules use before it is defined (the
/// grammar is recursive).
type Rule<'t, I, O, E> = Rc<OnceCell<Boxed<'t, 't, I, O, extra::Err<E>>>>;

/// Stack kept free below a rule's parse, and the size of each extension
/// when it runs short (the nesting depth is bounded before parsing).
pub(crate) const STACK_RED_ZONE: usize = 128 * 1024;
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// A use of `rule`. It holds the rule weakly: rules that held each other
/// strongly (chumsky's declared recursive parsers) formed a cycle, and the
/// grammar built for every parse was leaked.
///
/// Failures are remembered by position: error recovery re-parses the
/// inside of a broken group from every enclosing group, and each attempt
/// meets the same failures again; answering those at once keeps recovery
/// from growing exponentially with the number of broken groups. Successes
/// are not kept: valid input never asks twice. (chumsky's own `memoized`
/// loses the error its recovery needs, in 0.12.)
fn use_rule<'t, 's: 't, I, E, O>(
    rule: &Rule<'t, I, O, E>,
    memo: FailureMemo<E>,
    which: u8,
) -> impl Parser<'t, I, O, extra::Err<E>> + Clone + use<'t, 's, I, E, O>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
    O: 't,
{
    let rule = Rc::downgrade(rule);
    custom(
        move |inp: &mut chumsky::input::InputRef<'t, '_, I, extra::Err<E>>| {
            let here = inp.cursor();
            let key = (which, inp.span_since(&here).start);
            {
                let mut st = memo.borrow_mut();
                if let Some(err) = st.failures.get(&key) {
                    return Err(err.clone());
                }
                st.steps += 1;
                if st.steps > st.budget {
                    st.gave_up.get_or_insert(key.1);
                    return Err(E::custom(inp.span_since(&here), PARSING_STOPPED));
                }
            }
            let parser = rule
                .upgrade()
                .and_then(|r| r.get().cloned())
                .expect("grammar rules are defined before parsing and outlive it");
            let result = crate::stack::grow(STACK_RED_ZONE, STACK_GROWTH, || inp.parse(&parser));
            if let Err(err) = &result {
                memo.borrow_mut().failures.insert(key, err.clone());
            }
            result
        },
    )
}

/// The closing bracket of an opening one.
pub(crate) fn closer_of<'s>(t: &Token<'s>) -> Option<Token<'s>> {
    match t {
        Token::LBrace => Some(Token::RBrace),
        Token::LBracket => Some(Token::RBracket),
        Token::LParen => Some(Token::RParen),
        _ => None,
    }
}

pub(crate) fn is_closer(t: &Token) -> bool {
    matches!(t, Token::RBrace | Token::RBracket | Token::RParen)
}

/// Succeeds, consuming nothing, unless the input starts with a bracketed
/// group that is not followed by what ends a label (`:`, `?`, `!`, `~`,
/// `=`). A declaration starting with `[x]` or `(x)` is tried as a field
/// only then: otherwise it is an embedded list or expression, and parsing
/// the group as a label first, in every enclosing group, took time
/// exponential in the nesting (`{[{[{[...]}]}]}`).
fn label_group_ahead<'t, 's: 't, I, E>(
) -> impl Parser<'t, I, (), extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    custom(|inp| {
        let start = inp.save();
        let before = inp.cursor();
        let Some(first) = inp.peek() else {
            return Ok(());
        };
        if !matches!(first, Token::LBracket | Token::LParen) {
            return Ok(());
        }
        let mut depth = 0usize;
        let mut next = None;
        while let Some(t) = inp.next() {
            if closer_of(&t).is_some() {
                depth += 1;
            } else if is_closer(&t) {
                depth -= 1;
                if depth == 0 {
                    next = inp.peek();
                    break;
                }
            }
        }
        let span = inp.span_since(&before);
        inp.rewind(start);
        match next {
            Some(Token::Colon | Token::Question | Token::Bang | Token::Tilde | Token::Assign) => {
                Ok(())
            }
            _ => Err(E::custom(span, "not a label")),
        }
    })
}

/// What may follow a declaration or element: commas, or the closing
/// bracket. Anything else is reported and skipped up to the next comma, so
/// that parsing goes on with the next declaration.
fn terminator<'t, 's: 't, I, E>(
    closer: Token<'s>,
) -> impl Parser<'t, I, (), extra::Err<E>> + Clone + use<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    choice((
        comma().repeated().at_least(1).ignored(),
        just(closer).rewind().ignored(),
    ))
    .recover_with(skip_until(
        skip_unit(),
        choice((
            comma().repeated().at_least(1).ignored(),
            just(closer).rewind().ignored(),
        )),
        || (),
    ))
}

/// The grammar's two recursive rules. Parsers built from them must keep
/// `rules` alive (see `keep_alive`): uses of a rule hold it weakly.
struct Grammar<'t, 's: 't, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    expr: Boxed<'t, 't, I, Expr, extra::Err<E>>,
    decl: Boxed<'t, 't, I, Decl, extra::Err<E>>,
    rules: (Rule<'t, I, Expr, E>, Rule<'t, I, Decl, E>),
    state: FailureMemo<E>,
}

/// `parser`, holding the grammar's rules for as long as it lives.
fn keep_alive<'t, 's: 't, I, E, O, R: Clone + 't, P>(
    parser: P,
    rules: R,
) -> impl Parser<'t, I, O, extra::Err<E>> + Clone + use<'t, 's, I, E, O, R, P>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
    P: Parser<'t, I, O, extra::Err<E>> + Clone,
{
    parser.map(move |out| {
        std::hint::black_box(&rules);
        out
    })
}

fn grammar<'t, 's: 't, I, E>(tokens: usize) -> Grammar<'t, 's, I, E>
where
    I: ValueInput<'t, Token = Token<'s>, Span = SimpleSpan>,
    E: GrammarError<'t, 's, I>,
{
    let memo: FailureMemo<E> = Rc::new(RefCell::new(RuleState {
        failures: HashMap::new(),
        steps: 0,
        budget: tokens.saturating_mul(STEPS_PER_TOKEN).max(MIN_STEPS),
        gave_up: None,
    }));
    let expr_rule: Rule<'t, I, Expr, E> = Rc::default();
    let decl_rule: Rule<'t, I, Decl, E> = Rc::default();
    let expr = use_rule(&expr_rule, memo.clone(), 1);
    let decl = use_rule(&decl_rule, memo.clone(), 0);

    // `X=expr`, allowed in value, embedding, element and label positions.
    let alias_expr = alias_prefix()
        .or_not()
        .then(expr.clone())
        .map_with(|(alias, e): (Option<Ident>, Expr), x| match alias {
            Some(a) => Expr::new(ExprKind::Alias(a, Box::new(e)), sp(x.span())),
            None => e,
        })
        .boxed();

    // A struct body: declarations separated by commas.
    let decl_or_bad = none_of([Token::RBrace])
        .rewind()
        .ignore_then(
            decl.clone().recover_with(skip_until(
                skip_unit(),
                choice((
                    one_of([Token::Comma, Token::Newline, Token::RBrace]).ignored(),
                    end(),
                ))
                .rewind(),
                || Decl::Bad(Span::default()),
            )),
        )
        .map_with(|d, e| match d {
            Decl::Bad(_) => Decl::Bad(sp(e.span())),
            d => d,
        });
    let struct_lit = comma()
        .repeated()
        .ignore_then(
            decl_or_bad
                .then_ignore(terminator(Token::RBrace))
                .repeated()
                .collect::<Vec<_>>(),
        )
        .delimited_by(just(Token::LBrace), just(Token::RBrace).labelled("'}'"))
        .map_with(|decls, e| StructLit {
            decls,
            elided: false,
            span: sp(e.span()),
        })
        .boxed();

    // Comprehension clauses.
    let let_clause = keyword("let")
        .ignore_then(ident())
        .then_ignore(just(Token::Assign))
        .then(expr.clone())
        .map_with(|(name, value), e| LetClause {
            name,
            value,
            span: sp(e.span()),
        })
        .boxed();
    let binder = ident().or(just(Token::Underscore).map_with(|_, e| Ident {
        name: "_".to_string(),
        span: sp(e.span()),
    }));
    let for_clause = keyword("for")
        .ignore_then(binder.clone())
        .then(just(Token::Comma).ignore_then(binder).or_not())
        .then_ignore(keyword("in"))
        .then(expr.clone())
        .map_with(|((first, second), source), e| {
            let (key, value) = match second {
                Some(v) => (Some(first), v),
                None => (None, first),
            };
            Clause::For {
                key,
                value,
                source,
                span: sp(e.span()),
            }
        });
    let if_clause = keyword("if")
        .ignore_then(expr.clone())
        .map_with(|c, e| Clause::If(c, sp(e.span())));
    let try_clause = keyword("try")
        .ignore_then(
            ident()
                .then_ignore(just(Token::Assign))
                .then(expr.clone())
                .map_with(|(name, value), e| LetClause {
                    name,
                    value,
                    span: sp(e.span()),
                })
                .or_not(),
        )
        .map_with(|l, e| Clause::Try(l, sp(e.span())));
    let start_clause = choice((for_clause, if_clause, try_clause)).boxed();
    let clause = choice((start_clause.clone(), let_clause.clone().map(Clause::Let)));
    let comprehension = start_clause
        .then(
            comma()
                .or_not()
                .ignore_then(clause)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then(struct_lit.clone())
        .then(
            keyword("else")
                .or(keyword("fallback"))
                .ignore_then(struct_lit.clone())
                .or_not(),
        )
        .map_with(|(((first, mut rest), body), else_body), e| {
            rest.insert(0, first);
            Comprehension {
                clauses: rest,
                body,
                else_body,
                span: sp(e.span()),
            }
        })
        .boxed();

    let ellipsis = just(Token::Ellipsis)
        .ignore_then(expr.clone().or_not())
        .map_with(|t, e| (t, sp(e.span())));

    // Lists.
    let list_elem = choice((
        comprehension.clone().map(ListElem::Comprehension),
        ellipsis.clone().map(|(t, s)| ListElem::Ellipsis(t, s)),
        alias_expr.clone().map(ListElem::Expr),
    ));
    let list_lit = comma()
        .repeated()
        .ignore_then(
            none_of([Token::RBracket])
                .rewind()
                .ignore_then(list_elem)
                .then_ignore(terminator(Token::RBracket))
                .repeated()
                .collect::<Vec<_>>(),
        )
        .delimited_by(just(Token::LBracket), just(Token::RBracket).labelled("']'"))
        .validate(|elems: Vec<ListElem>, _e, emitter| {
            let n = elems.len();
            for (i, el) in elems.iter().enumerate() {
                if let ListElem::Ellipsis(_, s) = el {
                    if i + 1 != n {
                        emitter.emit(E::custom(
                            SimpleSpan::from(s.range()),
                            "ellipsis must be the last element of a list",
                        ));
                    }
                }
            }
            elems
        })
        .map_with(|elems, e| ListLit {
            elems,
            span: sp(e.span()),
        })
        .boxed();

    // Operands.
    let literal = select! {
        Token::Int(s) => ExprKind::Int(s.to_string()),
        Token::Float(s) => ExprKind::Float(s.to_string()),
        Token::Underscore => ExprKind::Top,
        Token::Bottom => ExprKind::Bottom,
        Token::Ident("null") => ExprKind::Null,
        Token::Ident("true") => ExprKind::Bool(true),
        Token::Ident("false") => ExprKind::Bool(false),
    }
    .validate(|k, e, emitter| {
        if let ExprKind::Int(t) | ExprKind::Float(t) = &k {
            if let Some(m) = check_number(t) {
                emitter.emit(E::custom(e.span(), m));
            }
        }
        k
    })
    .map_with(|k, e| Expr::new(k, sp(e.span())));
    let operand = choice((
        literal,
        string_lit().map(|s| {
            let span = s.span;
            Expr::new(ExprKind::String(s), span)
        }),
        ident().map(|i| {
            let span = i.span;
            Expr::new(ExprKind::Ident(i), span)
        }),
        expr.clone()
            .delimited_by(just(Token::LParen), just(Token::RParen).labelled("')'"))
            .map_with(|x, e| Expr::new(ExprKind::Paren(Box::new(x)), sp(e.span()))),
        list_lit.map(|l| {
            let span = l.span;
            Expr::new(ExprKind::List(l), span)
        }),
        struct_lit.clone().map(|s| {
            let span = s.span;
            Expr::new(ExprKind::Struct(s), span)
        }),
    ))
    .labelled("expression")
    .boxed();

    // Most operands have no postfix: one token test rejects all five forms.
    let postfix_start = one_of([
        Token::Dot,
        Token::LBracket,
        Token::Ellipsis,
        Token::Question,
        Token::LParen,
    ])
    .rewind();
    let postfix = postfix_start.ignore_then(choice((
        just(Token::Dot)
            .ignore_then(choice((
                ident().map(LabelKind::Ident),
                string_lit().map(LabelKind::String),
            )))
            .map(Postfix::Sel),
        // `x[i]` and `x[lo:hi]` share their start, which is parsed once:
        // trying one form and then the other took time exponential in the
        // nesting of `x[y[z[...`.
        just(Token::LBracket).ignore_then(choice((
            expr.clone()
                .then(choice((
                    comma()
                        .or_not()
                        .then(just(Token::RBracket))
                        .to(None::<Option<Expr>>),
                    just(Token::Colon)
                        .ignore_then(expr.clone().or_not())
                        .then_ignore(just(Token::RBracket))
                        .map(Some),
                )))
                .map(|(first, slice)| match slice {
                    None => Postfix::Index(first),
                    Some(hi) => Postfix::Slice(Some(first), hi),
                }),
            just(Token::Colon)
                .ignore_then(expr.clone().or_not())
                .then_ignore(just(Token::RBracket))
                .map(|hi| Postfix::Slice(None, hi)),
        ))),
        // `x...` only where no ellipsis element or declaration could follow.
        just(Token::Ellipsis)
            .then(
                any()
                    .filter(|t: &Token| !starts_operand(t))
                    .ignored()
                    .or(end())
                    .rewind(),
            )
            .to(Postfix::Open),
        just(Token::Question)
            .then(none_of([Token::Colon, Token::Tilde]).rewind())
            .to(Postfix::Try),
        expr.clone()
            .separated_by(comma())
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map(Postfix::Call),
    )));
    let primary = operand
        .foldl_with(postfix.repeated(), |x, p, e| {
            Expr::new(p.apply(x), sp(e.span()))
        })
        .boxed();

    let unary_op = chumsky::primitive::select(|t, _| unary_op(t));
    let unary = unary_op
        .map_with(|op, e| (op, sp(e.span())))
        .repeated()
        .foldr(primary, |(op, s), x| {
            let span = s.to(x.span);
            Expr::new(ExprKind::Unary(op, Box::new(x)), span)
        })
        .boxed();

    // All binary operators in one pass; the tree is built by precedence
    // afterwards (one failed token match per operand instead of one per
    // precedence level).
    let binary_op = chumsky::primitive::select(|t, _| binary_op(t));
    let binary = unary
        .clone()
        .then(binary_op.then(unary).repeated().collect::<Vec<_>>())
        .map(|(first, rest)| build_binary(first, rest))
        .boxed();
    let _ = expr_rule.set(binary.boxed());

    // Labels.
    let label_name = choice((
        ident().map(LabelKind::Ident),
        string_lit().map(LabelKind::String),
        alias_expr
            .clone()
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map(|e| LabelKind::Dynamic(Box::new(e))),
    ));
    let label_expr = choice((
        label_name.then(
            select! { Token::Question => Constraint::Optional, Token::Bang => Constraint::Required }
                .or_not()
                .map(|c| c.unwrap_or(Constraint::Regular)),
        ),
        alias_prefix()
            .or_not()
            .then(expr.clone())
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(|(a, e)| (LabelKind::Pattern(a, Box::new(e)), Constraint::Regular)),
    ));
    let alias_name = ident().or(just(Token::Underscore).map_with(|_, e| Ident {
        name: "_".to_string(),
        span: sp(e.span()),
    }));
    let postfix_alias = just(Token::Tilde).ignore_then(choice((
        alias_name
            .clone()
            .then(just(Token::Comma).ignore_then(alias_name.clone()).or_not())
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map(|(a, b)| paren_alias(a, b)),
        alias_name.map(|v| PostfixAlias {
            label: None,
            value: v,
            parens: false,
        }),
    )));
    let label = alias_prefix()
        .or_not()
        .then(label_expr)
        .then(postfix_alias.or_not())
        .then(
            select! { Token::Question => Constraint::Optional, Token::Bang => Constraint::Required }
                .or_not(),
        )
        .map_with(|(((alias, (kind, constraint)), postfix_alias), late), e| Label {
            alias,
            kind,
            constraint: late.unwrap_or(constraint),
            postfix_alias: postfix_alias.map(Box::new),
            span: sp(e.span()),
        })
        .boxed();
    let field = label_group_ahead()
        .ignore_then(label)
        .then_ignore(just(Token::Colon))
        .repeated()
        .at_least(1)
        .collect::<Vec<_>>()
        .then(alias_expr.clone())
        .then(attribute().repeated().collect::<Vec<_>>())
        .map_with(|((mut labels, value), attrs): ((Vec<Label>, _), _), e| {
            let end = e.span().end;
            let innermost = labels.pop().expect("at least one label");
            shorthand_field(labels, innermost, value, attrs, end)
        })
        .boxed();

    let decl_body = choice((
        attribute().map(Decl::Attribute),
        field.map(Decl::Field),
        comprehension.map(Decl::Comprehension),
        let_clause.map(Decl::Let),
        ellipsis.map(|(t, s)| Decl::Ellipsis(t, s)),
        alias_expr.map(Decl::Embed),
    ))
    .boxed();
    let _ = decl_rule.set(decl_body.boxed());

    Grammar {
        expr: expr.boxed(),
        decl: decl.boxed(),
        rules: (expr_rule, decl_rule),
        state: memo,
    }
}

/// The prefix operator a token is, if any (the grammar's and the fast
/// path's one table).
pub(crate) fn unary_op(t: Token) -> Option<UnaryOp> {
    Some(match t {
        Token::Plus => UnaryOp::Plus,
        Token::Minus => UnaryOp::Neg,
        Token::Bang => UnaryOp::Not,
        Token::Star => UnaryOp::Default,
        Token::Lt => UnaryOp::Lt,
        Token::Le => UnaryOp::Le,
        Token::Gt => UnaryOp::Gt,
        Token::Ge => UnaryOp::Ge,
        Token::NotEq => UnaryOp::Ne,
        Token::Match => UnaryOp::Match,
        Token::NotMatch => UnaryOp::NotMatch,
        Token::EqEq => UnaryOp::Eq,
        _ => return None,
    })
}

/// The binary operator a token is, if any.
pub(crate) fn binary_op(t: Token) -> Option<BinaryOp> {
    Some(match t {
        Token::Pipe => BinaryOp::Or,
        Token::Amp => BinaryOp::And,
        Token::OrOr => BinaryOp::LogicalOr,
        Token::AndAnd => BinaryOp::LogicalAnd,
        Token::EqEq => BinaryOp::Eq,
        Token::NotEq => BinaryOp::Ne,
        Token::Lt => BinaryOp::Lt,
        Token::Le => BinaryOp::Le,
        Token::Gt => BinaryOp::Gt,
        Token::Ge => BinaryOp::Ge,
        Token::Match => BinaryOp::Match,
        Token::NotMatch => BinaryOp::NotMatch,
        Token::Plus => BinaryOp::Add,
        Token::Minus => BinaryOp::Sub,
        Token::Star => BinaryOp::Mul,
        Token::Slash => BinaryOp::Div,
        _ => return None,
    })
}

/// What may follow an operand: `.sel`, `[i]`, `[lo:hi]`, `(args)`, `...`
/// (the explicitopen experiment) or `?` (the try experiment). Both
/// parsers read these, then `apply` them.
#[derive(Clone)]
pub(crate) enum Postfix {
    Sel(LabelKind),
    Index(Expr),
    Slice(Option<Expr>, Option<Expr>),
    Call(Vec<Expr>),
    Open,
    Try,
}

impl Postfix {
    /// The expression `x` followed by this postfix form.
    pub(crate) fn apply(self, x: Expr) -> ExprKind {
        let x = Box::new(x);
        match self {
            Postfix::Sel(l) => ExprKind::Selector(x, l),
            Postfix::Index(i) => ExprKind::Index(x, Box::new(i)),
            Postfix::Slice(lo, hi) => ExprKind::Slice(x, lo.map(Box::new), hi.map(Box::new)),
            Postfix::Open => ExprKind::Open(x),
            Postfix::Try => ExprKind::Try(x),
            Postfix::Call(args) => ExprKind::Call(x, args),
        }
    }
}

/// The postfix alias written in parentheses: `~(K,V)` names the label and
/// the value, `~(V)` the value alone (both parsers build it here).
pub(crate) fn paren_alias(first: Ident, second: Option<Ident>) -> PostfixAlias {
    let (label, value) = match second {
        Some(v) => (Some(first), v),
        None => (None, first),
    };
    PostfixAlias {
        label,
        value,
        parens: true,
    }
}

/// The field `a: b: c: value` stands for: the innermost label takes the
/// value and attributes, and each label before it (`outer`, outermost
/// first) a struct, marked `elided`, holding the next field. `end` is
/// where the declaration ends.
pub(crate) fn shorthand_field(
    outer: Vec<Label>,
    innermost: Label,
    value: Expr,
    attrs: Vec<Attribute>,
    end: usize,
) -> Field {
    let mut field = Field {
        span: Span::new(innermost.span.start as usize, end),
        label: innermost,
        value,
        attrs,
    };
    for label in outer.into_iter().rev() {
        let inner_span = field.span;
        field = Field {
            span: Span::new(label.span.start as usize, end),
            label,
            value: Expr::new(
                ExprKind::Struct(StructLit {
                    decls: vec![Decl::Field(field)],
                    elided: true,
                    span: inner_span,
                }),
                inner_span,
            ),
            attrs: vec![],
        };
    }
    field
}

/// Builds the left-associative tree of `first (op operand)*` by operator
/// precedence (spec: Operator precedence).
pub(crate) fn build_binary(first: Expr, rest: Vec<(BinaryOp, Expr)>) -> Expr {
    if rest.is_empty() {
        return first;
    }
    let mut operands = vec![first];
    let mut ops: Vec<BinaryOp> = Vec::new();
    fn reduce(operands: &mut Vec<Expr>, ops: &mut Vec<BinaryOp>) {
        let op = ops.pop().expect("operator");
        let r = operands.pop().expect("right operand");
        let l = operands.pop().expect("left operand");
        let span = l.span.to(r.span);
        operands.push(Expr::new(
            ExprKind::Binary(op, Box::new(l), Box::new(r)),
            span,
        ));
    }
    for (op, operand) in rest {
        while ops
            .last()
            .is_some_and(|top| top.precedence() >= op.precedence())
        {
            reduce(&mut operands, &mut ops);
        }
        ops.push(op);
        operands.push(operand);
    }
    while !ops.is_empty() {
        reduce(&mut operands, &mut ops);
    }
    operands.pop().expect("result")
}

/// Whether a token can begin an operand (so `x...` followed by it is an
/// ellipsis with a type, not a postfix open).
pub(crate) fn starts_operand(t: &Token) -> bool {
    matches!(
        t,
        Token::Ident(_)
            | Token::Int(_)
            | Token::Float(_)
            | Token::String(_)
            | Token::Underscore
            | Token::Bottom
            | Token::LParen
            | Token::LBracket
            | Token::LBrace
            | Token::Plus
            | Token::Minus
            | Token::Bang
            | Token::Star
            | Token::Lt
            | Token::Le
            | Token::Gt
            | Token::Ge
            | Token::NotEq
            | Token::Match
            | Token::NotMatch
            | Token::EqEq
    )
}

fn expr_only_parser<'t, 's: 't, E: GrammarError<'t, 's, TokenInput<'t, 's>>>(
    tokens: usize,
) -> (
    impl Parser<'t, TokenInput<'t, 's>, Expr, extra::Err<E>> + use<'t, 's, E>,
    FailureMemo<E>,
) {
    let Grammar {
        expr, rules, state, ..
    } = grammar(tokens);
    let parser = keep_alive(
        expr.then_ignore(comma().repeated()).then_ignore(end()),
        rules,
    );
    (parser, state)
}

fn file_parser<'t, 's: 't, E: GrammarError<'t, 's, TokenInput<'t, 's>>>(
    tokens: usize,
) -> (
    impl Parser<'t, TokenInput<'t, 's>, File, extra::Err<E>> + use<'t, 's, E>,
    FailureMemo<E>,
) {
    let Grammar {
        decl, rules, state, ..
    } = grammar(tokens);
    let file_attrs = attribute()
        .then_ignore(comma().repeated())
        .repeated()
        .collect::<Vec<_>>();
    let name_or_blank = ident().or(just(Token::Underscore).map_with(|_, e| Ident {
        name: "_".to_string(),
        span: sp(e.span()),
    }));
    let package = keyword("package")
        .ignore_then(name_or_blank.clone())
        .then_ignore(comma().repeated());
    let import_spec = name_or_blank
        .or_not()
        .then(select! { Token::String(s) => s }.map_with(|s, e| (s, sp(e.span()))))
        .map_with(|(alias, (path, path_span)), e| Import {
            alias,
            path: path.trim_matches('"').to_string(),
            path_span,
            span: sp(e.span()),
        });
    let import = keyword("import")
        .ignore_then(choice((
            import_spec
                .clone()
                .separated_by(comma().repeated().at_least(1))
                .allow_leading()
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(just(Token::LParen), just(Token::RParen)),
            import_spec.map(|s| vec![s]),
        )))
        .then_ignore(comma().repeated());
    let imports = import.repeated().collect::<Vec<Vec<Import>>>();
    let stray_closer =
        one_of([Token::RBrace, Token::RBracket, Token::RParen]).validate(|t, e, emitter| {
            emitter.emit(E::custom(e.span(), format!("unexpected '{}'", t)));
            Decl::Bad(sp(e.span()))
        });
    let top_decl = any()
        .rewind()
        .ignore_then(choice((
            decl.clone().recover_with(skip_until(
                skip_unit(),
                choice((one_of([Token::Comma, Token::Newline]).ignored(), end())).rewind(),
                || Decl::Bad(Span::default()),
            )),
            stray_closer,
        )))
        .map_with(|d, e| match d {
            Decl::Bad(_) => Decl::Bad(sp(e.span())),
            d => d,
        });
    let top_terminator = choice((comma().repeated().at_least(1).ignored(), end().rewind()))
        .recover_with(skip_until(
            skip_unit().or(one_of([Token::RBrace, Token::RBracket, Token::RParen]).ignored()),
            choice((comma().repeated().at_least(1).ignored(), end().rewind())),
            || (),
        ));
    let decls = top_decl
        .then_ignore(top_terminator)
        .repeated()
        .collect::<Vec<_>>();
    let file = comma()
        .repeated()
        .ignore_then(file_attrs)
        .then(package.or_not())
        .then(imports)
        .then(decls)
        .then_ignore(end())
        .map_with(|(((attrs, package), imports), decls), e| File {
            attrs,
            package,
            imports: imports.into_iter().flatten().collect(),
            decls,
            comments: vec![],
            span: sp(e.span()),
        });
    (keep_alive(file, rules), state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recovery that would re-parse far more than the input's length stops
    /// with one error at the place it gave up (lexical errors are all kept).
    #[test]
    fn recovery_gives_up_on_a_budget() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/fuzz/parse/broken-strings-recovery-budget.cue"
        );
        let src = std::fs::read_to_string(path).expect("regression input exists");
        let (_, errors) = parse_file(&src);
        let stops = errors
            .iter()
            .filter(|e| e.message.starts_with("too many syntax errors"))
            .count();
        assert_eq!(stops, 1, "{errors:?}");
        assert!(errors.len() > 10);
        assert!(errors.iter().all(|e| e.message != PARSING_STOPPED));
        // Valid input is far from the budget.
        let big = crate::generate::kubernetes_like(1 << 20);
        assert!(parse_file(&big).1.is_empty());
    }

    /// Parsing first with the `Quick` error (which records nothing) gives
    /// the tree and the errors that parsing with `ParseError` alone gives,
    /// on every `.cue` input of the repository's tests, valid or broken.
    #[test]
    fn quick_first_pass_changes_nothing() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");
        let mut sources = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(root)];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d)
                .expect("testdata is readable")
                .flatten()
            {
                let p = e.path();
                let text = || std::fs::read_to_string(&p).unwrap_or_default();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|x| x == "cue") {
                    sources.push(text());
                } else if p.extension().is_some_and(|x| x == "txtar") {
                    // Each `-- name.cue --` section.
                    for part in format!("\n{}", text()).split("\n-- ").skip(1) {
                        if let Some((name, body)) = part.split_once(" --\n") {
                            if name.ends_with(".cue") {
                                let end = body.find("\n-- ").map_or(body.len(), |i| i + 1);
                                sources.push(body[..end].to_string());
                            }
                        }
                    }
                }
            }
        }
        assert!(sources.len() > 100, "found {} inputs", sources.len());
        let mut broken = 0;
        for src in &sources {
            let quick = parse_file_in(src, true);
            let full = parse_file_in(src, false);
            assert_eq!(quick, full, "{src}");
            broken += usize::from(!full.1.is_empty());
        }
        assert!(broken > 10, "only {broken} broken inputs");
    }

    /// The rules of a grammar hold each other weakly: once the parser built
    /// from them is dropped, they are freed (a parse used to leak them).
    #[test]
    fn grammar_is_freed_with_its_parser() {
        let tokens: Vec<(Token, SimpleSpan)> = Vec::new();
        let eoi = SimpleSpan::from(0..0);
        let (rules, parser) = {
            let Grammar { decl, rules, .. } = grammar::<TokenInput, ParseError>(0);
            let weak = (Rc::downgrade(&rules.0), Rc::downgrade(&rules.1));
            (weak, keep_alive(decl.repeated().collect::<Vec<_>>(), rules))
        };
        let out = parser.parse(tokens.as_slice().split_token_span(eoi));
        assert_eq!(out.into_output().map(|d| d.len()), Some(0));
        assert!(rules.0.upgrade().is_some() && rules.1.upgrade().is_some());
        drop(parser);
        assert!(rules.0.upgrade().is_none() && rules.1.upgrade().is_none());
    }
}
