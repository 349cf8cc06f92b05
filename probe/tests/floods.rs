//! Bounded state: floods of every table that grows with traffic — SCTP associations with
//! messages that never complete, TCP streams with endless gaps, distinct subscribers — through
//! `sigwatch replay` with small `[limits]`. Each table evicts and counts, the accounting holds,
//! and peak memory does not grow with the flood: three times the flood, the same footprint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use decoder::diameter::CommandCode;
use decoder::link::EthernetSpec;
use decoder::sctp::{DataChunkSpec, Ppid, SctpSpec};
use decoder::stack::{emit_sctp_frame, emit_tcp_frame};
use decoder::tcp::TcpSpec;
use serde_json::Value;
use siggen::net::{HOME, ROAMING};
use siggen::wire::{Bearer, Dir, Link, LinkOptions};

const LIMITS: &str = "
[limits]
subscribers = 1000
sctp_associations = 256
sctp_messages = 64
tcp_streams = 64
tcp_bytes = 65536
";

/// A flood `scale` times over: incomplete SCTP messages on as many associations, TCP
/// streams that only ever show gaps, and ULRs for as many distinct subscribers.
fn flood(scale: u32) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let eth = EthernetSpec::default();
    for k in 0..10_000 * scale {
        let mut f = Vec::new();
        let src = Ipv4Addr::from(0x0a10_0000 + k / 60_000);
        let spec = SctpSpec {
            src_port: 1024 + (k % 60_000) as u16,
            dst_port: 2905,
            vtag: k,
        };
        let first_half = DataChunkSpec::Data {
            tsn: 1,
            stream: 1,
            ssn: 0,
            ppid: Ppid::M3UA,
            begin: true,
            end: false,
            data: &[1, 0, 1, 1, 0, 0, 0, 200, 0, 0, 0, 0],
        };
        emit_sctp_frame(
            &mut f,
            &eth,
            src.into(),
            HOME.ip.into(),
            &spec,
            &[first_half],
        );
        frames.push(f);
    }
    for k in 0..1_000 * scale {
        for s in 0..8u32 {
            let mut f = Vec::new();
            let spec = TcpSpec {
                src: Ipv4Addr::from(0x0a20_0000 + k).into(),
                dst: HOME.ip.into(),
                src_port: 40_000,
                dst_port: 3868,
                // Each segment leaves a gap before it: nothing is ever in order.
                seq: 1_000 + s * 2_000,
                ack: 1,
                flags: 0x18,
            };
            emit_tcp_frame(&mut f, &eth, &spec, &[0x01; 200]);
            frames.push(f);
        }
    }
    distinct_subscribers(7, 10_000 * u64::from(scale), |f| frames.push(f));
    frames
}

/// Frames of `n` ULRs from a roaming partner, each for a subscriber never seen before.
fn distinct_subscribers(link_id: u32, n: u64, mut frame: impl FnMut(Vec<u8>)) {
    let peer = ROAMING[0];
    let mut link = Link::new(
        HOME.ip,
        peer.ip,
        Bearer::DiameterSctp,
        LinkOptions::default(),
        link_id,
    );
    for k in 0..n {
        let d = peer.s6a_request(CommandCode::UPDATE_LOCATION, true, k as u32, &peer.imsi(k));
        link.diameter(Dir::In, &d).into_iter().for_each(&mut frame);
    }
}

fn write(dir: &Path, scale: u32) -> (PathBuf, usize) {
    let frames = flood(scale);
    let pcap = dir.join(format!("flood-{scale}.pcap"));
    let mut w = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    siggen::pcap::write_header(&mut w).unwrap();
    for (i, f) in frames.iter().enumerate() {
        siggen::pcap::write_record(&mut w, 1_790_812_800_000_000_000 + i as u64 * 1_000, f)
            .unwrap();
    }
    drop(w);
    (pcap, frames.len())
}

fn replay(dir: &Path, pcap: &Path, policy: &Path, workers: usize) -> Value {
    let report = dir.join(format!(
        "{}-{workers}.json",
        pcap.file_stem().unwrap().to_string_lossy()
    ));
    common::replay_report(pcap, policy, &["--workers", &workers.to_string()], &report)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn every_table_evicts_and_memory_stays_flat() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("floods");
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, siggen::net::policy_toml() + LIMITS).unwrap();
    let (small, small_frames) = write(&dir, 1);
    let (large, large_frames) = write(&dir, 3);
    for workers in [1, 2] {
        let a = replay(&dir, &small, &policy, workers);
        let b = replay(&dir, &large, &policy, workers);
        for (r, frames) in [(&a, small_frames), (&b, large_frames)] {
            let t = &r["totals"];
            assert_eq!(u(&t["frames"]), frames as u64);
            common::assert_accounted(r, &format!("{workers} workers"));
            let c = &r["counters"];
            for (group, key) in [
                ("reassembly", "sctp_evicted"),
                ("reassembly", "tcp_evicted"),
                ("state", "subscribers_evicted"),
            ] {
                assert!(u(&c[group][key]) > 0, "{workers} workers: {key} = 0: {c}");
            }
        }
        // Three times the flood: more evicted, no more memory (within allocator noise).
        let evicted = |r: &Value| u(&r["counters"]["state"]["subscribers_evicted"]);
        assert!(
            evicted(&b) > 2 * evicted(&a),
            "{} vs {}",
            evicted(&b),
            evicted(&a)
        );
        let rss = |r: &Value| u(&r["run"]["peak_rss_kb"]);
        assert!(
            rss(&b) <= rss(&a) + rss(&a) / 10 + 4096,
            "{workers} workers: peak RSS {} kB for the flood, {} kB for three floods",
            rss(&a),
            rss(&b)
        );
    }
}

/// Writes `n` ULRs, each for a subscriber never seen before, as a pcap stream.
fn stream_distinct_subscribers(out: impl std::io::Write, n: u64) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    siggen::pcap::write_header(&mut w)?;
    let (mut i, mut result) = (0u64, Ok(()));
    distinct_subscribers(11, n, |f| {
        if result.is_ok() {
            result = siggen::pcap::write_record(&mut w, 1_790_812_800_000_000_000 + i * 1_000, &f);
        }
        i += 1;
    });
    result?;
    std::io::Write::flush(&mut w)
}

/// `sigwatch replay /dev/stdin` fed `n` distinct subscribers by a pipe (millions of them need
/// no disk), with the subscriber table capped at 1000.
fn replay_stream(dir: &Path, policy: &Path, n: u64) -> Value {
    let report = dir.join(format!("stream-{n}.json"));
    let mut child = common::sigwatch()
        .args([
            "replay",
            "/dev/stdin",
            "-q",
            "--no-pin",
            "--workers",
            "1",
            "--config",
        ])
        .arg(policy)
        .arg("--report")
        .arg(&report)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    stream_distinct_subscribers(child.stdin.take().unwrap(), n).unwrap();
    assert!(child.wait().unwrap().success());
    serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap()
}

#[test]
fn millions_of_subscribers_through_a_pipe_in_flat_memory() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("floods-stream");
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, siggen::net::policy_toml() + LIMITS).unwrap();
    let small = replay_stream(&dir, &policy, 100_000);
    let large = replay_stream(&dir, &policy, 2_000_000);
    for (r, n) in [(&small, 100_000u64), (&large, 2_000_000)] {
        common::assert_accounted(r, &format!("{n} subscribers"));
        assert_eq!(u(&r["totals"]["messages"]), n);
        // Every subscriber beyond the cap of 1000 pushed an older one out.
        assert_eq!(
            u(&r["counters"]["state"]["subscribers_evicted"]),
            n - 1000,
            "{n}: {}",
            r["counters"]
        );
    }
    let rss = |r: &Value| u(&r["run"]["peak_rss_kb"]);
    assert!(
        rss(&large) <= rss(&small) + rss(&small) / 10 + 4096,
        "peak RSS {} kB for 100 k subscribers, {} kB for 2 M",
        rss(&small),
        rss(&large)
    );
}
