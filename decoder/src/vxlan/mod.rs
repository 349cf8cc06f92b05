//! UDP, as far as the tunnels that deliver mirrored traffic: VXLAN (RFC 7348), what cloud
//! traffic mirroring sends (UDP port 4789, an 8-octet header, then the mirrored Ethernet
//! frame).

use crate::error::{cut_in, DecodeError, ErrorKind, Layer};

/// The VXLAN port.
pub const PORT_VXLAN: u16 = 4789;
/// The UDP header.
const UDP_HEADER_LEN: usize = 8;
/// The VXLAN header.
const VXLAN_HEADER_LEN: usize = 8;
/// The flag that says the VNI is valid (RFC 7348 §5: it must be set).
const FLAG_VNI: u8 = 0x08;

/// A UDP datagram's ports and payload (bounded by its length field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Udp<'a> {
    /// Source port.
    pub(crate) src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
    /// The payload.
    pub(crate) payload: &'a [u8],
}

/// Decode a UDP header.
pub(crate) fn parse_udp(data: &[u8]) -> Result<Udp<'_>, DecodeError> {
    let Some((&[s0, s1, d0, d1, l0, l1, _, _], _)) = data.split_first_chunk() else {
        return Err(cut_in(Layer::Udp, data.len(), &[2, 4, 6, UDP_HEADER_LEN]));
    };
    let len = usize::from(u16::from_be_bytes([l0, l1]));
    if len < UDP_HEADER_LEN || len > data.len() {
        return Err(DecodeError::new(
            Layer::Udp,
            ErrorKind::Invalid("UDP length outside the datagram"),
            4,
        ));
    }
    Ok(Udp {
        src_port: u16::from_be_bytes([s0, s1]),
        dst_port: u16::from_be_bytes([d0, d1]),
        payload: &data[UDP_HEADER_LEN..len],
    })
}

/// The Ethernet frame inside a VXLAN packet (the UDP payload), and where it starts in it.
pub(crate) fn parse_vxlan(data: &[u8]) -> Result<(&[u8], usize), DecodeError> {
    let Some((&[flags, ..], frame)) = data.split_first_chunk::<VXLAN_HEADER_LEN>() else {
        return Err(cut_in(Layer::Vxlan, data.len(), &[1, VXLAN_HEADER_LEN]));
    };
    if flags & FLAG_VNI == 0 {
        return Err(DecodeError::new(
            Layer::Vxlan,
            ErrorKind::Invalid("VNI flag not set"),
            0,
        ));
    }
    Ok((frame, UDP_HEADER_LEN + VXLAN_HEADER_LEN))
}

/// Append a UDP datagram to `dst_port` carrying a VXLAN header for `vni` and `frame` (the
/// checksum left at 0, as RFC 7348 allows).
pub fn emit_vxlan(out: &mut Vec<u8>, src_port: u16, vni: u32, frame: &[u8]) {
    let len = (UDP_HEADER_LEN + VXLAN_HEADER_LEN + frame.len()) as u16;
    out.extend_from_slice(&src_port.to_be_bytes());
    out.extend_from_slice(&PORT_VXLAN.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&[FLAG_VNI, 0, 0, 0]);
    out.extend_from_slice(&(vni << 8).to_be_bytes());
    out.extend_from_slice(frame);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vxlan_datagram_and_its_errors() {
        let mut d = Vec::new();
        emit_vxlan(&mut d, 50000, 42, b"frame");
        let u = parse_udp(&d).unwrap();
        assert_eq!((u.src_port, u.dst_port), (50000, PORT_VXLAN));
        let (frame, at) = parse_vxlan(u.payload).unwrap();
        assert_eq!((frame, at), (&b"frame"[..], 16));
        assert_eq!(parse_udp(&d[..5]).unwrap_err().layer, Layer::Udp);
        let mut no_flag = u.payload.to_vec();
        no_flag[0] = 0;
        assert_eq!(parse_vxlan(&no_flag).unwrap_err().layer, Layer::Vxlan);
        let mut long = d.clone();
        long[5] = 200;
        assert_eq!(parse_udp(&long).unwrap_err().offset, 4);
    }
}
