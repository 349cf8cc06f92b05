use core::hash::{Hash, Hasher};
use core::net::IpAddr;

use crate::table::BoundedMap;

/// One direction of an association: addresses, ports and verification tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssocKey {
    /// Source address.
    pub(crate) src: IpAddr,
    /// Destination address.
    pub(crate) dst: IpAddr,
    /// Source port.
    pub(crate) src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
    /// Verification tag.
    pub(crate) vtag: u32,
}

/// Hashed as two or three words, not field by field: the derived hash fed the hasher eleven
/// pieces (two enum tags, two address arrays with their lengths, ports, tag), and the
/// duplicate check runs for every DATA chunk.
impl Hash for AssocKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let rest = u64::from(self.src_port) << 48 | u64::from(self.dst_port) << 32;
        let rest = rest | u64::from(self.vtag);
        match (self.src, self.dst) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                h.write_u64(u64::from(a.to_bits()) << 32 | u64::from(b.to_bits()));
            }
            (a, b) => {
                h.write_u128(bits(a));
                h.write_u128(bits(b));
            }
        }
        h.write_u64(rest);
    }
}

fn bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(a.to_bits()),
        IpAddr::V6(a) => a.to_bits(),
    }
}

/// The last 128 TSNs seen in one direction.
#[derive(Debug, Clone, Copy)]
struct Window {
    /// Highest TSN seen.
    top: u32,
    /// Bit `k` set: TSN `top - k` was seen.
    seen: u128,
}

/// Recognises DATA chunks seen before: retransmissions, and the same packet captured twice
/// (two mirror ports on one path). RFC 9260 §6.2 has the receiver deliver each TSN once;
/// so does sigwatch, and so does Wireshark, which does not dissect a retransmitted TSN again.
pub struct TsnTracker {
    table: BoundedMap<AssocKey, Window>,
    duplicates: u64,
}

impl core::fmt::Debug for TsnTracker {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TsnTracker")
            .field("associations", &self.table.len())
            .field("duplicates", &self.duplicates)
            .finish()
    }
}

impl TsnTracker {
    /// Forget every flow in progress (counters stay): what follows is a new capture.
    pub(crate) fn forget(&mut self) {
        self.table.clear();
    }

    /// A tracker of at most `max_associations` association directions.
    pub(crate) fn new(max_associations: usize) -> Self {
        TsnTracker {
            table: BoundedMap::new(max_associations),
            duplicates: 0,
        }
    }

    /// Duplicates recognised so far.
    pub(crate) fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Record `tsn`; returns whether it was seen before. A TSN more than 127 behind the highest
    /// one seen is taken as new: the capture may have missed its first copy.
    pub(crate) fn is_duplicate(&mut self, key: AssocKey, tsn: u32) -> bool {
        let (w, _) = self.table.get_or_insert_with(key, || Window {
            top: tsn.wrapping_sub(1),
            seen: 0,
        });
        let ahead = tsn.wrapping_sub(w.top) as i32;
        if ahead > 0 {
            w.seen = if ahead >= 128 { 0 } else { w.seen << ahead };
            w.seen |= 1;
            w.top = tsn;
            return false;
        }
        let behind = ahead.unsigned_abs();
        if behind >= 128 {
            return false;
        }
        let bit = 1u128 << behind;
        if w.seen & bit != 0 {
            self.duplicates += 1;
            true
        } else {
            w.seen |= bit;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(vtag: u32) -> AssocKey {
        AssocKey {
            src: IpAddr::from([10, 0, 0, 1]),
            dst: IpAddr::from([10, 0, 0, 2]),
            src_port: 2905,
            dst_port: 2905,
            vtag,
        }
    }

    #[test]
    fn duplicates_and_reordering() {
        let mut t = TsnTracker::new(16);
        assert!(!t.is_duplicate(key(1), 100));
        assert!(t.is_duplicate(key(1), 100));
        assert!(!t.is_duplicate(key(1), 102));
        assert!(!t.is_duplicate(key(1), 101), "late but new");
        assert!(t.is_duplicate(key(1), 101));
        assert!(!t.is_duplicate(key(2), 100), "another association");
        assert!(!t.is_duplicate(key(1), 100 + 500), "a jump");
        assert!(!t.is_duplicate(key(1), 102), "too old to know");
        assert_eq!(t.duplicates(), 2);
    }

    #[test]
    fn wraps_around() {
        let mut t = TsnTracker::new(4);
        assert!(!t.is_duplicate(key(1), u32::MAX));
        assert!(!t.is_duplicate(key(1), 0));
        assert!(t.is_duplicate(key(1), u32::MAX));
    }
}
