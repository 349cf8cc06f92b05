//! `siggen --scenario evasion` through the whole pipeline: every real attack behind a decoy,
//! in a conflicting copy, after a loss, or in an unusual framing is alerted with its own
//! rule; every conflicting copy raises its evasion rule besides; every decoy is counted under
//! its reason and alerts nothing; legitimate retransmissions alert nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use common::{assert_accounted, replay_scenario, ScenarioRun};

type Run = ScenarioRun;

fn run(name: &str, policy_extra: &str, workers: usize) -> Run {
    let name = format!("evasion-{name}");
    replay_scenario(&name, siggen::scenario::evasion(1), policy_extra, workers)
}

/// The alerts of a frame: (rule, category, msisdn).
fn by_frame(alerts: &[Value]) -> BTreeMap<u64, Vec<(String, String, String)>> {
    let mut m: BTreeMap<u64, Vec<_>> = BTreeMap::new();
    for a in alerts {
        let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
        m.entry(a["frame"].as_u64().unwrap()).or_default().push((
            s("rule"),
            s("category"),
            a["target"]["msisdn"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    m
}

/// `late`: attack kinds this run may alert on a later frame (once, about the same
/// subscriber) than the one that completes them.
fn check(r: &Run, late: &[&str]) {
    let alerts = by_frame(&r.alerts);
    let truth = &r.capture.truth;
    let mut expected_alerts = 0;
    let late_targets: BTreeSet<String> = truth
        .iter()
        .filter(|t| late.contains(&t.kind))
        .filter_map(|t| t.target.msisdn.clone())
        .collect();
    for m in &late_targets {
        let n = r
            .alerts
            .iter()
            .filter(|a| a["target"]["msisdn"] == m.as_str() && a["category"] == "cat1")
            .count();
        assert_eq!(n, 1, "one alert about {m}");
        expected_alerts += 1;
    }
    let mut decoys: BTreeMap<&str, u64> = BTreeMap::new();
    let mut kinds = BTreeSet::new();
    for t in truth {
        kinds.insert(t.kind);
        let here = alerts.get(&t.frame).map(Vec::as_slice).unwrap_or_default();
        let msisdn = t.target.msisdn.clone().unwrap_or_default();
        match t.label {
            "attack" if late.contains(&t.kind) => {}
            "attack" => {
                let cat = t.expect.unwrap();
                assert!(
                    here.iter().any(|(_, c, m)| c == cat && *m == msisdn),
                    "frame {} ({}): no {cat} alert about {msisdn}: {here:?}",
                    t.frame,
                    t.kind
                );
                expected_alerts += 1;
                if let Some(e) = t.evasion {
                    let rule = format!("evasion.{e}");
                    assert!(
                        here.iter()
                            .any(|(r, c, m)| *r == rule && c == "evasion" && *m == msisdn),
                        "frame {} ({}): no {rule} alert about {msisdn}: {here:?}",
                        t.frame,
                        t.kind
                    );
                    expected_alerts += 1;
                }
            }
            "decoy" => {
                assert!(here.is_empty(), "decoy frame {} alerted: {here:?}", t.frame);
                *decoys.entry(t.reason.unwrap()).or_default() += 1;
            }
            "retransmission" => {
                let here: Vec<_> = here
                    .iter()
                    .filter(|(_, _, m)| !late_targets.contains(m))
                    .collect();
                assert!(
                    here.is_empty(),
                    "retransmission frame {} alerted: {here:?}",
                    t.frame
                );
            }
            other => panic!("unexpected label {other}"),
        }
    }
    // Nothing else alerted, and no evasion alert where no conflict was.
    assert_eq!(r.alerts.len(), expected_alerts, "{alerts:?}");
    // Every technique was in the scenario.
    for k in [
        "ati_behind_decoy",
        "ati_conflicting_copy",
        "ati_after_lost_chunk",
        "udr_behind_decoy",
        "udr_conflicting_copy",
        "udr_after_lost_segment",
        "ipv4_overlap",
        "ipv6_overlap",
        "ati_over_m2ua",
        "ati_over_mpls",
        "ati_over_vxlan",
        "ati_over_llc_snap",
        "ati_in_ludt",
        "ati_over_two_paths",
    ] {
        assert!(kinds.contains(k), "{k} missing from the scenario");
    }
    // Each decoy under its reason, and nothing else there.
    let other = &r.report["other_by_reason"];
    for reason in ["bad_checksum", "bad_ip_checksum", "bad_vtag"] {
        assert_eq!(
            other[reason].as_u64().unwrap_or(0),
            decoys.get(reason).copied().unwrap_or(0),
            "{reason}: {other}"
        );
    }
    assert_eq!(decoys.values().sum::<u64>(), 4);
    assert_eq!(
        r.report["by_category"]["evasion"].as_u64(),
        Some(4),
        "{}",
        r.report["by_category"]
    );
    assert_accounted(&r.report, "evasion scenario");
}

#[test]
fn every_technique_is_seen_through() {
    check(&run("one", "", 1), &[]);
}

/// With two workers, frames are spread by a hash of their addresses and ports (as a NIC's
/// RSS spreads them), so the two paths of the multihomed association reach different
/// workers: the message fragmented over both is put together only when the second fragment
/// comes again over the first path (the retransmission of the scenario), and alerted then
/// (docs/ARCHITECTURE.md). The test says so.
#[test]
fn two_workers_see_the_same_but_a_message_split_over_two_paths_later() {
    let r = run("two", "", 2);
    check(&r, &["ati_over_two_paths"]);
    let split = r
        .capture
        .truth
        .iter()
        .find(|t| t.kind == "ati_over_two_paths")
        .unwrap();
    assert!(
        !r.alerts.iter().any(|a| a["frame"] == split.frame),
        "the paths met after all: update this test and the documentation"
    );
}

/// `verify` treats the scenario alike (its checksums are all real but the decoys'); `ignore`
/// takes the decoys for traffic, and then the real messages behind them for conflicting
/// copies, which still alert.
#[test]
fn checksum_settings() {
    check(
        &run("verify", "\n[capture]\nchecksums = \"verify\"\n", 1),
        &[],
    );
    let r = run("ignore", "\n[capture]\nchecksums = \"ignore\"\n", 1);
    let other = &r.report["other_by_reason"];
    assert_eq!(other["bad_checksum"].as_u64().unwrap_or(0), 0, "{other}");
    let evasions = r
        .alerts
        .iter()
        .filter(|a| a["category"] == "evasion")
        .count();
    assert!(evasions > 4, "{evasions}");
}
