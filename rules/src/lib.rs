//! sigwatch's policy: who sent a message, about whom, and whether that is allowed.
//!
//! The policy file ([`policy`]), the numbering plans that attribute global titles, PLMNs and
//! realms to countries and operators ([`numbering`], [`geo`]), the GSMA FS.11/FS.19
//! categories and custom rules ([`engine`]), and the checks that need a subscriber's history
//! ([`state`]). Messages come in as the decoder's views; verdicts and jobs go out.
//!
//! **Owns**: the policy and its validation, attribution of senders, the judgement of messages
//! and subscribers' state, verdicts.
//!
//! **Must not**: do I/O beyond loading the policy file it is given, start a thread, decode
//! bytes itself (that is `decoder`'s), allocate per message on the judging path, or use
//! `unsafe`.

#![forbid(unsafe_code)]

pub mod engine;
pub mod geo;
pub mod numbering;
pub mod policy;
pub mod snapshot;
pub mod state;
pub mod verdict;

pub use engine::{Classifier, Engine, Job, JobKind, Jobs, Observation, Outcome};
pub use policy::{Policy, PolicyError};
pub use state::ShardState;
pub use verdict::{Category, Verdict};
