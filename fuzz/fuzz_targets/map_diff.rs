//! Differential: sigwatch's MAP parameter decoder against the rasn-based `gsm_map` crate
//! (written elsewhere, from the ASN.1 of 3GPP TS 29.002). The first byte picks the operation,
//! the rest is its argument; on any argument both accept, the subscriber identities and node
//! numbers both report agree.
#![no_main]

use decoder::map::{parse_map_parameter, Node, NodeRole, OpCode};
use decoder::tcap::ComponentKind;
use decoder::Digits;
use gsm_map::operations::auth::SendAuthenticationInfoArg;
use gsm_map::operations::location::UpdateLocationArg;
use gsm_map::operations::sri_sm::RoutingInfoForSmArg;
use gsm_map::operations::subscriber_info::{AnyTimeInterrogationArg, SubscriberIdentity};
use libfuzzer_sys::fuzz_target;

/// An IMSI's TBCD octets as digits.
fn tbcd(o: &[u8]) -> Option<Digits> {
    let d = Digits::from_tbcd(o);
    (!d.is_empty()).then_some(d)
}

/// An (ISDN-)AddressString: a nature/plan octet, then TBCD digits.
fn address(o: &[u8]) -> Option<Digits> {
    tbcd(o.get(1..)?)
}

/// When both decoders name a value, it is the same value.
fn agree(what: &str, ours: Option<Digits>, theirs: Option<Digits>) {
    if let (Some(a), Some(b)) = (ours, theirs) {
        assert_eq!(a.as_str(), b.as_str(), "{what}");
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, arg @ ..] = data else {
        return;
    };
    let op = [2u8, 45, 71, 56][usize::from(*which) % 4];
    let Ok((_, tlv)) = decoder::ber::parse_ber_tlv(arg) else {
        return;
    };
    let Ok(info) = parse_map_parameter(OpCode(op), ComponentKind::Invoke, Some(&tlv)) else {
        return;
    };
    let arg = tlv.raw;
    match op {
        2 => {
            if let Ok(t) = rasn::ber::decode::<UpdateLocationArg>(arg) {
                agree("UL imsi", info.imsi.map(|i| i.digits()), tbcd(&t.imsi));
                agree(
                    "UL vlr",
                    info.node(NodeRole::Vlr).map(Node::number),
                    address(&t.vlr_number),
                );
                agree(
                    "UL msc",
                    info.node(NodeRole::Msc).map(Node::number),
                    address(&t.msc_number),
                );
            }
        }
        45 => {
            if let Ok(t) = rasn::ber::decode::<RoutingInfoForSmArg>(arg) {
                agree(
                    "SRI-SM msisdn",
                    info.msisdn.map(|i| i.digits()),
                    address(&t.msisdn),
                );
            }
        }
        71 => {
            if let Ok(t) = rasn::ber::decode::<AnyTimeInterrogationArg>(arg) {
                match &t.subscriber_identity {
                    SubscriberIdentity::Imsi(i) => {
                        agree("ATI imsi", info.imsi.map(|i| i.digits()), tbcd(i))
                    }
                    SubscriberIdentity::Msisdn(m) => {
                        agree("ATI msisdn", info.msisdn.map(|i| i.digits()), address(m))
                    }
                }
            }
        }
        _ => {
            if let Ok(t) = rasn::ber::decode::<SendAuthenticationInfoArg>(arg) {
                agree("SAI imsi", info.imsi.map(|i| i.digits()), tbcd(&t.imsi));
            }
        }
    }
});
