use core::net::IpAddr;

use arrayvec::ArrayVec;

use super::Segment;
use crate::integrity::{Check, ChecksumMode, IntegrityStats, Standing};
use crate::table::BoundedMap;

/// Limits of TCP stream reassembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLimits {
    /// Stream directions tracked at once; a new one beyond this evicts the least recently used.
    pub max_streams: usize,
    /// Out-of-order segments held per direction before the missing bytes are given up.
    pub(crate) max_ooo_segments: usize,
    /// Out-of-order bytes held per direction before the missing bytes are given up.
    pub(crate) max_ooo_bytes: usize,
    /// Bytes buffered over all streams (partial messages and out-of-order data).
    pub max_total_bytes: usize,
    /// How long a hole in the stream is waited for (capture time) before it is skipped.
    pub(crate) gap_timeout_ns: u64,
    /// A direction idle this long (capture time) is forgotten.
    pub(crate) idle_timeout_ns: u64,
}

impl Default for TcpLimits {
    fn default() -> Self {
        TcpLimits {
            max_streams: 8192,
            max_ooo_segments: 64,
            max_ooo_bytes: 256 * 1024,
            max_total_bytes: 64 * 1024 * 1024,
            gap_timeout_ns: 2_000_000_000,
            idle_timeout_ns: 600_000_000_000,
        }
    }
}

crate::counters! {
    /// What reassembly did, for the report.
    pub struct TcpStats {
        /// Segments with payload taken in.
        segments => "tcp_segments",
        /// Messages cut from streams.
        messages => "tcp_messages",
        /// Segments (or parts) seen before: retransmissions.
        retransmitted => "tcp_retransmitted",
        /// Segments held because an earlier one was missing.
        out_of_order => "tcp_out_of_order",
        /// Holes given up on: the missing bytes were never seen.
        gaps => "tcp_gaps",
        /// Bytes skipped to find the next message boundary (after a gap, or mid-stream start).
        resync_bytes => "tcp_resync_bytes",
        /// Stream directions pushed out because the table or the byte budget was full.
        evicted => "tcp_evicted",
        /// Stream directions forgotten after being idle.
        expired => "tcp_expired",
        /// Segments that repeat bytes already taken with other bytes (an evasion).
        conflicts => "tcp_overlap_conflicts",
        /// Segments whose checksum is wrong where the receiver checks it.
        bad_checksum => "tcp_bad_checksum_segments",
    }
}

/// Bytes of each direction's stream kept after they were read, to compare retransmissions
/// with: a retransmission that carries other bytes than the first copy is an evasion.
const HISTORY: usize = 2048;

/// One direction of a TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FlowKey {
    /// Source address.
    pub(crate) src: IpAddr,
    /// Destination address.
    pub(crate) dst: IpAddr,
    /// Source port.
    pub(crate) src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
}

/// What a framing function says about the bytes at a candidate message boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameLen {
    /// A message of this many bytes starts here.
    Message(usize),
    /// Too few bytes to tell; at least this many are needed.
    Need(usize),
    /// No message can start here.
    Invalid,
}

struct Stream {
    next_seq: u32,
    /// Unframed bytes ending at `next_seq`, from `start`.
    buf: Vec<u8>,
    start: usize,
    /// `buf[start]` is a message boundary.
    synced: bool,
    /// Segments beyond `next_seq`, sorted by sequence number.
    ooo: Vec<(u32, Vec<u8>)>,
    ooo_bytes: usize,
    ooo_since_ns: u64,
    last_ns: u64,
    /// The last bytes read (at most [`HISTORY`] of them), ending at `next_seq`.
    history: Vec<u8>,
    /// Its checksums' standing.
    standing: Standing,
    /// Byte ranges skipped as lost (see [`TcpReassembler::push`]), most recent last: a
    /// segment that turns up inside one later is read on its own.
    holes: ArrayVec<(u32, u32), MAX_HOLES>,
}

/// Holes remembered per direction.
const MAX_HOLES: usize = 4;

impl Stream {
    fn pending(&self) -> usize {
        self.buf.len() - self.start
    }
}

/// Cuts TCP byte streams into messages, per direction, within [`TcpLimits`].
///
/// Messages that lie whole inside one in-order segment are handed out straight from the
/// segment, without a copy; only partial messages and out-of-order data are buffered.
pub(crate) struct TcpReassembler {
    limits: TcpLimits,
    table: BoundedMap<FlowKey, Stream>,
    total_bytes: usize,
    spare: Vec<Vec<u8>>,
    stats: TcpStats,
    last_was_duplicate: bool,
    last_was_conflict: bool,
    /// The standing [`TcpReassembler::admit`] gave a direction not yet in the table, for
    /// the stream the same segment then creates.
    first_standing: Standing,
}

/// What one segment did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TcpPush {
    /// Messages it completed.
    pub(crate) messages: u32,
    /// All its bytes had been seen before (a retransmission).
    pub(crate) duplicate: bool,
    /// Bytes it repeats differ from those read first: the segment is a conflicting copy.
    pub(crate) conflict: bool,
}

impl core::fmt::Debug for TcpReassembler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TcpReassembler")
            .field("streams", &self.table.len())
            .field("buffered_bytes", &self.total_bytes)
            .field("stats", &self.stats)
            .finish()
    }
}

fn seq_diff(a: u32, b: u32) -> i64 {
    i64::from(a.wrapping_sub(b) as i32)
}

impl TcpReassembler {
    /// Forget every flow in progress (counters stay): what follows is a new capture.
    pub(crate) fn forget(&mut self) {
        self.table.clear();
        self.total_bytes = 0;
    }

    /// An empty reassembler.
    pub(crate) fn new(limits: TcpLimits) -> Self {
        TcpReassembler {
            limits,
            table: BoundedMap::new(limits.max_streams),
            total_bytes: 0,
            spare: Vec::new(),
            stats: TcpStats::default(),
            last_was_duplicate: false,
            last_was_conflict: false,
            first_standing: Standing::default(),
        }
    }

    /// Counters so far.
    pub(crate) fn stats(&self) -> TcpStats {
        self.stats
    }

    /// Stream directions tracked now.
    #[cfg(test)]
    pub(crate) fn streams(&self) -> usize {
        self.table.len()
    }

    /// Bytes buffered now over all streams.
    #[cfg(test)]
    pub(crate) fn buffered_bytes(&self) -> usize {
        self.total_bytes
    }

    /// Check a segment's checksum (`ok` computes it) by its direction's standing, before
    /// anything about it is remembered; a segment the receiver drops is counted.
    pub(crate) fn admit(
        &mut self,
        key: &FlowKey,
        mode: ChecksumMode,
        integrity: &mut IntegrityStats,
        ok: impl FnOnce() -> bool,
    ) -> Check {
        let check = match self.table.get_mut(key) {
            Some(st) => st.standing.check(mode, integrity, ok),
            None => {
                let (standing, check) = Standing::first(mode, integrity, ok);
                self.first_standing = standing;
                check
            }
        };
        if check == Check::Reject {
            self.stats.bad_checksum += 1;
        }
        check
    }

    /// Take in one segment of the direction `key`; `frame` finds message boundaries, and
    /// `on_message` receives each message completed.
    pub(crate) fn push(
        &mut self,
        now_ns: u64,
        key: FlowKey,
        seg: &Segment<'_>,
        frame: impl Fn(&[u8]) -> FrameLen,
        mut on_message: impl FnMut(&[u8]),
    ) -> TcpPush {
        self.expire(now_ns);
        let mut n = 0;
        let syn = seg.flags & Segment::SYN != 0;
        if syn {
            // A SYN fixes the initial sequence number: the first payload byte is a boundary.
            self.ensure_stream(now_ns, key, seg.seq.wrapping_add(1));
            if let Some(st) = self.table.get_mut(&key) {
                let freed = reset(st, seg.seq.wrapping_add(1), true, &mut self.spare);
                self.total_bytes = self.total_bytes.saturating_sub(freed);
            }
            return TcpPush::default();
        }
        let mut duplicate = false;
        let mut conflict = false;
        if !seg.payload.is_empty() {
            self.stats.segments += 1;
            n = self.data(now_ns, key, seg.seq, seg.payload, &frame, &mut on_message);
            duplicate = self.last_was_duplicate;
            conflict = self.last_was_conflict;
        }
        if seg.flags & (Segment::FIN | Segment::RST) != 0 {
            if let Some(st) = self.table.remove(&key) {
                self.release(st);
            }
        }
        self.enforce_budget(key);
        TcpPush {
            messages: n,
            duplicate,
            conflict,
        }
    }

    /// Make sure `key` has a stream (starting at `seq` if new) and mark it used.
    fn ensure_stream(&mut self, now_ns: u64, key: FlowKey, seq: u32) {
        let spare = &mut self.spare;
        let standing = core::mem::take(&mut self.first_standing);
        let (st, evicted) = self.table.get_or_insert_with(key, || Stream {
            next_seq: seq,
            buf: spare.pop().unwrap_or_default(),
            start: 0,
            synced: false,
            ooo: Vec::new(),
            ooo_bytes: 0,
            ooo_since_ns: 0,
            last_ns: now_ns,
            history: Vec::new(),
            standing,
            holes: ArrayVec::new(),
        });
        st.last_ns = now_ns;
        if let Some((_, old)) = evicted {
            self.stats.evicted += 1;
            self.total_bytes = self
                .total_bytes
                .saturating_sub(old.pending() + old.ooo_bytes);
            recycle(&mut self.spare, old);
        }
    }

    fn data(
        &mut self,
        now_ns: u64,
        key: FlowKey,
        seq: u32,
        payload: &[u8],
        frame: &impl Fn(&[u8]) -> FrameLen,
        on_message: &mut impl FnMut(&[u8]),
    ) -> u32 {
        let limits = self.limits;
        self.last_was_duplicate = false;
        self.last_was_conflict = false;
        let mut stats = TcpStats::default();
        let mut n = 0;
        self.ensure_stream(now_ns, key, seq);
        let Some(st) = self.table.get_mut(&key) else {
            return 0;
        };
        let before = st.pending() + st.ooo_bytes;
        let spare = &mut self.spare;
        // Each pass either finishes or skips a hole, which takes at least one held segment
        // off the out-of-order list, so this ends.
        loop {
            let d = seq_diff(seq, st.next_seq);
            if d > 0 && st.pending() == 0 && st.ooo.is_empty() && starts_message(payload, frame) {
                // What a tap lost: the stream stopped at a message boundary and this segment
                // starts a message, so it is read now, as a dissector reads it, rather than
                // after a wait for bytes that may never come. Should the missing bytes turn
                // up late, they are read on their own (`holes`).
                stats.gaps += 1;
                if st.holes.is_full() {
                    st.holes.remove(0);
                }
                st.holes.push((st.next_seq, seq));
                st.history.clear();
                st.next_seq = seq;
                st.synced = true;
                continue;
            }
            if d > 0 {
                let fits = st.ooo.len() < limits.max_ooo_segments
                    && st.ooo_bytes + payload.len() <= limits.max_ooo_bytes;
                if !fits && !st.ooo.is_empty() {
                    // No room to wait any longer: skip the hole, then look at the segment again.
                    stats.gaps += 1;
                    skip_gap(st);
                    n += drain_ooo(st, frame, on_message, &mut stats, spare);
                    continue;
                }
                stats.out_of_order += 1;
                if st.ooo.is_empty() {
                    st.ooo_since_ns = now_ns;
                }
                if fits {
                    let pos = st.ooo.partition_point(|(s, _)| seq_diff(*s, seq) < 0);
                    match st.ooo.get(pos) {
                        Some((s, held)) if *s == seq => {
                            // The first copy is kept, as receivers keep it.
                            let n = held.len().min(payload.len());
                            self.last_was_conflict = held[..n] != payload[..n];
                        }
                        _ => {
                            let mut v = spare.pop().unwrap_or_default();
                            v.extend_from_slice(payload);
                            st.ooo.insert(pos, (seq, v));
                            st.ooo_bytes += payload.len();
                        }
                    }
                } else {
                    // Larger than the whole out-of-order budget: treat it as the hole's end.
                    stats.gaps += 1;
                    st.buf.clear();
                    st.history.clear();
                    st.start = 0;
                    st.synced = false;
                    st.next_seq = seq;
                    continue;
                }
                if now_ns.saturating_sub(st.ooo_since_ns) > limits.gap_timeout_ns {
                    stats.gaps += 1;
                    skip_gap(st);
                    n += drain_ooo(st, frame, on_message, &mut stats, spare);
                }
                break;
            }
            let seen = d.unsigned_abs() as usize;
            if take_hole(st, seq, payload.len()) {
                n += read_alone(payload, frame, on_message);
                break;
            }
            self.last_was_conflict = differs_from_history(st, seen, payload);
            if seen >= payload.len() {
                stats.retransmitted += 1;
                self.last_was_duplicate = true;
                break;
            }
            if seen > 0 {
                stats.retransmitted += 1;
            }
            n += append(st, &payload[seen..], frame, on_message, &mut stats);
            n += drain_ooo(st, frame, on_message, &mut stats, spare);
            break;
        }
        let after = st.pending() + st.ooo_bytes;
        self.total_bytes = (self.total_bytes + after).saturating_sub(before);
        let s = &mut self.stats;
        s.messages += u64::from(n);
        s.retransmitted += stats.retransmitted;
        s.out_of_order += stats.out_of_order;
        s.gaps += stats.gaps;
        s.resync_bytes += stats.resync_bytes;
        s.conflicts += u64::from(self.last_was_conflict);
        n
    }

    fn enforce_budget(&mut self, keep: FlowKey) {
        while self.total_bytes > self.limits.max_total_bytes {
            let Some((k, st)) = self.table.pop_lru() else {
                break;
            };
            self.stats.evicted += 1;
            let gone = k == keep;
            self.release(st);
            if gone {
                break;
            }
        }
    }

    fn release(&mut self, st: Stream) {
        self.total_bytes = self.total_bytes.saturating_sub(st.pending() + st.ooo_bytes);
        recycle(&mut self.spare, st);
    }

    fn expire(&mut self, now_ns: u64) {
        let idle = self.limits.idle_timeout_ns;
        while let Some((_, st)) = self
            .table
            .pop_lru_if(|_, s| now_ns.saturating_sub(s.last_ns) > idle)
        {
            self.stats.expired += 1;
            self.release(st);
        }
    }
}

/// Whether `payload` starts with a whole message.
fn starts_message(payload: &[u8], frame: &impl Fn(&[u8]) -> FrameLen) -> bool {
    matches!(frame(payload), FrameLen::Message(len) if len <= payload.len())
}

/// Whether the segment `[seq, seq + len)` lies inside a hole skipped earlier; if so the hole
/// shrinks by it (a hole it splits stays whole, so nothing is read twice as a hole's).
fn take_hole(st: &mut Stream, seq: u32, len: usize) -> bool {
    let end = seq.wrapping_add(len as u32);
    let Some(i) = st
        .holes
        .iter()
        .position(|&(a, b)| seq_diff(seq, a) >= 0 && seq_diff(b, end) >= 0)
    else {
        return false;
    };
    let (a, b) = st.holes[i];
    if seq == a {
        st.holes[i].0 = end;
    } else if end == b {
        st.holes[i].1 = seq;
    }
    if st.holes[i].0 == st.holes[i].1 {
        st.holes.remove(i);
    }
    true
}

/// Read the messages of a segment on its own: from the first offset where one starts, every
/// whole one.
pub(crate) fn read_alone(
    payload: &[u8],
    frame: impl Fn(&[u8]) -> FrameLen,
    on_message: &mut impl FnMut(&[u8]),
) -> u32 {
    let mut n = 0;
    let mut rest = payload;
    while !rest.is_empty() {
        match frame(rest) {
            FrameLen::Message(len) if len <= rest.len() => {
                on_message(&rest[..len]);
                n += 1;
                rest = &rest[len..];
            }
            FrameLen::Invalid => rest = &rest[1..],
            FrameLen::Message(_) | FrameLen::Need(_) => break,
        }
    }
    n
}

/// Whether the first `seen` bytes of `payload`, which the stream read already (they end at
/// `next_seq`), differ from what it read, as far as its history goes back.
fn differs_from_history(st: &Stream, seen: usize, payload: &[u8]) -> bool {
    let repeated = &payload[..seen.min(payload.len())];
    // `repeated` starts `seen` bytes before the end of the history.
    let Some(from) = st.history.len().checked_sub(seen) else {
        let skip = seen - st.history.len();
        return repeated.get(skip..).is_some_and(|r| {
            let n = r.len().min(st.history.len());
            r[..n] != st.history[..n]
        });
    };
    let held = &st.history[from..];
    let n = repeated.len().min(held.len());
    repeated[..n] != held[..n]
}

/// Keep the bytes just read in the stream's history.
fn remember(st: &mut Stream, bytes: &[u8]) {
    let bytes = &bytes[bytes.len().saturating_sub(HISTORY)..];
    if st.history.len() + bytes.len() > 2 * HISTORY {
        let cut = st.history.len() + bytes.len() - HISTORY;
        st.history.drain(..cut.min(st.history.len()));
    }
    st.history.extend_from_slice(bytes);
}

/// Forget a stream's state and start again at `seq`; returns the bytes freed.
fn reset(st: &mut Stream, seq: u32, synced: bool, spare: &mut Vec<Vec<u8>>) -> usize {
    let freed = st.pending() + st.ooo_bytes;
    st.next_seq = seq;
    st.buf.clear();
    st.history.clear();
    st.holes.clear();
    st.start = 0;
    st.synced = synced;
    for (_, v) in st.ooo.drain(..) {
        give_back(spare, v);
    }
    st.ooo_bytes = 0;
    freed
}

/// Give up on the bytes missing before the first held segment: drop the partial message and
/// continue at that segment, looking for the next message boundary.
fn skip_gap(st: &mut Stream) {
    if let Some(&(seq, _)) = st.ooo.first() {
        st.buf.clear();
        st.history.clear();
        st.start = 0;
        st.synced = false;
        st.next_seq = seq;
    }
}

/// Append in-order bytes and cut every complete message.
fn append(
    st: &mut Stream,
    payload: &[u8],
    frame: &impl Fn(&[u8]) -> FrameLen,
    on_message: &mut impl FnMut(&[u8]),
    stats: &mut TcpStats,
) -> u32 {
    st.next_seq = st.next_seq.wrapping_add(payload.len() as u32);
    remember(st, payload);
    let mut n = 0;
    let mut rest = payload;
    if st.pending() == 0 && st.synced {
        // Fast path: cut messages straight out of the segment.
        loop {
            match frame(rest) {
                FrameLen::Message(len) if len <= rest.len() => {
                    on_message(&rest[..len]);
                    n += 1;
                    rest = &rest[len..];
                }
                FrameLen::Message(_) | FrameLen::Need(_) => break,
                FrameLen::Invalid => {
                    st.synced = false;
                    break;
                }
            }
        }
        if rest.is_empty() {
            st.buf.clear();
            st.start = 0;
            return n;
        }
    }
    if st.start > 0 && st.start * 2 >= st.buf.len() {
        st.buf.drain(..st.start);
        st.start = 0;
    }
    st.buf.extend_from_slice(rest);
    n + cut(st, frame, on_message, stats)
}

/// Cut messages from the buffer, resynchronising on the next plausible boundary when needed.
fn cut(
    st: &mut Stream,
    frame: &impl Fn(&[u8]) -> FrameLen,
    on_message: &mut impl FnMut(&[u8]),
    stats: &mut TcpStats,
) -> u32 {
    let mut n = 0;
    loop {
        let pending = &st.buf[st.start..];
        if pending.is_empty() {
            st.buf.clear();
            st.start = 0;
            return n;
        }
        if !st.synced {
            // Find the first offset where a message could start.
            let mut skip = 0;
            let mut found = false;
            while skip < pending.len() {
                match frame(&pending[skip..]) {
                    FrameLen::Invalid => skip += 1,
                    FrameLen::Message(_) => {
                        found = true;
                        break;
                    }
                    // Too short to judge: keep these bytes for the next segment.
                    FrameLen::Need(_) => break,
                }
            }
            stats.resync_bytes += skip as u64;
            st.start += skip;
            if !found {
                return n;
            }
            st.synced = true;
            continue;
        }
        match frame(pending) {
            FrameLen::Message(len) if len <= pending.len() => {
                on_message(&pending[..len]);
                n += 1;
                st.start += len;
            }
            FrameLen::Message(_) | FrameLen::Need(_) => return n,
            FrameLen::Invalid => st.synced = false,
        }
    }
}

/// Move held segments that are now in order into the stream.
fn drain_ooo(
    st: &mut Stream,
    frame: &impl Fn(&[u8]) -> FrameLen,
    on_message: &mut impl FnMut(&[u8]),
    stats: &mut TcpStats,
    spare: &mut Vec<Vec<u8>>,
) -> u32 {
    let mut n = 0;
    while let Some(&(seq, _)) = st.ooo.first() {
        let d = seq_diff(seq, st.next_seq);
        if d > 0 {
            break;
        }
        let (_, data) = st.ooo.remove(0);
        st.ooo_bytes -= data.len();
        let seen = d.unsigned_abs() as usize;
        if seen < data.len() {
            n += append(st, &data[seen..], frame, on_message, stats);
        } else {
            stats.retransmitted += 1;
        }
        give_back(spare, data);
    }
    n
}

fn give_back(spare: &mut Vec<Vec<u8>>, mut v: Vec<u8>) {
    if spare.len() < 256 && v.capacity() <= 64 * 1024 {
        v.clear();
        spare.push(v);
    }
}

fn recycle(spare: &mut Vec<Vec<u8>>, st: Stream) {
    give_back(spare, st.buf);
    give_back(spare, st.history);
    for (_, v) in st.ooo {
        give_back(spare, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy framing: one length byte, then that many bytes; 0xff never starts a message.
    fn toy(b: &[u8]) -> FrameLen {
        match b.first() {
            None => FrameLen::Need(1),
            Some(0xff) => FrameLen::Invalid,
            Some(&n) => FrameLen::Message(usize::from(n) + 1),
        }
    }

    fn key() -> FlowKey {
        FlowKey {
            src: IpAddr::from([10, 0, 0, 1]),
            dst: IpAddr::from([10, 0, 0, 2]),
            src_port: 3868,
            dst_port: 40000,
        }
    }

    fn seg(seq: u32, flags: u8, payload: &[u8]) -> Segment<'_> {
        Segment {
            src_port: 3868,
            dst_port: 40000,
            seq,
            ack: 0,
            flags,
            payload,
            offset: 20,
        }
    }

    fn run(r: &mut TcpReassembler, now: u64, s: Segment<'_>) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        r.push(now, key(), &s, toy, |m| got.push(m.to_vec()));
        got
    }

    #[test]
    fn split_and_coalesced_messages() {
        let mut r = TcpReassembler::new(TcpLimits::default());
        assert!(run(&mut r, 0, seg(99, Segment::SYN, b"")).is_empty());
        assert_eq!(
            run(&mut r, 0, seg(100, 0, &[2, b'a', b'b', 1])),
            vec![vec![2, b'a', b'b']]
        );
        assert_eq!(
            run(&mut r, 0, seg(104, 0, &[b'c', 0, 3])),
            vec![vec![1, b'c'], vec![0]]
        );
        assert_eq!(
            run(&mut r, 0, seg(107, 0, &[1, 2, 3])),
            vec![vec![3, 1, 2, 3]]
        );
        assert_eq!(r.buffered_bytes(), 0);
        assert_eq!(r.stats().messages, 4);
    }

    #[test]
    fn out_of_order_and_retransmission() {
        let mut r = TcpReassembler::new(TcpLimits::default());
        run(&mut r, 0, seg(0, Segment::SYN, b""));
        // A message in progress: what comes after a hole waits for it.
        assert!(run(&mut r, 0, seg(1, 0, &[2, b'a'])).is_empty());
        assert!(run(&mut r, 0, seg(4, 0, &[1, b'y'])).is_empty());
        assert_eq!(r.stats().out_of_order, 1);
        assert_eq!(
            run(&mut r, 0, seg(3, 0, b"b")),
            vec![vec![2, b'a', b'b'], vec![1, b'y']]
        );
        // The same bytes again, and a segment overlapping the end of what was seen.
        assert!(run(&mut r, 0, seg(1, 0, &[2, b'a'])).is_empty());
        assert_eq!(run(&mut r, 0, seg(5, 0, &[b'y', 0])), vec![vec![0]]);
        assert_eq!(r.stats().retransmitted, 2);
        assert_eq!(r.stats().conflicts, 0);
        assert_eq!(r.stats().gaps, 0);
    }

    #[test]
    fn after_a_hole_at_a_boundary_a_message_is_read_at_once_and_the_hole_when_it_comes() {
        let mut r = TcpReassembler::new(TcpLimits::default());
        run(&mut r, 0, seg(0, Segment::SYN, b""));
        assert_eq!(run(&mut r, 0, seg(1, 0, &[0])), vec![vec![0]]);
        // Bytes 2..4 are missing; the segment after them starts a message: read now.
        assert_eq!(run(&mut r, 0, seg(4, 0, &[1, b'y'])), vec![vec![1, b'y']]);
        assert_eq!(r.stats().gaps, 1);
        // They turn up late: read on their own, once.
        assert_eq!(run(&mut r, 0, seg(2, 0, &[1, b'x'])), vec![vec![1, b'x']]);
        assert!(run(&mut r, 0, seg(2, 0, &[1, b'x'])).is_empty());
        assert_eq!(run(&mut r, 0, seg(6, 0, &[0])), vec![vec![0]]);
    }

    #[test]
    fn a_retransmission_with_other_bytes_is_a_conflict() {
        let mut r = TcpReassembler::new(TcpLimits::default());
        run(&mut r, 0, seg(0, Segment::SYN, b""));
        assert_eq!(run(&mut r, 0, seg(1, 0, &[1, b'x'])), vec![vec![1, b'x']]);
        let again = |r: &mut TcpReassembler, s: Segment<'_>| r.push(0, key(), &s, toy, |_| {});
        let same = again(&mut r, seg(1, 0, &[1, b'x']));
        assert!(same.duplicate && !same.conflict);
        let other = again(&mut r, seg(1, 0, &[1, b'Z']));
        assert!(other.duplicate && other.conflict);
        // Overlapping the end of the stream with other bytes, and going on past it.
        let over = again(&mut r, seg(2, 0, &[b'Q', 0]));
        assert!(!over.duplicate && over.conflict);
        assert_eq!(over.messages, 1);
        assert_eq!(r.stats().conflicts, 2);
        // A held segment repeated with other bytes.
        assert!(run(&mut r, 0, seg(4, 0, &[3])).is_empty());
        let held = again(&mut r, seg(20, 0, &[0xff, 1]));
        assert!(!held.conflict);
        let held = again(&mut r, seg(20, 0, &[0xff, 2]));
        assert!(held.conflict);
    }

    #[test]
    fn gap_is_skipped_after_timeout_and_stream_resyncs() {
        let mut r = TcpReassembler::new(TcpLimits {
            gap_timeout_ns: 10,
            ..TcpLimits::default()
        });
        run(&mut r, 0, seg(0, Segment::SYN, b""));
        assert!(run(&mut r, 0, seg(1, 0, &[5, b'a'])).is_empty()); // partial, rest lost
        assert!(run(&mut r, 1, seg(20, 0, &[0xff, 0xff, 1, b'z'])).is_empty());
        let got = run(&mut r, 100, seg(24, 0, &[0]));
        assert_eq!(got, vec![vec![1, b'z'], vec![0]]);
        assert_eq!(r.stats().gaps, 1);
        assert_eq!(r.stats().resync_bytes, 2);
    }

    #[test]
    fn mid_stream_start_resyncs_and_fin_forgets() {
        let mut r = TcpReassembler::new(TcpLimits::default());
        assert_eq!(
            run(&mut r, 0, seg(500, 0, &[0xff, 1, b'q'])),
            vec![vec![1, b'q']]
        );
        assert_eq!(r.streams(), 1);
        run(&mut r, 0, seg(503, Segment::FIN, b""));
        assert_eq!(r.streams(), 0);
    }

    #[test]
    fn byte_budget_evicts() {
        let mut r = TcpReassembler::new(TcpLimits {
            max_total_bytes: 100,
            ..TcpLimits::default()
        });
        run(&mut r, 0, seg(0, Segment::SYN, b""));
        let big = [200u8; 150];
        run(&mut r, 0, seg(1, 0, &big));
        assert_eq!(r.stats().evicted, 1);
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn too_many_held_segments_skip_the_hole() {
        let mut r = TcpReassembler::new(TcpLimits {
            max_ooo_segments: 2,
            ..TcpLimits::default()
        });
        run(&mut r, 0, seg(0, Segment::SYN, b""));
        // A message in progress, never finished: what follows the hole is held.
        run(&mut r, 0, seg(1, 0, &[5, b'a']));
        run(&mut r, 0, seg(10, 0, &[0]));
        run(&mut r, 0, seg(11, 0, &[0]));
        let got = run(&mut r, 0, seg(12, 0, &[0]));
        assert_eq!(got.len(), 3);
        assert_eq!(r.stats().gaps, 1);
        assert_eq!(r.buffered_bytes(), 0);
    }
}
