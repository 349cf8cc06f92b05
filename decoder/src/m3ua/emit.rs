use super::{tag, MessageClass, MessageType};

/// The routing of a Transfer DATA message written by [`emit_m3ua_data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct M3uaDataSpec {
    /// Originating point code.
    pub opc: u32,
    /// Destination point code.
    pub dpc: u32,
    /// Service indicator (3 = SCCP).
    pub si: u8,
    /// Network indicator (0 international, 2 national).
    pub ni: u8,
    /// Message priority.
    pub mp: u8,
    /// Signalling link selection.
    pub sls: u8,
    /// Routing context to include.
    pub routing_context: Option<u32>,
    /// Network appearance to include.
    pub network_appearance: Option<u32>,
}

/// Append a SIGTRAN message (common header, then each parameter padded to 4 bytes).
pub fn emit_m3ua_message(
    out: &mut Vec<u8>,
    class: MessageClass,
    kind: MessageType,
    params: &[(u16, &[u8])],
) {
    let start = out.len();
    out.extend_from_slice(&[1, 0, class.0, kind.0, 0, 0, 0, 0]);
    for (t, v) in params {
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(&((4 + v.len()) as u16).to_be_bytes());
        out.extend_from_slice(v);
        while !(out.len() - start).is_multiple_of(4) {
            out.push(0);
        }
    }
    let len = (out.len() - start) as u32;
    out[start + 4..start + 8].copy_from_slice(&len.to_be_bytes());
}

/// Append an M3UA Transfer DATA message carrying `data` (SCCP when `si` is 3).
pub fn emit_m3ua_data(out: &mut Vec<u8>, spec: &M3uaDataSpec, data: &[u8]) {
    let mut pd = Vec::with_capacity(12 + data.len());
    pd.extend_from_slice(&spec.opc.to_be_bytes());
    pd.extend_from_slice(&spec.dpc.to_be_bytes());
    pd.extend_from_slice(&[spec.si, spec.ni, spec.mp, spec.sls]);
    pd.extend_from_slice(data);
    let na = spec.network_appearance.map(u32::to_be_bytes);
    let rc = spec.routing_context.map(u32::to_be_bytes);
    let mut params: Vec<(u16, &[u8])> = Vec::with_capacity(3);
    if let Some(na) = na.as_ref() {
        params.push((tag::NETWORK_APPEARANCE, na));
    }
    if let Some(rc) = rc.as_ref() {
        params.push((tag::ROUTING_CONTEXT, rc));
    }
    params.push((tag::PROTOCOL_DATA, &pd));
    emit_m3ua_message(out, MessageClass::TRANSFER, MessageType::DATA, &params);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::m3ua::{parse_m3ua_message, parse_m3ua_transfer};

    #[test]
    fn round_trip() {
        let spec = M3uaDataSpec {
            opc: 1,
            dpc: 2,
            si: 3,
            ni: 2,
            mp: 0,
            sls: 9,
            routing_context: Some(7),
            network_appearance: Some(8),
        };
        let mut out = Vec::new();
        emit_m3ua_data(&mut out, &spec, b"sccp!");
        let (rest, m) = parse_m3ua_message(&out).unwrap();
        assert!(rest.is_empty());
        let t = parse_m3ua_transfer(&m).unwrap();
        assert_eq!(
            (t.routing_context, t.network_appearance),
            (Some(7), Some(8))
        );
        assert_eq!(
            (t.data.opc, t.data.dpc, t.data.sls, t.data.data),
            (1, 2, 9, &b"sccp!"[..])
        );
        assert_eq!(&out[t.data.offset..t.data.offset + 5], b"sccp!");
    }
}
