//! Scenarios: timelines of signalling between the home network and its peers, rendered to
//! frames, with a ground-truth record per message.
//!
//! A scenario is written from named parts ([`parts`]): a population of subscribers at home,
//! roamers' itineraries, inbound roamers, short messages, sweeps of attack requests from one
//! operator, coordinated campaigns, keep-alives. Each part puts dialogues on a [`Timeline`],
//! which renders them onto the links between the home network and its peers (`wire`) in
//! capture-time order. The same seed gives the same bytes.
//!
//! The seed scenario ([`seed`]) is a day on a US carrier's interconnect: subscribers at home
//! and roaming abroad, inbound roamers, short messages, home-internal look-ups, and the
//! attacks of the mission (mass tracking from one state operator, SRI and PSL sweeps through
//! two Caribbean carriers, a coordinated campaign from all three, category 2 and 3 abuse,
//! Diameter SLh and Sh queries) with malformed frames and the usual keep-alives in between.

mod campaigns;
mod evasion;
mod parts;
mod presence;
mod seed;
mod timeline;
mod truth;

use std::io::Write;

pub use campaigns::campaigns;
pub use evasion::evasion;
pub use presence::presence;
pub use seed::seed;
pub(crate) use timeline::T0;
pub use truth::{Truth, TruthTarget};

/// The campaigns scenario's sizes (see [`campaigns()`]).
pub mod campaign_sizes {
    pub use super::campaigns::{
        COORDINATED, DAYS, INCIDENTS_PER_DAY, INCIDENT_DAYS, MASS, NAMED_TWICE, SWEPT,
    };
}

/// A deterministic random source (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// Seeded.
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `v` shuffled (Fisher-Yates), cut to its first `n`.
    pub(crate) fn pick(&mut self, v: &[u64], n: usize) -> Vec<u64> {
        let mut v = v.to_vec();
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
        v.truncate(n);
        v
    }
}

/// A rendered scenario.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// Frames in capture order, with their capture time (ns).
    pub frames: Vec<(u64, Vec<u8>)>,
    /// One record per message.
    pub truth: Vec<Truth>,
    /// The matching policy file.
    pub policy: String,
    /// Frames (numbered from 1) corrupted on purpose: an M3UA length that claims more than the
    /// SCTP user message holds. A decoder must call them malformed.
    pub broken: Vec<u64>,
}

impl Capture {
    /// The frames as a pcap file.
    pub fn write_pcap(&self, out: &mut impl Write) -> std::io::Result<()> {
        crate::pcap::write_header(out)?;
        for (ts, f) in &self.frames {
            crate::pcap::write_record(out, *ts, f)?;
        }
        Ok(())
    }

    /// The ground truth as JSON lines.
    pub fn write_truth(&self, out: &mut impl Write) -> std::io::Result<()> {
        for t in &self.truth {
            serde_json::to_writer(&mut *out, t)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
