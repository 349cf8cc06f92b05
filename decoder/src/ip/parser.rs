use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nom::number::complete::{be_u16, be_u32, be_u8};

use super::field::*;
use super::{Fragment, IpPacket, IpProtocol, MAX_IPV6_EXT_HEADERS};
use crate::error::{
    complete, fail, located, need, take_len, DecodeError, ErrorKind, Layer, PResult,
};

/// Decode an IPv4 header (RFC 791 §3.1). The payload is cut to the total length, so link-layer
/// padding never reaches the transport decoders.
pub fn parse_ipv4_packet(data: &[u8]) -> Result<IpPacket<'_>, DecodeError> {
    let r = located(Layer::Ipv4, data, ipv4);
    complete(data, Layer::Ipv4, r)
}

fn ipv4(i: &[u8]) -> PResult<'_, IpPacket<'_>> {
    let (_, ()) = need(i, V4_HEADER_LEN)?;
    let vihl = i[V4_VER_IHL];
    if vihl >> 4 != 4 {
        return fail(i, ErrorKind::Version(u32::from(vihl >> 4)));
    }
    let header_len = usize::from(vihl & 0x0f) * 4;
    if header_len < V4_HEADER_LEN {
        return fail(
            i,
            ErrorKind::LengthBelow {
                len: header_len as u32,
                min: V4_HEADER_LEN as u32,
            },
        );
    }
    let (_, ()) = need(i, header_len)?;
    let (_, total) = be_u16(&i[V4_LENGTH])?;
    // A total length of 0 is what a capture taken before TCP segmentation offload shows:
    // the kernel fills it in later. Wireshark then uses the captured length; so do we.
    let total = if total == 0 {
        i.len()
    } else {
        usize::from(total)
    };
    if total < header_len {
        return fail(
            &i[2..],
            ErrorKind::LengthBelow {
                len: total as u32,
                min: header_len as u32,
            },
        );
    }
    let (_, packet) = take_len(i, total, "frame")?;
    let (_, ident) = be_u16(&i[V4_IDENT])?;
    let (_, flg_off) = be_u16(&i[V4_FLG_OFF])?;
    let more = flg_off & 0x2000 != 0;
    let frag_off = u32::from(flg_off & 0x1fff) * 8;
    let fragment = (more || frag_off != 0).then_some(Fragment {
        id: u32::from(ident),
        offset: frag_off,
        more,
    });
    let src = Ipv4Addr::from(<[u8; 4]>::try_from(&i[V4_SRC]).unwrap_or_default());
    let dst = Ipv4Addr::from(<[u8; 4]>::try_from(&i[V4_DST]).unwrap_or_default());
    Ok((
        &i[total..],
        IpPacket {
            src: IpAddr::V4(src),
            dst: IpAddr::V4(dst),
            protocol: IpProtocol(i[V4_PROTOCOL]),
            payload: &packet[header_len..],
            offset: header_len,
            fragment,
        },
    ))
}

/// Decode an IPv6 header (RFC 8200 §3) and skip its extension headers (§4), noting a
/// fragment header if there is one.
pub fn parse_ipv6_packet(data: &[u8]) -> Result<IpPacket<'_>, DecodeError> {
    let r = located(Layer::Ipv6, data, ipv6);
    complete(data, Layer::Ipv6, r)
}

fn ipv6(i: &[u8]) -> PResult<'_, IpPacket<'_>> {
    let (_, ()) = need(i, V6_HEADER_LEN)?;
    if i[0] >> 4 != 6 {
        return fail(i, ErrorKind::Version(u32::from(i[0] >> 4)));
    }
    let (_, plen) = be_u16(&i[V6_LENGTH])?;
    let body = &i[V6_HEADER_LEN..];
    // Length 0: a jumbogram or an offloaded segment; use what was captured.
    let plen = if plen == 0 {
        body.len()
    } else {
        usize::from(plen)
    };
    let (_, mut rest) = take_len(body, plen, "frame")?;
    let mut next = IpProtocol(i[V6_NEXT]);
    let mut fragment = None;
    let mut n = 0;
    while matches!(
        next,
        IpProtocol::HOPOPT
            | IpProtocol::IPV6_ROUTE
            | IpProtocol::IPV6_OPTS
            | IpProtocol::IPV6_FRAG
            | IpProtocol::AH
    ) {
        n += 1;
        if n > MAX_IPV6_EXT_HEADERS {
            return fail(rest, ErrorKind::TooMany("IPv6 extension headers"));
        }
        let (_, nh) = be_u8(rest)?;
        let (r, len) = match next {
            IpProtocol::IPV6_FRAG => {
                let (r, _) = be_u8(&rest[1..])?;
                let (r, off_m) = be_u16(r)?;
                let (_, id) = be_u32(r)?;
                fragment = Some(Fragment {
                    id,
                    offset: u32::from(off_m >> 3) * 8,
                    more: off_m & 1 != 0,
                });
                (rest, 8)
            }
            IpProtocol::AH => {
                let (_, l) = be_u8(&rest[1..])?;
                (rest, (usize::from(l) + 2) * 4)
            }
            _ => {
                let (_, l) = be_u8(&rest[1..])?;
                (rest, (usize::from(l) + 1) * 8)
            }
        };
        let (r, _) = take_len(r, len, "packet")?;
        rest = r;
        next = IpProtocol(nh);
    }
    let offset = i.len() - body.len() + (plen - rest.len());
    let src = Ipv6Addr::from(<[u8; 16]>::try_from(&i[V6_SRC]).unwrap_or_default());
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(&i[V6_DST]).unwrap_or_default());
    Ok((
        &body[plen..],
        IpPacket {
            src: IpAddr::V6(src),
            dst: IpAddr::V6(dst),
            protocol: next,
            payload: rest,
            offset,
            fragment,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    const V4: [u8; 24] = hex!("45000018 1234 2000 40 84 0000 0a000001 0a000002 deadbeef");

    #[test]
    fn ipv4_basic_and_padding_trimmed() {
        let mut f = V4.to_vec();
        f.extend_from_slice(&[0; 6]); // Ethernet padding
        let p = parse_ipv4_packet(&f).unwrap();
        assert_eq!(p.protocol, IpProtocol::SCTP);
        assert_eq!(p.payload, &hex!("deadbeef"));
        assert_eq!(p.offset, 20);
        assert_eq!(
            p.fragment,
            Some(Fragment {
                id: 0x1234,
                offset: 0,
                more: true
            })
        );
        assert_eq!(p.src.to_string(), "10.0.0.1");
    }

    #[test]
    fn ipv4_errors() {
        let e = parse_ipv4_packet(&V4[..10]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Truncated { need: 20, have: 10 });
        let mut bad = V4;
        bad[0] = 0x55;
        assert_eq!(
            parse_ipv4_packet(&bad).unwrap_err().kind,
            ErrorKind::Version(5)
        );
        let mut bad = V4;
        bad[0] = 0x44;
        assert!(matches!(
            parse_ipv4_packet(&bad).unwrap_err().kind,
            ErrorKind::LengthBelow { .. }
        ));
        let mut long = V4;
        long[3] = 0xff;
        let e = parse_ipv4_packet(&long).unwrap_err();
        assert_eq!(
            e.to_string(),
            "ipv4: length 255 exceeds frame (24) at offset 0"
        );
    }

    #[test]
    fn ipv4_total_length_zero_uses_captured_length() {
        let mut tso = V4;
        tso[2] = 0;
        tso[3] = 0;
        assert_eq!(parse_ipv4_packet(&tso).unwrap().payload.len(), 4);
    }

    #[test]
    fn ipv6_skips_extension_headers_and_sees_fragment() {
        let mut f = hex!("60000000 0018 00 40").to_vec();
        f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        f.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        f.extend_from_slice(&hex!("2c00 0000 00000000")); // hop-by-hop -> fragment
        f.extend_from_slice(&hex!("84 00 0011 0000abcd")); // fragment -> SCTP, offset 16, M=1
        f.extend_from_slice(&hex!("01020304 05060708"));
        let p = parse_ipv6_packet(&f).unwrap();
        assert_eq!(p.protocol, IpProtocol::SCTP);
        assert_eq!(p.offset, 56);
        assert_eq!(p.payload, &hex!("01020304 05060708"));
        assert_eq!(
            p.fragment,
            Some(Fragment {
                id: 0xabcd,
                offset: 16,
                more: true
            })
        );
    }

    #[test]
    fn ipv6_extension_header_past_end() {
        let mut f = hex!("60000000 0008 3c 40").to_vec();
        f.extend_from_slice(&[0; 32]);
        f.extend_from_slice(&hex!("84 05 000000000000")); // dest opts claims 48 bytes
        let e = parse_ipv6_packet(&f).unwrap_err();
        assert_eq!(e.layer, Layer::Ipv6);
        assert!(matches!(e.kind, ErrorKind::LengthExceeds { .. }));
    }
}
