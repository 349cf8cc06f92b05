//! pcap and pcapng reading: every record of the input as a file. Classic pcap is read by hand
//! and everything else by `pcap-parser`; on every input the two must give the same records.
//! How they end may differ in one case: a record header claiming more than any buffer may
//! hold is an error here, and a cut-short file to `pcap-parser` when the input ends first.
#![no_main]

use decoder::capture::CaptureReader;
use libfuzzer_sys::fuzz_target;

type Rec = (u64, u32, u32, Vec<u8>);

/// The records, and how the reading ended: `Some(cut short)`, or `None` for an error.
fn records(
    r: Option<CaptureReader<std::io::Cursor<Vec<u8>>>>,
    len: usize,
) -> (Vec<Rec>, Option<bool>) {
    let Some(mut r) = r else {
        return (Vec::new(), None);
    };
    let mut out = Vec::new();
    // A record is at least a header long, so the reader must end within this many.
    for _ in 0..=len {
        match r.next_record() {
            Ok(Some(rec)) => out.push((rec.ts_ns, rec.linktype.0, rec.orig_len, rec.data.to_vec())),
            Ok(None) => return (out, Some(r.truncated_tail())),
            Err(_) => return (out, None),
        }
    }
    panic!("more records than bytes: the reader does not advance");
}

fuzz_target!(|data: &[u8]| {
    let ours = records(
        CaptureReader::new(std::io::Cursor::new(data.to_vec())).ok(),
        data.len(),
    );
    let general = records(
        CaptureReader::with_general_parser(std::io::Cursor::new(data.to_vec())).ok(),
        data.len(),
    );
    assert_eq!(
        ours.0, general.0,
        "the classic pcap reader and pcap-parser disagree"
    );
    if let (Some(a), Some(b)) = (ours.1, general.1) {
        assert_eq!(
            a, b,
            "the readers disagree on whether the file was cut short"
        );
    }
});
