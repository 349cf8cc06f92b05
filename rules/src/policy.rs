//! The policy file (TOML, INTERFACES.md): the home network, the roaming-partner directory,
//! thresholds, table limits, category lists and custom rules.
//!
//! Every error names the file, the line and the key: `policy.toml:7:8: home.plmn: bad MCC-MNC
//! "31-410": MCC must be 3 digits`.

use core::fmt;
use core::ops::Range;
use decoder::integrity::ChecksumMode;
use decoder::stack::DecoderConfig;
use std::path::Path;

use decoder::Plmn;
use serde::Deserialize;
use toml::Spanned;

use crate::geo::{Country, Geography};

/// A policy that could not be loaded: where, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The file (as given).
    pub(crate) file: String,
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based column.
    pub(crate) column: usize,
    /// The key, dotted (`home.plmn`, `rule[2].action`); empty for syntax errors.
    pub(crate) key: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // Not about a place in the file: it could not be read at all.
            write!(f, "{}: ", self.file)?;
        } else {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// The home network or a roaming partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Name.
    pub name: String,
    /// Country.
    pub country: Country,
    /// Its PLMNs.
    pub plmns: Vec<Plmn>,
    /// E.164 prefixes of its global titles.
    pub gt_prefixes: Vec<String>,
    /// Its Diameter realms.
    pub realms: Vec<String>,
    /// E.164 prefixes of its subscribers' MSISDNs (home network; optional).
    pub(crate) msisdn_prefixes: Vec<String>,
}

/// `[policy]`: thresholds of the built-in checks.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Category 3: faster than this between two networks is impossible travel.
    pub max_travel_kmh: f64,
    /// A subscriber's network is only known to within this distance of its country's
    /// reference point; travel checks subtract it from the distance.
    pub(crate) location_slack_km: f64,
    /// The periodic location-update timer (T3212) of the networks watched: the old network
    /// may still report a subscriber this long after they left (authentication requests,
    /// purges after implicit detach), which is not travel.
    pub(crate) location_update_timer_s: u64,
    /// SRI-for-SM not followed by MT-ForwardSM from that network within this long is recon.
    pub sri_sm_followup_s: u64,
    /// The same target from `campaign_min_sources` operators within this long is an incident.
    pub campaign_window_s: u64,
    /// How many source operators make an incident.
    pub campaign_min_sources: usize,
    /// How many incidents make a campaign worth reporting.
    pub campaign_min_incidents: u64,
    /// How long a TCAP dialogue's request is remembered for its answer.
    pub dialogue_timeout_s: u64,
    /// With `--state-dir`: write the subscriber state this often (wall clock) besides at the
    /// end of the run.
    pub state_snapshot_s: u64,
    /// A snapshot's subscribers last seen longer than this before its newest are not loaded.
    pub state_max_age_s: u64,
    /// Roaming agreements: `partners` (the default) alerts on a category 3 message for a home
    /// subscriber from an operator that is not in the partner directory, when the policy
    /// lists partners; `any` turns the check off.
    pub roaming: Roaming,
}

/// Whom home subscribers may roam with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Roaming {
    /// The operators of the partner directory (`[[partner]]`).
    #[default]
    Partners,
    /// Anyone: no agreement is checked.
    Any,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_travel_kmh: 1000.0,
            location_slack_km: 500.0,
            location_update_timer_s: 3600,
            sri_sm_followup_s: 120,
            campaign_window_s: 900,
            campaign_min_sources: 2,
            campaign_min_incidents: 1,
            dialogue_timeout_s: 30,
            state_snapshot_s: 300,
            state_max_age_s: 7 * 86_400,
            roaming: Roaming::Partners,
        }
    }
}

/// `[limits]`: the size of every table that grows with traffic. A full table evicts its least
/// recently used entry and counts it; it never grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Subscribers whose location history is kept (all shards together).
    pub subscribers: usize,
    /// SRI-for-SM answers awaiting their short message (all shards together).
    pub(crate) pending_sms: usize,
    /// Open TCAP dialogues remembered for their answers (per worker).
    pub(crate) dialogues: usize,
    /// Targets watched for campaigns by the collector.
    pub campaign_targets: usize,
    /// IP datagrams being reassembled from fragments (per worker).
    pub(crate) ip_datagrams: usize,
    /// SCTP associations whose TSNs are tracked for retransmissions (per worker).
    pub(crate) sctp_associations: usize,
    /// SCTP user messages being reassembled from fragments (per worker).
    pub(crate) sctp_messages: usize,
    /// TCP streams being reassembled for Diameter (per worker).
    pub(crate) tcp_streams: usize,
    /// Bytes held by TCP reassembly, all streams together (per worker).
    pub(crate) tcp_bytes: usize,
    /// Bytes held by SCTP reassembly, all messages together (per worker).
    pub(crate) sctp_bytes: usize,
    /// SCCP messages being reassembled from XUDT/LUDT segments (per worker).
    pub(crate) sccp_messages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let d = DecoderConfig::default();
        Limits {
            subscribers: 2_000_000,
            pending_sms: 200_000,
            dialogues: 200_000,
            campaign_targets: 1_000_000,
            ip_datagrams: d.defrag.max_datagrams,
            sctp_associations: d.sctp.max_associations,
            sctp_messages: d.sctp.max_messages,
            tcp_streams: d.tcp.max_streams,
            tcp_bytes: d.tcp.max_total_bytes,
            sctp_bytes: d.sctp.max_total_bytes,
            sccp_messages: d.sccp.max_messages,
        }
    }
}

/// `[capture]`: what the capture is like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capture {
    /// Whether checksums are verified: `verify`, `auto` (the default: a flow whose first
    /// packets all fail is taken for an offloading sender and no longer checked) or `ignore`.
    pub checksums: ChecksumMode,
}

impl Policy {
    /// The decoder's settings: reassembly tables sized by `[limits]` (the rest at their
    /// defaults), checksums as `[capture]` says.
    pub fn decoder_config(&self) -> DecoderConfig {
        let l = &self.limits;
        let mut d = DecoderConfig::default();
        d.defrag.max_datagrams = l.ip_datagrams;
        d.sctp.max_associations = l.sctp_associations;
        d.sctp.max_messages = l.sctp_messages;
        d.sctp.max_total_bytes = l.sctp_bytes;
        d.tcp.max_streams = l.tcp_streams;
        d.tcp.max_total_bytes = l.tcp_bytes;
        d.sccp.max_messages = l.sccp_messages;
        d.checksums = self.capture.checksums;
        d
    }
}

/// The category lists (built-in `rules/data/categories.toml`, overridable in `[categories]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Categories {
    /// MAP operations of category 1.
    pub map_cat1: Vec<u8>,
    /// MAP operations of category 2.
    pub map_cat2: Vec<u8>,
    /// MAP operations of category 3.
    pub map_cat3: Vec<u8>,
    /// Diameter commands of category 1.
    pub diameter_cat1_commands: Vec<u32>,
    /// Diameter applications of category 1.
    pub diameter_cat1_applications: Vec<u32>,
    /// Diameter commands of category 2.
    pub diameter_cat2_commands: Vec<u32>,
    /// Diameter commands of category 3.
    pub diameter_cat3_commands: Vec<u32>,
}

/// The overrides a policy may give.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryOverrides {
    map_cat1: Option<Vec<u8>>,
    map_cat2: Option<Vec<u8>>,
    map_cat3: Option<Vec<u8>>,
    diameter_cat1_commands: Option<Vec<u32>>,
    diameter_cat1_applications: Option<Vec<u32>>,
    diameter_cat2_commands: Option<Vec<u32>>,
    diameter_cat3_commands: Option<Vec<u32>>,
}

const CATEGORIES_TOML: &str = include_str!("../data/categories.toml");

impl Categories {
    /// The built-in lists.
    pub(crate) fn builtin() -> Categories {
        // The file is part of the source tree and checked by a test; an error here is a bug.
        toml::from_str(CATEGORIES_TOML).unwrap_or_else(|e| panic_builtin(&e))
    }
}

#[cold]
#[allow(clippy::panic)]
fn panic_builtin(e: &toml::de::Error) -> Categories {
    panic!("rules/data/categories.toml: {e}")
}

/// What a custom rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Raise an alert.
    Alert,
    /// Record it (in the alerts file, marked `log`).
    Log,
    /// Let it pass: no built-in rule judges the message.
    Allow,
}

impl Action {
    /// The name used in the policy file and in alerts.
    pub fn name(self) -> &'static str {
        match self {
            Action::Alert => "alert",
            Action::Log => "log",
            Action::Allow => "allow",
        }
    }
}

/// How serious a verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// The name used in the policy file and in alerts.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The protocol a custom rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    /// SS7: TCAP/MAP.
    Map,
    /// Diameter.
    Diameter,
}

/// What a custom rule matches; every key given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Match {
    /// Protocol.
    pub(crate) proto: Option<Proto>,
    /// MAP operation code.
    pub(crate) opcode: Option<u8>,
    /// Diameter command code.
    pub(crate) cmd: Option<u32>,
    /// Diameter application.
    pub(crate) app: Option<u32>,
    /// Source country.
    pub(crate) source_country: Option<Country>,
    /// Source operator name (case-insensitive).
    pub(crate) source_operator: Option<String>,
    /// Calling global title prefix.
    pub(crate) source_gt_prefix: Option<String>,
    /// Called subsystem number.
    pub(crate) called_ssn: Option<u8>,
}

/// A `[[rule]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRule {
    /// Stable id (appears in alerts).
    pub id: String,
    /// What it matches.
    pub(crate) when: Match,
    /// What it does.
    pub action: Action,
    /// How serious.
    pub severity: Severity,
}

/// A validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The file it came from (for messages).
    pub file: String,
    /// The home network.
    pub home: Network,
    /// The roaming-partner directory.
    pub partners: Vec<Network>,
    /// Thresholds.
    pub thresholds: Thresholds,
    /// Table sizes.
    pub limits: Limits,
    /// What the capture is like.
    pub capture: Capture,
    /// Category lists in force.
    pub categories: Categories,
    /// Custom rules, in file order.
    pub rules: Vec<CustomRule>,
}

// ---- the file as written ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    home: Spanned<RawNetwork>,
    #[serde(default)]
    partner: Vec<Spanned<RawNetwork>>,
    #[serde(default = "default_spanned")]
    policy: Spanned<Thresholds>,
    #[serde(default = "default_spanned")]
    limits: Spanned<Limits>,
    #[serde(default)]
    capture: Option<Spanned<RawCapture>>,
    #[serde(default)]
    categories: Option<Spanned<CategoryOverrides>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapture {
    checksums: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetwork {
    name: Spanned<String>,
    country: Spanned<String>,
    #[serde(default)]
    plmn: Vec<Spanned<String>>,
    #[serde(default)]
    gt_prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    realms: Vec<Spanned<String>>,
    #[serde(default)]
    msisdn_prefixes: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    when: Spanned<RawMatch>,
    #[serde(default = "default_action")]
    action: Spanned<String>,
    #[serde(default = "default_severity")]
    severity: Spanned<String>,
}

fn default_spanned<T: Default>() -> Spanned<T> {
    Spanned::new(0..0, T::default())
}

fn default_action() -> Spanned<String> {
    Spanned::new(0..0, "alert".to_owned())
}

fn default_severity() -> Spanned<String> {
    Spanned::new(0..0, "medium".to_owned())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    proto: Option<Spanned<String>>,
    opcode: Option<Spanned<u8>>,
    cmd: Option<Spanned<u32>>,
    app: Option<Spanned<u32>>,
    source_country: Option<Spanned<String>>,
    source_operator: Option<Spanned<String>>,
    source_gt_prefix: Option<Spanned<String>>,
    called_ssn: Option<Spanned<u8>>,
}

/// Locates errors in the file's text.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> PolicyError {
        let at = span.start.min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(at, |n| at - n - 1) + 1;
        PolicyError {
            file: self.file.to_owned(),
            line,
            column,
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// Where `key = ...` is written inside `within` (a table's span), for values checked after
    /// parsing; the table's own position when the key was left at its default.
    fn key_span(&self, within: Range<usize>, key: &str) -> Range<usize> {
        let end = within.end.min(self.text.len());
        let start = within.start.min(end);
        let mut at = start;
        for line in self.text[start..end].split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with(key) && t[key.len()..].trim_start().starts_with('=') {
                let col = line.len() - t.len();
                return at + col..at + col + key.len();
            }
            at += line.len();
        }
        within
    }

    /// The dotted key at a position: the nearest table header above it, then the key on the
    /// position's line.
    fn key_at(&self, at: usize) -> String {
        let at = at.min(self.text.len());
        let line_start = self.text[..at].rfind('\n').map_or(0, |n| n + 1);
        let line_end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |n| at + n);
        let line = &self.text[line_start..line_end];
        let key = line
            .split_once('=')
            .map(|(k, _)| k.trim())
            .filter(|k| !k.starts_with('['))
            .unwrap_or("");
        let section = self.text[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
        match (section, key.is_empty()) {
            (Some(s), false) => format!("{s}.{key}"),
            (Some(s), true) => s.to_owned(),
            (None, _) => key.to_owned(),
        }
    }
}

impl Policy {
    /// Load and validate a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            file: name.clone(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read: {e}"),
        })?;
        Policy::parse(&name, &text)
    }

    /// Parse and validate a policy's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Policy, PolicyError> {
        let src = Source { file, text };
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let key = src.key_at(span.start);
            src.error(span, &key, e.message().trim().to_owned())
        })?;
        let geo = Geography::builtin();
        let home = network(&src, &geo, &raw.home, "home")?;
        if home.plmns.is_empty() && home.gt_prefixes.is_empty() && home.realms.is_empty() {
            return Err(src.error(
                raw.home.span(),
                "home",
                "the home network needs at least one of plmn, gt_prefixes, realms",
            ));
        }
        let mut partners = Vec::new();
        for (n, p) in raw.partner.iter().enumerate() {
            partners.push(network(&src, &geo, p, &format!("partner[{n}]"))?);
        }
        let thresholds = *raw.policy.get_ref();
        let t_span = raw.policy.span();
        let at = |key: &str| src.key_span(t_span.clone(), key.trim_start_matches("policy."));
        let positive = |v: f64, key: &str| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(src.error(at(key), key, format!("must be a positive number, not {v}")))
            }
        };
        positive(thresholds.max_travel_kmh, "policy.max_travel_kmh")?;
        if !(thresholds.location_slack_km >= 0.0 && thresholds.location_slack_km.is_finite()) {
            return Err(src.error(
                at("location_slack_km"),
                "policy.location_slack_km",
                "must be zero or more",
            ));
        }
        for (v, key) in [
            (thresholds.sri_sm_followup_s, "policy.sri_sm_followup_s"),
            (thresholds.campaign_window_s, "policy.campaign_window_s"),
            (
                thresholds.campaign_min_incidents,
                "policy.campaign_min_incidents",
            ),
            (thresholds.dialogue_timeout_s, "policy.dialogue_timeout_s"),
            (thresholds.state_snapshot_s, "policy.state_snapshot_s"),
            (thresholds.state_max_age_s, "policy.state_max_age_s"),
        ] {
            positive(v as f64, key)?;
        }
        if thresholds.campaign_min_sources < 2 {
            return Err(src.error(
                at("campaign_min_sources"),
                "policy.campaign_min_sources",
                "a campaign needs at least 2 source operators",
            ));
        }
        let limits = *raw.limits.get_ref();
        for (v, key) in [
            (limits.subscribers, "limits.subscribers"),
            (limits.pending_sms, "limits.pending_sms"),
            (limits.dialogues, "limits.dialogues"),
            (limits.campaign_targets, "limits.campaign_targets"),
            (limits.ip_datagrams, "limits.ip_datagrams"),
            (limits.sctp_associations, "limits.sctp_associations"),
            (limits.sctp_messages, "limits.sctp_messages"),
            (limits.tcp_streams, "limits.tcp_streams"),
            (limits.tcp_bytes, "limits.tcp_bytes"),
            (limits.sctp_bytes, "limits.sctp_bytes"),
            (limits.sccp_messages, "limits.sccp_messages"),
        ] {
            if v == 0 {
                let span = src.key_span(raw.limits.span(), key.trim_start_matches("limits."));
                return Err(src.error(span, key, "must be at least 1"));
            }
        }
        let mut capture = Capture::default();
        if let Some(c) = raw
            .capture
            .as_ref()
            .and_then(|c| c.get_ref().checksums.as_ref())
        {
            capture.checksums = ChecksumMode::from_name(c.get_ref()).ok_or_else(|| {
                src.error(
                    c.span(),
                    "capture.checksums",
                    format!(
                        "{:?} is not one of \"verify\", \"auto\", \"ignore\"",
                        c.get_ref()
                    ),
                )
            })?;
        }
        let mut categories = Categories::builtin();
        if let Some(o) = &raw.categories {
            let o = o.get_ref().clone();
            categories = Categories {
                map_cat1: o.map_cat1.unwrap_or(categories.map_cat1),
                map_cat2: o.map_cat2.unwrap_or(categories.map_cat2),
                map_cat3: o.map_cat3.unwrap_or(categories.map_cat3),
                diameter_cat1_commands: o
                    .diameter_cat1_commands
                    .unwrap_or(categories.diameter_cat1_commands),
                diameter_cat1_applications: o
                    .diameter_cat1_applications
                    .unwrap_or(categories.diameter_cat1_applications),
                diameter_cat2_commands: o
                    .diameter_cat2_commands
                    .unwrap_or(categories.diameter_cat2_commands),
                diameter_cat3_commands: o
                    .diameter_cat3_commands
                    .unwrap_or(categories.diameter_cat3_commands),
            };
        }
        let mut rules = Vec::new();
        for (n, r) in raw.rule.iter().enumerate() {
            let rule = custom_rule(&src, &geo, r.get_ref(), &format!("rule[{n}]"))?;
            if rules.iter().any(|x: &CustomRule| x.id == rule.id) {
                return Err(src.error(
                    r.get_ref().id.span(),
                    &format!("rule[{n}].id"),
                    format!("duplicate rule id {:?}", rule.id),
                ));
            }
            rules.push(rule);
        }
        Ok(Policy {
            file: file.to_owned(),
            home,
            partners,
            thresholds,
            limits,
            capture,
            categories,
            rules,
        })
    }
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

fn network(
    src: &Source<'_>,
    geo: &Geography,
    raw: &Spanned<RawNetwork>,
    key: &str,
) -> Result<Network, PolicyError> {
    let r = raw.get_ref();
    let name = r.name.get_ref().trim();
    if name.is_empty() {
        return Err(src.error(r.name.span(), &format!("{key}.name"), "must not be empty"));
    }
    let country = Country::parse(r.country.get_ref())
        .filter(|c| geo.contains(*c))
        .ok_or_else(|| {
            src.error(
                r.country.span(),
                &format!("{key}.country"),
                format!(
                    "unknown ISO 3166-1 alpha-2 country code {:?}",
                    r.country.get_ref()
                ),
            )
        })?;
    let mut plmns = Vec::new();
    for p in &r.plmn {
        let v: Plmn = p.get_ref().parse().map_err(|why| {
            src.error(
                p.span(),
                &format!("{key}.plmn"),
                format!("bad MCC-MNC {:?}: {why}", p.get_ref()),
            )
        })?;
        plmns.push(v);
    }
    let prefixes = |list: &[Spanned<String>], what: &str| -> Result<Vec<String>, PolicyError> {
        list.iter()
            .map(|p| {
                let s = p.get_ref().trim_start_matches('+');
                if digits_only(s) && s.len() <= 15 {
                    Ok(s.to_owned())
                } else {
                    Err(src.error(
                        p.span(),
                        &format!("{key}.{what}"),
                        format!("{:?} is not an E.164 prefix (1 to 15 digits)", p.get_ref()),
                    ))
                }
            })
            .collect()
    };
    let gt_prefixes = prefixes(&r.gt_prefixes, "gt_prefixes")?;
    let msisdn_prefixes = prefixes(&r.msisdn_prefixes, "msisdn_prefixes")?;
    let mut realms = Vec::new();
    for rl in &r.realms {
        let s = rl.get_ref().trim();
        let ok = !s.is_empty()
            && s.split('.').all(|l| {
                !l.is_empty() && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            });
        if !ok {
            return Err(src.error(
                rl.span(),
                &format!("{key}.realms"),
                format!("{:?} is not a DNS realm", rl.get_ref()),
            ));
        }
        realms.push(s.to_ascii_lowercase());
    }
    Ok(Network {
        name: name.to_owned(),
        country,
        plmns,
        gt_prefixes,
        realms,
        msisdn_prefixes,
    })
}

fn custom_rule(
    src: &Source<'_>,
    geo: &Geography,
    r: &RawRule,
    key: &str,
) -> Result<CustomRule, PolicyError> {
    let id = r.id.get_ref().trim();
    if id.is_empty()
        || !id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
    {
        return Err(src.error(
            r.id.span(),
            &format!("{key}.id"),
            "must be a non-empty id of letters, digits, '.', '_' and '-'",
        ));
    }
    let action = match r.action.get_ref().as_str() {
        "alert" => Action::Alert,
        "log" => Action::Log,
        "allow" => Action::Allow,
        other => {
            return Err(src.error(
                r.action.span(),
                &format!("{key}.action"),
                format!("{other:?} is not one of alert, log, allow"),
            ))
        }
    };
    let severity = match r.severity.get_ref().as_str() {
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        other => {
            return Err(src.error(
                r.severity.span(),
                &format!("{key}.severity"),
                format!("{other:?} is not one of low, medium, high, critical"),
            ))
        }
    };
    let w = r.when.get_ref();
    let k = |f: &str| format!("{key}.when.{f}");
    let proto = match &w.proto {
        None => None,
        Some(p) => Some(match p.get_ref().as_str() {
            "map" => Proto::Map,
            "diameter" => Proto::Diameter,
            other => {
                return Err(src.error(
                    p.span(),
                    &k("proto"),
                    format!("{other:?} is not map or diameter"),
                ))
            }
        }),
    };
    let source_country = match &w.source_country {
        None => None,
        Some(c) => Some(
            Country::parse(c.get_ref())
                .filter(|c| geo.contains(*c))
                .ok_or_else(|| {
                    src.error(
                        c.span(),
                        &k("source_country"),
                        format!("unknown country code {:?}", c.get_ref()),
                    )
                })?,
        ),
    };
    let source_gt_prefix = match &w.source_gt_prefix {
        None => None,
        Some(p) if digits_only(p.get_ref()) => Some(p.get_ref().clone()),
        Some(p) => {
            return Err(src.error(
                p.span(),
                &k("source_gt_prefix"),
                format!("{:?} is not a digit prefix", p.get_ref()),
            ))
        }
    };
    let when = Match {
        proto,
        opcode: w.opcode.as_ref().map(|v| *v.get_ref()),
        cmd: w.cmd.as_ref().map(|v| *v.get_ref()),
        app: w.app.as_ref().map(|v| *v.get_ref()),
        source_country,
        source_operator: w.source_operator.as_ref().map(|v| v.get_ref().clone()),
        source_gt_prefix,
        called_ssn: w.called_ssn.as_ref().map(|v| *v.get_ref()),
    };
    if when == Match::default() {
        return Err(src.error(
            r.when.span(),
            &format!("{key}.when"),
            "matches every message: give at least one key",
        ));
    }
    if (when.opcode.is_some() || when.called_ssn.is_some()) && when.proto == Some(Proto::Diameter)
        || (when.cmd.is_some() || when.app.is_some()) && when.proto == Some(Proto::Map)
    {
        return Err(src.error(
            r.when.span(),
            &format!("{key}.when"),
            "mixes MAP and Diameter keys with a proto that excludes them",
        ));
    }
    Ok(CustomRule {
        id: id.to_owned(),
        when,
        action,
        severity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const EXAMPLE: &str = r#"
[home]                      # the carrier that runs sigwatch
name = "HomeCo US"
country = "US"
plmn = ["310-410"]
gt_prefixes = ["1206555"]
realms = ["epc.mnc410.mcc310.3gppnetwork.org"]

[[partner]]
name = "Flow Barbados"
country = "BB"
plmn = ["342-600"]
gt_prefixes = ["1246250"]
realms = ["epc.mnc600.mcc342.3gppnetwork.org"]

[policy]
max_travel_kmh = 1000
sri_sm_followup_s = 120
campaign_window_s = 900
campaign_min_sources = 2

[[rule]]
id = "block-sendimsi-cn"
when = { opcode = 58, source_country = "CN" }
action = "alert"
severity = "high"
"#;

    fn err(text: &str) -> PolicyError {
        Policy::parse("p.toml", text).unwrap_err()
    }

    #[test]
    fn the_interfaces_example_loads() {
        let p = Policy::parse("p.toml", EXAMPLE).unwrap();
        assert_eq!(p.home.name, "HomeCo US");
        assert_eq!(p.home.plmns[0].to_string(), "310-410");
        assert_eq!(p.partners[0].country.to_string(), "BB");
        assert_eq!(p.thresholds.max_travel_kmh, 1000.0);
        assert_eq!(p.rules[0].when.opcode, Some(58));
        assert_eq!(p.rules[0].severity, Severity::High);
        assert_eq!(p.categories, Categories::builtin());
    }

    #[test]
    fn builtin_categories_are_the_documented_lists() {
        let c = Categories::builtin();
        assert!(c.map_cat1.contains(&71) && c.map_cat1.contains(&58) && c.map_cat1.contains(&83));
        assert_eq!(c.map_cat2, vec![3, 4, 7, 8, 70]);
        assert_eq!(c.map_cat3, vec![2, 23, 56, 57, 67]);
        assert_eq!(c.map_cat1.len(), 64);
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let e = err(&EXAMPLE.replace("campaign_min_sources = 2", "campaign_min_source = 2"));
        assert_eq!(e.line, 20);
        assert_eq!(e.key, "policy.campaign_min_source");
        assert!(e.message.contains("unknown field"), "{e}");
        assert!(
            e.to_string()
                .starts_with("p.toml:20:1: policy.campaign_min_source: "),
            "{e}"
        );
    }

    #[test]
    fn impossible_values_name_line_and_key() {
        let e = err(&EXAMPLE.replace("plmn = [\"310-410\"]", "plmn = [\"31-410\"]"));
        assert_eq!((e.line, e.key.as_str()), (5, "home.plmn"));
        assert!(e.message.contains("MCC must be 3 digits"), "{e}");
        let e = err(&EXAMPLE.replace("country = \"BB\"", "country = \"XX\""));
        assert_eq!((e.line, e.key.as_str()), (11, "partner[0].country"));
        let e = err(&EXAMPLE.replace("action = \"alert\"", "action = \"drop\""));
        assert_eq!((e.line, e.key.as_str()), (25, "rule[0].action"));
        let e = err(&EXAMPLE.replace("max_travel_kmh = 1000", "max_travel_kmh = \"fast\""));
        assert_eq!((e.line, e.key.as_str()), (17, "policy.max_travel_kmh"));
        let e = err(&EXAMPLE.replace("campaign_min_sources = 2", "campaign_min_sources = 1"));
        assert_eq!(
            (e.line, e.key.as_str()),
            (20, "policy.campaign_min_sources")
        );
        let e = err(&EXAMPLE.replace("max_travel_kmh = 1000", "max_travel_kmh = -5"));
        assert_eq!(
            (e.line, e.column, e.key.as_str()),
            (17, 1, "policy.max_travel_kmh")
        );
        let e = err(&EXAMPLE.replace("gt_prefixes = [\"1206555\"]", "gt_prefixes = [\"12a6\"]"));
        assert_eq!((e.line, e.key.as_str()), (6, "home.gt_prefixes"));
    }

    #[test]
    fn empty_home_and_syntax_errors() {
        let e = err("[home]\nname = \"X\"\ncountry = \"US\"\n");
        assert_eq!((e.line, e.key.as_str()), (1, "home"));
        let e = err("[home\nname = 1\n");
        assert_eq!(e.line, 1);
        let e = err("[policy]\nmax_travel_kmh = 5\n");
        assert!(e.message.contains("missing field `home`"), "{e}");
        let e = err(&EXAMPLE.replace(
            "when = { opcode = 58, source_country = \"CN\" }",
            "when = { }",
        ));
        assert_eq!(e.key, "rule[0].when");
    }
}
