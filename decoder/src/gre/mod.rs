//! GRE (RFC 2784, RFC 2890) and the ERSPAN encapsulations that remote mirror ports send
//! (types I, II and III), so a probe fed from an ERSPAN session sees the mirrored frames.

use nom::number::complete::{be_u16, be_u8};

use crate::error::{
    complete, fail, located, need, take_len, DecodeError, ErrorKind, Layer, PResult,
};
use crate::link::EtherType;

/// GRE protocol type of ERSPAN types I and II.
pub(crate) const PROTO_ERSPAN_II: u16 = 0x88be;
/// GRE protocol type of ERSPAN type III.
pub(crate) const PROTO_ERSPAN_III: u16 = 0x22eb;

/// What a GRE packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GrePayload<'a> {
    /// The protocol of `payload`: an Ethernet frame is [`EtherType::TEB`].
    pub(crate) ethertype: EtherType,
    /// The encapsulated bytes.
    pub(crate) payload: &'a [u8],
    /// Where `payload` starts in the GRE packet.
    pub(crate) offset: usize,
}

/// Decode a GRE header and, for ERSPAN, the ERSPAN header after it.
pub(crate) fn parse_gre_packet(data: &[u8]) -> Result<GrePayload<'_>, DecodeError> {
    let r = located(Layer::Gre, data, gre);
    complete(data, Layer::Gre, r)
}

fn gre(i: &[u8]) -> PResult<'_, GrePayload<'_>> {
    let start = i.len();
    let (r, flags) = be_u16(i)?;
    if flags & 0x0007 != 0 {
        return fail(i, ErrorKind::Version(u32::from(flags & 7)));
    }
    let (mut r, proto) = be_u16(r)?;
    let seq_present = flags & 0x1000 != 0;
    let opt_len = 4
        * (usize::from(flags & 0x8000 != 0)
            + usize::from(flags & 0x2000 != 0)
            + usize::from(seq_present));
    (r, _) = take_len(r, opt_len, "packet")?;
    let (r, ethertype) = match proto {
        PROTO_ERSPAN_II if seq_present => {
            // Type II: 8-byte header, version 1 in the top nibble.
            let (_, ()) = need(r, 8)?;
            let (_, ver) = be_u8(r)?;
            if ver >> 4 != 1 {
                return fail(r, ErrorKind::Version(u32::from(ver >> 4)));
            }
            (&r[8..], EtherType::TEB)
        }
        // Type I has no sequence number and no ERSPAN header.
        PROTO_ERSPAN_II => (r, EtherType::TEB),
        PROTO_ERSPAN_III => {
            // Type III: 12-byte header, version 2; the O flag adds an 8-byte platform sub-header.
            let (_, ()) = need(r, 12)?;
            let (_, ver) = be_u8(r)?;
            if ver >> 4 != 2 {
                return fail(r, ErrorKind::Version(u32::from(ver >> 4)));
            }
            let o_flag = r[11] & 0x01 != 0;
            let len = if o_flag { 20 } else { 12 };
            let (rest, _) = take_len(r, len, "packet")?;
            (rest, EtherType::TEB)
        }
        other => (r, EtherType(other)),
    };
    Ok((
        &r[r.len()..],
        GrePayload {
            ethertype,
            payload: r,
            offset: start - r.len(),
        },
    ))
}

/// Append a GRE packet with an ERSPAN type II header around an Ethernet frame.
pub fn emit_erspan_ii(out: &mut Vec<u8>, seq: u32, session: u16, frame: &[u8]) {
    out.extend_from_slice(&0x1000u16.to_be_bytes());
    out.extend_from_slice(&PROTO_ERSPAN_II.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&[0x10, 0x00]); // version 1, VLAN 0
    out.extend_from_slice(&(session & 0x03ff).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(frame);
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn erspan_ii_round_trip() {
        let mut p = Vec::new();
        emit_erspan_ii(&mut p, 7, 3, b"inner-frame");
        let g = parse_gre_packet(&p).unwrap();
        assert_eq!(g.ethertype, EtherType::TEB);
        assert_eq!(g.payload, b"inner-frame");
        assert_eq!(g.offset, 16);
    }

    #[test]
    fn erspan_iii_with_subheader_and_plain_gre() {
        let mut p = hex!("0000 22eb").to_vec();
        p.extend_from_slice(&hex!("20000001 00000000 00000001"));
        p.extend_from_slice(&[0; 8]);
        p.extend_from_slice(b"eth");
        let g = parse_gre_packet(&p).unwrap();
        assert_eq!(g.payload, b"eth");
        let g = parse_gre_packet(&hex!("2000 0800 00000005 45")).unwrap();
        assert_eq!(g.ethertype, EtherType::IPV4);
        assert_eq!(g.payload, &[0x45]);
        assert_eq!(
            parse_gre_packet(&hex!("0001 0800")).unwrap_err().kind,
            ErrorKind::Version(1)
        );
    }
}
