//! Hostile captures through `sigwatch replay`: siggen's seed traffic with bit flips, inserted
//! bytes, cut frames and wrong lengths at every layer (IPv4, SCTP, M3UA, SCCP, TCAP, Diameter),
//! and a record cut short at the end of the file. No panic, every frame accounted for,
//! malformed frames counted by the layer that broke.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use decoder::link::parse_link_ethernet;
use decoder::m3ua::{parse_m3ua_message, parse_m3ua_transfer};
use decoder::sccp::{parse_sccp_message, Message as Sccp};
use decoder::sctp::{parse_sctp_data_chunk, parse_sctp_packet, Ppid};

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn range(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

/// Where each layer's length field is in a frame: (layer, offset, width).
fn length_fields(f: &[u8]) -> Vec<(&'static str, usize, usize)> {
    let mut out = Vec::new();
    let Ok(l) = parse_link_ethernet(f) else {
        return out;
    };
    let ip = range(f, l.payload);
    out.push(("ipv4", ip.start + 2, 2));
    let Ok(p) = decoder::ip::parse_ipv4_packet(l.payload) else {
        return out;
    };
    let Ok((_, mut chunks)) = parse_sctp_packet(p.payload) else {
        return out;
    };
    let sctp = range(f, p.payload);
    // The first chunk's length.
    out.push(("sctp", sctp.start + 12 + 2, 2));
    let Some(Ok(chunk)) = chunks.next() else {
        return out;
    };
    let Ok(d) = parse_sctp_data_chunk(&chunk) else {
        return out;
    };
    let user = range(f, d.data);
    if d.ppid == Ppid::DIAMETER {
        out.push(("diameter", user.start + 1, 3));
        return out;
    }
    out.push(("m3ua", user.start + 4, 4));
    let Ok((_, m)) = parse_m3ua_message(d.data) else {
        return out;
    };
    let Ok(t) = parse_m3ua_transfer(&m) else {
        return out;
    };
    let sccp = range(f, t.data.data);
    // UDT: the first variable part's pointer.
    out.push(("sccp", sccp.start + 2, 1));
    if let Ok(Sccp::Unitdata(u)) = parse_sccp_message(t.data.data) {
        let tcap = range(f, u.data);
        out.push(("tcap", tcap.start + 1, 1));
    }
    out
}

fn mutate(rng: &mut Rng, f: &mut Vec<u8>, k: usize) {
    match k % 5 {
        0 => {}
        1 => {
            let i = rng.below(f.len());
            f[i] ^= 1 << rng.below(8);
        }
        2 => {
            let i = rng.below(f.len() + 1);
            f.insert(i, rng.next() as u8);
        }
        3 => {
            let n = rng.below(f.len());
            f.truncate(n);
        }
        _ => {
            let fields = length_fields(f);
            if fields.is_empty() {
                return;
            }
            let (_, at, width) = fields[rng.below(fields.len())];
            for b in &mut f[at..at + width] {
                *b = rng.next() as u8;
            }
        }
    }
}

#[test]
fn mutated_captures_never_panic_and_every_frame_is_counted() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutations");
    std::fs::create_dir_all(&dir).unwrap();
    let cap = siggen::scenario::seed(12, 1);
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, &cap.policy).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let pcap = dir.join("mutated.pcap");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    siggen::pcap::write_header(&mut w).unwrap();
    let mut layers_hit: BTreeMap<&str, u64> = BTreeMap::new();
    for (k, (ts, f)) in cap.frames.iter().enumerate() {
        let mut f = f.clone();
        if k % 5 == 4 {
            for (layer, _, _) in length_fields(&f) {
                *layers_hit.entry(layer).or_default() += 1;
            }
        }
        mutate(&mut rng, &mut f, k);
        siggen::pcap::write_record(&mut w, *ts, &f).unwrap();
    }
    // A last record whose header promises more bytes than the file holds.
    let mut cut = Vec::new();
    siggen::pcap::write_record(&mut cut, cap.frames[0].0, &cap.frames[0].1).unwrap();
    std::io::Write::write_all(&mut w, &cut[..cut.len() / 2]).unwrap();
    drop(w);
    assert!(layers_hit.len() >= 5, "length fields found: {layers_hit:?}");

    for workers in [1, 2] {
        let report = dir.join(format!("report-{workers}.json"));
        let r = common::replay_report(
            &pcap,
            &policy,
            &["--workers", &workers.to_string()],
            &report,
        );
        let t = &r["totals"];
        let n = |k: &str| t[k].as_u64().unwrap();
        assert_eq!(n("frames"), cap.frames.len() as u64, "{t}");
        common::assert_accounted(&r, &format!("{workers} workers"));
        assert_eq!(r["capture"]["truncated_records"].as_u64(), Some(1));
        let by_layer: BTreeMap<String, u64> =
            serde_json::from_value(r["malformed_by_layer"].clone()).unwrap();
        // A fifth of the frames carry a wrong length somewhere; several layers must say so.
        for layer in ["ipv4", "sctp", "m3ua", "sccp", "tcap", "diameter"] {
            assert!(
                by_layer.get(layer).copied().unwrap_or(0) > 0,
                "{workers} workers: no malformed {layer}: {by_layer:?}"
            );
        }
        assert!(n("malformed") > cap.frames.len() as u64 / 20, "{t}");
    }
}
