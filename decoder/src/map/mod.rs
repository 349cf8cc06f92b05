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

use core::fmt;

use arrayvec::ArrayVec;

use crate::ber::Oid;
use crate::digits::Digits;
use crate::identity::Identity;

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
}

/// The most TBCD octets of a node number: an AddressString is at most 20 octets, the first
/// of them its nature of address and numbering plan (29.002 §17.7.8).
const MAX_NODE_OCTETS: usize = 19;

/// A node number and what it stands for. The number is kept as the message carries it (TBCD
/// octets) and read into digits by [`Node::number`], for the few that anything looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// Its role.
    pub(crate) role: NodeRole,
    len: u8,
    /// The octets after the nature and plan; zero past `len`.
    octets: [u8; MAX_NODE_OCTETS],
}

impl Node {
    /// Its E.164 digits.
    pub fn number(&self) -> Digits {
        Digits::from_tbcd(&self.octets[..usize::from(self.len)])
    }

    /// A key that tells node numbers apart without reading their digits, for numbers of at
    /// most 15 octets (30 digits; an E.164 number has at most 15): the octets, then their
    /// count in the top byte. Equal keys are equal numbers; equal numbers may differ in key
    /// (a filler nibble followed by anything but `F` reads the same). `None` when longer.
    #[inline]
    pub fn key(&self) -> Option<u128> {
        if self.len > 15 {
            return None;
        }
        let mut w = [0u8; 16];
        w[..15].copy_from_slice(&self.octets[..15]);
        w[15] = self.len;
        Some(u128::from_le_bytes(w))
    }
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("role", &self.role)
            .field("number", &self.number())
            .finish()
    }
}

/// The most node numbers kept from one parameter.
pub(crate) const MAX_NODES: usize = 4;

/// What a MAP parameter says about a subscriber.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapInfo {
    /// The subscriber's IMSI.
    pub imsi: Option<Identity>,
    /// The subscriber's MSISDN.
    pub msisdn: Option<Identity>,
    /// Network node numbers in the parameter.
    pub(crate) nodes: ArrayVec<Node, MAX_NODES>,
    /// The ageOfLocationInformation of an anyTimeInterrogation or provideSubscriberInfo
    /// result, in minutes (29.002 §17.7.1: 0 to 32767): how old the location it gives is.
    pub age_of_location_min: Option<u16>,
}

impl MapInfo {
    /// Forget everything (without moving the value).
    pub(crate) fn clear(&mut self) {
        self.imsi = None;
        self.msisdn = None;
        self.nodes.clear();
        self.age_of_location_min = None;
    }

    /// The first node number with `role`.
    pub fn node(&self, role: NodeRole) -> Option<&Node> {
        self.nodes.iter().find(|n| n.role == role)
    }

    /// Keep a node number given as TBCD octets (at most [`MAX_NODE_OCTETS`]), unless it has no
    /// digit: its first nibble is the filler.
    pub(crate) fn push_node(&mut self, role: NodeRole, tbcd: &[u8]) {
        let Some(&first) = tbcd.first() else {
            return;
        };
        if first & 0x0f == 0x0f || tbcd.len() > MAX_NODE_OCTETS {
            return;
        }
        let mut octets = [0; MAX_NODE_OCTETS];
        octets[..tbcd.len()].copy_from_slice(tbcd);
        let _ = self.nodes.try_push(Node {
            role,
            len: tbcd.len() as u8,
            octets,
        });
    }
}

/// Whether an application-context-name is a MAP one (`0.4.0.0.1.0.x.v`, 29.002 §17.3.3).
pub(crate) fn is_map_acn(acn: &Oid<'_>) -> bool {
    acn.0.len() == 7 && acn.0.starts_with(&[0x04, 0x00, 0x00, 0x01, 0x00])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pushed(octets: &[u8]) -> MapInfo {
        let mut info = MapInfo::default();
        info.push_node(NodeRole::Vlr, octets);
        info
    }

    proptest! {
        /// A node number kept as octets reads as those octets read as TBCD, and one whose
        /// first nibble is the filler (no digit) is not kept, as when it was read at once.
        #[test]
        fn a_node_number_is_its_octets_read_as_tbcd(
            octets in proptest::collection::vec(any::<u8>(), 1..=MAX_NODE_OCTETS),
        ) {
            let digits = Digits::from_tbcd(&octets);
            let info = pushed(&octets);
            let node = info.node(NodeRole::Vlr);
            prop_assert_eq!(node.is_some(), !digits.is_empty());
            if let Some(n) = node {
                prop_assert_eq!(n.number(), digits);
            }
        }

        /// Keys are equal only for the same octets, so a cache keyed by them never answers
        /// for another number; a digit string and the same with a zero octet added are apart.
        #[test]
        fn node_keys_tell_octet_strings_apart(
            a in proptest::collection::vec(any::<u8>(), 1..=15),
            b in proptest::collection::vec(any::<u8>(), 1..=15),
        ) {
            // A first digit, so that both are kept.
            let (mut a, mut b) = (a, b);
            a[0] &= 0xf7;
            b[0] &= 0xf7;
            let key = |o: &[u8]| pushed(o).node(NodeRole::Vlr).and_then(Node::key);
            prop_assert!(key(&a).is_some());
            prop_assert_eq!(key(&a) == key(&b), a == b);
            if a.len() < 15 {
                let mut longer = a.clone();
                longer.push(0);
                prop_assert_ne!(key(&a), key(&longer));
            }
        }
    }

    #[test]
    fn numbers_longer_than_fifteen_octets_have_no_key() {
        let info = pushed(&[0x21; 16]);
        let node = info.node(NodeRole::Vlr).unwrap();
        assert_eq!(node.key(), None);
        assert_eq!(node.number().as_str(), "12".repeat(16));
    }
}
