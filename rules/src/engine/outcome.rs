//! What classifying a message gives: a verdict, jobs for subscribers' shards, an observation
//! for the rate statistics.

use crate::geo::Country;
use crate::numbering::OperatorId;
use crate::policy::Proto;
use crate::verdict::{Evidence, RuleIdx, Source, Subject, Target, Verdict};

/// Where a subscriber is, as a message claims it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Country.
    pub(crate) country: Country,
    /// Operator of the serving network, when known.
    pub(crate) operator: Option<OperatorId>,
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
    /// The home network's own traffic proves the subscriber was there, at a time the job
    /// gives: a short message delivered by or sent from a home MSC, a location answer with
    /// its age. Never judged: it is what a receiver did, not what a sender claims.
    Proven,
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
        /// When the subscriber was there: the message's time, or earlier for an answer that
        /// gives the age of its location.
        seen_ns: u64,
        /// The message that says so.
        by: Evidence,
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
    pub(crate) subject: Subject,
    /// Who sent it.
    pub(crate) source: Source,
    /// About whom.
    pub(crate) target: Target,
    /// What to do.
    pub kind: JobKind,
}

impl Job {
    /// A job about nobody: what the unused places of [`Jobs`] hold.
    pub(crate) const NONE: Job = Job {
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
    pub(crate) const CAPACITY: usize = 2;

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Add a job, written field by field in the place it keeps (`*place = Job { .. }`
    /// builds it on the stack first and copies it over); nothing when full.
    #[inline]
    pub(crate) fn push(
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
        // Every field, by name: a field added to `Job` is a compile error here. One assignment
        // each (a tuple assignment builds the tuple first, a second copy of the source).
        let Job {
            key: k,
            at_ns: a,
            subject: su,
            source: so,
            target: t,
            kind: ki,
        } = place;
        *k = key;
        *a = at_ns;
        *su = subject;
        *so = *source;
        *t = target;
        *ki = kind;
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
    /// The evasion verdict of a message read from a conflicting copy (beside its own).
    pub evasion: Option<Verdict>,
    /// Jobs for subscribers' shards.
    pub jobs: Jobs,
    /// An observation for rate statistics.
    pub observation: Option<Observation>,
    /// The message (with its dialogue's request) names one subscriber both ways: (MSISDN,
    /// IMSI). The collector counts the two as one person.
    pub pair: Option<(decoder::Identity, decoder::Identity)>,
}

impl Outcome {
    pub(crate) fn clear(&mut self) {
        self.verdict = None;
        self.evasion = None;
        self.jobs.clear();
        self.observation = None;
        self.pair = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoder::Identity;

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
}
