use super::{DataChunk, Path, Ppid};
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
    /// Bytes held over all messages in reassembly; beyond it the least recently used are
    /// pushed out.
    pub max_total_bytes: usize,
    /// Paths (one direction of an association's address pair) whose tags and recent TSNs
    /// are remembered.
    pub max_associations: usize,
}

impl Default for SctpLimits {
    fn default() -> Self {
        SctpLimits {
            max_messages: 4096,
            max_message_bytes: 256 * 1024,
            max_fragments: 256,
            timeout_ns: 30_000_000_000,
            max_total_bytes: 64 * 1024 * 1024,
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

/// Names one user message in reassembly: the association direction (by its first path, so
/// that fragments sent over several paths of a multihomed association meet), the stream, and
/// the stream sequence number (DATA) or message identifier (I-DATA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StreamKey {
    /// The direction.
    pub(crate) path: Path,
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
    /// A second copy of `seq` with other contents (see [`Completed::alternate`]).
    alt: bool,
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
    total_bytes: usize,
    stats: SctpStats,
}

/// A message completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Completed<'a> {
    /// Its payload protocol.
    pub(crate) ppid: Ppid,
    /// The message, from the first copy of each fragment.
    pub(crate) whole: &'a [u8],
    /// The message as a receiver that took the conflicting copies of some fragments would
    /// have it, when there were any.
    pub(crate) alternate: Option<&'a [u8]>,
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
        self.total_bytes = 0;
    }

    /// An empty reassembler.
    pub(crate) fn new(limits: SctpLimits) -> Self {
        SctpReassembler {
            limits,
            table: BoundedMap::new(limits.max_messages),
            spare: Vec::new(),
            done: Vec::new(),
            order: Vec::new(),
            total_bytes: 0,
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

    /// Take in one fragment; returns the message when it completes one. `conflicting`: the
    /// association has seen this TSN with other contents; the fragment is kept beside the
    /// first copy, and the message is also put together with it ([`Completed::alternate`]).
    pub(crate) fn push(
        &mut self,
        now_ns: u64,
        key: StreamKey,
        chunk: &DataChunk<'_>,
        conflicting: bool,
    ) -> Option<Completed<'_>> {
        self.stats.fragments += 1;
        self.expire(now_ns);
        self.enforce_budget(chunk.data.len());
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
            self.total_bytes -= old.bytes;
            recycle(&mut self.spare, old);
        }
        let mut alt = false;
        if let Some(f) = p.frags.iter().find(|f| f.seq == seq) {
            let held = &p.data[f.start as usize..(f.start + f.len) as usize];
            let second = p.frags.iter().filter(|f| f.seq == seq).count() > 1;
            if !conflicting || held == chunk.data || second {
                self.stats.duplicates += 1;
                return None;
            }
            alt = true;
        }
        if p.frags.len() >= self.limits.max_fragments
            || p.bytes + chunk.data.len() > self.limits.max_message_bytes
        {
            self.stats.oversize += 1;
            if let Some(old) = self.table.remove(&key) {
                self.total_bytes -= old.bytes;
                recycle(&mut self.spare, old);
            }
            return None;
        }
        // I-DATA carries the PPID on the first fragment only.
        if !alt
            && (chunk.begin || !chunk.interleaved)
            && (chunk.ppid != Ppid::UNSPECIFIED || p.ppid == Ppid::UNSPECIFIED)
        {
            p.ppid = chunk.ppid;
        }
        p.frags.push(Frag {
            seq,
            alt,
            begin: chunk.begin,
            end: chunk.end,
            start: p.data.len() as u32,
            len: chunk.data.len() as u32,
        });
        p.data.extend_from_slice(chunk.data);
        p.bytes += chunk.data.len();
        self.total_bytes += chunk.data.len();
        if alt {
            return None;
        }
        self.complete(key)
    }

    /// The message `key` names, when its fragments are all here: B and E, and every
    /// sequence number between them.
    fn complete(&mut self, key: StreamKey) -> Option<Completed<'_>> {
        let p = self.table.peek(&key)?;
        let primary = || p.frags.iter().filter(|f| !f.alt);
        let first = primary().find(|f| f.begin)?.seq;
        let last = primary().find(|f| f.end)?.seq;
        let span = last.wrapping_sub(first) as usize + 1;
        let in_span = |f: &Frag| (f.seq.wrapping_sub(first) as usize) < span;
        if span > p.frags.len() || primary().filter(|f| in_span(f)).count() != span {
            return None;
        }
        self.order.clear();
        self.order
            .extend(p.frags.iter().filter(|f| in_span(f)).copied());
        // By sequence number, the first copy before its alternate.
        self.order
            .sort_unstable_by_key(|f| (f.seq.wrapping_sub(first), f.alt));
        self.done.clear();
        let bytes = |f: &Frag| &p.data[f.start as usize..(f.start + f.len) as usize];
        for f in self.order.iter().filter(|f| !f.alt) {
            self.done.extend_from_slice(bytes(f));
        }
        let whole_len = self.done.len();
        let alternates = self.order.iter().any(|f| f.alt);
        if alternates {
            for (i, f) in self.order.iter().enumerate() {
                let replaced = self
                    .order
                    .get(i + 1)
                    .is_some_and(|n| n.alt && n.seq == f.seq);
                if !replaced {
                    self.done.extend_from_slice(bytes(f));
                }
            }
        }
        let ppid = p.ppid;
        if let Some(old) = self.table.remove(&key) {
            self.total_bytes -= old.bytes;
            recycle(&mut self.spare, old);
        }
        self.stats.completed += 1;
        let (whole, alternate) = self.done.split_at(whole_len);
        Some(Completed {
            ppid,
            whole,
            alternate: alternates.then_some(alternate),
        })
    }

    /// Push out the least recently used messages until `incoming` more bytes fit the limit.
    fn enforce_budget(&mut self, incoming: usize) {
        while self.total_bytes + incoming > self.limits.max_total_bytes {
            let Some((_, old)) = self.table.pop_lru() else {
                break;
            };
            self.stats.evicted += 1;
            self.total_bytes -= old.bytes;
            recycle(&mut self.spare, old);
        }
    }

    fn expire(&mut self, now_ns: u64) {
        let timeout = self.limits.timeout_ns;
        while let Some((_, p)) = self
            .table
            .pop_lru_if(|_, p| now_ns.saturating_sub(p.first_ns) > timeout)
        {
            self.stats.expired += 1;
            self.total_bytes -= p.bytes;
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
            path: Path {
                src: core::net::IpAddr::from([10, 0, 0, 1]),
                dst: core::net::IpAddr::from([10, 0, 0, 2]),
                src_port: 2905,
                dst_port: 2905,
            },
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
        assert!(r
            .push(0, key(4), &data(11, false, true, b"ghi"), false)
            .is_none());
        assert!(r
            .push(0, key(4), &data(9, true, false, b"abc"), false)
            .is_none());
        assert!(r
            .push(0, key(4), &data(9, true, false, b"abc"), false)
            .is_none());
        let done = r
            .push(0, key(4), &data(10, false, false, b"def"), false)
            .unwrap();
        assert_eq!(done.ppid, Ppid::M3UA);
        assert_eq!(done.whole, b"abcdefghi");
        assert_eq!(done.alternate, None);
        assert_eq!(r.stats().duplicates, 1);
        assert_eq!(r.in_progress(), 0);
    }

    #[test]
    fn tsn_wraps_around() {
        let mut r = SctpReassembler::new(SctpLimits::default());
        assert!(r
            .push(0, key(1), &data(u32::MAX, true, false, b"a"), false)
            .is_none());
        assert_eq!(
            r.push(0, key(1), &data(0, false, true, b"b"), false)
                .unwrap()
                .whole,
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
            max_total_bytes: 1 << 20,
            max_associations: 8,
        });
        r.push(0, key(1), &data(1, true, false, b"abc"), false);
        r.push(0, key(1), &data(2, false, false, b"de"), false);
        assert_eq!(r.stats().oversize, 1);
        for ssn in 10..13 {
            r.push(0, key(ssn), &data(1, true, false, b"a"), false);
        }
        assert_eq!(r.stats().evicted, 1);
        r.push(1_000, key(20), &data(1, true, false, b"a"), false);
        assert_eq!(r.stats().expired, 2);
        assert_eq!(r.in_progress(), 1);
    }

    #[test]
    fn a_conflicting_fragment_completes_a_second_version() {
        let mut r = SctpReassembler::new(SctpLimits::default());
        assert!(r
            .push(0, key(4), &data(9, true, false, b"abc"), false)
            .is_none());
        // The same TSN with other bytes: kept beside the first copy.
        assert!(r
            .push(0, key(4), &data(9, true, false, b"ABC"), true)
            .is_none());
        // A third copy, and a repeat of the first, change nothing.
        assert!(r
            .push(0, key(4), &data(9, true, false, b"xyz"), true)
            .is_none());
        assert!(r
            .push(0, key(4), &data(9, true, false, b"abc"), false)
            .is_none());
        let done = r
            .push(0, key(4), &data(10, false, true, b"def"), false)
            .unwrap();
        assert_eq!(done.whole, b"abcdef");
        assert_eq!(done.alternate, Some(&b"ABCdef"[..]));
        assert_eq!(r.stats().duplicates, 2);
    }

    #[test]
    fn the_byte_budget_pushes_out_the_oldest() {
        let mut r = SctpReassembler::new(SctpLimits {
            max_total_bytes: 8,
            ..SctpLimits::default()
        });
        for ssn in 0..4 {
            assert!(r
                .push(0, key(ssn), &data(1, true, false, b"abcd"), false)
                .is_none());
        }
        assert!(r.total_bytes <= 8);
        assert_eq!(r.stats().evicted, 2);
        assert_eq!(r.in_progress(), 2);
    }
}
