//! SCCP (ITU-T Q.713) connectionless messages: UDT, XUDT, LUDT and their service variants,
//! the called and calling party addresses with their global titles, and reassembly of XUDT
//! segments (Q.714 §4.1.1.2). Connection-oriented messages are recognised by type only.

mod emit;
mod parser;
mod reassembly;

pub use emit::{emit_sccp_unitdata, AddressSpec, GtSpec, UnitdataSpec};
pub use parser::parse_sccp_message;
pub(crate) use reassembly::{SccpLimits, SccpReassembler, SccpStats};

use core::fmt;

use crate::digits::Digits;

/// An SCCP message type (Q.713 Table 1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageType(pub u8);

impl MessageType {
    /// Unitdata.
    pub const UDT: MessageType = MessageType(0x09);
    /// Unitdata service.
    pub(crate) const UDTS: MessageType = MessageType(0x0a);
    /// Extended unitdata.
    pub const XUDT: MessageType = MessageType(0x11);
    /// Extended unitdata service.
    pub(crate) const XUDTS: MessageType = MessageType(0x12);
    /// Long unitdata.
    pub const LUDT: MessageType = MessageType(0x13);
    /// Long unitdata service.
    pub(crate) const LUDTS: MessageType = MessageType(0x14);

    /// The abbreviation Q.713 uses (`UDT`, `XUDTS`, `CR`...).
    pub(crate) fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x01 => "CR",
            0x02 => "CC",
            0x03 => "CREF",
            0x04 => "RLSD",
            0x05 => "RLC",
            0x06 => "DT1",
            0x07 => "DT2",
            0x08 => "AK",
            0x09 => "UDT",
            0x0a => "UDTS",
            0x0b => "ED",
            0x0c => "EA",
            0x0d => "RSR",
            0x0e => "RSC",
            0x0f => "ERR",
            0x10 => "IT",
            0x11 => "XUDT",
            0x12 => "XUDTS",
            0x13 => "LUDT",
            0x14 => "LUDTS",
            _ => return None,
        })
    }

    /// A service message: the network returns an undeliverable message to its sender.
    pub(crate) fn is_service(self) -> bool {
        matches!(
            self,
            MessageType::UDTS | MessageType::XUDTS | MessageType::LUDTS
        )
    }
}

impl fmt::Debug for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "MessageType(0x{:02x})", self.0),
        }
    }
}

/// A subsystem number (Q.713 §3.4.2.2, 3GPP TS 23.003 §8.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Ssn(pub u8);

impl Ssn {
    /// SCCP management.
    pub const SCMG: Ssn = Ssn(1);
    /// MAP (generic).
    pub const MAP: Ssn = Ssn(5);
    /// HLR.
    pub const HLR: Ssn = Ssn(6);
    /// VLR.
    pub const VLR: Ssn = Ssn(7);
    /// MSC.
    pub const MSC: Ssn = Ssn(8);
    /// EIR.
    pub const EIR: Ssn = Ssn(9);
    /// AuC.
    pub const AUC: Ssn = Ssn(10);
    /// CAP (gsmSCF for CAMEL).
    pub const CAP: Ssn = Ssn(146);
    /// gsmSCF (MAP) or IM-SSF.
    pub const GSMSCF: Ssn = Ssn(147);
    /// SGSN.
    pub const SGSN: Ssn = Ssn(149);
    /// GGSN.
    pub const GGSN: Ssn = Ssn(150);
    /// GMLC (MAP).
    pub const GMLC: Ssn = Ssn(145);
    /// SMLC.
    pub const SMLC: Ssn = Ssn(252);

    /// Whether GSM MAP normally runs on this subsystem (3GPP TS 23.003 §8.1).
    pub(crate) fn is_map(self) -> bool {
        matches!(self.0, 5..=10 | 145 | 147 | 149 | 150)
    }
}

/// A global title (Q.713 §3.4.2.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GlobalTitle<'a> {
    /// Translation type (GTI 2, 3, 4).
    pub tt: Option<u8>,
    /// Numbering plan (GTI 3, 4); 1 is E.164, 7 E.214.
    pub np: Option<u8>,
    /// Encoding scheme (GTI 3, 4): 1 BCD odd, 2 BCD even.
    pub es: Option<u8>,
    /// Nature of address (GTI 1, 4): 4 is international.
    pub nai: Option<u8>,
    /// Odd number of digits.
    pub odd: bool,
    /// The address signals, BCD.
    pub bcd: &'a [u8],
}

impl GlobalTitle<'_> {
    /// The digits.
    pub fn digits(&self) -> Digits {
        Digits::from_bcd(self.bcd, self.odd)
    }
}

/// A called or calling party address (Q.713 §3.4), or the equivalent SUA address.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Address<'a> {
    /// Routing indicator: route on SSN (true) or on the global title.
    pub route_on_ssn: bool,
    /// Global title indicator (0-4).
    pub gti: u8,
    /// Signalling point code (14 bits ITU).
    pub pc: Option<u32>,
    /// Subsystem number.
    pub ssn: Option<Ssn>,
    /// Global title.
    pub gt: Option<GlobalTitle<'a>>,
}

/// The segmentation parameter of XUDT/LUDT (Q.713 §3.17).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Segmentation {
    /// First segment.
    pub first: bool,
    /// Protocol class 1 (in sequence) was asked for.
    pub class1: bool,
    /// Segments still to come after this one.
    pub remaining: u8,
    /// Segmentation local reference.
    pub local_ref: u32,
}

/// A connectionless SCCP message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Unitdata<'a> {
    /// UDT, UDTS, XUDT, XUDTS, LUDT or LUDTS.
    pub kind: MessageType,
    /// Protocol class (0 or 1) and message handling, for the non-service messages.
    pub(crate) protocol_class: Option<u8>,
    /// Return cause, for the service messages.
    pub(crate) return_cause: Option<u8>,
    /// Hop counter (XUDT, LUDT and their service messages).
    pub(crate) hop_counter: Option<u8>,
    /// Called party address.
    pub(crate) called: Address<'a>,
    /// Calling party address.
    pub(crate) calling: Address<'a>,
    /// The user data (TCAP).
    pub data: &'a [u8],
    /// Where `data` starts in the SCCP message.
    pub(crate) data_offset: usize,
    /// Segmentation, when the message is one segment of a larger one.
    pub(crate) segmentation: Option<Segmentation>,
    /// Raw calling party address bytes (they name the segment sender for reassembly).
    pub(crate) calling_raw: &'a [u8],
}

/// An SCCP message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Message<'a> {
    /// A connectionless message, decoded.
    Unitdata(Unitdata<'a>),
    /// Any other message type (connection-oriented), not decoded further.
    Other(MessageType),
}

/// Optional parameter names used here (Q.713 Table 2).
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod param {
    /// End of optional parameters.
    pub(crate) const END: u8 = 0x00;
    /// Segmentation.
    pub(crate) const SEGMENTATION: u8 = 0x10;
    /// Importance.
    pub(crate) const IMPORTANCE: u8 = 0x12;
}

/// The most optional parameters read from one message.
pub(crate) const MAX_OPTIONAL_PARAMS: usize = 16;
