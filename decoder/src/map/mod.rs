//! GSM MAP (3GPP TS 29.002): operation and error names, and for the operations that concern a
//! subscriber, the IMSI and MSISDN they carry and the network node numbers that say where the
//! subscriber is (VLR/MSC of updateLocation, SGSN of updateGprsLocation, network node of the
//! sendRoutingInfoForSM result, ...). MAP versions 1 to 3 are read alike where they differ only
//! in tagging.

mod codes;
mod emit;
mod parser;

pub use codes::{ErrorCode, OpCode};
pub use emit::{address_string, imsi_octets, MapArg};
pub use parser::{parse_map_parameter, parse_map_parameter_into};

use arrayvec::ArrayVec;

use crate::ber::Oid;
use crate::digits::Digits;

/// What a node number in a MAP parameter stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeRole {
    /// VLR number (updateLocation, purgeMS, location information of ATI/PSI results).
    Vlr,
    /// MSC number (updateLocation, provideRoamingNumber).
    Msc,
    /// SGSN number (updateGprsLocation, purgeMS).
    Sgsn,
    /// HLR number (updateLocation and restoreData results, reset).
    Hlr,
    /// Network node number of a sendRoutingInfoForSM or sendRoutingInfoForLCS result.
    NetworkNode,
    /// Short message service centre address.
    ServiceCentre,
    /// gsmSCF address (anyTimeInterrogation and friends).
    GsmScf,
    /// GMLC / MLC number (location services).
    Mlc,
    /// Gateway MSC address (sendRoutingInfo, provideRoamingNumber).
    Gmsc,
    /// Mobile station roaming number (provideRoamingNumber and sendRoutingInfo results).
    RoamingNumber,
}

impl NodeRole {
    /// The JSON key.
    pub fn name(self) -> &'static str {
        match self {
            NodeRole::Vlr => "vlr_number",
            NodeRole::Msc => "msc_number",
            NodeRole::Sgsn => "sgsn_number",
            NodeRole::Hlr => "hlr_number",
            NodeRole::NetworkNode => "network_node_number",
            NodeRole::ServiceCentre => "sc_address",
            NodeRole::GsmScf => "gsmscf_address",
            NodeRole::Mlc => "mlc_number",
            NodeRole::Gmsc => "gmsc_address",
            NodeRole::RoamingNumber => "roaming_number",
        }
    }

    /// Whether the number says where the subscriber is (the serving node).
    pub fn is_location(self) -> bool {
        matches!(
            self,
            NodeRole::Vlr | NodeRole::Msc | NodeRole::Sgsn | NodeRole::NetworkNode
        )
    }
}

/// A node number and what it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Its role.
    pub role: NodeRole,
    /// Its E.164 digits.
    pub number: Digits,
}

/// The most node numbers kept from one parameter.
pub const MAX_NODES: usize = 4;

/// What a MAP parameter says about a subscriber.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapInfo {
    /// The subscriber's IMSI.
    pub imsi: Option<Digits>,
    /// The subscriber's MSISDN.
    pub msisdn: Option<Digits>,
    /// Network node numbers in the parameter.
    pub nodes: ArrayVec<Node, MAX_NODES>,
}

impl MapInfo {
    /// Forget everything (without moving the value).
    pub fn clear(&mut self) {
        self.imsi = None;
        self.msisdn = None;
        self.nodes.clear();
    }

    /// The first node number with `role`.
    pub fn node(&self, role: NodeRole) -> Option<&Digits> {
        self.nodes
            .iter()
            .find(|n| n.role == role)
            .map(|n| &n.number)
    }

    fn push_node(&mut self, role: NodeRole, number: Option<Digits>) {
        if let Some(number) = number.filter(|d| !d.is_empty()) {
            let _ = self.nodes.try_push(Node { role, number });
        }
    }
}

/// Whether an application-context-name is a MAP one (`0.4.0.0.1.0.x.v`, 29.002 §17.3.3).
pub fn is_map_acn(acn: &Oid<'_>) -> bool {
    acn.0.len() == 7 && acn.0.starts_with(&[0x04, 0x00, 0x00, 0x01, 0x00])
}

/// The MAP version of an application-context-name (its last arc).
pub fn acn_version(acn: &Oid<'_>) -> Option<u8> {
    is_map_acn(acn).then(|| acn.0[6])
}
