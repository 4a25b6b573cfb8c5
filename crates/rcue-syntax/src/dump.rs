//! A compact, span-free rendering of the AST as S-expressions. Golden tests
//! compare it, and the print/parse round-trip property uses it to compare
//! trees while ignoring positions.

use std::fmt::Write;

use crate::ast::*;

/// Renders a whole file, one top-level declaration per line.
pub fn dump_file(f: &File) -> String {
    let mut out = String::new();
    for a in &f.attrs {
        let _ = writeln!(out, "(attr {} {:?})", a.name, a.body);
    }
    if let Some(p) = &f.package {
        let _ = writeln!(out, "(package {})", p.name);
    }
    for i in &f.imports {
        match &i.alias {
            Some(a) => {
                let _ = writeln!(out, "(import {} {:?})", a.name, i.path);
            }
            None => {
                let _ = writeln!(out, "(import {:?})", i.path);
            }
        }
    }
    for d in &f.decls {
        decl(&mut out, d);
        out.push('\n');
    }
    out
}

/// Renders one expression.
pub fn dump_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e);
    out
}

fn decl(out: &mut String, d: &Decl) {
    match d {
        Decl::Field(f) => {
            out.push_str("(field ");
            label(out, &f.label);
            out.push(' ');
            expr(out, &f.value);
            for a in &f.attrs {
                let _ = write!(out, " (attr {} {:?})", a.name, a.body);
            }
            out.push(')');
        }
        Decl::Embed(e) => {
            out.push_str("(embed ");
            expr(out, e);
            out.push(')');
        }
        Decl::Comprehension(c) => comprehension(out, c),
        Decl::Ellipsis(t, _) => ellipsis(out, t),
        Decl::Let(l) => let_clause(out, l),
        Decl::Attribute(a) => {
            let _ = write!(out, "(attr {} {:?})", a.name, a.body);
        }
        Decl::Bad(_) => out.push_str("(bad)"),
    }
}

fn ellipsis(out: &mut String, t: &Option<Expr>) {
    out.push_str("(...");
    if let Some(t) = t {
        out.push(' ');
        expr(out, t);
    }
    out.push(')');
}

fn let_clause(out: &mut String, l: &LetClause) {
    let _ = write!(out, "(let {} ", l.name.name);
    expr(out, &l.value);
    out.push(')');
}

fn comprehension(out: &mut String, c: &Comprehension) {
    out.push_str("(comprehension");
    for cl in &c.clauses {
        out.push(' ');
        match cl {
            Clause::For {
                key, value, source, ..
            } => {
                out.push_str("(for ");
                if let Some(k) = key {
                    let _ = write!(out, "{} ", k.name);
                }
                let _ = write!(out, "{} ", value.name);
                expr(out, source);
                out.push(')');
            }
            Clause::If(e, _) => {
                out.push_str("(if ");
                expr(out, e);
                out.push(')');
            }
            Clause::Let(l) => let_clause(out, l),
            Clause::Try(l, _) => {
                out.push_str("(try");
                if let Some(l) = l {
                    out.push(' ');
                    let_clause(out, l);
                }
                out.push(')');
            }
        }
    }
    out.push(' ');
    struct_lit(out, &c.body);
    if let Some(e) = &c.else_body {
        out.push_str(" (else ");
        struct_lit(out, e);
        out.push(')');
    }
    out.push(')');
}

fn struct_lit(out: &mut String, s: &StructLit) {
    out.push_str(if s.elided { "{:" } else { "{" });
    for (i, d) in s.decls.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        decl(out, d);
    }
    out.push('}');
}

fn label(out: &mut String, l: &Label) {
    if let Some(a) = &l.alias {
        let _ = write!(out, "{}=", a.name);
    }
    label_kind(out, &l.kind);
    match l.constraint {
        Constraint::Regular => {}
        Constraint::Optional => out.push('?'),
        Constraint::Required => out.push('!'),
    }
    if let Some(p) = &l.postfix_alias {
        out.push('~');
        match &p.label {
            Some(k) => {
                let _ = write!(out, "({},{})", k.name, p.value.name);
            }
            None => out.push_str(&p.value.name),
        }
    }
}

fn label_kind(out: &mut String, k: &LabelKind) {
    match k {
        LabelKind::Ident(i) => out.push_str(&i.name),
        LabelKind::String(s) => string(out, s),
        LabelKind::Dynamic(e) => {
            out.push_str("(dyn ");
            expr(out, e);
            out.push(')');
        }
        LabelKind::Pattern(a, e) => {
            out.push('[');
            if let Some(a) = a {
                let _ = write!(out, "{}=", a.name);
            }
            expr(out, e);
            out.push(']');
        }
    }
}

fn string(out: &mut String, s: &StringLit) {
    out.push_str(if s.is_bytes { "(bytes" } else { "(str" });
    // A verbatim literal has no parts: its text is the one part.
    if let Some(t) = s.verbatim.and(s.as_plain()).filter(|t| !t.is_empty()) {
        let _ = write!(out, " {:?}", t);
    }
    for p in &s.parts {
        out.push(' ');
        match p {
            StringPart::Text(t) => {
                let _ = write!(out, "{:?}", t);
            }
            StringPart::Bytes(b) => {
                let _ = write!(out, "{:?}", b);
            }
            StringPart::Interp(e) => {
                out.push_str("(interp ");
                expr(out, e);
                out.push(')');
            }
        }
    }
    out.push(')');
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Ident(i) => out.push_str(&i.name),
        ExprKind::Top => out.push('_'),
        ExprKind::Bottom => out.push_str("_|_"),
        ExprKind::Null => out.push_str("null"),
        ExprKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        ExprKind::Int(t) => {
            let _ = write!(out, "(int {t})");
        }
        ExprKind::Float(t) => {
            let _ = write!(out, "(float {t})");
        }
        ExprKind::String(s) => string(out, s),
        ExprKind::List(l) => {
            out.push('[');
            for (i, el) in l.elems.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                match el {
                    ListElem::Expr(e) => expr(out, e),
                    ListElem::Comprehension(c) => comprehension(out, c),
                    ListElem::Ellipsis(t, _) => ellipsis(out, t),
                }
            }
            out.push(']');
        }
        ExprKind::Struct(s) => struct_lit(out, s),
        ExprKind::Paren(x) => {
            out.push_str("(paren ");
            expr(out, x);
            out.push(')');
        }
        ExprKind::Selector(x, l) => {
            out.push_str("(sel ");
            expr(out, x);
            out.push(' ');
            label_kind(out, l);
            out.push(')');
        }
        ExprKind::Index(x, i) => {
            out.push_str("(index ");
            expr(out, x);
            out.push(' ');
            expr(out, i);
            out.push(')');
        }
        ExprKind::Slice(x, lo, hi) => {
            out.push_str("(slice ");
            expr(out, x);
            for b in [lo, hi] {
                out.push(' ');
                match b {
                    Some(b) => expr(out, b),
                    None => out.push('_'),
                }
            }
            out.push(')');
        }
        ExprKind::Try(x) => {
            out.push_str("(? ");
            expr(out, x);
            out.push(')');
        }
        ExprKind::Open(x) => {
            out.push_str("(open ");
            expr(out, x);
            out.push(')');
        }
        ExprKind::Call(f, args) => {
            out.push_str("(call ");
            expr(out, f);
            for a in args {
                out.push(' ');
                expr(out, a);
            }
            out.push(')');
        }
        ExprKind::Unary(op, x) => {
            let _ = write!(out, "({} ", op.as_str());
            expr(out, x);
            out.push(')');
        }
        ExprKind::Binary(op, l, r) => {
            let _ = write!(out, "({} ", op.as_str());
            expr(out, l);
            out.push(' ');
            expr(out, r);
            out.push(')');
        }
        ExprKind::Alias(a, x) => {
            let _ = write!(out, "(alias {} ", a.name);
            expr(out, x);
            out.push(')');
        }
        ExprKind::Bad => out.push_str("(bad)"),
    }
}
