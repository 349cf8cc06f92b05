//! Subscriber state on disk: where each subscriber was last shown to be, so that a probe that
//! restarts (an upgrade, a crash, a reboot) is not blind to category 3 until locations are
//! learnt again.
//!
//! ## Format (version 1, little-endian)
//! | bytes | what |
//! | --- | --- |
//! | 8 | magic `SWSTATE\0` |
//! | 4 | version |
//! | 4 | record length (40) |
//! | 8 | the policy's fingerprint: operator numbers are indices into its numbering plan |
//! | 8 | records |
//! | 40 × records | key, seen, moved (ns), country, operator (`FFFF`: none), previous country (`00 00`: none), evidence protocol, answer, code, 4 spare |
//! | 8 | a digest of everything before ([`decoder::hash::bytes`]) |
//!
//! A file that is short, long, flipped, of another version or of another policy is refused
//! whole, with the reason; nothing in it is trusted piecemeal.

use crate::engine::{Engine, Location};
use crate::geo::Country;
use crate::numbering::OperatorId;
use crate::policy::Proto;
use crate::verdict::Evidence;

const MAGIC: &[u8; 8] = b"SWSTATE\0";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;
const RECORD: usize = 40;
const HEADER: usize = 32;
const TRAILER: usize = 8;

/// Where one subscriber was last shown to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The subscriber's key ([`crate::verdict::Target::key`]).
    pub key: u64,
    pub(crate) at: Location,
    /// When, capture time (ns).
    pub seen_ns: u64,
    pub(crate) by: Evidence,
    pub(crate) previous: Option<Country>,
    pub(crate) moved_ns: u64,
}

/// Why a snapshot was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not a sigwatch state file, or cut short.
    NotAState,
    /// Written by another version.
    Version(u32),
    /// Written under another policy (its operators differ).
    Policy,
    /// Its length does not match its record count.
    Length,
    /// Its digest does not match: changed after it was written.
    Corrupt,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotAState => write!(f, "not a sigwatch state file (or cut short)"),
            Refused::Version(v) => {
                write!(f, "state format version {v}, this build reads {VERSION}")
            }
            Refused::Policy => write!(f, "written under another policy (its operators differ)"),
            Refused::Length => write!(f, "its length does not match its record count (cut short?)"),
            Refused::Corrupt => write!(f, "its digest does not match (the file was changed)"),
        }
    }
}

/// The policy's fingerprint: its operators, in order, with their countries.
pub fn fingerprint(e: &Engine) -> u64 {
    let mut b = Vec::new();
    for o in e.plan.operators() {
        b.extend_from_slice(o.name.as_bytes());
        b.push(0);
        if let Some(c) = o.country {
            b.extend_from_slice(&c.0);
        }
        b.push(0);
    }
    decoder::hash::bytes(&b)
}

/// The file for `records`.
pub fn encode(records: &[Record], fingerprint: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + records.len() * RECORD + TRAILER);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(RECORD as u32).to_le_bytes());
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.extend_from_slice(&(records.len() as u64).to_le_bytes());
    for r in records {
        out.extend_from_slice(&r.key.to_le_bytes());
        out.extend_from_slice(&r.seen_ns.to_le_bytes());
        out.extend_from_slice(&r.moved_ns.to_le_bytes());
        out.extend_from_slice(&r.at.country.0);
        out.extend_from_slice(&r.at.operator.map_or(u16::MAX, |o| o.0).to_le_bytes());
        out.extend_from_slice(&r.previous.map_or([0, 0], |c| c.0));
        out.push(match r.by.proto {
            Proto::Map => 0,
            Proto::Diameter => 1,
        });
        out.push(u8::from(r.by.answer));
        out.extend_from_slice(&r.by.code.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
    }
    let digest = decoder::hash::bytes(&out);
    out.extend_from_slice(&digest.to_le_bytes());
    out
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut x = [0; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(x)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// The records of a file, if it is whole, of this version and of this policy.
pub fn decode(b: &[u8], fingerprint: u64) -> Result<Vec<Record>, Refused> {
    if b.len() < HEADER + TRAILER || &b[..8] != MAGIC {
        return Err(Refused::NotAState);
    }
    let version = u32_at(b, 8);
    if version != VERSION || u32_at(b, 12) as usize != RECORD {
        return Err(Refused::Version(version));
    }
    let count = u64_at(b, 24);
    let want = usize::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(RECORD))
        .and_then(|n| n.checked_add(HEADER + TRAILER));
    if want != Some(b.len()) {
        return Err(Refused::Length);
    }
    let body = b.len() - TRAILER;
    if decoder::hash::bytes(&b[..body]) != u64_at(b, body) {
        return Err(Refused::Corrupt);
    }
    if u64_at(b, 16) != fingerprint {
        return Err(Refused::Policy);
    }
    let country = |c: [u8; 2]| (c != [0, 0]).then_some(Country(c));
    let mut out = Vec::with_capacity(count as usize);
    for r in b[HEADER..body].chunks_exact(RECORD) {
        let at_country = Country([r[24], r[25]]);
        let op = u16::from_le_bytes([r[26], r[27]]);
        out.push(Record {
            key: u64_at(r, 0),
            seen_ns: u64_at(r, 8),
            moved_ns: u64_at(r, 16),
            at: Location {
                country: at_country,
                operator: (op != u16::MAX).then_some(OperatorId(op)),
            },
            previous: country([r[28], r[29]]),
            by: Evidence {
                proto: if r[30] == 1 {
                    Proto::Diameter
                } else {
                    Proto::Map
                },
                answer: r[31] == 1,
                code: u32_at(r, 32),
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<Record> {
        (0..3u64)
            .map(|i| Record {
                key: i << 4 | 0xF,
                at: Location {
                    country: Country(*b"GB"),
                    operator: (i != 1).then_some(OperatorId(i as u16)),
                },
                seen_ns: 1_000 + i,
                by: Evidence::map(2, i == 2),
                previous: (i == 0).then_some(Country(*b"US")),
                moved_ns: 7 * i,
            })
            .collect()
    }

    #[test]
    fn reads_back_what_it_wrote_and_refuses_anything_else() {
        let r = records();
        let b = encode(&r, 42);
        assert_eq!(decode(&b, 42), Ok(r));
        assert_eq!(decode(&b, 43), Err(Refused::Policy));
        assert_eq!(decode(&b[..b.len() - 1], 42), Err(Refused::Length));
        assert_eq!(decode(&b[..20], 42), Err(Refused::NotAState));
        assert_eq!(decode(b"", 42), Err(Refused::NotAState));
        for i in 8..b.len() {
            let mut f = b.clone();
            f[i] ^= 0x10;
            assert!(
                decode(&f, 42).is_err(),
                "a flipped bit at {i} went unnoticed"
            );
        }
        let mut v2 = b.clone();
        v2[8] = 2;
        assert_eq!(decode(&v2, 42), Err(Refused::Version(2)));
    }
}
