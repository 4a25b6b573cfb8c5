//! Package `uuid`: RFC 4122 UUIDs as canonical strings; name-based
//! versions 3 (`MD5`) and 5 (`SHA1`), parsing and conversions.

use md5::Md5;
use num_bigint::{BigInt, Sign};
use num_traits::Signed;
use sha1::{Digest, Sha1};

use super::{f, int, string, v, Args, Def, Failure, R};
use crate::eval::Engine;
use crate::value::Value;

pub const FUNCS: &[Def] = &[
    v("Valid", 1, |_, a| parse(a, 0).map(|_| Value::Bool(true))),
    f("Parse", 1, |_, a| Ok(string(canonical(&parse(a, 0)?)))),
    f("ToString", 1, |_, a| Ok(string(canonical(&parse(a, 0)?)))),
    f("URN", 1, |_, a| {
        Ok(string(format!("urn:uuid:{}", canonical(&parse(a, 0)?))))
    }),
    f("SHA1", 2, |_, a| name_based::<Sha1>(a, 0x50)),
    f("MD5", 2, |_, a| name_based::<Md5>(a, 0x30)),
    f("FromInt", 1, |_, a| {
        let n = a.big(0)?;
        let (_, mut b) = n.to_bytes_be();
        if n.is_negative() || b.len() > 16 {
            return Err(a.fail("uuid: value out of range"));
        }
        let mut u = vec![0u8; 16 - b.len()];
        u.append(&mut b);
        Ok(string(canonical(&u)))
    }),
    f("ToInt", 1, |_, a| {
        Ok(int(BigInt::from_bytes_be(Sign::Plus, &parse(a, 0)?)))
    }),
    f("Version", 1, |_, a| Ok(int(parse(a, 0)?[6] >> 4))),
    f("Variant", 1, |_, a| {
        let b = parse(a, 0)?[8];
        let v = if b & 0xc0 == 0x80 {
            1
        } else if b & 0xe0 == 0xc0 {
            3
        } else if b & 0xe0 == 0xe0 {
            4
        } else {
            2
        };
        Ok(int(v))
    }),
];

const NAMESPACES: &[(&str, &str)] = &[
    ("DNS", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
    ("URL", "6ba7b811-9dad-11d1-80b4-00c04fd430c8"),
    ("OID", "6ba7b812-9dad-11d1-80b4-00c04fd430c8"),
    ("X500", "6ba7b814-9dad-11d1-80b4-00c04fd430c8"),
    ("Nil", "00000000-0000-0000-0000-000000000000"),
];

/// `uuid.ns` is a struct of the standard namespaces.
pub fn constant(en: &mut Engine, name: &str) -> Option<Value> {
    (name == "ns").then(|| {
        let fields = NAMESPACES
            .iter()
            .map(|(n, u)| (n.to_string(), en.value_kind(string(u))))
            .collect();
        en.struct_of(fields)
    })
}

/// The 16 bytes of a UUID written canonically, as a URN, in braces, or as
/// 32 bare hex digits.
fn parse(a: &Args, i: usize) -> Result<Vec<u8>, Failure> {
    let s = a.str(i)?;
    let t = s.strip_prefix("urn:uuid:").unwrap_or(&s);
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    let hex: String = match t.len() {
        36 => {
            let dashes = [8, 13, 18, 23].iter().all(|&i| t.as_bytes()[i] == b'-');
            if !dashes {
                return Err(a.fail("invalid UUID format"));
            }
            t.chars().filter(|&c| c != '-').collect()
        }
        32 => t.to_string(),
        n => return Err(a.fail(format!("invalid UUID length: {n}"))),
    };
    (0..16)
        .map(|k| {
            hex.get(2 * k..2 * k + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| a.fail("invalid UUID format"))
        })
        .collect()
}

fn canonical(b: &[u8]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// RFC 4122 name-based UUID: hash of namespace bytes and name, with the
/// version nibble and the RFC variant bits set.
fn name_based<D: Digest>(a: &Args, version: u8) -> R {
    let space = parse(a, 0)?;
    let name = a.bytes(1)?;
    let mut h = D::new();
    h.update(&space);
    h.update(&name);
    let sum = h.finalize();
    let mut u = sum[..16].to_vec();
    u[6] = (u[6] & 0x0f) | version;
    u[8] = (u[8] & 0x3f) | 0x80;
    Ok(string(canonical(&u)))
}
