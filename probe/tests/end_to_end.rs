//! The whole pipeline against siggen's ground truth: the seed scenario is written as a pcap,
//! replayed by `sigwatch replay` with one and with two workers, and every alert is scored
//! against the message it claims to be about.
//!
//! An alert matches a truth record when it names the same frame and the same subscriber.
//! Scores asked for by the runtime issue: recall ≥ 0.99 for every attack kind (with the
//! expected category), false positives ≤ 0.1 % of legitimate messages, source country and
//! operator right on ≥ 99 % of alerts, the coordinated campaign reported as one with all its
//! targets, the accounting invariant, and identical alerts whatever the number of workers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use siggen::scenario::{Capture, Truth};

use common::sigwatch;

/// The seed scenario at scale 1, written once for every test of this file.
struct Seed {
    capture: Capture,
    pcap: PathBuf,
    policy: PathBuf,
}

fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("end-to-end");
        std::fs::create_dir_all(&dir).unwrap();
        let capture = siggen::scenario::seed(11, 1);
        let pcap = dir.join("seed.pcap");
        let mut f = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
        capture.write_pcap(&mut f).unwrap();
        drop(f);
        let policy = dir.join("policy.toml");
        std::fs::write(&policy, &capture.policy).unwrap();
        Seed {
            capture,
            pcap,
            policy,
        }
    })
}

/// What one `sigwatch replay` run wrote.
struct Run {
    alerts: Vec<Value>,
    /// The alert lines as written, for comparing runs.
    lines: Vec<String>,
    /// The `campaign` lines.
    campaign: Vec<Value>,
    report: Value,
}

fn replay(workers: usize) -> Run {
    let s = seed();
    let dir = s.pcap.parent().unwrap();
    // Tests run in parallel: every run writes files of its own.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let alerts = dir.join(format!("alerts-{workers}-{run}.jsonl"));
    let report = dir.join(format!("report-{workers}-{run}.json"));
    let out = sigwatch()
        .arg("replay")
        .arg(&s.pcap)
        .arg("--config")
        .arg(&s.policy)
        .arg("--alerts")
        .arg(&alerts)
        .arg("--report")
        .arg(&report)
        .args(["--workers", &workers.to_string(), "--no-pin"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "sigwatch replay --workers {workers}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&alerts).unwrap();
    let all: Vec<(Value, String)> = text
        .lines()
        .map(|l| {
            let v = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (v, l.to_owned())
        })
        .collect();
    // The collector's campaign lines are not alerts on a message: kept apart.
    let (campaign, verdicts): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|(v, _)| v["category"] == "campaign");
    let (alerts, lines) = verdicts.into_iter().unzip();
    let report = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    Run {
        alerts,
        lines,
        campaign: campaign.into_iter().map(|(v, _)| v).collect(),
        report,
    }
}

/// The subscriber an alert or truth record is about: IMSI and MSISDN, either may be absent.
type Subject = (Option<String>, Option<String>);

fn alert_subject(a: &Value) -> Subject {
    let t = &a["target"];
    let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_owned);
    (s("imsi"), s("msisdn"))
}

/// An alert names the truth record's subscriber when they share an identity and contradict
/// in none. (A recon alert adds the IMSI the SRI-for-SM answer gave away to the MSISDN the
/// request carried.)
fn same_subject(alert: &Subject, truth: &Truth) -> bool {
    let agree = |a: &Option<String>, t: &Option<String>| match (a, t) {
        (Some(a), Some(t)) => Some(a == t),
        _ => None,
    };
    let imsi = agree(&alert.0, &truth.target.imsi);
    let msisdn = agree(&alert.1, &truth.target.msisdn);
    imsi != Some(false) && msisdn != Some(false) && (imsi == Some(true) || msisdn == Some(true))
}

/// How one run scores against the ground truth.
#[derive(Debug, Default)]
struct Score {
    /// Per attack kind: (detected with the expected category, total).
    recall: BTreeMap<&'static str, (usize, usize)>,
    /// Alerts on legitimate messages.
    false_positives: Vec<String>,
    /// Alerts that match no message of the truth at all.
    unexplained: Vec<String>,
    /// Matched alerts whose source country and operator are right, and all matched alerts.
    attributed: (usize, usize),
    wrong_attribution: Vec<String>,
    legit: usize,
}

fn score(capture: &Capture, run: &Run) -> Score {
    let mut by_frame: BTreeMap<u64, Vec<&Truth>> = BTreeMap::new();
    for t in &capture.truth {
        by_frame.entry(t.frame).or_default().push(t);
    }
    let mut s = Score {
        legit: capture.truth.iter().filter(|t| t.label == "legit").count(),
        ..Score::default()
    };
    for t in capture.truth.iter().filter(|t| t.label == "attack") {
        s.recall.entry(t.kind).or_default().1 += 1;
    }
    // Each attack record counts once however many alerts name it.
    let mut detected: BTreeSet<(u64, &'static str, Subject)> = BTreeSet::new();
    for (a, line) in run.alerts.iter().zip(&run.lines) {
        let frame = a["frame"].as_u64().unwrap();
        let category = a["category"].as_str().unwrap();
        let subject = alert_subject(a);
        let candidates = by_frame.get(&frame).map(Vec::as_slice).unwrap_or(&[]);
        let Some(t) = candidates.iter().find(|t| same_subject(&subject, t)) else {
            s.unexplained.push(line.clone());
            continue;
        };
        if t.label == "legit" {
            s.false_positives
                .push(format!("{line}\n    truth: {:?}", t.kind));
            continue;
        }
        s.attributed.1 += 1;
        let src = &a["source"];
        if src["country"].as_str() == Some(t.source_country)
            && src["operator"].as_str() == Some(t.source_operator)
        {
            s.attributed.0 += 1;
        } else {
            s.wrong_attribution.push(format!(
                "{line}\n    truth: {} ({})",
                t.source_operator, t.source_country
            ));
        }
        if t.expect == Some(category) && detected.insert((frame, t.kind, subject)) {
            s.recall.get_mut(t.kind).unwrap().0 += 1;
        }
    }
    s
}

fn check_score(workers: usize, s: &Score) {
    let mut missed = Vec::new();
    for (kind, &(hit, total)) in &s.recall {
        let recall = hit as f64 / total as f64;
        eprintln!("workers {workers}: {kind}: {hit}/{total} = {recall:.4}");
        if recall < 0.99 {
            missed.push(format!("{kind}: {hit}/{total}"));
        }
    }
    assert!(
        s.recall.len() >= 10,
        "the seed scenario has every attack kind: {:?}",
        s.recall.keys()
    );
    assert!(missed.is_empty(), "recall below 0.99: {missed:?}");
    assert!(
        s.unexplained.is_empty(),
        "{} alerts match no message of the ground truth:\n{}",
        s.unexplained.len(),
        s.unexplained.join("\n")
    );
    let fp_rate = s.false_positives.len() as f64 / s.legit as f64;
    eprintln!(
        "workers {workers}: false positives {}/{} = {fp_rate:.5}",
        s.false_positives.len(),
        s.legit
    );
    assert!(
        fp_rate <= 0.001,
        "false positives {} of {} legitimate messages:\n{}",
        s.false_positives.len(),
        s.legit,
        s.false_positives.join("\n")
    );
    let (right, all) = s.attributed;
    assert!(all > 0);
    assert!(
        right as f64 >= 0.99 * all as f64,
        "source right on {right} of {all} alerts:\n{}",
        s.wrong_attribution.join("\n")
    );
}

fn check_report(capture: &Capture, report: &Value, alerts: usize) {
    let t = &report["totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("totals.{k}: {t}"));
    assert_eq!(n("frames"), capture.frames.len() as u64);
    common::assert_accounted(report, "the accounting invariant");
    assert_eq!(n("dropped"), 0, "an unpaced replay is lossless");
    assert_eq!(n("messages"), capture.truth.len() as u64, "{t}");
    assert_eq!(n("malformed"), capture.broken.len() as u64, "{report}");
    assert_eq!(n("alerts"), alerts as u64);
    let by_layer: u64 = report["malformed_by_layer"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_layer, n("malformed"));
    let by_category: u64 = report["by_category"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_category, alerts as u64);

    // The coordinated campaign is reported as one: all three sources, every one of its
    // targets (each hit once, in one incident), and nothing else.
    let mut campaign: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in capture.truth.iter().filter(|t| t.campaign) {
        let id = t.target.msisdn.clone().or(t.target.imsi.clone()).unwrap();
        campaign
            .entry(id)
            .or_default()
            .insert(t.source_operator.to_owned());
    }
    assert!(campaign.len() >= 50, "the scenario has a campaign");
    let all: BTreeSet<String> = campaign.values().flatten().cloned().collect();
    let reported = report["campaigns"].as_array().unwrap();
    assert_eq!(reported.len(), 1, "{reported:#?}");
    let c = &reported[0];
    let sources: BTreeSet<String> = c["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["operator"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sources, all);
    assert_eq!(c["targets"].as_u64(), Some(campaign.len() as u64));
    assert_eq!(c["incidents"].as_u64(), Some(campaign.len() as u64));
    for t in c["sample_targets"].as_array().unwrap() {
        let id = t["msisdn"].as_str().unwrap();
        assert!(
            campaign.contains_key(id),
            "{id} reported as a campaign target"
        );
    }

    // Mass surveillance: each attacking operator's distinct targets, within HyperLogLog's error.
    let mut targets: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for t in capture.truth.iter().filter(|t| t.label == "attack") {
        let id = t.target.msisdn.clone().or(t.target.imsi.clone()).unwrap();
        targets.entry(t.source_operator).or_default().insert(id);
    }
    for (op, ids) in &targets {
        let got = report["by_source_operator"][*op]["distinct_targets"]
            .as_u64()
            .unwrap_or_else(|| panic!("{op} missing from by_source_operator"));
        let want = ids.len() as f64;
        assert!(
            (got as f64 - want).abs() <= want * 0.03 + 2.0,
            "{op}: {got} distinct targets reported, {want} in truth"
        );
    }
}

#[test]
fn seed_scenario_scores_against_the_ground_truth_with_any_number_of_workers() {
    let capture = &seed().capture;
    let one = replay(1);
    let two = replay(2);
    for (workers, run) in [(1, &one), (2, &two)] {
        let s = score(capture, run);
        check_score(workers, &s);
        check_report(capture, &run.report, run.alerts.len());
        assert_eq!(run.report["run"]["workers"].as_u64(), Some(workers as u64));
    }
    // More shards than cores: subscriber state still lands where it belongs. Shards merge
    // their rings while workers fill them, so races show only now and then: several runs.
    let more: Vec<(usize, Run)> = [4, 2, 3, 4, 2, 3].map(|w| (w, replay(w))).into();
    let mut a = one.lines.clone();
    a.sort();
    for (workers, run) in [(2, &two)]
        .into_iter()
        .chain(more.iter().map(|(w, r)| (*w, r)))
    {
        let mut b = run.lines.clone();
        b.sort();
        assert_eq!(
            a.len(),
            b.len(),
            "as many alerts with 1 and {workers} workers"
        );
        let differ: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).take(5).collect();
        assert!(
            differ.is_empty(),
            "alerts differ with {workers} workers: {differ:#?}"
        );
    }
}

#[test]
fn alerts_follow_the_interface() {
    let run = replay(1);
    let mut categories = BTreeSet::new();
    for a in &run.alerts {
        let proto = a["proto"].as_str().unwrap();
        categories.insert(a["category"].as_str().unwrap().to_owned());
        assert!(a["ts"].as_f64().unwrap() > 1.7e9);
        assert!(a["rule"].as_str().unwrap().contains('.'));
        assert!(!a["reason"].as_str().unwrap().is_empty());
        assert!(["alert", "log"].contains(&a["action"].as_str().unwrap()));
        match proto {
            "map" => {
                assert!(a["opcode"].is_u64(), "{a}");
                assert!(a["op"].is_string(), "{a}");
                assert!(a["source"]["gt"].is_string(), "{a}");
            }
            "diameter" => {
                assert!(a["cmd"].is_u64(), "{a}");
                assert!(a["cmd_name"].is_string(), "{a}");
                assert!(a["app"].is_u64(), "{a}");
                assert!(
                    a["source"]["realm"].is_string() || a["source"]["host"].is_string(),
                    "{a}"
                );
            }
            other => panic!("alert proto {other}"),
        }
    }
    let want: BTreeSet<String> = ["cat1", "cat2", "cat3", "recon"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(categories, want);
    // Campaign lines: an event, the campaign's number, sources and counts, a reason, a target.
    assert!(!run.campaign.is_empty());
    for c in &run.campaign {
        assert!(c["ts"].as_f64().unwrap() > 1.7e9, "{c}");
        assert!(
            ["first_incident", "source_joined", "incidents"]
                .contains(&c["event"].as_str().unwrap()),
            "{c}"
        );
        assert_eq!(c["campaign"].as_u64(), Some(1), "{c}");
        assert!(c["sources"].as_array().unwrap().len() >= 2, "{c}");
        assert!(c["incidents"].as_u64().unwrap() >= 1, "{c}");
        assert!(c["targets"].as_u64().unwrap() >= 1, "{c}");
        assert!(!c["reason"].as_str().unwrap().is_empty(), "{c}");
        assert!(c["target"]["msisdn"].is_string(), "{c}");
    }
}

/// `--loop 3` is three captures one after the other: each pass's flows start over (the same
/// TSNs and TCP sequence numbers are not retransmissions of the pass before), and capture
/// time moves on, so everything counts three times.
#[test]
fn a_looped_capture_counts_every_pass() {
    let s = seed();
    let once = replay(1);
    let report = s.pcap.parent().unwrap().join("report-loop3.json");
    let thrice = common::replay_report(
        &s.pcap,
        &s.policy,
        &["--workers", "2", "--loop", "3"],
        &report,
    );
    for k in common::TOTALS {
        assert_eq!(
            thrice["totals"][k].as_u64().unwrap(),
            3 * once.report["totals"][k].as_u64().unwrap(),
            "{k}"
        );
    }
    for (rule, n) in once.report["by_rule"].as_object().unwrap() {
        assert_eq!(
            thrice["by_rule"][rule].as_u64(),
            Some(3 * n.as_u64().unwrap()),
            "{rule}"
        );
    }
}
