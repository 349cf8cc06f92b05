use super::EtherType;

/// What [`emit_ethernet`] writes.
#[derive(Debug, Clone, Default)]
pub struct EthernetSpec {
    /// Destination MAC.
    pub dst: [u8; 6],
    /// Source MAC.
    pub src: [u8; 6],
    /// VLAN identifiers, outermost first; the outermost of two or more is an 802.1ad tag.
    pub vlans: Vec<u16>,
}

/// Append an Ethernet II frame carrying `payload` of type `ethertype`.
pub fn emit_ethernet(out: &mut Vec<u8>, spec: &EthernetSpec, ethertype: EtherType, payload: &[u8]) {
    out.extend_from_slice(&spec.dst);
    out.extend_from_slice(&spec.src);
    for (n, vid) in spec.vlans.iter().enumerate() {
        let tpid = if n == 0 && spec.vlans.len() > 1 {
            EtherType::QINQ
        } else {
            EtherType::VLAN
        };
        out.extend_from_slice(&tpid.0.to_be_bytes());
        out.extend_from_slice(&(vid & 0x0fff).to_be_bytes());
    }
    out.extend_from_slice(&ethertype.0.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Append a Linux cooked (SLL v1) frame, as `tcpdump -i any` writes them.
pub fn emit_sll(out: &mut Vec<u8>, ethertype: EtherType, payload: &[u8]) {
    out.extend_from_slice(&0u16.to_be_bytes()); // packet type: to us
    out.extend_from_slice(&1u16.to_be_bytes()); // ARPHRD_ETHER
    out.extend_from_slice(&6u16.to_be_bytes()); // address length
    out.extend_from_slice(&[0x02, 0, 0, 0, 0, 1, 0, 0]);
    out.extend_from_slice(&ethertype.0.to_be_bytes());
    out.extend_from_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{parse_link, LinkType};

    #[test]
    fn round_trip() {
        let spec = EthernetSpec {
            vlans: vec![10, 20],
            ..Default::default()
        };
        let mut f = Vec::new();
        emit_ethernet(&mut f, &spec, EtherType::IPV6, b"\x60abc");
        let l = parse_link(LinkType::ETHERNET, &f).unwrap();
        assert_eq!(l.vlans.as_slice(), &[10, 20]);
        assert_eq!(l.ethertype, EtherType::IPV6);
        assert_eq!(l.payload, b"\x60abc");

        let mut s = Vec::new();
        emit_sll(&mut s, EtherType::IPV4, b"\x45");
        let l = parse_link(LinkType::LINUX_SLL, &s).unwrap();
        assert_eq!(l.ethertype, EtherType::IPV4);
        assert_eq!(l.payload, b"\x45");
    }
}
