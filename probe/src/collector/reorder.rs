//! The collector's reorder buffer: alerts reach it in the order workers send them, not in
//! capture order, and campaigns need capture order per target. Alerts are held here and let go
//! in capture-time order once every worker has passed that time.
//!
//! A worker's *mark* is the capture time of the latest watermark its shard applied: every
//! verdict it sends later is about a message at or after it, except the verdicts a rule
//! defers (an SRI-for-SM with no short message after it is judged `sri_sm_followup_s` later,
//! a dialogue's answer up to `dialogue_timeout_s` later). So alerts up to the smallest mark,
//! less that slack, are final. A finished worker's mark is infinite. Without workers
//! (`sigwatch correlate`) nothing is let go before [`Reorder::drain`].
//!
//! MSISDN–IMSI pairs go through the same buffer, at their capture time, so that whether an
//! alert counts under a pair depends on capture time alone, not on which worker's message
//! reached the collector first. An alert that names only an MSISDN is held for a further
//! pairing delay (an answer that gives its IMSI may follow it): its *due* time is later than
//! its capture time. Everything is let go by due time.
//!
//! Bounded: past [`Reorder::new`]'s capacity the earliest alert is let go at once, counted.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use decoder::Identity;
use rules::geo::Country;
use rules::numbering::OperatorId;
use rules::verdict::Target;

/// What is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// An alert: what the campaign and per-source counts need.
    Alert {
        target: Target,
        country: Option<Country>,
        operator: Option<OperatorId>,
    },
    /// The traffic paired an MSISDN (first) with an IMSI.
    Pair(Identity, Identity),
}

/// An item held for ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Held {
    /// When to let it go (capture time, ns).
    due: u64,
    /// Capture time, ns.
    pub(crate) ts: u64,
    /// Arrival number (ties keep arrival order).
    seq: u64,
    pub(crate) item: Item,
}

impl Ord for Held {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.ts, self.seq).cmp(&(other.due, other.ts, other.seq))
    }
}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Alerts waiting for every worker to pass their time.
#[derive(Debug)]
pub(crate) struct Reorder {
    heap: BinaryHeap<Reverse<Held>>,
    seq: u64,
    capacity: usize,
    slack_ns: u64,
    marks: Vec<u64>,
    /// Alerts let go early because the buffer was full.
    pub(crate) forced: u64,
    /// The latest time let go so far.
    pub(crate) released_to: u64,
}

impl Reorder {
    /// A buffer for `workers` workers, holding at most `capacity` alerts, with `slack_s` for
    /// deferred verdicts.
    pub(crate) fn new(workers: usize, capacity: usize, slack_s: u64) -> Self {
        Reorder {
            heap: BinaryHeap::new(),
            seq: 0,
            capacity: capacity.max(1),
            slack_ns: slack_s.saturating_mul(1_000_000_000),
            marks: vec![0; workers],
            forced: 0,
            released_to: 0,
        }
    }

    /// Hold an item of capture time `ts` until `due`; with the buffer full, the earliest one
    /// comes back to be let go now.
    pub(crate) fn push(&mut self, due: u64, ts: u64, item: Item) -> Option<Held> {
        self.seq += 1;
        self.heap.push(Reverse(Held {
            due: due.max(ts),
            ts,
            seq: self.seq,
            item,
        }));
        if self.heap.len() > self.capacity {
            self.forced += 1;
            return self.pop();
        }
        None
    }

    /// Worker `w` has passed capture time `ts` (`u64::MAX`: it has finished).
    pub(crate) fn mark(&mut self, w: usize, ts: u64) {
        if let Some(m) = self.marks.get_mut(w) {
            *m = (*m).max(ts);
        }
    }

    /// The next alert that is final, if any.
    pub(crate) fn next(&mut self) -> Option<Held> {
        if self.marks.is_empty() {
            return None;
        }
        let upto = self
            .marks
            .iter()
            .copied()
            .min()
            .unwrap_or(0)
            .saturating_sub(self.slack_ns);
        let Reverse(first) = self.heap.peek()?;
        let done = self.marks.iter().all(|&m| m == u64::MAX);
        if first.due <= upto || done {
            return self.pop();
        }
        None
    }

    /// The next alert, final or not (at the end of input).
    pub(crate) fn drain(&mut self) -> Option<Held> {
        self.pop()
    }

    fn pop(&mut self) -> Option<Held> {
        let Reverse(h) = self.heap.pop()?;
        self.released_to = self.released_to.max(h.due);
        Some(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    fn alert() -> Item {
        Item::Alert {
            target: Target::default(),
            country: None,
            operator: None,
        }
    }

    #[test]
    fn an_msisdn_alone_waits_for_its_pairing_delay() {
        let mut r = Reorder::new(1, 100, 0);
        r.push(30 * S, 10 * S, alert());
        r.push(20 * S, 20 * S, alert());
        r.mark(0, 25 * S);
        assert_eq!(r.next().map(|h| h.ts), Some(20 * S));
        assert_eq!(r.next(), None, "the first is due at 30 s");
        r.mark(0, 30 * S);
        assert_eq!(r.next().map(|h| h.ts), Some(10 * S));
    }

    #[test]
    fn lets_go_in_time_order_once_every_worker_passed() {
        let mut r = Reorder::new(2, 100, 10);
        for ts in [50, 20, 40, 10] {
            assert!(r.push(ts * S, ts * S, alert()).is_none());
        }
        assert_eq!(r.next(), None, "no worker has a mark yet");
        r.mark(0, 100 * S);
        assert_eq!(r.next(), None, "worker 1 has not passed anything");
        r.mark(1, 45 * S);
        // Final up to 45 - 10 = 35 s.
        let got: Vec<u64> = std::iter::from_fn(|| r.next()).map(|h| h.ts / S).collect();
        assert_eq!(got, vec![10, 20]);
        r.mark(1, u64::MAX);
        r.mark(0, u64::MAX);
        let got: Vec<u64> = std::iter::from_fn(|| r.next()).map(|h| h.ts / S).collect();
        assert_eq!(got, vec![40, 50]);
    }

    #[test]
    fn a_full_buffer_lets_the_earliest_go_and_counts_it() {
        let mut r = Reorder::new(0, 2, 0);
        assert!(r.push(3, 3, alert()).is_none());
        assert!(r.push(1, 1, alert()).is_none());
        assert_eq!(r.push(2, 2, alert()).map(|h| h.ts), Some(1));
        assert_eq!(r.forced, 1);
        assert_eq!(r.next(), None, "without workers only drain lets go");
        assert_eq!(r.drain().map(|h| h.ts), Some(2));
    }
}
