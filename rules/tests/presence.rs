//! Category 3 from everything a tap can learn (issue: "Where is the subscriber?"): presence
//! proven by the home network's own traffic, impossible travel from the first foreign
//! message, roaming agreements per operator, senders nobody can place, and the look-alikes
//! that must stay silent.

#![allow(clippy::unwrap_used, clippy::panic)]

mod harness;

use decoder::diameter::{avp, ApplicationId, AvpSpec, CommandCode};
use decoder::map::MapArg;
use harness::*;
use rules::policy::Proto;
use rules::verdict::{Detail, Verdict};

/// A UK network that is not a partner (EE: 447930, PLMN 234-30), beside the partner
/// Vodafone UK of the same country.
const EE_VLR: &str = "447930000200";
/// A global title in no E.164 range (country codes 280-289 are spare).
const NOWHERE_GT: &str = "28000000001";
const MIN: u64 = 60 * SEC;

fn ul(w: &mut World, ts: u64, vlr: &str, otid: u32) -> Vec<Verdict> {
    let arg = MapArg::update_location(HOME_IMSI, vlr, vlr);
    w.invoke(ts, vlr, HOME_HLR, otid, 2, arg)
}

fn ulr(w: &mut World, ts: u64, host: &str, realm: &str, visited: Vec<u8>) -> Vec<Verdict> {
    let mut avps = origin(host, realm);
    avps.push(AvpSpec::utf8(avp::USER_NAME, HOME_IMSI));
    avps.push(AvpSpec::tgpp(avp::VISITED_PLMN_ID, visited));
    w.diameter(ts, CommandCode::UPDATE_LOCATION, ApplicationId::S6A, avps)
}

/// China Unicom's MME and PLMN 460-01 as a Visited-PLMN-Id.
const CN_HOST: &str = "mme01.epc.mnc001.mcc460.3gppnetwork.org";
const CN_REALM: &str = "epc.mnc001.mcc460.3gppnetwork.org";
const CN_PLMN: [u8; 3] = [0x64, 0xf0, 0x10];

/// The travel a verdict reports: from, to, when last seen, by what.
fn travel(v: &Verdict) -> (String, String, u64, Proto, u32, bool) {
    let Detail::Travel {
        from,
        to,
        seen_ns,
        by,
        ..
    } = v.detail
    else {
        panic!("not travel: {:?}", v.detail)
    };
    (
        from.to_string(),
        to.to_string(),
        seen_ns,
        by.proto,
        by.code,
        by.answer,
    )
}

#[test]
fn a_short_message_from_a_home_msc_proves_presence_for_the_first_foreign_claim() {
    let mut w = World::new();
    let mo = MapArg::mo_forward_sm_v3("12065550300", HOME_MSISDN, b"hi", HOME_IMSI);
    assert!(w.invoke(0, HOME_MSC, "12065550300", 1, 46, mo).is_empty());
    // An hour later a Chinese VLR registers the subscriber: nothing else was known.
    let v = ul(&mut w, HOUR, CN_VLR, 2);
    assert_eq!(w.ids(&v), ["fs11.cat3.update_location"]);
    assert_eq!(
        travel(&v[0]),
        ("US".into(), "CN".into(), 0, Proto::Map, 46, false)
    );
}

#[test]
fn an_mt_short_message_acknowledged_at_home_is_evidence_for_diameter_too() {
    let mut w = World::new();
    // A UK SMSC delivers a short message; the home MSC acknowledges it (an empty result).
    let mt = MapArg::mt_forward_sm(HOME_IMSI, UK_HLR, b"hi");
    assert!(w.invoke(0, UK_HLR, HOME_MSC, 7, 44, mt).is_empty());
    assert!(w
        .result(2 * SEC, HOME_MSC, UK_HLR, 7, 44, vec![])
        .is_empty());
    // Half an hour later, a ULR from China for the same IMSI.
    let v = ulr(&mut w, 30 * MIN, CN_HOST, CN_REALM, CN_PLMN.to_vec());
    assert_eq!(w.ids(&v), ["fs19.cat3.ulr"]);
    assert_eq!(
        travel(&v[0]),
        ("US".into(), "CN".into(), 2 * SEC, Proto::Map, 44, true)
    );
}

#[test]
fn a_diameter_registration_is_evidence_against_a_map_claim() {
    let mut w = World::new();
    let uk = (
        "mme.epc.mnc015.mcc234.3gppnetwork.org",
        "epc.mnc015.mcc234.3gppnetwork.org",
    );
    assert!(ulr(&mut w, 0, uk.0, uk.1, vec![0x32, 0xf4, 0x51]).is_empty());
    let v = ul(&mut w, HOUR, CN_VLR, 3);
    assert_eq!(w.ids(&v), ["fs11.cat3.update_location"]);
    assert_eq!(
        travel(&v[0]),
        ("GB".into(), "CN".into(), 0, Proto::Diameter, 316, false)
    );
}

#[test]
fn a_location_answer_counts_from_the_age_it_gives() {
    // Fresh: the home HLR's provideSubscriberInfo, answered by a home VLR 5 minutes after
    // the subscriber was last in touch.
    let mut w = World::new();
    let psi = MapArg::provide_subscriber_info(HOME_IMSI);
    assert!(w
        .invoke(HOUR, HOME_HLR, HOME_MSC, 9, 70, psi.clone())
        .is_empty());
    let res = MapArg::location_res(HOME_MSC, 5);
    assert!(w
        .result(HOUR + SEC, HOME_MSC, HOME_HLR, 9, 70, res)
        .is_empty());
    let v = ul(&mut w, 2 * HOUR, UK_VLR, 4);
    assert_eq!(w.ids(&v), ["fs11.cat3.update_location"]);
    let (from, to, seen, proto, op, answer) = travel(&v[0]);
    assert_eq!((from.as_str(), to.as_str()), ("US", "GB"));
    let five_minutes_before = HOUR + SEC - 5 * MIN;
    assert_eq!(
        (seen, proto, op, answer),
        (five_minutes_before, Proto::Map, 70, true)
    );

    // Stale: the same answer with a location ten hours old, then the UK an hour later: a
    // flight fits in eleven hours.
    let mut w = World::new();
    let at = 10 * HOUR;
    assert!(w.invoke(at, HOME_HLR, HOME_MSC, 9, 70, psi).is_empty());
    let res = MapArg::location_res(HOME_MSC, 600);
    assert!(w
        .result(at + SEC, HOME_MSC, HOME_HLR, 9, 70, res)
        .is_empty());
    assert!(ul(&mut w, at + HOUR, UK_VLR, 4).is_empty());
}

#[test]
fn answers_that_only_repeat_the_registration_are_not_presence() {
    let mut w = World::new();
    // A home SMSC's SRI-for-SM, answered by the HLR naming a home MSC: true while the phone
    // is off on a flight.
    let sri = MapArg::send_routing_info_for_sm(HOME_MSISDN, "12065550300");
    assert!(w.invoke(0, "12065550300", HOME_HLR, 5, 45, sri).is_empty());
    let res = MapArg::send_routing_info_for_sm_res(HOME_IMSI, HOME_MSC);
    assert!(w
        .result(SEC, HOME_HLR, "12065550300", 5, 45, res)
        .is_empty());
    // A provideSubscriberInfo answer to a request the home network did not send.
    let psi = MapArg::provide_subscriber_info(HOME_IMSI);
    let _ = w.invoke(2 * SEC, CN_GT, HOME_MSC, 6, 70, psi);
    let res = MapArg::location_res(HOME_MSC, 0);
    assert!(w.result(3 * SEC, HOME_MSC, CN_GT, 6, 70, res).is_empty());
    // The UK an hour later is the subscriber's first known place: silent.
    assert!(ul(&mut w, HOUR, UK_VLR, 4).is_empty());
}

#[test]
fn no_roaming_agreement_is_judged_per_operator_from_the_first_message() {
    let mut w = World::new();
    // EE is in the UK like the partner Vodafone UK, but is not a partner.
    let v = ul(&mut w, 0, EE_VLR, 1);
    assert_eq!(w.ids(&v), ["fs11.cat3.no_roaming_agreement"]);
    assert_eq!(w.operator_name(&v[0]).as_deref(), Some("EE"));
    let ee = (
        "mme.epc.mnc030.mcc234.3gppnetwork.org",
        "epc.mnc030.mcc234.3gppnetwork.org",
    );
    let v = ulr(&mut w, SEC, ee.0, ee.1, vec![0x32, 0xf4, 0x03]);
    assert_eq!(w.ids(&v), ["fs19.cat3.no_roaming_agreement"]);
    // A partner's node named by a non-partner's title is still the non-partner's message.
    let arg = MapArg::update_location(HOME_IMSI, UK_VLR, UK_VLR);
    let v = w.invoke(2 * SEC, EE_VLR, HOME_HLR, 2, 2, arg);
    assert_eq!(w.ids(&v), ["fs11.cat3.no_roaming_agreement"]);
    // The partner itself, with no history: silent; and no claim from EE was learnt.
    assert!(ul(&mut w, 3 * SEC, UK_VLR, 3).is_empty());
    // Inbound roamers are not the home network's to hold to its agreements.
    let arg = MapArg::update_location(UK_IMSI, EE_VLR, EE_VLR);
    let v = w.invoke(4 * SEC, EE_VLR, UK_HLR, 4, 2, arg);
    assert!(!w
        .ids(&v)
        .iter()
        .any(|id| id.ends_with("no_roaming_agreement")));
}

#[test]
fn roaming_any_turns_the_agreement_check_off() {
    let policy = format!("{POLICY}\n[policy]\nroaming = \"any\"\n");
    let mut w = World::with_policy(&policy);
    assert!(ul(&mut w, 0, EE_VLR, 1).is_empty());
}

#[test]
fn senders_nobody_can_place_alert_and_are_never_learnt() {
    let mut w = World::new();
    // A ULR from a realm of no PLMN, claiming China.
    let v = ulr(
        &mut w,
        0,
        "mme01.attacker.com",
        "attacker.com",
        CN_PLMN.to_vec(),
    );
    assert_eq!(w.ids(&v), ["fs19.check.unknown_origin"]);
    assert!(matches!(v[0].detail, Detail::Unplaced));
    assert_eq!(v[0].source.realm.as_bytes(), b"attacker.com");
    assert_eq!(v[0].source.host.as_bytes(), b"mme01.attacker.com");
    assert_eq!(v[0].source.country, None);
    // An updateLocation from a title in no E.164 range, naming a Chinese VLR.
    let arg = MapArg::update_location(HOME_IMSI, CN_VLR, CN_VLR);
    let v = w.invoke(SEC, NOWHERE_GT, HOME_HLR, 1, 2, arg);
    assert_eq!(w.ids(&v), ["fs11.check.unknown_calling_gt"]);
    assert_eq!(v[0].source.gt.unwrap().to_string(), NOWHERE_GT);
    // Neither claim was learnt: the UK an hour later is the first known place, and China
    // after it is judged from the UK, not from where the unplaced senders said.
    assert!(ul(&mut w, HOUR, UK_VLR, 2).is_empty());
    let v = ul(&mut w, 2 * HOUR, CN_VLR, 3);
    assert_eq!(travel(&v[0]).0, "GB");
}
