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
        self.batches += o.batches;
        add_decoder(&mut self.decoder, &o.decoder);
        add_classify(&mut self.classify, &o.classify);
        add_shard(&mut self.shard, &o.shard);
    }

    /// Every named count for the report and metrics: `(group, name, value)`, stable names.
    pub(crate) fn named(&self) -> Vec<(&'static str, &'static str, u64)> {
        let d = &self.decoder;
        let c = &self.classify;
        let s = &self.shard;
        vec![
            ("reassembly", "ip_fragments", d.ip.fragments),
            ("reassembly", "ip_completed", d.ip.completed),
            ("reassembly", "ip_evicted", d.ip.evicted),
            ("reassembly", "ip_expired", d.ip.expired),
            ("reassembly", "ip_oversize", d.ip.oversize),
            ("reassembly", "sctp_fragments", d.sctp.fragments),
            ("reassembly", "sctp_completed", d.sctp.completed),
            ("reassembly", "sctp_evicted", d.sctp.evicted),
            ("reassembly", "sctp_expired", d.sctp.expired),
            ("reassembly", "sctp_oversize", d.sctp.oversize),
            ("reassembly", "sctp_retransmitted_chunks", d.sctp_duplicates),
            ("reassembly", "tcp_segments", d.tcp.segments),
            ("reassembly", "tcp_messages", d.tcp.messages),
            ("reassembly", "tcp_retransmitted", d.tcp.retransmitted),
            ("reassembly", "tcp_out_of_order", d.tcp.out_of_order),
            ("reassembly", "tcp_gaps", d.tcp.gaps),
            ("reassembly", "tcp_resync_bytes", d.tcp.resync_bytes),
            ("reassembly", "tcp_evicted", d.tcp.evicted),
            ("reassembly", "tcp_expired", d.tcp.expired),
            ("reassembly", "sccp_segments", d.sccp.segments),
            ("reassembly", "sccp_completed", d.sccp.completed),
            ("reassembly", "sccp_out_of_sequence", d.sccp.out_of_sequence),
            ("reassembly", "sccp_evicted", d.sccp.evicted),
            ("reassembly", "sccp_expired", d.sccp.expired),
            ("judgement", "interconnect_messages", c.interconnect),
            ("judgement", "unattributed", c.unattributed),
            ("judgement", "returned_by_sccp", c.returned),
            ("judgement", "tcap_not_map", c.not_map),
            ("judgement", "no_identity", c.no_identity),
            ("judgement", "answers_matched", c.answers_matched),
            ("judgement", "sms_unverifiable", c.sms_unverifiable),
            ("judgement", "dialogues_evicted", c.dialogues_evicted),
            ("state", "jobs", s.jobs),
            ("state", "subscribers_evicted", s.subscribers_evicted),
            ("state", "pending_sms_evicted", s.pending_evicted),
            ("state", "sms_delivered", s.sms_delivered),
            ("state", "impossible_travel", s.travel),
            ("state", "stragglers", s.stragglers),
            ("state", "sms_undecided_at_end", s.undecided),
            ("pipeline", "shard_ring_overflow", self.ring_overflow),
        ]
    }
}

fn add_decoder(a: &mut DecoderStats, b: &DecoderStats) {
    a.ip.fragments += b.ip.fragments;
    a.ip.completed += b.ip.completed;
    a.ip.evicted += b.ip.evicted;
    a.ip.expired += b.ip.expired;
    a.ip.oversize += b.ip.oversize;
    a.sctp.fragments += b.sctp.fragments;
    a.sctp.completed += b.sctp.completed;
    a.sctp.duplicates += b.sctp.duplicates;
    a.sctp.evicted += b.sctp.evicted;
    a.sctp.expired += b.sctp.expired;
    a.sctp.oversize += b.sctp.oversize;
    a.sctp_duplicates += b.sctp_duplicates;
    a.tcp.segments += b.tcp.segments;
    a.tcp.messages += b.tcp.messages;
    a.tcp.retransmitted += b.tcp.retransmitted;
    a.tcp.out_of_order += b.tcp.out_of_order;
    a.tcp.gaps += b.tcp.gaps;
    a.tcp.resync_bytes += b.tcp.resync_bytes;
    a.tcp.evicted += b.tcp.evicted;
    a.tcp.expired += b.tcp.expired;
    a.sccp.segments += b.sccp.segments;
    a.sccp.completed += b.sccp.completed;
    a.sccp.out_of_sequence += b.sccp.out_of_sequence;
    a.sccp.evicted += b.sccp.evicted;
    a.sccp.expired += b.sccp.expired;
}

fn add_classify(a: &mut ClassifyStats, b: &ClassifyStats) {
    a.messages += b.messages;
    a.interconnect += b.interconnect;
    a.unattributed += b.unattributed;
    a.returned += b.returned;
    a.not_map += b.not_map;
    a.no_identity += b.no_identity;
    a.answers_matched += b.answers_matched;
    a.sms_unverifiable += b.sms_unverifiable;
    a.dialogues_evicted += b.dialogues_evicted;
}

fn add_shard(a: &mut ShardStats, b: &ShardStats) {
    a.jobs += b.jobs;
    a.subscribers_evicted += b.subscribers_evicted;
    a.pending_evicted += b.pending_evicted;
    a.recon += b.recon;
    a.sms_delivered += b.sms_delivered;
    a.travel += b.travel;
    a.stragglers += b.stragglers;
    a.undecided += b.undecided;
}
