//! pcap and pcapng reading: every record of the input as a file.
#![no_main]

use decoder::capture::CaptureReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut r) = CaptureReader::new(std::io::Cursor::new(data.to_vec())) else {
        return;
    };
    // A record is at least a header long, so the reader must end within this many.
    for _ in 0..=data.len() {
        match r.next_record() {
            Ok(Some(rec)) => {
                std::hint::black_box(rec.data);
            }
            Ok(None) | Err(_) => return,
        }
    }
    panic!("more records than bytes: the reader does not advance");
});
