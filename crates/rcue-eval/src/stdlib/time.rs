//! Package `time`: durations as Go writes them (`1h30m`) and times in
//! RFC 3339. Other layouts of `Parse`/`Format` are not supported yet.

use super::{f, int, string, v, Args, Def, Failure};
use crate::eval::Engine;
use crate::value::{ErrKind, Value};

const NS: &[(&str, i128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

pub const FUNCS: &[Def] = &[
    v("Duration", 1, |_, a| {
        parse_duration(a, &a.str(0)?).map(|_| Value::Bool(true))
    }),
    f("ParseDuration", 1, |_, a| {
        parse_duration(a, &a.str(0)?).map(int)
    }),
    f("FormatDuration", 1, |_, a| {
        Ok(string(format_duration(a.int(0)?)))
    }),
    v("Time", 1, |_, a| {
        rfc3339(a, &a.str(0)?).map(|_| Value::Bool(true))
    }),
    f("Unix", 2, |_, a| {
        let (sec, nsec) = (a.int(0)?, a.int(1)?);
        let total = sec as i128 * 1_000_000_000 + nsec as i128;
        Ok(string(format_rfc3339(
            total.div_euclid(1_000_000_000),
            total.rem_euclid(1_000_000_000) as u32,
            0,
        )))
    }),
    f("Parse", 2, |_, a| {
        let (layout, value) = (a.str(0)?, a.str(1)?);
        rfc3339_layout(a, &layout)?;
        let t = rfc3339(a, &value)?;
        Ok(string(format_rfc3339(t.0, t.1, 0)))
    }),
    f("Format", 2, |_, a| {
        let (value, layout) = (a.str(0)?, a.str(1)?);
        rfc3339_layout(a, &layout)?;
        let t = rfc3339(a, &value)?;
        Ok(string(format_rfc3339(t.0, t.1, t.2)))
    }),
    f("FormatString", 2, |_, a| {
        let (layout, value) = (a.str(0)?, a.str(1)?);
        rfc3339_layout(a, &layout)?;
        let t = rfc3339(a, &value)?;
        Ok(string(format_rfc3339(t.0, t.1, t.2)))
    }),
];

const LAYOUTS: &[(&str, &str)] = &[
    ("Layout", "01/02 03:04:05PM '06 -0700"),
    ("ANSIC", "Mon Jan _2 15:04:05 2006"),
    ("UnixDate", "Mon Jan _2 15:04:05 MST 2006"),
    ("RubyDate", "Mon Jan 02 15:04:05 -0700 2006"),
    ("RFC822", "02 Jan 06 15:04 MST"),
    ("RFC822Z", "02 Jan 06 15:04 -0700"),
    ("RFC850", "Monday, 02-Jan-06 15:04:05 MST"),
    ("RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"),
    ("RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"),
    ("RFC3339", "2006-01-02T15:04:05Z07:00"),
    ("RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"),
    ("RFC3339Date", "2006-01-02"),
    ("Kitchen", "3:04PM"),
    ("Kitchen24", "15:04"),
    ("Stamp", "Jan _2 15:04:05"),
    ("StampMilli", "Jan _2 15:04:05.000"),
    ("StampMicro", "Jan _2 15:04:05.000000"),
    ("StampNano", "Jan _2 15:04:05.000000000"),
    ("DateTime", "2006-01-02 15:04:05"),
    ("DateOnly", "2006-01-02"),
    ("TimeOnly", "15:04:05"),
];

pub fn constant(_: &mut Engine, name: &str) -> Option<Value> {
    if let Some((_, l)) = LAYOUTS.iter().find(|(n, _)| *n == name) {
        return Some(string(l));
    }
    let unit = match name {
        "Nanosecond" => 1i64,
        "Microsecond" => 1_000,
        "Millisecond" => 1_000_000,
        "Second" => 1_000_000_000,
        "Minute" => 60_000_000_000,
        "Hour" => 3_600_000_000_000,
        _ => return None,
    };
    Some(int(unit))
}

fn rfc3339_layout(a: &Args, layout: &str) -> Result<(), Failure> {
    if layout.starts_with("2006-01-02T15:04:05") && layout.ends_with("Z07:00") {
        return Ok(());
    }
    Err((
        ErrKind::Unsupported,
        format!("not supported yet: {} with layout {layout:?}", a.name),
    ))
}

/// Go's ParseDuration: a signed sequence of decimal numbers with units.
fn parse_duration(a: &Args, s: &str) -> Result<i64, Failure> {
    let bad = || a.fail(format!("time: invalid duration {s:?}"));
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, tail) = rest.split_at(num_end);
        if num.is_empty() || num == "." {
            return Err(bad());
        }
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        let &(_, scale) = NS.iter().find(|(u, _)| *u == unit).ok_or_else(|| {
            if unit.is_empty() {
                a.fail(format!("time: missing unit in duration {s:?}"))
            } else {
                a.fail(format!("time: unknown unit {unit:?} in duration {s:?}"))
            }
        })?;
        let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let mut part = whole.checked_mul(scale).ok_or_else(bad)?;
        let mut div = 1i128;
        for d in frac.bytes().take(18) {
            div *= 10;
            part += (d - b'0') as i128 * scale / div;
        }
        total = total
            .checked_add(part)
            .filter(|t| *t <= i64::MAX as i128 + 1)
            .ok_or_else(bad)?;
        rest = tail;
    }
    let total = if neg { -total } else { total };
    i64::try_from(total).map_err(|_| bad())
}

/// Go's Duration.String: `1h2m3.5s`, `1.5ms`, `0s`.
fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let frac = |v: u64, digits: u32| -> String {
        let p = 10u64.pow(digits);
        let f = format!("{:0width$}", v % p, width = digits as usize);
        let f = f.trim_end_matches('0');
        if f.is_empty() {
            format!("{}", v / p)
        } else {
            format!("{}.{f}", v / p)
        }
    };
    let body = if u < 1_000 {
        format!("{u}ns")
    } else if u < 1_000_000 {
        format!("{}µs", frac(u, 3))
    } else if u < 1_000_000_000 {
        format!("{}ms", frac(u, 6))
    } else {
        let secs = u / 1_000_000_000;
        let (h, m) = (secs / 3600, secs / 60 % 60);
        let s = frac(u % 60_000_000_000, 9);
        let mut out = String::new();
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&format!("{s}s"));
        out
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// Seconds since the epoch (UTC), nanoseconds, and the offset in seconds
/// of an RFC 3339 time.
fn rfc3339(a: &Args, s: &str) -> Result<(i64, u32, i64), Failure> {
    let bad = || a.fail(format!("parsing time {s:?}: invalid RFC 3339 time"));
    let b = s.as_bytes();
    let num = |i: usize, n: usize| -> Result<i64, Failure> {
        let t = s.get(i..i + n).ok_or_else(bad)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse().map_err(|_| bad())
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let (y, mo, d, h, mi, se) = (
        num(0, 4)?,
        num(5, 2)?,
        num(8, 2)?,
        num(11, 2)?,
        num(14, 2)?,
        num(17, 2)?,
    );
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59
    {
        return Err(a.fail(format!("parsing time {s:?}: field out of range")));
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i == start || i - start > 9 {
            return Err(bad());
        }
        let digits = &s[start..i];
        nanos = format!("{digits:0<9}").parse().map_err(|_| bad())?;
    }
    let offset = match &s[i..] {
        "Z" | "z" => 0,
        o if o.len() == 6
            && (o.starts_with('+') || o.starts_with('-'))
            && o.as_bytes()[3] == b':' =>
        {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            let off = oh * 3600 + om * 60;
            if o.starts_with('-') {
                -off
            } else {
                off
            }
        }
        _ => return Err(bad()),
    };
    let secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    Ok((secs, nanos, offset))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// RFC 3339 with as many fractional digits as needed, at a UTC offset.
pub fn format_rfc3339(secs: impl TryInto<i64>, nanos: u32, offset: i64) -> String {
    let local = secs.try_into().unwrap_or(0) + offset;
    let (y, mo, d) = civil_from_days(local.div_euclid(86400));
    let t = local.rem_euclid(86400);
    let mut out = format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}",
        t / 3600,
        t / 60 % 60,
        t % 60
    );
    if nanos > 0 {
        let f = format!("{nanos:09}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    if offset == 0 {
        out.push('Z');
    } else {
        let o = offset.abs();
        out.push_str(&format!(
            "{}{:02}:{:02}",
            if offset < 0 { '-' } else { '+' },
            o / 3600,
            o / 60 % 60
        ));
    }
    out
}
