//! `--state-dir`: a probe that restarts keeps what it knew of where subscribers are. The seed
//! capture replayed in two halves, with the state written at the end of the first and loaded
//! at the start of the second, gives the category 3 alerts of one run over the whole capture;
//! without the state the second half misses some. A snapshot cut short, changed, or of
//! another version is refused with one line, and the probe runs on with empty state.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{assert_accounted, seed_files, sigwatch};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Replay `pcap`, with `--state-dir` when given: (category 3 alerts as (rule, ts, target),
/// the report, stderr).
fn replay(
    pcap: &Path,
    policy: &Path,
    state: Option<&Path>,
    out: &Path,
) -> (BTreeSet<String>, Value, String) {
    let alerts = out.with_extension("jsonl");
    let report = out.with_extension("json");
    let mut cmd = sigwatch();
    cmd.arg("replay")
        .arg(pcap)
        .arg("--config")
        .arg(policy)
        .args(["--workers", "2", "--no-pin", "-q", "--alerts"])
        .arg(&alerts)
        .arg("--report")
        .arg(&report);
    if let Some(s) = state {
        cmd.arg("--state-dir").arg(s);
    }
    let o = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let cat3 = std::fs::read_to_string(&alerts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|a| a["category"] == "cat3")
        .map(|a| format!("{} {} {}", a["rule"], a["ts"], a["target"]))
        .collect();
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_accounted(&r, "restart");
    (cat3, r, err)
}

/// The seed capture and its two halves, cut at its median category 3 attack.
fn halves(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let (pcap, policy, cap) = seed_files(dir, 1);
    let cat3: Vec<u64> = cap
        .truth
        .iter()
        .filter(|t| t.expect == Some("cat3"))
        .map(|t| t.frame)
        .collect();
    let mid = cat3[cat3.len() / 2] as usize - 1;
    let mut parts = Vec::new();
    for (k, frames) in [&cap.frames[..mid], &cap.frames[mid..]].iter().enumerate() {
        let p = dir.join(format!("half-{k}.pcap"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        siggen::pcap::write_header(&mut f).unwrap();
        for (ts, data) in frames.iter() {
            siggen::pcap::write_record(&mut f, *ts, data).unwrap();
        }
        drop(f);
        parts.push(p);
    }
    (pcap, policy, parts[0].clone(), parts[1].clone())
}

#[test]
fn a_restart_in_the_middle_keeps_every_category_3_alert() {
    let dir = scratch("restart-halves");
    let (whole, policy, first, second) = halves(&dir);
    let (want, _, _) = replay(&whole, &policy, None, &dir.join("whole"));
    assert!(
        want.len() >= 40,
        "the seed capture has category 3 attacks: {}",
        want.len()
    );

    let state = dir.join("state");
    let (a, ra, _) = replay(&first, &policy, Some(&state), &dir.join("first"));
    let snap = &ra["counters"]["snapshot"];
    assert_eq!(snap["written"].as_u64(), Some(1), "{snap}");
    assert!(
        snap["subscribers_written"].as_u64().unwrap() > 1000,
        "{snap}"
    );
    let (b, rb, err) = replay(&second, &policy, Some(&state), &dir.join("second"));
    assert_eq!(
        rb["counters"]["snapshot"]["subscribers_loaded"], snap["subscribers_written"],
        "{err}"
    );
    let got: BTreeSet<String> = a.union(&b).cloned().collect();
    assert_eq!(
        got, want,
        "two halves with the state between them, against one run"
    );

    assert!(
        !a.is_empty() && !b.is_empty(),
        "attacks on both sides of the restart"
    );

    // Without the state the second half judges otherwise: it takes the old networks' purges
    // of subscribers who have left for claims of where they are (false alerts).
    let (blind, _, _) = replay(&second, &policy, None, &dir.join("blind"));
    let wrong = blind.difference(&want).count();
    assert!(wrong > 0, "{} without state, {} with", blind.len(), b.len());
}

#[test]
fn a_bad_snapshot_is_refused_in_one_line_and_the_probe_starts_empty() {
    let dir = scratch("restart-bad");
    let (_, policy, first, second) = halves(&dir);
    let state = dir.join("state");
    replay(&first, &policy, Some(&state), &dir.join("first"));
    let file = state.join("subscribers.state");
    let good = std::fs::read(&file).unwrap();
    let (blind, _, _) = replay(&second, &policy, None, &dir.join("blind"));
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x01;
    let mut other_version = good.clone();
    other_version[8] = 99;
    let cases = [
        ("truncated", good[..good.len() - 7].to_vec()),
        ("bit-flipped", flipped),
        ("another version", other_version),
        ("not a snapshot", b"subscribers: many\n".to_vec()),
    ];
    for (what, bytes) in cases {
        std::fs::write(&file, &bytes).unwrap();
        let (cat3, r, err) = replay(&second, &policy, Some(&state), &dir.join("bad"));
        let lines: Vec<&str> = err.lines().filter(|l| l.contains("refused")).collect();
        assert_eq!(lines.len(), 1, "{what}: {err}");
        assert!(lines[0].contains("subscribers.state"), "{what}: {err}");
        assert_eq!(
            r["counters"]["snapshot"]["refused"].as_u64(),
            Some(1),
            "{what}"
        );
        assert_eq!(
            r["counters"]["snapshot"]["subscribers_loaded"].as_u64(),
            Some(0),
            "{what}"
        );
        assert_eq!(cat3, blind, "{what}: empty state judges like no state");
        // And the run wrote a good one again.
        let again = std::fs::read(&file).unwrap();
        assert_eq!(&again[..8], b"SWSTATE\0", "{what}");
    }
}

/// A long paced run writes its state every `state_snapshot_s` while it runs, and again when
/// SIGTERM stops it; what it wrote loads.
#[test]
fn state_is_written_while_running_and_on_sigterm() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = scratch("restart-sigterm");
    let (pcap, policy, cap) = seed_files(&dir, 1);
    let policy_1s = dir.join("policy-1s.toml");
    std::fs::write(&policy_1s, format!("{}state_snapshot_s = 1\n", cap.policy)).unwrap();
    let state = dir.join("state");
    let file = state.join("subscribers.state");
    let report = dir.join("paced.json");
    // Paced, looping: it would run for hours.
    let mut child = sigwatch()
        .args(["replay", "-q", "--workers", "2", "--no-pin"])
        .args(["--pps", "20000", "--loop", "1000", "--config"])
        .arg(&policy_1s)
        .arg(&pcap)
        .arg("--state-dir")
        .arg(&state)
        .arg("--report")
        .arg(&report)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Liveness bounds only: a snapshot or a stop that never comes fails instead of hanging.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !file.exists() {
        assert!(Instant::now() < deadline, "no snapshot while running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("sigwatch did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let snap = &r["counters"]["snapshot"];
    assert!(
        snap["written"].as_u64().unwrap() >= 2,
        "while running and at the stop: {snap}"
    );
    // The last one is the stop's, and a new run loads all of it.
    let (_, again, _) = replay(&pcap, &policy, Some(&state), &dir.join("again"));
    assert_eq!(
        again["counters"]["snapshot"]["subscribers_loaded"],
        snap["subscribers_written"]
    );
}
