//! Package `strconv`: conversions between strings and numbers or bools,
//! with Go's syntax and error wording (`strconv.Atoi: parsing "x": invalid
//! syntax`).

use num_bigint::BigInt;
use num_traits::{Num as _, Signed};

use super::{f, int, string, Args, Def, Failure, R};
use crate::meet::quote;
use crate::num::Num;
use crate::value::Value;

pub const FUNCS: &[Def] = &[
    f("Atoi", 1, |_, a| {
        let s = a.str(0)?;
        parse_int(a, "Atoi", &s, 10, 64).map(int)
    }),
    f("Itoa", 1, |_, a| Ok(string(a.big(0)?.to_string()))),
    f("ParseInt", 3, |_, a| {
        let s = a.str(0)?;
        parse_int(a, "ParseInt", &s, a.int(1)?, a.int(2)?).map(int)
    }),
    f("ParseUint", 3, |_, a| {
        let s = a.str(0)?;
        if s.starts_with(['-', '+']) {
            return Err(syntax(a, "ParseUint", &s));
        }
        parse_int(a, "ParseUint", &s, a.int(1)?, a.int(2)?.saturating_add(1)).map(int)
    }),
    f("ParseFloat", 2, |_, a| {
        let s = a.str(0)?;
        let t = s.replace('_', "");
        match t.to_ascii_lowercase().as_str() {
            "inf" | "+inf" | "-inf" | "infinity" | "nan" => {
                return Err(a.fail(format!(
                    "strconv.ParseFloat: parsing {}: value out of range",
                    quote(&s)
                )))
            }
            _ => {}
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t.strip_prefix('+').unwrap_or(&t)),
        };
        let body = if body.starts_with('.') {
            format!("0{body}")
        } else {
            body.to_string()
        };
        let n = Num::parse_float(&body).map_err(|_| syntax(a, "ParseFloat", &s))?;
        let mut n = if neg { n.neg() } else { n };
        n.is_int = false;
        Ok(Value::num(n))
    }),
    f("ParseBool", 1, |_, a| {
        let s = a.str(0)?;
        match s.as_ref() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Value::Bool(true)),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Value::Bool(false)),
            _ => Err(syntax(a, "ParseBool", &s)),
        }
    }),
    f("FormatInt", 2, |_, a| format_int(a, a.big(0)?)),
    f("FormatUint", 2, |_, a| {
        let n = a.big(0)?;
        if n.is_negative() {
            return Err(a.fail(format!("argument 1 to {} must be non-negative", a.name)));
        }
        format_int(a, n)
    }),
    f("FormatFloat", 4, format_float),
    f("FormatBool", 1, |_, a| Ok(string(a.bool(0)?.to_string()))),
    f("Quote", 1, |_, a| Ok(string(quote(&a.str(0)?)))),
    f("QuoteToASCII", 1, |_, a| {
        let q = quote(&a.str(0)?);
        let mut out = String::new();
        for c in q.chars() {
            match c as u32 {
                0..=0x7f => out.push(c),
                x @ 0x80..=0xffff => out.push_str(&format!("\\u{x:04x}")),
                x => out.push_str(&format!("\\U{x:08x}")),
            }
        }
        Ok(string(out))
    }),
    f("Unquote", 1, |_, a| {
        let s = a.str(0)?;
        unquote(&s)
            .map(string)
            .ok_or_else(|| a.fail("invalid syntax"))
    }),
];

pub fn constant(_: &mut crate::eval::Engine, name: &str) -> Option<Value> {
    (name == "IntSize").then(|| int(64))
}

fn syntax(a: &Args, func: &str, s: &str) -> Failure {
    a.fail(format!(
        "strconv.{func}: parsing {}: invalid syntax",
        quote(s)
    ))
}

/// Go's ParseInt: base 0 infers it from a prefix (and allows `_`);
/// the result must fit in `bits` (0 means 64).
fn parse_int(a: &Args, func: &str, s: &str, base: i64, bits: i64) -> Result<BigInt, Failure> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = match base {
        0 => {
            let lower = body.to_ascii_lowercase();
            let (r, skip) = if lower.starts_with("0x") {
                (16, 2)
            } else if lower.starts_with("0b") {
                (2, 2)
            } else if lower.starts_with("0o") {
                (8, 2)
            } else if lower.starts_with('0') && body.len() > 1 {
                (8, 1)
            } else {
                (10, 0)
            };
            (r, body[skip..].replace('_', ""))
        }
        2..=36 => (base as u32, body.to_string()),
        _ => {
            return Err(a.fail(format!(
                "strconv.{func}: parsing {}: invalid base {base}",
                quote(s)
            )))
        }
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return Err(syntax(a, func, s));
    }
    let n = BigInt::from_str_radix(&digits, radix).map_err(|_| syntax(a, func, s))?;
    let n = if neg { -n } else { n };
    let bits = if bits <= 0 || bits > 64 { 64 } else { bits };
    let max = (BigInt::from(1) << (bits - 1) as usize) - 1;
    let min = -(BigInt::from(1) << (bits - 1) as usize);
    // ParseUint passes bits+1 so that the unsigned range fits.
    if n > max || n < min {
        return Err(a.fail(format!(
            "strconv.{func}: parsing {}: value out of range",
            quote(s)
        )));
    }
    Ok(n)
}

fn format_int(a: &Args, n: BigInt) -> R {
    let base = a.int(1)?;
    if !(2..=36).contains(&base) {
        return Err(a.fail(format!("invalid base {base}")));
    }
    Ok(string(n.to_str_radix(base as u32)))
}

/// Go's FormatFloat for the formats `f`, `e`, `E`, `g`, `G`; precision -1
/// means the shortest text that reads back the same float64.
fn format_float(_: &mut crate::eval::Engine, a: &Args) -> R {
    let x = a.float(0)?;
    let fmt = match a.vals.get(1) {
        Some(Value::Str(s)) => s.chars().next().map_or(0, |c| c as i64),
        _ => a.int(1)?,
    };
    let prec = a.int(2)?;
    let _bits = a.int(3)?;
    if !(-1..=1000).contains(&prec) {
        return Err(a.fail("precision out of range"));
    }
    let p = usize::try_from(prec).ok();
    let text = match u8::try_from(fmt).map(char::from) {
        Ok('f') => match p {
            Some(p) => format!("{x:.p$}"),
            None => shortest_plain(x),
        },
        Ok(c @ ('e' | 'E')) => exp_form(x, p, c),
        Ok(c @ ('g' | 'G')) => {
            let e = if x == 0.0 {
                0
            } else {
                x.abs().log10().floor() as i64
            };
            let limit = p.map_or(21, |p| p.max(1) as i64);
            if e < -4 || e >= limit {
                exp_form(x, p.map(|p| p.max(1) - 1), if c == 'g' { 'e' } else { 'E' })
            } else {
                match p {
                    Some(p) => {
                        let decimals = (p.max(1) as i64 - 1 - e).max(0) as usize;
                        trim_zeros(format!("{x:.decimals$}"))
                    }
                    None => shortest_plain(x),
                }
            }
        }
        _ => return Err(a.fail(format!("unsupported format {fmt}"))),
    };
    Ok(string(text))
}

fn shortest_plain(x: f64) -> String {
    let s = format!("{x}");
    if s == "-0" {
        "-0".into()
    } else {
        s
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `d.ddde±dd` with at least two exponent digits, as Go prints it.
fn exp_form(x: f64, prec: Option<usize>, e: char) -> String {
    let s = match prec {
        Some(p) => format!("{x:.p$e}"),
        None => format!("{x:e}"),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mant}{e}{sign}{digits:0>2}")
}

/// Go's Unquote for double-quoted, back-quoted and single-rune literals.
fn unquote(s: &str) -> Option<String> {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        let body = &s[1..s.len() - 1];
        return (!body.contains('`')).then(|| body.replace('\r', ""));
    }
    let q = s.chars().next()?;
    if !(q == '"' || q == '\'') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let body = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == q || c == '\n' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::str::Chars, n: usize| -> Option<u32> {
            let t: String = chars.take(n).collect();
            (t.len() == n).then_some(())?;
            u32::from_str_radix(&t, 16).ok()
        };
        out.push(match e {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\x07',
            'b' => '\x08',
            'f' => '\x0c',
            'v' => '\x0b',
            '\\' => '\\',
            '\'' | '"' => e,
            'x' => char::from_u32(hex(&mut chars, 2)?)?,
            'u' => char::from_u32(hex(&mut chars, 4)?)?,
            'U' => char::from_u32(hex(&mut chars, 8)?)?,
            '0'..='7' => {
                let t: String = std::iter::once(e).chain(chars.by_ref().take(2)).collect();
                char::from_u32(u32::from_str_radix(&t, 8).ok()?)?
            }
            _ => return None,
        });
    }
    if q == '\'' && out.chars().count() != 1 {
        return None;
    }
    Some(out)
}
