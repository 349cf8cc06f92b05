//! The collector: one thread that merges what the workers send. It writes the alert lines,
//! counts verdicts by category, rule, source country and operator (with distinct targets per
//! source), finds coordinated campaigns, merges the workers' counters, rates and latency
//! histograms, and builds the report.

pub(crate) mod campaign;
pub(crate) mod hll;
pub(crate) mod identity;
pub(crate) mod rates;
pub(crate) mod reorder;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Result;
use rules::engine::Engine;
use rules::verdict::{Category, Verdict};

use self::campaign::{Campaigns, Event, EventKind};
use self::hll::Hll;
use self::identity::Identities;
use self::rates::{Rates, SourceKey};
use self::reorder::{Held, Item, Reorder};
use crate::sink::alerts::write_alert;
use crate::sink::export::Exporter;
use crate::sink::json::JsonLine;
use crate::sink::metrics::LatencyHistogram;
use crate::sink::report::{
    CampaignRow, CaptureInfo, IdentityRow, Latency, OperatorRow, PairRow, RankRow, Report, RunInfo,
    SourceRef, SourceRow, TargetRef, TimelineRow, Totals,
};
use crate::stats::WorkerCounters;
use crate::worker::{Snapshot, ToCollector};

#[derive(Debug, Default, Clone)]
struct PerSource {
    alerts: u64,
    targets: Hll,
}

/// Merges the workers' output.
pub struct Collector<'e> {
    engine: &'e Engine,
    alerts_out: Option<Box<dyn Write + Send + 'e>>,
    line: JsonLine,
    by_rule: Vec<u64>,
    /// Alerts per time bucket and category (cat1, cat2, cat3, recon, custom).
    timeline: BTreeMap<u64, [u64; CATEGORIES.len()]>,
    /// By source country; `None`: a sender no numbering plan places (`unknown` in the report).
    by_country: foldhash::HashMap<Option<rules::geo::Country>, PerSource>,
    by_operator: foldhash::HashMap<rules::numbering::OperatorId, PerSource>,
    campaigns: Campaigns,
    /// Alerts waiting for capture order (campaigns and distinct targets need it).
    reorder: Reorder,
    identities: Identities,
    events: Vec<Event>,
    campaign_lines: u64,
    /// How long an alert naming only an MSISDN waits for the pair that names its IMSI.
    pairing_delay_ns: u64,
    snapshots: Vec<Option<Snapshot>>,
    done: usize,
    alerts: u64,
    alert_counter: Arc<AtomicU64>,
    spare: crossbeam_channel::Sender<Vec<Verdict>>,
    write_error: Option<std::io::Error>,
    exporter: Option<Exporter>,
}

impl std::fmt::Debug for Collector<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("alerts", &self.alerts)
            .field("done", &self.done)
            .finish()
    }
}

impl<'e> Collector<'e> {
    /// A collector for `workers` workers, writing alert lines to `alerts_out`.
    pub fn new(
        engine: &'e Engine,
        workers: usize,
        alerts_out: Option<Box<dyn Write + Send + 'e>>,
        alert_counter: Arc<AtomicU64>,
        spare: crossbeam_channel::Sender<Vec<Verdict>>,
    ) -> Self {
        let t = &engine.policy.thresholds;
        Collector {
            engine,
            alerts_out,
            line: JsonLine::new(),
            by_rule: vec![0; engine.rules.len()],
            timeline: BTreeMap::new(),
            by_country: foldhash::HashMap::default(),
            by_operator: foldhash::HashMap::default(),
            campaigns: Campaigns::new(campaign::Config {
                window_s: t.campaign_window_s,
                min_sources: t.campaign_min_sources,
                min_incidents: t.campaign_min_incidents,
                targets: engine.policy.limits.campaign_targets,
            }),
            // The longest a rule defers a verdict: an SRI-for-SM's follow-up, a dialogue's answer.
            reorder: Reorder::new(
                workers,
                REORDER_CAPACITY,
                t.sri_sm_followup_s
                    .saturating_add(t.dialogue_timeout_s)
                    .saturating_add(1),
            ),
            identities: Identities::new(engine.policy.limits.campaign_targets),
            events: Vec::new(),
            campaign_lines: 0,
            pairing_delay_ns: t.campaign_window_s.saturating_mul(1_000_000_000),
            snapshots: (0..workers).map(|_| None).collect(),
            done: 0,
            alerts: 0,
            alert_counter,
            spare,
            write_error: None,
            exporter: None,
        }
    }

    /// Also hand every alert line to `exporter` (NATS).
    pub(crate) fn set_exporter(&mut self, exporter: Exporter) {
        self.exporter = Some(exporter);
    }

    /// The exporter, if any.
    pub(crate) fn exporter_mut(&mut self) -> Option<&mut Exporter> {
        self.exporter.as_mut()
    }

    /// Whether every worker has finished.
    pub(crate) fn finished(&self) -> bool {
        self.done == self.snapshots.len()
    }

    /// Take one message from a worker.
    pub fn handle(&mut self, msg: ToCollector) {
        match msg {
            ToCollector::Verdicts(mut vs) => {
                for v in &vs {
                    self.verdict(v);
                }
                vs.clear();
                let _ = self.spare.try_send(vs);
            }
            ToCollector::Pairs(pairs) => {
                for (msisdn, imsi, ts) in pairs {
                    self.hold(ts, ts, Item::Pair(msisdn, imsi));
                }
            }
            ToCollector::Mark(w, ts) => {
                self.reorder.mark(w, ts);
                self.release();
            }
            // The pipeline keeps the subscriber state (`--state-dir`), not the collector.
            ToCollector::State(..) => {}
            ToCollector::Snapshot(w, s) => {
                if let Some(slot) = self.snapshots.get_mut(w) {
                    *slot = Some(*s);
                }
            }
            ToCollector::Done(w) => {
                self.done += 1;
                self.reorder.mark(w, u64::MAX);
                self.release();
                if self.finished() {
                    self.finish();
                }
            }
        }
    }

    /// Settle every held alert now (the input has ended).
    pub(crate) fn finish(&mut self) {
        while let Some(h) = self.reorder.drain() {
            self.settle(h);
        }
    }

    /// Settle the held alerts every worker has passed.
    fn release(&mut self) {
        while let Some(h) = self.reorder.next() {
            self.settle(h);
        }
    }

    /// The traffic says `msisdn` is `imsi`.
    fn learn(&mut self, msisdn: decoder::Identity, imsi: decoder::Identity) {
        if let Some((from, to, both)) = self.identities.learn(msisdn, imsi) {
            self.campaigns.rekey(from, to, both);
        }
    }

    /// Hold an item until every worker has passed `due`; settle what must go now.
    fn hold(&mut self, due: u64, ts: u64, item: Item) {
        if let Some(h) = self.reorder.push(due, ts, item) {
            self.settle(h);
        }
        self.release();
    }

    /// An item in capture order: a pair learnt, or an alert counted for distinct targets per
    /// source and campaigns.
    fn settle(&mut self, h: Held) {
        let (target, country, operator) = match h.item {
            Item::Pair(msisdn, imsi) => {
                self.learn(msisdn, imsi);
                return;
            }
            Item::Alert {
                target,
                country,
                operator,
            } => (target, country, operator),
        };
        let Some((key, target)) = self.identities.canonical(&target) else {
            return;
        };
        if let Some(e) = self.by_country.get_mut(&country) {
            e.targets.insert(key);
        }
        if let Some(e) = operator.and_then(|o| self.by_operator.get_mut(&o)) {
            e.targets.insert(key);
        }
        let mut events = std::mem::take(&mut self.events);
        self.campaigns.hit(
            key,
            &target,
            SourceKey::of(operator, country),
            h.ts,
            &mut events,
        );
        for e in events.drain(..) {
            self.campaign_line(&e);
        }
        self.events = events;
    }

    /// A `campaign` line for a SOC: a target's first incident, a source joining, the N-th
    /// incident.
    fn campaign_line(&mut self, e: &Event) {
        self.campaign_lines += 1;
        if self.alerts_out.is_none() && self.exporter.is_none() {
            return;
        }
        let Some(c) = self.campaigns.get(e.campaign) else {
            return;
        };
        let sources: Vec<SourceRef> = c.sources.iter().map(|s| self.source_ref(s)).collect();
        let names = crate::sink::report::source_names(&sources);
        let (event, reason, joined) = match e.kind {
            EventKind::FirstIncident => (
                "first_incident",
                format!(
                    "{} hit one subscriber within {} s of one another: its first incident",
                    sources
                        .iter()
                        .map(SourceRef::name)
                        .collect::<Vec<_>>()
                        .join(" and "),
                    self.engine.policy.thresholds.campaign_window_s
                ),
                None,
            ),
            EventKind::Joined(s) => {
                let joined = self.source_ref(&s);
                (
                    "source_joined",
                    format!("{} joined campaign {} ({names})", joined.name(), c.id),
                    Some(joined),
                )
            }
            EventKind::Incidents(n) => (
                "incidents",
                format!(
                    "campaign {} ({names}) reached {n} incidents on {} subscribers",
                    c.id, c.targets
                ),
                None,
            ),
        };
        let mut line = serde_json::json!({
            "ts": seconds_us(e.ts),
            "category": "campaign",
            "event": event,
            "campaign": c.id,
            "reason": reason,
            "sources": sources,
            "incidents": c.incidents,
            "targets": c.targets,
            "first_ts": seconds_us(c.first_ts),
            "target": TargetRef::of(&e.target),
        });
        if let Some(j) = joined {
            line["joined"] = serde_json::to_value(j).unwrap_or_default();
        }
        let mut bytes = line.to_string().into_bytes();
        bytes.push(b'\n');
        emit(
            &mut self.alerts_out,
            &mut self.exporter,
            &mut self.write_error,
            &bytes,
        );
    }

    /// Count one verdict: alert line, tallies, campaigns.
    pub(crate) fn verdict(&mut self, v: &Verdict) {
        self.alerts += 1;
        self.alert_counter.fetch_add(1, Ordering::Relaxed);
        if let Some(n) = self.by_rule.get_mut(usize::from(v.rule.0)) {
            *n += 1;
        }
        if let Some(info) = self.engine.rules.get(v.rule) {
            let bucket = v.subject.ts_ns / 1_000_000_000 / TIMELINE_BUCKET_S;
            // Bounded: a run spanning more buckets than that folds the rest into the last.
            let bucket = match self.timeline.last_key_value() {
                Some((&last, _)) if self.timeline.len() >= TIMELINE_BUCKETS && bucket > last => {
                    last
                }
                _ => bucket,
            };
            self.timeline.entry(bucket).or_default()[category_index(info.category)] += 1;
        }
        self.by_country.entry(v.source.country).or_default().alerts += 1;
        if let Some(o) = v.source.operator {
            self.by_operator.entry(o).or_default().alerts += 1;
        }
        // Distinct targets and campaigns wait for capture order; a target named by its
        // MSISDN alone waits a window longer, for an answer that gives its IMSI.
        let ts = v.subject.ts_ns;
        if let (Some(m), Some(i)) = (v.target.msisdn, v.target.imsi) {
            self.hold(ts, ts, Item::Pair(m, i));
        }
        let due = if v.target.imsi.is_none() {
            ts.saturating_add(self.pairing_delay_ns)
        } else {
            ts
        };
        let item = Item::Alert {
            target: v.target,
            country: v.source.country,
            operator: v.source.operator,
        };
        self.hold(due, ts, item);
        if self.alerts_out.is_none() && self.exporter.is_none() {
            return;
        }
        write_alert(&mut self.line, self.engine, v);
        emit(
            &mut self.alerts_out,
            &mut self.exporter,
            &mut self.write_error,
            self.line.end(),
        );
    }

    /// Flush the alert lines.
    pub(crate) fn flush(&mut self) -> Result<()> {
        if let Some(e) = self.write_error.take() {
            return Err(e.into());
        }
        if let Some(out) = self.alerts_out.as_mut() {
            out.flush()?;
        }
        Ok(())
    }

    /// Each worker's queue fill from its latest snapshot (None before the first).
    pub(crate) fn backlogs(&self) -> Vec<Option<Backlog>> {
        self.snapshots
            .iter()
            .map(|s| {
                s.as_ref().map(|s| Backlog {
                    input: s.input_backlog,
                    shard: s.shard_backlog,
                })
            })
            .collect()
    }

    /// The workers' batch latencies merged, as a Prometheus histogram over `bounds` (µs), or
    /// None before any snapshot.
    pub(crate) fn latency_buckets(&self, bounds: &[u64]) -> Option<LatencyHistogram> {
        let mut merged: Option<hdrhistogram::Histogram<u64>> = None;
        for s in self.snapshots.iter().flatten() {
            match merged.as_mut() {
                Some(m) => {
                    let _ = m.add(&s.latency);
                }
                None => merged = Some(s.latency.clone()),
            }
        }
        let h = merged?;
        let mut buckets = Vec::with_capacity(bounds.len() + 1);
        let mut below = 0;
        for &b in bounds {
            let upto = h.count_between(0, b);
            buckets.push((b as f64, upto.saturating_sub(below)));
            below = upto;
        }
        buckets.push((f64::INFINITY, h.len().saturating_sub(below)));
        Some(LatencyHistogram {
            sum: h.mean() * h.len() as f64,
            count: h.len(),
            buckets,
        })
    }

    /// Counters of every worker, added up.
    pub(crate) fn counters(&self) -> WorkerCounters {
        let mut c = WorkerCounters::default();
        for s in self.snapshots.iter().flatten() {
            c.add(&s.counters);
        }
        c
    }

    fn source_ref(&self, key: &SourceKey) -> SourceRef {
        match key {
            SourceKey::Operator(o) => {
                let op = self.engine.plan.operator(*o);
                SourceRef {
                    operator: op.map(|o| o.name.clone()),
                    country: op.and_then(|o| o.country).map(|c| c.to_string()),
                }
            }
            SourceKey::Country(c) => SourceRef {
                operator: None,
                country: Some(c.to_string()),
            },
            SourceKey::Unknown => SourceRef::default(),
        }
    }

    /// The report, given what the source counted.
    pub(crate) fn report(&self, source: SourceCounts, mut run: RunInfo) -> Report {
        let c = self.counters();
        run.frames_by_worker = self
            .snapshots
            .iter()
            .map(|s| s.as_ref().map_or(0, |s| s.counters.frames))
            .collect();
        run.peak_rss_kb = crate::sink::report::peak_rss_kb();
        let mut rates = Rates::default();
        let mut latency: Option<hdrhistogram::Histogram<u64>> = None;
        for s in self.snapshots.iter().flatten() {
            rates.merge(&s.rates);
            match latency.as_mut() {
                Some(l) => {
                    let _ = l.add(&s.latency);
                }
                None => latency = Some(s.latency.clone()),
            }
        }
        let malformed = c.malformed();
        let other = c.other();
        let dropped: u64 = source.dropped_by_cause.values().sum();
        let totals = Totals {
            frames: source.frames,
            signaling_frames: c.signaling_frames,
            messages: c.messages,
            malformed,
            other,
            dropped,
            alerts: self.alerts,
        };
        let mut malformed_by_layer = BTreeMap::new();
        for l in decoder::error::Layer::ALL {
            let n = c.malformed_by_layer[l.index()];
            if n > 0 {
                malformed_by_layer.insert(l.name().to_owned(), n);
            }
        }
        let mut other_by_reason = BTreeMap::new();
        for r in decoder::stack::OtherReason::ALL {
            let n = c.other_by_reason[r.index()];
            if n > 0 {
                other_by_reason.insert(r.name().to_owned(), n);
            }
        }
        let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_rule = BTreeMap::new();
        for (idx, info) in self.engine.rules.iter() {
            let n = self.by_rule.get(usize::from(idx.0)).copied().unwrap_or(0);
            if n > 0 {
                *by_category
                    .entry(info.category.name().to_owned())
                    .or_default() += n;
                by_rule.insert(info.id.clone(), n);
            }
        }
        let by_source_country = self
            .by_country
            .iter()
            .map(|(k, v)| {
                (
                    k.map_or_else(|| "unknown".to_owned(), |c| c.to_string()),
                    SourceRow {
                        alerts: v.alerts,
                        distinct_targets: v.targets.estimate(),
                    },
                )
            })
            .collect();
        let mut by_source_operator = BTreeMap::new();
        for (k, v) in &self.by_operator {
            if let Some(op) = self.engine.plan.operator(*k) {
                by_source_operator.insert(
                    op.name.clone(),
                    OperatorRow {
                        country: op.country.map(|c| c.to_string()),
                        alerts: v.alerts,
                        distinct_targets: v.targets.estimate(),
                    },
                );
            }
        }
        let mut ranking: Vec<RankRow> = rates
            .iter()
            .filter(|(k, _)| **k != SourceKey::Unknown)
            .map(|(k, v)| {
                let s = self.source_ref(k);
                let alerts = match k {
                    SourceKey::Operator(o) => self.by_operator.get(o).map_or(0, |p| p.alerts),
                    SourceKey::Country(c) => self.by_country.get(&Some(*c)).map_or(0, |p| p.alerts),
                    SourceKey::Unknown => 0,
                };
                RankRow {
                    operator: s.operator,
                    country: s.country,
                    requests: v.messages,
                    distinct_targets: v.targets.estimate(),
                    alerts,
                }
            })
            .collect();
        crate::sink::report::rank(&mut ranking);
        let campaigns = self
            .campaigns
            .campaigns()
            .into_iter()
            .map(|c| CampaignRow {
                id: c.id,
                sources: c.sources.iter().map(|s| self.source_ref(s)).collect(),
                incidents: c.incidents,
                targets: c.targets,
                sample_targets: c.sample.iter().map(TargetRef::of).collect(),
                first_ts: seconds_us(c.first_ts),
                last_ts: seconds_us(c.last_ts),
                days: c
                    .days
                    .iter()
                    .map(|d| crate::sink::report::date(u64::from(*d)))
                    .collect(),
                incident_ts: c.incident_ts.iter().map(|t| seconds_us(*t)).collect(),
                open: self.reorder.released_to.saturating_sub(c.last_ts) <= OPEN_NS,
            })
            .collect();
        let operator_pairs = self
            .campaigns
            .pairs()
            .into_iter()
            .take(PAIRS_SHOWN)
            .map(|p| PairRow {
                a: self.source_ref(&p.a),
                b: self.source_ref(&p.b),
                together: p.together,
                a_targets: p.a_targets,
                b_targets: p.b_targets,
                share: round(p.share, 4),
                expected: round(p.expected, 4),
                lift: round(p.lift, 2),
            })
            .collect();
        let (paired, imsi_only, msisdn_only) = self.campaigns.identities();
        let identities = IdentityRow {
            pairs_learnt: self.identities.learnt,
            paired,
            imsi_only,
            msisdn_only,
        };
        let latency_us = latency.map(|l| Latency {
            p50: l.value_at_quantile(0.5),
            p99: l.value_at_quantile(0.99),
            max: l.max(),
        });
        let mut counters: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (group, name, v) in c.named() {
            counters
                .entry(group.to_owned())
                .or_default()
                .insert(name.to_owned(), v);
        }
        let st = self.campaigns.stats();
        let state = counters.entry("state".to_owned()).or_default();
        for (name, v) in [
            ("campaign_targets_evicted", st.targets_evicted),
            ("campaigns_full", st.campaigns_full),
            ("campaign_pairs_full", st.pairs_full),
            ("campaign_alerts_out_of_order", st.late_hits),
            ("reorder_forced", self.reorder.forced),
            ("identity_pairs_evicted", self.identities.evictions()),
            ("campaign_lines", self.campaign_lines),
        ] {
            state.insert(name.to_owned(), v);
        }
        Report {
            totals,
            malformed_by_layer,
            other_by_reason,
            dropped_by_cause: source.dropped_by_cause,
            timeline: self
                .timeline
                .iter()
                .map(|(b, counts)| TimelineRow {
                    start: (b * TIMELINE_BUCKET_S) as f64,
                    by_category: CATEGORIES
                        .iter()
                        .zip(counts)
                        .filter(|(_, n)| **n > 0)
                        .map(|(c, n)| (c.name().to_owned(), *n))
                        .collect(),
                })
                .collect(),
            by_category,
            by_rule,
            by_source_country,
            by_source_operator,
            mass_surveillance: ranking,
            campaigns,
            operator_pairs,
            identities,
            latency_us,
            counters,
            capture: source.capture,
            run,
        }
    }
}

/// Nanoseconds as seconds with microsecond precision (INTERFACES.md: times are given to the
/// microsecond), so that a report made from alert lines gives the same times.
fn seconds_us(ns: u64) -> f64 {
    (ns / 1000) as f64 / 1e6
}

/// Write one line to the alert output and the exporter, whichever there are; the first write
/// error is kept for [`Collector::flush`].
fn emit(
    out: &mut Option<Box<dyn Write + Send + '_>>,
    exporter: &mut Option<Exporter>,
    write_error: &mut Option<std::io::Error>,
    line: &[u8],
) {
    if let Some(out) = out.as_mut() {
        if let Err(e) = out.write_all(line) {
            write_error.get_or_insert(e);
        }
    }
    if let Some(x) = exporter.as_mut() {
        x.alert_line(line);
    }
}

fn round(v: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (v * f).round() / f
}

/// Alerts the reorder buffer holds at most.
const REORDER_CAPACITY: usize = 1 << 20;
/// Operator pairs in the report.
const PAIRS_SHOWN: usize = 25;
/// A campaign is open while its last hit is at most this old (capture time).
const OPEN_NS: u64 = 7 * 86_400 * 1_000_000_000;

/// Width of a timeline bucket, seconds.
pub(crate) const TIMELINE_BUCKET_S: u64 = 900;
/// The most timeline buckets kept.
const TIMELINE_BUCKETS: usize = 10_000;

const CATEGORIES: [Category; 6] = Category::ALL;

fn category_index(c: Category) -> usize {
    c as usize
}

/// How full a worker's queues are: (entries, capacity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backlog {
    /// Its input queue, where the source has one.
    pub(crate) input: Option<(usize, usize)>,
    /// The fullest shard ring into it.
    pub(crate) shard: (usize, usize),
}

/// What the source counted (replay or live capture).
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceCounts {
    /// Frames received (dropped ones included).
    pub(crate) frames: u64,
    /// Frames dropped, by cause.
    pub(crate) dropped_by_cause: BTreeMap<String, u64>,
    /// Capture files' warnings.
    pub(crate) capture: Option<CaptureInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoder::Identity;
    use rules::policy::{Policy, Proto};
    use rules::verdict::{Detail, Name, Source, Subject, Target};

    const S: u64 = 1_000_000_000;
    const DAY: u64 = 86_400 * S;

    /// A day of hits by three operators: coordinated incidents on subscribers 0..8 (China
    /// Unicom by MSISDN, Flow by MSISDN, BTC by IMSI, with the pair given by an answer),
    /// independent sweeps on other days, one operator many times.
    fn hits(engine: &Engine) -> (Vec<Verdict>, Vec<(Identity, Identity, u64)>) {
        let rule = engine
            .rules
            .find("fs11.cat1.any_time_interrogation")
            .unwrap();
        let op = |name: &str| engine.plan.operator_named(name).unwrap();
        let verdict = |o: &str, ts: u64, n: u64, by_imsi: bool| {
            let (imsi, msisdn) = siggen::net::home_sub(n);
            let operator = op(o);
            Verdict {
                subject: Subject {
                    frame: ts / S,
                    ts_ns: ts,
                    proto: Proto::Map,
                    opcode: Some(71),
                    cmd: None,
                    app: None,
                },
                rule,
                source: Source {
                    relation: None,
                    country: engine.plan.operator(operator).and_then(|x| x.country),
                    operator: Some(operator),
                    plmn: None,
                    gt: None,
                    host: Name::EMPTY,
                    realm: Name::EMPTY,
                },
                target: if by_imsi {
                    Target {
                        imsi: Identity::from_ascii(&imsi),
                        msisdn: None,
                    }
                } else {
                    Target {
                        imsi: None,
                        msisdn: Identity::from_ascii(&msisdn),
                    }
                },
                detail: Detail::None,
            }
        };
        let mut v = Vec::new();
        let mut pairs = Vec::new();
        for d in 0..10u64 {
            for k in 0..2u64 {
                let n = (d * 2 + k) % 8;
                let at = (2 * d + 1) * DAY + k * 3600 * S;
                v.push(verdict("China Unicom", at, n, false));
                v.push(verdict("Flow Barbados", at + 120 * S, n, false));
                let (imsi, msisdn) = siggen::net::home_sub(n);
                pairs.push((
                    Identity::from_ascii(&msisdn).unwrap(),
                    Identity::from_ascii(&imsi).unwrap(),
                    at + 121 * S,
                ));
                v.push(verdict("BTC Bahamas", at + 400 * S, n, true));
            }
        }
        for (o, day) in [
            ("China Unicom", 2),
            ("Flow Barbados", 4),
            ("BTC Bahamas", 6),
        ] {
            for n in 0..20 {
                v.push(verdict(o, day * DAY + n * 600 * S, n, o == "BTC Bahamas"));
            }
        }
        for i in 0..30 {
            v.push(verdict("China Unicom", 30 * DAY + i * 60 * S, 3, false));
        }
        v.sort_by_key(|x| x.subject.ts_ns);
        pairs.sort_by_key(|p| p.2);
        (v, pairs)
    }

    fn collector(engine: &Engine, workers: usize) -> Collector<'_> {
        let (spare, _) = crossbeam_channel::unbounded();
        Collector::new(engine, workers, None, Arc::new(AtomicU64::new(0)), spare)
    }

    fn campaigns(c: &Collector<'_>) -> (Vec<CampaignRow>, Vec<PairRow>, IdentityRow) {
        let r = c.report(SourceCounts::default(), RunInfo::default());
        (r.campaigns, r.operator_pairs, r.identities)
    }

    /// Two workers send their verdicts in bursts, each burst running up to an hour of capture
    /// time ahead of the other worker, in shuffled order within a burst; each follows its
    /// burst with its mark. The collector must find what it finds from verdicts in order.
    #[test]
    fn shuffled_arrival_within_the_marks_gives_what_order_gives() {
        let policy = Policy::parse("test", &siggen::net::policy_toml()).unwrap();
        let engine = Engine::new(policy);
        let (verdicts, pairs) = hits(&engine);

        let mut ordered = collector(&engine, 1);
        ordered.handle(ToCollector::Pairs(pairs.clone()));
        ordered.handle(ToCollector::Verdicts(verdicts.clone()));
        ordered.handle(ToCollector::Done(0));
        let want = campaigns(&ordered);
        assert_eq!(want.0.len(), 1, "{:#?}", want.0);
        assert_eq!((want.0[0].incidents, want.0[0].targets), (20, 8));
        assert_eq!(want.0[0].sources.len(), 3);
        assert_eq!(want.2.paired, 8);

        for seed in 1..=5u64 {
            let mut rng = seed;
            let mut next = move || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            // Worker by subscriber parity; bursts of up to an hour.
            let mut shuffled = collector(&engine, 2);
            let mut queues: [Vec<Verdict>; 2] = [Vec::new(), Vec::new()];
            for v in &verdicts {
                let w = (v.target.key().unwrap_or(0) >> 4) as usize % 2;
                queues[w].push(*v);
            }
            let mut pos = [0usize, 0usize];
            let mut sent_pairs = 0;
            while pos[0] < queues[0].len() || pos[1] < queues[1].len() {
                let w = (next() % 2) as usize;
                let q = &queues[w];
                if pos[w] >= q.len() {
                    continue;
                }
                let from = q[pos[w]].subject.ts_ns;
                let mut end = pos[w];
                while end < q.len() && q[end].subject.ts_ns < from + 3600 * S {
                    end += 1;
                }
                let mut burst: Vec<Verdict> = q[pos[w]..end].to_vec();
                for i in (1..burst.len()).rev() {
                    burst.swap(i, (next() % (i as u64 + 1)) as usize);
                }
                pos[w] = end;
                let upto = burst.iter().map(|v| v.subject.ts_ns).max().unwrap_or(0);
                // Pairs come from worker 0, in order, before its mark.
                let due: Vec<_> = pairs[sent_pairs..]
                    .iter()
                    .take_while(|p| p.2 <= upto)
                    .copied()
                    .collect();
                sent_pairs += due.len();
                shuffled.handle(ToCollector::Pairs(due));
                shuffled.handle(ToCollector::Verdicts(burst));
                shuffled.handle(ToCollector::Mark(w, upto));
            }
            shuffled.handle(ToCollector::Pairs(pairs[sent_pairs..].to_vec()));
            shuffled.handle(ToCollector::Done(0));
            shuffled.handle(ToCollector::Done(1));
            assert_eq!(campaigns(&shuffled), want, "seed {seed}");
        }
    }
}
