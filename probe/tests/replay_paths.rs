//! Replay hands workers a classic pcap's frames where the reader read them (batches hold the
//! read buffers), and copies everything else (pcapng, several files merged). The same frames by
//! either path must give the same report and the same alerts: here siggen load traffic large
//! enough to go through many read buffers, written once as classic pcap and once as pcapng.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::Path;

use decoder::capture::CaptureReader;

/// A pcapng block: type, total length, body (padded to 32 bits), total length.
fn block(out: &mut Vec<u8>, kind: u32, body: &[u8]) {
    let pad = (4 - body.len() % 4) % 4;
    let len = (12 + body.len() + pad) as u32;
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out.extend(std::iter::repeat_n(0, pad));
    out.extend_from_slice(&len.to_le_bytes());
}

/// The classic pcap `bytes` rewritten as pcapng: one section, one Ethernet interface with the
/// default microsecond resolution, an enhanced packet block per record.
fn to_pcapng(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&[1, 0, 0, 0]);
    shb.extend_from_slice(&u64::MAX.to_le_bytes());
    block(&mut out, 0x0a0d_0d0a, &shb);
    block(&mut out, 1, &[1, 0, 0, 0, 0xff, 0xff, 0, 0]);
    let mut r = CaptureReader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut body = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        let us = rec.ts_ns / 1_000;
        body.clear();
        body.extend_from_slice(&0u32.to_le_bytes());
        body.extend_from_slice(&((us >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(us as u32).to_le_bytes());
        body.extend_from_slice(&(rec.data.len() as u32).to_le_bytes());
        body.extend_from_slice(&rec.orig_len.to_le_bytes());
        body.extend_from_slice(rec.data);
        block(&mut out, 6, &body);
    }
    out
}

fn replay(
    pcap: &Path,
    policy: &Path,
    workers: &str,
    name: &str,
) -> (serde_json::Value, Vec<String>) {
    let dir = pcap.parent().unwrap();
    let alerts = dir.join(format!("{name}.jsonl"));
    let report = common::replay_report(
        pcap,
        policy,
        &["--workers", workers, "--alerts", alerts.to_str().unwrap()],
        &dir.join(format!("{name}.json")),
    );
    let mut lines: Vec<String> = std::fs::read_to_string(&alerts)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    lines.sort();
    (report, lines)
}

#[test]
fn frames_left_in_read_buffers_judge_like_copied_frames() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("replay-paths");
    std::fs::create_dir_all(&dir).unwrap();
    // ~6 MB: the reader's 1 MB buffers are filled, shared and recycled several times over.
    let mut classic = Vec::new();
    siggen::load::Load::new(5, 20_000)
        .write_pcap(25_000, &mut classic)
        .unwrap();
    assert!(classic.len() > 4 << 20, "{} bytes", classic.len());
    let pcap = dir.join("load.pcap");
    std::fs::write(&pcap, &classic).unwrap();
    let ng = dir.join("load.pcapng");
    std::fs::File::create(&ng)
        .unwrap()
        .write_all(&to_pcapng(&classic))
        .unwrap();
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, siggen::net::policy_toml()).unwrap();

    for workers in ["1", "2"] {
        let (placed, placed_alerts) = replay(&pcap, &policy, workers, &format!("placed-{workers}"));
        let (copied, copied_alerts) = replay(&ng, &policy, workers, &format!("copied-{workers}"));
        common::assert_accounted(&placed, "classic pcap");
        assert_eq!(placed["totals"]["frames"].as_u64(), Some(25_000));
        for k in common::TOTALS {
            assert_eq!(
                placed["totals"][k], copied["totals"][k],
                "{workers} workers: {k}"
            );
        }
        assert_eq!(placed["by_rule"], copied["by_rule"], "{workers} workers");
        assert!(
            placed["totals"]["alerts"].as_u64().unwrap() > 100,
            "the load traffic raises alerts: {}",
            placed["totals"]
        );
        assert_eq!(
            placed_alerts, copied_alerts,
            "{workers} workers: alert lines"
        );
    }
}
