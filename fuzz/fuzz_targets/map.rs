//! GSM MAP parameters: operation code and component type from the first two bytes.
#![no_main]

use decoder::map::{parse_map_parameter, OpCode};
use decoder::tcap::ComponentKind;
use libfuzzer_sys::fuzz_target;

const KINDS: [ComponentKind; 5] = [
    ComponentKind::Invoke,
    ComponentKind::ReturnResultLast,
    ComponentKind::ReturnResult,
    ComponentKind::ReturnError,
    ComponentKind::Reject,
];

fuzz_target!(|data: &[u8]| {
    let [op, kind, rest @ ..] = data else {
        return;
    };
    let kind = KINDS[usize::from(*kind) % KINDS.len()];
    // The parameter is one BER element, as a component carries it.
    let param = decoder::ber::parse_ber_tlv(rest).ok().map(|(_, t)| t);
    let _ = std::hint::black_box(parse_map_parameter(OpCode(*op), kind, param.as_ref()));
});
