//! A fast, non-cryptographic hash for the engine's maps, whose keys are
//! small integers (labels, vertex, environment and expression ids) that no
//! user controls the distribution of in a way that matters: the default
//! SipHash costs more than the lookups it serves.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hashed with [`IdHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Folds each written word into the state by xor, then a multiplication by
/// an odd constant with good bit mixing; the final rotation moves the well
/// mixed high bits down to where hashbrown takes its bucket index from.
#[derive(Default, Clone, Copy)]
pub struct IdHasher {
    state: u64,
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.state.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(n as u64);
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_small_keys_spread() {
        let mut m: FastMap<(u32, u32), u32> = FastMap::default();
        for a in 0..100 {
            for b in 0..100 {
                m.insert((a, b), a * 100 + b);
            }
        }
        assert_eq!(m.len(), 10_000);
        assert_eq!(m[&(42, 7)], 4207);
    }
}
