//! Judging: stateless classification, a shard's stateful checks, the collector's merge, and a
//! worker's whole batch (decode, classify, shard, verdicts out).
//!
//! `cargo bench -p bench --bench judge`
//!
//! A decoded message borrows the decoder's buffers for the length of one callback, so
//! classification is measured inside the decode loop: `judge/classify` minus `judge/decode`
//! (same frames, same message count) is the classifier's time per message.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use decoder::stack::{FrameContext, FrameDecoder, Message};
use probe::collector::Collector;
use probe::worker::ToCollector;
use rules::engine::{Classifier, Engine, Job, Outcome};
use rules::policy::Policy;
use rules::state::ShardState;
use rules::verdict::Verdict;

const FRAMES: usize = 65_536;

fn load_engine() -> Engine {
    Engine::new(bench::load_policy().unwrap())
}

/// Decode every frame with a fresh decoder, handing each message to `on`; returns messages.
fn decode_all(frames: &[(u64, Vec<u8>)], on: &mut impl FnMut(FrameContext, &Message<'_>)) -> u64 {
    bench::decode_frames(&mut FrameDecoder::default(), frames, on)
}

fn classify(c: &mut Criterion) {
    let frames = bench::load_frames(FRAMES);
    let engine = load_engine();
    let messages = decode_all(&frames, &mut |_, _| {});
    let mut g = c.benchmark_group("judge");
    g.throughput(Throughput::Elements(messages));
    g.bench_function("decode", |b| {
        b.iter(|| {
            decode_all(&frames, &mut |_, m| {
                black_box(m);
            })
        })
    });
    let mut classifier = Classifier::new(&engine);
    let mut out = Outcome::default();
    g.bench_function("classify", |b| {
        b.iter(|| {
            decode_all(&frames, &mut |ctx, m| {
                classifier.classify(ctx, m, &mut out);
                black_box(&out);
            })
        })
    });
    g.finish();
}

/// The jobs and verdicts the seed scenario's messages make.
fn seed_judged() -> (Engine, Vec<Job>, Vec<Verdict>) {
    let capture = siggen::scenario::seed(3, 1);
    let engine = Engine::new(Policy::parse("seed.toml", &capture.policy).unwrap());
    let mut classifier = Classifier::new(&engine);
    let mut out = Outcome::default();
    let mut jobs = Vec::new();
    let mut verdicts = Vec::new();
    decode_all(&capture.frames, &mut |ctx, m| {
        classifier.classify(ctx, m, &mut out);
        jobs.extend(out.jobs.iter().copied());
        verdicts.extend(out.verdict);
        verdicts.extend(out.evasion);
    });
    let mut shard = ShardState::new(&engine, 1);
    for j in &jobs {
        shard.apply(&engine, j, &mut |v| verdicts.push(v));
    }
    shard.finish(&engine, u64::MAX / 2, &mut |v| verdicts.push(v));
    drop(classifier);
    (engine, jobs, verdicts)
}

fn shard_and_collector(c: &mut Criterion) {
    let (engine, jobs, verdicts) = seed_judged();
    let mut g = c.benchmark_group("judge");
    g.throughput(Throughput::Elements(jobs.len() as u64));
    g.bench_function("shard_apply", |b| {
        b.iter_batched_ref(
            || ShardState::new(&engine, 1),
            |shard| {
                for j in &jobs {
                    shard.apply(&engine, j, &mut |v| {
                        black_box(v);
                    });
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.throughput(Throughput::Elements(verdicts.len() as u64));
    for (name, alerts) in [("collector_merge", false), ("collector_merge_jsonl", true)] {
        g.bench_function(name, |b| {
            b.iter_batched_ref(
                || {
                    let (spare, _) = crossbeam_channel::bounded(16);
                    let out: Option<Box<dyn std::io::Write + Send>> =
                        alerts.then(|| Box::new(std::io::sink()) as _);
                    let collector = Collector::new(&engine, 1, out, Default::default(), spare);
                    (collector, verdicts.clone())
                },
                |(collector, vs)| collector.handle(ToCollector::Verdicts(std::mem::take(vs))),
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

fn worker(c: &mut Criterion) {
    let frames = bench::load_frames(FRAMES);
    let engine = load_engine();
    let mut g = c.benchmark_group("worker");
    g.throughput(Throughput::Elements(FRAMES as u64));
    g.bench_function("batch", |b| {
        b.iter_batched(
            || bench::Worker::new(&engine),
            |w| w.run(&frames),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, classify, shard_and_collector, worker);
criterion_main!(benches);
