//! Package `text/template`: `Execute` for a subset of Go templates —
//! `{{.}}`, `{{.a.b}}`, `{{if}}`/`{{else}}`/`{{end}}`, `{{range}}` and trim
//! markers (`{{-`, `-}}`) — and the `HTMLEscape`/`JSEscape` helpers.
//! Anything else fails with "not supported yet".

use super::{f, string, Def, Failure};
use crate::export::{self, Data};
use crate::value::ErrKind;

pub const FUNCS: &[Def] = &[
    f("Execute", 2, |en, a| {
        let tmpl = a.str(0)?;
        let v = a.vals.get(1).cloned().unwrap_or(crate::value::Value::Top);
        let data = export::export_value(en, &v, "").map_err(|errs| {
            let e = &errs[0];
            let kind = if e.kind == ErrKind::Eval {
                ErrKind::Eval
            } else {
                ErrKind::Incomplete
            };
            (
                kind,
                format!(
                    "cannot convert non-concrete value {}",
                    e.msg.trim_start_matches("incomplete value ")
                ),
            )
        })?;
        let nodes = parse(&tmpl)?;
        let mut out = String::new();
        exec(&nodes, &data, &mut out)?;
        Ok(string(out))
    }),
    f("HTMLEscape", 1, |_, a| Ok(string(html_escape(&a.str(0)?)))),
    f("JSEscape", 1, |_, a| Ok(string(js_escape(&a.str(0)?)))),
];

enum Node {
    Text(String),
    Field(Vec<String>),
    If(Vec<String>, Vec<Node>, Vec<Node>),
    Range(Vec<String>, Vec<Node>, Vec<Node>),
}

fn unsupported(what: &str) -> Failure {
    (
        ErrKind::Unsupported,
        format!("not supported yet: text/template {what}"),
    )
}

/// Splits the template into text and actions, applying trim markers.
fn tokens(t: &str) -> Result<Vec<(bool, String)>, Failure> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        let mut text = rest[..i].to_string();
        let after = &rest[i + 2..];
        let (trim_left, after) = match after.strip_prefix("- ") {
            Some(x) => (true, x),
            None => (false, after),
        };
        if trim_left {
            text = text.trim_end().to_string();
        }
        out.push((false, text));
        let j = after
            .find("}}")
            .ok_or_else(|| (ErrKind::Eval, "template: unclosed action".to_string()))?;
        let mut action = &after[..j];
        let mut next = &after[j + 2..];
        if let Some(x) = action.strip_suffix(" -") {
            action = x;
            next = next.trim_start();
        }
        out.push((true, action.trim().to_string()));
        rest = next;
    }
    out.push((false, rest.to_string()));
    Ok(out)
}

fn parse(t: &str) -> Result<Vec<Node>, Failure> {
    let toks = tokens(t)?;
    let mut pos = 0;
    let (nodes, end) = block(&toks, &mut pos)?;
    if end.is_some() {
        return Err((
            ErrKind::Eval,
            "template: unexpected {{end}} or {{else}}".into(),
        ));
    }
    Ok(nodes)
}

/// Nodes up to an `{{else}}` or `{{end}}` (returned) or the end of input.
fn block(toks: &[(bool, String)], pos: &mut usize) -> Result<(Vec<Node>, Option<String>), Failure> {
    let mut nodes = Vec::new();
    while *pos < toks.len() {
        let (is_action, s) = &toks[*pos];
        *pos += 1;
        if !is_action {
            if !s.is_empty() {
                nodes.push(Node::Text(s.clone()));
            }
            continue;
        }
        let mut words = s.split_whitespace();
        match words.next() {
            Some(w @ ("end" | "else")) => return Ok((nodes, Some(w.to_string()))),
            Some(w @ ("if" | "range")) => {
                let path = field_path(&words.collect::<Vec<_>>().join(" "))?;
                let (body, end) = block(toks, pos)?;
                let (alt, end) = if end.as_deref() == Some("else") {
                    block(toks, pos)?
                } else {
                    (Vec::new(), end)
                };
                if end.as_deref() != Some("end") {
                    return Err((
                        ErrKind::Eval,
                        format!("template: missing {{{{end}}}} for {w}"),
                    ));
                }
                nodes.push(if w == "if" {
                    Node::If(path, body, alt)
                } else {
                    Node::Range(path, body, alt)
                });
            }
            Some(_) => nodes.push(Node::Field(field_path(s)?)),
            None => return Err((ErrKind::Eval, "template: missing value for command".into())),
        }
    }
    Ok((nodes, None))
}

/// `.` or `.a.b`; anything else (functions, pipelines, variables) is not
/// supported yet.
fn field_path(s: &str) -> Result<Vec<String>, Failure> {
    if s == "." {
        return Ok(Vec::new());
    }
    let Some(rest) = s.strip_prefix('.') else {
        return Err(unsupported(&format!("action {{{{{s}}}}}")));
    };
    let parts: Vec<String> = rest.split('.').map(str::to_string).collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        return Err(unsupported(&format!("action {{{{{s}}}}}")));
    }
    Ok(parts)
}

fn lookup<'d>(d: &'d Data, path: &[String]) -> Option<&'d Data> {
    let mut cur = d;
    for p in path {
        match cur {
            Data::Object(fields) => cur = &fields.iter().find(|(k, _)| k == p)?.1,
            _ => return None,
        }
    }
    Some(cur)
}

/// Go's truthiness: false, 0, nil, and empty strings, lists and maps are
/// false.
fn truth(d: Option<&Data>) -> bool {
    match d {
        None | Some(Data::Null) | Some(Data::Bool(false)) => false,
        Some(Data::Num(n)) => n
            .trim_start_matches('-')
            .chars()
            .any(|c| ('1'..='9').contains(&c)),
        Some(Data::Str(s)) => !s.is_empty(),
        Some(Data::Bytes(b)) => !b.is_empty(),
        Some(Data::List(l)) => !l.is_empty(),
        Some(Data::Object(o)) => !o.is_empty(),
        Some(Data::Bool(true)) => true,
    }
}

fn exec(nodes: &[Node], dot: &Data, out: &mut String) -> Result<(), Failure> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Field(p) => match lookup(dot, p) {
                None => out.push_str("<no value>"),
                Some(Data::Str(s)) => out.push_str(s),
                Some(Data::Num(x)) => out.push_str(x),
                Some(Data::Bool(b)) => out.push_str(&b.to_string()),
                Some(Data::Null) => out.push_str("<nil>"),
                Some(_) => return Err(unsupported("printing of lists, structs and bytes")),
            },
            Node::If(p, body, alt) => {
                let branch = if truth(lookup(dot, p)) { body } else { alt };
                exec(branch, dot, out)?;
            }
            Node::Range(p, body, alt) => match lookup(dot, p) {
                Some(Data::List(items)) if !items.is_empty() => {
                    for it in items {
                        exec(body, it, out)?;
                    }
                }
                Some(Data::Object(fields)) if !fields.is_empty() => {
                    let mut sorted: Vec<&(String, Data)> = fields.iter().collect();
                    sorted.sort_by(|a, b| a.0.cmp(&b.0));
                    for (_, it) in sorted {
                        exec(body, it, out)?;
                    }
                }
                _ => exec(alt, dot, out)?,
            },
        }
    }
    Ok(())
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}
