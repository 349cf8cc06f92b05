//! Diameter (RFC 6733): the 20-byte header, AVPs (vendor bit, padding, grouped AVPs to a
//! fixed depth), command and application names, and a summary of the fields a signalling
//! firewall judges by: hosts and realms, the subscriber's IMSI and MSISDN in their several
//! AVPs, and the visited PLMN.

mod codes;
mod emit;
mod parser;

pub use codes::{avp, ApplicationId, CommandCode, VENDOR_3GPP};
pub use emit::{emit_diameter, AvpSpec, DiameterSpec};
pub use parser::{frame_len, parse_diameter_header, parse_diameter_message, summarize, Avps};

use crate::digits::Plmn;
use crate::identity::Identity;

/// Header flags (RFC 6733 §3).
pub(crate) mod flags {
    /// Request.
    pub(crate) const REQUEST: u8 = 0x80;
    /// Proxiable.
    pub(crate) const PROXIABLE: u8 = 0x40;
    /// Error.
    pub(crate) const ERROR: u8 = 0x20;
    /// Potentially retransmitted.
    #[allow(dead_code)] // a retransmission is judged like the first copy
    pub(crate) const RETRANSMIT: u8 = 0x10;
    /// AVP flag: vendor-specific.
    pub(crate) const AVP_VENDOR: u8 = 0x80;
    /// AVP flag: mandatory.
    pub(crate) const AVP_MANDATORY: u8 = 0x40;
}

/// The 20-byte header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Version (1).
    pub version: u8,
    /// Message length, header included.
    pub length: u32,
    /// Flags.
    pub(crate) flags: u8,
    /// Command code.
    pub cmd: CommandCode,
    /// Application identifier.
    pub app: ApplicationId,
    /// Hop-by-hop identifier.
    pub hbh: u32,
    /// End-to-end identifier.
    pub e2e: u32,
}

impl Header {
    /// A request (R bit).
    pub fn is_request(&self) -> bool {
        self.flags & flags::REQUEST != 0
    }
}

/// One AVP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avp<'a> {
    /// AVP code.
    pub code: u32,
    /// Flags (V, M, P).
    pub(crate) flags: u8,
    /// Vendor identifier, when the V bit is set.
    pub(crate) vendor: Option<u32>,
    /// The data (without padding).
    pub(crate) data: &'a [u8],
}

impl Avp<'_> {
    /// The data as an Unsigned32 / Enumerated.
    pub(crate) fn u32(&self) -> Option<u32> {
        <[u8; 4]>::try_from(self.data).ok().map(u32::from_be_bytes)
    }
}

/// Byte ranges of the header.
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod field {
    use core::ops::Range;
    /// Version.
    pub(crate) const VERSION: usize = 0;
    /// Message length (24 bits).
    pub(crate) const LENGTH: Range<usize> = 1..4;
    /// Flags.
    pub(crate) const FLAGS: usize = 4;
    /// Command code (24 bits).
    pub(crate) const COMMAND: Range<usize> = 5..8;
    /// Application id.
    pub(crate) const APPLICATION: Range<usize> = 8..12;
    /// Hop-by-hop identifier.
    pub(crate) const HOP_BY_HOP: Range<usize> = 12..16;
    /// End-to-end identifier.
    pub(crate) const END_TO_END: Range<usize> = 16..20;
    /// Header length.
    pub(crate) const HEADER_LEN: usize = 20;
}

/// The largest message accepted (and the largest a TCP stream buffers for one message).
pub(crate) const MAX_MESSAGE_LEN: usize = 256 * 1024;
/// How deep grouped AVPs are followed.
pub(crate) const MAX_AVP_DEPTH: usize = 8;
/// The most AVPs read from one message, all levels together.
pub(crate) const MAX_AVPS: usize = 1024;

/// The fields of a message that sigwatch reports and judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary<'a> {
    /// The header.
    pub header: Header,
    /// Session-Id.
    pub(crate) session_id: Option<&'a [u8]>,
    /// Origin-Host.
    pub origin_host: Option<&'a [u8]>,
    /// Origin-Realm.
    pub origin_realm: Option<&'a [u8]>,
    /// Destination-Host.
    pub dest_host: Option<&'a [u8]>,
    /// Destination-Realm.
    pub dest_realm: Option<&'a [u8]>,
    /// User-Name (the IMSI in S6a, SLh, SLg, S13).
    pub user_name: Option<&'a [u8]>,
    /// The subscriber's IMSI: User-Name when it is one, or a Subscription-Id of type IMSI.
    pub imsi: Option<Identity>,
    /// The subscriber's MSISDN: the MSISDN AVP (top level or in User-Identity), a
    /// Subscription-Id of type E.164, or a `tel:`/`sip:+` Public-Identity.
    pub msisdn: Option<Identity>,
    /// Visited-PLMN-Id.
    pub visited_plmn: Option<Plmn>,
    /// Public-Identity (Sh, Cx).
    pub(crate) public_identity: Option<&'a [u8]>,
    /// Auth-Application-Id or Acct-Application-Id (top level or vendor-specific).
    pub app_id_avp: Option<u32>,
    /// Result-Code, or Experimental-Result-Code.
    pub(crate) result_code: Option<u32>,
}
