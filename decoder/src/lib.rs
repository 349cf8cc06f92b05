//! Zero-copy decoders for the signalling a carrier's interconnect carries: SIGTRAN (SCTP,
//! M3UA, M2PA, SUA, SCCP, TCAP, GSM MAP) and Diameter over SCTP or TCP.
//!
//! Each protocol layer is a module with borrowed views over the frame's bytes, one parser
//! (`parser.rs`), the names of its codes (`codes.rs`) and an `emit` side that builds bytes for
//! tests and the traffic generator. Reassembly (IP fragments, SCTP user messages, TCP streams,
//! SCCP segments) lives beside the layer it belongs to and keeps to fixed limits;
//! [`stack::FrameDecoder`] walks a frame through them all.
//!
//! **Owns**: bytes to typed views, reassembly state, the errors of every layer, the workspace's
//! fixed hash functions ([`hash`]) and bounded tables ([`table`]).
//!
//! **Must not**: know about policy, threads or output; allocate per frame on the decoding path
//! (reassembly buffers are reused); use `unsafe`.

#![forbid(unsafe_code)]

pub mod ber;
pub mod capture;
pub mod counters;
pub mod diameter;
pub mod digits;
pub mod error;
pub mod gre;
pub mod hash;
pub mod identity;
pub mod integrity;
pub mod ip;
pub mod link;
pub mod m2pa;
pub mod m2ua;
pub mod m3ua;
pub mod map;
pub mod mpls;
pub mod sccp;
pub mod sctp;
pub mod stack;
pub mod sua;
pub mod table;
pub mod tcap;
pub mod tcp;
pub mod vxlan;

pub use digits::{Digits, Plmn};
pub use error::{DecodeError, ErrorKind, Layer};
pub use identity::Identity;
