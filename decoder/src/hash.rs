//! The workspace's one hashing module: fixed (unseeded) mixers for what must hash the same in
//! every run and on every worker: flow placement, subscriber shards, distinct-count sketches,
//! direct-mapped caches. Hash tables whose keys an attacker could choose use `foldhash`'s
//! seeded hasher instead (through [`crate::table::BoundedMap`] and `foldhash::HashMap`).
//!
//! None of these is a keyed hash: they place work, they do not defend a table. A key that
//! collides here costs a cache miss or an uneven worker, never a wrong answer.

/// 2^64 divided by the golden ratio: the multiplier of Fibonacci hashing (Knuth, TAOCP
/// §6.4), whose top bits spread consecutive keys evenly.
pub(crate) const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The finaliser of MurmurHash3 (fmix64): every input bit flips about half the output bits.
/// For keys that are themselves poorly mixed (addresses and ports, subscriber keys).
#[inline]
pub const fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A hash of a short byte string, eight bytes at a time (the last word zero-padded, the
/// length mixed in).
#[inline]
pub fn bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(GOLDEN);
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(x))
            .wrapping_mul(GOLDEN)
            .rotate_left(29);
    }
    h = (h ^ crate::digits::short_word(words.remainder())).wrapping_mul(GOLDEN);
    h ^ h >> 32
}

/// A 128-bit key folded to one word (for [`slot`]).
#[inline]
pub const fn fold(key: u128) -> u64 {
    key as u64 ^ (key >> 64) as u64
}

/// The slot of `key` in a direct-mapped table of `n` slots (a power of two, at least 2): the
/// top bits of its Fibonacci hash. The one indexing scheme of the classifier's caches.
#[inline]
pub fn slot(key: u64, n: usize) -> usize {
    debug_assert!(n.is_power_of_two() && n >= 2);
    (key.wrapping_mul(GOLDEN) >> (64 - n.trailing_zeros())) as usize
}

/// Which of `n` buckets (any number, at least 1) `key` falls in: the subscriber shards.
#[inline]
pub fn bucket(key: u64, n: usize) -> usize {
    ((key.wrapping_mul(GOLDEN) >> 32) % n.max(1) as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_stay_in_the_table_and_spread() {
        let mut seen = [0u32; 64];
        for k in 0..64_000u64 {
            let s = slot(k, 64);
            seen[s] += 1;
        }
        // Consecutive keys: every slot within 10 % of its share.
        assert!(seen.iter().all(|&n| (900..=1100).contains(&n)), "{seen:?}");
        assert!(slot(u64::MAX, 2) < 2);
        assert!((0..1000).all(|k| bucket(k, 3) < 3));
        assert_eq!(bucket(7, 1), 0);
    }

    #[test]
    fn mixers_are_fixed() {
        // Placement must not change between releases or runs: pinned values.
        assert_eq!(mix64(0), 0);
        assert_eq!(mix64(1), 0xb456_bcfc_34c2_cb2c);
        assert_ne!(bytes(b"abc"), bytes(b"abd"));
        assert_ne!(bytes(b""), bytes(b"\0"));
        assert_eq!(fold(1 << 64 | 1), 0);
    }
}
