use arrayvec::ArrayVec;
use nom::number::complete::{be_u16, be_u32, le_u32};

use super::field::*;
use super::{EtherType, LinkFrame, LinkType, MAX_VLAN_TAGS};
use crate::error::{complete, located, need, DecodeError, ErrorKind, Layer, PResult};

/// Decode the link header of a frame captured with `linktype`.
pub fn parse_link(linktype: LinkType, frame: &[u8]) -> Result<LinkFrame<'_>, DecodeError> {
    match linktype {
        LinkType::ETHERNET => parse_link_ethernet(frame),
        LinkType::LINUX_SLL => {
            let r = located(Layer::Link, frame, |i| {
                let (_, ()) = need(i, SLL_HEADER_LEN)?;
                let (_, proto) = be_u16(&i[SLL_PROTOCOL])?;
                Ok((&i[SLL_HEADER_LEN..], proto))
            });
            let proto = complete(frame, Layer::Link, r)?;
            after_type(frame, SLL_HEADER_LEN, EtherType(proto), ArrayVec::new())
        }
        LinkType::LINUX_SLL2 => {
            let r = located(Layer::Link, frame, |i| {
                let (_, ()) = need(i, SLL2_HEADER_LEN)?;
                let (_, proto) = be_u16(&i[SLL2_PROTOCOL])?;
                Ok((&i[SLL2_HEADER_LEN..], proto))
            });
            let proto = complete(frame, Layer::Link, r)?;
            after_type(frame, SLL2_HEADER_LEN, EtherType(proto), ArrayVec::new())
        }
        LinkType::NULL | LinkType::LOOP => {
            let r = located(Layer::Link, frame, |i| {
                let (_, ()) = need(i, NULL_HEADER_LEN)?;
                // NULL is in the writer's byte order, LOOP in network order; the values are
                // small, so whichever reading is below 256 is the right one.
                let (_, le) = le_u32(i)?;
                let (_, be) = be_u32(i)?;
                let family = if le < 256 { le } else { be };
                Ok((&i[NULL_HEADER_LEN..], family))
            });
            let family = complete(frame, Layer::Link, r)?;
            let ethertype = match family {
                2 => EtherType::IPV4,
                // AF_INET6 differs per OS: BSD 24, FreeBSD 28, Darwin 30, Linux 10.
                10 | 24 | 28 | 30 => EtherType::IPV6,
                _ => {
                    return Err(DecodeError::new(
                        Layer::Link,
                        ErrorKind::Invalid("unknown address family"),
                        0,
                    ))
                }
            };
            Ok(LinkFrame {
                ethertype,
                vlans: ArrayVec::new(),
                payload: &frame[NULL_HEADER_LEN..],
                offset: NULL_HEADER_LEN,
            })
        }
        LinkType::RAW
        | LinkType::RAW_BSD12
        | LinkType::RAW_BSD14
        | LinkType::IPV4
        | LinkType::IPV6 => {
            let ethertype = match frame.first().map(|b| b >> 4) {
                Some(4) => EtherType::IPV4,
                Some(6) => EtherType::IPV6,
                Some(_) => {
                    return Err(DecodeError::new(
                        Layer::Link,
                        ErrorKind::Invalid("raw IP version is neither 4 nor 6"),
                        0,
                    ))
                }
                None => {
                    return Err(DecodeError::new(
                        Layer::Link,
                        ErrorKind::Truncated { need: 1, have: 0 },
                        0,
                    ))
                }
            };
            Ok(LinkFrame {
                ethertype,
                vlans: ArrayVec::new(),
                payload: frame,
                offset: 0,
            })
        }
        _ => Err(DecodeError::new(
            Layer::Link,
            ErrorKind::Unsupported("link type"),
            0,
        )),
    }
}

/// Decode an Ethernet header and any VLAN tags after it: Ethernet II, or IEEE 802.3 (a
/// length where the type would be) with an LLC/SNAP header naming the type, as some taps
/// and older equipment frame it.
pub fn parse_link_ethernet(frame: &[u8]) -> Result<LinkFrame<'_>, DecodeError> {
    let r = located(Layer::Eth, frame, |i| {
        let (_, ()) = need(i, ETH_HEADER_LEN)?;
        let (_, t) = be_u16(&i[ETH_TYPE])?;
        Ok((&i[ETH_HEADER_LEN..], t))
    });
    let ethertype = complete(frame, Layer::Eth, r)?;
    if ethertype < EtherType::MIN {
        return llc(frame, usize::from(ethertype));
    }
    after_type(frame, ETH_HEADER_LEN, EtherType(ethertype), ArrayVec::new())
}

/// An IEEE 802.3 frame of `length` octets after its header: LLC/SNAP (AA AA 03, an OUI, a
/// type) leads on like Ethernet II; any other LLC is no protocol of the probe's.
fn llc(frame: &[u8], length: usize) -> Result<LinkFrame<'_>, DecodeError> {
    let Some(body) = frame.get(ETH_HEADER_LEN..ETH_HEADER_LEN + length) else {
        return Err(crate::error::exceeds(
            Layer::Eth,
            length,
            frame.len() - ETH_HEADER_LEN,
            "frame",
            ETH_TYPE.start,
        ));
    };
    match body.first_chunk::<LLC_SNAP_LEN>() {
        Some(&[0xaa, 0xaa, 0x03, _, _, _, t0, t1]) => {
            let end = ETH_HEADER_LEN + length;
            let r = after_type(
                &frame[..end],
                ETH_HEADER_LEN + LLC_SNAP_LEN,
                EtherType(u16::from_be_bytes([t0, t1])),
                ArrayVec::new(),
            )?;
            Ok(r)
        }
        _ => Ok(LinkFrame {
            ethertype: EtherType::LLC,
            vlans: ArrayVec::new(),
            payload: body,
            offset: ETH_HEADER_LEN,
        }),
    }
}

/// Unwrap VLAN tags that follow a type field ending at `offset`.
fn after_type(
    frame: &[u8],
    offset: usize,
    ethertype: EtherType,
    mut vlans: ArrayVec<u16, MAX_VLAN_TAGS>,
) -> Result<LinkFrame<'_>, DecodeError> {
    let mut ethertype = ethertype;
    let mut offset = offset;
    while matches!(
        ethertype,
        EtherType::VLAN | EtherType::QINQ | EtherType::QINQ_OLD
    ) {
        let tag = &frame[offset..];
        let r = located(Layer::Vlan, tag, |i: &[u8]| -> PResult<'_, (u16, u16)> {
            let (i, tci) = be_u16(i)?;
            let (i, inner) = be_u16(i)?;
            Ok((i, (tci & 0x0fff, inner)))
        });
        let (vid, inner) = complete(tag, Layer::Vlan, r).map_err(|e| e.shifted(offset))?;
        if vlans.try_push(vid).is_err() {
            return Err(DecodeError::new(
                Layer::Vlan,
                ErrorKind::TooMany("VLAN tags"),
                offset,
            ));
        }
        ethertype = EtherType(inner);
        offset += VLAN_TAG_LEN;
    }
    Ok(LinkFrame {
        ethertype,
        vlans,
        payload: &frame[offset..],
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn ethernet_with_qinq() {
        let f = hex!("ffffffffffff 020000000001 88a8 0064 8100 00c8 0800 45");
        let l = parse_link(LinkType::ETHERNET, &f).unwrap();
        assert_eq!(l.ethertype, EtherType::IPV4);
        assert_eq!(l.vlans.as_slice(), &[100, 200]);
        assert_eq!(l.offset, 22);
        assert_eq!(l.payload, &[0x45]);
    }

    #[test]
    fn too_many_tags_is_malformed_vlan() {
        let mut f = hex!("ffffffffffff 020000000001").to_vec();
        for _ in 0..5 {
            f.extend_from_slice(&hex!("8100 0001"));
        }
        f.extend_from_slice(&hex!("0800"));
        let e = parse_link(LinkType::ETHERNET, &f).unwrap_err();
        assert_eq!(e.layer, Layer::Vlan);
        assert_eq!(e.offset, 30);
    }

    #[test]
    fn truncated_vlan_tag() {
        let f = hex!("ffffffffffff 020000000001 8100 00");
        let e = parse_link(LinkType::ETHERNET, &f).unwrap_err();
        assert_eq!(e.layer, Layer::Vlan);
        assert_eq!(e.offset, 14);
    }

    #[test]
    fn llc_snap_leads_on_and_other_llc_is_not_ip() {
        // 802.3 length 10: LLC/SNAP naming IPv4, then two octets; padding after is cut off.
        let f = hex!("ffffffffffff 020000000001 000a aaaa03 000000 0800 4500 0000");
        let l = parse_link(LinkType::ETHERNET, &f).unwrap();
        assert_eq!((l.ethertype, l.offset), (EtherType::IPV4, 22));
        assert_eq!(l.payload, &[0x45, 0]);
        let stp = hex!("0180c2000000 020000000001 0003 424203");
        assert_eq!(
            parse_link(LinkType::ETHERNET, &stp).unwrap().ethertype,
            EtherType::LLC
        );
        let e = parse_link(LinkType::ETHERNET, &stp[..15]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Eth, 12));
    }

    #[test]
    fn sll_and_sll2() {
        let sll = hex!("0000 0001 0006 020000000001 0000 86dd 60");
        let l = parse_link(LinkType::LINUX_SLL, &sll).unwrap();
        assert_eq!(l.ethertype, EtherType::IPV6);
        assert_eq!(l.offset, 16);
        let sll2 = hex!("0800 0000 00000002 0001 00 06 020000000001 0000 45");
        let l = parse_link(LinkType::LINUX_SLL2, &sll2).unwrap();
        assert_eq!(l.ethertype, EtherType::IPV4);
        assert_eq!(l.offset, 20);
        assert_eq!(
            parse_link(LinkType::LINUX_SLL, &sll[..10])
                .unwrap_err()
                .layer,
            Layer::Link
        );
    }

    #[test]
    fn loopback_both_byte_orders_and_raw() {
        let le = hex!("02000000 45");
        let be = hex!("00000002 45");
        assert_eq!(
            parse_link(LinkType::NULL, &le).unwrap().ethertype,
            EtherType::IPV4
        );
        assert_eq!(
            parse_link(LinkType::LOOP, &be).unwrap().ethertype,
            EtherType::IPV4
        );
        assert_eq!(
            parse_link(LinkType::RAW, &hex!("60")).unwrap().ethertype,
            EtherType::IPV6
        );
        assert!(parse_link(LinkType::RAW, &hex!("50")).is_err());
        assert!(parse_link(LinkType(147), &hex!("50")).is_err());
    }
}
