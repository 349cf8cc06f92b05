//! `--metrics`: scraped during a replay, `/metrics` is OpenMetrics text served as such,
//! `promtool check metrics` finds nothing wrong with it, its counters move, every counter of
//! the report is on it; other paths are 404, other methods 405; a stalled connection and many
//! at once do not keep a scrape from being answered.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::sigwatch;

fn request_with(addr: &str, method: &str, path: &str, extra: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: sigwatch\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), body.to_owned())
}

fn request(addr: &str, method: &str, path: &str) -> (String, String) {
    request_with(addr, method, path, "")
}

fn get(addr: &str, path: &str) -> (String, String) {
    request(addr, "GET", path)
}

/// Every sample line: `name{labels} value`, the value a number.
fn samples(body: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in body.lines() {
        if line.starts_with('#') || line.is_empty() {
            assert!(
                line.is_empty()
                    || line.starts_with("# HELP ")
                    || line.starts_with("# TYPE ")
                    || line.starts_with("# UNIT ")
                    || line == "# EOF",
                "{line}"
            );
            continue;
        }
        let (name, value) = line.rsplit_once(' ').unwrap();
        let v: f64 = value.parse().unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(name.starts_with("sigwatch_"), "{line}");
        out.insert(name.to_owned(), v);
    }
    out
}

#[test]
fn metrics_parse_and_move_during_a_replay() {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("metrics");
    std::fs::create_dir_all(&d).unwrap();
    let (pcap, policy, _) = common::seed_files(&d, 6);
    let mut child = sigwatch()
        .args([
            "replay",
            "--workers",
            "1",
            "--no-pin",
            "--pps",
            "20000",
            "--loop",
            "1000",
        ])
        .args(["--metrics", "127.0.0.1:0", "--config"])
        .arg(&policy)
        .arg(&pcap)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("sigwatch: metrics on http://")
        .and_then(|s| s.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("no metrics address: {line}"))
        .to_owned();

    // A client that connects and sends nothing, and one that sends half a request head:
    // scrapes are answered all the same.
    let _silent = TcpStream::connect(&addr).unwrap();
    let mut half = TcpStream::connect(&addr).unwrap();
    write!(half, "GET /metrics HTTP/1.1\r\nHost: sig").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // Prometheus asks for OpenMetrics first, and gets it; anyone else gets the text format.
    let accept =
        "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n";
    let (head, om) = request_with(&addr, "GET", "/metrics", accept);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text; version=1.0.0"),
        "{head}"
    );
    assert!(om.ends_with("# EOF\n"), "{om}");
    assert!(om.contains("# TYPE sigwatch_frames counter"), "{om}");
    assert!(
        om.contains("# UNIT sigwatch_batch_latency_seconds seconds"),
        "{om}"
    );
    let (head, body) = get(&addr, "/metrics");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    assert!(
        body.contains("# TYPE sigwatch_frames_total counter"),
        "{body}"
    );
    assert!(!body.contains("# EOF"), "{body}");
    // Many scrapes at once.
    let scrapes: Vec<_> = (0..16)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || get(&addr, "/metrics").0)
        })
        .collect();
    for s in scrapes {
        assert!(s.join().unwrap().starts_with("HTTP/1.1 200"));
    }
    let first = samples(&body);
    std::thread::sleep(Duration::from_millis(1500));
    let second = samples(&get(&addr, "/metrics").1);
    let frames = |s: &BTreeMap<String, f64>| s["sigwatch_frames_total"];
    assert!(frames(&first) > 0.0, "{body}");
    assert!(frames(&second) > frames(&first), "frames move");
    assert!(
        second
            .keys()
            .any(|k| k.starts_with("sigwatch_alerts_by_category_total{category=")),
        "{second:?}"
    );
    assert!(second.contains_key("sigwatch_worker_frames_total{worker=\"0\"}"));
    for q in ["p50", "p99", "max"] {
        let v = second[&format!("sigwatch_batch_latency_{q}_seconds")];
        assert!((0.0..10.0).contains(&v), "{q}: {v}");
    }
    // The latency histogram, in seconds: cumulative buckets ending in +Inf, which equals
    // the count.
    let buckets: Vec<f64> = second
        .iter()
        .filter(|(k, _)| k.starts_with("sigwatch_batch_latency_seconds_bucket{"))
        .map(|(_, v)| *v)
        .collect();
    assert!(buckets.len() >= 2, "{second:?}");
    let inf = second["sigwatch_batch_latency_seconds_bucket{le=\"+Inf\"}"];
    assert_eq!(inf, second["sigwatch_batch_latency_seconds_count"]);
    assert!(inf > 0.0);
    assert!(buckets.iter().all(|b| *b <= inf));
    assert!(second.contains_key("sigwatch_batch_latency_seconds_bucket{le=\"0.0001\"}"));
    // Every counter the report names is on the page (the report's own list is checked
    // against the counters' declarations in the probe's unit tests).
    let report = common::replay_report(&pcap, &policy, &[], &d.join("coverage.json"));
    let groups = report["counters"].as_object().unwrap();
    let mut n = 0;
    for (group, names) in groups {
        for name in names.as_object().unwrap().keys() {
            let key = format!("sigwatch_{group}_total{{counter=\"{name}\"}}");
            assert!(second.contains_key(&key), "{key} missing from /metrics");
            n += 1;
        }
    }
    assert!(n > 50, "{n} counters");
    for name in [
        "sctp_duplicate_fragments",
        "recon_verdicts",
        "sctp_conflicting_chunks",
    ] {
        assert!(
            groups.values().any(|g| g.get(name).is_some()),
            "{name} not in the report"
        );
    }
    // promtool, Prometheus's own checker, finds nothing to say about a live scrape.
    if common::tool_available(
        "metrics::metrics_parse_and_move_during_a_replay",
        "promtool",
    ) {
        let mut p = std::process::Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        p.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
        let out = p.wait_with_output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success() && said.trim().is_empty(),
            "promtool: {said}"
        );
    }
    // A paced replay at 20 k frames/s: the one worker decodes about that, not zero, not ten
    // times more (a generous band: the pacer catches up after a slow moment).
    let rate = second["sigwatch_worker_frames_per_second{worker=\"0\"}"];
    assert!((2_000.0..200_000.0).contains(&rate), "rate {rate}");
    for q in [
        "queue=\"input\",worker=\"0\"",
        "queue=\"shard\",worker=\"0\"",
        "queue=\"collector\"",
    ] {
        let fill = second
            .get(&format!("sigwatch_queue_fill_ratio{{{q}}}"))
            .unwrap_or_else(|| panic!("no fill for {q}: {second:?}"));
        assert!((0.0..=1.0).contains(fill), "{q}: {fill}");
    }
    let (head, _) = get(&addr, "/");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let (head, _) = request(&addr, "POST", "/metrics");
    assert!(head.starts_with("HTTP/1.1 405"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("allow: get, head"),
        "{head}"
    );
    let (head, body) = request(&addr, "HEAD", "/metrics");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.is_empty());
    // A request head larger than the server reads is refused, not read on forever.
    let mut big = TcpStream::connect(&addr).unwrap();
    big.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let filler = "x".repeat(64 * 1024);
    let _ = write!(big, "GET /metrics HTTP/1.1\r\nX-Filler: {filler}\r\n\r\n");
    let mut answer = String::new();
    let _ = big.read_to_string(&mut answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{answer}"
    );
    drop(half);

    std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}
