//! Diameter over TCP: segments cut from the input, with sequence numbers the input steers
//! (gaps, overlaps, retransmissions), through the stream reassembly of one connection.
#![no_main]

use decoder::link::LinkType;
use decoder::stack::{FrameContext, FrameDecoder, Message};
use libfuzzer_sys::fuzz_target;

fn frame(seq: u32, payload: &[u8], out: &mut Vec<u8>) {
    let total = (40 + payload.len()) as u16;
    out.clear();
    out.extend_from_slice(&[
        0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ]);
    out[2..4].copy_from_slice(&total.to_be_bytes());
    // TCP 40000 -> 3868, ACK|PSH, 20-byte header.
    out.extend_from_slice(&[0x9c, 0x40, 0x0f, 0x1c]);
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
    out.extend_from_slice(payload);
}

fuzz_target!(|data: &[u8]| {
    let mut dec = FrameDecoder::default();
    let mut buf = Vec::with_capacity(1600);
    let mut seq = 1_000u32;
    let mut rest = data;
    let mut k = 0;
    // Segments: a control byte (low 7 bits: length; high bit: jump the sequence number by
    // the next byte, forward or back), then the payload.
    while let Some((&ctl, tail)) = rest.split_first() {
        rest = tail;
        if ctl & 0x80 != 0 {
            if let Some((&jump, tail)) = rest.split_first() {
                rest = tail;
                seq = seq.wrapping_add((jump as i8) as u32);
            }
        }
        let len = usize::from(ctl & 0x7f).min(rest.len());
        let (payload, tail) = rest.split_at(len);
        rest = tail;
        frame(seq, payload, &mut buf);
        seq = seq.wrapping_add(len as u32);
        k += 1;
        let ctx = FrameContext {
            number: k,
            ts_ns: k * 1_000,
        };
        dec.decode(ctx, LinkType::RAW, &buf, &mut |m: &Message<'_>| {
            std::hint::black_box(m);
        });
    }
});
