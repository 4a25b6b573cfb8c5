//! `@tag(name)` attributes filled from the command line (`-t name=value`).
//!
//! A field `env: "prod" | "staging" @tag(env)` gets `-t env=staging`
//! unified into its value; `@tag(env, short=prod|staging)` also accepts
//! `-t staging`; `type=int|number|bool` parses the value as that type
//! (strings by default). A tag given on the command line that no field
//! declares is an error, as is a value of the wrong type.

use rcue_eval::{Error, ParsedFile};
use rcue_syntax::ast::{BinaryOp, Decl, Expr, ExprKind, ListElem};

/// A tag attribute: its name, short forms and value type.
struct TagDecl {
    name: String,
    shorts: Vec<String>,
    kind: String,
}

fn parse_tag(body: &str) -> Option<TagDecl> {
    let mut parts = body.split(',').map(str::trim);
    let name = parts.next()?.to_string();
    if name.is_empty() {
        return None;
    }
    let mut t = TagDecl {
        name,
        shorts: Vec::new(),
        kind: "string".into(),
    };
    for p in parts {
        match p.split_once('=') {
            Some(("short", v)) => t.shorts = v.split('|').map(str::to_string).collect(),
            Some(("type", v)) => t.kind = v.to_string(),
            _ => {}
        }
    }
    Some(t)
}

fn err(msg: String) -> Vec<Error> {
    vec![Error {
        path: String::new(),
        msg,
        pos: Vec::new(),
        incomplete: false,
    }]
}

/// Applies `-t` values to the tagged fields of `files`.
pub fn apply(files: &mut [ParsedFile], tags: &[String]) -> Result<(), Vec<Error>> {
    if tags.is_empty() {
        return Ok(());
    }
    let mut used = vec![false; tags.len()];
    for f in files.iter_mut() {
        let mut decls = std::mem::take(&mut f.ast.decls);
        let r = walk(&mut decls, tags, &mut used);
        f.ast.decls = decls;
        r?;
    }
    if let Some(i) = used.iter().position(|u| !u) {
        let name = tags[i].split('=').next().unwrap_or(&tags[i]);
        return Err(err(format!("-t {}: no tag for {name:?}", tags[i])));
    }
    Ok(())
}

fn walk(decls: &mut [Decl], tags: &[String], used: &mut [bool]) -> Result<(), Vec<Error>> {
    for d in decls {
        if let Decl::Field(f) = d {
            let tag = f
                .attrs
                .iter()
                .find(|a| a.name == "tag")
                .and_then(|a| parse_tag(&a.body));
            if let Some(t) = tag {
                if let Some(value) = lookup(&t, tags, used) {
                    let lit = literal(&t, &value)?;
                    let span = f.value.span;
                    let old = std::mem::replace(&mut f.value, Expr::new(ExprKind::Top, span));
                    f.value = Expr::new(
                        ExprKind::Binary(BinaryOp::And, Box::new(old), Box::new(lit)),
                        span,
                    );
                }
            }
            walk_expr(&mut f.value, tags, used)?;
        }
    }
    Ok(())
}

fn walk_expr(e: &mut Expr, tags: &[String], used: &mut [bool]) -> Result<(), Vec<Error>> {
    match &mut e.kind {
        ExprKind::Struct(s) => walk(&mut s.decls, tags, used),
        ExprKind::List(l) => {
            for el in &mut l.elems {
                if let ListElem::Expr(x) = el {
                    walk_expr(x, tags, used)?;
                }
            }
            Ok(())
        }
        ExprKind::Binary(_, a, b) => {
            walk_expr(a, tags, used)?;
            walk_expr(b, tags, used)
        }
        ExprKind::Paren(x) => walk_expr(x, tags, used),
        _ => Ok(()),
    }
}

/// The command-line value for a tag: `name=value`, or a short form.
fn lookup(t: &TagDecl, tags: &[String], used: &mut [bool]) -> Option<String> {
    for (i, arg) in tags.iter().enumerate() {
        match arg.split_once('=') {
            Some((n, v)) if n == t.name => {
                used[i] = true;
                return Some(v.to_string());
            }
            None if t.shorts.iter().any(|s| s == arg) => {
                used[i] = true;
                return Some(arg.clone());
            }
            _ => {}
        }
    }
    None
}

fn literal(t: &TagDecl, value: &str) -> Result<Expr, Vec<Error>> {
    let span = rcue_syntax::Span::new(0, 0);
    let parsed = match t.kind.as_str() {
        "string" => {
            return Ok(Expr::new(
                ExprKind::String(rcue_syntax::data::string_lit(value.to_string(), span)),
                span,
            ))
        }
        "int" | "number" | "float" | "bool" => {
            let (e, errs) = rcue_syntax::parse_expr(value, 0);
            let ok = errs.is_empty()
                && match (&e.kind, t.kind.as_str()) {
                    (ExprKind::Int(_), "int" | "number") => true,
                    (ExprKind::Float(_) | ExprKind::Int(_), "float" | "number") => true,
                    (ExprKind::Bool(_), "bool") => true,
                    (ExprKind::Unary(_, x), "int" | "number" | "float") => {
                        matches!(x.kind, ExprKind::Int(_) | ExprKind::Float(_))
                    }
                    _ => false,
                };
            ok.then_some(e)
        }
        other => {
            return Err(err(format!(
                "tag {:?}: unsupported type {other:?} (use string, int, number, float or bool)",
                t.name
            )))
        }
    };
    parsed
        .map(|mut e| {
            e.span = span;
            e
        })
        .ok_or_else(|| {
            err(format!(
                "-t {}={value}: not a valid {} value",
                t.name, t.kind
            ))
        })
}
