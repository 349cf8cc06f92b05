use super::{
    param, Address, GlobalTitle, Message, MessageType, Segmentation, Ssn, Unitdata,
    MAX_OPTIONAL_PARAMS,
};
use crate::error::{cut_at, exceeds, DecodeError, ErrorKind, Layer, PErr, PResult};

/// Decode an SCCP message (Q.713 §4): UDT, UDTS, XUDT, XUDTS, LUDT and LUDTS whole; other
/// types are only named. Error offsets count from the message type octet.
#[inline]
pub fn parse_sccp_message(i: &[u8]) -> Result<Message<'_>, DecodeError> {
    let Some(&t) = i.first() else {
        return Err(cut_at(Layer::Sccp, 0, 0));
    };
    let kind = MessageType(t);
    let (long, service, extended) = match kind {
        MessageType::UDT => (false, false, false),
        MessageType::UDTS => (false, true, false),
        MessageType::XUDT => (false, false, true),
        MessageType::XUDTS => (false, true, true),
        MessageType::LUDT => (true, false, true),
        MessageType::LUDTS => (true, true, true),
        _ => return Ok(Message::Other(kind)),
    };
    // Protocol class or return cause, then the hop counter (extended types), then a pointer
    // to each parameter: one octet each (UDT, XUDT), two LSB first (LUDT, Q.713 §2.3).
    let Some(&class_or_cause) = i.get(1) else {
        return Err(cut_at(Layer::Sccp, i.len(), 1));
    };
    let hop_counter = if extended {
        let Some(&h) = i.get(2) else {
            return Err(cut_at(Layer::Sccp, i.len(), 2));
        };
        Some(h)
    } else {
        None
    };
    let first = if extended { 3 } else { 2 };
    let width = if long { 2 } else { 1 };
    let pointers = if extended { 4 } else { 3 };
    // Where each parameter's length indicator is: a one-octet pointer counts from itself, a
    // two-octet one from its more significant (second) octet, as Q.713 §2.3 has it and
    // tshark and pycrate read it. An optional part's pointer may be 0 (none).
    let mut targets = [0usize; 4];
    for (k, target) in targets.iter_mut().enumerate().take(pointers) {
        let at = first + k * width;
        let p = match (long, i.get(at..at + width)) {
            (false, Some(&[p])) => usize::from(p),
            (true, Some(&[lo, hi])) => usize::from(u16::from_le_bytes([lo, hi])),
            _ => return Err(cut_at(Layer::Sccp, i.len(), at)),
        };
        if p == 0 && k < 3 {
            return Err(DecodeError::new(
                Layer::Sccp,
                ErrorKind::Invalid("mandatory parameter pointer is 0"),
                at,
            ));
        }
        *target = if p == 0 { 0 } else { at + width - 1 + p };
    }
    let (called_raw, called_at) = variable(i, targets[0], false)?;
    let (calling_raw, calling_at) = variable(i, targets[1], false)?;
    let (data, data_offset) = variable(i, targets[2], long)?;
    let called = address(called_raw)
        .map_err(|e| located(e, called_at, called_raw.len()))?
        .1;
    let calling = address(calling_raw)
        .map_err(|e| located(e, calling_at, calling_raw.len()))?
        .1;
    let segmentation = match targets[3] {
        0 => None,
        at => optional(i, at)?,
    };
    Ok(Message::Unitdata(Unitdata {
        kind,
        protocol_class: (!service).then_some(class_or_cause),
        return_cause: service.then_some(class_or_cause),
        hop_counter,
        called,
        calling,
        data,
        data_offset,
        segmentation,
        calling_raw,
    }))
}

/// The value of the variable parameter whose length indicator (two octets LSB first when
/// `wide`) is at `at`, and where the value starts.
#[inline(always)]
fn variable(i: &[u8], at: usize, wide: bool) -> Result<(&[u8], usize), DecodeError> {
    if at >= i.len() {
        return Err(exceeds(
            Layer::Sccp,
            at,
            i.len(),
            "message (pointer)",
            i.len(),
        ));
    }
    let (len, start) = match (wide, &i[at..]) {
        (false, &[l, ..]) => (usize::from(l), at + 1),
        (true, &[lo, hi, ..]) => (usize::from(u16::from_le_bytes([lo, hi])), at + 2),
        _ => return Err(cut_at(Layer::Sccp, i.len(), at)),
    };
    match i.get(start..start + len) {
        Some(v) => Ok((v, start)),
        None => Err(exceeds(Layer::Sccp, len, i.len() - start, "message", start)),
    }
}

/// An address's error, in the message: the address of `len` octets starts at `start`.
#[cold]
fn located(e: nom::Err<PErr>, start: usize, len: usize) -> DecodeError {
    let p = match e {
        nom::Err::Error(p) | nom::Err::Failure(p) => p,
        nom::Err::Incomplete(_) => PErr {
            kind: ErrorKind::Truncated { need: 0, have: 0 },
            remaining: 0,
        },
    };
    DecodeError::new(Layer::Sccp, p.kind, start + len - p.remaining.min(len))
}

/// The optional parameters (Q.713 §2.4) from `at` up to the end-of-optional-parameters
/// octet: the segmentation parameter, if any.
#[cold]
fn optional(i: &[u8], mut at: usize) -> Result<Option<Segmentation>, DecodeError> {
    let mut seg = None;
    for _ in 0..MAX_OPTIONAL_PARAMS {
        let Some(&name) = i.get(at) else {
            return Err(cut_at(Layer::Sccp, i.len(), at.min(i.len())));
        };
        if name == param::END {
            return Ok(seg);
        }
        let Some(&len) = i.get(at + 1) else {
            return Err(cut_at(Layer::Sccp, i.len(), at + 1));
        };
        let start = at + 2;
        let Some(v) = i.get(start..start + usize::from(len)) else {
            return Err(exceeds(
                Layer::Sccp,
                usize::from(len),
                i.len() - start,
                "message",
                start,
            ));
        };
        if name == param::SEGMENTATION {
            let &[f, r0, r1, r2] = v else {
                return Err(DecodeError::new(
                    Layer::Sccp,
                    ErrorKind::Invalid("segmentation parameter is not 4 octets"),
                    at,
                ));
            };
            seg = Some(Segmentation {
                first: f & 0x80 != 0,
                class1: f & 0x40 != 0,
                remaining: f & 0x0f,
                local_ref: u32::from_be_bytes([0, r0, r1, r2]),
            });
        }
        at = start + v.len();
    }
    Err(DecodeError::new(
        Layer::Sccp,
        ErrorKind::TooMany("optional parameters"),
        at,
    ))
}

/// Decode a party address (Q.713 §3.4.1 address indicator, then PC, SSN, GT), straight off
/// the bytes. Inlined into its callers, which write the result in place (a call returned it
/// through memory: 80 Ir).
#[inline(always)]
pub(crate) fn address(i: &[u8]) -> PResult<'_, Address<'_>> {
    // Cut short at `r`: what nom's number parsers say.
    let short = |r: &[u8]| {
        nom::Err::Error(PErr {
            kind: ErrorKind::Truncated {
                need: 0,
                have: r.len() as u32,
            },
            remaining: r.len(),
        })
    };
    let (&ai, mut r) = i.split_first().ok_or_else(|| short(i))?;
    let gti = (ai >> 2) & 0x0f;
    let mut a = Address {
        route_on_ssn: ai & 0x40 != 0,
        gti,
        pc: None,
        ssn: None,
        gt: None,
    };
    if ai & 0x01 != 0 {
        let (pc, rest) = r.split_first_chunk::<2>().ok_or_else(|| short(r))?;
        a.pc = Some(u32::from(u16::from_le_bytes(*pc) & 0x3fff));
        r = rest;
    }
    if ai & 0x02 != 0 {
        let (&ssn, rest) = r.split_first().ok_or_else(|| short(r))?;
        a.ssn = Some(Ssn(ssn));
        r = rest;
    }
    let gt = |tt, np, es, nai, odd, bcd| {
        Some(GlobalTitle {
            tt,
            np,
            es,
            nai,
            odd,
            bcd,
        })
    };
    // The octets before the address signals, one at a time as they are read.
    let (head, bcd) = match gti {
        0 => (&[][..], r),
        1 | 2 => r.split_at_checked(1).ok_or_else(|| short(&[]))?,
        3 => r.split_at_checked(2).ok_or_else(|| short(&[]))?,
        4 => r.split_at_checked(3).ok_or_else(|| short(&[]))?,
        _ => {
            return Err(nom::Err::Error(PErr::at(
                i,
                ErrorKind::Invalid("reserved global title indicator"),
            )))
        }
    };
    a.gt = match (gti, head) {
        (1, &[b]) => gt(None, None, None, Some(b & 0x7f), b & 0x80 != 0, bcd),
        (2, &[tt]) => gt(Some(tt), None, None, None, false, bcd),
        (3, &[tt, npes]) => gt(
            Some(tt),
            Some(npes >> 4),
            Some(npes & 0x0f),
            None,
            npes & 0x0f == 1,
            bcd,
        ),
        (4, &[tt, npes, nai]) => {
            let es = npes & 0x0f;
            gt(
                Some(tt),
                Some(npes >> 4),
                Some(es),
                Some(nai & 0x7f),
                es == 1,
                bcd,
            )
        }
        _ => None,
    };
    Ok((&i[i.len()..], a))
}

/// The nom reader the hand-written one is held to.
#[cfg(test)]
mod reference {
    use nom::number::complete::{be_u8, le_u16};

    use super::super::{param, Message, MessageType, Segmentation, Unitdata, MAX_OPTIONAL_PARAMS};
    use super::address;
    use crate::error::{complete, fail, located, take_len, DecodeError, ErrorKind, Layer, PResult};

    pub(super) fn parse_sccp_message(data: &[u8]) -> Result<Message<'_>, DecodeError> {
        complete(data, Layer::Sccp, located(Layer::Sccp, data, message))
    }

    fn message(i: &[u8]) -> PResult<'_, Message<'_>> {
        let (r, t) = be_u8(i)?;
        let kind = MessageType(t);
        let (long, service, extended) = match kind {
            MessageType::UDT => (false, false, false),
            MessageType::UDTS => (false, true, false),
            MessageType::XUDT => (false, false, true),
            MessageType::XUDTS => (false, true, true),
            MessageType::LUDT => (true, false, true),
            MessageType::LUDTS => (true, true, true),
            _ => return Ok((&i[i.len()..], Message::Other(kind))),
        };
        let (r, class_or_cause) = be_u8(r)?;
        let (mut r, hop_counter) = if extended {
            let (r, h) = be_u8(r)?;
            (r, Some(h))
        } else {
            (r, None)
        };
        // Pointers: 1 octet each (UDT, XUDT), 2 octets LSB first (LUDT, Q.713 §2.3). Each counts
        // to the parameter's length indicator, from itself, or from its second octet.
        let n_ptr = if extended { 4 } else { 3 };
        let mut targets = [0usize; 4];
        for (k, target) in targets.iter_mut().enumerate().take(n_ptr) {
            let at = i.len() - r.len();
            let (rest, p) = if long {
                le_u16(r)?
            } else {
                let (rest, p) = be_u8(r)?;
                (rest, u16::from(p))
            };
            if p == 0 && k < 3 {
                return fail(r, ErrorKind::Invalid("mandatory parameter pointer is 0"));
            }
            let msb = usize::from(long);
            *target = if p == 0 { 0 } else { at + msb + usize::from(p) };
            r = rest;
        }
        let var = |k: usize, wide_len: bool| -> PResult<'_, (&[u8], usize)> {
            let at = targets[k];
            if at >= i.len() {
                return fail(
                    &i[i.len()..],
                    ErrorKind::LengthExceeds {
                        len: at as u32,
                        avail: i.len() as u32,
                        within: "message (pointer)",
                    },
                );
            }
            let p = &i[at..];
            let (p, len) = if wide_len {
                le_u16(p)?
            } else {
                let (p, l) = be_u8(p)?;
                (p, u16::from(l))
            };
            let (_, v) = take_len(p, usize::from(len), "message")?;
            let start = i.len() - p.len();
            Ok((p, (v, start)))
        };
        let (_, (called_raw, called_at)) = var(0, false)?;
        let (_, (calling_raw, calling_at)) = var(1, false)?;
        let (_, (data, data_offset)) = var(2, long)?;
        let called = address(called_raw)
            .map_err(|e| e.map(|p| shift(p, i, called_at, called_raw)))?
            .1;
        let calling = address(calling_raw)
            .map_err(|e| e.map(|p| shift(p, i, calling_at, calling_raw)))?
            .1;
        let segmentation = if extended && targets[3] != 0 {
            optional(&i[targets[3].min(i.len())..])?.1
        } else {
            None
        };
        Ok((
            &i[i.len()..],
            Message::Unitdata(Unitdata {
                kind,
                protocol_class: (!service).then_some(class_or_cause),
                return_cause: service.then_some(class_or_cause),
                hop_counter,
                called,
                calling,
                data,
                data_offset,
                segmentation,
                calling_raw,
            }),
        ))
    }

    /// Re-express an error inside a sub-slice so that `located` on the whole message finds it.
    fn shift(p: crate::error::PErr, whole: &[u8], start: usize, sub: &[u8]) -> crate::error::PErr {
        let consumed = sub.len() - p.remaining.min(sub.len());
        crate::error::PErr {
            kind: p.kind,
            remaining: whole.len() - (start + consumed).min(whole.len()),
        }
    }

    /// Read optional parameters (Q.713 §2.4) up to the end-of-optional-parameters octet.
    fn optional(mut i: &[u8]) -> PResult<'_, Option<Segmentation>> {
        let mut seg = None;
        for _ in 0..MAX_OPTIONAL_PARAMS {
            let (r, name) = be_u8(i)?;
            if name == param::END {
                return Ok((r, seg));
            }
            let (r, len) = be_u8(r)?;
            let (r, v) = take_len(r, usize::from(len), "message")?;
            if name == param::SEGMENTATION {
                if v.len() != 4 {
                    return fail(
                        i,
                        ErrorKind::Invalid("segmentation parameter is not 4 octets"),
                    );
                }
                seg = Some(Segmentation {
                    first: v[0] & 0x80 != 0,
                    class1: v[0] & 0x40 != 0,
                    remaining: v[0] & 0x0f,
                    local_ref: u32::from_be_bytes([0, v[1], v[2], v[3]]),
                });
            }
            i = r;
        }
        fail(i, ErrorKind::TooMany("optional parameters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    /// UDT from pcapr-m3ua-map-mixed.pcap frame 1 (called 447785000690/7, calling 447785011500/6).
    const UDT: [u8; 31] = hex!(
        "09 81 03 0e 19"
        "0b 12 07 00 12 04 44 77 58 00 60 09"
        "0b 12 06 00 12 04 44 77 58 10 51 00"
        "01 aa"
    );

    /// [`UDT`] as an XUDT without optional part (hop counter 15).
    fn xudt() -> Vec<u8> {
        let mut v = vec![0x11, 0x81, 0x0f, 0x04, 0x0f, 0x1a, 0x00];
        v.extend_from_slice(&UDT[5..]);
        v
    }

    /// The reader and the nom reference agree on `i`: the same message, or the same error at
    /// the same place. Whether it was read as a unitdata message.
    fn agree(i: &[u8]) -> bool {
        let got = parse_sccp_message(i);
        assert_eq!(got, reference::parse_sccp_message(i), "{i:02x?}");
        matches!(got, Ok(Message::Unitdata(_)))
    }

    /// The reader agrees with the nom reference on every message: the samples (which it must
    /// read), every cut of them, every octet replaced by a few telling values (pointers,
    /// lengths, address indicators, message types), and random UDT, XUDT (with and without a
    /// segmentation parameter) and LUDT layouts, each with one octet changed.
    #[test]
    fn reader_is_the_nom_reference() {
        let samples = [UDT.to_vec(), xudt()];
        for v in &samples {
            assert!(agree(v), "not read: {v:02x?}");
            for n in 0..v.len() {
                agree(&v[..n]);
            }
            for k in 0..v.len() {
                for b in [
                    0, 1, 2, 3, 0x09, 0x0b, 0x0e, 0x11, 0x12, 0x13, 0x19, 0x40, 0x43, 0x7f, 0xff,
                ] {
                    let mut w = v.clone();
                    w[k] = b;
                    agree(&w);
                }
            }
        }
        let part = || proptest::collection::vec(0u8..0x20, 0..12);
        let layout = (
            0u8..4,
            part(),
            part(),
            part(),
            proptest::num::usize::ANY,
            0u8..0x20,
        );
        let read = core::cell::Cell::new(0);
        proptest::proptest!(|((kind, called, calling, data, at, b) in layout)| {
            // 0: UDT, 1: XUDT, 2: XUDT with a segmentation parameter, 3: LUDT.
            let (t, extended, long) = match kind {
                0 => (0x09, false, false),
                1 | 2 => (0x11, true, false),
                _ => (0x13, true, true),
            };
            let mut i = if extended { vec![t, 0, 0x0f] } else { vec![t, 0] };
            let width = if long { 2 } else { 1 };
            let first = i.len();
            let n = if extended { 4 } else { 3 };
            let mut next = first + n * width;
            let lens = [1, 1, width];
            for (k, p) in [&called, &calling, &data].iter().enumerate() {
                let ptr = next - (first + k * width);
                i.extend_from_slice(&(ptr as u16).to_le_bytes()[..width]);
                next += lens[k] + p.len();
            }
            if extended {
                let ptr = if kind == 2 { next - (first + 3 * width) } else { 0 };
                i.extend_from_slice(&(ptr as u16).to_le_bytes()[..width]);
            }
            for (k, p) in [&called, &calling, &data].iter().enumerate() {
                i.extend_from_slice(&(p.len() as u16).to_le_bytes()[..lens[k]]);
                i.extend_from_slice(p);
            }
            if kind == 2 {
                i.extend_from_slice(&[param::SEGMENTATION, 4, 0x81, 0, 0, 7, param::END]);
            }
            read.set(read.get() + usize::from(agree(&i)));
            let k = at % i.len();
            i[k] = b;
            agree(&i);
        });
        assert!(read.get() > 0, "no random message was read");
    }

    #[test]
    fn udt_addresses_and_data() {
        let Message::Unitdata(u) = parse_sccp_message(&UDT).unwrap() else {
            panic!()
        };
        assert_eq!(u.kind, MessageType::UDT);
        assert_eq!(u.protocol_class, Some(0x81));
        assert_eq!(u.called.ssn, Some(Ssn::VLR));
        assert!(!u.called.route_on_ssn);
        let gt = u.called.gt.unwrap();
        assert_eq!(
            (gt.tt, gt.np, gt.es, gt.nai),
            (Some(0), Some(1), Some(2), Some(4))
        );
        assert_eq!(gt.digits().as_str(), "447785000690");
        assert_eq!(u.calling.gt.unwrap().digits().as_str(), "447785011500");
        assert_eq!(u.data, &[0xaa]);
        assert_eq!(u.data_offset, 30);
    }

    /// An LUDT laid out by hand as Q.713 §2.3 has it: each two-octet pointer counts from its
    /// second octet (tshark 4.0 reads this message with called SSN 6, calling SSN 8 and data
    /// "abc"; counting from the first octet would land one octet early, on the length's
    /// neighbour).
    #[test]
    fn ludt_pointers_count_from_their_second_octet() {
        let m = hex_literal::hex!("13 80 0f  0700 0800 0900 0000  02 4206  02 4208  0300 616263");
        let Ok(Message::Unitdata(u)) = parse_sccp_message(&m) else {
            panic!()
        };
        assert_eq!(u.called.ssn, Some(crate::sccp::Ssn(6)));
        assert_eq!(u.calling.ssn, Some(crate::sccp::Ssn(8)));
        assert_eq!(u.data, b"abc");
        assert_eq!(u.data_offset, 19);
    }

    #[test]
    fn pointer_errors() {
        let mut v = UDT;
        v[4] = 0x40;
        let e = parse_sccp_message(&v).unwrap_err();
        assert!(e.to_string().contains("pointer"), "{e}");
        let mut v = UDT;
        v[2] = 0;
        assert_eq!(
            parse_sccp_message(&v).unwrap_err().kind,
            ErrorKind::Invalid("mandatory parameter pointer is 0")
        );
        let mut v = UDT;
        v[5] = 0x30; // called address length past the end
        let e = parse_sccp_message(&v).unwrap_err();
        assert_eq!(e.offset, 6);
    }

    #[test]
    fn odd_gt_and_point_code() {
        // GTI 1 (NAI with odd bit), PC 0x1234 & 0x3fff, SSN 8.
        let a = hex!("07 34 12 08 84 21 43 05");
        let (_, a) = address(&a).unwrap();
        assert_eq!(a.pc, Some(0x1234));
        assert_eq!(a.ssn, Some(Ssn::MSC));
        let gt = a.gt.unwrap();
        assert_eq!((gt.nai, gt.odd), (Some(4), true));
        assert_eq!(gt.digits().as_str(), "12345");
    }

    #[test]
    fn connection_oriented_is_named_only() {
        assert_eq!(
            parse_sccp_message(&hex!("01 00")).unwrap(),
            Message::Other(MessageType(1))
        );
    }
}
