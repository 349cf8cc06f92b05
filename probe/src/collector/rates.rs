//! Per-source rates: how many interconnect requests about subscribers each source sent, and to
//! how many distinct subscribers (HyperLogLog). Workers count locally; the collector merges.

use std::collections::HashMap;

use rules::engine::Observation;
use rules::geo::Country;
use rules::numbering::OperatorId;

use super::hll::Hll;

/// A source network: an operator when known, else a country, else unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKey {
    /// A known operator.
    Operator(OperatorId),
    /// Only the country is known.
    Country(Country),
    /// Nothing is known.
    Unknown,
}

impl SourceKey {
    /// The key of an observation's or verdict's source.
    pub fn of(operator: Option<OperatorId>, country: Option<Country>) -> SourceKey {
        match (operator, country) {
            (Some(o), _) => SourceKey::Operator(o),
            (None, Some(c)) => SourceKey::Country(c),
            (None, None) => SourceKey::Unknown,
        }
    }
}

/// One source's counts.
#[derive(Debug, Clone, Default)]
pub struct RateCell {
    /// Requests seen.
    pub messages: u64,
    /// Distinct targets.
    pub targets: Hll,
}

/// Counts per source.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    cells: HashMap<SourceKey, RateCell, foldhash::fast::RandomState>,
}

/// The most sources counted; beyond it, new sources are counted as unknown.
const MAX_SOURCES: usize = 1024;

impl Rates {
    /// Count one observation.
    pub fn observe(&mut self, o: &Observation) {
        let mut key = SourceKey::of(o.operator, o.country);
        if !self.cells.contains_key(&key) && self.cells.len() >= MAX_SOURCES {
            key = SourceKey::Unknown;
        }
        let c = self.cells.entry(key).or_default();
        c.messages += 1;
        c.targets.insert(o.target);
    }

    /// Fold another worker's counts in (counts add, sketches merge).
    pub fn merge(&mut self, other: &Rates) {
        for (k, v) in &other.cells {
            let c = self.cells.entry(*k).or_default();
            c.messages += v.messages;
            c.targets.merge(&v.targets);
        }
    }

    /// Every source.
    pub fn iter(&self) -> impl Iterator<Item = (&SourceKey, &RateCell)> {
        self.cells.iter()
    }
}
