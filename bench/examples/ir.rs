//! One pass of a decoder stage over siggen's load frames, for instruction counts that do not
//! depend on what else the machine is doing:
//!
//! `valgrind --tool=callgrind --toggle-collect='ir::pass*' target/release/examples/ir tcap`
//!
//! then Ir ÷ items is instructions per item (`ir classify` minus `ir stack`: the classifier's).
//! Stages: `tcap` and `map` (the TCAP messages), `diameter` (the Diameter messages,
//! `summarize`), `stack` and `classify` (whole frames), `worker` (a worker's whole run over
//! the frames: decode, classify, shard, verdicts out). `ci/ir.sh` holds `stack`, `classify`
//! and `worker` to the figures in `bench/ir-baseline.txt`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use decoder::map::{parse_map_parameter, OpCode};
use decoder::stack::FrameDecoder;
use decoder::tcap::{parse_tcap_message, Components, Tcap};

const FRAMES: usize = 65_536;

#[inline(never)]
fn pass_tcap(parts: &[&[u8]]) {
    for p in parts {
        let Tcap::Itu(m) = parse_tcap_message(black_box(p)).unwrap() else {
            unreachable!()
        };
        for c in Components::new(&m) {
            black_box(c.unwrap());
        }
    }
}

#[inline(never)]
fn pass_map(parts: &[&[u8]]) {
    for p in parts {
        let Tcap::Itu(m) = parse_tcap_message(p).unwrap() else {
            unreachable!()
        };
        let c = Components::new(&m).next().unwrap().unwrap();
        let op = OpCode(c.op.unwrap().local().unwrap() as u8);
        black_box(parse_map_parameter(op, c.kind, c.parameter.as_ref()).unwrap());
    }
}

#[inline(never)]
fn pass_diameter(messages: &[&[u8]]) {
    for m in messages {
        black_box(decoder::diameter::summarize(black_box(m)).unwrap());
    }
}

#[inline(never)]
fn pass_stack(frames: &[(u64, Vec<u8>)]) {
    bench::decode_frames(&mut FrameDecoder::default(), frames, &mut |_, m| {
        black_box(m);
    });
}

/// Decoding and classifying with a classifier that has seen the frames once already (its
/// tables grown, as in a long run); `ir classify` minus `ir stack` is the classifier's cost.
#[inline(never)]
fn pass_classify(frames: &[(u64, Vec<u8>)], classifier: &mut rules::engine::Classifier<'_>) -> u64 {
    let mut out = rules::engine::Outcome::default();
    bench::decode_frames(&mut FrameDecoder::default(), frames, &mut |ctx, m| {
        classifier.classify(ctx, m, &mut out);
        black_box(&out);
    })
}

fn warm_classifier<'e>(
    frames: &[(u64, Vec<u8>)],
    engine: &'e rules::engine::Engine,
) -> rules::engine::Classifier<'e> {
    let mut classifier = rules::engine::Classifier::new(engine);
    let mut out = rules::engine::Outcome::default();
    bench::decode_frames(&mut FrameDecoder::default(), frames, &mut |ctx, m| {
        classifier.classify(ctx, m, &mut out);
    });
    classifier
}

#[inline(never)]
fn pass_worker(frames: &[(u64, Vec<u8>)], worker: bench::Worker<'_>) {
    worker.run(frames);
}

#[inline(never)]
fn pass_read(path: &str) -> usize {
    let f = std::fs::File::open(path).unwrap();
    let mut r = decoder::capture::CaptureReader::new(std::io::BufReader::new(f)).unwrap();
    let mut n = 0;
    let mut sum = 0u64;
    while let Some(rec) = r.next_record().unwrap() {
        n += 1;
        sum = sum.wrapping_add(rec.data.iter().map(|&b| u64::from(b)).sum::<u64>());
    }
    black_box(sum);
    n
}

fn main() {
    let stage = std::env::args().nth(1).unwrap_or_else(|| "stack".into());
    if stage == "read" {
        let path = std::env::args().nth(2).unwrap();
        let start = std::time::Instant::now();
        let n = pass_read(&path);
        let ns = start.elapsed().as_nanos() as f64 / n as f64;
        eprintln!("read: {n} records, {ns:.1} ns each");
        return;
    }
    let frames = bench::load_frames(FRAMES);
    let tcaps: Vec<&[u8]> = frames
        .iter()
        .filter_map(|(_, f)| bench::layers(f).unwrap().tcap.map(|r| &f[r]))
        .collect();
    let n = match stage.as_str() {
        "tcap" => {
            pass_tcap(&tcaps);
            tcaps.len()
        }
        "map" => {
            pass_map(&tcaps);
            tcaps.len()
        }
        "diameter" => {
            let messages: Vec<&[u8]> = frames
                .iter()
                .filter_map(|(_, f)| {
                    let l = bench::layers(f).unwrap();
                    l.diameter.then(|| &f[l.user])
                })
                .collect();
            pass_diameter(&messages);
            messages.len()
        }
        "stack" => {
            pass_stack(&frames);
            frames.len()
        }
        "classify" => {
            let engine = rules::engine::Engine::new(bench::load_policy().unwrap());
            let mut classifier = warm_classifier(&frames, &engine);
            let messages = pass_classify(&frames, &mut classifier);
            eprintln!("classify: {messages} messages");
            frames.len()
        }
        "worker" => {
            let engine = rules::engine::Engine::new(bench::load_policy().unwrap());
            pass_worker(&frames, bench::Worker::new(&engine));
            frames.len()
        }
        other => panic!("unknown stage {other}"),
    };
    eprintln!("{stage}: {n} items");
}
