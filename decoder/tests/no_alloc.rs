//! The decode path allocates nothing per frame: a counting global allocator watches a warm
//! decoder work through every kind of frame the stack handles, many times over.

#![allow(unsafe_code, clippy::unwrap_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use decoder::stack::{FrameContext, FrameDecoder, Message};

mod frames;

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts them.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn steady_state_decoding_allocates_nothing() {
    // Every frame is built before counting starts.
    let warm: Vec<_> = (0..50).flat_map(frames::round).collect();
    let measured: Vec<_> = (50..1050).flat_map(frames::round).collect();
    let mut d = FrameDecoder::default();
    let run = |d: &mut FrameDecoder, set: &[(decoder::link::LinkType, Vec<u8>)]| {
        let mut seen = 0u64;
        for (k, (lt, f)) in set.iter().enumerate() {
            let ctx = FrameContext {
                number: k as u64 + 1,
                ts_ns: k as u64 * 1_000_000,
            };
            d.decode(ctx, *lt, f, &mut |m: &Message<'_>| {
                seen += 1;
                std::hint::black_box(m);
            });
        }
        seen
    };
    // Warm up: reassembly tables and buffers reach their working size.
    run(&mut d, &warm);
    let before = ALLOCS.load(Ordering::Relaxed);
    let seen = run(&mut d, &measured);
    let after = ALLOCS.load(Ordering::Relaxed);
    // Every kind decoded: 12 messages a round (see `frames::round`).
    assert_eq!(seen, 12 * 1000);
    assert_eq!(
        after - before,
        0,
        "{} allocations while decoding {} frames",
        after - before,
        measured.len()
    );
}
