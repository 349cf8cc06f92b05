//! Per-source rates: how many interconnect requests about subscribers each source sent, and to
//! how many distinct subscribers (HyperLogLog). Workers count locally; the collector merges.

use std::collections::HashMap;

use rules::engine::Observation;
use rules::geo::Country;
use rules::numbering::OperatorId;

use super::hll::Hll;

/// A source network: an operator when known, else a country, else unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum SourceKey {
    /// A known operator.
    Operator(OperatorId),
    /// Only the country is known.
    Country(Country),
    /// Nothing is known.
    Unknown,
}

impl SourceKey {
    /// The key of an observation's or verdict's source.
    pub(crate) fn of(operator: Option<OperatorId>, country: Option<Country>) -> SourceKey {
        match (operator, country) {
            (Some(o), _) => SourceKey::Operator(o),
            (None, Some(c)) => SourceKey::Country(c),
            (None, None) => SourceKey::Unknown,
        }
    }
}

/// One source's counts.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateCell {
    /// Requests seen.
    pub(crate) messages: u64,
    /// Distinct targets.
    pub(crate) targets: Hll,
}

impl RateCell {
    fn count(&mut self, target: u64) {
        self.messages += 1;
        self.targets.insert(target);
    }
}

/// Counts per source.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rates {
    cells: HashMap<SourceKey, RateCell, foldhash::fast::RandomState>,
}

/// The most sources counted; beyond it, new sources are counted as unknown.
const MAX_SOURCES: usize = 1024;

impl Rates {
    /// Count one observation.
    pub(crate) fn observe(&mut self, o: &Observation) {
        let key = SourceKey::of(o.operator, o.country);
        // A source seen before costs one probe of the table; a new one goes out of line.
        match self.cells.get_mut(&key) {
            Some(c) => c.count(o.target),
            None => self.observe_new(key, o.target),
        }
    }

    /// A source not counted yet: a new cell, or, with the table full, the unknown source's.
    #[cold]
    #[inline(never)]
    fn observe_new(&mut self, key: SourceKey, target: u64) {
        let key = if self.cells.len() >= MAX_SOURCES {
            SourceKey::Unknown
        } else {
            key
        };
        self.cells.entry(key).or_default().count(target);
    }

    /// Fold another worker's counts in (counts add, sketches merge).
    pub(crate) fn merge(&mut self, other: &Rates) {
        for (k, v) in &other.cells {
            let c = self.cells.entry(*k).or_default();
            c.messages += v.messages;
            c.targets.merge(&v.targets);
        }
    }

    /// Every source.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&SourceKey, &RateCell)> {
        self.cells.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(operator: u16, target: u64) -> Observation {
        Observation {
            operator: Some(OperatorId(operator)),
            country: None,
            target,
        }
    }

    fn cell(r: &Rates, k: SourceKey) -> (u64, u64) {
        r.iter()
            .find(|(key, _)| **key == k)
            .map_or((0, 0), |(_, c)| (c.messages, c.targets.estimate()))
    }

    #[test]
    fn sources_past_the_bound_are_counted_as_unknown_and_none_is_lost() {
        let mut r = Rates::default();
        let n = MAX_SOURCES as u16;
        // The bound's worth of sources and ten more, then five of the first ones again.
        for op in 0..n + 10 {
            r.observe(&from(op, u64::from(op)));
        }
        for op in 0..5 {
            r.observe(&from(op, 1_000 + u64::from(op)));
        }
        assert_eq!(r.iter().count(), MAX_SOURCES + 1, "the bound, and unknown");
        assert_eq!(cell(&r, SourceKey::Unknown), (10, 10));
        assert_eq!(cell(&r, SourceKey::Operator(OperatorId(0))), (2, 2));
        assert_eq!(cell(&r, SourceKey::Operator(OperatorId(7))), (1, 1));
        assert_eq!(cell(&r, SourceKey::Operator(OperatorId(n))), (0, 0));
        let total: u64 = r.iter().map(|(_, c)| c.messages).sum();
        assert_eq!(total, u64::from(n) + 10 + 5);
        // A source already counted keeps its own cell when the table is full.
        r.observe(&from(7, 99));
        assert_eq!(cell(&r, SourceKey::Operator(OperatorId(7))), (2, 2));
    }
}
