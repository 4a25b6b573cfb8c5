//! CUE numbers: arbitrary-precision decimals, with a flag for integers.
//!
//! A number is `coefficient × 10^exponent`. Like the reference
//! implementation, results are exact for `+ - *` up to 34 significant
//! digits and rounded half-to-even beyond; `/` always yields a float, exact
//! when the quotient terminates (with the exponent closest to the "ideal"
//! one, dividend exponent minus divisor exponent) and rounded to 34 digits
//! otherwise. Integers keep exponents from SI literals (`1.0T` is 10×10^11),
//! which matters for how derived floats print.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Significant digits kept by inexact operations.
pub const PRECISION: usize = 34;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Num {
    pub coef: BigInt,
    pub exp: i64,
    pub is_int: bool,
}

/// Why a number literal or operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumError {
    DivisionByZero,
    DivisionUndefined,
    Invalid(String),
}

fn pow10(n: u64) -> BigInt {
    num_traits::pow(BigInt::from(10u32), n as usize)
}

fn digits(c: &BigInt) -> usize {
    if c.is_zero() {
        1
    } else {
        c.abs().to_string().len()
    }
}

impl Num {
    pub fn int(v: impl Into<BigInt>) -> Num {
        Num {
            coef: v.into(),
            exp: 0,
            is_int: true,
        }
    }

    pub fn float(coef: impl Into<BigInt>, exp: i64) -> Num {
        Num {
            coef: coef.into(),
            exp,
            is_int: false,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.coef.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.coef.is_negative()
    }

    /// The exact integer value, if the number is integral.
    pub fn to_bigint(&self) -> Option<BigInt> {
        if self.exp >= 0 {
            Some(&self.coef * pow10(self.exp as u64))
        } else {
            let d = pow10(self.exp.unsigned_abs());
            let (q, r) = self.coef.div_rem(&d);
            r.is_zero().then_some(q)
        }
    }

    pub fn to_i64(&self) -> Option<i64> {
        self.to_bigint()?.to_i64()
    }

    pub fn to_f64(&self) -> f64 {
        self.to_sci_string().parse().unwrap_or(f64::NAN)
    }

    pub fn from_f64(f: f64) -> Option<Num> {
        if !f.is_finite() {
            return None;
        }
        Num::parse_float(&format!("{f:e}")).ok()
    }

    /// Parses an integer literal as written in CUE: decimal with `_`
    /// separators, `0x`/`0o`/`0b`, or with an SI/IEC multiplier.
    pub fn parse_int(text: &str) -> Result<Num, NumError> {
        // Most literals are short decimal integers: read them as a machine
        // word instead of through big-integer text parsing.
        if (1..=18).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = text.parse::<u64>() {
                return Ok(Num::int(n));
            }
        }
        let t: String = text.chars().filter(|&c| c != '_').collect();
        let bad = || NumError::Invalid(format!("invalid integer literal {text:?}"));
        let radix = |s: &str, r: u32| {
            BigInt::parse_bytes(s.as_bytes(), r)
                .map(Num::int)
                .ok_or_else(bad)
        };
        if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return radix(h, 16);
        }
        if let Some(o) = t.strip_prefix("0o") {
            return radix(o, 8);
        }
        if let Some(b) = t.strip_prefix("0b") {
            return radix(b, 2);
        }
        let (mantissa, mult) = match t.find(['K', 'M', 'G', 'T', 'P']) {
            Some(i) => (&t[..i], Some(&t[i..])),
            None => (t.as_str(), None),
        };
        let Some(mult) = mult else {
            return radix(mantissa, 10);
        };
        let base = Num::parse_float(mantissa).map_err(|_| bad())?;
        let power = match mult.as_bytes()[0] {
            b'K' => 1,
            b'M' => 2,
            b'G' => 3,
            b'T' => 4,
            b'P' => 5,
            _ => return Err(bad()),
        };
        let v = if mult.ends_with('i') {
            let factor = num_traits::pow(BigInt::from(1024u32), power);
            Num {
                coef: base.coef * factor,
                exp: base.exp,
                is_int: true,
            }
        } else {
            Num {
                coef: base.coef,
                exp: base.exp + 3 * power as i64,
                is_int: true,
            }
        };
        // A fractional result is truncated towards zero (spec: Numeric literals).
        if v.exp < 0 {
            let d = pow10(v.exp.unsigned_abs());
            let q = &v.coef / &d;
            if (&q * &d) != v.coef {
                return Ok(Num::int(q));
            }
        }
        Ok(v)
    }

    /// Parses a decimal float literal (`1.5`, `.25`, `6.6e-11`, `1.`).
    pub fn parse_float(text: &str) -> Result<Num, NumError> {
        let t: String = text.chars().filter(|&c| c != '_').collect();
        let bad = || NumError::Invalid(format!("invalid number {text:?}"));
        let (mant, exp) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], t[i + 1..].parse::<i64>().map_err(|_| bad())?),
            None => (t.as_str(), 0),
        };
        let (neg, mant) = match mant.strip_prefix('-') {
            Some(m) => (true, m),
            None => (false, mant.strip_prefix('+').unwrap_or(mant)),
        };
        let (ip, fp) = match mant.find('.') {
            Some(i) => (&mant[..i], &mant[i + 1..]),
            None => (mant, ""),
        };
        let all = format!("{ip}{fp}");
        if all.is_empty() || !all.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mut coef = BigInt::parse_bytes(all.as_bytes(), 10).ok_or_else(bad)?;
        if neg {
            coef = -coef;
        }
        Ok(Num::float(coef, exp - fp.len() as i64))
    }

    /// Rounds to `PRECISION` significant digits, half to even.
    fn round(mut self) -> Num {
        let n = digits(&self.coef);
        if n <= PRECISION {
            return self;
        }
        let drop = (n - PRECISION) as u64;
        let d = pow10(drop);
        let (q, r) = self.coef.abs().div_rem(&d);
        let twice: BigInt = &r * 2u32;
        let q = match twice.cmp(&d) {
            Ordering::Greater => q + 1,
            Ordering::Equal if q.is_odd() => q + 1,
            _ => q,
        };
        let sign = self.coef.sign();
        self.coef = if sign == Sign::Minus { -q } else { q };
        self.exp += drop as i64;
        // Rounding up may add a digit (999.. -> 1000..).
        if digits(&self.coef) > PRECISION {
            self.coef /= 10;
            self.exp += 1;
        }
        self
    }

    fn align(a: &Num, b: &Num) -> (BigInt, BigInt, i64) {
        let exp = a.exp.min(b.exp);
        let ca = &a.coef * pow10((a.exp - exp) as u64);
        let cb = &b.coef * pow10((b.exp - exp) as u64);
        (ca, cb, exp)
    }

    pub fn add(&self, other: &Num) -> Num {
        let (a, b, exp) = Num::align(self, other);
        let is_int = self.is_int && other.is_int;
        let r = Num {
            coef: a + b,
            exp,
            is_int,
        };
        if is_int {
            r
        } else {
            r.round()
        }
    }

    pub fn neg(&self) -> Num {
        Num {
            coef: -self.coef.clone(),
            ..self.clone()
        }
    }

    pub fn sub(&self, other: &Num) -> Num {
        self.add(&other.neg())
    }

    pub fn mul(&self, other: &Num) -> Num {
        let is_int = self.is_int && other.is_int;
        let r = Num {
            coef: &self.coef * &other.coef,
            exp: self.exp + other.exp,
            is_int,
        };
        if is_int {
            r
        } else {
            r.round()
        }
    }

    /// `/`: a float, exact when the quotient terminates.
    pub fn div(&self, other: &Num) -> Result<Num, NumError> {
        if other.is_zero() {
            return Err(if self.is_zero() {
                NumError::DivisionUndefined
            } else {
                NumError::DivisionByZero
            });
        }
        let ideal = self.exp - other.exp;
        if self.is_zero() {
            return Ok(Num::float(0, ideal));
        }
        // Scale the dividend so the integer quotient has more digits than
        // the precision, then round.
        let extra = (PRECISION + 2 + digits(&other.coef)).saturating_sub(digits(&self.coef)) as u64;
        let num = &self.coef * pow10(extra);
        let (q, r) = num.div_rem(&other.coef);
        let mut res = Num::float(q, ideal - extra as i64);
        if r.is_zero() {
            // Exact: remove trailing zeros down to the ideal exponent.
            while res.exp < ideal && !res.coef.is_zero() && (&res.coef % 10u32).is_zero() {
                res.coef /= 10;
                res.exp += 1;
            }
            return Ok(res.round());
        }
        // Inexact: a sticky digit makes ties round correctly.
        res.coef = res.coef * 10 + if q_sign(&num, &other.coef) { 1 } else { -1 };
        res.exp -= 1;
        Ok(res.round())
    }

    /// Integer division and remainder; `euclid` selects `div`/`mod`
    /// (Euclidean) over `quo`/`rem` (truncated).
    pub fn int_div(&self, other: &Num, euclid: bool) -> Result<(Num, Num), NumError> {
        let a = self
            .to_bigint()
            .ok_or_else(|| NumError::Invalid("not an integer".into()))?;
        let b = other
            .to_bigint()
            .ok_or_else(|| NumError::Invalid("not an integer".into()))?;
        if b.is_zero() {
            return Err(NumError::DivisionByZero);
        }
        let (q, r) = if euclid {
            let (mut q, mut r) = a.div_rem(&b);
            if r.is_negative() {
                if b.is_positive() {
                    q -= 1;
                    r += &b;
                } else {
                    q += 1;
                    r -= &b;
                }
            }
            (q, r)
        } else {
            a.div_rem(&b)
        };
        Ok((Num::int(q), Num::int(r)))
    }

    /// Numeric comparison, independent of representation (`1 == 1.0`).
    pub fn cmp_value(&self, other: &Num) -> Ordering {
        if self.exp == other.exp {
            // Most comparisons are of integers against integer bounds: no
            // scaling (which multiplied by a freshly allocated 10^0).
            return self.coef.cmp(&other.coef);
        }
        let (a, b, _) = Num::align(self, other);
        a.cmp(&b)
    }

    /// The General Decimal Arithmetic "to-scientific-string" form, which the
    /// reference tool uses for floats.
    pub fn to_sci_string(&self) -> String {
        let s = self.coef.abs().to_string();
        let neg = if self.coef.is_negative() { "-" } else { "" };
        let adjusted = self.exp + s.len() as i64 - 1;
        if self.exp <= 0 && adjusted >= -6 {
            if self.exp == 0 {
                return format!("{neg}{s}");
            }
            let point = s.len() as i64 + self.exp;
            if point > 0 {
                let (a, b) = s.split_at(point as usize);
                format!("{neg}{a}.{b}")
            } else {
                format!("{neg}0.{}{s}", "0".repeat((-point) as usize))
            }
        } else {
            let (first, rest) = s.split_at(1);
            let sign = if adjusted >= 0 { "+" } else { "-" };
            let dot = if rest.is_empty() {
                String::new()
            } else {
                format!(".{rest}")
            };
            format!("{neg}{first}{dot}E{sign}{}", adjusted.abs())
        }
    }

    /// `to_json`, appended to `out`; most numbers are small integers,
    /// printed without building a big integer or a string first.
    pub fn write_json(&self, out: &mut String) {
        use num_traits::ToPrimitive;
        match self.coef.to_i64() {
            Some(i) if self.is_int && self.exp == 0 => push_i64(out, i),
            _ => out.push_str(&self.to_json()),
        }
    }

    /// How `export` prints the number: integers in full, floats in
    /// scientific-string form with at least one fractional digit.
    pub fn to_json(&self) -> String {
        if self.is_int {
            if let Some(i) = self.to_bigint() {
                return i.to_string();
            }
        }
        let s = self.to_sci_string();
        let (mant, exp) = match s.find('E') {
            Some(i) => (&s[..i], &s[i..]),
            None => (s.as_str(), ""),
        };
        if mant.contains('.') {
            s
        } else {
            format!("{mant}.0{exp}")
        }
    }
}

fn q_sign(num: &BigInt, den: &BigInt) -> bool {
    num.is_negative() == den.is_negative()
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl One for Num {
    fn one() -> Self {
        Num::int(1)
    }
}

impl std::ops::Mul for Num {
    type Output = Num;
    fn mul(self, rhs: Num) -> Num {
        Num::mul(&self, &rhs)
    }
}

/// Appends the decimal digits of `i` (what `write!` does, without the
/// formatting machinery: exports write one per number).
fn push_i64(out: &mut String, i: i64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = i.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    for &b in &buf[at..] {
        out.push(char::from(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_format_writes_them() {
        for i in [0, 7, -7, 10, 8864, -100, i64::MAX, i64::MIN] {
            let mut out = String::from("x");
            push_i64(&mut out, i);
            assert_eq!(out, format!("x{i}"));
        }
    }

    #[test]
    fn comparison_with_equal_and_unequal_exponents() {
        assert_eq!(f("1.0").cmp_value(&f("1")), Ordering::Equal);
        assert_eq!(f("2.5").cmp_value(&f("2.50")), Ordering::Equal);
        assert_eq!(f("-3").cmp_value(&f("2")), Ordering::Less);
        assert_eq!(f("10").cmp_value(&f("9.99")), Ordering::Greater);
    }

    fn f(s: &str) -> Num {
        Num::parse_float(s).unwrap()
    }
    fn i(s: &str) -> Num {
        Num::parse_int(s).unwrap()
    }

    #[test]
    fn write_json_prints_what_to_json_does() {
        let nums = [
            i("0"),
            i("-17"),
            i("9223372036854775807"),
            i("-9223372036854775808"),
            i("123456789012345678901234567890"),
            i("0x1F"),
            f("1.5"),
            f("-0.0"),
            f("2e10"),
            f("1e-7"),
            Num::int(42).mul(&f("1.0")),
        ];
        for n in &nums {
            let mut out = String::from("x");
            n.write_json(&mut out);
            assert_eq!(out, format!("x{}", n.to_json()), "{n:?}");
        }
    }

    #[test]
    fn short_decimal_literals_read_as_the_long_path_does() {
        // 18 digits take the machine-word path, 19 the big-integer one.
        for t in [
            "0",
            "007",
            "42",
            "999999999999999999",
            "1000000000000000000",
        ] {
            let long = BigInt::parse_bytes(t.as_bytes(), 10).map(Num::int).unwrap();
            assert_eq!(i(t), long, "{t}");
        }
    }

    #[test]
    fn literals() {
        assert_eq!(i("1_000").to_json(), "1000");
        assert_eq!(i("0xBad_Face").to_json(), "195951310");
        assert_eq!(i("0o755").to_json(), "493");
        assert_eq!(i("0b0101_0001").to_json(), "81");
        assert_eq!(i("1.5G").to_json(), "1500000000");
        assert_eq!(i("1.3Ki").to_json(), "1331");
        assert_eq!(i("1Mi").to_json(), "1048576");
        assert_eq!(f("72.40").to_json(), "72.40");
        assert_eq!(f("1.e+0").to_json(), "1.0");
        assert_eq!(f(".25").to_json(), "0.25");
        assert_eq!(f("6.67428e-11").to_json(), "6.67428E-11");
        assert_eq!(f("1E6").to_json(), "1.0E+6");
    }

    #[test]
    fn arithmetic_like_the_reference() {
        let two = f("2.0");
        let three = i("3");
        let six = i("6");
        let q = two.div(&three).unwrap();
        assert_eq!(q.to_json(), "0.6666666666666666666666666666666667");
        assert_eq!(q.mul(&six).to_json(), "4.000000000000000000000000000000000");
        assert_eq!(f("1.00").div(&f("1.00")).unwrap().to_json(), "1.0");
        assert_eq!(i("1.0T").div(&f("2.0")).unwrap().to_json(), "5.0E+11");
        assert_eq!(
            i("2").div(&i("3")).unwrap().mul(&six).to_json(),
            "4.000000000000000000000000000000000"
        );
        assert_eq!(f("1.0").div(&i("0")), Err(NumError::DivisionByZero));
        assert_eq!(i("0").div(&i("0")), Err(NumError::DivisionUndefined));
        assert_eq!(i("1").add(&i("2")).to_json(), "3");
        assert_eq!(f("0.1").add(&f("0.2")).to_json(), "0.3");
    }

    #[test]
    fn integer_division() {
        let cases = [
            (5, 2, 2, 1, 2, 1),
            (5, -2, -2, 1, -2, 1),
            (-5, 2, -3, 1, -2, -1),
            (-5, -2, 3, 1, 2, -1),
        ];
        for (a, b, d, m, q, r) in cases {
            let (dd, mm) = Num::int(a).int_div(&Num::int(b), true).unwrap();
            let (qq, rr) = Num::int(a).int_div(&Num::int(b), false).unwrap();
            assert_eq!(
                (dd.to_i64(), mm.to_i64(), qq.to_i64(), rr.to_i64()),
                (Some(d), Some(m), Some(q), Some(r)),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn comparison_ignores_representation() {
        assert_eq!(i("1").cmp_value(&f("1.0")), Ordering::Equal);
        assert_eq!(f("0.5").cmp_value(&i("1")), Ordering::Less);
    }
}
