//! `@tag(name)` attributes filled from the command line (`-t name=value`).
//!
//! A field `env: "prod" | "staging" @tag(env)` gets `-t env=staging`
//! unified into its value; `@tag(env, short=prod|staging)` also accepts
//! `-t staging`; `type=int|number|bool` parses the value as that type
//! (strings by default). A tag given on the command line that no field
//! declares is an error, as is a value of the wrong type.
//!
//! With `-T` (`inject_vars`), a tag declaring `var=NAME` that `-t` did not
//! set gets a value of the system: `now` (UTC time, RFC 3339 with
//! nanoseconds), `os` and `arch` (named as Go names them: `linux`,
//! `amd64`), `cwd`, `username`, `hostname`, `rand` (a random 128-bit
//! integer). Each variable is computed once per run.

use std::collections::HashMap;

use rcue_eval::{Error, ParsedFile};
use rcue_syntax::ast::{BinaryOp, Decl, Expr, ExprKind, ListElem};

/// A tag attribute: its name, short forms and value type.
struct TagDecl {
    name: String,
    shorts: Vec<String>,
    kind: String,
    var: Option<String>,
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
        var: None,
    };
    for p in parts {
        match p.split_once('=') {
            Some(("short", v)) => t.shorts = v.split('|').map(str::to_string).collect(),
            Some(("type", v)) => t.kind = v.to_string(),
            Some(("var", v)) => t.var = Some(v.to_string()),
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

/// What the tagged fields are filled from: `-t` values and, with `-T`,
/// system variables (computed on first use).
struct Inputs<'a> {
    tags: &'a [String],
    used: Vec<bool>,
    vars: Option<HashMap<String, Expr>>,
}

/// Applies `-t` values (and, with `inject_vars`, `var=` variables) to the
/// tagged fields of `files`.
pub fn apply(
    files: &mut [ParsedFile],
    tags: &[String],
    inject_vars: bool,
) -> Result<(), Vec<Error>> {
    if tags.is_empty() && !inject_vars {
        return Ok(());
    }
    let mut inputs = Inputs {
        tags,
        used: vec![false; tags.len()],
        vars: inject_vars.then(HashMap::new),
    };
    for f in files.iter_mut() {
        let mut decls = std::mem::take(&mut f.ast.decls);
        let r = walk(&mut decls, &mut inputs);
        f.ast.decls = decls;
        r?;
    }
    let used = inputs.used;
    if let Some(i) = used.iter().position(|u| !u) {
        let name = tags[i].split('=').next().unwrap_or(&tags[i]);
        return Err(err(format!("-t {}: no tag for {name:?}", tags[i])));
    }
    Ok(())
}

fn walk(decls: &mut [Decl], inputs: &mut Inputs) -> Result<(), Vec<Error>> {
    for d in decls {
        if let Decl::Field(f) = d {
            let tag = f
                .attrs
                .iter()
                .find(|a| a.name == "tag")
                .and_then(|a| parse_tag(&a.body));
            if let Some(t) = tag {
                let lit = match lookup(&t, inputs.tags, &mut inputs.used) {
                    Some(value) => Some(literal(&t, &value)?),
                    None => match (&t.var, &mut inputs.vars) {
                        (Some(var), Some(vars)) => Some(variable(var, vars)?),
                        _ => None,
                    },
                };
                if let Some(lit) = lit {
                    let span = f.value.span;
                    let old = std::mem::replace(&mut f.value, Expr::new(ExprKind::Top, span));
                    f.value = Expr::new(
                        ExprKind::Binary(BinaryOp::And, Box::new(old), Box::new(lit)),
                        span,
                    );
                }
            }
            walk_expr(&mut f.value, inputs)?;
        }
    }
    Ok(())
}

fn walk_expr(e: &mut Expr, inputs: &mut Inputs) -> Result<(), Vec<Error>> {
    match &mut e.kind {
        ExprKind::Struct(s) => walk(&mut s.decls, inputs),
        ExprKind::List(l) => {
            for el in &mut l.elems {
                if let ListElem::Expr(x) = el {
                    walk_expr(x, inputs)?;
                }
            }
            Ok(())
        }
        ExprKind::Binary(_, a, b) => {
            walk_expr(a, inputs)?;
            walk_expr(b, inputs)
        }
        ExprKind::Paren(x) => walk_expr(x, inputs),
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

/// The value of a tag variable (`var=NAME`), computed once per run.
fn variable(name: &str, vars: &mut HashMap<String, Expr>) -> Result<Expr, Vec<Error>> {
    if let Some(e) = vars.get(name) {
        return Ok(e.clone());
    }
    let span = rcue_syntax::Span::new(0, 0);
    let string = |s: String| {
        Expr::new(
            ExprKind::String(rcue_syntax::data::string_lit(s, span)),
            span,
        )
    };
    let failed = |e: std::io::Error| err(format!("error getting tag variable '{name}': {e}"));
    let e = match name {
        "now" => string(rfc3339_now()),
        "os" => string(go_os().to_string()),
        "arch" => string(go_arch().to_string()),
        "cwd" => string(
            std::env::current_dir()
                .map_err(failed)?
                .display()
                .to_string(),
        ),
        "username" => string(username().map_err(failed)?),
        "hostname" => string(hostname().map_err(failed)?),
        "rand" => {
            let hex: String = random_bytes().iter().map(|b| format!("{b:02x}")).collect();
            let mut e = rcue_syntax::parse_expr(&format!("0x{hex}"), 0).0;
            e.span = span;
            e
        }
        _ => return Err(err(format!("tag variable '{name}' not found"))),
    };
    vars.insert(name.to_string(), e.clone());
    Ok(e)
}

/// The current UTC time as Go's RFC 3339 with nanoseconds prints it
/// (`2024-11-21T12:24:01.928819957Z`, trailing zeros of the fraction
/// dropped).
fn rfc3339_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(now.as_secs() as i64, now.subsec_nanos())
}

fn rfc3339(secs: i64, nanos: u32) -> String {
    rcue_eval::stdlib::time::format_rfc3339(secs, nanos, 0)
}

/// The operating system as Go's `GOOS` names it.
fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// The architecture as Go's `GOARCH` names it.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        other => other,
    }
}

/// The name of the user running the process: the `/etc/passwd` entry of
/// its user id, else `$USER`.
fn username() -> std::io::Result<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(me), Ok(passwd)) = (
            std::fs::metadata("/proc/self"),
            std::fs::read_to_string("/etc/passwd"),
        ) {
            let uid = me.uid().to_string();
            for line in passwd.lines() {
                let f: Vec<&str> = line.split(':').collect();
                if f.len() > 2 && f[2] == uid {
                    return Ok(f[0].to_string());
                }
            }
        }
    }
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .map_err(|_| std::io::Error::other("cannot determine the current user"))
}

fn hostname() -> std::io::Result<String> {
    for p in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
        if let Ok(s) = std::fs::read_to_string(p) {
            let s = s.trim();
            if !s.is_empty() {
                return Ok(s.to_string());
            }
        }
    }
    std::env::var("HOSTNAME")
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .map_err(|_| std::io::Error::other("cannot determine the host name"))
}

/// 16 random bytes: from the operating system's source where there is one,
/// else from the standard library's randomly seeded hasher.
fn random_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        if f.read_exact(&mut b).is_ok() {
            return b;
        }
    }
    use std::hash::{BuildHasher, Hasher};
    for (i, chunk) in b.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_go() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_732_191_841, 928_819_957),
            "2024-11-21T12:24:01.928819957Z"
        );
        assert_eq!(rfc3339(951_782_400, 500_000_000), "2000-02-29T00:00:00.5Z");
    }

    #[test]
    fn rand_is_a_128_bit_hex_literal() {
        let mut vars = HashMap::new();
        let e = variable("rand", &mut vars).unwrap();
        assert!(
            matches!(e.kind, ExprKind::Int(ref s) if s.starts_with("0x") && s.len() == 34),
            "{e:?}"
        );
        assert!(variable("nope", &mut vars).is_err());
    }
}
