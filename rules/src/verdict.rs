//! What the rules conclude about a message: which rule, the category, who sent it, about whom.
//! Verdicts are plain `Copy` records (no heap), made on workers and turned into alert lines by
//! the collector.

use core::fmt;

use decoder::{Digits, Identity, Plmn};

use crate::geo::Country;
use crate::numbering::{OperatorId, Relation};
use crate::policy::{Action, Proto, Severity};

/// The GSMA category of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Never legitimate from the interconnect.
    Cat1,
    /// Only from the subscriber's home network.
    Cat2,
    /// Only from the network where the subscriber is.
    Cat3,
    /// Reconnaissance: an identity harvested without the service that would justify it.
    Recon,
    /// A custom rule of the policy.
    Custom,
    /// Two copies of the same bytes that differ: a sender showing the probe (or a receiver)
    /// something else than what was taken.
    Evasion,
}

impl Category {
    /// Every category, in declaration order (`c as usize` is its place).
    pub const ALL: [Category; 6] = [
        Category::Cat1,
        Category::Cat2,
        Category::Cat3,
        Category::Recon,
        Category::Custom,
        Category::Evasion,
    ];

    /// The name used in alerts and reports.
    pub fn name(self) -> &'static str {
        match self {
            Category::Cat1 => "cat1",
            Category::Cat2 => "cat2",
            Category::Cat3 => "cat3",
            Category::Recon => "recon",
            Category::Custom => "custom",
            Category::Evasion => "evasion",
        }
    }
}

/// A rule's index in its engine's [`RuleTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleIdx(pub u16);

/// A rule: its stable id and what it decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable id (`fs11.cat1.any_time_interrogation`).
    pub id: String,
    /// Category.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// Action.
    pub action: Action,
    /// What it is about, for the alert's reason (`AnyTimeInterrogation`).
    pub what: String,
}

/// Every rule of an engine.
#[derive(Debug, Clone, Default)]
pub struct RuleTable {
    rules: Vec<RuleInfo>,
}

impl RuleTable {
    /// Add a rule, returning its index (an existing id is returned as is).
    pub(crate) fn add(&mut self, info: RuleInfo) -> RuleIdx {
        if let Some(i) = self.rules.iter().position(|r| r.id == info.id) {
            return RuleIdx(i as u16);
        }
        self.rules.push(info);
        RuleIdx((self.rules.len() - 1) as u16)
    }

    /// A rule by index.
    pub fn get(&self, idx: RuleIdx) -> Option<&RuleInfo> {
        self.rules.get(usize::from(idx.0))
    }

    /// A rule by id.
    pub fn find(&self, id: &str) -> Option<RuleIdx> {
        self.rules
            .iter()
            .position(|r| r.id == id)
            .map(|i| RuleIdx(i as u16))
    }

    /// Every rule, in index order.
    pub fn iter(&self) -> impl Iterator<Item = (RuleIdx, &RuleInfo)> {
        self.rules
            .iter()
            .enumerate()
            .map(|(i, r)| (RuleIdx(i as u16), r))
    }

    /// Rules held.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// No rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Short text held inline (a Diameter host or realm): up to 63 bytes, longer is cut.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Name {
    len: u8,
    buf: [u8; 63],
}

impl Name {
    /// The most bytes a name holds.
    pub(crate) const CAPACITY: usize = 63;

    /// The empty name.
    pub const EMPTY: Name = Name {
        len: 0,
        buf: [0; 63],
    };

    /// From bytes off the wire, cut at 63.
    pub fn new(b: &[u8]) -> Name {
        let mut n = Name::EMPTY;
        let len = b.len().min(63);
        n.buf[..len].copy_from_slice(&b[..len]);
        n.len = len as u8;
        n
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({:?})", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Home, partner or foreign; `None` when nothing identifies the sender.
    pub relation: Option<Relation>,
    /// Country.
    pub country: Option<Country>,
    /// Operator.
    pub operator: Option<OperatorId>,
    /// PLMN (Diameter realms).
    pub plmn: Option<Plmn>,
    /// Calling global title (SS7).
    pub gt: Option<Digits>,
    /// Origin-Host (Diameter).
    pub host: Name,
    /// Origin-Realm (Diameter).
    pub realm: Name,
}

impl Source {
    /// Nothing known.
    pub(crate) const UNKNOWN: Source = Source {
        relation: None,
        country: None,
        operator: None,
        plmn: None,
        gt: None,
        host: Name::EMPTY,
        realm: Name::EMPTY,
    };

    /// Whether it is the home network.
    pub fn is_home(&self) -> bool {
        self.relation == Some(Relation::Home)
    }

    /// Whether it is the interconnect (a partner or anyone else; not home, not unknown).
    pub(crate) fn is_interconnect(&self) -> bool {
        matches!(self.relation, Some(Relation::Partner | Relation::Foreign))
    }
}

/// Whom a message concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Target {
    /// IMSI.
    pub imsi: Option<Identity>,
    /// MSISDN.
    pub msisdn: Option<Identity>,
}

impl Target {
    /// A key for the subscriber: the IMSI's, else the MSISDN's (distinct key spaces). Keys
    /// tell subscribers apart and place them on shards; they are not numbers to print.
    pub fn key(&self) -> Option<u64> {
        self.imsi_key().or_else(|| self.msisdn_key())
    }

    /// The IMSI's key ([`Identity::key`]: up to 15 digits, the lowest nibble `F`).
    #[inline]
    pub fn imsi_key(&self) -> Option<u64> {
        self.imsi.as_ref().and_then(Identity::key)
    }

    /// The MSISDN's key: [`Identity::key`] with the lowest nibble `E`, apart from every IMSI's.
    #[inline]
    pub fn msisdn_key(&self) -> Option<u64> {
        self.msisdn.as_ref().and_then(Identity::key).map(|k| k ^ 1)
    }

    /// Whether a key ([`Target::key`]) is an MSISDN's.
    #[inline]
    pub fn is_msisdn_key(key: u64) -> bool {
        key & 0xF == 0xE
    }
}

/// The message a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    /// Frame number.
    pub frame: u64,
    /// Capture time, ns.
    pub ts_ns: u64,
    /// Protocol.
    pub proto: Proto,
    /// MAP operation.
    pub opcode: Option<u8>,
    /// Diameter command.
    pub cmd: Option<u32>,
    /// Diameter application.
    pub app: Option<u32>,
}

/// The message that showed where a subscriber was: a MAP operation or a Diameter command, a
/// request or the answer to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    /// Protocol.
    pub proto: Proto,
    /// MAP operation code or Diameter command code.
    pub code: u32,
    /// The answer (a result, an acknowledgement), not the request.
    pub answer: bool,
}

impl Evidence {
    /// A MAP request or answer.
    pub(crate) const fn map(op: u8, answer: bool) -> Evidence {
        Evidence {
            proto: Proto::Map,
            code: op as u32,
            answer,
        }
    }

    /// A Diameter request.
    pub(crate) const fn diameter(cmd: u32) -> Evidence {
        Evidence {
            proto: Proto::Diameter,
            code: cmd,
            answer: false,
        }
    }
}

/// What else a verdict says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Detail {
    /// Nothing more.
    None,
    /// A claimed location the subscriber could not have reached in time.
    Travel {
        /// Last known country.
        from: Country,
        /// Claimed country.
        to: Country,
        /// Kilometres between them (after the location slack).
        km: f64,
        /// Hours since the subscriber was last seen in `from`.
        hours: f64,
        /// When the subscriber was last seen in `from` (capture time, ns).
        seen_ns: u64,
        /// The message that showed it.
        by: Evidence,
    },
    /// A category 3 message for a home subscriber from (or naming as the serving network) an
    /// operator the home network has no roaming agreement with.
    NoAgreement {
        /// That operator.
        operator: OperatorId,
    },
    /// A category 2 or 3 request from a sender no numbering plan places: its raw global title,
    /// or Origin-Host and Origin-Realm, are the source's.
    Unplaced,
    /// A purge or cancel from a network the subscriber is not in.
    NotThere {
        /// Where the subscriber is.
        current: Country,
    },
    /// A Diameter consistency check failed; the text says which.
    Inconsistent(&'static str),
    /// An inbound roamer addressed by a network that is not its home.
    NotHome {
        /// The roamer's home PLMN.
        home: Plmn,
    },
    /// SRI-for-SM answered with the IMSI, and no short message followed.
    SmsRecon {
        /// Seconds waited.
        waited_s: u64,
    },
    /// The message (or, without one, the packet) came as a copy that conflicts with another.
    Evasion(decoder::stack::Evasion),
}

/// A rule's conclusion about one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The message.
    pub subject: Subject,
    /// The rule.
    pub rule: RuleIdx,
    /// Who sent it.
    pub source: Source,
    /// About whom.
    pub target: Target,
    /// More.
    pub detail: Detail,
}
