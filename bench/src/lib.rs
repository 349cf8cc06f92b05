//! Inputs shared by sigwatch's benchmarks: realistic frames from siggen, and where each
//! protocol layer sits in them, so that every layer can be measured alone; one worker run
//! alone ([`Worker`]).
//!
//! **Owns**: measuring: criterion benches, the instruction-count harness (`examples/ir.rs`),
//! the end-to-end and DPDK harnesses (`src/bin`).
//!
//! **Must not**: be depended on by anything but itself, or time anything inside a test.

use std::ops::Range;

use decoder::link::{parse_link_ethernet, LinkType};
use decoder::m3ua::{parse_m3ua_message, parse_m3ua_transfer};
use decoder::sccp::{parse_sccp_message, Message as Sccp};
use decoder::sctp::{parse_sctp_data_chunk, parse_sctp_packet, Ppid};
use decoder::stack::{FrameContext, FrameDecoder, Message};
use decoder::tcap::{parse_tcap_message, Tcap};

/// The link type of siggen's frames.
pub const LINK: LinkType = LinkType::ETHERNET;

/// Decode `frames` (numbered from 1) with `dec`, handing each message and its frame to `on`;
/// returns the messages.
#[inline]
pub fn decode_frames(
    dec: &mut FrameDecoder,
    frames: &[(u64, Vec<u8>)],
    on: &mut impl FnMut(FrameContext, &Message<'_>),
) -> u64 {
    let mut n = 0;
    for (i, (ts, f)) in frames.iter().enumerate() {
        let ctx = FrameContext {
            number: i as u64 + 1,
            ts_ns: *ts,
        };
        dec.decode(ctx, LINK, f, &mut |m: &Message<'_>| {
            on(ctx, m);
            n += 1;
        });
    }
    n
}

/// The policy siggen's load frames are judged by (siggen's `load.toml`): what every
/// benchmark of classification builds its engine from.
pub fn load_policy() -> Result<rules::policy::Policy, rules::policy::PolicyError> {
    rules::policy::Policy::parse("load.toml", &siggen::net::policy_toml())
}

/// `n` load frames (MAP over M3UA and Diameter over SCTP, 64 associations) with capture times.
pub fn load_frames(n: usize) -> Vec<(u64, Vec<u8>)> {
    let mut load = siggen::load::Load::new(1, 1_000);
    (0..n)
        .map(|_| {
            let mut buf = Vec::with_capacity(256);
            let ts = load.next_frame(&mut buf);
            (ts, buf)
        })
        .collect()
}

/// Where each layer of one frame starts and ends.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// The IP packet.
    pub ip: Range<usize>,
    /// The SCTP packet.
    pub sctp: Range<usize>,
    /// The first DATA chunk's user data (M3UA or Diameter).
    pub user: Range<usize>,
    /// The SCCP message (MAP frames).
    pub sccp: Option<Range<usize>>,
    /// The TCAP message (MAP frames).
    pub tcap: Option<Range<usize>>,
    /// Whether the user data is Diameter.
    pub diameter: bool,
}

fn range(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

/// The layers of a frame of siggen's load (Ethernet, IPv4, SCTP with one DATA chunk, then
/// M3UA/SCCP/TCAP or Diameter); `None` for anything else.
pub fn layers(frame: &[u8]) -> Option<Layers> {
    let link = parse_link_ethernet(frame).ok()?;
    let ip = decoder::ip::parse_ipv4_packet(link.payload).ok()?;
    let (_, mut chunks) = parse_sctp_packet(ip.payload).ok()?;
    let chunk = chunks.next()?.ok()?;
    let data = parse_sctp_data_chunk(&chunk).ok()?;
    let mut l = Layers {
        ip: range(frame, link.payload),
        sctp: range(frame, ip.payload),
        user: range(frame, data.data),
        ..Layers::default()
    };
    if data.ppid == Ppid::DIAMETER {
        l.diameter = true;
        return Some(l);
    }
    let (_, m3ua) = parse_m3ua_message(data.data).ok()?;
    let transfer = parse_m3ua_transfer(&m3ua).ok()?;
    let Sccp::Unitdata(u) = parse_sccp_message(transfer.data.data).ok()? else {
        return None;
    };
    let Tcap::Itu(_) = parse_tcap_message(u.data).ok()? else {
        return None;
    };
    l.sccp = Some(range(frame, transfer.data.data));
    l.tcap = Some(range(frame, u.data));
    Some(l)
}

/// One worker of the pipeline, alone: its core (decoder, classifier, shard) wired to a shard
/// ring of its own and a collector channel that nobody reads, for measuring a worker's whole
/// batch (decode, classify, shard, verdicts out).
pub struct Worker<'e> {
    core: probe::worker::Core<'e>,
    /// The collector's end, kept so that the worker's sends succeed.
    _collector: crossbeam_channel::Receiver<probe::worker::ToCollector>,
}

impl<'e> Worker<'e> {
    /// A worker for `engine`.
    pub fn new(engine: &'e rules::engine::Engine) -> Self {
        let (mut to, mut from) = probe::worker::shard_rings(1);
        let (tx, rx) = crossbeam_channel::unbounded();
        let (_, spare) = crossbeam_channel::bounded(16);
        let wiring = probe::worker::Wiring {
            to: to.remove(0),
            from: from.remove(0),
            collector: tx,
            spare,
        };
        Worker {
            core: probe::worker::Core::new(0, engine, &Default::default(), wiring),
            _collector: rx,
        }
    }

    /// Run the worker over `frames` until they end: 256 frames a poll, a watermark after each.
    pub fn run(self, frames: &[(u64, Vec<u8>)]) {
        self.core.run(&mut Memory { frames, next: 0 });
    }
}

impl core::fmt::Debug for Worker<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

/// The frames of a buffer, 256 to a poll, with a watermark after each poll.
struct Memory<'f> {
    frames: &'f [(u64, Vec<u8>)],
    next: usize,
}

impl probe::source::FrameInput for Memory<'_> {
    fn poll(&mut self, f: &mut dyn FnMut(probe::source::FrameRef<'_>)) -> probe::source::Polled {
        let end = (self.next + 256).min(self.frames.len());
        for (i, (ts, data)) in self.frames[self.next..end].iter().enumerate() {
            f(probe::source::FrameRef {
                number: (self.next + i + 1) as u64,
                order: (self.next + i + 1) as u64,
                ts_ns: *ts,
                linktype: LINK,
                data,
                restart: false,
            });
        }
        let polled = probe::source::Polled {
            frames: end - self.next,
            watermark: end as u64,
            watermark_ts: self.frames.get(end.wrapping_sub(1)).map_or(0, |f| f.0),
            done: end == self.frames.len(),
        };
        self.next = end;
        polled
    }
}

/// `n` Diameter ULRs over one TCP connection, every other one split over two segments.
pub fn diameter_tcp_frames(n: usize) -> Vec<Vec<u8>> {
    use decoder::diameter::CommandCode;
    use siggen::net::{home_sub, HOME, ROAMING};
    use siggen::wire::{Bearer, Dir, Link, LinkOptions};
    let peer = ROAMING[0];
    let opts = LinkOptions {
        split_tcp: true,
        ..LinkOptions::default()
    };
    let mut link = Link::new(HOME.ip, peer.ip, Bearer::DiameterTcp, opts, 1);
    let mut frames = Vec::new();
    for i in 0..n {
        let (imsi, _) = home_sub(i as u64);
        let d = peer.s6a_request(CommandCode::UPDATE_LOCATION, true, i as u32, &imsi);
        frames.extend(link.diameter(Dir::In, &d));
    }
    frames
}
