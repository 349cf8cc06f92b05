//! `--metrics`: scraped during a replay, `/metrics` parses as Prometheus text and its counters
//! move; other paths are 404.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::sigwatch;

fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: sigwatch\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), body.to_owned())
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

    std::thread::sleep(Duration::from_millis(1500));
    let (head, body) = get(&addr, "/metrics");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
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
    assert!(second
        .keys()
        .any(|k| k.starts_with("sigwatch_batch_latency_quantile_microseconds{")));
    // The latency histogram: cumulative buckets ending in +Inf, which equals the count.
    let buckets: Vec<f64> = second
        .iter()
        .filter(|(k, _)| k.starts_with("sigwatch_batch_latency_microseconds_bucket{"))
        .map(|(_, v)| *v)
        .collect();
    assert!(buckets.len() >= 2, "{second:?}");
    let inf = second["sigwatch_batch_latency_microseconds_bucket{le=\"+Inf\"}"];
    assert_eq!(inf, second["sigwatch_batch_latency_microseconds_count"]);
    assert!(inf > 0.0);
    assert!(buckets.iter().all(|b| *b <= inf));
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

    std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}
