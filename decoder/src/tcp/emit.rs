use core::net::IpAddr;

use crate::ip::IpProtocol;

/// What [`emit_tcp_segment`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSpec {
    /// Source address (for the checksum's pseudo-header).
    pub src: IpAddr,
    /// Destination address (for the checksum's pseudo-header).
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags.
    pub flags: u8,
}

/// Append a TCP segment (20-byte header, valid checksum) carrying `payload`.
pub fn emit_tcp_segment(out: &mut Vec<u8>, spec: &TcpSpec, payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&spec.src_port.to_be_bytes());
    out.extend_from_slice(&spec.dst_port.to_be_bytes());
    out.extend_from_slice(&spec.seq.to_be_bytes());
    out.extend_from_slice(&spec.ack.to_be_bytes());
    out.extend_from_slice(&[0x50, spec.flags]);
    out.extend_from_slice(&0xffffu16.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
    let sum = crate::ip::transport_checksum(spec.src, spec.dst, IpProtocol::TCP, &out[start..]);
    out[start + 16..start + 18].copy_from_slice(&sum.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::{parse_tcp_segment, Segment};

    #[test]
    fn round_trip() {
        let spec = TcpSpec {
            src: IpAddr::from([10, 0, 0, 1]),
            dst: IpAddr::from([10, 0, 0, 2]),
            src_port: 40000,
            dst_port: 3868,
            seq: 7,
            ack: 9,
            flags: Segment::ACK,
        };
        let mut out = Vec::new();
        emit_tcp_segment(&mut out, &spec, b"diameter");
        let s = parse_tcp_segment(&out).unwrap();
        assert_eq!((s.seq, s.ack, s.payload), (7, 9, &b"diameter"[..]));
    }
}
