//! `sigwatch`: a passive probe for a mobile carrier's signalling interconnect. It decodes
//! SS7/SIGTRAN and Diameter from pcap files or NIC queues, judges every message against the
//! carrier's policy (GSMA FS.11 and FS.19 categories), and reports who tracks whom.
//!
//! This crate moves frames and verdicts: sources, workers, the collector and the sinks. It
//! parses no protocol itself (that is `decoder`) and judges nothing itself (that is `rules`).

pub mod cli;
pub mod collector;
mod correlate;
mod decode;
#[cfg(feature = "demo")]
mod demo;
pub mod pipeline;
pub mod sink;
pub mod source;
mod stats;
pub mod worker;
