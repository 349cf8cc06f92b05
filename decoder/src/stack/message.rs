use core::net::IpAddr;

use crate::ber::Oid;
use crate::diameter;
use crate::map::{MapInfo, OpCode};
use crate::sccp::{self, Address};
use crate::tcap::{Component, TcapKind};

/// Where a frame sits in its capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameContext {
    /// Frame number, from 1 in capture order (as tshark numbers them).
    pub number: u64,
    /// Capture time, nanoseconds since the Unix epoch.
    pub ts_ns: u64,
}

/// The transport a message arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// SCTP.
    Sctp,
    /// TCP.
    Tcp,
}

/// How a sender showed the probe one thing and a receiver, possibly, another: two copies of
/// the same bytes in flight that differ. The receiver keeps one; which, the tap cannot know,
/// so the messages of the second copy are judged too, and carry this mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evasion {
    /// An SCTP DATA chunk repeated a TSN with other contents.
    SctpConflict,
    /// A TCP segment repeated stream bytes with other bytes.
    TcpOverlap,
    /// IP fragments overlapped with different bytes.
    IpOverlap,
}

impl Evasion {
    /// Every technique.
    pub const ALL: [Evasion; 3] = [
        Evasion::SctpConflict,
        Evasion::TcpOverlap,
        Evasion::IpOverlap,
    ];

    /// The stable name (the last part of the rule id: `evasion.ip_overlap`).
    pub fn name(self) -> &'static str {
        match self {
            Evasion::SctpConflict => "sctp_conflicting_retransmission",
            Evasion::TcpOverlap => "tcp_overlap",
            Evasion::IpOverlap => "ip_overlap",
        }
    }
}

/// Addresses and ports of the packet that carried (or completed) a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    /// Source address.
    pub(crate) src: IpAddr,
    /// Destination address.
    pub(crate) dst: IpAddr,
    /// Source port.
    pub(crate) src_port: u16,
    /// Destination port.
    pub(crate) dst_port: u16,
    /// SCTP or TCP.
    pub(crate) transport: Transport,
    /// Set on a message read from a conflicting copy.
    pub(crate) evasion: Option<Evasion>,
}

impl Flow {
    /// Whether the message came from a conflicting copy, and how.
    pub fn evasion(&self) -> Option<Evasion> {
        self.evasion
    }
}

/// The SIGTRAN adaptation that carried an SS7 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bearer {
    /// M3UA.
    M3ua,
    /// M2PA (MTP3 inside).
    M2pa,
    /// M2UA (MTP3 inside).
    M2ua,
    /// SUA (no MTP3).
    Sua,
}

/// MTP3 routing of an SS7 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mtp {
    /// Originating point code.
    pub opc: u32,
    /// Destination point code.
    pub dpc: u32,
    /// Service indicator.
    pub(crate) si: u8,
    /// Network indicator.
    pub(crate) ni: u8,
    /// Signalling link selection.
    pub(crate) sls: u8,
}

/// The TCAP user, as the dialogue or the subsystem says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcapUser {
    /// GSM MAP.
    Map,
    /// Another user (CAP, INAP, ...): operation codes are reported without MAP names.
    Other,
}

/// One TCAP component (or a TCAP message without components) of an SS7 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapMessage<'a> {
    /// Addresses and ports.
    pub(crate) flow: Flow,
    /// SIGTRAN adaptation.
    pub(crate) bearer: Bearer,
    /// MTP3 routing (absent over SUA).
    pub mtp: Option<Mtp>,
    /// SCCP message type (SUA CLDT is reported as UDT).
    pub(crate) sccp_kind: sccp::MessageType,
    /// Called party.
    pub called: Address<'a>,
    /// Calling party.
    pub calling: Address<'a>,
    /// TCAP message type.
    pub tcap: TcapKind,
    /// Originating transaction ID.
    pub otid: Option<&'a [u8]>,
    /// Destination transaction ID.
    pub dtid: Option<&'a [u8]>,
    /// Application-context-name.
    pub acn: Option<Oid<'a>>,
    /// Who the TCAP user is.
    pub user: TcapUser,
    /// The component, if the message had any.
    pub component: Option<Component<'a>>,
    /// The MAP operation (from the component's local operation code).
    pub opcode: Option<OpCode>,
    /// What the parameter says about the subscriber.
    pub info: MapInfo,
}

impl MapMessage<'_> {
    /// Whether SCCP returned this message as undeliverable (UDTS, XUDTS, LUDTS): it is the
    /// original message coming back, not a new request.
    pub fn is_returned(&self) -> bool {
        self.sccp_kind.is_service()
    }
}

/// A Diameter message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiameterMessage<'a> {
    /// Addresses and ports.
    pub(crate) flow: Flow,
    /// The decoded fields.
    pub summary: diameter::Summary<'a>,
}

/// A signalling message, as the frame decoder hands it out (by reference, on the stack: the
/// size difference between the variants costs nothing, and boxing would allocate per message).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum Message<'a> {
    /// SS7 over SIGTRAN: one TCAP component.
    Map(MapMessage<'a>),
    /// Diameter over SCTP or TCP.
    Diameter(DiameterMessage<'a>),
    /// A conflicting copy that gave no message of its own (a fragment, a copy that does not
    /// decode, an overlap outside any message): the evasion itself, to be alerted.
    Evasion(EvasionEvent),
}

impl Message<'_> {
    /// Whether the message came from a conflicting copy (an [`EvasionEvent`] always did).
    pub fn evasion(&self) -> Option<Evasion> {
        match self {
            Message::Map(m) => m.flow.evasion,
            Message::Diameter(d) => d.flow.evasion,
            Message::Evasion(e) => Some(e.kind()),
        }
    }
}

/// An evasion seen where no message carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvasionEvent {
    /// The packet's addresses and ports; `flow.evasion()` says how.
    pub(crate) flow: Flow,
    /// Whether it was Diameter's transport (a Diameter port or PPID); otherwise SIGTRAN.
    pub diameter: bool,
}

impl EvasionEvent {
    /// How the copies differed.
    pub fn kind(&self) -> Evasion {
        self.flow.evasion.unwrap_or(Evasion::SctpConflict)
    }
}
