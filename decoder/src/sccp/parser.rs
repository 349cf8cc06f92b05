use nom::number::complete::{be_u8, le_u16};

use super::{
    param, Address, GlobalTitle, Message, MessageType, Segmentation, Ssn, Unitdata,
    MAX_OPTIONAL_PARAMS,
};
use crate::error::{
    complete, fail, located, take_len, DecodeError, ErrorKind, Layer, PErr, PResult,
};

/// Decode an SCCP message. Connectionless messages are decoded whole; other types are only
/// named. Error offsets count from the message type octet.
pub fn parse_sccp_message(data: &[u8]) -> Result<Message<'_>, DecodeError> {
    if let Some(u) = straight_unitdata(data) {
        return Ok(Message::Unitdata(u));
    }
    let r = located(Layer::Sccp, data, message);
    complete(data, Layer::Sccp, r)
}

/// A UDT, or an XUDT without optional part, read straight off the bytes as nearly every
/// one on an interconnect can be. `None` for anything else and for whatever [`message`]
/// would refuse, which then says why; where both read a message they read the same one.
#[inline]
fn straight_unitdata(i: &[u8]) -> Option<Unitdata<'_>> {
    // The pointers' position, and the hop counter's.
    let (first, hop_counter) = match MessageType(*i.first()?) {
        MessageType::UDT => (2, None),
        MessageType::XUDT => (3, Some(*i.get(2)?)),
        _ => return None,
    };
    let pointers: &[u8; 3] = i.get(first..)?.first_chunk()?;
    if pointers.contains(&0) || (hop_counter.is_some() && *i.get(first + 3)? != 0) {
        return None;
    }
    // Each pointer counts from its own position to the parameter's length octet.
    let parameter = |k: usize| {
        let at = first + k + usize::from(pointers[k]);
        let start = at + 1;
        let value = i.get(start..start + usize::from(*i.get(at)?))?;
        Some((value, start))
    };
    let (called_raw, _) = parameter(0)?;
    let (calling_raw, _) = parameter(1)?;
    let (data, data_offset) = parameter(2)?;
    Some(Unitdata {
        kind: MessageType(i[0]),
        protocol_class: Some(i[1]),
        return_cause: None,
        hop_counter,
        called: address(called_raw).ok()?.1,
        calling: address(calling_raw).ok()?.1,
        data,
        data_offset,
        segmentation: None,
        calling_raw,
    })
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
    // from its own position to the parameter's length indicator.
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
        *target = if p == 0 { 0 } else { at + usize::from(p) };
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
        _ => return fail(i, ErrorKind::Invalid("reserved global title indicator")),
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

    /// What the straight reading finds, the general one finds too.
    fn agree(i: &[u8]) -> bool {
        let Some(u) = straight_unitdata(i) else {
            return false;
        };
        let general = complete(i, Layer::Sccp, located(Layer::Sccp, i, message));
        assert_eq!(general, Ok(Message::Unitdata(u)), "{i:02x?}");
        true
    }

    /// The straight reading of a UDT or XUDT agrees with the general one wherever it reads
    /// anything: on the samples (which it must read), every cut of them, every octet replaced
    /// by a few telling values (pointers, lengths, address indicators, message types), and
    /// arbitrary octets after a UDT or XUDT header.
    #[test]
    fn straight_unitdata_reading_is_the_general_one() {
        let samples = [UDT.to_vec(), xudt()];
        for v in &samples {
            assert!(agree(v), "the straight reading skips {v:02x?}");
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
        // Random addresses and data laid out as a UDT or an XUDT, then one octet changed.
        let part = || proptest::collection::vec(0u8..0x20, 0..12);
        let layout = (
            proptest::bool::ANY,
            part(),
            part(),
            part(),
            proptest::num::usize::ANY,
            0u8..0x20,
        );
        let read = core::cell::Cell::new(0);
        proptest::proptest!(|((xudt, called, calling, data, at, b) in layout)| {
            let mut i = if xudt { vec![0x11, 0, 0x0f] } else { vec![0x09, 0] };
            let first = i.len();
            let n = if xudt { 4 } else { 3 };
            let mut next = first + n;
            for (k, p) in [&called, &calling, &data].iter().enumerate() {
                i.push((next - (first + k)) as u8);
                next += 1 + p.len();
            }
            if xudt {
                i.push(0);
            }
            for p in [&called, &calling, &data] {
                i.push(p.len() as u8);
                i.extend_from_slice(p);
            }
            read.set(read.get() + usize::from(agree(&i)));
            let k = at % i.len();
            i[k] = b;
            agree(&i);
        });
        assert!(read.get() > 0, "no random message was read straight");
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
