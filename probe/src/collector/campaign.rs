//! Campaigns: subscribers hit by several operators at the same time, again and again.
//!
//! - A **hit** is one alert on a target from a source (an operator, else a country).
//! - An **incident** is real simultaneity: hits on one target from at least `min_sources`
//!   sources within `window` of one another. Hits that keep coming, each within `window` of the
//!   previous simultaneous one, continue the same incident; a later return is a new one.
//! - A **campaign** is the operators that hit the same targets together. An incident joins the
//!   campaign that already has at least `min_sources` of its sources (the one with most in
//!   common, then the one with most incidents); sources it brings that the campaign lacks join
//!   it. Otherwise the incident starts a campaign. A campaign is reported from
//!   `min_incidents` incidents on.
//! - **Operator pairs**: each pair of sources that hit one target within `window` counts that
//!   target once, whatever `min_sources` is, so a pair acting together stands out before its
//!   incidents repeat. [`Campaigns::pairs`] sets that count against chance.
//!
//! Hits must come in capture-time order per target (the collector's reorder buffer sees to
//! it); a hit older than its target's latest is still counted, against the window that ends at
//! it. Per target only each source's latest hit is kept (a window ending now needs no more), at
//! most [`RECENT`] sources, the least recent forgotten first.

use arrayvec::ArrayVec;
use decoder::table::BoundedMap;
use rules::verdict::Target;

use super::hll::Hll;
use super::rates::SourceKey;

/// Sources remembered per target.
const RECENT: usize = 8;
/// Sources named per incident.
const INCIDENT_SOURCES: usize = 8;
/// Sources named per campaign.
const CAMPAIGN_SOURCES: usize = 16;
/// Campaigns a target is remembered to be part of.
const TARGET_CAMPAIGNS: usize = 4;
/// Operator pairs a target is remembered to have counted for.
const TARGET_PAIRS: usize = 6;
/// The most campaigns kept; an incident that would start another is counted, not kept.
const MAX_CAMPAIGNS: usize = 4096;
/// The most operator pairs kept.
const MAX_PAIRS: usize = 4096;
/// The most sources whose distinct targets are counted for the pair baseline.
const MAX_SOURCES: usize = 1024;
/// Days listed per campaign.
const MAX_DAYS: usize = 400;
/// Targets named per campaign in the report.
pub(crate) const SAMPLE_TARGETS: usize = 20;
/// Nanoseconds a day.
const DAY_NS: u64 = 86_400 * 1_000_000_000;

/// What the policy says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    /// `campaign_window_s`.
    pub(crate) window_s: u64,
    /// `campaign_min_sources` (at least 2).
    pub(crate) min_sources: usize,
    /// `campaign_min_incidents` (at least 1).
    pub(crate) min_incidents: u64,
    /// `limits.campaign_targets`.
    pub(crate) targets: usize,
}

#[derive(Debug, Clone)]
struct TargetState {
    target: Target,
    /// Each source's latest hit.
    recent: ArrayVec<(SourceKey, u64), RECENT>,
    /// The incident under way, if its last simultaneous hit is recent.
    open: Option<Open>,
    incidents: u32,
    campaigns: ArrayVec<u32, TARGET_CAMPAIGNS>,
    pairs: ArrayVec<u32, TARGET_PAIRS>,
}

impl TargetState {
    fn new(target: Target) -> Self {
        TargetState {
            target,
            recent: ArrayVec::new(),
            open: None,
            incidents: 0,
            campaigns: ArrayVec::new(),
            pairs: ArrayVec::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct Open {
    last: u64,
    campaign: u32,
    sources: ArrayVec<SourceKey, INCIDENT_SOURCES>,
}

/// One campaign as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Campaign {
    /// Its number, in order of first incident (from 1).
    pub(crate) id: u32,
    /// Its sources, in the order they joined.
    pub(crate) sources: Vec<SourceKey>,
    /// Incidents.
    pub(crate) incidents: u64,
    /// Distinct targets.
    pub(crate) targets: u64,
    /// Up to [`SAMPLE_TARGETS`] of them, in order of first incident.
    pub(crate) sample: Vec<Target>,
    /// First incident's start and last incident's latest hit, ns.
    pub(crate) first_ts: u64,
    pub(crate) last_ts: u64,
    /// Days (since the epoch, UTC) with an incident, ascending, at most [`MAX_DAYS`].
    pub(crate) days: Vec<u32>,
    /// Start of each incident (its earliest hit), ns (at most [`MAX_INCIDENT_TIMES`]).
    pub(crate) incident_ts: Vec<u64>,
    /// Incidents at which the next `incidents` event is due.
    next_mark: u64,
}

/// Incident start times kept per campaign (for the timeline).
pub(crate) const MAX_INCIDENT_TIMES: usize = 2000;

/// Something a SOC should hear of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A target's first incident.
    FirstIncident,
    /// A source joined the campaign.
    Joined(SourceKey),
    /// The campaign reached this many incidents (`campaign_min_incidents` when above 1, then
    /// 10, 20, 50, 100, …).
    Incidents(u64),
}

/// An event, at capture time `ts`, on campaign `campaign` (index into [`Campaigns::get`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) ts: u64,
    pub(crate) campaign: u32,
    pub(crate) target: Target,
    pub(crate) kind: EventKind,
}

#[derive(Debug, Clone, Copy)]
struct Pair {
    a: SourceKey,
    b: SourceKey,
    /// Targets both hit within the window.
    targets: u64,
}

/// A pair of sources and how much their hits coincide.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PairRow {
    pub(crate) a: SourceKey,
    pub(crate) b: SourceKey,
    /// Targets both hit within the window of one another.
    pub(crate) together: u64,
    /// Distinct targets of each.
    pub(crate) a_targets: u64,
    pub(crate) b_targets: u64,
    /// `together` / the smaller of the two.
    pub(crate) share: f64,
    /// What independent sweeps of those sizes would give (see [`Campaigns::pairs`]).
    pub(crate) expected: f64,
    /// `together` / `expected`.
    pub(crate) lift: f64,
}

#[derive(Debug, Clone, Default)]
struct SourceTally {
    hits: u64,
    targets: Hll,
    /// Days with a hit, a bit per day (day number modulo [`DAY_BITS`]).
    days: [u64; DAY_BITS / 64],
}

/// Days a source's activity is remembered by (a capture longer than this folds over).
const DAY_BITS: usize = 448;

impl SourceTally {
    fn count(&mut self, key: u64, ts: u64) {
        self.hits += 1;
        self.targets.insert(key);
        let d = (ts / DAY_NS) as usize % DAY_BITS;
        self.days[d / 64] |= 1 << (d % 64);
    }

    fn active_days(&self) -> u32 {
        self.days.iter().map(|w| w.count_ones()).sum()
    }

    fn shared_days(&self, other: &SourceTally) -> u32 {
        self.days
            .iter()
            .zip(&other.days)
            .map(|(a, b)| (a & b).count_ones())
            .sum()
    }
}

/// Counts of what could not be kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Targets forgotten because the table was full.
    pub(crate) targets_evicted: u64,
    /// Incidents that would have started a campaign beyond [`MAX_CAMPAIGNS`].
    pub(crate) campaigns_full: u64,
    /// Coincidences of a pair beyond [`MAX_PAIRS`].
    pub(crate) pairs_full: u64,
    /// Hits older than their target's latest (an alert naming an MSISDN alone waits longer
    /// in the reorder buffer; within the window it is judged as if in order).
    pub(crate) late_hits: u64,
}

/// Finds incidents, campaigns and operator pairs among hits.
#[derive(Debug)]
pub(crate) struct Campaigns {
    cfg: Config,
    window_ns: u64,
    targets: BoundedMap<u64, TargetState>,
    campaigns: Vec<Campaign>,
    pairs: Vec<Pair>,
    pair_index: foldhash::HashMap<(SourceKey, SourceKey), u32>,
    sources: foldhash::HashMap<SourceKey, SourceTally>,
    all_targets: Hll,
    stats: Stats,
}

impl Campaigns {
    /// A tracker with the policy's settings.
    pub(crate) fn new(cfg: Config) -> Self {
        let cfg = Config {
            min_sources: cfg.min_sources.max(2),
            min_incidents: cfg.min_incidents.max(1),
            ..cfg
        };
        Campaigns {
            window_ns: cfg.window_s.saturating_mul(1_000_000_000),
            targets: BoundedMap::new(cfg.targets.max(1)),
            cfg,
            campaigns: Vec::new(),
            pairs: Vec::new(),
            pair_index: foldhash::HashMap::default(),
            sources: foldhash::HashMap::default(),
            all_targets: Hll::new(),
            stats: Stats::default(),
        }
    }

    /// What could not be kept.
    pub(crate) fn stats(&self) -> Stats {
        Stats {
            targets_evicted: self.targets.evictions(),
            ..self.stats
        }
    }

    /// Campaign number `id`.
    pub(crate) fn get(&self, id: u32) -> Option<&Campaign> {
        self.campaigns.get(id.checked_sub(1)? as usize)
    }

    /// Targets tracked now: (named by IMSI and MSISDN, by IMSI only, by MSISDN only).
    pub(crate) fn identities(&self) -> (u64, u64, u64) {
        let mut n = (0, 0, 0);
        for (_, t) in self.targets.iter() {
            match (t.target.imsi.is_some(), t.target.msisdn.is_some()) {
                (true, true) => n.0 += 1,
                (true, false) => n.1 += 1,
                (false, _) => n.2 += 1,
            }
        }
        n
    }

    /// The target known by `from` (an MSISDN's key) is the one known by `to` (its IMSI's):
    /// fold what was kept under the first into the second.
    pub(crate) fn rekey(&mut self, from: u64, to: u64, target: Target) {
        let Some(old) = self.targets.remove(&from) else {
            if let Some(t) = self.targets.get_mut(&to) {
                fill(&mut t.target, &target);
            }
            return;
        };
        let (t, _) = self
            .targets
            .get_or_insert_with(to, || TargetState::new(target));
        fill(&mut t.target, &old.target);
        fill(&mut t.target, &target);
        for (s, ts) in old.recent {
            remember(&mut t.recent, s, ts);
        }
        if t.open
            .as_ref()
            .is_none_or(|o| old.open.as_ref().is_some_and(|n| n.last > o.last))
        {
            t.open = old.open;
        }
        t.incidents += old.incidents;
        for c in old.campaigns {
            if !t.campaigns.contains(&c) {
                let _ = t.campaigns.try_push(c);
            }
        }
        for p in old.pairs {
            if !t.pairs.contains(&p) {
                let _ = t.pairs.try_push(p);
            }
        }
    }

    /// One hit on `target` (whose key is `key`) from `source` at `ts`; what a SOC should hear
    /// of now goes to `events`.
    pub(crate) fn hit(
        &mut self,
        key: u64,
        target: &Target,
        source: SourceKey,
        ts: u64,
        events: &mut Vec<Event>,
    ) {
        if source == SourceKey::Unknown {
            return;
        }
        self.all_targets.insert(key);
        if let Some(s) = self.sources.get_mut(&source) {
            s.count(key, ts);
        } else if self.sources.len() < MAX_SOURCES {
            let mut s = SourceTally::default();
            s.count(key, ts);
            self.sources.insert(source, s);
        }
        let (t, _) = self
            .targets
            .get_or_insert_with(key, || TargetState::new(*target));
        fill(&mut t.target, target);
        if t.recent.iter().any(|&(_, last)| last > ts) {
            self.stats.late_hits += 1;
        }
        remember(&mut t.recent, source, ts);
        // The sources of the window that ends at this hit.
        let lo = ts.saturating_sub(self.window_ns);
        let mut together: ArrayVec<SourceKey, INCIDENT_SOURCES> = ArrayVec::new();
        let _ = together.try_push(source);
        let mut start = ts;
        for &(s, last) in &t.recent {
            if s != source && last >= lo && last <= ts.saturating_add(self.window_ns) {
                let _ = together.try_push(s);
                start = start.min(last);
            }
        }
        let target = t.target;
        // Operator pairs: this hit with each other source of the window, once per target.
        for &other in &together[1..] {
            let (a, b) = if source < other {
                (source, other)
            } else {
                (other, source)
            };
            let id = match self.pair_index.get(&(a, b)) {
                Some(&id) => id,
                None if self.pairs.len() < MAX_PAIRS => {
                    let id = self.pairs.len() as u32;
                    self.pairs.push(Pair { a, b, targets: 0 });
                    self.pair_index.insert((a, b), id);
                    id
                }
                None => {
                    self.stats.pairs_full += 1;
                    continue;
                }
            };
            if !t.pairs.contains(&id) {
                let _ = t.pairs.try_push(id);
                self.pairs[id as usize].targets += 1;
            }
        }
        if together.len() < self.cfg.min_sources {
            return;
        }
        together.sort();
        let continuing = t
            .open
            .as_ref()
            .filter(|o| ts.saturating_sub(o.last) <= self.window_ns)
            .map(|o| o.campaign);
        match continuing {
            Some(id) => self.continue_incident(key, id, &together, ts, events),
            None => self.start_incident(key, target, &together, start, ts, events),
        }
    }

    fn start_incident(
        &mut self,
        key: u64,
        target: Target,
        sources: &[SourceKey],
        start: u64,
        ts: u64,
        events: &mut Vec<Event>,
    ) {
        let Some(id) = self.campaign_for(sources, start) else {
            self.stats.campaigns_full += 1;
            return;
        };
        let Some(t) = self.targets.get_mut(&key) else {
            return;
        };
        t.incidents += 1;
        let first_of_target = t.incidents == 1;
        let new_in_campaign = !t.campaigns.contains(&id);
        if new_in_campaign {
            let _ = t.campaigns.try_push(id);
        }
        t.open = Some(Open {
            last: ts,
            campaign: id,
            sources: sources.iter().copied().collect(),
        });
        let min_incidents = self.cfg.min_incidents;
        let c = &mut self.campaigns[id as usize - 1];
        c.incidents += 1;
        if new_in_campaign {
            c.targets += 1;
            if c.sample.len() < SAMPLE_TARGETS {
                c.sample.push(target);
            }
        }
        c.first_ts = c.first_ts.min(start);
        c.last_ts = c.last_ts.max(ts);
        if c.incident_ts.len() < MAX_INCIDENT_TIMES {
            c.incident_ts.push(start);
        }
        add_day(&mut c.days, start);
        if first_of_target {
            events.push(Event {
                ts,
                campaign: id,
                target,
                kind: EventKind::FirstIncident,
            });
        }
        if c.incidents >= c.next_mark {
            events.push(Event {
                ts,
                campaign: id,
                target,
                kind: EventKind::Incidents(c.incidents),
            });
            c.next_mark = next_mark(c.incidents.max(min_incidents));
        }
        self.join(id, sources, ts, target, events);
    }

    fn continue_incident(
        &mut self,
        key: u64,
        id: u32,
        sources: &[SourceKey],
        ts: u64,
        events: &mut Vec<Event>,
    ) {
        let Some(t) = self.targets.get_mut(&key) else {
            return;
        };
        let target = t.target;
        if let Some(o) = t.open.as_mut() {
            o.last = o.last.max(ts);
            for s in sources {
                if !o.sources.contains(s) {
                    let _ = o.sources.try_push(*s);
                }
            }
        }
        let c = &mut self.campaigns[id as usize - 1];
        c.last_ts = c.last_ts.max(ts);
        add_day(&mut c.days, ts);
        self.join(id, sources, ts, target, events);
    }

    /// Sources new to campaign `id` join it.
    fn join(
        &mut self,
        id: u32,
        sources: &[SourceKey],
        ts: u64,
        target: Target,
        events: &mut Vec<Event>,
    ) {
        let c = &mut self.campaigns[id as usize - 1];
        let founding = c.incidents == 1 && c.sources.is_empty();
        for s in sources {
            if !c.sources.contains(s) && c.sources.len() < CAMPAIGN_SOURCES {
                c.sources.push(*s);
                if !founding {
                    events.push(Event {
                        ts,
                        campaign: id,
                        target,
                        kind: EventKind::Joined(*s),
                    });
                }
            }
        }
    }

    /// The campaign an incident of `sources` belongs to, made if none.
    fn campaign_for(&mut self, sources: &[SourceKey], ts: u64) -> Option<u32> {
        let need = self.cfg.min_sources;
        let best = self
            .campaigns
            .iter()
            .map(|c| {
                let common = sources.iter().filter(|s| c.sources.contains(s)).count();
                (common, c.incidents, std::cmp::Reverse(c.id))
            })
            .filter(|(common, _, _)| *common >= need)
            .max();
        if let Some((_, _, std::cmp::Reverse(id))) = best {
            return Some(id);
        }
        if self.campaigns.len() >= MAX_CAMPAIGNS {
            return None;
        }
        let id = self.campaigns.len() as u32 + 1;
        self.campaigns.push(Campaign {
            id,
            sources: Vec::new(),
            incidents: 0,
            targets: 0,
            sample: Vec::new(),
            first_ts: ts,
            last_ts: ts,
            days: Vec::new(),
            incident_ts: Vec::new(),
            // With a campaign reported from its first incident, `FirstIncident` says so.
            next_mark: if self.cfg.min_incidents > 1 {
                self.cfg.min_incidents
            } else {
                next_mark(1)
            },
        });
        Some(id)
    }

    /// Campaigns with at least `min_incidents` incidents, most incidents first, then most
    /// targets, then earliest.
    pub(crate) fn campaigns(&self) -> Vec<&Campaign> {
        let mut out: Vec<&Campaign> = self
            .campaigns
            .iter()
            .filter(|c| c.incidents >= self.cfg.min_incidents)
            .collect();
        out.sort_by(|a, b| {
            b.incidents
                .cmp(&a.incidents)
                .then(b.targets.cmp(&a.targets))
                .then(a.first_ts.cmp(&b.first_ts))
        });
        out
    }

    /// Operator pairs that hit a target within the window of one another, ranked by lift.
    ///
    /// `expected` is what two independent sweeps of the same sizes would give. Of `N` targets
    /// hit by anyone, `A` and `B` hit `a` and `b` at random, so `a·b/N` targets are hit by
    /// both. Each such target has `h_a·h_b` pairs of hits (the mean hits per target of each).
    /// Each source's hits fall at random times on its own active days (`d_a`, `d_b` days, `s`
    /// of them shared): a pair of hits falls on the same day with probability `s/(d_a·d_b)`,
    /// and then within the window `w` of one another with probability `2w/day`. So
    /// `expected = a·b/N · min(1, h_a·h_b · s/(d_a·d_b) · 2w/day)`. `lift` = together /
    /// expected: about 1 for independent sources, far above it for sources acting together.
    /// Sweeps packed into a few hours of their days coincide more than this says.
    pub(crate) fn pairs(&self) -> Vec<PairRow> {
        let n = self.all_targets.estimate().max(1) as f64;
        let w = self.window_ns as f64;
        let empty = SourceTally::default();
        let mut rows: Vec<PairRow> = self
            .pairs
            .iter()
            .map(|p| {
                let ta = self.sources.get(&p.a).unwrap_or(&empty);
                let tb = self.sources.get(&p.b).unwrap_or(&empty);
                let (na, nb) = (ta.targets.estimate(), tb.targets.estimate());
                let per = |t: &SourceTally, targets: u64| t.hits as f64 / targets.max(1) as f64;
                let same_day = f64::from(ta.shared_days(tb))
                    / (f64::from(ta.active_days().max(1)) * f64::from(tb.active_days().max(1)));
                let p_time =
                    (per(ta, na) * per(tb, nb) * same_day * 2.0 * w / DAY_NS as f64).min(1.0);
                let expected = na as f64 * nb as f64 / n * p_time;
                let together = p.targets;
                PairRow {
                    a: p.a,
                    b: p.b,
                    together,
                    a_targets: na,
                    b_targets: nb,
                    share: together as f64 / na.min(nb).max(1) as f64,
                    expected,
                    lift: if expected > 0.0 {
                        together as f64 / expected
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        rows.sort_by(|x, y| {
            y.lift
                .total_cmp(&x.lift)
                .then(y.together.cmp(&x.together))
                .then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        rows
    }
}

/// Remember `source`'s hit at `ts`, forgetting the least recent source when full.
fn remember(recent: &mut ArrayVec<(SourceKey, u64), RECENT>, source: SourceKey, ts: u64) {
    if let Some(e) = recent.iter_mut().find(|(s, _)| *s == source) {
        e.1 = e.1.max(ts);
        return;
    }
    if recent.is_full() {
        if let Some(i) = (0..recent.len()).min_by_key(|&i| recent[i].1) {
            recent.swap_remove(i);
        }
    }
    recent.push((source, ts));
}

fn fill(into: &mut Target, from: &Target) {
    into.imsi = into.imsi.or(from.imsi);
    into.msisdn = into.msisdn.or(from.msisdn);
}

fn add_day(days: &mut Vec<u32>, ts: u64) {
    let day = (ts / DAY_NS) as u32;
    if let Err(i) = days.binary_search(&day) {
        if days.len() < MAX_DAYS {
            days.insert(i, day);
        }
    }
}

/// The incident count after `n` at which to speak again: 10, 20, 50, 100, 200, 500, …
fn next_mark(n: u64) -> u64 {
    let mut m = 10u64;
    loop {
        for step in [m, m * 2, m * 5] {
            if step > n {
                return step;
            }
        }
        m = m.saturating_mul(10);
        if m == u64::MAX {
            return u64::MAX;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoder::Identity;
    use rules::numbering::OperatorId;

    const S: u64 = 1_000_000_000;
    const DAY: u64 = 86_400 * S;

    fn target(n: &str) -> Target {
        Target {
            imsi: None,
            msisdn: Identity::from_ascii(n),
        }
    }

    fn op(n: u16) -> SourceKey {
        SourceKey::Operator(OperatorId(n))
    }

    fn tracker() -> Campaigns {
        Campaigns::new(Config {
            window_s: 900,
            min_sources: 2,
            min_incidents: 1,
            targets: 1000,
        })
    }

    /// Feed hits (target number, operator, seconds) in the order given.
    fn feed(c: &mut Campaigns, hits: &[(u32, u16, u64)]) -> Vec<Event> {
        let mut events = Vec::new();
        for &(t, o, s) in hits {
            let tg = target(&format!("1206555{t:04}"));
            c.hit(tg.key().unwrap(), &tg, op(o), s * S, &mut events);
        }
        events
    }

    #[test]
    fn two_operators_within_the_window_are_an_incident() {
        let mut c = tracker();
        let ev = feed(&mut c, &[(1, 1, 100), (1, 2, 300), (1, 1, 650)]);
        let found = c.campaigns();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].sources, vec![op(1), op(2)]);
        assert_eq!((found[0].incidents, found[0].targets), (1, 1));
        assert_eq!((found[0].first_ts, found[0].last_ts), (100 * S, 650 * S));
        assert_eq!(
            ev.iter().map(|e| e.kind).collect::<Vec<_>>(),
            vec![EventKind::FirstIncident]
        );
    }

    #[test]
    fn spans_far_apart_are_no_incident() {
        // The artefact of the old span rule: operator 1 on day 1 and day 20, operator 2 on
        // day 10. No two ever within the window.
        let mut c = tracker();
        feed(
            &mut c,
            &[(1, 1, 0), (1, 2, 10 * 86_400), (1, 1, 20 * 86_400)],
        );
        assert!(c.campaigns().is_empty());
        assert!(c.pairs().is_empty());
        // One operator many times is no incident either.
        let many: Vec<_> = (0..50).map(|i| (2, 3, i * 10)).collect();
        feed(&mut c, &many);
        assert!(c.campaigns().is_empty());
    }

    #[test]
    fn returns_are_new_incidents_and_targets_share_the_campaign() {
        let mut c = tracker();
        let mut hits = Vec::new();
        for day in 0..12u64 {
            for t in 0..3u32 {
                let at = day * 86_400 + u64::from(t) * 60;
                hits.push((t, 1, at));
                hits.push((t, 2, at + 30));
                hits.push((t, 2, at + 400)); // continues the same incident
            }
        }
        let ev = feed(&mut c, &hits);
        let found = c.campaigns();
        assert_eq!(found.len(), 1, "one operator set, one campaign");
        assert_eq!((found[0].incidents, found[0].targets), (36, 3));
        assert_eq!(found[0].days.len(), 12);
        let firsts = ev
            .iter()
            .filter(|e| e.kind == EventKind::FirstIncident)
            .count();
        assert_eq!(firsts, 3);
        let marks: Vec<_> = ev
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Incidents(n) => Some(n),
                _ => None,
            })
            .collect();
        assert_eq!(marks, vec![10, 20]);
        let pairs = c.pairs();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].together, 3);
    }

    #[test]
    fn a_third_operator_joins_and_is_announced() {
        let mut c = tracker();
        let ev = feed(
            &mut c,
            &[
                (1, 1, 0),
                (1, 2, 10),
                (2, 1, DAY / S),
                (2, 2, DAY / S),
                (2, 3, DAY / S + 5),
            ],
        );
        let found = c.campaigns();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].sources, vec![op(1), op(2), op(3)]);
        assert!(ev.contains(&Event {
            ts: DAY + 5 * S,
            campaign: 1,
            target: target("12065550002"),
            kind: EventKind::Joined(op(3)),
        }));
    }

    #[test]
    fn min_incidents_holds_back_a_one_off() {
        let mut c = Campaigns::new(Config {
            window_s: 900,
            min_sources: 2,
            min_incidents: 3,
            targets: 1000,
        });
        let ev = feed(&mut c, &[(1, 1, 0), (1, 2, 10)]);
        assert!(c.campaigns().is_empty());
        assert!(!ev.iter().any(|e| matches!(e.kind, EventKind::Incidents(_))));
        feed(
            &mut c,
            &[
                (1, 1, 86_400),
                (1, 2, 86_410),
                (2, 1, 2 * 86_400),
                (2, 2, 2 * 86_400),
            ],
        );
        assert_eq!(c.campaigns().len(), 1);
    }

    #[test]
    fn a_target_named_two_ways_is_one() {
        let mut c = tracker();
        let by_msisdn = target("12065550009");
        let by_imsi = Target {
            imsi: Identity::from_ascii("310150123456789"),
            msisdn: None,
        };
        let mut ev = Vec::new();
        c.hit(by_msisdn.key().unwrap(), &by_msisdn, op(1), 0, &mut ev);
        c.rekey(by_msisdn.key().unwrap(), by_imsi.key().unwrap(), by_imsi);
        c.hit(by_imsi.key().unwrap(), &by_imsi, op(2), 60 * S, &mut ev);
        let found = c.campaigns();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].targets, 1);
        assert_eq!(found[0].sample[0].msisdn, by_msisdn.msisdn);
        assert_eq!(found[0].sample[0].imsi, by_imsi.imsi);
        assert_eq!(c.identities(), (1, 0, 0));
    }

    /// Two sources sweeping at random over the same days coincide about as often as the
    /// baseline says; a third acting with one of them stands far above it.
    #[test]
    fn the_pair_baseline_tells_chance_from_acting_together() {
        let mut c = Campaigns::new(Config {
            window_s: 3600,
            min_sources: 2,
            min_incidents: 1,
            targets: 100_000,
        });
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut hits = Vec::new();
        for _ in 0..1000 {
            hits.push((next(2000) as u32, 1u16, next(10 * 86_400)));
            hits.push((next(2000) as u32, 2u16, next(10 * 86_400)));
        }
        for _ in 0..50u64 {
            let (t, at) = (next(2000) as u32, next(10 * 86_400));
            hits.push((t, 1, at));
            hits.push((t, 3, at + next(300)));
        }
        hits.sort_by_key(|h| h.2);
        feed(&mut c, &hits);
        let pairs = c.pairs();
        let row = |a: u16, b: u16| {
            pairs
                .iter()
                .find(|p| (p.a, p.b) == (op(a), op(b)))
                .unwrap_or_else(|| panic!("no pair {a}-{b}: {pairs:#?}"))
        };
        assert_eq!((pairs[0].a, pairs[0].b), (op(1), op(3)), "{pairs:#?}");
        assert!(row(1, 3).lift > 20.0, "{:?}", row(1, 3));
        let chance = row(1, 2);
        assert!(chance.expected > 3.0, "{chance:?}");
        assert!(
            chance.lift > 0.3 && chance.lift < 3.0,
            "independent sweeps: {chance:?}"
        );
    }

    #[test]
    fn next_marks_and_dates() {
        assert_eq!(next_mark(1), 10);
        assert_eq!(next_mark(10), 20);
        assert_eq!(next_mark(20), 50);
        assert_eq!(next_mark(50), 100);
        assert_eq!(next_mark(999), 1000);
        use crate::sink::report::date;
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(20_454), "2026-01-01");
        assert_eq!(date(11_016), "2000-02-29");
    }
}

#[cfg(test)]
mod size {
    /// What a tracked target costs, besides the table's own slot and index: the bound
    /// `limits.campaign_targets` multiplies it.
    #[test]
    fn a_tracked_target_stays_small() {
        let n = std::mem::size_of::<super::TargetState>();
        eprintln!("TargetState: {n} bytes");
        assert!(n <= 320, "{n} bytes");
    }
}
