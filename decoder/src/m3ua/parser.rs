use super::field::*;
use super::{tag, Message, MessageClass, MessageType, Param, ProtocolData, Transfer, MAX_PARAMS};
use crate::error::{below, cut_at, cut_in, exceeds, DecodeError, ErrorKind, Layer};
use crate::sctp::{straight_tlv, tlv_error};

/// Decode a SIGTRAN common header (RFC 4666 §3.1) and delimit its parameters. The rest of
/// the input after the message is returned (a user message holds exactly one, normally).
#[inline]
pub fn parse_m3ua_message(i: &[u8]) -> Result<(&[u8], Message<'_>), DecodeError> {
    common(i, Layer::M3ua)
}

/// A common header whose message fits its input, read straight off the bytes; errors are
/// `layer`'s (M3UA's, or SUA's, which shares the header).
#[inline]
pub(crate) fn common(i: &[u8], layer: Layer) -> Result<(&[u8], Message<'_>), DecodeError> {
    if let Some(&[version, _, class, kind, l0, l1, l2, l3]) = i.first_chunk() {
        let length = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
        if version == 1 && length >= HEADER_LEN && length <= i.len() {
            let m = Message {
                version,
                class: MessageClass(class),
                kind: MessageType(kind),
                params: &i[HEADER_LEN..length],
            };
            return Ok((&i[length..], m));
        }
    }
    Err(common_error(i, layer))
}

/// Why [`common`] refused `i`: the version, a header cut short, or a length below the header
/// or past the user message.
#[cold]
#[inline(never)]
fn common_error(i: &[u8], layer: Layer) -> DecodeError {
    match i.first() {
        None => return cut_at(layer, 0, 0),
        Some(&v) if v != 1 => return DecodeError::new(layer, ErrorKind::Version(u32::from(v)), 0),
        Some(_) => {}
    }
    let Some(&[_, _, _, _, l0, l1, l2, l3]) = i.first_chunk() else {
        return cut_in(layer, i.len(), &[1, 2, 3, 4, HEADER_LEN]);
    };
    let length = u32::from_be_bytes([l0, l1, l2, l3]) as usize;
    if length < HEADER_LEN {
        return below(layer, length, HEADER_LEN, LENGTH.start);
    }
    exceeds(layer, length, i.len(), "user message", 0)
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
            // The SCTP chunk layout (RFC 4666 §3.2).
            if let Some((tag, value, taken)) = straight_tlv(self.rest) {
                let p = Param {
                    tag: u16::from_be_bytes(tag),
                    value,
                    offset: self.offset,
                };
                self.offset += taken;
                self.rest = &self.rest[taken..];
                return Some(Ok(p));
            }
        }
        self.refused()
    }
}

impl<'a> Params<'a> {
    /// Why the next parameter (counted already) is refused; the iteration stops there.
    #[cold]
    #[inline(never)]
    fn refused(&mut self) -> Option<Result<Param<'a>, DecodeError>> {
        let e = if self.count > MAX_PARAMS {
            DecodeError::new(self.layer, ErrorKind::TooMany("parameters"), 0)
        } else {
            tlv_error(self.layer, self.rest, &[2, PARAM_HEADER_LEN], "message")
        };
        self.rest = &[];
        Some(Err(e.shifted(self.offset)))
    }
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
                let mut pd = protocol_data(p.value).map_err(at)?;
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

/// A parameter holding a 32-bit value (more octets are ignored).
fn u32_param(v: &[u8]) -> Result<u32, DecodeError> {
    match v.first_chunk() {
        Some(&b) => Ok(u32::from_be_bytes(b)),
        None => Err(cut_at(Layer::M3ua, v.len(), 0)),
    }
}

/// The Protocol Data parameter (RFC 4666 §3.3.1): OPC, DPC, SI, NI, MP, SLS, then the user
/// protocol data.
#[inline]
fn protocol_data(i: &[u8]) -> Result<ProtocolData<'_>, DecodeError> {
    let Some((&[o0, o1, o2, o3, d0, d1, d2, d3, si, ni, mp, sls], data)) = i.split_first_chunk()
    else {
        return Err(cut_in(Layer::M3ua, i.len(), &[4, 8, 9, 10, 11, 12]));
    };
    Ok(ProtocolData {
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

/// The nom readers the hand-written ones above are held to.
#[cfg(test)]
mod reference {
    use nom::number::complete::{be_u16, be_u32, be_u8};

    use super::super::field::*;
    use super::super::{Message, MessageClass, MessageType, Param, ProtocolData};
    use crate::error::{complete, fail, located, take_len, DecodeError, ErrorKind, Layer, PResult};

    pub(super) fn common(i: &[u8], layer: Layer) -> Result<(&[u8], Message<'_>), DecodeError> {
        match located(layer, i, common_inner) {
            Ok(v) => Ok(v),
            Err(e) => complete(i, layer, Err(e)),
        }
    }

    fn common_inner(i: &[u8]) -> PResult<'_, Message<'_>> {
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
        let m = Message {
            version,
            class: MessageClass(class),
            kind: MessageType(kind),
            params: &whole[HEADER_LEN..],
        };
        Ok((rest, m))
    }

    pub(super) fn param(i: &[u8], layer: Layer) -> Result<Param<'_>, DecodeError> {
        complete(i, layer, located(layer, i, param_inner))
    }

    fn param_inner(i: &[u8]) -> PResult<'_, Param<'_>> {
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
        let p = Param {
            tag: t,
            value: &whole[PARAM_HEADER_LEN..],
            offset: 0,
        };
        Ok((&i[len.next_multiple_of(4).min(i.len())..], p))
    }

    pub(super) fn protocol_data(i: &[u8]) -> Result<ProtocolData<'_>, DecodeError> {
        let r = located(Layer::M3ua, i, |i| {
            let (i, opc) = be_u32(i)?;
            let (i, dpc) = be_u32(i)?;
            let (i, si) = be_u8(i)?;
            let (i, ni) = be_u8(i)?;
            let (i, mp) = be_u8(i)?;
            let (i, sls) = be_u8(i)?;
            let pd = ProtocolData {
                opc,
                dpc,
                si,
                ni,
                mp,
                sls,
                data: i,
                offset: 0,
            };
            Ok((&i[i.len()..], pd))
        });
        complete(i, Layer::M3ua, r)
    }

    pub(super) fn u32_param(v: &[u8]) -> Result<u32, DecodeError> {
        complete(v, Layer::M3ua, located(Layer::M3ua, v, be_u32))
    }
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

    /// The readers agree with the nom reference on any parameter, Protocol Data and common
    /// header, whole or cut short: the same value, or the same error at the same place.
    #[test]
    fn readers_are_the_nom_reference() {
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
            // As the parameters of a message with a common header before them.
            let msg = Message { version: 1, class: MessageClass(1), kind: MessageType(1), params: &i };
            if let Some(got) = Params::new(&msg, Layer::Sua).next() {
                let want = reference::param(&i, Layer::Sua).map_err(|e| e.shifted(HEADER_LEN));
                prop_assert_eq!(got.map(|p| Param { offset: 0, ..p }), want);
            }
            prop_assert_eq!(protocol_data(&i), reference::protocol_data(&i));
            prop_assert_eq!(u32_param(&i), reference::u32_param(&i));
            // A common header: version 1 (mostly), lengths near the input's.
            let mut h = vec![if i.len() % 7 == 0 { 2 } else { 1 }, 0];
            h.extend_from_slice(&i[..i.len().min(2)]);
            if i.len() > 2 {
                h.extend_from_slice(&[0, 0]);
                h.extend_from_slice(&i[2..]);
            }
            for n in [h.len(), h.len().min(5), h.len().min(1), 0] {
                prop_assert_eq!(common(&h[..n], Layer::M3ua), reference::common(&h[..n], Layer::M3ua));
            }
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
            parse_m3ua_message(&v).unwrap_err().kind,
            ErrorKind::Version(2)
        );
        let mut v = DATA;
        v[7] = 0x40;
        let e = parse_m3ua_message(&v).unwrap_err();
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
