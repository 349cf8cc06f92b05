//! Alert lines (INTERFACES.md, `--alerts`): one JSON object per verdict, with a reason a
//! person can read.

use std::fmt::Write as _;

use decoder::diameter::CommandCode;
use decoder::map::OpCode;
use rules::engine::Engine;
use rules::policy::Proto;
use rules::verdict::{Category, Detail, Evidence, Verdict};

use crate::sink::json::JsonLine;

/// "China Unicom, CN", "CN", or "unknown origin".
pub(crate) fn origin(e: &Engine, v: &Verdict) -> String {
    let op = v
        .source
        .operator
        .and_then(|o| e.plan.operator(o))
        .map(|o| o.name.as_str());
    match (op, v.source.country) {
        (Some(o), Some(c)) => format!("{o}, {c}"),
        (Some(o), None) => o.to_owned(),
        (None, Some(c)) => c.to_string(),
        (None, None) => "unknown origin".to_owned(),
    }
}

/// The alert's reason.
pub(crate) fn reason(e: &Engine, v: &Verdict) -> String {
    let Some(rule) = e.rule(v.rule) else {
        return String::new();
    };
    let what = &rule.what;
    let from = origin(e, v);
    let mut s = String::new();
    match (rule.category, v.detail) {
        (
            _,
            Detail::Travel {
                from: a,
                to: b,
                km,
                hours,
                by,
                ..
            },
        ) => {
            let _ = write!(
                s,
                "{what} from {b} ({from}) {hours:.1} h after the subscriber was seen in {a} \
                 ({}): {km:.0} km would need {:.0} km/h",
                evidence_name(by),
                kmh(km, hours)
            );
        }
        (_, Detail::NoAgreement { operator }) => {
            let name = e.plan.operator(operator).map_or("?", |o| o.name.as_str());
            let _ = write!(
                s,
                "{what} from {from}: the home network has no roaming agreement with {name}"
            );
        }
        (_, Detail::Unplaced) => {
            let _ = write!(s, "{what}: {}", raw_source(v));
        }
        (_, Detail::NotThere { current }) => {
            let _ = write!(s, "{what} from {from}, but the subscriber is in {current}");
        }
        (_, Detail::NotHome { home }) => {
            let _ = write!(s, "{what} for a subscriber of {home} from {from}, which is not the subscriber's home network");
        }
        (_, Detail::Inconsistent(why)) => {
            let _ = write!(s, "{why} ({from})");
        }
        (_, Detail::SmsRecon { waited_s }) => {
            let _ = write!(
                s,
                "SendRoutingInfoForSM from {from} was answered with the IMSI, and no short message \
                 followed within {waited_s} s"
            );
        }
        (_, Detail::Evasion(_)) if v.subject.opcode.is_none() && v.subject.cmd.is_none() => {
            let _ = write!(
                s,
                "{what}, where no message of its own was read: a receiver may have taken either copy"
            );
        }
        (_, Detail::Evasion(_)) => {
            let _ = write!(
                s,
                "{what} ({from}): a receiver may have taken either copy, and both were judged"
            );
        }
        (Category::Custom, Detail::None) => {
            let _ = write!(s, "{what} from {from} matched rule {}", rule.id);
        }
        (_, Detail::None) => {
            let _ = write!(s, "{what} from the interconnect ({from})");
        }
    }
    s
}

/// Write one alert line (without ending it).
pub(crate) fn write_alert(j: &mut JsonLine, e: &Engine, v: &Verdict) {
    let Some(rule) = e.rule(v.rule) else {
        return;
    };
    let sub = &v.subject;
    j.begin().u64("frame", sub.frame).ts("ts", sub.ts_ns);
    match sub.proto {
        Proto::Map => {
            j.str("proto", "map");
            if let Some(op) = sub.opcode {
                j.u64("opcode", u64::from(op));
                if let Some(n) = OpCode(op).name() {
                    j.str("op", n);
                }
            }
        }
        Proto::Diameter => {
            j.str("proto", "diameter");
            if let Some(cmd) = sub.cmd {
                j.u64("cmd", u64::from(cmd));
                if let Some(n) = CommandCode(cmd).abbreviation(true) {
                    j.str("cmd_name", n);
                }
            }
            if let Some(app) = sub.app {
                j.u64("app", u64::from(app));
            }
        }
    }
    j.str("category", rule.category.name())
        .str("rule", &rule.id)
        .str("action", rule.action.name())
        .str("severity", rule.severity.name())
        .str("reason", &reason(e, v));
    j.object("source");
    if let Some(g) = &v.source.gt {
        j.digits("gt", g);
    }
    if !v.source.host.is_empty() {
        j.bytes_str("host", v.source.host.as_bytes());
    }
    if !v.source.realm.is_empty() {
        j.bytes_str("realm", v.source.realm.as_bytes());
    }
    if let Some(p) = v.source.plmn {
        j.str("plmn", &p.to_string());
    }
    match &v.source.country {
        Some(c) => j.str("country", c.as_str()),
        None => j.str("country", "unknown"),
    };
    if let Some(o) = v.source.operator.and_then(|o| e.plan.operator(o)) {
        j.str("operator", &o.name);
    }
    j.close().object("target");
    if let Some(d) = &v.target.imsi {
        j.digits("imsi", &d.digits());
    }
    if let Some(d) = &v.target.msisdn {
        j.digits("msisdn", &d.digits());
    }
    j.close();
    if let Detail::Travel {
        from,
        to,
        km,
        hours,
        seen_ns,
        by,
    } = v.detail
    {
        j.object("travel")
            .str("from", from.as_str())
            .str("to", to.as_str())
            .u64("km", km.round() as u64)
            .f64("hours", hours, 2)
            .u64("kmh", kmh(km, hours).min(1e9).round() as u64)
            .ts("last_seen", seen_ns)
            .str("last_seen_by", &evidence_name(by))
            .close();
    }
    if let Detail::NoAgreement { operator } = v.detail {
        if let Some(o) = e.plan.operator(operator) {
            j.str("operator_without_agreement", &o.name);
        }
    }
}

/// The speed a claim would need.
fn kmh(km: f64, hours: f64) -> f64 {
    if hours > 0.0 {
        km / hours
    } else {
        f64::INFINITY
    }
}

/// The message that showed a subscriber somewhere: `updateLocation`, `ULR`,
/// `mt-forwardSM answer`.
fn evidence_name(by: Evidence) -> String {
    let name = match by.proto {
        Proto::Map => u8::try_from(by.code)
            .ok()
            .and_then(|op| OpCode(op).name())
            .map(str::to_owned),
        Proto::Diameter => CommandCode(by.code).abbreviation(true).map(str::to_owned),
    }
    .unwrap_or_else(|| by.code.to_string());
    if by.answer {
        format!("{name} answer")
    } else {
        name
    }
}

/// A sender as it named itself: its global title, or its Origin-Host and Origin-Realm.
fn raw_source(v: &Verdict) -> String {
    if let Some(g) = &v.source.gt {
        return format!("calling GT {g}");
    }
    let host = String::from_utf8_lossy(v.source.host.as_bytes());
    let realm = String::from_utf8_lossy(v.source.realm.as_bytes());
    format!("Origin-Host {host:?}, Origin-Realm {realm:?}")
}
