//! Steady-state memory per tracked subscriber: one shard learns where `N` distinct
//! subscribers are (a presence job each), and the process's resident memory before and after
//! is divided by `N`. Then the `--state-dir` snapshot of them: its size, and the time to
//! export and encode it, and to decode it and load it into an empty shard.
//!
//! `cargo run --release -p bench --example subscriber_memory -- 1000000`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use decoder::stack::{FrameContext, FrameDecoder, Message};
use rules::engine::{Classifier, Engine, Job, JobKind, Outcome};
use rules::policy::Policy;
use rules::state::ShardState;

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let l = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    l.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().unwrap());
    // A real presence job (an UpdateLocation from a roaming partner), from siggen's traffic.
    let capture = siggen::scenario::seed(1, 1);
    let engine = Engine::new(Policy::parse("seed.toml", &capture.policy).unwrap());
    let mut classifier = Classifier::new(&engine);
    let mut out = Outcome::default();
    let mut dec = FrameDecoder::default();
    let mut job: Option<Job> = None;
    for (i, (ts, f)) in capture.frames.iter().enumerate() {
        let ctx = FrameContext {
            number: i as u64 + 1,
            ts_ns: *ts,
        };
        dec.decode(ctx, bench::LINK, f, &mut |m: &Message<'_>| {
            classifier.classify(ctx, m, &mut out);
            for j in &out.jobs {
                if matches!(j.kind, JobKind::Presence { .. }) && job.is_none() {
                    job = Some(*j);
                }
            }
        });
    }
    let job = job.expect("a presence job");
    let mut shard = ShardState::new(&engine, 1);
    let before = rss_kb();
    for k in 0..n {
        let mut j = job;
        j.key = 310_410_000_000_000 + k;
        j.at_ns = job.at_ns + k;
        shard.apply(&engine, &j, &mut |_| {});
    }
    let after = rss_kb();
    println!(
        "{n} subscribers tracked: {} kB more resident, {:.0} bytes each",
        after - before,
        (after - before) as f64 * 1024.0 / n as f64
    );
    let fp = rules::snapshot::fingerprint(&engine);
    let t = std::time::Instant::now();
    let mut records = Vec::new();
    shard.export(&mut records);
    let bytes = rules::snapshot::encode(&records, fp);
    let write = t.elapsed();
    let t = std::time::Instant::now();
    let back = rules::snapshot::decode(&bytes, fp).unwrap();
    let mut fresh = ShardState::new(&engine, 1);
    for r in &back {
        fresh.import(r);
    }
    let load = t.elapsed();
    println!(
        "snapshot of {} subscribers: {} bytes; export and encode {:.0} ms, decode and load {:.0} ms",
        back.len(),
        bytes.len(),
        write.as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3
    );
}
