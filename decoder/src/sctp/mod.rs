//! SCTP (RFC 9260): the common header, every chunk of a packet, DATA and I-DATA (RFC 8260)
//! chunks, and the reassembly of user messages split over several chunks.
//!
//! SIGTRAN and Diameter ride on SCTP user messages; which one is said by the payload protocol
//! identifier, or by the well-known port when the sender left the PPID at 0
//! ([`PayloadProtocol::identify`]).

mod assoc;
mod codes;
mod emit;
mod parser;
mod reassembly;

pub use assoc::AssocStats;
pub(crate) use assoc::{Admit, Associations, Path, Tsn};
pub use codes::{
    ChunkType, PayloadProtocol, Ppid, PORT_DIAMETER, PORT_DIAMETER_TLS, PORT_M2PA, PORT_M2UA,
    PORT_M3UA, PORT_SUA,
};
pub use emit::{crc32c, emit_sctp_packet, fix_sctp_checksum, DataChunkSpec, SctpSpec};
pub(crate) use parser::parse_sctp_init;
pub use parser::{parse_sctp_data_chunk, parse_sctp_packet, Chunks};
pub(crate) use parser::{straight_tlv, tlv_error};
pub(crate) use reassembly::{SctpLimits, SctpReassembler, SctpStats, StreamKey};

/// The 12-byte common header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommonHeader {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
    /// Verification tag: names the association in this direction.
    pub(crate) vtag: u32,
    /// CRC32c over the packet, as sent (verified by the frame decoder: see
    /// [`crate::integrity`]).
    pub(crate) checksum: u32,
}

/// One chunk of a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk<'a> {
    /// Chunk type.
    pub kind: ChunkType,
    /// Chunk flags.
    pub(crate) flags: u8,
    /// The chunk value (after the 4-byte chunk header, before padding).
    pub(crate) value: &'a [u8],
    /// Where the chunk starts in the SCTP packet.
    pub(crate) offset: usize,
}

/// A DATA or I-DATA chunk: a user message, or a fragment of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataChunk<'a> {
    /// Transmission sequence number.
    pub tsn: u32,
    /// Stream identifier.
    pub(crate) stream: u16,
    /// Stream sequence number (DATA) or message identifier (I-DATA).
    pub(crate) ssn: u32,
    /// Payload protocol identifier (I-DATA: only on the first fragment).
    pub ppid: Ppid,
    /// Fragment sequence number (I-DATA only; 0 on the first fragment).
    pub(crate) fsn: u32,
    /// Unordered delivery.
    pub(crate) unordered: bool,
    /// First fragment of a user message.
    pub(crate) begin: bool,
    /// Last fragment of a user message.
    pub(crate) end: bool,
    /// Whether the chunk was I-DATA.
    pub(crate) interleaved: bool,
    /// The user data.
    pub data: &'a [u8],
}

impl DataChunk<'_> {
    /// A whole user message in one chunk.
    pub(crate) fn is_unfragmented(&self) -> bool {
        self.begin && self.end
    }
}

impl DataChunk<'_> {
    /// The octets of the chunk's value before its user data: TSN, stream, stream sequence
    /// number (DATA) or message identifier and fragment sequence number (I-DATA), PPID.
    pub fn header_len(&self) -> usize {
        if self.interleaved {
            field::IDATA_HEADER_LEN - field::CHUNK_HEADER_LEN
        } else {
            field::DATA_HEADER_LEN - field::CHUNK_HEADER_LEN
        }
    }
}

/// Byte ranges of the fixed headers.
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod field {
    use core::ops::Range;
    /// Source port.
    pub(crate) const SRC_PORT: Range<usize> = 0..2;
    /// Destination port.
    pub(crate) const DST_PORT: Range<usize> = 2..4;
    /// Verification tag.
    pub(crate) const VTAG: Range<usize> = 4..8;
    /// Checksum.
    pub(crate) const CHECKSUM: Range<usize> = 8..12;
    /// Common header length.
    pub(crate) const HEADER_LEN: usize = 12;
    /// Chunk header: type, flags, length.
    pub(crate) const CHUNK_HEADER_LEN: usize = 4;
    /// DATA chunk header, chunk header included.
    pub(crate) const DATA_HEADER_LEN: usize = 16;
    /// I-DATA chunk header, chunk header included.
    pub(crate) const IDATA_HEADER_LEN: usize = 20;
}

/// The most chunks decoded from one packet; more make the packet malformed. A 9000-byte jumbo
/// frame holds at most 562 minimal (16-byte) chunks.
pub(crate) const MAX_CHUNKS_PER_PACKET: usize = 600;
