use core::net::IpAddr;

use super::{Fragment, IpProtocol};
use crate::table::BoundedMap;

/// Limits of IP reassembly. Defaults follow Linux (`ipfrag_time` 30 s, 64 KiB datagrams).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefragLimits {
    /// Datagrams in reassembly at once; a new one beyond this evicts the oldest.
    pub max_datagrams: usize,
    /// A datagram older than this (capture time) is dropped.
    pub(crate) timeout_ns: u64,
}

impl Default for DefragLimits {
    fn default() -> Self {
        DefragLimits {
            max_datagrams: 1024,
            timeout_ns: 30_000_000_000,
        }
    }
}

crate::counters! {
    /// What reassembly did, for the report.
    pub struct DefragStats {
        /// Fragments taken in.
        fragments => "ip_fragments",
        /// Datagrams completed.
        completed => "ip_completed",
        /// Datagrams pushed out because the table was full.
        evicted => "ip_evicted",
        /// Datagrams dropped unfinished after the timeout.
        expired => "ip_expired",
        /// Fragments that would make a datagram larger than 65 535 bytes.
        oversize => "ip_oversize",
        /// Datagrams whose fragments overlap with different bytes (an evasion).
        conflicts => "ip_overlap_conflicts",
    }
}

/// A datagram completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Whole<'a> {
    /// The payload, each byte from the first fragment that carried it.
    pub(crate) first: &'a [u8],
    /// When fragments overlapped with different bytes: the payload each byte from the last
    /// fragment that carried it.
    pub(crate) last: Option<&'a [u8]>,
}

const MAX_DATAGRAM: usize = 65_535;
const BLOCKS: usize = MAX_DATAGRAM.div_ceil(8);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    src: IpAddr,
    dst: IpAddr,
    id: u32,
    proto: u8,
}

struct Datagram {
    first_ns: u64,
    /// First fragment wins (Windows, BSD before the end of a datagram).
    data: Vec<u8>,
    /// Last fragment wins, once two fragments disagreed (`conflict`).
    last: Vec<u8>,
    conflict: bool,
    /// One bit per 8-byte block received.
    have: Box<[u64; BLOCKS.div_ceil(64)]>,
    /// Length once the last fragment (MF = 0) arrived.
    total: Option<usize>,
}

/// Reassembles fragmented IPv4 and IPv6 datagrams (RFC 791 §3.2, RFC 8200 §4.5) within
/// [`DefragLimits`]. Buffers of finished datagrams are kept for reuse.
///
/// Receivers disagree on overlapping fragments: some keep the first copy of a byte, some the
/// last, Linux and RFC 5722 (IPv6) drop the datagram. A datagram whose fragments overlap with
/// the same bytes is reassembled once; one whose fragments disagree is handed out both ways,
/// first copy and last copy, so that whichever a receiver kept has been judged (and the
/// disagreement is counted, and alerted by the frame decoder).
pub(crate) struct Defragmenter {
    limits: DefragLimits,
    table: BoundedMap<Key, Datagram>,
    spare: Vec<Datagram>,
    done: Vec<u8>,
    stats: DefragStats,
}

impl core::fmt::Debug for Defragmenter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Defragmenter")
            .field("in_progress", &self.table.len())
            .field("stats", &self.stats)
            .finish()
    }
}

impl Defragmenter {
    /// Forget every flow in progress (counters stay): what follows is a new capture.
    pub(crate) fn forget(&mut self) {
        self.table.clear();
    }

    /// An empty reassembler.
    pub(crate) fn new(limits: DefragLimits) -> Self {
        Defragmenter {
            limits,
            table: BoundedMap::new(limits.max_datagrams),
            spare: Vec::new(),
            done: Vec::new(),
            stats: DefragStats::default(),
        }
    }

    /// Counters so far.
    pub(crate) fn stats(&self) -> DefragStats {
        self.stats
    }

    /// Datagrams in reassembly now.
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> usize {
        self.table.len()
    }

    /// Take in one fragment; returns the whole datagram's payload when this fragment
    /// completes it.
    pub(crate) fn push(
        &mut self,
        now_ns: u64,
        src: IpAddr,
        dst: IpAddr,
        protocol: IpProtocol,
        frag: Fragment,
        payload: &[u8],
    ) -> Option<Whole<'_>> {
        self.stats.fragments += 1;
        self.expire(now_ns);
        let start = frag.offset as usize;
        let end = start + payload.len();
        if end > MAX_DATAGRAM {
            self.stats.oversize += 1;
            return None;
        }
        let key = Key {
            src,
            dst,
            id: frag.id,
            proto: protocol.0,
        };
        let spare = &mut self.spare;
        let (dg, evicted) = self.table.get_or_insert_with(key, || {
            let mut d = spare.pop().unwrap_or_else(|| Datagram {
                first_ns: 0,
                data: Vec::new(),
                last: Vec::new(),
                conflict: false,
                have: Box::new([0; BLOCKS.div_ceil(64)]),
                total: None,
            });
            d.first_ns = now_ns;
            d
        });
        if let Some((_, old)) = evicted {
            self.stats.evicted += 1;
            recycle(&mut self.spare, old);
        }
        if dg.data.len() < end {
            dg.data.resize(end, 0);
        }
        // The 8-byte blocks this fragment covers; a last fragment may end mid-block.
        let blocks = start / 8..end.div_ceil(8);
        let had = |dg: &Datagram, b: usize| dg.have[b / 64] & (1 << (b % 64)) != 0;
        let range = |b: usize| (b * 8).max(start)..(b * 8 + 8).min(end);
        let differs = blocks.clone().any(|b| {
            let r = range(b);
            had(dg, b) && dg.data[r.clone()] != payload[r.start - start..r.end - start]
        });
        if differs && !dg.conflict {
            dg.conflict = true;
            self.stats.conflicts += 1;
            dg.last.clear();
            dg.last.extend_from_slice(&dg.data);
        }
        if dg.conflict {
            if dg.last.len() < end {
                dg.last.resize(end, 0);
            }
            dg.last[start..end].copy_from_slice(payload);
        }
        for b in blocks {
            if !had(dg, b) {
                let r = range(b);
                dg.data[r.clone()].copy_from_slice(&payload[r.start - start..r.end - start]);
                dg.have[b / 64] |= 1 << (b % 64);
            }
        }
        if !frag.more {
            dg.total = Some(end);
        }
        let complete = dg
            .total
            .is_some_and(|total| (0..total.div_ceil(8)).all(|b| had(dg, b)));
        if !complete {
            return None;
        }
        let total = dg.total.unwrap_or(0);
        let mut dg = self.table.remove(&key)?;
        self.stats.completed += 1;
        dg.data.truncate(total);
        let conflict = dg.conflict;
        if conflict {
            dg.last.resize(total, 0);
            dg.data.extend_from_slice(&dg.last);
        }
        core::mem::swap(&mut self.done, &mut dg.data);
        recycle(&mut self.spare, dg);
        let (first, last) = self.done.split_at(total);
        Some(Whole {
            first,
            last: conflict.then_some(last),
        })
    }

    fn expire(&mut self, now_ns: u64) {
        let timeout = self.limits.timeout_ns;
        while let Some((_, dg)) = self
            .table
            .pop_lru_if(|_, d| now_ns.saturating_sub(d.first_ns) > timeout)
        {
            self.stats.expired += 1;
            recycle(&mut self.spare, dg);
        }
    }
}

fn recycle(spare: &mut Vec<Datagram>, mut d: Datagram) {
    if spare.len() < 64 {
        d.data.clear();
        d.last.clear();
        d.conflict = false;
        d.have.fill(0);
        d.total = None;
        spare.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    fn frag(id: u32, offset: u32, more: bool) -> Fragment {
        Fragment { id, offset, more }
    }

    #[test]
    fn reassembles_out_of_order() {
        let mut d = Defragmenter::new(DefragLimits::default());
        let data: Vec<u8> = (0..40).collect();
        assert!(d
            .push(
                0,
                ip(1),
                ip(2),
                IpProtocol::SCTP,
                frag(7, 24, false),
                &data[24..]
            )
            .is_none());
        assert!(d
            .push(
                0,
                ip(1),
                ip(2),
                IpProtocol::SCTP,
                frag(7, 0, true),
                &data[..16]
            )
            .is_none());
        let got = d
            .push(
                0,
                ip(1),
                ip(2),
                IpProtocol::SCTP,
                frag(7, 16, true),
                &data[16..24],
            )
            .unwrap();
        assert_eq!(got.first, &data[..]);
        assert_eq!(got.last, None);
        assert_eq!(d.stats().completed, 1);
        assert_eq!(d.in_progress(), 0);
    }

    #[test]
    fn expires_and_evicts() {
        let mut d = Defragmenter::new(DefragLimits {
            max_datagrams: 2,
            timeout_ns: 1_000,
        });
        for id in 0..3 {
            d.push(
                0,
                ip(1),
                ip(2),
                IpProtocol::SCTP,
                frag(id, 0, true),
                &[0; 8],
            );
        }
        assert_eq!(d.stats().evicted, 1);
        d.push(
            5_000,
            ip(1),
            ip(2),
            IpProtocol::SCTP,
            frag(9, 0, true),
            &[0; 8],
        );
        assert_eq!(d.stats().expired, 2);
        assert_eq!(d.in_progress(), 1);
    }

    #[test]
    fn oversize_is_refused() {
        let mut d = Defragmenter::new(DefragLimits::default());
        assert!(d
            .push(
                0,
                ip(1),
                ip(2),
                IpProtocol::SCTP,
                frag(1, 65_528, false),
                &[0; 16]
            )
            .is_none());
        assert_eq!(d.stats().oversize, 1);
    }

    #[test]
    fn overlaps_that_agree_are_one_datagram_and_those_that_differ_are_two() {
        let mut d = Defragmenter::new(DefragLimits::default());
        let data: Vec<u8> = (0..24).collect();
        let push = |d: &mut Defragmenter, id, offset, more, bytes: &[u8]| {
            d.push(
                0,
                ip(1),
                ip(2),
                IpProtocol::SCTP,
                frag(id, offset, more),
                bytes,
            )
            .map(|w| (w.first.to_vec(), w.last.map(<[u8]>::to_vec)))
        };
        // The same bytes twice: one datagram.
        assert!(push(&mut d, 1, 0, true, &data[..16]).is_none());
        assert!(push(&mut d, 1, 8, true, &data[8..16]).is_none());
        let got = push(&mut d, 1, 16, false, &data[16..]).unwrap();
        assert_eq!(got, (data.clone(), None));
        assert_eq!(d.stats().conflicts, 0);
        // Other bytes over the second block: the first copy and the last, both.
        let other = [0xee; 8];
        assert!(push(&mut d, 2, 0, true, &data[..16]).is_none());
        assert!(push(&mut d, 2, 8, true, &other).is_none());
        let (first, last) = push(&mut d, 2, 16, false, &data[16..]).unwrap();
        assert_eq!(first, data);
        let mut expected = data.clone();
        expected[8..16].copy_from_slice(&other);
        assert_eq!(last, Some(expected));
        assert_eq!(d.stats().conflicts, 1);
    }
}
