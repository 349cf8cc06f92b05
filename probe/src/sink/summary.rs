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
    if !r.campaigns.is_empty() {
        let mut by_sources: std::collections::BTreeMap<Vec<String>, (u64, u64)> =
            std::collections::BTreeMap::new();
        for c in &r.campaigns {
            let names: Vec<String> = c
                .sources
                .iter()
                .map(|x| match (&x.operator, &x.country) {
                    (Some(o), Some(k)) => format!("{o} ({k})"),
                    (Some(o), None) => o.clone(),
                    (None, Some(k)) => k.clone(),
                    (None, None) => "?".into(),
                })
                .collect();
            let e = by_sources.entry(names).or_default();
            e.0 += 1;
            e.1 += c.incidents;
        }
        let _ = writeln!(
            s,
            "\ncoordinated campaigns: {} subscribers hit by several operators",
            count(r.campaigns.len() as u64)
        );
        for (names, (targets, incidents)) in by_sources.iter().rev().take(5) {
            let _ = writeln!(
                s,
                "  {} subscribers, {} alerts: {}",
                count(*targets),
                count(*incidents),
                names.join(" + ")
            );
        }
    }
    s
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
