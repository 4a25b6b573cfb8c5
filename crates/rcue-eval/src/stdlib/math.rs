//! Package `math`: rounding, powers, roots and logarithms, and Go's math
//! constants. Rounding is exact on decimals; transcendental functions use
//! binary floating point.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, Zero};

use super::{f, float, int, v, Args, Def, R};
use crate::eval::Engine;
use crate::num::Num;
use crate::value::Value;

pub const FUNCS: &[Def] = &[
    f("Abs", 1, |_, a| {
        let n = a.num(0)?;
        Ok(Value::num(if n.is_negative() { n.neg() } else { n }))
    }),
    f("Floor", 1, |_, a| rounded(a, Round::Floor)),
    f("Ceil", 1, |_, a| rounded(a, Round::Ceil)),
    f("Round", 1, |_, a| rounded(a, Round::HalfAway)),
    f("RoundToEven", 1, |_, a| rounded(a, Round::HalfEven)),
    f("Trunc", 1, |_, a| rounded(a, Round::Trunc)),
    v("Signbit", 1, |_, a| {
        Ok(Value::Bool(a.num(0)?.is_negative()))
    }),
    f("Sign", 1, |_, a| {
        let n = a.num(0)?;
        Ok(int(if n.is_zero() {
            0
        } else if n.is_negative() {
            -1
        } else {
            1
        }))
    }),
    v("MultipleOf", 2, multiple_of),
    f("Pow", 2, pow),
    f("Pow10", 1, |_, a| {
        let e = a.int(0)?;
        if !(-10_000..=10_000).contains(&e) {
            return Err(a.fail("exponent out of range"));
        }
        Ok(Value::num(Num::float(1, e)))
    }),
    f("Sqrt", 1, |_, a| {
        let x = a.float(0)?;
        if x < 0.0 {
            return Err(a.fail("cannot take square root of negative number"));
        }
        float(x.sqrt())
    }),
    f("Cbrt", 1, |_, a| float(a.float(0)?.cbrt())),
    f("Exp", 1, |_, a| float(a.float(0)?.exp())),
    f("Exp2", 1, |_, a| float(a.float(0)?.exp2())),
    f("Log", 1, |_, a| log(a, f64::ln)),
    f("Log2", 1, |_, a| log(a, f64::log2)),
    f("Log10", 1, |_, a| log(a, f64::log10)),
    f("Log1p", 1, |_, a| float(a.float(0)?.ln_1p())),
    f("Sin", 1, |_, a| float(a.float(0)?.sin())),
    f("Cos", 1, |_, a| float(a.float(0)?.cos())),
    f("Tan", 1, |_, a| float(a.float(0)?.tan())),
    f("Asin", 1, |_, a| float(a.float(0)?.asin())),
    f("Acos", 1, |_, a| float(a.float(0)?.acos())),
    f("Atan", 1, |_, a| float(a.float(0)?.atan())),
    f("Atan2", 2, |_, a| float(a.float(0)?.atan2(a.float(1)?))),
    f("Hypot", 2, |_, a| float(a.float(0)?.hypot(a.float(1)?))),
    f("Dim", 2, |_, a| {
        let d = a.num(0)?.sub(&a.num(1)?);
        Ok(Value::num(if d.is_negative() { Num::int(0) } else { d }))
    }),
];

const CONSTANTS: &[(&str, &str)] = &[
    (
        "E",
        "2.71828182845904523536028747135266249775724709369995957496696763",
    ),
    (
        "Pi",
        "3.14159265358979323846264338327950288419716939937510582097494459",
    ),
    (
        "Phi",
        "1.61803398874989484820458683436563811772030917980576286213544862",
    ),
    (
        "Sqrt2",
        "1.41421356237309504880168872420969807856967187537694807317667974",
    ),
    (
        "SqrtE",
        "1.64872127070012814684865078831848487610954506598396640003011024",
    ),
    (
        "SqrtPi",
        "1.77245385090551602729816748334114518279754945612238712821380779",
    ),
    (
        "SqrtPhi",
        "1.27201964951406896425242246173749149171560804184009624861664038",
    ),
    (
        "Ln2",
        "0.693147180559945309417232121458176568075500134360255254120680009",
    ),
    (
        "Log2E",
        "1.44269504088896340735992468100189213742664595415298593413544940",
    ),
    (
        "Ln10",
        "2.30258509299404568401799145468436420760110148862877297603332790",
    ),
    (
        "Log10E",
        "0.43429448190325182765112891891660508229439700580366656611445378",
    ),
];

pub fn constant(_: &mut Engine, name: &str) -> Option<Value> {
    if let Some((_, text)) = CONSTANTS.iter().find(|(n, _)| *n == name) {
        return Num::parse_float(text).ok().map(Value::num);
    }
    let big = |s: &str| Num::parse_int(s).ok().map(Value::num);
    match name {
        "MaxInt" | "MaxInt64" => big("9223372036854775807"),
        "MinInt" | "MinInt64" => big("9223372036854775808").map(|v| match v {
            Value::Num(n) => Value::num(n.neg()),
            v => v,
        }),
        "MaxInt8" => Some(int(i8::MAX)),
        "MinInt8" => Some(int(i8::MIN)),
        "MaxInt16" => Some(int(i16::MAX)),
        "MinInt16" => Some(int(i16::MIN)),
        "MaxInt32" => Some(int(i32::MAX)),
        "MinInt32" => Some(int(i32::MIN)),
        "MaxUint8" => Some(int(u8::MAX)),
        "MaxUint16" => Some(int(u16::MAX)),
        "MaxUint32" => Some(int(u32::MAX)),
        "MaxUint" | "MaxUint64" => Some(int(u64::MAX)),
        "MaxFloat64" => Num::parse_float("1.79769313486231570814527423731704356798070e+308")
            .ok()
            .map(Value::num),
        "SmallestNonzeroFloat64" => {
            Num::parse_float("4.9406564584124654417656879286822137236505980e-324")
                .ok()
                .map(Value::num)
        }
        "MaxFloat32" => Num::parse_float("3.40282346638528859811704183484516925440e+38")
            .ok()
            .map(Value::num),
        "SmallestNonzeroFloat32" => {
            Num::parse_float("1.401298464324817070923729583289916131280e-45")
                .ok()
                .map(Value::num)
        }
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Round {
    Floor,
    Ceil,
    Trunc,
    HalfAway,
    HalfEven,
}

fn rounded(a: &Args, how: Round) -> R {
    Ok(Value::num(Num::int(round(&a.num(0)?, how))))
}

/// Rounds a decimal to an integer exactly.
fn round(n: &Num, how: Round) -> BigInt {
    if n.exp >= 0 {
        return n.to_bigint().unwrap_or_default();
    }
    let d = num_traits::pow(BigInt::from(10u32), n.exp.unsigned_abs() as usize);
    let (q, r) = n.coef.div_mod_floor(&d);
    if r.is_zero() {
        return q;
    }
    let twice: BigInt = &r * 2u32;
    let up = match how {
        Round::Floor => false,
        Round::Ceil => true,
        Round::Trunc => n.is_negative(),
        Round::HalfAway => twice > d || (twice == d && !n.is_negative()),
        Round::HalfEven => twice > d || (twice == d && q.is_odd()),
    };
    if up {
        q + 1
    } else {
        q
    }
}

/// Whether `x / m` is an integer, exactly on decimals.
fn multiple_of(_: &mut Engine, a: &Args) -> R {
    let (x, m) = (a.num(0)?, a.num(1)?);
    if m.is_zero() {
        return Err(a.fail("division by zero"));
    }
    let exp = x.exp.min(m.exp);
    let scale = |n: &Num| -> Option<BigInt> {
        let d = usize::try_from(n.exp - exp).ok().filter(|&d| d <= 10_000)?;
        Some(&n.coef * num_traits::pow(BigInt::from(10u32), d))
    };
    let (Some(cx), Some(cm)) = (scale(&x), scale(&m)) else {
        return Err(a.fail("exponent out of range"));
    };
    Ok(Value::Bool((cx % cm).is_zero()))
}

/// Exact for integer exponents of moderate size, floating point otherwise.
fn pow(_: &mut Engine, a: &Args) -> R {
    let (x, y) = (a.num(0)?, a.num(1)?);
    if let Some(e) = y.to_bigint().filter(|e| e.abs() <= BigInt::from(1024)) {
        let e: i64 = e.try_into().unwrap_or(0);
        let mut r = Num::int(1);
        for _ in 0..e.unsigned_abs() {
            r = r.mul(&x);
        }
        if e < 0 {
            r = Num::int(1)
                .div(&r)
                .map_err(|_| a.fail("division by zero"))?;
        }
        if !x.is_int {
            r.is_int = false;
        }
        return Ok(Value::num(r));
    }
    float(x.to_f64().powf(y.to_f64()))
}

fn log(a: &Args, op: fn(f64) -> f64) -> R {
    let x = a.float(0)?;
    if x <= 0.0 {
        return Err(a.fail(if x == 0.0 {
            "cannot take logarithm of zero"
        } else {
            "cannot take logarithm of a negative number"
        }));
    }
    float(op(x))
}
