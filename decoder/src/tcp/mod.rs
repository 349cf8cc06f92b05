//! TCP (RFC 9293): the header, and per-direction stream reassembly that cuts a byte stream
//! into application messages (Diameter over TCP), tolerating what taps see: capture starting
//! mid-stream, out-of-order segments, retransmissions and lost segments.

mod emit;
mod parser;
mod reassembly;

pub use emit::{emit_tcp_segment, TcpSpec};
pub use parser::parse_tcp_segment;
pub use reassembly::{FlowKey, FrameLen, TcpLimits, TcpPush, TcpReassembler, TcpStats};

/// A TCP segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number of the first payload byte (of the SYN itself when SYN is set).
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ...).
    pub flags: u8,
    /// The payload.
    pub payload: &'a [u8],
    /// Where `payload` starts in the segment.
    pub offset: usize,
}

impl Segment<'_> {
    /// FIN flag.
    pub const FIN: u8 = 0x01;
    /// SYN flag.
    pub const SYN: u8 = 0x02;
    /// RST flag.
    pub const RST: u8 = 0x04;
    /// ACK flag.
    pub const ACK: u8 = 0x10;
}

/// Byte ranges of the fixed header.
pub mod field {
    use core::ops::Range;
    /// Source port.
    pub const SRC_PORT: Range<usize> = 0..2;
    /// Destination port.
    pub const DST_PORT: Range<usize> = 2..4;
    /// Sequence number.
    pub const SEQ: Range<usize> = 4..8;
    /// Acknowledgement number.
    pub const ACK: Range<usize> = 8..12;
    /// Data offset (high nibble).
    pub const DATA_OFFSET: usize = 12;
    /// Flags.
    pub const FLAGS: usize = 13;
    /// Header without options.
    pub const HEADER_LEN: usize = 20;
}
