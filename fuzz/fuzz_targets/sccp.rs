//! SCCP messages (UDT, XUDT, LUDT and their services) and their addresses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = std::hint::black_box(decoder::sccp::parse_sccp_message(data));
});
