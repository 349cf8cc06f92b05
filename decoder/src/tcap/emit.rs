use super::{ComponentKind, DialoguePdu, TcapKind, DIALOGUE_AS_ID};
use crate::ber::{emit_tlv, integer_bytes, oid_bytes, tlv};

/// One component to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSpec {
    /// Component type.
    pub(crate) kind: ComponentKind,
    /// Invoke ID.
    pub(crate) invoke_id: i64,
    /// Local operation code (Invoke, ReturnResult with a result).
    pub(crate) op: Option<i64>,
    /// Local error code (ReturnError).
    pub(crate) error: Option<i64>,
    /// The parameter: one complete TLV.
    pub(crate) parameter: Option<Vec<u8>>,
}

impl ComponentSpec {
    /// An Invoke of `op` with `parameter`.
    pub fn invoke(invoke_id: i64, op: i64, parameter: Vec<u8>) -> Self {
        ComponentSpec {
            kind: ComponentKind::Invoke,
            invoke_id,
            op: Some(op),
            error: None,
            parameter: Some(parameter),
        }
    }

    /// A ReturnResultLast of `op` carrying `parameter`.
    pub fn result(invoke_id: i64, op: i64, parameter: Vec<u8>) -> Self {
        ComponentSpec {
            kind: ComponentKind::ReturnResultLast,
            invoke_id,
            op: Some(op),
            error: None,
            parameter: Some(parameter),
        }
    }

    /// A ReturnError with `error`.
    pub fn error(invoke_id: i64, error: i64) -> Self {
        ComponentSpec {
            kind: ComponentKind::ReturnError,
            invoke_id,
            op: None,
            error: Some(error),
            parameter: None,
        }
    }
}

/// A TCAP message to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcapSpec {
    /// Message type.
    pub kind: TcapKind,
    /// Originating transaction ID (Begin, Continue), 4 octets.
    pub otid: Option<u32>,
    /// Destination transaction ID (Continue, End, Abort), 4 octets.
    pub dtid: Option<u32>,
    /// Application-context-name in dotted form, written in an AARQ (Begin) or AARE (others).
    pub acn: Option<String>,
    /// The components.
    pub components: Vec<ComponentSpec>,
}

/// Append a TCAP message.
pub fn emit_tcap(out: &mut Vec<u8>, spec: &TcapSpec) {
    let mut body = Vec::new();
    if let Some(o) = spec.otid {
        emit_tlv(&mut body, 0x48, &o.to_be_bytes());
    }
    if let Some(d) = spec.dtid {
        emit_tlv(&mut body, 0x49, &d.to_be_bytes());
    }
    if let Some(acn) = &spec.acn {
        let pdu_kind = if spec.kind == TcapKind::Begin || spec.kind == TcapKind::Unidirectional {
            DialoguePdu::Request
        } else {
            DialoguePdu::Response
        };
        let mut pdu = Vec::new();
        if spec.kind != TcapKind::Unidirectional {
            emit_tlv(&mut pdu, 0x80, &[0x07, 0x80]); // protocol-version: version1
        }
        pdu.extend(tlv(0xa1, &tlv(0x06, &oid_bytes(acn))));
        if pdu_kind == DialoguePdu::Response {
            pdu.extend(tlv(0xa2, &tlv(0x02, &[0]))); // result: accepted
            pdu.extend(tlv(0xa3, &tlv(0xa1, &tlv(0x02, &[0])))); // dialogue-service-user: null
        }
        let id = if pdu_kind == DialoguePdu::Request {
            0x60
        } else {
            0x61
        };
        let mut ext = tlv(0x06, DIALOGUE_AS_ID);
        ext.extend(tlv(0xa0, &tlv(id, &pdu)));
        emit_tlv(&mut body, 0x6b, &tlv(0x28, &ext));
    }
    if !spec.components.is_empty() {
        let mut comps = Vec::new();
        for c in &spec.components {
            let mut v = tlv(0x02, &integer_bytes(c.invoke_id));
            match c.kind {
                ComponentKind::Invoke => {
                    if let Some(op) = c.op {
                        v.extend(tlv(0x02, &integer_bytes(op)));
                    }
                    if let Some(p) = &c.parameter {
                        v.extend_from_slice(p);
                    }
                }
                ComponentKind::ReturnResultLast | ComponentKind::ReturnResult => {
                    if let Some(op) = c.op {
                        let mut seq = tlv(0x02, &integer_bytes(op));
                        if let Some(p) = &c.parameter {
                            seq.extend_from_slice(p);
                        }
                        v.extend(tlv(0x30, &seq));
                    }
                }
                ComponentKind::ReturnError => {
                    if let Some(e) = c.error {
                        v.extend(tlv(0x02, &integer_bytes(e)));
                    }
                    if let Some(p) = &c.parameter {
                        v.extend_from_slice(p);
                    }
                }
                ComponentKind::Reject => v.extend(tlv(0x80, &[0])),
            }
            let id = match c.kind {
                ComponentKind::Invoke => 0xa1,
                ComponentKind::ReturnResultLast => 0xa2,
                ComponentKind::ReturnError => 0xa3,
                ComponentKind::Reject => 0xa4,
                ComponentKind::ReturnResult => 0xa7,
            };
            emit_tlv(&mut comps, id, &v);
        }
        emit_tlv(&mut body, 0x6c, &comps);
    }
    emit_tlv(out, spec.kind.identifier(), &body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcap::{parse_tcap_message, Code, Components, Tcap};

    #[test]
    fn round_trip() {
        let spec = TcapSpec {
            kind: TcapKind::Continue,
            otid: Some(0x01020304),
            dtid: Some(0x0a0b0c0d),
            acn: Some("0.4.0.0.1.0.20.3".into()),
            components: vec![
                ComponentSpec::invoke(1, 45, vec![0x30, 0]),
                ComponentSpec::error(2, 6),
            ],
        };
        let mut out = Vec::new();
        emit_tcap(&mut out, &spec);
        let Tcap::Itu(m) = parse_tcap_message(&out).unwrap() else {
            panic!()
        };
        assert_eq!(m.kind, TcapKind::Continue);
        assert_eq!(m.otid, Some(&[1, 2, 3, 4][..]));
        assert_eq!(m.dtid, Some(&[10, 11, 12, 13][..]));
        assert_eq!(
            m.dialogue.unwrap().acn.unwrap().to_string(),
            "0.4.0.0.1.0.20.3"
        );
        assert_eq!(m.dialogue.unwrap().pdu, DialoguePdu::Response);
        let c: Vec<_> = Components::new(&m).map(Result::unwrap).collect();
        assert_eq!(c[0].op, Some(Code::Local(45)));
        assert_eq!(c[0].parameter.unwrap().raw, &[0x30, 0]);
        assert_eq!(c[1].error, Some(Code::Local(6)));
    }
}
