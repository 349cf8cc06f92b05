//! A worker's classifier: each message attributed to its sender, then judged by one ladder
//! for MAP and Diameter alike.
//!
//! The ladder, first match wins:
//! 1. the policy's custom rules (an `allow` stops the ladder without a verdict);
//! 2. category 1: never legitimate from the interconnect (Diameter: the command's rule, else
//!    the application's);
//! 3. consistency checks (Diameter, FS.19: the origin's names, the Visited-PLMN-Id and the
//!    IMSI against the realms, the application against the command);
//! 4. category 2: only from the subscriber's home network;
//! 5. category 3: only from where the subscriber is, which only the subscriber's shard knows:
//!    a presence job goes there;
//! 6. follow-ups: a delivered short message closes an SMS reconnaissance check.
//!
//! The home network's own requests skip the ladder; what they say of a subscriber's
//! whereabouts still goes to the shard, as the location baseline.

use decoder::diameter::{ApplicationId, CommandCode, Summary};
use decoder::map::{NodeRole, OpCode};
use decoder::stack::{DiameterMessage, Evasion, FrameContext, MapMessage, Message, TcapUser};
use decoder::tcap::{ComponentKind, TcapKind};
use decoder::Plmn;

use super::attribute::Keys;
use super::cache::{Lookups, Sources};
use super::dialogue::{remembered, Dialogue, DialogueKey, Dialogues};
use super::outcome::{JobKind, Location, Observation, Outcome, Presence};
use super::{CategoryRules, Custom, Engine};
use crate::numbering::OperatorId;
use crate::policy::{Action, Proto};
use crate::verdict::{Detail, Evidence, RuleIdx, Source, Subject, Target, Verdict};

decoder::counters! {
    /// Counters of what the classifier could not judge, and why.
    pub struct ClassifyStats {
        /// Messages classified.
        messages => "messages_classified",
        /// Messages from the interconnect.
        interconnect => "interconnect_messages",
        /// Messages with no calling global title or origin realm to attribute.
        unattributed => "unattributed",
        /// Messages returned by SCCP (UDTS...): not judged as requests.
        returned => "returned_by_sccp",
        /// TCAP messages of another user than MAP.
        not_map => "tcap_not_map",
        /// Category 2/3 requests without an IMSI to judge by.
        no_identity => "no_identity",
        /// Answers matched to their request's dialogue.
        answers_matched => "answers_matched",
        /// SRI-for-SM answers for subscribers served abroad: the follow-up cannot be seen here.
        sms_unverifiable => "sms_unverifiable",
        /// Dialogues pushed out of the full table.
        dialogues_evicted => "dialogues_evicted",
        /// Answers and home messages taken as proof of where a subscriber is.
        evidence => "presence_evidence",
        /// Category 2 and 3 requests from senders no numbering plan places.
        unplaced => "unplaced_sources",
    }
}

/// A worker's classifier: the engine and the worker's own memory of open dialogues and of
/// who sends what.
#[derive(Debug)]
pub struct Classifier<'e> {
    e: &'e Engine,
    dialogues: Dialogues,
    sources: Sources<'e>,
    lookups: Lookups<'e>,
    stats: ClassifyStats,
}

/// A message on the ladder: what each protocol brings to the steps that read it.
#[derive(Clone, Copy)]
enum Body<'a, 'm> {
    Map(&'a MapMessage<'m>, OpCode),
    Diameter(&'a DiameterMessage<'m>),
}

/// A request about to be judged: the message, its sender, its subscriber, its rules.
struct Request<'s> {
    ctx: FrameContext,
    subject: Subject,
    source: &'s Source,
    target: Target,
    keys: Keys,
    rules: CategoryRules,
}

impl Request<'_> {
    fn verdict(&self, rule: RuleIdx, detail: Detail) -> Verdict {
        Verdict {
            subject: self.subject,
            rule,
            source: *self.source,
            target: self.target,
            detail,
        }
    }
}

impl<'e> Classifier<'e> {
    /// A classifier for one worker.
    pub fn new(e: &'e Engine) -> Self {
        Classifier {
            e,
            dialogues: Dialogues::new(
                e.policy.limits.dialogues,
                e.policy.thresholds.dialogue_timeout_s,
            ),
            sources: Sources::new(e),
            lookups: Lookups::new(e),
            stats: ClassifyStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> ClassifyStats {
        let mut s = self.stats;
        s.dialogues_evicted = self.dialogues.evictions();
        s
    }

    /// Judge one message. `out` is cleared first.
    pub fn classify(&mut self, ctx: FrameContext, msg: &Message<'_>, out: &mut Outcome) {
        out.clear();
        self.stats.messages += 1;
        self.dialogues.expire(ctx.ts_ns);
        match msg {
            Message::Map(m) => self.map(ctx, m, out),
            Message::Diameter(d) => self.diameter(ctx, d, out),
            Message::Evasion(_) => {}
        }
        if let Some(kind) = msg.evasion() {
            out.evasion = Some(self.evasion(ctx, msg, kind));
        }
    }

    /// The evasion verdict of a message read from a conflicting copy (or of the copy alone),
    /// attributed as the message's own would be: whichever copy the receiver kept, its sender
    /// is named.
    #[cold]
    #[inline(never)]
    fn evasion(&mut self, ctx: FrameContext, msg: &Message<'_>, kind: Evasion) -> Verdict {
        let mut subject = Subject {
            frame: ctx.number,
            ts_ns: ctx.ts_ns,
            proto: Proto::Map,
            opcode: None,
            cmd: None,
            app: None,
        };
        let (source, target) = match msg {
            Message::Map(m) => {
                subject.opcode = m.opcode.map(|o| o.0);
                let target = Target {
                    imsi: m.info.imsi,
                    msisdn: m.info.msisdn,
                };
                (*self.sources.gt(m.calling.gt.as_ref()), target)
            }
            Message::Diameter(d) => {
                let s = &d.summary;
                subject.proto = Proto::Diameter;
                subject.cmd = Some(s.header.cmd.0);
                subject.app = Some(s.header.app.0);
                let source = *self
                    .sources
                    .origin(&mut self.lookups, s.origin_host, s.origin_realm);
                let target = Target {
                    imsi: s.imsi,
                    msisdn: s.msisdn,
                };
                (source, target)
            }
            Message::Evasion(e) => {
                if e.diameter {
                    subject.proto = Proto::Diameter;
                }
                (Source::UNKNOWN, Target::default())
            }
        };
        Verdict {
            subject,
            rule: self.e.evasion_rule(kind),
            source,
            target,
            detail: Detail::Evasion(kind),
        }
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
        let closes = matches!(m.tcap, TcapKind::End | TcapKind::Abort);
        let dialogue = self
            .dialogues
            .answered(DialogueKey::of(m.dtid, &m.called), closes);
        let Some(c) = m.component else {
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
        if let (Some(msisdn), Some(imsi)) = (target.msisdn, target.imsi) {
            out.pair = Some((msisdn, imsi));
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
        let Some(op) = m.opcode else {
            return;
        };
        let subject = Subject {
            frame: ctx.number,
            ts_ns: ctx.ts_ns,
            proto: Proto::Map,
            opcode: Some(op.0),
            cmd: None,
            app: None,
        };
        let source = self.sources.gt(m.calling.gt.as_ref());
        // Remember the requests whose dialogues later messages need (see `remembered`).
        if m.tcap == TcapKind::Begin && remembered(op, source) {
            if let Some(key) = DialogueKey::of(m.otid, &m.calling) {
                let d = Dialogue {
                    op: op.0,
                    subject,
                    source_gt: source.gt,
                    target,
                    interconnect: source.is_interconnect(),
                };
                self.dialogues.open(key, d);
            }
        }
        let r = Request {
            ctx,
            subject,
            source,
            target,
            keys: Keys::of(&target),
            rules: self.e.map_rules(op.0),
        };
        judge(
            self.e,
            &mut self.lookups,
            &mut self.stats,
            Body::Map(m, op),
            &r,
            out,
        );
    }

    /// An answer to a remembered request.
    fn answer(&mut self, ctx: FrameContext, d: Dialogue, m: &MapMessage<'_>, out: &mut Outcome) {
        let op = OpCode(d.op);
        if matches!(
            op,
            OpCode::MT_FORWARD_SM
                | OpCode::PROVIDE_SUBSCRIBER_INFO
                | OpCode::ANY_TIME_INTERROGATION
        ) {
            self.evidence(ctx, d, m, out);
            return;
        }
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
            let key = Target {
                imsi: Some(imsi),
                msisdn: None,
            }
            .key();
            if let Some(key) = key {
                let when = (key, ctx.ts_ns);
                out.jobs
                    .push(when, d.subject, &source, target, JobKind::SmsAnswered);
            }
        }
    }

    /// What an answer proves of where its subscriber is (see [`super::outcome::Presence`]):
    /// - an MT-ForwardSM acknowledged by a home node: the subscriber is served by it now;
    /// - a location answer with its age to a provideSubscriberInfo or anyTimeInterrogation the
    ///   home network asked: the serving VLR it names was serving the subscriber that many
    ///   minutes before.
    ///
    /// An answer that only repeats the HLR's registration (SRI, SRI-for-SM) proves nothing: the
    /// phone may have been switched off on a flight since. Nor does an answer from the
    /// interconnect to a request it was sent: the home network did not ask.
    #[cold]
    fn evidence(&mut self, ctx: FrameContext, d: Dialogue, m: &MapMessage<'_>, out: &mut Outcome) {
        let op = OpCode(d.op);
        let Some(key) = d.target.imsi_key() else {
            self.stats.no_identity += 1;
            return;
        };
        let answerer = *self.sources.gt(m.calling.gt.as_ref());
        let (node, age_min) = match op {
            OpCode::MT_FORWARD_SM if answerer.is_home() => (None, 0),
            OpCode::PROVIDE_SUBSCRIBER_INFO | OpCode::ANY_TIME_INTERROGATION => {
                // Only the home network's own requests are remembered (see `remembered`).
                let (Some(vlr), Some(age)) =
                    (m.info.node(NodeRole::Vlr), m.info.age_of_location_min)
                else {
                    return;
                };
                (Some(*vlr), age)
            }
            _ => return,
        };
        let at = match node {
            Some(n) => {
                let (country, operator) = self.lookups.e164(&n);
                country.map(|country| Location { country, operator })
            }
            None => answerer.country.map(|country| Location {
                country,
                operator: answerer.operator,
            }),
        };
        let Some(at) = at else {
            return;
        };
        self.stats.evidence += 1;
        let seen_ns = ctx
            .ts_ns
            .saturating_sub(u64::from(age_min) * 60 * 1_000_000_000);
        let kind = JobKind::Presence {
            event: Presence::Proven,
            at,
            rule: None,
            seen_ns,
            by: Evidence::map(d.op, true),
        };
        out.jobs
            .push((key, ctx.ts_ns), d.subject, &answerer, d.target, kind);
    }

    fn diameter(&mut self, ctx: FrameContext, dm: &DiameterMessage<'_>, out: &mut Outcome) {
        let s = &dm.summary;
        let h = s.header;
        if let (Some(msisdn), Some(imsi)) = (s.msisdn, s.imsi) {
            out.pair = Some((msisdn, imsi));
        }
        if !h.is_request() {
            return;
        }
        let source = self
            .sources
            .origin(&mut self.lookups, s.origin_host, s.origin_realm);
        let target = Target {
            imsi: s.imsi,
            msisdn: s.msisdn,
        };
        let r = Request {
            ctx,
            subject: Subject {
                frame: ctx.number,
                ts_ns: ctx.ts_ns,
                proto: Proto::Diameter,
                opcode: None,
                cmd: Some(h.cmd.0),
                app: Some(h.app.0),
            },
            source,
            target,
            keys: Keys::of(&target),
            rules: self.e.diameter.of(h.cmd.0),
        };
        judge(
            self.e,
            &mut self.lookups,
            &mut self.stats,
            Body::Diameter(dm),
            &r,
            out,
        );
    }
}

/// The judgement ladder (see the module documentation). Inlined into each protocol's caller,
/// where `body`'s variant is known and the other protocol's steps fold away.
#[inline(always)]
fn judge(
    e: &Engine,
    lookups: &mut Lookups<'_>,
    stats: &mut ClassifyStats,
    body: Body<'_, '_>,
    r: &Request<'_>,
    out: &mut Outcome,
) {
    let [cat1, cat2, cat3] = r.rules;
    if r.source.relation.is_none() {
        stats.unattributed += 1;
        return;
    }
    if r.source.is_home() {
        // The home network's own requests judge nothing, but say where subscribers are.
        if cat3.is_some() {
            if let Some((event, at)) = claim(lookups, stats, body, r) {
                push_presence(r, event, at, None, out);
            }
        } else if let Body::Map(m, op) = body {
            // A short message sent by the subscriber through a home MSC: at home now.
            let mo = op == OpCode::MO_FORWARD_SM && m.info.msisdn.is_some();
            if let (true, Some(_), Some(country)) = (mo, r.keys.imsi, r.source.country) {
                stats.evidence += 1;
                let at = Location {
                    country,
                    operator: r.source.operator,
                };
                push_presence(r, Presence::Proven, at, None, out);
            }
        }
        return;
    }
    stats.interconnect += 1;
    if let Some(key) = r.keys.any() {
        out.observation = Some(Observation {
            operator: r.source.operator,
            country: r.source.country,
            target: key,
        });
    }
    let called_ssn = match body {
        Body::Map(m, _) => m.called.ssn.map(|s| s.0),
        Body::Diameter(_) => None,
    };
    if !e.custom.is_empty() {
        if let Some((rule, action)) = custom(e, r.subject, r.source, called_ssn) {
            if action != Action::Allow {
                out.verdict = Some(r.verdict(rule, Detail::None));
            }
            return;
        }
    }
    let app_rule = |body| match body {
        Body::Diameter(dm) => e.diameter.app(dm.summary.header.app.0),
        Body::Map(..) => None,
    };
    if let Some(rule) = cat1.or_else(|| app_rule(body)) {
        out.verdict = Some(r.verdict(rule, Detail::None));
        return;
    }
    if let Body::Diameter(dm) = body {
        if let Some((rule, why)) = consistency(e, lookups, &dm.summary, r.source.plmn) {
            out.verdict = Some(r.verdict(rule, Detail::Inconsistent(why)));
            return;
        }
    }
    if (cat2.is_some() || cat3.is_some()) && !placed(r.source) {
        // Nobody can say where such a sender is, so nothing it claims is learnt.
        stats.unplaced += 1;
        let rule = match body {
            Body::Map(..) => e.fixed.unknown_gt,
            Body::Diameter(_) => e.fixed.unknown_origin,
        };
        out.verdict = Some(r.verdict(rule, Detail::Unplaced));
        return;
    }
    if let Some(rule) = cat2 {
        match r.target.imsi {
            Some(imsi) => {
                if let Some(d) = e.cat2(r.source, &imsi) {
                    out.verdict = Some(r.verdict(rule, d));
                }
            }
            None => stats.no_identity += 1,
        }
        return;
    }
    if cat3.is_some() {
        let Some((event, at)) = claim(lookups, stats, body, r) else {
            return;
        };
        if e.checks_agreements() {
            if let Some(operator) = without_agreement(e, lookups, r, at) {
                let rule = e.fixed.no_agreement[usize::from(matches!(body, Body::Diameter(_)))];
                out.verdict = Some(r.verdict(rule, Detail::NoAgreement { operator }));
                return;
            }
        }
        push_presence(r, event, at, cat3, out);
        return;
    }
    if let Body::Map(m, op) = body {
        // MAP v1/v2 carry mobile-terminated messages in forwardSM (46) too, addressed by IMSI.
        if op == OpCode::MT_FORWARD_SM || (op == OpCode::MO_FORWARD_SM && m.info.imsi.is_some()) {
            if let Some(key) = r.keys.imsi {
                let when = (key, r.ctx.ts_ns);
                out.jobs
                    .push(when, r.subject, r.source, r.target, JobKind::SmsDelivered);
            }
        }
    }
}

/// The first custom rule that matches, and what it does. Out of line, and given a copy of
/// the subject, so that the ladder's request stays in registers.
#[inline(never)]
fn custom(
    e: &Engine,
    subject: Subject,
    source: &Source,
    called_ssn: Option<u8>,
) -> Option<(RuleIdx, Action)> {
    e.custom
        .iter()
        .find(|c| c.matches(&subject, source, called_ssn))
        .map(|c| (c.rule, c.action))
}

impl Custom {
    /// Whether a custom rule matches a message: every key it gives.
    fn matches(&self, subject: &Subject, source: &Source, called_ssn: Option<u8>) -> bool {
        self.proto.is_none_or(|p| p == subject.proto)
            && self.opcode.is_none_or(|o| subject.opcode == Some(o))
            && self.cmd.is_none_or(|m| subject.cmd == Some(m))
            && self.app.is_none_or(|a| subject.app == Some(a))
            && self.country.is_none_or(|k| source.country == Some(k))
            && self
                .operator
                .as_ref()
                .is_none_or(|ids| source.operator.is_some_and(|o| ids.contains(&o)))
            && self
                .gt_prefix
                .as_ref()
                .is_none_or(|p| source.gt.is_some_and(|g| g.starts_with(p.as_bytes())))
            && self.called_ssn.is_none_or(|s| called_ssn == Some(s))
    }
}

/// FS.19's consistency checks of a request from the interconnect.
/// `origin_plmn`: the Origin-Realm's PLMN, as the source's attribution found it.
fn consistency(
    e: &Engine,
    lookups: &mut Lookups<'_>,
    s: &Summary<'_>,
    origin_plmn: Option<Plmn>,
) -> Option<(RuleIdx, &'static str)> {
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
        let dest = s.dest_realm.and_then(|r| lookups.realm(r).1);
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

/// Whether a sender is placed by a numbering plan: a calling global title in a known E.164
/// range, a Diameter origin whose realm names a PLMN or an operator. What a sender that is
/// not claims cannot be checked against anything, and is never learnt.
fn placed(s: &Source) -> bool {
    if s.gt.is_some() {
        s.country.is_some()
    } else {
        s.operator.is_some() || s.plmn.is_some()
    }
}

/// For a home subscriber: the operator of a category 3 message that the home network has no
/// roaming agreement with: the serving network the message names, or its sender. A partner's
/// node named by a non-partner's title is still the non-partner's message.
fn without_agreement(
    e: &Engine,
    lookups: &mut Lookups<'_>,
    r: &Request<'_>,
    at: Location,
) -> Option<OperatorId> {
    // The operators first: most category 3 traffic comes from partners, and then the IMSI
    // is not looked at.
    let operator = [at.operator, r.source.operator]
        .into_iter()
        .flatten()
        .find(|&o| !e.has_agreement(o))?;
    let plmn = lookups.imsi_plmn(&r.target.imsi?)?;
    e.policy.home.plmns.contains(&plmn).then_some(operator)
}

/// Where a category 3 message (or the home network's own) says its subscriber is, and what
/// kind of claim it is, when the message says whom: MAP, the serving VLR or SGSN it names;
/// Diameter, the Visited-PLMN-Id; else where its sender is.
#[inline(always)]
fn claim(
    lookups: &mut Lookups<'_>,
    stats: &mut ClassifyStats,
    body: Body<'_, '_>,
    r: &Request<'_>,
) -> Option<(Presence, Location)> {
    if r.keys.imsi.is_none() {
        stats.no_identity += 1;
        return None;
    }
    let (event, claimed) = match body {
        Body::Map(m, op) => {
            let event = match op {
                OpCode::UPDATE_LOCATION | OpCode::UPDATE_GPRS_LOCATION => Presence::Attach,
                OpCode::PURGE_MS => Presence::Departure,
                _ => Presence::Activity,
            };
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
            (event, at)
        }
        Body::Diameter(dm) => {
            let event = match dm.summary.header.cmd {
                CommandCode::UPDATE_LOCATION => Presence::Attach,
                CommandCode::PURGE_UE => Presence::Departure,
                _ => Presence::Activity,
            };
            let at = dm
                .summary
                .visited_plmn
                .and_then(|p| lookups.plmn_location(p));
            (event, at)
        }
    };
    let at = claimed.or_else(|| {
        r.source.country.map(|country| Location {
            country,
            operator: r.source.operator,
        })
    })?;
    Some((event, at))
}

/// A presence job for the request's subscriber (who has an IMSI: see [`claim`]).
#[inline(always)]
fn push_presence(
    r: &Request<'_>,
    event: Presence,
    at: Location,
    rule: Option<RuleIdx>,
    out: &mut Outcome,
) {
    let Some(key) = r.keys.imsi else {
        return;
    };
    let by = match r.subject.proto {
        Proto::Map => Evidence::map(r.subject.opcode.unwrap_or(0), false),
        Proto::Diameter => Evidence::diameter(r.subject.cmd.unwrap_or(0)),
    };
    let kind = JobKind::Presence {
        event,
        at,
        rule,
        seen_ns: r.ctx.ts_ns,
        by,
    };
    out.jobs
        .push((key, r.ctx.ts_ns), r.subject, r.source, r.target, kind);
}
