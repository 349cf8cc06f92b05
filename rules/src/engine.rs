//! The engine: a compiled policy, and the stateless judgement of each message.
//!
//! An [`Engine`] is built once and shared by every worker. Each worker owns a [`Classifier`]:
//! the engine plus what a worker remembers between messages of its own flows (open TCAP
//! dialogues, so that an answer is known by its request; a cache of global-title attribution).
//! Classifying a message gives at most one verdict, the jobs that the subscriber's shard must
//! run (location history, SMS follow-up), and an observation for the rate statistics.

use decoder::diameter::{ApplicationId, CommandCode};
use decoder::digits::short_word;
use decoder::map::{Node, NodeRole, OpCode};
use decoder::stack::{DiameterMessage, FrameContext, MapMessage, Message, TcapUser};
use decoder::table::BoundedMap;
use decoder::tcap::{ComponentKind, TcapKind};
use decoder::{Digits, Identity, Plmn};

use crate::geo::{Country, Geography};
use crate::numbering::{NumberingPlan, OperatorId, Relation};
use crate::policy::{Action, CustomRule, Policy, PolicyError, Proto, Severity};
use crate::verdict::{
    Category, Detail, Name, RuleIdx, RuleInfo, RuleTable, Source, Subject, Target, Verdict,
};

/// Where a subscriber is, as a message claims it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Country.
    pub country: Country,
    /// Operator of the serving network, when known.
    pub operator: Option<OperatorId>,
}

/// What a location-bearing message says about presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The subscriber registered there (updateLocation, updateGprsLocation, ULR).
    Attach,
    /// The subscriber is active there (authentication requests, restoreData, NOR).
    Activity,
    /// The subscriber has left there (purgeMS, PUR).
    Departure,
}

/// Work for the shard that owns a subscriber.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JobKind {
    /// A claim about where the subscriber is; `rule` judges it (none for the home network).
    Presence {
        /// Attach, activity or departure.
        event: Presence,
        /// Where.
        at: Location,
        /// The category 3 rule of the operation.
        rule: Option<RuleIdx>,
    },
    /// The home network answered an interconnect SRI-for-SM with the IMSI: a short message
    /// from the same network should follow. The job's subject and source are the request's.
    SmsAnswered,
    /// A short message was delivered to the subscriber from the job's source.
    SmsDelivered,
}

/// A job for the shard of `key`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Job {
    /// The subscriber (see [`Target::key`]).
    pub key: u64,
    /// Capture time of the message that made the job.
    pub at_ns: u64,
    /// The message the job is about (for an answer: its request).
    pub subject: Subject,
    /// Who sent it.
    pub source: Source,
    /// About whom.
    pub target: Target,
    /// What to do.
    pub kind: JobKind,
}

impl Job {
    /// A job about nobody: what the unused places of [`Jobs`] hold.
    const NONE: Job = Job {
        key: 0,
        at_ns: 0,
        subject: Subject {
            frame: 0,
            ts_ns: 0,
            proto: Proto::Map,
            opcode: None,
            cmd: None,
            app: None,
        },
        source: Source::UNKNOWN,
        target: Target {
            imsi: None,
            msisdn: None,
        },
        kind: JobKind::SmsDelivered,
    };
}

/// The jobs of one message, at most two, each written where it stays: a job is some 300
/// bytes, and one built on the stack and then pushed is copied twice (its source, then the
/// whole job), on most interconnect messages.
#[derive(Clone, Copy)]
pub struct Jobs {
    len: u8,
    places: [Job; 2],
}

impl Jobs {
    /// The most jobs one message makes.
    pub const CAPACITY: usize = 2;

    fn clear(&mut self) {
        self.len = 0;
    }

    /// Add a job, written field by field in the place it keeps (`*place = Job { .. }`
    /// builds it on the stack first and copies it over); nothing when full.
    #[inline]
    fn push(
        &mut self,
        (key, at_ns): (u64, u64),
        subject: Subject,
        source: &Source,
        target: Target,
        kind: JobKind,
    ) {
        let Some(place) = self.places.get_mut(usize::from(self.len)) else {
            return;
        };
        // Every field, by name: a field added to `Job` is a compile error here.
        let Job {
            key: k,
            at_ns: a,
            subject: su,
            source: so,
            target: t,
            kind: ki,
        } = place;
        (*k, *a, *su, *so, *t, *ki) = (key, at_ns, subject, *source, target, kind);
        self.len += 1;
    }
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            len: 0,
            places: [Job::NONE; Jobs::CAPACITY],
        }
    }
}

impl core::ops::Deref for Jobs {
    type Target = [Job];

    fn deref(&self) -> &[Job] {
        &self.places[..usize::from(self.len)]
    }
}

impl<'a> IntoIterator for &'a Jobs {
    type Item = &'a Job;
    type IntoIter = core::slice::Iter<'a, Job>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Jobs {
    fn eq(&self, other: &Jobs) -> bool {
        **self == **other
    }
}

impl core::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An interconnect request about a subscriber, for the per-source rate statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// The source operator, when known.
    pub operator: Option<OperatorId>,
    /// The source country, when known.
    pub country: Option<Country>,
    /// The target (see [`Target::key`]).
    pub target: u64,
}

/// What classifying one message gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// A stateless verdict.
    pub verdict: Option<Verdict>,
    /// Jobs for subscribers' shards.
    pub jobs: Jobs,
    /// An observation for rate statistics.
    pub observation: Option<Observation>,
}

impl Outcome {
    fn clear(&mut self) {
        self.verdict = None;
        self.jobs.clear();
        self.observation = None;
    }
}

/// A compiled custom rule.
#[derive(Debug, Clone)]
struct Custom {
    rule: RuleIdx,
    action: Action,
    proto: Option<Proto>,
    opcode: Option<u8>,
    cmd: Option<u32>,
    app: Option<u32>,
    country: Option<Country>,
    operator: Option<Vec<OperatorId>>,
    gt_prefix: Option<String>,
    called_ssn: Option<u8>,
}

/// The fixed rules: consistency checks and reconnaissance.
#[derive(Debug, Clone, Copy)]
struct Fixed {
    host_realm: RuleIdx,
    visited_plmn: RuleIdx,
    user_name_plmn: RuleIdx,
    app_command: RuleIdx,
    recon_sms: RuleIdx,
}

/// A compiled policy: numbering plans, rules and thresholds. Immutable; share it.
#[derive(Debug)]
pub struct Engine {
    /// The policy it was built from.
    pub policy: Policy,
    /// Numbering plans with the home network and partners added.
    pub plan: NumberingPlan,
    /// Countries and reference points.
    pub geo: Geography,
    /// Every rule.
    pub rules: RuleTable,
    home: OperatorId,
    map_rules: [[Option<RuleIdx>; 256]; 3],
    /// Per command: its category 1, 2 and 3 rules (see [`Engine::diameter_rules`]), in a
    /// table indexed by the command code's low six bits; the commands that find their slot
    /// taken are in `diameter_overflow`. `u32::MAX`, no command code, marks an empty slot.
    diameter_rules: Vec<(u32, [Option<RuleIdx>; 3])>,
    diameter_overflow: Vec<(u32, [Option<RuleIdx>; 3])>,
    diameter_app_rules: Vec<(u32, RuleIdx)>,
    fixed: Fixed,
    custom: Vec<Custom>,
}

/// Slots of the table of Diameter commands' rules (S6a's 316-324 and the others fall apart).
const DIAMETER_SLOTS: usize = 64;

/// `anyTimeInterrogation` → `any_time_interrogation`, `sendIMSI` → `send_imsi`.
pub fn snake(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &ch) in c.iter().enumerate() {
        if ch == '-' || ch == ' ' || ch == '/' {
            if !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if ch.is_ascii_uppercase() && i > 0 {
            let prev = c[i - 1];
            let next_lower = c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if (prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn capitalised(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

impl Engine {
    /// Load a policy file and compile it.
    pub fn load(path: &std::path::Path) -> Result<Engine, PolicyError> {
        Ok(Engine::new(Policy::load(path)?))
    }

    /// Compile a validated policy.
    pub fn new(policy: Policy) -> Engine {
        let geo = Geography::builtin();
        let mut plan = NumberingPlan::builtin();
        let h = &policy.home;
        let home = plan
            .add_network(
                &h.name,
                h.country,
                Relation::Home,
                &h.gt_prefixes,
                &h.plmns,
                &h.realms,
            )
            .unwrap_or(OperatorId(0));
        for p in &policy.partners {
            let _ = plan.add_network(
                &p.name,
                p.country,
                Relation::Partner,
                &p.gt_prefixes,
                &p.plmns,
                &p.realms,
            );
        }
        let mut rules = RuleTable::default();
        // Custom rules first, so that their ids keep their file order at the table's start.
        let mut custom = Vec::new();
        for r in &policy.rules {
            custom.push(compile_custom(&mut rules, &plan, r));
        }
        let cats = &policy.categories;
        let mut map_rules = [[None; 256]; 3];
        for (k, (list, cat, sev)) in [
            (&cats.map_cat1, Category::Cat1, Severity::High),
            (&cats.map_cat2, Category::Cat2, Severity::Medium),
            (&cats.map_cat3, Category::Cat3, Severity::High),
        ]
        .into_iter()
        .enumerate()
        {
            for &op in list {
                let (id, what) = match OpCode(op).name() {
                    Some(n) => (snake(n), capitalised(n)),
                    None => (format!("op_{op}"), format!("MAP operation {op}")),
                };
                map_rules[k][usize::from(op)] = Some(rules.add(RuleInfo {
                    id: format!("fs11.{}.{id}", cat.name()),
                    category: cat,
                    severity: sev,
                    action: Action::Alert,
                    what,
                }));
            }
        }
        let mut diameter_rules: Vec<(u32, [Option<RuleIdx>; 3])> = Vec::new();
        for (list, cat, sev) in [
            (&cats.diameter_cat1_commands, Category::Cat1, Severity::High),
            (
                &cats.diameter_cat2_commands,
                Category::Cat2,
                Severity::Medium,
            ),
            (&cats.diameter_cat3_commands, Category::Cat3, Severity::High),
        ] {
            for &cmd in list {
                let abbr = CommandCode(cmd)
                    .abbreviation(true)
                    .map_or_else(|| format!("cmd_{cmd}"), str::to_ascii_lowercase);
                let app = ApplicationId::for_command(CommandCode(cmd))
                    .and_then(|a| a.first())
                    .and_then(|a| a.name())
                    .map(|n| format!("{n} "))
                    .unwrap_or_default();
                let idx = rules.add(RuleInfo {
                    id: format!("fs19.{}.{abbr}", cat.name()),
                    category: cat,
                    severity: sev,
                    action: Action::Alert,
                    what: format!("{app}{}", abbr.to_ascii_uppercase()),
                });
                let k = usize::from(cat_index(cat));
                match diameter_rules.iter_mut().find(|(c, _)| *c == cmd) {
                    Some((_, row)) => row[k] = Some(idx),
                    None => {
                        let mut row: [Option<RuleIdx>; 3] = [None; 3];
                        row[k] = Some(idx);
                        diameter_rules.push((cmd, row));
                    }
                }
            }
        }
        let mut diameter_slots = vec![(u32::MAX, [None; 3]); DIAMETER_SLOTS];
        let mut diameter_overflow = Vec::new();
        for (cmd, row) in diameter_rules {
            let slot = &mut diameter_slots[cmd as usize % DIAMETER_SLOTS];
            if slot.0 == u32::MAX {
                *slot = (cmd, row);
            } else {
                diameter_overflow.push((cmd, row));
            }
        }
        let mut diameter_app_rules = Vec::new();
        for &app in &cats.diameter_cat1_applications {
            let name = ApplicationId(app)
                .name()
                .map_or_else(|| format!("application {app}"), str::to_owned);
            let idx = rules.add(RuleInfo {
                id: format!("fs19.cat1.{}", snake(&name.replace('/', "_"))),
                category: Category::Cat1,
                severity: Severity::High,
                action: Action::Alert,
                what: name,
            });
            diameter_app_rules.push((app, idx));
        }
        let check = |rules: &mut RuleTable, id: &str, what: &str| {
            rules.add(RuleInfo {
                id: format!("fs19.check.{id}"),
                category: Category::Cat2,
                severity: Severity::Medium,
                action: Action::Alert,
                what: what.to_owned(),
            })
        };
        let fixed = Fixed {
            host_realm: check(
                &mut rules,
                "origin_host_realm",
                "Origin-Host outside Origin-Realm",
            ),
            visited_plmn: check(
                &mut rules,
                "visited_plmn_realm",
                "Visited-PLMN-Id not the Origin-Realm's PLMN",
            ),
            user_name_plmn: check(
                &mut rules,
                "user_name_plmn",
                "IMSI of neither the destination nor the origin",
            ),
            app_command: check(
                &mut rules,
                "application_command",
                "application id not matching the command",
            ),
            recon_sms: rules.add(RuleInfo {
                id: "recon.sri_sm_without_delivery".into(),
                category: Category::Recon,
                severity: Severity::Medium,
                action: Action::Alert,
                what: "SendRoutingInfoForSM without a following short message".into(),
            }),
        };
        Engine {
            policy,
            plan,
            geo,
            rules,
            home,
            map_rules,
            diameter_rules: diameter_slots,
            diameter_overflow,
            diameter_app_rules,
            fixed,
            custom,
        }
    }

    /// The home network's operator id.
    pub fn home(&self) -> OperatorId {
        self.home
    }

    /// The rule of the SMS reconnaissance check.
    pub fn recon_rule(&self) -> RuleIdx {
        self.fixed.recon_sms
    }

    /// A rule's description.
    pub fn rule(&self, idx: RuleIdx) -> Option<&RuleInfo> {
        self.rules.get(idx)
    }

    fn map_rule(&self, cat: Category, op: u8) -> Option<RuleIdx> {
        self.map_rules[cat_index(cat) as usize][usize::from(op)]
    }

    /// A command's category 1, 2 and 3 rules, found once per message.
    fn diameter_rules(&self, cmd: u32) -> [Option<RuleIdx>; 3] {
        let slot = &self.diameter_rules[cmd as usize % DIAMETER_SLOTS];
        if slot.0 == cmd {
            return slot.1;
        }
        self.diameter_overflow
            .iter()
            .find(|(c, _)| *c == cmd)
            .map_or([None; 3], |r| r.1)
    }

    /// Whether a subscriber is the home network's: its IMSI's PLMN is home, else its MSISDN is
    /// in the home MSISDN prefixes (or, without those, in the home country).
    pub fn is_home_subscriber(&self, t: &Target) -> Option<bool> {
        if let Some(imsi) = &t.imsi {
            return Some(
                self.plan
                    .imsi_plmn(&imsi.digits())
                    .is_some_and(|p| self.policy.home.plmns.contains(&p)),
            );
        }
        let m = &t.msisdn?.digits();
        let h = &self.policy.home;
        if !h.msisdn_prefixes.is_empty() {
            return Some(
                h.msisdn_prefixes
                    .iter()
                    .any(|p| m.starts_with(p.as_bytes())),
            );
        }
        Some(self.plan.e164(m).0 == Some(h.country))
    }

    /// Who owns an E.164 number (a calling global title).
    pub fn attribute_gt(&self, gt: &Digits) -> Source {
        let (country, operator) = self.plan.e164(gt);
        let relation = operator
            .and_then(|o| self.plan.operator(o))
            .map_or(Relation::Foreign, |o| o.relation);
        Source {
            relation: Some(relation),
            country,
            operator,
            plmn: None,
            gt: Some(*gt),
            host: Name::EMPTY,
            realm: Name::EMPTY,
        }
    }

    /// Who owns a Diameter origin.
    pub fn attribute_realm(&self, host: Option<&[u8]>, realm: Option<&[u8]>) -> Source {
        let found = realm.map(|r| self.plan.realm(r));
        self.realm_source(host, realm, found)
    }

    /// The source of a Diameter origin whose realm was looked up (`found`: the realm's
    /// operator and PLMN, as [`NumberingPlan::realm`] gives them).
    fn realm_source(
        &self,
        host: Option<&[u8]>,
        realm: Option<&[u8]>,
        found: Option<(Option<OperatorId>, Option<Plmn>)>,
    ) -> Source {
        let (Some(realm_b), Some((operator, plmn))) = (realm, found) else {
            return Source {
                host: host.map_or(Name::EMPTY, Name::new),
                ..Source::UNKNOWN
            };
        };
        let op = operator.and_then(|o| self.plan.operator(o));
        let country = op
            .and_then(|o| o.country)
            .or_else(|| plmn.and_then(|p| self.plan.mcc_country(p.mcc)));
        // A realm that names no PLMN or operator is still a source: foreign, country unknown.
        let relation = op.map_or(Relation::Foreign, |o| o.relation);
        Source {
            relation: Some(relation),
            country,
            operator,
            plmn,
            gt: None,
            host: host.map_or(Name::EMPTY, Name::new),
            realm: Name::new(realm_b),
        }
    }

    /// The roamer's home network, from its IMSI: the PLMN, its operator, its country.
    fn imsi_home(&self, imsi: &Identity) -> Option<(Plmn, Option<OperatorId>, Option<Country>)> {
        let plmn = self.plan.imsi_plmn(&imsi.digits())?;
        Some((
            plmn,
            self.plan.plmn_operator(plmn),
            self.plan.mcc_country(plmn.mcc),
        ))
    }

    /// Whether `source` is the home network of a subscriber whose IMSI is `imsi`: its
    /// operator, when both operators are known, else its country.
    fn is_subscribers_home(&self, source: &Source, imsi: &Identity) -> Option<(bool, Plmn)> {
        let (plmn, op, country) = self.imsi_home(imsi)?;
        if let Some(sp) = source.plmn {
            if sp.mcc == plmn.mcc && sp.mnc == plmn.mnc {
                return Some((true, plmn));
            }
        }
        let same = match (source.operator, op) {
            (Some(a), Some(b)) => a == b,
            _ => source.country.is_some() && source.country == country,
        };
        Some((same, plmn))
    }

    /// Category 2: `Some(detail)` when `source` is not the subscriber's home network.
    fn cat2(&self, source: &Source, imsi: &Identity) -> Option<Detail> {
        let (is_home, plmn) = self.is_subscribers_home(source, imsi)?;
        let home_sub = self.policy.home.plmns.contains(&plmn);
        // The home network's own subscribers: only the home network may send these. Inbound
        // roamers: only their own home network.
        if home_sub || !is_home {
            Some(Detail::NotHome { home: plmn })
        } else {
            None
        }
    }

    fn custom_match(
        &self,
        c: &Custom,
        subject: &Subject,
        source: &Source,
        called_ssn: Option<u8>,
    ) -> bool {
        c.proto.is_none_or(|p| p == subject.proto)
            && c.opcode.is_none_or(|o| subject.opcode == Some(o))
            && c.cmd.is_none_or(|m| subject.cmd == Some(m))
            && c.app.is_none_or(|a| subject.app == Some(a))
            && c.country.is_none_or(|k| source.country == Some(k))
            && c.operator
                .as_ref()
                .is_none_or(|ids| source.operator.is_some_and(|o| ids.contains(&o)))
            && c.gt_prefix
                .as_ref()
                .is_none_or(|p| source.gt.is_some_and(|g| g.starts_with(p.as_bytes())))
            && c.called_ssn.is_none_or(|s| called_ssn == Some(s))
    }
}

fn cat_index(c: Category) -> u8 {
    match c {
        Category::Cat1 => 0,
        Category::Cat2 => 1,
        _ => 2,
    }
}

fn compile_custom(rules: &mut RuleTable, plan: &NumberingPlan, r: &CustomRule) -> Custom {
    let what = match (r.when.opcode, r.when.cmd) {
        (Some(op), _) => OpCode(op)
            .name()
            .map_or_else(|| format!("MAP operation {op}"), capitalised),
        (_, Some(cmd)) => CommandCode(cmd)
            .abbreviation(true)
            .map_or_else(|| format!("command {cmd}"), str::to_owned),
        _ => "message".to_owned(),
    };
    let rule = rules.add(RuleInfo {
        id: r.id.clone(),
        category: Category::Custom,
        severity: r.severity,
        action: r.action,
        what,
    });
    let operator = r.when.source_operator.as_ref().map(|name| {
        plan.operators()
            .iter()
            .enumerate()
            .filter(|(_, o)| o.name.eq_ignore_ascii_case(name))
            .map(|(i, _)| OperatorId(i as u16))
            .collect()
    });
    Custom {
        rule,
        action: r.action,
        proto: r.when.proto,
        opcode: r.when.opcode,
        cmd: r.when.cmd,
        app: r.when.app,
        country: r.when.source_country,
        operator,
        gt_prefix: r.when.source_gt_prefix.clone(),
        called_ssn: r.when.called_ssn,
    }
}

/// A message's subscriber keys (see [`Target::key`]), each converted once per message.
#[derive(Debug, Clone, Copy)]
struct Keys {
    /// The IMSI's.
    imsi: Option<u64>,
    /// The MSISDN's, computed only without an IMSI (the only case that uses it).
    msisdn: Option<u64>,
}

impl Keys {
    fn of(t: &Target) -> Keys {
        let imsi = t.imsi_key();
        let msisdn = match imsi {
            Some(_) => None,
            None => t.msisdn_key(),
        };
        Keys { imsi, msisdn }
    }

    /// [`Target::key`]: the IMSI's, else the MSISDN's.
    fn any(self) -> Option<u64> {
        self.imsi.or(self.msisdn)
    }
}

/// Identifies an open TCAP dialogue: the originator's transaction ID and a digest of its
/// address, as its answers address it (their DTID and called party).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct DialogueKey {
    tid: u32,
    peer: u64,
}

#[derive(Debug, Clone, Copy)]
struct Dialogue {
    op: u8,
    subject: Subject,
    source_gt: Option<Digits>,
    target: Target,
    interconnect: bool,
}

/// Counters of what the classifier could not judge, and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassifyStats {
    /// Messages classified.
    pub messages: u64,
    /// Messages from the interconnect.
    pub interconnect: u64,
    /// Messages with no calling global title or origin realm to attribute.
    pub unattributed: u64,
    /// Messages returned by SCCP (UDTS...): not judged as requests.
    pub returned: u64,
    /// TCAP messages of another user than MAP.
    pub not_map: u64,
    /// Category 2/3 requests without an IMSI to judge by.
    pub no_identity: u64,
    /// Answers matched to their request's dialogue.
    pub answers_matched: u64,
    /// SRI-for-SM answers for subscribers served abroad: the follow-up cannot be seen here.
    pub sms_unverifiable: u64,
    /// Dialogues pushed out of the full table.
    pub dialogues_evicted: u64,
}

/// Size of the global-title attribution cache (direct-mapped).
const CACHE: usize = 4096;

/// Size of the realm lookup cache (direct-mapped), and the longest realm it keeps.
const REALM_CACHE: usize = 256;

/// Size of the Diameter origin attribution cache (direct-mapped).
const ORIGIN_CACHE: usize = 256;
const REALM_KEY: usize = 62;

/// A realm and what [`NumberingPlan::realm`] says of it. An interconnect carries a few hundred
/// realms at most, so the lookup (a lower-cased copy and a hash probe per domain suffix) is
/// done once per realm, not per message.
#[derive(Debug, Clone, Copy)]
struct RealmSlot {
    len: u8,
    bytes: [u8; REALM_KEY],
    found: (Option<OperatorId>, Option<Plmn>),
}

impl RealmSlot {
    const EMPTY: RealmSlot = RealmSlot {
        len: u8::MAX,
        bytes: [0; REALM_KEY],
        found: (None, None),
    };
}

/// The slot of a word in a direct-mapped table of `n` slots (a power of two, at least 2):
/// the top bits of a multiplicative hash. For the worker's caches (`Memo`, and the
/// global-title cache, whose hit borrows its `Source` instead of copying it).
fn slot_of(key: u128, n: usize) -> usize {
    debug_assert!(n.is_power_of_two() && n >= 2);
    let h = (key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - n.trailing_zeros())) as usize
}

/// A direct-mapped cache from a word to what a slower lookup says of it: one multiply, one
/// compare, one slot per key, a miss overwrites the slot. Worker-local: a collision (chosen
/// or not) only costs a lookup.
#[derive(Debug)]
struct Memo<V> {
    /// `(key, value)`; `u128::MAX`, which no key built from digits can be, marks an empty slot.
    slots: Vec<(u128, V)>,
}

impl<V: Copy> Memo<V> {
    /// `n` slots (a power of two).
    fn new(n: usize, empty: V) -> Self {
        Memo {
            slots: vec![(u128::MAX, empty); n],
        }
    }

    fn get(&mut self, key: u128, look: impl FnOnce() -> V) -> V {
        let i = slot_of(key, self.slots.len());
        let slot = &mut self.slots[i];
        if slot.0 == key {
            return slot.1;
        }
        Self::fill(slot, key, look)
    }

    /// A miss: the slower lookup, out of line (see [`realm_miss`]).
    #[cold]
    #[inline(never)]
    fn fill(slot: &mut (u128, V), key: u128, look: impl FnOnce() -> V) -> V {
        *slot = (key, look());
        slot.1
    }
}

/// The numbering plan's lookups that a message's own numbers need (a serving node's
/// country, an IMSI's PLMN), through a worker's caches: an interconnect carries a few
/// thousand node numbers and a few hundred PLMNs, and a trie walk or two hash probes cost
/// more than the rest of a message's judgement.
#[derive(Debug)]
struct Lookups<'e> {
    e: &'e Engine,
    e164: Memo<(Option<Country>, Option<OperatorId>)>,
    imsi_plmn: Memo<Option<Plmn>>,
    plmn_location: Memo<Option<Location>>,
}

impl<'e> Lookups<'e> {
    fn new(e: &'e Engine) -> Self {
        Lookups {
            e,
            e164: Memo::new(4096, (None, None)),
            imsi_plmn: Memo::new(256, None),
            plmn_location: Memo::new(256, None),
        }
    }

    /// [`NumberingPlan::e164`] of a node number, keyed by its octets: a cached number is
    /// never read into digits.
    fn e164(&mut self, n: &Node) -> (Option<Country>, Option<OperatorId>) {
        let plan = &self.e.plan;
        match n.key() {
            Some(key) => self.e164.get(key, || plan.e164(&n.number())),
            None => plan.e164(&n.number()),
        }
    }

    /// Where a PLMN is: its country (from the MCC) and operator.
    fn plmn_location(&mut self, p: Plmn) -> Option<Location> {
        let plan = &self.e.plan;
        let key = u128::from(p.mcc) | u128::from(p.mnc) << 16 | u128::from(p.mnc3) << 32;
        self.plmn_location.get(key, || {
            plan.mcc_country(p.mcc).map(|country| Location {
                country,
                operator: plan.plmn_operator(p),
            })
        })
    }

    /// [`NumberingPlan::imsi_plmn`], which reads the first six digits only.
    fn imsi_plmn(&mut self, imsi: &Identity) -> Option<Plmn> {
        let plan = &self.e.plan;
        self.imsi_plmn
            .get(u128::from(imsi.head6()), || plan.imsi_plmn(&imsi.digits()))
    }
}

/// A worker's classifier: the engine and the worker's own memory of open dialogues.
#[derive(Debug)]
pub struct Classifier<'e> {
    e: &'e Engine,
    dialogues: BoundedMap<DialogueKey, Dialogue>,
    /// Capture time after which the oldest open dialogue may have timed out: until then,
    /// [`Classifier::expire`] has nothing to look at.
    expire_after: u64,
    cache: Vec<(u128, Source)>,
    /// Diameter origins (Origin-Host and Origin-Realm) and who they are, keyed by the names the
    /// source holds; the last entry holds what the cache cannot.
    origins: Vec<Source>,
    realms: Vec<RealmSlot>,
    lookups: Lookups<'e>,
    stats: ClassifyStats,
}

/// A digest of an address's global title (or point code), for dialogue keys.
fn peer_digest(a: &decoder::sccp::Address<'_>) -> u64 {
    match (a.gt, a.pc) {
        (Some(g), _) => bytes_hash(g.bcd),
        (None, Some(pc)) => bytes_hash(&pc.to_le_bytes()),
        (None, None) => bytes_hash(&[]),
    }
}

/// A hash of a short byte string, eight bytes at a time (the last word zero-padded, the length
/// mixed in): for worker-local tables keyed by addresses and realms, not for anything an
/// attacker could aim at across workers.
fn bytes_hash(b: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(x)).wrapping_mul(K).rotate_left(29);
    }
    h = (h ^ short_word(words.remainder())).wrapping_mul(K);
    h ^ h >> 32
}

/// A global title's address signals and oddness packed in a word: up to 15 octets (30 digits)
/// in the low bytes, the octet count and the odd flag in the top byte. Distinct titles give
/// distinct keys, and no title gives `u128::MAX`, the empty slot.
fn gt_key(gt: &decoder::sccp::GlobalTitle<'_>) -> Option<u128> {
    let n = gt.bcd.len();
    if n > 15 {
        return None;
    }
    let (lo, hi) = gt.bcd.split_at(n.min(8));
    // `hi` holds seven octets at most: its top byte is free for the count and the odd flag.
    let hi = short_word(hi) | u64::from((n as u8) << 1 | u8::from(gt.odd)) << 56;
    Some(u128::from(short_word(lo)) | u128::from(hi) << 64)
}

/// [`NumberingPlan::realm`], through a worker's cache.
fn realm_lookup(
    e: &Engine,
    realms: &mut [RealmSlot],
    realm: &[u8],
) -> (Option<OperatorId>, Option<Plmn>) {
    if realm.len() > REALM_KEY {
        return e.plan.realm(realm);
    }
    let slot = &mut realms[bytes_hash(realm) as usize % REALM_CACHE];
    if usize::from(slot.len) == realm.len() && &slot.bytes[..realm.len()] == realm {
        return slot.found;
    }
    realm_miss(e, slot, realm)
}

/// A realm that is not in its cache slot: looked up and put there. Out of line, so that the
/// hit above, every other message, stays a few instructions without a stack frame.
#[cold]
#[inline(never)]
fn realm_miss(
    e: &Engine,
    slot: &mut RealmSlot,
    realm: &[u8],
) -> (Option<OperatorId>, Option<Plmn>) {
    let found = e.plan.realm(realm);
    slot.len = realm.len() as u8;
    slot.bytes[..realm.len()].copy_from_slice(realm);
    slot.found = found;
    found
}

/// Whether a Begin's dialogue must be remembered, because something later in it is judged by
/// what the Begin said:
/// - the answer to an interconnect sendRoutingInfoForSM (the IMSI leak, [`JobKind::SmsAnswered`]);
/// - the invokes an HLR sends back inside the home network's own updateLocation,
///   updateGprsLocation or restoreData (insertSubscriberData, whose argument need not repeat
///   the IMSI that category 2 judges an inbound roamer's HLR by).
///
/// Nothing else reads a dialogue: every other request is judged on its own, and remembering
/// every Begin costs a table entry per request that nobody may ever answer (a flood).
fn remembered(op: OpCode, source: &Source) -> bool {
    match op {
        OpCode::SEND_ROUTING_INFO_FOR_SM => source.is_interconnect(),
        OpCode::UPDATE_LOCATION | OpCode::UPDATE_GPRS_LOCATION | OpCode::RESTORE_DATA => {
            source.is_home()
        }
        _ => false,
    }
}

fn tid(t: Option<&[u8]>) -> Option<u32> {
    let t = t?;
    Some(t.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)))
}

impl<'e> Classifier<'e> {
    /// A classifier for one worker.
    pub fn new(e: &'e Engine) -> Self {
        Classifier {
            e,
            dialogues: BoundedMap::new(e.policy.limits.dialogues),
            expire_after: u64::MAX,
            cache: vec![(u128::MAX, Source::UNKNOWN); CACHE + 1],
            origins: vec![Source::UNKNOWN; ORIGIN_CACHE + 1],
            realms: vec![RealmSlot::EMPTY; REALM_CACHE],
            lookups: Lookups::new(e),
            stats: ClassifyStats::default(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &'e Engine {
        self.e
    }

    /// Counters so far.
    pub fn stats(&self) -> ClassifyStats {
        let mut s = self.stats;
        s.dialogues_evicted = self.dialogues.evictions();
        s
    }

    /// Open dialogues remembered now.
    pub fn open_dialogues(&self) -> usize {
        self.dialogues.len()
    }

    /// Who sent a message with this calling global title: the index of its attribution in
    /// `cache`. The cache is keyed by the address signals as they are on the wire, so a hit
    /// decodes no digit and copies nothing; the last entry holds what the cache cannot.
    fn source_slot(&mut self, gt: Option<&decoder::sccp::GlobalTitle<'_>>) -> usize {
        let key = gt.and_then(gt_key);
        if let Some(key) = key {
            let i = slot_of(key, CACHE);
            if self.cache[i].0 == key {
                return i;
            }
        }
        self.source_miss(gt, key)
    }

    /// A calling party that is not in the cache: attributed and put there, or, without a
    /// global title or with one too long for a key, in the last entry. Out of line (see
    /// [`realm_miss`]).
    #[cold]
    #[inline(never)]
    fn source_miss(
        &mut self,
        gt: Option<&decoder::sccp::GlobalTitle<'_>>,
        key: Option<u128>,
    ) -> usize {
        let Some(gt) = gt else {
            self.cache[CACHE].1 = Source::UNKNOWN;
            return CACHE;
        };
        let source = self.e.attribute_gt(&gt.digits());
        match key {
            Some(key) => {
                let i = slot_of(key, CACHE);
                self.cache[i] = (key, source);
                i
            }
            None => {
                self.cache[CACHE].1 = source;
                CACHE
            }
        }
    }

    /// Who sent a Diameter request with this Origin-Host and Origin-Realm: the index of its
    /// attribution in `origins`. A hit compares the names and copies nothing; names longer
    /// than a [`Name`] holds, and requests without a realm, go through the last entry.
    fn origin_slot(&mut self, host: Option<&[u8]>, realm: Option<&[u8]>) -> usize {
        let h = host.unwrap_or_default();
        let i = match realm {
            Some(r) if !r.is_empty() && r.len() <= Name::CAPACITY && h.len() <= Name::CAPACITY => {
                let i = (bytes_hash(h) ^ bytes_hash(r).rotate_left(17)) as usize % ORIGIN_CACHE;
                let cached = &self.origins[i];
                if cached.realm.as_bytes() == r && cached.host.as_bytes() == h {
                    return i;
                }
                i
            }
            _ => ORIGIN_CACHE,
        };
        self.origin_miss(i, host, realm)
    }

    /// An origin that is not in its cache slot `i`: attributed and put there. Out of line
    /// (see [`realm_miss`]).
    #[cold]
    #[inline(never)]
    fn origin_miss(&mut self, i: usize, host: Option<&[u8]>, realm: Option<&[u8]>) -> usize {
        let found = realm.map(|r| realm_lookup(self.e, &mut self.realms, r));
        self.origins[i] = self.e.realm_source(host, realm, found);
        i
    }

    /// Judge one message. `out` is cleared first.
    pub fn classify(&mut self, ctx: FrameContext, msg: &Message<'_>, out: &mut Outcome) {
        out.clear();
        self.stats.messages += 1;
        self.expire(ctx.ts_ns);
        match msg {
            Message::Map(m) => self.map(ctx, m, out),
            Message::Diameter(d) => self.diameter(ctx, d, out),
        }
    }

    fn dialogue_timeout_ns(&self) -> u64 {
        self.e.policy.thresholds.dialogue_timeout_s * 1_000_000_000
    }

    /// Forget the dialogues that have waited longer than the timeout for an answer.
    fn expire(&mut self, now: u64) {
        if now <= self.expire_after {
            return;
        }
        let timeout = self.dialogue_timeout_ns();
        while self
            .dialogues
            .pop_lru_if(|_, d| now.saturating_sub(d.subject.ts_ns) > timeout)
            .is_some()
        {}
        self.expire_after = self
            .dialogues
            .peek_lru()
            .map_or(u64::MAX, |(_, d)| d.subject.ts_ns.saturating_add(timeout));
    }

    fn map(&mut self, ctx: FrameContext, m: &MapMessage<'_>, out: &mut Outcome) {
        if m.user != TcapUser::Map {
            self.stats.not_map += 1;
            return;
        }
        if m.is_returned() {
            self.stats.returned += 1;
            return;
        }
        // Answers close or continue their request's dialogue.
        let answer_key = tid(m.dtid).map(|t| DialogueKey {
            tid: t,
            peer: peer_digest(&m.called),
        });
        let dialogue = answer_key.and_then(|k| self.dialogues.peek(&k).copied());
        if matches!(m.tcap, TcapKind::End | TcapKind::Abort) {
            if let Some(k) = answer_key {
                self.dialogues.remove(&k);
            }
        }
        let Some(c) = m.component else {
            return;
        };
        let Some(op) = m.opcode else {
            return;
        };
        let mut target = Target {
            imsi: m.info.imsi,
            msisdn: m.info.msisdn,
        };
        if let Some(d) = &dialogue {
            target.imsi = target.imsi.or(d.target.imsi);
            target.msisdn = target.msisdn.or(d.target.msisdn);
        }
        match c.kind {
            ComponentKind::Invoke => {}
            ComponentKind::ReturnResultLast | ComponentKind::ReturnResult => {
                if let Some(d) = dialogue {
                    self.stats.answers_matched += 1;
                    self.answer(ctx, d, m, out);
                }
                return;
            }
            ComponentKind::ReturnError | ComponentKind::Reject => return,
        }
        let keys = Keys::of(&target);
        let subject = Subject {
            frame: ctx.number,
            ts_ns: ctx.ts_ns,
            proto: Proto::Map,
            opcode: Some(op.0),
            cmd: None,
            app: None,
        };
        let slot = self.source_slot(m.calling.gt.as_ref());
        let source = &self.cache[slot].1;
        // Remember the requests whose dialogues later messages need (see `remembered`).
        if m.tcap == TcapKind::Begin && remembered(op, source) {
            if let Some(t) = tid(m.otid) {
                let key = DialogueKey {
                    tid: t,
                    peer: peer_digest(&m.calling),
                };
                let deadline = ctx.ts_ns.saturating_add(self.dialogue_timeout_ns());
                self.expire_after = self.expire_after.min(deadline);
                self.dialogues.insert(
                    key,
                    Dialogue {
                        op: op.0,
                        subject,
                        source_gt: source.gt,
                        target,
                        interconnect: source.is_interconnect(),
                    },
                );
            }
        }
        let cat3 = self.e.map_rule(Category::Cat3, op.0);
        if source.relation.is_none() {
            self.stats.unattributed += 1;
            return;
        }
        if source.is_home() {
            // The home network's own requests judge nothing, but say where subscribers are.
            if cat3.is_some() {
                presence_job(
                    &mut self.lookups,
                    &mut self.stats,
                    ctx,
                    subject,
                    op,
                    m,
                    source,
                    target,
                    keys,
                    None,
                    out,
                );
            }
            return;
        }
        self.stats.interconnect += 1;
        if let Some(key) = keys.any() {
            out.observation = Some(Observation {
                operator: source.operator,
                country: source.country,
                target: key,
            });
        }
        let called_ssn = m.called.ssn.map(|s| s.0);
        if let Some(c) = self
            .e
            .custom
            .iter()
            .find(|c| self.e.custom_match(c, &subject, source, called_ssn))
        {
            if c.action != Action::Allow {
                out.verdict = Some(verdict(subject, c.rule, *source, target, Detail::None));
            }
            return;
        }
        if let Some(rule) = self.e.map_rule(Category::Cat1, op.0) {
            out.verdict = Some(verdict(subject, rule, *source, target, Detail::None));
            return;
        }
        if let Some(rule) = self.e.map_rule(Category::Cat2, op.0) {
            match target.imsi {
                Some(imsi) => {
                    if let Some(d) = self.e.cat2(source, &imsi) {
                        out.verdict = Some(verdict(subject, rule, *source, target, d));
                    }
                }
                None => self.stats.no_identity += 1,
            }
            return;
        }
        if cat3.is_some() {
            presence_job(
                &mut self.lookups,
                &mut self.stats,
                ctx,
                subject,
                op,
                m,
                source,
                target,
                keys,
                cat3,
                out,
            );
            return;
        }
        // MAP v1/v2 carry mobile-terminated messages in forwardSM (46) too, addressed by IMSI.
        if op == OpCode::MT_FORWARD_SM || (op == OpCode::MO_FORWARD_SM && m.info.imsi.is_some()) {
            if let Some(key) = keys.imsi {
                let when = (key, ctx.ts_ns);
                out.jobs
                    .push(when, subject, source, target, JobKind::SmsDelivered);
            }
        }
    }

    /// An answer to a remembered request.
    fn answer(&mut self, ctx: FrameContext, d: Dialogue, m: &MapMessage<'_>, out: &mut Outcome) {
        // The IMSI leak of SRI-for-SM: the home network answered an interconnect request. The
        // short message that should follow passes this probe only when the subscriber is
        // served by the home network (or by its SMS home router): the answer's network node
        // number says so. For a subscriber served abroad it goes elsewhere, and no follow-up
        // can be checked here.
        if d.op == OpCode::SEND_ROUTING_INFO_FOR_SM.0 && d.interconnect {
            let Some(imsi) = m.info.imsi else {
                return;
            };
            let served_at_home = m
                .info
                .node(NodeRole::NetworkNode)
                .is_some_and(|n| self.lookups.e164(n).1 == Some(self.e.home));
            if !served_at_home {
                self.stats.sms_unverifiable += 1;
                return;
            }
            let source = d
                .source_gt
                .map_or(Source::UNKNOWN, |g| self.e.attribute_gt(&g));
            let target = Target {
                imsi: Some(imsi),
                msisdn: d.target.msisdn,
            };
            if let Some(key) = (Target {
                imsi: Some(imsi),
                msisdn: None,
            })
            .key()
            {
                let when = (key, ctx.ts_ns);
                out.jobs
                    .push(when, d.subject, &source, target, JobKind::SmsAnswered);
            }
        }
    }

    fn diameter(&mut self, ctx: FrameContext, dm: &DiameterMessage<'_>, out: &mut Outcome) {
        let s = &dm.summary;
        let h = s.header;
        if !h.is_request() {
            return;
        }
        let slot = self.origin_slot(s.origin_host, s.origin_realm);
        let Classifier {
            e,
            origins,
            realms,
            lookups,
            stats,
            ..
        } = self;
        let e: &Engine = e;
        let source = &origins[slot];
        let target = Target {
            imsi: s.imsi,
            msisdn: s.msisdn,
        };
        let keys = Keys::of(&target);
        let subject = Subject {
            frame: ctx.number,
            ts_ns: ctx.ts_ns,
            proto: Proto::Diameter,
            opcode: None,
            cmd: Some(h.cmd.0),
            app: Some(h.app.0),
        };
        let [cat1, cat2, cat3] = e.diameter_rules(h.cmd.0);
        if source.relation.is_none() {
            stats.unattributed += 1;
            return;
        }
        let claim = (ctx, subject, target, keys);
        if source.is_home() {
            if cat3.is_some() {
                diameter_presence(lookups, stats, claim, h.cmd, s, source, None, out);
            }
            return;
        }
        stats.interconnect += 1;
        if let Some(key) = keys.any() {
            out.observation = Some(Observation {
                operator: source.operator,
                country: source.country,
                target: key,
            });
        }
        if let Some(c) = e
            .custom
            .iter()
            .find(|c| e.custom_match(c, &subject, source, None))
        {
            if c.action != Action::Allow {
                out.verdict = Some(verdict(subject, c.rule, *source, target, Detail::None));
            }
            return;
        }
        if let Some(rule) = cat1.or_else(|| {
            e.diameter_app_rules
                .iter()
                .find(|(a, _)| *a == h.app.0)
                .map(|r| r.1)
        }) {
            out.verdict = Some(verdict(subject, rule, *source, target, Detail::None));
            return;
        }
        if let Some((rule, why)) = consistency(e, realms, lookups, dm, source.plmn) {
            out.verdict = Some(verdict(
                subject,
                rule,
                *source,
                target,
                Detail::Inconsistent(why),
            ));
            return;
        }
        if let Some(rule) = cat2 {
            match target.imsi {
                Some(imsi) => {
                    if let Some(d) = e.cat2(source, &imsi) {
                        out.verdict = Some(verdict(subject, rule, *source, target, d));
                    }
                }
                None => stats.no_identity += 1,
            }
            return;
        }
        if cat3.is_some() {
            diameter_presence(lookups, stats, claim, h.cmd, s, source, cat3, out);
        }
    }
}

/// FS.19's consistency checks of a request from the interconnect.
/// `origin_plmn`: the Origin-Realm's PLMN, as the source's attribution found it.
fn consistency(
    e: &Engine,
    realms: &mut [RealmSlot],
    lookups: &mut Lookups<'_>,
    dm: &DiameterMessage<'_>,
    origin_plmn: Option<Plmn>,
) -> Option<(RuleIdx, &'static str)> {
    let s = &dm.summary;
    let f = e.fixed;
    if let (Some(host), Some(realm)) = (s.origin_host, s.origin_realm) {
        let inside = host.eq_ignore_ascii_case(realm)
            || host.len() > realm.len()
                && host[host.len() - realm.len()..].eq_ignore_ascii_case(realm)
                && host[host.len() - realm.len() - 1] == b'.';
        if !inside {
            return Some((f.host_realm, "Origin-Host is not within Origin-Realm"));
        }
    }
    if let (Some(v), Some(o)) = (s.visited_plmn, origin_plmn) {
        if (v.mcc, v.mnc) != (o.mcc, o.mnc) {
            return Some((
                f.visited_plmn,
                "Visited-PLMN-Id is not the Origin-Realm's PLMN",
            ));
        }
    }
    if let (Some(imsi), Some(o)) = (s.imsi, origin_plmn) {
        let dest = s.dest_realm.and_then(|r| realm_lookup(e, realms, r).1);
        if let (Some(p), Some(d)) = (lookups.imsi_plmn(&imsi), dest) {
            let fits = |x: &Plmn| x.mcc == p.mcc && x.mnc == p.mnc;
            if !fits(&d) && !fits(&o) {
                return Some((
                    f.user_name_plmn,
                    "the IMSI belongs to neither the Destination-Realm nor the Origin-Realm",
                ));
            }
        }
    }
    let app = s.header.app;
    if app != ApplicationId::RELAY {
        if let Some(apps) = ApplicationId::for_command(s.header.cmd) {
            if !apps.contains(&app) {
                return Some((
                    f.app_command,
                    "the application id does not carry this command",
                ));
            }
        }
        if let Some(avp) = s.app_id_avp {
            if avp != app.0 && s.header.cmd.0 != 257 {
                return Some((
                    f.app_command,
                    "Auth-/Acct-Application-Id differs from the header's application id",
                ));
            }
        }
    }
    None
}

/// A Diameter location claim (ULR, AIR, PUR, NOR) for the subscriber's shard. `claim`: the
/// message, its target and the target's keys.
#[allow(clippy::too_many_arguments)]
fn diameter_presence(
    lookups: &mut Lookups<'_>,
    stats: &mut ClassifyStats,
    claim: (FrameContext, Subject, Target, Keys),
    cmd: CommandCode,
    s: &decoder::diameter::Summary<'_>,
    source: &Source,
    rule: Option<RuleIdx>,
    out: &mut Outcome,
) {
    let (ctx, subject, target, keys) = claim;
    let Some(key) = keys.imsi else {
        stats.no_identity += 1;
        return;
    };
    let event = match cmd {
        CommandCode::UPDATE_LOCATION => Presence::Attach,
        CommandCode::PURGE_UE => Presence::Departure,
        _ => Presence::Activity,
    };
    let claimed = s.visited_plmn.and_then(|p| lookups.plmn_location(p));
    push_presence(
        out,
        (key, ctx, subject, target),
        source,
        event,
        claimed,
        rule,
    );
}

/// A location claim for the subscriber's shard (home or category 3), when the message says
/// where and whom.
#[allow(clippy::too_many_arguments)]
fn presence_job(
    lookups: &mut Lookups<'_>,
    stats: &mut ClassifyStats,
    ctx: FrameContext,
    subject: Subject,
    op: OpCode,
    m: &MapMessage<'_>,
    source: &Source,
    target: Target,
    keys: Keys,
    rule: Option<RuleIdx>,
    out: &mut Outcome,
) {
    let Some(key) = keys.imsi else {
        stats.no_identity += 1;
        return;
    };
    let event = match op {
        OpCode::UPDATE_LOCATION | OpCode::UPDATE_GPRS_LOCATION => Presence::Attach,
        OpCode::PURGE_MS => Presence::Departure,
        _ => Presence::Activity,
    };
    // Where: the serving node's number when the message names one, else the sender.
    let node = m
        .info
        .node(NodeRole::Vlr)
        .or_else(|| m.info.node(NodeRole::Sgsn));
    let at = match node {
        Some(n) if op != OpCode::PURGE_MS => {
            let (country, operator) = lookups.e164(n);
            country.map(|country| Location { country, operator })
        }
        _ => None,
    };
    push_presence(out, (key, ctx, subject, target), source, event, at, rule);
}

/// Queue a location claim for the subscriber's shard: where the message says (`claimed`),
/// else where its sender is; nothing when neither is known. `job`: the subscriber's key, the
/// message and its target.
fn push_presence(
    out: &mut Outcome,
    job: (u64, FrameContext, Subject, Target),
    source: &Source,
    event: Presence,
    claimed: Option<Location>,
    rule: Option<RuleIdx>,
) {
    let (key, ctx, subject, target) = job;
    let at = claimed.or_else(|| {
        source.country.map(|country| Location {
            country,
            operator: source.operator,
        })
    });
    let Some(at) = at else {
        return;
    };
    let kind = JobKind::Presence { event, at, rule };
    out.jobs
        .push((key, ctx.ts_ns), subject, source, target, kind);
}

fn verdict(
    subject: Subject,
    rule: RuleIdx,
    source: Source,
    target: Target,
    detail: Detail,
) -> Verdict {
    Verdict {
        subject,
        rule,
        source,
        target,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commands that share a slot of the rule table (316, 380 and 444 are all 60 mod 64)
    /// each find their own rules; a command without rules finds none.
    #[test]
    fn diameter_commands_sharing_a_slot_keep_their_rules() {
        let text = "[home]\nname = \"H\"\ncountry = \"US\"\nplmn = [\"310-410\"]\n\
                    [categories]\ndiameter_cat1_commands = [316, 444]\n\
                    diameter_cat2_commands = [380]\ndiameter_cat3_commands = [316]\n";
        let e = Engine::new(Policy::parse("p.toml", text).unwrap());
        let cat = |r: Option<RuleIdx>| r.map(|r| e.rule(r).unwrap().category);
        let cats = |cmd| e.diameter_rules(cmd).map(cat);
        assert_eq!(
            cats(316),
            [Some(Category::Cat1), None, Some(Category::Cat3)]
        );
        assert_eq!(cats(380), [None, Some(Category::Cat2), None]);
        assert_eq!(cats(444), [Some(Category::Cat1), None, None]);
        assert_eq!(cats(508), [None; 3]);
        assert_eq!(cats(318), [None; 3]);
        assert!(!e.diameter_overflow.is_empty());
    }

    proptest::proptest! {
        /// A global title's key is its octets, zero-padded, with the count and the odd flag in
        /// the top byte; no key for more than fifteen octets.
        #[test]
        fn gt_key_is_the_octets_count_and_oddness(
            bcd in proptest::collection::vec(proptest::num::u8::ANY, 0..=17),
            odd in proptest::bool::ANY,
        ) {
            let gt = decoder::sccp::GlobalTitle { tt: None, np: None, es: None, nai: None, odd, bcd: &bcd };
            let want = (bcd.len() <= 15).then(|| {
                let mut b = [0u8; 16];
                b[..bcd.len()].copy_from_slice(&bcd);
                b[15] = (bcd.len() as u8) << 1 | u8::from(odd);
                u128::from_le_bytes(b)
            });
            proptest::prop_assert_eq!(gt_key(&gt), want);
        }
    }

    /// Jobs are written in place: the list holds what was pushed since the last clear, in
    /// order, whatever the places held before; a third is dropped.
    #[test]
    fn jobs_hold_what_was_pushed_since_the_last_clear() {
        let subject = |frame| Subject {
            frame,
            ..Job::NONE.subject
        };
        let mut target = Job::NONE.target;
        target.imsi = Identity::from_ascii("310410123456789");
        let mut jobs = Jobs::default();
        for frame in 1..=3 {
            let kind = JobKind::SmsDelivered;
            jobs.push(
                (frame, 10 * frame),
                subject(frame),
                &Source::UNKNOWN,
                target,
                kind,
            );
        }
        assert_eq!(jobs.len(), Jobs::CAPACITY);
        assert_eq!(
            jobs.iter()
                .map(|j| (j.key, j.at_ns, j.subject.frame))
                .collect::<Vec<_>>(),
            [(1, 10, 1), (2, 20, 2)]
        );
        assert!(jobs.iter().all(|j| j.target == target));
        let full = jobs;
        jobs.clear();
        assert!(jobs.is_empty());
        assert_eq!(jobs, Jobs::default());
        let kind = JobKind::SmsAnswered;
        jobs.push(
            (9, 90),
            subject(9),
            &Source::UNKNOWN,
            Job::NONE.target,
            kind,
        );
        assert_eq!(jobs.len(), 1);
        assert_eq!((jobs[0].key, jobs[0].kind), (9, JobKind::SmsAnswered));
        assert_eq!(jobs[0].target, Job::NONE.target);
        assert_ne!(jobs, full);
    }

    #[test]
    fn snake_case_ids() {
        assert_eq!(snake("anyTimeInterrogation"), "any_time_interrogation");
        assert_eq!(snake("sendIMSI"), "send_imsi");
        assert_eq!(snake("mt-forwardSM"), "mt_forward_sm");
        assert_eq!(
            snake("processUnstructuredSS-Request"),
            "process_unstructured_ss_request"
        );
        assert_eq!(snake("sendRoutingInfoForSM"), "send_routing_info_for_sm");
        assert_eq!(snake("Sh/Dh"), "sh_dh");
    }
}
