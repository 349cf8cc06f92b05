//! `siggen --scenario presence` through the whole pipeline, with one worker and two: every
//! attack raises exactly the rule its truth names, about its subscriber, in its frame;
//! nothing else alerts (the stale answers, old locations, flights within reach, partners'
//! first messages, home-internal updates and inbound roamers stay silent); travel alerts
//! carry their evidence; senders nobody can place are counted under the country `unknown`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use common::{assert_accounted, replay_scenario, ScenarioRun};

type Run = ScenarioRun;

fn run(workers: usize, policy_extra: &str) -> Run {
    let name = format!("presence-{workers}-{}", policy_extra.len());
    replay_scenario(&name, siggen::scenario::presence(1), policy_extra, workers)
}

/// (frame, rule, imsi) of every alert.
fn alerted(alerts: &[Value]) -> BTreeSet<(u64, String, String)> {
    alerts
        .iter()
        .map(|a| {
            (
                a["frame"].as_u64().unwrap(),
                a["rule"].as_str().unwrap().to_owned(),
                a["target"]["imsi"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn check(r: &Run) {
    let expected: BTreeSet<(u64, String, String)> = r
        .capture
        .truth
        .iter()
        .filter(|t| t.label == "attack")
        .map(|t| {
            (
                t.frame,
                t.rule.expect("every attack names its rule").to_owned(),
                t.target.imsi.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(expected.len(), 30, "ten cases of three subscribers");
    let got = alerted(&r.alerts);
    assert_eq!(r.alerts.len(), got.len(), "one alert a message");
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}\nextra {extra:?}"
    );
    // Each case of the scenario is there, the look-alikes included.
    let kinds: BTreeSet<&str> = r.capture.truth.iter().map(|t| t.kind).collect();
    for k in [
        "ul_after_home_sms",
        "ulr_after_home_delivery",
        "sai_after_fresh_location_answer",
        "sai_after_update_elsewhere",
        "ul_after_ulr_elsewhere",
        "ul_without_agreement",
        "ulr_without_agreement",
        "ul_from_non_partner_of_partner_country",
        "ulr_from_unknown_origin",
        "ul_from_unknown_gt",
        "roamer_update_after_stale_answer",
        "roamer_update_after_old_location",
        "roamer_update_after_flight",
        "partner_first_message",
        "inbound_roamer_update",
    ] {
        assert!(kinds.contains(k), "{k} missing from the scenario");
    }
    // Travel alerts say where and when the subscriber was last seen, by which message.
    let by_kind: BTreeMap<u64, &str> = r.capture.truth.iter().map(|t| (t.frame, t.kind)).collect();
    for a in &r.alerts {
        let kind = by_kind[&a["frame"].as_u64().unwrap()];
        let evidence = match kind {
            "ul_after_home_sms" => "mo-forwardSM",
            "ulr_after_home_delivery" => "mt-forwardSM answer",
            "sai_after_fresh_location_answer" => "provideSubscriberInfo answer",
            "sai_after_update_elsewhere" => "updateLocation",
            "ul_after_ulr_elsewhere" => "ULR",
            _ => {
                assert!(a.get("travel").is_none(), "{a}");
                continue;
            }
        };
        let t = &a["travel"];
        assert_eq!(t["last_seen_by"], evidence, "{a}");
        assert!(t["kmh"].as_u64().unwrap() > 1000, "{a}");
        assert!(t["last_seen"].as_f64().unwrap() < a["ts"].as_f64().unwrap());
    }
    // Senders nobody can place: `unknown`, in the alert and in the report.
    for a in &r.alerts {
        if a["rule"].as_str().unwrap().contains(".check.unknown_") {
            assert_eq!(a["source"]["country"], "unknown", "{a}");
        }
    }
    assert_eq!(
        r.report["by_source_country"]["unknown"]["alerts"].as_u64(),
        Some(6),
        "{}",
        r.report["by_source_country"]
    );
    assert_accounted(&r.report, "presence scenario");
}

#[test]
fn every_case_and_look_alike_with_one_worker() {
    check(&run(1, ""));
}

#[test]
fn the_same_with_two_workers() {
    let one = run(1, "");
    let two = run(2, "");
    check(&two);
    assert_eq!(alerted(&one.alerts), alerted(&two.alerts));
}

/// `roaming = "any"`: the agreement alerts go, and nothing takes their place (a claim from a
/// non-partner with no history is the subscriber's first known place).
#[test]
fn roaming_any_drops_exactly_the_agreement_alerts() {
    let r = run(1, "roaming = \"any\"\n");
    let rules: BTreeMap<String, usize> = r.alerts.iter().fold(BTreeMap::new(), |mut m, a| {
        *m.entry(a["rule"].as_str().unwrap().to_owned()).or_default() += 1;
        m
    });
    assert!(!rules.keys().any(|k| k.ends_with("no_roaming_agreement")));
    assert_eq!(r.alerts.len(), 30 - 9, "{rules:?}");
}
