use super::Segmentation;
use crate::table::BoundedMap;

/// Limits of XUDT/LUDT segment reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SccpLimits {
    /// Messages in reassembly at once.
    pub max_messages: usize,
    /// A message unfinished after this long (capture time) is dropped. Q.714 §4.1.1.2.3 sets
    /// the reassembly timer T(reassembly) at 10 to 20 s.
    pub timeout_ns: u64,
}

impl Default for SccpLimits {
    fn default() -> Self {
        SccpLimits {
            max_messages: 4096,
            timeout_ns: 20_000_000_000,
        }
    }
}

/// What reassembly did, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SccpStats {
    /// Segments taken in.
    pub segments: u64,
    /// Messages completed.
    pub completed: u64,
    /// Repeated segments ignored.
    pub duplicates: u64,
    /// Messages pushed out because the table was full.
    pub evicted: u64,
    /// Messages dropped unfinished after the timeout.
    pub expired: u64,
}

/// A reassembly key: who sent the segments (a digest of the calling address and the
/// originating point code) and the segmentation local reference (Q.714 §4.1.1.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    sender: u64,
    local_ref: u32,
}

/// At most 16 segments: the remaining-segments field has 4 bits.
const MAX_SEGMENTS: usize = 16;

struct Partial {
    first_ns: u64,
    /// Remaining count of the first segment, once it is here.
    first_remaining: Option<u8>,
    /// Per remaining-count value: where its bytes are in `data`.
    parts: [Option<(u32, u32)>; MAX_SEGMENTS],
    data: Vec<u8>,
}

/// Reassembles segmented connectionless messages within [`SccpLimits`]. Segments may arrive
/// in any order (class 0 does not keep sequence).
pub struct SccpReassembler {
    limits: SccpLimits,
    table: BoundedMap<Key, Partial>,
    spare: Vec<Partial>,
    done: Vec<u8>,
    stats: SccpStats,
}

impl core::fmt::Debug for SccpReassembler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SccpReassembler")
            .field("in_progress", &self.table.len())
            .field("stats", &self.stats)
            .finish()
    }
}

/// FNV-1a: a fixed, cheap digest of the sender's address bytes.
fn digest(bytes: &[u8], opc: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes.iter().chain(opc.to_le_bytes().iter()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl SccpReassembler {
    /// An empty reassembler.
    pub fn new(limits: SccpLimits) -> Self {
        SccpReassembler {
            limits,
            table: BoundedMap::new(limits.max_messages),
            spare: Vec::new(),
            done: Vec::new(),
            stats: SccpStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> SccpStats {
        self.stats
    }

    /// Messages in reassembly now.
    pub fn in_progress(&self) -> usize {
        self.table.len()
    }

    /// Take in one segment from the sender named by `calling_raw` and `opc`; returns the whole
    /// user data when this segment completes it.
    pub fn push(
        &mut self,
        now_ns: u64,
        calling_raw: &[u8],
        opc: u32,
        seg: Segmentation,
        data: &[u8],
    ) -> Option<&[u8]> {
        self.stats.segments += 1;
        self.expire(now_ns);
        let key = Key {
            sender: digest(calling_raw, opc),
            local_ref: seg.local_ref,
        };
        let spare = &mut self.spare;
        let (p, evicted) = self.table.get_or_insert_with(key, || {
            let mut p = spare.pop().unwrap_or_else(|| Partial {
                first_ns: 0,
                first_remaining: None,
                parts: [None; MAX_SEGMENTS],
                data: Vec::new(),
            });
            p.first_ns = now_ns;
            p
        });
        if let Some((_, old)) = evicted {
            self.stats.evicted += 1;
            recycle(&mut self.spare, old);
        }
        let slot = usize::from(seg.remaining & 0x0f);
        if p.parts[slot].is_some() {
            self.stats.duplicates += 1;
            return None;
        }
        p.parts[slot] = Some((p.data.len() as u32, data.len() as u32));
        p.data.extend_from_slice(data);
        if seg.first {
            p.first_remaining = Some(seg.remaining & 0x0f);
        }
        let first = p.first_remaining?;
        if !(0..=usize::from(first)).all(|k| p.parts[k].is_some()) {
            return None;
        }
        // The first segment carries the highest remaining count; the last one carries 0.
        self.done.clear();
        for k in (0..=usize::from(first)).rev() {
            if let Some((start, len)) = p.parts[k] {
                self.done
                    .extend_from_slice(&p.data[start as usize..(start + len) as usize]);
            }
        }
        if let Some(old) = self.table.remove(&key) {
            recycle(&mut self.spare, old);
        }
        self.stats.completed += 1;
        Some(&self.done)
    }

    fn expire(&mut self, now_ns: u64) {
        let timeout = self.limits.timeout_ns;
        while let Some((_, p)) = self
            .table
            .pop_lru_if(|_, p| now_ns.saturating_sub(p.first_ns) > timeout)
        {
            self.stats.expired += 1;
            recycle(&mut self.spare, p);
        }
    }
}

fn recycle(spare: &mut Vec<Partial>, mut p: Partial) {
    if spare.len() < 64 {
        p.first_remaining = None;
        p.parts = [None; MAX_SEGMENTS];
        p.data.clear();
        spare.push(p);
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
    fn three_segments_out_of_order() {
        let mut r = SccpReassembler::new(SccpLimits::default());
        assert!(r.push(0, b"gt", 1, seg(false, 0), b"ccc").is_none());
        assert!(r.push(0, b"gt", 1, seg(true, 2), b"aaa").is_none());
        assert!(r.push(0, b"other", 1, seg(false, 1), b"zzz").is_none());
        assert_eq!(
            r.push(0, b"gt", 1, seg(false, 1), b"bbb").unwrap(),
            b"aaabbbccc"
        );
        assert_eq!(r.stats().completed, 1);
        assert_eq!(r.in_progress(), 1);
    }

    #[test]
    fn expiry_and_duplicates() {
        let mut r = SccpReassembler::new(SccpLimits {
            max_messages: 8,
            timeout_ns: 10,
        });
        r.push(0, b"gt", 1, seg(true, 1), b"a");
        r.push(0, b"gt", 1, seg(true, 1), b"a");
        assert_eq!(r.stats().duplicates, 1);
        r.push(100, b"gt", 2, seg(true, 1), b"a");
        assert_eq!(r.stats().expired, 1);
    }
}
