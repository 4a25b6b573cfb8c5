//! Packages `crypto/sha256`, `crypto/sha512`, `crypto/sha1` and
//! `crypto/md5`: digests of bytes or strings, as bytes.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::{bytes, f, int, Def, R};
use crate::eval::Engine;
use crate::value::Value;

fn digest<D: Digest>(a: &super::Args) -> R {
    Ok(bytes(D::digest(a.bytes(0)?)))
}

pub const SHA256: &[Def] = &[
    f("Sum256", 1, |_, a| digest::<Sha256>(a)),
    f("Sum224", 1, |_, a| digest::<Sha224>(a)),
];

pub const SHA512: &[Def] = &[
    f("Sum512", 1, |_, a| digest::<Sha512>(a)),
    f("Sum384", 1, |_, a| digest::<Sha384>(a)),
];

pub const SHA1: &[Def] = &[f("Sum", 1, |_, a| digest::<Sha1>(a))];

pub const MD5: &[Def] = &[f("Sum", 1, |_, a| digest::<Md5>(a))];

pub fn sha256_constant(_: &mut Engine, name: &str) -> Option<Value> {
    match name {
        "Size" => Some(int(32)),
        "Size224" => Some(int(28)),
        "BlockSize" => Some(int(64)),
        _ => None,
    }
}

pub fn sha512_constant(_: &mut Engine, name: &str) -> Option<Value> {
    match name {
        "Size" => Some(int(64)),
        "Size384" => Some(int(48)),
        "Size224" => Some(int(28)),
        "Size256" => Some(int(32)),
        "BlockSize" => Some(int(128)),
        _ => None,
    }
}

pub fn sha1_constant(_: &mut Engine, name: &str) -> Option<Value> {
    match name {
        "Size" => Some(int(20)),
        "BlockSize" => Some(int(64)),
        _ => None,
    }
}

pub fn md5_constant(_: &mut Engine, name: &str) -> Option<Value> {
    match name {
        "Size" => Some(int(16)),
        "BlockSize" => Some(int(64)),
        _ => None,
    }
}
