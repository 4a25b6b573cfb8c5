//! The CUE formatter: prints a parsed file as canonical CUE, in the style of
//! `cue fmt`.
//!
//! Where CUE leaves a choice, the layout follows the source: a struct or list
//! written on one line stays on one line, and a multi-line one gets one
//! declaration or element per line. Blank lines between declarations are
//! kept (collapsed to one), every comment is kept, and the values of
//! consecutive one-line fields are aligned. Literals are printed exactly as
//! written.
//!
//! The printer never adds or removes parentheses in a tree that came from
//! the parser; for hand-built trees it adds them only where operator
//! precedence requires.

use crate::ast::*;
use crate::span::Span;

/// Formats a parsed file. `src` is the text `file` was parsed from: it
/// decides which lists and structs stay on one line, where blank lines go
/// and where comments belong. Files with syntax errors should not be
/// formatted (their broken parts print as `_|_`).
pub fn format_file(file: &File, src: &str) -> String {
    let run = || {
        let mut p = Printer::new(src, &file.comments);
        let mut out = String::new();
        p.file(file, &mut out);
        out
    };
    // The printer recurses once per nested literal; the parser allows
    // `MAX_NESTING` levels, which may need more stack than a small thread
    // has, so deeply nested files are printed on a thread of their own.
    if bracket_depth(src) <= SHALLOW {
        return run();
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, run)
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(_) => run(),
        }
    })
}

/// Nesting up to which the printer runs on the caller's stack.
const SHALLOW: usize = 64;
/// Stack for printing deeper files (reserved, not committed, memory).
const DEEP_STACK: usize = 256 << 20;

/// An upper bound of the bracket nesting of a source text.
fn bracket_depth(src: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in src.bytes() {
        match b {
            b'{' | b'[' | b'(' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Formats one expression on a single line (lists and structs included),
/// without comments.
pub fn format_expr(e: &Expr) -> String {
    let mut p = Printer::new("", &[]);
    let mut out = String::new();
    p.expr_top(e, &mut out);
    out
}

/// The binding strength of an expression: binary operators by their
/// precedence, then unary expressions, then primaries. An alias binds
/// loosest: it may only appear where a whole value is expected.
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => op.precedence(),
        ExprKind::Unary(..) => UNARY,
        ExprKind::Alias(..) => 0,
        _ => PRIMARY,
    }
}

const UNARY: u8 = 8;
const PRIMARY: u8 = 9;

/// One output line of a block (or a multi-line declaration starting there).
struct Entry {
    blank_before: bool,
    kind: EntryKind,
}

enum EntryKind {
    Comment(String),
    Item(Parts, Option<String>),
}

/// A rendered declaration or element, in the cells that get aligned: a
/// field's labels (`a: b:` for shorthand), the value (or the whole text of
/// anything else), and a field's attributes.
struct Parts {
    label: Option<String>,
    body: String,
    attrs: Option<String>,
    /// For fields: how many labels the shorthand chain has, and whether the
    /// value is a struct or list literal (then, as `cue fmt` does, the field
    /// is not aligned with its neighbours).
    field: Option<(usize, bool)>,
}

impl Parts {
    fn plain(body: String) -> Parts {
        Parts {
            label: None,
            body,
            attrs: None,
            field: None,
        }
    }

    fn joined(self) -> String {
        let mut s = String::new();
        if let Some(l) = self.label {
            s.push_str(&l);
            s.push(' ');
        }
        s.push_str(&self.body);
        if let Some(a) = self.attrs {
            s.push(' ');
            s.push_str(&a);
        }
        s
    }
}

/// The state of one block (file, struct, list or import group) while its
/// items are laid out.
struct Block {
    /// The next comment that may still belong to this block.
    cursor: usize,
    /// End of the last source text placed in this block.
    last: Option<usize>,
    entries: Vec<Entry>,
}

/// A top-level item of a file.
enum Top<'f> {
    Attr(&'f Attribute),
    Package(&'f Ident),
    Imports(&'f [Import]),
    Decl(&'f Decl),
}

struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    done: Vec<bool>,
    /// Tabs before the lines of the block being laid out.
    indent: usize,
}

/// Whether a gap between two pieces of source contains an empty line.
fn has_blank_line(gap: &str) -> bool {
    let segs: Vec<&str> = gap.split('\n').collect();
    segs.len() >= 3 && segs[1..segs.len() - 1].iter().any(|s| s.trim().is_empty())
}

fn push_tabs(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\t');
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Appends one cell to each line that has it. Over a run of consecutive
/// one-line lines that have the cell after some text (a run ends at a
/// section break or at a line without the cell), the cells start in the
/// same column; elsewhere one space separates a cell from the text before
/// it.
fn align_column(lines: &mut [String], cells: &[Option<&str>], breaks: &[bool], one_line: &[bool]) {
    let member =
        |lines: &[String], k: usize| cells[k].is_some() && one_line[k] && !lines[k].is_empty();
    let mut k = 0;
    while k < lines.len() {
        let Some(cell) = cells[k] else {
            k += 1;
            continue;
        };
        if !member(lines, k) {
            if !lines[k].is_empty() {
                lines[k].push(' ');
            }
            lines[k].push_str(cell);
            k += 1;
            continue;
        }
        let mut j = k + 1;
        while j < lines.len() && !breaks[j] && member(lines, j) {
            j += 1;
        }
        let col = lines[k..j].iter().map(|l| width(l)).max().unwrap_or(0);
        for i in k..j {
            let pad = col - width(&lines[i]) + 1;
            lines[i].extend(std::iter::repeat_n(' ', pad));
            lines[i].push_str(cells[i].unwrap_or_default());
        }
        k = j;
    }
}

/// The inner field of shorthand `a: b: c`, when the value is such an
/// elided struct.
fn elided_field(e: &Expr) -> Option<&Field> {
    match &e.kind {
        ExprKind::Struct(s) if s.elided => match s.decls.as_slice() {
            [Decl::Field(f)] => Some(f),
            _ => None,
        },
        _ => None,
    }
}

impl<'a> Printer<'a> {
    fn new(src: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            src,
            comments,
            done: vec![false; comments.len()],
            indent: 0,
        }
    }

    fn text(&self, start: usize, end: usize) -> Option<&'a str> {
        if start <= end {
            self.src.get(start..end)
        } else {
            None
        }
    }

    /// Whether the only item of a literal, at `span`, starts on the line of
    /// the opening bracket (which ends at `lo`) and ends on the line of the
    /// closing one (at `hi`).
    fn hugs(&self, lo: usize, span: Span, hi: usize) -> bool {
        let same_line = |t: Option<&str>| t.is_some_and(|t| !t.contains('\n'));
        same_line(self.text(lo, span.start as usize)) && same_line(self.text(span.end as usize, hi))
    }

    /// Whether a literal spans several lines of the source.
    fn is_multiline(&self, span: Span) -> bool {
        self.text(span.start as usize, span.end as usize)
            .is_some_and(|t| t.contains('\n'))
    }

    fn blank_between(&self, last: Option<usize>, start: usize) -> bool {
        match last {
            Some(l) if l < start => self.text(l, start).is_some_and(has_blank_line),
            _ => false,
        }
    }

    fn comment_text(&self, i: usize) -> String {
        self.comments[i].text.trim_end().to_string()
    }

    // ---- blocks and comments ----

    /// Lays out the items of a block whose comments are those starting in
    /// `lo..hi`: comments before an item go on their own lines, a comment
    /// right after an item on its line, and the rest before the block ends.
    fn block<T>(
        &mut self,
        items: &[T],
        lo: usize,
        hi: usize,
        span_of: impl Fn(&T) -> Span,
        mut render: impl FnMut(&mut Self, &T) -> Parts,
    ) -> Vec<Entry> {
        let mut b = Block {
            cursor: self
                .comments
                .partition_point(|c| (c.span.start as usize) < lo),
            last: None,
            entries: Vec::new(),
        };
        for item in items {
            let span = span_of(item);
            let (start, end) = (span.start as usize, span.end as usize);
            self.flush_comments(&mut b, start);
            let blank_before = self.blank_between(b.last, start);
            let parts = render(self, item);
            let mut last = b.last.map_or(end, |l| l.max(end));
            let trailing = self.trailing_comment(end).map(|i| {
                self.done[i] = true;
                last = last.max(self.comments[i].span.end as usize);
                self.comment_text(i)
            });
            b.last = Some(last);
            b.entries.push(Entry {
                blank_before,
                kind: EntryKind::Item(parts, trailing),
            });
        }
        self.flush_comments(&mut b, hi);
        b.entries
    }

    /// Places every comment not printed yet that starts before `bound` on a
    /// line of its own.
    fn flush_comments(&mut self, b: &mut Block, bound: usize) {
        while b.cursor < self.comments.len()
            && (self.comments[b.cursor].span.start as usize) < bound
        {
            let i = b.cursor;
            b.cursor += 1;
            if self.done[i] {
                continue;
            }
            self.done[i] = true;
            let span = self.comments[i].span;
            let blank_before = self.blank_between(b.last, span.start as usize);
            b.entries.push(Entry {
                blank_before,
                kind: EntryKind::Comment(self.comment_text(i)),
            });
            let end = span.end as usize;
            b.last = Some(b.last.map_or(end, |l| l.max(end)));
        }
    }

    /// The comment that follows source offset `end` on the same line, with
    /// only blanks and commas between.
    fn trailing_comment(&self, end: usize) -> Option<usize> {
        let mut i = self
            .comments
            .partition_point(|c| (c.span.start as usize) < end);
        while i < self.comments.len() && self.done[i] {
            i += 1;
        }
        let c = self.comments.get(i)?;
        let gap = self.text(end, c.span.start as usize)?;
        gap.chars()
            .all(|ch| matches!(ch, ' ' | '\t' | '\r' | ','))
            .then_some(i)
    }

    /// Writes the entries of a block at the current indentation, aligned
    /// in sections as `cue fmt` aligns them: within a section, the values
    /// of fields start in the same column, and so do attributes and
    /// trailing comments of consecutive lines. Blank lines and comment
    /// lines end a section, and so do lines that span several lines; in a
    /// list of declarations (`decls`), so does anything that is not a field,
    /// a field whose value is a struct or list literal, and a change in the
    /// length of shorthand label chains.
    fn write_entries(&self, entries: &[Entry], decls: bool, out: &mut String) {
        let n = entries.len();
        let field = |k: usize| match &entries[k].kind {
            EntryKind::Item(p, _) => p.field,
            EntryKind::Comment(_) => None,
        };
        let breaks: Vec<bool> = (0..n)
            .map(|k| {
                entries[k].blank_before
                    || (decls
                        && k > 0
                        && match (field(k - 1), field(k)) {
                            (Some((d1, ff1)), Some((d2, ff2))) => ff1 || ff2 || d1 != d2,
                            _ => true,
                        })
            })
            .collect();
        let mut lines = vec![String::new(); n];
        let mut labels = vec![None; n];
        let mut bodies = vec![None; n];
        let mut attrs = vec![None; n];
        let mut trailing = vec![None; n];
        let mut one_line = vec![false; n];
        for (k, e) in entries.iter().enumerate() {
            if let EntryKind::Item(p, t) = &e.kind {
                labels[k] = p.label.as_deref();
                bodies[k] = Some(p.body.as_str());
                attrs[k] = p.attrs.as_deref();
                trailing[k] = t.as_deref();
                one_line[k] = [labels[k], bodies[k], attrs[k]]
                    .iter()
                    .all(|c| !c.is_some_and(|c| c.contains('\n')));
            }
        }
        for cells in [labels, bodies, attrs, trailing] {
            align_column(&mut lines, &cells, &breaks, &one_line);
        }
        for (k, e) in entries.iter().enumerate() {
            if e.blank_before && k > 0 {
                out.push('\n');
            }
            push_tabs(out, self.indent);
            match &e.kind {
                EntryKind::Comment(t) => out.push_str(t),
                EntryKind::Item(..) => out.push_str(&lines[k]),
            }
            out.push('\n');
        }
    }

    /// Writes `open` (with the comment that followed it in the source), the
    /// entries one level deeper, and `close` on a line of its own; or just
    /// `open close` when there is nothing inside.
    fn write_braced(
        &mut self,
        open: char,
        close: char,
        comment: Option<String>,
        entries: &[Entry],
        out: &mut String,
    ) {
        let decls = open == '{';
        out.push(open);
        if let Some(c) = &comment {
            out.push(' ');
            out.push_str(c);
        }
        if !entries.is_empty() || comment.is_some() {
            out.push('\n');
            self.indent += 1;
            self.write_entries(entries, decls, out);
            self.indent -= 1;
            push_tabs(out, self.indent);
        }
        out.push(close);
    }

    /// The comment on the line of an opening bracket that ends at `lo`,
    /// marked as printed.
    fn opening_comment(&mut self, lo: usize) -> Option<String> {
        let i = self.trailing_comment(lo)?;
        self.done[i] = true;
        Some(self.comment_text(i))
    }

    // ---- file ----

    /// Where the keyword before a clause starts (`package`, `import`), so
    /// that comments before the keyword stay before the clause.
    fn keyword_start(&self, kw: &str, before: Span) -> usize {
        let start = before.start as usize;
        self.text(0, start)
            .and_then(|t| t.rfind(kw))
            .unwrap_or(start)
    }

    fn file(&mut self, f: &File, out: &mut String) {
        let mut items: Vec<(Span, Top)> = Vec::new();
        for a in &f.attrs {
            items.push((a.span, Top::Attr(a)));
        }
        if let Some(p) = &f.package {
            let start = self.keyword_start("package", p.span);
            items.push((Span::new(start, p.span.end as usize), Top::Package(p)));
        }
        if let (Some(first), Some(last)) = (f.imports.first(), f.imports.last()) {
            let start = self.keyword_start("import", first.span);
            items.push((
                Span::new(start, last.span.end as usize),
                Top::Imports(&f.imports),
            ));
        }
        for d in &f.decls {
            items.push((d.span(), Top::Decl(d)));
        }
        let end = self.src.len() + 1;
        let entries = self.block(
            &items,
            0,
            end,
            |it| it.0,
            |p, (span, it)| p.top_parts(*span, it),
        );
        self.write_entries(&entries, true, out);
        // Every comment was placed above; this only guards against spans
        // that do not match the source.
        for i in 0..self.comments.len() {
            if !self.done[i] {
                self.done[i] = true;
                out.push_str(&self.comment_text(i));
                out.push('\n');
            }
        }
    }

    fn top_parts(&mut self, span: Span, it: &Top) -> Parts {
        match it {
            Top::Attr(a) => Parts::plain(attr_text(a)),
            Top::Package(p) => Parts::plain(format!("package {}", p.name)),
            Top::Imports(imports) => {
                let mut s = String::from("import ");
                if let [one] = imports {
                    s.push_str(&self.import_spec(one));
                    return Parts::plain(s);
                }
                let entries = self.block(
                    imports,
                    span.start as usize,
                    span.end as usize,
                    |i| i.span,
                    |p, i| Parts::plain(p.import_spec(i)),
                );
                s.push('(');
                s.push('\n');
                self.indent += 1;
                self.write_entries(&entries, false, &mut s);
                self.indent -= 1;
                push_tabs(&mut s, self.indent);
                s.push(')');
                Parts::plain(s)
            }
            Top::Decl(d) => self.decl_parts(d),
        }
    }

    fn import_spec(&self, i: &Import) -> String {
        let mut s = String::new();
        if let Some(a) = &i.alias {
            s.push_str(&a.name);
            s.push(' ');
        }
        match self.text(i.path_span.start as usize, i.path_span.end as usize) {
            Some(raw) if raw.starts_with(['"', '#']) => s.push_str(raw),
            _ => {
                s.push('"');
                s.push_str(&i.path);
                s.push('"');
            }
        }
        s
    }

    // ---- declarations ----

    fn decl_parts(&mut self, d: &Decl) -> Parts {
        match d {
            Decl::Field(f) => self.field_parts(f),
            _ => {
                let mut s = String::new();
                self.decl_body(d, &mut s);
                Parts::plain(s)
            }
        }
    }

    /// The cells of a field: `label:`, the value (shorthand `a: b: c`
    /// stays as is) and the attributes.
    fn field_parts(&mut self, f: &Field) -> Parts {
        // The labels of a shorthand chain, walked in a loop (see
        // `postfix_chain`).
        let mut label = String::new();
        let mut fields = vec![f];
        let mut cur = f;
        loop {
            self.label(&cur.label, &mut label);
            label.push(':');
            match elided_field(&cur.value) {
                Some(inner) => {
                    label.push(' ');
                    fields.push(inner);
                    cur = inner;
                }
                None => break,
            }
        }
        let mut body = String::new();
        self.expr_top(&cur.value, &mut body);
        let mut attrs: Option<String> = None;
        for a in fields.iter().rev().flat_map(|f| &f.attrs) {
            let s = attrs.get_or_insert_with(String::new);
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&attr_text(a));
        }
        Parts {
            label: Some(label),
            body,
            attrs,
            field: Some((fields.len(), is_composite(&cur.value))),
        }
    }

    fn decl_body(&mut self, d: &Decl, out: &mut String) {
        match d {
            Decl::Field(f) => {
                let parts = self.field_parts(f);
                out.push_str(&parts.joined());
            }
            Decl::Embed(e) => self.expr_top(e, out),
            Decl::Comprehension(c) => self.comprehension(c, out),
            Decl::Ellipsis(t, _) => self.ellipsis(t.as_ref(), out),
            Decl::Let(l) => self.let_clause("let ", l, out),
            Decl::Attribute(a) => out.push_str(&attr_text(a)),
            Decl::Bad(_) => out.push_str("_|_"),
        }
    }

    fn ellipsis(&mut self, t: Option<&Expr>, out: &mut String) {
        out.push_str("...");
        if let Some(t) = t {
            self.expr(t, out);
        }
    }

    fn let_clause(&mut self, kw: &str, l: &LetClause, out: &mut String) {
        out.push_str(kw);
        out.push_str(&l.name.name);
        out.push_str(" = ");
        self.expr(&l.value, out);
    }

    fn label(&mut self, l: &Label, out: &mut String) {
        if let Some(a) = &l.alias {
            out.push_str(&a.name);
            out.push('=');
        }
        match &l.kind {
            LabelKind::Ident(i) => out.push_str(&i.name),
            LabelKind::String(s) => out.push_str(&s.raw),
            LabelKind::Dynamic(e) => {
                out.push('(');
                self.expr_top(e, out);
                out.push(')');
            }
            LabelKind::Pattern(a, e) => {
                out.push('[');
                if let Some(a) = a {
                    out.push_str(&a.name);
                    out.push('=');
                }
                self.after_op(e, 0, out);
                out.push(']');
            }
        }
        // The constraint goes last: `a!~X` would lex as `a !~ X`.
        if let Some(p) = &l.postfix_alias {
            out.push('~');
            match (&p.label, p.parens) {
                (Some(k), _) => {
                    out.push('(');
                    out.push_str(&k.name);
                    out.push(',');
                    out.push_str(&p.value.name);
                    out.push(')');
                }
                (None, true) => {
                    out.push('(');
                    out.push_str(&p.value.name);
                    out.push(')');
                }
                (None, false) => out.push_str(&p.value.name),
            }
        }
        match l.constraint {
            Constraint::Regular => {}
            Constraint::Optional => out.push('?'),
            Constraint::Required => out.push('!'),
        }
    }

    fn comprehension(&mut self, c: &Comprehension, out: &mut String) {
        for (i, cl) in c.clauses.iter().enumerate() {
            if i > 0 {
                // A clause that starts a line in the source starts one here,
                // at the indentation of the first.
                let (prev_end, start) = (
                    c.clauses[i - 1].span().end as usize,
                    cl.span().start as usize,
                );
                if self
                    .text(prev_end, start)
                    .is_some_and(|gap| gap.contains('\n'))
                {
                    self.comments_in_gap(prev_end, start, out);
                    out.push('\n');
                    push_tabs(out, self.indent);
                } else {
                    out.push(' ');
                }
            }
            match cl {
                Clause::For {
                    key, value, source, ..
                } => {
                    out.push_str("for ");
                    if let Some(k) = key {
                        out.push_str(&k.name);
                        out.push_str(", ");
                    }
                    out.push_str(&value.name);
                    out.push_str(" in ");
                    self.expr(source, out);
                }
                Clause::If(e, _) => {
                    out.push_str("if ");
                    self.expr(e, out);
                }
                Clause::Let(l) => self.let_clause("let ", l, out),
                Clause::Try(l, _) => match l {
                    Some(l) => self.let_clause("try ", l, out),
                    None => out.push_str("try"),
                },
            }
        }
        out.push(' ');
        self.struct_lit(&c.body, out);
        if let Some(e) = &c.else_body {
            out.push_str(" else ");
            self.struct_lit(e, out);
        }
    }

    // ---- literals ----

    fn struct_lit(&mut self, s: &StructLit, out: &mut String) {
        if let (true, [Decl::Field(f)]) = (s.elided, s.decls.as_slice()) {
            // Shorthand outside a field value cannot be written; braces keep
            // the meaning.
            out.push('{');
            let parts = self.field_parts(f);
            out.push_str(&parts.joined());
            out.push('}');
            return;
        }
        if !self.is_multiline(s.span) {
            out.push('{');
            for (i, d) in s.decls.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let parts = self.decl_parts(d);
                out.push_str(&parts.joined());
            }
            out.push('}');
            return;
        }
        let (lo, hi) = inner_range(s.span);
        // `{{` ... `}}`, `{for x in y {` ... `}}`: a single declaration
        // written right inside the braces stays there.
        if let [d] = s.decls.as_slice() {
            if self.hugs(lo, d.span(), hi) {
                out.push('{');
                let parts = self.decl_parts(d);
                out.push_str(&parts.joined());
                out.push('}');
                return;
            }
        }
        let comment = self.opening_comment(lo);
        self.indent += 1;
        let entries = self.block(&s.decls, lo, hi, Decl::span, |p, d| p.decl_parts(d));
        self.indent -= 1;
        self.write_braced('{', '}', comment, &entries, out);
    }

    fn list_lit(&mut self, l: &ListLit, out: &mut String) {
        if !self.is_multiline(l.span) {
            out.push('[');
            for (i, el) in l.elems.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                self.list_elem(el, out);
            }
            out.push(']');
            return;
        }
        let (lo, hi) = inner_range(l.span);
        // `[{` ... `}]`: a single multi-line element written right inside
        // the brackets stays there.
        if let [el @ (ListElem::Expr(_) | ListElem::Comprehension(_))] = l.elems.as_slice() {
            if self.hugs(lo, el.span(), hi) {
                out.push('[');
                self.list_elem(el, out);
                out.push(']');
                return;
            }
        }
        let comment = self.opening_comment(lo);
        self.indent += 1;
        let entries = self.block(&l.elems, lo, hi, ListElem::span, |p, el| {
            let mut s = String::new();
            p.list_elem(el, &mut s);
            s.push(',');
            Parts::plain(s)
        });
        self.indent -= 1;
        self.write_braced('[', ']', comment, &entries, out);
    }

    fn list_elem(&mut self, el: &ListElem, out: &mut String) {
        match el {
            ListElem::Expr(e) => self.expr_top(e, out),
            ListElem::Comprehension(c) => self.comprehension(c, out),
            ListElem::Ellipsis(t, _) => self.ellipsis(t.as_ref(), out),
        }
    }

    // ---- expressions ----

    /// An expression where an alias `X=expr` may stand: field values,
    /// embeddings, list elements and dynamic labels.
    fn expr_top(&mut self, e: &Expr, out: &mut String) {
        self.expr(e, out);
    }

    /// `e`, in parentheses if it binds looser than `min`.
    fn operand(&mut self, e: &Expr, min: u8, out: &mut String) {
        if prec(e) < min {
            out.push('(');
            self.expr(e, out);
            out.push(')');
        } else {
            self.expr(e, out);
        }
    }

    /// An operand written right after an operator or `=` that ends in
    /// `!`, `<`, `>` or `=`: a space keeps `X=` and `==x` from lexing as
    /// `X` `==` `x`.
    fn after_op(&mut self, e: &Expr, min: u8, out: &mut String) {
        let mut inner = String::new();
        self.operand(e, min, &mut inner);
        if out.ends_with(['!', '<', '>', '=']) && inner.starts_with('=') {
            out.push(' ');
        }
        out.push_str(&inner);
    }

    // Chains of operators are walked in loops rather than by recursion, so
    // that the longest chains the parser accepts (`MAX_CHAIN`) cannot
    // overflow the stack.

    /// `x.a[i](args)...`: the innermost operand, then each suffix.
    fn postfix_chain(&mut self, e: &Expr, out: &mut String) {
        let mut chain = Vec::new();
        let mut cur = e;
        while let Some(x) = postfix_operand(cur) {
            chain.push(cur);
            cur = x;
        }
        self.operand(cur, PRIMARY, out);
        for node in chain.into_iter().rev() {
            match &node.kind {
                ExprKind::Selector(x, l) => match l {
                    LabelKind::Ident(i) => {
                        // `1.a` would lex as the float `1.` and `a`.
                        if matches!(x.kind, ExprKind::Int(_) | ExprKind::Float(_)) {
                            out.push(' ');
                        }
                        out.push('.');
                        out.push_str(&i.name);
                    }
                    LabelKind::String(s) => {
                        if matches!(x.kind, ExprKind::Int(_) | ExprKind::Float(_)) {
                            out.push(' ');
                        }
                        out.push('.');
                        out.push_str(&s.raw);
                    }
                    // Not produced by the parser; printed as an index.
                    LabelKind::Dynamic(i) | LabelKind::Pattern(_, i) => {
                        out.push('[');
                        self.expr(i, out);
                        out.push(']');
                    }
                },
                ExprKind::Index(_, i) => {
                    out.push('[');
                    self.expr(i, out);
                    out.push(']');
                }
                ExprKind::Slice(_, lo, hi) => {
                    out.push('[');
                    if let Some(lo) = lo {
                        self.expr(lo, out);
                    }
                    out.push(':');
                    if let Some(hi) = hi {
                        self.expr(hi, out);
                    }
                    out.push(']');
                }
                ExprKind::Try(_) => out.push('?'),
                ExprKind::Open(_) => out.push_str("..."),
                ExprKind::Call(_, args) => {
                    out.push('(');
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        self.expr(a, out);
                    }
                    out.push(')');
                }
                _ => {}
            }
        }
    }

    /// `!-x`: each operator, then the operand.
    fn unary_chain(&mut self, e: &Expr, out: &mut String) {
        let mut cur = e;
        while let ExprKind::Unary(op, x) = &cur.kind {
            let op = op.as_str();
            // `!` then `==x` would lex as `!=` `=x`.
            if out.ends_with(['!', '<', '>', '=']) && op.starts_with('=') {
                out.push(' ');
            }
            out.push_str(op);
            cur = x;
        }
        self.operand(cur, UNARY, out);
    }

    /// `a + b - c`: the left-most operand, then each operator and right
    /// operand. A left operand that binds looser is parenthesised. Where the
    /// source breaks the line after an operator, so does the output, with
    /// the comments there, and the following operands are indented once.
    fn binary_chain(&mut self, e: &Expr, out: &mut String) {
        let mut rights = Vec::new();
        let mut cur = e;
        let (first, min) = loop {
            let ExprKind::Binary(op, l, r) = &cur.kind else {
                unreachable!("binary chains start at a binary expression")
            };
            rights.push((*op, &**r, l.span.end as usize));
            let p = op.precedence();
            match l.kind {
                ExprKind::Binary(..) if prec(l) >= p => cur = l,
                _ => break (&**l, p),
            }
        };
        self.operand(first, min, out);
        let indent = self.indent;
        for (op, r, left_end) in rights.into_iter().rev() {
            out.push(' ');
            out.push_str(op.as_str());
            let start = r.span.start as usize;
            if self
                .text(left_end, start)
                .is_some_and(|gap| gap.contains('\n'))
            {
                self.indent = indent + 1;
                self.comments_in_gap(left_end, start, out);
                out.push('\n');
                push_tabs(out, self.indent);
            } else {
                out.push(' ');
            }
            self.operand(r, op.precedence() + 1, out);
        }
        self.indent = indent;
    }

    /// Writes the comments not printed yet that start in `lo..hi`, where a
    /// line break follows an operator: the first after the operator if it
    /// is on its line, the others on lines of their own.
    fn comments_in_gap(&mut self, lo: usize, hi: usize, out: &mut String) {
        let mut i = self
            .comments
            .partition_point(|c| (c.span.start as usize) < lo);
        while i < self.comments.len() && (self.comments[i].span.start as usize) < hi {
            if !self.done[i] {
                self.done[i] = true;
                let same_line = self
                    .text(lo, self.comments[i].span.start as usize)
                    .is_some_and(|t| !t.contains('\n'));
                if same_line {
                    out.push(' ');
                } else {
                    out.push('\n');
                    push_tabs(out, self.indent);
                }
                out.push_str(&self.comment_text(i));
            }
            i += 1;
        }
    }

    fn expr(&mut self, e: &Expr, out: &mut String) {
        match &e.kind {
            ExprKind::Ident(i) => out.push_str(&i.name),
            ExprKind::Top => out.push('_'),
            ExprKind::Bottom => out.push_str("_|_"),
            ExprKind::Null => out.push_str("null"),
            ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            ExprKind::Int(t) | ExprKind::Float(t) => out.push_str(t),
            ExprKind::String(s) => out.push_str(&s.raw),
            ExprKind::List(l) => self.list_lit(l, out),
            ExprKind::Struct(s) => self.struct_lit(s, out),
            ExprKind::Paren(x) => {
                out.push('(');
                self.expr(x, out);
                out.push(')');
            }
            ExprKind::Selector(..)
            | ExprKind::Index(..)
            | ExprKind::Slice(..)
            | ExprKind::Try(_)
            | ExprKind::Open(_)
            | ExprKind::Call(..) => self.postfix_chain(e, out),
            ExprKind::Unary(..) => self.unary_chain(e, out),
            ExprKind::Binary(..) => self.binary_chain(e, out),
            ExprKind::Alias(a, x) => {
                out.push_str(&a.name);
                out.push('=');
                self.after_op(x, 1, out);
            }
            ExprKind::Bad => out.push_str("_|_"),
        }
    }
}

/// Whether a field's value is a struct or list literal: such fields start
/// a section of their own and are not aligned with their neighbours.
fn is_composite(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Struct(_) | ExprKind::List(_))
}

/// The operand of a postfix expression (`x` in `x.a`, `x[i]`, `x(...)`).
fn postfix_operand(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Selector(x, _)
        | ExprKind::Index(x, _)
        | ExprKind::Slice(x, ..)
        | ExprKind::Try(x)
        | ExprKind::Open(x)
        | ExprKind::Call(x, _) => Some(x),
        _ => None,
    }
}

/// The source range inside a literal's brackets.
fn inner_range(span: Span) -> (usize, usize) {
    let (start, end) = (span.start as usize, span.end as usize);
    ((start + 1).min(end), end.saturating_sub(1).max(start))
}

fn attr_text(a: &Attribute) -> String {
    format!("@{}({})", a.name, a.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::dump_file;
    use crate::{parse_expr, parse_file};

    /// Formats `src`, checking that the output parses to the same tree,
    /// keeps every comment, ends with one newline and is a fixed point.
    fn fmt(src: &str) -> String {
        let (file, errors) = parse_file(src);
        assert!(errors.is_empty(), "input does not parse: {errors:?}\n{src}");
        let out = format_file(&file, src);
        let (again, errors) = parse_file(&out);
        assert!(
            errors.is_empty(),
            "output does not parse: {errors:?}\n{out}"
        );
        assert_eq!(dump_file(&again), dump_file(&file), "tree changed:\n{out}");
        let texts = |f: &File| {
            let mut t: Vec<String> = f
                .comments
                .iter()
                .map(|c| c.text.trim_end().to_string())
                .collect();
            t.sort();
            t
        };
        assert_eq!(texts(&again), texts(&file), "comments changed:\n{out}");
        if !out.is_empty() {
            assert!(
                out.ends_with('\n') && !out.ends_with("\n\n"),
                "bad ending: {out:?}"
            );
        }
        assert_eq!(format_file(&again, &out), out, "not idempotent");
        out
    }

    fn check(src: &str, want: &str) {
        assert_eq!(fmt(src), want, "formatting {src:?}");
    }

    #[test]
    fn fields_get_a_space_after_the_colon() {
        check("a:1\nb:\"x\"\n", "a: 1\nb: \"x\"\n");
        check("a :   true,  b:null", "a: true\nb: null\n");
    }

    #[test]
    fn shorthand_fields_stay_short() {
        check("a: b: c: 1\n", "a: b: c: 1\n");
        check("a: b: {c: 1}\n", "a: b: {c: 1}\n");
        check("a: b: 1 @x(y)\n", "a: b: 1 @x(y)\n");
    }

    #[test]
    fn empty_struct_and_list() {
        check(
            "a: {}\nb: []\nc: {\n}\nd: [\n\n]\n",
            "a: {}\nb: []\nc: {}\nd: []\n",
        );
    }

    #[test]
    fn one_line_literals_stay_on_one_line() {
        check("a: { x: 1, y: [1,2 ,3] }\n", "a: {x: 1, y: [1, 2, 3]}\n");
        check(
            "a: {x: 1, for v in l {(v): v}, ...}\n",
            "a: {x: 1, for v in l {(v): v}, ...}\n",
        );
    }

    #[test]
    fn multi_line_struct_has_one_declaration_per_line() {
        check(
            "a: { x: 1\ny: 2, z: 3 }\n",
            "a: {\n\tx: 1\n\ty: 2\n\tz: 3\n}\n",
        );
        check(
            "a: {\nb: {\nc: 1\n}\n}\n",
            "a: {\n\tb: {\n\t\tc: 1\n\t}\n}\n",
        );
    }

    #[test]
    fn single_declaration_hugs_the_braces() {
        check("a: {{\nx: 1\n}}\n", "a: {{\n\tx: 1\n}}\n");
        check(
            "e: { for k, v in o if k > \"a\" {\n\"\\(k)\":v }}\n",
            "e: {for k, v in o if k > \"a\" {\n\t\"\\(k)\": v\n}}\n",
        );
        check("a: {\n{\nx: 1\n}\n}\n", "a: {\n\t{\n\t\tx: 1\n\t}\n}\n");
    }

    #[test]
    fn multi_line_list_has_one_element_per_line() {
        check("a: [1,\n2, 3]\n", "a: [\n\t1,\n\t2,\n\t3,\n]\n");
        check(
            "a: [\n\t{x: 1},\n\t...int\n]\n",
            "a: [\n\t{x: 1},\n\t...int,\n]\n",
        );
    }

    #[test]
    fn single_multi_line_element_hugs_the_brackets() {
        check("a: [{\nx: 1\n}]\n", "a: [{\n\tx: 1\n}]\n");
        check(
            "a: [for x in y {\nz: x\n}]\n",
            "a: [for x in y {\n\tz: x\n}]\n",
        );
    }

    #[test]
    fn binary_and_unary_operators() {
        check("a: 1+2*3\n", "a: 1 + 2 * 3\n");
        check(
            "a: *1|2\nb: >=0&<10\nc: !x\nd: -y\ne: x&&y||!z\n",
            "a: *1 | 2\nb: >=0 & <10\nc: !x\nd: -y\ne: x && y || !z\n",
        );
        check(
            "a: =~\"^a\" & !~\"b\"\nb: !=null\n",
            "a: =~\"^a\" & !~\"b\"\nb: !=null\n",
        );
        check(
            "a: x==y\nb: x!=y\nc: x<=y\n",
            "a: x == y\nb: x != y\nc: x <= y\n",
        );
    }

    #[test]
    fn parentheses_are_kept_as_written() {
        check(
            "a: (1 + 2) * 3\nb: ((x))\nc: -(1)\n",
            "a: (1 + 2) * 3\nb: ((x))\nc: -(1)\n",
        );
    }

    #[test]
    fn literals_are_printed_as_written() {
        let src = "a: \"x\\ty\"\nb: #\"raw \"q\" \\(no)\"#\nc: 'bytes'\nd: \"\"\"\n\tml\n\t\"\"\"\ne: \"i\\(x + 1)\"\n";
        check(src, src);
        check(
            "a: 1_000\nb: 0x1F\nc: 1.5Ki\nd: .5\ne: 1e3\nf: 0o7\n",
            "a: 1_000\nb: 0x1F\nc: 1.5Ki\nd: .5\ne: 1e3\nf: 0o7\n",
        );
        check(
            "a: _\nb: _|_\nc: null\nd: false\n",
            "a: _\nb: _|_\nc: null\nd: false\n",
        );
    }

    #[test]
    fn attributes() {
        check(
            "a: 1 @go(A)   @json(,omitempty)\n",
            "a: 1 @go(A) @json(,omitempty)\n",
        );
        check("a: {\n@decl(x)\nb: 1\n}\n", "a: {\n\t@decl(x)\n\tb: 1\n}\n");
        check(
            "@if(prod)\npackage p\n\na: 1\n",
            "@if(prod)\npackage p\n\na: 1\n",
        );
    }

    #[test]
    fn package_and_imports() {
        check(
            "package foo\nimport \"strings\"\nx: strings.ToUpper(\"a\")\n",
            "package foo\nimport \"strings\"\nx: strings.ToUpper(\"a\")\n",
        );
        check(
            "package foo\n\nimport (\"strings\"\nx \"list\")\n\nimport \"math\"\n\ny: 1\n",
            "package foo\n\nimport (\n\t\"strings\"\n\tx \"list\"\n\n\t\"math\"\n)\n\ny: 1\n",
        );
        check(
            "import (\n\t\"strings\"\n)\na: 1\n",
            "import \"strings\"\na: 1\n",
        );
    }

    #[test]
    fn blank_lines_are_kept_but_collapsed() {
        check("a: 1\n\n\n\nb: 2\nc: 3\n", "a: 1\n\nb: 2\nc: 3\n");
        check(
            "\n\na: {\n\n\tb: 1\n\n\n\tc: 2\n\n}\n\n\n",
            "a: {\n\tb: 1\n\n\tc: 2\n}\n",
        );
        check("a: 1\n\t\nb: 2\n", "a: 1\n\nb: 2\n");
    }

    #[test]
    fn comprehensions() {
        check(
            "for k,v in x {\n(k): v\n}\nif c {a: 1}\nlet y = 2\nz: [for x in y if x>1 let w=x {w}]\n",
            "for k, v in x {\n\t(k): v\n}\nif c {a: 1}\nlet y = 2\nz: [for x in y if x > 1 let w = x {w}]\n",
        );
        check(
            "try x = a.b? {\n\tc: x\n} else {\n\td: 1\n}\n",
            "try x = a.b? {\n\tc: x\n} else {\n\td: 1\n}\n",
        );
        check("try {a: b?}\n", "try {a: b?}\n");
        check("for _, v in x {v}\n", "for _, v in x {v}\n");
        check(
            "a: {\nfor v in a // each\n  if v > 0\n// then\n  let w = v {\n  (w): 1\n  }\n}\n",
            "a: {\n\tfor v in a // each\n\tif v > 0\n\t// then\n\tlet w = v {\n\t\t(w): 1\n\t}\n}\n",
        );
    }

    #[test]
    fn ellipsis() {
        check(
            "a: {...}\nb: {...int}\nc: [...string]\nd: [1, ...]\n",
            "a: {...}\nb: {...int}\nc: [...string]\nd: [1, ...]\n",
        );
        check("a: {\n\tb: 1\n\t...\n}\n", "a: {\n\tb: 1\n\t...\n}\n");
    }

    #[test]
    fn labels() {
        check(
            "X=a: 1\nb?: 2\nc!: 3\n[N=string]: 4\n(k): 5\n\"q-x\": 6\nd~Y: 7\ne~(K,V): 8\n[string]?: 9\n",
            "X=a:        1\nb?:         2\nc!:         3\n[N=string]: 4\n(k):        5\n\"q-x\":      6\nd~Y:        7\ne~(K,V):    8\n[string]?:  9\n",
        );
        check(
            "f~X!: 1\ng?~(V): 2\n(X=k): 3\n",
            "f~X!:   1\ng~(V)?: 2\n(X=k):  3\n",
        );
        check(
            "[N= =~\"^b\"]: 1\na: X= ==1\n",
            "[N= =~\"^b\"]: 1\na:           X= ==1\n",
        );
    }

    #[test]
    fn postfix_expressions() {
        check(
            "a: x.y.\"z\"[0][1:2][:]\nb: f(1,2)\nc: x...\nd: y?\ne: [x..., 1]\n",
            "a: x.y.\"z\"[0][1:2][:]\nb: f(1, 2)\nc: x...\nd: y?\ne: [x..., 1]\n",
        );
        check("a: 1 .b\n", "a: 1 .b\n");
        check("a: (1 + 2).b\nb: (-x)[0]\n", "a: (1 + 2).b\nb: (-x)[0]\n");
    }

    #[test]
    fn aliases_and_embeddings() {
        check(
            "a: {\n#B\nX=c\nd: Y=e\n}\n",
            "a: {\n\t#B\n\tX=c\n\td: Y=e\n}\n",
        );
        check("[X=1, 2]\n", "[X=1, 2]\n");
    }

    #[test]
    fn trailing_comments_stay_on_their_line() {
        check("a: 1 // one\nb: 2\n", "a: 1 // one\nb: 2\n");
        check(
            "a: [\n1, // one\n2 // two\n]\n",
            "a: [\n\t1, // one\n\t2, // two\n]\n",
        );
        check("package p // pkg\n", "package p // pkg\n");
    }

    #[test]
    fn other_comments_go_on_their_own_lines() {
        check(
            "// doc\na: 1\n\n// b\nb: 2\n// end\n",
            "// doc\na: 1\n\n// b\nb: 2\n// end\n",
        );
        check(
            "a: { // open\nb: 1\n// last\n}\n",
            "a: { // open\n\tb: 1\n\t// last\n}\n",
        );
        check(
            "a: [ // open\n]\nb: {\n\n// only\n\n}\n",
            "a: [ // open\n]\nb: {\n\t// only\n}\n",
        );
        check(
            "a: [\n// first\n1,\n// last\n]\n",
            "a: [\n\t// first\n\t1,\n\t// last\n]\n",
        );
        check("// only\n", "// only\n");
        check("// c1\n\n// c2\npackage p\n", "// c1\n\n// c2\npackage p\n");
    }

    #[test]
    fn line_breaks_after_binary_operators_are_kept_with_their_comments() {
        check("a: 1 + // c\n2\nb: 3\n", "a: 1 + // c\n\t2\nb: 3\n");
        check(
            "#Kind: \"a\" | // the a\n  \"b\" |\n  // before c\n  \"c\"\n",
            "#Kind: \"a\" | // the a\n\t\"b\" |\n\t// before c\n\t\"c\"\n",
        );
        check(
            "x: {\na: 1 &\n{\nb: 2\n}\n}\n",
            "x: {\n\ta: 1 &\n\t\t{\n\t\t\tb: 2\n\t\t}\n}\n",
        );
    }

    #[test]
    fn other_comments_inside_expressions_move_to_the_next_line_boundary() {
        check("a: f(1, // c\n2)\n", "a: f(1, 2)\n// c\n");
        check("a: // c\nb: 1\n", "a: b: 1\n// c\n");
        check("x: {\na: y[0 // c\n]\n}\n", "x: {\n\ta: y[0]\n\t// c\n}\n");
        check(
            "import ( // c\n\"a\"\n\"b\" // d\n// e\n)\n",
            "import (\n\t// c\n\t\"a\"\n\t\"b\" // d\n)\n// e\n",
        );
    }

    #[test]
    fn values_of_consecutive_fields_are_aligned() {
        check("a: 1\nbbb: 2\ncc: x\n", "a:   1\nbbb: 2\ncc:  x\n");
        check("{\na: 1, bb: 2\n}\n", "{\n\ta:  1\n\tbb: 2\n}\n");
        // Blank lines, comment lines, multi-line values and other
        // declarations end a section.
        check(
            "a: 1\nbb: 2\n\nccc: 3\n// x\ndddd: 4\ne: f(1 |\n2)\ng: 5\n",
            "a:  1\nbb: 2\n\nccc: 3\n// x\ndddd: 4\ne: f(1 |\n\t2)\ng: 5\n",
        );
        check("a: 1\n#B\nccc: 3\n", "a: 1\n#B\nccc: 3\n");
        check("a: 1\nlet x = 2\nccc: 3\n", "a: 1\nlet x = 2\nccc: 3\n");
    }

    #[test]
    fn fields_with_struct_or_list_values_are_not_aligned() {
        check("a: 1\nbbb: 2\ncc: {}\n", "a:   1\nbbb: 2\ncc: {}\n");
        check("a: 1\nbbb: [1]\ncc: 3\n", "a: 1\nbbb: [1]\ncc: 3\n");
        check("a: x & {y: 1}\nbbb: 2\n", "a:   x & {y: 1}\nbbb: 2\n");
        check("a: f([1])\nbbb: 2\n", "a:   f([1])\nbbb: 2\n");
        check(
            "a: {x: 1} @a()\nbb: 2 @b()\n",
            "a: {x: 1} @a()\nbb: 2 @b()\n",
        );
        check(
            "a: \"\"\"\n\tx\n\t\"\"\"\nbb: 2\n",
            "a: \"\"\"\n\tx\n\t\"\"\"\nbb: 2\n",
        );
    }

    #[test]
    fn shorthand_chains_align_with_chains_of_the_same_length() {
        check(
            "a: b: 1\ncc: d: 2\ne: 3\nff: 4\n",
            "a: b:  1\ncc: d: 2\ne:  3\nff: 4\n",
        );
        check("a: b: {}\ncc: d: 2\n", "a: b: {}\ncc: d: 2\n");
    }

    #[test]
    fn attributes_and_trailing_comments_are_aligned() {
        check("a: 1 @x()\nbb: 22 @y()\n", "a:  1  @x()\nbb: 22 @y()\n");
        check(
            "a: 1 @x()\nbb: 22\nc: 3 @z()\n",
            "a:  1 @x()\nbb: 22\nc:  3 @z()\n",
        );
        check(
            "a: 1 // x\nbbbb: 2 // y\nc: 3\n",
            "a:    1 // x\nbbbb: 2 // y\nc:    3\n",
        );
        check(
            "a: [\n1, // x\n333, // y\n]\n",
            "a: [\n\t1,   // x\n\t333, // y\n]\n",
        );
        // Other declarations are sections of their own.
        check("#A // x\n#BBB // y\n", "#A // x\n#BBB // y\n");
    }

    #[test]
    fn output_ends_with_one_newline() {
        check("a: 1", "a: 1\n");
        check("a: 1\n\n\n", "a: 1\n");
        check("", "");
        check("\n\n", "");
    }

    #[test]
    fn idempotent_on_mixed_inputs() {
        let inputs = [
            "@extern(x)\n// Package doc.\npackage demo // trailing\n\nimport (\n\t\"strings\" // s\n\tl \"list\"\n)\n\n// The schema.\n#S: {\n\tname!: string // required\n\tage?: int & >=0 | *0\n\ttags: [...string]\n\t[K=string]: _\n\tlet n = name\n\tout: strings.ToUpper(n) + \"x\"\n\tfor i, t in tags if i > 0 {\n\t\t\"tag\\(i)\": t\n\t}\n\t...\n}\n\nv: #S & {name: \"a\", tags: [\"x\", \"y\",\n\t\"z\",\n\t]}\nw: l.Concat([[1], [2]]) // end\n",
            "a: {\n  b: c: d: 1 @a(1)\n  eeeeee: [\n    {x: 1}, // one\n    {y: 2,\n     z: 3},\n  ]\n  f: *\"x\" | \"y\"\n}\n// tail\n",
            "x: [for k, v in {a: 1} {\n(k): v\n}] + [1]\ny: {\n\tif x != _|_ {z: 1}\n} @attr()\n",
        ];
        for src in inputs {
            fmt(src);
        }
    }

    #[test]
    fn printer_adds_parentheses_only_where_needed() {
        let n = |t: &str| parse_expr(t, 0).0;
        let b = |op, l, r| {
            Expr::new(
                ExprKind::Binary(op, Box::new(l), Box::new(r)),
                Span::default(),
            )
        };
        let sum = b(BinaryOp::Add, n("1"), n("2"));
        assert_eq!(
            format_expr(&b(BinaryOp::Mul, sum.clone(), n("3"))),
            "(1 + 2) * 3"
        );
        assert_eq!(
            format_expr(&b(BinaryOp::Add, n("3"), sum.clone())),
            "3 + (1 + 2)"
        );
        assert_eq!(
            format_expr(&b(BinaryOp::Add, sum.clone(), n("3"))),
            "1 + 2 + 3"
        );
        assert_eq!(
            format_expr(&b(BinaryOp::Or, sum.clone(), n("3"))),
            "1 + 2 | 3"
        );
        let neg = Expr::new(
            ExprKind::Unary(UnaryOp::Neg, Box::new(sum.clone())),
            Span::default(),
        );
        assert_eq!(format_expr(&neg), "-(1 + 2)");
        let sel = Expr::new(
            ExprKind::Selector(
                Box::new(neg),
                LabelKind::Ident(Ident {
                    name: "a".into(),
                    span: Span::default(),
                }),
            ),
            Span::default(),
        );
        assert_eq!(format_expr(&sel), "(-(1 + 2)).a");
        let not_eq = Expr::new(
            ExprKind::Unary(UnaryOp::Not, Box::new(n("==1"))),
            Span::default(),
        );
        assert_eq!(format_expr(&not_eq), "! ==1");
    }

    #[test]
    fn deep_nesting_and_long_chains_do_not_overflow() {
        let n = crate::parser::MAX_NESTING - 10;
        let m = crate::parser::MAX_CHAIN - 10;
        let cases = [
            format!("a: {}1{}\n", "{\nb: ".repeat(n), "\n}".repeat(n)),
            format!("a: {}1{}\n", "[\n".repeat(n), "\n]".repeat(n)),
            format!("a: {}1{}\n", "f((".repeat(n / 2), "))".repeat(n / 2)),
            format!("a: {}\n", vec!["x"; m].join(" + ")),
            format!("a: x{}\n", ".y".repeat(m)),
            format!("a: {}x\n", "!".repeat(m)),
            format!("{}1\n", "a: ".repeat(m)),
        ];
        // Parsing and dropping such trees is not the printer's business:
        // give them a large stack, and the printer a small one.
        let big = |f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .stack_size(1 << 30)
                .spawn(f)
                .unwrap()
                .join()
                .unwrap()
        };
        for src in cases {
            let (tx, rx) = std::sync::mpsc::channel();
            let text = src.clone();
            big(Box::new(move || tx.send(parse_file(&text)).unwrap()));
            let (file, errors) = rx.recv().unwrap();
            assert!(errors.is_empty(), "{errors:?}");
            let (file, out) = std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn(move || {
                    let out = format_file(&file, &src);
                    (file, out)
                })
                .unwrap()
                .join()
                .unwrap();
            assert!(out.ends_with('\n'));
            big(Box::new(move || drop(file)));
        }
    }

    #[test]
    fn bad_nodes_do_not_panic() {
        let (file, errors) = parse_file("a: 1\nb: )\nc: [1, 2\n");
        assert!(!errors.is_empty());
        let out = format_file(&file, "a: 1\nb: )\nc: [1, 2\n");
        assert!(out.starts_with("a: 1\n"), "{out}");
        let bad = File {
            attrs: vec![],
            package: None,
            imports: vec![],
            decls: vec![
                Decl::Bad(Span::default()),
                Decl::Embed(Expr::new(ExprKind::Bad, Span::default())),
            ],
            comments: vec![],
            span: Span::default(),
        };
        assert_eq!(format_file(&bad, ""), "_|_\n_|_\n");
    }

    mod props {
        use super::super::*;
        use crate::dump::dump_file;
        use crate::{parse_expr, parse_file};
        use proptest::collection::vec;
        use proptest::option;
        use proptest::prelude::*;
        use proptest::sample::select;
        use proptest::strategy::Union;

        // ---- random trees ----

        const LEAVES: &[&str] = &[
            "a",
            "b",
            "x",
            "#D",
            "_h",
            "$v",
            "1",
            "42",
            "0x1F",
            "1_000",
            "1Ki",
            "1.5",
            "2e3",
            ".5",
            "\"s\"",
            "'b'",
            "#\"r\"#",
            "\"i\\(a + 1)\"",
            "\"\"\"\n\tml\n\t\"\"\"",
            "true",
            "false",
            "null",
            "_",
            "_|_",
        ];
        const LABELS: &[&str] = &[
            "a", "b", "#D", "_h", "if", "for", "let", "in", "true", "null", "try", "else",
        ];
        const STRING_LABELS: &[&str] = &["\"q\"", "\"a-b\"", "#\"r\"#", "\"\\(x)\""];
        const NAMES: &[&str] = &["X", "Y", "K"];
        const BINDERS: &[&str] = &["k", "v", "_"];
        const ATTRS: &[(&str, &str)] = &[
            ("go", "A"),
            ("json", ",omitempty"),
            ("x", ""),
            ("t", "a=[1, (2)]"),
        ];
        const BINOPS: &[BinaryOp] = &[
            BinaryOp::Or,
            BinaryOp::And,
            BinaryOp::LogicalOr,
            BinaryOp::LogicalAnd,
            BinaryOp::Eq,
            BinaryOp::Ne,
            BinaryOp::Lt,
            BinaryOp::Le,
            BinaryOp::Gt,
            BinaryOp::Ge,
            BinaryOp::Match,
            BinaryOp::NotMatch,
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
        ];
        const UNOPS: &[UnaryOp] = &[
            UnaryOp::Plus,
            UnaryOp::Neg,
            UnaryOp::Not,
            UnaryOp::Default,
            UnaryOp::Lt,
            UnaryOp::Le,
            UnaryOp::Gt,
            UnaryOp::Ge,
            UnaryOp::Ne,
            UnaryOp::Match,
            UnaryOp::NotMatch,
            UnaryOp::Eq,
        ];

        fn mk(kind: ExprKind) -> Expr {
            Expr::new(kind, Span::default())
        }

        fn id(name: &str) -> Ident {
            Ident {
                name: name.to_string(),
                span: Span::default(),
            }
        }

        fn leaf(src: &str) -> Expr {
            let (e, errors) = parse_expr(src, 0);
            assert!(errors.is_empty(), "{src}: {errors:?}");
            e
        }

        fn string_lit(src: &str) -> StringLit {
            match leaf(src).kind {
                ExprKind::String(s) => s,
                k => panic!("not a string: {k:?}"),
            }
        }

        /// `e`, in parentheses (as the parser would keep them) when it
        /// binds looser than `min`.
        fn wrap(e: Expr, min: u8) -> Expr {
            if prec(&e) < min {
                mk(ExprKind::Paren(Box::new(e)))
            } else {
                e
            }
        }

        fn binary(op: BinaryOp, l: Expr, r: Expr) -> Expr {
            let p = op.precedence();
            mk(ExprKind::Binary(
                op,
                Box::new(wrap(l, p)),
                Box::new(wrap(r, p + 1)),
            ))
        }

        fn arb_leaf() -> BoxedStrategy<Expr> {
            select(LEAVES).prop_map(leaf).boxed()
        }

        fn arb_expr(depth: u32) -> BoxedStrategy<Expr> {
            if depth == 0 {
                return arb_leaf();
            }
            let sub = arb_expr(depth - 1);
            let label = prop_oneof![
                select(LABELS).prop_map(|n| LabelKind::Ident(id(n))),
                select(STRING_LABELS).prop_map(|s| LabelKind::String(string_lit(s))),
            ];
            prop_oneof![
                4 => arb_leaf(),
                3 => (select(BINOPS), sub.clone(), sub.clone()).prop_map(|(op, l, r)| binary(op, l, r)),
                2 => (select(UNOPS), sub.clone())
                    .prop_map(|(op, x)| mk(ExprKind::Unary(op, Box::new(wrap(x, UNARY))))),
                1 => sub.clone().prop_map(|x| mk(ExprKind::Paren(Box::new(x)))),
                1 => (sub.clone(), label)
                    .prop_map(|(x, l)| mk(ExprKind::Selector(Box::new(wrap(x, PRIMARY)), l))),
                1 => (sub.clone(), sub.clone())
                    .prop_map(|(x, i)| mk(ExprKind::Index(Box::new(wrap(x, PRIMARY)), Box::new(i)))),
                1 => (sub.clone(), option::of(sub.clone()), option::of(sub.clone())).prop_map(|(x, lo, hi)| mk(
                    ExprKind::Slice(Box::new(wrap(x, PRIMARY)), lo.map(Box::new), hi.map(Box::new))
                )),
                1 => (select(&["f", "a.b", "len"][..]), vec(sub.clone(), 0..3))
                    .prop_map(|(f, args)| mk(ExprKind::Call(Box::new(leaf(f)), args))),
                1 => arb_list(depth - 1),
                1 => arb_struct(depth - 1).prop_map(|s| mk(ExprKind::Struct(s))),
            ]
            .boxed()
        }

        /// Expressions where an alias, `x...` or `x?` may also stand.
        fn arb_value(depth: u32) -> BoxedStrategy<Expr> {
            prop_oneof![
                8 => arb_expr(depth),
                1 => (select(NAMES), arb_expr(depth))
                    .prop_map(|(a, x)| mk(ExprKind::Alias(id(a), Box::new(wrap(x, 1))))),
                1 => arb_leaf().prop_map(|x| mk(ExprKind::Open(Box::new(x)))),
                1 => arb_leaf().prop_map(|x| mk(ExprKind::Try(Box::new(x)))),
            ]
            .boxed()
        }

        fn arb_list(depth: u32) -> BoxedStrategy<Expr> {
            let elem = prop_oneof![
                4 => arb_value(depth).prop_map(ListElem::Expr),
                1 => arb_comprehension(depth).prop_map(ListElem::Comprehension),
            ];
            (vec(elem, 0..4), option::of(option::of(arb_expr(depth))))
                .prop_map(|(mut elems, tail)| {
                    if let Some(t) = tail {
                        elems.push(ListElem::Ellipsis(t, Span::default()));
                    }
                    mk(ExprKind::List(ListLit {
                        elems,
                        span: Span::default(),
                    }))
                })
                .boxed()
        }

        fn arb_struct(depth: u32) -> BoxedStrategy<StructLit> {
            vec(arb_decl(depth, false), 0..4)
                .prop_map(|decls| StructLit {
                    decls,
                    elided: false,
                    span: Span::default(),
                })
                .boxed()
        }

        fn arb_label(depth: u32) -> BoxedStrategy<Label> {
            let kind = prop_oneof![
                6 => select(LABELS).prop_map(|n| LabelKind::Ident(id(n))),
                2 => select(STRING_LABELS).prop_map(|s| LabelKind::String(string_lit(s))),
                1 => arb_value(depth).prop_map(|e| LabelKind::Dynamic(Box::new(e))),
                1 => (option::of(select(NAMES)), arb_expr(depth))
                    .prop_map(|(a, e)| LabelKind::Pattern(a.map(id), Box::new(e))),
            ];
            let constraint = select(
                &[
                    Constraint::Regular,
                    Constraint::Regular,
                    Constraint::Optional,
                    Constraint::Required,
                ][..],
            );
            let postfix = prop_oneof![
                (select(NAMES), any::<bool>()).prop_map(|(v, parens)| PostfixAlias {
                    label: None,
                    value: id(v),
                    parens
                }),
                (select(&["K", "_"][..]), select(NAMES)).prop_map(|(k, v)| PostfixAlias {
                    label: Some(id(k)),
                    value: id(v),
                    parens: true
                }),
            ];
            (
                option::weighted(0.2, select(NAMES)),
                kind,
                constraint,
                option::weighted(0.2, postfix),
            )
                .prop_map(|(alias, kind, constraint, postfix_alias)| Label {
                    alias: alias.map(id),
                    kind,
                    constraint,
                    postfix_alias: postfix_alias.map(Box::new),
                    span: Span::default(),
                })
                .boxed()
        }

        fn arb_attrs() -> BoxedStrategy<Vec<Attribute>> {
            vec(select(ATTRS), 0..3)
                .prop_map(|v| {
                    v.into_iter()
                        .map(|(name, body)| Attribute {
                            name: name.to_string(),
                            body: body.to_string(),
                            span: Span::default(),
                        })
                        .collect()
                })
                .boxed()
        }

        fn field(label: Label, value: Expr, attrs: Vec<Attribute>) -> Field {
            Field {
                label,
                value,
                attrs,
                span: Span::default(),
            }
        }

        fn arb_field(depth: u32) -> BoxedStrategy<Field> {
            prop_oneof![
                4 => (arb_label(depth), arb_value(depth), arb_attrs()).prop_map(|(l, v, a)| field(l, v, a)),
                1 => (arb_label(depth), arb_label(depth), arb_value(depth), arb_attrs()).prop_map(|(outer, inner, v, a)| {
                    let inner = field(inner, v, a);
                    let value = mk(ExprKind::Struct(StructLit {
                        decls: vec![Decl::Field(inner)],
                        elided: true,
                        span: Span::default(),
                    }));
                    field(outer, value, vec![])
                }),
            ]
            .boxed()
        }

        fn let_clause(name: &str, value: Expr) -> LetClause {
            LetClause {
                name: id(name),
                value,
                span: Span::default(),
            }
        }

        /// The lexer splits `.5` after an identifier (`if`, `in`) into a
        /// selector, so such operands are written in parentheses.
        fn after_keyword(e: Expr) -> Expr {
            if format_expr(&e).starts_with('.') {
                mk(ExprKind::Paren(Box::new(e)))
            } else {
                e
            }
        }

        fn arb_clause(depth: u32, first: bool) -> BoxedStrategy<Clause> {
            let for_clause = (
                option::of(select(BINDERS)),
                select(BINDERS),
                arb_expr(depth),
            )
                .prop_map(|(k, v, source)| Clause::For {
                    key: k.map(id),
                    value: id(v),
                    source: after_keyword(source),
                    span: Span::default(),
                });
            let if_clause =
                arb_expr(depth).prop_map(|c| Clause::If(after_keyword(c), Span::default()));
            let try_clause = option::of((select(NAMES), arb_expr(depth)))
                .prop_map(|l| Clause::Try(l.map(|(n, v)| let_clause(n, v)), Span::default()));
            if first {
                prop_oneof![for_clause, if_clause, try_clause].boxed()
            } else {
                let let_c = (select(NAMES), arb_expr(depth))
                    .prop_map(|(n, v)| Clause::Let(let_clause(n, v)));
                prop_oneof![for_clause, if_clause, try_clause, let_c].boxed()
            }
        }

        fn arb_comprehension(depth: u32) -> BoxedStrategy<Comprehension> {
            (
                arb_clause(depth, true),
                vec(arb_clause(depth, false), 0..2),
                arb_struct(depth),
                option::weighted(0.2, arb_struct(depth)),
            )
                .prop_map(|(first, rest, body, else_body)| {
                    let mut clauses = vec![first];
                    clauses.extend(rest);
                    Comprehension {
                        clauses,
                        body,
                        else_body,
                        span: Span::default(),
                    }
                })
                .boxed()
        }

        fn arb_decl(depth: u32, top: bool) -> BoxedStrategy<Decl> {
            let mut arms: Vec<(u32, BoxedStrategy<Decl>)> = vec![
                (6, arb_field(depth).prop_map(Decl::Field).boxed()),
                (2, arb_value(depth).prop_map(Decl::Embed).boxed()),
                (
                    1,
                    (select(NAMES), arb_expr(depth))
                        .prop_map(|(n, v)| Decl::Let(let_clause(n, v)))
                        .boxed(),
                ),
                (
                    1,
                    option::of(arb_expr(depth))
                        .prop_map(|t| Decl::Ellipsis(t, Span::default()))
                        .boxed(),
                ),
            ];
            if depth > 0 {
                arms.push((
                    1,
                    arb_comprehension(depth - 1)
                        .prop_map(Decl::Comprehension)
                        .boxed(),
                ));
            }
            // A first top-level attribute would become a file attribute.
            if !top {
                let attr = select(ATTRS).prop_map(|(name, body)| {
                    Decl::Attribute(Attribute {
                        name: name.to_string(),
                        body: body.to_string(),
                        span: Span::default(),
                    })
                });
                arms.push((1, attr.boxed()));
            }
            Union::new_weighted(arms).boxed()
        }

        fn arb_file() -> impl Strategy<Value = File> {
            let import = (
                option::of(select(&["x", "_"][..])),
                select(&["strings", "list", "example.com/a@v0:pkg"][..]),
            )
                .prop_map(|(alias, path)| Import {
                    alias: alias.map(id),
                    path: path.to_string(),
                    path_span: Span::default(),
                    span: Span::default(),
                });
            (
                arb_attrs(),
                option::of(select(&["p", "_"][..])),
                vec(import, 0..3),
                vec(arb_decl(2, true), 0..5),
            )
                .prop_map(|(attrs, package, imports, decls)| File {
                    attrs,
                    package: package.map(id),
                    imports,
                    decls,
                    comments: vec![],
                    span: Span::default(),
                })
        }

        // ---- random source text ----

        const OP_BREAKS: &[&str] = &[" ", " ", " ", "\n", " // c\n"];
        const HEADS: &[&str] = &["\n", "\n", " // c\n", "\n\n", "\n// c\n", ""];
        const CLAUSE_SEPS: &[&str] = &[" ", " ", "\n", " // c\n", "\n// c\n"];
        const DECL_SEPS: &[&str] = &[
            "\n",
            "\n",
            ",\n",
            "\n\n",
            " // c\n",
            "\n// c\n",
            ",\n\n// c\n\n",
            "\n\t\n",
        ];
        const ELEM_SEPS: &[&str] = &[",\n", ",\n", "\n", ", // c\n", ",\n// c\n", ",\n\n"];

        type Src = (String, u8);

        fn paren_src(s: Src, min: u8) -> String {
            if s.1 < min {
                format!("({})", s.0)
            } else {
                s.0
            }
        }

        /// `left` then `right`, with a space where they would otherwise
        /// lex as a different operator.
        fn join_op(left: &str, right: &str) -> String {
            let sep = if left.ends_with(['!', '<', '>', '=']) && right.starts_with('=') {
                " "
            } else {
                ""
            };
            format!("{left}{sep}{right}")
        }

        fn src_leaf() -> BoxedStrategy<Src> {
            select(LEAVES)
                .prop_map(|s| (s.to_string(), PRIMARY))
                .boxed()
        }

        fn src_expr(depth: u32) -> BoxedStrategy<Src> {
            if depth == 0 {
                return src_leaf();
            }
            let sub = src_expr(depth - 1);
            prop_oneof![
                4 => src_leaf(),
                3 => (select(BINOPS), sub.clone(), sub.clone(), select(OP_BREAKS)).prop_map(|(op, l, r, brk)| {
                    let p = op.precedence();
                    (format!("{} {}{brk}{}", paren_src(l, p), op.as_str(), paren_src(r, p + 1)), p)
                }),
                2 => (select(UNOPS), sub.clone()).prop_map(|(op, x)| (join_op(op.as_str(), &paren_src(x, UNARY)), UNARY)),
                1 => sub.clone().prop_map(|x| (format!("({})", x.0), PRIMARY)),
                1 => (sub.clone(), select(&["a", "#D", "if", "\"q\""][..])).prop_map(|(x, l)| {
                    let x = if x.0.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
                        format!("({})", x.0)
                    } else {
                        paren_src(x, PRIMARY)
                    };
                    (format!("{x}.{l}"), PRIMARY)
                }),
                1 => (sub.clone(), sub.clone()).prop_map(|(x, i)| (format!("{}[{}]", paren_src(x, PRIMARY), i.0), PRIMARY)),
                1 => (select(&["f", "a.b"][..]), vec(sub.clone(), 0..3)).prop_map(|(f, args)| {
                    let args: Vec<String> = args.into_iter().map(|a| a.0).collect();
                    (format!("{f}({})", args.join(", ")), PRIMARY)
                }),
                1 => src_list(depth - 1),
                1 => src_struct(depth - 1),
            ]
            .boxed()
        }

        fn src_value(depth: u32) -> BoxedStrategy<String> {
            prop_oneof![
                8 => src_expr(depth).prop_map(|e| e.0),
                1 => (select(NAMES), src_expr(depth)).prop_map(|(a, x)| join_op(&format!("{a}="), &paren_src(x, 1))),
                1 => src_leaf().prop_map(|x| format!("{}...", x.0)),
                1 => src_leaf().prop_map(|x| format!("{}?", x.0)),
            ]
            .boxed()
        }

        /// A bracketed block: on one line, or one item per line with
        /// random separators, blank lines and comments.
        fn multi_layout() -> impl Strategy<Value = (bool, &'static str, bool)> {
            (any::<bool>(), select(HEADS), proptest::bool::weighted(0.3))
        }

        /// A bracketed block: on one line, or over several lines with random
        /// separators, blank lines and comments, the first and last items
        /// maybe on the lines of the brackets.
        fn layout(
            open: &str,
            close: &str,
            items: Vec<(String, &str)>,
            multi: (bool, &str, bool),
        ) -> String {
            let (multi, head, hug_end) = multi;
            let mut s = open.to_string();
            if multi {
                s.push_str(head);
                let n = items.len();
                for (i, (item, sep)) in items.into_iter().enumerate() {
                    s.push_str(&item);
                    if !(hug_end && i + 1 == n) {
                        s.push_str(sep);
                    }
                }
            } else {
                let items: Vec<String> = items.into_iter().map(|i| i.0).collect();
                s.push_str(&items.join(", "));
            }
            s.push_str(close);
            s
        }

        fn src_list(depth: u32) -> BoxedStrategy<Src> {
            let elem = prop_oneof![4 => src_value(depth), 1 => src_comprehension(depth)];
            (
                vec((elem, select(ELEM_SEPS)), 0..4),
                option::of((option::of(src_expr(depth)), select(ELEM_SEPS))),
                multi_layout(),
            )
                .prop_map(|(mut elems, tail, multi)| {
                    if let Some((t, sep)) = tail {
                        elems.push((format!("...{}", t.map(|t| t.0).unwrap_or_default()), sep));
                    }
                    (layout("[", "]", elems, multi), PRIMARY)
                })
                .boxed()
        }

        fn src_struct(depth: u32) -> BoxedStrategy<Src> {
            (
                vec((src_decl(depth), select(DECL_SEPS)), 0..4),
                multi_layout(),
            )
                .prop_map(|(decls, multi)| (layout("{", "}", decls, multi), PRIMARY))
                .boxed()
        }

        fn src_label(depth: u32) -> BoxedStrategy<String> {
            let name = prop_oneof![
                6 => select(LABELS).prop_map(str::to_string),
                2 => select(STRING_LABELS).prop_map(str::to_string),
                1 => src_value(depth).prop_map(|v| format!("({v})")),
                1 => (option::of(select(NAMES)), src_expr(depth))
                    .prop_map(|(a, e)| format!("[{}]", join_op(&a.map(|a| format!("{a}=")).unwrap_or_default(), &e.0))),
            ];
            let postfix = select(&["", "", "", "~X", "~(Y)", "~(K,V)", "~(_,V)"][..]);
            let constraint = select(&["", "", "?", "!"][..]);
            (
                option::weighted(0.2, select(NAMES)),
                name,
                postfix,
                constraint,
            )
                .prop_map(|(alias, name, postfix, constraint)| {
                    let alias = alias.map(|a| format!("{a}=")).unwrap_or_default();
                    format!("{alias}{name}{postfix}{constraint}")
                })
                .boxed()
        }

        fn src_field(depth: u32) -> BoxedStrategy<String> {
            let attrs = vec(select(&[" @go(A)", " @x()", "  @t(a, b=[1])"][..]), 0..3)
                .prop_map(|a| a.concat());
            prop_oneof![
                4 => (src_label(depth), src_value(depth), attrs.clone()).prop_map(|(l, v, a)| format!("{l}: {v}{a}")),
                1 => (src_label(depth), src_label(depth), src_value(depth), attrs)
                    .prop_map(|(l1, l2, v, a)| format!("{l1}: {l2}: {v}{a}")),
            ]
            .boxed()
        }

        /// See `after_keyword`.
        fn src_after_keyword(e: Src) -> String {
            if e.0.starts_with('.') {
                format!("({})", e.0)
            } else {
                e.0
            }
        }

        fn src_clause(depth: u32, first: bool) -> BoxedStrategy<String> {
            let for_clause = (
                option::of(select(BINDERS)),
                select(BINDERS),
                src_expr(depth),
            )
                .prop_map(|(k, v, e)| match k {
                    Some(k) => format!("for {k}, {v} in {}", src_after_keyword(e)),
                    None => format!("for {v} in {}", src_after_keyword(e)),
                });
            let if_clause = src_expr(depth).prop_map(|e| format!("if {}", src_after_keyword(e)));
            let try_clause = option::of((select(NAMES), src_expr(depth))).prop_map(|l| match l {
                Some((n, e)) => format!("try {n} = {}", e.0),
                None => "try".to_string(),
            });
            if first {
                prop_oneof![for_clause, if_clause, try_clause].boxed()
            } else {
                let let_c = (select(NAMES), src_expr(depth))
                    .prop_map(|(n, e)| format!("let {n} = {}", e.0));
                prop_oneof![for_clause, if_clause, try_clause, let_c].boxed()
            }
        }

        fn src_comprehension(depth: u32) -> BoxedStrategy<String> {
            (
                src_clause(depth, true),
                vec((src_clause(depth, false), select(CLAUSE_SEPS)), 0..2),
                src_struct(depth),
                option::weighted(0.2, src_struct(depth)),
            )
                .prop_map(|(first, rest, body, else_body)| {
                    let mut s = first;
                    for (c, sep) in rest {
                        s.push_str(sep);
                        s.push_str(&c);
                    }
                    s.push(' ');
                    s.push_str(&body.0);
                    if let Some(e) = else_body {
                        s.push_str(" else ");
                        s.push_str(&e.0);
                    }
                    s
                })
                .boxed()
        }

        fn src_decl(depth: u32) -> BoxedStrategy<String> {
            let mut arms: Vec<(u32, BoxedStrategy<String>)> = vec![
                (6, src_field(depth)),
                (2, src_value(depth)),
                (
                    1,
                    (select(NAMES), src_expr(depth))
                        .prop_map(|(n, e)| format!("let {n} = {}", e.0))
                        .boxed(),
                ),
                (
                    1,
                    option::of(src_expr(depth))
                        .prop_map(|t| format!("...{}", t.map(|t| t.0).unwrap_or_default()))
                        .boxed(),
                ),
            ];
            if depth > 0 {
                arms.push((1, src_comprehension(depth - 1)));
            }
            Union::new_weighted(arms).boxed()
        }

        fn src_file() -> impl Strategy<Value = String> {
            let header = select(
                &[
                    "",
                    "package p\n",
                    "// doc\npackage p // p\n\n",
                    "@if(x)\n\npackage p\n\nimport \"strings\"\n\n",
                    "import (\n\t\"strings\" // s\n\n\tl \"list\"\n)\n",
                    "import \"a\"\nimport x \"b\"\n\n",
                ][..],
            );
            let seps = select(&["\n", "\n\n", " // c\n", "\n// c\n", "\n\n// c\n\n", ", "][..]);
            (
                header,
                vec((src_decl(2), seps), 0..5),
                select(&["", "// end\n"][..]),
            )
                .prop_map(|(header, decls, tail)| {
                    let mut s = header.to_string();
                    for (d, sep) in decls {
                        s.push_str(&d);
                        s.push_str(sep);
                    }
                    s.push_str(tail);
                    s
                })
        }

        fn comment_texts(f: &File) -> Vec<String> {
            let mut t: Vec<String> = f.comments.iter().map(|c| c.text.clone()).collect();
            t.sort();
            t
        }

        proptest! {
            /// A random tree prints as text that parses back to the same
            /// tree, and formatting that text again changes nothing.
            #[test]
            fn printed_trees_parse_back(file in arb_file()) {
                let printed = format_file(&file, "");
                let (parsed, errors) = parse_file(&printed);
                prop_assert!(errors.is_empty(), "{:?}\n{}", errors, printed);
                prop_assert_eq!(dump_file(&parsed), dump_file(&file), "{}", printed);
                let once = format_file(&parsed, &printed);
                let (again, errors) = parse_file(&once);
                prop_assert!(errors.is_empty(), "{:?}\n{}", errors, once);
                prop_assert_eq!(dump_file(&again), dump_file(&file), "{}", once);
                prop_assert_eq!(format_file(&again, &once), once);
            }

            /// Random source text, with random line breaks, blank lines and
            /// comments, formats to text with the same tree and comments,
            /// and formatting is idempotent.
            #[test]
            fn formatting_random_source_is_faithful(src in src_file()) {
                let (file, errors) = parse_file(&src);
                prop_assert!(errors.is_empty(), "generated source does not parse: {:?}\n{}", errors, src);
                let once = format_file(&file, &src);
                let (again, errors) = parse_file(&once);
                prop_assert!(errors.is_empty(), "{:?}\n--- source\n{}--- output\n{}", errors, src, once);
                prop_assert_eq!(dump_file(&again), dump_file(&file), "--- source\n{}--- output\n{}", src, once);
                prop_assert_eq!(comment_texts(&again), comment_texts(&file), "{}", once);
                prop_assert!(once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")));
                let twice = format_file(&again, &once);
                prop_assert_eq!(&twice, &once, "--- source\n{}", src);
            }
        }
    }
}
