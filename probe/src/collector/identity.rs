//! One person, one target: an attacker may name a subscriber by MSISDN in one message and by
//! IMSI in the next. Where the traffic itself pairs the two (an alert naming both, an answer
//! that gives the IMSI of the MSISDN asked about, a location update's subscriber data), the
//! pair is remembered, and a target named by a paired MSISDN counts under its IMSI.
//!
//! Bounded: at most `capacity` MSISDNs, the least recently used forgotten first, counted.

use decoder::table::BoundedMap;
use decoder::Identity;
use rules::verdict::Target;

/// MSISDN → IMSI, as the traffic paired them.
#[derive(Debug)]
pub(crate) struct Identities {
    pairs: BoundedMap<u64, Identity>,
    /// Pairs learnt (a pair seen again, or an MSISDN now with another IMSI, counts again).
    pub(crate) learnt: u64,
}

/// A pair just learnt: the MSISDN's key, the IMSI's key, the target named both ways.
pub(crate) type Learnt = (u64, u64, Target);

impl Identities {
    pub(crate) fn new(capacity: usize) -> Self {
        Identities {
            pairs: BoundedMap::new(capacity.max(1)),
            learnt: 0,
        }
    }

    /// MSISDNs forgotten because the table was full.
    pub(crate) fn evictions(&self) -> u64 {
        self.pairs.evictions()
    }

    /// Remember that `msisdn` is `imsi`; a pair not known before comes back.
    pub(crate) fn learn(&mut self, msisdn: Identity, imsi: Identity) -> Option<Learnt> {
        let both = Target {
            imsi: Some(imsi),
            msisdn: Some(msisdn),
        };
        let from = msisdn_key(msisdn)?;
        let to = both.key()?;
        if let Some(known) = self.pairs.get_mut(&from) {
            if *known == imsi {
                return None;
            }
            *known = imsi;
        } else {
            self.pairs.insert(from, imsi);
        }
        self.learnt += 1;
        Some((from, to, both))
    }

    /// The key `target` counts under, and the target with what is known of it filled in.
    pub(crate) fn canonical(&mut self, target: &Target) -> Option<(u64, Target)> {
        if target.imsi.is_some() {
            return Some((target.key()?, *target));
        }
        let m = target.msisdn?;
        let key = msisdn_key(m)?;
        match self.pairs.get_mut(&key) {
            Some(imsi) => {
                let t = Target {
                    imsi: Some(*imsi),
                    msisdn: Some(m),
                };
                Some((t.key()?, t))
            }
            None => Some((key, *target)),
        }
    }
}

fn msisdn_key(m: Identity) -> Option<u64> {
    Target {
        imsi: None,
        msisdn: Some(m),
    }
    .msisdn_key()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paired_msisdn_counts_under_its_imsi() {
        let mut ids = Identities::new(10);
        let m = Identity::from_ascii("12425551234").unwrap();
        let i = Identity::from_ascii("310410123456789").unwrap();
        let by_m = Target {
            imsi: None,
            msisdn: Some(m),
        };
        let by_i = Target {
            imsi: Some(i),
            msisdn: None,
        };
        let (before, _) = ids.canonical(&by_m).unwrap();
        assert_ne!(Some(before), by_i.key());
        let (from, to, _) = ids.learn(m, i).unwrap();
        assert_eq!((Some(from), Some(to)), (by_m.key(), by_i.key()));
        assert!(ids.learn(m, i).is_none(), "known already");
        let (after, t) = ids.canonical(&by_m).unwrap();
        assert_eq!(Some(after), by_i.key());
        assert_eq!(t.imsi, Some(i));
    }
}
