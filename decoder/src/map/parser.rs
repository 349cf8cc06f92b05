use arrayvec::ArrayVec;

use super::{MapInfo, NodeRole, OpCode};
use crate::ber::{Tlv, Tlvs};
use crate::error::{DecodeError, Layer, PErr};
use crate::identity::Identity;
use crate::tcap::ComponentKind;

/// The most top-level elements read from one parameter.
const MAX_ELEMENTS: usize = 32;

/// Identifier octets used below: UNIVERSAL OCTET STRING and SEQUENCE, context tags [n]
/// primitive (0x80 + n) and constructed (0xa0 + n).
const OCTETS: u8 = 0x04;
const INTEGER: u8 = 0x02;
const SEQ: u8 = 0x30;
const fn ctx(n: u8) -> u8 {
    0x80 | n
}
const fn ctx_c(n: u8) -> u8 {
    0xa0 | n
}

type Elements<'a> = ArrayVec<Tlv<'a>, MAX_ELEMENTS>;

/// The constructed bit of an identifier octet.
const CONSTRUCTED: u8 = 0x20;

/// Whether two identifiers name the same tag, in either form: BER lets a sender encode any
/// OCTET STRING (an IMSI, an address) in constructed form, so `0x24` is the same element as
/// `0x04` and `0xa1` as `0x81`; looking for the primitive form alone would take the next
/// element of that tag for this one.
#[inline]
fn same_tag(a: u8, b: u8) -> bool {
    (a ^ b) & !CONSTRUCTED == 0
}

/// The most octets a string joined from segments may take: an AddressString's 20.
type Joined = ArrayVec<u8, 20>;

/// An OCTET STRING's contents: a primitive one where it lies; a constructed one (segments,
/// X.690 §8.7.3) joined into `scratch`, as Wireshark and rasn join it. `None` when a segment
/// is not an OCTET STRING, does not parse, or the whole is longer than an identity can be.
fn octets<'s>(t: &'s Tlv<'_>, scratch: &'s mut Joined) -> Option<&'s [u8]> {
    if !t.constructed {
        return Some(t.value);
    }
    join(t.value, scratch, 0).then_some(scratch.as_slice())
}

fn join(v: &[u8], out: &mut Joined, depth: u8) -> bool {
    if depth > 4 {
        return false;
    }
    Tlvs::new(v).all(|s| match s {
        Ok(s) if s.identifier == OCTETS => out.try_extend_from_slice(s.value).is_ok(),
        Ok(s) if s.identifier == OCTETS | CONSTRUCTED => join(s.value, out, depth + 1),
        _ => false,
    })
}

/// Read the subscriber identities and node numbers from the parameter of an operation's
/// argument (Invoke) or result (ReturnResult). Error offsets count from the parameter start.
///
/// Only the elements these fields live in are read; a parameter whose type differs from what
/// 29.002 gives (another MAP version, a vendor's variant) yields what could be found.
pub fn parse_map_parameter(
    op: OpCode,
    kind: ComponentKind,
    parameter: Option<&Tlv<'_>>,
) -> Result<MapInfo, DecodeError> {
    let mut info = MapInfo::default();
    parse_map_parameter_into(op, kind, parameter, &mut info)?;
    Ok(info)
}

/// [`parse_map_parameter`] into `info` (cleared first), which the hot path keeps in place
/// rather than moving a `MapInfo` through a `Result`.
pub fn parse_map_parameter_into(
    op: OpCode,
    kind: ComponentKind,
    parameter: Option<&Tlv<'_>>,
    info: &mut MapInfo,
) -> Result<(), DecodeError> {
    info.clear();
    let Some(p) = parameter else {
        return Ok(());
    };
    let r = match kind {
        ComponentKind::Invoke => argument(op, p, info),
        ComponentKind::ReturnResultLast | ComponentKind::ReturnResult => result(op, p, info),
        ComponentKind::ReturnError | ComponentKind::Reject => Ok(()),
    };
    r.map_err(|e| {
        let at = p.raw.len() - e.remaining.min(p.raw.len());
        DecodeError::new(Layer::Map, e.kind, at)
    })
}

/// The elements of a constructed parameter (none for a primitive one), read into `out`
/// (filled in place: an `Elements` is too large to move around on every message).
fn elements<'e, 'a>(t: &Tlv<'a>, out: &'e mut Elements<'a>) -> Result<&'e [Tlv<'a>], PErr> {
    out.clear();
    if t.constructed {
        for e in Tlvs::new(t.value) {
            if out.try_push(e?).is_err() {
                break;
            }
        }
    }
    Ok(out.as_slice())
}

fn nth<'e, 'a>(e: &'e [Tlv<'a>], id: u8, n: usize) -> Option<&'e Tlv<'a>> {
    e.iter().filter(|t| same_tag(t.identifier, id)).nth(n)
}

fn get<'e, 'a>(e: &'e [Tlv<'a>], id: u8) -> Option<&'e Tlv<'a>> {
    nth(e, id, 0)
}

/// `AgeOfLocationInformation ::= INTEGER (0..32767)`, minutes: one or two octets, not
/// negative; anything else is no age.
fn age_minutes(t: &Tlv<'_>) -> Option<u16> {
    // Two's complement: a first octet with its top bit set is negative.
    match t.value {
        [a] if *a < 0x80 => Some(u16::from(*a)),
        [a, b] if *a < 0x80 => Some(u16::from_be_bytes([*a, *b])),
        _ => None,
    }
}

/// An IMSI: 3 to 8 octets of TBCD (29.002 §17.7.8).
fn imsi(t: Option<&Tlv<'_>>) -> Option<Identity> {
    let mut scratch = Joined::new();
    let v = octets(t?, &mut scratch)?;
    (3..=8)
        .contains(&v.len())
        .then(|| Identity::from_tbcd(v))
        .flatten()
}

/// The TBCD octets of an (ISDN-)AddressString: one octet of nature and plan, then the
/// digits (29.002 §17.7.8); at most 20 octets in all.
fn address_octets<'s>(t: &'s Tlv<'_>, scratch: &'s mut Joined) -> Option<&'s [u8]> {
    let v = octets(t, scratch)?;
    (2..=20).contains(&v.len()).then(|| &v[1..])
}

/// A subscriber's (ISDN-)AddressString, an MSISDN.
fn addr(t: Option<&Tlv<'_>>) -> Option<Identity> {
    let mut scratch = Joined::new();
    address_octets(t?, &mut scratch).and_then(Identity::from_tbcd)
}

/// A node number (an AddressString) with `role`, kept as its TBCD octets: most messages'
/// node numbers are never looked at, so they are read into digits only when asked for
/// ([`MapInfo::node`]).
fn node(info: &mut MapInfo, role: NodeRole, t: Option<&Tlv<'_>>) {
    let mut scratch = Joined::new();
    if let Some(v) = t.and_then(|t| address_octets(t, &mut scratch)) {
        info.push_node(role, v);
    }
}

/// `SubscriberIdentity ::= CHOICE { imsi [0] IMSI, msisdn [1] ISDN-AddressString }`, given the
/// explicit tag around it.
fn subscriber_identity(t: Option<&Tlv<'_>>, info: &mut MapInfo) -> Result<(), PErr> {
    if let Some(t) = t {
        let mut buf = Elements::new();
        let e = elements(t, &mut buf)?;
        info.imsi = info.imsi.or(imsi(get(e, ctx(0))));
        info.msisdn = info.msisdn.or(addr(get(e, ctx(1))));
    }
    Ok(())
}

/// `SM-RP-DA` and `SM-RP-OA` of the forwardSM operations: the first two elements.
fn sm_rp(e: &[Tlv<'_>], info: &mut MapInfo) {
    if let Some(da) = e.first() {
        match da.identifier & !CONSTRUCTED {
            0x80 => info.imsi = imsi(Some(da)),
            0x84 => node(info, NodeRole::ServiceCentre, Some(da)),
            _ => {}
        }
    }
    if let Some(oa) = e.get(1) {
        match oa.identifier & !CONSTRUCTED {
            0x82 => info.msisdn = addr(Some(oa)),
            0x84 => node(info, NodeRole::ServiceCentre, Some(oa)),
            _ => {}
        }
    }
}

fn argument(op: OpCode, p: &Tlv<'_>, info: &mut MapInfo) -> Result<(), PErr> {
    let mut buf = Elements::new();
    let e = elements(p, &mut buf)?;
    match op {
        OpCode::UPDATE_LOCATION => {
            // { imsi, msc-Number [1], vlr-Number, ... }; v1 has locationInfo CHOICE with [1] too.
            info.imsi = imsi(get(e, OCTETS));
            node(info, NodeRole::Vlr, nth(e, OCTETS, 1));
            node(info, NodeRole::Msc, get(e, ctx(1)));
        }
        OpCode::CANCEL_LOCATION => {
            // v3: [3] { identity, ... }; v1/v2: Identity itself. Identity ::= CHOICE { imsi,
            // imsi-WithLMSI SEQUENCE { imsi, lmsi } }.
            let identity = if same_tag(p.identifier, OCTETS) {
                Some(*p)
            } else {
                e.first().copied()
            };
            match identity {
                Some(t) if same_tag(t.identifier, OCTETS) => info.imsi = imsi(Some(&t)),
                Some(t) if t.identifier == SEQ => {
                    let mut inner = Elements::new();
                    info.imsi = imsi(get(elements(&t, &mut inner)?, OCTETS));
                }
                _ => {}
            }
        }
        OpCode::PROVIDE_ROAMING_NUMBER => {
            info.imsi = imsi(get(e, ctx(0)));
            info.msisdn = addr(get(e, ctx(2)));
            node(info, NodeRole::Msc, get(e, ctx(1)));
            node(info, NodeRole::Gmsc, get(e, ctx(8)));
        }
        OpCode::NOTE_SUBSCRIBER_DATA_MODIFIED
        | OpCode::RESTORE_DATA
        | OpCode::AUTHENTICATION_FAILURE_REPORT => {
            info.imsi = imsi(get(e, OCTETS));
            if op == OpCode::NOTE_SUBSCRIBER_DATA_MODIFIED {
                info.msisdn = addr(nth(e, OCTETS, 1));
            }
        }
        OpCode::INSERT_SUBSCRIBER_DATA | OpCode::SS_INVOCATION_NOTIFICATION => {
            info.imsi = imsi(get(e, ctx(0)));
            info.msisdn = addr(get(e, ctx(1)));
        }
        OpCode::DELETE_SUBSCRIBER_DATA
        | OpCode::PROVIDE_SUBSCRIBER_INFO
        | OpCode::READY_FOR_SM
        | OpCode::ACTIVATE_TRACE_MODE
        | OpCode::DEACTIVATE_TRACE_MODE
        | OpCode::NOTE_MS_PRESENT_FOR_GPRS => info.imsi = imsi(get(e, ctx(0))),
        OpCode::FAILURE_REPORT | OpCode::SEND_ROUTING_INFO_FOR_GPRS => {
            info.imsi = imsi(get(e, ctx(0)))
        }
        OpCode::SEND_ROUTING_INFO => {
            info.msisdn = addr(get(e, ctx(0)));
            node(info, NodeRole::Gmsc, get(e, ctx(6)));
        }
        OpCode::UPDATE_GPRS_LOCATION => {
            info.imsi = imsi(get(e, OCTETS));
            node(info, NodeRole::Sgsn, nth(e, OCTETS, 1));
        }
        OpCode::MT_FORWARD_SM => sm_rp(e, info),
        OpCode::MO_FORWARD_SM => {
            sm_rp(e, info);
            // v3 MO-ForwardSM-Arg: { sm-RP-DA, sm-RP-OA, sm-RP-UI, extensionContainer, ...,
            // imsi IMSI OPTIONAL }: the sender's IMSI is the second universal OCTET STRING.
            // (forwardSM v1/v2 carries an IMSI in sm-RP-DA, read above.)
            if info.imsi.is_none() {
                info.imsi = imsi(nth(e, OCTETS, 1));
            }
        }
        OpCode::SEND_ROUTING_INFO_FOR_SM => {
            info.msisdn = addr(get(e, ctx(0)));
            node(info, NodeRole::ServiceCentre, get(e, ctx(2)));
        }
        OpCode::REPORT_SM_DELIVERY_STATUS
        | OpCode::ALERT_SERVICE_CENTRE
        | OpCode::ALERT_SERVICE_CENTRE_WITHOUT_RESULT => {
            info.msisdn = addr(get(e, OCTETS));
            node(info, NodeRole::ServiceCentre, nth(e, OCTETS, 1));
        }
        OpCode::INFORM_SERVICE_CENTRE => info.msisdn = addr(get(e, OCTETS)),
        OpCode::SEND_AUTHENTICATION_INFO => {
            // v2: the argument is the IMSI itself; v3: { imsi [0], ... }.
            info.imsi = if same_tag(p.identifier, OCTETS) {
                imsi(Some(p))
            } else {
                imsi(get(e, ctx(0)))
            };
        }
        OpCode::SEND_IMSI => info.msisdn = addr(same_tag(p.identifier, OCTETS).then_some(p)),
        OpCode::PROCESS_UNSTRUCTURED_SS_REQUEST
        | OpCode::UNSTRUCTURED_SS_REQUEST
        | OpCode::UNSTRUCTURED_SS_NOTIFY => {
            info.msisdn = addr(get(e, ctx(0)));
        }
        OpCode::ANY_TIME_INTERROGATION => {
            subscriber_identity(get(e, ctx_c(0)), info)?;
            node(info, NodeRole::GsmScf, get(e, ctx(3)));
        }
        OpCode::ANY_TIME_SUBSCRIPTION_INTERROGATION => {
            subscriber_identity(get(e, ctx_c(0)), info)?;
            node(info, NodeRole::GsmScf, get(e, ctx(2)));
        }
        OpCode::ANY_TIME_MODIFICATION => {
            subscriber_identity(get(e, ctx_c(0)), info)?;
            node(info, NodeRole::GsmScf, get(e, ctx(1)));
        }
        OpCode::PURGE_MS => {
            // v3: [3] { imsi, vlr-Number [0], sgsn-Number [1] }; v2: { imsi, vlr-Number }.
            info.imsi = imsi(get(e, OCTETS));
            node(
                info,
                NodeRole::Vlr,
                get(e, ctx(0)).or_else(|| nth(e, OCTETS, 1)),
            );
            node(info, NodeRole::Sgsn, get(e, ctx(1)));
        }
        OpCode::PROVIDE_SUBSCRIBER_LOCATION => {
            info.imsi = imsi(get(e, ctx(2)));
            info.msisdn = addr(get(e, ctx(3)));
            node(info, NodeRole::Mlc, get(e, OCTETS));
        }
        OpCode::SEND_ROUTING_INFO_FOR_LCS => {
            node(info, NodeRole::Mlc, get(e, ctx(0)));
            subscriber_identity(get(e, ctx_c(1)), info)?;
        }
        OpCode::SUBSCRIBER_LOCATION_REPORT => {
            info.msisdn = addr(get(e, ctx(0)));
            info.imsi = imsi(get(e, ctx(1)));
        }
        OpCode::NOTE_MM_EVENT => {
            info.imsi = imsi(get(e, ctx(1)));
            info.msisdn = addr(get(e, ctx(2)));
        }
        OpCode::RESET => node(info, NodeRole::Hlr, get(e, OCTETS)),
        _ => {}
    }
    Ok(())
}

fn result(op: OpCode, p: &Tlv<'_>, info: &mut MapInfo) -> Result<(), PErr> {
    let mut buf = Elements::new();
    let e = elements(p, &mut buf)?;
    match op {
        OpCode::UPDATE_LOCATION | OpCode::UPDATE_GPRS_LOCATION | OpCode::RESTORE_DATA => {
            let hlr = if same_tag(p.identifier, OCTETS) {
                Some(p)
            } else {
                get(e, OCTETS)
            };
            node(info, NodeRole::Hlr, hlr);
        }
        OpCode::PROVIDE_ROAMING_NUMBER => {
            let msrn = if same_tag(p.identifier, OCTETS) {
                Some(p)
            } else {
                get(e, OCTETS)
            };
            node(info, NodeRole::RoamingNumber, msrn);
        }
        OpCode::SEND_ROUTING_INFO => {
            // v3: [3] { imsi [9], extendedRoutingInfo (routingInfo: roamingNumber | ...) };
            // v1/v2: { imsi, routingInfo, ... }.
            if p.identifier == ctx_c(3) {
                info.imsi = imsi(get(e, ctx(9)));
                node(info, NodeRole::RoamingNumber, get(e, OCTETS));
            } else {
                info.imsi = imsi(get(e, OCTETS));
                node(info, NodeRole::RoamingNumber, nth(e, OCTETS, 1));
            }
        }
        OpCode::SEND_ROUTING_INFO_FOR_SM => {
            info.imsi = imsi(get(e, OCTETS));
            if let Some(loc) = get(e, ctx_c(0)) {
                let mut lbuf = Elements::new();
                let l = elements(loc, &mut lbuf)?;
                node(info, NodeRole::NetworkNode, get(l, ctx(1)));
                if let Some(add) = get(l, ctx_c(6)) {
                    let mut abuf = Elements::new();
                    let a = elements(add, &mut abuf)?;
                    node(info, NodeRole::Msc, get(a, ctx(0)));
                    node(info, NodeRole::Sgsn, get(a, ctx(1)));
                }
            }
        }
        OpCode::SEND_IDENTIFICATION => info.imsi = imsi(get(e, OCTETS)),
        OpCode::SEND_IMSI => info.imsi = imsi(same_tag(p.identifier, OCTETS).then_some(p)),
        OpCode::ANY_TIME_INTERROGATION | OpCode::PROVIDE_SUBSCRIBER_INFO => {
            // { subscriberInfo SubscriberInfo { locationInformation [0] { ..., vlr-number [1] } } }
            let si = if op == OpCode::ANY_TIME_INTERROGATION {
                get(e, SEQ)
            } else {
                get(e, SEQ).or(Some(p))
            };
            if let Some(si) = si {
                let mut sbuf = Elements::new();
                let s = elements(si, &mut sbuf)?;
                if let Some(li) = get(s, ctx_c(0)) {
                    // LocationInformation ::= SEQUENCE { ageOfLocationInformation INTEGER
                    // OPTIONAL, geographicalInformation [0], vlr-number [1], ... }
                    let mut lbuf = Elements::new();
                    let l = elements(li, &mut lbuf)?;
                    node(info, NodeRole::Vlr, get(l, ctx(1)));
                    info.age_of_location_min = get(l, INTEGER).and_then(age_minutes);
                }
            }
        }
        OpCode::SEND_ROUTING_INFO_FOR_LCS => {
            subscriber_identity(get(e, ctx_c(0)), info)?;
            if let Some(li) = get(e, ctx_c(1)) {
                let mut lbuf = Elements::new();
                node(
                    info,
                    NodeRole::NetworkNode,
                    get(elements(li, &mut lbuf)?, OCTETS),
                );
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ber::parse_ber_tlv;
    use hex_literal::hex;

    fn info(op: u8, kind: ComponentKind, param: &[u8]) -> MapInfo {
        let (_, t) = parse_ber_tlv(param).unwrap();
        parse_map_parameter(OpCode(op), kind, Some(&t)).unwrap()
    }

    #[test]
    fn insert_subscriber_data_from_pcapr() {
        // pcapr-m3ua-map-mixed.pcap frame 1: imsi [0], msisdn [1] (tshark: 234157799310552,
        // 447799310552).
        let p = hex!("30 16 80 08 32 14 75 97 39 01 55 f2 81 07 91 44 77 99 13 50 25 82 01 0a");
        let i = info(7, ComponentKind::Invoke, &p);
        assert_eq!(i.imsi.unwrap().to_string(), "234157799310552");
        assert_eq!(i.msisdn.unwrap().to_string(), "447799310552");
    }

    #[test]
    fn ati_by_msisdn_and_by_imsi() {
        let p = hex!("30 14 a0 08 81 06 91 21 60 55 05 f1 a1 00 83 06 91 68 31 10 00 77");
        let i = info(71, ComponentKind::Invoke, &p);
        assert_eq!(i.msisdn.unwrap().to_string(), "120655501");
        assert_eq!(i.imsi, None);
        assert_eq!(
            i.node(NodeRole::GsmScf).unwrap().number().as_str(),
            "8613010077"
        );
        let p = hex!("30 0c a0 0a 80 08 13 00 14 21 43 65 87 f9");
        assert_eq!(
            info(71, ComponentKind::Invoke, &p)
                .imsi
                .unwrap()
                .to_string(),
            "310041123456789"
        );
    }

    /// BER lets any OCTET STRING come in constructed form, cut into segments (X.690 §8.7.3);
    /// Wireshark and rasn join them. The `map_diff` fuzz target found an UpdateLocation whose
    /// IMSI came so: looking for the primitive form only, sigwatch took the VLR number (the
    /// next OCTET STRING) for the IMSI, where rasn's decoder joined the segments.
    #[test]
    fn identities_in_constructed_form_are_joined_and_keep_their_place() {
        // An UpdateLocation argument: SEQUENCE { imsi, then `rest` }.
        let ul = |imsi: &[u8], rest: &[u8]| {
            let mut p = vec![0x30, (imsi.len() + rest.len()) as u8];
            p.extend_from_slice(imsi);
            p.extend_from_slice(rest);
            info(2, ComponentKind::Invoke, &p)
        };
        for imsi in [
            &hex!("24 0c 04 03 13 00 14 04 05 21 43 65 87 f9")[..],
            &hex!("24 80 04 03 13 00 14 24 80 04 05 21 43 65 87 f9 00 00 00 00")[..],
        ] {
            let i = ul(imsi, &hex!("81 05 91 21 60 55 f5 04 05 91 21 43 65 f7"));
            assert_eq!(
                i.imsi.unwrap().to_string(),
                "310041123456789",
                "{imsi:02x?}"
            );
            assert_eq!(i.node(NodeRole::Vlr).unwrap().number().as_str(), "1234567");
            assert_eq!(i.node(NodeRole::Msc).unwrap().number().as_str(), "1206555");
        }
        // ATI's msisdn [1] in constructed form: its segments are universal OCTET STRINGs.
        let p = hex!("30 0e a0 0c a1 0a 04 03 91 21 60 04 03 55 05 f1");
        assert_eq!(
            info(71, ComponentKind::Invoke, &p)
                .msisdn
                .unwrap()
                .to_string(),
            "120655501"
        );
        // A segment that is not an OCTET STRING, or more octets than an identity holds: no
        // identity, and still not the next element's.
        for imsi in [
            &hex!("24 07 02 01 05 04 02 13 00")[..],
            &hex!("24 0c 04 0a 00 00 00 00 00 00 00 00 00 00")[..],
        ] {
            let i = ul(imsi, &hex!("04 05 91 21 43 65 f7"));
            assert_eq!(i.imsi, None, "{imsi:02x?}");
            assert_eq!(i.node(NodeRole::Vlr).unwrap().number().as_str(), "1234567");
        }
    }

    #[test]
    fn sri_for_sm_result_leaks_imsi_and_serving_node() {
        let p = hex!("30 13 04 08 13 00 14 21 43 65 87 f9 a0 07 81 05 91 21 60 55 f5");
        let i = info(45, ComponentKind::ReturnResultLast, &p);
        assert_eq!(i.imsi.unwrap().to_string(), "310041123456789");
        assert_eq!(
            i.node(NodeRole::NetworkNode).unwrap().number().as_str(),
            "1206555"
        );
    }

    #[test]
    fn mt_forward_sm_da_and_oa() {
        let p = hex!("30 12 80 08 13 00 14 21 43 65 87 f9 84 04 91 21 43 65 04 00");
        let i = info(44, ComponentKind::Invoke, &p);
        assert_eq!(i.imsi.unwrap().to_string(), "310041123456789");
        assert_eq!(
            i.node(NodeRole::ServiceCentre).unwrap().number().as_str(),
            "123456"
        );
    }

    #[test]
    fn version_differences() {
        // SAI v2: the IMSI itself; v3: [0] inside a SEQUENCE.
        assert_eq!(
            info(
                56,
                ComponentKind::Invoke,
                &hex!("04 08 13 00 14 21 43 65 87 f9")
            )
            .imsi
            .unwrap()
            .to_string(),
            "310041123456789"
        );
        assert_eq!(
            info(
                56,
                ComponentKind::Invoke,
                &hex!("30 0d 80 08 13 00 14 21 43 65 87 f9 02 01 01")
            )
            .imsi
            .unwrap()
            .to_string(),
            "310041123456789"
        );
        // cancelLocation v3 [3] { imsi-WithLMSI { imsi, lmsi } }.
        let p = hex!("a3 10 30 0e 04 08 13 00 14 21 43 65 87 f9 04 02 00 01");
        assert_eq!(
            info(3, ComponentKind::Invoke, &p).imsi.unwrap().to_string(),
            "310041123456789"
        );
    }

    #[test]
    fn broken_element_is_malformed_map() {
        let (_, t) = parse_ber_tlv(&hex!("30 04 80 05 01 02")).unwrap();
        let e = parse_map_parameter(OpCode(7), ComponentKind::Invoke, Some(&t)).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Map, 4));
        // A missing parameter is not an error.
        assert_eq!(
            parse_map_parameter(OpCode(7), ComponentKind::Invoke, None).unwrap(),
            MapInfo::default()
        );
    }
}
