//! Link layer: Ethernet II and IEEE 802.3 with LLC/SNAP, with 802.1Q/802.1ad tags, Linux
//! cooked capture (SLL, SLL2), BSD loopback and raw IP. Everything below this module sees an
//! [`EtherType`] and a payload.

mod emit;
mod parser;

pub use emit::{emit_ethernet, emit_sll, EthernetSpec};
pub use parser::{parse_link, parse_link_ethernet};

use arrayvec::ArrayVec;
use core::fmt;

/// A pcap link-layer header type (<https://www.tcpdump.org/linktypes.html>).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    /// BSD loopback: a 4-byte address family in the writer's byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IP, as some BSDs number it.
    pub(crate) const RAW_BSD12: LinkType = LinkType(12);
    /// Raw IP, as OpenBSD numbers it.
    pub(crate) const RAW_BSD14: LinkType = LinkType(14);
    /// Raw IP.
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: a 4-byte address family in network byte order.
    pub(crate) const LOOP: LinkType = LinkType(108);
    /// Linux cooked capture v1 (16-byte header).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4.
    pub(crate) const IPV4: LinkType = LinkType(228);
    /// Raw IPv6.
    pub(crate) const IPV6: LinkType = LinkType(229);
    /// Linux cooked capture v2 (20-byte header).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// Whether the frame decoder understands this link type.
    pub(crate) const fn is_supported(self) -> bool {
        matches!(self.0, 0 | 1 | 12 | 14 | 101 | 108 | 113 | 228 | 229 | 276)
    }
}

impl fmt::Debug for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            LinkType::NULL => "NULL",
            LinkType::ETHERNET => "ETHERNET",
            LinkType::RAW | LinkType::RAW_BSD12 | LinkType::RAW_BSD14 => "RAW",
            LinkType::LOOP => "LOOP",
            LinkType::LINUX_SLL => "LINUX_SLL",
            LinkType::IPV4 => "IPV4",
            LinkType::IPV6 => "IPV6",
            LinkType::LINUX_SLL2 => "LINUX_SLL2",
            _ => return write!(f, "LinkType({})", self.0),
        };
        write!(f, "{name}")
    }
}

/// An EtherType (IEEE 802 numbers), the key of what follows a link header.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EtherType(pub u16);

impl EtherType {
    /// IPv4.
    pub const IPV4: EtherType = EtherType(0x0800);
    /// ARP.
    pub const ARP: EtherType = EtherType(0x0806);
    /// Transparent Ethernet bridging (inside GRE).
    pub(crate) const TEB: EtherType = EtherType(0x6558);
    /// 802.1Q customer VLAN tag.
    pub(crate) const VLAN: EtherType = EtherType(0x8100);
    /// IPv6.
    pub(crate) const IPV6: EtherType = EtherType(0x86dd);
    /// 802.1ad service VLAN tag (QinQ outer tag).
    pub(crate) const QINQ: EtherType = EtherType(0x88a8);
    /// Pre-standard QinQ outer tag.
    pub(crate) const QINQ_OLD: EtherType = EtherType(0x9100);
    /// MPLS unicast.
    pub(crate) const MPLS: EtherType = EtherType(0x8847);
    /// MPLS multicast.
    pub(crate) const MPLS_MULTICAST: EtherType = EtherType(0x8848);
    /// Not an EtherType: an IEEE 802.3 frame whose LLC header is not SNAP (spanning tree,
    /// IS-IS, ...).
    pub(crate) const LLC: EtherType = EtherType(0);
    /// The smallest EtherType; a type field below it is an IEEE 802.3 length.
    pub(crate) const MIN: u16 = 0x0600;
}

/// The most VLAN tags unwrapped from one frame; a fifth tag makes the frame malformed.
pub(crate) const MAX_VLAN_TAGS: usize = 4;

/// What a link header leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFrame<'a> {
    /// The protocol of `payload`.
    pub ethertype: EtherType,
    /// VLAN identifiers, outermost first.
    pub(crate) vlans: ArrayVec<u16, MAX_VLAN_TAGS>,
    /// The bytes after the link header (Ethernet padding included).
    pub payload: &'a [u8],
    /// Where `payload` starts in the frame.
    pub offset: usize,
}

/// Byte ranges of the fixed headers.
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod field {
    use core::ops::Range;
    /// Ethernet destination MAC.
    pub(crate) const ETH_DST: Range<usize> = 0..6;
    /// Ethernet source MAC.
    pub(crate) const ETH_SRC: Range<usize> = 6..12;
    /// Ethernet type.
    pub(crate) const ETH_TYPE: Range<usize> = 12..14;
    /// Ethernet II header length.
    pub(crate) const ETH_HEADER_LEN: usize = 14;
    /// An 802.1Q tag: TCI then the inner type.
    pub(crate) const VLAN_TAG_LEN: usize = 4;
    /// SLL protocol field.
    pub(crate) const SLL_PROTOCOL: Range<usize> = 14..16;
    /// SLL header length.
    pub(crate) const SLL_HEADER_LEN: usize = 16;
    /// SLL2 protocol field.
    pub(crate) const SLL2_PROTOCOL: Range<usize> = 0..2;
    /// SLL2 header length.
    pub(crate) const SLL2_HEADER_LEN: usize = 20;
    /// BSD loopback header length.
    pub(crate) const NULL_HEADER_LEN: usize = 4;
    /// LLC (DSAP, SSAP, control) and SNAP (OUI, type) after an 802.3 length.
    pub(crate) const LLC_SNAP_LEN: usize = 8;
}
