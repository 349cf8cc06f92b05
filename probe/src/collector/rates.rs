//! Per-source rates: how many interconnect requests about subscribers each source sent, and to
//! how many distinct subscribers (HyperLogLog). Workers count locally; the collector merges.

use std::collections::{HashMap, VecDeque};

use decoder::table::BoundedMap;

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
            None => self.new_cell(key).1.count(o.target),
        }
    }

    /// A source not counted yet: a new cell, or, with the table full, the unknown source's;
    /// and the key it is counted under.
    #[cold]
    #[inline(never)]
    fn new_cell(&mut self, key: SourceKey) -> (SourceKey, &mut RateCell) {
        let key = if self.cells.len() >= MAX_SOURCES {
            SourceKey::Unknown
        } else {
            key
        };
        (key, self.cells.entry(key).or_default())
    }

    /// Count one observation's request now; its target comes later ([`Pairing`]). The key
    /// its target must be counted under.
    fn observe_request(&mut self, o: &Observation) -> SourceKey {
        let key = SourceKey::of(o.operator, o.country);
        match self.cells.get_mut(&key) {
            Some(c) => {
                c.messages += 1;
                key
            }
            None => {
                let (key, c) = self.new_cell(key);
                c.messages += 1;
                key
            }
        }
    }

    /// Count a distinct target of `source`.
    fn observe_target(&mut self, source: SourceKey, target: u64) {
        if let Some(c) = self.cells.get_mut(&source) {
            c.targets.insert(target);
        }
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

/// One person, one target, for the request rates: an attacker may ask by MSISDN first
/// (sendRoutingInfo) and by IMSI next (provideSubscriberInfo). A request naming only an
/// MSISDN has its target counted `delay` later, under the IMSI if the worker's traffic has
/// paired the two by then (the answer to that very request, usually). Both tables are
/// bounded; a request that finds the queue full is counted at once under its MSISDN, and
/// counted as such.
#[derive(Debug)]
pub(crate) struct Pairing {
    pairs: BoundedMap<u64, u64>,
    pending: VecDeque<(u64, SourceKey, u64)>,
    capacity: usize,
    delay_ns: u64,
    /// Requests counted before their wait was over (the queue was full).
    pub(crate) early: u64,
}

impl Pairing {
    /// Pairs and waiting requests, at most `capacity` each; the wait, `delay_s`.
    pub(crate) fn new(capacity: usize, delay_s: u64) -> Self {
        Pairing {
            pairs: BoundedMap::new(capacity.max(1)),
            pending: VecDeque::with_capacity(capacity.max(1)),
            capacity: capacity.max(1),
            delay_ns: delay_s.saturating_mul(1_000_000_000),
            early: 0,
        }
    }

    /// The traffic says the MSISDN of key `msisdn` is the IMSI of key `imsi`.
    pub(crate) fn learn(&mut self, msisdn: u64, imsi: u64) {
        match self.pairs.get_mut(&msisdn) {
            Some(known) => *known = imsi,
            None => {
                self.pairs.insert(msisdn, imsi);
            }
        }
    }

    /// Count one observation made at capture time `ts`.
    #[inline]
    pub(crate) fn observe(&mut self, rates: &mut Rates, o: &Observation, ts: u64) {
        if !rules::verdict::Target::is_msisdn_key(o.target) {
            rates.observe(o);
            return;
        }
        let source = rates.observe_request(o);
        if self.pending.len() >= self.capacity {
            self.early += 1;
            self.settle_one(rates);
        }
        self.pending
            .push_back((ts.saturating_add(self.delay_ns), source, o.target));
    }

    /// Count the targets whose wait is over at capture time `ts`.
    #[inline]
    pub(crate) fn release(&mut self, rates: &mut Rates, ts: u64) {
        while self.pending.front().is_some_and(|p| p.0 <= ts) {
            self.settle_one(rates);
        }
    }

    /// Count every waiting target (the input has ended).
    pub(crate) fn finish(&mut self, rates: &mut Rates) {
        while !self.pending.is_empty() {
            self.settle_one(rates);
        }
    }

    fn settle_one(&mut self, rates: &mut Rates) {
        if let Some((_, source, msisdn)) = self.pending.pop_front() {
            let key = self.pairs.peek(&msisdn).copied().unwrap_or(msisdn);
            rates.observe_target(source, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_by_msisdn_then_by_imsi_counts_one_target() {
        let (msisdn, imsi) = (0x1206_2000_000E_u64, 0x3104_1000_0001_u64 << 4 | 0xF);
        let mut rates = Rates::default();
        let mut p = Pairing::new(16, 60);
        p.observe(&mut rates, &from(1, msisdn), 0);
        p.learn(msisdn, imsi);
        p.observe(&mut rates, &from(1, imsi), 30_000_000_000);
        p.release(&mut rates, 59_000_000_000);
        assert_eq!(cell(&rates, SourceKey::Operator(OperatorId(1))), (2, 1));
        p.release(&mut rates, 60_000_000_000);
        assert_eq!(cell(&rates, SourceKey::Operator(OperatorId(1))), (2, 1));
        // Unpaired, another MSISDN counts apart; a full queue counts early, and says so.
        let mut small = Pairing::new(1, 60);
        small.observe(&mut rates, &from(1, 0x1206_2000_001E), 0);
        small.observe(&mut rates, &from(1, 0x1206_2000_002E), 0);
        assert_eq!(small.early, 1);
        small.finish(&mut rates);
        assert_eq!(cell(&rates, SourceKey::Operator(OperatorId(1))), (4, 3));
    }

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
