//! The summary printed at the end of a run: totals, alerts by category, who tracked how many
//! subscribers, and the coordinated campaigns.

use std::fmt::Write as _;

use super::report::Report;

/// `n` with thousands separated by commas (`1,234,567`).
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The summary as text.
pub(crate) fn summary(r: &Report) -> String {
    let t = &r.totals;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "frames {}: signalling {}, malformed {}, other {}, dropped {}   messages {}   alerts {}",
        count(t.frames),
        count(t.signaling_frames),
        count(t.malformed),
        count(t.other),
        count(t.dropped),
        count(t.messages),
        count(t.alerts)
    );
    let _ = writeln!(
        s,
        "{} worker{}, {:.2} s, {} frames/s",
        r.run.workers,
        if r.run.workers == 1 { "" } else { "s" },
        r.run.seconds,
        count(r.run.frames_per_s as u64)
    );
    if !r.malformed_by_layer.is_empty() {
        let parts: Vec<String> = r
            .malformed_by_layer
            .iter()
            .map(|(k, v)| format!("{k} {}", count(*v)))
            .collect();
        let _ = writeln!(s, "malformed by layer: {}", parts.join(", "));
    }
    if !r.dropped_by_cause.is_empty() {
        let parts: Vec<String> = r
            .dropped_by_cause
            .iter()
            .map(|(k, v)| format!("{k} {}", count(*v)))
            .collect();
        let _ = writeln!(s, "dropped: {}", parts.join(", "));
    }
    if !r.by_category.is_empty() {
        let _ = writeln!(s, "\nalerts by category");
        for (k, v) in &r.by_category {
            let _ = writeln!(s, "  {k:<8} {:>10}", count(*v));
        }
    }
    let mut ops: Vec<_> = r.by_source_operator.iter().collect();
    ops.sort_by(|a, b| {
        b.1.distinct_targets
            .cmp(&a.1.distinct_targets)
            .then(b.1.alerts.cmp(&a.1.alerts))
    });
    if !ops.is_empty() {
        let _ = writeln!(s, "\nsource operators by subscribers targeted");
        let _ = writeln!(
            s,
            "  {:<36} {:<7} {:>10} {:>10}",
            "operator", "country", "targets", "alerts"
        );
        for (name, row) in ops.iter().take(10) {
            let _ = writeln!(
                s,
                "  {:<36} {:<7} {:>10} {:>10}",
                truncate(name, 36),
                row.country.as_deref().unwrap_or("-"),
                count(row.distinct_targets),
                count(row.alerts)
            );
        }
    }
    campaigns(&mut s, r);
    s
}

/// Campaigns, the operator pairs that stand out, and how subscribers were named.
fn campaigns(s: &mut String, r: &Report) {
    if !r.campaigns.is_empty() {
        let incidents: u64 = r.campaigns.iter().map(|c| c.incidents).sum();
        let _ = writeln!(
            s,
            "\ncoordinated campaigns: {} ({} incidents: one subscriber hit by several operators at once)",
            count(r.campaigns.len() as u64),
            count(incidents)
        );
        for c in r.campaigns.iter().take(5) {
            let (first, last) = (
                c.days.first().map_or("?", String::as_str),
                c.days.last().map_or("?", String::as_str),
            );
            let _ = writeln!(
                s,
                "  #{} {}: {} incidents on {} subscribers, {first} to {last} ({} days with incidents)",
                c.id,
                super::report::source_names(&c.sources),
                count(c.incidents),
                count(c.targets),
                c.days.len()
            );
        }
    }
    let standing_out: Vec<_> = r
        .operator_pairs
        .iter()
        .filter(|p| p.together >= 2 && p.lift >= 10.0)
        .take(5)
        .collect();
    if !standing_out.is_empty() {
        let _ = writeln!(
            s,
            "\noperators acting together (subscribers both hit within the campaign window, against chance)"
        );
        for p in standing_out {
            let _ = writeln!(
                s,
                "  {} + {}: {} together, {} expected by chance (lift {:.0})",
                p.a.name(),
                p.b.name(),
                count(p.together),
                if p.expected < 0.1 {
                    format!("{:.4}", p.expected)
                } else {
                    format!("{:.1}", p.expected)
                },
                p.lift
            );
        }
    }
    let id = &r.identities;
    if id.pairs_learnt > 0 || id.msisdn_only > 0 {
        let _ = writeln!(
            s,
            "\nsubscribers named two ways: {} MSISDN-IMSI pairs learnt; {} tracked subscribers stayed unpaired (MSISDN only)",
            count(id.pairs_learnt),
            count(id.msisdn_only)
        );
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(73_485), "73,485");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
