//! The policy file parser: any text gives a policy or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = rules::policy::Policy::parse("fuzz.toml", text) {
            std::hint::black_box(e.to_string());
        }
    }
});
