//! Each built-in category fires on its attack and stays silent on the legitimate look-alike.

#![allow(clippy::unwrap_used, clippy::panic)]

mod harness;

use decoder::diameter::{avp, ApplicationId, AvpSpec, CommandCode};
use decoder::map::MapArg;
use decoder::tcap::{ComponentSpec, TcapKind, TcapSpec};
use harness::*;
use rules::policy::Proto;
use rules::verdict::{Category, Detail};

#[test]
fn cat1_from_the_interconnect_not_from_home() {
    let mut w = World::new();
    // ATI by MSISDN from a China Unicom node: tracking.
    let v = w.invoke(
        0,
        CN_GT,
        HOME_HLR,
        1,
        71,
        MapArg::any_time_interrogation(Some(HOME_MSISDN), None, CN_GT),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat1.any_time_interrogation"]);
    assert_eq!(v[0].source.country.unwrap().to_string(), "CN");
    assert_eq!(w.operator_name(&v[0]).as_deref(), Some("China Unicom"));
    assert_eq!(v[0].target.msisdn.unwrap().to_string(), HOME_MSISDN);
    assert_eq!(w.engine.rule(v[0].rule).unwrap().category, Category::Cat1);
    // The same ATI from the home gsmSCF, and home-internal SRI and PSL: legitimate.
    assert!(w
        .invoke(
            1,
            HOME_MSC,
            HOME_HLR,
            2,
            71,
            MapArg::any_time_interrogation(Some(HOME_MSISDN), None, HOME_MSC)
        )
        .is_empty());
    assert!(w
        .invoke(
            2,
            HOME_MSC,
            HOME_HLR,
            3,
            22,
            MapArg::send_routing_info(HOME_MSISDN, HOME_MSC)
        )
        .is_empty());
    assert!(w
        .invoke(
            3,
            HOME_MSC,
            HOME_HLR,
            4,
            83,
            MapArg::provide_subscriber_location(Some(HOME_MSISDN), None, HOME_MSC)
        )
        .is_empty());
    // SRI, PSL and sendIMSI from abroad are category 1.
    let v = w.invoke(
        4,
        BS_GT,
        HOME_HLR,
        5,
        22,
        MapArg::send_routing_info(HOME_MSISDN, BS_GT),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat1.send_routing_info"]);
    assert_eq!(v[0].source.country.unwrap().to_string(), "BS");
    let v = w.invoke(
        5,
        BB_VLR,
        HOME_HLR,
        6,
        83,
        MapArg::provide_subscriber_location(Some(HOME_MSISDN), None, BB_VLR),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat1.provide_subscriber_location"]);
    assert_eq!(w.operator_name(&v[0]).as_deref(), Some("Flow Barbados"));
    let v = w.invoke(6, CN_GT, HOME_HLR, 7, 58, MapArg::send_imsi(HOME_MSISDN));
    assert_eq!(w.ids(&v), vec!["fs11.cat1.send_imsi"]);
}

#[test]
fn cat2_only_from_the_roamers_home() {
    let mut w = World::new();
    // PSI for a UK inbound roamer from its own HLR: legitimate.
    assert!(w
        .invoke(
            0,
            UK_HLR,
            HOME_MSC,
            1,
            70,
            MapArg::provide_subscriber_info(UK_IMSI)
        )
        .is_empty());
    // The same PSI from China: not the roamer's home.
    let v = w.invoke(
        1,
        CN_GT,
        HOME_MSC,
        2,
        70,
        MapArg::provide_subscriber_info(UK_IMSI),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat2.provide_subscriber_info"]);
    assert!(matches!(v[0].detail, Detail::NotHome { home } if home.to_string() == "234-15"));
    // ISD for the roamer from the UK HLR: legitimate; from Barbados: not.
    assert!(w
        .invoke(
            2,
            UK_HLR,
            HOME_MSC,
            3,
            7,
            MapArg::insert_subscriber_data(UK_IMSI, "447700900001")
        )
        .is_empty());
    let v = w.invoke(
        3,
        BB_VLR,
        HOME_MSC,
        4,
        7,
        MapArg::insert_subscriber_data(UK_IMSI, "447700900001"),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat2.insert_subscriber_data"]);
    // A home subscriber's data only ever comes from the home HLR.
    let v = w.invoke(
        4,
        UK_HLR,
        HOME_MSC,
        5,
        8,
        MapArg::delete_subscriber_data(HOME_IMSI),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat2.delete_subscriber_data"]);
    // No IMSI: judged on what it has, no verdict, counted.
    let before = w.classifier.stats().no_identity;
    assert!(w
        .invoke(5, CN_GT, HOME_MSC, 6, 4, vec![0x30, 0x00])
        .is_empty());
    assert_eq!(w.classifier.stats().no_identity, before + 1);
    // An IMSI of sixteen digits (eight full octets: encodable, though E.212 allows 15) keys
    // no subscriber, but is judged by its network all the same.
    let long_imsi = format!("{UK_IMSI}0");
    let v = w.invoke(
        6,
        CN_GT,
        HOME_MSC,
        7,
        70,
        MapArg::provide_subscriber_info(&long_imsi),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat2.provide_subscriber_info"]);
    assert_eq!(v[0].target.imsi.unwrap().to_string(), long_imsi);
    assert_eq!(v[0].target.key(), None);
}

#[test]
fn cat2_insert_subscriber_data_inside_the_home_vlrs_update_location() {
    // The home network's VLR registers a UK inbound roamer with updateLocation; the HLR that
    // answers sends the roamer's data in an insertSubscriberData of the same dialogue (a
    // TC-CONTINUE), whose argument need not repeat the IMSI. The classifier takes the IMSI
    // from the remembered request: from the roamer's own HLR it is legitimate, from any other
    // network it is category 2.
    let mut w = World::new();
    // insertSubscriberData carrying only the MSISDN 447700900001 ([1] ISDN-AddressString).
    let isd_without_imsi = vec![
        0x30, 0x09, 0x81, 0x07, 0x91, 0x44, 0x77, 0x00, 0x09, 0x00, 0x10,
    ];
    let isd_in = |otid: u32, dtid: u32| TcapSpec {
        kind: TcapKind::Continue,
        otid: Some(otid),
        dtid: Some(dtid),
        acn: None,
        components: vec![ComponentSpec::invoke(1, 7, isd_without_imsi.clone())],
    };
    let ul = MapArg::update_location(UK_IMSI, HOME_MSC, HOME_MSC);
    assert!(w.invoke(0, HOME_MSC, UK_HLR, 10, 2, ul.clone()).is_empty());
    assert!(w.map(1, UK_HLR, HOME_MSC, isd_in(20, 10)).is_empty());
    // The same exchange answered from Barbados: not the roamer's home.
    assert!(w.invoke(2, HOME_MSC, BB_VLR, 11, 2, ul).is_empty());
    let v = w.map(3, BB_VLR, HOME_MSC, isd_in(21, 11));
    assert_eq!(w.ids(&v), vec!["fs11.cat2.insert_subscriber_data"]);
    assert_eq!(v[0].target.imsi.unwrap().to_string(), UK_IMSI);
    // In a dialogue nobody saw begin there is no IMSI to judge by: counted, not guessed.
    let before = w.classifier.stats().no_identity;
    assert!(w.map(4, BB_VLR, HOME_MSC, isd_in(22, 99)).is_empty());
    assert_eq!(w.classifier.stats().no_identity, before + 1);
}

#[test]
fn cat3_a_roamer_who_flew_seattle_to_london_in_ten_hours() {
    let mut w = World::new();
    // At home in Seattle (a home VLR registers the subscriber).
    assert!(w
        .invoke(
            0,
            HOME_MSC,
            HOME_HLR,
            1,
            2,
            MapArg::update_location(HOME_IMSI, HOME_MSC, HOME_MSC)
        )
        .is_empty());
    // Ten hours later, a UK VLR registers them: 5,900 km in 10 h is a flight.
    assert!(w
        .invoke(
            10 * HOUR,
            UK_VLR,
            HOME_HLR,
            2,
            2,
            MapArg::update_location(HOME_IMSI, UK_VLR, UK_VLR)
        )
        .is_empty());
    // One hour later, a Chinese VLR claims them: about 8,000 km in an hour is not.
    let v = w.invoke(
        11 * HOUR,
        CN_VLR,
        HOME_HLR,
        3,
        2,
        MapArg::update_location(HOME_IMSI, CN_VLR, CN_VLR),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat3.update_location"]);
    let Detail::Travel {
        from,
        to,
        km,
        hours,
        seen_ns,
        by,
    } = v[0].detail
    else {
        panic!("{:?}", v[0].detail)
    };
    // The evidence: the UK updateLocation, ten hours in.
    assert_eq!(seen_ns, 10 * HOUR);
    assert_eq!((by.proto, by.code, by.answer), (Proto::Map, 2, false));
    assert_eq!(
        (from.to_string(), to.to_string()),
        ("GB".into(), "CN".into())
    );
    assert!(km > 6000.0 && (hours - 1.0).abs() < 0.01, "{km} {hours}");
    // The implausible claim did not move the subscriber: the UK network is still fine.
    assert!(w
        .invoke(
            11 * HOUR + 60 * SEC,
            UK_VLR,
            HOME_HLR,
            4,
            56,
            MapArg::send_authentication_info(HOME_IMSI)
        )
        .is_empty());
}

#[test]
fn cat3_no_false_positive_from_the_old_networks_purge_after_implicit_detach() {
    // The known false positive of travel checks: the previous network reports the subscriber
    // long after they left (its implicit detach runs on the periodic location-update timer).
    let mut w = World::new();
    assert!(w
        .invoke(
            0,
            UK_VLR,
            HOME_HLR,
            1,
            2,
            MapArg::update_location(HOME_IMSI, UK_VLR, UK_VLR)
        )
        .is_empty());
    // UK -> Barbados, 6,700 km in 20 h.
    assert!(w
        .invoke(
            20 * HOUR,
            BB_VLR,
            HOME_HLR,
            2,
            2,
            MapArg::update_location(HOME_IMSI, BB_VLR, BB_VLR)
        )
        .is_empty());
    // The UK VLR purges the subscriber an hour later: it is letting go, not claiming them.
    assert!(w
        .invoke(
            21 * HOUR,
            UK_VLR,
            HOME_HLR,
            3,
            67,
            MapArg::purge_ms(HOME_IMSI, UK_VLR)
        )
        .is_empty());
    // Had the purge counted as presence, this authentication in Barbados (UK -> BB in 30
    // minutes) would be impossible travel.
    assert!(w
        .invoke(
            21 * HOUR + 1800 * SEC,
            BB_VLR,
            HOME_HLR,
            4,
            56,
            MapArg::send_authentication_info(HOME_IMSI)
        )
        .is_empty());
    // A purge from a network the subscriber was never in is a claim on them.
    let v = w.invoke(
        22 * HOUR,
        CN_VLR,
        HOME_HLR,
        5,
        67,
        MapArg::purge_ms(HOME_IMSI, CN_VLR),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat3.purge_ms"]);
    assert!(matches!(v[0].detail, Detail::NotThere { .. }));
}

#[test]
fn cat3_stragglers_from_the_old_network_within_the_update_timer() {
    let mut w = World::new();
    assert!(w
        .invoke(
            0,
            HOME_MSC,
            HOME_HLR,
            1,
            2,
            MapArg::update_location(HOME_IMSI, HOME_MSC, HOME_MSC)
        )
        .is_empty());
    assert!(w
        .invoke(
            9 * HOUR,
            UK_VLR,
            HOME_HLR,
            2,
            2,
            MapArg::update_location(HOME_IMSI, UK_VLR, UK_VLR)
        )
        .is_empty());
    // The home network still authenticates the phone ten minutes after the move.
    assert!(w
        .invoke(
            9 * HOUR + 600 * SEC,
            HOME_MSC,
            HOME_HLR,
            3,
            56,
            MapArg::send_authentication_info(HOME_IMSI)
        )
        .is_empty());
    assert_eq!(w.shard.stats().stragglers, 1);
    // A Chinese network three hours after the move: not a straggler, and too far from the UK.
    let v = w.invoke(
        12 * HOUR,
        CN_VLR,
        HOME_HLR,
        4,
        56,
        MapArg::send_authentication_info(HOME_IMSI),
    );
    assert_eq!(w.ids(&v), vec!["fs11.cat3.send_authentication_info"]);
}

#[test]
fn recon_sri_for_sm_without_a_short_message() {
    let mut w = World::new();
    // The attacker asks for routing information; the home HLR answers with the IMSI and a home
    // MSC. No short message follows within two minutes: reconnaissance.
    assert!(w
        .invoke(
            0,
            CN_GT,
            HOME_HLR,
            0x77,
            45,
            MapArg::send_routing_info_for_sm(HOME_MSISDN, CN_GT)
        )
        .is_empty());
    assert!(w
        .result(
            SEC,
            HOME_HLR,
            CN_GT,
            0x77,
            45,
            MapArg::send_routing_info_for_sm_res(HOME_IMSI, HOME_MSC)
        )
        .is_empty());
    assert!(w.advance(100 * SEC).is_empty());
    let v = w.advance(200 * SEC);
    assert_eq!(w.ids(&v), vec!["recon.sri_sm_without_delivery"]);
    assert_eq!(v[0].subject.frame, 1, "reported on the SRI-for-SM's frame");
    assert_eq!(v[0].target.imsi.unwrap().to_string(), HOME_IMSI);
    assert_eq!(v[0].target.msisdn.unwrap().to_string(), HOME_MSISDN);
    assert_eq!(w.operator_name(&v[0]).as_deref(), Some("China Unicom"));

    // The legitimate look-alike: the short message follows from the same network.
    let mut w = World::new();
    w.invoke(
        0,
        CN_GT,
        HOME_HLR,
        0x78,
        45,
        MapArg::send_routing_info_for_sm(HOME_MSISDN, CN_GT),
    );
    w.result(
        SEC,
        HOME_HLR,
        CN_GT,
        0x78,
        45,
        MapArg::send_routing_info_for_sm_res(HOME_IMSI, HOME_MSC),
    );
    assert!(w
        .invoke(
            3 * SEC,
            CN_VLR,
            HOME_MSC,
            0x79,
            44,
            MapArg::mt_forward_sm(HOME_IMSI, CN_GT, b"hi")
        )
        .is_empty());
    assert!(w.advance(HOUR).is_empty());
    assert_eq!(w.shard.stats().sms_delivered, 1);

    // A subscriber served abroad: the short message would not pass here, so nothing is judged.
    let mut w = World::new();
    w.invoke(
        0,
        CN_GT,
        HOME_HLR,
        0x7a,
        45,
        MapArg::send_routing_info_for_sm(HOME_MSISDN, CN_GT),
    );
    w.result(
        SEC,
        HOME_HLR,
        CN_GT,
        0x7a,
        45,
        MapArg::send_routing_info_for_sm_res(HOME_IMSI, UK_VLR),
    );
    assert!(w.advance(HOUR).is_empty());
    assert_eq!(w.classifier.stats().sms_unverifiable, 1);
}

#[test]
fn diameter_fs19() {
    let mut w = World::new();
    let cn_host = "mme01.epc.mnc001.mcc460.3gppnetwork.org";
    let cn_realm = "epc.mnc001.mcc460.3gppnetwork.org";
    // SLh RIR from China: category 1.
    let mut avps = origin(cn_host, cn_realm);
    avps.push(AvpSpec::tgpp(
        avp::MSISDN,
        decoder::map::imsi_octets(HOME_MSISDN),
    ));
    let v = w.diameter(0, CommandCode::LCS_ROUTING_INFO, ApplicationId::SLH, avps);
    assert_eq!(w.ids(&v), vec!["fs19.cat1.rir"]);
    assert_eq!(v[0].source.realm.as_bytes(), cn_realm.as_bytes());
    // Any Sh request from abroad: category 1 by application.
    let v = w.diameter(
        1,
        CommandCode::USER_DATA,
        ApplicationId::SH,
        origin(cn_host, cn_realm),
    );
    assert_eq!(w.ids(&v), vec!["fs19.cat1.sh_dh"]);
    // IDR for a UK inbound roamer from its home realm: fine; from China: category 2.
    let uk = (
        "hss.epc.mnc015.mcc234.3gppnetwork.org",
        "epc.mnc015.mcc234.3gppnetwork.org",
    );
    let mut avps = origin(uk.0, uk.1);
    avps.push(AvpSpec::utf8(avp::USER_NAME, UK_IMSI));
    assert!(w
        .diameter(
            2,
            CommandCode::INSERT_SUBSCRIBER_DATA,
            ApplicationId::S6A,
            avps
        )
        .is_empty());
    let mut avps = origin(cn_host, cn_realm);
    avps.push(AvpSpec::utf8(avp::USER_NAME, UK_IMSI));
    let v = w.diameter(
        3,
        CommandCode::INSERT_SUBSCRIBER_DATA,
        ApplicationId::S6A,
        avps,
    );
    assert_eq!(
        w.ids(&v),
        vec!["fs19.check.user_name_plmn"],
        "the IMSI fits neither realm"
    );
    // Consistency: Origin-Host outside its realm; Visited-PLMN-Id not the realm's.
    let v = w.diameter(
        4,
        CommandCode::AUTHENTICATION_INFORMATION,
        ApplicationId::S6A,
        origin("mme.example.com", cn_realm),
    );
    assert_eq!(w.ids(&v), vec!["fs19.check.origin_host_realm"]);
    let mut avps = origin(cn_host, cn_realm);
    avps.push(AvpSpec::utf8(avp::USER_NAME, HOME_IMSI));
    avps.push(AvpSpec::tgpp(avp::VISITED_PLMN_ID, vec![0x32, 0xf4, 0x51]));
    let v = w.diameter(5, CommandCode::UPDATE_LOCATION, ApplicationId::S6A, avps);
    assert_eq!(w.ids(&v), vec!["fs19.check.visited_plmn_realm"]);
    // A command under the wrong application.
    let v = w.diameter(
        6,
        CommandCode::UPDATE_LOCATION,
        ApplicationId::GX,
        origin(cn_host, cn_realm),
    );
    assert_eq!(w.ids(&v), vec!["fs19.check.application_command"]);
}

#[test]
fn one_history_spans_map_and_diameter() {
    let mut w = World::new();
    // Registered by a UK VLR over MAP...
    assert!(w
        .invoke(
            0,
            UK_VLR,
            HOME_HLR,
            1,
            2,
            MapArg::update_location(HOME_IMSI, UK_VLR, UK_VLR)
        )
        .is_empty());
    // ...then a Chinese MME sends a ULR half an hour later.
    let cn = (
        "mme01.epc.mnc001.mcc460.3gppnetwork.org",
        "epc.mnc001.mcc460.3gppnetwork.org",
    );
    let mut avps = origin(cn.0, cn.1);
    avps.push(AvpSpec::utf8(avp::USER_NAME, HOME_IMSI));
    avps.push(AvpSpec::tgpp(avp::VISITED_PLMN_ID, vec![0x64, 0xf0, 0x10]));
    let v = w.diameter(
        1800 * SEC,
        CommandCode::UPDATE_LOCATION,
        ApplicationId::S6A,
        avps,
    );
    assert_eq!(w.ids(&v), vec!["fs19.cat3.ulr"]);
    assert!(matches!(v[0].detail, Detail::Travel { .. }));
}

/// The classifier caches who a Diameter origin is, keyed by Origin-Host and Origin-Realm:
/// with more origins than cache slots, seen over and over in turn, every verdict still names
/// its own message's host and realm, and an Origin-Host longer than a name holds is attributed
/// all the same.
#[test]
fn diameter_origins_keep_their_own_attribution() {
    let mut w = World::new();
    let origins: Vec<(String, String, &str)> = (0..600)
        .map(|i| {
            let (mnc, mcc, country) = if i % 2 == 0 {
                ("001", "460", "CN")
            } else {
                ("015", "234", "GB")
            };
            let realm = format!("epc.mnc{mnc}.mcc{mcc}.3gppnetwork.org");
            (format!("mme{i}.{realm}"), realm, country)
        })
        .collect();
    let long_host = format!("{}.{}", "a".repeat(70), origins[0].1);
    let mut ts = 0;
    for round in 0..3 {
        for (i, (host, realm, country)) in origins.iter().enumerate() {
            let host = if i == 7 { long_host.as_str() } else { host };
            let mut avps = origin(host, realm);
            avps.push(AvpSpec::tgpp(
                avp::MSISDN,
                decoder::map::imsi_octets(HOME_MSISDN),
            ));
            ts += SEC;
            let v = w.diameter(ts, CommandCode::LCS_ROUTING_INFO, ApplicationId::SLH, avps);
            assert_eq!(
                w.ids(&v),
                vec!["fs19.cat1.rir"],
                "round {round}, origin {i}"
            );
            let s = &v[0].source;
            assert_eq!(s.realm.as_bytes(), realm.as_bytes(), "origin {i}");
            let want = &host.as_bytes()[..host.len().min(63)];
            assert_eq!(s.host.as_bytes(), want, "origin {i}");
            assert_eq!(
                s.country.map(|c| c.as_str().to_owned()),
                Some((*country).to_owned()),
                "origin {i}"
            );
        }
    }
}
