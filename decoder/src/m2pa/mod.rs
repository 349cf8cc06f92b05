//! M2PA (RFC 4165) and the ITU MTP3 message it carries (ITU-T Q.704 §2: service information
//! octet and the 32-bit routing label with 14-bit point codes).

use nom::number::complete::{be_u32, be_u8};

use crate::error::{complete, fail, located, take_len, DecodeError, ErrorKind, Layer, PResult};

/// M2PA message class (RFC 4165 §2.1.1).
pub(crate) const CLASS_M2PA: u8 = 11;
/// M2PA message type: user data.
pub(crate) const TYPE_USER_DATA: u8 = 1;
/// M2PA message type: link status.
#[allow(dead_code)] // named beside its sibling, though only user data is read
pub(crate) const TYPE_LINK_STATUS: u8 = 2;
/// Common header plus BSN and FSN.
pub(crate) const HEADER_LEN: usize = 16;

/// An M2PA message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Message<'a> {
    /// Message type (1 user data, 2 link status).
    pub(crate) kind: u8,
    /// Backward sequence number.
    pub(crate) bsn: u32,
    /// Forward sequence number.
    pub(crate) fsn: u32,
    /// The MTP3 message of a user-data message that carries one (an empty user-data message
    /// is a bare acknowledgement).
    pub(crate) mtp3: Option<Mtp3<'a>>,
}

/// An ITU MTP3 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mtp3<'a> {
    /// Network indicator (0 international, 2 national).
    pub(crate) ni: u8,
    /// Service indicator (0 SNM, 1/2 maintenance, 3 SCCP, 5 ISUP).
    pub(crate) si: u8,
    /// Originating point code (14 bits).
    pub(crate) opc: u32,
    /// Destination point code (14 bits).
    pub(crate) dpc: u32,
    /// Signalling link selection (4 bits).
    pub(crate) sls: u8,
    /// The signalling information field.
    pub(crate) sif: &'a [u8],
    /// Where `sif` starts in the M2PA message.
    pub(crate) offset: usize,
}

/// Decode an M2PA message and, for user data, the MTP3 message inside.
pub(crate) fn parse_m2pa_message(data: &[u8]) -> Result<Message<'_>, DecodeError> {
    let r = located(Layer::M2pa, data, m2pa);
    let (kind, bsn, fsn, body) = complete(data, Layer::M2pa, r)?;
    let mtp3 = if kind == TYPE_USER_DATA && !body.is_empty() {
        // One priority octet, then the MTP3 message.
        Some(parse_mtp3(&body[1..], Layer::M2pa, HEADER_LEN + 1)?)
    } else {
        None
    };
    Ok(Message {
        kind,
        bsn: bsn & 0x00ff_ffff,
        fsn: fsn & 0x00ff_ffff,
        mtp3,
    })
}

/// The header: type, BSN, FSN, and the body after them.
fn m2pa(i: &[u8]) -> PResult<'_, (u8, u32, u32, &[u8])> {
    let (r, version) = be_u8(i)?;
    if version != 1 {
        return fail(i, ErrorKind::Version(u32::from(version)));
    }
    let (r, _spare) = be_u8(r)?;
    let (r, class) = be_u8(r)?;
    if class != CLASS_M2PA {
        return fail(
            &i[2..],
            ErrorKind::Invalid("message class is not M2PA (11)"),
        );
    }
    let (r, kind) = be_u8(r)?;
    let (_, length) = be_u32(r)?;
    let length = length as usize;
    if length < HEADER_LEN {
        return fail(
            &i[4..],
            ErrorKind::LengthBelow {
                len: length as u32,
                min: HEADER_LEN as u32,
            },
        );
    }
    let (rest, whole) = take_len(i, length, "user message")?;
    let (_, bsn) = be_u32(&whole[8..])?;
    let (_, fsn) = be_u32(&whole[12..])?;
    let body = &whole[HEADER_LEN..];
    Ok((rest, (kind, bsn, fsn, body)))
}

/// An ITU MTP3 message (Q.704 §2.2): SIO, then the routing label (DPC, OPC, SLS in one
/// 32-bit little-endian word), then the SIF. `at`: where `data` starts in the message being
/// read, for `Mtp3::offset` and for the error, which is `layer`'s.
pub(crate) fn parse_mtp3(data: &[u8], layer: Layer, at: usize) -> Result<Mtp3<'_>, DecodeError> {
    let Some((&[sio, l0, l1, l2, l3], sif)) = data.split_first_chunk() else {
        return Err(crate::error::cut_in(layer, data.len(), &[1, 5]).shifted(at));
    };
    let label = u32::from_le_bytes([l0, l1, l2, l3]);
    Ok(Mtp3 {
        ni: sio >> 6,
        si: sio & 0x0f,
        dpc: label & 0x3fff,
        opc: (label >> 14) & 0x3fff,
        sls: (label >> 28) as u8,
        sif,
        offset: at + 5,
    })
}

/// Append an ITU MTP3 message: SIO, routing label, `sif`.
pub fn emit_mtp3(out: &mut Vec<u8>, route: &RoutingLabel, sif: &[u8]) {
    let RoutingLabel {
        ni,
        si,
        opc,
        dpc,
        sls,
    } = *route;
    out.push((ni & 3) << 6 | (si & 0x0f));
    let label = (dpc & 0x3fff) | (opc & 0x3fff) << 14 | u32::from(sls & 0x0f) << 28;
    out.extend_from_slice(&label.to_le_bytes());
    out.extend_from_slice(sif);
}

/// The MTP3 header fields written by [`emit_m2pa_user_data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoutingLabel {
    /// Network indicator.
    pub ni: u8,
    /// Service indicator.
    pub si: u8,
    /// Originating point code (14 bits).
    pub opc: u32,
    /// Destination point code (14 bits).
    pub dpc: u32,
    /// Signalling link selection (4 bits).
    pub sls: u8,
}

/// Append an M2PA user-data message carrying an ITU MTP3 message.
pub fn emit_m2pa_user_data(
    out: &mut Vec<u8>,
    bsn: u32,
    fsn: u32,
    route: &RoutingLabel,
    sif: &[u8],
) {
    let len = (HEADER_LEN + 6 + sif.len()) as u32;
    out.extend_from_slice(&[1, 0, CLASS_M2PA, TYPE_USER_DATA]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&(bsn & 0x00ff_ffff).to_be_bytes());
    out.extend_from_slice(&(fsn & 0x00ff_ffff).to_be_bytes());
    out.push(0); // priority
    emit_mtp3(out, route, sif);
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn sltm_from_pcapr_capture() {
        // pcapr-m2pa-map-sms-sltm.pcap: SLTM with DPC 3, OPC 4536 (tshark's reading).
        let m = hex!("01 00 0b 01 0000001a 00000000 00000001 09 01 03 00 6e 04 11 20 11 12");
        let m = parse_m2pa_message(&m).unwrap();
        let t = m.mtp3.unwrap();
        assert_eq!((t.ni, t.si, t.dpc, t.opc, t.sls), (0, 1, 3, 4536, 0));
        assert_eq!((m.fsn, t.sif), (1, &hex!("11 20 11 12")[..]));
    }

    #[test]
    fn round_trip_and_errors() {
        let mut out = Vec::new();
        let route = RoutingLabel {
            ni: 2,
            si: 3,
            opc: 1000,
            dpc: 2000,
            sls: 7,
        };
        emit_m2pa_user_data(&mut out, 5, 6, &route, b"\x09sccp");
        let m = parse_m2pa_message(&out).unwrap();
        let t = m.mtp3.unwrap();
        assert_eq!(
            (t.ni, t.si, t.opc, t.dpc, t.sls, t.sif),
            (2, 3, 1000, 2000, 7, &b"\x09sccp"[..])
        );
        assert_eq!(&out[t.offset..], b"\x09sccp");
        out[2] = 10;
        assert_eq!(parse_m2pa_message(&out).unwrap_err().offset, 2);
        assert!(parse_m2pa_message(&out[..12]).is_err());
    }

    #[test]
    fn link_status_has_no_mtp3() {
        let m = hex!("01 00 0b 02 00000014 00ffffff 00ffffff 00000003");
        let m = parse_m2pa_message(&m).unwrap();
        assert_eq!((m.kind, m.mtp3), (TYPE_LINK_STATUS, None));
    }
}
