//! Who sent a message: countries and operators from global titles and realms, the partner
//! directory first; and custom rules.

#![allow(clippy::unwrap_used, clippy::panic)]

mod harness;

use decoder::map::MapArg;
use decoder::Digits;
use harness::*;
use rules::numbering::Relation;

fn d(s: &str) -> Digits {
    Digits::from_ascii(s).unwrap()
}

#[test]
fn barbados_bahamas_and_the_us_from_global_titles() {
    let w = World::new();
    let e = w.engine;
    let src = |gt: &str| e.attribute_gt(&d(gt));
    let op = |gt: &str| {
        src(gt)
            .operator
            .and_then(|o| e.plan.operator(o))
            .map(|o| o.name.clone())
    };
    assert_eq!(src("12462501234").country.unwrap().to_string(), "BB");
    assert_eq!(op("12462501234").as_deref(), Some("Flow Barbados"));
    assert_eq!(src("12462501234").relation, Some(Relation::Partner));
    // Another Barbados range: the built-in carrier data, not the partner.
    assert_eq!(src("12462601234").country.unwrap().to_string(), "BB");
    assert_ne!(op("12462601234").as_deref(), Some("Flow Barbados"));
    assert_eq!(src("12423571234").country.unwrap().to_string(), "BS");
    assert_eq!(src("12423571234").relation, Some(Relation::Foreign));
    assert_eq!(src("12065550100").relation, Some(Relation::Home));
    assert_eq!(src("12125551234").country.unwrap().to_string(), "US");
    assert_eq!(
        src("12125551234").relation,
        Some(Relation::Foreign),
        "a US number that is not home"
    );
}

#[test]
fn realms_and_the_partner_directory() {
    let w = World::new();
    let e = w.engine;
    let r = |realm: &str| e.attribute_realm(Some(b"host"), Some(realm.as_bytes()));
    let bb = r("epc.mnc600.mcc342.3gppnetwork.org");
    assert_eq!(bb.relation, Some(Relation::Partner));
    assert_eq!(
        e.plan.operator(bb.operator.unwrap()).unwrap().name,
        "Flow Barbados"
    );
    assert_eq!(bb.plmn.unwrap().to_string(), "342-600");
    let bs = r("epc.mnc390.mcc364.3gppnetwork.org");
    assert_eq!(bs.country.unwrap().to_string(), "BS");
    assert_eq!(bs.relation, Some(Relation::Foreign));
    assert!(r("epc.mnc410.mcc310.3gppnetwork.org").is_home());
    let odd = r("diameter.example.net");
    assert_eq!((odd.country, odd.plmn), (None, None));
}

const CUSTOM: &str = r#"
[[rule]]
id = "block-sendimsi-cn"
when = { opcode = 58, source_country = "CN" }
action = "alert"
severity = "high"

[[rule]]
id = "allow-bb-psl"
when = { opcode = 83, source_operator = "Flow Barbados" }
action = "allow"
"#;

#[test]
fn custom_rules_run_before_the_built_ins() {
    let mut w = World::with_policy(&format!("{POLICY}{CUSTOM}"));
    let v = w.invoke(0, CN_GT, HOME_HLR, 1, 58, MapArg::send_imsi(HOME_MSISDN));
    assert_eq!(w.ids(&v), vec!["block-sendimsi-cn"]);
    let rule = w.engine.rule(v[0].rule).unwrap();
    assert_eq!(
        (
            rule.category.name(),
            rule.severity.name(),
            rule.action.name()
        ),
        ("custom", "high", "alert")
    );
    // sendIMSI from elsewhere is still category 1.
    let v = w.invoke(1, BS_GT, HOME_HLR, 2, 58, MapArg::send_imsi(HOME_MSISDN));
    assert_eq!(w.ids(&v), vec!["fs11.cat1.send_imsi"]);
    // The partner's PSL is allowed; China's is not.
    assert!(w
        .invoke(
            2,
            BB_VLR,
            HOME_HLR,
            3,
            83,
            MapArg::provide_subscriber_location(Some(HOME_MSISDN), None, BB_VLR)
        )
        .is_empty());
    let v = w.invoke(
        3,
        CN_GT,
        HOME_HLR,
        4,
        83,
        MapArg::provide_subscriber_location(Some(HOME_MSISDN), None, CN_GT),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat1.provide_subscriber_location"]);
}

#[test]
fn messages_without_identities_are_judged_on_what_they_have() {
    let mut w = World::new();
    // ATI without a subscriber identity is still category 1 (the operation is the offence).
    let v = w.invoke(
        0,
        CN_GT,
        HOME_HLR,
        1,
        71,
        MapArg::any_time_interrogation(None, None, CN_GT),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat1.any_time_interrogation"]);
    assert!(v[0].target.imsi.is_none() && v[0].target.msisdn.is_none());
    // updateLocation without IMSI: no history to judge, no verdict, counted.
    assert!(w
        .invoke(1, CN_GT, HOME_HLR, 2, 2, vec![0x30, 0x00])
        .is_empty());
    // Parameters of the wrong shape.
    for op in [2, 3, 7, 22, 45, 56, 70, 71, 83] {
        let _ = w.invoke(
            2,
            CN_GT,
            HOME_HLR,
            3 + op as u32,
            op,
            vec![0x04, 0x01, 0xff],
        );
    }
}
