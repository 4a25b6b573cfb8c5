//! Package `strings`: string manipulation with Go's semantics (byte
//! offsets for indices, runes for `MinRunes`/`MaxRunes`/`Runes`).

use super::{check_size, f, int, str_list, string, v, value_list, Args, Def, R};
use crate::eval::Engine;
use crate::value::Value;

pub const FUNCS: &[Def] = &[
    v("Contains", 2, |_, a| bool2(a, |s, t| s.contains(t))),
    v("ContainsAny", 2, |_, a| {
        bool2(a, |s, t| s.chars().any(|c| t.contains(c)))
    }),
    v("HasPrefix", 2, |_, a| bool2(a, |s, t| s.starts_with(t))),
    v("HasSuffix", 2, |_, a| bool2(a, |s, t| s.ends_with(t))),
    v("EqualFold", 2, |_, a| {
        bool2(a, |s, t| s.to_lowercase() == t.to_lowercase())
    }),
    v("MinRunes", 2, |_, a| {
        Ok(Value::Bool(a.str(0)?.chars().count() as i64 >= a.int(1)?))
    }),
    v("MaxRunes", 2, |_, a| {
        Ok(Value::Bool(a.str(0)?.chars().count() as i64 <= a.int(1)?))
    }),
    f("Compare", 2, |_, a| {
        Ok(int(a.str(0)?.cmp(&a.str(1)?) as i64))
    }),
    f("Join", 2, join),
    f("Split", 2, |en, a| split(en, a, -1, false)),
    f("SplitN", 3, |en, a| split(en, a, a.int(2)?, false)),
    f("SplitAfter", 2, |en, a| split(en, a, -1, true)),
    f("SplitAfterN", 3, |en, a| split(en, a, a.int(2)?, true)),
    f("Fields", 1, |en, a| {
        let s = a.str(0)?;
        Ok(str_list(en, s.split_whitespace().map(str::to_string)))
    }),
    f("Replace", 4, replace),
    f("ToLower", 1, |_, a| Ok(string(a.str(0)?.to_lowercase()))),
    f("ToUpper", 1, |_, a| Ok(string(a.str(0)?.to_uppercase()))),
    f("ToTitle", 1, |_, a| {
        Ok(string(map_word_starts(&a.str(0)?, true)))
    }),
    f("ToCamel", 1, |_, a| {
        Ok(string(map_word_starts(&a.str(0)?, false)))
    }),
    f("TrimSpace", 1, |_, a| Ok(string(a.str(0)?.trim()))),
    f("Trim", 2, |_, a| trim(a, true, true)),
    f("TrimLeft", 2, |_, a| trim(a, true, false)),
    f("TrimRight", 2, |_, a| trim(a, false, true)),
    f("TrimPrefix", 2, |_, a| {
        let (s, p) = (a.str(0)?, a.str(1)?);
        Ok(string(s.strip_prefix(p.as_ref()).unwrap_or(&s)))
    }),
    f("TrimSuffix", 2, |_, a| {
        let (s, p) = (a.str(0)?, a.str(1)?);
        Ok(string(s.strip_suffix(p.as_ref()).unwrap_or(&s)))
    }),
    f("Index", 2, |_, a| index(a, |s, t| s.find(t))),
    f("LastIndex", 2, |_, a| index(a, |s, t| s.rfind(t))),
    f("IndexAny", 2, |_, a| {
        index(a, |s, t| s.find(|c| t.contains(c)))
    }),
    f("LastIndexAny", 2, |_, a| {
        index(a, |s, t| s.rfind(|c| t.contains(c)))
    }),
    f("Count", 2, |_, a| {
        let (s, t) = (a.str(0)?, a.str(1)?);
        let n = if t.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(t.as_ref()).count()
        };
        Ok(int(n as i64))
    }),
    f("Repeat", 2, repeat),
    f("Runes", 1, |en, a| {
        let runes = a.str(0)?.chars().map(|c| int(c as u32)).collect();
        Ok(value_list(en, runes))
    }),
    f("SliceRunes", 3, |_, a| {
        let s = a.str(0)?;
        let (lo, hi) = (a.int(1)?, a.int(2)?);
        let n = s.chars().count() as i64;
        if lo < 0 || hi < lo || hi > n {
            return Err(a.fail(format!("index out of range [{lo}:{hi}] with length {n}")));
        }
        Ok(string(
            s.chars()
                .skip(lo as usize)
                .take((hi - lo) as usize)
                .collect::<String>(),
        ))
    }),
    f("ByteAt", 2, |_, a| {
        let (b, i) = (a.bytes(0)?, a.int(1)?);
        match usize::try_from(i).ok().and_then(|i| b.get(i)) {
            Some(&x) => Ok(int(x)),
            None => Err(a.fail("index out of range")),
        }
    }),
    f("ByteSlice", 3, |_, a| {
        let (b, lo, hi) = (a.bytes(0)?, a.int(1)?, a.int(2)?);
        if lo < 0 || hi < lo || hi as usize > b.len() {
            return Err(a.fail("index out of range"));
        }
        Ok(super::bytes(&b[lo as usize..hi as usize]))
    }),
];

fn bool2(a: &Args, op: fn(&str, &str) -> bool) -> R {
    Ok(Value::Bool(op(&a.str(0)?, &a.str(1)?)))
}

fn index(a: &Args, op: fn(&str, &str) -> Option<usize>) -> R {
    Ok(int(op(&a.str(0)?, &a.str(1)?).map_or(-1, |i| i as i64)))
}

fn join(en: &mut Engine, a: &Args) -> R {
    let parts = a.strs(en, 0)?;
    let sep = a.str(1)?;
    let parts: Vec<&str> = parts.iter().map(|s| s.as_ref()).collect();
    Ok(string(parts.join(&sep)))
}

/// Go's Split/SplitN/SplitAfter: `n < 0` means all parts, `n == 0` none;
/// an empty separator splits after each rune.
fn split(en: &mut Engine, a: &Args, n: i64, after: bool) -> R {
    let (s, sep) = (a.str(0)?, a.str(1)?);
    let max = if n < 0 { usize::MAX } else { n as usize };
    let mut parts: Vec<String> = Vec::new();
    let mut rest: &str = &s;
    if max == 0 {
        return Ok(str_list(en, parts));
    }
    if sep.is_empty() {
        while let Some(c) = rest.chars().next() {
            if parts.len() + 1 == max {
                break;
            }
            parts.push(c.to_string());
            rest = &rest[c.len_utf8()..];
        }
        if !rest.is_empty() {
            parts.push(rest.to_string());
        }
        return Ok(str_list(en, parts));
    }
    while parts.len() + 1 < max {
        let Some(m) = rest.find(sep.as_ref()) else {
            break;
        };
        let keep = if after { m + sep.len() } else { m };
        parts.push(rest[..keep].to_string());
        rest = &rest[m + sep.len()..];
    }
    parts.push(rest.to_string());
    Ok(str_list(en, parts))
}

fn replace(en: &mut Engine, a: &Args) -> R {
    let (s, old, new, n) = (a.str(0)?, a.str(1)?, a.str(2)?, a.int(3)?);
    let out = if n < 0 {
        s.replace(old.as_ref(), &new)
    } else {
        s.replacen(old.as_ref(), &new, n as usize)
    };
    check_size(
        "strings.Replace",
        Some(out.len()),
        en.limits().max_string_bytes,
    )?;
    Ok(string(out))
}

fn trim(a: &Args, left: bool, right: bool) -> R {
    let (s, cut) = (a.str(0)?, a.str(1)?);
    let in_cut = |c: char| cut.contains(c);
    let mut t: &str = &s;
    if left {
        t = t.trim_start_matches(in_cut);
    }
    if right {
        t = t.trim_end_matches(in_cut);
    }
    Ok(string(t))
}

fn repeat(en: &mut Engine, a: &Args) -> R {
    let (s, n) = (a.str(0)?, a.int(1)?);
    if n < 0 {
        return Err(a.fail("strings: negative Repeat count"));
    }
    let total = s.len().checked_mul(n as usize);
    check_size("strings.Repeat", total, en.limits().max_string_bytes)?;
    Ok(string(s.repeat(n as usize)))
}

/// Upper- (`ToTitle`) or lower-cases (`ToCamel`) each letter that begins a
/// word; a word begins after anything but a letter, digit or underscore.
fn map_word_starts(s: &str, upper: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            out.push(c);
        }
        prev_sep = !(c.is_alphanumeric() || c == '_');
    }
    out
}
