use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::IpProtocol;

/// What [`emit_ipv4`] writes.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4Spec {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Identification.
    pub ident: u16,
    /// Fragment offset in bytes (a multiple of 8) and the more-fragments flag.
    pub fragment: Option<(u16, bool)>,
}

impl Ipv4Spec {
    /// An unfragmented packet.
    pub fn new(src: Ipv4Addr, dst: Ipv4Addr) -> Self {
        Ipv4Spec {
            src,
            dst,
            ident: 0,
            fragment: None,
        }
    }
}

/// Append an IPv4 packet (20-byte header with checksum) carrying `payload`.
pub fn emit_ipv4(out: &mut Vec<u8>, spec: &Ipv4Spec, protocol: IpProtocol, payload: &[u8]) {
    let start = out.len();
    let total = (20 + payload.len()).min(usize::from(u16::MAX)) as u16;
    let flg_off = match spec.fragment {
        Some((off, more)) => (off / 8) | if more { 0x2000 } else { 0 },
        None => 0x4000, // don't fragment
    };
    out.extend_from_slice(&[0x45, 0]);
    out.extend_from_slice(&total.to_be_bytes());
    out.extend_from_slice(&spec.ident.to_be_bytes());
    out.extend_from_slice(&flg_off.to_be_bytes());
    out.extend_from_slice(&[64, protocol.0, 0, 0]);
    out.extend_from_slice(&spec.src.octets());
    out.extend_from_slice(&spec.dst.octets());
    let sum = internet_checksum(&out[start..start + 20]);
    out[start + 10..start + 12].copy_from_slice(&sum.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Append an IPv6 packet without extension headers carrying `payload`.
pub fn emit_ipv6(
    out: &mut Vec<u8>,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    protocol: IpProtocol,
    payload: &[u8],
) {
    out.extend_from_slice(&[0x60, 0, 0, 0]);
    out.extend_from_slice(&(payload.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
    out.extend_from_slice(&[protocol.0, 64]);
    out.extend_from_slice(&src.octets());
    out.extend_from_slice(&dst.octets());
    out.extend_from_slice(payload);
}

/// The ones'-complement sum of RFC 1071.
pub(crate) fn internet_checksum(data: &[u8]) -> u16 {
    fold(add_words(0, data))
}

/// The checksum of a TCP or UDP segment (RFC 9293 §3.1, RFC 8200 §8.1): over a
/// pseudo-header of the addresses (IPv4, or IPv6 with IPv4 addresses mapped), the protocol
/// and the length, then the segment. Over a segment with its checksum filled in, 0 when it
/// is right.
pub(crate) fn transport_checksum(
    src: IpAddr,
    dst: IpAddr,
    protocol: IpProtocol,
    segment: &[u8],
) -> u16 {
    let mut sum = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => add_words(add_words(0, &s.octets()), &d.octets()),
        (s, d) => {
            let v6 = |a: IpAddr| match a {
                IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
                IpAddr::V6(a) => a.octets(),
            };
            add_words(add_words(0, &v6(s)), &v6(d))
        }
    };
    let len = segment.len() as u64;
    sum += u64::from(protocol.0) + (len >> 16) + (len & 0xffff);
    fold(add_words(sum, segment))
}

/// Add `data`'s 16-bit big-endian words to `sum` (an odd last octet padded with zero), four
/// at a time: the ones' complement sum of 32-bit big-endian words, folded, is that of their
/// 16-bit halves (RFC 1071 §2), and a 64-bit sum of 32-bit words cannot overflow on a packet.
fn add_words(mut sum: u64, data: &[u8]) -> u64 {
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        sum += u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    }
    let mut pairs = words.remainder().chunks_exact(2);
    for p in &mut pairs {
        sum += u64::from(u16::from_be_bytes([p[0], p[1]]));
    }
    if let [last] = pairs.remainder() {
        sum += u64::from(*last) << 8;
    }
    sum
}

/// Fold a sum to 16 bits and complement it.
fn fold(mut sum: u64) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ip::{parse_ipv4_packet, parse_ipv6_packet};

    proptest::proptest! {
        /// Four octets at a time sums what two at a time sums, at every length.
        #[test]
        fn words_by_four_are_words_by_two(data in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let mut naive = 0u64;
            for p in data.chunks(2) {
                naive += u64::from(u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]));
            }
            proptest::prop_assert_eq!(fold(add_words(0, &data)), fold(naive));
        }
    }

    #[test]
    fn ipv4_round_trip_with_valid_checksum() {
        let mut out = Vec::new();
        let spec = Ipv4Spec::new(Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2));
        emit_ipv4(&mut out, &spec, IpProtocol::SCTP, b"hello");
        assert_eq!(internet_checksum(&out[..20]), 0);
        let p = parse_ipv4_packet(&out).unwrap();
        assert_eq!(p.payload, b"hello");
        assert_eq!(p.fragment, None);
    }

    #[test]
    fn ipv6_round_trip() {
        let mut out = Vec::new();
        emit_ipv6(
            &mut out,
            Ipv6Addr::LOCALHOST,
            Ipv6Addr::LOCALHOST,
            IpProtocol::TCP,
            b"x",
        );
        let p = parse_ipv6_packet(&out).unwrap();
        assert_eq!(p.protocol, IpProtocol::TCP);
        assert_eq!(p.payload, b"x");
    }
}
