//! Workers: each polls its input for frames, decodes them, judges each message, routes every
//! job to the shard that owns its subscriber, runs its own shard, and sends verdicts to the
//! collector in batches.
//!
//! ## Shards and determinism
//! Worker `i` owns shard `i`. Jobs travel worker → shard over SPSC rings (one per pair), each
//! stamped with the order key of the frame that made it, and every input batch ends with a
//! watermark on every ring. A shard merges its rings by order key and takes a job only when
//! every other ring has shown it nothing earlier can come, so it applies jobs in capture order
//! whatever the number of workers: one worker or sixteen give the same verdicts.
//!
//! A worker never blocks on a shard ring: when one is full, jobs wait in a local queue. So no
//! cycle of full rings can stall the workers; the source is held back instead (lossless
//! replay) or drops frames it counts (live capture, paced replay).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use decoder::stack::{FrameContext, FrameDecoder, Message};
use rules::engine::{Classifier, Engine, Job, Outcome};
use rules::state::ShardState;
use rules::verdict::Verdict;

use crate::collector::rates::{Pairing, Rates};
use crate::source::{FrameInput, FrameRef};
use crate::stats::WorkerCounters;

/// Order keys at or above this mean "the input has ended".
pub(crate) const END: u64 = u64::MAX;

/// What travels on a shard ring (by value: a job is a few hundred bytes, and boxing it would
/// allocate per message).
#[derive(Debug, Clone, Copy)]
#[allow(clippy::large_enum_variant)]
pub enum ShardItem {
    /// A job, made by the frame numbered `order`.
    Job(Job),
    /// Every frame up to `order` has been processed by the sending worker.
    Watermark {
        /// Capture time of that frame.
        ts: u64,
    },
}

/// An item and its order key.
#[derive(Debug, Clone, Copy)]
pub struct ShardMsg {
    /// Frame number (replay) or capture time (live) of the frame that made it.
    pub(crate) order: u64,
    /// The item.
    pub(crate) item: ShardItem,
}

/// Slots of each shard ring.
pub(crate) const SHARD_RING: usize = 1024;

/// A worker's periodic (and final) report to the collector.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Counters so far.
    pub(crate) counters: WorkerCounters,
    /// Per-source rates so far.
    pub(crate) rates: Rates,
    /// Batch processing latency, microseconds.
    pub(crate) latency: hdrhistogram::Histogram<u64>,
    /// The worker's input queue: (entries, capacity), where the source has one.
    pub(crate) input_backlog: Option<(usize, usize)>,
    /// The fullest of the shard rings into this worker: (jobs, capacity).
    pub(crate) shard_backlog: (usize, usize),
}

/// What workers send the collector.
#[derive(Debug)]
pub enum ToCollector {
    /// Verdicts (the vector goes back through the spare channel).
    Verdicts(Vec<Verdict>),
    /// A worker's counters.
    Snapshot(usize, Box<Snapshot>),
    /// MSISDN–IMSI pairs the worker's traffic gave (each sent once while it stays in the
    /// worker's small cache of pairs sent).
    Pairs(Vec<(decoder::Identity, decoder::Identity, u64)>),
    /// Worker `0` has sent every verdict about messages before capture time `1`, except the
    /// ones rules defer (see `collector::reorder`).
    Mark(usize, u64),
    /// What worker `0`'s shard knows of where its subscribers are (`--state-dir`).
    State(usize, Vec<rules::snapshot::Record>),
    /// A worker has finished; its final snapshot precedes this.
    Done(usize),
}

/// Each worker's rings to every shard.
pub type Outgoing = Vec<Vec<rtrb::Producer<ShardMsg>>>;
/// Each shard's rings from every worker.
pub type Incoming = Vec<Vec<rtrb::Consumer<ShardMsg>>>;

/// The rings between workers: `to[i][j]` from worker `i` to shard `j`, `from[j][i]` its other end.
pub fn shard_rings(n: usize) -> (Outgoing, Incoming) {
    let mut to: Vec<Vec<rtrb::Producer<ShardMsg>>> = (0..n).map(|_| Vec::new()).collect();
    let mut from: Vec<Vec<Option<rtrb::Consumer<ShardMsg>>>> =
        (0..n).map(|_| (0..n).map(|_| None).collect()).collect();
    for (i, row) in to.iter_mut().enumerate() {
        for (j, col) in from.iter_mut().enumerate() {
            let (tx, rx) = rtrb::RingBuffer::new(SHARD_RING);
            row.push(tx);
            col[i] = Some(rx);
            let _ = j;
        }
    }
    let from = from
        .into_iter()
        .map(|v| v.into_iter().flatten().collect())
        .collect();
    (to, from)
}

/// The shard that owns a subscriber key.
pub(crate) fn shard_of(key: u64, shards: usize) -> usize {
    decoder::hash::bucket(key, shards)
}

/// Everything of a worker but its input.
pub struct Core<'e> {
    id: usize,
    engine: &'e Engine,
    decoder: FrameDecoder,
    classifier: Classifier<'e>,
    shard: ShardState,
    outcome: Outcome,
    to: Vec<rtrb::Producer<ShardMsg>>,
    overflow: Vec<VecDeque<ShardMsg>>,
    from: Vec<rtrb::Consumer<ShardMsg>>,
    marks: Vec<u64>,
    end_ts: u64,
    /// Capture time of the latest watermark the shard applied, and the last one sent.
    mark_ts: u64,
    sent_mark: u64,
    /// Pairs to send, and the ones sent lately (a direct-mapped cache of their digests).
    pairs: Vec<(decoder::Identity, decoder::Identity, u64)>,
    pairs_sent: Box<[u64; PAIR_CACHE]>,
    collector: Sender<ToCollector>,
    spare: Receiver<Vec<Verdict>>,
    verdicts: Vec<Verdict>,
    counters: WorkerCounters,
    rates: Rates,
    pairing: Pairing,
    latency: hdrhistogram::Histogram<u64>,
    last_snapshot: Instant,
    input_backlog: Option<(usize, usize)>,
    /// With `--state-dir`: how often to send the shard's state, and when it was last sent.
    state_every: Option<Duration>,
    last_state: Instant,
}

impl std::fmt::Debug for Core<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("id", &self.id)
            .field("counters", &self.counters)
            .finish()
    }
}

/// How the worker is wired.
#[derive(Debug)]
pub struct Wiring {
    /// Its rings to every shard.
    pub to: Vec<rtrb::Producer<ShardMsg>>,
    /// Its shard's rings from every worker.
    pub from: Vec<rtrb::Consumer<ShardMsg>>,
    /// Verdicts and snapshots go here.
    pub collector: Sender<ToCollector>,
    /// Emptied verdict vectors come back here.
    pub spare: Receiver<Vec<Verdict>>,
}

const VERDICT_BATCH: usize = 256;
/// Slots of the cache of pairs sent.
const PAIR_CACHE: usize = 4096;
/// Pairs and waiting requests the rate counts keep (per worker).
const PAIRING_CAPACITY: usize = 65_536;
const SNAPSHOT_EVERY: Duration = Duration::from_millis(500);

impl<'e> Core<'e> {
    /// A worker's core: decoder, classifier and shard.
    pub fn new(
        id: usize,
        engine: &'e Engine,
        decoder: &decoder::stack::DecoderConfig,
        wiring: Wiring,
    ) -> Self {
        let n = wiring.to.len();
        Core {
            id,
            engine,
            decoder: FrameDecoder::new(decoder),
            classifier: Classifier::new(engine),
            shard: ShardState::new(engine, n),
            outcome: Outcome::default(),
            to: wiring.to,
            overflow: (0..n).map(|_| VecDeque::new()).collect(),
            from: wiring.from,
            marks: vec![0; n],
            end_ts: 0,
            mark_ts: 0,
            sent_mark: 0,
            pairs: Vec::new(),
            pairs_sent: Box::new([0; PAIR_CACHE]),
            collector: wiring.collector,
            spare: wiring.spare,
            verdicts: Vec::with_capacity(VERDICT_BATCH),
            counters: WorkerCounters::default(),
            rates: Rates::default(),
            pairing: Pairing::new(PAIRING_CAPACITY, engine.policy.thresholds.campaign_window_s),
            latency: hdrhistogram::Histogram::new_with_bounds(1, 60_000_000, 2)
                .unwrap_or_else(|_| histogram_fallback()),
            last_snapshot: Instant::now(),
            input_backlog: None,
            state_every: None,
            last_state: Instant::now(),
        }
    }

    /// Keep the shard's state across restarts: take in `records` (a snapshot's share of this
    /// shard), and send the state every `state_snapshot_s` and at the end.
    pub(crate) fn keep_state(&mut self, records: Vec<rules::snapshot::Record>) {
        for r in &records {
            self.shard.import(r);
        }
        let every = self.engine.policy.thresholds.state_snapshot_s;
        self.state_every = Some(Duration::from_secs(every.max(1)));
    }

    fn send_state(&mut self) {
        let mut records = Vec::new();
        self.shard.export(&mut records);
        let _ = self.collector.send(ToCollector::State(self.id, records));
        self.last_state = Instant::now();
    }

    /// Decode and judge one frame.
    pub(crate) fn frame(&mut self, f: FrameRef<'_>) {
        if f.restart {
            self.decoder.forget_flows();
        }
        let ctx = FrameContext {
            number: f.number,
            ts_ns: f.ts_ns,
        };
        let Core {
            decoder,
            classifier,
            outcome,
            verdicts,
            rates,
            pairing,
            to,
            overflow,
            counters,
            pairs,
            pairs_sent,
            ..
        } = self;
        pairing.release(rates, f.ts_ns);
        let n = to.len();
        let result = decoder.decode(ctx, f.linktype, f.data, &mut |m: &Message<'_>| {
            classifier.classify(ctx, m, outcome);
            for v in [outcome.verdict, outcome.evasion].into_iter().flatten() {
                verdicts.push(v);
                counters.verdicts += 1;
            }
            if let Some((msisdn, imsi)) = outcome.pair {
                let both = rules::verdict::Target {
                    imsi: Some(imsi),
                    msisdn: Some(msisdn),
                };
                if let (Some(m), Some(i)) = (both.msisdn_key(), both.imsi_key()) {
                    pair(
                        pairs,
                        pairs_sent,
                        (msisdn, imsi, f.ts_ns),
                        m ^ i.rotate_left(29),
                    );
                    pairing.learn(m, i);
                }
            }
            if let Some(o) = &outcome.observation {
                pairing.observe(rates, o, f.ts_ns);
            }
            for job in &outcome.jobs {
                counters.jobs += 1;
                let s = shard_of(job.key, n);
                let msg = || ShardMsg {
                    order: f.order,
                    item: ShardItem::Job(*job),
                };
                push(
                    &mut to[s],
                    &mut overflow[s],
                    msg,
                    &mut counters.ring_overflow,
                );
            }
        });
        counters.frame(result.class, result.messages, f.data.len());
    }

    /// Tell every shard that frames up to `order` are done.
    pub(crate) fn watermark(&mut self, order: u64, ts: u64) {
        self.end_ts = self.end_ts.max(ts);
        for s in 0..self.to.len() {
            let msg = || ShardMsg {
                order,
                item: ShardItem::Watermark { ts },
            };
            push(
                &mut self.to[s],
                &mut self.overflow[s],
                msg,
                &mut self.counters.ring_overflow,
            );
        }
    }

    /// Move queued jobs into rings that have room again.
    fn drain_overflow(&mut self) -> bool {
        let mut moved = false;
        for (ring, q) in self.to.iter_mut().zip(self.overflow.iter_mut()) {
            while let Some(m) = q.front() {
                if ring.push(*m).is_err() {
                    break;
                }
                q.pop_front();
                moved = true;
            }
        }
        moved
    }

    /// Apply, in order, every job that is safe to apply now.
    fn run_shard(&mut self) -> bool {
        let mut did = false;
        loop {
            // The earliest head over all rings: by order, jobs before watermarks, then ring.
            let key = |m: &ShardMsg, i: usize| {
                let mark = u8::from(matches!(m.item, ShardItem::Watermark { .. }));
                (m.order, mark, i)
            };
            let mut best: Option<(u64, u8, usize)> = None;
            for (i, r) in self.from.iter().enumerate() {
                if let Ok(m) = r.peek() {
                    let k = key(m, i);
                    if best.is_none_or(|b| k < b) {
                        best = Some(k);
                    }
                }
            }
            let Some(best) = best else {
                break;
            };
            let (order, _, i) = best;
            // Safe when no other ring can still deliver something earlier: its head comes
            // later, or it is empty and its worker has passed `order`. A ring seen empty above
            // may have filled since, so its head is looked at again, not just its emptiness.
            let safe = self.from.iter().enumerate().all(|(j, r)| match r.peek() {
                _ if j == i => true,
                Ok(m) => key(m, j) > best,
                Err(_) => self.marks[j] >= order,
            });
            if !safe {
                break;
            }
            // Read in place, released after: a job is not copied out of the ring.
            let Ok(head) = self.from[i].read_chunk(1) else {
                break;
            };
            did = true;
            let Core {
                engine,
                shard,
                verdicts,
                counters,
                marks,
                mark_ts,
                ..
            } = self;
            let mut emit = |v: Verdict| {
                verdicts.push(v);
                counters.verdicts += 1;
            };
            let m = &head.as_slices().0[0];
            match &m.item {
                ShardItem::Job(job) => shard.apply(engine, job, &mut emit),
                &ShardItem::Watermark { ts } => {
                    marks[i] = m.order;
                    if m.order != END {
                        shard.advance(engine, ts, &mut emit);
                        *mark_ts = (*mark_ts).max(ts);
                    }
                }
            }
            head.commit_all();
        }
        did
    }

    fn all_ended(&self) -> bool {
        self.marks.iter().all(|&m| m == END) && self.from.iter().all(|r| r.is_empty())
    }

    /// Send the verdicts and pairs gathered so far, then how far the shard has come.
    fn flush(&mut self) {
        if !self.pairs.is_empty() {
            let pairs = std::mem::take(&mut self.pairs);
            let _ = self.collector.send(ToCollector::Pairs(pairs));
        }
        self.send_verdicts();
        if self.mark_ts > self.sent_mark {
            self.sent_mark = self.mark_ts;
            let _ = self
                .collector
                .send(ToCollector::Mark(self.id, self.mark_ts));
        }
    }

    fn send_verdicts(&mut self) {
        if self.verdicts.is_empty() {
            return;
        }
        // A spent batch back from the collector, else a new one of full size (one allocation
        // a batch, not a regrowth every few verdicts).
        let mut next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(VERDICT_BATCH));
        next.clear();
        let full = std::mem::replace(&mut self.verdicts, next);
        let _ = self.collector.send(ToCollector::Verdicts(full));
    }

    fn snapshot(&mut self) {
        self.counters.decoder = self.decoder.stats();
        self.counters.classify = self.classifier.stats();
        self.counters.shard = self.shard.stats();
        self.counters.rates_counted_early = self.pairing.early;
        let s = Snapshot {
            counters: self.counters.clone(),
            rates: self.rates.clone(),
            latency: self.latency.clone(),
            input_backlog: self.input_backlog,
            shard_backlog: (
                self.from
                    .iter()
                    .map(rtrb::Consumer::slots)
                    .max()
                    .unwrap_or(0),
                SHARD_RING,
            ),
        };
        let _ = self
            .collector
            .send(ToCollector::Snapshot(self.id, Box::new(s)));
        self.last_snapshot = Instant::now();
    }

    /// Run until the input ends and every shard ring is drained.
    pub fn run(mut self, input: &mut dyn FrameInput) {
        let mut input_done = false;
        let mut idle = 0u32;
        loop {
            let mut progress = false;
            if !input_done {
                let started = Instant::now();
                let polled = input.poll(&mut |f| self.frame(f));
                if polled.frames > 0 {
                    self.counters.batches += 1;
                    let us = started.elapsed().as_micros().max(1) as u64;
                    let _ = self.latency.record(us.min(60_000_000));
                    progress = true;
                }
                if polled.watermark > 0 || polled.done {
                    let order = if polled.done { END } else { polled.watermark };
                    self.watermark(order, polled.watermark_ts);
                    progress = true;
                }
                input_done = polled.done;
            }
            progress |= self.drain_overflow();
            progress |= self.run_shard();
            let waiting = !self.verdicts.is_empty()
                || !self.pairs.is_empty()
                || self.mark_ts > self.sent_mark;
            if self.verdicts.len() >= VERDICT_BATCH
                || self.pairs.len() >= VERDICT_BATCH
                || (!progress && waiting)
            {
                self.flush();
            }
            if self
                .state_every
                .is_some_and(|every| self.last_state.elapsed() >= every)
            {
                self.send_state();
            }
            if self.last_snapshot.elapsed() >= SNAPSHOT_EVERY {
                self.flush();
                self.input_backlog = input.backlog();
                self.snapshot();
            }
            if input_done && self.overflow.iter().all(VecDeque::is_empty) && self.all_ended() {
                break;
            }
            if progress {
                idle = 0;
            } else {
                idle += 1;
                if idle < 64 {
                    std::hint::spin_loop();
                } else if idle < 1024 {
                    std::thread::yield_now();
                } else {
                    std::thread::sleep(Duration::from_micros(100));
                }
            }
        }
        self.pairing.finish(&mut self.rates);
        let Core {
            engine,
            shard,
            verdicts,
            counters,
            end_ts,
            ..
        } = &mut self;
        shard.finish(engine, *end_ts, &mut |v| {
            verdicts.push(v);
            counters.verdicts += 1;
        });
        self.flush();
        self.snapshot();
        if self.state_every.is_some() {
            self.send_state();
        }
        let _ = self.collector.send(ToCollector::Done(self.id));
    }
}

/// Queue a pair for the collector unless it was sent lately (`keys`: its two keys, folded).
#[inline]
fn pair(
    pairs: &mut Vec<(decoder::Identity, decoder::Identity, u64)>,
    sent: &mut [u64; PAIR_CACHE],
    p: (decoder::Identity, decoder::Identity, u64),
    keys: u64,
) {
    let digest = decoder::hash::mix64(keys) | 1;
    let slot = &mut sent[(digest as usize) & (PAIR_CACHE - 1)];
    if *slot != digest {
        *slot = digest;
        pairs.push(p);
    }
}

/// Queue a message for a shard, made where it goes: straight into the ring's slot when the
/// ring has room and nothing waits before it (a job is some 300 bytes; each copy of it costs
/// more than the rest of the handover), else at the back of the overflow queue, counted.
#[inline]
fn push(
    ring: &mut rtrb::Producer<ShardMsg>,
    overflow: &mut VecDeque<ShardMsg>,
    msg: impl FnOnce() -> ShardMsg,
    count: &mut u64,
) {
    if overflow.is_empty() {
        if let Ok(slot) = ring.write_chunk_uninit(1) {
            slot.fill_from_iter(core::iter::once_with(msg));
            return;
        }
    }
    overflow.push_back(msg());
    *count += 1;
}

#[cold]
#[allow(clippy::expect_used)]
fn histogram_fallback() -> hdrhistogram::Histogram<u64> {
    hdrhistogram::Histogram::new(2).expect("a histogram with 2 significant digits")
}
