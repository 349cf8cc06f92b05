//! Whole-frame tests: every layer together, built with the layers' `emit` functions.

use crate::error::Layer;
use core::net::IpAddr;

use super::*;
use crate::diameter::{avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec};
use crate::error::ErrorKind;
use crate::gre::emit_erspan_ii;
use crate::ip::{emit_ipv4, Ipv4Spec};
use crate::link::{emit_ethernet, EthernetSpec};
use crate::m2pa::{emit_m2pa_user_data, RoutingLabel};
use crate::m3ua::{emit_m3ua_data, emit_m3ua_message, M3uaDataSpec};
use crate::map::MapArg;
use crate::sccp::{emit_sccp_unitdata, AddressSpec, Segmentation, UnitdataSpec};
use crate::sctp::{DataChunkSpec, Ppid, SctpSpec};
use crate::sua::{emit_sua_cldt, SuaAddressSpec};
use crate::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};
use crate::tcp::TcpSpec;

mod evasion;

const IMSI: &str = "310410123456789";
const MSISDN: &str = "12065550123";

fn a() -> IpAddr {
    IpAddr::from([192, 0, 2, 1])
}
fn b() -> IpAddr {
    IpAddr::from([192, 0, 2, 2])
}

fn m3ua_assoc() -> SctpSpec {
    SctpSpec {
        src_port: 2905,
        dst_port: 2905,
        vtag: 7,
    }
}

fn ati_tcap(otid: u32) -> Vec<u8> {
    let mut t = Vec::new();
    emit_tcap(
        &mut t,
        &TcapSpec {
            kind: TcapKind::Begin,
            otid: Some(otid),
            dtid: None,
            acn: Some("0.4.0.0.1.0.29.3".into()),
            components: vec![ComponentSpec::invoke(
                1,
                71,
                MapArg::any_time_interrogation(Some(MSISDN), None, "8613010000"),
            )],
        },
    );
    t
}

fn sccp_udt(tcap: &[u8]) -> Vec<u8> {
    let mut s = Vec::new();
    emit_sccp_unitdata(
        &mut s,
        &UnitdataSpec::udt(
            AddressSpec::gt("12065550001", 6),
            AddressSpec::gt("8613010000", 147),
        ),
        tcap,
    );
    s
}

fn m3ua_data(sccp: &[u8]) -> Vec<u8> {
    let mut m = Vec::new();
    emit_m3ua_data(
        &mut m,
        &M3uaDataSpec {
            opc: 100,
            dpc: 200,
            si: 3,
            ni: 0,
            mp: 0,
            sls: 1,
            routing_context: Some(1),
            network_appearance: None,
        },
        sccp,
    );
    m
}

/// A frame on an association of its own (a fresh source port), so that tests reusing TSNs
/// are not taken for retransmissions.
fn sctp_frame(chunks: &[DataChunkSpec<'_>]) -> Vec<u8> {
    use core::sync::atomic::{AtomicU16, Ordering};
    static PORT: AtomicU16 = AtomicU16::new(20_000);
    let assoc = SctpSpec {
        src_port: PORT.fetch_add(1, Ordering::Relaxed),
        ..m3ua_assoc()
    };
    sctp_frame_on(&assoc, chunks)
}

fn sctp_frame_on(assoc: &SctpSpec, chunks: &[DataChunkSpec<'_>]) -> Vec<u8> {
    let mut f = Vec::new();
    emit_sctp_frame(&mut f, &EthernetSpec::default(), a(), b(), assoc, chunks);
    f
}

#[derive(Debug, PartialEq)]
struct Seen {
    proto: &'static str,
    op: Option<u8>,
    cmd: Option<u32>,
    imsi: Option<String>,
    msisdn: Option<String>,
}

fn run(d: &mut FrameDecoder, frames: &[Vec<u8>]) -> Vec<(FrameOutcome, Vec<Seen>)> {
    frames
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let mut seen = Vec::new();
            let ctx = FrameContext {
                number: n as u64 + 1,
                ts_ns: n as u64 * 1_000_000,
            };
            let o = d.decode(ctx, LinkType::ETHERNET, f, &mut |m: &Message<'_>| {
                seen.push(match m {
                    Message::Map(m) => Seen {
                        proto: "map",
                        op: m.opcode.map(|o| o.0),
                        cmd: None,
                        imsi: m.info.imsi.map(|d| d.to_string()),
                        msisdn: m.info.msisdn.map(|d| d.to_string()),
                    },
                    Message::Diameter(d) => Seen {
                        proto: "diameter",
                        op: None,
                        cmd: Some(d.summary.header.cmd.0),
                        imsi: d.summary.imsi.map(|d| d.to_string()),
                        msisdn: d.summary.msisdn.map(|d| d.to_string()),
                    },
                    Message::Evasion(e) => Seen {
                        proto: e.kind().name(),
                        op: None,
                        cmd: None,
                        imsi: None,
                        msisdn: None,
                    },
                })
            });
            (o, seen)
        })
        .collect()
}

fn one(frames: &[Vec<u8>]) -> Vec<(FrameOutcome, Vec<Seen>)> {
    run(&mut FrameDecoder::default(), frames)
}

fn ati_seen() -> Seen {
    Seen {
        proto: "map",
        op: Some(71),
        cmd: None,
        imsi: None,
        msisdn: Some(MSISDN.into()),
    }
}

#[test]
fn m3ua_map_frame() {
    let m = m3ua_data(&sccp_udt(&ati_tcap(1)));
    let r = one(&[sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m)])]);
    assert_eq!(
        r[0].0,
        FrameOutcome {
            class: FrameClass::Signaling,
            messages: 1
        }
    );
    assert_eq!(r[0].1, vec![ati_seen()]);
}

#[test]
fn bundled_chunks_and_several_components() {
    let mut t = Vec::new();
    emit_tcap(
        &mut t,
        &TcapSpec {
            kind: TcapKind::Begin,
            otid: Some(9),
            dtid: None,
            acn: None,
            components: vec![
                ComponentSpec::invoke(1, 2, MapArg::update_location(IMSI, "4477", "4478")),
                ComponentSpec::invoke(2, 56, MapArg::send_authentication_info(IMSI)),
            ],
        },
    );
    let m1 = m3ua_data(&sccp_udt(&t));
    let m2 = m3ua_data(&sccp_udt(&ati_tcap(2)));
    let r = one(&[sctp_frame(&[
        DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m1),
        DataChunkSpec::Control {
            kind: ChunkType::SACK,
            flags: 0,
            value: &[0; 12],
        },
        DataChunkSpec::whole(2, 1, 1, Ppid::M3UA, &m2),
    ])]);
    assert_eq!(r[0].0.class, FrameClass::Signaling);
    let ops: Vec<_> = r[0].1.iter().map(|s| s.op).collect();
    assert_eq!(ops, vec![Some(2), Some(56), Some(71)]);
    assert_eq!(r[0].1[1].imsi.as_deref(), Some(IMSI));
}

#[test]
fn sctp_fragments_reported_on_completing_frame() {
    let m = m3ua_data(&sccp_udt(&ati_tcap(3)));
    let (p1, rest) = m.split_at(10);
    let (p2, p3) = rest.split_at(20);
    let frag = |tsn, begin, end, data| DataChunkSpec::Data {
        tsn,
        stream: 1,
        ssn: 5,
        ppid: Ppid::M3UA,
        begin,
        end,
        data,
    };
    let assoc = m3ua_assoc();
    let frames = [
        sctp_frame_on(&assoc, &[frag(10, true, false, p1)]),
        sctp_frame_on(&assoc, &[frag(12, false, true, p3)]),
        sctp_frame_on(&assoc, &[frag(11, false, false, p2)]),
    ];
    let r = one(&frames);
    assert_eq!(
        r[0].0,
        FrameOutcome {
            class: FrameClass::Signaling,
            messages: 0
        }
    );
    assert_eq!(r[1].0.messages, 0);
    assert_eq!(
        r[2].0,
        FrameOutcome {
            class: FrameClass::Signaling,
            messages: 1
        }
    );
    assert_eq!(r[2].1, vec![ati_seen()]);
}

#[test]
fn retransmitted_tsn_is_decoded_once() {
    let m = m3ua_data(&sccp_udt(&ati_tcap(11)));
    let f = sctp_frame_on(
        &m3ua_assoc(),
        &[DataChunkSpec::whole(42, 1, 0, Ppid::M3UA, &m)],
    );
    let r = one(&[f.clone(), f]);
    assert_eq!(r[0].1, vec![ati_seen()]);
    assert_eq!(
        r[1].0,
        FrameOutcome {
            class: FrameClass::Other(OtherReason::SctpRetransmission),
            messages: 0
        }
    );
}

#[test]
fn zero_ppid_uses_the_port_and_other_ppids_are_other() {
    let m = m3ua_data(&sccp_udt(&ati_tcap(4)));
    let r = one(&[sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid(0), &m)])]);
    assert_eq!(r[0].1, vec![ati_seen()]);
    let r = one(&[sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid(18), &m)])]);
    assert_eq!(
        r[0].0.class,
        FrameClass::Other(OtherReason::SctpOtherPayload)
    );
}

#[test]
fn control_and_management_are_other() {
    let r = one(&[sctp_frame(&[DataChunkSpec::Control {
        kind: ChunkType::HEARTBEAT,
        flags: 0,
        value: &[0, 1, 0, 8, 1, 2, 3, 4],
    }])]);
    assert_eq!(r[0].0.class, FrameClass::Other(OtherReason::SctpControl));
    let mut beat = Vec::new();
    emit_m3ua_message(&mut beat, MessageClass::ASPSM, MessageType(3), &[]);
    let r = one(&[sctp_frame(&[DataChunkSpec::whole(
        1,
        1,
        0,
        Ppid::M3UA,
        &beat,
    )])]);
    assert_eq!(
        r[0].0.class,
        FrameClass::Other(OtherReason::SigtranManagement)
    );
    let mut arp = Vec::new();
    emit_ethernet(&mut arp, &EthernetSpec::default(), EtherType::ARP, &[0; 28]);
    assert_eq!(
        one(&[arp])[0].0.class,
        FrameClass::Other(OtherReason::NotIp)
    );
}

#[test]
fn malformed_layers_are_named_and_decoding_continues() {
    let good = sctp_frame(&[DataChunkSpec::whole(
        1,
        1,
        0,
        Ppid::M3UA,
        &m3ua_data(&sccp_udt(&ati_tcap(5))),
    )]);
    // M3UA length beyond its user message.
    let mut bad = m3ua_data(&sccp_udt(&ati_tcap(5)));
    bad[7] = 0xff;
    let bad_m3ua = sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &bad)]);
    // TCAP with a context-class OTID.
    let bad_tcap = sctp_frame(&[DataChunkSpec::whole(
        1,
        1,
        0,
        Ppid::M3UA,
        &m3ua_data(&sccp_udt(&[0x62, 0x06, 0x88, 0x04, 0, 0, 0, 1])),
    )]);
    let r = one(&[
        bad_m3ua,
        bad_tcap,
        good.clone(),
        good[..good.len() - 30].to_vec(),
    ]);
    let FrameClass::Malformed(e) = r[0].0.class else {
        panic!("{:?}", r[0].0)
    };
    assert_eq!(e.layer, Layer::M3ua);
    // The M3UA message whose length is wrong starts after Ethernet, IPv4, SCTP and the DATA
    // chunk header.
    assert_eq!(e.offset, 14 + 20 + 12 + 16);
    let FrameClass::Malformed(e) = r[1].0.class else {
        panic!("{:?}", r[1])
    };
    assert_eq!(e.layer, Layer::Tcap);
    assert_eq!(r[2].0.class, FrameClass::Signaling);
    let FrameClass::Malformed(e) = r[3].0.class else {
        panic!()
    };
    assert_eq!(
        e.layer,
        Layer::Ipv4,
        "a cut frame fails at the IP total length"
    );
}

#[test]
fn m2pa_and_sua_bearers() {
    let mut m = Vec::new();
    emit_m2pa_user_data(
        &mut m,
        0,
        1,
        &RoutingLabel {
            ni: 0,
            si: 3,
            opc: 1,
            dpc: 2,
            sls: 0,
        },
        &sccp_udt(&ati_tcap(6)),
    );
    let mut f = Vec::new();
    let assoc = SctpSpec {
        src_port: 2006,
        dst_port: 2006,
        vtag: 1,
    };
    emit_sctp_frame(
        &mut f,
        &EthernetSpec::default(),
        a(),
        b(),
        &assoc,
        &[DataChunkSpec::whole(1, 1, 0, Ppid::M2PA, &m)],
    );
    assert_eq!(one(&[f])[0].1, vec![ati_seen()]);

    let mut s = Vec::new();
    let src = SuaAddressSpec {
        pc: None,
        ssn: Some(147),
        gt: Some("8613010000".into()),
    };
    let dst = SuaAddressSpec {
        pc: None,
        ssn: Some(6),
        gt: Some("12065550001".into()),
    };
    emit_sua_cldt(&mut s, 1, &src, &dst, &ati_tcap(7));
    let mut f = Vec::new();
    let assoc = SctpSpec {
        src_port: 14001,
        dst_port: 14001,
        vtag: 1,
    };
    emit_sctp_frame(
        &mut f,
        &EthernetSpec::default(),
        a(),
        b(),
        &assoc,
        &[DataChunkSpec::whole(1, 1, 0, Ppid::SUA, &s)],
    );
    let mut got = None;
    FrameDecoder::default().decode(
        FrameContext::default(),
        LinkType::ETHERNET,
        &f,
        &mut |m: &Message<'_>| {
            if let Message::Map(m) = m {
                got = Some((
                    m.bearer,
                    m.calling.gt.map(|g| g.digits().to_string()),
                    m.info.msisdn,
                ));
            }
        },
    );
    let (bearer, calling, msisdn) = got.unwrap();
    assert_eq!(bearer, Bearer::Sua);
    assert_eq!(calling.as_deref(), Some("8613010000"));
    assert_eq!(msisdn.unwrap().to_string(), MSISDN);
}

#[test]
fn xudt_segments_reassembled() {
    let tcap = ati_tcap(8);
    let (s1, s2) = tcap.split_at(tcap.len() / 2);
    let seg = |first: bool, remaining: u8, data: &[u8]| {
        let mut spec = UnitdataSpec::udt(
            AddressSpec::gt("12065550001", 6),
            AddressSpec::gt("8613010000", 147),
        );
        spec.kind = sccp::MessageType::XUDT;
        spec.segmentation = Some(Segmentation {
            first,
            class1: false,
            remaining,
            local_ref: 77,
        });
        let mut s = Vec::new();
        emit_sccp_unitdata(&mut s, &spec, data);
        sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m3ua_data(&s))])
    };
    let r = one(&[seg(true, 1, s1), seg(false, 0, s2)]);
    assert_eq!(
        r[0].0,
        FrameOutcome {
            class: FrameClass::Signaling,
            messages: 0
        }
    );
    assert_eq!(r[1].1, vec![ati_seen()]);
}

#[test]
fn ip_fragments_and_erspan() {
    let m = m3ua_data(&sccp_udt(&ati_tcap(9)));
    let mut sctp = Vec::new();
    crate::sctp::emit_sctp_packet(
        &mut sctp,
        &m3ua_assoc(),
        &[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m)],
    );
    let (f1, f2) = sctp.split_at(48);
    let v4 = |off: u16, more: bool, data: &[u8]| {
        let mut ip = Vec::new();
        let spec = Ipv4Spec {
            ident: 0x42,
            fragment: Some((off, more)),
            ..Ipv4Spec::new([192, 0, 2, 1].into(), [192, 0, 2, 2].into())
        };
        emit_ipv4(&mut ip, &spec, IpProtocol::SCTP, data);
        let mut f = Vec::new();
        emit_ethernet(&mut f, &EthernetSpec::default(), EtherType::IPV4, &ip);
        f
    };
    let r = one(&[v4(0, true, f1), v4(48, false, f2)]);
    assert_eq!(r[0].0.class, FrameClass::Other(OtherReason::IpFragment));
    assert_eq!(r[1].1, vec![ati_seen()]);

    // The same message mirrored through ERSPAN type II inside GRE.
    let inner = sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m)]);
    let mut gre = Vec::new();
    emit_erspan_ii(&mut gre, 1, 1, &inner);
    let mut f = Vec::new();
    emit_ip_frame(
        &mut f,
        &EthernetSpec::default(),
        IpAddr::from([10, 9, 9, 9]),
        IpAddr::from([10, 9, 9, 8]),
        IpProtocol::GRE,
        &gre,
    );
    assert_eq!(one(&[f])[0].1, vec![ati_seen()]);
}

fn ulr(hbh: u32) -> Vec<u8> {
    let mut d = Vec::new();
    emit_diameter(
        &mut d,
        &DiameterSpec {
            request: true,
            cmd: CommandCode::UPDATE_LOCATION,
            app: ApplicationId::S6A,
            hbh,
            e2e: hbh,
            avps: vec![
                AvpSpec::utf8(avp::SESSION_ID, "mme;1"),
                AvpSpec::utf8(avp::ORIGIN_HOST, "mme.epc.mnc001.mcc460.3gppnetwork.org"),
                AvpSpec::utf8(avp::ORIGIN_REALM, "epc.mnc001.mcc460.3gppnetwork.org"),
                AvpSpec::utf8(avp::USER_NAME, IMSI),
                AvpSpec::tgpp(avp::VISITED_PLMN_ID, vec![0x64, 0xf0, 0x10]),
            ],
        },
    );
    d
}

/// One Ethernet frame of a Diameter peer's TCP stream (a() port 40000 -> b() port 3868).
fn diameter_segment(seq: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    let spec = TcpSpec {
        src: a(),
        dst: b(),
        src_port: 40000,
        dst_port: 3868,
        seq,
        ack: 1,
        flags,
    };
    emit_tcp_frame(&mut f, &EthernetSpec::default(), &spec, payload);
    f
}

#[test]
fn diameter_over_tcp_split_and_coalesced() {
    let mut stream = ulr(1);
    stream.extend(ulr(2));
    stream.extend(ulr(3));
    let seg = diameter_segment;
    let cut1 = 30;
    let cut2 = stream.len() - 10;
    let r = one(&[
        seg(0, crate::tcp::Segment::SYN, &[]),
        seg(1, crate::tcp::Segment::ACK, &stream[..cut1]),
        seg(1 + cut2 as u32, crate::tcp::Segment::ACK, &stream[cut2..]),
        seg(
            1 + cut1 as u32,
            crate::tcp::Segment::ACK,
            &stream[cut1..cut2],
        ),
    ]);
    assert_eq!(r[0].0.class, FrameClass::Other(OtherReason::TcpControl));
    assert_eq!(
        r[1].0,
        FrameOutcome {
            class: FrameClass::Signaling,
            messages: 0
        }
    );
    assert_eq!(r[2].0.messages, 0);
    assert_eq!(r[3].0.messages, 3);
    assert_eq!(r[3].1[0].imsi.as_deref(), Some(IMSI));
    assert!(r[3].1.iter().all(|s| s.cmd == Some(316)));
}

#[test]
fn diameter_over_sctp_and_malformed_avp() {
    let m = ulr(7);
    let assoc = SctpSpec {
        src_port: 3868,
        dst_port: 3868,
        vtag: 1,
    };
    let mut f = Vec::new();
    emit_sctp_frame(
        &mut f,
        &EthernetSpec::default(),
        a(),
        b(),
        &assoc,
        &[DataChunkSpec::whole(1, 0, 0, Ppid::DIAMETER, &m)],
    );
    assert_eq!(one(&[f])[0].1[0].cmd, Some(316));
    let mut bad = m.clone();
    bad[26] = 0xff; // first AVP length far beyond the message
    let mut f = Vec::new();
    emit_sctp_frame(
        &mut f,
        &EthernetSpec::default(),
        a(),
        b(),
        &assoc,
        &[DataChunkSpec::whole(1, 0, 0, Ppid(0), &bad)],
    );
    let FrameClass::Malformed(e) = one(&[f])[0].0.class else {
        panic!()
    };
    assert_eq!(e.layer, Layer::Diameter);
    assert!(matches!(e.kind, ErrorKind::LengthExceeds { .. }));
}

#[test]
fn returned_messages_are_marked() {
    let mut spec = UnitdataSpec::udt(
        AddressSpec::gt("8613010000", 147),
        AddressSpec::gt("12065550001", 6),
    );
    spec.kind = sccp::MessageType::UDTS;
    spec.class_or_cause = 1;
    let mut s = Vec::new();
    emit_sccp_unitdata(&mut s, &spec, &ati_tcap(10));
    let f = sctp_frame(&[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m3ua_data(&s))]);
    let mut returned = None;
    FrameDecoder::default().decode(
        FrameContext::default(),
        LinkType::ETHERNET,
        &f,
        &mut |m: &Message<'_>| {
            if let Message::Map(m) = m {
                returned = Some(m.is_returned());
            }
        },
    );
    assert_eq!(returned, Some(true));
}

#[test]
fn result_component_carries_its_operation() {
    let mut t = Vec::new();
    emit_tcap(
        &mut t,
        &TcapSpec {
            kind: TcapKind::End,
            otid: None,
            dtid: Some(1),
            acn: Some("0.4.0.0.1.0.20.3".into()),
            components: vec![ComponentSpec::result(
                1,
                45,
                MapArg::send_routing_info_for_sm_res(IMSI, "447700900003"),
            )],
        },
    );
    let r = one(&[sctp_frame(&[DataChunkSpec::whole(
        1,
        1,
        0,
        Ppid::M3UA,
        &m3ua_data(&sccp_udt(&t)),
    )])]);
    assert_eq!(r[0].1[0].op, Some(45));
    assert_eq!(r[0].1[0].imsi.as_deref(), Some(IMSI));
}
