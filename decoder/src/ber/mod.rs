//! BER (ITU-T X.690 §8) as TCAP and MAP use it: identifiers with long-form tag numbers,
//! definite and indefinite lengths, and a limit on nesting so that crafted input cannot
//! recurse without bound.

use core::fmt;

use nom::number::complete::be_u8;

use crate::error::{fail, take_len, ErrorKind, PResult};

/// How deep indefinite-length encodings may nest. MAP parameters seldom exceed 8 levels.
pub(crate) const MAX_DEPTH: usize = 24;

/// The class bits of an identifier octet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// UNIVERSAL.
    Universal,
    /// APPLICATION.
    Application,
    /// Context-specific.
    Context,
    /// PRIVATE.
    Private,
}

/// One TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The first identifier octet (class, constructed bit, short tag), as ASN.1 tables list it.
    pub identifier: u8,
    /// Class.
    pub(crate) class: Class,
    /// Constructed encoding.
    pub(crate) constructed: bool,
    /// Tag number (long form decoded).
    pub(crate) tag: u32,
    /// The contents (for indefinite length: up to, not including, the end-of-contents octets).
    pub(crate) value: &'a [u8],
    /// The whole encoding: identifier, length, contents and any end-of-contents octets.
    pub raw: &'a [u8],
}

impl Tlv<'_> {}

/// Decode one TLV at the start of `i`.
///
/// Nearly every TLV in TCAP and MAP has a short tag and a definite length in one or two
/// octets; those are read here, inline, and everything else (long tags, longer or indefinite
/// lengths, errors) by the general decoder.
#[inline]
pub fn parse_ber_tlv(i: &[u8]) -> PResult<'_, Tlv<'_>> {
    let (header, len) = match *i {
        [id, l, ..] if id & 0x1f != 0x1f && l < 0x80 => (2, usize::from(l)),
        [id, 0x81, l, ..] if id & 0x1f != 0x1f => (3, usize::from(l)),
        _ => return tlv_general(i),
    };
    let total = header + len;
    if total > i.len() {
        return tlv_general(i);
    }
    let identifier = i[0];
    Ok((
        &i[total..],
        Tlv {
            identifier,
            class: class_of(identifier),
            constructed: identifier & 0x20 != 0,
            tag: u32::from(identifier & 0x1f),
            value: &i[header..total],
            raw: &i[..total],
        },
    ))
}

#[inline]
fn class_of(identifier: u8) -> Class {
    match identifier >> 6 {
        0 => Class::Universal,
        1 => Class::Application,
        2 => Class::Context,
        _ => Class::Private,
    }
}

/// Long tags, long and indefinite lengths, and errors.
#[cold]
#[inline(never)]
fn tlv_general(i: &[u8]) -> PResult<'_, Tlv<'_>> {
    tlv_at_depth(i, 0)
}

fn tlv_at_depth(i: &[u8], depth: usize) -> PResult<'_, Tlv<'_>> {
    let (mut r, identifier) = be_u8(i)?;
    let class = class_of(identifier);
    let constructed = identifier & 0x20 != 0;
    let mut tag = u32::from(identifier & 0x1f);
    if tag == 0x1f {
        // Long form: base-128 digits, high bit set on all but the last; at most 4 (28 bits).
        tag = 0;
        for n in 0.. {
            let (rest, b) = be_u8(r)?;
            r = rest;
            if n == 4 {
                return fail(i, ErrorKind::Invalid("BER tag number longer than 28 bits"));
            }
            tag = tag << 7 | u32::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let (r, l0) = be_u8(r)?;
    let header = i.len() - r.len();
    match l0 {
        0x80 => {
            if !constructed {
                return fail(
                    &i[header - 1..],
                    ErrorKind::Invalid("indefinite length on a primitive encoding"),
                );
            }
            if depth >= MAX_DEPTH {
                return fail(i, ErrorKind::TooDeep);
            }
            // Contents run to the end-of-contents octets at this level (X.690 §8.1.3.6).
            let mut pos = 0;
            loop {
                let rest = &r[pos..];
                if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                    let total = header + pos + 2;
                    return Ok((
                        &i[total..],
                        Tlv {
                            identifier,
                            class,
                            constructed,
                            tag,
                            value: &r[..pos],
                            raw: &i[..total],
                        },
                    ));
                }
                if rest.is_empty() {
                    return fail(
                        rest,
                        ErrorKind::Invalid("indefinite length without end-of-contents"),
                    );
                }
                let (after, _) = tlv_at_depth(rest, depth + 1)?;
                pos = r.len() - after.len();
            }
        }
        0xff => fail(
            &i[header - 1..],
            ErrorKind::Invalid("reserved BER length octet 0xff"),
        ),
        l if l & 0x80 != 0 => {
            let n = usize::from(l & 0x7f);
            if n > 4 {
                return fail(
                    &i[header - 1..],
                    ErrorKind::Invalid("BER length of more than 4 octets"),
                );
            }
            let (_, lb) = take_len(r, n, "encoding")?;
            let len = lb.iter().fold(0usize, |a, &b| a << 8 | usize::from(b));
            let r = &r[n..];
            let (rest, value) = take_len(r, len, "enclosing encoding")?;
            let total = i.len() - rest.len();
            Ok((
                rest,
                Tlv {
                    identifier,
                    class,
                    constructed,
                    tag,
                    value,
                    raw: &i[..total],
                },
            ))
        }
        l => {
            let (rest, value) = take_len(r, usize::from(l), "enclosing encoding")?;
            let total = i.len() - rest.len();
            Ok((
                rest,
                Tlv {
                    identifier,
                    class,
                    constructed,
                    tag,
                    value,
                    raw: &i[..total],
                },
            ))
        }
    }
}

/// The TLVs inside a constructed value, in order. Stops after an error.
#[derive(Debug, Clone)]
pub(crate) struct Tlvs<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Tlvs<'a> {
    /// The TLVs of `value`.
    pub(crate) fn new(value: &'a [u8]) -> Self {
        Tlvs {
            rest: value,
            failed: false,
        }
    }

    /// What is left to read (empty after an error).
    #[cfg(test)]
    pub(crate) fn remaining(&self) -> &'a [u8] {
        if self.failed {
            &[]
        } else {
            self.rest
        }
    }

    /// Go on after `rest`, a tail of [`Tlvs::remaining`] that a caller read past itself.
    #[cfg(test)]
    pub(crate) fn resume(&mut self, rest: &'a [u8]) {
        self.rest = rest;
    }
}

impl<'a> Iterator for Tlvs<'a> {
    type Item = Result<Tlv<'a>, crate::error::PErr>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        match parse_ber_tlv(self.rest) {
            Ok((rest, t)) => {
                self.rest = rest;
                Some(Ok(t))
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                self.failed = true;
                Some(Err(e))
            }
            Err(nom::Err::Incomplete(_)) => {
                self.failed = true;
                Some(Err(crate::error::PErr::at(
                    self.rest,
                    ErrorKind::Truncated {
                        need: 0,
                        have: self.rest.len() as u32,
                    },
                )))
            }
        }
    }
}

/// The first TLV inside `value` with `identifier`, skipping others (and not looking past an
/// undecodable one).
#[inline]
#[cfg(test)]
pub(crate) fn find(value: &[u8], identifier: u8) -> Option<Tlv<'_>> {
    Tlvs::new(value)
        .map_while(Result::ok)
        .find(|t| t.identifier == identifier)
}

/// An INTEGER's value (X.690 §8.3), for 1 to 8 contents octets.
pub(crate) fn integer(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 8 {
        return None;
    }
    let mut n: i64 = if v[0] & 0x80 != 0 { -1 } else { 0 };
    for &b in v {
        n = n << 8 | i64::from(b);
    }
    Some(n)
}

/// An OBJECT IDENTIFIER's contents octets, printed in dotted form.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Oid<'a>(pub &'a [u8]);

impl Oid<'_> {
    /// The arcs, in order (a sub-identifier longer than 64 bits ends the sequence).
    pub fn arcs(&self) -> impl Iterator<Item = u64> + '_ {
        let mut rest = self.0;
        let mut first = true;
        let mut pending: Option<u64> = None;
        core::iter::from_fn(move || {
            if let Some(p) = pending.take() {
                return Some(p);
            }
            let mut v: u64 = 0;
            loop {
                let (&b, r) = rest.split_first()?;
                rest = r;
                if v > (u64::MAX >> 7) {
                    rest = &[];
                    return None;
                }
                v = v << 7 | u64::from(b & 0x7f);
                if b & 0x80 == 0 {
                    break;
                }
            }
            if first {
                first = false;
                let (a, b) = match v {
                    0..=39 => (0, v),
                    40..=79 => (1, v - 40),
                    _ => (2, v - 80),
                };
                pending = Some(b);
                return Some(a);
            }
            Some(v)
        })
    }
}

impl fmt::Display for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, a) in self.arcs().enumerate() {
            if n > 0 {
                f.write_str(".")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Append a TLV with a definite length: short form below 128, else the shortest long form.
pub(crate) fn emit_tlv(out: &mut Vec<u8>, identifier: u8, content: &[u8]) {
    out.push(identifier);
    emit_len(out, content.len());
    out.extend_from_slice(content);
}

/// Append a definite length.
pub(crate) fn emit_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// A TLV as a new vector.
pub(crate) fn tlv(identifier: u8, content: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(content.len() + 4);
    emit_tlv(&mut v, identifier, content);
    v
}

/// The contents octets of an INTEGER (shortest two's complement form).
pub(crate) fn integer_bytes(n: i64) -> Vec<u8> {
    let b = n.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (hi, next) = (b[start], b[start + 1]);
        if (hi == 0 && next & 0x80 == 0) || (hi == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    b[start..].to_vec()
}

/// The contents octets of an OBJECT IDENTIFIER given in dotted form.
pub(crate) fn oid_bytes(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = [0u8; 10];
        let mut n = 0;
        loop {
            tmp[n] = (v & 0x7f) as u8;
            n += 1;
            v >>= 7;
            if v == 0 {
                break;
            }
        }
        for k in (0..n).rev() {
            out.push(tmp[k] | if k > 0 { 0x80 } else { 0 });
        }
    };
    if arcs.len() >= 2 {
        push(arcs[0] * 40 + arcs[1]);
        for &a in &arcs[2..] {
            push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;
    use proptest::prelude::*;

    #[test]
    fn definite_short_and_long_lengths() {
        let (rest, t) = parse_ber_tlv(&hex!("02 01 80 ff")).unwrap();
        assert_eq!(
            (t.identifier, t.tag, t.class, t.value),
            (0x02, 2, Class::Universal, &[0x80][..])
        );
        assert_eq!(rest, &[0xff]);
        let mut long = vec![0x04, 0x81, 200];
        long.extend_from_slice(&[7; 200]);
        let (_, t) = parse_ber_tlv(&long).unwrap();
        assert_eq!(t.value.len(), 200);
        assert_eq!(t.raw.len(), 203);
    }

    #[test]
    fn indefinite_length_nested() {
        // [1] { SEQUENCE (indefinite) { INTEGER 5 } }, then trailing bytes.
        let v = hex!("a1 80 30 80 02 01 05 00 00 00 00 aa");
        let (rest, t) = parse_ber_tlv(&v).unwrap();
        assert_eq!(rest, &[0xaa]);
        assert_eq!(t.value, &hex!("30 80 02 01 05 00 00"));
        let inner = Tlvs::new(t.value).next().unwrap().unwrap();
        assert_eq!(inner.value, &hex!("02 01 05"));
    }

    #[test]
    fn long_form_tag() {
        let (_, t) = parse_ber_tlv(&hex!("9f 81 01 01 07")).unwrap();
        assert_eq!((t.class, t.tag, t.value), (Class::Context, 129, &[7][..]));
    }

    #[test]
    fn malformed_encodings() {
        assert!(parse_ber_tlv(&hex!("04 05 01")).is_err());
        assert!(
            parse_ber_tlv(&hex!("04 80 00 00")).is_err(),
            "indefinite primitive"
        );
        assert!(
            parse_ber_tlv(&hex!("30 80 02 01 05")).is_err(),
            "no end-of-contents"
        );
        assert!(parse_ber_tlv(&hex!("04 85 00 00 00 00 01 00")).is_err());
        assert!(parse_ber_tlv(&hex!("9f ff ff ff ff 01 01 00")).is_err());
        // Nesting beyond the limit fails instead of recursing further.
        let mut deep = Vec::new();
        for _ in 0..(MAX_DEPTH + 2) {
            deep.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..(MAX_DEPTH + 2) {
            deep.extend_from_slice(&[0, 0]);
        }
        let e = parse_ber_tlv(&deep).unwrap_err();
        assert!(matches!(e, nom::Err::Error(p) if p.kind == ErrorKind::TooDeep));
    }

    #[test]
    fn oid_printing_and_encoding() {
        let acn = hex!("04 00 00 01 00 1d 03");
        assert_eq!(Oid(&acn).to_string(), "0.4.0.0.1.0.29.3");
        assert_eq!(oid_bytes("0.4.0.0.1.0.29.3"), acn);
        assert_eq!(
            Oid(&oid_bytes("0.0.17.773.1.1.1")).to_string(),
            "0.0.17.773.1.1.1"
        );
        assert_eq!(Oid(&oid_bytes("2.999.3")).to_string(), "2.999.3");
    }

    proptest! {
        #[test]
        fn integer_round_trip(n in any::<i64>()) {
            prop_assert_eq!(integer(&integer_bytes(n)), Some(n));
        }

        #[test]
        fn tlv_round_trip(id in any::<u8>().prop_filter("short tag", |b| b & 0x1f != 0x1f), content in proptest::collection::vec(any::<u8>(), 0..400)) {
            let v = tlv(id, &content);
            let (rest, t) = parse_ber_tlv(&v).unwrap();
            prop_assert!(rest.is_empty());
            prop_assert_eq!(t.value, &content[..]);
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_ber_tlv(&bytes);
            let _ = Tlvs::new(&bytes).count();
            let _ = Oid(&bytes).to_string();
        }
    }
}
