use super::Segmentation;
use crate::table::BoundedMap;

/// Limits of XUDT/LUDT segment reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SccpLimits {
    /// Messages in reassembly at once.
    pub max_messages: usize,
    /// A message unfinished after this long (capture time) is dropped. Q.714 §4.1.1.2.3 sets
    /// the reassembly timer T(reassembly) at 10 to 20 s.
    pub(crate) timeout_ns: u64,
}

impl Default for SccpLimits {
    fn default() -> Self {
        SccpLimits {
            max_messages: 4096,
            timeout_ns: 20_000_000_000,
        }
    }
}

crate::counters! {
    /// What reassembly did, for the report.
    pub struct SccpStats {
        /// Segments taken in.
        segments => "sccp_segments",
        /// Messages completed.
        completed => "sccp_completed",
        /// Segments that fit no reassembly: no first segment before them, or out of sequence.
        out_of_sequence => "sccp_out_of_sequence",
        /// Messages pushed out because the table was full.
        evicted => "sccp_evicted",
        /// Messages dropped unfinished after the timeout.
        expired => "sccp_expired",
    }
}

/// A reassembly key: who sent the segments (the calling address's octets themselves, and the
/// originating point code), the segmentation local reference (Q.714 §4.1.1.2.3), and whether
/// the segments are of a service message: an XUDTS returning a segmented XUDT carries the
/// same addresses and reference as the XUDT itself. Two senders never share a reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    sender: Sender,
    opc: u32,
    local_ref: u32,
    service: bool,
}

/// The octets of a calling party address kept in a key. A Q.713 address with the longest
/// global title a network uses is some 20 octets; one longer than this is keyed by these
/// octets and a digest of the rest under a key no sender knows, so that a sender cannot make
/// its segments meet another's.
const ADDRESS_OCTETS: usize = 48;

/// A calling party address as a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Sender {
    len: u8,
    octets: [u8; ADDRESS_OCTETS],
    /// Of the octets past [`ADDRESS_OCTETS`], if any.
    rest: u64,
}

struct Partial {
    first_ns: u64,
    /// The remaining-segments value the next segment must carry.
    next: u8,
    data: Vec<u8>,
}

/// Reassembles segmented connectionless messages within [`SccpLimits`], as Q.714
/// §4.1.1.2.3 has the receiving node do: the first segment (F bit) opens a reassembly, each
/// following segment must carry a remaining count one below the previous one, and the segment
/// with 0 remaining completes the message. A segment that fits no open reassembly is dropped
/// and counted, and so is the reassembly it breaks; Wireshark reassembles the same way.
pub(crate) struct SccpReassembler {
    limits: SccpLimits,
    table: BoundedMap<Key, Partial>,
    spare: Vec<Vec<u8>>,
    done: Vec<u8>,
    stats: SccpStats,
    rest_key: foldhash::quality::RandomState,
}

impl core::fmt::Debug for SccpReassembler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SccpReassembler")
            .field("in_progress", &self.table.len())
            .field("stats", &self.stats)
            .finish()
    }
}

impl Sender {
    fn of(address: &[u8], rest_key: &foldhash::quality::RandomState) -> Sender {
        use core::hash::BuildHasher;
        let (head, rest) = address.split_at(address.len().min(ADDRESS_OCTETS));
        let mut octets = [0; ADDRESS_OCTETS];
        octets[..head.len()].copy_from_slice(head);
        Sender {
            len: address.len().min(255) as u8,
            octets,
            rest: if rest.is_empty() {
                0
            } else {
                rest_key.hash_one(rest)
            },
        }
    }
}

impl SccpReassembler {
    /// Forget every flow in progress (counters stay): what follows is a new capture.
    pub(crate) fn forget(&mut self) {
        self.table.clear();
    }

    /// An empty reassembler.
    pub(crate) fn new(limits: SccpLimits) -> Self {
        SccpReassembler {
            limits,
            table: BoundedMap::new(limits.max_messages),
            spare: Vec::new(),
            done: Vec::new(),
            stats: SccpStats::default(),
            rest_key: foldhash::quality::RandomState::default(),
        }
    }

    /// Counters so far.
    pub(crate) fn stats(&self) -> SccpStats {
        self.stats
    }

    /// Messages in reassembly now.
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> usize {
        self.table.len()
    }

    /// Take in one segment from the sender named by `calling_raw` and `opc` (`service`: of an
    /// XUDTS or LUDTS); returns the whole user data when this segment completes it.
    pub(crate) fn push(
        &mut self,
        now_ns: u64,
        calling_raw: &[u8],
        opc: u32,
        service: bool,
        seg: Segmentation,
        data: &[u8],
    ) -> Option<&[u8]> {
        self.stats.segments += 1;
        self.expire(now_ns);
        let key = Key {
            sender: Sender::of(calling_raw, &self.rest_key),
            opc,
            local_ref: seg.local_ref,
            service,
        };
        let remaining = seg.remaining & 0x0f;
        if seg.first {
            if let Some(old) = self.table.remove(&key) {
                self.stats.out_of_sequence += 1;
                self.give_back(old.data);
            }
            let mut buf = self.spare.pop().unwrap_or_default();
            buf.extend_from_slice(data);
            if let Some((_, old)) = self.table.insert(
                key,
                Partial {
                    first_ns: now_ns,
                    next: remaining.wrapping_sub(1),
                    data: buf,
                },
            ) {
                self.stats.evicted += 1;
                self.give_back(old.data);
            }
            return None;
        }
        match self.table.get_mut(&key) {
            Some(p) if p.next == remaining => {
                p.data.extend_from_slice(data);
                p.next = remaining.wrapping_sub(1);
            }
            Some(_) => {
                self.stats.out_of_sequence += 1;
                if let Some(old) = self.table.remove(&key) {
                    self.give_back(old.data);
                }
                return None;
            }
            None => {
                self.stats.out_of_sequence += 1;
                return None;
            }
        }
        if remaining != 0 {
            return None;
        }
        let p = self.table.remove(&key)?;
        self.stats.completed += 1;
        let old = core::mem::replace(&mut self.done, p.data);
        self.give_back(old);
        Some(&self.done)
    }

    fn give_back(&mut self, mut v: Vec<u8>) {
        if self.spare.len() < 64 {
            v.clear();
            self.spare.push(v);
        }
    }

    fn expire(&mut self, now_ns: u64) {
        let timeout = self.limits.timeout_ns;
        while let Some((_, p)) = self
            .table
            .pop_lru_if(|_, p| now_ns.saturating_sub(p.first_ns) > timeout)
        {
            self.stats.expired += 1;
            self.give_back(p.data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(first: bool, remaining: u8) -> Segmentation {
        Segmentation {
            first,
            class1: false,
            remaining,
            local_ref: 0x42,
        }
    }

    #[test]
    fn three_segments_in_sequence() {
        let mut r = SccpReassembler::new(SccpLimits::default());
        assert!(r.push(0, b"gt", 1, false, seg(true, 2), b"aaa").is_none());
        assert!(r
            .push(0, b"other", 1, false, seg(false, 1), b"zzz")
            .is_none());
        assert!(r.push(0, b"gt", 1, false, seg(false, 1), b"bbb").is_none());
        assert_eq!(
            r.push(0, b"gt", 1, false, seg(false, 0), b"ccc").unwrap(),
            b"aaabbbccc"
        );
        assert_eq!(r.stats().completed, 1);
        assert_eq!(
            r.stats().out_of_sequence,
            1,
            "the other sender had no first segment"
        );
        assert_eq!(r.in_progress(), 0);
    }

    #[test]
    fn out_of_sequence_segments_are_dropped() {
        let mut r = SccpReassembler::new(SccpLimits::default());
        // The last segment before the first (as pcapr-m2pa-map-sms-sltm.pcap frames 18 and
        // 21 show for an XUDTS): no message.
        assert!(r.push(0, b"gt", 1, true, seg(false, 0), b"b").is_none());
        assert!(r.push(0, b"gt", 1, true, seg(true, 1), b"a").is_none());
        assert_eq!(r.in_progress(), 1);
        // A skipped segment breaks the reassembly.
        assert!(r.push(0, b"gt", 2, false, seg(true, 2), b"a").is_none());
        assert!(r.push(0, b"gt", 2, false, seg(false, 0), b"c").is_none());
        assert_eq!(r.stats().out_of_sequence, 2);
        // Service and non-service segments never mix.
        assert!(r.push(0, b"gt", 1, false, seg(false, 0), b"x").is_none());
        assert_eq!(r.stats().completed, 0);
    }

    /// Two senders, whatever their addresses, never complete each other's messages: not
    /// when the addresses differ in one octet, nor past the octets a key holds.
    #[test]
    fn senders_never_share_a_reassembly() {
        let mut long_a = vec![7u8; ADDRESS_OCTETS + 10];
        let mut long_b = long_a.clone();
        long_a[ADDRESS_OCTETS + 5] = 1;
        long_b[ADDRESS_OCTETS + 5] = 2;
        let short_a: &[u8] = &[0x12, 0x06, 0x00, 0x11, 0x04, 0x21, 0x43, 0x65];
        let short_b: &[u8] = &[0x12, 0x06, 0x00, 0x11, 0x04, 0x21, 0x43, 0x66];
        for (a, b) in [(short_a, short_b), (&long_a[..], &long_b[..])] {
            let mut r = SccpReassembler::new(SccpLimits::default());
            assert!(r.push(0, a, 1, false, seg(true, 1), b"aaa").is_none());
            // The other sender's last segment with the same reference completes nothing.
            assert!(r.push(0, b, 1, false, seg(false, 0), b"zzz").is_none());
            assert_eq!(
                r.push(0, a, 1, false, seg(false, 0), b"bbb").unwrap(),
                b"aaabbb"
            );
        }
        // Nor does the same address behind another point code.
        let mut r = SccpReassembler::new(SccpLimits::default());
        assert!(r.push(0, short_a, 1, false, seg(true, 1), b"aaa").is_none());
        assert!(r
            .push(0, short_a, 2, false, seg(false, 0), b"zzz")
            .is_none());
    }

    #[test]
    fn expiry() {
        let mut r = SccpReassembler::new(SccpLimits {
            max_messages: 8,
            timeout_ns: 10,
        });
        r.push(0, b"gt", 1, false, seg(true, 1), b"a");
        r.push(100, b"gt", 2, false, seg(true, 1), b"a");
        assert_eq!(r.stats().expired, 1);
    }
}
