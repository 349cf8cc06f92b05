//! `siggen --scenario campaigns` through the whole pipeline: eight weeks in which China Unicom,
//! Flow Barbados and BTC Bahamas hit the same subscribers together on many days, among
//! independent sweeps by the same three over overlapping subscribers on their own days and one
//! operator hitting a subscriber dozens of times. Exactly one campaign must come out, with the
//! scenario's incidents, subscribers and days; the sweeps and the persistence must not; the
//! three coordinated pairs lead the operator-pair ranking far above chance; one worker and two
//! give the same.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use siggen::scenario::campaign_sizes::{
    COORDINATED, INCIDENTS_PER_DAY, INCIDENT_DAYS, NAMED_TWICE,
};

use common::{assert_accounted, replay_scenario, ScenarioRun};

const COORDINATED_OPS: [&str; 3] = ["China Unicom", "Flow Barbados", "BTC Bahamas"];

/// The scenario replayed on `workers`, its policy's `[policy]` lines followed by `extra`.
fn run(workers: usize, extra: &str) -> ScenarioRun {
    let name = format!("campaigns-{workers}-{}", extra.len());
    let mut capture = siggen::scenario::campaigns(1, 1);
    if !extra.is_empty() {
        let at = capture.policy.find("campaign_min_sources = 2").unwrap();
        capture.policy.truncate(at);
    }
    replay_scenario(&name, capture, extra, workers)
}

fn names(sources: &Value) -> BTreeSet<String> {
    sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["operator"].as_str().unwrap().to_owned())
        .collect()
}

/// A home subscriber's number in the scenario, from either identity (`tools::net::home_sub`:
/// IMSI 310410 and n + 1 in nine digits; MSISDN 1206 and 2,000,000 + n in seven).
fn person(t: &siggen::scenario::TruthTarget) -> u64 {
    match (&t.imsi, &t.msisdn) {
        (Some(i), _) => i[6..].parse::<u64>().unwrap() - 1,
        (None, Some(m)) => m[4..].parse::<u64>().unwrap() - 2_000_000,
        (None, None) => panic!("an attack without a target"),
    }
}

fn check(r: &ScenarioRun) {
    let report = &r.report;
    assert_accounted(report, "campaigns scenario");
    let incidents = INCIDENT_DAYS * INCIDENTS_PER_DAY;
    // The truth: three requests per coordinated incident, none elsewhere.
    let flagged = r.capture.truth.iter().filter(|t| t.campaign).count() as u64;
    assert_eq!(flagged, 3 * incidents, "the scenario's own truth");

    let campaigns = report["campaigns"].as_array().unwrap();
    assert_eq!(
        campaigns.len(),
        1,
        "only the coordinated incidents: {campaigns:#?}"
    );
    let c = &campaigns[0];
    let want: BTreeSet<String> = COORDINATED_OPS.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(names(&c["sources"]), want);
    assert_eq!(c["incidents"].as_u64(), Some(incidents));
    assert_eq!(c["targets"].as_u64(), Some(COORDINATED.min(incidents)));
    assert_eq!(c["days"].as_array().unwrap().len() as u64, INCIDENT_DAYS);
    assert_eq!(c["incident_ts"].as_array().unwrap().len() as u64, incidents);
    // Every subscriber of the campaign is known both ways (BTC named them by IMSI, the
    // others by MSISDN): one person, one target.
    for t in c["sample_targets"].as_array().unwrap() {
        assert!(t["imsi"].is_string() && t["msisdn"].is_string(), "{t}");
    }
    assert!(report["identities"]["pairs_learnt"].as_u64().unwrap() >= COORDINATED);

    // One person, one target: each operator's distinct subscribers, counted from the truth by
    // person (whichever way a request named them), are what the report says, in the request
    // ranking and in the alert counts (HyperLogLog: within 1 %). Flow Barbados names
    // NAMED_TWICE of them both ways; counting names would give that many more.
    let mut persons: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for t in r.capture.truth.iter().filter(|t| t.label == "attack") {
        persons
            .entry(t.source_operator)
            .or_default()
            .insert(person(&t.target));
    }
    for (op, who) in &persons {
        let want = who.len() as f64;
        let ranked = report["mass_surveillance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["operator"] == *op)
            .unwrap();
        for (what, got) in [
            ("mass_surveillance", &ranked["distinct_targets"]),
            (
                "by_source_operator",
                &report["by_source_operator"][*op]["distinct_targets"],
            ),
        ] {
            let got = got.as_u64().unwrap() as f64;
            assert!(
                (got - want).abs() <= (want * 0.01).max(1.0),
                "{op}: {what} says {got} subscribers, the truth {want}"
            );
        }
    }
    assert!(persons["Flow Barbados"].len() as u64 >= NAMED_TWICE);

    // Operator pairs: the three coordinated ones first, each with every coordinated target,
    // far above what chance gives.
    let pairs = report["operator_pairs"].as_array().unwrap();
    assert!(pairs.len() >= 3);
    for p in &pairs[..3] {
        let both: BTreeSet<String> = [&p["a"], &p["b"]]
            .iter()
            .map(|s| s["operator"].as_str().unwrap().to_owned())
            .collect();
        assert!(both.is_subset(&want), "{p}");
        assert_eq!(p["together"].as_u64(), Some(COORDINATED), "{p}");
        let expected = p["expected"].as_f64().unwrap();
        assert!(expected < 1.0, "chance gives less than one subscriber: {p}");
        assert!(p["lift"].as_f64().unwrap() > 10.0, "{p}");
    }

    // Live lines: one first incident per coordinated subscriber, the 10th and 20th incident,
    // and a source joining when the third operator arrives.
    let live: Vec<&Value> = r
        .alerts
        .iter()
        .filter(|a| a["category"] == "campaign")
        .collect();
    let count = |event: &str| live.iter().filter(|a| a["event"] == event).count() as u64;
    assert_eq!(count("first_incident"), COORDINATED.min(incidents));
    let marks: Vec<u64> = live
        .iter()
        .filter(|a| a["event"] == "incidents")
        .map(|a| a["incidents"].as_u64().unwrap())
        .collect();
    assert_eq!(marks, vec![10, 20]);
    assert!(count("source_joined") >= 1);
    for a in &live {
        assert_eq!(a["campaign"].as_u64(), Some(1), "{a}");
    }
    assert_eq!(
        report["counters"]["state"]["campaign_lines"].as_u64(),
        Some(live.len() as u64)
    );
}

#[test]
fn the_coordinated_incidents_are_the_one_campaign_with_one_worker_and_two() {
    let one = run(1, "");
    check(&one);
    let two = run(2, "");
    check(&two);
    for k in [
        "campaigns",
        "operator_pairs",
        "identities",
        "by_source_operator",
    ] {
        assert_eq!(one.report[k], two.report[k], "{k} differs with two workers");
    }
}

#[test]
fn min_incidents_and_min_sources_hold_campaigns_back() {
    let incidents = INCIDENT_DAYS * INCIDENTS_PER_DAY;
    // More incidents than there are: nothing reported, the pairs still ranked.
    let r = run(
        1,
        &format!(
            "campaign_min_sources = 2\ncampaign_min_incidents = {}\n",
            incidents + 1
        ),
    );
    assert!(r.report["campaigns"].as_array().unwrap().is_empty());
    assert!(!r.report["operator_pairs"].as_array().unwrap().is_empty());
    // All three at once: each incident has all three within the window.
    let r = run(1, "campaign_min_sources = 3\n");
    let c = r.report["campaigns"].as_array().unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["incidents"].as_u64(), Some(incidents));
}
