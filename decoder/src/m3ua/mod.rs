//! M3UA (RFC 4666): the common header, every message class, the TLV parameters, and the
//! Protocol Data of Transfer DATA (OPC, DPC, SI, NI, MP, SLS and the MTP3 user's bytes).
//!
//! SUA (RFC 3868 §3.1) uses the same common header and parameter format; the `sua` module
//! reads them with [`parse_m3ua_message`] and [`Params`].

mod codes;
mod emit;
mod parser;

pub use codes::{message_name, MessageClass, MessageType};
pub use emit::{emit_m3ua_data, emit_m3ua_message, M3uaDataSpec};
pub(crate) use parser::common;
pub use parser::{parse_m3ua_message, parse_m3ua_transfer, Params};

/// A SIGTRAN common header and the parameter bytes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// Protocol version (1).
    pub version: u8,
    /// Message class.
    pub(crate) class: MessageClass,
    /// Message type within the class.
    pub(crate) kind: MessageType,
    /// The parameters, as TLVs.
    pub(crate) params: &'a [u8],
}

/// One TLV parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param<'a> {
    /// Parameter tag.
    pub tag: u16,
    /// Parameter value (without padding).
    pub(crate) value: &'a [u8],
    /// Where the parameter starts in the parameter bytes.
    pub(crate) offset: usize,
}

/// The MTP3 routing and the user's bytes of a Transfer DATA message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolData<'a> {
    /// Originating point code.
    pub opc: u32,
    /// Destination point code.
    pub(crate) dpc: u32,
    /// Service indicator (3 = SCCP).
    pub(crate) si: u8,
    /// Network indicator.
    pub(crate) ni: u8,
    /// Message priority.
    pub(crate) mp: u8,
    /// Signalling link selection.
    pub(crate) sls: u8,
    /// The MTP3 user's bytes (SCCP when `si` is 3).
    pub data: &'a [u8],
    /// Where `data` starts in the M3UA message.
    pub(crate) offset: usize,
}

/// A decoded Transfer DATA message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer<'a> {
    /// Routing context, if present.
    pub routing_context: Option<u32>,
    /// Network appearance, if present.
    pub(crate) network_appearance: Option<u32>,
    /// The protocol data.
    pub data: ProtocolData<'a>,
}

/// M3UA parameter tags used here (RFC 4666 §3.2).
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod tag {
    /// Routing Context.
    pub(crate) const ROUTING_CONTEXT: u16 = 0x0006;
    /// Network Appearance.
    pub(crate) const NETWORK_APPEARANCE: u16 = 0x0200;
    /// Protocol Data.
    pub(crate) const PROTOCOL_DATA: u16 = 0x0210;
    /// Correlation ID.
    pub(crate) const CORRELATION_ID: u16 = 0x0013;
}

/// Byte ranges of the common header.
#[allow(dead_code)] // named whole, whether or not every entry is read
pub(crate) mod field {
    use core::ops::Range;
    /// Version.
    pub(crate) const VERSION: usize = 0;
    /// Message class.
    pub(crate) const CLASS: usize = 2;
    /// Message type.
    pub(crate) const TYPE: usize = 3;
    /// Message length, header included.
    pub(crate) const LENGTH: Range<usize> = 4..8;
    /// Common header length.
    pub(crate) const HEADER_LEN: usize = 8;
    /// Parameter tag and length.
    pub(crate) const PARAM_HEADER_LEN: usize = 4;
    /// Fixed part of Protocol Data: OPC, DPC, SI, NI, MP, SLS.
    pub(crate) const PROTOCOL_DATA_FIXED: usize = 12;
}

/// The most parameters read from one message.
pub(crate) const MAX_PARAMS: usize = 64;
