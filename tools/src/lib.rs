//! siggen: deterministic signalling traffic for sigwatch's tests, demo and load tests.
//!
//! Scenarios ([`scenario::seed`]) are timelines of SS7/MAP and Diameter between a home carrier
//! and its peers, attacks included, rendered to frames with the decoder's `emit` functions,
//! with a ground-truth record per message and the matching policy file. [`load`] makes bulk
//! traffic fast. Nothing here is needed by sigwatch at run time except its built-in demo.

#![forbid(unsafe_code)]

pub mod load;
pub mod net;
pub mod pcap;
pub mod scenario;
pub mod wire;
