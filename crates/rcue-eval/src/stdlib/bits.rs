//! Package `math/bits`: bit operations on arbitrary-precision integers
//! (CUE ints are unbounded; negative numbers act as two's complement).

use num_bigint::BigInt;
use num_traits::{Signed, Zero};

use super::{f, int, Args, Def};

/// Shifts and bit indices above this are refused rather than allocating.
const MAX_BITS: i64 = 1 << 20;

pub const FUNCS: &[Def] = &[
    f("And", 2, |_, a| Ok(int(a.big(0)? & a.big(1)?))),
    f("Or", 2, |_, a| Ok(int(a.big(0)? | a.big(1)?))),
    f("Xor", 2, |_, a| Ok(int(a.big(0)? ^ a.big(1)?))),
    f("Clear", 2, |_, a| Ok(int(a.big(0)? & !a.big(1)?))),
    f("Lsh", 2, |_, a| Ok(int(a.big(0)? << shift(a, 1)?))),
    f("Rsh", 2, |_, a| Ok(int(a.big(0)? >> shift(a, 1)?))),
    f("At", 2, |_, a| {
        let (x, i) = (a.big(0)?, shift(a, 1)?);
        Ok(int(u8::from(!((x >> i) & BigInt::from(1)).is_zero())))
    }),
    f("Set", 3, |_, a| {
        let (x, i, b) = (a.big(0)?, shift(a, 1)?, a.int(2)?);
        let mask = BigInt::from(1) << i;
        Ok(int(if b == 0 { x & !mask } else { x | mask }))
    }),
    f("OnesCount", 1, |_, a| {
        let x = non_negative(a)?;
        Ok(int(x
            .iter_u64_digits()
            .map(|d| d.count_ones() as u64)
            .sum::<u64>()))
    }),
    f("Len", 1, |_, a| Ok(int(non_negative(a)?.bits()))),
];

fn shift(a: &Args, i: usize) -> Result<usize, super::Failure> {
    let n = a.int(i)?;
    if !(0..=MAX_BITS).contains(&n) {
        return Err(a.fail(format!("shift or bit index {n} out of range")));
    }
    Ok(n as usize)
}

fn non_negative(a: &Args) -> Result<BigInt, super::Failure> {
    let x = a.big(0)?;
    if x.is_negative() {
        return Err(a.fail(format!("{}: negative argument", a.name)));
    }
    Ok(x)
}
