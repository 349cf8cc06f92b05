//! Many probes, one picture, on a real `nats-server -js` (Debian's package): two probes on
//! different links each see part of the interconnect and export to JetStream; `sigwatch
//! correlate` joins them and finds the campaigns one probe fed everything finds, including
//! those neither probe saw whole. An absent server never stalls a probe: its alerts are
//! counted as dropped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{assert_accounted, replay_report, seed_files, sigwatch};
use serde_json::Value;

/// A `nats-server -js` on a free port, stopped when dropped.
struct Nats {
    child: Child,
    url: String,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start the server, or None when it is not installed (`test` is skipped; a failure in CI,
/// which installs it).
fn nats_server(test: &str, dir: &Path) -> Option<Nats> {
    if !common::tool_available(test, "nats-server") {
        return None;
    }
    let store = dir.join("jetstream");
    let _ = std::fs::remove_dir_all(&store);
    let port = free_port();
    let child = Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
        .arg(&store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nats = Nats {
        child,
        url: format!("nats://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nats-server did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(nats)
}

/// The two IP addresses of a frame (Ethernet, VLANs, IPv4/IPv6), in order.
fn endpoints(frame: &[u8]) -> Option<(IpAddr, IpAddr)> {
    let link = decoder::link::parse_link_ethernet(frame).ok()?;
    let ip = decoder::ip::parse_ipv4_packet(link.payload)
        .or_else(|_| decoder::ip::parse_ipv6_packet(link.payload))
        .ok()?;
    Some(if ip.src <= ip.dst {
        (ip.src, ip.dst)
    } else {
        (ip.dst, ip.src)
    })
}

/// Split the capture by link, as two probes on different links see it: the peer pairs in
/// address order go alternately to `a` and `b` (in the seed scenario that puts China Unicom
/// and Digicel Jamaica on one link, BTC Bahamas on the other); frames without IP go to `a`.
fn split_by_link(cap: &siggen::scenario::Capture, a: &Path, b: &Path) -> (usize, usize) {
    let pairs: Vec<(IpAddr, IpAddr)> = cap
        .frames
        .iter()
        .filter_map(|(_, f)| endpoints(f))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut fa = std::io::BufWriter::new(std::fs::File::create(a).unwrap());
    let mut fb = std::io::BufWriter::new(std::fs::File::create(b).unwrap());
    siggen::pcap::write_header(&mut fa).unwrap();
    siggen::pcap::write_header(&mut fb).unwrap();
    let (mut na, mut nb) = (0, 0);
    for (ts, f) in &cap.frames {
        let to_b = endpoints(f).is_some_and(|p| pairs.binary_search(&p).is_ok_and(|i| i % 2 == 1));
        if to_b {
            siggen::pcap::write_record(&mut fb, *ts, f).unwrap();
            nb += 1;
        } else {
            siggen::pcap::write_record(&mut fa, *ts, f).unwrap();
            na += 1;
        }
    }
    fa.flush().unwrap();
    fb.flush().unwrap();
    (na, nb)
}

/// Lines a probe wrote: its alerts and its campaign lines.
fn lines_written(r: &Value) -> u64 {
    r["totals"]["alerts"].as_u64().unwrap()
        + r["counters"]["state"]["campaign_lines"].as_u64().unwrap()
}

/// Campaigns as comparable rows. Sample targets are compared by MSISDN: a probe learns a
/// subscriber's IMSI from answers it sees (sendRoutingInfo's), which are not alerts and are not
/// exported, so `correlate` knows only the identities the alert lines name.
fn campaigns(report: &Value) -> BTreeSet<String> {
    report["campaigns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            for t in c["sample_targets"].as_array_mut().unwrap() {
                t.as_object_mut().unwrap().remove("imsi");
            }
            c.to_string()
        })
        .collect()
}

fn correlate(nats: &Nats, policy: &Path, report: &Path, extra: &[&str]) -> Value {
    let out = sigwatch()
        .args(["correlate", "--nats", &nats.url, "--config"])
        .arg(policy)
        .arg("--report")
        .arg(report)
        .args(extra)
        .arg("-q")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sigwatch correlate: {err}");
    serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn two_probes_on_two_links_give_the_campaigns_of_one_probe_on_both() {
    let dir = scratch("nats-two-probes");
    let test = "nats::two_probes_on_two_links_give_the_campaigns_of_one_probe_on_both";
    let Some(nats) = nats_server(test, &dir) else {
        return;
    };
    let (whole_pcap, policy, cap) = seed_files(&dir, 1);
    let (east_pcap, west_pcap) = (dir.join("east.pcap"), dir.join("west.pcap"));
    let (ne, nw) = split_by_link(&cap, &east_pcap, &west_pcap);
    assert!(ne > 1000 && nw > 1000, "a lopsided split: {ne} / {nw}");

    let whole = replay_report(&whole_pcap, &policy, &[], &dir.join("whole.json"));
    let mut sites = Vec::new();
    for (site, pcap) in [("east", &east_pcap), ("west", &west_pcap)] {
        let r = replay_report(
            pcap,
            &policy,
            &["--export", &nats.url, "--site", site],
            &dir.join(format!("{site}.json")),
        );
        let export = &r["counters"]["export"];
        assert_eq!(
            export["alerts_published"].as_u64(),
            Some(lines_written(&r)),
            "{site}: {export}"
        );
        assert_eq!(export["alerts_dropped"], 0, "{site}: {export}");
        assert_eq!(export["summaries_published"], 1, "{site}: {export}");
        sites.push(r);
    }
    let joint = correlate(&nats, &policy, &dir.join("joint.json"), &[]);
    assert_accounted(&joint, "correlate");

    // Counts add up across sites.
    for k in common::TOTALS {
        let sum: u64 = sites.iter().map(|r| r["totals"][k].as_u64().unwrap()).sum();
        assert_eq!(joint["totals"][k].as_u64().unwrap(), sum, "totals.{k}");
    }
    assert_eq!(
        joint["totals"]["frames"], whole["totals"]["frames"],
        "every frame went to exactly one probe"
    );
    assert_eq!(joint["run"]["sites"], serde_json::json!(["east", "west"]));
    assert_eq!(joint["counters"]["correlate"]["unknown_rules"], 0);
    assert_eq!(joint["counters"]["correlate"]["unreadable"], 0);

    // Stateless rules judge each message alone, so the sites' alerts add up to one probe's.
    // Category 3 (is the subscriber really there?) needs the subscriber's location, which a
    // probe learns from the traffic of the network the subscriber is in: on another link, that
    // traffic is not seen, and the check stays silent (it never guesses). Probes do not share
    // subscriber state; here that costs some cat3 alerts, never adds any.
    let (wr, jr) = (whole["by_rule"].as_object().unwrap(), &joint["by_rule"]);
    for (rule, n) in wr {
        let got = jr[rule].as_u64().unwrap_or(0);
        if rule.contains(".cat3.") {
            assert!(got <= n.as_u64().unwrap(), "{rule}: {got} > {n}");
        } else {
            assert_eq!(got, n.as_u64().unwrap(), "{rule}");
        }
    }
    // The point of it: campaigns across links.
    let (all, j) = (campaigns(&whole), campaigns(&joint));
    assert!(
        !all.is_empty(),
        "the seed scenario holds a coordinated campaign"
    );
    let (east, west) = (campaigns(&sites[0]), campaigns(&sites[1]));
    let seen_by_one: BTreeSet<_> = east.union(&west).cloned().collect();
    let only_joint = all.difference(&seen_by_one).count();
    assert!(
        only_joint > 0,
        "some campaign must span both links, or this test shows nothing ({} campaigns, all \
         seen whole by one probe)",
        all.len()
    );
    assert_eq!(
        j.difference(&all).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "correlate found campaigns one probe does not"
    );
    assert_eq!(
        all.difference(&j).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "one probe found campaigns correlate missed"
    );

    // Only one site: its own campaigns again.
    let east_only = correlate(
        &nats,
        &policy,
        &dir.join("east-only.json"),
        &["--site", "east"],
    );
    assert_eq!(campaigns(&east_only), east);
    assert_eq!(east_only["totals"]["alerts"], sites[0]["totals"]["alerts"]);

    // East restarts and sees its link's traffic again: a second run, counted beside the first
    // (each run's summary is cumulative for that run only).
    replay_report(
        &east_pcap,
        &policy,
        &["--export", &nats.url, "--site", "east"],
        &dir.join("east-2.json"),
    );
    let twice = correlate(
        &nats,
        &policy,
        &dir.join("east-twice.json"),
        &["--site", "east"],
    );
    assert_accounted(&twice, "two runs of one site");
    for k in ["frames", "alerts"] {
        assert_eq!(
            twice["totals"][k].as_u64().unwrap(),
            2 * sites[0]["totals"][k].as_u64().unwrap(),
            "totals.{k}"
        );
    }
}

#[test]
fn an_absent_server_costs_alerts_not_the_run() {
    let dir = scratch("nats-absent");
    let (pcap, policy, _) = seed_files(&dir, 2);
    // A port nobody listens on.
    let url = format!("nats://127.0.0.1:{}", free_port());
    let started = Instant::now();
    let r = replay_report(
        &pcap,
        &policy,
        &["--export", &url, "--site", "lonely"],
        &dir.join("r.json"),
    );
    assert_accounted(&r, "absent server");
    let alerts = lines_written(&r);
    assert!(alerts > 0);
    let export = &r["counters"]["export"];
    assert_eq!(export["alerts_published"], 0, "{export}");
    assert_eq!(
        export["alerts_dropped"].as_u64().unwrap(),
        alerts,
        "{export}"
    );
    assert_eq!(export["summaries_dropped"], 1, "{export}");
    // The shutdown waits for the server at most its drain time (5 s), not for ever.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn bad_export_arguments_are_usage_errors() {
    let dir = scratch("nats-args");
    let (pcap, policy, _) = seed_files(&dir, 3);
    for args in [
        vec!["--export", "nats://127.0.0.1:4222", "--site", "a.b"],
        vec![
            "--export",
            "nats://127.0.0.1:4222",
            "--export-interval",
            "0",
        ],
    ] {
        let out = sigwatch()
            .arg("replay")
            .arg(&pcap)
            .arg("--config")
            .arg(&policy)
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let out = sigwatch()
        .args([
            "correlate",
            "--nats",
            &format!("nats://127.0.0.1:{}", free_port()),
        ])
        .arg("--config")
        .arg(&policy)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("127.0.0.1"), "{err}");
}
