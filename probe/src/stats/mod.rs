//! Counters. Workers keep plain local counters (no atomics, no sharing on the hot path); the
//! collector adds them up. Each counter is named once, here, for the report, the summary and
//! the metrics endpoint.

use decoder::error::Layer;
use decoder::stack::{DecoderStats, FrameClass, OtherReason};
use rules::engine::ClassifyStats;
use rules::state::ShardStats;

/// One worker's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WorkerCounters {
    /// Frames decoded.
    pub(crate) frames: u64,
    /// Bytes of those frames.
    pub(crate) bytes: u64,
    /// Frames that carried signalling.
    pub(crate) signaling_frames: u64,
    /// Frames malformed, by layer ([`Layer::index`]).
    pub(crate) malformed_by_layer: [u64; Layer::ALL.len()],
    /// Frames without signalling, by reason ([`OtherReason::index`]).
    pub(crate) other_by_reason: [u64; OtherReason::ALL.len()],
    /// Messages decoded.
    pub(crate) messages: u64,
    /// Verdicts raised on this worker (stateless and its shard's).
    pub(crate) verdicts: u64,
    /// Jobs sent to shards.
    pub(crate) jobs: u64,
    /// Jobs that waited in the overflow queue because a shard ring was full.
    pub(crate) ring_overflow: u64,
    /// Requests by MSISDN whose target was counted before its pairing wait was over.
    pub(crate) rates_counted_early: u64,
    /// Batches processed.
    pub(crate) batches: u64,
    /// Reassembly counters (latest snapshot).
    pub(crate) decoder: DecoderStats,
    /// Classification counters (latest snapshot).
    pub(crate) classify: ClassifyStats,
    /// Shard counters (latest snapshot).
    pub(crate) shard: ShardStats,
}

impl WorkerCounters {
    /// Count one decoded frame.
    pub(crate) fn frame(&mut self, class: FrameClass, messages: u32, bytes: usize) {
        self.frames += 1;
        self.bytes += bytes as u64;
        self.messages += u64::from(messages);
        match class {
            FrameClass::Signaling => self.signaling_frames += 1,
            FrameClass::Malformed(e) => self.malformed_by_layer[e.layer.index()] += 1,
            FrameClass::Other(r) => self.other_by_reason[r.index()] += 1,
        }
    }

    /// Malformed frames, all layers.
    pub(crate) fn malformed(&self) -> u64 {
        self.malformed_by_layer.iter().sum()
    }

    /// Other frames, all reasons.
    pub(crate) fn other(&self) -> u64 {
        self.other_by_reason.iter().sum()
    }

    /// Add another worker's counts.
    pub(crate) fn add(&mut self, o: &WorkerCounters) {
        self.frames += o.frames;
        self.bytes += o.bytes;
        self.signaling_frames += o.signaling_frames;
        for (a, b) in self.malformed_by_layer.iter_mut().zip(o.malformed_by_layer) {
            *a += b;
        }
        for (a, b) in self.other_by_reason.iter_mut().zip(o.other_by_reason) {
            *a += b;
        }
        self.messages += o.messages;
        self.verdicts += o.verdicts;
        self.jobs += o.jobs;
        self.ring_overflow += o.ring_overflow;
        self.rates_counted_early += o.rates_counted_early;
        self.batches += o.batches;
        let (d, od) = (&mut self.decoder, &o.decoder);
        d.ip.add(&od.ip);
        d.sctp.add(&od.sctp);
        d.assoc.add(&od.assoc);
        d.integrity.add(&od.integrity);
        d.tcp.add(&od.tcp);
        d.sccp.add(&od.sccp);
        self.classify.add(&o.classify);
        self.shard.add(&o.shard);
    }

    /// Every named count for the report and metrics: `(group, name, value)`, stable names,
    /// each declared once beside its counter (`decoder::counters!`).
    pub(crate) fn named(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut out = Vec::new();
        let mut put = |group: &'static str, name: &'static str, value: u64| {
            out.push((group, name, value));
        };
        let d = &self.decoder;
        d.ip.each(|n, v| put("reassembly", n, v));
        d.sctp.each(|n, v| put("reassembly", n, v));
        d.assoc.each(|n, v| put("reassembly", n, v));
        d.integrity.each(|n, v| put("integrity", n, v));
        d.tcp.each(|n, v| put("reassembly", n, v));
        d.sccp.each(|n, v| put("reassembly", n, v));
        self.classify.each(|n, v| put("judgement", n, v));
        self.shard.each(|n, v| put("state", n, v));
        put("pipeline", "shard_ring_overflow", self.ring_overflow);
        put("pipeline", "rates_counted_early", self.rates_counted_early);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every counter the decoder, the classifier and the shards declare has a name in the
    /// report (and so on `/metrics`, which the metrics test checks): the counters' own debug
    /// listing has as many fields as `named` has names, and no name is used twice.
    #[test]
    fn every_declared_counter_is_named_once() {
        let c = WorkerCounters::default();
        let fields = |debug: String| debug.matches(": 0").count();
        let declared = fields(format!("{:?}", c.decoder))
            + fields(format!("{:?}", c.classify))
            + fields(format!("{:?}", c.shard));
        let named = c.named();
        let walked = named.iter().filter(|(g, _, _)| *g != "pipeline").count();
        assert_eq!(declared, walked, "{named:?}");
        let mut names: Vec<_> = named.iter().map(|(_, n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a name used twice");
    }
}
