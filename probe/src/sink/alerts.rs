//! Alert lines (INTERFACES.md, `--alerts`): one JSON object per verdict, with a reason a
//! person can read.

use std::fmt::Write as _;

use decoder::diameter::CommandCode;
use decoder::map::OpCode;
use rules::engine::Engine;
use rules::policy::Proto;
use rules::verdict::{Category, Detail, Verdict};

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
            },
        ) => {
            let _ = write!(
                s,
                "{what} from {b} ({from}) {hours:.1} h after the subscriber was seen in {a}: \
                 {km:.0} km would need {:.0} km/h",
                if hours > 0.0 {
                    km / hours
                } else {
                    f64::INFINITY
                }
            );
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
    if let Some(c) = v.source.country {
        j.str("country", c.as_str());
    }
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
    } = v.detail
    {
        j.object("travel")
            .str("from", from.as_str())
            .str("to", to.as_str())
            .u64("km", km.round() as u64)
            .f64("hours", hours, 2)
            .close();
    }
}
