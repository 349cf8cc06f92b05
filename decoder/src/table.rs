//! A bounded map with least-recently-used eviction, for every table that grows with traffic:
//! reassembly contexts, TCAP dialogues, subscriber state.
//!
//! Capacity is fixed when the map is made: a full table evicts its least recently used entry
//! (and counts it) instead of growing. Memory is taken as the table fills, up to what the
//! capacity needs, and reused from then on.
//!
//! The recency list's links live in an array of their own, beside the entries: moving an
//! entry to the front rewrites its links and its neighbours', eight bytes each in a small
//! dense array, instead of a cache line in each of three entries that may lie far apart (an
//! SCTP association's duplicate window, a subscriber's whereabouts).

use core::fmt;
use core::hash::Hash;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use foldhash::fast::RandomState;

const NIL: u32 = u32::MAX;

/// A slot's neighbours in the recency list: `prev` more recently used, `next` less.
#[derive(Clone, Copy)]
struct Link {
    prev: u32,
    next: u32,
}

const UNLINKED: Link = Link {
    prev: NIL,
    next: NIL,
};

/// A map of at most `capacity` entries, ordered from most to least recently used.
pub struct BoundedMap<K, V> {
    index: HashMap<K, u32, RandomState>,
    /// By slot: the entry, `None` in a free slot.
    entries: Vec<Option<(K, V)>>,
    /// By slot: its place in the recency list.
    links: Vec<Link>,
    free: Vec<u32>,
    /// Most recently used.
    head: u32,
    /// Least recently used.
    tail: u32,
    capacity: usize,
    evictions: u64,
}

impl<K: Copy + Eq + Hash, V> BoundedMap<K, V> {
    /// An empty map that will hold at most `capacity` entries (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, (u32::MAX - 1) as usize);
        let initial = capacity.min(1024);
        BoundedMap {
            index: HashMap::with_capacity_and_hasher(initial, RandomState::default()),
            entries: Vec::with_capacity(initial),
            links: Vec::with_capacity(initial),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            capacity,
            evictions: 0,
        }
    }

    /// Drop every entry, keeping the memory and the eviction count.
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.links.clear();
        self.free.clear();
        self.head = NIL;
        self.tail = NIL;
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Entries pushed out because the map was full.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Whether `key` is present (does not count as a use).
    pub fn contains_key(&self, key: &K) -> bool {
        self.index.contains_key(key)
    }

    /// The value for `key`, without marking it used.
    pub fn peek(&self, key: &K) -> Option<&V> {
        let &s = self.index.get(key)?;
        self.entries[s as usize].as_ref().map(|(_, v)| v)
    }

    /// The slot holding `key`, marking it most recently used: the value is then reached with
    /// [`BoundedMap::at_mut`] without hashing the key again, until the map changes.
    #[inline]
    pub fn slot(&mut self, key: &K) -> Option<u32> {
        let &s = self.index.get(key)?;
        self.touch(s);
        Some(s)
    }

    /// The value in `slot`, as [`BoundedMap::slot`] gave it (nothing inserted or removed
    /// since).
    #[inline]
    pub fn at_mut(&mut self, slot: u32) -> Option<&mut V> {
        self.entries
            .get_mut(slot as usize)?
            .as_mut()
            .map(|(_, v)| v)
    }

    /// The value for `key`, marking it most recently used.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let &s = self.index.get(key)?;
        self.touch(s);
        self.entries[s as usize].as_mut().map(|(_, v)| v)
    }

    /// Insert or replace; returns the entry evicted to make room, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.index.len() < self.capacity {
            // Room for it: one hash and one probe, whether the key is there or not.
            let s = match self.index.entry(key) {
                Entry::Occupied(e) => {
                    let s = *e.get();
                    if let Some((_, v)) = self.entries[s as usize].as_mut() {
                        *v = value;
                    }
                    self.touch(s);
                    return None;
                }
                Entry::Vacant(e) => *e.insert(alloc(
                    (&mut self.entries, &mut self.links, &mut self.free),
                    key,
                    value,
                )),
            };
            self.push_front(s);
            return None;
        }
        if let Some(&s) = self.index.get(&key) {
            self.touch(s);
            if let Some((_, v)) = self.entries[s as usize].as_mut() {
                *v = value;
            }
            return None;
        }
        self.evictions += 1;
        let evicted = self.pop_lru();
        let s = alloc(
            (&mut self.entries, &mut self.links, &mut self.free),
            key,
            value,
        );
        self.index.insert(key, s);
        self.push_front(s);
        evicted
    }

    /// The value for `key`, inserting `make()` first if absent; also returns what was evicted
    /// to make room.
    pub fn get_or_insert_with(
        &mut self,
        key: K,
        make: impl FnOnce() -> V,
    ) -> (&mut V, Option<(K, V)>) {
        // One lookup when the key is there (the common case); a second after inserting.
        let (s, evicted) = match self.index.get(&key) {
            Some(&s) => {
                self.touch(s);
                (s, None)
            }
            None => {
                let evicted = self.insert(key, make());
                // Just inserted, at the front (capacity is at least 1).
                (self.head, evicted)
            }
        };
        let v = match self.entries[s as usize].as_mut() {
            Some((_, v)) => v,
            None => unreachable_slot(),
        };
        (v, evicted)
    }

    /// Remove `key`.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let s = self.index.remove(key)?;
        self.unlink(s);
        self.free.push(s);
        self.entries[s as usize].take().map(|(_, v)| v)
    }

    /// The least recently used entry, without removing it.
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        if self.tail == NIL {
            return None;
        }
        self.entries[self.tail as usize]
            .as_ref()
            .map(|(k, v)| (k, v))
    }

    /// Remove the least recently used entry if `pred` holds for it (age-based expiry: call in a
    /// loop while it returns `Some`).
    pub fn pop_lru_if(&mut self, pred: impl FnOnce(&K, &V) -> bool) -> Option<(K, V)> {
        let (k, v) = self.peek_lru()?;
        if pred(k, v) {
            self.pop_lru()
        } else {
            None
        }
    }

    /// Remove and return the least recently used entry.
    pub(crate) fn pop_lru(&mut self) -> Option<(K, V)> {
        if self.tail == NIL {
            return None;
        }
        let s = self.tail;
        self.unlink(s);
        self.free.push(s);
        let (k, v) = self.entries[s as usize].take()?;
        self.index.remove(&k);
        Some((k, v))
    }

    /// Visit every entry, most recently used first.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        let mut s = self.head;
        core::iter::from_fn(move || {
            while s != NIL {
                let entry = &self.entries[s as usize];
                s = self.links[s as usize].next;
                if let Some((k, v)) = entry.as_ref() {
                    return Some((k, v));
                }
            }
            None
        })
    }

    /// Move `s` to the front: `unlink` and `push_front` in one, with what being in the list
    /// and not at its head says (a previous entry, a head) taken as known.
    fn touch(&mut self, s: u32) {
        let old = self.head;
        if old == s {
            return;
        }
        let Link { prev, next } = self.links[s as usize];
        self.links[s as usize] = Link {
            prev: NIL,
            next: old,
        };
        self.links[prev as usize].next = next;
        if next != NIL {
            self.links[next as usize].prev = prev;
        } else {
            self.tail = prev;
        }
        self.links[old as usize].prev = s;
        self.head = s;
    }

    fn push_front(&mut self, s: u32) {
        let old = self.head;
        self.links[s as usize] = Link {
            prev: NIL,
            next: old,
        };
        if old != NIL {
            self.links[old as usize].prev = s;
        } else {
            self.tail = s;
        }
        self.head = s;
    }

    fn unlink(&mut self, s: u32) {
        let Link { prev, next } = self.links[s as usize];
        if prev != NIL {
            self.links[prev as usize].next = next;
        } else if self.head == s {
            self.head = next;
        }
        if next != NIL {
            self.links[next as usize].prev = prev;
        } else if self.tail == s {
            self.tail = prev;
        }
        self.links[s as usize] = UNLINKED;
    }
}

/// The map's entries, links and free slots, borrowed apart from its index.
type Slots<'m, K, V> = (
    &'m mut Vec<Option<(K, V)>>,
    &'m mut Vec<Link>,
    &'m mut Vec<u32>,
);

/// A slot for a new entry: a free one, else a new one at the end; not yet in the list.
fn alloc<K, V>((entries, links, free): Slots<'_, K, V>, key: K, value: V) -> u32 {
    if let Some(s) = free.pop() {
        entries[s as usize] = Some((key, value));
        s
    } else {
        entries.push(Some((key, value)));
        links.push(UNLINKED);
        (entries.len() - 1) as u32
    }
}

#[cold]
fn unreachable_slot() -> ! {
    // `index` and `entries` are updated together; an indexed slot always holds its entry.
    unreachable!("BoundedMap index points at an empty slot")
}

impl<K, V> fmt::Debug for BoundedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedMap")
            .field("len", &self.index.len())
            .field("capacity", &self.capacity)
            .field("evictions", &self.evictions)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn evicts_least_recently_used() {
        let mut m = BoundedMap::new(2);
        assert!(m.insert(1, "a").is_none());
        assert!(m.insert(2, "b").is_none());
        m.get_mut(&1);
        assert_eq!(m.insert(3, "c"), Some((2, "b")));
        assert_eq!(m.evictions(), 1);
        assert_eq!(m.peek(&1), Some(&"a"));
        assert_eq!(m.peek(&3), Some(&"c"));
        assert_eq!(m.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec![3, 1]);
    }

    #[test]
    fn age_expiry_from_the_tail() {
        let mut m = BoundedMap::new(8);
        for t in 0..5u64 {
            m.insert(t, t * 10);
        }
        let mut expired = vec![];
        while let Some((k, _)) = m.pop_lru_if(|_, &v| v < 30) {
            expired.push(k);
        }
        assert_eq!(expired, vec![0, 1, 2]);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn get_or_insert_reports_eviction() {
        let mut m = BoundedMap::new(1);
        let (v, ev) = m.get_or_insert_with(1, || 5);
        *v += 1;
        assert!(ev.is_none());
        let (v, ev) = m.get_or_insert_with(2, || 7);
        assert_eq!(*v, 7);
        assert_eq!(ev, Some((1, 6)));
    }

    proptest! {
        /// The map agrees with a naive model under any sequence of operations.
        #[test]
        fn matches_a_naive_lru(ops in proptest::collection::vec((0u8..3, 0u8..12), 0..200), cap in 1usize..6) {
            let mut m = BoundedMap::new(cap);
            let mut model: Vec<(u8, u32)> = Vec::new(); // most recent first
            for (n, (op, k)) in ops.into_iter().enumerate() {
                let n = n as u32;
                match op {
                    0 => {
                        let ev = m.insert(k, n);
                        if let Some(p) = model.iter().position(|e| e.0 == k) {
                            model.remove(p);
                            prop_assert!(ev.is_none());
                        } else if model.len() == cap {
                            let last = model.pop();
                            prop_assert_eq!(ev, last);
                        } else {
                            prop_assert!(ev.is_none());
                        }
                        model.insert(0, (k, n));
                    }
                    1 => {
                        let got = m.get_mut(&k).map(|v| *v);
                        let p = model.iter().position(|e| e.0 == k);
                        prop_assert_eq!(got, p.map(|p| model[p].1));
                        if let Some(p) = p {
                            let e = model.remove(p);
                            model.insert(0, e);
                        }
                    }
                    _ => {
                        let got = m.remove(&k);
                        let p = model.iter().position(|e| e.0 == k);
                        prop_assert_eq!(got, p.map(|p| model.remove(p).1));
                    }
                }
                prop_assert_eq!(m.len(), model.len());
                // At most one more than the model holds: a broken list that loops fails here
                // instead of filling memory.
                let order: Vec<_> = m.iter().take(model.len() + 1).map(|(k, v)| (*k, *v)).collect();
                prop_assert_eq!(&order, &model);
            }
        }
    }
}
