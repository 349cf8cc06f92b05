//! Diameter: header, AVPs (grouped, vendor, padding) and the summary sigwatch judges.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = std::hint::black_box(decoder::diameter::summarize(data));
    let _ = std::hint::black_box(decoder::diameter::parse_diameter_message(data));
});
