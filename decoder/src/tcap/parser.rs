use super::{
    Code, Component, ComponentKind, Dialogue, DialoguePdu, Message, Tcap, TcapKind, MAX_COMPONENTS,
};
use crate::ber::{self, parse_ber_tlv, Oid};
use crate::error::{offset_in, DecodeError, ErrorKind, Layer, PErr};

/// Decode a TCAP message (Q.773 `TCMessage`): the transaction portion and the dialogue
/// portion; the components are read with [`Components`]. Errors name the element that
/// Q.773's `TCAPMessages` module requires there, at that element's place in `data`.
///
/// One reader for every layout: each element is read by [`elem`], inline in the forms
/// nearly every TCAP message uses (short tags, lengths of one octet or `81 l`) and by the
/// general BER reader otherwise (long tags, long and indefinite lengths, errors).
pub fn parse_tcap_message(data: &[u8]) -> Result<Tcap<'_>, DecodeError> {
    let at = |part: &[u8], kind| DecodeError::new(Layer::Tcap, kind, offset_in(data, part));
    let Some(&first) = data.first() else {
        return Err(at(data, ErrorKind::Truncated { need: 2, have: 0 }));
    };
    let kind = match first {
        0x61 => TcapKind::Unidirectional,
        0x62 => TcapKind::Begin,
        0x64 => TcapKind::End,
        0x65 => TcapKind::Continue,
        0x67 => TcapKind::Abort,
        // T1.114 package types: private class, constructed.
        0xe1..=0xe6 | 0xf6 => return Ok(Tcap::Ansi(first)),
        found => {
            return Err(at(
                data,
                ErrorKind::UnexpectedTag {
                    expected: "a TCAP message type (Q.773 TCMessage)",
                    found,
                },
            ))
        }
    };
    let (_, value, after) = elem(data).ok_or_else(|| located(data, data, elem_error(data)))?;
    let mut m = Message {
        kind,
        otid: None,
        dtid: None,
        dialogue: None,
        p_abort_cause: None,
        components: &[],
        raw: &data[..data.len() - after.len()],
    };
    // The elements each message type has, in the order TCAPMessages lists them: each type is
    // a SEQUENCE, so nothing repeats and nothing comes out of order.
    let mut rest = value;
    match kind {
        TcapKind::Begin => m.otid = Some(tid(data, &mut rest, OTID)?),
        TcapKind::Continue => {
            m.otid = Some(tid(data, &mut rest, OTID)?);
            m.dtid = Some(tid(data, &mut rest, DTID)?);
        }
        TcapKind::End | TcapKind::Abort => m.dtid = Some(tid(data, &mut rest, DTID)?),
        TcapKind::Unidirectional => {}
    }
    // Both read, then judged (Q.773: 1 to 4 octets).
    for t in [m.otid, m.dtid] {
        match t {
            Some(t) if t.is_empty() || t.len() > 4 => {
                let why = "transaction ID is not 1 to 4 octets";
                return Err(at(t, ErrorKind::Invalid(why)));
            }
            _ => {}
        }
    }
    let expected = if kind == TcapKind::Abort {
        // Abort: reason CHOICE { p-abortCause, u-abortCause DialoguePortion } OPTIONAL.
        match rest.first() {
            Some(&0x4a) => {
                let (_, v, r) =
                    elem_of(rest, 0x4a).ok_or_else(|| located(data, rest, elem_error(rest)))?;
                m.p_abort_cause = ber::integer(v);
                rest = r;
            }
            Some(&0x6b) => {
                let (_, v, r) =
                    elem_of(rest, 0x6b).ok_or_else(|| located(data, rest, elem_error(rest)))?;
                m.dialogue = Some(dialogue(data, v)?);
                rest = r;
            }
            _ => {}
        }
        "P-AbortCause (0x4a) or a dialogue portion (0x6b)"
    } else {
        // dialoguePortion OPTIONAL, components OPTIONAL (Unidirectional: not optional).
        if rest.first() == Some(&0x6b) {
            let (_, v, r) =
                elem_of(rest, 0x6b).ok_or_else(|| located(data, rest, elem_error(rest)))?;
            m.dialogue = Some(dialogue(data, v)?);
            rest = r;
        }
        if rest.first() == Some(&0x6c) {
            let (_, v, r) =
                elem_of(rest, 0x6c).ok_or_else(|| located(data, rest, elem_error(rest)))?;
            m.components = v;
            rest = r;
        }
        "[APPLICATION 11] DialoguePortion (0x6b) or [APPLICATION 12] ComponentPortion (0x6c)"
    };
    if !rest.is_empty() {
        let (found, _, _) = elem(rest).ok_or_else(|| located(data, rest, elem_error(rest)))?;
        return Err(at(rest, ErrorKind::UnexpectedTag { expected, found }));
    }
    if kind == TcapKind::Unidirectional && m.components.is_empty() {
        let end = &value[value.len()..];
        return Err(at(
            end,
            ErrorKind::Invalid("Unidirectional without components"),
        ));
    }
    Ok(Tcap::Itu(m))
}

/// The direct-reference of an ITU dialogue portion's EXTERNAL: the OID dialogue-as-id
/// {itu-t recommendation q 773 as(1) dialogue-as(1) version1(1)}, Q.773 §4.2.1.
const DIALOGUE_AS_ID: [u8; 9] = [0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01];

/// The transaction ID elements, and what Q.773's TCAPMessages calls them.
const OTID: (u8, &str) = (0x48, "[APPLICATION 8] OrigTransactionID (0x48)");
const DTID: (u8, &str) = (0x49, "[APPLICATION 9] DestTransactionID (0x49)");

/// The transaction ID element `id` (named `what`) at the start of `rest`, which moves past it.
#[inline(always)]
fn tid<'a>(
    data: &'a [u8],
    rest: &mut &'a [u8],
    (id, what): (u8, &'static str),
) -> Result<&'a [u8], DecodeError> {
    let at = |part: &[u8], kind| DecodeError::new(Layer::Tcap, kind, offset_in(data, part));
    let r = *rest;
    if r.is_empty() {
        return Err(at(r, ErrorKind::Invalid(what)));
    }
    let (found, tid, after) = elem_of(r, id).ok_or_else(|| located(data, r, elem_error(r)))?;
    if found != id {
        let expected = what;
        return Err(at(r, ErrorKind::UnexpectedTag { expected, found }));
    }
    *rest = after;
    Ok(tid)
}

/// One BER element at the start of `i`: its first identifier octet, its contents, and what
/// follows it. Inline for a short tag with a definite length in one octet or as `81 l`;
/// everything else (long tags, longer and indefinite lengths) by the general BER reader.
/// `None` when no element can be read there; [`elem_error`] says why.
#[inline(always)]
fn elem(i: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    if let Some(&[id, l]) = i.first_chunk() {
        if l < 0x80 && id & 0x1f != 0x1f {
            let end = 2 + usize::from(l);
            if end <= i.len() {
                return Some((id, &i[2..end], &i[end..]));
            }
        }
    }
    elem_general(i)
}

/// [`elem`] where the element should be `id`'s (a short tag): one comparison with a constant
/// for the form nearly every such element has, the general reading (out of line) for
/// anything else, whose identifier the caller then judges.
#[inline(always)]
fn elem_of(i: &[u8], id: u8) -> Option<(u8, &[u8], &[u8])> {
    if let [x, l, ..] = *i {
        if x == id && l < 0x80 {
            let end = 2 + usize::from(l);
            if let Some(v) = i.get(2..end) {
                return Some((id, v, &i[end..]));
            }
        }
    }
    elem_general(i)
}

/// Every other form (`81 l` lengths, common in messages over 127 octets, inline in
/// [`parse_ber_tlv`]; the rest in its general reader).
#[inline(never)]
fn elem_general(i: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (rest, t) = parse_ber_tlv(i).ok()?;
    Some((t.identifier, t.value, rest))
}

/// Why [`elem`] read nothing at `i`, counting the place from the end of `i`.
#[cold]
#[inline(never)]
fn elem_error(i: &[u8]) -> PErr {
    match parse_ber_tlv(i) {
        Err(nom::Err::Error(p) | nom::Err::Failure(p)) => p,
        _ => PErr::at(
            i,
            ErrorKind::Truncated {
                need: 0,
                have: i.len() as u32,
            },
        ),
    }
}

/// An error of the element reader on `part` (a piece of `data` that runs to `part`'s end),
/// located in `data`.
#[cold]
fn located(data: &[u8], part: &[u8], p: PErr) -> DecodeError {
    let consumed = part.len() - p.remaining.min(part.len());
    DecodeError::new(Layer::Tcap, p.kind, offset_in(data, part) + consumed)
}

/// The first element with identifier `id` among the elements of `v`, skipping others and
/// not looking past one that cannot be read.
#[inline(always)]
fn find(mut v: &[u8], id: u8) -> Option<&[u8]> {
    while let Some((found, value, rest)) = elem_of(v, id) {
        if found == id {
            return Some(value);
        }
        v = rest;
    }
    None
}

/// The dialogue portion (Q.773 §4.2.1): EXTERNAL { direct-reference, single-ASN1-type [0]
/// DialoguePDU }, and of the PDU its kind, application-context-name and result. Every
/// element of the PDU must decode; the first `[1]` and `[2]` are the ones read.
#[inline(always)]
fn dialogue<'a>(data: &'a [u8], v: &'a [u8]) -> Result<Dialogue<'a>, DecodeError> {
    let at = |part: &[u8], kind| DecodeError::new(Layer::Tcap, kind, offset_in(data, part));
    let empty = ErrorKind::Truncated { need: 2, have: 0 };
    if v.is_empty() {
        return Err(at(v, empty));
    }
    let (id, external, _) = elem_of(v, 0x28).ok_or_else(|| located(data, v, elem_error(v)))?;
    if id != 0x28 {
        let expected = "EXTERNAL (0x28) in the dialogue portion";
        return Err(at(
            v,
            ErrorKind::UnexpectedTag {
                expected,
                found: id,
            },
        ));
    }
    // The direct-reference is nearly always dialogue-as-id, and [0] follows it.
    let single = match external.strip_prefix(&DIALOGUE_AS_ID[..]) {
        Some(after) => match elem_of(after, 0xa0) {
            Some((0xa0, single, _)) => Some(single),
            _ => find(external, 0xa0),
        },
        None => find(external, 0xa0),
    };
    let Some(single) = single else {
        let why = "dialogue portion without single-ASN1-type [0]";
        return Err(at(external, ErrorKind::Invalid(why)));
    };
    if single.is_empty() {
        return Err(at(single, empty));
    }
    let (id, mut elements, _) =
        elem(single).ok_or_else(|| located(data, single, elem_error(single)))?;
    let pdu = match id {
        0x60 => DialoguePdu::Request,
        0x61 => DialoguePdu::Response,
        0x64 => DialoguePdu::Abort,
        found => {
            let expected = "AARQ (0x60), AARE (0x61) or ABRT (0x64)";
            return Err(at(single, ErrorKind::UnexpectedTag { expected, found }));
        }
    };
    let mut d = Dialogue {
        pdu,
        acn: None,
        result: None,
    };
    let (mut acn_seen, mut result_seen) = (false, false);
    // An AARQ or AARE nearly always opens with protocol-version [0] (version1), which is not
    // read.
    if let Some(rest) = elements.strip_prefix(&[0x80, 0x02, 0x07, 0x80]) {
        elements = rest;
    }
    // The application-context-name [1] comes next in an AARQ or AARE.
    if let Some((0xa1, value, rest)) = elem_of(elements, 0xa1) {
        acn_seen = true;
        d.acn = acn(value);
        elements = rest;
    }
    while !elements.is_empty() {
        let (id, value, rest) =
            elem(elements).ok_or_else(|| located(data, elements, elem_error(elements)))?;
        match id {
            0xa1 if !acn_seen => {
                acn_seen = true;
                d.acn = acn(value);
            }
            0xa2 if !result_seen => {
                result_seen = true;
                d.result = find(value, 0x02).and_then(ber::integer);
            }
            _ => {}
        }
        elements = rest;
    }
    Ok(d)
}

/// An application-context-name `[1]`'s OID: nearly always its only element.
#[inline(always)]
fn acn(value: &[u8]) -> Option<Oid<'_>> {
    match elem_of(value, 0x06) {
        Some((0x06, oid, _)) => Some(Oid(oid)),
        _ => find(value, 0x06).map(Oid),
    }
}

/// The components of a message, in order. Error offsets count from the start of the TCAP
/// message. Yields an error once and then stops.
#[derive(Debug, Clone)]
pub struct Components<'a> {
    message: &'a [u8],
    rest: &'a [u8],
    count: usize,
}

impl<'a> Components<'a> {
    /// The components of `m`.
    pub fn new(m: &Message<'a>) -> Self {
        Components {
            message: m.raw,
            rest: m.components,
            count: 0,
        }
    }

    /// Stop after `e`.
    #[cold]
    fn failed(&mut self, e: DecodeError) -> Option<Result<Component<'a>, DecodeError>> {
        self.rest = &[];
        Some(Err(e))
    }
}

impl<'a> Iterator for Components<'a> {
    type Item = Result<Component<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let i = self.rest;
        if i.is_empty() {
            return None;
        }
        let Some((id, body, rest)) = elem(i) else {
            return self.failed(located(self.message, i, elem_error(i)));
        };
        self.count += 1;
        if self.count > MAX_COMPONENTS {
            let e = DecodeError::new(
                Layer::Tcap,
                ErrorKind::TooMany("components"),
                offset_in(self.message, i),
            );
            return self.failed(e);
        }
        let raw = &i[..i.len() - rest.len()];
        match component(id, body, raw) {
            Ok(c) => {
                self.rest = rest;
                Some(Ok(c))
            }
            Err((part, kind)) => {
                let e = DecodeError::new(Layer::Tcap, kind, offset_in(self.message, part));
                self.failed(e)
            }
        }
    }
}

/// A component's error: the part of the message it is about, and why.
type ComponentError<'a> = (&'a [u8], ErrorKind);

/// An element read inside a component: its identifier, contents, and where it starts.
type Element<'a> = (u8, &'a [u8], &'a [u8]);

/// One component (Q.773 §3.2): `identifier`, `body` its contents, `raw` its whole encoding.
#[inline]
fn component<'a>(
    identifier: u8,
    body: &'a [u8],
    raw: &'a [u8],
) -> Result<Component<'a>, ComponentError<'a>> {
    let kind = match identifier {
        0xa1 => ComponentKind::Invoke,
        0xa2 => ComponentKind::ReturnResultLast,
        0xa3 => ComponentKind::ReturnError,
        0xa4 => ComponentKind::Reject,
        0xa7 => ComponentKind::ReturnResult,
        found => {
            let expected = "a component [1] [2] [3] [4] or [7]";
            return Err((raw, ErrorKind::UnexpectedTag { expected, found }));
        }
    };
    let mut c = Component {
        kind,
        invoke_id: None,
        linked_id: None,
        op: None,
        error: None,
        parameter: None,
        problem: None,
    };
    let end = &raw[raw.len()..];
    // The next element of `r`, if any; an element that cannot be read is the error.
    let next = |r: &mut &'a [u8]| -> Result<Option<Element<'a>>, ComponentError<'a>> {
        if r.is_empty() {
            return Ok(None);
        }
        let at = *r;
        match elem(at) {
            Some((id, value, rest)) => {
                *r = rest;
                Ok(Some((id, value, at)))
            }
            None => {
                let p = elem_error(at);
                Err((&at[at.len() - p.remaining.min(at.len())..], p.kind))
            }
        }
    };
    let mut r = body;
    // The invoke ID, nearly always an INTEGER of one octet.
    if let Some((&[0x02, 0x01, id], rest)) = r.split_first_chunk::<3>() {
        c.invoke_id = Some(i64::from(id as i8));
        r = rest;
    } else {
        let Some((id, value, id_at)) = next(&mut r)? else {
            return Err((raw, ErrorKind::Invalid("component without invoke ID")));
        };
        match (kind, id) {
            (_, 0x02) => c.invoke_id = Some(int(value, id_at)?),
            (ComponentKind::Reject, 0x05) => {}
            (_, found) => {
                let expected = "INTEGER invokeID (0x02)";
                return Err((id_at, ErrorKind::UnexpectedTag { expected, found }));
            }
        }
    }
    match kind {
        ComponentKind::Invoke => {
            // A local operation code, nearly always of one octet.
            if let Some((&[0x02, 0x01, op], rest)) = r.split_first_chunk::<3>() {
                c.op = Some(Code::Local(i64::from(op as i8)));
                c.parameter = parameter(rest)?;
                return Ok(c);
            }
            let mut op = next(&mut r)?;
            if let Some((0x80, value, at)) = op {
                c.linked_id = Some(int(value, at)?);
                op = next(&mut r)?;
            }
            let Some(op) = op else {
                return Err((end, ErrorKind::Invalid("Invoke without operation code")));
            };
            c.op = Some(code(op)?);
            c.parameter = parameter(r)?;
        }
        ComponentKind::ReturnResultLast | ComponentKind::ReturnResult => {
            if let Some((id, seq, at)) = next(&mut r)? {
                if id != 0x30 {
                    let expected = "SEQUENCE (0x30) of opCode and result";
                    return Err((
                        at,
                        ErrorKind::UnexpectedTag {
                            expected,
                            found: id,
                        },
                    ));
                }
                let mut s = seq;
                if let Some((&[0x02, 0x01, op], rest)) = s.split_first_chunk::<3>() {
                    c.op = Some(Code::Local(i64::from(op as i8)));
                    s = rest;
                } else if let Some(op) = next(&mut s)? {
                    c.op = Some(code(op)?);
                }
                c.parameter = parameter(s)?;
            }
        }
        ComponentKind::ReturnError => {
            let Some(e) = next(&mut r)? else {
                return Err((end, ErrorKind::Invalid("ReturnError without error code")));
            };
            c.error = Some(code(e)?);
            c.parameter = parameter(r)?;
        }
        ComponentKind::Reject => {
            let Some((id, value, at)) = next(&mut r)? else {
                return Err((end, ErrorKind::Invalid("Reject without problem")));
            };
            if !(0x80..=0x83).contains(&id) {
                let expected = "a problem [0] to [3]";
                return Err((
                    at,
                    ErrorKind::UnexpectedTag {
                        expected,
                        found: id,
                    },
                ));
            }
            c.problem = Some((id & 0x1f, ber::integer(value).unwrap_or(-1)));
        }
    }
    Ok(c)
}

/// The parameter: the first element of `r`, undecoded, if any.
#[inline(always)]
fn parameter(r: &[u8]) -> Result<Option<ber::Tlv<'_>>, ComponentError<'_>> {
    if r.is_empty() {
        return Ok(None);
    }
    match parse_ber_tlv(r) {
        Ok((_, t)) => Ok(Some(t)),
        Err(nom::Err::Error(p) | nom::Err::Failure(p)) => {
            Err((&r[r.len() - p.remaining.min(r.len())..], p.kind))
        }
        Err(nom::Err::Incomplete(_)) => {
            let have = r.len() as u32;
            Err((r, ErrorKind::Truncated { need: 0, have }))
        }
    }
}

/// An INTEGER (invoke ID, linked ID, local code), whose element starts at `at`.
#[inline(always)]
fn int<'a>(value: &[u8], at: &'a [u8]) -> Result<i64, ComponentError<'a>> {
    match *value {
        [b] => Ok(i64::from(b as i8)),
        _ => ber::integer(value)
            .ok_or((at, ErrorKind::Invalid("INTEGER of 0 or more than 8 octets"))),
    }
}

/// An operation or error code: localValue INTEGER or globalValue OID.
#[inline(always)]
fn code<'a>((id, value, at): Element<'a>) -> Result<Code<'a>, ComponentError<'a>> {
    match id {
        0x02 => Ok(Code::Local(int(value, at)?)),
        0x06 => Ok(Code::Global(Oid(value))),
        found => {
            let expected = "localValue INTEGER (0x02) or globalValue OID (0x06)";
            Err((at, ErrorKind::UnexpectedTag { expected, found }))
        }
    }
}

/// The readers the one above replaced (a fixed-layout reader and an element-by-element one),
/// which it is held to: the same messages, components and dialogues, the same errors.
#[cfg(test)]
#[allow(dead_code)]
mod reference {
    use super::super::{
        Code, Component, ComponentKind, Dialogue, DialoguePdu, Message, Tcap, TcapKind,
        MAX_COMPONENTS,
    };
    use crate::ber::{self, parse_ber_tlv, Oid, Tlv, Tlvs};
    use crate::error::{
        complete, fail, located, offset_in, DecodeError, ErrorKind, Layer, PErr, PResult,
    };

    /// Decode a TCAP message: the transaction and dialogue portions. Components are read with
    /// [`Components`]. Errors name the element that Q.773's `TCAPMessages` module requires.
    pub(super) fn parse_tcap_message(data: &[u8]) -> Result<Tcap<'_>, DecodeError> {
        match straight_message(data) {
            Some(m) => Ok(Tcap::Itu(m)),
            None => general_message(data),
        }
    }

    /// [`parse_tcap_message`] element by element: any layout, and every error.
    #[inline(never)]
    pub(super) fn general_message(data: &[u8]) -> Result<Tcap<'_>, DecodeError> {
        let r = located(Layer::Tcap, data, tcap);
        complete(data, Layer::Tcap, r)
    }

    /// A Begin, Continue or End laid out as nearly every one is: its transaction IDs, then at
    /// most a dialogue portion and a component portion, in that order, and nothing else, each
    /// element in a short form ([`element`]). Read straight off the bytes instead of through
    /// [`tcap`]'s element loop and its errors. `None` for anything else,
    /// which [`tcap`] reads (and reports, when it is wrong); where both read a message they read
    /// the same one.
    #[inline]
    fn straight_message(i: &[u8]) -> Option<Message<'_>> {
        let kind = match i.first()? {
            0x62 => TcapKind::Begin,
            0x65 => TcapKind::Continue,
            0x64 => TcapKind::End,
            _ => return None,
        };
        let (value, after) = element(i, i[0])?;
        let mut m = bare(kind, &i[..i.len() - after.len()]);
        let mut rest = value;
        // Transaction IDs: 1 to 4 octets (Q.773 OrigTransactionID, DestTransactionID).
        let tid = |t: &[u8]| (1..=4).contains(&t.len());
        if kind != TcapKind::End {
            let (otid, r) = element(rest, 0x48).filter(|(t, _)| tid(t))?;
            (rest, m.otid) = (r, Some(otid));
        }
        if kind != TcapKind::Begin {
            let (dtid, r) = element(rest, 0x49).filter(|(t, _)| tid(t))?;
            (rest, m.dtid) = (r, Some(dtid));
        }
        if let Some((portion, r)) = element(rest, 0x6b) {
            (rest, m.dialogue) = (r, Some(dialogue(portion).ok()?));
        }
        if let Some((components, r)) = element(rest, 0x6c) {
            (rest, m.components) = (r, components);
        }
        rest.is_empty().then_some(m)
    }

    /// A message of `kind` whose encoding is `raw`, before its elements are read.
    #[inline(always)]
    fn bare(kind: TcapKind, raw: &[u8]) -> Message<'_> {
        Message {
            kind,
            otid: None,
            dtid: None,
            dialogue: None,
            p_abort_cause: None,
            components: &[],
            raw,
        }
    }

    /// An element with identifier `id` and a length in one octet, or in two as `81 l`: its
    /// contents and what follows it. These are the forms [`parse_ber_tlv`] reads inline, and it
    /// reads them alike; `None` for anything else. (Written out rather than shared with
    /// `parse_ber_tlv` through one helper: both ways of sharing it tried cost 18 and 28 Ir a TCAP
    /// message in `ir map`, from how the two then inline.)
    #[inline(always)]
    fn element(i: &[u8], id: u8) -> Option<(&[u8], &[u8])> {
        let (header, len) = match *i {
            [x, l, ..] if x == id && l < 0x80 => (2, usize::from(l)),
            [x, 0x81, l, ..] if x == id => (3, usize::from(l)),
            _ => return None,
        };
        let contents = i.get(header..header + len)?;
        Some((contents, &i[header + len..]))
    }

    fn tcap(i: &[u8]) -> PResult<'_, Tcap<'_>> {
        let Some(&first) = i.first() else {
            return fail(i, ErrorKind::Truncated { need: 2, have: 0 });
        };
        let kind = match first {
            0x61 => TcapKind::Unidirectional,
            0x62 => TcapKind::Begin,
            0x64 => TcapKind::End,
            0x65 => TcapKind::Continue,
            0x67 => TcapKind::Abort,
            // T1.114 package types: private class, constructed.
            0xe1..=0xe6 | 0xf6 => return Ok((&i[i.len()..], Tcap::Ansi(first))),
            found => {
                return fail(
                    i,
                    ErrorKind::UnexpectedTag {
                        expected: "a TCAP message type (Q.773 TCMessage)",
                        found,
                    },
                )
            }
        };
        let (rest, outer) = parse_ber_tlv(i)?;
        let mut m = bare(kind, &i[..i.len() - rest.len()]);
        let mut elems = Tlvs::new(outer.value).peekable();
        let mut next = || elems.next().transpose();
        // The elements each message type has, in the order TCAPMessages lists them.
        let expect_tid =
            |t: Option<Tlv<'_>>, id: u8, what: &'static str, at: &[u8]| -> Result<(), PErr> {
                match t {
                    Some(t) if t.identifier == id => Ok(()),
                    Some(t) => Err(PErr::at(
                        t.raw,
                        ErrorKind::UnexpectedTag {
                            expected: what,
                            found: t.identifier,
                        },
                    )),
                    None => Err(PErr::at(&at[at.len()..], ErrorKind::Invalid(what))),
                }
            };
        let err = nom::Err::Error;
        // Q.773: Begin carries the originating ID, End and Abort the destination's, Continue
        // both, in that order.
        if matches!(kind, TcapKind::Begin | TcapKind::Continue) {
            let t = next().map_err(err)?;
            expect_tid(
                t,
                0x48,
                "[APPLICATION 8] OrigTransactionID (0x48)",
                outer.value,
            )
            .map_err(err)?;
            m.otid = t.map(|t| t.value);
        }
        if matches!(kind, TcapKind::Continue | TcapKind::End | TcapKind::Abort) {
            let t = next().map_err(err)?;
            expect_tid(
                t,
                0x49,
                "[APPLICATION 9] DestTransactionID (0x49)",
                outer.value,
            )
            .map_err(err)?;
            m.dtid = t.map(|t| t.value);
        }
        for tid in [m.otid, m.dtid].into_iter().flatten() {
            if tid.is_empty() || tid.len() > 4 {
                return fail(
                    tid,
                    ErrorKind::Invalid("transaction ID is not 1 to 4 octets"),
                );
            }
        }
        while let Some(t) = next().map_err(err)? {
            match (kind, t.identifier) {
                (TcapKind::Abort, 0x4a) => m.p_abort_cause = ber::integer(t.value),
                (_, 0x6b) if m.dialogue.is_none() && m.components.is_empty() => {
                    m.dialogue = Some(dialogue(t.value).map_err(err)?);
                }
                (TcapKind::Abort, _) => {
                    return fail(
                        t.raw,
                        ErrorKind::UnexpectedTag {
                            expected: "P-AbortCause (0x4a) or a dialogue portion (0x6b)",
                            found: t.identifier,
                        },
                    )
                }
                (_, 0x6c) if m.components.is_empty() => m.components = t.value,
                (_, found) => {
                    return fail(
                        t.raw,
                        ErrorKind::UnexpectedTag {
                            expected: "[APPLICATION 11] DialoguePortion (0x6b) or [APPLICATION 12] ComponentPortion (0x6c)",
                            found,
                        },
                    )
                }
            }
        }
        if kind == TcapKind::Unidirectional && m.components.is_empty() {
            return fail(
                &outer.value[outer.value.len()..],
                ErrorKind::Invalid("Unidirectional without components"),
            );
        }
        Ok((rest, Tcap::Itu(m)))
    }

    /// The direct-reference of an ITU dialogue portion's EXTERNAL: the OID dialogue-as-id
    /// {itu-t recommendation q 773 as(1) dialogue-as(1) version1(1)}, Q.773 §4.2.1.
    pub(super) const DIALOGUE_AS_ID: [u8; 9] =
        [0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01];

    /// The single-ASN1-type's contents of a dialogue portion laid out as nearly every one is:
    /// EXTERNAL, dialogue-as-id, `[0]`, all with one-octet lengths. Read at fixed offsets, the
    /// same octets [`dialogue`] would reach element by element; `None` for any other layout,
    /// which that reading takes (and reports, when it is wrong).
    fn dialogue_single_short(v: &[u8]) -> Option<&[u8]> {
        let [0x28, l1, rest @ ..] = v else {
            return None;
        };
        let ext = rest.get(..usize::from(*l1)).filter(|_| *l1 < 0x80)?;
        let (oid, rest) = ext.split_at_checked(DIALOGUE_AS_ID.len())?;
        let [0xa0, l2, single @ ..] = rest else {
            return None;
        };
        if oid != DIALOGUE_AS_ID || *l2 >= 0x80 {
            return None;
        }
        single.get(..usize::from(*l2))
    }

    /// The single-ASN1-type's contents of a dialogue portion, element by element.
    fn dialogue_single(v: &[u8]) -> Result<&[u8], PErr> {
        let ext = first(v)?;
        if ext.identifier != 0x28 {
            return Err(PErr::at(
                ext.raw,
                ErrorKind::UnexpectedTag {
                    expected: "EXTERNAL (0x28) in the dialogue portion",
                    found: ext.identifier,
                },
            ));
        }
        match ber::find(ext.value, 0xa0) {
            Some(single) => Ok(single.value),
            None => Err(PErr::at(
                ext.value,
                ErrorKind::Invalid("dialogue portion without single-ASN1-type [0]"),
            )),
        }
    }

    /// The dialogue portion: EXTERNAL { direct-reference, single-ASN1-type [0] DialoguePDU }.
    fn dialogue(v: &[u8]) -> Result<Dialogue<'_>, PErr> {
        dialogue_read(v, true)
    }

    /// [`dialogue`]; `fixed`: take the layout nearly every dialogue portion has at fixed
    /// offsets (tests compare it with the element-by-element reading).
    #[inline]
    pub(super) fn dialogue_read(v: &[u8], fixed: bool) -> Result<Dialogue<'_>, PErr> {
        let single = match dialogue_single_short(v).filter(|_| fixed) {
            Some(single) => single,
            None => dialogue_single(v)?,
        };
        let kind = |identifier| match identifier {
            0x60 => Some(DialoguePdu::Request),
            0x61 => Some(DialoguePdu::Response),
            0x64 => Some(DialoguePdu::Abort),
            _ => None,
        };
        // The PDU, in one of the forms `first` reads inline too, or as `first` reads it.
        let straight = single
            .first()
            .filter(|_| fixed)
            .and_then(|&id| Some((kind(id)?, element(single, id)?.0)));
        let (kind, pdu) = match straight {
            Some(pdu) => pdu,
            None => {
                let pdu = first(single)?;
                let Some(kind) = kind(pdu.identifier) else {
                    return Err(PErr::at(
                        pdu.raw,
                        ErrorKind::UnexpectedTag {
                            expected: "AARQ (0x60), AARE (0x61) or ABRT (0x64)",
                            found: pdu.identifier,
                        },
                    ));
                };
                (kind, pdu.value)
            }
        };
        // Every element of the PDU must decode; the first [1] and [2] are the ones used.
        let mut d = Dialogue {
            pdu: kind,
            acn: None,
            result: None,
        };
        let (mut acn_seen, mut result_seen) = (false, false);
        let mut elements = pdu;
        // An AARQ or AARE nearly always opens with protocol-version [0] (version1) and an
        // application-context-name [1] holding just the OID, in short lengths: read them at
        // fixed offsets, the same octets the loop below would find.
        if let [0x80, 0x02, 0x07, 0x80, 0xa1, l1, 0x06, l2, rest @ ..] = elements {
            let (l1, l2) = (usize::from(*l1), usize::from(*l2));
            if fixed && l1 < 0x80 && l1 == l2 + 2 && l2 <= rest.len() {
                d.acn = Some(Oid(&rest[..l2]));
                acn_seen = true;
                elements = &rest[l2..];
            }
        }
        for t in Tlvs::new(elements) {
            let t = t?;
            match t.identifier {
                0xa1 if !acn_seen => {
                    acn_seen = true;
                    d.acn = ber::find(t.value, 0x06).map(|o| Oid(o.value));
                }
                0xa2 if !result_seen => {
                    result_seen = true;
                    d.result = ber::find(t.value, 0x02).and_then(|n| ber::integer(n.value));
                }
                _ => {}
            }
        }
        Ok(d)
    }

    #[inline]
    fn first(v: &[u8]) -> Result<Tlv<'_>, PErr> {
        match Tlvs::new(v).next() {
            Some(r) => r,
            None => Err(PErr::at(v, ErrorKind::Truncated { need: 2, have: 0 })),
        }
    }

    /// The components of a message, in order. Error offsets count from the start of the TCAP
    /// message. Yields an error once and then stops.
    #[derive(Debug, Clone)]
    pub(super) struct Components<'a> {
        message: &'a [u8],
        inner: Tlvs<'a>,
        count: usize,
        failed: bool,
    }

    impl<'a> Components<'a> {
        /// The components of `m`.
        pub(super) fn new(m: &Message<'a>) -> Self {
            Components {
                message: m.raw,
                inner: Tlvs::new(m.components),
                count: 0,
                failed: false,
            }
        }

        fn error(&mut self, p: PErr, within: &[u8]) -> DecodeError {
            self.failed = true;
            let consumed = within.len() - p.remaining.min(within.len());
            DecodeError::new(
                Layer::Tcap,
                p.kind,
                offset_in(self.message, within) + consumed,
            )
        }
    }

    impl<'a> Iterator for Components<'a> {
        type Item = Result<Component<'a>, DecodeError>;

        fn next(&mut self) -> Option<Self::Item> {
            if self.failed {
                return None;
            }
            if self.count < MAX_COMPONENTS {
                if let Some((c, rest)) = straight_component(self.inner.remaining()) {
                    self.count += 1;
                    self.inner.resume(rest);
                    return Some(Ok(c));
                }
            }
            let t = match self.inner.next()? {
                Ok(t) => t,
                Err(p) => {
                    let all = self.message;
                    return Some(Err(
                        self.error(p, &all[all.len() - p.remaining.min(all.len())..])
                    ));
                }
            };
            self.count += 1;
            if self.count > MAX_COMPONENTS {
                return Some(Err(
                    self.error(PErr::at(t.raw, ErrorKind::TooMany("components")), t.raw)
                ));
            }
            Some(component(&t).map_err(|p| self.error(p, t.raw)))
        }
    }

    /// An Invoke, ReturnResultLast or ReturnResult laid out as nearly all are (short lengths, a
    /// one-octet invoke ID, no linked ID, a one-octet local operation code), read straight off
    /// the bytes, with what follows it. `None` for anything else, and for whatever [`component`]
    /// would refuse; where both read a component they read the same one.
    #[inline]
    fn straight_component(i: &[u8]) -> Option<(Component<'_>, &[u8])> {
        let [identifier, len, body @ ..] = i else {
            return None;
        };
        if *len >= 0x80 {
            return None;
        }
        let (body, rest) = body.split_at_checked(usize::from(*len))?;
        let kind = match identifier {
            0xa1 => ComponentKind::Invoke,
            0xa2 => ComponentKind::ReturnResultLast,
            0xa7 => ComponentKind::ReturnResult,
            _ => return None,
        };
        let [0x02, 0x01, invoke_id, after @ ..] = body else {
            return None;
        };
        let operation = match kind {
            ComponentKind::Invoke => after,
            _ => match after {
                [0x30, l, seq @ ..] if usize::from(*l) <= seq.len() && *l < 0x80 => {
                    &seq[..usize::from(*l)]
                }
                _ => return None,
            },
        };
        let [0x02, 0x01, op, parameter @ ..] = operation else {
            return None;
        };
        let parameter = match parameter {
            [] => None,
            p => Some(parse_ber_tlv(p).ok()?.1),
        };
        let c = Component {
            kind,
            invoke_id: Some(i64::from(*invoke_id as i8)),
            linked_id: None,
            op: Some(Code::Local(i64::from(*op as i8))),
            error: None,
            parameter,
            problem: None,
        };
        Some((c, rest))
    }

    fn component<'a>(t: &Tlv<'a>) -> Result<Component<'a>, PErr> {
        let kind = match t.identifier {
            0xa1 => ComponentKind::Invoke,
            0xa2 => ComponentKind::ReturnResultLast,
            0xa3 => ComponentKind::ReturnError,
            0xa4 => ComponentKind::Reject,
            0xa7 => ComponentKind::ReturnResult,
            found => {
                return Err(PErr::at(
                    t.raw,
                    ErrorKind::UnexpectedTag {
                        expected: "a component [1] [2] [3] [4] or [7]",
                        found,
                    },
                ))
            }
        };
        let mut c = Component {
            kind,
            invoke_id: None,
            linked_id: None,
            op: None,
            error: None,
            parameter: None,
            problem: None,
        };
        let mut it = Tlvs::new(t.value);
        let mut next = || it.next().transpose();
        let id = next()?
            .ok_or_else(|| PErr::at(t.raw, ErrorKind::Invalid("component without invoke ID")))?;
        match (kind, id.identifier) {
            (_, 0x02) => c.invoke_id = Some(int(&id)?),
            (ComponentKind::Reject, 0x05) => {}
            (_, found) => {
                return Err(PErr::at(
                    id.raw,
                    ErrorKind::UnexpectedTag {
                        expected: "INTEGER invokeID (0x02)",
                        found,
                    },
                ))
            }
        }
        match kind {
            ComponentKind::Invoke => {
                let mut op = next()?;
                if let Some(l) = op.filter(|l| l.identifier == 0x80) {
                    c.linked_id = Some(int(&l)?);
                    op = next()?;
                }
                let op = op.ok_or_else(|| {
                    PErr::at(
                        &t.raw[t.raw.len()..],
                        ErrorKind::Invalid("Invoke without operation code"),
                    )
                })?;
                c.op = Some(code(&op)?);
                c.parameter = next()?;
            }
            ComponentKind::ReturnResultLast | ComponentKind::ReturnResult => {
                if let Some(seq) = next()? {
                    if seq.identifier != 0x30 {
                        return Err(PErr::at(
                            seq.raw,
                            ErrorKind::UnexpectedTag {
                                expected: "SEQUENCE (0x30) of opCode and result",
                                found: seq.identifier,
                            },
                        ));
                    }
                    let mut r = Tlvs::new(seq.value);
                    if let Some(op) = r.next().transpose()? {
                        c.op = Some(code(&op)?);
                    }
                    c.parameter = r.next().transpose()?;
                }
            }
            ComponentKind::ReturnError => {
                let e = next()?.ok_or_else(|| {
                    PErr::at(
                        &t.raw[t.raw.len()..],
                        ErrorKind::Invalid("ReturnError without error code"),
                    )
                })?;
                c.error = Some(code(&e)?);
                c.parameter = next()?;
            }
            ComponentKind::Reject => {
                let p = next()?.ok_or_else(|| {
                    PErr::at(
                        &t.raw[t.raw.len()..],
                        ErrorKind::Invalid("Reject without problem"),
                    )
                })?;
                if !(0x80..=0x83).contains(&p.identifier) {
                    return Err(PErr::at(
                        p.raw,
                        ErrorKind::UnexpectedTag {
                            expected: "a problem [0] to [3]",
                            found: p.identifier,
                        },
                    ));
                }
                c.problem = Some((p.identifier & 0x1f, ber::integer(p.value).unwrap_or(-1)));
            }
        }
        Ok(c)
    }

    fn int(t: &Tlv<'_>) -> Result<i64, PErr> {
        ber::integer(t.value).ok_or_else(|| {
            PErr::at(
                t.raw,
                ErrorKind::Invalid("INTEGER of 0 or more than 8 octets"),
            )
        })
    }

    fn code<'a>(t: &Tlv<'a>) -> Result<Code<'a>, PErr> {
        match t.identifier {
            0x02 => Ok(Code::Local(int(t)?)),
            0x06 => Ok(Code::Global(Oid(t.value))),
            found => Err(PErr::at(
                t.raw,
                ErrorKind::UnexpectedTag {
                    expected: "localValue INTEGER (0x02) or globalValue OID (0x06)",
                    found,
                },
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    /// The transaction and dialogue portions of pcapr-m3ua-map-mixed.pcap frame 1, with the
    /// invoke cut down to its invoke ID and operation code.
    const BEGIN: [u8; 50] = hex!(
        "62 30 48 04 41 5e ae b7"
        "6b 1e 28 1c 06 07 00 11 86 05 01 01 01 a0 11 60 0f 80 02 07 80 a1 09 06 07 04 00 00 01 00 10 03"
        "6c 08 a1 06 02 01 80 02 01 07"
    );

    /// Where the reader puts an error: an unexpected tag at that tag's octet. (The reference
    /// counted every place from the end of the input, which was right only for errors in the
    /// last element; its places are not compared.)
    fn well_placed(data: &[u8], e: &DecodeError) {
        if let ErrorKind::UnexpectedTag { found, .. } = e.kind {
            assert_eq!(data.get(e.offset), Some(&found), "{e} in {data:02x?}");
        }
    }

    /// The component reader agrees with the reference on an Invoke, a ReturnResultLast and a
    /// ReturnResult (which it must read), every cut of them, every octet replaced by a few
    /// telling values, and a component followed by another: the same components, or the same
    /// error.
    #[test]
    fn component_reader_is_the_reference() {
        fn agree(i: &[u8]) -> bool {
            // As the component portion of an End.
            let mut msg = vec![0x64, 0x00, 0x49, 0x01, 0x05, 0x6c, 0x81, i.len() as u8];
            msg.extend_from_slice(i);
            msg[1] = (msg.len() - 2) as u8;
            if msg.len() - 2 >= 0x80 {
                return false;
            }
            let Ok(Tcap::Itu(m)) = parse_tcap_message(&msg) else {
                panic!("{msg:02x?}");
            };
            let got: Vec<_> = Components::new(&m).collect();
            let Ok(Tcap::Itu(r)) = reference::parse_tcap_message(&msg) else {
                panic!("{msg:02x?}");
            };
            let want: Vec<_> = reference::Components::new(&r).collect();
            assert_eq!(got.len(), want.len(), "{i:02x?}");
            for (g, w) in got.iter().zip(&want) {
                match (g, w) {
                    (Ok(g), Ok(w)) => assert_eq!(format!("{g:?}"), format!("{w:?}"), "{i:02x?}"),
                    (Err(g), Err(w)) => {
                        assert_eq!(g.kind, w.kind, "{i:02x?}");
                        well_placed(&msg[..m.raw.len()], g);
                    }
                    _ => panic!("{g:?} / {w:?} for {i:02x?}"),
                }
            }
            got.first().is_some_and(Result::is_ok)
        }
        let samples: [&[u8]; 3] = [
            &hex!("a1 0c 02 01 01 02 01 2e 30 04 80 02 21 43"),
            &hex!("a2 0d 02 01 ff 30 08 02 01 2d 30 03 04 01 05"),
            &hex!("a7 08 02 01 02 30 03 02 01 2d"),
        ];
        for v in samples {
            let mut twice = v.to_vec();
            twice.extend_from_slice(v);
            assert!(agree(v), "not read: {v:02x?}");
            agree(&twice);
            for n in 0..v.len() {
                agree(&v[..n]);
            }
            for k in 0..v.len() {
                for b in [
                    0, 1, 2, 3, 0x04, 0x05, 0x06, 0x30, 0x7f, 0x80, 0x81, 0xa1, 0xa2, 0xa3, 0xa4,
                    0xff,
                ] {
                    let mut w = v.to_vec();
                    w[k] = b;
                    agree(&w);
                }
            }
        }
    }

    /// The message reader agrees with the reference on a Begin with a dialogue portion, a
    /// Continue, an End with and without components (which it must read), every cut of them,
    /// every octet replaced by a few telling values, and with octets after them: the same
    /// message, or the same error.
    #[test]
    fn message_reader_is_the_reference() {
        fn agree(i: &[u8]) -> bool {
            let got = parse_tcap_message(i);
            let want = reference::general_message(i);
            match (&got, &want) {
                (Ok(g), Ok(w)) => assert_eq!(format!("{g:?}"), format!("{w:?}"), "{i:02x?}"),
                (Err(g), Err(w)) => {
                    assert_eq!(g.kind, w.kind, "{i:02x?}");
                    well_placed(i, g);
                }
                _ => panic!("{got:?} / {want:?} for {i:02x?}"),
            }
            got.is_ok()
        }
        let samples: [&[u8]; 6] = [
            &BEGIN,
            &hex!("62 81 0b 48 01 01 6c 06 a1 04 02 01 01 02"),
            &hex!("65 16 48 04 a5 05 00 01 49 04 84 00 01 ff 6c 08 a1 06 02 01 02 02 01 38"),
            &hex!("64 12 49 01 05 6c 0d a2 0b 02 01 01 30 06 02 01 2d 04 01 f1"),
            &hex!("64 03 49 01 05"),
            &hex!("62 0b 48 01 01 6c 06 a1 04 02 01 01 02"),
        ];
        // Transaction IDs of no and of five octets, which Q.773 does not allow; an Abort.
        for v in [
            &hex!("64 02 49 00")[..],
            &hex!("62 02 48 00"),
            &hex!("64 07 49 05 01 02 03 04 05"),
            &hex!("67 03 49 01 05"),
        ] {
            agree(v);
        }
        // An indefinite length whose contents and end-of-contents octets span 0x80 + 2
        // octets: read as a length of 128, it would look like a message of its own.
        let mut indefinite = hex!("62 80 48 01 01 6c 7b").to_vec();
        indefinite.extend_from_slice(&[0x05; 0x7b]);
        indefinite.extend_from_slice(&[0, 0]);
        assert!(agree(&indefinite));
        for v in samples {
            assert!(agree(v), "not read: {v:02x?}");
            let mut longer = v.to_vec();
            longer.extend_from_slice(&[0x6c, 0x00]);
            agree(&longer);
            for n in 0..v.len() {
                agree(&v[..n]);
            }
            for k in 0..v.len() {
                for b in [
                    0, 1, 2, 4, 5, 0x28, 0x48, 0x49, 0x61, 0x62, 0x64, 0x65, 0x67, 0x6b, 0x6c,
                    0x7f, 0x80, 0x81, 0x82, 0xa0, 0xff,
                ] {
                    let mut w = v.to_vec();
                    w[k] = b;
                    agree(&w);
                }
            }
        }
    }

    /// The dialogue reader agrees with the reference on a dialogue portion, every cut of it,
    /// every octet (and pairs of octets) replaced by telling values, a long-form length that
    /// could pass for a short one, and octets after it: the same dialogue, or the same error.
    #[test]
    fn dialogue_reader_is_the_reference() {
        let portion = &BEGIN[10..40];
        assert_eq!(portion[0], 0x28);
        let mut cases: Vec<Vec<u8>> = (0..=portion.len()).map(|n| portion[..n].to_vec()).collect();
        for i in 0..portion.len() {
            for b in [0x00, 0x01, 0x06, 0x28, 0x7f, 0x80, 0x81, 0xa0, 0xff] {
                let mut c = portion.to_vec();
                c[i] = b;
                cases.push(c);
            }
        }
        // Two octets replaced: long-form lengths that could pass for short ones.
        for i in 0..portion.len() {
            for j in i + 1..portion.len() {
                for (a, b) in [(0x81, 0x7f), (0x81, 0x06), (0x82, 0x00), (0x7f, 0x7d)] {
                    let mut c = portion.to_vec();
                    c[i] = a;
                    c[j] = b;
                    cases.push(c);
                }
            }
        }
        // A long-form application-context-name length whose octets could pass for short
        // ones (`a1 81 06 7f`: six octets, not an OID of 127), in a PDU long enough for it.
        let tlv = |id: u8, content: &[u8]| {
            let mut t = vec![id];
            if content.len() < 0x80 {
                t.push(content.len() as u8);
            } else {
                t.extend_from_slice(&[0x81, content.len() as u8]);
            }
            t.extend_from_slice(content);
            t
        };
        let mut elements = vec![0x80, 0x02, 0x07, 0x80, 0xa1, 0x81, 0x06];
        elements.extend_from_slice(&[0x7f, 0, 0, 0, 0, 0]);
        elements.extend(tlv(0xbe, &[0; 128]));
        let mut external = reference::DIALOGUE_AS_ID.to_vec();
        external.extend(tlv(0xa0, &tlv(0x60, &elements)));
        cases.push(tlv(0x28, &external));
        let mut longer = portion.to_vec();
        longer.extend_from_slice(&[0x05, 0x00]);
        cases.push(longer);
        for c in &cases {
            let (got, want) = (dialogue(c, c), reference::dialogue_read(c, false));
            match (&got, &want) {
                (Ok(g), Ok(w)) => assert_eq!(format!("{g:?}"), format!("{w:?}"), "{c:02x?}"),
                (Err(g), Err(w)) => {
                    assert_eq!(g.kind, w.kind, "{c:02x?}");
                    well_placed(c, g);
                }
                _ => panic!("{got:?} / {want:?} for {c:02x?}"),
            }
        }
        assert_eq!(
            dialogue(portion, portion).unwrap().acn.unwrap().to_string(),
            "0.4.0.0.1.0.16.3"
        );
    }

    #[test]
    fn begin_with_dialogue() {
        let v = BEGIN;
        let Tcap::Itu(m) = parse_tcap_message(&v).unwrap() else {
            panic!()
        };
        assert_eq!(m.kind, TcapKind::Begin);
        assert_eq!(m.otid, Some(&hex!("41 5e ae b7")[..]));
        let d = m.dialogue.unwrap();
        assert_eq!(d.pdu, DialoguePdu::Request);
        assert_eq!(d.acn.unwrap().to_string(), "0.4.0.0.1.0.16.3");
        let comps: Vec<_> = Components::new(&m).collect::<Result<_, _>>().unwrap();
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].kind, ComponentKind::Invoke);
        assert_eq!(comps[0].invoke_id, Some(-128));
        assert_eq!(comps[0].op, Some(Code::Local(7)));
        assert!(comps[0].parameter.is_none());
    }

    #[test]
    fn context_class_transaction_id_is_malformed() {
        // sigtran-net-m3ua-tcap-e2e.pcap writes the OTID as [CONTEXT 8] (0x88). Q.773's
        // TCAPMessages module has `OrigTransactionID ::= [APPLICATION 8] IMPLICIT OCTET STRING`,
        // which encodes as 0x48; tshark marks these frames malformed as well.
        let v = hex!("62 06 88 04 00 00 00 01");
        let e = parse_tcap_message(&v).unwrap_err();
        assert_eq!(e.layer, Layer::Tcap);
        assert_eq!(e.offset, 2);
        assert_eq!(
            e.kind,
            ErrorKind::UnexpectedTag {
                expected: "[APPLICATION 8] OrigTransactionID (0x48)",
                found: 0x88
            }
        );
    }

    /// An error in an element that is not the message's last is placed at that element. The
    /// reader this one replaced counted every place from the end of the input, so it put this
    /// one 32 octets too far (past the dialogue portion that follows).
    #[test]
    fn errors_are_placed_at_their_element() {
        let mut v = BEGIN;
        v[2] = 0x88; // the OTID written [CONTEXT 8], as sigtran-net's capture has it
        let e = parse_tcap_message(&v).unwrap_err();
        assert_eq!((e.offset, v[e.offset]), (2, 0x88), "{e}");
        let old = reference::general_message(&v).unwrap_err();
        assert_eq!((old.kind, old.offset), (e.kind, 2 + 42));
    }

    /// Q.773 writes each message type as a SEQUENCE, and an Abort's reason as a CHOICE: a
    /// component portion after another, or a P-AbortCause beside a u-abort dialogue portion,
    /// is no TCAP message a receiver takes (Q.774 aborts such a transaction as badly
    /// formatted). The element loop of the replaced reader let them through.
    #[test]
    fn elements_out_of_the_sequence_are_malformed() {
        let two_portions = hex!("64 0c 49 01 05 6c 00 6c 05 a1 03 02 01 01");
        let e = parse_tcap_message(&two_portions).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::UnexpectedTag { found: 0x6c, .. }),
            "{e}"
        );
        assert_eq!(e.offset, 7);
        assert!(reference::general_message(&two_portions).is_ok());
        let cause_and_dialogue = hex!("67 0a 49 01 05 4a 01 01 6b 02 28 00");
        let e = parse_tcap_message(&cause_and_dialogue).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::UnexpectedTag { found: 0x6b, .. }),
            "{e}"
        );
        assert_eq!(e.offset, 8);
        assert!(matches!(
            reference::general_message(&cause_and_dialogue),
            Err(DecodeError {
                kind: ErrorKind::Invalid(_),
                ..
            })
        ));
        // Each alone is an Abort.
        for v in [
            &hex!("67 06 49 01 05 4a 01 01")[..],
            &hex!("67 03 49 01 05"),
        ] {
            assert!(parse_tcap_message(v).is_ok(), "{v:02x?}");
        }
    }

    #[test]
    fn ansi_is_recognised() {
        assert_eq!(
            parse_tcap_message(&hex!("e2 03 c7 01 00")).unwrap(),
            Tcap::Ansi(0xe2)
        );
    }

    #[test]
    fn end_with_result_error_and_reject() {
        let v = hex!(
            "64 1e 49 01 05 6c 19"
            "a2 08 02 01 01 30 03 02 01 2d"   // returnResultLast op 45, no parameter
            "a3 06 02 01 02 02 01 22"         // returnError systemFailure (34)
            "a4 05 05 00 80 01 00"            // reject, invoke id not derivable, general problem 0
        );
        let Tcap::Itu(m) = parse_tcap_message(&v).unwrap() else {
            panic!()
        };
        assert_eq!(m.dtid, Some(&[5][..]));
        let c: Vec<_> = Components::new(&m).collect::<Result<_, _>>().unwrap();
        assert_eq!(c[0].op, Some(Code::Local(45)));
        assert_eq!(c[1].error, Some(Code::Local(34)));
        assert_eq!((c[2].invoke_id, c[2].problem), (None, Some((0, 0))));
    }

    /// Found by differential fuzzing (fuzz/fuzz_targets/tcap_diff.rs): the `tcap` crate 1.0
    /// returned this Continue with no component at all, the Reject silently dropped; 3.0 refuses
    /// the whole message. The Reject's problem `80 00` is an INTEGER without contents, which
    /// X.690 §8.3.1 forbids, and a stray octet follows it, so its problem code cannot be read.
    /// But the component is a Reject (Q.773 §3.2) of invoke 2, and that is what a probe must
    /// report: dropping it would hide that the peer rejected an operation. sigwatch keeps it,
    /// with the problem code unreadable (-1).
    #[test]
    fn reject_with_an_empty_problem_is_still_a_reject() {
        let v = hex!("65 16 48 04 a5 05 00 01 49 04 84 00 01 ff 6c 08 a4 06 02 01 02 80 00 01");
        let Tcap::Itu(m) = parse_tcap_message(&v).unwrap() else {
            panic!()
        };
        let c: Vec<_> = Components::new(&m).collect::<Result<_, _>>().unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].kind, c[0].invoke_id, c[0].problem),
            (ComponentKind::Reject, Some(2), Some((0, -1)))
        );
    }

    #[test]
    fn bad_component_is_located() {
        let v = hex!("64 0b 49 01 05 6c 06 a5 04 02 01 01 00");
        let Tcap::Itu(m) = parse_tcap_message(&v).unwrap() else {
            panic!()
        };
        let e = Components::new(&m).next().unwrap().unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Tcap, 7));
    }

    #[test]
    fn indefinite_lengths_throughout() {
        let v = hex!(
            "65 80 48 01 01 49 01 02 6c 80 a1 80 02 01 01 02 01 38 04 01 f1 00 00 00 00 00 00"
        );
        let Tcap::Itu(m) = parse_tcap_message(&v).unwrap() else {
            panic!()
        };
        let c = Components::new(&m).next().unwrap().unwrap();
        assert_eq!(c.op, Some(Code::Local(56)));
        assert_eq!(c.parameter.unwrap().value, &[0xf1]);
    }
}
