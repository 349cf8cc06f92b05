//! Bad input never panics: every frame kind cut at every length and with every byte changed,
//! plus random mutations. A frame cut short of its IP length is always malformed.

#![allow(clippy::unwrap_used, clippy::panic)]

use decoder::stack::{FrameClass, FrameContext, FrameDecoder, Message};
use proptest::prelude::*;

mod frames;

fn decode(d: &mut FrameDecoder, lt: decoder::link::LinkType, f: &[u8]) -> FrameClass {
    d.decode(FrameContext::default(), lt, f, &mut |m: &Message<'_>| {
        std::hint::black_box(m);
    })
    .class
}

#[test]
fn every_truncation() {
    for (lt, f) in frames::round(1) {
        let mut d = FrameDecoder::default();
        for cut in 0..f.len() {
            let class = decode(&mut d, lt, &f[..cut]);
            // Below the Ethernet header, or inside an IP packet: the frame is malformed.
            if cut < 14 || (cut > 14 && f.len() > 60) {
                assert!(
                    matches!(class, FrameClass::Malformed(_)),
                    "cut at {cut} of {}: {class:?}",
                    f.len()
                );
            }
        }
    }
}

#[test]
fn every_byte_changed() {
    for (lt, f) in frames::round(2) {
        let mut d = FrameDecoder::default();
        for pos in 0..f.len() {
            for v in [0x00, 0xff, f[pos] ^ 0x80, f[pos].wrapping_add(1)] {
                let mut g = f.clone();
                g[pos] = v;
                let _ = decode(&mut d, lt, &g);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_mutations(k in 0usize..15, edits in proptest::collection::vec((any::<u16>(), any::<u8>(), 0u8..3), 1..8)) {
        let set = frames::round(3);
        let (lt, f) = &set[k % set.len()];
        let mut g = f.clone();
        for (pos, byte, op) in edits {
            let pos = usize::from(pos) % (g.len() + 1);
            match op {
                0 if pos < g.len() => g[pos] = byte,
                1 => g.insert(pos, byte),
                _ if pos < g.len() => { g.remove(pos); }
                _ => {}
            }
        }
        let mut d = FrameDecoder::default();
        let _ = decode(&mut d, *lt, &g);
    }
}
