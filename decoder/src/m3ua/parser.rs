use nom::number::complete::{be_u16, be_u32, be_u8};

use super::field::*;
use super::{tag, Message, MessageClass, MessageType, Param, ProtocolData, Transfer, MAX_PARAMS};
use crate::error::{
    complete, fail, located, take_len, DecodeError, ErrorKind, LResult, Layer, PResult,
};
use crate::sctp::straight_tlv;

/// Decode a SIGTRAN common header (RFC 4666 §3.1) and delimit its parameters. The rest of
/// the input after the message is returned (a user message holds exactly one, normally).
pub fn parse_m3ua_message(i: &[u8]) -> LResult<'_, Message<'_>> {
    match straight_common(i) {
        Some(m) => Ok(m),
        None => located(Layer::M3ua, i, common),
    }
}

/// A common header whose message fits its input, read straight off the bytes. `None` for
/// anything [`common`] would refuse; where both read a message they read the same one.
#[inline]
fn straight_common(i: &[u8]) -> Option<(&[u8], Message<'_>)> {
    let &[version, _, class, kind, l0, l1, l2, l3] = i.first_chunk()?;
    let length = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
    if version != 1 || length < HEADER_LEN || length > i.len() {
        return None;
    }
    let m = Message {
        version,
        class: MessageClass(class),
        kind: MessageType(kind),
        params: &i[HEADER_LEN..length],
    };
    Some((&i[length..], m))
}

pub(crate) fn common(i: &[u8]) -> PResult<'_, Message<'_>> {
    let (r, version) = be_u8(i)?;
    if version != 1 {
        return fail(i, ErrorKind::Version(u32::from(version)));
    }
    let (r, _reserved) = be_u8(r)?;
    let (r, class) = be_u8(r)?;
    let (r, kind) = be_u8(r)?;
    let (_, length) = be_u32(r)?;
    let length = length as usize;
    if length < HEADER_LEN {
        return fail(
            &i[LENGTH.start..],
            ErrorKind::LengthBelow {
                len: length as u32,
                min: HEADER_LEN as u32,
            },
        );
    }
    let (rest, whole) = take_len(i, length, "user message")?;
    Ok((
        rest,
        Message {
            version,
            class: MessageClass(class),
            kind: MessageType(kind),
            params: &whole[HEADER_LEN..],
        },
    ))
}

/// The TLV parameters of a message, in order. Yields an error once and then stops.
/// Offsets (and error offsets) count from the start of the message's common header.
#[derive(Debug, Clone)]
pub struct Params<'a> {
    rest: &'a [u8],
    offset: usize,
    count: usize,
    layer: Layer,
}

impl<'a> Params<'a> {
    /// The parameters of `msg`, errors reported in `layer` (M3UA or SUA).
    pub(crate) fn new(msg: &Message<'a>, layer: Layer) -> Self {
        Params {
            rest: msg.params,
            offset: HEADER_LEN,
            count: 0,
            layer,
        }
    }
}

impl<'a> Iterator for Params<'a> {
    type Item = Result<Param<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.count += 1;
        if self.count <= MAX_PARAMS {
            if let Some((p, consumed)) = straight_param(self.rest) {
                let out = Param {
                    offset: self.offset,
                    ..p
                };
                self.offset += consumed;
                self.rest = &self.rest[consumed..];
                return Some(Ok(out));
            }
        }
        self.refused()
    }
}

impl<'a> Params<'a> {
    /// The general reading of the next parameter (counted already), which says why one is
    /// refused.
    #[cold]
    #[inline(never)]
    fn refused(&mut self) -> Option<Result<Param<'a>, DecodeError>> {
        let input = self.rest;
        let r = if self.count > MAX_PARAMS {
            Err(DecodeError::new(
                self.layer,
                ErrorKind::TooMany("parameters"),
                0,
            ))
        } else {
            complete(input, self.layer, located(self.layer, input, param))
        };
        match r {
            Ok((p, consumed)) => {
                let out = Param {
                    offset: self.offset,
                    ..p
                };
                self.offset += consumed;
                self.rest = &input[consumed..];
                Some(Ok(out))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e.shifted(self.offset)))
            }
        }
    }
}

/// A parameter that fits its input, read straight off the bytes (the SCTP chunk layout,
/// [`straight_tlv`]): the parameter and where the next one starts. `None` for anything
/// [`param`] would refuse; where both read a parameter they read the same one.
#[inline]
fn straight_param(i: &[u8]) -> Option<(Param<'_>, usize)> {
    let (tag, value, taken) = straight_tlv(i)?;
    let p = Param {
        tag: u16::from_be_bytes(tag),
        value,
        offset: 0,
    };
    Some((p, taken))
}

fn param(i: &[u8]) -> PResult<'_, (Param<'_>, usize)> {
    let (r, t) = be_u16(i)?;
    let (_, len) = be_u16(r)?;
    let len = usize::from(len);
    if len < PARAM_HEADER_LEN {
        return fail(
            &i[2..],
            ErrorKind::LengthBelow {
                len: len as u32,
                min: PARAM_HEADER_LEN as u32,
            },
        );
    }
    let (_, whole) = take_len(i, len, "message")?;
    // Parameters are padded to 4 bytes; the last one's padding may be missing.
    let padded = len.next_multiple_of(4).min(i.len());
    Ok((
        &i[padded..],
        (
            Param {
                tag: t,
                value: &whole[PARAM_HEADER_LEN..],
                offset: 0,
            },
            padded,
        ),
    ))
}

/// Decode the parameters of a Transfer DATA message (RFC 4666 §3.3.1). Error offsets count
/// from the start of the message.
pub fn parse_m3ua_transfer<'a>(msg: &Message<'a>) -> Result<Transfer<'a>, DecodeError> {
    let mut routing_context = None;
    let mut network_appearance = None;
    let mut data = None;
    for p in Params::new(msg, Layer::M3ua) {
        let p = p?;
        let at = |e: DecodeError| e.shifted(p.offset + PARAM_HEADER_LEN);
        match p.tag {
            tag::ROUTING_CONTEXT => routing_context = Some(u32_param(p.value).map_err(at)?),
            tag::NETWORK_APPEARANCE => network_appearance = Some(u32_param(p.value).map_err(at)?),
            tag::PROTOCOL_DATA => {
                let mut pd = match straight_protocol_data(p.value) {
                    Some(pd) => pd,
                    None => {
                        let r = located(Layer::M3ua, p.value, protocol_data);
                        complete(p.value, Layer::M3ua, r).map_err(at)?
                    }
                };
                pd.offset = p.offset + PARAM_HEADER_LEN + PROTOCOL_DATA_FIXED;
                data = Some(pd);
            }
            _ => {}
        }
    }
    match data {
        Some(data) => Ok(Transfer {
            routing_context,
            network_appearance,
            data,
        }),
        None => Err(DecodeError::new(
            Layer::M3ua,
            ErrorKind::Invalid("DATA without Protocol Data"),
            HEADER_LEN,
        )),
    }
}

fn u32_param(v: &[u8]) -> Result<u32, DecodeError> {
    let r = located(Layer::M3ua, v, be_u32);
    complete(v, Layer::M3ua, r)
}

/// [`protocol_data`] straight off the bytes: `None` where it would fail (fewer than its 12
/// fixed octets).
#[inline]
fn straight_protocol_data(i: &[u8]) -> Option<ProtocolData<'_>> {
    let (&[o0, o1, o2, o3, d0, d1, d2, d3, si, ni, mp, sls], data) = i.split_first_chunk()?;
    Some(ProtocolData {
        opc: u32::from_be_bytes([o0, o1, o2, o3]),
        dpc: u32::from_be_bytes([d0, d1, d2, d3]),
        si,
        ni,
        mp,
        sls,
        data,
        offset: 0,
    })
}

fn protocol_data(i: &[u8]) -> PResult<'_, ProtocolData<'_>> {
    let (i, opc) = be_u32(i)?;
    let (i, dpc) = be_u32(i)?;
    let (i, si) = be_u8(i)?;
    let (i, ni) = be_u8(i)?;
    let (i, mp) = be_u8(i)?;
    let (i, sls) = be_u8(i)?;
    Ok((
        &i[i.len()..],
        ProtocolData {
            opc,
            dpc,
            si,
            ni,
            mp,
            sls,
            data: i,
            offset: 0,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    const DATA: [u8; 36] = hex!(
        "01 00 01 01 00000024"
        "0006 0008 00000065"            // routing context 101
        "0210 0011 00002007 00001001 03 02 00 05 09" // protocol data, 1 byte of SCCP
        "000000"
    );

    /// The straight readings of a parameter and of the Protocol Data's fixed part agree with
    /// the general ones: each reads exactly what the general one reads, the same way.
    #[test]
    fn straight_parameter_reading_is_the_general_one() {
        use proptest::prelude::*;
        let input = (
            any::<u16>(),
            0u16..40,
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(tag, len, tail)| {
                let mut i = tag.to_be_bytes().to_vec();
                i.extend_from_slice(&len.to_be_bytes());
                i.extend_from_slice(&tail);
                i
            });
        let cut = (input, 0usize..48).prop_map(|(i, n)| i[..n.min(i.len())].to_vec());
        proptest!(|(i in cut)| {
            prop_assert_eq!(straight_param(&i), param(&i).ok().map(|(_, p)| p));
            prop_assert_eq!(straight_protocol_data(&i), protocol_data(&i).ok().map(|(_, d)| d));
            // A common header: version 1 (mostly), lengths near the input's.
            let mut h = vec![if i.len() % 7 == 0 { 2 } else { 1 }, 0];
            h.extend_from_slice(&i[..i.len().min(2)]);
            if i.len() > 2 {
                h.extend_from_slice(&[0, 0]);
                h.extend_from_slice(&i[2..]);
            }
            prop_assert_eq!(straight_common(&h), common(&h).ok());
        });
    }

    #[test]
    fn transfer_data() {
        let (_, m) = parse_m3ua_message(&DATA).unwrap();
        assert_eq!(
            (m.class, m.kind),
            (MessageClass::TRANSFER, MessageType::DATA)
        );
        let t = parse_m3ua_transfer(&m).unwrap();
        assert_eq!(t.routing_context, Some(101));
        assert_eq!(
            (t.data.opc, t.data.dpc, t.data.si, t.data.ni, t.data.sls),
            (8199, 4097, 3, 2, 5)
        );
        assert_eq!(t.data.data, &[0x09]);
        assert_eq!(t.data.offset, 32);
        assert_eq!(&DATA[t.data.offset..t.data.offset + 1], &[0x09]);
    }

    #[test]
    fn header_errors() {
        let mut v = DATA;
        v[0] = 2;
        assert_eq!(
            complete(&v, Layer::M3ua, parse_m3ua_message(&v))
                .unwrap_err()
                .kind,
            ErrorKind::Version(2)
        );
        let mut v = DATA;
        v[7] = 0x40;
        let e = complete(&v, Layer::M3ua, parse_m3ua_message(&v)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "m3ua: length 64 exceeds user message (36) at offset 0"
        );
    }

    #[test]
    fn bad_parameter_is_located() {
        let mut v = DATA;
        v[19] = 0x40; // protocol data length 64
        let (_, m) = parse_m3ua_message(&v).unwrap();
        let e = parse_m3ua_transfer(&m).unwrap_err();
        assert_eq!(e.offset, 16);
        assert!(matches!(e.kind, ErrorKind::LengthExceeds { .. }));
    }

    #[test]
    fn management_messages_have_no_protocol_data() {
        let aspup = hex!("01 00 03 01 00000008");
        let (_, m) = parse_m3ua_message(&aspup).unwrap();
        assert_eq!(m.class, MessageClass::ASPSM);
        assert!(parse_m3ua_transfer(&m).is_err());
    }
}
