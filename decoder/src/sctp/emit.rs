use super::{ChunkType, Ppid};

/// The association an [`emit_sctp_packet`] packet belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SctpSpec {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Verification tag.
    pub vtag: u32,
}

/// One chunk to write.
#[derive(Debug, Clone, Copy)]
pub enum DataChunkSpec<'a> {
    /// A DATA chunk.
    Data {
        /// Transmission sequence number.
        tsn: u32,
        /// Stream identifier.
        stream: u16,
        /// Stream sequence number.
        ssn: u16,
        /// Payload protocol identifier.
        ppid: Ppid,
        /// First fragment.
        begin: bool,
        /// Last fragment.
        end: bool,
        /// User data.
        data: &'a [u8],
    },
    /// Any other chunk, written as given (SACK, HEARTBEAT, INIT...).
    Control {
        /// Chunk type.
        kind: ChunkType,
        /// Chunk flags.
        flags: u8,
        /// Chunk value.
        value: &'a [u8],
    },
}

impl<'a> DataChunkSpec<'a> {
    /// A whole user message in one DATA chunk.
    pub fn whole(tsn: u32, stream: u16, ssn: u16, ppid: Ppid, data: &'a [u8]) -> Self {
        DataChunkSpec::Data {
            tsn,
            stream,
            ssn,
            ppid,
            begin: true,
            end: true,
            data,
        }
    }
}

/// Append an SCTP packet of `chunks`, each padded to 4 bytes, with a valid CRC32c.
pub fn emit_sctp_packet(out: &mut Vec<u8>, spec: &SctpSpec, chunks: &[DataChunkSpec<'_>]) {
    let start = out.len();
    out.extend_from_slice(&spec.src_port.to_be_bytes());
    out.extend_from_slice(&spec.dst_port.to_be_bytes());
    out.extend_from_slice(&spec.vtag.to_be_bytes());
    out.extend_from_slice(&[0; 4]);
    for c in chunks {
        match *c {
            DataChunkSpec::Data {
                tsn,
                stream,
                ssn,
                ppid,
                begin,
                end,
                data,
            } => {
                let flags = u8::from(begin) << 1 | u8::from(end);
                out.extend_from_slice(&[ChunkType::DATA.0, flags]);
                out.extend_from_slice(&((16 + data.len()) as u16).to_be_bytes());
                out.extend_from_slice(&tsn.to_be_bytes());
                out.extend_from_slice(&stream.to_be_bytes());
                out.extend_from_slice(&ssn.to_be_bytes());
                out.extend_from_slice(&ppid.0.to_be_bytes());
                out.extend_from_slice(data);
            }
            DataChunkSpec::Control { kind, flags, value } => {
                out.extend_from_slice(&[kind.0, flags]);
                out.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
                out.extend_from_slice(value);
            }
        }
        while !(out.len() - start).is_multiple_of(4) {
            out.push(0);
        }
    }
    let crc = crc32c(&out[start..]);
    out[start + 8..start + 12].copy_from_slice(&crc.to_le_bytes());
}

/// CRC32c (Castagnoli), as RFC 9260 Appendix A defines the SCTP checksum: the `crc32c`
/// crate, which uses the CPU's CRC32 instruction (SSE 4.2, ARMv8) where there is one.
pub fn crc32c(data: &[u8]) -> u32 {
    ::crc32c::crc32c(data)
}

/// Recompute the checksum of an SCTP packet in place (after its bytes were changed).
pub fn fix_sctp_checksum(packet: &mut [u8]) {
    if packet.len() < 12 {
        return;
    }
    packet[8..12].fill(0);
    let crc = crc32c(packet);
    packet[8..12].copy_from_slice(&crc.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sctp::{parse_sctp_data_chunk, parse_sctp_packet};

    /// The crate agrees with the polynomial worked bit by bit, at every length and offset.
    #[test]
    fn crc32c_is_the_castagnoli_crc() {
        let bitwise = |d: &[u8]| {
            let mut crc = !0u32;
            for &b in d {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 != 0 {
                        (crc >> 1) ^ 0x82f6_3b78
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        };
        let data: Vec<u8> = (0..300u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for start in 0..8 {
            for end in (start..data.len()).step_by(7) {
                assert_eq!(crc32c(&data[start..end]), bitwise(&data[start..end]));
            }
        }
    }

    #[test]
    fn crc32c_check_value() {
        // The standard check value of CRC-32C over "123456789".
        assert_eq!(crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn round_trip_bundle() {
        let spec = SctpSpec {
            src_port: 2905,
            dst_port: 2905,
            vtag: 42,
        };
        let mut out = Vec::new();
        emit_sctp_packet(
            &mut out,
            &spec,
            &[
                DataChunkSpec::whole(1, 1, 0, Ppid::M3UA, b"abcde"),
                DataChunkSpec::Control {
                    kind: ChunkType::SACK,
                    flags: 0,
                    value: &[0; 12],
                },
                DataChunkSpec::whole(2, 1, 1, Ppid::M3UA, b"xyz"),
            ],
        );
        let (h, chunks) = parse_sctp_packet(&out).unwrap();
        assert_eq!(h.vtag, 42);
        let chunks: Vec<_> = chunks.map(Result::unwrap).collect();
        assert_eq!(chunks.len(), 3);
        assert_eq!(parse_sctp_data_chunk(&chunks[0]).unwrap().data, b"abcde");
        assert_eq!(parse_sctp_data_chunk(&chunks[2]).unwrap().data, b"xyz");
        // The checksum field holds the CRC of the packet with that field zeroed.
        let mut zeroed = out.clone();
        zeroed[8..12].fill(0);
        assert_eq!(
            u32::from_le_bytes(out[8..12].try_into().unwrap()),
            crc32c(&zeroed)
        );
    }
}
