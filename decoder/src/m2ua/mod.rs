//! M2UA (RFC 3331): MTP2 user adaptation. A signalling gateway hands the MTP3 messages of its
//! SS7 links to a media gateway controller over SCTP (PPID 2, port 2904); the MTP3 message
//! (SIO, routing label, SCCP and what it carries) rides in the Protocol Data parameter of a
//! MAUP DATA message, as it does in M2PA's user data.

use crate::error::{DecodeError, ErrorKind, Layer};
use crate::m2pa::{parse_mtp3, Mtp3};
use crate::m3ua::{common, Params};

/// Message class of MTP2 user adaptation messages.
const CLASS_MAUP: u8 = 6;
/// MAUP DATA.
const TYPE_DATA: u8 = 1;
/// Protocol Data 1: the MTP3 message, from its SIO.
const TAG_PROTOCOL_DATA_1: u16 = 0x0300;
/// Protocol Data 2 (TTC): one length-indicator octet, then the MTP3 message.
const TAG_PROTOCOL_DATA_2: u16 = 0x0301;
/// The common header's length.
const HEADER_LEN: usize = 8;
/// A parameter's tag and length.
const PARAM_HEADER_LEN: usize = 4;

/// An M2UA message, as far as the probe reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Message<'a> {
    /// MAUP DATA: an MTP3 message (offsets from the start of the M2UA message).
    Data(Mtp3<'a>),
    /// Anything else (link management, ASP management, ...).
    Other,
}

/// Decode an M2UA message: the common header (RFC 3331 §3.1.1, shared with M3UA), then, for
/// MAUP DATA, its Protocol Data.
pub(crate) fn parse_m2ua_message(data: &[u8]) -> Result<Message<'_>, DecodeError> {
    let (_, m) = common(data, Layer::M2ua)?;
    if (m.class.0, m.kind.0) != (CLASS_MAUP, TYPE_DATA) {
        return Ok(Message::Other);
    }
    for p in Params::new(&m, Layer::M2ua) {
        let p = p?;
        let skip = match p.tag {
            TAG_PROTOCOL_DATA_1 => 0,
            TAG_PROTOCOL_DATA_2 => 1,
            _ => continue,
        };
        let at = p.offset + PARAM_HEADER_LEN + skip;
        let Some(mtp3) = p.value.get(skip..) else {
            return Err(DecodeError::new(
                Layer::M2ua,
                ErrorKind::Truncated { need: 1, have: 0 },
                at,
            ));
        };
        return parse_mtp3(mtp3, Layer::M2ua, at).map(Message::Data);
    }
    Err(DecodeError::new(
        Layer::M2ua,
        ErrorKind::Invalid("DATA without Protocol Data"),
        HEADER_LEN,
    ))
}

/// Append a MAUP DATA message carrying `mtp3` (SIO, routing label, SIF) in Protocol Data 1,
/// for interface `iid`.
pub fn emit_m2ua_data(out: &mut Vec<u8>, iid: u32, mtp3: &[u8]) {
    let pad = mtp3.len().next_multiple_of(4) - mtp3.len();
    let len = HEADER_LEN + 8 + PARAM_HEADER_LEN + mtp3.len() + pad;
    out.extend_from_slice(&[1, 0, CLASS_MAUP, TYPE_DATA]);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    // Interface Identifier (integer).
    out.extend_from_slice(&[0, 1, 0, 8]);
    out.extend_from_slice(&iid.to_be_bytes());
    out.extend_from_slice(&TAG_PROTOCOL_DATA_1.to_be_bytes());
    out.extend_from_slice(&((PARAM_HEADER_LEN + mtp3.len()) as u16).to_be_bytes());
    out.extend_from_slice(mtp3);
    out.extend(core::iter::repeat_n(0, pad));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m2pa::{emit_mtp3, RoutingLabel};

    #[test]
    fn data_carries_mtp3_and_errors_are_located() {
        let route = RoutingLabel {
            ni: 2,
            si: 3,
            opc: 100,
            dpc: 200,
            sls: 5,
        };
        let mut mtp3 = Vec::new();
        emit_mtp3(&mut mtp3, &route, b"sccp!");
        let mut m = Vec::new();
        emit_m2ua_data(&mut m, 7, &mtp3);
        let Message::Data(d) = parse_m2ua_message(&m).unwrap() else {
            panic!()
        };
        assert_eq!((d.ni, d.si, d.opc, d.dpc, d.sls), (2, 3, 100, 200, 5));
        assert_eq!(d.sif, b"sccp!");
        // The SIF starts after the header, the IID, the parameter header, SIO and label.
        assert_eq!(d.offset, 8 + 8 + 4 + 5);
        assert_eq!(&m[d.offset..d.offset + 5], b"sccp!");
        // A routing label cut short is an M2UA error where the label starts.
        let mut short = Vec::new();
        emit_m2ua_data(&mut short, 7, &mtp3[..3]);
        let e = parse_m2ua_message(&short).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::M2ua, 8 + 8 + 4 + 1));
        // Management is not read.
        let mut aspup = vec![1, 0, 3, 1, 0, 0, 0, 8];
        assert_eq!(parse_m2ua_message(&aspup).unwrap(), Message::Other);
        aspup[0] = 2;
        assert_eq!(parse_m2ua_message(&aspup).unwrap_err().layer, Layer::M2ua);
    }
}
