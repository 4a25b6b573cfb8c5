//! Package `path`: slash-separated paths with Go's lexical rules. The
//! optional last argument names the OS flavour; `unix` (the default) and
//! `plan9` are supported, `windows` is not yet.

use super::{opt, str_list, string, Args, Def, Failure, R};
use crate::eval::Engine;
use crate::value::{ErrKind, Value};

pub const FUNCS: &[Def] = &[
    opt("Base", 2, 1, |_, a| Ok(string(base(&unix(a, 0)?)))),
    opt("Dir", 2, 1, |_, a| Ok(string(dir(&unix(a, 0)?)))),
    opt("Ext", 2, 1, |_, a| {
        let p = unix(a, 0)?;
        let name = &p[p.rfind('/').map_or(0, |i| i + 1)..];
        Ok(string(name.rfind('.').map_or("", |i| &name[i..])))
    }),
    opt("Clean", 2, 1, |_, a| Ok(string(clean(&unix(a, 0)?)))),
    opt("IsAbs", 2, 1, |_, a| {
        Ok(Value::Bool(unix(a, 0)?.starts_with('/')))
    }),
    opt("Split", 2, 1, |en, a| {
        let p = unix(a, 0)?;
        let i = p.rfind('/').map_or(0, |i| i + 1);
        Ok(str_list(en, [p[..i].to_string(), p[i..].to_string()]))
    }),
    opt("Join", 2, 1, join),
    opt("Match", 3, 1, |_, a| {
        os(a, 2)?;
        let (pat, name) = (a.str(0)?, a.str(1)?);
        glob(pat.as_bytes(), name.as_bytes())
            .map(Value::Bool)
            .ok_or_else(|| a.fail("syntax error in pattern"))
    }),
];

pub fn constant(_: &mut Engine, name: &str) -> Option<Value> {
    match name {
        "Unix" => Some(string("unix")),
        "Windows" => Some(string("windows")),
        "Plan9" => Some(string("plan9")),
        _ => None,
    }
}

fn os(a: &Args, i: usize) -> Result<(), Failure> {
    match a.str_or(i, "unix")?.as_ref() {
        "unix" | "plan9" => Ok(()),
        "windows" => Err((
            ErrKind::Unsupported,
            format!("not supported yet: {} with os windows", a.name),
        )),
        other => Err(a.fail(format!("unsupported OS {other:?}"))),
    }
}

/// The path in argument `i`, after checking the OS argument that follows.
fn unix(a: &Args, i: usize) -> Result<String, Failure> {
    os(a, i + 1)?;
    Ok(a.str(i)?.to_string())
}

fn join(en: &mut Engine, a: &Args) -> R {
    os(a, 1)?;
    let parts = a.strs(en, 0)?;
    let parts: Vec<&str> = parts
        .iter()
        .map(|s| s.as_ref())
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Ok(string(""));
    }
    Ok(string(clean(&parts.join("/"))))
}

fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return "/".into();
    }
    p[p.rfind('/').map_or(0, |i| i + 1)..].to_string()
}

fn dir(p: &str) -> String {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..i])
}

/// Go's path.Clean: collapse slashes, drop `.`, resolve `..` lexically.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Shell-style matching as Go's path.Match; `None` for a bad pattern.
fn glob(pat: &[u8], name: &[u8]) -> Option<bool> {
    match pat.first() {
        None => Some(name.is_empty()),
        Some(b'*') => {
            let rest = &pat[1..];
            // Validate the rest of the pattern even when nothing is left.
            glob(rest, b"")?;
            for i in 0..=name.len() {
                if i > 0 && name[i - 1] == b'/' {
                    break;
                }
                if glob(rest, &name[i..])? {
                    return Some(true);
                }
            }
            Some(false)
        }
        Some(b'?') => match name.first() {
            Some(&c) if c != b'/' => glob(&pat[1..], &name[1..]),
            _ => {
                glob(&pat[1..], b"")?;
                Some(false)
            }
        },
        Some(b'[') => {
            let (matched, used) = class(&pat[1..], name.first().copied())?;
            if !matched {
                return Some(false);
            }
            glob(&pat[1 + used..], &name[1..])
        }
        Some(b'\\') => {
            let &c = pat.get(1)?;
            match name.first() {
                Some(&n) if n == c => glob(&pat[2..], &name[1..]),
                _ => Some(false),
            }
        }
        Some(&c) => match name.first() {
            Some(&n) if n == c => glob(&pat[1..], &name[1..]),
            _ => {
                glob(&pat[1..], b"")?;
                Some(false)
            }
        },
    }
}

/// A `[...]` class after the `[`: whether `c` is in it, and its length
/// including the closing `]`.
fn class(p: &[u8], c: Option<u8>) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = p.first() == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let &lo = p.get(i)?;
        if lo == b']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = if lo == b'\\' {
            i += 1;
            *p.get(i)?
        } else {
            lo
        };
        i += 1;
        let mut hi = lo;
        if p.get(i) == Some(&b'-') && p.get(i + 1).is_some_and(|&x| x != b']') {
            hi = *p.get(i + 1)?;
            if hi == b'\\' {
                hi = *p.get(i + 2)?;
                i += 1;
            }
            i += 2;
        }
        if let Some(c) = c {
            if lo <= c && c <= hi {
                found = true;
            }
        }
    }
    let ok = c.is_some_and(|c| c != b'/') && (found != negate);
    Some((ok, i))
}
