//! The collector: one thread that merges what the workers send. It writes the alert lines,
//! counts verdicts by category, rule, source country and operator (with distinct targets per
//! source), finds coordinated campaigns, merges the workers' counters, rates and latency
//! histograms, and builds the report.

pub(crate) mod campaign;
pub(crate) mod hll;
pub(crate) mod rates;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::Result;
use rules::engine::Engine;
use rules::verdict::{Category, Verdict};

use self::campaign::Campaigns;
use self::hll::Hll;
use self::rates::{Rates, SourceKey};
use crate::sink::alerts::write_alert;
use crate::sink::export::Exporter;
use crate::sink::json::JsonLine;
use crate::sink::metrics::LatencyHistogram;
use crate::sink::report::{
    CampaignRow, CaptureInfo, Latency, OperatorRow, RankRow, Report, RunInfo, SourceRef, SourceRow,
    TargetRef, TimelineRow, Totals,
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
            campaigns: Campaigns::new(
                t.campaign_window_s,
                t.campaign_min_sources,
                engine.policy.limits.campaign_targets,
            ),
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
            ToCollector::Snapshot(w, s) => {
                if let Some(slot) = self.snapshots.get_mut(w) {
                    *slot = Some(*s);
                }
            }
            ToCollector::Done(_) => self.done += 1,
        }
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
        let target = v.target.key();
        {
            let e = self.by_country.entry(v.source.country).or_default();
            e.alerts += 1;
            if let Some(t) = target {
                e.targets.insert(t);
            }
        }
        if let Some(o) = v.source.operator {
            let e = self.by_operator.entry(o).or_default();
            e.alerts += 1;
            if let Some(t) = target {
                e.targets.insert(t);
            }
        }
        self.campaigns.alert(
            &v.target,
            SourceKey::of(v.source.operator, v.source.country),
            v.subject.ts_ns,
        );
        if self.alerts_out.is_none() && self.exporter.is_none() {
            return;
        }
        write_alert(&mut self.line, self.engine, v);
        let line = self.line.end();
        if let Some(out) = self.alerts_out.as_mut() {
            if let Err(e) = out.write_all(line) {
                self.write_error.get_or_insert(e);
            }
        }
        if let Some(x) = self.exporter.as_mut() {
            x.alert_line(line);
        }
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
            .map(|k| CampaignRow {
                target: TargetRef {
                    imsi: k.target.imsi.map(|d| d.to_string()),
                    msisdn: k.target.msisdn.map(|d| d.to_string()),
                },
                sources: k.sources.iter().map(|s| self.source_ref(s)).collect(),
                incidents: k.incidents,
                first_ts: seconds_us(k.first_ts),
                last_ts: seconds_us(k.last_ts),
            })
            .collect();
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
        counters.entry("state".to_owned()).or_default().insert(
            "campaign_targets_evicted".to_owned(),
            self.campaigns.evictions(),
        );
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
