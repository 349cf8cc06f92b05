use nom::number::complete::{be_u32, be_u8};

use super::field::*;
use super::{
    avp, flags, ApplicationId, Avp, CommandCode, Header, Summary, MAX_AVPS, MAX_AVP_DEPTH,
    MAX_MESSAGE_LEN, VENDOR_3GPP,
};
use crate::digits::{Digits, Plmn};
use crate::error::{
    below, cut_at, cut_in, exceeds, fail, located, DecodeError, ErrorKind, LResult, Layer, PResult,
};
use crate::identity::Identity;
use crate::tcp::FrameLen;

fn u24(b: &[u8]) -> u32 {
    u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2])
}

/// Decode the 20-byte header (RFC 6733 §3). Streaming: fewer than 20 bytes is `Incomplete`.
pub fn parse_diameter_header(i: &[u8]) -> LResult<'_, Header> {
    if i.len() < HEADER_LEN {
        return Err(nom::Err::Incomplete(nom::Needed::new(HEADER_LEN - i.len())));
    }
    located(Layer::Diameter, i, header)
}

fn header(i: &[u8]) -> PResult<'_, Header> {
    let (r, version) = be_u8(i)?;
    if version != 1 {
        return fail(i, ErrorKind::Version(u32::from(version)));
    }
    let length = u24(&i[LENGTH]);
    if (length as usize) < HEADER_LEN {
        return fail(
            r,
            ErrorKind::LengthBelow {
                len: length,
                min: HEADER_LEN as u32,
            },
        );
    }
    let (_, app) = be_u32(&i[APPLICATION])?;
    let (_, hbh) = be_u32(&i[HOP_BY_HOP])?;
    let (_, e2e) = be_u32(&i[END_TO_END])?;
    Ok((
        &i[HEADER_LEN..],
        Header {
            version,
            length,
            flags: i[FLAGS],
            cmd: CommandCode(u24(&i[COMMAND])),
            app: ApplicationId(app),
            hbh,
            e2e,
        },
    ))
}

/// Decode a header and delimit the message's AVPs. Streaming: a message longer than the
/// input is `Incomplete`. Returns the input after the message.
pub fn parse_diameter_message(i: &[u8]) -> LResult<'_, (Header, &[u8])> {
    let (_, h) = parse_diameter_header(i)?;
    let len = h.length as usize;
    if len > MAX_MESSAGE_LEN {
        return Err(nom::Err::Error(DecodeError::new(
            Layer::Diameter,
            ErrorKind::LengthExceeds {
                len: h.length,
                avail: MAX_MESSAGE_LEN as u32,
                within: "the largest message accepted",
            },
            1,
        )));
    }
    if len > i.len() {
        return Err(nom::Err::Incomplete(nom::Needed::new(len - i.len())));
    }
    Ok((&i[len..], (h, &i[HEADER_LEN..len])))
}

/// Where the next message in a TCP stream ends, judged from its first bytes; used to cut
/// streams and to find a message boundary again after lost segments.
pub fn frame_len(b: &[u8]) -> FrameLen {
    if b.is_empty() {
        return FrameLen::Need(HEADER_LEN);
    }
    if b[0] != 1 {
        return FrameLen::Invalid;
    }
    if b.len() < HEADER_LEN {
        return FrameLen::Need(HEADER_LEN);
    }
    let len = u24(&b[LENGTH]) as usize;
    let fl = b[FLAGS];
    let plausible = (HEADER_LEN..=MAX_MESSAGE_LEN).contains(&len)
        && len.is_multiple_of(4)
        && fl & 0x0f == 0
        && !(fl & flags::REQUEST != 0 && fl & flags::ERROR != 0);
    if !plausible {
        return FrameLen::Invalid;
    }
    // The first AVP must fit too: this rejects most false boundaries inside AVP data.
    if len > HEADER_LEN && b.len() >= HEADER_LEN + 8 {
        let aflags = b[HEADER_LEN + 4];
        let alen = u24(&b[HEADER_LEN + 5..HEADER_LEN + 8]) as usize;
        if aflags & 0x1f != 0 || alen < 8 || alen > len - HEADER_LEN {
            return FrameLen::Invalid;
        }
    }
    FrameLen::Message(len)
}

/// The AVPs in a run of AVP bytes, in order. Error offsets count from the start of the
/// message (`base` is where the run starts). Stops after an error.
#[derive(Debug, Clone)]
pub struct Avps<'a> {
    rest: &'a [u8],
    offset: usize,
    failed: bool,
}

impl<'a> Avps<'a> {
    /// The AVPs in `data`, which starts `base` bytes into the message.
    pub(crate) fn new(data: &'a [u8], base: usize) -> Self {
        Avps {
            rest: data,
            offset: base,
            failed: false,
        }
    }
}

impl<'a> Iterator for Avps<'a> {
    type Item = Result<(Avp<'a>, usize), DecodeError>;

    /// Each AVP with the offset of its data in the message.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let input = self.rest;
        if let Some((a, header_len, next)) = well_formed_avp(input) {
            let data_at = self.offset + header_len;
            self.offset += next;
            self.rest = &input[next..];
            return Some(Ok((a, data_at)));
        }
        self.refused()
    }
}

impl<'a> Avps<'a> {
    /// Why the next AVP is refused; the iteration stops there.
    #[cold]
    #[inline(never)]
    fn refused(&mut self) -> Option<Result<(Avp<'a>, usize), DecodeError>> {
        self.failed = true;
        Some(Err(avp_error(self.rest).shifted(self.offset)))
    }
}

/// An AVP that fits its input, read straight off the bytes: the AVP, its header's length
/// and where the next one starts. `None` for anything else ([`avp_error`] says why).
#[inline]
fn well_formed_avp(i: &[u8]) -> Option<(Avp<'_>, usize, usize)> {
    let head: &[u8; 8] = i.first_chunk()?;
    let len = u24(&head[5..]) as usize;
    let fl = head[4];
    let header_len = if fl & flags::AVP_VENDOR != 0 { 12 } else { 8 };
    if len < header_len || len > i.len() {
        return None;
    }
    let vendor = (header_len == 12).then(|| u32::from_be_bytes([i[8], i[9], i[10], i[11]]));
    let a = Avp {
        code: u32::from_be_bytes([head[0], head[1], head[2], head[3]]),
        flags: fl,
        vendor,
        data: &i[header_len..len],
    };
    // Padding to 4 bytes; the last AVP's padding may be missing in broken stacks.
    Some((a, header_len, len.next_multiple_of(4).min(i.len())))
}

/// Why [`well_formed_avp`] refused `i` (not empty): its header cut short (code, flags, the
/// 24-bit length, the Vendor-ID when flagged), a length below the header's, or data past
/// the message.
#[cold]
fn avp_error(i: &[u8]) -> DecodeError {
    let Some(head) = i.first_chunk::<8>() else {
        if i.len() >= 5 {
            // The length field: all three octets or none.
            return DecodeError::new(
                Layer::Diameter,
                ErrorKind::Truncated {
                    need: 3,
                    have: (i.len() - 5) as u32,
                },
                5,
            );
        }
        return cut_in(Layer::Diameter, i.len(), &[4, 5, 8]);
    };
    let len = u24(&head[5..]) as usize;
    let header_len = if head[4] & flags::AVP_VENDOR != 0 {
        12
    } else {
        8
    };
    if i.len() < header_len {
        return cut_at(Layer::Diameter, i.len(), 8);
    }
    if len < header_len {
        return below(Layer::Diameter, len, header_len, 5);
    }
    exceeds(
        Layer::Diameter,
        len - header_len,
        i.len() - header_len,
        "message",
        header_len,
    )
}

/// Decode a whole message into its [`Summary`], checking every AVP at every level followed.
pub fn summarize(msg: &[u8]) -> Result<Summary<'_>, DecodeError> {
    let (h, avps) = match parse_diameter_message(msg) {
        Ok((_, v)) => v,
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => return Err(e),
        Err(nom::Err::Incomplete(_)) => {
            let len = if msg.len() >= HEADER_LEN {
                u24(&msg[LENGTH])
            } else {
                0
            };
            return Err(DecodeError::new(
                Layer::Diameter,
                ErrorKind::LengthExceeds {
                    len: len.max(HEADER_LEN as u32),
                    avail: msg.len() as u32,
                    within: "message",
                },
                1,
            ));
        }
    };
    let mut s = Summary {
        header: h,
        session_id: None,
        origin_host: None,
        origin_realm: None,
        dest_host: None,
        dest_realm: None,
        user_name: None,
        imsi: None,
        msisdn: None,
        visited_plmn: None,
        public_identity: None,
        app_id_avp: None,
        result_code: None,
    };
    let mut count = 0;
    walk(avps, HEADER_LEN, 0, &mut count, &mut s)?;
    if s.imsi.is_none() {
        s.imsi = s.user_name.and_then(imsi_from_text);
    }
    Ok(s)
}

fn walk<'a>(
    data: &'a [u8],
    base: usize,
    depth: usize,
    count: &mut usize,
    s: &mut Summary<'a>,
) -> Result<(), DecodeError> {
    let mut sub_type: Option<u32> = None;
    let mut sub_data: Option<&'a [u8]> = None;
    for a in Avps::new(data, base) {
        let (a, at) = a?;
        *count += 1;
        if *count > MAX_AVPS {
            return Err(DecodeError::new(
                Layer::Diameter,
                ErrorKind::TooMany("AVPs"),
                at,
            ));
        }
        let grouped = matches!(
            (a.code, a.vendor),
            (avp::SUBSCRIPTION_ID, None)
                | (avp::VENDOR_SPECIFIC_APPLICATION_ID, None)
                | (avp::EXPERIMENTAL_RESULT, None)
                | (avp::USER_IDENTITY, Some(VENDOR_3GPP))
        );
        if grouped {
            if depth + 1 >= MAX_AVP_DEPTH {
                return Err(DecodeError::new(Layer::Diameter, ErrorKind::TooDeep, at));
            }
            walk(a.data, at, depth + 1, count, s)?;
            continue;
        }
        match (a.code, a.vendor) {
            // These appear once in a well-formed message (RFC 6733 §3.2: `{ Origin-Realm }`
            // and the like). Of duplicates the first counts, as in sawp-diameter and in
            // Wireshark's first field occurrence: a second Origin-Realm appended by a spoofer
            // does not change who the message says it is from.
            (avp::SESSION_ID, None) if depth == 0 => first(&mut s.session_id, a.data),
            (avp::ORIGIN_HOST, None) if depth == 0 => first(&mut s.origin_host, a.data),
            (avp::ORIGIN_REALM, None) if depth == 0 => first(&mut s.origin_realm, a.data),
            (avp::DESTINATION_HOST, None) if depth == 0 => first(&mut s.dest_host, a.data),
            (avp::DESTINATION_REALM, None) if depth == 0 => first(&mut s.dest_realm, a.data),
            (avp::USER_NAME, None) if depth == 0 => first(&mut s.user_name, a.data),
            (avp::AUTH_APPLICATION_ID | avp::ACCT_APPLICATION_ID, None) => {
                s.app_id_avp = s.app_id_avp.or(a.u32())
            }
            (avp::RESULT_CODE | avp::EXPERIMENTAL_RESULT_CODE, None) => {
                s.result_code = s.result_code.or(a.u32())
            }
            (avp::MSISDN, Some(VENDOR_3GPP)) if s.msisdn.is_none() => {
                s.msisdn = Identity::from_tbcd(a.data);
            }
            (avp::VISITED_PLMN_ID, Some(VENDOR_3GPP)) => {
                s.visited_plmn = <[u8; 3]>::try_from(a.data).ok().and_then(Plmn::from_octets);
            }
            (avp::PUBLIC_IDENTITY, Some(VENDOR_3GPP)) => {
                s.public_identity = s.public_identity.or(Some(a.data));
                if s.msisdn.is_none() {
                    s.msisdn = msisdn_from_uri(a.data);
                }
            }
            (avp::SUBSCRIPTION_ID_TYPE, None) => sub_type = a.u32(),
            (avp::SUBSCRIPTION_ID_DATA, None) => sub_data = Some(a.data),
            _ => {}
        }
    }
    // Inside a Subscription-Id: type 0 is END_USER_E164, 1 END_USER_IMSI (RFC 4006 §8.47).
    match (sub_type, sub_data) {
        (Some(0), Some(d)) if s.msisdn.is_none() => s.msisdn = identity_from_text(d),
        (Some(1), Some(d)) if s.imsi.is_none() => s.imsi = identity_from_text(d),
        _ => {}
    }
    Ok(())
}

fn first<'a>(slot: &mut Option<&'a [u8]>, v: &'a [u8]) {
    if slot.is_none() {
        *slot = Some(v);
    }
}

fn identity_from_text(t: &[u8]) -> Option<Identity> {
    Identity::from_decimal(t.strip_prefix(b"+").unwrap_or(t))
}

/// A User-Name that is an IMSI: 6 to 15 decimal digits (3GPP TS 23.003 §2.2).
fn imsi_from_text(t: &[u8]) -> Option<Identity> {
    (6..=15)
        .contains(&t.len())
        .then(|| identity_from_text(t))
        .flatten()
}

/// `tel:+12065550123` or `sip:+12065550123@ims.example;user=phone` → the digits.
fn msisdn_from_uri(t: &[u8]) -> Option<Identity> {
    let s = core::str::from_utf8(t).ok()?;
    let rest = s
        .strip_prefix("tel:+")
        .or_else(|| s.strip_prefix("sip:+"))?;
    let end = rest.find(['@', ';']).unwrap_or(rest.len());
    let num = &rest.as_bytes()[..end];
    if num.is_empty() || !num.iter().all(|&c| c.is_ascii_digit() || c == b'-') {
        return None;
    }
    Identity::from_digits(&Digits::from_decimal_chars(num))
}

/// The nom reader the hand-written one is held to.
#[cfg(test)]
mod reference {
    use nom::number::complete::{be_u32, be_u8};

    use super::super::{flags, Avp};
    use super::u24;
    use crate::error::{fail, take_len, ErrorKind, PResult};

    pub(super) fn one_avp(i: &[u8]) -> PResult<'_, (Avp<'_>, usize)> {
        let (r, code) = be_u32(i)?;
        let (r, fl) = be_u8(r)?;
        if r.len() < 3 {
            return fail(
                r,
                ErrorKind::Truncated {
                    need: 3,
                    have: r.len() as u32,
                },
            );
        }
        let len = u24(r) as usize;
        let r = &r[3..];
        let (r, vendor, header_len) = if fl & flags::AVP_VENDOR != 0 {
            let (r, v) = be_u32(r)?;
            (r, Some(v), 12)
        } else {
            (r, None, 8)
        };
        if len < header_len {
            return fail(
                &i[5..],
                ErrorKind::LengthBelow {
                    len: len as u32,
                    min: header_len as u32,
                },
            );
        }
        let (_, data) = take_len(r, len - header_len, "message")?;
        // Padding to 4 bytes; the last AVP's padding may be missing in broken stacks.
        let padded = len.next_multiple_of(4).min(i.len());
        Ok((
            &i[padded..],
            (
                Avp {
                    code,
                    flags: fl,
                    vendor,
                    data,
                },
                header_len,
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diameter::{emit_diameter, AvpSpec, DiameterSpec};

    fn rir() -> Vec<u8> {
        let spec = DiameterSpec {
            request: true,
            cmd: CommandCode::LCS_ROUTING_INFO,
            app: ApplicationId::SLH,
            hbh: 5,
            e2e: 5,
            avps: vec![
                AvpSpec::utf8(avp::SESSION_ID, "mme01;1;2"),
                AvpSpec::utf8(avp::ORIGIN_HOST, "mme01.epc.mnc001.mcc460.3gppnetwork.org"),
                AvpSpec::utf8(avp::ORIGIN_REALM, "epc.mnc001.mcc460.3gppnetwork.org"),
                AvpSpec::utf8(avp::DESTINATION_REALM, "epc.mnc410.mcc310.3gppnetwork.org"),
                AvpSpec::tgpp(avp::MSISDN, crate::map::imsi_octets("12062000017")),
            ],
        };
        let mut out = Vec::new();
        emit_diameter(&mut out, &spec);
        out
    }

    #[test]
    fn rir_summary() {
        let m = rir();
        let s = summarize(&m).unwrap();
        assert_eq!(
            s.header.cmd.abbreviation(s.header.is_request()),
            Some("RIR")
        );
        assert_eq!(
            s.origin_realm,
            Some(&b"epc.mnc001.mcc460.3gppnetwork.org"[..])
        );
        assert_eq!(s.msisdn.unwrap().to_string(), "12062000017");
        assert_eq!(frame_len(&m), FrameLen::Message(m.len()));
    }

    /// Found by differential fuzzing against sawp-diameter (fuzz/fuzz_targets/diameter_diff.rs):
    /// with two Origin-Realm AVPs sigwatch took the last, sawp the first. RFC 6733 §3.2 allows
    /// one (`{ Origin-Realm }`); the first now counts, so an appended second realm cannot
    /// re-attribute a message.
    #[test]
    fn the_first_of_duplicate_identity_avps_counts() {
        let spec = DiameterSpec {
            request: true,
            cmd: CommandCode::UPDATE_LOCATION,
            app: ApplicationId::S6A,
            hbh: 1,
            e2e: 1,
            avps: vec![
                AvpSpec::utf8(avp::ORIGIN_HOST, "mme.magma.com"),
                AvpSpec::utf8(avp::ORIGIN_REALM, "magma.com"),
                AvpSpec::utf8(avp::USER_NAME, "001010000000001"),
                AvpSpec::utf8(avp::ORIGIN_REALM, "epc.mnc410.mcc310.3gppnetwork.org"),
                AvpSpec::utf8(avp::USER_NAME, "310410000000001"),
            ],
        };
        let mut m = Vec::new();
        emit_diameter(&mut m, &spec);
        let s = summarize(&m).unwrap();
        assert_eq!(s.origin_realm, Some(&b"magma.com"[..]));
        assert_eq!(s.user_name, Some(&b"001010000000001"[..]));
    }

    #[test]
    fn grouped_identities() {
        let sub = vec![
            AvpSpec::u32(avp::SUBSCRIPTION_ID_TYPE, 1),
            AvpSpec::utf8(avp::SUBSCRIPTION_ID_DATA, "001010000000001"),
        ];
        let uid = vec![AvpSpec::utf8_tgpp(avp::PUBLIC_IDENTITY, "tel:+12065550123")];
        let spec = DiameterSpec {
            request: true,
            cmd: CommandCode::USER_DATA,
            app: ApplicationId::SH,
            hbh: 1,
            e2e: 1,
            avps: vec![
                AvpSpec::grouped(avp::SUBSCRIPTION_ID, None, &sub),
                AvpSpec::grouped(avp::USER_IDENTITY, Some(VENDOR_3GPP), &uid),
            ],
        };
        let mut out = Vec::new();
        emit_diameter(&mut out, &spec);
        let s = summarize(&out).unwrap();
        assert_eq!(s.imsi.unwrap().to_string(), "001010000000001");
        assert_eq!(s.msisdn.unwrap().to_string(), "12065550123");
    }

    #[test]
    fn errors_are_located() {
        let mut m = rir();
        m[20 + 5..20 + 8].copy_from_slice(&[0, 0x10, 0]); // first AVP claims 4096 bytes
        let e = summarize(&m).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Diameter, 28));
        let mut m = rir();
        m[0] = 2;
        assert_eq!(summarize(&m).unwrap_err().kind, ErrorKind::Version(2));
        let m = rir();
        assert!(matches!(
            summarize(&m[..40]).unwrap_err().kind,
            ErrorKind::LengthExceeds { .. }
        ));
        assert_eq!(frame_len(&m[..10]), FrameLen::Need(20));
        assert_eq!(frame_len(&[2, 0, 0]), FrameLen::Invalid);
    }

    #[test]
    fn deep_grouping_is_refused() {
        let mut inner = vec![AvpSpec::u32(avp::SUBSCRIPTION_ID_TYPE, 0)];
        for _ in 0..(MAX_AVP_DEPTH + 1) {
            inner = vec![AvpSpec::grouped(avp::SUBSCRIPTION_ID, None, &inner)];
        }
        let spec = DiameterSpec {
            request: true,
            cmd: CommandCode::CREDIT_CONTROL,
            app: ApplicationId::CREDIT_CONTROL,
            hbh: 1,
            e2e: 1,
            avps: inner,
        };
        let mut out = Vec::new();
        emit_diameter(&mut out, &spec);
        assert_eq!(summarize(&out).unwrap_err().kind, ErrorKind::TooDeep);
    }

    #[test]
    fn uri_forms() {
        assert_eq!(
            msisdn_from_uri(b"sip:+1206555@ims.example;user=phone")
                .unwrap()
                .to_string(),
            "1206555"
        );
        assert!(msisdn_from_uri(b"sip:alice@example").is_none());
        assert!(imsi_from_text(b"alice").is_none());
        assert_eq!(
            imsi_from_text(b"310410000000001").unwrap().to_string(),
            "310410000000001"
        );
    }

    /// The straight reading of an AVP agrees with the general one: it reads an AVP exactly
    /// when the general one does, and the same AVP. Headers are drawn near the edge cases
    /// (lengths around the header's and the input's, the vendor flag on and off).
    #[test]
    fn avp_reader_is_the_nom_reference() {
        use proptest::prelude::*;
        let input = (
            any::<u32>(),
            any::<u8>(),
            0usize..40,
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(code, fl, len, tail)| {
                let mut i = code.to_be_bytes().to_vec();
                i.push(fl);
                i.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
                i.extend_from_slice(&tail);
                i
            });
        let cut = (input, 0usize..48).prop_map(|(i, n)| i[..n.min(i.len())].to_vec());
        proptest!(|(i in cut)| {
            let want = crate::error::complete(
                &i,
                Layer::Diameter,
                crate::error::located(Layer::Diameter, &i, reference::one_avp),
            );
            let got = match well_formed_avp(&i) {
                Some((a, hl, _)) => Ok((a, hl)),
                None if i.is_empty() => return Ok(()),
                None => Err(avp_error(&i)),
            };
            prop_assert_eq!(got, want);
        });
    }

    #[test]
    fn decimal_text_is_digits_and_nothing_else() {
        assert_eq!(
            identity_from_text(b"+12065550123").unwrap().to_string(),
            "12065550123"
        );
        assert!(identity_from_text(b"+").is_none());
        assert!(identity_from_text(b"++1").is_none());
        assert!(identity_from_text(b"12a").is_none());
        // An identity holds 31 digits at most.
        assert!(identity_from_text(&[b'1'; 32]).is_none());
        assert_eq!(identity_from_text(&[b'1'; 31]).unwrap().len(), 31);
    }
}
