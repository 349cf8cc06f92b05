use core::net::IpAddr;

use super::{DataChunk, Ppid};
use crate::table::BoundedMap;

/// Limits of SCTP user-message reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SctpLimits {
    /// Messages in reassembly at once (over all associations and streams).
    pub max_messages: usize,
    /// Largest user message reassembled.
    pub(crate) max_message_bytes: usize,
    /// Most fragments of one message.
    pub(crate) max_fragments: usize,
    /// A message unfinished after this long (capture time) is dropped.
    pub(crate) timeout_ns: u64,
    /// Association directions whose recent TSNs are remembered, to recognise retransmissions.
    pub max_associations: usize,
}

impl Default for SctpLimits {
    fn default() -> Self {
        SctpLimits {
            max_messages: 4096,
            max_message_bytes: 256 * 1024,
            max_fragments: 256,
            timeout_ns: 30_000_000_000,
            max_associations: 16_384,
        }
    }
}

crate::counters! {
    /// What reassembly did, for the report.
    pub struct SctpStats {
        /// Fragments taken in.
        fragments => "sctp_fragments",
        /// Messages completed.
        completed => "sctp_completed",
        /// Retransmitted fragments ignored.
        duplicates => "sctp_duplicate_fragments",
        /// Messages pushed out because the table was full.
        evicted => "sctp_evicted",
        /// Messages dropped unfinished after the timeout.
        expired => "sctp_expired",
        /// Messages dropped for exceeding the byte or fragment limit.
        oversize => "sctp_oversize",
    }
}

/// Names one user message in reassembly: the association direction, the stream, and the
/// stream sequence number (DATA) or message identifier (I-DATA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StreamKey {
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
    /// Stream identifier.
    pub(crate) stream: u16,
    /// Stream sequence number or message identifier.
    pub(crate) ssn: u32,
    /// Unordered delivery.
    pub(crate) unordered: bool,
}

#[derive(Debug, Clone, Copy)]
struct Frag {
    seq: u32,
    begin: bool,
    end: bool,
    start: u32,
    len: u32,
}

struct Partial {
    first_ns: u64,
    ppid: Ppid,
    frags: Vec<Frag>,
    data: Vec<u8>,
    bytes: usize,
}

/// Reassembles user messages fragmented over DATA chunks (RFC 9260 §6.9: fragments carry
/// consecutive TSNs, B on the first and E on the last) or I-DATA chunks (RFC 8260: fragment
/// sequence numbers from 0), in any arrival order, within [`SctpLimits`].
pub(crate) struct SctpReassembler {
    limits: SctpLimits,
    table: BoundedMap<StreamKey, Partial>,
    spare: Vec<Partial>,
    done: Vec<u8>,
    order: Vec<Frag>,
    stats: SctpStats,
}

impl core::fmt::Debug for SctpReassembler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SctpReassembler")
            .field("in_progress", &self.table.len())
            .field("stats", &self.stats)
            .finish()
    }
}

impl SctpReassembler {
    /// Forget every flow in progress (counters stay): what follows is a new capture.
    pub(crate) fn forget(&mut self) {
        self.table.clear();
    }

    /// An empty reassembler.
    pub(crate) fn new(limits: SctpLimits) -> Self {
        SctpReassembler {
            limits,
            table: BoundedMap::new(limits.max_messages),
            spare: Vec::new(),
            done: Vec::new(),
            order: Vec::new(),
            stats: SctpStats::default(),
        }
    }

    /// Counters so far.
    pub(crate) fn stats(&self) -> SctpStats {
        self.stats
    }

    /// Messages in reassembly now.
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> usize {
        self.table.len()
    }

    /// Take in one fragment; returns the PPID and the whole message when it completes one.
    pub(crate) fn push(
        &mut self,
        now_ns: u64,
        key: StreamKey,
        chunk: &DataChunk<'_>,
    ) -> Option<(Ppid, &[u8])> {
        self.stats.fragments += 1;
        self.expire(now_ns);
        let seq = if chunk.interleaved {
            chunk.fsn
        } else {
            chunk.tsn
        };
        let spare = &mut self.spare;
        let (p, evicted) = self.table.get_or_insert_with(key, || {
            let mut p = spare.pop().unwrap_or_else(|| Partial {
                first_ns: 0,
                ppid: Ppid::UNSPECIFIED,
                frags: Vec::new(),
                data: Vec::new(),
                bytes: 0,
            });
            p.first_ns = now_ns;
            p
        });
        if let Some((_, old)) = evicted {
            self.stats.evicted += 1;
            recycle(&mut self.spare, old);
        }
        if p.frags.iter().any(|f| f.seq == seq) {
            self.stats.duplicates += 1;
            return None;
        }
        if p.frags.len() >= self.limits.max_fragments
            || p.bytes + chunk.data.len() > self.limits.max_message_bytes
        {
            self.stats.oversize += 1;
            if let Some(old) = self.table.remove(&key) {
                recycle(&mut self.spare, old);
            }
            return None;
        }
        // I-DATA carries the PPID on the first fragment only.
        if (chunk.begin || !chunk.interleaved)
            && (chunk.ppid != Ppid::UNSPECIFIED || p.ppid == Ppid::UNSPECIFIED)
        {
            p.ppid = chunk.ppid;
        }
        p.frags.push(Frag {
            seq,
            begin: chunk.begin,
            end: chunk.end,
            start: p.data.len() as u32,
            len: chunk.data.len() as u32,
        });
        p.data.extend_from_slice(chunk.data);
        p.bytes += chunk.data.len();

        // Complete when B and E are both here and every sequence number between them too.
        let first = p.frags.iter().find(|f| f.begin)?.seq;
        let last = p.frags.iter().find(|f| f.end)?.seq;
        let span = last.wrapping_sub(first) as usize + 1;
        let in_span = |f: &Frag| (f.seq.wrapping_sub(first) as usize) < span;
        if span > p.frags.len() || p.frags.iter().filter(|f| in_span(f)).count() != span {
            return None;
        }
        self.order.clear();
        self.order
            .extend(p.frags.iter().filter(|f| in_span(f)).copied());
        self.order
            .sort_unstable_by_key(|f| f.seq.wrapping_sub(first));
        self.done.clear();
        for f in &self.order {
            self.done
                .extend_from_slice(&p.data[f.start as usize..(f.start + f.len) as usize]);
        }
        let ppid = p.ppid;
        if let Some(old) = self.table.remove(&key) {
            recycle(&mut self.spare, old);
        }
        self.stats.completed += 1;
        Some((ppid, &self.done))
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
        p.frags.clear();
        p.data.clear();
        p.bytes = 0;
        p.ppid = Ppid::UNSPECIFIED;
        spare.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ssn: u32) -> StreamKey {
        StreamKey {
            src: IpAddr::from([10, 0, 0, 1]),
            dst: IpAddr::from([10, 0, 0, 2]),
            src_port: 2905,
            dst_port: 2905,
            vtag: 1,
            stream: 1,
            ssn,
            unordered: false,
        }
    }

    fn data(tsn: u32, begin: bool, end: bool, bytes: &[u8]) -> DataChunk<'_> {
        DataChunk {
            tsn,
            stream: 1,
            ssn: 4,
            ppid: Ppid::M3UA,
            fsn: 0,
            unordered: false,
            begin,
            end,
            interleaved: false,
            data: bytes,
        }
    }

    #[test]
    fn three_fragments_in_any_order_and_a_duplicate() {
        let mut r = SctpReassembler::new(SctpLimits::default());
        assert!(r.push(0, key(4), &data(11, false, true, b"ghi")).is_none());
        assert!(r.push(0, key(4), &data(9, true, false, b"abc")).is_none());
        assert!(r.push(0, key(4), &data(9, true, false, b"abc")).is_none());
        let (ppid, msg) = r.push(0, key(4), &data(10, false, false, b"def")).unwrap();
        assert_eq!(ppid, Ppid::M3UA);
        assert_eq!(msg, b"abcdefghi");
        assert_eq!(r.stats().duplicates, 1);
        assert_eq!(r.in_progress(), 0);
    }

    #[test]
    fn tsn_wraps_around() {
        let mut r = SctpReassembler::new(SctpLimits::default());
        assert!(r
            .push(0, key(1), &data(u32::MAX, true, false, b"a"))
            .is_none());
        assert_eq!(
            r.push(0, key(1), &data(0, false, true, b"b")).unwrap().1,
            b"ab"
        );
    }

    #[test]
    fn limits_hold() {
        let mut r = SctpReassembler::new(SctpLimits {
            max_messages: 2,
            max_message_bytes: 4,
            max_fragments: 8,
            timeout_ns: 100,
            max_associations: 8,
        });
        r.push(0, key(1), &data(1, true, false, b"abc"));
        r.push(0, key(1), &data(2, false, false, b"de"));
        assert_eq!(r.stats().oversize, 1);
        for ssn in 10..13 {
            r.push(0, key(ssn), &data(1, true, false, b"a"));
        }
        assert_eq!(r.stats().evicted, 1);
        r.push(1_000, key(20), &data(1, true, false, b"a"));
        assert_eq!(r.stats().expired, 2);
        assert_eq!(r.in_progress(), 1);
    }
}
