//! A worker's caches of what the numbering plan says: who sends from a global title or a
//! Diameter origin, where a serving node's number or a PLMN is, which PLMN an IMSI belongs
//! to, what a realm names. An interconnect carries a few thousand node numbers and a few
//! hundred realms and PLMNs, and a trie walk or a lower-cased copy and a hash probe per
//! domain suffix cost more than the rest of a message's judgement; each is done once per
//! distinct key, not per message.
//!
//! Every cache is a direct-mapped table indexed one way ([`decoder::hash::slot`]: the top
//! bits of a key's Fibonacci hash): one multiply, one compare, one slot per key, a miss
//! overwrites the slot. Worker-local: a collision, chosen or not, only costs a lookup.

use decoder::hash;
use decoder::map::Node;
use decoder::sccp::GlobalTitle;
use decoder::{Identity, Plmn};

use super::outcome::Location;
use super::Engine;
use crate::geo::Country;
use crate::numbering::OperatorId;
use crate::verdict::{Name, Source};

/// A direct-mapped table of `n` slots (a power of two) and one spare slot after them, for
/// what a cache cannot hold.
#[derive(Debug, Clone)]
struct Direct<T> {
    slots: Vec<T>,
}

impl<T: Clone> Direct<T> {
    fn new(n: usize, empty: T) -> Self {
        debug_assert!(n.is_power_of_two() && n >= 2);
        Direct {
            slots: vec![empty; n + 1],
        }
    }

    /// The slot of a key's hash.
    #[inline]
    fn index(&self, hash: u64) -> usize {
        hash::slot(hash, self.slots.len() - 1)
    }

    /// The spare slot.
    fn spare(&self) -> usize {
        self.slots.len() - 1
    }
}

/// A direct-mapped cache from a word to what a slower lookup says of it.
#[derive(Debug)]
struct Memo<V> {
    /// `(key, value)`; `u128::MAX`, which no key built from digits can be, marks an empty slot.
    table: Direct<(u128, V)>,
}

impl<V: Copy> Memo<V> {
    /// `n` slots (a power of two).
    fn new(n: usize, empty: V) -> Self {
        Memo {
            table: Direct::new(n, (u128::MAX, empty)),
        }
    }

    #[inline]
    fn get(&mut self, key: u128, look: impl FnOnce() -> V) -> V {
        let i = self.table.index(hash::fold(key));
        let slot = &mut self.table.slots[i];
        if slot.0 == key {
            return slot.1;
        }
        Self::fill(slot, key, look)
    }

    /// A miss: the slower lookup, out of line, so that a hit stays a few instructions
    /// without a stack frame.
    #[cold]
    #[inline(never)]
    fn fill(slot: &mut (u128, V), key: u128, look: impl FnOnce() -> V) -> V {
        *slot = (key, look());
        slot.1
    }
}

/// The longest realm the realm cache keeps.
const REALM_KEY: usize = 62;

/// A realm and what [`crate::numbering::NumberingPlan::realm`] says of it.
#[derive(Debug, Clone, Copy)]
struct RealmSlot {
    len: u8,
    bytes: [u8; REALM_KEY],
    found: (Option<OperatorId>, Option<Plmn>),
}

impl RealmSlot {
    const EMPTY: RealmSlot = RealmSlot {
        len: u8::MAX,
        bytes: [0; REALM_KEY],
        found: (None, None),
    };
}

/// The numbering plan's lookups that a message's own numbers and names need.
#[derive(Debug)]
pub(super) struct Lookups<'e> {
    e: &'e Engine,
    e164: Memo<(Option<Country>, Option<OperatorId>)>,
    imsi_plmn: Memo<Option<Plmn>>,
    plmn_location: Memo<Option<Location>>,
    realms: Direct<RealmSlot>,
}

impl<'e> Lookups<'e> {
    pub(super) fn new(e: &'e Engine) -> Self {
        Lookups {
            e,
            e164: Memo::new(4096, (None, None)),
            imsi_plmn: Memo::new(256, None),
            plmn_location: Memo::new(256, None),
            realms: Direct::new(256, RealmSlot::EMPTY),
        }
    }

    /// [`crate::numbering::NumberingPlan::e164`] of a node number, keyed by its octets: a
    /// cached number is never read into digits.
    pub(super) fn e164(&mut self, n: &Node) -> (Option<Country>, Option<OperatorId>) {
        let plan = &self.e.plan;
        match n.key() {
            Some(key) => self.e164.get(key, || plan.e164(&n.number())),
            None => plan.e164(&n.number()),
        }
    }

    /// Where a PLMN is: its country (from the MCC) and operator.
    pub(super) fn plmn_location(&mut self, p: Plmn) -> Option<Location> {
        let plan = &self.e.plan;
        let key = u128::from(p.mcc) | u128::from(p.mnc) << 16 | u128::from(p.mnc3) << 32;
        self.plmn_location.get(key, || {
            plan.mcc_country(p.mcc).map(|country| Location {
                country,
                operator: plan.plmn_operator(p),
            })
        })
    }

    /// [`crate::numbering::NumberingPlan::imsi_plmn`], which reads the first six digits only.
    pub(super) fn imsi_plmn(&mut self, imsi: &Identity) -> Option<Plmn> {
        let plan = &self.e.plan;
        self.imsi_plmn
            .get(u128::from(imsi.head6()), || plan.imsi_plmn(&imsi.digits()))
    }

    /// [`crate::numbering::NumberingPlan::realm`] of a realm.
    pub(super) fn realm(&mut self, realm: &[u8]) -> (Option<OperatorId>, Option<Plmn>) {
        if realm.len() > REALM_KEY {
            return self.e.plan.realm(realm);
        }
        let i = self.realms.index(hash::bytes(realm));
        let slot = &mut self.realms.slots[i];
        if usize::from(slot.len) == realm.len() && &slot.bytes[..realm.len()] == realm {
            return slot.found;
        }
        realm_miss(self.e, slot, realm)
    }
}

/// A realm that is not in its cache slot: looked up and put there. Out of line (see
/// [`Memo::fill`]).
#[cold]
#[inline(never)]
fn realm_miss(
    e: &Engine,
    slot: &mut RealmSlot,
    realm: &[u8],
) -> (Option<OperatorId>, Option<Plmn>) {
    let found = e.plan.realm(realm);
    slot.len = realm.len() as u8;
    slot.bytes[..realm.len()].copy_from_slice(realm);
    slot.found = found;
    found
}

/// Size of the global-title attribution cache.
const GT_CACHE: usize = 4096;
/// Size of the Diameter origin attribution cache.
const ORIGIN_CACHE: usize = 256;

/// Who sends from a calling global title or a Diameter origin: attributions kept whole, so
/// that a hit borrows its [`Source`] instead of copying it.
#[derive(Debug)]
pub(super) struct Sources<'e> {
    e: &'e Engine,
    /// By the address signals as they are on the wire (see [`gt_key`]).
    gt: Direct<(u128, Source)>,
    /// By the names the source holds (Origin-Host and Origin-Realm).
    origins: Direct<Source>,
}

impl<'e> Sources<'e> {
    pub(super) fn new(e: &'e Engine) -> Self {
        Sources {
            e,
            gt: Direct::new(GT_CACHE, (u128::MAX, Source::UNKNOWN)),
            origins: Direct::new(ORIGIN_CACHE, Source::UNKNOWN),
        }
    }

    /// Who sent a message with this calling global title. A hit decodes no digit and copies
    /// nothing; titles too long for a key, and messages without one, go through the spare
    /// slot.
    #[inline]
    pub(super) fn gt(&mut self, gt: Option<&GlobalTitle<'_>>) -> &Source {
        let key = gt.and_then(gt_key);
        let i = match key {
            Some(key) => {
                let i = self.gt.index(hash::fold(key));
                if self.gt.slots[i].0 == key {
                    return &self.gt.slots[i].1;
                }
                i
            }
            None => self.gt.spare(),
        };
        self.gt_miss(i, gt, key)
    }

    /// A calling party that is not in the cache: attributed and put in slot `i`. Out of
    /// line (see [`Memo::fill`]).
    #[cold]
    #[inline(never)]
    fn gt_miss(&mut self, i: usize, gt: Option<&GlobalTitle<'_>>, key: Option<u128>) -> &Source {
        let source = match gt {
            Some(gt) => self.e.attribute_gt(&gt.digits()),
            None => Source::UNKNOWN,
        };
        self.gt.slots[i] = (key.unwrap_or(u128::MAX), source);
        &self.gt.slots[i].1
    }

    /// Who sent a Diameter request with this Origin-Host and Origin-Realm. A hit compares
    /// the names and copies nothing; names longer than a [`Name`] holds, and requests
    /// without a realm, go through the spare slot.
    #[inline]
    pub(super) fn origin(
        &mut self,
        lookups: &mut Lookups<'_>,
        host: Option<&[u8]>,
        realm: Option<&[u8]>,
    ) -> &Source {
        let h = host.unwrap_or_default();
        let i = match realm {
            Some(r) if !r.is_empty() && r.len() <= Name::CAPACITY && h.len() <= Name::CAPACITY => {
                let i = self
                    .origins
                    .index(hash::bytes(h) ^ hash::bytes(r).rotate_left(17));
                let cached = &self.origins.slots[i];
                if cached.realm.as_bytes() == r && cached.host.as_bytes() == h {
                    return &self.origins.slots[i];
                }
                i
            }
            _ => self.origins.spare(),
        };
        self.origin_miss(i, lookups, host, realm)
    }

    /// An origin that is not in its cache slot `i`: attributed and put there. Out of line.
    #[cold]
    #[inline(never)]
    fn origin_miss(
        &mut self,
        i: usize,
        lookups: &mut Lookups<'_>,
        host: Option<&[u8]>,
        realm: Option<&[u8]>,
    ) -> &Source {
        let found = realm.map(|r| lookups.realm(r));
        self.origins.slots[i] = self.e.realm_source(host, realm, found);
        &self.origins.slots[i]
    }
}

/// A global title's address signals and oddness packed in a word: up to 15 octets (30 digits)
/// in the low bytes, the octet count and the odd flag in the top byte. Distinct titles give
/// distinct keys, and no title gives `u128::MAX`, the empty slot.
#[inline]
pub(super) fn gt_key(gt: &GlobalTitle<'_>) -> Option<u128> {
    let n = gt.bcd.len();
    if n > 15 {
        return None;
    }
    let (lo, hi) = gt.bcd.split_at(n.min(8));
    // `hi` holds seven octets at most: its top byte is free for the count and the odd flag.
    let hi = decoder::digits::short_word(hi) | u64::from((n as u8) << 1 | u8::from(gt.odd)) << 56;
    Some(u128::from(decoder::digits::short_word(lo)) | u128::from(hi) << 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A global title's key is its octets, zero-padded, with the count and the odd flag in
        /// the top byte; no key for more than fifteen octets.
        #[test]
        fn gt_key_is_the_octets_count_and_oddness(
            bcd in proptest::collection::vec(proptest::num::u8::ANY, 0..=17),
            odd in proptest::bool::ANY,
        ) {
            let gt = GlobalTitle { tt: None, np: None, es: None, nai: None, odd, bcd: &bcd };
            let want = (bcd.len() <= 15).then(|| {
                let mut b = [0u8; 16];
                b[..bcd.len()].copy_from_slice(&bcd);
                b[15] = (bcd.len() as u8) << 1 | u8::from(odd);
                u128::from_le_bytes(b)
            });
            proptest::prop_assert_eq!(gt_key(&gt), want);
        }
    }
}
