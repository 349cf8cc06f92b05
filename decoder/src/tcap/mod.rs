//! TCAP (ITU-T Q.773): the transaction portion (Begin, Continue, End, Abort, Unidirectional
//! with their transaction IDs), the dialogue portion with the application-context-name, and
//! every component. ANSI TCAP (T1.114) is recognised and reported as such.

mod emit;
mod parser;

pub use emit::{emit_tcap, ComponentSpec, TcapSpec};
pub use parser::{parse_tcap_message, Components};

use crate::ber::{Oid, Tlv};

/// The message type of the transaction portion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcapKind {
    /// `[APPLICATION 1]`.
    Unidirectional,
    /// `[APPLICATION 2]`.
    Begin,
    /// `[APPLICATION 4]`.
    End,
    /// `[APPLICATION 5]`.
    Continue,
    /// `[APPLICATION 7]`.
    Abort,
}

impl TcapKind {
    /// The name used in JSON output and by Wireshark.
    pub fn name(self) -> &'static str {
        match self {
            TcapKind::Unidirectional => "unidirectional",
            TcapKind::Begin => "begin",
            TcapKind::End => "end",
            TcapKind::Continue => "continue",
            TcapKind::Abort => "abort",
        }
    }

    /// The identifier octet.
    pub(crate) fn identifier(self) -> u8 {
        match self {
            TcapKind::Unidirectional => 0x61,
            TcapKind::Begin => 0x62,
            TcapKind::End => 0x64,
            TcapKind::Continue => 0x65,
            TcapKind::Abort => 0x67,
        }
    }
}

/// The dialogue PDU kinds (Q.773 §4.2.2, the `DialoguePDU` and `UniDialoguePDU` types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialoguePdu {
    /// AARQ (dialogue request) or AUDT (unidirectional dialogue).
    Request,
    /// AARE (dialogue response).
    Response,
    /// ABRT (dialogue abort).
    Abort,
}

/// The dialogue portion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialogue<'a> {
    /// Which PDU.
    pub(crate) pdu: DialoguePdu,
    /// The application-context-name (MAP: `0.4.0.0.1.0.x.v`).
    pub(crate) acn: Option<Oid<'a>>,
    /// AARE result (0 accepted, 1 reject-permanent).
    pub(crate) result: Option<i64>,
}

/// An ITU TCAP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// Message type.
    pub kind: TcapKind,
    /// Originating transaction ID.
    pub otid: Option<&'a [u8]>,
    /// Destination transaction ID.
    pub dtid: Option<&'a [u8]>,
    /// Dialogue portion.
    pub(crate) dialogue: Option<Dialogue<'a>>,
    /// P-abort cause of an Abort.
    pub(crate) p_abort_cause: Option<i64>,
    /// The component portion's contents (empty when absent).
    pub(crate) components: &'a [u8],
    /// The whole TCAP message (offsets of components count from its start).
    pub(crate) raw: &'a [u8],
}

/// What the TCAP bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tcap<'a> {
    /// ITU TCAP, decoded.
    Itu(Message<'a>),
    /// ANSI TCAP (T1.114), with its package-type identifier; not decoded further.
    Ansi(u8),
}

/// The component types (Q.773 `Component`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// `[1]` Invoke.
    Invoke,
    /// `[2]` ReturnResult, last.
    ReturnResultLast,
    /// `[3]` ReturnError.
    ReturnError,
    /// `[4]` Reject.
    Reject,
    /// `[7]` ReturnResult, not last.
    ReturnResult,
}

impl ComponentKind {
    /// The name used in JSON output and by Wireshark.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::Invoke => "invoke",
            ComponentKind::ReturnResultLast => "returnResultLast",
            ComponentKind::ReturnError => "returnError",
            ComponentKind::Reject => "reject",
            ComponentKind::ReturnResult => "returnResult",
        }
    }
}

/// An operation or error code: local (an integer) or global (an OID).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code<'a> {
    /// `localValue`.
    Local(i64),
    /// `globalValue`.
    Global(Oid<'a>),
}

impl Code<'_> {
    /// The local value, if it is one.
    pub fn local(&self) -> Option<i64> {
        match *self {
            Code::Local(n) => Some(n),
            Code::Global(_) => None,
        }
    }
}

/// One component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component<'a> {
    /// Component type.
    pub kind: ComponentKind,
    /// Invoke ID (absent in a Reject whose invoke ID was not derivable).
    pub invoke_id: Option<i64>,
    /// Linked ID of an Invoke.
    pub linked_id: Option<i64>,
    /// Operation code (Invoke; ReturnResult with a result).
    pub op: Option<Code<'a>>,
    /// Error code (ReturnError).
    pub error: Option<Code<'a>>,
    /// The parameter, undecoded.
    pub parameter: Option<Tlv<'a>>,
    /// Reject problem: the choice tag (0 general, 1 invoke, 2 returnResult, 3 returnError) and
    /// its value.
    pub(crate) problem: Option<(u8, i64)>,
}

/// The most components read from one message.
pub(crate) const MAX_COMPONENTS: usize = 32;

/// The dialogue-as-id object identifier (Q.773 §4.2.2): `0.0.17.773.1.1.1`.
pub(crate) const DIALOGUE_AS_ID: &[u8] = &[0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01];
/// The unidialogue-as-id object identifier: `0.0.17.773.1.2.1`.
#[allow(dead_code)] // a unidialogue's portion is read as a dialogue's
pub(crate) const UNIDIALOGUE_AS_ID: &[u8] = &[0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01];
