use crate::gre::parse_gre_packet;
use crate::hash::mix64 as mix;
use crate::ip::{parse_ipv4_packet, parse_ipv6_packet, IpAddr, IpProtocol};
use crate::link::{parse_link, parse_link_ethernet, EtherType, LinkType};
use crate::mpls::parse_mpls;
use crate::vxlan::{parse_udp, parse_vxlan, PORT_VXLAN};

/// A hash of the frame's flow that is the same in both directions: the IP addresses and, for
/// TCP, UDP and SCTP packets that are not IP fragments, the ports. Frames that are not IP hash
/// to 0. GRE/ERSPAN is looked through, so mirrored traffic spreads like direct traffic.
///
/// IP fragments hash by addresses alone (later fragments carry no ports); a fragmented packet
/// may so reach another worker than its unfragmented siblings, which only matters for a user
/// message split both by SCTP and by IP.
pub fn flow_hash(linktype: LinkType, frame: &[u8]) -> u64 {
    if linktype == LinkType::ETHERNET {
        if let Some(h) = ethernet_ipv4_ports(frame) {
            return h;
        }
    }
    flow_hash_general(linktype, frame)
}

/// The common case from fixed offsets: untagged Ethernet, an unfragmented IPv4 packet with a
/// 20-byte header and a stated length, carrying TCP, UDP or SCTP. `None` for anything else,
/// which the general path hashes; where this gives a value, it is the general path's.
#[inline]
fn ethernet_ipv4_ports(f: &[u8]) -> Option<u64> {
    let ip = f.get(14..)?;
    if f[12..14] != [0x08, 0x00] || ip.len() < 24 || ip[0] != 0x45 {
        return None;
    }
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let fragment = u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff != 0;
    let protocol = ip[9];
    if total < 24 || total > ip.len() || fragment || !matches!(protocol, 6 | 17 | 132) {
        return None;
    }
    if protocol == 17 && ip[22..24] == PORT_VXLAN.to_be_bytes() {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([ip[at], ip[at + 1], ip[at + 2], ip[at + 3]]);
    let a = mix(u64::from(word(12))) ^ u64::from(u16::from_be_bytes([ip[20], ip[21]]));
    let b = mix(u64::from(word(16))) ^ u64::from(u16::from_be_bytes([ip[22], ip[23]]));
    Some(mix(a.min(b)
        ^ mix(a.max(b)).rotate_left(17)
        ^ u64::from(protocol)))
}

/// [`flow_hash`] by the full link and network parse.
fn flow_hash_general(linktype: LinkType, frame: &[u8]) -> u64 {
    let Ok(l) = parse_link(linktype, frame) else {
        return 0;
    };
    hash_network(l.ethertype, l.payload, 0)
}

fn hash_network(ethertype: EtherType, data: &[u8], depth: u8) -> u64 {
    let p = match ethertype {
        EtherType::IPV4 => parse_ipv4_packet(data),
        EtherType::IPV6 => parse_ipv6_packet(data),
        EtherType::MPLS | EtherType::MPLS_MULTICAST if depth < super::MAX_TUNNEL_DEPTH => {
            return match parse_mpls(data) {
                Ok(m) => hash_inner(m.ethertype, m.payload, depth + 1),
                Err(_) => 0,
            };
        }
        _ => return 0,
    };
    let Ok(p) = p else {
        return 0;
    };
    if p.protocol == IpProtocol::UDP && p.fragment.is_none() && depth < super::MAX_TUNNEL_DEPTH {
        let inner = parse_udp(p.payload)
            .ok()
            .filter(|u| u.dst_port == PORT_VXLAN)
            .and_then(|u| parse_vxlan(u.payload).ok());
        if let Some((frame, _)) = inner {
            return hash_inner(EtherType::TEB, frame, depth + 1);
        }
    }
    if p.protocol == IpProtocol::GRE && p.fragment.is_none() && depth < super::MAX_TUNNEL_DEPTH {
        if let Ok(g) = parse_gre_packet(p.payload) {
            return hash_inner(g.ethertype, g.payload, depth + 1);
        }
    }
    let ports = match p.protocol {
        IpProtocol::TCP | IpProtocol::UDP | IpProtocol::SCTP
            if p.fragment.is_none() && p.payload.len() >= 4 =>
        {
            let b = p.payload;
            Some((
                u16::from_be_bytes([b[0], b[1]]),
                u16::from_be_bytes([b[2], b[3]]),
            ))
        }
        _ => None,
    };
    let (sp, dp) = ports.unwrap_or((0, 0));
    let a = endpoint(p.src, sp);
    let b = endpoint(p.dst, dp);
    mix(a.min(b) ^ mix(a.max(b)).rotate_left(17) ^ u64::from(p.protocol.0))
}

/// What a tunnel carries: a network packet, or an Ethernet frame ([`EtherType::TEB`]).
fn hash_inner(ethertype: EtherType, data: &[u8], depth: u8) -> u64 {
    if ethertype != EtherType::TEB {
        return hash_network(ethertype, data, depth);
    }
    match parse_link_ethernet(data) {
        Ok(l) => hash_network(l.ethertype, l.payload, depth),
        Err(_) => 0,
    }
}

fn endpoint(ip: IpAddr, port: u16) -> u64 {
    let v = match ip {
        IpAddr::V4(a) => u64::from(u32::from(a)),
        IpAddr::V6(a) => {
            let o = u128::from(a);
            (o as u64) ^ ((o >> 64) as u64).rotate_left(29)
        }
    };
    mix(v) ^ u64::from(port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::EthernetSpec;
    use crate::sctp::{DataChunkSpec, Ppid, SctpSpec};
    use crate::stack::emit_sctp_frame;

    fn frame(a: [u8; 4], b: [u8; 4], sp: u16, dp: u16) -> Vec<u8> {
        let mut f = Vec::new();
        let spec = SctpSpec {
            src_port: sp,
            dst_port: dp,
            vtag: 1,
        };
        emit_sctp_frame(
            &mut f,
            &EthernetSpec::default(),
            a.into(),
            b.into(),
            &spec,
            &[DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, b"x")],
        );
        f
    }

    #[test]
    fn both_directions_hash_alike() {
        let ab = flow_hash(
            LinkType::ETHERNET,
            &frame([10, 0, 0, 1], [10, 0, 0, 2], 2905, 40000),
        );
        let ba = flow_hash(
            LinkType::ETHERNET,
            &frame([10, 0, 0, 2], [10, 0, 0, 1], 40000, 2905),
        );
        let other = flow_hash(
            LinkType::ETHERNET,
            &frame([10, 0, 0, 1], [10, 0, 0, 2], 2905, 40001),
        );
        assert_eq!(ab, ba);
        assert_ne!(ab, other);
        assert_eq!(flow_hash(LinkType::ETHERNET, &[0; 10]), 0);
    }

    proptest::proptest! {
        /// The fixed-offset path agrees with the full parse wherever it answers, on IPv4
        /// frames with any header bytes (lengths, flags, protocols, options) and payload.
        #[test]
        fn fast_path_is_the_general_path(
            ihl in proptest::prop_oneof![proptest::strategy::Just(0x45u8), 0x40u8..0x50],
            total in 0u16..120,
            flags in proptest::prop_oneof![proptest::strategy::Just(0u16), proptest::num::u16::ANY],
            protocol in proptest::prop_oneof![proptest::strategy::Just(132u8), proptest::strategy::Just(6u8), proptest::strategy::Just(17u8), proptest::num::u8::ANY],
            rest in proptest::collection::vec(proptest::num::u8::ANY, 0..100),
        ) {
            let mut f = vec![0u8; 12];
            f.extend_from_slice(&[0x08, 0x00, ihl, 0]);
            f.extend_from_slice(&total.to_be_bytes());
            f.extend_from_slice(&[0, 0]);
            f.extend_from_slice(&flags.to_be_bytes());
            f.extend_from_slice(&[64, protocol, 0, 0]);
            f.extend_from_slice(&rest);
            if let Some(h) = ethernet_ipv4_ports(&f) {
                proptest::prop_assert_eq!(h, flow_hash_general(LinkType::ETHERNET, &f));
            }
        }
    }

    #[test]
    fn fast_path_answers_for_plain_sctp() {
        let f = frame([10, 0, 0, 1], [10, 0, 0, 2], 2905, 40000);
        assert_eq!(
            ethernet_ipv4_ports(&f),
            Some(flow_hash_general(LinkType::ETHERNET, &f))
        );
    }
}
