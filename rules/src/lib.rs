//! sigwatch's policy.
#![forbid(unsafe_code)]
pub mod geo;
pub mod numbering;
pub mod policy;
