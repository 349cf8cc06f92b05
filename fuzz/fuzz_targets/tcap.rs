//! TCAP (BER): the message, its dialogue portion and every component.
#![no_main]

use decoder::tcap::{parse_tcap_message, Components, Tcap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Tcap::Itu(m)) = parse_tcap_message(data) {
        for c in Components::new(&m) {
            std::hint::black_box(c.ok());
        }
    }
});
