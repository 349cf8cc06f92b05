//! SCTP: the packet parser, every chunk, DATA chunks, and reassembly across packets (the
//! input cut into SCTP packets carried in IPv4 over one association).
#![no_main]

use decoder::link::LinkType;
use decoder::sctp::{parse_sctp_data_chunk, parse_sctp_packet};
use decoder::stack::{FrameContext, FrameDecoder, Message};
use libfuzzer_sys::fuzz_target;

/// An IPv4 header for `len` bytes of SCTP from 10.0.0.1 to 10.0.0.2.
fn ipv4(len: usize) -> [u8; 20] {
    let total = (20 + len) as u16;
    let mut h = [
        0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 132, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h
}

fuzz_target!(|data: &[u8]| {
    if let Ok((_, chunks)) = parse_sctp_packet(data) {
        for c in chunks.flatten() {
            let _ = parse_sctp_data_chunk(&c);
        }
    }
    let mut dec = FrameDecoder::default();
    let mut frame = Vec::with_capacity(1600);
    for (k, packet) in data.split(|&b| b == 0xa5).enumerate() {
        frame.clear();
        frame.extend_from_slice(&ipv4(packet.len()));
        frame.extend_from_slice(packet);
        let ctx = FrameContext {
            number: k as u64 + 1,
            ts_ns: k as u64 * 1_000,
        };
        dec.decode(ctx, LinkType::RAW, &frame, &mut |m: &Message<'_>| {
            std::hint::black_box(m);
        });
    }
});
