use nom::number::complete::{be_u16, be_u32, be_u8};

use super::field::*;
use super::{tag, Message, MessageClass, MessageType, Param, ProtocolData, Transfer, MAX_PARAMS};
use crate::error::{
    complete, fail, located, take_len, DecodeError, ErrorKind, LResult, Layer, PResult,
};

/// Decode a SIGTRAN common header (RFC 4666 §3.1) and delimit its parameters. The rest of
/// the input after the message is returned (a user message holds exactly one, normally).
pub fn parse_m3ua_message(i: &[u8]) -> LResult<'_, Message<'_>> {
    located(Layer::M3ua, i, common)
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
    pub fn new(msg: &Message<'a>, layer: Layer) -> Self {
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

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.count += 1;
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
                let r = located(Layer::M3ua, p.value, protocol_data);
                let mut pd = complete(p.value, Layer::M3ua, r).map_err(at)?;
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
