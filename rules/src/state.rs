//! Per-subscriber state and the checks that need it, for the subscribers one shard owns:
//! location plausibility (category 3) and SMS reconnaissance.
//!
//! Time is capture time: the jobs' timestamps, never the wall clock. A shard is fed jobs in
//! capture order, so it reaches the same verdicts whatever the number of workers.
//!
//! ## Travel, and the false positives it must not raise
//! A subscriber's location is a country (its reference point) and the time it was last shown
//! to be there. A claim elsewhere that needs more than `max_travel_kmh` to be true is
//! impossible travel. Two things make naive checks fire on honest subscribers, and both come
//! from the old network reporting a subscriber after they left, up to the periodic
//! location-update timer later (T3212; `location_update_timer_s`):
//! - a purge (purgeMS, PUR) sent when the old VLR/MME implicitly detaches the subscriber,
//!   hours after they registered elsewhere: a departure, never a presence;
//! - authentication or restore requests from the old network while the subscriber's phone
//!   still talks to it: within the timer after a move they are stragglers, not a move back.
//!
//! Evidence of presence is registrations and activity (updateLocation, authentication, ULR,
//! AIR, NOR), and what the home network's own nodes did ([`Presence::Proven`]: a short message
//! a home MSC acknowledged or sent, a location answer at the time its age gives). An answer
//! from the home HLR naming a serving node (SRI, SRI-for-SM) is never taken as one: that
//! location may be as old as the last registration.

use arrayvec::ArrayVec;
use decoder::{Digits, Identity};

use crate::engine::{Engine, Job, JobKind, Location, Presence};
use crate::geo::Country;
use crate::numbering::OperatorId;
use crate::verdict::{Detail, Evidence, RuleIdx, Source, Subject, Target, Verdict};
use decoder::table::BoundedMap;

decoder::counters! {
    /// What a shard did, for the report.
    pub struct ShardStats {
        /// Jobs applied.
        jobs => "jobs",
        /// Subscribers forgotten because the table was full.
        subscribers_evicted => "subscribers_evicted",
        /// Pending SRI-for-SM checks forgotten because the table was full.
        pending_evicted => "pending_sms_evicted",
        /// Reconnaissance verdicts raised.
        recon => "recon_verdicts",
        /// SRI-for-SM answers followed by their short message.
        sms_delivered => "sms_delivered",
        /// Impossible-travel verdicts raised.
        travel => "impossible_travel",
        /// Messages from a subscriber's previous network within the update timer, not taken as
        /// travel.
        stragglers => "stragglers",
        /// SRI-for-SM checks still open when the input ended (their window had not closed).
        undecided => "sms_undecided_at_end",
        /// Subscribers the home network's own traffic showed in another country than the
        /// one known (a short message, a location answer).
        proven_moves => "proven_moves",
    }
}

/// Where a subscriber was last proven to be, when, and by which message.
#[derive(Debug, Clone, Copy)]
struct Whereabouts {
    at: Location,
    seen_ns: u64,
    by: Evidence,
    previous: Option<Country>,
    moved_ns: u64,
}

/// A presence job's claim.
#[derive(Debug, Clone, Copy)]
struct Claim {
    event: Presence,
    at: Location,
    rule: Option<RuleIdx>,
    seen_ns: u64,
    by: Evidence,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    subject: Subject,
    gt: Option<Digits>,
    operator: Option<OperatorId>,
    country: Option<Country>,
    msisdn: Option<Identity>,
    imsi: Option<Identity>,
    deadline_ns: u64,
    seq: u64,
}

impl Pending {
    fn source(&self, e: &Engine) -> Source {
        match self.gt {
            Some(g) => e.attribute_gt(&g),
            None => Source {
                operator: self.operator,
                country: self.country,
                ..Source::UNKNOWN
            },
        }
    }

    fn same_network(&self, s: &Source) -> bool {
        match (self.operator, s.operator) {
            (Some(a), Some(b)) => a == b,
            _ => self.country.is_some() && self.country == s.country,
        }
    }
}

/// The state of the subscribers one shard owns.
#[derive(Debug)]
pub struct ShardState {
    whereabouts: BoundedMap<u64, Whereabouts>,
    pending: BoundedMap<u64, ArrayVec<Pending, 2>>,
    deadlines: std::collections::VecDeque<(u64, u64, u64)>,
    seq: u64,
    now_ns: u64,
    stats: ShardStats,
}

impl ShardState {
    /// An empty shard, one of `shards`, sizing its tables from the policy's limits.
    pub fn new(engine: &Engine, shards: usize) -> ShardState {
        let shards = shards.max(1);
        let l = engine.policy.limits;
        ShardState {
            whereabouts: BoundedMap::new(l.subscribers.div_ceil(shards)),
            pending: BoundedMap::new(l.pending_sms.div_ceil(shards)),
            deadlines: std::collections::VecDeque::new(),
            seq: 0,
            now_ns: 0,
            stats: ShardStats::default(),
        }
    }

    /// Where its subscribers were last shown to be, for a snapshot ([`crate::snapshot`]).
    pub fn export(&self, out: &mut Vec<crate::snapshot::Record>) {
        for (&key, w) in self.whereabouts.iter() {
            out.push(crate::snapshot::Record {
                key,
                at: w.at,
                seen_ns: w.seen_ns,
                by: w.by,
                previous: w.previous,
                moved_ns: w.moved_ns,
            });
        }
    }

    /// Take in a snapshot's record; a subscriber already known keeps what the shard knows.
    pub fn import(&mut self, r: &crate::snapshot::Record) {
        if self.whereabouts.contains_key(&r.key) {
            return;
        }
        self.whereabouts.insert(
            r.key,
            Whereabouts {
                at: r.at,
                seen_ns: r.seen_ns,
                by: r.by,
                previous: r.previous,
                moved_ns: r.moved_ns,
            },
        );
    }

    /// Counters so far (evictions included).
    pub fn stats(&self) -> ShardStats {
        let mut s = self.stats;
        s.subscribers_evicted = self.whereabouts.evictions();
        s.pending_evicted += self.pending.evictions();
        s
    }

    /// Apply one job; verdicts go to `emit`.
    pub fn apply(&mut self, e: &Engine, job: &Job, emit: &mut impl FnMut(Verdict)) {
        self.stats.jobs += 1;
        self.advance(e, job.at_ns, emit);
        match job.kind {
            JobKind::Presence {
                event,
                at,
                rule,
                seen_ns,
                by,
            } => {
                let claim = Claim {
                    event,
                    at,
                    rule,
                    seen_ns,
                    by,
                };
                self.presence(e, job, claim, emit);
            }
            JobKind::SmsAnswered => self.sms_answered(e, job),
            JobKind::SmsDelivered => self.sms_delivered(job),
        }
    }

    /// Let capture time reach `now_ns`: close the SMS follow-up windows that ended before.
    pub fn advance(&mut self, e: &Engine, now_ns: u64, emit: &mut impl FnMut(Verdict)) {
        self.now_ns = self.now_ns.max(now_ns);
        while let Some(&(deadline, key, seq)) = self.deadlines.front() {
            if deadline >= self.now_ns {
                break;
            }
            self.deadlines.pop_front();
            let Some(list) = self.pending.get_mut(&key) else {
                continue;
            };
            let Some(pos) = list.iter().position(|p| p.seq == seq) else {
                continue;
            };
            let p = list.remove(pos);
            if list.is_empty() {
                self.pending.remove(&key);
            }
            self.stats.recon += 1;
            emit(Verdict {
                subject: p.subject,
                rule: e.recon_rule(),
                source: p.source(e),
                target: Target {
                    imsi: p.imsi,
                    msisdn: p.msisdn,
                },
                detail: Detail::SmsRecon {
                    waited_s: e.policy.thresholds.sri_sm_followup_s,
                },
            });
        }
    }

    /// The input ended at `end_ns`: close the windows that ended by then, and count the rest
    /// as undecided (their short message could still come).
    pub fn finish(&mut self, e: &Engine, end_ns: u64, emit: &mut impl FnMut(Verdict)) {
        self.advance(e, end_ns, emit);
        self.stats.undecided += self
            .pending
            .iter()
            .map(|(_, l)| l.len() as u64)
            .sum::<u64>();
    }

    fn presence(&mut self, e: &Engine, job: &Job, claim: Claim, emit: &mut impl FnMut(Verdict)) {
        let Claim {
            event,
            at,
            rule,
            seen_ns: now,
            by,
        } = claim;
        let t = &e.policy.thresholds;
        let Some(w) = self.whereabouts.get_mut(&job.key) else {
            if event != Presence::Departure {
                self.whereabouts.insert(
                    job.key,
                    Whereabouts {
                        at,
                        seen_ns: now,
                        by,
                        previous: None,
                        moved_ns: now,
                    },
                );
            }
            return;
        };
        if event == Presence::Proven {
            // What the home network's own traffic shows is taken as it is, unless something
            // newer is already known (a location answer's age may reach far back).
            if now < w.seen_ns {
                return;
            }
            if at.country != w.at.country {
                self.stats.proven_moves += 1;
                w.previous = Some(w.at.country);
                w.moved_ns = now;
            }
            w.at = at;
            w.seen_ns = now;
            w.by = by;
            return;
        }
        if event == Presence::Departure {
            // A purge from where the subscriber was (or just was) is the old network letting
            // go; from anywhere else it is a network claiming a subscriber it never had.
            let known = at.country == w.at.country || w.previous == Some(at.country);
            if !known {
                if let Some(rule) = rule {
                    emit(Verdict {
                        subject: job.subject,
                        rule,
                        source: job.source,
                        target: job.target,
                        detail: Detail::NotThere {
                            current: w.at.country,
                        },
                    });
                }
            }
            return;
        }
        if at.country == w.at.country {
            w.at = at;
            w.seen_ns = now.max(w.seen_ns);
            w.by = by;
            return;
        }
        let timer = t.location_update_timer_s.saturating_mul(1_000_000_000);
        if event == Presence::Activity
            && w.previous == Some(at.country)
            && now.saturating_sub(w.moved_ns) <= timer
        {
            self.stats.stragglers += 1;
            return;
        }
        let km = (e.geo.distance_km(w.at.country, at.country).unwrap_or(0.0) - t.location_slack_km)
            .max(0.0);
        let hours = now.saturating_sub(w.seen_ns) as f64 / 3.6e12;
        let needed_hours = km / t.max_travel_kmh;
        if hours < needed_hours {
            self.stats.travel += 1;
            if let Some(rule) = rule {
                emit(Verdict {
                    subject: job.subject,
                    rule,
                    source: job.source,
                    target: job.target,
                    detail: Detail::Travel {
                        from: w.at.country,
                        to: at.country,
                        km,
                        hours,
                        seen_ns: w.seen_ns,
                        by: w.by,
                    },
                });
            }
            // An impossible claim does not move the subscriber.
            return;
        }
        w.previous = Some(w.at.country);
        w.at = at;
        w.seen_ns = now;
        w.by = by;
        w.moved_ns = now;
    }

    fn sms_answered(&mut self, e: &Engine, job: &Job) {
        let deadline = job.subject.ts_ns + e.policy.thresholds.sri_sm_followup_s * 1_000_000_000;
        self.seq += 1;
        let p = Pending {
            subject: job.subject,
            gt: job.source.gt,
            operator: job.source.operator,
            country: job.source.country,
            msisdn: job.target.msisdn,
            imsi: job.target.imsi,
            deadline_ns: deadline,
            seq: self.seq,
        };
        let (list, _) = self.pending.get_or_insert_with(job.key, ArrayVec::new);
        if list.is_full() {
            list.remove(0);
            self.stats.pending_evicted += 1;
        }
        list.push(p);
        self.deadlines.push_back((deadline, job.key, self.seq));
    }

    fn sms_delivered(&mut self, job: &Job) {
        let Some(list) = self.pending.get_mut(&job.key) else {
            return;
        };
        let before = list.len();
        list.retain(|p| !(p.same_network(&job.source) && job.at_ns <= p.deadline_ns));
        self.stats.sms_delivered += (before - list.len()) as u64;
        if list.is_empty() {
            self.pending.remove(&job.key);
        }
    }
}
