//! MPLS (RFC 3032): the label stack a carrier backbone puts in front of what it carries, and
//! what the bottom of the stack leads to: IPv4, IPv6, or an Ethernet pseudowire (RFC 4448),
//! with or without its control word.

use crate::error::{cut_in, DecodeError, ErrorKind, Layer};
use crate::link::EtherType;

/// The most labels unwrapped from one packet; a deeper stack makes it malformed.
const MAX_LABELS: usize = 8;
/// One label stack entry: label, traffic class, bottom-of-stack bit, TTL.
const ENTRY_LEN: usize = 4;
/// The IPv4 explicit-null label.
const IPV4_EXPLICIT_NULL: u32 = 0;
/// The IPv6 explicit-null label.
const IPV6_EXPLICIT_NULL: u32 = 2;

/// What follows a label stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MplsPayload<'a> {
    /// IPv4, IPv6, or [`EtherType::TEB`] for an Ethernet frame.
    pub(crate) ethertype: EtherType,
    /// The bytes after the stack (and the pseudowire control word).
    pub(crate) payload: &'a [u8],
    /// Where `payload` starts.
    pub(crate) offset: usize,
}

/// Unwrap a label stack. Behind the bottom label: IPv4 or IPv6 as the explicit-null label or
/// the version nibble says (as tshark reads it); a first nibble of 0 is an Ethernet
/// pseudowire's control word, then the frame; anything else, an Ethernet frame without one.
pub(crate) fn parse_mpls(data: &[u8]) -> Result<MplsPayload<'_>, DecodeError> {
    let mut at = 0;
    for _ in 0..MAX_LABELS {
        let Some(&[a, b, c, _ttl]) = data.get(at..).and_then(<[u8]>::first_chunk) else {
            let have = data.len() - at.min(data.len());
            return Err(cut_in(Layer::Mpls, have, &[ENTRY_LEN]).shifted(at));
        };
        at += ENTRY_LEN;
        if c & 0x01 == 0 {
            continue;
        }
        let label = u32::from(a) << 12 | u32::from(b) << 4 | u32::from(c) >> 4;
        let rest = &data[at..];
        let (ethertype, skip) = match (label, rest.first().map(|v| v >> 4)) {
            (IPV4_EXPLICIT_NULL, _) | (_, Some(4)) => (EtherType::IPV4, 0),
            (IPV6_EXPLICIT_NULL, _) | (_, Some(6)) => (EtherType::IPV6, 0),
            (_, Some(0)) => (EtherType::TEB, 4),
            (_, Some(_)) => (EtherType::TEB, 0),
            (_, None) => {
                return Err(DecodeError::new(
                    Layer::Mpls,
                    ErrorKind::Truncated { need: 1, have: 0 },
                    at,
                ))
            }
        };
        let Some(payload) = rest.get(skip..) else {
            return Err(cut_in(Layer::Mpls, rest.len(), &[skip]).shifted(at));
        };
        return Ok(MplsPayload {
            ethertype,
            payload,
            offset: at + skip,
        });
    }
    Err(DecodeError::new(
        Layer::Mpls,
        ErrorKind::TooMany("MPLS labels"),
        at,
    ))
}

/// Append a label stack of `labels` (the last one at the bottom), then `payload`; `control
/// word`: an Ethernet pseudowire's four zero octets before it.
pub fn emit_mpls(out: &mut Vec<u8>, labels: &[u32], control_word: bool, payload: &[u8]) {
    for (n, l) in labels.iter().enumerate() {
        let bottom = u32::from(n + 1 == labels.len());
        let entry = (l & 0xf_ffff) << 12 | bottom << 8 | 64;
        out.extend_from_slice(&entry.to_be_bytes());
    }
    if control_word {
        out.extend_from_slice(&[0; 4]);
    }
    out.extend_from_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_lead_to_ip_or_ethernet() {
        let mut p = Vec::new();
        emit_mpls(&mut p, &[1000, 2000], false, &[0x45, 0]);
        let m = parse_mpls(&p).unwrap();
        assert_eq!((m.ethertype, m.offset), (EtherType::IPV4, 8));
        let mut p = Vec::new();
        emit_mpls(&mut p, &[16], true, &[0x02, 0, 0, 0, 0, 1]);
        let m = parse_mpls(&p).unwrap();
        assert_eq!((m.ethertype, m.offset), (EtherType::TEB, 8));
        assert_eq!(m.payload[0], 0x02);
        let mut p = Vec::new();
        emit_mpls(&mut p, &[2], false, &[0x00]);
        assert_eq!(parse_mpls(&p).unwrap().ethertype, EtherType::IPV6);
    }

    #[test]
    fn bad_stacks_are_located() {
        let mut p = Vec::new();
        emit_mpls(&mut p, &[1, 2, 3, 4, 5, 6, 7, 8, 9], false, &[0x45]);
        let e = parse_mpls(&p).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Mpls, 32));
        let e = parse_mpls(&p[..6]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Mpls, 4));
        let mut p = Vec::new();
        emit_mpls(&mut p, &[7], false, &[]);
        assert_eq!(parse_mpls(&p).unwrap_err().offset, 4);
    }
}
