//! IPv4 (RFC 791) and IPv6 (RFC 8200): addresses, the transport protocol and its payload.
//! IPv6 extension headers are skipped; fragments of either version go to the
//! [`Defragmenter`], which reassembles them within fixed limits.

mod defrag;
mod emit;
mod parser;

pub(crate) use defrag::{DefragLimits, DefragStats, Defragmenter};
pub use emit::{emit_ipv4, emit_ipv6, Ipv4Spec};
pub(crate) use emit::{internet_checksum, transport_checksum};
pub use parser::{parse_ipv4_packet, parse_ipv6_packet};

pub(crate) use core::net::IpAddr;

/// An IP protocol number (IANA "Assigned Internet Protocol Numbers").
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    /// IPv6 hop-by-hop options.
    pub const HOPOPT: IpProtocol = IpProtocol(0);
    /// TCP.
    pub const TCP: IpProtocol = IpProtocol(6);
    /// UDP.
    pub const UDP: IpProtocol = IpProtocol(17);
    /// IPv6 routing header.
    pub(crate) const IPV6_ROUTE: IpProtocol = IpProtocol(43);
    /// IPv6 fragment header.
    pub(crate) const IPV6_FRAG: IpProtocol = IpProtocol(44);
    /// GRE (carries ERSPAN).
    pub const GRE: IpProtocol = IpProtocol(47);
    /// ESP.
    pub const ESP: IpProtocol = IpProtocol(50);
    /// Authentication header.
    pub(crate) const AH: IpProtocol = IpProtocol(51);
    /// No next header.
    pub const IPV6_NONXT: IpProtocol = IpProtocol(59);
    /// IPv6 destination options.
    pub(crate) const IPV6_OPTS: IpProtocol = IpProtocol(60);
    /// Mobility header.
    pub const MOBILITY: IpProtocol = IpProtocol(135);
    /// SCTP.
    pub const SCTP: IpProtocol = IpProtocol(132);
}

/// Where a fragment belongs in its datagram.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fragment {
    /// Identification (16 bits in IPv4, 32 in IPv6).
    pub id: u32,
    /// Offset of this fragment's data in the datagram, in bytes.
    pub(crate) offset: u32,
    /// More fragments follow.
    pub(crate) more: bool,
}

/// One IP packet: who to whom, what it carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IpPacket<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// The protocol of `payload` (after IPv6 extension headers).
    pub(crate) protocol: IpProtocol,
    /// The transport bytes, trimmed to the packet's own length (link padding removed).
    pub payload: &'a [u8],
    /// Where `payload` starts in the slice given to the parser.
    pub offset: usize,
    /// Set when this packet is a fragment.
    pub fragment: Option<Fragment>,
}

/// Byte ranges of the IPv4 fixed header.
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod field {
    use core::ops::Range;
    /// Version and header length.
    pub(crate) const V4_VER_IHL: usize = 0;
    /// Total length.
    pub(crate) const V4_LENGTH: Range<usize> = 2..4;
    /// Identification.
    pub(crate) const V4_IDENT: Range<usize> = 4..6;
    /// Flags and fragment offset.
    pub(crate) const V4_FLG_OFF: Range<usize> = 6..8;
    /// Protocol.
    pub(crate) const V4_PROTOCOL: usize = 9;
    /// Source address.
    pub(crate) const V4_SRC: Range<usize> = 12..16;
    /// Destination address.
    pub(crate) const V4_DST: Range<usize> = 16..20;
    /// IPv4 header without options.
    pub(crate) const V4_HEADER_LEN: usize = 20;
    /// Payload length.
    pub(crate) const V6_LENGTH: Range<usize> = 4..6;
    /// Next header.
    pub(crate) const V6_NEXT: usize = 6;
    /// Source address.
    pub(crate) const V6_SRC: Range<usize> = 8..24;
    /// Destination address.
    pub(crate) const V6_DST: Range<usize> = 24..40;
    /// IPv6 fixed header.
    pub(crate) const V6_HEADER_LEN: usize = 40;
}

/// The most IPv6 extension headers skipped before the frame counts as malformed.
pub(crate) const MAX_IPV6_EXT_HEADERS: usize = 8;
