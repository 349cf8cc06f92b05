//! Differential: sigwatch's TCAP decoder against the rasn-based `tcap` crate (written
//! elsewhere, from the ASN.1 of ITU-T Q.773). On any message both accept, the message type, the
//! transaction ids and, when both read every component, each component's type, invoke id,
//! linked id and local operation code agree.
#![no_main]

use decoder::tcap::{parse_tcap_message, Code, ComponentKind, Components, Tcap, TcapKind};
use libfuzzer_sys::fuzz_target;
use tcap::{Component, OperationCode, TcapMessage};

/// What one component says, in terms both decoders share.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    kind: &'static str,
    invoke_id: Option<i64>,
    linked_id: Option<i64>,
    op: Option<i64>,
}

fn theirs(c: &Component) -> Seen {
    let local = |o: &OperationCode| match o {
        OperationCode::Local(n) => Some(*n),
        OperationCode::Global(_) => None,
    };
    match c {
        Component::Invoke(i) => Seen {
            kind: "invoke",
            invoke_id: Some(i64::from(i.invoke_id)),
            linked_id: i.linked_id.map(i64::from),
            op: local(&i.operation_code),
        },
        Component::ReturnResultLast(r) | Component::ReturnResultNotLast(r) => Seen {
            kind: if matches!(c, Component::ReturnResultLast(_)) {
                "returnResultLast"
            } else {
                "returnResult"
            },
            invoke_id: Some(i64::from(r.invoke_id)),
            linked_id: None,
            op: r.result.as_ref().and_then(|v| local(&v.operation_code)),
        },
        Component::ReturnError(e) => Seen {
            kind: "returnError",
            invoke_id: Some(i64::from(e.invoke_id)),
            linked_id: None,
            op: None,
        },
        Component::Reject(_) => Seen {
            // Q.773: a Reject's invoke id may be NULL; the crates model it differently.
            kind: "reject",
            invoke_id: None,
            linked_id: None,
            op: None,
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Tcap::Itu(m)) = parse_tcap_message(data) else {
        return;
    };
    let Ok(t) = tcap::decode(data) else {
        return;
    };
    let (kind, otid, dtid, components) = match &t {
        TcapMessage::Unidirectional(u) => {
            (TcapKind::Unidirectional, None, None, Some(&u.components))
        }
        TcapMessage::Begin(b) => (TcapKind::Begin, Some(&b.otid), None, b.components.as_ref()),
        TcapMessage::End(e) => (TcapKind::End, None, Some(&e.dtid), e.components.as_ref()),
        TcapMessage::Continue(c) => (
            TcapKind::Continue,
            Some(&c.otid),
            Some(&c.dtid),
            c.components.as_ref(),
        ),
        TcapMessage::Abort(a) => (TcapKind::Abort, None, Some(&a.dtid), None),
    };
    assert_eq!(m.kind, kind, "message type");
    if let Some(o) = otid {
        assert_eq!(m.otid, Some(&o[..]), "otid");
    }
    if let Some(d) = dtid {
        assert_eq!(m.dtid, Some(&d[..]), "dtid");
    }
    let Some(components) = components else {
        return;
    };
    let ours: Result<Vec<Seen>, _> = Components::new(&m)
        .map(|c| {
            c.map(|c| Seen {
                kind: c.kind.name(),
                invoke_id: if c.kind == ComponentKind::Reject {
                    None
                } else {
                    c.invoke_id
                },
                linked_id: c.linked_id,
                op: c.op.as_ref().and_then(Code::local),
            })
        })
        .collect();
    let Ok(ours) = ours else {
        return;
    };
    let theirs: Vec<Seen> = components.iter().map(theirs).collect();
    assert_eq!(ours, theirs, "components");
});
