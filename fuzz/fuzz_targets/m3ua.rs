//! M3UA messages and DATA's Protocol Data.
#![no_main]

use decoder::m3ua::{parse_m3ua_message, parse_m3ua_transfer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_, m)) = parse_m3ua_message(data) {
        let _ = std::hint::black_box(parse_m3ua_transfer(&m));
    }
});
