//! `sigwatch correlate`: many probes, one picture. Reads the alert lines and summaries every
//! probe exported to NATS JetStream (`--export`), runs the alerts through the same collector a
//! single probe uses, so campaigns that no one probe saw whole are found, and writes the same
//! report format. Frame counts come from the latest summary of each site and run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use async_nats::jetstream;
use decoder::{Digits, Identity, Plmn};
use rules::engine::Engine;
use rules::geo::Country;
use rules::policy::Proto;
use rules::verdict::{Detail, Name, Source, Subject, Target, Verdict};
use serde::Deserialize;

use crate::collector::{Collector, SourceCounts};
use crate::sink::export::{connect, STREAM};
use crate::sink::report::{Latency, RankRow, Report, RunInfo};

/// What to read and where to write.
#[derive(Debug, Clone)]
pub(crate) struct CorrelateOptions {
    /// `nats://HOST:PORT`.
    pub(crate) url: String,
    /// Only these sites (all when empty).
    pub(crate) sites: Vec<String>,
    /// Write the report here.
    pub(crate) report: Option<PathBuf>,
    /// Write the HTML report here.
    pub(crate) html: Option<PathBuf>,
    /// Keep reading, rewriting the report at this interval, until `stop`.
    pub(crate) follow: Option<Duration>,
}

/// What correlate itself counted (the report's `counters.correlate`).
#[derive(Debug, Default, Clone)]
struct Counts {
    messages: u64,
    alert_lines: u64,
    unreadable_lines: u64,
    unknown_rules: u64,
    summaries: u64,
    skipped_sites: u64,
    missing_messages: u64,
}

/// One alert line, as `--alerts` writes it (INTERFACES.md).
#[derive(Debug, Deserialize)]
struct AlertIn {
    #[serde(default)]
    frame: u64,
    ts: f64,
    proto: String,
    opcode: Option<u8>,
    cmd: Option<u32>,
    app: Option<u32>,
    rule: String,
    #[serde(default)]
    source: SourceIn,
    #[serde(default)]
    target: TargetIn,
}

#[derive(Debug, Default, Deserialize)]
struct SourceIn {
    gt: Option<String>,
    country: Option<String>,
    operator: Option<String>,
    host: Option<String>,
    realm: Option<String>,
    plmn: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TargetIn {
    imsi: Option<String>,
    msisdn: Option<String>,
}

/// A summary message. Each is cumulative for its run; a probe restarted is a new run.
#[derive(Debug, Deserialize)]
struct SummaryIn {
    #[serde(default)]
    run: String,
    report: Report,
}

/// Turn an alert line back into the verdict the collector counts. The reason's details are not
/// needed for tallies and campaigns; the rule must be one the policy knows.
fn verdict_of(engine: &Engine, a: &AlertIn) -> Option<Verdict> {
    let rule = engine.rules.find(&a.rule)?;
    let proto = if a.proto == "diameter" {
        Proto::Diameter
    } else {
        Proto::Map
    };
    let country = a.source.country.as_deref().and_then(Country::parse);
    // Names repeat across countries (China Unicom in CN and HK): match both.
    let operator = a.source.operator.as_deref().and_then(|name| {
        let ops = engine.plan.operators();
        ops.iter()
            .position(|o| o.name == name && o.country == country)
            .map(|i| rules::numbering::OperatorId(i as u16))
            .or_else(|| engine.plan.operator_named(name))
    });
    let name = |s: &Option<String>| {
        s.as_deref()
            .map_or(Name::EMPTY, |s| Name::new(s.as_bytes()))
    };
    Some(Verdict {
        subject: Subject {
            frame: a.frame,
            ts_ns: (a.ts.max(0.0) * 1e6).round() as u64 * 1000,
            proto,
            opcode: a.opcode,
            cmd: a.cmd,
            app: a.app,
        },
        rule,
        source: Source {
            relation: None,
            country,
            operator,
            plmn: a
                .source
                .plmn
                .as_deref()
                .and_then(|p| p.parse::<Plmn>().ok()),
            gt: a.source.gt.as_deref().and_then(Digits::from_ascii),
            host: name(&a.source.host),
            realm: name(&a.source.realm),
        },
        target: Target {
            imsi: a.target.imsi.as_deref().and_then(Identity::from_ascii),
            msisdn: a.target.msisdn.as_deref().and_then(Identity::from_ascii),
        },
        detail: Detail::None,
    })
}

/// `sigwatch.<site>.<kind>` → (site, kind).
fn parse_subject(s: &str) -> Option<(&str, &str)> {
    let rest = s.strip_prefix("sigwatch.")?;
    let (site, kind) = rest.rsplit_once('.')?;
    Some((site, kind))
}

fn is_campaign_line(line: &[u8]) -> bool {
    const MARK: &[u8] = b"\"category\":\"campaign\"";
    line.windows(MARK.len()).any(|w| w == MARK)
}

struct State<'e> {
    engine: &'e Engine,
    collector: Collector<'e>,
    /// The latest summary of each (site, run).
    latest: BTreeMap<(String, String), Report>,
    seen: std::collections::BTreeSet<String>,
    counts: Counts,
    opts: CorrelateOptions,
}

impl<'e> State<'e> {
    fn message(&mut self, subject: &str, payload: &[u8]) {
        self.counts.messages += 1;
        let Some((site, kind)) = parse_subject(subject) else {
            return;
        };
        if !self.opts.sites.is_empty() && !self.opts.sites.iter().any(|s| s == site) {
            self.counts.skipped_sites += 1;
            return;
        }
        self.seen.insert(site.to_owned());
        match kind {
            "alerts" => {
                for line in payload.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                    // A probe's own campaign lines: correlate finds campaigns from the alerts.
                    if is_campaign_line(line) {
                        continue;
                    }
                    self.counts.alert_lines += 1;
                    match serde_json::from_slice::<AlertIn>(line) {
                        Ok(a) => match verdict_of(self.engine, &a) {
                            Some(v) => self.collector.verdict(&v),
                            None => self.counts.unknown_rules += 1,
                        },
                        Err(_) => self.counts.unreadable_lines += 1,
                    }
                }
            }
            "summary" => match serde_json::from_slice::<SummaryIn>(payload) {
                Ok(s) => {
                    self.counts.summaries += 1;
                    self.latest.insert((site.to_owned(), s.run), s.report);
                }
                Err(_) => self.counts.unreadable_lines += 1,
            },
            _ => {}
        }
    }

    /// The joint report: alerts, campaigns and rankings from the alerts; frame counts, malformed
    /// and dropped from the latest summary of each site and run.
    fn report(&self) -> Report {
        let mut frames = 0;
        let mut dropped_by_cause: BTreeMap<String, u64> = BTreeMap::new();
        let mut run = RunInfo::default();
        for r in self.latest.values() {
            frames += r.totals.frames;
            for (k, v) in &r.dropped_by_cause {
                *dropped_by_cause.entry(k.clone()).or_default() += v;
            }
            run.workers += r.run.workers;
            run.seconds = run.seconds.max(r.run.seconds);
            run.frames_per_s += r.run.frames_per_s;
        }
        run.sites = self.seen.iter().cloned().collect();
        let mut report = self.collector.report(
            SourceCounts {
                frames,
                dropped_by_cause,
                capture: None,
            },
            run,
        );
        report.run.peak_rss_kb = None;
        report.run.frames_by_worker.clear();
        let mut latency: Option<Latency> = None;
        for r in self.latest.values() {
            let t = &r.totals;
            report.totals.signaling_frames += t.signaling_frames;
            report.totals.messages += t.messages;
            report.totals.malformed += t.malformed;
            report.totals.other += t.other;
            for (k, v) in &r.malformed_by_layer {
                *report.malformed_by_layer.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &r.other_by_reason {
                *report.other_by_reason.entry(k.clone()).or_default() += v;
            }
            for (group, m) in &r.counters {
                let g = report.counters.entry(group.clone()).or_default();
                for (k, v) in m {
                    *g.entry(k.clone()).or_default() += v;
                }
            }
            // Percentiles do not add up; the worst site's stand for all.
            if let Some(l) = &r.latency_us {
                let w = latency.get_or_insert(Latency {
                    p50: 0,
                    p99: 0,
                    max: 0,
                });
                w.p50 = w.p50.max(l.p50);
                w.p99 = w.p99.max(l.p99);
                w.max = w.max.max(l.max);
            }
        }
        report.latency_us = latency;
        report.mass_surveillance = self.ranking(&report);
        let c = &self.counts;
        let g = report.counters.entry("correlate".to_owned()).or_default();
        for (k, v) in [
            ("messages", c.messages),
            ("alert_lines", c.alert_lines),
            ("unreadable", c.unreadable_lines),
            ("unknown_rules", c.unknown_rules),
            ("summaries", c.summaries),
            ("skipped_other_sites", c.skipped_sites),
            ("missing_messages", c.missing_messages),
        ] {
            g.insert(k.to_owned(), v);
        }
        report
    }

    /// The sites' rankings joined: requests add up; distinct targets add up too, an upper
    /// bound (a subscriber asked about through two sites counts twice); alerts are the joint
    /// collector's.
    fn ranking(&self, joint: &Report) -> Vec<RankRow> {
        let mut rows: BTreeMap<(Option<String>, Option<String>), RankRow> = BTreeMap::new();
        for r in self.latest.values() {
            for row in &r.mass_surveillance {
                let e = rows
                    .entry((row.operator.clone(), row.country.clone()))
                    .or_insert_with(|| RankRow {
                        operator: row.operator.clone(),
                        country: row.country.clone(),
                        ..RankRow::default()
                    });
                e.requests += row.requests;
                e.distinct_targets += row.distinct_targets;
            }
        }
        let mut out: Vec<RankRow> = rows
            .into_values()
            .map(|mut row| {
                row.alerts = match (&row.operator, &row.country) {
                    (Some(o), _) => joint.by_source_operator.get(o).map_or(0, |x| x.alerts),
                    (None, Some(c)) => joint.by_source_country.get(c).map_or(0, |x| x.alerts),
                    (None, None) => 0,
                };
                row
            })
            .collect();
        crate::sink::report::rank(&mut out);
        out
    }

    fn write(&mut self) -> Result<Report> {
        // Alerts from many sites come in any order; campaigns are settled in capture order
        // when a report is due (an alert that comes later still counts, as a late one).
        self.collector.finish();
        let report = self.report();
        if let Some(p) = &self.opts.report {
            report.write(p)?;
        }
        if let Some(p) = &self.opts.html {
            let page = crate::sink::html::render(&report, "sigwatch: all sites");
            crate::sink::report::write_atomic(p, page.as_bytes())?;
        }
        Ok(report)
    }
}

/// Read the stream, join the sites, write the report (once, or with `follow` until `stop`).
pub(crate) fn correlate(
    engine: &Engine,
    opts: CorrelateOptions,
    stop: Arc<AtomicBool>,
) -> Result<Report> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (spare, _) = crossbeam_channel::bounded(1);
    let mut state = State {
        engine,
        collector: Collector::new(engine, 0, None, Arc::new(AtomicU64::new(0)), spare),
        latest: BTreeMap::new(),
        seen: Default::default(),
        counts: Counts::default(),
        opts,
    };
    runtime.block_on(read(&mut state, &stop))?;
    state.write()
}

async fn read(state: &mut State<'_>, stop: &AtomicBool) -> Result<()> {
    let url = if state.opts.url.starts_with("nats://") {
        state.opts.url.clone()
    } else {
        format!("nats://{}", state.opts.url)
    };
    let js: jetstream::Context = connect(&url, false).await?;
    let mut stream = js.get_stream(STREAM).await.map_err(|e| {
        anyhow!("{url}: no stream {STREAM} ({e}); has a probe exported there with --export?")
    })?;
    let mut next = 0u64;
    loop {
        let info = stream
            .info()
            .await
            .with_context(|| format!("{url}: stream {STREAM}"))?;
        let (first, last) = (info.state.first_sequence, info.state.last_sequence);
        if next < first {
            // Messages aged out of the stream before we read them.
            state.counts.missing_messages += first - next.max(1).min(first);
            next = first;
        }
        while next <= last && next > 0 {
            match stream.get_raw_message(next).await {
                Ok(m) => state.message(m.subject.as_str(), &m.payload),
                Err(_) => state.counts.missing_messages += 1,
            }
            next += 1;
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
        let Some(every) = state.opts.follow else {
            return Ok(());
        };
        state.write()?;
        let until = std::time::Instant::now() + every;
        while std::time::Instant::now() < until {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(
            parse_subject("sigwatch.east-1.alerts"),
            Some(("east-1", "alerts"))
        );
        assert_eq!(
            parse_subject("sigwatch.mia.summary"),
            Some(("mia", "summary"))
        );
        assert_eq!(parse_subject("other.mia.summary"), None);
    }

    #[test]
    fn an_alert_line_becomes_the_verdict_it_came_from() {
        let policy = rules::policy::Policy::parse(
            "t.toml",
            "[home]\nname = \"HomeCo US\"\ncountry = \"US\"\nplmn = [\"310-410\"]\n",
        )
        .unwrap();
        let engine = Engine::new(policy);
        let line = r#"{"frame":17,"ts":1546300800.123456,"proto":"map","opcode":71,"op":"anyTimeInterrogation","category":"cat1","rule":"fs11.cat1.any_time_interrogation","action":"alert","severity":"high","reason":"x","source":{"gt":"861301000077","country":"CN"},"target":{"msisdn":"12062000017"}}"#;
        let a: AlertIn = serde_json::from_str(line).unwrap();
        let v = verdict_of(&engine, &a).unwrap();
        assert_eq!(v.subject.frame, 17);
        assert_eq!(v.subject.ts_ns, 1_546_300_800_123_456_000);
        assert_eq!(v.subject.opcode, Some(71));
        assert_eq!(v.source.country, Country::parse("CN"));
        assert_eq!(
            v.target.msisdn.map(|d| d.to_string()).as_deref(),
            Some("12062000017")
        );
        assert_eq!(
            engine.rule(v.rule).map(|r| r.id.as_str()),
            Some("fs11.cat1.any_time_interrogation")
        );
        let unknown = line.replace("fs11.cat1.any_time_interrogation", "no.such.rule");
        let a: AlertIn = serde_json::from_str(&unknown).unwrap();
        assert!(verdict_of(&engine, &a).is_none());
    }
}
