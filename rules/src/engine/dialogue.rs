//! Open TCAP dialogues a worker remembers, so that an answer is judged by its request: the
//! IMSI an HLR gives back for an interconnect SendRoutingInfoForSM, the insertSubscriberData
//! an HLR sends inside the home network's own updateLocation.
//!
//! A dialogue is keyed as its answers address it: the originator's transaction ID (their
//! DTID) and the originator's SCCP address (their called party), both as the octets
//! themselves. No digest: two senders never share a dialogue, whatever their addresses.

use decoder::map::OpCode;
use decoder::sccp::Address;
use decoder::table::BoundedMap;
use decoder::Digits;

use super::cache::gt_key;
use crate::verdict::{Source, Subject, Target};

/// Identifies an open dialogue: its originator's transaction ID and SCCP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DialogueKey {
    /// The transaction ID's octets (Q.773 allows 1 to 4) and their count in the top byte.
    tid: u64,
    /// The address: a global title's octets ([`gt_key`]), else a point code, tagged.
    peer: u128,
}

/// Hashed as one word pair: the ID folded into the address's upper word (where a title's
/// octets are fewest). Equality still compares both whole.
impl core::hash::Hash for DialogueKey {
    #[inline]
    fn hash<H: core::hash::Hasher>(&self, h: &mut H) {
        h.write_u128(self.peer ^ u128::from(self.tid) << 64);
    }
}

/// Tags of peer keys that are not global titles (a title's key has at most 0x1f in its top
/// byte).
const PEER_PC: u128 = 0x40 << 120;
const PEER_NONE: u128 = 0x80 << 120;

impl DialogueKey {
    /// The key of a transaction ID and an address; none for an ID longer than four octets
    /// or a global title longer than fifteen, which no valid dialogue has.
    #[inline(always)]
    pub(super) fn of(tid: Option<&[u8]>, addr: &Address<'_>) -> Option<DialogueKey> {
        let tid = tid?;
        if tid.is_empty() || tid.len() > 4 {
            return None;
        }
        let value = tid.iter().fold(0u64, |a, &b| a << 8 | u64::from(b));
        let tid = value | (tid.len() as u64) << 56;
        let peer = match (&addr.gt, addr.pc) {
            (Some(g), _) => gt_key(g)?,
            (None, Some(pc)) => PEER_PC | u128::from(pc),
            (None, None) => PEER_NONE,
        };
        Some(DialogueKey { tid, peer })
    }
}

/// What a remembered request said.
#[derive(Debug, Clone, Copy)]
pub(super) struct Dialogue {
    /// Its operation.
    pub(super) op: u8,
    /// The request.
    pub(super) subject: Subject,
    /// Its calling global title.
    pub(super) source_gt: Option<Digits>,
    /// Whom it was about.
    pub(super) target: Target,
    /// Sent from the interconnect.
    pub(super) interconnect: bool,
}

/// Whether a Begin's dialogue must be remembered, because something later in it is judged by
/// what the Begin said:
/// - the answer to an interconnect sendRoutingInfoForSM (the IMSI leak) or sendRoutingInfo:
///   it gives the IMSI of the MSISDN asked about, so the collector counts the person once;
/// - the invokes an HLR sends back inside the home network's own updateLocation,
///   updateGprsLocation or restoreData (insertSubscriberData, whose argument need not repeat
///   the IMSI that category 2 judges an inbound roamer's HLR by);
/// - the answers that prove where a subscriber is: an MT-ForwardSM's acknowledgement, the
///   location answer to the home network's own provideSubscriberInfo or anyTimeInterrogation
///   (see `Classifier::evidence`). An interconnect anyTimeInterrogation is category 1 and
///   alerted; remembering each would let a flood of them push out the dialogues that count.
///
/// Nothing else reads a dialogue: every other request is judged on its own, and remembering
/// every Begin costs a table entry per request that nobody may ever answer (a flood).
pub(super) fn remembered(op: OpCode, source: &Source) -> bool {
    match op {
        // The answers give the IMSI of the MSISDN asked about: one person, named two ways.
        OpCode::SEND_ROUTING_INFO_FOR_SM | OpCode::SEND_ROUTING_INFO => source.is_interconnect(),
        OpCode::MT_FORWARD_SM => source.relation.is_some(),
        OpCode::PROVIDE_SUBSCRIBER_INFO | OpCode::ANY_TIME_INTERROGATION => source.is_home(),
        OpCode::UPDATE_LOCATION | OpCode::UPDATE_GPRS_LOCATION | OpCode::RESTORE_DATA => {
            source.is_home()
        }
        _ => false,
    }
}

/// The open dialogues, bounded (a full table evicts the least recently used) and forgotten
/// once they have waited longer than the timeout for an answer.
#[derive(Debug)]
pub(super) struct Dialogues {
    table: BoundedMap<DialogueKey, Dialogue>,
    timeout_ns: u64,
    /// Capture time after which the oldest open dialogue may have timed out: until then,
    /// [`Dialogues::expire`] has nothing to look at.
    expire_after: u64,
}

impl Dialogues {
    pub(super) fn new(capacity: usize, timeout_s: u64) -> Self {
        Dialogues {
            table: BoundedMap::new(capacity),
            timeout_ns: timeout_s.saturating_mul(1_000_000_000),
            expire_after: u64::MAX,
        }
    }

    /// Dialogues pushed out of the full table.
    pub(super) fn evictions(&self) -> u64 {
        self.table.evictions()
    }

    /// Forget the dialogues that have waited longer than the timeout for an answer.
    #[inline]
    pub(super) fn expire(&mut self, now: u64) {
        if now <= self.expire_after {
            return;
        }
        let timeout = self.timeout_ns;
        while self
            .table
            .pop_lru_if(|_, d| now.saturating_sub(d.subject.ts_ns) > timeout)
            .is_some()
        {}
        self.expire_after = self
            .table
            .peek_lru()
            .map_or(u64::MAX, |(_, d)| d.subject.ts_ns.saturating_add(timeout));
    }

    /// Remember a request opened at `d.subject.ts_ns`.
    pub(super) fn open(&mut self, key: DialogueKey, d: Dialogue) {
        let deadline = d.subject.ts_ns.saturating_add(self.timeout_ns);
        self.expire_after = self.expire_after.min(deadline);
        self.table.insert(key, d);
    }

    /// The request an answer belongs to; an End or Abort (`closes`) closes the dialogue.
    #[inline]
    pub(super) fn answered(&mut self, key: Option<DialogueKey>, closes: bool) -> Option<Dialogue> {
        let key = key?;
        let d = self.table.peek(&key).copied();
        if closes {
            self.table.remove(&key);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use decoder::sccp::GlobalTitle;

    fn gt_addr(bcd: &[u8]) -> Address<'_> {
        Address {
            route_on_ssn: false,
            gti: 4,
            pc: None,
            ssn: None,
            gt: Some(GlobalTitle {
                tt: Some(0),
                np: Some(1),
                es: Some(2),
                nai: Some(4),
                odd: false,
                bcd,
            }),
        }
    }

    /// Keys are the octets themselves: IDs of other lengths, titles differing in one octet,
    /// a point code and no address at all are all distinct.
    #[test]
    fn keys_are_the_octets() {
        let a = gt_addr(&[0x21, 0x43, 0x65]);
        let b = gt_addr(&[0x21, 0x43, 0x66]);
        let pc = Address {
            gt: None,
            pc: Some(0x21),
            ..a
        };
        let none = Address { pc: None, ..pc };
        let keys = [
            DialogueKey::of(Some(&[1, 2]), &a),
            DialogueKey::of(Some(&[0, 1, 2]), &a),
            DialogueKey::of(Some(&[1, 2]), &b),
            DialogueKey::of(Some(&[1, 2]), &pc),
            DialogueKey::of(Some(&[1, 2]), &none),
        ];
        for (i, k) in keys.iter().enumerate() {
            assert!(k.is_some());
            for l in &keys[i + 1..] {
                assert_ne!(k, l);
            }
        }
        assert_eq!(DialogueKey::of(Some(&[1, 2]), &a), keys[0]);
        assert!(DialogueKey::of(Some(&[1, 2, 3, 4, 5]), &a).is_none());
        assert!(DialogueKey::of(Some(&[]), &a).is_none());
        assert!(DialogueKey::of(None, &a).is_none());
    }
}
