//! The evasion scenario: every way a sender on the interconnect may try to make the probe see
//! something else than what the receiver took, and every framing a tap may deliver, each
//! around a real attack that must be alerted.
//!
//! China Unicom (an interconnect peer) sends AnyTimeInterrogation and Sh User-Data requests
//! about home subscribers, each behind one trick:
//!
//! - decoys the receiver drops: an SCTP chunk with a wrong CRC32c, or a wrong verification
//!   tag, or in an IPv4 packet with a wrong header checksum, and a TCP segment with a wrong
//!   checksum, each carrying the sequence number of the real message that follows;
//! - conflicting copies: an SCTP chunk retransmitted with other contents, a TCP segment
//!   retransmitted with other bytes, IPv4 and IPv6 fragments that overlap with other bytes;
//! - what a lossy tap does: a TCP segment and an SCTP chunk that never reach the capture;
//! - framings: M2UA, MPLS, VXLAN, IEEE 802.3 LLC/SNAP, SCCP LUDT, and a multihomed
//!   association whose message arrives in two fragments over two paths;
//! - and legitimate retransmissions (SCTP and TCP, the same bytes again), which must not
//!   alert.
//!
//! The truth file says, per frame: each real attack and the category it must raise; each
//! conflicting copy and the evasion rule it must raise besides; each decoy and the reason
//! the probe must count it under; each retransmission, which must raise nothing.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use decoder::diameter::{
    avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec, VENDOR_3GPP,
};
use decoder::ip::{emit_ipv4, IpProtocol, Ipv4Spec};
use decoder::link::{emit_ethernet, EtherType, EthernetSpec};
use decoder::m2pa::{emit_mtp3, RoutingLabel};
use decoder::m2ua::emit_m2ua_data;
use decoder::m3ua::{emit_m3ua_data, emit_m3ua_message, M3uaDataSpec, MessageClass, MessageType};
use decoder::map::{imsi_octets, MapArg};
use decoder::mpls::emit_mpls;
use decoder::sccp::{emit_sccp_unitdata, AddressSpec, MessageType as SccpType, UnitdataSpec};
use decoder::sctp::{emit_sctp_packet, ChunkType, DataChunkSpec, Ppid, SctpSpec};
use decoder::stack::emit_ip_frame;
use decoder::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};
use decoder::tcp::{emit_tcp_segment, Segment, TcpSpec};
use decoder::vxlan::emit_vxlan;

use super::parts::{HomeNodes, Sub};
use super::timeline::{acn, ssn, MS, T0};
use super::truth::{Msg, Truth};
use super::Capture;
use crate::net::{Net, CHINA_UNICOM, HOME};

/// The attacker.
const FROM: &Net = &CHINA_UNICOM;
/// AnyTimeInterrogation.
const ATI: u8 = 71;
/// Sh User-Data-Request.
const UDR: u32 = 306;

/// The evasion scenario (the seed varies the subscribers).
pub fn evasion(seed: u64) -> Capture {
    let mut s = Scene::new(seed);
    s.sctp_decoys();
    s.sctp_conflict_and_retransmission();
    s.sctp_gap();
    s.tcp();
    s.ip_overlaps();
    s.framings();
    s.multihomed();
    s.cap.policy = crate::net::policy_toml();
    s.cap
}

/// An SCTP path's ends.
#[derive(Debug, Clone, Copy)]
struct Path {
    src: IpAddr,
    dst: IpAddr,
    port: u16,
    vtag: u32,
}

/// The scene being written: frames, truth, and the counters of the main association.
struct Scene {
    cap: Capture,
    ts: u64,
    home: HomeNodes,
    /// The next subscriber to target.
    next_sub: u64,
    /// The main M3UA association, peer to home, and its next TSN.
    link: Path,
    tsn: u32,
    otid: u32,
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn mac(ip: IpAddr) -> [u8; 6] {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            [0x02, 0, o[0], o[1], o[2], o[3]]
        }
        IpAddr::V6(a) => {
            let o = a.octets();
            [0x02, 0, o[12], o[13], o[14], o[15]]
        }
    }
}

fn eth(src: IpAddr, dst: IpAddr) -> EthernetSpec {
    EthernetSpec {
        dst: mac(dst),
        src: mac(src),
        vlans: Vec::new(),
    }
}

/// The IPv4 header checksum's place in an untagged Ethernet frame.
const IPV4_CHECKSUM_AT: usize = 14 + 10;
/// The SCTP checksum's place in an untagged Ethernet/IPv4 frame.
const SCTP_CHECKSUM_AT: usize = 14 + 20 + 8;
/// The TCP checksum's place in an untagged Ethernet/IPv4 frame.
const TCP_CHECKSUM_AT: usize = 14 + 20 + 16;

impl Scene {
    fn new(seed: u64) -> Scene {
        Scene {
            cap: Capture::default(),
            ts: T0,
            home: HomeNodes::new(),
            next_sub: 100 + seed % 1000,
            link: Path {
                src: IpAddr::V4(FROM.ip),
                dst: IpAddr::V4(HOME.ip),
                port: 2905,
                vtag: 0x5eed_0001,
            },
            tsn: 7000,
            otid: 0x4000,
        }
    }

    /// Append a frame; its number.
    fn frame(&mut self, f: Vec<u8>) -> u64 {
        self.ts += 10 * MS;
        self.cap.frames.push((self.ts, f));
        self.cap.frames.len() as u64
    }

    fn truth(&mut self, frame: u64, t: Truth) {
        self.cap.truth.push(Truth { frame, ..t });
    }

    fn sub(&mut self) -> Sub {
        self.next_sub += 1;
        Sub::home(self.next_sub)
    }

    /// An AnyTimeInterrogation about `s` from the attacker's gsmSCF to the home HLR, as an
    /// SCCP message of `kind` (UDT or LUDT).
    fn ati_sccp(&mut self, s: &Sub, kind: SccpType) -> Vec<u8> {
        self.otid += 1;
        let gsmscf = FROM.gt(300);
        let mut tcap = Vec::new();
        emit_tcap(
            &mut tcap,
            &TcapSpec {
                kind: TcapKind::Begin,
                otid: Some(self.otid),
                dtid: None,
                acn: Some(acn(i64::from(ATI))),
                components: vec![ComponentSpec::invoke(
                    1,
                    i64::from(ATI),
                    MapArg::any_time_interrogation(Some(&s.msisdn), None, &gsmscf),
                )],
            },
        );
        let mut spec = UnitdataSpec::udt(
            AddressSpec::gt(&self.home.hlr, ssn::HLR),
            AddressSpec::gt(&gsmscf, ssn::GSMSCF),
        );
        spec.kind = kind;
        let mut sccp = Vec::new();
        emit_sccp_unitdata(&mut sccp, &spec, &tcap);
        sccp
    }

    /// The same, in an M3UA DATA message.
    fn ati_m3ua(&mut self, s: &Sub) -> Vec<u8> {
        let sccp = self.ati_sccp(s, SccpType::UDT);
        m3ua(&sccp)
    }

    fn attack(s: &Sub, kind: &'static str) -> Truth {
        Truth::attack(kind, FROM, Msg::Map(ATI), "cat1").msisdn(&s.msisdn)
    }

    /// An Ethernet/IP/SCTP frame on `p` carrying `chunks`.
    fn sctp(&self, p: Path, chunks: &[DataChunkSpec<'_>]) -> Vec<u8> {
        let pkt = sctp_packet(p, chunks);
        let mut f = Vec::new();
        emit_ip_frame(
            &mut f,
            &eth(p.src, p.dst),
            p.src,
            p.dst,
            IpProtocol::SCTP,
            &pkt,
        );
        f
    }

    /// One whole user message at `tsn` on the main association.
    fn data(&self, tsn: u32, msg: &[u8]) -> Vec<u8> {
        self.sctp(
            self.link,
            &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, msg)],
        )
    }

    /// The handshake of an association from `a` (the peer) to `b`, each listing its extra
    /// addresses: INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK. `to_b`/`to_a`: the tags each end
    /// chose; `tsn`: the peer's first TSN.
    #[allow(clippy::too_many_arguments)]
    fn handshake(
        &mut self,
        a: IpAddr,
        b: IpAddr,
        port: u16,
        to_a: u32,
        to_b: u32,
        tsn: u32,
        a_extra: &[Ipv4Addr],
        b_extra: &[Ipv4Addr],
    ) {
        let init = |tag: u32, tsn: u32, extra: &[Ipv4Addr], cookie: bool| {
            let mut v = Vec::new();
            v.extend_from_slice(&tag.to_be_bytes());
            v.extend_from_slice(&65_535u32.to_be_bytes()); // a_rwnd
            v.extend_from_slice(&[0, 10, 0, 10]); // outbound and inbound streams
            v.extend_from_slice(&tsn.to_be_bytes());
            for x in extra {
                v.extend_from_slice(&[0, 5, 0, 8]);
                v.extend_from_slice(&x.octets());
            }
            if cookie {
                v.extend_from_slice(&[0, 7, 0, 12]);
                v.extend_from_slice(b"cookie!!");
            }
            v
        };
        let (ia, ib) = (
            init(to_a, tsn, a_extra, false),
            init(to_b, 1, b_extra, true),
        );
        let at = |src, dst, vtag| Path {
            src,
            dst,
            port,
            vtag,
        };
        let chunk = |kind, value| DataChunkSpec::Control {
            kind,
            flags: 0,
            value,
        };
        let f = self.sctp(at(a, b, 0), &[chunk(ChunkType::INIT, &ia)]);
        self.frame(f);
        let f = self.sctp(at(b, a, to_a), &[chunk(ChunkType::INIT_ACK, &ib)]);
        self.frame(f);
        let f = self.sctp(
            at(a, b, to_b),
            &[chunk(ChunkType::COOKIE_ECHO, b"cookie!!")],
        );
        self.frame(f);
        let f = self.sctp(at(b, a, to_a), &[chunk(ChunkType::COOKIE_ACK, b"")]);
        self.frame(f);
    }

    /// Decoys the receiver drops, each before the real message with its TSN.
    fn sctp_decoys(&mut self) {
        let (a, b) = (self.link.src, self.link.dst);
        let to_b = self.link.vtag;
        self.handshake(a, b, 2905, 0x0c0f_fee0, to_b, self.tsn, &[], &[]);
        // The association passes its checksums first (an ASP Up).
        let mut aspup = Vec::new();
        emit_m3ua_message(&mut aspup, MessageClass::ASPSM, MessageType(1), &[]);
        let f = self.data(self.tsn, &aspup);
        self.frame(f);
        self.tsn += 1;
        type Spoil = fn(&mut Vec<u8>);
        let techniques: [(&'static str, &'static str, Spoil); 3] = [
            ("bad_crc_decoy", "bad_checksum", |f| {
                f[SCTP_CHECKSUM_AT] ^= 0x5a
            }),
            ("bad_vtag_decoy", "bad_vtag", |f| {
                // Another tag, and a CRC that is right for it: only the tag is wrong.
                f[14 + 20 + 4] ^= 0x80;
                decoder::sctp::fix_sctp_checksum(&mut f[14 + 20..]);
            }),
            ("bad_ip_checksum_decoy", "bad_ip_checksum", |f| {
                f[IPV4_CHECKSUM_AT] ^= 0x5a;
            }),
        ];
        for (kind, reason, spoil) in techniques {
            // The decoy: a harmless-looking ATI about someone else, with the next TSN.
            let other = self.sub();
            let decoy_msg = self.ati_m3ua(&other);
            let mut decoy = self.data(self.tsn, &decoy_msg);
            spoil(&mut decoy);
            let n = self.frame(decoy);
            self.truth(n, Truth::decoy(kind, FROM, "sigtran", reason));
            // The real one, with the same TSN, which the receiver takes.
            let s = self.sub();
            let msg = self.ati_m3ua(&s);
            let f = self.data(self.tsn, &msg);
            let n = self.frame(f);
            self.truth(n, Self::attack(&s, "ati_behind_decoy"));
            self.tsn += 1;
        }
    }

    /// A chunk retransmitted with other contents, and one retransmitted as it was.
    fn sctp_conflict_and_retransmission(&mut self) {
        let (s1, s2) = (self.sub(), self.sub());
        let (m1, m2) = (self.ati_m3ua(&s1), self.ati_m3ua(&s2));
        let f = self.data(self.tsn, &m1);
        let n = self.frame(f);
        self.truth(n, Self::attack(&s1, "ati_first_copy"));
        let f = self.data(self.tsn, &m2);
        let n = self.frame(f);
        self.truth(
            n,
            Self::attack(&s2, "ati_conflicting_copy").evasion("sctp_conflicting_retransmission"),
        );
        self.tsn += 1;
        // A legitimate retransmission: the same chunk again.
        let s = self.sub();
        let m = self.ati_m3ua(&s);
        let f = self.data(self.tsn, &m);
        let n = self.frame(f.clone());
        self.truth(n, Self::attack(&s, "ati_retransmitted"));
        let n = self.frame(f);
        self.truth(n, Truth::retransmission(FROM, Msg::Map(ATI)));
        self.tsn += 1;
    }

    /// A chunk the tap never saw: the one after it is read.
    fn sctp_gap(&mut self) {
        self.tsn += 1; // lost
        let s = self.sub();
        let m = self.ati_m3ua(&s);
        let f = self.data(self.tsn, &m);
        let n = self.frame(f);
        self.truth(n, Self::attack(&s, "ati_after_lost_chunk"));
        self.tsn += 1;
    }

    /// Sh User-Data-Request about `s` from the attacker's AS, numbered `n`.
    fn udr(s: &Sub, n: u32) -> Vec<u8> {
        let uid = [AvpSpec::tgpp(avp::MSISDN, imsi_octets(&s.msisdn))];
        let spec = DiameterSpec {
            request: true,
            cmd: CommandCode::USER_DATA,
            app: ApplicationId::SH,
            hbh: n,
            e2e: n,
            avps: vec![
                AvpSpec::utf8(avp::SESSION_ID, &format!("{};{n}", FROM.host("as", 1))),
                AvpSpec::u32(avp::AUTH_APPLICATION_ID, ApplicationId::SH.0),
                AvpSpec::utf8(avp::ORIGIN_HOST, &FROM.host("as", 1)),
                AvpSpec::utf8(avp::ORIGIN_REALM, &FROM.realm()),
                AvpSpec::utf8(avp::DESTINATION_REALM, &HOME.realm()),
                AvpSpec::grouped(avp::USER_IDENTITY, Some(VENDOR_3GPP), &uid),
            ],
        };
        let mut d = Vec::new();
        emit_diameter(&mut d, &spec);
        d
    }

    /// Diameter over TCP: a decoy with a bad checksum, conflicting and identical
    /// retransmissions, a lost segment.
    fn tcp(&mut self) {
        let (a, b) = (v4(10, 0, 5, 10), v4(10, 0, 0, 10));
        let seg = |seq: u32, flags: u8, payload: &[u8]| {
            let spec = TcpSpec {
                src: a,
                dst: b,
                src_port: 40_000,
                dst_port: 3868,
                seq,
                ack: 1,
                flags,
            };
            let mut s = Vec::new();
            emit_tcp_segment(&mut s, &spec, payload);
            let mut f = Vec::new();
            emit_ip_frame(&mut f, &eth(a, b), a, b, IpProtocol::TCP, &s);
            f
        };
        let mut seq = 1_000_000;
        let f = seg(seq - 1, Segment::SYN, b"");
        self.frame(f);
        let udr = Msg::Diameter(UDR);
        let attack = |s: &Sub, kind| Truth::attack(kind, FROM, udr, "cat1").msisdn(&s.msisdn);
        // The stream passes its checksums first.
        let s = self.sub();
        let m = Self::udr(&s, 1);
        let n = self.frame(seg(seq, Segment::ACK, &m));
        self.truth(n, attack(&s, "udr"));
        seq += m.len() as u32;
        // A decoy with a wrong checksum and the next bytes; then the real ones.
        let decoy = Self::udr(&self.sub(), 2);
        let mut f = seg(seq, Segment::ACK, &decoy);
        f[TCP_CHECKSUM_AT] ^= 0x5a;
        let n = self.frame(f);
        self.truth(
            n,
            Truth::decoy("tcp_bad_checksum_decoy", FROM, "diameter", "bad_checksum"),
        );
        let s = self.sub();
        let m = Self::udr(&s, 3);
        let n = self.frame(seg(seq, Segment::ACK, &m));
        self.truth(n, attack(&s, "udr_behind_decoy"));
        seq += m.len() as u32;
        // The same bytes again with others in them, then as they were.
        let (s1, s2) = (self.sub(), self.sub());
        let (m1, m2) = (Self::udr(&s1, 4), Self::udr(&s2, 4));
        assert_eq!(m1.len(), m2.len());
        let first = seg(seq, Segment::ACK, &m1);
        let n = self.frame(first.clone());
        self.truth(n, attack(&s1, "udr_first_copy"));
        let n = self.frame(seg(seq, Segment::ACK, &m2));
        self.truth(
            n,
            attack(&s2, "udr_conflicting_copy").evasion("tcp_overlap"),
        );
        let n = self.frame(first);
        self.truth(n, Truth::retransmission(FROM, udr));
        seq += m1.len() as u32;
        // A segment the tap lost, and the one after it.
        let lost = Self::udr(&self.sub(), 5);
        seq += lost.len() as u32;
        let s = self.sub();
        let m = Self::udr(&s, 6);
        let n = self.frame(seg(seq, Segment::ACK, &m));
        self.truth(n, attack(&s, "udr_after_lost_segment"));
    }

    /// IPv4 and IPv6 fragments that overlap with other bytes: both datagrams are judged.
    fn ip_overlaps(&mut self) {
        for v6 in [false, true] {
            let (src, dst) = if v6 {
                (
                    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 5, 0, 0, 0, 1)),
                    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
                )
            } else {
                (v4(10, 0, 5, 2), v4(10, 0, 0, 2))
            };
            let path = Path {
                src,
                dst,
                port: 2905,
                vtag: 0x0ddf_1a90 + u32::from(v6),
            };
            let (s1, s2) = (self.sub(), self.sub());
            let (m1, m2) = (self.ati_m3ua(&s1), self.ati_m3ua(&s2));
            let packet = |m: &[u8]| {
                let mut p = Vec::new();
                emit_sctp_packet(
                    &mut p,
                    &SctpSpec {
                        src_port: path.port,
                        dst_port: path.port,
                        vtag: path.vtag,
                    },
                    &[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, m)],
                );
                p
            };
            let (p1, p2) = (packet(&m1), packet(&m2));
            assert_eq!(p1.len(), p2.len());
            // Where the two differ (the CRC, the transaction id, the MSISDN) goes in the
            // first fragment; the last one is the same in both.
            let last = (0..p1.len()).rev().find(|&i| p1[i] != p2[i]).unwrap_or(0);
            let cut = (last / 8 + 1) * 8;
            let ident = 0x7000 + u32::from(v6);
            let frag = |data: &[u8], offset: usize, more: bool| {
                fragment(src, dst, ident, offset as u16, more, data)
            };
            self.frame(frag(&p1[..cut], 0, true));
            self.frame(frag(&p2[..cut], 0, true));
            let n = self.frame(frag(&p1[cut..], cut, false));
            let kind = if v6 { "ipv6_overlap" } else { "ipv4_overlap" };
            self.truth(n, Self::attack(&s1, kind));
            self.truth(n, Self::attack(&s2, kind).evasion("ip_overlap"));
        }
    }

    /// The same attack in every framing a tap or a cloud mirror may deliver.
    fn framings(&mut self) {
        // Each on a path of its own, so TSNs do not meet.
        let path = |n: u8, port: u16| Path {
            src: v4(10, 0, 5, 30 + n),
            dst: v4(10, 0, 0, 30 + n),
            port,
            vtag: 0xf4a0_0000 + u32::from(n),
        };
        let sctp_ip = |p: Path, ppid: Ppid, msg: &[u8]| {
            let pkt = sctp_packet(p, &[DataChunkSpec::whole(1, 1, 0, ppid, msg)]);
            let (IpAddr::V4(s), IpAddr::V4(d)) = (p.src, p.dst) else {
                unreachable!("IPv4 paths")
            };
            let mut ip = Vec::new();
            emit_ipv4(&mut ip, &Ipv4Spec::new(s, d), IpProtocol::SCTP, &pkt);
            ip
        };
        // M2UA: the MTP3 message in MAUP DATA.
        let s = self.sub();
        let sccp = self.ati_sccp(&s, SccpType::UDT);
        let mut mtp3 = Vec::new();
        let route = RoutingLabel {
            ni: 0,
            si: 3,
            opc: 1234,
            dpc: 4321,
            sls: 1,
        };
        emit_mtp3(&mut mtp3, &route, &sccp);
        let mut m2ua = Vec::new();
        emit_m2ua_data(&mut m2ua, 1, &mtp3);
        let p = path(0, 2904);
        let f = self.sctp(p, &[DataChunkSpec::whole(1, 1, 0, Ppid(2), &m2ua)]);
        let n = self.frame(f);
        self.truth(n, Self::attack(&s, "ati_over_m2ua"));
        // MPLS: two labels, then the IPv4 packet.
        let s = self.sub();
        let m = self.ati_m3ua(&s);
        let p = path(1, 2905);
        let mut mpls = Vec::new();
        emit_mpls(&mut mpls, &[1001, 16], false, &sctp_ip(p, Ppid::M3UA, &m));
        let mut f = Vec::new();
        emit_ethernet(&mut f, &eth(p.src, p.dst), EtherType(0x8847), &mpls);
        let n = self.frame(f);
        self.truth(n, Self::attack(&s, "ati_over_mpls"));
        // VXLAN: a cloud mirror's UDP datagram carrying the whole Ethernet frame.
        let s = self.sub();
        let m = self.ati_m3ua(&s);
        let p = path(2, 2905);
        let inner = self.sctp(p, &[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m)]);
        let mut udp = Vec::new();
        emit_vxlan(&mut udp, 49_152, 77, &inner);
        let (mirror, collector) = (v4(172, 16, 0, 1), v4(172, 16, 0, 2));
        let mut f = Vec::new();
        emit_ip_frame(
            &mut f,
            &eth(mirror, collector),
            mirror,
            collector,
            IpProtocol::UDP,
            &udp,
        );
        let n = self.frame(f);
        self.truth(n, Self::attack(&s, "ati_over_vxlan"));
        // IEEE 802.3 with LLC/SNAP naming IPv4.
        let s = self.sub();
        let m = self.ati_m3ua(&s);
        let p = path(3, 2905);
        let ip = sctp_ip(p, Ppid::M3UA, &m);
        let mut f = Vec::new();
        f.extend_from_slice(&mac(p.dst));
        f.extend_from_slice(&mac(p.src));
        f.extend_from_slice(&((8 + ip.len()) as u16).to_be_bytes());
        f.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        f.extend_from_slice(&ip);
        let n = self.frame(f);
        self.truth(n, Self::attack(&s, "ati_over_llc_snap"));
        // SCCP LUDT (two-octet pointers).
        let s = self.sub();
        let sccp = self.ati_sccp(&s, SccpType::LUDT);
        let p = path(4, 2905);
        let f = self.sctp(
            p,
            &[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m3ua(&sccp))],
        );
        let n = self.frame(f);
        self.truth(n, Self::attack(&s, "ati_in_ludt"));
    }

    /// A multihomed association: the peer lists a second address, and so does the home
    /// end; a message's two fragments come over the two paths, and a retransmission over
    /// the first path of what came over the second is one.
    fn multihomed(&mut self) {
        let (a1, a2) = (Ipv4Addr::new(10, 0, 5, 40), Ipv4Addr::new(10, 0, 5, 41));
        let (b1, b2) = (Ipv4Addr::new(10, 0, 0, 40), Ipv4Addr::new(10, 0, 0, 41));
        let (to_a, to_b) = (0x0a11_0001, 0x0b22_0002);
        let first_tsn = 900;
        self.handshake(
            IpAddr::V4(a1),
            IpAddr::V4(b1),
            2905,
            to_a,
            to_b,
            first_tsn,
            &[a2],
            &[b2],
        );
        let s = self.sub();
        let m = self.ati_m3ua(&s);
        let (f1, f2) = m.split_at(m.len() / 2);
        let frag = |tsn, begin, end, data| DataChunkSpec::Data {
            tsn,
            stream: 1,
            ssn: 0,
            ppid: Ppid::M3UA,
            begin,
            end,
            data,
        };
        let on = |src: Ipv4Addr, dst: Ipv4Addr| Path {
            src: IpAddr::V4(src),
            dst: IpAddr::V4(dst),
            port: 2905,
            vtag: to_b,
        };
        let f = self.sctp(on(a1, b1), &[frag(first_tsn, true, false, f1)]);
        self.frame(f);
        let second = self.sctp(on(a2, b2), &[frag(first_tsn + 1, false, true, f2)]);
        let n = self.frame(second);
        self.truth(n, Self::attack(&s, "ati_over_two_paths"));
        let again = self.sctp(on(a1, b1), &[frag(first_tsn + 1, false, true, f2)]);
        let n = self.frame(again);
        self.truth(n, Truth::retransmission(FROM, Msg::Map(ATI)));
    }
}

/// An M3UA DATA message carrying `sccp`.
fn m3ua(sccp: &[u8]) -> Vec<u8> {
    let mut m = Vec::new();
    let spec = M3uaDataSpec {
        opc: 1234,
        dpc: 4321,
        si: 3,
        routing_context: Some(1),
        ..M3uaDataSpec::default()
    };
    emit_m3ua_data(&mut m, &spec, sccp);
    m
}

/// An IP fragment (IPv4, or IPv6 with a Fragment header) in an Ethernet frame.
fn fragment(src: IpAddr, dst: IpAddr, ident: u32, offset: u16, more: bool, data: &[u8]) -> Vec<u8> {
    let mut ip = Vec::new();
    let ethertype = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let spec = Ipv4Spec {
                ident: ident as u16,
                fragment: Some((offset, more)),
                ..Ipv4Spec::new(s, d)
            };
            emit_ipv4(&mut ip, &spec, IpProtocol::SCTP, data);
            EtherType::IPV4
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            // Fixed header (next header 44: Fragment), then the Fragment header.
            ip.extend_from_slice(&[0x60, 0, 0, 0]);
            ip.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
            ip.extend_from_slice(&[44, 64]);
            ip.extend_from_slice(&s.octets());
            ip.extend_from_slice(&d.octets());
            ip.extend_from_slice(&[IpProtocol::SCTP.0, 0]);
            ip.extend_from_slice(&(offset | u16::from(more)).to_be_bytes());
            ip.extend_from_slice(&ident.to_be_bytes());
            ip.extend_from_slice(data);
            EtherType(0x86dd)
        }
        _ => unreachable!("one family"),
    };
    let mut f = Vec::new();
    emit_ethernet(&mut f, &eth(src, dst), ethertype, &ip);
    f
}

/// The SCTP packet (common header and `chunks`) of path `p`.
fn sctp_packet(p: Path, chunks: &[DataChunkSpec<'_>]) -> Vec<u8> {
    let mut pkt = Vec::new();
    let spec = SctpSpec {
        src_port: p.port,
        dst_port: p.port,
        vtag: p.vtag,
    };
    emit_sctp_packet(&mut pkt, &spec, chunks);
    pkt
}
