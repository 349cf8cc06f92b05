//! The decoder: every layer alone on siggen's frames, the whole stack, and Diameter over TCP
//! with its stream reassembly.
//!
//! `cargo bench -p bench --bench decode`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use bench::{layers, Layers};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use decoder::link::parse_link_ethernet;
use decoder::m3ua::{parse_m3ua_message, parse_m3ua_transfer};
use decoder::map::{parse_map_parameter, OpCode};
use decoder::sccp::parse_sccp_message;
use decoder::sctp::{parse_sctp_data_chunk, parse_sctp_packet};
use decoder::stack::{FrameContext, FrameDecoder, Message};
use decoder::tcap::{parse_tcap_message, Components, Tcap};

/// Frames per measured iteration.
const FRAMES: usize = 65_536;

struct Input {
    frames: Vec<(u64, Vec<u8>)>,
    layers: Vec<Layers>,
}

fn input() -> Input {
    let frames = bench::load_frames(FRAMES);
    let layers = frames.iter().map(|(_, f)| layers(f).unwrap()).collect();
    Input { frames, layers }
}

/// Bench `f` over the `range` of every frame that has that layer.
fn layer<'i>(
    c: &mut Criterion,
    name: &str,
    input: &'i Input,
    range: impl Fn(&Layers) -> Option<std::ops::Range<usize>>,
    f: impl Fn(&'i [u8]),
) {
    let parts: Vec<&'i [u8]> = input
        .frames
        .iter()
        .zip(&input.layers)
        .filter_map(|((_, fr), l)| range(l).map(|r| &fr[r]))
        .collect();
    let bytes: usize = parts.iter().map(|p| p.len()).sum();
    let mut g = c.benchmark_group("layer");
    g.throughput(Throughput::Elements(parts.len() as u64));
    g.bench_function(name, |b| {
        b.iter(|| {
            for p in &parts {
                f(black_box(p));
            }
        })
    });
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("{name}_bytes"), |b| {
        b.iter(|| {
            for p in &parts {
                f(black_box(p));
            }
        })
    });
    g.finish();
}

fn layers_alone(c: &mut Criterion) {
    let input = input();
    let whole: Vec<&[u8]> = input.frames.iter().map(|(_, f)| f.as_slice()).collect();
    let mut g = c.benchmark_group("layer");
    g.throughput(Throughput::Elements(whole.len() as u64));
    g.bench_function("ethernet", |b| {
        b.iter(|| {
            for f in &whole {
                black_box(parse_link_ethernet(black_box(f)).unwrap());
            }
        })
    });
    g.finish();
    layer(
        c,
        "ipv4",
        &input,
        |l| Some(l.ip.clone()),
        |p| {
            black_box(decoder::ip::parse_ipv4_packet(p).unwrap());
        },
    );
    layer(
        c,
        "sctp",
        &input,
        |l| Some(l.sctp.clone()),
        |p| {
            let (_, mut chunks) = parse_sctp_packet(p).unwrap();
            let chunk = chunks.next().unwrap().unwrap();
            black_box(parse_sctp_data_chunk(&chunk).unwrap());
        },
    );
    layer(
        c,
        "m3ua",
        &input,
        |l| (!l.diameter).then(|| l.user.clone()),
        |p| {
            let (_, m) = parse_m3ua_message(p).unwrap();
            black_box(parse_m3ua_transfer(&m).unwrap());
        },
    );
    layer(
        c,
        "sccp",
        &input,
        |l| l.sccp.clone(),
        |p| {
            black_box(parse_sccp_message(p).unwrap());
        },
    );
    layer(
        c,
        "tcap",
        &input,
        |l| l.tcap.clone(),
        |p| {
            let Tcap::Itu(m) = parse_tcap_message(p).unwrap() else {
                unreachable!()
            };
            for comp in Components::new(&m) {
                black_box(comp.unwrap());
            }
        },
    );
    // MAP alone: the parameter of each component, found once beforehand.
    let params: Vec<_> = input
        .frames
        .iter()
        .zip(&input.layers)
        .filter_map(|((_, f), l)| l.tcap.clone().map(|r| &f[r]))
        .filter_map(|t| {
            let Tcap::Itu(m) = parse_tcap_message(t).ok()? else {
                return None;
            };
            let c = Components::new(&m).next()?.ok()?;
            let op = OpCode(u8::try_from(c.op?.local()?).ok()?);
            Some((op, c))
        })
        .collect();
    let mut g = c.benchmark_group("layer");
    g.throughput(Throughput::Elements(params.len() as u64));
    g.bench_function("map", |b| {
        b.iter(|| {
            for (op, comp) in &params {
                black_box(parse_map_parameter(*op, comp.kind, comp.parameter.as_ref()).unwrap());
            }
        })
    });
    g.finish();
    layer(
        c,
        "diameter",
        &input,
        |l| l.diameter.then(|| l.user.clone()),
        |p| {
            black_box(decoder::diameter::summarize(p).unwrap());
        },
    );
}

fn full_stack(c: &mut Criterion) {
    let frames = bench::load_frames(FRAMES);
    let bytes: usize = frames.iter().map(|(_, f)| f.len()).sum();
    let mut g = c.benchmark_group("stack");
    for (what, throughput) in [
        ("decode", Throughput::Elements(FRAMES as u64)),
        ("decode_bytes", Throughput::Bytes(bytes as u64)),
    ] {
        g.throughput(throughput);
        g.bench_function(what, |b| {
            // A fresh decoder each time: the frames' TSNs would otherwise be seen again.
            b.iter_batched_ref(
                FrameDecoder::default,
                |dec| {
                    let n = bench::decode_frames(dec, &frames, &mut |_, m| {
                        black_box(m);
                    });
                    assert_eq!(n, FRAMES as u64);
                },
                BatchSize::PerIteration,
            );
        });
    }
    g.finish();
}

fn diameter_over_tcp(c: &mut Criterion) {
    let frames = bench::diameter_tcp_frames(16_384);
    let messages = 16_384u64;
    let mut g = c.benchmark_group("stack");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("diameter_tcp_reassembly", |b| {
        b.iter_batched_ref(
            FrameDecoder::default,
            |dec| {
                let mut n = 0u64;
                for (i, f) in frames.iter().enumerate() {
                    let ctx = FrameContext {
                        number: i as u64 + 1,
                        ts_ns: i as u64,
                    };
                    dec.decode(ctx, bench::LINK, f, &mut |m: &Message<'_>| {
                        black_box(m);
                        n += 1;
                    });
                }
                assert_eq!(n, messages);
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

criterion_group!(benches, layers_alone, full_stack, diameter_over_tcp);
criterion_main!(benches);
