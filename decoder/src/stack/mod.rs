//! The frame decoder: one captured frame in, the signalling messages it carries (or completes)
//! out, and exactly one classification of the frame: signalling, malformed (with the layer and
//! reason), or other (with a reason). It owns the reassembly state of every layer.

mod emit;
mod flow;
mod message;

pub use emit::{emit_ip_frame, emit_sctp_frame, emit_tcp_frame};
pub use flow::flow_hash;
pub use message::{
    Bearer, DiameterMessage, Evasion, EvasionEvent, Flow, FrameContext, MapMessage, Message, Mtp,
    TcapUser, Transport,
};

use core::fmt;
use core::net::IpAddr;

use crate::diameter;
use crate::error::DecodeError;
use crate::gre::parse_gre_packet;
use crate::integrity::{self, Check, ChecksumMode, IntegrityStats};
use crate::ip::{
    parse_ipv4_packet, parse_ipv6_packet, DefragLimits, DefragStats, Defragmenter, IpPacket,
    IpProtocol,
};
use crate::link::{parse_link, parse_link_ethernet, EtherType, LinkType};
use crate::m2pa::{parse_m2pa_message, Mtp3};
use crate::m2ua::{self, parse_m2ua_message};
use crate::m3ua::{parse_m3ua_message, parse_m3ua_transfer, MessageClass, MessageType};
use crate::map::{is_map_acn, parse_map_parameter_into, OpCode};
use crate::mpls::parse_mpls;
use crate::sccp::{self, parse_sccp_message, Address, SccpLimits, SccpReassembler, SccpStats, Ssn};
use crate::sctp::{
    parse_sctp_data_chunk, parse_sctp_init, parse_sctp_packet, Admit, AssocStats, Associations,
    ChunkType, Path, PayloadProtocol, SctpLimits, SctpReassembler, SctpStats, StreamKey, Tsn,
};
use crate::sua::{self, parse_sua_message};
use crate::tcap::{parse_tcap_message, Components, Tcap};
use crate::tcp::{parse_tcp_segment, read_alone, FlowKey, TcpLimits, TcpReassembler, TcpStats};
use crate::vxlan::{parse_udp, parse_vxlan, PORT_VXLAN};

/// Why a frame that decoded cleanly carried no signalling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OtherReason {
    /// A link type the decoder does not read.
    UnsupportedLink,
    /// Not IP (ARP, LLDP, ...).
    NotIp,
    /// An IP fragment held for reassembly.
    IpFragment,
    /// IP, but neither SCTP nor TCP (UDP, ICMP, ...).
    OtherIp,
    /// SCTP control chunks only (INIT, SACK, HEARTBEAT, ...).
    SctpControl,
    /// SCTP DATA already seen: a retransmission, or the same packet from a second tap.
    SctpRetransmission,
    /// SCTP payload of another protocol (S1AP, X2AP, ...).
    SctpOtherPayload,
    /// TCP without payload on a Diameter port (handshake, acknowledgements).
    TcpControl,
    /// TCP on ports that are not Diameter's.
    TcpOther,
    /// TCP payload already seen: a retransmission, or the same segment from a second tap.
    TcpRetransmission,
    /// Diameter inside TLS or DTLS: encrypted.
    DiameterTls,
    /// M3UA or SUA management (ASPUP, BEAT, DUNA, ...).
    SigtranManagement,
    /// M2PA link status.
    M2paLinkStatus,
    /// MTP3 management or test (SI 0-2) and other MTP3 users (ISUP, ...).
    Mtp3NotSccp,
    /// SCCP management (subsystem 1).
    SccpManagement,
    /// Connection-oriented SCCP.
    SccpConnectionOriented,
    /// ANSI TCAP (T1.114), recognised but not decoded.
    AnsiTcap,
    /// An SCTP CRC32c or a TCP checksum that the receiver would refuse: the packet changed
    /// nothing (see [`crate::integrity`]).
    BadChecksum,
    /// An IPv4 header checksum that the receiver would refuse.
    BadIpChecksum,
    /// An SCTP verification tag that is not its association's: the receiver drops it.
    BadVtag,
}

impl OtherReason {
    /// Every reason.
    pub const ALL: [OtherReason; 20] = [
        OtherReason::UnsupportedLink,
        OtherReason::NotIp,
        OtherReason::IpFragment,
        OtherReason::OtherIp,
        OtherReason::SctpControl,
        OtherReason::SctpRetransmission,
        OtherReason::SctpOtherPayload,
        OtherReason::TcpControl,
        OtherReason::TcpOther,
        OtherReason::TcpRetransmission,
        OtherReason::DiameterTls,
        OtherReason::SigtranManagement,
        OtherReason::M2paLinkStatus,
        OtherReason::Mtp3NotSccp,
        OtherReason::SccpManagement,
        OtherReason::SccpConnectionOriented,
        OtherReason::AnsiTcap,
        OtherReason::BadChecksum,
        OtherReason::BadIpChecksum,
        OtherReason::BadVtag,
    ];

    /// The stable identifier used in reports.
    pub fn name(self) -> &'static str {
        match self {
            OtherReason::UnsupportedLink => "unsupported_link",
            OtherReason::NotIp => "not_ip",
            OtherReason::IpFragment => "ip_fragment",
            OtherReason::OtherIp => "other_ip",
            OtherReason::SctpControl => "sctp_control",
            OtherReason::SctpRetransmission => "sctp_retransmission",
            OtherReason::SctpOtherPayload => "sctp_other_payload",
            OtherReason::TcpControl => "tcp_control",
            OtherReason::TcpOther => "tcp_other",
            OtherReason::TcpRetransmission => "tcp_retransmission",
            OtherReason::DiameterTls => "diameter_tls",
            OtherReason::SigtranManagement => "sigtran_management",
            OtherReason::M2paLinkStatus => "m2pa_link_status",
            OtherReason::Mtp3NotSccp => "mtp3_not_sccp",
            OtherReason::SccpManagement => "sccp_management",
            OtherReason::SccpConnectionOriented => "sccp_connection_oriented",
            OtherReason::AnsiTcap => "ansi_tcap",
            OtherReason::BadChecksum => "bad_checksum",
            OtherReason::BadIpChecksum => "bad_ip_checksum",
            OtherReason::BadVtag => "bad_vtag",
        }
    }

    /// Position in [`OtherReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for OtherReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a frame was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameClass {
    /// It carried signalling (a whole message or a part of one) and decoded cleanly.
    Signaling,
    /// Some layer failed; messages decoded before the failure were still handed out.
    Malformed(DecodeError),
    /// It carried no signalling.
    Other(OtherReason),
}

/// The result of decoding one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameOutcome {
    /// The frame's class.
    pub class: FrameClass,
    /// Messages handed out for this frame.
    pub messages: u32,
}

/// Limits and ports of a [`FrameDecoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecoderConfig {
    /// IP reassembly.
    pub defrag: DefragLimits,
    /// SCTP user-message reassembly.
    pub sctp: SctpLimits,
    /// TCP stream reassembly.
    pub tcp: TcpLimits,
    /// SCCP segment reassembly.
    pub sccp: SccpLimits,
    /// TCP ports on which Diameter is expected (either side).
    pub(crate) diameter_tcp_ports: Vec<u16>,
    /// Whether checksums are verified.
    pub checksums: ChecksumMode,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        DecoderConfig {
            defrag: DefragLimits::default(),
            sctp: SctpLimits::default(),
            tcp: TcpLimits::default(),
            sccp: SccpLimits::default(),
            diameter_tcp_ports: vec![crate::sctp::PORT_DIAMETER],
            checksums: ChecksumMode::default(),
        }
    }
}

/// Reassembly counters of every layer, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecoderStats {
    /// IP reassembly.
    pub ip: DefragStats,
    /// SCTP reassembly.
    pub sctp: SctpStats,
    /// SCTP associations: tags, TSNs, retransmissions and conflicts.
    pub assoc: AssocStats,
    /// Checksums taken unverified.
    pub integrity: IntegrityStats,
    /// TCP reassembly.
    pub tcp: TcpStats,
    /// SCCP reassembly.
    pub sccp: SccpStats,
}

/// How deep tunnels (GRE/ERSPAN, MPLS, VXLAN) may nest.
const MAX_TUNNEL_DEPTH: u8 = 4;
/// The most SIGTRAN or Diameter messages read from one user message.
const MAX_MESSAGES_PER_USER_MESSAGE: usize = 64;

/// Decodes frames into signalling messages, keeping the reassembly state of a flow's layers.
/// One per worker: it is not shared between threads.
pub struct FrameDecoder {
    diameter_ports: Vec<u16>,
    checksums: ChecksumMode,
    integrity: IntegrityStats,
    defrag: Defragmenter,
    sctp: SctpReassembler,
    assoc: Associations,
    tcp: TcpReassembler,
    sccp: SccpReassembler,
    /// Holds a reassembled IP datagram or SCTP message while it is decoded.
    scratch: Vec<u8>,
}

impl fmt::Debug for FrameDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("stats", &self.stats())
            .finish()
    }
}

impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder::new(&DecoderConfig::default())
    }
}

/// The classification being built for one frame: malformed wins over signalling, which wins
/// over other.
#[derive(Debug, Default)]
struct Acc {
    error: Option<DecodeError>,
    signaling: bool,
    other: Option<OtherReason>,
    messages: u32,
}

impl Acc {
    fn fail(&mut self, e: DecodeError) {
        self.error.get_or_insert(e);
    }

    fn other(&mut self, r: OtherReason) {
        self.other.get_or_insert(r);
    }

    fn finish(self) -> FrameOutcome {
        let class = match (self.error, self.signaling, self.other) {
            (Some(e), _, _) => FrameClass::Malformed(e),
            (None, true, _) => FrameClass::Signaling,
            (None, false, Some(r)) => FrameClass::Other(r),
            (None, false, None) => FrameClass::Other(OtherReason::OtherIp),
        };
        FrameOutcome {
            class,
            messages: self.messages,
        }
    }
}

/// Everything about the frame that the layers below IP need.
struct Walk<'f, F> {
    ctx: FrameContext,
    acc: Acc,
    on: &'f mut F,
    /// Set while a conflicting copy is read: its messages carry it.
    evasion: Option<Evasion>,
    /// The IPv4 header checksum of the packet being read is right (or not checked).
    ip_ok: bool,
}

impl<F: FnMut(&Message<'_>)> Walk<'_, F> {
    fn emit(&mut self, m: &Message<'_>) {
        self.acc.messages += 1;
        (self.on)(m);
    }
}

impl FrameDecoder {
    /// A decoder with empty reassembly tables sized by `cfg`.
    pub fn new(cfg: &DecoderConfig) -> Self {
        FrameDecoder {
            diameter_ports: cfg.diameter_tcp_ports.clone(),
            checksums: cfg.checksums,
            integrity: IntegrityStats::default(),
            defrag: Defragmenter::new(cfg.defrag),
            sctp: SctpReassembler::new(cfg.sctp),
            assoc: Associations::new(cfg.sctp.max_associations),
            tcp: TcpReassembler::new(cfg.tcp),
            sccp: SccpReassembler::new(cfg.sccp),
            scratch: Vec::new(),
        }
    }

    /// Forget every flow in progress (fragments, partial messages, TSN windows, TCP streams,
    /// SCCP segments); counters stay. For a capture replayed again from its start.
    pub fn forget_flows(&mut self) {
        self.defrag.forget();
        self.sctp.forget();
        self.assoc.forget();
        self.tcp.forget();
        self.sccp.forget();
    }

    /// Reassembly counters so far.
    pub fn stats(&self) -> DecoderStats {
        DecoderStats {
            ip: self.defrag.stats(),
            sctp: self.sctp.stats(),
            assoc: self.assoc.stats(),
            integrity: self.integrity,
            tcp: self.tcp.stats(),
            sccp: self.sccp.stats(),
        }
    }

    /// Decode one frame, handing each signalling message it carries or completes to `on`.
    pub fn decode<F: FnMut(&Message<'_>)>(
        &mut self,
        ctx: FrameContext,
        linktype: LinkType,
        frame: &[u8],
        on: &mut F,
    ) -> FrameOutcome {
        let mut w = Walk {
            ctx,
            acc: Acc::default(),
            on,
            evasion: None,
            ip_ok: true,
        };
        if !linktype.is_supported() {
            w.acc.other(OtherReason::UnsupportedLink);
            return w.acc.finish();
        }
        match parse_link(linktype, frame) {
            Ok(l) => self.network(&mut w, l.ethertype, l.payload, l.offset, 0),
            Err(e) => w.acc.fail(e),
        }
        w.acc.finish()
    }

    fn network<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        ethertype: EtherType,
        data: &[u8],
        base: usize,
        depth: u8,
    ) {
        let packet = match ethertype {
            EtherType::IPV4 => parse_ipv4_packet(data),
            EtherType::IPV6 => parse_ipv6_packet(data),
            EtherType::MPLS | EtherType::MPLS_MULTICAST if depth < MAX_TUNNEL_DEPTH => {
                return match parse_mpls(data) {
                    Ok(m) => self.tunnelled(w, m.ethertype, m.payload, base + m.offset, depth),
                    Err(e) => w.acc.fail(e.shifted(base)),
                };
            }
            _ => {
                w.acc.other(OtherReason::NotIp);
                return;
            }
        };
        let p = match packet {
            Ok(p) => p,
            Err(e) => return w.acc.fail(e.shifted(base)),
        };
        // An IPv4 header the receiver would refuse: judged with the transport's checksum, by
        // the flow's standing (see `crate::integrity`), or here for a fragment, which has
        // none (only `verify` refuses it).
        w.ip_ok = self.checksums == ChecksumMode::Ignore
            || ethertype != EtherType::IPV4
            || data.get(..p.offset).is_some_and(integrity::ipv4_header_ok);
        let Some(frag) = p.fragment else {
            return self.transport(w, &p, base + p.offset, depth);
        };
        if !w.ip_ok && self.checksums == ChecksumMode::Verify {
            return w.acc.other(OtherReason::BadIpChecksum);
        }
        let Some(whole) = self
            .defrag
            .push(w.ctx.ts_ns, p.src, p.dst, p.protocol, frag, p.payload)
        else {
            return w.acc.other(OtherReason::IpFragment);
        };
        // Decode the datagram from a buffer of our own, so the layers below may use every
        // other part of the decoder. Offsets inside it are relative to the datagram.
        let mut scratch = core::mem::take(&mut self.scratch);
        let overlapped = whole.last.is_some();
        let (first, last) = stage(&mut scratch, whole.first, whole.last);
        w.ip_ok = true;
        let whole_packet = IpPacket {
            payload: first,
            fragment: None,
            ..p
        };
        self.transport(w, &whole_packet, 0, depth);
        if overlapped {
            // Fragments overlapped with other bytes: the datagram as a receiver that kept
            // the last copies has it is read too.
            let other = IpPacket {
                payload: last,
                ..whole_packet
            };
            let flow = Flow {
                src: p.src,
                dst: p.dst,
                src_port: 0,
                dst_port: 0,
                transport: if p.protocol == IpProtocol::TCP {
                    Transport::Tcp
                } else {
                    Transport::Sctp
                },
                evasion: None,
            };
            let diameter = p.protocol == IpProtocol::TCP;
            self.conflicting_copy(w, Evasion::IpOverlap, flow, diameter, |d, w| {
                d.transport(w, &other, 0, depth);
            });
        }
        self.scratch = scratch;
    }

    /// Read a conflicting copy (`read`), its messages marked with the evasion (or with the
    /// one already being read, an overlap inside an overlap); when it gives none, the evasion
    /// itself is handed out, on `flow`.
    fn conflicting_copy<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        kind: Evasion,
        flow: Flow,
        diameter: bool,
        read: impl FnOnce(&mut Self, &mut Walk<'_, F>),
    ) {
        let outer = w.evasion;
        w.evasion = Some(outer.unwrap_or(kind));
        let before = w.acc.messages;
        read(self, w);
        w.evasion = outer;
        if w.acc.messages == before && outer.is_none() {
            let flow = Flow {
                evasion: Some(kind),
                ..flow
            };
            w.emit(&Message::Evasion(EvasionEvent { flow, diameter }));
        }
    }

    /// What a tunnel (GRE, ERSPAN, MPLS, VXLAN) carries: a network packet, or an Ethernet
    /// frame ([`EtherType::TEB`]), at `base` in the frame.
    fn tunnelled<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        ethertype: EtherType,
        data: &[u8],
        base: usize,
        depth: u8,
    ) {
        if ethertype != EtherType::TEB {
            return self.network(w, ethertype, data, base, depth + 1);
        }
        match parse_link_ethernet(data) {
            Ok(l) => self.network(w, l.ethertype, l.payload, base + l.offset, depth + 1),
            Err(e) => w.acc.fail(e.shifted(base)),
        }
    }

    fn transport<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        p: &IpPacket<'_>,
        base: usize,
        depth: u8,
    ) {
        match p.protocol {
            IpProtocol::SCTP => self.sctp_packet(w, p.src, p.dst, p.payload, base),
            IpProtocol::TCP => self.tcp_segment(w, p.src, p.dst, p.payload, base),
            IpProtocol::GRE if depth < MAX_TUNNEL_DEPTH => match parse_gre_packet(p.payload) {
                Ok(g) => self.tunnelled(w, g.ethertype, g.payload, base + g.offset, depth),
                Err(e) => w.acc.fail(e.shifted(base)),
            },
            IpProtocol::UDP if depth < MAX_TUNNEL_DEPTH && is_vxlan(p.payload) => {
                match parse_udp(p.payload).and_then(|u| parse_vxlan(u.payload)) {
                    Ok((frame, at)) => {
                        self.tunnelled(w, EtherType::TEB, frame, base + at, depth);
                    }
                    Err(e) => w.acc.fail(e.shifted(base)),
                }
            }
            _ => w.acc.other(OtherReason::OtherIp),
        }
    }

    /// One SCTP packet, judged as its receiver would: a wrong CRC32c (or IPv4 header
    /// checksum) or a verification tag that is not the path's drops it before anything is
    /// remembered; a TSN seen before with the same contents is a retransmission, with other
    /// contents a conflicting copy, which is read as well (see [`crate::sctp::Associations`]).
    fn sctp_packet<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        src: IpAddr,
        dst: IpAddr,
        data: &[u8],
        base: usize,
    ) {
        let (h, chunks) = match parse_sctp_packet(data) {
            Ok(v) => v,
            Err(e) => return w.acc.fail(e.shifted(base)),
        };
        let path = Path {
            src,
            dst,
            src_port: h.src_port,
            dst_port: h.dst_port,
        };
        let ip_ok = w.ip_ok;
        let bad = if ip_ok {
            OtherReason::BadChecksum
        } else {
            OtherReason::BadIpChecksum
        };
        let ok = || ip_ok && integrity::sctp_ok(data);
        // What the packet carries decides what is checked: DATA needs the path's tag; an
        // INIT (tag 0) or INIT-ACK teaches the tags.
        let mut has_data = false;
        let mut init = None;
        for c in chunks.clone().map_while(Result::ok) {
            match c.kind {
                ChunkType::DATA | ChunkType::I_DATA => has_data = true,
                ChunkType::INIT | ChunkType::INIT_ACK => init = parse_sctp_init(&c),
                _ => {}
            }
        }
        let (window, first) = if has_data {
            match self
                .assoc
                .admit(path, h.vtag, self.checksums, &mut self.integrity, ok)
            {
                Admit::Known { window, first } => (window, first),
                Admit::BadCrc => return w.acc.other(bad),
                Admit::BadTag => return w.acc.other(OtherReason::BadVtag),
            }
        } else {
            if !self
                .assoc
                .admit_control(&path, self.checksums, &mut self.integrity, ok)
            {
                return w.acc.other(bad);
            }
            if let Some(i) = init {
                let mut own = arrayvec::ArrayVec::<IpAddr, 8>::new();
                own.extend(i.addresses().take(8));
                self.assoc
                    .handshake(path, i.initiate_tag, i.initial_tsn, &own);
            }
            (0, path)
        };
        let flow = Flow {
            src,
            dst,
            src_port: h.src_port,
            dst_port: h.dst_port,
            transport: Transport::Sctp,
            evasion: w.evasion,
        };
        let mut control = false;
        let mut duplicate = false;
        for c in chunks {
            let c = match c {
                Ok(c) => c,
                Err(e) => return w.acc.fail(e.shifted(base)),
            };
            if c.kind != ChunkType::DATA && c.kind != ChunkType::I_DATA {
                control = true;
                continue;
            }
            let value_at = base + c.offset + 4;
            let d = match parse_sctp_data_chunk(&c) {
                Ok(d) => d,
                Err(e) => return w.acc.fail(e.shifted(value_at)),
            };
            let digest = self.assoc.digest(c.flags, c.value);
            let conflicting = match self.assoc.record(window, d.tsn, digest) {
                Tsn::New => false,
                Tsn::Repeated => {
                    duplicate = true;
                    continue;
                }
                Tsn::Conflicting => true,
            };
            let proto = PayloadProtocol::identify(d.ppid, h.src_port, h.dst_port);
            let diameter = proto == PayloadProtocol::Diameter;
            let data_at = value_at + d.header_len();
            if d.is_unfragmented() {
                if conflicting {
                    self.conflicting_copy(w, Evasion::SctpConflict, flow, diameter, |s, w| {
                        let flow = Flow {
                            evasion: w.evasion,
                            ..flow
                        };
                        s.user_message(w, flow, proto, d.data, Some(data_at));
                    });
                } else {
                    self.user_message(w, flow, proto, d.data, Some(data_at));
                }
                continue;
            }
            let key = StreamKey {
                path: first,
                stream: d.stream,
                ssn: d.ssn,
                unordered: d.unordered,
            };
            // A fragment of signalling is signalling, whether or not it completes a message.
            if !matches!(proto, PayloadProtocol::Other(_))
                || d.ppid == crate::sctp::Ppid::UNSPECIFIED
            {
                w.acc.signaling = true;
            }
            if conflicting && w.evasion.is_none() {
                // The fragment alone is no message: the evasion is handed out now, and the
                // message it belongs to is read both ways once it completes.
                let flow = Flow {
                    evasion: Some(Evasion::SctpConflict),
                    ..flow
                };
                w.emit(&Message::Evasion(EvasionEvent { flow, diameter }));
            }
            self.sctp_fragment(w, flow, key, &d, conflicting, h.src_port, h.dst_port);
        }
        if duplicate {
            w.acc.other(OtherReason::SctpRetransmission);
        }
        if control {
            w.acc.other(OtherReason::SctpControl);
        }
    }

    /// One fragment of a user message into reassembly; the message, when it completes, is
    /// read (and, when a conflicting fragment was kept beside another, read again as the
    /// receiver that took it has it).
    #[allow(clippy::too_many_arguments)]
    fn sctp_fragment<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        flow: Flow,
        key: StreamKey,
        d: &crate::sctp::DataChunk<'_>,
        conflicting: bool,
        src_port: u16,
        dst_port: u16,
    ) {
        let Some(done) = self.sctp.push(w.ctx.ts_ns, key, d, conflicting) else {
            return;
        };
        let proto = PayloadProtocol::identify(done.ppid, src_port, dst_port);
        let mut scratch = core::mem::take(&mut self.scratch);
        let alternate = done.alternate.is_some();
        let (whole, other) = stage(&mut scratch, done.whole, done.alternate);
        self.user_message(w, flow, proto, whole, None);
        if alternate {
            let outer = w.evasion;
            w.evasion = Some(outer.unwrap_or(Evasion::SctpConflict));
            let flow = Flow {
                evasion: w.evasion,
                ..flow
            };
            self.user_message(w, flow, proto, other, None);
            w.evasion = outer;
        }
        self.scratch = scratch;
    }

    /// One SCTP user message. `base` is its offset in the frame, `None` when reassembled.
    fn user_message<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        flow: Flow,
        proto: PayloadProtocol,
        data: &[u8],
        base: Option<usize>,
    ) {
        let at = |e: DecodeError| e.shifted(base.unwrap_or(0));
        match proto {
            PayloadProtocol::M3ua => {
                let mut rest = data;
                for _ in 0..MAX_MESSAGES_PER_USER_MESSAGE {
                    let msg_at = data.len() - rest.len();
                    let (after, m) = match parse_m3ua_message(rest) {
                        Ok(v) => v,
                        Err(e) => return w.acc.fail(at(e.shifted(msg_at))),
                    };
                    if (m.class, m.kind) == (MessageClass::TRANSFER, MessageType::DATA) {
                        match parse_m3ua_transfer(&m) {
                            Ok(t) if t.data.si == 3 => {
                                let mtp = Mtp {
                                    opc: t.data.opc,
                                    dpc: t.data.dpc,
                                    si: t.data.si,
                                    ni: t.data.ni,
                                    sls: t.data.sls,
                                };
                                let sccp_at = base.map(|b| b + msg_at + t.data.offset);
                                self.sccp(w, flow, Bearer::M3ua, Some(mtp), t.data.data, sccp_at);
                            }
                            Ok(_) => w.acc.other(OtherReason::Mtp3NotSccp),
                            Err(e) => return w.acc.fail(at(e.shifted(msg_at))),
                        }
                    } else {
                        w.acc.other(OtherReason::SigtranManagement);
                    }
                    rest = after;
                    if rest.is_empty() {
                        break;
                    }
                }
            }
            PayloadProtocol::M2pa => match parse_m2pa_message(data) {
                Ok(m) => match m.mtp3 {
                    Some(t) => self.mtp3(w, flow, Bearer::M2pa, &t, base),
                    None => w.acc.other(OtherReason::M2paLinkStatus),
                },
                Err(e) => w.acc.fail(at(e)),
            },
            PayloadProtocol::M2ua => match parse_m2ua_message(data) {
                Ok(m2ua::Message::Data(t)) => self.mtp3(w, flow, Bearer::M2ua, &t, base),
                Ok(m2ua::Message::Other) => w.acc.other(OtherReason::SigtranManagement),
                Err(e) => w.acc.fail(at(e)),
            },
            PayloadProtocol::Sua => match parse_sua_message(data) {
                Ok(sua::Message::Cldt(c)) => {
                    let data_at = base.map(|b| b + c.data_offset);
                    self.sccp_user_data(
                        w,
                        flow,
                        Bearer::Sua,
                        None,
                        sccp::MessageType::UDT,
                        c.destination,
                        c.source,
                        c.source_raw,
                        c.segmentation,
                        c.data,
                        data_at,
                    );
                }
                Ok(sua::Message::Other(..)) => w.acc.other(OtherReason::SigtranManagement),
                Err(e) => w.acc.fail(at(e)),
            },
            PayloadProtocol::Diameter => {
                let mut rest = data;
                for _ in 0..MAX_MESSAGES_PER_USER_MESSAGE {
                    let msg_at = data.len() - rest.len();
                    match diameter::summarize(rest) {
                        Ok(summary) => {
                            w.acc.signaling = true;
                            w.emit(&Message::Diameter(DiameterMessage { flow, summary }));
                            rest = &rest[(summary.header.length as usize).min(rest.len())..];
                        }
                        Err(e) => return w.acc.fail(at(e.shifted(msg_at))),
                    }
                    if rest.is_empty() {
                        break;
                    }
                }
            }
            PayloadProtocol::DiameterTls => w.acc.other(OtherReason::DiameterTls),
            PayloadProtocol::Other(_) => w.acc.other(OtherReason::SctpOtherPayload),
        }
    }

    /// An MTP3 message from M2PA or M2UA: SCCP is read, other users counted.
    fn mtp3<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        flow: Flow,
        bearer: Bearer,
        t: &Mtp3<'_>,
        base: Option<usize>,
    ) {
        if t.si != 3 {
            return w.acc.other(OtherReason::Mtp3NotSccp);
        }
        let mtp = Mtp {
            opc: t.opc,
            dpc: t.dpc,
            si: t.si,
            ni: t.ni,
            sls: t.sls,
        };
        self.sccp(
            w,
            flow,
            bearer,
            Some(mtp),
            t.sif,
            base.map(|b| b + t.offset),
        );
    }

    fn sccp<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        flow: Flow,
        bearer: Bearer,
        mtp: Option<Mtp>,
        data: &[u8],
        base: Option<usize>,
    ) {
        match parse_sccp_message(data) {
            Ok(sccp::Message::Unitdata(u)) => {
                let data_at = base.map(|b| b + u.data_offset);
                self.sccp_user_data(
                    w,
                    flow,
                    bearer,
                    mtp,
                    u.kind,
                    u.called,
                    u.calling,
                    u.calling_raw,
                    u.segmentation,
                    u.data,
                    data_at,
                );
            }
            Ok(sccp::Message::Other(_)) => w.acc.other(OtherReason::SccpConnectionOriented),
            Err(e) => w.acc.fail(e.shifted(base.unwrap_or(0))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sccp_user_data<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        flow: Flow,
        bearer: Bearer,
        mtp: Option<Mtp>,
        kind: sccp::MessageType,
        called: Address<'_>,
        calling: Address<'_>,
        calling_raw: &[u8],
        segmentation: Option<sccp::Segmentation>,
        data: &[u8],
        base: Option<usize>,
    ) {
        if called.ssn == Some(Ssn::SCMG) || calling.ssn == Some(Ssn::SCMG) {
            return w.acc.other(OtherReason::SccpManagement);
        }
        let env = Envelope {
            flow,
            bearer,
            mtp,
            kind,
            called,
            calling,
        };
        match segmentation {
            Some(seg) if !(seg.first && seg.remaining == 0) => {
                w.acc.signaling = true;
                let opc = mtp.map_or(0, |m| m.opc);
                if let Some(whole) =
                    self.sccp
                        .push(w.ctx.ts_ns, calling_raw, opc, kind.is_service(), seg, data)
                {
                    tcap(w, &env, whole, None);
                }
            }
            _ => tcap(w, &env, data, base),
        }
    }

    fn tcp_segment<F: FnMut(&Message<'_>)>(
        &mut self,
        w: &mut Walk<'_, F>,
        src: IpAddr,
        dst: IpAddr,
        data: &[u8],
        base: usize,
    ) {
        let seg = match parse_tcp_segment(data) {
            Ok(s) => s,
            Err(e) => return w.acc.fail(e.shifted(base)),
        };
        let diameter_port = self
            .diameter_ports
            .iter()
            .any(|&p| p == seg.src_port || p == seg.dst_port);
        if !diameter_port {
            return w.acc.other(OtherReason::TcpOther);
        }
        let key = FlowKey {
            src,
            dst,
            src_port: seg.src_port,
            dst_port: seg.dst_port,
        };
        let ip_ok = w.ip_ok;
        let ok = || ip_ok && integrity::tcp_ok(src, dst, data);
        if self
            .tcp
            .admit(&key, self.checksums, &mut self.integrity, ok)
            == Check::Reject
        {
            return w.acc.other(if ip_ok {
                OtherReason::BadChecksum
            } else {
                OtherReason::BadIpChecksum
            });
        }
        let flow = Flow {
            src,
            dst,
            src_port: seg.src_port,
            dst_port: seg.dst_port,
            transport: Transport::Tcp,
            evasion: w.evasion,
        };
        if seg.payload.is_empty() {
            w.acc.other(OtherReason::TcpControl);
        } else {
            w.acc.signaling = true;
        }
        let ts = w.ctx.ts_ns;
        let pushed = self.tcp.push(ts, key, &seg, diameter::frame_len, |msg| {
            diameter_message(w, flow, msg)
        });
        if pushed.conflict {
            // Bytes read before came again, different: the copy is read on its own too.
            self.conflicting_copy(w, Evasion::TcpOverlap, flow, true, |_, w| {
                let flow = Flow {
                    evasion: w.evasion,
                    ..flow
                };
                read_alone(seg.payload, diameter::frame_len, &mut |msg| {
                    diameter_message(w, flow, msg);
                });
            });
        }
    }
}

/// Whether a UDP datagram goes to the VXLAN port (then it is read, and its errors count).
fn is_vxlan(udp: &[u8]) -> bool {
    udp.get(2..4) == Some(&PORT_VXLAN.to_be_bytes()[..])
}

/// One Diameter message cut from a TCP stream.
fn diameter_message<F: FnMut(&Message<'_>)>(w: &mut Walk<'_, F>, flow: Flow, msg: &[u8]) {
    match diameter::summarize(msg) {
        Ok(summary) => w.emit(&Message::Diameter(DiameterMessage { flow, summary })),
        Err(e) => w.acc.fail(e),
    }
}

/// The SS7 context of a TCAP message.
struct Envelope<'a> {
    flow: Flow,
    bearer: Bearer,
    mtp: Option<Mtp>,
    kind: sccp::MessageType,
    called: Address<'a>,
    calling: Address<'a>,
}

/// Decode TCAP and hand out one message per component.
fn tcap<F: FnMut(&Message<'_>)>(
    w: &mut Walk<'_, F>,
    env: &Envelope<'_>,
    data: &[u8],
    base: Option<usize>,
) {
    let at = |e: DecodeError| e.shifted(base.unwrap_or(0));
    let m = match parse_tcap_message(data) {
        Ok(Tcap::Itu(m)) => m,
        Ok(Tcap::Ansi(_)) => return w.acc.other(OtherReason::AnsiTcap),
        Err(e) => return w.acc.fail(at(e)),
    };
    w.acc.signaling = true;
    let acn = m.dialogue.and_then(|d| d.acn);
    let user = match acn {
        Some(a) if is_map_acn(&a) => TcapUser::Map,
        Some(_) => TcapUser::Other,
        None if env.called.ssn.is_some_and(Ssn::is_map)
            || env.calling.ssn.is_some_and(Ssn::is_map) =>
        {
            TcapUser::Map
        }
        None if env.called.ssn.is_none() && env.calling.ssn.is_none() => TcapUser::Map,
        None => TcapUser::Other,
    };
    let mut out = Message::Map(MapMessage {
        flow: env.flow,
        bearer: env.bearer,
        mtp: env.mtp,
        sccp_kind: env.kind,
        called: env.called,
        calling: env.calling,
        tcap: m.kind,
        otid: m.otid,
        dtid: m.dtid,
        acn,
        user,
        component: None,
        opcode: None,
        info: Default::default(),
    });
    if m.components.is_empty() {
        w.emit(&out);
        return;
    }
    for c in Components::new(&m) {
        let c = match c {
            Ok(c) => c,
            Err(e) => return w.acc.fail(at(e)),
        };
        let Message::Map(msg) = &mut out else {
            return;
        };
        let opcode =
            c.op.and_then(|o| o.local())
                .and_then(|n| u8::try_from(n).ok())
                .map(OpCode);
        msg.component = Some(c);
        msg.opcode = opcode;
        match (user, opcode) {
            (TcapUser::Map, Some(op)) => {
                let p = c.parameter.as_ref();
                if let Err(e) = parse_map_parameter_into(op, c.kind, p, &mut msg.info) {
                    msg.info.clear();
                    let param_at = crate::error::offset_in(data, p.map_or(&[][..], |p| p.raw));
                    w.acc.fail(at(e.shifted(param_at)));
                }
            }
            _ => msg.info.clear(),
        }
        w.emit(&out);
    }
}

/// Copy `first`, then `other` (a conflicting copy, if any), into `scratch`, and hand both
/// back from there (the second empty when there is none): reassembled bytes borrowed from a
/// table are staged in a buffer of the decoder's own before the layers above read them.
fn stage<'s>(scratch: &'s mut Vec<u8>, first: &[u8], other: Option<&[u8]>) -> (&'s [u8], &'s [u8]) {
    scratch.clear();
    scratch.extend_from_slice(first);
    scratch.extend_from_slice(other.unwrap_or_default());
    scratch.split_at(first.len())
}

#[cfg(test)]
mod tests;
