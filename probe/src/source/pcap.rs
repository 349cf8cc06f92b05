//! Pcap and pcapng replay: one or several files merged in capture-time order, looped if asked,
//! as fast as the workers take frames (lossless: a full worker holds the source back) or paced
//! like tcpreplay (`--pps`, `--mbps`, `--speed`), in which case a worker that cannot keep up
//! loses frames, and each one is counted.
//!
//! Frames go to workers by flow ([`FlowMap`]: each flow, both directions, to the worker with
//! the fewest frames when it first appears), in batches that are recycled through a return
//! ring: the steady state allocates nothing. A classic pcap file's frames are not
//! copied: a batch points into the reader's buffers and holds them until the worker is done
//! with it (the reader recycles a buffer once no batch holds it). Pcapng frames, frames of
//! several files merged and frames read from a pipe are copied into the batch.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use decoder::capture::{CaptureReader, SharedBuffer};
use decoder::link::LinkType;
use decoder::stack::flow_hash;

use super::{FrameBatch, FrameInput, FrameRef, Polled};
use crate::decode::open_capture;

/// Frames per batch.
pub(crate) const BATCH_FRAMES: usize = 256;
/// Batches in flight per worker (the ring depth).
pub(crate) const BATCHES_PER_WORKER: usize = 16;

/// How fast to replay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pacing {
    /// As fast as the workers take frames; nothing is dropped.
    Lossless,
    /// This many frames per second.
    Pps(f64),
    /// This many megabits per second of frame bytes.
    Mbps(f64),
    /// The capture's own timing, this many times faster.
    Speed(f64),
}

/// What to replay.
#[derive(Debug, Clone)]
pub(crate) struct ReplayOptions {
    /// The files.
    pub(crate) files: Vec<PathBuf>,
    /// Pacing.
    pub(crate) pacing: Pacing,
    /// How many times to play them (1: once).
    pub(crate) loops: u32,
}

/// Counters shared with the progress display.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// Frames read.
    pub(crate) frames: AtomicU64,
    /// Frames dropped because a worker was busy (paced replay).
    pub(crate) dropped: AtomicU64,
    /// Bytes read.
    pub(crate) bytes: AtomicU64,
}

/// What the replay did.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReplayStats {
    /// Frames read (dropped ones included).
    pub(crate) frames: u64,
    /// Frames dropped because their worker was busy.
    pub(crate) dropped_worker_busy: u64,
    /// Records cut short at the end of a file (reported, not frames).
    pub(crate) truncated_records: u64,
    /// Files that stopped early on a corrupt block, with the reason.
    pub(crate) capture_errors: Vec<String>,
    /// First capture time.
    pub(crate) first_ts: u64,
    /// Last capture time (after loop shifts).
    pub(crate) last_ts: u64,
}

/// The worker's end of the replay: batches in, empty batches back.
pub(crate) struct RingInput {
    rx: rtrb::Consumer<FrameBatch>,
    back: rtrb::Producer<FrameBatch>,
    done: bool,
}

impl std::fmt::Debug for RingInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingInput")
            .field("queued", &self.rx.slots())
            .finish()
    }
}

impl FrameInput for RingInput {
    fn backlog(&self) -> Option<(usize, usize)> {
        Some((self.rx.slots(), BATCHES_PER_WORKER))
    }

    fn poll(&mut self, f: &mut dyn FnMut(FrameRef<'_>)) -> Polled {
        if self.done {
            return Polled {
                done: true,
                ..Polled::default()
            };
        }
        let Ok(mut b) = self.rx.pop() else {
            return Polled::default();
        };
        for fr in b.iter() {
            f(fr);
        }
        let p = Polled {
            frames: b.frames.len(),
            watermark: b.watermark,
            watermark_ts: b.watermark_ts,
            done: b.last,
        };
        self.done = b.last;
        b.clear();
        // The return ring has room for every batch of this worker.
        let _ = self.back.push(b);
        p
    }
}

/// The source's ends of the rings.
pub(crate) struct Feed {
    to: Vec<rtrb::Producer<FrameBatch>>,
    back: Vec<rtrb::Consumer<FrameBatch>>,
    spare: Vec<Vec<FrameBatch>>,
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("workers", &self.to.len())
            .finish()
    }
}

/// Rings for `workers` workers, with their batches allocated.
pub(crate) fn channels(workers: usize) -> (Feed, Vec<RingInput>) {
    let mut feed = Feed {
        to: Vec::new(),
        back: Vec::new(),
        spare: Vec::new(),
    };
    let mut inputs = Vec::new();
    for _ in 0..workers {
        let (tx, rx) = rtrb::RingBuffer::new(BATCHES_PER_WORKER);
        let (btx, brx) = rtrb::RingBuffer::new(BATCHES_PER_WORKER);
        feed.to.push(tx);
        feed.back.push(brx);
        feed.spare.push(
            (0..BATCHES_PER_WORKER)
                .map(|_| FrameBatch::with_capacity(BATCH_FRAMES, BATCH_FRAMES * 300))
                .collect(),
        );
        inputs.push(RingInput {
            rx,
            back: btx,
            done: false,
        });
    }
    (feed, inputs)
}

impl Feed {
    /// A free batch for worker `w`: waits for one in lossless mode.
    fn take(&mut self, w: usize, wait: bool) -> Option<FrameBatch> {
        let mut spins = 0u32;
        loop {
            if let Some(b) = self.spare[w].pop() {
                return Some(b);
            }
            if let Ok(b) = self.back[w].pop() {
                return Some(b);
            }
            if !wait {
                return None;
            }
            // The worker is behind and holds a ring's worth of batches (milliseconds of
            // work): sleeping leaves the core to it, where spinning or yielding would take
            // it away on a machine with fewer cores than threads.
            spins += 1;
            if spins < 32 {
                std::hint::spin_loop();
            } else {
                std::thread::sleep(Duration::from_micros(20));
            }
        }
    }

    fn send(&mut self, w: usize, b: FrameBatch) {
        // A worker holds at most BATCHES_PER_WORKER batches and the ring has as many slots.
        if let Err(rtrb::PushError::Full(b)) = self.to[w].push(b) {
            self.spare[w].push(b);
        }
    }
}

/// Which worker each flow goes to. A flow (both directions of an association or connection:
/// the symmetric [`flow_hash`]) goes to the worker that had taken the fewest frames when the
/// flow first appeared, and stays there, so its reassembly and duplicate tracking stay on
/// one worker. An interconnect carries few associations, tens rather than thousands, too few
/// for a hash alone to spread them evenly: siggen's 64 load associations hashed over two
/// workers split 40 / 24, and the busier worker set the pace. Frames that are not IP (hash 0)
/// go to worker 0, and once the table is three quarters full, new flows are placed by hash.
#[derive(Debug)]
pub(crate) struct FlowMap {
    /// Open addressing, linear probing; key 0 is an empty slot.
    keys: Vec<u64>,
    workers: Vec<u16>,
    used: usize,
    /// Frames given to each worker so far.
    frames: Vec<u64>,
}

impl FlowMap {
    /// Slots in the table (a power of two).
    pub(crate) const SLOTS: usize = 1 << 16;

    /// A map over `workers` workers.
    pub(crate) fn new(workers: usize) -> Self {
        FlowMap {
            keys: vec![0; Self::SLOTS],
            workers: vec![0; Self::SLOTS],
            used: 0,
            frames: vec![0; workers.max(1)],
        }
    }

    /// The worker for a frame of flow `hash`; counts the frame.
    #[inline]
    pub(crate) fn worker(&mut self, hash: u64) -> usize {
        let w = if hash == 0 { 0 } else { self.lookup(hash) };
        self.frames[w] += 1;
        w
    }

    fn lookup(&mut self, hash: u64) -> usize {
        let mask = Self::SLOTS - 1;
        let mut k = (hash >> 32) as usize & mask;
        loop {
            match self.keys[k] {
                key if key == hash => return usize::from(self.workers[k]),
                0 => break,
                _ => k = (k + 1) & mask,
            }
        }
        let n = self.frames.len();
        if self.used >= Self::SLOTS / 4 * 3 {
            return (hash % n as u64) as usize;
        }
        let w = (0..n).min_by_key(|&w| self.frames[w]).unwrap_or(0);
        self.keys[k] = hash;
        self.workers[k] = w as u16;
        self.used += 1;
        w
    }

    /// Frames given to each worker so far.
    #[cfg(test)]
    fn frames(&self) -> &[u64] {
        &self.frames
    }
}

/// One open file and its next record.
struct Reader {
    path: PathBuf,
    cap: CaptureReader<File>,
    /// The next record's time and link type, its bytes in `buf` (merging several files only).
    staged: Option<(u64, LinkType)>,
    buf: Vec<u8>,
    done: bool,
    /// Frames may stay in the reader's buffers: a regular file, whose reads fill a whole
    /// buffer. A pipe's reads return a few kilobytes each, and a buffer held by batches cannot
    /// take the next read, so each would start a buffer of its own: a pipe's frames are copied.
    placed: bool,
}

/// A frame's bytes as the reader gave them.
#[derive(Clone, Copy)]
enum Bytes<'a> {
    /// To be copied into the batch.
    Copy(&'a [u8]),
    /// Lying in a shared read buffer at this offset: the batch keeps the buffer.
    Placed(&'a [u8], &'a SharedBuffer, usize),
}

impl<'a> Bytes<'a> {
    fn data(self) -> &'a [u8] {
        match self {
            Bytes::Copy(d) | Bytes::Placed(d, ..) => d,
        }
    }
}

/// Replays the files into the feed; returns when they are played (or `stop` is set).
pub(crate) struct Replayer {
    opts: ReplayOptions,
    feed: Feed,
    flows: FlowMap,
    current: Vec<Option<FrameBatch>>,
    pending: usize,
    /// Per worker: its next frame starts a new pass over the files.
    restart: Vec<bool>,
    number: u64,
    last_ts: u64,
    stats: ReplayStats,
    progress: Arc<Progress>,
    started: Instant,
    sent_bytes: u64,
    first_ts: Option<u64>,
}

impl std::fmt::Debug for Replayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayer")
            .field("frames", &self.number)
            .finish()
    }
}

/// Open every file now, so that a bad file is reported before anything starts.
///
/// A pipe or a device (`tcpdump -w - | sigwatch replay /dev/stdin`) can be read only once, so
/// it is not opened here: its errors come when the replay reads it. It cannot be looped.
pub(crate) fn check_files(files: &[PathBuf], loops: u32) -> Result<()> {
    for p in files {
        if is_stream(p) {
            if loops > 1 {
                bail!(
                    "{}: --loop needs a capture file; a pipe can be read only once",
                    p.display()
                );
            }
            continue;
        }
        open_capture(p)?;
    }
    Ok(())
}

/// Whether `p` is a pipe, socket or device rather than a file.
pub(crate) fn is_stream(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(p).is_ok_and(|m| {
        let t = m.file_type();
        t.is_fifo() || t.is_char_device() || t.is_socket()
    })
}

impl Replayer {
    /// A replayer over `feed`.
    pub(crate) fn new(opts: ReplayOptions, feed: Feed, progress: Arc<Progress>) -> Self {
        let n = feed.to.len();
        Replayer {
            opts,
            flows: FlowMap::new(n),
            feed,
            current: (0..n).map(|_| None).collect(),
            pending: 0,
            restart: vec![false; n],
            number: 0,
            last_ts: 0,
            stats: ReplayStats::default(),
            progress,
            started: Instant::now(),
            sent_bytes: 0,
            first_ts: None,
        }
    }

    fn lossless(&self) -> bool {
        self.opts.pacing == Pacing::Lossless
    }

    /// Play everything, then tell every worker the input has ended.
    pub(crate) fn run(mut self, stop: &AtomicBool) -> Result<ReplayStats> {
        let mut shift = 0u64;
        self.started = Instant::now();
        'loops: for _ in 0..self.opts.loops.max(1) {
            let mut readers = Vec::new();
            for p in &self.opts.files {
                readers.push(Reader {
                    path: p.clone(),
                    cap: open_capture(p)?,
                    staged: None,
                    buf: Vec::new(),
                    done: false,
                    placed: !is_stream(p),
                });
            }
            let mut span = (u64::MAX, 0u64);
            loop {
                if stop.load(Ordering::Relaxed) {
                    break 'loops;
                }
                if readers.len() == 1 {
                    let r = &mut readers[0];
                    match r.cap.next_placed() {
                        Ok(Some((rec, place))) => {
                            span = (span.0.min(rec.ts_ns), span.1.max(rec.ts_ns));
                            let bytes = match place {
                                Some((buf, at)) if r.placed => Bytes::Placed(rec.data, buf, at),
                                _ => Bytes::Copy(rec.data),
                            };
                            self.frame(rec.ts_ns + shift, rec.linktype, bytes);
                        }
                        Ok(None) => {
                            finish(r, &mut self.stats, None);
                            break;
                        }
                        Err(e) => {
                            finish(r, &mut self.stats, Some(e.to_string()));
                            break;
                        }
                    }
                    continue;
                }
                // Several files: keep each one's next record, play the earliest.
                for r in readers.iter_mut().filter(|r| r.staged.is_none() && !r.done) {
                    match r.cap.next_record() {
                        Ok(Some(rec)) => {
                            r.buf.clear();
                            r.buf.extend_from_slice(rec.data);
                            r.staged = Some((rec.ts_ns, rec.linktype));
                        }
                        Ok(None) => finish(r, &mut self.stats, None),
                        Err(e) => finish(r, &mut self.stats, Some(e.to_string())),
                    }
                }
                let Some(k) = readers
                    .iter()
                    .enumerate()
                    .filter_map(|(k, r)| r.staged.map(|s| (s.0, k)))
                    .min()
                    .map(|m| m.1)
                else {
                    break;
                };
                let r = &mut readers[k];
                if let Some((ts, lt)) = r.staged.take() {
                    span = (span.0.min(ts), span.1.max(ts));
                    self.frame(ts + shift, lt, Bytes::Copy(&r.buf));
                }
            }
            // The next loop starts where this one ended, so windows keep moving; its
            // transport flows start over (same TSNs and sequence numbers again), so each
            // worker forgets its reassembly state before its first frame of the next loop.
            shift += span.1.saturating_sub(span.0) + 1_000;
            self.restart.iter_mut().for_each(|r| *r = true);
        }
        self.flush(true);
        Ok(self.stats)
    }

    /// Pace, then dispatch one frame.
    fn frame(&mut self, ts: u64, lt: LinkType, bytes: Bytes<'_>) {
        let first = *self.first_ts.get_or_insert(ts);
        let due = match self.opts.pacing {
            Pacing::Lossless => None,
            Pacing::Pps(pps) => Some(Duration::from_secs_f64(self.number as f64 / pps)),
            Pacing::Mbps(mbps) => Some(Duration::from_secs_f64(
                self.sent_bytes as f64 * 8.0 / (mbps * 1e6),
            )),
            Pacing::Speed(x) => Some(Duration::from_secs_f64(
                ts.saturating_sub(first) as f64 / 1e9 / x,
            )),
        };
        if let Some(due) = due {
            let now = self.started.elapsed();
            // Frames due within 200 µs go out together; before a longer wait, what is
            // ready is handed over. (Handing over every frame alone gave each worker a
            // batch per frame: a ring's worth of frames was all the slack it had.)
            if due > now + Duration::from_micros(200) {
                self.flush(false);
                std::thread::sleep(due - now);
            }
        }
        self.sent_bytes += bytes.data().len() as u64;
        self.dispatch(ts, lt, bytes);
    }

    fn dispatch(&mut self, ts: u64, lt: LinkType, bytes: Bytes<'_>) {
        self.number += 1;
        self.stats.frames += 1;
        if self.stats.first_ts == 0 {
            self.stats.first_ts = ts;
        }
        self.last_ts = self.last_ts.max(ts);
        self.stats.last_ts = self.last_ts;
        let n = self.current.len();
        let w = if n == 1 {
            0
        } else {
            self.flows.worker(flow_hash(lt, bytes.data()))
        };
        if self.current[w].is_none() {
            self.current[w] = self.feed.take(w, self.lossless());
        }
        let Some(b) = self.current[w].as_mut() else {
            self.stats.dropped_worker_busy += 1;
            self.progress.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let restart = std::mem::take(&mut self.restart[w]);
        match bytes {
            Bytes::Copy(data) => b.push(self.number, ts, lt, data, restart),
            Bytes::Placed(data, buf, at) => {
                b.push_placed(self.number, ts, lt, buf, at, data.len(), restart)
            }
        }
        self.pending += 1;
        if b.frames.len() >= BATCH_FRAMES || self.pending >= BATCH_FRAMES * n {
            self.flush(false);
        }
    }

    /// Send every worker its batch with the watermark; `last`: the final one.
    fn flush(&mut self, last: bool) {
        // The progress display hears of frames a batch at a time (this thread is the only
        // writer; an atomic add per frame cost more than the display is worth).
        self.progress
            .frames
            .store(self.stats.frames, Ordering::Relaxed);
        self.progress
            .bytes
            .store(self.sent_bytes, Ordering::Relaxed);
        if self.pending == 0 && !last {
            return;
        }
        let lossless = self.lossless();
        for w in 0..self.current.len() {
            let b = match self.current[w].take() {
                Some(b) => Some(b),
                // Every worker hears of the watermark, busy or not, when it is the last one;
                // an empty batch is cheap.
                None => self.feed.take(w, lossless || last),
            };
            if let Some(mut b) = b {
                b.watermark = if last { u64::MAX } else { self.number };
                b.watermark_ts = self.last_ts;
                b.last = last;
                self.feed.send(w, b);
            }
        }
        self.pending = 0;
    }
}

fn finish(r: &mut Reader, stats: &mut ReplayStats, error: Option<String>) {
    r.done = true;
    if r.cap.truncated_tail() {
        stats.truncated_records += 1;
        eprintln!(
            "sigwatch: {}: the last record is cut short (file ends inside it)",
            r.path.display()
        );
    }
    if let Some(e) = error {
        eprintln!(
            "sigwatch: {}: {e}; the rest of this file is skipped",
            r.path.display()
        );
        stats
            .capture_errors
            .push(format!("{}: {e}", r.path.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flow hashes as `flow_hash` makes them: well mixed.
    fn hash(k: u64) -> u64 {
        decoder::hash::mix64(k + 1) | 1
    }

    #[test]
    fn flows_stay_on_their_worker_and_spread_evenly() {
        let mut m = FlowMap::new(2);
        let first: Vec<usize> = (0..64).map(|k| m.worker(hash(k))).collect();
        for round in 0..100 {
            for k in 0..64 {
                assert_eq!(
                    m.worker(hash(k)),
                    first[k as usize],
                    "flow {k}, round {round}"
                );
            }
        }
        assert_eq!(m.frames(), &[3232, 3232]);
        // Non-IP frames (hash 0) all go to worker 0.
        assert_eq!(m.worker(0), 0);
    }

    #[test]
    fn a_new_flow_goes_to_the_least_loaded_worker() {
        let mut m = FlowMap::new(3);
        let a = m.worker(hash(1));
        for _ in 0..10 {
            m.worker(hash(1));
        }
        let b = m.worker(hash(2));
        let c = m.worker(hash(3));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(b, c);
        // Worker b and c have one frame each, a eleven: the next new flow goes to b or c.
        assert_ne!(m.worker(hash(4)), a);
    }

    #[test]
    fn a_full_table_places_new_flows_by_hash() {
        let mut m = FlowMap::new(2);
        let limit = FlowMap::SLOTS / 4 * 3;
        for k in 0..limit as u64 {
            m.worker(hash(k));
        }
        for k in limit as u64..limit as u64 + 1000 {
            let h = hash(k);
            assert_eq!(m.worker(h), (h % 2) as usize);
        }
        // Flows placed before it filled keep their worker.
        let again = FlowMap::new(2).worker(hash(0));
        assert_eq!(m.worker(hash(0)), again);
    }
}
