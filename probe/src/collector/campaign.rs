//! Coordinated campaigns: the same subscriber hit by at least `min_sources` source operators
//! within `window` (policy `campaign_window_s`, `campaign_min_sources`).
//!
//! Per target and source only the first and last alert time and a count are kept, so the
//! result does not depend on the order verdicts reach the collector (workers interleave). A
//! target is in a campaign when some window of the given length meets the alert span of at
//! least `min_sources` sources. A span stands for all the alerts inside it, so a source that
//! alerted at both ends of a long span counts as present in between: the check errs towards
//! reporting a campaign, never towards missing one.

use arrayvec::ArrayVec;
use decoder::table::BoundedMap;
use rules::verdict::Target;

use super::rates::SourceKey;

/// Sources remembered per target.
const MAX_SOURCES: usize = 8;

#[derive(Debug, Clone, Copy)]
struct Hits {
    source: SourceKey,
    first: u64,
    last: u64,
    count: u64,
}

#[derive(Debug, Clone)]
struct TargetHits {
    target: Target,
    hits: ArrayVec<Hits, MAX_SOURCES>,
}

/// A campaign found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Campaign {
    /// Whom.
    pub(crate) target: Target,
    /// By whom (at least `min_sources`).
    pub(crate) sources: Vec<SourceKey>,
    /// Alerts on the target from those sources.
    pub(crate) incidents: u64,
    /// First alert time among them, ns.
    pub(crate) first_ts: u64,
    /// Last alert time among them, ns.
    pub(crate) last_ts: u64,
}

/// Finds campaigns among alerts.
#[derive(Debug)]
pub(crate) struct Campaigns {
    window_ns: u64,
    min_sources: usize,
    targets: BoundedMap<u64, TargetHits>,
}

impl Campaigns {
    /// A tracker of at most `capacity` targets.
    pub(crate) fn new(window_s: u64, min_sources: usize, capacity: usize) -> Self {
        Campaigns {
            window_ns: window_s.saturating_mul(1_000_000_000),
            min_sources: min_sources.max(2),
            targets: BoundedMap::new(capacity),
        }
    }

    /// Targets forgotten because the table was full.
    pub(crate) fn evictions(&self) -> u64 {
        self.targets.evictions()
    }

    /// Count one alert on `target` from `source` at `ts`.
    pub(crate) fn alert(&mut self, target: &Target, source: SourceKey, ts: u64) {
        if source == SourceKey::Unknown {
            return;
        }
        let Some(key) = target.key() else {
            return;
        };
        let (t, _) = self.targets.get_or_insert_with(key, || TargetHits {
            target: *target,
            hits: ArrayVec::new(),
        });
        if t.target.imsi.is_none() {
            t.target.imsi = target.imsi;
        }
        if t.target.msisdn.is_none() {
            t.target.msisdn = target.msisdn;
        }
        if let Some(h) = t.hits.iter_mut().find(|h| h.source == source) {
            h.first = h.first.min(ts);
            h.last = h.last.max(ts);
            h.count += 1;
        } else {
            let _ = t.hits.try_push(Hits {
                source,
                first: ts,
                last: ts,
                count: 1,
            });
        }
    }

    /// Every campaign, by target key.
    pub(crate) fn campaigns(&self) -> Vec<Campaign> {
        let mut out = Vec::new();
        for (key, t) in self.targets.iter() {
            if t.hits.len() < self.min_sources {
                continue;
            }
            if let Some(c) = self.best_window(t) {
                out.push((*key, c));
            }
        }
        out.sort_by_key(|(k, _)| *k);
        out.into_iter().map(|(_, c)| c).collect()
    }

    /// The window meeting the most sources' spans, if it meets enough of them. A source's span
    /// [first, last] meets the window [s, s + w] when first <= s + w and last >= s; the best s
    /// can be taken at some source's `last`.
    fn best_window(&self, t: &TargetHits) -> Option<Campaign> {
        let w = self.window_ns;
        let mut best: Option<Vec<&Hits>> = None;
        for start in t.hits.iter().map(|h| h.last.saturating_sub(w)) {
            let met: Vec<&Hits> = t
                .hits
                .iter()
                .filter(|h| h.first <= start + w && h.last >= start)
                .collect();
            if best.as_ref().is_none_or(|b| met.len() > b.len()) {
                best = Some(met);
            }
        }
        let met = best.filter(|b| b.len() >= self.min_sources)?;
        let mut sources: Vec<SourceKey> = met.iter().map(|h| h.source).collect();
        sources.sort();
        Some(Campaign {
            target: t.target,
            sources,
            incidents: met.iter().map(|h| h.count).sum(),
            first_ts: met.iter().map(|h| h.first).min().unwrap_or(0),
            last_ts: met.iter().map(|h| h.last).max().unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoder::Identity;
    use rules::geo::Country;
    use rules::numbering::OperatorId;

    const S: u64 = 1_000_000_000;

    fn target(n: &str) -> Target {
        Target {
            imsi: None,
            msisdn: Identity::from_ascii(n),
        }
    }

    #[test]
    fn three_operators_within_minutes_make_a_campaign() {
        let mut c = Campaigns::new(900, 2, 100);
        let t = target("12065550001");
        c.alert(&t, SourceKey::Operator(OperatorId(1)), 100 * S);
        c.alert(&t, SourceKey::Operator(OperatorId(2)), 300 * S);
        c.alert(
            &t,
            SourceKey::Country(Country::parse("BB").unwrap()),
            600 * S,
        );
        c.alert(&t, SourceKey::Operator(OperatorId(1)), 650 * S);
        let found = c.campaigns();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].sources.len(), 3);
        assert_eq!(found[0].incidents, 4);
        assert_eq!((found[0].first_ts, found[0].last_ts), (100 * S, 650 * S));
    }

    #[test]
    fn order_of_arrival_does_not_matter_and_far_apart_is_no_campaign() {
        let t = target("12065550002");
        let alerts = [(1u16, 5000u64), (2, 100), (1, 120)];
        let mut a = Campaigns::new(900, 2, 100);
        let mut b = Campaigns::new(900, 2, 100);
        for (s, ts) in alerts {
            a.alert(&t, SourceKey::Operator(OperatorId(s)), ts * S);
        }
        for (s, ts) in alerts.iter().rev() {
            b.alert(&t, SourceKey::Operator(OperatorId(*s)), ts * S);
        }
        assert_eq!(a.campaigns(), b.campaigns());
        assert_eq!(a.campaigns().len(), 1, "sources 1 and 2 met around t=100");
        let mut far = Campaigns::new(900, 2, 100);
        far.alert(&t, SourceKey::Operator(OperatorId(1)), 0);
        far.alert(&t, SourceKey::Operator(OperatorId(2)), 2000 * S);
        assert!(far.campaigns().is_empty());
    }
}
