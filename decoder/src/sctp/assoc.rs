//! SCTP associations as their endpoints see them, so that the probe takes what the receiver
//! takes and nothing else (RFC 9260):
//!
//! - **Verification tags** (§8.5): every packet of a path carries the tag its receiver chose.
//!   The tags are learnt from INIT and INIT-ACK (each names the tag the other side must use),
//!   or, when the capture starts mid-association, from a path's first packet. A packet with
//!   another tag is dropped by the receiver; here it changes nothing and is counted.
//! - **Checksums** (§6.8): the CRC32c is verified (see [`crate::integrity`]) before anything
//!   about the packet is remembered.
//! - **TSNs** (§6.2): the receiver delivers each TSN once. A TSN's chunk is remembered by a
//!   digest of its contents, so that a second copy is recognised as what it is: the same bytes
//!   (a retransmission, or the same packet from a second tap), or different bytes, which one
//!   of the two receivers (or the probe) would have taken for a message the other never saw.
//!   That is an evasion, and both copies are judged.
//! - **Multihoming** (§6.4): an association is its ports and tags, not one address pair. The
//!   addresses INIT and INIT-ACK list, and, mid-association, any path with the same ports and
//!   tag, share one TSN window (and one reassembly).

use core::hash::{Hash, Hasher};
use core::net::IpAddr;

use crate::integrity::{Check, ChecksumMode, IntegrityStats, Standing};
use crate::table::BoundedMap;

/// One direction of one path: the transport addresses a packet travels between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Path {
    pub(crate) src: IpAddr,
    pub(crate) dst: IpAddr,
    pub(crate) src_port: u16,
    pub(crate) dst_port: u16,
}

/// Hashed as two or three words, not field by field (two enum tags, two address arrays and
/// their lengths, two ports): the lookup runs for every SCTP packet.
impl Hash for Path {
    #[inline]
    fn hash<H: Hasher>(&self, h: &mut H) {
        let ports = u64::from(self.src_port) << 16 | u64::from(self.dst_port);
        match (self.src, self.dst) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                h.write_u64(u64::from(a.to_bits()) << 32 | u64::from(b.to_bits()));
            }
            (a, b) => {
                h.write_u128(bits(a));
                h.write_u128(bits(b));
            }
        }
        h.write_u64(ports);
    }
}

fn bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u128::from(a.to_bits()),
        IpAddr::V6(a) => a.to_bits(),
    }
}

/// TSNs remembered per direction.
const WINDOW: usize = 128;

/// The last [`WINDOW`] TSNs a sender used, each with a digest of its chunk.
#[derive(Clone)]
struct Window {
    /// No TSN seen yet: the first one seen starts the window.
    fresh: bool,
    /// Highest TSN seen.
    top: u32,
    /// Bit `k` set: TSN `top - k` was seen.
    seen: u128,
    /// By TSN modulo [`WINDOW`]: the digest of the chunk seen with that TSN.
    digests: [u32; WINDOW],
}

/// What a chunk's TSN says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tsn {
    /// Not seen before (or too long ago to tell).
    New,
    /// Seen with the same contents: a retransmission or a duplicate capture.
    Repeated,
    /// Seen with other contents: one of the two copies was not what the receiver took.
    Conflicting,
}

impl Window {
    /// A window whose sender's first TSN is not known yet.
    fn fresh() -> Window {
        Window {
            fresh: true,
            top: 0,
            seen: 0,
            digests: [0; WINDOW],
        }
    }

    /// A window whose sender announced its first TSN (INIT, INIT-ACK).
    fn starting_at(tsn: u32) -> Window {
        Window {
            fresh: false,
            top: tsn.wrapping_sub(1),
            ..Window::fresh()
        }
    }

    /// Record `tsn` with the digest of its chunk. A TSN more than [`WINDOW`] - 1 behind the
    /// highest one seen is taken as new: the capture may have missed its first copy.
    #[inline]
    fn record(&mut self, tsn: u32, digest: u32) -> Tsn {
        let slot = tsn as usize % WINDOW;
        if self.fresh {
            self.fresh = false;
            self.top = tsn.wrapping_sub(1);
        }
        let ahead = tsn.wrapping_sub(self.top) as i32;
        if ahead > 0 {
            self.seen = if ahead >= WINDOW as i32 {
                0
            } else {
                self.seen << ahead
            };
            self.seen |= 1;
            self.top = tsn;
            self.digests[slot] = digest;
            return Tsn::New;
        }
        let behind = ahead.unsigned_abs();
        if behind as usize >= WINDOW {
            return Tsn::New;
        }
        let bit = 1u128 << behind;
        if self.seen & bit == 0 {
            self.seen |= bit;
            self.digests[slot] = digest;
            return Tsn::New;
        }
        if self.digests[slot] == digest {
            Tsn::Repeated
        } else {
            Tsn::Conflicting
        }
    }
}

/// What is known of one path.
struct PathState {
    /// The tag its packets must carry.
    vtag: u32,
    /// After a restart, the tag before it, still taken (0: none). A restart seen on the tap
    /// may be a spoofed INIT that the peers never completed; dropping what carries the old
    /// tag would let such an INIT blind the probe, so both are read.
    previous: u32,
    /// Its checksums' standing.
    standing: Standing,
    /// The path whose TSN window this one shares (multihoming), or none: its own.
    alias: Option<Path>,
    /// The sender's TSNs on this direction (unused on an alias).
    window: Window,
}

impl PathState {
    fn new(vtag: u32, standing: Standing, alias: Option<Path>) -> PathState {
        PathState {
            vtag,
            previous: 0,
            standing,
            alias,
            window: Window::fresh(),
        }
    }

    fn takes(&self, vtag: u32) -> bool {
        self.vtag == vtag || (self.previous != 0 && self.previous == vtag)
    }
}

/// Ports and tag: what a direction's paths have in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TagKey {
    src_port: u16,
    dst_port: u16,
    vtag: u32,
}

crate::counters! {
    /// What the association table did, for the report.
    pub struct AssocStats {
        /// DATA and I-DATA chunks seen before, with the same contents.
        repeated => "sctp_retransmitted_chunks",
        /// DATA and I-DATA chunks seen before with other contents (an evasion).
        conflicting => "sctp_conflicting_chunks",
        /// Packets whose verification tag is not their path's (dropped by the receiver).
        bad_vtag => "sctp_bad_vtag_packets",
        /// Packets whose CRC32c is wrong where the receiver checks it.
        bad_crc => "sctp_bad_crc_packets",
        /// Paths joined to another's TSN window (multihoming).
        multihomed_paths => "sctp_multihomed_paths",
        /// Association restarts (an INIT or INIT-ACK naming a new tag on a known path).
        restarts => "sctp_restarts",
        /// Paths pushed out of the full table.
        evicted => "sctp_paths_evicted",
    }
}

/// The paths of every association one worker sees, within a fixed number.
pub(crate) struct Associations {
    paths: BoundedMap<Path, PathState>,
    by_tag: BoundedMap<TagKey, Path>,
    /// Keys the chunk digests: a sender who cannot learn the key cannot make a different
    /// chunk that passes for a retransmission of the first (a CRC could be forged).
    digest_key: foldhash::quality::RandomState,
    stats: AssocStats,
}

impl core::fmt::Debug for Associations {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Associations")
            .field("paths", &self.paths.len())
            .field("stats", &self.stats)
            .finish()
    }
}

/// What the table says of a packet carrying DATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admit {
    /// Read it. `window` is where the direction's TSN window is (the path's own, or the
    /// first path's of a multihomed direction), valid until the table changes; `first` is
    /// that path, which names the direction for reassembly.
    Known { window: u32, first: Path },
    /// Its CRC32c is wrong where the receiver checks it.
    BadCrc,
    /// It carries another tag than its path's.
    BadTag,
}

impl Associations {
    /// A table of at most `capacity` paths.
    pub(crate) fn new(capacity: usize) -> Self {
        Associations {
            paths: BoundedMap::new(capacity),
            by_tag: BoundedMap::new(capacity),
            digest_key: foldhash::quality::RandomState::default(),
            stats: AssocStats::default(),
        }
    }

    /// Forget every association (counters stay): what follows is a new capture.
    pub(crate) fn forget(&mut self) {
        self.paths.clear();
        self.by_tag.clear();
    }

    /// Counters so far.
    pub(crate) fn stats(&self) -> AssocStats {
        let mut s = self.stats;
        s.evicted = self.paths.evictions();
        s
    }

    /// The digest a chunk is remembered by: its flags and value (TSN, stream, sequence
    /// number, PPID, data).
    #[inline]
    pub(crate) fn digest(&self, flags: u8, value: &[u8]) -> u32 {
        use core::hash::BuildHasher;
        self.digest_key.hash_one((flags, value)) as u32
    }

    /// Check a packet that carries no DATA: only its checksum, by the standing of its path
    /// when known (nothing is learnt from it). Whether the receiver takes it.
    pub(crate) fn admit_control(
        &mut self,
        path: &Path,
        mode: ChecksumMode,
        integrity: &mut IntegrityStats,
        ok: impl FnOnce() -> bool,
    ) -> bool {
        let check = match self.paths.get_mut(path) {
            Some(p) => p.standing.check(mode, integrity, ok),
            None => Standing::first(mode, integrity, ok).1,
        };
        if check == Check::Reject {
            self.stats.bad_crc += 1;
            return false;
        }
        true
    }

    /// Check a packet that carries DATA, in this order: its checksum (by its path's
    /// standing, or, on a new path, by the standing of the direction it would join), then its
    /// tag. A known path must carry its tag; a new one is learnt with the packet's, and joins
    /// a direction with the same ports and tag on other addresses (multihoming). A packet
    /// that fails changes nothing but the path's checksum standing.
    #[inline]
    pub(crate) fn admit(
        &mut self,
        path: Path,
        vtag: u32,
        mode: ChecksumMode,
        integrity: &mut IntegrityStats,
        ok: impl FnOnce() -> bool,
    ) -> Admit {
        let Some(slot) = self.paths.slot(&path) else {
            return self.learn(path, vtag, mode, integrity, ok);
        };
        let Some(p) = self.paths.at_mut(slot) else {
            return Admit::BadTag;
        };
        if p.standing.check(mode, integrity, ok) == Check::Reject {
            self.stats.bad_crc += 1;
            return Admit::BadCrc;
        }
        if !p.takes(vtag) {
            self.stats.bad_vtag += 1;
            return Admit::BadTag;
        }
        let Some(first) = p.alias else {
            return Admit::Known {
                window: slot,
                first: path,
            };
        };
        match self.paths.slot(&first) {
            Some(window) => Admit::Known { window, first },
            None => {
                // The direction's first path was pushed out: this one takes its place.
                if let Some(p) = self.paths.at_mut(slot) {
                    p.alias = None;
                }
                self.by_tag.insert(tag_key(&path, vtag), path);
                Admit::Known {
                    window: slot,
                    first: path,
                }
            }
        }
    }

    /// A path seen for the first time, mid-association.
    #[cold]
    #[inline(never)]
    fn learn(
        &mut self,
        path: Path,
        vtag: u32,
        mode: ChecksumMode,
        integrity: &mut IntegrityStats,
        ok: impl FnOnce() -> bool,
    ) -> Admit {
        let tag = tag_key(&path, vtag);
        let joins = self
            .by_tag
            .peek(&tag)
            .copied()
            .filter(|first| *first != path);
        let standing = joins
            .and_then(|first| self.paths.peek(&first))
            .map_or_else(Standing::default, |p| p.standing);
        let mut standing = standing;
        if standing.check(mode, integrity, ok) == Check::Reject {
            self.stats.bad_crc += 1;
            return Admit::BadCrc;
        }
        let alias = joins.filter(|first| self.paths.contains_key(first));
        if alias.is_some() {
            self.stats.multihomed_paths += 1;
        } else {
            self.by_tag.insert(tag, path);
        }
        self.paths
            .insert(path, PathState::new(vtag, standing, alias));
        if let Some(first) = alias {
            if let Some(window) = self.paths.slot(&first) {
                return Admit::Known { window, first };
            }
            // The first path was pushed out to make room for this one: it takes its place.
            if let Some(p) = self.paths.get_mut(&path) {
                p.alias = None;
            }
            self.by_tag.insert(tag, path);
        }
        match self.paths.slot(&path) {
            Some(window) => Admit::Known {
                window,
                first: path,
            },
            None => Admit::BadTag,
        }
    }

    /// An INIT or INIT-ACK sent on `path` (its checksum passed): its sender will take
    /// packets carrying `initiate_tag` on the reverse paths (from the receiver's addresses to
    /// each of `own_addresses`, the sender's; the path's own addresses always), and its own
    /// TSNs on `path` start at `initial_tsn`. A path that had another tag is restarted, and
    /// keeps taking the old one too (see [`PathState::previous`]).
    pub(crate) fn handshake(
        &mut self,
        path: Path,
        initiate_tag: u32,
        initial_tsn: u32,
        own_addresses: &[IpAddr],
    ) {
        // The sender's own direction: its TSN space starts here.
        if let Some(p) = self.paths.get_mut(&path) {
            if p.alias.is_none() {
                p.window = Window::starting_at(initial_tsn);
            }
        }
        // The reverse direction, on every pair of the two ends' addresses.
        let first = Path {
            src: path.dst,
            dst: path.src,
            src_port: path.dst_port,
            dst_port: path.src_port,
        };
        self.by_tag.insert(tag_key(&first, initiate_tag), first);
        let mut restarted = false;
        self.tag_path(first, initiate_tag, None, &mut restarted);
        for &to in own_addresses.iter().take(MAX_LISTED_ADDRESSES) {
            if to == first.dst || to.is_ipv4() != first.src.is_ipv4() {
                continue;
            }
            self.tag_path(
                Path { dst: to, ..first },
                initiate_tag,
                Some(first),
                &mut restarted,
            );
        }
        if restarted {
            self.stats.restarts += 1;
        }
    }

    /// Give `path` the tag a handshake named; a path that had another is restarted.
    fn tag_path(&mut self, path: Path, vtag: u32, alias: Option<Path>, restarted: &mut bool) {
        if let Some(p) = self.paths.get_mut(&path) {
            if p.vtag != vtag {
                *restarted = true;
                p.previous = p.vtag;
                p.vtag = vtag;
                p.window = Window::fresh();
            }
            p.alias = alias;
            return;
        }
        let standing = alias
            .and_then(|a| self.paths.peek(&a))
            .map_or_else(Standing::default, |p| p.standing);
        self.paths
            .insert(path, PathState::new(vtag, standing, alias));
    }

    /// Record a DATA or I-DATA chunk's TSN, with its digest, in `window` (as
    /// [`Associations::admit`] gave it for the packet).
    #[inline]
    pub(crate) fn record(&mut self, window: u32, tsn: u32, digest: u32) -> Tsn {
        let Some(p) = self.paths.at_mut(window) else {
            return Tsn::New;
        };
        let t = p.window.record(tsn, digest);
        match t {
            Tsn::New => {}
            Tsn::Repeated => self.stats.repeated += 1,
            Tsn::Conflicting => self.stats.conflicting += 1,
        }
        t
    }
}

fn tag_key(path: &Path, vtag: u32) -> TagKey {
    TagKey {
        src_port: path.src_port,
        dst_port: path.dst_port,
        vtag,
    }
}

/// The most addresses of one end taken from an INIT or INIT-ACK.
const MAX_LISTED_ADDRESSES: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn path(a: u8, b: u8) -> Path {
        Path {
            src: IpAddr::from([10, 0, 0, a]),
            dst: IpAddr::from([10, 0, 0, b]),
            src_port: 2905,
            dst_port: 2905,
        }
    }

    #[test]
    fn repeats_conflicts_reordering_and_wrap() {
        let mut w = Window::starting_at(100);
        assert_eq!(w.record(100, 1), Tsn::New);
        assert_eq!(w.record(100, 1), Tsn::Repeated);
        assert_eq!(w.record(100, 2), Tsn::Conflicting);
        assert_eq!(w.record(102, 3), Tsn::New);
        assert_eq!(w.record(101, 4), Tsn::New, "late but new");
        assert_eq!(w.record(101, 4), Tsn::Repeated);
        assert_eq!(w.record(100 + 500, 5), Tsn::New, "a jump");
        assert_eq!(w.record(102, 3), Tsn::New, "too old to know");
        let mut w = Window::starting_at(u32::MAX);
        assert_eq!(w.record(u32::MAX, 9), Tsn::New);
        assert_eq!(w.record(0, 8), Tsn::New);
        assert_eq!(w.record(u32::MAX, 9), Tsn::Repeated);
    }

    #[test]
    fn a_fresh_window_starts_at_its_first_tsn_wherever_it_lies() {
        for first in [0, 7, 0x8000_0001, u32::MAX] {
            let mut w = Window::fresh();
            assert_eq!(w.record(first, 1), Tsn::New);
            assert_eq!(w.record(first.wrapping_add(1), 2), Tsn::New);
            assert_eq!(w.record(first, 1), Tsn::Repeated, "first TSN {first}");
        }
    }

    fn admit(a: &mut Associations, p: Path, vtag: u32) -> Admit {
        let mut st = IntegrityStats::default();
        a.admit(p, vtag, ChecksumMode::Verify, &mut st, || true)
    }

    /// The window a path's packets use (by the slot of the path that owns it).
    fn window(a: &mut Associations, p: Path) -> Admit {
        Admit::Known {
            window: a.paths.slot(&p).unwrap(),
            first: p,
        }
    }

    #[test]
    fn a_path_keeps_its_tag() {
        let mut a = Associations::new(16);
        let first = admit(&mut a, path(1, 2), 7);
        assert_eq!(first, window(&mut a, path(1, 2)));
        assert_eq!(admit(&mut a, path(1, 2), 8), Admit::BadTag);
        assert_eq!(admit(&mut a, path(1, 2), 7), first);
        assert_eq!(a.stats().bad_vtag, 1);
        // The other direction has its own tag.
        let other = admit(&mut a, path(2, 1), 8);
        assert_eq!(other, window(&mut a, path(2, 1)));
        assert_ne!(other, first);
    }

    #[test]
    fn a_bad_checksum_teaches_nothing() {
        let mut a = Associations::new(16);
        let mut st = IntegrityStats::default();
        // A decoy with a wrong CRC on a path never seen: under `verify`, refused and not
        // learnt, so the real tag is taken afterwards.
        let decoy = a.admit(path(1, 2), 666, ChecksumMode::Verify, &mut st, || false);
        assert_eq!(decoy, Admit::BadCrc);
        assert_eq!(admit(&mut a, path(1, 2), 7), window(&mut a, path(1, 2)));
        // Under `auto`, a path that passed refuses a failing packet before its tag is read.
        let d = a.admit(path(1, 2), 7, ChecksumMode::Auto, &mut st, || false);
        assert_eq!(d, Admit::BadCrc);
        assert_eq!(a.stats().bad_crc, 2);
        assert_eq!(a.stats().bad_vtag, 0);
    }

    #[test]
    fn the_handshake_sets_tags_and_windows_on_every_path() {
        let mut a = Associations::new(16);
        // INIT from .1 to .2, listing .1 and .3: packets to .1 or .3 carry 0x1111.
        let own = [IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 3])];
        a.handshake(path(1, 2), 0x1111, 500, &own);
        assert_eq!(admit(&mut a, path(2, 1), 0x2222), Admit::BadTag);
        let first = admit(&mut a, path(2, 1), 0x1111);
        assert_eq!(first, window(&mut a, path(2, 1)));
        let second = admit(&mut a, path(2, 3), 0x1111);
        assert_eq!(second, first);
        assert_eq!(admit(&mut a, path(2, 3), 0x2222), Admit::BadTag);
        // A chunk seen on one path is a repeat on the other.
        let Admit::Known { window: w, .. } = first else {
            panic!()
        };
        assert_eq!(a.record(w, 40, 1), Tsn::New);
        let Admit::Known { window: w2, .. } = admit(&mut a, path(2, 3), 0x1111) else {
            panic!()
        };
        assert_eq!(a.record(w2, 40, 1), Tsn::Repeated);
        // A restart with another tag: both tags are taken from then on, the TSNs start over.
        a.handshake(path(1, 2), 0x3333, 1, &own);
        assert_eq!(a.stats().restarts, 1);
        assert!(matches!(
            admit(&mut a, path(2, 1), 0x1111),
            Admit::Known { .. }
        ));
        assert!(matches!(
            admit(&mut a, path(2, 1), 0x3333),
            Admit::Known { .. }
        ));
        assert_eq!(admit(&mut a, path(2, 1), 0x4444), Admit::BadTag);
        let Admit::Known { window: w, .. } = admit(&mut a, path(2, 1), 0x3333) else {
            panic!()
        };
        assert_eq!(
            a.record(w, 40, 2),
            Tsn::New,
            "a new association's TSN space"
        );
    }

    #[test]
    fn mid_association_paths_with_the_same_ports_and_tag_share_a_window() {
        let mut a = Associations::new(16);
        let first = admit(&mut a, path(1, 2), 9);
        assert_eq!(admit(&mut a, path(3, 4), 9), first);
        assert_eq!(a.stats().multihomed_paths, 1);
        // Another tag on other addresses is another association.
        assert_ne!(admit(&mut a, path(5, 6), 10), first);
    }

    #[test]
    fn an_alias_outlives_its_first_path() {
        let mut a = Associations::new(2);
        let _ = admit(&mut a, path(1, 2), 9);
        let _ = admit(&mut a, path(3, 4), 9);
        // A third path pushes the first out; the alias must still be read.
        let _ = admit(&mut a, path(3, 4), 9);
        let _ = admit(&mut a, path(7, 8), 5);
        assert_eq!(admit(&mut a, path(3, 4), 9), window(&mut a, path(3, 4)));
    }

    #[test]
    fn digests_tell_contents_apart() {
        let a = Associations::new(1);
        assert_eq!(a.digest(3, b"abc"), a.digest(3, b"abc"));
        assert_ne!(a.digest(3, b"abc"), a.digest(3, b"abd"));
        assert_ne!(a.digest(3, b"abc"), a.digest(2, b"abc"));
    }
}
