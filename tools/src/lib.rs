//! siggen: deterministic signalling traffic for sigwatch's tests, demo and load tests.
//!
//! Scenarios ([`scenario::seed`]) are timelines of SS7/MAP and Diameter between a home carrier
//! and its peers, attacks included, rendered to frames with the decoder's `emit` functions,
//! with a ground-truth record per message and the matching policy file. [`load`] makes bulk
//! traffic fast.
//!
//! **Owns**: generated traffic and its ground truth, the world it is set in (networks,
//! subscribers), writing pcap files.
//!
//! **Must not**: be needed by sigwatch at run time (its demo excepted, behind `probe`'s
//! `demo` feature), or decode what it writes other than through `decoder`.

#![forbid(unsafe_code)]

pub mod load;
pub mod net;
pub mod pcap;
pub mod scenario;
pub mod wire;
