//! Package `net`: IP addresses (as strings or lists of bytes), CIDR
//! blocks, host/port pairs and domain names.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{f, int, string, v, value_list, Args, Def, Failure};
use crate::eval::Engine;
use crate::value::Value;

pub const FUNCS: &[Def] = &[
    v("IP", 1, |en, a| Ok(Value::Bool(ip(en, a, 0).is_ok()))),
    v("IPv4", 1, |en, a| {
        Ok(Value::Bool(matches!(ip(en, a, 0), Ok(IpAddr::V4(_)))))
    }),
    v("IPv6", 1, |en, a| {
        Ok(Value::Bool(matches!(ip(en, a, 0), Ok(IpAddr::V6(_)))))
    }),
    v("IPCIDR", 1, |_, a| cidr(a, 0).map(|_| Value::Bool(true))),
    v("InCIDR", 2, |en, a| {
        let addr = ip(en, a, 0)?;
        let (net, bits) = cidr(a, 1)?;
        Ok(Value::Bool(in_prefix(addr, net, bits)))
    }),
    v("FQDN", 1, |_, a| Ok(Value::Bool(fqdn(&a.str(0)?)))),
    v("LoopbackIP", 1, |en, a| {
        Ok(Value::Bool(ip(en, a, 0)?.is_loopback()))
    }),
    v("MulticastIP", 1, |en, a| {
        Ok(Value::Bool(ip(en, a, 0)?.is_multicast()))
    }),
    v("UnspecifiedIP", 1, |en, a| {
        Ok(Value::Bool(ip(en, a, 0)?.is_unspecified()))
    }),
    v("LinkLocalUnicastIP", 1, |en, a| {
        Ok(Value::Bool(match ip(en, a, 0)? {
            IpAddr::V4(x) => x.is_link_local(),
            IpAddr::V6(x) => x.segments()[0] & 0xffc0 == 0xfe80,
        }))
    }),
    v("GlobalUnicastIP", 1, |en, a| {
        let x = ip(en, a, 0)?;
        let link_local = match x {
            IpAddr::V4(x) => x.is_link_local(),
            IpAddr::V6(x) => x.segments()[0] & 0xffc0 == 0xfe80,
        };
        let broadcast = matches!(x, IpAddr::V4(x) if x.is_broadcast());
        Ok(Value::Bool(
            !(x.is_loopback() || x.is_multicast() || x.is_unspecified() || link_local || broadcast),
        ))
    }),
    f("ParseIP", 1, |en, a| {
        let addr = parse_ip(a, &a.str(0)?)?;
        Ok(byte_list(en, &octets(addr)))
    }),
    f("ToIP4", 1, |en, a| match ip(en, a, 0)? {
        IpAddr::V4(x) => Ok(byte_list(en, &x.octets())),
        IpAddr::V6(x) => match x.to_ipv4_mapped() {
            Some(x) => Ok(byte_list(en, &x.octets())),
            None => Err(a.fail("cannot convert IPv6 address to IPv4")),
        },
    }),
    f("ToIP16", 1, |en, a| {
        let x = match ip(en, a, 0)? {
            IpAddr::V4(x) => x.to_ipv6_mapped(),
            IpAddr::V6(x) => x,
        };
        Ok(byte_list(en, &x.octets()))
    }),
    f("IPString", 1, |en, a| Ok(string(ip(en, a, 0)?.to_string()))),
    f("SplitHostPort", 1, |en, a| {
        let (h, p) = split_host_port(&a.str(0)?).map_err(|m| a.fail(m))?;
        Ok(super::str_list(en, [h, p]))
    }),
    f("JoinHostPort", 2, |_, a| {
        let host = a.str(0)?;
        let port = match a.value(1)? {
            Value::Num(n) => n.to_json(),
            _ => a.str(1)?.to_string(),
        };
        Ok(string(if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        }))
    }),
];

fn octets(x: IpAddr) -> Vec<u8> {
    match x {
        IpAddr::V4(x) => x.octets().to_vec(),
        IpAddr::V6(x) => x.octets().to_vec(),
    }
}

fn byte_list(en: &mut Engine, b: &[u8]) -> Value {
    value_list(en, b.iter().map(|&x| int(x)).collect())
}

fn parse_ip(a: &Args, s: &str) -> Result<IpAddr, Failure> {
    s.parse::<IpAddr>()
        .map_err(|_| a.fail(format!("ParseAddr({s:?}): invalid IP address")))
}

/// An IP given as a string or as a list of 4 or 16 bytes.
fn ip(en: &mut Engine, a: &Args, i: usize) -> Result<IpAddr, Failure> {
    match a.value(i)? {
        Value::Str(s) => parse_ip(a, s),
        Value::Vertex(_) => {
            let items = a.items(en, i)?;
            let mut b = Vec::with_capacity(items.len());
            for it in items {
                match it {
                    Value::Num(n) => match n.to_i64().and_then(|x| u8::try_from(x).ok()) {
                        Some(x) => b.push(x),
                        None => return Err(a.fail("invalid IP byte")),
                    },
                    other => return Err(a.type_err(&other, "int", i)),
                }
            }
            match b.len() {
                4 => Ok(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
                16 => {
                    let arr: [u8; 16] = b.try_into().unwrap_or([0; 16]);
                    Ok(IpAddr::V6(Ipv6Addr::from(arr)))
                }
                n => Err(a.fail(format!("invalid IP length {n}"))),
            }
        }
        other => Err(a.type_err(other, "string or list", i)),
    }
}

fn cidr(a: &Args, i: usize) -> Result<(IpAddr, u32), Failure> {
    let s = a.str(i)?;
    let bad = || a.fail(format!("netip.ParsePrefix({s:?}): invalid prefix"));
    let (addr, bits) = s.split_once('/').ok_or_else(bad)?;
    let addr: IpAddr = addr.parse().map_err(|_| bad())?;
    let bits: u32 = bits.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if bits > max {
        return Err(bad());
    }
    Ok((addr, bits))
}

fn in_prefix(x: IpAddr, net: IpAddr, bits: u32) -> bool {
    let (x, n) = (octets(x), octets(net));
    if x.len() != n.len() {
        return false;
    }
    let full = (bits / 8) as usize;
    if x[..full] != n[..full] {
        return false;
    }
    let rest = bits % 8;
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        x[full] & mask == n[full] & mask
    }
}

/// A fully qualified domain name: dot-separated labels of letters, digits
/// and inner hyphens, at most 63 bytes each and 255 in all.
fn fqdn(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        })
}

fn split_host_port(s: &str) -> Result<(String, String), String> {
    let missing = || format!("address {s}: missing port in address");
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("address {s}: missing ']' in address"))?;
        let port = after.strip_prefix(':').ok_or_else(missing)?;
        return Ok((host.to_string(), port.to_string()));
    }
    let (host, port) = s.rsplit_once(':').ok_or_else(missing)?;
    if host.contains(':') {
        return Err(format!("address {s}: too many colons in address"));
    }
    Ok((host.to_string(), port.to_string()))
}
