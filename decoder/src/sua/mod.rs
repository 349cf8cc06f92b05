//! SUA (RFC 3868) connectionless data transfer: CLDT, with its own address format
//! (§3.10.2), whose data is TCAP directly. Other SUA messages are named by class and type.
//!
//! SUA shares M3UA's common header and TLV parameters, read here with the `m3ua` module.

use nom::number::complete::{be_u16, be_u32, be_u8};

use crate::error::{complete, fail, located, need, DecodeError, ErrorKind, Layer, PResult};
use crate::m3ua::{self, emit_m3ua_message, MessageClass, MessageType, Params};
use crate::sccp::{Address, GlobalTitle, Segmentation, Ssn};

/// SUA parameter tags used here (RFC 3868 §3.10).
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod tag {
    /// Routing Context.
    pub(crate) const ROUTING_CONTEXT: u16 = 0x0006;
    /// SS7 Hop Count.
    pub(crate) const HOP_COUNT: u16 = 0x0101;
    /// Source Address.
    pub(crate) const SOURCE_ADDRESS: u16 = 0x0102;
    /// Destination Address.
    pub(crate) const DESTINATION_ADDRESS: u16 = 0x0103;
    /// Data.
    pub(crate) const DATA: u16 = 0x010b;
    /// Protocol Class.
    pub(crate) const PROTOCOL_CLASS: u16 = 0x0115;
    /// Sequence Control.
    pub(crate) const SEQUENCE_CONTROL: u16 = 0x0116;
    /// Segmentation.
    pub(crate) const SEGMENTATION: u16 = 0x0117;
    /// Global Title sub-parameter of an address.
    pub(crate) const GLOBAL_TITLE: u16 = 0x8001;
    /// Point Code sub-parameter.
    pub(crate) const POINT_CODE: u16 = 0x8002;
    /// Subsystem Number sub-parameter.
    pub(crate) const SSN: u16 = 0x8003;
}

/// SUA routing indicator: route on global title.
pub(crate) const ROUTE_ON_GT: u16 = 1;
/// SUA routing indicator: route on SSN and point code.
pub(crate) const ROUTE_ON_SSN_PC: u16 = 2;

/// A CLDT message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cldt<'a> {
    /// Routing context.
    pub(crate) routing_context: Option<u32>,
    /// Protocol class (0 or 1) and return option.
    pub(crate) protocol_class: Option<u8>,
    /// SS7 hop count.
    pub(crate) hop_count: Option<u8>,
    /// Source (calling) address.
    pub(crate) source: Address<'a>,
    /// Destination (called) address.
    pub(crate) destination: Address<'a>,
    /// The raw source address parameter (it names the sender for reassembly).
    pub(crate) source_raw: &'a [u8],
    /// The TCAP bytes.
    pub(crate) data: &'a [u8],
    /// Where `data` starts in the SUA message.
    pub(crate) data_offset: usize,
    /// Segmentation, when the message is one segment of a larger one.
    pub(crate) segmentation: Option<Segmentation>,
}

/// What a SUA message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Message<'a> {
    /// Connectionless data transfer, decoded.
    Cldt(Cldt<'a>),
    /// Any other SUA message (management, CLDR, connection-oriented).
    Other(MessageClass, MessageType),
}

/// Decode a SUA message.
pub(crate) fn parse_sua_message(data: &[u8]) -> Result<Message<'_>, DecodeError> {
    let (_, msg) = m3ua::common(data, Layer::Sua)?;
    if (msg.class, msg.kind) != (MessageClass::CL, MessageType::CLDT) {
        return Ok(Message::Other(msg.class, msg.kind));
    }
    let mut c = Cldt {
        routing_context: None,
        protocol_class: None,
        hop_count: None,
        source: Address::default(),
        destination: Address::default(),
        source_raw: &[],
        data: &[],
        data_offset: 0,
        segmentation: None,
    };
    let mut have = (false, false, false);
    for p in Params::new(&msg, Layer::Sua) {
        let p = p?;
        let at = |e: DecodeError| e.shifted(p.offset + 4);
        let v = p.value;
        match p.tag {
            tag::ROUTING_CONTEXT => c.routing_context = Some(fixed(v, 4).map_err(at)? as u32),
            tag::PROTOCOL_CLASS => c.protocol_class = Some(fixed(v, 4).map_err(at)? as u8),
            tag::HOP_COUNT => c.hop_count = Some(fixed(v, 4).map_err(at)? as u8),
            tag::SOURCE_ADDRESS => {
                c.source = complete(v, Layer::Sua, located(Layer::Sua, v, address)).map_err(at)?;
                c.source_raw = v;
                have.0 = true;
            }
            tag::DESTINATION_ADDRESS => {
                c.destination =
                    complete(v, Layer::Sua, located(Layer::Sua, v, address)).map_err(at)?;
                have.1 = true;
            }
            tag::DATA => {
                c.data = v;
                c.data_offset = p.offset + 4;
                have.2 = true;
            }
            tag::SEGMENTATION => {
                let s = fixed(v, 4).map_err(at)? as u32;
                c.segmentation = Some(Segmentation {
                    first: s & 0x8000_0000 != 0,
                    class1: false,
                    remaining: ((s >> 24) & 0x0f) as u8,
                    local_ref: s & 0x00ff_ffff,
                });
            }
            _ => {}
        }
    }
    let missing = match have {
        (false, _, _) => Some("CLDT without Source Address"),
        (_, false, _) => Some("CLDT without Destination Address"),
        (_, _, false) => Some("CLDT without Data"),
        _ => None,
    };
    match missing {
        Some(m) => Err(DecodeError::new(Layer::Sua, ErrorKind::Invalid(m), 0)),
        None => Ok(Message::Cldt(c)),
    }
}

fn fixed(v: &[u8], n: usize) -> Result<u64, DecodeError> {
    let r = located(Layer::Sua, v, |i| {
        let (_, ()) = need(i, n)?;
        if i.len() != n {
            return fail(
                i,
                ErrorKind::Invalid("fixed-length parameter of the wrong size"),
            );
        }
        Ok((
            &i[n..],
            i[..n].iter().fold(0u64, |a, &b| a << 8 | u64::from(b)),
        ))
    });
    complete(v, Layer::Sua, r)
}

/// Decode a SUA address (RFC 3868 §3.10.2) into the SCCP address form.
fn address(i: &[u8]) -> PResult<'_, Address<'_>> {
    let (r, ri) = be_u16(i)?;
    let (mut r, _ai) = be_u16(r)?;
    let mut a = Address {
        route_on_ssn: ri == ROUTE_ON_SSN_PC,
        ..Address::default()
    };
    for _ in 0..8 {
        if r.is_empty() {
            break;
        }
        let (rest, t) = be_u16(r)?;
        let (_, len) = be_u16(rest)?;
        let len = usize::from(len);
        if len < 4 {
            return fail(
                rest,
                ErrorKind::LengthBelow {
                    len: len as u32,
                    min: 4,
                },
            );
        }
        let (_, whole) = crate::error::take_len(r, len, "address")?;
        let v = &whole[4..];
        match t {
            tag::GLOBAL_TITLE => {
                // Reserved (3), GTI, number of digits, TT, NP, NAI, then BCD digits.
                let (_, ()) = need(v, 8)?;
                let (_, gti) = be_u8(&v[3..])?;
                let n_digits = usize::from(v[4]);
                let bcd = &v[8..];
                if n_digits.div_ceil(2) > bcd.len() {
                    return fail(
                        &v[4..],
                        ErrorKind::Invalid("more digits announced than present"),
                    );
                }
                a.gti = gti & 0x0f;
                a.gt = Some(GlobalTitle {
                    tt: Some(v[5]),
                    np: Some(v[6]),
                    es: Some(if n_digits % 2 == 1 { 1 } else { 2 }),
                    nai: Some(v[7]),
                    odd: n_digits % 2 == 1,
                    bcd: &bcd[..n_digits.div_ceil(2)],
                });
            }
            tag::POINT_CODE => {
                let (_, pc) = be_u32(v)?;
                a.pc = Some(pc & 0x00ff_ffff);
            }
            tag::SSN => {
                let (_, ssn) = be_u32(v)?;
                a.ssn = Some(Ssn((ssn & 0xff) as u8));
            }
            _ => {}
        }
        r = &r[len.next_multiple_of(4).min(r.len())..];
    }
    Ok((&i[i.len()..], a))
}

/// A SUA address to write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SuaAddressSpec {
    /// Point code.
    pub pc: Option<u32>,
    /// Subsystem number.
    pub ssn: Option<u8>,
    /// E.164 global title digits (GTI 4, TT 0, NP 1, NAI 4).
    pub gt: Option<String>,
}

fn tlv(out: &mut Vec<u8>, t: u16, v: &[u8]) {
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&((4 + v.len()) as u16).to_be_bytes());
    out.extend_from_slice(v);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn encode_address(a: &SuaAddressSpec) -> Vec<u8> {
    let ri = if a.gt.is_some() {
        ROUTE_ON_GT
    } else {
        ROUTE_ON_SSN_PC
    };
    let ai = u16::from(a.gt.is_some()) << 2
        | u16::from(a.pc.is_some()) << 1
        | u16::from(a.ssn.is_some());
    let mut v = Vec::new();
    v.extend_from_slice(&ri.to_be_bytes());
    v.extend_from_slice(&ai.to_be_bytes());
    if let Some(d) = &a.gt {
        let mut g = vec![0, 0, 0, 4, d.len() as u8, 0, 1, 4];
        crate::digits::encode_tbcd(d, &mut g);
        if d.len() % 2 == 1 {
            if let Some(last) = g.last_mut() {
                *last &= 0x0f;
            }
        }
        tlv(&mut v, tag::GLOBAL_TITLE, &g);
    }
    if let Some(pc) = a.pc {
        tlv(&mut v, tag::POINT_CODE, &pc.to_be_bytes());
    }
    if let Some(ssn) = a.ssn {
        tlv(&mut v, tag::SSN, &u32::from(ssn).to_be_bytes());
    }
    v
}

/// Append a SUA CLDT message carrying `data` (TCAP), class 0.
pub fn emit_sua_cldt(
    out: &mut Vec<u8>,
    routing_context: u32,
    source: &SuaAddressSpec,
    destination: &SuaAddressSpec,
    data: &[u8],
) {
    let rc = routing_context.to_be_bytes();
    let class = [0u8, 0, 0, 0];
    let src = encode_address(source);
    let dst = encode_address(destination);
    emit_m3ua_message(
        out,
        MessageClass::CL,
        MessageType::CLDT,
        &[
            (tag::ROUTING_CONTEXT, &rc),
            (tag::PROTOCOL_CLASS, &class),
            (tag::SOURCE_ADDRESS, &src),
            (tag::DESTINATION_ADDRESS, &dst),
            (tag::DATA, data),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cldt_round_trip() {
        let src = SuaAddressSpec {
            pc: Some(100),
            ssn: Some(7),
            gt: Some("447785000690".into()),
        };
        let dst = SuaAddressSpec {
            pc: None,
            ssn: Some(6),
            gt: Some("12065550001".into()),
        };
        let mut out = Vec::new();
        emit_sua_cldt(&mut out, 9, &src, &dst, b"tcap");
        let Message::Cldt(c) = parse_sua_message(&out).unwrap() else {
            panic!()
        };
        assert_eq!(c.routing_context, Some(9));
        assert_eq!(c.source.gt.unwrap().digits().as_str(), "447785000690");
        assert_eq!(c.destination.gt.unwrap().digits().as_str(), "12065550001");
        assert_eq!(
            (c.source.pc, c.source.ssn, c.destination.ssn),
            (Some(100), Some(Ssn(7)), Some(Ssn(6)))
        );
        assert_eq!(c.data, b"tcap");
        assert_eq!(&out[c.data_offset..c.data_offset + 4], b"tcap");
    }

    #[test]
    fn missing_data_and_other_messages() {
        let mut out = Vec::new();
        emit_m3ua_message(
            &mut out,
            MessageClass::CL,
            MessageType::CLDT,
            &[(tag::ROUTING_CONTEXT, &[0, 0, 0, 1])],
        );
        assert!(parse_sua_message(&out).is_err());
        let mut out = Vec::new();
        emit_m3ua_message(&mut out, MessageClass::ASPSM, MessageType(1), &[]);
        assert_eq!(
            parse_sua_message(&out).unwrap(),
            Message::Other(MessageClass::ASPSM, MessageType(1))
        );
    }
}
