//! The whole frame path: one decoder fed several frames cut from the input (so that SCTP, TCP,
//! IP and SCCP reassembly all see sequences), under a link type chosen by the first byte.
#![no_main]

use decoder::link::LinkType;
use decoder::stack::{FrameContext, FrameDecoder, Message};
use libfuzzer_sys::fuzz_target;

const LINKS: [LinkType; 5] = [
    LinkType::ETHERNET,
    LinkType::RAW,
    LinkType::LINUX_SLL,
    LinkType::LINUX_SLL2,
    LinkType::NULL,
];

fuzz_target!(|data: &[u8]| {
    let Some((&link, mut rest)) = data.split_first() else {
        return;
    };
    let link = LINKS[usize::from(link) % LINKS.len()];
    let mut dec = FrameDecoder::default();
    let mut number = 0;
    // Frames: a length byte pair, then that many bytes.
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let frame = &rest[2..2 + len];
        rest = &rest[2 + len..];
        number += 1;
        let ctx = FrameContext {
            number,
            ts_ns: number * 1_000_000,
        };
        dec.decode(ctx, link, frame, &mut |m: &Message<'_>| {
            std::hint::black_box(m);
        });
    }
});
