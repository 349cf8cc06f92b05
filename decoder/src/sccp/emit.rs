use super::{param, MessageType, Segmentation};

/// A global title to write: GTI 4 (TT, NP/ES, NAI) unless `gti` says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GtSpec {
    /// Global title indicator: 1, 2, 3 or 4.
    pub(crate) gti: u8,
    /// Translation type.
    pub(crate) tt: u8,
    /// Numbering plan (1 E.164, 7 E.214).
    pub(crate) np: u8,
    /// Nature of address (4 international).
    pub(crate) nai: u8,
    /// The digits.
    pub(crate) digits: String,
}

impl GtSpec {
    /// An international E.164 global title, GTI 4, TT 0.
    pub(crate) fn e164(digits: &str) -> Self {
        GtSpec {
            gti: 4,
            tt: 0,
            np: 1,
            nai: 4,
            digits: digits.to_owned(),
        }
    }
}

/// A party address to write.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressSpec {
    /// Route on SSN rather than on the global title.
    pub(crate) route_on_ssn: bool,
    /// Point code.
    pub(crate) pc: Option<u32>,
    /// Subsystem number.
    pub(crate) ssn: Option<u8>,
    /// Global title.
    pub(crate) gt: Option<GtSpec>,
}

impl AddressSpec {
    /// Routed on an international E.164 global title, with an SSN.
    pub fn gt(digits: &str, ssn: u8) -> Self {
        AddressSpec {
            route_on_ssn: false,
            pc: None,
            ssn: Some(ssn),
            gt: Some(GtSpec::e164(digits)),
        }
    }
}

/// What [`emit_sccp_unitdata`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitdataSpec {
    /// UDT, UDTS, XUDT, XUDTS, LUDT or LUDTS.
    pub kind: MessageType,
    /// Protocol class and message handling (UDT, XUDT, LUDT), or return cause (services).
    pub(crate) class_or_cause: u8,
    /// Hop counter (extended and long messages).
    pub(crate) hop_counter: u8,
    /// Called party.
    pub(crate) called: AddressSpec,
    /// Calling party.
    pub(crate) calling: AddressSpec,
    /// Segmentation parameter (XUDT, LUDT).
    pub segmentation: Option<Segmentation>,
}

impl UnitdataSpec {
    /// A class 0 UDT, return on error.
    pub fn udt(called: AddressSpec, calling: AddressSpec) -> Self {
        UnitdataSpec {
            kind: MessageType::UDT,
            class_or_cause: 0x80,
            hop_counter: 15,
            called,
            calling,
            segmentation: None,
        }
    }
}

fn encode_address(a: &AddressSpec) -> Vec<u8> {
    let gti = a.gt.as_ref().map_or(0, |g| g.gti & 0x0f);
    let ai = u8::from(a.route_on_ssn) << 6
        | gti << 2
        | u8::from(a.ssn.is_some()) << 1
        | u8::from(a.pc.is_some());
    let mut v = vec![ai];
    if let Some(pc) = a.pc {
        v.extend_from_slice(&((pc & 0x3fff) as u16).to_le_bytes());
    }
    if let Some(ssn) = a.ssn {
        v.push(ssn);
    }
    if let Some(g) = &a.gt {
        let odd = g.digits.len() % 2 == 1;
        match g.gti {
            1 => v.push(u8::from(odd) << 7 | (g.nai & 0x7f)),
            2 => v.push(g.tt),
            3 => v.extend_from_slice(&[g.tt, g.np << 4 | if odd { 1 } else { 2 }]),
            _ => v.extend_from_slice(&[g.tt, g.np << 4 | if odd { 1 } else { 2 }, g.nai & 0x7f]),
        }
        crate::digits::encode_tbcd(&g.digits, &mut v);
        if odd {
            // Q.713 pads an odd count with a filler of 0, not F.
            if let Some(last) = v.last_mut() {
                *last &= 0x0f;
            }
        }
    }
    v
}

/// Append a connectionless SCCP message carrying `data` (TCAP).
pub fn emit_sccp_unitdata(out: &mut Vec<u8>, spec: &UnitdataSpec, data: &[u8]) {
    let called = encode_address(&spec.called);
    let calling = encode_address(&spec.calling);
    let (long, extended) = match spec.kind {
        MessageType::LUDT | MessageType::LUDTS => (true, true),
        MessageType::XUDT | MessageType::XUDTS => (false, true),
        _ => (false, false),
    };
    out.push(spec.kind.0);
    out.push(spec.class_or_cause);
    if extended {
        out.push(spec.hop_counter);
    }
    let mut optional = Vec::new();
    if let Some(s) = spec.segmentation {
        let r = s.local_ref.to_be_bytes();
        optional.extend_from_slice(&[
            param::SEGMENTATION,
            4,
            u8::from(s.first) << 7 | u8::from(s.class1) << 6 | (s.remaining & 0x0f),
            r[1],
            r[2],
            r[3],
        ]);
        optional.push(param::END);
    }
    let n_ptr = if extended { 4 } else { 3 };
    let psize = if long { 2 } else { 1 };
    let data_len_size = if long { 2 } else { 1 };
    // Offsets of each variable part, counted from the first pointer.
    let ptr_area = n_ptr * psize;
    let called_at = ptr_area;
    let calling_at = called_at + 1 + called.len();
    let data_at = calling_at + 1 + calling.len();
    let opt_at = data_at + data_len_size + data.len();
    let targets = [called_at, calling_at, data_at, opt_at];
    for (k, &t) in targets.iter().enumerate().take(n_ptr) {
        // From the pointer itself; a two-octet one from its second octet (Q.713 §2.3).
        let p = if k == 3 && optional.is_empty() {
            0
        } else {
            t - k * psize - (psize - 1)
        };
        if long {
            out.extend_from_slice(&(p as u16).to_le_bytes());
        } else {
            out.push(p as u8);
        }
    }
    out.push(called.len() as u8);
    out.extend_from_slice(&called);
    out.push(calling.len() as u8);
    out.extend_from_slice(&calling);
    if long {
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    } else {
        out.push(data.len().min(255) as u8);
    }
    out.extend_from_slice(data);
    out.extend_from_slice(&optional);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sccp::{parse_sccp_message, Message, Ssn};

    fn parse(v: &[u8]) -> crate::sccp::Unitdata<'_> {
        match parse_sccp_message(v).unwrap() {
            Message::Unitdata(u) => u,
            Message::Other(t) => panic!("{t:?}"),
        }
    }

    #[test]
    fn round_trip_all_kinds() {
        for kind in [
            MessageType::UDT,
            MessageType::UDTS,
            MessageType::XUDT,
            MessageType::XUDTS,
            MessageType::LUDT,
            MessageType::LUDTS,
        ] {
            let mut spec = UnitdataSpec::udt(
                AddressSpec::gt("12065550001", 6),
                AddressSpec::gt("8613010000771", 7),
            );
            spec.kind = kind;
            spec.calling.pc = Some(1234);
            if matches!(kind, MessageType::XUDT | MessageType::LUDT) {
                spec.segmentation = Some(Segmentation {
                    first: true,
                    class1: false,
                    remaining: 2,
                    local_ref: 0x00abcdef,
                });
            }
            let mut out = Vec::new();
            emit_sccp_unitdata(&mut out, &spec, b"tcap-bytes");
            let u = parse(&out);
            assert_eq!(u.kind, kind);
            assert_eq!(u.called.gt.unwrap().digits().as_str(), "12065550001");
            assert_eq!(u.calling.gt.unwrap().digits().as_str(), "8613010000771");
            assert_eq!(u.calling.pc, Some(1234));
            assert_eq!(u.called.ssn, Some(Ssn::HLR));
            assert_eq!(u.data, b"tcap-bytes");
            assert_eq!(&out[u.data_offset..u.data_offset + 10], b"tcap-bytes");
            assert_eq!(u.segmentation, spec.segmentation);
        }
    }
}
