//! The report (INTERFACES.md, `--report`): totals and the accounting invariant, alerts by
//! category, rule, source country and operator, campaigns, latency, run figures. Written
//! atomically: to a temporary file beside the target, then renamed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Frame and alert totals. `frames = signaling_frames + malformed + other + dropped`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Frames received.
    pub frames: u64,
    /// Frames that carried signalling.
    pub signaling_frames: u64,
    /// Signalling messages decoded.
    pub messages: u64,
    /// Frames malformed.
    pub malformed: u64,
    /// Frames without signalling.
    pub other: u64,
    /// Frames dropped before decoding.
    pub dropped: u64,
    /// Alert lines.
    pub alerts: u64,
}

/// Alerts from one country.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    /// Alerts.
    pub alerts: u64,
    /// Distinct subscribers in them (HyperLogLog, error below 2 %).
    pub distinct_targets: u64,
}

/// Alerts from one operator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorRow {
    /// Its country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Alerts.
    pub alerts: u64,
    /// Distinct subscribers in them.
    pub distinct_targets: u64,
}

/// A source of interconnect requests, ranked by the subscribers it asked about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankRow {
    /// Operator, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Country, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Requests about subscribers.
    pub requests: u64,
    /// Distinct subscribers asked about.
    pub distinct_targets: u64,
    /// Alerts raised on them.
    pub alerts: u64,
}

/// A source named in a campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// Operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A subscriber.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRef {
    /// IMSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imsi: Option<String>,
    /// MSISDN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msisdn: Option<String>,
}

/// A source as people read it: "China Unicom (CN)", "unknown operator (CN)", or "unknown".
pub(crate) fn source_name(operator: Option<&str>, country: Option<&str>) -> String {
    match (operator, country) {
        (Some(o), Some(c)) => format!("{o} ({c})"),
        (Some(o), None) => o.to_owned(),
        (None, Some(c)) => format!("unknown operator ({c})"),
        (None, None) => "unknown".to_owned(),
    }
}

/// Several sources' names, joined with " + ".
pub(crate) fn source_names(sources: &[SourceRef]) -> String {
    sources
        .iter()
        .map(SourceRef::name)
        .collect::<Vec<_>>()
        .join(" + ")
}

impl SourceRef {
    /// Its name ([`source_name`]).
    pub fn name(&self) -> String {
        source_name(self.operator.as_deref(), self.country.as_deref())
    }
}

impl TargetRef {
    /// A target's identities as digits.
    pub(crate) fn of(t: &rules::verdict::Target) -> TargetRef {
        TargetRef {
            imsi: t.imsi.map(|d| d.to_string()),
            msisdn: t.msisdn.map(|d| d.to_string()),
        }
    }
}

/// One coordinated campaign: operators that hit the same subscribers together, again and again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignRow {
    /// Its number, in order of first incident (the `campaign` of its live lines).
    #[serde(default)]
    pub id: u32,
    /// The operators (or countries, where no operator is known), in the order they joined.
    pub sources: Vec<SourceRef>,
    /// Incidents: times a target was hit by at least `campaign_min_sources` of them within
    /// `campaign_window_s` of one another.
    pub incidents: u64,
    /// Distinct subscribers hit in its incidents.
    #[serde(default)]
    pub targets: u64,
    /// Up to 20 of them, in order of first incident.
    #[serde(default)]
    pub sample_targets: Vec<TargetRef>,
    /// Start of the first incident, seconds since the epoch.
    pub first_ts: f64,
    /// The last hit of the last incident.
    pub last_ts: f64,
    /// The days (UTC, `YYYY-MM-DD`) on which incidents happened.
    #[serde(default)]
    pub days: Vec<String>,
    /// The start of each incident (at most 2,000), seconds since the epoch.
    #[serde(default)]
    pub incident_ts: Vec<f64>,
    /// Whether it had an incident in the last 7 days of capture time.
    #[serde(default)]
    pub open: bool,
}

/// Two sources and how often they hit the same subscriber within the campaign window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PairRow {
    /// One source.
    pub a: SourceRef,
    /// The other.
    pub b: SourceRef,
    /// Subscribers both hit within `campaign_window_s` of one another.
    pub together: u64,
    /// Distinct subscribers each alerted on.
    pub a_targets: u64,
    /// Distinct subscribers each alerted on.
    pub b_targets: u64,
    /// `together` over the smaller of the two.
    pub share: f64,
    /// What two independent sweeps of those sizes would give by chance.
    pub expected: f64,
    /// `together` over `expected`: about 1 by chance, far above for sources acting together.
    pub lift: f64,
}

/// How the subscribers alerted on were named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRow {
    /// MSISDN–IMSI pairs the traffic gave (answers, subscriber data, alerts naming both).
    pub pairs_learnt: u64,
    /// Subscribers tracked for campaigns known by both IMSI and MSISDN.
    pub paired: u64,
    /// Known by IMSI alone.
    pub imsi_only: u64,
    /// Known by MSISDN alone: unpaired, and counted once per MSISDN.
    pub msisdn_only: u64,
}

/// Alerts in one bucket of capture time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// Start of the bucket, seconds since the epoch.
    pub start: f64,
    /// Alerts by category.
    pub by_category: BTreeMap<String, u64>,
}

/// Batch processing latency, microseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Maximum.
    pub max: u64,
}

/// The run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Workers.
    pub workers: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Frames per second.
    pub frames_per_s: f64,
    /// Frames each worker decoded (the collector fills it in).
    #[serde(default)]
    pub frames_by_worker: Vec<u64>,
    /// The process's peak resident memory, kB (Linux: VmHWM), when the report was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_kb: Option<u64>,
    /// `sigwatch correlate`: the sites whose exports the report joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<String>,
}

/// Rank sources for `mass_surveillance`: most distinct targets first, then most requests; the
/// top 25.
pub fn rank(rows: &mut Vec<RankRow>) {
    rows.sort_by(|a, b| {
        b.distinct_targets
            .cmp(&a.distinct_targets)
            .then(b.requests.cmp(&a.requests))
    });
    rows.truncate(25);
}

/// A day number (days since 1970-01-01, UTC) as `YYYY-MM-DD`, in the proleptic Gregorian
/// calendar (Howard Hinnant's days-to-civil).
pub(crate) fn date(day: u64) -> String {
    let z = day as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The process's peak resident set size in kB (Linux), if the system says.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What the capture files said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureInfo {
    /// Files read.
    pub files: Vec<String>,
    /// Records cut short at a file's end (not counted as frames).
    pub truncated_records: u64,
    /// Files that stopped early on a corrupt block.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<String>,
}

/// The report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Totals.
    pub totals: Totals,
    /// Malformed frames by layer.
    pub malformed_by_layer: BTreeMap<String, u64>,
    /// Other frames by reason.
    pub other_by_reason: BTreeMap<String, u64>,
    /// Dropped frames by cause.
    pub dropped_by_cause: BTreeMap<String, u64>,
    /// Alerts over capture time, in buckets of 15 minutes.
    #[serde(default)]
    pub timeline: Vec<TimelineRow>,
    /// Alerts by category.
    pub by_category: BTreeMap<String, u64>,
    /// Alerts by rule id.
    pub by_rule: BTreeMap<String, u64>,
    /// Alerts by source country.
    pub by_source_country: BTreeMap<String, SourceRow>,
    /// Alerts by source operator.
    pub by_source_operator: BTreeMap<String, OperatorRow>,
    /// Interconnect sources ranked by distinct subscribers asked about.
    pub mass_surveillance: Vec<RankRow>,
    /// Coordinated campaigns, most incidents first.
    pub campaigns: Vec<CampaignRow>,
    /// Source pairs by how much more often they hit the same subscriber together than chance.
    #[serde(default)]
    pub operator_pairs: Vec<PairRow>,
    /// How the subscribers alerted on were named.
    #[serde(default)]
    pub identities: IdentityRow,
    /// Latency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<Latency>,
    /// Reassembly, judgement, state and pipeline counters by group.
    pub counters: BTreeMap<String, BTreeMap<String, u64>>,
    /// Capture files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureInfo>,
    /// The run.
    pub run: RunInfo,
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("{}: cannot write", tmp.display()))?;
    f.sync_all().ok();
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

impl Report {
    /// Write the report as pretty JSON, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        let mut s = serde_json::to_vec_pretty(self)?;
        s.push(b'\n');
        write_atomic(path, &s)
    }

    /// Whether the accounting invariant holds.
    pub fn balanced(&self) -> bool {
        let t = &self.totals;
        t.frames == t.signaling_frames + t.malformed + t.other + t.dropped
    }
}
