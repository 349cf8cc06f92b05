//! Frames of every kind the frame decoder handles, built with the layers' `emit` functions,
//! for the integration tests. `round` varies what must vary between repeats (TSNs, sequence
//! numbers, references), so that repeats are new traffic and not retransmissions.

#![allow(dead_code, unreachable_pub)]

use std::net::IpAddr;

use decoder::diameter::{avp, emit_diameter, ApplicationId, AvpSpec, CommandCode, DiameterSpec};
use decoder::gre::emit_erspan_ii;
use decoder::ip::{emit_ipv4, IpProtocol, Ipv4Spec};
use decoder::link::{emit_ethernet, EtherType, EthernetSpec, LinkType};
use decoder::m2pa::{emit_m2pa_user_data, RoutingLabel};
use decoder::m3ua::{emit_m3ua_data, M3uaDataSpec};
use decoder::map::MapArg;
use decoder::sccp::{emit_sccp_unitdata, AddressSpec, MessageType, Segmentation, UnitdataSpec};
use decoder::sctp::{emit_sctp_packet, ChunkType, DataChunkSpec, Ppid, SctpSpec};
use decoder::stack::{emit_ip_frame, emit_sctp_frame, emit_tcp_frame};
use decoder::sua::{emit_sua_cldt, SuaAddressSpec};
use decoder::tcap::{emit_tcap, ComponentSpec, TcapKind, TcapSpec};
use decoder::tcp::{Segment, TcpSpec};

pub const IMSI: &str = "310410123456789";
pub const MSISDN: &str = "12065550123";

fn a() -> IpAddr {
    IpAddr::from([192, 0, 2, 1])
}

fn b() -> IpAddr {
    IpAddr::from([192, 0, 2, 2])
}

pub fn ati_tcap(otid: u32) -> Vec<u8> {
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

pub fn udt(tcap: &[u8]) -> Vec<u8> {
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

pub fn m3ua(sccp: &[u8]) -> Vec<u8> {
    let mut m = Vec::new();
    let spec = M3uaDataSpec {
        opc: 100,
        dpc: 200,
        si: 3,
        routing_context: Some(1),
        ..M3uaDataSpec::default()
    };
    emit_m3ua_data(&mut m, &spec, sccp);
    m
}

/// A frame of the association `vtag` names: each its own source port, so that the tag is
/// the one its path carries.
fn sctp(vtag: u32, port: u16, chunks: &[DataChunkSpec<'_>]) -> Vec<u8> {
    let mut f = Vec::new();
    let spec = SctpSpec {
        src_port: 40_000 + vtag as u16,
        dst_port: port,
        vtag,
    };
    emit_sctp_frame(&mut f, &EthernetSpec::default(), a(), b(), &spec, chunks);
    f
}

fn diameter(hbh: u32) -> Vec<u8> {
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

/// One round of frames of every kind, in order (fragments before the frames completing them).
pub fn round(r: u64) -> Vec<(LinkType, Vec<u8>)> {
    let r32 = r as u32;
    let tsn = r32 * 10;
    let mut out = Vec::new();
    let mut push = |f: Vec<u8>| out.push((LinkType::ETHERNET, f));
    let ati = m3ua(&udt(&ati_tcap(r32)));

    // 1. One MAP message; 2. two bundled with a SACK.
    push(sctp(
        1,
        2905,
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, &ati)],
    ));
    push(sctp(
        2,
        2905,
        &[
            DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, &ati),
            DataChunkSpec::Control {
                kind: ChunkType::SACK,
                flags: 0,
                value: &[0; 12],
            },
            DataChunkSpec::whole(tsn + 1, 1, 1, Ppid::M3UA, &ati),
        ],
    ));
    // 3. A message in two DATA fragments.
    let (p1, p2) = ati.split_at(40);
    let frag = |tsn, begin, end, data| DataChunkSpec::Data {
        tsn,
        stream: 2,
        ssn: r as u16,
        ppid: Ppid::M3UA,
        begin,
        end,
        data,
    };
    push(sctp(3, 2905, &[frag(tsn, true, false, p1)]));
    push(sctp(3, 2905, &[frag(tsn + 1, false, true, p2)]));
    // 4. M2PA.
    let mut m2pa = Vec::new();
    let route = RoutingLabel {
        si: 3,
        opc: 1,
        dpc: 2,
        ..RoutingLabel::default()
    };
    emit_m2pa_user_data(&mut m2pa, 0, r32, &route, &udt(&ati_tcap(r32)));
    push(sctp(
        4,
        3565,
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M2PA, &m2pa)],
    ));
    // 5. SUA.
    let mut sua = Vec::new();
    let src = SuaAddressSpec {
        ssn: Some(147),
        gt: Some("8613010000".into()),
        ..Default::default()
    };
    let dst = SuaAddressSpec {
        ssn: Some(6),
        gt: Some("12065550001".into()),
        ..Default::default()
    };
    emit_sua_cldt(&mut sua, 1, &src, &dst, &ati_tcap(r32));
    push(sctp(
        5,
        14001,
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::SUA, &sua)],
    ));
    // 6. XUDT in two segments.
    let t = ati_tcap(r32);
    let (s1, s2) = t.split_at(t.len() / 2);
    for (k, (first, remaining, data)) in [(true, 1u8, s1), (false, 0u8, s2)].into_iter().enumerate()
    {
        let mut spec = UnitdataSpec::udt(
            AddressSpec::gt("12065550001", 6),
            AddressSpec::gt("8613010000", 147),
        );
        spec.kind = MessageType::XUDT;
        spec.segmentation = Some(Segmentation {
            first,
            class1: false,
            remaining,
            local_ref: r32 & 0x00ff_ffff,
        });
        let mut s = Vec::new();
        emit_sccp_unitdata(&mut s, &spec, data);
        push(sctp(
            6,
            2905,
            &[DataChunkSpec::whole(
                tsn + k as u32,
                1,
                0,
                Ppid::M3UA,
                &m3ua(&s),
            )],
        ));
    }
    // 7. Diameter over SCTP.
    push(sctp(
        7,
        3868,
        &[DataChunkSpec::whole(
            tsn,
            0,
            0,
            Ppid::DIAMETER,
            &diameter(r32),
        )],
    ));
    // 8. Diameter over TCP: a whole message, then one split over two segments.
    let d = diameter(r32);
    let len = d.len() as u32;
    let base = (r32.wrapping_mul(2 * len)).wrapping_add(1);
    let tcp = |seq: u32, payload: &[u8]| {
        let mut f = Vec::new();
        let spec = TcpSpec {
            src: a(),
            dst: b(),
            src_port: 40000,
            dst_port: 3868,
            seq,
            ack: 1,
            flags: Segment::ACK,
        };
        emit_tcp_frame(&mut f, &EthernetSpec::default(), &spec, payload);
        f
    };
    push(tcp(base, &d));
    push(tcp(base + len, &d[..30]));
    push(tcp(base + len + 30, &d[30..]));
    // 9. An SCTP packet in two IPv4 fragments.
    let mut pkt = Vec::new();
    let spec = SctpSpec {
        src_port: 2905,
        dst_port: 2905,
        vtag: 9,
    };
    emit_sctp_packet(
        &mut pkt,
        &spec,
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, &ati)],
    );
    let (f1, f2) = pkt.split_at(48);
    for (off, more, data) in [(0u16, true, f1), (48u16, false, f2)] {
        let mut ip = Vec::new();
        let ispec = Ipv4Spec {
            ident: r as u16,
            fragment: Some((off, more)),
            ..Ipv4Spec::new([192, 0, 2, 1].into(), [192, 0, 2, 2].into())
        };
        emit_ipv4(&mut ip, &ispec, IpProtocol::SCTP, data);
        let mut f = Vec::new();
        emit_ethernet(&mut f, &EthernetSpec::default(), EtherType::IPV4, &ip);
        push(f);
    }
    // 10. The first frame again, mirrored through ERSPAN.
    let inner = sctp(
        10,
        2905,
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, &ati)],
    );
    let mut gre = Vec::new();
    emit_erspan_ii(&mut gre, r32, 1, &inner);
    let mut f = Vec::new();
    emit_ip_frame(
        &mut f,
        &EthernetSpec::default(),
        IpAddr::from([10, 9, 9, 9]),
        IpAddr::from([10, 9, 9, 8]),
        IpProtocol::GRE,
        &gre,
    );
    push(f);
    // 11. A malformed M3UA length; 12. ARP.
    let mut bad = ati.clone();
    bad[7] = 0xff;
    push(sctp(
        11,
        2905,
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, &bad)],
    ));
    let mut arp = Vec::new();
    emit_ethernet(&mut arp, &EthernetSpec::default(), EtherType::ARP, &[0; 28]);
    push(arp);
    out
}
