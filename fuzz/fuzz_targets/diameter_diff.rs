//! Differential: sigwatch's Diameter summary against sawp-diameter (a parser built for network
//! sensors, written elsewhere). On any message both accept — sawp without error flags — the
//! header fields and the Origin-Host/-Realm, Destination-Realm and User-Name they report agree.
//!
//! sawp keeps its fields private; its derived `Debug` output is read instead.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sawp::parser::{Direction, Parse};
use sawp_diameter::Diameter;

/// The number after `name: ` in a Debug rendering.
fn number(debug: &str, name: &str) -> Option<u64> {
    let at = debug.find(&format!("{name}: "))? + name.len() + 2;
    let digits: String = debug[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The string value of the first top-level AVP with code `raw`, as sawp renders it.
fn avp_string(avps: &[String], raw: u32) -> Option<String> {
    // The base-protocol AVP: a vendor-specific AVP with the same code is another AVP.
    let avp = avps.iter().find(|a| {
        a.starts_with(&format!("AVP {{ attribute: Attribute {{ raw: {raw},"))
            && a.contains("vendor_id: None")
    })?;
    let at = avp.find("value: ")? + 7;
    let value = &avp[at..];
    let open = value.find("(\"")? + 2;
    let close = value.rfind("\"), padding")?;
    Some(value[open..close].to_owned())
}

fuzz_target!(|data: &[u8]| {
    let Ok(ours) = decoder::diameter::summarize(data) else {
        return;
    };
    let Ok((_, Some(theirs))) = Diameter {}.parse(data, Direction::Unknown) else {
        return;
    };
    if !theirs.error_flags.is_empty() {
        return;
    }
    let h = format!("{:?}", theirs.header);
    let o = ours.header;
    assert_eq!(number(&h, "code"), Some(u64::from(o.cmd.0)), "{h}");
    assert_eq!(number(&h, "app_id"), Some(u64::from(o.app.0)), "{h}");
    assert_eq!(number(&h, "hop_id"), Some(u64::from(o.hbh)), "{h}");
    assert_eq!(number(&h, "end_id"), Some(u64::from(o.e2e)), "{h}");
    assert_eq!(number(&h, "length"), Some(u64::from(o.length)), "{h}");
    assert_eq!(theirs.header.is_request(), o.is_request(), "{h}");
    let avps: Vec<String> = theirs.avps.iter().map(|a| format!("{a:?}")).collect();
    // Strings that sawp's Debug renders as they are (printable ASCII) are compared.
    for (raw, mine) in [
        (264, ours.origin_host),
        (296, ours.origin_realm),
        (283, ours.dest_realm),
        (1, ours.user_name),
    ] {
        let (Some(mine), Some(theirs)) = (mine, avp_string(&avps, raw)) else {
            continue;
        };
        let Ok(mine) = std::str::from_utf8(mine) else {
            continue;
        };
        // Debug escapes quotes, backslashes and anything beyond printable ASCII.
        if !mine.bytes().all(|b| b.is_ascii_graphic() || b == b' ') || mine.contains(['"', '\\']) {
            continue;
        }
        assert_eq!(mine, theirs, "AVP {raw}");
    }
});
