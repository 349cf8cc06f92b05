//! Judging allocates nothing per message: a counting allocator, armed only around the
//! classifier and the shard's stateful checks, watches them work through siggen's seed
//! scenario (every category, recon windows, travel checks, Diameter consistency) a second
//! time, after a first pass has brought their tables to working size.

#![allow(unsafe_code, clippy::unwrap_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use decoder::link::LinkType;
use decoder::stack::{FrameContext, FrameDecoder, Message};
use rules::engine::{Classifier, Engine, Outcome};
use rules::policy::Policy;
use rules::state::ShardState;
use rules::verdict::Verdict;

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if ARMED.with(Cell::get) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call to the system allocator unchanged; only counts them.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn armed<T>(f: impl FnOnce() -> T) -> T {
    ARMED.with(|a| a.set(true));
    let r = f();
    ARMED.with(|a| a.set(false));
    r
}

/// One pass over the capture, time-shifted by `shift_ns`; returns messages and verdicts.
fn pass(
    engine: &Engine,
    classifier: &mut Classifier<'_>,
    shard: &mut ShardState,
    frames: &[(u64, Vec<u8>)],
    shift_ns: u64,
    verdicts: &mut Vec<Verdict>,
) -> u64 {
    // A fresh decoder (the same frames again would be retransmissions to the old one); it is
    // not what this test watches.
    let mut decoder = FrameDecoder::default();
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(64);
    let mut messages = 0;
    for (k, (ts, f)) in frames.iter().enumerate() {
        let ctx = FrameContext {
            number: k as u64 + 1,
            ts_ns: ts + shift_ns,
        };
        outcomes.clear();
        decoder.decode(ctx, LinkType::ETHERNET, f, &mut |m: &Message<'_>| {
            let mut o = Outcome::default();
            armed(|| classifier.classify(ctx, m, &mut o));
            outcomes.push(o);
        });
        messages += outcomes.len() as u64;
        armed(|| {
            for o in &outcomes {
                verdicts.extend(o.verdict);
                verdicts.extend(o.evasion);
                for j in &o.jobs {
                    shard.apply(engine, j, &mut |v| verdicts.push(v));
                }
            }
            shard.advance(engine, ctx.ts_ns, &mut |v| verdicts.push(v));
        });
    }
    messages
}

#[test]
fn classifying_and_judging_allocate_nothing_per_message() {
    let capture = siggen::scenario::seed(21, 1);
    let policy = Policy::parse("siggen.toml", &capture.policy).unwrap();
    let engine = Engine::new(policy);
    let mut classifier = Classifier::new(&engine);
    let mut shard = ShardState::new(&engine, 1);
    // Room for every verdict of both passes, so that collecting them allocates nothing.
    let mut verdicts = Vec::with_capacity(4 * capture.truth.len());

    let day = 86_400 * 1_000_000_000;
    let warm = pass(
        &engine,
        &mut classifier,
        &mut shard,
        &capture.frames,
        0,
        &mut verdicts,
    );
    let first = verdicts.len();
    ALLOCS.store(0, Ordering::Relaxed);
    let measured = pass(
        &engine,
        &mut classifier,
        &mut shard,
        &capture.frames,
        2 * day,
        &mut verdicts,
    );
    let allocs = ALLOCS.load(Ordering::Relaxed);

    assert_eq!(warm, measured);
    assert!(measured > 20_000, "{measured} messages");
    // The second pass judged as much as the first: the test watched real work.
    let second = verdicts.len() - first;
    assert!(
        first > 1_000 && second * 10 > first * 9,
        "{first} then {second} verdicts"
    );
    assert_eq!(
        allocs, 0,
        "{allocs} allocations while judging {measured} messages"
    );
}
