//! TCP (RFC 9293): the header, and per-direction stream reassembly that cuts a byte stream
//! into application messages (Diameter over TCP), tolerating what taps see: capture starting
//! mid-stream, out-of-order segments, retransmissions and lost segments.

mod emit;
mod parser;
mod reassembly;

pub use emit::{emit_tcp_segment, TcpSpec};
pub(crate) use parser::parse_tcp_segment;
pub(crate) use reassembly::{read_alone, FlowKey, FrameLen, TcpLimits, TcpReassembler, TcpStats};

/// A TCP segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Source port.
    pub(crate) src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
    /// Sequence number of the first payload byte (of the SYN itself when SYN is set).
    pub(crate) seq: u32,
    /// Acknowledgement number.
    pub(crate) ack: u32,
    /// Flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ...).
    pub(crate) flags: u8,
    /// The payload.
    pub(crate) payload: &'a [u8],
    /// Where `payload` starts in the segment.
    pub(crate) offset: usize,
}

impl Segment<'_> {
    /// FIN flag.
    pub(crate) const FIN: u8 = 0x01;
    /// SYN flag.
    pub const SYN: u8 = 0x02;
    /// RST flag.
    pub(crate) const RST: u8 = 0x04;
    /// ACK flag.
    pub const ACK: u8 = 0x10;
}

/// Byte ranges of the fixed header.
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod field {
    use core::ops::Range;
    /// Source port.
    pub(crate) const SRC_PORT: Range<usize> = 0..2;
    /// Destination port.
    pub(crate) const DST_PORT: Range<usize> = 2..4;
    /// Sequence number.
    pub(crate) const SEQ: Range<usize> = 4..8;
    /// Acknowledgement number.
    pub(crate) const ACK: Range<usize> = 8..12;
    /// Data offset (high nibble).
    pub(crate) const DATA_OFFSET: usize = 12;
    /// Flags.
    pub(crate) const FLAGS: usize = 13;
    /// Header without options.
    pub(crate) const HEADER_LEN: usize = 20;
}
