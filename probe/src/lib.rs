//! `sigwatch`: a passive probe for a mobile carrier's signalling interconnect. It decodes
//! SS7/SIGTRAN and Diameter from pcap files or NIC queues, judges every message against the
//! carrier's policy (GSMA FS.11 and FS.19 categories), and reports who tracks whom.
//!
//! **Owns**: moving frames and verdicts: sources (pcap replay, DPDK), pinned workers and the
//! rings between their shards, the collector, the sinks (alert lines, report, HTML, metrics,
//! NATS export), the command line.
//!
//! **Must not**: parse a protocol itself (that is `decoder`'s) or judge a message itself
//! (`rules`'); lock, allocate or format text per frame on a worker; use `unsafe` outside
//! `source::dpdk`.

pub mod cli;
pub mod collector;
mod correlate;
mod decode;
#[cfg(feature = "demo")]
mod demo;
pub mod pipeline;
pub mod sink;
pub mod source;
mod state;
mod stats;
pub mod worker;
