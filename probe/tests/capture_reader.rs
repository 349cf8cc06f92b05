//! Classic pcap is read by hand (`decoder::capture`); everything else by `pcap-parser`. Here the
//! two readers meet on the same bytes: the public captures, siggen's seed and load captures,
//! and each of those cut short at many lengths. They must give the same records, in the same
//! order, with the same capture times, and agree on whether the file ended inside a record.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Cursor;

use decoder::capture::{CaptureError, CaptureReader};

type Rec = (u64, u32, u32, Vec<u8>);

/// Every record, whether the tail was cut, and the error that ended the reading if one did.
fn read(r: Result<CaptureReader<Cursor<Vec<u8>>>, CaptureError>) -> (Vec<Rec>, bool, String) {
    let mut r = match r {
        Ok(r) => r,
        Err(e) => return (Vec::new(), false, e.to_string()),
    };
    let mut out = Vec::new();
    loop {
        match r.next_record() {
            Ok(Some(rec)) => out.push((rec.ts_ns, rec.linktype.0, rec.orig_len, rec.data.to_vec())),
            Ok(None) => return (out, r.truncated_tail(), String::new()),
            Err(e) => return (out, r.truncated_tail(), e.to_string()),
        }
    }
}

fn is_classic(bytes: &[u8]) -> bool {
    matches!(
        bytes.get(..4),
        Some([0xd4, 0xc3, 0xb2, 0xa1] | [0xa1, 0xb2, 0xc3, 0xd4] | [0x4d, 0x3c, 0xb2, 0xa1])
    )
}

fn same(what: &str, bytes: &[u8]) -> usize {
    let ours = read(CaptureReader::new(Cursor::new(bytes.to_vec())));
    let general = read(CaptureReader::with_general_parser(Cursor::new(
        bytes.to_vec(),
    )));
    assert_eq!(ours.0.len(), general.0.len(), "{what}: record count");
    for (i, (a, b)) in ours.0.iter().zip(&general.0).enumerate() {
        assert_eq!(a, b, "{what}: record {}", i + 1);
    }
    assert_eq!(ours.1, general.1, "{what}: cut short or not");
    assert_eq!(ours.2, general.2, "{what}: the error");
    ours.0.len()
}

/// The file whole, then cut inside its header, inside the first records and at a spread of
/// lengths through the rest.
fn same_whole_and_cut(what: &str, bytes: &[u8]) -> usize {
    let n = same(what, bytes);
    let mut cuts: Vec<usize> = (0..200.min(bytes.len())).collect();
    let step = (bytes.len() / 97).max(1);
    cuts.extend((0..bytes.len()).step_by(step));
    for cut in cuts {
        same(&format!("{what} cut at {cut}"), &bytes[..cut]);
    }
    n
}

#[test]
fn public_captures_read_alike() {
    let Some(captures) = common::public_captures("capture_reader::public_captures_read_alike")
    else {
        return;
    };
    let mut classic = 0;
    for p in captures {
        let bytes = std::fs::read(&p).unwrap();
        let n = same_whole_and_cut(&p.display().to_string(), &bytes);
        assert!(n > 0, "{}: no records", p.display());
        classic += usize::from(is_classic(&bytes));
    }
    // The comparison means something only if the hand-written path ran.
    assert!(classic >= 10, "only {classic} classic pcap files compared");
}

#[test]
fn siggen_captures_read_alike() {
    let mut seed = Vec::new();
    siggen::scenario::seed(3, 1).write_pcap(&mut seed).unwrap();
    assert!(is_classic(&seed));
    assert!(same_whole_and_cut("seed scenario", &seed) > 1000);

    // Larger than the read buffer, so records straddle refills.
    let mut load = Vec::new();
    siggen::load::Load::new(5, 1_000)
        .write_pcap(12_000, &mut load)
        .unwrap();
    assert!(load.len() > 2 * decoder::capture::BUFFER);
    assert_eq!(same("load", &load), 12_000);
}

#[test]
fn big_endian_nanosecond_and_oversized_records_read_alike() {
    // Hand-built: big-endian nanosecond pcap with a record larger than the read buffer and
    // a record header claiming more than any buffer may hold.
    let mut v = Vec::new();
    v.extend_from_slice(&0xa1b2_3c4d_u32.to_be_bytes());
    v.extend_from_slice(&2u16.to_be_bytes());
    v.extend_from_slice(&4u16.to_be_bytes());
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&u32::MAX.to_be_bytes());
    v.extend_from_slice(&1u32.to_be_bytes());
    let record = |v: &mut Vec<u8>, s: u32, ns: u32, data: &[u8]| {
        v.extend_from_slice(&s.to_be_bytes());
        v.extend_from_slice(&ns.to_be_bytes());
        v.extend_from_slice(&(data.len() as u32).to_be_bytes());
        v.extend_from_slice(&(data.len() as u32 + 4).to_be_bytes());
        v.extend_from_slice(data);
    };
    record(&mut v, 7, 999_999_999, b"small");
    let big: Vec<u8> = (0..decoder::capture::BUFFER + 4321)
        .map(|i| i as u8)
        .collect();
    record(&mut v, 8, 1, &big);
    record(&mut v, 9, 2, b"after");
    assert_eq!(same("big-endian ns", &v), 3);
    let (recs, _, _) = read(CaptureReader::new(Cursor::new(v.clone())));
    assert_eq!(recs[0].0, 7_999_999_999);
    assert_eq!(recs[1].3, big);

    // A record header claiming 2 GB: an error naming the record count, from both.
    let mut bad = v[..24].to_vec();
    bad.extend_from_slice(&1u32.to_be_bytes());
    bad.extend_from_slice(&0u32.to_be_bytes());
    bad.extend_from_slice(&0x8000_0000_u32.to_be_bytes());
    bad.extend_from_slice(&0x8000_0000_u32.to_be_bytes());
    bad.extend_from_slice(&[0; 64]);
    let (recs, _, err) = read(CaptureReader::new(Cursor::new(bad)));
    assert!(recs.is_empty());
    assert!(err.contains("after record 0"), "{err}");
}
