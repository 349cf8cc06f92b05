//! The insertion and evasion tricks of Ptacek and Newsham, each against the frame decoder: a
//! packet the receiver drops changes nothing, and a second copy that differs from the first
//! is read as well, marked.

use super::*;

/// Every message a frame gave, with the evasion it was marked with.
fn marked(
    d: &mut FrameDecoder,
    frame: &[u8],
) -> (FrameClass, Vec<(&'static str, Option<Evasion>)>) {
    let mut got = Vec::new();
    let o = d.decode(
        FrameContext::default(),
        LinkType::ETHERNET,
        frame,
        &mut |m: &Message<'_>| {
            got.push(match m {
                Message::Map(m) => ("map", m.flow.evasion()),
                Message::Diameter(d) => ("diameter", d.flow.evasion()),
                Message::Evasion(e) => ("evasion", Some(e.kind())),
            });
        },
    );
    (o.class, got)
}

fn ati_chunk(tsn: u32, otid: u32) -> Vec<u8> {
    let m = m3ua_data(&sccp_udt(&ati_tcap(otid)));
    sctp_frame_on(
        &m3ua_assoc(),
        &[DataChunkSpec::whole(tsn, 1, 0, Ppid::M3UA, &m)],
    )
}

/// Offsets in an Ethernet/IPv4 frame.
const IPV4_CHECKSUM: usize = 14 + 10;
const SCTP_CHECKSUM: usize = 14 + 20 + 8;
const TCP_CHECKSUM: usize = 14 + 20 + 16;

#[test]
fn a_decoy_with_a_bad_crc_or_tag_does_not_hide_the_real_message() {
    for (what, spoil) in [
        (
            "crc",
            &(|f: &mut Vec<u8>| f[SCTP_CHECKSUM] ^= 1) as &dyn Fn(&mut Vec<u8>),
        ),
        ("vtag", &|f: &mut Vec<u8>| {
            // Another tag, with a CRC that is right for it.
            f[14 + 20 + 7] ^= 1;
            crate::sctp::fix_sctp_checksum(&mut f[14 + 20..]);
        }),
        ("ip header", &|f: &mut Vec<u8>| f[IPV4_CHECKSUM] ^= 1),
    ] {
        let mut d = FrameDecoder::default();
        // The path is seen to pass first (under `auto` a failing first packet could be an
        // offloading sender).
        assert_eq!(marked(&mut d, &ati_chunk(1, 1)).1, [("map", None)]);
        let mut decoy = ati_chunk(2, 99);
        spoil(&mut decoy);
        let (class, got) = marked(&mut d, &decoy);
        let reason = match what {
            "crc" => OtherReason::BadChecksum,
            "vtag" => OtherReason::BadVtag,
            _ => OtherReason::BadIpChecksum,
        };
        assert_eq!(class, FrameClass::Other(reason), "{what}");
        assert!(got.is_empty(), "{what}");
        // The real message with the decoy's TSN is new to the receiver, and to the probe.
        assert_eq!(
            marked(&mut d, &ati_chunk(2, 2)).1,
            [("map", None)],
            "{what}"
        );
    }
}

#[test]
fn retransmissions_are_silent_and_conflicting_copies_are_read_marked() {
    let mut d = FrameDecoder::default();
    assert_eq!(marked(&mut d, &ati_chunk(5, 1)).1, [("map", None)]);
    let (class, got) = marked(&mut d, &ati_chunk(5, 1));
    assert_eq!(class, FrameClass::Other(OtherReason::SctpRetransmission));
    assert!(got.is_empty());
    let (_, got) = marked(&mut d, &ati_chunk(5, 2));
    assert_eq!(got, [("map", Some(Evasion::SctpConflict))]);
    assert_eq!(d.stats().assoc.repeated, 1);
    assert_eq!(d.stats().assoc.conflicting, 1);
    // A conflicting copy that reads as nothing is the evasion alone.
    let junk = sctp_frame_on(
        &m3ua_assoc(),
        &[DataChunkSpec::whole(5, 1, 0, Ppid(99), b"not signalling")],
    );
    assert_eq!(
        marked(&mut d, &junk).1,
        [("evasion", Some(Evasion::SctpConflict))]
    );
}

#[test]
fn offloaded_checksums_are_taken_and_counted_under_auto_and_refused_under_verify() {
    let zeroed = |tsn| {
        let mut f = ati_chunk(tsn, tsn);
        f[SCTP_CHECKSUM..SCTP_CHECKSUM + 4].fill(0);
        f
    };
    let mut auto = FrameDecoder::default();
    for tsn in 1..=10 {
        assert_eq!(marked(&mut auto, &zeroed(tsn)).1, [("map", None)]);
    }
    let st = auto.stats().integrity;
    assert_eq!((st.unverified, st.offloaded), (10, 1));
    let mut verify = FrameDecoder::new(&DecoderConfig {
        checksums: ChecksumMode::Verify,
        ..DecoderConfig::default()
    });
    assert_eq!(
        marked(&mut verify, &zeroed(1)).0,
        FrameClass::Other(OtherReason::BadChecksum)
    );
    let mut ignore = FrameDecoder::new(&DecoderConfig {
        checksums: ChecksumMode::Ignore,
        ..DecoderConfig::default()
    });
    assert_eq!(marked(&mut ignore, &zeroed(1)).1, [("map", None)]);
    assert_eq!(ignore.stats().integrity.unverified, 0);
}

fn tcp_frame(seq: u32, payload: &[u8]) -> Vec<u8> {
    diameter_segment(seq, crate::tcp::Segment::ACK, payload)
}

#[test]
fn tcp_decoys_and_overlaps() {
    let (m1, m2) = (ulr(1), ulr(2));
    let mut d = FrameDecoder::default();
    assert_eq!(marked(&mut d, &tcp_frame(1, &m1)).1, [("diameter", None)]);
    let next = 1 + m1.len() as u32;
    // A decoy with a bad checksum carrying the next bytes: dropped by the receiver.
    let mut decoy = tcp_frame(next, &ulr(66));
    decoy[TCP_CHECKSUM] ^= 1;
    let (class, got) = marked(&mut d, &decoy);
    assert_eq!(class, FrameClass::Other(OtherReason::BadChecksum));
    assert!(got.is_empty());
    assert_eq!(
        marked(&mut d, &tcp_frame(next, &m2)).1,
        [("diameter", None)]
    );
    // The same bytes again: silent. Other bytes: read, marked.
    let (class, got) = marked(&mut d, &tcp_frame(next, &m2));
    assert_eq!(class, FrameClass::Signaling);
    assert!(got.is_empty());
    let (_, got) = marked(&mut d, &tcp_frame(next, &ulr(3)));
    assert_eq!(got, [("diameter", Some(Evasion::TcpOverlap))]);
    assert_eq!(d.stats().tcp.conflicts, 1);
}

#[test]
fn a_tcp_stream_that_lost_a_segment_reads_the_next_message_at_once() {
    let (m1, m2, m3) = (ulr(1), ulr(2), ulr(3));
    let mut d = FrameDecoder::default();
    assert_eq!(marked(&mut d, &tcp_frame(1, &m1)).1.len(), 1);
    let after = 1 + (m1.len() + m2.len()) as u32;
    // m2 never reaches the tap.
    assert_eq!(
        marked(&mut d, &tcp_frame(after, &m3)).1,
        [("diameter", None)]
    );
}

fn fragment(ident: u16, off: u16, more: bool, data: &[u8]) -> Vec<u8> {
    let mut ip = Vec::new();
    let spec = Ipv4Spec {
        ident,
        fragment: Some((off, more)),
        ..Ipv4Spec::new([192, 0, 2, 1].into(), [192, 0, 2, 2].into())
    };
    emit_ipv4(&mut ip, &spec, IpProtocol::SCTP, data);
    let mut f = Vec::new();
    emit_ethernet(&mut f, &EthernetSpec::default(), EtherType::IPV4, &ip);
    f
}

#[test]
fn overlapping_fragments_that_differ_are_read_both_ways() {
    let packet = |otid| {
        let m = m3ua_data(&sccp_udt(&ati_tcap(otid)));
        let mut p = Vec::new();
        crate::sctp::emit_sctp_packet(
            &mut p,
            &m3ua_assoc(),
            &[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, &m)],
        );
        p
    };
    let (real, other) = (packet(1), packet(2));
    assert_eq!(real.len(), other.len());
    // Where the two differ (the CRC, the transaction id) lies in the first fragment; the
    // rest is the same, so either way round the datagram is whole and its CRC right.
    let last_diff = (0..real.len())
        .rev()
        .find(|&i| real[i] != other[i])
        .unwrap();
    let n = (last_diff / 8 + 1) * 8;
    assert!(n < real.len());
    let mut d = FrameDecoder::default();
    // The first fragment, then another copy of it with other bytes, then the last.
    marked(&mut d, &fragment(7, 0, true, &real[..n]));
    marked(&mut d, &fragment(7, 0, true, &other[..n]));
    let (_, got) = marked(&mut d, &fragment(7, n as u16, false, &real[n..]));
    assert_eq!(
        got,
        [("map", None), ("map", Some(Evasion::IpOverlap))],
        "the first copy as some receivers keep it, the last as others do"
    );
    assert_eq!(d.stats().ip.conflicts, 1);
}

#[test]
fn a_multihomed_association_reassembles_over_both_paths() {
    let m = m3ua_data(&sccp_udt(&ati_tcap(4)));
    let (f1, f2) = m.split_at(m.len() / 2);
    let (c, second) = (IpAddr::from([192, 0, 2, 3]), IpAddr::from([192, 0, 2, 4]));
    let mut d = FrameDecoder::default();
    // INIT from b listing b and its second address; INIT-ACK from a listing a and c.
    let init = |tag: u32, tsn: u32, extra: IpAddr| {
        let mut v = Vec::new();
        v.extend_from_slice(&tag.to_be_bytes());
        v.extend_from_slice(&[0, 1, 0, 0, 0, 10, 0, 10]);
        v.extend_from_slice(&tsn.to_be_bytes());
        let IpAddr::V4(x) = extra else { panic!() };
        v.extend_from_slice(&[0, 5, 0, 8]);
        v.extend_from_slice(&x.octets());
        v
    };
    let on = |src: IpAddr, dst: IpAddr, vtag: u32, chunks: &[DataChunkSpec<'_>]| {
        let mut f = Vec::new();
        let spec = SctpSpec {
            vtag,
            ..m3ua_assoc()
        };
        emit_sctp_frame(&mut f, &EthernetSpec::default(), src, dst, &spec, chunks);
        f
    };
    let init_b = init(0xb0b, 1000, second);
    let init_a = init(0xa0a, 500, c);
    let frames = [
        on(
            b(),
            a(),
            0,
            &[DataChunkSpec::Control {
                kind: ChunkType::INIT,
                flags: 0,
                value: &init_b,
            }],
        ),
        on(
            a(),
            b(),
            0xb0b,
            &[DataChunkSpec::Control {
                kind: ChunkType::INIT_ACK,
                flags: 0,
                value: &init_a,
            }],
        ),
    ];
    for f in &frames {
        assert_eq!(
            marked(&mut d, f).0,
            FrameClass::Other(OtherReason::SctpControl)
        );
    }
    // a sends to b: tag 0xb0b; the first half to b, the second half to b's other address.
    let frag = |tsn, begin, end, data| DataChunkSpec::Data {
        tsn,
        stream: 1,
        ssn: 0,
        ppid: Ppid::M3UA,
        begin,
        end,
        data,
    };
    assert!(
        marked(&mut d, &on(a(), b(), 0xb0b, &[frag(500, true, false, f1)]))
            .1
            .is_empty()
    );
    let (_, got) = marked(&mut d, &on(c, second, 0xb0b, &[frag(501, false, true, f2)]));
    assert_eq!(got, [("map", None)]);
    // A retransmission over the other path is one.
    let (class, _) = marked(
        &mut d,
        &on(a(), second, 0xb0b, &[frag(501, false, true, f2)]),
    );
    assert_eq!(class, FrameClass::Other(OtherReason::SctpRetransmission));
    // The wrong tag on the second path is refused.
    let (class, _) = marked(&mut d, &on(c, second, 0xbad, &[frag(502, true, true, &m)]));
    assert_eq!(class, FrameClass::Other(OtherReason::BadVtag));
}
